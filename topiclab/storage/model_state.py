"""Save and load a fitted :class:`~topiclab.pipeline.model.ThemeModel` without pickle.

A model folder holds ``model.json`` (parameters, vocabulary, phrases, provenance and the
sha256 of the arrays file) and ``arrays.npz`` (read with ``allow_pickle=False``). Loading
rebuilds each estimator from its parameters and fitted arrays; nothing in the folder is
executed, and a tampered or truncated file fails with :class:`ModelLoadError`.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
from pathlib import Path
from typing import Any

import numpy as np

from topiclab.storage import atomic as _io

log = logging.getLogger(__name__)

__all__ = ["ModelLoadError", "load_model", "save_model"]

FORMAT_VERSION = 1
MANIFEST = "model.json"
ARRAYS = "arrays.npz"


class ModelLoadError(ValueError):
    """A saved model is missing, truncated, tampered with or of an unknown format."""


def _plain_params(est: Any, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    out = {}
    for k, v in est.get_params(deep=False).items():
        if k in drop:
            continue
        if isinstance(v, np.generic):
            v = v.item()
        if isinstance(v, tuple):
            v = list(v)
        if v is None or isinstance(v, str | int | float | bool | list):
            out[k] = v
        else:
            raise TypeError(f"{type(est).__name__}.{k}={v!r} cannot be saved as JSON")
    return out


# --------------------------------------------------------------------------- vectoriser
def _vectorizer_state(vec: Any, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    phrase = vec.phrase_model_
    passes = []
    if phrase is not None:
        for frozen in phrase.models_:
            passes.append(
                {
                    "delimiter": frozen.delimiter,
                    "threshold": float(frozen.threshold),
                    "min_count": int(frozen.min_count),
                    "scoring": "npmi" if "npmi" in str(frozen.scoring) else "default",
                    "connector_words": sorted(frozen.connector_words),
                    "phrasegrams": sorted([k, float(s)] for k, s in frozen.phrasegrams.items()),
                }
            )
    if vec.tfidf_ is not None:
        arrays["vectorizer_idf"] = np.asarray(vec.tfidf_.idf_, dtype=np.float64)
    return {
        "params": _plain_params(vec),
        "features": [str(t) for t in vec.get_feature_names_out()],
        "min_df_": vec.min_df_,
        "max_df_": vec.max_df_,
        "phrases": None
        if phrase is None
        else {
            "params": _plain_params(phrase),
            "min_count_": int(phrase.min_count_),
            "phrases_": sorted([k, float(v)] for k, v in phrase.phrases_.items()),
            "passes": passes,
        },
    }


def _load_vectorizer(state: dict[str, Any], arrays: Any) -> Any:
    from gensim.models.phrases import Phrases
    from sklearn.feature_extraction.text import TfidfTransformer

    from topiclab.features.vectorize import PhraseModel, TextVectorizer

    vec = TextVectorizer(**state["params"])
    features = state["features"]
    vocab = {t: i for i, t in enumerate(features)}
    cv = vec._count_vectorizer(1, 1.0)
    cv.set_params(vocabulary=vocab, min_df=1, max_df=1.0)
    cv._validate_vocabulary()
    vec.count_vectorizer_ = cv
    vec.vocabulary_ = dict(vocab)
    vec.n_features_out_ = len(vocab)
    vec.min_df_, vec.max_df_ = state["min_df_"], state["max_df_"]
    ph = state["phrases"]
    if ph is None:
        vec.phrase_model_, vec.phrases_ = None, {}
    else:
        pm = PhraseModel(
            **{k: (tuple(v) if isinstance(v, list) else v) for k, v in ph["params"].items()}
        )
        pm.min_count_ = ph["min_count_"]
        pm.phrases_ = {k: float(v) for k, v in ph["phrases_"]}
        pm.models_ = []
        for p in ph["passes"]:
            frozen = Phrases(
                min_count=p["min_count"],
                threshold=p["threshold"],
                scoring=p["scoring"],
                delimiter=p["delimiter"],
                connector_words=frozenset(p["connector_words"]),
            ).freeze()
            frozen.phrasegrams = {k: float(s) for k, s in p["phrasegrams"]}
            pm.models_.append(frozen)
        vec.phrase_model_ = pm
        vec.phrases_ = dict(pm.phrases_)
    if "vectorizer_idf" in arrays:
        tf = TfidfTransformer(norm=vec.norm, sublinear_tf=vec.sublinear_tf)
        tf.idf_ = np.asarray(arrays["vectorizer_idf"])
        tf.n_features_in_ = len(vocab)
        vec.tfidf_ = tf
    else:
        vec.tfidf_ = None
    return vec


# --------------------------------------------------------------------------- LDA
_LDA_ARRAYS = ("components_", "exp_dirichlet_component_", "alpha_")


def _lda_state(lda: Any, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    for name in _LDA_ARRAYS:
        arrays[f"lda_{name}"] = np.asarray(getattr(lda, name), dtype=np.float64)
    arrays["lda_eta_"] = np.asarray(lda.eta_, dtype=np.float64)
    seeds = lda.seed_topics
    return {
        "params": _plain_params(lda, drop=("seed_topics", "random_state")),
        "random_state": lda.random_state if isinstance(lda.random_state, int) else None,
        "seed_topics": None if seeds is None else [[int(i) for i in s] for s in seeds],
        "gamma_threshold": float(lda.gamma_threshold_),
        "n_features_in_": int(lda.n_features_in_),
    }


def _load_lda(state: dict[str, Any], arrays: Any) -> Any:
    from topiclab.models import LDA

    lda = LDA(
        **state["params"], random_state=state["random_state"], seed_topics=state["seed_topics"]
    )
    for name in _LDA_ARRAYS:
        setattr(lda, name, np.asarray(arrays[f"lda_{name}"]))
    lda.eta_ = np.asarray(arrays["lda_eta_"])
    lda.gamma_threshold_ = state["gamma_threshold"]
    lda.n_features_in_ = state["n_features_in_"]
    k, v = lda.components_.shape
    if lda.exp_dirichlet_component_.shape != (k, v) or lda.alpha_.shape != (k,):
        raise ModelLoadError("LDA arrays have inconsistent shapes")
    return lda


# --------------------------------------------------------------------------- clusterer
def _clusterer_state(cl: Any, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    arrays["cluster_centers_"] = np.asarray(cl.cluster_centers_, dtype=np.float64)
    if cl.seed_embeddings is not None:
        arrays["cluster_seed_embeddings"] = np.asarray(cl.seed_embeddings, dtype=np.float64)
    return {
        "params": _plain_params(cl, drop=("seed_embeddings", "random_state")),
        "random_state": cl.random_state if isinstance(cl.random_state, int) else None,
        "n_features_in_": int(cl.n_features_in_),
        "method_": getattr(cl, "method_", None),
    }


def _load_clusterer(state: dict[str, Any], arrays: Any) -> Any:
    from topiclab.models import EmbeddingClusterer

    seeds = arrays["cluster_seed_embeddings"] if "cluster_seed_embeddings" in arrays else None
    cl = EmbeddingClusterer(
        **state["params"], random_state=state["random_state"], seed_embeddings=seeds
    )
    cl.cluster_centers_ = np.asarray(arrays["cluster_centers_"])
    cl.n_clusters_ = int(cl.cluster_centers_.shape[0])
    cl.n_features_in_ = state["n_features_in_"]
    cl.method_ = state["method_"]
    if cl.cluster_centers_.ndim != 2 or cl.cluster_centers_.shape[1] != cl.n_features_in_:
        raise ModelLoadError("cluster centres have an inconsistent shape")
    return cl


# --------------------------------------------------------------------------- save / load
def save_model(model: Any, folder: str | os.PathLike[str]) -> Path:
    """Write ``model.json`` and ``arrays.npz`` for a fitted :class:`ThemeModel`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, np.ndarray] = {}
    manifest: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "vectorizer": _vectorizer_state(model.vectorizer, arrays),
        "lda": _lda_state(model.lda, arrays),
        "clusterer": _clusterer_state(model.clusterer, arrays),
        "embedder": {
            "params": _plain_params(model.embedder),
            "model_id_": getattr(model.embedder, "model_id_", None),
        },
        "meta": model.meta,
    }
    if model.lda_columns is not None:
        arrays["lda_columns"] = np.asarray(model.lda_columns, dtype=np.int64)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    data = buf.getvalue()
    manifest["arrays_sha256"] = hashlib.sha256(data).hexdigest()
    _io.write_bytes(folder / ARRAYS, data)
    _io.write_json(folder / MANIFEST, manifest)
    return folder


def load_model(folder: str | os.PathLike[str]) -> Any:
    """Rebuild a :class:`ThemeModel` saved by :func:`save_model`."""
    from topiclab.features.embed import SentenceEmbedder
    from topiclab.pipeline.model import ThemeModel

    folder = Path(folder)
    man_path, arr_path = folder / MANIFEST, folder / ARRAYS
    try:
        manifest = json.loads(man_path.read_text(encoding="utf-8"))
        data = arr_path.read_bytes()
    except FileNotFoundError as exc:
        raise ModelLoadError(f"{exc.filename}: missing (not a saved model?)") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelLoadError(f"{man_path}: corrupt or truncated JSON ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format_version") != FORMAT_VERSION:
        raise ModelLoadError(f"{man_path}: unknown model format")
    if hashlib.sha256(data).hexdigest() != manifest.get("arrays_sha256"):
        raise ModelLoadError(f"{arr_path}: checksum mismatch (file truncated or modified)")
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
        model = ThemeModel(
            vectorizer=_load_vectorizer(manifest["vectorizer"], arrays),
            lda=_load_lda(manifest["lda"], arrays),
            embedder=SentenceEmbedder(**manifest["embedder"]["params"]),
            clusterer=_load_clusterer(manifest["clusterer"], arrays),
            meta=dict(manifest.get("meta") or {}),
            lda_columns=np.asarray(arrays["lda_columns"]) if "lda_columns" in arrays else None,
        )
    except ModelLoadError as exc:
        raise ModelLoadError(f"{folder}: {exc}") from exc
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise ModelLoadError(f"{folder}: invalid saved model ({exc})") from exc
    return model
