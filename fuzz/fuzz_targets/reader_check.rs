//! The check both dump-reader targets run: never panic, give the same
//! records however the input is split into reads, and label every document.

use std::io::{BufRead, BufReader};

use dechaff::dump::Document;

/// Read `data` whole and in 3-byte reads with `read`, compare, and label.
pub fn check<'a, I>(data: &'a [u8], read: impl Fn(Box<dyn BufRead + 'a>) -> I)
where
    I: Iterator<Item = dechaff::Result<Document>>,
{
    let records = |r: Box<dyn BufRead + 'a>| -> Vec<Result<Document, String>> {
        read(r).map(|r| r.map_err(|e| e.to_string())).collect()
    };
    let whole = records(Box::new(data));
    let small = records(Box::new(BufReader::with_capacity(3, data)));
    assert_eq!(whole, small, "records depend on read sizes");
    for doc in whole.iter().flatten() {
        assert_eq!(
            dechaff::label(&doc.text).len(),
            dechaff::lines(&doc.text).count()
        );
    }
}
