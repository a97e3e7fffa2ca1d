"""The theme tree and theme merging: which themes are close, and fewer, broader themes.

The tree is an average-linkage agglomerative clustering of the themes on the cosine
distance between their centroids in the embedding space (the clusterer's L2-normalised
cluster centres; the mean passage embedding when no model is given). Views without
centroids (the LDA topics) use each theme's term weights over every language instead.

:func:`merge_themes` and :func:`reduce_themes` return a new
:class:`~topiclab.themes.RunResult`; the one passed in is never changed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from topiclab.analysis import _groups
from topiclab.analysis._groups import AnalysisError
from topiclab.themes import Analysis

logger = logging.getLogger(__name__)

__all__ = ["merge_themes", "reduce_themes", "theme_tree", "theme_vectors", "tree_analysis"]


def theme_vectors(result: Any, model: Any = None, *, view: str = "embedding") -> tuple:
    """Return one vector per theme and how it was made.

    Returns
    -------
    vectors : ndarray of shape (n_themes, n_dims)
    basis : str
        ``"centroid"`` or ``"terms"``.
    """
    table = _view(result, view).table
    k = len(table)
    if view == "embedding" and model is not None:
        try:
            centers = np.asarray(model.clusterer.cluster_centers_, dtype=np.float64)
        except (AttributeError, KeyError):
            centers = None
        merged = _view(result, view).metrics.get("merged_from")
        if centers is not None and merged and len(merged) == k:
            sizes = {t.id: t.size for t in table}
            vectors = np.zeros((k, centers.shape[1]))
            for new, old in merged.items():
                w = np.array([max(sizes.get(int(new), 1), 1) for _ in old], dtype=np.float64)
                vectors[int(new)] = (centers[[int(o) for o in old]] * w[:, None]).mean(axis=0)
            return vectors, "centroid"
        if centers is not None and centers.shape[0] == k:
            return centers, "centroid"
    # term weights over every language, as a bag of terms
    vocab: dict[str, int] = {}
    entries = []
    for i, t in enumerate(table):
        for term, w in t.terms.get("all", []) or next(iter(t.terms.values()), []):
            entries.append((i, vocab.setdefault(term, len(vocab)), float(w)))
    vectors = np.zeros((k, max(len(vocab), 1)))
    for i, j, w in entries:
        vectors[i, j] += w
    return vectors, "terms"


def _view(result: Any, view: str) -> Any:
    if view not in result.views:
        raise AnalysisError(f"view={view!r}: this run has views {list(result.views)}")
    return result.views[view]


def _linkage(vectors: np.ndarray) -> np.ndarray:
    from scipy.cluster.hierarchy import linkage
    from scipy.spatial.distance import pdist

    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit = np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
    dist = np.clip(pdist(unit, metric="cosine"), 0.0, 2.0)
    dist = np.nan_to_num(dist, nan=1.0)
    return linkage(dist, method="average")


def theme_tree(result: Any, model: Any = None, *, view: str = "embedding") -> pd.DataFrame:
    """Return the merge tree of the themes, one row per merge, closest pair first.

    Parameters
    ----------
    result : RunResult
    model : ThemeModel, optional
        The fitted model; its cluster centres are the theme vectors of the embedding
        view (without it: the themes' term weights).
    view : str, default="embedding"

    Returns
    -------
    DataFrame
        ``node`` (new node id, numbered after the themes as in scipy), ``left``,
        ``right``, ``distance`` (cosine, average linkage), ``size`` (themes below),
        ``members`` (theme ids, comma-separated), ``label`` (labels of the two largest
        member themes) and ``basis`` (``centroid`` or ``terms``).
    """
    return tree_analysis(result, model, view=view).frame


def tree_analysis(result: Any, model: Any = None, *, view: str = "embedding") -> Analysis:
    """Return :func:`theme_tree` as an :class:`~topiclab.themes.Analysis` named ``theme_tree``."""
    table = _view(result, view).table
    k = len(table)
    columns = ["node", "left", "right", "distance", "size", "members", "label", "basis"]
    if k < 2:
        frame = pd.DataFrame(columns=columns)
        return Analysis("theme_tree", frame, {"view": view, "n_themes": k}, "Theme tree")
    vectors, basis = theme_vectors(result, model, view=view)
    z = _linkage(vectors)
    members: dict[int, list[int]] = {i: [i] for i in range(k)}
    sizes = {t.id: t.size for t in table}
    labels = {t.id: t.label for t in table}
    rows = []
    for n, (a, b, d, _c) in enumerate(z):
        node = k + n
        members[node] = members[int(a)] + members[int(b)]
        biggest = sorted(members[node], key=lambda i: -sizes.get(i, 0))[:2]
        rows.append(
            {
                "node": node,
                "left": int(a),
                "right": int(b),
                "distance": float(d),
                "size": len(members[node]),
                "members": ", ".join(str(i) for i in sorted(members[node])),
                "label": " + ".join(labels.get(i, str(i)) for i in biggest),
                "basis": basis,
            }
        )
    info = {
        "view": view,
        "n_themes": k,
        "basis": basis,
        "linkage": "average linkage on cosine distance between "
        + ("theme centroids (embedding space)" if basis == "centroid" else "theme term weights"),
    }
    return Analysis("theme_tree", pd.DataFrame(rows, columns=columns), info, "Theme tree")


def reduce_themes(result: Any, n_themes: int, model: Any = None, *, view: str = "embedding") -> Any:
    """Return a new result with the themes merged along the tree down to ``n_themes``.

    Parameters
    ----------
    result : RunResult
    n_themes : int
        Themes to keep (1 <= n_themes <= current number).
    model : ThemeModel, optional
        Gives the centroids the tree is built on (see :func:`theme_tree`).
    view : str, default="embedding"

    Returns
    -------
    RunResult
        See :func:`merge_themes`.
    """
    table = _view(result, view).table
    k = len(table)
    if isinstance(n_themes, bool) or not isinstance(n_themes, int | np.integer):
        raise AnalysisError(f"n_themes must be an integer, got {n_themes!r}")
    if not 1 <= n_themes <= k:
        raise AnalysisError(
            f"n_themes must be between 1 and {k} (the current themes), got {n_themes}"
        )
    if n_themes == k or k < 2:
        return merge_themes(result, [], view=view, model=model)
    vectors, _basis = theme_vectors(result, model, view=view)
    z = _linkage(vectors)
    # apply the first k - n merges of the tree: exactly n groups, ties included
    members: dict[int, list[int]] = {i: [t.id] for i, t in enumerate(table)}
    for step, (a, b, _d, _c) in enumerate(z[: k - int(n_themes)]):
        members[k + step] = members.pop(int(a)) + members.pop(int(b))
    groups = {i: sorted(m) for i, m in members.items()}
    return merge_themes(result, [g for g in groups.values() if len(g) > 1], view=view, model=model)


def merge_themes(
    result: Any,
    groups: Sequence[Sequence[int]],
    *,
    view: str = "embedding",
    top_n: int | None = None,
    model: Any = None,
) -> Any:
    """Return a new result in which each group of themes is one theme.

    Passage assignments and labels, document mixtures (the members' weights summed),
    each document's main theme, the theme table (size, languages, terms per language by
    c-TF-IDF on the merged assignments, label, representative passages) and the derived
    tables of that view are recomputed. Themes are renumbered ``0..K'-1`` in the order of
    their smallest former id; the view's metrics record ``merged_from`` (new id -> former
    ids). Coherence scores of merged themes are left out (they were scored on the former
    themes). The result passed in is not changed.

    Parameters
    ----------
    result : RunResult
    groups : sequence of sequence of int
        Theme ids to merge, e.g. ``[[0, 3], [1, 4, 5]]``; a theme may appear once.
    view : str, default="embedding"
    top_n : int, optional
        Terms per theme and language (default: the run's ``top_n_terms``).
    model : ThemeModel, optional
        The fitted model: its vectoriser (phrases, vocabulary) counts the passages and
        the terms are picked as in the fit; without it, plain tokens are counted.

    Returns
    -------
    RunResult

    Raises
    ------
    AnalysisError
        For an unknown theme id, a theme in two groups, or a group of fewer than one.
    """
    from topiclab.models._ctfidf import class_tfidf
    from topiclab.themes import Theme, ThemeTable

    v = _view(result, view)
    ids = [t.id for t in v.table]
    known = set(ids)
    seen: set[int] = set()
    for g in groups:
        if len(g) < 1:
            raise AnalysisError("merge_themes: an empty group")
        for t in g:
            if isinstance(t, bool) or not isinstance(t, int | np.integer) or int(t) not in known:
                raise AnalysisError(f"merge_themes: unknown theme {t!r} (themes: {ids})")
            if int(t) in seen:
                raise AnalysisError(f"merge_themes: theme {t} is in two groups")
            seen.add(int(t))
    root = {t: t for t in ids}
    for g in groups:
        head = min(int(t) for t in g)
        for t in g:
            root[int(t)] = head
    heads = sorted(set(root.values()))
    new_id = {h: i for i, h in enumerate(heads)}
    mapping = {t: new_id[root[t]] for t in ids}
    members: dict[int, list[int]] = {i: [] for i in range(len(heads))}
    for t in ids:
        members[mapping[t]].append(t)

    passages = result.passages.copy()
    column = v.column or "theme"
    old = passages[column].to_numpy() if column in passages else np.full(len(passages), -1)
    new = np.array([mapping.get(int(t), -1) if t >= 0 else -1 for t in old], dtype=int)
    if column in passages:
        passages[column] = new
    mixture = v.mixture
    merged = pd.DataFrame(
        {i: mixture[[t for t in members[i] if t in mixture.columns]].sum(axis=1) for i in members},
        index=mixture.index,
    )
    merged.index.name = mixture.index.name
    documents = result.documents.copy()
    if column in documents and len(merged):
        main = pd.Series(merged.to_numpy().argmax(axis=1), index=merged.index)
        documents[column] = documents["doc_id"].map(main).fillna(-1).astype(int)

    top_n = int(top_n or result.config.get("top_n_terms", 10))
    counts, names = _passage_counts(passages, model)
    langs = passages["lang"].astype(str).to_numpy() if "lang" in passages else None
    from topiclab.themes.terms import embedding_theme_terms, select_terms

    k2 = len(heads)
    if view == "embedding":  # described as the fitted themes are
        scores, picked = embedding_theme_terms(
            counts,
            new,
            k2,
            langs if langs is not None else ["und"] * len(new),
            passages["doc_id"].astype(str).tolist() if "doc_id" in passages else None,
            topn=top_n,
        )
    else:
        scores = {"all": class_tfidf(counts, new, n_classes=k2)}
        picked = {"all": select_terms(scores["all"], counts, topn=top_n)}
    if langs is not None and view != "embedding":  # the embedding view's came with "all"
        for lang in sorted(set(langs)):
            rows = np.flatnonzero(langs == lang)
            scores[lang] = class_tfidf(counts[rows], new[rows], n_classes=k2)
            picked[lang] = select_terms(scores[lang], counts[rows], topn=top_n)
    old_themes = {t.id: t for t in v.table}
    from topiclab.themes.characteristic import (
        CONTRAST_Z,
        MIN_CONTRAST,
        characteristic_scores,
        contrast,
    )
    from topiclab.themes.tables import doc_titles, theme_labels

    titles = doc_titles(result.documents)
    show = getattr(getattr(model, "vectorizer", None), "display_names", None)

    def _char(rows: np.ndarray | None = None) -> np.ndarray:  # as the fitted labels score
        c = characteristic_scores(counts, new, k2, rows=rows)
        ratio = contrast(counts, new, k2, rows=rows, z=CONTRAST_Z)
        c[ratio < MIN_CONTRAST] = 0.0
        return c

    char = {"all": _char()}
    if langs is not None:
        for lg in sorted(set(langs)):
            char[lg] = _char(np.flatnonzero(langs == lg))
    column = {str(w): j for j, w in enumerate(names)}
    themes = []
    for i in range(k2):
        parts = [old_themes[t] for t in members[i]]
        if len(parts) == 1:
            only = parts[0]
            themes.append(
                Theme(
                    i,
                    only.label,
                    only.size,
                    only.terms,
                    only.languages,
                    list(only.representative),
                    dict(only.coherence),
                    labels=dict(only.labels),
                    display=dict(only.display),
                )
            )
            continue
        langs_count: dict[str, int] = {}
        for p in parts:
            for lg, c in p.languages.items():
                langs_count[lg] = langs_count.get(lg, 0) + int(c)
        terms = {"all": _terms(scores["all"][i], picked["all"][i], names)}
        for lg in sorted(langs_count):
            if lg in scores:
                terms[lg] = _terms(scores[lg][i], picked[lg][i], names)
        ranked = sorted(
            (r for p in parts for r in p.representative),
            key=lambda r: -float(r.get("score", 0.0) or 0.0),
        )
        reps = ranked[: max(len(p.representative) for p in parts)]
        # labelled as in the fit: headline spans of the typical passages, else keywords
        rank = {
            lg: {w: float(char[lg][i, column[w]]) for w, _ in lst if w in column}
            for lg, lst in terms.items()
            if lg in char
        }
        label, labels = theme_labels(
            terms,
            langs_count,
            typical=ranked,
            titles=titles,
            display=show if callable(show) else None,
            rank=rank,
        )
        themes.append(
            Theme(
                i,
                label,
                int(sum(p.size for p in parts)),
                terms,
                langs_count,
                reps,
                {},
                labels=labels,
                display={w: d for w, d in _shown(terms, show).items() if d != w},
            )
        )
    if v.label_column and v.label_column in passages:
        labels = {t.id: t.label for t in themes}
        passages[v.label_column] = [labels.get(int(t), "(unassigned)") for t in new]
    views = dict(result.views)
    metrics = {k: val for k, val in v.metrics.items() if k not in ("npmi", "c_v")}
    previous = v.metrics.get("merged_from")  # a result merged before: map to fitted ids
    metrics["merged_from"] = {
        str(i): sorted(int(f) for t in members[i] for f in (previous[str(t)] if previous else [t]))
        for i in range(k2)
    }
    metrics["n_themes"] = k2
    from topiclab.themes import View

    views[view] = View(
        name=v.name,
        table=ThemeTable(v.table.view, themes),
        mixture=merged,
        metrics=metrics,
        column=v.column,
        label_column=v.label_column,
        title=v.title,
    )
    out = result.replace(views=views, passages=passages, documents=documents, analyses={})
    from topiclab.analysis.attach import refresh_analyses

    return refresh_analyses(out, result.analyses, view=view)


def _shown(terms: dict[str, list], show: Any) -> dict[str, str]:
    """Map stored terms to their written forms (the model's display names if any)."""
    from topiclab.features.tokenize import display_term

    words = sorted({w for lst in terms.values() for w, _ in lst})
    shown = show(words) if callable(show) else [display_term(w) for w in words]
    return dict(zip(words, shown, strict=True))


def _terms(row: np.ndarray, columns: Sequence[int], names: Sequence[str]) -> list:
    return [(str(names[j]), float(row[j])) for j in columns if row[j] > 0]


def _passage_counts(passages: pd.DataFrame, model: Any) -> tuple[Any, list[str]]:
    """Passage-term counts: with the model's vectoriser, else from plain tokens."""
    import scipy.sparse as sp

    texts = passages["text"].astype(str).tolist()
    langs = passages["lang"].astype(str).tolist() if "lang" in passages else None
    if model is not None:
        try:
            vec = model.vectorizer
            counts = vec.count_tokens(vec.tokenize_documents(texts, langs))
            return sp.csr_matrix(counts), [str(n) for n in vec.get_feature_names_out()]
        except (AttributeError, KeyError) as exc:
            logger.info("counting plain tokens (%s)", exc)
    # looked up at call time, so a stand-in tokeniser is seen here too
    return _groups.token_counts(_groups.passage_tokens(passages))


def merged_membership(membership: np.ndarray, merged_from: dict[str, Any] | None) -> np.ndarray:
    """Sum the columns of memberships in the fitted themes into the merged themes.

    Parameters
    ----------
    membership : ndarray of shape (n_texts, n_fitted_themes)
    merged_from : dict or None
        ``view.metrics["merged_from"]``: new theme id (str) -> fitted theme ids. None
        returns ``membership`` unchanged.

    Returns
    -------
    ndarray of shape (n_texts, n_merged_themes)
    """
    if not merged_from:
        return membership
    m = np.asarray(membership)
    out = np.zeros((m.shape[0], len(merged_from)), dtype=m.dtype)
    for new, old in merged_from.items():
        out[:, int(new)] = m[:, [int(o) for o in old]].sum(axis=1)
    return out
