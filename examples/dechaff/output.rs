//! The outputs of `label`: a TSV or text folder, or one JSONL file.

use std::{
    collections::HashSet,
    fs,
    io::{self, BufWriter, Write},
    path::{Component, Path, PathBuf},
};

use dechaff::{dump::Document, Label, Labelled, Span};

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
    /// (A device or pipe, such as `/dev/null`, is written directly: renaming
    /// a file over it would replace the device.)
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
/// name by [`PendingFile::commit`] and removed if dropped before; or an
/// existing device or pipe, written in place (`tmp` is `None`).
pub struct PendingFile {
    tmp: Option<PathBuf>,
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
        if fs::metadata(dest).is_ok_and(|m| !m.is_file()) {
            let file = fs::OpenOptions::new()
                .write(true)
                .open(dest)
                .map_err(in_path)?;
            return Ok(PendingFile {
                tmp: None,
                dest: dest.to_path_buf(),
                writer: BufWriter::new(file),
                done: false,
            });
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
            tmp: Some(tmp),
            dest: dest.to_path_buf(),
            writer: BufWriter::new(file),
            done: false,
        })
    }

    fn commit(mut self) -> Result<()> {
        let in_path = |e: io::Error| format!("{}: {e}", self.dest.display());
        self.writer.flush().map_err(in_path)?;
        if let Some(tmp) = &self.tmp {
            fs::rename(tmp, &self.dest).map_err(in_path)?;
        }
        self.done = true;
        Ok(())
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        if let (false, Some(tmp)) = (self.done, &self.tmp) {
            let _ = fs::remove_file(tmp);
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
    let (render, ext): (Render, _) = match format {
        Format::Tsv => (tsv, "tsv"),
        Format::Text => (text, "txt"),
        Format::Jsonl => {
            return out.write(|w| {
                pipeline::label_batches(source, &labellers, progress, jsonl, |batch, _| {
                    Ok(w.write_all(batch.bytes())?)
                })
            });
        }
    };
    let Target::Folder(out) = out else {
        return Err("tsv and text output need a folder".into());
    };
    let mut seen = HashSet::new();
    let mut dirs = HashSet::new();
    pipeline::label_batches(source, &labellers, progress, render, |batch, progress| {
        for (doc, (), bytes) in batch.each() {
            let path = id_path(&out, &doc.id, ext);
            if !seen.insert(path.clone()) {
                progress.bad(
                    true,
                    format_args!(
                        "document {}: its output file is taken by an earlier document",
                        doc.id
                    ),
                );
                continue;
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
        }
        Ok(())
    })
}

/// Writes one document's output to the end of a buffer.
pub type Render = fn(&Document, &Labelled, &mut Vec<u8>);

/// `label<TAB>line` for every non-blank line: the gold format.
fn tsv(_: &Document, labelled: &Labelled, out: &mut Vec<u8>) {
    out.reserve(labelled.page().len() + 16 * labelled.len());
    let utf8 = is_utf8(labelled);
    for line in labelled.iter().filter(|l| !l.is_blank()) {
        out.extend_from_slice(line.label().as_str().as_bytes());
        out.push(b'\t');
        push_lossy(out, line.bytes(), utf8);
        out.push(b'\n');
    }
}

/// The body lines only, each ending in a newline.
fn text(_: &Document, labelled: &Labelled, out: &mut Vec<u8>) {
    out.reserve(labelled.page().len());
    let utf8 = is_utf8(labelled);
    let mut body = labelled
        .iter()
        .filter(|l| l.label().is_body() && !l.is_blank());
    if let Some(first) = body.next() {
        push_lossy(out, first.bytes(), utf8);
        for line in body {
            out.push(b'\n');
            push_lossy(out, line.bytes(), utf8);
        }
        out.push(b'\n');
    }
}

/// One JSON object and a newline:
/// `{"id":…,"url":…,"text":…,"metadata":{"group":…,"lines":[[label,start,end],…],"counts":{…}}}`,
/// byte for byte what `serde_json::to_vec` makes of it (compact, the same
/// escapes), written straight into `out`. `text` is the body lines joined
/// by newlines; `lines` has the `[label, start, end]` byte spans of the
/// non-blank lines (terminator excluded), `counts` the non-blank lines per
/// label.
fn jsonl(doc: &Document, labelled: &Labelled, out: &mut Vec<u8>) {
    out.reserve(labelled.page().len() + 32 * labelled.len() + 256);
    out.extend_from_slice(b"{\"id\":");
    push_json_str(out, &doc.id);
    out.extend_from_slice(b",\"url\":");
    match &doc.url {
        Some(url) => push_json_str(out, url),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"text\":\"");
    let utf8 = is_utf8(labelled);
    let mut first = true;
    for line in labelled
        .iter()
        .filter(|l| l.label().is_body() && !l.is_blank())
    {
        if !first {
            out.extend_from_slice(b"\\n");
        }
        first = false;
        push_json_lossy(out, line.bytes(), utf8);
    }
    out.extend_from_slice(b"\",\"metadata\":{\"group\":");
    push_json_str(out, &doc.group);
    out.extend_from_slice(b",\"lines\":[");
    let mut first = true;
    for line in labelled.iter().filter(|l| !l.is_blank()) {
        out.extend_from_slice(if first { b"[\"" } else { b",[\"" });
        first = false;
        out.extend_from_slice(line.label().as_str().as_bytes());
        out.extend_from_slice(b"\",");
        push_span(out, line.span());
    }
    out.extend_from_slice(b"],\"counts\":{");
    let counts = labelled.counts();
    for (i, label) in Label::ALL.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.push(b'"');
        out.extend_from_slice(label.as_str().as_bytes());
        out.extend_from_slice(b"\":");
        push_number(out, counts[label.index()]);
    }
    out.extend_from_slice(b"}}}\n");
}

/// Whether the page of `labelled` is valid UTF-8, and so each of its lines
/// (which end at a `\n`): one check per page instead of one per line.
fn is_utf8(labelled: &Labelled) -> bool {
    std::str::from_utf8(labelled.page()).is_ok()
}

/// `bytes` decoded as UTF-8, each invalid sequence as U+FFFD: what
/// `String::from_utf8_lossy` gives, without building a string. `utf8`
/// says that `bytes` are known to be valid UTF-8.
fn push_lossy(out: &mut Vec<u8>, bytes: &[u8], utf8: bool) {
    if utf8 {
        out.extend_from_slice(bytes);
        return;
    }
    for chunk in bytes.utf8_chunks() {
        out.extend_from_slice(chunk.valid().as_bytes());
        if !chunk.invalid().is_empty() {
            out.extend_from_slice(REPLACEMENT);
        }
    }
}

/// U+FFFD REPLACEMENT CHARACTER in UTF-8.
const REPLACEMENT: &[u8] = "\u{FFFD}".as_bytes();

/// A JSON string: `s` quoted and escaped.
fn push_json_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    push_escaped(out, s.as_bytes());
    out.push(b'"');
}

/// The inside of a JSON string for `bytes` decoded lossily (as
/// [`push_lossy`]).
fn push_json_lossy(out: &mut Vec<u8>, bytes: &[u8], utf8: bool) {
    if utf8 {
        push_escaped(out, bytes);
        return;
    }
    for chunk in bytes.utf8_chunks() {
        push_escaped(out, chunk.valid().as_bytes());
        if !chunk.invalid().is_empty() {
            out.extend_from_slice(REPLACEMENT);
        }
    }
}

/// The escape of each byte in a JSON string, as serde_json writes it:
/// 0 for none, a letter for a short escape (`\n`), `u` for `\u00XX`.
/// Other bytes, all of UTF-8 above ASCII included, go out as they are.
static ESCAPE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = b'u';
        b += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0A] = b'n';
    table[0x0C] = b'f';
    table[0x0D] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

/// Valid UTF-8 `bytes`, escaped for the inside of a JSON string: runs that
/// need no escape are copied whole, found eight bytes at a time.
fn push_escaped(out: &mut Vec<u8>, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let word = bytes
            .get(i..i + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok());
        if word.is_some_and(|w| !needs_escape(u64::from_le_bytes(w))) {
            i += 8;
            continue;
        }
        let b = bytes[i];
        let escape = ESCAPE[usize::from(b)];
        if escape == 0 {
            i += 1;
            continue;
        }
        out.extend_from_slice(&bytes[start..i]);
        i += 1;
        start = i;
        match escape {
            b'u' => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 0xF)],
            ]),
            letter => out.extend_from_slice(&[b'\\', letter]),
        }
    }
    out.extend_from_slice(&bytes[start..]);
}

/// Whether any of the eight bytes of `word` needs an escape in a JSON
/// string (is below 0x20, `"` or `\\`, as [`ESCAPE`] says): the bit tricks
/// for a byte below a bound and a zero byte, exact in telling whether
/// there is one (not which).
fn needs_escape(word: u64) -> bool {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = ONES << 7;
    let below = |w: u64, n: u8| w.wrapping_sub(ONES * u64::from(n)) & !w & HIGH != 0;
    below(word, 0x20)
        || below(word ^ (ONES * u64::from(b'"')), 1)
        || below(word ^ (ONES * u64::from(b'\\')), 1)
}

/// A number in decimal, as JSON writes it.
fn push_number(out: &mut Vec<u8>, n: usize) {
    let mut buf = Digits::new();
    buf.number(n);
    out.extend_from_slice(buf.bytes());
}

/// A line's span in the JSONL `lines`, after its label: `start,end]`, in
/// one copy.
fn push_span(out: &mut Vec<u8>, span: Span) {
    let mut buf = Digits::new();
    buf.byte(b']');
    buf.number(span.end);
    buf.byte(b',');
    buf.number(span.start);
    out.extend_from_slice(buf.bytes());
}

/// Decimal numbers and punctuation written backwards into a buffer.
struct Digits {
    buf: [u8; 48],
    /// Where the bytes written start.
    at: usize,
}

impl Digits {
    fn new() -> Digits {
        Digits {
            buf: [0; 48],
            at: 48,
        }
    }

    /// Put `b` before the bytes written. The buffer holds two numbers of
    /// up to 20 digits (`usize::MAX`) and 8 bytes more.
    fn byte(&mut self, b: u8) {
        self.at -= 1;
        self.buf[self.at] = b;
    }

    /// Put `n` in decimal before the bytes written.
    fn number(&mut self, mut n: usize) {
        loop {
            self.byte(b'0' + (n % 10) as u8);
            n /= 10;
            if n == 0 {
                break;
            }
        }
    }

    fn bytes(&self) -> &[u8] {
        &self.buf[self.at..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dechaff::Labeller;
    use proptest::{collection::vec, prelude::*};
    use serde::Serialize;

    /// The JSONL record as serde_json made it before the writer wrote it
    /// by hand: the reference for [`jsonl`].
    fn jsonl_by_serde(doc: &Document, labelled: &Labelled) -> Vec<u8> {
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
            lines: Vec<(Label, usize, usize)>,
            counts: Counts,
        }
        struct Counts([usize; 6]);
        impl Serialize for Counts {
            fn serialize<S: serde::Serializer>(
                &self,
                s: S,
            ) -> std::result::Result<S::Ok, S::Error> {
                s.collect_map(Label::ALL.iter().map(|l| (l.as_str(), self.0[l.index()])))
            }
        }
        let json = JsonDoc {
            id: &doc.id,
            url: doc.url.as_deref(),
            text: labelled.body_text(),
            metadata: Metadata {
                group: &doc.group,
                lines: labelled
                    .iter()
                    .filter(|l| !l.is_blank())
                    .map(|l| (l.label(), l.span().start, l.span().end))
                    .collect(),
                counts: Counts(labelled.counts()),
            },
        };
        let mut out = serde_json::to_vec(&json).unwrap();
        out.push(b'\n');
        out
    }

    /// A page of prose (labelled body), a menu and blank lines, with
    /// `junk` (any bytes: quotes, controls, invalid UTF-8) inside lines.
    fn page(junk: &[u8]) -> Vec<u8> {
        let mut page = Vec::new();
        for (i, chunk) in junk.chunks(7).enumerate() {
            page.extend_from_slice(
                b"The council met on Tuesday to discuss the budget for the new school, \
                  and the members agreed that the plans should go ahead next spring. ",
            );
            page.extend_from_slice(chunk);
            page.extend_from_slice(if i % 3 == 0 { b"\r\n" } else { b"\n" });
            if i % 4 == 1 {
                page.extend_from_slice(b"Home\n\n  \nNews\n");
            }
        }
        page
    }

    fn check_against_serde(doc: &Document) {
        let labelled = Labeller::default().label(&doc.text);
        let mut out = b"earlier output".to_vec();
        jsonl(doc, &labelled, &mut out);
        let want = jsonl_by_serde(doc, &labelled);
        assert_eq!(
            String::from_utf8_lossy(&out[14..]),
            String::from_utf8_lossy(&want)
        );
        assert_eq!(&out[14..], &want[..]);
        let mut tsv_out = Vec::new();
        tsv(doc, &labelled, &mut tsv_out);
        let mut tsv_want = Vec::new();
        for line in labelled.iter().filter(|l| !l.is_blank()) {
            let text = String::from_utf8_lossy(line.bytes());
            tsv_want.extend_from_slice(format!("{}\t{text}\n", line.label()).as_bytes());
        }
        assert_eq!(tsv_out, tsv_want);
        let mut text_out = Vec::new();
        text(doc, &labelled, &mut text_out);
        let mut text_want = labelled.body_text().into_bytes();
        if !text_want.is_empty() {
            text_want.push(b'\n');
        }
        assert_eq!(text_out, text_want);
    }

    #[test]
    fn numbers_are_decimal() {
        let mut powers: Vec<usize> = (0..20).map(|e| 10usize.pow(e)).collect();
        powers.extend(powers.clone().iter().flat_map(|&p| [p - 1, p + 1]));
        powers.extend([0, 7, 42, 1234, usize::MAX, usize::MAX / 10]);
        for n in powers {
            let mut out = b"x".to_vec();
            push_number(&mut out, n);
            assert_eq!(out, format!("x{n}").as_bytes());
        }
    }

    #[test]
    fn needs_escape_is_the_table() {
        for b in 0..=255u8 {
            for fill in [b'a', b' ', b'~', 0x7f, 0x80, 0xc3, 0xff] {
                for at in 0..8 {
                    let mut word = [fill; 8];
                    word[at] = b;
                    let want = word.iter().any(|&w| ESCAPE[usize::from(w)] != 0);
                    assert_eq!(needs_escape(u64::from_le_bytes(word)), want, "{word:?}");
                }
            }
        }
    }

    #[test]
    fn writer_matches_serde_on_every_byte() {
        let every: Vec<u8> = (0..=255).collect();
        let labelled = Labeller::default().label(page(&every));
        assert!(
            labelled.counts()[Label::Body.index()] > 10,
            "the test needs body lines"
        );
        let doc = Document {
            id: "a\u{1}\"\\/\u{7f}\u{2028}é\n".into(),
            url: Some("https://x.example/\t\u{1f}?q=\"".into()),
            group: "x.example\u{0}".into(),
            text: page(&every),
        };
        check_against_serde(&doc);
        check_against_serde(&Document {
            url: None,
            ..doc.clone()
        });
        check_against_serde(&Document {
            text: Vec::new(),
            ..doc
        });
    }

    proptest! {
        #[test]
        fn writer_matches_serde(
            junk in vec(any::<u8>(), 0..300),
            id in "\\PC*|[\\x00-\\x7f]*",
            url in proptest::option::of("[\\x00-\\x7f]*"),
        ) {
            let text = page(&junk);
            check_against_serde(&Document { id, url, group: "g".into(), text });
        }
    }

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
