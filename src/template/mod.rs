//! Templates: the learned site model's types, its file format
//! ([`file`]), the matcher that finds a line's template ([`matcher`]) and
//! the roles templates get ([`roles`]).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::{
    error::{Error, ErrorKind, Result},
    hash::BuildKeyed,
    labels::Label,
};

mod binary;
mod file;
mod matcher;
mod roles;

pub use file::{ModelSet, MODEL_FORMAT_VERSION};
pub(crate) use matcher::{for_each_gap, match_template, slot_id, slot_split, Match};
pub(crate) use roles::{assign_roles, frames_regions, LINK_MAX_WORDS};

/// A model's table keyed by fingerprint or template id: looked up per line
/// when labelling. Its order is arbitrary; the file formats sort the keys.
pub(crate) type Table<V> = HashMap<u64, V, BuildKeyed>;

/// What [`SiteModelBuilder`](crate::SiteModelBuilder) learns from the pages
/// of one site: its exact and slotted templates, their roles, and where the
/// boilerplate regions sit relative to them.
///
/// A model is immutable and `Send + Sync`; a [`Labeller`](crate::Labeller)
/// holding it labels the site's pages. An empty model
/// ([`SiteModel::default`]) labels pages by cues and line features alone.
///
/// It serialises with serde in the body of the model file format; a model
/// deserialised with serde is checked for consistency as
/// [`SiteModel::load`] checks it, and rejected if its counts contradict
/// each other.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
// The derives make inherent `SiteModel::serialize`/`deserialize`; the
// trait impls in `file.rs` wrap them, checking what is deserialised.
#[serde(remote = "Self")]
pub struct SiteModel {
    /// Distinct pages learned from.
    pub(crate) pages: u32,
    /// Pages skipped because they repeated an earlier page line for line.
    pub(crate) duplicate_pages: u32,
    /// Share of pages a line must occur on to be a template.
    pub(crate) min_share: f64,
    /// Lines seen on at least two pages: fingerprint -> stats.
    #[serde(serialize_with = "file::sorted")]
    pub(crate) lines: Table<LineStat>,
    /// Line prefixes (1..=MAX_FIXED words) seen on at least two pages.
    #[serde(serialize_with = "file::sorted")]
    pub(crate) prefixes: Table<u32>,
    /// Line suffixes seen on at least two pages.
    #[serde(serialize_with = "file::sorted")]
    pub(crate) suffixes: Table<u32>,
    /// Roles and region statistics of the templates, keyed by template id.
    #[serde(serialize_with = "file::sorted")]
    pub(crate) anchors: Table<Anchor>,
    /// Pages the region statistics were taken from.
    pub(crate) sampled_pages: u32,
}

/// A line seen on two or more pages.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct LineStat {
    pub(crate) pages: u32,
    /// The folded text.
    pub(crate) text: String,
}

/// What the learner found out about one template.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Anchor {
    pub(crate) kind: TemplateKind,
    /// Folded text; for a slotted template `prefix … suffix`.
    pub(crate) text: String,
    /// Pages it occurs on (for slotted templates: sampled pages).
    pub(crate) pages: u32,
    pub(crate) role: Label,
    pub(crate) role_source: RoleSource,
    /// Pages where the free lines right after it were body / boilerplate.
    pub(crate) after: [u32; 2],
    /// Pages where the free lines right before it were body / boilerplate.
    pub(crate) before: [u32; 2],
    /// Cue votes of the free boilerplate lines right after it, per label.
    pub(crate) region: [u32; 6],
    /// Cue votes of the lines around it (its list, or its two neighbours).
    pub(crate) neighbours: [u32; 6],
    /// Whether it says enough to frame a region (see [`frames_regions`]).
    pub(crate) frames: bool,
}

/// Whether a template is a whole line or a line with a variable slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplateKind {
    /// The same line (after folding) on many pages.
    Exact,
    /// A fixed prefix and/or suffix around a variable slot.
    Slotted,
}

/// How a template's role was decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum RoleSource {
    /// A cue in its own text.
    Cue,
    /// The cues of the lines around it on the site's pages.
    Neighbours,
    /// Its shape (short link-like lines are navigation, others `other`).
    Shape,
}

/// Names one template of a [`SiteModel`]: a line's fingerprint for an exact
/// template, a hash of its fixed words for a slotted one. Look it up with
/// [`SiteModel::template`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TemplateId(pub(crate) u64);

impl TemplateId {
    /// The raw id.
    pub fn as_u64(self) -> u64 {
        self.0
    }
}

impl std::fmt::Display for TemplateId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "#{:016x}", self.0)
    }
}

/// One learned template, as listed by [`SiteModel::templates`].
#[derive(Clone, Debug, PartialEq)]
pub struct Template<'m> {
    /// Its id, as [`Reason`](crate::Reason)s name it.
    pub id: TemplateId,
    /// Exact or slotted.
    pub kind: TemplateKind,
    /// Its folded text; a slotted template shows its slot as `…`.
    pub text: &'m str,
    /// Pages it was seen on (slotted templates: among the sampled pages).
    pub pages: u32,
    /// The label its lines get.
    pub label: Label,
}

impl SiteModel {
    /// Exact templates count pages over all the site's pages, not the
    /// sample: take their page counts from `lines`.
    pub(crate) fn refresh_exact_pages(&mut self) {
        for (k, a) in self.anchors.iter_mut() {
            if a.kind == TemplateKind::Exact {
                if let Some(l) = self.lines.get(k) {
                    a.pages = l.pages;
                }
            }
        }
    }

    /// Number of distinct pages the model learned from.
    pub fn pages(&self) -> u32 {
        self.pages
    }

    /// Pages that were skipped as line-for-line duplicates of another page.
    pub fn duplicate_pages(&self) -> u32 {
        self.duplicate_pages
    }

    /// The fewest pages a line must occur on to count as a template.
    pub fn min_pages(&self) -> u32 {
        min_pages(self.pages, self.min_share)
    }

    /// The template `id` names, if the model holds it with a role (a line
    /// that became a template only in a [`merge`](SiteModel::merge), or a
    /// slotted template the region sample never saw, has none: its lines
    /// are labelled by their own cues and shape).
    pub fn template(&self, id: TemplateId) -> Option<Template<'_>> {
        self.anchors.get(&id.0).map(|a| a.template(id.0))
    }

    /// The learned templates, exact ones first, each in a fixed order.
    pub fn templates(&self) -> impl Iterator<Item = Template<'_>> + '_ {
        let mut out: Vec<Template<'_>> =
            self.anchors.iter().map(|(&id, a)| a.template(id)).collect();
        // The id last: the table's order is arbitrary.
        out.sort_by(|a, b| {
            (
                a.kind == TemplateKind::Slotted,
                std::cmp::Reverse(a.pages),
                a.text,
                a.id,
            )
                .cmp(&(
                    b.kind == TemplateKind::Slotted,
                    std::cmp::Reverse(b.pages),
                    b.text,
                    b.id,
                ))
        });
        out.into_iter()
    }

    pub(crate) fn check(&self) -> Result<()> {
        let bad = |what| Err(Error::new(ErrorKind::InconsistentModel(what)));
        if !(0.0..=1.0).contains(&self.min_share) {
            return bad("min_share outside 0..=1");
        }
        if self.lines.values().any(|l| l.pages > self.pages) {
            return bad("a line occurs on more pages than the model has seen");
        }
        if self
            .prefixes
            .values()
            .chain(self.suffixes.values())
            .any(|&n| n > self.pages)
        {
            return bad("a slot key occurs on more pages than the model has seen");
        }
        if self.sampled_pages > self.pages {
            return bad("more sampled pages than pages");
        }
        Ok(())
    }
}

impl Anchor {
    /// The public view of this anchor, the template `id`.
    fn template(&self, id: u64) -> Template<'_> {
        Template {
            id: TemplateId(id),
            kind: self.kind,
            text: &self.text,
            pages: self.pages,
            label: self.role,
        }
    }
}

/// A line on one page only is no template, whatever the share.
const MIN_TEMPLATE_PAGES: u32 = 2;

/// The template threshold: at least two pages, and at least `share` of them.
pub(crate) fn min_pages(pages: u32, share: f64) -> u32 {
    let by_share = (share * pages as f64).ceil();
    (by_share as u32).max(MIN_TEMPLATE_PAGES)
}
