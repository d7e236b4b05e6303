"""Reading relative dates in an article ("yesterday", "on Monday", "last week") against the
article's own publication date, so an answer can say which day was meant."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from itertools import pairwise

from newsqa.periods import RELATIVE, WEEKDAYS, Period, last_news_day, relative_period
from newsqa.retrieval.dates import MONTH_WORDS, month_number

__all__ = ["entry_day", "resolve_relative_dates", "updated_since", "written_after"]

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
# "last" as a verb: "the trial, set to last six weeks", "it will last a few days"
_VERB_LAST = re.compile(
    r"\b(?:to|will|would|could|may|might|can|should|must|'ll|’ll)\s+$", re.IGNORECASE
)
# a weekday ahead of the article: "will resume on Tuesday", "one a day until Monday", "is
# scheduled for Friday" (news mostly reports the days just gone, so without such a word a
# weekday is read as the last one)
_AHEAD = re.compile(
    r"\b(?:will|won[’']t|shall|'ll|’ll|until|till|through|scheduled|set\s+to|due|expected|"
    r"plans?\s+to|going\s+to|is\s+to|are\s+to|upcoming|coming|ahead\s+of|heading)\b",
    re.IGNORECASE,
)
# a verb that reports what was said: "will run from May, the operator said on Friday" gives
# the day it was said, gone by, not a day of the plan ("is expected to be announced on Friday"
# is a day to come)
_SAID = re.compile(
    r"(?<!\bbe\s)(?<!\bbeen\s)(?<!\bbeing\s)"
    r"\b(?:said|says|told|announced|confirmed|reported|wrote|added|stated|declared|revealed)\b",
    re.IGNORECASE,
)
_CLAUSE_START = re.compile(r"[.;:!?]|\b(?:but|and|while|after|before|since|when)\b", re.IGNORECASE)


_NAMED_DAY = re.compile(
    r"\b(?:Black|Cyber|Good|Super|Holy|Ash|Maundy|Easter|Shrove|Bloody|Giving|Manic)\s+$"
)


def _ahead(text: str, at: int) -> bool:
    """Whether the clause that ends at `at` speaks of what is to come (and is not told as
    said on that day: "will …, he said on Friday")."""
    before = text[max(0, at - 80) : at]
    starts = [m.end() for m in _CLAUSE_START.finditer(before)]
    clause = before[starts[-1] if starts else 0 :]
    ahead = list(_AHEAD.finditer(clause))
    return bool(ahead) and not _SAID.search(clause, ahead[-1].end())


_MONTH_NAME = "|".join(sorted(MONTH_WORDS, key=len, reverse=True))
_EXPLICIT = re.compile(
    rf"\b(?P<m1>{_MONTH_NAME})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y1>(?:19|20)\d\d))?"
    rf"|\b(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{_MONTH_NAME})\b\.?(?:\s+(?P<y2>(?:19|20)\d\d))?",
    re.IGNORECASE,
)


def written_after(text: str, day: date) -> bool:
    """Whether `text` names a calendar day after `day` ("November 21" under a story dated 18
    November: a live page or timeline updated since, whose "Sunday" may be any Sunday)."""
    for m in _EXPLICIT.finditer(text):
        month = month_number(m["m1"] or m["m2"])
        year = int(m["y1"] or m["y2"] or day.year)
        try:
            named = date(year, month or 0, int(m["d1"] or m["d2"]))
        except ValueError:
            continue
        if named > day:
            return True
    return False


# the dateline of an entry of a live page or timeline: a line that is a day and nothing else
# ("November 21", "Tuesday, Nov. 21, 2023", "Updated Nov 29, 2023, 3:15 p.m. ET"), or a
# paragraph led by one ("November 22: the board …", "Update, Nov. 29 — …")
_WEEKDAY = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
_CLOCK = r"(?:,?\s*(?:at\s+)?\d{1,2}(?:[:.]\d\d)?\s*(?:a\.?m\.?|p\.?m\.?)?(?:\s+[A-Z]{2,4})?)?"
_DATELINE = re.compile(
    rf"(?:^|\n)[ \t]*(?P<update>(?:last\s+)?updated?(?:\s+on)?[:,]?\s+)?(?:{_WEEKDAY},?\s+)?"
    rf"(?P<day>{_EXPLICIT.pattern}){_CLOCK}[ \t]*(?:[.:]?[ \t]*(?=\n|$)|[ \t]*[:—–-][ \t]+(?=\S))",
    re.IGNORECASE,
)
# what a dateline's line follows: a blank line, or the end of a sentence or heading
_PARAGRAPH_END = re.compile(r"(?:\n[ \t]*\n|[.!?\"”’):])[ \t]*\n?$")
# days after its date that a page is read as updated for, at most; and that a day without a
# year may be in the next year ("January 3" on a page of late December)
_UPDATED_FOR = 366
_NEXT_YEAR = 92


def _datelines(text: str, start: date) -> list[tuple[int, date, bool]]:
    """(where, day, said as an update) of each dateline of `text`, a day without a year read
    in the year of `start`, the article's day (or the next, just after a new year)."""
    out: list[tuple[int, date, bool]] = []
    for m in _DATELINE.finditer(text):
        before = text[: m.start() + m.group(0).startswith("\n")]  # up to the line's start
        if before.strip() and not _PARAGRAPH_END.search(before):
            continue  # a line broken mid-sentence ("set for\nNovember 29\nand"): no dateline
        named = _EXPLICIT.fullmatch(m["day"])
        if named is None:
            continue
        month = month_number(named["m1"] or named["m2"]) or 0
        year = named["y1"] or named["y2"]
        try:
            day = date(int(year) if year else start.year, month, int(named["d1"] or named["d2"]))
            if not year and 0 < (day.replace(year=start.year + 1) - start).days <= _NEXT_YEAR:
                day = day.replace(year=start.year + 1)  # "January 3" on a page of December
        except ValueError:
            continue
        out.append((m.start("day"), day, bool(m["update"])))
    return out


def entry_day(text: str, at: int, published: datetime | None) -> date | None:
    """The day of the entry of a live page or timeline that the sentence at `at` of passage
    `text` is under, when it is later than the article's `published` date: the last dateline
    before it, "Updated Nov 29", or a day heading an entry of a page whose entries run newest
    first ("November 29", then "November 21", on a timeline first published on 18 November).
    A report's day by what it says, not by when its page first went up. None when no such
    dateline precedes it: a day named in a sentence may be one to come ("will vote on Nov.
    29"), and days heading entries that run oldest first, a schedule ("Monday, October 23:
    Amazon reports"), are the days of what is to come."""
    if published is None:
        return None
    start = published.date()
    lines = _datelines(text, start)
    before = [(day, update) for where, day, update in lines if where < at]
    if not before:
        return None
    day, update = before[-1]
    bare = [d for _, d, u in lines if not u]
    newest_first = len(bare) >= 2 and all(a > b for a, b in pairwise(bare))
    if not (update or newest_first) or not start < day <= last_news_day():
        return None
    return day if (day - start).days <= _UPDATED_FOR else None


# hours after midnight UTC in which a story's own day may still be the day before (an American
# outlet's evening: "late Friday" stamped 02:28 on Saturday, UTC)
_EARLY_UTC_HOURS = 8


def _day_unsure(published: datetime) -> bool:
    """A time given in UTC in its first hours, not midnight itself (a date alone is stored as
    midnight): the outlet's own day, which "yesterday" and "on Friday" count from, is unsure."""
    return (
        published.utcoffset() == timedelta(0)
        and published.time() != datetime.min.time()
        and published.hour < _EARLY_UTC_HOURS
    )


def updated_since(text: str, published: datetime | None) -> bool:
    """A passage that names a day after its article's date: a live page or timeline updated
    since it was first published, so it may report later events than its date says."""
    return published is not None and written_after(text, published.date())


def resolve_relative_dates(
    text: str, published: datetime | None, *, context: str = ""
) -> list[tuple[str, str]]:
    """(phrase as written, what it means) for each relative date in `text`, read against the
    article's publication date; empty when the article has no date, or when `context` (the
    passage `text` is from) names a later day than it: the page was updated since it was
    first published, and its "on Sunday" may be a Sunday after that."""
    if published is None or updated_since(context, published) or _day_unsure(published):
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
        if m["weekday"] and not m["lead"] and _NAMED_DAY.search(text[: m.start()]):
            continue  # "Black Friday", "Super Tuesday": a name, not a day of that week
        if (
            m["span_n"]
            and m["phrase"].lower().startswith("last")
            and _VERB_LAST.search(text[: m.start()])
        ):
            continue  # "set to last six weeks": how long, not when
        period = relative_period(m, ref)
        if m["weekday"] and (m["lead"] or "on").lower() == "on" and _ahead(text, m.start()):
            target = WEEKDAYS.index(m["weekday"].lower())
            day = ref + timedelta(days=(target - ref.weekday()) % 7 or 7)
            period = Period(day, day)
        out.setdefault(period.describe(), m["phrase"])
    return [(phrase, meant) for meant, phrase in out.items()]
