"""LDA quality side by side: topiclab's LDA view against tomotopy and gensim defaults.

Protocol. The labelled documents are shuffled with a fixed seed, cut to ``--limit`` and
split in two halves: every model is fitted on the first half only. All models see the
same tokens: topiclab's tokeniser (stop words, lemmas, phrases) fitted on the first
half's passages, a document's tokens being its passages' tokens in order. Each topic's
top-10 words are scored with gensim ``c_npmi`` (sliding window 10) on the **held-out**
half (``npmi_out``) and, beside it, on the fitted half (``npmi_in``). Topic diversity is
the share of unique words among all top-10 words. ARI compares each document's topic
(the argmax of its mixture) with its label, on the fitted half (``ari_fit``) and on the
held-out half (``ari_out``, documents the model never saw). ``plain`` rows take the
top-10 words by topic-word probability; ``selected`` rows take topiclab's term
selection (:func:`topiclab.themes.terms.select_terms`, fitted-half counts).

Rows:

* ``tomotopy``: ``tomotopy.LDAModel`` defaults (alpha 0.1, eta 0.01), collapsed Gibbs
  sampling, 1,000 iterations, on whole documents; held-out documents by ``infer``.
* ``gensim-multicore``: ``gensim.models.LdaMulticore`` defaults (1 pass), one worker.
* ``view:<name>``: topiclab's LDA view stage (``LDAViewStage``) with the options shown,
  fitted on the first half's passages and applied to the second half's passages;
  a document's topic is the argmax of its length-weighted passage mixture, as in
  ``doc_topics.parquet``.

Usage::

    python benchmarks/lda_quality.py --corpus 20ng --limit 4000 --k 20 --seeds 0 1 2
    python benchmarks/lda_quality.py --corpus agnews --limit 4000 --k 5
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import re
import resource
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT.parent / "shared" / "corpora"
SOURCES = {
    "20ng": (CORPORA / "20newsgroups" / "docs.jsonl.gz", None),
    "agnews": (CORPORA / "multilingual_news" / "docs.jsonl.gz", "agnews_test"),
    "thucnews": (CORPORA / "multilingual_news" / "docs.jsonl.gz", "thucnews_titles"),
}

# the view variants: name -> LDASection options
VIEW_VARIANTS: dict[str, dict[str, Any]] = {
    "passages": {"lda_unit": "passages", "lda_backend": "gensim", "lda_restarts": 1},
    "documents": {"lda_unit": "documents", "lda_backend": "gensim", "lda_restarts": 1},
    "documents-gibbs": {"lda_unit": "documents", "lda_backend": "gibbs", "lda_restarts": 1},
    "default": {},
    "full-vocabulary": {"lda_max_features": None},
    "restart-typical": {"lda_restart_criterion": "typical"},
    "restart-likelihood": {"lda_restart_criterion": "likelihood"},
    "passage-average": {"_average_passages": True},
    # the vocabulary and count defaults one at a time, and both off (the view before them)
    "all-terms": {"lda_min_documents": 1},
    "no-count-cap": {"lda_max_term_count": 0},
    "before-bursts": {"lda_min_documents": 1, "lda_max_term_count": 0},
}

_QUOTE_RE = re.compile(r"(writes in|writes:|wrote:|says:|said:|^In article|^Quoted from|^\||^>)")


def strip_newsgroup(text: str) -> str:
    """Remove the header block, quoted lines and the signature, as scikit-learn's loader does."""
    text = text.partition("\n\n")[2]
    text = "\n".join(line for line in text.split("\n") if not _QUOTE_RE.search(line))
    lines = text.strip().split("\n")
    for n in range(len(lines) - 1, -1, -1):
        if lines[n].strip().strip("-") == "":
            break
    else:
        n = 0
    return "\n".join(lines[:n]) if n > 0 else text


def read_corpus(name: str, limit: int, seed: int) -> tuple[list[str], list[str], list[str]]:
    """Labelled texts of one corpus, shuffled with ``seed`` and cut to ``limit``."""
    path, source = SOURCES[name]
    texts, labels, ids = [], [], []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if source is not None and rec.get("source") != source:
                continue
            if rec.get("label") is None:
                continue
            text = strip_newsgroup(rec["text"]) if name == "20ng" else rec["text"]
            if len(text.split()) < 3 and name == "20ng":
                continue
            texts.append(text)
            labels.append(str(rec["label"]))
            ids.append(str(rec["id"]))
    order = np.random.default_rng(seed).permutation(len(texts))[:limit]
    return [texts[i] for i in order], [labels[i] for i in order], [ids[i] for i in order]


def cpu_s() -> float:
    """User + system CPU seconds of this process and its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


class Half:
    """One half of the corpus: passages, their tokens and counts, documents."""

    def __init__(self, passages: Any, tokens: list[list[str]], vec: Any, labels: dict) -> None:
        self.passages = passages.reset_index(drop=True)
        self.tokens = tokens
        self.counts = vec.count_tokens(tokens)
        self.doc_ids = list(dict.fromkeys(self.passages["doc_id"].astype(str)))
        position = {d: i for i, d in enumerate(self.doc_ids)}
        self.passage_doc = np.array([position[d] for d in self.passages["doc_id"].astype(str)])
        doc_tokens: list[list[str]] = [[] for _ in self.doc_ids]
        for i, toks in zip(self.passage_doc, tokens, strict=True):
            doc_tokens[i].extend(toks)
        self.doc_tokens = doc_tokens
        vocab = vec.vocabulary_
        self.doc_vocab_tokens = [[t for t in d if t in vocab] for d in doc_tokens]
        self.doc_counts = vec.count_tokens(doc_tokens)
        self.labels = np.array([labels[d] for d in self.doc_ids])


def prepare(
    name: str, limit: int, split_seed: int, cache: Path | None = None
) -> tuple[Half, Half, Any]:
    """Ingest, split in halves by document, tokenise with one vectoriser (fitted half).

    With ``cache``, the prepared halves are read from that pickle when it exists and
    written to it otherwise (a benchmark-local shortcut: tokenising is the slow part).
    """
    return cached(cache, lambda: _prepare(name, limit, split_seed))


def cached(cache: Path | None, build: Any) -> Any:
    """Return ``build()``, read from the pickle ``cache`` when it exists, else written there."""
    import pickle

    if cache is not None and cache.exists():
        with cache.open("rb") as fh:
            return pickle.load(fh)
    value = build()
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        with cache.open("wb") as fh:
            pickle.dump(value, fh)
    return value


def _prepare(name: str, limit: int, split_seed: int) -> tuple[Half, Half, Any]:
    from topiclab.features.vectorize import TextVectorizer
    from topiclab.ingest import from_texts

    texts, labels, ids = read_corpus(name, limit, split_seed)
    corpus = from_texts(texts, ids=ids)
    docs = corpus.documents
    label_of = dict(zip(ids, labels, strict=True))
    doc_label = {
        str(d): label_of[s] for d, s in zip(docs["doc_id"], docs["source_file"], strict=True)
    }
    kept = list(doc_label)
    fit_ids = set(kept[: len(kept) // 2])
    p = corpus.passages
    fit_p = p[p["doc_id"].astype(str).isin(fit_ids)]
    out_p = p[~p["doc_id"].astype(str).isin(fit_ids)]
    vec = TextVectorizer(kind="count", phrases=True)
    raw = vec.analyze(fit_p["text"].astype(str).tolist(), fit_p["lang"].astype(str).tolist())
    fit_tokens = vec.fit_transform_tokens(raw)
    out_tokens = vec.tokenize_documents(
        out_p["text"].astype(str).tolist(), out_p["lang"].astype(str).tolist()
    )
    return Half(fit_p, fit_tokens, vec, doc_label), Half(out_p, out_tokens, vec, doc_label), vec


def doc_labels(half: Half, membership: np.ndarray) -> np.ndarray:
    """Argmax of each document's passage-length-weighted mixture (``doc_topics.parquet``)."""
    from topiclab.themes import theme_mixture

    mix = theme_mixture(half.passages, membership, half.doc_ids)
    return mix.to_numpy().argmax(axis=1)


def view_doc_labels(
    stage: Any, half: Half, view: Any, membership: Any, average_passages: bool = False
) -> np.ndarray:
    """Each document's topic as the view reports it in ``doc_topics.parquet``.

    Fitted on documents, the view infers a document's mixture from its summed counts
    (:func:`topiclab.pipeline.lda_view.document_mixture`, also for the held-out half);
    otherwise (or with ``average_passages``, how the view aggregated before) it is the
    length-weighted average of the passages' mixtures.
    """
    from topiclab.pipeline.lda_view import document_mixture

    if getattr(stage, "unit_", "passages") == "documents" and not average_passages:
        counts = stage._counts(half.counts)
        mix = document_mixture(stage.lda_, counts, half.passages["doc_id"].astype(str).tolist())
        return mix.reindex(half.doc_ids).to_numpy().argmax(axis=1)
    return doc_labels(half, view.membership if membership is None else membership)


def run_tomotopy(fit: Half, out: Half, k: int, seed: int, iterations: int) -> dict:
    """Fit tomotopy's LDA with its defaults; topic-word matrix and document labels."""
    import tomotopy as tp

    mdl = tp.LDAModel(k=k, seed=seed)
    for toks in fit.doc_vocab_tokens:
        mdl.add_doc(toks if toks else ["<empty>"])
    mdl.train(iterations, workers=1)
    words = list(mdl.used_vocabs)
    phi = np.array([mdl.get_topic_word_dist(t) for t in range(k)])
    theta_fit = np.array([d.get_topic_dist() for d in mdl.docs])
    new_docs = [mdl.make_doc(t if t else ["<empty>"]) for t in out.doc_vocab_tokens]
    theta_out, _ = mdl.infer(new_docs, iterations=100, workers=1)
    theta_out = np.array([d for d in theta_out])
    return {
        "words": words,
        "phi": phi,
        "fit_labels": theta_fit.argmax(axis=1),
        "out_labels": theta_out.argmax(axis=1),
    }


def run_gensim(fit: Half, out: Half, vec: Any, k: int, seed: int) -> dict:
    """Fit gensim's LdaMulticore with its defaults (one worker)."""
    from gensim.matutils import Sparse2Corpus
    from gensim.models import LdaMulticore
    from gensim.utils import FakeDict

    X = fit.doc_counts
    corpus = Sparse2Corpus(X, documents_columns=False)
    mdl = LdaMulticore(
        corpus, num_topics=k, id2word=FakeDict(X.shape[1]), random_state=seed, workers=1
    )

    def labels(M: Any) -> np.ndarray:
        theta = np.zeros((M.shape[0], k))
        for i, bow in enumerate(Sparse2Corpus(M, documents_columns=False)):
            for t, p in mdl.get_document_topics(bow, minimum_probability=0.0):
                theta[i, t] = p
        return theta.argmax(axis=1)

    return {
        "words": list(vec.get_feature_names_out()),
        "phi": mdl.get_topics(),
        "fit_labels": labels(X),
        "out_labels": labels(out.doc_counts),
    }


def run_view(fit: Half, out: Half, vec: Any, k: int, seed: int, options: dict) -> dict:
    """Fit topiclab's LDA view stage on the fitted half; apply it to the held-out half."""
    from topiclab.config import LDASection
    from topiclab.pipeline.base import RunState
    from topiclab.pipeline.lda_view import LDAViewStage

    def state(half: Half) -> RunState:
        st = RunState(
            texts=half.passages["text"].astype(str).tolist(),
            langs=half.passages["lang"].astype(str).tolist(),
            doc_ids=half.passages["doc_id"].astype(str).tolist(),
        )
        st.passages = half.passages
        st.tokens, st.counts = half.tokens, half.counts
        st.feature_names = list(vec.get_feature_names_out())
        st.vectorizer = vec
        return st

    options = dict(options)
    average = bool(options.pop("_average_passages", False))
    stage = LDAViewStage(LDASection(n_topics=k, seed=seed, **options))
    st = stage.fit(state(fit))
    fit_membership = st.views["lda"].membership
    st_out = stage.transform(state(out))
    topic_word = np.asarray(stage.lda_.components_)
    names = list(vec.get_feature_names_out())
    if stage.columns_ is not None:
        names = [names[j] for j in stage.columns_]
    return {
        "words": names,
        "phi": topic_word,
        "columns": stage.columns_,
        "fit_labels": view_doc_labels(stage, fit, st.views["lda"], fit_membership, average),
        "out_labels": view_doc_labels(stage, out, st_out.views["lda"], None, average),
        "metrics": st.views["lda"].metrics,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", choices=sorted(SOURCES), default="20ng")
    p.add_argument("--limit", type=int, default=4000, help="documents (both halves)")
    p.add_argument("--k", type=int, default=20)
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument(
        "--models",
        nargs="+",
        default=["tomotopy", "gensim-multicore", "view:default"],
    )
    p.add_argument("--tomotopy-iterations", type=int, default=1000)
    p.add_argument("--json", type=Path, help="also write the rows as JSON here")
    p.add_argument("--cache", type=Path, help="pickle of the prepared halves (read or written)")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    from sklearn.metrics import adjusted_rand_score

    from topiclab.evaluate import coherence, seed_stability, topic_diversity
    from topiclab.themes.terms import select_terms

    path = SOURCES[args.corpus][0]
    if not path.exists():
        print(f"corpus not found: {path}", file=sys.stderr)
        return 2
    t0, c0 = time.perf_counter(), cpu_s()
    fit, out, vec = prepare(args.corpus, args.limit, 0, args.cache)
    print(
        f"{args.corpus}: {len(fit.doc_ids)} fitted + {len(out.doc_ids)} held-out documents, "
        f"{len(fit.passages)} + {len(out.passages)} passages, {len(set(fit.labels))} labels, "
        f"vocabulary {len(vec.vocabulary_)} terms, K={args.k} "
        f"(prepare {time.perf_counter() - t0:.0f}s wall, {cpu_s() - c0:.0f}s CPU)",
        flush=True,
    )
    print(
        "tokens per document (fitted half): mean "
        f"{np.mean([len(d) for d in fit.doc_vocab_tokens]):.0f}, per passage "
        f"{np.mean([len(t) for t in fit.tokens]):.0f}",
        flush=True,
    )
    header = (
        f"{'model':<22} {'terms':<8} {'seed':>4} {'NPMI out':>8} {'NPMI in':>8} {'div':>6} "
        f"{'ARI fit':>7} {'ARI out':>7} {'wall s':>7} {'CPU s':>7}"
    )
    print(header, flush=True)
    rows = []
    for model in args.models:
        labelings = []
        for seed in args.seeds:
            t, c = time.perf_counter(), cpu_s()
            if model == "tomotopy":
                res = run_tomotopy(fit, out, args.k, seed, args.tomotopy_iterations)
            elif model == "gensim-multicore":
                res = run_gensim(fit, out, vec, args.k, seed)
            elif model.startswith("view:"):
                res = run_view(fit, out, vec, args.k, seed, VIEW_VARIANTS[model[5:]])
            else:
                raise SystemExit(f"unknown model {model}")
            wall, cpu = time.perf_counter() - t, cpu_s() - c
            labelings.append(res["fit_labels"])
            names = np.asarray(res["words"], dtype=object)
            phi = np.asarray(res["phi"])
            # term selection needs counts over the model's columns
            vocab = vec.vocabulary_
            cols = np.array([vocab.get(w, -1) for w in res["words"]])
            sel_counts = fit.counts[:, np.maximum(cols, 0)]
            sel_counts = sel_counts.multiply((cols >= 0)[None, :]).tocsr()
            plain = [[str(names[j]) for j in np.argsort(-row, kind="stable")[:10]] for row in phi]
            selected = [[str(names[j]) for j in c] for c in select_terms(phi, sel_counts, topn=10)]
            for terms, tops in (("plain", plain), ("selected", selected)):
                npmi_out, _ = coherence(tops, out.doc_tokens, measure="c_npmi", topn=10)
                npmi_in, _ = coherence(tops, fit.doc_tokens, measure="c_npmi", topn=10)
                r = {
                    "model": model,
                    "terms": terms,
                    "seed": seed,
                    "npmi_out": npmi_out,
                    "npmi_in": npmi_in,
                    "diversity": topic_diversity(tops, topk=10),
                    "ari_fit": float(adjusted_rand_score(fit.labels, res["fit_labels"])),
                    "ari_out": float(adjusted_rand_score(out.labels, res["out_labels"])),
                    "wall_s": wall,
                    "cpu_s": cpu,
                    "topics": tops,
                }
                rows.append(r)
                print(
                    f"{model:<22} {terms:<8} {seed:>4} {npmi_out:>8.3f} {npmi_in:>8.3f} "
                    f"{r['diversity']:>6.3f} {r['ari_fit']:>7.3f} {r['ari_out']:>7.3f} "
                    f"{wall:>7.1f} {cpu:>7.1f}",
                    flush=True,
                )
        stab = seed_stability(labelings)
        print(
            f"{model:<22} agreement between seeds (ARI of fitted-half labels): "
            f"mean {stab['mean_ari']:.3f}, min {stab['min_ari']:.3f}",
            flush=True,
        )
        for r in rows:
            if r["model"] == model:
                r["seed_ari_mean"], r["seed_ari_min"] = stab["mean_ari"], stab["min_ari"]

    print("\nMean (min-max) over seeds:")
    keys = ("npmi_out", "npmi_in", "diversity", "ari_fit", "ari_out", "cpu_s")
    print(f"{'model':<22} {'terms':<8} " + " ".join(f"{k:>17}" for k in keys))
    for model, terms in dict.fromkeys((r["model"], r["terms"]) for r in rows):
        sel = [r for r in rows if r["model"] == model and r["terms"] == terms]
        cells = []
        for key in keys:
            v = np.array([r[key] for r in sel], dtype=float)
            cells.append(f"{v.mean():.3f} ({v.min():.2f}-{v.max():.2f})")
        print(f"{model:<22} {terms:<8} " + " ".join(f"{c:>17}" for c in cells))
    print(
        f"total {time.perf_counter() - t0:.0f}s wall, {cpu_s() - c0:.0f}s CPU (shared 2-core machine)"
    )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
