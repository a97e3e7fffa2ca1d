"""Theme labels a person would write: short titles in natural case from the best phrases.

A label is built from a theme's ranked terms in one language, shown as written (the most
frequent written form of each term, phrases with spaces; see
:meth:`topiclab.features.vectorize.TextVectorizer.display_names`):

1. **Drop words that describe nothing**: English filler (``support``, ``effort``,
   ``development``, ... in :data:`FILLER_EN`) and the terms the corpus-level rule of
   :func:`topiclab.themes.terms.spread_terms` marks (found in every theme at similar
   rates). Stop and function words never reach the terms (see
   :mod:`topiclab.features.tokenize`).
2. **Prefer phrases, then nouns**: of the first eight candidates, multi-word phrases (among
   the first six) come first, then single words, each group in rank order; a lone English adjective
   ("pragmatic", "industrial") only leads when nothing else is left.
3. **Take up to three** in that order, skipping any that shares a word with what is already
   chosen ("energy storage system" makes "storage" redundant), while the title stays short
   (:data:`MAX_CHARS`).
4. **Write it in the language's own way**: English and other Latin-script titles are
   capitalised at the start and joined "A, B and C" (names keep their capitals: "CIIE",
   "Toyota"); Chinese items are joined with "、"; Arabic with "، " and "و".

The method is deterministic and uses nothing but the terms, so a label always agrees with
the terms shown beside it. Labels are made per language for every language a theme has
passages in (``Theme.labels``); the main label (``Theme.label``) is the English one when the
theme has English passages, otherwise the label of its largest language.

Examples
--------
>>> make_title(["energy storage system", "CIIE", "Toyota", "storage"])
'Energy storage system, CIIE and Toyota'
>>> make_title(["储能", "进博会", "丰田"], lang="zh")
'储能、进博会、丰田'
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["FILLER_EN", "MAX_CHARS", "label_names", "make_title", "title_items", "words_of"]

#: Longest title in characters (more items are left to the keyword list).
MAX_CHARS = 48

#: English words that are frequent in news of every subject and name none of them.
FILLER_EN = frozenset(
    """
    able achieve action activity add agree agreed aim area aspect basis begin build
    bring carry case change come comprehensive continue continued create current day
    deepen development different drive effort effective enhance ensure event expand
    fact field focus further future give goal good great grow growth help high hold
    idea important improve include increase issue key kind lead level make major mean
    measure need number open opportunity part place plan play point promote provide
    put question reach really recent role see set show significant start step strong
    strengthen support take thing think time today together use various way work year
    producing produce emphasize emphasise
    """.split()
)
#: Words of time and reporting that news of every subject uses ("night", "yesterday",
#: "said", "announced") and everyday words of forum posts ("lot", "guy", "heard"): they
#: stay in the keyword list but never make a title.
FILLER_EN |= frozenset(
    """
    yesterday tonight tomorrow night morning evening afternoon weekend week month hour
    minute ago earlier later monday tuesday wednesday thursday friday saturday sunday
    say said says told call called announce announced report reported according
    started begin began lot lots stuff guy guys heard hear know knew new old bad real
    sure stay staying went got get
    """.split()
)

# Frequent English adjectives that read badly alone in a title ("Canada, trade and
# pragmatic"); single words with these endings go after the nouns.
_ADJ_SUFFIXES = ("ic", "ical", "ive", "ous", "ful", "able", "ible", "less")
_ADJ_AL = frozenset(
    """
    industrial commercial financial national international regional global local social
    political official traditional federal environmental additional central general annual
    total mutual bilateral multilateral crucial essential special potential original
    personal professional legal natural cultural agricultural educational structural
    operational residential presidential provincial municipal
    """.split()
)

_SPLIT = re.compile(r"[\s_\-–]+")
_LATIN_START = re.compile(r"^[a-z]")


def words_of(term: str) -> set[str]:
    """Lower-case words of a term (split at spaces, ``_`` and hyphens).

    Examples
    --------
    >>> sorted(words_of("Sino-German cooperation"))
    ['cooperation', 'german', 'sino']
    """
    return {w for w in _SPLIT.split(term.lower()) if w}


def _is_filler(term: str, lang: str) -> bool:
    """Whether every word of an English term is filler, plurals included ("opportunities")."""
    if lang not in ("en", "all", "und"):
        return False
    words = words_of(term)
    return bool(words) and all(w in FILLER_EN or _singular_of(w) in FILLER_EN for w in words)


def _singular_of(word: str) -> str:
    """Return the singular of a regular English plural ("opportunities": "opportunity")."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _is_phrase(term: str) -> bool:
    return len(words_of(term)) > 1


def _is_adjective(term: str, lang: str) -> bool:
    if lang not in ("en", "all", "und") or _is_phrase(term):
        return False
    word = term.lower()
    return word in _ADJ_AL or (len(word) > 5 and word.endswith(_ADJ_SUFFIXES))


def _repeats(term: str) -> bool:
    """Whether a phrase repeats a word ("Reuters Reuters", "AP AP": a dateline echo)."""
    words = [w for w in _SPLIT.split(term.lower()) if w]
    return len(words) > 1 and len(set(words)) < len(words)


def _singular_key(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def make_title(
    terms: Sequence[str],
    *,
    lang: str = "en",
    skip: Sequence[str] = (),
    max_items: int = 3,
    max_chars: int = MAX_CHARS,
) -> str:
    """Make a short natural-case title from ranked terms shown as written.

    Parameters
    ----------
    terms : sequence of str
        The theme's terms in one language, best first, in their written form.
    lang : str, default="en"
        Language of the terms (``"zh"`` and ``"ar"`` are joined in their own way).
    skip : sequence of str
        Terms that describe nothing here (e.g. spread evenly over every theme).
    max_items : int, default=3
        Most terms in the title.
    max_chars : int, default=MAX_CHARS
        Longest title; later items are dropped rather than the title cut.

    Returns
    -------
    str
        ``""`` when no term is left.

    Examples
    --------
    >>> make_title(["canada", "trade", "pragmatic", "Carney", "support"], skip=["trade"])
    'Canada and Carney'
    >>> make_title(["تنمية خضراء", "تويوتا", "شنغهاي"], lang="ar")
    'تنمية خضراء، تويوتا وشنغهاي'
    """
    return (
        _join(
            title_items(terms, lang=lang, skip=skip, max_items=max_items, max_chars=max_chars), lang
        )
        if terms
        else ""
    )


def title_items(
    terms: Sequence[str],
    *,
    lang: str = "en",
    skip: Sequence[str] = (),
    max_items: int = 3,
    max_chars: int = MAX_CHARS,
    scores: Sequence[float] | None = None,
    max_words: int | None = None,
) -> list[str]:
    """Return the terms :func:`make_title` joins into a title, in title order.

    Parameters are those of :func:`make_title`, and:

    scores : sequence of float, optional
        How well each term characterises the theme, aligned with ``terms`` (e.g.
        :func:`topiclab.themes.characteristic.label_scores`). Terms scoring 0 (not
        markedly more frequent in the theme than elsewhere) are left out, unless no
        other term is left. The title then takes the terms in score order, phrases scoring at least :data:`LEAD_SHARE` of the best
        term first; a phrase that holds a chosen word and scores at least
        :data:`PHRASE_SHARE` of it stands in for the word ("space shuttle" for
        "shuttle").
    max_words : int, optional
        Leave out phrases of more words (unless nothing else is left): in a large theme a
        long phrase found by its repetitions is mostly a sentence that replies quote
        ("Appressian Soviet Armenia exist"), not a name for the theme.

    Examples
    --------
    >>> title_items(["storage", "energy storage system", "CIIE"])
    ['energy storage system', 'CIIE']
    >>> title_items(["game", "win", "baseball", "pitcher"], scores=[0.2, 0.1, 0.5, 0.3])
    ['baseball', 'pitcher', 'game']
    >>> title_items(["new", "said", "Najaf", "militia"], scores=[0.0, 0.0, 0.9, 0.4])
    ['Najaf', 'militia']
    """
    skipped = {s.lower() for s in skip}
    score_of = dict(zip(terms, scores, strict=False)) if scores is not None else None
    pool = [
        t
        for t in terms
        if t and t.lower() not in skipped and not _is_filler(t, lang) and not _repeats(t)
    ]
    if max_words is not None:
        pool = [t for t in pool if len(_SPLIT.split(t.strip())) <= max_words] or pool
    if score_of is not None:  # words used about as often elsewhere name nothing here
        pool = [t for t in pool if score_of.get(t, 0.0) > 0] or pool
    if not pool:
        pool = [t for t in terms if t]  # better filler than nothing
    if not pool:
        return []
    if score_of is not None:
        pool = _by_score(pool, score_of, lang)
    else:
        pool = pool[:8]
        # Phrases first (they name a subject), then nouns, then lone adjectives; rank within.
        order = sorted(
            range(len(pool)),
            key=lambda i: (not _is_phrase(pool[i]) or i >= 6, _is_adjective(pool[i], lang), i),
        )
        pool = [pool[i] for i in order]
    head = pool[0]
    chosen = [head]
    used = {_singular_key(w) for w in words_of(head)}
    for t in pool:
        if len(chosen) >= max_items:
            break
        keys = {_singular_key(w) for w in words_of(t)}
        if t in chosen or keys & used or _is_adjective(t, lang):
            continue
        if len(_join([*chosen, t], lang)) > max_chars and len(chosen) >= 1:
            continue
        chosen.append(t)
        used |= keys
    return chosen


#: A phrase stands in for a word it holds when it scores at least this share of the word.
PHRASE_SHARE = 0.5
#: A phrase leads a title when it scores at least this share of the best term.
LEAD_SHARE = 1 / 3


def _by_score(pool: list[str], score_of: dict[str, float], lang: str) -> list[str]:
    """Order terms by how well they characterise the theme; phrases stand in for words."""
    top = max((score_of.get(t, 0.0) for t in pool), default=0.0)

    def strong_phrase(term: str) -> bool:  # a phrase nearly as good as the best term
        return _is_phrase(term) and score_of.get(term, 0.0) >= LEAD_SHARE * top

    order = sorted(
        range(len(pool)),
        key=lambda i: (
            not strong_phrase(pool[i]),
            _is_adjective(pool[i], lang),
            -score_of.get(pool[i], 0.0),
            i,
        ),
    )
    out: list[str] = []
    for i in order:
        term = pool[i]
        if not _is_phrase(term):
            keys = {_singular_key(w) for w in words_of(term)}
            best = score_of.get(term, 0.0)
            holders = [
                p
                for p in pool
                if _is_phrase(p)
                and keys <= {_singular_key(w) for w in words_of(p)}
                and score_of.get(p, 0.0) >= PHRASE_SHARE * best
            ]
            if holders:
                term = max(holders, key=lambda p: score_of.get(p, 0.0))
        if term not in out:
            out.append(term)
    return out


def _join(items: list[str], lang: str) -> str:
    if not items:
        return ""
    if lang == "zh":
        return "、".join(items)
    if lang == "ar":
        if len(items) == 1:
            return items[0]
        return "، ".join(items[:-1]) + " و" + items[-1]
    first = items[0]
    if _LATIN_START.match(first):
        first = first[0].upper() + first[1:]
    items = [first, *items[1:]]
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]


_NAME_STOP = frozenset(
    "a an and at by for from in into of on or the to with its their about over".split()
)


def _content_words(text: str) -> set[str]:
    return {
        _singular_of(w)
        for w in re.findall(r"[^\W\d_]+", text.lower())
        if w not in _NAME_STOP and len(w) > 1
    }


def label_names(label: str, name: str, keywords: Sequence[str] = ()) -> bool:
    """Whether a label names a subject: they share a content word (plurals folded).

    The check used to test that labels are interpretable: a theme's label against a
    hand-written name of its subject, or against the name of the majority class of a
    labelled corpus (``"sci.space"`` -> "sci space").

    Parameters
    ----------
    label : str
        A theme label.
    name : str
        The subject's name (words in any separator: spaces, dots, hyphens).
    keywords : sequence of str, optional
        The theme's keyword list, shown beside the label: its words count as the label's
        (the same rule, a shared content word).

    Returns
    -------
    bool

    Examples
    --------
    >>> label_names("Energy storage systems, CIIE and Toyota", "Toyota's energy storage")
    True
    >>> label_names("Canada, trade and Carney", "rec.sport.hockey")
    False
    >>> label_names("Team, Gretzky and playoffs", "rec.sport.hockey", ["NHL", "hockey"])
    True
    >>> label_names("Oil companies", "Business: company earnings")
    True
    """
    words = _content_words(" ".join([label, *keywords]))
    return bool(words & _content_words(name.replace(".", " ")))
