"""Default locations: the bundled corpus, figures, runs and the embedding cache."""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    """Return the repository root (the folder that holds ``pyproject.toml``).

    Falls back to the current working directory when topiclab is installed
    outside a checkout.
    """
    here = Path(__file__).resolve().parent.parent
    if (here / "pyproject.toml").is_file() and (here / "corpus").is_dir():
        return here
    return Path.cwd()


def default_corpus() -> Path:
    """Return the bundled seed corpus.

    In a checkout this is ``corpus/`` at the repository root; an installed wheel carries
    the same files as ``topiclab/_corpus``.
    """
    here = Path(__file__).resolve().parent
    checkout = here.parent / "corpus"
    if (here.parent / "pyproject.toml").is_file() and checkout.is_dir():
        return checkout
    packaged = here / "_corpus"
    if packaged.is_dir():
        return packaged
    return project_root() / "corpus"


def default_figures() -> Path:
    """Where ``topiclab figures`` writes by default."""
    return project_root() / "figures"


def default_run() -> Path:
    """Where ``topiclab run`` writes by default."""
    return project_root() / "runs" / "latest"


def cache_dir() -> Path:
    """Return the embedding cache: ``$TOPICLAB_CACHE`` or ``~/.cache/topiclab``."""
    env = os.environ.get("TOPICLAB_CACHE")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "topiclab"
