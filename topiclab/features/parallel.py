"""Tokenise a corpus in chunks over forked worker processes, in order, with the same result.

:func:`analyze_parallel` gives exactly what ``vectorizer.analyze(texts, langs, surfaces)``
gives (the same tokens in the same order, the same written forms with the same counts,
inserted in the same order), with the texts cut into consecutive chunks tokenised by a
pool of ``n_jobs`` forked processes. The workers inherit the vectoriser and the texts
through the fork (nothing is sent to them but chunk bounds) and send back each chunk's
tokens and written forms; the chunks are joined in order. Equal tokens are stored once
(as the sequential tokeniser's caches mostly do) to keep the memory of the token lists
what it was.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Sequence
from typing import Any

logger = logging.getLogger(__name__)

__all__ = ["CHUNK", "analyze_parallel"]

#: Texts per chunk handed to a worker.
CHUNK = 2_000

# the job the forked workers read: (vectoriser, texts, langs, whether to record surfaces)
_JOB: tuple[Any, Sequence[str], Any, bool] | None = None


def analyze_parallel(
    vectorizer: Any,
    texts: Sequence[str],
    langs: Any,
    surfaces: dict[str, dict[str, int]] | None = None,
    n_jobs: int = 1,
    chunk: int = CHUNK,
) -> list[list[str]]:
    """Return ``vectorizer.analyze(texts, langs, surfaces)``, tokenised by ``n_jobs`` processes.

    Parameters
    ----------
    vectorizer : TextVectorizer
        Anything with ``analyze(texts, langs, surfaces=...)``.
    texts : sequence of str
    langs : str, sequence of str or None
        As ``analyze`` takes them.
    surfaces : dict, optional
        Receives the written forms, as ``analyze`` fills it.
    n_jobs : int, default=1
        Worker processes; 1 (or too few texts for two chunks, or no ``fork`` on this
        platform) tokenises here.
    chunk : int, default=CHUNK
        Texts per chunk.

    Returns
    -------
    list of list of str
    """
    global _JOB
    from topiclab.features.tokenize import warn_missing_tokenizers
    from topiclab.features.vectorize import resolve_langs

    n = len(texts)
    # one warning here for the whole corpus, which the workers inherit, not one per worker
    warn_missing_tokenizers(resolve_langs(langs, n, getattr(vectorizer, "default_lang", "en")))
    if n_jobs <= 1 or n < 2 * chunk or "fork" not in multiprocessing.get_all_start_methods():
        return vectorizer.analyze(texts, langs, surfaces=surfaces)
    bounds = [(i, min(i + chunk, n)) for i in range(0, n, chunk)]
    logger.debug("tokenising %d texts in %d chunks over %d processes", n, len(bounds), n_jobs)
    _JOB = (vectorizer, texts, langs, surfaces is not None)
    tokens: list[list[str]] = []
    same: dict[str, str] = {}
    try:
        with multiprocessing.get_context("fork").Pool(min(n_jobs, len(bounds))) as pool:
            for part, forms in pool.imap(_analyze_chunk, bounds):
                tokens.extend([same.setdefault(t, t) for t in doc] for doc in part)
                if surfaces is not None:
                    _merge(surfaces, forms)
    finally:
        _JOB = None
    return tokens


def _analyze_chunk(bounds: tuple[int, int]) -> tuple[list[list[str]], dict | None]:
    """Tokenise one chunk in a worker (reads the job inherited through the fork)."""
    assert _JOB is not None
    vectorizer, texts, langs, record = _JOB
    lo, hi = bounds
    part_langs = langs if langs is None or isinstance(langs, str) else langs[lo:hi]
    forms: dict[str, dict[str, int]] | None = {} if record else None
    return vectorizer.analyze(list(texts[lo:hi]), part_langs, surfaces=forms), forms


def _merge(target: dict[str, dict[str, int]], part: dict[str, dict[str, int]]) -> None:
    """Add one chunk's written forms to ``target`` (counts summed, first-seen order)."""
    for token, forms in part.items():
        have = target.get(token)
        if have is None:
            target[token] = dict(forms)
        else:
            for form, count in forms.items():
                have[form] = have.get(form, 0) + count
