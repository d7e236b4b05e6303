"""What a question takes for granted that the articles may report otherwise: "Why was Sam
Bankman-Fried acquitted?" when the passages found say he was found guilty, and none says
"acquitted". Read from a few events whose contrary a report states in plain words (a verdict,
a cancellation, a vote); anything else a question supposes is not checked: telling a false
premise from a true one the passages put in other words needs more than words."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from newsqa.types import SearchHit

__all__ = ["Contrary", "Premise", "premise_of"]

# (what a question may suppose, what reports the contrary): "cancelled" against "launched"
_EVENTS = [
    (r"acquit(?:s|ted|tal)?", r"convicted|found guilty|pleaded guilty|pled guilty|sentenced"),
    (r"convicted|found guilty", r"acquitted|acquittal"),
    (
        r"(?<!noise )(?<!noise-)cancel(?:s|led|ed|ling|ing|lation)?|scrap(?:s|ped)?"
        r"|call(?:ed)? off|axed",  # (not a headphone's noise cancelling)
        r"launched|released|unveiled|announced|debuted|premiered|went on sale|went ahead",
    ),
    (r"reject(?:s|ed)?|vot(?:e|es|ed) down|vetoe?d?", r"approved|voted (?:for|in favou?r of)"),
    (r"approv(?:e|es|ed|al)", r"rejected|voted down|vetoed"),
]
# a sentence that does not state what it says as done: negated, conditional, to come or asked
_UNSAID = re.compile(
    r"\b(?:not|no|never|if|whether|could|would|might|may|will|expected|likely|set to|"
    r"plans? to|planned|rumou?red|reportedly)\b|n['’]t\b|\?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Premise:
    """An event a question supposes ("acquitted"), and how a report would say the contrary."""

    word: str  # as the question says it
    supposed: re.Pattern[str]
    contrary: re.Pattern[str]

    def said_in(self, text: str) -> bool:
        """`text` says the event supposed, in any of its forms (or negates it: said all the
        same, and so no contrary to point out)."""
        return bool(self.supposed.search(text))

    def denied_by(self, sentence: str) -> str | None:
        """The words of `sentence` that report the contrary, when it states them plainly: not
        negated, nor as what may come ("could face up to 115 years if convicted")."""
        m = self.contrary.search(sentence)
        return m[0] if m and not _UNSAID.search(sentence) else None


def premise_of(question: str) -> Premise | None:
    """The event `question` supposes, from the few whose contrary is checked: None for a
    question that negates it ("Why wasn't he acquitted?") or names its contrary too ("Was he
    convicted or acquitted?")."""
    if _UNSAID.search(question.rstrip(" ?")):
        return None
    for supposed, contrary in _EVENTS:
        said = re.compile(rf"\b(?:{supposed})\b", re.IGNORECASE)
        against = re.compile(rf"\b(?:{contrary})\b", re.IGNORECASE)
        m = said.search(question)
        if m and not against.search(question):
            return Premise(m[0], said, against)
    return None


@dataclass(frozen=True)
class Contrary:
    """What a question supposes that no passage found says, and the passages found that report
    the contrary, each with its sentence that does (best first)."""

    premise: Premise
    reports: tuple[tuple[SearchHit, str], ...]

    def note(self, refs: Sequence[str]) -> str:
        """ "Nothing found says “acquitted”; [1] says “found guilty”.", each report named by its
        ref ("[1]", or an article's title where no marker points at it); "[1] and [2] say …"
        when they say it in the same words."""
        said: dict[str, list[str]] = {}
        for ref, (_, sentence) in zip(refs, self.reports, strict=True):
            said.setdefault((self.premise.denied_by(sentence) or "").lower(), []).append(ref)
        parts = [
            f"{' and '.join(who)} {'says' if len(who) == 1 else 'say'} “{words}”"
            for words, who in said.items()
        ]
        return f"Nothing found says “{self.premise.word}”; {', '.join(parts)}."
