"""Move header information (dates, sources, e-mail headers) from the text into metadata.

Dates are recognised with regular expressions and a month-name table
(English, Arabic in its Egyptian/Gulf and Levantine forms, French, German,
Spanish), and Chinese ``2025年2月6日``; Arabic-Indic digits are read as digits.
This is fast and deterministic, which matters because it runs on every line
that could be a header. :mod:`dateparser` handles more languages but costs
milliseconds per call, so it is not used here.

Three kinds of header text are handled:

* an RFC 822 header block at the very top (``From:``, ``Subject:``, ``Lines:``...),
  as in e-mail and Usenet posts: the block leaves the text, ``Subject`` becomes
  the title, ``Date`` the date, ``From`` the author, ``Organization`` the source;
* header lines: a short line that is a date/time with labels (``Updated:``,
  ``Last Updated At``) and optionally a source (``english.sheitc.gov.cn``), or a
  source line (``Source: Reuters``, ``المصدر: Toyota``, ``来源：新华社``); the
  whole line leaves the text. A source line credits where the story came from:
  it is kept as ``attribution`` and becomes ``source`` only when no publisher
  is named elsewhere (a dateline agency or a site name in a header line);
* a dateline opening the first paragraph (``سولارابيك – شنغهاي، الصين – 6 فبراير 2025:``):
  the date and the agency move to metadata, the place stays in the text.
"""

from __future__ import annotations

import re
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

from topiclab.ingest._lines import BODY, Line, log_entry, words

STEP = "meta"

MONTHS: dict[str, int] = {}
for _num, _names in enumerate(
    [
        "january jan janvier januar enero يناير كانون_الثاني جانفي",
        "february feb février fevrier februar febrero فبراير شباط فيفري",
        "march mar mars märz marz marzo مارس آذار اذار",
        "april apr avril abril أبريل ابريل إبريل نيسان أفريل",
        "may mai mayo مايو أيار ايار ماي",
        "june jun juin juni junio يونيو يونيه حزيران جوان",
        "july jul juillet juli julio يوليو يوليه تموز جويلية",
        "august aug août aout agosto أغسطس اغسطس آب أوت",
        "september sep sept septembre septiembre سبتمبر أيلول ايلول",
        "october oct octobre oktober octubre أكتوبر اكتوبر تشرين_الأول تشرين_الاول",
        "november nov novembre noviembre نوفمبر تشرين_الثاني",
        "december dec décembre decembre dezember diciembre ديسمبر كانون_الأول كانون_الاول",
    ],
    1,
):
    for _name in _names.split():
        MONTHS[_name.replace("_", " ")] = _num

_MONTH_RE = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
_D = r"[0-9٠-٩]"
_TIME = rf"(?P<H>{_D}{{1,2}})[:：](?P<M>{_D}{{2}})(?::{_D}{{2}})?\s*(?P<ampm>[AaPp]\.?[Mm]\.?|ص|م)?"
_DATE_PATTERNS = [
    # 2024-09-21, 2024/09/21, 2024.09.21
    rf"(?P<y>{_D}{{4}})[-/.](?P<m>{_D}{{1,2}})[-/.](?P<d>{_D}{{1,2}})",
    # 2025年2月6日
    rf"(?P<y>{_D}{{4}})\s*年\s*(?P<m>{_D}{{1,2}})\s*月\s*(?P<d>{_D}{{1,2}})\s*日",
    # Nov 02,2023 / November 2, 2023 / Nov. 2 2023
    rf"(?P<mon>{_MONTH_RE})\.?\s+(?P<d>{_D}{{1,2}})(?:st|nd|rd|th)?\s*,?\s*(?P<y>{_D}{{4}})",
    # 6 فبراير 2025 / 2 November 2023 / 2nd of November, 2023
    rf"(?P<d>{_D}{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon>{_MONTH_RE})\.?,?\s+(?P<y>{_D}{{4}})",
    # 21/09/2024 (day first, the common order outside the US; ambiguous ones are day-first)
    rf"(?P<d>{_D}{{1,2}})[/.](?P<m>{_D}{{1,2}})[/.](?P<y>{_D}{{4}})",
]
_DATE_RES = [re.compile(p, re.IGNORECASE) for p in _DATE_PATTERNS]
_TIME_RE = re.compile(_TIME)
_ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")

_LABELS = re.compile(
    r"(?:last[\s-]+)?(?:updated|modified|published|posted|released|created|date|time)"
    r"(?:\s+(?:at|on))?\s*[:：]?"
    r"|آخر\s+تحديث\s*[:：]?|تاريخ\s+النشر\s*[:：]?|نشر\s+في\s*[:：]?|بتاريخ|التاريخ\s*[:：]?"
    r"|(?:更新|发布|發布)(?:时间|時間|日期)?\s*[:：]?|时间\s*[:：]|日期\s*[:：]"
    r"|\b(?:GMT|UTC|EST|EDT|CET|CST|BST|IST)(?:\s*[+-]\s*\d{1,2})?\b|\bBJT\b|[|•·,/()\[\]]",
    re.IGNORECASE,
)
_WEEKDAYS = re.compile(
    r"\b(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\b\.?"
    r"|(?:ال)?(?:سبت|أحد|احد|اثنين|إثنين|ثلاثاء|أربعاء|اربعاء|خميس|جمعة)\b"
    r"|星期[一二三四五六日天]|周[一二三四五六日]",
    re.IGNORECASE,
)
_DOMAIN = re.compile(r"^(?:https?://)?(?:[\w-]+\.)+[a-z]{2,}(?:/\S*)?$", re.IGNORECASE)
_SOURCE_LINE = re.compile(
    r"^(?:source|sources|credit|المصدر|مصدر|المصادر|来源|來源|出处|出處)\s*[:：]\s*(?P<src>.{1,80})$",
    re.IGNORECASE,
)
_BYLINE = re.compile(
    r"^(?:[Bb]y|BY|[Ww]ritten by|بقلم|كتب|كتبت)\s*[:：]?\s+"
    r"(?P<who>[A-Z\u0600-\u06ff][\w.'’\-]*(?:\s+(?:and\s+)?[A-Z\u0600-\u06ff][\w.'’\-]*){0,4})$"
)
_HAS_LABEL = re.compile(
    r"^(?:last[\s-]+)?(?:updated|modified|published|posted|released|date)\b|^(?:آخر\s+تحديث|تاريخ\s+النشر|نشر\s+في|更新|发布)",
    re.IGNORECASE,
)
#: Header lines are looked for among the first and the last lines of the body only.
HEAD_LINES, TAIL_LINES = 12, 4
_DATELINE = re.compile(
    r"^(?P<src>[^\W\d_][^–—:\n]{0,40}?)\s+[–—-]{1,2}\s+(?P<place>[^–—\n]{1,60}?)\s+[–—-]{1,2}\s+"
    r"(?P<date>[^–—:\n]{6,40}?)\s*[:：]\s*"
)
_PLACE_DATE_DASH = re.compile(
    r"^(?P<place>[^\W\d_][^,،\n]{0,40}),?\s+(?P<date>[^()\n]{6,30}?)\s*(?:\((?P<src>[^()\n]{2,40})\))?"
    r"\s*(?P<dash>[–—]|--)\s*"
)
RFC822_NAMES = frozenset(
    "from subject date newsgroups message-id organization lines path reply-to sender to cc "
    "references nntp-posting-host keywords summary distribution expires followup-to "
    "x-newsreader article-i.d. in-reply-to mime-version content-type".split()
)
_HEADER_LINE = re.compile(r"^(?P<name>[A-Za-z][A-Za-z0-9.\-]{0,40}):(?:\s(?P<value>.*)|$)")


def parse_date(text: str) -> str | None:
    """Return the first date (with time when one follows it) in ``text``, as ISO 8601.

    Returns
    -------
    str or None
        ``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM``; None when nothing valid is found.

    Examples
    --------
    >>> parse_date("Updated: Nov 02,2023 5:30 PM english.sheitc.gov.cn")
    '2023-11-02T17:30'
    >>> parse_date("سولارابيك – 6 فبراير 2025:")
    '2025-02-06'
    """
    found = find_date(text)
    return found[0] if found else None


_YEAR = re.compile(r"[0-9٠-٩]{4}")


def find_date(text: str) -> tuple[str, int, int] | None:
    """``(iso, start, end)`` of the first valid date in ``text`` (time included)."""
    if not _YEAR.search(text):  # every supported form has a four-digit year
        return None
    best: tuple[str, int, int] | None = None
    for rx in _DATE_RES:
        for m in rx.finditer(text):
            iso = _to_iso(m)
            if iso is None:
                continue
            if best is None or m.start() < best[1]:
                best = (iso, m.start(), m.end())
            break
    if best is None:
        return None
    iso, start, end = best
    t = _TIME_RE.match(text, end) or _TIME_RE.match(text, end + 1)
    gap = text[end : t.start()] if t else ""
    if t and gap.strip(" ,T") == "":
        hour, minute = (
            int(t.group("H").translate(_ARABIC_DIGITS)),
            int(t.group("M").translate(_ARABIC_DIGITS)),
        )
        ampm = (t.group("ampm") or "").lower().replace(".", "")
        if ampm in {"pm", "م"} and hour < 12:
            hour += 12
        elif ampm in {"am", "ص"} and hour == 12:
            hour = 0
        if hour < 24 and minute < 60:
            return f"{iso}T{hour:02d}:{minute:02d}", start, t.end()
    return iso, start, end


def _to_iso(m: re.Match[str]) -> str | None:
    g = m.groupdict()
    try:
        year = int(g["y"].translate(_ARABIC_DIGITS))
        day = int(g["d"].translate(_ARABIC_DIGITS))
        if g.get("mon"):
            month = MONTHS[g["mon"].lower().rstrip(".")]
        else:
            month = int(g["m"].translate(_ARABIC_DIGITS))
        return datetime(year, month, day).date().isoformat() if 1800 < year < 2200 else None
    except (KeyError, ValueError):
        return None


def _rest_after_date(text: str) -> str | None:
    """Return what is left of a header line once dates, times and labels are removed."""
    found = find_date(text)
    if found is None:
        return None
    _, start, end = found
    rest = (text[:start] + " " + text[end:]).replace("-", " ")
    rest = _TIME_RE.sub(" ", rest)
    rest = _LABELS.sub(" ", rest)
    rest = _WEEKDAYS.sub(" ", rest)
    return " ".join(rest.split())


def header_line_meta(text: str) -> dict[str, str] | None:
    """Metadata of a date/source header line, or None when it is body text.

    Examples
    --------
    >>> header_line_meta("2024-09-21 17:39 Last Updated At:23:27")
    {'date': '2024-09-21T17:39'}
    >>> header_line_meta("Updated: Nov 02,2023 5:30 PM english.sheitc.gov.cn")
    {'date': '2023-11-02T17:30', 'source': 'english.sheitc.gov.cn'}
    >>> header_line_meta("The plant opened on 2 November 2023 in Shanghai.") is None
    True
    """
    if len(text) > 140:
        return None
    m = _SOURCE_LINE.match(text)
    if m and len(words(m.group("src"))) <= 8:
        return {"attribution": m.group("src").strip()}
    m = _BYLINE.match(text)
    if m and len(words(m.group("who"))) <= 6:
        return {"author": m.group("who").strip()}
    rest = _rest_after_date(text)
    if rest is None:
        return None
    date = parse_date(text)
    assert date is not None
    if not rest:
        return {"date": date}
    if _DOMAIN.match(rest):
        return {"date": date, "source": rest}
    rest_words = words(rest)
    if (
        _HAS_LABEL.match(text)
        and 1 <= len(rest_words) <= 3
        and rest[0].isupper()
        and not text.rstrip().endswith(".")
    ):
        return {"date": date, "source": rest}
    return None


def extract_header_lines(lines: list[Line], log: list[dict[str, Any]]) -> None:
    """Give role ``"meta"`` to date/source header lines and store what they say.

    Only the first :data:`HEAD_LINES` and last :data:`TAIL_LINES` body lines
    are examined, and never quoted lines (``>``, ``|``) of a reply.
    """
    body = [ln for ln in lines if ln.role == BODY]
    zone = body[:HEAD_LINES] + body[max(HEAD_LINES, len(body) - TAIL_LINES) :]
    for ln in zone:
        if len(ln.text) > 140 or ln.text[0] in ">|:":
            continue
        meta = header_line_meta(ln.text)
        if meta is None:
            continue
        ln.role, ln.meta = "meta", meta
        log.append(
            log_entry(
                STEP,
                "move_to_metadata",
                "date/source header line",
                line=ln.no,
                removed=ln.text,
                metadata=dict(meta),
            )
        )


def strip_header_block(lines: list[Line], log: list[dict[str, Any]]) -> dict[str, str]:
    """Take an RFC 822 header block at the top of the text into metadata.

    The block is the run of ``Name: value`` lines (with indented continuation
    lines) before the first blank line; it must hold at least two headers, one
    of them a standard e-mail/Usenet header name.
    """
    headers: list[tuple[str, str]] = []
    end = 0
    for i, ln in enumerate(lines):
        if ln.role != BODY:
            break
        m = _HEADER_LINE.match(ln.text)
        if m and not ln.indented:
            headers.append((m.group("name").lower(), (m.group("value") or "").strip()))
        elif ln.indented and headers:
            name, value = headers[-1]
            headers[-1] = (name, f"{value} {ln.text}")
        elif ln.indented and i == 0:  # continuation of a header cut off above
            headers.append(("", ln.text))
        else:
            return {}
        end = i + 1
    named = [name for name, _ in headers if name]
    if len(named) < 2 or not any(name in RFC822_NAMES for name in named):
        return {}
    meta: dict[str, str] = {}
    for name, value in headers:
        if not value:
            continue
        if name == "subject" and "title" not in meta:
            meta["title"] = value
        elif name == "from" and "author" not in meta:
            meta["author"] = value
        elif name == "organization" and "source" not in meta:
            meta["source"] = value
        elif name == "date" and "date" not in meta:
            try:
                meta["date"] = parsedate_to_datetime(value).strftime("%Y-%m-%dT%H:%M")
            except (TypeError, ValueError, IndexError):
                pass
    for ln in lines[:end]:
        ln.role = "header"
    log.append(
        log_entry(
            STEP,
            "strip_header_block",
            "RFC 822 header block (e-mail/Usenet headers are not body text)",
            line=lines[0].no,
            removed="\n".join(ln.text for ln in lines[:end]),
            metadata=dict(meta),
        )
    )
    return meta


def extract_dateline(line: Line, log: list[dict[str, Any]]) -> dict[str, str]:
    """Move the date (and agency) of a dateline opening ``line`` into metadata.

    The place name stays: ``سولارابيك – شنغهاي، الصين – 6 فبراير 2025: أعلنت ...``
    becomes ``شنغهاي، الصين – أعلنت ...`` with the date and source
    ``سولارابيك``; ``SHANGHAI, Feb. 6, 2025 (Xinhua) -- Text`` becomes
    ``SHANGHAI -- Text``.
    """
    text = line.text
    meta: dict[str, str] = {}
    m = _DATELINE.match(text)
    if m and (date := parse_date(m.group("date"))) and len(words(m.group("src"))) <= 4:
        meta = {"date": date, "source": m.group("src").strip()}
        new = f"{m.group('place').strip()} – {text[m.end() :]}".rstrip()
    else:
        m2 = _PLACE_DATE_DASH.match(text)
        if not m2 or not (date := parse_date(m2.group("date"))):
            return {}
        if find_date(m2.group("date"))[1] != 0:  # type: ignore[index]
            return {}
        meta = {"date": date}
        if m2.group("src"):
            meta["source"] = m2.group("src").strip()
        new = f"{m2.group('place').strip()} {m2.group('dash')} {text[m2.end() :]}".rstrip()
    log.append(
        log_entry(
            STEP,
            "move_dateline_to_metadata",
            "dateline date/agency at the start of the article",
            line=line.no,
            before=text[: len(text) - len(new) + 40],
            after=new[:40],
            metadata=dict(meta),
        )
    )
    line.text = new
    return meta
