"""Theme tables from model outputs: terms per language, labels, representative passages.

:func:`build_theme_table` turns the outputs of a model (labels, term weights over the
vocabulary, a centrality score per passage) into a :class:`~topiclab.themes.ThemeTable`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from topiclab.themes.result import Theme, ThemeTable

__all__ = ["build_theme_table", "make_label"]


def make_label(terms: dict[str, list[tuple[str, float]]], k: int = 3) -> str:
    """Make a short label from the best terms, preferring multi-word phrases.

    English terms are used when the theme has any (labels are read by people who
    read the report's language); otherwise the terms over all languages.

    Examples
    --------
    >>> make_label({"all": [("battery", 0.9), ("energy_storage", 0.8), ("grid", 0.5)]})
    'energy storage · battery · grid'
    """
    pool = terms.get("en") or terms.get("all") or next(iter(terms.values()), [])
    words = [t for t, _ in pool[: max(3 * k, 10)]]
    if not words:
        return "(empty)"
    phrases = [w for w in words if "_" in w][:2]
    chosen: list[str] = []
    for w in phrases + words:
        if len(chosen) == k:
            break
        # skip a word already contained in a chosen phrase (battery vs battery_storage)
        if w in chosen or any(w in c.split("_") for c in chosen):
            continue
        chosen.append(w)
    return " · ".join(c.replace("_", " ") for c in chosen)


def build_theme_table(
    view: str,
    labels: np.ndarray,
    term_scores: dict[str, np.ndarray],
    feature_names: Sequence[str],
    passages: pd.DataFrame,
    *,
    scores: np.ndarray | None = None,
    top_n: int = 10,
    n_representative: int = 3,
    n_themes: int | None = None,
    selections: dict[str, list[list[int]]] | None = None,
) -> ThemeTable:
    """Assemble a :class:`ThemeTable` from model outputs.

    Parameters
    ----------
    view : str
        ``"embedding"`` or ``"lda"``.
    labels : ndarray of shape (n_passages,)
        Theme of each passage.
    term_scores : dict
        Language code (and ``"all"``) -> (n_themes, n_features) term weights, e.g.
        class-based TF-IDF per language, or LDA topic-word probabilities under ``"all"``.
    feature_names : sequence of str
        Vocabulary, aligned with the columns of ``term_scores``.
    passages : DataFrame
        The passages (``passage_id``, ``doc_id``, ``lang``, ``text``), aligned with ``labels``.
    scores : ndarray of shape (n_passages,), optional
        How central each passage is to its own theme; the highest are representative.
    top_n, n_representative : int
        Terms per language and passages kept per theme.
    n_themes : int, optional
        Number of themes (default: ``labels.max() + 1``).
    selections : dict, optional
        Language code -> term columns per theme in the order to show them (e.g. from
        :func:`topiclab.themes.terms.select_terms`); weights still come from ``term_scores``.
        Languages without a selection use the ``top_n`` highest weights.
    """
    labels = np.asarray(labels)
    k = int(n_themes if n_themes is not None else (labels.max() + 1 if labels.size else 0))
    names = np.asarray(feature_names, dtype=object)
    langs = passages["lang"].fillna("und").astype(str).to_numpy()
    themes = []
    for t in range(k):
        members = np.flatnonzero(labels == t)
        terms: dict[str, list[tuple[str, float]]] = {}
        for lang, mat in term_scores.items():
            if lang != "all" and not np.any(langs[members] == lang):
                continue
            row = np.asarray(mat[t], dtype=float)
            if selections is not None and lang in selections:
                order = np.asarray(selections[lang][t][:top_n], dtype=np.intp)
            else:
                order = np.argsort(-row, kind="stable")[:top_n]
            picked = [(str(names[j]), float(row[j])) for j in order if row[j] > 0]
            if picked:
                terms[lang] = picked
        lang_counts = pd.Series(langs[members]).value_counts()
        representative = _representative(passages, members, scores, n_representative)
        themes.append(
            Theme(
                id=t,
                label=make_label(terms),
                size=len(members),
                terms=terms,
                languages={str(a): int(b) for a, b in lang_counts.items()},
                representative=representative,
            )
        )
    return ThemeTable(view=view, themes=themes)


def _representative(
    passages: pd.DataFrame, members: np.ndarray, scores: np.ndarray | None, n: int
) -> list[dict[str, Any]]:
    """Return the ``n`` most central members, with at least one per language present."""
    if n <= 0 or members.size == 0:
        return []
    s = np.zeros(members.size) if scores is None else np.asarray(scores, dtype=float)[members]
    order = members[np.argsort(-s, kind="stable")]
    langs = passages["lang"].fillna("und").astype(str).to_numpy()
    chosen: list[int] = []
    for lang in dict.fromkeys(langs[order]):  # languages by best member
        first = next(i for i in order if langs[i] == lang)
        if len(chosen) < n:
            chosen.append(int(first))
    for i in order:
        if len(chosen) >= n:
            break
        if int(i) not in chosen:
            chosen.append(int(i))
    chosen.sort(key=lambda i: -s[np.flatnonzero(members == i)[0]])
    out = []
    for i in chosen:
        row = passages.iloc[i]
        out.append(
            {
                "passage_id": str(row["passage_id"]),
                "doc_id": str(row["doc_id"]),
                "lang": str(row["lang"]),
                "text": str(row["text"]),
                "score": float(s[np.flatnonzero(members == i)[0]]),
            }
        )
    return out
