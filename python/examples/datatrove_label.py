"""Label a JSONL dump with datatrove, in two stages (see python/SCALE.md).

    python python/examples/datatrove_label.py sample/ out/ --glob dump.jsonl

Stage 1 reads the dump (records with `id`, `url` and `text`), tags each
document with its host and bucket, and writes it to OUT/buckets/BUCKET/.
Stage 2 runs one task per bucket: it learns every site of its bucket and
labels the pages, writing OUT/labelled/RANK.jsonl.gz. With --output text the
body replaces each document's text; with --output metadata the text is kept
and metadata["dechaff"] holds the labelled lines and counts.

LocalPipelineExecutor runs it on this machine; for a Slurm cluster, swap in
datatrove's SlurmPipelineExecutor with the same pipelines (python/SCALE.md).
"""

import argparse

from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter

from dechaff.datatrove import DechaffBucket, DechaffLabelBuckets


def pipelines(args):
    """The two executors, stage 2 depending on stage 1."""
    buckets = f"{args.out}/buckets"
    stage1 = LocalPipelineExecutor(
        pipeline=[
            JsonlReader(args.input, glob_pattern=args.glob),
            DechaffBucket(args.buckets),
            JsonlWriter(buckets, output_filename="${bucket}/${rank}.jsonl.gz"),
        ],
        tasks=args.read_tasks,
        workers=args.workers,
        logging_dir=f"{args.out}/logs/bucket",
    )
    stage2 = LocalPipelineExecutor(
        pipeline=[
            DechaffLabelBuckets(buckets, args.buckets, output=args.output),
            JsonlWriter(f"{args.out}/labelled"),
        ],
        tasks=args.buckets,
        workers=args.workers,
        logging_dir=f"{args.out}/logs/label",
        depends=stage1,
    )
    return stage1, stage2


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("input", help="folder of the JSONL dump")
    p.add_argument("out", help="output folder")
    p.add_argument("--glob", default=None, help="files of the input folder to read (default: all)")
    p.add_argument("--buckets", type=int, default=4, help="buckets = stage 2 tasks (default 4)")
    p.add_argument("--read-tasks", type=int, default=1, help="stage 1 tasks (default 1)")
    p.add_argument("--workers", type=int, default=2, help="tasks run at once (default 2)")
    p.add_argument("--output", choices=["text", "metadata"], default="text")
    args = p.parse_args()
    _, stage2 = pipelines(args)
    stage2.run()


if __name__ == "__main__":
    main()
