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

A corpus-level rule keeps words that describe no theme out of its label:

* **contrast** (:func:`contrast`): a label word must be used markedly more often in the
  theme than in the rest of the corpus, at least :data:`MIN_CONTRAST` times the rate,
  judged with the benefit of the doubt: each rate is moved :data:`CONTRAST_Z` standard
  errors in the word's favour (Wilson interval), so only words shown to be common
  elsewhere are dropped, and a theme of four passages keeps its article's name. A word
  that every theme uses ("new", "said", "vehicles" in a corpus about cars) weighs much
  in a topic-word ranking and has a fair share of any theme's passages, but no theme
  uses it twice as often as the others; it scores 0 and stays in the keyword list only.
The shares can also count documents instead of passages (``groups``: the passages of
one document in one theme are one unit, from :data:`MIN_DOCUMENTS` documents), so a
phrase that one long post repeats in many of its paragraphs has the coverage of one
document. The labels of a run count passages: on 20 Newsgroups (1,188 posts, 20 themes)
documents as units named as many subjects (20 of 35 labels of both views) but led more
embedding labels with phrases every copy of a FAQ repeats ("Archive-name space,
Last-modified and NASA" for "Space, NASA and mission").

Examples
--------
>>> import numpy as np, scipy.sparse as sp
>>> counts = sp.csr_matrix(np.array([[1, 1, 0], [1, 1, 0], [1, 0, 1], [0, 0, 1]]))
>>> s = characteristic_scores(counts, np.array([0, 0, 1, 1]), 2, prior=0)
>>> s[0].round(2).tolist()  # term 1 only in theme 0; term 0 also in theme 1
[0.67, 1.0, 0.0]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = [
    "CONTRAST_Z",
    "MIN_CONTRAST",
    "MIN_DOCUMENTS",
    "PRIOR",
    "SIZE_PRIOR",
    "characteristic_scores",
    "contrast",
    "label_scores",
]

#: Passages added to the denominators of coverage and precision.
PRIOR = 3.0
#: Theme size (passages) at which the shares and the weights count alike in a label.
SIZE_PRIOR = 40.0
#: A label word is used at least this many times as often in the theme as elsewhere.
MIN_CONTRAST = 2.0
#: Standard errors the contrast is given in a word's favour before it is judged.
CONTRAST_Z = 1.0
#: From this many documents, coverage and precision count documents, not passages.
MIN_DOCUMENTS = 100


def _presence(
    counts: Any,
    labels: np.ndarray,
    n_themes: int,
    rows: np.ndarray | None,
    groups: Sequence[Any] | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Units using each term per theme, and units per theme (documents or passages)."""
    import scipy.sparse as sp

    labels = np.asarray(labels)
    X = sp.csr_matrix(counts)
    if rows is not None:
        X, labels = X[rows], labels[rows]
        if groups is not None:
            groups = [groups[int(i)] for i in rows]
    keep = (labels >= 0) & (labels < n_themes)
    idx = np.flatnonzero(keep)
    X, labels = X[idx], labels[keep]
    if groups is not None:
        kept = [groups[int(i)] for i in idx]
        if len(set(kept)) >= MIN_DOCUMENTS:
            from topiclab.themes.terms import document_units

            X, labels, _ = document_units(X, labels, kept)
    present = (X > 0).astype(np.float64)
    onehot = sp.csr_matrix(
        (np.ones(labels.size), (labels, np.arange(labels.size))),
        shape=(n_themes, labels.size),
    )
    in_theme = np.asarray((onehot @ present).todense())  # units of theme t using term j
    sizes = np.bincount(labels, minlength=n_themes).astype(np.float64)
    return in_theme, sizes


def characteristic_scores(
    counts: Any,
    labels: np.ndarray,
    n_themes: int,
    *,
    rows: np.ndarray | None = None,
    prior: float = PRIOR,
    groups: Sequence[Any] | None = None,
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
        Units added to both denominators.
    groups : sequence, optional
        The document of each passage. With :data:`MIN_DOCUMENTS` documents or more, the
        shares count documents (a document's passages in one theme are one unit).

    Returns
    -------
    ndarray of shape (n_themes, n_terms)
        ``coverage * precision`` in [0, 1].
    """
    in_theme, sizes = _presence(counts, labels, n_themes, rows, groups)
    used = in_theme.sum(axis=0)
    coverage = in_theme / (sizes[:, None] + prior)
    precision = in_theme / (used[None, :] + prior)
    return coverage * precision


def contrast(
    counts: Any,
    labels: np.ndarray,
    n_themes: int,
    *,
    rows: np.ndarray | None = None,
    groups: Sequence[Any] | None = None,
    z: float = 0.0,
) -> np.ndarray:
    """Return how many times as often each theme uses each term as the rest of the corpus.

    ``(a / n) / (b / m)`` for a term used by ``a`` of the theme's ``n`` units and ``b`` of
    the ``m`` units outside it (documents from :data:`MIN_DOCUMENTS` documents, else
    passages; see :func:`characteristic_scores`); ``inf`` for a term used only in the
    theme, 0 for one it does not use. With ``z > 0`` the optimistic value: the upper end
    of the Wilson interval of ``a / n`` over the lower end of that of ``b / m``, ``z``
    standard errors each, so a theme of a few passages is not judged on chance counts.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> X = sp.csr_matrix(np.array([[1, 1], [1, 1], [1, 0], [1, 0]]))
    >>> contrast(X, np.array([0, 0, 1, 1]), 2).tolist()
    [[1.0, inf], [1.0, 0.0]]
    >>> contrast(X, np.array([0, 0, 1, 1]), 2, z=1.0).round(2).tolist()
    [[1.5, inf], [1.5, 0.0]]
    """
    in_theme, sizes = _presence(counts, labels, n_themes, rows, groups)
    total = sizes.sum()
    used = in_theme.sum(axis=0)
    n = np.broadcast_to(sizes[:, None], in_theme.shape)
    m = total - n
    inside = _wilson(in_theme, n, z, upper=True)
    outside = _wilson(used[None, :] - in_theme, m, z, upper=False)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(outside > 0, inside / np.where(outside > 0, outside, 1.0), np.inf)
    out[in_theme <= 0] = 0.0
    return out


def _wilson(k: np.ndarray, n: np.ndarray, z: float, *, upper: bool) -> np.ndarray:
    """Return an end of the Wilson interval of the rate ``k / n`` (``z = 0``: the rate)."""
    n = np.asarray(n, dtype=np.float64)
    safe = np.maximum(n, 1.0)
    p = np.where(n > 0, k / safe, 0.0)
    if z <= 0:
        return p
    z2 = z * z
    centre = p + z2 / (2 * safe)
    spread = z * np.sqrt(p * (1 - p) / safe + z2 / (4 * safe * safe))
    bound = (centre + spread if upper else centre - spread) / (1 + z2 / safe)
    bound = np.where(k >= n, 1.0, bound) if upper else np.where(k <= 0, 0.0, bound)
    return np.where(n > 0, np.clip(bound, 0.0, 1.0), 0.0)


def label_scores(
    counts: Any,
    labels: np.ndarray,
    n_themes: int,
    weights: np.ndarray,
    *,
    rows: np.ndarray | None = None,
    size_prior: float = SIZE_PRIOR,
    groups: Sequence[Any] | None = None,
    min_contrast: float | None = None,
) -> np.ndarray:
    """Return how well each term names each theme, for choosing label words.

    ``w ** (1 - lambda) * c ** lambda`` with ``w`` the term's weight and ``c`` its
    :func:`characteristic_scores`, each divided by the theme's largest, and
    ``lambda = n / (n + size_prior)`` for a theme of ``n`` units; 0 for a term whose
    optimistic :func:`contrast` (``z = CONTRAST_Z``) is below ``min_contrast`` (used
    about as often elsewhere).

    Parameters
    ----------
    counts, labels, n_themes, rows, groups
        As for :func:`characteristic_scores`.
    weights : ndarray of shape (n_themes, n_terms)
        The theme's term weights (those its keyword list is ranked by).
    size_prior : float, default=SIZE_PRIOR
    min_contrast : float, optional
        Default: :data:`MIN_CONTRAST` (read when called); ``0`` turns the rule off.

    Returns
    -------
    ndarray of shape (n_themes, n_terms)
        Scores in [0, 1]; 0 for a term neither weighed nor used in the theme, or not
        markedly more frequent in it than elsewhere.
    """
    in_theme, n = _presence(counts, labels, n_themes, rows, groups)
    used = in_theme.sum(axis=0)
    char = (in_theme / (n[:, None] + PRIOR)) * (in_theme / (used[None, :] + PRIOR))
    lam = (n / (n + size_prior))[:, None]
    w = np.clip(np.asarray(weights, dtype=np.float64), 0.0, None)
    w = w / np.maximum(w.max(axis=1, keepdims=True), np.finfo(float).tiny)
    c = char / np.maximum(char.max(axis=1, keepdims=True), np.finfo(float).tiny)
    scores = w ** (1.0 - lam) * c**lam
    min_contrast = MIN_CONTRAST if min_contrast is None else float(min_contrast)
    if min_contrast > 0:
        ratio = contrast(counts, labels, n_themes, rows=rows, groups=groups, z=CONTRAST_Z)
        scores[ratio < min_contrast] = 0.0
    return scores
