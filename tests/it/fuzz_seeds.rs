//! Writes the fuzzers' seed corpora from the shared corpus. Not a test:
//! `.ci/run` runs it (ignored by default) before fuzzing, with
//! `DECHAFF_FUZZ_SEEDS` naming the output folder (`fuzz/corpus`) and
//! `DECHAFF_CORPUS_DIR` the corpus (`../shared/corpus`). Seeds are never
//! committed.

use std::{
    collections::BTreeMap,
    fs,
    path::{Path, PathBuf},
};

use dechaff::{ModelSet, SiteModelBuilder};

/// Largest seed written, in bytes (libFuzzer's `-max_len` cuts longer ones).
const MAX_SEED: usize = 64 << 10;
/// Site groups used for the multi-page seeds.
const MAX_GROUPS: usize = 40;

fn cut(bytes: &[u8]) -> &[u8] {
    &bytes[..bytes.len().min(MAX_SEED)]
}

fn write(dir: &Path, target: &str, name: &str, bytes: &[u8]) {
    let dir = dir.join(target);
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join(name), cut(bytes)).unwrap();
}

struct Page {
    id: String,
    url: String,
    text: Vec<u8>,
}

/// The seed pages (one site) and the wcxb pages of groups with two or more
/// pages, by group.
fn groups(corpus: &Path) -> BTreeMap<String, Vec<Page>> {
    let mut out: BTreeMap<String, Vec<Page>> = BTreeMap::new();
    let seeds = corpus.join("seeds");
    let mut names: Vec<PathBuf> = fs::read_dir(&seeds)
        .unwrap_or_else(|e| panic!("{}: {e}", seeds.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    names.sort();
    for path in names {
        let id = path.file_stem().unwrap().to_string_lossy().into_owned();
        let url = format!("https://seeds.example/{id}");
        out.entry("seeds.example".into()).or_default().push(Page {
            id,
            url,
            text: fs::read(&path).unwrap(),
        });
    }
    let wcxb = corpus.join("wcxb");
    let manifest = fs::read_to_string(wcxb.join("manifest.tsv")).unwrap();
    let mut by_group: BTreeMap<&str, Vec<(&str, &str)>> = BTreeMap::new();
    for row in manifest.lines().skip(1) {
        let f: Vec<&str> = row.split('\t').collect();
        if f.len() >= 5 {
            by_group.entry(f[3]).or_default().push((f[0], f[4]));
        }
    }
    for (group, pages) in by_group
        .into_iter()
        .filter(|(_, p)| p.len() >= 2)
        .take(MAX_GROUPS)
    {
        for (id, url) in pages {
            let text = fs::read(wcxb.join("text").join(format!("{id}.txt"))).unwrap();
            out.entry(group.to_string()).or_default().push(Page {
                id: id.to_string(),
                url: url.to_string(),
                text,
            });
        }
    }
    out
}

#[test]
#[ignore = "writes fuzz seeds; run by .ci/run"]
fn write_fuzz_seeds() {
    let (Some(out), Some(corpus)) = (
        std::env::var_os("DECHAFF_FUZZ_SEEDS"),
        std::env::var_os("DECHAFF_CORPUS_DIR"),
    ) else {
        panic!("set DECHAFF_FUZZ_SEEDS and DECHAFF_CORPUS_DIR");
    };
    let (out, corpus) = (PathBuf::from(out), PathBuf::from(corpus));
    let learn_label_max_len: usize = std::env::var("DECHAFF_FUZZ_LEARN_LABEL_MAX_LEN")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(MAX_SEED);
    let groups = groups(&corpus);
    let mut set = ModelSet::new();
    let mut counts = BTreeMap::new();
    for (g, (group, pages)) in groups.iter().enumerate() {
        let mut count = |target: &'static str| *counts.entry(target).or_insert(0) += 1;
        for page in pages {
            write(&out, "scanner", &page.id, &page.text);
            count("scanner");
        }
        // learn_label: the group's pages joined by form feeds, each page cut
        // so that every page fits in one seed of the length the fuzzer keeps
        // (`.ci/run` passes its -max_len; libFuzzer cuts longer seeds).
        let each = learn_label_max_len / pages.len() - 1;
        let joined: Vec<u8> = pages
            .iter()
            .map(|p| &p.text[..p.text.len().min(each)])
            .collect::<Vec<_>>()
            .join(&b'\x0c');
        write(&out, "learn_label", &format!("group-{g:03}"), &joined);
        count("learn_label");
        // model_load: the group's model, binary and JSON, on its own and in
        // a set; and the binary file cut short.
        let model =
            SiteModelBuilder::new().build(pages.iter().map(|p| &p.text[..p.text.len().min(4096)]));
        let mut file = Vec::new();
        model.save(&mut file).unwrap();
        write(&out, "model_load", &format!("site-{g:03}"), &file);
        write(
            &out,
            "model_load",
            &format!("site-{g:03}-truncated"),
            &file[..file.len() * 2 / 3],
        );
        let mut json = Vec::new();
        model.save_json(&mut json).unwrap();
        write(&out, "model_load", &format!("site-{g:03}.json"), &json);
        for _ in 0..3 {
            count("model_load");
        }
        if g < 4 {
            set.insert(group.clone(), model);
        }
        // jsonl and wet: the group's pages as a small dump.
        let mut jsonl = Vec::new();
        let mut wet =
            b"WARC/1.0\r\nWARC-Type: warcinfo\r\nContent-Length: 10\r\n\r\nsoftware: \r\n\r\n"
                .to_vec();
        for p in pages.iter().take(3) {
            let text = String::from_utf8_lossy(&p.text[..p.text.len().min(4096)]);
            let record = serde_json::json!({ "id": p.id, "url": p.url, "text": text });
            jsonl.extend_from_slice(record.to_string().as_bytes());
            jsonl.push(b'\n');
            let body = text.as_bytes();
            wet.extend_from_slice(
                format!(
                    "WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: {}\r\nWARC-Record-ID: <urn:uuid:{}>\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n",
                    p.url,
                    p.id,
                    body.len()
                )
                .as_bytes(),
            );
            wet.extend_from_slice(body);
            wet.extend_from_slice(b"\r\n\r\n");
        }
        write(&out, "jsonl", &format!("dump-{g:03}"), &jsonl);
        write(&out, "wet", &format!("dump-{g:03}"), &wet);
        count("jsonl");
        count("wet");
    }
    let mut file = Vec::new();
    set.save(&mut file).unwrap();
    write(&out, "model_load", "set", &file);
    let mut json = Vec::new();
    set.save_json(&mut json).unwrap();
    write(&out, "model_load", "set.json", &json);
    for (target, name, bytes) in awkward_seeds(&groups) {
        write(&out, target, name, &bytes);
        *counts.entry(target).or_insert(0) += 1;
    }
    for (target, n) in counts {
        eprintln!("fuzz seeds: {n:4} for {target}");
    }
}

fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// One WET `conversion` record of `body`, claiming `length` bytes.
fn wet_record(page: &Page, body: &[u8], length: usize) -> Vec<u8> {
    let head = format!(
        "WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: {}\r\nWARC-Record-ID: <urn:uuid:{}>\r\nContent-Length: {length}\r\n\r\n",
        page.url, page.id
    );
    [head.as_bytes(), body, b"\r\n\r\n"].concat()
}

/// Seeds for the paths that resynchronise after damage (#13): WET records
/// whose Content-Length is too short, too long and past the end; gzip
/// files of one member per record with a corrupt member (bad checksum,
/// garbled deflate data); JSONL with a byte order mark, a first line that
/// is not an object, and a lone surrogate escape.
fn awkward_seeds(
    groups: &BTreeMap<String, Vec<Page>>,
) -> Vec<(&'static str, &'static str, Vec<u8>)> {
    let pages: Vec<&Page> = groups.values().flatten().take(4).collect();
    let bodies: Vec<&[u8]> = pages
        .iter()
        .map(|p| &p.text[..p.text.len().min(2048)])
        .collect();
    let records = |wrong: usize, delta: isize| -> Vec<Vec<u8>> {
        pages
            .iter()
            .zip(&bodies)
            .enumerate()
            .map(|(i, (p, b))| {
                let length = b.len() as isize + if i == wrong { delta } else { 0 };
                wet_record(p, b, length.max(0) as usize)
            })
            .collect()
    };
    let corrupt = |members: &[Vec<u8>], garble: bool| -> Vec<u8> {
        let mut members = members.to_vec();
        let m = &mut members[1];
        if garble {
            let mid = m.len() / 2;
            m[mid..mid + 8].fill(0xff);
        } else {
            let crc = m.len() - 8;
            m[crc] ^= 0xff;
        }
        members.concat()
    };
    let wet_members: Vec<Vec<u8>> = records(usize::MAX, 0).iter().map(|r| gzip(r)).collect();
    let jsonl_lines: Vec<Vec<u8>> = pages
        .iter()
        .zip(&bodies)
        .map(|(p, b)| {
            let text = String::from_utf8_lossy(b);
            let record = serde_json::json!({ "id": p.id, "url": p.url, "text": text });
            format!("{record}\n").into_bytes()
        })
        .collect();
    let jsonl_members: Vec<Vec<u8>> = jsonl_lines.iter().map(|l| gzip(l)).collect();
    let surrogate = br#"{"id": "s", "url": "https://s.example/", "text": "Lone \ud800 half.\nPair \ud83d\ude00 whole.\n"}"#;
    vec![
        ("wet", "length-short", records(1, -7).concat()),
        ("wet", "length-long", records(1, 40).concat()),
        ("wet", "length-past-end", records(3, 5000).concat()),
        ("wet", "gzip-members", wet_members.concat()),
        ("wet", "gzip-bad-crc", corrupt(&wet_members, false)),
        ("wet", "gzip-garbled", corrupt(&wet_members, true)),
        (
            "jsonl",
            "bom",
            [&b"\xEF\xBB\xBF"[..], &jsonl_lines.concat()].concat(),
        ),
        (
            "jsonl",
            "junk-first-line",
            [&b"# export\n"[..], &jsonl_lines.concat()].concat(),
        ),
        ("jsonl", "lone-surrogate", [&surrogate[..], b"\n"].concat()),
        ("jsonl", "gzip-bad-crc", corrupt(&jsonl_members, false)),
        ("jsonl", "gzip-garbled", corrupt(&jsonl_members, true)),
    ]
}

/// The damaged seeds are what they claim: each WET one reads with exactly
/// one error and the other records intact, each gzip one reports its
/// corrupt member. (Checks the seeds, not the readers: those are tested in
/// `awkward.rs`.)
#[test]
fn awkward_seeds_are_damaged_as_claimed() {
    let pages: Vec<Page> = (0..4)
        .map(|i| Page {
            id: format!("p{i}"),
            url: format!("https://seed.example/{i}"),
            text: format!("Home\nPage {i} says something of its own.\nFooter\n").into_bytes(),
        })
        .collect();
    let groups = BTreeMap::from([("seed.example".to_string(), pages)]);
    for (target, name, bytes) in awkward_seeds(&groups) {
        let items: Vec<_> =
            match dechaff::dump::OpenOptions::new().read(std::io::Cursor::new(bytes)) {
                Ok(dump) => dump.collect(),
                Err(e) => panic!("{target}/{name}: {e}"),
            };
        let errors: Vec<String> = items
            .iter()
            .filter_map(|i| i.as_ref().err())
            .map(|e| e.to_string())
            .collect();
        let docs = items.len() - errors.len();
        match name {
            "gzip-members" => {
                assert_eq!((docs, errors.len()), (4, 0), "{target}/{name}: {errors:?}")
            }
            "junk-first-line" => {
                assert_eq!((docs, errors.len()), (4, 1), "{target}/{name}: {errors:?}")
            }
            "bom" | "lone-surrogate" => assert!(
                errors.is_empty() && docs >= 1,
                "{target}/{name}: {errors:?}"
            ),
            _ if name.starts_with("gzip") => {
                assert!(
                    errors.iter().any(|e| e.contains("gzip member 2 ")),
                    "{target}/{name}: {errors:?}"
                );
                assert!(docs >= 3, "{target}/{name}: {docs}");
            }
            _ => assert_eq!((docs, errors.len()), (3, 1), "{target}/{name}: {errors:?}"),
        }
    }
}
