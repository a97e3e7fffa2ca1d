"""The estimator-style entry point: ``TopicLab(...).fit(texts)``, then ``transform``.

:class:`TopicLab` follows the scikit-learn contract: the constructor only stores its
parameters (``get_params``/``set_params`` work, so does ``sklearn.base.clone``), ``fit``
runs the staged pipeline and sets the fitted attributes ending in ``_``, and the fitted
estimator assigns new texts with the same fitted stages. :func:`load` restores a saved one.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

logger = logging.getLogger(__name__)

__all__ = ["TopicLab", "load"]

_MAX_SEED = 2**31 - 2


class TopicLab(BaseEstimator):
    """Find themes in news articles: embedding themes and LDA topics, with labels and scores.

    Parameters
    ----------
    n_themes : int or None, default=None
        Number of embedding themes; ``None`` chooses it from the data.
    n_topics : int or None, default=None
        Number of LDA topics; ``None`` chooses it by coherence and diversity.
    lang_mode : {"auto", "en", "multilingual"}, default="auto"
        Which bundled embedding model to use (see :class:`topiclab.config.RunConfig`).
    embedding_model : str or None, default=None
        A model name or local folder overriding ``lang_mode``.
    embedder : object, default=None
        An embedding object with ``encode(texts)`` (or a ``SentenceEmbedder``) used instead
        of ``embedding_model``. It is not saved with the model.
    clusterer : scikit-learn clusterer, default=None
        An unfitted clusterer (``AgglomerativeClustering(n_clusters=8)``, ...) used instead
        of the built-in clustering of the embedding view.
    cluster_method : {"auto", "hdbscan", "kmeans"}, default="auto"
    reassign_outliers : bool, default=True
    context_weight : float, default=0.5
        Weight of a passage's document when embedding it for clustering.
    language_themes : bool, default=False
        Keep themes made of one minority language only.
    guided : sequence of str or GuidedTheme, default=()
        Themes to steer towards, as ``"name: word, word"`` strings.
    top_n_terms : int, default=10
    n_representative : int, default=3
    lda_passes : int, default=20
    lda_max_features : int or None, default=None
    min_df, max_df : float or None, default=None
    batch_size : int, default=32
        Embedding batch size.
    precision : {"auto", "float32"}, default="auto"
        Precision of the transformer's forward passes: ``"auto"`` uses float16 on CUDA
        and bfloat16 on a CPU that multiplies it in hardware, ``"float32"`` always
        float32 (see :class:`topiclab.features.embed.SentenceEmbedder`).
    progress : bool, default=False
        Progress bars and stage logs.
    speed : {"fast", "balanced", "best"} or None, default=None
        Embedding model, passage granularity and LDA search effort
        (:mod:`topiclab.pipeline.speed`); ``None`` picks by corpus size.
    cluster_neighbors : int or None, default=None
        UMAP neighbourhood of the clustering's reduction; ``None`` chooses it from the
        number of passages (see :class:`topiclab.config.RunConfig`).
    layout_sample : int or None, default=None
        Above this many passages, the clustering's and the map's UMAP layouts are fitted
        on a deterministic sample of about this many and the others are placed from their
        nearest sample passages (the Spark engine lays out the same sample); ``None``: the
        speed mode's (:func:`topiclab.pipeline.speed.layout_sample`); ``0``: every
        passage.
    sections : bool, default=True
        Give every theme the broad news section it is clearly closest to ("Sport",
        "Politics"; :mod:`topiclab.themes.sections`), in ``Theme.section``.
    n_jobs : int or None, default=None
        Stages fitted at the same time (the LDA view in a worker process beside the
        embedding view); ``None``: the machine's cores for 2,000 passages or more, ``1``:
        one after another. The fitted themes do not depend on it.
    random_state : int, RandomState instance or None, default=0
        The one seed every stochastic stage derives its own from.

    Attributes
    ----------
    result_ : RunResult
        Everything the fit produced, as plain data (tables, views, metrics, provenance).
    model_ : ThemeModel
        The fitted stages.
    config_ : RunConfig
        The configuration the fit ran with.
    themes_ : ThemeTable
        The embedding themes.
    topics_ : ThemeTable
        The LDA topics.
    labels_ : ndarray of shape (n_passages,)
        The embedding theme of each passage of the fitted corpus.
    passages_ : DataFrame
        The fitted corpus's passages with their themes.

    Examples
    --------
    >>> from topiclab import TopicLab
    >>> tl = TopicLab(n_themes=4, random_state=0).fit("corpus/")        # doctest: +SKIP
    >>> tl.themes_.to_frame()[["label", "size"]]                       # doctest: +SKIP
    >>> tl.predict(["Battery storage for the power grid"])             # doctest: +SKIP
    >>> tl.save("runs/demo"); topiclab.load("runs/demo")               # doctest: +SKIP
    """

    def __init__(
        self,
        n_themes: int | None = None,
        n_topics: int | None = None,
        *,
        lang_mode: str = "auto",
        embedding_model: str | None = None,
        embedder: Any = None,
        clusterer: Any = None,
        cluster_method: str = "auto",
        reassign_outliers: bool = True,
        context_weight: float = 0.5,
        language_themes: bool = False,
        guided: Sequence[Any] = (),
        top_n_terms: int = 10,
        n_representative: int = 3,
        lda_passes: int = 20,
        lda_max_features: int | None = None,
        min_df: float | None = None,
        max_df: float | None = None,
        batch_size: int = 32,
        precision: str = "auto",
        progress: bool = False,
        random_state: int | np.random.RandomState | None = 0,
        speed: str | None = None,
        cluster_neighbors: int | None = None,
        layout_sample: int | None = None,
        sections: bool = True,
        n_jobs: int | None = None,
    ) -> None:
        self.n_themes = n_themes
        self.n_topics = n_topics
        self.lang_mode = lang_mode
        self.embedding_model = embedding_model
        self.embedder = embedder
        self.clusterer = clusterer
        self.cluster_method = cluster_method
        self.reassign_outliers = reassign_outliers
        self.context_weight = context_weight
        self.language_themes = language_themes
        self.guided = guided
        self.top_n_terms = top_n_terms
        self.n_representative = n_representative
        self.lda_passes = lda_passes
        self.lda_max_features = lda_max_features
        self.min_df = min_df
        self.max_df = max_df
        self.batch_size = batch_size
        self.precision = precision
        self.progress = progress
        self.random_state = random_state
        self.speed = speed
        self.n_jobs = n_jobs
        self.cluster_neighbors = cluster_neighbors
        self.layout_sample = layout_sample
        self.sections = sections

    # ------------------------------------------------------------------ fitting
    def _config(self) -> Any:
        from topiclab.config import GuidedTheme, RunConfig

        rs = self.random_state
        if isinstance(rs, int | np.integer) and not isinstance(rs, bool):
            seed = int(rs)
        else:
            seed = int(check_random_state(rs).randint(_MAX_SEED))
        guided = tuple(
            g if isinstance(g, GuidedTheme) else GuidedTheme.parse(g) for g in self.guided
        )
        return RunConfig(
            seed=seed,
            lang_mode=self.lang_mode,
            embedding_model=self.embedding_model,
            n_themes=self.n_themes,
            n_topics=self.n_topics,
            cluster_method=self.cluster_method,
            cluster_neighbors=self.cluster_neighbors,
            layout_sample=self.layout_sample,
            reassign_outliers=self.reassign_outliers,
            context_weight=self.context_weight,
            language_themes=self.language_themes,
            guided=guided,
            top_n_terms=self.top_n_terms,
            n_representative=self.n_representative,
            lda_passes=self.lda_passes,
            lda_max_features=self.lda_max_features,
            min_df=self.min_df,
            max_df=self.max_df,
            batch_size=self.batch_size,
            precision=self.precision,
            progress=self.progress,
            speed=self.speed,
            sections=self.sections,
            n_jobs=self.n_jobs,
        )

    def fit(
        self,
        X: Any,
        y: None = None,
        *,
        embeddings: np.ndarray | None = None,
    ) -> TopicLab:
        """Find the themes of a corpus.

        Parameters
        ----------
        X : sequence of str, Corpus, or path
            Article texts (each cleaned and split into passages like a file would be),
            an ingested :class:`~topiclab.ingest.corpus.Corpus`, or a file or folder to
            read (txt/md/html, csv/tsv, jsonl[.gz], parquet).
        y : None
            Ignored.
        embeddings : ndarray, optional
            Precomputed embeddings of the corpus's passages, in passage order.

        Returns
        -------
        TopicLab
            The fitted estimator.
        """
        from topiclab.pipeline import run

        config = self._config()
        corpus = _as_corpus(X, progress=self.progress, n_jobs=self.n_jobs)
        result, model = run(
            corpus, config, embeddings=embeddings, embedder=self.embedder, clusterer=self.clusterer
        )
        self._set_fitted(config, result, model)
        return self

    def _set_fitted(self, config: Any, result: Any, model: Any) -> None:
        self.config_ = config
        self.result_ = result
        self.model_ = model
        self.passages_ = result.passages
        self.labels_ = result.passages["theme"].to_numpy() if "embedding" in result.views else None
        self.themes_ = result.views["embedding"].table if "embedding" in result.views else None
        self.topics_ = result.views["lda"].table if "lda" in result.views else None

    # ---------------------------------------------------------------- inference
    def transform(
        self,
        texts: Sequence[str],
        *,
        view: str = "embedding",
        langs: Sequence[str] | None = None,
        doc_ids: Sequence[str] | None = None,
        embeddings: np.ndarray | None = None,
    ) -> np.ndarray:
        """Return the theme memberships of new texts in one view; rows sum to 1.

        Parameters
        ----------
        texts : sequence of str
            Passages or short articles; each is its own document unless ``doc_ids`` groups
            them.
        view : str, default="embedding"
            ``"embedding"`` themes or ``"lda"`` topics.
        langs : sequence of str, optional
            Language codes (detected when the view needs them and they are not given).
        doc_ids : sequence of str, optional
            Document of each text.
        embeddings : ndarray, optional
            Precomputed embeddings of ``texts``.

        Returns
        -------
        ndarray of shape (n_texts, n_themes)
        """
        check_is_fitted(self, "model_")
        return self.model_.transform_view(
            view, list(texts), langs, doc_ids=doc_ids, embeddings=embeddings
        )

    def predict(
        self,
        texts: Sequence[str],
        *,
        doc_ids: Sequence[str] | None = None,
        embeddings: np.ndarray | None = None,
        view: str = "embedding",
    ) -> Any:
        """Return each text's most likely theme, with its label and score.

        Parameters
        ----------
        texts : sequence of str
        doc_ids : sequence of str, optional
            Document of each text.
        embeddings : ndarray, optional
            Precomputed embeddings of ``texts``.
        view : str, default="embedding"
            ``"embedding"`` themes or ``"lda"`` topics.

        Returns
        -------
        DataFrame
            One row per text: ``theme`` (id), ``label``, ``score`` (membership of that
            theme), ``second`` and ``second_score`` (the runner-up). :meth:`predict_ids`
            returns the ids alone, :meth:`transform` the membership matrix.

        Examples
        --------
        >>> tl.predict(["Battery storage for the power grid"])   # doctest: +SKIP
           theme                                   label  score  second  second_score
        0      0  Energy storage system, technologies ...   0.71       4          0.12
        """
        from topiclab.themes.predictions import predictions_frame

        membership = self.transform(texts, view=view, doc_ids=doc_ids, embeddings=embeddings)
        table = self.result_.views[view].table if view in self.result_.views else None
        return predictions_frame(membership, table)

    def predict_ids(
        self,
        texts: Sequence[str],
        *,
        doc_ids: Sequence[str] | None = None,
        embeddings: np.ndarray | None = None,
    ) -> np.ndarray:
        """Return the most likely embedding theme of each text (an array of ids)."""
        return self.transform(texts, doc_ids=doc_ids, embeddings=embeddings).argmax(axis=1)

    def transform_lda(self, texts: Sequence[str], langs: Sequence[str] | None = None) -> np.ndarray:
        """Return the LDA topic mixtures of new texts."""
        return self.transform(texts, view="lda", langs=langs)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return sentence embeddings of ``texts`` from the fitted embedding model."""
        check_is_fitted(self, "model_")
        return self.model_.embed(texts)

    # ---------------------------------------------------------------- analyses
    def themes_over_time(self, **kwargs: Any) -> Any:
        """Return each theme's share per period; see :func:`topiclab.analysis.themes_over_time`."""
        from topiclab.analysis.over_time import themes_over_time

        check_is_fitted(self, "result_")
        return themes_over_time(self.result_, **kwargs)

    def themes_by_class(self, column: str, **kwargs: Any) -> Any:
        """Return each theme's share per value of a document column (``source``, ``lang``)."""
        from topiclab.analysis.by_class import themes_by_class

        check_is_fitted(self, "result_")
        return themes_by_class(self.result_, column, **kwargs)

    def theme_tree(self) -> Any:
        """Return the merge tree of the themes (average linkage on theme centroids)."""
        from topiclab.analysis.hierarchy import theme_tree

        check_is_fitted(self, "model_")
        return theme_tree(self.result_, self.model_)

    def reduce_themes(self, n_themes: int) -> Any:
        """Return a new result with the themes merged along the tree down to ``n_themes``."""
        from topiclab.analysis.hierarchy import reduce_themes

        check_is_fitted(self, "model_")
        return reduce_themes(self.result_, n_themes, self.model_)

    def merge_themes(self, groups: Sequence[Sequence[int]]) -> Any:
        """Return a new result in which each group of theme ids is one theme."""
        from topiclab.analysis.hierarchy import merge_themes

        check_is_fitted(self, "model_")
        return merge_themes(self.result_, groups, model=self.model_)

    def find_themes(self, query: str, top_n: int = 5) -> Any:
        """Return the themes closest to ``query`` by the run's own embedding model."""
        from topiclab.analysis.search import find_themes

        check_is_fitted(self, "model_")
        return find_themes(self.model_, query, top_n, result=self.result_)

    def assign(self, source: Any, **kwargs: Any) -> Any:
        """Clean and assign new articles; flag those far from every theme.

        See :func:`topiclab.analysis.assign_new`.
        """
        from topiclab.analysis.assign import assign_new

        check_is_fitted(self, "model_")
        return assign_new(self.model_, source, **kwargs)

    @property
    def result(self) -> Any:
        """The fitted :class:`~topiclab.themes.RunResult` (``result_``)."""
        check_is_fitted(self, "result_")
        return self.result_

    # ------------------------------------------------------------------ storage
    def save(
        self,
        path: str | os.PathLike[str],
        *,
        figures: bool = False,
        report: bool = False,
    ) -> Any:
        """Write the fitted run (tables, themes, metrics, model) to the folder ``path``.

        The folder is replaced atomically; :func:`topiclab.load` reads it back.

        Parameters
        ----------
        path : str or os.PathLike
        figures, report : bool, default=False
            Also render the figures and the HTML report into it.

        Returns
        -------
        pathlib.Path
        """
        from topiclab.storage.runs import save_run

        check_is_fitted(self, "model_")
        return save_run(path, self.result_, self.model_, figures=figures, report=report)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.non_deterministic = False
        return tags


def _as_corpus(X: Any, *, progress: bool, n_jobs: int | None = None) -> Any:
    from topiclab.ingest import load as load_path
    from topiclab.ingest.corpus import Corpus

    if isinstance(X, Corpus):
        return X
    if isinstance(X, str | os.PathLike):
        return load_path(X, progress=progress, n_jobs=n_jobs)
    if isinstance(X, Sequence) or hasattr(X, "__iter__"):
        from topiclab.ingest import from_texts

        return from_texts(list(X), progress=progress, n_jobs=n_jobs)
    raise TypeError(f"X must be texts, a Corpus or a path, got {type(X).__name__}")


def load(path: str | os.PathLike[str]) -> TopicLab:
    """Load a saved run as a fitted :class:`TopicLab` (no pickle; checksums verified).

    Parameters
    ----------
    path : str or os.PathLike
        A run folder written by :meth:`TopicLab.save` or ``topiclab run``.

    Returns
    -------
    TopicLab
        Fitted: ``result_``, ``model_``, ``themes_``, ``predict``, ``transform`` ...

    Examples
    --------
    >>> import topiclab
    >>> model = topiclab.load("runs/latest")             # doctest: +SKIP
    >>> model.predict(["Battery storage for the grid"])   # doctest: +SKIP
    """
    from topiclab.config import RunConfig
    from topiclab.storage.runs import load as load_run

    model = load_run(path)
    config = RunConfig.from_dict(model.result.config)
    est = TopicLab(
        **{
            k: getattr(config, k)
            for k in TopicLab().get_params()
            if k not in ("embedder", "clusterer", "random_state") and hasattr(config, k)
        },
        random_state=config.seed,
    )
    est._set_fitted(config, model.result, model)
    return est
