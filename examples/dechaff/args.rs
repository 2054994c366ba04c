//! Command-line parsing, by hand: a command, positional inputs and options.

use std::{ffi::OsString, path::PathBuf};

/// The command to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    Learn,
    Label,
    Inspect,
    Eval,
    Merge,
}

/// Output format of `label`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Tsv,
    Jsonl,
    Text,
}

/// The parsed command line.
#[derive(Debug)]
pub struct Args {
    pub command: Command,
    pub inputs: Vec<PathBuf>,
    pub output: Option<PathBuf>,
    pub model: Option<PathBuf>,
    pub format: Format,
    pub manifest: Option<PathBuf>,
    pub group_by: Option<String>,
    pub gold: Option<PathBuf>,
    pub by: Option<String>,
    pub exclude: Option<PathBuf>,
    pub top: usize,
    pub json: bool,
    pub quiet: bool,
    pub force: bool,
    /// Threads that label or learn (default: one per core).
    pub threads: usize,
}

/// Options each command takes (besides `--quiet` and `--help`).
fn allowed(command: Command) -> &'static [&'static str] {
    match command {
        Command::Learn => &["--output", "--manifest", "--group-by", "--threads"],
        Command::Label => &[
            "--output",
            "--model",
            "--format",
            "--manifest",
            "--group-by",
            "--force",
            "--threads",
        ],
        Command::Inspect => &[],
        Command::Merge => &["--output"],
        Command::Eval => &[
            "--gold",
            "--model",
            "--by",
            "--exclude",
            "--top",
            "--json",
            "--manifest",
            "--group-by",
            "--threads",
        ],
    }
}

/// Parse the arguments after the program name. `Ok(None)` asks for help.
pub fn parse(argv: impl IntoIterator<Item = OsString>) -> Result<Option<Args>, String> {
    let mut argv = argv.into_iter();
    let mut command = None;
    let mut positional = Vec::new();
    let mut given: Vec<(&'static str, Option<OsString>)> = Vec::new();
    let mut only_positional = false;
    while let Some(arg) = argv.next() {
        let text = arg.to_string_lossy();
        if only_positional || !text.starts_with('-') || text == "-" {
            if command.is_none() {
                command = Some(match text.as_ref() {
                    "learn" => Command::Learn,
                    "label" => Command::Label,
                    "inspect" => Command::Inspect,
                    "eval" => Command::Eval,
                    "merge" => Command::Merge,
                    other => return Err(format!("unknown command `{other}`")),
                });
            } else {
                positional.push(PathBuf::from(arg));
            }
            continue;
        }
        if text == "--" {
            only_positional = true;
            continue;
        }
        let (name, inline) = match text.split_once('=') {
            Some((name, value)) if name.starts_with("--") => {
                (name.to_string(), Some(OsString::from(value)))
            }
            _ => (text.to_string(), None),
        };
        let (name, takes_value) = match name.as_str() {
            "-h" | "--help" => return Ok(None),
            "-q" | "--quiet" => ("--quiet", false),
            "--json" => ("--json", false),
            "--force" => ("--force", false),
            "-o" | "--output" => ("--output", true),
            "--model" => ("--model", true),
            "--format" => ("--format", true),
            "--manifest" => ("--manifest", true),
            "--group-by" => ("--group-by", true),
            "--gold" => ("--gold", true),
            "--by" => ("--by", true),
            "--exclude" => ("--exclude", true),
            "--top" => ("--top", true),
            "--threads" => ("--threads", true),
            other => return Err(format!("unknown option `{other}`")),
        };
        let value = match (takes_value, inline) {
            (true, Some(v)) => Some(v),
            (true, None) => Some(
                argv.next()
                    .ok_or_else(|| format!("option `{name}` needs a value"))?,
            ),
            (false, Some(_)) => return Err(format!("option `{name}` takes no value")),
            (false, None) => None,
        };
        given.push((name, value));
    }
    let command = command.ok_or("no command given")?;
    let mut args = Args {
        command,
        inputs: positional,
        output: None,
        model: None,
        format: Format::Tsv,
        manifest: None,
        group_by: None,
        gold: None,
        by: None,
        exclude: None,
        top: 10,
        json: false,
        quiet: false,
        force: false,
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    for (name, value) in given {
        if name != "--quiet" && !allowed(command).contains(&name) {
            return Err(format!("option `{name}` does not apply to this command"));
        }
        let path = || value.clone().map(PathBuf::from);
        let text = || value.as_ref().map(|v| v.to_string_lossy().into_owned());
        match name {
            "--quiet" => args.quiet = true,
            "--json" => args.json = true,
            "--force" => args.force = true,
            "--output" => args.output = path(),
            "--model" => args.model = path(),
            "--manifest" => args.manifest = path(),
            "--gold" => args.gold = path(),
            "--exclude" => args.exclude = path(),
            "--group-by" => args.group_by = text(),
            "--by" => args.by = text(),
            "--top" => {
                args.top = text()
                    .and_then(|t| t.parse().ok())
                    .ok_or("--top needs a number")?
            }
            "--threads" => {
                args.threads = text()
                    .and_then(|t| t.parse().ok())
                    .filter(|&n| n >= 1)
                    .ok_or("--threads needs a number of 1 or more")?
            }
            "--format" => {
                args.format = match text().as_deref() {
                    Some("tsv") => Format::Tsv,
                    Some("jsonl") => Format::Jsonl,
                    Some("text") => Format::Text,
                    _ => return Err("--format must be tsv, jsonl or text".into()),
                }
            }
            _ => unreachable!("every option name is matched above"),
        }
    }
    check(&args)?;
    Ok(Some(args))
}

fn check(args: &Args) -> Result<(), String> {
    match args.command {
        Command::Inspect if args.inputs.len() != 1 => {
            return Err("inspect needs exactly one MODEL".into())
        }
        Command::Inspect => return Ok(()),
        _ if args.inputs.is_empty() => return Err("no INPUT given".into()),
        Command::Learn | Command::Label | Command::Merge if args.output.is_none() => {
            return Err("-o is required".into())
        }
        Command::Eval if args.gold.is_none() => return Err("eval needs --gold GOLD".into()),
        Command::Eval if args.by.is_some() && args.manifest.is_none() => {
            return Err("--by needs --manifest".into());
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(line: &str) -> Result<Option<Args>, String> {
        parse(line.split_whitespace().map(OsString::from))
    }

    #[test]
    fn commands() {
        let a = parse_str("label in.jsonl --format=jsonl -o - -q")
            .unwrap()
            .unwrap();
        assert_eq!(
            (a.command, a.format, a.quiet),
            (Command::Label, Format::Jsonl, true)
        );
        assert_eq!(a.output, Some(PathBuf::from("-")));
        assert!(parse_str("learn in -o m --json").is_err());
        assert!(parse_str("eval in").is_err());
        assert!(parse_str("frobnicate").is_err());
        assert!(parse_str("label x --help").unwrap().is_none());
        let m = parse_str("merge a b -o c").unwrap().unwrap();
        assert_eq!((m.command, m.inputs.len()), (Command::Merge, 2));
        assert!(parse_str("merge a b").is_err());
        assert!(parse_str("label a -o b --force").unwrap().unwrap().force);
        assert!(parse_str("learn a -o b --force").is_err());
        assert_eq!(
            parse_str("label a -o b --threads 3")
                .unwrap()
                .unwrap()
                .threads,
            3
        );
        assert!(parse_str("label a -o b --threads 0").is_err());
        assert!(parse_str("merge a -o b --threads 2").is_err());
    }
}
