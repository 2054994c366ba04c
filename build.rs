//! Marks the build `corpus_missing` when the shared corpus (`../shared/corpus`
//! beside the crate) is absent, so that the tests that need it show as
//! ignored instead of passing without running. With
//! `DECHAFF_CORPUS_REQUIRED=1` (or the older `CHAFF_CORPUS_REQUIRED=1`) the
//! mark is never set: those tests then run and fail without the corpus.

use std::path::Path;

fn main() {
    println!("cargo:rustc-check-cfg=cfg(corpus_missing)");
    println!("cargo:rerun-if-changed=build.rs");
    let required = ["DECHAFF_CORPUS_REQUIRED", "CHAFF_CORPUS_REQUIRED"];
    for name in required {
        println!("cargo:rerun-if-env-changed={name}");
    }
    let root = std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default();
    let corpus = Path::new(&root).join("../shared/corpus");
    // Cargo reruns the script when the watched path changes: the corpus
    // itself once present, else its parent (or, without one, on every
    // build, since a missing path always counts as changed).
    let watch = if corpus.is_dir() {
        corpus.clone()
    } else {
        Some(corpus.with_file_name(""))
            .filter(|p| p.is_dir())
            .unwrap_or_else(|| corpus.clone())
    };
    println!("cargo:rerun-if-changed={}", watch.display());
    let required = required
        .iter()
        .any(|name| std::env::var_os(name).is_some_and(|v| v == "1"));
    if !corpus.is_dir() && !required {
        println!("cargo:rustc-cfg=corpus_missing");
    }
}
