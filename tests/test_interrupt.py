"""Interrupted and repeated runs: atomic outputs, SIGKILL at several points, leftovers of a
killed save, embedding cache reuse and corruption, concurrent runs.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from conftest import HOSTILE

import topiclab
from topiclab.storage import atomic as _io
from topiclab.storage import runs as persist
from topiclab.storage.runs import RunLoadError, load_result

ROOT = Path(__file__).resolve().parent.parent


def _corpus(base: Path) -> Path:
    corpus = base / "corpus"
    if not corpus.is_dir():
        corpus.mkdir(parents=True)
        for seed in sorted((ROOT / "corpus").glob("*.txt")):
            shutil.copy(seed, corpus / seed.name)
        (corpus / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    return corpus


def _env(cache: Path) -> dict[str, str]:
    return {**os.environ, "TOPICLAB_CACHE": str(cache), "PYTHONUNBUFFERED": "1"}


def _start(
    corpus: Path, out: Path, cache: Path, *extra: str, verbose: bool = False
) -> subprocess.Popen[str]:
    flags = ["-v"] if verbose else []
    return subprocess.Popen(
        [sys.executable, "-m", "topiclab", *flags, "run", str(corpus), "--out", str(out), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(cache),
        cwd=ROOT,
    )


def _finish(proc: subprocess.Popen[str], timeout: float = 300) -> tuple[int, str]:
    _, err = proc.communicate(timeout=timeout)
    return proc.returncode, err


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.getbasetemp() / "topiclab-cache"


@pytest.fixture(scope="session")
def baseline(tmp_path_factory: pytest.TempPathFactory, shared_cache: Path) -> Path:
    """A complete run (figures, report) of the seed corpus plus one article; once a session."""
    base = tmp_path_factory.getbasetemp() / "topiclab-baseline"
    out = base / "run"
    if (base / "done").is_file():
        return out
    shutil.rmtree(base, ignore_errors=True)
    rc, err = _finish(_start(_corpus(base), out, shared_cache))
    assert rc == 0, err[-3000:]
    (base / "done").write_text("ok", encoding="utf-8")
    return out


def _hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _assert_complete(out: Path) -> None:
    """``out`` is a whole run: loads (checksums verified), no temporary files inside."""
    assert not [p for p in out.rglob("*") if p.name.startswith(".") or p.suffix == ".tmp"]
    result = load_result(out)
    model = topiclab.load(out)
    assert len(result.passages) == result.meta["n_passages"] and model.result is not None


def _wait_for(condition: Callable[[], bool], proc: subprocess.Popen[str], timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.005)
    return False


def _staging(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}.staging-*"))


# ----------------------------------------------------------------------------- SIGKILL

KILL_POINTS = ["after-2s", "after-5s", "after-10s", "staging-appears", "report-in-staging"]


@pytest.mark.slow
def test_sigkill_leaves_previous_or_new_complete_run(
    baseline: Path, tmp_path: Path, shared_cache: Path
) -> None:
    corpus = _corpus(baseline.parent)
    out = tmp_path / "runs" / "latest"
    shutil.copytree(baseline, out)
    before = _hashes(out)
    outcomes: dict[str, str] = {}
    for point in KILL_POINTS:
        proc = _start(corpus, out, shared_cache)
        if point.startswith("after-"):
            time.sleep(float(point[6:-1]))
            reached = proc.poll() is None
        else:

            def condition(point: str = point) -> bool:
                stages = _staging(out)
                if not stages:
                    return False
                if point == "report-in-staging":
                    return any(
                        list(s.glob(".report.html.*")) or (s / "report.html").exists()
                        for s in stages
                    )
                return True

            reached = _wait_for(condition, proc, timeout=120)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        now = _hashes(out)
        if now == before:
            outcomes[point] = "previous"
        else:
            _assert_complete(out)  # not the previous run: it must be a whole new one
            outcomes[point] = "new"
            before = now
        assert reached or outcomes[point] == "new", f"{point}: the run ended before the kill"
        _assert_complete(out)
    # a new run after all these kills cleans the leftovers and finishes
    rc, err = _finish(_start(corpus, out, shared_cache, "--no-figures"))
    assert rc == 0, err[-3000:]
    _assert_complete(out)
    assert _staging(out) == [] and not list(out.parent.glob(f".{out.name}.old-*"))
    assert outcomes["after-2s"] == "previous" and outcomes["staging-appears"] == "previous"
    print("kill outcomes:", outcomes)


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fake_run(out: Path, marker: str) -> None:
    with persist.staged_dir(out) as stage:
        _io.write_text(stage / "themes.json", marker)


def test_killed_between_renames_is_recovered(tmp_path: Path) -> None:
    out = tmp_path / "latest"
    _fake_run(out, "previous")
    assert out.stat().st_mode & 0o777 == 0o777 & ~_umask()  # not the 0700 of mkdtemp
    pid = _dead_pid()
    # the state a save killed between its two renames leaves behind
    os.replace(out, out.parent / f".latest.old-{pid}")
    partial = out.parent / f".latest.staging-{pid}-abcd1234"
    partial.mkdir()
    (partial / "themes.json").write_text("half", encoding="utf-8")
    assert persist.recover(out) is True
    assert (out / "themes.json").read_text(encoding="utf-8") == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest"]
    # a later save works and leaves nothing beside the run
    _fake_run(out, "new")
    assert (out / "themes.json").read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest"]


def test_leftovers_of_running_processes_are_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "latest"
    _fake_run(out, "previous")
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        live = out.parent / f".latest.staging-{sleeper.pid}-xyz"
        live.mkdir()
        persist.recover(out)
        _fake_run(out, "new")
        assert live.is_dir()  # another process may be writing there right now
    finally:
        sleeper.kill()
        sleeper.wait()
    persist.recover(out)
    assert not live.exists()


def test_swap_failure_rolls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "latest"
    _fake_run(out, "previous")
    real = os.replace

    def replace(src: os.PathLike[str], dst: os.PathLike[str]) -> None:
        if ".staging-" in Path(src).name:
            raise OSError(28, "No space left on device")
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OSError):
        _fake_run(out, "new")
    monkeypatch.undo()
    assert (out / "themes.json").read_text(encoding="utf-8") == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest"]


@pytest.mark.slow
def test_load_recovers_a_run_moved_aside(
    baseline: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    out = tmp_path / "run"
    shutil.copytree(baseline, out)
    before = _hashes(out)
    moved = tmp_path / f".run.old-{_dead_pid()}"
    os.replace(out, moved)
    with caplog.at_level(logging.WARNING, logger="topiclab.storage.runs"):
        result = load_result(out)
    assert "restored the previous run" in caplog.text
    assert _hashes(out) == before and not moved.exists()
    assert len(result.documents) > 0
    # a folder that cannot be renamed back is still read where it lies
    os.replace(out, moved)
    real = os.replace

    def refuse(src: os.PathLike[str], dst: os.PathLike[str]) -> None:
        raise PermissionError(13, "Permission denied")

    os.replace = refuse  # type: ignore[assignment]
    try:
        model = topiclab.load(out)
    finally:
        os.replace = real
    assert model.result is not None and moved.is_dir()
    shutil.rmtree(moved)
    with pytest.raises(RunLoadError, match="not a run directory"):
        load_result(out)


def test_atomic_writer_never_leaves_a_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "big.bin"
    script = (
        "import sys; from topiclab.storage import atomic as _io\n"
        "size = 24 << 20\n"
        "for i in range(1000):\n"
        "    _io.write_bytes(sys.argv[1], bytes([i % 251]) * size)\n"
    )
    _io.write_bytes(target, b"\x07" * (24 << 20))
    for delay in (0.3, 0.8, 1.5):
        proc = subprocess.Popen([sys.executable, "-c", script, str(target)], cwd=ROOT)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        data = target.read_bytes()
        assert len(data) == 24 << 20 and data.count(data[:1]) == len(data)
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "big.bin"]
    assert all(name.startswith(".big.bin.") and name.endswith(".tmp") for name in leftovers)


# ----------------------------------------------------------------------------- cache


def _segments(cache: Path) -> list[Path]:
    return sorted(cache.glob("embeddings-v1/*/seg-*.npz"))


@pytest.mark.slow
def test_rerun_after_kill_reuses_the_cache(baseline: Path, tmp_path: Path) -> None:
    corpus = _corpus(baseline.parent)
    cache = tmp_path / "cache"
    out = tmp_path / "run"
    # no sections: their 17 texts would be embedded (and cached) once by the rerun
    fast = ("--no-figures", "--no-report", "--no-sections")
    proc = _start(corpus, out, cache, *fast)
    assert _wait_for(lambda: bool(_segments(cache)), proc, timeout=120), "no cache segment written"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert not out.exists()
    n_segments = len(_segments(cache))

    rc, err = _finish(_start(corpus, out, cache, *fast, verbose=True))  # -v: the cache log line
    assert rc == 0, err[-3000:]
    hits = re.search(r"(\d+) texts, (\d+) distinct: (\d+) cached, (\d+) embedded", err)
    assert hits and hits.group(3) == hits.group(2) and hits.group(4) == "0", err[-2000:]
    assert len(_segments(cache)) == n_segments
    _assert_complete(out)


class _Counting:
    """A toy embedding model that counts the texts it encodes."""

    model_id = "toy-counting-v1"
    dim = 8

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            digest = hashlib.sha256(text.encode()).digest()
            out[i] = np.frombuffer(digest[: self.dim], dtype=np.uint8) / 255.0 + 0.01
        return out


def _corrupt_truncate(seg: Path) -> None:
    seg.write_bytes(seg.read_bytes()[:100])


def _corrupt_shape(seg: Path) -> None:
    with np.load(seg, allow_pickle=False) as z:
        keys, digest = z["keys"], z["digest"]
    with open(seg, "wb") as fh:
        np.savez(fh, keys=keys, vectors=np.zeros((len(keys), 3), np.float32), digest=digest)


def _corrupt_hash(seg: Path) -> None:
    with np.load(seg, allow_pickle=False) as z:
        keys, vectors, digest = z["keys"], z["vectors"], z["digest"]
    with open(seg, "wb") as fh:
        np.savez(fh, keys=keys, vectors=vectors + 1.0, digest=digest)


def _corrupt_object(seg: Path) -> None:
    with open(seg, "wb") as fh:
        np.savez(
            fh, keys=np.array([object()], dtype=object), vectors=np.zeros(1), digest=np.zeros(1)
        )


@pytest.mark.parametrize(
    "corrupt",
    [_corrupt_truncate, _corrupt_shape, _corrupt_hash, _corrupt_object],
    ids=["truncated", "wrong-shape", "hash-mismatch", "object-array"],
)
def test_corrupted_cache_entry_is_discarded_and_recomputed(
    corrupt: Callable[[Path], None], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from topiclab.features.embed import SentenceEmbedder

    texts = [f"passage number {i} about harbours and trade" for i in range(20)]
    model = _Counting()
    first = (
        SentenceEmbedder(model=model, cache_dir=tmp_path, progress=False)
        .fit(texts)
        .transform(texts)
    )
    assert model.calls >= 20
    (segment,) = _segments(tmp_path)
    corrupt(segment)
    model.calls = 0
    with caplog.at_level(logging.WARNING, logger="topiclab.features.cache"):
        again = (
            SentenceEmbedder(model=model, cache_dir=tmp_path, progress=False)
            .fit(texts)
            .transform(texts)
        )
    assert (
        "Discarding corrupted embedding cache segment" in caplog.text
        and segment.name in caplog.text
    )
    assert model.calls >= 20  # recomputed
    np.testing.assert_allclose(again, first, rtol=1e-6)
    assert not segment.exists()
    model.calls = 0
    SentenceEmbedder(model=model, cache_dir=tmp_path, progress=False).fit(texts).transform(texts)
    assert model.calls <= 1  # stored again: at most the dimension probe


# ----------------------------------------------------------------------------- concurrency


@pytest.mark.slow
def test_two_concurrent_runs_share_a_cache(baseline: Path, tmp_path: Path) -> None:
    corpus = _corpus(baseline.parent)
    cache = tmp_path / "cache"
    outs = [tmp_path / "a" / "run", tmp_path / "b" / "run"]
    procs = [_start(corpus, out, cache, "--no-figures", "--no-report") for out in outs]
    for proc in procs:
        rc, err = _finish(proc)
        assert rc == 0, err[-3000:]
    for out in outs:
        _assert_complete(out)
    a, b = (load_result(out) for out in outs)
    assert a.meta["corpus_fingerprint"] == b.meta["corpus_fingerprint"]
    assert a.passages["theme"].tolist() == b.passages["theme"].tolist()  # same seed, same cache
    assert _segments(cache)


# ----------------------------------------------------------------------------- failed saves


@pytest.mark.slow
@pytest.mark.parametrize(
    "error",
    [PermissionError(13, "Permission denied"), OSError(28, "No space left on device")],
    ids=["read-only", "disk-full"],
)
def test_cli_save_failure_keeps_previous_run(
    error: OSError, baseline: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from topiclab import cli, pipeline

    out = tmp_path / "run"
    shutil.copytree(baseline, out)
    before = _hashes(out)
    loaded = topiclab.load(baseline)
    monkeypatch.setattr(pipeline, "run", lambda corpus, config: (loaded.result, loaded))
    real = _io.write_parquet
    calls = []

    def failing(path: os.PathLike[str], frame: object) -> None:
        calls.append(path)
        if len(calls) == 3:  # a few files are already written in the staging folder
            raise error
        real(path, frame)

    monkeypatch.setattr(_io, "write_parquet", failing)
    corpus = _corpus(baseline.parent)
    package_logger = logging.getLogger("topiclab")  # cli.main configures it: restore after
    saved = (package_logger.handlers[:], package_logger.level, package_logger.propagate)
    try:
        rc: int | str = cli.main(["run", str(corpus), "--out", str(out), "--no-figures"])
    except OSError:
        rc = "uncaught"
    finally:
        package_logger.handlers[:], package_logger.level, package_logger.propagate = saved
    monkeypatch.undo()
    assert len(calls) == 3
    assert _hashes(out) == before  # the previous run is intact
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]  # no staging left behind
    _assert_complete(out)
    assert rc == 1
