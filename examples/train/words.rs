//! The word model of `src/six.tsv`: a multinomial logistic regression over
//! the hashed folded words of short lines (a learned lexicon), fitted by
//! AdaGrad on the six-label lines. Its log-probabilities are features of
//! the trees, so the trees' rows get them out of fold: from a word model
//! that never saw the row's site.

use std::fmt::Write;

use crate::six::Row;

/// Buckets of the hashed vocabulary (`WORD_BUCKETS` in src/six.rs).
pub const BUCKETS: usize = 1 << 16;
// Rows store a bucket as a u16 (main.rs): more buckets would wrap.
const _: () = assert!(BUCKETS <= 1 << 16, "a bucket fits a u16");
/// Passes over the rows.
const EPOCHS: usize = 6;
/// AdaGrad's step.
const STEP: f64 = 0.3;
/// L2 penalty per update (keeps rare words' weights small).
const L2: f64 = 1e-4;

/// A fitted word model.
#[derive(Clone)]
pub struct Table {
    /// The weights as the crate reads them (f32).
    bias32: [f32; 6],
    table32: Vec<[f32; 6]>,
}

/// Fit on the six-label rows among `rows` (each weighted by `weight`).
pub fn fit(rows: &[&Row], weight: &dyn Fn(&Row) -> f64) -> Table {
    let mut bias = [0.0f64; 6];
    let mut table = vec![[0.0f64; 6]; BUCKETS];
    let mut g2_bias = [1e-8f64; 6];
    let mut g2 = vec![[1e-8f64; 6]; BUCKETS];
    let train: Vec<&&Row> = rows
        .iter()
        .filter(|r| !r.binary && r.allowed.count_ones() == 1 && !r.words.is_empty())
        .collect();
    for _ in 0..EPOCHS {
        for r in &train {
            let scale = 1.0 / (r.words.len() as f64).sqrt();
            let mut z = bias;
            for &b in &r.words {
                for c in 0..6 {
                    z[c] += table[b as usize][c] * scale;
                }
            }
            let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let e = z.map(|v| (v - max).exp());
            let sum: f64 = e.iter().sum();
            let y = r.allowed.trailing_zeros() as usize;
            let w = weight(r);
            let grad: [f64; 6] = std::array::from_fn(|c| w * (e[c] / sum - (c == y) as u8 as f64));
            for c in 0..6 {
                g2_bias[c] += grad[c] * grad[c];
                bias[c] -= STEP * grad[c] / g2_bias[c].sqrt();
            }
            for &b in &r.words {
                let (t, acc) = (&mut table[b as usize], &mut g2[b as usize]);
                for c in 0..6 {
                    let g = grad[c] * scale + L2 * t[c];
                    acc[c] += g * g;
                    t[c] -= STEP * g / acc[c].sqrt();
                }
            }
        }
    }
    let bias32 = bias.map(|v| v as f32);
    let table32 = table.iter().map(|t| t.map(|v| v as f32)).collect();
    Table { bias32, table32 }
}

impl Table {
    /// The six log-probabilities of a line's word buckets, computed as the
    /// crate computes them (f32, same order).
    pub fn scores(&self, words: &[u16]) -> [f32; 6] {
        if words.is_empty() {
            return [0.0; 6];
        }
        let mut z = [0f32; 6];
        for &w in words {
            for (z, t) in z.iter_mut().zip(&self.table32[w as usize]) {
                *z += t;
            }
        }
        let scale = 1.0 / (words.len() as f32).sqrt();
        let z: [f32; 6] = std::array::from_fn(|c| self.bias32[c] + z[c] * scale);
        let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let sum: f32 = z.iter().map(|v| (v - max).exp()).sum();
        let log_sum = max + sum.ln();
        z.map(|v| v - log_sum)
    }

    /// `word_bias` and `word` rows (buckets with a weight only).
    pub fn to_tsv(&self, out: &mut String) {
        let six = |v: &[f32; 6]| v.iter().map(|x| format!("\t{x}")).collect::<String>();
        writeln!(out, "word_bias{}", six(&self.bias32)).unwrap();
        for (b, t) in self.table32.iter().enumerate() {
            if t.iter().any(|&v| v != 0.0) {
                writeln!(out, "word\t{b}{}", six(t)).unwrap();
            }
        }
    }
}
