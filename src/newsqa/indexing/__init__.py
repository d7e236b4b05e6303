"""Chunks → vectors and catalog: building, updating and opening the index."""

from newsqa.indexing.embeddings import Embedder, SentenceTransformerEmbedder
from newsqa.indexing.index import (
    CorpusError,
    IncompatibleIndexError,
    IndexDamagedError,
    IndexMissingError,
    NewsIndex,
)
from newsqa.indexing.layout import IndexBusyError
from newsqa.indexing.store import ChromaStore, StoreError, VectorStore

__all__ = [
    "ChromaStore",
    "CorpusError",
    "Embedder",
    "IncompatibleIndexError",
    "IndexBusyError",
    "IndexDamagedError",
    "IndexMissingError",
    "NewsIndex",
    "SentenceTransformerEmbedder",
    "StoreError",
    "VectorStore",
]
