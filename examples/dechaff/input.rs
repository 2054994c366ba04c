//! Reading the inputs in batches, reporting bad records, and progress.

use std::{
    fs,
    io::{self, IsTerminal},
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use dechaff::dump::{DirReader, Document, OpenOptions};

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

    fn open(
        &self,
        path: &Path,
    ) -> dechaff::Result<Box<dyn Iterator<Item = dechaff::Result<Document>>>> {
        match self.extension {
            Some(ext) if path.is_dir() => Ok(Box::new(DirReader::with_extension(path, ext)?)),
            _ => Ok(Box::new(self.options.open(path)?)),
        }
    }

    /// Read every input in order and hand the documents to `f` in batches.
    /// Bad records and unreadable inputs are reported (when `report`) and
    /// skipped. Documents need not be UTF-8.
    pub fn for_each_batch(
        &self,
        progress: &mut Progress,
        report: bool,
        mut f: impl FnMut(Vec<Document>, &mut Progress) -> Result<()>,
    ) -> Result<()> {
        self.read_batches(|batch| {
            let docs = progress.take(batch, report);
            f(docs, progress)
        })
    }

    /// Read every input in order and hand the documents to `f` in batches,
    /// each with the problems met while reading it (bad records and
    /// unreadable inputs, skipped), for [`Progress::take`] to report. Needs
    /// no [`Progress`], so that it can run on a thread of its own.
    pub fn read_batches(&self, mut f: impl FnMut(Batch) -> Result<()>) -> Result<()> {
        let mut batch = Batch::default();
        let mut bytes = 0;
        for (path, name) in self.paths.iter().zip(&self.names) {
            let dump = match self.open(path) {
                Ok(dump) => dump,
                Err(err) => {
                    // Named once: a path error's path may be a temporary copy.
                    let source = std::error::Error::source(&err);
                    let err: &dyn std::fmt::Display = match (err.kind(), source) {
                        (dechaff::ErrorKind::Path { .. }, Some(source)) => source,
                        _ => &err,
                    };
                    batch.bad.push(format!("{}: {err}", name.display()));
                    continue;
                }
            };
            for doc in dump {
                let mut doc = match doc {
                    Ok(doc) => doc,
                    Err(err) => {
                        batch.bad.push(format!("{}: {err}", name.display()));
                        continue;
                    }
                };
                if let Some(manifest) = &self.manifest {
                    manifest.apply(&mut doc);
                }
                bytes += doc.text.len();
                batch.docs.push(doc);
                if bytes >= BATCH_BYTES || batch.docs.len() >= BATCH_DOCS {
                    f(std::mem::take(&mut batch))?;
                    bytes = 0;
                }
            }
        }
        if !batch.docs.is_empty() || !batch.bad.is_empty() {
            f(batch)?;
        }
        Ok(())
    }

    /// How many threads label or learn (`--threads`).
    pub fn threads(&self) -> usize {
        self.threads
    }
}

/// Documents read in a row, and the problems met while reading them.
#[derive(Default)]
pub struct Batch {
    pub docs: Vec<Document>,
    /// Bad records and unreadable inputs, in the order met, each skipped.
    pub bad: Vec<String>,
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

    /// Report the problems of a batch read by [`Source::read_batches`]
    /// (if `report`), count its documents and hand them back.
    pub fn take(&mut self, batch: Batch, report: bool) -> Vec<Document> {
        for what in &batch.bad {
            self.bad(report, format_args!("{what}"));
        }
        self.docs += batch.docs.len() as u64;
        self.bytes += batch.docs.iter().map(|d| d.text.len() as u64).sum::<u64>();
        batch.docs
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
