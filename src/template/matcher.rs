//! The template matcher: which template, exact or slotted, a line of an
//! analysed page belongs to, and the runs of lines between templates.

use crate::{analyze::PageInfo, fold::MIN_FIXED, hash::slot_key};

use super::{min_pages, SiteModel, Table};

/// How a line matched a template.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Match {
    Exact { id: u64, pages: u32 },
    Slotted { id: u64, fixed: u32 },
}

impl Match {
    pub(crate) fn id(self) -> u64 {
        match self {
            Match::Exact { id, .. } | Match::Slotted { id, .. } => id,
        }
    }
}

/// Id of a slotted template from its prefix and suffix lengths and keys.
pub(crate) fn slot_id(info: &PageInfo, i: usize, k: usize, j: usize) -> u64 {
    let p = if k > 0 { info.prefix_keys(i)[k - 1] } else { 0 };
    let s = if j > 0 { info.suffix_keys(i)[j - 1] } else { 0 };
    slot_key(p, s)
}

/// Find the template line `i` belongs to, if any.
pub(crate) fn match_template(model: &SiteModel, info: &PageInfo, i: usize) -> Option<Match> {
    let l = &info.lines[i];
    if l.blank {
        return None;
    }
    let min = min_pages(model.pages, model.min_share);
    if let Some(stat) = model.lines.get(&l.fp.as_u64()) {
        if stat.pages >= min {
            return Some(Match::Exact {
                id: l.fp.as_u64(),
                pages: stat.pages,
            });
        }
    }
    let (k, j) = slot_split(model, info, i, min)?;
    Some(Match::Slotted {
        id: slot_id(info, i, k, j),
        fixed: (k + j) as u32,
    })
}

/// A fixed part this long makes a slotted template whatever the slot's length.
const LONG_FIXED: usize = 8;

/// The longest frequent prefix and suffix (in words) of line `i`, if they fix
/// enough of it to call it a slotted template. A prefix is taken only with
/// all its shorter prefixes, so the search stops at the first rare one
/// (a longer prefix is never on more pages than a shorter one, unless two
/// keys collide).
pub(crate) fn slot_split(
    model: &SiteModel,
    info: &PageInfo,
    i: usize,
    min: u32,
) -> Option<(usize, usize)> {
    let l = &info.lines[i];
    let n = l.folded_words as usize;
    if l.n_keys == 0 || n < MIN_FIXED {
        return None;
    }
    let longest = |keys: &[u64], map: &Table<u32>| {
        keys.iter()
            .take_while(|k| map.get(k).is_some_and(|&c| c >= min))
            .count()
    };
    let mut k = longest(info.prefix_keys(i), &model.prefixes);
    let mut j = longest(info.suffix_keys(i), &model.suffixes);
    // Prefix and suffix may not overlap: the slot needs a word.
    while k + j >= n {
        if k >= j {
            k -= 1
        } else {
            j -= 1
        }
    }
    let fixed = k + j;
    let slot = n - fixed;
    let enough = fixed >= MIN_FIXED && (fixed >= slot || fixed >= LONG_FIXED);
    enough.then_some((k, j))
}

/// Call `f(start, end, opening, closing)` for every run `start..end` of
/// lines between two anchors (`anchor(i)` is `Some` at an anchor), or
/// between an anchor and the page's start or end.
pub(crate) fn for_each_gap<A: Copy>(
    n: usize,
    anchor: impl Fn(usize) -> Option<A>,
    mut f: impl FnMut(usize, usize, Option<A>, Option<A>),
) {
    let mut opening = None;
    let mut start = 0;
    for i in 0..=n {
        let here = if i < n { anchor(i) } else { None };
        if i == n || here.is_some() {
            if start < i {
                f(start, i, opening, here);
            }
            if here.is_some() {
                opening = here;
            }
            start = i + 1;
        }
    }
}
