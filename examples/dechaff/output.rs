//! The outputs of `label`: a TSV or text folder, or one JSONL file.

use std::{
    collections::HashSet,
    fs,
    io::{self, BufWriter, Write},
    path::{Component, Path, PathBuf},
};

use dechaff::{dump::Document, Label, Labelled, ModelSet};
use serde::Serialize;

use crate::{args::Format, input::Progress, input::Source, pipeline, Result};

/// Write to `path` (`-` = stdout) through a buffer, creating its folder.
pub fn create(path: &Path, f: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    let in_path = |e: io::Error| format!("{}: {e}", path.display());
    if path == Path::new("-") {
        let stdout = io::stdout();
        let mut w = BufWriter::new(stdout.lock());
        f(&mut w)?;
        return Ok(w.flush()?);
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(in_path)?;
    }
    let mut w = BufWriter::new(fs::File::create(path).map_err(in_path)?);
    f(&mut w)?;
    w.flush().map_err(in_path)?;
    Ok(())
}

/// The file for document `id` in folder `out`: `out/<id>.<ext>`, a `/` in
/// the id making sub-folders. Components that would leave the folder
/// (empty, `.`, `..`) become `_`.
pub fn id_path(out: &Path, id: &str, ext: &str) -> PathBuf {
    let mut path = out.to_path_buf();
    for part in id.split('/') {
        let safe = matches!(
            Path::new(part).components().next(),
            Some(Component::Normal(_))
        ) && Path::new(part).components().count() == 1;
        path.push(if safe { part } else { "_" });
    }
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".");
    name.push(ext);
    path.set_file_name(name);
    path
}

/// Label all documents of `source` into `out` in `format`.
pub fn label(
    source: &Source,
    models: ModelSet,
    format: Format,
    out: &Path,
    progress: &mut Progress,
) -> Result<()> {
    let labellers = pipeline::Labellers::new(models);
    let (render, ext): (fn(&Document, &Labelled) -> Vec<u8>, _) = match format {
        Format::Tsv => (tsv, "tsv"),
        Format::Text => (text, "txt"),
        Format::Jsonl => {
            return create(out, |w| {
                pipeline::label_each(source, &labellers, progress, jsonl, |_, line, _| {
                    Ok(w.write_all(&line)?)
                })
            });
        }
    };
    fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let mut seen = HashSet::new();
    let mut dirs = HashSet::new();
    pipeline::label_each(
        source,
        &labellers,
        progress,
        render,
        |doc, bytes, progress| {
            let path = id_path(out, &doc.id, ext);
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
            if let Some(dir) = path.parent().filter(|d| !dirs.contains(*d)) {
                fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
                dirs.insert(dir.to_path_buf());
            }
            fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
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
        out.extend_from_slice(line.bytes());
        out.push(b'\n');
    }
    out
}

/// The body lines only, each ending in a newline.
fn text(_: &Document, labelled: &Labelled) -> Vec<u8> {
    // The documents are valid UTF-8 (see `Source`), so nothing is replaced.
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
            id_path(out, "../../etc/passwd", "tsv"),
            Path::new("out/_/_/etc/passwd.tsv")
        );
        assert_eq!(
            id_path(out, "/abs//x", "txt"),
            Path::new("out/_/abs/_/x.txt")
        );
        assert_eq!(id_path(out, "", "txt"), Path::new("out/_.txt"));
        assert_eq!(
            id_path(out, "urn:uuid:1", "tsv"),
            Path::new("out/urn:uuid:1.tsv")
        );
    }
}
