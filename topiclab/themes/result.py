"""Result types: a theme, a table of themes, a view, and everything a run produced.

Notebooks, figures, the report and the CLI read these objects, never estimator internals.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["VIEW_COLUMNS", "Analysis", "RunResult", "Theme", "ThemeTable", "View"]


@dataclass
class Theme:
    """One theme (an embedding cluster or an LDA topic).

    Attributes
    ----------
    id : int
        Theme number within its view.
    label : str
        Short title in natural case made from the best phrases (see
        :mod:`topiclab.themes.labels`); in English when the theme has English passages.
    size : int
        Passages assigned to it.
    terms : dict
        Language code -> list of ``(term, weight)``, best first; ``"all"`` holds the
        terms over every language together.
    languages : dict
        Language code -> passages of that language in the theme.
    representative : list of dict
        The passages closest to the theme centre: ``passage_id``, ``doc_id``,
        ``lang``, ``text``, ``score``.
    coherence : dict
        Per-theme quality scores (``npmi``, ``c_v``) when computed.
    labels : dict
        Language code -> title in that language, for themes with passages in several
        languages (empty otherwise).
    display : dict
        Stored term -> its written form, where they differ (``"تنميه_خضراء"`` ->
        ``"تنمية خضراء"``, ``"ciie"`` -> ``"CIIE"``). Terms are stored normalised for
        counting and scoring; :meth:`keywords` shows them as written.
    section : str
        The broad news section the theme belongs to ("Sport", "Politics"; see
        :mod:`topiclab.themes.sections`), ``""`` when none is clear or none was assigned.
    section_score : float or None
        Cosine similarity between the theme and its closest section.
    """

    id: int
    label: str
    size: int
    terms: dict[str, list[tuple[str, float]]]
    languages: dict[str, int]
    representative: list[dict[str, Any]] = field(default_factory=list)
    coherence: dict[str, float] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    display: dict[str, str] = field(default_factory=dict)
    section: str = ""
    section_score: float | None = None

    @property
    def heading(self) -> str:
        """The label under its section, as tables show it ("Sport: Red Sox and win")."""
        return f"{self.section}: {self.label}" if self.section else self.label

    def top_words(self, lang: str = "all", k: int = 10) -> list[str]:
        """Return the ``k`` best terms of one language (``"all"``: every language).

        The terms as stored (normalised, phrases joined with ``_``), as counted and scored;
        :meth:`keywords` gives them as written.
        """
        return [t for t, _ in self.terms.get(lang, [])[:k]]

    def _repr_html_(self) -> str:
        from topiclab.themes.display import theme_html

        return theme_html(self)

    def shown(self, term: str) -> str:
        """Return one stored term in its written form."""
        return self.display.get(term) or term.replace("_", " ")

    def keywords(self, lang: str = "all", k: int = 10) -> list[str]:
        """Return the ``k`` best terms of one language as written (phrases with spaces)."""
        return [self.shown(t) for t in self.top_words(lang, k)]

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form."""
        return {
            "id": int(self.id),
            "label": self.label,
            "size": int(self.size),
            "terms": {k: [[t, float(w)] for t, w in v] for k, v in self.terms.items()},
            "languages": {k: int(v) for k, v in self.languages.items()},
            "representative": self.representative,
            "coherence": {k: _finite(v) for k, v in self.coherence.items()},
            "labels": dict(self.labels),
            "keywords": {k: self.keywords(k) for k in self.terms},
            "display": dict(sorted(self.display.items())),
            "section": self.section,
            "section_score": self.section_score,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Theme:
        """Inverse of :meth:`to_dict`."""
        return cls(
            id=int(data["id"]),
            label=str(data["label"]),
            size=int(data["size"]),
            terms={k: [(str(t), float(w)) for t, w in v] for k, v in data["terms"].items()},
            languages={k: int(v) for k, v in data["languages"].items()},
            representative=list(data.get("representative", [])),
            coherence={
                k: (float("nan") if v is None else float(v))
                for k, v in data.get("coherence", {}).items()
            },
            labels={str(k): str(v) for k, v in data.get("labels", {}).items()},
            display={str(k): str(v) for k, v in data.get("display", {}).items()},
            section=str(data.get("section") or ""),
            section_score=(
                None if data.get("section_score") is None else float(data["section_score"])
            ),
        )


def _finite(v: float) -> float | None:
    return float(v) if v is not None and np.isfinite(v) else None


@dataclass
class ThemeTable:
    """The themes of one view (``"embedding"`` clusters or ``"lda"`` topics)."""

    view: str
    themes: list[Theme]

    def __len__(self) -> int:
        return len(self.themes)

    def __iter__(self):
        return iter(self.themes)

    def __getitem__(self, i: int) -> Theme:
        return self.themes[i]

    def _repr_html_(self) -> str:
        from topiclab.themes.display import table_html

        return table_html(self)

    def labels(self) -> list[str]:
        """Theme labels in id order."""
        return [t.label for t in self.themes]

    def to_frame(self) -> pd.DataFrame:
        """One row per theme: id, label, size, languages and top terms per language."""
        rows = []
        for t in self.themes:
            row: dict[str, Any] = {
                "view": self.view,
                "theme": t.id,
                "label": t.label,
                "section": t.section,
                "size": t.size,
                "languages": ", ".join(f"{k}:{v}" for k, v in t.languages.items()),
            }
            for lang, text in t.labels.items():
                row[f"label_{lang}"] = text
            for lang in t.terms:
                row[f"terms_{lang}"] = ", ".join(t.keywords(lang, 8))
            for k, v in t.coherence.items():
                row[k] = v
            rows.append(row)
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form."""
        return {"view": self.view, "themes": [t.to_dict() for t in self.themes]}

    def to_json(self, indent: int | None = 2) -> str:
        """JSON text (non-ASCII kept)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ThemeTable:
        """Inverse of :meth:`to_dict`."""
        return cls(view=str(data["view"]), themes=[Theme.from_dict(t) for t in data["themes"]])


#: Passage column holding each built-in view's assignment, and its label column.
VIEW_COLUMNS: dict[str, tuple[str, str]] = {
    "embedding": ("theme", "theme_label"),
    "lda": ("lda_topic", "lda_label"),
}
#: Run-folder file of each built-in view's document mixtures (others: ``doc_<view>.parquet``).
MIXTURE_FILES: dict[str, str] = {"embedding": "doc_themes.parquet", "lda": "doc_topics.parquet"}
#: Reader-facing names of the built-in views.
VIEW_TITLES: dict[str, str] = {"embedding": "Embedding themes", "lda": "LDA topics"}


@dataclass
class View:
    """One way of seeing the corpus's themes, as plain data.

    A view is what a model of the pipeline found: the embedding themes, the LDA topics,
    and any view a stage adds. Storage, figures and the report loop over
    :attr:`RunResult.views`, so a new view needs no change there.

    Attributes
    ----------
    name : str
        Key of the view in :attr:`RunResult.views` (``"embedding"``, ``"lda"``, ...).
    table : ThemeTable
        The themes of the view.
    mixture : DataFrame
        Documents x themes, indexed by ``doc_id``; rows sum to 1.
    metrics : dict
        Quality metrics of the view (coherence, diversity, how K was chosen, ...).
    column : str or None
        Column of ``RunResult.passages`` holding each passage's theme in this view.
    label_column : str or None
        Column of ``RunResult.passages`` holding that theme's label.
    title : str
        Name shown to readers ("Embedding themes").
    """

    name: str
    table: ThemeTable
    mixture: pd.DataFrame = field(default_factory=pd.DataFrame)
    metrics: dict[str, Any] = field(default_factory=dict)
    column: str | None = None
    label_column: str | None = None
    title: str = ""

    @property
    def mixture_file(self) -> str:
        """File name of the view's document mixtures in a run folder."""
        return MIXTURE_FILES.get(self.name, f"doc_{self.name}.parquet")

    @classmethod
    def builtin(
        cls,
        name: str,
        table: ThemeTable,
        mixture: pd.DataFrame | None = None,
        metrics: dict[str, Any] | None = None,
    ) -> View:
        """Return a view with the passage columns and title its name conventionally has."""
        column, label_column = VIEW_COLUMNS.get(name, (f"{name}_theme", f"{name}_label"))
        return cls(
            name=name,
            table=table,
            mixture=pd.DataFrame() if mixture is None else mixture,
            metrics=dict(metrics or {}),
            column=column,
            label_column=label_column,
            title=VIEW_TITLES.get(name, name.replace("_", " ").capitalize()),
        )


@dataclass
class Analysis:
    """A table derived from a run (themes over time, themes by source, the theme tree, ...).

    Saved as ``<name>.parquet`` in the run folder, with ``info`` under
    ``metrics.json["analyses"][name]``; :func:`topiclab.load` reads both back.

    Attributes
    ----------
    name : str
        Key in :attr:`RunResult.analyses` and file stem (letters, digits and ``_``).
    frame : DataFrame
        The table.
    info : dict
        JSON-able facts about it (view, column, time bin, undated documents, ...).
    title : str
        Name shown to readers.
    """

    name: str
    frame: pd.DataFrame
    info: dict[str, Any] = field(default_factory=dict)
    title: str = ""

    @property
    def file(self) -> str:
        """File name of the table in a run folder."""
        return f"{self.name}.parquet"


class RunResult:
    """Everything one run produced, as plain data.

    Parameters
    ----------
    config : dict
        The run configuration (:meth:`topiclab.config.RunConfig.to_dict`).
    documents, passages : DataFrame
        The corpus tables; passages carry each view's assignment (``theme``,
        ``lda_topic``), its label and ``x``/``y`` map coordinates.
    views : dict of str to View, optional
        The views, in the order they were made.
    meta : dict, optional
        Provenance: corpus fingerprint, embedding model, versions, timings.
    cleaning_log : list of dict, optional
        The ingestion audit log.
    run_metrics : dict, optional
        Metrics of the run as a whole (not of one view).
    themes, topics : ThemeTable, optional
        Shorthand for the ``"embedding"`` and ``"lda"`` views (with ``doc_themes``,
        ``doc_topics`` and ``metrics`` split by view name) when ``views`` is not given.

    Attributes
    ----------
    views : dict of str to View
    themes : ThemeTable
        The embedding themes (``views["embedding"].table``).
    topics : ThemeTable
        The LDA topics (``views["lda"].table``).
    doc_themes, doc_topics : DataFrame
        Document mixtures of those two views.
    metrics : dict
        View name -> that view's metrics, plus the run-level metrics.
    """

    def __init__(
        self,
        config: dict[str, Any],
        documents: pd.DataFrame,
        passages: pd.DataFrame,
        views: dict[str, View] | None = None,
        *,
        meta: dict[str, Any] | None = None,
        cleaning_log: list[dict[str, Any]] | None = None,
        run_metrics: dict[str, Any] | None = None,
        themes: ThemeTable | None = None,
        topics: ThemeTable | None = None,
        doc_themes: pd.DataFrame | None = None,
        doc_topics: pd.DataFrame | None = None,
        metrics: dict[str, Any] | None = None,
        analyses: dict[str, Analysis] | None = None,
    ) -> None:
        self.config = config
        #: Derived tables (:class:`Analysis`) by name, in the order they were made.
        self.analyses: dict[str, Analysis] = dict(analyses or {})
        self.documents = documents
        self.passages = passages
        self.meta = {} if meta is None else meta
        self.cleaning_log = [] if cleaning_log is None else cleaning_log
        metrics = dict(metrics or {})
        if views is None:
            views = {}
            for name, table, mixture in (
                ("embedding", themes, doc_themes),
                ("lda", topics, doc_topics),
            ):
                if table is not None:
                    views[name] = View.builtin(name, table, mixture, metrics.pop(name, {}))
        self.views: dict[str, View] = dict(views)
        self.run_metrics = {k: v for k, v in (run_metrics or {}).items() if k != "analyses"}
        self.run_metrics.update(
            {k: v for k, v in metrics.items() if k not in self.views and k != "analyses"}
        )

    def replace(self, **changes: Any) -> RunResult:
        """Return a copy with some fields changed; the original is untouched.

        Accepts the constructor's arguments; ``themes``, ``topics``, ``doc_themes`` and
        ``doc_topics`` replace the table or mixture of the ``"embedding"`` / ``"lda"`` view.

        Examples
        --------
        >>> r = RunResult({}, pd.DataFrame(), pd.DataFrame(), themes=ThemeTable("embedding", []))
        >>> r.replace(config={"seed": 1}).config
        {'seed': 1}
        """
        views = {
            name: View(**{f: getattr(v, f) for f in v.__dataclass_fields__})
            for name, v in changes.pop("views", self.views).items()
        }
        for key, name, attr in (
            ("themes", "embedding", "table"),
            ("topics", "lda", "table"),
            ("doc_themes", "embedding", "mixture"),
            ("doc_topics", "lda", "mixture"),
        ):
            if key in changes:
                value = changes.pop(key)
                if name not in views:
                    views[name] = View.builtin(name, ThemeTable(name, []))
                setattr(views[name], attr, value)
        if "metrics" in changes:
            metrics = dict(changes.pop("metrics"))
            for name, v in views.items():
                v.metrics = metrics.pop(name, {})
            changes["run_metrics"] = metrics
        args = {
            "config": self.config,
            "documents": self.documents,
            "passages": self.passages,
            "meta": self.meta,
            "cleaning_log": self.cleaning_log,
            "run_metrics": self.run_metrics,
            "analyses": self.analyses,
        }
        unknown = set(changes) - set(args)
        if unknown:
            raise TypeError(f"unknown RunResult fields: {sorted(unknown)}")
        args.update(changes)
        return RunResult(views=views, **args)

    def __repr__(self) -> str:
        sizes = ", ".join(f"{k}: {len(v.table)}" for k, v in self.views.items())
        return f"RunResult({len(self.documents)} documents, {len(self.passages)} passages, {sizes})"

    def _repr_html_(self) -> str:
        from topiclab.themes.display import result_html

        return result_html(self)

    def _view(self, name: str) -> View:
        try:
            return self.views[name]
        except KeyError:
            raise KeyError(f"this run has no {name!r} view (views: {list(self.views)})") from None

    @property
    def themes(self) -> ThemeTable:
        """The embedding themes."""
        return self._view("embedding").table

    @property
    def topics(self) -> ThemeTable:
        """The LDA topics."""
        return self._view("lda").table

    @property
    def doc_themes(self) -> pd.DataFrame:
        """Documents x embedding themes."""
        return self._view("embedding").mixture

    @property
    def doc_topics(self) -> pd.DataFrame:
        """Documents x LDA topics."""
        return self._view("lda").mixture

    @property
    def metrics(self) -> dict[str, Any]:
        """View name -> the view's metrics, then the run-level metrics (``metrics.json``).

        Runs with derived tables also hold ``"analyses"``: name -> that table's ``info``.
        """
        out = {**{name: v.metrics for name, v in self.views.items()}, **self.run_metrics}
        if self.analyses:
            out["analyses"] = {
                name: {**a.info, "file": a.file, "title": a.title}
                for name, a in self.analyses.items()
            }
        return out

    def themes_json(self) -> dict[str, Any]:
        """Return the content of ``themes.json``: every view's theme table."""
        return {name: v.table.to_dict() for name, v in self.views.items()}

    def summary(self, n_terms: int = 6) -> str:
        """Return a readable text summary of the themes of every view."""
        lines: list[str] = []
        for name, view in self.views.items():
            if name == "embedding":
                lines.append(f"Embedding themes ({self.meta.get('embedding_model', '?')}):")
                for t in view.table:
                    langs = ", ".join(f"{k} {v}" for k, v in t.languages.items())
                    lines.append(f"  [{t.id}] {t.heading}  ({t.size} passages: {langs})")
                    for lang, text in t.labels.items():
                        if text != t.label:
                            lines.append(f"       label ({lang}): {text}")
                    for lang in t.terms:
                        if lang != "all":
                            lines.append(f"       {lang}: {', '.join(t.keywords(lang, n_terms))}")
            else:
                lines.append(f"{view.title}:")
                for t in view.table:
                    lines.append(f"  [{t.id}] {t.heading}  ({t.size} passages)")
                    lines.append(f"       {', '.join(t.keywords('all', n_terms))}")
        lines.append(
            "Metrics: "
            + ", ".join(
                f"{name}.{k}={v:.3f}"
                for name, view in self.views.items()
                for k, v in view.metrics.items()
                if isinstance(v, float) and np.isfinite(v)
            )
        )
        return "\n".join(lines)
