//! `--manifest`: a TSV table that maps document ids to their group, URL
//! and other columns (such as a page type for `eval --by`).

use std::{
    collections::HashMap,
    fs,
    io::{BufRead, BufReader},
    path::Path,
};

use dechaff::dump::Document;

use crate::Result;

/// A TSV table with a header row. The column named `id` holds the document
/// id (it must exist); the other columns are free. Rows need as many fields
/// as the header.
#[derive(Clone, Debug, Default)]
pub struct Manifest {
    columns: Vec<String>,
    rows: HashMap<String, Vec<String>>,
}

impl Manifest {
    /// Read a manifest. A header without an `id` column, or a row with too
    /// few fields, is an error naming its line.
    pub fn from_reader<R: BufRead>(rdr: R) -> Result<Manifest> {
        let mut manifest = Manifest::default();
        let mut id_col = None;
        for (i, line) in rdr.split(b'\n').enumerate() {
            let n = i + 1;
            let line = line.map_err(|e| format!("line {n}: {e}"))?;
            let line = line.strip_suffix(b"\r").unwrap_or(&line);
            if line.is_empty() {
                continue;
            }
            let text = String::from_utf8_lossy(line);
            let fields: Vec<String> = text.split('\t').map(str::to_string).collect();
            let Some(id) = id_col else {
                let col = fields.iter().position(|f| f == "id");
                id_col = Some(col.ok_or_else(|| format!("line {n}: no `id` column"))?);
                manifest.columns = fields;
                continue;
            };
            if fields.len() < manifest.columns.len() {
                return Err(format!("line {n}: fewer fields than the header").into());
            }
            manifest.rows.insert(fields[id].clone(), fields);
        }
        Ok(manifest)
    }

    /// Read a manifest file.
    pub fn open(path: &Path) -> Result<Manifest> {
        let file = fs::File::open(path)?;
        Manifest::from_reader(BufReader::new(file))
    }

    /// The value of `column` for document `id`.
    pub fn get(&self, id: &str, column: &str) -> Option<&str> {
        let col = self.columns.iter().position(|c| c == column)?;
        self.rows.get(id).map(|row| row[col].as_str())
    }

    /// Set `doc.group` and `doc.url` from the `group` and `url` columns, if
    /// the manifest has them and a row for `doc.id` with non-empty values.
    /// Returns whether the manifest has a row for the document.
    pub fn apply(&self, doc: &mut Document) -> bool {
        let Some(row) = self.rows.get(&doc.id) else {
            return false;
        };
        let value = |name: &str| {
            let col = self.columns.iter().position(|c| c == name)?;
            Some(row[col].as_str()).filter(|v| !v.is_empty())
        };
        if let Some(group) = value("group") {
            doc.group = group.to_string();
        }
        if let Some(url) = value("url") {
            doc.url = Some(url.to_string());
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest() {
        let m = Manifest::from_reader(&b"id\tgroup\turl\nx\tg1\t\ny\tg2\thttps://y.example/\n"[..])
            .unwrap();
        let mut doc = Document {
            id: "x".into(),
            group: "old".into(),
            ..Document::default()
        };
        assert!(m.apply(&mut doc));
        assert_eq!((doc.group.as_str(), doc.url.as_deref()), ("g1", None));
        assert_eq!(m.get("y", "url"), Some("https://y.example/"));
        assert!(!m.apply(&mut Document::default()));
        let err = Manifest::from_reader(&b"id\tgroup\r\nx\n"[..]).unwrap_err();
        assert!(err.to_string().starts_with("line 2:"), "{err}");
        assert!(Manifest::from_reader(&b"name\tgroup\n"[..]).is_err());
    }
}
