"""Theme quality: coherence (NPMI, C_v), diversity, silhouette, agreement and stability.

Coherence is computed with gensim's :class:`~gensim.models.coherencemodel.CoherenceModel`
on the *same* tokenised corpus the topics were learned from (phrases merged), so that
scores are comparable with published numbers that use the same protocol. The measures that
count words in sliding windows (NPMI, C_v, UCI) get those counts from
:mod:`topiclab._cooccur`: gensim's own counts, computed with arrays instead of a Python loop
over every window.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

logger = logging.getLogger(__name__)

__all__ = [
    "coherence",
    "finite_mean",
    "label_agreement",
    "label_check",
    "seed_stability",
    "silhouette",
    "topic_diversity",
]


def topic_diversity(topics: Sequence[Sequence[str]], topk: int = 10) -> float:
    """Share of unique words among the top ``topk`` words of all topics.

    The OCTIS ``TopicDiversity(topk)`` definition: unique words / (topk * K).

    Examples
    --------
    >>> topic_diversity([["a", "b"], ["b", "c"]], topk=2)
    0.75
    """
    tops = [list(t)[:topk] for t in topics if len(t)]
    if not tops:
        return float("nan")
    unique = {w for t in tops for w in t}
    return len(unique) / (topk * len(tops))


#: gensim measures whose probabilities come from sliding windows over the texts
_SLIDING_WINDOW = frozenset({"c_npmi", "c_v", "c_uci"})


def coherence(
    topics: Sequence[Sequence[str]],
    tokenized_docs: Sequence[Sequence[str]],
    *,
    measure: str = "c_npmi",
    topn: int = 10,
    window_size: int | None = None,
    dictionary: Any = None,
) -> tuple[float, list[float]]:
    """Topic coherence with gensim: the mean and one score per topic.

    Parameters
    ----------
    topics : sequence of sequence of str
        Top words per topic, best first.
    tokenized_docs : sequence of sequence of str
        The reference corpus, tokenised exactly as for the model.
    measure : {"c_npmi", "c_v", "u_mass", "c_uci"}
        gensim coherence measure.
    topn : int
        Words per topic scored.
    window_size : int, optional
        Sliding window; gensim's default for the measure when ``None``.
    dictionary : gensim Dictionary, optional
        The dictionary of ``tokenized_docs``, when the caller scores them more than once
        (built here otherwise).

    Returns
    -------
    mean : float
        Mean over topics that could be scored (NaN when none could).
    per_topic : list of float
        One score per input topic; NaN for a topic with fewer than two words
        present in the reference corpus.
    """
    from gensim.corpora import Dictionary
    from gensim.models.coherencemodel import CoherenceModel

    docs = [d if isinstance(d, list) else list(d) for d in tokenized_docs if len(d)]
    if dictionary is None:
        dictionary = Dictionary(docs)
    known = dictionary.token2id
    scored_idx, scored = [], []
    for i, t in enumerate(topics):
        words = [w for w in list(t)[:topn] if w in known]
        if len(words) >= 2:
            scored_idx.append(i)
            scored.append(words)
    per_topic = [float("nan")] * len(topics)
    if not scored:
        return float("nan"), per_topic
    # gensim scores topics of one length at a time: group them by length.
    values: list[float] = []
    for n in sorted({len(w) for w in scored}):
        group = [(i, w) for i, w in zip(scored_idx, scored, strict=True) if len(w) == n]
        cm = CoherenceModel(
            topics=[w for _, w in group],
            texts=docs,
            dictionary=dictionary,
            coherence=measure,
            topn=n,
            window_size=window_size,
            processes=1,
        )
        segmented = cm.segment_topics()
        if measure in _SLIDING_WINDOW:  # gensim's counts, from arrays instead of a loop
            from gensim.topic_coherence.probability_estimation import unique_ids_from_segments

            from topiclab._cooccur import window_accumulator

            cm._accumulator = window_accumulator(
                unique_ids_from_segments(segmented), dictionary, docs, cm.window_size
            )
        for (i, _), v in zip(group, cm.get_coherence_per_topic(segmented), strict=True):
            per_topic[i] = float(v)
            values.append(float(v))
    return finite_mean(values), per_topic


def finite_mean(values: Sequence[float]) -> float:
    """Mean of the finite values (NaN when there are none): a mean coherence.

    Examples
    --------
    >>> finite_mean([0.2, float("nan"), 0.4])
    0.30000000000000004
    """
    finite = [v for v in values if np.isfinite(v)]
    return float(np.mean(finite)) if finite else float("nan")


#: Silhouettes of larger inputs are computed on this many rows drawn with seed 0 (the
#: score compares every pair of rows: its cost grows with the square of their number).
SILHOUETTE_MAX_SAMPLES = 10_000
#: Megabytes of distances the silhouette computes at a time.
SILHOUETTE_BLOCK_MB = 128


def silhouette(
    embeddings: np.ndarray,
    labels: np.ndarray,
    metric: str = "cosine",
    max_samples: int | None = SILHOUETTE_MAX_SAMPLES,
) -> float:
    """Silhouette of a clustering (NaN when it is undefined: one cluster or all singletons).

    Parameters
    ----------
    embeddings : ndarray of shape (n_samples, dim)
    labels : array-like of shape (n_samples,)
    metric : str, default="cosine"
    max_samples : int or None, default=10,000
        Above this many rows the score is computed on that many drawn with seed 0
        (``None``: every row, in time quadratic in their number).

    Notes
    -----
    The distances are computed in single precision, in blocks of at most
    :data:`SILHOUETTE_BLOCK_MB` megabytes: on 10,000 of fast mode's passage vectors of 20
    Newsgroups (484 dimensions) the score agreed with double precision to four decimals,
    and the first score of a process took 0.9 s instead of 4.8 s in double precision and
    scikit-learn's default blocks of up to 1 GB
    (``benchmarks/results/silhouette_precision_20ng.txt``).
    """
    import sklearn
    from sklearn.metrics import silhouette_score

    embeddings = np.asarray(embeddings, dtype=np.float32)
    labels = np.asarray(labels)
    n_labels = len(np.unique(labels))
    if n_labels < 2 or n_labels >= len(labels):
        return float("nan")
    sample = None
    if max_samples is not None and len(labels) > max_samples:
        sample = int(max_samples)
    try:
        with sklearn.config_context(working_memory=SILHOUETTE_BLOCK_MB):
            score = silhouette_score(
                embeddings, labels, metric=metric, sample_size=sample, random_state=0
            )
        return float(score)
    except ValueError:  # the drawn rows hold a single cluster
        return float("nan")


def label_agreement(
    labels_true: Sequence[object], labels_pred: Sequence[object]
) -> dict[str, float]:
    """Compute adjusted Rand index and normalised mutual information against reference labels."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    return {
        "ari": float(adjusted_rand_score(labels_true, labels_pred)),
        "nmi": float(normalized_mutual_info_score(labels_true, labels_pred)),
    }


def label_check(
    result: Any,
    doc_labels: Mapping[str, str],
    subjects: Mapping[str, str] | None = None,
    *,
    view: str = "embedding",
) -> pd.DataFrame:
    """Whether each theme's label names the subject of its passages, on a labelled corpus.

    A theme's subject is the majority label of its passages' documents; its label names
    it when they share a content word (:func:`topiclab.themes.labels.label_names`,
    plurals folded): "Hockey, NHL and playoffs" names ``rec.sport.hockey``.

    Parameters
    ----------
    result : RunResult
    doc_labels : mapping
        Document id -> class label.
    subjects : mapping, optional
        Class label -> the name to compare labels with (e.g. a short description of the
        class: "Sports: games, teams, players"); default: the label itself, separators
        read as spaces (``"sci.space"`` -> "sci space").
    view : str, default="embedding"

    Returns
    -------
    DataFrame
        One row per theme with passages: ``theme``, ``label``, ``section``, ``subject``
        (the majority label), ``purity`` (its share of the passages), ``size``,
        ``names`` (the label names the subject) and ``names_with_section`` (the label
        with its section before it, as tables show it, names it). The shares of the two
        columns are the check's results.
    """
    import pandas as pd

    from topiclab.themes.labels import label_names

    v = result.views[view]
    passages = result.passages
    rows = []
    for theme in v.table:
        docs = passages.loc[passages[v.column] == theme.id, "doc_id"]
        classes = pd.Series([doc_labels.get(str(d)) for d in docs]).dropna()
        if classes.empty:
            continue
        counts = classes.value_counts()
        subject = str(counts.index[0])
        name = (subjects or {}).get(subject, subject)
        rows.append(
            {
                "theme": theme.id,
                "label": theme.label,
                "section": theme.section,
                "subject": subject,
                "purity": float(counts.iloc[0] / len(classes)),
                "size": len(docs),
                "names": label_names(theme.label, name),
                "names_with_section": label_names(theme.heading, name),
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "theme",
            "label",
            "section",
            "subject",
            "purity",
            "size",
            "names",
            "names_with_section",
        ],
    )


def seed_stability(labelings: Sequence[Sequence[object]]) -> dict[str, float]:
    """Mean and minimum pairwise ARI between the labelings of several seeds."""
    from sklearn.metrics import adjusted_rand_score

    pairs = list(itertools.combinations(range(len(labelings)), 2))
    if not pairs:
        return {"mean_ari": float("nan"), "min_ari": float("nan"), "n_runs": len(labelings)}
    scores = [adjusted_rand_score(labelings[i], labelings[j]) for i, j in pairs]
    return {
        "mean_ari": float(np.mean(scores)),
        "min_ari": float(np.min(scores)),
        "n_runs": len(labelings),
    }
