"""Readers for every input format (placeholder interface; see iter_records)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class RawRecord:
    """One raw text as read from the input, before cleaning.

    Attributes
    ----------
    source_file : str
        The file it came from, relative to the input root when possible, with a
        ``:N`` record locator for multi-record files (``news.jsonl:12``).
    text : str
        The decoded text.
    meta : dict
        Other fields of structured inputs (csv/jsonl/parquet columns), kept as metadata.
    """

    source_file: str
    text: str
    meta: dict[str, Any] = field(default_factory=dict)


def iter_records(
    path: str | os.PathLike[str],
    *,
    text_column: str = "text",
    skip_bad: bool = False,
    on_warning: Callable[[str], None] | None = None,
) -> Iterator[RawRecord]:
    """Yield raw records from a file or (recursively) a folder."""
    root = Path(path)
    files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
    for f in files:
        if f.suffix.lower() in {".txt", ".md"}:
            yield RawRecord(source_file=f.name, text=f.read_text(encoding="utf-8-sig"))
