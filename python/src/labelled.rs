//! `Labelled` and `Template`: frozen values handed to Python.

use dechaff::{Label, TemplateKind};
use pyo3::{prelude::*, types::PyDict};

use crate::{
    engine::{self, Model, Record, Scratch},
    page::Page,
};

/// The labels of one page's lines.
///
/// ``lines`` holds ``(label, start, end)`` for every non-blank line, the
/// line terminator excluded; offsets count characters when the page was a
/// ``str`` and bytes when it was ``bytes`` (see ``offsets``), so
/// ``page[start:end]`` is the line either way. ``labels`` and ``reasons``
/// run parallel to ``lines``.
#[pyclass(frozen, module = "dechaff", name = "Labelled")]
pub struct PyLabelled {
    record: Record,
    chars: bool,
}

impl PyLabelled {
    /// Label `page` with `model` (or without one) in `scratch`'s buffers.
    /// Call it detached.
    pub fn label(model: Option<&Model>, page: &Page, scratch: &mut Scratch) -> PyLabelled {
        let mut record = engine::label(model.map(|m| &**m), page.bytes(), scratch);
        if let Some(text) = page.text() {
            record.count_chars(text);
        }
        PyLabelled {
            record,
            chars: page.text().is_some(),
        }
    }
}

#[pymethods]
impl PyLabelled {
    /// The label of each non-blank line, in page order.
    #[getter]
    fn labels(&self) -> Vec<&'static str> {
        self.record.lines.iter().map(|l| l.label.as_str()).collect()
    }

    /// ``(label, start, end)`` of each non-blank line.
    #[getter]
    fn lines(&self) -> Vec<(&'static str, usize, usize)> {
        self.record
            .lines
            .iter()
            .map(|l| (l.label.as_str(), l.start, l.end))
            .collect()
    }

    /// Why each non-blank line got its label (a template, named by the
    /// ``id`` of ``SiteModel.templates()``, a cue, the line features...).
    #[getter]
    fn reasons(&self) -> Vec<String> {
        self.record
            .lines
            .iter()
            .map(|l| l.reason.to_string())
            .collect()
    }

    /// The body lines joined by ``\n`` (invalid UTF-8 of a ``bytes`` page
    /// replaced by U+FFFD).
    #[getter]
    fn body_text(&self) -> &str {
        &self.record.body
    }

    /// Non-blank lines per label, all six labels present.
    #[getter]
    fn counts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for label in Label::ALL {
            d.set_item(label.as_str(), self.record.counts[label.index()])?;
        }
        Ok(d)
    }

    /// ``"chars"`` or ``"bytes"``: what the offsets in ``lines`` count.
    #[getter]
    fn offsets(&self) -> &'static str {
        if self.chars {
            "chars"
        } else {
            "bytes"
        }
    }

    /// ``{"lines": [[label, start, end], ...], "counts": {...}}``: the
    /// ``metadata`` the ``dechaff label --format jsonl`` program writes
    /// (less its ``group``).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        let lines: Vec<[Py<PyAny>; 3]> = self
            .record
            .lines
            .iter()
            .map(|l| -> PyResult<_> {
                Ok([
                    l.label.as_str().into_pyobject(py)?.into_any().unbind(),
                    l.start.into_pyobject(py)?.into_any().unbind(),
                    l.end.into_pyobject(py)?.into_any().unbind(),
                ])
            })
            .collect::<PyResult<_>>()?;
        d.set_item("lines", lines)?;
        d.set_item("counts", self.counts(py)?)?;
        Ok(d)
    }

    /// Number of non-blank lines.
    fn __len__(&self) -> usize {
        self.record.lines.len()
    }

    fn __repr__(&self) -> String {
        let counts: Vec<String> = Label::ALL
            .iter()
            .filter(|l| self.record.counts[l.index()] > 0)
            .map(|l| format!("{}={}", l.as_str(), self.record.counts[l.index()]))
            .collect();
        format!(
            "<Labelled {} lines: {}>",
            self.record.lines.len(),
            counts.join(", ")
        )
    }
}

/// One learned template of a site: a line (``kind="exact"``) or fixed words
/// around a variable slot (``kind="slotted"``, the slot shown as ``…``).
#[pyclass(frozen, get_all, module = "dechaff", name = "Template")]
pub struct PyTemplate {
    /// Its id, as ``Labelled.reasons`` name it (``#`` and 16 hex digits).
    id: String,
    /// ``"exact"`` or ``"slotted"``.
    kind: &'static str,
    /// The folded text.
    text: String,
    /// Pages it was seen on (slotted: among the sampled pages).
    pages: u32,
    /// The label its lines get.
    label: &'static str,
}

impl PyTemplate {
    pub fn new(t: &dechaff::Template<'_>) -> PyTemplate {
        PyTemplate {
            id: t.id.to_string(),
            kind: match t.kind {
                TemplateKind::Exact => "exact",
                TemplateKind::Slotted => "slotted",
            },
            text: t.text.to_string(),
            pages: t.pages,
            label: t.label.as_str(),
        }
    }
}

#[pymethods]
impl PyTemplate {
    fn __repr__(&self) -> String {
        format!(
            "<Template {} {} {} on {} pages: {:?}>",
            self.id, self.kind, self.label, self.pages, self.text
        )
    }
}
