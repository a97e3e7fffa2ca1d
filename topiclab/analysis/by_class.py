"""Themes by class: each theme's share of the documents of every value of a column.

Any document column works: ``source``, ``lang``, an outlet, a category, or a metadata
field of csv/jsonl/parquet inputs (every extra field becomes a document column).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

import pandas as pd

from topiclab.analysis._groups import AnalysisError, group_shares
from topiclab.themes import Analysis

logger = logging.getLogger(__name__)

__all__ = ["by_class_analysis", "themes_by_class"]

#: Most distinct values a class column may have (beyond that, it is not a class).
MAX_CLASSES = 500


def themes_by_class(
    result: Any,
    column: str,
    *,
    view: str = "embedding",
    top_n: int = 8,
    tokens: Sequence[Sequence[str]] | None = None,
) -> pd.DataFrame:
    """Return each theme's share of the documents of every value of ``column``.

    Parameters
    ----------
    result : RunResult
    column : str
        A document column (``source``, ``lang``, a metadata field).
    view : str, default="embedding"
    top_n : int, default=8
        Terms per theme and class (c-TF-IDF among the themes of that class).
    tokens : list of list of str, optional
        Tokens of each passage (default: tokenised here).

    Returns
    -------
    DataFrame
        One row per (class, theme): ``<column>`` (the class value; ``<column>_class``
        when the name is one of the other columns, e.g. ``label``), ``theme``,
        ``label``, ``n_documents``, ``count``, ``share`` (shares of a class sum to 1),
        ``overall_share``, ``lift`` (share / overall share) and ``terms``.
        ``frame.attrs`` holds the number of classes and of documents without a value.

    Raises
    ------
    AnalysisError
        When ``column`` is not a document column, holds no value, or more than
        500 distinct values.

    Examples
    --------
    >>> themes_by_class(tl.result_, "source")                 # doctest: +SKIP
    """
    analysis = by_class_analysis(result, column, view=view, top_n=top_n, tokens=tokens)
    frame = analysis.frame
    frame.attrs.update(analysis.info)
    return frame


def by_class_analysis(
    result: Any,
    column: str,
    *,
    view: str = "embedding",
    top_n: int = 8,
    tokens: Sequence[Sequence[str]] | None = None,
) -> Analysis:
    """Return :func:`themes_by_class` as an :class:`~topiclab.themes.Analysis`.

    It is named ``themes_by_<column>`` (odd characters as ``_``); ``info`` holds
    ``view``, ``column``, ``n_classes``, ``n_documents`` and ``missing`` (documents
    without a value, left out).
    """
    docs = result.documents
    if column not in docs.columns:
        raise AnalysisError(
            f"by={column!r}: no such document column (columns: {sorted(map(str, docs.columns))})"
        )
    values = docs[column].map(_class_value)
    missing = int(values.isna().sum())
    n_classes = int(values.nunique(dropna=True))
    if n_classes == 0:
        raise AnalysisError(f"by={column!r}: the column holds no value in any document")
    if n_classes > MAX_CLASSES:
        raise AnalysisError(
            f"by={column!r}: {n_classes} distinct values (at most {MAX_CLASSES}); "
            "is it an identifier rather than a class?"
        )
    if n_classes == 1:
        logger.warning("by=%r: every document has the same value; shares equal the overall", column)
    if missing:
        logger.warning("by=%r: %d documents have no value and are left out", column, missing)
    groups = pd.Series(values.to_numpy(), index=docs["doc_id"].to_numpy(), dtype="object")
    sizes = groups.value_counts()
    order = sorted(sizes.index, key=lambda g: (-int(sizes[g]), str(g)))
    frame = group_shares(result, groups, view=view, top_n=top_n, tokens=tokens, order=order)
    from topiclab.analysis._groups import COLUMNS

    key = str(column) if str(column) not in COLUMNS else f"{column}_class"
    frame = frame.rename(columns={"group": key})
    info = {
        "view": view,
        "column": str(column),
        "class_column": key,
        "n_classes": n_classes,
        "n_documents": len(docs),
        "missing": missing,
        "share": "mean document mixture weight among the documents of the class",
        "terms": "c-TF-IDF among the themes of the class",
    }
    name = "themes_by_" + (re.sub(r"[^A-Za-z0-9_]+", "_", str(column)).strip("_") or "column")
    return Analysis(name=name[:100], frame=frame, info=info, title=f"Themes by {column}")


def _class_value(v: Any) -> Any:
    if v is None:
        return None
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        return str(v)
    text = str(v).strip()
    return text or None
