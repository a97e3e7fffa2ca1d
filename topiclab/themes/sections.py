"""News sections: the broad subject each theme belongs to ("Sport", "Politics", ...).

A theme's label names what its passages share ("Red Sox, ninth inning and win"); a
reader scanning many themes also wants to know which part of the news it belongs to
("Sport"). Labels cannot say it: the words of a section ("sport", "business") are rare in
the articles themselves, so no keyword ranking brings them up.

Each theme is given one of the broad sections of :data:`NEWS_SECTIONS`, the top level of
the IPTC Media Topics vocabulary used by news organisations (names shortened), by
zero-shot similarity in the run's own embedding space:

1. every section is embedded with the run's embedder three ways, its short description,
   its name alone, and "a news story about <name>", and its vector is the mean of the
   three (an ensemble of prompts, as zero-shot classifiers do: one wording alone pulls
   some themes to the wrong section by the accidents of its words);
2. each theme's vector is the mean of its passages' normalised embeddings (the passages
   assigned to it; an LDA topic's mean over every passage's share of it is mostly the
   mean of the corpus);
3. the theme takes the section of highest cosine similarity when that section stands
   out from the others: its similarity is at least :data:`MIN_Z` standard deviations above
   the mean of the theme's similarities to all sections, and at least :data:`MIN_MARGIN`
   standard deviations above the second best. Otherwise the theme has no section
   (``""``): technical or mixed themes ("Widget, resource and application") match no
   news section clearly, and a wrong section misleads more than none. The rule is in
   units of the theme's own spread of similarities, so it holds across models whose
   cosine similarities have different scales (MiniLM's best sections of news themes lie
   between about 0.1 and 0.5, the multilingual Universal Sentence Encoder's between 0.08
   and 0.22).

The method is deterministic and offline (the embedder is the run's own model) and adds a
few milliseconds to a run: 51 short texts to embed and one matrix product.

Measured with ``benchmarks/sections.py`` (k-means themes, K=20 and 50, of MiniLM's
vectors of 4,000 documents; a theme is scored when at least half its documents share a
category of the corpus that maps to sections): the three prompts against the
description alone gave HuffPost 27 right and 3 wrong sections against 15 and 13 (9
political themes had been put under "Conflict and war"), AG News 55 and 3 against 49
and 7, 20 Newsgroups 23 and 3 against 23 and 5. With the multilingual Universal
Sentence Encoder the totals over the three corpora were 100 right and 22 wrong against
94 and 21.

Examples
--------
>>> import numpy as np
>>> sections = np.array([[1.0, 0.0], [0.0, 1.0]])
>>> names = ["Sport", "Politics", "Health", "Weather", "Religion", "Labour"]
>>> centroids = np.array([[0.9, 0.2, 0.1, 0, 0, 0], [0.6, 0.59, 0, 0, 0, 0]])
>>> assign_sections(centroids, np.eye(6), names)
[('Sport', 0.97), ('', 0.71)]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = [
    "MIN_MARGIN",
    "MIN_Z",
    "NEWS_SECTIONS",
    "SECTION_PROMPT",
    "assign_sections",
    "section_vectors",
    "theme_centroids",
]

#: Section name -> the text embedded for it: the IPTC Media Topics top level (names
#: shortened), each with a few words of its scope note.
NEWS_SECTIONS: dict[str, str] = {
    "Arts and culture": "arts, culture, entertainment and media: music, film, books, "
    "television, celebrities",
    "Conflict and war": "conflict, war and peace: armed conflict, fighting, troops, "
    "terrorism, peace talks",
    "Crime and justice": "crime, law and justice: police, courts, trials, laws, prisons",
    "Disasters and accidents": "disaster, accident and emergency incident: storms, "
    "earthquakes, fires, crashes",
    "Business and economy": "economy, business and finance: companies, markets, trade, "
    "industry, jobs",
    "Education": "education: schools, universities, students, teachers",
    "Environment": "environment: climate change, pollution, nature, conservation, energy",
    "Health": "health: medicine, disease, hospitals, treatment, doctors",
    "Human interest": "human interest: people, animals, curiosities, awards",
    "Labour": "labour: employment, workers, unions, wages",
    "Lifestyle and leisure": "lifestyle and leisure: travel, food, hobbies, cars, fashion, home",
    "Politics": "politics: government, elections, parties, parliament, diplomacy, "
    "international relations",
    "Religion": "religion: faith, churches, belief, God, religious communities",
    "Science and technology": "science and technology: research, computers, software, "
    "internet, space, engineering",
    "Society": "society: social issues, communities, demographics, rights, family",
    "Sport": "sport: competitions, games, teams, athletes, matches",
    "Weather": "weather: forecasts, temperatures, rain, snow",
}

#: Least lead of a theme's section over the mean of its similarities to all sections, in
#: standard deviations of those similarities.
MIN_Z = 2.0
#: Least lead of the best section over the second best, in the same units.
MIN_MARGIN = 0.5


def _normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms > 0, norms, 1.0)


#: Passages normalised at a time when theme vectors are summed (bounds the memory used).
CHUNK_ROWS = 65_536


def theme_centroids(embeddings: np.ndarray, membership: Any) -> np.ndarray:
    """Return each theme's vector: the membership-weighted mean of normalised passages.

    Parameters
    ----------
    embeddings : ndarray of shape (n_passages, dim)
    membership : array or sparse matrix of shape (n_passages, n_themes)
        Each passage's share of every theme (one-hot for a hard assignment; a sparse
        one-hot matrix keeps a large corpus's memory in O(n_passages)).

    Returns
    -------
    ndarray of shape (n_themes, dim)
        L2-normalised; a theme without passages gets a zero row.
    """
    import scipy.sparse as sp

    weights = sp.csr_matrix(membership, dtype=np.float64)
    sums = np.zeros((weights.shape[1], np.shape(embeddings)[1]))
    for start in range(0, weights.shape[0], CHUNK_ROWS):
        block = _normalise(embeddings[start : start + CHUNK_ROWS])
        sums += np.asarray(weights[start : start + CHUNK_ROWS].T @ block)
    return _normalise(sums)


#: The third prompt of every section (see the module docstring).
SECTION_PROMPT = "a news story about {name}"


def section_vectors(
    embedder: Any, sections: dict[str, str] | None = None, *, ensemble: bool = True
) -> np.ndarray:
    """Embed the sections with a fitted embedder (``transform`` of texts).

    Parameters
    ----------
    embedder : object
        Has ``transform(list of str) -> ndarray``.
    sections : dict, optional
        Section name -> description; default :data:`NEWS_SECTIONS`.
    ensemble : bool, default=True
        Each section's vector is the mean of the unit vectors of its description, its
        name and :data:`SECTION_PROMPT`; ``False``: its description alone.

    Returns
    -------
    ndarray of shape (n_sections, dim)
        L2-normalised.
    """
    sections = sections or NEWS_SECTIONS
    names = list(sections)
    texts = list(sections.values())
    if ensemble:
        texts += names + [SECTION_PROMPT.format(name=n.lower()) for n in names]
    vectors = _normalise(np.asarray(embedder.transform(texts)))
    k = len(names)
    return _normalise(vectors.reshape(len(texts) // k, k, -1).sum(axis=0))


def assign_sections(
    centroids: np.ndarray,
    sections: np.ndarray,
    names: Sequence[str],
    *,
    min_z: float = MIN_Z,
    min_margin: float = MIN_MARGIN,
) -> list[tuple[str, float]]:
    """Give each theme the section it is clearly closest to.

    Parameters
    ----------
    centroids : ndarray of shape (n_themes, dim)
        Theme vectors (see :func:`theme_centroids`).
    sections : ndarray of shape (n_sections, dim)
        Section vectors in the same space (see :func:`section_vectors`).
    names : sequence of str
        Section names, aligned with ``sections``.
    min_z, min_margin : float
        See :data:`MIN_Z` and :data:`MIN_MARGIN`.

    Returns
    -------
    list of (str, float)
        Per theme: its section (``""`` when none is clear) and the best similarity,
        rounded to 2 decimals.
    """
    if len(names) != len(sections):
        raise ValueError(f"{len(names)} section names for {len(sections)} section vectors")
    sim = _normalise(centroids) @ _normalise(sections).T
    out = []
    for row in sim:
        if row.size == 0 or not np.any(np.isfinite(row)):
            out.append(("", 0.0))
            continue
        order = np.argsort(-row, kind="stable")
        best = float(row[order[0]])
        second = float(row[order[1]]) if row.size > 1 else -1.0
        spread = float(np.std(row))
        clear = spread > 0 and (
            best - float(np.mean(row)) >= min_z * spread and best - second >= min_margin * spread
        )
        out.append((str(names[order[0]]) if clear else "", round(best, 2)))
    return out
