"""Themes as plain data: result types, term selection, theme tables and mixtures."""

from topiclab.themes.result import RunResult, Theme, ThemeTable, build_theme_table, make_label

__all__ = ["RunResult", "Theme", "ThemeTable", "build_theme_table", "make_label"]
