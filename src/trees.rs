//! Boosted regression trees as both line models store and evaluate them:
//! parsed [`Node`]s, and complete depth-3 [`FlatTree`]s scored over blocks
//! of [`LANES`] lines without branches.

use crate::error::{Error, ErrorKind, Result};

/// Deepest tree that is evaluated flat. [`FlatTree::add_to`] is written for
/// exactly this depth.
pub(crate) const FLAT_DEPTH: usize = 3;
const _: () = assert!(FLAT_DEPTH == 3, "FlatTree::add_to folds depth-3 trees");

/// Internal nodes and leaves of a flat tree.
const FLAT_NODES: usize = (1 << FLAT_DEPTH) - 1;
const FLAT_LEAVES: usize = 1 << FLAT_DEPTH;

/// Lines scored together by the flat trees, at most: a block. Each tree's
/// setup (its features' rows, thresholds and leaves) is paid once per
/// block, so blocks are wide; a block's transposed features ([`ROWS`]
/// rows of `LANES` floats, 16 KiB) still fit in the first-level cache.
pub(crate) const LANES: usize = 32;

/// Lines a tree is evaluated on at once: a block's lines are scored in
/// steps of this many (the last step may run past the block's lines, on
/// stale lanes whose sums nobody reads).
const STEP: usize = 4;
const _: () = assert!(LANES % STEP == 0, "a block is whole steps");

/// Rows of a [`Transposed`] block: room for every feature of either line
/// model, and a power of two, so that a tree's feature index masked to it
/// needs no bounds check.
pub(crate) const ROWS: usize = 128;
const _: () = assert!(ROWS.is_power_of_two(), "feature indices are masked");

/// The features of a block of up to [`LANES`] lines, transposed
/// (`self.0[feature][line / STEP][line % STEP]`) and aligned, so that a
/// vector of lanes loads straight into a compare. A row is held as its
/// steps, so that the trees index a step without a bounds check. Rows past
/// a model's features stay zero.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
pub(crate) struct Transposed(pub(crate) [[[f32; STEP]; LANES / STEP]; ROWS]);

impl Transposed {
    /// All zeros.
    pub(crate) const ZERO: Transposed = Transposed([[[0.0; STEP]; LANES / STEP]; ROWS]);

    /// Set feature `f` of line `lane`.
    #[inline(always)]
    pub(crate) fn set(&mut self, f: usize, lane: usize, v: f32) {
        self.0[f][lane / STEP][lane % STEP] = v;
    }
}

/// A complete binary tree of depth [`FLAT_DEPTH`] in heap order: internal
/// node `k` sends `x` to `2k + 1` when `x[feature[k]] <= threshold[k]`, else
/// to `2k + 2`; leaf `i` is heap position `7 + i`. Shallower trees are
/// padded: a padding node compares the bias feature (always 1.0) with +inf,
/// so it always goes left, and a leaf above the last level fills every leaf
/// position under it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct FlatTree {
    feature: [u8; FLAT_NODES],
    /// Each split's threshold, in every lane of a step (so that a step's
    /// compares read them as they are).
    threshold: [[f32; STEP]; FLAT_NODES],
    /// For each pair of sibling leaves, the left leaf's bits and the
    /// exclusive or of both leaves' bits, in every lane of a step.
    leaves: [[[u32; STEP]; 2]; FLAT_LEAVES / 2],
}

impl FlatTree {
    /// Flatten the tree rooted at `nodes[root]`, or `None` if it is deeper
    /// than [`FLAT_DEPTH`] or splits on a feature index of [`ROWS`] or more.
    pub(crate) fn new(nodes: &[Node], root: usize) -> Option<FlatTree> {
        fn depth(nodes: &[Node], k: usize) -> usize {
            let n = &nodes[k];
            if n.feature == Node::LEAF {
                0
            } else {
                1 + depth(nodes, n.left as usize).max(depth(nodes, n.right as usize))
            }
        }
        if depth(nodes, root) > FLAT_DEPTH {
            return None;
        }
        let d = FLAT_DEPTH;
        let mut feature = [0; FLAT_NODES];
        let mut threshold = [f32::INFINITY; FLAT_NODES];
        let mut leaf = [0f32; FLAT_LEAVES];
        // (node index in `nodes`, heap position, level)
        let mut stack = vec![(root, 0usize, 0usize)];
        while let Some((k, pos, level)) = stack.pop() {
            let n = &nodes[k];
            if n.feature == Node::LEAF {
                // Every leaf position under `pos` gets the value.
                let span = 1 << (d - level);
                let first = ((pos + 1) << (d - level)) - 1 - ((1 << d) - 1);
                leaf[first..first + span].fill(n.value);
            } else {
                feature[pos] = u8::try_from(n.feature)
                    .ok()
                    .filter(|&f| (f as usize) < ROWS)?;
                threshold[pos] = n.threshold;
                stack.push((n.left as usize, 2 * pos + 1, level + 1));
                stack.push((n.right as usize, 2 * pos + 2, level + 1));
            }
        }
        let v = leaf.map(f32::to_bits);
        Some(FlatTree {
            feature,
            threshold: threshold.map(|t| [t; STEP]),
            leaves: std::array::from_fn(|k| [[v[2 * k]; STEP], [v[2 * k] ^ v[2 * k + 1]; STEP]]),
        })
    }

    /// Add the tree's output for each of the first `lanes` lines of a block
    /// to `sums` (and perhaps for a few lines after them, up to a whole
    /// [`STEP`]); `xt` holds the block's features transposed
    /// (`xt[feature][line / STEP][line % STEP]`). All seven
    /// splits are compared for every line and the tree is folded bottom up
    /// with bitwise selects (each third-level node picks one of its two
    /// leaves, each second-level node one of its children's picks, the root
    /// one of those), so the loop over the lines has no branches and
    /// vectorises. Written on the values' bits, the selects are exact.
    #[inline]
    pub(crate) fn add_to(&self, xt: &Transposed, sums: &mut [f32; LANES], lanes: usize) {
        // Every feature is below `ROWS` (see `FlatTree::new`): the mask
        // changes nothing but spares a bounds check per split.
        let row = |k: usize| &xt.0[self.feature[k] as usize & (ROWS - 1)];
        let rows = [row(0), row(1), row(2), row(3), row(4), row(5), row(6)];
        let (t, leaves) = (&self.threshold, &self.leaves);
        // `b` where the mask is clear, `a` where it is set: b ^ (m & (a ^ b)),
        // with `a ^ b` known beforehand for each pair of leaves.
        let mask = |a: bool| 0u32.wrapping_sub(a as u32);
        let sel = |m: u32, a: u32, b: u32| b ^ (m & (a ^ b));
        let steps = lanes.div_ceil(STEP).min(LANES / STEP);
        for (at, step) in sums.chunks_exact_mut(STEP).take(steps).enumerate() {
            for (j, sum) in step.iter_mut().enumerate() {
                let c = |k: usize| mask(rows[k][at][j] > t[k][j]);
                let leaf = |k: usize| leaves[k][0][j] ^ (c(3 + k) & leaves[k][1][j]);
                let left = sel(c(1), leaf(1), leaf(0));
                let right = sel(c(2), leaf(3), leaf(2));
                *sum += f32::from_bits(sel(c(0), right, left));
            }
        }
    }
}

/// A node of a boosted tree: a split `x[feature] <= threshold` (go to
/// `left`, else `right`, both indices into the same tree), or a leaf.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Node {
    /// `u16::MAX` for a leaf.
    pub(crate) feature: u16,
    pub(crate) threshold: f32,
    pub(crate) left: u32,
    pub(crate) right: u32,
    pub(crate) value: f32,
}

impl Node {
    pub(crate) const LEAF: u16 = u16::MAX;

    /// Parse the columns after `node` of a weights row (`tree`, `feature`,
    /// `threshold`, `left`, `right`, `value`) and add the node to its tree;
    /// `feature` names a feature (`-` for a leaf). Trees are numbered from
    /// 0 in the order they are given; children number the nodes within
    /// their tree and must come after their parent.
    pub(crate) fn parse_into(
        cols: &[&str],
        feature: impl Fn(&str) -> Option<u16>,
        trees: &mut Vec<Vec<Node>>,
    ) -> Result<()> {
        let bad = || Error::new(ErrorKind::InvalidWeights);
        let [tree, name, threshold, left, right, value] = cols[..] else {
            return Err(bad());
        };
        let tree: usize = tree.parse().map_err(|_| bad())?;
        if tree > trees.len() {
            return Err(bad());
        }
        if tree == trees.len() {
            trees.push(Vec::new());
        }
        let feature = if name == "-" {
            Node::LEAF
        } else {
            feature(name).ok_or_else(bad)?
        };
        let num = |v: &str| {
            v.parse::<f32>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(bad)
        };
        let idx = |v: &str| v.parse::<u32>().map_err(|_| bad());
        let nodes = &mut trees[tree];
        let node = Node {
            feature,
            threshold: num(threshold)?,
            left: idx(left)?,
            right: idx(right)?,
            value: num(value)?,
        };
        // Children must lie after their parent (inside the tree is checked
        // by `check_tree` once the tree is complete), so evaluation always
        // ends at a leaf.
        let at = nodes.len() as u32;
        if node.feature != Node::LEAF && (node.left <= at || node.right <= at) {
            return Err(bad());
        }
        nodes.push(node);
        Ok(())
    }

    /// Whether every child of a parsed tree lies inside it.
    pub(crate) fn check_tree(nodes: &[Node]) -> bool {
        let n = nodes.len() as u32;
        nodes
            .iter()
            .all(|x| x.feature == Node::LEAF || (x.left < n && x.right < n))
    }
}
