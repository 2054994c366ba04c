//! The two passes: learning one model per site group, and labelling.

use std::collections::{BTreeMap, HashMap};

use dechaff::{dump::Document, Labelled, Labeller, ModelSet, SiteLearner, SiteModelBuilder};
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

/// One labeller per site group with a model, and the model-free one for
/// the other groups.
pub struct Labellers {
    sites: HashMap<String, Labeller>,
    alone: Labeller,
}

impl Labellers {
    /// Hand each model of `models` to a labeller of its own.
    pub fn new(models: ModelSet) -> Labellers {
        let sites = models
            .into_models()
            .map(|(group, model)| (group, Labeller::new(model)))
            .collect();
        Labellers {
            sites,
            alone: Labeller::default(),
        }
    }

    /// The labeller of a site group, and whether it has a site model.
    fn get(&self, group: &str) -> (&Labeller, bool) {
        match self.sites.get(group) {
            Some(labeller) => (labeller, true),
            None => (&self.alone, false),
        }
    }
}

/// Label every document with its group's labeller, batch by batch,
/// documents in parallel (each thread refilling its own [`Labelled`]):
/// `map` turns a labelled document into `T`, then `sink` gets the results
/// in input order (and the progress, to report bad documents).
pub fn label_each<T: Send>(
    source: &Source,
    labellers: &Labellers,
    progress: &mut Progress,
    map: impl Fn(&Document, &Labelled) -> T + Sync,
    mut sink: impl FnMut(&Document, T, &mut Progress) -> Result<()>,
) -> Result<()> {
    progress.begin("label");
    let mut modelled = 0u64;
    source.for_each_batch(progress, true, |batch, progress| {
        let results: Vec<(T, bool)> = batch
            .par_iter()
            .map_init(Labelled::new, |labelled, doc| {
                let (labeller, with_model) = labellers.get(&doc.group);
                labeller.label_into(&doc.text, labelled);
                (map(doc, labelled), with_model)
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
