//! `dechaff`: learn site templates from page-text dumps, label every line,
//! inspect models and score labels against gold files.
//!
//! Run `cargo run --release --example dechaff -- --help` for the usage.

mod args;
mod eval;
mod input;
mod manifest;
mod output;
mod pipeline;

use std::{fs, io::Write, path::Path, process::ExitCode};

use dechaff::{ModelSet, SiteModel};

use crate::{
    args::{Args, Command},
    input::{Progress, Source},
    output::Target,
};

/// The error type of the program: messages for a person.
pub type Error = Box<dyn std::error::Error + Send + Sync>;
/// A result with [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

const USAGE: &str = "\
dechaff: label every line of page-text dumps as body or boilerplate
(navigation, job_ad, comment_policy, advertisement, other), learning each
site's templates from the dump itself.

USAGE:
    dechaff learn INPUT... -o MODEL
    dechaff label INPUT... [--model MODEL] [--format tsv|jsonl|text] -o OUT
    dechaff inspect MODEL
    dechaff merge MODEL... -o MODEL
    dechaff eval --gold GOLD INPUT... [--manifest TSV --by COLUMN]
               [--exclude FILE] [--model MODEL] [--json] [--top N]

COMMANDS:
    learn     Learn one model per site group in one streaming pass and write
              them all to one model file.
    label     Label every line. Without --model, first learn from the inputs
              themselves (pass 1), then label (pass 2). Pages of groups the
              model lacks (or with a single page) are labelled by cues and
              line features alone.
    inspect   List each site's learned templates with labels and page counts.
    merge     Merge model files (of `learn`, or single-site models saved by
              the library) into one, site by site.
    eval      Score labels against gold files. INPUT is either raw input
              (labelled as `label` would) or a folder written by
              `label --format tsv`. Scoring no document, or any document
              whose gold does not line up with it, is an error (exit 3).

INPUT:
    A directory (every .txt or .txt.gz file below it, in any case, is a
    document; id = relative path without the extension; group = its folder,
    \"\" for files directly in it), a JSONL file (one object per line with
    `text` and `id` and/or `url`; group = URL host), or a Common Crawl WET
    file. Files may be gzip-compressed (multi-member gzip is fine; a corrupt
    member is reported and reading goes on with the next); the format is
    detected from the content. `-` reads stdin; stdin and pipes are copied to
    a temporary file first, as every input is read more than once. Documents
    need not be UTF-8: they are labelled as bytes and decoded lossily for
    output.

OPTIONS:
    -o, --output PATH     Output file or folder (`-` = stdout for jsonl,
                          learn and merge). A file is written under a
                          temporary name and renamed when complete; a
                          device or pipe (`/dev/null`) is written in place.
    --force               label: write into an output folder that is not
                          empty (files of earlier runs that this run does not
                          overwrite stay); without it that is an error.
    --model MODEL         Use this model file (of `learn`, `merge` or a
                          single-site model, which then serves every group)
                          instead of learning.
    --format FORMAT       tsv (default): folder OUT with OUT/<id>.tsv holding
                          `label<TAB>line` for every non-blank line, the gold
                          format; jsonl: one object per document with `id`,
                          `url`, `text` (the body) and `metadata` (`group`,
                          `lines`: [label, start, end] byte spans of the
                          non-blank lines, `counts` per label);
                          text: folder OUT with OUT/<id>.txt, the body only.
                          A `/` in an id makes sub-folders; an id that is
                          not a safe file name (too long or deep, `..`,
                          control characters) is made safe and gets `~` and
                          a hash of the id.
    --manifest TSV        TSV with header and an `id` column: its `group` and
                          `url` columns override each document's.
    --group-by FIELD      JSONL inputs: take the group from this field.
    --gold GOLD           Folder of <id>.tsv or <id>.gold.tsv gold files:
                          `label<TAB>line` per non-blank line, or the label
                          alone. Labels: body/boilerplate/- (binary; - is not
                          scored) or the six labels.
    --by COLUMN           eval: also score per value of this manifest column.
    --exclude FILE        eval: leave out the ids listed in FILE (one per line).
    --top N               eval: list the N worst site groups (default 10).
    --threads N           learn, label, eval: threads that learn and label
                          (default: one per core); reading and writing take
                          a thread each besides. The output is the same
                          whatever N.
    --json                eval: print the scores as JSON on stdout.
    -q, --quiet           No progress or summary on stderr (errors still).
    -h, --help            Print this help.

EXIT STATUS:
    0  success: every document was read and processed.
    1  usage or fatal error, before any output is written where it can be
       foreseen: bad arguments, a missing or unreadable input, an output
       that cannot be written (or a non-empty folder without --force), a
       model file that cannot be read.
    2  some input records were bad, or some documents' output could not be
       written: each is reported on stderr with its file and record number
       (or id), and skipped; every other document was processed.
    3  eval: no document was scored, or some documents' gold does not line
       up with them (each is reported); the scores are printed but are not
       to be trusted.
";

fn main() -> ExitCode {
    let args = match args::parse(std::env::args_os().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(err) => {
            eprintln!("dechaff: {err}\n\nRun `dechaff --help` for the usage.");
            return ExitCode::from(1);
        }
    };
    // `eval` scores labelled output on rayon's pool: as many threads.
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads)
        .build_global();
    match run(&args) {
        Ok(Outcome {
            skipped: 0,
            failed: None,
        }) => ExitCode::SUCCESS,
        Ok(Outcome { skipped, failed }) => {
            if let Some(why) = failed {
                eprintln!("dechaff: {why}");
                return ExitCode::from(3);
            }
            if !args.quiet {
                eprintln!("dechaff: {skipped} bad input record(s) or document(s) skipped");
            }
            ExitCode::from(2)
        }
        // A closed pipe (`dechaff ... | head`) is not an error.
        Err(err)
            if err
                .downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("dechaff: {err}");
            ExitCode::from(1)
        }
    }
}

/// How a command went, short of a fatal error.
struct Outcome {
    /// Bad records and documents reported and skipped.
    skipped: u64,
    /// Why an `eval` is not to be trusted, if it is not.
    failed: Option<String>,
}

/// Run a command.
fn run(args: &Args) -> Result<Outcome> {
    if matches!(
        args.command,
        Command::Learn | Command::Label | Command::Eval
    ) {
        warm_up();
    }
    let mut progress = Progress::new(args.quiet);
    let mut failed = None;
    match args.command {
        Command::Inspect => {
            let models = load_models(&args.inputs[0])?;
            inspect(&models)?;
        }
        Command::Merge => {
            let out = Target::prepare(args)?;
            let mut merged: Option<Models> = None;
            for path in &args.inputs {
                merged = Some(match (merged, load_models(path)?) {
                    (None, models) => models,
                    (Some(Models::Set(mut a)), Models::Set(b)) => {
                        a.merge(&b);
                        Models::Set(a)
                    }
                    (Some(Models::Site(a)), Models::Site(b)) => Models::Site(a.merge(&b)),
                    _ => {
                        return Err(format!(
                            "{}: cannot merge a single-site model with a model file of \
                             site groups",
                            path.display()
                        )
                        .into())
                    }
                });
            }
            out.write(|w| match merged {
                Some(Models::Set(set)) => Ok(set.save(w)?),
                Some(Models::Site(model)) => Ok(model.save(w)?),
                None => Err("merge needs a MODEL".into()),
            })?;
        }
        Command::Learn => {
            let source = Source::new(args)?;
            let out = Target::prepare(args)?;
            let models = pipeline::learn(&source, &mut progress, true)?;
            out.write(|w| Ok(models.save(w)?))?;
        }
        Command::Label => {
            let source = Source::new(args)?;
            let out = Target::prepare(args)?;
            let models = models_for(args, &source, &mut progress)?;
            output::label(&source, models, args.format, out, &mut progress)?;
        }
        Command::Eval => failed = eval::run(args, &mut progress)?,
    }
    Ok(Outcome {
        skipped: progress.skipped(),
        failed,
    })
}

/// A page whose lines pass the cheap tests in front of each of the
/// library's patterns (a date, a byline, a comment's author): labelling it
/// builds every table and pattern the labeller builds on first use.
const WARM_UP: &str = "By Anna Smith\n5 Jan 2024, 10:30\nAnna says:\nHome\n";

/// Build the labeller's tables and patterns (about 80 million
/// instructions) on a thread of its own while this one loads a model or
/// counts pages; else the first labelling thread builds them while the
/// others wait. Not waited for: whoever needs them first waits, or builds
/// them if this thread has not begun.
fn warm_up() {
    std::thread::spawn(|| dechaff::label(WARM_UP));
}

/// The models to label with.
pub enum Models {
    /// One model per site group (learned, or from a model file).
    Set(ModelSet),
    /// One site's model, for every group.
    Site(SiteModel),
}

/// The models to label with: loaded from `--model`, or learned from the
/// inputs (a first pass over them).
pub fn models_for(args: &Args, source: &Source, progress: &mut Progress) -> Result<Models> {
    match &args.model {
        Some(path) => load_models(path),
        None => pipeline::learn(source, progress, false).map(Models::Set),
    }
}

/// Read a model file: a set of site models, or one site's model.
fn load_models(path: &Path) -> Result<Models> {
    let bytes = fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    match ModelSet::load(&bytes[..]) {
        Ok(set) => Ok(Models::Set(set)),
        Err(set_err) => match SiteModel::load(&bytes[..]) {
            Ok(model) => Ok(Models::Site(model)),
            // Not a site model either: the error of the usual kind.
            Err(_) => Err(format!("{}: {set_err}", path.display()).into()),
        },
    }
}

/// Print each site's templates for a person to read.
fn inspect(models: &Models) -> Result<()> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let sites: Vec<(&str, &SiteModel)> = match models {
        Models::Set(set) => set.iter().collect(),
        Models::Site(model) => vec![("(single-site model)", model)],
    };
    writeln!(out, "{} site model(s)", sites.len())?;
    for (group, model) in sites {
        let templates: Vec<_> = model.templates().collect();
        writeln!(
            out,
            "\n== {} ({} pages, {} duplicates, templates need {} pages, {} templates)",
            if group.is_empty() { "\"\"" } else { group },
            model.pages(),
            model.duplicate_pages(),
            model.min_pages(),
            templates.len()
        )?;
        for t in templates {
            let kind = match t.kind {
                dechaff::TemplateKind::Exact => "exact",
                dechaff::TemplateKind::Slotted => "slotted",
            };
            writeln!(
                out,
                "  {:<14} {:>5} pages  {kind:<7}  {}",
                t.label.as_str(),
                t.pages,
                t.text
            )?;
        }
    }
    out.flush()?;
    Ok(())
}
