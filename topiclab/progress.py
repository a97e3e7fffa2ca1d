"""Progress bars of the long stages, shown only for work long enough to watch.

Every long step of a run (ingest, embedding, UMAP, clustering, LDA, coherence, the map)
shows a tqdm bar with its rate and the time left when two things hold: progress is on
(``RunConfig.progress``, off with ``topiclab run -q``) and the work is large
(``size`` at least ``min_size`` items). A step whose size is not known in advance (records
streamed from files) shows its bar only once it has run for ``STREAM_DELAY_S`` seconds.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = [
    "BAR_FORMAT",
    "MIN_ITEMS",
    "STREAM_DELAY_S",
    "progress_bar",
    "set_bar_position",
    "show_progress",
    "umap_tqdm_kwds",
]

#: Fewest rows (records, passages, samples) for which a bar is shown.
MIN_ITEMS = 2_000
#: Seconds a step of unknown size runs before its bar appears.
STREAM_DELAY_S = 2.0
#: Counter, bar, rate and time left (tqdm's fields).
BAR_FORMAT = (
    "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}, {rate_fmt}]"
)


#: Screen line of this process's bars (``None``: tqdm's own choice); a worker process
#: fitting a stage beside the main one draws its bars one line below.
_POSITION: int | None = None


def set_bar_position(position: int | None) -> None:
    """Draw this process's progress bars on screen line ``position`` (``None``: tqdm's)."""
    global _POSITION
    _POSITION = position


def show_progress(enabled: bool, size: int | None, min_size: int | None = None) -> bool:
    """Return whether a step of ``size`` items shows a bar.

    Parameters
    ----------
    enabled : bool
        Whether progress is on at all.
    size : int or None
        Items the step works through (rows, passages, samples); ``None`` when unknown.
    min_size : int, optional
        Fewest items for a bar (default :data:`MIN_ITEMS`).

    Examples
    --------
    >>> show_progress(True, 50_000), show_progress(True, 100), show_progress(False, 50_000)
    (True, False, False)
    """
    if not enabled:
        return False
    if size is None:
        return True
    return size >= (MIN_ITEMS if min_size is None else min_size)


def progress_bar(
    iterable: Iterable[Any] | None = None,
    *,
    desc: str,
    unit: str = "it",
    total: int | None = None,
    enabled: bool = True,
    size: int | None = None,
    min_size: int | None = None,
    **kwargs: Any,
) -> Any:
    """Return a tqdm bar (disabled for small work or when progress is off).

    Parameters
    ----------
    iterable : iterable, optional
        What to iterate over; ``None`` for a bar updated by hand.
    desc, unit : str
        Label of the bar and name of one step.
    total : int, optional
        Steps of the bar (``len(iterable)`` when it has one).
    enabled : bool
        Whether progress is on.
    size : int, optional
        Items the work covers, compared with ``min_size`` (default: ``total``). When both
        are unknown the bar appears after :data:`STREAM_DELAY_S` seconds.
    min_size : int, optional
        Fewest items for a bar (default :data:`MIN_ITEMS`).
    **kwargs
        Passed on to ``tqdm``.

    Examples
    --------
    >>> with progress_bar(total=10, desc="steps", enabled=False) as bar:
    ...     bar.update(10)
    ...     bar.disable
    True
    """
    from tqdm import tqdm

    if total is None and iterable is not None and hasattr(iterable, "__len__"):
        total = len(iterable)  # type: ignore[arg-type]
    size = total if size is None else size
    disable = not show_progress(enabled, size, min_size)
    if size is None and not disable:
        kwargs.setdefault("delay", STREAM_DELAY_S)
    if _POSITION is not None:
        kwargs.setdefault("position", _POSITION)
    return tqdm(iterable, desc=desc, unit=unit, total=total, disable=disable, **kwargs)


def umap_tqdm_kwds(enabled: bool, n_samples: int, desc: str = "UMAP layout") -> dict[str, Any]:
    """Return UMAP's ``tqdm_kwds``: a bar over its layout epochs for large inputs.

    UMAP draws the bar itself (without ``verbose``, which would also print its own log
    lines); this sets whether it shows and gives it the rate and the time left.

    Examples
    --------
    >>> umap_tqdm_kwds(True, 100)["disable"], umap_tqdm_kwds(True, 10_000)["disable"]
    (True, False)
    """
    return {
        "disable": not show_progress(enabled, n_samples),
        "desc": desc,
        "unit": "epoch",
        "bar_format": BAR_FORMAT,
    }
