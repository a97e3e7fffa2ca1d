"""The embedding view's clusterer with other settings: ARI/NMI on 20 Newsgroups documents.

Clusters the MiniLM vectors of the fitted half of ``embedding_quality.py``'s split
(from the embedding cache) with :class:`topiclab.models.EmbeddingClusterer`
(``n_clusters=K``) and a variant of its settings, seeds 0-2, and prints ARI and NMI
against the labels. A variant is a comma-separated list of ``base`` (the defaults; the
UMAP neighbourhood they use is printed), ``nn=N`` (UMAP neighbours), ``dim=N`` (UMAP
dimensions), ``strip=N`` (common
directions removed), ``sph`` (spherical k-means in the original space, started from the
clusters, until no document moves) and ``kmraw`` (KMeans on the normalised vectors, no
UMAP). ``--subsample N`` clusters a seeded draw of N of the fitted documents (the same
draw for every variant and seed); ``--k 0`` lets the clusterer choose the number of
clusters (HDBSCAN from 200 samples).

Usage::

    python benchmarks/cluster_variants.py --cache .cache/emb20ng.pkl base "base,nn=30"
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import embedding_quality as e
import lda_quality as q


def spherical_kmeans(Xn: np.ndarray, labels: np.ndarray, k: int, iters: int = 50) -> np.ndarray:
    """Nearest-centroid steps in the original space until no document moves."""
    from topiclab.models.cluster import _l2_normalize

    for _ in range(iters):
        centres = np.zeros((k, Xn.shape[1]))
        for c in range(k):
            members = Xn[labels == c]
            if len(members):
                centres[c] = members.mean(axis=0)
        new = (Xn @ _l2_normalize(centres).T).argmax(axis=1)
        if (new == labels).all():
            break
        labels = new
    return labels


def main(argv: list[str] | None = None) -> int:
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from topiclab.models import EmbeddingClusterer
    from topiclab.models.cluster import _l2_normalize

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("variants", nargs="+")
    ap.add_argument("--corpus", choices=sorted(q.SOURCES), default="20ng")
    ap.add_argument("--limit", type=int, default=4000)
    ap.add_argument("--k", type=int, default=20)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--cache", type=Path, help="pickle of the prepared halves")
    ap.add_argument("--subsample", type=int, help="cluster a seeded draw of this many documents")
    a = ap.parse_args(argv)
    sys.modules["__main__"].Half = q.Half  # caches pickle the benchmarks' Half
    fit, _, _, raw = e.prepare(a.corpus, a.limit, 0, a.cache)
    X = e.document_vectors(fit, raw)
    truth = np.asarray(fit.labels)
    if a.subsample and a.subsample < len(X):
        pick = np.sort(np.random.default_rng(0).choice(len(X), a.subsample, replace=False))
        X, truth = X[pick], truth[pick]
    print(f"{len(X)} documents, {len(set(truth))} labels, K={a.k or 'chosen'}", flush=True)
    Xn = _l2_normalize(X)
    for variant in a.variants:
        opts = dict(v.split("=") for v in variant.split(",") if "=" in v)
        flags = set(variant.split(","))
        kw = {
            name: int(opts[key])
            for key, name in (("nn", "n_neighbors"), ("dim", "n_components"))
            if key in opts
        }
        if "strip" in opts:
            kw["strip_directions"] = int(opts["strip"])
        rows = []
        for seed in a.seeds:
            t = time.process_time()
            used = None
            if "kmraw" in flags:
                labels = KMeans(a.k, n_init=10, random_state=seed).fit(Xn).labels_
            else:
                model = EmbeddingClusterer(n_clusters=a.k or None, random_state=seed, **kw).fit(X)
                labels = model.labels_
                used = getattr(model, "n_neighbors_", None)
                if "sph" in flags:
                    labels = spherical_kmeans(Xn, labels.copy(), a.k)
            ari = adjusted_rand_score(truth, labels)
            nmi = normalized_mutual_info_score(truth, labels)
            rows.append((ari, nmi))
            print(
                f"{variant} seed {seed}: ARI {ari:.3f} NMI {nmi:.3f} "
                f"({len(np.unique(labels))} clusters, UMAP neighbours {used}; "
                f"{time.process_time() - t:.1f}s CPU)",
                flush=True,
            )
        ari, nmi = np.mean(rows, axis=0)
        print(f"== {variant}: mean ARI {ari:.3f} NMI {nmi:.3f}", flush=True)
    print("(shared 2-core machine)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
