"""Content words of a query for the lexical (BM25) index."""

from __future__ import annotations

import re

from newsqa.indexing.fulltext import lexical_query

__all__ = ["STOP_WORDS", "lexical_terms", "query_terms"]

_WORD = re.compile(r"[\w][\w'’-]*", re.UNICODE)
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "did",
        "do",
        "does",
        "for",
        "from",
        "had",
        "has",
        "have",
        "he",
        "her",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "she",
        "so",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
    ]
)


def query_terms(query: str) -> list[str]:
    """Content words of a query for the lexical index (stop words dropped, order kept, unique)."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(query.lower()):
        word = word.strip("'’-")
        if word and word not in _STOP:
            seen.setdefault(word, None)
    return list(seen)


def lexical_terms(query: str, *, acronyms: bool = True) -> list[str]:
    """The words to look up in the lexical index for a query: its content words, each acronym
    ("US", "U.S.") as its own term (`fulltext.py`), unless the index is in the format before
    acronyms had one (`acronyms=False`)."""
    return query_terms(lexical_query(query) if acronyms else query)


STOP_WORDS = _STOP
