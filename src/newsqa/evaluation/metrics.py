"""Retrieval metrics scored exactly as MultiHop-RAG's own `retrieval_evaluate.py` does, so our
numbers compare with the paper's. Pure functions over strings: no index, no files."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "DEPTH",
    "METRIC_KEYS",
    "QueryScore",
    "aggregate",
    "is_null_query",
    "normalise",
    "percentile",
    "score_query",
]

DEPTH = 10  # every metric looks at the top 10 chunks, as the benchmark does
NULL_ANSWER = "Insufficient information."
METRIC_KEYS = (
    "hits@1",
    "hits@4",
    "hits@10",
    "mrr@10",
    "map@10",
    "fact_recall@10",
    "all_facts@10",
)


def normalise(text: str) -> str:
    """Drop spaces and newlines, and nothing else: the benchmark's script does exactly
    `.replace(" ", "").replace("\\n", "")`, so tabs, carriage returns and non-breaking spaces
    stay (no gold fact holds any), and case is kept (matching is case-sensitive)."""
    return text.replace(" ", "").replace("\n", "")


@dataclass(frozen=True)
class QueryScore:
    """The metrics of one query (each 0..1)."""

    hits_at_1: float
    hits_at_4: float
    hits_at_10: float
    rr_at_10: float
    ap_at_10: float
    fact_recall_at_10: float
    all_facts_at_10: float

    def values(self) -> tuple[float, ...]:
        """In the order of `METRIC_KEYS`."""
        return (
            self.hits_at_1,
            self.hits_at_4,
            self.hits_at_10,
            self.rr_at_10,
            self.ap_at_10,
            self.fact_recall_at_10,
            self.all_facts_at_10,
        )


def score_query(retrieved: Sequence[str], facts: Sequence[str]) -> QueryScore:
    """Score the ranked chunk texts `retrieved` against the gold `facts` of one query.

    A chunk is relevant when any (normalised) fact is a substring of it; a fact split across two
    chunks is found in neither. AP follows the benchmark: at each relevant rank r add the number
    of facts first found there over r, and divide by min(len(facts), 10)."""
    if not facts:
        raise ValueError("a query without gold facts cannot be scored (null queries are skipped)")
    gold = [normalise(f) for f in facts]
    chunks = [normalise(c) for c in retrieved[:DEPTH]]
    first_rank: int | None = None
    found: list[str] = []  # facts already credited, compared by value like the original script
    ap_sum = 0.0
    for rank, chunk in enumerate(chunks, start=1):
        if not any(g in chunk for g in gold):
            continue
        if first_rank is None:
            first_rank = rank
        new = 0
        for g in gold:
            if g in chunk and g not in found:
                new += 1
                found.append(g)
        ap_sum += new / rank
    recall = sum(1 for g in gold if any(g in c for c in chunks)) / len(gold)
    return QueryScore(
        hits_at_1=float(first_rank == 1),
        hits_at_4=float(first_rank is not None and first_rank <= 4),
        hits_at_10=float(first_rank is not None),
        rr_at_10=1.0 / first_rank if first_rank else 0.0,
        ap_at_10=ap_sum / min(len(gold), DEPTH),
        fact_recall_at_10=recall,
        all_facts_at_10=float(recall == 1.0),
    )


def is_null_query(query: Mapping[str, Any]) -> bool:
    """Null queries (nothing to retrieve) are left out of retrieval scores, as upstream does."""
    return (
        query.get("question_type") == "null_query"
        or not query.get("evidence_list")
        or query.get("answer") == NULL_ANSWER
    )


def aggregate(
    scored: Iterable[tuple[str, QueryScore]],
) -> tuple[dict[str, float | int], dict[str, dict[str, float | int]]]:
    """Means over all queries and per question type, each with its count `n`; types sorted."""
    groups: dict[str, list[QueryScore]] = {}
    everything: list[QueryScore] = []
    for qtype, score in scored:
        groups.setdefault(qtype, []).append(score)
        everything.append(score)
    return _means(everything), {t: _means(groups[t]) for t in sorted(groups)}


def _means(scores: Sequence[QueryScore]) -> dict[str, float | int]:
    n = len(scores)
    out: dict[str, float | int] = {}
    for i, key in enumerate(METRIC_KEYS):
        out[key] = sum(s.values()[i] for s in scores) / n if n else 0.0
    out["n"] = n
    return out


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation between closest ranks (numpy's
    default); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)
