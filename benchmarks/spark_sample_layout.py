"""Why the Spark engine's themes can differ from the in-memory ones when it samples.

The Spark engine fits UMAP on a driver sample and places the other passages from their
nearest sample passages; the in-memory engine fits UMAP on every passage. This script
isolates that step, with numpy, umap-learn and scikit-learn only (no Spark): on a 20
Newsgroups slice it clusters (KMeans, K = the number of groups)

* UMAP fitted on every passage, two seeds (how much the in-memory layout moves by itself);
* UMAP fitted on a seeded sample, the rest placed by
  :class:`topiclab.engines.spark.stages.SamplePlacement` with several neighbour counts, or
  by umap-learn's own ``transform``; KMeans started from the sample's centres, as the
  Spark engine does;

and prints each partition's ARI against the full-layout partition and against the
newsgroup labels. With ``--refine`` each partition is also refined in the original space
(KMeans on the unit vectors, started from the partition's centroids there) and the
refined partitions are compared the same way.

Usage::

    python benchmarks/spark_sample_layout.py [--groups 10] [--per-group 300]
        [--sample 5045] [--model minilm-static]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--groups", type=int, default=10)
    p.add_argument("--per-group", type=int, default=300)
    p.add_argument("--sample", type=int, default=5045)
    p.add_argument("--neighbors", type=int, nargs="+", default=[100, 43])
    p.add_argument("--model", default="minilm-static")
    p.add_argument("--refine", action="store_true", help="also refine in the original space")
    args = p.parse_args(argv)

    import umap
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score as ari
    from spark_agreement import CORPUS, GROUPS, _slice

    from topiclab.engines.spark.stages import SamplePlacement
    from topiclab.features.embed import SentenceEmbedder
    from topiclab.ingest import load

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "slice.jsonl"
        _slice(CORPUS, GROUPS[: args.groups], args.per_group, data)
        corpus = load(data, progress=False)
    texts = corpus.passages["text"].tolist()
    emb = SentenceEmbedder(args.model, progress=False).fit()
    X = np.asarray(emb.transform(texts), dtype=np.float32)
    labels = corpus.documents.set_index("doc_id")["label"]
    truth = labels.loc[corpus.passages["doc_id"]].to_numpy()
    k = args.groups
    n = len(X)
    sample = np.sort(np.random.default_rng(0).choice(n, min(args.sample, n), replace=False))
    print(
        f"20 Newsgroups: {args.groups} groups x {args.per_group} posts, {n} passages, "
        f"model {args.model}, K={k}, sample {len(sample)} passages; 2 CPUs (shared machine)",
        flush=True,
    )

    def kmeans(Z, init=None, seed=0):
        if init is None:
            return KMeans(k, n_init=10, random_state=seed).fit(Z)
        return KMeans(k, init=init, n_init=1, random_state=seed).fit(Z)

    unit = X / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-12)

    def refine(part):
        centres = np.stack([unit[part == j].mean(axis=0) for j in range(k)])
        return kmeans(unit, init=centres).labels_

    def layout(nn, seed, rows):
        return umap.UMAP(n_neighbors=nn, n_components=5, metric="cosine", random_state=seed).fit(
            X[rows]
        )

    t0 = time.perf_counter()
    full = kmeans(layout(100, 1, slice(None)).embedding_).labels_
    print(f"full layout, seed 1: labels {ari(truth, full):.3f} ({time.perf_counter() - t0:.0f} s)")
    other = kmeans(layout(100, 2, slice(None)).embedding_, seed=1).labels_
    print(f"full layout, seed 2: vs seed 1 {ari(full, other):.3f}, labels {ari(truth, other):.3f}")
    if args.refine:
        full_r, other_r = refine(full), refine(other)
        print(
            f"  refined: seed 2 vs seed 1 {ari(full_r, other_r):.3f}, labels "
            f"{ari(truth, full_r):.3f} and {ari(truth, other_r):.3f}",
            flush=True,
        )
    for nn in args.neighbors:
        red = layout(nn, 1, sample)
        start = kmeans(red.embedding_).cluster_centers_
        for kp in (15, 5, 1):
            Z = SamplePlacement(kp).fit(X[sample], red.embedding_).transform(X)
            got = kmeans(Z, init=start).labels_
            print(
                f"sample layout, {nn} neighbours, placed from {kp} nearest: vs full "
                f"{ari(full, got):.3f}, labels {ari(truth, got):.3f}",
                flush=True,
            )
            if args.refine:
                got_r = refine(got)
                print(
                    f"  refined: vs refined full {ari(full_r, got_r):.3f}, labels "
                    f"{ari(truth, got_r):.3f}",
                    flush=True,
                )
        got = kmeans(red.transform(X), init=start).labels_
        print(
            f"sample layout, {nn} neighbours, umap-learn transform: vs full "
            f"{ari(full, got):.3f}, labels {ari(truth, got):.3f}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
