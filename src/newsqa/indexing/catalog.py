"""The catalog: one SQLite file per index generation holding articles, chunks, the full-text
(BM25) index and the build settings. It is the source of truth: a vector in Chroma counts only
when a catalog row points at it, so an interrupted write never shows half an update."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from newsqa.indexing.fulltext import LEXICAL_FORMAT, lexical_text
from newsqa.periods import last_news_day
from newsqa.types import Article, ArticleRef, Chunk, IndexedArticle, indexed_text, origin_file

__all__ = ["Catalog", "ChunkRow", "StoredChunk", "damaged"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    hash TEXT NOT NULL,
    title TEXT NOT NULL,
    source TEXT NOT NULL,
    author TEXT NOT NULL,
    published TEXT NOT NULL,
    published_ts REAL,
    url TEXT NOT NULL,
    origin TEXT NOT NULL,
    copy_of TEXT,
    signature BLOB
);
CREATE INDEX IF NOT EXISTS articles_copy_of ON articles(copy_of);
CREATE TABLE IF NOT EXISTS chunks (
    rid INTEGER PRIMARY KEY,
    id TEXT UNIQUE NOT NULL,
    vector_id TEXT UNIQUE NOT NULL,
    article_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    header TEXT NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    n_tokens INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_article ON chunks(article_id);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(body, tokenize = 'porter unicode61');
"""


class StoredChunk(NamedTuple):
    """A live chunk as the builder stored it: its vector's id, text and store metadata."""

    vector_id: str
    header: str
    text: str
    article_id: str
    chunk_id: str
    position: int
    title: str
    source: str
    url: str
    published: str  # ISO, or "" undated
    published_ts: float | None


@dataclass(frozen=True)
class ChunkRow:
    """A live chunk joined with its article."""

    chunk_id: str
    vector_id: str
    position: int
    text: str
    article: ArticleRef


def _ts(dt: datetime | None) -> float | None:
    """Seconds since the epoch; a date without a zone is read as UTC."""
    if dt is None:
        return None
    return (dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)).timestamp()


def _read_only(path: Path) -> sqlite3.Connection:
    """A connection that only reads. On a read-only medium (a mount, a shipped index) SQLite
    cannot make the files a WAL database's readers share; nothing can change it there either,
    so it is opened as immutable."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    try:
        db.execute("SELECT 1 FROM meta LIMIT 1").fetchall()
    except sqlite3.OperationalError as exc:
        db.close()
        if "unable to open" not in str(exc) or not path.exists():
            raise
        db = sqlite3.connect(f"file:{path}?immutable=1", uri=True, check_same_thread=False)
    return db


def damaged(exc: BaseException) -> bool:
    """Whether a SQLite error says the catalog file itself is broken (cut short, overwritten,
    not a database, its tables not written yet), not that it is busy, read-only or on a full
    disk."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    code = getattr(exc, "sqlite_errorname", "")
    return code in ("SQLITE_CORRUPT", "SQLITE_NOTADB") or "no such table" in str(exc)


class Catalog:
    """Articles and chunks of one index generation, in SQLite (WAL, so readers never block)."""

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = path
        self.readonly = readonly
        # one connection per thread: the web page serves several people from a thread pool
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        if not readonly:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)
            if self._db.execute("SELECT 1 FROM chunks LIMIT 1").fetchone() is None:
                with self._db:  # a catalog with no chunk yet is in the current full-text format
                    self._db.execute(
                        "INSERT OR IGNORE INTO meta(key, value) VALUES ('lexical', ?)",
                        (LEXICAL_FORMAT,),
                    )

    @property
    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            if self.readonly:
                db = _read_only(self.path)
            else:
                db = sqlite3.connect(self.path, check_same_thread=False)
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
            with self._connections_lock:
                self._connections.append(db)
        return db

    def close(self) -> None:
        with self._connections_lock:
            for db in self._connections:
                db.close()
            self._connections.clear()
        self._local = threading.local()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: a crash inside leaves the catalog as it was before."""
        with self._db:
            yield

    # -- settings of the build ------------------------------------------------------------
    def meta(self) -> dict[str, str]:
        return dict(self._db.execute("SELECT key, value FROM meta").fetchall())

    def set_meta(self, values: dict[str, str]) -> None:
        self._db.executemany(
            "INSERT INTO meta(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            list(values.items()),
        )

    # -- writing --------------------------------------------------------------------------
    def article_hashes(self) -> dict[str, str]:
        return dict(self._db.execute("SELECT id, hash FROM articles").fetchall())

    def article_origins(self) -> dict[str, str]:
        return dict(self._db.execute("SELECT id, origin FROM articles").fetchall())

    def titled_origins(self) -> list[tuple[str, str, str, str, str]]:
        """(id, title, outlet, published ISO time or "", origin) of every article: what tells
        where an article's file is."""
        return list(self._db.execute("SELECT id, title, source, published, origin FROM articles"))

    def set_origins(self, origins: dict[str, str]) -> None:
        """Record where articles are read from now (inside a transaction)."""
        self._db.executemany(
            "UPDATE articles SET origin = ? WHERE id = ?", [(o, i) for i, o in origins.items()]
        )

    def vector_ids_of(self, article_id: str) -> dict[str, str]:
        """chunk id -> vector id for one article."""
        rows = self._db.execute(
            "SELECT id, vector_id FROM chunks WHERE article_id = ?", (article_id,)
        ).fetchall()
        return dict(rows)

    def put_article(
        self,
        article: Article,
        chunks: Sequence[tuple[Chunk, str]],
        *,
        copy_of: str | None = None,
        signature: np.ndarray | None = None,
    ) -> None:
        """Insert or replace an article and its chunks (`(chunk, vector_id)` pairs)."""
        self._delete_chunks(article.id)  # also counts the change, in this transaction
        self._db.execute(
            "INSERT OR REPLACE INTO articles VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (
                article.id,
                article.content_hash,
                article.title,
                article.source,
                article.author,
                article.published_iso,
                _ts(article.published),
                article.url,
                article.origin,
                copy_of,
                signature.tobytes() if signature is not None else None,
            ),
        )
        for chunk, vector_id in chunks:
            cur = self._db.execute(
                "INSERT INTO chunks(id, vector_id, article_id, position, text, header, start, end,"
                " n_tokens) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    chunk.id,
                    vector_id,
                    article.id,
                    chunk.position,
                    chunk.text,
                    chunk.header,
                    chunk.start,
                    chunk.end,
                    chunk.n_tokens,
                ),
            )
            self._db.execute(
                "INSERT INTO chunks_fts(rowid, body) VALUES (?, ?)",
                (cur.lastrowid, lexical_text(chunk.indexed_text)),
            )

    def lexical_format(self) -> str:
        """How the full-text index reads the chunks' text (`fulltext.LEXICAL_FORMAT`; "1" for a
        catalog that does not say: the text as written)."""
        row = self._db.execute("SELECT value FROM meta WHERE key = 'lexical'").fetchone()
        return str(row[0]) if row is not None else "1"

    def relex(self) -> int:
        """Fill the full-text index again from the chunks' own text, read as `lexical_text`
        reads it now, and record that format; how many chunks it holds. One transaction: an
        interrupted one leaves the index as it was. No vector changes (nothing is embedded)."""
        with self.transaction():
            self._changed()
            self._db.execute("DELETE FROM chunks_fts")
            done, last = 0, -1
            while rows := self._db.execute(
                "SELECT rid, header, text FROM chunks WHERE rid > ? ORDER BY rid LIMIT 1000",
                (last,),
            ).fetchall():
                self._db.executemany(
                    "INSERT INTO chunks_fts(rowid, body) VALUES (?, ?)",
                    [(rid, lexical_text(indexed_text(h, t))) for rid, h, t in rows],
                )
                done, last = done + len(rows), rows[-1][0]
            self.set_meta({"lexical": LEXICAL_FORMAT})
        return done

    def _changed(self) -> None:
        """Count a change to the chunks, in the same transaction as the change: the count is
        part of `version`, which row counts and timestamps alone cannot make unique."""
        self._db.execute(
            "INSERT INTO meta(key, value) VALUES ('changes', '1') ON CONFLICT(key) DO UPDATE"
            " SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)"
        )

    def _delete_chunks(self, article_id: str) -> None:
        self._changed()
        self._db.execute(
            "DELETE FROM chunks_fts WHERE rowid IN (SELECT rid FROM chunks WHERE article_id = ?)",
            (article_id,),
        )
        self._db.execute("DELETE FROM chunks WHERE article_id = ?", (article_id,))

    def remove_articles(self, ids: Iterable[str]) -> None:
        for article_id in ids:
            self._delete_chunks(article_id)
            self._db.execute("DELETE FROM articles WHERE id = ?", (article_id,))

    def copies_of(self, ids: Iterable[str]) -> list[str]:
        """The syndicated copies of the articles `ids`."""
        sql = "SELECT id FROM articles WHERE copy_of IN ({marks})"
        return [row[0] for row in self._select_in(sql, list(ids))]

    def with_copies(self, ids: Iterable[str]) -> set[str]:
        """Those of the articles `ids` that have syndicated copies."""
        sql = "SELECT DISTINCT copy_of FROM articles WHERE copy_of IN ({marks})"
        return {row[0] for row in self._select_in(sql, list(ids))}

    def published_ts(self, article_id: str) -> float | None:
        """An article's publication time in seconds since the epoch (None: undated)."""
        row = self._db.execute(
            "SELECT published_ts FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        return None if row is None or row[0] is None else float(row[0])

    def copy_pairs(self, ids: Iterable[str]) -> list[tuple[str, str]]:
        """(copy, original) for every copy of the articles `ids`."""
        sql = "SELECT id, copy_of FROM articles WHERE copy_of IN ({marks})"
        return [(row[0], row[1]) for row in self._select_in(sql, list(ids))]

    def orphaned_copies(self) -> list[str]:
        """Copies whose original is no longer in the catalog."""
        sql = (
            "SELECT id FROM articles WHERE copy_of IS NOT NULL"
            " AND copy_of NOT IN (SELECT id FROM articles)"
        )
        return [row[0] for row in self._db.execute(sql)]

    def make_copy(self, article_id: str, original: str) -> None:
        """Turn an indexed article into a copy of `original`, along with its own copies."""
        self._delete_chunks(article_id)
        self._db.execute("UPDATE articles SET copy_of = ? WHERE id = ?", (original, article_id))
        self._db.execute(
            "UPDATE articles SET copy_of = ? WHERE copy_of = ?", (original, article_id)
        )

    def signatures(self) -> tuple[list[str], np.ndarray]:
        """Ids and MinHash signatures of the indexed (non-copy) articles."""
        rows = self._db.execute(
            "SELECT id, signature FROM articles WHERE copy_of IS NULL AND signature IS NOT NULL"
        ).fetchall()
        if not rows:
            return [], np.zeros((0, 0), dtype=np.uint32)
        return [r[0] for r in rows], np.stack([np.frombuffer(r[1], dtype=np.uint32) for r in rows])

    # -- reading --------------------------------------------------------------------------
    def vector_ids(self) -> set[str]:
        return {r[0] for r in self._db.execute("SELECT vector_id FROM chunks")}

    def rows_for_vectors(self, vector_ids: Sequence[str]) -> dict[str, ChunkRow]:
        """Live chunks for the given vector ids (ids the catalog does not know are left out)."""
        sql = (
            "SELECT c.vector_id, c.id, c.position, c.text, " + _REF_COLUMNS + " FROM chunks c"
            " JOIN articles a ON a.id = c.article_id WHERE c.vector_id IN ({marks})"
        )
        return {
            row[0]: ChunkRow(
                chunk_id=row[1],
                vector_id=row[0],
                position=row[2],
                text=row[3],
                article=_ref(row[4:]),
            )
            for row in self._select_in(sql, vector_ids)
        }

    def lead_vector_ids(self, article_ids: Sequence[str]) -> list[str]:
        """The vector ids of the first chunk of each of `article_ids` (its lead paragraphs)."""
        sql = "SELECT vector_id FROM chunks WHERE position = 0 AND article_id IN ({marks})"
        return [row[0] for row in self._select_in(sql, article_ids)]

    def vectors_to_restore(self, vector_ids: Sequence[str]) -> list[StoredChunk]:
        """The live chunks of `vector_ids` with what the builder wrote to the store for them:
        what it takes to put back vectors a store has lost, without reading the corpus."""
        sql = (
            "SELECT c.vector_id, c.header, c.text, c.article_id, c.id, c.position, a.title, "
            "a.source, a.url, a.published, a.published_ts FROM chunks c "
            "JOIN articles a ON a.id = c.article_id WHERE c.vector_id IN ({marks})"
        )
        return [StoredChunk(*row) for row in self._select_in(sql, vector_ids)]

    def copies_refs(self, article_ids: Iterable[str]) -> dict[str, list[ArticleRef]]:
        """Syndicated copies recorded for each canonical article id."""
        sql = (
            "SELECT a.copy_of, " + _REF_COLUMNS + " FROM articles a"
            " WHERE a.copy_of IN ({marks}) ORDER BY a.published"
        )
        out: dict[str, list[ArticleRef]] = {}
        for row in self._select_in(sql, list(article_ids)):
            out.setdefault(row[0], []).append(_ref(row[1:]))
        return out

    def _select_in(self, sql: str, values: Sequence[str]) -> Iterator[tuple[Any, ...]]:
        """Rows of `sql` whose `IN ({marks})` takes `values`, a few hundred at a time."""
        for i in range(0, len(values), 500):
            part = list(values[i : i + 500])
            yield from self._db.execute(sql.format(marks=",".join("?" * len(part))), part)

    def filtered_article_ids(
        self, *, sources: Sequence[str] | None, since: datetime | None, until: datetime | None
    ) -> list[str]:
        """Ids of the indexed articles that pass the filters, or one of whose syndicated copies
        does: one row per article, whatever the number of its chunks."""
        sql, params = _passing_sql(sources, since, until)
        return [r[0] for r in self._db.execute(sql, params)]

    def lexical(self, terms: Sequence[str], limit: int) -> list[tuple[str, float]]:
        """BM25 over header + chunk text: (vector id, score), best first; any term may match."""
        if not terms:
            return []
        match = " OR ".join('"' + t.replace('"', "") + '"' for t in terms)
        rows = self._db.execute(
            "SELECT c.vector_id, bm25(chunks_fts) AS s FROM chunks_fts"
            " JOIN chunks c ON c.rid = chunks_fts.rowid"
            " WHERE chunks_fts MATCH ? ORDER BY s LIMIT ?",
            (match, limit),
        ).fetchall()
        return [(r[0], -float(r[1])) for r in rows]

    def lexical_counts(self, terms: Sequence[str]) -> dict[str, int]:
        """How many chunks match each term (stemmed as the full-text index stems it)."""
        out: dict[str, int] = {}
        for term in terms:
            row = self._db.execute(
                "SELECT COUNT(*) FROM chunks_fts WHERE chunks_fts MATCH ?",
                ('"' + term.replace('"', "") + '"',),
            ).fetchone()
            out[term] = int(row[0])
        return out

    def chunk_facets(self) -> list[tuple[int, str, str, str, str]]:
        """(row id, vector id, article id, outlets, published ISO time or "") of every live
        chunk, in storage order; `outlets` joins the article's outlet and those of its
        syndicated copies with newlines, so searching an outlet finds the stories it carried."""
        sql = (
            "SELECT c.rid, c.vector_id, c.article_id, a.source || coalesce(char(10) || ("
            "SELECT group_concat(s.source, char(10)) FROM articles s WHERE s.copy_of = a.id"
            "), ''), a.published FROM chunks c JOIN articles a ON a.id = c.article_id"
            " ORDER BY c.rid"
        )
        return [(int(r[0]), r[1], r[2], r[3], r[4]) for r in self._db.execute(sql)]

    def lexical_postings(self) -> Iterator[tuple[str, int]]:
        """(stemmed term, chunk row id) for every token in the full-text index, grouped by term:
        what an in-memory BM25 needs to score many queries without asking SQLite each time."""
        self._db.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.chunks_vocab"
            " USING fts5vocab(main, 'chunks_fts', 'instance')"
        )
        yield from self._db.execute("SELECT term, doc FROM temp.chunks_vocab")

    def lexical_bodies(self, rids: Sequence[int]) -> list[tuple[int, str]]:
        """(chunk row id, the text its full-text index holds) of `rids`."""
        sql = "SELECT rowid, body FROM chunks_fts WHERE rowid IN ({marks})"
        return [(int(r), str(b)) for r, b in self._select_in(sql, [str(r) for r in rids])]

    def version(self) -> tuple[int, int, str]:
        """Changes whenever chunks are added, removed or replaced: (chunks, highest row id,
        changes counted so far)."""
        row = self._db.execute("SELECT COUNT(*), coalesce(MAX(rid), 0) FROM chunks").fetchone()
        return int(row[0]), int(row[1]), self.meta().get("changes", "0")

    def article_refs(self) -> list[ArticleRef]:
        """Every indexed article (syndicated copies left out), newest first."""
        sql = (
            "SELECT " + _REF_COLUMNS + " FROM articles a WHERE a.copy_of IS NULL"
            " ORDER BY a.published DESC, a.title"
        )
        return [_ref(row) for row in self._db.execute(sql)]

    def listing(
        self,
        *,
        sources: Sequence[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
        corpus: Sequence[str] = (),
    ) -> tuple[int, list[IndexedArticle]]:
        """How many indexed articles pass the filters (as `filtered_article_ids` reads them: an
        article passes when one of its syndicated copies does), and the first `limit` of them
        (None: all), newest first, undated last; each with its file (relative to the first of
        the `corpus` folders, written as the catalog writes origins, that holds it), its chunks
        and the outlets of its copies."""
        where, params = "a.copy_of IS NULL", list[object]()
        if sources or since is not None or until is not None:
            passing, params = _passing_sql(sources, since, until)
            where += f" AND a.id IN ({passing})"
        total = int(
            self._db.execute(f"SELECT COUNT(*) FROM articles a WHERE {where}", params).fetchone()[0]
        )
        sql = (
            "SELECT " + _REF_COLUMNS + ", a.origin,"
            " (SELECT COUNT(*) FROM chunks c WHERE c.article_id = a.id),"
            " (SELECT group_concat(s.source, char(10)) FROM articles s WHERE s.copy_of = a.id)"
            f" FROM articles a WHERE {where}"
            " ORDER BY a.published_ts IS NULL, a.published_ts DESC, a.title, a.id LIMIT ?"
        )
        out = []
        for row in self._db.execute(sql, [*params, -1 if limit is None else limit]):
            out.append(
                IndexedArticle(
                    **vars(_ref(row)),
                    file=_file_in(row[6], corpus),
                    chunks=int(row[7]),
                    carried_by=tuple(sorted({s for s in (row[8] or "").split("\n") if s})),
                )
            )
        return total, out

    def files(self, corpus: Sequence[str] = ()) -> list[tuple[str, str | None]]:
        """(file, its original's file, None when it is no copy) of every article, the files
        named as `listing` names them."""
        sql = "SELECT a.origin, o.origin FROM articles a LEFT JOIN articles o ON o.id = a.copy_of"
        return [
            (_file_in(copy, corpus), None if original is None else _file_in(original, corpus))
            for copy, original in self._db.execute(sql)
        ]

    def files_of(self, ids: Iterable[str], corpus: Sequence[str] = ()) -> set[str]:
        """The files the articles `ids` were read from, named as `listing` names them."""
        sql = "SELECT origin FROM articles WHERE id IN ({marks})"
        return {_file_in(row[0], corpus) for row in self._select_in(sql, list(ids))}

    def counts(self) -> tuple[int, int, int]:
        """(indexed articles, chunks, syndicated copies)."""
        arts = self._db.execute("SELECT COUNT(*) FROM articles WHERE copy_of IS NULL").fetchone()
        copies = self._db.execute(
            "SELECT COUNT(*) FROM articles WHERE copy_of IS NOT NULL"
        ).fetchone()
        chunks = self._db.execute("SELECT COUNT(*) FROM chunks").fetchone()
        return int(arts[0]), int(chunks[0]), int(copies[0])

    def outlets(self) -> dict[str, int]:
        rows = self._db.execute(
            "SELECT source, COUNT(*) FROM articles GROUP BY source ORDER BY COUNT(*) DESC, source"
        ).fetchall()
        return {r[0]: int(r[1]) for r in rows}

    def date_range(self) -> tuple[str, str]:
        """The first and last publication times (ISO); an article dated after tomorrow is
        misdated (a typo, warned about when indexed), not the end of the collection."""
        row = self._db.execute(
            "SELECT MIN(published), MAX(published) FROM articles WHERE published != '' "
            "AND substr(published, 1, 10) <= ?",
            (last_news_day().isoformat(),),
        ).fetchone()
        return (row[0] or "", row[1] or "")


_REF_COLUMNS = "a.id, a.title, a.source, a.author, a.published, a.url"


def _file_in(origin: str, corpus: Sequence[str]) -> str:
    """The file of an article's `origin`, relative to the first of the `corpus` folders
    (written as the catalog writes origins) that holds it."""
    file = origin_file(origin)
    inside = next((f for f in (c.rstrip("/") + "/" for c in corpus) if file.startswith(f)), None)
    return file[len(inside) :] if inside else file


def _ref(row: Sequence[Any]) -> ArticleRef:
    """An ArticleRef from the `_REF_COLUMNS` of a row."""
    return ArticleRef(
        id=row[0],
        title=row[1],
        source=row[2],
        author=row[3],
        published=datetime.fromisoformat(row[4]) if row[4] else None,
        url=row[5],
    )


def _passing_sql(
    sources: Sequence[str] | None, since: datetime | None, until: datetime | None
) -> tuple[str, list[object]]:
    """The ids of the indexed articles that pass the filters, or one of whose syndicated copies
    does, as SQL and its parameters."""
    clauses, params = _filter_sql(sources, since, until)
    sql = (
        "SELECT a.id FROM articles a WHERE a.copy_of IS NULL AND " + clauses + " UNION "
        "SELECT a.copy_of FROM articles a WHERE a.copy_of IS NOT NULL AND " + clauses
    )
    return sql, params + params


def _filter_sql(
    sources: Sequence[str] | None, since: datetime | None, until: datetime | None
) -> tuple[str, list[object]]:
    clauses: list[str] = ["1"]
    params: list[object] = []
    if sources:
        marks = ",".join("?" * len(sources))
        clauses.append(f"lower(a.source) IN ({marks})")
        params += [s.lower() for s in sources]
    for bound, op in ((since, ">="), (until, "<=")):
        if bound is None:
            continue
        if bound.tzinfo is None:
            # a day (or time) without a zone is the article's own: one shown as published on
            # 30 Nov (23:30 in New York) is within "until 30 Nov", though it was 1 Dec in UTC
            clauses.append(f"a.published != '' AND substr(a.published, 1, 19) {op} ?")
            params.append(bound.isoformat(timespec="seconds")[:19])
        else:
            clauses.append(f"a.published_ts {op} ?")
            params.append(_ts(bound))
    return " AND ".join(clauses), params
