//! Labelling the gold corpora with the whole labeller and scoring them.

use std::collections::BTreeMap;

use dechaff::{Label, Labeller, LineClassifier, SiteModel, SiteModelBuilder};
use rayon::prelude::*;

use crate::{
    corpus::{Doc, Gold, Source},
    score::Report,
};

/// The non-blank lines of a page and their labels, by the whole labeller
/// with `model` and `classifier`.
pub fn label_page<'p>(
    model: &SiteModel,
    classifier: &LineClassifier,
    page: &'p [u8],
) -> (Vec<&'p [u8]>, Vec<Label>) {
    let labelled = Labeller::new(model.clone())
        .with_classifier(classifier.clone())
        .label(page);
    labelled
        .iter()
        .filter(|l| !l.is_blank())
        .map(|l| (&page[l.span().range()], l.label()))
        .unzip()
}

/// Site models, one per group, learned from every page of the group.
pub fn group_models(docs: &[Doc]) -> BTreeMap<&str, SiteModel> {
    let mut groups: BTreeMap<&str, Vec<&[u8]>> = BTreeMap::new();
    for d in docs {
        groups.entry(d.group.as_str()).or_default().push(&d.text);
    }
    let groups: Vec<(&str, Vec<&[u8]>)> = groups.into_iter().collect();
    groups
        .into_par_iter()
        .map(|(g, pages)| (g, SiteModelBuilder::new().build(pages)))
        .collect()
}

/// A model learned from `page` alone.
pub fn alone(page: &[u8]) -> SiteModel {
    SiteModelBuilder::new().build([page])
}

/// Which classifier labels a page.
pub type Pick<'a> = &'a (dyn Fn(&Doc) -> &'a LineClassifier + Sync);

/// Score `docs` labelled with their group's model.
pub fn score(docs: &[&Doc], models: &BTreeMap<&str, SiteModel>, pick: Pick<'_>) -> Report {
    total(&score_pages(docs, models, pick))
}

/// Each of `docs` scored on its own, labelled with its group's model.
pub fn score_pages(
    docs: &[&Doc],
    models: &BTreeMap<&str, SiteModel>,
    pick: Pick<'_>,
) -> Vec<Report> {
    docs.par_iter()
        .map(|d| {
            let (lines, labels) = label_page(&models[d.group.as_str()], pick(d), &d.text);
            let mut r = Report::default();
            r.add_page(&lines, &labels, &d.gold);
            r
        })
        .collect()
}

/// The reports of some pages added up.
fn total<'r>(pages: impl IntoIterator<Item = &'r Report>) -> Report {
    pages.into_iter().fold(Report::default(), |mut a, b| {
        a.merge(b);
        a
    })
}

/// Compare two `TRAIN_DUMP` files (the same pages labelled by two
/// labellers): macro-F1 of each, and of their difference over pages drawn
/// with replacement, the same draws for both, so that what the sample of
/// sites moves in both cancels out.
pub fn compare_dumps(a: &std::path::Path, b: &std::path::Path) {
    let read = |p: &std::path::Path| -> BTreeMap<String, Report> {
        let text = std::fs::read_to_string(p).expect("read a dump");
        let mut pages: BTreeMap<String, Report> = BTreeMap::new();
        for row in text.lines() {
            let mut f = row.split('\t');
            let (Some(id), _, Some(g), Some(p)) = (f.next(), f.next(), f.next(), f.next()) else {
                continue;
            };
            let (g, p): (Label, Label) = (g.parse().expect("a label"), p.parse().expect("a label"));
            pages.entry(id.to_string()).or_default().confusion[g.index()][p.index()] += 1;
        }
        pages
    };
    let (a, b) = (read(a), read(b));
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "the dumps hold the same pages"
    );
    let (a, b): (Vec<Report>, Vec<Report>) = (a.into_values().collect(), b.into_values().collect());
    let mut draw = SplitMix(0x9E37_79B9_7F4A_7C15);
    let mut diffs: Vec<f64> = (0..BOOTSTRAP_DRAWS)
        .map(|_| {
            let pick: Vec<usize> = (0..a.len()).map(|_| draw.below(a.len())).collect();
            total(pick.iter().map(|&i| &a[i])).macro_f1()
                - total(pick.iter().map(|&i| &b[i])).macro_f1()
        })
        .collect();
    diffs.sort_by(f64::total_cmp);
    let at = |q: f64| quantile(&diffs, q);
    let better = diffs.iter().filter(|&&d| d > 0.0).count() as f64 / diffs.len() as f64;
    println!(
        "macro-F1 first {:.4}, second {:.4}: difference {:+.4}, 90% of page draws between {:+.4} and {:+.4}, first higher in {:.0}% of draws",
        total(&a).macro_f1(),
        total(&b).macro_f1(),
        total(&a).macro_f1() - total(&b).macro_f1(),
        at(0.05),
        at(0.95),
        better * 100.0
    );
}

/// The value at share `q` of sorted, non-empty `values` (nearest rank).
fn quantile(values: &[f64], q: f64) -> f64 {
    values[((values.len() - 1) as f64 * q).round() as usize]
}

/// SplitMix64: a fixed-seed generator for the bootstrap draws.
struct SplitMix(u64);

impl SplitMix {
    /// A number below `n`.
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) % n as u64) as usize
    }
}

/// Resamplings of the pages for [`macro_interval`].
const BOOTSTRAP_DRAWS: usize = 400;

/// The 5 % and 95 % points of macro-F1 over pages drawn with replacement
/// (sixlabel has one page per site, so this is a site bootstrap): how far
/// a figure moves with the sample of sites alone. The draws come from a
/// fixed-seed generator, so the interval is reproducible.
pub fn macro_interval(pages: &[Report]) -> (f64, f64) {
    let mut draw = SplitMix(0x9E37_79B9_7F4A_7C15);
    let mut macros: Vec<f64> = (0..BOOTSTRAP_DRAWS)
        .map(|_| total((0..pages.len()).map(|_| &pages[draw.below(pages.len())])).macro_f1())
        .collect();
    macros.sort_by(f64::total_cmp);
    let at = |q: f64| quantile(&macros, q);
    (at(0.05), at(0.95))
}

/// Score `docs`, each labelled alone (no siblings).
pub fn score_alone(docs: &[&Doc], pick: Pick<'_>) -> Report {
    docs.par_iter()
        .map(|d| {
            let (lines, labels) = label_page(&alone(&d.text), pick(d), &d.text);
            let mut r = Report::default();
            r.add_page(&lines, &labels, &d.gold);
            r
        })
        .reduce(Report::default, |mut a, b| {
            a.merge(&b);
            a
        })
}

/// The seeds, each labelled with a model learned from the other four:
/// (page id, right, lines).
pub fn seeds_leave_one_out(seeds: &[&Doc], c: &LineClassifier) -> Vec<(String, usize, usize)> {
    (0..seeds.len())
        .map(|k| {
            let model = SiteModelBuilder::new().build(
                seeds
                    .iter()
                    .enumerate()
                    .filter(|&(j, _)| j != k)
                    .map(|(_, d)| &d.text),
            );
            let (_, labels) = label_page(&model, c, &seeds[k].text);
            let right = labels
                .iter()
                .zip(&seeds[k].gold)
                .filter(|(&p, &g)| g == Gold::Six(p))
                .count();
            (seeds[k].id.clone(), right, labels.len())
        })
        .collect()
}

/// Every figure of the issue for one labeller: `pick` says which
/// classifier labels a page.
pub fn full_report(
    docs: &[Doc],
    models: &BTreeMap<&str, SiteModel>,
    pick: Pick<'_>,
    out: &mut String,
) {
    use std::fmt::Write;
    let of = |s: Source| {
        docs.iter()
            .filter(move |d| d.source == s)
            .collect::<Vec<_>>()
    };
    let six_pages = score_pages(&of(Source::Sixlabel), models, pick);
    let six = total(&six_pages);
    if let Some(path) = std::env::var_os("TRAIN_DUMP") {
        dump(&of(Source::Sixlabel), models, pick, path.as_ref());
    }
    writeln!(out, "sixlabel (each page alone): {}", six.summary()).unwrap();
    let (lo, hi) = macro_interval(&six_pages);
    writeln!(
        out,
        "  macro-F1 over a bootstrap of the pages (one per site): 90% between {lo:.3} and {hi:.3}"
    )
    .unwrap();
    out.push_str(&six.detail());
    let dev = score(&of(Source::Devset), models, pick);
    writeln!(out, "devset (with wcxb siblings): {}", dev.summary()).unwrap();
    out.push_str(&dev.detail());
    let seeds = of(Source::Seeds);
    let together = score(&seeds, models, pick);
    let right: u64 = (0..6).map(|i| together.confusion[i][i]).sum();
    writeln!(
        out,
        "seeds learned together: {right}/{} lines right; {}",
        together.lines(),
        together.summary()
    )
    .unwrap();
    let c = pick(seeds[0]);
    for (id, right, n) in seeds_leave_one_out(&seeds, c) {
        writeln!(out, "seeds leave-one-out {id}: {right}/{n}").unwrap();
    }
    let mut job = Report::default();
    for r in [&six, &dev, &together] {
        job.merge(r);
    }
    let (p, r, f) = job.per_label()[Label::JobAd.index()];
    writeln!(
        out,
        "job_ad over sixlabel+devset+seeds: P {p:.3} R {r:.3} F1 {f:.3}"
    )
    .unwrap();
    // wcxb: the binary gold, devset pages included with their wcxb gold
    // left out (they carry six labels here).
    let wcxb: Vec<&Doc> = docs
        .iter()
        .filter(|d| matches!(d.source, Source::Wcxb | Source::Devset))
        .collect();
    let all = score(&wcxb, models, pick);
    let articles: Vec<&Doc> = wcxb
        .iter()
        .copied()
        .filter(|d| d.kind == "article")
        .collect();
    let art = score(&articles, models, pick);
    writeln!(
        out,
        "wcxb+devset body words: all F1 {:.4} (P {:.3} R {:.3}), articles F1 {:.4}",
        all.body.f1(),
        all.body.precision(),
        all.body.recall(),
        art.body.f1()
    )
    .unwrap();
    templates_never_hurt(docs, models, pick, out);
    short_pages(&of(Source::Sixlabel), pick, out);
}

/// Lines a short page keeps before its first body line (a menu's tail).
const SHORT_BEFORE: usize = 4;
/// Lines a short page keeps from its first body line on.
const SHORT_BODY: usize = 3;
/// Lines a short page keeps from the end of the page (a footer).
const SHORT_TAIL: usize = 3;

/// Held-out pages cut short and labelled alone: whether the model keeps
/// the body of a page of a dozen lines, which the full pages do not show.
fn short_pages(docs: &[&Doc], pick: Pick<'_>, out: &mut String) {
    use std::fmt::Write;
    let short: Vec<Doc> = docs
        .iter()
        .filter_map(|d| d.cut(true, SHORT_BEFORE, SHORT_BODY, SHORT_TAIL))
        .collect();
    let refs: Vec<&Doc> = short.iter().collect();
    let r = score_alone(&refs, pick);
    let body = Label::Body.index();
    let gold_body: u64 = r.confusion[body].iter().sum();
    writeln!(
        out,
        "short pages (sixlabel cut to title, {SHORT_BEFORE} lines, {SHORT_BODY} from the first body line, last {SHORT_TAIL}; alone): {} pages, body word F1 {:.4} (P {:.3} R {:.3}), body lines kept {}/{}, accuracy {:.4}",
        refs.len(),
        r.body.f1(),
        r.body.precision(),
        r.body.recall(),
        r.confusion[body][body],
        gold_body,
        r.accuracy()
    )
    .unwrap();
}

/// Write `page<TAB>line<TAB>gold<TAB>predicted<TAB>text` for every scored
/// line of `docs` (for error analysis: `TRAIN_DUMP=file`).
fn dump(docs: &[&Doc], models: &BTreeMap<&str, SiteModel>, pick: Pick<'_>, path: &std::path::Path) {
    use std::fmt::Write;
    let mut out = String::new();
    for d in docs {
        let (lines, labels) = label_page(&models[d.group.as_str()], pick(d), &d.text);
        for (k, ((line, p), g)) in lines.iter().zip(&labels).zip(&d.gold).enumerate() {
            if let Gold::Six(g) = g {
                let text = String::from_utf8_lossy(line).replace('\t', " ");
                writeln!(out, "{}\t{k}\t{g}\t{p}\t{text}", d.id).unwrap();
            }
        }
    }
    std::fs::write(path, out).expect("write the dump");
}

/// Pages of multi-page groups labelled with their siblings and alone.
fn templates_never_hurt(
    docs: &[Doc],
    models: &BTreeMap<&str, SiteModel>,
    pick: Pick<'_>,
    out: &mut String,
) {
    use std::fmt::Write;
    let mut size: BTreeMap<&str, usize> = BTreeMap::new();
    for d in docs {
        *size.entry(&d.group).or_default() += 1;
    }
    let multi: Vec<&Doc> = docs
        .iter()
        .filter(|d| {
            size[d.group.as_str()] >= 2
                && !matches!(d.source, Source::Silver | Source::Trainset | Source::Short)
        })
        .collect();
    let with = score(&multi, models, pick);
    let alone = score_alone(&multi, pick);
    writeln!(
        out,
        "templates never hurt ({} pages of multi-page groups, wcxb+devset+seeds):",
        multi.len()
    )
    .unwrap();
    writeln!(
        out,
        "  with siblings: body word F1 {:.4}, six-label accuracy {:.4} ({} lines)",
        with.body.f1(),
        with.accuracy(),
        with.lines()
    )
    .unwrap();
    writeln!(
        out,
        "  alone:         body word F1 {:.4}, six-label accuracy {:.4}",
        alone.body.f1(),
        alone.accuracy()
    )
    .unwrap();
}
