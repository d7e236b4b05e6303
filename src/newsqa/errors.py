"""The base of the errors newsqa raises for a user to act on: `except newsqa.NewsQAError`
catches each of them (`CorpusError`, `IndexMissingError`, …), which also stay the `ValueError`
or `RuntimeError` they were."""

from __future__ import annotations

__all__ = ["FeedsFileError", "NewsQAError"]


class NewsQAError(Exception):
    """An error newsqa raised, whose message says what to do."""


class FeedsFileError(NewsQAError, ValueError):
    """The corpus's list of followed feeds (`.feeds.json`) cannot be read: it is left as it is.
    (Here, not in `newsqa.corpus.following`, so that importing newsqa does not import the
    loaders.)"""
