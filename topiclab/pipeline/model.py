"""The fitted theme model: vectoriser, LDA, embedder and clusterer used together.

:class:`ThemeModel` is what ``topiclab run`` saves and :func:`topiclab.load` returns; its
:meth:`~ThemeModel.transform` assigns new texts to the themes exactly as the fit did.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["ThemeModel"]


@dataclass
class ThemeModel:
    """A fitted pipeline: texts -> (embedding themes, LDA topics).

    Attributes
    ----------
    vectorizer : topiclab.features.vectorize.TextVectorizer
        Fitted count vectoriser (tokenisation per language, phrases, vocabulary).
    lda : topiclab.models.LDA
        Fitted LDA over the vectoriser's counts.
    embedder : topiclab.features.embed.SentenceEmbedder
        Sentence embedder (model id recorded; cached).
    clusterer : topiclab.models.EmbeddingClusterer
        Fitted clusterer; its ``transform`` gives soft theme memberships.
    result : topiclab.themes.RunResult or None
        The run's outputs, when loaded from a run directory.
    meta : dict
        Settings the transforms need (``context_weight``).
    lda_columns : ndarray or None
        The vocabulary columns LDA was fitted on (``None``: all of them).
    """

    vectorizer: Any
    lda: Any
    embedder: Any
    clusterer: Any
    result: Any = None
    meta: dict[str, Any] = field(default_factory=dict)
    lda_columns: np.ndarray | None = None

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Sentence embeddings of ``texts`` with the run's model (loaded on first use)."""
        if not hasattr(self.embedder, "model_id_"):
            self.embedder.fit()
        return self.embedder.transform(list(texts))

    def transform(
        self,
        texts: Sequence[str],
        langs: Sequence[str] | None = None,
        *,
        doc_ids: Sequence[str] | None = None,
        embeddings=None,
    ) -> np.ndarray:
        """Embedding-theme memberships of new texts, shape (n_texts, n_themes); rows sum to 1.

        Parameters
        ----------
        texts : sequence of str
            Passages or short documents.
        langs : sequence of str, optional
            Unused by the embedding view; accepted for symmetry with :meth:`transform_lda`.
        doc_ids : sequence of str, optional
            Document of each text. Passages of one document are read in its context, as
            during the fit; without ``doc_ids`` every text is its own document.
        embeddings : ndarray, optional
            Precomputed embeddings of ``texts`` (same model).
        """
        from topiclab.models.crosslingual import blend_document_context

        emb = self.embed(texts) if embeddings is None else np.asarray(embeddings)
        docs = list(doc_ids) if doc_ids is not None else [str(i) for i in range(len(emb))]
        weight = float(self.meta.get("context_weight", 0.0))
        return self.clusterer.transform(blend_document_context(emb, docs, weight))

    def predict(
        self, texts: Sequence[str], *, doc_ids: Sequence[str] | None = None, embeddings=None
    ) -> np.ndarray:
        """The most likely embedding theme of each text."""
        out = self.transform(texts, doc_ids=doc_ids, embeddings=embeddings)
        return np.asarray(out).argmax(axis=1)

    def transform_lda(self, texts: Sequence[str], langs: Sequence[str] | None = None) -> np.ndarray:
        """LDA topic mixtures of new texts, shape (n_texts, n_topics); rows sum to 1."""
        langs = list(langs) if langs is not None else _detect(texts)
        counts = self.vectorizer.transform(list(texts), langs=langs)
        if self.lda_columns is not None:
            counts = counts[:, self.lda_columns]
        return self.lda.transform(counts)


def _detect(texts: Sequence[str]) -> list[str]:
    from topiclab.ingest.lang import detect

    return [detect(t) for t in texts]
