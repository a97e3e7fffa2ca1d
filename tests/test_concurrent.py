"""Stages fitted at the same time (``n_jobs``): the same results as one after another."""

from __future__ import annotations

import os
import time

import numpy as np
import pytest

from topiclab.config import RunConfig
from topiclab.errors import ConfigError, CorpusError
from topiclab.pipeline import Pipeline, RunState, Stage
from topiclab.pipeline.concurrent import effective_jobs, fork_available, stage_dependencies

needs_fork = pytest.mark.skipif(not fork_available(), reason="no fork start method")


@pytest.fixture(scope="module")
def two_jobs_run(seed_corpus):
    """The seed run of ``seed_run`` with the LDA view fitted in a worker process."""
    from topiclab.pipeline import run

    return run(seed_corpus, RunConfig(seed=0, progress=False, n_jobs=2))


@pytest.mark.slow
@needs_fork
def test_two_jobs_give_the_sequential_results(seed_run, two_jobs_run):
    (one, one_model), (two, two_model) = seed_run, two_jobs_run
    assert "concurrency" not in one.meta  # the seed corpus is below the automatic threshold
    assert list(one.views) == list(two.views) == ["embedding", "lda"]
    for name in one.views:
        assert one.views[name].table.to_frame().equals(two.views[name].table.to_frame())
        assert one.views[name].mixture.equals(two.views[name].mixture)
        assert one.views[name].metrics == two.views[name].metrics
    assert one.passages.equals(two.passages)  # labels, scores and map coordinates
    assert one.documents.equals(two.documents)
    assert list(one.meta["timings"]) == list(two.meta["timings"])
    texts = ["Wind farms and battery storage for the grid", "The central bank raised rates"]
    np.testing.assert_array_equal(one_model.predict_ids(texts), two_model.predict_ids(texts))


@pytest.mark.slow
@needs_fork
def test_two_jobs_record_the_worker_and_the_overlap(two_jobs_run):
    result, model = two_jobs_run
    record = result.meta["concurrency"]
    assert record["n_jobs"] == 2
    # LDA always goes to the worker (the embeddings are still to come here); the map does
    # too when the worker is free again by the time the clustering is done, which depends
    # on how fast each process ran
    workers = record["workers"]
    assert "lda" in workers and set(workers) <= {"lda", "map"}
    for worker in workers.values():
        assert worker["peak_rss_mb"] > 0
        assert (
            worker["peak_private_mb"] is None
            or 0 < worker["peak_private_mb"] <= worker["peak_rss_mb"]
        )
    spans = record["stages"]
    assert set(spans) == set(model.pipeline.names())
    lda, cluster = spans["lda"], spans["cluster"]
    here = [spans[name] for name in spans if name not in workers]
    assert any(a < lda[1] and lda[0] < b for a, b in here)  # LDA overlapped a stage here
    if "map" in workers:  # one worker at a time with two jobs
        assert spans["map"][0] >= lda[1] - 0.01 and spans["map"][0] >= cluster[1] - 0.01
    assert spans["score"][0] >= max(lda[1], cluster[1])  # scores wait for both views
    assert record["fit_wall_s"] <= record["stage_wall_sum_s"]
    assert record["overlap_s"] == pytest.approx(
        max(0.0, record["stage_wall_sum_s"] - record["fit_wall_s"]), abs=0.01
    )
    assert result.meta["timings"]["lda_s"] == pytest.approx(lda[1] - lda[0], abs=0.01)


class _Put(Stage):
    """A toy stage: sets ``extras[name]`` from the extras it reads."""

    def __init__(
        self,
        name,
        after=None,
        reads=(),
        concurrent=False,
        fail=None,
        die=False,
        sleep=0.0,
        until=None,
        touch=None,
    ):
        self.name, self.after, self.reads = name, after, reads
        self.concurrent, self.fail, self.die, self.sleep = concurrent, fail, die, sleep
        self.until, self.touch = until, touch  # a file to wait for, a file to write at the end

    def fit(self, state):
        end = time.monotonic() + 60
        while self.until is not None and not self.until.exists() and time.monotonic() < end:
            time.sleep(0.01)
        time.sleep(self.sleep)
        if self.die and os.getpid() != state.extras["parent"]:
            os._exit(3)  # the worker process is killed
        if self.fail is not None:
            raise self.fail
        self.seen_ = [state.extras.get(r) for r in self.reads]
        state.extras[self.name] = (self.name, os.getpid() != state.extras["parent"])
        if self.touch is not None:
            self.touch.touch()
        return state


def _state() -> RunState:
    state = RunState(texts=["a", "b", "c"], langs=["en"] * 3, doc_ids=["1", "2", "3"])
    state.extras["parent"] = os.getpid()
    return state


@needs_fork
def test_a_concurrent_stage_runs_in_a_worker_and_hands_back_its_changes():
    stages = [
        _Put("a", after=()),
        _Put("b", after=("a",), reads=("a",), concurrent=True),
        _Put("c", after=("a",), reads=("a",)),
        _Put("d", reads=("b", "c")),
    ]
    state = Pipeline(stages, n_jobs=2).fit(_state())
    assert state.extras["b"] == ("b", True)  # fitted in the worker
    assert state.extras["c"] == ("c", False)
    assert stages[1].seen_ == [("a", False)]  # the worker's fitted attributes came back
    assert stages[1].fitted
    assert stages[3].seen_ == [("b", True), ("c", False)]  # d waited for both
    assert set(state.timings) == {"a_s", "b_s", "c_s", "d_s"}
    assert list(state.extras["concurrency"]["workers"]) == ["b"]


@needs_fork
def test_a_lone_ready_stage_is_fitted_here():
    stages = [_Put("a", after=()), _Put("b", after=("a",), concurrent=True)]
    state = Pipeline(stages, n_jobs=2).fit(_state())
    assert state.extras["b"] == ("b", False)  # nothing to overlap it with
    assert state.extras["concurrency"]["workers"] == {}


@needs_fork
def test_a_finished_worker_frees_its_core_for_the_next_stage(tmp_path):
    """b ends in its worker while c runs here; m (after c) then takes the free core while
    this process waits to merge b for s."""
    flag = tmp_path / "b-done"
    stages = [
        _Put("a", after=()),
        _Put("b", after=("a",), concurrent=True, touch=flag),
        _Put("c", after=("a",), until=flag, sleep=0.5),  # b's worker has sent its result
        _Put("m", after=("c",), reads=("c",), concurrent=True, sleep=0.5),
        _Put("s", after=("b",), reads=("b",)),
        _Put("end", reads=("m", "s")),
    ]
    state = Pipeline(stages, n_jobs=2).fit(_state())
    assert state.extras["b"] == ("b", True)
    assert state.extras["m"] == ("m", True)  # in a worker: b had finished
    assert state.extras["s"] == ("s", False)
    assert stages[-1].seen_ == [("m", True), ("s", False)]
    assert list(state.extras["concurrency"]["workers"]) == ["b", "m"]


@needs_fork
def test_an_error_in_the_worker_is_raised_here():
    stages = [
        _Put("a", after=()),
        _Put("b", after=("a",), concurrent=True, fail=CorpusError("bad passages")),
        _Put("c", after=("a",)),
    ]
    with pytest.raises(CorpusError, match="bad passages"):
        Pipeline(stages, n_jobs=2).fit(_state())


@needs_fork
def test_a_worker_that_dies_leaves_its_stage_to_the_main_process(caplog):
    stages = [
        _Put("a", after=()),
        _Put("b", after=("a",), concurrent=True, die=True),
        _Put("c", after=("a",)),
    ]
    with caplog.at_level("WARNING"):
        state = Pipeline(stages, n_jobs=2).fit(_state())
    assert state.extras["b"] == ("b", False)
    assert "fitting it here instead" in caplog.text


def test_dependencies_default_to_every_earlier_stage_and_skip_absent_ones():
    from topiclab.config import RunConfig
    from topiclab.pipeline.lda_view import LDAViewStage

    stages = [_Put("a", after=()), _Put("b", after=("a", "absent")), _Put("c")]
    assert stage_dependencies(stages) == {"a": set(), "b": {"a"}, "c": {"a", "b"}}
    deps = stage_dependencies(Pipeline.from_config(RunConfig()).stages)
    assert deps["lda"] == {"vectorize", "embed"}
    assert deps["map"] == {"cluster"}
    assert {"cluster", "lda"} <= deps["score"]
    assert {"score", "map"} <= deps["assemble"]
    seeded = LDAViewStage(RunConfig(lda_seed_themes=True).section("lda"))
    assert "cluster" in seeded.after  # seeded topics wait for the embedding themes


def test_lda_waits_for_the_embeddings_only_to_join_languages():
    from topiclab.config import RunConfig
    from topiclab.pipeline.base import RunState

    stages = Pipeline.from_config(RunConfig()).stages
    one = RunState(texts=[], langs=["en"] * 6, doc_ids=[])
    two = RunState(texts=[], langs=["en", "ar", "zh"] * 2, doc_ids=[])
    assert stage_dependencies(stages, one)["lda"] == {"vectorize"}  # beside the embedding
    assert stage_dependencies(stages, two)["lda"] == {"vectorize", "embed"}  # joined by it
    plain = Pipeline.from_config(RunConfig(lda_neighbours=0)).stages
    assert stage_dependencies(plain, two)["lda"] == {"vectorize"}
    seeded = Pipeline.from_config(RunConfig(lda_seed_themes=True)).stages
    assert "cluster" in stage_dependencies(seeded, one)["lda"]
    assert stage_dependencies(stages, one)["cluster"] == {"vectorize", "embed"}


def test_n_jobs_setting():
    assert effective_jobs(1) == 1
    assert effective_jobs(None, n_passages=100) == 1  # too small to gain from a worker
    assert effective_jobs(-1) == effective_jobs(None, n_passages=10**6) >= 1
    assert RunConfig(n_jobs=2).hash() == RunConfig(n_jobs=1).hash() == RunConfig().hash()
    with pytest.raises(ConfigError, match="n_jobs"):
        RunConfig(n_jobs=0)
    with pytest.raises(ConfigError, match="n_jobs"):
        RunConfig(n_jobs="2")


def test_cli_jobs_option():
    from topiclab.cli import _config_from_args, build_parser

    args = build_parser().parse_args(["run", "corpus", "--out", "out", "--jobs", "1"])
    assert _config_from_args(args).n_jobs == 1
    args = build_parser().parse_args(["run", "corpus", "--out", "out"])
    assert _config_from_args(args).n_jobs is None


@needs_fork
def test_parallel_tokenising_gives_the_sequential_tokens_and_written_forms(seed_corpus):
    from topiclab.features.parallel import analyze_parallel
    from topiclab.features.vectorize import TextVectorizer

    passages = seed_corpus.passages
    texts = passages["text"].astype(str).tolist()
    langs = passages["lang"].fillna("und").astype(str).tolist()
    assert len(set(langs)) > 1  # the chunks mix languages
    vec = TextVectorizer(kind="count", phrases=True)
    one: dict = {}
    expected = vec.analyze(texts, langs, surfaces=one)
    two: dict = {}
    got = analyze_parallel(vec, texts, langs, two, n_jobs=2, chunk=max(1, len(texts) // 5))
    assert got == expected
    assert [(t, list(f.items())) for t, f in two.items()] == [
        (t, list(f.items())) for t, f in one.items()
    ]  # same counts, first-seen order kept


def test_a_worker_draws_its_bars_on_another_line():
    import io

    from topiclab import progress

    def bar():
        return progress.progress_bar(total=10, desc="x", min_size=1, file=io.StringIO())

    progress.set_bar_position(1)
    try:
        with bar() as b:
            assert abs(b.pos) == 1  # tqdm keeps a fixed position as -position
    finally:
        progress.set_bar_position(None)
    with bar() as b:
        assert b.pos == 0
