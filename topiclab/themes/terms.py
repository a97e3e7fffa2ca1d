"""Choosing the words that describe a theme: coherent, and distinct from other themes.

Class-based TF-IDF ranks the words that distinguish a theme, but its top words are often
shared with neighbouring themes (``people``, ``time``) or are rare words that co-occur with
nothing else. :func:`select_terms` keeps a weight ranking as the backbone and re-ranks
a pool of candidates greedily, in the spirit of maximal marginal relevance:

* **distinct** — with ``exclusive=True`` each word describes at most the theme where its
  weight is highest, so theme descriptions do not repeat each other;
* **coherent** — a candidate gains from its document co-occurrence (NPMI over the corpus
  the themes were found in) with the words already chosen for the theme.

The score of candidate ``w`` for theme ``c`` with chosen words ``S`` is
``(1 - coherence_weight) * rank_score(w) + coherence_weight * mean_{s in S} npmi(w, s)``,
where ``rank_score`` is the weight scaled to [0, 1] within the theme's pool.

From 100 documents, the embedding view (:func:`embedding_theme_terms`) weighs terms by
:func:`coverage_weights` (the share of a theme's passages that use a word, times the log
of how much more often they use it than the corpus does) rather than by c-TF-IDF, takes
100 candidates per theme, and shrinks the NPMI of word pairs seen together in few
passages towards 0 (``npmi_shrinkage``): c-TF-IDF's top words in a broad theme include
names that a handful of passages repeat, and raw NPMI rewards pairs of rare words that
meet once, two choices that fit the fitted texts and not the next ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

__all__ = [
    "coverage_weights",
    "document_npmi",
    "document_units",
    "embedding_theme_terms",
    "language_topic_terms",
    "select_terms",
    "spread_terms",
    "theme_term_selection",
    "theme_terms",
]


def document_npmi(counts: Any, columns: Sequence[int], *, shrinkage: float = 0.0) -> np.ndarray:
    """NPMI of document co-occurrence between the given term columns.

    Parameters
    ----------
    counts : sparse matrix of shape (n_docs, n_terms)
        Term counts (only presence matters).
    columns : sequence of int
        Term columns to compare.
    shrinkage : float, default=0.0
        Multiply the NPMI of a pair seen together in ``n`` documents by
        ``n / (n + shrinkage)``: a pair of rare words found together in one or two
        documents has an NPMI near 1 that says little about other documents.

    Returns
    -------
    ndarray of shape (len(columns), len(columns))
        ``log(p(i, j) / (p(i) p(j))) / -log(p(i, j))``; -1 for pairs never seen together,
        1 on the diagonal.
    """
    cols = np.asarray(columns, dtype=np.int64)
    X = sp.csc_matrix(counts)[:, cols]
    X = (X > 0).astype(np.float64)
    n = max(X.shape[0], 1)
    co = np.asarray((X.T @ X).todense(), dtype=np.float64)
    df = np.diag(co).copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        pij = co / n
        pi = df / n
        pmi = np.log(pij / np.outer(pi, pi))
        npmi = pmi / -np.log(pij)
    npmi[co == 0] = -1.0
    npmi[~np.isfinite(npmi)] = -1.0
    if shrinkage > 0:
        npmi *= co / (co + float(shrinkage))
    np.fill_diagonal(npmi, 1.0)
    return np.clip(npmi, -1.0, 1.0)


def select_terms(
    scores: np.ndarray,
    counts: Any,
    *,
    topn: int = 10,
    pool: int = 40,
    exclusive: bool = True,
    coherence_weight: float = 0.5,
    npmi_shrinkage: float = 0.0,
    cooccurrence: Any = None,
) -> list[list[int]]:
    """Pick ``topn`` term columns per theme from c-TF-IDF ``scores``.

    Parameters
    ----------
    scores : ndarray of shape (n_themes, n_terms)
        Term weights per theme, e.g. from :func:`topiclab.models.class_tfidf`.
    counts : sparse matrix of shape (n_docs, n_terms)
        The document-term counts the weights came from (for co-occurrence).
    topn : int
        Terms per theme.
    pool : int
        Candidates per theme taken from the top of the c-TF-IDF ranking.
    exclusive : bool
        Each term describes at most one theme (the one where its weight is highest).
    coherence_weight : float in [0, 1]
        0 keeps the c-TF-IDF order; larger values favour words that co-occur with the
        words already chosen.
    npmi_shrinkage : float, default=0.0
        Shrink the co-occurrence NPMI of pairs seen together in few documents towards 0
        (see :func:`document_npmi`), so that words which co-occur by chance in a handful
        of documents do not win over words that co-occur throughout the theme.
    cooccurrence : sparse matrix of shape (n_units, n_terms), optional
        The units co-occurrence is counted in (default: ``counts``), e.g. the passages
        of the documents ``counts`` holds: words that share a passage are closer than
        words that share a long document.

    Returns
    -------
    list of list of int
        Term columns per theme, best first (fewer than ``topn`` when a theme has fewer
        non-zero candidates).

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> counts = sp.csr_matrix(np.array([[2, 1, 0, 0], [1, 1, 0, 0], [0, 0, 3, 1]]))
    >>> scores = np.array([[0.6, 0.4, 0.0, 0.1], [0.0, 0.2, 0.7, 0.3]])
    >>> select_terms(scores, counts, topn=2)
    [[0, 1], [2, 3]]
    """
    scores = np.asarray(scores, dtype=np.float64)
    k = scores.shape[0]
    if not 0.0 <= coherence_weight <= 1.0:
        raise ValueError(f"coherence_weight must be in [0, 1], got {coherence_weight!r}")
    owner = scores.argmax(axis=0) if exclusive and k > 1 else None
    pools: list[np.ndarray] = []
    for c in range(k):
        row = scores[c].copy()
        if owner is not None:
            row[owner != c] = 0.0
        order = np.argsort(-row, kind="stable")[: max(pool, topn)]
        pools.append(order[row[order] > 0])
    union = np.unique(np.concatenate(pools)) if pools else np.array([], dtype=np.int64)
    if coherence_weight > 0 and union.size:
        units = counts if cooccurrence is None else cooccurrence
        npmi = document_npmi(units, union, shrinkage=npmi_shrinkage)
        where = {int(t): i for i, t in enumerate(union)}
    out: list[list[int]] = []
    for c in range(k):
        cand = pools[c]
        if cand.size == 0:
            out.append([])
            continue
        w = scores[c, cand]
        rank = (w - w.min()) / (w.max() - w.min()) if w.max() > w.min() else np.ones_like(w)
        chosen = [0]  # the best c-TF-IDF term starts the description
        while len(chosen) < min(topn, cand.size):
            left = [i for i in range(cand.size) if i not in chosen]
            if coherence_weight > 0:
                idx = [where[int(cand[i])] for i in chosen]
                co = np.array([npmi[where[int(cand[i])], idx].mean() for i in left])
            else:
                co = np.zeros(len(left))
            value = (1 - coherence_weight) * rank[left] + coherence_weight * co
            chosen.append(left[int(np.argmax(value))])
        out.append([int(cand[i]) for i in chosen])
    return out


def theme_terms(
    counts: Any,
    labels: Any,
    feature_names: Sequence[str],
    n_themes: int,
    *,
    topn: int = 10,
    **options: Any,
) -> list[list[str]]:
    """Top words per theme: c-TF-IDF over the themes, then :func:`select_terms`."""
    from topiclab.models import class_tfidf

    scores = class_tfidf(counts, labels, n_classes=n_themes)
    names = np.asarray(feature_names, dtype=object)
    picks = select_terms(scores, counts, topn=topn, **options)
    return [[str(names[j]) for j in cols] for cols in picks]


def spread_terms(
    counts: Any, labels: Any, n_themes: int, *, ratio: float = 2.0, min_themes: int = 3
) -> np.ndarray:
    """Mark the terms spread evenly over all themes: they describe none of them.

    A term is spread when it occurs in every theme and the share of passages containing it
    differs by less than ``ratio`` between the theme where it is most common and the one
    where it is least common. Such a word ("year", "people", "表示") carries no theme even
    when no stop list knows it.

    Parameters
    ----------
    counts : sparse matrix of shape (n_passages, n_terms)
    labels : array-like of shape (n_passages,)
        Theme of each passage (``-1``: unassigned, ignored).
    n_themes : int
    ratio : float, default=2.0
    min_themes : int, default=3
        With fewer themes nothing is marked (two themes cannot show a spread).

    Returns
    -------
    ndarray of bool, shape (n_terms,)

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> X = sp.csr_matrix(np.array([[1, 1], [1, 0], [1, 0], [1, 1], [1, 0], [1, 0]]))
    >>> spread_terms(X, [0, 0, 1, 1, 2, 2], 3).tolist()
    [True, False]
    """
    X = sp.csr_matrix(counts)
    labels = np.asarray(labels)
    n_terms = X.shape[1]
    if n_themes < min_themes:
        return np.zeros(n_terms, dtype=bool)
    present = (X > 0).astype(np.float64)
    rates = np.zeros((n_themes, n_terms))
    for c in range(n_themes):
        rows = np.flatnonzero(labels == c)
        if rows.size == 0:
            return np.zeros(n_terms, dtype=bool)
        rates[c] = np.asarray(present[rows].sum(axis=0)).ravel() / rows.size
    low, high = rates.min(axis=0), rates.max(axis=0)
    return (low > 0) & (high < ratio * low)


def coverage_weights(
    counts: Any, labels: Any, n_themes: int, *, background: Any = None
) -> np.ndarray:
    """Weigh each term by how much of a theme it covers and how typical it is of it.

    ``w[c, t] = q[c, t] * log(q[c, t] / p[t])`` where ``q[c, t]`` is the share of theme
    ``c``'s units (passages or documents) that contain ``t`` and ``p[t]`` the share of all
    units that do; zero when the theme uses the term no more often than the corpus. A word
    found in a third of a theme's passages and three times as often there as elsewhere
    outweighs a name found in five passages only, however rare it is elsewhere: the words
    that describe a broad theme are the ones most of its texts use.

    Parameters
    ----------
    counts : sparse matrix of shape (n_units, n_terms)
        Term counts (only presence matters).
    labels : array-like of shape (n_units,)
        Theme of each unit (``-1``: unassigned, ignored in the themes, counted in ``p``).
    n_themes : int
    background : sparse matrix of shape (n_other_units, n_terms), optional
        The units ``p`` is taken from (default: ``counts``). Give all passages when
        ``counts`` holds one language's: a language whose passages all sit in one theme
        would otherwise look no more typical of it than of the corpus.

    Returns
    -------
    ndarray of shape (n_themes, n_terms)

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> X = sp.csr_matrix(np.array([[1, 1, 0], [1, 0, 0], [0, 1, 1], [0, 0, 1]]))
    >>> coverage_weights(X, [0, 0, 1, 1], 2).argmax(axis=1).tolist()
    [0, 2]
    """
    P = (sp.csr_matrix(counts) > 0).astype(np.float64)
    labels = np.asarray(labels)
    B = P if background is None else (sp.csr_matrix(background) > 0).astype(np.float64)
    p = np.asarray(B.sum(axis=0)).ravel() / max(B.shape[0], 1)
    out = np.zeros((n_themes, P.shape[1]))
    for c in range(n_themes):
        rows = np.flatnonzero(labels == c)
        if rows.size == 0:
            continue
        q = np.asarray(P[rows].sum(axis=0)).ravel() / rows.size
        typical = q > p
        out[c, typical] = q[typical] * np.log(q[typical] / p[typical])
    return out


#: how the embedding view picks its terms (measured with ``benchmarks/embedding_quality.py``)
EMBEDDING_TERM_OPTIONS: dict[str, float | int] = {
    "pool": 100,
    "coherence_weight": 0.8,
    "npmi_shrinkage": 5.0,
}


def theme_term_selection(
    counts: Any,
    labels: Any,
    n_themes: int,
    *,
    topn: int = 10,
    spread_from: tuple[Any, Any] | None = None,
    weighting: str = "coverage",
    cooccurrence: Any = None,
) -> tuple[np.ndarray, list[list[int]]]:
    """Weigh and pick the words of clustered themes (the embedding view's terms).

    Terms are weighed by :func:`coverage_weights`, terms spread evenly over all themes
    weigh nothing, and :func:`select_terms` picks ``topn`` per theme with
    ``EMBEDDING_TERM_OPTIONS`` (100 candidates, coherence weight 0.8, NPMI shrinkage 5).

    Parameters
    ----------
    counts : sparse matrix of shape (n_units, n_terms)
        Term counts of the clustered units (passages or documents).
    labels : array-like of shape (n_units,)
        Theme of each unit (``-1``: unassigned, ignored).
    n_themes : int
    topn : int, default=10
    spread_from : (counts, labels), optional
        Units that decide which terms are spread over all themes (:func:`spread_terms`)
        and how common a term is in the corpus (``background`` of
        :func:`coverage_weights`); default: ``counts`` and ``labels``. Give all passages
        when ``counts`` holds one language's.
    weighting : {"coverage", "ctfidf"}, default="coverage"
        ``"coverage"``: :func:`coverage_weights` and ``EMBEDDING_TERM_OPTIONS``;
        ``"ctfidf"``: class-based TF-IDF and :func:`select_terms`' defaults (what
        :func:`embedding_theme_terms` uses below ``min_documents`` documents, where a
        theme may hold two passages and presence alone cannot rank their words).
    cooccurrence : sparse matrix of shape (n_other_units, n_terms), optional
        The units word co-occurrence is counted in (default: ``counts``); see
        :func:`select_terms`.

    Returns
    -------
    scores : ndarray of shape (n_themes, n_terms)
        The weight shown beside each term (:func:`coverage_weights`; zero for spread
        terms, see :func:`spread_terms`).
    picks : list of list of int
        Term columns per theme, as :func:`select_terms` returns them.
    """
    labels = np.asarray(labels)
    spread_counts, spread_labels = spread_from if spread_from is not None else (counts, labels)
    if weighting == "coverage":
        scores = coverage_weights(counts, labels, n_themes, background=spread_counts)
        options: dict[str, Any] = dict(EMBEDDING_TERM_OPTIONS)
    elif weighting == "ctfidf":
        from topiclab.models import class_tfidf

        scores = class_tfidf(counts, labels, n_classes=n_themes)
        options = {}
    else:
        raise ValueError(f"weighting must be 'coverage' or 'ctfidf', got {weighting!r}")
    scores[:, spread_terms(spread_counts, np.asarray(spread_labels), n_themes)] = 0.0
    return scores, select_terms(scores, counts, topn=topn, cooccurrence=cooccurrence, **options)


def document_units(
    counts: Any, labels: Any, groups: Sequence[Any]
) -> tuple[Any, np.ndarray, np.ndarray]:
    """Sum the rows of ``counts`` that share a group (a document) and a theme.

    Term weights and co-occurrence measured over whole documents carry over to other
    documents better than over their paragraphs: a paragraph is too short to show which
    words a theme's texts share. A document whose passages sit in two themes gives one
    unit per theme.

    Parameters
    ----------
    counts : sparse matrix of shape (n_passages, n_terms)
    labels : array-like of shape (n_passages,)
    groups : sequence of hashable, length n_passages
        The document of each passage (e.g. ``(doc_id, lang)`` pairs).

    Returns
    -------
    unit_counts : sparse matrix of shape (n_units, n_terms)
    unit_labels : ndarray of shape (n_units,)
    unit_of : ndarray of shape (n_passages,)
        The unit of each passage.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> X = sp.csr_matrix(np.array([[1, 0], [0, 1], [1, 1]]))
    >>> U, lab, of = document_units(X, [0, 0, 1], ["a", "a", "a"])
    >>> U.toarray().tolist(), lab.tolist(), of.tolist()
    ([[1, 1], [1, 1]], [0, 1], [0, 0, 1])
    """
    labels = np.asarray(labels)
    n = labels.shape[0]
    if len(groups) != n:
        raise ValueError(f"{len(groups)} groups but {n} labels")
    index: dict[tuple[Any, int], int] = {}
    unit_of = np.empty(n, dtype=np.int64)
    for i, (g, lab) in enumerate(zip(groups, labels.tolist(), strict=True)):
        unit_of[i] = index.setdefault((g, lab), len(index))
    join = sp.csr_matrix((np.ones(n), (unit_of, np.arange(n))), shape=(len(index), n))
    unit_labels = np.empty(len(index), dtype=labels.dtype if n else np.int64)
    unit_labels[unit_of] = labels
    unit_counts = (join @ sp.csr_matrix(counts)).tocsr()
    if np.issubdtype(sp.csr_matrix(counts).dtype, np.integer):
        unit_counts = unit_counts.astype(sp.csr_matrix(counts).dtype)
    return unit_counts, unit_labels, unit_of


def embedding_theme_terms(
    counts: Any,
    labels: Any,
    n_themes: int,
    langs: Sequence[str],
    doc_ids: Sequence[str] | None = None,
    *,
    topn: int = 10,
    min_documents: int = 100,
) -> tuple[dict[str, np.ndarray], dict[str, list[list[int]]]]:
    """Term weights and picks of clustered themes, overall and per language.

    From ``min_documents`` documents, passages are first summed per document and theme
    (:func:`document_units`) and weighed by :func:`coverage_weights`; then
    :func:`theme_term_selection` runs over all units (``"all"``) and over each language's
    units, with spread terms and corpus shares taken from all units. Word co-occurrence
    is then counted over the document units and the passages of units cut into several:
    two words in one paragraph are closer than two words in one long document, and
    documents alone let a long post pair every word it holds.

    Parameters
    ----------
    counts : sparse matrix of shape (n_passages, n_terms)
    labels : array-like of shape (n_passages,)
    n_themes : int
    langs : sequence of str, length n_passages
    doc_ids : sequence of str, optional
        Each passage's document; without it every passage is its own unit.
    topn : int, default=10
    min_documents : int, default=100
        With fewer documents every passage is its own unit and terms are weighed by
        class-based TF-IDF with :func:`select_terms`' defaults: a handful of documents
        gives each theme one or two units, in which every word is present alike, and
        presence alone cannot rank them.

    Returns
    -------
    term_scores, selections : dict
        Language code (and ``"all"``) -> weights of shape (n_themes, n_terms) / term
        columns per theme, as :func:`topiclab.themes.build_theme_table` takes them;
        ``"und"`` only when no passage has a language.
    """
    labels = np.asarray(labels)
    langs_arr = np.asarray([str(x) for x in langs], dtype=object)
    grouped = doc_ids is not None and len(set(doc_ids)) >= min_documents
    weighting = "coverage" if grouped else "ctfidf"
    if not grouped:
        doc_ids = [str(i) for i in range(labels.shape[0])]
    units, unit_labels, unit_of = document_units(
        counts, labels, list(zip(doc_ids, langs_arr.tolist(), strict=True))
    )
    unit_langs = np.empty(units.shape[0], dtype=object)
    unit_langs[unit_of] = langs_arr
    passages = sp.csr_matrix(counts)
    # a passage that is its unit's only one is that unit: counting it again would only
    # halve the shrinkage of its pairs
    split = np.bincount(unit_of, minlength=units.shape[0])[unit_of] > 1

    def together(rows: np.ndarray, passage_rows: np.ndarray) -> Any:
        # words sharing a document and words sharing a passage both count as together
        passage_rows = passage_rows[split[passage_rows]]
        if not grouped or passage_rows.size == 0:
            return None
        return sp.vstack([units[rows], passages[passage_rows]]).tocsr()

    every = np.arange(units.shape[0])
    scores, picks = theme_term_selection(
        units,
        unit_labels,
        n_themes,
        topn=topn,
        weighting=weighting,
        cooccurrence=together(every, np.arange(passages.shape[0])),
    )
    term_scores, selections = {"all": scores}, {"all": picks}
    # "und" (no language found) gets no list of its own beside languages: its passages are
    # too short or too odd to tell, and their words are in "all"
    languages = sorted(set(langs_arr.tolist()))
    for lang in [x for x in languages if x != "und"] or languages:
        rows = np.flatnonzero(unit_langs == lang)
        term_scores[lang], selections[lang] = theme_term_selection(
            units[rows],
            unit_labels[rows],
            n_themes,
            topn=topn,
            spread_from=(units, unit_labels),
            weighting=weighting,
            cooccurrence=together(rows, np.flatnonzero(langs_arr == lang)),
        )
    return term_scores, selections


def language_topic_terms(
    topic_word: np.ndarray,
    counts: Any,
    langs: Sequence[str],
    *,
    topn: int = 10,
) -> tuple[dict[str, np.ndarray], dict[str, list[list[int]]]]:
    """Topic-word weights and picks per language, for topics fitted across languages.

    A topic fitted on several languages ranks its words together, and the words of a
    language with few passages but a vocabulary of its own can fill its top ranks; the
    topic then has no words in the language of most of its passages. Here each language
    keeps the topic-word weights of the words its passages use (zero elsewhere), picked
    by :func:`select_terms` over that language's passages (not exclusive: a topic keeps
    its words in a language even where another topic weighs them more), so a topic can
    be described, and labelled, in each of its languages by the same weights as its bars.

    Parameters
    ----------
    topic_word : ndarray of shape (n_topics, n_terms)
    counts : sparse matrix of shape (n_passages, n_terms)
    langs : sequence of str, length n_passages
    topn : int, default=10

    Returns
    -------
    term_scores, selections : dict
        Language code -> weights / term columns per topic; empty with fewer than two
        languages (``"und"`` not counted).
    """
    langs_arr = np.asarray([str(x) for x in langs], dtype=object)
    present = [x for x in sorted(set(langs_arr.tolist())) if x != "und"]
    scores: dict[str, np.ndarray] = {}
    picks: dict[str, list[list[int]]] = {}
    if len(present) < 2:
        return scores, picks
    X = sp.csr_matrix(counts)
    topic_word = np.asarray(topic_word, dtype=np.float64)
    for lang in present:
        rows = np.flatnonzero(langs_arr == lang)
        used = np.asarray((X[rows] > 0).sum(axis=0)).ravel() > 0
        scores[lang] = topic_word * used[None, :]
        picks[lang] = select_terms(scores[lang], X[rows], topn=topn, exclusive=False)
    return scores, picks
