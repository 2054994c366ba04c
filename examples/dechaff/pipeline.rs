//! The two passes: learning one model per site group, and labelling.

use std::collections::{BTreeMap, HashMap};

use dechaff::{dump::Document, Labelled, ModelSet, SiteLearner, SiteModelBuilder};
use rayon::prelude::*;

use crate::{input::Progress, input::Source, Result};

/// Learn one model per site group in one streaming pass: one
/// [`SiteLearner`] per group, fed batch by batch, the groups of a batch in
/// parallel. Groups with a single page get no model. Bad records are
/// reported only if `report`: when a labelling pass follows, it reports
/// them.
pub fn learn(source: &Source, progress: &mut Progress, report: bool) -> Result<ModelSet> {
    let builder = SiteModelBuilder::new();
    let mut learners: HashMap<String, SiteLearner> = HashMap::new();
    progress.begin("learn");
    source.for_each_batch(progress, report, |batch, progress| {
        let mut by_group: BTreeMap<&str, Vec<&[u8]>> = BTreeMap::new();
        for doc in &batch {
            by_group.entry(&doc.group).or_default().push(&doc.text);
        }
        let mut work: Vec<(&str, SiteLearner, Vec<&[u8]>)> = by_group
            .into_iter()
            .map(|(group, pages)| {
                (
                    group,
                    learners.remove(group).unwrap_or_else(|| builder.learner()),
                    pages,
                )
            })
            .collect();
        work.par_iter_mut()
            .for_each(|(_, learner, pages)| pages.iter().for_each(|page| learner.add(page)));
        for (group, learner, _) in work {
            learners.insert(group.to_string(), learner);
        }
        progress.tick(format_args!(", {} groups", learners.len()));
        Ok(())
    })?;
    let groups = learners.len();
    let models: Vec<_> = learners
        .into_par_iter()
        .filter(|(_, learner)| learner.pages() >= 2)
        .map(|(group, learner)| (group, learner.finish()))
        .collect();
    let mut set = ModelSet::new();
    for (group, model) in models {
        set.insert(group, model);
    }
    progress.end(format_args!(
        ", {groups} groups, {} with 2 or more pages learned",
        set.len()
    ));
    Ok(set)
}

/// Label every document with its group's model (or the model-free
/// labeller), batch by batch, documents in parallel: `map` turns a labelled
/// document into `T`, then `sink` gets the results in input order (and
/// the progress, to report bad documents).
pub fn label_each<T: Send>(
    source: &Source,
    models: &ModelSet,
    progress: &mut Progress,
    map: impl Fn(&Document, Labelled<'_, '_>) -> T + Sync,
    mut sink: impl FnMut(&Document, T, &mut Progress) -> Result<()>,
) -> Result<()> {
    progress.begin("label");
    let mut modelled = 0u64;
    source.for_each_batch(progress, true, |batch, progress| {
        let results: Vec<(T, bool)> = batch
            .par_iter()
            .map(|doc| match models.get(&doc.group) {
                Some(model) => (map(doc, model.label(&doc.text)), true),
                None => (map(doc, dechaff::label(&doc.text)), false),
            })
            .collect();
        for (doc, (result, with_model)) in batch.iter().zip(results) {
            modelled += u64::from(with_model);
            sink(doc, result, progress)?;
        }
        progress.tick(format_args!(", {modelled} with a site model"));
        Ok(())
    })?;
    progress.end(format_args!(", {modelled} with a site model"));
    Ok(())
}
