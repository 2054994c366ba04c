//! The passes: counting each site group's pages, learning one model per
//! site group, and labelling.

use std::collections::{BTreeMap, HashMap};

use dechaff::{dump::Document, Labelled, Labeller, ModelSet, SiteLearner, SiteModelBuilder};
use rayon::prelude::*;

use crate::{input::Progress, input::Source, Models, Result};

/// Pages per site group, from a pass that only reads the inputs.
fn count_pages(source: &Source, progress: &mut Progress) -> Result<HashMap<String, u32>> {
    let mut sizes: HashMap<String, u32> = HashMap::new();
    progress.begin("count");
    source.for_each_batch(progress, false, |batch, progress| {
        for doc in &batch {
            match sizes.get_mut(doc.group.as_str()) {
                Some(n) => *n = n.saturating_add(1),
                None => {
                    sizes.insert(doc.group.clone(), 1);
                }
            }
        }
        progress.tick(format_args!(", {} groups", sizes.len()));
        Ok(())
    })?;
    progress.end(format_args!(", {} groups", sizes.len()));
    Ok(sizes)
}

/// A group's learner and the pages it has still to see.
struct Pending {
    learner: SiteLearner,
    left: u32,
}

/// Learn one model per site group: a pass that counts each group's pages,
/// then a streaming pass with one [`SiteLearner`] per group of two or more
/// pages, fed batch by batch, the groups of a batch in parallel.
///
/// So that memory does not grow with the dump, groups of a single page
/// (which get no model) never reach a learner, and a group's learner is
/// finished as soon as it has seen the group's last page: what is held is
/// the finished models and the learners of groups still in progress. Bad
/// records are reported only if `report`: when a labelling pass follows,
/// it reports them.
pub fn learn(source: &Source, progress: &mut Progress, report: bool) -> Result<ModelSet> {
    let mut sizes = count_pages(source, progress)?;
    let groups = sizes.len();
    sizes.retain(|_, n| *n >= 2);
    let builder = SiteModelBuilder::new();
    let mut learners: HashMap<String, Pending> = HashMap::new();
    let mut set = ModelSet::new();
    progress.begin("learn");
    source.for_each_batch(progress, report, |batch, progress| {
        let mut by_group: BTreeMap<&str, Vec<&[u8]>> = BTreeMap::new();
        for doc in batch.iter().filter(|d| sizes.contains_key(&d.group)) {
            by_group.entry(&doc.group).or_default().push(&doc.text);
        }
        let mut work: Vec<(&str, Pending, Vec<&[u8]>)> = by_group
            .into_iter()
            .map(|(group, pages)| {
                let pending = learners.remove(group).unwrap_or_else(|| Pending {
                    learner: builder.learner(),
                    left: sizes[group],
                });
                (group, pending, pages)
            })
            .collect();
        work.par_iter_mut().for_each(|(_, pending, pages)| {
            pages.iter().for_each(|page| pending.learner.add(page));
            pending.left = pending.left.saturating_sub(pages.len() as u32);
        });
        let mut done = Vec::new();
        for (group, pending, _) in work {
            if pending.left == 0 {
                done.push((group.to_string(), pending.learner));
            } else {
                learners.insert(group.to_string(), pending);
            }
        }
        finish(done, &mut set);
        progress.tick(format_args!(
            ", {} models, {} groups in progress",
            set.len(),
            learners.len()
        ));
        Ok(())
    })?;
    // Groups with pages left: the inputs changed between the passes.
    let rest = learners.into_iter().map(|(g, p)| (g, p.learner)).collect();
    finish(rest, &mut set);
    progress.end(format_args!(
        ", {groups} groups, {} with 2 or more pages learned",
        set.len()
    ));
    Ok(set)
}

/// Finish learners in parallel and add their models to `set`.
fn finish(learners: Vec<(String, SiteLearner)>, set: &mut ModelSet) {
    let models: Vec<_> = learners
        .into_par_iter()
        .filter(|(_, learner)| learner.pages() >= 2)
        .map(|(group, learner)| (group, learner.finish()))
        .collect();
    for (group, model) in models {
        set.insert(group, model);
    }
}

/// One labeller per site group with a model, and the model-free one for
/// the other groups; or, for a single-site model, one labeller for all.
pub struct Labellers {
    sites: HashMap<String, Labeller>,
    /// The labeller of groups without a labeller of their own.
    other: Labeller,
    /// Whether `other` has a site model (a single-site model file).
    other_modelled: bool,
}

impl Labellers {
    /// Hand each model of `models` to a labeller of its own.
    pub fn new(models: Models) -> Labellers {
        match models {
            Models::Set(set) => Labellers {
                sites: set
                    .into_models()
                    .map(|(group, model)| (group, Labeller::new(model)))
                    .collect(),
                other: Labeller::default(),
                other_modelled: false,
            },
            Models::Site(model) => Labellers {
                sites: HashMap::new(),
                other: Labeller::new(model),
                other_modelled: true,
            },
        }
    }

    /// The labeller of a site group, and whether it has a site model.
    fn get(&self, group: &str) -> (&Labeller, bool) {
        match self.sites.get(group) {
            Some(labeller) => (labeller, true),
            None => (&self.other, self.other_modelled),
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
