"""Themes over time: each theme's share of the documents of every period, with its terms.

The documents' dates come from the ``date`` column (found by the cleaner in the text, or
given by a ``date`` field of csv/jsonl/parquet inputs) or from any column named with
``date_column`` (``published``, ...). Undated and unreadable dates are counted and
reported in the table's ``info``, never dropped silently.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import pandas as pd

from topiclab.analysis._groups import AnalysisError, group_shares
from topiclab.analysis.dates import BINS, DateError, choose_bin, parse_dates, period_labels
from topiclab.themes import Analysis

logger = logging.getLogger(__name__)

__all__ = ["DATE_COLUMNS", "find_date_column", "over_time_analysis", "themes_over_time"]

#: Document columns tried, in order, when no date column is named.
DATE_COLUMNS = ("date", "published", "published_at", "publish_date", "pubdate", "datetime")


def find_date_column(documents: pd.DataFrame, date_column: str | None = None) -> str:
    """Return the document column holding dates: ``date_column`` or the first usable one.

    Raises
    ------
    DateError
        When ``date_column`` is not a column, or no date-like column is found.
    """
    if date_column is not None:
        if date_column not in documents.columns:
            raise DateError(
                f"date_column={date_column!r}: no such document column "
                f"(columns: {sorted(map(str, documents.columns))})"
            )
        return date_column
    for name in DATE_COLUMNS:
        if name in documents.columns and documents[name].notna().any():
            return name
    return "date"


def themes_over_time(
    result: Any,
    *,
    view: str = "embedding",
    date_column: str | None = None,
    bin: str = "auto",
    top_n: int = 8,
    tokens: Sequence[Sequence[str]] | None = None,
) -> pd.DataFrame:
    """Return each theme's share of the documents of every period, with its terms there.

    Parameters
    ----------
    result : RunResult
        A fitted run (``TopicLab.result_`` or ``topiclab.load(...).result_``).
    view : str, default="embedding"
        The view whose themes are counted (``"embedding"`` or ``"lda"``).
    date_column : str, optional
        Document column with the dates (default: ``date``, else a ``published``-like
        column). Values are read as ISO 8601, then as common written dates.
    bin : {"auto", "day", "week", "month", "quarter", "year"}, default="auto"
        Period length; ``auto`` takes the finest giving at most 40 periods.
    top_n : int, default=8
        Terms per theme and period (c-TF-IDF among the themes of that period).
    tokens : list of list of str, optional
        Tokens of each passage (default: tokenised here).

    Returns
    -------
    DataFrame
        One row per (period, theme): ``period`` (``2024-09``, ``2024Q3``, ``2024-W38``
        ...), ``period_start`` (ISO date), ``theme``, ``label``, ``n_documents`` (dated
        documents in the period), ``count`` (of them, those whose main theme it is),
        ``share`` (mean mixture weight; shares of a period sum to 1),
        ``overall_share``, ``lift`` and ``terms``. ``frame.attrs`` holds the counts of
        dated, undated and malformed dates, the bin and the column.

    Raises
    ------
    DateError
        When no document has a readable date, or ``bin``/``date_column`` is unknown.

    Examples
    --------
    >>> tl = topiclab.TopicLab(random_state=0).fit("corpus/")            # doctest: +SKIP
    >>> themes_over_time(tl.result_, bin="year")[["period", "label", "share"]]  # doctest: +SKIP
    """
    analysis = over_time_analysis(
        result, view=view, date_column=date_column, bin=bin, top_n=top_n, tokens=tokens
    )
    frame = analysis.frame
    frame.attrs.update(analysis.info)
    return frame


def over_time_analysis(
    result: Any,
    *,
    view: str = "embedding",
    date_column: str | None = None,
    bin: str = "auto",
    top_n: int = 8,
    tokens: Sequence[Sequence[str]] | None = None,
) -> Analysis:
    """Return :func:`themes_over_time` as an :class:`~topiclab.themes.Analysis`.

    Its ``info`` holds ``view``, ``date_column``, ``bin``, ``n_documents``, ``dated``,
    ``undated`` (missing or unreadable), ``missing``, ``malformed``, ``first`` and
    ``last`` (ISO dates) and ``n_periods``.
    """
    if bin != "auto" and bin not in BINS:
        raise DateError(f"bin must be 'auto' or one of {list(BINS)}, got {bin!r}")
    if top_n < 0:
        raise AnalysisError(f"top_n must be >= 0, got {top_n!r}")
    docs = result.documents
    column = find_date_column(docs, date_column)
    values = docs[column] if column in docs.columns else [None] * len(docs)
    dates, counts = parse_dates(values)
    if counts["dated"] == 0:
        raise DateError(
            f"no document has a readable date in column {column!r} "
            f"({counts['missing']} missing, {counts['malformed']} malformed of {len(docs)})"
        )
    undated = counts["missing"] + counts["malformed"]
    if undated:
        logger.warning(
            "themes over time: %d of %d documents have no readable %r (%d missing, %d malformed);"
            " they are left out of the shares",
            undated,
            len(docs),
            column,
            counts["missing"],
            counts["malformed"],
        )
    chosen = choose_bin(dates) if bin == "auto" else bin
    names, starts = period_labels(dates, chosen)
    doc_ids = docs["doc_id"].to_numpy()
    groups = pd.Series(names.to_numpy(), index=doc_ids, dtype="object")
    start_of = dict(zip(names.dropna(), starts.dropna(), strict=True))
    order = sorted(start_of, key=lambda n: start_of[n])
    frame = group_shares(result, groups, view=view, top_n=top_n, tokens=tokens, order=order)
    frame = frame.rename(columns={"group": "period"})
    frame.insert(1, "period_start", frame["period"].map(start_of))
    valid = dates.dropna()
    info = {
        "view": view,
        "date_column": column,
        "bin": chosen,
        "bin_requested": bin,
        "n_documents": len(docs),
        "dated": counts["dated"],
        "undated": undated,
        "missing": counts["missing"],
        "malformed": counts["malformed"],
        "first": valid.min().strftime("%Y-%m-%d"),
        "last": valid.max().strftime("%Y-%m-%d"),
        "n_periods": len(order),
        "share": "mean document mixture weight among the dated documents of the period",
        "terms": "c-TF-IDF among the themes of the period",
    }
    return Analysis(name="themes_over_time", frame=frame, info=info, title="Themes over time")
