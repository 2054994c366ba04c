//! Quality floors: the example's `eval` on wcxb, the seeds and the
//! six-label dev set. Each floor sits just under the figure achieved when it
//! was set, so quality can only go up. Raise them when it does.

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
    // Achieved 0.886 and 0.927 with the shipped classifier (trained on all of
    // wcxb; the held-out-site figures are 0.878 and 0.921).
    assert!(
        all >= 0.880,
        "wcxb word F1 {all:.4} fell below the floor 0.880"
    );
    assert!(
        article >= 0.920,
        "wcxb article word F1 {article:.4} fell below the floor 0.920"
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
    // Achieved 0.921 and 0.709 when set.
    assert!(body >= 0.915, "devset body word F1 {body:.4} below 0.915");
    assert!(
        accuracy >= 0.70,
        "devset six-label line accuracy {accuracy:.4} below 0.70"
    );
}
