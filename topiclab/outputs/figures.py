"""Every registered figure rendered to files, with a manifest: :func:`render_all`.

Figures register themselves where they are defined, with
:func:`topiclab.outputs.registry.register_figure`; importing this module imports the figure
modules (:mod:`topiclab.outputs.plot_themes`, :mod:`topiclab.outputs.plot_terms`), so
:data:`FIGURES` holds them all, in rendering order. :func:`render_all` draws them under the
Agg backend with fixed rcParams (matplotlib's default style, fixed sizes and DPI, no
timestamps, a fixed SVG hash salt), so the same result renders to byte-identical files,
and records in ``manifest.json`` how each file was made. A figure of a view the run does
not have is left out.

Importing this module does not import matplotlib.

Examples
--------
>>> from topiclab.outputs.figures import FIGURES, render_all
>>> sorted(FIGURES)[:2]
['doc_theme_heatmap', 'intertopic_distance']
>>> paths = render_all(result, "figures/")                       # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

# the figure modules register their figures when imported
from topiclab.outputs import plot_analysis, plot_terms, plot_themes  # noqa: F401
from topiclab.outputs.fonts import rc_params
from topiclab.outputs.registry import FIGURES, figure_specs
from topiclab.storage.atomic import write_bytes, write_json

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from topiclab.themes import RunResult

__all__ = ["DEFAULT_COMMAND", "DPI", "FIGURES", "MANIFEST", "RENDER_RC", "render_all"]

log = logging.getLogger(__name__)

#: The command documented for regenerating ``figures/``.
DEFAULT_COMMAND = "topiclab figures --run runs/latest --out figures/"

#: Name of the manifest written beside the figures.
MANIFEST = "manifest.json"

#: Resolution of raster output (dots per inch).
DPI = 150

#: rcParams fixed for rendering, on top of matplotlib's default style and the fonts.
RENDER_RC: dict[str, Any] = {
    "figure.dpi": 100,
    "savefig.dpi": DPI,
    "savefig.format": "png",
    "savefig.bbox": None,
    "savefig.transparent": False,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "svg.fonttype": "path",
    "svg.hashsalt": "topiclab",
    "svg.image_inline": True,
    "pdf.fonttype": 3,
    "pdf.compression": 6,
    "path.simplify": True,
}

_METADATA: dict[str, dict[str, Any]] = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None},
}
_FORMATS = tuple(_METADATA)


def _provenance(result: RunResult) -> dict[str, Any]:
    """Config hash, seed and corpus fingerprint of the run behind ``result``."""
    from topiclab.config import ConfigError, RunConfig

    config = dict(result.config or {})
    try:
        config_hash: str | None = RunConfig.from_dict(config).hash()
    except (ConfigError, TypeError, ValueError) as exc:
        log.warning("cannot hash the run configuration: %s", exc)
        config_hash = None
    seed = config.get("seed", (result.meta or {}).get("seed"))
    return {
        "config_hash": config_hash,
        "seed": seed,
        "corpus_fingerprint": (result.meta or {}).get("corpus_fingerprint"),
    }


def _render(fig: Figure, fmt: str) -> bytes:
    """Bytes of ``fig`` in ``fmt`` drawn by the Agg canvas (vector formats by their own)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=DPI, metadata=_METADATA[fmt])
    return buf.getvalue()


def _previous_entries(path: Path, keep: set[str], out_dir: Path) -> list[dict[str, Any]]:
    """Entries of an existing manifest for figures not re-rendered whose files are intact."""
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
        entries = list(old.get("files", []))
    except (OSError, ValueError, AttributeError, TypeError):
        return []
    kept = []
    for entry in entries:
        try:
            name, file, digest = entry["figure"], entry["file"], entry["sha256"]
        except (KeyError, TypeError):
            continue
        target = out_dir / str(file)
        if name in keep or Path(str(file)).name != str(file) or not target.is_file():
            continue
        if hashlib.sha256(target.read_bytes()).hexdigest() == digest:
            kept.append(entry)
    return kept


def render_all(
    result: RunResult,
    out_dir: str | os.PathLike[str],
    *,
    formats: Sequence[str] = ("png", "svg"),
    command: str | None = None,
    names: Iterable[str] | None = None,
) -> list[Path]:
    """Render every registered figure of ``result`` into ``out_dir`` with a manifest.

    Parameters
    ----------
    result : RunResult
        The run to draw.
    out_dir : path
        Output folder (created). Each file is written atomically.
    formats : sequence of {"png", "svg", "pdf"}
        File formats; one file per figure and format.
    command : str, optional
        The command that made the figures, recorded in the manifest (default
        :data:`DEFAULT_COMMAND`).
    names : iterable of str, optional
        Render only these registered figures; the manifest keeps the entries of the
        others whose files are unchanged.

    Returns
    -------
    list of Path
        The files written, the manifest last.

    Raises
    ------
    ValueError
        For an unknown format or figure name.

    Notes
    -----
    ``manifest.json`` lists, for each file: the figure name, file name, format, the
    command, the run's config hash, seed and corpus fingerprint, the file's sha256 and
    the matplotlib version. Its ``run`` section holds the run's parameters, derived seeds,
    the sha256 of every input file, the embedding model and package versions. It holds no
    timestamps, so re-rendering the same result leaves it unchanged.

    A figure that declares a view (see :func:`topiclab.outputs.registry.register_figure`)
    is skipped when ``result.views`` has no such view; files an earlier rendering left
    under its name are removed, so the folder holds only what the manifest lists.
    """
    import matplotlib
    import matplotlib.style

    formats = tuple(dict.fromkeys(str(f).lower().lstrip(".") for f in formats))
    unknown = [f for f in formats if f not in _FORMATS]
    if unknown or not formats:
        raise ValueError(f"formats must be among {_FORMATS}, got {unknown or formats}")
    specs = {spec.name: spec for spec in figure_specs()}
    selected = list(specs) if names is None else list(dict.fromkeys(names))
    missing = [n for n in selected if n not in specs]
    if missing:
        raise ValueError(f"unknown figures {missing}; registered: {sorted(FIGURES)}")

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    common = {
        "command": command or DEFAULT_COMMAND,
        **_provenance(result),
        "matplotlib_version": matplotlib.__version__,
    }
    written: list[Path] = []
    entries: list[dict[str, Any]] = []
    with matplotlib.rc_context():
        matplotlib.style.use("default")
        matplotlib.rcParams.update(RENDER_RC)
        matplotlib.rcParams.update(rc_params())
        for name in selected:
            spec = specs[name]
            if not spec.applies_to(result):
                log.info("figure %s skipped: the run has no %r view", name, spec.view)
                for fmt in formats:
                    stale = out / f"{spec.stem}.{fmt}"
                    if stale.is_file() and not stale.is_symlink():
                        stale.unlink()
                continue
            log.info("figure %s", name)
            fig = spec.draw(result)
            for fmt in formats:
                data = _render(fig, fmt)
                path = out / f"{spec.stem}.{fmt}"
                write_bytes(path, data)
                written.append(path)
                entries.append(
                    {
                        "figure": name,
                        "file": path.name,
                        "format": fmt,
                        **common,
                        "sha256": hashlib.sha256(data).hexdigest(),
                    }
                )
            fig.clear()
    manifest_path = out / MANIFEST
    if names is not None:
        entries = _previous_entries(manifest_path, set(selected), out) + entries
    entries.sort(
        key=lambda e: (
            list(FIGURES).index(e["figure"]) if e["figure"] in FIGURES else len(FIGURES),
            e["file"],
        )
    )
    run = {
        "config": dict(result.config or {}),
        "seeds": (result.meta or {}).get("seeds"),
        "inputs": (result.meta or {}).get("inputs"),
        "corpus_fingerprint": (result.meta or {}).get("corpus_fingerprint"),
        "embedding_model": (result.meta or {}).get("embedding_model"),
        "versions": (result.meta or {}).get("versions"),
    }
    write_json(manifest_path, {"run": run, "files": entries})
    written.append(manifest_path)
    return written
