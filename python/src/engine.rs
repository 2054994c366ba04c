//! The one place that calls dechaff's labelling and learning API. The rest
//! of the binding sees only [`Model`], [`Record`], [`Scratch`], [`Settings`]
//! and the functions here, so a change of the crate's API is a change of
//! this file.

use std::sync::{Arc, LazyLock};

use dechaff::{Label, Labelled, Labeller, Reason, SiteLearner, SiteModel, SiteModelBuilder};

/// A learned site model with the shipped classifier, shared by the Python
/// objects that hold it.
pub type Model = Arc<Labeller>;

/// What a thread reuses from page to page: one labelled page's buffers.
pub type Scratch = Labelled;

/// The labeller of pages without a site model.
static NO_MODEL: LazyLock<Labeller> = LazyLock::new(Labeller::default);

/// A model for `site`.
pub fn model(site: SiteModel) -> Model {
    Arc::new(Labeller::new(site))
}

/// One non-blank line of a labelled page.
pub struct LineRecord {
    pub label: Label,
    /// Byte offsets into the page, the terminator excluded (character
    /// offsets once [`Record::count_chars`] has run).
    pub start: usize,
    pub end: usize,
    pub reason: Reason,
}

/// A labelled page, owned: what a Python `Labelled` holds.
pub struct Record {
    pub lines: Vec<LineRecord>,
    pub body: String,
    pub counts: [usize; 6],
}

/// Learning settings; `None` keeps the crate's default.
#[derive(Clone, Copy, Default)]
pub struct Settings {
    pub min_share: Option<f64>,
    pub sample_pages: Option<usize>,
}

impl Settings {
    /// A streaming learner with these settings.
    pub fn learner(self) -> SiteLearner {
        let mut b = SiteModelBuilder::new();
        if let Some(share) = self.min_share {
            b.min_share(share);
        }
        if let Some(n) = self.sample_pages {
            b.sample_pages(n);
        }
        b.learner()
    }
}

/// A site needs this many pages for a model; a site with fewer is labelled
/// without one (as the crate's `dechaff label` program does: one page has no
/// sibling to share templates with).
pub const MIN_SITE_PAGES: u32 = 2;

/// Finish a learner into a model if it saw [`MIN_SITE_PAGES`] pages.
pub fn finish_site(learner: SiteLearner) -> Option<Model> {
    (learner.pages() >= MIN_SITE_PAGES).then(|| model(learner.finish()))
}

/// Label `page` with `model`, or with cues and line features alone, in
/// `scratch`'s buffers.
fn label_into<'s>(model: Option<&Labeller>, page: &[u8], scratch: &'s mut Scratch) -> &'s Labelled {
    model.unwrap_or(&NO_MODEL).label_into(page, scratch);
    scratch
}

/// Label `page` (see [`label_into`]) and keep what Python needs.
pub fn label(model: Option<&Labeller>, page: &[u8], scratch: &mut Scratch) -> Record {
    let labelled = label_into(model, page, scratch);
    let lines = labelled
        .iter()
        .filter(|l| !l.is_blank())
        .map(|l| LineRecord {
            label: l.label(),
            start: l.span().start,
            end: l.span().end,
            reason: l.reason(),
        })
        .collect();
    Record {
        lines,
        body: labelled.body_text(),
        counts: labelled.counts(),
    }
}

/// The body text of `page` alone (no per-line records).
pub fn body_text(model: Option<&Labeller>, page: &[u8], scratch: &mut Scratch) -> String {
    label_into(model, page, scratch).body_text()
}

impl Record {
    /// Turn the byte offsets into character offsets of `text` (the page the
    /// record was labelled from). Offsets only grow, so one pass counts the
    /// characters: every byte that is not a UTF-8 continuation byte starts
    /// one.
    pub fn count_chars(&mut self, text: &str) {
        let bytes = text.as_bytes();
        let (mut byte, mut char) = (0, 0);
        let mut advance = |to: usize| {
            char += bytes[byte..to]
                .iter()
                .filter(|&&b| (b as i8) >= -0x40)
                .count();
            byte = to;
            char
        };
        for line in &mut self.lines {
            line.start = advance(line.start);
            line.end = advance(line.end);
        }
    }
}
