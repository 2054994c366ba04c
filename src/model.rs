//! The learned site model and its file format.

use std::{
    collections::BTreeMap,
    io::{Read, Write},
};

use serde::{Deserialize, Serialize};

use crate::{
    error::{Error, ErrorKind, Result},
    features::LineClassifier,
    label::Label,
    labeller::Labelled,
};

/// The format name of a file holding one [`SiteModel`].
const FORMAT_SITE: &str = "dechaff-site-model";
/// The format name of a file holding a [`ModelSet`].
const FORMAT_SET: &str = "dechaff-model-set";
/// The format names files written before the rename from `chaff` carry;
/// they load as [`FORMAT_SITE`] and [`FORMAT_SET`].
const LEGACY_FORMATS: [(&str, &str); 2] = [
    ("chaff-site-model", FORMAT_SITE),
    ("chaff-model-set", FORMAT_SET),
];
/// The model file version this build reads and writes.
pub const MODEL_FORMAT_VERSION: u32 = 1;

/// What [`SiteModelBuilder`](crate::SiteModelBuilder) learns from the pages
/// of one site: its exact and slotted templates, their roles, and where the
/// boilerplate regions sit relative to them.
///
/// A model is immutable and `Send + Sync`: share one across threads and call
/// [`SiteModel::label`] from each. An empty model ([`SiteModel::default`])
/// labels pages by cues and line features alone.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SiteModel {
    /// Distinct pages learned from.
    pub(crate) pages: u32,
    /// Pages skipped because they repeated an earlier page line for line.
    pub(crate) duplicate_pages: u32,
    /// Share of pages a line must occur on to be a template.
    pub(crate) min_share: f64,
    /// Lines seen on at least two pages: fingerprint -> stats.
    pub(crate) lines: BTreeMap<u64, LineStat>,
    /// Line prefixes (1..=MAX_FIXED words) seen on at least two pages.
    pub(crate) prefixes: BTreeMap<u64, u32>,
    /// Line suffixes seen on at least two pages.
    pub(crate) suffixes: BTreeMap<u64, u32>,
    /// Roles and region statistics of the templates, keyed by template id.
    pub(crate) anchors: BTreeMap<u64, Anchor>,
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

/// Whether a template with this folded text can frame a region: two words
/// that are not just numbers, or a cue. A lone number or UI word also turns
/// up inside the body, so it opens no region.
pub(crate) fn frames_regions(text: &str) -> bool {
    text.split(' ').filter(|w| *w != "0" && *w != "…").count() >= 2
        || crate::cues::LEXICON.scan(text).role().is_some()
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

/// One learned template, as listed by [`SiteModel::templates`].
#[derive(Clone, Debug, PartialEq)]
pub struct Template<'m> {
    /// Exact or slotted.
    pub kind: TemplateKind,
    /// Its folded text; a slotted template shows its slot as `…`.
    pub text: &'m str,
    /// Pages it was seen on (slotted templates: among the sampled pages).
    pub pages: u32,
    /// The label its lines get.
    pub label: Label,
}

#[derive(Serialize)]
struct Envelope<T> {
    format: String,
    version: u32,
    #[serde(flatten)]
    body: T,
}

#[derive(Deserialize)]
struct Header {
    format: String,
    version: u32,
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

    /// The learned templates, exact ones first, each in a fixed order.
    pub fn templates(&self) -> impl Iterator<Item = Template<'_>> + '_ {
        let mut out: Vec<Template<'_>> = self
            .anchors
            .values()
            .map(|a| Template {
                kind: a.kind,
                text: &a.text,
                pages: a.pages,
                label: a.role,
            })
            .collect();
        out.sort_by(|a, b| {
            (
                a.kind == TemplateKind::Slotted,
                std::cmp::Reverse(a.pages),
                a.text,
            )
                .cmp(&(
                    b.kind == TemplateKind::Slotted,
                    std::cmp::Reverse(b.pages),
                    b.text,
                ))
        });
        out.into_iter()
    }

    /// Label every line of `page`.
    ///
    /// See [`Labelled`] for what comes back.
    pub fn label<'m, 'p>(&'m self, page: &'p [u8]) -> Labelled<'m, 'p> {
        Labelled::new(Some(self), LineClassifier::shipped(), page)
    }

    /// Like [`SiteModel::label`], with another line classifier than the
    /// shipped one.
    pub fn label_with<'m, 'p>(
        &'m self,
        classifier: &LineClassifier,
        page: &'p [u8],
    ) -> Labelled<'m, 'p> {
        Labelled::new(Some(self), classifier, page)
    }

    /// Write the model as JSON, with a format name and version.
    pub fn save<W: Write>(&self, writer: W) -> Result<()> {
        save(writer, FORMAT_SITE, self)
    }

    /// Read a model written by [`SiteModel::save`].
    ///
    /// A truncated or corrupt file gives [`ErrorKind::CorruptModel`]; a file
    /// from a newer format version gives [`ErrorKind::UnsupportedVersion`].
    pub fn load<R: Read>(reader: R) -> Result<SiteModel> {
        let model: SiteModel = load(reader, FORMAT_SITE)?;
        model.check()?;
        Ok(model)
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

    /// Combine two models of one site learned on disjoint sets of pages.
    ///
    /// Page counts of lines, prefixes and suffixes are added, and the
    /// template threshold is recomputed for the combined number of pages,
    /// so templates found in either part, and lines that cross the threshold
    /// only together, are templates of the merge. Region statistics are
    /// added too. The merge differs from learning on the union in two ways
    /// only: a line seen on exactly one page of each part is unknown to both
    /// parts (they keep lines seen on two or more pages), and the region
    /// statistics were counted under each part's own templates. The
    /// settings (`min_share`) of `self` are kept. Merging is commutative
    /// when both models share their settings.
    ///
    /// How close it comes, measured by the repository's `tests/it/merge.rs`:
    /// splitting each wcxb site of four or more pages into halves, the
    /// merged model labels 91.9% of the non-blank lines as the model learned
    /// on all pages does (the gap is mostly (a): with two pages per half, a
    /// line shared by one page of each half is lost); on the five seed pages,
    /// split 2 + 3, it labels 100% alike.
    pub fn merge(&self, other: &SiteModel) -> SiteModel {
        let mut out = self.clone();
        out.pages = self.pages.saturating_add(other.pages);
        out.duplicate_pages = self.duplicate_pages.saturating_add(other.duplicate_pages);
        out.sampled_pages = self.sampled_pages.saturating_add(other.sampled_pages);
        for (k, l) in &other.lines {
            out.lines
                .entry(*k)
                .and_modify(|m| m.pages = m.pages.saturating_add(l.pages))
                .or_insert_with(|| l.clone());
        }
        for (mine, theirs) in [
            (&mut out.prefixes, &other.prefixes),
            (&mut out.suffixes, &other.suffixes),
        ] {
            for (k, n) in theirs {
                let e = mine.entry(*k).or_insert(0);
                *e = e.saturating_add(*n);
            }
        }
        for (k, a) in &other.anchors {
            out.anchors
                .entry(*k)
                .and_modify(|m| m.absorb(a))
                .or_insert_with(|| a.clone());
        }
        out.refresh_exact_pages();
        crate::learn::assign_roles(&mut out);
        out
    }
}

impl Anchor {
    fn absorb(&mut self, o: &Anchor) {
        self.pages = self.pages.saturating_add(o.pages);
        for i in 0..2 {
            self.after[i] = self.after[i].saturating_add(o.after[i]);
            self.before[i] = self.before[i].saturating_add(o.before[i]);
        }
        for i in 0..6 {
            self.region[i] = self.region[i].saturating_add(o.region[i]);
            self.neighbours[i] = self.neighbours[i].saturating_add(o.neighbours[i]);
        }
    }
}

/// The template threshold: at least two pages, and at least `share` of them.
pub(crate) fn min_pages(pages: u32, share: f64) -> u32 {
    let by_share = (share * pages as f64).ceil();
    (by_share as u32).max(2)
}

/// Write any serialisable body in the versioned envelope.
fn save<W: Write, T: Serialize>(writer: W, format: &str, body: &T) -> Result<()> {
    let env = Envelope {
        format: format.to_string(),
        version: MODEL_FORMAT_VERSION,
        body,
    };
    let mut writer = std::io::BufWriter::new(writer);
    serde_json::to_writer(&mut writer, &env).map_err(|e| match e.io_error_kind() {
        Some(_) => Error::new(ErrorKind::Io(e.into())),
        None => Error::new(ErrorKind::CorruptModel(e)),
    })?;
    writer.flush()?;
    Ok(())
}

/// Read a body written by [`save`], checking format name and version first.
fn load<R: Read, T: for<'de> Deserialize<'de>>(mut reader: R, format: &'static str) -> Result<T> {
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes)?;
    let header: Header =
        serde_json::from_slice(&bytes).map_err(|e| Error::new(ErrorKind::CorruptModel(e)))?;
    let found = LEGACY_FORMATS
        .iter()
        .find(|(legacy, _)| *legacy == header.format)
        .map_or(header.format.as_str(), |(_, current)| *current);
    if found != format {
        return Err(Error::new(ErrorKind::NotAModel {
            found: header.format.into(),
            expected: format,
        }));
    }
    if header.version != MODEL_FORMAT_VERSION {
        return Err(Error::new(ErrorKind::UnsupportedVersion {
            found: header.version,
            supported: MODEL_FORMAT_VERSION,
        }));
    }
    // The body's fields sit beside `format` and `version`, which it ignores.
    // (Not through `Envelope`: serde's `flatten` buffers the map and then
    // cannot read the integer keys of the body's maps from JSON strings.)
    serde_json::from_slice(&bytes).map_err(|e| Error::new(ErrorKind::CorruptModel(e)))
}

/// Site models of many sites, keyed by site group: what the `dechaff` example
/// writes to one model file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ModelSet {
    sites: BTreeMap<String, SiteModel>,
}

impl ModelSet {
    /// An empty set.
    pub fn new() -> ModelSet {
        ModelSet::default()
    }

    /// Add (or replace) the model of a site group.
    pub fn insert(&mut self, group: impl Into<String>, model: SiteModel) {
        self.sites.insert(group.into(), model);
    }

    /// The model of a site group.
    pub fn get(&self, group: &str) -> Option<&SiteModel> {
        self.sites.get(group)
    }

    /// Site groups and their models, in group order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &SiteModel)> + '_ {
        self.sites.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Number of site groups.
    pub fn len(&self) -> usize {
        self.sites.len()
    }

    /// Whether the set holds no model.
    pub fn is_empty(&self) -> bool {
        self.sites.is_empty()
    }

    /// Merge another set into this one, site by site (see [`SiteModel::merge`]).
    pub fn merge(&mut self, other: &ModelSet) {
        for (group, model) in &other.sites {
            let merged = match self.sites.get(group) {
                Some(mine) => mine.merge(model),
                None => model.clone(),
            };
            self.sites.insert(group.clone(), merged);
        }
    }

    /// Write the set in the versioned model format.
    pub fn save<W: Write>(&self, writer: W) -> Result<()> {
        save(writer, FORMAT_SET, self)
    }

    /// Read a set written by [`ModelSet::save`]. Errors as [`SiteModel::load`].
    pub fn load<R: Read>(reader: R) -> Result<ModelSet> {
        let set: ModelSet = load(reader, FORMAT_SET)?;
        for model in set.sites.values() {
            model.check()?;
        }
        Ok(set)
    }
}
