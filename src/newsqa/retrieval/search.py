"""Hybrid retrieval: dense (Chroma) and lexical (BM25 in the catalog) results fused by reciprocal
rank, with outlet and date filters resolved in the catalog rather than by Chroma's slow path."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from newsqa.indexing import NewsIndex
from newsqa.retrieval.terms import query_terms
from newsqa.types import SearchHit

__all__ = ["Retriever", "SearchFilters", "query_terms"]

_RRF_K = 60


@dataclass(frozen=True, kw_only=True)
class SearchFilters:
    """Restrict results to some outlets and/or a publication period (inclusive)."""

    sources: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None

    @property
    def active(self) -> bool:
        return bool(self.sources) or self.since is not None or self.until is not None


class Retriever:
    """Finds the passages of the index that best match a question."""

    def __init__(self, index: NewsIndex, *, candidates: int = 50) -> None:
        self.index = index
        self.candidates = candidates

    def search(
        self, query: str, *, k: int = 10, filters: SearchFilters | None = None
    ) -> list[SearchHit]:
        if not query.strip() or k <= 0:
            return []
        filters = filters or SearchFilters()
        catalog, store = self.index.open()
        allowed: set[str] | None = None
        if filters.active:
            allowed = set(
                catalog.filtered_vector_ids(
                    sources=filters.sources, since=filters.since, until=filters.until
                )
            )
            if not allowed:
                return []
        n = max(self.candidates, k)
        vector = self.index.embedder.embed([query])[0]
        dense = store.query(vector, n, ids=sorted(allowed) if allowed is not None else None)
        lexical = catalog.lexical(query_terms(query), n if allowed is None else n * 20)
        if allowed is not None:
            lexical = [(v, s) for v, s in lexical if v in allowed][:n]
        fused = _rrf([[v for v, _ in dense], [v for v, _ in lexical]])
        rows = catalog.rows_for_vectors([v for v, _ in fused[: k * 2]])
        ranked = [(rows[v], score) for v, score in fused if v in rows][:k]
        copies = catalog.copies_refs({row.article.id for row, _ in ranked})
        return [
            SearchHit(
                chunk_id=row.chunk_id,
                text=row.text,
                score=score,
                article=row.article,
                position=row.position,
                also_published_by=tuple(copies.get(row.article.id, ())),
            )
            for row, score in ranked
        ]


def _rrf(rankings: Sequence[Sequence[str]]) -> list[tuple[str, float]]:
    """Reciprocal-rank fusion: ids by the sum of 1/(60 + rank) over the rankings they appear in."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, vid in enumerate(ranking):
            scores[vid] = scores.get(vid, 0.0) + 1.0 / (_RRF_K + rank + 1)
    return sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
