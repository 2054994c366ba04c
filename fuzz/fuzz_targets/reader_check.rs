//! The checks both dump-reader targets run: never panic, give the same
//! records however the input is split into reads, and label every document.

use std::io::{BufRead, BufReader, Cursor, Read};

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
    label(&whole);
}

/// Open `data` as a dump, its compression and format detected (the path
/// that resynchronises on the next gzip member after a corrupt one), whole
/// and in 3-byte reads: the same documents in the same order and the same
/// errors, and every document labelled. (When a corrupt gzip member is
/// found depends on how far ahead the reader has read, so its error may
/// come earlier or later among the documents: errors are compared as a
/// sorted list.)
pub fn check_open(data: &[u8]) {
    let records = |r: Box<dyn Read + Send>| -> (Vec<Document>, Vec<String>) {
        let items: Vec<Result<Document, String>> = match dechaff::dump::OpenOptions::new().read(r) {
            Ok(dump) => dump.map(|r| r.map_err(|e| e.to_string())).collect(),
            Err(e) => vec![Err(e.to_string())],
        };
        let (mut docs, mut errors) = (Vec::new(), Vec::new());
        for item in items {
            match item {
                Ok(doc) => docs.push(doc),
                Err(e) => errors.push(e),
            }
        }
        errors.sort();
        (docs, errors)
    };
    let whole = records(Box::new(Cursor::new(data.to_vec())));
    let small = records(Box::new(BufReader::with_capacity(
        3,
        Cursor::new(data.to_vec()),
    )));
    assert_eq!(whole, small, "dump depends on read sizes");
    for doc in &whole.0 {
        label_one(doc);
    }
}

fn label(records: &[Result<Document, String>]) {
    for doc in records.iter().flatten() {
        label_one(doc);
    }
}

fn label_one(doc: &Document) {
    assert_eq!(
        dechaff::label(&doc.text).len(),
        dechaff::lines(&doc.text).count()
    );
}
