//! The WET (WARC) dump reader on arbitrary bytes: never panics, gives the
//! same records however the input is split into reads, and every document
//! it yields can be labelled; and the same through `OpenOptions::read`,
//! which detects gzip (resynchronising after a corrupt member) and the
//! format.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod reader_check;

fuzz_target!(|data: &[u8]| {
    reader_check::check(data, dechaff::dump::WetReader::new);
    // The same bytes opened as a dump: gzip (one member or many, corrupt
    // ones skipped) and the format detected.
    reader_check::check_open(data);
});
