"""New articles: assign them to the themes of a fitted run, and flag those that fit none.

New files are cleaned with the same ingest code and options, their passages go through
the fitted stages (no refit; the memberships equal ``model.transform`` on the same
passages), and a passage whose cosine distance to its nearest theme centre is above the
fit's own 95th percentile (``novelty_threshold`` in the embedding view's metrics) is
flagged as new. The terms of the flagged passages (c-TF-IDF of flagged against assigned)
say what the new material talks about.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)

__all__ = ["Assignment", "assign_new", "save_assignment"]


@dataclass
class Assignment:
    """New articles assigned to a run's themes.

    Attributes
    ----------
    passages : DataFrame
        ``passage_id, doc_id, lang, text, theme, theme_label, theme_score, distance,
        new``.
    documents : DataFrame
        The new documents with ``theme``, ``theme_label``, ``theme_score``,
        ``share_new`` (share of its passages flagged) and ``new`` (more than half).
    membership : ndarray of shape (n_passages, n_themes)
        Passage memberships (equal to ``model.transform`` of the passages).
    info : dict
        ``threshold``, ``n_documents``, ``n_passages``, ``n_new_passages``,
        ``n_new_documents`` and ``new_terms``.
    """

    passages: pd.DataFrame
    documents: pd.DataFrame
    membership: np.ndarray
    info: dict[str, Any] = field(default_factory=dict)


def assign_new(
    model: Any,
    source: Any,
    *,
    text_column: str = "text",
    skip_bad: bool = False,
    progress: bool = False,
) -> Assignment:
    """Clean new articles and assign them to the themes of a fitted model.

    Parameters
    ----------
    model : ThemeModel or TopicLab
        A fitted model (``topiclab.load(RUN)``).
    source : path, Corpus or sequence of str
        New files or a folder of them, an ingested corpus, or texts.
    text_column : str, default="text"
        Text column of structured inputs.
    skip_bad : bool, default=False
        Skip unreadable files with a warning.
    progress : bool, default=False

    Returns
    -------
    Assignment

    Raises
    ------
    IngestError
        When the source holds no readable text (an empty folder, say).
    """
    from topiclab.analysis._groups import passage_tokens
    from topiclab.ingest.corpus import Corpus
    from topiclab.pipeline.analyze import NOVELTY_PERCENTILE, nearest_distance
    from topiclab.pipeline.base import RunState
    from topiclab.themes import theme_mixture

    inner = getattr(model, "model_", model)
    if isinstance(source, Corpus):
        corpus = source
    elif isinstance(source, str | os.PathLike):
        from topiclab.ingest import load

        corpus = load(source, text_column=text_column, skip_bad=skip_bad, progress=progress)
    else:
        from topiclab.ingest import from_texts

        corpus = from_texts(list(source), progress=progress)
    p = corpus.passages.reset_index(drop=True)
    texts = p["text"].astype(str).tolist()
    langs = p["lang"].astype(str).tolist()
    doc_ids = p["doc_id"].astype(str).tolist()
    state = RunState.for_texts(texts, langs, doc_ids)
    state = inner.pipeline.transform(state, until="cluster")
    vs = state.views["embedding"]
    membership = np.asarray(vs.membership)
    result = getattr(inner, "result", None)
    if result is not None and "embedding" in result.views:
        from topiclab.analysis.hierarchy import merged_membership

        membership = merged_membership(
            membership, result.views["embedding"].metrics.get("merged_from")
        )
    centers = np.asarray(inner.clusterer.cluster_centers_)
    distance = nearest_distance(vs.features, centers)
    metrics = result.views["embedding"].metrics if result is not None else {}
    threshold = metrics.get("novelty_threshold")
    if threshold is None:
        threshold = _fit_threshold(inner, result, centers, NOVELTY_PERCENTILE)
    labels = {t.id: t.label for t in result.themes} if result is not None else {}
    theme = membership.argmax(axis=1) if membership.size else np.zeros(0, dtype=int)
    passages = p[["passage_id", "doc_id", "lang", "text"]].copy()
    passages["theme"] = theme.astype(int)
    passages["theme_label"] = [labels.get(int(t), str(t)) for t in theme]
    passages["theme_score"] = membership.max(axis=1) if membership.size else []
    passages["distance"] = distance
    passages["new"] = distance > float(threshold)
    docs = corpus.documents.reset_index(drop=True).copy()
    mix = theme_mixture(passages, membership, docs["doc_id"].tolist())
    docs["theme"] = mix.to_numpy().argmax(axis=1)
    docs["theme_label"] = [labels.get(int(t), str(t)) for t in docs["theme"]]
    docs["theme_score"] = mix.to_numpy().max(axis=1)
    share_new = passages.groupby("doc_id")["new"].mean()
    docs["share_new"] = docs["doc_id"].map(share_new).fillna(0.0).astype(float)
    docs["new"] = docs["share_new"] > 0.5
    new_terms = _new_terms(passages, passage_tokens(passages))
    info = {
        "threshold": float(threshold),
        "percentile": NOVELTY_PERCENTILE,
        "distance": "cosine distance from a passage (in its document's context) to the "
        "nearest theme centre",
        "n_documents": len(docs),
        "n_passages": len(passages),
        "n_new_passages": int(passages["new"].sum()),
        "n_new_documents": int(docs["new"].sum()),
        "new_terms": new_terms,
    }
    logger.info(
        "assigned %d passages of %d documents; %d passages above the novelty threshold %.3f",
        len(passages),
        len(docs),
        info["n_new_passages"],
        threshold,
    )
    return Assignment(passages=passages, documents=docs, membership=membership, info=info)


def _fit_threshold(inner: Any, result: Any, centers: np.ndarray, percentile: float) -> float:
    """Novelty threshold of a run saved without one: from its own passages."""
    from topiclab.pipeline.analyze import nearest_distance
    from topiclab.pipeline.base import RunState

    p = result.passages
    state = RunState.for_texts(
        p["text"].astype(str).tolist(), p["lang"].astype(str).tolist(), p["doc_id"].tolist()
    )
    state = inner.pipeline.transform(state, until="cluster")
    return float(
        np.percentile(nearest_distance(state.views["embedding"].features, centers), percentile)
    )


def _new_terms(passages: pd.DataFrame, tokens: list[list[str]], k: int = 12) -> list[str]:
    """Terms that set the flagged passages apart from the assigned ones."""
    import scipy.sparse as sp

    from topiclab.models._ctfidf import class_tfidf, top_terms

    flagged = passages["new"].to_numpy()
    if not flagged.any():
        return []
    vocab: dict[str, int] = {}
    r, c = [], []
    for i, toks in enumerate(tokens):
        for t in toks:
            r.append(i)
            c.append(vocab.setdefault(t, len(vocab)))
    if not vocab:
        return []
    counts = sp.csr_matrix((np.ones(len(r)), (r, c)), shape=(len(tokens), len(vocab)))
    names = [""] * len(vocab)
    for t, j in vocab.items():
        names[j] = t
    scores = class_tfidf(counts, flagged.astype(int), n_classes=2)
    return [t.replace("_", " ") for t, _ in top_terms(scores[1], names, k=k)]


def save_assignment(assignment: Assignment, out: str | os.PathLike[str]) -> Path:
    """Write ``passages.parquet``, ``documents.parquet`` and ``assignment.json`` to ``out``.

    The folder is staged and swapped into place, so it is complete or absent.
    """
    from topiclab.storage import atomic as io
    from topiclab.storage.runs import staged_dir

    out = Path(out)
    with staged_dir(out) as stage:
        io.write_parquet(stage / "passages.parquet", assignment.passages)
        io.write_parquet(stage / "documents.parquet", assignment.documents)
        io.write_json(stage / "assignment.json", assignment.info)
    return out
