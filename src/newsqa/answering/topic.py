"""What a question is about when the conversation does not say it: one that opens a conversation
asking of "he" or "she" without a name, and a follow-up that names a subject of its own (a new
topic, searched as asked)."""

from __future__ import annotations

import re
from collections.abc import Callable

from newsqa.answering.coverage import asked_words, unheld
from newsqa.answering.evidence import content_terms
from newsqa.answering.names import asked_names, unmentioned
from newsqa.retrieval.outlets import OutletMatcher
from newsqa.types import SearchHit

__all__ = ["own_subject", "unnamed_person"]

_PERSON = re.compile(r"\b(?:he|she|him|her)\b", re.IGNORECASE)
# words by which a follow-up refers to what the conversation is about
_REFERS = re.compile(
    r"\b(?:he|she|him|his|her|hers|it|its|they|them|their|this|that|these|those|there|then)\b",
    re.IGNORECASE,
)


def unnamed_person(question: str, outlets: Callable[[], OutletMatcher | None]) -> str | None:
    """The note to decline `question` with when, opening a conversation, it asks of "he" or
    "she" and names no one ("When did he return?": any passage about anyone who returned would
    do, and none is what was meant); None when it can be searched. `outlets` gives the index's
    outlets (asked only if needed), which are no names."""
    who = _PERSON.search(question)
    # (one who is named is the one meant: "What did the coach say after he was fired?")
    if who is None or len(content_terms(question)) > 2 or asked_names(question, outlets()):
        return None
    return f"The question does not say who “{who[0]}” is: ask with a name."


def own_subject(
    question: str,
    hits: tuple[SearchHit, ...],
    outlets: OutletMatcher | None,
    search: Callable[[str], tuple[SearchHit, ...]],
) -> tuple[SearchHit, ...] | None:
    """The passages `search` finds for `question` as asked, when the follow-up names a subject
    of its own that the passages of the conversation's topic (`hits`) never mention while
    those passages do; None: it stays a follow-up."""
    # a follow-up that names a subject of its own ("What about the FTX trial?" after a
    # question on OpenAI) and finds nothing naming it in the conversation's topic is a
    # new topic: searched as asked, if that finds it
    own = asked_names(question, outlets)
    if own and len(unmentioned(own, hits)) == len(own):
        alone = search(question)
        if len(unmentioned(own, alone)) < len(own):
            return alone
    elif not own and hits and not _REFERS.search(question):
        # a thing of its own, in lower case ("What about the ferry?" after a question
        # on a flood), that the topic's best story never says while a story is about
        # it, by its headline: that story's topic (it was declined, "do not mention
        # “ferry”"); a detail of the topic ("What about the cost?") stays one
        words = asked_words(question)
        best = [h.article.title + "\n" + h.text for h in hits if h.article == hits[0].article]
        if words and unheld(words, best) == words:
            alone = search(question)
            if alone and not unheld(words, [alone[0].article.title]):
                return alone
    return None
