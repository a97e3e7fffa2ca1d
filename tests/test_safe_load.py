"""Safe loading: saved runs and models load without executing code, tampered or truncated
files fail with a clear error naming the file, and corpus text reaches the HTML report and
the figures as text, never as markup.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import HOSTILE

import topiclab
from topiclab.storage import runs as persist
from topiclab.storage.model_state import ARRAYS, MANIFEST, ModelLoadError, load_model
from topiclab.storage.runs import RunLoadError, load_result

ROOT = Path(__file__).resolve().parent.parent

#: what of the hostile article's markup survives the news cleaning: a script element is not a
#: formatting tag (kept as text) and escaped markup is decoded; the ``<img>`` tag is removed
HOSTILE_MARKERS = ("<script>alert(1)</script>", "<script>alert(2)</script>")


def build_baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A complete run (figures and report) of the seed corpus plus one hostile article.

    Built once per session, in a fixed place under the session's base folder, so that
    every module asking for it shares one run.
    """
    base = tmp_path_factory.getbasetemp() / "topiclab-baseline"
    out = base / "run"
    if (base / "done").is_file():
        return out
    shutil.rmtree(base, ignore_errors=True)
    corpus = base / "corpus"
    corpus.mkdir(parents=True)
    for seed in sorted((ROOT / "corpus").glob("*.txt")):
        shutil.copy(seed, corpus / seed.name)
    (corpus / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    env = {**os.environ, "TOPICLAB_CACHE": str(tmp_path_factory.getbasetemp() / "topiclab-cache")}
    proc = subprocess.run(
        [sys.executable, "-m", "topiclab", "run", str(corpus), "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    (base / "done").write_text("ok", encoding="utf-8")
    return out


@pytest.fixture(scope="session")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_baseline(tmp_path_factory)


@pytest.fixture
def run_copy(baseline: Path, tmp_path: Path) -> Path:
    out = tmp_path / "run"
    shutil.copytree(baseline, out)
    return out


# ----------------------------------------------------------------------------- no pickle


@pytest.fixture
def no_pickle(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Refuse (and record) every unpickling of bytes this process did not pickle itself.

    Libraries may round-trip their own objects through pickle (gensim checks that a
    scoring function pickles); loading must never unpickle bytes read from a file.
    """
    calls: list[str] = []
    produced: set[bytes] = set()
    real_dumps, real_loads = pickle.dumps, pickle.loads

    def dumps(*args: Any, **kwargs: Any) -> bytes:
        data = real_dumps(*args, **kwargs)
        produced.add(data)
        return data

    def loads(data: bytes, *args: Any, **kwargs: Any) -> Any:
        if bytes(data) in produced:
            return real_loads(data, *args, **kwargs)
        calls.append("pickle.loads")
        raise AssertionError("pickle.loads called on foreign bytes while loading")

    def refuse(name: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            raise AssertionError(f"{name} called while loading")

        return call

    monkeypatch.setattr(pickle, "dumps", dumps)
    monkeypatch.setattr(pickle, "loads", loads)
    monkeypatch.setattr(pickle, "load", refuse("pickle.load"))
    monkeypatch.setattr(pickle, "Unpickler", refuse("pickle.Unpickler"))
    real_load = np.load

    def np_load(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("allow_pickle", False):
            calls.append("np.load(allow_pickle=True)")
        return real_load(*args, **kwargs)

    monkeypatch.setattr(np, "load", np_load)
    return calls


@pytest.mark.slow
def test_saved_run_loads_without_pickle(baseline: Path, no_pickle: list[str]) -> None:
    model = topiclab.load(baseline)
    assert no_pickle == []
    assert model.result is not None and len(model.result.passages) > 0
    lda = model.transform_lda(["Battery storage and electric cars at the Shanghai expo"], ["en"])
    assert lda.shape[0] == 1 and np.isclose(lda.sum(), 1.0, atol=1e-3)
    result = load_result(baseline)
    assert no_pickle == []
    assert result.meta["n_passages"] == len(result.passages)


def _rehash(model_dir: Path, data: bytes) -> None:
    """Write ``data`` as the arrays file and make the manifest's checksum match it."""
    (model_dir / ARRAYS).write_bytes(data)
    manifest = json.loads((model_dir / MANIFEST).read_text(encoding="utf-8"))
    import hashlib

    manifest["arrays_sha256"] = hashlib.sha256(data).hexdigest()
    (model_dir / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


class Boom:
    """Unpickling this runs code (if anything ever unpickled it)."""

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (os.system, ("echo pwned > /tmp/topiclab-pwned",))


@pytest.mark.slow
def test_object_array_in_npz_is_refused(run_copy: Path, no_pickle: list[str]) -> None:
    model_dir = run_copy / "model"
    with np.load(model_dir / ARRAYS, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    arrays["lda_components_"] = np.array([Boom()], dtype=object)
    buf = io.BytesIO()
    np.savez(buf, **arrays)  # the object array is pickled inside the npz
    _rehash(model_dir, buf.getvalue())  # a consistent checksum: only allow_pickle=False protects
    no_pickle.clear()
    with pytest.raises(ModelLoadError, match=re.escape(str(model_dir))):
        load_model(model_dir)
    assert no_pickle == []
    assert not Path("/tmp/topiclab-pwned").exists()


# ----------------------------------------------------------------------------- tampering


def _truncate(path: Path, keep: float = 0.5) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def _flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x40
    path.write_bytes(bytes(data))


def _edit_json(path: Path, change: Callable[[Any], Any]) -> None:
    obj = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(change(obj)), encoding="utf-8")


def _set(obj: dict[str, Any], keys: tuple[str, ...], value: Any) -> dict[str, Any]:
    target = obj
    for k in keys[:-1]:
        target = target[k]
    target[keys[-1]] = value
    return obj


def _missing_array(model_dir: Path) -> None:
    with np.load(model_dir / ARRAYS, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files if k != "lda_components_"}
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    _rehash(model_dir, buf.getvalue())


def _wrong_shape(model_dir: Path) -> None:
    with np.load(model_dir / ARRAYS, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    arrays["lda_alpha_"] = np.ones(999)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    _rehash(model_dir, buf.getvalue())


MODEL_TAMPERING: dict[str, tuple[Callable[[Path], None], str, str]] = {
    "arrays-truncated": (lambda m: _truncate(m / ARRAYS), ARRAYS, "checksum mismatch"),
    "arrays-bit-flip": (lambda m: _flip(m / ARRAYS), ARRAYS, "checksum mismatch"),
    "arrays-missing": (lambda m: (m / ARRAYS).unlink(), ARRAYS, "missing"),
    "arrays-missing-key": (_missing_array, "model", "invalid saved model"),
    "arrays-wrong-shape": (_wrong_shape, "model", "inconsistent shapes"),
    "manifest-truncated": (
        lambda m: _truncate(m / MANIFEST),
        MANIFEST,
        "corrupt or truncated JSON",
    ),
    "manifest-not-utf8": (
        lambda m: (m / MANIFEST).write_bytes(b"\xff\xfe{"),
        MANIFEST,
        "corrupt or truncated JSON",
    ),
    "manifest-list": (
        lambda m: (m / MANIFEST).write_text("[1, 2]"),
        MANIFEST,
        "unknown model format",
    ),
    "manifest-version": (
        lambda m: _edit_json(m / MANIFEST, lambda o: _set(o, ("format_version",), 99)),
        MANIFEST,
        "unknown model format",
    ),
    "manifest-checksum": (
        lambda m: _edit_json(m / MANIFEST, lambda o: _set(o, ("arrays_sha256",), "0" * 64)),
        ARRAYS,
        "checksum mismatch",
    ),
    "manifest-params-list": (
        lambda m: _edit_json(m / MANIFEST, lambda o: _set(o, ("vectorizer", "params"), [1])),
        "model",
        "invalid saved model",
    ),
    "manifest-unknown-param": (
        lambda m: _edit_json(
            m / MANIFEST, lambda o: _set(o, ("lda", "params", "evil"), "__import__('os')")
        ),
        "model",
        "invalid saved model",
    ),
    "manifest-phrases-string": (
        lambda m: _edit_json(m / MANIFEST, lambda o: _set(o, ("vectorizer", "phrases"), "x")),
        "model",
        "invalid saved model",
    ),
    "manifest-features-number": (
        lambda m: _edit_json(m / MANIFEST, lambda o: _set(o, ("vectorizer", "features"), 5)),
        "model",
        "invalid saved model",
    ),
    "manifest-phrase-params-list": (
        lambda m: _edit_json(
            m / MANIFEST, lambda o: _set(o, ("vectorizer", "phrases", "params"), [1])
        ),
        "model",
        "invalid saved model",
    ),
    "manifest-passes-empty-entry": (
        lambda m: _edit_json(
            m / MANIFEST, lambda o: _set(o, ("vectorizer", "phrases", "passes"), [[]])
        ),
        "model",
        "invalid saved model",
    ),
    "manifest-no-lda": (
        lambda m: _edit_json(m / MANIFEST, lambda o: {k: v for k, v in o.items() if k != "lda"}),
        "model",
        "invalid saved model",
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(MODEL_TAMPERING), ids=list(MODEL_TAMPERING))
def test_tampered_model_fails_clearly(name: str, run_copy: Path, no_pickle: list[str]) -> None:
    tamper, names, problem = MODEL_TAMPERING[name]
    model_dir = run_copy / "model"
    tamper(model_dir)
    with pytest.raises(ModelLoadError) as info:
        topiclab.load(run_copy)
    message = str(info.value)
    assert names in message and re.search(problem, message), message
    assert str(model_dir) in message
    assert no_pickle == []


def _corrupt_log(run: Path) -> None:
    with open(run / "cleaning_log.jsonl", "a", encoding="utf-8") as fh:
        fh.write('{"broken": \n')


def _wrong_mixture(run: Path) -> None:
    import pandas as pd

    pd.DataFrame({"doc_id": ["a"], "not-a-number": [1.0]}).to_parquet(run / "doc_themes.parquet")


RUN_TAMPERING: dict[str, tuple[Callable[[Path], None], str, str]] = {
    "themes-truncated": (
        lambda r: _truncate(r / "themes.json"),
        "themes.json",
        "corrupt or truncated JSON",
    ),
    "themes-missing": (lambda r: (r / "themes.json").unlink(), "themes.json", "missing"),
    "themes-wrong-structure": (
        lambda r: (r / "themes.json").write_text('{"embedding": 1}'),
        "run",
        "invalid run files",
    ),
    "metrics-truncated": (
        lambda r: _truncate(r / "metrics.json"),
        "metrics.json",
        "corrupt or truncated JSON",
    ),
    "meta-binary": (
        lambda r: (r / "meta.json").write_bytes(b"\x89PNG\r\n"),
        "meta.json",
        "corrupt or truncated JSON",
    ),
    "documents-truncated": (
        lambda r: _truncate(r / "documents.parquet"),
        "documents.parquet",
        "corrupt or truncated parquet",
    ),
    "passages-bit-flip": (
        lambda r: _flip(r / "passages.parquet"),
        "passages.parquet",
        "checksum mismatch",
    ),
    "passages-missing": (
        lambda r: (r / "passages.parquet").unlink(),
        "passages.parquet",
        "missing",
    ),
    "doc-themes-wrong-columns": (_wrong_mixture, "doc_themes.parquet", "invalid"),
    "config-garbage": (
        lambda r: (r / "config.toml").write_text("seed = [unclosed"),
        "config.toml",
        "cannot read configuration|invalid",
    ),
    "cleaning-log-corrupt-line": (_corrupt_log, "cleaning_log.jsonl", "corrupt JSON line"),
}


@pytest.mark.slow
@pytest.mark.parametrize("checksums", [True, False], ids=["with-checksums", "without-checksums"])
@pytest.mark.parametrize("name", list(RUN_TAMPERING), ids=list(RUN_TAMPERING))
def test_tampered_run_fails_clearly(
    name: str, checksums: bool, run_copy: Path, no_pickle: list[str]
) -> None:
    tamper, names, problem = RUN_TAMPERING[name]
    assert (run_copy / "checksums.json").is_file()
    if not checksums:  # a run folder written without checksums (or with them removed)
        (run_copy / "checksums.json").unlink()
        if name == "passages-bit-flip":
            pytest.skip("without checksums a flipped bit in parquet data may go unnoticed")
    else:
        problem = f"checksum mismatch|{problem}"
        names = names if names != "run" else ""
    tamper(run_copy)
    with pytest.raises(RunLoadError) as info:
        load_result(run_copy)
    message = str(info.value)
    assert names in message and re.search(problem, message), message
    assert str(run_copy) in message
    assert no_pickle == []


@pytest.mark.slow
def test_edited_checksum_file_fails_clearly(run_copy: Path) -> None:
    _edit_json(run_copy / "checksums.json", lambda o: {**o, "metrics.json": "0" * 64})
    with pytest.raises(RunLoadError, match=r"metrics\.json: checksum mismatch"):
        load_result(run_copy)
    (run_copy / "checksums.json").write_text("[]", encoding="utf-8")
    with pytest.raises(RunLoadError, match=r"checksums\.json: invalid checksum file"):
        load_result(run_copy)


def test_missing_run_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RunLoadError, match=r"nope: not a run directory"):
        load_result(tmp_path / "nope")
    with pytest.raises(RunLoadError, match=r"nope: not a run directory"):
        persist.load(tmp_path / "nope")
    with pytest.raises(ModelLoadError, match=r"model\.json: missing"):
        load_model(tmp_path)


# ----------------------------------------------------------------------------- report, figures


@pytest.mark.slow
def _tags(page: str) -> list[tuple[str, dict[str, str]]]:
    from html.parser import HTMLParser

    found: list[tuple[str, dict[str, str]]] = []

    class _P(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, {k: v or "" for k, v in attrs}))

    parser = _P(convert_charrefs=True)
    parser.feed(page)
    parser.close()
    return found


def test_report_shows_hostile_text_as_text(baseline: Path) -> None:
    result = load_result(baseline)
    hostile = result.documents[result.documents["source_file"] == "hostile.txt"]
    assert len(hostile) == 1
    text = hostile["text"].iloc[0]
    assert all(marker in text for marker in HOSTILE_MARKERS)  # markup the cleaning keeps
    assert "<img" not in text and "&lt;" not in text  # a formatting tag; escaped markup
    page = (baseline / "report.html").read_text(encoding="utf-8")
    opening = '<script type="application/json" id="data">'
    start = page.index(opening) + len(opening)
    end = page.index("</script>", start)
    block, outside = page[start:end], page[:start] + page[end:]
    for marker in ("<script>alert", "<img src=x", "</script> Harbour"):
        assert marker not in page, marker
    # outside the data block (the static sections) the article is HTML-escaped text only:
    # no tag and no event-handler attribute comes from it
    tags_outside = _tags(outside)
    assert not [(t, k) for t, a in tags_outside for k in a if k.lower().startswith("on")]
    images = [a for t, a in tags_outside if t == "img"]
    assert all(a.get("src", "").startswith("data:image/png;base64,") for a in images)
    assert not [t for t, _a in tags_outside if t in ("iframe", "object", "embed")]
    # the article is in the page as data: escaped in the JSON block, intact once parsed
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in block
    assert "\\u003cscript\\u003ealert(2)\\u003c/script\\u003e" in block
    data = json.dumps(json.loads(block), ensure_ascii=False)
    assert all(json.dumps(m, ensure_ascii=False)[1:-1] in data for m in HOSTILE_MARKERS)
    tags = re.findall(r"<script[^>]*>", page)
    assert tags == [opening, "<script>"], tags


@pytest.mark.slow
def test_figures_hold_no_markup_from_the_corpus(baseline: Path) -> None:
    svgs = sorted((baseline / "figures").glob("*.svg"))
    assert svgs
    for svg in svgs:
        content = svg.read_text(encoding="utf-8")
        assert "<script" not in content and "onerror" not in content, svg.name
        assert "<img" not in content, svg.name
    manifest = json.loads((baseline / "figures" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest
