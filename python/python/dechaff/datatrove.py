"""dechaff steps for datatrove pipelines.

Learning needs all pages of a site together, so labelling a dump runs in two
stages, the way datatrove's own minhash deduplication does:

1. ``DechaffBucket(buckets=N)`` tags each document with its ``host`` and a
   ``bucket`` (``zlib.crc32(host) % N``, as five digits); a
   ``JsonlWriter(folder, output_filename="${bucket}/${rank}.jsonl.gz")``
   after it writes every site's pages into one bucket folder.
2. ``DechaffLabelBuckets(folder, buckets=N)`` in a pipeline of N tasks that
   ``depends=`` on stage 1: task ``r`` reads bucket ``r``, learns one model
   per host (hosts with one page get none, as in the ``dechaff label``
   program) and labels every page. It writes the body to ``doc.text``
   (``output="text"``) or the labels to ``doc.metadata["dechaff"]``
   (``output="metadata"``), and per-label line counts to the step's stats.

``DechaffLabel(models)`` is the one-stage step for models learned earlier
(``ModelSet.learn`` or ``dechaff learn -o MODEL``): it labels each document
with its host's model. See ``python/examples/datatrove_label.py`` and
``python/SCALE.md``.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterable, Iterator
from typing import Literal

from datatrove.data import Document, DocumentsPipeline
from datatrove.io import DataFolderLike, get_datafolder
from datatrove.pipeline.base import PipelineStep
from datatrove.pipeline.readers import JsonlReader

import dechaff

__all__ = ["DechaffBucket", "DechaffLabel", "DechaffLabelBuckets", "bucket_of"]

Output = Literal["text", "metadata"]

#: Documents labelled per call into dechaff (the GIL is released for each).
BATCH_DOCS = 256


def bucket_of(host: str, buckets: int) -> int:
    """The bucket of a host: ``zlib.crc32(host) % buckets``."""
    return zlib.crc32(host.encode("utf-8")) % buckets


def bucket_name(bucket: int) -> str:
    """The folder (and ``metadata["bucket"]``) of a bucket: five digits."""
    return f"{bucket:05d}"


def _batched(docs: Iterable[Document], n: int) -> Iterator[list[Document]]:
    batch: list[Document] = []
    for doc in docs:
        batch.append(doc)
        if len(batch) == n:
            yield batch
            batch = []
    if batch:
        yield batch


def _host_of(doc: Document, host_key: str, url_key: str) -> str:
    """``metadata[host_key]`` if set, else the host of ``metadata[url_key]``."""
    host = doc.metadata.get(host_key)
    if isinstance(host, str):
        return host
    url = doc.metadata.get(url_key)
    return dechaff.host(url) if isinstance(url, str) else ""


class _Labels(PipelineStep):
    """What the labelling steps share: writing a result into a document."""

    type = "✂️ - BOILERPLATE"

    def __init__(self, output: Output, metadata_key: str, threads: int):
        super().__init__()
        if output not in ("text", "metadata"):
            raise ValueError(f'output must be "text" or "metadata", not {output!r}')
        self.output = output
        self.metadata_key = metadata_key
        self.threads = threads

    def _label(self, models: dechaff.ModelSet, docs: Iterable[Document], hosts) -> DocumentsPipeline:
        """Label `docs` (hosts from `hosts(doc)`) batch by batch and yield them."""
        for batch in _batched(docs, BATCH_DOCS):
            keys = [hosts(doc) for doc in batch]
            with self.track_time(unit="batch"):
                labelled = models.label_many(zip(keys, (d.text for d in batch), strict=True), threads=self.threads)
            for doc, host, result in zip(batch, keys, labelled, strict=True):
                self._write(doc, result, host in models)
                yield doc

    def _write(self, doc: Document, labelled: dechaff.Labelled, with_model: bool) -> None:
        counts = labelled.counts
        for label, n in counts.items():
            self.stat_update(f"lines_{label}", value=n)
        self.stat_update("with_site_model" if with_model else "without_site_model")
        if self.output == "text":
            doc.text = labelled.body_text
            doc.metadata[self.metadata_key] = {"counts": counts}
        else:
            doc.metadata[self.metadata_key] = labelled.to_dict()
        self.update_doc_stats(doc)


class DechaffBucket(PipelineStep):
    """Stage 1: tag each document with its site's ``host`` and ``bucket``.

    The host is ``metadata[url_key]``'s (``dechaff.host``), or ``""`` when
    the document has no URL (such documents form one site). Follow this
    step with ``JsonlWriter(folder, output_filename="${bucket}/${rank}.jsonl.gz")``.
    """

    name = "🏷 dechaff bucket"
    type = "✂️ - BOILERPLATE"

    def __init__(self, buckets: int, *, url_key: str = "url", host_key: str = "host"):
        super().__init__()
        if buckets < 1:
            raise ValueError("buckets must be at least 1")
        self.buckets = buckets
        self.url_key = url_key
        self.host_key = host_key

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        for doc in data or ():
            host = _host_of(doc, self.host_key, self.url_key)
            doc.metadata[self.host_key] = host
            doc.metadata["bucket"] = bucket_name(bucket_of(host, self.buckets))
            self.stat_update("documents")
            yield doc


class DechaffLabelBuckets(_Labels):
    """Stage 2: learn every site of a bucket and label its pages.

    Run it first in a pipeline of ``buckets`` tasks (task ``r`` takes bucket
    ``r``; with fewer tasks, task ``r`` takes buckets ``r``, ``r + tasks``,
    ...). It reads the bucket twice, once to learn (one streaming learner
    per host) and once to label, so memory holds the models and one batch
    of documents, not the bucket.

    Args:
        input_folder: the folder stage 1 wrote (``${bucket}/${rank}.jsonl.gz``).
        buckets: stage 1's number of buckets.
        output: ``"text"``: the body replaces ``doc.text`` and
            ``metadata[metadata_key]`` gets the per-label line counts;
            ``"metadata"``: ``doc.text`` is kept and ``metadata[metadata_key]``
            gets ``{"lines": [[label, start, end], ...], "counts": {...}}``
            (character offsets into ``doc.text``).
        min_share, sample_pages: learning settings (see ``SiteModel.learn``).
        threads: threads per labelling batch (0: one per core).
    """

    name = "🏷 dechaff label buckets"

    def __init__(
        self,
        input_folder: DataFolderLike,
        buckets: int,
        *,
        output: Output = "text",
        metadata_key: str = "dechaff",
        host_key: str = "host",
        min_share: float | None = None,
        sample_pages: int | None = None,
        threads: int = 1,
        compression: Literal["infer", "gzip", "zstd"] | None = "infer",
    ):
        super().__init__(output, metadata_key, threads)
        self.input_folder = get_datafolder(input_folder)
        self.buckets = buckets
        self.host_key = host_key
        self.min_share = min_share
        self.sample_pages = sample_pages
        self.compression = compression

    def _read(self, bucket: int) -> Iterator[Document]:
        reader = JsonlReader(self.input_folder, compression=self.compression)
        files = self.input_folder.list_files(subdirectory=bucket_name(bucket))
        return reader.read_files_shard(files)

    def _host(self, doc: Document) -> str:
        return doc.metadata.get(self.host_key, "")

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if data:
            yield from data
        for bucket in range(rank, self.buckets, world_size):
            models = dechaff.ModelSet.learn(
                ((self._host(d), d.text) for d in self._read(bucket)),
                min_share=self.min_share,
                sample_pages=self.sample_pages,
            )
            self.stat_update("sites_learned", value=len(models), unit="bucket")
            yield from self._label(models, self._read(bucket), self._host)


class DechaffLabel(_Labels):
    """Label each document with its host's model from a ``ModelSet`` learned
    earlier (pages of other hosts are labelled without a model).

    Args:
        models: a ``ModelSet``, or the path of a model-set file
            (``ModelSet.to_bytes``, ``dechaff learn -o MODEL``).
        output, metadata_key, threads: as ``DechaffLabelBuckets``.
        host_key, url_key: the host is ``metadata[host_key]`` if set, else
            the host of ``metadata[url_key]``.
    """

    name = "🏷 dechaff label"

    def __init__(
        self,
        models: dechaff.ModelSet | str | os.PathLike,
        *,
        output: Output = "text",
        metadata_key: str = "dechaff",
        host_key: str = "host",
        url_key: str = "url",
        threads: int = 1,
    ):
        super().__init__(output, metadata_key, threads)
        if not isinstance(models, dechaff.ModelSet):
            from datatrove.io import open_file

            with open_file(os.fspath(models), "rb") as f:
                models = dechaff.ModelSet.from_bytes(f.read())
        self.models = models
        self.host_key = host_key
        self.url_key = url_key

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        yield from self._label(self.models, data or (), lambda d: _host_of(d, self.host_key, self.url_key))
