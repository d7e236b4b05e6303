"""Example questions drawn from the indexed articles, for a first-time user to click: a few about
single stories from different outlets and dates, and one that compares two outlets' coverage of
the same subject."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

from newsqa.retrieval.outlets import display_name
from newsqa.retrieval.search import query_terms
from newsqa.types import ArticleRef

__all__ = ["example_questions"]

_MAX_PAIRS = 400  # articles considered for the two-outlet question: enough, and fast


def _terms(title: str) -> list[str]:
    return [t for t in query_terms(title) if len(t) > 2 and not t.isdigit()]


def _spread(articles: Sequence[ArticleRef], n: int) -> list[ArticleRef]:
    """Up to `n` articles from different outlets and different days, newest first."""
    picked: list[ArticleRef] = []
    outlets: set[str] = set()
    days: set[str] = set()
    for a in articles:
        day = a.published.date().isoformat() if a.published else ""
        if a.source in outlets or (day and day in days) or len(_terms(a.title)) < 2:
            continue
        picked.append(a)
        outlets.add(a.source)
        days.add(day)
        if len(picked) == n:
            break
    return picked


def _comparison(articles: Sequence[ArticleRef]) -> str | None:
    """A question about a subject two outlets both covered (the most title words in common)."""
    pool = [a for a in articles[:_MAX_PAIRS] if a.source]
    best: tuple[int, ArticleRef, ArticleRef, list[str]] | None = None
    terms = {a.id: _terms(a.title) for a in pool}
    for a, b in combinations(pool, 2):
        if a.source == b.source:
            continue
        shared = [t for t in terms[a.id] if t in set(terms[b.id])]
        if len(shared) >= 2 and (best is None or len(shared) > best[0]):
            best = (len(shared), a, b, shared)
    if best is None:
        return None
    _, a, b, shared = best
    words = [w for w in a.title.split() if w.lower().strip(",.:;!?'\"‘’“”") in shared]
    subject = " ".join(words[:4]) or " ".join(shared[:3])
    return f"How did {display_name(a.source)} and {display_name(b.source)} report on {subject}?"


def _shorten(title: str, limit: int = 48) -> str:
    """A headline cut at a word boundary, so the question fits on its button."""
    if len(title) <= limit:
        return title
    return title[:limit].rsplit(" ", 1)[0].rstrip(",:;-–—") + "…"


def example_questions(articles: Sequence[ArticleRef], n: int = 4) -> list[str]:
    """Up to `n` questions about the given articles (newest first, as the catalog lists them)."""
    out: list[str] = []
    comparison = _comparison(articles)
    if comparison:
        out.append(comparison)
    for a in _spread(articles, n):
        if len(out) == n:
            break
        title = _shorten(a.title.rstrip(" ."))
        out.append(
            f"What did {display_name(a.source)} report about “{title}”?"
            if a.source
            else f"What happened: “{title}”?"
        )
    return out
