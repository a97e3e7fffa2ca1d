"""Exact and near-duplicate documents.

* **Exact** duplicates share the hash of their normalised text (case-folded,
  punctuation and spacing removed), so copies that differ only in layout or
  quotes match.
* **Near** duplicates are found with MinHash LSH (:mod:`datasketch`, imported
  lazily): each document becomes the set of its word 5-grams (character
  5-grams for text written without spaces) hashed with CRC32 (stable across
  processes, unlike :func:`hash`), and the LSH index returns candidates in time independent of the
  corpus size, so the step scales to millions of documents. A candidate is
  a duplicate when its estimated Jaccard similarity reaches ``threshold``.

The first document of each group (in input order) is kept.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from topiclab.ingest._lines import key, n_cjk

SHINGLE = 5
#: Documents with fewer shingles than this only take part in exact matching.
MIN_SHINGLES = 8


def _identity(value: int) -> int:
    """Shingles are hashed already (CRC32); MinHash takes the values as they are."""
    return value


def text_hash(text: str) -> str:
    """Hash of the normalised text; equal for copies that differ only in layout or punctuation."""
    return hashlib.blake2b(key(text).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


_MULT = np.uint64(0x9E3779B97F4A7C15)


def shingles(text: str, k: int = SHINGLE) -> np.ndarray:
    """32-bit hashes (as uint64) of the word (or, for CJK, character) k-grams of ``text``.

    Each unit is hashed with CRC32 and a k-gram hash combines its units'
    hashes polynomially, so the work per k-gram is vectorised.
    """
    norm = key(text)
    units: Sequence[str] = norm.replace(" ", "") if n_cjk(norm) > len(norm) / 3 else norm.split()
    n = len(units)
    if n == 0:
        return np.zeros(0, dtype=np.uint64)
    h = np.fromiter(
        (zlib.crc32(u.encode("utf-8", "surrogatepass")) for u in units), dtype=np.uint64, count=n
    )
    if n < k:
        k = n
    out = h[: n - k + 1].copy()
    for j in range(1, k):
        out = out * _MULT + h[j : n - k + 1 + j]
    return (out ^ (out >> np.uint64(32))) & np.uint64(0xFFFFFFFF)


class Deduplicator:
    """Streaming exact + near-duplicate filter.

    Parameters
    ----------
    threshold : float
        Estimated Jaccard similarity of word 5-gram sets at or above which a
        document is a near duplicate of an earlier one; None turns near
        duplicate detection off.
    num_perm : int
        MinHash permutations.
    seed : int
        Seed of the MinHash permutations (fixed, so results are reproducible).

    Examples
    --------
    >>> d = Deduplicator(threshold=0.8)
    >>> d.check("a", "One two three four five six seven eight nine ten eleven twelve.")
    >>> d.check("b", "one two three four five six seven eight nine ten eleven twelve")
    ('exact', 'a', 1.0)
    """

    def __init__(self, threshold: float | None = 0.9, num_perm: int = 64, seed: int = 1):
        self.threshold = threshold
        self.num_perm = num_perm
        self.seed = seed

    def _setup(self) -> None:
        if hasattr(self, "_seen"):
            return
        self._seen: dict[str, str] = {}
        self._lsh: Any = None
        self._sigs: dict[str, np.ndarray] = {}
        if self.threshold is not None:
            if not 0.0 < self.threshold <= 1.0:
                raise ValueError(f"threshold must be in (0, 1], got {self.threshold}")
            try:
                from datasketch import MinHash, MinHashLSH
            except ImportError as exc:  # pragma: no cover - declared dependency
                raise ImportError("near-duplicate detection needs datasketch") from exc
            self._lsh = MinHashLSH(threshold=self.threshold, num_perm=self.num_perm)
            template = MinHash(num_perm=self.num_perm, seed=self.seed)
            self._perms, self._scheme = template.permutations, template.scheme
            self._minhash_cls = MinHash

    def minhash(self, text: str) -> Any:
        """:class:`datasketch.MinHash` of ``text``, or None when it is too short to compare."""
        self._setup()
        hv = shingles(text)
        if len(hv) < MIN_SHINGLES:
            return None
        mh = self._minhash_cls(
            num_perm=self.num_perm,
            hashfunc=_identity,
            permutations=self._perms,
            scheme=self._scheme,
        )
        mh.update_batch(hv.tolist())
        return mh

    def check(self, doc_id: str, text: str) -> tuple[str, str, float] | None:
        """Register ``doc_id``; return ``(kind, kept_doc_id, similarity)`` if it is a duplicate."""
        self._setup()
        h = text_hash(text)
        if h in self._seen:
            return "exact", self._seen[h], 1.0
        self._seen[h] = doc_id
        if self._lsh is None:
            return None
        mh = self.minhash(text)
        if mh is None:
            return None
        sig = mh.hashvalues
        best: tuple[float, str] | None = None
        for cand in self._lsh.query(mh):
            sim = float(np.mean(self._sigs[cand] == sig))
            if sim >= self.threshold and (best is None or sim > best[0]):
                best = (sim, cand)
        if best is not None:
            self._seen[h] = best[1]
            return "near", best[1], round(best[0], 4)
        self._lsh.insert(doc_id, mh)
        self._sigs[doc_id] = sig
        return None
