"""Predictions that explain themselves: theme id, label and score of each text.

:func:`predictions_frame` turns a membership matrix (texts x themes, rows summing to one)
into a small table with one row per text: the most likely ``theme``, its ``label`` and its
``score`` (the membership of that theme), plus the runner-up so that a reader sees how
sure the assignment is.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["predictions_frame"]


def predictions_frame(membership: Any, table: Any = None) -> pd.DataFrame:
    """Return one row per text: ``theme``, ``label``, ``score``, ``second``, ``second_score``.

    Parameters
    ----------
    membership : array-like of shape (n_texts, n_themes)
        Theme memberships (each row sums to one).
    table : ThemeTable, optional
        The view's themes, for the labels (without it labels are empty).

    Returns
    -------
    DataFrame
        ``theme`` (int) and ``second`` (int, -1 with a single theme) are theme ids;
        ``score`` and ``second_score`` their memberships.

    Examples
    --------
    >>> predictions_frame([[0.2, 0.8], [0.6, 0.4]])[["theme", "score"]].to_dict("list")
    {'theme': [1, 0], 'score': [0.8, 0.6]}
    """
    m = np.asarray(membership, dtype=float)
    if m.ndim != 2:
        raise ValueError(f"membership must be 2-D (texts x themes), got shape {m.shape}")
    n, k = m.shape
    labels = {t.id: t.label for t in table} if table is not None else {}
    if k == 0:
        best = np.full(n, -1)
        second = np.full(n, -1)
    else:
        order = np.argsort(-m, axis=1, kind="stable")
        best = order[:, 0] if n else np.zeros(0, dtype=int)
        second = order[:, 1] if k > 1 else np.full(n, -1)
    rows = np.arange(n)
    return pd.DataFrame(
        {
            "theme": best.astype(np.int64),
            "label": [labels.get(int(t), "") for t in best],
            "score": m[rows, best] if k else np.zeros(n),
            "second": second.astype(np.int64),
            "second_score": m[rows, second] if k > 1 else np.zeros(n),
        }
    )
