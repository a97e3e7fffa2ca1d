"""Cross-lingual theme steps: document context and language-only clusters.

Two corrections applied to passage embeddings before and after clustering:

* :func:`blend_document_context` mixes each passage embedding with the mean embedding of
  its document. A passage is read in the context of its article: a paragraph that only
  quotes an official still belongs to the article's subject. ``weight=0`` leaves the
  passages as they are.
* :func:`merge_language_clusters` dissolves small clusters made of a single minority
  language (drawn from a few documents) when another theme is clearly closer to them than
  themes usually are to each other. Multilingual encoders keep a language signal; with few
  documents in a language, that signal alone can make a cluster, which says nothing about
  the subject. Each member passage then joins its nearest remaining theme. Large
  single-language clusters drawn from many articles are kept: they are that press's own
  subjects.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

__all__ = ["blend_document_context", "merge_language_clusters"]


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def blend_document_context(
    embeddings: np.ndarray, doc_ids: Sequence[Any], weight: float = 0.5
) -> np.ndarray:
    """Compute unit vectors of ``unit(e_i) + weight * unit(mean of e over i's document)``.

    Parameters
    ----------
    embeddings : ndarray of shape (n_passages, dim)
    doc_ids : sequence of length n_passages
        Document of each passage.
    weight : float, default 0.5
        Weight of the document context; ``0`` returns the normalised embeddings.

    Returns
    -------
    ndarray of shape (n_passages, dim), float32

    Examples
    --------
    >>> import numpy as np
    >>> e = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    >>> blend_document_context(e, ["a", "a", "b"], weight=1.0).round(3)
    array([[0.924, 0.383],
           [0.383, 0.924],
           [1.   , 0.   ]], dtype=float32)
    """
    if weight < 0:
        raise ValueError(f"weight must be >= 0, got {weight!r}")
    e = _unit(np.asarray(embeddings, dtype=np.float64))
    if weight == 0 or len(e) == 0:
        return e.astype(np.float32)
    codes, inverse = np.unique(np.asarray([str(d) for d in doc_ids]), return_inverse=True)
    sums = np.zeros((len(codes), e.shape[1]))
    np.add.at(sums, inverse, e)
    context = _unit(sums)[inverse]
    return _unit(e + weight * context).astype(np.float32)


def merge_language_clusters(
    embeddings: np.ndarray,
    labels: np.ndarray,
    langs: Sequence[str],
    *,
    doc_ids: Sequence[Any] | None = None,
    max_documents: int = 10,
    purity: float = 0.9,
    margin: float = 0.1,
) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """Dissolve single-language clusters of a minority language into their nearest themes.

    A cluster is dissolved when (1) the corpus holds more than one language, (2) at least
    ``purity`` of its members are in one language that makes up less than half of all
    passages, and (3) its centre is closer to its nearest other centre than the median
    similarity between all pairs of centres plus ``margin`` (clearly closer than a typical
    pair of themes). Each member then joins its nearest
    remaining centre. Repeats until no cluster qualifies.

    Returns
    -------
    labels : ndarray
        New labels (cluster ids unchanged; dissolved ids disappear).
    merges : list of dict
        One record per dissolved cluster: ``cluster``, ``lang``, ``size``, ``similarity``,
        ``threshold``, where its members went (``into``: cluster -> count) and their
        row indices (``members``).
    """
    labels = np.asarray(labels).copy()
    langs_arr = np.asarray([str(x) for x in langs])
    docs = np.arange(len(langs_arr)) if doc_ids is None else np.asarray([str(d) for d in doc_ids])
    e = _unit(np.asarray(embeddings, dtype=np.float64))
    shares = {lang: float(np.mean(langs_arr == lang)) for lang in np.unique(langs_arr)}
    merges: list[dict[str, Any]] = []
    if len(shares) < 2:
        return labels, merges
    while True:
        ids = [c for c in np.unique(labels) if c >= 0]
        if len(ids) < 3:
            break
        centres = _unit(np.vstack([e[labels == c].mean(axis=0) for c in ids]))
        sim = centres @ centres.T
        off = sim[~np.eye(len(ids), dtype=bool)]
        threshold = float(np.median(off)) + margin
        candidate = None
        for j, c in enumerate(ids):
            member_langs = langs_arr[labels == c]
            values, counts = np.unique(member_langs, return_counts=True)
            top = values[counts.argmax()]
            if counts.max() / counts.sum() < purity or shares[str(top)] >= 0.5:
                continue
            if np.unique(docs[labels == c]).size >= max_documents:
                continue
            nearest = float(np.max(np.delete(sim[j], j)))
            if nearest >= threshold and (candidate is None or nearest > candidate[2]):
                candidate = (j, str(top), nearest)
        if candidate is None:
            break
        j, lang, nearest = candidate
        cid = ids[j]
        members = np.flatnonzero(labels == cid)
        keep = [k for k in range(len(ids)) if k != j]
        target = np.asarray(ids)[keep][np.argmax(e[members] @ centres[keep].T, axis=1)]
        labels[members] = target
        into = {int(t): int(n) for t, n in zip(*np.unique(target, return_counts=True), strict=True)}
        merges.append(
            {
                "cluster": int(cid),
                "lang": lang,
                "size": int(members.size),
                "similarity": nearest,
                "threshold": threshold,
                "into": into,
                "members": [int(i) for i in members],
            }
        )
        logger.info(
            "dissolved the %s-only cluster %d (%d passages; nearest theme %.2f >= %.2f)",
            lang,
            cid,
            members.size,
            nearest,
            threshold,
        )
    return labels, merges
