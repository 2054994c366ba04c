/*!
dechaff separates an article's text from the boilerplate around it in raw
page-text dumps: one line per block of the page, as an HTML-to-text step
leaves it (Common Crawl WET records, JSONL corpora, folders of `.txt` files).

Every line gets one [`Label`]: `body`, `navigation`, `job_ad`,
`comment_policy`, `advertisement` or `other`.

dechaff **learns each site's templates from the dump itself**. Pages of one
site repeat lines verbatim (menus, moderation rules), repeat lines around a
variable slot (`What do you think of "<title>"? Tell us below.`), and frame
regions whose lines never repeat but are boilerplate all the same (job titles
under a job box heading). A [`SiteModelBuilder`] learns these from the pages
of one site and builds an immutable [`SiteModel`]; a [`Labeller`] holding it
labels the site's pages. Pages with no siblings are labelled by multilingual
cues and shallow line features ([`label`], or [`Labeller::default`]).

# Example

```
use dechaff::{Label, Labeller, SiteModelBuilder};

// Three pages of one site, as an HTML-to-text step leaves them.
let pages = [
    "Startseite\n- Politik\n- Sport\nDer Stadtrat hat am Dienstag den neuen Haushalt beschlossen, nach einer langen Debatte über Schulen und Straßen.\nDie Opposition stimmte dagegen und kündigte an, die Ausgaben für den Straßenbau im Herbst erneut zu prüfen.\nStellenangebote\nSachbearbeiter Finanzen (m/w/d)\nEs werden alle Kommentare moderiert!\n",
    "Startseite\n- Politik\n- Sport\nDas Hochwasser hat in der Nacht mehrere Straßen der Altstadt überflutet, teilte die Feuerwehr am Morgen mit.\nVerletzt wurde niemand, doch mehrere Keller liefen voll, und die Aufräumarbeiten dauern noch bis zum Wochenende.\nStellenangebote\nLeitung Kita am Park\nEs werden alle Kommentare moderiert!\n",
    "Startseite\n- Politik\n- Sport\nDie Bibliothek öffnet nach dem Umbau wieder und bietet nun auch am Sonntag Lesungen für Kinder an.\nDer Umbau hat zwei Jahre gedauert und wurde zum größten Teil aus Mitteln des Landes bezahlt.\nStellenangebote\nHausmeister Grundschule Nord (w/m/d)\nEs werden alle Kommentare moderiert!\n",
];
let labeller = Labeller::new(SiteModelBuilder::new().build(pages));

let labelled = labeller.label(pages[1]);
assert!(labelled.body_text().starts_with("Das Hochwasser hat in der Nacht"));
assert!(labelled.body_text().ends_with("dauern noch bis zum Wochenende."));
for line in labelled.iter() {
    // Each line borrows the labelled page and says why it got its label.
    println!("{}\t{}\t{}", line.label(), String::from_utf8_lossy(line.bytes()), line.reason());
}
let labels: Vec<Label> = labelled.iter().map(|l| l.label()).collect();
assert_eq!(labels[6], Label::JobAd); // never repeats, but sits in the job region
```

# How it works

1. [`lines`] splits a page into [`Line`]s with `memchr`, without copying and
   without validating UTF-8; each line carries a [`Span`] into the page.
2. Each line is folded (case, whitespace, digit runs, punctuation) and hashed
   into a [`Fingerprint`], with hashes of its first and last words.
3. The learner counts on how many pages each fingerprint, prefix and suffix
   occurs, keeps a sample of pages, and derives exact templates, slotted
   templates, their roles and the boilerplate regions around them.
4. The labeller's rules match templates, apply the regions, then cues and
   a learned body score, and smooth by context.
5. A learned six-class model scores every line for all six labels from all
   of that evidence (the rules' label, the template and region, cues, a
   learned lexicon, the lines around it), and a Viterbi pass decodes the
   page's labels as a sequence.

`DESIGN.md` in the repository explains the algorithm and its thresholds.

# Performance

The scanner is a `memchr` loop that allocates nothing per line. Labelling a
page allocates one small record per line for the whole page, folds and
hashes each line once into the [`Labelled`]'s reused buffer, matches cue phrases on the
line's word hashes, and runs the few regular expressions only behind cheap
byte prefilters. Learning does a constant number of hash-map updates per
line. Labellers are `Send + Sync`: label pages of many sites in parallel,
each thread refilling its own [`Labelled`] ([`Labeller::label_into`]). The
line models (a linear score plus 120 small boosted trees per line for the
body score, then 180 for the six labels) are the largest single cost; they
score blocks of up to 32 lines at once, branch-free; lines a learned
template settles skip the six-label model. One core labels about 59 MB/s
of wcxb text (70 MB/s with the rules alone, measured before the six-class
model's speed work) and learns sites of two or more pages at about 54 MB/s;
a site of one page costs a copy (`PERF.md` in the
repository, criterion benches beside a bare `memchr` baseline).

# Defined limits

* **Empty page**: no lines; `label` yields nothing, `segments()` nothing,
  `body_text()` is `""`. When learning, an empty page counts as a page the
  first time; every further empty or all-blank page is a duplicate.
* **Page of only blank lines**: every line is labelled `body` with
  [`Reason::Blank`]; [`Labelled::counts`] is all zero. (Blank lines take the
  label of the non-blank line before them; blank lines at the top of a page
  take the label of the first non-blank line.)
* **Very long lines**: a 50 MB line is one line; labelling it takes about a
  second in a release build and memory proportional to the line (its folded
  form is built once). Pages over 1 MiB are never kept in the learner's
  region sample.
* **Many pages**: 100,000 pages of one site learn in under a second (release)
  when they repeat their lines; memory grows with distinct line
  fingerprints, at most `1 + 24` counters per distinct line, plus 8 bytes
  per page.
* **Model files**: a file from a newer format version gives
  [`ErrorKind::UnsupportedVersion`] (the version is checked before the body
  is read); a truncated or garbled file (binary files carry a checksum and
  every length in them is checked against the file's size before anything
  is allocated), or JSON without a `format` field,
  [`ErrorKind::CorruptModel`]; a file of another format (a [`ModelSet`] read as
  a [`SiteModel`], or the reverse) [`ErrorKind::NotAModel`]; page counts that
  contradict each other [`ErrorKind::InconsistentModel`]; a failing reader
  [`ErrorKind::Io`].

# Crate features

* **`dump`** (default): the [`dump`] module, readers for directories of
  `.txt` files, JSONL and Common Crawl WET dumps (gzipped or not). It adds
  `flate2`. Without it the crate labels and learns from bytes you hand it.
* **`train`**: the per-line inputs of the line models, for the
  repository's trainer (`examples/train`). Not a stable API; off by
  default.

# Untrusted input

Any bytes are a valid page: invalid UTF-8, NUL bytes, lone `\r`, CRLF, an
empty page and very long lines are all labelled, never rejected; nothing
panics. Learning memory grows with the number of distinct line fingerprints,
not with the amount of text: see [`SiteLearner`]. Loading a truncated,
corrupt or newer-version model file returns an [`Error`] whose
[`ErrorKind`] says which.
*/

#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod analyze;
mod cues;
mod error;
mod features;
mod fold;
mod hash;
mod label;
mod labels;
mod learn;
mod lines;
mod marks;
mod pattern;
mod six;
mod template;
mod trees;
mod vector;
mod wordtable;

#[cfg(feature = "dump")]
pub mod dump;

#[cfg(feature = "train")]
#[doc(hidden)]
pub use crate::{
    label::{__classifier_inputs, __six_inputs},
    six::{__near_mean, __six_feature_names, __word_bucket, __NEAR},
};

pub use crate::{
    error::{Error, ErrorKind, Result},
    features::LineClassifier,
    fold::{normalize, Fingerprint},
    label::{label, Labelled, LabelledLine, Labeller, Reason, Segment},
    labels::Label,
    learn::{SiteLearner, SiteModelBuilder},
    lines::{lines, Line, Lines, Span},
    template::{ModelSet, SiteModel, Template, TemplateId, TemplateKind, MODEL_FORMAT_VERSION},
};
