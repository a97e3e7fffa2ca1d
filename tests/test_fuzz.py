"""Property tests: arbitrary bytes into every reader raise nothing but ``IngestError``, and
the cleaner never crashes and is idempotent on arbitrary Unicode.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from topiclab.ingest import IngestError, load
from topiclab.ingest._lines import normalise
from topiclab.ingest.clean import clean_text
from topiclab.ingest.decode import decode_bytes, html_to_text
from topiclab.ingest.readers import iter_records

#: Examples per property; raise ``TOPICLAB_FUZZ_EXAMPLES`` for a longer fuzzing session.
SETTINGS = settings(
    max_examples=int(os.environ.get("TOPICLAB_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

#: Characters that stress the readers and the cleaner: line ends of every kind, quotes,
#: delimiters, controls, zero-width and bidi marks, combining marks, surrogate-free
#: astral characters, Arabic, CJK and the replacement character.
_SPECIAL = (
    "\n\r\t\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029 \u00a0\u3000"
    '",;\\{}[]:<>&#'
    "\x00\x01\x07\x1b\x7f\x9f"
    "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u202a\u202e\u2066\u2069"
    "\u0301\u0308\u0327e\u00e9\u1e9b\u0130\u0131\u00df"
    "\U0001f600\U00010348"
    "العربيةالسوق中文新闻市场한국어\ufffd"
    ".!?…。؟-—'’“”«»"
)
TEXT = st.text(
    alphabet=st.one_of(st.sampled_from(_SPECIAL), st.characters(blacklist_categories=("Cs",))),
    max_size=400,
)
WORDY = st.lists(
    st.one_of(
        st.sampled_from(
            ["The", "market", "rallied", "today.", "Skip to content", "Reuters", "By", "2024-01-02"]
        ),
        st.text(alphabet=_SPECIAL, min_size=1, max_size=3),
        st.text(min_size=1, max_size=12),
    ),
    max_size=80,
).map(" ".join)
SUFFIXES = [".txt", ".md", ".html", ".csv", ".tsv", ".jsonl", ".jsonl.gz", ".parquet"]


def _read_all(data: bytes, suffix: str, **kwargs: object) -> None:
    """Write ``data`` to a file and read it; only IngestError may escape."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"fuzz{suffix}"
        path.write_bytes(data)
        for skip_bad in (False, True):
            try:
                records = list(iter_records(path, skip_bad=skip_bad, **kwargs))
            except IngestError as exc:
                assert exc.path == str(path)
                continue
            for rec in records:
                assert isinstance(rec.text, str) and rec.text.strip()
                assert rec.source_file.startswith(f"fuzz{suffix}")
                json.dumps(rec.meta)  # metadata is plain JSON data
                assert "\ud800" not in rec.text


# ----------------------------------------------------------------------------- readers


@SETTINGS
@given(data=st.binary(max_size=2000), suffix=st.sampled_from(SUFFIXES))
@example(data=b"\xff\xfe" + "héllo".encode("utf-16-le"), suffix=".csv")
@example(data=b"\x1f\x8b\x08\x00" + bytes(20), suffix=".jsonl.gz")
@example(data=b"PAR1" + bytes(30) + b"PAR1", suffix=".parquet")
@example(data=b'"unclosed\n' * 3, suffix=".csv")
@example(data=b"\xef\xbb\xbf" + b"\xff" * 3, suffix=".txt")
@example(data=b"\x00" * 64, suffix=".jsonl")
def test_arbitrary_bytes_raise_only_ingest_error(data: bytes, suffix: str) -> None:
    _read_all(data, suffix)


def _csv_bytes(rows: list[list[str]], delimiter: str, encoding: str) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter)
    writer.writerow(["title", "text", "date"])
    writer.writerows(rows)
    return buf.getvalue().encode(encoding, errors="replace")


@SETTINGS
@given(
    rows=st.lists(st.lists(TEXT, min_size=0, max_size=4), max_size=6),
    delimiter=st.sampled_from([",", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-16", "cp1252", "utf-8-sig"]),
    cut=st.integers(min_value=0, max_value=5),
)
def test_structured_csv_raises_only_ingest_error(
    rows: list[list[str]], delimiter: str, encoding: str, cut: int
) -> None:
    data = _csv_bytes(rows, delimiter, encoding)
    data = data[: len(data) - cut] if cut else data  # possibly cut inside a quote or a character
    _read_all(data, ".csv" if delimiter == "," else ".tsv")


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | TEXT,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(TEXT, children, max_size=3),
    max_leaves=8,
)


@SETTINGS
@given(
    lines=st.lists(
        st.one_of(
            st.dictionaries(
                st.sampled_from(["text", "title", "date", "lang", "source", "x"]),
                JSON_VALUES,
                max_size=5,
            ),
            JSON_VALUES,
            TEXT,
        ),
        max_size=6,
    ),
    gz=st.booleans(),
    cut=st.integers(min_value=0, max_value=8),
)
def test_structured_jsonl_raises_only_ingest_error(lines: list[object], gz: bool, cut: int) -> None:
    body = "".join(
        (line if isinstance(line, str) else json.dumps(line, allow_nan=True)) + "\n"
        for line in lines
    ).encode("utf-8", errors="surrogatepass")
    data = gzip.compress(body, mtime=0) if gz else body
    data = data[: len(data) - cut] if cut else data
    _read_all(data, ".jsonl.gz" if gz else ".jsonl")


@SETTINGS
@given(data=st.binary(max_size=3000))
def test_decode_bytes_raises_only_ingest_error(data: bytes) -> None:
    try:
        decoded = decode_bytes(data, "fuzz.txt")
    except IngestError as exc:
        assert exc.path == "fuzz.txt"
        return
    assert isinstance(decoded.text, str)
    if decoded.replaced:
        assert decoded.encoding == "utf-8" and decoded.first_invalid is not None


@SETTINGS
@given(markup=TEXT)
def test_html_to_text_never_raises(markup: str) -> None:
    assert isinstance(html_to_text(markup), str)


@pytest.mark.parametrize("seed", range(3))
def test_load_on_random_folders_raises_only_ingest_error(seed: int, tmp_path: Path) -> None:
    rng = __import__("random").Random(seed)
    for i in range(12):
        suffix = rng.choice(SUFFIXES)
        size = rng.choice([0, 10, 300, 3000])
        (tmp_path / f"f{i}{suffix}").write_bytes(
            os.urandom(size) if rng.random() < 0.5 else b"plain words " * (size // 12)
        )
    for skip_bad in (False, True):
        try:
            load(tmp_path, skip_bad=skip_bad)
        except IngestError:
            pass


# ----------------------------------------------------------------------------- cleaner


@SETTINGS
@given(text=st.one_of(TEXT, WORDY))
@example(text="Caf\u200be\u0301 prices rose.\x1b[0m\u2029Second\x0cpage of the article.")
@example(text="A 2000/1/1–")  # a dateline with nothing after its dash
def test_cleaner_never_raises_and_is_idempotent(text: str) -> None:
    docs = clean_text(text, file="fuzz.txt")
    assert docs
    first = [d.text for d in docs]
    joined = "\n\n".join(first)
    again = [d.text for d in clean_text(joined, file="fuzz.txt")]
    assert "\n\n".join(again) == joined
    for doc in docs:
        assert "\r" not in doc.text and "\u200b" not in doc.text and "\x1b" not in doc.text


@SETTINGS
@given(text=TEXT)
@example(text="e\u200b\u0301 and a\x07\u0308")  # removing a character may enable composition
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once


@SETTINGS
@given(text=st.one_of(TEXT, WORDY), split=st.booleans(), find_title=st.booleans())
def test_cleaner_options_never_raise(text: str, split: bool, find_title: bool) -> None:
    assume(text.strip())
    for doc in clean_text(text, split=split, find_title=find_title, title=text[:20] or None):
        assert isinstance(doc.text, str)
        json.dumps(doc.meta)
        json.dumps(doc.log, default=str)
