//! The `dechaff` example program, run on every input format.

use std::{
    fs,
    io::Write,
    path::{Path, PathBuf},
    process::{Command, Output},
};

use serde_json::Value;

use crate::corpus::corpus_dir;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Run `dechaff ARGS...` through `cargo run`.
pub(crate) fn dechaff(args: &[&str]) -> Output {
    Command::new(env!("CARGO"))
        .args([
            "run",
            "--quiet",
            "--manifest-path",
            &format!("{ROOT}/Cargo.toml"),
            "--example",
            "dechaff",
            "--",
        ])
        .args(args)
        .output()
        .expect("cargo runs")
}

pub(crate) fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub(crate) fn assert_ok(out: &Output) {
    assert!(
        out.status.success(),
        "dechaff failed: {:?}\n{}",
        out.status,
        stderr(out)
    );
}

/// A fresh scratch folder for one test.
pub(crate) fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("example-{name}"));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

pub(crate) fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// The sample dump's documents: (id, url, text).
pub(crate) fn sample() -> Vec<(String, String, String)> {
    let text = fs::read_to_string(format!("{ROOT}/sample/dump.jsonl")).unwrap();
    text.lines()
        .map(|line| {
            let v: Value = serde_json::from_str(line).unwrap();
            let field = |k: &str| v[k].as_str().unwrap().to_string();
            (field("id"), field("url"), field("text"))
        })
        .collect()
}

pub(crate) fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

pub(crate) fn wet_record(uri: Option<&str>, id: &str, body: &str) -> Vec<u8> {
    let uri = uri
        .map(|u| format!("WARC-Target-URI: {u}\r\n"))
        .unwrap_or_default();
    let head = format!(
        "WARC/1.0\r\nWARC-Type: conversion\r\n{uri}WARC-Record-ID: <urn:uuid:{id}>\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    [head.as_bytes(), body.as_bytes(), b"\r\n\r\n"].concat()
}

fn non_blank_lines(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| !l.trim_matches(|c: char| c.is_ascii_whitespace()).is_empty())
        .collect()
}

/// `label --format jsonl -o -` on `inputs`: the documents' JSON objects.
fn label_jsonl(inputs: &[&str]) -> Vec<Value> {
    let mut args = vec!["label", "--format", "jsonl", "-o", "-", "-q"];
    args.extend_from_slice(inputs);
    let out = dechaff(&args);
    assert_ok(&out);
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn jsonl_to_tsv_is_the_gold_format() {
    let out_dir = scratch("tsv");
    let out = dechaff(&[
        "label",
        &format!("{ROOT}/sample/dump.jsonl"),
        "--format",
        "tsv",
        "-o",
        s(&out_dir),
    ]);
    assert_ok(&out);
    assert!(stderr(&out).contains("10 documents"), "{}", stderr(&out));
    for (id, _, text) in sample() {
        let tsv = fs::read_to_string(out_dir.join(format!("{id}.tsv"))).unwrap();
        let rows: Vec<(&str, &str)> = tsv.lines().map(|r| r.split_once('\t').unwrap()).collect();
        let lines = non_blank_lines(&text);
        assert_eq!(rows.len(), lines.len(), "{id}");
        for ((label, line), want) in rows.iter().zip(&lines) {
            assert!(label.parse::<dechaff::Label>().is_ok(), "{id}: {label}");
            assert_eq!(line, want);
        }
        assert!(rows.iter().any(|(l, _)| *l == "body"), "{id} has no body");
    }
}

#[test]
fn jsonl_gz_and_wet_gz_label_like_jsonl() {
    let dir = scratch("formats");
    let jsonl_gz = dir.join("dump.jsonl.gz");
    fs::write(
        &jsonl_gz,
        gzip(&fs::read(format!("{ROOT}/sample/dump.jsonl")).unwrap()),
    )
    .unwrap();
    let plain = label_jsonl(&[&format!("{ROOT}/sample/dump.jsonl")]);
    assert_eq!(plain.len(), 10);
    assert_eq!(label_jsonl(&[s(&jsonl_gz)]), plain);
    let wet = label_jsonl(&[&format!("{ROOT}/sample/dump.warc.wet.gz")]);
    assert_eq!(wet.len(), plain.len());
    for (w, p) in wet.iter().zip(&plain) {
        assert_eq!(w["url"], p["url"]);
        assert_eq!(w["metadata"], p["metadata"]);
        assert_eq!(w["text"], p["text"]);
        assert!(w["id"].as_str().unwrap().starts_with("urn:uuid:"));
    }
    let counts = &plain[0]["metadata"]["counts"];
    assert!(counts["body"].as_u64().unwrap() > 0);
}

#[test]
fn directory_to_text() {
    let dir = scratch("dir");
    let input = dir.join("in");
    for (id, url, text) in sample() {
        let site = dechaff::dump::host(&url);
        fs::create_dir_all(input.join(&site)).unwrap();
        fs::write(input.join(&site).join(format!("{id}.txt")), text).unwrap();
    }
    fs::write(input.join("notes.md"), "not a document").unwrap();
    let out_dir = dir.join("out");
    assert_ok(&dechaff(&[
        "label",
        s(&input),
        "--format",
        "text",
        "-o",
        s(&out_dir),
        "-q",
    ]));
    let body =
        fs::read_to_string(out_dir.join("kettleandquill.example/kettleandquill-2.txt")).unwrap();
    assert!(
        body.contains("Rye dough behaves nothing like wheat dough."),
        "{body}"
    );
    assert!(!body.contains("Leave a Reply"), "{body}");
    let files = walk(&out_dir);
    assert_eq!(files.len(), 10, "{files:?}");
}

pub(crate) fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn bad_records_are_reported_and_the_rest_labelled() {
    let dir = scratch("broken");
    let docs = sample();
    // JSONL with a malformed third line.
    let mut jsonl: Vec<String> = fs::read_to_string(format!("{ROOT}/sample/dump.jsonl"))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    jsonl.insert(2, "{\"id\": \"broken\", \"text\": ".to_string());
    let jsonl_path = dir.join("broken.jsonl");
    fs::write(&jsonl_path, jsonl.join("\n")).unwrap();
    // WET.gz whose second record has no URI, one gzip member per record.
    let mut wet = Vec::new();
    for (i, (id, url, text)) in docs.iter().enumerate() {
        wet.extend(gzip(&wet_record(Some(url), id, text)));
        if i == 0 {
            wet.extend(gzip(&wet_record(None, "no-uri", "Some text.\n")));
        }
    }
    let wet_path = dir.join("broken.warc.wet.gz");
    fs::write(&wet_path, &wet).unwrap();
    // A truncated gzip file.
    let cut_path = dir.join("cut.jsonl.gz");
    let full = gzip(jsonl.join("\n").as_bytes());
    fs::write(&cut_path, &full[..full.len() / 2]).unwrap();

    let out_path = dir.join("out.jsonl");
    let out = dechaff(&[
        "label",
        s(&jsonl_path),
        s(&wet_path),
        s(&cut_path),
        "--format",
        "jsonl",
        "-o",
        s(&out_path),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "{}: record 3: malformed JSON",
            jsonl_path.display()
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{}: record 2: conversion record without WARC-Target-URI",
            wet_path.display()
        )),
        "{err}"
    );
    let cut = format!("{}: ", cut_path.display());
    assert!(
        err.lines()
            .any(|l| l.contains(&cut) && (l.contains("deflate") || l.contains("end of file"))),
        "{err}"
    );
    let labelled: Vec<Value> = fs::read_to_string(&out_path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Every good document of the JSONL and WET files, plus what the cut
    // file held before the cut.
    let urls: Vec<&str> = labelled
        .iter()
        .map(|d| d["url"].as_str().unwrap())
        .collect();
    for (_, url, _) in &docs {
        assert!(
            urls.iter().filter(|u| *u == url).count() >= 2,
            "{url} missing"
        );
    }
}

/// The library labels any bytes; so does the program, decoding lossily for
/// output (it skipped such documents, #13 item 7).
#[test]
fn non_utf8_document_is_labelled() {
    let dir = scratch("utf8");
    let input = dir.join("in");
    fs::create_dir_all(&input).unwrap();
    fs::write(
        input.join("good.txt"),
        "Home\nA perfectly ordinary sentence about the weather today.\n",
    )
    .unwrap();
    fs::write(input.join("latin1.txt"), b"Caf\xe9 am Markt\n").unwrap();
    let out_dir = dir.join("out");
    let out = dechaff(&["label", s(&input), "-o", s(&out_dir), "-q"]);
    assert_ok(&out);
    assert!(out_dir.join("good.tsv").is_file());
    let tsv = fs::read_to_string(out_dir.join("latin1.tsv")).unwrap();
    assert!(tsv.ends_with("\tCaf\u{fffd} am Markt\n"), "{tsv}");
}

#[test]
fn learn_inspect_and_label_with_model() {
    let dir = scratch("model");
    let model = dir.join("model.bin");
    let sample_jsonl = format!("{ROOT}/sample/dump.jsonl");
    assert_ok(&dechaff(&["learn", &sample_jsonl, "-o", s(&model), "-q"]));
    let out = dechaff(&["inspect", s(&model)]);
    assert_ok(&out);
    let listing = String::from_utf8(out.stdout).unwrap();
    assert!(listing.starts_with("3 site model(s)"), "{listing}");
    assert!(
        listing.contains("== www.rheinauer-bote.example (4 pages"),
        "{listing}"
    );
    assert!(listing.contains("comment_policy"), "{listing}");
    let with_model = label_jsonl(&["--model", s(&model), &sample_jsonl]);
    assert_eq!(with_model, label_jsonl(&[&sample_jsonl]));

    let out = dechaff(&["inspect", s(&dir.join("nope.json"))]);
    assert_eq!(out.status.code(), Some(1));
    let out = dechaff(&["label", &sample_jsonl]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("-o is required"), "{}", stderr(&out));
}

/// Eval on labelled output (`label --format tsv`) of the sample against
/// hand-made gold: one aligned, one with a wrong line count, one label-only.
#[test]
fn eval_on_labelled_folder_and_misaligned_gold() {
    let dir = scratch("eval");
    let labelled = dir.join("labelled");
    let sample_jsonl = format!("{ROOT}/sample/dump.jsonl");
    assert_ok(&dechaff(&[
        "label",
        &sample_jsonl,
        "-o",
        s(&labelled),
        "-q",
    ]));
    let gold = dir.join("gold");
    fs::create_dir_all(&gold).unwrap();
    let docs = sample();
    // Gold = dechaff's own labels: a perfect score.
    fs::copy(
        labelled.join(format!("{}.tsv", docs[0].0)),
        gold.join(format!("{}.tsv", docs[0].0)),
    )
    .unwrap();
    let short = fs::read_to_string(labelled.join(format!("{}.tsv", docs[1].0))).unwrap();
    let short: Vec<&str> = short.lines().skip(1).collect();
    fs::write(gold.join(format!("{}.tsv", docs[1].0)), short.join("\n")).unwrap();
    let label_only = fs::read_to_string(labelled.join(format!("{}.tsv", docs[2].0))).unwrap();
    let label_only: Vec<&str> = label_only
        .lines()
        .map(|r| r.split('\t').next().unwrap())
        .collect();
    fs::write(
        gold.join(format!("{}.gold.tsv", docs[2].0)),
        label_only.join("\n"),
    )
    .unwrap();

    for input in [s(&labelled), &sample_jsonl] {
        let out = dechaff(&["eval", "--json", "--gold", s(&gold), input, "-q"]);
        // A misaligned document makes the scores untrustworthy: exit 3.
        assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("does not line up"),
            "{}",
            stderr(&out)
        );
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["documents"]["scored"], 2, "{report}");
        assert_eq!(report["documents"]["misaligned"], 1);
        assert_eq!(report["documents"]["no_gold"], 7);
        assert_eq!(report["words"]["f1"], 1.0);
        assert!(
            stderr(&out).contains(&format!("{}: gold has", docs[1].0)),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
#[cfg_attr(corpus_missing, ignore = "needs ../shared/corpus")]
fn eval_on_seeds() {
    let Some(corpus) = corpus_dir() else { return };
    let seeds = corpus.join("seeds");
    let out = dechaff(&["eval", "--json", "--gold", s(&seeds), s(&seeds), "-q"]);
    assert_ok(&out);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["documents"]["scored"], 5, "{report}");
    assert_eq!(report["documents"]["misaligned"], 0, "{report}");
    assert_eq!(report["six_label"]["documents"], 5, "{report}");
    assert!(report["words"]["f1"].as_f64().unwrap() > 0.5, "{report}");
    // The text report too.
    let out = dechaff(&["eval", "--gold", s(&seeds), s(&seeds), "-q"]);
    assert_ok(&out);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("six-label confusion over 5 documents"),
        "{text}"
    );
}

/// The output and the reports of bad records are the same, in input order,
/// whatever the number of threads: a dump of several batches (over 1,024
/// documents), sites of many pages and of one, bad records among them.
#[test]
fn output_does_not_depend_on_threads() {
    let dir = scratch("threads");
    let mut jsonl = String::new();
    for i in 0..2600 {
        if i % 700 == 3 {
            jsonl.push_str(&format!("{{\"id\": \"bad-{i}\", \"text\": \n"));
            continue;
        }
        let site = if i % 5 == 0 { i } else { i % 37 };
        let record = serde_json::json!({
            "id": format!("doc-{i}"),
            "url": format!("https://site{site}.example/{i}"),
            "text": format!(
                "Home\nNews\nSport\nStory {i} of site {site} tells of the \"council\" \
                 and its plans for the town, which were put to a vote on Monday.\n\
                 Comments are closed.\n© Site {site}\n"
            ),
        });
        jsonl.push_str(&format!("{record}\n"));
    }
    let input = dir.join("in.jsonl");
    fs::write(&input, jsonl).unwrap();
    let run = |threads: &str| {
        let out = dechaff(&[
            "label",
            s(&input),
            "--format",
            "jsonl",
            "-o",
            "-",
            "--threads",
            threads,
        ]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        let reports: Vec<String> = stderr(&out)
            .lines()
            .filter(|l| l.starts_with("dechaff: ") && l.contains(": record "))
            .map(str::to_string)
            .collect();
        (out.stdout, reports)
    };
    let (one, one_reports) = run("1");
    let ids: Vec<String> = String::from_utf8_lossy(&one)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["id"].to_string())
        .collect();
    assert_eq!(ids.len(), 2600 - 4);
    assert_eq!(ids[0], "\"doc-0\"");
    assert_eq!(ids[ids.len() - 1], "\"doc-2599\"");
    let records: Vec<&str> = one_reports
        .iter()
        .map(|l| l.split(": ").nth(2).unwrap())
        .collect();
    assert_eq!(
        records,
        ["record 4", "record 704", "record 1404", "record 2104"]
    );
    for threads in ["2", "5"] {
        let (out, reports) = run(threads);
        assert!(out == one, "--threads {threads}: other output");
        assert_eq!(reports, one_reports, "--threads {threads}");
    }
}
