"""The analyze stage: derived tables of the assembled result, and the novelty threshold.

Runs after ``assemble``: attaches themes over time (when documents have dates), themes by
each ``by`` column and the theme tree (:func:`topiclab.analysis.with_analyses`), and
records in the embedding view's metrics the distance from a passage to its nearest theme
centre that 95 % of the fitted passages stay within (``novelty_threshold``), which
:func:`topiclab.analysis.assign_new` uses to flag new articles that fit no theme.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from topiclab.pipeline.base import RunState, Stage

logger = logging.getLogger(__name__)

__all__ = ["NOVELTY_PERCENTILE", "AnalyzeStage", "nearest_distance"]

#: Percentile of the fitted passages' distances above which a new passage is "new".
NOVELTY_PERCENTILE = 95.0


def nearest_distance(features: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """Return the cosine distance from each row of ``features`` to its nearest centre."""
    x = np.asarray(features, dtype=np.float64)
    c = np.asarray(centers, dtype=np.float64)
    xn = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    cn = c / np.maximum(np.linalg.norm(c, axis=1, keepdims=True), 1e-12)
    if len(xn) == 0 or len(cn) == 0:
        return np.zeros(len(xn))
    return 1.0 - (xn @ cn.T).max(axis=1)


class AnalyzeStage(Stage):
    """Attach the derived tables to the result (a fit-only stage).

    Parameters
    ----------
    section : AnalyzeSection
        ``date_field``, ``time_bin`` and ``by``.
    """

    name = "analyze"
    requires = ("assemble",)

    def __init__(self, section: Any) -> None:
        self.section = section

    def fit(self, state: RunState) -> RunState:
        """Replace ``state.extras["result"]`` by the result with its derived tables."""
        from topiclab.analysis.attach import with_analyses

        result = state.extras.get("result")
        if result is None or "embedding" not in result.views:
            return state
        s = self.section
        view = state.views.get("embedding")
        centers = state.extras.get("cluster_centers")
        if view is not None and centers is not None and view.features is not None:
            dist = nearest_distance(view.features, centers)
            if dist.size:
                metrics = result.views["embedding"].metrics
                metrics["novelty_threshold"] = float(np.percentile(dist, NOVELTY_PERCENTILE))
                metrics["novelty_percentile"] = NOVELTY_PERCENTILE
        model = _CentersOnly(centers) if centers is not None else None
        # the run's own tokens (one per passage row): the corpus is tokenised once
        tokens = state.tokens
        if tokens is None or len(tokens) != len(result.passages):
            tokens = None
        result = with_analyses(
            result,
            model,
            over_time=True if s.date_field else None,
            date_column=s.date_field,
            bin=s.time_bin,
            by=s.by,
            tokens=tokens,
        )
        if getattr(s, "stability", 0) >= 2:
            result = self._stability(state, result, int(s.stability))
        state.extras["result"] = result
        return state

    def _stability(self, state: RunState, result: Any, n_runs: int) -> Any:
        """Refit the views with ``n_runs - 1`` other seeds and record their stability."""
        from topiclab.analysis.stability import apply_stability, refit_labels
        from topiclab.config import RunConfig

        config = RunConfig.from_dict(state.extras.get("config", {}))
        seeds = [config.seed + i for i in range(1, n_runs)]
        logger.info("stability: refitting the views with seeds %s", seeds)
        labels = refit_labels(
            state.corpus,
            config,
            seeds,
            embeddings=state.embeddings,
            embedder=state.embedder,
            progress=config.progress,
        )
        return apply_stability(result, labels, [config.seed, *seeds])


class _CentersOnly:
    """Just enough of a fitted model for the theme tree: the cluster centres."""

    def __init__(self, centers: np.ndarray) -> None:
        self.clusterer = type("_C", (), {"cluster_centers_": centers})()
