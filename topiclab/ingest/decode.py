"""Turn raw bytes into text: BOMs, UTF-16, legacy encodings, binaries, and HTML markup.

The order of the checks is: byte-order mark, known binary signatures, BOM-less UTF-16 (by
the pattern of NUL bytes), other NUL-heavy content (binary), strict UTF-8, then a statistical
guess among legacy encodings (:mod:`charset_normalizer`'s candidates and cp1252, ranked by
how plausible the decoded words look). A guess is reported as such so the
caller can warn about it. :func:`html_to_text` keeps the visible text of an HTML page.
"""

from __future__ import annotations

import codecs
import os
import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser

from topiclab.ingest.errors import IngestError

__all__ = [
    "Decoded",
    "binary_kind",
    "declared_html_charset",
    "decode_bytes",
    "detect_encoding",
    "html_text_and_title",
    "html_to_text",
    "looks_like_text",
]

#: Leading bytes of common non-text formats and a name for each.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"PK\x03\x04", "zip archive"),
    (b"PK\x05\x06", "zip archive"),
    (b"\x7fELF", "ELF executable"),
    (b"\x1f\x8b", "gzip archive"),
    (b"%PDF-", "PDF document"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"7z\xbc\xaf\x27\x1c", "7z archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"\x28\xb5\x2f\xfd", "zstd archive"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "OLE (old Microsoft Office) document"),
    (b"PAR1", "Parquet file"),
)

#: Byte-order marks; UTF-32 first because its little-endian BOM starts like UTF-16's.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

#: How much of a file is inspected to choose an encoding for streamed formats.
SAMPLE_BYTES = 1 << 16

_MAX_NUL_SHARE = 0.01
_MAX_CONTROL_SHARE = 0.05
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")
_MAX_CANDIDATES = 8
_MAX_IMPLAUSIBLE_SHARE = 0.1
_RARE_LETTERS = "þðýÞÐÝ"
#: Categories of characters that may sit inside a word: dashes, quotes, combining marks.
_WORD_INNER = frozenset({"Pd", "Pi", "Pf", "Mn", "Mc", "Lm"})
_NON_ASCII = re.compile("[^\x00-\x7f\ufffd]")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)


@dataclass(frozen=True)
class Decoded:
    """Decoded text and how it was decoded.

    Attributes
    ----------
    text : str
        The decoded text (a leading BOM removed).
    encoding : str
        Python codec name used.
    guessed : bool
        True when the encoding was a statistical guess (a legacy encoding), which callers
        should report as a warning.
    replaced : int
        Number of invalid byte sequences replaced by U+FFFD (UTF-8 text with a few damaged
        bytes); callers should report a positive count as a warning.
    first_invalid : int or None
        Byte offset of the first replaced sequence.
    """

    text: str
    encoding: str
    guessed: bool
    replaced: int = 0
    first_invalid: int | None = None


def binary_kind(data: bytes) -> str | None:
    r"""Name the binary format ``data`` starts with, or return None.

    Parameters
    ----------
    data : bytes
        The first bytes of a file (a few dozen suffice).

    Returns
    -------
    str or None
        A description such as ``"PNG image"``, or None when no signature matches.

    Examples
    --------
    >>> binary_kind(b"\x7fELF\x02\x01")
    'ELF executable'
    >>> binary_kind(b"plain words") is None
    True
    """
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    return None


def _utf16_without_bom(sample: bytes) -> str | None:
    """Recognise BOM-less UTF-16 of mostly Latin text by where its NUL bytes sit."""
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even = sample[0 : 2 * pairs : 2].count(0)
    odd = sample[1 : 2 * pairs : 2].count(0)
    if odd >= 0.3 * pairs and even <= 0.05 * pairs:
        return "utf-16-le"
    if even >= 0.3 * pairs and odd <= 0.05 * pairs:
        return "utf-16-be"
    return None


def _valid_utf8(sample: bytes, *, complete: bool) -> bool:
    """Whether ``sample`` is UTF-8; an incomplete sample may end inside a character."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=complete)
    except UnicodeDecodeError:
        return False
    return True


def looks_like_text(text: str) -> bool:
    r"""Whether decoded text is mostly free of control characters.

    Parameters
    ----------
    text : str
        Decoded text (or a prefix of it).

    Returns
    -------
    bool
        False when more than 5% of the characters are C0/C1 controls other than
        tab, newline, carriage return, form feed and vertical tab.

    Examples
    --------
    >>> looks_like_text("Hello,\nworld")
    True
    >>> looks_like_text("\x01\x02\x03abc")
    False
    """
    if not text:
        return True
    controls = sum(
        1 for ch in text if (ch < " " or "\x7f" <= ch < "\xa0") and ch not in _ALLOWED_CONTROLS
    )
    return controls <= _MAX_CONTROL_SHARE * len(text)


def declared_html_charset(data: bytes) -> str | None:
    """Return the codec named by an HTML ``<meta charset>`` near the start, if Python knows it.

    Parameters
    ----------
    data : bytes
        Raw HTML.

    Returns
    -------
    str or None
        A Python codec name, or None when nothing (usable) is declared.

    Examples
    --------
    >>> declared_html_charset(b'<meta charset="windows-1252">')
    'cp1252'
    """
    match = _META_CHARSET.search(data[:4096])
    if match is None:
        return None
    try:
        return codecs.lookup(match.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None


def _binary_error(path: str | os.PathLike[str], why: str) -> IngestError:
    return IngestError(
        path, f"looks like a binary file ({why}), not text; convert it to text or remove it"
    )


def detect_encoding(
    sample: bytes,
    path: str | os.PathLike[str],
    *,
    complete: bool = True,
    declared: str | None = None,
) -> tuple[str, bool]:
    """Choose a codec for a file from (a sample of) its bytes.

    Parameters
    ----------
    sample : bytes
        The whole file, or its first bytes.
    path : str or os.PathLike
        The file, for error messages.
    complete : bool, default True
        False when ``sample`` is only the start of the file.
    declared : str, optional
        An encoding the file declares (an HTML ``<meta charset>``), tried before guessing.

    Returns
    -------
    codec : str
        A Python codec name.
    guessed : bool
        True when the codec is a statistical guess.

    Raises
    ------
    IngestError
        When the bytes look binary or match no encoding.
    """
    for bom, codec in _BOMS:
        if sample.startswith(bom):
            return codec, False
    kind = binary_kind(sample)
    if kind is not None:
        raise _binary_error(path, kind)
    utf16 = _utf16_without_bom(sample)
    if utf16 is not None:
        return utf16, False
    if sample.count(0) > _MAX_NUL_SHARE * len(sample):
        raise _binary_error(path, "it contains NUL bytes")
    if _valid_utf8(sample, complete=complete):
        return "utf-8", False
    if declared is not None:
        try:
            codecs.getincrementaldecoder(declared)().decode(sample, final=complete)
        except (UnicodeDecodeError, LookupError):
            pass
        else:
            return declared, False
    codec = _guess_legacy(sample, complete=complete)
    if codec is None:
        raise IngestError(
            path,
            "cannot be decoded: not UTF-8, UTF-16 or a recognisable legacy encoding "
            "(or it looks binary)",
        )
    return codec, True


def _script(char: str) -> str:
    return unicodedata.name(char, "?").split(" ", 1)[0]


def _implausibility(text: str) -> int:
    """Count signs of a wrong single-byte decoding in ``text`` (0 for plausible text).

    Signs: a symbol between two letters of a word (``Za¿ó³``), letters of several scripts in
    one word, Latin words made only of accented letters (Cyrillic or Greek read as
    cp1252), and C1 control or unassigned characters.
    """
    score = 0
    for word in text.split():
        if word.isascii():
            continue
        for before, char, after in zip(word, word[1:], word[2:], strict=False):
            if (
                not char.isascii()
                and not char.isalpha()
                and before.isalpha()
                and after.isalpha()
                and unicodedata.category(char) not in _WORD_INNER
            ):
                score += 1
        letters = [char for char in word if char.isalpha()]
        scripts = {_script(char) for char in letters}
        if len(scripts) > 1:
            score += 1
        elif scripts == {"LATIN"} and len(letters) >= 3:
            score += not any(char.isascii() for char in letters)
        score += sum(
            "\x80" <= char < "\xa0" or unicodedata.category(char) in ("Cn", "Co") for char in word
        )
    return score


def _guess_legacy(sample: bytes, *, complete: bool) -> str | None:
    """Guess the most plausible single-byte (or legacy multi-byte) codec for ``sample``.

    The candidates are cp1252 (the usual legacy encoding of Western web text) and the
    encodings :mod:`charset_normalizer` proposes; the one whose text shows the fewest signs
    of a wrong decoding wins, then the one with fewest rare letters (``þðý``, which a
    Turkish text read as cp1252 is full of), then the earlier candidate. None when no candidate decodes
    plausibly.
    """
    import charset_normalizer

    proposed = [match.encoding for match in charset_normalizer.from_bytes(sample)]
    candidates = list(dict.fromkeys(["cp1252", *proposed[:_MAX_CANDIDATES]]))
    best: tuple[int, int, str] | None = None
    for codec in candidates:
        try:
            text = codecs.getincrementaldecoder(codec)().decode(sample, final=complete)
        except (UnicodeDecodeError, LookupError):
            continue
        if not looks_like_text(text):
            continue
        score = (_implausibility(text), sum(map(text.count, _RARE_LETTERS)), codec)
        if best is None or score[:2] < best[:2]:
            best = score
    if best is None or best[0] > max(3, _MAX_IMPLAUSIBLE_SHARE * len(sample.split())):
        return None
    return best[2]


def _repair_utf8(data: bytes) -> Decoded | None:
    """Decode UTF-8 text holding a few invalid byte sequences, replacing them by U+FFFD.

    Parameters
    ----------
    data : bytes
        A whole file that is not valid UTF-8.

    Returns
    -------
    Decoded or None
        The repaired text, when the data looks binary-free and its valid multi-byte UTF-8
        characters outnumber its invalid sequences (so it is UTF-8 with damage rather than
        a legacy encoding); None otherwise.
    """
    if binary_kind(data) is not None or data.count(0) > _MAX_NUL_SHARE * len(data):
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        first = exc.start
    else:
        return None
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    valid = len(_NON_ASCII.findall(text))
    if bad <= 0 or valid <= bad or not looks_like_text(text):
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    return Decoded(text, "utf-8", False, replaced=bad, first_invalid=first)


def decode_bytes(
    data: bytes, path: str | os.PathLike[str], *, declared: str | None = None
) -> Decoded:
    """Decode the whole content of a text file.

    Parameters
    ----------
    data : bytes
        The file's content.
    path : str or os.PathLike
        The file, for error messages.
    declared : str, optional
        An encoding the file declares, tried when the bytes are not UTF-8.

    Returns
    -------
    Decoded
        The text, the codec and whether it was guessed. UTF-8 text with a few invalid byte
        sequences (fewer than its valid non-ASCII characters) is decoded as UTF-8 with
        those sequences replaced by U+FFFD (``replaced`` counts them) rather than guessed
        as a legacy encoding.

    Raises
    ------
    IngestError
        When the content looks binary or cannot be decoded.

    Examples
    --------
    >>> decode_bytes("café".encode("utf-16"), "a.txt").text
    'café'
    """
    if not data:
        return Decoded("", "utf-8", False)
    try:
        codec, guessed = detect_encoding(data, path, declared=declared)
    except IngestError:
        repaired = _repair_utf8(data)
        if repaired is None:
            raise
        return repaired
    if guessed:
        repaired = _repair_utf8(data)
        if repaired is not None:
            return repaired
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        repaired = _repair_utf8(data) if codec.startswith("utf-8") else None
        if repaired is not None:
            return repaired
        raise IngestError(
            path, f"cannot be decoded as {codec} (invalid bytes at offset {exc.start})"
        ) from None
    if not looks_like_text(text):
        raise _binary_error(path, "mostly control characters")
    return Decoded(text, codec, guessed)


# ----------------------------------------------------------------------------- html


#: Elements whose content is not article text.
DROPPED_TAGS = frozenset(
    "script style nav header footer noscript template head svg iframe canvas".split()
)
#: Elements that start and end a paragraph.
BLOCK_TAGS = frozenset(
    "address article aside blockquote body caption dd details dialog div dl dt fieldset "
    "figcaption figure form h1 h2 h3 h4 h5 h6 hr html legend li main ol p pre section summary "
    "table tbody tfoot thead tr ul".split()
)


class _TextExtractor(HTMLParser):
    """Collects visible text; block elements become paragraph breaks, ``<br>`` a newline."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.title: list[str] = []
        self.dropped = 0
        self.in_title = False
        self.in_pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self.in_title = True
        if tag in DROPPED_TAGS:
            self.dropped += 1
        elif tag == "br":
            self.pieces.append("\n")
        elif tag in BLOCK_TAGS:
            self.pieces.append("\n\n")
            self.in_pre += tag == "pre"
        elif tag in {"td", "th"}:
            self.pieces.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag in DROPPED_TAGS:
            self.dropped = max(0, self.dropped - 1)
        elif tag in BLOCK_TAGS:
            self.pieces.append("\n\n")
            if tag == "pre":
                self.in_pre = max(0, self.in_pre - 1)

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
        elif not self.dropped:
            self.pieces.append(data if self.in_pre else re.sub(r"\s+", " ", data))


def html_text_and_title(markup: str) -> tuple[str, str]:
    """Visible text and ``<title>`` of an HTML document.

    Parameters
    ----------
    markup : str
        HTML source.

    Returns
    -------
    text : str
        Visible text (see :func:`html_to_text`).
    title : str
        The document title, whitespace collapsed ("" when absent).
    """
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    lines = [line.strip() for line in "".join(parser.pieces).split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return text, " ".join("".join(parser.title).split())


def html_to_text(markup: str) -> str:
    r"""Visible text of an HTML document.

    Script, style, nav, header, footer (and head, noscript, template, svg, iframe, canvas)
    are dropped; block elements become paragraph breaks and ``<br>`` a line break.

    Parameters
    ----------
    markup : str
        HTML source.

    Returns
    -------
    str
        The text, paragraphs separated by a blank line.

    Examples
    --------
    >>> html_to_text("<nav>Home</nav><p>One&amp;two</p><p>Three<br>four</p>")
    'One&two\n\nThree\nfour'
    """
    return html_text_and_title(markup)[0]
