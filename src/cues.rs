//! Multilingual cue lexicons, kept as data in `cues.tsv`.

use std::{collections::HashMap, sync::LazyLock};

use aho_corasick::{AhoCorasick, MatchKind};
use regex::bytes::Regex;

use crate::{fingerprint::normalize, label::Label};

/// How much a cue says on its own. See `cues.tsv`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum CueKind {
    /// The whole folded line equals the phrase.
    Line,
    /// The phrase anywhere marks the line as boilerplate of its label.
    Strong,
    /// The phrase names the role of a line known to be boilerplate.
    Weak,
    /// A regular expression over the raw line (case-insensitive); a match
    /// counts as a strong cue. For shapes no phrase captures, such as job
    /// listings `<title> at <employer> (<place>)`.
    Pattern,
}

/// One row of the lexicon.
#[derive(Debug)]
pub(crate) struct Cue {
    pub(crate) label: Label,
    pub(crate) kind: CueKind,
    /// The folded phrase.
    pub(crate) phrase: String,
}

pub(crate) struct Lexicon {
    pub(crate) cues: Vec<Cue>,
    whole_line: HashMap<String, u16>,
    /// Automaton over the `Strong` and `Weak` phrases.
    anywhere: AhoCorasick,
    /// Pattern index in `anywhere` -> cue index.
    pattern_cue: Vec<u16>,
    /// The `pattern` cues, tested one by one over lines of up to 40 words
    /// (`is_match` per pattern reports what a `RegexSet` would, and lets
    /// each regex use its own literal prefilters).
    patterns: Vec<Regex>,
    /// Index in `patterns` -> cue index.
    regex_cue: Vec<u16>,
    /// Per pattern: ASCII byte sets of which a matching line must hold one
    /// byte each (a necessary condition, checked before the regex runs).
    regex_needs: Vec<Vec<u128>>,
}

static SOURCE: &str = include_str!("cues.tsv");

pub(crate) static LEXICON: LazyLock<Lexicon> = LazyLock::new(|| Lexicon::parse(SOURCE));

impl Lexicon {
    fn parse(source: &str) -> Lexicon {
        let mut cues = Vec::new();
        for row in source.lines() {
            let row = row.trim_end();
            if row.is_empty() || row.starts_with('#') {
                continue;
            }
            let mut cols = row.split('\t');
            let (Some(_lang), Some(label), Some(kind), Some(phrase)) =
                (cols.next(), cols.next(), cols.next(), cols.next())
            else {
                panic!("cues.tsv: malformed row {row:?}");
            };
            let label: Label = label.parse().expect("cues.tsv: unknown label");
            let kind = match kind {
                "line" => CueKind::Line,
                "strong" => CueKind::Strong,
                "weak" => CueKind::Weak,
                "pattern" => CueKind::Pattern,
                other => panic!("cues.tsv: unknown kind {other:?}"),
            };
            let phrase = if kind == CueKind::Pattern {
                phrase.to_string()
            } else {
                normalize(phrase.as_bytes())
            };
            assert!(
                !phrase.is_empty(),
                "cues.tsv: phrase folds to nothing: {row:?}"
            );
            cues.push(Cue {
                label,
                kind,
                phrase,
            });
        }
        let mut whole_line = HashMap::new();
        let mut patterns = Vec::new();
        let mut pattern_cue = Vec::new();
        let mut regexes = Vec::new();
        let mut regex_cue = Vec::new();
        for (i, cue) in cues.iter().enumerate() {
            let i = u16::try_from(i).expect("too many cues");
            match cue.kind {
                CueKind::Line => {
                    whole_line.entry(cue.phrase.clone()).or_insert(i);
                }
                CueKind::Strong | CueKind::Weak => {
                    patterns.push(cue.phrase.as_str());
                    pattern_cue.push(i);
                }
                CueKind::Pattern => {
                    regexes.push(format!("(?i){}", cue.phrase));
                    regex_cue.push(i);
                }
            }
        }
        let anywhere = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(&patterns)
            .expect("cue automaton");
        let regex_needs = regexes.iter().map(|r| required_ascii(r)).collect();
        let patterns = regexes
            .iter()
            .map(|r| Regex::new(r).expect("cues.tsv: pattern cues compile"))
            .collect();
        Lexicon {
            cues,
            whole_line,
            anywhere,
            pattern_cue,
            patterns,
            regex_cue,
            regex_needs,
        }
    }

    /// Add the hits of the `pattern` cues on a raw line of `words` words.
    /// `ascii` has bit `b` set for every ASCII byte `b` of the line (it may
    /// have more bits set, never fewer).
    pub(crate) fn scan_raw(&self, raw: &[u8], ascii: u128, words: u32, hits: &mut CueHits) {
        if words > 40 || self.regex_cue.is_empty() {
            return;
        }
        for ((re, &ci), needs) in self
            .patterns
            .iter()
            .zip(&self.regex_cue)
            .zip(&self.regex_needs)
        {
            if needs.iter().any(|&set| ascii & set == 0) || !re.is_match(raw) {
                continue;
            }
            let li = self.cues[ci as usize].label.index();
            hits.strong[li] = hits.strong[li].saturating_add(1);
            hits.strong_cue[li].get_or_insert(ci);
        }
    }

    /// Scan a folded line.
    pub(crate) fn scan(&self, folded: &str) -> CueHits {
        let mut hits = CueHits::default();
        if folded.is_empty() {
            return hits;
        }
        if let Some(&i) = self.whole_line.get(folded) {
            hits.line = Some(i);
        }
        let bytes = folded.as_bytes();
        for m in self.anywhere.find_overlapping_iter(folded) {
            let (s, e) = (m.start(), m.end());
            let left = s == 0 || bytes[s - 1] == b' ';
            let right = e == bytes.len() || bytes[e] == b' ';
            if !(left && right) {
                continue;
            }
            let ci = self.pattern_cue[m.pattern().as_usize()];
            let cue = &self.cues[ci as usize];
            let li = cue.label.index();
            let (count, best) = match cue.kind {
                CueKind::Strong => (&mut hits.strong[li], &mut hits.strong_cue[li]),
                _ => (&mut hits.weak[li], &mut hits.weak_cue[li]),
            };
            *count = count.saturating_add(1);
            if best.is_none_or(|b| cue.phrase.len() > self.cues[b as usize].phrase.len()) {
                *best = Some(ci);
            }
        }
        hits
    }

    pub(crate) fn cue(&self, i: u16) -> &Cue {
        &self.cues[i as usize]
    }
}

/// ASCII byte sets of which every match of `pattern` holds at least one
/// byte each: the ASCII literals and ASCII-only classes that a match cannot
/// skip (required parts of top-level concatenations). Empty when unknown.
fn required_ascii(pattern: &str) -> Vec<u128> {
    use regex_syntax::hir::{Class, Hir, HirKind};
    fn collect(h: &Hir, out: &mut Vec<u128>) {
        match h.kind() {
            HirKind::Literal(lit) => {
                out.extend(lit.0.iter().filter(|&&b| b < 0x80).map(|&b| 1u128 << b));
            }
            HirKind::Class(class) => {
                let ranges: Vec<(u32, u32)> = match class {
                    Class::Unicode(c) => c
                        .ranges()
                        .iter()
                        .map(|r| (r.start() as u32, r.end() as u32))
                        .collect(),
                    Class::Bytes(c) => c
                        .ranges()
                        .iter()
                        .map(|r| (r.start() as u32, r.end() as u32))
                        .collect(),
                };
                if !ranges.is_empty() && ranges.iter().all(|&(_, e)| e < 0x80) {
                    let mut set = 0u128;
                    for (s, e) in ranges {
                        for b in s..=e {
                            set |= 1u128 << b;
                        }
                    }
                    out.push(set);
                }
            }
            HirKind::Concat(subs) => subs.iter().for_each(|s| collect(s, out)),
            HirKind::Capture(c) => collect(&c.sub, out),
            HirKind::Repetition(r) if r.min >= 1 => collect(&r.sub, out),
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Ok(hir) = regex_syntax::ParserBuilder::new()
        .utf8(false)
        .build()
        .parse(pattern)
    {
        collect(&hir, &mut out);
    }
    out
}

/// What the lexicon found in one line.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct CueHits {
    /// A `line` cue equal to the whole line.
    pub(crate) line: Option<u16>,
    /// Strong hits per label index.
    pub(crate) strong: [u8; 6],
    /// Weak hits per label index.
    pub(crate) weak: [u8; 6],
    /// The longest strong cue per label index.
    pub(crate) strong_cue: [Option<u16>; 6],
    /// The longest weak cue per label index.
    pub(crate) weak_cue: [Option<u16>; 6],
}

impl CueHits {
    /// The cue that decides the line on its own, if any: a whole-line cue,
    /// else the label with most strong hits.
    pub(crate) fn decisive(&self) -> Option<u16> {
        self.line
            .or_else(|| best_of(&self.strong, &self.strong_cue))
    }

    /// The cue naming the line's role: decisive cues first, then the label
    /// with most weak hits (ties go to the earlier label).
    pub(crate) fn role(&self) -> Option<u16> {
        self.decisive()
            .or_else(|| best_of(&self.weak, &self.weak_cue))
    }
}

fn best_of(counts: &[u8; 6], cues: &[Option<u16>; 6]) -> Option<u16> {
    let mut best: Option<usize> = None;
    for l in 1..6 {
        if counts[l] > 0 && best.is_none_or(|b| counts[l] > counts[b]) {
            best = Some(l);
        }
    }
    cues[best?]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexicon_parses_and_matches_at_word_boundaries() {
        let lex = &*LEXICON;
        assert!(lex.cues.len() > 100);
        let h = lex.scan(&normalize(b"Senior Engineer (m/w/d)"));
        assert_eq!(h.decisive().map(|i| lex.cue(i).label), Some(Label::JobAd));
        let h = lex.scan(&normalize(b"Newsletters are great"));
        assert_eq!(
            h.weak[Label::Navigation.index()],
            0,
            "newsletter must not match inside newsletters"
        );
        let h = lex.scan(&normalize(b"Startseite"));
        assert_eq!(h.line.map(|i| lex.cue(i).label), Some(Label::Navigation));
    }

    #[test]
    fn required_ascii_sets() {
        let bit = |b: u8| 1u128 << b;
        assert_eq!(
            required_ascii(r"(?i)^x\s+at\s+\((?:ab|cd)\)$"),
            [
                bit(b'x') | bit(b'X'),
                bit(b'a') | bit(b'A'),
                bit(b't') | bit(b'T'),
                bit(b'('),
                bit(b')'),
            ]
        );
        assert!(required_ascii(r"(?:a)?b*|c").is_empty());
        // `k` folds to the Kelvin sign: not an ASCII-only set.
        assert!(required_ascii(r"(?i)k").is_empty());
    }
}
