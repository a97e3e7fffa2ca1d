"""Stability across seeds: whether the themes come back when the seed changes.

The views are refitted with other seeds on the same passages and embeddings (the stages
up to the views only; nothing is re-embedded). Two measures:

* pairwise adjusted Rand index (ARI) of the passage assignments over every pair of runs;
* per theme of the fitted run, its *reappearance*: the share of the other runs that hold
  a theme whose members overlap it with a Jaccard index of at least 0.5 (best match).

A theme that reappears in fewer than half of the other runs is marked unstable.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from topiclab.themes import Analysis

logger = logging.getLogger(__name__)

__all__ = [
    "JACCARD_MATCH",
    "REAPPEAR_MIN",
    "UNSTABLE_MARK",
    "refit_labels",
    "stability_scores",
]

#: Best-match Jaccard index of members at which a theme counts as found again.
JACCARD_MATCH = 0.5
#: Share of the other runs a stable theme must reappear in.
REAPPEAR_MIN = 0.5
#: Appended to the label of an unstable theme.
UNSTABLE_MARK = " [unstable]"


def refit_labels(
    corpus: Any,
    config: Any,
    seeds: Sequence[int],
    *,
    embeddings: np.ndarray | None = None,
    embedder: Any = None,
    progress: bool = False,
) -> dict[str, list[np.ndarray]]:
    """Refit the views with each seed; return each view's passage labels per seed.

    Parameters
    ----------
    corpus : Corpus
    config : RunConfig
        The run's configuration; only its seed changes.
    seeds : sequence of int
    embeddings : ndarray, optional
        The passages' embeddings (given, nothing is embedded again).
    embedder : object, optional
        The embedding model, when ``embeddings`` is not given.
    progress : bool, default=False
        A progress bar over the seeds.

    Returns
    -------
    dict
        View name -> one label array per seed.
    """
    from tqdm.auto import tqdm

    from topiclab.pipeline.base import Pipeline, RunState

    out: dict[str, list[np.ndarray]] = {}
    for seed in tqdm(list(seeds), desc="stability seeds", disable=not progress):
        cfg = config.replace(seed=int(seed), progress=False)
        full = Pipeline.from_config(cfg, embedder=embedder)
        names = full.names()
        keep = [
            s
            for s in full.stages
            if names.index(s.name) <= max(names.index("cluster"), names.index("lda"))
        ]
        state = RunState(texts=[], langs=[], doc_ids=[], corpus=corpus, embeddings=embeddings)
        state.extras["config"] = cfg.to_dict()
        state.extras["seeds"] = cfg.seeds()
        state = Pipeline(keep).fit(state)
        for name, vs in state.views.items():
            labels = np.asarray(vs.labels)
            if labels.size == 0 and vs.membership is not None:
                labels = np.asarray(vs.membership).argmax(axis=1)
            out.setdefault(name, []).append(labels)
    return out


def _reappearance(base: np.ndarray, others: list[np.ndarray], themes: Sequence[int]) -> dict:
    out = {}
    for k in themes:
        members = set(np.flatnonzero(base == k))
        if not members:
            out[int(k)] = 0.0
            continue
        found = 0
        for other in others:
            best = 0.0
            for j in np.unique(other):
                if j < 0:
                    continue
                theirs = set(np.flatnonzero(other == j))
                best = max(best, len(members & theirs) / len(members | theirs))
            found += best >= JACCARD_MATCH
        out[int(k)] = found / len(others) if others else float("nan")
    return out


def stability_scores(
    base: np.ndarray, others: list[np.ndarray], themes: Sequence[int]
) -> dict[str, Any]:
    """Return pairwise ARI over every run and each base theme's reappearance.

    Parameters
    ----------
    base : ndarray
        Passage labels of the fitted run.
    others : list of ndarray
        Passage labels of the runs with other seeds.
    themes : sequence of int
        Theme ids of the fitted run.

    Returns
    -------
    dict
        ``n_runs``, ``ari_mean``, ``ari_min``, ``ari_pairs`` (one value per pair),
        ``reappearance`` (theme -> share of other runs), ``unstable`` (theme ids),
        ``jaccard_match`` and ``reappear_min``.
    """
    from sklearn.metrics import adjusted_rand_score

    runs = [np.asarray(base), *[np.asarray(o) for o in others]]
    pairs = [
        float(adjusted_rand_score(runs[i], runs[j]))
        for i, j in itertools.combinations(range(len(runs)), 2)
    ]
    reappear = _reappearance(np.asarray(base), [np.asarray(o) for o in others], themes)
    return {
        "n_runs": len(runs),
        "ari_mean": float(np.mean(pairs)) if pairs else float("nan"),
        "ari_min": float(np.min(pairs)) if pairs else float("nan"),
        "ari_pairs": pairs,
        "reappearance": {str(k): v for k, v in reappear.items()},
        "unstable": [k for k, v in reappear.items() if v < REAPPEAR_MIN],
        "jaccard_match": JACCARD_MATCH,
        "reappear_min": REAPPEAR_MIN,
    }


def apply_stability(
    result: Any, labels_by_view: dict[str, list[np.ndarray]], seeds: Sequence[int]
) -> Any:
    """Record stability in each view's metrics, mark unstable themes, add a table.

    Unstable themes get :data:`UNSTABLE_MARK` appended to their label (in the theme table
    and the passages' label column). The ``stability`` table has one row per theme of
    every view: ``view``, ``theme``, ``label``, ``reappearance``, ``stable``.
    """
    rows = []
    passages = result.passages
    for name, others in labels_by_view.items():
        if name not in result.views:
            continue
        v = result.views[name]
        column = v.column or "theme"
        if column not in passages:
            continue
        base = passages[column].to_numpy()
        ids = [t.id for t in v.table]
        scores = stability_scores(base, others, ids)
        scores["seeds"] = [int(s) for s in seeds]
        v.metrics["stability"] = scores
        unstable = set(scores["unstable"])
        for t in v.table:
            if t.id in unstable and not t.label.endswith(UNSTABLE_MARK):
                t.label += UNSTABLE_MARK
            rows.append(
                {
                    "view": name,
                    "theme": t.id,
                    "label": t.label,
                    "reappearance": scores["reappearance"][str(t.id)],
                    "stable": t.id not in unstable,
                }
            )
        if v.label_column and v.label_column in passages:
            labels = {t.id: t.label for t in v.table}
            passages[v.label_column] = [labels.get(int(k), "(unassigned)") for k in base]
    info = {
        "seeds": [int(s) for s in seeds],
        "jaccard_match": JACCARD_MATCH,
        "reappear_min": REAPPEAR_MIN,
        **{
            f"{name}_ari_mean": result.views[name].metrics["stability"]["ari_mean"]
            for name in labels_by_view
            if name in result.views and "stability" in result.views[name].metrics
        },
    }
    analyses = dict(result.analyses)
    analyses["stability"] = Analysis(
        "stability", pd.DataFrame(rows), info, "Stability across seeds"
    )
    return result.replace(analyses=analyses)
