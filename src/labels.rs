use std::{fmt, str::FromStr};

use crate::error::{Error, ErrorKind};

/// What a line of a page is.
///
/// The text form (`Display`, `FromStr`, serde) is snake_case: `body`,
/// `navigation`, `job_ad`, `comment_policy`, `advertisement`, `other`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Label {
    /// The article itself: headline, lead, paragraphs, in-text subheads,
    /// lists, tables, captions inside the text.
    Body,
    /// Menus, breadcrumbs, link lists, share and follow buttons, subscribe
    /// prompts, related and read-more teasers.
    Navigation,
    /// Job boxes and vacancy listings.
    JobAd,
    /// The comment section: counts, invitations, moderation rules, forms and
    /// readers' comments.
    CommentPolicy,
    /// Advertisement labels, sponsored teasers, product, book and event
    /// promotions.
    Advertisement,
    /// Every other kind of boilerplate: title line, bylines and dates outside
    /// the text, credits, copyright, cookie and legal text.
    Other,
}

impl Label {
    /// The six labels, in a fixed order.
    pub const ALL: [Label; 6] = [
        Label::Body,
        Label::Navigation,
        Label::JobAd,
        Label::CommentPolicy,
        Label::Advertisement,
        Label::Other,
    ];

    /// The snake_case text form.
    pub fn as_str(self) -> &'static str {
        match self {
            Label::Body => "body",
            Label::Navigation => "navigation",
            Label::JobAd => "job_ad",
            Label::CommentPolicy => "comment_policy",
            Label::Advertisement => "advertisement",
            Label::Other => "other",
        }
    }

    /// Whether this is [`Label::Body`].
    pub fn is_body(self) -> bool {
        self == Label::Body
    }

    /// Position in [`Label::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Label {
    type Err = Error;

    /// Parse the snake_case text form.
    ///
    /// ```
    /// use dechaff::Label;
    /// assert_eq!("job_ad".parse::<Label>().unwrap(), Label::JobAd);
    /// assert!("menu".parse::<Label>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Label, Error> {
        Label::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or_else(|| Error::new(ErrorKind::UnknownLabel))
    }
}

/// The boilerplate label (any but `body`) with the highest score, ties
/// going to the earlier label in [`Label::ALL`]; `None` when no score is
/// above zero. Scores are indexed by [`Label::index`]; the body score is
/// ignored.
#[inline]
pub(crate) fn top_boilerplate<T: PartialOrd + Default>(scores: &[T; 6]) -> Option<Label> {
    let best = (2..6).fold(1, |b, i| if scores[i] > scores[b] { i } else { b });
    (scores[best] > T::default()).then_some(Label::ALL[best])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_boilerplate_ignores_body_and_breaks_ties_to_the_earlier_label() {
        assert_eq!(top_boilerplate(&[9u32, 0, 0, 0, 0, 0]), None);
        assert_eq!(top_boilerplate(&[9u32, 0, 2, 2, 0, 1]), Some(Label::JobAd));
        assert_eq!(
            top_boilerplate(&[0f32, 0.5, 0.0, 0.0, 0.0, 0.7]),
            Some(Label::Other)
        );
        assert_eq!(top_boilerplate(&[0u8; 6]), None);
    }
}
