//! The JSONL dump reader on arbitrary bytes: never panics, gives the same
//! records however the input is split into reads, and every document it
//! yields can be labelled.
#![no_main]

use std::io::BufReader;

use chaff::dump::JsonlReader;
use libfuzzer_sys::fuzz_target;

fn records<R: std::io::BufRead>(rdr: R) -> Vec<Result<chaff::dump::Document, String>> {
    JsonlReader::new(rdr)
        .map(|r| r.map_err(|e| e.to_string()))
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let whole = records(data);
    // The same bytes through a reader that returns a few bytes at a time.
    let small = records(BufReader::with_capacity(3, data));
    assert_eq!(whole, small, "records depend on read sizes");
    for doc in whole.iter().flatten() {
        assert_eq!(
            chaff::label(&doc.text).len(),
            chaff::lines(&doc.text).count()
        );
    }
});
