"""Every error topiclab raises on purpose derives from :class:`TopiclabError`.

Each also derives from the built-in exception a caller would expect (``ValueError`` for bad
values and files, ``OSError`` for a model that is not on this machine), so existing
``except ValueError`` handlers keep working. The command line catches
:class:`TopiclabError` and prints its message, which names the file or parameter at fault.
"""

from __future__ import annotations

import os

__all__ = [
    "AnalysisError",
    "ConfigError",
    "CorpusError",
    "DateError",
    "EngineUnavailableError",
    "IngestError",
    "ModelLoadError",
    "ModelNotAvailableError",
    "NotFittedError",
    "RunLoadError",
    "TopiclabError",
]


class TopiclabError(Exception):
    """Base class of the errors topiclab raises on purpose."""


class ConfigError(TopiclabError, ValueError):
    """A configuration value or file is invalid; the message names the parameter or file."""


class CorpusError(TopiclabError, ValueError):
    """A corpus is too small for the analysis, or a corpus folder is malformed."""


class IngestError(TopiclabError, ValueError):
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

    def __reduce__(self):  # keep the three arguments when pickled across processes
        return (type(self), (self.path, self.problem, self.line))


class RunLoadError(TopiclabError, ValueError):
    """A run directory is missing files or holds tampered or truncated data."""


class ModelLoadError(TopiclabError, ValueError):
    """A saved model is missing, truncated, tampered with or of an unknown format."""


class ModelNotAvailableError(TopiclabError, OSError):
    """The requested embedding model is neither bundled nor on this machine."""


class NotFittedError(TopiclabError, AttributeError):
    """A fitted-only attribute or method was used before ``fit``."""


class AnalysisError(TopiclabError, ValueError):
    """An analysis of a run cannot be made from the given run or parameters."""


class DateError(AnalysisError):
    """Document dates that cannot give a time axis (none readable, an unknown bin or column)."""


class EngineUnavailableError(TopiclabError, ImportError):
    """An execution engine's runtime (pyspark, a Java runtime) is not installed."""
