//! The JSONL dump reader on arbitrary bytes: never panics, gives the same
//! records however the input is split into reads, and every document it
//! yields can be labelled.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod reader_check;

fuzz_target!(|data: &[u8]| reader_check::check(data, dechaff::dump::JsonlReader::new));
