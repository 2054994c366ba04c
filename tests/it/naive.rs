//! Obviously correct, slow versions of what the crate does fast.

/// One line as the naive splitter sees it: bytes without terminator, and the
/// terminator's length.
pub type NaiveLine<'p> = (&'p [u8], usize);

/// Split on `\n`; a `\r` right before a `\n` belongs to the terminator; no
/// empty line after a final `\n`; an empty page has no lines.
pub fn lines(page: &[u8]) -> Vec<NaiveLine<'_>> {
    if page.is_empty() {
        return Vec::new();
    }
    let mut pieces: Vec<&[u8]> = page.split(|&b| b == b'\n').collect();
    let ends_with_newline = page.last() == Some(&b'\n');
    if ends_with_newline {
        // `split` yields an empty piece after the final `\n`.
        assert_eq!(pieces.pop(), Some(&b""[..]));
    }
    let last = pieces.len() - 1;
    pieces
        .into_iter()
        .enumerate()
        .map(|(i, piece)| {
            if i == last && !ends_with_newline {
                (piece, 0)
            } else if let Some(stripped) = piece.strip_suffix(b"\r") {
                (stripped, 2)
            } else {
                (piece, 1)
            }
        })
        .collect()
}

/// The folding of `dechaff::normalize`, written from its documentation:
/// decode as `String::from_utf8_lossy`, lowercase letters, turn every digit
/// run into `0`, split words at whitespace and punctuation, keep the rest,
/// join the words by single spaces.
pub fn normalize(line: &[u8]) -> String {
    let text = String::from_utf8_lossy(line);
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut in_digits = false;
    for c in text.chars() {
        if separates(c) {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            in_digits = false;
        } else if c.is_numeric() {
            if !in_digits {
                word.push('0');
            }
            in_digits = true;
        } else {
            word.extend(c.to_lowercase());
            in_digits = false;
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words.join(" ")
}

/// The punctuation folding drops, as the crate docs describe it (Unicode
/// class P among ASCII, Latin-1, General Punctuation, CJK Symbols and
/// Punctuation, and the full-width forms), as inclusive ranges: a copy kept
/// apart from the crate's own table, so that either one changing alone
/// fails the fold tests.
const PUNCTUATION: &[(char, char)] = &[
    ('!', '#'),
    ('%', '*'),
    (',', '/'),
    (':', ';'),
    ('?', '@'),
    ('[', ']'),
    ('_', '_'),
    ('{', '{'),
    ('}', '}'),
    ('¡', '¡'),
    ('§', '§'),
    ('«', '«'),
    ('¶', '·'),
    ('»', '»'),
    ('¿', '¿'),
    ('\u{2010}', '\u{2027}'),
    ('\u{2030}', '\u{2043}'),
    ('\u{2045}', '\u{2051}'),
    ('\u{2053}', '\u{205E}'),
    ('\u{3001}', '\u{3003}'),
    ('\u{3008}', '\u{3011}'),
    ('\u{3014}', '\u{301F}'),
    ('\u{FF01}', '\u{FF03}'),
    ('\u{FF05}', '\u{FF0A}'),
    ('\u{FF0C}', '\u{FF0F}'),
    ('\u{FF1A}', '\u{FF1B}'),
    ('\u{FF1F}', '\u{FF20}'),
];

/// Whether `c` separates words when folding.
pub fn separates(c: char) -> bool {
    c.is_whitespace()
        || PUNCTUATION.iter().any(|&(lo, hi)| (lo..=hi).contains(&c))
        || c.is_ascii_control()
}
