"""Turning a follow-up question into one that stands alone, without an LLM: when the question
leans on the conversation (pronouns, "what about…", very short), the names and key terms of the
previous question are added to it for retrieval."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from newsqa.answering.base import CARRIED, Turn
from newsqa.answering.evidence import content_terms, content_words
from newsqa.answering.names import REQUEST_WORDS
from newsqa.periods import WEEKDAYS
from newsqa.retrieval.dates import MONTH_WORDS

if TYPE_CHECKING:
    from newsqa.retrieval.outlets import OutletMatcher

__all__ = ["condense_heuristic", "needs_context"]

_DEICTIC = re.compile(
    r"\b(he|she|they|him|her|them|his|hers|its|their|theirs|it|this|that|these|those|there|"
    r"then|the same|the company|the firm|the former|the latter)\b",
    re.IGNORECASE,
)
_POSSESSIVES = {"its", "his", "their"}
_WHEN = MONTH_WORDS | set(WEEKDAYS)
# verbs that ask what someone did in the story told before: "What did Microsoft do?", "How did
# Nadella react?" stand alone only with the conversation's topic ("make" is not one: "What does
# Keep Labs make?" asks what a company makes, whatever was asked before)
_VAGUE = frozenset(
    "do doe did done doing say said saying think thought react respond happen mean feel want "
    "plan".split()
)
# "do" is a stop word: "What did Microsoft do?" is told from "What is Threads?" by its last word
_DOING = re.compile(r"\b(?:do|does|did|doing|done)\W*$", re.IGNORECASE)
_LEAD = re.compile(r"^\s*(and|but|also|what about|how about|so|then|why|what else)\b", re.I)
# a short question asking for more of what was said before ("Anything else?", "Tell me more")
_MORE = re.compile(r"\b(?:else|more|too|also|again|instead|other|others)\b", re.IGNORECASE)
# a question of its own opens with a question word or a request ("What …", "Is …", "Tell me
# …", "Any news?"); one that opens otherwise is a fragment of the one before ("In December?")
_ASKS = re.compile(
    r"\s*(?:what|who|when|where|which|why|how|is|are|was|were|did|does|do|has|have|had|can|"
    rf"could|will|would|should|any|anything|{'|'.join(sorted(REQUEST_WORDS))})\b",
    re.IGNORECASE,
)
_NAME = re.compile(r"\b(?:[A-Z][\w&'’.-]*(?:\s+(?:of|the|de|von|van|and|&)?\s*[A-Z][\w&'’.-]*)*)")
_QUESTION_WORDS = {
    "What",
    "Who",
    "When",
    "Where",
    "Which",
    "Why",
    "How",
    "Did",
    "Does",
    "Do",
    "Is",
    "Are",
    "Was",
    "Were",
    "Has",
    "Have",
    "Had",
    "Can",
    "Could",
    "Will",
    "Would",
    "Should",
    "According",
    "In",
    "On",
    "The",
    "A",
    "An",
    "And",
    "But",
    "After",
    "Before",
    "Between",
    "Of",
    "If",
    "As",
    "To",
    "For",
    *(w.capitalize() for w in REQUEST_WORDS),  # "Tell me about the EU AI Act"
    # contracted and indefinite openings are no names either: "What's new?" is "What is new?"
    *(f"{w}{a}s" for w in ("What", "Who", "Where", "When", "How") for a in "'’"),
    "Any",
    "Anything",
    "Anyone",
}


def needs_context(question: str, *, refiltered: bool = False) -> bool:
    """Whether a question leans on what was said before: it leads on from it ("And …", "What
    about …"), or has a pronoun that nothing named before it in the question stands for ("Who
    replaced him?"; a possessive after a name is that name's: "When did the Glacier Line reopen
    and what did its repairs cost?"),
    or is too short to stand alone and names nothing ("Why?", but not "What did Beyonce earn?"),
    or asks only what someone named did or said ("What did Microsoft do?").

    `refiltered`: asked under other outlet or date filters than the question before, whose
    outlets and period are then its subject: a short question that names nothing leans on the
    one before only as a fragment ("In December?") or when it asks for more of it ("Anything
    else?"), not as a question of its own ("What is the latest news?")."""
    if _LEAD.search(question):
        return True
    spans = _name_spans(question)
    names = list(dict.fromkeys(_name(m) for m in spans))
    named = set(content_terms(" ".join(names)))
    rest = [t for t in content_terms(question) if t not in named]
    # two names make their own topic; a name alone asks about itself ("Who is Emmett Shear?",
    # "What does Keep Labs make?"), unless what it did is asked ("What did Microsoft do?")
    vague = all(t in _VAGUE for t in rest) if rest else bool(_DOING.search(question))
    if len(names) == 1 and vague:
        return True
    first_name = min((m.start() for m in spans), default=len(question))
    for m in _DEICTIC.finditer(question):
        # "its", "his", "their" after a name are that name's; "it", "he", "that" may not be
        if m.start() < first_name or m.group(0).lower() not in _POSSESSIVES:
            return True
    if len(content_terms(question)) >= 3 or first_name < len(question):
        return False
    return not refiltered or _MORE.search(question) is not None or not _ASKS.match(question)


def _name_spans(text: str) -> list[re.Match[str]]:
    """The capitalised names in `text`, question words aside ("What", "Did", "The")."""
    return [m for m in _NAME.finditer(text) if _name(m)]


def _name(m: re.Match[str]) -> str:
    words = m.group(0).split()
    while words and words[0] in _QUESTION_WORDS:
        words = words[1:]
    if all(w.lower().strip(".") in _WHEN for w in words):
        return ""  # a day or month names no subject: "In December?" is a fragment
    name = " ".join(words).strip(" .")
    return name if len(name) > 1 else ""


def _names(text: str) -> list[str]:
    return list(dict.fromkeys(_name(m) for m in _name_spans(text)))


def condense_heuristic(
    question: str,
    history: Sequence[Turn],
    *,
    outlets: OutletMatcher | None = None,
    refiltered: bool = False,
) -> str:
    """The question, with the previous question's names and key terms when it needs them. A
    follow-up naming an outlet (of `outlets`, the index's) asks about that one instead of those
    named before: "What about The Verge?" after a question on TechCrunch's reports.
    `refiltered`: asked under other filters than the question before (see `needs_context`)."""
    if not history or not needs_context(question, refiltered=refiltered):
        return question
    previous = history[-1][0]
    carried = CARRIED.match(previous)
    if carried:
        # the previous question was itself a follow-up: its topic is what it carried, not what
        # it asked ("What did he tell reporters? (Valdria; harbour; director)" -> the director)
        previous, topic = carried[1], carried[2].split("; ")
        context = list(dict.fromkeys([*_names(previous), *topic]))
        words: list[tuple[str, str]] = []
    else:
        context, words = _names(previous), content_words(previous)
    terms = set(content_terms(" ".join(context)))
    asked = set(content_terms(question))
    for word, term in words:  # as written: "fired", not the term "fir"
        if word.isdigit() or word.capitalize() in _QUESTION_WORDS:
            continue  # "Game 2" is followed by "What about Game 3?"; "Tell me about …"
        if term not in terms and term not in asked and len(context) < 8:
            context.append(word)
            terms.add(term)
    context = [c for c in context if c.lower() not in question.lower()]
    if outlets is not None and outlets.find(question):
        context = [c for c in context if not outlets.lookup(c)]
    if not context:
        return question
    return f"{question.strip()} ({'; '.join(context)})"
