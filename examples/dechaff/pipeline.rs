//! The passes: counting each site group's pages, learning one model per
//! site group, and labelling.
//!
//! Each pass reads its inputs on a thread of its own, cutting them into
//! batches of records without parsing them (a JSONL record is a line, found
//! by `memchr`), while `--threads` threads parse and learn or label the
//! batches read before; the main thread takes their results in input order
//! (writing the output, or handing each site group's pages to the thread
//! that learns it). The batches in flight are bounded (a few per thread),
//! so memory does not grow with the dump.

use std::{
    collections::{hash_map::Entry, BTreeMap, HashMap},
    panic,
    sync::{
        atomic::{AtomicUsize, Ordering},
        mpsc, Mutex,
    },
    thread,
};

use dechaff::{
    dump::Document, Labelled, Labeller, ModelSet, SiteLearner, SiteModel, SiteModelBuilder,
};

use crate::{
    input::{Docs, Progress, RawBatch, Source, Tally},
    Models, Result,
};

/// Batches in flight per thread (read, being worked on, or waiting to be
/// written): enough that a thread finds a batch ready while the writer
/// waits for a slower one, few enough to keep memory to a few batches.
const IN_FLIGHT_PER_THREAD: usize = 3;

/// Parts of batches waiting for a learning thread, at most. Each batch is
/// handed over in input order as one part per learning thread, so a full
/// queue stops the hand-over to all of them: deep enough that the others
/// stay fed while one finishes the model of a large group (its sampled
/// pages replayed, tens of milliseconds), still a few megabytes (a part is
/// a thread's share of one batch, of groups of two or more pages only).
const LEARN_QUEUE: usize = 16;

/// A batch on its way to a thread: its place in the input, its records
/// (parsed by the thread that works on it), and a buffer for its output
/// (handed back by the writer for a later batch, so that buffers are
/// reused, not grown anew).
struct Job {
    seq: u64,
    batch: RawBatch,
    out: Vec<u8>,
}

/// A batch worked on: its place in the input, what is left to report of
/// it, its output buffer, and the work's result (or panic).
struct Done<R> {
    seq: u64,
    tally: Tally,
    out: Vec<u8>,
    result: thread::Result<R>,
}

/// Read `source` on a thread of `scope`, sending each batch as a [`Job`]
/// with a buffer taken from `buffers`: at most as many batches are read
/// ahead as there are buffers. Stops early once either channel is closed.
fn spawn_reader<'scope>(
    scope: &'scope thread::Scope<'scope, '_>,
    source: &'scope Source,
    buffers: mpsc::Receiver<Vec<u8>>,
    jobs: mpsc::SyncSender<Job>,
) {
    scope.spawn(move || {
        let mut seq = 0;
        // An error here only means the consumer stopped: it reports why.
        let _ = source.read_batches(|batch| {
            let out = buffers.recv().map_err(|_| "stopped")?;
            jobs.send(Job { seq, batch, out }).map_err(|_| "stopped")?;
            seq += 1;
            Ok(())
        });
    });
}

/// `n` empty buffers in a channel that holds them all: the tokens that
/// bound the batches in flight.
fn buffers(n: usize) -> (mpsc::SyncSender<Vec<u8>>, mpsc::Receiver<Vec<u8>>) {
    let (tx, rx) = mpsc::sync_channel(n);
    for _ in 0..n {
        // Cannot fail: the channel holds `n` and `rx` is alive.
        let _ = tx.send(Vec::new());
    }
    (tx, rx)
}

/// Read `source` on a thread of its own; on `source.threads()` threads,
/// parse each batch's records (but those whose number `skip` gives) and run
/// `work` on its documents (each thread with a state made by `init`, and
/// the batch's output buffer); and hand each batch's result and output to
/// `sink` in input order, on this thread, after reporting its bad records
/// (if `report`).
fn ordered<S, R: Send>(
    source: &Source,
    progress: &mut Progress,
    report: bool,
    skip: &(dyn Fn(u64) -> bool + Sync),
    init: impl Fn() -> S + Sync,
    work: impl Fn(&mut S, Docs, &mut Vec<u8>) -> R + Sync,
    mut sink: impl FnMut(R, &[u8], &mut Progress) -> Result<()>,
) -> Result<()> {
    let threads = source.threads().max(1);
    let in_flight = IN_FLIGHT_PER_THREAD * threads;
    let (buffer_tx, buffer_rx) = buffers(in_flight);
    let (job_tx, job_rx) = mpsc::sync_channel::<Job>(in_flight);
    let (done_tx, done_rx) = mpsc::sync_channel::<Done<R>>(in_flight);
    let jobs = Mutex::new(job_rx);
    let (jobs, init, work) = (&jobs, &init, &work);
    thread::scope(move |scope| {
        spawn_reader(scope, source, buffer_rx, job_tx);
        for _ in 0..threads {
            let done_tx = done_tx.clone();
            scope.spawn(move || {
                let mut state = init();
                loop {
                    let job = match jobs.lock() {
                        Ok(jobs) => jobs.recv(),
                        Err(_) => return,
                    };
                    let Ok(Job {
                        seq,
                        batch,
                        mut out,
                    }) = job
                    else {
                        return;
                    };
                    let (docs, tally) = source.parse(batch, skip).split();
                    let result = panic::catch_unwind(panic::AssertUnwindSafe(|| {
                        work(&mut state, docs, &mut out)
                    }));
                    let failed = result.is_err();
                    let done = Done {
                        seq,
                        tally,
                        out,
                        result,
                    };
                    if done_tx.send(done).is_err() || failed {
                        return;
                    }
                }
            });
        }
        drop(done_tx);
        // Results that came before their turn, by place in the input: at
        // most the batches in flight.
        let mut early = BTreeMap::new();
        let mut next = 0;
        // Returning early drops the channels, which stops the other threads.
        for done in done_rx {
            early.insert(done.seq, done);
            while let Some(done) = early.remove(&next) {
                next += 1;
                let result = done.result.unwrap_or_else(|p| panic::resume_unwind(p));
                let mut out = done.out;
                progress.take(done.tally, report);
                sink(result, &out, progress)?;
                out.clear();
                let _ = buffer_tx.send(out);
            }
        }
        Ok(())
    })
}

/// A site group's pages, counted by a pass that only reads the inputs.
struct Size {
    pages: u32,
    /// Bytes of text of its pages.
    bytes: u64,
    /// The record number of its first page (see [`RawBatch`]).
    first: u64,
}

/// Pages per site group, from a pass that only reads the inputs.
fn count_pages(source: &Source, progress: &mut Progress) -> Result<HashMap<String, Size>> {
    let mut sizes: HashMap<String, Size> = HashMap::new();
    progress.begin("count");
    let groups = |_: &mut (), docs: Docs, _: &mut Vec<u8>| {
        let groups = docs
            .docs
            .into_iter()
            .map(|d| (d.text.len() as u64, d.group));
        groups.zip(docs.records).collect::<Vec<_>>()
    };
    let count = |groups: Vec<((u64, String), u64)>, _: &[u8], progress: &mut Progress| {
        for ((bytes, group), first) in groups {
            match sizes.entry(group) {
                Entry::Occupied(mut n) => {
                    let size = n.get_mut();
                    size.pages = size.pages.saturating_add(1);
                    size.bytes += bytes;
                }
                Entry::Vacant(n) => {
                    n.insert(Size {
                        pages: 1,
                        bytes,
                        first,
                    });
                }
            }
        }
        progress.tick(format_args!(", {} groups", sizes.len()));
        Ok(())
    };
    ordered(source, progress, false, &|_| false, || (), groups, count)?;
    progress.end(format_args!(", {} groups", sizes.len()));
    Ok(sizes)
}

/// Record numbers (see [`RawBatch`]), as a bit set.
#[derive(Default)]
struct Records(Vec<u64>);

impl Records {
    fn insert(&mut self, record: u64) {
        let (word, bit) = ((record / 64) as usize, record % 64);
        if self.0.len() <= word {
            self.0.resize(word + 1, 0);
        }
        self.0[word] |= 1 << bit;
    }

    fn contains(&self, record: u64) -> bool {
        let (word, bit) = ((record / 64) as usize, record % 64);
        self.0.get(word).is_some_and(|w| w & (1 << bit) != 0)
    }
}

/// A group's learner and the pages it has still to see.
struct Pending {
    learner: SiteLearner,
    left: u32,
}

/// Learn one model per site group: a pass that counts each group's pages,
/// then a streaming pass with one [`SiteLearner`] per group of two or more
/// pages. Each group belongs to one of `source.threads()` threads (see
/// [`Share`]), which learns it from its pages in input order, so that the
/// models are those of a single thread; groups are learned in parallel.
///
/// So that memory does not grow with the dump, groups of a single page
/// (which get no model) never reach a learner, and a group's learner is
/// finished as soon as it has seen the group's last page: what is held is
/// the finished models, the learners of groups still in progress and the
/// batches in flight. Bad records are reported only if `report`: when a
/// labelling pass follows, it reports them.
pub fn learn(source: &Source, progress: &mut Progress, report: bool) -> Result<ModelSet> {
    let counted = count_pages(source, progress)?;
    let groups = counted.len();
    // The pages of groups of one page are not learned, nor parsed again:
    // one bit per such group.
    let mut alone = Records::default();
    let mut sizes = HashMap::new();
    for (group, size) in counted {
        match size.pages {
            1 => alone.insert(size.first),
            _ => {
                sizes.insert(group, size);
            }
        }
    }
    let threads = source.threads().max(1);
    let builder = SiteModelBuilder::new();
    let counts = LearnCounts::default();
    progress.begin("learn");
    let (sizes, builder, counts_ref) = (&sizes, &builder, &counts);
    let models = thread::scope(|scope| -> Result<Vec<(String, SiteModel)>> {
        let mut shards = Vec::with_capacity(threads);
        let mut learners = Vec::with_capacity(threads);
        for _ in 0..threads {
            let (tx, rx) = mpsc::sync_channel::<Vec<Document>>(LEARN_QUEUE);
            shards.push(tx);
            learners.push(scope.spawn(move || learn_shard(rx, sizes, builder, counts_ref)));
        }
        // Each batch's pages of groups to learn.
        let keep = |_: &mut (), docs: Docs, _: &mut Vec<u8>| {
            let mut docs = docs.docs;
            docs.retain(|d| sizes.contains_key(&d.group));
            docs
        };
        // Handed over in input order, so that each group's pages are.
        let mut share = Share::new(sizes, threads);
        let hand_over = |docs: Vec<Document>, _: &[u8], progress: &mut Progress| {
            let mut parts: Vec<Vec<Document>> = (0..threads).map(|_| Vec::new()).collect();
            for doc in docs {
                parts[share.thread(&doc.group)].push(doc);
            }
            for (shard, part) in shards.iter().zip(parts) {
                if !part.is_empty() {
                    shard.send(part).map_err(|_| "a learning thread stopped")?;
                }
            }
            progress.tick(format_args!(
                ", {} models, {} groups in progress",
                counts_ref.learned(),
                counts_ref.in_progress()
            ));
            Ok(())
        };
        // Returning early drops `shards`, which stops the learners.
        let skip = |record| alone.contains(record);
        ordered(source, progress, report, &skip, || (), keep, hand_over)?;
        drop(shards);
        let mut models = Vec::new();
        for learner in learners {
            models.extend(learner.join().unwrap_or_else(|p| panic::resume_unwind(p)));
        }
        Ok(models)
    })?;
    let mut set = ModelSet::new();
    for (group, model) in models {
        set.insert(group, model);
    }
    progress.end(format_args!(
        ", {groups} groups, {} with 2 or more pages learned",
        set.len()
    ));
    Ok(set)
}

/// Site groups begun and finished by the learning threads, for progress.
#[derive(Default)]
struct LearnCounts {
    begun: AtomicUsize,
    learned: AtomicUsize,
}

impl LearnCounts {
    fn learned(&self) -> usize {
        self.learned.load(Ordering::Relaxed)
    }

    fn in_progress(&self) -> usize {
        self.begun
            .load(Ordering::Relaxed)
            .saturating_sub(self.learned())
    }
}

/// Which learning thread learns each site group. A group goes, at its
/// first page, to the thread with the fewest bytes of text of the groups
/// given to it so far (each group counted whole, from the counting pass;
/// learning costs about the same per byte), and stays there: the threads finish together, where a hash of the group's name
/// left one learning the last groups alone. Each group is still learned
/// by one thread from its pages in input order, so the models do not
/// depend on which thread learns it, nor on how many threads there are.
struct Share<'a> {
    sizes: &'a HashMap<String, Size>,
    /// Bytes of the groups given to each thread.
    load: Vec<u64>,
    /// The thread of each group seen (names borrowed from `sizes`).
    given: HashMap<&'a str, usize>,
}

impl<'a> Share<'a> {
    fn new(sizes: &'a HashMap<String, Size>, threads: usize) -> Share<'a> {
        Share {
            sizes,
            load: vec![0; threads.max(1)],
            given: HashMap::new(),
        }
    }

    /// The thread of `group` (one of `sizes`; another goes to thread 0).
    fn thread(&mut self, group: &str) -> usize {
        let Some((name, size)) = self.sizes.get_key_value(group) else {
            return 0;
        };
        let load = &mut self.load;
        *self.given.entry(name.as_str()).or_insert_with(|| {
            let least = (0..load.len()).min_by_key(|&t| load[t]).unwrap_or(0);
            load[least] += size.bytes;
            least
        })
    }
}

/// One learning thread: learn the groups whose pages come through `pages`
/// (of `sizes` pages each), finishing each group's model after its last
/// page, and return the models.
fn learn_shard(
    pages: mpsc::Receiver<Vec<Document>>,
    sizes: &HashMap<String, Size>,
    builder: &SiteModelBuilder,
    counts: &LearnCounts,
) -> Vec<(String, SiteModel)> {
    let mut learners: HashMap<String, Pending> = HashMap::new();
    let mut models = Vec::new();
    let mut finish = |group: String, pending: Pending| {
        if pending.learner.pages() >= 2 {
            models.push((group, pending.learner.finish()));
        }
        counts.learned.fetch_add(1, Ordering::Relaxed);
    };
    for batch in pages {
        for Document { group, text, .. } in batch {
            match learners.entry(group) {
                Entry::Occupied(mut entry) => {
                    let pending = entry.get_mut();
                    pending.learner.add(&text);
                    pending.left = pending.left.saturating_sub(1);
                    if pending.left == 0 {
                        let (group, pending) = entry.remove_entry();
                        finish(group, pending);
                    }
                }
                Entry::Vacant(entry) => {
                    counts.begun.fetch_add(1, Ordering::Relaxed);
                    let mut pending = Pending {
                        learner: builder.learner(),
                        left: sizes.get(entry.key()).map_or(0, |s| s.pages),
                    };
                    pending.learner.add(&text);
                    pending.left = pending.left.saturating_sub(1);
                    match pending.left {
                        0 => finish(entry.into_key(), pending),
                        _ => {
                            entry.insert(pending);
                        }
                    }
                }
            }
        }
    }
    // Groups with pages left: the inputs changed between the passes.
    for (group, pending) in learners {
        finish(group, pending);
    }
    models
}

/// One labeller per site group with a model, and the model-free one for
/// the other groups; or, for a single-site model, one labeller for all.
pub struct Labellers {
    sites: HashMap<String, Labeller>,
    /// The labeller of groups without a labeller of their own.
    other: Labeller,
    /// Whether `other` has a site model (a single-site model file).
    other_modelled: bool,
}

impl Labellers {
    /// Hand each model of `models` to a labeller of its own.
    pub fn new(models: Models) -> Labellers {
        match models {
            Models::Set(set) => Labellers {
                sites: set
                    .into_models()
                    .map(|(group, model)| (group, Labeller::new(model)))
                    .collect(),
                other: Labeller::default(),
                other_modelled: false,
            },
            Models::Site(model) => Labellers {
                sites: HashMap::new(),
                other: Labeller::new(model),
                other_modelled: true,
            },
        }
    }

    /// The labeller of a site group, and whether it has a site model.
    fn get(&self, group: &str) -> (&Labeller, bool) {
        match self.sites.get(group) {
            Some(labeller) => (labeller, true),
            None => (&self.other, self.other_modelled),
        }
    }
}

/// A labelled batch, in input order: the documents, what the renderer
/// returned for each, and the bytes it wrote.
pub struct Rendered<'a, T> {
    docs: Vec<Document>,
    results: Vec<T>,
    /// Where each document's bytes end in `out`.
    ends: Vec<usize>,
    out: &'a [u8],
}

impl<'a, T> Rendered<'a, T> {
    /// The bytes written for the whole batch.
    pub fn bytes(&self) -> &'a [u8] {
        self.out
    }

    /// Each document, its result and its bytes.
    pub fn each(self) -> impl Iterator<Item = (Document, T, &'a [u8])> {
        let (out, mut start) = (self.out, 0);
        self.docs
            .into_iter()
            .zip(self.results)
            .zip(self.ends)
            .map(move |((doc, result), end)| {
                let bytes = &out[start..end];
                start = end;
                (doc, result, bytes)
            })
    }
}

/// Label every document with its group's labeller, batch by batch on
/// `source.threads()` threads, each refilling its own [`Labelled`]:
/// `render` turns a labelled document into `T` and may write bytes to the
/// end of the batch's buffer; `sink` gets each batch in input order (and
/// the progress, to report bad documents).
pub fn label_batches<T: Send>(
    source: &Source,
    labellers: &Labellers,
    progress: &mut Progress,
    render: impl Fn(&Document, &Labelled, &mut Vec<u8>) -> T + Sync,
    mut sink: impl FnMut(Rendered<'_, T>, &mut Progress) -> Result<()>,
) -> Result<()> {
    progress.begin("label");
    let mut modelled = 0u64;
    let work = |labelled: &mut Labelled, docs: Docs, out: &mut Vec<u8>| {
        let docs = docs.docs;
        let (mut results, mut ends) = (Vec::with_capacity(docs.len()), Vec::new());
        let mut with_model = 0u64;
        for doc in &docs {
            let (labeller, has_model) = labellers.get(&doc.group);
            labeller.label_into(&doc.text, labelled);
            results.push(render(doc, labelled, out));
            ends.push(out.len());
            with_model += u64::from(has_model);
        }
        (docs, results, ends, with_model)
    };
    let batch_sink = |(docs, results, ends, with_model), out: &[u8], progress: &mut Progress| {
        modelled += with_model;
        let rendered = Rendered {
            docs,
            results,
            ends,
            out,
        };
        sink(rendered, progress)?;
        progress.tick(format_args!(", {modelled} with a site model"));
        Ok(())
    };
    ordered(
        source,
        progress,
        true,
        &|_| false,
        Labelled::new,
        work,
        batch_sink,
    )?;
    progress.end(format_args!(", {modelled} with a site model"));
    Ok(())
}

/// Label every document as [`label_batches`] does; `map` turns a labelled
/// document into `T`, then `sink` gets the results in input order.
pub fn label_each<T: Send>(
    source: &Source,
    labellers: &Labellers,
    progress: &mut Progress,
    map: impl Fn(&Document, &Labelled) -> T + Sync,
    mut sink: impl FnMut(&Document, T, &mut Progress) -> Result<()>,
) -> Result<()> {
    let render = |doc: &Document, labelled: &Labelled, _: &mut Vec<u8>| map(doc, labelled);
    label_batches(source, labellers, progress, render, |rendered, progress| {
        for (doc, result, _) in rendered.each() {
            sink(&doc, result, progress)?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_goes_to_the_least_loaded_thread_and_stays() {
        let size = |bytes| Size {
            pages: 2,
            bytes,
            first: 0,
        };
        let sizes: HashMap<String, Size> = [("a", 100), ("b", 30), ("c", 50), ("d", 10)]
            .into_iter()
            .map(|(g, bytes)| (g.to_string(), size(bytes)))
            .collect();
        let mut share = Share::new(&sizes, 2);
        let order = ["a", "b", "a", "c", "d", "b", "c", "d", "x"];
        let got: Vec<usize> = order.iter().map(|g| share.thread(g)).collect();
        // a: 0 (100 | 0); b: 1 (100 | 30); c: 1 (100 | 80); d: 1 (100 | 90);
        // each again on its thread; x is no group to learn.
        assert_eq!(got, [0, 1, 0, 1, 1, 1, 1, 1, 0]);
        assert_eq!(share.load, [100, 90]);
    }

    #[test]
    fn records_are_a_bit_set() {
        let mut records = Records::default();
        for r in [0, 63, 64, 1000] {
            records.insert(r);
        }
        let set: Vec<u64> = (0..1100).filter(|&r| records.contains(r)).collect();
        assert_eq!(set, [0, 63, 64, 1000]);
        assert!(!records.contains(u64::MAX));
    }
}
