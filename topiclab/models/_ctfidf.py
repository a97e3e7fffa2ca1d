"""Class-based TF-IDF: the terms that distinguish one cluster (class) from the others.

Every document of a class is pooled into one class document. With ``tf[c, t]`` the count
of term ``t`` in class ``c`` (L1-normalised per class), ``f[t]`` the count of ``t`` over
all classes and ``A`` the average number of words per (non-empty) class, the score is

    w[c, t] = tf[c, t] * log(1 + A / f[t])

(the c-TF-IDF of Grootendorst, 2022, "BERTopic: Neural topic modeling with a class-based
TF-IDF procedure"). Options: a BM25-style weight ``log(1 + (A - f + 0.5) / (f + 0.5))``
in place of ``log(1 + A / f)``, and square-rooted class term frequencies to damp words
that are frequent everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

__all__ = ["class_tfidf", "top_terms"]


def class_tfidf(
    counts: Any,
    labels: Any,
    n_classes: int | None = None,
    *,
    bm25_weighting: bool = False,
    reduce_frequent_words: bool = False,
) -> np.ndarray:
    """Class-based TF-IDF scores of every term for every class.

    Parameters
    ----------
    counts : {sparse matrix, array-like} of shape (n_samples, n_terms)
        Non-negative term counts per document.
    labels : array-like of int of shape (n_samples,)
        Class of each document; negative labels (outliers) are ignored.
    n_classes : int, optional
        Number of classes ``K``; defaults to ``max(labels) + 1``. Classes with no
        documents (for instance when only one language's rows are passed) get a row of
        zeros.
    bm25_weighting : bool, default=False
        Use ``log(1 + (A - f + 0.5) / (f + 0.5))`` as the term weight; it is negative for
        terms more frequent than an average class is long.
    reduce_frequent_words : bool, default=False
        Take the square root of the class term counts before normalising.

    Returns
    -------
    ndarray of shape (n_classes, n_terms)
        Scores; zero for terms absent from a class.

    Examples
    --------
    >>> import numpy as np
    >>> counts = np.array([[2, 1, 0], [3, 0, 0], [0, 1, 4]])
    >>> scores = class_tfidf(counts, [0, 0, 1])
    >>> scores.argmax(axis=1).tolist()
    [0, 2]
    """
    X = sp.csr_matrix(counts, dtype=np.float64)
    y = np.asarray(labels).ravel()
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"{X.shape[0]} rows of counts but {y.shape[0]} labels")
    if X.nnz and X.data.min() < 0:
        raise ValueError("counts must be non-negative")
    if y.size and not np.issubdtype(y.dtype, np.integer):
        if not np.all(np.equal(np.mod(y, 1), 0)):
            raise ValueError("labels must be integers")
        y = y.astype(np.int64)
    y = y.astype(np.int64, copy=False)
    keep = y >= 0
    if n_classes is None:
        n_classes = int(y[keep].max()) + 1 if keep.any() else 0
    if keep.any() and int(y[keep].max()) >= n_classes:
        raise ValueError(f"label {int(y[keep].max())} is out of range for n_classes={n_classes}")

    rows = np.flatnonzero(keep)
    membership = sp.csr_matrix((np.ones(rows.size), (y[rows], rows)), shape=(n_classes, X.shape[0]))
    class_counts = np.asarray((membership @ X).todense(), dtype=np.float64)
    if n_classes == 0:
        return class_counts

    term_freq = class_counts.sum(axis=0)
    class_sizes = class_counts.sum(axis=1)
    nonempty = class_sizes > 0
    avg_words = float(class_sizes[nonempty].mean()) if nonempty.any() else 0.0

    present = term_freq > 0
    idf = np.zeros_like(term_freq)
    if bm25_weighting:
        idf[present] = np.log1p((avg_words - term_freq[present] + 0.5) / (term_freq[present] + 0.5))
    else:
        idf[present] = np.log1p(avg_words / term_freq[present])

    tf = np.sqrt(class_counts) if reduce_frequent_words else class_counts
    totals = tf.sum(axis=1, keepdims=True)
    tf = np.divide(tf, totals, out=np.zeros_like(tf), where=totals > 0)
    return tf * idf[None, :]


def top_terms(
    scores_row: Any,
    feature_names: Sequence[str],
    k: int = 10,
    exclude: Iterable[str] | None = None,
) -> list[tuple[str, float]]:
    """Return the ``k`` highest-scoring terms of one class.

    Terms with a score of zero or less are never returned, so an empty class yields an
    empty list. Ties are broken by column order.

    Parameters
    ----------
    scores_row : array-like of shape (n_terms,)
        One row of :func:`class_tfidf` (or of a topic-word matrix).
    feature_names : sequence of str of length n_terms
    k : int, default=10
    exclude : iterable of str, optional
        Terms to leave out (for instance stop words or the words of a query).

    Returns
    -------
    list of (str, float)
        ``(term, score)`` pairs, best first.

    Examples
    --------
    >>> top_terms([0.1, 0.5, 0.0], ["a", "b", "c"], k=2)
    [('b', 0.5), ('a', 0.1)]
    """
    scores = np.asarray(scores_row, dtype=np.float64).ravel()
    if scores.shape[0] != len(feature_names):
        raise ValueError(f"{scores.shape[0]} scores but {len(feature_names)} feature names")
    excluded = set(exclude) if exclude is not None else set()
    order = np.lexsort((np.arange(scores.size), -scores))
    out: list[tuple[str, float]] = []
    for j in order:
        if len(out) >= k or not scores[j] > 0:
            break
        name = str(feature_names[j])
        if name in excluded:
            continue
        out.append((name, float(scores[j])))
    return out
