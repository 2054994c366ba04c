//! `eval`: score labels against gold files.
//!
//! Body precision, recall and F1 weighted by words (whitespace-separated
//! tokens) and by lines, micro-averaged over documents; a six-label
//! confusion matrix over the documents whose gold has six labels; per site
//! group and per value of a manifest column.

use std::{
    collections::{BTreeMap, HashSet},
    fmt::{self, Write as _},
    fs,
    io::{self, Write as _},
    path::Path,
};

use dechaff::{dump::Document, Label, Labelled};
use rayon::prelude::*;
use serde_json::json;

use crate::{args::Args, input::Progress, input::Source, output::id_path, pipeline, Result};

/// A gold label.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Gold {
    /// `-`: not scored.
    Unscored,
    /// `boilerplate` of a binary gold.
    Boilerplate,
    /// One of the six labels (`body` in a binary gold too).
    Six(Label),
}

impl Gold {
    fn parse(text: &[u8]) -> Option<Gold> {
        match text {
            b"-" => Some(Gold::Unscored),
            b"boilerplate" => Some(Gold::Boilerplate),
            _ => std::str::from_utf8(text).ok()?.parse().ok().map(Gold::Six),
        }
    }
}

/// True and false positives and false negatives of the body class.
#[derive(Clone, Copy, Debug, Default)]
struct Prf {
    tp: u64,
    fp: u64,
    fn_: u64,
}

impl Prf {
    fn add(&mut self, gold_body: bool, predicted_body: bool, weight: u64) {
        match (gold_body, predicted_body) {
            (true, true) => self.tp += weight,
            (false, true) => self.fp += weight,
            (true, false) => self.fn_ += weight,
            (false, false) => {}
        }
    }

    fn merge(&mut self, other: &Prf) {
        self.tp += other.tp;
        self.fp += other.fp;
        self.fn_ += other.fn_;
    }

    fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }

    fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }

    fn f1(&self) -> f64 {
        ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn_)
    }

    fn json(&self) -> serde_json::Value {
        json!({
            "precision": self.precision(), "recall": self.recall(), "f1": self.f1(),
            "tp": self.tp, "fp": self.fp, "fn": self.fn_,
        })
    }
}

/// `num / den`, and 1 for `0 / 0` (nothing to find, nothing wrongly found).
fn ratio(num: u64, den: u64) -> f64 {
    if den == 0 {
        1.0
    } else {
        num as f64 / den as f64
    }
}

type Confusion = [[u64; 6]; 6];

/// The scores of one document.
#[derive(Default)]
struct Score {
    words: Prf,
    lines: Prf,
    /// Lines, rows gold and columns predicted; `None` for a binary gold.
    confusion: Option<Confusion>,
}

enum Outcome {
    Scored(Box<Score>),
    Excluded,
    NoGold,
    Misaligned(String),
}

/// Where the gold files are and which ids to leave out.
struct Scorer<'a> {
    gold: &'a Path,
    excluded: &'a HashSet<String>,
}

impl Scorer<'_> {
    /// The gold file of `id`: `<id>.tsv`, else `<id>.gold.tsv`.
    fn gold(&self, id: &str) -> io::Result<Option<Vec<u8>>> {
        for ext in ["tsv", "gold.tsv"] {
            match fs::read(id_path(self.gold, id, ext)) {
                Ok(bytes) => return Ok(Some(bytes)),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(None)
    }

    /// Score the predicted non-blank lines of a document.
    fn score<'p>(
        &self,
        id: &str,
        predicted: impl Iterator<Item = (Option<Label>, &'p [u8])>,
    ) -> Outcome {
        if self.excluded.contains(id) {
            return Outcome::Excluded;
        }
        let gold = match self.gold(id) {
            Ok(Some(gold)) => gold,
            Ok(None) => return Outcome::NoGold,
            Err(e) => return Outcome::Misaligned(format!("cannot read gold: {e}")),
        };
        let rows: Vec<&[u8]> = dechaff::lines(&gold)
            .map(|l| l.bytes())
            .filter(|r| !r.is_empty())
            .collect();
        let mut score = Score {
            confusion: Some([[0; 6]; 6]),
            ..Score::default()
        };
        let predicted: Vec<(Option<Label>, &[u8])> = predicted.collect();
        if predicted.len() != rows.len() {
            let (rows, lines) = (rows.len(), predicted.len());
            return Outcome::Misaligned(format!(
                "gold has {rows} rows, the document {lines} non-blank lines"
            ));
        }
        let mut six_labels = false;
        for (i, (row, &(label, line))) in rows.iter().zip(&predicted).enumerate() {
            let n = i + 1;
            let Some(label) = label else {
                return Outcome::Misaligned(format!(
                    "line {n}: the labelled input has no valid label"
                ));
            };
            let (gold_label, gold_text) = match row.iter().position(|&b| b == b'\t') {
                Some(tab) => (&row[..tab], Some(&row[tab + 1..])),
                None => (*row, None),
            };
            if gold_text.is_some_and(|text| text != line) {
                return Outcome::Misaligned(format!(
                    "row {n}: the gold line differs from the document's"
                ));
            }
            let gold = match Gold::parse(gold_label) {
                Some(Gold::Unscored) => continue,
                Some(gold) => gold,
                None => return Outcome::Misaligned(format!("row {n}: unknown gold label")),
            };
            let gold_body = gold == Gold::Six(Label::Body);
            score.words.add(
                gold_body,
                label.is_body(),
                count_words(gold_text.unwrap_or(line)),
            );
            score.lines.add(gold_body, label.is_body(), 1);
            match (gold, &mut score.confusion) {
                (Gold::Six(g), Some(c)) => {
                    c[g.index()][label.index()] += 1;
                    six_labels |= g != Label::Body;
                }
                _ => score.confusion = None,
            }
        }
        if !six_labels {
            // Only `body` (and `-`): a binary gold as much as a six-label one.
            score.confusion = None;
        }
        Outcome::Scored(Box::new(score))
    }
}

/// Whitespace-separated words.
fn count_words(line: &[u8]) -> u64 {
    match std::str::from_utf8(line) {
        Ok(s) => s.split_whitespace().count() as u64,
        Err(_) => line
            .split(u8::is_ascii_whitespace)
            .filter(|w| !w.is_empty())
            .count() as u64,
    }
}

/// Parse a row of `label --format tsv` output.
fn predicted_row(row: &[u8]) -> (Option<Label>, &[u8]) {
    let (label, line) = match row.iter().position(|&b| b == b'\t') {
        Some(tab) => (&row[..tab], &row[tab + 1..]),
        None => (row, &b""[..]),
    };
    (
        std::str::from_utf8(label).ok().and_then(|l| l.parse().ok()),
        line,
    )
}

/// Scores summed over documents, and per group and per `--by` value.
#[derive(Default)]
struct Totals {
    scored: u64,
    excluded: u64,
    no_gold: u64,
    misaligned: u64,
    all: Score,
    six_label_docs: u64,
    confusion: Confusion,
    /// Group -> documents and word scores.
    groups: BTreeMap<String, (u64, Prf)>,
    /// `--by` value -> documents, word scores and line scores.
    by: BTreeMap<String, (u64, Prf, Prf)>,
}

impl Totals {
    fn add(&mut self, doc: &Document, outcome: Outcome, by: Option<&str>, progress: &Progress) {
        let score = match outcome {
            Outcome::Scored(score) => score,
            Outcome::Excluded => return self.excluded += 1,
            Outcome::NoGold => return self.no_gold += 1,
            Outcome::Misaligned(why) => {
                self.misaligned += 1;
                progress.note(format_args!("dechaff: eval: {}: {why}; not scored", doc.id));
                return;
            }
        };
        self.scored += 1;
        self.all.words.merge(&score.words);
        self.all.lines.merge(&score.lines);
        if let Some(c) = &score.confusion {
            self.six_label_docs += 1;
            for (row, add) in self.confusion.iter_mut().zip(c) {
                for (cell, n) in row.iter_mut().zip(add) {
                    *cell += n;
                }
            }
        }
        let group = self.groups.entry(doc.group.clone()).or_default();
        group.0 += 1;
        group.1.merge(&score.words);
        if let Some(value) = by {
            let entry = self.by.entry(value.to_string()).or_default();
            entry.0 += 1;
            entry.1.merge(&score.words);
            entry.2.merge(&score.lines);
        }
    }

    /// Why the scores are not to be trusted, if they are not.
    fn failure(&self, gold: &Path) -> Option<String> {
        if self.misaligned > 0 {
            return Some(format!(
                "eval: the gold of {} document(s) does not line up with them (each is \
                 reported above); the scores leave them out",
                self.misaligned
            ));
        }
        if self.scored == 0 {
            let why = if !gold.is_dir() {
                format!("{} is not a folder", gold.display())
            } else if self.no_gold > 0 {
                format!(
                    "none of the {} document(s) read has a gold file in {} (<id>.tsv or \
                     <id>.gold.tsv)",
                    self.no_gold,
                    gold.display()
                )
            } else if self.excluded > 0 {
                "every document read is excluded".to_string()
            } else {
                "no document was read".to_string()
            };
            return Some(format!("eval: no document scored: {why}"));
        }
        None
    }

    /// The `n` groups with the most wrongly labelled words (false positives
    /// and negatives of body).
    fn worst_groups(&self, n: usize) -> Vec<(&str, u64, Prf)> {
        let mut groups: Vec<_> = self
            .groups
            .iter()
            .filter(|(_, (_, prf))| prf.fp + prf.fn_ > 0)
            .map(|(g, (docs, prf))| (g.as_str(), *docs, *prf))
            .collect();
        groups.sort_by_key(|&(g, _, prf)| (std::cmp::Reverse(prf.fp + prf.fn_), g));
        groups.truncate(n);
        groups
    }

    /// Word scores of the documents in groups with one scored document and
    /// in groups with more: (documents, scores) each.
    fn by_group_size(&self) -> [(u64, Prf); 2] {
        let mut out = [(0, Prf::default()); 2];
        for (docs, prf) in self.groups.values() {
            let slot = &mut out[usize::from(*docs > 1)];
            slot.0 += docs;
            slot.1.merge(prf);
        }
        out
    }

    /// Per-label precision and recall from the confusion matrix.
    fn per_label(&self) -> [(f64, f64); 6] {
        std::array::from_fn(|l| {
            let predicted: u64 = self.confusion.iter().map(|row| row[l]).sum();
            let gold: u64 = self.confusion[l].iter().sum();
            (
                ratio(self.confusion[l][l], predicted),
                ratio(self.confusion[l][l], gold),
            )
        })
    }

    fn json(&self, by: Option<&str>, top: usize) -> serde_json::Value {
        let by_values: serde_json::Map<String, serde_json::Value> = self
            .by
            .iter()
            .map(|(v, (docs, words, lines))| {
                (
                    v.clone(),
                    json!({"documents": docs, "words": words.json(), "lines": lines.json()}),
                )
            })
            .collect();
        let worst: Vec<_> = self
            .worst_groups(top)
            .into_iter()
            .map(|(g, docs, prf)| json!({"group": g, "documents": docs, "words": prf.json()}))
            .collect();
        let sizes = self.by_group_size();
        let per_label: serde_json::Map<String, serde_json::Value> = Label::ALL
            .iter()
            .zip(self.per_label())
            .map(|(l, (p, r))| (l.as_str().to_string(), json!({"precision": p, "recall": r})))
            .collect();
        json!({
            "documents": {
                "scored": self.scored, "excluded": self.excluded,
                "no_gold": self.no_gold, "misaligned": self.misaligned,
            },
            "groups": self.groups.len(),
            "words": self.all.words.json(),
            "lines": self.all.lines.json(),
            "by": by.map(|column| json!({"column": column, "values": by_values})),
            "worst_groups": worst,
            "group_size": {
                "single": {"documents": sizes[0].0, "words": sizes[0].1.json()},
                "several": {"documents": sizes[1].0, "words": sizes[1].1.json()},
            },
            "six_label": (self.six_label_docs > 0).then(|| json!({
                "documents": self.six_label_docs,
                "labels": Label::ALL.map(Label::as_str),
                "confusion": self.confusion,
                "per_label": per_label,
            })),
        })
    }

    fn print(&self, out: &mut String, by: Option<&str>, top: usize) -> fmt::Result {
        writeln!(
            out,
            "{} documents scored ({} excluded, {} without gold, {} misaligned), {} site groups",
            self.scored,
            self.excluded,
            self.no_gold,
            self.misaligned,
            self.groups.len()
        )?;
        writeln!(
            out,
            "\n{:<31} {:>9} {:>7} {:>7}   tp / fp / fn",
            "body", "precision", "recall", "F1"
        )?;
        for (name, prf) in [("by words", &self.all.words), ("by lines", &self.all.lines)] {
            print_prf(out, name, prf)?;
        }
        if let Some(column) = by {
            writeln!(
                out,
                "\n{:<24} {:>6}",
                format!("by {column} (words)"),
                "docs"
            )?;
            for (value, (docs, words, _)) in &self.by {
                print_prf(out, &format!("{value:<24} {docs:>6}"), words)?;
            }
        }
        let sizes = self.by_group_size();
        writeln!(out, "\n{:<24} {:>6}", "site groups (words)", "docs")?;
        print_prf(
            out,
            &format!("{:<24} {:>6}", "alone in their group", sizes[0].0),
            &sizes[0].1,
        )?;
        print_prf(
            out,
            &format!("{:<24} {:>6}", "with others", sizes[1].0),
            &sizes[1].1,
        )?;
        let worst = self.worst_groups(top);
        if !worst.is_empty() {
            writeln!(
                out,
                "\nthe {} site groups with the most wrongly labelled words:",
                worst.len()
            )?;
            writeln!(out, "{:<24} {:>6}", "group (words)", "docs")?;
            for (group, docs, prf) in worst {
                let group = if group.is_empty() { "\"\"" } else { group };
                print_prf(out, &format!("{:<24} {docs:>6}", truncate(group, 24)), &prf)?;
            }
        }
        if self.six_label_docs > 0 {
            self.print_confusion(out)?;
        }
        Ok(())
    }

    fn print_confusion(&self, out: &mut String) -> fmt::Result {
        writeln!(
            out,
            "\nsix-label confusion over {} documents (lines; rows gold, columns dechaff):",
            self.six_label_docs
        )?;
        write!(out, "{:<15}", "")?;
        for l in Label::ALL {
            write!(out, "{:>15}", l.as_str())?;
        }
        writeln!(out, "{:>10}", "recall")?;
        let per_label = self.per_label();
        for l in Label::ALL {
            write!(out, "{:<15}", l.as_str())?;
            for n in self.confusion[l.index()] {
                write!(out, "{n:>15}")?;
            }
            writeln!(out, "{:>10.3}", per_label[l.index()].1)?;
        }
        write!(out, "{:<15}", "precision")?;
        for (p, _) in per_label {
            write!(out, "{p:>15.3}")?;
        }
        writeln!(out)
    }
}

fn print_prf(out: &mut String, name: &str, prf: &Prf) -> fmt::Result {
    writeln!(
        out,
        "{name:<31} {:>9.3} {:>7.3} {:>7.3}   {} / {} / {}",
        prf.precision(),
        prf.recall(),
        prf.f1(),
        prf.tp,
        prf.fp,
        prf.fn_
    )
}

fn truncate(s: &str, n: usize) -> &str {
    s.char_indices().nth(n).map_or(s, |(i, _)| &s[..i])
}

/// Whether the inputs are folders written by `label --format tsv`: folders
/// with `.tsv` files and no `.txt` file.
fn is_labelled_output(paths: &[std::path::PathBuf]) -> Result<bool> {
    let labelled = |p: &Path| -> Result<bool> {
        Ok(p.is_dir()
            && dechaff::dump::DirReader::new(p)?.next().is_none()
            && dechaff::dump::DirReader::with_extension(p, "tsv")?
                .next()
                .is_some())
    };
    let first = labelled(&paths[0])?;
    for p in &paths[1..] {
        if labelled(p)? != first {
            return Err("eval: mix of raw inputs and folders of labelled output".into());
        }
    }
    Ok(first)
}

/// Run `eval`: print the scores, and return why they are not to be trusted
/// if they are not (no document scored, or misaligned documents).
pub fn run(args: &Args, progress: &mut Progress) -> Result<Option<String>> {
    let excluded: HashSet<String> = match &args.exclude {
        Some(path) => fs::read_to_string(path)
            .map_err(|e| format!("{}: {e}", path.display()))?
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
        None => HashSet::new(),
    };
    let gold = args.gold.as_deref().ok_or("eval needs --gold")?;
    match fs::metadata(gold) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => return Err(format!("--gold {}: not a folder", gold.display()).into()),
        Err(e) => return Err(format!("--gold {}: {e}", gold.display()).into()),
    }
    let scorer = Scorer {
        gold,
        excluded: &excluded,
    };
    let mut totals = Totals::default();
    let by = args.by.as_deref();
    let mut source = Source::new(args)?;
    let labelled_output = is_labelled_output(source.paths())?;
    if labelled_output {
        source.read_extension("tsv");
    }
    let manifest = source.manifest();
    let mut add = |doc: &Document, outcome: Outcome, progress: &mut Progress| {
        let value = by.map(|column| {
            manifest
                .and_then(|m| m.get(&doc.id, column))
                .unwrap_or("(none)")
        });
        totals.add(doc, outcome, value, progress);
        Ok(())
    };
    if labelled_output {
        progress.begin("eval");
        source.for_each_batch(progress, true, |batch, progress| {
            let outcomes: Vec<Outcome> = batch
                .par_iter()
                .map(|doc| {
                    scorer.score(
                        &doc.id,
                        dechaff::lines(&doc.text).map(|l| predicted_row(l.bytes())),
                    )
                })
                .collect();
            for (doc, outcome) in batch.iter().zip(outcomes) {
                add(doc, outcome, progress)?;
            }
            progress.tick(format_args!(""));
            Ok(())
        })?;
        progress.end(format_args!(""));
    } else {
        let models = crate::models_for(args, &source, progress)?;
        let labellers = pipeline::Labellers::new(models);
        let map = |doc: &Document, labelled: &Labelled| {
            scorer.score(
                &doc.id,
                labelled
                    .iter()
                    .filter(|l| !l.is_blank())
                    .map(|l| (Some(l.label()), l.bytes())),
            )
        };
        pipeline::label_each(&source, &labellers, progress, map, &mut add)?;
    }
    let mut report = String::new();
    if args.json {
        writeln!(report, "{:#}", totals.json(by, args.top))?;
    } else {
        totals.print(&mut report, by, args.top)?;
    }
    io::stdout().write_all(report.as_bytes())?;
    Ok(totals.failure(gold))
}
