"""What an answer says beside its text: the notes put on the final `Answer` (what the question
names that the index holds nothing from, the filters a refusal was held to, a question not in
English), and the filters it was asked under."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from newsqa.answering.base import AnswerEvent
from newsqa.answering.forms import in_english
from newsqa.retrieval.dates import DateMention
from newsqa.types import Answer, SearchFilters

if TYPE_CHECKING:
    from newsqa.retrieval.search import Absent

__all__ = ["noted"]

# "in the October 7" as a period is named: "October 7"
_LEADING_WORDS = re.compile(r"^(?:(?:in|on|at|during)\s+)?(?:the\s+)?", re.I)


def noted(
    events: Iterator[AnswerEvent],
    notes: list[str],
    filters: SearchFilters,
    held: str = "",
    *,
    absent_from: Callable[[str], Absent],
) -> Iterator[AnswerEvent]:
    """The events, with `notes` put first on the final Answer, and what the question names
    that the index holds nothing from: an outlet (the answer quotes others instead), and
    for a refusal, a period (with the dates the index spans) and the filters it was `held`
    to (the reader may not see them), and whether the filters' period lies past the
    articles' dates (`absent_from` reads what a question names that the index lacks); the
    Answer records the `filters` it was asked under."""
    for event in events:
        if isinstance(event, Answer):
            absent = absent_from(event.standalone_question or event.question)
            said = [
                f"No article from {o} is indexed"
                + ("." if event.declined else "; the answer quotes other outlets.")
                for o in absent.outlets
            ]
            if event.declined and held:
                said.append(held)
            since, until = (
                d.date() if d is not None else None for d in (filters.since, filters.until)
            )
            if event.declined and absent.span is not None:
                first, last = absent.span
                if (since is not None and since > last) or (until is not None and until < first):
                    # ("--since 'last week'" over an archive of 2023: nothing to search)
                    said.append(
                        "No indexed article is from the period the filters give: they run "
                        f"from {first:%-d %b %Y} to {last:%-d %b %Y}."
                    )
            if event.declined and absent.periods and absent.span is not None:
                first, last = absent.span
                named = ", ".join(f"“{p}”" for p in absent.periods)
                said.append(
                    f"No indexed article was published {named}: they run from "
                    f"{first:%-d %b %Y} to {last:%-d %b %Y}."
                )
            if event.declined and absent.apart:
                # (the outlet has articles, and so has the period, but not the outlet from
                # then: the refusal said nothing of it, as if the topic were missing)
                asked = event.standalone_question or event.question
                outlets = " or ".join(absent.apart)
                periods = " or ".join(_period_read(asked, d) for d in absent.named)
                said.append(f"No indexed article from {outlets} was published {periods}.")
            days = [c.article.published.date() for c in event.citations if c.article.published]
            if days and all(absent.outside(d) for d in days):
                asked = ", ".join(
                    f"“{_LEADING_WORDS.sub('', q[m.start : m.end])}”"
                    for q in [event.standalone_question or event.question]
                    for m in absent.named
                )
                # the period may be the event's ("the October 7 attack"), reported later
                said.append(
                    f"The question names {asked}; none of the articles quoted was "
                    "published then: read them as reports of their own dates."
                )
            own = event.notes
            if event.declined and not in_english(event.question):
                # (what the answerer says of it, "Nothing found mentions “PDG d'OpenAI”",
                # is said of the words of another language)
                own = (
                    "The question does not seem to be in English: the articles are searched "
                    "and quoted in English (so is the model that reads them); ask in English.",
                )
            event = replace(event, notes=(*notes, *said, *own), filters=filters)
        yield event


def _period_read(question: str, d: DateMention) -> str:
    """A period as the question names it, and the days it was read as ("yesterday" (24 Dec
    2023), read against the newest article in an archive)."""
    days = (
        f"{d.first:%-d %b %Y}" if d.first == d.last else f"{d.first:%-d %b %Y} – {d.last:%-d %b %Y}"
    )
    return f"“{question[d.start : d.end]}” ({days})"
