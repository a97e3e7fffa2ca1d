"""Cross-lingual LDA units: each passage's words joined with its translations' words.

LDA counts words, and an Arabic and an English passage on one subject share almost none,
so on a multilingual corpus plain LDA gives each language its own topics. The embedding
model, on the other hand, places passages on one subject close together whatever their
language. :func:`crosslingual_counts` uses that: every passage's counts get the counts
of its nearest passages (by embedding cosine) in *each other language* of the
collection added. The units LDA is trained on then hold words of several languages that
describe one subject, as the aligned documents of a polylingual topic model do, so each
topic gets words in every language, and a passage's topic mixture is inferred from its
own words plus its neighbours', so a sentence and its translations land in one topic.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

__all__ = ["crosslingual_counts", "crosslingual_languages", "crosslingual_neighbours"]


#: Languages holding less than this share of the passages neither give nor take
#: neighbours (stray language guesses on a few lines must not spread over the corpus).
MIN_LANGUAGE_SHARE = 0.05


def crosslingual_languages(
    langs: Sequence[str], min_share: float = MIN_LANGUAGE_SHARE
) -> list[str]:
    """Return the languages holding at least ``min_share`` of the passages (sorted).

    Cross-lingual units are made only when there are two or more.

    Examples
    --------
    >>> crosslingual_languages(["en"] * 30 + ["ar"] * 4 + ["fr"])
    ['ar', 'en']
    """
    values, sizes = np.unique(np.asarray([str(x) for x in langs]), return_counts=True)
    n = int(sizes.sum())
    return [str(v) for v, c in zip(values, sizes, strict=True) if c >= min_share * n]


def crosslingual_neighbours(
    embeddings: np.ndarray,
    langs: Sequence[str],
    n_neighbours: int,
    chunk: int = 2048,
    min_share: float = MIN_LANGUAGE_SHARE,
) -> np.ndarray:
    """Find each row's ``n_neighbours`` nearest rows in every other language.

    Parameters
    ----------
    embeddings : ndarray of shape (n, d)
        Passage embeddings (cosine similarity is used).
    langs : sequence of str
        Language of each passage.
    n_neighbours : int
        Neighbours taken per other language.
    chunk : int, default=2048
        Rows compared at once (bounds memory to ``chunk x n`` floats).
    min_share : float, default=0.05
        Languages with fewer passages than this share take part in nothing (their rows
        get no neighbours and are nobody's neighbour).

    Returns
    -------
    ndarray of shape (n, m)
        Neighbour indices, ``-1`` where a language has fewer passages than asked; ``m`` is
        ``n_neighbours`` times the number of languages minus one. Ties are broken by
        index, so the result is deterministic.

    Examples
    --------
    >>> E = np.array([[1.0, 0.0], [0.0, 1.0], [0.9, 0.1], [0.1, 0.9]])
    >>> crosslingual_neighbours(E, ["en", "en", "ar", "ar"], 1).tolist()
    [[2], [3], [0], [1]]
    """
    E = np.asarray(embeddings, dtype=np.float32)
    lang_arr = np.asarray([str(x) for x in langs], dtype=object)
    if E.ndim != 2 or E.shape[0] != lang_arr.size:
        raise ValueError(f"embeddings of shape {E.shape} do not match {lang_arr.size} languages")
    n = E.shape[0]
    names = crosslingual_languages(lang_arr.tolist(), min_share)
    if n_neighbours < 1 or len(names) < 2:
        return np.empty((n, 0), dtype=np.intp)
    norms = np.linalg.norm(E, axis=1, keepdims=True)
    E = E / np.where(norms > 0, norms, 1.0)
    members = {lang: np.flatnonzero(lang_arr == lang) for lang in names}
    width = n_neighbours * (len(names) - 1)
    out = np.full((n, width), -1, dtype=np.intp)
    # only the rows of one language against the columns of another: no n x n matrix, and
    # a partial selection of each row's best instead of a full sort (linear in the row)
    for own in names:
        rows_all = members[own]
        for slot_i, lang in enumerate(x for x in names if x != own):
            cols = members[lang]
            take = min(n_neighbours, cols.size)
            Ec = E[cols]
            for start in range(0, rows_all.size, chunk):
                rows = rows_all[start : start + chunk]
                best = _top_columns(E[rows] @ Ec.T, take)
                out[rows, slot_i * n_neighbours : slot_i * n_neighbours + take] = cols[best]
    return out


def _top_columns(sim: np.ndarray, take: int) -> np.ndarray:
    """Return each row's ``take`` largest columns, most similar first, ties by index.

    The same answer as a stable sort of the negated rows, found without sorting: a few
    neighbours by repeated maxima, more by a partial selection (rows with ties at the cut
    are then sorted in full so the tie-break by index holds).

    Examples
    --------
    >>> _top_columns(np.array([[0.1, 0.9, 0.5], [0.7, 0.7, 0.2]]), 1).tolist()
    [[1], [0]]
    """
    if take >= sim.shape[1]:
        return np.argsort(-sim, axis=1, kind="stable")[:, :take]
    if take <= 8:  # repeated first maxima: the lowest index wins among ties
        sim = np.array(sim, dtype=np.float64 if sim.dtype == np.float64 else np.float32)
        best = np.empty((sim.shape[0], take), dtype=np.intp)
        rows = np.arange(sim.shape[0])
        for j in range(take):
            best[:, j] = sim.argmax(axis=1)
            sim[rows, best[:, j]] = -np.inf
        return best
    part = np.argpartition(-sim, take - 1, axis=1)[:, :take]
    vals = np.take_along_axis(sim, part, axis=1)
    order = np.lexsort((part, -vals), axis=1)
    best = np.take_along_axis(part, order, axis=1)
    # a row whose cut value is shared by more columns than were taken: full stable sort
    cut = np.take_along_axis(sim, best[:, -1:], axis=1)
    tied = np.flatnonzero((sim >= cut).sum(axis=1) > take)
    if tied.size:
        best[tied] = np.argsort(-sim[tied], axis=1, kind="stable")[:, :take]
    return best


def crosslingual_counts(
    counts: Any,
    embeddings: np.ndarray | None,
    langs: Sequence[str],
    n_neighbours: int,
    mutual: bool = True,
) -> Any:
    """Add to each row the counts of its nearest rows in every other language.

    With ``mutual`` (the default), two passages are joined only when each is among the
    other's nearest in its language: a translation and its original are, while a
    language with few passages does not lend its words to every passage of a larger one.

    Parameters
    ----------
    counts : sparse matrix of shape (n, n_terms)
        Passage term counts.
    embeddings : ndarray of shape (n, d) or None
        Passage embeddings; ``None`` returns ``counts`` unchanged.
    langs : sequence of str
        Language of each passage; with one language ``counts`` is returned unchanged.
    n_neighbours : int
        Neighbours per other language (``0``: unchanged).
    mutual : bool, default=True
        Join only mutual neighbours.

    Returns
    -------
    sparse matrix of shape (n, n_terms)

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> X = sp.csr_matrix(np.array([[1, 0], [0, 1], [0, 2]]))
    >>> E = np.array([[1.0, 0.0], [0.0, 1.0], [0.9, 0.1]])
    >>> crosslingual_counts(X, E, ["en", "en", "ar"], 1).toarray().tolist()
    [[1, 2], [0, 1], [1, 2]]
    >>> crosslingual_counts(X, E, ["en", "en", "ar"], 1, mutual=False).toarray().tolist()
    [[1, 2], [0, 3], [1, 2]]
    """
    import scipy.sparse as sp

    if embeddings is None or n_neighbours < 1 or len(set(map(str, langs))) < 2:
        return counts
    idx = crosslingual_neighbours(embeddings, langs, n_neighbours)
    n = counts.shape[0]
    rows = np.repeat(np.arange(n), idx.shape[1])
    cols = idx.ravel()
    keep = cols >= 0
    link = sp.csr_matrix(
        (np.ones(int(keep.sum()), dtype=counts.dtype), (rows[keep], cols[keep])), shape=(n, n)
    )
    if mutual:
        link = link.multiply(link.T).tocsr()
    link = link + sp.identity(n, dtype=counts.dtype, format="csr")
    return sp.csr_matrix(link @ counts)
