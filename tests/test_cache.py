"""The content-addressed embedding cache: round trips, growth, corruption, concurrency."""

from __future__ import annotations

import hashlib
import logging
import multiprocessing as mp
from pathlib import Path

import numpy as np
import pytest

from topiclab.features.cache import EmbeddingCache, identity_digest

IDENT = {"model": "toy", "normalize": True, "versions": {"numpy": "x"}}
DIM = 8


def vec(text: str, dim: int = DIM) -> np.ndarray:
    """A deterministic vector per text."""
    seed = int.from_bytes(
        hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()[:8], "little"
    )
    return np.random.default_rng(seed).standard_normal(dim).astype(np.float32)


def vecs(texts: list[str]) -> np.ndarray:
    return np.stack([vec(t) for t in texts])


def segments(cache: EmbeddingCache) -> list[Path]:
    return sorted(cache.base.glob("*/seg-*.npz"))


@pytest.fixture
def cache(tmp_path: Path) -> EmbeddingCache:
    return EmbeddingCache(tmp_path / "cache")


def test_round_trip_and_misses(cache: EmbeddingCache) -> None:
    texts = ["alpha", "beta", "gamma"]
    assert cache.put(IDENT, texts, vecs(texts)) == 3
    got, found = cache.get(IDENT, ["gamma", "delta", "alpha"], DIM)
    assert found.tolist() == [True, False, True]
    np.testing.assert_array_equal(got[0], vec("gamma"))
    np.testing.assert_array_equal(got[1], 0)
    np.testing.assert_array_equal(got[2], vec("alpha"))
    assert got.dtype == np.float32


def test_a_fresh_instance_reads_what_another_wrote(cache: EmbeddingCache) -> None:
    cache.put(IDENT, ["x", "y"], vecs(["x", "y"]))
    got, found = EmbeddingCache(cache.root).get(IDENT, ["y", "x"], DIM)
    assert found.all()
    np.testing.assert_array_equal(got, vecs(["y", "x"]))


def test_key_covers_identity_and_exact_text(cache: EmbeddingCache) -> None:
    cache.put(IDENT, ["Hello world"], vecs(["Hello world"]))
    for ident in ({**IDENT, "normalize": False}, {**IDENT, "versions": {"numpy": "y"}}):
        assert not cache.get(ident, ["Hello world"], DIM)[1].any()
    assert not cache.get(IDENT, ["Hello world ", "hello world"], DIM)[1].any()
    assert identity_digest({"a": 1, "b": 2}) == identity_digest({"b": 2, "a": 1})
    assert cache.keys(IDENT, ["a"]).shape == (1, 32)


def test_unicode_and_surrogates(cache: EmbeddingCache) -> None:
    texts = ["تويوتا", "丰田汽车", "bad \ud800 surrogate", ""]
    cache.put(IDENT, texts, vecs(texts))
    got, found = cache.get(IDENT, texts, DIM)
    assert found.all()
    np.testing.assert_array_equal(got, vecs(texts))


def test_growing_corpus_writes_only_new_texts(cache: EmbeddingCache) -> None:
    first = [f"doc {i}" for i in range(50)]
    assert cache.put(IDENT, first, vecs(first)) == 50
    more = first + [f"doc {i}" for i in range(50, 60)]
    assert cache.put(IDENT, more, vecs(more)) == 10
    assert cache.put(IDENT, more, vecs(more)) == 0
    assert len(segments(cache)) == 2
    got, found = cache.get(IDENT, more, DIM)
    assert found.all()
    np.testing.assert_array_equal(got, vecs(more))


def test_duplicate_texts_in_one_put_keep_the_last(cache: EmbeddingCache) -> None:
    v = np.stack([np.zeros(DIM), np.ones(DIM)]).astype(np.float32)
    assert cache.put(IDENT, ["same", "same"], v) == 1
    np.testing.assert_array_equal(cache.get(IDENT, ["same"], DIM)[0][0], 1.0)


def test_segments_are_bounded_and_compact_merges(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path, segment_rows=16)
    texts = [f"t{i}" for i in range(40)]
    cache.put(IDENT, texts, vecs(texts))
    assert len(segments(cache)) == 3  # 16 + 16 + 8
    for i in range(40, 44):
        cache.put(IDENT, [f"t{i}"], vecs([f"t{i}"]))
    assert len(segments(cache)) == 7
    removed = cache.compact(IDENT)
    assert removed == 5  # the 8-row one and the four single ones
    assert len(segments(cache)) == 3
    all_texts = [f"t{i}" for i in range(44)]
    got, found = EmbeddingCache(tmp_path).get(IDENT, all_texts, DIM)
    assert found.all()
    np.testing.assert_array_equal(got, vecs(all_texts))
    (info,) = cache.info()
    assert info["vectors"] == 44 and info["dim"] == DIM and info["identity"] == IDENT


def test_clear(cache: EmbeddingCache) -> None:
    cache.put(IDENT, ["a"], vecs(["a"]))
    other = {**IDENT, "model": "other"}
    cache.put(other, ["a"], vecs(["a"]))
    cache.clear(other)
    assert cache.get(IDENT, ["a"], DIM)[1].all()
    assert not cache.get(other, ["a"], DIM)[1].any()
    cache.clear()
    assert not cache.get(IDENT, ["a"], DIM)[1].any()
    assert cache.info() == []


def test_rejects_bad_vectors(cache: EmbeddingCache) -> None:
    with pytest.raises(ValueError, match="shape"):
        cache.put(IDENT, ["a", "b"], np.zeros((3, DIM), dtype=np.float32))
    with pytest.raises(ValueError, match="NaN"):
        cache.put(IDENT, ["a"], np.full((1, DIM), np.nan, dtype=np.float32))


# -- corruption ----------------------------------------------------------------------------


def _corrupted(cache: EmbeddingCache, caplog, texts: list[str]) -> None:
    """The entries are reported, dropped as misses, and can be written again."""
    with caplog.at_level(logging.WARNING, logger="topiclab.features.cache"):
        got, found = EmbeddingCache(cache.root).get(IDENT, texts, DIM)
    assert not found.any()
    assert "corrupted embedding cache segment" in caplog.text
    assert segments(cache) == []  # the bad file is gone
    assert cache.put(IDENT, texts, vecs(texts)) == len(texts)
    got, found = EmbeddingCache(cache.root).get(IDENT, texts, DIM)
    assert found.all()
    np.testing.assert_array_equal(got, vecs(texts))


def _rewrite(path: Path, **arrays: np.ndarray) -> None:
    with np.load(path) as z:
        data = {k: z[k] for k in z.files}
    data.update(arrays)
    with open(path, "wb") as fh:
        np.savez(fh, **data)


def test_truncated_segment(cache: EmbeddingCache, caplog) -> None:
    texts = ["one", "two", "three"]
    cache.put(IDENT, texts, vecs(texts))
    (seg,) = segments(cache)
    seg.write_bytes(seg.read_bytes()[: seg.stat().st_size // 2])
    _corrupted(cache, caplog, texts)


def test_wrong_shape(cache: EmbeddingCache, caplog) -> None:
    texts = ["one", "two"]
    cache.put(IDENT, texts, vecs(texts))
    (seg,) = segments(cache)
    _rewrite(seg, vectors=np.zeros((2, DIM + 1), dtype=np.float32))
    _corrupted(cache, caplog, texts)


def test_wrong_dtype(cache: EmbeddingCache, caplog) -> None:
    texts = ["one", "two"]
    cache.put(IDENT, texts, vecs(texts))
    (seg,) = segments(cache)
    _rewrite(seg, vectors=vecs(texts).astype(np.float64))
    _corrupted(cache, caplog, texts)


def test_digest_mismatch(cache: EmbeddingCache, caplog) -> None:
    texts = ["one", "two"]
    cache.put(IDENT, texts, vecs(texts))
    (seg,) = segments(cache)
    _rewrite(seg, vectors=vecs(texts) + 1.0)  # well-formed, but not what was written
    _corrupted(cache, caplog, texts)


def test_pickled_content_is_never_loaded(cache: EmbeddingCache, caplog) -> None:
    texts = ["one"]
    cache.put(IDENT, texts, vecs(texts))
    (seg,) = segments(cache)
    _rewrite(seg, keys=np.array([object()], dtype=object))
    _corrupted(cache, caplog, texts)


def test_a_bad_segment_does_not_hide_good_ones(cache: EmbeddingCache, caplog) -> None:
    cache.put(IDENT, ["good"], vecs(["good"]))
    cache.put(IDENT, ["bad"], vecs(["bad"]))
    bad = segments(cache)[-1]
    bad.write_bytes(b"not a zip file")
    with caplog.at_level(logging.WARNING, logger="topiclab.features.cache"):
        got, found = EmbeddingCache(cache.root).get(IDENT, ["good", "bad"], DIM)
    assert found.tolist() == [True, False]
    np.testing.assert_array_equal(got[0], vec("good"))


def test_lookup_with_shared_64bit_prefix(cache: EmbeddingCache) -> None:
    """Keys equal in their first 8 bytes are told apart by the full digest."""
    _, space = cache._space(IDENT)
    keys = np.zeros((3, 32), dtype=np.uint8)
    keys[:, 31] = [1, 2, 3]
    space.segments, space.seg_rows = ["a", "b"], [2, 1]
    space._build(keys)
    np.testing.assert_array_equal(space.lookup(keys[::-1]), [2, 1, 0])
    other = np.zeros((1, 32), dtype=np.uint8)
    assert space.lookup(other).tolist() == [-1]


# -- concurrency ---------------------------------------------------------------------------


def _writer(root: str, worker: int, rounds: int) -> None:
    cache = EmbeddingCache(root, segment_rows=64)
    for r in range(rounds):
        # both workers write the shared texts, plus some of their own
        texts = [f"shared {r} {i}" for i in range(40)] + [f"w{worker} {r} {i}" for i in range(20)]
        cache.put(IDENT, texts, vecs(texts))


def test_concurrent_writers(tmp_path: Path) -> None:
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    rounds = 8
    procs = [ctx.Process(target=_writer, args=(str(tmp_path), w, rounds)) for w in (0, 1)]
    for p in procs:
        p.start()
    reader = EmbeddingCache(tmp_path)
    probe = [f"shared {r} {i}" for r in range(rounds) for i in range(40)]
    while any(p.is_alive() for p in procs):  # reading while they write never fails
        got, found = reader.get(IDENT, probe, DIM)
        np.testing.assert_array_equal(got[found], vecs(probe)[found])
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    texts = probe + [f"w{w} {r} {i}" for w in (0, 1) for r in range(rounds) for i in range(20)]
    got, found = EmbeddingCache(tmp_path).get(IDENT, texts, DIM)
    assert found.all()
    np.testing.assert_array_equal(got, vecs(texts))
    assert not list(tmp_path.rglob("*.tmp"))  # no temporary file left behind
