"""Ranking arithmetic over the rows of a `ChunkTable`: top-n under a mask, reciprocal-rank fusion
of several rankings, and the hybrid (dense + BM25) ranking of one sub-search."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["Ranked", "boost", "hybrid", "rrf", "top"]


class Ranked:
    """Rows best first with their scores."""

    __slots__ = ("rows", "scores")

    def __init__(self, rows: NDArray[np.int64], scores: NDArray[np.float64]) -> None:
        self.rows = rows
        self.scores = scores

    def __len__(self) -> int:
        return len(self.rows)

    def head(self, n: int) -> Ranked:
        return Ranked(self.rows[:n], self.scores[:n])


def top(scores: NDArray[np.float64], mask: NDArray[np.bool_] | None, n: int) -> Ranked:
    """The `n` best rows by `scores` (-inf: not a candidate), among `mask` when given."""
    s = scores if mask is None else np.where(mask, scores, -np.inf)
    n = min(n, int(np.isfinite(s).sum()))
    if n <= 0:
        return Ranked(np.zeros(0, np.int64), np.zeros(0))
    rows = np.argpartition(-s, n - 1)[:n] if n < len(s) else np.arange(len(s))
    rows = rows[np.argsort(-s[rows], kind="stable")]
    return Ranked(rows.astype(np.int64), s[rows].astype(np.float64))


def rrf(rankings: Sequence[tuple[Ranked, float]], k: int) -> Ranked:
    """Reciprocal-rank fusion: each row scores the sum of weight / (k + rank) over the
    rankings that hold it (rank from 1); ties go the way the first ranking orders them."""
    parts = [(r.rows, w / (k + np.arange(1, len(r) + 1))) for r, w in rankings if len(r)]
    if not parts:
        return Ranked(np.zeros(0, np.int64), np.zeros(0))
    rows = np.concatenate([p[0] for p in parts])
    contrib = np.concatenate([p[1] for p in parts])
    uniq, inverse = np.unique(rows, return_inverse=True)
    scores = np.bincount(inverse, weights=contrib).astype(np.float64)
    first = np.full(len(uniq), len(rows))
    np.minimum.at(first, inverse, np.arange(len(rows)))
    order = np.lexsort((first, -scores))  # ties: as the earlier ranking has them
    return Ranked(uniq[order], scores[order])


def hybrid(
    dense: NDArray[np.float64] | None,
    lexical: NDArray[np.float64] | None,
    mask: NDArray[np.bool_] | None,
    *,
    depth: int,
    k: int,
    lexical_weight: float,
) -> Ranked:
    """Dense and lexical rankings within `mask`, fused by reciprocal rank."""
    rankings: list[tuple[Ranked, float]] = []
    if lexical is not None:  # first: it decides ties, being the stronger one on news
        rankings.append((top(lexical, mask, depth), lexical_weight))
    if dense is not None:
        rankings.append((top(dense, mask, depth), 1.0))
    return rrf(rankings, k)


def boost(ranked: Ranked, favoured: Ranked, share: float) -> Ranked:
    """`ranked` with the rows of `favoured` lifted by `share` of its best score: a soft
    constraint, so favoured rows lead while the others still follow."""
    if not len(favoured):
        return ranked
    best = float(ranked.scores[0]) if len(ranked) else 1.0
    rows = np.concatenate([ranked.rows, favoured.rows])
    small = favoured.scores / max(float(favoured.scores[0]), 1e-12) * 1e-3 * best
    scores = np.concatenate([ranked.scores, share * best + small])
    uniq, inverse = np.unique(rows, return_inverse=True)
    total = np.bincount(inverse, weights=scores).astype(np.float64)
    order = np.lexsort((uniq, -total))
    return Ranked(uniq[order], total[order])
