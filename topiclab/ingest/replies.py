"""Attribution lines and signatures of e-mail and forum posts.

Posts copied from mailing lists, Usenet and forums carry two kinds of lines that name
people, not subjects, and repeat on every post of a writer or a thread:

* **attribution lines** that introduce a quotation: ``In article <1993Apr5.1@x.edu>,
  steve@x.edu (Steve Manes) writes:``, ``jcav@ellis.uchicago.edu (JohnC) says:``,
  ``On Mon, 5 Apr 1993, Jane Roe wrote:``, quoted or not; a line that opens with
  ``In article <...>`` whose ``writes:`` was wrapped onto the next line goes with that
  line;
* **signatures**: the lines after the signature separator ``--`` (RFC 3676), when the
  separator is one of the last :data:`MAX_SIGNATURE` + 1 body lines and what follows
  it is short lines (a name, an address, a motto); and a quoted signature (``> --``
  followed by at most :data:`MAX_SIGNATURE` short quoted lines, up to the end of the
  quotation).

Both are removed whole and logged; the quoted text itself stays (it is what the reply
answers). Kept in, they made posters' names the labels of whole themes ("article Steve
Manes", "John Cavallino email and USMail").

Examples
--------
>>> is_attribution("In article <1993Apr5.1@x.edu>, steve@x.edu (Steve Manes) writes:")
True
>>> is_attribution("The minister writes: the plan is ready.")
False
"""

from __future__ import annotations

import re
from typing import Any

from topiclab.ingest._lines import BODY, Line, log_entry

__all__ = ["MAX_SIGNATURE", "is_attribution", "mark_replies"]

STEP = "replies"

#: Most lines a signature may have after its separator.
MAX_SIGNATURE = 10
#: Longest line of a signature.
MAX_SIGNATURE_CHARS = 100

_QUOTE = r"^[>|:}\s]*"
_VERB = r"(?:writes|wrote|says|said|writ|posted|opined|asks|asked)"
_ATTRIBUTION = re.compile(
    _QUOTE
    + r"(?:"
    # In article <id>, someone (Name) writes:
    + rf"in\s+(?:article|message|reply\s+to|a\s+previous\s+article|<)[^\n]{{0,240}}\b{_VERB}\s*:?"
    # On <date>, Name wrote:
    + rf"|on\s+[^\n]{{4,120}},\s*[^\n]{{1,120}}\b{_VERB}\s*:"
    # addr@host (Name) writes:  /  Name <addr@host> writes:  /  Name (addr) writes:
    + rf"|[^\n]{{0,120}}(?:@|<[^<>\n]+>|\([^()\n]{{1,60}}\))[^\n]{{0,60}}\b{_VERB}\s*:"
    + r")\s*$",
    re.IGNORECASE,
)
_ARTICLE_START = re.compile(_QUOTE + r"in\s+(?:article|message)\s+<[^<>\s]+>", re.IGNORECASE)
_VERB_END = re.compile(rf"\b{_VERB}\s*:\s*$", re.IGNORECASE)
_SEPARATOR = re.compile(r"^--\s*$")
_QUOTED_SEPARATOR = re.compile(r"^(?P<q>[>|:]+)\s*--\s*$")


def is_attribution(text: str) -> bool:
    """Whether a line introduces a quotation ("... (Name) writes:").

    Examples
    --------
    >>> is_attribution("> jcav@ellis.uchicago.edu (JohnC) says:")
    True
    >>> is_attribution("On Mon, 5 Apr 1993 10:00:01, Jane Roe wrote:")
    True
    """
    return len(text) <= 320 and bool(_ATTRIBUTION.match(text))


def mark_replies(lines: list[Line], log: list[dict[str, Any]]) -> int:
    """Give role ``"reply"`` to attribution lines and signatures; returns how many lines.

    Parameters
    ----------
    lines : list of Line
        The document; only ``"body"`` lines are examined.
    log : list of dict
        The cleaning log to append to.
    """
    body = [ln for ln in lines if ln.role == BODY]
    removed = 0

    def drop(ln: Line, action: str, reason: str) -> None:
        nonlocal removed
        ln.role = "reply"
        removed += 1
        log.append(log_entry(STEP, action, reason, line=ln.no, removed=ln.text))

    for i, ln in enumerate(body):
        if is_attribution(ln.text):
            drop(ln, "remove_attribution", "attribution line of a quotation (names a poster)")
        elif (
            _ARTICLE_START.match(ln.text)
            and i + 1 < len(body)
            and _VERB_END.search(body[i + 1].text)
            and len(body[i + 1].text) <= 120
        ):
            drop(ln, "remove_attribution", "attribution line of a quotation (names a poster)")
            drop(body[i + 1], "remove_attribution", "attribution line of a quotation (wrapped)")
    body = [ln for ln in body if ln.role == BODY]
    for i, ln in enumerate(body):
        m = _QUOTED_SEPARATOR.match(ln.text)
        if not m:
            continue
        rest = []
        for nxt in body[i + 1 : i + 2 + MAX_SIGNATURE]:
            if not nxt.text.startswith(m.group("q")):
                break
            rest.append(nxt)
        ends = i + 1 + len(rest) >= len(body) or not body[i + 1 + len(rest)].text.startswith(
            m.group("q")
        )
        if rest and ends and all(len(r.text) <= MAX_SIGNATURE_CHARS for r in rest):
            drop(ln, "remove_signature", "quoted signature separator")
            for r in rest:
                drop(r, "remove_signature", "quoted signature (after '> --')")
    body = [ln for ln in body if ln.role == BODY]
    for i in range(max(0, len(body) - MAX_SIGNATURE - 1), len(body)):
        if not _SEPARATOR.match(body[i].text):
            continue
        rest = body[i + 1 :]
        if rest and all(len(ln.text) <= MAX_SIGNATURE_CHARS for ln in rest):
            drop(body[i], "remove_signature", "signature separator")
            for ln in rest:
                drop(ln, "remove_signature", "signature (after the '--' separator)")
        break
    return removed
