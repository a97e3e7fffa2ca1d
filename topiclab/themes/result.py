"""Themes as plain data: terms per language, labels, representative passages, sizes.

:func:`build_theme_table` turns model outputs (labels, memberships, a count matrix) into a
:class:`ThemeTable`; :class:`RunResult` gathers everything a run produced. Notebooks,
figures, the report and the CLI read these objects, never estimator internals.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["RunResult", "Theme", "ThemeTable", "build_theme_table", "make_label"]


@dataclass
class Theme:
    """One theme (an embedding cluster or an LDA topic).

    Attributes
    ----------
    id : int
        Theme number within its view.
    label : str
        Short label made from the top phrases.
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
    """

    id: int
    label: str
    size: int
    terms: dict[str, list[tuple[str, float]]]
    languages: dict[str, int]
    representative: list[dict[str, Any]] = field(default_factory=list)
    coherence: dict[str, float] = field(default_factory=dict)

    def top_words(self, lang: str = "all", k: int = 10) -> list[str]:
        """The ``k`` best terms of one language (``"all"``: every language)."""
        return [t for t, _ in self.terms.get(lang, [])[:k]]

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
                "size": t.size,
                "languages": ", ".join(f"{k}:{v}" for k, v in t.languages.items()),
            }
            for lang in t.terms:
                row[f"terms_{lang}"] = ", ".join(t.top_words(lang, 8))
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


def make_label(terms: dict[str, list[tuple[str, float]]], k: int = 3) -> str:
    """A short label from the best terms, preferring multi-word phrases.

    English terms are used when the theme has any (labels are read by people who
    read the report's language); otherwise the terms over all languages.

    Examples
    --------
    >>> make_label({"all": [("battery", 0.9), ("energy_storage", 0.8), ("grid", 0.5)]})
    'energy storage · battery · grid'
    """
    pool = terms.get("en") or terms.get("all") or next(iter(terms.values()), [])
    words = [t for t, _ in pool[: max(3 * k, 10)]]
    if not words:
        return "(empty)"
    phrases = [w for w in words if "_" in w][:2]
    chosen: list[str] = []
    for w in phrases + words:
        if len(chosen) == k:
            break
        # skip a word already contained in a chosen phrase (battery vs battery_storage)
        if w in chosen or any(w in c.split("_") for c in chosen):
            continue
        chosen.append(w)
    return " · ".join(c.replace("_", " ") for c in chosen)


def build_theme_table(
    view: str,
    labels: np.ndarray,
    term_scores: dict[str, np.ndarray],
    feature_names: Sequence[str],
    passages: pd.DataFrame,
    *,
    scores: np.ndarray | None = None,
    top_n: int = 10,
    n_representative: int = 3,
    n_themes: int | None = None,
    selections: dict[str, list[list[int]]] | None = None,
) -> ThemeTable:
    """Assemble a :class:`ThemeTable` from model outputs.

    Parameters
    ----------
    view : str
        ``"embedding"`` or ``"lda"``.
    labels : ndarray of shape (n_passages,)
        Theme of each passage.
    term_scores : dict
        Language code (and ``"all"``) -> (n_themes, n_features) term weights, e.g.
        class-based TF-IDF per language, or LDA topic-word probabilities under ``"all"``.
    feature_names : sequence of str
        Vocabulary, aligned with the columns of ``term_scores``.
    passages : DataFrame
        The passages (``passage_id``, ``doc_id``, ``lang``, ``text``), aligned with ``labels``.
    scores : ndarray of shape (n_passages,), optional
        How central each passage is to its own theme; the highest are representative.
    top_n, n_representative : int
        Terms per language and passages kept per theme.
    n_themes : int, optional
        Number of themes (default: ``labels.max() + 1``).
    selections : dict, optional
        Language code -> term columns per theme in the order to show them (e.g. from
        :func:`topiclab.themes.terms.select_terms`); weights still come from ``term_scores``.
        Languages without a selection use the ``top_n`` highest weights.
    """
    labels = np.asarray(labels)
    k = int(n_themes if n_themes is not None else (labels.max() + 1 if labels.size else 0))
    names = np.asarray(feature_names, dtype=object)
    langs = passages["lang"].fillna("und").astype(str).to_numpy()
    themes = []
    for t in range(k):
        members = np.flatnonzero(labels == t)
        terms: dict[str, list[tuple[str, float]]] = {}
        for lang, mat in term_scores.items():
            if lang != "all" and not np.any(langs[members] == lang):
                continue
            row = np.asarray(mat[t], dtype=float)
            if selections is not None and lang in selections:
                order = np.asarray(selections[lang][t][:top_n], dtype=np.intp)
            else:
                order = np.argsort(-row, kind="stable")[:top_n]
            picked = [(str(names[j]), float(row[j])) for j in order if row[j] > 0]
            if picked:
                terms[lang] = picked
        lang_counts = pd.Series(langs[members]).value_counts()
        representative = _representative(passages, members, scores, n_representative)
        themes.append(
            Theme(
                id=t,
                label=make_label(terms),
                size=len(members),
                terms=terms,
                languages={str(a): int(b) for a, b in lang_counts.items()},
                representative=representative,
            )
        )
    return ThemeTable(view=view, themes=themes)


def _representative(
    passages: pd.DataFrame, members: np.ndarray, scores: np.ndarray | None, n: int
) -> list[dict[str, Any]]:
    """The ``n`` most central members, with at least one per language present."""
    if n <= 0 or members.size == 0:
        return []
    s = np.zeros(members.size) if scores is None else np.asarray(scores, dtype=float)[members]
    order = members[np.argsort(-s, kind="stable")]
    langs = passages["lang"].fillna("und").astype(str).to_numpy()
    chosen: list[int] = []
    for lang in dict.fromkeys(langs[order]):  # languages by best member
        first = next(i for i in order if langs[i] == lang)
        if len(chosen) < n:
            chosen.append(int(first))
    for i in order:
        if len(chosen) >= n:
            break
        if int(i) not in chosen:
            chosen.append(int(i))
    chosen.sort(key=lambda i: -s[np.flatnonzero(members == i)[0]])
    out = []
    for i in chosen:
        row = passages.iloc[i]
        out.append(
            {
                "passage_id": str(row["passage_id"]),
                "doc_id": str(row["doc_id"]),
                "lang": str(row["lang"]),
                "text": str(row["text"]),
                "score": float(s[np.flatnonzero(members == i)[0]]),
            }
        )
    return out


@dataclass
class RunResult:
    """Everything one run produced, as plain data.

    Attributes
    ----------
    config : dict
        The run configuration (:meth:`topiclab.config.RunConfig.to_dict`).
    documents, passages : DataFrame
        The corpus tables; passages carry ``theme``, ``theme_label``, ``lda_topic``
        and ``x``/``y`` map coordinates.
    themes : ThemeTable
        Embedding themes.
    topics : ThemeTable
        LDA topics.
    doc_themes, doc_topics : DataFrame
        Documents x themes (x topics) mixtures, rows sum to 1, indexed by ``doc_id``.
    metrics : dict
        Quality metrics of both views.
    meta : dict
        Provenance: corpus fingerprint, embedding model, versions, timings.
    cleaning_log : list of dict
        The ingestion audit log.
    """

    config: dict[str, Any]
    documents: pd.DataFrame
    passages: pd.DataFrame
    themes: ThemeTable
    topics: ThemeTable
    doc_themes: pd.DataFrame
    doc_topics: pd.DataFrame
    metrics: dict[str, Any]
    meta: dict[str, Any] = field(default_factory=dict)
    cleaning_log: list[dict[str, Any]] = field(default_factory=list)

    def themes_json(self) -> dict[str, Any]:
        """The content of ``themes.json``: both views."""
        return {"embedding": self.themes.to_dict(), "lda": self.topics.to_dict()}

    def summary(self, n_terms: int = 6) -> str:
        """A readable text summary of the themes of both views."""
        lines = [f"Embedding themes ({self.meta.get('embedding_model', '?')}):"]
        for t in self.themes:
            langs = ", ".join(f"{k} {v}" for k, v in t.languages.items())
            lines.append(f"  [{t.id}] {t.label}  ({t.size} passages: {langs})")
            for lang, terms in t.terms.items():
                if lang != "all":
                    lines.append(f"       {lang}: {', '.join(w for w, _ in terms[:n_terms])}")
        lines.append("LDA topics:")
        for t in self.topics:
            lines.append(f"  [{t.id}] {t.label}  ({t.size} passages)")
            lines.append(f"       {', '.join(t.top_words('all', n_terms))}")
        m = self.metrics
        lines.append(
            "Metrics: "
            + ", ".join(
                f"{view}.{k}={v:.3f}"
                for view in ("embedding", "lda")
                for k, v in m.get(view, {}).items()
                if isinstance(v, float) and np.isfinite(v)
            )
        )
        return "\n".join(lines)
