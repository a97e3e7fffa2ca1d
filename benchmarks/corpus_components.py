"""Fast mode's English vectors with and without the corpus's latent semantic directions.

On each labelled English corpus, fast mode is run up to the embedding view to get its
passages (``fast_reduction.passage_vectors``); then :class:`AdaptedEmbedder` is fitted on
those passages at each number of corpus components (``0``: the mapped vectors alone) and
the vectors are clustered as fast mode clusters them (document context blended in,
k-means in 50 PCA dimensions). A document takes the theme of most of its passages; the
script prints its ARI/NMI against the labels for each seed and the seconds of the fit.
The first fit of a corpus loads the models and may embed the sample; later ones find the
teacher's vectors in the embedding cache and time the features, the map and the SVD.

Corpora: ``20ng`` (the fitted half, as ``end_to_end.py`` splits it), ``agnews`` (the
labelled English items of ``multilingual_news``), ``huffpost`` (``dated_news``, 29
categories)::

    PYTHONPATH=. TOPICLAB_CACHE=... python benchmarks/corpus_components.py \\
        --corpus 20ng agnews huffpost --components 0 100
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from collections import Counter, defaultdict

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


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", nargs="+", default=list(K), choices=list(K))
    p.add_argument("--limit", type=int, default=10_000, help="documents at most")
    p.add_argument("--components", nargs="+", type=int, default=[0, 100])
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1])
    args = p.parse_args()
    from fast_reduction import passage_vectors
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from topiclab.config import RunConfig
    from topiclab.features.adapted import AdaptedEmbedder
    from topiclab.ingest import make_doc_id
    from topiclab.models import EmbeddingClusterer
    from topiclab.models.crosslingual import blend_document_context

    context = float(RunConfig().section("cluster").context_weight)
    print(f"# python benchmarks/corpus_components.py {' '.join(__import__('sys').argv[1:])}")
    print("corpus    docs passages  comps seed    ARI    NMI  embed s")
    for name in args.corpus:
        texts, labels = load(name, args.limit)
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
                votes: dict[str, Counter] = defaultdict(Counter)
                for d, lab in zip(docs, model.labels_, strict=True):
                    votes[d][int(lab)] += 1
                ids = [d for d in votes if d in doc_of]
                pred = [votes[d].most_common(1)[0][0] for d in ids]
                truth = truth_all[[doc_of[d] for d in ids]]
                ari = adjusted_rand_score(truth, pred)
                nmi = normalized_mutual_info_score(truth, pred)
                scores.append(ari)
                print(
                    f"{name:8s} {len(ids):5d} {len(keys):8d} {comps:6d} {seed:4d} "
                    f"{ari:6.3f} {nmi:6.3f} {took:8.1f}",
                    flush=True,
                )
            print(f"{name:8s} mean ARI with {comps} components: {np.mean(scores):.3f}", flush=True)


if __name__ == "__main__":
    main()
