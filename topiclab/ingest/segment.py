"""Cut documents into passages, the units topic models see.

Passages follow paragraphs. A paragraph shorter than ``min_words`` is merged
with the next one (the last short one with the previous one), and a paragraph
longer than ``max_words`` is cut at sentence ends, or at word boundaries when a
single sentence is too long. Sizes are measured with
:func:`topiclab.ingest._lines.size`: whitespace words, with each CJK
character counting half a word, so Chinese (written without spaces) gets
passages of comparable length (about 80 to 500 characters by default).
"""

from __future__ import annotations

import re
from typing import Any

from topiclab.ingest._lines import size

MIN_WORDS = 40
MAX_WORDS = 250

_SENTENCE = re.compile(r"(?<=[.!?؟…])['\"’”»)]*\s+(?=\S)|(?<=[。！？])")


def split_sentences(text: str) -> list[str]:
    """Split at sentence punctuation (Latin, Arabic and CJK)."""
    parts = [p.strip() for p in _SENTENCE.split(text)]
    return [p for p in parts if p]


def _hard_split(text: str, max_words: int) -> list[str]:
    """Cut an over-long sentence into pieces of at most ``max_words``."""
    toks = text.split()
    if len(toks) > 1:
        return [" ".join(toks[i : i + max_words]) for i in range(0, len(toks), max_words)]
    step = max_words * 2  # a CJK run without spaces: two characters per word unit
    return [text[i : i + step] for i in range(0, len(text), step)]


def _split_long(paragraph: str, max_words: int) -> list[str]:
    if size(paragraph) <= max_words:
        return [paragraph]
    chunks: list[str] = []
    cur: list[str] = []
    cur_size = 0.0
    sep = "" if re.search(r"[。！？]", paragraph) else " "
    for sent in split_sentences(paragraph):
        s = size(sent)
        if s > max_words:
            if cur:
                chunks.append(sep.join(cur))
                cur, cur_size = [], 0.0
            chunks.extend(_hard_split(sent, max_words))
            continue
        if cur and cur_size + s > max_words:
            chunks.append(sep.join(cur))
            cur, cur_size = [], 0.0
        cur.append(sent)
        cur_size += s
    if cur:
        chunks.append(sep.join(cur))
    return chunks


def segment(
    paragraphs: list[str], *, min_words: int = MIN_WORDS, max_words: int = MAX_WORDS
) -> list[str]:
    r"""Group paragraphs into passages of about ``min_words`` to ``max_words``.

    Parameters
    ----------
    paragraphs : list of str
        The document's paragraphs in order (the title may be the first).
    min_words, max_words : int
        Size bounds in word units; only a document shorter than ``min_words``
        as a whole gives a shorter passage.

    Returns
    -------
    list of str
        Passages; paragraphs merged into one passage are joined by a blank line.

    Examples
    --------
    >>> segment(["Short title", "A body paragraph of some words."], min_words=3)
    ['Short title\n\nA body paragraph of some words.']
    """
    if min_words < 1 or max_words < min_words:
        raise ValueError(f"need 1 <= min_words <= max_words, got {min_words}, {max_words}")
    chunks = [c for p in paragraphs if p.strip() for c in _split_long(p.strip(), max_words)]
    passages: list[str] = []
    sizes: list[float] = []
    for chunk in chunks:
        s = size(chunk)
        if passages and sizes[-1] < min_words and sizes[-1] + s <= max_words:
            passages[-1] += "\n\n" + chunk
            sizes[-1] += s
        else:
            passages.append(chunk)
            sizes.append(s)
    if len(passages) > 1 and sizes[-1] < min_words and sizes[-1] + sizes[-2] <= max_words:
        last = passages.pop()
        passages[-1] += "\n\n" + last
    return passages


def merge_short_documents(passages: Any, max_words: float) -> Any:
    r"""Join the passages of every document of at most ``max_words`` into one passage.

    Long documents keep their passages; a short one is embedded and counted whole, which
    gives fewer, longer units (a forum post or a news brief is one thought). The merged
    row keeps its first passage's id and columns, and its place in the table.

    Parameters
    ----------
    passages : pandas.DataFrame
        One row per passage with ``doc_id`` and ``text`` columns, in document order.
    max_words : float
        Largest document size (word units, see :func:`topiclab.ingest._lines.size`)
        embedded whole; 0 or less leaves the table as it is.

    Returns
    -------
    pandas.DataFrame
        A new table (index reset) when something was merged, else ``passages``.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"doc_id": ["a", "a", "b"], "text": ["x y", "z", "w"]})
    >>> merge_short_documents(p, 10)["text"].tolist()
    ['x y\n\nz', 'w']
    """
    import pandas as pd

    if max_words <= 0 or len(passages) == 0:
        return passages
    sizes = pd.Series([size(t) for t in passages["text"].astype(str)], index=passages.index)
    groups = passages["doc_id"]
    doc_size = sizes.groupby(groups, sort=False).transform("sum")
    n_parts = sizes.groupby(groups, sort=False).transform("size")
    merge = ((doc_size <= max_words) & (n_parts > 1)).to_numpy()
    if not merge.any():
        return passages
    table = passages.reset_index(drop=True)
    table["_order"] = range(len(table))
    part = table[merge]
    agg = {c: "first" for c in table.columns if c not in ("doc_id", "text")}
    joined = part.groupby("doc_id", sort=False).agg({**agg, "text": "\n\n".join}).reset_index()
    out = pd.concat([table[~merge], joined[table.columns]], ignore_index=True)
    out = out.sort_values("_order", kind="stable").drop(columns="_order")
    return out.reset_index(drop=True)
