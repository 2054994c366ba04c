//! The roles of templates: which label a template's lines get, and which
//! templates say enough to frame a boilerplate region.

use crate::{
    cues::LEXICON,
    labels::{top_boilerplate, Label},
};

use super::{RoleSource, SiteModel};

/// Words (not numbers) a template needs to frame a region without a cue: a
/// lone number or UI word also turns up inside the body.
const FRAME_MIN_WORDS: usize = 2;

/// A boilerplate line of at most this many words, without a cue or a
/// sentence end, reads as a menu entry or link: navigation.
pub(crate) const LINK_MAX_WORDS: u32 = 6;

/// How much the neighbours' votes weigh against one weak cue of the
/// template's own: a clear consensus of its list outweighs one weak word.
const NEIGHBOUR_WEIGHT: f32 = 1.5;

/// Whether a template with this folded text can frame a region: two words
/// that are not just numbers, or a cue. A lone number or UI word also turns
/// up inside the body, so it opens no region.
pub(crate) fn frames_regions(text: &str) -> bool {
    text.split(' ').filter(|w| *w != "0" && *w != "…").count() >= FRAME_MIN_WORDS
        || LEXICON.scan(text).role().is_some()
}

/// Decide each template's role: its own decisive cue, else its own weak
/// cues (one each) plus its neighbours' votes (1.5 × their share), else its
/// shape.
pub(crate) fn assign_roles(model: &mut SiteModel) {
    let lex = &*LEXICON;
    for a in model.anchors.values_mut() {
        let hits = lex.scan(&a.text);
        if let Some(c) = hits.decisive() {
            a.role = lex.cue(c).label;
            a.role_source = RoleSource::Cue;
            continue;
        }
        // Own weak cues count one each; the neighbours' votes count as a
        // share, so that many pages of neighbours do not drown the line's
        // own words, and a list's consensus outweighs one weak word.
        // Summed wide: counts from a model file may be near u32::MAX.
        let total: u64 = a.neighbours.iter().map(|&n| u64::from(n)).sum();
        let mut score = [0f32; 6];
        for (i, s) in score.iter_mut().enumerate().skip(1) {
            *s = hits.weak[i] as f32;
            if total > 0 {
                *s += NEIGHBOUR_WEIGHT * a.neighbours[i] as f32 / total as f32;
            }
        }
        if let Some(best) = top_boilerplate(&score) {
            a.role = best;
            a.role_source = if hits.weak[best.index()] > 0 {
                RoleSource::Cue
            } else {
                RoleSource::Neighbours
            };
        } else {
            let words = a.text.split(' ').filter(|w| *w != "…").count();
            a.role = if words <= LINK_MAX_WORDS as usize {
                Label::Navigation
            } else {
                Label::Other
            };
            a.role_source = RoleSource::Shape;
        }
    }
}
