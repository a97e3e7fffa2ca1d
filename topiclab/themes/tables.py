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
from topiclab.themes.characteristic import SIZE_PRIOR
from topiclab.themes.headlines import make_headline
from topiclab.themes.labels import _is_filler, _join, make_title, title_items
from topiclab.themes.result import Theme, ThemeTable

__all__ = ["build_theme_table", "doc_titles", "make_label", "theme_labels"]


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
    titles: dict[str, str] | None = None,
    counts: Any | None = None,
    label_words: str = "characteristic",
    min_weight_share: float = 0.0,
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
        class-based TF-IDF or :func:`~topiclab.themes.terms.coverage_weights` per language,
        or LDA topic-word probabilities under ``"all"``.
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
    titles : dict, optional
        Document id -> headline. Labels are then taken, where they can be, from the
        headlines of the theme's most typical documents and the sentences of its most
        central passages (:func:`topiclab.themes.headlines.make_headline`); otherwise, and
        always as the fallback, from the keywords alone.
    counts : sparse matrix of shape (n_passages, n_terms), optional
        The passages' term counts. When given, a label leads with the keyword that best
        characterises its theme (used by most of its passages and by few others,
        :func:`topiclab.themes.characteristic.characteristic_scores`) rather than the
        heaviest one; the keyword list keeps the weight order.
    label_words : {"characteristic", "shown"}, default="characteristic"
        Which words a label may use. ``"characteristic"``: the theme's keywords and, in a
        theme of at least ``SIZE_PRIOR`` passages, its best-scored words of the whole
        vocabulary. ``"shown"``: only the keyword list the figures draw as bars (the
        ``"all"`` list for a theme in one language), so a title never names a word its
        bars do not show (used for LDA topics, whose bars are the topic-word
        probabilities).
    min_weight_share : float, default=0.0
        A language's list keeps only terms weighing at least this share of the theme's
        best ``"all"`` weight. For weights on one scale (LDA's topic-word probabilities),
        e.g. 0.01 drops the words that hold no more than the prior's smoothing weight: a
        topic with one passage in a language (often misdetected) gets no list of such
        words in that language.
    """
    if label_words not in ("characteristic", "shown"):
        raise ValueError(f"label_words must be 'characteristic' or 'shown', not {label_words!r}")
    labels = np.asarray(labels)
    k = int(n_themes if n_themes is not None else (labels.max() + 1 if labels.size else 0))
    names = np.asarray(feature_names, dtype=object)
    langs = passages["lang"].fillna("und").astype(str).to_numpy()
    show = display or _default_display
    char = _characteristic(counts, labels, k, langs, term_scores) if counts is not None else {}
    column = {str(w): j for j, w in enumerate(names)} if char else {}
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
            floor = 0.0
            if min_weight_share > 0 and lang != "all" and "all" in term_scores:
                floor = min_weight_share * float(np.max(term_scores["all"][t], initial=0.0))
            picked = [(str(names[j]), float(row[j])) for j in order if row[j] > max(floor, 0)]
            picked.sort(key=lambda p: -p[1])  # the order shown is the order of the weights
            if picked:
                terms[lang] = picked
        per_lang = [c for c in lang_counts.index if c in terms and c != "all"]
        if mix_languages and len(per_lang) > 1:
            terms["all"] = _mixed_terms(terms, lang_counts, per_lang, top_n)
        all_terms = {w for lst in terms.values() for w, _ in lst}
        shown = dict(zip(sorted(all_terms), show(sorted(all_terms)), strict=True))
        if membership is not None:
            share = np.asarray(membership, dtype=float)[:, t]
            rank = share if evidence is None else share * np.asarray(evidence, dtype=float)
            representative = _by_share(passages, share, n_representative, rank)
            typical = [int(i) for i in np.argsort(-rank, kind="stable")[:N_TYPICAL] if share[i] > 0]
        else:
            representative = _representative(passages, members, scores, n_representative)
            s_ = np.zeros(members.size) if scores is None else np.asarray(scores)[members]
            typical = [int(i) for i in members[np.argsort(-s_, kind="stable")][:N_TYPICAL]]
        texts = _typical_texts(passages, typical, titles) if titles is not None else None
        for rep in representative if titles else []:  # name each passage's article
            if titles.get(rep["doc_id"]):
                rep["title"] = titles[rep["doc_id"]]
        rank: dict[str, dict[str, float]] = {}
        for lang, lst in terms.items():
            if lang not in char:
                continue
            row = char[lang][t]
            rank[lang] = {w: float(row[column[w]]) for w, _ in lst if w in column}
            n_lang = members.size if lang == "all" else int(np.sum(langs[members] == lang))
            if n_lang < SIZE_PRIOR or label_words == "shown":  # only the listed keywords
                continue
            extra = 0
            for j in np.argsort(-row, kind="stable")[: 4 * N_CHARACTERISTIC]:
                if extra >= N_CHARACTERISTIC or row[j] <= 0:
                    break
                if str(names[j]).count("_") < MAX_EXTRA_WORDS and str(names[j]) not in rank[lang]:
                    rank[lang][str(names[j])] = float(row[j])
                    extra += 1
        extra = sorted({w for r in rank.values() for w in r} - set(shown))
        shown.update(zip(extra, show(extra), strict=True))
        label_terms, n_words = terms, 10
        if label_words == "shown" and len(per_lang) <= 1 and terms.get("all"):
            # one language: the title comes from the list the bars draw
            label_terms = {c: terms["all"] for c in (per_lang or ["all"])}
            label_terms["all"] = terms["all"]
            rank = {c: rank["all"] for c in label_terms if "all" in rank}
            n_words = N_SHOWN
        lang_sizes = {str(c): int(v) for c, v in lang_counts.items()}
        theme_labels = _labels(
            label_terms,
            shown,
            per_lang or [c for c in lang_counts.index],
            texts,
            rank,
            n_words=n_words,
            sizes=lang_sizes,
        )
        if label_words == "shown" and len(per_lang) > 1 and terms.get("all"):
            _title_from_bars(theme_labels, terms["all"], shown, rank.get("all"), texts, lang_sizes)
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


def _title_from_bars(
    theme_labels: dict[str, str],
    bars: list[tuple[str, float]],
    shown: dict[str, str],
    rank: dict[str, float] | None,
    texts: dict[str, tuple[list[str], list[str]]] | None,
    sizes: dict[str, int],
) -> None:
    """Title a topic of several languages, in its bars' main script, from the bars' words.

    The topic-word figure draws the ``"all"`` list and titles the panel with the label in
    the script most of those words are written in; a label made from one language's own
    list could name words the bars do not show. The label of the script most bar words are
    written in (Latin: English) is made again from the bars' words of that script (a headline of the
    topic's passages may still stand in for it, as for any title).
    """
    words = [w for w, _ in bars[:N_SHOWN]]
    scripts = [_script_lang([shown[w]], "all") for w in words]
    script = max(scripts, key=lambda c: (scripts.count(c), c == "en"))  # as the figure
    same = [w for w, c in zip(words, scripts, strict=True) if c == script]
    if script not in theme_labels or not same:
        return
    kept = {w: rank[w] for w in same if w in rank} if rank else None
    title = _labels(
        {script: [(w, 1.0) for w in same]},
        shown,
        [script],
        texts,
        {script: kept} if kept else None,
        n_words=len(same),
        sizes={script: sizes.get(script, 0)},
    ).get(script)
    if title:
        theme_labels[script] = title


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


#: Bars per topic in the topic-word figures: a title from the shown words uses only these.
N_SHOWN = 8
#: Passages (and their documents' headlines) a headline-like label is looked for in.
N_TYPICAL = 5
#: The most characteristic words of a theme that are label candidates beside its keywords
#: (in a theme of at least ``SIZE_PRIOR`` passages in the label's language).
N_CHARACTERISTIC = 5
#: Those words are single words or phrases of at most this many words (a longer phrase
#: found by its repetitions is often a quoted sentence, not a name for the theme).
MAX_EXTRA_WORDS = 2


def doc_titles(documents: pd.DataFrame | None) -> dict[str, str]:
    """Return document id -> headline for the documents that have one."""
    if documents is None or not {"doc_id", "title"} <= set(documents.columns):
        return {}
    out = {}
    for doc, title in zip(documents["doc_id"], documents["title"], strict=True):
        if isinstance(title, str) and title.strip():
            out[str(doc)] = " ".join(title.split())
    return out


def _typical_texts(
    passages: pd.DataFrame, typical: list[int], titles: dict[str, str]
) -> dict[str, tuple[list[str], list[str]]]:
    """Language -> (headlines of the typical documents, typical passage texts)."""
    out: dict[str, tuple[list[str], list[str]]] = {}
    for i in typical:
        row = passages.iloc[i]
        lang = str(row["lang"]) if isinstance(row["lang"], str) else "und"
        heads, texts = out.setdefault(lang, ([], []))
        title = titles.get(str(row["doc_id"]))
        if title and title not in heads:
            heads.append(title)
        texts.append(str(row["text"])[:1000])
    return out


def theme_labels(
    terms: dict[str, list[tuple[str, float]]],
    languages: dict[str, int],
    *,
    typical: Sequence[dict[str, Any]] = (),
    titles: dict[str, str] | None = None,
    display: Callable[[list[str]], list[str]] | None = None,
    rank: dict[str, dict[str, float]] | None = None,
) -> tuple[str, dict[str, str]]:
    """Label one theme as :func:`build_theme_table` does: headline spans, else keywords.

    For themes made outside a fit (e.g. merged by
    :func:`topiclab.analysis.hierarchy.merge_themes`).

    Parameters
    ----------
    terms : dict
        Language code (and ``"all"``) -> ``(term, weight)`` best first, stored forms.
    languages : dict
        Passages per language in the theme.
    typical : sequence of dict
        The theme's most typical passages, most typical first (``doc_id``, ``lang``,
        ``text``), e.g. its representative passages.
    titles : dict, optional
        Document id -> headline.
    display : callable, optional
        Stored terms -> written forms.
    rank : dict, optional
        Language -> term -> how well it characterises the theme
        (:func:`topiclab.themes.characteristic.characteristic_scores`).

    Returns
    -------
    label, labels : str, dict
        The main label and the label per language (empty for a single language).
    """
    show = display or _default_display
    lang_counts = pd.Series(dict(languages), dtype=int).sort_values(ascending=False, kind="stable")
    all_terms = sorted({w for lst in terms.values() for w, _ in lst})
    shown = dict(zip(all_terms, show(all_terms), strict=True))
    per_lang = [c for c in lang_counts.index if c in terms and c != "all"]
    texts = None
    if titles is not None:
        texts = {}
        for row in list(typical)[:N_TYPICAL]:
            lang = str(row.get("lang") or "und")
            heads, bodies = texts.setdefault(lang, ([], []))
            title = titles.get(str(row.get("doc_id")))
            if title and title not in heads:
                heads.append(title)
            bodies.append(str(row.get("text", ""))[:1000])
    labels = _labels(terms, shown, per_lang or list(lang_counts.index), texts, rank)
    main = labels.get("en") or (labels.get(per_lang[0]) if per_lang else None)
    return main or make_label(terms, display=show), (labels if len(labels) > 1 else {})


def _characteristic(
    counts: Any,
    labels: np.ndarray,
    k: int,
    langs: np.ndarray,
    term_scores: dict[str, np.ndarray],
    groups: Sequence[str] | None = None,
) -> dict[str, np.ndarray]:
    """Language -> label scores of every term per theme (that language's passages only)."""
    from topiclab.themes.characteristic import label_scores

    out = {}
    for lang, weights in term_scores.items():
        rows = None if lang == "all" else np.flatnonzero(langs == lang)
        if rows is None or rows.size:
            out[lang] = label_scores(counts, labels, k, weights, rows=rows, groups=groups)
    return out


def _labels(
    terms: dict[str, list[tuple[str, float]]],
    shown: dict[str, str],
    langs: Sequence[str],
    texts: dict[str, tuple[list[str], list[str]]] | None = None,
    rank: dict[str, dict[str, float]] | None = None,
    n_words: int = 10,
    sizes: dict[str, int] | None = None,
) -> dict[str, str]:
    """Return a title per language the theme has passages in (headline, else terms).

    ``sizes`` (passages per language): in a language with at least ``SIZE_PRIOR``
    passages, titles hold no phrase of more than ``MAX_EXTRA_WORDS`` words.
    """
    out: dict[str, str] = {}
    for lang in langs:
        key = lang if terms.get(lang) else "all"
        lst = terms.get(lang) or (terms.get("all") if len(langs) == 1 else None)
        if not lst:
            continue
        stored = [w for w, _ in lst[:n_words]]
        scores = None
        if rank and key in rank:  # the theme's most characteristic words are candidates too
            stored += [w for w in rank[key] if w not in stored]
            scores = [rank[key].get(w, 0.0) for w in stored]
        words = [shown[w] for w in stored]
        script = _script_lang(words, lang)
        title = ""
        n_lang = sum(sizes.values()) if sizes and lang == "all" else (sizes or {}).get(lang, 0)
        long_ok = n_lang < SIZE_PRIOR or rank is None
        anchors = title_items(
            words, lang=script, scores=scores, max_words=None if long_ok else MAX_EXTRA_WORDS
        )
        if texts:
            heads, bodies = texts.get(str(lang), ([], []))
            if heads or bodies:
                kept = [
                    w
                    for i, w in enumerate(words)
                    if w in anchors
                    or not (_is_filler(w, script) or (scores is not None and scores[i] <= 0))
                ]
                title = make_headline(kept, heads, bodies, lang=script, anchors=anchors)
        title = title or _join(anchors, script)
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
    """Return the ``n`` most central members, with at least one per language present.

    ``"und"`` (no language found: a date, a number, a line too short to tell) is not a
    language to show: its passages come in by their centrality alone.
    """
    if n <= 0 or members.size == 0:
        return []
    s = np.zeros(members.size) if scores is None else np.asarray(scores, dtype=float)[members]
    order = members[np.argsort(-s, kind="stable")]
    langs = passages["lang"].fillna("und").astype(str).to_numpy()
    chosen: list[int] = []
    for lang in dict.fromkeys(langs[order]):  # languages by best member
        if lang == "und":
            continue
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
