"""dechaff.datatrove: the two-stage pipeline (2 workers) and the one-stage
step give the labels of the direct API and of the Rust program."""

import gzip
import json
import subprocess
import sys
from pathlib import Path

from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter

import dechaff
from conftest import ROOT, SAMPLE, by_host, char_lines_as_bytes
from dechaff.datatrove import DechaffBucket, DechaffLabel, DechaffLabelBuckets, Output, bucket_of

# Five buckets put the sample's three hosts in two of them, so both workers
# of stage 2 have a site to learn.
BUCKETS = 5


def read_output(folder: Path) -> dict[str, dict]:
    records = {}
    for path in sorted(folder.glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                record = json.loads(line)
                assert record["id"] not in records
                records[record["id"]] = record
    return records


def direct_labels(docs: list[dict]) -> dict[str, dechaff.Labelled]:
    out = {}
    for site in by_host(docs).values():
        for doc, labelled in zip(site, dechaff.label_site([d["text"] for d in site]), strict=True):
            out[doc["id"]] = labelled
    return out


def run_two_stages(tmp_path: Path, output: Output) -> dict[str, dict]:
    buckets = str(tmp_path / "buckets")
    stage1 = LocalPipelineExecutor(
        [
            JsonlReader(str(SAMPLE.parent), glob_pattern=SAMPLE.name),
            DechaffBucket(BUCKETS),
            JsonlWriter(buckets, output_filename="${bucket}/${rank}.jsonl.gz"),
        ],
        tasks=1,
        logging_dir=str(tmp_path / "logs1"),
    )
    stage2 = LocalPipelineExecutor(
        [DechaffLabelBuckets(buckets, BUCKETS, output=output), JsonlWriter(str(tmp_path / "labelled"))],
        tasks=BUCKETS,
        workers=2,
        logging_dir=str(tmp_path / "logs2"),
        depends=stage1,
    )
    stage2.run()
    used = sorted(p.name for p in Path(buckets).iterdir())
    assert len(used) == 2, used
    return read_output(tmp_path / "labelled")


def test_two_stages_label_as_the_direct_api(tmp_path, sample_docs, rust_records):
    hosts = {dechaff.host(d["url"]) for d in sample_docs}
    assert len({bucket_of(h, BUCKETS) for h in hosts}) == 2
    records = run_two_stages(tmp_path, "metadata")
    direct = direct_labels(sample_docs)
    assert sorted(records) == sorted(direct)
    for doc in sample_docs:
        record = records[doc["id"]]
        assert record["text"] == doc["text"]
        meta = record["metadata"]
        assert meta["host"] == dechaff.host(doc["url"])
        assert meta["bucket"] == f"{bucket_of(meta['host'], BUCKETS):05d}"
        assert [tuple(line) for line in meta["dechaff"]["lines"]] == direct[doc["id"]].lines
        assert meta["dechaff"]["counts"] == direct[doc["id"]].counts
        assert char_lines_as_bytes(doc["text"], direct[doc["id"]]) == rust_records[doc["id"]]["metadata"]["lines"]


def test_two_stages_write_the_body(tmp_path, sample_docs, rust_records):
    records = run_two_stages(tmp_path, "text")
    assert len(records) == len(sample_docs)
    for doc in sample_docs:
        assert records[doc["id"]]["text"] == rust_records[doc["id"]]["text"]
        assert records[doc["id"]]["metadata"]["dechaff"]["counts"] == rust_records[doc["id"]]["metadata"]["counts"]


def test_one_stage_with_a_saved_model_set(tmp_path, sample_docs, rust_records):
    models = dechaff.ModelSet.learn((dechaff.host(d["url"]), d["text"]) for d in sample_docs)
    path = tmp_path / "sample.model"
    path.write_bytes(models.to_bytes())
    for source in (models, str(path)):
        out = tmp_path / ("set" if source is models else "path")
        LocalPipelineExecutor(
            [
                JsonlReader(str(SAMPLE.parent), glob_pattern=SAMPLE.name),
                DechaffLabel(source, output="metadata"),
                JsonlWriter(str(out)),
            ],
            tasks=1,
            logging_dir=str(tmp_path / "logs" / out.name),
        ).run()
        records = read_output(out)
        for doc in sample_docs:
            lines = records[doc["id"]]["metadata"]["dechaff"]["lines"]
            assert [[label, s, e] for label, s, e in char_lines_as_bytes(doc["text"], _as_labelled(lines))] == (
                rust_records[doc["id"]]["metadata"]["lines"]
            )


class _as_labelled:
    """Lines read back from JSON, in the shape `char_lines_as_bytes` takes."""

    offsets = "chars"

    def __init__(self, lines):
        self.lines = [tuple(line) for line in lines]


def test_the_example_runs(tmp_path, sample_docs, rust_records):
    script = ROOT / "python" / "examples" / "datatrove_label.py"
    cmd = [sys.executable, str(script), str(SAMPLE.parent), str(tmp_path), "--glob", SAMPLE.name, "--buckets", "5"]
    subprocess.run(cmd, check=True, capture_output=True)
    records = read_output(tmp_path / "labelled")
    assert {i: r["text"] for i, r in records.items()} == {i: r["text"] for i, r in rust_records.items()}


def test_bucket_step_keys_every_document():
    from datatrove.data import Document

    docs = [
        Document(text="a", id="1", metadata={"url": "https://News.Example.org:8080/x"}),
        Document(text="b", id="2", metadata={}),
        Document(text="c", id="3", metadata={"url": None}),
        Document(text="d", id="4", metadata={"url": "https://a.example/", "host": "given"}),
    ]
    out = list(DechaffBucket(7)(iter(docs)))
    assert [d.id for d in out] == ["1", "2", "3", "4"]
    assert [d.metadata["host"] for d in out] == ["news.example.org", "", "", "given"]
    assert [d.metadata["bucket"] for d in out] == [f"{bucket_of(d.metadata['host'], 7):05d}" for d in out]
