//! The example program on awkward input and output: pipes, long or unsafe
//! document ids, damaged dumps, memory on many small sites, and the
//! errors that must not pass as success.

use std::{
    fs,
    path::{Path, PathBuf},
};

use crate::example::{assert_ok, dechaff, scratch};

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// One JSONL record.
fn record(id: &str, url: &str, text: &str) -> String {
    serde_json::json!({"id": id, "url": url, "text": text}).to_string() + "\n"
}

/// The example binary that `dechaff` (through `cargo run`) has built.
fn example_binary() -> PathBuf {
    assert_ok(&dechaff(&["--help"]));
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap();
    target.join("debug/examples/dechaff")
}

/// Run `bin ARGS` and sample its peak resident memory (`VmHWM`) until it
/// ends: (exit code, peak in bytes).
#[cfg(target_os = "linux")]
fn peak_rss(bin: &Path, args: &[&str]) -> (Option<i32>, u64) {
    let mut child = std::process::Command::new(bin)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let status = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return (status.code(), peak);
        }
        let kb = fs::read_to_string(&status).ok().and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmHWM:"))?.to_string();
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        });
        peak = peak.max(kb.unwrap_or(0) * 1024);
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// Learning on a dump of many one-page sites holds none of their pages: peak
/// memory stays well under the dump's size (it held them all, #13 item 3).
#[cfg(target_os = "linux")]
#[test]
fn learning_memory_does_not_grow_with_one_page_sites() {
    const SITES: usize = 12_000;
    const PAGE: usize = 4096;
    let dir = scratch("memory");
    let dump = dir.join("many-sites.jsonl");
    let mut text = String::with_capacity(SITES * (PAGE + 100));
    for i in 0..SITES {
        let mut page = format!("Site {i} home\n");
        while page.len() < PAGE {
            page.push_str(&format!(
                "Paragraph {} of site {i} says something.\n",
                page.len()
            ));
        }
        text.push_str(&record(
            &format!("p{i}"),
            &format!("https://site{i}.example/"),
            &page,
        ));
    }
    fs::write(&dump, &text).unwrap();
    let size = text.len() as u64;
    let model = dir.join("model.json");
    let (code, peak) = peak_rss(
        &example_binary(),
        &["learn", s(&dump), "-o", s(&model), "-q"],
    );
    assert_eq!(code, Some(0));
    assert!(
        peak < size / 2,
        "peak RSS {} MB learning a {} MB dump of one-page sites",
        peak >> 20,
        size >> 20
    );
}
