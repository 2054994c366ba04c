//! Where the shared corpora are, for tests that need them.

use std::path::{Path, PathBuf};

/// The corpus folder `../shared/corpus` beside the crate, if present.
///
/// When it is absent this prints a notice and returns `None`, so the caller
/// can skip; with `DECHAFF_CORPUS_REQUIRED=1` in the environment it panics
/// instead, so CI cannot pass by skipping.
pub fn corpus_dir() -> Option<PathBuf> {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus"));
    if dir.is_dir() {
        return Some(dir.to_path_buf());
    }
    // `CHAFF_CORPUS_REQUIRED` is the name from before the rename.
    let required = ["DECHAFF_CORPUS_REQUIRED", "CHAFF_CORPUS_REQUIRED"]
        .iter()
        .any(|name| std::env::var_os(name).is_some_and(|v| v == "1"));
    if required {
        panic!(
            "corpus not found at {} and DECHAFF_CORPUS_REQUIRED=1",
            dir.display()
        );
    }
    eprintln!(
        "note: corpus not found at {}; skipping this test",
        dir.display()
    );
    None
}
