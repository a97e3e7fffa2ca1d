"""Save and load a run directory without pickle.

Layout of a run directory::

    documents.parquet   passages.parquet   doc_themes.parquet   doc_topics.parquet
    themes.json         metrics.json       meta.json            config.toml
    cleaning_log.jsonl  model/ (arrays in .npz, parameters in JSON)

Arrays are stored with ``numpy.savez`` and read with ``allow_pickle=False``; metadata is
JSON/TOML. Nothing in a run directory can execute code when it is loaded. A run is staged
in a sibling folder and swapped into place, so an interrupted save leaves the previous
complete run (or the new complete one), never a mix.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from topiclab import _io

log = logging.getLogger(__name__)

__all__ = ["RunLoadError", "load", "load_result", "save_run"]

FORMAT_VERSION = 1


class RunLoadError(ValueError):
    """A run directory is missing files or holds tampered/truncated data."""


# ------------------------------------------------------------------------- save
def save_run(out: str | os.PathLike[str], result: Any, model: Any | None = None) -> Path:
    """Write a run (result tables, themes, metrics and the fitted model) to ``out``.

    The run is written into a staging folder beside ``out`` which then replaces ``out``.
    Extra files placed in ``out`` by other commands (figures, report) are written by those
    commands afterwards.
    """
    out = Path(out)
    with staged_dir(out) as stage:
        write_run_files(stage, result, model)
    return out


def swap_into_place(stage: Path, out: Path) -> None:
    """Replace ``out`` by ``stage`` with two renames (the old run is removed last)."""
    old = None
    if out.exists():
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        os.replace(out, old)
    os.replace(stage, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def write_run_files(d: Path, result: Any, model: Any | None) -> None:
    """Write every file of a run into the folder ``d`` (each atomically)."""
    d.mkdir(parents=True, exist_ok=True)
    _io.write_parquet(d / "documents.parquet", result.documents)
    _io.write_parquet(d / "passages.parquet", result.passages)
    _io.write_parquet(d / "doc_themes.parquet", _frame_for_parquet(result.doc_themes))
    _io.write_parquet(d / "doc_topics.parquet", _frame_for_parquet(result.doc_topics))
    _io.write_json(d / "themes.json", result.themes_json())
    _io.write_json(d / "metrics.json", _jsonable(result.metrics))
    _io.write_json(d / "meta.json", _jsonable({**result.meta, "format_version": FORMAT_VERSION}))
    _io.write_jsonl(d / "cleaning_log.jsonl", result.cleaning_log)
    from topiclab.config import RunConfig

    _io.write_text(d / "config.toml", RunConfig.from_dict(result.config).to_toml())
    if model is not None:
        from topiclab.model_io import save_model

        save_model(model, d / "model")


def _frame_for_parquet(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out.columns = [str(c) for c in out.columns]
    return out.reset_index()


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not np.isfinite(obj):
        return None
    return obj


# ------------------------------------------------------------------------- load
def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise RunLoadError(f"{path}: missing (not a run directory?)") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RunLoadError(f"{path}: corrupt or truncated JSON ({exc})") from exc


def _read_parquet(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise RunLoadError(f"{path}: missing (not a run directory?)")
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several exception types for bad files
        raise RunLoadError(f"{path}: corrupt or truncated parquet ({exc})") from exc


def _mixture(path: Path) -> pd.DataFrame:
    frame = _read_parquet(path).set_index("doc_id")
    frame.columns = [int(c) for c in frame.columns]
    return frame


def load_result(path: str | os.PathLike[str]) -> Any:
    """Read the plain-data :class:`~topiclab.themes.RunResult` of a run directory."""
    from topiclab.config import RunConfig
    from topiclab.themes import RunResult, ThemeTable

    d = Path(path)
    if not d.is_dir():
        raise RunLoadError(f"{d}: not a run directory")
    themes = _read_json(d / "themes.json")
    try:
        config = RunConfig.from_toml(d / "config.toml").to_dict()
        emb, lda = ThemeTable.from_dict(themes["embedding"]), ThemeTable.from_dict(themes["lda"])
    except (KeyError, TypeError, ValueError) as exc:
        raise RunLoadError(f"{d}: invalid run files ({exc})") from exc
    cleaning: list[dict[str, Any]] = []
    log_path = d / "cleaning_log.jsonl"
    if log_path.is_file():
        for lineno, line in enumerate(log_path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    cleaning.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise RunLoadError(f"{log_path}:{lineno}: corrupt JSON line") from exc
    return RunResult(
        config=config,
        documents=_read_parquet(d / "documents.parquet"),
        passages=_read_parquet(d / "passages.parquet"),
        themes=emb,
        topics=lda,
        doc_themes=_mixture(d / "doc_themes.parquet"),
        doc_topics=_mixture(d / "doc_topics.parquet"),
        metrics=_read_json(d / "metrics.json"),
        meta=_read_json(d / "meta.json"),
        cleaning_log=cleaning,
    )


def load(path: str | os.PathLike[str]) -> Any:
    """Load a saved run: the fitted :class:`~topiclab.model.ThemeModel` with its result.

    Examples
    --------
    >>> import topiclab
    >>> model = topiclab.load("runs/latest")             # doctest: +SKIP
    >>> model.predict(["Battery storage for the grid"])   # doctest: +SKIP
    """
    from topiclab.model_io import load_model

    d = Path(path)
    model = load_model(d / "model")
    model.result = load_result(d)
    return model


@contextlib.contextmanager
def staged_dir(out: str | os.PathLike[str]):
    """Yield a staging folder that replaces ``out`` when the block succeeds."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-", dir=out.parent))
    try:
        yield stage
        swap_into_place(stage, out)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
