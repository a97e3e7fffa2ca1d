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

``--sample-fraction`` sets the share of the passages fast mode's teacher embeds (0.02 in
fast mode). ``--precision float32`` runs the transformer in float32 (the default, ``auto``, runs it in
bfloat16 on a CPU that has it): fast mode's teacher, or balanced mode's MiniLM.

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


def _corpus_part(counts: Any, comps: int) -> np.ndarray:
    """The corpus components of the passages (as ``AdaptedEmbedder`` computes them)."""
    from topiclab.features.adapted import _sublinear_rows, corpus_lsa

    cols, idf, vectors = corpus_lsa(counts, comps, random_state=0)
    return np.asarray(_sublinear_rows(counts[:, cols], idf) @ vectors.T, dtype=np.float32)


def corpus_rows(name: str, texts: list[str], labels: list[str], args: Any) -> None:
    """Print one row per number of components and seed, and each mean ARI."""
    from fast_reduction import passage_vectors
    from sklearn.feature_extraction.text import HashingVectorizer

    from topiclab.config import RunConfig
    from topiclab.features.adapted import AdaptedEmbedder, _unit
    from topiclab.ingest import make_doc_id
    from topiclab.models import EmbeddingClusterer
    from topiclab.models.crosslingual import blend_document_context

    k = K[name]
    got = passage_vectors(texts, k, 0, None, speed=args.speed, precision=args.precision)
    keys, docs = got["keys"], got["doc_ids"]
    doc_of = {make_doc_id(f"text:{i}", 0): i for i in range(len(texts))}
    reducer, dims = got["reduction"]
    context = float(RunConfig().section("cluster").context_weight)
    counts = None
    if args.speed == "balanced":
        counts = HashingVectorizer(
            n_features=2**20,
            ngram_range=(1, 2),
            stop_words="english",
            alternate_sign=False,
            norm=None,
            dtype=np.float32,
        ).transform(keys)
    for comps in args.components:
        scores = []
        for seed in args.seeds:
            t0 = time.perf_counter()
            if args.speed == "balanced":  # MiniLM's vectors, the components appended
                X = got["X"]
                if comps:
                    X = np.hstack([_unit(X), _unit(_corpus_part(counts, comps))])
            else:  # fast mode's embedder fitted again, with that many components
                emb = AdaptedEmbedder(
                    corpus_components=comps,
                    random_state=seed,
                    progress=False,
                    precision=args.precision,
                    sample_fraction=args.sample_fraction,
                )
                X = blend_document_context(emb.fit_transform(keys), docs, context)
            took = time.perf_counter() - t0
            model = EmbeddingClusterer(
                n_clusters=k,
                method="kmeans",
                reducer=reducer,
                n_components=dims,
                random_state=seed,
                strip_directions=0,
                layout_sample=got["layout_sample"],
            ).fit(X, sample_keys=keys)
            if args.speed == "balanced":
                took = time.perf_counter() - t0
            n_docs, ari, nmi = _doc_scores(model.labels_, docs, doc_of, np.asarray(labels))
            scores.append(ari)
            print(
                f"{name:8s} {n_docs:5d} {len(keys):8d} {comps:6d} {seed:4d} "
                f"{ari:6.3f} {nmi:6.3f} {took:8.1f}",
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
    p.add_argument(
        "--precision",
        choices=["auto", "float32"],
        default="auto",
        help="precision of the transformer (default: auto, bfloat16 where the CPU has it)",
    )
    p.add_argument(
        "--sample-fraction",
        type=float,
        default=0.02,
        help="share of the passages fast mode's teacher embeds (default: 0.02, fast mode's)",
    )
    args = p.parse_args()
    print(f"# python benchmarks/corpus_components.py {' '.join(__import__('sys').argv[1:])}")
    last = "cluster s" if args.speed == "balanced" else "embed s"
    print(f"corpus    docs passages  comps seed    ARI    NMI  {last}   ({args.speed} mode)")
    for name in args.corpus:
        texts, labels = load(name, args.limit)
        corpus_rows(name, texts, labels, args)


if __name__ == "__main__":
    main()
