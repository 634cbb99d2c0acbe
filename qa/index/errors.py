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


class IndexUnreachable(IndexProblem):
    """The server that holds the index cannot be reached, or failed to answer."""


class ModeUnavailable(IndexProblem):
    """The index cannot answer in the mode asked for (its server lacks what the mode needs)."""
