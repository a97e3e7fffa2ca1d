"""Document dates: parse to timestamps (ISO 8601 out), choose a time bin, name periods."""

from __future__ import annotations

import logging
import warnings
from typing import Any

import numpy as np
import pandas as pd

from topiclab.errors import DateError

logger = logging.getLogger(__name__)

__all__ = ["BINS", "DateError", "choose_bin", "parse_dates", "period_labels"]

#: Time bins, finest first, with the pandas period frequency of each.
BINS: dict[str, str] = {"day": "D", "week": "W-SUN", "month": "M", "quarter": "Q", "year": "Y"}
#: Most periods an automatic bin may produce.
MAX_AUTO_PERIODS = 40


def parse_dates(values: Any) -> tuple[pd.Series, dict[str, int]]:
    """Parse date strings (ISO 8601 first, then common written forms) to UTC timestamps.

    Parameters
    ----------
    values : sequence
        Date values: strings, datetimes or missing values.

    Returns
    -------
    dates : Series of datetime64[ns, UTC]
        ``NaT`` where a value is missing or cannot be read.
    counts : dict
        ``dated``, ``missing`` (no value) and ``malformed`` (a value that is not a date).

    Examples
    --------
    >>> dates, counts = parse_dates(["2024-09-21T17:39", "6 February 2025", "soon", None])
    >>> [d.date().isoformat() if d is not pd.NaT else None for d in dates]
    ['2024-09-21', '2025-02-06', None, None]
    >>> counts
    {'dated': 2, 'missing': 1, 'malformed': 1}
    """
    raw = pd.Series(list(values), dtype="object")
    text = raw.map(lambda v: None if _missing(v) else str(v).strip() or None)
    present = text.notna()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = pd.to_datetime(text, errors="coerce", format="ISO8601", utc=True)
        retry = present & out.isna()
        if retry.any():
            out.loc[retry] = pd.to_datetime(text[retry], errors="coerce", format="mixed", utc=True)
    # years outside the news era are misreadings ("12" -> year 2012 is fine, 0012 is not)
    bad = out.notna() & ((out.dt.year < 1800) | (out.dt.year > 2200))
    out[bad] = pd.NaT
    counts = {
        "dated": int(out.notna().sum()),
        "missing": int((~present).sum()),
        "malformed": int((present & out.isna()).sum()),
    }
    return out.reset_index(drop=True), counts


def _missing(v: Any) -> bool:
    if v is None:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def choose_bin(dates: pd.Series, max_periods: int = MAX_AUTO_PERIODS) -> str:
    """Return the finest bin giving at most ``max_periods`` periods over the date range.

    Parameters
    ----------
    dates : Series of datetime64
        Parsed dates (``NaT`` ignored).
    max_periods : int, default=40

    Returns
    -------
    str
        One of ``day``, ``week``, ``month``, ``quarter``, ``year``.

    Raises
    ------
    DateError
        When no date is given.
    """
    valid = dates.dropna()
    if valid.empty:
        raise DateError("no dated documents: cannot choose a time bin")
    for name in BINS:
        if _n_periods(valid, name) <= max_periods:
            return name
    return "year"


def _n_periods(dates: pd.Series, bin_name: str) -> int:
    periods = _periods(dates, bin_name)
    return int((periods.max() - periods.min()).n) + 1


def _periods(dates: pd.Series, bin_name: str) -> pd.Series:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "converting to PeriodArray drops timezone"
        return dates.dt.tz_localize(None).dt.to_period(BINS[bin_name])


def period_labels(dates: pd.Series, bin_name: str) -> tuple[pd.Series, pd.Series]:
    """Return each date's period name and the ISO date its period starts on.

    Periods are named ``2024-09-21`` (day), ``2024-W38`` (ISO week), ``2024-09``
    (month), ``2024Q3`` (quarter) and ``2024`` (year).

    Parameters
    ----------
    dates : Series of datetime64
    bin_name : str
        One of :data:`BINS`.

    Returns
    -------
    names, starts : Series of str (None where the date is NaT)
    """
    if bin_name not in BINS:
        raise DateError(f"time bin must be one of {list(BINS)} or 'auto', got {bin_name!r}")
    periods = _periods(dates, bin_name)
    names = []
    starts = []
    for p in periods:
        if p is pd.NaT or p is None or (isinstance(p, float) and np.isnan(p)):
            names.append(None)
            starts.append(None)
            continue
        start = p.start_time
        if bin_name == "week":
            iso = start.isocalendar()
            names.append(f"{iso[0]}-W{iso[1]:02d}")
        elif bin_name == "day":
            names.append(start.strftime("%Y-%m-%d"))
        else:
            names.append(str(p))
        starts.append(start.strftime("%Y-%m-%d"))
    return pd.Series(names, dtype="object"), pd.Series(starts, dtype="object")
