"""Shared fixtures: the repository's sample dump and the Rust program's
labels of it, which the Python labels must equal."""

import json
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest

import dechaff

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample" / "dump.jsonl"


def run_example(*args: str) -> None:
    """`cargo run --release --example dechaff -- ARGS` in the repository."""
    cmd = ["cargo", "run", "--quiet", "--release", "--example", "dechaff", "--", *args]
    subprocess.run(cmd, cwd=ROOT, check=True)


@pytest.fixture(scope="session")
def sample_docs() -> list[dict]:
    """The records of sample/dump.jsonl, in file order."""
    with open(SAMPLE, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(scope="session")
def rust_jsonl(tmp_path_factory) -> bytes:
    """`dechaff label sample/dump.jsonl --format jsonl`: the Rust program's
    output file, byte for byte."""
    out = tmp_path_factory.mktemp("rust") / "labels.jsonl"
    run_example("label", str(SAMPLE), "--format", "jsonl", "-o", str(out), "-q")
    return out.read_bytes()


@pytest.fixture(scope="session")
def rust_records(rust_jsonl) -> dict[str, dict]:
    """The Rust program's records by document id."""
    records = [json.loads(line) for line in rust_jsonl.decode("utf-8").splitlines()]
    return {r["id"]: r for r in records}


def by_host(docs: list[dict]) -> dict[str, list[dict]]:
    """Documents grouped by `dechaff.host(url)`, in file order."""
    groups = defaultdict(list)
    for doc in docs:
        groups[dechaff.host(doc.get("url") or "")].append(doc)
    return groups


def char_lines_as_bytes(text: str, labelled: dechaff.Labelled) -> list[list]:
    """`labelled.lines` (character offsets into `text`) as byte offsets."""
    assert labelled.offsets == "chars"
    return [
        [label, len(text[:start].encode("utf-8")), len(text[:end].encode("utf-8"))]
        for label, start, end in labelled.lines
    ]
