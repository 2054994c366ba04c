//! The binary model format: a checked header, then the model's fields in
//! little-endian order, map keys ascending.
//!
//! ```text
//! magic     8 bytes   \xFF d e c h a f f   (never starts JSON or UTF-8 text)
//! format    u32       1: one SiteModel, 2: a ModelSet
//! version   u32       MODEL_FORMAT_VERSION
//! length    u64       bytes of the body that follows, all of them
//! crc32     u32       of the body
//! body
//! ```
//!
//! A site model's body is the text of all its lines and anchors, one UTF-8
//! string (checked once when read: cheaper than a check per line); then
//! `pages`, `duplicate_pages`, `sampled_pages` (u32), `min_share` (f64
//! bits), then its four maps, each a u32 count and its entries by ascending
//! u64 key: `lines` (pages u32, text), `prefixes` and `suffixes` (u32),
//! `anchors` (see [`write_anchor`]). A string is a u32 length and its
//! bytes; an entry's text is a u32 length, the next that many bytes of the
//! model's text. A set's body is a u32 count and, by ascending group, the
//! group's name and its model's body.
//!
//! Reading checks the header before the body, bounds every count and
//! length by the bytes left before allocating, and rejects keys out of
//! order (a repeated key would otherwise silently replace another).

use crate::{
    error::{Error, ErrorKind, Result},
    labels::Label,
};

use super::{Anchor, LineStat, RoleSource, SiteModel, Table, TemplateKind};

/// The first bytes of every binary model file. `\xFF` is never the first
/// byte of JSON (nor of UTF-8 text), so loading tells the formats apart.
pub(crate) const MAGIC: [u8; 8] = *b"\xFFdechaff";

/// Header bytes: magic, format, version, body length, checksum.
const HEADER_LEN: usize = 8 + 4 + 4 + 8 + 4;

/// The format code of a file holding one [`SiteModel`].
pub(crate) const CODE_SITE: u32 = 1;
/// The format code of a file holding a [`ModelSet`](super::ModelSet).
pub(crate) const CODE_SET: u32 = 2;

/// Whether `bytes` start like a binary model file (or are a truncated start
/// of one), rather than JSON.
pub(crate) fn is_binary(bytes: &[u8]) -> bool {
    !bytes.is_empty() && MAGIC.starts_with(&bytes[..bytes.len().min(MAGIC.len())])
}

/// A file of format `code`, version `version` and this body.
pub(crate) fn wrap(code: u32, version: u32, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + body.len());
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&code.to_le_bytes());
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(body).to_le_bytes());
    out.extend_from_slice(body);
    out
}

/// The header of a binary file: its format code and version, and the body
/// (not yet checked against the header's length and checksum).
pub(crate) struct Header<'a> {
    pub(crate) code: u32,
    pub(crate) version: u32,
    length: u64,
    crc: u32,
    body: &'a [u8],
}

impl<'a> Header<'a> {
    /// Split a file that [`is_binary`] into header and body.
    pub(crate) fn read(file: &'a [u8]) -> Result<Header<'a>> {
        if file.len() < HEADER_LEN {
            return Err(corrupt("truncated header"));
        }
        let mut r = Reader(&file[MAGIC.len()..]);
        Ok(Header {
            code: r.u32()?,
            version: r.u32()?,
            length: r.u64()?,
            crc: r.u32()?,
            body: r.0,
        })
    }

    /// The body, once its length and checksum agree with the header.
    pub(crate) fn body(&self) -> Result<Reader<'a>> {
        if self.length != self.body.len() as u64 {
            return Err(corrupt(if self.length > self.body.len() as u64 {
                "truncated body"
            } else {
                "bytes after the body"
            }));
        }
        if crc32fast::hash(self.body) != self.crc {
            return Err(corrupt("checksum mismatch"));
        }
        Ok(Reader(self.body))
    }
}

fn corrupt(what: &str) -> Error {
    Error::new(ErrorKind::CorruptModel(format!("binary model: {what}")))
}

/// Appends the body of one model.
pub(crate) fn write_model(out: &mut Vec<u8>, m: &SiteModel) {
    let mut texts = String::new();
    let mut fields = Vec::new();
    write_fields(&mut fields, &mut texts, m);
    put_str(out, &texts);
    out.extend_from_slice(&fields);
}

/// The model's fields, its text lengths in `out`, their bytes in `texts`.
fn write_fields(out: &mut Vec<u8>, texts: &mut String, m: &SiteModel) {
    let SiteModel {
        pages,
        duplicate_pages,
        min_share,
        lines,
        prefixes,
        suffixes,
        anchors,
        sampled_pages,
    } = m;
    for n in [pages, duplicate_pages, sampled_pages] {
        put_u32(out, *n);
    }
    out.extend_from_slice(&min_share.to_bits().to_le_bytes());
    write_map(out, lines, |out, l| {
        let LineStat { pages, text } = l;
        put_u32(out, *pages);
        put_text(out, texts, text);
    });
    for counts in [prefixes, suffixes] {
        write_map(out, counts, |out, n| put_u32(out, *n));
    }
    write_map(out, anchors, |out, a| write_anchor(out, texts, a));
}

/// An anchor: kind, role, role source, frames (u8 each), pages, after,
/// before, region, neighbours (u32 each), text.
fn write_anchor(out: &mut Vec<u8>, texts: &mut String, a: &Anchor) {
    let Anchor {
        kind,
        text,
        pages,
        role,
        role_source,
        after,
        before,
        region,
        neighbours,
        frames,
    } = a;
    out.extend_from_slice(&[
        kind_code(*kind),
        role.index() as u8,
        source_code(*role_source),
        u8::from(*frames),
    ]);
    put_u32(out, *pages);
    for n in after.iter().chain(before).chain(region).chain(neighbours) {
        put_u32(out, *n);
    }
    put_text(out, texts, text);
}

/// Bytes of an anchor other than its text's bytes.
const ANCHOR_MIN_LEN: usize = 4 + 4 + 4 * (2 + 2 + 6 + 6) + 4;

/// Reads the body of one model (not yet checked for consistency).
pub(crate) fn read_model(r: &mut Reader<'_>) -> Result<SiteModel> {
    let mut texts = Texts(r.str()?);
    // Fields are read in the order written (struct expressions evaluate
    // their fields in source order).
    let model = SiteModel {
        pages: r.u32()?,
        duplicate_pages: r.u32()?,
        sampled_pages: r.u32()?,
        min_share: f64::from_bits(r.u64()?),
        lines: read_map(r, 4 + 4, |r| {
            Ok(LineStat {
                pages: r.u32()?,
                text: texts.take(r.u32()?)?,
            })
        })?,
        prefixes: read_map(r, 4, Reader::u32)?,
        suffixes: read_map(r, 4, Reader::u32)?,
        anchors: read_map(r, ANCHOR_MIN_LEN, |r| read_anchor(r, &mut texts))?,
    };
    if !texts.0.is_empty() {
        return Err(corrupt("text left over"));
    }
    Ok(model)
}

fn read_anchor(r: &mut Reader<'_>, texts: &mut Texts<'_>) -> Result<Anchor> {
    let [kind, role, source, frames] = r.array::<4>()?;
    let kind = match kind {
        0 => TemplateKind::Exact,
        1 => TemplateKind::Slotted,
        _ => return Err(corrupt("unknown template kind")),
    };
    let role = *Label::ALL
        .get(role as usize)
        .ok_or_else(|| corrupt("unknown label"))?;
    let role_source = match source {
        0 => RoleSource::Cue,
        1 => RoleSource::Neighbours,
        2 => RoleSource::Shape,
        _ => return Err(corrupt("unknown role source")),
    };
    let frames = match frames {
        0 => false,
        1 => true,
        _ => return Err(corrupt("flag not 0 or 1")),
    };
    let pages = r.u32()?;
    let mut counts = [0u32; 16];
    for n in &mut counts {
        *n = r.u32()?;
    }
    let pick = |at: usize| counts[at];
    Ok(Anchor {
        kind,
        role,
        role_source,
        frames,
        pages,
        after: [pick(0), pick(1)],
        before: [pick(2), pick(3)],
        region: std::array::from_fn(|i| pick(4 + i)),
        neighbours: std::array::from_fn(|i| pick(10 + i)),
        text: texts.take(r.u32()?)?,
    })
}

fn kind_code(kind: TemplateKind) -> u8 {
    match kind {
        TemplateKind::Exact => 0,
        TemplateKind::Slotted => 1,
    }
}

fn source_code(source: RoleSource) -> u8 {
    match source {
        RoleSource::Cue => 0,
        RoleSource::Neighbours => 1,
        RoleSource::Shape => 2,
    }
}

pub(crate) fn put_u32(out: &mut Vec<u8>, n: u32) {
    out.extend_from_slice(&n.to_le_bytes());
}

/// An entry's text: its length in `out`, its bytes in `texts`.
fn put_text(out: &mut Vec<u8>, texts: &mut String, s: &str) {
    put_u32(out, u32::try_from(s.len()).expect("text under 4 GiB"));
    texts.push_str(s);
}

/// A string as a u32 length and its bytes.
pub(crate) fn put_str(out: &mut Vec<u8>, s: &str) {
    put_u32(out, u32::try_from(s.len()).expect("text under 4 GiB"));
    out.extend_from_slice(s.as_bytes());
}

/// A map as a u32 count and its entries by ascending key, whatever order
/// the map iterates in.
fn write_map<'m, V: 'm>(
    out: &mut Vec<u8>,
    map: impl IntoIterator<Item = (&'m u64, &'m V)>,
    mut value: impl FnMut(&mut Vec<u8>, &V),
) {
    let mut entries: Vec<(u64, &V)> = map.into_iter().map(|(&k, v)| (k, v)).collect();
    entries.sort_unstable_by_key(|e| e.0);
    put_u32(
        out,
        u32::try_from(entries.len()).expect("under 2^32 entries"),
    );
    for (k, v) in entries {
        out.extend_from_slice(&k.to_le_bytes());
        value(out, v);
    }
}

/// A map written by [`write_map`]; each value takes at least `min_value`
/// bytes, which bounds the count by the bytes left.
fn read_map<'a, V>(
    r: &mut Reader<'a>,
    min_value: usize,
    mut value: impl FnMut(&mut Reader<'a>) -> Result<V>,
) -> Result<Table<V>> {
    let n = r.count(8 + min_value)?;
    let mut table = Table::with_capacity_and_hasher(n, Default::default());
    let mut last = None;
    for _ in 0..n {
        let k = r.u64()?;
        if last.is_some_and(|l| l >= k) {
            return Err(corrupt("map keys out of order"));
        }
        last = Some(k);
        table.insert(k, value(r)?);
    }
    Ok(table)
}

/// The model's text not yet handed out, entry by entry.
struct Texts<'a>(&'a str);

impl Texts<'_> {
    /// The next `len` bytes, if they are whole characters.
    fn take(&mut self, len: u32) -> Result<String> {
        let len = len as usize;
        if !self.0.is_char_boundary(len) {
            return Err(corrupt(
                "text length past the model's text or inside a character",
            ));
        }
        let (text, rest) = self.0.split_at(len);
        self.0 = rest;
        Ok(text.to_owned())
    }
}

/// Reads a body front to back; every read checks the bytes left.
pub(crate) struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let (head, rest) = self
            .0
            .split_first_chunk::<N>()
            .ok_or_else(|| corrupt("truncated body"))?;
        self.0 = rest;
        Ok(*head)
    }

    pub(crate) fn u32(&mut self) -> Result<u32> {
        self.array().map(u32::from_le_bytes)
    }

    fn u64(&mut self) -> Result<u64> {
        self.array().map(u64::from_le_bytes)
    }

    /// A count of items of at least `min_len` bytes each, if that many
    /// fit in the bytes left.
    pub(crate) fn count(&mut self, min_len: usize) -> Result<usize> {
        let n = self.u32()? as usize;
        if n.saturating_mul(min_len) > self.0.len() {
            return Err(corrupt("count larger than the file"));
        }
        Ok(n)
    }

    /// A string written by [`put_str`].
    fn str(&mut self) -> Result<&'a str> {
        let n = self.count(1)?;
        let (text, rest) = self.0.split_at(n);
        self.0 = rest;
        std::str::from_utf8(text).map_err(|_| corrupt("text not UTF-8"))
    }

    /// A string written by [`put_str`], owned.
    pub(crate) fn string(&mut self) -> Result<String> {
        self.str().map(str::to_owned)
    }

    /// Whether every byte has been read.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
