"""Checking the citations of a written answer against the passages it was given.

Markers that point at no source are removed; each cited sentence is checked against its passage
and the supporting span located; a sentence whose citations do not hold is kept without a marker
and listed as unsupported. No citation leaves here that was not located in its chunk."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from newsqa.answering.evidence import EvidenceScorer, content_terms
from newsqa.chunking import split_sentences
from newsqa.types import Citation, SearchHit

__all__ = [
    "CheckedText",
    "CitationChecker",
    "is_meta_sentence",
    "marker_numbers",
    "numbers",
    "strip_markers",
]

# "[2]", "[2, 5]", "[2][5]" as the prompt asks; and as models also write them: "[1-3]",
# "[Source 6]", "[source: 2]", "[^6]", "[#6]", "[2 and 5]"
MARKER = re.compile(
    r"\s*\[(?:\^|#|sources?\s*:?\s*)?(\d+(?:\s*(?:[,;–-]|and)\s*(?:sources?\s*)?\d+)*)\]",
    re.IGNORECASE,
)
_MARKER_PART = re.compile(r"(\d+)(?:\s*[–-]\s*(\d+))?")
_MAX_RANGE = 10  # "[1-3]" cites 1, 2 and 3; "[1-2000]" is no citation
_META = re.compile(
    r"(?:don['’]t|do not|doesn['’]t|does not) (?:say|mention|cover|contain)|no information|"
    r"sources? (?:differ|disagree|conflict)|not enough (?:evidence|information)|"
    r"insufficient information|cannot (?:answer|tell)|can['’]t (?:answer|tell)",
    re.IGNORECASE,
)


def strip_markers(text: str) -> str:
    return MARKER.sub("", text).strip()


def marker_numbers(marker: str) -> list[int]:
    """The source numbers one marker's digits cite ("2, 5" -> [2, 5]; "1-3" -> [1, 2, 3])."""
    out: list[int] = []
    for m in _MARKER_PART.finditer(marker):
        first, last = int(m[1]), int(m[2] or m[1])
        out += list(range(first, last + 1)) if 0 <= last - first < _MAX_RANGE else [first, last]
    return out


# a negation: a claim and the span that supports it must agree on it ("did not appoint" is not
# supported by "appointed")
_NEGATION = re.compile(
    r"\b(?:not|no(?!\.?\s*\d)|never|neither|nor|none|nobody|nothing|without|cannot)\b|n['’]t\b"
    r"|\b(?:fail(?:s|ed)?|refus(?:es|ed)?|unable) to\b",
    re.IGNORECASE,
)
# words whose opposite a claim must not swap in for them: "sold on its closing day" is not
# supported by "sold on opening day", nor "permanent CEO" by "interim CEO" (a claim may leave a
# word out, or say the same in other words; it may not say the opposite)
_OPPOSITES = [
    ("open", "close"),
    ("opening", "closing"),
    ("opened", "closed"),
    ("interim", "permanent"),
    ("temporary", "permanent"),
    ("rise", "fall"),
    ("rose", "fell"),
    ("increase", "decrease"),
    ("increased", "decreased"),
    ("higher", "lower"),
    ("won", "lost"),
    ("win", "lose"),
    ("wins", "loses"),
    ("approved", "rejected"),
    ("guilty", "innocent"),
    ("convicted", "acquitted"),
    ("guilty", "acquitted"),
    ("hired", "fired"),
    ("buy", "sell"),
    ("bought", "sold"),
    ("gained", "lost"),
    ("profit", "loss"),
    ("above", "below"),
    ("largest", "smallest"),
    ("biggest", "smallest"),
    ("minimum", "maximum"),
    ("allowed", "banned"),
    ("legal", "illegal"),
]
_OPPOSITE: dict[str, set[str]] = {}
for _a, _b in _OPPOSITES:
    _OPPOSITE.setdefault(_a, set()).add(_b)
    _OPPOSITE.setdefault(_b, set()).add(_a)
_WORDS = re.compile(r"[a-z]+")


def _swapped(claim: str, span: str) -> bool:
    """The claim says a word whose opposite the span says instead ("closing" for "opening")."""
    said = set(_WORDS.findall(claim.lower()))
    found = set(_WORDS.findall(span.lower()))
    for word in said & _OPPOSITE.keys():
        opposites = _OPPOSITE[word]
        if word not in found and not opposites & said and opposites & found:
            return True
    return False


_AS_OF = re.compile(r"^\s*as of\b", re.IGNORECASE)
_QUESTION = re.compile(r"\?[\W_]{0,3}$")
# how a model introduces or sums up what it says ("Here is what the sources report:", "In
# summary, both are local stories."): words about the answer, not claims to trace
_INTRODUCES = re.compile(r":\s*$")
_SUMS_UP = re.compile(
    r"^(?:in (?:summary|short|conclusion|sum)|to (?:summarize|summarise|sum up)|overall|"
    r"here (?:is|are)|based on (?:the|these) (?:provided )?(?:sources|articles|passages))\b",
    re.IGNORECASE,
)
_SUM_UP_TERMS = 6  # a longer one says something of its own, and is checked
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def is_meta_sentence(text: str) -> bool:
    """A sentence about the answer or the sources (a refusal, a short "As of …" line), not a
    claim to cite."""
    return bool(_META.search(text)) or (bool(_AS_OF.match(text)) and len(text.split()) <= 8)


def numbers(text: str) -> set[str]:
    """The figures in a text, thousands separators dropped ("5,400" == "5400")."""
    return {n.replace(",", "") for n in _NUMBER.findall(text)}


@dataclass(frozen=True)
class CheckedText:
    text: str
    citations: tuple[Citation, ...]
    unsupported: tuple[str, ...]
    removed_markers: tuple[int, ...]  # marker numbers that pointed at no source


class CitationChecker:
    """Verifies `[n]` markers (1-based into `hits`) and renumbers the ones that hold."""

    def __init__(self, scorer: EvidenceScorer, *, threshold: float = 0.5) -> None:
        self.scorer = scorer
        self.threshold = threshold

    def check(self, text: str, hits: Sequence[SearchHit]) -> CheckedText:
        keys: dict[tuple[int, int, int], int] = {}  # (hit, start, end) -> new number
        claims: dict[tuple[int, int, int], list[str]] = {}
        unsupported: list[str] = []
        removed: list[int] = []
        pieces: list[str] = []
        cursor = 0
        for start, end in split_sentences(text):
            sentence = text[start:end]
            pieces.append(text[cursor:start])
            cursor = end
            numbers = [n for m in MARKER.finditer(sentence) for n in marker_numbers(m[1])]
            claim = strip_markers(sentence)
            if not claim:
                continue
            valid = [n for n in dict.fromkeys(numbers) if 1 <= n <= len(hits)]
            removed += [n for n in numbers if not 1 <= n <= len(hits)]
            # said about the sources ("The sources do not say …"), asked, or words that claim
            # nothing ("In short:"): shown, never cited; a note about the sources that cites one
            # ("Sources differ: X was named CEO [4]") is a claim, checked as any other
            terms = len(content_terms(claim))
            if (
                (is_meta_sentence(claim) and not numbers)
                or _QUESTION.search(claim)
                or terms < 2
                or (
                    not numbers
                    and (
                        _INTRODUCES.search(claim)
                        or (_SUMS_UP.search(claim) and terms <= _SUM_UP_TERMS)
                    )
                )
            ):
                pieces.append(claim)
                continue
            held: list[tuple[int, int, int]] = []
            for n in valid:
                s, e, support = self.scorer.locate(claim, hits[n - 1].text)
                if self._holds(claim, hits[n - 1].text[s:e], support, self.threshold):
                    held.append((n - 1, s, e))
            if not held:
                held = self._anywhere(claim, hits)
            if not held:
                unsupported.append(claim)
                pieces.append(claim)
                continue
            marks = []
            for key in held:
                if key not in keys:
                    keys[key] = len(keys) + 1
                claims.setdefault(key, []).append(claim)
                marks.append(f"[{keys[key]}]")
            pieces.append(_attach(claim, "".join(marks)))
        pieces.append(text[cursor:])
        citations = tuple(
            Citation(
                n=n,
                article=hits[i].article,
                chunk_id=hits[i].chunk_id,
                chunk_text=hits[i].text,
                passage=hits[i].text[s:e],
                start=s,
                end=e,
                claims=tuple(claims[(i, s, e)]),
            )
            for (i, s, e), n in keys.items()
        )
        return CheckedText(
            text="".join(pieces).strip(),
            citations=citations,
            unsupported=tuple(unsupported),
            removed_markers=tuple(removed),
        )

    def _anywhere(self, claim: str, hits: Sequence[SearchHit]) -> list[tuple[int, int, int]]:
        """The one passage that supports a claim best, if it clears a stricter bar."""
        best: tuple[float, int, int, int] | None = None
        for i, hit in enumerate(hits):
            s, e, support = self.scorer.locate(claim, hit.text)
            if self._holds(claim, hit.text[s:e], support, self.threshold + 0.15) and (
                best is None or support > best[0]
            ):
                best = (support, i, s, e)
        return [(best[1], best[2], best[3])] if best is not None else []

    @staticmethod
    def _holds(claim: str, span: str, support: float, threshold: float) -> bool:
        """Support is enough, every figure the claim gives is in the span it cites, and both or
        neither deny something."""
        return (
            support >= threshold
            and numbers(claim) <= numbers(span)
            and bool(_NEGATION.search(claim)) == bool(_NEGATION.search(span))
            and not _swapped(claim, span)
        )


def _attach(claim: str, marks: str) -> str:
    """`claim` with markers before its final punctuation would look odd; put them after it."""
    return f"{claim} {marks}"
