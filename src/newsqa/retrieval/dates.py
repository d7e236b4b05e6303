"""Dates and periods named in a question, read as soft constraints on publication dates:
"on November 17, 2023", "in October 2023", "before 2023-10-22", "between March 3 and March 9,
2024", "in December", "since early November", "the week before Oct. 20", "as of May 2024",
"last week", "three days ago", "on Monday".

General calendar reading only: month names and abbreviations, ordinals, ISO dates and times,
parts of a month, offsets, and relative phrases (`newsqa.periods`). A date without a year takes
the year of a later date in the same question, else the latest such date up to `today`;
relative phrases are read against `today` (see `reference_day` for what today is)."""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from newsqa.periods import (
    NUMBER,
    RELATIVE,
    Period,
    back,
    month_of,
    month_shift,
    number,
    relative_period,
    week_of,
    year_of,
)

__all__ = ["MONTH_WORDS", "DateMention", "find_dates", "month_number", "reference_day"]

_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS |= {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}
_MONTHS["sept"] = 9
MONTH_WORDS = frozenset(_MONTHS)  # month names and their short forms, lower case


def month_number(word: str) -> int | None:
    """1-12 for a month's name or short form ("Sept", "dec"), else None."""
    return _MONTHS.get(word.lower().rstrip("."))


_NAMES = sorted(_MONTHS, key=len, reverse=True)
_MONTH = r"(?P<{0}>" + "|".join(_NAMES) + r")\.?"
# a month on its own ("in December") must be capitalised: "in may", "the march"
_BARE_MONTH = r"(?-i:(?P<m4>" + "|".join(n.capitalize() for n in _NAMES) + r"))\.?"
_DAY = r"(?P<{0}>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<{0}>(?:19|20)\d\d)"
_TIME = r"(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?"
_REL = (
    r"(?P<rel>on|in|during|before|prior\s+to|until|till|by|after|since|following|from|"
    r"between|through|to|and|as\s+of)"
)
_OFFSET = (
    rf"(?P<off_n>{NUMBER})\s+(?P<off_unit>days?|weeks?|months?)\s+"
    r"(?P<off_dir>before|after|prior\s+to|following|earlier\s+than|later\s+than)"
)
_PART = (
    r"(?P<part>early|mid|late|(?:the\s+)?(?:start|beginning|middle|end)\s+of|"
    r"(?:the\s+)?(?:first|second|third|fourth|final|last)\s+(?:week|half)\s+of|"
    r"(?:the\s+)?(?:week|month|day)\s+of)"
)
_PATTERN = re.compile(
    rf"\b(?:{_REL}\s+)?(?P<the>the\s+)?(?:{_OFFSET}\s+)?(?:{_PART}[\s-]+)?(?:"
    + rf"{_YEAR.format('iy')}-(?P<im>[01]\d)-(?P<id>[0-3]\d){_TIME}"
    + rf"|{_MONTH.format('m1')}\s+{_DAY.format('d1')}(?:,?\s+{_YEAR.format('y1')})?"
    + rf"|{_DAY.format('d2')}\s+(?:of\s+)?{_MONTH.format('m2')}(?:,?\s+{_YEAR.format('y2')})?"
    + rf"|{_MONTH.format('m3')},?\s+{_YEAR.format('y3')}"
    + rf"|{_YEAR.format('y4')}"
    + rf"|{_BARE_MONTH}"
    + rf"|(?P<relative>{RELATIVE})"
    + r")(?!\w)",
    re.IGNORECASE,
)
_BEFORE = {"before", "prior to", "until", "till", "by", "as of"}
_AFTER = {"after", "since", "following"}
_JOINS = {"and", "to", "through"}  # the second end of "between X and Y", "from X to Y"
_ARCHIVE_AFTER = timedelta(days=30)
_YEARS = re.compile(r"\byears?\b", re.IGNORECASE)
_ORDINALS = {"first": 0, "second": 1, "third": 2, "fourth": 3}


@dataclass(frozen=True)
class DateMention:
    """A period named at `start:end` of a question; `relation` says how it constrains the
    evidence: "on" (published within it), "before" or "after" it."""

    start: int
    end: int
    first: date
    last: date
    relation: str = "on"


def reference_day(newest: date | None, today: date | None = None) -> date:
    """The day relative dates in a question are read against: today, unless the collection's
    newest article is over a month old (an archive, such as the default corpus), in which case
    its newest day is the archive's today."""
    today = today or date.today()
    if newest is not None and newest < today - _ARCHIVE_AFTER:
        return newest
    return today


def _month(name: str) -> int:
    return _MONTHS[name.lower().rstrip(".")]


def _norm(text: str | None) -> str:
    return " ".join((text or "").lower().split())


def find_dates(
    question: str, *, today: date | None = None, skip: Sequence[tuple[int, int]] = ()
) -> list[DateMention]:
    """The dates and periods in `question`, left to right. A date without a year gets the year
    of the next date that has one ("between October 2 and October 7, 2023"), else the latest
    such date up to `today`; without `today`, yearless and relative dates are left out. Spans in
    `skip` (outlet names such as "USA Today") are not read."""
    raw: list[tuple[re.Match[str], int | None]] = []
    for m in _PATTERN.finditer(question):
        if any(a < m.end() and m.start() < b for a, b in skip):
            continue
        year = next((m[g] for g in ("iy", "y1", "y2", "y3", "y4") if m[g]), None)
        raw.append((m, int(year) if year else None))
    out: list[DateMention] = []
    for i, (m, year) in enumerate(raw):
        rel = _norm(m["rel"])
        ends_range = rel in _JOINS and bool(out) and out[-1].relation == "range"
        if not _reads_as_date(m, question, rel, ends_range):
            continue
        if year is None and not m["relative"]:
            year = next((y for _, y in raw[i + 1 :] if y is not None), None)
        try:
            period = _period(m, year, today)
        except ValueError:  # "February 30"
            continue
        if period is None:
            continue
        first, last = period.first, period.last
        relation = "before" if rel in _BEFORE else "after" if rel in _AFTER else "on"
        if m["off_unit"]:
            first, last = _offset(m, first, last)
            relation = "on"
        if ends_range:
            prev = out.pop()  # "between March 3 and March 9": one period
            out.append(DateMention(prev.start, m.end(), prev.first, max(last, prev.last)))
            continue
        if rel in ("between", "from") and not (m["off_unit"] or m["the"]):
            relation = "range"
        out.append(DateMention(m.start(), m.end(), first, last, relation))
    return [d if d.relation != "range" else _on(d) for d in out]


def _reads_as_date(m: re.Match[str], question: str, rel: str, ends_range: bool) -> bool:
    """Whether a match names a time rather than something else that looks like one."""
    bare = bool(m["y4"] or m["m4"])
    qualified = bool(m["part"] or m["off_unit"])
    if bare and not (qualified or (rel and rel not in _JOINS) or ends_range):
        return False  # "2023" or "December" alone, or after "and" unless it ends a range
    if (bare or m["weekday"] or m["fixed"]) and m["the"] and not qualified:
        return False  # "the 2015 World Cup", "the Sunday game"
    if m["weekday"] and not (m["lead"] or rel):
        return False  # "Monday Night Football", but "on Monday", "since Tuesday"
    if m["fixed"] and m["fixed"][0].isupper() and question[: m.start()].strip()[-1:].isalnum():
        return False  # "Today" inside a name ("USA Today")
    # "last year", "the previous year": in a question, mostly what is compared, not when
    return not (m["relative"] and _YEARS.search(m["relative"]))


def _on(d: DateMention) -> DateMention:
    return DateMention(d.start, d.end, d.first, d.last, "on")


def _period(m: re.Match[str], year: int | None, today: date | None) -> Period | None:
    """The period the date itself names (before any relation or offset), its part applied."""
    if m["relative"]:
        return relative_period(m, today) if today is not None else None
    if m["iy"]:
        day = date(int(m["iy"]), int(m["im"]), int(m["id"]))
        return _part(m, Period(day, day))
    month = next((_month(m[g]) for g in ("m1", "m2", "m3", "m4") if m[g]), None)
    day_text = m["d1"] or m["d2"]
    if year is None:  # the latest such day or month up to today
        if today is None or month is None:
            return None
        key = (month, int(day_text) if day_text else 1)
        year = today.year if key <= (today.month, today.day) else today.year - 1
    if month is None:
        return _part(m, year_of(year))
    if day_text:
        day = date(year, month, int(day_text))
        return _part(m, Period(day, day))
    return _part(m, month_of(date(year, month, 1)))


def _part(m: re.Match[str], p: Period) -> Period:
    """ "early October", "the end of 2023", "the second week of May", "the week of Nov. 13"."""
    part = _norm(m["part"]).removeprefix("the ")
    if not part:
        return p
    if p.unit == "day":
        if part == "week of":
            return week_of(p.first)
        if part == "month of":
            return month_of(p.first)
        return p
    if p.unit == "year" and (part.endswith("half of") or part in _THIRDS):
        return _year_part(p.first.year, part)
    length = (p.last - p.first).days + 1
    if part.endswith("week of"):
        nth = _ORDINALS.get(part.split()[0])
        if nth is None:  # the last / final week
            return Period(p.last - timedelta(days=6), p.last, "span")
        first = p.first + timedelta(weeks=nth)
        return Period(first, min(first + timedelta(days=6), p.last), "span")
    if part.endswith("half of"):
        mid = p.first + timedelta(days=length // 2)
        second = part.split()[0] != "first"
        return (
            Period(mid, p.last, "span")
            if second
            else Period(p.first, mid - timedelta(days=1), "span")
        )
    third = length // 3
    a, b = p.first + timedelta(days=third), p.first + timedelta(days=2 * third)
    if part in ("early", "start of", "beginning of"):
        return Period(p.first, a - timedelta(days=1), "span")
    if part in ("mid", "middle of"):
        return Period(a, b - timedelta(days=1), "span")
    if part in ("late", "end of"):
        return Period(b, p.last, "span")
    return p  # "month of October", "day of ..."


_THIRDS = {
    "early": 0,
    "start of": 0,
    "beginning of": 0,
    "mid": 1,
    "middle of": 1,
    "late": 2,
    "end of": 2,
}


def _year_part(year: int, part: str) -> Period:
    """A part of a year in whole months: halves of six ("the first half of 2023": January to
    June), thirds of four ("late 2023": September to December)."""
    if part.endswith("half of"):
        start, months = (1 if part.split()[0] == "first" else 7), 6
    else:
        start, months = 1 + 4 * _THIRDS[part], 4
    first = date(year, start, 1)
    return Period(first, month_shift(first, months) - timedelta(days=1), "span")


def _offset(m: re.Match[str], first: date, last: date) -> tuple[date, date]:
    """ "two weeks before X": the two weeks up to the day before X; "the day after X": the
    day after it."""
    n, unit = number(m["off_n"]), m["off_unit"]
    if _norm(m["off_dir"]) in ("before", "prior to", "earlier than"):
        return back(first, n, unit), first - timedelta(days=1)
    end = last + (last - back(last, n, unit))
    return last + timedelta(days=1), end


def widen(first: date, last: date, days: int) -> tuple[date, date]:
    """The period grown by `days` on each side (publication times straddle time zones)."""
    return first - timedelta(days=days), last + timedelta(days=days)
