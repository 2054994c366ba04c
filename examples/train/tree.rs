//! Pieces both tree fitters share: quantile cut points for the feature
//! bins, and moving rows down one level of a tree.

use std::cmp::Ordering;

/// At most `bins - 1` cut points splitting `values` into `bins` bins of
/// about equal counts (all distinct values when there are at most `bins`).
pub fn cuts<T: Copy + PartialEq>(
    values: impl Iterator<Item = T>,
    order: fn(&T, &T) -> Ordering,
    bins: usize,
) -> Vec<T> {
    let mut v: Vec<T> = values.collect();
    v.sort_by(order);
    v.dedup();
    if v.len() <= bins {
        return v;
    }
    let mut c: Vec<T> = (1..bins).map(|q| v[q * v.len() / bins]).collect();
    c.dedup();
    c
}

/// Move every row at a node of the level starting at `first` (`width`
/// nodes) to the child its node's split sends it to; `bin(i, f)` is row
/// `i`'s bin of feature `f`. Nodes are in heap order: the children of `k`
/// are `2k + 1` (bin at most the split's) and `2k + 2`.
pub fn descend(
    node_of: &mut [usize],
    split: &[Option<(usize, u8)>],
    (first, width): (usize, usize),
    bin: impl Fn(usize, usize) -> u8,
) {
    for (i, k) in node_of.iter_mut().enumerate() {
        if *k >= first && *k < first + width {
            if let Some((f, b)) = split[*k] {
                *k = if bin(i, f) <= b {
                    2 * *k + 1
                } else {
                    2 * *k + 2
                };
            }
        }
    }
}
