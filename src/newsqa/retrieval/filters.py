"""Search filters as the API, the CLI and the page take them: outlets, and a period whose ends
are dates, ISO times or words ("November 2023", "last week"), read into `SearchFilters`, and
said back in words."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, time

from newsqa.retrieval.dates import find_dates
from newsqa.types import SearchFilters

__all__ = ["DateLike", "filters_said", "held_to", "parse_when", "search_filters"]

DateLike = datetime | date | str | int | None  # an int is a year

# the words that may come with a date in a filter ("in November 2023", "since the 5th")
_LINKING = re.compile(r"\b(?:in|on|of|the|since|from|until|till|by|during)\b", re.IGNORECASE)


def parse_when(value: DateLike, *, end_of_day: bool = False) -> datetime | None:
    """A datetime from a datetime, a date or a string: ISO ("2023-11-05", "2023-11", "2023",
    "2023-11-05T14:00"), or a date or period in words ("Nov 5, 2023", "November 2023", "last
    week", "3 days ago", read against today). A day, month or year covers all of it: its start,
    or with `end_of_day` its end."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time.max if end_of_day else time.min)
    if isinstance(value, int) and not isinstance(value, bool):  # a year
        value = str(value)
    if not isinstance(value, str):
        raise TypeError(f"A date, a datetime or a string, not {type(value).__name__}: {value!r}")
    text = value.strip()
    if re.fullmatch(r"\d{4}(?:-\d\d)?", text):  # a year or a month
        if len(text) == 7 and not 1 <= int(text[5:]) <= 12:
            raise ValueError(f"Not a date: {value!r} (there is no month {text[5:]})")
        text = (
            f"in {text}" if len(text) == 4 else f"in {date(int(text[:4]), int(text[5:]), 1):%B %Y}"
        )
    else:
        try:
            if len(text) == 10:  # YYYY-MM-DD
                return parse_when(date.fromisoformat(text), end_of_day=end_of_day)
            return datetime.fromisoformat(text)
        except ValueError as exc:
            if re.match(r"\d{4}-\d\d-\d\d[T ]\d", text):  # an ISO time that is none
                raise ValueError(f"Not a date and time: {value!r} ({exc})") from None
    found = find_dates(text, today=date.today())
    # the date must be all there is ("not yesterday", "yesterday <img …>" are not dates)
    rest = text[: found[0].start] + text[found[0].end :] if len(found) == 1 else text
    if len(found) != 1 or re.search(r"[^\W_]", _LINKING.sub(" ", rest)):
        raise ValueError(
            f"Not a date: {value!r} (use YYYY-MM-DD, YYYY-MM, an ISO 8601 time, or words such as "
            "'November 2023' or 'last week')"
        )
    return parse_when(found[0].last if end_of_day else found[0].first, end_of_day=end_of_day)


def search_filters(
    sources: Sequence[str] | str | None, since: DateLike, until: DateLike
) -> SearchFilters:
    """Search filters from the API's arguments; ValueError for a date that is not one or an
    empty period."""
    named = (sources,) if isinstance(sources, str) else tuple(sources or ())
    for outlet in named:
        if not isinstance(outlet, str):
            raise TypeError(f"sources are outlet names (text), not {type(outlet).__name__}")
    filters = SearchFilters(
        sources=named,
        since=parse_when(since),
        until=parse_when(until, end_of_day=True),
    )
    if filters.since and filters.until and _naive(filters.since) > _naive(filters.until):
        raise ValueError(
            f"The period is empty: since {filters.since:%Y-%m-%d} is after until "
            f"{filters.until:%Y-%m-%d}."
        )
    return filters


def filters_said(sources: Sequence[str] | str | None, since: DateLike, until: DateLike) -> str:
    """The filters in words, as the chat and a refusal under them say them: "outlets BBC, CNN;
    from 2026-11-23 (last week); until 2023-12-01" (empty: none)."""

    def shown(value: DateLike, end_of_day: bool = False) -> str:
        """The day as read, and the words it was read from ("2026-11-23 (last week)")."""
        day = parse_when(value, end_of_day=end_of_day)
        written = value.isoformat()[:10] if isinstance(value, date) else str(value).strip()
        if day is None or not re.search(r"[^\W\d_]", written):
            return written  # "2024", "2023-11-20": as given
        return f"{day:%Y-%m-%d} ({written})"  # words: the day they were read as

    outlets = [sources] if isinstance(sources, str) else list(sources or ())
    held = [f"outlets {', '.join(outlets)}"] if outlets else []
    held += [f"from {shown(since)}"] if since not in (None, "") else []
    held += [f"until {shown(until, end_of_day=True)}"] if until not in (None, "") else []
    return "; ".join(held)


def held_to(sources: Sequence[str] | str | None, since: DateLike, until: DateLike) -> str:
    """What filters held a search to, for a refusal under them."""
    said = filters_said(sources, since, until)
    return f"Searched only {said}: clear the filters to search every article." if said else ""


def _naive(moment: datetime) -> datetime:
    """For comparing a time given with a zone and one without."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
