"""The LDA view: topics of word counts (gensim LDA), K chosen by coherence and diversity.

:class:`LDAViewStage` fits :class:`~topiclab.models.LDA` on the run's counts, restricted to
the terms in most passages (``lda_max_features``), for each candidate K, keeps the best
by NPMI + 0.5 x diversity of the selected top-10 terms, and describes each topic with its
topic-word weights.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np

from topiclab.pipeline.base import RunState, Stage, ViewState

logger = logging.getLogger(__name__)

__all__ = ["LDAViewStage", "fit_lda", "guided_term_ids", "lda_vocabulary"]

VIEW = "lda"


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


def lda_vocabulary(counts: Any, max_features: int | None) -> np.ndarray | None:
    """Columns of the ``max_features`` terms in most documents (sorted), or ``None`` for all.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> X = sp.csr_matrix(np.array([[1, 0, 2], [1, 1, 0], [1, 0, 1]]))
    >>> lda_vocabulary(X, 2).tolist()
    [0, 2]
    """
    if max_features is None or counts.shape[1] <= max_features:
        return None
    df = np.asarray((counts > 0).sum(axis=0)).ravel()
    order = np.lexsort((np.arange(df.size), -df))  # most documents first, ties by column
    return np.sort(order[:max_features]).astype(np.intp)


def fit_lda(
    counts: Any,
    tokenized: list[list[str]],
    feature_names: Sequence[str],
    section: Any,
    seed: int,
    seed_topics: list[list[int]] | None = None,
) -> tuple[Any, dict[str, Any]]:
    """Fit LDA, choosing K by NPMI coherence and diversity over a small range when not given.

    Parameters
    ----------
    counts : sparse matrix of shape (n_passages, n_terms)
    tokenized : list of list of str
        The passages' tokens (the coherence reference).
    feature_names : sequence of str
        Terms of the columns of ``counts``.
    section : LDASection or RunConfig
        ``n_topics`` and ``lda_passes``.
    seed : int
    seed_topics : list of list of int, optional
        Guided topics (columns of ``counts``).

    Returns
    -------
    lda : LDA
        The best model.
    selection : dict
        The candidates, their scores and the rule.
    """
    from topiclab.evaluate import coherence, topic_diversity
    from topiclab.models import LDA
    from topiclab.pipeline.speed import speed_settings
    from topiclab.pipeline.stages import coherence_reference
    from topiclab.themes.terms import select_terms

    n_docs = counts.shape[0]
    names = np.asarray(feature_names, dtype=object)
    fast = speed_settings(getattr(section, "speed", None))
    passes = int(section.lda_passes)
    if fast.max_lda_passes is not None:
        passes = min(passes, fast.max_lda_passes)
    if section.n_topics is not None:
        candidates = [section.n_topics]
    elif n_docs < 200:
        candidates = list(range(3, max(4, min(9, n_docs // 4 + 1))))
    else:
        candidates = list(fast.lda_candidates or (10, 15, 20, 30))
    reference, note = coherence_reference(tokenized, fast.coherence_max_docs)
    if seed_topics:
        candidates = [k for k in candidates if k >= len(seed_topics)] or [len(seed_topics)]
    selection: dict[str, Any] = {
        "candidates": candidates,
        "npmi": [],
        "diversity": [],
        "score": [],
        "rule": "NPMI + 0.5 * diversity of the selected top-10 terms (NPMI -1 if undefined)",
        "passes": passes,
        "coherence_reference": note,
    }
    from tqdm import tqdm

    best, best_score = None, -np.inf
    bar = tqdm(
        candidates,
        desc=f"LDA ({passes} passes)",
        unit="K",
        disable=not getattr(section, "progress", False) or len(candidates) < 2,
    )
    for k in bar:
        lda = LDA(
            n_components=k,
            passes=passes,
            random_state=seed,
            seed_topics=seed_topics,
        ).fit(counts)
        tops = [[str(names[j]) for j in c] for c in select_terms(lda.components_, counts, topn=10)]
        npmi, _ = coherence(tops, reference, measure="c_npmi", topn=10)
        div = topic_diversity(tops, topk=10)
        selection["npmi"].append(npmi)
        selection["diversity"].append(div)
        score = (npmi if np.isfinite(npmi) else -1.0) + 0.5 * div
        selection["score"].append(score)
        logger.info("LDA K=%d: NPMI %.3f, diversity %.3f", k, npmi, div)
        if score > best_score:
            best, best_score = lda, score
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

    def __init__(self, section: Any) -> None:
        self.section = section

    def _counts(self, counts: Any) -> Any:
        return counts if self.columns_ is None else counts[:, self.columns_]

    def fit(self, state: RunState) -> RunState:
        """Fit LDA on the counts, then assign the passages with :meth:`transform`'s path."""
        from topiclab.themes import build_theme_table
        from topiclab.themes.terms import select_terms

        s = self.section
        counts, names = state.counts, state.feature_names
        self.columns_ = lda_vocabulary(counts, s.lda_max_features)
        lda_names = names if self.columns_ is None else [names[j] for j in self.columns_]
        seed_topics = guided_term_ids(state.vectorizer, s.guided)
        if seed_topics and self.columns_ is not None:
            position = {int(j): i for i, j in enumerate(self.columns_)}
            seed_topics = [[position[j] for j in ids if j in position] for ids in seed_topics]
        self.lda_, self.selection_ = fit_lda(
            self._counts(counts), state.tokens, lda_names, s, s.seed, seed_topics
        )

        state = self.transform(state)
        view = state.views[VIEW]
        topic_word = np.asarray(self.lda_.components_)
        if self.columns_ is not None:  # back onto the whole vocabulary (zero outside LDA's)
            full = np.zeros((topic_word.shape[0], counts.shape[1]))
            full[:, self.columns_] = topic_word
            topic_word = full
        view.table = build_theme_table(
            VIEW,
            view.labels,
            {"all": topic_word},
            names,
            state.passages,
            scores=view.membership.max(axis=1),
            top_n=s.top_n_terms,
            n_representative=s.n_representative,
            n_themes=self.lda_.n_components,
            selections={"all": select_terms(topic_word, counts, topn=s.top_n_terms)},
        )
        view.metrics = {"k_selection": self.selection_}
        return state

    def transform(self, state: RunState) -> RunState:
        """Topic mixtures of the passages and the most likely topic of each."""
        doc_topic = self.lda_.transform(self._counts(state.counts))
        state.views[VIEW] = ViewState(labels=doc_topic.argmax(axis=1), membership=doc_topic)
        return state

    @classmethod
    def from_fitted(cls, lda: Any, columns: np.ndarray | None) -> LDAViewStage:
        """Wrap a fitted LDA model in a fitted stage (a loaded model)."""
        from topiclab.config import LDASection

        stage = cls(LDASection(n_topics=int(lda.n_components)))
        stage.lda_ = lda
        stage.columns_ = None if columns is None else np.asarray(columns, dtype=np.intp)
        stage.selection_ = {}
        stage._fitted = True
        return stage
