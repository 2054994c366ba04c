//! The six-class line model: per line, a score for each of the six labels
//! from boosted trees over the line's evidence (its shape, its body score,
//! its cues, the template and region it sits in, the rule-based label and
//! the labels and cues around it), and a Viterbi pass over the page with
//! learned transition scores, so that labels come in runs that start and
//! end where their content does. The weights are data (`six.tsv`), fitted
//! by `examples/train` (see DESIGN.md, section 5).

use std::sync::LazyLock;

use crate::{
    analyze::{PageInfo, HEADLINE_MAX_WORDS},
    cues::LEXICON,
    error::{Error, ErrorKind, Result},
    labels::Label,
    marks::Marks,
    template::{Anchor, RoleSource},
    trees::{FlatTree, Node, Transposed, LANES, ROWS},
    vector::{FEATURE_NAMES, N_FEATURES, N_PLAIN},
};

/// Features of the six-class model before its own: the body classifier's
/// plain (not binned) features, by the same names.
const N_SHARED: usize = N_PLAIN;

/// How the rule-based pass decided a line (see [`LineEvidence::how`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum How {
    /// An exact template of the site.
    Template,
    /// A slotted template.
    Slotted,
    /// A boilerplate region between templates.
    Region,
    /// A decisive cue of the line.
    Cue,
    /// The line repeats the page's title line.
    Title,
    /// The lines around it (list runs, comment sections).
    Context,
    /// The body classifier and the line's shape.
    Features,
}

/// What the rule-based pass knows about one non-blank line.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LineEvidence<'m> {
    /// The label the rules gave it.
    pub(crate) rule: Label,
    pub(crate) how: How,
    /// The template it matches, if the template has an anchor.
    pub(crate) anchor: Option<&'m Anchor>,
    /// The label of the boilerplate region it lies in.
    pub(crate) region: Option<Label>,
    /// Its decisive cue is a phrase inside it with more words around it
    /// (a `strong` or `pattern` cue), not the whole line.
    pub(crate) phrase_cue: bool,
}

/// Names of the six-class model's features, in vector order.
pub(crate) static SIX_NAMES: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut names: Vec<String> = FEATURE_NAMES[..N_SHARED]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let labels = |prefix: &str, from: usize| -> Vec<String> {
        Label::ALL[from..]
            .iter()
            .map(|l| format!("{prefix}_{}", l.as_str()))
            .collect()
    };
    names.push("body_score".into());
    names.extend(labels("rule", 0));
    for how in ["template", "slotted", "region", "cue", "title", "context"] {
        names.push(format!("by_{how}"));
    }
    names.extend(labels("template_role", 1));
    names.push("template_role_by_cue".into());
    names.push("template_role_by_neighbours".into());
    names.push("template_share".into());
    names.extend(labels("line_cue", 1));
    names.extend(labels("strong_cue", 1));
    names.extend(labels("weak_cue", 1));
    names.extend(labels("region", 1));
    names.extend(labels("near_rule", 0));
    names.extend(labels("far_rule", 0));
    names.extend(labels("cue_before", 1));
    names.push("since_comment_cue".into());
    names.push("since_job_cue".into());
    names.push("near_score".into());
    names.push("far_score".into());
    names.push("prev_score".into());
    names.push("next_score".into());
    names.push("list_run".into());
    for (name, _) in Marks::ALL {
        names.push(format!("mark_{name}"));
    }
    names.extend(labels("words", 0));
    names.extend(labels("near_words", 0));
    assert_eq!(names.len(), N_SIX, "six-class feature names");
    names
});

/// Number of the six-class model's features.
pub(crate) const N_SIX: usize = 126;
const _: () = assert!(N_SIX <= ROWS, "a block holds every feature");

/// Lines on each side of the near window (rule labels, body scores, word
/// scores).
const NEAR: usize = 2;

/// [`NEAR`], for the trainer, which averages the word scores of the same
/// lines out of fold.
#[doc(hidden)]
pub const __NEAR: usize = NEAR;
/// Lines on each side of the far window.
const FAR: usize = 6;
/// Lines before a line in which a decisive cue counts as near.
const CUE_REACH: usize = 3;
/// Distance feature of a line with no cue of the kind above it: as far as
/// `e^5 - 1` lines.
const NO_CUE_DISTANCE: f32 = 5.0;
/// Body scores are clamped to this magnitude before they are averaged.
const SCORE_CLAMP: f32 = 8.0;

/// Feature vectors of the non-blank lines of a page, in order (for the
/// trainer; labelling writes only the rows the model reads, straight into
/// the trees' blocks: [`SixModel::logits`]).
pub(crate) fn six_features(page: &SixPage<'_, '_>) -> Vec<[f32; N_SIX]> {
    let mut out = vec![[0f32; N_SIX]; page.len()];
    let mut since = Since::default();
    for (k, row) in out.iter_mut().enumerate() {
        page.write(k, &since, row);
        since.pass(k, page.cue[k]);
    }
    out
}

/// What the six-class features of a page's non-blank lines read, gathered
/// once per page: each row is then written on its own ([`SixPage::write`]),
/// so that lines whose label is settled cost nothing.
pub(crate) struct SixPage<'a, 'm> {
    info: &'a PageInfo,
    /// Indices of the non-blank lines in `info.lines`.
    nb: &'a [usize],
    /// The body classifier's features, indexed by line.
    features: &'a [[f32; N_FEATURES]],
    /// The rule-based pass's evidence, indexed like `nb`.
    evidence: &'a [LineEvidence<'m>],
    site_pages: u32,
    /// The word model's scores of each line with words kept that some
    /// written row reads, indexed like `nb` (empty without a word model).
    word_scores: Vec<Option<[f32; 6]>>,
    /// The rules whose lines get no row (see [`SixPage::new`]).
    force: Force,
    /// Whether each line's row is written: the rules of `force` leave its
    /// label to the model.
    written: Vec<bool>,
    /// Clamped body scores, indexed like `nb`.
    score: Vec<f32>,
    /// The label of each line's decisive cue.
    cue: Vec<Option<Label>>,
    /// The `list_run` feature of each line (see [`list_runs`]).
    list_run: Vec<f32>,
    /// `rules_before[k][l]`: lines before the `k`-th whose rule label is
    /// `l` (one entry more than lines), so that a window's label counts are
    /// two lookups.
    rules_before: Vec<[u32; 6]>,
}

impl<'a, 'm> SixPage<'a, 'm> {
    /// `nb` are the indices of the non-blank lines in `info.lines`;
    /// `features` and `scores` are the body classifier's (indexed by line),
    /// `evidence` the rule-based pass's (indexed like `nb`). `force`: the
    /// rules whose lines [`SixModel::scores`] gives no row, so that word
    /// scores are computed only where a written row reads them (its own
    /// line and [`NEAR`] lines around it); `Force::default()` forces
    /// nothing (the trainer's [`six_features`] writes every row).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        info: &'a PageInfo,
        nb: &'a [usize],
        features: &'a [[f32; N_FEATURES]],
        scores: &[f32],
        evidence: &'a [LineEvidence<'m>],
        site_pages: u32,
        words: Option<&'a WordModel>,
        force: Force,
    ) -> SixPage<'a, 'm> {
        let lex = &*LEXICON;
        let m = nb.len();
        let written: Vec<bool> = evidence.iter().map(|e| !force.keeps(e)).collect();
        let score = nb
            .iter()
            .map(|&i| scores[i].clamp(-SCORE_CLAMP, SCORE_CLAMP))
            .collect();
        let cue = nb
            .iter()
            .map(|&i| info.lines[i].cues.decisive().map(|c| lex.cue(c).label))
            .collect();
        let mut rules_before = Vec::with_capacity(nb.len() + 1);
        let mut counts = [0u32; 6];
        rules_before.push(counts);
        for e in evidence {
            counts[e.rule.index()] += 1;
            rules_before.push(counts);
        }
        SixPage {
            info,
            nb,
            features,
            evidence,
            site_pages,
            word_scores: words.map_or_else(Vec::new, |w| {
                // Written rows among lines `k - NEAR ..= k + NEAR`, slid
                // down the page.
                let mut near = written[..NEAR.min(m)].iter().filter(|&&x| x).count();
                (0..m)
                    .map(|k| {
                        near += written.get(k + NEAR).map_or(0, |&x| x as usize);
                        if k > NEAR {
                            near -= written[k - NEAR - 1] as usize;
                        }
                        let words = line_words(info, nb[k]);
                        (near > 0 && !words.is_empty()).then(|| w.scores(words))
                    })
                    .collect()
            }),
            force,
            written,
            score,
            cue,
            list_run: list_runs(info, nb),
            rules_before,
        }
    }

    /// Number of non-blank lines.
    pub(crate) fn len(&self) -> usize {
        self.nb.len()
    }

    /// The evidence of the `k`-th non-blank line.
    pub(crate) fn evidence(&self, k: usize) -> &LineEvidence<'m> {
        &self.evidence[k]
    }

    /// Write the features of the `k`-th non-blank line; `since` has passed
    /// the lines before it.
    fn write(&self, k: usize, since: &Since, out: &mut impl Sink) {
        let f = &mut Writer { out, at: 0 };
        let (info, nb, evidence, score) = (self.info, self.nb, self.evidence, &self.score);
        let (m, i) = (nb.len(), nb[k]);
        let lex = &*LEXICON;
        let l = &info.lines[i];
        let e = &evidence[k];
        f.slice(&self.features[i][..N_SHARED]);
        f.push(score[k]);
        f.one_hot(6, Some(e.rule.index()));
        let how = match e.how {
            How::Template => Some(0),
            How::Slotted => Some(1),
            How::Region => Some(2),
            How::Cue => Some(3),
            How::Title => Some(4),
            How::Context => Some(5),
            How::Features => None,
        };
        f.one_hot(6, how);
        f.one_hot5(e.anchor.map(|a| a.role));
        f.push(e.anchor.is_some_and(|a| a.role_source == RoleSource::Cue) as u8 as f32);
        f.push(
            e.anchor
                .is_some_and(|a| a.role_source == RoleSource::Neighbours) as u8 as f32,
        );
        f.push(e.anchor.map_or(0.0, |a| {
            (a.pages as f32 / self.site_pages.max(1) as f32).min(1.0)
        }));
        f.one_hot5(l.cues.line.map(|c| lex.cue(c).label));
        for counts in [&l.cues.strong, &l.cues.weak] {
            for &c in &counts[1..] {
                f.push(c.min(2) as f32 / 2.0);
            }
        }
        f.one_hot5(e.region);
        for reach in [NEAR, FAR] {
            let (lo, hi) = (k.saturating_sub(reach), (k + reach).min(m - 1));
            let (before, through) = (&self.rules_before[lo], &self.rules_before[hi + 1]);
            let mut share: [u32; 6] = std::array::from_fn(|l| through[l] - before[l]);
            share[e.rule.index()] -= 1; // not the line itself
            let n = (hi - lo).max(1) as f32;
            f.slice(&share.map(|s| s as f32 / n));
        }
        let mut seen = [0f32; 5];
        // Only cues above: a heading (`Stellenangebote`, `Anzeige`)
        // opens what follows it, and the line before a box is not in it.
        for c in self.cue[k.saturating_sub(CUE_REACH)..k]
            .iter()
            .flatten()
            .filter(|c| !c.is_body())
        {
            seen[c.index() - 1] = 1.0;
        }
        f.slice(&seen);
        let distance = |last: Option<usize>| {
            last.map_or(NO_CUE_DISTANCE, |p| {
                ((k - p) as f32).ln_1p().min(NO_CUE_DISTANCE)
            })
        };
        f.push(distance(since.comment));
        f.push(distance(since.job));
        for reach in [NEAR, FAR] {
            let (lo, hi) = (k.saturating_sub(reach), (k + reach).min(m - 1));
            let n = (hi - lo).max(1) as f32;
            f.push((score[lo..=hi].iter().sum::<f32>() - score[k]) / n);
        }
        f.push(k.checked_sub(1).map_or(0.0, |p| score[p]));
        f.push(score.get(k + 1).copied().unwrap_or(0.0));
        f.push(self.list_run[k]);
        for (_, mark) in Marks::ALL {
            f.push(l.marks.has(mark) as u8 as f32);
        }
        let word_scores = |k: usize| self.word_scores.get(k).copied().flatten();
        f.slice(&word_scores(k).unwrap_or([0.0; 6]));
        f.slice(&__near_mean(
            (k.saturating_sub(NEAR)..(k + NEAR + 1).min(m))
                .filter(|&j| j != k)
                .filter_map(word_scores),
        ));
        debug_assert_eq!(f.at, N_SIX);
    }
}

/// The mean of some lines' word-model scores (zeros for none), summed in
/// their order (the trainer calls it too, so that its rows hold exactly
/// what the crate computes).
#[doc(hidden)]
pub fn __near_mean(scores: impl Iterator<Item = [f32; 6]>) -> [f32; 6] {
    let (mut sum, mut n) = ([0f32; 6], 0u32);
    for s in scores {
        for (a, b) in sum.iter_mut().zip(s) {
            *a += b;
        }
        n += 1;
    }
    sum.map(|v| v / n.max(1) as f32)
}

/// The last lines above with a decisive comment and job cue, carried down
/// the page.
#[derive(Default)]
struct Since {
    comment: Option<usize>,
    job: Option<usize>,
}

impl Since {
    /// Step past the `k`-th non-blank line, whose decisive cue is `cue`.
    fn pass(&mut self, k: usize, cue: Option<Label>) {
        match cue {
            Some(Label::CommentPolicy) => self.comment = Some(k),
            Some(Label::JobAd) => self.job = Some(k),
            _ => {}
        }
    }
}

/// Most folded words of a line the word model reads: the lines whose
/// word hashes the analysis keeps (longer lines are running text, whose
/// label the other features settle).
const WORD_LINE_MAX: u32 = HEADLINE_MAX_WORDS as u32;

/// The folded word hashes of line `i`, if it is short enough to keep them.
pub(crate) fn line_words(info: &PageInfo, i: usize) -> &[u64] {
    let l = &info.lines[i];
    if l.folded_words == 0 || l.folded_words > WORD_LINE_MAX {
        return &[];
    }
    let at = l.word_hashes_at as usize;
    &info.word_hashes[at..at + l.folded_words as usize]
}

/// Buckets of the word model's hashed vocabulary.
pub(crate) const WORD_BUCKETS: usize = 1 << WORD_BITS;
/// 65,536 buckets: few enough collisions that single words keep their own
/// scores (held out, 4,096 buckets scored 0.022 lower in macro-F1; DESIGN.md
/// 5.2).
const WORD_BITS: u32 = 16;

/// The word model's bucket of a folded word's hash.
#[doc(hidden)]
pub fn __word_bucket(hash: u64) -> usize {
    (hash.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - WORD_BITS)) as usize
}

/// A learned lexicon: a multinomial logistic regression over the hashed
/// folded words of a short line, each word weighted `1 / sqrt(words)`. Its
/// six log-probabilities are features of the trees.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct WordModel {
    bias: [f32; 6],
    table: Vec<[f32; 6]>,
}

impl WordModel {
    /// Log-probabilities of the six labels for a line's words (all zero
    /// for a line without words kept).
    pub(crate) fn scores(&self, words: &[u64]) -> [f32; 6] {
        if words.is_empty() {
            return [0.0; 6];
        }
        let mut z = [0f32; 6];
        for &w in words {
            for (z, t) in z.iter_mut().zip(&self.table[__word_bucket(w)]) {
                *z += t;
            }
        }
        let scale = 1.0 / (words.len() as f32).sqrt();
        let z: [f32; 6] = std::array::from_fn(|c| self.bias[c] + z[c] * scale);
        log_softmax(&z)
    }
}

/// The `list_run` feature of each non-blank line: `ln(1 + n)` of the length
/// `n` of the run of list items it stands in (0 for a line that is not a
/// list item, `ln(1 + 0)`), computed once per run.
fn list_runs(info: &PageInfo, nb: &[usize]) -> Vec<f32> {
    let mut out = vec![0f32; nb.len()];
    let mut a = 0;
    while a < nb.len() {
        if !info.lines[nb[a]].list_item {
            a += 1;
            continue;
        }
        let b = (a..nb.len())
            .find(|&j| !info.lines[nb[j]].list_item)
            .unwrap_or(nb.len());
        out[a..b].fill(((b - a) as f32).ln_1p());
        a = b;
    }
    out
}

/// Where a feature vector goes: a row of its own, or one lane of a block
/// of transposed rows.
trait Sink {
    /// Set feature `j`.
    fn put(&mut self, j: usize, v: f32);
}

impl Sink for [f32; N_SIX] {
    #[inline(always)]
    fn put(&mut self, j: usize, v: f32) {
        self[j] = v;
    }
}

/// Lane `lane` of a block of [`LANES`] transposed rows (`xt[feature][lane]`).
struct Lane<'a> {
    xt: &'a mut Transposed,
    lane: usize,
}

impl Sink for Lane<'_> {
    #[inline(always)]
    fn put(&mut self, j: usize, v: f32) {
        self.xt.set(j, self.lane, v);
    }
}

/// Fills a feature vector front to back. Every slot is written, zeros
/// included, so a reused block needs no clearing.
struct Writer<'a, S> {
    out: &'a mut S,
    at: usize,
}

impl<S: Sink> Writer<'_, S> {
    #[inline(always)]
    fn push(&mut self, v: f32) {
        self.out.put(self.at, v);
        self.at += 1;
    }

    #[inline(always)]
    fn slice(&mut self, v: &[f32]) {
        for &x in v {
            self.push(x);
        }
    }

    /// `n` indicators, `which` of them set.
    #[inline(always)]
    fn one_hot(&mut self, n: usize, which: Option<usize>) {
        for j in 0..n {
            self.push((Some(j) == which) as u8 as f32);
        }
    }

    /// Indicators of the five boilerplate labels.
    #[inline(always)]
    fn one_hot5(&mut self, label: Option<Label>) {
        self.one_hot(5, label.filter(|l| !l.is_body()).map(|l| l.index() - 1));
    }
}

/// Rules whose labels the model does not overrule, as bits: each must earn
/// its place in the held-out figures (`examples/train` measures them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Force(u8);

impl Force {
    /// A template whose role a cue in its own text decided.
    const TEMPLATE_CUE: u8 = 1;
    /// Any template with a learned role.
    const TEMPLATE: u8 = 2;
    /// A line in a boilerplate region.
    const REGION: u8 = 4;
    /// A line with a decisive cue of its own.
    const CUE: u8 = 8;
    /// A job ad by a phrase inside the line (a vacancy's `(m/w/d)`): the
    /// policy labels a vacancy job_ad wherever it stands, and job ads are
    /// too rare in the training pages for the trees to learn that.
    const JOB_PHRASE: u8 = 16;
    /// A line between two such vacancies, a few lines apart: the employer
    /// or place line of a job listing (the policy labels every line of a
    /// listing job_ad).
    const JOB_BOX: u8 = 32;

    const NAMES: [(&'static str, u8); 6] = [
        ("template_cue", Force::TEMPLATE_CUE),
        ("template", Force::TEMPLATE),
        ("region", Force::REGION),
        ("cue", Force::CUE),
        ("job_phrase", Force::JOB_PHRASE),
        ("job_box", Force::JOB_BOX),
    ];

    /// Whether the rules' label of a line stands.
    pub(crate) fn keeps(self, e: &LineEvidence<'_>) -> bool {
        // The rules that would keep this line, as bits, against those on.
        let rules = match (e.how, e.anchor) {
            (How::Template | How::Slotted, Some(a)) if a.role_source == RoleSource::Cue => {
                Force::TEMPLATE | Force::TEMPLATE_CUE
            }
            (How::Template | How::Slotted, Some(_)) => Force::TEMPLATE,
            (How::Region, _) => Force::REGION,
            (How::Cue, _) if job_phrase(e) => Force::CUE | Force::JOB_PHRASE,
            (How::Cue, _) => Force::CUE,
            _ => 0,
        };
        self.0 & rules != 0
    }

    /// The lines of `evidence` that stand inside a job listing, when the
    /// `job_box` rule is on. A listing is a run of two or more vacancies
    /// (lines with a job phrase), each at most [`JOB_BOX_SPAN`] lines after
    /// the one before. It holds the lines between them; the rest of its
    /// last entry, when three or more vacancies stand at one stride (title
    /// and employer rows: the stride's other lines after the last one, up
    /// to a line the rules call body); and up to [`JOB_BOX_EDGE`] lines on
    /// each side that the rules made job ads by a cue (the box's heading,
    /// "all vacancies" links).
    pub(crate) fn job_box(self, evidence: &[LineEvidence<'_>]) -> Vec<bool> {
        let mut inside = vec![false; evidence.len()];
        if self.0 & Force::JOB_BOX == 0 {
            return inside;
        }
        let vacancies: Vec<usize> = (0..evidence.len())
            .filter(|&q| job_phrase(&evidence[q]))
            .collect();
        for listing in vacancies.chunk_by(|p, q| q - p <= JOB_BOX_SPAN) {
            let (&first, &last) = match listing {
                [first, .., last] => (first, last),
                _ => continue,
            };
            for pair in listing.windows(2) {
                inside[pair[0] + 1..pair[1]].fill(true);
            }
            let rest = last + 1..=(last + last_entry_rest(listing)).min(evidence.len() - 1);
            let mut end = last;
            for q in rest.take_while(|&q| evidence[q].rule != Label::Body) {
                inside[q] = true;
                end = q;
            }
            let cue_made =
                |q: &usize| evidence[*q].how == How::Cue && evidence[*q].rule == Label::JobAd;
            let before = (first.saturating_sub(JOB_BOX_EDGE)..first).rev();
            for q in before.take_while(cue_made) {
                inside[q] = true;
            }
            let after = end + 1..(end + 1 + JOB_BOX_EDGE).min(evidence.len());
            for q in after.take_while(cue_made) {
                inside[q] = true;
            }
        }
        inside
    }
}

/// Most lines from one vacancy to the next in a job listing: a title, an
/// employer and a place line, then the next title.
const JOB_BOX_SPAN: usize = 3;

/// Lines on each side of a job listing that may be its heading or its own
/// links: a heading and a subheading above, "all vacancies" and "post a
/// vacancy" below.
const JOB_BOX_EDGE: usize = 2;

/// Vacancies a listing needs before its stride counts: two gaps alike
/// make entries of that many rows; one gap may be a banner seen twice.
const STRIDE_VACANCIES: usize = 3;

/// Lines of a listing's last entry after its vacancy line: when at least
/// [`STRIDE_VACANCIES`] vacancies each stand the same number of lines
/// after the one before (title, employer, place rows), the entry's other
/// rows; otherwise none.
fn last_entry_rest(listing: &[usize]) -> usize {
    let stride = listing[1] - listing[0];
    if listing.len() >= STRIDE_VACANCIES && listing.windows(2).all(|w| w[1] - w[0] == stride) {
        stride - 1
    } else {
        0
    }
}

/// A job ad by a phrase inside a longer line (a vacancy's `(m/w/d)`).
fn job_phrase(e: &LineEvidence<'_>) -> bool {
    e.how == How::Cue && e.phrase_cue && e.rule == Label::JobAd
}

/// The six-class model: boosted trees (tree `t` adds to the score of label
/// `t % 6`), prior scores, and transition scores for the Viterbi pass.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SixModel {
    /// Which rules' labels stand whatever the model says (`force` rows).
    force: Force,
    /// The learned lexicon (`word_bias` and `word` rows).
    words: WordModel,
    /// How much more likely (in log-probability) the model must find its
    /// label than the rules' label to overrule the rules (`margin` row).
    margin: f32,
    /// Starting score of each label.
    prior: [f32; 6],
    /// `transition[a][b]`: score of a line labelled `b` after one labelled `a`.
    transition: [[f32; 6]; 6],
    trees: Vec<FlatTree>,
    /// The log-softmax of each rule label's forced logits, computed once.
    forced_logp: [[f32; 6]; 6],
}

static SHIPPED: LazyLock<SixModel> =
    LazyLock::new(|| SixModel::from_tsv(include_str!("six.tsv")).expect("shipped six.tsv parses"));

impl SixModel {
    /// The shipped model.
    pub(crate) fn shipped() -> &'static SixModel {
        &SHIPPED
    }

    /// Parse the model: `prior<TAB>6 scores`, six rows
    /// `transition<TAB>from<TAB>6 scores`, and `node` rows as in
    /// `weights.tsv` over the features of [`SIX_NAMES`]; `#` starts a
    /// comment.
    pub(crate) fn from_tsv(text: &str) -> Result<SixModel> {
        let bad = || Error::new(ErrorKind::InvalidWeights);
        let mut prior = None;
        let mut force = Force::default();
        let mut margin = 0.0;
        let mut words = WordModel {
            bias: [0.0; 6],
            table: vec![[0.0; 6]; WORD_BUCKETS],
        };
        let mut transition = [[f32::NAN; 6]; 6];
        let mut trees: Vec<Vec<Node>> = Vec::new();
        let six = |cols: &[&str]| -> Result<[f32; 6]> {
            let v: Vec<f32> = cols
                .iter()
                .map(|c| c.parse::<f32>().ok().filter(|v| v.is_finite()))
                .collect::<Option<_>>()
                .ok_or_else(bad)?;
            v.try_into().map_err(|_| bad())
        };
        for row in text.lines() {
            let row = row.trim();
            if row.is_empty() || row.starts_with('#') {
                continue;
            }
            let cols: Vec<&str> = row.split('\t').collect();
            match cols[0] {
                "prior" => prior = Some(six(&cols[1..])?),
                "word_bias" => words.bias = six(&cols[1..])?,
                "margin" => {
                    margin = cols
                        .get(1)
                        .and_then(|v| v.parse::<f32>().ok())
                        .filter(|v| v.is_finite())
                        .ok_or_else(bad)?
                }
                "word" => {
                    let bucket: usize = cols.get(1).ok_or_else(bad)?.parse().map_err(|_| bad())?;
                    *words.table.get_mut(bucket).ok_or_else(bad)? = six(&cols[2..])?;
                }
                "force" => {
                    for name in &cols[1..] {
                        let (_, bit) = Force::NAMES
                            .iter()
                            .find(|(n, _)| n == name)
                            .ok_or_else(bad)?;
                        force.0 |= bit;
                    }
                }
                "transition" => {
                    let from: Label = cols.get(1).ok_or_else(bad)?.parse().map_err(|_| bad())?;
                    transition[from.index()] = six(&cols[2..])?;
                }
                "node" => Node::parse_into(&cols[1..], feature_index, &mut trees)?,
                _ => return Err(bad()),
            }
        }
        if transition.iter().flatten().any(|v| v.is_nan()) || trees.len() % 6 != 0 {
            return Err(bad());
        }
        if !trees.iter().all(|t| Node::check_tree(t)) {
            return Err(bad());
        }
        let trees = trees
            .iter()
            .map(|t| FlatTree::new(t, 0))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(bad)?;
        Ok(SixModel {
            force,
            words,
            margin,
            prior: prior.ok_or_else(bad)?,
            transition,
            trees,
            forced_logp: std::array::from_fn(|r| log_softmax(&forced_logits(Label::ALL[r]))),
        })
    }

    /// The learned lexicon.
    pub(crate) fn words(&self) -> &WordModel {
        &self.words
    }

    /// The margin by which the model must prefer its label to the rules'.
    pub(crate) fn margin(&self) -> f32 {
        self.margin
    }

    /// The rules whose labels stand.
    pub(crate) fn force(&self) -> Force {
        self.force
    }

    /// Per-label scores (logits) and log-probabilities of a page's
    /// non-blank lines. The lines whose rule label stands
    /// ([`SixModel::force`]) get [`FORCED_OUT`] for every other label (the
    /// sequence runs through their label) and no features at all; the
    /// others' features are written straight into blocks of [`LANES`]
    /// transposed rows, which the trees score a block at a time.
    pub(crate) fn scores(&self, page: &SixPage<'_, '_>) -> Scores {
        debug_assert_eq!(page.force, self.force, "the page's rows are this model's");
        let m = page.len();
        let mut out = Scores {
            logits: vec![[0.0; 6]; m],
            logp: vec![[0.0; 6]; m],
        };
        let mut block = Block {
            xt: Transposed::ZERO,
            lines: [0; LANES],
            len: 0,
        };
        let mut since = Since::default();
        for k in 0..m {
            let e = page.evidence(k);
            if !page.written[k] {
                out.logits[k] = forced_logits(e.rule);
                out.logp[k] = self.forced_logp[e.rule.index()];
            } else {
                let lane = &mut Lane {
                    xt: &mut block.xt,
                    lane: block.len,
                };
                page.write(k, &since, lane);
                block.lines[block.len] = k;
                block.len += 1;
                if block.len == LANES {
                    self.score_block(&mut block, &mut out);
                }
            }
            since.pass(k, page.cue[k]);
        }
        self.score_block(&mut block, &mut out);
        out
    }

    /// Score the lines of a block and empty it.
    fn score_block(&self, block: &mut Block, out: &mut Scores) {
        if block.len == 0 {
            return;
        }
        let mut sums = [[0f32; LANES]; 6];
        add_trees(&self.trees, &block.xt, &mut sums, block.len);
        for (l, &k) in block.lines[..block.len].iter().enumerate() {
            let z: [f32; 6] = std::array::from_fn(|c| self.prior[c] + sums[c][l]);
            out.logits[k] = z;
            out.logp[k] = log_softmax(&z);
        }
        block.len = 0;
    }

    /// The best sequence of labels for the lines' scores: each line's
    /// log-probabilities plus the transition scores between neighbours,
    /// maximised over the whole page (Viterbi). Returns each line's label
    /// and its log-probability.
    #[cfg(test)]
    fn decode(&self, logits: &[[f32; 6]]) -> Vec<(Label, f32)> {
        let logp: Vec<[f32; 6]> = logits.iter().map(log_softmax).collect();
        self.decode_logp(&logp)
    }

    /// [`SixModel::decode`] from the lines' log-probabilities.
    pub(crate) fn decode_logp(&self, logp: &[[f32; 6]]) -> Vec<(Label, f32)> {
        let m = logp.len();
        if m == 0 {
            return Vec::new();
        }
        let mut back = vec![[0u8; 6]; m];
        let mut best = logp[0];
        for k in 1..m {
            let mut next = [0f32; 6];
            for b in 0..6 {
                let (from, s) = (0..6)
                    .map(|a| (a, best[a] + self.transition[a][b]))
                    .fold((0, f32::NEG_INFINITY), |x, y| if y.1 > x.1 { y } else { x });
                back[k][b] = from as u8;
                next[b] = s + logp[k][b];
            }
            best = next;
        }
        let mut label = (0..6).fold(0, |x, y| if best[y] > best[x] { y } else { x });
        let mut out = vec![(Label::Body, 0.0); m];
        for k in (0..m).rev() {
            out[k] = (Label::ALL[label], logp[k][label]);
            label = back[k][label] as usize;
        }
        out
    }
}

/// Add each tree's output for the first `lanes` lines of a block to the
/// sums of its label (tree `t` adds to label `t % 6`), tree by tree.
fn add_trees(trees: &[FlatTree], xt: &Transposed, sums: &mut [[f32; LANES]; 6], lanes: usize) {
    debug_assert_eq!(trees.len() % 6, 0, "whole rounds (from_tsv checks)");
    for round in trees.chunks_exact(6) {
        for (tree, sum) in round.iter().zip(sums.iter_mut()) {
            tree.add_to(xt, sum, lanes);
        }
    }
}

/// Score of the labels a forced line does not have: out of reach of any
/// transition score.
const FORCED_OUT: f32 = -50.0;

/// The logits of a line whose rule label stands.
fn forced_logits(rule: Label) -> [f32; 6] {
    let mut z = [FORCED_OUT; 6];
    z[rule.index()] = 0.0;
    z
}

/// The six-class model's scores of a page's non-blank lines.
pub(crate) struct Scores {
    /// Per-label scores.
    pub(crate) logits: Vec<[f32; 6]>,
    /// Their log-softmax.
    pub(crate) logp: Vec<[f32; 6]>,
}

/// Up to [`LANES`] lines' features, transposed (`xt[feature][lane]`), and
/// which non-blank line each lane holds.
struct Block {
    xt: Transposed,
    lines: [usize; LANES],
    len: usize,
}

fn log_softmax(z: &[f32; 6]) -> [f32; 6] {
    let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let sum: f32 = z.iter().map(|v| (v - max).exp()).sum();
    let log_sum = max + sum.ln();
    z.map(|v| v - log_sum)
}

fn feature_index(name: &str) -> Option<u16> {
    SIX_NAMES.iter().position(|n| n == name).map(|i| i as u16)
}

/// The six-class model's feature names, in vector order. For the training
/// tool (`examples/train`); not part of the stable API.
#[doc(hidden)]
pub fn __six_feature_names() -> &'static [String] {
    &SIX_NAMES
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        analyze::analyze,
        features::{page_features, Context, LineClassifier},
        fold::Folded,
    };

    /// The logits of one row of features, scored as a block of one line.
    fn row_logits(six: &SixModel, x: &[f32; N_SIX]) -> [f32; 6] {
        let mut xt = Transposed::ZERO;
        for (f, &v) in x.iter().enumerate() {
            xt.set(f, 0, v);
        }
        let mut sums = [[0f32; LANES]; 6];
        add_trees(&six.trees, &xt, &mut sums, 1);
        std::array::from_fn(|c| six.prior[c] + sums[c][0])
    }

    /// Lines of the test page below whose rule label is forced, in a run.
    const FORCED_RUN: std::ops::Range<usize> = 40..50;

    #[test]
    fn block_scores_are_those_of_the_trainers_rows() {
        // Enough lines for several blocks and a partial one, of varied
        // shapes; every seventh line's rule label is forced (a region), and
        // a run of lines long enough that the word scores of its middle
        // lines are read by no written row.
        let text: String = (0..3 * LANES + 5)
            .map(|i| match i % 5 {
                0 => format!("- Menu entry {i}\n"),
                1 => format!(
                    "The council met on day {i} and approved the budget, after a long debate.\n"
                ),
                2 => "Leave a Reply\n".to_string(),
                3 => format!("Senior editor {i} (m/w/d)\n\n"),
                _ => format!("Posted on {i} May 2024 by Anna\n"),
            })
            .collect();
        let info = analyze(text.as_bytes(), &mut Folded::default(), false, true);
        let ctx = vec![Context::default(); info.lines.len()];
        let features = page_features(&info, &ctx, false);
        let classifier = LineClassifier::shipped();
        let scores = classifier.scores(&info, &features);
        let nb: Vec<usize> = (0..info.lines.len())
            .filter(|&i| !info.lines[i].blank)
            .collect();
        let evidence: Vec<LineEvidence<'_>> = (0..nb.len())
            .map(|k| LineEvidence {
                rule: Label::ALL[k % 6],
                how: if k % 7 == 3 || FORCED_RUN.contains(&k) {
                    How::Region
                } else {
                    How::Features
                },
                anchor: None,
                region: None,
                phrase_cue: false,
            })
            .collect();
        let six = classifier.six().unwrap();
        let page = |force| {
            SixPage::new(
                &info,
                &nb,
                &features,
                &scores,
                &evidence,
                1,
                Some(six.words()),
                force,
            )
        };
        let rows = six_features(&page(Force::default()));
        // The page as labelling builds it: word scores only where a
        // written row reads them.
        let lazy = page(six.force());
        let got = six.scores(&lazy);
        let kept = |p: &SixPage<'_, '_>| p.word_scores.iter().flatten().count();
        assert!(kept(&lazy) < kept(&page(Force::default())));
        let bits = |z: &[f32; 6]| z.map(f32::to_bits);
        let mut scored = 0;
        for (k, e) in evidence.iter().enumerate() {
            let want = if six.force().keeps(e) {
                forced_logits(e.rule)
            } else {
                scored += 1;
                row_logits(six, &rows[k])
            };
            assert_eq!(bits(&got.logits[k]), bits(&want), "line {k}");
            assert_eq!(bits(&got.logp[k]), bits(&log_softmax(&want)), "line {k}");
        }
        assert!(
            scored > 2 * LANES && scored < nb.len(),
            "{scored} of {}",
            nb.len()
        );
    }

    #[test]
    fn shipped_model_parses() {
        let m = SixModel::from_tsv(include_str!("six.tsv")).unwrap();
        assert!(!m.trees.is_empty() && m.trees.len() % 6 == 0);
        assert!(
            SixModel::from_tsv("prior\t0\t0\t0\t0\t0\t0\n").is_err(),
            "transitions missing"
        );
    }

    fn model(transition: f32) -> SixModel {
        let mut tsv = String::from("prior\t0\t0\t0\t0\t0\t0\n");
        for l in Label::ALL {
            let row: Vec<String> = Label::ALL
                .iter()
                .map(|m| {
                    if *m == l {
                        "0".into()
                    } else {
                        format!("{}", -transition)
                    }
                })
                .collect();
            tsv.push_str(&format!("transition\t{l}\t{}\n", row.join("\t")));
        }
        SixModel::from_tsv(&tsv).unwrap()
    }

    /// Logits that favour `label` by `margin`.
    /// The labels Viterbi picks with transitions weighed by `weight`.
    fn decoded_labels(weight: f32, z: &[[f32; 6]]) -> Vec<Label> {
        model(weight).decode(z).into_iter().map(|d| d.0).collect()
    }

    fn leaning(label: Label, margin: f32) -> [f32; 6] {
        let mut z = [0.0; 6];
        z[label.index()] = margin;
        z
    }

    #[test]
    fn viterbi_without_transitions_takes_each_lines_best() {
        let z = [
            leaning(Label::Navigation, 2.0),
            leaning(Label::Body, 0.5),
            leaning(Label::Navigation, 2.0),
        ];
        let labels = decoded_labels(0.0, &z);
        assert_eq!(labels, [Label::Navigation, Label::Body, Label::Navigation]);
    }

    #[test]
    fn viterbi_joins_a_weak_line_to_its_run_but_not_a_confident_one() {
        let weak = [
            leaning(Label::Navigation, 3.0),
            leaning(Label::Body, 0.5),
            leaning(Label::Navigation, 3.0),
        ];
        let labels = decoded_labels(2.0, &weak);
        assert_eq!(labels, [Label::Navigation; 3]);
        let sure = [
            leaning(Label::Navigation, 3.0),
            leaning(Label::Body, 8.0),
            leaning(Label::Navigation, 3.0),
        ];
        let labels = decoded_labels(2.0, &sure);
        assert_eq!(labels, [Label::Navigation, Label::Body, Label::Navigation]);
    }

    /// A line of a job listing's page: a vacancy (a job phrase in it) or a
    /// plain menu line.
    fn listing_line(vacancy: bool) -> LineEvidence<'static> {
        LineEvidence {
            rule: if vacancy {
                Label::JobAd
            } else {
                Label::Navigation
            },
            how: if vacancy { How::Cue } else { How::Features },
            anchor: None,
            region: None,
            phrase_cue: vacancy,
        }
    }

    #[test]
    fn a_listing_of_three_vacancies_at_one_stride_takes_its_last_employer_line() {
        let on = Force(Force::JOB_PHRASE | Force::JOB_BOX);
        let page: Vec<LineEvidence<'_>> = [true, false, true, false, true, false, false]
            .into_iter()
            .map(listing_line)
            .collect();
        // Title and employer rows: line 5 is the last employer, line 6 is
        // past the entry.
        let expected = [false, true, false, true, false, true, false];
        assert_eq!(on.job_box(&page), expected);
        // A listing ending at the page's last line has no tail to take.
        assert_eq!(on.job_box(&page[..5]), expected[..5]);
    }

    #[test]
    fn a_job_box_never_panics_and_keeps_the_page_length() {
        // Every page of up to 8 lines, each a vacancy, a job-cue line, a
        // body line or a menu line: listings at the start, at the end, and
        // pages that are nothing else.
        let kinds = [
            (Label::JobAd, How::Cue, true),
            (Label::JobAd, How::Cue, false),
            (Label::Body, How::Features, false),
            (Label::Navigation, How::Features, false),
        ];
        let on = Force(Force::JOB_PHRASE | Force::JOB_BOX);
        for n in 0..=8u32 {
            for code in 0..4usize.pow(n) {
                let page: Vec<LineEvidence<'_>> = (0..n)
                    .map(|i| {
                        let (rule, how, phrase_cue) = kinds[code / 4usize.pow(i) % 4];
                        LineEvidence {
                            rule,
                            how,
                            anchor: None,
                            region: None,
                            phrase_cue,
                        }
                    })
                    .collect();
                let inside = on.job_box(&page);
                assert_eq!(inside.len(), page.len());
                // A line the rules call body is never taken into a listing
                // unless it stands between two vacancies.
                for (q, e) in page.iter().enumerate() {
                    if inside[q] && e.rule == Label::Body {
                        let vacancy = |r: usize| job_phrase(&page[r]);
                        assert!((0..q).any(vacancy) && (q + 1..page.len()).any(vacancy));
                    }
                }
            }
        }
    }

    #[test]
    fn a_job_box_takes_its_cue_made_heading_and_links_but_no_tail_at_uneven_strides() {
        #[derive(Clone, Copy)]
        enum Kind {
            Vacancy,
            JobCue,
            Plain,
        }
        use Kind::*;
        let line = |k: Kind| LineEvidence {
            rule: match k {
                Vacancy | JobCue => Label::JobAd,
                Plain => Label::Navigation,
            },
            how: match k {
                Vacancy | JobCue => How::Cue,
                Plain => How::Features,
            },
            anchor: None,
            region: None,
            phrase_cue: matches!(k, Vacancy),
        };
        let kinds = [
            JobCue, Plain, JobCue, Vacancy, Plain, Vacancy, Plain, Plain, Vacancy, JobCue, JobCue,
            JobCue,
        ];
        let page: Vec<LineEvidence<'_>> = kinds.into_iter().map(line).collect();
        let on = Force(Force::JOB_PHRASE | Force::JOB_BOX);
        // Line 2 is the heading right above; line 0 stands behind a plain
        // line. Strides 2 and 3 differ, so the last entry gets no tail:
        // lines 9 and 10 are its links, line 11 is past the edge.
        let expected = [
            false, false, true, false, true, false, true, true, false, true, true, false,
        ];
        assert_eq!(on.job_box(&page), expected);
    }

    #[test]
    fn a_job_box_holds_the_lines_between_close_vacancies() {
        let page: Vec<LineEvidence<'_>> =
            [true, false, false, true, false, false, false, true, false]
                .into_iter()
                .map(listing_line)
                .collect();
        let on = Force(Force::JOB_PHRASE | Force::JOB_BOX);
        // Lines 1 and 2 stand between vacancies 3 lines apart (two
        // vacancies: no stride, so no tail); lines 4-6 between vacancies 4
        // apart, and line 8 after the last, do not.
        let expected = [false, true, true, false, false, false, false, false, false];
        assert_eq!(on.job_box(&page), expected);
        let off = Force(Force::JOB_PHRASE);
        assert!(off.job_box(&page).iter().all(|&b| !b));
    }

    #[test]
    fn one_line_does_not_open_a_section_that_swallows_the_page() {
        // One comment-leaning line, then lines that lean to navigation: the
        // section it opens ends where its lines stop looking like it.
        let mut z = vec![leaning(Label::CommentPolicy, 4.0)];
        z.extend(std::iter::repeat_n(leaning(Label::Navigation, 1.0), 50));
        let decoded = model(0.5).decode(&z);
        assert_eq!(decoded[0].0, Label::CommentPolicy);
        assert!(decoded[1..].iter().all(|d| d.0 == Label::Navigation));
    }
}
