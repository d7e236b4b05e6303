"""The index as a whole: generations on disk, the catalog, the vector store and the embedder."""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import shlex
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from newsqa.chunking import Chunker
from newsqa.errors import NewsQAError
from newsqa.indexing.builder import BATCH_ARTICLES, Progress, restore_vectors, sync
from newsqa.indexing.catalog import Catalog, damaged
from newsqa.indexing.embeddings import Embedder, SentenceTransformerEmbedder, same_model
from newsqa.indexing.fulltext import LEXICAL_FORMAT
from newsqa.indexing.layout import IndexBusyError, IndexLayout
from newsqa.indexing.store import (
    CARRY_ON,
    EMBED_AGAIN,
    OR_EMBEDDED,
    LazyStore,
    StoreError,
    VectorStore,
    open_store,
    server_address,
)
from newsqa.settings import Settings
from newsqa.types import Article, IndexReport, IndexStats, Skipped

__all__ = [
    "CHUNKER_VERSION",
    "CorpusError",
    "IncompatibleIndexError",
    "IndexDamagedError",
    "IndexMissingError",
    "NewsIndex",
]

log = logging.getLogger(__name__)

CHUNKER_VERSION = "1"  # bump when the chunker's output changes for the same settings
FORMAT_VERSION = "1"

# what must match between an index and the settings that search or extend it
_MUST_MATCH = ("format", "embedding_model", "chunk_size", "chunk_overlap", "tokenizer", "chunker")

# (settings, layout, generation, *, create=True): the generation's vector store; with
# create=False (a reader) a server's collection must exist
StoreFactory = Callable[..., VectorStore]


class IndexMissingError(NewsQAError, RuntimeError):
    """No index has been built in the folder yet."""


class CorpusError(NewsQAError, ValueError):
    """The corpus cannot be read as given (a path that does not exist, no article at all while
    the index holds some); nothing in the index was changed."""


class IncompatibleIndexError(NewsQAError, RuntimeError):
    """The index was built with settings that cannot be mixed with the current ones."""


class IndexDamagedError(NewsQAError, RuntimeError):
    """The live index's catalog cannot be read (cut short, overwritten): a rebuild makes a new
    one from the corpus."""


def _server_key(url: str) -> tuple[str, str, int] | None:
    """A Chroma server address compared as scheme, host and port ("localhost" is 127.0.0.1; no
    port is 8000); None when it is no address (opening the store says what is wrong)."""
    try:
        host, port, https = server_address(url)
    except ValueError:
        return None
    host = "127.0.0.1" if host in ("localhost", "::1") else host
    return ("https" if https else "http", host, port)


def _broken_store(exc: StoreError) -> bool:
    """Whether an embedded store failed to open because its files are damaged (not a full
    disk or a read-only folder)."""
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text


def _copied(written_from: str, here: str) -> bool:
    """A generation folder is a copy of the one that wrote its collection while that one is
    still there; with it gone, the folder was moved."""
    return written_from != here and Path(written_from).exists()


def shown(folder: Path | str) -> str:
    """A folder as messages name it: a relative one marked as such ("./index"), so that "No
    index in index yet" reads "No index in ./index yet"."""
    text = str(folder)
    return text if Path(text).is_absolute() or text.startswith(".") else f".{os.sep}{text}"


def _collection(settings: Settings, generation: str) -> str:
    """One collection per generation on a server (the embedded store has a folder each)."""
    return f"{settings.collection}-{generation}" if settings.chroma_url else settings.collection


def _default_store(
    settings: Settings, layout: IndexLayout, generation: str, *, create: bool = True
) -> VectorStore:
    return open_store(
        path=layout.chroma_path(generation),
        collection=_collection(settings, generation),
        chroma_url=settings.chroma_url,
        create=create or not settings.chroma_url,
    )


class NewsIndex:
    """Build, update and open the index described by `settings`."""

    def __init__(
        self,
        settings: Settings,
        *,
        embedder: Embedder | None = None,
        store_factory: StoreFactory | None = None,
        batch_articles: int = BATCH_ARTICLES,
    ) -> None:
        self.settings = settings
        self.batch_articles = batch_articles  # articles held in memory at once while indexing
        self.layout = IndexLayout(settings.index_dir)
        self._embedder = embedder
        self._store_factory = store_factory or _default_store
        self._lock = threading.RLock()
        # the live generation, its catalog, its store, and the catalog's version when last read
        self._reader: tuple[str, Catalog, LazyStore, tuple[int, int, str]] | None = None

    # -- parts ------------------------------------------------------------------------------
    @property
    def embedder(self) -> Embedder:
        """The embedding model, loaded on first use (an update with nothing new never loads it)."""
        if self._embedder is None:
            self._embedder = SentenceTransformerEmbedder(
                self.settings.embedding_model,
                precision=self.settings.precision,
                batch_size=self.settings.batch_size,
                backend=self.settings.embedding_backend,
            )
        return self._embedder

    def chunker(self) -> Chunker:
        s = self.settings
        return Chunker(chunk_size=s.chunk_size, overlap=s.chunk_overlap, encoding=s.tokenizer)

    def expected_meta(self) -> dict[str, str]:
        s = self.settings
        return {
            "format": FORMAT_VERSION,
            "embedding_model": s.embedding_model,
            "chunk_size": str(s.chunk_size),
            "chunk_overlap": str(s.chunk_overlap),
            "tokenizer": s.tokenizer,
            "chunker": CHUNKER_VERSION,
        }

    def check_compatible(self, meta: dict[str, str]) -> None:
        expected = self.expected_meta()
        diffs = [
            f"{k}: index has {meta.get(k)!r}, settings say {expected[k]!r}"
            for k in _MUST_MATCH
            if meta.get(k) is not None
            and meta.get(k) != expected[k]
            and not (k == "embedding_model" and same_model(meta[k], expected[k]))
        ]
        if diffs:
            raise IncompatibleIndexError(
                f"The index in {self.settings.index_dir} was built differently ("
                + "; ".join(diffs)
                + "). Run `newsqa index rebuild` to rebuild it with the current settings, "
                "or change the settings back."
            )

    def store_meta(self, generation: str) -> dict[str, str]:
        """Where a new generation keeps its vectors, recorded in its catalog: the embedded
        store in its folder, or a collection on a Chroma server, written from this folder."""
        if not self.settings.chroma_url:
            return {"store": "embedded", "collection": self.settings.collection}
        return {
            "store": "chroma-server",
            "chroma_url": self.settings.chroma_url.strip(),
            "collection": _collection(self.settings, generation),
            "written_from": self._here(generation),
        }

    def _meta_of(self, generation: str) -> dict[str, str]:
        """`generation`'s recorded settings; none for one never initialised, or whose catalog
        cannot be read (a build killed as it created the file, before its tables)."""
        path = self.layout.catalog_path(generation)
        if not path.exists():
            return {}
        for readonly in (True, False):
            try:
                catalog = Catalog(path, readonly=readonly)
                try:
                    return catalog.meta()
                finally:
                    catalog.close()
            except sqlite3.DatabaseError as exc:
                if readonly and getattr(exc, "sqlite_errorname", "").startswith("SQLITE_READONLY_"):
                    # a writer killed in a transaction left its journal, which only a writer may
                    # roll back: this one, dropping the generation, may
                    continue
                if not damaged(exc):
                    raise
                return {}
        return {}

    def _store_settings(
        self, meta: dict[str, str], generation: str, settings: Settings | None = None
    ) -> Settings:
        """`settings` (the index's own by default) naming the collection `generation` was built
        with, as its catalog's `meta` records it: NEWSQA_COLLECTION changed since names the next
        build's, and would open an empty one (searches by words only, an update embedding
        everything again)."""
        settings = settings or self.settings
        name = meta.get("collection", "")
        if meta.get("store") == "chroma-server":
            name = name.removesuffix(f"-{generation}")
        return settings.replace(collection=name) if name else settings

    def _here(self, generation: str) -> str:
        """Where `generation` is, as its catalog records the folder that wrote its collection."""
        return str(self.layout.generation_dir(generation).resolve())

    def check_store(self, meta: dict[str, str], generation: str, *, writing: bool) -> None:
        """IncompatibleIndexError when the settings would use another store than the one holding
        the index's vectors (searches would find by words only, an update would embed only what
        is new into an empty store), or when writing from a copy of an index whose vectors are
        on a server (the original's collection is the copy's too)."""
        kind = meta.get("store") or (
            "embedded" if self.layout.chroma_path(generation).exists() else ""
        )
        where = self.settings.index_dir
        url = self.settings.chroma_url.strip()
        if kind == "chroma-server" and not url:
            raise IncompatibleIndexError(
                f"The index in {where} keeps its vectors on the Chroma server at "
                f"{meta.get('chroma_url')} (collection {meta.get('collection')}): pass "
                f"--chroma-url {meta.get('chroma_url')} (or set NEWSQA_CHROMA_URL) to use it. "
                "Without the server, only the words of the passages could be searched."
            )
        if kind == "embedded" and url:
            raise IncompatibleIndexError(
                f"The index in {where} keeps its vectors in its own folder, not on a Chroma "
                "server: drop the Chroma URL (--chroma-url, NEWSQA_CHROMA_URL) to use it, or "
                f"move it to the server with `newsqa --chroma-url {url} index rebuild`."
            )
        recorded = meta.get("chroma_url", "")
        given = _server_key(url)
        if writing and kind == "chroma-server" and given and given != _server_key(recorded):
            # writing elsewhere would "restore" every vector into a new collection there, and
            # leave the index split between two servers
            raise IncompatibleIndexError(
                f"The index in {where} keeps its vectors on the Chroma server at {recorded} "
                f"(collection {meta.get('collection')}), not at {url}: pass --chroma-url "
                f"{recorded} (or set NEWSQA_CHROMA_URL) to update it, or move it to {url} with "
                f"`newsqa --chroma-url {url} index rebuild`."
            )
        here = self._here(generation)
        written_from = meta.get("written_from", here)
        # (a folder moved, its original gone, is the same index: its update records the move)
        if writing and kind == "chroma-server" and _copied(written_from, here):
            raise IncompatibleIndexError(
                f"The index in {where} is a copy of the one in "
                f"{Path(written_from).parent}: both name collection "
                f"{meta.get('collection')} on the Chroma server, so changing it from here would "
                "change that index's vectors too. Searching from the copy is fine; to update it, "
                "give it a collection of its own with `newsqa index rebuild`."
            )

    def _server_of(self, meta: dict[str, str], generation: str) -> str | None:
        """The Chroma server URL holding `generation`'s collection (its catalog's `meta`), when
        this folder wrote it there; None for the embedded store, or a copy's generation (its
        collection is the original's, never to be dropped from here)."""
        if not meta:  # never initialised
            return self.settings.chroma_url or None
        if meta.get("store") != "chroma-server":
            return None if meta.get("store") else (self.settings.chroma_url or None)
        return (
            meta.get("chroma_url") if meta.get("written_from") == self._here(generation) else None
        )

    # -- writing ----------------------------------------------------------------------------
    def update(
        self, items: Iterable[Article | Skipped], *, progress: Progress | None = None
    ) -> IndexReport:
        """Bring the live index in line with `items`, embedding only new or changed text.

        With no index yet, one is created and made live at once, and each batch is committed as it
        is done, so an interrupted first build resumes where it stopped."""
        with self.layout.write_lock():
            for stale in self.layout.stale_generations():  # left by an interrupted rebuild
                self._drop_generation(stale)
            generation = self.layout.current()
            first = generation is None
            if generation is not None and self.layout.recorded() != generation:
                self.layout.make_current(generation)  # `CURRENT` lost: written again
            elif generation is None and self.layout.orphans():
                raise IndexDamagedError(self.missing())
            if generation is None:
                generation = self.layout.new_generation()
                self._init_generation(generation)
                self.layout.make_current(generation)
            try:
                with self.said_damaged(generation):
                    held = self._articles_in(generation)
                    return self._sync(
                        generation, self._guard(items, held), IndexReport(mode="update"), progress
                    )
            except BaseException:
                # a first build that stored nothing (a server not reachable, no article read)
                # leaves no index behind, rather than an empty one that answers nothing
                if first and not self._articles_in(generation):
                    self.layout.current_file.unlink(missing_ok=True)
                    self._drop_generation(generation)
                raise

    def rebuild(
        self, items: Iterable[Article | Skipped], *, progress: Progress | None = None
    ) -> IndexReport:
        """Build a new index aside and switch to it only when it is complete."""
        with self.layout.write_lock():
            for stale in self.layout.stale_generations():  # left by an interrupted rebuild
                self._drop_generation(stale)
            old = self.layout.current()
            # a damaged one (its catalog unreadable) is replaced, whatever the new one holds
            held, old_ids = self._held(old) if old is not None else (0, None)
            generation = self.layout.new_generation()
            self._init_generation(generation)
            try:
                report = self._sync(
                    generation, self._guard(items, held), IndexReport(mode="rebuild"), progress
                )
            except StoreError as exc:  # what it wrote is dropped: nothing to carry on from
                self._drop_generation(generation)
                raise StoreError(
                    str(exc).replace(
                        CARRY_ON, " The index in use is unchanged; run the rebuild again."
                    )
                ) from exc
            except BaseException:  # no article read, an error, Ctrl-C: the old index stays live
                self._drop_generation(generation)
                raise
            if old_ids is not None:  # the old index's articles the new one lacks (files gone
                # or unreadable: a rebuild keeps only what it reads)
                report.articles_removed = len(old_ids - self._ids_in(generation))
            self.layout.make_current(generation)
            self._close_reader()
            if old is not None:
                self._drop_generation(old)
            return report

    @contextmanager
    def _reading(self, generation: str) -> Iterator[Catalog]:
        """The catalog of `generation`, opened to read and closed after."""
        catalog = Catalog(self.layout.catalog_path(generation), readonly=True)
        try:
            yield catalog
        finally:
            catalog.close()

    @contextmanager
    def said_damaged(self, generation: str | None = None) -> Iterator[None]:
        """A SQLite error that says the catalog of `generation` (the live one by default) is
        broken becomes an IndexDamagedError naming the file and the way out; others pass."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            generation = generation or self.layout.current()
            if not damaged(exc) or generation is None:
                raise
            raise IndexDamagedError(
                f"The index's catalog {self.layout.catalog_path(generation)} is damaged ({exc}): "
                "run `newsqa index rebuild` to build the index again from "
                f"{shown(self.settings.corpus_dir)}."
            ) from exc

    @contextmanager
    def catalog(self) -> Iterator[Catalog]:
        """The live catalog, to read (no model, no vector store), closed after; IndexMissingError
        while there is no index, IndexDamagedError for a broken catalog."""
        generation = self.require()
        with self.said_damaged(generation), self._reading(generation) as catalog:
            yield catalog

    def _held(self, generation: str) -> tuple[int, set[str] | None]:
        """How many articles `generation` indexes, and the ids of all it holds; (0, None) when
        its catalog is damaged (a rebuild replaces it all the same)."""
        try:
            with self._reading(generation) as catalog:
                return catalog.counts()[0], set(catalog.article_origins())
        except sqlite3.DatabaseError as exc:
            if not damaged(exc):
                raise
            return 0, None

    def _ids_in(self, generation: str) -> set[str]:
        with self._reading(generation) as catalog:
            return set(catalog.article_origins())

    def titled_origins(self) -> list[tuple[str, str, str, str, str]]:
        """(id, title, outlet, published ISO time or "", origin) of every article of the live
        index; [] when there is none."""
        generation = self.layout.current()
        if generation is None:
            return []
        with self.said_damaged(generation), self._reading(generation) as catalog:
            return catalog.titled_origins()

    def _articles_in(self, generation: str) -> int:
        with self._reading(generation) as catalog:
            return catalog.counts()[0]

    def _guard(self, items: Iterable[Article | Skipped], held: int) -> Iterator[Article | Skipped]:
        """`items`, raising at their end when none was an article while the index holds `held`
        articles: a corpus folder emptied by mistake (or a drive not mounted) must not empty the
        index. Raised before anything is removed or switched; nothing was added either."""
        read = 0
        skipped: list[Skipped] = []
        for item in items:
            if isinstance(item, Article):
                read += 1
            else:
                skipped.append(item)
            yield item
        if held and not read:
            why = "; ".join(f"{s.origin}: {s.reason}" for s in skipped[:3])
            if len(skipped) > 3:
                why += f"; and {len(skipped) - 3:,} more"
            raise CorpusError(
                f"No article was read{f' (skipped {why})' if why else ''}, so the index was left "
                f"as it was: it keeps its {held:,} article{'s' if held != 1 else ''}. To empty "
                f"it, delete {self.settings.index_dir}."
            )

    def _init_generation(self, generation: str) -> None:
        catalog = Catalog(self.layout.catalog_path(generation))
        with catalog.transaction():
            now = datetime.now(UTC).isoformat(timespec="seconds")
            catalog.set_meta(
                {
                    **self.expected_meta(),
                    **self.store_meta(generation),
                    "created_at": now,
                    "updated_at": now,
                }
            )
        catalog.close()

    def _sync(
        self,
        generation: str,
        items: Iterable[Article | Skipped],
        report: IndexReport,
        progress: Progress | None,
    ) -> IndexReport:
        catalog = Catalog(self.layout.catalog_path(generation))
        store: LazyStore | None = None
        try:
            meta = catalog.meta()
            self.check_compatible(meta)
            self.check_store(meta, generation, writing=True)
            if catalog.lexical_format() != LEXICAL_FORMAT:  # written by an older version
                log.info("Re-indexed the words of %d passages", catalog.relex())
            if meta.get("store") == "chroma-server" and meta.get("written_from") != (
                here := self._here(generation)
            ):
                with catalog.transaction():  # moved here: this folder writes the collection now
                    catalog.set_meta({"written_from": here})
            # opened at its first use: an update with nothing to write never opens an embedded
            # store (a server's is checked below)
            store = LazyStore(functools.partial(self._open_writer_store, meta, generation))
            from newsqa.retrieval.table import LOST_NAME

            lost = self.layout.generation_dir(generation) / LOST_NAME
            if self.settings.chroma_url:  # reached before anything is read or embedded
                store.count()
            sync(
                items,
                catalog=catalog,
                store=store,
                embedder=self.embedder,
                chunker=self.chunker(),
                report=report,
                syndication_threshold=self.settings.syndication_threshold,
                commit_chunks=self.settings.commit_chunks,
                batch_articles=self.batch_articles,
                progress=progress,
            )
            # a server's data can go without this index knowing; an embedded store's too (its
            # folder deleted, or vectors a search found missing), checked when there is a sign
            # of it or the store is open anyway
            chroma = self.layout.chroma_path(generation) / "chroma.sqlite3"
            if (
                self.settings.chroma_url
                or store.opened
                or lost.exists()
                or (not chroma.exists() and catalog.counts()[1])
            ):
                missing = catalog.vector_ids() - store.all_ids()
                if missing:
                    restore_vectors(
                        missing,
                        catalog=catalog,
                        store=store,
                        embedder=self.embedder,
                        report=report,
                        progress=progress,
                    )
            lost.unlink(missing_ok=True)
            with catalog.transaction():
                meta = {"updated_at": datetime.now(UTC).isoformat(timespec="seconds")}
                if report.chunks_embedded:
                    meta["precision"] = self.embedder.precision
                catalog.set_meta(meta)
            if report.chunks_added or report.chunks_removed or report.chunks_restored:
                # the vectors a search keeps in memory, in the file readers load them from:
                # they never open the store (a read-only index folder cannot open Chroma)
                from newsqa.retrieval.table import refresh_vectors

                limit = self.settings.retrieval_options().max_vectors
                refresh_vectors(catalog, store, max_vectors=limit)
        finally:
            catalog.close()
            if store is not None:
                store.close()
        return report

    def _drop_generation(self, generation: str) -> None:
        """Remove a generation: its folder, and its collection on a server when this folder
        wrote it (at the URL it was written to). When the server cannot be reached the folder
        stays, so that a later update drops the collection then instead of leaving it there."""
        meta = self._meta_of(generation)
        url = self._server_of(meta, generation)
        # the address it was written to, then the one in use (the same server moved to another
        # port or name)
        urls = list(dict.fromkeys(u for u in (url, self.settings.chroma_url.strip()) if u))
        failure: StoreError | None = None
        for at in urls if url else ():
            settings = self._store_settings(meta, generation, self.settings.replace(chroma_url=at))
            try:
                self._store_factory(settings, self.layout, generation, create=False).drop()
            except StoreError as exc:
                if "has no collection" in str(exc):
                    continue  # not there (another server, or never made)
                failure = failure or exc
                continue
            failure = None
            break
        # one that never stored an article (a first build that could not reach the server) has
        # at most an empty collection there: not worth keeping its folder, and a warning at
        # every later command, for
        stored = bool(meta) and self._articles_in(generation)
        if failure is not None and stored:
            log.warning("Kept %s to drop its collection later: %s", generation, failure)
            return
        self.layout.remove_generation(generation)

    # -- reading ----------------------------------------------------------------------------
    def exists(self) -> bool:
        return self.layout.current() is not None

    def require(self) -> str:
        """The live generation; IndexMissingError, saying how to build one, when there is none."""
        generation = self.layout.current()
        if generation is None:
            raise IndexMissingError(self.missing())
        return generation

    def missing(self) -> str:
        """What to say when no index has been built in the folder yet, and how to build one;
        or, with `CURRENT` lost among several generations, how to choose."""
        if orphans := self.layout.orphans():
            return (
                f"{self.layout.current_file} does not name the live index among "
                f"{', '.join(orphans)}, each holding articles: write the name of the one to use "
                "into it (the newest complete one, most likely), or run `newsqa index rebuild` "
                "to build the index again."
            )
        index, corpus = self.settings.index_dir, self.settings.corpus_dir
        if index.exists() and not index.is_dir():
            return f"The index folder {shown(index)} is a file: name a folder instead."
        options = ""  # the folders the command would not take by itself, run from here
        if index.absolute() != Path("index").absolute():
            options += f" --index {shlex.quote(str(index))}"
        if corpus.absolute() != Path("corpus").absolute():
            options += f" --corpus-dir {shlex.quote(str(corpus))}"
        return (
            f"No index in {shown(index)} yet. Build it with "
            f"`newsqa{options} index update` (reads {shown(corpus)})."
        )

    def open(self) -> tuple[Catalog, VectorStore]:
        """The live catalog and store, reopened when a rebuild has switched generations."""
        with self._lock:
            generation = self.require()
            if self._reader is None or self._reader[0] != generation:
                self._close_reader()
                catalog = Catalog(self.layout.catalog_path(generation), readonly=True)
                try:
                    with self.said_damaged(generation):
                        meta = catalog.meta()
                except IndexDamagedError:
                    catalog.close()
                    raise
                try:
                    self.check_compatible(meta)
                    self.check_store(meta, generation, writing=False)
                except IncompatibleIndexError:
                    catalog.close()
                    raise
                if catalog.lexical_format() != LEXICAL_FORMAT:
                    self._relex(generation)
                store = LazyStore(functools.partial(self._open_reader_store, meta, generation))
                self._reader = (generation, catalog, store, catalog.version())
            else:
                _, catalog, store, seen = self._reader
                version = catalog.version()
                if version != seen:
                    # written since (by another process, or this one): an embedded Chroma
                    # client keeps the collection as it found it, so the next read opens anew
                    store.close()
                    self._reader = (generation, catalog, store, version)
            return self._reader[1], self._reader[2]

    def _relex(self, generation: str) -> None:
        """Re-index the words of an index written by an older version (`Catalog.relex`: its
        vectors are kept) when it is opened, if it can be written now; if not (a read-only
        folder, an update running), it is searched as it was written until the next update."""
        try:
            with self.layout.write_lock():
                catalog = Catalog(self.layout.catalog_path(generation))
                try:
                    if catalog.lexical_format() != LEXICAL_FORMAT:
                        log.info("Re-indexed the words of %d passages", catalog.relex())
                finally:
                    catalog.close()
        except (IndexBusyError, OSError, sqlite3.Error) as exc:
            log.info("The words of the index are searched as an older version wrote them: %s", exc)

    def _open_writer_store(self, meta: dict[str, str], generation: str) -> VectorStore:
        """`generation`'s store, to write. An embedded one whose files are damaged (it cannot
        be opened) is replaced by an empty one: it holds vectors only, and the update embeds
        them again from the catalog's text."""
        settings = self._store_settings(meta, generation)
        try:
            return self._store_factory(settings, self.layout, generation)
        except StoreError as exc:
            if settings.chroma_url or not _broken_store(exc):
                raise
            log.warning("Replacing a damaged vector store: %s", exc)
            from newsqa.retrieval.table import LOST_NAME

            shutil.rmtree(self.layout.chroma_path(generation))
            (self.layout.generation_dir(generation) / LOST_NAME).touch()
            return self._store_factory(settings, self.layout, generation)

    def _open_reader_store(self, meta: dict[str, str], generation: str) -> VectorStore:
        """The live generation's store (its catalog's `meta`), to read; a failure says what
        holds for this index (its server, if it has one, cannot be swapped for the embedded
        store; a copy does not embed into the original's collection)."""
        settings = self._store_settings(meta, generation)
        try:
            return self._store_factory(settings, self.layout, generation, create=False)
        except StoreError as exc:
            if meta.get("store") != "chroma-server":
                if not _broken_store(exc):
                    raise
                from newsqa.retrieval.table import LOST_NAME

                with contextlib.suppress(OSError):  # for the next update to see
                    (self.layout.generation_dir(generation) / LOST_NAME).touch()
                raise StoreError(
                    f"{exc} Its files are damaged: `newsqa index update` embeds the vectors "
                    "again from the index's catalog."
                ) from exc
            text = str(exc).replace(OR_EMBEDDED, ".")
            here = self._here(generation)
            if _copied(meta.get("written_from", here), here):
                text = text.replace(
                    EMBED_AGAIN,
                    "This folder is a copy of another index: give it a collection of its own "
                    "with `newsqa index rebuild`.",
                )
            raise StoreError(text) from exc

    def _close_reader(self) -> None:
        if self._reader is not None:
            self._reader[1].close()
            self._reader[2].close()
            self._reader = None

    def stats(self) -> IndexStats:
        """Counts from the catalog alone: no model, no Chroma."""
        generation = self.layout.current()
        path = str(self.settings.index_dir)
        if generation is None:
            return IndexStats(path=path, exists=False)
        catalog = Catalog(self.layout.catalog_path(generation), readonly=True)
        with self.said_damaged(generation):
            try:
                articles, chunks, copies = catalog.counts()
                earliest, latest = catalog.date_range()
                meta = catalog.meta()
                return IndexStats(
                    path=path,
                    exists=True,
                    articles=articles,
                    chunks=chunks,
                    syndicated_copies=copies,
                    outlets=catalog.outlets(),
                    earliest=earliest,
                    latest=latest,
                    updated_at=meta.get("updated_at", ""),
                    build={k: v for k, v in meta.items() if k not in ("updated_at",)},
                )
            finally:
                catalog.close()

    def close(self) -> None:
        self._close_reader()
