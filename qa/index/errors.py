"""Why an index cannot be used: each message is one line that names the command that fixes it."""

from __future__ import annotations


class IndexProblem(RuntimeError):
    """The base of every index error (missing, damaged, built otherwise, being written)."""


class IndexMissing(IndexProblem):
    """There is no index where one was asked for."""


class IndexCorrupt(IndexProblem):
    """A file of the index is missing, damaged or disagrees with the others."""


class IndexMismatch(IndexProblem):
    """The index was built with another format, model or chunker than configured."""


class BuildLocked(IndexProblem):
    """Another build is writing this index."""
