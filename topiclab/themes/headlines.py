"""Headline-like theme titles: the span of a typical headline that names the theme.

A keyword title ("Canada, trade and Carney") lists the words a model found; a person
names the subject ("Canadian PM's visit to China ... trade"). :func:`make_headline` finds,
in the headlines of a theme's most typical articles and in the sentences of its most
central passages, the shortest stretch of text that covers most of the theme's keywords,
and uses it as the title:

1. **Sources**, in order: the titles of the theme's most typical documents (a headline
   was written by a person to name the article), then the sentences of its most central
   passages.
2. **Spans**: every run of 2 to :data:`MAX_WORDS` words that starts and ends on a keyword
   word and crosses no bracket, colon or sentence end; in English it does not end on a
   possessive ("Pass Bill Biden's"), which needs the noun after it, unless a keyword is
   written so ("McDonald's"). In a passage sentence the words
   inside must be keyword words or short connectors ("at the", "of", "and"), so the span
   is a phrase of the theme, not a clause; a headline may hold any words.
3. **Score**: each keyword whose words all occur in the span counts ``1 / (1 + rank)``
   (the best keyword counts most); a span must cover at least two keywords, one of them
   among the first :data:`TOP_KEYWORDS`. Headlines weigh :data:`TITLE_BONUS` times more;
   every word costs :data:`WORD_COST`, so shorter spans win ties. Ties go to the earlier
   source and position: the result is deterministic.
4. The span is shown as written (names keep their case, "Canada–China" its dash), its first
   letter capitalised; trailing punctuation goes.

When no span qualifies, the caller falls back to the keyword title
(:func:`topiclab.themes.labels.make_title`), and the keyword list is always kept beside the
title (``Theme.terms``). Everything is offline and uses only the texts of the run.

Examples
--------
>>> make_headline(
...     ["Canada", "trade", "Carney", "visit"],
...     ["Carney's visit paves way for Canada–China trade ties"],
... )
'Canada–China trade'
>>> make_headline(
...     ["energy storage system", "CIIE", "Toyota"],
...     [],
...     ["Toyota showed its energy storage systems at the CIIE in Shanghai."],
... )
'Energy storage systems at the CIIE'
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from topiclab.features.tokenize import normalize_arabic
from topiclab.themes.labels import _is_adjective

__all__ = ["MAX_WORDS", "TITLE_BONUS", "TOP_KEYWORDS", "WORD_COST", "make_headline", "word_key"]

#: Longest span in words.
MAX_WORDS = 7
#: Weight of a span found in a headline relative to one found in a passage.
TITLE_BONUS = 1.25
#: A title must contain one of the first this many keywords.
TOP_KEYWORDS = 3
#: Score lost per word of the span.
WORD_COST = 0.1
#: Longest title in characters.
MAX_CHARS = 56

# Connectors allowed inside a span taken from a passage sentence.
_CONNECT_EN = frozenset("a an and at by for from in into of on the to with 's s vs".split())
_CONNECT_AR = frozenset("في من على إلى الى مع و عن".split())
# Words a title must not start or end with even when a keyword holds them.
_EDGE_STOP = frozenset("a an and at by for from in into of on or the to with".split())

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_BREAK = re.compile(r"[()\[\]{}:;!?|•…\"“”«»]|\.(?:\s|$)|\s(?:--?|[–—])\s")
_COMMA = re.compile(r",|،")
_HAN = re.compile(r"[\u3400-\u9fff]")
_POSSESSIVE = re.compile(r"['’]s$", re.IGNORECASE)
_AR_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال")


def word_key(word: str, lang: str = "en") -> str:
    """Return the matching key of one written word: case and plurals folded.

    Arabic drops its article and one conjunction or preposition and is normalised
    (:func:`topiclab.features.tokenize.normalize_arabic`).

    Examples
    --------
    >>> word_key("Systems"), word_key("والصين", "ar")
    ('system', 'صين')
    """
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    if re.search(r"[\u0600-\u06ff]", w):
        w = normalize_arabic(w)
        for prefix in _AR_PREFIXES:
            if w.startswith(prefix) and len(w) - len(prefix) >= 2:
                return w[len(prefix) :]
        if w[:1] in ("و", "ب", "ل", "ف") and len(w) > 4:
            return w[1:]
        return w
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def _keys(term: str, lang: str) -> tuple[str, ...]:
    return tuple(word_key(w, lang) for w in _WORD.findall(term))


def _segments(text: str, *, title: bool) -> list[str]:
    """Split text where a title must not cross (lines, brackets, colons, sentence ends)."""
    parts = [q for line in str(text).splitlines() for q in _BREAK.split(" ".join(line.split()))]
    if not title:
        parts = [q for p in parts for q in _COMMA.split(p)]
    return [p.strip() for p in parts if p and p.strip()]


def make_headline(
    keywords: Sequence[str],
    titles: Sequence[str] = (),
    passages: Sequence[str] = (),
    *,
    lang: str = "en",
    anchors: Sequence[str] | None = None,
    max_chars: int = MAX_CHARS,
) -> str:
    """Return the span of a typical headline or passage that best names a theme.

    Parameters
    ----------
    keywords : sequence of str
        The theme's keywords in one language, best first, as written (filler removed).
    titles : sequence of str
        Headlines of the theme's most typical documents, most typical first.
    passages : sequence of str
        Texts of the theme's most central passages, most central first.
    lang : str, default="en"
        Language of the keywords and texts (``"zh"``: spans are cut between characters).
    anchors : sequence of str, optional
        The keywords a title must name: a span must cover two of them (or the only one,
        plus another keyword), the first of them always. Default: the first
        :data:`TOP_KEYWORDS` keywords (any two). The labels pass the items of the keyword
        title, whose first item is the theme's most characteristic keyword, so a headline
        names what the keyword title names, and what it leads with.
    max_chars : int, default=MAX_CHARS
        Longest title in characters.

    Returns
    -------
    str
        The title, or ``""`` when no span covers two keywords.
    """
    kws = [k for k in keywords if k and k.strip()]
    if len(kws) < 2:
        return ""
    anchor_list = list(anchors if anchors is not None else kws[:TOP_KEYWORDS])
    anchor_set = set(anchor_list)
    kws = kws[:10]
    kws += [a for a in anchor_list if a not in kws]
    must = [i for i, k in enumerate(kws) if k in anchor_set]
    need = min(2, len(must))
    # the title's first item is the word that characterises the theme: a span names it
    lead = kws.index(anchor_list[0]) if anchors is not None and anchor_list else None
    if lang == "zh" or any(_HAN.search(k) for k in kws[:3]):
        return _headline_zh(kws, must, need, titles, passages, max_chars, lead)
    kw_keys = [(i, set(_keys(k, lang))) for i, k in enumerate(kws)]
    kw_keys = [(i, ks) for i, ks in kw_keys if ks]
    vocab = set().union(*(ks for _i, ks in kw_keys)) - _EDGE_STOP if kw_keys else set()
    connect = _CONNECT_AR if lang == "ar" else _CONNECT_EN
    # possessives a keyword is written with may end a span ("McDonald's")
    owned = {w.lower() for k in kws for w in _WORD.findall(k) if _POSSESSIVE.search(w)}
    best: tuple[float, int, int, str] | None = None
    sources = [(t, True) for t in titles if t] + [(p, False) for p in passages if p]
    for order, (text, is_title) in enumerate(sources):
        for seg in _segments(text, title=is_title):
            words = list(_WORD.finditer(seg))
            keys = [word_key(m.group(0), lang) for m in words]
            for a in range(len(words)):
                if keys[a] not in vocab:
                    continue
                for b in range(a + 1, min(len(words), a + MAX_WORDS)):
                    if keys[b] not in vocab:
                        if not (is_title or _joins(words[b].group(0), keys[b], connect, lang)):
                            break
                        continue
                    span = seg[words[a].start() : words[b].end()]
                    if len(span) > max_chars:
                        break
                    last = words[b].group(0)
                    if lang == "en" and _POSSESSIVE.search(last) and last.lower() not in owned:
                        continue  # "Bill Biden's": the noun it owns is outside
                    inside = set(keys[a : b + 1])
                    covered = [i for i, ks in kw_keys if ks <= inside]
                    nouns = [i for i in covered if not _is_adjective(kws[i], lang)]
                    if len(nouns) < 2 or sum(i in must for i in covered) < need:
                        continue
                    if lead is not None and lead not in covered:
                        continue
                    score = sum(1.0 / (1 + i) for i in covered)
                    score = score * (TITLE_BONUS if is_title else 1.0) - WORD_COST * (b - a + 1)
                    cand = (-score, order, words[a].start(), span)
                    if best is None or cand < best:
                        best = cand
    if best is None:
        return ""
    return _finish(_natural_case(best[3], kws, lang))


def _joins(word: str, key: str, connect: frozenset[str], lang: str) -> bool:
    """Whether a non-keyword word may sit inside a span taken from a passage."""
    return key in connect or word.lower() in connect or (lang != "ar" and word[:1].isupper())


def _natural_case(span: str, keywords: Sequence[str], lang: str) -> str:
    """Write a headline typed in capitals in natural case ("CONTROLLERS FOR MFM DRIVES").

    Words written in capitals among the keywords ("NASA", "MFM") and words of up to three
    letters that are not connectors (likely acronyms) keep their capitals; the others
    are lower-cased (the first letter is capitalised later).
    """
    words = _WORD.findall(span)
    letters = [w for w in words if any(c.isalpha() for c in w)]
    if len([w for w in letters if len(w) > 3]) < 2 or any(not w.isupper() for w in letters):
        return span
    upper = {word_key(w, lang) for k in keywords for w in _WORD.findall(k) if w.isupper()}

    def case(m: re.Match[str]) -> str:
        w = m.group(0)
        if word_key(w, lang) in upper or (len(w) <= 3 and w.lower() not in _CONNECT_EN):
            return w
        return w.lower()

    return _WORD.sub(case, span)


_QUOTE_MARK = re.compile(r"(?<![^\W\d_])['’]|['’](?![^\W\d_])")


def _unpaired_quotes(span: str) -> str:
    """Drop quotation marks a span cut in half ("Identity' on the internet").

    Apostrophes inside words ("O'Reilly", "PM's") stay; quotation marks stay in pairs.
    """
    if len(_QUOTE_MARK.findall(span)) % 2:
        span = _QUOTE_MARK.sub("", span)
    if span.count('"') % 2:
        span = span.replace('"', "")
    if span.count("“") != span.count("”"):
        span = span.replace("“", "").replace("”", "")
    return span


def _finish(span: str) -> str:
    span = _unpaired_quotes(span).strip(" ,،;:-–—'\"")
    if span[:1].isalpha() and span[:1].islower():
        span = span[0].upper() + span[1:]
    return span


def _headline_zh(
    kws: list[str],
    must: list[int],
    need: int,
    titles: Sequence[str],
    passages: Sequence[str],
    max_chars: int,
    lead: int | None = None,
) -> str:
    """Chinese: the shortest clause of a headline or passage holding two keywords."""
    limit = min(max_chars, 20)
    best: tuple[float, int, int, str] | None = None
    sources = [(t, True) for t in titles if t] + [(p, False) for p in passages if p]
    top = kws
    for order, (text, is_title) in enumerate(sources):
        for clause in re.split(r"[，。！？；：、,.!?;:（）()《》“”\s]+", str(text)):
            if not clause:
                continue
            hits = [(clause.find(k), i, k) for i, k in enumerate(top) if k in clause]
            if len(hits) < 2:
                continue
            for s, _i, _k in hits:
                for e_s, _j, e_k in hits:
                    end = e_s + len(e_k)
                    if end - s < 2 or end - s > limit or e_s < s:
                        continue
                    span = clause[s:end]
                    covered = [i for _p, i, k in hits if k in span]
                    if len(covered) < 2 or sum(i in must for i in covered) < need:
                        continue
                    if lead is not None and lead not in covered:
                        continue
                    score = sum(1.0 / (1 + i) for i in covered)
                    score = score * (TITLE_BONUS if is_title else 1.0) - WORD_COST * len(span) / 2
                    cand = (-score, order, s, span)
                    if best is None or cand < best:
                        best = cand
    return "" if best is None else best[3]
