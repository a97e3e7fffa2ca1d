"""Why the fast mode's themes are weaker: embeddings, reduction and views compared on labels.

On the documents the end-to-end benchmark fits (the first half of a seeded sample), each
row embeds the documents one way, reduces (or not) and clusters with seeded KMeans at K
themes, and prints ARI/NMI against the labels and the embedding time (texts/s; the MiniLM
rows read topiclab's embedding cache when the same texts were embedded before, which the
printout says). Rows:

* ``minilm``: all-MiniLM-L6-v2, one vector per document (truncated at 256 word pieces);
* ``static``: the static model distilled from it (``minilm-static``);
* ``lsa``: TF-IDF of topiclab's tokens, reduced by truncated SVD to 100 dimensions;
* ``static+lsa``: both, each L2-normalised, side by side (weights in the row name);
* ``static-abtt``: the static vectors with their mean and first principal direction
  removed ("all but the top", Mu & Viswanath 2018), which a mean of word vectors is
  dominated by.

Each with ``umap`` (5 dimensions, cosine, as topiclab clusters) or ``none`` (KMeans on the
normalised vectors).

Usage::

    python benchmarks/fast_quality.py --corpus 20ng --limit 1200 --k 20
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from end_to_end import load_corpus


def _unit(X: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(X, axis=1, keepdims=True)
    return X / np.where(n > 0, n, 1.0)


def embed(model: str, texts: list[str]) -> tuple[np.ndarray, float, str]:
    """Vectors, seconds and a note on the cache."""
    from topiclab.features.cache import EmbeddingCache
    from topiclab.features.embed import SentenceEmbedder

    emb = SentenceEmbedder(model, long_text="truncate", progress=False).fit()
    _, found = EmbeddingCache().get(emb.identity_, list(dict.fromkeys(texts)), emb.dim_)
    t0 = time.perf_counter()
    X = emb.transform(texts)
    secs = time.perf_counter() - t0
    note = f"{found.mean():.0%} cached" if len(found) else ""
    return np.asarray(X, dtype=np.float64), secs, note


def all_but_the_top(X: np.ndarray, d: int = 1) -> np.ndarray:
    """Remove the mean and the ``d`` first principal directions of the rows."""
    X = _unit(X)
    X = X - X.mean(axis=0)
    _, _, vt = np.linalg.svd(X, full_matrices=False)
    return X - (X @ vt[:d].T) @ vt[:d]


def lsa(texts: list[str], langs: list[str], dims: int, seed: int) -> tuple[np.ndarray, float]:
    """TF-IDF of topiclab's tokens reduced by truncated SVD (seconds beside)."""
    from sklearn.decomposition import TruncatedSVD

    from topiclab.features.vectorize import TextVectorizer

    t0 = time.perf_counter()
    X = TextVectorizer(kind="tfidf", phrases=False).fit_transform(texts, langs=langs)
    Z = TruncatedSVD(n_components=min(dims, X.shape[1] - 1), random_state=seed).fit_transform(X)
    return Z, time.perf_counter() - t0


def cluster(X: np.ndarray, k: int, reduce: str, seed: int) -> np.ndarray:
    from sklearn.cluster import KMeans

    Z = _unit(X)
    if reduce == "umap":
        import umap

        Z = umap.UMAP(
            n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=seed
        ).fit_transform(Z)
    return KMeans(n_clusters=k, n_init=10, random_state=seed).fit(Z).labels_


def main(argv: list[str] | None = None) -> int:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", choices=["20ng", "multilingual"], default="20ng")
    p.add_argument("--limit", type=int, default=1200)
    p.add_argument("--k", type=int, default=20)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--models", nargs="+", default=["minilm", "minilm-static"])
    p.add_argument("--weights", type=float, nargs="+", default=[0.5, 1.0])
    p.add_argument("--seeds", type=int, nargs="+", default=None, help="clustering seeds")
    p.add_argument("--only", nargs="+", default=None, help="keep only these rows")
    p.add_argument("--reduce", nargs="+", default=["umap", "none"], choices=["umap", "none"])
    args = p.parse_args(argv)

    texts, labels, langs = load_corpus(args.corpus, args.limit, args.seed)
    half = len(texts) // 2
    texts, labels, langs = texts[:half], labels[:half], langs[:half]
    print(f"{args.corpus}: {len(texts)} fitted documents, K={args.k}, seed {args.seed}")
    views: dict[str, np.ndarray] = {}
    for model in args.models:
        X, secs, note = embed(model, texts)
        views[model] = X
        print(f"  embed {model:<14} {len(texts) / secs:>8.1f} texts/s  {note}", flush=True)
    Z, secs = lsa(texts, langs, 100, args.seed)
    views["lsa"] = Z
    print(f"  lsa (tf-idf + svd 100)  {secs:.1f} s", flush=True)
    for model in args.models:
        for w in args.weights:
            views[f"{model}+{w:g}*lsa"] = np.hstack([_unit(views[model]), w * _unit(Z)])
    if "minilm-static" in views:
        views["minilm-static-abtt"] = all_but_the_top(views["minilm-static"])
    if args.only:
        views = {k: v for k, v in views.items() if k in args.only}
    print(f"{'vectors':<28} {'reduce':<6} {'seed':>4} {'ARI':>6} {'NMI':>6}")
    for seed in args.seeds or [args.seed]:
        for name, X in views.items():
            for reduce in args.reduce:
                pred = cluster(X, args.k, reduce, seed)
                ari = adjusted_rand_score(labels, pred)
                nmi = normalized_mutual_info_score(labels, pred)
                print(f"{name:<28} {reduce:<6} {seed:>4} {ari:>6.3f} {nmi:>6.3f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
