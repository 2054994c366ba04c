//! Reading the gold corpora into one shape: pages with per-line gold.
//!
//! Every corpus becomes a list of [`Doc`]s: the page's bytes, the site group
//! it is learned with, and one [`Gold`] per non-blank line. Files are read
//! in a sorted order, and every file read is hashed into a [`Checksum`], so
//! the weights' header can name the exact inputs.

use std::{
    collections::BTreeMap,
    fs,
    path::{Path, PathBuf},
};

use dechaff::Label;

/// What the gold says about one non-blank line.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Gold {
    /// One of the six labels (sixlabel, seeds, devset, trainset).
    Six(Label),
    /// Body versus the rest only (wcxb, silver).
    Body,
    /// Boilerplate of some kind (wcxb, silver): anything but body.
    NotBody,
    /// Not scored (a title line of wcxb or silver, an excluded page).
    Unscored,
}

/// The corpus a page comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    Sixlabel,
    Seeds,
    Devset,
    Wcxb,
    Silver,
    /// Silver pages labelled by hand with the six labels (`trainset/`):
    /// training only, never a quality figure.
    Trainset,
    /// A short page cut from a six-labelled training page
    /// ([`Doc::cut`]): training only.
    Short,
}

impl Source {
    pub fn name(self) -> &'static str {
        match self {
            Source::Sixlabel => "sixlabel",
            Source::Seeds => "seeds",
            Source::Devset => "devset",
            Source::Wcxb => "wcxb",
            Source::Silver => "silver",
            Source::Trainset => "trainset",
            Source::Short => "short",
        }
    }
}

/// One page with its gold.
pub struct Doc {
    pub source: Source,
    pub id: String,
    /// The site group the page is learned with (its own id for single pages).
    pub group: String,
    /// wcxb's page type (`article`, ...), empty elsewhere.
    pub kind: String,
    pub text: Vec<u8>,
    /// One entry per non-blank line, in order.
    pub gold: Vec<Gold>,
}

/// FNV-1a over every file read, in the order read, and the bytes read.
#[derive(Clone, Copy, Debug)]
pub struct Checksum {
    pub hash: u64,
    pub files: u64,
    pub bytes: u64,
}

impl Default for Checksum {
    fn default() -> Checksum {
        Checksum {
            hash: FNV_OFFSET,
            files: 0,
            bytes: 0,
        }
    }
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a, continuing from `h`.
pub fn fnv_from(h: u64, bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(h, |h, &b| (h ^ b as u64).wrapping_mul(0x100_0000_01b3))
}

/// FNV-1a of `bytes`.
pub fn fnv(bytes: &[u8]) -> u64 {
    fnv_from(FNV_OFFSET, bytes)
}

/// A reader of one corpus that checksums what it reads.
struct Reader {
    root: PathBuf,
    sum: Checksum,
}

impl Reader {
    fn new(root: PathBuf) -> Reader {
        Reader {
            root,
            sum: Checksum::default(),
        }
    }

    fn read(&mut self, rel: &str) -> Vec<u8> {
        let path = self.root.join(rel);
        let bytes = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        self.sum.hash = fnv_from(self.sum.hash, rel.as_bytes());
        self.sum.hash = fnv_from(self.sum.hash, &bytes);
        self.sum.files += 1;
        self.sum.bytes += bytes.len() as u64;
        bytes
    }

    fn read_string(&mut self, rel: &str) -> String {
        String::from_utf8(self.read(rel)).expect("gold files are UTF-8")
    }

    /// Sorted names in `rel` that end in `suffix`, the suffix cut off.
    fn list(&self, rel: &str, suffix: &str) -> Vec<String> {
        let mut out: Vec<String> = fs::read_dir(self.root.join(rel))
            .unwrap_or_else(|e| panic!("{}/{rel}: {e}", self.root.display()))
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter_map(|n| n.strip_suffix(suffix).map(str::to_string))
            .collect();
        out.sort();
        out
    }
}

fn nonblank_count(text: &[u8]) -> usize {
    dechaff::lines(text).filter(|l| !l.is_blank()).count()
}

/// `label<TAB>line` rows, checked against the page's non-blank lines.
fn tsv_gold(id: &str, text: &[u8], rows: &str, map: impl Fn(&str) -> Gold) -> Vec<Gold> {
    let gold: Vec<Gold> = rows
        .lines()
        .map(|r| map(r.split('\t').next().unwrap_or("")))
        .collect();
    assert_eq!(gold.len(), nonblank_count(text), "{id}: gold rows");
    gold
}

/// Label-only rows (`devset/`, `trainset/`): one label per non-blank line
/// of the page.
fn label_rows(set: &str, id: &str, text: &[u8], rows: &str) -> Vec<Gold> {
    let gold: Vec<Gold> = rows.lines().map(six).collect();
    assert_eq!(gold.len(), nonblank_count(text), "{set} {id}: rows");
    gold
}

fn six(label: &str) -> Gold {
    Gold::Six(label.parse().expect("a six-label gold row"))
}

/// `<id>.txt` + `<id>.gold.tsv` folders (sixlabel, seeds). `one_site`
/// learns every page of the folder together.
fn load_gold_folder(dir: &Path, source: Source, one_site: bool, sums: &mut Sums) -> Vec<Doc> {
    let mut r = Reader::new(dir.to_path_buf());
    let mut docs = Vec::new();
    for id in r.list(".", ".gold.tsv") {
        let text = r.read(&format!("{id}.txt"));
        let rows = r.read_string(&format!("{id}.gold.tsv"));
        let gold = tsv_gold(&id, &text, &rows, six);
        let group = if one_site {
            source.name().to_string()
        } else {
            id.clone()
        };
        docs.push(Doc {
            source,
            id,
            group,
            kind: String::new(),
            text,
            gold,
        });
    }
    sums.insert(source, r.sum);
    docs
}

/// Checksums of the corpora read, by source.
pub type Sums = BTreeMap<Source, Checksum>;

/// Every corpus under `root` (`../shared/corpus`), the dev set under
/// `devset` (`devset/labels`) and the hand labels of silver pages under
/// `trainset` (`trainset/labels`).
pub fn load_all(root: &Path, devset: &Path, trainset: &Path, sums: &mut Sums) -> Vec<Doc> {
    let mut docs = load_gold_folder(&root.join("sixlabel"), Source::Sixlabel, false, sums);
    docs.extend(load_gold_folder(
        &root.join("seeds"),
        Source::Seeds,
        true,
        sums,
    ));
    docs.extend(load_wcxb(&root.join("wcxb"), devset, sums));
    docs.extend(load_silver(&root.join("silver"), trainset, sums));
    let short: Vec<Doc> = docs.iter().filter_map(Doc::short_for_training).collect();
    docs.extend(short);
    docs
}

/// wcxb pages with binary gold, and the dev set's pages (wcxb text) with
/// six-label gold instead.
fn load_wcxb(dir: &Path, devset: &Path, sums: &mut Sums) -> Vec<Doc> {
    let mut r = Reader::new(dir.to_path_buf());
    let mut d = Reader::new(devset.to_path_buf());
    let manifest = r.read_string("manifest.tsv");
    let excluded = r.read_string("excluded.txt");
    let excluded: Vec<&str> = excluded.lines().map(str::trim).collect();
    let dev: Vec<String> = d.list(".", ".tsv");
    let mut docs = Vec::new();
    for row in manifest.lines().skip(1) {
        let cols: Vec<&str> = row.split('\t').collect();
        let [id, kind, _site, group, ..] = cols[..] else {
            continue;
        };
        let text = r.read(&format!("text/{id}.txt"));
        let (source, gold) = if dev.iter().any(|x| x == id) {
            let rows = d.read_string(&format!("{id}.tsv"));
            (Source::Devset, label_rows("devset", id, &text, &rows))
        } else if excluded.contains(&id) {
            // Excluded pages still teach their site's templates.
            (Source::Wcxb, vec![Gold::Unscored; nonblank_count(&text)])
        } else {
            let rows = r.read_string(&format!("labels/{id}.tsv"));
            (Source::Wcxb, tsv_gold(id, &text, &rows, binary))
        };
        docs.push(Doc {
            source,
            id: id.to_string(),
            group: format!("wcxb:{group}"),
            kind: kind.to_string(),
            text,
            gold,
        });
    }
    sums.insert(Source::Wcxb, r.sum);
    sums.insert(Source::Devset, d.sum);
    docs
}

fn binary(label: &str) -> Gold {
    match label {
        "body" => Gold::Body,
        "boilerplate" => Gold::NotBody,
        // Readers' comments: comment_policy in the six-label policy.
        "comment" => Gold::Six(Label::CommentPolicy),
        _ => Gold::Unscored,
    }
}

/// silver pages with their machine labels, or with six-label gold where
/// `trainset` labels them by hand (one label per non-blank line).
fn load_silver(dir: &Path, trainset: &Path, sums: &mut Sums) -> Vec<Doc> {
    let mut r = Reader::new(dir.to_path_buf());
    let mut t = Reader::new(trainset.to_path_buf());
    let hand: Vec<String> = t.list(".", ".tsv");
    let mut docs = Vec::new();
    for id in r.list("labels", ".tsv") {
        let text = r.read(&format!("text/{id}.txt"));
        let (source, gold) = if hand.contains(&id) {
            let rows = t.read_string(&format!("{id}.tsv"));
            (Source::Trainset, label_rows("trainset", &id, &text, &rows))
        } else {
            let rows = r.read_string(&format!("labels/{id}.tsv"));
            (Source::Silver, tsv_gold(&id, &text, &rows, binary))
        };
        docs.push(Doc {
            source,
            group: format!("silver:{id}"),
            id,
            kind: String::new(),
            text,
            gold,
        });
    }
    let orphans: Vec<&String> = hand
        .iter()
        .filter(|id| !docs.iter().any(|d| &d.id == *id))
        .collect();
    assert!(
        orphans.is_empty(),
        "trainset labels without a silver page: {orphans:?}"
    );
    sums.insert(Source::Silver, r.sum);
    sums.insert(Source::Trainset, t.sum);
    docs
}

impl Doc {
    /// A short page cut from this page, as a small site's page or a
    /// crawl's truncated page looks: its first line (the title) if `title`,
    /// the `before` lines before its first body line, `body` lines from
    /// there and its last `tail` lines. `None` without gold body.
    pub fn cut(&self, title: bool, before: usize, body: usize, tail: usize) -> Option<Doc> {
        let lines: Vec<&[u8]> = dechaff::lines(&self.text)
            .filter(|l| !l.is_blank())
            .map(|l| l.bytes())
            .collect();
        let first = self
            .gold
            .iter()
            .position(|g| *g == Gold::Six(Label::Body))?;
        let n = lines.len();
        let mut keep = if title { vec![0] } else { Vec::new() };
        keep.extend(first.saturating_sub(before)..(first + body).min(n));
        keep.extend(n.saturating_sub(tail)..n);
        keep.sort_unstable();
        keep.dedup();
        let mut text = Vec::new();
        for &i in &keep {
            text.extend_from_slice(lines[i]);
            text.push(b'\n');
        }
        Some(Doc {
            source: self.source,
            id: self.id.clone(),
            group: self.group.clone(),
            kind: self.kind.clone(),
            text,
            gold: keep.iter().map(|&i| self.gold[i]).collect(),
        })
    }

    /// A six-labelled training page cut short (a shape drawn from its id,
    /// so the set is the same on every run; half keep the title, so that
    /// the first line of a short page is not taught to be a title),
    /// learned alone in its own group: short pages are rare in the
    /// corpora but common in crawls.
    fn short_for_training(&self) -> Option<Doc> {
        if !matches!(self.source, Source::Sixlabel | Source::Trainset) {
            return None;
        }
        let h = fnv(self.id.as_bytes());
        let pick = |shift: u32, lo: u64, span: u64| (lo + (h >> shift) % span) as usize;
        let title = (h >> 24) & 1 == 0;
        let mut d = self.cut(title, pick(0, 0, 6), pick(8, 1, 5), pick(16, 0, 5))?;
        d.source = Source::Short;
        d.group = format!("{}#short", self.group);
        Some(d)
    }

    /// The site a page belongs to, for the split into folds: the host of a
    /// sixlabel or silver page (its id after `sNNN_`), the wcxb group, or
    /// the seeds' one site.
    pub fn site(&self) -> &str {
        match self.source {
            Source::Sixlabel | Source::Silver | Source::Trainset | Source::Short => {
                self.id.split_once('_').map_or(&self.id, |s| s.1)
            }
            Source::Wcxb | Source::Devset => {
                self.group.strip_prefix("wcxb:").unwrap_or(&self.group)
            }
            Source::Seeds => "seeds",
        }
    }
}
