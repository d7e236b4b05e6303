"""Turning a follow-up question into one that stands alone, without an LLM: when the question
leans on the conversation (pronouns, "what about…", very short), the names and key terms of the
previous question are added to it for retrieval."""

from __future__ import annotations

import re
from collections.abc import Sequence

from newsqa.answering.base import Turn
from newsqa.answering.evidence import content_terms

__all__ = ["condense_heuristic", "needs_context"]

_DEICTIC = re.compile(
    r"\b(he|she|they|him|her|them|his|hers|its|their|theirs|it|this|that|these|those|there|"
    r"then|the same|the company|the firm|the former|the latter)\b",
    re.IGNORECASE,
)
_LEAD = re.compile(r"^\s*(and|but|also|what about|how about|so|then|why|what else)\b", re.I)
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
}


def needs_context(question: str) -> bool:
    """Whether a question leans on what was said before."""
    return bool(
        _DEICTIC.search(question) or _LEAD.search(question) or len(content_terms(question)) < 3
    )


def _names(text: str) -> list[str]:
    found: dict[str, None] = {}
    for m in _NAME.finditer(text):
        words = m.group(0).split()
        while words and words[0] in _QUESTION_WORDS:
            words = words[1:]
        name = " ".join(words).strip(" .")
        if name and len(name) > 1:
            found.setdefault(name, None)
    return list(found)


def condense_heuristic(question: str, history: Sequence[Turn]) -> str:
    """The question, with the previous question's names and key terms when it needs them."""
    if not history or not needs_context(question):
        return question
    previous = history[-1][0]
    context = _names(previous)
    terms = set(content_terms(" ".join(context)))
    asked = set(content_terms(question))
    for word in content_terms(previous):
        if word not in terms and word not in asked and len(context) < 8:
            context.append(word)
            terms.add(word)
    context = [c for c in context if c.lower() not in question.lower()]
    if not context:
        return question
    return f"{question.strip()} ({'; '.join(context)})"
