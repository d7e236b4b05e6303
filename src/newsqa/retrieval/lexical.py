"""BM25 in memory, built once per index generation from the catalog's own full-text index (the
same porter-stemmed tokens), so that a question's clauses are each scored against every chunk in
about a millisecond instead of one SQLite query each. Scores equal SQLite FTS5's bm25().

Reading 1.3M postings out of SQLite takes about 1.5 s for 7.5k chunks, so the postings are also
kept in `lexical-postings.npz` beside the catalog, keyed by the catalog's version: the first
search of a later process loads them in a few tens of milliseconds. The file is only a cache; a
stale, broken or unwritable one is ignored."""

from __future__ import annotations

import logging
import math
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from newsqa.retrieval.sidecar import load_arrays, save_arrays

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from newsqa.indexing.catalog import Catalog

__all__ = ["LexicalIndex", "Stemmer"]

log = logging.getLogger(__name__)
CACHE_NAME = "lexical-postings.npz"

_K1, _B = 1.2, 0.75  # FTS5's bm25() constants


class Stemmer:
    """Words to the index's terms, by the very tokenizer the catalog uses ("porter unicode61"),
    run on a private in-memory table; results are cached per word."""

    def __init__(self, tokenize: str = "porter unicode61") -> None:
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute(f"CREATE VIRTUAL TABLE words USING fts5(w, tokenize = '{tokenize}')")
        self._db.execute("CREATE VIRTUAL TABLE vocab USING fts5vocab(words, 'instance')")
        self._cache: dict[str, tuple[str, ...]] = {}
        self._lock = threading.Lock()

    def terms(self, words: Iterable[str]) -> list[str]:
        """The index terms of `words`, in order, each once."""
        words = list(words)
        new = [w for w in dict.fromkeys(words) if w not in self._cache]
        if new:
            with self._lock:
                self._db.executemany(
                    "INSERT INTO words(rowid, w) VALUES (?, ?)", list(enumerate(new, 1))
                )
                found: dict[int, list[str]] = {}
                for term, doc in self._db.execute(
                    "SELECT term, doc FROM vocab ORDER BY doc, offset"
                ):
                    found.setdefault(int(doc), []).append(term)
                self._db.execute("DELETE FROM words")
                for i, w in enumerate(new, 1):
                    self._cache[w] = tuple(found.get(i, ()))
        return list(dict.fromkeys(t for w in words for t in self._cache[w]))


class LexicalIndex:
    """Postings of every term: the rows holding it and their BM25 term-frequency factor."""

    def __init__(self, catalog: Catalog, rids: NDArray[np.int64], stemmer: Stemmer) -> None:
        self.stemmer = stemmer
        n = len(rids)
        self.size = n
        key = _cache_key(catalog, rids)
        cache = Path(catalog.path).parent / CACHE_NAME
        loaded = _load(cache, key)
        if loaded is None:
            loaded = _postings(catalog, rids)
            _save(cache, key, *loaded)
        terms, offsets, rows, tf = loaded
        lengths = np.bincount(rows, weights=tf, minlength=n).astype(np.float64)
        avg = float(lengths.mean()) if n else 1.0
        norm = _K1 * (1 - _B + _B * lengths / max(avg, 1e-9))
        factor = (tf * (_K1 + 1) / (tf + norm[rows])).astype(np.float32)
        bounds = offsets.tolist()
        self._postings: dict[str, tuple[NDArray[np.int64], NDArray[np.float32]]] = {
            term: (rows[a:b], factor[a:b])
            for term, a, b in zip(terms, bounds[:-1], bounds[1:], strict=True)
        }

    def counts(self, words: Sequence[str]) -> dict[str, int]:
        """How many rows hold each word (its first index term)."""
        out: dict[str, int] = {}
        for word in words:
            terms = self.stemmer.terms([word])
            posting = self._postings.get(terms[0]) if terms else None
            out[word] = len(posting[0]) if posting is not None else 0
        return out

    def idf(self, term: str) -> float:
        rows = self._postings.get(term)
        n = len(rows[0]) if rows is not None else 0
        return max(math.log((self.size - n + 0.5) / (n + 0.5)), 1e-6)

    def scores(self, words: Sequence[str]) -> NDArray[np.float64]:
        """BM25 of every row for any of `words` (stop words already dropped); -inf where none
        matches."""
        out = np.zeros(self.size, dtype=np.float64)
        hit = np.zeros(self.size, dtype=bool)
        for term in self.stemmer.terms(words):
            posting = self._postings.get(term)
            if posting is None:
                continue
            rows, factor = posting
            out[rows] += self.idf(term) * factor
            hit[rows] = True
        out[~hit] = -np.inf
        return out


Postings = tuple[list[str], "NDArray[np.int64]", "NDArray[np.int64]", "NDArray[np.float64]"]


def _postings(catalog: Catalog, rids: NDArray[np.int64]) -> Postings:
    """(terms, offsets into rows, rows, term frequencies) from the catalog's full-text index:
    term i holds rows[offsets[i]:offsets[i + 1]], each with its frequency in that row."""
    n = len(rids)
    terms: list[str] = []
    row_parts: list[NDArray[np.int64]] = []
    tf_parts: list[NDArray[np.int64]] = []
    for term, group in groupby(catalog.lexical_postings(), key=lambda x: x[0]):
        docs = np.fromiter((d for _, d in group), np.int64)
        rows = np.searchsorted(rids, docs)
        known = (rows < n) & (rids[np.minimum(rows, n - 1)] == docs)
        uniq, tf = np.unique(rows[known], return_counts=True)
        if len(uniq):
            terms.append(term)
            row_parts.append(uniq)
            tf_parts.append(tf)
    offsets = np.zeros(len(terms) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(r) for r in row_parts])
    rows_all = np.concatenate(row_parts) if row_parts else np.zeros(0, np.int64)
    tf_all = np.concatenate(tf_parts).astype(np.float64) if tf_parts else np.zeros(0)
    return terms, offsets, rows_all.astype(np.int64), tf_all


def _cache_key(catalog: Catalog, rids: NDArray[np.int64]) -> str:
    chunks, top, changes = catalog.version()
    return f"v2|{chunks}|{top}|{changes}|{len(rids)}|{int(rids.sum()) if len(rids) else 0}"


def _load(path: Path, key: str) -> Postings | None:
    data = load_arrays(path, key)
    if data is None or not {"terms", "offsets", "rows", "tf"} <= data.keys():
        return None
    return (
        data["terms"].tolist(),
        data["offsets"].astype(np.int64),
        data["rows"].astype(np.int64),
        data["tf"].astype(np.float64),
    )


def _save(
    path: Path,
    key: str,
    terms: list[str],
    offsets: NDArray[np.int64],
    rows: NDArray[np.int64],
    tf: NDArray[np.float64],
) -> None:
    arrays = {
        "terms": np.array(terms, dtype=np.str_),
        "offsets": offsets,
        "rows": rows.astype(np.int32),
        "tf": tf.astype(np.uint16),
    }
    save_arrays(path, key, arrays)
