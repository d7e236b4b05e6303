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
# a weekday the text dates itself: "on Sunday, November 19", "Friday 17 Nov", "Tuesday (Oct. 3)"
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATED = re.compile(
    rf",?\s*\(?(?:the\s+)?(?:\d{{1,2}}(?:st|nd|rd|th)?(?:\s+of)?\s+{_MONTH}|{_MONTH}\s+\d{{1,2}}\b"
    r"|\d{1,2}(?:st|nd|rd|th)\b|\d{1,2}[/.]\d{1,2}\b)",
    re.IGNORECASE,
)


def resolve_relative_dates(text: str, published: datetime | None) -> list[tuple[str, str]]:
    """(phrase as written, what it means) for each relative date in `text`, read against the
    article's publication date; empty when the article has no date."""
    if published is None:
        return []
    ref = published.date()
    quoted = [q.span() for q in _QUOTE.finditer(text)]
    out: dict[str, str] = {}  # what is meant -> the first phrase that means it
    for m in _PATTERN.finditer(text):
        if any(a < m.start() < b for a, b in quoted):
            continue
        if m["weekday"] and _DATED.match(text, m.end()):
            continue  # the text gives the date itself
        if m["fixed"] and m["fixed"][0].isupper() and text[: m.start()].strip()[-1:].isalnum():
            continue  # part of a name mid-sentence: "Entertainment Tonight", "USA Today"
        out.setdefault(relative_period(m, ref).describe(), m["phrase"])
    return [(phrase, meant) for meant, phrase in out.items()]
