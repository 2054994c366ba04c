//! The model file format: JSON in a versioned envelope naming its format.

use std::{
    collections::BTreeMap,
    io::{Read, Write},
};

use serde::{de::Error as _, Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, ErrorKind, Result};

use super::SiteModel;

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
/// The model file version this build reads and writes.
pub const MODEL_FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Envelope<T> {
    format: String,
    version: u32,
    #[serde(flatten)]
    body: T,
}

#[derive(Deserialize)]
struct Header {
    format: String,
    version: u32,
}

impl SiteModel {
    /// Write the model as JSON, with a format name and version.
    pub fn save<W: Write>(&self, writer: W) -> Result<()> {
        save(writer, FORMAT_SITE, self)
    }

    /// Read a model written by [`SiteModel::save`].
    ///
    /// A truncated or corrupt file gives [`ErrorKind::CorruptModel`]; a file
    /// from a newer format version gives [`ErrorKind::UnsupportedVersion`].
    pub fn load<R: Read>(reader: R) -> Result<SiteModel> {
        load::<_, Unchecked>(reader, FORMAT_SITE)?.check()
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

/// Write any serialisable body in the versioned envelope.
fn save<W: Write, T: Serialize>(writer: W, format: &str, body: &T) -> Result<()> {
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

/// Read a body written by [`save`], checking format name and version first.
fn load<R: Read, T: for<'de> Deserialize<'de>>(mut reader: R, format: &'static str) -> Result<T> {
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes)?;
    let header: Header =
        serde_json::from_slice(&bytes).map_err(|e| Error::because(e, ErrorKind::CorruptModel))?;
    let found = LEGACY_FORMATS
        .iter()
        .find(|(legacy, _)| *legacy == header.format)
        .map_or(header.format.as_str(), |(_, current)| *current);
    if found != format {
        return Err(Error::new(ErrorKind::NotAModel {
            found: header.format.into(),
            expected: format,
        }));
    }
    if header.version != MODEL_FORMAT_VERSION {
        return Err(Error::new(ErrorKind::UnsupportedVersion {
            found: header.version,
            supported: MODEL_FORMAT_VERSION,
        }));
    }
    // The body's fields sit beside `format` and `version`, which it ignores.
    // (Not through `Envelope`: serde's `flatten` buffers the map and then
    // cannot read the integer keys of the body's maps from JSON strings.)
    serde_json::from_slice(&bytes).map_err(|e| Error::because(e, ErrorKind::CorruptModel))
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

    /// Write the set in the versioned model format.
    pub fn save<W: Write>(&self, writer: W) -> Result<()> {
        save(writer, FORMAT_SET, self)
    }

    /// Read a set written by [`ModelSet::save`]. Errors as [`SiteModel::load`].
    pub fn load<R: Read>(reader: R) -> Result<ModelSet> {
        let set: UncheckedSet = load(reader, FORMAT_SET)?;
        let sites = set
            .sites
            .into_iter()
            .map(|(group, model)| Ok((group, model.check()?)))
            .collect::<Result<_>>()?;
        Ok(ModelSet { sites })
    }
}
