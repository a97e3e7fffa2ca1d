"""Silhouette of the embedding view: single against double precision, block size, time.

``topiclab.evaluate.silhouette`` scores at most 10,000 drawn passages (every pair of them),
computes the distances in single precision and in blocks of 128 MB. This script takes the
vectors fast mode clusters on the fitted half of 20 Newsgroups (K=20), clusters them as
fast mode does, and prints, for 10,000, 5,000 and 3,000 drawn rows, the silhouette of three
draws in double and in single precision with scikit-learn's default blocks (1 GB) and
with 128 MB ones, and the seconds of the first score in a new process and of the next
two (each configuration in a process of its own)::

    PYTHONPATH=. python benchmarks/silhouette_precision.py
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", default="20ng", choices=["20ng", "agnews", "huffpost"])
    p.add_argument("--limit", type=int, default=None, help="texts (default: all)")
    p.add_argument("--sizes", type=int, nargs="+", default=[10_000, 5_000, 3_000])
    args = p.parse_args()
    from corpus_components import K, load
    from fast_reduction import passage_vectors

    from topiclab.models import EmbeddingClusterer

    texts, _ = load(args.corpus, args.limit)
    got = passage_vectors(texts, K[args.corpus], 0, None)
    X = np.asarray(got["X"], dtype=np.float64)
    reducer, components = got["reduction"]
    labels = (
        EmbeddingClusterer(
            n_clusters=K[args.corpus],
            method="kmeans",
            reducer=reducer,
            n_components=components,
            random_state=0,
            layout_sample=got["layout_sample"],
        )
        .fit(X, sample_keys=got["keys"])
        .labels_
    )
    print(f"# PYTHONPATH=. python benchmarks/silhouette_precision.py --corpus {args.corpus}")
    print(f"{args.corpus}: {X.shape[0]} passages, {X.shape[1]} dimensions, K={K[args.corpus]}")
    print("rows  precision  block MB  first s  next s  silhouette of draws 0, 1, 2")
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "vectors.npz"
        np.savez(data, X=X, labels=labels)
        for n in args.sizes:
            for dtype in ("float64", "float32"):
                for block in (1024, 128):
                    out = subprocess.run(
                        [sys.executable, "-c", _ONE, str(data), dtype, str(block), str(n)],
                        capture_output=True,
                        text=True,
                        check=True,
                    ).stdout
                    first, rest, *values = json.loads(out)
                    print(
                        f"{n:>6} {dtype:>8} {block:>9} {first:8.2f} {rest:7.2f}  "
                        + " ".join(f"{v:.4f}" for v in values)
                    )


# one configuration in a new process: the first score, then two more draws
_ONE = """
import json, sys, time
import numpy as np, sklearn
from sklearn.metrics import silhouette_score
import scipy.stats  # imported by the first score otherwise: not part of its time
path, dtype, block, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
d = np.load(path)
X, labels = d["X"].astype(dtype), d["labels"]
values, seconds = [], []
with sklearn.config_context(working_memory=block):
    for seed in range(3):
        t = time.perf_counter()
        values.append(float(silhouette_score(
            X, labels, metric="cosine", sample_size=n, random_state=seed)))
        seconds.append(time.perf_counter() - t)
print(json.dumps([seconds[0], sum(seconds[1:]) / 2, *values]))
"""

if __name__ == "__main__":
    main()
