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
        // model_load: the group's model, on its own and in a set.
        let model =
            SiteModelBuilder::new().build(pages.iter().map(|p| &p.text[..p.text.len().min(4096)]));
        let mut file = Vec::new();
        model.save(&mut file).unwrap();
        write(&out, "model_load", &format!("site-{g:03}"), &file);
        count("model_load");
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
    for (target, n) in counts {
        eprintln!("fuzz seeds: {n:4} for {target}");
    }
}
