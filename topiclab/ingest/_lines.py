"""Line model and small text predicates shared by the cleaning steps.

A document is cleaned as a list of :class:`Line` objects, one per input line.
Steps never delete lines: they change a line's ``role`` (``"body"``,
``"blank"``, ``"boilerplate"``, ``"meta"``, ``"header"``, ``"headline"``,
``"merged"``) so that later steps (article splitting, metadata assignment, the
audit log) can still refer to original line numbers.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

BODY = "body"
BLANK = "blank"
#: A body line between these lengths followed by another body line is a wrapped line
#: (fixed-width text); the next line continues its paragraph.
WRAP_MIN, WRAP_MAX = 40, 100

#: Characters that end a sentence (Latin, Arabic, CJK), possibly followed by closing quotes.
SENTENCE_END = re.compile(r"[.!?…。！？؟]['\"’”»)\]]*$")
_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
_LETTER = re.compile(r"[^\W\d_]")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
#: Zero-width characters and C0/C1 controls (terminal escapes, bells, DEL) are removed;
#: vertical tab, form feed and the Unicode line/paragraph separators become line breaks.
_INVISIBLE = {
    **dict.fromkeys(
        [c for c in range(0x20) if chr(c) not in "\t\n\r"] + list(range(0x7F, 0xA0)), None
    ),
    **_ZERO_WIDTH,
    **dict.fromkeys(map(ord, "\v\f\x85\u2028"), "\n"),
    ord("\u2029"): "\n\n",
}
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")


@dataclass
class Line:
    """One input line and what the cleaning steps decided about it.

    Attributes
    ----------
    no : int
        1-based line number in the (normalised) input.
    text : str
        The line, stripped; steps may rewrite it (e.g. a repaired word).
    role : str
        ``"body"`` for article text, ``"blank"``, or the step that took it out.
    meta : dict
        Metadata this line carried (``date``, ``source``...), for ``role == "meta"``.
    indented : bool
        The input line started with white space.
    """

    no: int
    text: str
    role: str = BODY
    meta: dict[str, Any] = field(default_factory=dict)
    indented: bool = False


def normalise(text: str) -> str:
    r"""Unicode NFC, ``\n`` line ends, no zero-width or control characters, single spaces.

    Characters are removed before NFC composition, so normalising twice changes nothing.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_INVISIBLE)
    text = unicodedata.normalize("NFC", text)
    return "\n".join(_SPACES.sub(" ", ln).rstrip() for ln in text.split("\n"))


def to_lines(text: str) -> list[Line]:
    """Split normalised text into stripped :class:`Line` objects (blank ones get role ``blank``)."""
    out = []
    for i, raw in enumerate(text.split("\n"), 1):
        ln = raw.strip()
        out.append(Line(i, ln, BODY if ln else BLANK, indented=bool(ln) and raw[:1] == " "))
    return out


def words(text: str) -> list[str]:
    """Word tokens (letters/digits with inner apostrophes or hyphens)."""
    return _WORD.findall(text)


def n_cjk(text: str) -> int:
    """Count the CJK (Han, kana, hangul) characters."""
    return len(_CJK.findall(text))


def size(text: str) -> float:
    """Length in word units: whitespace words, with each CJK character counting 0.5.

    Chinese and Japanese are written without spaces; about two characters make
    a word, so a 40-word minimum is about 80 characters.
    """
    if text.isascii():
        return float(len(text.split()))
    cjk = n_cjk(text)
    if not cjk:
        return float(len(text.split()))
    rest = _CJK.sub(" ", text)
    return len(rest.split()) + cjk / 2.0


def has_letters(text: str) -> bool:
    """Tell whether the text holds at least one letter of any script."""
    return _LETTER.search(text) is not None


def ends_sentence(text: str) -> bool:
    """Tell whether the text ends with sentence punctuation (closing quotes allowed)."""
    return SENTENCE_END.search(text) is not None


@lru_cache(maxsize=1 << 16)
def key(text: str) -> str:
    """Comparison key of a line: case-folded, punctuation and spacing removed."""
    return " ".join(words(text.casefold()))


def is_title_like(text: str, *, max_words: int = 25) -> bool:
    """Tell whether a line is short, starts with a letter or digit and lacks final punctuation.

    Headlines and headings look like this; sentences and quoted text do not.
    """
    if not text or len(text) > 250 or not has_letters(text):
        return False
    if text[-1] in ".,;:،؛-–—" or text.endswith("..."):
        return False
    if not (text[0].isalnum() or text[0] in "\"'“‘«"):
        return False
    return size(text) <= max_words


def is_wrapped(line: Line | None) -> bool:
    """Whether ``line`` looks like a line of fixed-width text that the next line continues."""
    return line is not None and line.role == BODY and WRAP_MIN <= len(line.text) <= WRAP_MAX


def standalone(lines: list[Line], i: int) -> bool:
    """Whether body line ``i`` is a paragraph of its own (not part of a wrapped paragraph)."""
    prev = lines[i - 1] if i > 0 else None
    nxt = lines[i + 1] if i + 1 < len(lines) else None
    if is_wrapped(prev):
        return False
    return not (nxt is not None and nxt.role == BODY and is_wrapped(lines[i]))


def log_entry(
    step: str, action: str, reason: str, *, line: int | None = None, **fields: Any
) -> dict[str, Any]:
    """Build a cleaning-log record; ``file`` and ``doc_id`` are filled in by the caller."""
    entry: dict[str, Any] = {"file": None, "doc_id": None, "step": step, "action": action}
    entry.update(fields)
    entry["reason"] = reason
    if line is not None:
        entry["line"] = line
    return entry
