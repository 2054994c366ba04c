//! Line normalisation and fingerprints.
//!
//! A line is folded before it is hashed, in the spirit of CCNet's line
//! normalisation, so that lines differing only in case, spacing, numbers or
//! punctuation share a fingerprint:
//!
//! * letters are lowercased (full Unicode lowercase);
//! * every run of digits (anything `char::is_numeric`) becomes one `0`;
//! * whitespace, punctuation and ASCII control characters (such as NUL)
//!   separate words and are otherwise dropped;
//! * everything else (letters, symbols such as `©` or `€`, emoji, marks) is
//!   kept;
//! * invalid UTF-8 is decoded as `String::from_utf8_lossy` does, each maximal
//!   invalid sequence becoming one U+FFFD.
//!
//! The folded text is the words joined by single spaces. Punctuation means
//! the ASCII punctuation characters of Unicode class P (`!"#%&'()*,-./:;?@[\]_{}`)
//! and the punctuation of the Latin-1, General Punctuation, CJK and
//! full-width blocks (see [`is_punctuation`]).

use crate::hash::{finish, fnv, mix, FNV_OFFSET, SEED_LINE, SEED_PREFIX, SEED_SUFFIX};

/// A 64-bit hash of a line's folded text. Two lines have the same fingerprint
/// when their [`normalize`]d forms are equal (up to hash collisions).
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(transparent)]
pub struct Fingerprint(u64);

impl Fingerprint {
    /// The fingerprint of one line.
    ///
    /// ```
    /// use dechaff::Fingerprint;
    /// assert_eq!(Fingerprint::of(b" Home "), Fingerprint::of(b"HOME"));
    /// assert_eq!(Fingerprint::of(b"12 Kommentare"), Fingerprint::of(b"3 Kommentare!"));
    /// assert_ne!(Fingerprint::of(b"Home"), Fingerprint::of(b"Homes"));
    /// assert_eq!(Fingerprint::of("Home"), Fingerprint::of(b"home"));
    /// ```
    pub fn of(line: impl AsRef<[u8]>) -> Fingerprint {
        let mut folded = Folded::default();
        folded.fill(line.as_ref());
        folded.fingerprint()
    }

    /// The raw hash value.
    pub fn as_u64(self) -> u64 {
        self.0
    }
}

/// The folded form of a line, as described in the docs of [`Fingerprint`].
///
/// ```
/// assert_eq!(dechaff::normalize("  Seite 3 von 12 — Weiter »"), "seite 0 von 0 weiter");
/// ```
pub fn normalize(line: impl AsRef<[u8]>) -> String {
    let mut folded = Folded::default();
    folded.fill(line.as_ref());
    // Only valid UTF-8 is ever written.
    folded.as_str().to_string()
}

/// Whether `c` counts as punctuation for folding.
pub(crate) const fn is_punctuation(c: char) -> bool {
    matches!(
        c,
        '!' | '"' | '#' | '%' | '&' | '\'' | '(' | ')' | '*' | ',' | '-' | '.' | '/' | ':'
            | ';' | '?' | '@' | '[' | '\\' | ']' | '_' | '{' | '}'
            | '\u{A1}' | '\u{A7}' | '\u{AB}' | '\u{B6}' | '\u{B7}' | '\u{BB}' | '\u{BF}'
            | '\u{2010}'..='\u{2027}'
            | '\u{2030}'..='\u{2043}'
            | '\u{2045}'..='\u{2051}'
            | '\u{2053}'..='\u{205E}'
            | '\u{3001}'..='\u{3003}'
            | '\u{3008}'..='\u{3011}'
            | '\u{3014}'..='\u{301F}'
            | '\u{FF01}'..='\u{FF03}'
            | '\u{FF05}'..='\u{FF0A}'
            | '\u{FF0C}'..='\u{FF0F}'
            | '\u{FF1A}' | '\u{FF1B}' | '\u{FF1F}' | '\u{FF20}'
    )
}

/// Fold class of each byte (`A_HIGH`: not ASCII, decoded as UTF-8).
const A_LETTER: u8 = 0;
const A_DIGIT: u8 = 1;
const A_SEP: u8 = 2;
const A_KEEP: u8 = 3;
const A_HIGH: u8 = 4;
static BYTE_CLASS: [u8; 256] = {
    let mut t = [A_HIGH; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = if c.is_ascii_alphabetic() {
            A_LETTER
        } else if c.is_ascii_digit() {
            A_DIGIT
        } else if c.is_ascii_whitespace() || c < 0x20 || c == 0x7f || is_punctuation(c as char) {
            A_SEP
        } else {
            A_KEEP
        };
        b += 1;
    }
    t
};

/// Most words a slotted template's prefix or suffix can have.
pub(crate) const MAX_FIXED: usize = 12;

/// Fewest words a slotted template fixes: two words around a slot are too
/// common a frame to be a template (see `slot_split`). Lines shorter than
/// this get no slot keys.
pub(crate) const MIN_FIXED: usize = 3;

/// Which end of a line a slot key covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum End {
    /// The first words.
    Prefix,
    /// The last words.
    Suffix,
}

/// A reusable buffer holding one line's folded text and its word hashes.
#[derive(Default, Debug, Clone)]
pub(crate) struct Folded {
    /// Working buffer: the folded text is `buf[..len]`. It only grows, so
    /// folding writes by index without a capacity check per byte.
    buf: Vec<u8>,
    len: usize,
    /// Hash of each folded word, in order.
    pub(crate) words: Vec<u64>,
    /// Byte offset of each folded word in the text.
    pub(crate) starts: Vec<u32>,
    /// Bit `b` is set for every ASCII byte `b` of the raw line, and every
    /// letter's bit is set whether the line has it or not (a superset).
    pub(crate) ascii: u128,
    /// The raw line has a non-ASCII numeric character (`char::is_numeric`).
    pub(crate) numeric: bool,
}

/// Decode the UTF-8 sequence at the start of `s` (whose first byte is not
/// ASCII): `Ok((c, len))` for a valid character, `Err(len)` for a maximal
/// invalid sequence of `len` bytes, as `from_utf8_lossy` replaces them.
#[inline]
fn decode(s: &[u8]) -> Result<(char, usize), usize> {
    let b0 = s[0];
    let cont = |i: usize, lo: u8, hi: u8| s.get(i).copied().filter(|b| (lo..=hi).contains(b));
    let (need, lo, hi) = match b0 {
        0xC2..=0xDF => (1, 0x80, 0xBF),
        0xE0 => (2, 0xA0, 0xBF),
        0xE1..=0xEC | 0xEE..=0xEF => (2, 0x80, 0xBF),
        0xED => (2, 0x80, 0x9F),
        0xF0 => (3, 0x90, 0xBF),
        0xF1..=0xF3 => (3, 0x80, 0xBF),
        0xF4 => (3, 0x80, 0x8F),
        _ => return Err(1),
    };
    let Some(b1) = cont(1, lo, hi) else {
        return Err(1);
    };
    let mut c = match need {
        1 => (b0 as u32 & 0x1F) << 6,
        2 => (b0 as u32 & 0x0F) << 12,
        _ => (b0 as u32 & 0x07) << 18,
    };
    c |= (b1 as u32 & 0x3F) << (6 * (need - 1));
    for i in 2..=need {
        let Some(b) = cont(i, 0x80, 0xBF) else {
            return Err(i);
        };
        c |= (b as u32 & 0x3F) << (6 * (need - i));
    }
    char::from_u32(c).map(|c| (c, need + 1)).ok_or(1)
}

/// What folding does with a character that is not ASCII.
enum CharFold {
    /// Whitespace or punctuation: ends the word.
    Separator,
    /// A numeral: a run of them folds to one `0`.
    Numeral,
    /// Anything else: kept, lowercased.
    Kept,
}

#[inline]
fn fold_char(c: char) -> CharFold {
    if c.is_whitespace() || is_punctuation(c) {
        CharFold::Separator
    } else if c.is_numeric() {
        CharFold::Numeral
    } else {
        CharFold::Kept
    }
}

impl Folded {
    /// Fold `line` into this buffer, replacing what it held.
    ///
    /// Each word's FNV-1a hash is computed as its bytes are written.
    pub(crate) fn fill(&mut self, line: &[u8]) {
        self.reset(line.len());
        // The buffer is borrowed as a slice so that its pointer and length
        // stay in registers.
        let mut buf: &mut [u8] = &mut self.buf;
        let mut n = 0usize;
        let mut h = FNV_OFFSET; // hash of the current word
        let mut in_word = false;
        let mut in_digits = false;
        // ASCII bytes other than letters seen, as bits of two words.
        let mut other = [0u64; 2];
        // Start a word unless inside one: a space before it (but the first),
        // its start offset, a fresh hash. A macro, as it moves the locals of
        // the hot loop below.
        macro_rules! begin_word {
            () => {
                if !in_word {
                    if n > 0 {
                        buf[n] = b' ';
                        n += 1;
                    }
                    self.starts.push(n as u32);
                    h = FNV_OFFSET;
                    in_word = true;
                }
            };
        }
        let mut i = 0;
        while i < line.len() {
            let b = line[i];
            let class = BYTE_CLASS[b as usize];
            if class == A_LETTER {
                begin_word!();
                in_digits = false;
                // The run of ASCII letters from here, lowercased into the
                // buffer (which has room for the rest of the line) and
                // hashed.
                let rest = &line[i..];
                let mut run = 0;
                for (out, &b) in buf[n..n + rest.len()].iter_mut().zip(rest) {
                    if BYTE_CLASS[b as usize] != A_LETTER {
                        break;
                    }
                    *out = b | 0x20;
                    h = fnv(h, b | 0x20);
                    run += 1;
                }
                n += run;
                i += run;
                continue;
            }
            if class != A_HIGH {
                other[(b >> 6) as usize] |= 1u64 << (b & 63);
                i += 1;
                if class == A_SEP {
                    if in_word {
                        self.words.push(h);
                        in_word = false;
                    }
                    in_digits = false;
                    continue;
                }
                let out = if class == A_DIGIT {
                    if in_digits {
                        continue;
                    }
                    b'0'
                } else {
                    b
                };
                in_digits = class == A_DIGIT;
                begin_word!();
                buf[n] = out;
                n += 1;
                h = fnv(h, out);
                continue;
            }
            let need = n + 24 + 2 * (line.len() - i);
            if buf.len() < need {
                self.buf.resize(need, 0);
                buf = &mut self.buf;
            }
            let (c, len) = decode(&line[i..]).unwrap_or_else(|len| ('\u{FFFD}', len));
            i += len;
            let numeric = match fold_char(c) {
                CharFold::Separator => {
                    if in_word {
                        self.words.push(h);
                        in_word = false;
                    }
                    in_digits = false;
                    continue;
                }
                CharFold::Numeral => {
                    self.numeric = true;
                    if in_digits {
                        continue;
                    }
                    true
                }
                CharFold::Kept => false,
            };
            begin_word!();
            let start = n;
            if numeric {
                buf[n] = b'0';
                n += 1;
            } else {
                // Not only uppercase letters lowercase: titlecase ones (`ǅ`) do too.
                for l in c.to_lowercase() {
                    n += l.encode_utf8(&mut buf[n..]).len();
                }
            }
            for &x in &buf[start..n] {
                h = fnv(h, x);
            }
            in_digits = numeric;
        }
        if in_word {
            self.words.push(h);
        }
        self.finish(n, other);
    }

    /// Empty the buffer for a line of `len` bytes, making room for it.
    #[inline]
    fn reset(&mut self, len: usize) {
        self.words.clear();
        self.starts.clear();
        self.numeric = false;
        // Invariant of `fill`: `buf.len() >= n + 2 * (bytes of line left)`:
        // an ASCII byte writes at most two bytes (a space and itself); the
        // non-ASCII path makes room for itself.
        let room = 2 * len + 8;
        if self.buf.len() < room {
            self.buf.resize(room, 0);
        }
    }

    /// Record the folded length `n` and the ASCII bytes `other` (as bits
    /// of two words) that `fill` saw.
    #[inline]
    fn finish(&mut self, n: usize, other: [u64; 2]) {
        self.len = n;
        const LETTERS: u128 = 0x07ff_fffe_07ff_fffe << 64;
        self.ascii = (other[0] as u128) | (other[1] as u128) << 64 | LETTERS;
    }

    /// The folded text, words joined by single spaces (valid UTF-8).
    pub(crate) fn text(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// The fingerprint of the whole line.
    #[inline]
    pub(crate) fn fingerprint(&self) -> Fingerprint {
        Folded::fingerprint_of(&self.words)
    }

    /// The fingerprint of a line with these word hashes.
    #[inline]
    pub(crate) fn fingerprint_of(words: &[u64]) -> Fingerprint {
        let mut h = 0;
        for &w in words {
            h = mix(h, w);
        }
        Fingerprint(finish(h ^ SEED_LINE))
    }

    /// Key of the first `k` words (`k <= words.len()`).
    #[cfg(test)]
    pub(crate) fn prefix_key(&self, k: usize) -> u64 {
        self.key_of(SEED_PREFIX ^ k as u64, self.words[..k].iter())
    }

    /// Key of the last `k` words, read backwards.
    #[cfg(test)]
    pub(crate) fn suffix_key(&self, k: usize) -> u64 {
        self.key_of(
            SEED_SUFFIX ^ k as u64,
            self.words[self.words.len() - k..].iter().rev(),
        )
    }

    /// All prefix keys of 1..=max words, computed incrementally.
    pub(crate) fn prefix_keys(&self, max: usize, mut f: impl FnMut(usize, u64)) {
        let mut h = 0;
        for (i, &w) in self.words.iter().take(max).enumerate() {
            h = mix(h, w);
            f(i + 1, finish(h ^ SEED_PREFIX ^ (i as u64 + 1)));
        }
    }

    /// All suffix keys of 1..=max words, computed incrementally.
    pub(crate) fn suffix_keys(&self, max: usize, mut f: impl FnMut(usize, u64)) {
        let mut h = 0;
        for (i, &w) in self.words.iter().rev().take(max).enumerate() {
            h = mix(h, w);
            f(i + 1, finish(h ^ SEED_SUFFIX ^ (i as u64 + 1)));
        }
    }

    #[cfg(test)]
    fn key_of<'a>(&self, seed: u64, words: impl Iterator<Item = &'a u64>) -> u64 {
        let mut h = 0;
        for &w in words {
            h = mix(h, w);
        }
        finish(h ^ seed)
    }

    /// How many prefix keys (and as many suffix keys) the line has: none
    /// for a line of fewer than [`MIN_FIXED`] words, else one for each
    /// length up to [`MAX_FIXED`] words that leaves a word for the slot.
    pub(crate) fn n_slot_keys(&self) -> usize {
        let words = self.words.len();
        if words < MIN_FIXED {
            0
        } else {
            MAX_FIXED.min(words - 1)
        }
    }

    /// Hand `f` the line's [`n_slot_keys`](Folded::n_slot_keys) prefix
    /// keys, shortest first, then as many suffix keys: the one loop that
    /// both the learner and the labeller's analysis run over each line.
    pub(crate) fn slot_keys(&self, mut f: impl FnMut(End, u64)) {
        let n = self.n_slot_keys();
        self.prefix_keys(n, |_, k| f(End::Prefix, k));
        self.suffix_keys(n, |_, k| f(End::Suffix, k));
    }

    /// The folded text (valid UTF-8).
    pub(crate) fn as_str(&self) -> &str {
        std::str::from_utf8(self.text()).unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incremental_keys_equal_direct_keys() {
        let mut f = Folded::default();
        f.fill("Was meinen Sie zum Bericht \"X Y\" über unsere Stadt?".as_bytes());
        let n = f.words.len();
        f.prefix_keys(n, |k, key| assert_eq!(key, f.prefix_key(k)));
        f.suffix_keys(n, |k, key| assert_eq!(key, f.suffix_key(k)));
    }

    #[test]
    fn folds() {
        assert_eq!(normalize(b"  Hello,   WORLD 2024!! "), "hello world 0");
        assert_eq!(
            normalize("ÄRGER – über «Straße»".as_bytes()),
            "ärger über straße"
        );
        assert_eq!(normalize(b"\xff\xfeabc"), "\u{FFFD}\u{FFFD}abc");
        assert_eq!(normalize("© 2024 Foo".as_bytes()), "© 0 foo");
        assert_eq!(normalize(b"(m/w/d)"), "m w d");
    }
}
