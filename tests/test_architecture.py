"""The shape of the package: flow layout, no import cycles, no global side effects, the
stage contract, swappable stages, one path for fit and predict, the estimator facade."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, HashEncoder

PACKAGE = ROOT / "topiclab"


# ------------------------------------------------------------------------- layout
def test_layout_shows_the_flow():
    subpackages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert {"ingest", "features", "models", "themes", "pipeline", "storage", "outputs"} <= (
        subpackages
    )
    modules = {p.stem for p in PACKAGE.glob("*.py")}
    # the flat modules of the first release live in their stage's subpackage now
    assert not modules & {"plot", "plot_terms", "persist", "model_io", "embed", "vectorize"}


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _top_level_imports(path: Path) -> set[str]:
    """Modules of topiclab imported when ``path`` is imported (not inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.If):
                test = ast.unparse(node.test)
                if "TYPE_CHECKING" in test:
                    continue
                visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name.startswith("topiclab"))
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module.startswith("topiclab"):
                    found.add(node.module)
                    for alias in node.names:  # `from topiclab.storage import atomic`
                        found.add(f"{node.module}.{alias.name}")

    visit(tree.body)
    return found


def test_package_imports_have_no_cycle():
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {
        name: {m for m in _top_level_imports(path) if m in modules and m != name}
        for name, path in modules.items()
    }
    state: dict[str, int] = {}
    stack: list[str] = []

    def dfs(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = [*stack[stack.index(nxt) :], nxt]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                dfs(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            dfs(node)


def test_import_changes_no_global_state():
    code = """
import os, sys, warnings
import numpy, pandas, scipy.sparse, sklearn.base  # third-party imports set their own variables
mask = os.umask(0o027); os.umask(mask)
env = dict(os.environ); filters = list(warnings.filters)
import topiclab, topiclab.cli, topiclab.config, topiclab.errors, topiclab.storage.atomic
import topiclab.storage.runs, topiclab.pipeline, topiclab.features.embed, topiclab.estimator
now = os.umask(0o027); os.umask(now)
assert now == mask, (now, mask)
assert dict(os.environ) == env, set(os.environ) ^ set(env)
assert list(warnings.filters) == filters
print("ok")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "ok", out.stderr


def test_every_raised_error_derives_from_one_base():
    from topiclab import errors
    from topiclab.config import ConfigError
    from topiclab.features.embed import ModelNotAvailableError
    from topiclab.ingest.corpus import CorpusError
    from topiclab.ingest.errors import IngestError
    from topiclab.storage.model_state import ModelLoadError
    from topiclab.storage.runs import RunLoadError

    for cls in (ConfigError, ModelNotAvailableError, CorpusError, IngestError, ModelLoadError):
        assert issubclass(cls, errors.TopiclabError), cls
    assert issubclass(RunLoadError, errors.TopiclabError) and issubclass(RunLoadError, ValueError)
    # every class the package defines as an error comes from errors.py
    defined = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and node.name.endswith("Error"):
                defined.append((path.relative_to(ROOT).as_posix(), node.name))
    assert {p for p, _ in defined} == {"topiclab/errors.py"}, defined


# ------------------------------------------------------------------- stage contract
def test_default_stages_receive_only_their_section():
    from topiclab.config import SECTIONS, RunConfig
    from topiclab.pipeline import Pipeline

    config = RunConfig(seed=5, n_themes=4, n_topics=3, context_weight=0.0)
    pipe = Pipeline.from_config(config)
    assert pipe.names() == [
        "prepare",
        "vectorize",
        "embed",
        "cluster",
        "lda",
        "score",
        "map",
        "sections",
        "assemble",
        "analyze",
    ]
    for stage in pipe.stages:
        assert type(stage.section) is SECTIONS[stage.name], stage.name
    assert pipe["cluster"].section.n_themes == 4 and pipe["lda"].section.n_topics == 3
    seeds = config.seeds()
    assert pipe["cluster"].section.seed == seeds["cluster"] != pipe["lda"].section.seed


def test_pipeline_times_every_stage(seed_run):
    result, _ = seed_run
    timings = result.meta["timings"]
    stages = ("prepare", "vectorize", "embed", "cluster", "lda", "score", "map", "sections")
    for name in (*stages, "assemble"):
        assert timings[f"{name}_s"] >= 0.0, name
    parts = sum(v for k, v in timings.items() if k != "total_s")
    assert parts <= timings["total_s"] + 1e-6


def test_stages_can_be_swapped_without_editing_topiclab(seed_corpus):
    from sklearn.cluster import AgglomerativeClustering

    from topiclab.config import RunConfig
    from topiclab.pipeline import run

    encoder = HashEncoder()
    result, model = run(
        seed_corpus,
        RunConfig(seed=0, progress=False, n_topics=3),
        embedder=encoder,
        clusterer=AgglomerativeClustering(n_clusters=3),
    )
    assert encoder.calls >= 1
    assert result.meta["embedding_model"] == "test-hash-encoder"
    assert model.clusterer.method_ == "AgglomerativeClustering"
    assert len(result.themes) == 3 and set(result.passages["theme"]) == {0, 1, 2}
    p = result.passages
    assert model.predict_ids(p["text"].tolist(), doc_ids=p["doc_id"].tolist()).tolist() == (
        p["theme"].tolist()
    )


def test_a_replaced_stage_runs_in_its_place(seed_corpus):
    from topiclab.config import RunConfig
    from topiclab.pipeline import Pipeline, Stage, run
    from topiclab.pipeline.stages import EmbedStage

    class Recording(Stage):
        name = "embed"
        requires = ()

        def __init__(self, inner):
            self.inner, self.seen = inner, 0

        def fit(self, state):
            self.seen = len(state.texts)
            return self.inner.fit(state)

        def transform(self, state):
            return self.inner.transform(state)

    config = RunConfig(seed=0, progress=False, n_topics=3)
    stage = Recording(EmbedStage(config.section("embed"), embedder=HashEncoder()))
    pipe = Pipeline.from_config(config).replace("embed", stage)
    result, _ = run(seed_corpus, config, pipeline=pipe)
    assert stage.seen == len(result.passages) > 0
    with pytest.raises(KeyError, match="no stage named"):
        pipe.replace("nope", stage)


# ------------------------------------------------------------- fit/predict identity
CONFIGS = {
    "context-0": {"context_weight": 0.0},
    "context-0.5": {"context_weight": 0.5},
    "lda-vocabulary-cap": {"lda_max_features": 60, "n_topics": 4},
    "guided": {"guided": ("energy storage: battery, storage, grid",)},
    "multilingual": {"lang_mode": "multilingual"},
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CONFIGS))
def test_predicting_the_fit_passages_returns_the_fit_assignments(name, seed_corpus, tmp_path):
    from topiclab.config import GuidedTheme, RunConfig
    from topiclab.pipeline import run

    changes = dict(CONFIGS[name])
    if "guided" in changes:
        changes["guided"] = tuple(GuidedTheme.parse(g) for g in changes["guided"])
    result, model = run(seed_corpus, RunConfig(seed=0, progress=False, **changes))
    p = result.passages
    texts, docs, langs = p["text"].tolist(), p["doc_id"].tolist(), p["lang"].tolist()
    assert model.predict(texts, doc_ids=docs)["theme"].tolist() == p["theme"].tolist()
    lda = model.transform_lda(texts, langs)
    assert lda.argmax(axis=1).tolist() == p["lda_topic"].tolist()
    np.testing.assert_array_equal(lda.max(axis=1), p["lda_topic_score"].to_numpy())
    np.testing.assert_array_equal(
        model.transform(texts, doc_ids=docs).max(axis=1), p["theme_score"].to_numpy()
    )


# ------------------------------------------------------------------- estimator state
def test_estimators_save_and_restore_their_own_state(seed_run):
    from topiclab.features.vectorize import TextVectorizer
    from topiclab.models import LDA, EmbeddingClusterer

    result, model = seed_run
    p = result.passages
    texts, langs = p["text"].tolist(), p["lang"].tolist()
    for est, cls in (
        (model.vectorizer, TextVectorizer),
        (model.lda, LDA),
        (model.clusterer, EmbeddingClusterer),
    ):
        state, arrays = est.get_state()
        import json

        json.dumps(state)  # the state is plain data
        restored = cls.from_state(json.loads(json.dumps(state)), arrays)
        if cls is TextVectorizer:
            a, b = est.transform(texts, langs), restored.transform(texts, langs)
            assert (a != b).nnz == 0
            X = a
        elif cls is LDA:
            np.testing.assert_array_equal(
                est.transform(model.vectorizer.transform(texts, langs)[:, model.lda_columns])
                if model.lda_columns is not None
                else est.transform(X),
                restored.transform(X)
                if model.lda_columns is None
                else restored.transform(X[:, model.lda_columns]),
            )
        else:
            E = np.random.default_rng(0).normal(size=(5, est.n_features_in_))
            np.testing.assert_array_equal(est.transform(E), restored.transform(E))
