"""Understanding a question before searching: splitting a multi-part question into its claims."""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["clause_spans", "split_question"]

_AUX = r"(?:did|does|do|is|was|were|are|has|have|had|will|would|can|could|should|might|may)"
_SPLIT = re.compile(
    r"\?\s+|;\s*|,\s*(?:and|but|while|whereas|yet)\s+|\s+(?:while|whereas)\s+|"
    rf"\s+(?:and|but)\s+(?={_AUX}\b)|,\s*(?={_AUX}\b)",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W_]{3,}")


def split_question(question: str) -> list[str]:
    """The parts of a question that each make a claim of their own ("Did A say X, and did B say
    Y?" -> ["Did A say X", "did B say Y?"]); a one-part question gives []."""
    parts = [p.strip(" ,") for p in _SPLIT.split(question)]
    parts = [p for p in parts if len(_WORD.findall(p)) >= 3]
    return parts if len(parts) > 1 else []


_CLAUSE = re.compile(
    r"\?\s+|;\s*|,\s*|\s+(?:while|whereas)\s+|"
    rf"\s+(?:and|but|or)\s+(?=(?:{_AUX}|also|then|later|subsequently)\b)|"
    r"\s+(?:before|after)\s+(?=the\b|[A-Z'\"‘“])",
)
_LEAD = re.compile(r"(?:and|but|or|yet|also|then)\s+", re.IGNORECASE)


def clause_spans(question: str, protected: Sequence[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """Character spans of the clauses of a question: cut at commas, semicolons, inner question
    marks, "while"/"whereas", "and" before a verb, and "before"/"after" between two clauses;
    never inside a `protected` span (a date such as "October 31, 2023", an outlet's name).
    Leading conjunctions are left out of the spans; fragments may be short."""
    cuts: list[tuple[int, int]] = []
    for m in _CLAUSE.finditer(question):
        if any(a < m.end() and m.start() < b for a, b in protected):
            continue
        cuts.append((m.start(), m.end()))
    spans: list[tuple[int, int]] = []
    start = 0
    for a, b in [*cuts, (len(question), len(question))]:
        lead = _LEAD.match(question, start, a)
        s = lead.end() if lead else start
        text = question[s:a].rstrip(" ?.!")
        if text.strip():
            spans.append((s, s + len(text)))
        start = b
    return spans
