//! The line scanner and line folding on arbitrary bytes: spans cover the
//! page exactly and in order, terminators are `\n`, `\r\n` or nothing at
//! the end, and folding is idempotent.
#![no_main]

use dechaff::{lines, normalize, Fingerprint};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|page: &[u8]| {
    let mut at = 0;
    let mut count = 0;
    for line in lines(page) {
        let (span, full) = (line.span(), line.full_span());
        assert_eq!(span.start, at, "lines are contiguous");
        assert!(span.end <= full.end && full.end <= page.len());
        assert_eq!(line.bytes(), &page[span.range()]);
        assert!(!line.bytes().contains(&b'\n'));
        match (&page[span.end..full.end], line.terminator_len()) {
            (b"\n", 1) => assert_ne!(line.bytes().last(), Some(&b'\r'), "\\r belongs to \\r\\n"),
            (b"\r\n", 2) => {}
            (b"", 0) => assert_eq!(full.end, page.len(), "only the last line lacks a newline"),
            (t, n) => panic!("terminator {t:?} of length {n}"),
        }
        assert_eq!(
            line.is_blank(),
            line.bytes().iter().all(u8::is_ascii_whitespace)
        );

        let folded = normalize(line.bytes());
        assert!(!folded.starts_with(' ') && !folded.ends_with(' ') && !folded.contains("  "));
        assert_eq!(
            normalize(folded.as_bytes()),
            folded,
            "folding is idempotent"
        );
        assert_eq!(
            Fingerprint::of(folded.as_bytes()),
            Fingerprint::of(line.bytes())
        );

        at = full.end;
        count += 1;
    }
    assert_eq!(at, page.len(), "lines cover the page");
    let newlines = page.iter().filter(|&&b| b == b'\n').count();
    let unterminated = usize::from(page.last().is_some_and(|&b| b != b'\n'));
    assert_eq!(count, newlines + unterminated);
});
