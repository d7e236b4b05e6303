"""Bringing an index generation in line with a stream of articles.

Articles stream through in batches of `batch_articles`: a batch is chunked, embedded and
committed before the next is read, so memory holds one batch of texts whatever the corpus size.
What is kept across batches is small: per article its id, length, origin and MinHash signature,
plus the syndicated copies read (few), whose text is needed if their original's input is gone.
Reading once means a longer duplicate, or an earlier-published near-copy, arriving in a later
batch than its twin replaces work already done (the twin is re-chunked or demoted to a copy).

Order of writes, so that an interruption anywhere leaves a usable index:
1. new vectors go to the store under content-addressed ids, then the catalog rows pointing at them
   are committed, `commit_chunks` chunks at a time (a resumed run adopts vectors already stored);
2. once the whole input has been read, articles whose input is gone are removed in one
   transaction, and syndicated copies whose original went become articles in their own right;
3. vectors no catalog row points at are deleted last.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from newsqa.chunking import Chunker
from newsqa.indexing.catalog import Catalog
from newsqa.indexing.dedup import SIGNATURE_SIZE, SIGNATURE_VERSION, SignatureIndex, signature
from newsqa.indexing.embeddings import Embedder, building_index
from newsqa.indexing.store import VectorStore
from newsqa.periods import last_news_day
from newsqa.types import (
    Article,
    Chunk,
    IndexReport,
    Skipped,
    article_id_for,
    indexed_text,
    origin_file,
)

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["BATCH_ARTICLES", "LONG_ARTICLE_CHARS", "Progress", "restore_vectors", "sync"]

BATCH_ARTICLES = 200  # articles read, chunked and embedded together (bounds memory)
# chunks embedded in one call between two looks at the progress (and a cancel): ~1 s here;
# above the embedder's small-call size, so each call runs as a build's would
EMBED_STEP = 128
# far longer than any news article (a long read is some 50,000 characters): a whole archive or
# forum thread saved as one page, worth a look though indexed all the same
LONG_ARTICLE_CHARS = 200_000


# the signature of an article whose text is too short to sign: no MinHash takes it in practice
_NO_MATCH = np.full(SIGNATURE_SIZE, np.iinfo(np.uint32).max, dtype=np.uint32)

Progress = Callable[[str, int, int], None]
"""Called as (phase, done, total): phase "reading" (articles, total 0: not known ahead) or
"embedding" (chunks; the total counts the chunks planned so far, so it grows batch by batch)."""


def _vector_id(chunk: Chunk) -> str:
    return f"{chunk.id}:{chunk.text_hash[:12]}"


def _metadata(article: Article, chunk: Chunk) -> dict[str, str | int | float]:
    return _store_metadata(
        article.id,
        chunk.id,
        chunk.position,
        article.title,
        article.source,
        article.url,
        article.published_iso,
        article.published.timestamp() if article.published is not None else None,
    )


def _store_metadata(
    article_id: str,
    chunk_id: str,
    position: int,
    title: str,
    source: str,
    url: str,
    published: str,
    published_ts: float | None,
) -> dict[str, str | int | float]:
    """What the store holds beside a chunk's vector."""
    meta: dict[str, str | int | float] = {
        "article_id": article_id,
        "chunk_id": chunk_id,
        "position": position,
        "title": title,
        "source": source,
        "url": url,
        "published": published,
    }
    if published_ts is not None:
        meta["published_ts"] = int(published_ts)
    return meta


def _published(article: Article) -> float:
    return article.published.timestamp() if article.published else float("inf")


Planned = tuple[Article, list[tuple[Chunk, str]], str | None, np.ndarray | None]


@dataclass
class _Run:
    """One sync: the catalog, store and embedder, plus what it remembers across batches."""

    catalog: Catalog
    store: VectorStore
    embedder: Embedder
    chunker: Chunker
    report: IndexReport
    threshold: float
    commit_chunks: int
    progress: Progress | None
    known: dict[str, str] = field(default_factory=dict)  # id -> content hash at the start
    copies: set[str] = field(default_factory=set)  # known ids that are syndicated copies
    # id -> (length, origin, outlet) of the input kept for it
    seen: dict[str, tuple[int, str, str]] = field(default_factory=dict)
    processed: dict[str, float] = field(default_factory=dict)  # id -> published, this run
    present_copies: dict[str, Article] = field(default_factory=dict)  # copies read this run
    live_vectors: set[str] = field(default_factory=set)
    # vectors an interrupted run wrote to the store but not to the catalog, reused instead of
    # embedded again; read from the store only when something is to be embedded or deleted, so
    # that an update with nothing to do never opens it (nor imports chromadb)
    _adoptable: set[str] | None = None
    stale: set[str] = field(default_factory=set)
    added: set[str] = field(default_factory=set)  # vector ids this run added to the catalog
    # the signatures of the indexed articles (not of copies): what a new article may copy
    signatures: SignatureIndex = field(default_factory=lambda: SignatureIndex(1.0))
    # the index's signatures are of another version: every article is signed again (and
    # copies matched again) as it is read; those unchanged otherwise count as unchanged
    resign: bool = False
    resigned: set[str] = field(default_factory=set)
    planned_chunks: int = 0
    done_chunks: int = 0

    # -- reading ----------------------------------------------------------------------------
    def read(self, items: Iterable[Article | Skipped], batch_articles: int) -> None:
        """Read every input once, processing new or changed articles `batch_articles` at a time.

        Two inputs with the same article id (same URL, or same text) are one article: the one
        from the file saved later is kept (a corrected version), or of two files saved together
        the longer text (a full page beats a feed's summary); the other is reported."""
        report = self.report
        batch: dict[str, Article] = {}
        for item in items:
            if isinstance(item, Skipped):
                report.skipped.append(item)
                continue
            report.articles_read += 1
            if item.unread_date:
                why = f"date {item.unread_date!r} not understood: indexed without a date"
                report.warnings.append(Skipped(item.origin, why, broken=False))
            elif item.published is not None and item.published.date() > last_news_day():
                why = f"dated in the future ({item.published:%Y-%m-%d}): a typo?"
                report.warnings.append(Skipped(item.origin, why, broken=False))
            if len(item.text) > LONG_ARTICLE_CHARS:
                why = (
                    f"{len(item.text):,} characters, far longer than a news article (over "
                    f"{LONG_ARTICLE_CHARS:,}): many pages or articles in one? Indexed whole"
                )
                report.warnings.append(Skipped(item.origin, why, broken=False))
            if self.progress and report.articles_read % 50 == 0:
                self.progress("reading", report.articles_read, 0)
            if item.id in self.seen and _other_outlet(item, self.seen[item.id][2]):
                # the same text under another outlet, neither with a URL: a syndicated copy,
                # recorded as one (a filter for its outlet finds the story), not a duplicate
                item = replace(item, id=article_id_for(None, f"{item.source}\x1f{item.text}"))
            if item.id in self.seen:
                length, origin, _ = self.seen[item.id]
                if not _replaces(item, origin, length):
                    report.duplicates.append((item.origin, origin))
                    continue
                report.duplicates.append((origin, item.origin))
            self.seen[item.id] = (len(item.text), item.origin, item.source)
            unchanged = self.known.get(item.id) == item.content_hash
            if unchanged and self.resign:  # read again for its signature, nothing else
                self.resigned.add(item.id)
                unchanged = False
            if unchanged and item.id not in self.processed:
                batch.pop(item.id, None)
                if item.id in self.copies:
                    self.present_copies[item.id] = item
                continue
            # new, changed, or a longer duplicate of one this run has already written
            self.present_copies.pop(item.id, None)
            batch[item.id] = item
            if len(batch) >= batch_articles:
                self.process(list(batch.values()))
                batch = {}
        if self.progress:  # every input read (done == total): the passages planned are the last
            self.progress("reading", report.articles_read, report.articles_read)
        if batch:
            self.process(list(batch.values()))

    # -- one batch --------------------------------------------------------------------------
    def process(self, articles: list[Article]) -> None:
        """Chunk, embed and commit a batch; near-copies of indexed articles are only recorded."""
        catalog, report = self.catalog, self.report
        # an original with copies is not made a copy of another (its copies would be orphaned)
        has_copies = catalog.with_copies([a.id for a in articles])
        # the earliest-published of near-identical copies becomes the indexed original
        articles.sort(key=_published)
        planned: list[Planned] = []
        for article in articles:
            self.processed[article.id] = _published(article)
            sig = signature(article.text)
            copy_of = None
            if sig is not None and article.id not in has_copies:
                copy_of = self.signatures.best_match(sig)
                if copy_of == article.id:
                    copy_of = None
            if copy_of is not None and self._published_of(copy_of) > _published(article):
                # a later-published copy was indexed first (in an earlier batch, or an earlier
                # update, as when the original's file comes back): this one becomes the original
                self._demote(copy_of, article)
                copy_of = None
            old = catalog.vector_ids_of(article.id)
            if copy_of is not None:
                report.syndicated.append((article.origin, copy_of))
                self.present_copies[article.id] = article
                self._drop(old.values())
                planned.append((article, [], copy_of, sig))
                continue
            self._add_signature(article.id, sig)
            chunks = [(c, _vector_id(c)) for c in self.chunker.chunk(article)]
            new_ids = {v for _, v in chunks}
            self._drop(v for v in old.values() if v not in new_ids)
            fresh = [v for _, v in chunks if v not in old.values()]
            report.chunks_added += len(fresh)
            self.added.update(fresh)
            planned.append((article, chunks, None, sig))
            self.planned_chunks += sum(1 for _, v in chunks if self._needs_embedding(v))
        if self.progress and self.planned_chunks > self.done_chunks:  # the total, grown
            self.progress("embedding", self.done_chunks, self.planned_chunks)
        self._write(planned)

    @property
    def store_read(self) -> bool:
        """Whether this run read the store's vector ids (it had something to embed or drop)."""
        return self._adoptable is not None

    def adoptable(self) -> set[str]:
        if self._adoptable is None:
            self._adoptable = self.store.all_ids() - self.live_vectors
        return self._adoptable

    def _needs_embedding(self, vector_id: str) -> bool:
        return vector_id not in self.live_vectors and vector_id not in self.adoptable()

    def _drop(self, vector_ids: Iterable[str]) -> None:
        """Chunks replaced or gone: removed, or never added after all when this run added them."""
        for v in vector_ids:
            self.stale.add(v)
            if v in self.added:
                self.added.discard(v)
                self.report.chunks_added -= 1
            else:
                self.report.chunks_removed += 1

    def _add_signature(self, article_id: str, sig: np.ndarray | None) -> None:
        """Record an article's signature, replacing the one of its earlier text if it had one
        (copies are matched against what an original says now; a text too short to sign
        matches nothing)."""
        if article_id in self.signatures:
            self.signatures.add(article_id, _NO_MATCH if sig is None else sig)
        elif sig is not None:
            self.signatures.add(article_id, sig)

    def estranged(self) -> list[Article]:
        """Copies read this run whose original was rewritten this run and no longer matches
        them: they become articles of their own (as `rebuild` would make them)."""
        rewritten = [i for i in self.processed if i in self.known]
        out: list[Article] = []
        for copy_id, original in self.catalog.copy_pairs(rewritten):
            copy = self.present_copies.get(copy_id)
            if copy is None:
                continue
            sig, kept = signature(copy.text), self.signatures.get(original)
            if kept is None or sig is None or (kept == sig).mean() < self.threshold:
                out.append(copy)
        return out

    def _published_of(self, article_id: str) -> float:
        """When an indexed article was published (undated: never before anything); 0 for one
        not read in this run, which is left as it is."""
        if article_id in self.processed:
            return self.processed[article_id]
        if article_id not in self.seen:
            return 0.0
        ts = self.catalog.published_ts(article_id)
        return float("inf") if ts is None else ts

    def _demote(self, article_id: str, original: Article) -> None:
        """Make an indexed article a copy of `original` (published earlier)."""
        self.signatures.remove(article_id)
        self._drop(self.catalog.vector_ids_of(article_id).values())
        origin = self.seen[article_id][1]
        self.report.syndicated.append((origin, original.id))
        with self.catalog.transaction():
            self.catalog.make_copy(article_id, original.id)

    def _write(self, planned: list[Planned]) -> None:
        pending: list[Planned] = []
        to_embed: list[tuple[Chunk, str, Article]] = []
        for article, chunks, copy_of, sig in planned:
            pending.append((article, chunks, copy_of, sig))
            to_embed += [(c, v, article) for c, v in chunks if self._needs_embedding(v)]
            if len(to_embed) >= self.commit_chunks:
                self._flush(pending, to_embed)
                pending, to_embed = [], []
        self._flush(pending, to_embed)

    def _embed(self, texts: list[str]) -> NDArray[np.float32]:
        """The vectors of `texts`, embedded `EMBED_STEP` at a time, longest first (as one call
        would order them), with the progress told between steps: a cancelled update stops
        within seconds, not at the end of a commit of `commit_chunks` (up to 20 s on a busy
        laptop), and a progress bar moves as the embedding does."""
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        vectors: NDArray[np.float32] | None = None
        for start in range(0, len(order), EMBED_STEP):
            rows = order[start : start + EMBED_STEP]
            with building_index():
                part = self.embedder.embed([texts[i] for i in rows])
            if vectors is None:
                vectors = np.empty((len(texts), part.shape[1]), dtype=np.float32)
            vectors[rows] = part
            if self.progress and start + len(rows) < len(texts):
                done = self.done_chunks + start + len(rows)
                self.progress("embedding", done, self.planned_chunks)  # (may stop the update)
        assert vectors is not None
        return vectors

    def _flush(self, pending: list[Planned], to_embed: list[tuple[Chunk, str, Article]]) -> None:
        report = self.report
        if to_embed:
            t0 = time.perf_counter()
            vectors = self._embed([c.indexed_text for c, _, _ in to_embed])
            report.embed_seconds += time.perf_counter() - t0
            report.chunks_embedded += len(to_embed)
            self.store.upsert(
                [v for _, v, _ in to_embed], vectors, [_metadata(a, c) for c, _, a in to_embed]
            )
        with self.catalog.transaction():
            for article, chunks, copy_of, sig in pending:
                self.catalog.put_article(article, chunks, copy_of=copy_of, signature=sig)
        self.done_chunks += len(to_embed)
        if self.progress and (to_embed or pending):
            self.progress("embedding", self.done_chunks, self.planned_chunks)


_SAVED_TOGETHER = 2.0  # seconds between two files' modification times that count as at once
_SUMMARY = 0.6  # a text this much shorter than another version is a summary of it


def _replaces(item: Article, origin: str, length: int) -> bool:
    """Whether `item` is the version of an article to keep over the one read from `origin`
    (`length` characters of text). A full page beats a feed's summary, whichever came first;
    of two versions of about the same length, the one from the file modified later (a
    corrected version ingested after the first), else the longer."""
    shorter, longer = sorted((len(item.text), length))
    if shorter >= _SUMMARY * longer:
        newer = _modified(item.origin) - _modified(origin)
        if abs(newer) > _SAVED_TOGETHER:
            return newer > 0
    return len(item.text) > length


def _modified(origin: str) -> float:
    try:
        return Path(origin_file(origin)).stat().st_mtime
    except OSError:  # not a file (a URL read directly): as old as can be
        return 0.0


def _other_outlet(article: Article, outlet: str) -> bool:
    """Whether `article`, with no URL of its own, is from an outlet other than `outlet`."""
    return not article.url and bool(article.source) and _fold(article.source) != _fold(outlet)


def _fold(name: str) -> str:
    return " ".join(name.lower().split())


def _within(origin: str, inputs: set[str]) -> bool:
    """Whether `origin` ("corpus/wire.json#3") is one of `inputs`, or a record of one, or in a
    folder among them."""
    path = Path(origin_file(origin))
    return origin in inputs or any(str(p) in inputs for p in (path, *path.parents))


def _from(origin: str, ids: set[str], articles: list[Article]) -> bool:
    """Whether `origin` is where one of `articles` with an id among `ids` was read."""
    return any(a.origin == origin and a.id in ids for a in articles)


def sync(
    items: Iterable[Article | Skipped],
    *,
    catalog: Catalog,
    store: VectorStore,
    embedder: Embedder,
    chunker: Chunker,
    report: IndexReport,
    syndication_threshold: float = 0.8,
    commit_chunks: int = 256,
    batch_articles: int = BATCH_ARTICLES,
    progress: Progress | None = None,
) -> IndexReport:
    """Make the catalog and store hold exactly the articles in `items`, embedding only new text."""
    started = time.perf_counter()
    run = _Run(
        catalog, store, embedder, chunker, report, syndication_threshold, commit_chunks, progress
    )
    run.known = catalog.article_hashes()
    run.copies = set(catalog.copies_of(run.known)) if run.known else set()
    run.live_vectors = catalog.vector_ids()
    run.resign = bool(run.known) and catalog.meta().get("signatures") != SIGNATURE_VERSION
    run.signatures = SignatureIndex(
        syndication_threshold, *(catalog.signatures() if not run.resign else ([], None))
    )
    run.read(items, max(1, batch_articles))

    # an article is removed when its input is gone, not when its file (or a record of it, or
    # the folder holding it: a broken link to a drive not mounted) failed to read this time; a
    # record read and found to hold no article (no text) keeps nothing
    unreadable = {o for s in report.skipped if s.broken for o in (s.origin, origin_file(s.origin))}
    origins = catalog.article_origins()
    removed = [
        i for i, origin in origins.items() if i not in run.seen and not _within(origin, unreadable)
    ]
    # an unchanged article read from a new place (a file renamed or moved) is recorded there, so
    # that its file failing to read later keeps it as well
    moved = {i: o for i, (_, o, _) in run.seen.items() if i in origins and origins[i] != o}
    report.articles_removed = len(removed)
    gone = set(removed)
    with catalog.transaction():
        catalog.set_origins(moved)
        for article_id in removed:
            run._drop(catalog.vector_ids_of(article_id).values())
        catalog.remove_articles(removed)
    # copies whose original has gone (now, or in an update interrupted right after removing it),
    # or says something else now, become articles in their own right
    orphaned = [run.present_copies[i] for i in catalog.orphaned_copies() if i in run.present_copies]
    orphaned += run.estranged()
    run.present_copies.clear()
    if orphaned:
        for article_id in gone:
            run.signatures.remove(article_id)
        for article in orphaned:
            run.processed.pop(article.id, None)
        run.process(orphaned)

    # copies known before whose original went were read unchanged: they count as neither added
    # nor changed; one first read now is added (a file without a URL, edited: its new text was
    # taken for a copy of its old one, which is gone), and is no copy to report
    fresh = {a.id for a in orphaned if a.id not in run.known}
    report.syndicated = [
        (o, d) for o, d in report.syndicated if not (d in gone and _from(o, fresh, orphaned))
    ]
    work = set(run.processed) - ({a.id for a in orphaned} - fresh) - run.resigned
    report.articles_added = sum(1 for i in work if i not in run.known)
    report.articles_changed = len(work) - report.articles_added
    report.articles_unchanged = len(run.seen) - len(run.processed.keys() - run.resigned)

    # whatever no row points at any more: replaced chunks, removed articles, unadopted leftovers
    # (those are found when this run embeds or removes something; a run with nothing to do
    # leaves them to the next one: no search ever returns a vector the catalog lacks)
    live_vectors = catalog.vector_ids()
    if run.stale or run.store_read:
        garbage = sorted((run.stale | (run.adoptable() - live_vectors)) - live_vectors)
        if garbage:
            store.delete(garbage)
    if catalog.meta().get("signatures") != SIGNATURE_VERSION:
        with catalog.transaction():  # every article read has been signed by this version
            catalog.set_meta({"signatures": SIGNATURE_VERSION})
    # every chunk the index holds that this run did not add: of unchanged articles, and the
    # unchanged chunks of changed ones
    report.chunks_unchanged = len(live_vectors - run.added)
    report.seconds = time.perf_counter() - started
    return report


def restore_vectors(
    missing: set[str],
    *,
    catalog: Catalog,
    store: VectorStore,
    embedder: Embedder,
    report: IndexReport,
    batch: int = 256,
    progress: Progress | None = None,
) -> None:
    """Embed again the live chunks whose vectors the store lacks (a server's data deleted, a
    collection dropped by a copy of this index), from the catalog's own text."""
    rows = catalog.vectors_to_restore(sorted(missing))
    for i in range(0, len(rows), batch):
        part = rows[i : i + batch]
        t0 = time.perf_counter()
        with building_index():
            vectors = embedder.embed([indexed_text(r.header, r.text) for r in part])
        report.embed_seconds += time.perf_counter() - t0
        store.upsert(
            [r.vector_id for r in part],
            vectors,
            [
                _store_metadata(
                    r.article_id,
                    r.chunk_id,
                    r.position,
                    r.title,
                    r.source,
                    r.url,
                    r.published,
                    r.published_ts,
                )
                for r in part
            ],
        )
        report.chunks_embedded += len(part)
        report.chunks_restored += len(part)
        if progress:
            progress("embedding", min(i + batch, len(rows)), len(rows))
