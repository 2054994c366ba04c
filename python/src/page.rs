//! Pages from Python (`str` or `bytes`), held without copying and without
//! the GIL, and the threads that label many of them.

use std::{
    num::NonZeroUsize,
    sync::atomic::{AtomicUsize, Ordering},
};

use pyo3::{
    exceptions::PyTypeError,
    prelude::*,
    pybacked::{PyBackedBytes, PyBackedStr},
    types::{PyByteArray, PyBytes, PyString},
};

use crate::{engine::Scratch, DechaffError};

/// A page as Python passed it. Both kinds keep a reference to the Python
/// object and read its buffer directly (a `bytearray` is copied, since it
/// could change); both are `Send`, so labelling runs detached from the
/// interpreter.
pub enum Page {
    Str(PyBackedStr),
    Bytes(PyBackedBytes),
}

impl Page {
    /// Take a `str`, `bytes` or `bytearray`.
    ///
    /// A `str` with a lone surrogate (from `surrogateescape` decoding, say)
    /// has no UTF-8 form: that is a [`DechaffError`]. Any other type is a
    /// `TypeError`.
    pub fn extract(obj: &Bound<'_, PyAny>) -> PyResult<Page> {
        if let Ok(s) = obj.cast::<PyString>() {
            return PyBackedStr::try_from(s.clone())
                .map(Page::Str)
                .map_err(|e| DechaffError::new_err(format!("page is not valid Unicode: {e}")));
        }
        if obj.is_instance_of::<PyBytes>() || obj.is_instance_of::<PyByteArray>() {
            return Ok(Page::Bytes(obj.extract()?));
        }
        Err(PyTypeError::new_err(format!(
            "a page must be str or bytes, not {}",
            obj.get_type().name()?
        )))
    }

    /// Every page of an iterable.
    pub fn extract_all(pages: &Bound<'_, PyAny>) -> PyResult<Vec<Page>> {
        pages.try_iter()?.map(|p| Page::extract(&p?)).collect()
    }

    /// The page's UTF-8 (or raw) bytes.
    pub fn bytes(&self) -> &[u8] {
        match self {
            Page::Str(s) => s.as_bytes(),
            Page::Bytes(b) => b,
        }
    }

    /// The page as text, if Python passed a `str`: offsets are then
    /// character offsets.
    pub fn text(&self) -> Option<&str> {
        match self {
            Page::Str(s) => Some(s),
            Page::Bytes(_) => None,
        }
    }
}

/// How many threads a batch call uses: `threads`, where 0 means one per
/// core.
pub fn thread_count(threads: usize) -> usize {
    if threads > 0 {
        return threads;
    }
    std::thread::available_parallelism().map_or(1, NonZeroUsize::get)
}

/// `f` over `items` on `threads` scoped threads, results in input order;
/// each thread passes `f` its own [`Scratch`]. Threads take the next item
/// from a shared counter, so a few long pages do not leave the other
/// threads idle. Call it detached from the interpreter.
pub fn par_map<I: Sync, T: Send>(
    items: &[I],
    threads: usize,
    f: impl Fn(&mut Scratch, &I) -> T + Sync,
) -> Vec<T> {
    let threads = thread_count(threads).min(items.len());
    if threads <= 1 {
        let mut scratch = Scratch::new();
        return items.iter().map(|item| f(&mut scratch, item)).collect();
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut scratch = Scratch::new();
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else {
                return done;
            };
            done.push((i, f(&mut scratch, item)));
        }
    };
    let mut out: Vec<Option<T>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads).map(|_| s.spawn(work)).collect();
        for handle in handles {
            let done = handle
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e));
            for (i, t) in done {
                out[i] = Some(t);
            }
        }
    });
    // Every index below `items.len()` was taken by exactly one thread.
    out.into_iter().flatten().collect()
}
