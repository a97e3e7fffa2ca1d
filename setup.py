"""Build hook: ship the bundled seed corpus inside the wheel as ``topiclab/_corpus``.

Everything else is declared in ``pyproject.toml``. The corpus lives at the repository root
(``corpus/``) so that commands run from a checkout read it in place; an installed wheel
reads the copy made here (see ``topiclab.paths.default_corpus``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildWithCorpus(build_py):
    """Copy ``corpus/`` (its articles and README) into the built package."""

    def run(self) -> None:
        super().run()
        source = ROOT / "corpus"
        if not source.is_dir():  # building from an sdist made without it
            return
        target = Path(self.build_lib) / "topiclab" / "_corpus"
        target.mkdir(parents=True, exist_ok=True)
        for path in sorted(source.iterdir()):
            if path.is_file() and path.suffix in (".txt", ".md"):
                shutil.copyfile(path, target / path.name)


setup(cmdclass={"build_py": BuildWithCorpus})
