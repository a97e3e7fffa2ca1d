"""Search the themes: which themes are about a query, by the run's own embedding model.

:func:`find_themes` embeds the query with the model that embedded the corpus and ranks the
themes by cosine similarity to their centres. :func:`term_index` is the precomputed,
model-free form the HTML report searches in the browser: every theme term (and each word
of a phrase) with the themes it describes and its weight there.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from topiclab.analysis._groups import AnalysisError

logger = logging.getLogger(__name__)

__all__ = ["find_themes", "term_index"]


def find_themes(model: Any, query: str, top_n: int = 5, *, result: Any = None) -> pd.DataFrame:
    """Return the themes closest to ``query``, most similar first.

    Parameters
    ----------
    model : ThemeModel or TopicLab
        A fitted model (``topiclab.load(...)`` or a fitted ``TopicLab``); its embedding
        model embeds the query and its cluster centres are the themes.
    query : str
        Free text in any language the embedding model reads.
    top_n : int, default=5
        Themes returned (at most the number of themes).
    result : RunResult, optional
        Gives the labels (default: the model's own result).

    Returns
    -------
    DataFrame
        ``theme``, ``label``, ``similarity`` (cosine, -1..1), ``size``.

    Raises
    ------
    AnalysisError
        For an empty query or ``top_n < 1``.

    Examples
    --------
    >>> find_themes(topiclab.load("runs/latest"), "battery storage for the grid")  # doctest: +SKIP
    """
    if not isinstance(query, str) or not query.strip():
        raise AnalysisError("query must be a non-empty string")
    if isinstance(top_n, bool) or not isinstance(top_n, int | np.integer) or top_n < 1:
        raise AnalysisError(f"top_n must be a positive integer, got {top_n!r}")
    inner = getattr(model, "model_", model)
    result = result if result is not None else getattr(inner, "result", None)
    centers = np.asarray(inner.clusterer.cluster_centers_, dtype=np.float64)
    vec = np.asarray(inner.embed([query.strip()]), dtype=np.float64)[0]
    vec = vec / max(float(np.linalg.norm(vec)), 1e-12)
    cn = centers / np.maximum(np.linalg.norm(centers, axis=1, keepdims=True), 1e-12)
    sims = cn @ vec
    merged = result.views["embedding"].metrics.get("merged_from") if result is not None else None
    if merged:  # a reduced run: a merged theme is as close as its closest fitted theme
        sims = np.array([max(sims[int(o)] for o in merged[str(i)]) for i in range(len(merged))])
    order = np.argsort(-sims, kind="stable")[: int(top_n)]
    themes = {t.id: t for t in result.themes} if result is not None else {}
    rows = [
        {
            "theme": int(i),
            "label": themes[int(i)].label if int(i) in themes else str(i),
            "similarity": float(sims[i]),
            "size": themes[int(i)].size if int(i) in themes else None,
        }
        for i in order
    ]
    return pd.DataFrame(rows, columns=["theme", "label", "similarity", "size"])


def term_index(result: Any, view: str = "embedding", per_theme: int = 40) -> dict[str, list]:
    """Return term -> ``[[theme, weight], ...]`` over every language's terms of a view.

    Weights are each term's c-TF-IDF weight in the theme divided by the theme's best
    weight (so 1.0 is a theme's top term); a phrase ``energy_storage`` is indexed as
    ``energy storage`` and under each of its words at half weight.

    Parameters
    ----------
    result : RunResult
    view : str, default="embedding"
    per_theme : int, default=40
        Terms taken per theme and language.

    Returns
    -------
    dict
    """
    if view not in result.views:
        return {}
    index: dict[str, dict[int, float]] = {}
    for t in result.views[view].table:
        for terms in t.terms.values():
            top = terms[:per_theme]
            best = max((w for _, w in top), default=0.0) or 1.0
            for term, w in top:
                weight = float(w) / best
                key = str(term).replace("_", " ").lower()
                entries = [(key, weight)]
                if " " in key:
                    entries += [(word, weight / 2) for word in key.split()]
                for k, wt in entries:
                    slot = index.setdefault(k, {})
                    slot[t.id] = max(slot.get(t.id, 0.0), round(wt, 4))
    return {
        k: sorted(([i, w] for i, w in v.items()), key=lambda p: -p[1]) for k, v in index.items()
    }
