"""Reading relative dates in an article ("yesterday", "on Monday", "last week") against the
article's own publication date, so an answer can say which day was meant."""

from __future__ import annotations

import re
from datetime import datetime

from newsqa.periods import RELATIVE, relative_period

__all__ = ["resolve_relative_dates"]

_PATTERN = re.compile(rf"\b(?P<phrase>{RELATIVE})\b", re.IGNORECASE)
# words someone said: their "today" is the day they said them, which the article may not give
# ("“what the board did today,” Brockman wrote" in a story of the next day)
_QUOTE = re.compile(r"“[^”]*”?|\"[^\"]*\"?")


def resolve_relative_dates(text: str, published: datetime | None) -> list[tuple[str, str]]:
    """(phrase as written, what it means) for each relative date in `text`, read against the
    article's publication date; empty when the article has no date."""
    if published is None:
        return []
    ref = published.date()
    quoted = [q.span() for q in _QUOTE.finditer(text)]
    out: dict[str, str] = {}
    for m in _PATTERN.finditer(text):
        if not any(a < m.start() < b for a, b in quoted):
            out.setdefault(m["phrase"], relative_period(m, ref).describe())
    return list(out.items())
