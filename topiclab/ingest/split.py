"""Find headlines and titles, and split a file that holds several articles.

Scraped pages often print an article's headline several times (page title,
heading, share card, a trailer after the body). A **headline** is a title-like
line (short, no final sentence punctuation, at least three words) that occurs
at least twice. All its copies leave the body; one becomes the title.

Headline copies form *blocks* (runs of headline lines with only blank, meta or
boilerplate lines between them); the body text between blocks forms
*segments*. Each segment takes the headline of the block before it, unless an
earlier segment already took that headline, in which case it takes the block
after it: a site that prints the headline after the body ("body1, H1, H1,
body2, H2, H2") is read as two articles, body1 under H1 and body2 under H2.
A segment that finds no unused headline, or that is shorter than
``min_words``, stays in the previous article, so an ordinary article is never
split.

Without a repeated headline, the first line is the title when it is short,
has no final punctuation and is followed by more text.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from topiclab.ingest._lines import BODY, Line, is_title_like, key, log_entry, size, standalone

STEP = "split"
#: Minimum size (words) of each part before a file is split into articles.
MIN_ARTICLE_WORDS = 50


@dataclass
class Article:
    """A span of lines ``[start, end)`` of the file that forms one article."""

    start: int
    end: int
    title: str | None = None
    title_from: str | None = None  # "headline" or "first_line"


@dataclass
class _Segment:
    start: int
    end: int
    before: str | None
    after: str | None
    words: float


_CODE_CHARS = frozenset("{}<>=;|\\@#*_^~")


def _is_headline(text: str) -> bool:
    return is_title_like(text) and size(text) >= 3 and not _CODE_CHARS.intersection(text)


def find_headlines(lines: list[Line], *, only: str | None = None) -> dict[str, str]:
    """Repeated title-like body lines that stand alone: ``{key: text of the first copy}``.

    With ``only`` (a given title), only copies of that title count.
    """
    counts: Counter[str] = Counter()
    first: dict[str, str] = {}
    want = key(only) if only else None
    for i, ln in enumerate(lines):
        if ln.role == BODY and _is_headline(ln.text) and standalone(lines, i):
            k = key(ln.text)
            if k and (want is None or k == want):
                counts[k] += 1
                first.setdefault(k, ln.text)
    return {k: first[k] for k, c in counts.items() if c >= (1 if want else 2)}


def split_articles(
    lines: list[Line],
    log: list[dict[str, Any]],
    *,
    allow_split: bool = True,
    find_title: bool = True,
    min_words: int = MIN_ARTICLE_WORDS,
    title: str | None = None,
) -> list[Article]:
    """Mark headlines and return the article spans of a cleaned file.

    Parameters
    ----------
    lines : list of Line
        The file after repair, metadata and boilerplate steps. Headline copies
        get role ``"headline"``; a first-line title gets role ``"title"``.
    log : list of dict
        The cleaning log to append to.
    allow_split : bool
        Whether the file may hold several articles.
    find_title : bool
        Whether to look for a first-line title when there is no repeated headline.
    min_words : int
        Minimum size of every part of a split.
    title : str, optional
        The title given by the input: its copies in the text are removed and
        no other line counts as a headline.

    Returns
    -------
    list of Article
        At least one article, covering all lines in order.
    """
    headlines = find_headlines(lines, only=title)
    if not headlines:
        art = Article(0, len(lines))
        if find_title:
            _first_line_title(lines, art, log)
        return [art]

    for k, text in headlines.items():
        n = sum(
            1
            for i, ln in enumerate(lines)
            if ln.role == BODY and key(ln.text) == k and standalone(lines, i)
        )
        log.append(
            log_entry(
                STEP,
                "collapse_repeated_headline",
                f"headline printed {n} times; kept once as the title",
                removed=text,
                count=n,
            )
        )
    marked = [
        ln
        for i, ln in enumerate(lines)
        if ln.role == BODY and key(ln.text) in headlines and standalone(lines, i)
    ]
    for ln in marked:
        ln.role = "headline"

    segments = _segments(lines)
    if not segments:
        k = next(iter(headlines))
        return [Article(0, len(lines), headlines[k], "headline")]

    used: set[str] = set()
    articles: list[Article] = []
    art_words: list[float] = []
    for seg in segments:
        title = None
        if seg.before and seg.before not in used:
            title = seg.before
        elif seg.after and seg.after not in used:
            title = seg.after
        new = (
            allow_split
            and title is not None
            and seg.words >= min_words
            and (not articles or art_words[-1] >= min_words)
        )
        if articles and not new:
            art_words[-1] += seg.words
            if articles[-1].title is None and title is not None:
                articles[-1].title, articles[-1].title_from = headlines[title], "headline"
                used.add(title)
            continue
        if title is not None:
            used.add(title)
        start = 0 if not articles else _block_start(lines, seg.start)
        if articles:
            articles[-1].end = start
        art_words.append(seg.words)
        articles.append(
            Article(
                start,
                len(lines),
                headlines[title] if title else None,
                "headline" if title else None,
            )
        )
    if len(articles) > 1:
        log.append(
            log_entry(
                STEP,
                "split_file",
                "repeated headlines mark several articles in one file",
                parts=len(articles),
                titles=[a.title for a in articles],
            )
        )
    return articles


def _block_start(lines: list[Line], seg_start: int) -> int:
    """First line after the headline block that precedes a segment."""
    i = seg_start
    while i > 0 and lines[i - 1].role != "headline":
        i -= 1
    return i


def _segments(lines: list[Line]) -> list[_Segment]:
    segments: list[_Segment] = []
    last_headline: str | None = None
    cur: _Segment | None = None
    for i, ln in enumerate(lines):
        if ln.role == "headline":
            k = key(ln.text)
            if cur is not None:
                cur.after = k
                segments.append(cur)
                cur = None
            last_headline = k
        elif ln.role == BODY:
            if cur is None:
                cur = _Segment(i, i + 1, last_headline, None, 0.0)
            cur.end = i + 1
            cur.words += size(ln.text)
    if cur is not None:
        segments.append(cur)
    return segments


def _first_line_title(lines: list[Line], art: Article, log: list[dict[str, Any]]) -> None:
    body = [ln for ln in lines[art.start : art.end] if ln.role == BODY]
    if len(body) < 2:
        return
    first, rest = body[0], body[1:]
    if not is_title_like(first.text, max_words=20) or size(first.text) < 2:
        return
    if sum(size(ln.text) for ln in rest) < max(10.0, 2 * size(first.text)):
        return
    first.role = "title"
    art.title, art.title_from = first.text, "first_line"
    log.append(
        log_entry(
            STEP,
            "title_from_first_line",
            "short first line without final punctuation followed by body text",
            line=first.no,
            title=first.text,
        )
    )
