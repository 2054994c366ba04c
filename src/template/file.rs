//! The model file formats: binary (see [`binary`](super::binary)), which
//! loads fast, and JSON in a versioned envelope naming its format, for
//! people to read. Loading tells them apart by the first bytes.

use std::{
    collections::BTreeMap,
    io::{Read, Write},
};

use serde::{de::Error as _, Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, ErrorKind, Result};

use super::{
    binary::{self, Header, CODE_SET, CODE_SITE},
    SiteModel,
};

/// The format name of a file holding one [`SiteModel`].
const FORMAT_SITE: &str = "dechaff-site-model";
/// The format name of a file holding a [`ModelSet`].
const FORMAT_SET: &str = "dechaff-model-set";
/// The format names files written before the rename from `chaff` carry;
/// they load as [`FORMAT_SITE`] and [`FORMAT_SET`].
const LEGACY_FORMATS: [(&str, &str); 2] = [
    ("chaff-site-model", FORMAT_SITE),
    ("chaff-model-set", FORMAT_SET),
];
/// The model file version this build reads and writes, in both formats.
pub const MODEL_FORMAT_VERSION: u32 = 1;

/// A file format: its JSON name and binary code.
#[derive(Clone, Copy)]
struct Format {
    name: &'static str,
    code: u32,
}

const SITE: Format = Format {
    name: FORMAT_SITE,
    code: CODE_SITE,
};
const SET: Format = Format {
    name: FORMAT_SET,
    code: CODE_SET,
};

#[derive(Serialize)]
struct Envelope<T> {
    format: String,
    version: u32,
    #[serde(flatten)]
    body: T,
}

#[derive(Deserialize)]
struct JsonHeader {
    format: String,
    version: u32,
}

impl SiteModel {
    /// Write the model in the binary format, which loads fast.
    pub fn save<W: Write>(&self, writer: W) -> Result<()> {
        let mut body = Vec::new();
        binary::write_model(&mut body, self);
        save_binary(writer, SITE, &body)
    }

    /// Write the model as JSON, with a format name and version: larger and
    /// slower to load than [`SiteModel::save`]'s, for people to read.
    pub fn save_json<W: Write>(&self, writer: W) -> Result<()> {
        save_json(writer, FORMAT_SITE, self)
    }

    /// Read a model written by [`SiteModel::save`] or
    /// [`SiteModel::save_json`], telling the formats apart by the first
    /// bytes.
    ///
    /// A truncated or corrupt file gives [`ErrorKind::CorruptModel`]; a file
    /// from a newer format version gives [`ErrorKind::UnsupportedVersion`].
    pub fn load<R: Read>(reader: R) -> Result<SiteModel> {
        let bytes = read_all(reader)?;
        if binary::is_binary(&bytes) {
            let mut body = open_binary(&bytes, SITE)?;
            let model = binary::read_model(&mut body)?;
            finish_binary(&body)?;
            model.check()?;
            return Ok(model);
        }
        load_json::<Unchecked>(&bytes, FORMAT_SITE)?.check()
    }
}

impl Serialize for SiteModel {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        SiteModel::serialize(self, serializer)
    }
}

/// Deserialising checks the model's consistency ([`SiteModel::load`] does
/// the same and tells the error apart as [`ErrorKind::InconsistentModel`]).
impl<'de> Deserialize<'de> for SiteModel {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        Unchecked::deserialize(deserializer)?
            .check()
            .map_err(D::Error::custom)
    }
}

/// A model as read, before its consistency check.
struct Unchecked(SiteModel);

impl<'de> Deserialize<'de> for Unchecked {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        SiteModel::deserialize(deserializer).map(Unchecked)
    }
}

impl Unchecked {
    /// The model, if it is consistent.
    fn check(self) -> Result<SiteModel> {
        self.0.check()?;
        Ok(self.0)
    }
}

/// A set as read, before its models' consistency checks.
#[derive(Deserialize)]
struct UncheckedSet {
    sites: BTreeMap<String, Unchecked>,
}

/// Serialise a model's table with its keys ascending, so that the same
/// model always saves to the same bytes.
pub(super) fn sorted<V: Serialize, S: Serializer>(
    table: &super::Table<V>,
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    let mut entries: Vec<(&u64, &V)> = table.iter().collect();
    entries.sort_unstable_by_key(|e| e.0);
    serializer.collect_map(entries)
}

/// Write any serialisable body in the versioned JSON envelope.
fn save_json<W: Write, T: Serialize>(writer: W, format: &str, body: &T) -> Result<()> {
    let env = Envelope {
        format: format.to_string(),
        version: MODEL_FORMAT_VERSION,
        body,
    };
    let mut writer = std::io::BufWriter::new(writer);
    serde_json::to_writer(&mut writer, &env).map_err(|e| match e.io_error_kind() {
        Some(_) => Error::from(std::io::Error::from(e)),
        None => Error::because(e, ErrorKind::CorruptModel),
    })?;
    writer.flush()?;
    Ok(())
}

/// Write a binary body behind its header.
fn save_binary<W: Write>(mut writer: W, format: Format, body: &[u8]) -> Result<()> {
    writer.write_all(&binary::wrap(format.code, MODEL_FORMAT_VERSION, body))?;
    writer.flush()?;
    Ok(())
}

fn read_all<R: Read>(mut reader: R) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Check a format name and version read from a file.
fn check_header(found: &str, version: u32, format: &'static str) -> Result<()> {
    let found_current = LEGACY_FORMATS
        .iter()
        .find(|(legacy, _)| *legacy == found)
        .map_or(found, |(_, current)| *current);
    if found_current != format {
        return Err(Error::new(ErrorKind::NotAModel {
            found: found.into(),
            expected: format,
        }));
    }
    if version != MODEL_FORMAT_VERSION {
        return Err(Error::new(ErrorKind::UnsupportedVersion {
            found: version,
            supported: MODEL_FORMAT_VERSION,
        }));
    }
    Ok(())
}

/// The body of a binary file of `format`, once its header checks out.
fn open_binary(bytes: &[u8], format: Format) -> Result<binary::Reader<'_>> {
    let header = Header::read(bytes)?;
    let found = match header.code {
        CODE_SITE => FORMAT_SITE.to_string(),
        CODE_SET => FORMAT_SET.to_string(),
        code => format!("binary format {code}"),
    };
    check_header(&found, header.version, format.name)?;
    header.body()
}

/// A body read to its end is all there is.
fn finish_binary(body: &binary::Reader<'_>) -> Result<()> {
    if !body.is_empty() {
        return Err(Error::new(ErrorKind::CorruptModel(
            "binary model: bytes after the last field".into(),
        )));
    }
    Ok(())
}

/// Read a JSON body written by [`save_json`], checking format name and
/// version first.
fn load_json<T: for<'de> Deserialize<'de>>(bytes: &[u8], format: &'static str) -> Result<T> {
    let header: JsonHeader =
        serde_json::from_slice(bytes).map_err(|e| Error::because(e, ErrorKind::CorruptModel))?;
    check_header(&header.format, header.version, format)?;
    // The body's fields sit beside `format` and `version`, which it ignores.
    // (Not through `Envelope`: serde's `flatten` buffers the map and then
    // cannot read the integer keys of the body's maps from JSON strings.)
    serde_json::from_slice(bytes).map_err(|e| Error::because(e, ErrorKind::CorruptModel))
}

/// Site models of many sites, keyed by site group: what the `dechaff` example
/// writes to one model file. Deserialising with serde checks each model
/// (see [`SiteModel`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ModelSet {
    sites: BTreeMap<String, SiteModel>,
}

impl ModelSet {
    /// An empty set.
    pub fn new() -> ModelSet {
        ModelSet::default()
    }

    /// Add (or replace) the model of a site group.
    pub fn insert(&mut self, group: impl Into<String>, model: SiteModel) {
        self.sites.insert(group.into(), model);
    }

    /// The model of a site group.
    pub fn get(&self, group: &str) -> Option<&SiteModel> {
        self.sites.get(group)
    }

    /// Site groups and their models, in group order, taken out of the set
    /// (to hand each model to its [`Labeller`](crate::Labeller)).
    pub fn into_models(self) -> impl Iterator<Item = (String, SiteModel)> {
        self.sites.into_iter()
    }

    /// Site groups and their models, in group order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &SiteModel)> + '_ {
        self.sites.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Number of site groups.
    pub fn len(&self) -> usize {
        self.sites.len()
    }

    /// Whether the set holds no model.
    pub fn is_empty(&self) -> bool {
        self.sites.is_empty()
    }

    /// Merge another set into this one, site by site (see [`SiteModel::merge`]).
    pub fn merge(&mut self, other: &ModelSet) {
        for (group, model) in &other.sites {
            let merged = match self.sites.get(group) {
                Some(mine) => mine.merge(model),
                None => model.clone(),
            };
            self.sites.insert(group.clone(), merged);
        }
    }

    /// Write the set in the binary format, which loads fast.
    pub fn save<W: Write>(&self, writer: W) -> Result<()> {
        let mut body = Vec::new();
        binary::put_u32(&mut body, self.len() as u32);
        for (group, model) in &self.sites {
            binary::put_str(&mut body, group);
            binary::write_model(&mut body, model);
        }
        save_binary(writer, SET, &body)
    }

    /// Write the set as JSON (see [`SiteModel::save_json`]).
    pub fn save_json<W: Write>(&self, writer: W) -> Result<()> {
        save_json(writer, FORMAT_SET, self)
    }

    /// Read a set written by [`ModelSet::save`] or [`ModelSet::save_json`].
    /// Errors as [`SiteModel::load`].
    pub fn load<R: Read>(reader: R) -> Result<ModelSet> {
        let bytes = read_all(reader)?;
        if binary::is_binary(&bytes) {
            return load_binary_set(&bytes);
        }
        let set: UncheckedSet = load_json(&bytes, FORMAT_SET)?;
        let sites = set
            .sites
            .into_iter()
            .map(|(group, model)| Ok((group, model.check()?)))
            .collect::<Result<_>>()?;
        Ok(ModelSet { sites })
    }
}

/// Bytes of a site model's body at the least: empty text, three counts, a
/// share and four empty maps.
const MODEL_MIN_LEN: usize = 4 + 3 * 4 + 8 + 4 * 4;

/// Read a binary set: groups ascending, each model checked.
fn load_binary_set(bytes: &[u8]) -> Result<ModelSet> {
    let mut body = open_binary(bytes, SET)?;
    let n = body.count(4 + MODEL_MIN_LEN)?;
    let mut sites = Vec::with_capacity(n);
    for _ in 0..n {
        let group = body.string()?;
        if sites.last().is_some_and(|(last, _)| *last >= group) {
            return Err(Error::new(ErrorKind::CorruptModel(
                "binary model: site groups out of order".into(),
            )));
        }
        let model = binary::read_model(&mut body)?;
        model.check()?;
        sites.push((group, model));
    }
    finish_binary(&body)?;
    Ok(ModelSet {
        sites: sites.into_iter().collect(),
    })
}
