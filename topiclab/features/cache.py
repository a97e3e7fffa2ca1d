r"""Content-addressed on-disk cache of sentence embeddings.

Layout
------
::

    <root>/embeddings-v1/<namespace>/meta.json
    <root>/embeddings-v1/<namespace>/seg-<time>-<pid>-<random>.npz

A *namespace* is the sha256 of the model *identity*: a small mapping that names
everything that can change the numbers (model id and package version, a digest
of the weight files, the normalisation flag, the long-text mode, the versions of
the numerical libraries).  Inside a namespace every text is addressed by
``sha256(namespace + "\n" + text)``, so the key covers the identity and the exact
text.

Each ``put`` appends immutable *segments*: uncompressed ``.npz`` files holding
``keys`` (n, 32) uint8 digests, ``vectors`` (n, dim) float32 and ``digest``, the
sha256 of both arrays' bytes.  Why segments rather than one file per text or
hash-prefix shards:

* a corpus of millions of texts becomes a few hundred files (``segment_rows``
  vectors each), not millions;
* segments are written once (temporary file + rename) and never modified, so
  two processes filling the same cache cannot lose each other's work or expose
  a partial file; a text written twice is stored twice and either copy is
  correct (the later segment wins);
* a corpus that grows embeds and appends only its new texts;
* lookups are in bulk (a whole corpus at a time), so prefix shards would all be
  read anyway.  The index is the sorted 64-bit prefixes of all keys, about 48
  bytes per cached text in memory, searched with :func:`numpy.searchsorted`.

:meth:`EmbeddingCache.compact` merges small segments.  A segment that cannot be
read, has the wrong shape or dtype, or whose digest does not match is removed
with a logged warning and its texts count as misses, so they are recomputed.
Files are read with ``allow_pickle=False``.

Examples
--------
>>> import numpy as np, tempfile
>>> cache = EmbeddingCache(tempfile.mkdtemp())
>>> ident = {"model": "toy", "normalize": True}
>>> cache.put(ident, ["a", "b"], np.eye(2, dtype=np.float32))
2
>>> vectors, found = cache.get(ident, ["b", "c"], dim=2)
>>> found.tolist(), vectors[0].tolist()
([True, False], [0.0, 1.0])
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import secrets
import shutil
import time
import zipfile
from collections.abc import Mapping, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np

from topiclab.paths import cache_dir
from topiclab.storage.atomic import atomic_path, write_json

__all__ = [
    "EmbeddingCache",
    "identity_digest",
    "package_version",
    "package_versions",
    "weights_digest",
]

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
_KEY_BYTES = 32
_SEGMENT_GLOB = "seg-*.npz"


def identity_digest(identity: Mapping[str, Any]) -> str:
    """Hex sha256 of an identity mapping, independent of key order.

    Examples
    --------
    >>> identity_digest({"a": 1, "b": 2}) == identity_digest({"b": 2, "a": 1})
    True
    """
    blob = json.dumps(
        {"format": FORMAT_VERSION, **identity}, sort_keys=True, ensure_ascii=False, default=str
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def package_version(dist: str) -> str:
    """Installed version of a distribution, or ``"absent"``."""
    try:
        return version(dist)
    except PackageNotFoundError:
        return "absent"


def package_versions(*dists: str) -> dict[str, str]:
    """``{distribution: version}``, for the identity of vectors that a library computes."""
    return {dist: package_version(dist) for dist in dists}


@functools.lru_cache(maxsize=32)
def _tree_digest(path: str, stamp: tuple[tuple[str, int, int], ...]) -> str:
    """sha256 over the relative names and contents of the files listed in ``stamp``."""
    h = hashlib.sha256()
    for rel, _size, _mtime in stamp:
        h.update(rel.encode("utf-8") + b"\0")
        with open(Path(path) / rel, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 22), b""):
                h.update(block)
    return h.hexdigest()


def weights_digest(path: str | os.PathLike[str]) -> str:
    """Content digest of a model file or folder (hidden files and READMEs skipped).

    Memoised per process on (name, size, mtime) of each file.
    """
    root = Path(path).resolve()
    files = (
        [root]
        if root.is_file()
        else sorted(
            p
            for p in root.rglob("*")
            if p.is_file()
            and not any(part.startswith(".") for part in p.relative_to(root).parts)
            and not p.name.lower().startswith("readme")
        )
    )
    base = root.parent if root.is_file() else root
    stamp = tuple((str(p.relative_to(base)), p.stat().st_size, p.stat().st_mtime_ns) for p in files)
    return _tree_digest(str(base), stamp)


def _text_keys(namespace: str, texts: Sequence[str]) -> np.ndarray:
    """Return the (n, 32) uint8 sha256 keys of ``texts`` within ``namespace``."""
    prefix = namespace.encode("ascii") + b"\n"
    out = np.empty((len(texts), _KEY_BYTES), dtype=np.uint8)
    for i, text in enumerate(texts):
        digest = hashlib.sha256(prefix + text.encode("utf-8", "surrogatepass")).digest()
        out[i] = np.frombuffer(digest, dtype=np.uint8)
    return out


def _prefix64(keys: np.ndarray) -> np.ndarray:
    """Return the first 8 bytes of each key as big-endian unsigned integers (sortable)."""
    return np.ascontiguousarray(keys[:, :8]).view(">u8").ravel().astype(np.uint64)


def _payload_digest(keys: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    h = hashlib.sha256()
    h.update(np.ascontiguousarray(keys).tobytes())
    h.update(np.ascontiguousarray(vectors).tobytes())
    return np.frombuffer(h.digest(), dtype=np.uint8).copy()


class _Corrupt(Exception):
    """A segment failed validation."""


class _Namespace:
    """The segments of one model identity, with a sorted in-memory index."""

    def __init__(self, path: Path, segment_rows: int) -> None:
        self.path = path
        self.segment_rows = segment_rows
        self.segments: list[str] = []  # file names, index = segment number
        self.seg_rows: list[int] = []
        self.keys = np.empty((0, _KEY_BYTES), dtype=np.uint8)
        self.prefix = np.empty(0, dtype=np.uint64)  # sorted
        self.order = np.empty(0, dtype=np.int64)  # sorted position -> flat row
        self.flat_seg = np.empty(0, dtype=np.int32)
        self.flat_row = np.empty(0, dtype=np.int64)

    # -- index ---------------------------------------------------------------------
    def refresh(self) -> None:
        """Index segments written since the last refresh (by any process)."""
        try:
            names = sorted(p.name for p in self.path.glob(_SEGMENT_GLOB))
        except OSError:
            names = []
        known = set(self.segments)
        if set(names) == known:
            return
        if not known.issubset(names):  # some vanished (compaction elsewhere): rebuild
            self.reset()
            known = set()
        new_keys = [self.keys]
        for name in names:
            if name in known:
                continue
            try:
                keys = self._read_keys(self.path / name)
            except FileNotFoundError:
                continue
            except _Corrupt as exc:
                self.discard(name, str(exc))
                continue
            self.segments.append(name)
            self.seg_rows.append(len(keys))
            new_keys.append(keys)
        self._build(np.concatenate(new_keys))

    def _build(self, keys: np.ndarray) -> None:
        self.keys = keys
        self.flat_seg = np.repeat(
            np.arange(len(self.segments), dtype=np.int32), np.asarray(self.seg_rows, dtype=np.int64)
        )
        self.flat_row = np.concatenate(
            [np.arange(n, dtype=np.int64) for n in self.seg_rows] or [np.empty(0, np.int64)]
        )
        prefix = _prefix64(keys)
        # stable sort: among equal keys the later segment (larger flat row) comes last
        self.order = np.argsort(prefix, kind="stable")
        self.prefix = prefix[self.order]

    @staticmethod
    def _read_keys(path: Path) -> np.ndarray:
        try:
            with np.load(path, allow_pickle=False) as z:
                keys = z["keys"]
        except FileNotFoundError:
            raise
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            raise _Corrupt(f"unreadable ({type(exc).__name__}: {exc})") from exc
        if keys.dtype != np.uint8 or keys.ndim != 2 or keys.shape[1] != _KEY_BYTES:
            raise _Corrupt(f"keys have shape {keys.shape} and dtype {keys.dtype}")
        return keys

    def lookup(self, keys: np.ndarray) -> np.ndarray:
        """Flat row of each key in the index, or -1 (the latest copy when duplicated)."""
        out = np.full(len(keys), -1, dtype=np.int64)
        if len(self.prefix) == 0 or len(keys) == 0:
            return out
        q = _prefix64(keys)
        j = np.searchsorted(self.prefix, q, side="right") - 1
        cand = np.flatnonzero((j >= 0) & (self.prefix[np.maximum(j, 0)] == q))
        if len(cand) == 0:
            return out
        flat = self.order[j[cand]]
        same = (self.keys[flat] == keys[cand]).all(axis=1)
        out[cand[same]] = flat[same]
        for i in cand[~same]:  # a 64-bit prefix shared by different keys: walk the run
            k = j[i] - 1
            while k >= 0 and self.prefix[k] == q[i]:
                if np.array_equal(self.keys[self.order[k]], keys[i]):
                    out[i] = self.order[k]
                    break
                k -= 1
        return out

    def reset(self) -> None:
        """Forget the index; the next refresh re-reads every segment's keys."""
        self.__init__(self.path, self.segment_rows)

    # -- segments ------------------------------------------------------------------
    def load(self, seg: int, dim: int | None) -> np.ndarray:
        """Vectors of segment ``seg``, validated; raises _Corrupt or FileNotFoundError."""
        name = self.segments[seg]
        try:
            with np.load(self.path / name, allow_pickle=False) as z:
                keys, vectors, digest = z["keys"], z["vectors"], z["digest"]
        except FileNotFoundError:
            raise
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            raise _Corrupt(f"unreadable ({type(exc).__name__}: {exc})") from exc
        rows = self.seg_rows[seg]
        expected = (rows, vectors.shape[-1] if dim is None else dim)
        if vectors.dtype != np.float32 or vectors.ndim != 2 or vectors.shape != expected:
            raise _Corrupt(
                f"vectors have shape {vectors.shape} and dtype {vectors.dtype}, "
                f"expected {expected} float32"
            )
        if keys.shape != (rows, _KEY_BYTES) or not np.array_equal(
            digest, _payload_digest(keys, vectors)
        ):
            raise _Corrupt("digest mismatch")
        if not np.isfinite(vectors).all():
            raise _Corrupt("non-finite values")
        return vectors

    def discard(self, name: str, reason: str) -> None:
        logger.warning(
            "Discarding corrupted embedding cache segment %s (%s); its texts will be recomputed",
            self.path / name,
            reason,
        )
        with contextlib.suppress(OSError):
            (self.path / name).unlink()

    def write(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        for start in range(0, len(keys), self.segment_rows):
            k = np.ascontiguousarray(keys[start : start + self.segment_rows])
            v = np.ascontiguousarray(vectors[start : start + self.segment_rows], dtype=np.float32)
            name = f"seg-{time.time_ns():020x}-{os.getpid():08x}-{secrets.token_hex(4)}.npz"
            with atomic_path(self.path / name) as tmp, open(tmp, "wb") as fh:
                np.savez(fh, keys=k, vectors=v, digest=_payload_digest(k, v))


class EmbeddingCache:
    """Content-addressed store of embedding vectors, safe for concurrent processes.

    Parameters
    ----------
    root : str or path, optional
        Cache folder; defaults to :func:`topiclab.paths.cache_dir`
        (``$TOPICLAB_CACHE`` or ``~/.cache/topiclab``).
    segment_rows : int
        Largest number of vectors per segment file.

    Examples
    --------
    >>> import numpy as np, tempfile
    >>> cache = EmbeddingCache(tempfile.mkdtemp())
    >>> cache.put({"model": "toy"}, ["x"], np.ones((1, 3), dtype=np.float32))
    1
    >>> cache.get({"model": "toy"}, ["x"], dim=3)[1].tolist()
    [True]
    """

    def __init__(self, root: str | os.PathLike[str] | None = None, *, segment_rows: int = 8192):
        self.root = Path(root).expanduser() if root is not None else cache_dir()
        if segment_rows < 1:
            raise ValueError(f"segment_rows must be positive, got {segment_rows}")
        self.segment_rows = int(segment_rows)
        self._spaces: dict[str, _Namespace] = {}

    def __repr__(self) -> str:
        return f"EmbeddingCache({str(self.root)!r})"

    @property
    def base(self) -> Path:
        """The folder holding one sub-folder per model identity."""
        return self.root / f"embeddings-v{FORMAT_VERSION}"

    def _space(self, identity: Mapping[str, Any]) -> tuple[str, _Namespace]:
        digest = identity_digest(identity)
        space = self._spaces.get(digest)
        if space is None:
            space = _Namespace(self.base / digest, self.segment_rows)
            self._spaces[digest] = space
        return digest, space

    def keys(self, identity: Mapping[str, Any], texts: Sequence[str]) -> np.ndarray:
        """Return the (n, 32) uint8 content keys of ``texts`` under ``identity``."""
        return _text_keys(identity_digest(identity), texts)

    def get(
        self, identity: Mapping[str, Any], texts: Sequence[str], dim: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Look ``texts`` up.

        Returns
        -------
        vectors : ndarray of shape (n, dim), float32
            Cached vectors; rows of texts not found are zero.
        found : ndarray of shape (n,), bool
            Which texts were found.
        """
        digest, space = self._space(identity)
        keys = _text_keys(digest, texts)
        vectors = np.zeros((len(texts), dim), dtype=np.float32)
        found = np.zeros(len(texts), dtype=bool)
        for _attempt in range(3):
            space.refresh()
            todo = np.flatnonzero(~found)
            flat = space.lookup(keys[todo])
            hit = flat >= 0
            if not hit.any():
                break
            todo, flat = todo[hit], flat[hit]
            segs = space.flat_seg[flat]
            changed = False
            for seg in np.unique(segs):
                sel = segs == seg
                try:
                    block = space.load(int(seg), dim)
                except FileNotFoundError:
                    changed = True
                    continue
                except _Corrupt as exc:
                    space.discard(space.segments[int(seg)], str(exc))
                    changed = True
                    continue
                vectors[todo[sel]] = block[space.flat_row[flat[sel]]]
                found[todo[sel]] = True
            if not changed:
                break
            space.reset()
        return vectors, found

    def put(self, identity: Mapping[str, Any], texts: Sequence[str], vectors: np.ndarray) -> int:
        """Store ``vectors`` (one row per text); texts already cached are skipped.

        Returns
        -------
        int
            Number of vectors written.
        """
        vectors = np.asarray(vectors)
        if vectors.ndim != 2 or vectors.shape[0] != len(texts):
            raise ValueError(f"vectors of shape {vectors.shape} for {len(texts)} texts")
        if not np.isfinite(vectors).all():
            raise ValueError("vectors contain NaN or infinite values")
        digest, space = self._space(identity)
        keys = _text_keys(digest, texts)
        # one copy per distinct text (the last one), and only texts not yet cached
        _, last = np.unique(keys[::-1], axis=0, return_index=True)
        pick = np.sort(len(keys) - 1 - last)
        space.refresh()
        pick = pick[space.lookup(keys[pick]) < 0]
        if len(pick) == 0:
            return 0
        meta = space.path / "meta.json"
        if not meta.is_file():
            write_json(
                meta,
                {
                    "format": FORMAT_VERSION,
                    "dim": int(vectors.shape[1]),
                    "identity": dict(identity),
                },
            )
        space.write(keys[pick], vectors[pick].astype(np.float32, copy=False))
        return len(pick)

    def compact(self, identity: Mapping[str, Any]) -> int:
        """Merge the segments of ``identity`` smaller than ``segment_rows`` (duplicates dropped).

        Returns
        -------
        int
            Number of segment files removed.
        """
        _, space = self._space(identity)
        space.refresh()
        small = [i for i, n in enumerate(space.seg_rows) if n < self.segment_rows]
        if len(small) < 2:
            return 0
        try:
            dim = int(json.loads((space.path / "meta.json").read_text(encoding="utf-8"))["dim"])
        except (OSError, ValueError, KeyError):
            dim = None
        keys, vecs, done = [], [], []
        for seg in small:
            try:
                block = space.load(seg, dim)
            except FileNotFoundError:
                continue
            except _Corrupt as exc:
                space.discard(space.segments[seg], str(exc))
                continue
            keys.append(space.keys[space.flat_seg == seg])
            vecs.append(block)
            done.append(space.segments[seg])
        if len(done) < 2:
            return 0
        all_keys, all_vecs = np.concatenate(keys), np.concatenate(vecs)
        _, last = np.unique(all_keys[::-1], axis=0, return_index=True)
        pick = np.sort(len(all_keys) - 1 - last)
        space.write(all_keys[pick], all_vecs[pick])  # written before the old ones go
        for name in done:
            with contextlib.suppress(OSError):
                (space.path / name).unlink()
        space.refresh()
        return len(done)

    def info(self) -> list[dict[str, Any]]:
        """One record per model identity: folder, identity, dim, segments, vectors, bytes."""
        out = []
        if not self.base.is_dir():
            return out
        for folder in sorted(p for p in self.base.iterdir() if p.is_dir()):
            try:
                meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                meta = {}
            segs = sorted(folder.glob(_SEGMENT_GLOB))
            space = self._spaces.get(folder.name) or _Namespace(folder, self.segment_rows)
            space.refresh()
            out.append(
                {
                    "namespace": folder.name,
                    "identity": meta.get("identity"),
                    "dim": meta.get("dim"),
                    "segments": len(segs),
                    "vectors": int(sum(space.seg_rows)),
                    "bytes": int(sum(p.stat().st_size for p in segs if p.exists())),
                }
            )
        return out

    def clear(self, identity: Mapping[str, Any] | None = None) -> None:
        """Remove the vectors of one identity, or the whole embedding cache."""
        if identity is None:
            target = self.base
            self._spaces.clear()
        else:
            digest = identity_digest(identity)
            target = self.base / digest
            self._spaces.pop(digest, None)
        shutil.rmtree(target, ignore_errors=True)
