"""Periods named relative to a day: "yesterday", "last week", "on Monday", "three days ago", "the
past two weeks". One reading for both sides of the product: a question's are read against the
collection's today (`newsqa.retrieval.dates`), an article's against its own publication date
(`newsqa.answering.dates`)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

__all__ = ["RELATIVE", "Period", "last_news_day", "month_shift", "relative_period"]

Unit = Literal["day", "week", "month", "year", "span"]

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "the": 1,
    "two": 2,
    "a couple of": 2,
    "three": 3,
    "a few": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "several": 5,
}
NUMBER = (
    r"(?:\d{1,3}|"
    + "|".join(k.replace(" ", r"\s+") for k in sorted(_NUMBERS, key=len, reverse=True))
    + ")"
)
_UNITS = r"days?|weeks?|months?|years?"

# A relative phrase; compile with re.IGNORECASE. Named groups are read by `relative_period`.
RELATIVE = (
    r"(?P<fixed>yesterday|today|tomorrow|tonight|last\s+night|this\s+(?:morning|afternoon|evening))"
    rf"|(?:the\s+)?(?:past|previous|last)\s+(?P<span_n>{NUMBER})\s+(?P<span_unit>{_UNITS})"
    rf"|(?:the\s+(?:past|previous|last)|past|previous)\s+(?P<span_one>day|week|month|year)"
    rf"|(?P<shift>this|last|next)\s+(?P<shift_unit>week|month|year)"
    rf"|(?P<ago_n>{NUMBER})\s+(?P<ago_unit>{_UNITS})\s+ago"
    r"|(?:(?P<lead>last|this|next|on)\s+)?(?P<weekday>" + "|".join(WEEKDAYS) + r")"
)


@dataclass(frozen=True)
class Period:
    """The days `first`..`last` (inclusive); `unit` says how to name it."""

    first: date
    last: date
    unit: Unit = "day"

    def describe(self) -> str:
        if self.unit == "week":
            return f"the week of {_day(self.first)}"
        if self.unit == "month":
            return f"{self.first:%B %Y}"
        if self.unit == "year":
            return str(self.first.year)
        if self.unit == "span" and self.first != self.last:
            return f"{_day(self.first)} – {_day(self.last)}"
        return _day(self.first)


def _day(d: date) -> str:
    return f"{d.day} {d:%b %Y}"


def number(text: str) -> int:
    """ "3", "three", "a few" -> 3."""
    key = " ".join(text.lower().split())
    return int(key) if key.isdigit() else _NUMBERS[key]


def month_shift(d: date, months: int) -> date:
    """The first day of the month `months` after (or before) `d`'s."""
    y, m = divmod(d.month - 1 + months, 12)
    return date(d.year + y, m + 1, 1)


def month_of(d: date) -> Period:
    return Period(d.replace(day=1), d.replace(day=calendar.monthrange(d.year, d.month)[1]), "month")


def week_of(d: date) -> Period:
    monday = d - timedelta(days=d.weekday())
    return Period(monday, monday + timedelta(days=6), "week")


def year_of(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31), "year")


def back(ref: date, n: int, unit: str) -> date:
    """The day `n` days, weeks, months or years before `ref` (months and years by calendar)."""
    unit = unit.lower().rstrip("s")
    if unit == "day":
        return ref - timedelta(days=n)
    if unit == "week":
        return ref - timedelta(weeks=n)
    first = month_shift(ref, -n * (12 if unit == "year" else 1))
    return first.replace(day=min(ref.day, calendar.monthrange(first.year, first.month)[1]))


def _weekday(ref: date, lead: str, day: str) -> date:
    target = WEEKDAYS.index(day.lower())
    if lead == "next":
        return ref + timedelta(days=(target - ref.weekday()) % 7 or 7)
    if lead == "this":
        return ref + timedelta(days=target - ref.weekday())
    # "on Monday", "Monday", "last Monday": news mostly reports the days just gone
    days = (ref.weekday() - target) % 7
    if lead == "last" and days == 0:
        days = 7
    return ref - timedelta(days=days)


def relative_period(m: re.Match[str], ref: date) -> Period:
    """The period a match of `RELATIVE` names, read against the day `ref`."""
    if m["fixed"]:
        key = " ".join(m["fixed"].lower().split())
        shift = {"yesterday": -1, "last night": -1, "tomorrow": 1}.get(key, 0)
        day = ref + timedelta(days=shift)
        return Period(day, day)
    if m["span_unit"] or m["span_one"]:
        n, unit = (number(m["span_n"]), m["span_unit"]) if m["span_unit"] else (1, m["span_one"])
        return Period(back(ref, n, unit), ref, "span")
    if m["shift"]:
        step = {"this": 0, "last": -1, "next": 1}[m["shift"].lower()]
        unit = m["shift_unit"].lower()
        if unit == "week":
            return week_of(ref + timedelta(weeks=step))
        if unit == "month":
            return month_of(month_shift(ref, step))
        return year_of(ref.year + step)
    if m["ago_unit"]:
        unit = m["ago_unit"].lower().rstrip("s")
        then = back(ref, number(m["ago_n"]), unit)
        if unit == "week":
            return week_of(then)
        if unit == "month":
            return month_of(then)
        if unit == "year":
            return year_of(then.year)
        return Period(then, then)
    day = _weekday(ref, (m["lead"] or "").lower(), m["weekday"])
    return Period(day, day)


def last_news_day() -> date:
    """The last publication day that can be news: tomorrow (a zone ahead). An article dated
    later is misdated (a typo: 2032 for 2023), never the newest news nor "today"."""
    return date.today() + timedelta(days=1)
