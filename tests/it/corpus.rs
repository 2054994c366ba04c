//! Where the shared corpora are, for tests that need them.

use std::path::{Path, PathBuf};

/// The corpus folder `../shared/corpus` beside the crate, if present.
///
/// Every test that needs it carries
/// `#[cfg_attr(corpus_missing, ignore = "needs ../shared/corpus")]`: the
/// crate's `build.rs` sets `corpus_missing` when the folder is absent, so
/// those tests show as ignored rather than passed. Should one run anyway
/// (`--include-ignored`), this prints a notice and returns `None`; with
/// `DECHAFF_CORPUS_REQUIRED=1` in the environment `build.rs` never sets the
/// mark and this panics instead, so CI cannot pass by skipping.
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
