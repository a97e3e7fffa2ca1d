"""topiclab: find and interpret themes in collections of news articles.

The package imports nothing heavy at import time: torch, sentence-transformers,
umap, gensim and matplotlib are loaded inside the functions that need them.

Examples
--------
>>> import topiclab
>>> corpus = topiclab.ingest.load("corpus/")          # doctest: +SKIP
>>> corpus.documents[["title", "lang"]]               # doctest: +SKIP
"""

from __future__ import annotations

import logging
from importlib import import_module
from typing import Any

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

_LAZY = {
    "Corpus": ("topiclab.ingest.corpus", "Corpus"),
    "EmbeddingClusterer": ("topiclab.models", "EmbeddingClusterer"),
    "LDA": ("topiclab.models", "LDA"),
    "Pipeline": ("topiclab.pipeline", "Pipeline"),
    "RunConfig": ("topiclab.config", "RunConfig"),
    "RunResult": ("topiclab.themes", "RunResult"),
    "SentenceEmbedder": ("topiclab.features.embed", "SentenceEmbedder"),
    "TextVectorizer": ("topiclab.features.vectorize", "TextVectorizer"),
    "TopicLab": ("topiclab.estimator", "TopicLab"),
    "TopiclabError": ("topiclab.errors", "TopiclabError"),
    "ingest": ("topiclab.ingest", None),
    "load": ("topiclab.estimator", "load"),
    "run": ("topiclab.pipeline", "run"),
}

__all__ = sorted([*_LAZY, "__version__"])


def __getattr__(name: str) -> Any:
    """Resolve the public API lazily so that ``import topiclab`` stays light."""
    if name in _LAZY:
        module_name, attr = _LAZY[name]
        module = import_module(module_name)
        return module if attr is None else getattr(module, attr)
    raise AttributeError(f"module 'topiclab' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
