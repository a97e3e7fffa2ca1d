"""The main job: corpus -> stages -> plain-data result and fitted model.

:func:`run` is a thin wrapper: it ingests (when given a path), builds the default
:class:`~topiclab.pipeline.base.Pipeline` from the configuration (or takes one), fits it,
and returns the result with the fitted model.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

import numpy as np

from topiclab.config import RunConfig
from topiclab.ingest.corpus import Corpus
from topiclab.pipeline.base import Pipeline, RunState, cpu_seconds
from topiclab.pipeline.model import ThemeModel

logger = logging.getLogger(__name__)

__all__ = ["load_or_run", "run"]


def run(
    source: str | os.PathLike[str] | Corpus,
    config: RunConfig | None = None,
    *,
    embeddings: np.ndarray | None = None,
    embedder: Any = None,
    clusterer: Any = None,
    pipeline: Pipeline | None = None,
    engine: str = "memory",
    **engine_options: Any,
) -> tuple[Any, ThemeModel]:
    """Run the whole analysis on a corpus.

    Parameters
    ----------
    source : path or Corpus
        A file or folder to ingest, or an already ingested :class:`Corpus`.
    config : RunConfig, optional
        Parameters; defaults throughout when ``None``.
    embeddings : ndarray, optional
        Precomputed passage embeddings (same order as the passages).
    embedder : object, optional
        An embedding model to use instead of the configured one: a
        :class:`~topiclab.features.embed.SentenceEmbedder` or any object with
        ``encode(texts)``.
    clusterer : scikit-learn clusterer, optional
        A clusterer (e.g. ``AgglomerativeClustering(n_clusters=8)``) to use instead of
        the built-in clustering of the embedding view.
    pipeline : Pipeline, optional
        The stages to run; by default :meth:`Pipeline.from_config` with the two options
        above.
    engine : {"memory", "spark"}, default="memory"
        Where the stages run: in this process, or on Spark
        (:func:`topiclab.engines.spark.run_spark`, given ``engine_options`` such as
        ``master="local[*]"``, ``options=SparkOptions(...)``, ``text_column``).
    **engine_options
        Passed to the engine.

    Returns
    -------
    result : RunResult
        Plain-data outputs (tables, views, metrics).
    model : ThemeModel
        The fitted stages, able to assign new texts.

    Examples
    --------
    >>> from topiclab.pipeline import run
    >>> result, model = run("corpus/")                    # doctest: +SKIP
    >>> print(result.summary())                           # doctest: +SKIP
    """
    config = config or RunConfig()
    if engine == "spark":
        from topiclab.engines.spark import run_spark

        if embeddings is not None or clusterer is not None:
            raise TypeError("the Spark engine takes an embedder, not embeddings= or clusterer=")
        return run_spark(source, config, embedder=embedder, pipeline=pipeline, **engine_options)
    if engine != "memory":
        raise ValueError(f"engine must be 'memory' or 'spark', got {engine!r}")
    if engine_options:
        raise TypeError(f"unexpected options for the in-memory engine: {sorted(engine_options)}")
    # CPU seconds of this process and the processes it reaped, as each stage counts them
    t0, cpu0 = time.perf_counter(), cpu_seconds()
    if isinstance(source, Corpus):
        corpus = source
    else:
        from topiclab.ingest import load

        corpus = load(source, progress=config.progress, n_jobs=config.n_jobs)
    ingest_s = time.perf_counter() - t0
    ingest_cpu_s = cpu_seconds() - cpu0
    if config.speed is None:
        from topiclab.pipeline.speed import choose_speed

        if embeddings is not None:  # given for the corpus's own passages: keep them
            speed, reason = "best", "precomputed passage embeddings were given"
        else:
            speed, reason = choose_speed(
                len(corpus.passages), languages=_passage_languages(corpus, config)
            )
        logger.info("speed=%s chosen: %s (set --speed / speed= to override)", speed, reason)
        config = config.replace(speed=speed)
    if pipeline is None:
        pipeline = Pipeline.from_config(config, embedder=embedder, clusterer=clusterer)
    elif embedder is not None or clusterer is not None:
        raise TypeError("pass embedder/clusterer through the pipeline's stages, not both")
    state = RunState(texts=[], langs=[], doc_ids=[], corpus=corpus, embeddings=embeddings)
    state.timings["ingest_s"] = ingest_s
    state.cpu_timings["ingest_s"] = ingest_cpu_s
    state.extras["config"] = config.to_dict()
    state.extras["seeds"] = config.seeds()
    state = pipeline.fit(state)
    result = state.extras["result"]
    state.timings["total_s"] = time.perf_counter() - t0
    state.cpu_timings["total_s"] = cpu_seconds() - cpu0
    logger.info("run finished in %.1fs", state.timings["total_s"])
    return result, ThemeModel(pipeline, result)


def _passage_languages(corpus: Any, config: Any) -> list[str] | None:
    """Passage languages that pick the embedding model (``None``: they do not pick it)."""
    if getattr(config, "embedding_model", None) or getattr(config, "lang_mode", "auto") != "auto":
        return None
    if "lang" not in getattr(corpus.passages, "columns", ()):
        return None
    return [str(x) for x in corpus.passages["lang"].dropna().unique()]


def load_or_run(
    run_dir: str | os.PathLike[str] | None = None,
    corpus_path: str | os.PathLike[str] | None = None,
    seed: int = 0,
) -> Any:
    """Return a saved run's result, or a fresh run's on ``corpus_path`` (default: bundled).

    Notebooks and scripts take either a run folder to read or a corpus to analyse.

    Examples
    --------
    >>> result = load_or_run("runs/latest")               # doctest: +SKIP
    """
    if run_dir:
        from topiclab.storage.runs import load_result

        return load_result(run_dir)
    from topiclab.paths import default_corpus

    result, _model = run(corpus_path or default_corpus(), RunConfig(seed=seed, progress=False))
    return result
