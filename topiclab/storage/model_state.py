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

from topiclab._state import plain_values
from topiclab.errors import ModelLoadError
from topiclab.storage import atomic as _io

logger = logging.getLogger(__name__)

__all__ = ["ModelLoadError", "load_model", "save_model"]

FORMAT_VERSION = 1
MANIFEST = "model.json"
ARRAYS = "arrays.npz"


#: Prefix of each component's arrays in ``arrays.npz``, and its key in ``model.json``.
_COMPONENTS = {"vectorizer": "vectorizer_", "lda": "lda_", "clusterer": "cluster_"}
_EMBEDDER = "embedder_"


def _arrays_out(arrays: dict[str, np.ndarray], prefix: str, own: dict[str, np.ndarray]) -> None:
    for name, value in own.items():
        arrays[prefix + name] = value


def _arrays_in(arrays: dict[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    return {k[len(prefix) :]: v for k, v in arrays.items() if k.startswith(prefix)}


def _embedder_state(embedder: Any, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    """Parameters of the embedder; a model object (not a name or path) is not saved.

    An embedder fitted on the corpus (the adapted one) saves its own state and arrays.
    """
    if callable(getattr(embedder, "get_state", None)):
        state, own = embedder.get_state()
        _arrays_out(arrays, _EMBEDDER, own)
        return state
    params = {k: v for k, v in embedder.get_params(deep=False).items() if k != "model"}
    model = embedder.model
    saved_model = model if model is None or isinstance(model, str) else None
    return {
        "params": {**plain_values(params, owner="embedder"), "model": saved_model},
        "model_id_": getattr(embedder, "model_id_", None),
    }


def _load_embedder(state: dict[str, Any], arrays: dict[str, np.ndarray] | None = None) -> Any:
    from topiclab.features.adapted import ADAPTED_MODEL, AdaptedEmbedder
    from topiclab.features.embed import SentenceEmbedder

    if state.get("kind") == ADAPTED_MODEL:
        return AdaptedEmbedder.from_state(state, _arrays_in(arrays or {}, _EMBEDDER))
    params = dict(state["params"])
    if params.get("model") is None and state.get("model_id_"):
        params["model"] = _UnsavedModel(str(state["model_id_"]))
    return SentenceEmbedder(**params)


class _UnsavedModel:
    """Stands for an embedding object that could not be saved; using it says so."""

    def __init__(self, model_id: str) -> None:
        self.model_id = model_id

    def encode(self, texts: list[str]) -> np.ndarray:
        from topiclab.errors import ModelNotAvailableError

        raise ModelNotAvailableError(
            f"this run was embedded with a Python object ({self.model_id}) that is not saved "
            "with the model; pass embeddings= to transform, or fit again with that object"
        )


# --------------------------------------------------------------------------- save / load
def save_model(model: Any, folder: str | os.PathLike[str]) -> Path:
    """Write ``model.json`` and ``arrays.npz`` for a fitted :class:`ThemeModel` (or ``TopicLab``)."""
    model = getattr(model, "model_", model)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, np.ndarray] = {}
    manifest: dict[str, Any] = {"format_version": FORMAT_VERSION}
    estimators = {"vectorizer": model.vectorizer, "lda": model.lda, "clusterer": model.clusterer}
    for key, est in estimators.items():
        state, own = est.get_state()
        manifest[key] = state
        _arrays_out(arrays, _COMPONENTS[key], own)
    manifest["embedder"] = _embedder_state(model.embedder, arrays)
    manifest["meta"] = model.meta
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
    from topiclab.features.vectorize import TextVectorizer
    from topiclab.models import LDA, EmbeddingClusterer
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
        parts = {
            "vectorizer": TextVectorizer.from_state(
                manifest["vectorizer"], _arrays_in(arrays, "vectorizer_")
            ),
            "lda": LDA.from_state(manifest["lda"], _arrays_in(arrays, "lda_")),
            "clusterer": EmbeddingClusterer.from_state(
                manifest["clusterer"], _arrays_in(arrays, "cluster_")
            ),
        }
        meta = dict(manifest.get("meta") or {})
        model = ThemeModel.from_estimators(
            **parts,
            embedder=_load_embedder(manifest["embedder"], arrays),
            context_weight=float(meta.get("context_weight", 0.0)),
            lda_columns=np.asarray(arrays["lda_columns"]) if "lda_columns" in arrays else None,
            lda_neighbours=int(meta.get("lda_neighbours", 0)),
        )
    except ModelLoadError as exc:
        raise ModelLoadError(f"{folder}: {exc}") from exc
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise ModelLoadError(f"{folder}: invalid saved model ({exc})") from exc
    return model
