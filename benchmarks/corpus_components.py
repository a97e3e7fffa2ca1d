"""Fast mode's English vectors with and without the corpus's latent semantic directions.

On each labelled English corpus, fast mode is run up to the embedding view to get its
passages (``fast_reduction.passage_vectors``); then :class:`AdaptedEmbedder` is fitted on
those passages at each number of corpus components (``0``: the mapped vectors alone) and
the vectors are clustered as fast mode clusters them (document context blended in,
k-means in 50 PCA dimensions). A document takes the theme of most of its passages; the
script prints its ARI/NMI against the labels for each seed and the seconds of the fit.
The first fit of a corpus loads the models and may embed the sample; later ones find the
teacher's vectors in the embedding cache and time the features, the map and the SVD.

``--speed balanced`` asks whether the other modes should append them too: balanced mode
is run up to the same point (MiniLM on every passage, from the cache where embedded
before), and its vectors are clustered as balanced mode clusters them (a UMAP layout),
alone and with the corpus components appended (:func:`corpus_lsa` of the passages'
hashed TF-IDF, both parts of unit length).

Corpora: ``20ng`` (the fitted half, as ``end_to_end.py`` splits it), ``agnews`` (the
labelled English items of ``multilingual_news``), ``huffpost`` (``dated_news``, 29
categories)::

    PYTHONPATH=. TOPICLAB_CACHE=... python benchmarks/corpus_components.py \\
        --corpus 20ng agnews huffpost --components 0 100
    PYTHONPATH=. TOPICLAB_CACHE=... python benchmarks/corpus_components.py --speed balanced
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from collections import Counter, defaultdict
from typing import Any

import numpy as np

K = {"20ng": 20, "agnews": 4, "huffpost": 29}


def load(name: str, limit: int | None) -> tuple[list[str], list[str]]:
    """Texts and labels of a labelled English corpus (seeded order, first ``limit``)."""
    from end_to_end import CORPORA, load_corpus

    if name == "20ng":
        texts, labels, _ = load_corpus("20ng", None, 0)
        half = len(texts) // 2
        texts, labels = texts[:half], labels[:half]
        return texts[:limit], labels[:limit]
    if name == "huffpost":
        path = CORPORA / "dated_news" / "huffpost_news_category_2018_2022.jsonl.gz"
        rows = [json.loads(x) for x in gzip.open(path, "rt")]
    else:
        path = CORPORA / "multilingual_news" / "docs.jsonl.gz"
        rows = [json.loads(x) for x in gzip.open(path, "rt")]
        rows = [r for r in rows if r.get("label") and r.get("lang") == "en"]
    rows = [r for r in rows if r["text"].strip()]
    rows = [rows[i] for i in np.random.default_rng(0).permutation(len(rows))][:limit]
    return [r["text"] for r in rows], [r["label"] for r in rows]


def _doc_scores(
    labels_: np.ndarray, docs: list[str], doc_of: dict[str, int], truth_all: np.ndarray
) -> tuple[int, float, float]:
    """Documents scored and their ARI/NMI (a document takes its passages' majority theme)."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    votes: dict[str, Counter] = defaultdict(Counter)
    for d, lab in zip(docs, labels_, strict=True):
        votes[d][int(lab)] += 1
    ids = [d for d in votes if d in doc_of]
    pred = [votes[d].most_common(1)[0][0] for d in ids]
    truth = truth_all[[doc_of[d] for d in ids]]
    return len(ids), adjusted_rand_score(truth, pred), normalized_mutual_info_score(truth, pred)


def balanced_vectors(texts: list[str], k: int) -> dict:
    """Run balanced mode until its embedding view clusters; return what it would cluster."""
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
        got["reduction"] = cluster_reduction(self.section, len(state.texts))
        got["layout_sample"] = layout_sample(self.section)
        raise _Stop

    ev.EmbeddingViewStage._context = _context
    try:
        topiclab.TopicLab(
            n_themes=k, n_topics=k, speed="balanced", lang_mode="en", random_state=0, n_jobs=1
        ).fit(texts)
    except _Stop:
        pass
    finally:
        ev.EmbeddingViewStage._context = original
    return got


def balanced_rows(name: str, texts: list[str], labels: list[str], args: Any) -> None:
    """Balanced mode's MiniLM vectors clustered alone and with corpus components."""
    from sklearn.feature_extraction.text import HashingVectorizer

    from topiclab.features.adapted import _sublinear_rows, _unit, corpus_lsa
    from topiclab.ingest import make_doc_id
    from topiclab.models import EmbeddingClusterer

    k = K[name]
    got = balanced_vectors(texts, k)
    keys, docs = got["keys"], got["doc_ids"]
    doc_of = {make_doc_id(f"text:{i}", 0): i for i in range(len(texts))}
    counts = HashingVectorizer(
        n_features=2**20,
        ngram_range=(1, 2),
        stop_words="english",
        alternate_sign=False,
        norm=None,
        dtype=np.float32,
    ).transform(keys)
    reducer, dims = got["reduction"]
    for comps in args.components:
        X = got["X"]
        if comps:
            cols, idf, vectors = corpus_lsa(counts, comps, random_state=0)
            L = np.asarray(_sublinear_rows(counts[:, cols], idf) @ vectors.T, dtype=np.float32)
            X = np.hstack([_unit(X), _unit(L)])
        scores = []
        for seed in args.seeds:
            t0 = time.perf_counter()
            model = EmbeddingClusterer(
                n_clusters=k,
                method="kmeans",
                reducer=reducer,
                n_components=dims,
                random_state=seed,
                strip_directions=0,
                layout_sample=got["layout_sample"],
            ).fit(X, sample_keys=keys)
            n_docs, ari, nmi = _doc_scores(model.labels_, docs, doc_of, np.asarray(labels))
            scores.append(ari)
            print(
                f"{name:8s} {n_docs:5d} {len(keys):8d} {comps:6d} {seed:4d} "
                f"{ari:6.3f} {nmi:6.3f} {time.perf_counter() - t0:8.1f}",
                flush=True,
            )
        print(f"{name:8s} mean ARI with {comps} components: {np.mean(scores):.3f}", flush=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", nargs="+", default=list(K), choices=list(K))
    p.add_argument("--limit", type=int, default=10_000, help="documents at most")
    p.add_argument("--components", nargs="+", type=int, default=[0, 100])
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1])
    p.add_argument("--speed", choices=["fast", "balanced"], default="fast")
    args = p.parse_args()
    from fast_reduction import passage_vectors

    from topiclab.config import RunConfig
    from topiclab.features.adapted import AdaptedEmbedder
    from topiclab.ingest import make_doc_id
    from topiclab.models import EmbeddingClusterer
    from topiclab.models.crosslingual import blend_document_context

    context = float(RunConfig().section("cluster").context_weight)
    print(f"# python benchmarks/corpus_components.py {' '.join(__import__('sys').argv[1:])}")
    last = "cluster s" if args.speed == "balanced" else "embed s"
    print(f"corpus    docs passages  comps seed    ARI    NMI  {last}   ({args.speed} mode)")
    for name in args.corpus:
        texts, labels = load(name, args.limit)
        if args.speed == "balanced":
            balanced_rows(name, texts, labels, args)
            continue
        k = K[name]
        got = passage_vectors(texts, k, 0, None)
        keys, docs = got["keys"], got["doc_ids"]
        doc_of = {make_doc_id(f"text:{i}", 0): i for i in range(len(texts))}
        truth_all = np.asarray(labels)
        for comps in args.components:
            scores = []
            for seed in args.seeds:
                t0 = time.perf_counter()
                emb = AdaptedEmbedder(corpus_components=comps, random_state=seed, progress=False)
                X = emb.fit_transform(keys)
                took = time.perf_counter() - t0
                X = blend_document_context(X, docs, context)
                model = EmbeddingClusterer(
                    n_clusters=k,
                    method="kmeans",
                    reducer="pca",
                    n_components=50,
                    random_state=seed,
                    strip_directions=0,
                ).fit(X, sample_keys=keys)
                n_docs, ari, nmi = _doc_scores(model.labels_, docs, doc_of, truth_all)
                scores.append(ari)
                print(
                    f"{name:8s} {n_docs:5d} {len(keys):8d} {comps:6d} {seed:4d} "
                    f"{ari:6.3f} {nmi:6.3f} {took:8.1f}",
                    flush=True,
                )
            print(f"{name:8s} mean ARI with {comps} components: {np.mean(scores):.3f}", flush=True)


if __name__ == "__main__":
    main()
