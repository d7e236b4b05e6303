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
        self._db.execute(f"CREATE VIRTUAL TABLE bodies USING fts5(body, tokenize = '{tokenize}')")
        self._db.execute("CREATE VIRTUAL TABLE bodies_vocab USING fts5vocab(bodies, 'instance')")
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

    def term_counts(self, texts: Iterable[tuple[int, str]]) -> dict[int, dict[str, int]]:
        """For each (id, text): how often each index term occurs in the text, tokenized as the
        catalog's full-text index tokenizes it."""
        out: dict[int, dict[str, int]] = {}
        with self._lock:
            self._db.executemany("INSERT INTO bodies(rowid, body) VALUES (?, ?)", list(texts))
            for term, doc in self._db.execute("SELECT term, doc FROM bodies_vocab"):
                counts = out.setdefault(int(doc), {})
                counts[term] = counts.get(term, 0) + 1
            self._db.execute("DELETE FROM bodies")
        return out


class LexicalIndex:
    """Postings of every term: the rows holding it and their BM25 term-frequency factor."""

    def __init__(
        self,
        catalog: Catalog,
        rids: NDArray[np.int64],
        stemmer: Stemmer,
        vector_ids: Sequence[str] = (),
    ) -> None:
        """`vector_ids`, row-aligned with `rids`, say what each row holds (a row id may be
        used again for another text): given, a later index's postings are made from these."""
        self.stemmer = stemmer
        n = len(rids)
        self.size = n
        key = _cache_key(catalog, rids)
        cache = Path(catalog.path).parent / CACHE_NAME
        loaded = _load(cache, key)
        if loaded is None:
            # after an update, the postings before it with the changed rows' own: the first
            # search after each update read every posting out of SQLite again (1.3 s at 7.5k
            # chunks, 4.6 s at 38k)
            held = np.array(vector_ids, dtype=np.str_)
            updated = _updated(cache, catalog, rids, held, stemmer) if len(held) == n else None
            loaded = updated or _postings(catalog, rids)
            _save(cache, key, *loaded, rids, held, catalog.lexical_format())
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


# v3: the row ids the postings were made for are kept beside them; v4: and the catalog's
# full-text format (`fulltext.LEXICAL_FORMAT`), as postings of another are no base for an update
_VERSION = "v4"
# an update that changed more than this share of the rows is read afresh from SQLite
_MOST_CHANGED = 0.25


def _cache_key(catalog: Catalog, rids: NDArray[np.int64]) -> str:
    chunks, top, changes = catalog.version()
    rows = f"{len(rids)}|{int(rids.sum()) if len(rids) else 0}"
    return f"{_VERSION}|{catalog.lexical_format()}|{chunks}|{top}|{changes}|{rows}"


def _load(path: Path, key: str) -> Postings | None:
    """The postings cached for `key`."""
    loaded = _load_with_rids(path, key)
    return loaded[0] if loaded is not None else None


def _load_with_rids(
    path: Path, key: str | None, lexical_format: str | None = None
) -> tuple[Postings, NDArray[np.int64], NDArray[np.str_]] | None:
    """The postings cached for `key` (None: any) with the row ids and vector ids they were made
    for; with `lexical_format`, only postings of a catalog in that full-text format."""
    data = load_arrays(path, key)
    fields = {"terms", "offsets", "rows", "tf", "rids", "vids", "lexical"}
    if data is None or not fields <= data.keys():
        return None
    if lexical_format is not None and str(data["lexical"]) != lexical_format:
        return None
    postings = (
        data["terms"].tolist(),
        data["offsets"].astype(np.int64),
        data["rows"].astype(np.int64),
        data["tf"].astype(np.float64),
    )
    return postings, data["rids"].astype(np.int64), data["vids"]


def _save(
    path: Path,
    key: str,
    terms: list[str],
    offsets: NDArray[np.int64],
    rows: NDArray[np.int64],
    tf: NDArray[np.float64],
    rids: NDArray[np.int64],
    vids: NDArray[np.str_],
    lexical_format: str,
) -> None:
    arrays = {
        "terms": np.array(terms, dtype=np.str_),
        "offsets": offsets,
        "rows": rows.astype(np.int32),
        "tf": tf.astype(np.uint16),
        "rids": rids.astype(np.int64),
        "vids": vids,
        "lexical": np.array(lexical_format),
    }
    save_arrays(path, key, arrays)


def _updated(
    path: Path,
    catalog: Catalog,
    rids: NDArray[np.int64],
    vids: NDArray[np.str_],
    stemmer: Stemmer,
) -> Postings | None:
    """The postings of `rids` made from those cached for other rows (an index generation before
    an update): the rows gone dropped, the rows added (or holding another text under the same
    row id: `vids`) tokenized as the catalog tokenizes them. None when there is no such cache,
    or most rows changed, or its catalog read text another way (the full-text index rebuilt
    since, holding other terms under the same row ids)."""
    cached = _load_with_rids(path, None, catalog.lexical_format())
    if cached is None:
        return None
    (terms, offsets, rows, tf), old_rids, old_vids = cached
    if len(old_vids) != len(old_rids) or not len(old_rids) or np.any(np.diff(old_rids) <= 0):
        return None
    # each old row found again among the rows now: the same row id holding the same text
    at = np.searchsorted(rids, old_rids)
    found = np.minimum(at, len(rids) - 1)
    same = (at < len(rids)) & (rids[found] == old_rids) & (vids[found] == old_vids)
    new_row_of_old = np.where(same, found, -1)
    fresh = np.ones(len(rids), dtype=bool)
    fresh[found[same]] = False
    added = rids[fresh]
    if len(added) > _MOST_CHANGED * max(len(rids), 1):
        return None
    term_of = np.repeat(np.arange(len(terms), dtype=np.int64), np.diff(offsets))
    moved = new_row_of_old[rows]
    kept = moved >= 0
    term_of, new_rows, new_tf = term_of[kept], moved[kept], tf[kept]
    # the postings of the rows added, as the catalog's tokenizer makes them
    terms = list(terms)
    index = {t: i for i, t in enumerate(terms)}
    extra_terms: list[int] = []
    extra_rows: list[int] = []
    extra_tf: list[int] = []
    for rid, held in stemmer.term_counts(catalog.lexical_bodies(added.tolist())).items():
        row = int(np.searchsorted(rids, rid))
        for term, n in held.items():
            if term not in index:
                index[term] = len(terms)
                terms.append(term)
            extra_terms.append(index[term])
            extra_rows.append(row)
            extra_tf.append(n)
    term_of = np.concatenate([term_of, np.array(extra_terms, dtype=np.int64)])
    new_rows = np.concatenate([new_rows, np.array(extra_rows, dtype=np.int64)])
    new_tf = np.concatenate([new_tf, np.array(extra_tf, dtype=np.float64)])
    # grouped by term (in the catalog's order: sorted), each term's rows ascending
    names = np.array(terms, dtype=np.str_)
    order = np.argsort(names, kind="stable")
    rank = np.empty(len(terms), dtype=np.int64)
    rank[order] = np.arange(len(terms))
    sort = np.lexsort((new_rows, rank[term_of]))
    term_of, new_rows, new_tf = rank[term_of][sort], new_rows[sort], new_tf[sort]
    per_term = np.bincount(term_of, minlength=len(terms))
    present = per_term > 0
    sorted_terms = names[order][present].tolist()
    new_offsets = np.zeros(len(sorted_terms) + 1, dtype=np.int64)
    new_offsets[1:] = np.cumsum(per_term[present])
    return sorted_terms, new_offsets, new_rows.astype(np.int64), new_tf
