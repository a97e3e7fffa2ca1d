"""Errors raised while reading input files (see :mod:`topiclab.errors`)."""

from topiclab.errors import IngestError

__all__ = ["IngestError"]
