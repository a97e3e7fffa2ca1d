"""The fitted model: the fitted stages of a run, able to assign new texts.

:class:`ThemeModel` is what :func:`topiclab.pipeline.run` returns beside the result and what
:func:`topiclab.load` restores. Its :meth:`~ThemeModel.transform` runs the same fitted
stages as the fit (embed, then the embedding view; vectorise, then the LDA view), so
predicting the fit's own passages returns the fit's assignments.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from topiclab.pipeline.base import Pipeline, RunState

__all__ = ["ThemeModel"]


class ThemeModel:
    """A fitted pipeline: texts -> memberships of every view.

    Parameters
    ----------
    pipeline : Pipeline
        The fitted stages.
    result : RunResult, optional
        The run's outputs.

    Attributes
    ----------
    pipeline : Pipeline
    result : RunResult or None
    vectorizer, embedder, clusterer, lda : estimator
        The fitted estimators of the vectorise, embed, embedding-view and LDA-view stages.
    lda_columns : ndarray or None
        The vocabulary columns LDA was fitted on (``None``: all of them).
    meta : dict
        Settings the transforms use (``context_weight``).
    """

    def __init__(self, pipeline: Pipeline, result: Any = None) -> None:
        self.pipeline = pipeline
        self.result = result

    @classmethod
    def from_estimators(
        cls,
        *,
        vectorizer: Any,
        lda: Any,
        embedder: Any,
        clusterer: Any,
        context_weight: float = 0.0,
        lda_columns: np.ndarray | None = None,
        result: Any = None,
    ) -> ThemeModel:
        """Build a model from fitted estimators (how a saved model is restored)."""
        from topiclab.pipeline.embedding_view import EmbeddingViewStage
        from topiclab.pipeline.lda_view import LDAViewStage
        from topiclab.pipeline.stages import EmbedStage, VectorizeStage

        stages = [
            VectorizeStage.from_fitted(vectorizer),
            EmbedStage.from_fitted(embedder),
            EmbeddingViewStage.from_fitted(clusterer, context_weight),
            LDAViewStage.from_fitted(lda, lda_columns),
        ]
        return cls(Pipeline(stages), result)

    # ------------------------------------------------------------------ estimators
    @property
    def vectorizer(self) -> Any:
        """The fitted :class:`~topiclab.features.vectorize.TextVectorizer`."""
        return self.pipeline["vectorize"].vectorizer_

    @property
    def embedder(self) -> Any:
        """The :class:`~topiclab.features.embed.SentenceEmbedder` (loads on first use)."""
        return self.pipeline["embed"].embedder_

    @property
    def clusterer(self) -> Any:
        """The fitted :class:`~topiclab.models.EmbeddingClusterer`."""
        return self.pipeline["cluster"].clusterer_

    @property
    def lda(self) -> Any:
        """The fitted :class:`~topiclab.models.LDA`."""
        return self.pipeline["lda"].lda_

    @property
    def lda_columns(self) -> np.ndarray | None:
        """Vocabulary columns LDA sees (``None``: all)."""
        return self.pipeline["lda"].columns_

    @property
    def meta(self) -> dict[str, Any]:
        """Settings the transforms use."""
        return {"context_weight": float(self.pipeline["cluster"].section.context_weight)}

    @property
    def views(self) -> list[str]:
        """Names of the views this model can assign texts to."""
        return [s.view for s in self.pipeline.stages if getattr(s, "view", None)]

    # ------------------------------------------------------------------ transforms
    def _stage_of(self, view: str) -> Any:
        for stage in self.pipeline.stages:
            if getattr(stage, "view", None) == view:
                return stage
        raise KeyError(f"this model has no {view!r} view (views: {self.views})")

    def transform_view(
        self,
        view: str,
        texts: Sequence[str],
        langs: Sequence[str] | None = None,
        *,
        doc_ids: Sequence[str] | None = None,
        embeddings: Any = None,
    ) -> np.ndarray:
        """Memberships of new texts in one view, shape (n_texts, n_themes); rows sum to 1.

        Parameters
        ----------
        view : str
            ``"embedding"``, ``"lda"`` or another view of the model.
        texts : sequence of str
            Passages or short documents.
        langs : sequence of str, optional
            Language of each text; detected when needed and not given.
        doc_ids : sequence of str, optional
            Document of each text. Passages of one document are read in its context, as
            during the fit; without ``doc_ids`` every text is its own document.
        embeddings : ndarray, optional
            Precomputed embeddings of ``texts`` (same model).
        """
        stage = self._stage_of(view)
        needed = self.pipeline.requirements(stage.name)
        if langs is None and "vectorize" not in needed:
            langs = ["und"] * len(texts)  # the embedding path does not use languages
        state = RunState.for_texts(texts, langs, doc_ids, embeddings)
        state = self.pipeline.transform(state, until=stage.name)
        membership = state.views[view].membership
        merged = self._merged_from(view)
        if merged:  # a reduced run: the fitted themes' memberships summed per merged theme
            from topiclab.analysis.hierarchy import merged_membership

            membership = merged_membership(membership, merged)
        return membership

    def _merged_from(self, view: str) -> dict[str, Any] | None:
        views = getattr(self.result, "views", None) or {}
        return views[view].metrics.get("merged_from") if view in views else None

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Sentence embeddings of ``texts`` with the run's model (loaded on first use)."""
        state = RunState.for_texts(texts, ["und"] * len(texts))
        return self.pipeline["embed"].transform(state).embeddings

    def transform(
        self,
        texts: Sequence[str],
        langs: Sequence[str] | None = None,
        *,
        doc_ids: Sequence[str] | None = None,
        embeddings: Any = None,
    ) -> np.ndarray:
        """Embedding-theme memberships of new texts, shape (n_texts, n_themes).

        See :meth:`transform_view`; rows sum to 1.
        """
        return self.transform_view(
            "embedding", texts, langs, doc_ids=doc_ids, embeddings=embeddings
        )

    def predict(
        self,
        texts: Sequence[str],
        *,
        doc_ids: Sequence[str] | None = None,
        embeddings: Any = None,
        view: str = "embedding",
    ) -> Any:
        """Return each text's most likely theme, with its label and score.

        Parameters
        ----------
        texts : sequence of str
        doc_ids : sequence of str, optional
            Document of each text (passages read in their document's context).
        embeddings : ndarray, optional
            Precomputed embeddings of ``texts``.
        view : str, default="embedding"

        Returns
        -------
        DataFrame
            One row per text: ``theme``, ``label``, ``score`` (membership of that theme),
            ``second`` and ``second_score`` (see
            :func:`topiclab.themes.predictions.predictions_frame`). :meth:`predict_ids`
            gives the ids alone; :meth:`transform` the whole membership matrix.
        """
        from topiclab.themes.predictions import predictions_frame

        membership = self.transform_view(view, texts, doc_ids=doc_ids, embeddings=embeddings)
        table = None
        if self.result is not None and view in getattr(self.result, "views", {}):
            table = self.result.views[view].table
        return predictions_frame(membership, table)

    def predict_ids(
        self, texts: Sequence[str], *, doc_ids: Sequence[str] | None = None, embeddings: Any = None
    ) -> np.ndarray:
        """Return the most likely embedding theme of each text (ids only)."""
        out = self.transform(texts, doc_ids=doc_ids, embeddings=embeddings)
        return np.asarray(out).argmax(axis=1)

    def transform_lda(self, texts: Sequence[str], langs: Sequence[str] | None = None) -> np.ndarray:
        """LDA topic mixtures of new texts, shape (n_texts, n_topics); rows sum to 1."""
        return self.transform_view("lda", texts, langs)

    def __repr__(self) -> str:
        return f"ThemeModel(stages={self.pipeline.names()}, views={self.views})"
