//! Scores: the six-label confusion matrix over lines, per-label precision,
//! recall and F1, macro-F1, and body precision/recall/F1 weighted by words
//! (the corpus README's "Scoring": micro over documents).

use std::fmt::Write;

use dechaff::Label;

use crate::corpus::Gold;

/// Whitespace-separated words of a line: the body score's weight.
pub fn words(line: &[u8]) -> f64 {
    line.split(|b| b.is_ascii_whitespace())
        .filter(|t| !t.is_empty())
        .count() as f64
}

/// Body true positives, false positives and false negatives, in words.
#[derive(Clone, Copy, Debug, Default)]
pub struct Body {
    pub tp: f64,
    pub fp: f64,
    pub fneg: f64,
}

impl Body {
    pub fn add(&mut self, gold: bool, predicted: bool, weight: f64) {
        match (gold, predicted) {
            (true, true) => self.tp += weight,
            (false, true) => self.fp += weight,
            (true, false) => self.fneg += weight,
            (false, false) => {}
        }
    }

    pub fn merge(&mut self, o: &Body) {
        self.tp += o.tp;
        self.fp += o.fp;
        self.fneg += o.fneg;
    }

    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }

    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fneg)
    }

    pub fn f1(&self) -> f64 {
        ratio(2.0 * self.tp, 2.0 * self.tp + self.fp + self.fneg)
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b == 0.0 {
        0.0
    } else {
        a / b
    }
}

/// Scores of a set of pages.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Lines, rows gold, columns predicted (six-label gold only).
    pub confusion: [[u64; 6]; 6],
    pub body: Body,
    pub pages: usize,
}

impl Report {
    /// Score one page: its predicted labels and gold, per non-blank line.
    pub fn add_page(&mut self, lines: &[&[u8]], predicted: &[Label], gold: &[Gold]) {
        self.pages += 1;
        for ((line, &p), &g) in lines.iter().zip(predicted).zip(gold) {
            let gold_body = match g {
                Gold::Six(l) => {
                    self.confusion[l.index()][p.index()] += 1;
                    l.is_body()
                }
                Gold::Body => true,
                Gold::NotBody => false,
                Gold::Unscored => continue,
            };
            self.body.add(gold_body, p.is_body(), words(line));
        }
    }

    pub fn merge(&mut self, o: &Report) {
        for (a, b) in self.confusion.iter_mut().zip(&o.confusion) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        self.body.merge(&o.body);
        self.pages += o.pages;
    }

    pub fn lines(&self) -> u64 {
        self.confusion.iter().flatten().sum()
    }

    pub fn accuracy(&self) -> f64 {
        let right: u64 = (0..6).map(|i| self.confusion[i][i]).sum();
        ratio(right as f64, self.lines() as f64)
    }

    /// Precision, recall and F1 of each label over lines.
    pub fn per_label(&self) -> [(f64, f64, f64); 6] {
        std::array::from_fn(|l| {
            let tp = self.confusion[l][l] as f64;
            let predicted: u64 = self.confusion.iter().map(|r| r[l]).sum();
            let gold: u64 = self.confusion[l].iter().sum();
            let (p, r) = (ratio(tp, predicted as f64), ratio(tp, gold as f64));
            (p, r, ratio(2.0 * p * r, p + r))
        })
    }

    /// Mean F1 over the labels that occur in the gold.
    pub fn macro_f1(&self) -> f64 {
        let present: Vec<f64> = self
            .per_label()
            .iter()
            .enumerate()
            .filter(|&(l, _)| self.confusion[l].iter().sum::<u64>() > 0)
            .map(|(_, s)| s.2)
            .collect();
        ratio(present.iter().sum(), present.len() as f64)
    }

    /// One summary line.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "pages {:4}  body word P {:.3} R {:.3} F1 {:.4}",
            self.pages,
            self.body.precision(),
            self.body.recall(),
            self.body.f1()
        );
        if self.lines() > 0 {
            write!(
                s,
                "  six-label lines {} accuracy {:.4} macro-F1 {:.4}",
                self.lines(),
                self.accuracy(),
                self.macro_f1()
            )
            .unwrap();
        }
        s
    }

    /// Per-label figures and the confusion matrix.
    pub fn detail(&self) -> String {
        let mut s = String::new();
        let short = ["body", "nav", "job", "comment", "ad", "other"];
        writeln!(
            s,
            "  {:15} {:>6} {:>6} {:>6} {:>7}",
            "label", "P", "R", "F1", "gold"
        )
        .unwrap();
        for (l, (p, r, f)) in self.per_label().iter().enumerate() {
            let gold: u64 = self.confusion[l].iter().sum();
            writeln!(
                s,
                "  {:15} {p:6.3} {r:6.3} {f:6.3} {gold:7}",
                Label::ALL[l].as_str()
            )
            .unwrap();
        }
        write!(s, "  confusion (rows gold, columns predicted):\n  {:8}", "").unwrap();
        for name in short {
            write!(s, " {name:>7}").unwrap();
        }
        s.push('\n');
        for (l, row) in self.confusion.iter().enumerate() {
            write!(s, "  {:8}", short[l]).unwrap();
            for n in row {
                write!(s, " {n:7}").unwrap();
            }
            s.push('\n');
        }
        s
    }
}
