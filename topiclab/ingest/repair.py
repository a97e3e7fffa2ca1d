"""Repair words and sentences that a scraper broke across lines.

Two layouts are told apart by the document's median line length:

* **paragraph lines** (median over 120 characters): every line is a paragraph,
  so a line that stops without sentence punctuation and is followed by a line
  starting in lower case was cut by the scraper at an arbitrary character.
  Most such cuts fall inside a word, so the pieces are glued when the glued
  word is a known word (``CIIE ha`` + ``s attracted`` -> ``has attracted``,
  ``power gene`` + ``ration`` -> ``generation``) and joined with a space when
  the glued word is unknown but the pieces are words (``the`` + ``economy``).
* **wrapped lines** (e-mail, Usenet, plain-text exports): lines break at word
  boundaries, so pieces are only glued on strong evidence, i.e. the glued word
  is known and the second piece is not a word, or the first is a fragment of
  two or more letters (``thi`` + ``s``, ``th`` + ``ere``, but not ``y`` + ``in``). Re-flowing wrapped
  lines into paragraphs is left to segmentation and is not a repair.

A word is *known* when it occurs elsewhere in the same document or in the
English lexicon of :mod:`simplemma` (imported lazily). Pieces of one or two
letters count as words only when they are common short words, since the lexicon
also lists rare forms such as ``ha`` or ``em``. Lines ending in a hyphen
(``prob-`` / ``lem``) lose the hyphen only when the glued form is a known word
and the hyphenated pieces are not both words.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from topiclab.ingest._lines import BODY, Line, ends_sentence, log_entry, words

STEP = "repair"
#: Median line length above which lines are taken to be whole paragraphs.
PARAGRAPH_LINE_CHARS = 120

COMMON_SHORT = frozenset(
    "a i o am an as at be by do go he hi if in is it me my no of oh ok on or ox so to up us "
    "we ye vs de la le el en un et du da di il lo se si ne je tu ce es ya al".split()
)

_TAIL = re.compile(r"([^\W\d_]+)$")
_CONTRACTION = re.compile(r"[^\W\d_]['’][^\W\d_]+$")
_HEAD = re.compile(r"^([^\W\d_]+)")


@lru_cache(maxsize=200_000)
def _in_lexicon(word: str) -> bool:
    import simplemma  # lazy: loads a dictionary on first use

    return bool(simplemma.is_known(word, lang="en"))


def is_word(piece: str, vocab: Counter[str] | None = None, *, exclude: int = 0) -> bool:
    """Whether ``piece`` is a word on its own.

    Parameters
    ----------
    piece : str
        Candidate word (any case).
    vocab : Counter, optional
        Word counts of the document; a piece occurring more than ``exclude``
        times counts as a word.
    exclude : int
        Occurrences of ``piece`` in ``vocab`` that are the piece being judged.
    """
    w = piece.casefold()
    if len(w) <= 2:
        return w in COMMON_SHORT
    if vocab is not None and vocab.get(w, 0) > exclude:
        return True
    return _in_lexicon(w)


def decide(
    left: str,
    right: str,
    *,
    vocab: Counter[str] | None = None,
    paragraph_lines: bool = True,
    word: Callable[..., bool] = is_word,
) -> str | None:
    """Decide how ``left`` (end of a line) and ``right`` (start of the next) join.

    Returns
    -------
    str or None
        ``"glue"`` (one word), ``"space"`` (two words) or ``None`` (leave the
        line break; only returned for wrapped lines).
    """
    l_word = word(left, vocab, exclude=1)
    r_word = word(right, vocab, exclude=1)
    if not paragraph_lines:
        # wrapped text breaks between words: glue only a piece that is no word,
        # and not a one-letter piece before a word ("y" + "in" is not "yin")
        if r_word and (l_word or len(left) < 2):
            return None
        return "glue" if word(left + right, vocab) else None
    j_known = word(left + right, vocab)
    if j_known and not (l_word and r_word):
        return "glue"
    if j_known:  # both pieces are words too: a cut inside a word is more likely
        return "glue"
    if not l_word and not r_word:
        return "glue"
    return "space"


def _doc_vocab(lines: list[Line]) -> Counter[str]:
    vocab: Counter[str] = Counter()
    for ln in lines:
        if ln.role == BODY:
            vocab.update(w.casefold() for w in words(ln.text))
    return vocab


def repair_lines(lines: list[Line], log: list[dict[str, Any]]) -> int:
    """Join lines that continue the previous one; returns the number of joins.

    The second line of a joined pair gets role ``"merged"`` and empty text; the
    first one holds the joined text. Each join is logged with the text around
    the break.
    """
    body = [ln for ln in lines if ln.role == BODY]
    if len(body) < 2:
        return 0
    lengths = sorted(len(ln.text) for ln in body)
    paragraph_lines = lengths[len(lengths) // 2] > PARAGRAPH_LINE_CHARS
    vocab: list[Counter[str]] = []

    def get_vocab() -> Counter[str]:
        if not vocab:
            vocab.append(_doc_vocab(lines))
        return vocab[0]

    joins = 0
    i, n = 0, len(lines)
    while i < n:
        a = lines[i]
        j = i + 1
        if a.role == BODY:
            while j < n and lines[j].role == BODY:
                b = lines[j]
                action = _join(a.text, b.text, paragraph_lines, get_vocab)
                if action is None:
                    break
                mode, joined = action
                cut = len(a.text)
                log.append(
                    log_entry(
                        STEP,
                        mode,
                        "line ends without sentence punctuation and the next starts in lower case",
                        line=a.no,
                        before=f"{a.text[-30:]}\n{b.text[:30]}",
                        after=joined[max(0, cut - 30) : cut + 31],
                    )
                )
                a.text = joined
                b.role, b.text = "merged", ""
                joins += 1
                j += 1
        i = j
    return joins


def _join(
    a: str, b: str, paragraph_lines: bool, get_vocab: Callable[[], Counter[str]]
) -> tuple[str, str] | None:
    if not b or ends_sentence(a):
        return None
    first = b[0]
    if first in ",;:)%" and paragraph_lines and a[-1].isalnum():
        return "join_glue", a + b
    if not first.islower():
        return None
    if a.endswith("-") and len(a) > 1 and a[-2].isalpha():
        left_m = _TAIL.search(a[:-1])
        right_m = _HEAD.search(b)
        if not left_m or not right_m:
            return None
        vocab = get_vocab()
        left, right = left_m.group(1), right_m.group(1)
        pieces = is_word(left, vocab, exclude=1) and is_word(right, vocab, exclude=1)
        if is_word(left + right, vocab) and not pieces:
            return "join_dehyphenate", a[:-1] + b
        return "join_hyphen", a + b
    left_m = _TAIL.search(a)
    right_m = _HEAD.search(b)
    if not left_m or not right_m or _CONTRACTION.search(a):  # "you're", "one's" are whole words
        return ("join_space", f"{a} {b}") if paragraph_lines else None
    vocab = get_vocab()
    mode = decide(left_m.group(1), right_m.group(1), vocab=vocab, paragraph_lines=paragraph_lines)
    if mode == "glue":
        return "join_glue", a + b
    if mode == "space":
        return "join_space", f"{a} {b}"
    return None
