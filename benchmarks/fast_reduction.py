"""Fast mode's clustering: k-means in a UMAP layout against k-means in PCA dimensions.

Fits fast mode on the fitted half of 20 Newsgroups (as ``end_to_end.py`` splits it) up to
the embedding view's passage vectors, then clusters those vectors with each reduction
and prints the wall and CPU seconds (a fresh process: the first UMAP fit includes numba's
compilation) and the document ARI/NMI against the newsgroups (a document takes the theme
of most of its passages)::

    PYTHONPATH=. TOPICLAB_CACHE=... python benchmarks/fast_reduction.py --k 20
"""

from __future__ import annotations

import argparse
import time
from collections import Counter, defaultdict

import numpy as np

VARIANTS = {
    "umap5-sample5000": {"reducer": "umap", "n_components": 5, "layout_sample": 5000},
    "umap5-sample5000-again": {"reducer": "umap", "n_components": 5, "layout_sample": 5000},
    "pca50": {"reducer": "pca", "n_components": 50},
    "pca100": {"reducer": "pca", "n_components": 100},
    "none": {"reducer": None},
}


def passage_vectors(
    texts: list[str],
    k: int,
    seed: int,
    model: str | None,
    speed: str = "fast",
    precision: str = "auto",
) -> dict:
    """Run a mode (fast) until the embedding view clusters; return what it would cluster.

    With the reduction and the layout sample it would cluster them in.
    """
    import topiclab
    from topiclab.pipeline import embedding_view as ev
    from topiclab.pipeline.speed import cluster_reduction, layout_sample

    got: dict = {}

    class _Stop(Exception):
        pass

    original = ev.EmbeddingViewStage._context

    def _context(self, state):
        got["X"] = original(self, state)
        got["keys"] = list(state.texts)
        got["doc_ids"] = list(state.doc_ids)
        got["strip"] = ev._strip_directions(state)
        got["reduction"] = cluster_reduction(self.section, len(state.texts))
        got["layout_sample"] = layout_sample(self.section)
        raise _Stop

    ev.EmbeddingViewStage._context = _context
    try:
        topiclab.TopicLab(
            n_themes=k,
            n_topics=k,
            speed=speed,
            lang_mode="en",
            random_state=seed,
            n_jobs=1,
            embedding_model=model,
            precision=precision,
        ).fit(texts)
    except _Stop:
        pass
    finally:
        ev.EmbeddingViewStage._context = original
    return got


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--k", type=int, default=20)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    p.add_argument(
        "--model", default=None, help="embedding model (default: fast mode's, minilm-adapted)"
    )
    args = p.parse_args()
    from end_to_end import load_corpus
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from topiclab.ingest import make_doc_id
    from topiclab.models import EmbeddingClusterer

    texts, labels, _ = load_corpus("20ng", None, args.seed)
    half = len(texts) // 2
    texts, labels = texts[:half], labels[:half]
    got = passage_vectors(texts, args.k, args.seed, args.model)
    X, docs = got["X"], got["doc_ids"]
    doc_of = {make_doc_id(f"text:{i}", 0): i for i in range(half)}
    print(
        f"20 Newsgroups, fitted half: {half} documents, {len(X)} passages x {X.shape[1]} "
        f"(model {args.model or 'fast mode default'}), K={args.k}, seed {args.seed}"
    )
    print(f"{'reduction':26s} {'wall s':>7s} {'CPU s':>7s} {'doc ARI':>8s} {'doc NMI':>8s}")
    for name in args.variants:
        kw = dict(VARIANTS[name])
        t, c = time.perf_counter(), time.process_time()
        model = EmbeddingClusterer(
            n_clusters=args.k,
            method="kmeans",
            n_neighbors=15,
            random_state=args.seed,
            strip_directions=got["strip"],
            **kw,
        ).fit(X, sample_keys=got["keys"])
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        votes: dict = defaultdict(Counter)
        for d, lab in zip(docs, model.labels_, strict=True):
            votes[d][int(lab)] += 1
        idx = [doc_of[d] for d in votes if d in doc_of]
        pred = [votes[d].most_common(1)[0][0] for d in votes if d in doc_of]
        truth = np.asarray(labels)[idx]
        print(
            f"{name:26s} {wall:7.1f} {cpu:7.1f} {adjusted_rand_score(truth, pred):8.3f} "
            f"{normalized_mutual_info_score(truth, pred):8.3f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
