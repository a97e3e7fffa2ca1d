"""Analyses over a fitted run.

Themes over time and by class, the theme tree, search, new articles, stability across
seeds and the choice of K. Each function takes a :class:`~topiclab.themes.RunResult` (and, where texts must be
embedded or assigned, the fitted model) and returns plain data; the ``with_*`` helpers
return a copy of the result with the table attached as an
:class:`~topiclab.themes.Analysis`, so storage, figures and the report pick it up.
Heavy modules load inside the functions.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "assign_new",
    "find_themes",
    "merge_themes",
    "reduce_themes",
    "theme_tree",
    "themes_by_class",
    "themes_over_time",
    "with_analyses",
]


def __getattr__(name: str) -> Any:
    modules = {
        "themes_over_time": "over_time",
        "themes_by_class": "by_class",
        "theme_tree": "hierarchy",
        "reduce_themes": "hierarchy",
        "merge_themes": "hierarchy",
        "find_themes": "search",
        "assign_new": "assign",
        "with_analyses": "attach",
    }
    if name in modules:
        import importlib

        module = importlib.import_module(f"topiclab.analysis.{modules[name]}")
        return getattr(module, name)
    raise AttributeError(f"module 'topiclab.analysis' has no attribute {name!r}")
