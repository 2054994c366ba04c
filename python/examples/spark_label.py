"""Label a JSONL dump with Spark in local mode (see python/SCALE.md).

    python python/examples/spark_label.py sample/dump.jsonl out/ --format jsonl

Reads records with `url` and `text` (and any other fields, which are kept),
adds each page's `host`, labels every site's pages with dechaff and writes
Parquet (default) or JSONL to OUT, with the added columns `body`, `lines`
([label, start, end] per non-blank line, character offsets into `text`) and
`counts`. On a cluster, submit the same script with `spark-submit --master
...` and a shared output path; every executor needs `pip install dechaff`.
"""

import argparse
import os
import sys

from pyspark.sql import SparkSession

import dechaff.spark


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("input", help="JSONL dump (a file, folder or glob Spark reads)")
    p.add_argument("out", help="output folder")
    p.add_argument("--format", choices=["parquet", "jsonl"], default="parquet")
    p.add_argument("--master", default="local[2]", help="Spark master (default local[2])")
    p.add_argument(
        "--method",
        choices=["auto", "applyInArrow", "mapInArrow"],
        default="auto",
        help="applyInArrow needs Spark >= 4.0; mapInArrow runs on Spark 3.5 too",
    )
    p.add_argument(
        "--learn-pages",
        type=int,
        default=dechaff.spark.LEARN_PAGES,
        help="pages each site learns from (default %(default)s)",
    )
    p.add_argument("--drop-text", action="store_true", help="write the body but not the page text")
    args = p.parse_args()

    # Local mode: the Python workers are this interpreter, which has dechaff.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = (
        SparkSession.builder.master(args.master).appName("dechaff").config("spark.ui.enabled", "false").getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    try:
        pages = dechaff.spark.with_host(spark.read.json(args.input))
        labelled = dechaff.spark.label_dataframe(pages, learn_pages=args.learn_pages, method=args.method)
        if args.drop_text:
            labelled = labelled.drop("text")
        writer = labelled.write.mode("overwrite")
        if args.format == "parquet":
            writer.parquet(args.out)
        else:
            writer.json(args.out)
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
