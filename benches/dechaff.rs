//! Throughput benches: `cargo bench` (all groups) or `cargo bench -- scan`.
//!
//! Inputs come from the WCXB corpus beside the checkout
//! (`../shared/corpus/wcxb`), loaded once outside the timed loops. Without
//! the corpus the benches print a notice and run on a small synthetic dump,
//! whose figures are not comparable with the published ones.

use std::{
    collections::BTreeMap,
    hint::black_box,
    path::{Path, PathBuf},
    sync::Arc,
    time::Duration,
};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use dechaff::{Labelled, Labeller, LineClassifier, ModelSet, SiteModel, SiteModelBuilder};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus");

/// The pages of the dump, grouped by site group, in manifest order.
struct Dump {
    /// `(group, page)` for every page.
    pages: Vec<(String, Vec<u8>)>,
    /// Every page's index into `pages`, by group.
    groups: BTreeMap<String, Vec<usize>>,
    /// All pages concatenated, each ending in `\n`.
    all: Vec<u8>,
    /// Whether this is the real corpus (false: synthetic fallback).
    real: bool,
}

impl Dump {
    fn load() -> Dump {
        let wcxb = Path::new(CORPUS).join("wcxb");
        let (pages, real) = match read_wcxb(&wcxb) {
            Some(pages) => (pages, true),
            None => {
                eprintln!(
                    "notice: corpus not found or incomplete at {}; benchmarking a small synthetic \
                     dump (figures not comparable with the published ones)",
                    wcxb.display()
                );
                (synthetic(), false)
            }
        };
        let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut all = Vec::new();
        for (i, (group, page)) in pages.iter().enumerate() {
            groups.entry(group.clone()).or_default().push(i);
            all.extend_from_slice(page);
            if !page.ends_with(b"\n") {
                all.push(b'\n');
            }
        }
        Dump {
            pages,
            groups,
            all,
            real,
        }
    }

    fn bytes(&self) -> u64 {
        self.pages.iter().map(|(_, p)| p.len() as u64).sum()
    }

    /// One model per site group, learned from all of its pages.
    fn learn(&self) -> BTreeMap<&str, SiteModel> {
        let builder = SiteModelBuilder::new();
        self.groups
            .iter()
            .map(|(g, ids)| {
                (
                    g.as_str(),
                    builder.build(ids.iter().map(|&i| &self.pages[i].1)),
                )
            })
            .collect()
    }
}

/// `(group, text)` of every page in the manifest, or `None` without it.
fn read_wcxb(dir: &Path) -> Option<Vec<(String, Vec<u8>)>> {
    let manifest = std::fs::read_to_string(dir.join("manifest.tsv")).ok()?;
    let mut pages = Vec::new();
    for row in manifest.lines().skip(1) {
        let cols: Vec<&str> = row.split('\t').collect();
        let (Some(id), Some(group)) = (cols.first(), cols.get(3)) else {
            continue;
        };
        let text = std::fs::read(dir.join("text").join(format!("{id}.txt"))).ok()?;
        pages.push((group.to_string(), text));
    }
    (!pages.is_empty()).then_some(pages)
}

/// 40 sites of 5 pages: a shared menu, footer and comment notice around
/// page-specific prose.
fn synthetic() -> Vec<(String, Vec<u8>)> {
    let words = [
        "council", "budget", "river", "school", "bridge", "storm", "market", "library",
    ];
    let mut pages = Vec::new();
    for site in 0..40 {
        for page in 0..5 {
            let mut text = format!("Site {site}\n- Home\n- News\n- Sport\n- Contact\n");
            for para in 0..12 {
                let mut line = String::new();
                for w in 0..30 {
                    line.push_str(words[(site * 7 + page * 13 + para * 3 + w) % words.len()]);
                    line.push(' ');
                }
                text.push_str(&format!("{line}paragraph {para} of page {page}.\n"));
            }
            text.push_str("Comments are moderated.\nImprint\nPrivacy\n© Site\n");
            pages.push((format!("site{site}"), text.into_bytes()));
        }
    }
    pages
}

fn scan(c: &mut Criterion, dump: &Dump) {
    let all = &dump.all[..];
    let text = std::str::from_utf8(all)
        .map(|s| s.to_owned())
        .unwrap_or_else(|_| {
            eprintln!("notice: dump is not valid UTF-8; str::lines baseline runs on a lossy copy");
            String::from_utf8_lossy(all).into_owned()
        });
    let mut g = c.benchmark_group("scan");
    g.throughput(Throughput::Bytes(all.len() as u64));
    g.measurement_time(Duration::from_secs(4))
        .warm_up_time(Duration::from_secs(1));
    g.bench_function("memchr_count", |b| {
        b.iter(|| memchr::memchr_iter(b'\n', black_box(all)).count())
    });
    // `count()` on memchr's iterator is a vectorised count that never stops
    // at a match; a line scanner must stop at each one, as this loop does.
    g.bench_function("memchr_iter_positions", |b| {
        b.iter(|| {
            let mut last = 0usize;
            let mut sum = 0usize;
            for nl in memchr::memchr_iter(b'\n', black_box(all)) {
                sum += nl - last;
                last = nl + 1;
            }
            sum
        })
    });
    g.bench_function("dechaff_lines_count", |b| {
        b.iter(|| dechaff::lines(black_box(all)).count())
    });
    g.bench_function("dechaff_lines_span_sum", |b| {
        b.iter(|| {
            dechaff::lines(black_box(all))
                .map(|l| l.span().len())
                .sum::<usize>()
        })
    });
    g.bench_function("str_lines_count", |b| {
        b.iter(|| black_box(text.as_str()).lines().count())
    });
    g.finish();
}

fn learn(c: &mut Criterion, dump: &Dump) {
    let mut g = c.benchmark_group("learn");
    g.throughput(Throughput::Bytes(dump.bytes()));
    g.sample_size(10)
        .measurement_time(Duration::from_secs(10))
        .warm_up_time(Duration::from_secs(2));
    g.bench_function("one_model_per_group", |b| {
        b.iter(|| black_box(dump.learn()).len())
    });
    // The groups with siblings only: where learning has templates to find.
    let multi: Vec<&Vec<usize>> = dump.groups.values().filter(|ids| ids.len() >= 2).collect();
    let bytes: u64 = multi
        .iter()
        .flat_map(|ids| ids.iter())
        .map(|&i| dump.pages[i].1.len() as u64)
        .sum();
    g.throughput(Throughput::Bytes(bytes));
    g.bench_function("groups_of_2_or_more", |b| {
        b.iter(|| {
            let builder = SiteModelBuilder::new();
            multi
                .iter()
                .map(|ids| {
                    builder
                        .build(ids.iter().map(|&i| black_box(&dump.pages[i].1)))
                        .pages()
                })
                .sum::<u32>()
        })
    });
    g.finish();
}

fn label(c: &mut Criterion, dump: &Dump) {
    let labellers: BTreeMap<&str, Labeller> = dump
        .learn()
        .into_iter()
        .map(|(group, model)| (group, Labeller::new(model)))
        .collect();
    let mut g = c.benchmark_group("label");
    g.throughput(Throughput::Bytes(dump.bytes()));
    g.sample_size(10)
        .measurement_time(Duration::from_secs(8))
        .warm_up_time(Duration::from_secs(2));
    // Each page with its labeller, looked up once outside the timed loop;
    // one `Labelled` refilled page after page, as a caller would.
    let modelled: Vec<(&Labeller, &[u8])> = dump
        .pages
        .iter()
        .map(|(group, page)| (&labellers[group.as_str()], page.as_slice()))
        .collect();
    let mut out = Labelled::new();
    g.bench_function("learned_model", |b| {
        b.iter(|| label_each(&modelled, &mut out))
    });
    // The same pages and models with the rules alone: the baseline of the
    // six-class model's cost, in the same run.
    // One classifier shared by every group's labeller, as the shipped
    // classifier is shared in `learned_model`.
    let without = Arc::new(LineClassifier::default().without_six());
    let rules: BTreeMap<&str, Labeller> = labellers
        .iter()
        .map(|(&group, l)| {
            let labeller = Labeller::new(l.model().clone()).with_classifier(Arc::clone(&without));
            (group, labeller)
        })
        .collect();
    let rules_modelled: Vec<(&Labeller, &[u8])> = dump
        .pages
        .iter()
        .map(|(group, page)| (&rules[group.as_str()], page.as_slice()))
        .collect();
    g.bench_function("rules_only", |b| {
        b.iter(|| label_each(&rules_modelled, &mut out))
    });
    let alone = Labeller::default();
    let alone_pages: Vec<(&Labeller, &[u8])> = dump
        .pages
        .iter()
        .map(|(_, page)| (&alone, page.as_slice()))
        .collect();
    g.bench_function("no_model", |b| {
        b.iter(|| label_each(&alone_pages, &mut out))
    });
    g.finish();
}

/// Label each page with its labeller into `out`; the body lines counted,
/// so that the work is not optimised away.
fn label_each(pages: &[(&Labeller, &[u8])], out: &mut Labelled) -> usize {
    let mut body = 0usize;
    for &(labeller, page) in pages {
        labeller.label_into(black_box(page), out);
        body += out.counts()[0];
    }
    body
}

/// Copies of the corpus under distinct hosts in `model_load`'s set: wcxb's
/// 1,614 groups six times over make about 10,000 site models.
const MODEL_SET_COPIES: usize = 6;

/// Loading a model set of about 10,000 sites from its binary and its JSON
/// file, and labelling the pages of groups with siblings with their loaded
/// models (where the model's maps are looked up).
fn model_load(c: &mut Criterion, dump: &Dump) {
    let mut set = ModelSet::new();
    for (group, model) in dump.learn() {
        for copy in 0..MODEL_SET_COPIES {
            set.insert(format!("copy{copy}.{group}"), model.clone());
        }
    }
    let (mut binary, mut json) = (Vec::new(), Vec::new());
    set.save(&mut binary).expect("save binary");
    set.save_json(&mut json).expect("save JSON");
    eprintln!(
        "model_load: {} site models; binary {:.2} MB, JSON {:.2} MB",
        set.len(),
        binary.len() as f64 / 1e6,
        json.len() as f64 / 1e6
    );
    let mut g = c.benchmark_group("model_load");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(5))
        .warm_up_time(Duration::from_secs(1));
    for (name, file) in [("binary", &binary), ("json", &json)] {
        g.throughput(Throughput::Bytes(file.len() as u64));
        g.bench_function(BenchmarkId::new("model_set", name), |b| {
            // The set is dropped outside the timed part: loading only.
            b.iter_with_large_drop(|| ModelSet::load(black_box(&file[..])).expect("load"))
        });
    }
    let loaded = ModelSet::load(&binary[..]).expect("load");
    let pages: Vec<(Labeller, &[u8])> = dump
        .pages
        .iter()
        .filter(|(group, _)| dump.groups[group].len() >= 2)
        .map(|(group, page)| {
            let model = loaded.get(&format!("copy0.{group}")).expect("model");
            (Labeller::new(model.clone()), page.as_slice())
        })
        .collect();
    let bytes: u64 = pages.iter().map(|(_, p)| p.len() as u64).sum();
    g.throughput(Throughput::Bytes(bytes));
    let mut out = Labelled::new();
    g.bench_function("label_groups_of_2_or_more", |b| {
        b.iter(|| {
            let mut body = 0usize;
            for (labeller, page) in &pages {
                labeller.label_into(black_box(page), &mut out);
                body += out.counts()[0];
            }
            body
        })
    });
    g.finish();
}

/// The `dechaff` example over a JSONL dump of the corpus, end to end (one
/// process per run, reading and writing files), beside two floors in the
/// same run: `wc -l` on the dump, and reading it with serde_json and
/// writing each page in the output's shape with every line labelled body.
/// Each run of the example is pinned to 1 core (`taskset -c 0 ...
/// --threads 1`) or to 2 (`taskset -c 0,1 ... --threads 2`). After the
/// group, a summary on stderr: median MB/s of each, ratios to the floor,
/// the speed-up on 2 cores and the serial fraction it implies (Amdahl).
fn end_to_end(c: &mut Criterion, dump: &Dump) {
    let Some(bin) = example_binary() else {
        eprintln!("notice: end_to_end skipped: build the example first (cargo build --release --example dechaff)");
        return;
    };
    if let Some(newer) = newer_source(&bin) {
        eprintln!(
            "notice: {} is older than {}: end_to_end measures a stale build (cargo build --release --example dechaff)",
            bin.display(),
            newer.display()
        );
    }
    let dir = std::env::temp_dir().join(format!("dechaff-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let input = dir.join("dump.jsonl");
    let output = dir.join("out.jsonl");
    let model = dir.join("dump.model");
    write_jsonl(dump, &input);
    let bytes = std::fs::metadata(&input).map(|m| m.len()).unwrap_or(0);
    let pinned = taskset_works();
    if !pinned {
        eprintln!("notice: taskset not found: example runs are not pinned to cores");
    }
    let cores: Vec<usize> = match std::thread::available_parallelism().map_or(1, |n| n.get()) {
        1 => vec![1],
        _ => vec![1, 2],
    };
    let example = |cores: usize, args: &[&std::ffi::OsStr]| {
        let mut cmd = match pinned {
            true => {
                let mut cmd = std::process::Command::new("taskset");
                cmd.args(["-c", if cores == 1 { "0" } else { "0,1" }])
                    .arg(&bin);
                cmd
            }
            false => std::process::Command::new(&bin),
        };
        let status = cmd
            .args(args)
            .args(["--threads", &cores.to_string(), "-q"])
            .stdout(std::process::Stdio::null())
            .status()
            .expect("run the dechaff example");
        assert!(status.success(), "dechaff example failed: {status}");
    };
    let learn_and_label = |cores| {
        example(
            cores,
            &[
                "label".as_ref(),
                input.as_ref(),
                "--format".as_ref(),
                "jsonl".as_ref(),
                "-o".as_ref(),
                output.as_ref(),
            ],
        )
    };
    let with_model = |cores| {
        example(
            cores,
            &[
                "label".as_ref(),
                input.as_ref(),
                "--model".as_ref(),
                model.as_ref(),
                "--format".as_ref(),
                "jsonl".as_ref(),
                "-o".as_ref(),
                output.as_ref(),
            ],
        )
    };
    example(
        1,
        &[
            "learn".as_ref(),
            input.as_ref(),
            "-o".as_ref(),
            model.as_ref(),
        ],
    );

    let times = Times::default();
    let mut g = c.benchmark_group("end_to_end");
    g.sample_size(10).warm_up_time(Duration::from_secs(1));
    g.throughput(Throughput::Bytes(bytes));
    let wc = || {
        let status = std::process::Command::new("wc")
            .arg("-l")
            .arg(&input)
            .stdout(std::process::Stdio::null())
            .status()
            .expect("run wc");
        assert!(status.success());
    };
    g.bench_function("wc_l", timed(&times, "wc -l".into(), &wc));
    let floor = || serde_floor(&input, &output);
    g.bench_function(
        "serde_json_read_write",
        timed(&times, "serde_json floor".into(), &floor),
    );
    for &n in &cores {
        let run = || learn_and_label(n);
        g.bench_function(
            BenchmarkId::new("example_learn_and_label", format!("{n}_core")),
            timed(&times, format!("learn+label {n} core"), &run),
        );
        let run = || with_model(n);
        g.bench_function(
            BenchmarkId::new("example_label_with_model", format!("{n}_core")),
            timed(&times, format!("label --model {n} core"), &run),
        );
    }
    g.finish();
    summarise(&times.into_inner(), bytes);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Each timed run's time per iteration, by name.
type Times = std::cell::RefCell<BTreeMap<String, Vec<Duration>>>;

/// A bench of `run`, its time per iteration kept in `times` under `name`.
fn timed<'a>(
    times: &'a Times,
    name: String,
    run: &'a dyn Fn(),
) -> impl FnMut(&mut criterion::Bencher) + 'a {
    move |b| {
        b.iter_custom(|iters| {
            let start = std::time::Instant::now();
            for _ in 0..iters {
                run();
            }
            let took = start.elapsed();
            let per = took.div_f64(iters.max(1) as f64);
            times
                .borrow_mut()
                .entry(name.clone())
                .or_default()
                .push(per);
            took
        })
    }
}

/// Whether `taskset` can pin a process here.
fn taskset_works() -> bool {
    std::process::Command::new("taskset")
        .args(["-c", "0", "true"])
        .status()
        .is_ok_and(|s| s.success())
}

/// Print the median MB/s of each timed run, the example's ratios to the
/// serde_json floor, its speed-up on 2 cores and the serial fraction.
fn summarise(times: &BTreeMap<String, Vec<Duration>>, bytes: u64) {
    let median = |name: &str| {
        let mut t: Vec<f64> = times.get(name)?.iter().map(Duration::as_secs_f64).collect();
        t.sort_by(f64::total_cmp);
        t.get(t.len() / 2).copied()
    };
    let mb = bytes as f64 / 1e6;
    eprintln!("\nend_to_end summary ({mb:.1} MB of JSONL; medians of the timed iterations):");
    for name in times.keys() {
        if let Some(secs) = median(name) {
            eprintln!("  {name:<26} {secs:>8.3} s  {:>8.1} MB/s", mb / secs);
        }
    }
    let floor = median("serde_json floor");
    for what in ["learn+label", "label --model"] {
        let one = median(&format!("{what} 1 core"));
        let two = median(&format!("{what} 2 core"));
        if let (Some(one), Some(floor)) = (one, floor) {
            eprintln!(
                "  {what}: 1 core at {:.3}x the serde_json floor",
                floor / one
            );
        }
        if let (Some(one), Some(two)) = (one, two) {
            let speedup = one / two;
            // Amdahl on 2 cores: speed-up = 1 / (s + (1 - s) / 2).
            let serial = 2.0 / speedup - 1.0;
            eprintln!(
                "  {what}: 2 cores {speedup:.2}x 1 core, serial fraction {serial:.3} \
                 (Amdahl: {:.1}x on 16 cores)",
                1.0 / (serial.max(0.0) + (1.0 - serial.max(0.0)) / 16.0)
            );
        }
    }
}

/// The floor of the example's work outside the library: read the JSONL
/// dump with serde_json and write each page in the example's output shape
/// (`id`, `url`, the text, a `[label, start, end]` span per line, counts),
/// every line labelled body; one thread.
fn serde_floor(input: &Path, output: &Path) {
    use std::io::{BufRead, Write};
    #[derive(serde::Deserialize)]
    struct Record<'a> {
        #[serde(borrow)]
        id: std::borrow::Cow<'a, str>,
        #[serde(borrow)]
        url: Option<std::borrow::Cow<'a, str>>,
        #[serde(borrow)]
        text: std::borrow::Cow<'a, str>,
    }
    #[derive(serde::Serialize)]
    struct Out<'a> {
        id: &'a str,
        url: Option<&'a str>,
        text: &'a str,
        metadata: Metadata,
    }
    #[derive(serde::Serialize)]
    struct Metadata {
        group: &'static str,
        lines: Vec<(&'static str, usize, usize)>,
        counts: BTreeMap<&'static str, usize>,
    }
    let rdr = std::io::BufReader::new(std::fs::File::open(input).expect("open dump"));
    let mut out = std::io::BufWriter::new(std::fs::File::create(output).expect("create output"));
    for line in rdr.split(b'\n') {
        let line = line.expect("read dump");
        let record: Record = serde_json::from_slice(&line).expect("parse dump");
        let mut lines = Vec::new();
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', record.text.as_bytes()) {
            lines.push(("body", start, end));
            start = end + 1;
        }
        lines.push(("body", start, record.text.len()));
        let counts = BTreeMap::from([("body", lines.len())]);
        let page = Out {
            id: &record.id,
            url: record.url.as_deref(),
            text: &record.text,
            metadata: Metadata {
                group: "",
                lines,
                counts,
            },
        };
        serde_json::to_writer(&mut out, &page).expect("write output");
        out.write_all(b"\n").expect("write output");
    }
    out.flush().expect("write output");
}

/// The release build of the `dechaff` example, if it has been built
/// (`DECHAFF_EXAMPLE_BIN` overrides the path).
fn example_binary() -> Option<PathBuf> {
    if let Some(bin) = std::env::var_os("DECHAFF_EXAMPLE_BIN") {
        return Some(PathBuf::from(bin));
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let bin = target
        .join("release/examples")
        .join(format!("dechaff{}", std::env::consts::EXE_SUFFIX));
    bin.is_file().then_some(bin)
}

/// A source file of the library or the example modified after `bin` was
/// built, if any.
fn newer_source(bin: &Path) -> Option<PathBuf> {
    let built = std::fs::metadata(bin).and_then(|m| m.modified()).ok()?;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = vec![root.join("src"), root.join("examples")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).ok()?.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t > built)
            {
                return Some(path);
            }
        }
    }
    None
}

/// One JSON object per page: `{"id": …, "url": …, "text": …}`.
fn write_jsonl(dump: &Dump, path: &Path) {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("create dump"));
    for (i, (group, page)) in dump.pages.iter().enumerate() {
        let record = serde_json::json!({
            "id": format!("page-{i}"),
            "url": format!("https://{group}/page-{i}"),
            "text": String::from_utf8_lossy(page),
        });
        serde_json::to_writer(&mut out, &record).expect("write dump");
        out.write_all(b"\n").expect("write dump");
    }
    out.flush().expect("write dump");
}

fn benches(c: &mut Criterion) {
    let dump = Dump::load();
    if dump.real {
        eprintln!(
            "wcxb: {} pages, {} groups, {:.1} MB",
            dump.pages.len(),
            dump.groups.len(),
            dump.bytes() as f64 / 1e6
        );
    }
    scan(c, &dump);
    learn(c, &dump);
    label(c, &dump);
    model_load(c, &dump);
    end_to_end(c, &dump);
}

criterion_group!(dechaff_benches, benches);
criterion_main!(dechaff_benches);
