//! Train dechaff's line models on the gold corpora, report held-out-site
//! figures, and write (or check) the shipped weights.
//!
//! ```text
//! cargo run --release --features train --example train -- [--corpus ../shared/corpus] [--devset devset/labels]
//!     [--trainset trainset/labels]
//!     [--baseline] [--folds 5] [--write] [--check]
//! ```
//!
//! * `--baseline` labels the corpora with the shipped weights and reports
//!   every figure (no training).
//! * default: fits the models once per fold of sites and on everything,
//!   and reports the held-out-site figures.
//! * `--write` also writes the shipped weights; `--check` fits on
//!   everything only and exits 1 unless the result equals the shipped files.
//! * `TRAIN_DUMP=FILE` (environment) writes every scored sixlabel line of
//!   each report as `page, line, gold, predicted, text` for error analysis.
//!
//! Folds: a site's fold is FNV-1a of its name (the host of a sixlabel or
//! silver page, the wcxb group) modulo the number of folds.

mod binary;
mod corpus;
mod eval;
mod score;
mod six;
mod tree;
mod words;

use std::path::PathBuf;

use dechaff::LineClassifier;

use crate::corpus::{Doc, Source};

struct Args {
    corpus: PathBuf,
    devset: PathBuf,
    trainset: PathBuf,
    baseline: bool,
    folds: usize,
    write: bool,
    check: bool,
    /// Development: keep the body classifiers' fits in this folder.
    binary_cache: Option<PathBuf>,
    /// Development: also report held-out figures for these transition
    /// weights and forced rules (`W:rule,rule;W:...`).
    sweep: Vec<(f64, String, f64)>,
    /// Development: print each line of this page with its label and reason,
    /// and the rules' label, from the shipped weights.
    explain: Option<PathBuf>,
    /// Development: compare two `TRAIN_DUMP` files by a paired bootstrap
    /// over their pages.
    compare: Option<(PathBuf, PathBuf)>,
    /// `--baseline` with the rules alone (no six-class model).
    rules: bool,
    /// Development: time labelling with and without the six-class model.
    speed: bool,
    /// Development: skip the report of the models fitted on everything.
    held_out_only: bool,
}

fn parse_args() -> Args {
    let mut a = Args {
        corpus: PathBuf::from("../shared/corpus"),
        devset: PathBuf::from("devset/labels"),
        trainset: PathBuf::from("trainset/labels"),
        baseline: false,
        folds: 5,
        write: false,
        check: false,
        binary_cache: None,
        sweep: Vec::new(),
        held_out_only: false,
        speed: false,
        rules: false,
        explain: None,
        compare: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .unwrap_or_else(|| usage(&format!("{arg} needs a value")))
        };
        match arg.as_str() {
            "--corpus" => a.corpus = PathBuf::from(value()),
            "--devset" => a.devset = PathBuf::from(value()),
            "--trainset" => a.trainset = PathBuf::from(value()),
            "--folds" => a.folds = value().parse().unwrap_or_else(|_| usage("--folds N")),
            "--baseline" => a.baseline = true,
            "--write" => a.write = true,
            "--check" => a.check = true,
            "--held-out-only" => a.held_out_only = true,
            "--speed" => a.speed = true,
            "--rules" => a.rules = true,
            "--explain" => a.explain = Some(PathBuf::from(value())),
            "--compare" => {
                let first = PathBuf::from(value());
                a.compare = Some((first, PathBuf::from(value())));
            }
            "--sweep" => {
                a.sweep = value()
                    .split(';')
                    .map(|v| {
                        let mut parts = v.split(':');
                        let mut num = |d: &str| {
                            parts
                                .next()
                                .unwrap_or(d)
                                .parse()
                                .unwrap_or_else(|_| usage("--sweep W:rules:M;..."))
                        };
                        let w = num("0");
                        let force = parts.next().unwrap_or("").to_string();
                        let margin = parts
                            .next()
                            .unwrap_or("0")
                            .parse()
                            .unwrap_or_else(|_| usage("--sweep W:rules:M;..."));
                        (w, force, margin)
                    })
                    .collect()
            }
            "--binary-cache" => a.binary_cache = Some(PathBuf::from(value())),
            "-h" | "--help" => usage(""),
            other => usage(&format!("unknown argument {other}")),
        }
    }
    a
}

fn usage(why: &str) -> ! {
    if !why.is_empty() {
        eprintln!("error: {why}");
    }
    eprintln!(
        "usage: train [--corpus DIR] [--devset DIR] [--trainset DIR] [--baseline] [--folds N] [--write] [--check]"
    );
    std::process::exit(2)
}

fn main() {
    let args = parse_args();
    if let Some(path) = &args.explain {
        explain(path);
        return;
    }
    if let Some((a, b)) = &args.compare {
        eval::compare_dumps(a, b);
        return;
    }
    let mut sums = corpus::Sums::new();
    let docs = corpus::load_all(&args.corpus, &args.devset, &args.trainset, &mut sums);
    eprintln!("{} pages read", docs.len());
    let models = eval::group_models(&docs);
    if args.speed {
        speed(&docs, &models);
        return;
    }
    if args.baseline {
        let shipped = if args.rules {
            LineClassifier::default().without_six()
        } else {
            LineClassifier::default()
        };
        let pick = |_: &Doc| &shipped;
        let mut out = String::new();
        eval::full_report(&docs, &models, &pick, &mut out);
        print!("{out}");
        return;
    }
    let wcxb: Vec<&Doc> = docs
        .iter()
        .filter(|d| matches!(d.source, Source::Wcxb | Source::Devset))
        .collect();
    let bin = match &args.binary_cache {
        Some(dir) => binary::cached(dir, || binary::train(&wcxb, &models, args.folds)),
        None => binary::train(&wcxb, &models, args.folds),
    };
    let shipped =
        LineClassifier::from_tsv(&bin.shipped).expect("the trainer writes what the crate reads");
    // The body classifier that labels a page without having been fitted on
    // it: wcxb's pages get the one fitted without their fold.
    let body_classifier = |d: &Doc| match d.source {
        Source::Wcxb | Source::Devset => &bin.folds[fold_of(d, args.folds)],
        _ => &shipped,
    };
    let rows = six_rows(&docs, &models, &body_classifier, args.folds);
    eprintln!("{} six-class training rows", rows.len());
    let names = dechaff::__six_feature_names();
    let words_at = names
        .iter()
        .position(|n| n == "words_body")
        .expect("word features");
    let fit = |skip: Option<usize>| {
        let train: Vec<&six::Row> = rows.iter().filter(|r| Some(r.fold) != skip).collect();
        let factor = six::balance(&train);
        let weight = |r: &six::Row| factor[r.allowed.trailing_zeros() as usize] * r.weight as f64;
        // Each row's word features from a word model fitted without its fold.
        let inner: Vec<Option<words::Table>> = (0..args.folds)
            .map(|g| {
                (Some(g) != skip).then(|| {
                    let rows: Vec<&six::Row> =
                        train.iter().copied().filter(|r| r.fold != g).collect();
                    words::fit(&rows, &weight)
                })
            })
            .collect();
        let overlay: Vec<[f32; six::OVERLAY]> = train
            .iter()
            .map(|r| {
                let table = inner[r.fold].as_ref().expect("a fold's word model");
                let own = table.scores(&r.words);
                let near = dechaff::__near_mean(r.near.iter().map(|w| table.scores(w)));
                std::array::from_fn(|c| if c < 6 { own[c] } else { near[c - 6] })
            })
            .collect();
        let table = words::fit(&train, &weight);
        let mut fitted = six::boost(&train, names, &overlay, words_at);
        table.to_tsv(&mut fitted.nodes);
        let gold = docs
            .iter()
            .filter(|d| Some(fold_of(d, args.folds)) != skip)
            .map(|d| d.gold.as_slice());
        (fitted, six::transitions(gold))
    };
    if !args.check {
        // Held out: each fold labelled by the models fitted without it.
        let fits: Vec<_> = (0..args.folds).map(|f| fit(Some(f))).collect();
        // The shipped settings last, after any development sweep.
        let settings = args
            .sweep
            .iter()
            .map(|(tw, force, margin)| (*tw, force.as_str(), *margin));
        for (tw, force, margin) in settings.chain([(TRANSITION_WEIGHT, FORCE, MARGIN)]) {
            let held_out = held_out_classifiers(&fits, &shipped, &bin, tw, force, margin);
            let pick = |d: &Doc| {
                let (other, wcxb) = &held_out[fold_of(d, args.folds)];
                match d.source {
                    Source::Wcxb | Source::Devset => wcxb,
                    _ => other,
                }
            };
            let mut out = String::new();
            eval::full_report(&docs, &models, &pick, &mut out);
            println!(
                "== held-out sites ({} folds by site): transition weight {tw}, force {force:?}, margin {margin} ==\n{out}",
                args.folds
            );
        }
    }
    if args.held_out_only {
        return;
    }
    let (fitted, transition) = fit(None);
    let header = header(&args, &sums);
    let six_tsv = six::to_tsv(
        &header,
        &fitted,
        &transition.map(|r| r.map(|v| v * TRANSITION_WEIGHT)),
        (FORCE, MARGIN),
    );
    let weights_tsv = format!("{header}{}", bin.shipped);
    let final_classifier = shipped
        .clone()
        .with_six_tsv(&six_tsv)
        .expect("six.tsv parses");
    if args.check {
        let ok = check("src/weights.tsv", &weights_tsv) & check("src/six.tsv", &six_tsv);
        std::process::exit(if ok { 0 } else { 1 });
    }
    let pick = |_: &Doc| &final_classifier;
    let mut out = String::new();
    eval::full_report(&docs, &models, &pick, &mut out);
    println!("== shipped models (fitted on everything) ==\n{out}");
    if args.write {
        std::fs::write("src/weights.tsv", &weights_tsv).expect("write src/weights.tsv");
        std::fs::write("src/six.tsv", &six_tsv).expect("write src/six.tsv");
        eprintln!("wrote src/weights.tsv and src/six.tsv");
    }
}

/// The classifiers fitted without each fold, with transition weight `tw`:
/// (for other corpora, for wcxb).
fn held_out_classifiers(
    fits: &[(six::Fitted, [[f64; 6]; 6])],
    shipped: &LineClassifier,
    bin: &binary::Binary,
    tw: f64,
    force: &str,
    margin: f64,
) -> Vec<(LineClassifier, LineClassifier)> {
    fits.iter()
        .enumerate()
        .map(|(f, (fitted, transition))| {
            let tsv = six::to_tsv(
                "",
                fitted,
                &transition.map(|r| r.map(|v| v * tw)),
                (force, margin),
            );
            let with = |c: &LineClassifier| c.clone().with_six_tsv(&tsv).expect("six.tsv parses");
            (with(shipped), with(&bin.folds[f]))
        })
        .collect()
}

/// The rules whose labels the model keeps (see `Force` in src/six.rs).
/// `job_phrase` raised held-out job_ad F1 on sixlabel 0.21 -> 0.41;
/// `job_box` (the employer lines between vacancies) 0.42 -> 0.56.
const FORCE: &str = "template,region,job_phrase,job_box";

/// How much more likely (log-probability) the six-class model must find
/// its label than the rules' to overrule them.
const MARGIN: f64 = 0.0;

/// Weight of the transition scores against the lines' own
/// log-probabilities in the Viterbi pass (held out: 0.05, 0.1, 0.2, 0.3,
/// 0.4, 0.5, 0.7 gave macro-F1 .687 .691 .693 .694 .693 .692 .689).
const TRANSITION_WEIGHT: f64 = 0.3;

/// Print each line of the page at `path` (alone; or of every `.txt` page
/// of the folder `path`, learned together) with its label and reason, and
/// the label of the rules alone.
fn explain(path: &std::path::Path) {
    let mut files: Vec<PathBuf> = if path.is_dir() {
        std::fs::read_dir(path)
            .expect("read the folder")
            .filter_map(|e| Some(e.ok()?.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "txt"))
            .collect()
    } else {
        vec![path.to_path_buf()]
    };
    files.sort();
    let pages: Vec<Vec<u8>> = files
        .iter()
        .map(|f| std::fs::read(f).expect("read a page"))
        .collect();
    let model = dechaff::SiteModelBuilder::new().build(&pages);
    let full = dechaff::Labeller::new(model.clone());
    let rules =
        dechaff::Labeller::new(model).with_classifier(LineClassifier::default().without_six());
    for (file, page) in files.iter().zip(&pages) {
        println!("== {}", file.display());
        let (a, b) = (full.label(page), rules.label(page));
        for (l, r) in a.iter().zip(b.iter()).filter(|(l, _)| !l.is_blank()) {
            let text: String = String::from_utf8_lossy(l.bytes())
                .chars()
                .take(70)
                .collect();
            let reason = l.reason().to_string();
            println!(
                "{:14} {:14} {reason:40} {text}",
                l.label().as_str(),
                r.label().as_str()
            );
        }
    }
}

/// Label the wcxb pages in one thread with the shipped weights, with and
/// without the six-class model, and print the rates.
fn speed(docs: &[Doc], models: &std::collections::BTreeMap<&str, dechaff::SiteModel>) {
    let wcxb: Vec<&Doc> = docs.iter().filter(|d| d.source == Source::Wcxb).collect();
    let bytes: usize = wcxb.iter().map(|d| d.text.len()).sum();
    let full = LineClassifier::default();
    let rules = full.clone().without_six();
    for round in 0..2 {
        for (name, c) in [("rules only", &rules), ("six-class", &full)] {
            let labellers: std::collections::BTreeMap<&str, dechaff::Labeller> = models
                .iter()
                .map(|(&g, m)| {
                    (
                        g,
                        dechaff::Labeller::new(m.clone()).with_classifier(c.clone()),
                    )
                })
                .collect();
            let start = std::time::Instant::now();
            let mut n = 0;
            let mut out = dechaff::Labelled::new();
            for d in &wcxb {
                labellers[d.group.as_str()].label_into(&d.text, &mut out);
                n += out.len();
            }
            let s = start.elapsed().as_secs_f64();
            eprintln!(
                "round {round} {name:10}: {n} lines, {:.1} MB/s",
                bytes as f64 / s / 1e6
            );
        }
    }
}

/// A page's fold: FNV-1a of its site modulo the folds.
fn fold_of(d: &Doc, folds: usize) -> usize {
    binary::fold_of_site(d.site(), folds)
}

/// Training weight of a line from each corpus: the hand-labelled sets
/// count fully, wcxb (binary, another policy for headlines) less and the
/// machine-labelled silver least.
fn source_weight(s: Source) -> f32 {
    match s {
        Source::Sixlabel | Source::Devset | Source::Trainset | Source::Short => 1.0,
        Source::Seeds => 2.0,
        Source::Wcxb => 0.5,
        Source::Silver => 0.3,
    }
}

/// Share of wcxb and silver lines kept as six-class rows (by a hash of page
/// and line): enough for body versus the rest, and the fits stay fast.
const BINARY_KEEP: u64 = 3;

/// A wcxb boilerplate line this much like the title, in the first
/// `HEADLINE_POSITION` of its page, is taken for the headline, which the
/// six-label policy calls body: left out of training.
const HEADLINE_OVERLAP: f32 = 0.6;
const HEADLINE_POSITION: f32 = 0.3;

/// The six-class rows of every scored line.
fn six_rows(
    docs: &[Doc],
    models: &std::collections::BTreeMap<&str, dechaff::SiteModel>,
    body_classifier: eval::Pick<'_>,
    folds: usize,
) -> Vec<six::Row> {
    use rayon::prelude::*;
    let names = dechaff::__six_feature_names();
    let at = |name: &str| {
        names
            .iter()
            .position(|n| n == name)
            .expect("a feature name")
    };
    let (overlap, position) = (at("title_overlap"), at("position"));
    docs.par_iter()
        .flat_map_iter(|d| {
            let c = body_classifier(d);
            let (xs, _, hashes) = dechaff::__six_inputs(&models[d.group.as_str()], c, &d.text);
            let fold = fold_of(d, folds);
            let weight = source_weight(d.source);
            let binary = matches!(d.source, Source::Wcxb | Source::Silver);
            let doc_key = corpus::fnv(d.id.as_bytes());
            let buckets: Vec<Vec<u16>> = hashes
                .iter()
                .map(|h| {
                    h.iter()
                        .map(|&h| dechaff::__word_bucket(h) as u16)
                        .collect()
                })
                .collect();
            let m = buckets.len();
            // A row's own buckets and those of the lines near it.
            let words = move |k: usize| -> (Vec<u16>, Vec<Vec<u16>>) {
                let near = (k.saturating_sub(dechaff::__NEAR)..(k + dechaff::__NEAR + 1).min(m))
                    .filter(|&j| j != k && !buckets[j].is_empty())
                    .map(|j| buckets[j].clone())
                    .collect();
                (buckets[k].clone(), near)
            };
            xs.into_iter()
                .zip(&d.gold)
                .enumerate()
                .filter_map(move |(k, (x, &g))| {
                    let allowed = six::allowed(g);
                    let sampled = !binary
                        || (doc_key ^ (k as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)) % BINARY_KEEP
                            == 0;
                    let headline = d.source == Source::Wcxb
                        && g == corpus::Gold::NotBody
                        && x[overlap] >= HEADLINE_OVERLAP
                        && x[position] < HEADLINE_POSITION;
                    (allowed != 0 && sampled && !headline).then(|| {
                        let (words, near) = words(k);
                        six::Row {
                            fold,
                            x,
                            allowed,
                            binary,
                            words,
                            near,
                            weight,
                        }
                    })
                })
        })
        .collect()
}

/// The weights files' header: the command, the corpora's checksums, the folds.
fn header(args: &Args, sums: &corpus::Sums) -> String {
    use std::fmt::Write;
    let mut h = String::from("# Fitted by examples/train (DESIGN.md, section 5):\n#   cargo run --release --features train --example train -- --write\n# Corpora read (FNV-1a 64 of every file's path and bytes, in order):\n");
    for (source, sum) in sums {
        writeln!(
            h,
            "#   {:8} {:016x} ({} files, {} bytes)",
            source.name(),
            sum.hash,
            sum.files,
            sum.bytes
        )
        .unwrap();
    }
    writeln!(h, "# Folds: {} by site (FNV-1a of the host or wcxb group, modulo {}); these weights are fitted on every fold.", args.folds, args.folds).unwrap();
    h
}

/// Whether `path` holds `want`; if not, print the first differing line.
fn check(path: &str, want: &str) -> bool {
    let have = std::fs::read_to_string(path).unwrap_or_default();
    if have == want {
        eprintln!("{path}: reproduced");
        return true;
    }
    let line = have
        .lines()
        .zip(want.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| have.lines().count().min(want.lines().count()));
    eprintln!(
        "{path}: differs from the retrained weights at line {}:\n  shipped:   {}\n  retrained: {}",
        line + 1,
        have.lines().nth(line).unwrap_or("<end of file>"),
        want.lines().nth(line).unwrap_or("<end of file>")
    );
    false
}
