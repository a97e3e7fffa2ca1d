"""Sliding-window word counts for gensim's coherence measures, counted with numpy.

gensim's :class:`~gensim.topic_coherence.text_analysis.WordOccurrenceAccumulator` visits
every window of every text in Python (about 4 s for 20,000 passages and one measure).
:func:`window_accumulator` fills a drop-in replacement that returns the same counts from array
operations, so :class:`~gensim.models.coherencemodel.CoherenceModel` scores exactly as it
would with its own accumulator.

gensim's accumulator does not recount each window: it keeps the set of words of the
previous window, removes the word that left it and adds the word that entered. A word
that still occurs inside the window is dropped when another occurrence of it leaves, and
comes back only when a later occurrence enters. The counts here follow that rule, so
coherence values stay identical to gensim's (and to published numbers computed with it):

* a text of ``L >= w`` tokens has ``L - w + 1`` windows, a shorter one a single window;
* a word is in window 0 when it occurs among the first ``w`` tokens;
* at window ``s >= 1`` the token at ``s - 1`` is removed, then the token at ``s + w - 1``
  added; the word's presence is that of its last such event.

A word's presence is thus a set of window intervals per text; occurrence counts are
their lengths and co-occurrence counts come from one sparse product of the
window-by-word presence matrix with itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

__all__ = ["window_accumulator", "window_presence"]


def window_presence(
    lengths: np.ndarray,
    doc: np.ndarray,
    pos: np.ndarray,
    word: np.ndarray,
    window: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Window intervals in which each word counts as present, by gensim's sliding rule.

    Parameters
    ----------
    lengths : ndarray of int, shape (n_texts,)
        Tokens per text (every token, relevant or not).
    doc, pos, word : ndarray of int, shape (n_occurrences,)
        Text, position and word id of each occurrence of a relevant word.
    window : int
        Window size ``w``.

    Returns
    -------
    start : ndarray of int
        Global index of the first window of each presence interval.
    stop : ndarray of int
        Global index one past its last window.
    word : ndarray of int
        The word of each interval.
    n_windows : int
        Windows over all texts (gensim's ``num_docs``).
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    w = int(window)
    last = np.maximum(lengths - w, 0)  # index of each text's last window
    n_win = last + 1
    base = np.concatenate([[0], np.cumsum(n_win)[:-1]]).astype(np.int64)
    n_windows = int(n_win.sum())
    if len(pos) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, n_windows
    doc = np.asarray(doc, dtype=np.int64)
    pos = np.asarray(pos, dtype=np.int64)
    word = np.asarray(word, dtype=np.int64)
    long = lengths[doc] >= w
    # an occurrence enters at the first window that ends on it (window 0 for the first w
    # tokens or a short text) and leaves at the window after the one starting on it
    add = np.where(long, np.maximum(pos - w + 1, 0), 0)
    leaves = long & (pos + 1 <= last[doc])
    ev_doc = np.concatenate([doc, doc[leaves]])
    ev_word = np.concatenate([word, word[leaves]])
    ev_slide = np.concatenate([add, pos[leaves] + 1])
    ev_kind = np.concatenate([np.ones(len(add), np.int8), np.zeros(int(leaves.sum()), np.int8)])
    # per (text, word): events by window, a removal before an addition at the same window
    order = np.lexsort((ev_kind, ev_slide, ev_word, ev_doc))
    ev_doc, ev_word, ev_slide, ev_kind = (
        ev_doc[order],
        ev_word[order],
        ev_slide[order],
        ev_kind[order],
    )
    n = len(order)
    same_group = np.zeros(n, dtype=bool)
    same_group[:-1] = (ev_doc[1:] == ev_doc[:-1]) & (ev_word[1:] == ev_word[:-1])
    # the state at a window is set by the last event at that window
    last_at_slide = np.ones(n, dtype=bool)
    last_at_slide[:-1] = ~(same_group[:-1] & (ev_slide[1:] == ev_slide[:-1]))
    keep = np.flatnonzero(last_at_slide)
    k_doc, k_word, k_slide, k_kind = ev_doc[keep], ev_word[keep], ev_slide[keep], ev_kind[keep]
    m = len(keep)
    nxt = np.empty(m, dtype=np.int64)
    group_next = np.zeros(m, dtype=bool)
    group_next[:-1] = (k_doc[1:] == k_doc[:-1]) & (k_word[1:] == k_word[:-1])
    nxt[:-1] = k_slide[1:]
    nxt[~group_next] = last[k_doc[~group_next]] + 1
    on = k_kind == 1
    start = base[k_doc[on]] + k_slide[on]
    stop = base[k_doc[on]] + nxt[on]
    return start, stop, k_word[on], n_windows


#: Texts counted at a time: windows never span two texts, so blocks add up, and a block
#: bounds the memory of its window-by-word presence matrix.
BLOCK_TEXTS = 4096


def _block_presence(lengths: np.ndarray, flat: np.ndarray, n_words: int, window: int) -> Any:
    """Window-by-word presence matrix (CSR) of one block of texts."""
    import scipy.sparse as sp

    hit = np.flatnonzero(flat >= 0)
    doc_of = np.repeat(np.arange(len(lengths)), lengths)
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    doc = doc_of[hit]
    start, stop, word, n_windows = window_presence(
        lengths, doc, hit - offsets[doc], flat[hit], window
    )
    span = stop - start
    total = int(span.sum())
    first = np.concatenate([[0], np.cumsum(span)[:-1]])
    rows = np.repeat(start - first, span) + np.arange(total, dtype=np.int64)
    cols = np.repeat(word, span)
    return sp.csr_matrix(
        (np.ones(total, dtype=np.int32), (rows, cols)), shape=(max(n_windows, 1), n_words)
    ), n_windows


def _counts(
    texts: Iterable[Sequence[str]], index: dict[str, int], n_words: int, window: int
) -> tuple[np.ndarray, Any, int]:
    """Occurrence vector, co-occurrence matrix and window count of the relevant words."""
    import scipy.sparse as sp

    co = sp.csr_matrix((n_words, n_words), dtype=np.int64)
    n_windows = 0
    lengths: list[int] = []
    ids: list[int] = []

    def flush() -> None:
        nonlocal co, n_windows
        if lengths:
            presence, n = _block_presence(
                np.asarray(lengths, dtype=np.int64),
                np.asarray(ids, dtype=np.int64),
                n_words,
                window,
            )
            co = co + (presence.T @ presence)
            n_windows += n
            lengths.clear()
            ids.clear()

    for text in texts:
        lengths.append(len(text))
        ids.extend(index.get(t, -1) for t in text)
        if len(lengths) >= BLOCK_TEXTS:
            flush()
    flush()
    co = co.astype(np.uint32).tocsr()
    return np.asarray(co.diagonal(), dtype=np.uint32), co, n_windows


def _accumulator_class() -> type:
    from gensim.topic_coherence.text_analysis import WordOccurrenceAccumulator

    class WindowCountsAccumulator(WordOccurrenceAccumulator):
        """gensim's word-occurrence accumulator with its counting done by :func:`_counts`."""

        def accumulate(self, texts: Iterable[Sequence[str]], window_size: int) -> Any:
            index = {self.dictionary[word_id]: n for word_id, n in self.id2contiguous.items()}
            occ, co, n_windows = _counts(texts, index, self._vocab_size, int(window_size))
            self._occurrences = occ
            self._co_occurrences = co
            self._num_docs = n_windows
            return self

    return WindowCountsAccumulator


def window_accumulator(
    relevant_ids: Iterable[int], dictionary: Any, texts: Iterable[Sequence[str]], window: int
) -> Any:
    """Return gensim's ``WordOccurrenceAccumulator`` for these words, filled from arrays.

    Examples
    --------
    >>> from gensim.corpora import Dictionary
    >>> texts = [["a", "b", "a", "c"], ["b", "c"]]
    >>> d = Dictionary(texts)
    >>> a, b, c = (d.token2id[w] for w in "abc")
    >>> acc = window_accumulator({a, b, c}, d, texts, 2)
    >>> acc.num_docs, int(acc[a]), int(acc[(b, c)])  # windows: ab, ba, ac and bc
    (4, 3, 1)
    """
    cls = _accumulator_class()
    return cls(set(relevant_ids), dictionary).accumulate(texts, window)
