"""Package-level behaviour: light import, CLI entry points, bundled corpus intact."""

from __future__ import annotations

import hashlib
import subprocess
import sys

from conftest import CORPUS, SHARED

HEAVY = ("torch", "sentence_transformers", "umap", "gensim", "matplotlib", "sklearn")


def test_import_is_light():
    code = f"import sys, topiclab, topiclab.cli; print([m for m in {HEAVY!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_cli_help_lists_subcommands():
    out = subprocess.run(
        [sys.executable, "-m", "topiclab", "--help"], capture_output=True, text=True, check=True
    )
    assert "ingest" in out.stdout


def test_bundled_corpus_is_the_seeds_byte_for_byte():
    seeds = SHARED / "seeds"
    files = sorted(p.name for p in CORPUS.glob("*.txt"))
    assert len(files) == 5
    if seeds.is_dir():
        for name in files:
            a = hashlib.sha256((CORPUS / name).read_bytes()).hexdigest()
            b = hashlib.sha256((seeds / name).read_bytes()).hexdigest()
            assert a == b, name
