"""How well a term characterises a theme: used by most of its passages, by few others.

A theme's weight ranking (c-TF-IDF, coverage weights, LDA topic-word probabilities) puts
frequent words first: "game" leads a baseball theme although the hockey theme uses it as
much, and the keyword list of a broad theme can be led by long phrases that one quoted
message repeats. A reader names a theme by the word that is both common in it and rare
elsewhere. :func:`characteristic_scores` measures that, for each term, as the product of
two shares over passages:

* **coverage**: the share of the theme's passages that use the term;
* **precision**: the share of the passages using the term that belong to the theme.

Both shares add :data:`PRIOR` passages to their denominators, so a word of one passage in
a theme of two does not look as characteristic as a word of most passages of a large
theme. The product is high for a term most of the theme's passages use and few others do
("baseball"), lower for a word spread over several themes ("game"), low for a name a few
passages repeat.

:func:`label_scores` blends it with the theme's own weights: a small theme has too few
passages for the shares to mean much, so the weight counts more there, and the shares
count more as the theme grows (``lambda = n / (n + SIZE_PRIOR)``). The labels
(:mod:`topiclab.themes.labels`) lead with the term of highest score; the keyword list
keeps the weight order.

Examples
--------
>>> import numpy as np, scipy.sparse as sp
>>> counts = sp.csr_matrix(np.array([[1, 1, 0], [1, 1, 0], [1, 0, 1], [0, 0, 1]]))
>>> s = characteristic_scores(counts, np.array([0, 0, 1, 1]), 2, prior=0)
>>> s[0].round(2).tolist()  # term 1 only in theme 0; term 0 also in theme 1
[0.67, 1.0, 0.0]
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["PRIOR", "SIZE_PRIOR", "characteristic_scores", "label_scores"]

#: Passages added to the denominators of coverage and precision.
PRIOR = 3.0
#: Theme size (passages) at which the shares and the weights count alike in a label.
SIZE_PRIOR = 40.0


def characteristic_scores(
    counts: Any,
    labels: np.ndarray,
    n_themes: int,
    *,
    rows: np.ndarray | None = None,
    prior: float = PRIOR,
) -> np.ndarray:
    """Return each term's coverage times precision for every theme.

    Parameters
    ----------
    counts : sparse matrix or ndarray of shape (n_passages, n_terms)
        Term counts per passage (only presence counts).
    labels : ndarray of shape (n_passages,)
        Theme of each passage (``-1``: unassigned, ignored).
    n_themes : int
        Number of themes.
    rows : ndarray of int, optional
        Use only these passages (e.g. those of one language).
    prior : float, default=PRIOR
        Passages added to both denominators.

    Returns
    -------
    ndarray of shape (n_themes, n_terms)
        ``coverage * precision`` in [0, 1].
    """
    import scipy.sparse as sp

    labels = np.asarray(labels)
    X = sp.csr_matrix(counts)
    if rows is not None:
        X, labels = X[rows], labels[rows]
    keep = (labels >= 0) & (labels < n_themes)
    X, labels = X[np.flatnonzero(keep)], labels[keep]
    present = (X > 0).astype(np.float64)
    onehot = sp.csr_matrix(
        (np.ones(labels.size), (labels, np.arange(labels.size))),
        shape=(n_themes, labels.size),
    )
    in_theme = np.asarray((onehot @ present).todense())  # passages of theme t using term j
    sizes = np.bincount(labels, minlength=n_themes).astype(np.float64)
    used = in_theme.sum(axis=0)
    coverage = in_theme / (sizes[:, None] + prior)
    precision = in_theme / (used[None, :] + prior)
    return coverage * precision


def label_scores(
    counts: Any,
    labels: np.ndarray,
    n_themes: int,
    weights: np.ndarray,
    *,
    rows: np.ndarray | None = None,
    size_prior: float = SIZE_PRIOR,
) -> np.ndarray:
    """Return how well each term names each theme, for choosing label words.

    ``w ** (1 - lambda) * c ** lambda`` with ``w`` the term's weight and ``c`` its
    :func:`characteristic_scores`, each divided by the theme's largest, and
    ``lambda = n / (n + size_prior)`` for a theme of ``n`` passages.

    Parameters
    ----------
    counts, labels, n_themes, rows
        As for :func:`characteristic_scores`.
    weights : ndarray of shape (n_themes, n_terms)
        The theme's term weights (those its keyword list is ranked by).
    size_prior : float, default=SIZE_PRIOR

    Returns
    -------
    ndarray of shape (n_themes, n_terms)
        Scores in [0, 1]; 0 for a term neither weighed nor used in the theme.
    """
    char = characteristic_scores(counts, labels, n_themes, rows=rows)
    lab = np.asarray(labels) if rows is None else np.asarray(labels)[rows]
    lab = lab[(lab >= 0) & (lab < n_themes)]
    n = np.bincount(lab, minlength=n_themes).astype(np.float64)
    lam = (n / (n + size_prior))[:, None]
    w = np.clip(np.asarray(weights, dtype=np.float64), 0.0, None)
    w = w / np.maximum(w.max(axis=1, keepdims=True), np.finfo(float).tiny)
    c = char / np.maximum(char.max(axis=1, keepdims=True), np.finfo(float).tiny)
    return w ** (1.0 - lam) * c**lam
