"""Fit independent stages at the same time: one in a forked worker process, the rest here.

:meth:`Pipeline.fit <topiclab.pipeline.base.Pipeline.fit>` with ``n_jobs > 1`` calls
:func:`fit_concurrently`, a small scheduler over the stages' ``after`` declarations (the
stages whose fit must come first; ``None``: every earlier stage). It walks the stages in
pipeline order; whenever a stage marked ``concurrent`` is ready while another ready stage
can go on here (or this process would only wait for a worker), that stage is fitted in a
forked worker process (up to ``n_jobs - 1`` at a time), and the pipeline goes on here with
the next stage. A stage whose ``after`` includes a stage still in a worker waits for that
worker's result; a worker that has finished frees its core at once, and its results are
merged when nothing is left to fit here. Stages' ``after`` are asked again as the run goes
(:meth:`~topiclab.pipeline.base.Stage.after_given`): LDA on one language does not wait for
the embeddings.

Why processes, not threads: the heavy steps of the two views hold the GIL for much of their
time (UMAP's and pynndescent's numba code, the LDA E-step's NumPy loops, Python-level
loops over passages), so threads would mostly take turns. A forked worker starts with the
run state as it is (no copy is made up front; pages are shared until written, and
``gc.freeze`` keeps the collector from touching them) and sends back only what its stage
changed: the fields, views and extras it set (compared by identity with the state it
started from) and the fitted stage's attributes. The stage's results are therefore the
same as in a sequential run; ``tests/test_concurrent.py`` checks it.

The worker's own wall and CPU seconds are recorded as the stage's timings;
``state.extras["concurrency"]`` records the number of jobs, which stages ran in a worker
(with their peak memory), each stage's start and end (seconds from the start of the
fit), the fit's wall seconds and the seconds during which stages overlapped.

Forking needs the ``fork`` start method (Linux, most Unix systems); elsewhere the stages
run one after another.
"""

from __future__ import annotations

import dataclasses
import gc
import logging
import multiprocessing
import resource
import sys
import time
import traceback
from dataclasses import dataclass
from typing import Any

from topiclab.pipeline.base import RunState, Stage, cpu_seconds, fit_stage, stage_input

logger = logging.getLogger(__name__)

__all__ = [
    "MIN_PASSAGES",
    "effective_jobs",
    "fit_concurrently",
    "run_size",
    "stage_dependencies",
]

#: Fewest passages for which ``n_jobs=None`` (the machine's cores) overlaps stages; below
#: it starting a worker costs more than it saves. An explicit ``n_jobs`` always applies.
MIN_PASSAGES = 2_000

_DICTS = ("views", "extras", "timings", "cpu_timings")


def fork_available() -> bool:
    """Return whether worker processes can be forked on this platform."""
    return "fork" in multiprocessing.get_all_start_methods()


def machine_cores() -> int:
    """Return the CPU cores this process may use."""
    from topiclab.features.embed import cpu_threads

    return cpu_threads()


def effective_jobs(n_jobs: int | None, n_passages: int | None = None) -> int:
    """Return how many stages may be fitted at once.

    Parameters
    ----------
    n_jobs : int or None
        ``None``: the machine's cores (1 below :data:`MIN_PASSAGES` passages); a negative
        number counts back from the cores as in joblib (``-1``: all of them).
    n_passages : int, optional
        The run's passages, for ``n_jobs=None``.

    Examples
    --------
    >>> effective_jobs(1), effective_jobs(None, n_passages=10)
    (1, 1)
    """
    if n_jobs is None:
        if n_passages is not None and n_passages < MIN_PASSAGES:
            return 1
        jobs = machine_cores()
    elif n_jobs < 0:
        jobs = machine_cores() + 1 + int(n_jobs)
    else:
        jobs = int(n_jobs)
    if jobs > 1 and not fork_available():
        logger.debug("no fork start method on this platform: stages run one after another")
        return 1
    return max(1, jobs)


def stage_dependencies(stages: list[Stage], state: RunState | None = None) -> dict[str, set[str]]:
    """Return, for each stage, the stages of the pipeline whose fit must come first.

    ``after=None`` means every earlier stage; names of stages absent from the pipeline
    are dropped (a pipeline without a ``cluster`` stage does not wait for one). With
    ``state`` (the run so far) each stage's :meth:`~topiclab.pipeline.base.Stage.after_given`
    decides.
    """
    names = [s.name for s in stages]
    deps = {}
    for i, stage in enumerate(stages):
        after = stage.after if state is None else stage.after_given(state)
        deps[stage.name] = set(names[:i]) if after is None else set(after) & set(names)
    return deps


@dataclass
class _Worker:
    stage: Stage
    process: Any
    conn: Any
    started: float
    received: bool = False  # its message read and its process joined: its core is free
    message: Any = None

    def collect(self, wait: bool = False) -> bool:
        """Read the worker's message once it has sent it (``wait``: block for it)."""
        if not self.received and (wait or self.conn.poll()):
            try:
                self.message = self.conn.recv()
            except EOFError:  # the worker died without a word
                self.message = None
            self.process.join()
            self.conn.close()
            self.received = True
        return self.received


def fit_concurrently(pipeline: Any, state: RunState, n_jobs: int) -> RunState:
    """Fit the pipeline's stages, overlapping independent ones (see the module docstring).

    Parameters
    ----------
    pipeline : Pipeline
    state : RunState
    n_jobs : int
        Stages at once (this process and ``n_jobs - 1`` workers).

    Returns
    -------
    RunState
        As :meth:`Pipeline.fit` returns it sequentially, with ``extras["concurrency"]``.
    """
    stages = list(pipeline.stages)
    done: set[str] = set()
    pending = list(stages)
    workers: list[_Worker] = []
    t0 = time.perf_counter()
    record: dict[str, Any] = {"n_jobs": int(n_jobs), "workers": {}, "stages": {}}
    state.extras["concurrency"] = record
    try:
        while pending or workers:
            deps = stage_dependencies(stages, state)  # what the run knows now may free some
            ready = [s for s in pending if deps[s.name] <= done]
            for stage in ready:  # hand ready stages to free workers, keeping one for here
                here = [s for s in ready if s in pending and s is not stage]
                # a worker that has finished frees its core now; its changes are merged
                # below, when nothing is left to fit here (so the order does not depend
                # on which process finished first)
                busy = sum(not w.collect() for w in workers)
                # a worker pays when this process has another stage to fit, or would only
                # wait for a worker's result otherwise
                if busy >= n_jobs - 1 or not stage.concurrent or not (here or workers):
                    continue
                workers.append(_start(stage, state))
                pending.remove(stage)
                logger.debug("stage %s fitted in a worker process", stage.name)
            here = [s for s in ready if s in pending]
            if here:
                stage = here[0]
                start = time.perf_counter() - t0
                state = fit_stage(stage, state, progress=pipeline.progress)
                record["stages"][stage.name] = [start, time.perf_counter() - t0]
                pending.remove(stage)
                done.add(stage.name)
            elif workers:
                worker = workers.pop(0)
                state = _finish(worker, state, record, t0, pipeline.progress)
                done.add(worker.stage.name)
            else:  # cannot happen with dependencies on earlier stages only
                names = [s.name for s in pending]
                raise RuntimeError(f"stages {names} wait for each other")
    finally:
        for worker in workers:  # an error here: stop the workers still running
            worker.process.terminate()
            worker.process.join()
    # the views in pipeline order, as a sequential fit leaves them, whichever process
    # finished first
    rank = {getattr(s, "view", None): i for i, s in enumerate(stages)}
    state.views = dict(sorted(state.views.items(), key=lambda kv: rank.get(kv[0], len(rank))))
    _summarise(record, stages, state, time.perf_counter() - t0)
    return state


def _start(stage: Stage, state: RunState) -> _Worker:
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    gc.collect()
    gc.freeze()  # the worker's collector leaves the shared objects (and their pages) alone
    try:
        # not a daemon: the stage may start processes of its own; stopped on an error
        process = ctx.Process(
            target=_work, args=(stage, state, send), name=f"topiclab-{stage.name}"
        )
        process.start()
    finally:
        gc.unfreeze()
    send.close()
    return _Worker(stage, process, receive, time.perf_counter())


def _work(stage: Stage, state: RunState, conn: Any) -> None:
    """Fit ``stage`` in the worker and send back what it changed (runs after the fork)."""
    from topiclab import progress

    progress.set_bar_position(1)  # below the bar of the stage running in the parent
    private = _PrivateMemory()
    before = {
        f.name: dict(v) if f.name in _DICTS else v
        for f in dataclasses.fields(RunState)
        for v in [getattr(state, f.name)]
    }
    t, cpu = time.perf_counter(), cpu_seconds()
    try:
        out = stage.fit(stage_input(state))
        stage._fitted = True
        message: tuple = (
            "ok",
            stage.__dict__,
            _changes(before, out),
            time.perf_counter() - t,
            cpu_seconds() - cpu,
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            private.stop(),
        )
    except BaseException as exc:  # handed to the parent, raised there
        message = ("error", exc, traceback.format_exc())
    try:
        conn.send(message)
    except Exception as exc:  # an unpicklable result or exception
        conn.send(("error", None, f"{traceback.format_exc()}\n{type(exc).__name__}: {exc}"))
    conn.close()


class _PrivateMemory:
    """Peak of the worker's own memory, sampled each second (Linux; ``None`` elsewhere).

    A forked worker's RSS counts the pages it shares with the main process; its private
    pages (``Private_Clean`` + ``Private_Dirty`` of ``/proc/self/smaps_rollup``) are
    what it adds to the machine's memory.
    """

    def __init__(self, every_s: float = 1.0) -> None:
        import threading

        self.peak: float | None = self._read()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, args=(every_s,), daemon=True)
        if self.peak is not None:
            self._thread.start()

    @staticmethod
    def _read() -> float | None:
        try:
            with open("/proc/self/smaps_rollup", encoding="ascii") as fh:
                kb = sum(int(line.split()[1]) for line in fh if line.startswith("Private_"))
        except (OSError, ValueError, IndexError):
            return None
        return kb / 1024

    def _watch(self, every_s: float) -> None:
        while not self._stop.wait(every_s):
            now = self._read()
            if now is not None and self.peak is not None:
                self.peak = max(self.peak, now)

    def stop(self) -> float | None:
        """Stop sampling; return the peak private memory in MiB (``None``: unknown)."""
        self._stop.set()
        now = self._read()
        if now is not None and self.peak is not None:
            self.peak = max(self.peak, now)
        return self.peak


def _changes(before: dict[str, Any], state: RunState) -> dict[str, Any]:
    """Return what the stage set on ``state``: new field values and dictionary entries."""
    out: dict[str, Any] = {"fields": {}, "set": {}, "removed": {}}
    for f in dataclasses.fields(RunState):
        now, old = getattr(state, f.name), before[f.name]
        if f.name in _DICTS:
            out["set"][f.name] = {k: v for k, v in now.items() if k not in old or old[k] is not v}
            out["removed"][f.name] = [k for k in old if k not in now]
        elif now is not old:
            out["fields"][f.name] = now
    return out


def _finish(
    worker: _Worker, state: RunState, record: dict[str, Any], t0: float, progress: bool
) -> RunState:
    """Wait for a worker, merge its stage's changes into ``state`` (or raise its error)."""
    name = worker.stage.name
    worker.collect(wait=True)
    message = worker.message
    if message is None:  # the worker died without a word (killed, out of memory)
        logger.warning(
            "the worker fitting stage %s stopped (exit code %s); fitting it here instead",
            name,
            worker.process.exitcode,
        )
        start = time.perf_counter() - t0
        state = fit_stage(worker.stage, state, progress=progress)
        record["stages"][name] = [start, time.perf_counter() - t0]
        return state
    if message[0] == "error":
        _, exc, text = message
        if isinstance(exc, BaseException):
            raise exc
        raise RuntimeError(f"stage {name} failed in its worker process:\n{text}")
    _, attributes, changes, wall, cpu, rss_mb, private_mb = message
    worker.stage.__dict__.update(attributes)
    for field_name, value in changes["fields"].items():
        setattr(state, field_name, value)
    for field_name in _DICTS:
        target = getattr(state, field_name)
        for key in changes["removed"][field_name]:
            target.pop(key, None)
        target.update(changes["set"][field_name])
    state.timings[f"{name}_s"] = wall
    state.cpu_timings[f"{name}_s"] = cpu
    start = worker.started - t0
    record["stages"][name] = [start, start + wall]
    record["workers"][name] = {
        "peak_rss_mb": round(float(rss_mb), 1),
        "peak_private_mb": None if private_mb is None else round(float(private_mb), 1),
    }
    level = logging.INFO if progress else logging.DEBUG
    logger.log(level, "stage %s done in %.1fs (worker process)", name, wall)
    return state


def _summarise(record: dict[str, Any], stages: list[Stage], state: RunState, wall: float) -> None:
    """Round the stage spans, add the fit's wall time and overlap; order the timings."""
    spans = record["stages"]
    record["stages"] = {
        s.name: [round(spans[s.name][0], 3), round(spans[s.name][1], 3)] for s in stages
    }
    busy = sum(b - a for a, b in spans.values())
    record["fit_wall_s"] = round(wall, 3)
    record["stage_wall_sum_s"] = round(busy, 3)
    record["overlap_s"] = round(max(0.0, busy - wall), 3)
    order = [f"{s.name}_s" for s in stages]
    for timings in (state.timings, state.cpu_timings):  # pipeline order, as sequentially
        items = sorted(timings.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else -1)
        timings.clear()
        timings.update(items)


def run_size(state: RunState) -> int:
    """Return the passages a fit will see (the corpus's, before the prepare stage)."""
    if state.texts:
        return len(state.texts)
    passages = getattr(state.corpus, "passages", None)
    return 0 if passages is None else len(passages)
