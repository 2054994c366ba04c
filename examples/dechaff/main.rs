//! `dechaff`: learn site templates from page-text dumps, label every line,
//! inspect models and score labels against gold files.
//!
//! Run `cargo run --release --example dechaff -- --help` for the usage.

mod args;
mod eval;
mod input;
mod output;
mod pipeline;

use std::{fs, io::Write, path::Path, process::ExitCode};

use dechaff::ModelSet;

use crate::{
    args::{Args, Command},
    input::{Progress, Source},
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
    eval      Score labels against gold files. INPUT is either raw input
              (labelled as `label` would) or a folder written by
              `label --format tsv`.

INPUT:
    A directory (every .txt file below it is a document; id = relative path
    without .txt; group = its folder, \"\" for files directly in it), a JSONL
    file (one object per line with `text` and `id` and/or `url`; group = URL
    host), or a Common Crawl WET file. Files may be gzip-compressed
    (multi-member gzip is fine); the format is detected from the content.

OPTIONS:
    -o, --output PATH     Output file or folder (`-` = stdout for jsonl/learn).
    --model MODEL         Use this model file instead of learning.
    --format FORMAT       tsv (default): folder OUT with OUT/<id>.tsv holding
                          `label<TAB>line` for every non-blank line, the gold
                          format; jsonl: one object per document with `id`,
                          `url`, `text` (the body) and `metadata` (`group`,
                          `lines`: [label, start, end] byte spans of the
                          non-blank lines, `counts` per label);
                          text: folder OUT with OUT/<id>.txt, the body only.
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
    --json                eval: print the scores as JSON on stdout.
    -q, --quiet           No progress or summary on stderr (errors still).
    -h, --help            Print this help.

EXIT STATUS:
    0 on success; 2 if any input record was bad and skipped (each is reported
    on stderr with its file and record number; all good documents are still
    processed); 1 on a usage or fatal error.
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
    match run(&args) {
        Ok(0) => ExitCode::SUCCESS,
        Ok(skipped) => {
            if !args.quiet {
                eprintln!("dechaff: {skipped} bad input record(s) skipped");
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

/// Run a command; returns the number of bad records skipped.
fn run(args: &Args) -> Result<u64> {
    let mut progress = Progress::new(args.quiet);
    match args.command {
        Command::Inspect => {
            let models = load_models(&args.inputs[0])?;
            inspect(&models)?;
            return Ok(0);
        }
        Command::Learn => {
            let source = Source::new(args)?;
            let models = pipeline::learn(&source, &mut progress, true)?;
            let out = args.output.as_deref().ok_or("learn needs -o MODEL")?;
            output::create(out, |w| Ok(models.save(w)?))?;
        }
        Command::Label => {
            let source = Source::new(args)?;
            let models = models_for(args, &source, &mut progress)?;
            let out = args.output.as_deref().ok_or("label needs -o OUT")?;
            output::label(&source, models, args.format, out, &mut progress)?;
        }
        Command::Eval => eval::run(args, &mut progress)?,
    }
    Ok(progress.skipped())
}

/// The models to label with: loaded from `--model`, or learned from the
/// inputs (a first pass over them).
pub fn models_for(args: &Args, source: &Source, progress: &mut Progress) -> Result<ModelSet> {
    match &args.model {
        Some(path) => load_models(path),
        None => pipeline::learn(source, progress, false),
    }
}

fn load_models(path: &Path) -> Result<ModelSet> {
    let file = fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    ModelSet::load(std::io::BufReader::new(file))
        .map_err(|e| format!("{}: {e}", path.display()).into())
}

/// Print each site's templates for a person to read.
fn inspect(models: &ModelSet) -> Result<()> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    writeln!(out, "{} site model(s)", models.len())?;
    for (group, model) in models.iter() {
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
