//! The six-class model (`src/six.tsv`): boosted trees on the softmax loss
//! over the six labels, with partial labels (a wcxb or silver line says only
//! body or not body), and transition scores counted from gold sequences.

use dechaff::Label;
use rayon::prelude::*;

use crate::{corpus::Gold, tree};

/// One training line.
pub struct Row {
    /// Fold of the line's site.
    pub fold: usize,
    pub x: Vec<f32>,
    /// Bit `l` set: label `l` agrees with the gold.
    pub allowed: u8,
    /// The gold says body versus the rest only (wcxb, silver).
    pub binary: bool,
    /// Buckets of the line's folded words (short lines only).
    pub words: Vec<u16>,
    /// Buckets of the words of the lines near it (`NEAR` on each side, in
    /// order), of those with words.
    pub near: Vec<Vec<u16>>,
    pub weight: f32,
}

const BODY: u8 = 1;
const NOT_BODY: u8 = 0b11_1110;

/// The labels a gold entry allows, as bits.
pub fn allowed(g: Gold) -> u8 {
    match g {
        Gold::Six(l) => 1 << l.index(),
        Gold::Body => BODY,
        Gold::NotBody => NOT_BODY,
        Gold::Unscored => 0,
    }
}

/// Rounds of boosting: each adds one tree per label.
const ROUNDS: usize = 30;
/// Depth of each tree (the crate evaluates depth-3 trees flat).
const DEPTH: usize = 3;
/// Shrinkage of each tree's leaves.
const RATE: f64 = 0.4;
/// L2 penalty on leaf values (in units of summed hessians).
const LAMBDA: f64 = 1.0;
/// Least summed weight of the sampled lines in a child: no leaf learns
/// from a handful of lines. (Counted in lines, not hessians: the hessians
/// of a rare label's lines are tiny while the model still misses them.)
const MIN_CHILD: f64 = 8.0;
/// Largest leaf value: a Newton step on tiny hessians would overshoot.
const MAX_LEAF: f64 = 1.0;
/// Quantile bins per feature.
const BINS: usize = 32;
/// Rows sampled for the quantile cut points: every `CUT_STRIDE`-th.
const CUT_STRIDE: usize = 8;

/// The fitted trees: `node` rows, tree `t` scoring label `t % 6`, and the
/// prior scores.
pub struct Fitted {
    pub prior: [f64; 6],
    pub nodes: String,
}

/// How far the six-label rows are reweighted toward equal label totals:
/// `(mean total / label total) ^ BALANCE`, so that macro-F1's rare labels
/// (job ads, advertisements) are not drowned by navigation. (0.5 and 0.75
/// measured lower held-out accuracy and macro-F1; 0.3 costs advertisement
/// some recall.)
const BALANCE: f64 = 0.3;
/// Bounds of that factor.
const BALANCE_RANGE: (f64, f64) = (0.25, 4.0);

/// Per-label weight factors of the six-label rows.
pub fn balance(rows: &[&Row]) -> [f64; 6] {
    let mut total = [0.0f64; 6];
    for r in rows
        .iter()
        .filter(|r| !r.binary && r.allowed.count_ones() == 1)
    {
        total[r.allowed.trailing_zeros() as usize] += r.weight as f64;
    }
    let mean = total.iter().sum::<f64>() / 6.0;
    total.map(|t| {
        (mean / t.max(1.0))
            .powf(BALANCE)
            .clamp(BALANCE_RANGE.0, BALANCE_RANGE.1)
    })
}

/// Word-model features of a row: its own scores, then its neighbours' mean.
pub const OVERLAY: usize = 12;

/// Fit the trees on `rows`; `overlay` holds each row's word-model features
/// (which replace the features from `overlay_at` on).
pub fn boost(
    rows: &[&Row],
    names: &[String],
    overlay: &[[f32; OVERLAY]],
    overlay_at: usize,
) -> Fitted {
    let n = rows.len();
    let factor = balance(rows);
    let value = |i: usize, f: usize| {
        if (overlay_at..overlay_at + OVERLAY).contains(&f) {
            overlay[i][f - overlay_at]
        } else {
            rows[i].x[f]
        }
    };
    let weight: Vec<f64> = rows
        .iter()
        .map(|r| {
            let f = if r.binary || r.allowed.count_ones() != 1 {
                1.0
            } else {
                factor[r.allowed.trailing_zeros() as usize]
            };
            r.weight as f64 * f
        })
        .collect();
    let nf = names.len();
    // Trees split on every feature but the bias.
    let features: Vec<usize> = (1..nf).collect();
    let cuts: Vec<Vec<f32>> = features
        .par_iter()
        .map(|&f| {
            tree::cuts(
                (0..n).step_by(CUT_STRIDE).map(|i| value(i, f)),
                f32::total_cmp,
                BINS,
            )
        })
        .collect();
    let cuts_ref = &cuts;
    let value_ref = &value;
    let binned: Vec<u8> = (0..n)
        .flat_map(|i| {
            features
                .iter()
                .enumerate()
                .map(move |(k, &f)| cuts_ref[k].partition_point(|&c| c < value_ref(i, f)) as u8)
        })
        .collect();
    let nk = features.len();
    let prior = prior(rows);
    let mut z: Vec<[f64; 6]> = vec![prior; n];
    let mut out = String::new();
    for round in 0..ROUNDS {
        let (g, h) = gradients(rows, &weight, &z);
        let trees: Vec<Tree> = (0..6)
            .into_par_iter()
            .map(|k| {
                let gk: Vec<f64> = g.iter().map(|v| v[k]).collect();
                let hk: Vec<f64> = h.iter().map(|v| v[k]).collect();
                grow(&binned, nk, (&gk, &hk, &weight))
            })
            .collect();
        for (k, tree) in trees.iter().enumerate() {
            for (z, &leaf) in z.iter_mut().zip(&tree.node_of) {
                z[k] += tree.leaf[leaf];
            }
            let t = round * 6 + k;
            tree.write(t, &features, &cuts, names, &mut out);
        }
    }
    Fitted { prior, nodes: out }
}

/// Prior scores: log of each label's weighted share among the rows that
/// name one label (add-one smoothed).
fn prior(rows: &[&Row]) -> [f64; 6] {
    let mut c = [1.0f64; 6];
    for r in rows.iter().filter(|r| r.allowed.count_ones() == 1) {
        c[r.allowed.trailing_zeros() as usize] += r.weight as f64;
    }
    let total: f64 = c.iter().sum();
    c.map(|v| (v / total).ln())
}

/// Gradient and hessian of the partial-label softmax loss
/// `-log sum_{l allowed} p_l` per row and label.
#[allow(clippy::type_complexity)]
fn gradients(rows: &[&Row], weight: &[f64], z: &[[f64; 6]]) -> (Vec<[f64; 6]>, Vec<[f64; 6]>) {
    rows.iter()
        .zip(weight)
        .zip(z)
        .map(|((r, &w), z)| {
            let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let e = z.map(|v| (v - max).exp());
            let sum: f64 = e.iter().sum();
            let p = e.map(|v| v / sum);
            let allowed_mass: f64 = (0..6)
                .filter(|&l| r.allowed >> l & 1 == 1)
                .map(|l| p[l])
                .sum();
            if r.binary && (r.allowed == BODY || r.allowed == NOT_BODY) {
                // Body versus the rest says nothing about which boilerplate
                // label: only the body score moves (a logistic loss on it).
                let y = (r.allowed == BODY) as u8 as f64;
                let mut g = [0.0; 6];
                let mut h = [0.0; 6];
                g[0] = w * (p[0] - y);
                h[0] = w * (p[0] * (1.0 - p[0])).max(1e-6);
                return (g, h);
            }
            let g = std::array::from_fn(|l| {
                let q = if r.allowed >> l & 1 == 1 {
                    p[l] / allowed_mass.max(1e-12)
                } else {
                    0.0
                };
                w * (p[l] - q)
            });
            let h = p.map(|p| w * (p * (1.0 - p)).max(1e-6));
            (g, h)
        })
        .unzip()
}

/// One grown tree: splits in heap order, leaf values, each row's leaf.
struct Tree {
    split: Vec<Option<(usize, u8)>>,
    leaf: Vec<f64>,
    node_of: Vec<usize>,
}

const NODES: usize = (1 << (DEPTH + 1)) - 1;

/// Grow one depth-limited tree on binned features by histograms of the
/// rows' gradients. Every row takes part in every tree: with a sample of
/// half the rows per round, the 22 job-ad lines of sixlabel made held-out
/// job_ad F1 swing from 0.14 to 0.45 with the sample alone.
fn grow(binned: &[u8], nk: usize, (g, h, weight): (&[f64], &[f64], &[f64])) -> Tree {
    let n = g.len();
    let bins = BINS + 1;
    let mut split: Vec<Option<(usize, u8)>> = vec![None; NODES];
    let mut node_of = vec![0usize; n];
    for level in 0..DEPTH {
        let first = (1 << level) - 1;
        let width = 1 << level;
        let mut hist = vec![(0.0f64, 0.0f64, 0.0f64); width * nk * bins];
        for i in 0..n {
            let k = node_of[i];
            if k < first || k >= first + width {
                continue;
            }
            let at = (k - first) * nk * bins;
            for (fk, &b) in binned[i * nk..(i + 1) * nk].iter().enumerate() {
                let cell = &mut hist[at + fk * bins + b as usize];
                cell.0 += g[i];
                cell.1 += h[i];
                cell.2 += weight[i];
            }
        }
        for w in 0..width {
            split[first + w] = best_split(&hist[w * nk * bins..(w + 1) * nk * bins], nk, bins);
        }
        tree::descend(&mut node_of, &split, (first, width), |i, f| {
            binned[i * nk + f]
        });
    }
    let (mut gs, mut hs) = (vec![0.0; NODES], vec![0.0; NODES]);
    for i in 0..n {
        gs[node_of[i]] += g[i];
        hs[node_of[i]] += h[i];
    }
    let leaf = (0..NODES)
        .map(|k| (-RATE * gs[k] / (hs[k] + LAMBDA)).clamp(-MAX_LEAF, MAX_LEAF))
        .collect();
    Tree {
        split,
        leaf,
        node_of,
    }
}

/// The split with the largest gain in a node's histograms, if any gains.
fn best_split(hist: &[(f64, f64, f64)], nk: usize, bins: usize) -> Option<(usize, u8)> {
    let mut best: Option<(f64, usize, u8)> = None;
    for fk in 0..nk {
        let cells = &hist[fk * bins..(fk + 1) * bins];
        let (gt, ht, wt) = cells
            .iter()
            .fold((0.0, 0.0, 0.0), |a, c| (a.0 + c.0, a.1 + c.1, a.2 + c.2));
        let (mut gl, mut hl, mut wl) = (0.0, 0.0, 0.0);
        for (b, c) in cells[..bins - 1].iter().enumerate() {
            gl += c.0;
            hl += c.1;
            wl += c.2;
            let (gr, hr) = (gt - gl, ht - hl);
            if wl < MIN_CHILD || wt - wl < MIN_CHILD {
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

impl Tree {
    /// Write the reachable nodes in heap order, renumbered from 0.
    fn write(
        &self,
        t: usize,
        features: &[usize],
        cuts: &[Vec<f32>],
        names: &[String],
        out: &mut String,
    ) {
        use std::fmt::Write;
        let mut order = vec![0usize];
        let mut at = 0;
        while at < order.len() {
            let k = order[at];
            if self.split[k].is_some() {
                order.push(2 * k + 1);
                order.push(2 * k + 2);
            }
            at += 1;
        }
        let index = |k: usize| order.iter().position(|&o| o == k).unwrap_or(0);
        for &k in &order {
            match self.split[k] {
                Some((fk, b)) => {
                    let threshold = cuts[fk].get(b as usize).copied().unwrap_or(f32::MAX);
                    writeln!(
                        out,
                        "node\t{t}\t{}\t{threshold}\t{}\t{}\t0",
                        names[features[fk]],
                        index(2 * k + 1),
                        index(2 * k + 2)
                    )
                    .unwrap();
                }
                None => writeln!(out, "node\t{t}\t-\t0\t0\t0\t{}", self.leaf[k] as f32).unwrap(),
            }
        }
    }
}

/// Transition scores `log P(next label | label)` from gold sequences of
/// six labels (add-one smoothed).
pub fn transitions<'a>(sequences: impl Iterator<Item = &'a [Gold]>) -> [[f64; 6]; 6] {
    let mut c = [[1.0f64; 6]; 6];
    for seq in sequences {
        for w in seq.windows(2) {
            if let [Gold::Six(a), Gold::Six(b)] = w {
                c[a.index()][b.index()] += 1.0;
            }
        }
    }
    c.map(|row| {
        let total: f64 = row.iter().sum();
        row.map(|v| (v / total).ln())
    })
}

/// The model as `src/six.tsv` holds it, after the `header` comment lines.
pub fn to_tsv(
    header: &str,
    fitted: &Fitted,
    transition: &[[f64; 6]; 6],
    (force, margin): (&str, f64),
) -> String {
    use std::fmt::Write;
    let mut s = String::from(header);
    writeln!(s, "margin\t{margin}").unwrap();
    if !force.is_empty() {
        writeln!(s, "force\t{}", force.replace(',', "\t")).unwrap();
    }
    let six = |v: &[f64; 6]| {
        v.iter()
            .map(|x| format!("\t{}", *x as f32))
            .collect::<String>()
    };
    writeln!(s, "prior{}", six(&fitted.prior)).unwrap();
    for (l, row) in Label::ALL.iter().zip(transition) {
        writeln!(s, "transition\t{l}{}", six(row)).unwrap();
    }
    s.push_str(&fitted.nodes);
    s
}
