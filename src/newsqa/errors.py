"""The base of the errors newsqa raises for a user to act on: `except newsqa.NewsQAError`
catches each of them (`CorpusError`, `IndexMissingError`, …), which also stay the `ValueError`
or `RuntimeError` they were."""

from __future__ import annotations

__all__ = ["NewsQAError"]


class NewsQAError(Exception):
    """An error newsqa raised, whose message says what to do."""
