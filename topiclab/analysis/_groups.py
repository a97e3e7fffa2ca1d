"""Theme shares and distinguishing terms per group of documents (a period, a source, ...)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from topiclab.errors import AnalysisError

logger = logging.getLogger(__name__)

__all__ = ["AnalysisError", "group_shares", "passage_tokens"]

#: Columns of a group-share table, in order.
COLUMNS = (
    "group",
    "theme",
    "label",
    "n_documents",
    "count",
    "share",
    "overall_share",
    "lift",
    "terms",
)


def token_counts(tokens: list[list[str]]) -> tuple[Any, list[str]]:
    """Count plain tokens per row, the vocabulary numbered in order of first appearance.

    Parameters
    ----------
    tokens : list of list of str
        Tokens of each row (passage).

    Returns
    -------
    counts : sparse matrix of shape (n_rows, n_terms)
        Token counts (at least one column, so an empty corpus still has a shape).
    names : list of str
        The term of each column.
    """
    import scipy.sparse as sp

    vocab: dict[str, int] = {}
    rows_idx, cols_idx = [], []
    for i, toks in enumerate(tokens):
        for t in toks:
            rows_idx.append(i)
            cols_idx.append(vocab.setdefault(t, len(vocab)))
    counts = sp.csr_matrix(
        (np.ones(len(rows_idx)), (rows_idx, cols_idx)), shape=(len(tokens), max(len(vocab), 1))
    )
    names = [""] * max(len(vocab), 1)
    for t, j in vocab.items():
        names[j] = t
    return counts, names


def passage_tokens(passages: pd.DataFrame) -> list[list[str]]:
    """Tokenise every passage with the language-aware tokenizer of the vectoriser.

    Parameters
    ----------
    passages : DataFrame
        With ``text`` and ``lang`` columns.

    Returns
    -------
    list of list of str
    """
    from topiclab.features.tokenize import tokenize

    langs = passages["lang"] if "lang" in passages else ["en"] * len(passages)
    return [tokenize(str(t), str(lg)) for t, lg in zip(passages["text"], langs, strict=True)]


def group_shares(
    result: Any,
    groups: pd.Series,
    *,
    view: str = "embedding",
    top_n: int = 8,
    tokens: Sequence[Sequence[str]] | None = None,
    order: Sequence[Any] | None = None,
) -> pd.DataFrame:
    """Theme shares and c-TF-IDF terms within each group of documents.

    The share of theme ``k`` in group ``g`` is the mean of the documents' mixture weight
    of ``k`` over the documents of ``g`` (a group's shares sum to 1); ``count`` is the
    number of those documents whose main theme is ``k``; ``lift`` is the share divided by
    the theme's share over every grouped document. ``terms`` are the theme's best terms
    among the passages of the group, by class-based TF-IDF computed within the group
    (the themes of the group are the classes), so a theme's vocabulary can be compared
    across groups.

    Parameters
    ----------
    result : RunResult
    groups : Series
        Group of each document, indexed by ``doc_id``; missing values leave the document
        out.
    view : str, default="embedding"
    top_n : int, default=8
        Terms kept per theme and group.
    tokens : list of list of str, optional
        Tokens of each passage (default: tokenised here).
    order : sequence, optional
        Order of the groups in the table (default: sorted).

    Returns
    -------
    DataFrame
        One row per (group, theme): the columns of :data:`COLUMNS`.
    """
    from topiclab.models._ctfidf import class_tfidf, top_terms

    if view not in result.views:
        raise AnalysisError(f"view={view!r}: this run has views {list(result.views)}")
    v = result.views[view]
    mixture = v.mixture
    labels = {t.id: t.label for t in v.table}
    groups = groups.dropna()
    groups = groups[groups.index.isin(mixture.index)]
    if groups.empty:
        return pd.DataFrame(columns=list(COLUMNS))
    mix = mixture.loc[groups.index]
    theme_ids = [int(c) for c in mix.columns]
    weights = mix.to_numpy(dtype=np.float64)
    main = np.asarray(theme_ids)[weights.argmax(axis=1)]
    overall = weights.mean(axis=0)
    keys = list(order) if order is not None else sorted(groups.unique(), key=str)

    passages = result.passages
    pass_groups = passages["doc_id"].map(groups)
    column = v.column or "theme"
    pass_theme = passages[column].to_numpy() if column in passages else np.full(len(passages), -1)
    if tokens is None:
        tokens = passage_tokens(passages)
    counts, names = token_counts(tokens)
    position = {k: j for j, k in enumerate(theme_ids)}
    group_values = groups.to_numpy()
    rows = []
    for g in keys:
        in_g = group_values == g
        n_docs = int(in_g.sum())
        if n_docs == 0:
            continue
        share = weights[in_g].mean(axis=0)
        sel = np.flatnonzero((pass_groups == g).to_numpy() & (pass_theme >= 0))
        scores = None
        if sel.size:
            labs = np.array([position.get(int(k), -1) for k in pass_theme[sel]])
            scores = class_tfidf(counts[sel], labs, n_classes=len(theme_ids))
        for j, k in enumerate(theme_ids):
            terms = top_terms(scores[j], names, k=top_n) if scores is not None else []
            rows.append(
                {
                    "group": g,
                    "theme": int(k),
                    "label": labels.get(int(k), str(k)),
                    "n_documents": n_docs,
                    "count": int((main[in_g] == k).sum()),
                    "share": float(share[j]),
                    "overall_share": float(overall[j]),
                    "lift": float(share[j] / overall[j]) if overall[j] > 0 else float("nan"),
                    "terms": ", ".join(t.replace("_", " ") for t, _ in terms),
                }
            )
    return pd.DataFrame(rows, columns=list(COLUMNS))
