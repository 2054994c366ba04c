//! The roles of templates: which label a template's lines get, and which
//! templates say enough to frame a boilerplate region.

use crate::{cues::LEXICON, labels::Label};

use super::{RoleSource, SiteModel};

/// Whether a template with this folded text can frame a region: two words
/// that are not just numbers, or a cue. A lone number or UI word also turns
/// up inside the body, so it opens no region.
pub(crate) fn frames_regions(text: &str) -> bool {
    text.split(' ').filter(|w| *w != "0" && *w != "…").count() >= 2
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
        let total: u32 = a.neighbours.iter().sum();
        let mut score = [0f32; 6];
        for (i, s) in score.iter_mut().enumerate().skip(1) {
            *s = hits.weak[i] as f32;
            if total > 0 {
                *s += 1.5 * a.neighbours[i] as f32 / total as f32;
            }
        }
        let best = (1..6).fold(1, |b, i| if score[i] > score[b] { i } else { b });
        if score[best] > 0.0 {
            a.role = Label::ALL[best];
            a.role_source = if hits.weak[best] > 0 {
                RoleSource::Cue
            } else {
                RoleSource::Neighbours
            };
        } else {
            let words = a.text.split(' ').filter(|w| *w != "…").count();
            a.role = if words <= 6 {
                Label::Navigation
            } else {
                Label::Other
            };
            a.role_source = RoleSource::Shape;
        }
    }
}
