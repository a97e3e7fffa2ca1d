"""FAQ header blocks and copyright notices of posted files.

Periodic postings (Usenet FAQs, contest rules, journals sent to a list) carry lines that
name the file, not its subject, and repeat on every copy:

* **FAQ header blocks**: ``Key: value`` lines at the top of the body, after the message
  header, with keys such as ``Archive-name``, ``Alt-atheism-archive-name``,
  ``Last-modified``, ``Version``, ``Posting-Frequency``, ``URL`` (:data:`FAQ_KEYS`); the
  block counts when one of its keys names an archive or a modification date
  (``Archive-name``, ``Last-modified``), so a post that happens to begin
  ``Version: 2.1 of the driver is out`` keeps it;
* **copyright notices**: a paragraph that opens with ``Copyright (c)``, ``(c) Copyright``
  or ``©`` followed by a year or a name, up to its end (at most
  :data:`MAX_NOTICE` lines of at most :data:`MAX_NOTICE_CHARS` characters): ``Copyright (c)
  Landon Curt Noll & Larry Bassel, 1993. All Rights Reserved. Permission for personal
  ...``. A shell archive's ``X`` prefix and a comment's ``*`` or ``#`` in front of it are
  allowed. A sentence that mentions copyright in passing stays.

Both are removed whole and logged (step ``faq``). Kept in, they became the keywords of
whole themes ("Archive-name space, Last-modified and NASA", "international obfuscated
code").

Examples
--------
>>> is_faq_header("Archive-name: space/new_probes")
True
>>> is_copyright_start("X * Copyright (c) Landon Curt Noll & Larry Bassel, 1993.")
True
>>> is_copyright_start("The copyright (c) of the photos is disputed in court.")
False
"""

from __future__ import annotations

import re
from typing import Any

from topiclab.ingest._lines import BODY, Line, log_entry

__all__ = ["FAQ_KEYS", "MAX_NOTICE", "is_copyright_start", "is_faq_header", "mark_faq"]

STEP = "faq"

#: Keys of FAQ header lines (compared case-folded; ``*-archive-name`` also counts).
FAQ_KEYS = frozenset(
    """
    archive-name last-modified last-update version posting-frequency url maintainer
    submitted-by copyright revision faq-version
    """.split()
)
#: Keys one of which a block must hold to count as a FAQ header.
_ANCHOR_KEYS = frozenset({"archive-name", "last-modified", "last-update", "posting-frequency"})
#: Most lines of a copyright notice.
MAX_NOTICE = 8
#: Longest line of a copyright notice.
MAX_NOTICE_CHARS = 100
#: FAQ header blocks are looked for in this many first body lines.
HEAD_LINES = 12

_KEY = re.compile(r"^(?P<key>[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*):\s+\S")
_PREFIX = r"^(?:X(?=\s|$|Copyright|\(c\)|©))?[\s*#/;]*"
_COPYRIGHT = re.compile(
    _PREFIX + r"(?:Copyright\s*(?:\([cC]\)|©)|\([cC]\)\s*Copyright|©)\s*(?=[\w&])"
)
_STRIP = re.compile(_PREFIX)


def _key(text: str) -> str | None:
    m = _KEY.match(text)
    if not m:
        return None
    key = m.group("key").casefold()
    if key in FAQ_KEYS:
        return key
    if key.endswith("-archive-name"):
        return "archive-name"
    return None


def is_faq_header(text: str) -> bool:
    """Whether a line is a FAQ header line (``Archive-name: ...``, ``Version: 1.2``).

    Examples
    --------
    >>> is_faq_header("Last-modified: 5 April 1993"), is_faq_header("Note: see below")
    (True, False)
    """
    return len(text) <= 200 and _key(text) is not None


def is_copyright_start(text: str) -> bool:
    """Whether a line opens a copyright notice (``Copyright (c) 1993 by ...``)."""
    return len(text) <= MAX_NOTICE_CHARS and bool(_COPYRIGHT.match(text))


def mark_faq(lines: list[Line], log: list[dict[str, Any]]) -> int:
    """Give role ``"faq"`` to FAQ header blocks and copyright notices; returns how many.

    Parameters
    ----------
    lines : list of Line
        The document (blank lines included: they end a notice); only ``"body"`` lines are
        removed.
    log : list of dict
        The cleaning log to append to.
    """
    removed = 0

    def drop(ln: Line, action: str, reason: str) -> None:
        nonlocal removed
        ln.role = STEP
        removed += 1
        log.append(log_entry(STEP, action, reason, line=ln.no, removed=ln.text))

    body = [ln for ln in lines if ln.role == BODY]
    head = body[:HEAD_LINES]
    for i, ln in enumerate(head):
        if _key(ln.text) is None:
            continue
        block = [ln]
        for nxt in head[i + 1 :]:
            if _key(nxt.text) is None:
                break
            block.append(nxt)
        if {_key(b.text) for b in block} & _ANCHOR_KEYS:
            for b in block:
                drop(b, "remove_faq_header", "FAQ header line (names the posted file)")
        break
    i = 0
    while i < len(lines):
        ln = lines[i]
        if ln.role != BODY or not is_copyright_start(ln.text):
            i += 1
            continue
        notice = [ln]
        for nxt in lines[i + 1 : i + MAX_NOTICE]:
            if nxt.role != BODY or not _STRIP.sub("", nxt.text).strip():
                break
            notice.append(nxt)
        ends = i + len(notice) >= len(lines) or not (
            lines[i + len(notice)].role == BODY
            and _STRIP.sub("", lines[i + len(notice)].text).strip()
        )
        if ends and all(len(n.text) <= MAX_NOTICE_CHARS for n in notice):
            for n in notice:
                drop(n, "remove_copyright", "copyright notice of a posted file")
        i += len(notice)
    return removed
