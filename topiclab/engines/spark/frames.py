"""pandas frames that Spark's Arrow writer takes, for every ``mapInPandas`` function.

pyspark turns each pandas frame a ``mapInPandas`` function yields into an Arrow record
batch column by column (``pa.Array.from_pandas(series, type=...)``). Two kinds of column
come back from pyarrow as a *chunked* array there, which the record batch cannot hold
(``Cannot convert pyarrow.lib.ChunkedArray to pyarrow.lib.Array``):

* pandas' Arrow-backed string columns (the default string type from pandas 3), and any
  other Arrow-backed extension column;
* a column declared ``string`` in the schema that holds no string at all in the batch:
  pandas reads an all-null column as ``float64`` NaN, and pyarrow converts such a float
  column to a string type as a chunked array. A metadata column that is empty for a whole
  batch (an ``outlet`` that only some sources fill) does exactly this.

:func:`arrow_ready` makes every column a plain numpy/object column of the declared type,
and :func:`map_in_pandas` applies it to every frame of a ``mapInPandas`` function, so no
function has to remember it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

__all__ = ["arrow_ready", "map_in_pandas", "plain_frames", "string_fields"]


def string_fields(schema: Any) -> frozenset[str]:
    """Return the names of the ``string`` fields of ``schema`` (a StructType or a DDL string).

    Parsing a DDL string needs the active Spark session (call this on the driver).
    """
    from pyspark.sql.types import StringType, StructType

    if not isinstance(schema, StructType):
        from pyspark.sql.types import _parse_datatype_string

        schema = _parse_datatype_string(schema)
    return frozenset(f.name for f in schema.fields if isinstance(f.dataType, StringType))


def _plain_strings(series: Any) -> Any:
    """Return ``series`` as an object column of ``str`` values and ``None`` for missing ones."""
    import pandas as pd

    missing = series.isna().to_numpy()
    values = series.astype(object).to_numpy(copy=True)
    out = [
        None if m else (v if isinstance(v, str) else str(v))
        for v, m in zip(values, missing, strict=True)
    ]
    return pd.Series(out, index=series.index, dtype=object, name=series.name)


def arrow_ready(pdf: Any, strings: Iterable[str] = ()) -> Any:
    """Return ``pdf`` with columns Spark's Arrow writer converts to plain arrays.

    Parameters
    ----------
    pdf : pandas.DataFrame
        A frame a ``mapInPandas`` function yields.
    strings : iterable of str
        Columns the output schema declares ``string``: each becomes an object column of
        ``str`` and ``None``, whatever pandas inferred (an all-null column is ``float64``).

    Returns
    -------
    pandas.DataFrame
        A shallow copy with the converted columns (``pdf`` itself when none needs it).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> out = arrow_ready(pd.DataFrame({"a": [np.nan, np.nan], "n": [1, 2]}), ["a"])
    >>> out["a"].tolist(), str(out["a"].dtype), str(out["n"].dtype)
    ([None, None], 'object', 'int64')
    """
    import pandas as pd

    strings = set(strings)
    changed: dict[str, Any] = {}
    for c in pdf.columns:
        col = pdf[c]
        if c in strings:
            changed[c] = _plain_strings(col)
        elif isinstance(col.dtype, pd.api.extensions.ExtensionDtype) and hasattr(
            col.array, "__arrow_array__"
        ):
            changed[c] = col.astype(object)  # Arrow-backed: its values as Python objects
    if not changed:
        return pdf
    pdf = pdf.copy(deep=False)
    for c, col in changed.items():
        pdf[c] = col
    return pdf


def plain_frames(fn: Callable[..., Any], strings: Iterable[str] = ()) -> Callable[..., Any]:
    """Wrap a ``mapInPandas`` function so that every frame it yields passes :func:`arrow_ready`.

    Parameters
    ----------
    fn : callable
        ``Iterator[DataFrame] -> Iterator[DataFrame]``.
    strings : iterable of str
        The output schema's ``string`` columns (see :func:`string_fields`).
    """
    strings = frozenset(strings)

    def wrapped(frames: Iterator[Any]) -> Iterator[Any]:
        for pdf in fn(frames):
            yield arrow_ready(pdf, strings)

    return wrapped


def map_in_pandas(sdf: Any, fn: Callable[..., Any], schema: Any) -> Any:
    """Run ``sdf.mapInPandas(fn, schema)`` with every yielded frame made :func:`arrow_ready`.

    Parameters
    ----------
    sdf : pyspark.sql.DataFrame
    fn : callable
        ``Iterator[DataFrame] -> Iterator[DataFrame]``.
    schema : StructType or str
        The output schema (a DDL string is parsed once, on the driver).

    Returns
    -------
    pyspark.sql.DataFrame
    """
    return sdf.mapInPandas(plain_frames(fn, string_fields(schema)), schema)
