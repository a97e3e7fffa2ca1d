"""Save and load a run directory without pickle.

Layout of a run directory::

    documents.parquet   passages.parquet   doc_themes.parquet   doc_topics.parquet
    themes.json         metrics.json       meta.json            config.toml
    cleaning_log.jsonl  checksums.json     model/ (arrays in .npz, parameters in JSON)

``checksums.json`` holds the sha256 of every other top-level file; a file that does not
match (truncated, bit-flipped or edited) fails to load with :class:`RunLoadError`.

Arrays are stored with ``numpy.savez`` and read with ``allow_pickle=False``; metadata is
JSON/TOML. Nothing in a run directory can execute code when it is loaded. A run is staged
in a sibling folder and swapped into place, so an interrupted save leaves the previous
complete run (or the new complete one), never a mix.

Sibling folders of a run ``NAME``: ``.NAME.staging-PID-*`` (a save in progress) and
``.NAME.old-PID`` (the previous run, between the two renames of the swap). A process killed
during a save leaves them behind; :func:`recover` (called by the next save and by the
loaders) restores the previous run when ``NAME`` itself is missing and removes the
leftovers of processes that no longer run.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from topiclab.errors import RunLoadError
from topiclab.storage import atomic as _io

logger = logging.getLogger(__name__)

__all__ = ["RunLoadError", "load", "load_result", "recover", "save_run"]

FORMAT_VERSION = 1
CHECKSUMS = "checksums.json"
#: Files every run folder has (besides one mixture table per view).
_FIXED_FILES = (
    "documents.parquet",
    "passages.parquet",
    "themes.json",
    "metrics.json",
    "meta.json",
    "cleaning_log.jsonl",
    "config.toml",
)


# ------------------------------------------------------------------------- save
def save_run(
    out: str | os.PathLike[str],
    result: Any,
    model: Any | None = None,
    *,
    figures: bool = False,
    report: bool = False,
    command: str | None = None,
) -> Path:
    """Write a run (result tables, themes, metrics and the fitted model) to ``out``.

    Everything, figures (``figures/``) and ``report.html`` included when asked for, is
    written into a staging folder beside ``out`` which then replaces ``out``, so a run
    folder is always complete. ``command`` is recorded in the figures' manifest.
    """
    out = Path(out)
    with staged_dir(out) as stage:
        write_run_files(stage, result, model)
        tables = getattr(model, "engine_tables", None)
        if tables:  # an engine's full tables, as partitioned datasets
            write_engine_tables(stage, tables)
        if figures:
            from topiclab.outputs.figures import render_all

            render_all(result, stage / "figures", command=command)
        if report:
            from topiclab.outputs.report import write_report

            write_report(result, stage / "report.html")
    return out


def swap_into_place(stage: Path, out: Path) -> None:
    """Replace ``out`` by ``stage`` with two renames (the old run is removed last).

    When the second rename fails, the old run is renamed back, so ``out`` keeps the
    previous complete run.
    """
    old = None
    if out.exists() or out.is_symlink():
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        if old.exists():
            shutil.rmtree(old)
        os.replace(out, old)
    try:
        os.replace(stage, out)
    except BaseException:
        if old is not None:
            with contextlib.suppress(OSError):
                os.replace(old, out)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _pid_alive(pid: int) -> bool:
    """Whether process ``pid`` may still run (True when it cannot be told)."""
    if pid == os.getpid() or os.name == "nt":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _leftovers(out: Path, kind: str) -> list[Path]:
    """``.NAME.<kind>-PID...`` siblings of ``out`` whose process no longer runs, newest first."""
    prefix = f".{out.name}.{kind}-"
    try:
        entries = list(out.parent.iterdir())
    except OSError:
        return []
    found = []
    for entry in entries:
        if not entry.name.startswith(prefix):
            continue
        pid = entry.name[len(prefix) :].split("-", 1)[0]
        if not pid.isdigit() or _pid_alive(int(pid)):
            continue
        try:
            found.append((entry.lstat().st_mtime_ns, entry))
        except OSError:
            continue
    return [entry for _, entry in sorted(found, reverse=True)]


def recover(out: str | os.PathLike[str]) -> bool:
    """Repair what a save killed part-way left beside the run folder ``out``.

    When ``out`` is missing but a previous run was moved aside (a save killed between the
    two renames of :func:`swap_into_place`), that run is renamed back. Staging folders and
    moved-aside runs of processes that no longer run are then removed. Folders of running
    processes are never touched.

    Parameters
    ----------
    out : str or os.PathLike
        A run folder (which may be missing).

    Returns
    -------
    bool
        True when a previous run was restored to ``out``.

    Raises
    ------
    OSError
        When the previous run cannot be renamed back (e.g. a read-only folder).
    """
    out = Path(out)
    olds = _leftovers(out, "old")
    restored = False
    if olds and not (out.exists() or out.is_symlink()):
        os.replace(olds[0], out)
        logger.warning(
            "%s was missing after an interrupted save; restored the previous run from %s",
            out,
            olds[0].name,
        )
        olds, restored = olds[1:], True
    for stale in [*olds, *_leftovers(out, "staging")]:
        logger.info("removing %s, left by an interrupted save", stale)
        shutil.rmtree(stale, ignore_errors=True)
    return restored


def _run_dir(path: str | os.PathLike[str]) -> Path:
    """Return the folder to read a run from: ``path``, restored first after an interrupted save."""
    d = Path(path)
    if d.is_dir():
        return d
    try:
        recover(d)
    except OSError as exc:
        olds = _leftovers(d, "old")
        if olds:
            logger.warning(
                "%s is missing after an interrupted save and cannot be restored (%s); "
                "reading the previous run from %s",
                d,
                exc,
                olds[0],
            )
            return olds[0]
    if not d.is_dir():
        raise RunLoadError(f"{d}: not a run directory")
    return d


def write_run_files(d: Path, result: Any, model: Any | None) -> None:
    """Write every file of a run into the folder ``d`` (each atomically)."""
    d.mkdir(parents=True, exist_ok=True)
    _io.write_parquet(d / "documents.parquet", result.documents)
    _io.write_parquet(d / "passages.parquet", result.passages)
    written = list(_FIXED_FILES)
    for view in result.views.values():
        _io.write_parquet(d / view.mixture_file, _frame_for_parquet(view.mixture))
        written.append(view.mixture_file)
    for analysis in getattr(result, "analyses", {}).values():
        _check_analysis_name(analysis.name)
        _io.write_parquet(d / analysis.file, _analysis_for_parquet(analysis.frame))
        written.append(analysis.file)
    _io.write_json(d / "themes.json", result.themes_json())
    _io.write_json(d / "metrics.json", _jsonable(result.metrics))
    _io.write_json(d / "meta.json", _jsonable({**result.meta, "format_version": FORMAT_VERSION}))
    _io.write_jsonl(d / "cleaning_log.jsonl", result.cleaning_log)
    from topiclab.config import RunConfig

    _io.write_text(d / "config.toml", RunConfig.from_dict(result.config).to_toml())
    _io.write_json(d / CHECKSUMS, {name: _sha256(d / name) for name in sorted(written)})
    if model is not None:
        from topiclab.storage.model_state import save_model

        save_model(model, d / "model")


_ANALYSIS_NAME = re.compile(r"^[A-Za-z0-9_]{1,100}$")


def _check_analysis_name(name: str) -> None:
    if not _ANALYSIS_NAME.match(str(name)) or f"{name}.parquet" in _FIXED_FILES:
        raise RunLoadError(f"analysis name {name!r}: use letters, digits and _ only")


def _analysis_for_parquet(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with string column names and list cells as lists of str."""
    out = frame.copy()
    out.columns = [str(c) for c in out.columns]
    return out.reset_index(drop=True)


def write_engine_tables(d: Path, tables: dict[str, Any]) -> None:
    """Replace table files of run folder ``d`` by an engine's datasets (folders of parts).

    ``tables`` maps file names to objects the engine writes (Spark DataFrames); the
    checksums then cover every part file (``passages.parquet/part-00000.parquet``).
    """
    from topiclab.engines.spark.run import write_tables

    sums = _read_json(d / CHECKSUMS)
    parts = write_tables(d, tables)
    sums = {k: v for k, v in sums.items() if k not in tables}
    sums.update(parts)
    _io.write_json(d / CHECKSUMS, dict(sorted(sums.items())))


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


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# ------------------------------------------------------------------------- load
def _verify_checksums(d: Path) -> None:
    """Compare the files of run ``d`` with ``checksums.json`` (runs without one pass)."""
    path = d / CHECKSUMS
    if not path.is_file():
        return
    sums = _read_json(path)
    if not isinstance(sums, dict):
        raise RunLoadError(f"{path}: invalid checksum file")
    for name, expected in sorted(sums.items()):
        rel = Path(str(name))
        if rel.is_absolute() or ".." in rel.parts or len(rel.parts) > 2:
            raise RunLoadError(f"{path}: invalid entry {name!r}")
        file = d / rel  # a top-level file, or a part file of a dataset folder
        if not file.is_file():
            raise RunLoadError(f"{file}: missing (not a run directory?)")
        if _sha256(file) != expected:
            raise RunLoadError(f"{file}: checksum mismatch (file truncated or modified)")


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise RunLoadError(f"{path}: missing (not a run directory?)") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RunLoadError(f"{path}: corrupt or truncated JSON ({exc})") from exc


def _read_parquet(path: Path) -> pd.DataFrame:
    """Read a parquet file, or a folder of parquet parts (a partitioned dataset)."""
    if not (path.is_file() or path.is_dir()):
        raise RunLoadError(f"{path}: missing (not a run directory?)")
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several exception types for bad files
        raise RunLoadError(f"{path}: corrupt or truncated parquet ({exc})") from exc


def _mixture(path: Path) -> pd.DataFrame:
    frame = _read_parquet(path)
    try:
        frame = frame.set_index("doc_id")
        frame.columns = [int(c) for c in frame.columns]
    except (KeyError, TypeError, ValueError) as exc:
        raise RunLoadError(f"{path}: invalid theme mixture table ({exc})") from exc
    return frame


def load_result(path: str | os.PathLike[str]) -> Any:
    """Read the plain-data :class:`~topiclab.themes.RunResult` of a run directory."""
    from topiclab.config import RunConfig
    from topiclab.themes import RunResult, ThemeTable, View

    d = _run_dir(path)
    _verify_checksums(d)
    themes = _read_json(d / "themes.json")
    metrics = _read_json(d / "metrics.json")
    try:
        config = RunConfig.from_toml(d / "config.toml").to_dict()
        tables = {str(name): ThemeTable.from_dict(t) for name, t in themes.items()}
        if not isinstance(metrics, dict):
            raise TypeError("metrics.json does not hold an object")
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise RunLoadError(f"{d}: invalid run files ({exc})") from exc
    views = {}
    for name, table in tables.items():
        view = View.builtin(name, table, metrics=metrics.get(name) or {})
        view.mixture = _mixture(d / view.mixture_file)
        views[name] = view
    analyses = _load_analyses(d, metrics.get("analyses"))
    cleaning: list[dict[str, Any]] = []
    log_path = d / "cleaning_log.jsonl"
    log_files = [log_path] if log_path.is_file() else []
    if log_path.is_dir():  # a dataset folder of JSON-lines parts
        log_files = sorted(p for p in log_path.iterdir() if not p.name.startswith(("_", ".")))
    for log_file in log_files:
        for lineno, line in enumerate(log_file.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    cleaning.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise RunLoadError(f"{log_file}:{lineno}: corrupt JSON line") from exc
    return RunResult(
        config=config,
        documents=_read_parquet(d / "documents.parquet"),
        passages=_read_parquet(d / "passages.parquet"),
        views=views,
        meta=_read_json(d / "meta.json"),
        cleaning_log=cleaning,
        run_metrics={k: v for k, v in metrics.items() if k not in views and k != "analyses"},
        analyses=analyses,
    )


def _load_analyses(d: Path, listed: Any) -> dict[str, Any]:
    """Read the derived tables named in ``metrics.json["analyses"]``."""
    from topiclab.themes import Analysis

    if listed is None:
        return {}
    if not isinstance(listed, dict):
        raise RunLoadError(f"{d / 'metrics.json'}: 'analyses' does not hold an object")
    out = {}
    for name, info in listed.items():
        try:
            _check_analysis_name(name)
        except RunLoadError as exc:
            raise RunLoadError(f"{d / 'metrics.json'}: {exc}") from None
        info = dict(info) if isinstance(info, dict) else {}
        info.pop("file", None)
        title = str(info.pop("title", "") or "")
        frame = _read_parquet(d / f"{name}.parquet")
        out[name] = Analysis(name=name, frame=frame, info=info, title=title)
    return out


def load(path: str | os.PathLike[str]) -> Any:
    """Load a saved run: the fitted :class:`~topiclab.pipeline.model.ThemeModel` with its result.

    Examples
    --------
    >>> import topiclab
    >>> model = topiclab.load("runs/latest")             # doctest: +SKIP
    >>> model.predict(["Battery storage for the grid"])   # doctest: +SKIP
    """
    from topiclab.storage.model_state import load_model

    d = _run_dir(path)
    model = load_model(d / "model")
    model.result = load_result(d)
    return model


@contextlib.contextmanager
def staged_dir(out: str | os.PathLike[str]):
    """Yield a staging folder that replaces ``out`` when the block succeeds.

    Leftovers of an interrupted earlier save are repaired first (:func:`recover`). When the
    block raises, the staging folder is removed and ``out`` is left as it was.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    recover(out)
    stage = _io.make_temp_dir(out.parent, f".{out.name}.staging-{os.getpid()}-")
    try:
        yield stage
        swap_into_place(stage, out)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
