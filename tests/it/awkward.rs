//! The example program on awkward input and output: pipes, long or unsafe
//! document ids, damaged dumps, memory on many small sites, and the
//! errors that must not pass as success.

use std::{
    fs,
    path::{Path, PathBuf},
    process::Output,
};

use dechaff::{
    dump::{Document, WetReader},
    ErrorKind, SiteModelBuilder,
};
use serde_json::Value;

use crate::example::{assert_ok, dechaff, gzip, s, sample, scratch, stderr, walk, wet_record};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn sample_jsonl() -> String {
    format!("{ROOT}/sample/dump.jsonl")
}

/// One JSONL record.
fn record(id: &str, url: &str, text: &str) -> String {
    serde_json::json!({"id": id, "url": url, "text": text}).to_string() + "\n"
}

/// The ids in a JSONL output file.
fn ids(path: &Path) -> Vec<String> {
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["id"].as_str().unwrap().to_string()
        })
        .collect()
}

/// Run `bash -c SCRIPT` with `$B` the example binary and `$1`... `args`.
fn bash(script: &str, args: &[&str]) -> Output {
    std::process::Command::new("bash")
        .env("B", example_binary())
        .args(["-c", script, "bash"])
        .args(args)
        .output()
        .unwrap()
}

/// `-` and pipes: learning and labelling both read every document (the
/// labelling pass read none and the run exited 0, #13 item 1).
#[test]
fn stdin_and_pipes_are_read_whole() {
    let dir = scratch("pipes");
    let sample = sample_jsonl();
    let file = dir.join("file.jsonl");
    assert_ok(&dechaff(&[
        "label",
        &sample,
        "--format",
        "jsonl",
        "-o",
        s(&file),
        "-q",
    ]));
    assert_eq!(ids(&file).len(), 10);
    let want = fs::read(&file).unwrap();
    for (name, script) in [
        (
            "stdin.jsonl",
            r#"cat "$1" | "$B" label - --format jsonl -o "$2" -q"#,
        ),
        (
            "pipe.jsonl",
            r#""$B" label <(cat "$1") --format jsonl -o "$2" -q"#,
        ),
        (
            "gz.jsonl",
            r#"gzip -c "$1" | "$B" label /dev/stdin --format jsonl -o "$2" -q"#,
        ),
    ] {
        let out_path = dir.join(name);
        let out = bash(script, &[&sample, s(&out_path)]);
        assert_ok(&out);
        assert_eq!(fs::read(&out_path).unwrap(), want, "{name}");
    }
    // eval over a pipe scores every document.
    let gold = dir.join("gold");
    assert_ok(&dechaff(&["label", &sample, "-o", s(&gold), "-q"]));
    let out = bash(
        r#""$B" eval --json --gold "$1" <(cat "$2") -q"#,
        &[s(&gold), &sample],
    );
    assert_ok(&out);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["documents"]["scored"], 10, "{report}");
    let out = bash(r#"echo | "$B" label - - -o /dev/null -q"#, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

/// Ids that make bad file names are written under safe ones, and a
/// document that cannot be written is reported while the run goes on (a
/// long id ended the run, #13 item 2).
#[test]
fn unsafe_ids_are_written_under_safe_names() {
    let dir = scratch("names");
    let long = "x".repeat(400);
    let ids = [
        long.as_str(),
        "nul\0byte",
        "../escape",
        "a",
        "a.tsv/b",
        "ok/fine",
    ];
    let mut jsonl = String::new();
    for (i, (id, (_, _, text))) in ids.iter().zip(sample()).enumerate() {
        jsonl += &record(id, &format!("https://site.example/{i}"), &text);
    }
    let input = dir.join("in.jsonl");
    fs::write(&input, jsonl).unwrap();
    let out_dir = dir.join("out");
    let out = dechaff(&["label", s(&input), "-o", s(&out_dir), "-q"]);
    // `a.tsv/b` needs a folder where `a`'s file is: reported, skipped.
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("document a.tsv/b: "),
        "{}",
        stderr(&out)
    );
    let files = walk(&out_dir);
    assert_eq!(files.len(), 5, "{files:?}");
    for file in &files {
        assert!(file.starts_with(&out_dir), "{}", file.display());
        assert!(file.file_name().unwrap().len() <= 255);
        let tsv = fs::read_to_string(file).unwrap();
        assert!(tsv.lines().count() > 3, "{}", file.display());
    }
    assert!(!dir.join("escape.tsv").exists());
}

/// A WET file of one `conversion` record per body, with the
/// Content-Length of record `wrong` (from 1) moved by `delta` bytes.
fn wet_with_length(bodies: &[String], wrong: usize, delta: i64) -> Vec<u8> {
    let mut wet = Vec::new();
    for (i, body) in bodies.iter().enumerate() {
        let url = format!("https://w.example/{i}");
        let mut rec = wet_record(Some(&url), &i.to_string(), body);
        if i + 1 == wrong {
            let (old, new) = (body.len(), body.len() as i64 + delta);
            let text = String::from_utf8(rec).unwrap().replacen(
                &format!("Content-Length: {old}\r\n"),
                &format!("Content-Length: {new}\r\n"),
                1,
            );
            rec = text.into_bytes();
        }
        wet.extend(rec);
    }
    wet
}

/// `Ok(text)` or `Err(record number)` for each item.
fn wet_items(wet: &[u8]) -> Vec<Result<String, u64>> {
    WetReader::new(wet)
        .map(|d| match d {
            Ok(doc) => Ok(String::from_utf8(doc.text).unwrap()),
            Err(e) => match e.kind() {
                ErrorKind::BadRecord { record, .. } | ErrorKind::ReadRecord { record, .. } => {
                    Err(*record)
                }
                other => panic!("{other:?}"),
            },
        })
        .collect()
}

/// A record whose Content-Length is wrong is reported as itself, and every
/// intact record is read (the next was lost or blamed, #13 item 4).
#[test]
fn wet_records_with_a_wrong_length() {
    let bodies: Vec<String> = sample().into_iter().take(5).map(|(_, _, t)| t).collect();
    let intact = |items: &[Result<String, u64>]| -> Vec<String> {
        items.iter().filter_map(|i| i.clone().ok()).collect()
    };
    for delta in [-5, -1, 1, 40, 100_000] {
        let items = wet_items(&wet_with_length(&bodies, 2, delta));
        let errors: Vec<u64> = items.iter().filter_map(|i| i.clone().err()).collect();
        assert_eq!(errors, [2], "delta {delta}: {items:?}");
        let mut want = bodies.clone();
        want.remove(1);
        assert_eq!(intact(&items), want, "delta {delta}");
    }
    // The last record too long: it runs to the end, an error of its own.
    let items = wet_items(&wet_with_length(&bodies, 5, 10));
    assert_eq!(items.last(), Some(&Err(5)));
    assert_eq!(intact(&items), bodies[..4]);
    // Correct lengths: all five.
    assert_eq!(intact(&wet_items(&wet_with_length(&bodies, 0, 0))), bodies);
}

/// A corrupt member of a multi-member gzip file is reported and reading
/// goes on with the next member (every later member was lost, #13 item 5).
#[test]
fn corrupt_gzip_member_is_skipped_not_the_rest() {
    let dir = scratch("gzip-members");
    let docs = sample();
    let members: Vec<Vec<u8>> = docs
        .iter()
        .enumerate()
        .map(|(i, (id, url, text))| gzip(&wet_record(Some(url), &format!("{i}-{id}"), text)))
        .collect();
    // Member 4 (record 4): a bad checksum; then a garbled middle instead.
    for (name, garble) in [("crc", false), ("deflate", true)] {
        let mut members = members.clone();
        let m = &mut members[3];
        if garble {
            let mid = m.len() / 2;
            m[mid..mid + 16].fill(0xff);
        } else {
            let at = m.len() - 8;
            m[at] ^= 0xff;
        }
        let path = dir.join(format!("{name}.warc.wet.gz"));
        fs::write(&path, members.concat()).unwrap();
        let items: Vec<_> = dechaff::dump::open(&path).unwrap().collect();
        let errors: Vec<String> = items
            .iter()
            .filter_map(|i| i.as_ref().err().map(|e| e.to_string()))
            .collect();
        assert!(
            errors.iter().any(|e| e.contains("gzip member 4 ")),
            "{name}: {errors:?}"
        );
        let read: Vec<&Document> = items.iter().filter_map(|i| i.as_ref().ok()).collect();
        for (i, (id, _, text)) in docs.iter().enumerate().skip(4) {
            let id = format!("urn:uuid:{i}-{id}");
            assert!(
                read.iter().any(|d| d.id == id && d.text == text.as_bytes()),
                "{name}: {id} lost"
            );
        }
        assert!(read.len() >= docs.len() - 1, "{name}: {}", read.len());
    }
}

/// `eval` that scores nothing is an error that says why (it printed a
/// perfect score and exited 0, #13 item 6).
#[test]
fn eval_that_scores_nothing_fails() {
    let dir = scratch("eval-nothing");
    let sample = sample_jsonl();
    let missing = dir.join("missing");
    let out = dechaff(&["eval", "--gold", s(&missing), &sample, "-q"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("--gold"), "{}", stderr(&out));
    let out = dechaff(&["eval", "--gold", &sample, &sample, "-q"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("not a folder"), "{}", stderr(&out));
    let empty = dir.join("empty");
    fs::create_dir_all(&empty).unwrap();
    let out = dechaff(&["eval", "--gold", s(&empty), &sample, "-q"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no document scored: none of the 10 document(s)"),
        "{}",
        stderr(&out)
    );
}

/// A missing input or an output that cannot be written is a fatal error
/// before any pass runs, and leaves no output (#13 item 7).
#[test]
fn missing_input_and_bad_output_fail_first() {
    let dir = scratch("fail-first");
    let sample = sample_jsonl();
    let missing = dir.join("missing.jsonl");
    let out_path = dir.join("out.jsonl");
    let out = dechaff(&[
        "label",
        &sample,
        s(&missing),
        "--format",
        "jsonl",
        "-o",
        s(&out_path),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.matches(s(&missing)).count(), 1, "{err}");
    assert!(!out_path.exists());
    let model = dir.join("model.json");
    let out = dechaff(&["learn", s(&missing), "-o", s(&model), "-q"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!model.exists());
    // An output under a file: found before reading any input.
    let file = dir.join("a-file");
    fs::write(&file, "").unwrap();
    let target = file.join("out");
    for args in [
        vec!["label", &sample, "--format", "jsonl", "-o"],
        vec!["label", &sample, "-o"],
        vec!["learn", &sample, "-o"],
    ] {
        let out = dechaff(&[&args[..], &[s(&target)]].concat());
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        assert!(
            !stderr(&out).contains("documents"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    // tsv to stdout makes no folder named `-`.
    let out = bash(r#"cd "$1" && "$B" label "$2" -o - -q"#, &[s(&dir), &sample]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("--format jsonl"), "{}", stderr(&out));
    assert!(!dir.join("-").exists());
}

/// An output that is a device or a pipe (`-o /dev/null`, a FIFO) is
/// written in place: renaming a finished temporary file over it replaced
/// the device (as root, `-o /dev/null` turned `/dev/null` into a file).
#[test]
fn output_to_a_pipe_stays_a_pipe() {
    let dir = scratch("fifo");
    let sample = sample_jsonl();
    let want = dechaff(&["label", &sample, "--format", "jsonl", "-o", "-", "-q"]);
    assert_ok(&want);
    let out = bash(
        r#"mkfifo "$1/out" || exit 9
        timeout 30 cat "$1/out" > "$1/got" &
        "$B" label "$2" --format jsonl -o "$1/out" -q; rc=$?
        wait
        [ -p "$1/out" ] || exit 8
        exit $rc"#,
        &[s(&dir), &sample],
    );
    assert_ok(&out);
    assert_eq!(fs::read(dir.join("got")).unwrap(), want.stdout);
}

/// A non-empty output folder needs `--force`; with it, files of earlier
/// runs stay (#13 item 7).
#[test]
fn non_empty_output_folder_needs_force() {
    let dir = scratch("force");
    let sample = sample_jsonl();
    let out_dir = dir.join("out");
    fs::create_dir_all(&out_dir).unwrap();
    fs::write(out_dir.join("stale.tsv"), "body\tOld.\n").unwrap();
    let out = dechaff(&["label", &sample, "-o", s(&out_dir), "-q"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("not empty"), "{}", stderr(&out));
    assert_eq!(walk(&out_dir).len(), 1);
    assert_ok(&dechaff(&[
        "label",
        &sample,
        "-o",
        s(&out_dir),
        "--force",
        "-q",
    ]));
    assert_eq!(walk(&out_dir).len(), 11);
}

/// JSONL with a byte order mark, a first line that is not an object, and
/// a lone surrogate escape: every good record is read (#13 item 7).
#[test]
fn awkward_jsonl_is_read() {
    let dir = scratch("awkward-jsonl");
    let sample = fs::read_to_string(sample_jsonl()).unwrap();
    let bom = dir.join("bom.jsonl");
    fs::write(&bom, format!("\u{feff}{sample}")).unwrap();
    let junk = dir.join("junk-first.jsonl");
    fs::write(&junk, format!("# exported today\n{sample}")).unwrap();
    let surrogate = dir.join("surrogate.jsonl");
    let line = r#"{"id": "s", "url": "https://s.example/", "text": "Lone \ud800 half.\nPair \ud83d\ude00 whole.\n"}"#;
    fs::write(&surrogate, format!("{line}\n")).unwrap();

    let out_path = dir.join("out.jsonl");
    let label = |input: &Path| {
        dechaff(&[
            "label",
            s(input),
            "--format",
            "jsonl",
            "-o",
            s(&out_path),
            "-q",
        ])
    };
    assert_ok(&label(&bom));
    assert_eq!(ids(&out_path).len(), 10);
    let out = label(&junk);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("record 1: malformed JSON"),
        "{}",
        stderr(&out)
    );
    assert_eq!(ids(&out_path).len(), 10);
    assert_ok(&label(&surrogate));
    assert_eq!(ids(&out_path), ["s"]);
    let docs: Vec<_> = dechaff::dump::open(&surrogate).unwrap().collect();
    let doc = docs[0].as_ref().unwrap();
    assert_eq!(
        String::from_utf8(doc.text.clone()).unwrap(),
        "Lone \u{fffd} half.\nPair \u{1f600} whole.\n"
    );
}

/// A directory input reads `.TXT` and `.txt.gz` files too (#13 item 7).
#[test]
fn directory_reads_upper_case_and_gzip_text() {
    let dir = scratch("dir-ext");
    let input = dir.join("in");
    fs::create_dir_all(input.join("site")).unwrap();
    let docs = sample();
    fs::write(input.join("site/a.txt"), &docs[0].2).unwrap();
    fs::write(input.join("site/B.TXT"), &docs[1].2).unwrap();
    fs::write(input.join("site/c.txt.gz"), gzip(docs[2].2.as_bytes())).unwrap();
    fs::write(input.join("site/d.md"), "not a document").unwrap();
    let read: Vec<Document> = dechaff::dump::open(&input)
        .unwrap()
        .map(|d| d.unwrap())
        .collect();
    let got: Vec<(&str, &[u8])> = read.iter().map(|d| (d.id.as_str(), &d.text[..])).collect();
    assert_eq!(
        got,
        [
            ("site/B", docs[1].2.as_bytes()),
            ("site/a", docs[0].2.as_bytes()),
            ("site/c", docs[2].2.as_bytes()),
        ]
    );
}

/// A single-site model saved by the library works with `--model` and
/// `inspect`; `merge` merges model files (#13 item 7).
#[test]
fn single_site_models_and_merge() {
    let dir = scratch("models");
    let docs = sample();
    let sample = sample_jsonl();
    let site = dechaff::dump::host(&docs[0].1);
    let pages: Vec<&str> = docs
        .iter()
        .filter(|d| dechaff::dump::host(&d.1) == site)
        .map(|d| d.2.as_str())
        .collect();
    let single = dir.join("site.json");
    SiteModelBuilder::new()
        .build(&pages)
        .save(fs::File::create(&single).unwrap())
        .unwrap();
    let out = dechaff(&["inspect", s(&single)]);
    assert_ok(&out);
    let listing = String::from_utf8(out.stdout).unwrap();
    assert!(listing.starts_with("1 site model(s)"), "{listing}");
    let out_path = dir.join("out.jsonl");
    assert_ok(&dechaff(&[
        "label",
        "--model",
        s(&single),
        &sample,
        "--format",
        "jsonl",
        "-o",
        s(&out_path),
        "-q",
    ]));
    assert_eq!(ids(&out_path).len(), 10);

    // Two halves learned apart, merged: every site of either half.
    let text = fs::read_to_string(&sample).unwrap();
    let lines: Vec<String> = text.lines().map(|l| format!("{l}\n")).collect();
    let (a, b) = (dir.join("a.jsonl"), dir.join("b.jsonl"));
    fs::write(&a, lines[..5].concat()).unwrap();
    fs::write(&b, lines[5..].concat()).unwrap();
    let (ma, mb, merged) = (
        dir.join("a.model"),
        dir.join("b.model"),
        dir.join("m.model"),
    );
    assert_ok(&dechaff(&["learn", s(&a), "-o", s(&ma), "-q"]));
    assert_ok(&dechaff(&["learn", s(&b), "-o", s(&mb), "-q"]));
    assert_ok(&dechaff(&["merge", s(&ma), s(&mb), "-o", s(&merged)]));
    let groups = |path: &Path| -> Vec<String> {
        let set = dechaff::ModelSet::load(fs::File::open(path).unwrap()).unwrap();
        set.iter().map(|(g, _)| g.to_string()).collect()
    };
    let mut union = groups(&ma);
    union.extend(groups(&mb));
    union.sort();
    union.dedup();
    assert!(!union.is_empty());
    assert_eq!(groups(&merged), union);
    // A single-site model and a set of site groups do not merge.
    let out = dechaff(&["merge", s(&ma), s(&single), "-o", s(&dir.join("x.model"))]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

/// The example binary that `dechaff` (through `cargo run`) has built.
fn example_binary() -> PathBuf {
    assert_ok(&dechaff(&["--help"]));
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap();
    target.join("debug/examples/dechaff")
}

/// Run `bin ARGS` and sample its peak resident memory (`VmHWM`) until it
/// ends: (exit code, peak in bytes).
#[cfg(target_os = "linux")]
fn peak_rss(bin: &Path, args: &[&str]) -> (Option<i32>, u64) {
    let mut child = std::process::Command::new(bin)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let status = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return (status.code(), peak);
        }
        let kb = fs::read_to_string(&status).ok().and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmHWM:"))?.to_string();
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        });
        peak = peak.max(kb.unwrap_or(0) * 1024);
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// Learning on a dump of many one-page sites holds none of their pages: peak
/// memory stays well under the dump's size (it held them all, #13 item 3).
#[cfg(target_os = "linux")]
#[test]
fn learning_memory_does_not_grow_with_one_page_sites() {
    const SITES: usize = 12_000;
    const PAGE: usize = 4096;
    let dir = scratch("memory");
    let dump = dir.join("many-sites.jsonl");
    let mut text = String::with_capacity(SITES * (PAGE + 100));
    for i in 0..SITES {
        let mut page = format!("Site {i} home\n");
        while page.len() < PAGE {
            page.push_str(&format!(
                "Paragraph {} of site {i} says something.\n",
                page.len()
            ));
        }
        text.push_str(&record(
            &format!("p{i}"),
            &format!("https://site{i}.example/"),
            &page,
        ));
    }
    fs::write(&dump, &text).unwrap();
    let size = text.len() as u64;
    let model = dir.join("model.json");
    let (code, peak) = peak_rss(
        &example_binary(),
        &["learn", s(&dump), "-o", s(&model), "-q"],
    );
    assert_eq!(code, Some(0));
    assert!(
        peak < size / 2,
        "peak RSS {} MB learning a {} MB dump of one-page sites",
        peak >> 20,
        size >> 20
    );
}
