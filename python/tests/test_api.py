"""The Python API: labels equal to the Rust program's, offsets, pickling,
batch calls, and bad input."""

import json
import pickle
import re
import threading
import time

import pytest

import dechaff
from conftest import SAMPLE, by_host, char_lines_as_bytes, run_example


def jsonl_record(doc: dict, group: str, labelled: dechaff.Labelled) -> bytes:
    """One record as `dechaff label --format jsonl` writes it."""
    record = {
        "id": doc["id"],
        "url": doc.get("url"),
        "text": labelled.body_text,
        "metadata": {"group": group, **labelled.to_dict()},
    }
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


def label_dump(docs: list[dict], as_bytes: bool) -> dict[str, tuple[str, dechaff.Labelled]]:
    """Each document's host and labels, learned per host with `label_site`."""
    out = {}
    for host, site in by_host(docs).items():
        pages = [d["text"].encode("utf-8") if as_bytes else d["text"] for d in site]
        for doc, labelled in zip(site, dechaff.label_site(pages), strict=True):
            out[doc["id"]] = (host, labelled)
    return out


def test_bytes_labels_equal_the_rust_program_byte_for_byte(sample_docs, rust_jsonl):
    labelled = label_dump(sample_docs, as_bytes=True)
    ours = b"".join(jsonl_record(doc, *labelled[doc["id"]]) for doc in sample_docs)
    assert len(sample_docs) == 10
    assert ours == rust_jsonl


def test_str_labels_equal_the_rust_program(sample_docs, rust_records):
    labelled = label_dump(sample_docs, as_bytes=False)
    for doc in sample_docs:
        host, result = labelled[doc["id"]]
        rust = rust_records[doc["id"]]
        assert result.body_text == rust["text"]
        assert char_lines_as_bytes(doc["text"], result) == rust["metadata"]["lines"]
        assert result.counts == rust["metadata"]["counts"]
        assert host == rust["metadata"]["group"]


def test_model_set_reads_the_rust_programs_model_file(sample_docs, rust_records, tmp_path):
    path = tmp_path / "sample.model"
    run_example("learn", str(SAMPLE), "-o", str(path), "-q")
    from_rust = dechaff.ModelSet.from_bytes(path.read_bytes())
    learned = dechaff.ModelSet.learn((dechaff.host(d["url"]), d["text"]) for d in sample_docs)
    assert from_rust.hosts() == learned.hosts() == sorted(by_host(sample_docs))
    assert learned.to_bytes() == from_rust.to_bytes()
    pairs = [(dechaff.host(d["url"]), d["text"]) for d in sample_docs]
    for doc, result in zip(sample_docs, from_rust.label_many(pairs), strict=True):
        assert char_lines_as_bytes(doc["text"], result) == rust_records[doc["id"]]["metadata"]["lines"]


def test_learner_model_and_site_agree(sample_docs):
    for site in by_host(sample_docs).values():
        pages = [d["text"] for d in site]
        learner = dechaff.SiteLearner()
        for page in reversed(pages):  # learning does not depend on order
            learner.add(page)
        assert learner.pages == len(pages)
        streamed = learner.finish()
        model = dechaff.SiteModel.learn(pages)
        assert streamed.to_bytes() == model.to_bytes()
        assert [m.lines for m in model.label_many(pages)] == [s.lines for s in dechaff.label_site(pages)]
        assert model.pages == len(pages)
        templates = model.templates()
        ids = {t.id for t in templates}
        named = {i for r in model.label(pages[0]).reasons for i in re.findall(r"#[0-9a-f]{16}", r)}
        assert named and named <= ids  # reasons name templates by their id
        assert templates and all(
            t.label in dechaff.LABELS and t.kind in ("exact", "slotted") and t.pages >= 1 for t in templates
        )


def test_batch_calls_equal_single_calls_on_threads(sample_docs):
    pages = [d["text"] for d in sample_docs] * 5
    model = dechaff.SiteModel.learn(pages)
    single = [model.label(p) for p in pages]
    for threads in (1, 2, 0):
        many = model.label_many(pages, threads=threads)
        assert [m.lines for m in many] == [s.lines for s in single]
        assert [m.reasons for m in many] == [s.reasons for s in single]
        assert model.body_texts(pages, threads=threads) == [s.body_text for s in single]
    pairs = [(dechaff.host(d["url"]), d["text"]) for d in sample_docs]
    models = dechaff.ModelSet.learn(pairs)
    assert models.body_texts(pairs, threads=2) == [models.label(h, p).body_text for h, p in pairs]


def test_pickle_round_trip(sample_docs):
    pages = [d["text"] for d in sample_docs]
    model = dechaff.SiteModel.learn(pages, min_share=0.2)
    again = pickle.loads(pickle.dumps(model))
    assert isinstance(again, dechaff.SiteModel)
    assert again.to_bytes() == model.to_bytes()
    assert [again.label(p).lines for p in pages] == [model.label(p).lines for p in pages]
    models = dechaff.ModelSet.learn((dechaff.host(d["url"]), d["text"]) for d in sample_docs)
    set_again = pickle.loads(pickle.dumps(models))
    assert set_again.hosts() == models.hosts()
    assert set_again.to_bytes() == models.to_bytes()


def test_merge_of_halves_has_all_pages(sample_docs):
    site = max(by_host(sample_docs).values(), key=len)
    pages = [d["text"] for d in site]
    a = dechaff.SiteModel.learn(pages[:2])
    b = dechaff.SiteModel.learn(pages[2:])
    assert a.merge(b).pages == len(pages)
    merged_set = dechaff.ModelSet({"x": a}).merge(dechaff.ModelSet({"x": b, "y": b}))
    assert merged_set.hosts() == ["x", "y"] and merged_set["x"].pages == len(pages)


NON_ASCII = (
    "Ärger über Straßenbäume – „Grünflächen“ in Köln\n"
    "\n"
    "日本語の段落です。東京の天気は晴れで、気温は二十度まで上がる見込みです。\n"
    "Emoji 🎉🎉 in a long paragraph about the town council, which met on Tuesday to approve a budget.\n"
    "  \n"
    "Ελληνικά: η βιβλιοθήκη ανοίγει ξανά μετά την ανακαίνιση, με αναγνώσεις για παιδιά την Κυριακή.\n"
    "Copyright © 2025 Ünïcödé GmbH\r\n"
    "Teilen Sie diesen Artikel"
)


def test_str_offsets_index_the_str_with_non_ascii_text():
    by_chars = dechaff.label(NON_ASCII)
    by_bytes = dechaff.label(NON_ASCII.encode("utf-8"))
    assert by_chars.offsets == "chars" and by_bytes.offsets == "bytes"
    assert by_chars.labels == by_bytes.labels
    raw = NON_ASCII.encode("utf-8")
    expected = [line.rstrip("\r") for line in NON_ASCII.split("\n") if line.strip()]
    assert len(by_chars.lines) == len(expected) == 6
    for (label, start, end), (blabel, bstart, bend), line in zip(by_chars.lines, by_bytes.lines, expected, strict=True):
        assert label == blabel
        assert NON_ASCII[start:end] == line
        assert raw[bstart:bend].decode("utf-8") == line
    assert char_lines_as_bytes(NON_ASCII, by_chars) == [list(t) for t in by_bytes.lines]


def test_invalid_utf8_bytes_are_labelled():
    page = (
        b"Caf\xe9 au lait \xff\xfe is a drink that many people in the town like to have in the morning.\n\xc3\x28\nok\n"
    )
    result = dechaff.label(page)
    assert [page[s:e] for _, s, e in result.lines] == page.rstrip(b"\n").split(b"\n")
    assert all(label in dechaff.LABELS for label in result.labels)
    # The body text is valid str; invalid bytes become U+FFFD.
    assert "\ufffd" in result.body_text or result.counts["body"] == 0
    model = dechaff.SiteModel.learn([page, page + b"another line\n"])
    assert len(model.label(page)) == 3


@pytest.mark.parametrize("page", ["", b"", "\n\n  \n", b"\r\n"])
def test_empty_and_blank_pages_have_no_lines(page):
    result = dechaff.label(page)
    assert result.lines == [] and result.labels == [] and result.reasons == []
    assert result.body_text == ""
    assert result.counts == {label: 0 for label in dechaff.LABELS}
    assert len(result) == 0
    model = dechaff.SiteModel.learn([page, page])
    assert model.label(page).lines == []


def test_odd_pages_are_labelled():
    for page in ["\x00\x00\x00\n", "a\rb\rc", "x" * 2_000_000, "\n" * 1000 + "last line"]:
        result = dechaff.label(page)
        for _, start, end in result.lines:
            assert 0 <= start <= end <= len(page)


def test_bad_input_raises(sample_docs):
    with pytest.raises(dechaff.DechaffError, match="not valid Unicode"):
        dechaff.label("lone surrogate \udc80 here")
    with pytest.raises(TypeError):
        dechaff.label(42)
    with pytest.raises(TypeError):
        dechaff.SiteModel.learn(["ok", None])
    learner = dechaff.SiteLearner()
    learner.add("one page")
    learner.finish()
    with pytest.raises(dechaff.DechaffError, match="finished"):
        learner.add("another")
    with pytest.raises(dechaff.DechaffError, match="finished"):
        learner.finish()
    with pytest.raises(KeyError):
        dechaff.ModelSet()["nowhere.example"]


def test_corrupt_models_raise(sample_docs):
    pages = [d["text"] for d in sample_docs]
    good = dechaff.SiteModel.learn(pages).to_bytes()
    middle = len(good) // 2
    flipped = good[:middle] + bytes([good[middle] ^ 0x55]) + good[middle + 1 :]
    newer_json = json.dumps({"format": "dechaff-site-model", "version": 99}).encode()
    a_set = dechaff.ModelSet({"h": dechaff.SiteModel.from_bytes(good)}).to_bytes()
    for bad in [b"", b"garbage", good[:middle], flipped, good + b"x", newer_json, a_set, b"\xff\xfe"]:
        with pytest.raises(dechaff.DechaffError):
            dechaff.SiteModel.from_bytes(bad)
    with pytest.raises(dechaff.DechaffError):
        dechaff.ModelSet.from_bytes(good)
    # Unpickling goes through from_bytes: a damaged payload raises too.
    rebuild, (payload,) = dechaff.SiteModel.from_bytes(good).__reduce__()
    assert rebuild(payload).to_bytes() == good
    with pytest.raises(dechaff.DechaffError):
        rebuild(payload[:-3])


def test_label_many_releases_the_gil(sample_docs):
    """While one thread labels a large batch, another keeps running Python."""
    pages = [d["text"] for d in sample_docs] * 3000
    model = dechaff.SiteModel.learn(pages[:10])
    started = time.perf_counter()
    worker = threading.Thread(target=model.label_many, args=(pages,))
    worker.start()
    spins = 0
    while worker.is_alive():
        spins += 1
    worker.join()
    elapsed = time.perf_counter() - started
    assert elapsed > 0.2, f"batch too small to tell ({elapsed:.2f}s)"
    # Holding the GIL for the whole batch would allow only the few spins
    # before the call starts; a plain loop runs millions per second.
    assert spins > 10_000 * elapsed


def test_module_constants():
    assert dechaff.LABELS == ("body", "navigation", "job_ad", "comment_policy", "advertisement", "other")
    assert dechaff.__version__.count(".") == 2
    assert dechaff.host("https://User@News.Example.org:8080/a?b") == "news.example.org"
    assert dechaff.host("not a url") == ""
    assert dechaff.MIN_SITE_PAGES == 2
