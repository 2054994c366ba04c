//! Per-line analysis shared by the learner and the labeller: folding, cues
//! and shallow line features, computed in one pass over a page.

use std::sync::LazyLock;

use crate::{
    cues::{CueHits, LEXICON},
    fold::{Fingerprint, Folded},
    lines::{lines, Span},
    marks::{marks, Marks, MARK_WORDS},
    pattern::Pattern,
};

/// Dates, times of day and "n days ago", tested on short lines. Each
/// branch needs a `\d`.
static DATE: LazyLock<Pattern> = LazyLock::new(|| {
    const MONTHS: &str = "jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|januar|februar|märz|maerz|mai|juni|juli|oktober|dezember";
    let branches = [
        format!(r"(?i)\b(?:{MONTHS})[a-zä]*\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b"),
        format!(r"(?i)\b\d{{1,2}}(?:st|nd|rd|th)?\.?\s+(?:{MONTHS})[a-zä]*\.?,?\s+\d{{4}}\b"),
        r"\b\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})\b|\b\d{4}-\d{2}-\d{2}\b".to_string(),
        r"(?i)\b\d{1,2}:\d{2}\s*(?:am|pm|uhr)?\b".to_string(),
        r"(?i)\b\d+\s+(?:minutes?|hours?|days?|weeks?|months?|years?)\s+ago\b|\bvor\s+\d+\s+(?:minuten|stunden|tagen|wochen|monaten|jahren)\b".to_string(),
    ];
    let alternation: Vec<String> = branches.iter().map(|b| format!("(?:{b})")).collect();
    Pattern::new(&alternation.join("|")).expect("date pattern compiles")
});

/// A byline (`By …`, `Von …`), tested on short lines. Needs the line to
/// start with a list marker or `by`/`von`/`posted`/`written`/`autor`.
static BYLINE: LazyLock<Pattern> = LazyLock::new(|| {
    Pattern::new(r"^(?:[-*•]\s+)?(?i:by|von|posted by|written by|autor(?:in)?:?)\s+\p{Lu}")
        .expect("byline pattern compiles")
});

/// A comment's author line (`… says:`), tested on short lines. Needs a `:`
/// and a line that ends in `:` or in a `\s` that trimming leaves.
static AUTHOR_SAYS: LazyLock<Pattern> = LazyLock::new(|| {
    Pattern::new(r"(?i)\b(?:says|said|wrote|writes|schreibt|sagt|meint|kommentierte)\s*:\s*$")
        .expect("author line pattern compiles")
});

/// Everything the labeller needs to know about one line.
#[derive(Clone, Debug, Default)]
pub(crate) struct LineInfo {
    pub(crate) span: Span,
    /// Full span including the terminator.
    pub(crate) full: Span,
    pub(crate) blank: bool,
    pub(crate) fp: Fingerprint,
    /// Whitespace-separated tokens of the raw line (the scoring unit).
    pub(crate) words: u32,
    /// Words of the folded line.
    pub(crate) folded_words: u32,
    /// Characters (not bytes) of the raw line, trimmed.
    pub(crate) chars: u32,
    /// Folded words that are stopwords.
    pub(crate) stopwords: u32,
    /// Raw tokens that start with an uppercase letter.
    pub(crate) capitalised: u32,
    /// Raw tokens that start with a letter.
    pub(crate) alphabetic: u32,
    /// Starts with a list marker (`- `, `* `, `+ `, `• `, `· `, `– `).
    pub(crate) list_item: bool,
    /// Ends with sentence punctuation.
    pub(crate) terminal: bool,
    /// Separators typical of menus and breadcrumbs (`|`, `>`, `»`, `›`, `·`
    /// standing alone).
    pub(crate) separators: u32,
    /// Commas, a mark of running prose.
    pub(crate) commas: u32,
    /// ASCII digits.
    pub(crate) digits: u32,
    /// Ends with a colon (a label or lead-in).
    pub(crate) colon_end: bool,
    /// Holds a date, a time of day or an "n days ago" (short lines only).
    pub(crate) date: bool,
    /// Reads like a byline or a comment's author line (`By …`, `… says:`).
    pub(crate) byline: bool,
    pub(crate) cues: CueHits,
    /// Contact and legal marks (lines of up to [`MARK_WORDS`] words).
    pub(crate) marks: Marks,
    /// Where this line's prefix keys start in [`PageInfo::keys`]; its
    /// `n_keys` prefix keys are followed by `n_keys` suffix keys.
    pub(crate) keys_at: u32,
    /// Number of prefix (and of suffix) keys.
    pub(crate) n_keys: u8,
    /// Where this line's folded word hashes start in
    /// [`PageInfo::word_hashes`] (short lines only).
    pub(crate) word_hashes_at: u32,
}

/// The analysed lines of one page.
#[derive(Clone, Debug, Default)]
pub(crate) struct PageInfo {
    pub(crate) lines: Vec<LineInfo>,
    /// Prefix and suffix keys of all lines, see [`LineInfo::keys_at`].
    pub(crate) keys: Vec<u64>,
    /// Folded word hashes of short lines (25 words or fewer), see
    /// [`LineInfo::word_hashes_at`].
    pub(crate) word_hashes: Vec<u64>,
    /// Sorted folded word hashes of the first non-blank line.
    pub(crate) title_words: Option<Vec<u64>>,
}

impl PageInfo {
    /// Key of the first `k` words of line `i` (`1 <= k <= n_keys`).
    pub(crate) fn prefix_keys(&self, i: usize) -> &[u64] {
        let l = &self.lines[i];
        let at = l.keys_at as usize;
        &self.keys[at..at + l.n_keys as usize]
    }

    /// Key of the last `k` words of line `i` at index `k - 1`.
    pub(crate) fn suffix_keys(&self, i: usize) -> &[u64] {
        let l = &self.lines[i];
        let at = l.keys_at as usize + l.n_keys as usize;
        &self.keys[at..at + l.n_keys as usize]
    }
}

/// Lines of at most this many folded words keep their word hashes, for
/// the title-overlap feature: a headline is short, and longer lines would
/// cost memory for nothing.
pub(crate) const HEADLINE_MAX_WORDS: usize = 25;

/// Analyse every line of `page`. `keys` asks for prefix and suffix keys,
/// `marks` for the contact and legal marks (only the six-class model reads
/// them).
pub(crate) fn analyze(page: &[u8], folded: &mut Folded, keys: bool, marks: bool) -> PageInfo {
    let lex = &*LEXICON;
    let mut out = PageInfo::default();
    out.lines
        .reserve(memchr::memchr_iter(b'\n', page).count() + 1);
    for line in lines(page) {
        let bytes = line.bytes();
        // Filled in place: a line's info is too big to build and then move.
        out.lines.push(LineInfo {
            span: line.span(),
            full: line.full_span(),
            blank: line.is_blank(),
            ..LineInfo::default()
        });
        let info = out.lines.last_mut().expect("a line was pushed");
        if info.blank {
            continue;
        }
        folded.fill(bytes);
        info.fp = folded.fingerprint();
        info.folded_words = folded.words.len() as u32;
        info.stopwords = lex.scan_words(
            folded.text(),
            &folded.words,
            &folded.starts,
            info.fp.as_u64(),
            &mut info.cues,
        );
        if out.title_words.is_none() {
            let mut t = folded.words.clone();
            t.sort_unstable();
            out.title_words = Some(t);
        }
        if folded.words.len() <= HEADLINE_MAX_WORDS {
            info.word_hashes_at = out.word_hashes.len() as u32;
            out.word_hashes.extend_from_slice(&folded.words);
        }
        if keys {
            info.keys_at = out.keys.len() as u32;
            info.n_keys = folded.n_slot_keys() as u8;
            folded.slot_keys(|_, k| out.keys.push(k));
        }
        shape(bytes, folded, marks, info);
        lex.scan_raw(bytes.trim_ascii(), folded.ascii, info.words, &mut info.cues);
    }
    out
}

/// A necessary condition for [`BYLINE`]: the line starts with the first
/// two letters of `by`, `von`, `posted`, `written` or `autor` in either case
/// (none of those letters has a non-ASCII case variant), or with a list
/// marker (`-`, `*`, `•`) and whitespace before them. A non-ASCII byte where
/// the whitespace or the letters would be may start a Unicode space, so it
/// passes.
fn may_be_byline(trimmed: &[u8]) -> bool {
    let after_marker = match trimmed {
        [b'-' | b'*', rest @ ..] => rest,
        [0xE2, 0x80, 0xA2, rest @ ..] => rest, // `•`
        _ => return starts_byline_word(trimmed),
    };
    let spaces = after_marker
        .iter()
        .position(|&b| !is_regex_space(b))
        .unwrap_or(after_marker.len());
    match after_marker.get(spaces) {
        Some(&b) if b >= 0x80 => true,
        _ => spaces > 0 && starts_byline_word(&after_marker[spaces..]),
    }
}

/// Whether `text` starts with the first two letters of a byline's lead
/// word (`by`, `von`, `posted`, `written`, `autor`), in either case.
fn starts_byline_word(text: &[u8]) -> bool {
    match text {
        [a, b, ..] => matches!(
            [a.to_ascii_lowercase(), b.to_ascii_lowercase()],
            [b'b', b'y'] | [b'v', b'o'] | [b'p', b'o'] | [b'w', b'r'] | [b'a', b'u']
        ),
        _ => false,
    }
}

/// ASCII whitespace as the regexes' `\s` sees it (with 0x0B, which
/// `u8::is_ascii_whitespace` leaves out).
fn is_regex_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r')
}

/// A necessary condition for [`AUTHOR_SAYS`]: a `:` in the line, and a line
/// that ends in `:` or in a `\s` that trimming leaves (0x0B, or a byte that
/// may end a non-ASCII space).
fn may_be_author_line(trimmed: &[u8], folded: &Folded) -> bool {
    AUTHOR_SAYS.may_match(folded.ascii) && matches!(trimmed.last(), Some(b':' | 0x0B | 0x80..=0xFF))
}

/// ASCII digits, as bits of [`Folded::ascii`].
const ASCII_DIGITS: u128 = 0x3ff << b'0';

/// A necessary condition for [`DATE`], branch by branch: a month name with
/// a year needs `\d{4}`; a numeric date `\d[./-]\d` (or `\d{4}`); a time
/// `\d:\d`; an "n days ago" a `\d` followed by a `\s` and the word `ago` or
/// `vor` (in either case; none of their letters has a non-ASCII case
/// variant). Without non-ASCII numerals every `\d` is an ASCII digit; a
/// byte of 0x80 or more may start a Unicode `\s`.
fn may_be_date(trimmed: &[u8], folded: &Folded) -> bool {
    if folded.numeric {
        return true;
    }
    if folded.ascii & ASCII_DIGITS == 0 {
        return false;
    }
    let mut digits = 0;
    let mut digit_then_space = false;
    for (i, &b) in trimmed.iter().enumerate() {
        if b.is_ascii_digit() {
            digits += 1;
            if digits == YEAR_DIGITS {
                return true;
            }
            continue;
        }
        if digits > 0 {
            match b {
                b'.' | b'/' | b'-' | b':' => {
                    if trimmed.get(i + 1).is_some_and(u8::is_ascii_digit) {
                        return true;
                    }
                }
                0x80..=0xFF => digit_then_space = true,
                _ => digit_then_space |= is_regex_space(b),
            }
        }
        digits = 0;
    }
    digit_then_space
        && trimmed
            .windows(3)
            .any(|w| w.eq_ignore_ascii_case(b"ago") || w.eq_ignore_ascii_case(b"vor"))
}

/// Digits of a year, which a date with a month name needs.
const YEAR_DIGITS: u32 = 4;

/// Raw-text shape features, in one pass over the line.
fn shape(bytes: &[u8], folded: &Folded, with_marks: bool, info: &mut LineInfo) {
    let trimmed = bytes.trim_ascii();
    info.list_item = matches!(trimmed, [b'-' | b'*' | b'+', b' ', ..])
        || trimmed.starts_with("• ".as_bytes())
        || trimmed.starts_with("· ".as_bytes())
        || trimmed.starts_with("– ".as_bytes());
    // Counts over the whole line, in one vectorised pass.
    let (mut chars, mut commas, mut digits) = (0u32, 0u32, 0u32);
    for chunk in trimmed.chunks(255) {
        let (mut c, mut k, mut d) = (0u8, 0u8, 0u8);
        for &b in chunk {
            c += u8::from((b as i8) >= -0x40);
            k += u8::from(b == b',');
            d += u8::from(b.wrapping_sub(b'0') < 10);
        }
        chars += u32::from(c);
        commas += u32::from(k);
        digits += u32::from(d);
    }
    info.chars = chars;
    info.commas = commas;
    info.digits = digits;
    count_tokens(trimmed, info);
    info.colon_end = trimmed.last() == Some(&b':');
    if with_marks && info.words <= MARK_WORDS {
        info.marks = marks(trimmed, folded.ascii, info.digits);
    }
    if info.words <= 12 {
        // Cheap necessary conditions first (see the patterns).
        info.date = may_be_date(trimmed, folded) && DATE.is_match(trimmed);
        info.byline = may_be_byline(trimmed) && BYLINE.is_match(trimmed)
            || (may_be_author_line(trimmed, folded) && AUTHOR_SAYS.is_match(trimmed));
    }
    let end = trimmed
        .iter()
        .rposition(|&b| !matches!(b, b'"' | b'\'' | b')' | b']'))
        .map(|i| &trimmed[..=i])
        .unwrap_or(trimmed);
    info.terminal = matches!(end.last(), Some(b'.' | b'!' | b'?' | b':' | b';'))
        || end.ends_with("…".as_bytes())
        || end.ends_with("“".as_bytes())
        || end.ends_with("”".as_bytes())
        || end.ends_with("«".as_bytes());
}

/// ASCII whitespace as `u8::is_ascii_whitespace` sees it, written as
/// compares so that loops over bytes vectorise.
#[inline(always)]
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0C | b'\r')
}

/// Token counts of a trimmed line. A token is a run of bytes other than
/// ASCII whitespace; counted are the tokens, those that start with a letter
/// and with an uppercase letter, and the separators (`|`, `>`, `»`, `›`,
/// `·` standing alone).
///
/// The tokens that start with an ASCII byte are counted in a branch-free
/// pass over byte pairs that the compiler vectorises, the ASCII separators
/// found with `memchr`; only lines with a token that starts with a non-ASCII
/// byte take a second, scalar pass over those tokens.
fn count_tokens(trimmed: &[u8], info: &mut LineInfo) {
    let Some(&first) = trimmed.first() else {
        return;
    };
    // A trimmed line starts a token at 0; the pairs below find the others.
    info.words += 1;
    info.alphabetic += u32::from(first.is_ascii_alphabetic());
    info.capitalised += u32::from(first.is_ascii_uppercase());
    let mut high = u32::from(first >= 0x80);
    let pairs = trimmed.len() - 1;
    for (at, chunk) in (0..pairs)
        .step_by(255)
        .map(|at| (at, (pairs - at).min(255)))
    {
        let (mut words, mut alpha, mut caps, mut hi) = (0u8, 0u8, 0u8, 0u8);
        let prev = &trimmed[at..at + chunk];
        let cur = &trimmed[at + 1..at + 1 + chunk];
        for (&p, &c) in prev.iter().zip(cur) {
            let start = is_space(p) & !is_space(c);
            words += u8::from(start);
            alpha += u8::from(start & c.is_ascii_alphabetic());
            caps += u8::from(start & c.is_ascii_uppercase());
            hi += u8::from(start & (c >= 0x80));
        }
        info.words += u32::from(words);
        info.alphabetic += u32::from(alpha);
        info.capitalised += u32::from(caps);
        high += u32::from(hi);
    }
    let n = trimmed.len();
    let ends_token = |at: usize| trimmed.get(at).is_none_or(|&b| is_space(b));
    // ASCII separators are rare: find them with memchr.
    for i in memchr::memchr2_iter(b'|', b'>', trimmed) {
        let alone = (i == 0 || is_space(trimmed[i - 1])) && ends_token(i + 1);
        info.separators += u32::from(alone);
    }
    if high == 0 {
        return;
    }
    for i in 0..n {
        if trimmed[i] < 0x80 || (i > 0 && !is_space(trimmed[i - 1])) {
            continue;
        }
        let rest = &trimmed[i..];
        let first = first_char(rest);
        if first.is_alphabetic() {
            info.alphabetic += 1;
            if first.is_uppercase() {
                info.capitalised += 1;
            }
        }
        if ["»", "›", "·"]
            .iter()
            .any(|sep| rest.starts_with(sep.as_bytes()) && ends_token(i + sep.len()))
        {
            info.separators += 1;
        }
    }
}

fn first_char(token: &[u8]) -> char {
    let head = &token[..token.len().min(4)];
    head.utf8_chunks()
        .next()
        .and_then(|c| c.valid().chars().next())
        .unwrap_or('\u{FFFD}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The token counts by the obvious byte-at-a-time walk.
    fn naive_tokens(trimmed: &[u8]) -> [u32; 4] {
        let (mut words, mut alpha, mut caps, mut seps) = (0, 0, 0, 0);
        let tokens = trimmed
            .split(|b| b.is_ascii_whitespace())
            .filter(|t| !t.is_empty());
        for token in tokens {
            words += 1;
            let first = String::from_utf8_lossy(token)
                .chars()
                .next()
                .unwrap_or('\u{FFFD}');
            alpha += u32::from(first.is_alphabetic());
            caps += u32::from(first.is_alphabetic() && first.is_uppercase());
            let sep = ["|", ">", "»", "›", "·"]
                .iter()
                .any(|s| token == s.as_bytes());
            seps += u32::from(sep);
        }
        [words, alpha, caps, seps]
    }

    proptest! {
        #[test]
        fn prefilters_and_loose_patterns_keep_every_match(
            parts in prop::collection::vec(
                prop::sample::select(vec![
                    "12", "3", "2024", ":", "30", ".", "/", "-", " ", "\u{a0}", "é", "É", "ß", "–",
                    "“", "_", "a", "am", "Uhr", "Jan", "März", "mai", "th", ",", "days", "ago",
                    "vor", "Tagen", "says", "wrote", "ſays", "٣", "\u{2028}", "\u{ff}", "By", "by",
                    "von", "VON", "Posted", "poſted", "written", "Autorin", "•", "* ", "- ", "\t", "Anna",
                    "\x0b", "\u{3000}", "21st", "Jan 3, 2024", "says:\x0b", "wrote: \u{a0}",
                    "By Anna", "12:30", "3 days ago", "vor 2 Tagen", "5.6.24",
                    "AGO", "Vor", "\u{85}", "\u{2009}", "•", "•By", "-by", "*\u{a0}", "3\u{a0}days ago",
                ]),
                0..14,
            ),
        ) {
            let text = parts.concat();
            let bytes = text.as_bytes().trim_ascii();
            let mut folded = Folded::default();
            folded.fill(bytes);
            // Each cheap condition holds wherever its pattern matches.
            prop_assert!(!BYLINE.is_match(bytes) || may_be_byline(bytes), "{:?}", text);
            prop_assert!(!DATE.exact().is_match(bytes) || may_be_date(bytes, &folded), "{:?}", text);
            prop_assert!(
                !AUTHOR_SAYS.exact().is_match(bytes) || may_be_author_line(bytes, &folded),
                "{:?}",
                text
            );
            for re in [&*DATE, &*AUTHOR_SAYS] {
                prop_assert_eq!(
                    re.is_match(text.as_bytes()),
                    re.exact().is_match(text.as_bytes()),
                    "{:?}",
                    text
                );
            }
        }

        #[test]
        fn token_counts_match_naive(
            parts in prop::collection::vec(
                prop::sample::select(vec![
                    " ", "\t", "\x0b", "\x0c", "\r", "|", ">", "»", "›", "·", "a", "Z", "É", "é",
                    "1", "“", "\u{80}", "\u{ff}", "ǅ", "|a", "»x",
                ]),
                0..600,
            ),
            bad in prop::collection::vec(any::<u8>(), 0..4),
        ) {
            let mut line = parts.concat().into_bytes();
            line.extend_from_slice(&bad);
            let trimmed = line.trim_ascii();
            let mut info = LineInfo::default();
            count_tokens(trimmed, &mut info);
            let got = [info.words, info.alphabetic, info.capitalised, info.separators];
            prop_assert_eq!(got, naive_tokens(trimmed));
        }
    }
}
