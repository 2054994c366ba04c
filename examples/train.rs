//! Train the weights of dechaff's line classifier on a corpus with gold labels,
//! with a split by site, and report the held-out-site figure.
//!
//! ```text
//! cargo run --release --example train -- ../shared/corpus/wcxb [--folds 5] [-o src/weights.tsv]
//! ```
//!
//! The corpus folder must hold `manifest.tsv` (`id, page_type, site, group,
//! url`), `text/<id>.txt`, `labels/<id>.tsv` (one `label<TAB>line` row per
//! non-blank line; `body` against anything else, `-` not scored) and may hold
//! `excluded.txt`. Sites (manifest `group`s) are dealt into folds by a hash of
//! their name; for each fold a logistic regression (Newton's method with an
//! L2 penalty, rows weighted by words) is fitted on the other folds and the
//! whole labeller, with those weights, is scored on the fold's unseen sites.
//! The final weights are fitted on every site.

// Numeric code: indices are the clearest way to write the linear algebra.
#![allow(clippy::needless_range_loop)]

use std::{collections::BTreeMap, fs, path::PathBuf};

use dechaff::{Labeller, LineClassifier, SiteModel, SiteModelBuilder};

struct Page {
    group: usize,
    kind: String,
    text: Vec<u8>,
    /// Gold per non-blank line: Some(true) body, Some(false) boilerplate.
    gold: Vec<Option<bool>>,
}

struct Row {
    fold: usize,
    x: Vec<f64>,
    y: f64,
    weight: f64,
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut corpus = None;
    let mut folds = 5usize;
    let mut out = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--folds" => folds = args.next().and_then(|v| v.parse().ok()).expect("--folds N"),
            "-o" => out = Some(PathBuf::from(args.next().expect("-o FILE"))),
            "-h" | "--help" => {
                eprintln!("usage: train CORPUS [--folds N] [-o WEIGHTS.tsv]");
                return;
            }
            _ => corpus = Some(PathBuf::from(a)),
        }
    }
    let corpus = corpus.unwrap_or_else(|| PathBuf::from("../shared/corpus/wcxb"));
    let (pages, groups) = load(&corpus);
    eprintln!("{} pages of {} sites", pages.len(), groups.len());

    // Learn each site's model once.
    let mut by_group: Vec<Vec<usize>> = vec![Vec::new(); groups.len()];
    for (i, p) in pages.iter().enumerate() {
        by_group[p.group].push(i);
    }
    let models: Vec<SiteModel> = by_group
        .iter()
        .map(|ids| SiteModelBuilder::new().build(ids.iter().map(|&i| &pages[i].text)))
        .collect();
    let fold_of: Vec<usize> = groups
        .iter()
        .map(|g| (fnv(g.as_bytes()) % folds as u64) as usize)
        .collect();

    let identity = Fitted {
        w1: fit_placeholder(),
        trees: String::new(),
        w2: stage2_identity(),
    }
    .classifier();
    let rows1 = rows(&pages, &models, &fold_of, &identity, Stage::One);
    eprintln!("{} training rows", rows1.len());

    let mut held_out = BTreeMap::<String, [f64; 3]>::new();
    for f in 0..folds {
        let c = fit_both(&pages, &models, &fold_of, &rows1, Some(f)).classifier();
        for p in pages.iter().filter(|p| fold_of[p.group] == f) {
            let labeller = Labeller::new(models[p.group].clone()).with_classifier(c.clone());
            let labelled = labeller.label(&p.text);
            let nonblank = labelled.iter().filter(|l| !l.is_blank());
            for (line, gold) in nonblank.zip(&p.gold) {
                let Some(gold) = gold else { continue };
                let pred = line.label().is_body();
                let slot = match (pred, *gold) {
                    (true, true) => 0,
                    (true, false) => 1,
                    (false, true) => 2,
                    (false, false) => continue,
                };
                for key in ["all", p.kind.as_str()] {
                    held_out.entry(key.to_string()).or_default()[slot] += words(line.bytes());
                }
            }
        }
    }
    println!("held-out sites ({folds} folds), body F1 weighted by words:");
    for (k, s) in &held_out {
        let p = s[0] / (s[0] + s[1]);
        let r = s[0] / (s[0] + s[2]);
        println!("{k:14} P {p:.3} R {r:.3} F1 {:.3}", 2.0 * p * r / (p + r));
    }

    let fitted = fit_both(&pages, &models, &fold_of, &rows1, None);
    let tsv = fitted.to_tsv();
    match out {
        Some(path) => fs::write(&path, tsv).expect("write weights"),
        None => print!("{tsv}"),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Stage {
    One,
    Two,
}

fn words(line: &[u8]) -> f64 {
    line.split(|b| b.is_ascii_whitespace())
        .filter(|t| !t.is_empty())
        .count() as f64
}

/// Training rows of one stage: the classifier's inputs for every scored,
/// non-template line.
fn rows(
    pages: &[Page],
    models: &[SiteModel],
    fold_of: &[usize],
    c: &LineClassifier,
    stage: Stage,
) -> Vec<Row> {
    let mut out = Vec::new();
    for p in pages {
        let inputs = dechaff::__classifier_inputs(Some(&models[p.group]), c, &p.text);
        let nonblank = dechaff::lines(&p.text)
            .zip(inputs)
            .filter(|(l, _)| !l.is_blank());
        for ((line, x), gold) in nonblank.zip(&p.gold) {
            let (Some((x1, x2)), Some(y)) = (x, gold) else {
                continue;
            };
            let x = if stage == Stage::One { x1 } else { x2 };
            out.push(Row {
                fold: fold_of[p.group],
                x: x.iter().map(|&v| v as f64).collect(),
                y: if *y { 1.0 } else { 0.0 },
                weight: words(line.bytes()).max(1.0),
            });
        }
    }
    out
}

/// Fit both stages on every fold but `skip`.
fn fit_both(
    pages: &[Page],
    models: &[SiteModel],
    fold_of: &[usize],
    rows1: &[Row],
    skip: Option<usize>,
) -> Fitted {
    let keep = |r: &&Row| Some(r.fold) != skip;
    let w1 = fit(rows1.iter().filter(keep));
    let train: Vec<&Row> = rows1.iter().filter(keep).collect();
    let base: Vec<f64> = train.iter().map(|r| dot(&w1, &r.x)).collect();
    let trees = boost(&train, &base);
    let stage1 = Fitted {
        w1: w1.clone(),
        trees: trees.clone(),
        w2: stage2_identity(),
    };
    let rows2 = rows(pages, models, fold_of, &stage1.classifier(), Stage::Two);
    let mut w2 = fit(rows2.iter().filter(keep));
    // Logistic regression fits log-loss; body F1 wants its own threshold.
    // Pick the bias shift that maximises word F1 on the training folds.
    let z: Vec<(f64, &Row)> = rows2
        .iter()
        .filter(keep)
        .map(|r| (dot(&w2, &r.x), r))
        .collect();
    let f1 = |shift: f64| {
        let (mut tp, mut fp, mut fneg) = (0.0, 0.0, 0.0);
        for &(z, r) in &z {
            match (z + shift > 0.0, r.y > 0.5) {
                (true, true) => tp += r.weight,
                (true, false) => fp += r.weight,
                (false, true) => fneg += r.weight,
                _ => {}
            }
        }
        2.0 * tp / (2.0 * tp + fp + fneg)
    };
    let best = (-30..=20)
        .map(|k| k as f64 * 0.05)
        .map(|shift| (shift, f1(shift)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map_or(0.0, |(shift, _)| shift);
    eprintln!(
        "bias shift {best:+.2}: training-fold F1 {:.4} -> {:.4}",
        f1(0.0),
        f1(best)
    );
    w2[0] += best;
    Fitted { w1, trees, w2 }
}

fn dot(w: &[f64], x: &[f64]) -> f64 {
    w.iter().zip(x).map(|(a, b)| a * b).sum()
}

/// Both stages' weights and the first stage's boosted trees.
struct Fitted {
    w1: Vec<f64>,
    /// `node` rows in the format `LineClassifier::from_tsv` reads.
    trees: String,
    w2: Vec<f64>,
}

impl Fitted {
    fn to_tsv(&self) -> String {
        let mut tsv = String::from(
            "# Line classifier (log-odds of body), fitted by examples/train.rs on wcxb\n# with every site; see DESIGN.md for the held-out-site figures.\n",
        );
        for (name, v) in LineClassifier::feature_names()
            .iter()
            .zip(self.w1.iter().chain(&self.w2))
        {
            tsv.push_str(&format!("{name}\t{v:.5}\n"));
        }
        tsv.push_str(&self.trees);
        tsv
    }

    fn classifier(&self) -> LineClassifier {
        LineClassifier::from_tsv(&self.to_tsv()).expect("the trainer writes what the crate reads")
    }
}

/// Gradient-boosted regression trees on the logistic loss, starting from the
/// linear score `base`: depth-3 trees over 32 quantile bins per feature,
/// learning rate 0.1, each tree fitted on a deterministic half of the rows.
/// Returns the trees as `node` rows.
fn boost(rows: &[&Row], base: &[f64]) -> String {
    const TREES: usize = 120;
    const DEPTH: usize = 3;
    const RATE: f64 = 0.1;
    const LAMBDA: f64 = 20.0;
    const MIN_CHILD: f64 = 200.0;
    let names = LineClassifier::feature_names();
    // Trees split on the plain features (the one-hot bins are for the
    // linear part); skip the bias.
    let features: Vec<usize> = (1..names.len())
        .filter(|&f| !names[f].starts_with("bin_") && !names[f].starts_with("s2_"))
        .collect();
    let n = rows.len();
    // Quantile cut points per feature, from every 16th row.
    let cuts: Vec<Vec<f64>> = features
        .iter()
        .map(|&f| {
            let mut v: Vec<f64> = rows.iter().step_by(16).map(|r| r.x[f]).collect();
            v.sort_by(f64::total_cmp);
            v.dedup();
            if v.len() <= 32 {
                return v;
            }
            let mut c: Vec<f64> = (1..32).map(|q| v[q * v.len() / 32]).collect();
            c.dedup();
            c
        })
        .collect();
    let bin = |f: usize, x: f64| cuts[f].partition_point(|&c| c < x) as u8;
    let binned: Vec<Vec<u8>> = rows
        .iter()
        .map(|r| {
            features
                .iter()
                .enumerate()
                .map(|(k, &f)| bin(k, r.x[f]))
                .collect()
        })
        .collect();
    let mut score = base.to_vec();
    let mut out = String::new();
    let nodes_max = (1 << (DEPTH + 1)) - 1;
    for t in 0..TREES {
        let mut g = vec![0.0; n];
        let mut h = vec![0.0; n];
        for i in 0..n {
            let p = 1.0 / (1.0 + (-score[i]).exp());
            g[i] = rows[i].weight * (p - rows[i].y);
            h[i] = rows[i].weight * (p * (1.0 - p)).max(1e-6);
        }
        let in_sample = |i: usize| (fnv(&(i as u64 ^ ((t as u64) << 40)).to_le_bytes()) & 1) == 0;
        // Heap-ordered nodes: children of k are 2k+1 and 2k+2.
        let mut split: Vec<Option<(usize, u8)>> = vec![None; nodes_max];
        let mut node_of = vec![0usize; n];
        for level in 0..DEPTH {
            let first = (1 << level) - 1;
            let width = 1 << level;
            let bins = 33;
            let mut hist = vec![(0.0f64, 0.0f64); width * features.len() * bins];
            for i in (0..n).filter(|&i| in_sample(i)) {
                let k = node_of[i];
                if k < first || k >= first + width {
                    continue;
                }
                let base_at = (k - first) * features.len() * bins;
                for (fk, &b) in binned[i].iter().enumerate() {
                    let cell = &mut hist[base_at + fk * bins + b as usize];
                    cell.0 += g[i];
                    cell.1 += h[i];
                }
            }
            for w in 0..width {
                let k = first + w;
                let mut best: Option<(f64, usize, u8)> = None;
                for fk in 0..features.len() {
                    let cells = &hist[(w * features.len() + fk) * bins..][..bins];
                    let (gt, ht): (f64, f64) =
                        cells.iter().fold((0.0, 0.0), |a, c| (a.0 + c.0, a.1 + c.1));
                    let (mut gl, mut hl) = (0.0, 0.0);
                    for b in 0..bins - 1 {
                        gl += cells[b].0;
                        hl += cells[b].1;
                        let (gr, hr) = (gt - gl, ht - hl);
                        if hl < MIN_CHILD || hr < MIN_CHILD {
                            continue;
                        }
                        let gain = gl * gl / (hl + LAMBDA) + gr * gr / (hr + LAMBDA)
                            - gt * gt / (ht + LAMBDA);
                        if best.is_none_or(|(bg, _, _)| gain > bg) {
                            best = Some((gain, fk, b as u8));
                        }
                    }
                }
                split[k] = best.filter(|b| b.0 > 0.0).map(|(_, fk, b)| (fk, b));
            }
            for i in 0..n {
                let k = node_of[i];
                if k >= first && k < first + width {
                    if let Some((fk, b)) = split[k] {
                        node_of[i] = if binned[i][fk] <= b {
                            2 * k + 1
                        } else {
                            2 * k + 2
                        };
                    }
                }
            }
        }
        // Leaf values by Newton's step on the sampled rows of each leaf.
        let mut gs = vec![0.0; nodes_max];
        let mut hs = vec![0.0; nodes_max];
        for i in (0..n).filter(|&i| in_sample(i)) {
            gs[node_of[i]] += g[i];
            hs[node_of[i]] += h[i];
        }
        let leaf_value = |k: usize| -RATE * gs[k] / (hs[k] + LAMBDA);
        for i in 0..n {
            score[i] += leaf_value(node_of[i]);
        }
        // Write the tree: reachable nodes in heap order, renumbered.
        let mut order = vec![0usize];
        let mut at = 0;
        while at < order.len() {
            let k = order[at];
            if k < split.len() && split[k].is_some() {
                order.push(2 * k + 1);
                order.push(2 * k + 2);
            }
            at += 1;
        }
        let index = |k: usize| order.iter().position(|&o| o == k).unwrap_or(0);
        for &k in &order {
            match split.get(k).copied().flatten() {
                Some((fk, b)) => {
                    let f = features[fk];
                    let threshold = cuts[fk].get(b as usize).copied().unwrap_or(f64::MAX);
                    out.push_str(&format!(
                        "node\t{t}\t{}\t{threshold}\t{}\t{}\t0\n",
                        names[f],
                        index(2 * k + 1),
                        index(2 * k + 2)
                    ));
                }
                None => out.push_str(&format!("node\t{t}\t-\t0\t0\t0\t{}\n", leaf_value(k))),
            }
        }
    }
    out
}

/// Second-stage weights that pass the first stage's score through.
fn stage2_identity() -> Vec<f64> {
    let n = LineClassifier::feature_names()
        .iter()
        .filter(|n| n.starts_with("s2_"))
        .count();
    let mut w = vec![0.0; n];
    w[1] = 1.0;
    w
}

/// First-stage weights of the shipped classifier (only used to compute
/// inputs, which do not depend on them in the first stage).
fn fit_placeholder() -> Vec<f64> {
    let shipped = LineClassifier::default();
    let n = LineClassifier::feature_names()
        .iter()
        .filter(|n| !n.starts_with("s2_"))
        .count();
    shipped.weights()[..n].iter().map(|&w| w as f64).collect()
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

fn load(corpus: &std::path::Path) -> (Vec<Page>, Vec<String>) {
    let manifest = fs::read_to_string(corpus.join("manifest.tsv")).expect("manifest.tsv");
    let excluded: Vec<String> = fs::read_to_string(corpus.join("excluded.txt"))
        .map(|s| s.lines().map(|l| l.trim().to_string()).collect())
        .unwrap_or_default();
    let mut groups: BTreeMap<String, usize> = BTreeMap::new();
    let mut pages = Vec::new();
    for row in manifest.lines().skip(1) {
        let cols: Vec<&str> = row.split('\t').collect();
        let [id, kind, _site, group, ..] = cols[..] else {
            continue;
        };
        let text = fs::read(corpus.join("text").join(format!("{id}.txt"))).expect("page text");
        let n = groups.len();
        let group = *groups.entry(group.to_string()).or_insert(n);
        // Excluded pages still teach their site's templates; they are not scored.
        let gold = if excluded.iter().any(|e| e == id) {
            vec![None; dechaff::lines(&text).filter(|l| !l.is_blank()).count()]
        } else {
            let labels = fs::read_to_string(corpus.join("labels").join(format!("{id}.tsv")))
                .expect("labels");
            labels
                .lines()
                .map(|l| match l.split('\t').next() {
                    Some("-") => None,
                    Some(label) => Some(label == "body"),
                    None => None,
                })
                .collect()
        };
        pages.push(Page {
            group,
            kind: kind.to_string(),
            text,
            gold,
        });
    }
    let mut names = vec![String::new(); groups.len()];
    for (g, i) in groups {
        names[i] = g;
    }
    (pages, names)
}

/// Weighted logistic regression by Newton's method with an L2 penalty on
/// every weight but the bias.
fn fit<'a>(rows: impl Iterator<Item = &'a Row> + Clone) -> Vec<f64> {
    let d = rows.clone().next().map_or(0, |r| r.x.len());
    let total: f64 = rows.clone().map(|r| r.weight).sum();
    let lambda = 1e-4 * total;
    let mut w = vec![0.0; d];
    for _ in 0..30 {
        let mut g = vec![0.0; d];
        let mut h = vec![vec![0.0; d]; d];
        for k in 1..d {
            g[k] -= lambda * w[k];
            h[k][k] += lambda;
        }
        h[0][0] += 1e-9 * total;
        for r in rows.clone() {
            let z = dot(&w, &r.x);
            let p = 1.0 / (1.0 + (-z).exp());
            let c = r.weight;
            for i in 0..d {
                g[i] += c * (r.y - p) * r.x[i];
                let s = c * p * (1.0 - p) * r.x[i];
                if s != 0.0 {
                    for j in 0..d {
                        h[i][j] += s * r.x[j];
                    }
                }
            }
        }
        let step = solve(h, g);
        let norm: f64 = step.iter().map(|s| s * s).sum::<f64>().sqrt();
        for (wi, si) in w.iter_mut().zip(&step) {
            *wi += si;
        }
        if norm < 1e-6 {
            break;
        }
    }
    w
}

/// Solve `a x = b` by Gaussian elimination with partial pivoting.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Vec<f64> {
    let n = b.len();
    for c in 0..n {
        let p = (c..n)
            .max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))
            .unwrap_or(c);
        a.swap(c, p);
        b.swap(c, p);
        if a[c][c].abs() < 1e-12 {
            continue;
        }
        for r in c + 1..n {
            let f = a[r][c] / a[c][c];
            if f != 0.0 {
                for k in c..n {
                    a[r][k] -= f * a[c][k];
                }
                b[r] -= f * b[c];
            }
        }
    }
    let mut x = vec![0.0; n];
    for c in (0..n).rev() {
        let s: f64 = (c + 1..n).map(|k| a[c][k] * x[k]).sum();
        x[c] = if a[c][c].abs() < 1e-12 {
            0.0
        } else {
            (b[c] - s) / a[c][c]
        };
    }
    x
}
