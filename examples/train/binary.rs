//! The body classifier (`src/weights.tsv`): a weighted logistic regression,
//! boosted trees on its residual, and a second stage over the neighbours'
//! scores, fitted on wcxb's body-versus-boilerplate gold.

// Numeric code: indices are the clearest way to write the linear algebra.
#![allow(clippy::needless_range_loop)]

use std::collections::BTreeMap;

use dechaff::{LineClassifier, SiteModel};

use crate::{
    corpus::{fnv, Doc, Gold},
    tree,
};

struct Page<'a> {
    group: usize,
    text: &'a [u8],
    /// Gold per non-blank line: Some(true) body, Some(false) boilerplate.
    gold: Vec<Option<bool>>,
}

/// The fitted body classifiers.
pub struct Binary {
    /// Fitted on every site but those of fold `k`.
    pub folds: Vec<LineClassifier>,
    /// Fitted on every site: what `src/weights.tsv` holds.
    pub shipped: String,
}

/// Fit the body classifier on `docs` (wcxb pages with their site models):
/// once per fold of sites when `folds` > 0, and once on every site.
pub fn train(docs: &[&Doc], models: &BTreeMap<&str, SiteModel>, folds: usize) -> Binary {
    let mut groups: BTreeMap<&str, usize> = BTreeMap::new();
    let mut site_models = Vec::new();
    let pages: Vec<Page> = docs
        .iter()
        .map(|d| {
            let n = groups.len();
            let group = *groups.entry(d.group.as_str()).or_insert_with(|| {
                site_models.push(models[d.group.as_str()].clone());
                n
            });
            let gold = d
                .gold
                .iter()
                .map(|g| match g {
                    Gold::Six(l) => Some(l.is_body()),
                    Gold::Body => Some(true),
                    Gold::NotBody => Some(false),
                    Gold::Unscored => None,
                })
                .collect();
            Page {
                group,
                text: &d.text,
                gold,
            }
        })
        .collect();
    let mut fold_of = vec![0; groups.len()];
    for (g, &i) in &groups {
        fold_of[i] = fold_of_site(g.strip_prefix("wcxb:").unwrap_or(g), folds.max(1));
    }
    let identity = Fitted {
        w1: fit_placeholder(),
        trees: String::new(),
        w2: stage2_identity(),
    }
    .classifier();
    let rows1 = rows(&pages, &site_models, &fold_of, &identity, Stage::One);
    let fold_fits = (0..folds)
        .map(|f| fit_both(&pages, &site_models, &fold_of, &rows1, Some(f)).classifier())
        .collect();
    let fitted = fit_both(&pages, &site_models, &fold_of, &rows1, None);
    Binary {
        folds: fold_fits,
        shipped: fitted.to_tsv(),
    }
}

/// The fits in `dir` if it holds them, else `fit()`'s, stored there. For
/// development runs that change only the six-class model.
pub fn cached(dir: &std::path::Path, fit: impl FnOnce() -> Binary) -> Binary {
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).ok();
    if let Some(shipped) = read("shipped.tsv") {
        let folds = (0..)
            .map_while(|f| read(&format!("fold{f}.tsv")))
            .map(|t| LineClassifier::from_tsv(&t).expect("cached weights parse"))
            .collect();
        return Binary { folds, shipped };
    }
    let b = fit();
    std::fs::create_dir_all(dir).expect("cache folder");
    std::fs::write(dir.join("shipped.tsv"), &b.shipped).expect("write cache");
    for (f, c) in b.folds.iter().enumerate() {
        std::fs::write(dir.join(format!("fold{f}.tsv")), c.to_tsv()).expect("write cache");
    }
    b
}

/// The fold of a site: FNV-1a of its name modulo the number of folds.
pub fn fold_of_site(site: &str, folds: usize) -> usize {
    (fnv(site.as_bytes()) % folds as u64) as usize
}

struct Row {
    fold: usize,
    x: Vec<f64>,
    y: f64,
    weight: f64,
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
        let inputs = dechaff::__classifier_inputs(Some(&models[p.group]), c, p.text);
        let nonblank = dechaff::lines(p.text)
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
            "# Line classifier (log-odds of body), fitted by examples/train on wcxb\n# with every site; see DESIGN.md for the held-out-site figures.\n",
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

/// Trees of the body classifier.
const TREES: usize = 120;
/// Depth of each tree (the crate evaluates depth-3 trees flat).
const DEPTH: usize = 3;
/// Shrinkage of each tree's leaves.
const RATE: f64 = 0.1;
/// L2 penalty on leaf values (in units of summed hessians).
const LAMBDA: f64 = 20.0;
/// Least summed hessian of a child.
const MIN_CHILD: f64 = 200.0;
/// Quantile bins per feature.
const BINS: usize = 32;
/// Rows sampled for the quantile cut points: every `CUT_STRIDE`-th.
const CUT_STRIDE: usize = 16;
/// Nodes of a complete tree of [`DEPTH`], in heap order.
const NODES: usize = (1 << (DEPTH + 1)) - 1;

/// Gradient-boosted regression trees on the logistic loss, starting from the
/// linear score `base`: depth-3 trees over 32 quantile bins per feature,
/// learning rate 0.1, each tree fitted on a deterministic half of the rows.
/// Returns the trees as `node` rows.
fn boost(rows: &[&Row], base: &[f64]) -> String {
    let names = LineClassifier::feature_names();
    // Trees split on the plain features (the one-hot bins are for the
    // linear part); skip the bias.
    let features: Vec<usize> = (1..names.len())
        .filter(|&f| !names[f].starts_with("bin_") && !names[f].starts_with("s2_"))
        .collect();
    let cuts: Vec<Vec<f64>> = features.iter().map(|&f| quantile_cuts(rows, f)).collect();
    let binned: Vec<Vec<u8>> = rows
        .iter()
        .map(|r| {
            features
                .iter()
                .enumerate()
                .map(|(k, &f)| cuts[k].partition_point(|&c| c < r.x[f]) as u8)
                .collect()
        })
        .collect();
    let mut score = base.to_vec();
    let mut out = String::new();
    for t in 0..TREES {
        let (g, h) = gradients(rows, &score);
        let in_sample = |i: usize| (fnv(&(i as u64 ^ ((t as u64) << 40)).to_le_bytes()) & 1) == 0;
        let (split, node_of) = grow(&binned, features.len(), &g, &h, &in_sample);
        let leaf = leaf_values(&g, &h, &node_of, &in_sample);
        for (s, &k) in score.iter_mut().zip(&node_of) {
            *s += leaf[k];
        }
        write_tree(
            t,
            &split,
            &leaf,
            |fk, b| {
                let threshold = cuts[fk].get(b as usize).copied().unwrap_or(f64::MAX);
                (names[features[fk]], threshold)
            },
            &mut out,
        );
    }
    out
}

/// Quantile cut points of feature `f`, from every `CUT_STRIDE`-th row.
fn quantile_cuts(rows: &[&Row], f: usize) -> Vec<f64> {
    tree::cuts(
        rows.iter().step_by(CUT_STRIDE).map(|r| r.x[f]),
        f64::total_cmp,
        BINS,
    )
}

/// Gradients and hessians of the weighted logistic loss at `score`.
fn gradients(rows: &[&Row], score: &[f64]) -> (Vec<f64>, Vec<f64>) {
    rows.iter()
        .zip(score)
        .map(|(r, &s)| {
            let p = 1.0 / (1.0 + (-s).exp());
            (r.weight * (p - r.y), r.weight * (p * (1.0 - p)).max(1e-6))
        })
        .unzip()
}

/// A tree's splits (heap order: children of `k` are `2k + 1` and `2k + 2`)
/// and each row's node.
type Grown = (Vec<Option<(usize, u8)>>, Vec<usize>);

/// Grow a tree level by level from histograms of the sampled rows.
fn grow(
    binned: &[Vec<u8>],
    nk: usize,
    g: &[f64],
    h: &[f64],
    in_sample: &dyn Fn(usize) -> bool,
) -> Grown {
    let n = g.len();
    let bins = BINS + 1;
    let mut split: Vec<Option<(usize, u8)>> = vec![None; NODES];
    let mut node_of = vec![0usize; n];
    for level in 0..DEPTH {
        let first = (1 << level) - 1;
        let width = 1 << level;
        let mut hist = vec![(0.0f64, 0.0f64); width * nk * bins];
        for i in (0..n).filter(|&i| in_sample(i)) {
            let k = node_of[i];
            if k < first || k >= first + width {
                continue;
            }
            let base_at = (k - first) * nk * bins;
            for (fk, &b) in binned[i].iter().enumerate() {
                let cell = &mut hist[base_at + fk * bins + b as usize];
                cell.0 += g[i];
                cell.1 += h[i];
            }
        }
        for w in 0..width {
            split[first + w] = best_split(&hist[w * nk * bins..][..nk * bins], nk, bins);
        }
        tree::descend(&mut node_of, &split, (first, width), |i, f| binned[i][f]);
    }
    (split, node_of)
}

/// The split of largest gain in one node's histograms, if any gains.
fn best_split(hist: &[(f64, f64)], nk: usize, bins: usize) -> Option<(usize, u8)> {
    let mut best: Option<(f64, usize, u8)> = None;
    for fk in 0..nk {
        let cells = &hist[fk * bins..][..bins];
        let (gt, ht): (f64, f64) = cells.iter().fold((0.0, 0.0), |a, c| (a.0 + c.0, a.1 + c.1));
        let (mut gl, mut hl) = (0.0, 0.0);
        for (b, c) in cells[..bins - 1].iter().enumerate() {
            gl += c.0;
            hl += c.1;
            let (gr, hr) = (gt - gl, ht - hl);
            if hl < MIN_CHILD || hr < MIN_CHILD {
                continue;
            }
            let gain = gl * gl / (hl + LAMBDA) + gr * gr / (hr + LAMBDA) - gt * gt / (ht + LAMBDA);
            if best.is_none_or(|(bg, _, _)| gain > bg) {
                best = Some((gain, fk, b as u8));
            }
        }
    }
    best.filter(|b| b.0 > 0.0).map(|(_, fk, b)| (fk, b))
}

/// Leaf values by Newton's step on the sampled rows of each leaf.
fn leaf_values(
    g: &[f64],
    h: &[f64],
    node_of: &[usize],
    in_sample: &dyn Fn(usize) -> bool,
) -> Vec<f64> {
    let mut gs = [0.0; NODES];
    let mut hs = [0.0; NODES];
    for i in (0..g.len()).filter(|&i| in_sample(i)) {
        gs[node_of[i]] += g[i];
        hs[node_of[i]] += h[i];
    }
    (0..NODES)
        .map(|k| -RATE * gs[k] / (hs[k] + LAMBDA))
        .collect()
}

/// Write tree `t` as `node` rows: reachable nodes in heap order,
/// renumbered; `split_of(feature index, bin)` names a split's feature and
/// threshold.
fn write_tree(
    t: usize,
    split: &[Option<(usize, u8)>],
    leaf: &[f64],
    split_of: impl Fn(usize, u8) -> (&'static str, f64),
    out: &mut String,
) {
    let mut order = vec![0usize];
    let mut at = 0;
    while at < order.len() {
        let k = order[at];
        if split[k].is_some() {
            order.push(2 * k + 1);
            order.push(2 * k + 2);
        }
        at += 1;
    }
    let index = |k: usize| order.iter().position(|&o| o == k).unwrap_or(0);
    for &k in &order {
        match split[k] {
            Some((fk, b)) => {
                let (name, threshold) = split_of(fk, b);
                out.push_str(&format!(
                    "node\t{t}\t{name}\t{threshold}\t{}\t{}\t0\n",
                    index(2 * k + 1),
                    index(2 * k + 2)
                ));
            }
            None => out.push_str(&format!("node\t{t}\t-\t0\t0\t0\t{}\n", leaf[k])),
        }
    }
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

/// First-stage weights to compute the first stage's inputs with (which do
/// not depend on them): zeros, so that nothing read depends on the shipped
/// weights.
fn fit_placeholder() -> Vec<f64> {
    let n = LineClassifier::feature_names()
        .iter()
        .filter(|n| !n.starts_with("s2_"))
        .count();
    vec![0.0; n]
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
