"""Shared fixtures: paths to the bundled corpus and the shared corpora."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared"
SHARED_CORPORA = SHARED / "corpora"

#: A news article carrying markup and entities; reports and figures must show it as text.
HOSTILE = """\
<script>alert(1)</script> Harbour authority & port workers agree new contract

The port authority said on Tuesday that it had reached an agreement with the dock workers'
union after three weeks of talks over wages, shift patterns and the automation of the
container terminals. <img src=x onerror=alert(1)> The deal raises pay by four percent.

Union leaders said the contract protects jobs at the terminals for five years &amp; adds
training for crane operators &lt;script&gt;alert(2)&lt;/script&gt; while the authority
said the agreement would keep cargo moving through the harbour during the busy season.
Shipping companies welcomed the end of the dispute, which had delayed container traffic.
"""


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The bundled seed corpus."""
    return CORPUS


@pytest.fixture(scope="session")
def shared_corpora() -> Path:
    """``../shared/corpora``; tests that use it are skipped when it is absent."""
    if not SHARED_CORPORA.is_dir():
        pytest.skip("../shared/corpora is not available")
    return SHARED_CORPORA


@pytest.fixture(scope="session", autouse=True)
def _embedding_cache(tmp_path_factory):
    """Keep the test session's embedding cache out of the user's home folder."""
    import os

    if "TOPICLAB_CACHE" in os.environ:
        yield os.environ["TOPICLAB_CACHE"]
        return
    path = tmp_path_factory.mktemp("topiclab-cache")
    os.environ["TOPICLAB_CACHE"] = str(path)
    try:
        yield str(path)
    finally:
        os.environ.pop("TOPICLAB_CACHE", None)


@pytest.fixture(scope="session")
def seed_corpus():
    """The bundled corpus, ingested once per session."""
    from topiclab.ingest import load

    return load(CORPUS)


@pytest.fixture(scope="session")
def seed_run(seed_corpus):
    """``(result, model)`` of the main job on the bundled corpus with seed 0."""
    from topiclab.config import RunConfig
    from topiclab.pipeline import run

    return run(seed_corpus, RunConfig(seed=0, progress=False))


class HashEncoder:
    """A cheap deterministic embedding object with ``encode``, as a user would bring one."""

    model_id = "test-hash-encoder"

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, texts):
        import numpy as np
        from sklearn.feature_extraction.text import HashingVectorizer

        self.calls += 1
        X = HashingVectorizer(n_features=128, alternate_sign=False).transform(list(texts))
        return X.toarray().astype(np.float32) + 1e-3
