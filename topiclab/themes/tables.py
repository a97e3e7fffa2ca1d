"""Theme tables from model outputs: terms per language, labels, representative passages.

:func:`build_theme_table` turns the outputs of a model (labels, term weights over the
vocabulary, a centrality score per passage) into a :class:`~topiclab.themes.ThemeTable`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from topiclab.features.tokenize import display_term
from topiclab.themes.labels import make_title
from topiclab.themes.result import Theme, ThemeTable

__all__ = ["build_theme_table", "make_label"]


def make_label(
    terms: dict[str, list[tuple[str, float]]],
    k: int = 3,
    display: Callable[[list[str]], list[str]] | None = None,
) -> str:
    """Make a short title from a theme's best terms (see :mod:`topiclab.themes.labels`).

    English terms are used when the theme has any (labels are read by people who
    read the report's language); otherwise the terms over all languages.

    Examples
    --------
    >>> make_label({"all": [("battery", 0.9), ("energy_storage", 0.8), ("grid", 0.5)]})
    'Energy storage, battery and grid'
    """
    lang = "en" if terms.get("en") else "all"
    pool = terms.get(lang) or next(iter(terms.values()), [])
    words = [t for t, _ in pool[: max(3 * k, 10)]]
    if not words:
        return "(empty)"
    shown = (display or _default_display)(words)
    return make_title(shown, lang=_script_lang(shown, lang), max_items=k) or "(empty)"


def _default_display(terms: list[str]) -> list[str]:
    return [display_term(t) for t in terms]


_ARABIC = re.compile(r"[\u0600-\u06ff]")
_HAN = re.compile(r"[\u3400-\u9fff]")


def _script_lang(words: Sequence[str], lang: str) -> str:
    """Return the language whose joining rules fit ``words`` (script of the first)."""
    if lang in ("ar", "zh", "en"):
        return lang
    first = words[0] if words else ""
    if _ARABIC.search(first):
        return "ar"
    if _HAN.search(first):
        return "zh"
    return "en"


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
    display: Callable[[list[str]], list[str]] | None = None,
    mix_languages: bool = True,
    membership: np.ndarray | None = None,
    evidence: np.ndarray | None = None,
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
        Languages without a selection use the ``top_n`` highest weights. Terms are
        listed by weight, so a list's order and its weights always agree.
    display : callable, optional
        Turns stored terms into their written form (e.g.
        :meth:`~topiclab.features.vectorize.TextVectorizer.display_names`); default:
        phrase parts joined by spaces.
    mix_languages : bool, default=True
        For a theme with passages in several languages and per-language weights, build its
        ``"all"`` list from the per-language lists in proportion to the languages' shares
        of its passages: each term weighs its weight relative to the best term of its
        language, times that language's share. A theme of 11 English and 4 Arabic passages
        is then described mostly in English.
    membership : ndarray of shape (n_passages, n_themes), optional
        Each passage's share of every theme (an LDA topic mixture). When given, a theme's
        representative passages are those with the highest share of it, whichever theme
        they were assigned to, and each carries its ``share``; ``scores`` is not used.
    evidence : ndarray of shape (n_passages,), optional
        With ``membership``: how much each passage's share can be trusted, in [0, 1] (e.g.
        its counted words over 20: a three-word title line gets a share near 1 from
        almost nothing). Passages are ranked by share times evidence; the share shown is
        the share itself.
    """
    labels = np.asarray(labels)
    k = int(n_themes if n_themes is not None else (labels.max() + 1 if labels.size else 0))
    names = np.asarray(feature_names, dtype=object)
    langs = passages["lang"].fillna("und").astype(str).to_numpy()
    show = display or _default_display
    themes = []
    for t in range(k):
        members = np.flatnonzero(labels == t)
        lang_counts = pd.Series(langs[members]).value_counts()
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
            picked.sort(key=lambda p: -p[1])  # the order shown is the order of the weights
            if picked:
                terms[lang] = picked
        per_lang = [c for c in lang_counts.index if c in terms and c != "all"]
        if mix_languages and len(per_lang) > 1:
            terms["all"] = _mixed_terms(terms, lang_counts, per_lang, top_n)
        all_terms = {w for lst in terms.values() for w, _ in lst}
        shown = dict(zip(sorted(all_terms), show(sorted(all_terms)), strict=True))
        theme_labels = _labels(terms, shown, per_lang or [c for c in lang_counts.index])
        if membership is not None:
            share = np.asarray(membership, dtype=float)[:, t]
            rank = share if evidence is None else share * np.asarray(evidence, dtype=float)
            representative = _by_share(passages, share, n_representative, rank)
        else:
            representative = _representative(passages, members, scores, n_representative)
        main = theme_labels.get("en") or (theme_labels.get(per_lang[0]) if per_lang else None)
        themes.append(
            Theme(
                id=t,
                label=main or make_label(terms, display=show),
                size=len(members),
                terms=terms,
                languages={str(a): int(b) for a, b in lang_counts.items()},
                representative=representative,
                labels=theme_labels if len(theme_labels) > 1 else {},
                display={w: d for w, d in shown.items() if d != w},
            )
        )
    return ThemeTable(view=view, themes=themes)


def _mixed_terms(
    terms: dict[str, list[tuple[str, float]]],
    lang_counts: pd.Series,
    langs: list[str],
    top_n: int,
) -> list[tuple[str, float]]:
    """Merge per-language term lists in proportion to the languages' passage shares."""
    total = float(sum(int(lang_counts[c]) for c in langs))
    pooled: dict[str, float] = {}
    for lang in langs:
        lst = terms[lang]
        best = max(w for _, w in lst) or 1.0
        share = int(lang_counts[lang]) / total
        for word, w in lst:
            pooled[word] = max(pooled.get(word, 0.0), share * w / best)
    ranked = sorted(pooled.items(), key=lambda p: (-p[1], p[0]))
    return ranked[:top_n]


def _labels(
    terms: dict[str, list[tuple[str, float]]], shown: dict[str, str], langs: Sequence[str]
) -> dict[str, str]:
    """Return a title per language the theme has passages in (from its terms)."""
    out: dict[str, str] = {}
    for lang in langs:
        lst = terms.get(lang) or (terms.get("all") if len(langs) == 1 else None)
        if not lst:
            continue
        words = [shown[w] for w, _ in lst[:10]]
        title = make_title(words, lang=_script_lang(words, lang))
        if title:
            out[str(lang)] = title
    return out


def _by_share(
    passages: pd.DataFrame, share: np.ndarray, n: int, rank: np.ndarray | None = None
) -> list[dict[str, Any]]:
    """Return the ``n`` passages ranked highest for a topic (``rank``), with their share."""
    if n <= 0:
        return []
    order = np.argsort(-(share if rank is None else rank), kind="stable")[:n]
    out = []
    for i in order:
        if share[i] <= 0:
            break
        row = passages.iloc[int(i)]
        out.append(
            {
                "passage_id": str(row["passage_id"]),
                "doc_id": str(row["doc_id"]),
                "lang": str(row["lang"]),
                "text": str(row["text"]),
                "score": float(share[i]),
                "share": float(share[i]),
            }
        )
    return out


def _representative(
    passages: pd.DataFrame, members: np.ndarray, scores: np.ndarray | None, n: int
) -> list[dict[str, Any]]:
    """Return the ``n`` most central members, with at least one per language present."""
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
