"""Reading relative dates in an article ("yesterday", "on Monday", "last week") against the
article's own publication date, so an answer can say which day was meant."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

__all__ = ["resolve_relative_dates"]

_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_PATTERN = re.compile(
    r"\b(?P<phrase>yesterday|today|tomorrow|tonight|last night|this morning|this afternoon|"
    r"this evening|last week|next week|last month|next month|last year|next year|"
    r"(?:last |this |next |on )?(?P<day>monday|tuesday|wednesday|thursday|friday|saturday|sunday))"
    r"\b",
    re.IGNORECASE,
)


def _month_shift(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    return date(d.year + y, m + 1, 1)


def _weekday(ref: date, phrase: str, day: str) -> date:
    target = _WEEKDAYS.index(day.lower())
    lead = phrase.lower().split()[0]
    if lead == "next":
        return ref + timedelta(days=(target - ref.weekday()) % 7 or 7)
    if lead == "this":
        return ref + timedelta(days=target - ref.weekday())
    # "on Monday", "Monday", "last Monday": news mostly reports the days just gone
    back = (ref.weekday() - target) % 7
    if lead == "last" and back == 0:
        back = 7
    return ref - timedelta(days=back)


def _describe(d: date) -> str:
    return f"{d.day} {d:%b %Y}"


def resolve_relative_dates(text: str, published: datetime | None) -> list[tuple[str, str]]:
    """(phrase as written, what it means) for each relative date in `text`, read against the
    article's publication date; empty when the article has no date."""
    if published is None:
        return []
    ref = published.date()
    out: dict[str, str] = {}
    for m in _PATTERN.finditer(text):
        phrase = m["phrase"]
        key = phrase.lower()
        if m["day"]:
            meant = _describe(_weekday(ref, phrase, m["day"]))
        elif key in ("yesterday", "last night"):
            meant = _describe(ref - timedelta(days=1))
        elif key == "tomorrow":
            meant = _describe(ref + timedelta(days=1))
        elif key in ("today", "tonight") or key.startswith("this "):
            meant = _describe(ref)
        elif key in ("last week", "next week"):
            monday = (
                ref - timedelta(days=ref.weekday()) + timedelta(weeks=-1 if "last" in key else 1)
            )
            meant = f"the week of {_describe(monday)}"
        elif key in ("last month", "next month"):
            meant = f"{_month_shift(ref, -1 if 'last' in key else 1):%B %Y}"
        else:  # last/next year
            meant = str(ref.year + (-1 if "last" in key else 1))
        out.setdefault(phrase, meant)
    return list(out.items())
