//! Python bindings of dechaff: the `dechaff._dechaff` extension module.
//!
//! `python/python/dechaff/__init__.py` re-exports it; the docstrings here
//! are the Python API's. Every call that labels or learns releases the
//! interpreter (`Python::detach`) while it works, and pages are read from
//! the Python objects' own buffers, not copied.

#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod engine;
mod labelled;
mod model;
mod page;

use dechaff::Label;
use pyo3::{create_exception, exceptions::PyException, prelude::*, types::PyTuple};

use crate::{
    labelled::{PyLabelled, PyTemplate},
    model::{PyModelSet, PySiteLearner, PySiteModel},
    page::{par_map, Page},
};

create_exception!(
    dechaff,
    DechaffError,
    PyException,
    "A corrupt, truncated, newer-version or wrong-kind model, a page that has no UTF-8 form, or a finished SiteLearner."
);

/// Label one page that has no siblings: cues and line features only.
///
/// ``page`` is a ``str`` (offsets in the result count characters) or
/// ``bytes`` (offsets count bytes; any bytes are a page, invalid UTF-8
/// included).
#[pyfunction]
fn label(py: Python<'_>, page: &Bound<'_, PyAny>) -> PyResult<PyLabelled> {
    let page = Page::extract(page)?;
    Ok(py.detach(|| PyLabelled::label(None, &page, &mut engine::Scratch::new())))
}

/// Label all pages of one site the way the ``dechaff label`` program does:
/// learn a model from them if there are two or more, then label each with
/// it (a lone page is labelled without a model).
#[pyfunction]
#[pyo3(signature = (pages, *, min_share=None, sample_pages=None, threads=1))]
fn label_site(
    py: Python<'_>,
    pages: &Bound<'_, PyAny>,
    min_share: Option<f64>,
    sample_pages: Option<usize>,
    threads: usize,
) -> PyResult<Vec<PyLabelled>> {
    let pages = Page::extract_all(pages)?;
    let settings = engine::Settings {
        min_share,
        sample_pages,
    };
    Ok(py.detach(|| {
        let mut learner = settings.learner();
        pages.iter().for_each(|p| learner.add(p.bytes()));
        let model = engine::finish_site(learner);
        par_map(&pages, threads, |s, p| {
            PyLabelled::label(model.as_ref(), p, s)
        })
    }))
}

/// The host of a URL, lowercased, without user info and port; ``""`` if the
/// URL has none. The site key of the ``dechaff`` program for JSONL and WET
/// dumps.
#[pyfunction]
fn host(url: &str) -> String {
    dechaff::dump::host(url)
}

/// The extension module.
#[pymodule]
fn _dechaff(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    let labels: Vec<&str> = Label::ALL.iter().map(|l| l.as_str()).collect();
    m.add("LABELS", PyTuple::new(py, labels)?)?;
    m.add("MIN_SITE_PAGES", engine::MIN_SITE_PAGES)?;
    m.add("DechaffError", py.get_type::<DechaffError>())?;
    m.add_function(wrap_pyfunction!(label, m)?)?;
    m.add_function(wrap_pyfunction!(label_site, m)?)?;
    m.add_function(wrap_pyfunction!(host, m)?)?;
    m.add_class::<PyLabelled>()?;
    m.add_class::<PyTemplate>()?;
    m.add_class::<PySiteModel>()?;
    m.add_class::<PySiteLearner>()?;
    m.add_class::<PyModelSet>()?;
    Ok(())
}
