#!/usr/bin/env python3
"""Check the six-label wcxb dev set and, on request, turn it into gold files.

The dev set stores labels only: devset/labels/<id>.tsv holds one row per
NON-BLANK line of <corpus>/wcxb/text/<id>.txt, each row a single label.
`--set trainset` checks the training set instead: trainset/labels/<id>.tsv
against <corpus>/silver/text/<id>.txt (and the silver machine labels). A line
is blank if it holds only ASCII whitespace (space, tab, LF, CR, form feed;
the same test as the crate's `lines::is_blank`). No corpus text lives in the
repository.

Usage (from anywhere; stdlib only):

    python3 devset/check.py                      # verify every label file
    python3 devset/check.py --corpus PATH        # corpus root (default ../shared/corpus)
    python3 devset/check.py --binary             # also list disagreements with wcxb binary gold
    python3 devset/check.py --stats              # per-page and total label counts
    python3 devset/check.py --materialise DIR    # write DIR/<id>.txt + DIR/<id>.gold.tsv
    python3 devset/check.py --materialise-tmp    # same, into a fresh temp dir (path printed)
    python3 devset/check.py --set trainset       # the same for trainset/ (pages of silver/)

The materialised folder has the layout of corpus/seeds/: `<id>.txt` (the page
text, copied from the corpus) and `<id>.gold.tsv` (`label<TAB>line` for every
non-blank line). DIR must lie outside the repository, so that corpus text is
never written into it.

Exit status: 0 if every file checks out, 1 otherwise.
"""

import argparse
import os
import sys
import tempfile
from collections import Counter

LABELS = ("body", "navigation", "job_ad", "comment_policy", "advertisement", "other")
ASCII_WS = " \t\n\r\x0c"

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
# Each set: its label folder and the corpus folder holding its pages.
SETS = {
    "devset": (os.path.join(HERE, "labels"), "wcxb"),
    "trainset": (os.path.join(REPO, "trainset", "labels"), "silver"),
}
LABEL_DIR, PAGES = SETS["devset"]
DEFAULT_CORPUS = os.path.join(REPO, "..", "shared", "corpus")


def is_blank(line):
    return all(c in ASCII_WS for c in line)


def page_lines(path):
    """Non-blank lines of a page, in order, without their line terminators."""
    with open(path, "rb") as f:
        data = f.read().decode("utf-8")
    lines = data.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    out = []
    for line in lines:
        if line.endswith("\r"):
            line = line[:-1]
        if not is_blank(line):
            out.append(line)
    return out


def read_labels(path):
    with open(path, "rb") as f:
        data = f.read().decode("utf-8")
    rows = data.split("\n")
    if rows and rows[-1] == "":
        rows.pop()
    return rows


def binary_gold(corpus, doc_id):
    path = os.path.join(corpus, PAGES, "labels", doc_id + ".tsv")
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return [row.split("\t", 1)[0] for row in f.read().split("\n") if row]


def ids():
    return sorted(n[: -len(".tsv")] for n in os.listdir(LABEL_DIR) if n.endswith(".tsv"))


def check(corpus, show_binary, show_stats):
    ok = True
    excluded_path = os.path.join(corpus, "wcxb", "excluded.txt")
    excluded = set()
    if os.path.exists(excluded_path):
        with open(excluded_path, encoding="utf-8") as f:
            excluded = set(f.read().split())
    totals = Counter()
    per_page = []
    disagreements = []
    for doc_id in ids():
        problems = []
        text_path = os.path.join(corpus, PAGES, "text", doc_id + ".txt")
        rows = read_labels(os.path.join(LABEL_DIR, doc_id + ".tsv"))
        if PAGES == "wcxb" and doc_id in excluded:
            problems.append("id is listed in wcxb/excluded.txt")
        for k, row in enumerate(rows, 1):
            if "\t" in row:
                problems.append(f"row {k}: holds a tab (rows hold the label only)")
            elif row not in LABELS:
                problems.append(f"row {k}: invalid label {row!r}")
        if not os.path.exists(text_path):
            problems.append(f"missing corpus text {text_path}")
        else:
            lines = page_lines(text_path)
            if len(lines) != len(rows):
                problems.append(f"{len(rows)} label rows but {len(lines)} non-blank lines")
            gold = binary_gold(corpus, doc_id)
            if gold is not None and len(gold) == len(rows):
                for k, (mine, theirs) in enumerate(zip(rows, gold), 1):
                    if theirs == "-":
                        agree = mine == "other"
                    else:
                        agree = (theirs == "body") == (mine == "body")
                    if not agree:
                        disagreements.append((doc_id, k, theirs, mine))
        if problems:
            ok = False
            for p in problems:
                print(f"FAIL {doc_id}: {p}")
        counts = Counter(rows)
        totals.update(counts)
        per_page.append((doc_id, len(rows), counts))

    if show_stats:
        head = "id".ljust(16) + "lines".rjust(6) + "".join(l[:8].rjust(10) for l in LABELS)
        print(head)
        for doc_id, n, counts in per_page:
            print(doc_id.ljust(16) + str(n).rjust(6) + "".join(str(counts[l]).rjust(10) for l in LABELS))
        print("TOTAL".ljust(16) + str(sum(totals.values())).rjust(6)
              + "".join(str(totals[l]).rjust(10) for l in LABELS))
    if show_binary:
        print(f"{len(disagreements)} line(s) disagree with the {PAGES} binary gold:")
        for doc_id, k, theirs, mine in disagreements:
            print(f"  {doc_id} line {k}: {PAGES} {theirs}, six labels {mine}")
    print(f"{'OK' if ok else 'FAILED'}: {len(per_page)} pages, {sum(totals.values())} lines")
    return ok


def materialise(corpus, out_dir):
    out_abs = os.path.realpath(out_dir)
    repo_abs = os.path.realpath(REPO)
    if out_abs == repo_abs or out_abs.startswith(repo_abs + os.sep):
        sys.exit(f"refusing to write corpus text inside the repository: {out_abs}")
    os.makedirs(out_abs, exist_ok=True)
    for doc_id in ids():
        text_path = os.path.join(corpus, PAGES, "text", doc_id + ".txt")
        lines = page_lines(text_path)
        rows = read_labels(os.path.join(LABEL_DIR, doc_id + ".tsv"))
        if len(lines) != len(rows):
            sys.exit(f"{doc_id}: {len(rows)} label rows but {len(lines)} non-blank lines; run the check")
        with open(text_path, "rb") as src, open(os.path.join(out_abs, doc_id + ".txt"), "wb") as dst:
            dst.write(src.read())
        with open(os.path.join(out_abs, doc_id + ".gold.tsv"), "w", encoding="utf-8", newline="\n") as f:
            for label, line in zip(rows, lines):
                f.write(f"{label}\t{line}\n")
    print(out_abs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    global LABEL_DIR, PAGES
    ap.add_argument("--corpus", default=DEFAULT_CORPUS, help="corpus root (holds wcxb/ and silver/)")
    ap.add_argument("--set", choices=sorted(SETS), default="devset", help="which label set (default devset)")
    ap.add_argument("--binary", action="store_true", help="list disagreements with the wcxb binary gold")
    ap.add_argument("--stats", action="store_true", help="print label counts per page and in total")
    ap.add_argument("--materialise", metavar="DIR", help="write <id>.txt and <id>.gold.tsv into DIR")
    ap.add_argument("--materialise-tmp", action="store_true", help="materialise into a new temp dir")
    args = ap.parse_args()
    LABEL_DIR, PAGES = SETS[args.set]
    corpus = os.path.abspath(args.corpus)
    if not os.path.isdir(os.path.join(corpus, PAGES, "text")):
        sys.exit(f"no corpus at {corpus} (expected {PAGES}/text/ under it); pass --corpus")
    if args.materialise or args.materialise_tmp:
        if not check(corpus, False, False):
            sys.exit(1)
        out = args.materialise or tempfile.mkdtemp(prefix=f"dechaff-{args.set}-")
        materialise(corpus, out)
        return
    sys.exit(0 if check(corpus, args.binary, args.stats) else 1)


if __name__ == "__main__":
    main()
