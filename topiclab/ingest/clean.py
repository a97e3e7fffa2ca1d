"""The cleaning pipeline for one raw text: from a scraped file to one or more articles.

Steps, in order (each change goes to the audit log):

1. ``normalise``   Unicode NFC, line ends, zero-width characters, spacing;
2. ``wire``        escaped markup is decoded, tags and instrument codes removed
                   (:mod:`.wire`);
3. ``meta``        an RFC 822 header block at the top (e-mail, Usenet) goes to metadata;
4. ``replies``     attribution lines of quotations and signatures go (:mod:`.replies`);
   ``faq``         FAQ header blocks (``Archive-name:``, ``Last-modified:``) and
                   copyright notices of posted files go (:mod:`.faq`);
5. ``repair``      words and sentences broken across lines are joined (:mod:`.repair`);
6. ``boilerplate`` navigation, share bars, trailers, sign-offs (:mod:`.boilerplate`);
7. ``meta``        date/source header lines go to metadata (:mod:`.meta`);
8. ``split``       repeated headlines collapse into a title; a file holding several
                   articles is split (:mod:`.split`);
9. ``meta``        a dateline opening an article gives its date and agency;
10. ``wire``       agency credits ending the headline or opening the text, and wire
                   datelines (``NEW YORK (Reuters) -``), go to metadata (:mod:`.wire`).

Paragraphs are then rebuilt: lines wrapped at a fixed width are re-flowed,
lines that are whole paragraphs stay apart. The article text is the title
(when it came from the text) followed by the paragraphs, separated by blank
lines, so cleaning a cleaned text changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from topiclab.ingest._lines import BODY, Line, is_wrapped, log_entry, normalise, to_lines
from topiclab.ingest.boilerplate import mark_boilerplate
from topiclab.ingest.faq import mark_faq
from topiclab.ingest.meta import extract_dateline, extract_header_lines, strip_header_block
from topiclab.ingest.repair import repair_lines
from topiclab.ingest.replies import mark_replies
from topiclab.ingest.split import find_headlines, split_articles
from topiclab.ingest.wire import is_revision, repair_markup, strip_title_credit, strip_wire_lines

logger = logging.getLogger(__name__)


@dataclass
class CleanDoc:
    """One cleaned article.

    Attributes
    ----------
    title : str or None
        The headline, when one was found.
    paragraphs : list of str
        Body paragraphs (without the title).
    text : str
        Title (when found in the text) and paragraphs separated by blank lines.
    meta : dict
        ``date`` (ISO 8601), ``source`` (publisher or agency), ``attribution``
        (a ``Source:`` credit line), ``author`` when found.
    log : list of dict
        The cleaning log entries that concern this article.
    """

    title: str | None
    paragraphs: list[str]
    text: str
    meta: dict[str, Any] = field(default_factory=dict)
    log: list[dict[str, Any]] = field(default_factory=list)


def reflow(lines: list[Line]) -> list[str]:
    """Paragraphs from body lines: wrapped lines are joined, paragraph lines kept apart."""
    paragraphs: list[str] = []
    cur: list[str] = []
    prev: Line | None = None
    for ln in lines:
        if ln.role == "merged":
            continue
        if ln.role != BODY:
            if cur:
                paragraphs.append(" ".join(cur))
                cur = []
            prev = None
            continue
        if cur and is_wrapped(prev):
            cur.append(ln.text)
        else:
            if cur:
                paragraphs.append(" ".join(cur))
            cur = [ln.text]
        prev = ln
    if cur:
        paragraphs.append(" ".join(cur))
    return paragraphs


def clean_text(
    text: str,
    *,
    file: str | None = None,
    split: bool = True,
    find_title: bool = True,
    title: str | None = None,
) -> list[CleanDoc]:
    r"""Clean one raw text into one or more articles.

    Parameters
    ----------
    text : str
        The raw text of a file or record.
    file : str, optional
        Name recorded in the log entries.
    split : bool
        Whether the text may hold several articles.
    find_title : bool
        Whether to take a title from the text (off when the input gives one).
    title : str, optional
        The title given by the input; only copies of it count as headlines.

    Returns
    -------
    list of CleanDoc
        At least one article (possibly with empty text).

    Examples
    --------
    >>> raw = "Plant opens\nSkip to content\nThe new plant opened on Monday with 300 workers on site."
    >>> docs = clean_text(raw)
    >>> docs[0].title, docs[0].paragraphs
    ('Plant opens', ['The new plant opened on Monday with 300 workers on site.'])
    """
    log: list[dict[str, Any]] = []
    norm = normalise(text)
    if norm != text:
        log.append(log_entry("normalise", "normalise_text", "Unicode NFC, line ends, spacing"))
    repaired, done = repair_markup(norm)
    if done:
        norm = normalise(repaired)
        log.append(log_entry("wire", "repair_markup", "escaped markup: " + ", ".join(done)))
    lines = to_lines(norm)
    file_meta = strip_header_block(lines, log)
    mark_replies(lines, log)
    mark_faq(lines, log)
    repair_lines(lines, log)
    mark_boilerplate(lines, log, keep=set(find_headlines(lines)))
    extract_header_lines(lines, log)
    articles = split_articles(lines, log, allow_split=split, find_title=find_title, title=title)

    docs: list[CleanDoc] = []
    for k, art in enumerate(articles):
        span = lines[art.start : art.end]
        meta: dict[str, Any] = dict(file_meta) if k == 0 else {}
        meta.pop("title", None)
        for ln in span:
            if ln.role == "meta":
                for mk, mv in ln.meta.items():
                    meta.setdefault(mk, mv)
        art_log: list[dict[str, Any]] = []
        first_body = next((ln for ln in span if ln.role == BODY), None)
        if first_body is not None:
            for mk, mv in extract_dateline(first_body, art_log).items():
                meta.setdefault(mk, mv)
        for mk, mv in strip_wire_lines(span, art_log).items():
            meta.setdefault(mk, mv)
        if "source" not in meta and meta.get("attribution"):
            meta["source"] = meta["attribution"]
        title = art.title
        if title is not None:
            title, credit = strip_title_credit(title)
            if credit is not None:
                art.title = title
                if not is_revision(credit):
                    meta.setdefault("source", credit)
        if title is None and file_meta.get("title") and k == 0:
            title = file_meta["title"]
        paragraphs = reflow(span)
        in_text = art.title is not None
        text_out = "\n\n".join(([art.title] if in_text else []) + paragraphs)  # type: ignore[list-item]
        docs.append(CleanDoc(title, paragraphs, text_out, meta, art_log))

    # give every log entry to the article it concerns
    for entry in log:
        idx = 0
        line = entry.get("line")
        if line is not None:
            for k, art in enumerate(articles):
                if art.start < line <= art.end:
                    idx = k
                    break
        elif entry.get("removed") is not None:
            for k, d in enumerate(docs):
                if d.title == entry["removed"]:
                    idx = k
                    break
        docs[idx].log.append(entry)
    for d in docs:
        d.log.sort(key=lambda e: e.get("line") or 0)
        for entry in d.log:
            entry["file"] = file
    return docs
