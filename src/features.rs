//! Shallow line features and the classifier (linear scores plus boosted
//! trees) that turns them into a body score. The weights are data (`weights.tsv`), trained on wcxb with a
//! split by site (see `examples/train` and DESIGN.md).

use std::sync::{Arc, LazyLock};

use crate::{
    analyze::{LineInfo, PageInfo, HEADLINE_MAX_WORDS},
    error::{Error, ErrorKind, Result},
    labels::Label,
    six::SixModel,
    trees::{FlatTree, Node, Transposed, LANES, ROWS},
    vector::{FEATURE_NAMES, N_FEATURES, N_PLAIN},
};

/// One-hot bins of the length, stopword ratio, position, window length and
/// distance to prose: the linear model's way to bend. Sets the five
/// indicators in `out`, which must hold zeros.
fn bins(words: u32, stop: f32, pos: f32, window: f32, dist: u32, out: &mut [f32]) {
    let w = match words {
        0..=1 => 0,
        2 => 1,
        3..=4 => 2,
        5..=7 => 3,
        8..=12 => 4,
        13..=20 => 5,
        21..=35 => 6,
        36..=60 => 7,
        _ => 8,
    };
    let st = if stop <= 0.0 {
        0
    } else {
        1 + ((stop * 10.0) as usize).min(4)
    };
    let p = ((pos * 5.0) as usize).min(4);
    let win = if window < 1.0 {
        0
    } else {
        1 + (((window - 1.0) * 2.0) as usize).min(4)
    };
    let d = match dist {
        0 => 0,
        1 => 1,
        2 => 2,
        3..=5 => 3,
        6..=10 => 4,
        u32::MAX => 6,
        _ => 5,
    };
    for i in [w, 9 + st, 15 + p, 20 + win, 26 + d] {
        out[i] = 1.0;
    }
}

/// Names of the second-stage features: the first stage's scores of the line
/// and of the lines around it (a learned form of jusText's context pass).
pub(crate) const STAGE2_NAMES: [&str; N_STAGE2] = [
    "s2_bias",
    "s2_own",
    "s2_prev",
    "s2_next",
    "s2_near",
    "s2_far",
    "s2_page",
    "s2_own_short",
    "s2_min_neighbour",
];

/// Number of second-stage features.
pub(crate) const N_STAGE2: usize = 9;

const N_WEIGHTS: usize = N_FEATURES + N_STAGE2;

const _: () = assert!(N_FEATURES <= ROWS, "a block holds every feature");

/// Call `f` with each non-blank line's index and second-stage inputs, in
/// page order, from the first-stage scores `s1` (meaningful at non-blank
/// lines).
fn for_each_stage2(info: &PageInfo, s1: &[f32], mut f: impl FnMut(usize, &[f32; N_STAGE2])) {
    let lines = &info.lines;
    let nb: Vec<usize> = (0..lines.len()).filter(|&i| !lines[i].blank).collect();
    let s: Vec<f32> = nb.iter().map(|&i| s1[i].clamp(-8.0, 8.0)).collect();
    let m = s.len();
    let page = if m > 0 {
        s.iter().sum::<f32>() / m as f32
    } else {
        0.0
    };
    let mean_around = |k: usize, r: usize| {
        let (lo, hi) = (k.saturating_sub(r), (k + r).min(m - 1));
        let n = hi - lo;
        if n == 0 {
            0.0
        } else {
            (s[lo..=hi].iter().sum::<f32>() - s[k]) / n as f32
        }
    };
    for (k, &i) in nb.iter().enumerate() {
        let prev = if k > 0 { s[k - 1] } else { 0.0 };
        let next = if k + 1 < m { s[k + 1] } else { 0.0 };
        f(
            i,
            &[
                1.0,
                s[k],
                prev,
                next,
                mean_around(k, 2),
                mean_around(k, 6),
                page,
                if lines[i].words <= 5 { s[k] } else { 0.0 },
                prev.min(next),
            ],
        );
    }
}

/// Per-line context the labeller knows before it scores lines.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Context {
    /// The line is a template of the site.
    pub(crate) template: bool,
    /// Probability from the region statistics that the line is boilerplate.
    pub(crate) region: Option<f32>,
}

fn log_words(l: &LineInfo) -> f32 {
    ln_1_plus(l.words)
}

/// Counts below this get `ln(1 + n)` from a table: every line takes the log
/// of its word count and of its distance to prose, and both are small.
const LN_TABLE: usize = 256;

/// `ln(1 + n)` for `n` below [`LN_TABLE`], computed once as
/// [`ln_1_plus`] would.
static LN_1_PLUS: LazyLock<[f32; LN_TABLE]> =
    LazyLock::new(|| std::array::from_fn(|n| (1.0 + n as f32).ln()));

/// `ln(1 + n)`, the same value with or without the table.
fn ln_1_plus(n: u32) -> f32 {
    match LN_1_PLUS.get(n as usize) {
        Some(&v) => v,
        None => (1.0 + n as f32).ln(),
    }
}

/// A line of running prose: the anchor of the distance feature.
fn is_prose(l: &LineInfo) -> bool {
    !l.blank && l.words >= 15 && l.terminal && l.stopwords * 5 >= l.folded_words
}

/// The page's first (title) line's folded words, sorted, and a one-word
/// Bloom filter of them: a bit per word, picked by the hash's top bits, so
/// that most words of other lines need no search.
struct TitleWords<'a> {
    sorted: &'a [u64],
    bits: u64,
}

impl<'a> TitleWords<'a> {
    fn new(info: &'a PageInfo) -> TitleWords<'a> {
        let sorted = info.title_words.as_deref().unwrap_or_default();
        let bits = sorted.iter().fold(0, |b, &w| b | TitleWords::bit(w));
        TitleWords { sorted, bits }
    }

    fn bit(word: u64) -> u64 {
        1 << (word >> 58)
    }

    fn contains(&self, word: u64) -> bool {
        self.bits & TitleWords::bit(word) != 0 && self.sorted.binary_search(&word).is_ok()
    }
}

/// Share of line `i`'s folded words that occur in the page's first (title)
/// line: headlines repeat the title.
fn title_overlap(info: &PageInfo, title: &TitleWords<'_>, i: usize) -> f32 {
    let l = &info.lines[i];
    if info.title_words.is_none()
        || l.folded_words == 0
        || l.folded_words as usize > HEADLINE_MAX_WORDS
    {
        return 0.0;
    }
    let at = l.word_hashes_at as usize;
    let words = &info.word_hashes[at..at + l.folded_words as usize];
    words.iter().filter(|&&w| title.contains(w)).count() as f32 / words.len() as f32
}

/// Lines on each side of a line in the window-length feature.
const WINDOW: usize = 3;
/// Distance-to-prose feature of a page without prose (`ln(1 + d)` for a
/// distance `d`, so as far as about 150 lines).
const NO_PROSE_DISTANCE: f32 = 5.0;
/// Commas counted, at most (a mark of prose, saturating).
const MAX_COMMAS: u32 = 3;
/// Weak cue hits counted, at most.
const MAX_WEAK_CUES: u32 = 2;
/// Lines of up to this many words get the capitalisation feature (title
/// case marks links and menu entries, not sentences).
const CAPS_MAX_WORDS: f32 = 12.0;
/// Characters per word above which a line holds long tokens (URLs).
const LONG_TOKEN_CHARS: f32 = 12.0;
/// Share of the page (by non-blank lines) that is its start.
const FIRST_SHARE: f32 = 0.1;
/// Share of the page after which lines are at its end.
const LAST_SHARE: f32 = 0.8;

/// What the features need to know about the page as a whole.
struct PageStats<'a> {
    info: &'a PageInfo,
    /// Indices of the non-blank lines.
    nb: Vec<usize>,
    /// `log_words` of each non-blank line.
    lw: Vec<f32>,
    /// Distance (in non-blank lines) to the nearest prose line.
    dist: Vec<u32>,
    /// Sorted fingerprints of the non-blank lines.
    fps: Vec<u64>,
    total_words: u32,
    title: TitleWords<'a>,
}

impl<'a> PageStats<'a> {
    fn new(info: &'a PageInfo) -> PageStats<'a> {
        let lines = &info.lines;
        let nb: Vec<usize> = (0..lines.len()).filter(|&i| !lines[i].blank).collect();
        let mut fps: Vec<u64> = nb.iter().map(|&i| lines[i].fp.as_u64()).collect();
        fps.sort_unstable();
        PageStats {
            lw: nb.iter().map(|&i| log_words(&lines[i])).collect(),
            dist: prose_distances(info, &nb),
            total_words: nb.iter().map(|&i| lines[i].words).sum(),
            fps,
            nb,
            info,
            title: TitleWords::new(info),
        }
    }

    /// Whether a fingerprint occurs twice or more on the page.
    fn repeated(&self, fp: u64) -> bool {
        let a = self.fps.partition_point(|&x| x < fp);
        a + 1 < self.fps.len() && self.fps[a + 1] == fp
    }

    /// The plain features of the `k`-th non-blank line, whose
    /// [`PageStats::window`] is `window`, [`stop_ratio`] `stop` and
    /// [`position`] `pos` (the bins read them too).
    #[allow(clippy::too_many_arguments)]
    fn plain(
        &self,
        k: usize,
        window: f32,
        stop: f32,
        pos: f32,
        ctx: &[Context],
        has_siblings: bool,
        run: &Running,
    ) -> [f32; N_PLAIN] {
        let (lines, nb, lw) = (&self.info.lines, &self.nb, &self.lw);
        let i = nb[k];
        let l = &lines[i];
        let log_w = lw[k];
        let w = l.words as f32;
        let caps = if l.alphabetic > 0 {
            l.capitalised as f32 / l.alphabetic as f32
        } else {
            1.0
        };
        let prev = k.checked_sub(1).map(|p| &lines[nb[p]]);
        let next = nb.get(k + 1).map(|&q| &lines[q]);
        let title_fp = lines[nb[0]].fp;
        [
            1.0,
            log_w,
            stop,
            l.terminal as u8 as f32,
            l.commas.min(MAX_COMMAS) as f32 / MAX_COMMAS as f32,
            l.list_item as u8 as f32,
            (l.separators > 0) as u8 as f32,
            if w <= CAPS_MAX_WORDS { caps } else { 0.0 },
            (l.chars > 0 && l.chars as f32 / w.max(1.0) > LONG_TOKEN_CHARS) as u8 as f32,
            l.digits as f32 / l.chars.max(1) as f32,
            (l.words <= 2) as u8 as f32,
            (l.words <= 5) as u8 as f32,
            l.cues.decisive().is_some() as u8 as f32,
            l.cues
                .weak
                .iter()
                .map(|&c| c as u32)
                .sum::<u32>()
                .min(MAX_WEAK_CUES) as f32
                / MAX_WEAK_CUES as f32,
            ctx[i].region.map_or(0.0, |p| 2.0 * p - 1.0),
            ctx[i].region.is_some() as u8 as f32,
            pos,
            (pos < FIRST_SHARE) as u8 as f32,
            (pos > LAST_SHARE) as u8 as f32,
            k.checked_sub(1).map_or(0.0, |p| lw[p]),
            lw.get(k + 1).copied().unwrap_or(0.0),
            prev.is_some_and(|p| p.terminal) as u8 as f32,
            next.is_some_and(|q| q.terminal) as u8 as f32,
            window,
            if self.dist[k] == u32::MAX {
                NO_PROSE_DISTANCE
            } else {
                ln_1_plus(self.dist[k])
            },
            (k == 0) as u8 as f32,
            (k > 0 && l.fp == title_fp && l.folded_words >= 2) as u8 as f32,
            self.repeated(l.fp.as_u64()) as u8 as f32,
            (k > 0 && ctx[nb[k - 1]].template) as u8 as f32,
            nb.get(k + 1).is_some_and(|&q| ctx[q].template) as u8 as f32,
            l.colon_end as u8 as f32,
            has_siblings as u8 as f32,
            l.date as u8 as f32,
            l.byline as u8 as f32,
            run.comment_cue_seen as u8 as f32,
            run.navigation_cue_seen as u8 as f32,
            run.words_before as f32 / self.total_words.max(1) as f32,
            (6..=15).contains(&l.words) as u8 as f32,
            (16..=40).contains(&l.words) as u8 as f32,
            stop * log_w,
            l.terminal as u8 as f32 * log_w,
            l.list_item as u8 as f32 * log_w,
            if k > 0 {
                title_overlap(self.info, &self.title, i)
            } else {
                0.0
            },
        ]
    }

    /// Mean `log_words` of the lines within [`WINDOW`] of the `k`-th.
    fn window(&self, k: usize) -> f32 {
        let lo = k.saturating_sub(WINDOW);
        let hi = (k + WINDOW).min(self.nb.len() - 1);
        self.lw[lo..=hi].iter().sum::<f32>() / (hi - lo + 1) as f32
    }
}

/// Share of a line's folded words that are stopwords.
fn stop_ratio(l: &LineInfo) -> f32 {
    l.stopwords as f32 / l.folded_words.max(1) as f32
}

/// Position of the `k`-th of `m` lines, from 0 to 1.
fn position(k: usize, m: usize) -> f32 {
    if m > 1 {
        k as f32 / (m - 1) as f32
    } else {
        0.0
    }
}

/// What the features carry down the page.
#[derive(Default)]
struct Running {
    words_before: u32,
    comment_cue_seen: bool,
    navigation_cue_seen: bool,
}

impl Running {
    /// Step past a line.
    fn pass(&mut self, l: &LineInfo) {
        self.words_before += l.words;
        if let Some(c) = l.cues.decisive() {
            match crate::cues::LEXICON.cue(c).label {
                Label::CommentPolicy => self.comment_cue_seen = true,
                Label::Navigation => self.navigation_cue_seen = true,
                _ => {}
            }
        }
    }
}

/// Distance (in non-blank lines `nb`) from each to the nearest prose line,
/// `u32::MAX` on a page without prose.
fn prose_distances(info: &PageInfo, nb: &[usize]) -> Vec<u32> {
    let mut dist = vec![u32::MAX; nb.len()];
    let mut last = None;
    for (k, &i) in nb.iter().enumerate() {
        if is_prose(&info.lines[i]) {
            last = Some(k);
        }
        if let Some(p) = last {
            dist[k] = (k - p) as u32;
        }
    }
    last = None;
    for (k, &i) in nb.iter().enumerate().rev() {
        if is_prose(&info.lines[i]) {
            last = Some(k);
        }
        if let Some(p) = last {
            dist[k] = dist[k].min((p - k) as u32);
        }
    }
    dist
}

/// Feature vectors of every line of a page (blank lines get zeros): the
/// plain features, then the one-hot bins.
pub(crate) fn page_features(
    info: &PageInfo,
    ctx: &[Context],
    has_siblings: bool,
) -> Vec<[f32; N_FEATURES]> {
    let page = PageStats::new(info);
    let mut run = Running::default();
    let mut out = vec![[0f32; N_FEATURES]; info.lines.len()];
    for (k, &i) in page.nb.iter().enumerate() {
        let l = &info.lines[i];
        let window = page.window(k);
        let (stop, pos) = (stop_ratio(l), position(k, page.nb.len()));
        let plain = page.plain(k, window, stop, pos, ctx, has_siblings, &run);
        out[i][..N_PLAIN].copy_from_slice(&plain);
        let bins_out = &mut out[i][N_PLAIN..]; // zeros, as made above
        bins(l.words, stop, pos, window, page.dist[k], bins_out);
        run.pass(l);
    }
    out
}

fn names() -> impl Iterator<Item = &'static str> {
    FEATURE_NAMES.iter().chain(STAGE2_NAMES.iter()).copied()
}

/// A body classifier over shallow line features, in two stages: the first
/// scores each line on its own features (a linear score plus boosted
/// trees), the second rescores it linearly from the first-stage scores of
/// its neighbours.
///
/// The default is trained on the wcxb corpus with a split by site and
/// shipped with the crate as data. Read another from the same TSV format
/// (`feature<TAB>weight` rows) with [`LineClassifier::from_tsv`].
#[derive(Clone, Debug, PartialEq)]
pub struct LineClassifier {
    weights: [f32; N_WEIGHTS],
    /// Boosted regression trees added to the first stage's score; each tree
    /// is a run of nodes, its root first.
    trees: Vec<Node>,
    /// Index of each tree's root in `trees`.
    roots: Vec<u32>,
    /// The same trees made complete and flat for branch-free evaluation,
    /// when none is deeper than [`FLAT_DEPTH`](crate::trees::FLAT_DEPTH).
    flat: Option<Vec<FlatTree>>,
    /// The six-class model that labels the lines from the body scores and
    /// the rest of the evidence, if any.
    six: Option<Arc<SixModel>>,
}

/// Index of a first-stage feature by name.
fn feature_index(name: &str) -> Option<u16> {
    FEATURE_NAMES
        .iter()
        .position(|&f| f == name)
        .map(|i| i as u16)
}

static DEFAULT: LazyLock<LineClassifier> = LazyLock::new(|| LineClassifier {
    six: Some(Arc::new(SixModel::shipped().clone())),
    ..LineClassifier::from_tsv(include_str!("weights.tsv")).expect("shipped weights parse")
});

impl Default for LineClassifier {
    fn default() -> LineClassifier {
        DEFAULT.clone()
    }
}

impl LineClassifier {
    /// The shipped classifier, borrowed.
    pub(crate) fn shipped() -> &'static LineClassifier {
        &DEFAULT
    }

    /// Parse `feature<TAB>weight` rows; `#` starts a comment. Every feature
    /// must be given exactly once. Rows
    /// `node<TAB>tree<TAB>feature<TAB>threshold<TAB>left<TAB>right<TAB>value`
    /// add boosted trees (`feature` is `-` for a leaf; `left` and `right`
    /// number the nodes within their tree, in the order they are given).
    pub fn from_tsv(text: &str) -> Result<LineClassifier> {
        let bad = || Error::new(ErrorKind::InvalidWeights);
        let mut weights = [f32::NAN; N_WEIGHTS];
        let mut trees: Vec<Vec<Node>> = Vec::new();
        for row in text.lines() {
            let row = row.trim();
            if row.is_empty() || row.starts_with('#') {
                continue;
            }
            if let Some(rest) = row.strip_prefix("node\t") {
                let cols: Vec<&str> = rest.split('\t').collect();
                Node::parse_into(&cols, feature_index, &mut trees)?;
                continue;
            }
            let (name, value) = row.split_once('\t').ok_or_else(bad)?;
            let i = names().position(|f| f == name.trim()).ok_or_else(bad)?;
            let v: f32 = value.trim().parse().map_err(|_| bad())?;
            if !weights[i].is_nan() || !v.is_finite() {
                return Err(bad());
            }
            weights[i] = v;
        }
        if weights.iter().any(|w| w.is_nan()) {
            return Err(bad());
        }
        let mut nodes = Vec::new();
        let mut roots = Vec::new();
        for tree in trees {
            if !Node::check_tree(&tree) {
                return Err(bad());
            }
            let base = nodes.len() as u32;
            roots.push(base);
            for mut node in tree {
                if node.feature != Node::LEAF {
                    node.left += base;
                    node.right += base;
                }
                nodes.push(node);
            }
        }
        let flat = roots
            .iter()
            .map(|&r| FlatTree::new(&nodes, r as usize))
            .collect();
        Ok(LineClassifier {
            weights,
            flat,
            trees: nodes,
            roots,
            six: None,
        })
    }

    /// The same body classifier with a six-class model read from `text`
    /// (the format of the shipped `six.tsv`, see DESIGN.md). A classifier
    /// read by [`LineClassifier::from_tsv`] has none: its lines are
    /// labelled by the rules alone.
    pub fn with_six_tsv(self, text: &str) -> Result<LineClassifier> {
        Ok(LineClassifier {
            six: Some(Arc::new(SixModel::from_tsv(text)?)),
            ..self
        })
    }

    /// The same body classifier without a six-class model.
    pub fn without_six(self) -> LineClassifier {
        LineClassifier { six: None, ..self }
    }

    /// The six-class model, if any.
    pub(crate) fn six(&self) -> Option<&SixModel> {
        self.six.as_deref()
    }

    /// Add the boosted trees' outputs for each of `xs` to `sums` by
    /// walking the nodes (trees too deep to be evaluated flat).
    fn walk_trees(&self, xs: &[[f32; N_FEATURES]], sums: &mut [f32]) {
        for &root in &self.roots {
            for (x, sum) in xs.iter().zip(sums.iter_mut()) {
                let mut node = &self.trees[root as usize];
                while node.feature != Node::LEAF {
                    let next = if x[node.feature as usize] <= node.threshold {
                        node.left
                    } else {
                        node.right
                    };
                    node = &self.trees[next as usize];
                }
                *sum += node.value;
            }
        }
    }

    /// Write the weights in the format [`LineClassifier::from_tsv`] reads.
    pub fn to_tsv(&self) -> String {
        let mut out = String::new();
        for (name, w) in names().zip(self.weights) {
            out.push_str(&format!("{name}\t{w}\n"));
        }
        for (t, &root) in self.roots.iter().enumerate() {
            let end = self
                .roots
                .get(t + 1)
                .map_or(self.trees.len(), |&r| r as usize);
            for node in &self.trees[root as usize..end] {
                let feature = if node.feature == Node::LEAF {
                    "-"
                } else {
                    FEATURE_NAMES[node.feature as usize]
                };
                let (l, r) = if node.feature == Node::LEAF {
                    (0, 0)
                } else {
                    (node.left - root, node.right - root)
                };
                out.push_str(&format!(
                    "node\t{t}\t{feature}\t{}\t{l}\t{r}\t{}\n",
                    node.threshold, node.value
                ));
            }
        }
        out
    }

    /// The first-stage body scores (log-odds) of feature vectors.
    ///
    /// The trees are evaluated over blocks of [`LANES`] lines, tree by
    /// tree, with the block's features transposed so that each split reads
    /// one feature of all the block's lines at once (which the compiler
    /// vectorises). Each line's sum still adds the trees in order, so the
    /// scores are exactly those of a line-by-line walk.
    fn logits(&self, xs: &[[f32; N_FEATURES]]) -> Vec<f32> {
        let mut out = Vec::with_capacity(xs.len());
        let mut xt = Transposed::ZERO;
        for block in xs.chunks(LANES) {
            for (f, row) in xt.0[..N_FEATURES].iter_mut().enumerate() {
                for (slot, x) in row.as_flattened_mut().iter_mut().zip(block) {
                    *slot = x[f];
                }
            }
            // The linear part, feature by feature (the order of a
            // line-by-line dot product).
            let mut linear = [0f32; LANES];
            for (row, w) in xt.0.iter().zip(&self.weights[..N_FEATURES]) {
                for (s, x) in linear.iter_mut().zip(row.as_flattened()) {
                    *s += w * x;
                }
            }
            let mut trees = [0f32; LANES];
            match &self.flat {
                Some(flat) => flat
                    .iter()
                    .for_each(|t| t.add_to(&xt, &mut trees, block.len())),
                None => self.walk_trees(block, &mut trees),
            }
            let scores = linear.iter().zip(trees).map(|(a, b)| a + b);
            out.extend(scores.take(block.len()));
        }
        out
    }

    /// The second-stage body score (log-odds) of a stage-2 vector.
    pub(crate) fn logit2(&self, x: &[f32; N_STAGE2]) -> f32 {
        self.weights[N_FEATURES..]
            .iter()
            .zip(x)
            .map(|(w, x)| w * x)
            .sum()
    }

    /// Final body scores of every line: the first stage on each line's
    /// features, then the second stage on the first-stage scores around it.
    pub(crate) fn scores(&self, info: &PageInfo, features: &[[f32; N_FEATURES]]) -> Vec<f32> {
        // Blank lines' second-stage inputs are zeros.
        let mut out = vec![self.logit2(&[0.0; N_STAGE2]); info.lines.len()];
        for_each_stage2(info, &self.logits(features), |i, x| out[i] = self.logit2(x));
        out
    }

    /// The second stage's inputs of every line (zeros for blank lines): the
    /// first stage's scores of the line and the lines around it.
    #[cfg(feature = "train")]
    pub(crate) fn stage2_inputs(
        &self,
        info: &PageInfo,
        features: &[[f32; N_FEATURES]],
    ) -> Vec<[f32; N_STAGE2]> {
        let mut out = vec![[0f32; N_STAGE2]; info.lines.len()];
        for_each_stage2(info, &self.logits(features), |i, x| out[i] = *x);
        out
    }

    /// The feature names, first stage then second stage, in the order of
    /// the weights.
    pub fn feature_names() -> Vec<&'static str> {
        names().collect()
    }

    /// The weights, in the order of [`LineClassifier::feature_names`].
    pub fn weights(&self) -> &[f32] {
        &self.weights
    }

    /// A classifier with the given weights, in the order of
    /// [`LineClassifier::feature_names`]; `None` if the count is wrong.
    pub fn from_weights(weights: &[f32]) -> Option<LineClassifier> {
        Some(LineClassifier {
            weights: weights.try_into().ok()?,
            trees: Vec::new(),
            flat: Some(Vec::new()),
            roots: Vec::new(),
            six: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn shipped_weights_parse_and_round_trip() {
        let c = LineClassifier::from_tsv(include_str!("weights.tsv")).unwrap();
        assert_eq!(LineClassifier::from_tsv(&c.to_tsv()).unwrap(), c);
        assert!(LineClassifier::from_tsv("bias\t1\n").is_err());
    }

    #[test]
    fn ln_table_gives_the_logs_bit_for_bit() {
        for n in (0..2 * LN_TABLE as u32).chain([u32::MAX - 1]) {
            assert_eq!(
                ln_1_plus(n).to_bits(),
                (1.0 + n as f32).ln().to_bits(),
                "{n}"
            );
        }
    }

    /// A random tree of depth at most 3 (leaves may sit on any level),
    /// nodes in pre-order, its root first.
    fn tree() -> impl Strategy<Value = Vec<Node>> {
        let leaf = any::<i8>().prop_map(|v| {
            vec![Node {
                feature: Node::LEAF,
                threshold: 0.0,
                left: 0,
                right: 0,
                value: v as f32 / 16.0,
            }]
        });
        leaf.prop_recursive(3, 15, 2, |child| {
            (0..N_FEATURES as u16, -4i8..=4, child.clone(), child).prop_map(|(f, t, l, r)| {
                let mut nodes = vec![Node {
                    feature: f,
                    threshold: t as f32 / 4.0,
                    left: 1,
                    right: 1 + l.len() as u32,
                    value: 0.0,
                }];
                for (mut sub, shift) in [(l.clone(), 1), (r, 1 + l.len() as u32)] {
                    for n in &mut sub {
                        if n.feature != Node::LEAF {
                            n.left += shift;
                            n.right += shift;
                        }
                    }
                    nodes.extend(sub);
                }
                nodes
            })
        })
    }

    /// Feature values on and around the thresholds that [`tree`] draws.
    fn features() -> impl Strategy<Value = [f32; N_FEATURES]> {
        prop::collection::vec((-20i8..=20).prop_map(|v| v as f32 / 8.0), N_FEATURES)
            .prop_map(|v| v.try_into().unwrap())
    }

    proptest! {
        #[test]
        fn flat_trees_score_as_the_node_walk(
            trees in prop::collection::vec(tree(), 1..6),
            xs in prop::collection::vec(features(), 1..40),
        ) {
            let mut c = LineClassifier::shipped().clone();
            c.trees.clear();
            c.roots.clear();
            for t in trees {
                let base = c.trees.len() as u32;
                c.roots.push(base);
                c.trees.extend(t.into_iter().map(|mut n| {
                    if n.feature != Node::LEAF {
                        n.left += base;
                        n.right += base;
                    }
                    n
                }));
            }
            let flat: Option<Vec<FlatTree>> =
                c.roots.iter().map(|&r| FlatTree::new(&c.trees, r as usize)).collect();
            prop_assert!(flat.is_some());
            c.flat = flat;
            let walked = LineClassifier { flat: None, ..c.clone() };
            let bits = |v: Vec<f32>| v.into_iter().map(f32::to_bits).collect::<Vec<_>>();
            prop_assert_eq!(bits(c.logits(&xs)), bits(walked.logits(&xs)));
        }

        #[test]
        fn shipped_trees_score_as_the_node_walk(xs in prop::collection::vec(features(), 1..40)) {
            let c = LineClassifier::shipped();
            prop_assert!(c.flat.is_some());
            let walked = LineClassifier { flat: None, ..c.clone() };
            let bits = |v: Vec<f32>| v.into_iter().map(f32::to_bits).collect::<Vec<_>>();
            prop_assert_eq!(bits(c.logits(&xs)), bits(walked.logits(&xs)));
        }
    }
}
