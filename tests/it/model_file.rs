//! The binary model format: what its checks refuse, and that it and JSON
//! load to the same models. Files are built by hand here (with a CRC-32
//! written independently of the crate's) to reach each check.

use dechaff::{ErrorKind, ModelSet, SiteModel, SiteModelBuilder, MODEL_FORMAT_VERSION};

const MAGIC: &[u8; 8] = b"\xFFdechaff";

/// CRC-32 (IEEE, reflected, as zlib and PNG use it), bit by bit.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A binary file of format `code` (1: site model, 2: set) and `version`.
fn file(code: u32, version: u32, body: &[u8]) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&code.to_le_bytes());
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(&crc32(body).to_le_bytes());
    out.extend_from_slice(body);
    out
}

/// A site model's body: no text, counts, share, no lines, the given
/// prefixes, no suffixes or anchors.
fn body(pages: u32, prefixes: &[(u64, u32)]) -> Vec<u8> {
    body_with_lines(pages, "", &[], prefixes)
}

/// A site model's body with `text` and lines `(key, text length)` on
/// `pages` pages.
fn body_with_lines(
    pages: u32,
    text: &str,
    lines: &[(u64, u32)],
    prefixes: &[(u64, u32)],
) -> Vec<u8> {
    let mut b = (text.len() as u32).to_le_bytes().to_vec();
    b.extend_from_slice(text.as_bytes());
    for n in [pages, 0, 0] {
        b.extend_from_slice(&n.to_le_bytes());
    }
    b.extend_from_slice(&0.5f64.to_bits().to_le_bytes());
    b.extend_from_slice(&(lines.len() as u32).to_le_bytes());
    for (k, len) in lines {
        b.extend_from_slice(&k.to_le_bytes());
        b.extend_from_slice(&pages.to_le_bytes());
        b.extend_from_slice(&len.to_le_bytes());
    }
    b.extend_from_slice(&(prefixes.len() as u32).to_le_bytes());
    for (k, n) in prefixes {
        b.extend_from_slice(&k.to_le_bytes());
        b.extend_from_slice(&n.to_le_bytes());
    }
    b.extend_from_slice(&0u32.to_le_bytes());
    b.extend_from_slice(&0u32.to_le_bytes());
    b
}

/// The model of the sample dump's four-page site.
fn seed_model() -> SiteModel {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/sample");
    let dump = std::fs::read_to_string(format!("{dir}/dump.jsonl")).unwrap();
    let pages: Vec<String> = dump
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["id"].as_str().unwrap().starts_with("rheinauer-bote"))
        .map(|v| v["text"].as_str().unwrap().to_string())
        .collect();
    SiteModelBuilder::new().build(&pages)
}

fn corrupt(bytes: &[u8]) -> String {
    match SiteModel::load(bytes).unwrap_err().into_kind() {
        ErrorKind::CorruptModel(why) => why,
        other => panic!("expected CorruptModel, got {other:?}"),
    }
}

#[test]
fn hand_built_file_loads_and_matches_the_crates_own() {
    let bytes = file(1, MODEL_FORMAT_VERSION, &body(3, &[(5, 2), (9, 3)]));
    let model = SiteModel::load(&bytes[..]).unwrap();
    assert_eq!(model.pages(), 3);
    let mut again = Vec::new();
    model.save(&mut again).unwrap();
    assert_eq!(again, bytes, "the CRC or the layout differs from the spec");
}

#[test]
fn binary_and_json_load_to_equal_models() {
    let model = seed_model();
    assert!(model.templates().count() > 0);
    let (mut binary, mut json) = (Vec::new(), Vec::new());
    model.save(&mut binary).unwrap();
    model.save_json(&mut json).unwrap();
    assert!(binary.starts_with(MAGIC));
    assert!(binary.len() < json.len());
    assert_eq!(SiteModel::load(&binary[..]).unwrap(), model);
    assert_eq!(SiteModel::load(&json[..]).unwrap(), model);
    let mut set = ModelSet::new();
    set.insert("b.example", model.clone());
    set.insert("a.example", SiteModel::default());
    let (mut binary, mut json) = (Vec::new(), Vec::new());
    set.save(&mut binary).unwrap();
    set.save_json(&mut json).unwrap();
    assert_eq!(ModelSet::load(&binary[..]).unwrap(), set);
    assert_eq!(ModelSet::load(&json[..]).unwrap(), set);
}

#[test]
fn newer_version_is_unsupported_before_the_body_is_read() {
    // The body is garbage: the version is refused first.
    let bytes = file(1, MODEL_FORMAT_VERSION + 1, b"\x01\x02");
    let err = SiteModel::load(&bytes[..]).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::UnsupportedVersion { found, .. } if *found == MODEL_FORMAT_VERSION + 1),
        "{err:?}"
    );
}

#[test]
fn other_format_is_not_a_model() {
    let site = file(1, MODEL_FORMAT_VERSION, &body(1, &[]));
    let err = ModelSet::load(&site[..]).unwrap_err();
    assert!(
        matches!(
            err.kind(),
            ErrorKind::NotAModel {
                expected: "dechaff-model-set",
                ..
            }
        ),
        "{err:?}"
    );
    let err = SiteModel::load(&file(9, MODEL_FORMAT_VERSION, b"")[..]).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::NotAModel { .. }), "{err:?}");
    let mut json = Vec::new();
    SiteModel::default().save_json(&mut json).unwrap();
    let err = ModelSet::load(&json[..]).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::NotAModel { .. }), "{err:?}");
}

#[test]
fn every_flipped_bit_of_the_body_is_caught() {
    let mut bytes = Vec::new();
    seed_model().save(&mut bytes).unwrap();
    let header = 28;
    for at in (header..bytes.len()).step_by(7) {
        let mut bad = bytes.clone();
        bad[at] ^= 0x10;
        assert!(corrupt(&bad).contains("checksum"), "byte {at}");
    }
}

#[test]
fn lengths_past_the_end_are_refused_without_allocating() {
    // A set claiming 2^32 - 1 sites, a model claiming 2^32 - 1 prefixes,
    // and a text of 4 GiB, each with a valid checksum.
    let huge_set = file(2, MODEL_FORMAT_VERSION, &u32::MAX.to_le_bytes());
    let err = ModelSet::load(&huge_set[..]).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::CorruptModel(_)), "{err:?}");
    let mut b = body(3, &[]);
    b[28..32].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(corrupt(&file(1, MODEL_FORMAT_VERSION, &b)).contains("count"));
    let mut set_body = 1u32.to_le_bytes().to_vec();
    set_body.extend_from_slice(&u32::MAX.to_le_bytes());
    let err = ModelSet::load(&file(2, MODEL_FORMAT_VERSION, &set_body)[..]).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::CorruptModel(_)), "{err:?}");
    // A header claiming more body than there is.
    let mut short = file(1, MODEL_FORMAT_VERSION, &body(3, &[]));
    short[16..24].copy_from_slice(&u64::MAX.to_le_bytes());
    assert!(corrupt(&short).contains("truncated"));
}

#[test]
fn keys_out_of_order_or_repeated_are_corrupt() {
    for prefixes in [[(9, 2), (5, 2)], [(5, 2), (5, 3)]] {
        let bytes = file(1, MODEL_FORMAT_VERSION, &body(3, &prefixes));
        assert!(corrupt(&bytes).contains("order"), "{prefixes:?}");
    }
}

#[test]
fn line_texts_must_split_the_models_text_at_characters() {
    let ok = file(
        1,
        MODEL_FORMAT_VERSION,
        &body_with_lines(2, "aé", &[(1, 1), (2, 2)], &[]),
    );
    assert_eq!(SiteModel::load(&ok[..]).unwrap().pages(), 2);
    for lines in [[(1, 2), (2, 1)], [(1, 1), (2, 3)], [(1, 1), (2, 1)]] {
        let bad = file(
            1,
            MODEL_FORMAT_VERSION,
            &body_with_lines(2, "aé", &lines, &[]),
        );
        assert!(corrupt(&bad).contains("text"), "{lines:?}");
    }
    let not_utf8 = file(
        1,
        MODEL_FORMAT_VERSION,
        &body_with_lines(2, "a\u{e9}", &[], &[]),
    );
    let mut not_utf8 = not_utf8;
    // Replace é's second byte: the model's text is no longer UTF-8.
    let at = not_utf8.iter().rposition(|&b| b == 0xA9).unwrap();
    not_utf8[at] = b'x';
    let body = not_utf8[28..].to_vec();
    assert!(corrupt(&file(1, MODEL_FORMAT_VERSION, &body)).contains("UTF-8"));
}

#[test]
fn bytes_after_the_model_are_corrupt() {
    let mut b = body(3, &[]);
    b.push(0);
    assert!(corrupt(&file(1, MODEL_FORMAT_VERSION, &b)).contains("after"));
}

#[test]
fn inconsistent_counts_are_refused_as_in_json() {
    // A prefix on 4 pages of a model that has seen 3.
    let bytes = file(1, MODEL_FORMAT_VERSION, &body(3, &[(5, 4)]));
    let err = SiteModel::load(&bytes[..]).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::InconsistentModel(_)),
        "{err:?}"
    );
}

/// A model file may hold counts near `u32::MAX` (merges saturate there):
/// assigning roles summed an anchor's neighbour votes in u32 and overflowed
/// (found by fuzzing `model_load` behind a fixed-up header).
#[test]
fn huge_neighbour_counts_merge_without_overflow() {
    let mut json = Vec::new();
    seed_model().save_json(&mut json).unwrap();
    let mut v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let anchors = v["anchors"].as_object_mut().unwrap();
    assert!(!anchors.is_empty());
    for a in anchors.values_mut() {
        a["neighbours"] = serde_json::json!(vec![u32::MAX; 6]);
    }
    let model = SiteModel::load(v.to_string().as_bytes()).unwrap();
    let merged = model.merge(&model);
    assert_eq!(merged.templates().count(), model.templates().count());
}
