"""Label a dump on Spark: one group (or run of rows) per host.

Spark >= 4.0 groups the pages of each host and hands them to an Arrow
function::

    pages = dechaff.spark.with_host(spark.read.json("dump.jsonl"))
    labelled = pages.groupBy("host").applyInArrow(
        dechaff.spark.site_labeller(), dechaff.spark.output_schema(pages.schema))

Spark 3.5 has no grouped Arrow map; sort the pages by host within
partitions and label runs of one host::

    labelled = (pages.repartition("host").sortWithinPartitions("host")
                .mapInArrow(dechaff.spark.partition_labeller(), dechaff.spark.output_schema(pages.schema)))

``label_dataframe`` picks one of the two. Each site learns from its first
``learn_pages`` pages (all of them when it has fewer) and then labels all
its pages, streaming the rest as they come (Spark >= 4.1 streams a group in
record batches; 4.0 hands over the whole group as one table). A site with
fewer than two distinct pages is labelled without a model, as in the
``dechaff label`` program, so with ``learn_pages`` at least the largest
site the labels are the program's.

Every input column is kept; ``body`` (string), ``lines`` (array of
``struct<label string, start long, end long>``, character offsets into the
text) and ``counts`` (a struct of the six labels' line counts) are added.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pyarrow as pa

import dechaff

__all__ = [
    "LEARN_PAGES",
    "label_dataframe",
    "label_table",
    "output_schema",
    "partition_labeller",
    "site_labeller",
    "with_host",
]

#: Default pages a site learns from before its other pages stream past.
LEARN_PAGES = 1000

_LINE = pa.struct([("label", pa.string()), ("start", pa.int64()), ("end", pa.int64())])
_COUNTS = pa.struct([(label, pa.int64()) for label in dechaff.LABELS])


def output_schema(schema):
    """The Spark schema of the labelled rows: ``schema`` (a ``StructType``)
    plus ``body``, ``lines`` and ``counts``."""
    from pyspark.sql.types import ArrayType, LongType, StringType, StructField, StructType

    line = StructType(
        [StructField(name, t) for name, t in [("label", StringType()), ("start", LongType()), ("end", LongType())]]
    )
    counts = StructType([StructField(label, LongType()) for label in dechaff.LABELS])
    added = [StructField("body", StringType()), StructField("lines", ArrayType(line)), StructField("counts", counts)]
    return StructType([*schema.fields, *added])


def _labelled_columns(texts: list[str | None], labelled: list[dechaff.Labelled | None]) -> dict[str, pa.Array]:
    body: list[Any] = []
    lines: list[Any] = []
    counts: list[Any] = []
    for result in labelled:
        if result is None:  # a null text: null results, the row is kept
            body.append(None)
            lines.append(None)
            counts.append(None)
            continue
        body.append(result.body_text)
        lines.append([{"label": label, "start": s, "end": e} for label, s, e in result.lines])
        counts.append(result.counts)
    return {
        "body": pa.array(body, pa.string()),
        "lines": pa.array(lines, pa.list_(_LINE)),
        "counts": pa.array(counts, _COUNTS),
    }


class _Site:
    """One site's pages as they stream in: the first `learn_pages` are held
    until the model is learned, the rest are labelled at once."""

    def __init__(
        self,
        text: str = "text",
        learn_pages: int = LEARN_PAGES,
        min_share: float | None = None,
        sample_pages: int | None = None,
        threads: int = 1,
    ):
        self.text = text
        self.learn_pages = learn_pages
        self.min_share, self.sample_pages = min_share, sample_pages
        self.threads = threads
        self.held: list[pa.RecordBatch] = []
        self.held_rows = 0
        self.model: dechaff.SiteModel | None = None
        self.learned = False

    def _texts(self, batch: pa.RecordBatch) -> list[str | None]:
        return batch.column(self.text).to_pylist()

    def _label(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        texts = self._texts(batch)
        present = [t for t in texts if t is not None]
        if self.model is not None:
            results = iter(self.model.label_many(present, threads=self.threads))
        else:
            results = iter([dechaff.label(t) for t in present])
        labelled = [None if t is None else next(results) for t in texts]
        columns = {name: batch.column(name) for name in batch.schema.names}
        columns.update(_labelled_columns(texts, labelled))
        return pa.RecordBatch.from_pydict(columns)

    def _learn(self) -> Iterator[pa.RecordBatch]:
        learner = dechaff.SiteLearner(min_share=self.min_share, sample_pages=self.sample_pages)
        texts = [t for b in self.held for t in self._texts(b) if t is not None]
        learner.add_many(texts[: self.learn_pages])
        self.model = learner.finish() if learner.pages >= dechaff.MIN_SITE_PAGES else None
        self.learned = True
        held, self.held = self.held, []
        for batch in held:
            yield self._label(batch)

    def add(self, batch: pa.RecordBatch) -> Iterator[pa.RecordBatch]:
        if self.learned:
            yield self._label(batch)
            return
        self.held.append(batch)
        self.held_rows += batch.num_rows
        if self.held_rows >= self.learn_pages:
            yield from self._learn()

    def finish(self) -> Iterator[pa.RecordBatch]:
        if not self.learned:
            yield from self._learn()


def site_labeller(
    *,
    text: str = "text",
    learn_pages: int = LEARN_PAGES,
    min_share: float | None = None,
    sample_pages: int | None = None,
    threads: int = 1,
) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """The function for ``groupBy(host).applyInArrow(f, schema)`` (Spark >=
    4.1: record batches of one host's pages in, labelled batches out).

    ``text``: the column of page text. ``learn_pages``: pages a site learns
    from. ``threads``: threads per labelling batch (Spark already runs one
    task per core, so 1 is usually right).
    """

    def label_site(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        site = _Site(text, learn_pages, min_share, sample_pages, threads)
        for batch in batches:
            yield from site.add(batch)
        yield from site.finish()

    return label_site


def label_table(**settings: Any) -> Callable[[pa.Table], pa.Table]:
    """``site_labeller`` (same arguments) for Spark 4.0, whose
    ``applyInArrow`` passes a whole group as one ``pyarrow.Table``."""
    label_batches = site_labeller(**settings)

    def label_site(table: pa.Table) -> pa.Table:
        batches = list(label_batches(iter(table.to_batches())))
        if not batches:
            return _empty(table.schema)
        return pa.Table.from_batches(batches)

    return label_site


def _empty(schema: pa.Schema) -> pa.Table:
    fields = [*schema, pa.field("body", pa.string()), pa.field("lines", pa.list_(_LINE)), pa.field("counts", _COUNTS)]
    return pa.schema(fields).empty_table()


def partition_labeller(
    *, host: str = "host", **settings: Any
) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """The function for ``repartition(host).sortWithinPartitions(host)
    .mapInArrow(f, schema)`` (Spark 3.5 and later): a partition's rows in
    host order; each run of one host is a site. Rows of a host that is not
    contiguous (a partition not sorted by host) are labelled as separate
    sites, never dropped. The other arguments are ``site_labeller``'s."""
    _Site(**settings)  # a wrong argument fails here, not on an executor

    def label_partition(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        site, current = None, None
        for batch in batches:
            hosts = batch.column(host).to_pylist()
            start = 0
            for i in range(1, len(hosts) + 1):
                if i < len(hosts) and hosts[i] == hosts[start]:
                    continue
                if site is None or hosts[start] != current:
                    if site is not None:
                        yield from site.finish()
                    site = _Site(**settings)
                    current = hosts[start]
                yield from site.add(batch.slice(start, i - start))
                start = i
        if site is not None:
            yield from site.finish()

    return label_partition


def with_host(df, *, url: str = "url", host: str = "host"):
    """``df`` with a ``host`` column: ``dechaff.host`` of the ``url`` column
    (``""`` for a null URL), the site key of the ``dechaff`` program."""
    from pyspark.sql import functions as F

    @F.udf("string")
    def host_of(u):
        return dechaff.host(u) if u is not None else ""

    return df.withColumn(host, host_of(F.col(url)))


def label_dataframe(
    df,
    *,
    host: str = "host",
    text: str = "text",
    learn_pages: int = LEARN_PAGES,
    min_share: float | None = None,
    sample_pages: int | None = None,
    method: str = "auto",
):
    """Label every page of ``df`` (a column ``host``, a column ``text``).

    ``method``: ``"applyInArrow"`` (Spark >= 4.0), ``"mapInArrow"`` (Spark
    3.5), or ``"auto"`` for the first the running Spark has.
    """
    import pyspark

    settings: dict[str, Any] = {
        "text": text,
        "learn_pages": learn_pages,
        "min_share": min_share,
        "sample_pages": sample_pages,
    }
    schema = output_schema(df.schema)
    major, minor = (int(x) for x in pyspark.__version__.split(".")[:2])
    if method == "auto":
        method = "applyInArrow" if major >= 4 else "mapInArrow"
    if method == "applyInArrow":
        f = site_labeller(**settings) if (major, minor) >= (4, 1) else label_table(**settings)
        return df.groupBy(host).applyInArrow(f, schema)
    if method == "mapInArrow":
        ordered = df.repartition(host).sortWithinPartitions(host)
        return ordered.mapInArrow(partition_labeller(host=host, **settings), schema)
    raise ValueError(f'method must be "auto", "applyInArrow" or "mapInArrow", not {method!r}')
