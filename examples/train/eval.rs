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
    docs.par_iter()
        .map(|d| {
            let (lines, labels) = label_page(&models[d.group.as_str()], pick(d), &d.text);
            let mut r = Report::default();
            r.add_page(&lines, &labels, &d.gold);
            r
        })
        .reduce(Report::default, |mut a, b| {
            a.merge(&b);
            a
        })
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
    let six = score(&of(Source::Sixlabel), models, pick);
    if let Some(path) = std::env::var_os("TRAIN_DUMP") {
        dump(&of(Source::Sixlabel), models, pick, path.as_ref());
    }
    writeln!(out, "sixlabel (each page alone): {}", six.summary()).unwrap();
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
        .filter(|d| size[d.group.as_str()] >= 2 && d.source != Source::Silver)
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
