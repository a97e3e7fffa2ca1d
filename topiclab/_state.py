"""Helpers for estimators that save and restore their own fitted state (no pickle).

An estimator's ``get_state()`` returns ``(state, arrays)``: a JSON-able dict and a dict of
numpy arrays; its ``from_state(state, arrays)`` class method rebuilds the fitted
estimator. :mod:`topiclab.storage.model_state` writes them to ``model.json`` and
``arrays.npz``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["plain_params", "plain_values"]


def plain_params(est: Any, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    """Return the constructor parameters of ``est`` as JSON-able values (``drop``: left out).

    Raises
    ------
    TypeError
        When a parameter is an object that JSON cannot hold (name it in ``drop`` and save
        it another way).
    """
    params = {k: v for k, v in est.get_params(deep=False).items() if k not in drop}
    return plain_values(params, owner=type(est).__name__)


def plain_values(values: dict[str, Any], owner: str = "value") -> dict[str, Any]:
    """Return ``values`` with numpy scalars and tuples made JSON-able.

    Raises
    ------
    TypeError
        When a value is an object that JSON cannot hold.

    Examples
    --------
    >>> plain_values({"k": np.int64(3), "t": (1, 2), "s": None})
    {'k': 3, 't': [1, 2], 's': None}
    """
    out = {}
    for k, v in values.items():
        if isinstance(v, np.generic):
            v = v.item()
        if isinstance(v, tuple):
            v = list(v)
        if v is None or isinstance(v, str | int | float | bool | list):
            out[k] = v
        else:
            raise TypeError(f"{owner}.{k}={v!r} cannot be saved as JSON")
    return out
