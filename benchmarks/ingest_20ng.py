"""Benchmark: ingest 20 Newsgroups (18,846 posts) and print time, throughput, memory and counts.

Usage::

    python benchmarks/ingest_20ng.py [PATH_TO_docs.jsonl.gz] [--limit N] [--progress]

The default path is ``../shared/corpora/20newsgroups/docs.jsonl.gz`` next to the
repository. Peak memory is the process's maximum resident set size
(``resource.getrusage``), which includes the interpreter and libraries.
"""

from __future__ import annotations

import argparse
import gzip
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "corpora" / "20newsgroups" / "docs.jsonl.gz"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=str(DEFAULT))
    parser.add_argument("--limit", type=int, default=None, help="only the first N records")
    parser.add_argument("--progress", action="store_true")
    args = parser.parse_args(argv)

    from topiclab.ingest import load

    path = Path(args.path)
    if not path.is_file():
        print(f"not found: {path}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        if args.limit:
            sliced = Path(tmp) / "slice.jsonl"
            with gzip.open(path, "rt", encoding="utf-8") as src, open(sliced, "w") as dst:
                for i, line in enumerate(src):
                    if i >= args.limit:
                        break
                    dst.write(line)
            path = sliced
        start = time.perf_counter()
        cpu0 = time.process_time()
        corpus = load(path, progress=args.progress)
        wall = time.perf_counter() - start
        cpu = time.process_time() - cpu0

    log = corpus.log
    actions = Counter((e["step"], e["action"]) for e in log)
    dropped = sum(n for (step, _), n in actions.items() if step == "dedupe")
    n_docs = len(corpus.documents)
    n_in = n_docs + dropped + actions[("clean", "drop_empty")]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"input               {path}")
    print(f"wall time           {wall:.1f} s")
    print(f"CPU time            {cpu:.1f} s (wall time also counts waiting for a busy CPU)")
    print(f"throughput          {n_in / wall:.0f} docs/s")
    print(f"peak memory (RSS)   {peak_mb:.0f} MiB")
    print(f"documents kept      {n_docs}")
    print(f"passages            {len(corpus.passages)}")
    print(f"exact duplicates    {actions[('dedupe', 'drop_exact_duplicate')]}")
    print(f"near duplicates     {actions[('dedupe', 'drop_near_duplicate')]}")
    print(f"empty after clean   {actions[('clean', 'drop_empty')]}")
    print(f"files split         {actions[('split', 'split_file')]}")
    print(f"doc languages       {dict(corpus.documents['lang'].value_counts())}")
    print(f"passage languages   {dict(corpus.passages['lang'].value_counts().head(8))}")
    print("log actions         " + ", ".join(f"{s}/{a}={n}" for (s, a), n in actions.most_common()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
