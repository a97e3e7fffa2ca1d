"""Embedding themes side by side: topiclab's embedding view against BERTopic and KeyNMF.

Protocol (the same as ``lda_quality.py``). The labelled documents are shuffled with a
fixed seed, cut to ``--limit`` and split in two halves: every model is fitted on the first
half only. All models see the same tokens: topiclab's tokeniser (stop words, lemmas,
phrases) fitted on the first half, a document's tokens being its passages' tokens in
order; the peers get each document as its vocabulary tokens joined by spaces, so every
model describes its themes with words of one vocabulary. Every model clusters the same
MiniLM document vectors (``long_text="truncate"``, from topiclab's embedding cache, so
they are computed once). Each theme's top-10 words are scored with gensim ``c_npmi``
(sliding window 10) on the **held-out** half (``npmi_out``) and, beside it, on the fitted
half (``npmi_in``). Topic diversity is the share of unique words among all top-10 words;
ARI/NMI compare each fitted document's theme with its label.

Rows:

* ``topiclab``: the embedding view's clustering (:class:`~topiclab.models.EmbeddingClusterer`
  with ``n_clusters=K``: UMAP to 5 dimensions, KMeans) on the document vectors, described
  four ways from the same clusters: ``plain`` (the 10 highest class-based TF-IDF weights),
  ``select-v1`` (an earlier term selection: spread terms dropped, each word kept for one
  theme, candidates re-ranked by document co-occurrence), ``sel-docs`` (the previous
  selection: coverage weights, co-occurrence counted over documents only) and
  ``selected`` (the view's term selection now,
  :func:`topiclab.themes.terms.theme_term_selection` with word co-occurrence counted over
  the documents and their passages together). With ``--ablation``, also each step from
  ``select-v1`` to ``sel-docs`` (``ABLATION``): c-TF-IDF with exclusivity only, plus NPMI
  shrinkage, coverage weights plain and exclusive, coverage with the earlier re-ranking,
  plus shrinkage, plus 100 candidates (the last step to ``sel-docs`` is coherence weight
  0.8), the final options without shrinkage (``final-noshrink``) and with c-TF-IDF
  weights (``ctfidf-final``), ``sel-passages``: the selection computed over the
  documents' passages (each with its document's theme) instead of documents, and
  ``sel-units``: what the embedding view does with passages
  (:func:`~topiclab.themes.terms.embedding_theme_terms` sums them per document and theme
  first).
* ``bertopic``: BERTopic defaults (HDBSCAN, then ``nr_topics=K``), the shared UMAP settings.
* ``bertopic-kmeans``: BERTopic with KMeans(K) in place of HDBSCAN.
* ``keynmf``: turftopic ``KeyNMF(K)``; it embeds its vocabulary with the same MiniLM.

Usage::

    python benchmarks/embedding_quality.py --corpus 20ng --limit 4000 --k 20 --seeds 0
    python benchmarks/embedding_quality.py --corpus agnews --limit 4000 --k 4 --seeds 0
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from end_to_end import fit_bertopic
from lda_quality import SOURCES, Half, cached, cpu_s, read_corpus

METHODS = ("topiclab", "bertopic", "bertopic-kmeans", "keynmf")
MODEL = "minilm"


class _Encoder:
    """The cached MiniLM embedder behind the ``encode`` method turftopic calls."""

    def __init__(self) -> None:
        from topiclab.features.embed import SentenceEmbedder

        self.embedder = SentenceEmbedder(MODEL, long_text="truncate", progress=False).fit()

    def encode(self, sentences: Any, **_: Any) -> np.ndarray:
        return self.embedder.transform(list(sentences))


def prepare(
    name: str, limit: int, split_seed: int, cache: Path | None = None
) -> tuple[Half, Half, Any, dict[str, str]]:
    """Halves, tokens and vectoriser as in ``lda_quality.prepare``; each document's raw text.

    With ``cache``, the prepared halves are read from that pickle when it exists and
    written to it otherwise (a benchmark-local shortcut: tokenising is the slow part).
    """
    return cached(cache, lambda: _prepare(name, limit, split_seed))


def _prepare(name: str, limit: int, split_seed: int) -> tuple[Half, Half, Any, dict[str, str]]:
    from topiclab.features.vectorize import TextVectorizer
    from topiclab.ingest import from_texts

    texts, labels, ids = read_corpus(name, limit, split_seed)
    corpus = from_texts(texts, ids=ids)
    docs = corpus.documents
    raw = dict(zip(ids, texts, strict=True))
    label_of = dict(zip(ids, labels, strict=True))
    source = dict(zip(docs["doc_id"].astype(str), docs["source_file"].astype(str), strict=True))
    doc_label = {d: label_of[s] for d, s in source.items()}
    kept = list(doc_label)
    fit_ids = set(kept[: len(kept) // 2])
    p = corpus.passages
    fit_p = p[p["doc_id"].astype(str).isin(fit_ids)]
    out_p = p[~p["doc_id"].astype(str).isin(fit_ids)]
    vec = TextVectorizer(kind="count", phrases=True)
    tokens = vec.fit_transform_tokens(
        vec.analyze(fit_p["text"].astype(str).tolist(), fit_p["lang"].astype(str).tolist())
    )
    out_tokens = vec.tokenize_documents(
        out_p["text"].astype(str).tolist(), out_p["lang"].astype(str).tolist()
    )
    fit, out = Half(fit_p, tokens, vec, doc_label), Half(out_p, out_tokens, vec, doc_label)
    return fit, out, vec, {d: raw[s] for d, s in source.items()}


def document_vectors(fit: Half, raw: dict[str, str]) -> np.ndarray:
    """MiniLM vectors of the fitted documents' texts (the embedding cache first)."""
    return _Encoder().encode([raw[d] for d in fit.doc_ids])


#: the term selection step by step, on the same clusters: (weights, select_terms options)
ABLATION: dict[str, tuple[str, dict[str, Any]]] = {
    "ctfidf-excl": ("ctfidf", {"coherence_weight": 0.0}),
    "+shrink": ("ctfidf", {"npmi_shrinkage": 5.0}),
    "coverage": ("coverage", {"exclusive": False, "coherence_weight": 0.0}),
    "cov-excl": ("coverage", {"coherence_weight": 0.0}),
    "cov+v1": ("coverage", {}),
    "cov+shrink": ("coverage", {"npmi_shrinkage": 5.0}),
    "cov+shr+p100": ("coverage", {"npmi_shrinkage": 5.0, "pool": 100}),
    "final-noshrink": ("coverage", {"pool": 100, "coherence_weight": 0.8}),
    "ctfidf-final": ("ctfidf", {"npmi_shrinkage": 5.0, "pool": 100, "coherence_weight": 0.8}),
}


def topiclab_terms(
    fit: Half, labels: np.ndarray, k: int, names: np.ndarray, ablation: bool = False
) -> dict[str, list]:
    """The same clusters described several ways (see the module docstring)."""
    from topiclab.models import class_tfidf
    from topiclab.themes.terms import (
        coverage_weights,
        embedding_theme_terms,
        select_terms,
        spread_terms,
        theme_term_selection,
    )

    counts = fit.doc_counts
    scores = class_tfidf(counts, labels, n_classes=k)
    plain = [[str(names[j]) for j in np.argsort(-row, kind="stable")[:10]] for row in scores]
    spread = spread_terms(counts, labels, k)
    old = scores.copy()
    old[:, spread] = 0.0
    v1 = [[str(names[j]) for j in c] for c in select_terms(old, counts, topn=10)]
    # co-occurrence over the documents and the passages of documents cut into several, as
    # the view counts it
    import scipy.sparse as sp

    split = np.bincount(fit.passage_doc, minlength=counts.shape[0])[fit.passage_doc] > 1
    together = sp.vstack([counts, fit.counts.tocsr()[split]]).tocsr() if split.any() else None
    _, picks = theme_term_selection(counts, labels, k, topn=10, cooccurrence=together)
    now = [[str(names[j]) for j in c] for c in picks]
    # the previous selection: co-occurrence over the documents only
    _, picks = theme_term_selection(counts, labels, k, topn=10)
    docs_only = [[str(names[j]) for j in c] for c in picks]
    out = {"plain": plain, "select-v1": v1, "sel-docs": docs_only, "selected": now}
    if ablation:
        # the same selection over passages (each with its document's theme), as the
        # pipeline sees them when it cuts documents into passages
        _, picks = theme_term_selection(fit.counts, labels[fit.passage_doc], k, topn=10)
        out["sel-passages"] = [[str(names[j]) for j in c] for c in picks]
        # what the embedding view does with passages: sum them per document and theme
        _, sel = embedding_theme_terms(
            fit.counts,
            labels[fit.passage_doc],
            k,
            fit.passages["lang"].astype(str).tolist(),
            fit.passages["doc_id"].astype(str).tolist(),
            topn=10,
        )
        out["sel-units"] = [[str(names[j]) for j in c] for c in sel["all"]]
        cover = coverage_weights(counts, labels, k)
        cover[:, spread] = 0.0
        for name, (weights, opts) in ABLATION.items():
            w = old if weights == "ctfidf" else cover
            cols = select_terms(w, counts, topn=10, **opts)
            out[name] = [[str(names[j]) for j in c] for c in cols]
    return out


def run_topiclab(
    fit: Half,
    X: np.ndarray,
    k: int,
    seed: int,
    names: np.ndarray,
    ablation: bool = False,
    neighbors: int | None = None,
) -> dict:
    """The embedding view's clusterer on the document vectors, then its term selection.

    ``neighbors`` sets the clustering's UMAP neighbourhood (``None``: the default rule).
    """
    from topiclab.models import EmbeddingClusterer

    model = EmbeddingClusterer(
        n_clusters=k, random_state=seed, n_neighbors="auto" if neighbors is None else neighbors
    ).fit(X)
    labels = np.asarray(model.labels_)
    return {
        "labels": labels,
        "terms": topiclab_terms(fit, labels, k, names, ablation),
        "umap_neighbors": getattr(model, "n_neighbors_", None),
    }


def run_peer(method: str, fit: Half, X: np.ndarray, k: int, seed: int) -> dict:
    """Fit one peer on the fitted half's vocabulary tokens and the shared vectors."""
    from sklearn.feature_extraction.text import CountVectorizer

    joined = [" ".join(t) or "empty" for t in fit.doc_vocab_tokens]
    vectorizer = CountVectorizer(token_pattern=r"\S+", lowercase=False, min_df=1)
    if method.startswith("bertopic"):
        labels, tops = fit_bertopic(
            joined, X, vectorizer, k, seed, kmeans=method == "bertopic-kmeans"
        )
        return {"labels": labels, "terms": {"own": tops}, "outliers": float(np.mean(labels == -1))}
    from turftopic import KeyNMF

    model = KeyNMF(k, encoder=_Encoder(), vectorizer=vectorizer, random_state=seed)
    doc_topic = model.fit_transform(joined, embeddings=X)
    labels = np.asarray(doc_topic).argmax(axis=1)
    vocab = model.get_vocab()
    tops = [[str(vocab[j]) for j in np.argsort(-row)[:10]] for row in model.components_]
    return {"labels": labels, "terms": {"own": tops}, "outliers": 0.0}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", choices=sorted(SOURCES), default="20ng")
    p.add_argument("--limit", type=int, default=4000, help="documents (both halves)")
    p.add_argument("--k", type=int, default=20)
    p.add_argument("--seeds", type=int, nargs="+", default=[0])
    p.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    p.add_argument(
        "--ablation",
        action="store_true",
        help="also describe topiclab's clusters with each step of the term selection",
    )
    p.add_argument(
        "--cluster-neighbors",
        type=int,
        help="UMAP neighbours of topiclab's clustering (default: the clusterer's own rule)",
    )
    p.add_argument("--json", type=Path, help="also write the rows as JSON here")
    p.add_argument("--cache", type=Path, help="pickle of the prepared halves (read or written)")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    from topiclab.evaluate import coherence, label_agreement, topic_diversity

    path = SOURCES[args.corpus][0]
    if not path.exists():
        print(f"corpus not found: {path}", file=sys.stderr)
        return 2
    t0, c0 = time.perf_counter(), cpu_s()
    fit, out, vec, raw_by_doc = prepare(args.corpus, args.limit, 0, args.cache)
    names = np.asarray(vec.get_feature_names_out(), dtype=object)
    print(
        f"{args.corpus}: {len(fit.doc_ids)} fitted + {len(out.doc_ids)} held-out documents, "
        f"{len(set(fit.labels))} labels, vocabulary {len(names)} terms, K={args.k} "
        f"(prepare {time.perf_counter() - t0:.0f}s wall, {cpu_s() - c0:.0f}s CPU)",
        flush=True,
    )
    t, c = time.perf_counter(), cpu_s()
    X = document_vectors(fit, raw_by_doc)
    print(
        f"MiniLM vectors {X.shape} ({time.perf_counter() - t:.0f}s wall, {cpu_s() - c:.0f}s CPU; "
        "from the cache when embedded before)",
        flush=True,
    )
    header = (
        f"{'method':<16} {'terms':<13} {'seed':>4} {'NPMI out':>8} {'NPMI in':>8} {'div':>6} "
        f"{'ARI':>6} {'NMI':>6} {'K':>3} {'wall s':>7} {'CPU s':>7}"
    )
    print(header, flush=True)
    rows = []
    for method in args.methods:
        for seed in args.seeds:
            t, c = time.perf_counter(), cpu_s()
            if method == "topiclab":
                res = run_topiclab(
                    fit, X, args.k, seed, names, args.ablation, args.cluster_neighbors
                )
                print(f"(topiclab seed {seed}: UMAP neighbours {res['umap_neighbors']})")
            else:
                res = run_peer(method, fit, X, args.k, seed)
            wall, cpu = time.perf_counter() - t, cpu_s() - c
            agree = label_agreement(fit.labels, res["labels"])
            # one coherence pass per reference over every term list of this fit
            flat = [t for tops in res["terms"].values() for t in tops]
            _, per_out = coherence(flat, out.doc_tokens, measure="c_npmi", topn=10)
            _, per_in = coherence(flat, fit.doc_tokens, measure="c_npmi", topn=10)
            pos = 0
            for terms, tops in res["terms"].items():
                npmi_out = float(np.nanmean(per_out[pos : pos + len(tops)]))
                npmi_in = float(np.nanmean(per_in[pos : pos + len(tops)]))
                pos += len(tops)
                r = {
                    "method": method,
                    "terms": terms,
                    "seed": seed,
                    "npmi_out": npmi_out,
                    "npmi_in": npmi_in,
                    "diversity": topic_diversity(tops, topk=10),
                    "ari": agree["ari"],
                    "nmi": agree["nmi"],
                    "n_topics": len(tops),
                    "outliers": res.get("outliers", 0.0),
                    "wall_s": wall,
                    "cpu_s": cpu,
                    "topics": tops,
                }
                rows.append(r)
                print(
                    f"{method:<16} {terms:<13} {seed:>4} {npmi_out:>8.3f} {npmi_in:>8.3f} "
                    f"{r['diversity']:>6.3f} {r['ari']:>6.3f} {r['nmi']:>6.3f} {len(tops):>3} "
                    f"{wall:>7.1f} {cpu:>7.1f}",
                    flush=True,
                )
    if len(args.seeds) > 1:
        print("\nMean (min-max) over seeds:")
        keys = ("npmi_out", "npmi_in", "diversity", "ari", "nmi")
        print(f"{'method':<16} {'terms':<13} " + " ".join(f"{k:>17}" for k in keys))
        for method, terms in dict.fromkeys((r["method"], r["terms"]) for r in rows):
            sel = [r for r in rows if r["method"] == method and r["terms"] == terms]
            cells = []
            for key in keys:
                v = np.array([r[key] for r in sel], dtype=float)
                cells.append(f"{v.mean():.3f} ({v.min():.2f}-{v.max():.2f})")
            print(f"{method:<16} {terms:<13} " + " ".join(f"{c:>17}" for c in cells))
    print("\nTop words (first seed):")
    for r in rows:
        if r["seed"] != args.seeds[0] or r["terms"] not in (
            "plain",
            "select-v1",
            "sel-docs",
            "selected",
            "own",
        ):
            continue
        print(f"[{r['method']} / {r['terms']}]")
        for i, tops in enumerate(r["topics"]):
            print(f"  {i:>2} {' '.join(tops)}")
    print(
        f"total {time.perf_counter() - t0:.0f}s wall, {cpu_s() - c0:.0f}s CPU "
        "(shared 2-core machine)"
    )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
