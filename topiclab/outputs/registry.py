"""The figure registry: figure functions register themselves where they are defined.

A figure is a function taking a :class:`~topiclab.themes.RunResult` and returning a
matplotlib ``Figure``. Decorating it with :func:`register_figure` records it under a name,
with the file stem it is saved as and its place in the rendering order;
:func:`topiclab.outputs.figures.render_all` draws every registered figure in that order.
A figure that declares a ``view`` is drawn from that view only: it is called with
``view=<name>`` and left out of a run that has no such view.

Importing this module does not import matplotlib.

Examples
--------
>>> from topiclab.outputs.registry import register_figure
>>> @register_figure("my_figure", order=100, view="lda")   # doctest: +SKIP
... def fig_my_figure(result, *, view="lda"):
...     ...
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from topiclab.themes import RunResult

__all__ = ["FIGURES", "FigureSpec", "figure_specs", "register_figure", "unregister_figure"]

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class FigureSpec:
    """One registered figure.

    Attributes
    ----------
    name : str
        Name of the figure (in the manifest and for ``render_all(names=...)``).
    func : callable
        The figure function: ``func(result, **kwargs) -> Figure``.
    stem : str
        File name the figure is saved under, without extension.
    order : int
        Place in the rendering order (smaller first; ties by name).
    view : str or None
        The view the figure is drawn from; None when it reads the run as a whole.
    analysis : str or None
        Name (or name prefix, e.g. ``themes_by_``) of the derived table the figure draws;
        the figure is left out of runs without one.
    """

    name: str
    func: Callable[..., Figure]
    stem: str
    order: int
    view: str | None = None
    analysis: str | None = None

    def applies_to(self, result: RunResult) -> bool:
        """Tell whether the figure can be drawn from ``result``.

        Parameters
        ----------
        result : RunResult
            The run to draw.

        Returns
        -------
        bool
            False when the figure declares a view (or derived table) that ``result``
            does not have.
        """
        if self.analysis is not None and not any(
            name.startswith(self.analysis) for name in getattr(result, "analyses", {})
        ):
            return False
        return self.view is None or self.view in result.views

    def draw(self, result: RunResult) -> Figure:
        """Draw the figure of ``result`` (with ``view=`` when the figure declares one).

        Parameters
        ----------
        result : RunResult
            The run to draw.

        Returns
        -------
        Figure
            The matplotlib figure.
        """
        if self.view is None:
            return self.func(result)
        return self.func(result, view=self.view)


_SPECS: dict[str, FigureSpec] = {}

#: Figure name -> (function, file name without extension), in rendering order.
#: Filled by :func:`register_figure`; the same dict object is updated in place.
FIGURES: dict[str, tuple[Callable[..., Figure], str]] = {}


def _refresh() -> None:
    """Rebuild :data:`FIGURES` in place, in rendering order."""
    FIGURES.clear()
    for spec in figure_specs():
        FIGURES[spec.name] = (spec.func, spec.stem)


def register_figure(
    name: str,
    *,
    order: int,
    view: str | None = None,
    stem: str | None = None,
    analysis: str | None = None,
) -> Callable[[F], F]:
    """Return a decorator that registers a figure function under ``name``.

    Parameters
    ----------
    name : str
        Figure name; unique among registered figures.
    order : int
        Place in the rendering order (smaller first; ties by name).
    view : str, optional
        The view the figure is drawn from: it is called with ``view=view`` and skipped
        for runs without that view. None (default) for figures of the run as a whole.
    stem : str, optional
        File name without extension (default: ``name``); unique among registered figures.
    analysis : str, optional
        Name or name prefix of the derived table (``result.analyses``) the figure draws;
        the figure is skipped for runs without one.

    Returns
    -------
    callable
        A decorator that records the function and returns it unchanged.

    Raises
    ------
    ValueError
        When another function is already registered under ``name`` or ``stem``.
    """
    file_stem = name if stem is None else stem

    def decorator(func: F) -> F:
        old = _SPECS.get(name)
        if old is not None and _where(old.func) != _where(func):  # re-import replaces
            raise ValueError(f"figure {name!r} is already registered by {_where(old.func)}")
        taken = [s.name for s in _SPECS.values() if s.stem == file_stem and s.name != name]
        if taken:
            raise ValueError(f"file stem {file_stem!r} is already used by figure {taken[0]!r}")
        _SPECS[name] = FigureSpec(
            name=name, func=func, stem=file_stem, order=order, view=view, analysis=analysis
        )
        _refresh()
        return func

    return decorator


def _where(func: Callable[..., Any]) -> str:
    return f"{func.__module__}.{func.__qualname__}"


def figure_specs() -> list[FigureSpec]:
    """Return the registered figures in rendering order.

    Returns
    -------
    list of FigureSpec
        Sorted by ``order``, then name.
    """
    return sorted(_SPECS.values(), key=lambda s: (s.order, s.name))


def unregister_figure(name: str) -> None:
    """Remove a registered figure (a no-op when ``name`` is not registered).

    Parameters
    ----------
    name : str
        The figure name.
    """
    if _SPECS.pop(name, None) is not None:
        _refresh()
