"""Choosing the words that describe a theme: coherent, and distinct from other themes.

Class-based TF-IDF ranks the words that distinguish a theme, but its top words are often
shared with neighbouring themes (``people``, ``time``) or are rare words that co-occur with
nothing else. :func:`select_terms` keeps the c-TF-IDF ranking as the backbone and re-ranks
a pool of candidates greedily, in the spirit of maximal marginal relevance:

* **distinct** — with ``exclusive=True`` each word describes at most the theme where its
  c-TF-IDF weight is highest, so theme descriptions do not repeat each other;
* **coherent** — a candidate gains from its document co-occurrence (NPMI over the corpus
  the themes were found in) with the words already chosen for the theme.

The score of candidate ``w`` for theme ``c`` with chosen words ``S`` is
``(1 - coherence_weight) * rank_score(w) + coherence_weight * mean_{s in S} npmi(w, s)``,
where ``rank_score`` is the c-TF-IDF weight scaled to [0, 1] within the theme's pool.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

__all__ = ["document_npmi", "select_terms", "spread_terms", "theme_terms"]


def document_npmi(counts: Any, columns: Sequence[int]) -> np.ndarray:
    """NPMI of document co-occurrence between the given term columns.

    Parameters
    ----------
    counts : sparse matrix of shape (n_docs, n_terms)
        Term counts (only presence matters).
    columns : sequence of int
        Term columns to compare.

    Returns
    -------
    ndarray of shape (len(columns), len(columns))
        ``log(p(i, j) / (p(i) p(j))) / -log(p(i, j))``; -1 for pairs never seen together,
        1 on the diagonal.
    """
    cols = np.asarray(columns, dtype=np.int64)
    X = sp.csc_matrix(counts)[:, cols]
    X = (X > 0).astype(np.float64)
    n = max(X.shape[0], 1)
    co = np.asarray((X.T @ X).todense(), dtype=np.float64)
    df = np.diag(co).copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        pij = co / n
        pi = df / n
        pmi = np.log(pij / np.outer(pi, pi))
        npmi = pmi / -np.log(pij)
    npmi[co == 0] = -1.0
    npmi[~np.isfinite(npmi)] = -1.0
    np.fill_diagonal(npmi, 1.0)
    return np.clip(npmi, -1.0, 1.0)


def select_terms(
    scores: np.ndarray,
    counts: Any,
    *,
    topn: int = 10,
    pool: int = 40,
    exclusive: bool = True,
    coherence_weight: float = 0.5,
) -> list[list[int]]:
    """Pick ``topn`` term columns per theme from c-TF-IDF ``scores``.

    Parameters
    ----------
    scores : ndarray of shape (n_themes, n_terms)
        Term weights per theme, e.g. from :func:`topiclab.models.class_tfidf`.
    counts : sparse matrix of shape (n_docs, n_terms)
        The document-term counts the weights came from (for co-occurrence).
    topn : int
        Terms per theme.
    pool : int
        Candidates per theme taken from the top of the c-TF-IDF ranking.
    exclusive : bool
        Each term describes at most one theme (the one where its weight is highest).
    coherence_weight : float in [0, 1]
        0 keeps the c-TF-IDF order; larger values favour words that co-occur with the
        words already chosen.

    Returns
    -------
    list of list of int
        Term columns per theme, best first (fewer than ``topn`` when a theme has fewer
        non-zero candidates).

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> counts = sp.csr_matrix(np.array([[2, 1, 0, 0], [1, 1, 0, 0], [0, 0, 3, 1]]))
    >>> scores = np.array([[0.6, 0.4, 0.0, 0.1], [0.0, 0.2, 0.7, 0.3]])
    >>> select_terms(scores, counts, topn=2)
    [[0, 1], [2, 3]]
    """
    scores = np.asarray(scores, dtype=np.float64)
    k = scores.shape[0]
    if not 0.0 <= coherence_weight <= 1.0:
        raise ValueError(f"coherence_weight must be in [0, 1], got {coherence_weight!r}")
    owner = scores.argmax(axis=0) if exclusive and k > 1 else None
    pools: list[np.ndarray] = []
    for c in range(k):
        row = scores[c].copy()
        if owner is not None:
            row[owner != c] = 0.0
        order = np.argsort(-row, kind="stable")[: max(pool, topn)]
        pools.append(order[row[order] > 0])
    union = np.unique(np.concatenate(pools)) if pools else np.array([], dtype=np.int64)
    if coherence_weight > 0 and union.size:
        npmi = document_npmi(counts, union)
        where = {int(t): i for i, t in enumerate(union)}
    out: list[list[int]] = []
    for c in range(k):
        cand = pools[c]
        if cand.size == 0:
            out.append([])
            continue
        w = scores[c, cand]
        rank = (w - w.min()) / (w.max() - w.min()) if w.max() > w.min() else np.ones_like(w)
        chosen = [0]  # the best c-TF-IDF term starts the description
        while len(chosen) < min(topn, cand.size):
            left = [i for i in range(cand.size) if i not in chosen]
            if coherence_weight > 0:
                idx = [where[int(cand[i])] for i in chosen]
                co = np.array([npmi[where[int(cand[i])], idx].mean() for i in left])
            else:
                co = np.zeros(len(left))
            value = (1 - coherence_weight) * rank[left] + coherence_weight * co
            chosen.append(left[int(np.argmax(value))])
        out.append([int(cand[i]) for i in chosen])
    return out


def theme_terms(
    counts: Any,
    labels: Any,
    feature_names: Sequence[str],
    n_themes: int,
    *,
    topn: int = 10,
    **options: Any,
) -> list[list[str]]:
    """Top words per theme: c-TF-IDF over the themes, then :func:`select_terms`."""
    from topiclab.models import class_tfidf

    scores = class_tfidf(counts, labels, n_classes=n_themes)
    names = np.asarray(feature_names, dtype=object)
    picks = select_terms(scores, counts, topn=topn, **options)
    return [[str(names[j]) for j in cols] for cols in picks]


def spread_terms(
    counts: Any, labels: Any, n_themes: int, *, ratio: float = 2.0, min_themes: int = 3
) -> np.ndarray:
    """Mark the terms spread evenly over all themes: they describe none of them.

    A term is spread when it occurs in every theme and the share of passages containing it
    differs by less than ``ratio`` between the theme where it is most common and the one
    where it is least common. Such a word ("year", "people", "表示") carries no theme even
    when no stop list knows it.

    Parameters
    ----------
    counts : sparse matrix of shape (n_passages, n_terms)
    labels : array-like of shape (n_passages,)
        Theme of each passage (``-1``: unassigned, ignored).
    n_themes : int
    ratio : float, default=2.0
    min_themes : int, default=3
        With fewer themes nothing is marked (two themes cannot show a spread).

    Returns
    -------
    ndarray of bool, shape (n_terms,)

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> X = sp.csr_matrix(np.array([[1, 1], [1, 0], [1, 0], [1, 1], [1, 0], [1, 0]]))
    >>> spread_terms(X, [0, 0, 1, 1, 2, 2], 3).tolist()
    [True, False]
    """
    X = sp.csr_matrix(counts)
    labels = np.asarray(labels)
    n_terms = X.shape[1]
    if n_themes < min_themes:
        return np.zeros(n_terms, dtype=bool)
    present = (X > 0).astype(np.float64)
    rates = np.zeros((n_themes, n_terms))
    for c in range(n_themes):
        rows = np.flatnonzero(labels == c)
        if rows.size == 0:
            return np.zeros(n_terms, dtype=bool)
        rates[c] = np.asarray(present[rows].sum(axis=0)).ravel() / rows.size
    low, high = rates.min(axis=0), rates.max(axis=0)
    return (low > 0) & (high < ratio * low)
