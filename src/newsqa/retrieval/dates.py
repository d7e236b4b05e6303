"""Dates and periods named in a question ("on November 17, 2023", "in October 2023", "before
2023-10-22", "between March 3 and March 9, 2024"), read as soft constraints on publication dates.

General calendar parsing only: month names and abbreviations, ordinals, ISO dates; a missing year
is taken from a later date in the same question, else from `default_year`."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = ["DateMention", "find_dates"]

_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS |= {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}
_MONTHS["sept"] = 9
_MONTH = r"(?P<{0}>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<{0}>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<{0}>(?:19|20)\d\d)"
_PATTERN = re.compile(
    r"\b(?:(?P<rel>on|in|during|before|prior\s+to|until|till|by|after|since|following|from|"
    r"between|through|to|and)\s+(?:the\s+(?:week|month|day)\s+of\s+)?)?(?:"
    + rf"{_YEAR.format('iy')}-(?P<im>[01]\d)-(?P<id>[0-3]\d)"
    + rf"|{_MONTH.format('m1')}\s+{_DAY.format('d1')}(?:,?\s+{_YEAR.format('y1')})?"
    + rf"|{_DAY.format('d2')}\s+(?:of\s+)?{_MONTH.format('m2')}(?:,?\s+{_YEAR.format('y2')})?"
    + rf"|{_MONTH.format('m3')},?\s+{_YEAR.format('y3')}"
    + rf"|(?<=\bin\s){_YEAR.format('y4')}"
    + r")(?!\w)",
    re.IGNORECASE,
)
_BEFORE = {"before", "prior to", "until", "till", "by"}
_AFTER = {"after", "since", "following"}


@dataclass(frozen=True)
class DateMention:
    """A period named at `start:end` of a question; `relation` says how it constrains the
    evidence: "on" (published within it), "before" or "after" it."""

    start: int
    end: int
    first: date
    last: date
    relation: str = "on"


def _month(name: str) -> int:
    return _MONTHS[name.lower().rstrip(".")]


def find_dates(question: str, *, default_year: int | None = None) -> list[DateMention]:
    """The dates and periods in `question`, left to right. A date without a year gets the year
    of the next date that has one ("between October 2 and October 7, 2023"), else
    `default_year`, else it is left out."""
    raw: list[tuple[re.Match[str], int | None]] = []
    for m in _PATTERN.finditer(question):
        year = next((m[g] for g in ("iy", "y1", "y2", "y3", "y4") if m[g]), None)
        raw.append((m, int(year) if year else None))
    out: list[DateMention] = []
    for i, (m, year) in enumerate(raw):
        if year is None:
            year = next((y for _, y in raw[i + 1 :] if y is not None), default_year)
        if year is None:
            continue
        try:
            first, last = _period(m, year)
        except ValueError:  # "February 30"
            continue
        rel = " ".join((m["rel"] or "").lower().split())
        relation = "before" if rel in _BEFORE else "after" if rel in _AFTER else "on"
        if rel in ("and", "to", "through") and out and out[-1].relation == "range":
            prev = out.pop()  # "between March 3 and March 9": one period
            out.append(DateMention(prev.start, m.end(), prev.first, max(last, prev.last)))
            continue
        if rel in ("between", "from"):
            relation = "range"
        out.append(DateMention(m.start(), m.end(), first, last, relation))
    return [d if d.relation != "range" else _on(d) for d in out]


def _on(d: DateMention) -> DateMention:
    return DateMention(d.start, d.end, d.first, d.last, "on")


def _period(m: re.Match[str], year: int) -> tuple[date, date]:
    if m["iy"]:
        day = date(year, int(m["im"]), int(m["id"]))
        return day, day
    for mg, dg in (("m1", "d1"), ("m2", "d2")):
        if m[mg]:
            day = date(year, _month(m[mg]), int(m[dg]))
            return day, day
    if m["m3"]:
        month = _month(m["m3"])
        first = date(year, month, 1)
        return first, date(year, month, calendar.monthrange(year, month)[1])
    return date(year, 1, 1), date(year, 12, 31)


def widen(first: date, last: date, days: int) -> tuple[date, date]:
    """The period grown by `days` on each side (publication times straddle time zones)."""
    return first - timedelta(days=days), last + timedelta(days=days)
