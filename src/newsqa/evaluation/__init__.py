"""Evaluation built in: score retrieval on a MultiHop-RAG style query file, with the benchmark's
own metric definitions (Tang & Yang, 2024), against the configured index or any corpus.

Importing this package is cheap; the index and the model load only when an evaluation runs."""

from __future__ import annotations

from newsqa.evaluation.metrics import QueryScore, aggregate, normalise, score_query
from newsqa.evaluation.retrieval import (
    RetrievalReport,
    evaluate_retrieval,
    index_for_corpus,
    load_queries,
)

__all__ = [
    "QueryScore",
    "RetrievalReport",
    "aggregate",
    "evaluate_retrieval",
    "index_for_corpus",
    "load_queries",
    "normalise",
    "score_query",
]
