"""Wire-service residue in scraped news: escaped markup, agency credits and datelines.

News that went through a wire service or a feed carries text that names no subject but
is repeated on every story: the agency's credit in the headline (``... (AP)``,
``... (Reuters)``), again at the start of the body (``AP - ``, ``Canadian Press - ``),
the dateline of the bureau that filed it (``NEW YORK (Reuters) - ``,
``SAN FRANCISCO (AP) -- ``, ``LANGLEY, B.C. (CP) - ``), and markup that a feed escaped
once too often (``&lt;A HREF="..."&gt;SPLS.O&lt;/A&gt;``, ``&amp;quot;``, or entities
whose ``&`` was lost: ``Sun #39;s``, `` quot;phone sex quot;``). Left in, they become
the most frequent "terms" of whole themes ("Reuters Reuters", "New York Reuters",
"HREF target stocks quickinfo").

Rules, each logged in the cleaning audit log:

* **Markup** (:func:`repair_markup`): HTML entities are decoded, twice escaped ones too,
  and so are entities that lost their ``&`` (``#39;``, ``quot;``, ``amp;``, ``lt;``,
  ``gt;``) when they stand alone; then HTML tags of a known name (``<a ...>``, ``<b>``,
  ``<font ...>``) are removed, keeping their text, and market instrument codes in angle
  brackets (``<TXN.N>``, ``<.DJI>``), with the links whose text is such a code, are
  removed whole.
* **Credits**: a bracketed credit ending a headline (``(AP)``, ``(SPACE.com)``,
  ``(Update2)``) goes to metadata when it names a news agency (:data:`AGENCIES`), a web
  site (a domain name), a revision (``UpdateN``), or the credit that opens the body; a
  credit opening the body (``AP - ``, ``(Sports Network) - ``) under the same
  conditions.
* **Wire datelines** (:func:`strip_lead`): a place written in capitals (one to four
  words), then a region (``, Afghanistan``), a date (``, Aug. 17``) or an agency in
  brackets (``(Reuters)``), then a dash, opening a paragraph: the bureau that filed the
  story, not its subject. The place goes to metadata (``dateline``), the agency to
  ``source``. A bare place and a dash is a dateline after an agency credit
  (``SPACE.com - TORONTO -- ``), and also without one when it can only be a place
  opening a sentence (``NEW YORK - Stocks rose``, ``WASHINGTON -- The Senate ...``):
  one to three words of letters, a lone word of at least five letters (``NASA - ...``
  and ``EU - ...`` stay), no word that names a kind of item (``UPDATE``, ``WARNING``),
  and a sentence after the dash (a capitalised word in lower case: ``CHINA - GERMANY
  TALKS`` and ``NASA - the agency ...`` stay). A byline in front of a dateline (``By
  MICHAEL LIEDTKE SAN FRANCISCO (AP) --``) goes with it.

Only the first two body lines of an article are examined (a headline and its first
paragraph), so a dash inside the text is never touched, and cleaning a cleaned text
changes nothing.

Examples
--------
>>> strip_lead("NEW YORK (Reuters) - Stocks rose on Monday.")
('Stocks rose on Monday.', {'dateline': 'NEW YORK', 'source': 'Reuters'})
>>> strip_title_credit("Prediction Unit Helps Forecast Wildfires (AP)")
('Prediction Unit Helps Forecast Wildfires', 'AP')
>>> repair_markup("Staples Inc. &lt;SPLS.O&gt; said Sun #39;s profit rose")[0]
"Staples Inc. said Sun's profit rose"
"""

from __future__ import annotations

import html
import re
from typing import Any

from topiclab.ingest._lines import BODY, Line, ends_sentence, is_title_like, log_entry

__all__ = [
    "AGENCIES",
    "clean_title",
    "is_credit",
    "is_revision",
    "repair_markup",
    "strip_lead",
    "strip_title_credit",
    "strip_wire_lines",
]

STEP = "wire"

#: News agencies and syndication services whose name is a credit, not a subject
#: (compared case-folded, spacing normalised).
AGENCIES = frozenset(
    " ".join(name.casefold().split())
    for name in """
    ap|associated press|reuters|reuters health|afp|agence france-presse|agence france presse
    |canadian press|cp|upi|united press international|xinhua|xinhuanet|xinhua news agency
    |bloomberg|bloomberg news|dpa|deutsche presse-agentur|kyodo|kyodo news|jiji press
    |yonhap|ansa|efe|press association|pa media|aap|australian associated press|nzpa|ians
    |pti|press trust of india|itar-tass|ria novosti|interfax|anadolu agency|wam
    |saudi press agency|kuna|qna|irna|bernama|central news agency|europa press|lusa
    |prensa latina|notimex|the sports network|sports network|cbs.mw|cbs marketwatch
    |cnn/money|newsfactor|healthday|healthday news|knight ridder|cox news service
    |scripps howard news service|inter press service|rfe/rl
    |中新社|新华社|中新网|人民网|央视新闻|واس|وكالة الأنباء السعودية|وام|رويترز|أ ف ب|د ب أ
    """.replace("\n", "").split("|")
    if name.strip()
)

_DOMAIN = re.compile(
    r"^(?:www\.)?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)*"
    r"\.(?:com|net|org|info|biz|co\.uk|co|gov|edu|int|io|news|tv|cn|uk|ca|au|de|fr|in)$",
    re.IGNORECASE,
)
_REVISION = re.compile(r"^update\s?\d{1,2}$", re.IGNORECASE)
_DASH = r"(?:-{1,2}|–|—)"


def _fold(name: str) -> str:
    return " ".join(name.casefold().split()).strip(" .")


def is_credit(name: str, confirmed: tuple[str, ...] = ()) -> bool:
    """Whether ``name`` credits a source: an agency, a web site, or a confirmed credit.

    Examples
    --------
    >>> is_credit("Reuters"), is_credit("SPACE.com"), is_credit("Toyota")
    (True, True, False)
    >>> is_credit("PC World", confirmed=("PC World",))
    True
    """
    key = _fold(name)
    if not key:
        return False
    return key in AGENCIES or bool(_DOMAIN.match(key)) or key in {_fold(c) for c in confirmed if c}


# ----------------------------------------------------------------------------- markup
_LOST_AMP = re.compile(r"(?<![&\w#;])(#\d{2,6}|#x[0-9a-fA-F]{2,5}|quot|amp|lt|gt|apos|nbsp);")
_LOST_APOSTROPHE = re.compile(r"(?<=\w) ?(?<![&\w#])#(?:39|146|8217);(?=\w)")
_ENTITY = re.compile(r"&(?:#\d{2,6}|#x[0-9a-fA-F]{2,5}|[A-Za-z][A-Za-z0-9]{1,7});")
_TAG_NAMES = (
    "a|abbr|b|big|blockquote|br|center|cite|code|div|em|font|h[1-6]|hr|i|img|li|ol|p|pre|q"
    "|s|small|span|strike|strong|sub|sup|table|tbody|td|th|tr|tt|u|ul"
)
_TAG = re.compile(rf"</?(?:{_TAG_NAMES})(?:\s[^<>]{{0,500}})?\s*/?>", re.IGNORECASE)
_CODE = r"(?:[A-Z0-9]{1,8}\.[A-Z]{1,3}|\.[A-Z]{2,6}|0#[A-Z0-9.]{1,12})"
#: a link whose text is an instrument code, or a bare code in angle brackets
_INSTRUMENT = re.compile(
    rf"\s?(?:<a\s[^<>]{{0,500}}>\s*{_CODE}\s*</a>|<{_CODE}>)", re.IGNORECASE | re.ASCII
)
_SPACE_BEFORE_PUNCT = re.compile(r" +(?=[,.;:])")


def repair_markup(text: str) -> tuple[str, list[str]]:
    """Decode escaped markup and remove tags and instrument codes left in plain text.

    Returns
    -------
    text : str
        The repaired text.
    done : list of str
        What was repaired (``"entities"``, ``"lost_ampersands"``, ``"instrument_codes"``,
        ``"tags"``); empty when nothing was.

    Examples
    --------
    >>> repair_markup("AT&amp;amp;T said &quot;no&quot;")
    ('AT&T said "no"', ['entities'])
    >>> repair_markup("x < y and <b>bold</b> text")
    ('x < y and bold text', ['tags'])
    """
    done: list[str] = []
    if "#" in text or ";" in text:
        new = _LOST_APOSTROPHE.sub("'", text)
        new = _LOST_AMP.sub(r"&\1;", new)
        if new != text:
            done.append("lost_ampersands")
            text = new
    for _ in range(3):  # entities escaped twice or three times (&amp;lt;)
        if not _ENTITY.search(text):
            break
        new = html.unescape(text)
        if new == text:
            break
        if "entities" not in done:
            done.append("entities")
        text = new
    if "<" in text:
        new = _INSTRUMENT.sub("", text)
        if new != text:
            done.append("instrument_codes")
            text = new
        new = _TAG.sub("", text)
        if new != text:
            done.append("tags")
            text = new
        if done and done[-1] in ("instrument_codes", "tags"):
            text = _SPACE_BEFORE_PUNCT.sub("", text)
    return text, done


# ---------------------------------------------------------------- credits and datelines
_TITLE_CREDIT = re.compile(r"\s*\((?P<src>[^()\n]{1,40})\)\s*$")
_LEAD_CREDIT = re.compile(
    rf"^(?:\((?P<b>[^()\n]{{1,40}})\)|(?P<src>[^\W\d_][\w.&'’/ -]{{0,38}}?))\s+{_DASH}\s+(?=\S)"
)
_CAPS = r"(?:[A-Z][A-Z.'’]*[A-Z.]|[A-Z]\.)(?:-[A-Z][A-Z.'’]*)*"
_REGION = r"[A-Z][\w.'’]*(?:-[\w.'’]+)*(?:\s+[A-Z][\w.'’]*){0,2}"
_SHORT_DATE = (
    r"(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:,\s+\d{4})?|\d{1,2}\s+[A-Z][a-z]{2,8}\.?(?:\s+\d{4})?)"
)
_DATELINE = re.compile(
    rf"^(?P<place>{_CAPS}(?:\s+{_CAPS}){{0,3}})"
    rf"(?:,\s+(?P<region>{_REGION}))??"
    rf"(?:,\s+(?P<date>{_SHORT_DATE}))?"
    rf"(?:\s*\((?P<src>[^()\n]{{1,30}})\))?"
    rf"\s+{_DASH}\s+(?=\S)"
)
_BYLINE = re.compile(r"^By\s+(?=[A-Z])")


def is_revision(credit: str) -> bool:
    """Whether a bracketed headline mark is a revision number (``Update2``), not a source."""
    return bool(_REVISION.match(credit.strip()))


def strip_title_credit(title: str, confirmed: tuple[str, ...] = ()) -> tuple[str, str | None]:
    """Remove a bracketed credit that ends a headline.

    Parameters
    ----------
    title : str
        A headline.
    confirmed : tuple of str
        Credits known from elsewhere (the one that opens the body).

    Returns
    -------
    title, credit : str, str or None
        The headline without the credit, and the credit (``None`` when there was none).

    Examples
    --------
    >>> strip_title_credit("IBM Revamps Servers (Update2)")
    ('IBM Revamps Servers', 'Update2')
    >>> strip_title_credit("Talks with Iran (and survived)")
    ('Talks with Iran (and survived)', None)
    """
    m = _TITLE_CREDIT.search(title)
    if not m or m.start() == 0:
        return title, None
    src = m.group("src").strip()
    if _REVISION.match(src) or is_credit(src, confirmed):
        return title[: m.start()].rstrip(), src
    return title, None


def _dateline(text: str, after_credit: bool = False) -> tuple[str, dict[str, str]] | None:
    m = _DATELINE.match(text)
    if not m:
        return None
    place = m.group("place")
    if is_credit(place) and not m.group("src"):
        return None  # a credit, handled by the caller
    marked = m.group("src") or m.group("region") or m.group("date")
    if not (
        marked
        or (after_credit and sum(c.isalpha() for c in place) >= 3)
        or _bare_dateline(place, text[m.end() :])
    ):
        return None  # "NASA - the agency ...": not a bureau's dateline; it stays
    meta = {"dateline": place + (f", {m.group('region')}" if m.group("region") else "")}
    if m.group("src") and is_credit(m.group("src").strip()):
        meta["source"] = m.group("src").strip()
    elif m.group("src") and not re.fullmatch(r"[A-Z]{2,6}", m.group("src").strip()):
        return None  # "(Toyota) -" is not an agency's mark
    elif m.group("src"):
        meta["source"] = m.group("src").strip()
    return text[m.end() :], meta


#: Words in capitals that open a paragraph with a dash but name no place.
NOT_PLACES = frozenset(
    """
    update updated breaking urgent warning note editor correction corrected analysis
    commentary exclusive review interview photo photos video opinion feature preview
    recap advisory alert bulletin flash developing live summary transcript sponsored
    question questions answer answers help wanted request reminder announcement reply
    response result results notice information info warning caution attention important
    """.split()
)
_SENTENCE_START = re.compile(r"^(?:[A-Z][a-z’']+|A|I),?\s+\S")


def _bare_dateline(place: str, rest: str) -> bool:
    """Whether a place in capitals and a dash, with no agency, is a bureau's dateline.

    ``NEW YORK - Stocks rose``, ``WASHINGTON -- The Senate voted``: the place is one to
    three words of letters, a single word of at least five (so an acronym such as
    ``NASA`` or ``EU`` is not taken for a place) and not a word that marks a kind of
    item (``UPDATE``, ``WARNING``: :data:`NOT_PLACES`); the text after the dash starts
    as a sentence does (a capitalised word followed by lower case), not as a headline in
    capitals or a clause in lower case.
    """
    words = place.split()
    if not 1 <= len(words) <= 3 or not all(w.replace(".", "").isalpha() for w in words):
        return False
    if len(words) == 1 and (len(place) < 5 or place.casefold() in NOT_PLACES):
        return False
    if any(w.casefold() in NOT_PLACES for w in words):
        return False
    return bool(_SENTENCE_START.match(rest))


def strip_lead(text: str, confirmed: tuple[str, ...] = ()) -> tuple[str, dict[str, str]]:
    """Remove the credits, byline and dateline that open a paragraph.

    Parameters
    ----------
    text : str
        The paragraph (one line).
    confirmed : tuple of str
        Credits known from elsewhere (e.g. the headline's).

    Returns
    -------
    text, meta : str, dict
        The paragraph without them, and what they said (``source``, ``dateline``,
        ``author``); ``meta`` is empty and ``text`` unchanged when nothing opened it.

    Examples
    --------
    >>> strip_lead("Canadian Press - VANCOUVER (CP) - The sister of a man ...")
    ('The sister of a man ...', {'source': 'Canadian Press', 'dateline': 'VANCOUVER'})
    >>> strip_lead("KABUL, Afghanistan - Gunmen attacked a convoy.")[1]
    {'dateline': 'KABUL, Afghanistan'}
    >>> strip_lead("NASA - the agency said on Monday.")[1]
    {}
    """
    meta: dict[str, str] = {}
    for _ in range(3):
        m = _LEAD_CREDIT.match(text)
        src = (m.group("b") or m.group("src")) if m else None
        if m and src and is_credit(src.strip(), confirmed):
            meta.setdefault("source", src.strip())
            text = text[m.end() :]
            continue
        found = _dateline(text, after_credit="source" in meta)
        if found is None and _BYLINE.match(text):
            found = _byline_dateline(text)
        if found is None:
            break
        text, more = found
        for k, v in more.items():
            meta.setdefault(k, v)
    return text, meta


def _byline_dateline(text: str) -> tuple[str, dict[str, str]] | None:
    """``By NAME PLACE (AGENCY) -- text``: the byline goes with the dateline after it."""
    rest = _BYLINE.sub("", text, count=1)
    parts = rest.split(" ")
    for n in (2, 3, 1, 4):
        name = parts[:n]
        if len(parts) <= n or not all(w[:1].isupper() for w in name):
            continue
        found = _dateline(" ".join(parts[n:]))
        if found is not None:
            body, meta = found
            meta["author"] = " ".join(name)
            return body, meta
    return None


def strip_wire_lines(lines: list[Line], log: list[dict[str, Any]]) -> dict[str, str]:
    """Remove credits and datelines from the first body lines of an article.

    The first body line loses a headline credit when it is title-like; it and the line
    after it (when the first is a headline) lose the credits, byline and dateline that
    open them (a headline only when they name an agency: a dash in a headline is not a
    dateline). The lines are rewritten in place.

    Returns
    -------
    dict
        ``source``, ``dateline``, ``author`` as found (first found wins).
    """
    body = [ln for ln in lines if ln.role == BODY][:2]
    if not body:
        return {}
    meta: dict[str, str] = {}
    first = body[0]
    heading = is_title_like(first.text) and not ends_sentence(first.text)
    targets = body if heading and len(body) > 1 else body[:1]
    # a credit that opens the paragraph confirms the same credit ending the headline
    opening = _LEAD_CREDIT.match(targets[-1].text) if len(targets) > 1 else None
    confirmed = tuple(s.strip() for s in (opening.groups() if opening else ()) if s)
    by_title: tuple[str, ...] = ()  # the body's credit counts when the headline ends with it
    if heading:
        new, credit = strip_title_credit(first.text, confirmed)
        if credit is not None:
            log.append(
                log_entry(
                    STEP,
                    "remove_title_credit",
                    "agency or site credit ending the headline",
                    line=first.no,
                    removed=f"({credit})",
                )
            )
            first.text = new
            if not _REVISION.match(credit):
                meta["source"] = credit
                by_title = (credit,)
    for ln in targets:
        new, found = strip_lead(ln.text, by_title)
        if not found or not new.strip():
            continue
        if ln is first and len(targets) > 1 and "source" not in found:
            continue  # "CHINA - GERMANY TALKS": a headline's dash, unless an agency is named
        log.append(
            log_entry(
                STEP,
                "remove_credit_dateline",
                "agency credit, byline or wire dateline opening the text",
                line=ln.no,
                removed=ln.text[: len(ln.text) - len(new)].strip(),
                metadata=dict(found),
            )
        )
        ln.text = new
        for k, v in found.items():
            meta.setdefault(k, v)
    return meta


def clean_title(title: str) -> str:
    """Repair the markup of a headline given with a record and drop its credit.

    Examples
    --------
    >>> clean_title("Sun #39;s Looking Glass Provides 3D View (AP)")
    "Sun's Looking Glass Provides 3D View"
    """
    text, _ = repair_markup(title)
    text, _ = strip_title_credit(" ".join(text.split()))
    return text
