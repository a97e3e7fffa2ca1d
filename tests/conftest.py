"""Shared fixtures: paths to the bundled corpus and the shared corpora."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared"
SHARED_CORPORA = SHARED / "corpora"


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
