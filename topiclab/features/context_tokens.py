"""Word-piece vectors read in the corpus's own context, for the fast embedding's map.

A static model gives each word piece one vector, computed by the transformer from the
piece alone ("[CLS] piece [SEP]"): "key" is the same in a cryptography post and in a
piano post, and a corpus's jargon gets the vector of its pieces out of context. The
corpus-adapted fast embedding (:class:`topiclab.features.adapted.AdaptedEmbedder`) already
runs the transformer on a seeded sample of the corpus; :class:`ContextTokens` keeps, from
that same sample, the transformer's *output* vector of every word piece in every sampled
text and averages them per piece. A text is then embedded as the SIF-weighted mean of its
pieces' vectors: the contextual mean where the sample saw the piece, the out-of-context
vector otherwise.

The transformer mean-pools its output vectors into the sentence vector, so a mean of
(averaged) output vectors lands closer to it than the static model does: on 8,000 20
Newsgroups posts with 160 sampled, the mapped vectors' mean cosine to MiniLM's rose from
0.45 to 0.52 and the themes' ARI from 0.272 to 0.308; on AG News items the ARI fell
(``benchmarks/results/fast_adapted_*_context.txt``), so this is an option, not fast
mode's default.

The out-of-context vectors of the whole vocabulary are computed once per teacher and kept
in the cache folder (``static-models/minilm-pieces-<digest>.npy``, written atomically).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import numpy as np

from topiclab.features.cache import weights_digest

__all__ = ["CONTEXT_MODEL", "ContextTokens", "piece_vectors_path"]

logger = logging.getLogger(__name__)

#: The ``static`` name of :class:`~topiclab.features.adapted.AdaptedEmbedder` that uses
#: these vectors (the teacher must be the bundled MiniLM).
CONTEXT_MODEL = "minilm-context"
#: SIF smoothing: a piece of corpus probability p weighs a / (a + p).
SIF_A = 1e-3
_BATCH = 1024


def _teacher(device: str = "cpu") -> Any:
    from sentence_transformers import SentenceTransformer

    from topiclab.features.static import _teacher_path

    if device == "auto":
        import torch

        device = "cuda" if torch.cuda.is_available() else "cpu"
    return SentenceTransformer(str(_teacher_path()), device=device, local_files_only=True)


def piece_vectors_path(root: str | Path | None = None) -> Path:
    """Return the file of the bundled MiniLM's out-of-context word-piece vectors."""
    from topiclab.features.static import _teacher_path
    from topiclab.paths import cache_dir

    base = Path(root).expanduser() if root is not None else cache_dir()
    digest = weights_digest(_teacher_path())[:12]
    return base / "static-models" / f"minilm-pieces-{digest}.npy"


def _piece_vectors(model: Any, root: str | Path | None) -> np.ndarray:
    """Every word piece through the transformer alone, mean-pooled (computed once)."""
    path = piece_vectors_path(root)
    if path.is_file():
        return np.load(path)
    import torch

    from topiclab.storage.atomic import atomic_path

    tok = model.tokenizer
    bert = model[0].auto_model.eval()
    n = int(tok.vocab_size)
    out = np.zeros((n, bert.config.hidden_size), dtype=np.float32)
    t0 = time.perf_counter()
    with torch.inference_mode():
        for start in range(0, n, _BATCH):
            ids = torch.arange(start, min(n, start + _BATCH)).unsqueeze(1)
            cls = torch.full_like(ids, tok.cls_token_id)
            sep = torch.full_like(ids, tok.sep_token_id)
            batch = torch.cat([cls, ids, sep], dim=1)
            hidden = bert(input_ids=batch, attention_mask=torch.ones_like(batch))[0]
            out[start : start + len(ids)] = hidden.mean(dim=1).float().numpy()
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        np.save(fh, out)
    logger.info(
        "Computed %d word-piece vectors of the teacher in %.1f s (%s, once)",
        n,
        time.perf_counter() - t0,
        path,
    )
    return out


class ContextTokens:
    """Per-piece mean output vectors of the teacher on a sample; texts as their SIF mean.

    Parameters
    ----------
    cache_dir : str or path, optional
        Cache folder of the out-of-context piece vectors (default: topiclab's).
    device : str, default "cpu"
        Device of the teacher while it reads the sample (``"auto"``: CUDA when present).
    batch_size : int, default 32
        Sampled texts per teacher batch.

    Attributes
    ----------
    piece_ids_ : ndarray of int32
        Word pieces the sample holds.
    piece_vectors_ : ndarray of shape (n_pieces, dim), float32
        Their mean output vectors over the sample.
    weights_ : ndarray of shape (vocab_size,), float32
        SIF weight of every piece, from its frequency in the corpus given to :meth:`fit`.
    """

    def __init__(
        self, cache_dir: str | Path | None = None, device: str = "cpu", batch_size: int = 32
    ) -> None:
        self.cache_dir = cache_dir
        self.device = device
        self.batch_size = batch_size

    def _model(self) -> Any:
        model = getattr(self, "_st", None)
        if model is None:
            model = self._st = _teacher(self.device)
        return model

    def _ids(self, texts: list[str]) -> list[list[int]]:
        enc = self._model().tokenizer(texts, add_special_tokens=True, verbose=False)
        return enc["input_ids"]

    def fit(self, sample: list[str], corpus: list[str]) -> ContextTokens:
        """Read the sample with the teacher; weigh pieces by their frequency in ``corpus``.

        Parameters
        ----------
        sample : list of str
            Texts the teacher reads (up to its window, 256 pieces for MiniLM).
        corpus : list of str
            The texts to be embedded (their piece frequencies give the SIF weights).

        Returns
        -------
        ContextTokens
        """
        model = self._model()
        vocab = int(model.tokenizer.vocab_size)
        freq = np.zeros(vocab, dtype=np.float64)
        for ids in self._ids(corpus):
            np.add.at(freq, np.asarray(ids, dtype=np.int64), 1.0)
        self.weights_ = (SIF_A / (SIF_A + freq / max(freq.sum(), 1.0))).astype(np.float32)
        outputs = model.encode(
            sample,
            output_value="token_embeddings",
            batch_size=int(self.batch_size),
            show_progress_bar=False,
        )
        dim = int(outputs[0].shape[1]) if len(outputs) else 0
        sums = np.zeros((vocab, dim), dtype=np.float64)
        counts = np.zeros(vocab, dtype=np.int64)
        enc = model.tokenizer(
            sample, truncation=True, max_length=model.max_seq_length, verbose=False
        )
        for ids, vec in zip(enc["input_ids"], outputs, strict=True):
            ids = np.asarray(ids, dtype=np.int64)
            vec = np.asarray(vec.float().cpu().numpy(), dtype=np.float64)
            np.add.at(sums, ids, vec[: len(ids)])
            np.add.at(counts, ids, 1)
        seen = np.flatnonzero(counts)
        self.piece_ids_ = seen.astype(np.int32)
        self.piece_vectors_ = (sums[seen] / counts[seen, None]).astype(np.float32)
        self._table = None
        return self

    def table(self) -> np.ndarray:
        """Vector of every piece: the sample's contextual mean, else the piece alone."""
        if getattr(self, "_table", None) is None:  # the piece vectors are cached in memory
            table = _piece_vectors(self._model(), self.cache_dir).copy()
            table[self.piece_ids_] = self.piece_vectors_
            self._table = table
        return self._table

    def transform(self, texts: list[str]) -> np.ndarray:
        """Return each text's SIF-weighted mean piece vector (rows of shape ``dim``)."""
        import scipy.sparse as sp

        table = self.table()
        ids = self._ids(list(texts))
        lengths = np.fromiter((len(x) for x in ids), dtype=np.int64, count=len(ids))
        cols = np.fromiter((i for x in ids for i in x), dtype=np.int64, count=int(lengths.sum()))
        rows = np.repeat(np.arange(len(ids)), lengths)
        W = sp.csr_matrix((self.weights_[cols], (rows, cols)), shape=(len(ids), table.shape[0]))
        total = np.asarray(W.sum(axis=1)).ravel()
        out = np.asarray(W @ table, dtype=np.float32)
        out /= np.maximum(total, 1e-12)[:, None]
        return out

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_st", None)
        state.pop("_table", None)
        return state
