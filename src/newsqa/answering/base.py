"""What every answerer provides, and the pieces they share."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from newsqa.periods import last_news_day
from newsqa.types import Answer, Citation, SearchHit

__all__ = [
    "CARRIED",
    "AnswerEvent",
    "AnswerRequest",
    "Answerer",
    "Turn",
    "decline_text",
    "declining",
    "newest_date",
]

# a follow-up as searched: the question, then the topic it carried ("Q (a; b)")
CARRIED = re.compile(r"^(.*\S)\s+\(([^()]+)\)$", re.DOTALL)

Turn = tuple[str, str]
"""One exchange of a conversation: (question, answer text)."""

AnswerEvent = str | Answer
"""What `Answerer.stream` yields: pieces of text, then the complete `Answer` last."""


@dataclass(frozen=True, kw_only=True)
class AnswerRequest:
    """Everything an answerer is given."""

    question: str  # as the user asked it
    standalone: str  # rewritten with the conversation; what was searched
    hits: tuple[SearchHit, ...]
    history: tuple[Turn, ...] = ()


class Answerer(Protocol):
    """Writes a cited answer from retrieved passages. `stream` yields pieces of text as they are
    written and ends with the complete `Answer` (whose text may differ: checked and renumbered)."""

    name: str

    def stream(self, request: AnswerRequest) -> Iterator[AnswerEvent]: ...


def _utc(d: datetime) -> datetime:
    return d if d.tzinfo is not None else d.replace(tzinfo=UTC)


def newest_date(citations: Sequence[Citation]) -> datetime | None:
    """The publication date of the newest cited article: what the answer is "as of" (a date
    later than any news can be, a typo such as 3000 for 2023, says nothing of when)."""
    latest = last_news_day()
    dates = [
        c.article.published
        for c in citations
        if c.article.published is not None and c.article.published.date() <= latest
    ]
    return max(dates, key=_utc) if dates else None


def declining(
    request: AnswerRequest, answerer: str, *, notes: tuple[str, ...] = ()
) -> Iterator[AnswerEvent]:
    """The events of a refusal: its text, then the declined `Answer`."""
    text = decline_text(request.question, request.standalone)
    yield text
    yield Answer(
        question=request.question,
        text=text,
        declined=True,
        standalone_question=request.standalone,
        retrieved=request.hits,
        answerer=answerer,
        notes=notes,
    )


_QUOTED = 300  # characters of a question a refusal quotes
# a question's closing marks, but an initial's "." ("the U.S.?" is quoted "the U.S.")
_END = re.compile(r"(?<!\b[A-Z])[.?! ]+$|(?<=\b[A-Z]\.)[?! ]+$")


def decline_text(question: str, standalone: str = "") -> str:
    """The refusal, naming what was asked, and for a follow-up what it was read as being about
    (its `standalone` form carries the conversation's topic: "What about The Verge? (OpenAI;
    November)")."""
    q = _END.sub("", " ".join(question.split()))
    if len(q) > _QUOTED:  # a page of text pasted as a question is not said back whole
        q = q[:_QUOTED].rsplit(" ", 1)[0] + " …"
    carried = CARRIED.match(" ".join(standalone.split())) if standalone != question else None
    about = f" (about {', '.join(carried[2].split('; '))})" if carried else ""
    return f"The indexed articles don't say enough to answer “{q}”{about}."
