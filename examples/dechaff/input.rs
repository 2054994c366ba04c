//! Reading the inputs in batches, reporting bad records, and progress.

use std::{
    fs,
    io::{self, IsTerminal},
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use dechaff::dump::{DirReader, Document, Dump, OpenOptions, Unparsed};

use crate::{args::Args, manifest::Manifest, Result};

/// A batch ends once it holds this many bytes of text or documents: the
/// unit of work handed to one thread, small enough that threads finish
/// together at the end of a run and that the batches in flight (a few per
/// thread) stay a few megabytes, large enough that handing one over
/// (microseconds) is lost in labelling it (about 4 ms at 68 MB/s).
const BATCH_BYTES: usize = 256 << 10;
const BATCH_DOCS: usize = 256;

/// The inputs of a run: paths, how to open them, and the manifest.
pub struct Source {
    /// The paths read: the inputs, or temporary copies of pipes.
    paths: Vec<PathBuf>,
    /// The inputs as given, for messages (`<stdin>` for `-`).
    names: Vec<PathBuf>,
    /// Temporary copies of inputs that can be read only once.
    _spools: Vec<Spool>,
    options: OpenOptions,
    manifest: Option<Manifest>,
    /// Read directories' files with this extension instead of `.txt`.
    extension: Option<&'static str>,
    /// Threads that label or learn (`--threads`).
    threads: usize,
}

impl Source {
    /// The inputs of `args`, each checked to be readable: a missing or
    /// unreadable input is a fatal error, before any output is written.
    /// Inputs that can be read only once (`-` for stdin, a pipe) are copied
    /// to a temporary file first, since learning and labelling each read
    /// every input.
    pub fn new(args: &Args) -> Result<Source> {
        let mut options = OpenOptions::new();
        if let Some(field) = &args.group_by {
            options.group_by(field.clone());
        }
        let manifest = match &args.manifest {
            Some(path) => Some(
                Manifest::open(path).map_err(|e| format!("--manifest {}: {e}", path.display()))?,
            ),
            None => None,
        };
        let (mut paths, mut names, mut spools) = (Vec::new(), Vec::new(), Vec::new());
        for path in &args.inputs {
            let name = match path == Path::new("-") {
                true => PathBuf::from(STDIN),
                false => path.clone(),
            };
            if names.contains(&name) && path == Path::new("-") {
                return Err("`-` (stdin) given twice".into());
            }
            paths
                .push(readable(path, &mut spools).map_err(|e| format!("{}: {e}", name.display()))?);
            names.push(name);
        }
        Ok(Source {
            paths,
            names,
            _spools: spools,
            options,
            manifest,
            extension: None,
            threads: args.threads,
        })
    }

    pub fn paths(&self) -> &[PathBuf] {
        &self.paths
    }

    pub fn manifest(&self) -> Option<&Manifest> {
        self.manifest.as_ref()
    }

    /// Read the files of directory inputs that end in `.extension`, not
    /// `.txt` (for `eval` on a folder of labelled output).
    pub fn read_extension(&mut self, extension: &'static str) {
        self.extension = Some(extension);
    }

    fn open(&self, path: &Path) -> dechaff::Result<Dump> {
        match self.extension {
            Some(ext) if path.is_dir() => Ok(Dump::from(DirReader::with_extension(path, ext)?)),
            _ => self.options.open(path),
        }
    }

    /// Read every input in order and hand the documents to `f` in batches,
    /// on this thread. Bad records and unreadable inputs are reported (when
    /// `report`) and skipped. Documents need not be UTF-8.
    pub fn for_each_batch(
        &self,
        progress: &mut Progress,
        report: bool,
        mut f: impl FnMut(Vec<Document>, &mut Progress) -> Result<()>,
    ) -> Result<()> {
        self.read_batches(|raw| {
            let (docs, tally) = self.parse(raw, &|_| false).split();
            progress.take(tally, report);
            f(docs.docs, progress)
        })
    }

    /// Read every input in order and hand its records to `f` in batches,
    /// unparsed (for [`Source::parse`], perhaps on another thread), each
    /// with the inputs that could not be opened. Needs no [`Progress`], so
    /// that it can run on a thread of its own.
    pub fn read_batches(&self, mut f: impl FnMut(RawBatch) -> Result<()>) -> Result<()> {
        let mut batch = RawBatch::default();
        for (input, (path, name)) in self.paths.iter().zip(&self.names).enumerate() {
            let mut dump = match self.open(path) {
                Ok(dump) => dump,
                Err(err) => {
                    // Named once: a path error's path may be a temporary copy.
                    let source = std::error::Error::source(&err);
                    let err: &dyn std::fmt::Display = match (err.kind(), source) {
                        (dechaff::ErrorKind::Path { .. }, Some(source)) => source,
                        _ => &err,
                    };
                    batch
                        .parts
                        .push(Part::Unreadable(format!("{}: {err}", name.display())));
                    continue;
                }
            };
            let mut records = Unparsed::with_capacity(BATCH_BYTES.saturating_sub(batch.bytes));
            while dump.read_unparsed(&mut records) {
                if records.bytes() + batch.bytes >= BATCH_BYTES
                    || records.len() + batch.records >= BATCH_DOCS
                {
                    let full =
                        std::mem::replace(&mut records, Unparsed::with_capacity(BATCH_BYTES));
                    batch.push(input, full);
                    f(batch.take())?;
                }
            }
            batch.push(input, records);
        }
        if !batch.parts.is_empty() {
            f(batch)?;
        }
        Ok(())
    }

    /// Parse the records of a batch read by [`Source::read_batches`]: its
    /// documents (with the manifest applied) and its problems (bad records
    /// and unreadable inputs, named, in input order). Records whose number
    /// `skip` gives are passed over unparsed.
    pub fn parse(&self, raw: RawBatch, skip: &dyn Fn(u64) -> bool) -> Batch {
        let mut batch = Batch::default();
        let mut record = raw.first;
        for part in raw.parts {
            let (input, records) = match part {
                Part::Records(input, records) => (input, records),
                Part::Unreadable(what) => {
                    batch.bad.push(what);
                    continue;
                }
            };
            let numbers = record..record + records.len() as u64;
            record = numbers.end;
            batch.docs.reserve(records.len());
            let mut records = records.parse();
            for number in numbers {
                if skip(number) {
                    records.pass_over();
                    continue;
                }
                let Some(doc) = records.next() else { break };
                let mut doc = match doc {
                    Ok(doc) => doc,
                    Err(err) => {
                        batch
                            .bad
                            .push(format!("{}: {err}", self.names[input].display()));
                        continue;
                    }
                };
                if let Some(manifest) = &self.manifest {
                    manifest.apply(&mut doc);
                }
                batch.docs.push(doc);
                batch.records.push(number);
            }
        }
        batch
    }

    /// How many threads label or learn (`--threads`).
    pub fn threads(&self) -> usize {
        self.threads
    }
}

impl Batch {
    /// The documents, and what is left to report and count of the batch.
    pub fn split(self) -> (Docs, Tally) {
        let tally = Tally {
            docs: self.docs.len() as u64,
            bytes: self.docs.iter().map(|d| d.text.len() as u64).sum(),
            bad: self.bad,
        };
        let docs = Docs {
            docs: self.docs,
            records: self.records,
        };
        (docs, tally)
    }
}

/// What [`Progress::take`] needs of a batch: its problems, and how many
/// documents and bytes of text it held.
pub struct Tally {
    bad: Vec<String>,
    docs: u64,
    bytes: u64,
}

/// Records read in a row, not yet parsed: [`Source::read_batches`].
#[derive(Default)]
pub struct RawBatch {
    /// The number of the first record: records are numbered from 0 over
    /// all inputs in order, bad ones included, the same in every pass.
    first: u64,
    parts: Vec<Part>,
    /// The bytes and records of `parts`.
    bytes: usize,
    records: usize,
}

/// Records of one input, or an input that could not be opened.
enum Part {
    Records(usize, Unparsed),
    Unreadable(String),
}

impl RawBatch {
    /// This batch, leaving an empty one that starts after it.
    fn take(&mut self) -> RawBatch {
        let next = RawBatch {
            first: self.first + self.records as u64,
            ..RawBatch::default()
        };
        std::mem::replace(self, next)
    }

    /// Add the records of input number `input`.
    fn push(&mut self, input: usize, records: Unparsed) {
        if !records.is_empty() {
            self.bytes += records.bytes();
            self.records += records.len();
            self.parts.push(Part::Records(input, records));
        }
    }
}

/// Documents read in a row, and the problems met while reading them.
#[derive(Default)]
pub struct Batch {
    docs: Vec<Document>,
    /// The record number of each document (see [`RawBatch`]).
    records: Vec<u64>,
    /// Bad records and unreadable inputs, in the order met, each skipped.
    bad: Vec<String>,
}

/// The documents of a batch, each with its record number (see
/// [`RawBatch`]).
pub struct Docs {
    pub docs: Vec<Document>,
    pub records: Vec<u64>,
}

/// The path to read input `path` from, once checked to be readable: the
/// input itself, or for `-` (stdin) or a pipe a temporary copy, added to
/// `spools`.
fn readable(path: &Path, spools: &mut Vec<Spool>) -> io::Result<PathBuf> {
    let mut spool = |rdr: &mut dyn io::Read| {
        let spool = Spool::copy(rdr, spools.len())?;
        let copy = spool.0.clone();
        spools.push(spool);
        Ok(copy)
    };
    if path == Path::new("-") {
        return spool(&mut io::stdin().lock());
    }
    let meta = fs::metadata(path)?;
    if meta.is_dir() {
        fs::read_dir(path)?;
        return Ok(path.to_path_buf());
    }
    let mut file = fs::File::open(path)?;
    match meta.is_file() {
        true => Ok(path.to_path_buf()),
        false => spool(&mut file),
    }
}

/// How stdin is named in messages.
const STDIN: &str = "<stdin>";

/// A temporary copy of an input that can be read only once, removed when
/// dropped.
struct Spool(PathBuf);

impl Spool {
    /// Copy `rdr` to a new temporary file; `n` tells the copies of one run
    /// apart.
    fn copy(rdr: &mut dyn io::Read, n: usize) -> io::Result<Spool> {
        let name = format!("dechaff-{}-{n}.input", std::process::id());
        let path = std::env::temp_dir().join(name);
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)?;
        let spool = Spool(path);
        io::copy(rdr, &mut file)?;
        Ok(spool)
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

/// Progress and summaries on stderr, and the count of bad records.
pub struct Progress {
    quiet: bool,
    tty: bool,
    skipped: u64,
    pass: &'static str,
    docs: u64,
    bytes: u64,
    start: Instant,
    last: Instant,
}

impl Progress {
    pub fn new(quiet: bool) -> Progress {
        let now = Instant::now();
        Progress {
            quiet,
            tty: std::io::stderr().is_terminal(),
            skipped: 0,
            pass: "",
            docs: 0,
            bytes: 0,
            start: now,
            last: now,
        }
    }

    /// Start a pass over the inputs.
    pub fn begin(&mut self, pass: &'static str) {
        self.pass = pass;
        self.docs = 0;
        self.bytes = 0;
        self.start = Instant::now();
        self.last = self.start;
    }

    /// Report the problems of a batch (if `report`) and count its
    /// documents.
    pub fn take(&mut self, tally: Tally, report: bool) {
        for what in &tally.bad {
            self.bad(report, format_args!("{what}"));
        }
        self.docs += tally.docs;
        self.bytes += tally.bytes;
    }

    /// Show progress if a second has passed; `extra` is appended.
    pub fn tick(&mut self, extra: std::fmt::Arguments<'_>) {
        if self.quiet || self.last.elapsed() < Duration::from_secs(1) {
            return;
        }
        self.last = Instant::now();
        let end = if self.tty { "\r" } else { "\n" };
        eprint!("{}: {}{extra}   {end}", self.pass, self.rate());
    }

    fn rate(&self) -> String {
        let secs = self.start.elapsed().as_secs_f64();
        let mb = self.bytes as f64 / 1e6;
        format!(
            "{} documents, {mb:.1} MB in {secs:.1} s ({:.1} MB/s)",
            self.docs,
            mb / secs.max(1e-9)
        )
    }

    /// End the pass with a summary line; `extra` is appended.
    pub fn end(&mut self, extra: std::fmt::Arguments<'_>) {
        if !self.quiet {
            eprintln!("{}: {}{extra}", self.pass, self.rate());
        }
    }

    /// Report a bad record or input (if `report`) and count it.
    pub fn bad(&mut self, report: bool, what: std::fmt::Arguments<'_>) {
        if !report {
            return;
        }
        self.skipped += 1;
        if self.tty && !self.quiet {
            eprintln!();
        }
        eprintln!("dechaff: {what}; skipped");
    }

    /// Report a problem that skips nothing (such as a misaligned gold).
    pub fn note(&self, what: std::fmt::Arguments<'_>) {
        if self.tty && !self.quiet {
            eprintln!();
        }
        eprintln!("{what}");
    }

    /// Bad records reported so far.
    pub fn skipped(&self) -> u64 {
        self.skipped
    }
}
