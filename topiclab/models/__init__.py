"""Topic models over matrices: LDA on term counts, clusters on embeddings, c-TF-IDF terms.

Every estimator follows the scikit-learn contract (``fit`` / ``transform`` /
``fit_transform``), so it composes in a :class:`sklearn.pipeline.Pipeline`. gensim and
umap-learn are imported only when a model is fitted.

Examples
--------
>>> from topiclab.models import LDA, EmbeddingClusterer, class_tfidf, top_terms
>>> LDA(n_components=5, random_state=0)
LDA(n_components=5, random_state=0)
"""

from __future__ import annotations

from topiclab.models._ctfidf import class_tfidf, top_terms
from topiclab.models.cluster import EmbeddingClusterer
from topiclab.models.lda import LDA
from topiclab.models.lda_gibbs import GibbsLDA
from topiclab.models.reduce import Reducer, reduce_2d

__all__ = [
    "LDA",
    "EmbeddingClusterer",
    "GibbsLDA",
    "Reducer",
    "class_tfidf",
    "reduce_2d",
    "top_terms",
]
