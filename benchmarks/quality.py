"""Theme quality on a labelled corpus: NPMI, topic diversity and ARI/NMI for both views.

Protocol: for each K and seed, the top-10 words of every topic are scored with gensim's
``c_npmi`` on the same preprocessed corpus the models were fitted on (in-sample; see
``lda_quality.py`` for coherence on held-out documents); topic diversity is the share of unique words among the
top-10 words of all topics (OCTIS ``TopicDiversity(topk=10)``); ARI/NMI compare each
document's theme with its label.

Embeddings are cached on disk (see ``topiclab.features.cache``), so only the first run embeds.

Usage::

    python benchmarks/quality.py                       # 20 Newsgroups, K=10..50, 3 seeds
    python benchmarks/quality.py --limit 2000 --ks 10 20 --seeds 0
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "corpora" / "20newsgroups" / "docs.jsonl.gz"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", type=Path, default=DEFAULT)
    p.add_argument("--ks", type=int, nargs="+", default=[10, 20, 30, 40, 50])
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--views", nargs="+", default=["embedding", "lda"])
    p.add_argument("--model", default="minilm", help="embedding model (default: minilm)")
    p.add_argument("--limit", type=int, default=None, help="use the first N documents")
    p.add_argument("--lda-passes", type=int, default=10)
    p.add_argument(
        "--max-features",
        type=int,
        default=None,
        help="keep only the N most frequent terms (models and NPMI reference alike)",
    )
    p.add_argument("--json", type=Path, help="also write the rows as JSON here")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    from topiclab.evaluate import coherence, label_agreement, topic_diversity
    from topiclab.features.embed import SentenceEmbedder
    from topiclab.features.vectorize import TextVectorizer
    from topiclab.ingest import load
    from topiclab.models import LDA, EmbeddingClusterer, class_tfidf
    from topiclab.themes.terms import select_terms

    if not args.corpus.exists():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    corpus = load(args.corpus)
    docs = corpus.documents
    if args.limit:
        docs = docs.iloc[: args.limit]
    docs = docs[docs["label"].notna()].reset_index(drop=True)
    texts = docs["text"].astype(str).tolist()
    labels = docs["label"].astype(str).to_numpy()
    print(
        f"{len(texts)} documents, {len(set(labels))} labels (ingest {time.perf_counter() - t0:.0f}s)"
    )

    t = time.perf_counter()
    vec = TextVectorizer(kind="count", max_features=args.max_features)
    counts = vec.fit_transform(texts, langs=docs["lang"].tolist())
    names = np.asarray(vec.get_feature_names_out(), dtype=object)
    tokenized = vec.tokenize_documents(texts, docs["lang"].tolist(), in_vocabulary=True)
    print(f"vocabulary {len(names)} terms (vectorise {time.perf_counter() - t:.0f}s)")

    emb = None
    if "embedding" in args.views:
        t = time.perf_counter()
        emb = SentenceEmbedder(args.model, long_text="truncate", progress=True).fit()
        X = emb.transform(texts)
        print(f"embeddings {X.shape} with {emb.model_id_} ({time.perf_counter() - t:.0f}s)")

    # "plain": the top-10 words by weight (c-TF-IDF / topic-word probability);
    # "selected": topiclab's term selection (exclusive + co-occurrence re-ranking).
    term_modes = [
        ("plain", {"topn": 10, "exclusive": False, "coherence_weight": 0.0}),
        ("selected", {"topn": 10}),
    ]
    # The UMAP reduction does not depend on K: fit it once per seed (what
    # EmbeddingClusterer does inside fit) and cluster the reduced points for every K.
    reduced = {}
    if "embedding" in args.views:
        from topiclab.models import Reducer
        from topiclab.models.reduce import l2_normalize

        for seed in args.seeds:
            t = time.perf_counter()
            reducer = Reducer("umap", n_components=5, n_neighbors=15, random_state=seed)
            reduced[seed] = reducer.fit_transform(l2_normalize(X))
            print(f"UMAP seed={seed} ({time.perf_counter() - t:.0f}s)", flush=True)

    header = f"{'view':<14} {'K':>3} {'seed':>4} {'NPMI':>7} {'div':>6} {'ARI':>6} {'NMI':>6} {'fit s':>7}"
    rows = []
    for k in args.ks:
        runs = []
        for seed in args.seeds:
            if "embedding" in args.views:
                t = time.perf_counter()
                cl = EmbeddingClusterer(n_clusters=k, reducer=None, random_state=seed)
                lab = cl.fit(reduced[seed]).labels_
                fit_s = time.perf_counter() - t
                scores = class_tfidf(counts, lab, n_classes=k)
                for view, opts in term_modes:
                    cols = select_terms(scores, counts, **opts)
                    tops = [[str(names[j]) for j in c] for c in cols]
                    runs.append((f"emb/{view}", k, seed, lab, tops, fit_s))
            if "lda" in args.views:
                t = time.perf_counter()
                lda = LDA(n_components=k, passes=args.lda_passes, random_state=seed).fit(counts)
                lab = lda.transform(counts).argmax(axis=1)
                fit_s = time.perf_counter() - t
                for view, opts in term_modes:
                    cols = select_terms(lda.components_, counts, **opts)
                    tops = [[str(names[j]) for j in c] for c in cols]
                    runs.append((f"lda/{view}", k, seed, lab, tops, fit_s))
        # one coherence pass over every topic of this K (the corpus is scanned once)
        all_topics = [topic for r in runs for topic in r[4]]
        _mean, per_topic = coherence(all_topics, tokenized, measure="c_npmi", topn=10)
        if not rows:
            print(header)
        pos = 0
        for view, kk, seed, lab, tops, fit_s in runs:
            npmi = np.asarray(per_topic[pos : pos + len(tops)], dtype=float)
            pos += len(tops)
            agree = label_agreement(labels, lab)
            r = {
                "view": view,
                "k": kk,
                "seed": seed,
                "npmi": float(np.nanmean(npmi)),
                "diversity": topic_diversity(tops, topk=10),
                "ari": agree["ari"],
                "nmi": agree["nmi"],
                "fit_s": fit_s,
            }
            rows.append(r)
            print(
                f"{r['view']:<14} {r['k']:>3} {r['seed']:>4} {r['npmi']:>7.3f} "
                f"{r['diversity']:>6.3f} {r['ari']:>6.3f} {r['nmi']:>6.3f} {r['fit_s']:>7.1f}",
                flush=True,
            )
    print("\nMean over K and seeds:")
    for view in dict.fromkeys(r["view"] for r in rows):
        sel = [r for r in rows if r["view"] == view]
        m = {key: np.mean([r[key] for r in sel]) for key in ("npmi", "diversity", "ari", "nmi")}
        print(
            f"  {view:<14} NPMI {m['npmi']:.3f}  diversity {m['diversity']:.3f}  "
            f"ARI {m['ari']:.3f}  NMI {m['nmi']:.3f}"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
