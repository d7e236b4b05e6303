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

__all__ = ["CheckedText", "CitationChecker", "is_meta_sentence", "numbers", "strip_markers"]

MARKER = re.compile(r"\s*\[(\d+(?:\s*[,;]\s*\d+)*)\]")
_META = re.compile(
    r"(?:don['’]t|do not|doesn['’]t|does not) (?:say|mention|cover|contain)|no information|"
    r"sources? (?:differ|disagree|conflict)|not enough (?:evidence|information)|"
    r"insufficient information|cannot (?:answer|tell)|can['’]t (?:answer|tell)",
    re.IGNORECASE,
)


def strip_markers(text: str) -> str:
    return MARKER.sub("", text).strip()


_AS_OF = re.compile(r"^\s*as of\b", re.IGNORECASE)
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
            numbers = [int(n) for m in MARKER.finditer(sentence) for n in re.split(r"[,;]", m[1])]
            claim = strip_markers(sentence)
            if not claim:
                continue
            valid = [n for n in dict.fromkeys(numbers) if 1 <= n <= len(hits)]
            removed += [n for n in numbers if not 1 <= n <= len(hits)]
            if is_meta_sentence(claim) or (not numbers and len(content_terms(claim)) < 4):
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
        """Support is enough, and every figure the claim gives is in the span it cites."""
        return support >= threshold and numbers(claim) <= numbers(span)


def _attach(claim: str, marks: str) -> str:
    """`claim` with markers before its final punctuation would look odd; put them after it."""
    return f"{claim} {marks}"
