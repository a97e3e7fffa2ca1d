"""Bad input catalogue: every kind of broken or odd input gives a clear error or a documented
recovery (see ``docs/limits.md``), through the Python API and through the command line.

Inputs are generated in ``tmp_path``; nothing here is a committed blob.
"""

from __future__ import annotations

import codecs
import errno
import gzip
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import textwrap
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from topiclab.ingest import IngestError, load
from topiclab.ingest.corpus import Corpus
from topiclab.ingest.readers import MAX_TEXT_BYTES_ENV
from topiclab.storage import runs as persist

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "corpus").glob("*.txt"))
EN = (ROOT / "corpus" / "000_4b8397cfab56900d.txt").read_text(encoding="utf-8")
AR = (ROOT / "corpus" / "001_f5cceb7b2e90deca.txt").read_text(encoding="utf-8")
FR = (
    "Le gouvernement a présenté mercredi un budget qui prévoit des économies importantes. "
    "Les syndicats ont dénoncé des réformes « injustes » et appelé à la grève générale. "
    "Le ministre a déclaré que la croissance resterait faible cette année.\n"
) * 4
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(56) + bytes(range(256)) * 4
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + bytes(200)


def _zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("article.txt", EN)
    return buf.getvalue()


def _write(folder: Path, files: dict[str, bytes | str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return folder


def _jsonl(rows: list[Any]) -> str:
    return "".join(
        (r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows
    )


def _parquet(frame: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    return buf.getvalue()


def _warnings(corpus: Corpus) -> list[str]:
    return [e["reason"] for e in corpus.log if e.get("action") == "warning"]


# ----------------------------------------------------------------------------- the catalogue


@dataclass
class Case:
    """One bad input: how to build it and what ``load`` must do with it.

    ``error`` is a regex the IngestError's problem must match and ``names`` the file the
    error must name (its path ends with it); otherwise ``check`` inspects the corpus and
    the warnings of a successful (recovered) load.
    """

    id: str
    build: Callable[[Path], Path]
    error: str | None = None
    names: str | None = None
    line: int | None = None
    check: Callable[[Corpus, list[str]], None] | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)


def _files(files: dict[str, bytes | str], target: str | None = None) -> Callable[[Path], Path]:
    def build(tmp: Path) -> Path:
        folder = _write(tmp / "in", files)
        return folder / target if target else folder

    return build


def _ok_docs(n: int, *, warn: str | None = None) -> Callable[[Corpus, list[str]], None]:
    def check(corpus: Corpus, warnings: list[str]) -> None:
        assert len(corpus) == n, corpus.documents[["source_file", "title"]]
        if warn is not None:
            assert any(re.search(warn, w) for w in warnings), warnings
        else:
            assert not warnings, warnings

    return check


def _symlink_loop(tmp: Path) -> Path:
    folder = _write(tmp / "in", {"sub/a.txt": EN})
    os.symlink(folder, folder / "sub" / "up")
    os.symlink(folder / "sub", folder / "sub" / "self")
    return folder


def _broken_link(tmp: Path) -> Path:
    folder = _write(tmp / "in", {"good.txt": EN})
    os.symlink(tmp / "missing.txt", folder / "gone.txt")
    return folder


def _fifo(tmp: Path) -> Path:
    folder = _write(tmp / "in", {"good.txt": EN})
    os.mkfifo(folder / "pipe.txt")
    return folder


def _long_line(tmp: Path) -> Path:
    words = " ".join(f"word{i % 997}" for i in range(300_000))  # ~2.6 MB, one line
    return _write(tmp / "in", {"long.txt": words + "."})


def _check_long_line(corpus: Corpus, warnings: list[str]) -> None:
    assert len(corpus) == 1 and not warnings
    sizes = corpus.passages["text"].str.split().str.len()
    assert len(sizes) > 1000 and sizes.max() <= 250  # split into bounded passages


def _check_utf8_repaired(corpus: Corpus, warnings: list[str]) -> None:
    assert len(corpus) == 1
    assert any(re.search(r"bad\.txt: not valid UTF-8; \d+ invalid byte", w) for w in warnings)
    text = corpus.documents["text"].iloc[0]
    assert "\ufffd" in text and "Toyota’s" in text  # the rest stays UTF-8, no mojibake


def _check_utf8_arabic(corpus: Corpus, warnings: list[str]) -> None:
    assert len(corpus) == 1 and corpus.languages() == {"ar": 1}
    assert any("byte offset" in w for w in warnings)


def _check_same_text(expected_fragment: str) -> Callable[[Corpus, list[str]], None]:
    def check(corpus: Corpus, warnings: list[str]) -> None:
        assert len(corpus) == 1 and not warnings
        assert expected_fragment in corpus.documents["text"].iloc[0]

    return check


def _check_mixed(corpus: Corpus, warnings: list[str]) -> None:
    assert sorted(corpus.documents["source_file"]) == [
        "cp1252.txt",
        "sig.txt",
        "utf16.txt",
        "utf8.txt",
    ]
    assert len(warnings) == 1 and "cp1252.txt: not UTF-8; decoded as cp1252" in warnings[0]
    fr = corpus.documents.set_index("source_file").loc["cp1252.txt", "text"]
    assert "présenté" in fr and "« injustes »" in fr


def _check_csv_embedded(corpus: Corpus, warnings: list[str]) -> None:
    assert not warnings
    texts = dict(zip(corpus.documents["title"], corpus.documents["text"], strict=True))
    body = texts['A "quoted", title']
    assert 'the minister said "no comment"' in body and "Second paragraph" in body


def _check_identical(corpus: Corpus, warnings: list[str]) -> None:
    assert len(corpus) == 1
    dropped = [e for e in corpus.log if e["action"] == "drop_exact_duplicate"]
    assert len(dropped) == 3 and all(
        e["duplicate_of"] == corpus.documents["doc_id"][0] for e in dropped
    )


def _check_scripts(corpus: Corpus, warnings: list[str]) -> None:
    text = corpus.documents["text"].iloc[0]
    for fragment in ("السوق", "שלום", "市场", "Рынок"):
        assert fragment in text


def _check_invisible(corpus: Corpus, warnings: list[str]) -> None:
    text = corpus.documents["text"].iloc[0]
    assert "Markets rallied" in text
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u200d\u2060\ufeff]", text)
    assert "\u200f" in text  # a right-to-left mark is text, kept


def _check_names(corpus: Corpus, warnings: list[str]) -> None:
    assert corpus.documents["source_file"].tolist() == ["my folder/ünïcødé fïlé 新闻.txt"]


def _check_skipped(fragment: str, n: int = 1) -> Callable[[Corpus, list[str]], None]:
    return _ok_docs(n, warn=fragment)


def _deny_open(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = _write(tmp / "in", {"locked.txt": EN, "open.txt": FR})
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "locked.txt":
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    return folder


def _deny_listing(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = _write(tmp / "in", {"top.txt": EN, "private/inner.txt": FR})
    real = os.scandir

    def scandir(path: Any = ".") -> Any:
        if Path(path).name == "private":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    return folder


EMBEDDED_CSV = (
    "title,text,url\n"
    '"A ""quoted"", title","First line, with a comma;\n'
    'the minister said ""no comment"".\n\nSecond paragraph, after a blank line.",http://x/1\n'
)

CASES: list[Case] = [
    # -- folders and empty input
    Case("empty-folder", _files({}), error=r"no readable files were found", names="in"),
    Case(
        "only-readme", _files({"README.md": EN}), error=r"no readable files were found", names="in"
    ),
    Case("empty-file", _files({"a.txt": b""}), error=r"no text found", names="in"),
    Case(
        "whitespace-only-file",
        _files({"a.txt": " \n\t \r\n  "}),
        error=r"no text found",
        names="in",
    ),
    Case(
        "empty-file-among-good",
        _files({"a.txt": b"", "b.txt": EN}),
        check=_ok_docs(1, warn=r"a\.txt: no text; skipped"),
    ),
    Case(
        "html-only-script",
        _files({"a.html": "<html><script>var x = 1;</script><style>p{}</style></html>"}),
        error="no text found",
        names="in",
    ),
    Case(
        "unsupported-single-file",
        _files({"photo.jpg": b"\xff\xd8\xff\xe0"}, "photo.jpg"),
        error=r"unsupported file type '\.jpg'",
        names="photo.jpg",
    ),
    Case(
        "unsupported-among-good",
        _files({"photo.jpg": b"\xff\xd8\xff", "a.txt": EN}),
        check=_ok_docs(1, warn=r"unsupported type '\.jpg' \(first: photo\.jpg\)"),
    ),
    Case("missing-path", lambda tmp: tmp / "nope", error=r"no such file or folder", names="nope"),
    # -- binaries
    Case("png-as-txt", _files({"a.txt": PNG}), error=r"binary file \(PNG image\)", names="a.txt"),
    Case(
        "zip-as-txt",
        _files({"a.txt": _zip_bytes()}),
        error=r"binary file \(zip archive\)",
        names="a.txt",
    ),
    Case(
        "elf-as-txt", _files({"a.txt": ELF}), error=r"binary file \(ELF executable\)", names="a.txt"
    ),
    Case("pdf-as-md", _files({"a.md": PDF}), error=r"binary file \(PDF document\)", names="a.md"),
    Case(
        "nul-bytes",
        _files({"a.txt": EN.encode()[:500] + bytes(100) + EN.encode()[500:]}),
        error=r"binary file \(it contains NUL bytes\)",
        names="a.txt",
    ),
    Case(
        "control-chars",
        _files({"a.txt": b"\x01\x02\x03\x04abc" * 200}),
        error=r"binary file \(mostly control characters\)",
        names="a.txt",
    ),
    Case(
        "random-bytes",
        _files({"a.txt": hashlib.sha512(b"seed").digest() * 64}),
        error=r"binary|cannot be decoded",
        names="a.txt",
    ),
    Case(
        "png-as-jsonl",
        _files({"a.jsonl": PNG}),
        error=r"binary file \(PNG image\)",
        names="a.jsonl",
    ),
    Case(
        "zip-as-csv",
        _files({"a.csv": _zip_bytes()}),
        error=r"binary file \(zip archive\)",
        names="a.csv",
    ),
    Case(
        "not-gzip-jsonl-gz",
        _files({"a.jsonl.gz": b"this is not gzip at all\n"}),
        error=r"not a valid gzip file",
        names="a.jsonl.gz",
    ),
    Case(
        "truncated-gzip",
        _files({"a.jsonl.gz": gzip.compress(_jsonl([{"text": EN}] * 50).encode())[:300]}),
        error=r"corrupt gzip data",
        names="a.jsonl.gz",
    ),
    Case(
        "skip-bad-binary",
        _files({"a.txt": PNG, "b.txt": EN}),
        check=_check_skipped(r"skipped .*a\.txt: looks like a binary file"),
        kwargs={"skip_bad": True},
    ),
    # -- encodings
    Case(
        "invalid-utf8-bytes",
        _files({"bad.txt": EN.encode()[:1500] + b"\xff\xfe\x80" + EN.encode()[1500:]}),
        check=_check_utf8_repaired,
    ),
    Case(
        "invalid-utf8-arabic",
        _files({"ar.txt": AR.encode()[:301] + b"\xc0" + AR.encode()[301:]}),
        check=_check_utf8_arabic,
    ),
    Case(
        "legacy-cp1252",
        _files({"fr.txt": FR.encode("cp1252")}),
        check=_ok_docs(1, warn=r"fr\.txt: not UTF-8; decoded as cp1252 \(a guess"),
    ),
    Case("utf16-bom", _files({"a.txt": AR.encode("utf-16")}), check=_check_same_text("تويوتا")),
    Case(
        "utf16le-no-bom",
        _files({"a.txt": FR.encode("utf-16-le")}),
        check=_check_same_text("« injustes »"),
    ),
    Case(
        "utf16be-no-bom",
        _files({"a.txt": FR.encode("utf-16-be")}),
        check=_check_same_text("économies"),
    ),
    Case(
        "utf8-bom",
        _files({"a.txt": codecs.BOM_UTF8 + EN.encode()}),
        check=_check_same_text("Toyota"),
    ),
    Case(
        "utf16-jsonl",
        _files({"a.jsonl": _jsonl([{"text": FR, "title": "Grève"}]).encode("utf-16")}),
        check=_check_same_text("économies"),
    ),
    Case(
        "utf16-csv",
        _files({"a.csv": ('title,text\nGrève,"' + FR + '"\n').encode("utf-16")}),
        check=_check_same_text("économies"),
    ),
    Case(
        "mixed-encodings",
        _files(
            {
                "utf8.txt": EN,
                "cp1252.txt": FR.encode("cp1252"),
                "utf16.txt": AR.encode("utf-16"),
                "sig.txt": codecs.BOM_UTF8 + FR.replace("budget", "plan").encode(),
            }
        ),
        check=_check_mixed,
    ),
    # -- sizes
    Case("long-line", _long_line, check=_check_long_line),
    Case(
        "txt-over-size-limit",
        _files({"big.txt": "word " * 50_000}),
        error=r"file of 250000 bytes is over the limit of 100000 bytes",
        names="big.txt",
        kwargs={"max_text_bytes": 100_000},
    ),
    Case(
        "jsonl-record-over-limit",
        _files({"a.jsonl": _jsonl([{"text": FR}, {"text": "word " * 5000}])}),
        error=r"text of 25000 bytes is over the limit",
        names="a.jsonl",
        line=2,
        kwargs={"max_text_bytes": 10_000},
    ),
    Case(
        "jsonl-record-over-limit-skip",
        _files({"a.jsonl": _jsonl([{"text": FR}, {"text": "word " * 5000}])}),
        check=_ok_docs(
            1, warn=r"skipped 1 malformed line\(s\) \(first: line 2: text of 25000 bytes"
        ),
        kwargs={"max_text_bytes": 10_000, "skip_bad": True},
    ),
    # -- CSV
    Case(
        "csv-missing-text-column",
        _files({"a.csv": "title,body\nx,some words here\n"}),
        error=r"no column 'text'; available columns: title, body",
        names="a.csv",
        line=1,
    ),
    Case(
        "csv-ragged-row",
        _files({"a.csv": f'title,text\nx,"{FR}"\ny\nz,"{FR}",extra\n'}),
        error=r"row has 1 fields but the header has 2",
        names="a.csv",
        line=7,
    ),
    Case(
        "csv-ragged-skip",
        _files({"a.csv": f'title,text\nx,"{FR}"\ny\nz,"{FR} z",extra\n'}),
        check=_check_skipped(r"skipped 2 malformed row\(s\) \(first: row 7"),
        kwargs={"skip_bad": True},
    ),
    Case(
        "csv-embedded-newlines-quotes", _files({"a.csv": EMBEDDED_CSV}), check=_check_csv_embedded
    ),
    Case(
        "csv-unclosed-quote",
        _files({"a.csv": f'title,text\nx,"{FR}"\ny,"never closed\n{FR}\nz,more\n'}),
        error=r"quoted field .* never closed",
        names="a.csv",
        line=7,
    ),
    Case("csv-header-only", _files({"a.csv": "title,text\n"}), error=r"no text found", names="in"),
    Case(
        "csv-other-text-column",
        _files({"a.csv": f'headline,body\nx,"{FR}"\n'}),
        check=_ok_docs(1),
        kwargs={"text_column": "body"},
    ),
    Case(
        "tsv-missing-column",
        _files({"a.tsv": "title\tbody\nx\ty\n"}),
        error=r"no column 'text'",
        names="a.tsv",
        line=1,
    ),
    # -- JSON lines
    Case(
        "jsonl-malformed-line",
        _files({"a.jsonl": _jsonl([{"text": EN}, '{"text": broken', {"text": FR}])}),
        error=r"malformed JSON",
        names="a.jsonl",
        line=2,
    ),
    Case(
        "jsonl-malformed-skip",
        _files({"a.jsonl": _jsonl([{"text": EN}, '{"text": broken', {"text": FR}, "[1, 2]"])}),
        check=_check_skipped(
            r"a\.jsonl: skipped 2 malformed line\(s\) \(first: line 2: malformed JSON", 2
        ),
        kwargs={"skip_bad": True},
    ),
    Case(
        "jsonl-not-an-object",
        _files({"a.jsonl": _jsonl([{"text": EN}, [1, 2]])}),
        error=r"expected a JSON object, got list",
        names="a.jsonl",
        line=2,
    ),
    Case(
        "jsonl-text-not-string",
        _files({"a.jsonl": _jsonl([{"text": 42}])}),
        error=r"field 'text' is int, not a string",
        names="a.jsonl",
        line=1,
    ),
    Case(
        "jsonl-missing-field",
        _files({"a.jsonl": _jsonl([{"body": EN}])}),
        error=r"no 'text' field \(fields: body\)",
        names="a.jsonl",
        line=1,
    ),
    # -- Parquet
    Case(
        "parquet-wrong-schema",
        _files({"a.parquet": _parquet(pd.DataFrame({"body": [EN], "n": [1]}))}),
        error=r"no column 'text'; available columns: body, n",
        names="a.parquet",
    ),
    Case(
        "parquet-int-text",
        _files({"a.parquet": _parquet(pd.DataFrame({"text": [1, 2]}))}),
        error=r"column 'text' has type int64, expected strings",
        names="a.parquet",
    ),
    Case(
        "parquet-truncated",
        _files({"a.parquet": _parquet(pd.DataFrame({"text": [EN, FR]}))[:-40]}),
        error=r"not a readable Parquet file",
        names="a.parquet",
    ),
    Case(
        "parquet-is-text",
        _files({"a.parquet": EN}),
        error=r"not a readable Parquet file",
        names="a.parquet",
    ),
    # -- degenerate corpora
    Case("one-document", _files({"a.txt": EN}), check=_ok_docs(1)),
    Case("all-identical", _files({f"{i}.txt": EN for i in range(4)}), check=_check_identical),
    Case(
        "only-stop-words",
        _files({"a.txt": "the and of to in is it that was for on are with as. " * 30}),
        check=_ok_docs(1),
    ),
    Case(
        "only-numbers", _files({"a.txt": " ".join(str(i) for i in range(3000))}), check=_ok_docs(1)
    ),
    Case(
        "unknown-language",
        _files({"a.txt": "tlhIngan maH! Qapla' batlh bIHeghjaj. nuqneH ghoti' vIghoS. " * 20}),
        check=_ok_docs(1),
    ),
    # -- scripts and invisible characters
    Case(
        "rtl-and-mixed-scripts",
        _files(
            {
                "a.txt": (
                    "Markets rallied as السوق ارتفع and שלום עולם while 市场 上涨 and Рынок вырос today. "
                    * 12
                )
            }
        ),
        check=_check_scripts,
    ),
    Case(
        "zero-width-and-controls",
        _files(
            {
                "a.txt": (
                    "Mar\u200bkets\u200d ral\ufefflied\u2060 to\u200fday \x07after the news of the week, \x1b[31mwhen\x1b[0m prices fell \x7fsharply in \x85Asia.\x0c "
                    * 12
                )
            }
        ),
        check=_check_invisible,
    ),
    # -- file system
    Case(
        "spaces-and-non-ascii-names",
        _files({"my folder/ünïcødé fïlé 新闻.txt": EN}),
        check=_check_names,
    ),
    Case(
        "symlink-loop",
        _symlink_loop,
        check=_ok_docs(1, warn=r"folder already read \(symbolic link loop"),
    ),
    Case(
        "broken-symlink",
        _broken_link,
        error=r"file not found \(broken symbolic link\?\)",
        names="gone.txt",
    ),
    Case("fifo", _fifo, error=r"not a regular file", names="pipe.txt"),
]

MONKEY_CASES: list[tuple[str, Callable[[Path, pytest.MonkeyPatch], Path], str, str]] = [
    ("unreadable-file", _deny_open, r"permission denied", "locked.txt"),
    ("unreadable-folder", _deny_listing, r"cannot list folder: Permission denied", "private"),
]


def _run_case(case: Case, tmp_path: Path) -> None:
    path = case.build(tmp_path)
    if case.error is not None:
        with pytest.raises(IngestError) as info:
            load(path, **case.kwargs)
        exc = info.value
        assert re.search(case.error, exc.problem), str(exc)
        assert exc.path.endswith(case.names or ""), (exc.path, case.names)
        assert str(exc).startswith(exc.path)
        if case.line is not None:
            assert exc.line == case.line and f"{exc.path}:{case.line}: " in str(exc)
    else:
        assert case.check is not None
        corpus = load(path, **case.kwargs)
        case.check(corpus, _warnings(corpus))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, tmp_path: Path) -> None:
    _run_case(case, tmp_path)


@pytest.mark.parametrize(
    ("name", "build", "error", "names"), MONKEY_CASES, ids=[c[0] for c in MONKEY_CASES]
)
def test_unreadable_input(
    name: str, build: Any, error: str, names: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = build(tmp_path, monkeypatch)
    with pytest.raises(IngestError) as info:
        load(path)
    assert re.search(error, info.value.problem) and info.value.path.endswith(names)
    corpus = load(path, skip_bad=True)  # recovery: the rest is read, the failure is a warning
    assert len(corpus) == 1
    assert any(names in w and "skipped" in w for w in _warnings(corpus))


def test_size_limit_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _write(tmp_path / "in", {"big.txt": "word " * 5000, "small.txt": FR})
    monkeypatch.setenv(MAX_TEXT_BYTES_ENV, "10000")
    with pytest.raises(IngestError, match=r"big\.txt: file of 25000 bytes is over the limit"):
        load(folder)
    assert len(load(folder, skip_bad=True)) == 1
    monkeypatch.setenv(MAX_TEXT_BYTES_ENV, "lots")
    with pytest.raises(ValueError, match=MAX_TEXT_BYTES_ENV):
        load(folder)


def test_case_count() -> None:
    assert len(CASES) + len(MONKEY_CASES) >= 40


# ----------------------------------------------------------------------------- outputs


def _tree_hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _previous_run(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    out = tmp_path / "runs" / "latest"
    with persist.staged_dir(out) as stage:
        (stage / "themes.json").write_text('{"old": true}', encoding="utf-8")
        (stage / "model").mkdir()
        (stage / "model" / "arrays.npz").write_bytes(b"old arrays")
    return out, _tree_hashes(out)


def _siblings(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name != out.name)


FAILURES = {
    "read-only-replace": (PermissionError(errno.EACCES, "Permission denied"), "replace"),
    "disk-full-write": (OSError(errno.ENOSPC, "No space left on device"), "write"),
    "disk-full-swap": (OSError(errno.ENOSPC, "No space left on device"), "swap"),
    "read-only-staging": (PermissionError(errno.EROFS, "Read-only file system"), "mkdtemp"),
}


@pytest.mark.parametrize("failure", list(FAILURES), ids=list(FAILURES))
def test_failed_save_keeps_previous_outputs(
    failure: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, before = _previous_run(tmp_path)
    error, where = FAILURES[failure]
    real_replace = os.replace

    def replace(src: Any, dst: Any) -> None:
        if where == "replace" or (
            where == "swap" and Path(src).name.startswith(".latest.staging-")
        ):
            raise error
        real_replace(src, dst)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise error

    if where in ("replace", "swap"):
        monkeypatch.setattr(os, "replace", replace)
    elif where == "mkdtemp":
        monkeypatch.setattr(persist._io, "make_temp_dir", broken)
    with pytest.raises(OSError) as info:
        with persist.staged_dir(out) as stage:
            if where == "write":
                monkeypatch.setattr(os, "fsync", broken)
            from topiclab.storage import atomic as _io

            _io.write_json(stage / "themes.json", {"new": True})
            _io.write_bytes(stage / "model" / "arrays.npz", b"new arrays")
    assert info.value.errno == error.errno
    monkeypatch.undo()
    assert _tree_hashes(out) == before  # the previous run survives intact
    assert _siblings(out) == []  # no staging folder, no temporary file left behind


# ----------------------------------------------------------------------------- command line


def _run_tables_only(
    folder: Path | None, out: Path, *extra: str, env: dict[str, str], timeout: int = 120
) -> subprocess.CompletedProcess[str]:
    """``topiclab run`` without figures and report (the tables and model only)."""
    inputs = [] if folder is None else [str(folder)]
    return _cli(
        "run",
        *inputs,
        "--out",
        str(out),
        *extra,
        "--no-figures",
        "--no-report",
        env=env,
        timeout=timeout,
    )


def _cli(
    *args: str, env: dict[str, str] | None = None, timeout: int = 120
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "topiclab", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        cwd=ROOT,
    )


CLI_CASES = {
    "empty-folder": ({}, None, r"in: no readable files were found"),
    "png": ({"a.txt": PNG}, None, r"a\.txt: looks like a binary file \(PNG image\)"),
    "jsonl-line": (
        {"news.jsonl": _jsonl([{"text": EN}, "{oops"])},
        None,
        r"news\.jsonl:2: malformed JSON",
    ),
    "csv-column": ({"a.csv": "title,body\nx,y\n"}, None, r"a\.csv:1: no column 'text'"),
    "non-ascii-path": (
        {"dossier é/ünï 新闻.parquet": _parquet(pd.DataFrame({"body": ["x"]}))},
        None,
        r"dossier é/ünï 新闻\.parquet: no column 'text'",
    ),
    "size-limit-env": (
        {"big.txt": "word " * 5000},
        {MAX_TEXT_BYTES_ENV: "1000"},
        r"big\.txt: file of 25000 bytes is over the limit of 1000 bytes",
    ),
}


@pytest.mark.parametrize("name", list(CLI_CASES), ids=list(CLI_CASES))
def test_cli_reports_bad_input_without_traceback(name: str, tmp_path: Path) -> None:
    files, env, message = CLI_CASES[name]
    folder = _write(tmp_path / "in", files)
    proc = _cli("ingest", str(folder), "--out", str(tmp_path / "out"), env=env)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert re.search(r"ERROR topiclab: .*" + message, proc.stderr), proc.stderr
    assert not (tmp_path / "out").exists()


def test_cli_skip_bad_skips_and_counts(tmp_path: Path) -> None:
    folder = _write(
        tmp_path / "in", {"news.jsonl": _jsonl([{"text": EN}, "{oops", "[1]", {"text": FR}])}
    )
    proc = _cli("ingest", str(folder), "--skip-bad", "--out", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    assert "news.jsonl: skipped 2 malformed line(s) (first: line 2: malformed JSON" in proc.stderr
    assert "2 documents" in proc.stdout
    assert len(Corpus.from_dir(tmp_path / "out")) == 2


# ----------------------------------------------------------------------------- full runs (slow)


@pytest.fixture(scope="session")
def cache_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """``TOPICLAB_CACHE`` shared by every run of the session."""
    return {"TOPICLAB_CACHE": str(tmp_path_factory.getbasetemp() / "topiclab-cache")}


def _seed_copy(tmp_path: Path, extra: dict[str, str] | None = None) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for seed in SEEDS:
        (folder / seed.name).write_bytes(seed.read_bytes())
    return _write(folder, extra or {})


@pytest.mark.slow
def test_run_on_too_small_corpus_fails_cleanly(tmp_path: Path, cache_env: dict[str, str]) -> None:
    folder = _write(tmp_path / "in", {"a.txt": "Markets rallied today on news of lower inflation."})
    proc = _run_tables_only(folder, tmp_path / "run", env=cache_env)
    assert proc.returncode != 0
    assert not (tmp_path / "run").exists()
    assert "Traceback" not in proc.stderr
    assert re.search(r"ERROR topiclab: .*1 passage", proc.stderr), proc.stderr


@pytest.mark.slow
def test_run_on_only_stop_words_fails_cleanly(tmp_path: Path, cache_env: dict[str, str]) -> None:
    text = "\n\n".join(["The and of to in is it that was for on are with as at by it. " * 8] * 6)
    folder = _write(tmp_path / "in", {f"{i}.txt": f"{i}\n\n{text}" for i in range(4)})
    proc = _run_tables_only(folder, tmp_path / "run", env=cache_env)
    assert proc.returncode != 0
    assert not (tmp_path / "run").exists()
    assert "Traceback" not in proc.stderr
    assert "empty vocabulary" in proc.stderr


@pytest.mark.slow
@pytest.mark.parametrize("option", ["--n-topics", "--n-themes"])
def test_k_larger_than_passages_is_a_clear_error(
    option: str, tmp_path: Path, cache_env: dict[str, str]
) -> None:
    out = tmp_path / "run"
    proc = _run_tables_only(None, out, option, "500", env=cache_env)
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 1 and not out.exists()
    assert re.search(r"ERROR topiclab: .*500.*34 passages", proc.stderr), proc.stderr


@pytest.mark.slow
def test_run_on_unusual_languages_and_scripts(tmp_path: Path, cache_env: dict[str, str]) -> None:
    klingon = textwrap.dedent(
        """\
        tlhIngan maH! Qapla' batlh bIHeghjaj. nuqneH ghoti' vIghoS. yIDoghQo' jagh yIbuStaH.
        Heghlu'meH QaQ jajvam. DaH mojaq-mey ghItlh vIneH. bortaS bIr jablu'DI' reH QaQqu' nay'.
        """
    )
    folder = _seed_copy(
        tmp_path,
        {
            "klingon.txt": (klingon + "\n") * 6,
            "mixed.txt": (
                "Markets rallied as السوق ارتفع and שלום עולם while 市场 上涨 and Рынок вырос today. \u200b\x07"
                * 20
            ),
        },
    )
    out = tmp_path / "run"
    proc = _run_tables_only(folder, out, env=cache_env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = persist.load_result(out)
    assert set(result.documents["source_file"]) >= {"klingon.txt", "mixed.txt"}
    assert result.passages["theme"].notna().all()


# ----------------------------------------------------------------------------- 200 MB inputs (slow)

_STREAM_SCRIPT = """
import json, re, resource, sys
from topiclab.ingest.readers import iter_records
from topiclab.ingest import IngestError, load
if sys.argv[2] == "load":  # what load imports late, so that it is not counted as growth
    import pandas, tqdm.auto, topiclab.ingest.corpus, topiclab.ingest.clean  # noqa
    import topiclab.ingest.dedupe, topiclab.ingest.lang, topiclab.ingest.segment  # noqa


def peak_kib():
    # VmHWM is this process image's peak; ru_maxrss on Linux also carries the peak of the
    # process that forked it (kept across exec), so it is only the fallback.
    try:
        with open("/proc/self/status") as fh:
            return int(re.search(r"VmHWM:\\s+(\\d+) kB", fh.read()).group(1))
    except (OSError, AttributeError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


base = peak_kib()
out = {"records": 0, "chars": 0}
try:
    if sys.argv[2] == "records":
        for rec in iter_records(sys.argv[1]):
            out["records"] += 1
            out["chars"] += len(rec.text)
    else:
        load(sys.argv[1])
except IngestError as exc:
    out["error"] = str(exc)
out["peak_kib"] = peak_kib()
out["growth_kib"] = out["peak_kib"] - base
print(json.dumps(out))
"""

_BIG = 200 * 1024 * 1024


def _measure(path: Path, mode: str) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-c", _STREAM_SCRIPT, str(path), mode],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_200mb_jsonl_is_streamed_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    paragraph = (FR.replace("\n", " ") + " ") * 3  # ~1.5 KB
    n = 0
    with open(path, "w", encoding="utf-8") as fh:
        while fh.tell() < _BIG:
            fh.write(
                "".join(
                    json.dumps(
                        {"id": n + i, "title": f"Article {n + i}", "text": paragraph},
                        ensure_ascii=False,
                    )
                    + "\n"
                    for i in range(2000)
                )
            )
            n += 2000
    size = path.stat().st_size
    stats = _measure(path, "records")
    assert stats["records"] == n and "error" not in stats
    assert stats["chars"] > 0.9 * size
    assert stats["growth_kib"] * 1024 < size / 8, stats  # streamed: well under the file size
    assert stats["peak_kib"] * 1024 < size / 2, stats  # the whole process, imports included


@pytest.mark.slow
def test_200mb_text_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "in" / "huge.txt"
    path.parent.mkdir()
    line = ("word " * 20 + "\n").encode()
    with open(path, "wb") as fh:
        fh.write(line * (_BIG // len(line) + 1))
    stats = _measure(path.parent, "load")
    assert re.search(
        r"huge\.txt: file of 200\.0 MiB is over the limit of 64\.0 MiB", stats["error"]
    ), stats
    assert stats["growth_kib"] * 1024 < 20 * 1024 * 1024, stats  # nothing was read
