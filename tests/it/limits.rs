//! Defined limits: what dechaff does at the edges of its input space. Each
//! test documents one behaviour; timings are printed, never asserted.

use std::time::Instant;

use dechaff::{ErrorKind, Label, Labeller, ModelSet, Reason, SiteModel, SiteModelBuilder};

fn pages() -> [&'static str; 3] {
    [
        "Startseite\n- Politik\nDer Stadtrat hat am Dienstag den neuen Haushalt beschlossen, nach einer langen Debatte über Schulen und Straßen.\nEs werden alle Kommentare moderiert!\n",
        "Startseite\n- Politik\nDas Hochwasser hat in der Nacht mehrere Straßen der Altstadt überflutet, teilte die Feuerwehr am Morgen mit.\nEs werden alle Kommentare moderiert!\n",
        "Startseite\n- Politik\nDie Bibliothek öffnet nach dem Umbau wieder und bietet nun auch am Sonntag Lesungen für Kinder an.\nEs werden alle Kommentare moderiert!\n",
    ]
}

fn model() -> SiteModel {
    SiteModelBuilder::new().build(pages())
}

fn saved<T>(save: impl FnOnce(&mut Vec<u8>) -> dechaff::Result<T>) -> Vec<u8> {
    let mut file = Vec::new();
    save(&mut file).unwrap();
    file
}

/// Megabytes for the long-line tests: 50 in release builds; in debug builds
/// 2, to keep `cargo test` quick. `DECHAFF_LONG_LINE_MB` overrides both.
fn long_line_bytes() -> usize {
    let default = if cfg!(debug_assertions) { 2 } else { 50 };
    let mb = std::env::var("DECHAFF_LONG_LINE_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    mb << 20
}

#[test]
fn empty_page_has_no_lines() {
    assert_eq!(dechaff::lines(b"").count(), 0);
    let labeller = Labeller::new(model());
    for labelled in [dechaff::label(b""), labeller.label(b"")] {
        assert!(labelled.is_empty());
        assert_eq!(labelled.segments().count(), 0);
        assert_eq!(labelled.body_text(), "");
        assert_eq!(labelled.counts(), [0; 6]);
    }
}

#[test]
fn empty_pages_count_once_when_learning() {
    // An empty page is a page (with no lines); every further empty or
    // all-blank page repeats it line for line and counts as a duplicate.
    let model = SiteModelBuilder::new().build(["", "", "\n \n", "\r\n"]);
    assert_eq!(model.pages(), 1);
    assert_eq!(model.duplicate_pages(), 3);
    assert_eq!(model.templates().count(), 0);
    let nothing = SiteModelBuilder::new().build(Vec::<&[u8]>::new());
    assert_eq!(nothing.pages(), 0);
    assert_eq!(Labeller::new(nothing).label(pages()[0]).len(), 4);
}

#[test]
fn page_of_only_blank_lines_is_all_blank_body() {
    // Blank lines take the label of a neighbouring non-blank line; with none
    // on the page they keep the default, `body`. They never count: the body
    // text is empty and `counts` is all zero.
    let page = b"\n \n\t\r\n\x0c\n   ";
    let labeller = Labeller::new(model());
    for labelled in [dechaff::label(page), labeller.label(page)] {
        assert_eq!(labelled.len(), 5);
        assert_eq!(labelled.body_text(), "");
        assert_eq!(labelled.counts(), [0; 6]);
        for line in labelled.iter() {
            assert!(line.is_blank());
            assert_eq!(line.reason(), Reason::Blank);
            assert_eq!(line.label(), Label::Body);
        }
        assert_eq!(labelled.segments().count(), 1);
    }
}

#[test]
fn long_lines_are_labelled() {
    let n = long_line_bytes();
    let labeller = Labeller::new(model());
    let prose: Vec<u8> = "Der Rat hat beschlossen, die Straße zu sanieren. "
        .as_bytes()
        .iter()
        .copied()
        .cycle()
        .take(n)
        .collect();
    let one_word = vec![b'x'; n];
    let junk: Vec<u8> = (0..n as u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .map(|b| if b == b'\n' { 0xFF } else { b })
        .collect();
    let lone_cr: Vec<u8> = b"a\rb ".iter().copied().cycle().take(n).collect();
    for (name, line) in [
        ("prose", &prose),
        ("one word", &one_word),
        ("junk", &junk),
        ("lone \\r", &lone_cr),
    ] {
        let mut page = b"Startseite\n".to_vec();
        page.extend_from_slice(line);
        page.extend_from_slice(b"\nEs werden alle Kommentare moderiert!\n");
        let t = Instant::now();
        let labelled = labeller.label(&page);
        assert_eq!(labelled.len(), 3, "{name}");
        assert_eq!(labelled.get(1).unwrap().span().len(), n);
        let without = dechaff::label(&page);
        assert_eq!(without.len(), 3);
        eprintln!(
            "limits: {name}: labelled a {} MiB line twice in {:.2?}",
            n >> 20,
            t.elapsed()
        );
    }
    // Learning from pages with long lines works too (pages over 1 MiB are
    // counted but never sampled).
    let t = Instant::now();
    let mut learner = SiteModelBuilder::new().learner();
    for line in [&prose, &one_word] {
        let mut page = b"Startseite\n".to_vec();
        page.extend_from_slice(line);
        learner.add(&page);
    }
    let learned = learner.finish();
    assert_eq!(learned.pages(), 2);
    eprintln!(
        "limits: learned from two {} MiB pages in {:.2?}",
        n >> 20,
        t.elapsed()
    );
}

#[test]
fn hundred_thousand_pages_of_one_site() {
    // Memory is bound by the distinct line fingerprints (and one 8-byte
    // hash per page), not by the amount of text: every page here has a body
    // line of its own, and only the three template lines reach the model.
    const PAGES: u32 = 100_000;
    let t = Instant::now();
    let mut learner = SiteModelBuilder::new().learner();
    let mut page = String::new();
    for i in 0..PAGES {
        page.clear();
        page.push_str("Startseite\n- Politik\nDer Artikel ");
        // Digits fold to `0`: spell the page number in letters.
        let mut k = i;
        loop {
            page.push((b'a' + (k % 26) as u8) as char);
            k /= 26;
            if k == 0 {
                break;
            }
        }
        page.push_str(" handelt von etwas ganz anderem als alle anderen.\nEs werden alle Kommentare moderiert!\n");
        learner.add(page.as_bytes());
    }
    assert_eq!(learner.pages(), PAGES);
    let model = learner.finish();
    let learn_time = t.elapsed();
    assert_eq!(model.pages(), PAGES);
    assert_eq!(model.duplicate_pages(), 0);
    let templates: Vec<_> = model.templates().collect();
    assert!(templates
        .iter()
        .any(|t| t.text == "startseite" && t.pages == PAGES));
    let file = saved(|f| model.save(f));
    assert!(file.len() < 1 << 20, "model file of {} bytes", file.len());
    let labelled = Labeller::new(model.clone()).label(&page);
    let labels: Vec<Label> = labelled.iter().map(|l| l.label()).collect();
    assert_eq!(labels[0], Label::Navigation);
    assert!(!labels[3].is_body());
    eprintln!(
        "limits: learned {PAGES} pages in {learn_time:.2?}; model file {} bytes, {} templates",
        file.len(),
        templates.len()
    );
}

#[test]
fn model_from_a_newer_format_version_is_unsupported() {
    let file = String::from_utf8(saved(|f| model().save_json(f))).unwrap();
    let version = format!("\"version\":{}", dechaff::MODEL_FORMAT_VERSION);
    assert!(file.contains(&version));
    let newer = file.replace(
        &version,
        &format!("\"version\":{}", dechaff::MODEL_FORMAT_VERSION + 1),
    );
    let err = SiteModel::load(newer.as_bytes()).unwrap_err();
    match err.kind() {
        ErrorKind::UnsupportedVersion { found, supported } => {
            assert_eq!(*found, dechaff::MODEL_FORMAT_VERSION + 1);
            assert_eq!(*supported, dechaff::MODEL_FORMAT_VERSION);
        }
        other => panic!("expected UnsupportedVersion, got {other:?}"),
    }
    // The version is checked before the body is read: a newer file whose
    // body this build could not parse still says "unsupported version".
    let err =
        SiteModel::load(&br#"{"format":"dechaff-site-model","version":99,"templates":"new"}"#[..])
            .unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::UnsupportedVersion { found: 99, .. }),
        "{err:?}"
    );
    // So is an older (or zero) version.
    let err = SiteModel::load(&br#"{"format":"dechaff-site-model","version":0}"#[..]).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::UnsupportedVersion { found: 0, .. }),
        "{err:?}"
    );
    let set = String::from_utf8(saved(|f| ModelSet::new().save_json(f))).unwrap();
    let err = ModelSet::load(set.replace(&version, "\"version\":7").as_bytes()).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::UnsupportedVersion { found: 7, .. }),
        "{err:?}"
    );
}

#[test]
fn truncated_model_file_is_corrupt() {
    let mut set = ModelSet::new();
    set.insert("example.org", model());
    for (file, set_file) in [
        (saved(|f| model().save(f)), saved(|f| set.save(f))),
        (saved(|f| model().save_json(f)), saved(|f| set.save_json(f))),
    ] {
        for cut in [0, 1, 5, file.len() / 3, file.len() / 2, file.len() - 1] {
            let err = SiteModel::load(&file[..cut]).unwrap_err();
            assert!(
                matches!(err.kind(), ErrorKind::CorruptModel(_)),
                "cut at {cut}: {err:?}"
            );
        }
        let err = ModelSet::load(&set_file[..set_file.len() - 2]).unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::CorruptModel(_)), "{err:?}");
    }
}

#[test]
fn file_that_is_not_a_model() {
    // A JSON object naming another format.
    let err = SiteModel::load(&br#"{"format":"something-else","version":1}"#[..]).unwrap_err();
    match err.kind() {
        ErrorKind::NotAModel { found, expected } => {
            assert_eq!(&**found, "something-else");
            assert_eq!(*expected, "dechaff-site-model");
        }
        other => panic!("expected NotAModel, got {other:?}"),
    }
    // A model set is not a site model, and the other way round.
    let mut set = ModelSet::new();
    set.insert("example.org", model());
    let set_file = saved(|f| set.save(f));
    let err = SiteModel::load(&set_file[..]).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::NotAModel { .. }), "{err:?}");
    let site_file = saved(|f| model().save(f));
    let err = ModelSet::load(&site_file[..]).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::NotAModel { .. }), "{err:?}");
    // JSON without a format name is corrupt, not "not a model".
    for json in [
        &br#"{"a":1}"#[..],
        b"[]",
        b"null",
        b"{\"format\":1,\"version\":1}",
    ] {
        let err = SiteModel::load(json).unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::CorruptModel(_)), "{err:?}");
    }
}

#[test]
fn garbage_bytes_are_a_corrupt_model() {
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    for bytes in [
        &b""[..],
        b"\xff\xfe\x00",
        b"PK\x03\x04",
        b"Startseite\n- Politik\n",
        &garbage,
    ] {
        let err = SiteModel::load(bytes).unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::CorruptModel(_)), "{err:?}");
        let err = ModelSet::load(bytes).unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::CorruptModel(_)), "{err:?}");
    }
}

#[test]
fn inconsistent_model_is_rejected() {
    let file = String::from_utf8(saved(|f| model().save_json(f))).unwrap();
    // Claim fewer pages than the template lines occur on.
    assert!(file.contains("\"pages\":3,"));
    let bad = file.replacen("\"pages\":3,", "\"pages\":1,", 1);
    let err = SiteModel::load(bad.as_bytes()).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::InconsistentModel(_)),
        "{err:?}"
    );
    // Deserialising with serde directly runs the same check.
    assert!(serde_json::from_str::<SiteModel>(&file).is_ok());
    let err = serde_json::from_str::<SiteModel>(&bad).unwrap_err();
    assert!(err.to_string().contains("inconsistent model"), "{err}");
    let set = format!(r#"{{"sites":{{"example.org":{bad}}}}}"#);
    assert!(serde_json::from_str::<ModelSet>(&set).is_err());
    let mut good = ModelSet::new();
    good.insert("example.org", model());
    let set_file = String::from_utf8(saved(|f| good.save_json(f))).unwrap();
    let bad_set = set_file.replacen("\"pages\":3,", "\"pages\":1,", 1);
    let err = ModelSet::load(bad_set.as_bytes()).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::InconsistentModel(_)),
        "{err:?}"
    );
}

#[test]
fn failing_reader_is_an_io_error() {
    struct Failing;
    impl std::io::Read for Failing {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk on fire"))
        }
    }
    let err = SiteModel::load(Failing).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::Io(m) if m == "disk on fire"),
        "{err:?}"
    );
    // The I/O error itself is the source.
    let source = std::error::Error::source(&err).expect("an I/O error has a source");
    let io = source
        .downcast_ref::<std::io::Error>()
        .expect("the source is the I/O error");
    assert_eq!(io.to_string(), "disk on fire");
    assert_eq!(err.to_string(), "I/O error: disk on fire");
}

#[test]
fn corrupt_model_keeps_the_parser_error_as_source() {
    let err = SiteModel::load(&b"{\"format\": "[..]).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::CorruptModel(_)), "{err:?}");
    assert!(std::error::Error::source(&err).is_some());
    // No source for errors that have no cause of their own.
    let err = "nonsense".parse::<Label>().unwrap_err();
    assert!(std::error::Error::source(&err).is_none());
    assert_eq!(
        std::mem::size_of::<dechaff::Error>(),
        std::mem::size_of::<usize>()
    );
}

#[test]
fn labeller_and_labelled_are_send_and_sync() {
    // Fails to compile, not at run time, if either stops being shareable.
    fn send_sync<T: Send + Sync + Clone>() {}
    send_sync::<Labeller>();
    send_sync::<dechaff::Labelled>();
    send_sync::<SiteModel>();
    send_sync::<ModelSet>();
}
