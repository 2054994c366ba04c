//! `SiteModel`, `SiteLearner` and `ModelSet`.

use std::collections::BTreeMap;

use dechaff::{SiteLearner, SiteModel};
use pyo3::{
    exceptions::PyKeyError,
    prelude::*,
    types::{PyBytes, PyTuple},
};

use crate::{
    engine::{self, Model, Scratch, Settings},
    labelled::{PyLabelled, PyTemplate},
    page::{par_map, Page},
    DechaffError,
};

/// Pages handed to a learner per detached call: big enough that the
/// interpreter is left for long stretches, small enough that a stream of
/// pages is not held in memory.
const LEARN_CHUNK: usize = 256;

/// Feed the pages of an iterable to `learner` in chunks, detached.
fn add_all(py: Python<'_>, learner: &mut SiteLearner, pages: &Bound<'_, PyAny>) -> PyResult<()> {
    let mut chunk = Vec::with_capacity(LEARN_CHUNK);
    let mut iter = pages.try_iter()?.peekable();
    while iter.peek().is_some() {
        chunk.clear();
        for page in iter.by_ref().take(LEARN_CHUNK) {
            chunk.push(Page::extract(&page?)?);
        }
        py.detach(|| chunk.iter().for_each(|p| learner.add(p.bytes())));
    }
    Ok(())
}

fn corrupt(e: dechaff::Error) -> PyErr {
    DechaffError::new_err(e.to_string())
}

/// Write a model (or set) in the crate's versioned model format, detached.
fn save_bytes<'py>(
    py: Python<'py>,
    save: impl FnOnce(&mut Vec<u8>) -> dechaff::Result<()> + Send,
) -> PyResult<Bound<'py, PyBytes>> {
    let out = py.detach(|| {
        let mut out = Vec::new();
        save(&mut out).map(|()| out)
    });
    Ok(PyBytes::new(py, &out.map_err(corrupt)?))
}

/// Label `pages` with `model` on `threads` threads, detached.
fn label_pages(
    py: Python<'_>,
    model: Option<&Model>,
    pages: &Bound<'_, PyAny>,
    threads: usize,
) -> PyResult<Vec<PyLabelled>> {
    let pages = Page::extract_all(pages)?;
    Ok(py.detach(|| par_map(&pages, threads, |s, p| PyLabelled::label(model, p, s))))
}

/// A site's learned templates and frame, immutable.
///
/// Learn one with ``SiteModel.learn(pages)`` (or a ``SiteLearner``) from
/// the pages of one site, then label those pages and any other page of the
/// site. Models pickle (through the saved model format), so they travel to
/// Spark executors, Ray tasks and ``multiprocessing`` workers.
#[pyclass(frozen, module = "dechaff", name = "SiteModel")]
pub struct PySiteModel {
    pub model: Model,
}

#[pymethods]
impl PySiteModel {
    /// Learn a model from the pages of one site (``str`` or ``bytes``).
    ///
    /// ``min_share``: share of the pages a line must occur on to be a
    /// template (default 0.03, never fewer than two pages; clamped to
    /// 0..1). ``sample_pages``: pages the region statistics are taken from
    /// (default 64). Learning does not depend on the order of the pages.
    #[staticmethod]
    #[pyo3(signature = (pages, *, min_share=None, sample_pages=None))]
    fn learn(
        py: Python<'_>,
        pages: &Bound<'_, PyAny>,
        min_share: Option<f64>,
        sample_pages: Option<usize>,
    ) -> PyResult<PySiteModel> {
        let mut learner = Settings {
            min_share,
            sample_pages,
        }
        .learner();
        add_all(py, &mut learner, pages)?;
        Ok(PySiteModel {
            model: engine::model(py.detach(|| learner.finish())),
        })
    }

    /// Label every line of one page.
    fn label(&self, py: Python<'_>, page: &Bound<'_, PyAny>) -> PyResult<PyLabelled> {
        let page = Page::extract(page)?;
        Ok(py.detach(|| PyLabelled::label(Some(&self.model), &page, &mut Scratch::new())))
    }

    /// Label many pages; the interpreter is released for the whole batch
    /// and ``threads`` threads label (0: one per core).
    #[pyo3(signature = (pages, *, threads=1))]
    fn label_many(
        &self,
        py: Python<'_>,
        pages: &Bound<'_, PyAny>,
        threads: usize,
    ) -> PyResult<Vec<PyLabelled>> {
        label_pages(py, Some(&self.model), pages, threads)
    }

    /// The body text of each page, like ``[m.label(p).body_text for p in
    /// pages]`` without the per-line records.
    #[pyo3(signature = (pages, *, threads=1))]
    fn body_texts(
        &self,
        py: Python<'_>,
        pages: &Bound<'_, PyAny>,
        threads: usize,
    ) -> PyResult<Vec<String>> {
        let pages = Page::extract_all(pages)?;
        let model = &*self.model;
        Ok(py.detach(|| {
            par_map(&pages, threads, |s, p| {
                engine::body_text(Some(model), p.bytes(), s)
            })
        }))
    }

    /// Combine with a model of the same site learned on other pages (page
    /// counts add up; the settings of ``self`` are kept).
    fn merge(&self, py: Python<'_>, other: &PySiteModel) -> PySiteModel {
        let merged = py.detach(|| self.model.model().merge(other.model.model()));
        PySiteModel {
            model: engine::model(merged),
        }
    }

    /// The learned templates: exact ones first, most pages first.
    fn templates(&self) -> Vec<PyTemplate> {
        self.model
            .model()
            .templates()
            .map(|t| PyTemplate::new(&t))
            .collect()
    }

    /// Distinct pages the model learned from.
    #[getter]
    fn pages(&self) -> u32 {
        self.model.model().pages()
    }

    /// Pages skipped as line-for-line duplicates of another page.
    #[getter]
    fn duplicate_pages(&self) -> u32 {
        self.model.model().duplicate_pages()
    }

    /// The fewest pages a line must occur on to be a template.
    #[getter]
    fn min_pages(&self) -> u32 {
        self.model.model().min_pages()
    }

    /// The model in dechaff's versioned binary model format (the files of
    /// ``SiteModel::save`` in Rust); ``from_bytes`` also reads the JSON form.
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let model = self.model.model();
        save_bytes(py, |out| model.save(out))
    }

    /// Read a model written by ``to_bytes`` (or by the Rust crate). A
    /// truncated, corrupt, newer-version or wrong-kind file raises
    /// ``DechaffError``.
    #[staticmethod]
    fn from_bytes(py: Python<'_>, data: &[u8]) -> PyResult<PySiteModel> {
        let model = py.detach(|| SiteModel::load(data)).map_err(corrupt)?;
        Ok(PySiteModel {
            model: engine::model(model),
        })
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let from_bytes = py.get_type::<PySiteModel>().getattr("from_bytes")?;
        (from_bytes, (self.to_bytes(py)?,)).into_pyobject(py)
    }

    fn __repr__(&self) -> String {
        format!(
            "<SiteModel of {} pages, {} templates>",
            self.model.model().pages(),
            self.model.model().templates().count()
        )
    }
}

/// Learns a ``SiteModel`` from a stream of one site's pages, one at a time.
///
/// ``finish()`` ends it; a finished learner raises ``DechaffError``.
#[pyclass(module = "dechaff", name = "SiteLearner")]
pub struct PySiteLearner {
    learner: Option<SiteLearner>,
}

impl PySiteLearner {
    fn live(&mut self) -> PyResult<&mut SiteLearner> {
        self.learner
            .as_mut()
            .ok_or_else(|| DechaffError::new_err("this SiteLearner has finished"))
    }
}

#[pymethods]
impl PySiteLearner {
    /// A learner with the settings of ``SiteModel.learn``.
    #[new]
    #[pyo3(signature = (*, min_share=None, sample_pages=None))]
    fn new(min_share: Option<f64>, sample_pages: Option<usize>) -> PySiteLearner {
        let settings = Settings {
            min_share,
            sample_pages,
        };
        PySiteLearner {
            learner: Some(settings.learner()),
        }
    }

    /// Learn from one more page.
    fn add(&mut self, py: Python<'_>, page: &Bound<'_, PyAny>) -> PyResult<()> {
        let page = Page::extract(page)?;
        let learner = self.live()?;
        py.detach(|| learner.add(page.bytes()));
        Ok(())
    }

    /// Learn from every page of an iterable.
    fn add_many(&mut self, py: Python<'_>, pages: &Bound<'_, PyAny>) -> PyResult<()> {
        add_all(py, self.live()?, pages)
    }

    /// Distinct pages added so far.
    #[getter]
    fn pages(&mut self) -> PyResult<u32> {
        Ok(self.live()?.pages())
    }

    /// The model of the pages added.
    fn finish(&mut self, py: Python<'_>) -> PyResult<PySiteModel> {
        let learner = self
            .learner
            .take()
            .ok_or_else(|| DechaffError::new_err("this SiteLearner has finished"))?;
        Ok(PySiteModel {
            model: engine::model(py.detach(|| learner.finish())),
        })
    }
}

/// Site models keyed by host (or any site key), with the labelling rule of
/// the ``dechaff label`` program: a page whose host has a model is labelled
/// with it, any other page without one.
#[pyclass(module = "dechaff", name = "ModelSet")]
#[derive(Default)]
pub struct PyModelSet {
    sites: BTreeMap<String, Model>,
}

impl PyModelSet {
    fn to_set(&self) -> dechaff::ModelSet {
        let mut set = dechaff::ModelSet::new();
        for (host, model) in &self.sites {
            set.insert(host.clone(), model.model().clone());
        }
        set
    }

    /// Each `(host, page)` of an iterable, with the host's model.
    fn pairs(&self, items: &Bound<'_, PyAny>) -> PyResult<Vec<(Option<Model>, Page)>> {
        items
            .try_iter()?
            .map(|item| {
                let (host, page): (String, Bound<'_, PyAny>) = item?.extract()?;
                Ok((self.sites.get(&host).cloned(), Page::extract(&page)?))
            })
            .collect()
    }
}

#[pymethods]
impl PyModelSet {
    /// A set of the given ``{host: SiteModel}`` (empty by default).
    #[new]
    #[pyo3(signature = (models=None))]
    fn new(models: Option<BTreeMap<String, PyRef<'_, PySiteModel>>>) -> PyModelSet {
        let sites = models
            .unwrap_or_default()
            .into_iter()
            .map(|(host, m)| (host, m.model.clone()))
            .collect();
        PyModelSet { sites }
    }

    /// Learn one model per host from ``(host, page)`` pairs in one streaming
    /// pass, pages of many hosts interleaved. Hosts with fewer than two
    /// distinct pages get no model (their pages are labelled without one),
    /// as in the ``dechaff label`` program.
    #[staticmethod]
    #[pyo3(signature = (items, *, min_share=None, sample_pages=None))]
    fn learn(
        py: Python<'_>,
        items: &Bound<'_, PyAny>,
        min_share: Option<f64>,
        sample_pages: Option<usize>,
    ) -> PyResult<PyModelSet> {
        let settings = Settings {
            min_share,
            sample_pages,
        };
        let mut learners: BTreeMap<String, SiteLearner> = BTreeMap::new();
        let mut chunk: Vec<(String, Page)> = Vec::with_capacity(LEARN_CHUNK);
        let mut iter = items.try_iter()?.peekable();
        while iter.peek().is_some() {
            chunk.clear();
            for item in iter.by_ref().take(LEARN_CHUNK) {
                let (host, page): (String, Bound<'_, PyAny>) = item?.extract()?;
                chunk.push((host, Page::extract(&page)?));
            }
            py.detach(|| {
                for (host, page) in &chunk {
                    if !learners.contains_key(host) {
                        learners.insert(host.clone(), settings.learner());
                    }
                    if let Some(learner) = learners.get_mut(host) {
                        learner.add(page.bytes());
                    }
                }
            });
        }
        let sites = py.detach(|| {
            learners
                .into_iter()
                .filter_map(|(host, l)| engine::finish_site(l).map(|m| (host, m)))
                .collect()
        });
        Ok(PyModelSet { sites })
    }

    /// Label one page of ``host``.
    fn label(&self, py: Python<'_>, host: &str, page: &Bound<'_, PyAny>) -> PyResult<PyLabelled> {
        let model = self.sites.get(host).cloned();
        let page = Page::extract(page)?;
        Ok(py.detach(|| PyLabelled::label(model.as_ref(), &page, &mut Scratch::new())))
    }

    /// Label ``(host, page)`` pairs, detached, on ``threads`` threads (0:
    /// one per core).
    #[pyo3(signature = (items, *, threads=1))]
    fn label_many(
        &self,
        py: Python<'_>,
        items: &Bound<'_, PyAny>,
        threads: usize,
    ) -> PyResult<Vec<PyLabelled>> {
        let pairs = self.pairs(items)?;
        Ok(py.detach(|| {
            par_map(&pairs, threads, |s, (model, page)| {
                PyLabelled::label(model.as_ref(), page, s)
            })
        }))
    }

    /// The body text of each ``(host, page)`` pair.
    #[pyo3(signature = (items, *, threads=1))]
    fn body_texts(
        &self,
        py: Python<'_>,
        items: &Bound<'_, PyAny>,
        threads: usize,
    ) -> PyResult<Vec<String>> {
        let pairs = self.pairs(items)?;
        Ok(py.detach(|| {
            par_map(&pairs, threads, |s, (model, page)| {
                engine::body_text(model.as_deref(), page.bytes(), s)
            })
        }))
    }

    /// A new set: the models of both, merged host by host.
    fn merge(&self, py: Python<'_>, other: &PyModelSet) -> PyModelSet {
        let mut sites = self.sites.clone();
        py.detach(|| {
            for (host, theirs) in &other.sites {
                let merged = match sites.get(host) {
                    Some(mine) => engine::model(mine.model().merge(theirs.model())),
                    None => theirs.clone(),
                };
                sites.insert(host.clone(), merged);
            }
        });
        PyModelSet { sites }
    }

    /// The hosts that have a model, sorted.
    fn hosts(&self) -> Vec<String> {
        self.sites.keys().cloned().collect()
    }

    /// The model of ``host``, or ``default``.
    #[pyo3(signature = (host, default=None))]
    fn get(&self, py: Python<'_>, host: &str, default: Option<Py<PyAny>>) -> PyResult<Py<PyAny>> {
        match self.sites.get(host) {
            Some(m) => Ok(Py::new(py, PySiteModel { model: m.clone() })?.into_any()),
            None => Ok(default.unwrap_or_else(|| py.None())),
        }
    }

    fn __getitem__(&self, host: &str) -> PyResult<PySiteModel> {
        self.sites
            .get(host)
            .map(|m| PySiteModel { model: m.clone() })
            .ok_or_else(|| PyKeyError::new_err(host.to_string()))
    }

    fn __setitem__(&mut self, host: String, model: PyRef<'_, PySiteModel>) {
        self.sites.insert(host, model.model.clone());
    }

    fn __delitem__(&mut self, host: &str) -> PyResult<()> {
        self.sites
            .remove(host)
            .map(drop)
            .ok_or_else(|| PyKeyError::new_err(host.to_string()))
    }

    fn __contains__(&self, host: &str) -> bool {
        self.sites.contains_key(host)
    }

    fn __len__(&self) -> usize {
        self.sites.len()
    }

    fn __iter__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(self
            .hosts()
            .into_pyobject(py)?
            .try_iter()?
            .into_any()
            .unbind())
    }

    /// The set in dechaff's versioned model-set format: the model files the
    /// ``dechaff learn`` program writes.
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let set = py.detach(|| self.to_set());
        save_bytes(py, |out| set.save(out))
    }

    /// Read a set written by ``to_bytes`` or ``dechaff learn -o MODEL``.
    #[staticmethod]
    fn from_bytes(py: Python<'_>, data: &[u8]) -> PyResult<PyModelSet> {
        let set = py
            .detach(|| dechaff::ModelSet::load(data))
            .map_err(corrupt)?;
        let sites = set
            .iter()
            .map(|(host, m)| (host.to_string(), engine::model(m.clone())))
            .collect();
        Ok(PyModelSet { sites })
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let from_bytes = py.get_type::<PyModelSet>().getattr("from_bytes")?;
        (from_bytes, (self.to_bytes(py)?,)).into_pyobject(py)
    }

    fn __repr__(&self) -> String {
        format!("<ModelSet of {} hosts>", self.sites.len())
    }
}
