"""Themes as plain data: result types, term selection, theme tables and mixtures.

:mod:`.result` holds the types every consumer reads (:class:`Theme`, :class:`ThemeTable`,
:class:`View`, :class:`RunResult`); :mod:`.terms` selects the terms that describe a theme;
:mod:`.tables` builds theme tables from model outputs; :mod:`.mixtures` turns passage
memberships into document mixtures.
"""

from topiclab.themes.mixtures import display_title, theme_mixture
from topiclab.themes.result import VIEW_COLUMNS, Analysis, RunResult, Theme, ThemeTable, View
from topiclab.themes.tables import build_theme_table, make_label

__all__ = [
    "VIEW_COLUMNS",
    "Analysis",
    "RunResult",
    "Theme",
    "ThemeTable",
    "View",
    "build_theme_table",
    "display_title",
    "make_label",
    "theme_mixture",
]
