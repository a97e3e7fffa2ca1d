"""Errors raised while reading input files."""

from __future__ import annotations

import os


class IngestError(ValueError):
    """An input file cannot be read; the message names the file (and line) and the problem.

    Parameters
    ----------
    path : str or os.PathLike
        The offending file.
    problem : str
        What is wrong, in words a user can act on.
    line : int, optional
        1-based line (or record) number, when the problem is local to one line.
    """

    def __init__(self, path: str | os.PathLike[str], problem: str, line: int | None = None):
        self.path = os.fspath(path)
        self.problem = problem
        self.line = line
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {problem}")
