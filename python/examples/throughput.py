"""Throughput of the Python batch calls over wcxb text (python/SCALE.md).

    python python/examples/throughput.py ../shared/corpus/wcxb

Learns one model per site group of the manifest (as the crate's criterion
bench `label/learned_model` does), then times labelling every page with its
group's model: `SiteModel.label_many` and `SiteModel.body_texts` per group,
pages as `bytes` and as `str`, on one thread and on all cores. Learning is
not timed. Prints MB/s of page text (best of --runs).
"""

import argparse
import csv
import time
from collections import defaultdict
from pathlib import Path

import dechaff


def load(wcxb: Path) -> dict[str, list[bytes]]:
    groups = defaultdict(list)
    with open(wcxb / "manifest.tsv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            path = wcxb / "text" / f"{row['id']}.txt"
            if path.exists():
                groups[row["group"]].append(path.read_bytes())
    return groups


def best(runs: int, f) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("wcxb", type=Path, help="the wcxb folder (manifest.tsv, text/)")
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args()

    groups = load(args.wcxb)
    pages = sum(len(g) for g in groups.values())
    size = sum(len(page) for g in groups.values() for page in g)
    models = {name: dechaff.SiteModel.learn(g) for name, g in groups.items()}
    texts = {name: [page.decode("utf-8") for page in g] for name, g in groups.items()}
    print(f"{pages} pages, {len(groups)} site groups, {size / 1e6:.1f} MB")

    def each_group(inputs, method, threads):
        return lambda: [getattr(models[n], method)(inputs[n], threads=threads) for n in groups]

    cases = [
        ("label_many, bytes, 1 thread", each_group(groups, "label_many", 1)),
        ("label_many, str, 1 thread", each_group(texts, "label_many", 1)),
        ("body_texts, bytes, 1 thread", each_group(groups, "body_texts", 1)),
        ("body_texts, str, 1 thread", each_group(texts, "body_texts", 1)),
        ("label one page at a time (model.label), str", lambda: [models[n].label(t) for n in groups for t in texts[n]]),
        ("label_many, str, all cores", each_group(texts, "label_many", 0)),
        ("body_texts, str, all cores", each_group(texts, "body_texts", 0)),
    ]
    all_pages = [(n, t) for n in groups for t in texts[n]]
    models_set = dechaff.ModelSet({n: m for n, m in models.items()})
    cases.append(("ModelSet.body_texts over (host, page) pairs, 1 thread", lambda: models_set.body_texts(all_pages)))
    for name, f in cases:
        seconds = best(args.runs, f)
        print(f"{name:55} {size / 1e6 / seconds:7.1f} MB/s  ({seconds:.2f} s)")


if __name__ == "__main__":
    main()
