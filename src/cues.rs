//! Multilingual cue lexicons, kept as data in `cues.tsv`.

use std::{
    collections::{BTreeMap, HashMap},
    sync::LazyLock,
};

use crate::{
    fold::{normalize, Folded},
    hash::{word_hash, BuildMix},
    labels::{top_boilerplate, Label},
    pattern::Pattern,
    wordtable::WordTable,
};

type WordMap = HashMap<u64, Vec<u16>, BuildMix>;

/// The bit of a [`Lexicon::words`] value that marks a stopword; the other
/// bits are one more than the index of the word's cue list in
/// [`Lexicon::starting`] (0: no phrase starts with the word).
const STOPWORD: u16 = 1 << 15;

/// Pattern cues are tried on lines of at most this many words: their
/// shapes (a job listing, a sponsor line) are short, and a long line is
/// prose whatever phrase it holds.
const PATTERN_MAX_WORDS: u32 = 40;

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
    /// Word hashes of each cue's phrase (empty for `pattern` cues).
    cue_words: Vec<Vec<u64>>,
    /// Line fingerprint -> the first `line` cue of each distinct phrase
    /// with that fingerprint (the text is compared on a hit).
    whole_line: WordMap,
    /// The words every folded word is looked up in, in one table: the
    /// stopwords (`stopwords.txt`, for the stopword-density feature) and
    /// the first words of the `strong` and `weak` phrases (see
    /// [`STOPWORD`]).
    words: WordTable,
    /// The `strong` and `weak` cues whose phrase starts with a given word,
    /// in lexicon order, one list per first word. Phrases match whole
    /// words: a phrase matches where its word hashes equal a run of the
    /// line's, and then its text is compared with the run's.
    starting: Vec<Vec<u16>>,
    /// The `pattern` cues, tested one by one over lines of up to 40 words
    /// (`is_match` per pattern reports what a `RegexSet` would, and lets
    /// each use its own prefilters: the ASCII bytes a match needs, then a
    /// looser copy of the pattern, see [`Pattern`]).
    patterns: Vec<Pattern>,
    /// Index in `patterns` -> cue index.
    regex_cue: Vec<u16>,
}

static SOURCE: &str = include_str!("cues.tsv");
static STOPWORDS: &str = include_str!("stopwords.txt");

pub(crate) static LEXICON: LazyLock<Lexicon> = LazyLock::new(|| Lexicon::parse(SOURCE, STOPWORDS));

/// The hashes of the folded words of a stopword list (one or more words a
/// line, `#` starts a comment; a word may fold to several, as `it's` does).
fn stopword_hashes(source: &str) -> Vec<u64> {
    let mut folded = Folded::default();
    let mut out = Vec::new();
    for row in source.lines() {
        if row.starts_with('#') {
            continue;
        }
        for word in row.split_whitespace() {
            folded.fill(word.as_bytes());
            out.extend_from_slice(&folded.words);
        }
    }
    out
}

impl Lexicon {
    fn parse(source: &str, stopwords: &str) -> Lexicon {
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
        let mut whole_line = WordMap::default();
        // First word hash -> its cues, then each word's table value.
        let mut anywhere: BTreeMap<u64, Vec<u16>> = BTreeMap::new();
        // A folded phrase's words are its space-separated parts.
        let cue_words: Vec<Vec<u64>> = cues
            .iter()
            .map(|cue| match cue.kind {
                CueKind::Pattern => Vec::new(),
                _ => cue
                    .phrase
                    .split(' ')
                    .map(|w| word_hash(w.as_bytes()))
                    .collect(),
            })
            .collect();
        let mut regexes = Vec::new();
        let mut regex_cue = Vec::new();
        for (i, cue) in cues.iter().enumerate() {
            let i = u16::try_from(i).expect("too many cues");
            match cue.kind {
                CueKind::Line => {
                    let fp = Folded::fingerprint_of(&cue_words[i as usize]).as_u64();
                    let same = whole_line.entry(fp).or_default();
                    if !same.iter().any(|&j| cues[j as usize].phrase == cue.phrase) {
                        same.push(i);
                    }
                }
                CueKind::Strong | CueKind::Weak => {
                    let first = cue_words[i as usize][0];
                    anywhere.entry(first).or_default().push(i);
                }
                CueKind::Pattern => {
                    regexes.push(format!("(?i){}", cue.phrase));
                    regex_cue.push(i);
                }
            }
        }
        let patterns = regexes
            .iter()
            .map(|r| Pattern::new(r).expect("cues.tsv: pattern cues compile"))
            .collect();
        let mut values: BTreeMap<u64, u16> = BTreeMap::new();
        let mut starting = Vec::new();
        for (first, list) in anywhere {
            starting.push(list);
            let id = u16::try_from(starting.len()).expect("too many first words");
            assert!(id < STOPWORD, "too many first words");
            values.insert(first, id);
        }
        for w in stopword_hashes(stopwords) {
            *values.entry(w).or_default() |= STOPWORD;
        }
        let entries: Vec<(u64, u16)> = values.into_iter().collect();
        Lexicon {
            cues,
            cue_words,
            whole_line,
            words: WordTable::new(&entries),
            starting,
            patterns,
            regex_cue,
        }
    }

    /// Add the hits of the `pattern` cues on a raw line of `words` words.
    /// `ascii` has bit `b` set for every ASCII byte `b` of the line (it may
    /// have more bits set, never fewer).
    pub(crate) fn scan_raw(&self, raw: &[u8], ascii: u128, words: u32, hits: &mut CueHits) {
        if words > PATTERN_MAX_WORDS || self.regex_cue.is_empty() {
            return;
        }
        for (re, &ci) in self.patterns.iter().zip(&self.regex_cue) {
            if !re.may_match(ascii) || !re.is_match(raw) {
                continue;
            }
            let li = self.cues[ci as usize].label.index();
            hits.strong[li] = hits.strong[li].saturating_add(1);
            hits.strong_cue[li].get_or_insert(ci);
        }
    }

    /// Scan a folded text (words joined by single spaces; any other text
    /// is taken as words between spaces).
    pub(crate) fn scan(&self, folded: &str) -> CueHits {
        let text = folded.as_bytes();
        let mut words = Vec::new();
        let mut starts = Vec::new();
        let mut at = 0u32;
        for w in text.split(|&b| b == b' ') {
            words.push(word_hash(w));
            starts.push(at);
            at += w.len() as u32 + 1;
        }
        let fp = Folded::fingerprint_of(&words).as_u64();
        let mut hits = CueHits::default();
        self.scan_words(text, &words, &starts, fp, &mut hits);
        hits
    }

    /// Scan a folded line (its text, its words' hashes and byte offsets in
    /// the text, and its fingerprint) into `hits`, which holds no hits yet,
    /// and count its stopwords. Each word is looked up once, for both.
    pub(crate) fn scan_words(
        &self,
        text: &[u8],
        words: &[u64],
        starts: &[u32],
        fp: u64,
        hits: &mut CueHits,
    ) -> u32 {
        let mut stopwords = 0;
        if text.is_empty() {
            return stopwords;
        }
        if let Some(same) = self.whole_line.get(&fp) {
            hits.line = same
                .iter()
                .copied()
                .find(|&i| self.cues[i as usize].phrase.as_bytes() == text);
        }
        for (p, &w) in words.iter().enumerate() {
            let value = self.words.get(w);
            stopwords += u32::from(value & STOPWORD != 0);
            let first = value & !STOPWORD;
            if first != 0 {
                self.scan_cues_at(p, first, text, words, starts, hits);
            }
        }
        stopwords
    }

    /// Add to `hits` the cues that start with the `p`-th word of a folded
    /// line, whose table value names the cues starting with it (`first`).
    /// Out of line, so that the loop over every word keeps its registers.
    #[inline(never)]
    fn scan_cues_at(
        &self,
        p: usize,
        first: u16,
        text: &[u8],
        words: &[u64],
        starts: &[u32],
        hits: &mut CueHits,
    ) {
        let end_of = |w: usize| starts.get(w + 1).map_or(text.len(), |&s| s as usize - 1);
        for &ci in &self.starting[first as usize - 1] {
            let phrase = &self.cue_words[ci as usize];
            if words.get(p..p + phrase.len()) != Some(phrase.as_slice()) {
                continue;
            }
            let cue = &self.cues[ci as usize];
            let run = &text[starts[p] as usize..end_of(p + phrase.len() - 1)];
            if run != cue.phrase.as_bytes() {
                continue;
            }
            let li = cue.label.index();
            let (count, best) = match cue.kind {
                CueKind::Strong => (&mut hits.strong[li], &mut hits.strong_cue[li]),
                _ => (&mut hits.weak[li], &mut hits.weak_cue[li]),
            };
            *count = count.saturating_add(1);
            // Longest phrase; among equal lengths the first found (the
            // leftmost occurrence, then lexicon order).
            if best.is_none_or(|b| cue.phrase.len() > self.cues[b as usize].phrase.len()) {
                *best = Some(ci);
            }
        }
    }

    pub(crate) fn cue(&self, i: u16) -> &Cue {
        &self.cues[i as usize]
    }

    /// Whether cue `i` matched only part of a line of `words` folded words
    /// (a `pattern` cue always does): the line says more than the phrase.
    pub(crate) fn within(&self, i: u16, words: u32) -> bool {
        let n = self.cue_words[i as usize].len();
        n == 0 || n < words as usize
    }
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

/// The first cue of the boilerplate label with most hits (ties go to the
/// earlier label).
#[inline]
fn best_of(counts: &[u8; 6], cues: &[Option<u16>; 6]) -> Option<u16> {
    if *counts == [0; 6] {
        return None; // most lines: no hit at all
    }
    cues[top_boilerplate(counts)?.index()]
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
}
