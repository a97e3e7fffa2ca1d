"""The :class:`Corpus`: cleaned documents, their passages and the cleaning audit log."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from topiclab.errors import CorpusError
from topiclab.storage import atomic as _io

DOCUMENT_COLUMNS: tuple[str, ...] = (
    "doc_id",
    "source_file",
    "title",
    "date",
    "source",
    "lang",
    "text",
    "n_passages",
)
PASSAGE_COLUMNS: tuple[str, ...] = ("passage_id", "doc_id", "lang", "text")

DOCUMENTS_FILE = "documents.parquet"
PASSAGES_FILE = "passages.parquet"
LOG_FILE = "cleaning_log.jsonl"


def _empty(columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})


@dataclass
class Corpus:
    """Cleaned news documents and the passages topic models see.

    Parameters
    ----------
    documents : pandas.DataFrame
        One row per article with at least :data:`DOCUMENT_COLUMNS`; further
        columns are metadata carried from the input (e.g. ``label``, ``url``).
    passages : pandas.DataFrame
        One row per passage with at least :data:`PASSAGE_COLUMNS`.
    log : list of dict
        The cleaning audit log: one record per change (``file``, ``step``,
        ``action`` and ``before``/``after`` or ``removed`` text).

    Examples
    --------
    >>> from topiclab.ingest import load
    >>> corpus = load("corpus/")                          # doctest: +SKIP
    >>> len(corpus), corpus.languages()                   # doctest: +SKIP
    (6, {'en': 5, 'ar': 1})
    """

    documents: pd.DataFrame = field(default_factory=lambda: _empty(DOCUMENT_COLUMNS))
    passages: pd.DataFrame = field(default_factory=lambda: _empty(PASSAGE_COLUMNS))
    log: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        for name, frame, cols in (
            ("documents", self.documents, DOCUMENT_COLUMNS),
            ("passages", self.passages, PASSAGE_COLUMNS),
        ):
            missing = [c for c in cols if c not in frame.columns]
            if missing:
                raise CorpusError(f"{name} table lacks columns {missing}")

    def __len__(self) -> int:
        return len(self.documents)

    def languages(self) -> dict[str, int]:
        """Documents per detected language, most frequent first."""
        counts = self.documents["lang"].fillna("und").value_counts()
        return {str(k): int(v) for k, v in counts.items()}

    def fingerprint(self) -> str:
        """Return a sha256 over the passages (ids, languages, texts) and document metadata.

        Two corpora with the same fingerprint give identical model inputs.
        """
        h = hashlib.sha256()
        for row in self.passages[list(PASSAGE_COLUMNS)].itertuples(index=False):
            for value in row:
                h.update(str(value).encode("utf-8", "surrogatepass"))
                h.update(b"\x1f")
            h.update(b"\x1e")
        for row in self.documents[["doc_id", "title", "date", "source", "lang"]].itertuples(
            index=False
        ):
            for value in row:
                h.update(str(value).encode("utf-8", "surrogatepass"))
                h.update(b"\x1f")
            h.update(b"\x1e")
        return h.hexdigest()

    def summary(self) -> pd.DataFrame:
        """One row per document: id, language, date, title, passages, words, source file."""
        docs = self.documents
        return pd.DataFrame(
            {
                "doc_id": docs["doc_id"],
                "lang": docs["lang"],
                "date": docs["date"],
                "passages": docs["n_passages"],
                "words": docs["text"].fillna("").str.split().str.len(),
                "title": docs["title"].fillna("").str.slice(0, 60),
                "source_file": docs["source_file"],
            }
        )

    def log_frame(self) -> pd.DataFrame:
        """Return the cleaning log as a table."""
        return pd.DataFrame(self.log)

    # ------------------------------------------------------------------ io
    def to_dir(self, out: str | os.PathLike[str]) -> Path:
        """Write ``documents.parquet``, ``passages.parquet`` and ``cleaning_log.jsonl``.

        Each file is written atomically.
        """
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        _io.write_parquet(out / DOCUMENTS_FILE, self.documents)
        _io.write_parquet(out / PASSAGES_FILE, self.passages)
        _io.write_jsonl(out / LOG_FILE, self.log)
        return out

    @classmethod
    def from_dir(cls, path: str | os.PathLike[str]) -> Corpus:
        """Read a corpus written by :meth:`to_dir`."""
        path = Path(path)
        frames = {}
        for name in (DOCUMENTS_FILE, PASSAGES_FILE):
            file = path / name
            if not file.is_file():
                raise CorpusError(f"{file}: missing (not a corpus directory?)")
            try:
                frames[name] = pd.read_parquet(file)
            except Exception as exc:  # pyarrow raises several types for a bad file
                raise CorpusError(f"{file}: unreadable parquet ({exc})") from exc
        log: list[dict[str, Any]] = []
        log_file = path / LOG_FILE
        if log_file.is_file():
            with open(log_file, encoding="utf-8") as fh:
                for lineno, line in enumerate(fh, 1):
                    if not line.strip():
                        continue
                    try:
                        log.append(json.loads(line))
                    except json.JSONDecodeError as exc:
                        raise CorpusError(f"{log_file}:{lineno}: invalid JSON ({exc.msg})") from exc
        return cls(documents=frames[DOCUMENTS_FILE], passages=frames[PASSAGES_FILE], log=log)
