/*!
Readers for page-text dumps: JSONL, Common Crawl WET and folders of `.txt`
files, gzip-compressed or not.

Every reader is an iterator of [`Result`]`<`[`Document`]`>`. A malformed
record yields an `Err` that names its record number, and iteration goes on
with the next record; only an I/O error (such as a truncated file) ends it.
So a caller can report the bad records and still process all good ones.

[`open`] looks at a path and picks the reader: a directory is read with
[`DirReader`]; a file is decompressed if it starts with the gzip magic
bytes, and read with [`WetReader`] if it starts with `WARC/`, else with
[`JsonlReader`] if a line near its start begins with `{` (a UTF-8 byte order
mark is skipped). Every member of a multi-member gzip file is read (Common
Crawl writes one per record); a corrupt member is reported as an error and
reading goes on at the next member.

```no_run
# fn main() -> dechaff::Result<()> {
for doc in dechaff::dump::open("crawl.warc.wet.gz")? {
    match doc {
        Ok(doc) => println!("{}\t{}\t{} bytes", doc.group, doc.id, doc.text.len()),
        Err(err) => eprintln!("crawl.warc.wet.gz: {err}"),
    }
}
# Ok(()) }
```

To decode records on other threads than the one that reads the dump
(JSON decoding costs far more than finding where a record ends), read
them with [`Dump::read_unparsed`] into an [`Unparsed`] batch and parse
it with [`Unparsed::parse`] where it is to be used: the same documents
and errors come out, in the same order.

This module needs the `dump` cargo feature (on by default).
*/

use std::{
    collections::VecDeque,
    fs,
    io::{self, BufRead, BufReader, Read},
    path::{Path, PathBuf},
    sync::Arc,
};

use crate::error::{Error, ErrorKind, Result};

/// One page of a dump.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Document {
    /// The document's identifier: the JSONL `id` field (else its `url`),
    /// the WARC-Record-ID of a WET record without its angle brackets, or
    /// the path of a `.txt` file relative to the directory, without
    /// `.txt`.
    pub id: String,
    /// The page's URL, if the dump names one.
    pub url: Option<String>,
    /// The site group: the pages whose templates are learned together.
    /// By default the host of the URL (lowercased), or for a directory dump
    /// the folder of the file; `""` when there is neither.
    pub group: String,
    /// The page text, one block per line. Not validated as UTF-8.
    pub text: Vec<u8>,
}

/// The host of a URL, lowercased, without user info and port: `""` if the
/// URL has none.
///
/// ```
/// assert_eq!(dechaff::dump::host("https://User@News.Example.org:8080/a?b"), "news.example.org");
/// assert_eq!(dechaff::dump::host("not a url"), "");
/// ```
pub fn host(url: &str) -> String {
    let Some((_, rest)) = url.split_once("://") else {
        return String::new();
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
    };
    host.to_ascii_lowercase()
}

/// Read one line into `buf` (cleared first), without its `\n` or `\r\n`.
/// `Ok(false)` at the end of the input.
fn read_line<R: BufRead>(rdr: &mut R, buf: &mut Vec<u8>) -> io::Result<bool> {
    buf.clear();
    read_line_into(rdr, buf)
}

/// Append one line to `buf`, without its `\n` or `\r\n`. `Ok(false)` at
/// the end of the input.
fn read_line_into<R: BufRead>(rdr: &mut R, buf: &mut Vec<u8>) -> io::Result<bool> {
    if rdr.read_until(b'\n', buf)? == 0 {
        return Ok(false);
    }
    if buf.last() == Some(&b'\n') {
        buf.pop();
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
    }
    Ok(true)
}

fn bad(record: u64, problem: &'static str) -> Error {
    Error::new(ErrorKind::BadRecord { record, problem })
}

/// Reads a JSONL dump: one JSON object per line.
///
/// Each object needs a string field `text` and an `id` (string or number)
/// and/or a `url`; a missing `id` is taken from `url`. The group is the
/// URL's [`host`] (`""` without a URL), or with
/// [`group_by`](JsonlReader::group_by) the value of another field. Blank
/// lines are skipped; records are numbered by line, from 1.
///
/// ```
/// use dechaff::dump::JsonlReader;
///
/// let dump = "{\"id\": \"a\", \"url\": \"https://example.org/a\", \"text\": \"Home\\nHello.\\n\"}\n\
///             not json\n\
///             {\"url\": \"https://example.org/b\", \"text\": \"Home\\nBye.\\n\"}\n";
/// let docs: Vec<_> = JsonlReader::new(dump.as_bytes()).collect();
/// let first = docs[0].as_ref().unwrap();
/// assert_eq!((first.id.as_str(), first.group.as_str()), ("a", "example.org"));
/// assert_eq!(docs[1].as_ref().unwrap_err().to_string().split(':').next(), Some("record 2"));
/// assert_eq!(docs[2].as_ref().unwrap().id, "https://example.org/b");
/// ```
#[derive(Debug)]
pub struct JsonlReader<R> {
    rdr: R,
    buf: Vec<u8>,
    record: u64,
    group_by: Option<Arc<str>>,
    done: bool,
}

impl<R: BufRead> JsonlReader<R> {
    /// Read JSONL from `rdr`.
    pub fn new(rdr: R) -> JsonlReader<R> {
        JsonlReader {
            rdr,
            buf: Vec::new(),
            record: 0,
            group_by: None,
            done: false,
        }
    }

    /// Take the group from this field (a string or number) instead of the
    /// URL's host. A record without it is an error.
    pub fn group_by(mut self, field: impl Into<String>) -> JsonlReader<R> {
        self.group_by = Some(Arc::from(field.into()));
        self
    }

    /// Append the next record's line to `buf`, without its line
    /// terminator (a BOM before the first record is dropped), and give
    /// where it starts; blank lines are skipped. `None` at the end.
    fn read_record(&mut self, buf: &mut Vec<u8>) -> Option<Result<usize>> {
        let start = buf.len();
        while !self.done {
            self.record += 1;
            buf.truncate(start);
            let read = read_line_into(&mut self.rdr, buf);
            if self.record == 1 && buf[start..].starts_with(BOM) {
                buf.drain(start..start + BOM.len());
            }
            match read {
                Ok(true) if buf[start..].iter().all(u8::is_ascii_whitespace) => continue,
                Ok(true) => return Some(Ok(start)),
                Ok(false) => self.done = true,
                Err(source) => {
                    self.done = true;
                    buf.truncate(start);
                    let record = self.record;
                    let kind = |message| ErrorKind::ReadRecord { record, message };
                    return Some(Err(Error::because(source, kind)));
                }
            }
        }
        buf.truncate(start);
        None
    }
}

/// Parse JSONL record number `record`, the line `line`, taking the group
/// from the field `group_by` if given, else from the URL's host.
fn parse_jsonl(line: &[u8], record: u64, group_by: Option<&str>) -> Result<Document> {
    let mut obj: serde_json::Map<String, serde_json::Value> = match serde_json::from_slice(line) {
        Ok(obj) => obj,
        // serde_json rejects a lone surrogate escape (`\ud800`), which
        // JavaScript writes happily: read it as U+FFFD instead.
        Err(source) => replace_lone_surrogates(line)
            .and_then(|fixed| serde_json::from_slice(&fixed).ok())
            .ok_or_else(|| {
                Error::because(source, |message| ErrorKind::MalformedJson {
                    record,
                    message,
                })
            })?,
    };
    // Read before `text` and `url` are moved out: either may be the field.
    let group_field = group_by.map(|field| obj.get(field).and_then(scalar));
    let text = match obj.remove("text") {
        Some(serde_json::Value::String(s)) => s.into_bytes(),
        Some(_) => return Err(bad(record, "`text` is not a string")),
        None => return Err(bad(record, "no `text` field")),
    };
    let url = match obj.remove("url") {
        Some(serde_json::Value::String(s)) => Some(s),
        Some(serde_json::Value::Null) | None => None,
        Some(_) => return Err(bad(record, "`url` is not a string")),
    };
    let id = match obj.get("id").and_then(scalar) {
        Some(id) => id,
        None if obj.contains_key("id") => return Err(bad(record, "`id` is not a string")),
        None => url
            .clone()
            .ok_or_else(|| bad(record, "no `id` or `url` field"))?,
    };
    let group = match group_field {
        Some(value) => {
            value.ok_or_else(|| bad(record, "the group field is missing or not a string"))?
        }
        None => url.as_deref().map(host).unwrap_or_default(),
    };
    Ok(Document {
        id,
        url,
        group,
        text,
    })
}

/// `line` with every `\uXXXX` escape of a lone UTF-16 surrogate replaced by
/// `\ufffd`, or `None` if it has none.
fn replace_lone_surrogates(line: &[u8]) -> Option<Vec<u8>> {
    let escape = |at: usize| -> Option<u16> {
        let hex = line.get(at..at + 6)?.strip_prefix(b"\\u")?;
        u16::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()
    };
    let (mut out, mut i, mut fixed) = (Vec::with_capacity(line.len()), 0, false);
    while i < line.len() {
        if line[i] != b'\\' {
            out.push(line[i]);
            i += 1;
            continue;
        }
        let Some(unit) = escape(i) else {
            // Another escape (`\\`, `\"`, ...): copy it whole.
            out.extend_from_slice(&line[i..(i + 2).min(line.len())]);
            i += 2;
            continue;
        };
        let low = escape(i + 6).filter(|u| (0xDC00..0xE000).contains(u));
        if (0xD800..0xDC00).contains(&unit) && low.is_some() {
            out.extend_from_slice(&line[i..i + 12]);
            i += 12;
        } else if (0xD800..0xE000).contains(&unit) {
            out.extend_from_slice(b"\\ufffd");
            fixed = true;
            i += 6;
        } else {
            out.extend_from_slice(&line[i..i + 6]);
            i += 6;
        }
    }
    fixed.then_some(out)
}

/// The UTF-8 byte order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A string or number as a string.
fn scalar(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl<R: BufRead> Iterator for JsonlReader<R> {
    type Item = Result<Document>;

    fn next(&mut self) -> Option<Result<Document>> {
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        let read = self.read_record(&mut buf);
        let doc = read.map(|start| {
            start
                .and_then(|start| parse_jsonl(&buf[start..], self.record, self.group_by.as_deref()))
        });
        self.buf = buf;
        doc
    }
}

/// Reads a Common Crawl WET file: WARC/1.0 records.
///
/// Every `conversion` record is one document: id = its `WARC-Record-ID`
/// without the angle brackets (else its URI), url = `WARC-Target-URI`,
/// group = the URL's [`host`], text = the record's `Content-Length` bytes.
/// Other records (`warcinfo`, `request`, …) are skipped. Records are
/// numbered from 1 in file order, skipped ones included. A `conversion`
/// record without a URI, or a record without a valid `Content-Length`, is
/// an error; reading goes on with the next record.
///
/// A record's body must be followed by `\r\n\r\n` (or `\n\n`), or the
/// end of the input. If not, its
/// `Content-Length` is wrong and the record is an error: if the body it
/// gives runs into a later record (the length is too long, or runs past
/// the end), reading resumes at that record's version line; if it stops
/// short, at the next version line after it. Either way every intact
/// record after it is read, numbered as it stands in the file.
///
/// ```
/// use dechaff::dump::WetReader;
///
/// let wet = "WARC/1.0\r\nWARC-Type: warcinfo\r\nContent-Length: 4\r\n\r\nabcd\r\n\r\n\
///            WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: https://example.org/x\r\n\
///            WARC-Record-ID: <urn:uuid:1>\r\nContent-Length: 12\r\n\r\nHome\nHello.\n\r\n\r\n";
/// let docs: Vec<_> = WetReader::new(wet.as_bytes()).collect::<Result<_, _>>().unwrap();
/// assert_eq!(docs.len(), 1);
/// assert_eq!(docs[0].id, "urn:uuid:1");
/// assert_eq!(docs[0].text, b"Home\nHello.\n");
/// ```
#[derive(Debug)]
pub struct WetReader<R> {
    rdr: Rewind<R>,
    line: Vec<u8>,
    record: u64,
    /// Skip lines up to the next `WARC/` line (after a bad header).
    resync: bool,
    done: bool,
}

/// The headers of one WARC record that matter here.
#[derive(Default)]
struct WarcHeaders {
    kind: Option<String>,
    uri: Option<String>,
    id: Option<String>,
    /// `None` when missing or not a number.
    length: Option<u64>,
}

impl<R: BufRead> WetReader<R> {
    /// Read WARC records from `rdr`.
    pub fn new(rdr: R) -> WetReader<R> {
        WetReader {
            rdr: Rewind {
                rdr,
                back: Vec::new(),
                pos: 0,
            },
            line: Vec::new(),
            record: 0,
            resync: false,
            done: false,
        }
    }

    /// Read up to and including the next record's version line. `Ok(false)`
    /// at the end of the input.
    fn find_record(&mut self) -> Result<bool> {
        loop {
            if !read_line(&mut self.rdr, &mut self.line).map_err(|e| self.io_error(e))? {
                return Ok(false);
            }
            if self.line.starts_with(b"WARC/") {
                self.resync = false;
                self.record += 1;
                return Ok(true);
            }
            if !self.resync && !self.line.iter().all(u8::is_ascii_whitespace) {
                self.resync = true;
                return Err(bad(self.record + 1, "expected a WARC version line"));
            }
        }
    }

    fn headers(&mut self) -> Result<WarcHeaders> {
        let mut h = WarcHeaders::default();
        loop {
            if !read_line(&mut self.rdr, &mut self.line).map_err(|e| self.io_error(e))? {
                self.done = true;
                return Err(bad(self.record, "truncated WARC header"));
            }
            if self.line.is_empty() {
                return Ok(h);
            }
            let Some(colon) = self.line.iter().position(|&b| b == b':') else {
                continue;
            };
            let name = self.line[..colon].trim_ascii();
            let value = String::from_utf8_lossy(self.line[colon + 1..].trim_ascii());
            if name.eq_ignore_ascii_case(b"WARC-Type") {
                h.kind = Some(value.into_owned());
            } else if name.eq_ignore_ascii_case(b"WARC-Target-URI") {
                h.uri = Some(value.into_owned());
            } else if name.eq_ignore_ascii_case(b"WARC-Record-ID") {
                let id = value.trim_start_matches('<').trim_end_matches('>');
                h.id = Some(id.to_string());
            } else if name.eq_ignore_ascii_case(b"Content-Length") {
                h.length = value.parse().ok();
            }
        }
    }

    /// Read what follows a record's body: `\r\n\r\n` (or `\n\n`, or the
    /// end of the input). Anything else means the record's
    /// `Content-Length` is wrong: then the bytes read are returned.
    fn trailer(&mut self) -> Result<Option<Vec<u8>>> {
        const END: &[u8] = b"\r\n\r\n";
        let mut read = Vec::with_capacity(END.len());
        let got = (&mut self.rdr)
            .take(END.len() as u64)
            .read_to_end(&mut read);
        got.map_err(|e| self.io_error(e))?;
        if read == END || (read.len() < END.len() && END.starts_with(&read)) {
            return Ok(None);
        }
        if let Some(rest) = read.strip_prefix(b"\n\n") {
            self.rdr.put_back(rest);
            return Ok(None);
        }
        Ok(Some(read))
    }

    /// The error for a record whose body (`text`, then the bytes `after`
    /// it) does not end where its `Content-Length` says, having set up
    /// where reading resumes: at the first version line in the body (the
    /// length ran into later records), else at the next one after it.
    fn wrong_length(&mut self, text: &[u8], after: &[u8], short: bool) -> Error {
        let inside = memchr::memmem::find_iter(text, b"WARC/")
            .find(|&at| (at == 0 || text[at - 1] == b'\n') && is_version_line(&text[at..]));
        match inside {
            Some(at) => {
                let mut back = text[at..].to_vec();
                back.extend_from_slice(after);
                self.rdr.put_back(&back);
                let problem = if short {
                    "Content-Length runs past the end of the input, into later records"
                } else {
                    "Content-Length runs into the next record"
                };
                bad(self.record, problem)
            }
            None if short => {
                let e = io::Error::new(io::ErrorKind::UnexpectedEof, "truncated WARC record body");
                self.io_error(e)
            }
            None => {
                // What followed is the body's tail: skip to a version line.
                self.rdr.put_back(after);
                self.resync = true;
                bad(
                    self.record,
                    "Content-Length ends the record early (no \\r\\n\\r\\n after it)",
                )
            }
        }
    }

    fn io_error(&mut self, source: io::Error) -> Error {
        self.done = true;
        let record = self.record.max(1);
        Error::because(source, |message| ErrorKind::ReadRecord { record, message })
    }

    fn read_record(&mut self) -> Result<Option<Document>> {
        let h = self.headers()?;
        let Some(length) = h.length else {
            self.resync = true;
            return Err(bad(self.record, "no valid Content-Length"));
        };
        let mut text = Vec::with_capacity(length.min(1 << 24) as usize);
        let read = (&mut self.rdr).take(length).read_to_end(&mut text);
        let short = match read {
            Err(e) => return Err(self.io_error(e)),
            Ok(n) => (n as u64) < length,
        };
        let after = if short {
            Some(Vec::new())
        } else {
            self.trailer()?
        };
        if let Some(after) = after {
            return Err(self.wrong_length(&text, &after, short));
        }
        if h.kind.as_deref() != Some("conversion") {
            return Ok(None);
        }
        let url = h
            .uri
            .ok_or_else(|| bad(self.record, "conversion record without WARC-Target-URI"))?;
        let group = host(&url);
        let id = h.id.unwrap_or_else(|| url.clone());
        Ok(Some(Document {
            id,
            url: Some(url),
            group,
            text,
        }))
    }
}

/// Whether `line` starts with a WARC version line: `WARC/` and a digit.
fn is_version_line(line: &[u8]) -> bool {
    line.strip_prefix(b"WARC/")
        .and_then(|rest| rest.first())
        .is_some_and(u8::is_ascii_digit)
}

/// A reader with bytes put back in front of it: what a WET record whose
/// `Content-Length` was too long swallowed of the records after it.
#[derive(Debug)]
struct Rewind<R> {
    rdr: R,
    back: Vec<u8>,
    pos: usize,
}

impl<R> Rewind<R> {
    /// Read `bytes` again before the rest.
    fn put_back(&mut self, bytes: &[u8]) {
        let mut back = bytes.to_vec();
        back.extend_from_slice(&self.back[self.pos..]);
        self.back = back;
        self.pos = 0;
    }
}

/// `Read::read` for a reader whose `BufRead` methods do the work.
fn read_buffered(rdr: &mut impl BufRead, out: &mut [u8]) -> io::Result<usize> {
    let buf = rdr.fill_buf()?;
    let n = buf.len().min(out.len());
    out[..n].copy_from_slice(&buf[..n]);
    rdr.consume(n);
    Ok(n)
}

impl<R: BufRead> Read for Rewind<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        read_buffered(self, out)
    }
}

impl<R: BufRead> BufRead for Rewind<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos < self.back.len() {
            Ok(&self.back[self.pos..])
        } else {
            self.rdr.fill_buf()
        }
    }

    fn consume(&mut self, n: usize) {
        if self.pos < self.back.len() {
            self.pos += n;
            if self.pos >= self.back.len() {
                self.back.clear();
                self.pos = 0;
            }
        } else {
            self.rdr.consume(n);
        }
    }
}

impl<R: BufRead> Iterator for WetReader<R> {
    type Item = Result<Document>;

    fn next(&mut self) -> Option<Result<Document>> {
        while !self.done {
            match self.find_record() {
                Ok(true) => {}
                Ok(false) => self.done = true,
                Err(e) => return Some(Err(e)),
            }
            if self.done {
                break;
            }
            match self.read_record() {
                Ok(None) => {}
                Ok(Some(doc)) => return Some(Ok(doc)),
                Err(e) => return Some(Err(e)),
            }
        }
        None
    }
}

/// Reads every `.txt` file below a directory as one document, in sorted
/// path order.
///
/// The extension is matched in any case (`.TXT` too), and a `.txt.gz` file
/// is decompressed. The id is the file's path relative to the directory,
/// `/`-separated, without `.txt` or `.txt.gz` (`site-a/2024/page.txt` →
/// `site-a/2024/page`); the group
/// is the relative path of its folder (`site-a/2024`), and `""` for files
/// directly in the directory, which so form one group. Other files are
/// ignored; symbolic links to files are followed, to folders not. A file
/// or folder that cannot be read is an [`ErrorKind::Path`] error.
#[derive(Debug)]
pub struct DirReader {
    root: Arc<Path>,
    /// The extension of the files read, without the dot.
    extension: Arc<str>,
    files: VecDeque<Result<PathBuf>>,
}

impl DirReader {
    /// List the `.txt` files below `root`. Fails only if `root` itself
    /// cannot be read.
    pub fn new(root: impl AsRef<Path>) -> Result<DirReader> {
        DirReader::with_extension(root, "txt")
    }

    /// List the files below `root` whose names end in `.` and `extension`
    /// (in any case, and optionally `.gz`) instead of `.txt`; ids lose
    /// that ending.
    ///
    /// ```no_run
    /// // The output of `dechaff label --format tsv -o out/`, one document per file.
    /// for doc in dechaff::dump::DirReader::with_extension("out", "tsv")? {
    ///     println!("{}", doc?.id);
    /// }
    /// # Ok::<(), dechaff::Error>(())
    /// ```
    pub fn with_extension(root: impl AsRef<Path>, extension: &str) -> Result<DirReader> {
        let root = root.as_ref().to_path_buf();
        let mut files = Vec::new();
        let mut errors = VecDeque::new();
        let entries = fs::read_dir(&root).map_err(|e| path_error(&root, e))?;
        let mut pending = vec![entries];
        while let Some(dir) = pending.last_mut() {
            let Some(entry) = dir.next() else {
                pending.pop();
                continue;
            };
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    errors.push_back(Err(path_error(&root, e)));
                    continue;
                }
            };
            let path = entry.path();
            match entry.file_type() {
                Ok(t) if t.is_dir() => match fs::read_dir(&path) {
                    Ok(sub) => pending.push(sub),
                    Err(e) => errors.push_back(Err(path_error(&path, e))),
                },
                Ok(_) if stem_len(&path, extension).is_some() => {
                    if fs::metadata(&path).is_ok_and(|m| m.is_file()) {
                        files.push(path);
                    }
                }
                Ok(_) => {}
                Err(e) => errors.push_back(Err(path_error(&path, e))),
            }
        }
        files.sort();
        errors.extend(files.into_iter().map(Ok));
        Ok(DirReader {
            root: Arc::from(root),
            extension: Arc::from(extension),
            files: errors,
        })
    }

    fn read(&self, path: &Path) -> Result<Document> {
        read_file(&self.root, &self.extension, path)
    }
}

/// Read the file `path` of the directory `root`, whose files end in
/// `.extension`, as a document.
fn read_file(root: &Path, extension: &str, path: &Path) -> Result<Document> {
    let mut text = fs::read(path).map_err(|e| path_error(path, e))?;
    if text.starts_with(&GZIP_MAGIC[..2]) {
        let mut plain = Vec::new();
        flate2::read::MultiGzDecoder::new(&text[..])
            .read_to_end(&mut plain)
            .map_err(|e| path_error(path, e))?;
        text = plain;
    }
    let rel = path.strip_prefix(root).unwrap_or(path);
    let rel = match (rel.file_name(), stem_len(path, extension)) {
        (Some(name), Some(len)) => {
            rel.with_file_name(String::from_utf8_lossy(&name.as_encoded_bytes()[..len]).as_ref())
        }
        _ => rel.with_extension(""),
    };
    let join = |p: &Path| {
        let parts: Vec<_> = p
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect();
        parts.join("/")
    };
    let group = rel.parent().map(join).unwrap_or_default();
    Ok(Document {
        id: join(&rel),
        url: None,
        group,
        text,
    })
}

/// The length of a file name without `.extension` or `.extension.gz`
/// (matched in any case), or `None` if it has neither ending.
fn stem_len(path: &Path, extension: &str) -> Option<usize> {
    let name = path.file_name()?.as_encoded_bytes();
    let ends = |name: &[u8], ending: &[u8]| {
        name.len() > ending.len() + 1
            && name[name.len() - ending.len() - 1] == b'.'
            && name[name.len() - ending.len()..].eq_ignore_ascii_case(ending)
    };
    let name = match ends(name, b"gz") {
        true => &name[..name.len() - 3],
        false => name,
    };
    ends(name, extension.as_bytes()).then(|| name.len() - extension.len() - 1)
}

fn path_error(path: &Path, source: io::Error) -> Error {
    Error::because(source, |message| ErrorKind::Path {
        path: path.to_path_buf(),
        message,
    })
}

impl Iterator for DirReader {
    type Item = Result<Document>;

    fn next(&mut self) -> Option<Result<Document>> {
        let path = self.files.pop_front()?;
        Some(path.and_then(|p| self.read(&p)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.files.len(), Some(self.files.len()))
    }
}

/// A dump opened by [`open`] or [`OpenOptions::open`]: an iterator of
/// documents whatever the format.
pub struct Dump {
    inner: Inner,
    /// Corrupt gzip members found while reading, to report.
    gzip_errors: GzipErrors,
    /// Items to give before reading on: a document, then the gzip errors
    /// found while reading it.
    queued: VecDeque<Result<Document>>,
}

enum Inner {
    Jsonl(JsonlReader<Box<dyn BufRead + Send>>),
    Wet(WetReader<Box<dyn BufRead + Send>>),
    Dir(DirReader),
}

impl std::fmt::Debug for Dump {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.inner {
            Inner::Jsonl(_) => "jsonl",
            Inner::Wet(_) => "wet",
            Inner::Dir(_) => "dir",
        };
        f.debug_struct("Dump").field("format", &kind).finish()
    }
}

impl Iterator for Dump {
    type Item = Result<Document>;

    fn next(&mut self) -> Option<Result<Document>> {
        if let Some(item) = self.queued.pop_front() {
            return Some(item);
        }
        let item = match &mut self.inner {
            Inner::Jsonl(r) => r.next(),
            Inner::Wet(r) => r.next(),
            Inner::Dir(r) => r.next(),
        };
        let found = self.gzip_errors();
        self.queued.extend(item);
        // Not tied to a record number: a member may hold several records,
        // or part of one.
        self.queued
            .extend(found.into_iter().map(|e| Err(Error::from(e))));
        self.queued.pop_front()
    }
}

impl Dump {
    /// Read the next record into `into` without parsing it, so that the
    /// parsing can run on another thread: a JSONL record is kept as its
    /// line, a directory's file as its path (read by
    /// [`Unparsed::parse`]), a WET record is read whole. Errors met while
    /// reading (an I/O error, a corrupt gzip member) are kept in their
    /// place. Returns `false`, adding nothing, at the end of the dump.
    ///
    /// Reading a dump this way gives the same documents and errors, in
    /// the same order, as iterating over it.
    pub fn read_unparsed(&mut self, into: &mut Unparsed) -> bool {
        if let Some(item) = self.queued.pop_front() {
            into.push_read(item);
            return true;
        }
        let before = into.items.len();
        match &mut self.inner {
            Inner::Jsonl(r) => match r.read_record(&mut into.lines) {
                Some(Ok(_)) => into.items.push(Item::Jsonl {
                    record: r.record,
                    end: into.lines.len(),
                    group_by: r.group_by.clone(),
                }),
                Some(Err(err)) => into.push_read(Err(err)),
                None => {}
            },
            Inner::Wet(r) => into.items.extend(r.next().map(Item::Read)),
            Inner::Dir(r) => match r.files.pop_front() {
                Some(Ok(path)) => into.items.push(Item::File {
                    root: Arc::clone(&r.root),
                    extension: Arc::clone(&r.extension),
                    path,
                }),
                Some(Err(err)) => into.push_read(Err(err)),
                None => {}
            },
        }
        for err in self.gzip_errors() {
            into.push_read(Err(Error::from(err)));
        }
        into.items.len() > before
    }

    /// The corrupt gzip members found since the last call.
    fn gzip_errors(&self) -> Vec<io::Error> {
        match self.gzip_errors.lock() {
            Ok(mut errors) => errors.drain(..).collect(),
            Err(_) => Vec::new(),
        }
    }
}

impl From<DirReader> for Dump {
    fn from(dir: DirReader) -> Dump {
        Dump {
            inner: Inner::Dir(dir),
            gzip_errors: GzipErrors::default(),
            queued: VecDeque::new(),
        }
    }
}

/// Records of a dump read but not yet parsed, so that parsing (decoding a
/// JSONL record's JSON, reading a directory's file) can run on another
/// thread than reading: [`Dump::read_unparsed`] adds records, and
/// [`Unparsed::parse`] gives their documents and errors in input order,
/// as iterating over the dump would have.
///
/// ```
/// use dechaff::dump::{OpenOptions, Unparsed};
///
/// let dump = "{\"id\": \"a\", \"text\": \"Hello.\"}\nnot json\n";
/// let mut dump = OpenOptions::new().read(dump.as_bytes())?;
/// let mut records = Unparsed::new();
/// while dump.read_unparsed(&mut records) {}
/// assert_eq!(records.len(), 2);
/// let docs: Vec<_> = std::thread::spawn(move || records.parse().collect()).join().unwrap();
/// assert_eq!(docs[0].as_ref().unwrap().id, "a");
/// assert_eq!(docs[1].as_ref().unwrap_err().to_string().split(':').next(), Some("record 2"));
/// # Ok::<(), dechaff::Error>(())
/// ```
#[derive(Debug, Default)]
pub struct Unparsed {
    /// The lines of the JSONL records, back to back.
    lines: Vec<u8>,
    items: Vec<Item>,
    /// Bytes of text of the documents read whole.
    read: usize,
}

/// A record of [`Unparsed`].
#[derive(Debug)]
enum Item {
    /// A JSONL record: its number, where its line ends in
    /// [`Unparsed::lines`] (it starts where the JSONL record before it
    /// ends), and the field that names its group.
    Jsonl {
        record: u64,
        end: usize,
        group_by: Option<Arc<str>>,
    },
    /// A file of a directory, to read.
    File {
        root: Arc<Path>,
        extension: Arc<str>,
        path: PathBuf,
    },
    /// A document or error as read.
    Read(Result<Document>),
}

impl Unparsed {
    /// No records.
    pub fn new() -> Unparsed {
        Unparsed::default()
    }

    /// No records, with room for `bytes` bytes of JSONL lines before
    /// growing (growing copies what it holds).
    pub fn with_capacity(bytes: usize) -> Unparsed {
        Unparsed {
            lines: Vec::with_capacity(bytes),
            ..Unparsed::default()
        }
    }

    /// The records held, errors included.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether no record is held.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The bytes held: the lines of JSONL records and the text of
    /// documents read whole (a directory's files are not read yet).
    pub fn bytes(&self) -> usize {
        self.lines.len() + self.read
    }

    fn push_read(&mut self, item: Result<Document>) {
        if let Ok(doc) = &item {
            self.read += doc.text.len();
        }
        self.items.push(Item::Read(item));
    }

    /// Parse the records: their documents and errors in input order.
    pub fn parse(self) -> Parsed {
        Parsed {
            lines: self.lines,
            start: 0,
            items: self.items.into_iter(),
        }
    }
}

/// The documents and errors of [`Unparsed`] records, in input order: see
/// [`Unparsed::parse`].
#[derive(Debug)]
pub struct Parsed {
    lines: Vec<u8>,
    /// Where the next JSONL record's line starts in `lines`.
    start: usize,
    items: std::vec::IntoIter<Item>,
}

impl Parsed {
    /// Step over the next record without parsing it (a JSONL record's JSON
    /// is not decoded, a directory's file not read): for a caller that
    /// knows, from an earlier pass over the same dump, that it does not
    /// need it. Returns `false` if there is no record left.
    ///
    /// ```
    /// use dechaff::dump::{OpenOptions, Unparsed};
    ///
    /// let dump = "{\"id\": \"a\", \"text\": \"A.\"}\n{\"id\": \"b\", \"text\": \"B.\"}\n";
    /// let mut dump = OpenOptions::new().read(dump.as_bytes())?;
    /// let mut records = Unparsed::new();
    /// while dump.read_unparsed(&mut records) {}
    /// let mut parsed = records.parse();
    /// assert!(parsed.pass_over());
    /// assert_eq!(parsed.next().unwrap()?.id, "b");
    /// assert!(!parsed.pass_over());
    /// # Ok::<(), dechaff::Error>(())
    /// ```
    pub fn pass_over(&mut self) -> bool {
        match self.items.next() {
            Some(Item::Jsonl { end, .. }) => {
                self.start = end;
                true
            }
            Some(_) => true,
            None => false,
        }
    }
}

impl Iterator for Parsed {
    type Item = Result<Document>;

    fn next(&mut self) -> Option<Result<Document>> {
        Some(match self.items.next()? {
            Item::Jsonl {
                record,
                end,
                group_by,
            } => {
                let line = &self.lines[self.start..end];
                self.start = end;
                parse_jsonl(line, record, group_by.as_deref())
            }
            Item::File {
                root,
                extension,
                path,
            } => read_file(&root, &extension, &path),
            Item::Read(item) => item,
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.items.size_hint()
    }
}

/// Where [`Members`] leaves the errors of corrupt gzip members for [`Dump`].
type GzipErrors = std::sync::Arc<std::sync::Mutex<Vec<io::Error>>>;

/// The gzip magic bytes and the deflate method byte that open a member.
const GZIP_MAGIC: [u8; 3] = [0x1f, 0x8b, 0x08];

/// Decompresses every member of a multi-member gzip stream, as
/// [`flate2::read::MultiGzDecoder`] does, except that a corrupt member (a
/// bad header, deflate data or checksum) or bytes between members that are
/// not one do not end the stream: the error goes to `errors` and reading
/// goes on at the next member's header, on a new line (so that the
/// broken member's last line does not swallow the next member's first).
struct Members<R> {
    /// The member being read; `None` at the end.
    member: Option<flate2::bufread::GzDecoder<Counted<R>>>,
    /// A newline to give before the next member's bytes.
    newline: bool,
    /// Members started so far, counting from 1.
    number: u64,
    /// Offset in the compressed input of the member being read.
    start: u64,
    errors: GzipErrors,
}

impl<R: Read> Members<R> {
    fn new(rdr: R, errors: GzipErrors) -> Members<R> {
        let mut members = Members {
            member: None,
            newline: false,
            number: 0,
            start: 0,
            errors,
        };
        members.begin(Counted::new(rdr), false);
        members
    }

    /// Start the next member at or after the current position of `raw`:
    /// right there unless `resync`, which looks for the next member header
    /// past the start of the broken member.
    fn begin(&mut self, mut raw: Counted<R>, resync: bool) {
        let found = if resync {
            // A corrupt deflate stream may have run on into the members
            // after it: look again from just past the broken one's start.
            raw.rewind_to_member(1);
            raw.find(&GZIP_MAGIC)
        } else {
            match raw.peek(GZIP_MAGIC.len()) {
                Ok([]) => Ok(false),
                Ok(head) if head.starts_with(&GZIP_MAGIC[..2]) => Ok(true),
                Ok(_) => {
                    self.report(format_args!(
                        "bytes after gzip member {} (at byte {}) are not a gzip member",
                        self.number, raw.pos
                    ));
                    raw.find(&GZIP_MAGIC)
                }
                Err(e) => Err(e),
            }
        };
        match found {
            Ok(true) => {
                self.number += 1;
                self.start = raw.pos;
                raw.start_member();
                self.member = Some(flate2::bufread::GzDecoder::new(raw));
            }
            Ok(false) => self.member = None,
            Err(e) => {
                self.report(format_args!("gzip input: {e}"));
                self.member = None;
            }
        }
    }

    fn report(&self, what: std::fmt::Arguments<'_>) {
        let e = io::Error::new(io::ErrorKind::InvalidData, what.to_string());
        if let Ok(mut errors) = self.errors.lock() {
            errors.push(e);
        }
    }
}

impl<R: Read> Read for Members<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while let Some(member) = &mut self.member {
            if self.newline && !out.is_empty() {
                self.newline = false;
                out[0] = b'\n';
                return Ok(1);
            }
            match member.read(out) {
                Ok(0) if !out.is_empty() => {
                    let raw = self.member.take().map(|m| m.into_inner());
                    raw.into_iter().for_each(|raw| self.begin(raw, false));
                }
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.report(format_args!(
                        "gzip member {} (at byte {} of the compressed input) is corrupt: {e}",
                        self.number, self.start
                    ));
                    let raw = self.member.take().map(|m| m.into_inner());
                    raw.into_iter().for_each(|raw| self.begin(raw, true));
                    self.newline = true;
                }
            }
        }
        Ok(0)
    }
}

/// A buffered reader that counts the bytes consumed, can look ahead a few
/// bytes across its buffer's end, and keeps the bytes consumed since the
/// start of a gzip member (up to [`MAX_REWIND`]) to read them again.
struct Counted<R> {
    rdr: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// Bytes consumed so far.
    pos: u64,
    /// Bytes consumed since [`Counted::start_member`]; `None` past
    /// [`MAX_REWIND`].
    member: Option<Vec<u8>>,
}

/// The buffer size of [`Counted`].
const COUNTED_BUF: usize = 1 << 16;
/// Largest compressed member kept to look for the next member inside it
/// after it proves corrupt: Common Crawl's members (one record each) are
/// far smaller, and a larger one is searched from where decoding stopped.
const MAX_REWIND: usize = 8 << 20;

impl<R: Read> Counted<R> {
    fn new(rdr: R) -> Counted<R> {
        Counted {
            rdr,
            buf: vec![0; COUNTED_BUF],
            start: 0,
            end: 0,
            pos: 0,
            member: None,
        }
    }

    /// Keep the bytes consumed from here on.
    fn start_member(&mut self) {
        self.member = Some(Vec::new());
    }

    /// Read again the bytes kept since [`Counted::start_member`], but the
    /// first `skip`; or, if they were not kept, skip `skip` bytes on.
    fn rewind_to_member(&mut self, skip: usize) {
        match self.member.take() {
            Some(kept) if kept.len() >= skip => {
                let mut buf = kept[skip..].to_vec();
                buf.extend_from_slice(&self.buf[self.start..self.end]);
                self.pos -= (kept.len() - skip) as u64;
                (self.start, self.end) = (0, buf.len());
                buf.resize(buf.len().max(COUNTED_BUF), 0);
                self.buf = buf;
            }
            _ => self.consume(skip),
        }
    }

    /// The next `n` bytes (fewer only at the end), not consumed.
    fn peek(&mut self, n: usize) -> io::Result<&[u8]> {
        if self.end - self.start < n {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
            while self.end < n {
                match self.rdr.read(&mut self.buf[self.end..]) {
                    Ok(0) => break,
                    Ok(k) => self.end += k,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(&self.buf[self.start..self.end.min(self.start + n)])
    }

    /// Consume bytes up to the next occurrence of `pattern`; `false` (all
    /// consumed) if there is none.
    fn find(&mut self, pattern: &[u8]) -> io::Result<bool> {
        loop {
            let buf = self.fill_buf()?;
            if buf.is_empty() {
                return Ok(false);
            }
            let Some(at) = memchr::memchr(pattern[0], buf) else {
                let n = buf.len();
                self.consume(n);
                continue;
            };
            self.consume(at);
            if self.peek(pattern.len())? == pattern {
                return Ok(true);
            }
            self.consume(1);
        }
    }
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        read_buffered(self, out)
    }
}

impl<R: Read> BufRead for Counted<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.start == self.end {
            self.start = 0;
            self.end = loop {
                match self.rdr.read(&mut self.buf) {
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    other => break other?,
                }
            };
        }
        Ok(&self.buf[self.start..self.end])
    }

    fn consume(&mut self, n: usize) {
        let n = n.min(self.end - self.start);
        if let Some(kept) = &mut self.member {
            if kept.len() + n <= MAX_REWIND {
                kept.extend_from_slice(&self.buf[self.start..self.start + n]);
            } else {
                self.member = None;
            }
        }
        self.start += n;
        self.pos += n as u64;
    }
}

/// Options for opening a dump.
#[derive(Clone, Debug, Default)]
pub struct OpenOptions {
    group_by: Option<String>,
}

impl OpenOptions {
    /// Default options.
    pub fn new() -> OpenOptions {
        OpenOptions::default()
    }

    /// For JSONL dumps: take the group from this field (see
    /// [`JsonlReader::group_by`]). Other formats ignore it.
    pub fn group_by(&mut self, field: impl Into<String>) -> &mut OpenOptions {
        self.group_by = Some(field.into());
        self
    }

    /// Open a directory, JSONL or WET dump, gzip-compressed or not; see the
    /// [module docs](self). Fails if the path cannot be opened or the file
    /// is neither JSONL nor WARC.
    pub fn open(&self, path: impl AsRef<Path>) -> Result<Dump> {
        let path = path.as_ref();
        let meta = fs::metadata(path).map_err(|e| path_error(path, e))?;
        if meta.is_dir() {
            return Ok(Dump::from(DirReader::new(path)?));
        }
        let file = fs::File::open(path).map_err(|e| path_error(path, e))?;
        self.detect(file).map_err(|e| path_error(path, e))
    }

    /// Read a JSONL or WET dump, gzip-compressed or not, from `rdr` (such
    /// as stdin): the format is detected from the content as for a file
    /// (see the [module docs](self)). Fails if reading the first bytes
    /// fails, or they are neither JSONL nor WARC.
    ///
    /// ```
    /// let dump = "{\"id\": \"a\", \"text\": \"Hello.\"}\n";
    /// let docs: Vec<_> = dechaff::dump::OpenOptions::new().read(dump.as_bytes())?.collect();
    /// assert_eq!(docs[0].as_ref().unwrap().id, "a");
    /// # Ok::<(), dechaff::Error>(())
    /// ```
    pub fn read<R: Read + Send + 'static>(&self, rdr: R) -> Result<Dump> {
        self.detect(rdr).map_err(Error::from)
    }

    fn detect<R: Read + Send + 'static>(&self, mut rdr: R) -> io::Result<Dump> {
        let gzip_errors = GzipErrors::default();
        let magic = read_head(&mut rdr, GZIP_MAGIC.len())?;
        let gzip = magic.starts_with(&GZIP_MAGIC[..2]);
        let raw = io::Cursor::new(magic).chain(rdr);
        let mut text: Box<dyn Read + Send> = if gzip {
            Box::new(Members::new(raw, gzip_errors.clone()))
        } else {
            Box::new(raw)
        };
        // The same head whatever the sizes of the reads (a pipe gives what
        // it has), so that the format found does not depend on them.
        let head = read_head(&mut text, DETECT_BYTES)?;
        let jsonl = {
            let head = head.strip_prefix(BOM).unwrap_or(&head);
            let start = head.iter().position(|b| !b.is_ascii_whitespace());
            match start.map(|i| &head[i..]) {
                Some(h) if h.starts_with(b"WARC/") => false,
                // JSONL if any line of the head starts an object: lines
                // before it are bad records, not a reason to reject it.
                Some(_) => {
                    let object = |line: &[u8]| line.trim_ascii_start().starts_with(b"{");
                    if !head.split(|&b| b == b'\n').any(object) {
                        return Err(io::Error::new(
                            io::ErrorKind::InvalidData,
                            "neither a JSONL nor a WARC file",
                        ));
                    }
                    true
                }
                None => true,
            }
        };
        let rdr: Box<dyn BufRead + Send> = Box::new(BufReader::with_capacity(
            1 << 16,
            io::Cursor::new(head).chain(text),
        ));
        let inner = if jsonl {
            let r = JsonlReader::new(rdr);
            Inner::Jsonl(match &self.group_by {
                Some(field) => r.group_by(field.clone()),
                None => r,
            })
        } else {
            Inner::Wet(WetReader::new(rdr))
        };
        Ok(Dump {
            inner,
            gzip_errors,
            queued: VecDeque::new(),
        })
    }
}

/// Bytes at the start of a dump that its format is told from.
const DETECT_BYTES: usize = 1 << 16;

/// Up to `n` bytes from the start of `rdr` (fewer only at its end).
fn read_head(rdr: &mut impl Read, n: usize) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(n);
    rdr.take(n as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// Open a dump with default options: see [`OpenOptions::open`].
pub fn open(path: impl AsRef<Path>) -> Result<Dump> {
    OpenOptions::new().open(path)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("dechaff-dump-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn wet_record(kind: &str, uri: Option<&str>, body: &str) -> String {
        let uri = uri
            .map(|u| format!("WARC-Target-URI: {u}\r\n"))
            .unwrap_or_default();
        format!(
            "WARC/1.0\r\nWARC-Type: {kind}\r\n{uri}WARC-Record-ID: <urn:uuid:{}>\r\nContent-Length: {}\r\n\r\n{body}\r\n\r\n",
            body.len(),
            body.len()
        )
    }

    const JSONL: &str = concat!(
        "{\"id\": \"a\", \"url\": \"https://Example.org/a\", \"text\": \"Home\\nOne.\\n\", \"site\": \"ex\"}\r\n",
        "\r\n",
        "{\"id\": 7, \"text\": \"Two.\", \"site\": \"ex\"}\n",
        "{\"id\": \"broken\", \"text\": \n",
        "{\"url\": \"http://other.net:81/b\", \"text\": \"Three.\", \"site\": 3}\n",
        "{\"id\": \"no-text\"}\n",
    );

    #[test]
    fn jsonl() {
        let docs: Vec<_> = JsonlReader::new(JSONL.as_bytes()).collect();
        assert_eq!(docs.len(), 5);
        let a = docs[0].as_ref().unwrap();
        assert_eq!(
            (a.id.as_str(), a.group.as_str(), &a.text[..]),
            ("a", "example.org", &b"Home\nOne.\n"[..])
        );
        let seven = docs[1].as_ref().unwrap();
        assert_eq!(
            (
                seven.id.as_str(),
                seven.group.as_str(),
                seven.url.as_deref()
            ),
            ("7", "", None)
        );
        let err = docs[2].as_ref().unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::MalformedJson { record: 4, .. }),
            "{err:?}"
        );
        assert!(
            err.to_string().starts_with("record 4: malformed JSON"),
            "{err}"
        );
        let b = docs[3].as_ref().unwrap();
        assert_eq!(
            (b.id.as_str(), b.group.as_str()),
            ("http://other.net:81/b", "other.net")
        );
        let err = docs[4].as_ref().unwrap_err();
        assert!(matches!(
            err.kind(),
            ErrorKind::BadRecord {
                record: 6,
                problem: "no `text` field"
            }
        ));
    }

    #[test]
    fn jsonl_group_by() {
        let groups: Vec<String> = JsonlReader::new(JSONL.as_bytes())
            .group_by("site")
            .filter_map(|d| d.ok())
            .map(|d| d.group)
            .collect();
        assert_eq!(groups, ["ex", "ex", "3"]);
        // Grouping by a field the reader also takes apart: the whole URL.
        let groups: Vec<Result<String>> = JsonlReader::new(JSONL.as_bytes())
            .group_by("url")
            .map(|d| d.map(|d| d.group))
            .collect();
        assert_eq!(groups[0].as_ref().unwrap(), "https://Example.org/a");
        assert!(groups[1].is_err(), "record without a url");
        assert_eq!(groups[3].as_ref().unwrap(), "http://other.net:81/b");
    }

    #[test]
    fn wet() {
        let mut wet = wet_record("warcinfo", None, "software: test\r\n");
        wet += &wet_record(
            "conversion",
            Some("https://news.example.org/1"),
            "Home\nFirst.\n",
        );
        wet += &wet_record("conversion", None, "No URI here.\n");
        wet += &wet_record(
            "conversion",
            Some("https://news.example.org/2"),
            "Home\r\nSecond.\r\n",
        );
        let docs: Vec<_> = WetReader::new(wet.as_bytes()).collect();
        assert_eq!(docs.len(), 3);
        let first = docs[0].as_ref().unwrap();
        assert_eq!(first.group, "news.example.org");
        assert_eq!(first.id, format!("urn:uuid:{}", "Home\nFirst.\n".len()));
        assert_eq!(first.text, b"Home\nFirst.\n");
        let err = docs[1].as_ref().unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::BadRecord { record: 3, .. }),
            "{err:?}"
        );
        assert_eq!(docs[2].as_ref().unwrap().text, b"Home\r\nSecond.\r\n");
    }

    #[test]
    fn wet_bad_length_resyncs() {
        let mut wet = "WARC/1.0\r\nWARC-Type: conversion\r\nContent-Length: x\r\n\r\nbody\r\n\r\n"
            .to_string();
        wet += &wet_record("conversion", Some("https://a.example/"), "Fine.\n");
        let docs: Vec<_> = WetReader::new(wet.as_bytes()).collect();
        assert_eq!(docs.len(), 2);
        assert!(matches!(
            docs[0].as_ref().unwrap_err().kind(),
            ErrorKind::BadRecord { record: 1, .. }
        ));
        assert_eq!(docs[1].as_ref().unwrap().text, b"Fine.\n");
    }

    #[test]
    fn wet_truncated_body() {
        let wet = wet_record("conversion", Some("https://a.example/"), "Fine.\n");
        let docs: Vec<_> = WetReader::new(&wet.as_bytes()[..wet.len() - 8]).collect();
        assert_eq!(docs.len(), 1);
        assert!(matches!(
            docs[0].as_ref().unwrap_err().kind(),
            ErrorKind::ReadRecord { record: 1, .. }
        ));
    }

    #[test]
    fn gzip_files() {
        let dir = temp_dir("gzip");
        let wet = wet_record("conversion", Some("https://a.example/1"), "One.\n")
            + &wet_record("conversion", Some("https://a.example/2"), "Two.\n");
        let plain = dir.join("plain.wet");
        fs::write(&plain, &wet).unwrap();
        // Two gzip members, as Common Crawl writes them: one per record.
        let half = wet
            .find("WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: https://a.example/2")
            .unwrap();
        let mut multi = gzip(&wet.as_bytes()[..half]);
        let first_member = multi.len();
        multi.extend(gzip(&wet.as_bytes()[half..]));
        fs::write(dir.join("multi.wet.gz"), &multi).unwrap();
        fs::write(dir.join("dump.jsonl.gz"), gzip(JSONL.as_bytes())).unwrap();

        let ids = |path: &Path| -> Vec<String> {
            open(path)
                .unwrap()
                .filter_map(|d| d.ok())
                .map(|d| d.id)
                .collect()
        };
        assert_eq!(ids(&plain).len(), 2);
        assert_eq!(ids(&dir.join("multi.wet.gz")), ids(&plain));
        assert_eq!(
            ids(&dir.join("dump.jsonl.gz")),
            ["a", "7", "http://other.net:81/b"]
        );

        // A truncated gzip stream is an error, never a silent partial read.
        for cut in [
            3,
            first_member / 2,
            first_member + 1,
            first_member + 5,
            multi.len() - 3,
        ] {
            let path = dir.join("cut.wet.gz");
            fs::write(&path, &multi[..cut]).unwrap();
            let items: Vec<_> = match open(&path) {
                Ok(dump) => dump.collect(),
                Err(e) => vec![Err(e)],
            };
            assert!(items.iter().any(|d| d.is_err()), "cut at {cut}: {items:?}");
        }
        fs::write(dir.join("junk.bin"), b"\x00\x01binary").unwrap();
        assert!(matches!(
            open(dir.join("junk.bin")).unwrap_err().kind(),
            ErrorKind::Path { .. }
        ));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn gzip_members_resync() {
        let lines: Vec<String> = (0..6)
            .map(|i| format!("{{\"id\": \"{i}\", \"text\": \"Line {i}.\"}}\n"))
            .collect();
        // One member per two lines; the second member's data garbled.
        let mut members: Vec<Vec<u8>> = lines
            .chunks(2)
            .map(|c| gzip(c.concat().as_bytes()))
            .collect();
        let m = &mut members[1];
        let mid = m.len() / 2;
        m[mid..mid + 4].fill(0xff);
        let mut bytes = members.concat();
        bytes.extend_from_slice(b"trailing junk");
        let items: Vec<_> = OpenOptions::new()
            .read(io::Cursor::new(bytes))
            .unwrap()
            .collect();
        let ids: Vec<&str> = items.iter().flatten().map(|d| d.id.as_str()).collect();
        assert_eq!(&ids[..2], ["0", "1"]);
        assert_eq!(&ids[ids.len() - 2..], ["4", "5"], "{items:?}");
        let errors: Vec<String> = items
            .iter()
            .filter_map(|i| i.as_ref().err())
            .map(|e| e.to_string())
            .collect();
        assert!(
            errors.iter().any(|e| e.contains("gzip member 2 ")),
            "{errors:?}"
        );
        assert!(
            errors.iter().any(|e| e.contains("after gzip member 3 ")),
            "{errors:?}"
        );
    }

    #[test]
    fn directory() {
        let dir = temp_dir("dir");
        fs::create_dir_all(dir.join("site-b/2024")).unwrap();
        fs::create_dir_all(dir.join("site-a")).unwrap();
        fs::write(dir.join("top.txt"), "Top.\n").unwrap();
        fs::write(dir.join("top.gold.tsv"), "body\tTop.\n").unwrap();
        fs::write(dir.join("site-b/2024/z.txt"), "Z.\r\n").unwrap();
        fs::write(dir.join("site-a/y.txt"), "Y.\n").unwrap();
        fs::write(dir.join("site-a/x.txt"), "X.\n").unwrap();
        let docs: Vec<Document> = open(&dir).unwrap().map(|d| d.unwrap()).collect();
        let got: Vec<(&str, &str)> = docs
            .iter()
            .map(|d| (d.id.as_str(), d.group.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("site-a/x", "site-a"),
                ("site-a/y", "site-a"),
                ("site-b/2024/z", "site-b/2024"),
                ("top", "")
            ]
        );
        assert_eq!(docs[2].text, b"Z.\r\n");
        let err = DirReader::new(dir.join("missing")).unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::Path { .. }));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn hosts() {
        assert_eq!(host("https://[::1]:8080/x"), "[::1]");
        assert_eq!(host("http://a.example#frag"), "a.example");
        assert_eq!(host("ftp://u:p@files.example:21"), "files.example");
    }

    /// Every item of a dump as text, for comparing two ways of reading it.
    fn shown(items: impl Iterator<Item = Result<Document>>) -> Vec<String> {
        items
            .map(|item| match item {
                Ok(d) => format!("{} {:?} {} {:?}", d.id, d.url, d.group, d.text),
                Err(e) => format!("error: {e}"),
            })
            .collect()
    }

    /// Read `dump` unparsed, in batches of up to `batch` records, parsing
    /// each batch on a thread of its own.
    fn read_unparsed(mut dump: Dump, batch: usize) -> Vec<String> {
        let mut batches = Vec::new();
        let mut records = Unparsed::new();
        while dump.read_unparsed(&mut records) {
            if records.len() >= batch {
                batches.push(std::mem::take(&mut records));
            }
        }
        batches.push(records);
        let parsed: Vec<_> = batches
            .into_iter()
            .map(|b| std::thread::spawn(move || shown(b.parse())))
            .collect();
        parsed.into_iter().flat_map(|t| t.join().unwrap()).collect()
    }

    #[test]
    fn unparsed_reads_as_iterating_does() {
        let mut jsonl = b"\xEF\xBB\xBF".to_vec();
        jsonl.extend_from_slice(JSONL.as_bytes());
        jsonl.extend_from_slice(b"{\"id\": \"s\", \"text\": \"lone \\ud800\"}\n\n  \nnot json");
        let mut corrupt = gzip(&jsonl[..40]);
        let mut member = gzip(&jsonl[40..90]);
        let mid = member.len() / 2;
        member[mid..mid + 4].fill(0xff);
        corrupt.extend(member);
        corrupt.extend(gzip(&jsonl[90..]));
        let mut wet = wet_record("warcinfo", None, "software: test\r\n");
        wet += &wet_record("conversion", Some("https://e.org/1"), "Home\nFirst.\n");
        wet += &wet_record("conversion", None, "No URI here.\n");
        wet += "WARC/1.0\r\nContent-Length: 9999\r\n\r\nshort\r\n\r\n";
        wet += &wet_record("conversion", Some("https://e.org/2"), "Second.\n");
        let dir = temp_dir("unparsed");
        fs::create_dir_all(dir.join("site")).unwrap();
        fs::write(dir.join("site/a.txt"), "A.\n").unwrap();
        fs::write(dir.join("site/b.txt.gz"), gzip(b"B.\n")).unwrap();
        fs::write(dir.join("site/c.txt.gz"), b"\x1f\x8bnot gzip").unwrap();
        fs::write(dir.join("top.txt"), "Top.\n").unwrap();
        let mut by_site = OpenOptions::new();
        by_site.group_by("site");
        let plain = OpenOptions::new();
        let dumps = [
            (&plain, jsonl.clone()),
            (&by_site, jsonl),
            (&plain, corrupt),
            (&plain, wet.into_bytes()),
        ];
        for (options, bytes) in dumps {
            let open = || options.read(io::Cursor::new(bytes.clone())).unwrap();
            let want = shown(open());
            assert!(want.iter().any(|w| w.starts_with("error")), "{want:?}");
            for batch in [1, 2, 100] {
                assert_eq!(read_unparsed(open(), batch), want, "batches of {batch}");
            }
            let mut records = Unparsed::new();
            let mut dump = open();
            while dump.read_unparsed(&mut records) {}
            let mut parsed = records.parse();
            let mut odd = Vec::new();
            while parsed.pass_over() {
                odd.extend(parsed.next());
            }
            let want_odd: Vec<_> = want.iter().skip(1).step_by(2).cloned().collect();
            assert_eq!(shown(odd.into_iter()), want_odd);
        }
        let want = shown(open(&dir).unwrap());
        assert_eq!(want.len(), 4, "{want:?}");
        assert!(want[2].starts_with("error"), "{want:?}");
        assert_eq!(read_unparsed(open(&dir).unwrap(), 3), want);
        fs::remove_dir_all(&dir).unwrap();
    }
}
