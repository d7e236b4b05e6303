"""Sentence-level lexical matching: a clause of a question usually restates one sentence of its
evidence, so a chunk is scored by its single best-matching sentence, words weighted by how rare
they are in the index (IDF from the full-text index's own counts)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from itertools import pairwise

from newsqa.chunking.sentences import split_sentences
from newsqa.retrieval.terms import STOP_WORDS

__all__ = ["SentenceMatcher", "stem"]

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light English stemmer (plurals, -ing, -ed, final e, doubled consonant): enough to match
    "accused"/"accuses" or "stories"/"story" between a question and a sentence."""
    w = word
    if w.endswith(("'s", "’s")):
        w = w[:-2]
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 4 and w.endswith("sses"):
        w = w[:-2]
    elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if len(w) > 5 and w.endswith("ing"):
        w = w[:-3]
    elif len(w) > 4 and w.endswith("ed"):
        w = w[:-2]
    if len(w) > 4 and w.endswith("e"):
        w = w[:-1]
    if len(w) > 4 and w[-1] == w[-2] and w[-1] not in "lsz":
        w = w[:-1]
    return w


def _stems(text: str, stemmer: Callable[[str], str]) -> dict[str, str]:
    """stem -> a surface form, for the content words of `text`, in order."""
    out: dict[str, str] = {}
    for word in _WORD.findall(text.lower()):
        if word not in STOP_WORDS:
            out.setdefault(stemmer(word), word)
    return out


def _pairs(text: str, stemmer: Callable[[str], str]) -> set[tuple[str, str]]:
    """Adjacent content words ("default search", "search engine"), stemmed."""
    words = [stemmer(w) for w in _WORD.findall(text.lower()) if w not in STOP_WORDS]
    return set(pairwise(words))


PAIR_WEIGHT = 0.5  # a pair of the clause's words side by side counts this much more


class SentenceMatcher:
    """Scores chunks by how much of a clause's (IDF-weighted) vocabulary their best sentence
    holds. `counts` gives how many of the `total` chunks contain each word. (The light stemmer
    matched as well as the index's own porter stemmer here, and is faster.)"""

    def __init__(
        self,
        counts: Callable[[Sequence[str]], Mapping[str, int]],
        total: int,
        stemmer: Callable[[str], str] = stem,
    ) -> None:
        self._counts = counts
        self._stem = stemmer
        self._total = max(total, 1)
        self._idf: dict[str, float] = {}
        self._sentences: dict[str, list[tuple[frozenset[str], frozenset[tuple[str, str]]]]] = {}

    def _weights(self, clause: str) -> dict[str, float]:
        stems = _stems(clause, self._stem)
        missing = [w for w in stems.values() if w not in self._idf]
        if missing:
            for word, n in self._counts(missing).items():
                self._idf[word] = math.log(1.0 + (self._total - n + 0.5) / (n + 0.5))
        return {s: self._idf.get(w, 0.0) for s, w in stems.items()}

    def sentences(
        self, key: str, text: str
    ) -> list[tuple[frozenset[str], frozenset[tuple[str, str]]]]:
        """The stemmed content words and word pairs of each sentence of a chunk (cached)."""
        found = self._sentences.get(key)
        if found is None:
            if len(self._sentences) > 50_000:  # a bound for long-running servers
                self._sentences.clear()
            found = [
                (
                    frozenset(_stems(text[a:b], self._stem)),
                    frozenset(_pairs(text[a:b], self._stem)),
                )
                for a, b in split_sentences(text)
            ]
            self._sentences[key] = found
        return found

    def scores(self, clause: str, chunks: Sequence[tuple[str, str]]) -> list[float]:
        """For each (key, text) chunk, the share of the clause's weight its best sentence holds."""
        weights = self._weights(clause)
        pairs = {
            (a, b): PAIR_WEIGHT * min(weights.get(a, 0.0), weights.get(b, 0.0))
            for a, b in _pairs(clause, self._stem)
        }
        total = sum(weights.values()) + sum(pairs.values())
        if total <= 0:
            return [0.0] * len(chunks)
        out = []
        for key, text in chunks:
            best = 0.0
            for words, adjacent in self.sentences(key, text):
                score = sum(w for s, w in weights.items() if s in words)
                if pairs and adjacent:
                    score += sum(w for p, w in pairs.items() if p in adjacent)
                best = max(best, score)
            out.append(best / total)
        return out
