//! The labeller: templates, regions, cues and line features decide each
//! line. [`Labeller`] holds a site model and a classifier; [`Labelled`] holds
//! one labelled page.

use std::{ops::Range, sync::Arc, sync::LazyLock};

use crate::{
    analyze::{analyze, LineInfo, PageInfo},
    cues::LEXICON,
    features::{page_features, Context, LineClassifier},
    fold::Folded,
    labels::{top_boilerplate, Label},
    lines::Span,
    six::{six_features, Force, How, LineEvidence, SixModel, SixPage, WordModel, N_SIX},
    template::{
        for_each_gap, match_template, Anchor, Match, SiteModel, TemplateId, LINK_MAX_WORDS,
    },
    vector::N_FEATURES,
};

/// Why a line got its label, for debugging. See [`LabelledLine::reason`].
///
/// Templates are named by their [`TemplateId`]; the model says more about
/// one ([`SiteModel::template`]).
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Reason {
    /// A blank line: labelled like the non-blank line before it.
    Blank,
    /// An exact template of the site.
    Template {
        /// The template.
        template: TemplateId,
        /// Pages of the site it occurs on.
        pages: u32,
    },
    /// A slotted template: fixed words around a variable slot.
    SlottedTemplate {
        /// The template.
        template: TemplateId,
        /// Words of the line that the template fixes.
        fixed_words: u32,
    },
    /// A line that never repeats but lies in a boilerplate region of the
    /// site's template frame, after (or before) the template `after`.
    Region {
        /// The template that opens (or closes) the region.
        after: TemplateId,
    },
    /// A phrase of the cue lexicon.
    Cue {
        /// The folded cue phrase.
        phrase: &'static str,
    },
    /// Shallow line features. `score` above zero leans to body.
    Features {
        /// The body score minus the threshold.
        score: f32,
    },
    /// Relabelled to agree with the lines around it.
    Context,
    /// The line repeats the start of the page's first (title) line.
    Title,
    /// The six-class model, decoding the page's labels as a sequence,
    /// overruled the rules' label.
    Sequence {
        /// The model's probability of the label.
        probability: f32,
    },
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reason::Blank => write!(f, "blank line"),
            Reason::Template { template, pages } => {
                write!(f, "template {template} on {pages} pages")
            }
            Reason::SlottedTemplate {
                template,
                fixed_words,
            } => write!(f, "slotted template {template} ({fixed_words} fixed words)"),
            Reason::Region { after } => write!(f, "boilerplate region after template {after}"),
            Reason::Cue { phrase } => write!(f, "cue {phrase:?}"),
            Reason::Features { score } => write!(f, "line features, score {score:+.2}"),
            Reason::Context => write!(f, "context of neighbouring lines"),
            Reason::Title => write!(f, "repeats the title line"),
            Reason::Sequence { probability } => {
                write!(f, "six-class model in sequence, p {probability:.2}")
            }
        }
    }
}

/// Free lines between templates are a boilerplate region when at least
/// three in four sampled pages had boilerplate there.
const REGION_MIN_PROBABILITY: f32 = 0.75;

/// A decisive cue decides lines up to this many words whatever their
/// score; a longer line that the classifier calls body is prose that
/// mentions the phrase.
const CUE_MAX_WORDS: u32 = 25;

/// A region takes lines shorter than this (list items and cue lines
/// whatever their length) ...
const REGION_MAX_WORDS: u32 = 25;

/// ... unless the classifier is this sure they are body: an article's
/// paragraph stays body inside a region the statistics got wrong.
const REGION_MAX_SCORE: f32 = 1.0;

/// A line repeating the title line (a heading that restates it) must have
/// this many words: one word repeats by chance.
const TITLE_MIN_WORDS: u32 = 2;

/// A run of list items agrees on the label of more than one in
/// `LIST_QUORUM` of its lines: one "We're hiring" link does not make a whole
/// menu a job box.
const LIST_QUORUM: usize = 3;

/// The reason a template match gives its line.
fn template_reason(t: Match) -> Reason {
    match t {
        Match::Exact { id, pages } => Reason::Template {
            template: TemplateId(id),
            pages,
        },
        Match::Slotted { id, fixed } => Reason::SlottedTemplate {
            template: TemplateId(id),
            fixed_words: fixed,
        },
    }
}

/// One line of a labelled page, borrowed from its [`Labelled`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LabelledLine<'a> {
    bytes: &'a [u8],
    span: Span,
    terminator: u8,
    index: usize,
    label: Label,
    reason: Reason,
}

impl<'a> LabelledLine<'a> {
    /// The line's bytes without terminator.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Where the line sits in the page (terminator excluded).
    pub fn span(&self) -> Span {
        self.span
    }

    /// The span including the line terminator.
    pub fn full_span(&self) -> Span {
        Span {
            start: self.span.start,
            end: self.span.end + self.terminator as usize,
        }
    }

    /// 0-based line number in the page.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The label.
    pub fn label(&self) -> Label {
        self.label
    }

    /// What decided the label.
    pub fn reason(&self) -> Reason {
        self.reason
    }

    /// Whether the line is blank (only ASCII whitespace).
    pub fn is_blank(&self) -> bool {
        matches!(self.reason, Reason::Blank)
    }
}

/// A run of consecutive lines with one label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment<'a> {
    page: &'a [u8],
    label: Label,
    span: Span,
    first: usize,
    last: usize,
}

impl<'a> Segment<'a> {
    /// The label of every line in the run.
    pub fn label(&self) -> Label {
        self.label
    }

    /// From the start of the first line to the end of the last (its
    /// terminator excluded).
    pub fn span(&self) -> Span {
        self.span
    }

    /// The run's bytes, lines joined by their original terminators.
    pub fn bytes(&self) -> &'a [u8] {
        &self.page[self.span.range()]
    }

    /// Line numbers of the run.
    pub fn lines(&self) -> Range<usize> {
        self.first..self.last + 1
    }
}

#[derive(Clone, Copy, Debug)]
struct Decided {
    span: Span,
    terminator: u8,
    label: Label,
    reason: Reason,
}

/// The shipped classifier, shared by every labeller that keeps it.
static SHIPPED: LazyLock<Arc<LineClassifier>> =
    LazyLock::new(|| Arc::new(LineClassifier::shipped().clone()));

/// Labels the lines of pages: a site's [`SiteModel`] and a
/// [`LineClassifier`], immutable once built, `Clone + Send + Sync`.
///
/// [`Labeller::default`] has no site model: it labels by cues and line
/// features alone, for pages whose site has no other pages in the dump
/// (the same as [`label`]). [`Labeller::new`] takes the model a
/// [`SiteModelBuilder`](crate::SiteModelBuilder) learned from the site's
/// pages. Share one labeller across threads; give each thread its own
/// [`Labelled`] to reuse with [`Labeller::label_into`].
///
/// ```
/// use dechaff::{Label, Labelled, Labeller, Reason, SiteModelBuilder};
///
/// // Pages of one site, as an HTML-to-text step leaves them.
/// let pages = [
///     "Home\n- News\n- Sport\nThe council approved the new budget on Tuesday evening after a debate \
///      about the state of the town's schools that lasted more than four hours.\n\
///      Most of the money will go to the repair of primary schools, the mayor said, starting with \
///      the roofs and heating of the three oldest buildings.\n\
///      - Share\n- Print\nWe're hiring\nNight editor (m/f/d)\nAll comments are moderated.\n",
///     "Home\n- News\n- Sport\nA storm flooded several streets of the old town overnight, the fire \
///      brigade said, after the river rose by almost two metres in a few hours.\n\
///      Nobody was hurt, and the water has gone down since the morning, but many cellars along the \
///      river are still full and the clean-up will take days.\n\
///      - Share\n- Print\nWe're hiring\nSports reporter, part time\nAll comments are moderated.\n",
///     "Home\n- News\n- Sport\nThe town library reopened on Monday after two years of renovation, \
///      which cost less than the council had planned, the head librarian said.\n\
///      It now has a reading room on the first floor, a larger children's section and longer \
///      opening hours on weekdays.\n\
///      - Share\n- Print\nWe're hiring\nCaretaker for the town hall\nAll comments are moderated.\n",
/// ];
/// let model = SiteModelBuilder::new().build(&pages);
/// let labeller = Labeller::new(model);
///
/// let labelled = labeller.label(pages[1]);
/// assert_eq!(
///     labelled.body_text(),
///     "A storm flooded several streets of the old town overnight, the fire brigade said, after the \
///      river rose by almost two metres in a few hours.\n\
///      Nobody was hurt, and the water has gone down since the morning, but many cellars along the \
///      river are still full and the clean-up will take days.",
/// );
/// let line = labelled.get(0).unwrap();
/// assert_eq!(line.label(), Label::Navigation);
/// let Reason::Template { template, pages: on } = line.reason() else { panic!() };
/// assert_eq!(on, 3);
/// assert_eq!(labeller.model().template(template).unwrap().text, "home");
///
/// // Many pages: one `Labelled` whose buffers are reused.
/// let mut out = Labelled::new();
/// let mut body_lines = 0;
/// for page in &pages {
///     labeller.label_into(page, &mut out);
///     body_lines += out.counts()[Label::Body.index()];
/// }
/// assert_eq!(body_lines, 6);
/// ```
#[derive(Clone, Debug)]
pub struct Labeller {
    model: SiteModel,
    /// `None`: the shipped classifier (read when first used, so that a
    /// labeller with its own classifier never reads the shipped weights:
    /// the trainer's do not depend on them).
    classifier: Option<Arc<LineClassifier>>,
}

impl Default for Labeller {
    fn default() -> Labeller {
        Labeller::new(SiteModel::default())
    }
}

impl Labeller {
    /// A labeller for the pages of the site `model` was learned from, with
    /// the shipped line classifier.
    pub fn new(model: SiteModel) -> Labeller {
        Labeller {
            model,
            classifier: None,
        }
    }

    /// The same labeller with another line classifier than the shipped one.
    /// Pass an `Arc<LineClassifier>` to share one classifier between many
    /// labellers (one per site) instead of a copy each.
    pub fn with_classifier(mut self, classifier: impl Into<Arc<LineClassifier>>) -> Labeller {
        self.classifier = Some(classifier.into());
        self
    }

    /// The line classifier.
    fn classifier(&self) -> &LineClassifier {
        match &self.classifier {
            Some(c) => c,
            None => &SHIPPED,
        }
    }

    /// The site model.
    pub fn model(&self) -> &SiteModel {
        &self.model
    }

    /// Label every line of `page`.
    pub fn label(&self, page: impl AsRef<[u8]>) -> Labelled {
        let mut out = Labelled::new();
        self.label_into(page, &mut out);
        out
    }

    /// Label every line of `page` into `out`, replacing what it held and
    /// reusing its buffers: label many pages with one [`Labelled`] (as
    /// csv's `read_byte_record` reuses one record).
    pub fn label_into(&self, page: impl AsRef<[u8]>, out: &mut Labelled) {
        let page = page.as_ref();
        out.page.clear();
        out.page.extend_from_slice(page);
        let info = analyze(
            page,
            &mut out.folded,
            needs_keys(&self.model),
            self.classifier().six().is_some(),
        );
        out.lines = decide(Some(&self.model), self.classifier(), &info, false).lines;
    }

    /// The classifier's first- and second-stage inputs for each line of a
    /// page that the classifier sees (`None` for blank and template lines);
    /// the second stage is computed with this labeller's first stage.
    #[cfg(feature = "train")]
    #[allow(clippy::type_complexity)]
    fn classifier_inputs(&self, page: &[u8]) -> Vec<Option<(Vec<f32>, Vec<f32>)>> {
        let info = analyze(
            page,
            &mut Folded::default(),
            needs_keys(&self.model),
            self.classifier().six().is_some(),
        );
        let d = decide(Some(&self.model), self.classifier(), &info, false);
        let stage2 = self.classifier().stage2_inputs(&info, &d.features);
        (0..info.lines.len())
            .map(|i| d.free[i].then(|| (d.features[i].to_vec(), stage2[i].to_vec())))
            .collect()
    }
}

/// Label a page with no site model: cues and line features only, as
/// [`Labeller::default`] does.
///
/// Use this for pages whose site has no other pages in the dump.
pub fn label(page: impl AsRef<[u8]>) -> Labelled {
    Labeller::default().label(page)
}

/// The classifier's first- and second-stage inputs for each line of a page
/// that the classifier sees (`None` for blank and template lines); the
/// second stage is computed with `classifier`'s first stage. For the
/// training tool (`examples/train`, feature `train`); not part of the
/// stable API.
#[cfg(feature = "train")]
#[doc(hidden)]
#[allow(clippy::type_complexity)]
pub fn __classifier_inputs(
    model: Option<&SiteModel>,
    classifier: &LineClassifier,
    page: &[u8],
) -> Vec<Option<(Vec<f32>, Vec<f32>)>> {
    Labeller::new(model.cloned().unwrap_or_default())
        .with_classifier(classifier.clone())
        .classifier_inputs(page)
}

/// The six-class model's inputs of every non-blank line of a page (rows of
/// the non-blank lines in order), the rules' label of each, and the folded
/// word hashes the word model reads, computed with `classifier`'s body
/// classifier (and its word model, if it has a six-class model). For the
/// training tool (`examples/train`, feature `train`); not part of the
/// stable API.
#[cfg(feature = "train")]
#[doc(hidden)]
#[allow(clippy::type_complexity)]
pub fn __six_inputs(
    model: &SiteModel,
    classifier: &LineClassifier,
    page: &[u8],
) -> (Vec<Vec<f32>>, Vec<Label>, Vec<Vec<u64>>) {
    let info = analyze(page, &mut Folded::default(), needs_keys(model), true);
    let d = decide(Some(model), classifier, &info, true);
    let (nb, xs) = d.six_inputs.unwrap_or_default();
    let rules = nb.iter().map(|&i| d.lines[i].label).collect();
    let words = nb
        .iter()
        .map(|&i| crate::six::line_words(&info, i).to_vec())
        .collect();
    (xs.iter().map(|x| x.to_vec()).collect(), rules, words)
}

/// Whether labelling with `model` needs the lines' prefix and suffix keys:
/// only a model with frequent prefixes or suffixes can match a slotted
/// template (`slot_split` finds nothing in empty maps).
fn needs_keys(model: &SiteModel) -> bool {
    !(model.prefixes.is_empty() && model.suffixes.is_empty())
}

/// The labelled lines of one page, from [`Labeller::label`] or [`label`]:
/// a container that owns a copy of the page.
///
/// [`iter`](Labelled::iter) gives its [`LabelledLine`]s; it also offers the
/// page's [`segments`](Labelled::segments), [`body_text`](Labelled::body_text)
/// and [`counts`](Labelled::counts). [`Labeller::label_into`] refills one
/// `Labelled` page after page without allocating it anew.
///
/// ```
/// use dechaff::Label;
///
/// // The <title> line first, then a menu, the article, a footer.
/// let page = "Budget approved - The Daily Example\n- News\n- Sport\n- Weather\n\
///     By Jane Doe, 12 May 2025\n\
///     The council approved the new budget on Tuesday, after a long debate about schools and roads that lasted well into the evening.\n\
///     Most of the extra money will go to the repair of primary schools, the mayor said, and the rest to the ring road.\n\
///     Share this article\n- Contact\n- Imprint\n\
///     Copyright 2025 The Daily Example. All rights reserved.\n";
/// let labelled = dechaff::label(page);
/// assert_eq!(labelled.len(), 11);
/// assert!(labelled.body_text().starts_with("The council approved"));
/// assert!(labelled.body_text().ends_with("to the ring road."));
/// let labels: Vec<Label> = labelled.iter().map(|l| l.label()).collect();
/// assert_eq!(labels[0], Label::Other); // the title line
/// assert_eq!(labels[1], Label::Navigation);
/// assert_eq!(labels[10], Label::Other);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Labelled {
    page: Vec<u8>,
    lines: Vec<Decided>,
    /// Folding scratch, reused by [`Labeller::label_into`].
    folded: Folded,
}

impl Labelled {
    /// An empty container (no lines), to fill with [`Labeller::label_into`].
    pub fn new() -> Labelled {
        Labelled::default()
    }

    /// The page.
    pub fn page(&self) -> &[u8] {
        &self.page
    }

    /// Number of lines of the page (blank ones included).
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether the page has no lines.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The labelled line `i`.
    pub fn get(&self, i: usize) -> Option<LabelledLine<'_>> {
        Some(self.line(i, self.lines.get(i)?))
    }

    /// The labelled lines, in page order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = LabelledLine<'_>> + '_ {
        self.lines.iter().enumerate().map(|(i, d)| self.line(i, d))
    }

    fn line<'a>(&'a self, index: usize, d: &Decided) -> LabelledLine<'a> {
        LabelledLine {
            bytes: &self.page[d.span.range()],
            span: d.span,
            terminator: d.terminator,
            index,
            label: d.label,
            reason: d.reason,
        }
    }

    /// Runs of consecutive lines with one label. Blank lines join the run
    /// of the line before them.
    pub fn segments(&self) -> impl Iterator<Item = Segment<'_>> + '_ {
        let mut i = 0;
        std::iter::from_fn(move || {
            let first = i;
            let d = self.lines.get(first)?;
            let mut last = first;
            while let Some(n) = self.lines.get(last + 1) {
                if n.label != d.label {
                    break;
                }
                last += 1;
            }
            i = last + 1;
            let span = Span {
                start: d.span.start,
                end: self.lines[last].span.end,
            };
            Some(Segment {
                page: &self.page,
                label: d.label,
                span,
                first,
                last,
            })
        })
    }

    /// The body: every non-blank `body` line, joined by `\n`, invalid UTF-8
    /// replaced by U+FFFD.
    pub fn body_text(&self) -> String {
        let mut out = String::new();
        for d in &self.lines {
            if d.label == Label::Body && !matches!(d.reason, Reason::Blank) {
                if !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(&String::from_utf8_lossy(&self.page[d.span.range()]));
            }
        }
        out
    }

    /// Number of non-blank lines per label, indexed by [`Label::index`].
    pub fn counts(&self) -> [usize; 6] {
        let mut c = [0; 6];
        for d in &self.lines {
            if !matches!(d.reason, Reason::Blank) {
                c[d.label.index()] += 1;
            }
        }
        c
    }
}

/// Whether a line looks like a menu entry or link: short, no sentence end.
fn link_like(l: &LineInfo) -> bool {
    l.words <= LINK_MAX_WORDS && !l.terminal
}

/// The role of a boilerplate line: its own cue's label, else its shape's.
fn cue_or_shape(l: &LineInfo) -> Label {
    l.cues
        .role()
        .map_or_else(|| shape_role(l), |c| LEXICON.cue(c).label)
}

/// The boilerplate label with most votes (ties go to the earlier label), if
/// any has a vote.
fn most_voted(votes: &[u32; 6]) -> Option<Label> {
    top_boilerplate(votes)
}

/// The default role of a boilerplate line without cue or region.
pub(crate) fn shape_role(l: &LineInfo) -> Label {
    if l.date || l.byline {
        Label::Other
    } else if l.list_item || link_like(l) || l.separators > 0 {
        Label::Navigation
    } else {
        Label::Other
    }
}

/// What [`decide`] found out about a page.
struct Decision {
    lines: Vec<Decided>,
    /// The classifier's first-stage inputs of every line.
    #[cfg_attr(not(feature = "train"), allow(dead_code))] // for the trainer
    features: Vec<[f32; N_FEATURES]>,
    /// Whether the classifier saw the line (non-blank, not a template).
    #[cfg_attr(not(feature = "train"), allow(dead_code))] // for the trainer
    free: Vec<bool>,
    /// The non-blank lines and their six-class inputs, when asked for.
    #[cfg_attr(not(feature = "train"), allow(dead_code))] // for the trainer
    six_inputs: Option<(Vec<usize>, Vec<[f32; N_SIX]>)>,
}

/// The template each line matches (with its anchor, if it has one), and
/// which lines a template decided.
type Matches<'m> = (Vec<Option<(Match, &'m Anchor)>>, Vec<bool>);

/// The boilerplate region's label of each line (and the template that
/// opens it), and the context the classifier sees.
type Regions = (Vec<Option<(Label, TemplateId)>>, Vec<Context>);

/// Label every line of an analysed page: the rules (templates, regions,
/// cues, title, the body classifier and shape, list runs, comment
/// sections), then the six-class model over all of that, if the classifier
/// has one. `want_six_inputs` keeps the rules' labels and returns the
/// six-class inputs instead (for the trainer).
fn decide(
    model: Option<&SiteModel>,
    classifier: &LineClassifier,
    info: &PageInfo,
    want_six_inputs: bool,
) -> Decision {
    let mut out: Vec<Decided> = info
        .lines
        .iter()
        .map(|l| Decided {
            span: l.span,
            terminator: (l.full.end - l.span.end) as u8,
            label: Label::Body,
            reason: Reason::Blank,
        })
        .collect();
    // 1. Templates.
    let (matches, decided) = match_templates(model, info, &mut out);
    // 2. Regions: runs of free lines between anchors.
    let (region, ctx) = regions(model, info, &matches, &decided);
    // 3. Free lines: cues, title, region, features.
    let features = page_features(info, &ctx, model.is_some_and(|m| m.pages >= 2));
    let scores = classifier.scores(info, &features);
    label_free_lines(info, &decided, &region, &scores, &mut out);
    // 4. Runs of list items in boilerplate agree on one role.
    agree_in_lists(info, &mut out);
    // 5. Boilerplate inside a comment section belongs to it.
    comment_sections(info, &mut out);
    // 6. The six-class model decides from all of the above.
    let mut six_inputs = None;
    if classifier.six().is_some() || want_six_inputs {
        let evidence = Evidence {
            info,
            features: &features,
            scores: &scores,
            matches: &matches,
            region: &region,
            site_pages: model.map_or(1, |m| m.pages),
            words: classifier.six().map(|s| s.words()),
            // The trainer gets every row.
            force: classifier
                .six()
                .filter(|_| !want_six_inputs)
                .map_or_else(Force::default, |s| s.force()),
        };
        let (nb, lines) = evidence.lines(&out);
        let page = evidence.page(&nb, &lines);
        if want_six_inputs {
            six_inputs = Some((nb.clone(), six_features(&page)));
        } else if let Some(six) = classifier.six() {
            relabel(six, &page, &nb, &lines, &mut out);
        }
    }
    fill_blank_lines(info, &mut out);
    let free = (0..info.lines.len())
        .map(|i| !info.lines[i].blank && !decided[i])
        .collect();
    Decision {
        lines: out,
        features,
        free,
        six_inputs,
    }
}

/// Match every line against the site's templates; a template line takes
/// its template's role (or, without an anchor, its own cue's or shape's).
fn match_templates<'m>(
    model: Option<&'m SiteModel>,
    info: &PageInfo,
    out: &mut [Decided],
) -> Matches<'m> {
    let n = info.lines.len();
    let mut matches: Vec<Option<(Match, &'m Anchor)>> = vec![None; n];
    let mut decided = vec![false; n];
    let Some(m) = model else {
        return (matches, decided);
    };
    for i in 0..n {
        let Some(t) = match_template(m, info, i) else {
            continue;
        };
        out[i].reason = template_reason(t);
        decided[i] = true;
        let Some(anchor) = m.anchors.get(&t.id()) else {
            // A template without an anchor (a slot id the sample never
            // saw, or a line that crossed the threshold in a merge):
            // role from its own cues or shape.
            out[i].label = cue_or_shape(&info.lines[i]);
            continue;
        };
        matches[i] = Some((t, anchor));
        out[i].label = anchor.role;
    }
    (matches, decided)
}

/// The boilerplate regions between the page's region-framing templates,
/// and the context (template, region probability) of every line.
fn regions(
    model: Option<&SiteModel>,
    info: &PageInfo,
    matches: &[Option<(Match, &Anchor)>],
    decided: &[bool],
) -> Regions {
    let n = info.lines.len();
    let mut region: Vec<Option<(Label, TemplateId)>> = vec![None; n];
    let mut ctx: Vec<Context> = decided
        .iter()
        .map(|&template| Context {
            template,
            region: None,
        })
        .collect();
    if model.is_none() {
        return (region, ctx);
    }
    for_each_gap(
        n,
        |i| matches[i].filter(|m| m.1.frames),
        |start, end, opening, closing| {
            let Some(p) = boiler_probability(opening.map(|m| m.1), closing.map(|m| m.1)) else {
                return;
            };
            for j in start..end {
                ctx[j].region = Some(p);
                if p >= REGION_MIN_PROBABILITY {
                    let (t, o) = opening
                        .or(closing)
                        .expect("a gap with statistics has an anchor");
                    region[j] = Some((region_role(o), TemplateId(t.id())));
                }
            }
        },
    );
    (region, ctx)
}

/// Label the lines no template decided: a decisive cue, a repeat of the
/// title line, a boilerplate region, else the body score and the line's
/// cue or shape.
fn label_free_lines(
    info: &PageInfo,
    decided: &[bool],
    region: &[Option<(Label, TemplateId)>],
    scores: &[f32],
    out: &mut [Decided],
) {
    let lex = &*LEXICON;
    let title = info.lines.iter().position(|l| !l.blank);
    for (i, l) in info.lines.iter().enumerate() {
        if l.blank || decided[i] {
            continue;
        }
        let s = scores[i];
        if let Some(c) = l.cues.decisive() {
            if l.cues.line.is_some() || l.words <= CUE_MAX_WORDS || s < 0.0 {
                out[i].label = lex.cue(c).label;
                out[i].reason = Reason::Cue {
                    phrase: &lex.cue(c).phrase,
                };
                continue;
            }
        }
        if Some(i) != title
            && title.is_some_and(|t| info.lines[t].fp == l.fp && l.folded_words >= TITLE_MIN_WORDS)
        {
            out[i].label = Label::Other;
            out[i].reason = Reason::Title;
            continue;
        }
        let cue_role = l.cues.role();
        if let Some((label, after)) = region[i].filter(|_| {
            l.list_item
                || (l.words < REGION_MAX_WORDS && s < REGION_MAX_SCORE)
                || l.cues.decisive().is_some()
        }) {
            out[i].label = match cue_role {
                Some(c) => lex.cue(c).label,
                None if Some(i) == title => Label::Other,
                None => label,
            };
            out[i].reason = Reason::Region { after };
            continue;
        }
        out[i].label = if s > 0.0 {
            Label::Body
        } else if Some(i) == title && cue_role.is_none() {
            Label::Other // the page's <title> line, as HTML-to-text steps print it first
        } else {
            cue_or_shape(l)
        };
        out[i].reason = Reason::Features { score: s };
    }
}

/// Blank lines take the label of the line before them (those at the top of
/// the page, of the first non-blank line).
fn fill_blank_lines(info: &PageInfo, out: &mut [Decided]) {
    let mut last = None;
    for (d, l) in out.iter_mut().zip(&info.lines) {
        if l.blank {
            if let Some(label) = last {
                d.label = label;
            }
        } else {
            last = Some(d.label);
        }
    }
    if let Some(first) = info.lines.iter().position(|l| !l.blank) {
        let label = out[first].label;
        for d in &mut out[..first] {
            d.label = label;
        }
    }
}

/// What the rules found out about a page, for the six-class model.
struct Evidence<'a, 'm> {
    info: &'a PageInfo,
    features: &'a [[f32; N_FEATURES]],
    scores: &'a [f32],
    matches: &'a [Option<(Match, &'m Anchor)>],
    region: &'a [Option<(Label, TemplateId)>],
    site_pages: u32,
    words: Option<&'a WordModel>,
    /// The rules whose lines get no row: the six-class model's when
    /// labelling, none for the trainer.
    force: Force,
}

impl<'a, 'm> Evidence<'a, 'm> {
    /// The non-blank lines' indices and evidence.
    fn lines(&self, out: &[Decided]) -> (Vec<usize>, Vec<LineEvidence<'m>>) {
        let nb: Vec<usize> = (0..out.len())
            .filter(|&i| !self.info.lines[i].blank)
            .collect();
        let evidence: Vec<LineEvidence<'m>> = nb
            .iter()
            .map(|&i| LineEvidence {
                rule: out[i].label,
                how: match out[i].reason {
                    Reason::Template { .. } => How::Template,
                    Reason::SlottedTemplate { .. } => How::Slotted,
                    Reason::Region { .. } => How::Region,
                    Reason::Cue { .. } => How::Cue,
                    Reason::Title => How::Title,
                    Reason::Context => How::Context,
                    _ => How::Features,
                },
                anchor: self.matches[i].map(|m| m.1),
                region: self.region[i].map(|r| r.0),
                phrase_cue: phrase_cue(&self.info.lines[i]),
            })
            .collect();
        (nb, evidence)
    }

    /// What the six-class features read, for the non-blank lines `nb` and
    /// their `evidence`.
    fn page<'p>(&'p self, nb: &'p [usize], evidence: &'p [LineEvidence<'m>]) -> SixPage<'p, 'm> {
        SixPage::new(
            self.info,
            nb,
            self.features,
            self.scores,
            evidence,
            self.site_pages,
            self.words,
            self.force,
        )
    }
}

/// Whether a line's decisive cue is a phrase with more words around it.
fn phrase_cue(l: &LineInfo) -> bool {
    l.cues.line.is_none()
        && l.cues
            .decisive()
            .is_some_and(|c| LEXICON.within(c, l.folded_words))
}

/// Label the non-blank lines `nb` by the six-class model's best sequence,
/// but for the rules the model keeps (see [`SixModel::force`]) and the
/// lines where it does not prefer its label to the rules' by
/// [`SixModel::margin`]; a line
/// whose label changes gets [`Reason::Sequence`].
fn relabel(
    six: &SixModel,
    page: &SixPage<'_, '_>,
    nb: &[usize],
    evidence: &[LineEvidence<'_>],
    out: &mut [Decided],
) {
    let force = six.force();
    let scores = six.scores(page);
    let decoded = six.decode_logp(&scores.logp);
    let job_box = force.job_box(evidence);
    for ((((&i, (label, logp)), e), z), in_job_box) in nb
        .iter()
        .zip(decoded)
        .zip(evidence)
        .zip(&scores.logits)
        .zip(job_box)
    {
        if in_job_box && !force.keeps(e) {
            out[i].label = Label::JobAd;
            out[i].reason = Reason::Context;
            continue;
        }
        // The model overrules the rules only where it prefers its label
        // by the margin (in log-probability: the logits' difference).
        let sure = z[label.index()] - z[e.rule.index()] >= six.margin();
        if out[i].label != label && !force.keeps(e) && sure {
            out[i].label = label;
            out[i].reason = Reason::Sequence {
                probability: logp.exp(),
            };
        }
    }
}

/// How likely the free lines between two anchors are boilerplate, from the
/// region statistics of the anchors, or `None` without evidence.
fn boiler_probability(opening: Option<&Anchor>, closing: Option<&Anchor>) -> Option<f32> {
    let after = opening.map(|a| a.after).unwrap_or_default();
    let before = closing.map(|a| a.before).unwrap_or_default();
    let body = (after[0] + before[0]) as f32;
    let boiler = (after[1] + before[1]) as f32;
    if body + boiler == 0.0 {
        return None;
    }
    Some(boiler / (body + boiler))
}

/// The label of a boilerplate region opened by `anchor`.
fn region_role(anchor: &Anchor) -> Label {
    most_voted(&anchor.region).unwrap_or(anchor.role)
}

/// A comment section opens at a line with a decisive comment cue (`Leave a
/// Reply`, `12 Comments`) or a comment template, and closes at the next line
/// decided for another boilerplate label by a cue or template. Inside it,
/// boilerplate lines whose label came from their shape alone (names, dates,
/// `Reply` links, vote counts) are `comment_policy`.
fn comment_sections(info: &PageInfo, out: &mut [Decided]) {
    let lex = &*LEXICON;
    let mut open = false;
    for (i, l) in info.lines.iter().enumerate() {
        if l.blank {
            continue;
        }
        // Lines whose label a cue of their own decided open or close the
        // section; a template counts when its own text carries a cue.
        let decided_by = match out[i].reason {
            Reason::Template { .. } | Reason::SlottedTemplate { .. } => {
                l.cues.role().map(|_| out[i].label)
            }
            _ => l.cues.decisive().map(|c| lex.cue(c).label),
        };
        match decided_by {
            Some(Label::CommentPolicy) => open = true,
            Some(Label::Body) | None => {}
            Some(_) => open = false,
        }
        // Lines labelled by shape, region or neighbours (templates without a
        // cue of their own included: `vor 2 Stunden`, a reply link).
        let from_shape = l.cues.role().is_none()
            && matches!(
                out[i].reason,
                Reason::Features { .. }
                    | Reason::Region { .. }
                    | Reason::Context
                    | Reason::Template { .. }
                    | Reason::SlottedTemplate { .. }
            );
        if open && from_shape && out[i].label != Label::Body {
            out[i].label = Label::CommentPolicy;
            out[i].reason = Reason::Context;
        }
    }
}

/// In a run of adjacent boilerplate list items, lines whose role came only
/// from their shape or region take the role most of the run's cue- and
/// template-decided lines have.
fn agree_in_lists(info: &PageInfo, out: &mut [Decided]) {
    let n = out.len();
    let mut i = 0;
    while i < n {
        let in_run = |j: usize| info.lines[j].list_item && out[j].label != Label::Body;
        if !in_run(i) {
            i += 1;
            continue;
        }
        let mut end = i;
        while end + 1 < n && in_run(end + 1) {
            end += 1;
        }
        let mut votes = [0u32; 6];
        for j in i..=end {
            if let Some(c) = info.lines[j].cues.role() {
                votes[LEXICON.cue(c).label.index()] += 1;
            } else if let Reason::Template { .. } | Reason::SlottedTemplate { .. } = out[j].reason {
                votes[out[j].label.index()] += 1;
            }
        }
        // One "We're hiring" link does not make a whole menu a job box.
        let agreed =
            most_voted(&votes).filter(|l| LIST_QUORUM * votes[l.index()] as usize > end - i);
        if let Some(best) = agreed {
            for (d, l) in out[i..=end].iter_mut().zip(&info.lines[i..=end]) {
                let own_cue = l.cues.role().is_some();
                if let (false, Reason::Region { .. } | Reason::Features { .. } | Reason::Context) =
                    (own_cue, d.reason)
                {
                    d.label = best;
                }
            }
        }
        i = end + 1;
    }
}
