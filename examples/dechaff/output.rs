//! The outputs of `label`: a TSV or text folder, or one JSONL file.

use std::{
    collections::HashSet,
    fs,
    io::{self, BufWriter, Write},
    path::{Component, Path, PathBuf},
};

use dechaff::{dump::Document, Label, Labelled};
use serde::Serialize;

use crate::{
    args::{Args, Command, Format},
    input::{Progress, Source},
    pipeline, Models, Result,
};

/// Where `learn`, `label` or `merge` writes, made ready before any input is
/// read, so that an output problem shows before a long learning pass.
pub enum Target {
    /// `-o -`: standard output.
    Stdout,
    /// One file, written under a temporary name beside it and renamed into
    /// place once complete: a failed run leaves no partial or empty file.
    File(PendingFile),
    /// A folder of one file per document (`label --format tsv|text`).
    Folder(PathBuf),
}

impl Target {
    /// Check and prepare the output of `args`: a file that can be created,
    /// or a folder that can be written to and is empty (unless `--force`).
    pub fn prepare(args: &Args) -> Result<Target> {
        let out = args.output.as_deref().ok_or("-o is required")?;
        let folder = args.command == Command::Label && args.format != Format::Jsonl;
        if !folder {
            if out == Path::new("-") {
                return Ok(Target::Stdout);
            }
            return Ok(Target::File(PendingFile::create(out)?));
        }
        if out == Path::new("-") {
            return Err("-o - (stdout) needs --format jsonl: tsv and text write a folder".into());
        }
        let in_path = |e: io::Error| format!("{}: {e}", out.display());
        fs::create_dir_all(out).map_err(in_path)?;
        if !args.force && fs::read_dir(out).map_err(in_path)?.next().is_some() {
            return Err(format!(
                "{}: the output folder is not empty (--force writes into it; files of earlier \
                 runs that this run does not overwrite stay)",
                out.display()
            )
            .into());
        }
        // Writable: a probe file, removed at once.
        let probe = out.join(format!(".dechaff-probe-{}", std::process::id()));
        fs::write(&probe, b"").map_err(in_path)?;
        fs::remove_file(&probe).map_err(in_path)?;
        Ok(Target::Folder(out.to_path_buf()))
    }

    /// Write the one output file (or stdout) through a buffer.
    pub fn write(self, f: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
        match self {
            Target::Stdout => {
                let stdout = io::stdout();
                let mut w = BufWriter::new(stdout.lock());
                f(&mut w)?;
                Ok(w.flush()?)
            }
            Target::File(mut file) => {
                f(&mut file.writer)?;
                file.commit()
            }
            Target::Folder(dir) => Err(format!("{}: a folder, not a file", dir.display()).into()),
        }
    }
}

/// A file written under a temporary name in its folder, renamed to its
/// name by [`PendingFile::commit`] and removed if dropped before.
pub struct PendingFile {
    tmp: PathBuf,
    dest: PathBuf,
    writer: BufWriter<fs::File>,
    done: bool,
}

impl PendingFile {
    fn create(dest: &Path) -> Result<PendingFile> {
        let in_path = |e: io::Error| format!("{}: {e}", dest.display());
        let name = dest
            .file_name()
            .ok_or_else(|| format!("{}: not a file name", dest.display()))?;
        if dest.is_dir() {
            return Err(format!("{}: is a folder", dest.display()).into());
        }
        if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir).map_err(in_path)?;
        }
        let mut tmp_name = std::ffi::OsString::from(".");
        tmp_name.push(name);
        tmp_name.push(format!(".dechaff-{}.tmp", std::process::id()));
        let tmp = dest.with_file_name(tmp_name);
        let file = fs::File::create(&tmp).map_err(in_path)?;
        Ok(PendingFile {
            tmp,
            dest: dest.to_path_buf(),
            writer: BufWriter::new(file),
            done: false,
        })
    }

    fn commit(mut self) -> Result<()> {
        let in_path = |e: io::Error| format!("{}: {e}", self.dest.display());
        self.writer.flush().map_err(in_path)?;
        fs::rename(&self.tmp, &self.dest).map_err(in_path)?;
        self.done = true;
        Ok(())
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        if !self.done {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// Longest file name written for a document, in bytes: under the 255 bytes
/// most file systems allow, leaving room for a hash and the extension.
const MAX_NAME_BYTES: usize = 200;
/// Most folder levels an id makes: deeper ids keep their first levels and
/// join the rest into the file name, so paths stay well under `PATH_MAX`.
const MAX_DEPTH: usize = 12;

/// The file for document `id` in folder `out`: `out/<id>.<ext>`, a `/` in
/// the id making sub-folders. An id that cannot be used as it is (a
/// component that is empty, `.` or `..`, too long or holds a NUL or control
/// character, or too many levels) is made safe, component by component, and
/// its file name gets `~` and a hash of the whole id, so that two ids never
/// share a file by being made safe.
pub fn id_path(out: &Path, id: &str, ext: &str) -> PathBuf {
    let parts: Vec<&str> = id.split('/').collect();
    let usable = |part: &&str| {
        part.len() <= MAX_NAME_BYTES
            && !part.chars().any(char::is_control)
            && matches!(
                Path::new(part).components().next(),
                Some(Component::Normal(_))
            )
            && Path::new(part).components().count() == 1
    };
    let mut path = out.to_path_buf();
    if parts.len() <= MAX_DEPTH && parts.iter().all(usable) {
        path.extend(&parts);
        let mut name = path.file_name().unwrap_or_default().to_os_string();
        name.push(format!(".{ext}"));
        path.set_file_name(name);
        return path;
    }
    let (dirs, rest) = parts.split_at(parts.len().min(MAX_DEPTH) - 1);
    for part in dirs {
        path.push(safe_part(part));
    }
    let name = safe_part(&rest.join("_"));
    path.push(format!("{name}~{:016x}.{ext}", fnv1a(id.as_bytes())));
    path
}

/// A path component made safe: control characters as `_`, cut to
/// [`MAX_NAME_BYTES`] at a character boundary, and `_` if empty, `.` or `..`.
fn safe_part(part: &str) -> String {
    let mut out = String::new();
    for c in part.chars() {
        if out.len() + c.len_utf8() > MAX_NAME_BYTES {
            break;
        }
        out.push(if c.is_control() { '_' } else { c });
    }
    if matches!(out.as_str(), "" | "." | "..") {
        out = "_".into();
    }
    out
}

/// 64-bit FNV-1a: a stable hash for file names (the same in every run and
/// build, unlike the standard library's).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Label all documents of `source` into `out` in `format`.
pub fn label(
    source: &Source,
    models: Models,
    format: Format,
    out: Target,
    progress: &mut Progress,
) -> Result<()> {
    let labellers = pipeline::Labellers::new(models);
    let (render, ext): (fn(&Document, &Labelled) -> Vec<u8>, _) = match format {
        Format::Tsv => (tsv, "tsv"),
        Format::Text => (text, "txt"),
        Format::Jsonl => {
            return out.write(|w| {
                pipeline::label_each(source, &labellers, progress, jsonl, |_, line, _| {
                    Ok(w.write_all(&line)?)
                })
            });
        }
    };
    let Target::Folder(out) = out else {
        return Err("tsv and text output need a folder".into());
    };
    let mut seen = HashSet::new();
    let mut dirs = HashSet::new();
    pipeline::label_each(
        source,
        &labellers,
        progress,
        render,
        |doc, bytes, progress| {
            let path = id_path(&out, &doc.id, ext);
            if !seen.insert(path.clone()) {
                progress.bad(
                    true,
                    format_args!(
                        "document {}: its output file is taken by an earlier document",
                        doc.id
                    ),
                );
                return Ok(());
            }
            let written = match path.parent().filter(|d| !dirs.contains(*d)) {
                Some(dir) => fs::create_dir_all(dir).map(|()| {
                    dirs.insert(dir.to_path_buf());
                }),
                None => Ok(()),
            }
            .and_then(|()| fs::write(&path, bytes));
            if let Err(e) = written {
                progress.bad(
                    true,
                    format_args!("document {}: {}: {e}", doc.id, path.display()),
                );
            }
            Ok(())
        },
    )
}

/// `label<TAB>line` for every non-blank line: the gold format.
fn tsv(doc: &Document, labelled: &Labelled) -> Vec<u8> {
    let mut out = Vec::with_capacity(doc.text.len() + 8 * labelled.len());
    for line in labelled.iter().filter(|l| !l.is_blank()) {
        out.extend_from_slice(line.label().as_str().as_bytes());
        out.push(b'\t');
        // Lossily decoded: a document need not be UTF-8, the output is.
        out.extend_from_slice(String::from_utf8_lossy(line.bytes()).as_bytes());
        out.push(b'\n');
    }
    out
}

/// The body lines only, each ending in a newline.
fn text(_: &Document, labelled: &Labelled) -> Vec<u8> {
    // Lossily decoded: a document need not be UTF-8, the output is.
    let mut out = labelled.body_text().into_bytes();
    if !out.is_empty() {
        out.push(b'\n');
    }
    out
}

#[derive(Serialize)]
struct JsonDoc<'a> {
    id: &'a str,
    url: Option<&'a str>,
    text: String,
    metadata: Metadata<'a>,
}

#[derive(Serialize)]
struct Metadata<'a> {
    group: &'a str,
    /// `[label, start, end]` of each non-blank line, byte offsets into the
    /// document, the line terminator excluded.
    lines: Vec<(Label, usize, usize)>,
    counts: Counts,
}

/// Non-blank lines per label, as a JSON object.
struct Counts([usize; 6]);

impl Serialize for Counts {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_map(Label::ALL.iter().map(|l| (l.as_str(), self.0[l.index()])))
    }
}

/// One JSON object and a newline.
fn jsonl(doc: &Document, labelled: &Labelled) -> Vec<u8> {
    let (text, counts) = (labelled.body_text(), Counts(labelled.counts()));
    let lines = labelled
        .iter()
        .filter(|l| !l.is_blank())
        .map(|l| (l.label(), l.span().start, l.span().end))
        .collect();
    let json = JsonDoc {
        id: &doc.id,
        url: doc.url.as_deref(),
        text,
        metadata: Metadata {
            group: &doc.group,
            lines,
            counts,
        },
    };
    // Cannot fail: every map key is a string.
    let mut out = serde_json::to_vec(&json).unwrap_or_default();
    out.push(b'\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_paths_stay_inside() {
        let out = Path::new("out");
        assert_eq!(id_path(out, "site/a", "tsv"), Path::new("out/site/a.tsv"));
        assert_eq!(
            id_path(out, "urn:uuid:1", "tsv"),
            Path::new("out/urn:uuid:1.tsv")
        );
        let hashed = |id: &str, want: &str| {
            let want = format!("{want}~{:016x}.tsv", fnv1a(id.as_bytes()));
            assert_eq!(id_path(out, id, "tsv"), Path::new(&want), "{id:?}");
        };
        hashed("../../etc/passwd", "out/_/_/etc/passwd");
        hashed("/abs//x", "out/_/abs/_/x");
        hashed("", "out/_");
        hashed("a\0b/c\nd", "out/a_b/c_d");
        // Made safe alike, told apart by the hash.
        assert_ne!(id_path(out, "./x", "tsv"), id_path(out, "../x", "tsv"));
    }

    #[test]
    fn long_and_deep_ids_are_bounded() {
        let out = Path::new("out");
        let long = "é".repeat(300);
        let path = id_path(out, &long, "txt");
        let name = path.file_name().unwrap().to_str().unwrap();
        assert!(name.len() <= MAX_NAME_BYTES + 30, "{}", name.len());
        assert!(name.starts_with(&"é".repeat(MAX_NAME_BYTES / 2)));
        let deep = vec!["d"; 1000].join("/");
        let path = id_path(out, &deep, "txt");
        assert_eq!(path.components().count(), 1 + MAX_DEPTH);
        assert!(path.as_os_str().len() < 1024);
    }
}
