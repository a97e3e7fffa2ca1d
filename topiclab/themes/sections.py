"""News sections: the broad subject each theme belongs to ("Sport", "Politics", ...).

A theme's label names what its passages share ("Red Sox, ninth inning and win"); a
reader scanning many themes also wants to know which part of the news it belongs to
("Sport"). Labels cannot say it: the words of a section ("sport", "business") are rare in
the articles themselves, so no keyword ranking brings them up.

Each theme is given one of the broad sections of :data:`NEWS_SECTIONS`, the top level of
the IPTC Media Topics vocabulary used by news organisations (names shortened), by
zero-shot similarity in the run's own embedding space:

1. every section's name and short description is embedded with the run's embedder;
2. each theme's vector is the mean of its passages' normalised embeddings (the passages
   assigned to it; an LDA topic's mean over every passage's share of it is mostly the
   mean of the corpus);
3. the theme takes the section of highest cosine similarity, when that similarity is at
   least :data:`MIN_SIMILARITY` and beats the second best section by :data:`MIN_MARGIN`;
   otherwise it has no section (``""``): technical or mixed themes ("Widget, resource
   and application") match no news section clearly, and a wrong section misleads more
   than none.

The method is deterministic and offline (the embedder is the run's own model) and adds a
few milliseconds to a run: 17 short texts to embed and one matrix product.

Examples
--------
>>> import numpy as np
>>> sections = np.array([[1.0, 0.0], [0.0, 1.0]])
>>> assign_sections(np.array([[0.9, 0.1], [0.5, 0.5]]), sections, ["Sport", "Politics"])
[('Sport', 0.99), ('', 0.71)]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = [
    "MIN_MARGIN",
    "MIN_SIMILARITY",
    "NEWS_SECTIONS",
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

#: Least cosine similarity between a theme and its section.
MIN_SIMILARITY = 0.15
#: Least lead of the best section over the second best (cosine similarity).
MIN_MARGIN = 0.02


def _normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms > 0, norms, 1.0)


def theme_centroids(embeddings: np.ndarray, membership: np.ndarray) -> np.ndarray:
    """Return each theme's vector: the membership-weighted mean of normalised passages.

    Parameters
    ----------
    embeddings : ndarray of shape (n_passages, dim)
    membership : ndarray of shape (n_passages, n_themes)
        Each passage's share of every theme (one-hot for a hard assignment).

    Returns
    -------
    ndarray of shape (n_themes, dim)
        L2-normalised; a theme without passages gets a zero row.
    """
    weights = np.asarray(membership, dtype=np.float64)
    return _normalise(weights.T @ _normalise(embeddings))


def section_vectors(embedder: Any, sections: dict[str, str] | None = None) -> np.ndarray:
    """Embed the sections' texts with a fitted embedder (``transform`` of texts)."""
    texts = list((sections or NEWS_SECTIONS).values())
    return _normalise(np.asarray(embedder.transform(texts)))


def assign_sections(
    centroids: np.ndarray,
    sections: np.ndarray,
    names: Sequence[str],
    *,
    min_similarity: float = MIN_SIMILARITY,
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
    min_similarity, min_margin : float
        See :data:`MIN_SIMILARITY` and :data:`MIN_MARGIN`.

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
        clear = best >= min_similarity and best - second >= min_margin
        out.append((str(names[order[0]]) if clear else "", round(best, 2)))
    return out
