"""The stage contract, the run state that flows through the stages, and :class:`Pipeline`.

A :class:`Stage` has a name, is built from its own section of the configuration, and turns
a :class:`RunState` into the next one: :meth:`Stage.fit` fits the stage on the corpus and
applies it to the same data; :meth:`Stage.transform` applies the fitted stage to new texts.
Because a stage's ``fit`` ends by producing exactly what its ``transform`` would, the fitted
model (:class:`~topiclab.pipeline.model.ThemeModel`) reproduces the fit's assignments for
the fit's own passages.

:class:`Pipeline` runs stages in order and times and logs each one the same way.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)

__all__ = [
    "Pipeline",
    "RunState",
    "Stage",
    "ViewState",
    "cpu_seconds",
    "fit_stage",
]


@dataclass
class ViewState:
    """What a view stage found, before it becomes a :class:`~topiclab.themes.View`.

    Attributes
    ----------
    labels : ndarray of shape (n_passages,)
        Each passage's theme (``-1``: unassigned).
    membership : ndarray of shape (n_passages, n_themes)
        Soft membership; rows sum to 1.
    table : ThemeTable or None
        The view's themes (built by the stage when fitting; ``None`` for new texts).
    metrics : dict
        The view's metrics (the score stage adds coherence and diversity).
    features : ndarray or None
        The matrix the view's themes live in, when it has one (the embedding view's
        context-blended passage vectors), for scores and maps.
    doc_mixture : DataFrame or None
        Document mixtures the view infers itself (indexed by ``doc_id``, one column per
        theme), used instead of the length-weighted average of the passage memberships
        (the LDA view fitted on whole documents infers them from the documents' counts).
    """

    labels: np.ndarray
    membership: np.ndarray
    table: Any = None
    metrics: dict[str, Any] = field(default_factory=dict)
    features: np.ndarray | None = None
    doc_mixture: Any = None


@dataclass
class RunState:
    """The data flowing through the stages; each stage reads some fields and sets others.

    Attributes
    ----------
    texts, langs, doc_ids : list of str
        The passages to analyse (text, language code, document id), in one order.
    passages : DataFrame or None
        The passage table (``passage_id``, ``doc_id``, ``lang``, ``text``) when fitting.
    corpus : Corpus or None
        The ingested corpus when fitting.
    tokens : list of list of str or None
        Each passage's tokens (phrases merged), produced once by the vectorise stage and
        reused for counts, LDA and coherence.
    counts : sparse matrix or None
        Passage x term counts.
    feature_names : list of str or None
        The vocabulary, in column order.
    embeddings : ndarray or None
        Passage embeddings.
    vectorizer, embedder : object or None
        The fitted vectoriser and embedder, for stages that need them (guided themes).
    views : dict of str to ViewState
        What each view stage found.
    extras : dict
        Anything else a stage hands on (the map coordinates, the result).
    timings : dict of str to float
        Seconds per stage (``<name>_s``).
    cpu_timings : dict of str to float
        Process CPU seconds per stage (``<name>_s``; all threads, and the processes a
        stage starts): on a shared machine the wall seconds grow with the load, these
        much less.
    """

    texts: list[str]
    langs: list[str]
    doc_ids: list[str]
    passages: pd.DataFrame | None = None
    corpus: Any = None
    tokens: list[list[str]] | None = None
    counts: Any = None
    feature_names: list[str] | None = None
    embeddings: np.ndarray | None = None
    vectorizer: Any = None
    embedder: Any = None
    views: dict[str, ViewState] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    cpu_timings: dict[str, float] = field(default_factory=dict)

    @classmethod
    def for_texts(
        cls,
        texts: Sequence[str],
        langs: Sequence[str] | None = None,
        doc_ids: Sequence[str] | None = None,
        embeddings: np.ndarray | None = None,
    ) -> RunState:
        """Make the state of new texts to assign (each its own document unless told)."""
        texts = [str(t) for t in texts]
        return cls(
            texts=texts,
            langs=list(langs) if langs is not None else _detect(texts),
            doc_ids=[str(d) for d in doc_ids]
            if doc_ids is not None
            else [str(i) for i in range(len(texts))],
            embeddings=None if embeddings is None else np.asarray(embeddings),
        )


def _detect(texts: Sequence[str]) -> list[str]:
    from topiclab.ingest.lang import detect

    return [detect(t) for t in texts]


class Stage:
    """One step of the pipeline.

    Subclasses set :attr:`name`, take their configuration section in the constructor
    (and only that), and implement :meth:`fit`. Stages whose output new texts need
    (vectorise, embed, the views) also implement :meth:`transform`; ``requires`` names the
    stages whose transform must run first.

    Attributes
    ----------
    name : str
        Unique name within a pipeline; the timing key is ``f"{name}_s"``.
    requires : tuple of str
        Stages that must have transformed a state before this one's :meth:`transform`.
    after : tuple of str or None
        Stages whose :meth:`fit` must have run before this one's (``None``: all earlier
        stages). :class:`Pipeline` with ``n_jobs > 1`` overlaps stages that do not
        depend on each other.
    concurrent : bool
        Whether :meth:`fit` may run in a worker process (see :mod:`.concurrent`).
    """

    name: str = "stage"
    requires: tuple[str, ...] = ()
    #: Stages whose :meth:`fit` must have run before this one's; ``None`` (the default):
    #: every stage before it in the pipeline, so a stage that declares nothing runs in order.
    after: tuple[str, ...] | None = None
    #: Whether :meth:`fit` may run in a worker process beside other stages: it only reads
    #: the state and sets fields, views and extras of its own (no change in place to
    #: objects other stages hold), and its fitted attributes can be pickled.
    concurrent: bool = False

    def fit(self, state: RunState) -> RunState:
        """Fit the stage on ``state`` and apply it to the same data."""
        raise NotImplementedError

    def transform(self, state: RunState) -> RunState:
        """Apply the fitted stage to new texts (a no-op for fit-only stages)."""
        return state

    def after_given(self, state: RunState) -> tuple[str, ...] | None:
        """Return :attr:`after` as the run so far allows (``state``: after the stages done).

        A stage whose inputs depend on the data (LDA needs the embeddings only to join
        passages across languages) narrows :attr:`after` here; :class:`Pipeline` with
        ``n_jobs > 1`` asks again each time a stage finishes.
        """
        return self.after

    @property
    def fitted(self) -> bool:
        """Whether :meth:`fit` has run."""
        return getattr(self, "_fitted", False)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


class Pipeline:
    """Stages run in order, each timed and logged the same way.

    Parameters
    ----------
    stages : iterable of Stage
        The stages; names must be unique.
    progress : bool, default=False
        Log each stage at INFO level (DEBUG otherwise).
    n_jobs : int or None, default=1
        Stages fitted at the same time: ``1`` runs them one after another; ``2`` or more
        fits a stage marked ``concurrent`` whose ``after`` stages are done in a forked
        worker process while the pipeline goes on with the next stage; ``None`` or
        ``-1``: the machine's cores. Results are the same for every value.

    Examples
    --------
    >>> from topiclab.config import RunConfig
    >>> from topiclab.pipeline import Pipeline
    >>> Pipeline.from_config(RunConfig()).names()
    ['prepare', 'vectorize', 'embed', 'cluster', 'lda', 'score', 'map', 'sections', 'assemble', 'analyze']
    """

    def __init__(
        self, stages: Iterable[Stage], *, progress: bool = False, n_jobs: int | None = 1
    ) -> None:
        self.stages = list(stages)
        names = self.names()
        if len(set(names)) != len(names):
            raise ValueError(f"stage names must be unique, got {names}")
        self.progress = progress
        self.n_jobs = n_jobs

    @classmethod
    def from_config(cls, config: Any, **overrides: Any) -> Pipeline:
        """Build the default stages from ``config``; see :func:`default_stages`."""
        from topiclab.pipeline.stages import default_stages

        return cls(
            default_stages(config, **overrides),
            progress=config.progress,
            n_jobs=getattr(config, "n_jobs", 1),
        )

    def names(self) -> list[str]:
        """Stage names in run order."""
        return [s.name for s in self.stages]

    def __getitem__(self, name: str) -> Stage:
        for stage in self.stages:
            if stage.name == name:
                return stage
        raise KeyError(f"no stage named {name!r} (stages: {self.names()})")

    def replace(self, name: str, stage: Stage) -> Pipeline:
        """Return a pipeline with the stage called ``name`` replaced by ``stage``."""
        self[name]
        return Pipeline(
            [stage if s.name == name else s for s in self.stages],
            progress=self.progress,
            n_jobs=self.n_jobs,
        )

    def fit(self, state: RunState) -> RunState:
        """Fit every stage; record each stage's wall and CPU seconds in ``state.timings``.

        With ``n_jobs`` above 1 independent stages overlap (:mod:`.concurrent`);
        ``state.extras["concurrency"]`` then says which ran in a worker, when each stage
        started and ended, and the whole fit's wall time.
        """
        from topiclab.pipeline.concurrent import effective_jobs, fit_concurrently, run_size

        jobs = effective_jobs(self.n_jobs, run_size(state))
        if jobs > 1:
            return fit_concurrently(self, state, jobs)
        for stage in self.stages:
            state = fit_stage(stage, state, progress=self.progress)
        return state

    def transform(self, state: RunState, until: str | None = None) -> RunState:
        """Apply the fitted stages a view needs (all with a transform when ``until`` is None).

        Parameters
        ----------
        state : RunState
            New texts (:meth:`RunState.for_texts`).
        until : str, optional
            A stage name: only it and the stages it requires (transitively) run.
        """
        wanted = None if until is None else self.requirements(until)
        for stage in self.stages:
            if wanted is None or stage.name in wanted:
                state = stage.transform(state)
        return state

    def requirements(self, name: str) -> set[str]:
        """Return the stage ``name`` and every stage it requires, transitively."""
        out, todo = set(), [name]
        while todo:
            n = todo.pop()
            if n not in out:
                out.add(n)
                todo.extend(self[n].requires)
        return out


def fit_stage(stage: Stage, state: RunState, *, progress: bool = False) -> RunState:
    """Fit one stage on ``state``, log it and record its wall and CPU seconds.

    Parameters
    ----------
    stage : Stage
    state : RunState
    progress : bool, default=False
        Log at INFO level (DEBUG otherwise).

    Returns
    -------
    RunState
        The stage's output, with ``timings`` and ``cpu_timings`` of ``f"{name}_s"`` set.
    """
    level = logging.INFO if progress else logging.DEBUG
    t, cpu = time.perf_counter(), cpu_seconds()
    logger.log(level, "stage %s ...", stage.name)
    state = stage.fit(stage_input(state))
    stage._fitted = True
    seconds = time.perf_counter() - t
    state.timings[f"{stage.name}_s"] = seconds
    state.cpu_timings[f"{stage.name}_s"] = cpu_seconds() - cpu
    logger.log(level, "stage %s done in %.1fs", stage.name, seconds)
    return state


def cpu_seconds() -> float:
    """Return this process's CPU seconds and those of the processes it started and reaped.

    A stage that tokenises over a pool of processes counts their CPU time as its own.
    """
    try:
        import resource
    except ImportError:  # not on Unix
        return time.process_time()
    child = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + child.ru_utime + child.ru_stime


def stage_input(state: RunState) -> RunState:
    """Return the state handed to the next stage (the identity; a hook for engines that copy)."""
    return state
