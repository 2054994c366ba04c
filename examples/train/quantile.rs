//! Quantile cut points for the trees' feature bins.

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
