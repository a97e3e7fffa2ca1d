"""Attach the derived tables to a run: themes over time, by class, the theme tree."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from topiclab.analysis.dates import DateError

logger = logging.getLogger(__name__)

__all__ = ["refresh_analyses", "with_analyses"]


def with_analyses(
    result: Any,
    model: Any = None,
    *,
    over_time: bool | None = None,
    date_column: str | None = None,
    bin: str = "auto",
    by: Sequence[str] = (),
    tree: bool = True,
    view: str = "embedding",
    tokens: Sequence[Sequence[str]] | None = None,
) -> Any:
    """Return a copy of ``result`` with the derived tables attached (``result.analyses``).

    Parameters
    ----------
    result : RunResult
    model : ThemeModel, optional
        Gives the theme centroids of the tree.
    over_time : bool or None, default=None
        ``themes_over_time``: None makes it when any document has a date (a run without
        dates records why under ``run_metrics["themes_over_time"]``); True requires dates.
    date_column, bin : see :func:`~topiclab.analysis.over_time.themes_over_time`
    by : sequence of str
        Document columns to make ``themes_by_<column>`` tables of.
    tree : bool, default=True
        Make the ``theme_tree`` table.
    view : str, default="embedding"
    tokens : list of list of str, optional
        Tokens of each passage (the run's own, when called from the pipeline).

    Returns
    -------
    RunResult
    """
    from topiclab.analysis.by_class import by_class_analysis
    from topiclab.analysis.hierarchy import tree_analysis
    from topiclab.analysis.over_time import over_time_analysis

    if view not in result.views:
        return result
    analyses = dict(result.analyses)
    run_metrics = dict(result.run_metrics)
    if tokens is None and (over_time is not False or by):
        from topiclab.analysis._groups import passage_tokens

        tokens = passage_tokens(result.passages)
    if over_time is not False:
        try:
            a = over_time_analysis(
                result, view=view, date_column=date_column, bin=bin, tokens=tokens
            )
            analyses[a.name] = a
            run_metrics.pop("themes_over_time", None)
        except DateError as exc:
            if over_time:
                raise
            logger.info("no themes over time: %s", exc)
            run_metrics["themes_over_time"] = {"skipped": str(exc)}
    for column in by:
        a = by_class_analysis(result, column, view=view, tokens=tokens)
        analyses[a.name] = a
    if tree:
        a = tree_analysis(result, model, view=view)
        analyses[a.name] = a
    return result.replace(analyses=analyses, run_metrics=run_metrics)


def refresh_analyses(result: Any, previous: dict[str, Any], *, view: str) -> Any:
    """Recompute the tables of ``previous`` that read ``view``, with the same settings."""
    from topiclab.analysis.by_class import by_class_analysis
    from topiclab.analysis.hierarchy import tree_analysis
    from topiclab.analysis.over_time import over_time_analysis

    analyses = {}
    for name, a in previous.items():
        if a.info.get("view", view) != view:
            analyses[name] = a
        elif name == "themes_over_time":
            analyses[name] = over_time_analysis(
                result,
                view=view,
                date_column=a.info.get("date_column"),
                bin=a.info.get("bin_requested", "auto"),
            )
        elif name.startswith("themes_by_") and "column" in a.info:
            analyses[name] = by_class_analysis(result, a.info["column"], view=view)
        elif name == "theme_tree":
            analyses[name] = tree_analysis(result, None, view=view)
        else:
            logger.info("dropping %s: it was made from the former themes", name)
    return result.replace(analyses=analyses)
