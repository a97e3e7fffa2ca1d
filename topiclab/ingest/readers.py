"""Read input files (txt, md, html, csv, tsv, jsonl, jsonl.gz, parquet) into raw records.

:func:`iter_records` takes one file or a folder (read recursively, in sorted order) and yields
one :class:`RawRecord` per text: one per text/HTML file, one per row or line of structured
files. Structured files are streamed, so memory stays bounded whatever their size. Files that
cannot be read raise :class:`~topiclab.ingest.errors.IngestError`, or are skipped with a
warning under ``skip_bad=True``.
"""

from __future__ import annotations

import csv
import datetime
import gzip
import io
import json
import logging
import math
import os
import re
import stat
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, Any

from topiclab.ingest.decode import (
    SAMPLE_BYTES,
    binary_kind,
    declared_html_charset,
    decode_bytes,
    detect_encoding,
    html_text_and_title,
)
from topiclab.ingest.errors import IngestError

__all__ = [
    "DEFAULT_MAX_TEXT_BYTES",
    "FURNITURE_PREFIXES",
    "MAX_TEXT_BYTES_ENV",
    "SUPPORTED_SUFFIXES",
    "RawRecord",
    "iter_records",
    "text_size_limit",
]

logger = logging.getLogger(__name__)

#: Suffixes read, mapped to the reader's kind.
SUPPORTED_SUFFIXES: dict[str, str] = {
    ".txt": "text",
    ".md": "text",
    ".html": "html",
    ".htm": "html",
    ".csv": "csv",
    ".tsv": "tsv",
    ".jsonl": "jsonl",
    ".jsonl.gz": "jsonl",
    ".parquet": "parquet",
}

#: Lower-case name prefixes of repository files that are not articles; skipped in folders.
FURNITURE_PREFIXES: tuple[str, ...] = ("readme", "license", "licence", "changelog")

#: Largest text file (txt, md, html) or single record text accepted, in bytes (64 MiB).
DEFAULT_MAX_TEXT_BYTES = 64 * 1024 * 1024
#: Environment variable overriding :data:`DEFAULT_MAX_TEXT_BYTES`.
MAX_TEXT_BYTES_ENV = "TOPICLAB_MAX_TEXT_BYTES"

_BATCH_ROWS = 1024
_CSV_FIELD_LIMIT = 1 << 28
_SURROGATE = re.compile("[\ud800-\udfff]")


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


def text_size_limit(value: int | None = None) -> int:
    """Return the text size limit: ``value``, else ``$TOPICLAB_MAX_TEXT_BYTES``, else 64 MiB.

    Parameters
    ----------
    value : int, optional
        An explicit limit in bytes.

    Returns
    -------
    int
        The limit in bytes.

    Raises
    ------
    ValueError
        When the limit (given or from the environment) is not a positive integer.

    Examples
    --------
    >>> text_size_limit(1000)
    1000
    """
    if value is None:
        env = os.environ.get(MAX_TEXT_BYTES_ENV, "").strip()
        if not env:
            return DEFAULT_MAX_TEXT_BYTES
        try:
            value = int(env)
        except ValueError:
            raise ValueError(
                f"${MAX_TEXT_BYTES_ENV} must be a positive number of bytes, got {env!r}"
            ) from None
    if value < 1:
        raise ValueError(f"max_text_bytes must be a positive number of bytes, got {value}")
    return int(value)


def _mib(n: int) -> str:
    return f"{n / 2**20:.1f} MiB" if n >= 2**20 else f"{n} bytes"


@dataclass
class _Context:
    text_column: str
    skip_bad: bool
    on_warning: Callable[[str], None] | None
    max_bytes: int = DEFAULT_MAX_TEXT_BYTES

    def too_long(self, text: str) -> str | None:
        """Describe the problem when ``text`` is over the size limit, else return None."""
        if len(text) <= self.max_bytes // 4:
            return None
        size = len(text.encode("utf-8", "surrogatepass"))
        if size <= self.max_bytes:
            return None
        return (
            f"text of {_mib(size)} is over the limit of {_mib(self.max_bytes)} for one "
            f"article (raise it with max_text_bytes or ${MAX_TEXT_BYTES_ENV})"
        )

    def warn(self, message: str) -> None:
        logger.warning("%s", message)
        if self.on_warning is not None:
            self.on_warning(message)


def iter_records(
    path: str | os.PathLike[str],
    *,
    text_column: str = "text",
    skip_bad: bool = False,
    on_warning: Callable[[str], None] | None = None,
    max_text_bytes: int | None = None,
) -> Iterator[RawRecord]:
    r"""Yield raw records from a file or (recursively) a folder.

    Parameters
    ----------
    path : str or os.PathLike
        A file, or a folder read recursively. In folders, files are read in sorted order of
        their relative paths; hidden files and folders (names starting with ``.``) and
        repository furniture (``README*``, ``LICENSE*``, ``CHANGELOG*``) are skipped, and so
        are files of unsupported type (with a warning). Directory symlinks are followed,
        each real folder at most once.
    text_column : str, default "text"
        Column (csv/tsv/parquet) or field (jsonl) holding the text; the others go to ``meta``.
    skip_bad : bool, default False
        Skip unreadable files and malformed rows/lines with a warning instead of raising.
    on_warning : callable, optional
        Called with each warning message (warnings are also logged).
    max_text_bytes : int, optional
        Largest text accepted, in bytes: a text/HTML file larger than this is refused
        before it is read, a longer record text counts as a malformed record. Defaults to
        ``$TOPICLAB_MAX_TEXT_BYTES`` or :data:`DEFAULT_MAX_TEXT_BYTES` (64 MiB).

    Returns
    -------
    Iterator[RawRecord]
        The records, lazily. Texts that are empty or only whitespace are skipped with a
        warning. Meta values that JSON cannot hold become ``str``; missing values (None,
        NaN, empty CSV cells) are dropped.

    Raises
    ------
    IngestError
        At once when ``path`` does not exist or holds no readable file; while iterating, for
        a file that cannot be read or decoded, looks binary, or is malformed (the message
        names the file and, when local, the line or row), unless ``skip_bad``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.txt").write_text("Markets rallied.", encoding="utf-8")
    >>> _ = (folder / "b.jsonl").write_text('{"text": "Rain fell.", "date": "2024-01-02"}\n')
    >>> [(r.source_file, r.text, r.meta) for r in iter_records(folder)]
    [('a.txt', 'Markets rallied.', {}), ('b.jsonl:1', 'Rain fell.', {'date': '2024-01-02'})]
    """
    ctx = _Context(text_column, skip_bad, on_warning, text_size_limit(max_text_bytes))
    files = _list_files(Path(path), ctx)
    return _iter_files(files, ctx)


def _kind_of(name: str) -> tuple[str, str | None]:
    lower = name.lower()
    suffix = ".jsonl.gz" if lower.endswith(".jsonl.gz") else os.path.splitext(lower)[1]
    return suffix, SUPPORTED_SUFFIXES.get(suffix)


def _list_files(root: Path, ctx: _Context) -> list[tuple[Path, str, str]]:
    """``(path, relative name, kind)`` of every file to read, in deterministic order."""
    if not root.exists():
        kind = "broken symbolic link" if root.is_symlink() else "no such file or folder"
        raise IngestError(root, kind)
    if not root.is_dir():
        suffix, kind = _kind_of(root.name)
        if kind is None:
            raise IngestError(
                root,
                f"unsupported file type {suffix or '(no suffix)'!r}; "
                f"supported: {', '.join(SUPPORTED_SUFFIXES)}",
            )
        return [(root, root.name, kind)]
    found: list[tuple[tuple[str, ...], Path]] = []
    visited: set[str] = set()
    stack: list[tuple[Path, tuple[str, ...]]] = [(root, ())]
    while stack:
        folder, parts = stack.pop()
        real = os.path.realpath(folder)
        if real in visited:
            ctx.warn(f"{folder}: folder already read (symbolic link loop or duplicate); skipped")
            continue
        visited.add(real)
        try:
            with os.scandir(folder) as entries:
                listing = list(entries)
        except OSError as exc:
            error = IngestError(folder, f"cannot list folder: {exc.strerror or exc}")
            if not ctx.skip_bad:
                raise error from None
            ctx.warn(f"skipped {error}")
            continue
        for entry in listing:
            if entry.name.startswith("."):
                continue
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                stack.append((Path(entry.path), (*parts, entry.name)))
            elif entry.name.lower().startswith(FURNITURE_PREFIXES):
                logger.debug("skipping repository file %s", entry.path)
            else:
                found.append(((*parts, entry.name), Path(entry.path)))
    found.sort()
    files: list[tuple[Path, str, str]] = []
    unknown: dict[str, list[str]] = {}
    for parts, file in found:
        rel = "/".join(parts)
        suffix, kind = _kind_of(parts[-1])
        if kind is None:
            unknown.setdefault(suffix or "(no suffix)", []).append(rel)
        else:
            files.append((file, rel, kind))
    for suffix, names in sorted(unknown.items()):
        ctx.warn(
            f"{root}: skipped {len(names)} file(s) of unsupported type {suffix!r} "
            f"(first: {names[0]}); supported: {', '.join(SUPPORTED_SUFFIXES)}"
        )
    if not files:
        raise IngestError(
            root, f"no readable files were found (supported: {', '.join(SUPPORTED_SUFFIXES)})"
        )
    return files


def _iter_files(files: list[tuple[Path, str, str]], ctx: _Context) -> Iterator[RawRecord]:
    for file, rel, kind in files:
        try:
            _check_regular(file)
            yield from _READERS[kind](file, rel, ctx)
        except IngestError as exc:
            if not ctx.skip_bad:
                raise
            ctx.warn(f"skipped {exc}")


def _os_error(path: Path, exc: OSError) -> IngestError:
    if isinstance(exc, PermissionError):
        return IngestError(path, "permission denied")
    if isinstance(exc, FileNotFoundError):
        return IngestError(path, "file not found (broken symbolic link?)")
    return IngestError(path, f"cannot read: {exc.strerror or exc}")


def _check_regular(path: Path) -> None:
    """Refuse devices, FIFOs and sockets (reading them may never end)."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise _os_error(path, exc) from None
    if not stat.S_ISREG(mode):
        raise IngestError(path, "not a regular file (a device, FIFO or socket); skip it")


def _open_binary(path: Path) -> IO[bytes]:
    try:
        return open(path, "rb")
    except OSError as exc:
        raise _os_error(path, exc) from None


def _clean_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _SURROGATE.search(text):
        text = _SURROGATE.sub("\ufffd", text)
    return text


def _jsonable(value: Any) -> Any:
    """``value`` as something :func:`json.dumps` accepts (str where it would not)."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)


def _meta(items: Iterable[tuple[str, Any]], text_column: str) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    for key, value in items:
        if key == text_column or value is None:
            continue
        if isinstance(value, float) and math.isnan(value):
            continue
        meta[key] = _jsonable(value)
    return meta


class _Tally:
    """Counts malformed and empty records of one structured file and reports them once."""

    def __init__(self, path: Path, ctx: _Context) -> None:
        self.path, self.ctx = path, ctx
        self.bad = 0
        self.first_bad: tuple[int, str] = (0, "")
        self.empty = 0
        self.first_empty = 0

    def malformed(self, problem: str, line: int) -> None:
        if not self.ctx.skip_bad:
            raise IngestError(self.path, problem, line=line)
        if not self.bad:
            self.first_bad = (line, problem)
        self.bad += 1

    def blank(self, line: int) -> None:
        if not self.empty:
            self.first_empty = line
        self.empty += 1

    def accepts(self, text: str | None, line: int) -> bool:
        """Return False (and count it) for an empty text or one over the size limit."""
        if not text or not text.strip():
            self.blank(line)
            return False
        problem = self.ctx.too_long(text)
        if problem is not None:
            self.malformed(problem, line)
            return False
        return True

    def report(self, unit: str) -> None:
        if self.bad:
            line, problem = self.first_bad
            self.ctx.warn(
                f"{self.path}: skipped {self.bad} malformed {unit}(s) "
                f"(first: {unit} {line}: {problem})"
            )
        if self.empty:
            self.ctx.warn(
                f"{self.path}: skipped {self.empty} {unit}(s) with empty text "
                f"(first: {unit} {self.first_empty})"
            )


def _read_text(path: Path, rel: str, ctx: _Context, *, html: bool = False) -> Iterator[RawRecord]:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise _os_error(path, exc) from None
    if size > ctx.max_bytes:
        raise IngestError(
            path,
            f"file of {_mib(size)} is over the limit of {_mib(ctx.max_bytes)} for one text "
            f"file; split it, use JSON lines for many articles, or raise the limit with "
            f"max_text_bytes or ${MAX_TEXT_BYTES_ENV}",
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _os_error(path, exc) from None
    decoded = decode_bytes(data, path, declared=declared_html_charset(data) if html else None)
    if decoded.guessed:
        ctx.warn(f"{path}: not UTF-8; decoded as {decoded.encoding} (a guess, check the text)")
    if decoded.replaced:
        ctx.warn(
            f"{path}: not valid UTF-8; {decoded.replaced} invalid byte sequence(s) replaced "
            f"by U+FFFD (first at byte offset {decoded.first_invalid})"
        )
    meta: dict[str, Any] = {}
    text = decoded.text
    if html:
        text, title = html_text_and_title(text)
        if title:
            meta["title"] = title
    text = _clean_text(text)
    if not text.strip():
        ctx.warn(f"{path}: no text; skipped")
        return
    yield RawRecord(rel, text, meta)


def _read_csv(path: Path, rel: str, ctx: _Context, *, delimiter: str = ",") -> Iterator[RawRecord]:
    with _open_binary(path) as raw:
        sample = raw.read(SAMPLE_BYTES)
        codec, guessed = detect_encoding(sample, path, complete=len(sample) < SAMPLE_BYTES)
        if guessed:
            ctx.warn(f"{path}: not UTF-8; decoded as {codec} (a guess, check the text)")
        raw.seek(0)
        stream = io.TextIOWrapper(raw, encoding=codec, newline="")
        old_limit = csv.field_size_limit(_CSV_FIELD_LIMIT)
        try:
            lines = _QuotedLines(stream)
            reader = csv.reader(lines, delimiter=delimiter)
            yield from _csv_rows(reader, path, rel, codec, ctx, lines)
        finally:
            csv.field_size_limit(old_limit)


class _QuotedLines:
    """The lines of a text stream, for :func:`csv.reader`, counting quotes and noting the end.

    A row that the reader returns after the stream has ended, with an odd number of quote
    characters, had a quoted field the file never closed (the reader, not strict, takes the
    rest of the file into that field).
    """

    def __init__(self, stream: Iterable[str]) -> None:
        self._lines = iter(stream)
        self.quotes = 0
        self.ended = False

    def __iter__(self) -> _QuotedLines:
        return self

    def __next__(self) -> str:
        try:
            line = next(self._lines)
        except StopIteration:
            self.ended = True
            raise
        self.quotes += line.count('"')
        return line


def _csv_rows(
    reader: Any, path: Path, rel: str, codec: str, ctx: _Context, lines: _QuotedLines
) -> Iterator[RawRecord]:
    tally = _Tally(path, ctx)
    header: list[str] | None = None
    text_index = 0
    previous_end = 0
    previous_quotes = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except UnicodeDecodeError:
            problem = f"cannot be decoded as {codec} (at or after this line)"
            raise IngestError(path, problem, line=reader.line_num + 1) from None
        except csv.Error as exc:
            stuck = reader.line_num == previous_end
            tally.malformed(f"malformed CSV: {exc}", previous_end + 1)
            if stuck:
                break
            previous_end = reader.line_num
            continue
        start, previous_end = previous_end + 1, reader.line_num
        row_quotes, previous_quotes = lines.quotes - previous_quotes, lines.quotes
        if lines.ended and row_quotes % 2:
            tally.malformed(
                "a quoted field opened in this row is never closed (the file ends inside it)",
                start,
            )
            continue
        if not row:
            continue
        if header is None:
            header = [name.strip() for name in row]
            if ctx.text_column not in header:
                raise IngestError(
                    path,
                    f"no column {ctx.text_column!r}; available columns: {', '.join(header)}",
                    line=start,
                )
            text_index = header.index(ctx.text_column)
            continue
        if len(row) != len(header):
            tally.malformed(f"row has {len(row)} fields but the header has {len(header)}", start)
            continue
        text = _clean_text(row[text_index])
        if not tally.accepts(text, start):
            continue
        cells = ((name, value) for name, value in zip(header, row, strict=True) if value != "")
        yield RawRecord(f"{rel}:{start}", text, _meta(cells, ctx.text_column))
    if header is None:
        ctx.warn(f"{path}: empty CSV file; skipped")
    tally.report("row")


_GZIP_ERRORS = (EOFError, zlib.error, gzip.BadGzipFile)


def _read_jsonl(path: Path, rel: str, ctx: _Context) -> Iterator[RawRecord]:
    compressed = path.name.lower().endswith(".gz")
    with (
        _open_binary(path) as raw,
        gzip.GzipFile(fileobj=raw, mode="rb") if compressed else nullcontext(raw) as stream,
    ):
        try:
            head = stream.peek(64)[:64]  # type: ignore[attr-defined]
        except _GZIP_ERRORS as exc:
            raise IngestError(path, f"not a valid gzip file: {exc}") from None
        kind = binary_kind(head)
        if kind is not None:
            raise IngestError(path, f"looks like a binary file ({kind}), not JSON lines")
        lines: Iterable[bytes | str] = stream
        if b"\x00" in head or head.startswith((b"\xff\xfe", b"\xfe\xff")):
            codec, _ = detect_encoding(head, path, complete=False)
            if codec.startswith(("utf-16", "utf-32")):
                lines = io.TextIOWrapper(stream, encoding=codec)
        yield from _jsonl_lines(lines, path, rel, ctx)


def _jsonl_lines(
    lines: Iterable[bytes | str], path: Path, rel: str, ctx: _Context
) -> Iterator[RawRecord]:
    tally = _Tally(path, ctx)
    column = ctx.text_column
    number = 0
    iterator = iter(lines)
    while True:
        try:
            line = next(iterator)
        except StopIteration:
            break
        except _GZIP_ERRORS as exc:
            raise IngestError(path, f"corrupt gzip data: {exc}", line=number + 1) from None
        except UnicodeDecodeError:
            raise IngestError(path, "cannot be decoded", line=number + 1) from None
        number += 1
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as exc:
            tally.malformed(f"malformed JSON: {exc}", number)
            continue
        if not isinstance(obj, dict):
            tally.malformed(f"expected a JSON object, got {type(obj).__name__}", number)
            continue
        if column not in obj:
            tally.malformed(f"no {column!r} field (fields: {', '.join(obj)})", number)
            continue
        text = obj[column]
        if text is not None and not isinstance(text, str):
            tally.malformed(f"field {column!r} is {type(text).__name__}, not a string", number)
            continue
        if not tally.accepts(text, number):
            continue
        yield RawRecord(f"{rel}:{number}", _clean_text(text), _meta(obj.items(), column))
    tally.report("line")


def _read_parquet(path: Path, rel: str, ctx: _Context) -> Iterator[RawRecord]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except pa.ArrowException as exc:
        raise IngestError(path, f"not a readable Parquet file: {exc}") from None
    except OSError as exc:
        raise _os_error(path, exc) from None
    with parquet:
        schema = parquet.schema_arrow
        column = ctx.text_column
        if column not in schema.names:
            raise IngestError(
                path, f"no column {column!r}; available columns: {', '.join(schema.names)}"
            )
        kind = schema.field(column).type
        if pa.types.is_dictionary(kind):
            kind = kind.value_type
        string_types = (pa.types.is_string, pa.types.is_large_string, pa.types.is_null)
        if not any(check(kind) for check in string_types) and str(kind) != "string_view":
            raise IngestError(path, f"column {column!r} has type {kind}, expected strings")
        tally = _Tally(path, ctx)
        row = 0
        try:
            for batch in parquet.iter_batches(batch_size=_BATCH_ROWS):
                for record in batch.to_pylist():
                    row += 1
                    text = record.get(column)
                    if not tally.accepts(text, row):
                        continue
                    meta = _meta(record.items(), column)
                    yield RawRecord(f"{rel}:{row}", _clean_text(text), meta)
        except (pa.ArrowException, OSError) as exc:
            raise IngestError(path, f"cannot read Parquet data: {exc}", line=row + 1) from None
        tally.report("row")


_READERS: dict[str, Callable[[Path, str, _Context], Iterator[RawRecord]]] = {
    "text": _read_text,
    "html": partial(_read_text, html=True),
    "csv": _read_csv,
    "tsv": partial(_read_csv, delimiter="\t"),
    "jsonl": _read_jsonl,
    "parquet": _read_parquet,
}
