"""End to end: topiclab and the tools a user would pick instead, on the same texts.

Every method runs in its own child process (so wall time, CPU time and peak RSS are its
own) on the same documents, split in two halves by a seeded shuffle: each method is fitted
on the first half; its top-10 words are scored with gensim ``c_npmi`` against the *other*
half (held out) and against the fitted half (in-sample), both tokenised once with one
shared tokeniser (topiclab's, without phrases). Also printed: topic diversity of the
top-10 words, ARI/NMI of the fitted documents' themes against the labels, outlier share.

Peers (``pip install -e ".[bench]"``): BERTopic defaults, BERTopic with KMeans, turftopic
KeyNMF (these three take the same MiniLM document vectors, from topiclab's embedding
cache; the time to embed is measured when they are not cached and said so), tomotopy LDA
and gensim LDA (on the shared tokens). topiclab runs end to end from the texts.

Usage::

    python benchmarks/end_to_end.py --corpus 20ng --limit 2000 --k 20
    python benchmarks/end_to_end.py --corpus multilingual --limit 3000 --methods topiclab-fast
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT.parent / "shared" / "corpora"
PEER_MODEL = os.environ.get("BENCH_PEER_MODEL", "minilm")
METHODS = (
    "topiclab-fast",
    "topiclab-balanced",
    "topiclab-best",
    "bertopic",
    "bertopic-kmeans",
    "keynmf",
    "tomotopy-lda",
    "gensim-lda",
)


# -- corpora -------------------------------------------------------------------------------
def _strip_20ng(text: str) -> str:
    """Remove headers, signature block and quoted lines as fetch_20newsgroups(remove=...)."""
    from sklearn.datasets._twenty_newsgroups import (
        strip_newsgroup_footer,
        strip_newsgroup_header,
        strip_newsgroup_quoting,
    )

    return strip_newsgroup_footer(strip_newsgroup_quoting(strip_newsgroup_header(text)))


def load_corpus(name: str, limit: int | None, seed: int) -> tuple[list[str], list[str], list[str]]:
    """Return texts, labels and languages of a labelled corpus (shuffled, first ``limit``)."""
    rng = np.random.default_rng(seed)
    if name == "20ng":
        rows = [json.loads(x) for x in gzip.open(CORPORA / "20newsgroups" / "docs.jsonl.gz", "rt")]
        for r in rows:
            r["text"] = _strip_20ng(r["text"])
    else:
        path = CORPORA / "multilingual_news" / "docs.jsonl.gz"
        rows = [json.loads(x) for x in gzip.open(path, "rt")]
        rows = [r for r in rows if r.get("label")]
        for r in rows:
            r["label"] = f"{r['source']}:{r['label']}"
    rows = [r for r in rows if len(r["text"].split()) >= 1 and r["text"].strip()]
    rows = [rows[i] for i in rng.permutation(len(rows))]
    if limit:
        rows = rows[:limit]
    return (
        [r["text"] for r in rows],
        [r["label"] for r in rows],
        [r.get("lang", "en") for r in rows],
    )


# -- one method in a child -----------------------------------------------------------------
def _shared_tokens(texts: list[str], langs: list[str]) -> list[list[str]]:
    from topiclab.features.vectorize import TextVectorizer

    vec = TextVectorizer(kind="count", phrases=False, min_df=1, max_df=1.0).fit(texts, langs=langs)
    return vec.tokenize_documents(texts, langs)


def _peer_embedder() -> Any:
    """The peers' embedder: truncating, in float32, as sentence-transformers encodes."""
    from topiclab.features.embed import SentenceEmbedder

    return SentenceEmbedder(
        PEER_MODEL, long_text="truncate", progress=False, precision="float32"
    ).fit()


def _embeddings(texts: list[str]) -> tuple[np.ndarray, dict]:

    t0 = time.perf_counter()
    emb = _peer_embedder().fit()
    X = emb.transform(texts)
    return X, {"embed_s": time.perf_counter() - t0}


def _cached_share(texts: list[str]) -> float:
    from topiclab.features.cache import EmbeddingCache

    emb = _peer_embedder().fit()
    _, found = EmbeddingCache().get(emb.identity_, list(dict.fromkeys(texts)), emb.dim_)
    return float(found.mean()) if len(found) else 1.0


def fit_bertopic(
    joined: list[str], X: np.ndarray, vectorizer: Any, k: int, seed: int, *, kmeans: bool
) -> tuple[np.ndarray, list[list[str]]]:
    """Fit BERTopic on given vectors: defaults (reduced to ``k`` topics) or KMeans with ``k``.

    Returns each document's topic (-1: outlier) and the top-10 words of every topic.
    """
    from bertopic import BERTopic
    from umap import UMAP

    kwargs: dict[str, Any] = {}
    if kmeans:
        from sklearn.cluster import KMeans

        kwargs["hdbscan_model"] = KMeans(n_clusters=k, random_state=seed, n_init="auto")
    else:
        kwargs["nr_topics"] = k
    umap_model = UMAP(
        n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=seed
    )
    model = BERTopic(vectorizer_model=vectorizer, umap_model=umap_model, **kwargs)
    labels, _ = model.fit_transform(joined, embeddings=X)
    labels = np.asarray(labels)
    topics = [t for t in sorted(set(labels.tolist())) if t != -1]
    return labels, [[w for w, _ in model.get_topic(t)][:10] for t in topics]


def run_method(method: str, texts: list[str], langs: list[str], k: int, seed: int) -> dict:
    """Fit one method; return its top words, document labels and notes."""
    info: dict = {}
    if method.startswith("topiclab"):
        import topiclab

        speed = method.split("-", 1)[1]
        lang_mode = "en" if set(langs) == {"en"} else "auto"  # the corpus says English
        tl = topiclab.TopicLab(
            n_themes=k, n_topics=k, speed=speed, lang_mode=lang_mode, random_state=seed
        ).fit(texts)
        tops = [th.top_words("all", 10) for th in tl.themes_]
        docs = tl.result_.documents.drop_duplicates("source_file")
        theme = dict(zip(docs["source_file"], docs["theme"], strict=True))
        labels = np.array([theme.get(f"text:{i}", -1) for i in range(len(texts))])
        info["dropped_by_ingest"] = int(np.sum(labels == -1))
        info["outlier_share"] = float(tl.result_.metrics["embedding"].get("outlier_share", 0.0))
        info["n_passages"] = int(tl.result_.meta["n_passages"])
        info["embedding_model"] = tl.result_.meta["embedding_model"]
        info["timings"] = {
            k2: round(v, 1) for k2, v in tl.result_.meta["timings"].items() if v >= 0.5
        }
        return {"tops": tops, "labels": labels.tolist(), "info": info}
    tokens = _shared_tokens(texts, langs)
    joined = [" ".join(t) or "empty" for t in tokens]
    if method in ("bertopic", "bertopic-kmeans", "keynmf"):
        info["embeddings_cached_share"] = _cached_share(texts)
        X, t = _embeddings(texts)
        info.update(t)
        from sklearn.feature_extraction.text import CountVectorizer

        vectorizer = CountVectorizer(token_pattern=r"\S+", lowercase=False, min_df=2)
        if method.startswith("bertopic"):
            labels, tops = fit_bertopic(
                joined, X, vectorizer, k, seed, kmeans=method == "bertopic-kmeans"
            )
            info["outlier_share"] = float(np.mean(labels == -1))
            return {"tops": tops, "labels": labels.tolist(), "info": info}
        from turftopic import KeyNMF

        class _Cached:
            def __init__(self):

                self.e = _peer_embedder().fit()

            def encode(self, sentences, **kw):
                return self.e.transform(list(sentences))

        model = KeyNMF(k, encoder=_Cached(), vectorizer=vectorizer, random_state=seed)
        dt = model.fit_transform(joined, embeddings=X)
        labels = np.asarray(dt).argmax(axis=1)
        names = model.get_vocab()
        tops = [[str(names[j]) for j in np.argsort(-row)[:10]] for row in model.components_]
        info["outlier_share"] = 0.0
        return {"tops": tops, "labels": labels.tolist(), "info": info}
    if method == "tomotopy-lda":
        import tomotopy as tp

        mdl = tp.LDAModel(k=k, seed=seed, min_df=2)
        for t in tokens:
            mdl.add_doc(t or ["empty"])
        mdl.train(0)
        for _ in range(10):
            mdl.train(100, workers=1)
        tops = [[w for w, _ in mdl.get_topic_words(i, top_n=10)] for i in range(k)]
        labels = np.array([int(np.argmax(d.get_topic_dist())) for d in mdl.docs])
        info["outlier_share"] = 0.0
        return {"tops": tops, "labels": labels.tolist(), "info": info}
    if method == "gensim-lda":
        from gensim.corpora import Dictionary
        from gensim.models import LdaModel

        d = Dictionary(tokens)
        d.filter_extremes(no_below=2, no_above=0.5, keep_n=None)
        bow = [d.doc2bow(t) for t in tokens]
        lda = LdaModel(bow, id2word=d, num_topics=k, passes=10, random_state=seed)
        tops = [[w for w, _ in lda.show_topic(i, topn=10)] for i in range(k)]
        labels = np.array(
            [
                max(lda.get_document_topics(b, minimum_probability=0), key=lambda x: x[1])[0]
                for b in bow
            ]
        )
        info["outlier_share"] = 0.0
        return {"tops": tops, "labels": labels.tolist(), "info": info}
    raise SystemExit(f"unknown method {method}")


class _CacheNotes:
    """Collect the embedder's "N texts, M distinct: C cached, E embedded" log lines."""

    def __init__(self) -> None:
        import logging

        self.lines: list[str] = []
        handler = logging.Handler()
        handler.emit = lambda record: self.lines.append(record.getMessage())
        log = logging.getLogger("topiclab.features.embed")
        log.addHandler(handler)
        log.setLevel(logging.INFO)


def child(args: argparse.Namespace) -> int:
    notes = _CacheNotes()
    texts, _labels, langs = load_corpus(args.corpus, args.limit, args.seed)
    half = len(texts) // 2
    fit_texts, fit_langs = texts[:half], langs[:half]
    t0, c0 = time.perf_counter(), time.process_time()
    out = run_method(args.child, fit_texts, fit_langs, args.k, args.seed)
    out["wall_s"] = time.perf_counter() - t0
    out["cpu_s"] = time.process_time() - c0
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["info"]["embedding_cache"] = [x for x in notes.lines if "cached" in x]
    Path(args.out_json).write_text(json.dumps(out), encoding="utf-8")
    return 0


# -- the parent: run every method, score on one shared tokenisation --------------------------
def score(results: dict, texts, labels, langs) -> list[dict]:
    from topiclab.evaluate import coherence, label_agreement, topic_diversity

    half = len(texts) // 2
    tok = _shared_tokens(texts, langs)
    ref_fit, ref_held = tok[:half], tok[half:]
    rows = []
    for method, r in results.items():
        if "error" in r:
            rows.append({"method": method, "error": r["error"]})
            continue
        tops = [[w for w in t if w] for t in r["tops"]]
        flat = [[p for w in t for p in re.split(r"[_ ]", w) if p][:10] for t in tops]
        held, _ = coherence(flat, ref_held, measure="c_npmi")
        ins, _ = coherence(flat, ref_fit, measure="c_npmi")
        lab = np.asarray(r["labels"])
        agree = label_agreement(labels[:half], lab)
        rows.append(
            {
                "method": method,
                "wall_s": r["wall_s"],
                "cpu_s": r["cpu_s"],
                "peak_rss_mb": r["peak_rss_mb"],
                "npmi_heldout": held,
                "npmi_insample": ins,
                "diversity": topic_diversity(flat, topk=10),
                "ari": agree["ari"],
                "nmi": agree["nmi"],
                "outliers": r["info"].get("outlier_share", 0.0),
                "n_topics": len(tops),
                "info": r["info"],
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", choices=["20ng", "multilingual"], default="20ng")
    p.add_argument("--limit", type=int, default=None, help="first N documents after shuffling")
    p.add_argument("--k", type=int, default=20)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    p.add_argument("--json", type=Path, help="also write the rows here")
    p.add_argument("--rescore", type=Path, help="score the raw results of an earlier run")
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--out-json", help=argparse.SUPPRESS)
    p.add_argument(
        "--peer-model",
        default="minilm",
        help="embedding model of BERTopic and KeyNMF (default minilm; use-multilingual)",
    )
    args = p.parse_args(argv)
    os.environ["BENCH_PEER_MODEL"] = args.peer_model
    if args.child:
        return child(args)

    texts, labels, langs = load_corpus(args.corpus, args.limit, args.seed)
    labels = np.asarray(labels)
    print(
        f"corpus {args.corpus}: {len(texts)} documents ({len(texts) // 2} fitted, "
        f"{len(texts) - len(texts) // 2} held out), {len(set(labels.tolist()))} labels, "
        f"K={args.k}, seed {args.seed}; languages {sorted(set(langs))}; "
        f"peers embed with {args.peer_model} in float32 (as sentence-transformers does); "
        f"{os.cpu_count()} CPUs (shared machine); cache {os.environ.get('TOPICLAB_CACHE', '~')}",
        flush=True,
    )
    results = {}
    import tempfile

    if args.rescore:
        results = json.loads(args.rescore.read_text(encoding="utf-8"))
        print(f"(rescored from {args.rescore.name}: methods run earlier in this configuration)")
    for method in [] if args.rescore else args.methods:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "r.json"
            cmd = [sys.executable, __file__, "--corpus", args.corpus, "--k", str(args.k)]
            cmd += ["--seed", str(args.seed), "--child", method, "--out-json", str(out)]
            if args.limit:
                cmd += ["--limit", str(args.limit)]
            t0 = time.perf_counter()
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode != 0 or not out.exists():
                tail = (proc.stderr or "").strip().splitlines()[-3:]
                results[method] = {"error": " | ".join(tail)}
                print(f"  {method}: FAILED {results[method]['error']}", flush=True)
                continue
            results[method] = json.loads(out.read_text())
            print(f"  {method}: {time.perf_counter() - t0:.0f} s", flush=True)
            if args.json:  # kept as each method finishes: a stopped run keeps what it measured
                raw = args.json.with_suffix(".raw.json")
                raw.write_text(json.dumps(results), encoding="utf-8")
    rows = score(results, texts, labels, langs)
    head = (
        f"{'method':<18} {'wall s':>7} {'CPU s':>7} {'RSS MB':>7} {'NPMI ho':>8} {'NPMI in':>8} "
        f"{'div':>5} {'ARI':>6} {'NMI':>6} {'outl':>5} {'K':>3}"
    )
    print(head)
    for r in rows:
        if "error" in r:
            print(f"{r['method']:<18} failed: {r['error']}")
            continue
        print(
            f"{r['method']:<18} {r['wall_s']:>7.1f} {r['cpu_s']:>7.1f} {r['peak_rss_mb']:>7.0f} "
            f"{r['npmi_heldout']:>8.3f} {r['npmi_insample']:>8.3f} {r['diversity']:>5.2f} "
            f"{r['ari']:>6.3f} {r['nmi']:>6.3f} {r['outliers']:>5.2f} {r['n_topics']:>3}"
        )
    for r in rows:
        if "info" in r:
            print(f"  {r['method']}: {json.dumps(r['info'])}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
