//! Regular expressions that try a cheaper, looser copy of themselves first.
//!
//! The regex engine's fast path is a lazy DFA. Two things push it off that
//! path on the lines dechaff tests: a Unicode `\b` (the DFA gives up on
//! non-ASCII text and the bounded backtracker takes over, at tens of times
//! the cost), and counted repetitions such as `.{2,80}` (the DFA needs a
//! state for every count, keeps building states and clears its cache).
//! Dropping word-boundary assertions and upper repetition bounds only widens
//! what a pattern matches, so [`Pattern::is_match`] runs that looser copy
//! first, which the DFA handles cheaply, and the pattern as written only on
//! the few lines that pass: the answer is always the pattern's own.

use regex::bytes::Regex;
use regex_syntax::hir::{Capture, Class, Hir, HirKind, Look, Repetition};

/// A compiled pattern with its looser copy and the ASCII bytes every match
/// needs.
#[derive(Clone, Debug)]
pub(crate) struct Pattern {
    exact: Regex,
    /// `None` when loosening changes nothing.
    loose: Option<Regex>,
    /// Sets of ASCII bytes of which every match holds at least one byte
    /// each (see [`required_ascii`]).
    needs: Vec<u128>,
}

impl Pattern {
    /// Compile `pattern` (regex crate syntax).
    pub(crate) fn new(pattern: &str) -> Result<Pattern, regex::Error> {
        let exact = Regex::new(pattern)?;
        let hir = regex_syntax::ParserBuilder::new()
            .utf8(false)
            .build()
            .parse(pattern)
            .ok();
        let loose = match &hir {
            Some(hir) => {
                let looser = loosen(hir);
                if &looser == hir {
                    None
                } else {
                    Some(Regex::new(&looser.to_string())?)
                }
            }
            None => None,
        };
        let mut needs = Vec::new();
        if let Some(hir) = &hir {
            required_ascii(hir, &mut needs);
        }
        Ok(Pattern {
            exact,
            loose,
            needs,
        })
    }

    /// Whether a line whose ASCII bytes are (a subset of) `ascii`, one bit
    /// per byte value, may match: `false` means it cannot.
    #[inline]
    pub(crate) fn may_match(&self, ascii: u128) -> bool {
        self.needs.iter().all(|&set| ascii & set != 0)
    }

    /// The pattern as written.
    #[cfg(test)]
    pub(crate) fn exact(&self) -> &Regex {
        &self.exact
    }

    /// Whether `text` matches the pattern as written.
    #[inline]
    pub(crate) fn is_match(&self, text: &[u8]) -> bool {
        self.loose.as_ref().is_none_or(|l| l.is_match(text)) && self.exact.is_match(text)
    }
}

/// `hir` without word-boundary assertions and without upper bounds on
/// repetitions: it matches everything `hir` matches, and more.
fn loosen(hir: &Hir) -> Hir {
    match hir.kind() {
        HirKind::Look(look) if !matches!(look, Look::Start | Look::End) => Hir::empty(),
        // `?` costs the DFA nothing: only counted repetitions are loosened.
        HirKind::Repetition(r) if r.max.is_some_and(|max| max > 1) => Hir::repetition(Repetition {
            min: r.min,
            max: None,
            greedy: r.greedy,
            sub: Box::new(loosen(&r.sub)),
        }),
        HirKind::Capture(c) => Hir::capture(Capture {
            index: c.index,
            name: c.name.clone(),
            sub: Box::new(loosen(&c.sub)),
        }),
        HirKind::Concat(subs) => Hir::concat(subs.iter().map(loosen).collect()),
        HirKind::Alternation(subs) => Hir::alternation(subs.iter().map(loosen).collect()),
        _ => hir.clone(),
    }
}

/// Push the ASCII byte sets of which every match of `hir` holds at least one
/// byte each: the ASCII literals and ASCII-only classes that a match cannot
/// skip (required parts of top-level concatenations).
fn required_ascii(hir: &Hir, out: &mut Vec<u128>) {
    match hir.kind() {
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
        HirKind::Concat(subs) => subs.iter().for_each(|s| required_ascii(s, out)),
        HirKind::Capture(c) => required_ascii(&c.sub, out),
        HirKind::Repetition(r) if r.min >= 1 => required_ascii(&r.sub, out),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn answers_are_the_exact_patterns(
            parts in prop::collection::vec(
                prop::sample::select(vec![
                    "a", "b", "x", "é", "ſ", " ", "\u{a0}", "(", ")", ",", "at", "Remote", "12", "-",
                ]),
                0..30,
            ),
        ) {
            let text = parts.concat();
            for p in [
                r"(?i)^(?:[-*]\s+)?\S.{2,8}\s+at\s+\S.{1,6}\s\((?:remote|[^()]{2,4},\s*[^()]{2,3})\)\s*$",
                r"(?i)\bab\b|\bx{2,3}é",
                r"\B\d{1,2}\b",
            ] {
                let p = Pattern::new(p).unwrap();
                prop_assert!(p.loose.is_some());
                // The ASCII bytes of the text, as the callers pass them.
                let ascii = text.bytes().filter(u8::is_ascii).fold(0u128, |a, b| a | 1 << b);
                prop_assert!(p.may_match(ascii) || !p.exact.is_match(text.as_bytes()), "{:?}", text);
                prop_assert_eq!(p.is_match(text.as_bytes()), p.exact.is_match(text.as_bytes()));
            }
        }
    }

    fn needs(pattern: &str) -> Vec<u128> {
        Pattern::new(pattern).unwrap().needs
    }

    #[test]
    fn required_ascii_sets() {
        let bit = |b: u8| 1u128 << b;
        assert_eq!(
            needs(r"(?i)^x\s+at\s+\((?:ab|cd)\)$"),
            [
                bit(b'x') | bit(b'X'),
                bit(b'a') | bit(b'A'),
                bit(b't') | bit(b'T'),
                bit(b'('),
                bit(b')'),
            ]
        );
        assert!(needs(r"(?:a)?b*|c").is_empty());
        // `k` folds to the Kelvin sign: not an ASCII-only set.
        assert!(needs(r"(?i)k").is_empty());
    }

    #[test]
    fn loosening_drops_word_boundaries_and_upper_bounds_only() {
        let p = Pattern::new(r"(?i)^\bab.{2,5}c{3}\b$").unwrap();
        let loose = p.loose.as_ref().unwrap();
        assert!(loose.is_match(b"abxxxxxxxxccccc"));
        assert!(!loose.is_match(b"abxcc"), "lower bounds stay");
        assert!(!loose.is_match(b"xabxxccc"), "anchors stay");
        assert!(!p.is_match(b"abxxxxxxxxccccc"));
        assert!(p.is_match(b"ABxxccc"));
        assert!(Pattern::new(r"^ab$").unwrap().loose.is_none());
    }
}
