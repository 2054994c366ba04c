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
    /// use chaff::Fingerprint;
    /// assert_eq!(Fingerprint::of(b" Home "), Fingerprint::of(b"HOME"));
    /// assert_eq!(Fingerprint::of(b"12 Kommentare"), Fingerprint::of(b"3 Kommentare!"));
    /// assert_ne!(Fingerprint::of(b"Home"), Fingerprint::of(b"Homes"));
    /// ```
    pub fn of(line: &[u8]) -> Fingerprint {
        let mut folded = Folded::default();
        folded.fill(line);
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
/// assert_eq!(chaff::normalize("  Seite 3 von 12 — Weiter »".as_bytes()), "seite 0 von 0 weiter");
/// ```
pub fn normalize(line: &[u8]) -> String {
    let mut folded = Folded::default();
    folded.fill(line);
    // Only valid UTF-8 is ever pushed.
    String::from_utf8(folded.text).unwrap_or_default()
}

/// Whether `c` counts as punctuation for folding.
pub const fn is_punctuation(c: char) -> bool {
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

/// Fold class of each ASCII byte.
const A_LETTER: u8 = 0;
const A_DIGIT: u8 = 1;
const A_SEP: u8 = 2;
const A_KEEP: u8 = 3;
static ASCII_CLASS: [u8; 128] = {
    let mut t = [A_KEEP; 128];
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

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

#[inline]
fn mix(h: u64, w: u64) -> u64 {
    (h.rotate_left(23) ^ w).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

#[inline]
fn finish(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// Seeds that keep prefix, suffix and whole-line keys apart.
pub(crate) const SEED_LINE: u64 = 0x6c69_6e65;
pub(crate) const SEED_PREFIX: u64 = 0x7072_6566;
pub(crate) const SEED_SUFFIX: u64 = 0x7375_6666;

/// A reusable buffer holding one line's folded text and its word hashes.
#[derive(Default, Debug, Clone)]
pub(crate) struct Folded {
    /// Folded text, words joined by single spaces.
    pub(crate) text: Vec<u8>,
    /// Hash of each folded word, in order.
    pub(crate) words: Vec<u64>,
    /// Bit `b` is set for every ASCII byte `b` of the raw line.
    pub(crate) ascii: u128,
    /// The raw line has a non-ASCII numeric character (`char::is_numeric`).
    pub(crate) numeric: bool,
}

impl Folded {
    /// Fold `line` into this buffer, replacing what it held.
    pub(crate) fn fill(&mut self, line: &[u8]) {
        self.text.clear();
        self.words.clear();
        self.numeric = false;
        self.text.reserve(line.len());
        let mut ascii = 0u128;
        let mut word_start = usize::MAX; // usize::MAX: not inside a word
        let mut in_digits = false;
        let mut i = 0;
        while i < line.len() {
            let b = line[i];
            if b < 0x80 {
                ascii |= 1u128 << b;
                match ASCII_CLASS[b as usize] {
                    A_LETTER => {
                        self.begin_word(&mut word_start);
                        self.text.push(b.to_ascii_lowercase());
                        in_digits = false;
                    }
                    A_DIGIT => self.push_digit(&mut word_start, &mut in_digits),
                    A_SEP => {
                        self.end_word(&mut word_start);
                        in_digits = false;
                    }
                    _ => {
                        self.begin_word(&mut word_start);
                        self.text.push(b);
                        in_digits = false;
                    }
                }
                i += 1;
                continue;
            }
            // Decode one character (or one maximal invalid sequence, as
            // `from_utf8_lossy` does) from a window of at most four bytes.
            let window = &line[i..line.len().min(i + 4)];
            let Some(chunk) = window.utf8_chunks().next() else {
                break;
            };
            match chunk.valid().chars().next() {
                Some(c) => {
                    self.push_char(c, &mut word_start, &mut in_digits);
                    i += c.len_utf8();
                }
                None => {
                    self.push_char('\u{FFFD}', &mut word_start, &mut in_digits);
                    i += chunk.invalid().len().max(1);
                }
            }
        }
        self.end_word(&mut word_start);
        self.ascii = ascii;
    }

    #[inline]
    fn push_char(&mut self, c: char, word_start: &mut usize, in_digits: &mut bool) {
        if c.is_ascii() {
            let b = c as u8;
            if b.is_ascii_alphabetic() {
                self.begin_word(word_start);
                self.text.push(b.to_ascii_lowercase());
                *in_digits = false;
            } else if b.is_ascii_digit() {
                self.push_digit(word_start, in_digits);
            } else if b.is_ascii_whitespace() || is_punctuation(c) || b < 0x20 || b == 0x7f {
                self.end_word(word_start);
                *in_digits = false;
            } else {
                self.begin_word(word_start);
                self.text.push(b);
                *in_digits = false;
            }
            return;
        }
        if c.is_whitespace() || is_punctuation(c) {
            self.end_word(word_start);
            *in_digits = false;
        } else if c.is_numeric() {
            self.numeric = true;
            self.push_digit(word_start, in_digits);
        } else {
            self.begin_word(word_start);
            let mut buf = [0u8; 4];
            // Not only uppercase letters lowercase: titlecase ones (`ǅ`) do too.
            for l in c.to_lowercase() {
                self.text
                    .extend_from_slice(l.encode_utf8(&mut buf).as_bytes());
            }
            *in_digits = false;
        }
    }

    #[inline]
    fn push_digit(&mut self, word_start: &mut usize, in_digits: &mut bool) {
        if !*in_digits {
            self.begin_word(word_start);
            self.text.push(b'0');
            *in_digits = true;
        }
    }

    #[inline]
    fn begin_word(&mut self, word_start: &mut usize) {
        if *word_start == usize::MAX {
            if !self.text.is_empty() {
                self.text.push(b' ');
            }
            *word_start = self.text.len();
        }
    }

    #[inline]
    fn end_word(&mut self, word_start: &mut usize) {
        if *word_start != usize::MAX {
            let mut h = FNV_OFFSET;
            for &b in &self.text[*word_start..] {
                h = (h ^ b as u64).wrapping_mul(FNV_PRIME);
            }
            self.words.push(h);
            *word_start = usize::MAX;
        }
    }

    /// The fingerprint of the whole line.
    #[inline]
    pub(crate) fn fingerprint(&self) -> Fingerprint {
        Fingerprint(self.key_of(SEED_LINE, self.words.iter()))
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

    #[inline]
    fn key_of<'a>(&self, seed: u64, words: impl Iterator<Item = &'a u64>) -> u64 {
        let mut h = 0;
        for &w in words {
            h = mix(h, w);
        }
        finish(h ^ seed)
    }

    /// The folded text (valid UTF-8).
    pub(crate) fn as_str(&self) -> &str {
        std::str::from_utf8(&self.text).unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incremental_keys_equal_direct_keys() {
        let mut f = Folded::default();
        f.fill("Du hast einen Kommentar zum Artikel \"X Y\" für unsere Leser?".as_bytes());
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
