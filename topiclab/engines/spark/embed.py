"""Sentence embeddings on Spark executors: one model per executor process, its own disk cache.

:func:`embedding_udf` returns an iterator pandas UDF. The embedder travels to the executors
unfitted (a :class:`~topiclab.features.embed.SentenceEmbedder` only stores its arguments),
is fitted once per Python worker process and kept in :data:`_LOADED` for every later batch
and task of that process. Its content-addressed cache is the executor machine's own
(``TOPICLAB_CACHE`` there, or the default folder), and ``device="auto"`` puts it on CUDA
when the executor has a GPU.
"""

import hashlib
import logging
import pickle
from collections.abc import Iterator
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

__all__ = ["embedding_udf", "executor_embedder"]

#: Embedders loaded in this process, by the digest of their pickled (unfitted) form.
_LOADED: dict[str, Any] = {}


def executor_embedder(payload: bytes) -> Any:
    """Return the fitted embedder for ``payload`` (a pickled unfitted embedder), loading it once."""
    key = hashlib.sha256(payload).hexdigest()
    emb = _LOADED.get(key)
    if emb is None:
        emb = pickle.loads(payload)
        emb.fit()
        _LOADED[key] = emb
    return emb


def shippable(embedder: Any) -> Any:
    """Return what to send to executors: an unfitted clone of a SentenceEmbedder, else the object."""
    from sklearn.base import clone

    from topiclab.features.embed import SentenceEmbedder

    if isinstance(embedder, SentenceEmbedder):
        return clone(embedder)
    return embedder


def _by_value(obj: Any, cloudpickle: Any) -> None:
    """Ship the class of a user's encoder by value when executors cannot import its module.

    Classes from installed packages travel by reference as usual; a class defined in a
    script, a notebook or a module on the driver's path only is pickled with its code.
    """
    import sys

    name = type(obj).__module__
    module = sys.modules.get(name)
    if module is None or name == "__main__" or name.split(".")[0] in ("topiclab", "builtins"):
        return
    path = getattr(module, "__file__", None) or ""
    if "site-packages" in path or "dist-packages" in path:
        return
    cloudpickle.register_pickle_by_value(module)


def embedding_udf(embedder: Any) -> Any:
    """Build a pandas UDF ``text -> array<float>`` that embeds with ``embedder`` on executors.

    Parameters
    ----------
    embedder : SentenceEmbedder
        An embedder (fitted or not); an unfitted copy is shipped (with cloudpickle, so any
        object with ``encode()`` wrapped in a ``SentenceEmbedder`` works too).

    Returns
    -------
    pyspark UDF
    """
    import pandas as pd
    from pyspark import cloudpickle
    from pyspark.sql.functions import pandas_udf

    shipped = shippable(embedder)
    _by_value(getattr(shipped, "model", shipped), cloudpickle)
    payload = cloudpickle.dumps(shipped)

    @pandas_udf("array<float>")
    def embed(batches: Iterator[pd.Series]) -> Iterator[pd.Series]:
        emb = executor_embedder(payload)
        for texts in batches:
            vectors = np.asarray(emb.transform(texts.astype(str).tolist()), dtype=np.float32)
            yield pd.Series(list(vectors))

    return embed
