//! Contact and legal marks of a short line: an e-mail address, a web
//! address, a phone number, a copyright sign, a postcode before a place
//! name, a time of day. Masthead, contact and footer boxes (labelled
//! `other`) are made of such lines, and no word list names them in every
//! language. Each mark is found by one scan over the raw bytes, without a
//! regular expression; the six-class model weighs them as features.

/// The marks found on a line, one bit each.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Marks(u8);

impl Marks {
    /// `name@host.tld`.
    pub(crate) const EMAIL: Marks = Marks(1);
    /// `www.` or `://`.
    pub(crate) const URL: Marks = Marks(2);
    /// Seven or more digits in one run of digits and joiners (` `, `-`,
    /// `/`, `(`, `)`, `+`), with at least one joiner other than a space (a
    /// year range such as `1998-2024` is marked too).
    pub(crate) const PHONE: Marks = Marks(4);
    /// `©` or `(c)`.
    pub(crate) const COPYRIGHT: Marks = Marks(8);
    /// Four or five digits (not a year 19xx or 20xx) standing alone, then a
    /// space and an uppercase ASCII letter or a byte that may start a
    /// non-ASCII letter (0xC3 and up).
    pub(crate) const POSTCODE: Marks = Marks(16);
    /// `h:mm` or `hh.mm` with an hour up to 24 and minutes under 60, not
    /// part of a longer number or date.
    pub(crate) const CLOCK: Marks = Marks(32);
    /// Every mark with its feature name, in feature order.
    pub(crate) const ALL: [(&'static str, Marks); 6] = [
        ("email", Marks::EMAIL),
        ("url", Marks::URL),
        ("phone", Marks::PHONE),
        ("copyright", Marks::COPYRIGHT),
        ("postcode", Marks::POSTCODE),
        ("clock", Marks::CLOCK),
    ];

    /// Whether every bit of `m` is set.
    pub(crate) fn has(self, m: Marks) -> bool {
        self.0 & m.0 == m.0
    }

    fn set(&mut self, m: Marks, on: bool) {
        if on {
            self.0 |= m.0;
        }
    }
}

/// Lines of more words than this get no marks: a contact or legal line is
/// short, and running text would only cost a scan.
pub(crate) const MARK_WORDS: u32 = 30;

/// The marks of a trimmed line; `ascii` has bit `b` set for every ASCII
/// byte `b` in it and `digits` counts its ASCII digits (cheap tests of
/// which scans can find anything, so that most lines cost no scan).
pub(crate) fn marks(line: &[u8], ascii: u128, digits: u32) -> Marks {
    let has = |b: u8| ascii & (1u128 << b) != 0;
    let mut m = Marks::default();
    m.set(Marks::EMAIL, has(b'@') && has(b'.') && email(line));
    m.set(
        Marks::URL,
        (has(b'w') || has(b'W')) && has(b'.') && www(line)
            || has(b':') && has(b'/') && scheme(line),
    );
    m.set(
        Marks::COPYRIGHT,
        !line.is_ascii() && copyright_sign(line) || has(b'(') && has(b')') && c_in_parens(line),
    );
    m.set(Marks::PHONE, digits >= PHONE_DIGITS && phone(line));
    m.set(
        Marks::POSTCODE,
        digits >= POSTCODE_MIN as u32 && postcode(line),
    );
    m.set(
        Marks::CLOCK,
        digits >= CLOCK_DIGITS && (has(b':') || has(b'.')) && clock(line),
    );
    m
}

/// `www.`, found from its dot.
fn www(line: &[u8]) -> bool {
    memchr::memchr_iter(b'.', line).any(|i| i >= 3 && line[i - 3..i].eq_ignore_ascii_case(b"www"))
}

/// `://`, found from its colon.
fn scheme(line: &[u8]) -> bool {
    memchr::memchr_iter(b':', line).any(|i| line[i + 1..].starts_with(b"//"))
}

/// `©` (UTF-8 `C2 A9`), found from its second byte (a line of ASCII, as
/// `str::is_ascii` tells word by word, has none: [`marks`] skips the scan).
fn copyright_sign(line: &[u8]) -> bool {
    memchr::memchr_iter(0xA9, line).any(|i| i > 0 && line[i - 1] == 0xC2)
}

/// `(c)` in either case, found from its parenthesis.
fn c_in_parens(line: &[u8]) -> bool {
    memchr::memchr_iter(b'(', line)
        .any(|i| matches!(line.get(i + 1..i + 3), Some([b'c' | b'C', b')'])))
}

/// A byte of a mail address's local part or host.
fn mail_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'+')
}

/// `x@y.zz`: a mail byte before an `@`, and after it a run of mail bytes
/// holding a dot followed by two letters.
fn email(line: &[u8]) -> bool {
    memchr::memchr_iter(b'@', line).any(|at| {
        let before = at > 0 && mail_byte(line[at - 1]);
        let host = &line[at + 1..];
        let end = host
            .iter()
            .position(|&b| !mail_byte(b))
            .unwrap_or(host.len());
        let host = &host[..end];
        before
            && host.iter().enumerate().any(|(i, &b)| {
                b == b'.'
                    && i > 0
                    && host.len() >= i + 3
                    && host[i + 1].is_ascii_alphabetic()
                    && host[i + 2].is_ascii_alphabetic()
            })
    })
}

/// Least and most digits of a postcode (German, Austrian, Swiss, most of
/// Europe).
const POSTCODE_MIN: usize = 4;
const POSTCODE_MAX: usize = 5;

/// Least digits of a time of day (`h:mm`).
const CLOCK_DIGITS: u32 = 3;

/// Least digits of a phone number.
pub(crate) const PHONE_DIGITS: u32 = 7;

/// A run of digits and joiners (` `, `-`, `/`, `(`, `)`, `+`) with at
/// least [`PHONE_DIGITS`] digits and a joiner other than a space.
fn phone(line: &[u8]) -> bool {
    line.split(|b| !matches!(b, b'0'..=b'9' | b' ' | b'-' | b'/' | b'(' | b')' | b'+'))
        .any(|run| {
            let digits = run.iter().filter(|b| b.is_ascii_digit()).count() as u32;
            digits >= PHONE_DIGITS
                && run
                    .iter()
                    .any(|b| matches!(b, b'-' | b'/' | b'(' | b')' | b'+'))
        })
}

/// Four or five digits standing alone, not a year (19xx, 20xx), then a
/// space and an uppercase letter (or a byte that may start one).
fn postcode(line: &[u8]) -> bool {
    // From each space after a digit, back over the digits before it.
    memchr::memchr_iter(b' ', line).any(|space| {
        if space == 0 || !line[space - 1].is_ascii_digit() {
            return false;
        }
        let start = line[..space]
            .iter()
            .rposition(|b| !b.is_ascii_digit())
            .map_or(0, |p| p + 1);
        let run = &line[start..space];
        let alone = start == 0 || !line[start - 1].is_ascii_alphanumeric();
        let year = run.len() == 4 && (run.starts_with(b"19") || run.starts_with(b"20"));
        let place = line
            .get(space + 1)
            .is_some_and(|c| c.is_ascii_uppercase() || *c >= 0xC3);
        (POSTCODE_MIN..=POSTCODE_MAX).contains(&run.len()) && alone && !year && place
    })
}

/// `h:mm`, `hh:mm`, `h.mm` or `hh.mm` standing alone: an hour up to 24,
/// minutes under 60, and no digit or `.`/`:` and digit around it (a date
/// `17.04.2020` is not a time).
fn clock(line: &[u8]) -> bool {
    let digit = |i: usize| line.get(i).is_some_and(|b| b.is_ascii_digit());
    let joined = |i: usize| matches!(line.get(i), Some(b'.' | b':' | b',')) && digit(i + 1);
    memchr::memchr2_iter(b':', b'.', line).any(|sep| {
        if sep == 0 || !digit(sep - 1) {
            return false;
        }
        let h_start = if sep >= 2 && digit(sep - 2) {
            sep - 2
        } else {
            sep - 1
        };
        let alone_before = h_start == 0
            || !(line[h_start - 1].is_ascii_digit()
                || (matches!(line[h_start - 1], b'.' | b':' | b',')
                    && h_start >= 2
                    && line[h_start - 2].is_ascii_digit()));
        let minutes_ok = digit(sep + 1) && digit(sep + 2) && !digit(sep + 3) && !joined(sep + 3);
        let hour = line[h_start..sep]
            .iter()
            .fold(0u32, |h, &b| h * 10 + (b - b'0') as u32);
        let minute = if minutes_ok {
            (line[sep + 1] - b'0') as u32 * 10 + (line[sep + 2] - b'0') as u32
        } else {
            60
        };
        alone_before && minutes_ok && hour <= 24 && minute < 60
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn of(s: &str) -> Marks {
        let ascii = s
            .bytes()
            .filter(|b| b.is_ascii())
            .fold(0u128, |a, b| a | 1 << b);
        let digits = s.bytes().filter(u8::is_ascii_digit).count() as u32;
        marks(s.as_bytes(), ascii, digits)
    }

    #[test]
    fn contact_lines_have_their_marks() {
        let cases = [
            ("solutions@example.com", Marks::EMAIL),
            ("Mail: info@stadt-beispiel.de", Marks::EMAIL),
            ("www.example.org", Marks::URL),
            ("https://example.org/x", Marks::URL),
            ("Fax 555-123-4567", Marks::PHONE),
            ("Tel. +49 (0)123 45-678", Marks::PHONE),
            ("Telefon: 030 / 1234567", Marks::PHONE),
            ("© 2024 Example Verlag", Marks::COPYRIGHT),
            ("(C) Example Ltd", Marks::COPYRIGHT),
            ("12345 Musterstadt", Marks::POSTCODE),
            ("CH-9999 Örtlingen", Marks::POSTCODE),
            ("09.15 - 11.45 Uhr", Marks::CLOCK),
            ("- 07:05 03.09.2019", Marks::CLOCK),
        ];
        for (line, mark) in cases {
            assert!(of(line).has(mark), "{mark:?} on {line:?}");
        }
    }

    #[test]
    fn prose_numbers_are_not_marks() {
        let lines = [
            "Am 03.09.2019 wurde gewählt.",
            "Im Jahr 2019 Wurde alles anders",
            "Kanada 2018 104 Minuten",
            "Er zahlte 1.250.000 Euro",
            "Version 3.14159 is out",
            "a@b",
            "Score 2:1 after 90 minutes",
        ];
        for line in lines {
            assert_eq!(of(line), Marks::default(), "{line:?}");
        }
    }

    /// The marks by regular expressions, one per mark, sharing no code
    /// with the scans: each mark tried at every position of the line.
    fn naive(line: &[u8]) -> Marks {
        use regex::bytes::Regex;
        let re = |p: &str| Regex::new(p).unwrap();
        let mut m = Marks::default();
        m.set(
            Marks::EMAIL,
            re(r"(?-u)[A-Za-z0-9._+\-]@[A-Za-z0-9._+\-]+\.[A-Za-z]{2}").is_match(line),
        );
        m.set(Marks::URL, re(r"(?i-u)www\.|://").is_match(line));
        m.set(Marks::COPYRIGHT, re(r"(?i-u)\xC2\xA9|\(c\)").is_match(line));
        m.set(
            Marks::PHONE,
            re(r"(?-u)[0-9 /()+\-]+").find_iter(line).any(|run| {
                let run = run.as_bytes();
                run.iter().filter(|b| b.is_ascii_digit()).count() >= 7
                    && run.iter().any(|b| b"-/()+".contains(b))
            }),
        );
        m.set(
            Marks::POSTCODE,
            (0..line.len()).any(|i| {
                let m = re(r"(?-u)^[0-9]{4,5} [A-Z\xC3-\xFF]").find(&line[i..]);
                let code = m.map(|m| &line[i..i + m.len() - 2]);
                let alone = i == 0 || !line[i - 1].is_ascii_alphanumeric();
                code.is_some_and(|c| alone && !re(r"^(?:19|20)[0-9]{2}$").is_match(c))
            }),
        );
        let time = re(r"(?-u)^([0-9]{1,2})[:.]([0-9]{2})");
        let digit = |i: usize| line.get(i).is_some_and(u8::is_ascii_digit);
        let joiner = |i: usize| line.get(i).is_some_and(|b| b".:,".contains(b));
        m.set(
            Marks::CLOCK,
            (0..line.len()).any(|i| {
                let Some(c) = time.captures(&line[i..]) else {
                    return false;
                };
                let end = i + c[0].len();
                let number = |k: usize| std::str::from_utf8(&c[k]).unwrap().parse::<u32>().unwrap();
                let free_before =
                    i == 0 || !(digit(i - 1) || (joiner(i - 1) && i >= 2 && digit(i - 2)));
                let free_after = !(digit(end) || joiner(end) && digit(end + 1));
                free_before && free_after && number(1) <= 24 && number(2) < 60
            }),
        );
        m
    }

    proptest! {
        #[test]
        fn scans_agree_with_regular_expressions(
            line in prop::collection::vec(
                prop::sample::select(b"0123456789 -/()+@.:,wWcC\xC2\xA9AZaz\xC3\xBC".to_vec()),
                0..40,
            ),
        ) {
            let ascii = line.iter().filter(|b| b.is_ascii()).fold(0u128, |a, &b| a | 1 << b);
            let digits = line.iter().filter(|b| b.is_ascii_digit()).count() as u32;
            let fast = marks(&line, ascii, digits);
            let slow = naive(&line);
            for (_, mark) in Marks::ALL {
                prop_assert_eq!(fast.has(mark), slow.has(mark), "{:?} on {:?}", mark, String::from_utf8_lossy(&line));
            }
        }
    }
}
