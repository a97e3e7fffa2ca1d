"""Input readers: every format, encodings, binaries, malformed records, folder walking."""

from __future__ import annotations

import codecs
import gzip
import json
import logging
import math
import os
import time
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from topiclab.ingest.decode import binary_kind, decode_bytes, html_to_text
from topiclab.ingest.errors import IngestError
from topiclab.ingest.readers import RawRecord, iter_records

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(56)
FRENCH = "Le café coûte trois euros — « très cher », dit-il. Les élèves sont déjà à l’école.\n"


def read(path: Path, **kwargs) -> list[RawRecord]:
    return list(iter_records(path, **kwargs))


def collect(path: Path, **kwargs) -> tuple[list[RawRecord], list[str]]:
    warnings: list[str] = []
    records = list(iter_records(path, on_warning=warnings.append, **kwargs))
    return records, warnings


def write_jsonl(path: Path, rows: list[object]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


# ----------------------------------------------------------------------------- formats


def test_txt_and_md_are_read_with_relative_names(tmp_path):
    (tmp_path / "a.txt").write_text("First article.\r\nSecond line.", encoding="utf-8")
    (tmp_path / "b.md").write_text("# Heading\n\nBody text.", encoding="utf-8")
    records = read(tmp_path)
    assert [r.source_file for r in records] == ["a.txt", "b.md"]
    assert records[0].text == "First article.\nSecond line."
    assert records[1].text == "# Heading\n\nBody text."
    assert all(r.meta == {} for r in records)


def test_single_file_path(tmp_path):
    f = tmp_path / "only.txt"
    f.write_text("Just one.", encoding="utf-8")
    assert [(r.source_file, r.text) for r in read(f)] == [("only.txt", "Just one.")]


def test_html_keeps_visible_text_only(tmp_path):
    page = """<!doctype html><html><head><title>Port  news</title>
    <style>p {color: red}</style><script>var x = "<p>hidden</p>";</script></head>
    <body><header>Site name</header><nav><a href="/">Home</a> | <a>World</a></nav>
    <article><h1>Ships arrive</h1><p>Three ships &amp; a tug
    docked.</p><p>Cargo: grain<br>and steel.</p><ul><li>one</li><li>two</li></ul></article>
    <footer>© Paper</footer></body></html>"""
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    [record] = read(tmp_path)
    lines = [line for line in record.text.split("\n") if line]
    assert lines == [
        "Ships arrive",
        "Three ships & a tug docked.",
        "Cargo: grain",
        "and steel.",
        "one",
        "two",
    ]
    for boilerplate in ("Site name", "Home", "hidden", "color", "Paper", "var x"):
        assert boilerplate not in record.text
    assert record.meta == {"title": "Port news"}


def test_html_declared_legacy_charset_is_honoured(tmp_path):
    page = '<html><head><meta charset="windows-1252"></head><body><p>Café crème</p></body></html>'
    (tmp_path / "p.htm").write_bytes(page.encode("cp1252"))
    records, warnings = collect(tmp_path)
    assert records[0].text == "Café crème"
    assert warnings == []


def test_html_to_text_blocks_and_entities():
    assert html_to_text("<div>a&nbsp;b</div><div>c</div>") == "a b\n\nc"
    assert html_to_text("<p>x<script>y</script>z</p><nav>n</nav>") == "xz"


def test_csv_embedded_newlines_quotes_and_meta(tmp_path):
    content = (
        "title,text,date,views\r\n"
        '"Budget, 2024","He said ""no"".\r\nThen left.",2024-01-02,10\r\n'
        "Empty date,Plain text,,3\r\n"
    )
    (tmp_path / "news.csv").write_bytes(content.encode("utf-8"))
    records = read(tmp_path)
    assert [r.source_file for r in records] == ["news.csv:2", "news.csv:4"]
    assert records[0].text == 'He said "no".\nThen left.'
    assert records[0].meta == {"title": "Budget, 2024", "date": "2024-01-02", "views": "10"}
    assert records[1].meta == {"title": "Empty date", "views": "3"}


def test_csv_custom_text_column_and_missing_column(tmp_path):
    f = tmp_path / "a.csv"
    f.write_text("headline,body\nH,The body\n", encoding="utf-8")
    assert read(f, text_column="body")[0].meta == {"headline": "H"}
    with pytest.raises(IngestError, match=r"a\.csv.*'text'.*headline, body"):
        read(f)


def test_ragged_csv_names_line_and_skip_bad_counts(tmp_path):
    f = tmp_path / "r.csv"
    f.write_text("text,label\nfine,a\ntoo,many,fields\nalso fine,b\n", encoding="utf-8")
    with pytest.raises(IngestError, match=r"r\.csv:3: row has 3 fields but the header has 2"):
        read(f)
    records, warnings = collect(f, skip_bad=True)
    assert [r.text for r in records] == ["fine", "also fine"]
    assert any("skipped 1 malformed row" in w and "row 3" in w for w in warnings)


def test_tsv(tmp_path):
    (tmp_path / "t.tsv").write_text("text\tlabel\nTab separated\tx\n", encoding="utf-8")
    [record] = read(tmp_path)
    assert (record.text, record.meta) == ("Tab separated", {"label": "x"})


def test_jsonl_and_gzip_with_meta(tmp_path):
    rows = [
        {"text": "Alpha story", "label": "a", "score": 1.5, "missing": None, "nan": math.nan},
        {"text": "Beta story", "tags": ["x", "y"], "nested": {"k": 1}},
    ]
    plain = tmp_path / "a.jsonl"
    plain.write_text(
        "\n".join(json.dumps(r) for r in rows).replace("NaN", "NaN") + "\n\n", encoding="utf-8"
    )
    with gzip.open(tmp_path / "b.jsonl.gz", "wt", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")
    records = read(tmp_path)
    assert [r.source_file for r in records] == [
        "a.jsonl:1",
        "a.jsonl:2",
        "b.jsonl.gz:1",
        "b.jsonl.gz:2",
    ]
    assert records[0].meta == {"label": "a", "score": 1.5}
    assert records[3].meta == {"tags": ["x", "y"], "nested": {"k": 1}}
    assert records[2].text == "Alpha story"


def test_jsonl_malformed_line_names_line_and_skip_bad_counts(tmp_path):
    f = tmp_path / "bad.jsonl"
    f.write_text('{"text": "ok"}\n\n{"text": "broken"\n[1, 2]\n{"text": "ok too"}\n', "utf-8")
    with pytest.raises(IngestError, match=r"bad\.jsonl:3: malformed JSON"):
        read(f)
    records, warnings = collect(f, skip_bad=True)
    assert [(r.source_file, r.text) for r in records] == [
        ("bad.jsonl:1", "ok"),
        ("bad.jsonl:5", "ok too"),
    ]
    assert any("skipped 2 malformed line(s)" in w and "line 3" in w for w in warnings)


def test_jsonl_missing_text_field_lists_fields(tmp_path):
    f = write_jsonl(tmp_path / "m.jsonl", [{"body": "x", "title": "t"}])
    with pytest.raises(IngestError, match=r"m\.jsonl:1: no 'text' field \(fields: body, title\)"):
        read(f)
    assert read(f, text_column="body")[0].meta == {"title": "t"}


def test_truncated_gzip_is_an_ingest_error(tmp_path):
    f = tmp_path / "t.jsonl.gz"
    payload = "".join(json.dumps({"text": f"story {i} " * (i % 7 + 1)}) + "\n" for i in range(5000))
    compressed = gzip.compress(payload.encode("utf-8"))
    f.write_bytes(compressed[: len(compressed) // 2])
    with pytest.raises(IngestError, match=r"t\.jsonl\.gz.*gzip"):
        read(f)


def test_parquet_batches_meta_and_empty_texts(tmp_path):
    n = 2500
    table = pa.table(
        {
            "text": [f"doc {i}" if i % 1000 else "  " for i in range(n)],
            "label": [f"l{i % 3}" for i in range(n)],
            "score": [float("nan") if i == 1 else i / 2 for i in range(n)],
            "when": pa.array([None] + [1_700_000_000_000] * (n - 1), pa.timestamp("ms")),
        }
    )
    pq.write_table(table, tmp_path / "d.parquet", row_group_size=700)
    records, warnings = collect(tmp_path)
    assert len(records) == n - 3
    assert records[0].source_file == "d.parquet:2"
    assert records[0].meta == {"label": "l1", "when": "2023-11-14T22:13:20"}
    assert records[1].meta["score"] == 1.0
    json.dumps([r.meta for r in records])
    assert any("3 row(s) with empty text" in w for w in warnings)


def test_parquet_missing_column_lists_columns(tmp_path):
    f = tmp_path / "x.parquet"
    pq.write_table(pa.table({"body": ["a"], "url": ["u"]}), f)
    with pytest.raises(
        IngestError, match=r"x\.parquet: no column 'text'; available columns: body, url"
    ):
        read(f)


def test_not_a_parquet_file(tmp_path):
    f = tmp_path / "fake.parquet"
    f.write_text("hello", encoding="utf-8")
    with pytest.raises(IngestError, match=r"fake\.parquet: not a readable Parquet file"):
        read(f)


# ----------------------------------------------------------------------------- encodings


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"])
def test_unicode_encodings_with_and_without_bom(tmp_path, encoding):
    text = "Ünïcode news: 北京 and القاهرة, plus plain ASCII words to read."
    data = text.encode(encoding)
    if encoding == "utf-16-le":
        data = codecs.BOM_UTF16_LE + data
    (tmp_path / "u.txt").write_bytes(data)
    records, warnings = collect(tmp_path)
    assert records[0].text == text
    assert warnings == []


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_bomless_utf16_is_recognised(tmp_path, encoding):
    text = "Plain English news text without a byte order mark."
    (tmp_path / "n.txt").write_bytes(text.encode(encoding))
    assert read(tmp_path)[0].text == text


@pytest.mark.parametrize(
    ("text", "encoding", "guess"),
    [
        (FRENCH, "cp1252", "cp1252"),
        (FRENCH.replace("—", "-").replace("’", "'"), "latin-1", "cp1252"),
        ("Привет, как дела? Это новости из Москвы.", "cp1251", "cp1251"),
        ("Zażółć gęślą jaźń, powiedział wójt gminy.", "cp1250", "cp1250"),
    ],
)
def test_legacy_encodings_are_decoded_with_a_warning(tmp_path, caplog, text, encoding, guess):
    (tmp_path / "old.txt").write_bytes(text.encode(encoding))
    with caplog.at_level(logging.WARNING, logger="topiclab.ingest.readers"):
        records, warnings = collect(tmp_path)
    assert records[0].text == text
    assert len(warnings) == 1 and "old.txt" in warnings[0] and guess in warnings[0]
    assert warnings[0] in caplog.messages


def test_legacy_csv_is_decoded_with_a_warning(tmp_path):
    (tmp_path / "l.csv").write_bytes(
        ('text,city\n"' + FRENCH.strip() + '",Montréal\n').encode("cp1252")
    )
    records, warnings = collect(tmp_path)
    assert records[0].text == FRENCH.strip() and records[0].meta == {"city": "Montréal"}
    assert any("cp1252" in w for w in warnings)


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("image.txt", PNG, "PNG"),
        ("archive.txt", None, "zip"),
        ("program.txt", ELF, "ELF"),
        ("nuls.txt", b"abc\x00\x00\x01\x02" * 50 + b"\xff\x00\x13" * 40, "binary"),
        ("data.jsonl", PNG, "PNG"),
        ("data.csv", ELF, "ELF"),
    ],
)
def test_binary_files_raise_naming_the_file(tmp_path, name, data, kind):
    f = tmp_path / name
    if data is None:
        with zipfile.ZipFile(f, "w") as zf:
            zf.writestr("inner.txt", "text " * 50)
    else:
        f.write_bytes(data)
    with pytest.raises(
        IngestError, match=rf"{name}.*(looks like a binary file|cannot be decoded)"
    ) as err:
        read(tmp_path)
    assert kind in str(err.value)


def test_skip_bad_skips_binaries_with_warnings(tmp_path):
    (tmp_path / "a.txt").write_bytes(PNG)
    (tmp_path / "b.txt").write_text("Good article.", encoding="utf-8")
    (tmp_path / "c.html").write_bytes(ELF)
    records, warnings = collect(tmp_path, skip_bad=True)
    assert [r.source_file for r in records] == ["b.txt"]
    assert len(warnings) == 2
    assert "a.txt" in warnings[0] and "PNG" in warnings[0]
    assert "c.html" in warnings[1] and "ELF" in warnings[1]


def test_binary_kind_and_decode_bytes():
    assert binary_kind(PNG) == "PNG image"
    assert binary_kind(b"hello") is None
    assert decode_bytes(b"", "e.txt").text == ""
    with pytest.raises(IngestError, match=r"e\.txt"):
        decode_bytes(b"\xff\xfe\x00", "e.txt")


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=400))
def test_arbitrary_bytes_decode_or_raise_ingest_error(tmp_path, data):
    f = tmp_path / "fuzz.txt"
    f.write_bytes(data)
    try:
        records = read(f)
    except IngestError as exc:
        assert "fuzz.txt" in str(exc)
    else:
        assert len(records) <= 1
        assert all(isinstance(r.text, str) and r.text.strip() for r in records)


# ----------------------------------------------------------------------------- folders


def test_nested_folders_sorted_and_furniture_hidden_skipped(tmp_path):
    for rel in [
        "b/z.txt",
        "b/a/y.txt",
        "a.txt",
        "c.md",
        "README.md",
        "LICENSE.txt",
        "sub/CHANGELOG.md",
        ".hidden.txt",
        ".git/x.txt",
        "sub/.cache/y.txt",
    ]:
        f = tmp_path / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(f"text of {rel}", encoding="utf-8")
    records, warnings = collect(tmp_path)
    assert [r.source_file for r in records] == ["a.txt", "b/a/y.txt", "b/z.txt", "c.md"]
    assert warnings == []


def test_unknown_suffix_warns_and_single_unknown_file_errors(tmp_path, caplog):
    (tmp_path / "a.txt").write_text("ok", encoding="utf-8")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    with caplog.at_level(logging.WARNING, logger="topiclab.ingest.readers"):
        records, warnings = collect(tmp_path)
    assert len(records) == 1
    assert len(warnings) == 1 and "photo.jpg" in warnings[0] and "'.jpg'" in warnings[0]
    assert any("photo.jpg" in m for m in caplog.messages)
    with pytest.raises(IngestError, match=r"photo\.jpg: unsupported file type '\.jpg'"):
        read(tmp_path / "photo.jpg")


def test_empty_texts_are_skipped_with_a_warning(tmp_path):
    (tmp_path / "blank.txt").write_text("  \n\t ", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "full.txt").write_text("words", encoding="utf-8")
    records, warnings = collect(tmp_path)
    assert [r.source_file for r in records] == ["full.txt"]
    assert len(warnings) == 2 and "blank.txt" in warnings[0] and "empty.txt" in warnings[1]


def test_symlink_loop_terminates(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "doc.txt").write_text("looped", encoding="utf-8")
    os.symlink(tmp_path, tmp_path / "a" / "back")
    os.symlink(tmp_path / "a", tmp_path / "a" / "self")
    start = time.perf_counter()
    records, warnings = collect(tmp_path)
    assert time.perf_counter() - start < 5
    assert [r.source_file for r in records] == ["a/doc.txt"]
    assert len(warnings) == 2 and all("already read" in w for w in warnings)


def test_empty_folder_and_missing_path(tmp_path):
    with pytest.raises(IngestError, match="no readable files were found"):
        iter_records(tmp_path)
    (tmp_path / "README.md").write_text("provenance", encoding="utf-8")
    with pytest.raises(IngestError, match="no readable files were found"):
        iter_records(tmp_path)
    with pytest.raises(IngestError, match=r"nope: no such file or folder"):
        iter_records(tmp_path / "nope")


def test_unreadable_file_raises_or_is_skipped(tmp_path, monkeypatch):
    (tmp_path / "locked.txt").write_text("secret", encoding="utf-8")
    (tmp_path / "open.txt").write_text("public", encoding="utf-8")
    real = Path.read_bytes

    def deny(self: Path) -> bytes:
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", deny)
    with pytest.raises(IngestError, match=r"locked\.txt: permission denied"):
        read(tmp_path)
    records, warnings = collect(tmp_path, skip_bad=True)
    assert [r.text for r in records] == ["public"]
    assert "locked.txt" in warnings[0]


def test_broken_symlink_is_an_ingest_error(tmp_path):
    os.symlink(tmp_path / "gone.txt", tmp_path / "link.txt")
    (tmp_path / "ok.txt").write_text("fine", encoding="utf-8")
    with pytest.raises(IngestError, match=r"link\.txt"):
        read(tmp_path)
    assert [r.text for r in read(tmp_path, skip_bad=True)] == ["fine"]


def test_errors_are_raised_lazily_only_for_contents(tmp_path):
    (tmp_path / "a.txt").write_text("first", encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(PNG)
    records = iter_records(tmp_path)
    assert next(records).text == "first"
    with pytest.raises(IngestError, match=r"b\.txt"):
        next(records)


# ----------------------------------------------------------------------------- real corpora


def test_bundled_corpus(corpus_dir):
    records, warnings = collect(corpus_dir)
    assert len(records) == 5
    assert all(not r.source_file.lower().startswith("readme") for r in records)
    assert warnings == []
    arabic = records[1]
    assert arabic.source_file.startswith("001_")
    assert "تويوتا" in arabic.text and "شنغهاي" in arabic.text
    assert "\ufffd" not in arabic.text


@pytest.mark.shared
def test_20newsgroups_jsonl_gz(shared_corpora):
    path = shared_corpora / "20newsgroups" / "docs.jsonl.gz"
    if not path.is_file():
        pytest.skip("20 Newsgroups corpus not available")
    count = 0
    labels: set[str] = set()
    for record in iter_records(path):
        count += 1
        labels.add(record.meta["label"])
        assert "text" not in record.meta
    assert count == 18846
    assert len(labels) == 20
    assert record.source_file == "docs.jsonl.gz:18846"
