//! The zero-copy line scanner.

use std::ops::Range;

/// A byte range `start..end` into a page.
///
/// A line's span excludes its terminator (`\n` or `\r\n`).
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
pub struct Span {
    /// Offset of the first byte.
    pub start: usize,
    /// Offset one past the last byte.
    pub end: usize,
}

impl Span {
    /// The span as a range, to index the page with.
    #[inline]
    pub fn range(self) -> Range<usize> {
        self.start..self.end
    }

    /// Number of bytes covered.
    #[inline]
    pub fn len(self) -> usize {
        self.end - self.start
    }

    /// Whether the span covers no bytes.
    #[inline]
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

/// One line of a page, borrowed from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Line<'p> {
    bytes: &'p [u8],
    span: Span,
    terminator: u8,
}

impl<'p> Line<'p> {
    /// The line's bytes, without its terminator. Never validated as UTF-8.
    #[inline]
    pub fn bytes(&self) -> &'p [u8] {
        self.bytes
    }

    /// Where the line sits in the page (terminator excluded).
    #[inline]
    pub fn span(&self) -> Span {
        self.span
    }

    /// Length of the terminator that followed the line: 0 (last line without
    /// a newline), 1 (`\n`) or 2 (`\r\n`).
    #[inline]
    pub fn terminator_len(&self) -> usize {
        self.terminator as usize
    }

    /// The span including the terminator. The full spans of a page's lines
    /// cover the page exactly, in order.
    #[inline]
    pub fn full_span(&self) -> Span {
        Span {
            start: self.span.start,
            end: self.span.end + self.terminator as usize,
        }
    }

    /// Whether the line holds only ASCII whitespace (or nothing).
    #[inline]
    pub fn is_blank(&self) -> bool {
        is_blank(self.bytes)
    }

    /// The line as text, with invalid UTF-8 replaced by U+FFFD.
    pub fn to_str_lossy(&self) -> std::borrow::Cow<'p, str> {
        String::from_utf8_lossy(self.bytes)
    }
}

/// Whether `bytes` hold only ASCII whitespace (or nothing).
#[inline]
pub(crate) fn is_blank(bytes: &[u8]) -> bool {
    bytes.iter().all(|b| b.is_ascii_whitespace())
}

/// An iterator over the lines of a page. Created by [`lines`].
///
/// Lines end at `\n`; a `\r` right before the `\n` belongs to the terminator.
/// A final line without a newline is yielded; an empty page yields no lines,
/// and a page ending in `\n` yields no empty line after it. No byte is
/// copied and no UTF-8 is validated.
#[derive(Clone, Debug)]
pub struct Lines<'p> {
    page: &'p [u8],
    pos: usize,
}

/// Split a page (bytes, a `str`, a `String`, a `Vec<u8>`) into lines
/// without copying it.
///
/// ```
/// let page = b"Home\r\nA sentence.\n\nlast";
/// let lines: Vec<&[u8]> = dechaff::lines(page).map(|l| l.bytes()).collect();
/// assert_eq!(lines, [&b"Home"[..], b"A sentence.", b"", b"last"]);
/// assert_eq!(dechaff::lines("Home\nNews").count(), 2);
/// ```
#[inline]
pub fn lines<P: AsRef<[u8]> + ?Sized>(page: &P) -> Lines<'_> {
    Lines {
        page: page.as_ref(),
        pos: 0,
    }
}

impl<'p> Iterator for Lines<'p> {
    type Item = Line<'p>;

    #[inline]
    fn next(&mut self) -> Option<Line<'p>> {
        let rest = &self.page[self.pos..];
        if rest.is_empty() {
            return None;
        }
        let start = self.pos;
        let (end, terminator) = match memchr::memchr(b'\n', rest) {
            Some(i) => {
                let nl = start + i;
                self.pos = nl + 1;
                if i > 0 && rest[i - 1] == b'\r' {
                    (nl - 1, 2)
                } else {
                    (nl, 1)
                }
            }
            None => {
                self.pos = self.page.len();
                (self.page.len(), 0)
            }
        };
        Some(Line {
            bytes: &self.page[start..end],
            span: Span { start, end },
            terminator,
        })
    }
}

impl std::iter::FusedIterator for Lines<'_> {}
