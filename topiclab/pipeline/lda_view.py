"""The LDA view: topics of word counts, K chosen by coherence, diversity and stability.

:class:`LDAViewStage` fits LDA (collapsed Gibbs sampling, :class:`~topiclab.models.GibbsLDA`,
or gensim's online variational Bayes, :class:`~topiclab.models.LDA`) on the run's
documents (their passages' counts summed) or on the passages, restricted to the terms of
neither too few nor too many documents (and to the terms in most passages,
``lda_max_features``), for each candidate K and several restarts; keeps the restart with
the best NPMI + diversity + 0.5 x agreement and the K with the best NPMI + 0.5 x
diversity + 0.5 x stability; then infers every passage's topic mixture with the fitted
model (the same path as for new texts) and describes each topic with its topic-word
weights.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from typing import Any

import numpy as np

from topiclab.config import (
    LDA_DOCUMENT_MIN,
    LDA_MAX_DOCUMENT_SHARE,
    LDA_MAX_TERM_COUNT,
    LDA_MIN_DOCUMENTS,
)
from topiclab.pipeline.base import RunState, Stage, ViewState

logger = logging.getLogger(__name__)

__all__ = [
    "LDAViewStage",
    "common_terms",
    "document_counts",
    "document_mixture",
    "fit_lda",
    "guided_term_ids",
    "hellinger_distances",
    "lda_vocabulary",
    "make_lda",
    "restart_score",
    "theme_term_ids",
    "topic_checks",
]

#: LDA counts words, and words differ between languages: passages in different
#: languages share a topic only through the few words they share (names, numbers).
LANGUAGE_NOTE = (
    "LDA counts words, so it cannot join passages written in different languages: a "
    "topic holds passages of one language unless they share words (names, acronyms). "
    "The embedding themes join languages; compare the two views."
)
#: The note when LDA was fitted on cross-lingual units (``lda_neighbours``).
JOINED_NOTE = (
    "LDA was fitted on passages joined with their nearest passages in the other languages "
    "(by embedding, lda_neighbours), so a topic holds words of every language and a "
    "passage and its translation share a topic; set lda_neighbours = 0 for LDA on each "
    "passage's own words only, which keeps languages apart."
)


def restart_score(npmi: float, diversity: float, agreement: float) -> float:
    """Score of one LDA restart under the ``score`` criterion (higher is kept).

    ``NPMI + RESTART_DIVERSITY_WEIGHT x diversity + 0.5 x agreement``, of the restart's
    plain top-10 words and its mean ARI to the other restarts; an undefined NPMI counts -1.

    Examples
    --------
    >>> round(restart_score(0.02, 0.88, 0.3), 3)
    1.05
    """
    npmi = float(npmi) if np.isfinite(npmi) else -1.0
    return npmi + RESTART_DIVERSITY_WEIGHT * float(diversity) + 0.5 * float(agreement)


def hellinger_distances(topic_word: np.ndarray) -> dict[str, Any]:
    """Hellinger distances between topic-word distributions (0 same words, 1 none shared).

    Parameters
    ----------
    topic_word : ndarray of shape (n_topics, n_terms)

    Returns
    -------
    dict
        ``measure`` and ``values`` (a nested list, 4 decimals).

    Examples
    --------
    >>> hellinger_distances(np.array([[1.0, 0.0], [0.0, 1.0]]))["values"]
    [[0.0, 1.0], [1.0, 0.0]]
    """
    p = np.clip(np.asarray(topic_word, dtype=float), 0.0, None)
    p = p / np.where(p.sum(axis=1, keepdims=True) > 0, p.sum(axis=1, keepdims=True), 1.0)
    root = np.sqrt(p)
    d = np.sqrt(np.clip(1.0 - root @ root.T, 0.0, 1.0))
    np.fill_diagonal(d, 0.0)
    return {
        "measure": "Hellinger distance between topic-word distributions",
        "values": np.round(d, 4).tolist(),
    }


def topic_checks(
    labels: np.ndarray, langs: Sequence[str], n_topics: int, joined: bool = False
) -> dict[str, Any]:
    """Flag topics below the minimum size and say which languages LDA kept apart.

    The minimum size is 2 passages, or 1% of the passages when that is more.

    Parameters
    ----------
    labels : ndarray of shape (n_passages,)
        Most likely topic of each passage.
    langs : sequence of str
        Language of each passage.
    n_topics : int
    joined : bool, default=False
        Whether LDA was fitted on cross-lingual units (changes the note).

    Returns
    -------
    dict
        ``min_topic_size``, ``small_topics`` (ids), ``topic_languages`` (topic id ->
        languages of its passages) and, when the corpus has several languages,
        ``language_note``.

    Examples
    --------
    >>> out = topic_checks(np.array([0, 0, 1, 2, 2]), ["en", "en", "ar", "en", "en"], 3)
    >>> out["small_topics"], out["topic_languages"]
    ([1], {'0': ['en'], '1': ['ar'], '2': ['en']})
    """
    labels = np.asarray(labels)
    lang_arr = np.asarray(langs, dtype=object)
    min_size = max(2, int(np.ceil(0.01 * labels.size)))
    sizes = np.bincount(labels, minlength=n_topics) if labels.size else np.zeros(n_topics)
    per_topic = {str(t): sorted({str(x) for x in lang_arr[labels == t]}) for t in range(n_topics)}
    out: dict[str, Any] = {
        "min_topic_size": min_size,
        "small_topics": [int(t) for t in range(n_topics) if sizes[t] < min_size],
        "topic_languages": per_topic,
    }
    if len(set(lang_arr.tolist())) > 1:
        out["language_note"] = JOINED_NOTE if joined else LANGUAGE_NOTE
    return out


VIEW = "lda"
#: A topic's keyword list in one language keeps words of at least this share of its best
#: word's probability: below it a word holds little more than the prior's smoothing.
LANGUAGE_TERM_FLOOR = 0.01
#: Refits with fewer topics at most while topics stay below the minimum size.
MAX_REFITS = 3
#: Weight of the plain top-10 words' diversity in the ``score`` restart criterion (NPMI +
#: this x diversity + 0.5 x agreement): with 0.5, in-sample NPMI (which generic words
#: shared by several topics raise) outweighed diversity (``docs/lda.md``).
RESTART_DIVERSITY_WEIGHT = 1.0


def guided_term_ids(vectorizer: Any, guided: Sequence[Any]) -> list[list[int]] | None:
    """Vocabulary columns of each guided theme's words (phrases joined when known).

    Parameters
    ----------
    vectorizer : TextVectorizer
        The fitted vectoriser.
    guided : sequence of GuidedTheme

    Returns
    -------
    list of list of int or None
        ``None`` when there are no guided themes.
    """
    if not guided:
        return None
    vocab = {t: i for i, t in enumerate(vectorizer.get_feature_names_out())}
    seed_topics = []
    for g in guided:
        ids: list[int] = []
        for phrase in g.words:
            toks = vectorizer.tokenize_documents([phrase], ["en"])[0]
            joined = "_".join(toks)
            for cand in [joined, *toks]:
                if cand in vocab and vocab[cand] not in ids:
                    ids.append(vocab[cand])
        if not ids:
            logger.warning("guided theme %r: none of its words is in the vocabulary", g.name)
        seed_topics.append(ids)
    return seed_topics


def theme_term_ids(table: Any, feature_names: Sequence[str], n_terms: int = 10) -> list[list[int]]:
    """Vocabulary columns of each embedding theme's best terms in every language.

    An embedding theme gathers passages about one subject whatever their language, and
    carries terms per language; used as LDA seed topics, they give one LDA topic its
    Arabic, Chinese and English words at once, so LDA does not split a subject by
    language.

    Parameters
    ----------
    table : ThemeTable
        The embedding view's themes.
    feature_names : sequence of str
        The vocabulary, in column order.
    n_terms : int
        Terms taken per theme and language.

    Returns
    -------
    list of list of int
        One list per theme (possibly empty).
    """
    vocab = {t: i for i, t in enumerate(feature_names)}
    seeds = []
    for theme in table.themes:
        ids: list[int] = []
        for lang in sorted(theme.terms):
            if lang == "all":
                continue
            for term in theme.top_words(lang, n_terms):
                j = vocab.get(term)
                if j is not None and j not in ids:
                    ids.append(j)
        seeds.append(ids)
    return seeds


def lda_vocabulary(
    counts: Any,
    max_features: int | None,
    *,
    min_documents: int = 1,
    doc_ids: Sequence[str] | None = None,
    max_document_share: float = 1.0,
) -> np.ndarray | None:
    """Columns LDA is fitted on (sorted), or ``None`` for all of them.

    Terms found in fewer than ``min_documents`` documents are left out: a term that one
    or two documents repeat hundreds of times (an encoded attachment, a table of
    numbers) otherwise takes a topic of its own. So are terms found in more than
    ``max_document_share`` of the documents: a word that common is among the top words
    of several topics and tells none apart. Then the ``max_features`` terms in most
    passages are kept.

    Parameters
    ----------
    counts : sparse matrix of shape (n_passages, n_terms)
    max_features : int or None
        Keep at most this many terms (``None``: no cap).
    min_documents : int, default=1
        Keep terms found in at least this many documents; ignored when fewer than two
        terms would be left.
    doc_ids : sequence of str, optional
        Each row's document (default: every row is one).
    max_document_share : float, default=1.0
        Keep terms found in at most this share of the documents (``1.0``: no bound);
        ignored when fewer than two terms would be left.

    Returns
    -------
    ndarray of int or None

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> X = sp.csr_matrix(np.array([[1, 0, 2], [1, 1, 0], [1, 0, 1]]))
    >>> lda_vocabulary(X, 2).tolist()
    [0, 2]
    >>> lda_vocabulary(X, None, min_documents=2).tolist()
    [0, 2]
    >>> lda_vocabulary(X, None, min_documents=2, doc_ids=["a", "a", "b"]).tolist()
    [0, 2]
    >>> lda_vocabulary(X, None, max_document_share=0.8).tolist()
    [1, 2]
    """
    n_terms = counts.shape[1]
    kept = np.arange(n_terms, dtype=np.intp)
    if min_documents > 1 or max_document_share < 1.0:
        units = counts if doc_ids is None else document_counts(counts, doc_ids)
        in_docs = np.asarray((units > 0).sum(axis=0)).ravel()
        if min_documents > 1:
            enough = np.flatnonzero(in_docs >= min_documents).astype(np.intp)
            if enough.size >= 2:
                kept = enough
        if max_document_share < 1.0:
            rare = kept[in_docs[kept] <= max_document_share * units.shape[0]]
            if rare.size >= 2:
                kept = rare
    if max_features is not None and kept.size > max_features:
        df = np.asarray((counts[:, kept] > 0).sum(axis=0)).ravel()
        order = np.lexsort((np.arange(df.size), -df))  # most passages first, ties by column
        kept = np.sort(kept[order[:max_features]]).astype(np.intp)
    return None if kept.size == n_terms else kept


def common_terms(
    counts: Any, feature_names: Sequence[str], doc_ids: Sequence[str], share: float, limit: int = 50
) -> list[str]:
    """Terms found in more than ``share`` of the documents, most common first (at most ``limit``).

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> X = sp.csr_matrix(np.array([[1, 0, 2], [1, 1, 0], [1, 0, 1]]))
    >>> common_terms(X, ["a", "b", "c"], ["d1", "d2", "d3"], 0.5)
    ['a', 'c']
    """
    if share >= 1.0:
        return []
    in_docs = np.asarray((document_counts(counts, doc_ids) > 0).sum(axis=0)).ravel()
    n_docs = len(set(str(d) for d in doc_ids))
    over = np.flatnonzero(in_docs > share * n_docs)
    over = over[np.lexsort((over, -in_docs[over]))][:limit]
    return [str(feature_names[j]) for j in over]


def document_counts(counts: Any, doc_ids: Sequence[str]) -> Any:
    """Sum the passage rows of each document (documents in order of first appearance).

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> X = sp.csr_matrix(np.array([[1, 0], [0, 2], [3, 0]]))
    >>> document_counts(X, ["a", "b", "a"]).toarray().tolist()
    [[4, 0], [0, 2]]
    """
    import scipy.sparse as sp

    position: dict[str, int] = {}
    rows = np.array([position.setdefault(str(d), len(position)) for d in doc_ids], dtype=np.intp)
    n = len(rows)
    agg = sp.csr_matrix(
        (np.ones(n, dtype=counts.dtype), (rows, np.arange(n))), shape=(len(position), n)
    )
    return sp.csr_matrix(agg @ counts)


def document_mixture(lda: Any, counts: Any, doc_ids: Sequence[str]) -> Any:
    """Infer each document's topic mixture from its summed passage counts.

    LDA fitted on whole documents describes a document best from all its words at once;
    averaging its passages' mixtures instead lets short passages, each inferred from a
    few words, outvote the rest (measured in ``docs/lda.md``).

    Parameters
    ----------
    lda : GibbsLDA or LDA
        The fitted model.
    counts : sparse matrix of shape (n_passages, n_terms)
        The passages' counts over the model's columns.
    doc_ids : sequence of str
        Document of each passage.

    Returns
    -------
    DataFrame
        Indexed by ``doc_id`` (order of first appearance), one integer column per topic;
        rows sum to 1.
    """
    import pandas as pd

    theta = lda.transform(document_counts(counts, doc_ids))
    index = pd.Index(list(dict.fromkeys(str(d) for d in doc_ids)), name="doc_id")
    return pd.DataFrame(theta, index=index, columns=list(range(theta.shape[1])))


def make_lda(
    section: Any,
    k: int,
    seed: int,
    seed_topics: list[list[int]] | None,
    iterations: int | None = None,
) -> Any:
    """Return the unfitted LDA estimator of the section's backend.

    Parameters
    ----------
    section : LDASection or RunConfig
        ``lda_backend`` (``"gibbs"`` or ``"gensim"``) and ``lda_passes``.
    k : int
    seed : int
    seed_topics : list of list of int, optional
    iterations : int, optional
        Sweeps of the Gibbs sampler (default: :class:`GibbsLDA`'s).

    Returns
    -------
    GibbsLDA or LDA
    """
    if getattr(section, "lda_backend", "gensim") == "gibbs":
        from topiclab.models.lda_gibbs import GibbsLDA

        eta = getattr(section, "lda_eta", None)
        extra: dict[str, Any] = {} if eta is None else {"eta": float(eta)}
        cap = getattr(section, "lda_max_term_count", None)
        extra["max_term_count"] = LDA_MAX_TERM_COUNT if cap is None else (int(cap) or None)
        if iterations is not None:
            extra["iterations"] = int(iterations)
        return GibbsLDA(n_components=k, random_state=seed, seed_topics=seed_topics, **extra)
    from topiclab.models import LDA

    return LDA(
        n_components=k, passes=section.lda_passes, random_state=seed, seed_topics=seed_topics
    )


def fit_lda(
    counts: Any,
    tokenized: list[list[str]],
    feature_names: Sequence[str],
    section: Any,
    seed: int,
    seed_topics: list[list[int]] | None = None,
    fit_counts: Any = None,
) -> tuple[Any, dict[str, Any]]:
    """Fit LDA, choosing K by coherence, diversity and seed stability when not given.

    For each candidate K, ``lda_restarts`` models are fitted with seeds derived from
    ``seed``; the restart whose passage topics agree most with the others' (highest mean
    adjusted Rand index) is kept, and the mean pairwise ARI is that K's stability.

    Parameters
    ----------
    counts : sparse matrix of shape (n_passages, n_terms)
        Passage counts (topics are assigned and terms selected on these).
    tokenized : list of list of str
        The passages' tokens (the coherence reference).
    feature_names : sequence of str
        Terms of the columns of ``counts``.
    section : LDASection or RunConfig
        ``n_topics``, ``lda_passes``, ``lda_backend`` and ``lda_restarts``.
    seed : int
    seed_topics : list of list of int, optional
        Guided topics (columns of ``counts``).
    fit_counts : sparse matrix, optional
        The rows LDA is trained on (e.g. whole documents); ``counts`` when ``None``.

    Returns
    -------
    lda : GibbsLDA or LDA
        The best model.
    selection : dict
        The candidates, their scores, the restarts' agreement and the rule.
    """
    from sklearn.metrics import adjusted_rand_score

    from topiclab.evaluate import coherence, topic_diversity
    from topiclab.pipeline.speed import speed_settings
    from topiclab.pipeline.stages import coherence_reference
    from topiclab.progress import progress_bar
    from topiclab.themes.terms import select_terms

    train = counts if fit_counts is None else fit_counts
    n_docs = counts.shape[0]  # the K range follows the passages the topics describe
    names = np.asarray(feature_names, dtype=object)
    fast = speed_settings(getattr(section, "speed", None))
    passes = int(section.lda_passes)
    if fast.max_lda_passes is not None:
        passes = min(passes, fast.max_lda_passes)
    if passes != section.lda_passes and dataclasses.is_dataclass(section):
        section = dataclasses.replace(section, lda_passes=passes)
    if section.n_topics is not None:
        candidates = [section.n_topics]
    elif n_docs < 200:
        candidates = list(range(3, max(4, min(9, n_docs // 4 + 1))))
    else:
        candidates = list(fast.lda_candidates or (10, 15, 20, 30))
    reference, note = coherence_reference(tokenized, fast.coherence_max_docs)
    if seed_topics:
        candidates = [k for k in candidates if k >= len(seed_topics)] or [len(seed_topics)]
    restarts = int(getattr(section, "lda_restarts", 1))
    if fast.max_lda_restarts is not None:
        restarts = max(1, min(restarts, fast.max_lda_restarts))
    seeds = [int(s) for s in np.random.SeedSequence(seed).generate_state(restarts) % (2**31 - 1)]
    if restarts == 1:
        seeds = [seed]
    stability_weight = 0.5 if restarts > 1 else 0.0
    criterion = str(getattr(section, "lda_restart_criterion", "typical"))
    kept = {
        "likelihood": "the one whose sampler ended with the highest log-likelihood per word "
        "is kept (Gibbs; otherwise the one with the highest mean ARI to the others)",
        "score": f"the one with the best NPMI + {RESTART_DIVERSITY_WEIGHT:g} * diversity of its "
        "plain top-10 words + 0.5 * its mean ARI to the others is kept",
    }.get(criterion, "the one with the highest mean ARI to the others is kept")
    selection: dict[str, Any] = {
        "candidates": candidates,
        "npmi": [],
        "diversity": [],
        "stability": [],
        "score": [],
        "restarts": restarts,
        "restart_criterion": criterion if restarts > 1 else None,
        "backend": getattr(section, "lda_backend", "gensim"),
        "unit": "passages" if fit_counts is None else "documents",
        "rule": (
            "NPMI + 0.5 * diversity of the selected top-10 terms (NPMI -1 if undefined)"
            + (
                " + 0.5 * stability (mean pairwise ARI of the restarts' passage topics); "
                f"of the restarts, {kept}"
                if restarts > 1
                else ""
            )
        ),
        "passes": passes,
        "gibbs_iterations": fast.gibbs_iterations,
        "coherence_reference": note,
    }
    best, best_score = None, -np.inf
    # one step per model fitted (each K times each restart): rate and time left in fits
    bar = progress_bar(
        total=len(candidates) * len(seeds),
        desc=f"LDA (K in {candidates}, {len(seeds)} restarts)",
        unit="fit",
        enabled=bool(getattr(section, "progress", False)),
        size=train.shape[0],
    )
    for k in candidates:
        models, labels = [], []
        for s in seeds:
            lda = make_lda(section, k, s, seed_topics, fast.gibbs_iterations).fit(train)
            models.append(lda)
            labels.append(lda.transform(counts).argmax(axis=1))
            bar.update(1)
        if restarts > 1:
            agree = np.ones((restarts, restarts))
            for i in range(restarts):
                for j in range(i + 1, restarts):
                    agree[i, j] = agree[j, i] = adjusted_rand_score(labels[i], labels[j])
            typical = (agree.sum(axis=1) - 1.0) / (restarts - 1)
            chosen = int(np.argmax(typical))
            likelihood = [float(getattr(m, "log_likelihood_", np.nan)) for m in models]
            if criterion == "likelihood" and np.all(np.isfinite(likelihood)):
                chosen = int(np.argmax(likelihood))
            elif criterion == "score":
                restart_scores = []
                for m, agreement in zip(models, typical, strict=True):
                    plain = [[str(names[j]) for j in row] for row in m.top_terms(10)]
                    r_npmi, _ = coherence(plain, reference, measure="c_npmi", topn=10)
                    restart_scores.append(
                        restart_score(r_npmi, topic_diversity(plain, topk=10), agreement)
                    )
                chosen = int(np.argmax(restart_scores))
            stability = float(agree[np.triu_indices(restarts, 1)].mean())
        else:
            chosen, stability = 0, float("nan")
        lda = models[chosen]
        tops = [[str(names[j]) for j in c] for c in select_terms(lda.components_, counts, topn=10)]
        npmi, _ = coherence(tops, reference, measure="c_npmi", topn=10)
        div = topic_diversity(tops, topk=10)
        selection["npmi"].append(npmi)
        selection["diversity"].append(div)
        selection["stability"].append(stability if restarts > 1 else None)
        score = (npmi if np.isfinite(npmi) else -1.0) + 0.5 * div
        if restarts > 1:
            score += stability_weight * stability
        selection["score"].append(score)
        logger.info("LDA K=%d: NPMI %.3f, diversity %.3f, stability %.3f", k, npmi, div, stability)
        if score > best_score:
            best, best_score = lda, score
    bar.close()
    selection["chosen"] = int(best.n_components)
    return best, selection


class LDAViewStage(Stage):
    """Topics of the passages' word counts (the ``"lda"`` view).

    Parameters
    ----------
    section : LDASection
        Number of topics (or the K search), passes, vocabulary cap, guided themes, terms
        and representative passages per topic, seed.

    Attributes
    ----------
    lda_ : LDA
        The fitted model.
    columns_ : ndarray of int or None
        Vocabulary columns LDA was fitted on (``None``: all of them).
    selection_ : dict
        How K was chosen.
    """

    name = "lda"
    view = VIEW
    requires = ("vectorize",)
    concurrent = True  # fitted in a worker process beside the embedding view (n_jobs > 1)

    @property
    def after(self) -> tuple[str, ...]:  # type: ignore[override]
        """Return the stages fitted before this one (the embedding view for seeded topics)."""
        if getattr(self.section, "lda_seed_themes", False):
            return ("vectorize", "embed", "cluster")
        return ("vectorize", "embed")

    def after_given(self, state: RunState) -> tuple[str, ...]:
        """Return :attr:`after`, without the embeddings when no language is to be joined.

        Cross-lingual units need the passage embeddings; with one language (or
        ``lda_neighbours=0``) LDA only needs the counts and can be fitted while the
        passages are embedded.
        """
        after = self.after
        if "cluster" in after or state.langs is None:
            return after
        if self.neighbours_:
            from topiclab.pipeline.lda_align import crosslingual_languages

            if len(crosslingual_languages(state.langs)) >= 2:
                return after
        return ("vectorize",)

    def __init__(self, section: Any) -> None:
        self.section = section
        self._set_neighbours(int(getattr(section, "lda_neighbours", 0) or 0))

    def _set_neighbours(self, n: int) -> None:
        self.neighbours_ = n
        # cross-lingual units need the passage embeddings, for new texts too
        self.requires = ("vectorize", "embed") if n else ("vectorize",)

    def _counts(self, counts: Any) -> Any:
        return counts if self.columns_ is None else counts[:, self.columns_]

    def _unit_counts(self, state: RunState) -> Any:
        """Return the passages' counts LDA sees (with ``lda_neighbours``, plus neighbours')."""
        counts = state.counts
        if self.neighbours_:
            from topiclab.pipeline.lda_align import crosslingual_counts

            counts = crosslingual_counts(counts, state.embeddings, state.langs, self.neighbours_)
        return self._counts(counts)

    def fit(self, state: RunState) -> RunState:
        """Fit LDA on the counts, then assign the passages with :meth:`transform`'s path."""
        from topiclab.pipeline.embedding_view import display_function
        from topiclab.themes import build_theme_table
        from topiclab.themes.tables import doc_titles
        from topiclab.themes.terms import language_topic_terms, select_terms

        s = self.section
        counts, names = state.counts, state.feature_names
        min_documents = getattr(s, "lda_min_documents", None)
        if min_documents is None:  # the default: drop bursty rare terms on a large corpus
            n_docs = len(set(state.doc_ids))
            min_documents = LDA_MIN_DOCUMENTS if n_docs >= LDA_DOCUMENT_MIN else 1
        share = getattr(s, "lda_max_document_share", None)
        if share is None:  # the default: drop the most common words on a large corpus
            share = LDA_MAX_DOCUMENT_SHARE if len(set(state.doc_ids)) >= LDA_DOCUMENT_MIN else 1.0
        self.columns_ = lda_vocabulary(
            counts,
            s.lda_max_features,
            min_documents=int(min_documents),
            doc_ids=state.doc_ids,
            max_document_share=float(share),
        )
        lda_names = names if self.columns_ is None else [names[j] for j in self.columns_]
        seed_topics = guided_term_ids(state.vectorizer, s.guided)
        embedding = state.views.get("embedding")
        if getattr(s, "lda_seed_themes", False) and embedding is not None and embedding.table:
            themes = theme_term_ids(embedding.table, names)
            seed_topics = [*(seed_topics or []), *themes] or None
            logger.info("LDA topics seeded from %d embedding themes", len(themes))
        if seed_topics and self.columns_ is not None:
            position = {int(j): i for i, j in enumerate(self.columns_)}
            seed_topics = [[position[j] for j in ids if j in position] for ids in seed_topics]
        fit_counts = None
        unit = getattr(s, "lda_unit", "passages")
        if unit == "auto":  # too few documents for LDA to learn topics from: use passages
            unit = "documents" if len(set(state.doc_ids)) >= LDA_DOCUMENT_MIN else "passages"
        backend = getattr(s, "lda_backend", "gensim")
        if backend == "auto":  # Gibbs measured better on documents, gensim on a few passages
            backend = "gibbs" if unit == "documents" else "gensim"
        self.unit_, self.backend_ = unit, backend
        if hasattr(s, "lda_backend"):
            s = dataclasses.replace(s, lda_unit=unit, lda_backend=backend)
        if self.neighbours_:
            from topiclab.pipeline.lda_align import crosslingual_languages

            model = getattr(state.embedder, "model", None)
            if state.embeddings is None or len(crosslingual_languages(state.langs)) < 2:
                self._set_neighbours(0)  # one language (or no embeddings): nothing to join
            elif not (model is None or isinstance(model, str)):
                # new texts need the same embeddings, and an embedding object is not
                # saved with the model: keep plain LDA so a loaded model can assign texts
                logger.info("cross-lingual LDA units skipped: the embedder is not a named model")
                self._set_neighbours(0)
        unit_counts = self._unit_counts(state)
        if unit == "documents":
            fit_counts = document_counts(unit_counts, state.doc_ids)
        self.lda_, self.selection_ = fit_lda(
            unit_counts, state.tokens, lda_names, s, s.seed, seed_topics, fit_counts
        )
        if self.neighbours_:
            self.selection_["crosslingual_neighbours"] = self.neighbours_
        cap = getattr(self.lda_, "max_term_count", None)
        kept = set(lda_names)
        self.selection_["vocabulary"] = {
            "terms": len(lda_names),
            "min_documents": int(min_documents),
            "max_document_share": float(share),
            "common_terms_dropped": [
                t for t in common_terms(counts, names, state.doc_ids, float(share)) if t not in kept
            ],
            "max_term_count": None if cap is None else int(cap),
        }

        state = self._assign(state, unit_counts)
        refits: list[dict[str, Any]] = []
        while len(refits) < MAX_REFITS:
            merge = self._merge_small(state, s, seed_topics)
            if merge is None:
                break
            # refit with fewer topics; the same transform then assigns the passages
            self.lda_, _refit = fit_lda(
                self._counts(counts),
                state.tokens,
                lda_names,
                dataclasses.replace(s, n_topics=merge["to"]),
                s.seed,
                seed_topics,
                fit_counts,
            )
            state = self._assign(state, unit_counts)
            refits.append(merge)
        view = state.views[VIEW]
        if unit == "documents":  # documents' mixtures from their own counts, as fitted
            view.doc_mixture = document_mixture(self.lda_, unit_counts, state.doc_ids)
        topic_word = np.asarray(self.lda_.components_)
        if self.columns_ is not None:  # back onto the whole vocabulary (zero outside LDA's)
            full = np.zeros((topic_word.shape[0], counts.shape[1]))
            full[:, self.columns_] = topic_word
            topic_word = full
        term_scores, selections = language_topic_terms(
            topic_word, counts, state.langs, topn=s.top_n_terms
        )
        term_scores["all"] = topic_word
        selections["all"] = select_terms(topic_word, counts, topn=s.top_n_terms)
        view.table = build_theme_table(
            VIEW,
            view.labels,
            term_scores,
            names,
            state.passages,
            top_n=s.top_n_terms,
            n_representative=s.n_representative,
            n_themes=self.lda_.n_components,
            selections=selections,
            display=display_function(state.vectorizer),
            mix_languages=False,  # "all" keeps the topic-word probabilities of the bars
            membership=view.membership,
            evidence=np.minimum(1.0, np.asarray(self._counts(counts).sum(axis=1)).ravel() / 20.0),
            titles=doc_titles(getattr(state.corpus, "documents", None)),
            counts=counts,
            label_words="shown",  # titles from the words the bars show
            min_weight_share=LANGUAGE_TERM_FLOOR,
        )
        view.metrics = {
            "k_selection": self.selection_,
            "theme_distances": hellinger_distances(topic_word),
            **topic_checks(
                view.labels, state.langs, self.lda_.n_components, joined=bool(self.neighbours_)
            ),
        }
        view.metrics["small_topic_rule"] = (
            "refit with fewer topics" if getattr(s, "lda_merge_small", False) else "flagged only"
        )
        if refits:
            view.metrics["small_topic_refit"] = refits
        chosen = self.selection_["candidates"].index(self.selection_["chosen"])
        view.metrics["seed_stability"] = {
            "mean_ari": self.selection_["stability"][chosen],
            "n_runs": self.selection_["restarts"],
        }
        for i in view.metrics["small_topics"]:
            logger.warning(
                "LDA topic %d holds %d passage(s), below the minimum of %d: read it with care",
                i,
                int(np.sum(view.labels == i)),
                view.metrics["min_topic_size"],
            )
        return state

    def _merge_small(
        self, state: RunState, section: Any, seed_topics: list[list[int]] | None
    ) -> dict[str, Any] | None:
        """Return the refit to make when topics fall below the minimum size, else None.

        ``{"from": K, "to": K - n_small, "small_topics": ids, "sizes": sizes}``; None
        when merging is off, no topic is small, fewer than two topics would be left or
        guided topics need more topics than that.
        """
        if not getattr(section, "lda_merge_small", False):
            return None
        labels = state.views[VIEW].labels
        k = int(self.lda_.n_components)
        small = topic_checks(labels, state.langs, k)["small_topics"]
        to = k - len(small)
        if not small or to < 2 or (seed_topics and len(seed_topics) > to):
            return None
        sizes = np.bincount(labels, minlength=k)
        logger.info("LDA: %d topic(s) below the minimum size; refitting with %d", len(small), to)
        return {
            "from": k,
            "to": to,
            "small_topics": [int(t) for t in small],
            "sizes": [int(sizes[t]) for t in small],
        }

    def transform(self, state: RunState) -> RunState:
        """Topic mixtures of the passages and the most likely topic of each."""
        return self._assign(state, self._unit_counts(state))

    def _assign(self, state: RunState, unit_counts: Any) -> RunState:
        """Set the view from the LDA units' counts (computed once per fit)."""
        doc_topic = self.lda_.transform(unit_counts)
        state.views[VIEW] = ViewState(labels=doc_topic.argmax(axis=1), membership=doc_topic)
        return state

    @classmethod
    def from_fitted(cls, lda: Any, columns: np.ndarray | None, neighbours: int = 0) -> LDAViewStage:
        """Wrap a fitted LDA model in a fitted stage (a loaded model)."""
        from topiclab.config import LDASection

        stage = cls(LDASection(n_topics=int(lda.n_components), lda_neighbours=int(neighbours)))
        stage.lda_ = lda
        stage.columns_ = None if columns is None else np.asarray(columns, dtype=np.intp)
        stage.selection_ = {}
        stage._fitted = True
        return stage
