"""Find boilerplate lines: navigation, share bars, trailers, follow-us lines, sign-offs.

Two kinds of evidence are combined, so that the rules carry over to sites never
seen before:

* **patterns** of what page furniture says, in English, Arabic and Chinese
  (``Skip to content``, ``Recommended Articles``, ``Follow us on``,
  ``تابعونا على``, ``اقرأ أيضاً``, ``نتمنى لكم يوماً مشمساً!``, ``责任编辑``,
  ``All rights reserved``...), anchored to the start of short lines so that a
  sentence that merely mentions "follow" or "share" is kept;
* **structure**: lines made only of navigation/share words (``Facebook Twitter
  Email Print``), lines with no letters at all (``* * *``, ``-----``), short
  lines repeated within the document (a section name such as ``China`` printed
  three times), and the list of link titles that follows a trailer heading
  such as ``Related stories``.

A line is only ever removed whole, and only when it carries no sentence: a
short real paragraph ("The company declined to comment.") is never matched.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from topiclab.ingest._lines import (
    BODY,
    Line,
    ends_sentence,
    has_letters,
    is_title_like,
    key,
    log_entry,
    standalone,
    words,
)

STEP = "boilerplate"

#: Words that make up navigation and share bars.
NAV_WORDS = frozenset(
    """
    skip to content main navigation menu search home homepage share shares sharing tweet
    facebook twitter x whatsapp linkedin linked-in telegram reddit pinterest instagram youtube
    tiktok weibo wechat email e-mail mail print copy link url comment comments feature featured
    image images photo photos video videos gallery audio listen close open log login logout sign
    in up out register subscribe subscribed newsletter rss feed back top next previous prev
    font size a+ a- text more less toggle options app download follow like us on via the and
    or of advertisement advertising ad ads sponsored cookie cookies accept settings privacy
    policy terms contact about help faq sitemap
    شارك شاركها مشاركة تويتر فيسبوك فيس بوك واتساب واتس اب تيليجرام تلغرام لينكدإن انستغرام
    يوتيوب طباعة البريد الإلكتروني نسخ الرابط الرئيسية بحث القائمة إعلان اعلان
    分享 分享到 微信 微博 朋友圈 打印 评论 收藏 返回 首页 顶部 搜索 登录 注册 广告
    """.split()
)

_EN_PATTERNS = [
    r"skip\s+to\s+(?:main\s+)?(?:content|navigation|search)\b",
    r"(?:recommended|related|popular|trending|latest|top|featured|more|similar|suggested)"
    r"(?:\s+(?:articles?|stories|story|news|posts?|reads?|content|videos?|headlines|topics))\s*:?$",
    r"(?:most\s+(?:read|popular|viewed|shared)|editor'?s?\s+picks?|you\s+(?:may|might)\s+also\s+like"
    r"|read\s+(?:more|also|next)|see\s+also|further\s+reading|also\s+read|don'?t\s+miss"
    r"|more\s+(?:from|on|in)\b.{0,40})\s*:?$",
    r"(?:follow|like|find|join|connect\s+with)\s+us\b",
    r"(?:subscribe|sign\s+up|register)\b.{0,60}\b(?:newsletter|updates|alerts|channel)\b",
    r"(?:©|\(c\)|copyright\b).{0,120}$",
    r".{0,80}\ball\s+rights\s+reserved\b.{0,40}$",
    r"click\s+here\b",
    r"(?:share|tweet|email|print)\s+(?:this|the)\s+(?:article|story|page|post)\b.{0,30}$",
    r"(?:advertisement|sponsored(?:\s+content)?|scroll\s+to\s+continue.*|loading\.*)$",
    r"(?:download|get)\s+(?:our|the)\s+(?:\w+\s+){0,2}app\b.{0,40}$",
    r"(?:tags?|keywords?|topics?|filed\s+under)\s*:.{0,150}$",
    r"(?:photo|image|picture)\s*(?:credit)?\s*:.{0,80}$",
    r"(?:have\s+a\s+(?:nice|great|good|sunny|wonderful)\s+(?:day|week|weekend))\s*[!.]*$",
    r"(?:print|e-?mail)\s*$",
]
_AR_PATTERNS = [
    r"تابعونا\b",
    r"تابع(?:وا|ي)?\s+.{0,40}(?:على|عبر)\s+(?:فيس|تويتر|انستغرام|إنستغرام|تيليجرام|تلغرام|لينكد|يوتيوب|قناتنا|صفحتنا)",
    r"(?:اقرأ|إقرأ|اقرا)\s+(?:أيضا|أيضاً|ايضا|ايضاً|المزيد)",
    r"(?:مقالات|أخبار|اخبار|مواضيع|مواد)\s+(?:ذات\s+صلة|متعلقة|مشابهة|مقترحة)\s*:?$",
    r"(?:شارك|مشاركة)(?:\s+(?:المقال|الخبر|على|عبر))?\s*:?$",
    r".{0,60}جميع\s+الحقوق\s+محفوظة.{0,40}$",
    r"(?:اشترك|إشترك|اشتركوا)\b.{0,60}(?:النشرة|القناة|قناتنا)",
    r"نتمنى\s+لكم\s+.{0,30}$",
    r"(?:الكلمات\s+المفتاحية|كلمات\s+دلالية|الوسوم|وسوم)\s*:.{0,150}$",
    r"(?:إعلان|اعلان)\s*$",
]
_ZH_PATTERNS = [
    r"(?:责任编辑|編輯|编辑|责编)\s*[:：].{0,30}$",
    r"(?:分享到|扫一扫|扫描二维码|关注我们|关注微信|版权所有|相关阅读|相关新闻|推荐阅读|延伸阅读|热门推荐|点击(?:查看|进入|阅读))",
    r"(?:返回(?:首页|顶部|搜狐))",
]
_PATTERN = re.compile(
    "|".join(
        f"(?P<{lang}>{'|'.join(f'(?:{p})' for p in group)})"
        for lang, group in (("en", _EN_PATTERNS), ("ar", _AR_PATTERNS), ("zh", _ZH_PATTERNS))
    ),
    re.IGNORECASE,
)
_TRAILER = re.compile(
    r"^(?:(?:recommended|related|popular|trending|latest|more|similar|suggested)\s+"
    r"(?:articles?|stories|news|posts|reads|content|videos|headlines)|most\s+(?:read|popular|viewed)"
    r"|you\s+(?:may|might)\s+also\s+like|read\s+(?:more|next|also)|see\s+also|further\s+reading"
    r"|(?:مقالات|أخبار|اخبار|مواضيع)\s+(?:ذات\s+صلة|متعلقة|مشابهة)|(?:اقرأ|إقرأ)\s+(?:أيضا|أيضاً|ايضا)"
    r"|相关阅读|相关新闻|推荐阅读|延伸阅读)\s*:?$",
    re.IGNORECASE,
)
#: Navigation words that are also ordinary function words; they do not count as evidence.
_WEAK = frozenset(
    "to the and or of on in up us via out more less like open close back top next text size "
    "a+ a- content main sign log feed app help about home".split()
)
#: Lines longer than this are prose, whatever words they contain.
MAX_CHARS = 200


def pattern_reason(text: str) -> str | None:
    """Why ``text`` is boilerplate by pattern, or None.

    Examples
    --------
    >>> pattern_reason("Skip to Content Facebook Feature Image")
    'navigation/share pattern (en)'
    >>> pattern_reason("The company declined to comment.") is None
    True
    """
    if len(text) > MAX_CHARS:
        return None
    m = _PATTERN.match(text)
    return f"navigation/share pattern ({m.lastgroup})" if m else None


def structure_reason(text: str) -> str | None:
    """Why ``text`` is boilerplate by its make-up alone, or None."""
    if len(text) > MAX_CHARS:
        return None
    if not has_letters(text):
        return None if any(c.isdigit() for c in text) else "no words"
    if text.count(" ") > 14 or ends_sentence(text):
        return None
    toks = [t.casefold() for t in re.split(r"[\s|•·»›/\\,;]+", text) if t]
    if toks and len(toks) <= 12 and not ends_sentence(text):
        clean = [t.strip(".:()[]") for t in toks]
        nav = sum(t in NAV_WORDS for t in clean)
        strong = sum(t in NAV_WORDS and t not in _WEAK for t in clean)
        if (nav == len(toks) and strong >= 2) or (strong >= 3 and nav / len(toks) >= 0.75):
            return "navigation/share words only"
    return None


def mark_boilerplate(
    lines: list[Line], log: list[dict[str, Any]], *, keep: set[str] | None = None
) -> int:
    """Give role ``"boilerplate"`` to boilerplate lines and log each; returns how many.

    Parameters
    ----------
    lines : list of Line
        The document; only ``"body"`` lines are examined.
    log : list of dict
        The cleaning log to append to.
    keep : set of str, optional
        Line keys (see :func:`~topiclab.ingest._lines.key`) never to remove,
        e.g. the headline.
    """
    keep = keep or set()
    body = [ln for ln in lines if ln.role == BODY]
    alone = {ln.no for i, ln in enumerate(lines) if ln.role == BODY and standalone(lines, i)}
    counts = Counter(key(ln.text) for ln in body if len(ln.text) <= 60 and ln.no in alone)
    removed = 0

    def drop(ln: Line, reason: str) -> None:
        nonlocal removed
        ln.role = "boilerplate"
        removed += 1
        log.append(log_entry(STEP, "remove_line", reason, line=ln.no, removed=ln.text))

    in_trailer = False
    for idx, ln in enumerate(body):
        text = ln.text
        k = key(text)
        if k in keep and k:
            in_trailer = False
            continue
        reason = pattern_reason(text) or structure_reason(text)
        if (
            reason is None
            and len(text) <= 60
            and ln.no in alone
            and counts[k] >= 2
            and len(words(text)) <= 3
        ):
            if not ends_sentence(text):
                reason = f"short line repeated {counts[k]} times (site or section name)"
        if reason is None and in_trailer and is_title_like(text):
            nxt = body[idx + 1].text if idx + 1 < len(body) else None
            if nxt is None or is_title_like(nxt):
                reason = "link title in a list of related articles"
        if reason is not None:
            if _TRAILER.match(text):
                in_trailer = True
            drop(ln, reason)
        else:
            in_trailer = False
    return removed
