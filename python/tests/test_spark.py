"""dechaff.spark: a local-mode Spark job over the sample JSONL dump gives the
Rust program's labels, by applyInArrow and by mapInArrow.

Spark needs Java and pyspark: without them these tests fail, never skip."""

import glob
import json
import os
import shutil
import subprocess
import sys

import pyarrow as pa
import pytest
from pyspark.sql import SparkSession

import dechaff
import dechaff.spark
from conftest import ROOT, SAMPLE, by_host, char_lines_as_bytes


@pytest.fixture(scope="module")
def spark():
    assert shutil.which("java") or os.environ.get("JAVA_HOME"), "Spark needs Java (none on PATH, no JAVA_HOME)"
    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("dechaff-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def check_rows(rows, sample_docs, rust_records):
    assert sorted(r["id"] for r in rows) == sorted(d["id"] for d in sample_docs)
    texts = {d["id"]: d["text"] for d in sample_docs}
    for row in rows:
        rust = rust_records[row["id"]]
        assert row["host"] == rust["metadata"]["group"]
        assert row["text"] == texts[row["id"]]
        assert row["body"] == rust["text"]
        lines = [(line["label"], line["start"], line["end"]) for line in row["lines"]]
        assert char_lines_as_bytes(row["text"], _Lines(lines)) == rust["metadata"]["lines"]
        assert row["counts"].asDict() == rust["metadata"]["counts"]


class _Lines:
    offsets = "chars"

    def __init__(self, lines):
        self.lines = lines


@pytest.mark.parametrize("method", ["applyInArrow", "mapInArrow"])
def test_spark_labels_equal_the_rust_program(spark, method, sample_docs, rust_records):
    pages = dechaff.spark.with_host(spark.read.json(str(SAMPLE)))
    rows = dechaff.spark.label_dataframe(pages, method=method).collect()
    check_rows(rows, sample_docs, rust_records)


def test_spark_learns_on_the_first_pages_only(spark, sample_docs):
    """With learn_pages=1 no site has a model: every page is labelled as a
    lone page."""
    pages = dechaff.spark.with_host(spark.read.json(str(SAMPLE)))
    rows = dechaff.spark.label_dataframe(pages, learn_pages=1).collect()
    texts = {d["id"]: d["text"] for d in sample_docs}
    for row in rows:
        assert row["body"] == dechaff.label(texts[row["id"]]).body_text


def test_partition_labeller_splits_runs_of_hosts(sample_docs):
    """Without Spark: host runs that span batches, a null text and a host
    that comes back later (labelled as another site, not dropped)."""
    docs = sorted(sample_docs, key=lambda d: dechaff.host(d["url"]))
    table = pa.table(
        {
            "id": [d["id"] for d in docs] + ["null-text"],
            "host": [dechaff.host(d["url"]) for d in docs] + [dechaff.host(docs[0]["url"])],
            "text": [d["text"] for d in docs] + [None],
        }
    )
    f = dechaff.spark.partition_labeller()
    out = pa.Table.from_batches(list(f(iter(table.to_batches(max_chunksize=3)))))
    assert out.column("id").to_pylist() == table.column("id").to_pylist()
    expected = {}
    for site in by_host(docs).values():
        for doc, labelled in zip(site, dechaff.label_site([d["text"] for d in site]), strict=True):
            expected[doc["id"]] = labelled.body_text
    bodies = dict(zip(out.column("id").to_pylist(), out.column("body").to_pylist(), strict=True))
    assert bodies.pop("null-text") is None
    assert bodies == expected


def test_the_example_runs(tmp_path, sample_docs, rust_records):
    script = ROOT / "python" / "examples" / "spark_label.py"
    out = tmp_path / "out"
    cmd = [sys.executable, str(script), str(SAMPLE), str(out), "--format", "jsonl"]
    subprocess.run(cmd, check=True, capture_output=True)
    rows = []
    for path in glob.glob(str(out / "part-*.json")):
        with open(path, encoding="utf-8") as f:
            rows.extend(json.loads(line) for line in f)
    assert {r["id"]: r["body"] for r in rows} == {i: r["text"] for i, r in rust_records.items()}


def test_table_form_for_spark_4_0_equals_the_batch_form(sample_docs):
    """Spark 4.0 passes a group as one table (`label_table`); 4.1 and later
    stream record batches (`site_labeller`). Both label a site alike."""
    site = max(by_host(sample_docs).values(), key=len)
    table = pa.table({"id": [d["id"] for d in site], "text": [d["text"] for d in site]})
    whole = dechaff.spark.label_table(learn_pages=2)(table)
    streamed = pa.Table.from_batches(
        list(dechaff.spark.site_labeller(learn_pages=2)(iter(table.to_batches(max_chunksize=1))))
    )
    assert whole.column_names == ["id", "text", "body", "lines", "counts"]
    assert whole.to_pylist() == streamed.to_pylist()
    assert dechaff.spark.label_table()(table.slice(0, 0)).num_rows == 0
