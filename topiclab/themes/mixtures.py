"""Document mixtures from passage memberships, and readable document titles."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["display_title", "theme_mixture"]


def theme_mixture(
    passages: pd.DataFrame, membership: np.ndarray, doc_ids: Sequence[str]
) -> pd.DataFrame:
    """Aggregate passage memberships into document mixtures (weighted by passage length).

    Parameters
    ----------
    passages : DataFrame
        The passages (``doc_id``, ``text``), aligned with the rows of ``membership``.
    membership : ndarray of shape (n_passages, n_themes)
        Each passage's theme membership; rows sum to 1.
    doc_ids : sequence of str
        The documents, in the order of the returned rows.

    Returns
    -------
    DataFrame
        Indexed by ``doc_id`` with one column per theme; rows sum to 1 (documents without
        passages are all zero).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> p = pd.DataFrame({"doc_id": ["a", "a"], "text": ["x" * 30, "y" * 10]})
    >>> theme_mixture(p, np.array([[1.0, 0.0], [0.0, 1.0]]), ["a"]).round(2).to_numpy()
    array([[0.75, 0.25]])
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
    """Return the title, or the first ``n_words`` words of the text with an ellipsis.

    Examples
    --------
    >>> display_title(None, "one two three", n_words=2)
    'one two …'
    """
    if isinstance(title, str) and title.strip():
        return title.strip()
    words = str(text or "").split()
    return " ".join(words[:n_words]) + (" …" if len(words) > n_words else "")
