"""Time TextVectorizer on the 18,846 20 Newsgroups posts.

Prints wall and CPU time, vocabulary size, number of phrases, non-zeros and peak memory.

Usage: python benchmarks/vectorize_20ng.py [path/to/docs.jsonl.gz] [--kind tfidf|count]
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import time
from pathlib import Path

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared/corpora/20newsgroups/docs.jsonl.gz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=str(DEFAULT))
    parser.add_argument("--kind", default="tfidf", choices=["tfidf", "count"])
    parser.add_argument("--no-phrases", action="store_true")
    args = parser.parse_args()

    with gzip.open(args.path, "rt", encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    texts = [r["text"] for r in records]
    langs = [r.get("lang") or "en" for r in records]

    from topiclab.features.vectorize import TextVectorizer

    vec = TextVectorizer(kind=args.kind, phrases=not args.no_phrases)
    start, cpu_start = time.perf_counter(), time.process_time()
    X = vec.fit_transform(texts, langs=langs)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"documents      {X.shape[0]}")
    print(f"wall time      {wall:.1f} s (fit_transform, kind={args.kind})")
    print(f"cpu time       {cpu:.1f} s (this process; wall time grows on a busy machine)")
    print(f"vocabulary     {X.shape[1]}")
    print(f"phrases        {len(vec.phrases_)}")
    print(f"nnz            {X.nnz}")
    print(f"peak RSS       {peak_mib:.0f} MiB")
    df = X.getnnz(axis=0)
    names = vec.get_feature_names_out()
    frequent = [names[j] for j in df.argsort()[::-1] if "_" in names[j]][:20]
    print("most frequent phrases:", ", ".join(frequent))


if __name__ == "__main__":
    main()
