//! Quality floors: the example's `eval` on wcxb, the seeds and the
//! six-label dev set. Each floor sits just under the figure achieved when it
//! was set, so quality can only go up. Raise them when it does.

use dechaff::Label;
use serde_json::Value;

use crate::{
    corpus::corpus_dir,
    example::{assert_ok, dechaff},
};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn eval_json(args: &[&str]) -> Value {
    let mut all = vec!["eval", "--json", "--quiet"];
    all.extend_from_slice(args);
    let out = dechaff(&all);
    assert_ok(&out);
    serde_json::from_slice(&out.stdout).expect("eval --json prints JSON")
}

fn f1(v: &Value) -> f64 {
    v["f1"].as_f64().expect("an F1 figure")
}

/// Every gold document was scored: none dropped as misaligned.
fn assert_scored(report: &Value, expected: u64) {
    let docs = &report["documents"];
    assert_eq!(
        docs["misaligned"].as_u64(),
        Some(0),
        "misaligned documents: {docs}"
    );
    assert_eq!(
        docs["scored"].as_u64(),
        Some(expected),
        "documents scored: {docs}"
    );
}

#[test]
#[cfg_attr(corpus_missing, ignore = "needs ../shared/corpus")]
fn wcxb_body_word_f1_floors() {
    let Some(corpus) = corpus_dir() else { return };
    let w = corpus.join("wcxb");
    let (gold, text, manifest, excluded) = (
        w.join("labels"),
        w.join("text"),
        w.join("manifest.tsv"),
        w.join("excluded.txt"),
    );
    let report = eval_json(&[
        "--gold",
        gold.to_str().unwrap(),
        "--manifest",
        manifest.to_str().unwrap(),
        "--by",
        "page_type",
        "--exclude",
        excluded.to_str().unwrap(),
        text.to_str().unwrap(),
    ]);
    // 1,865 pages, 75 of them excluded by the corpus.
    assert_scored(&report, 1790);
    let all = f1(&report["words"]);
    let article = f1(&report["by"]["values"]["article"]["words"]);
    eprintln!("wcxb body word F1: all {all:.4}, article {article:.4}");
    // Achieved 0.886 and 0.928 with the shipped models (trained on all of
    // wcxb; the held-out-site figures are 0.878 and 0.924).
    assert!(
        all >= 0.884,
        "wcxb word F1 {all:.4} fell below the floor 0.884"
    );
    assert!(
        article >= 0.925,
        "wcxb article word F1 {article:.4} fell below the floor 0.925"
    );
}

#[test]
#[cfg_attr(corpus_missing, ignore = "needs ../shared/corpus")]
fn seeds_eval_is_perfect() {
    let Some(corpus) = corpus_dir() else { return };
    let seeds = corpus.join("seeds");
    let seeds = seeds.to_str().unwrap();
    let report = eval_json(&["--gold", seeds, seeds]);
    assert_scored(&report, 5);
    assert_eq!(f1(&report["words"]), 1.0);
}

#[test]
#[cfg_attr(corpus_missing, ignore = "needs ../shared/corpus")]
fn devset_six_label_floors() {
    let Some(corpus) = corpus_dir() else { return };
    let w = corpus.join("wcxb");
    let report = eval_json(&[
        "--gold",
        &format!("{ROOT}/devset/labels"),
        "--manifest",
        w.join("manifest.tsv").to_str().unwrap(),
        w.join("text").to_str().unwrap(),
    ]);
    assert_scored(&report, 25);
    let body = f1(&report["words"]);
    let confusion: Vec<Vec<f64>> = serde_json::from_value(report["six_label"]["confusion"].clone())
        .expect("a six-label confusion matrix");
    let total: f64 = confusion.iter().flatten().sum();
    let right: f64 = (0..6).map(|i| confusion[i][i]).sum();
    let accuracy = right / total;
    eprintln!("devset body word F1 {body:.4}, six-label line accuracy {accuracy:.4}");
    // Achieved 0.953 and 0.873 when set, with the shipped six-class model,
    // which was fitted on these pages too (held out then: 0.925 and 0.801).
    // The body floor moved to 0.945 when trainset/ came in (325 more pages
    // fitted alongside): in sample 0.948 and 0.873, the devset pages fitted
    // less closely; held out, body rose from 0.923 (the weights before) to
    // 0.926. Both rose with the short pages and 65,536 lexicon buckets
    // (DESIGN.md 5.4): in sample 0.958 and 0.897 (held out 0.926 -> 0.931).
    assert!(body >= 0.955, "devset body word F1 {body:.4} below 0.955");
    assert!(
        accuracy >= 0.89,
        "devset six-label line accuracy {accuracy:.4} below 0.89"
    );
}

/// Floors of [`sixlabel_floors`]: just under the in-sample figures when set
/// (0.857 and 0.962; the macro floor moved to 0.84 when the neighbours' word
/// scores and the contact marks came in: in sample 0.847, held out 0.694 ->
/// 0.705, the model fitting its training pages less closely; it moved to
/// 0.86 with the short pages and 65,536 lexicon buckets: in sample 0.871
/// and 0.971, held out 0.738 -> 0.760).
const SIXLABEL_MACRO: f64 = 0.86;
const SIXLABEL_BODY: f64 = 0.965;

/// The hand-labelled six-label pages, each labelled alone (every page is
/// its own site) by the shipped models. The shipped six-class model was
/// fitted on these pages too, so this is a floor against regressions, not
/// the quality figure: the held-out-site figures (5 folds by site) come
/// from `cargo run --release --features train --example train` (README,
/// DESIGN.md).
#[test]
#[cfg_attr(corpus_missing, ignore = "needs ../shared/corpus")]
fn sixlabel_floors() {
    let Some(corpus) = corpus_dir() else { return };
    let dir = corpus.join("sixlabel");
    let mut ids: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.unwrap().file_name().into_string().ok())
        .filter_map(|n| n.strip_suffix(".gold.tsv").map(str::to_string))
        .collect();
    ids.sort();
    assert_eq!(ids.len(), 135, "sixlabel pages");
    let mut confusion = [[0u64; 6]; 6];
    let (mut tp, mut fp, mut fneg) = (0u64, 0u64, 0u64);
    for id in &ids {
        let text = std::fs::read(dir.join(format!("{id}.txt"))).unwrap();
        let gold: Vec<Label> = std::fs::read_to_string(dir.join(format!("{id}.gold.tsv")))
            .unwrap()
            .lines()
            .map(|row| row.split('\t').next().unwrap().parse().unwrap())
            .collect();
        let lines: Vec<(Vec<u8>, Label)> = dechaff::label(&text)
            .iter()
            .filter(|l| !l.is_blank())
            .map(|l| (l.bytes().to_vec(), l.label()))
            .collect();
        assert_eq!(lines.len(), gold.len(), "{id}: lines");
        for ((bytes, p), g) in lines.iter().zip(&gold) {
            confusion[g.index()][p.index()] += 1;
            let words = bytes
                .split(|b| b.is_ascii_whitespace())
                .filter(|w| !w.is_empty())
                .count() as u64;
            match (g.is_body(), p.is_body()) {
                (true, true) => tp += words,
                (false, true) => fp += words,
                (true, false) => fneg += words,
                _ => {}
            }
        }
    }
    let f1: Vec<f64> = (0..6)
        .map(|l| {
            let right = confusion[l][l] as f64;
            let predicted: u64 = confusion.iter().map(|r| r[l]).sum();
            let gold: u64 = confusion[l].iter().sum();
            2.0 * right / (predicted + gold).max(1) as f64
        })
        .collect();
    let macro_f1 = f1.iter().sum::<f64>() / 6.0;
    let body = 2.0 * tp as f64 / (2 * tp + fp + fneg) as f64;
    eprintln!("sixlabel (shipped models): macro-F1 {macro_f1:.4}, body word F1 {body:.4}, per label {f1:.3?}");
    assert!(
        macro_f1 >= SIXLABEL_MACRO,
        "sixlabel macro-F1 {macro_f1:.4} below {SIXLABEL_MACRO}"
    );
    assert!(
        body >= SIXLABEL_BODY,
        "sixlabel body word F1 {body:.4} below {SIXLABEL_BODY}"
    );
}
