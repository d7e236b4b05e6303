"""A search plan for a question: the outlets and dates it names and the clauses it makes, each
clause to be searched on its own (within the outlets it names) so that every part of a multi-part
question brings its own evidence."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from newsqa.retrieval.dates import DateMention, find_dates
from newsqa.retrieval.outlets import OutletMatcher
from newsqa.retrieval.query import clause_spans
from newsqa.retrieval.terms import STOP_WORDS, query_terms

__all__ = [
    "QueryPlan",
    "SubQuery",
    "asks_for_latest",
    "blank",
    "plan_query",
    "topic_words",
    "without_latest",
]

_MIN_TERMS = 3  # content words a clause needs to be searched on its own
_LATEST = re.compile(
    r"\b(?:latest|most recent(?:ly)?|newest|recent(?:ly)?|current(?:ly)?|now|so far|to date|"
    r"as of"
    # "What's new with …?", "Any news on …?", "Any updates?", "What has happened with … since
    # October?" (only its "happened": what it is about stays to be matched)
    r"|what(?:['’]s| is) new|any (?:news|updates?|developments?)"
    r"|(?:happened|changed)(?=[^?.!]{0,60}\bsince\b))\b",
    re.IGNORECASE,
)

# who holds a post, asked in the present ("Who is the CEO of OpenAI?"), asks for the latest on
# it: the newest report answers it, not one of who held it before ("Who runs OpenAI?" is not
# one: "the model ChatGPT runs on" was its newest match)
_CURRENT = re.compile(
    r"^\W*who(?:\s+is|\s+are|['’]s)\s+(?:the\s+)?(?:new\s+|current\s+|acting\s+|interim\s+)?"
    r"(?:ceo|cfo|cto|coo|chief\s+executive(?:\s+officer)?|president|chair(?:man|woman|person)?|"
    r"head\s+coach|coach|manager|leader|boss|owner|captain|prime\s+minister|premier|"
    r"chancellor|governor|mayor|speaker)\s+(?:of|at|for)\b",
    re.IGNORECASE,
)

# words that ask for news without saying about what
_NEWS_WORDS = frozenset(
    """news latest recent recently newest new report reports reported reporting story stories
    headline headlines update updates happen happened happening going on say said says top today
    yesterday tonight week month year last this past anything everything covered cover coverage
    publish published write wrote written there been any since developments
    summarize summarise summary summaries overview recap roundup briefing give tell catch me up
    """.split()  # (not "us", the US; nor "show" or "highlights", what a question may be about)
)


@dataclass(frozen=True)
class SubQuery:
    """One clause to search: its text, the outlets it is about (empty: any) and its dates."""

    text: str
    outlets: tuple[str, ...] = ()
    dates: tuple[DateMention, ...] = ()


@dataclass(frozen=True)
class QueryPlan:
    """What a question asks for: every outlet and date it names, and its searchable clauses."""

    question: str
    outlets: tuple[str, ...] = ()
    dates: tuple[DateMention, ...] = ()
    parts: tuple[SubQuery, ...] = ()
    latest: bool = False
    # asks for the news itself, not about something: "What is the latest from the BBC?", "What
    # did TechCrunch report in December 2023?" (no content word once outlets, dates and the
    # words for news are set aside)
    news_only: bool = False


_SHORT_QUESTION = 8  # search terms of a question that asks for the latest and nothing else


def asks_for_latest(question: str) -> bool:
    """A short question for the latest on something ("What is the latest on the Israel-Hamas
    war?", "Who is the CEO of OpenAI now?", or without "now": who holds a post is who holds it
    today): its newest fair evidence answers it first. A long question that says "recently" or
    "currently" in passing is not one."""
    return _latest(question) and len(query_terms(question)) <= _SHORT_QUESTION


def _latest(question: str) -> bool:
    """Whether `question` asks for the latest, in words ("latest", "now", "what's new") or
    by asking in the present who holds a post ("Who is the CEO of OpenAI?")."""
    return bool(_LATEST.search(question) or _CURRENT.search(question))


def without_latest(question: str) -> str:
    """A question for the latest with its words for "latest" blanked, to be matched by what it
    is about: "the latest quarter" in a passage answers nothing of "What is the latest on the
    Fed?"."""
    return blank(question, [m.span() for m in _LATEST.finditer(question)])


def topic_words(question: str) -> list[str]:
    """The words of a question for the latest that say what about ("tram", "line", "extension"
    of "What is the latest on the tram line extension?"), hyphenated ones split."""
    terms = (t.replace("’", "'").removesuffix("'s") for t in query_terms(question))
    words = (p for t in terms for p in t.split("-"))
    return [
        w
        for w in words
        if w and w not in _NEWS_WORDS and w not in STOP_WORDS and not _LATEST.fullmatch(w)
    ]


def blank(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with each of `spans` (outlet names, dates) replaced by a space."""
    for a, b in sorted(spans, reverse=True):
        text = f"{text[:a]} {text[b:]}"
    return text


def plan_query(
    question: str,
    matcher: OutletMatcher | None = None,
    *,
    today: date | None = None,
    split: bool = True,
) -> QueryPlan:
    """Read `question` into a plan. Clauses too short to search on their own ("Which company",
    "as reported by TechCrunch") join the next clause; outlets they name apply to every clause
    that names none."""
    mentions = matcher.find(question) if matcher is not None else []
    dates = find_dates(question, today=today, skip=[(m.start, m.end) for m in mentions])
    outlets = tuple(dict.fromkeys(o for m in mentions for o in m.outlets))
    latest = _latest(question)
    protected = [(m.start, m.end) for m in mentions] + [(d.start, d.end) for d in dates]
    rest = blank(question, protected)
    words = (t.replace("’", "'").removesuffix("'s") for t in query_terms(rest))  # "what's"
    news_only = all(w in _NEWS_WORDS or w in STOP_WORDS for w in words)
    if not split:
        return QueryPlan(
            question=question,
            outlets=outlets,
            dates=tuple(dates),
            latest=latest,
            news_only=news_only,
        )
    parts: list[SubQuery] = []
    pending = ""  # short fragments waiting to be joined to the next clause
    carried: tuple[str, ...] = ()  # outlets a short fragment named ("After X reported, that ...")
    carried_dates: tuple[DateMention, ...] = ()
    for a, b in clause_spans(question, protected):
        own = tuple(dict.fromkeys(o for m in mentions if a <= m.start < b for o in m.outlets))
        own_dates = tuple(d for d in dates if a <= d.start < b)
        text = question[a:b]
        plain = blank(text, [(m.start - a, m.end - a) for m in mentions if a <= m.start < b])
        if len(query_terms(plain)) < _MIN_TERMS:
            if own or own_dates:
                carried, carried_dates = own, own_dates
            else:
                pending = f"{pending} {text}".strip()
            continue
        if not own and not own_dates:
            own, own_dates = carried, carried_dates
        parts.append(SubQuery(text=f"{pending} {text}".strip(), outlets=own, dates=own_dates))
        pending, carried, carried_dates = "", (), ()
    if pending and parts:
        last = parts[-1]
        parts[-1] = SubQuery(text=f"{last.text} {pending}", outlets=last.outlets, dates=last.dates)
    if len(parts) < 2:
        parts = []
    return QueryPlan(
        question=question,
        outlets=outlets,
        dates=tuple(dates),
        parts=tuple(parts),
        latest=latest,
        news_only=news_only,
    )
