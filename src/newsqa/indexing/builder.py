"""Bringing an index generation in line with a stream of articles.

Order of writes, so that an interruption anywhere leaves a usable index:
1. removals are committed to the catalog first (their vectors become invisible at once);
2. new vectors go to the store under content-addressed ids, then the catalog rows pointing at them
   are committed, one batch of articles at a time (a resumed run adopts vectors already stored);
3. vectors no catalog row points at are deleted last.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from newsqa.chunking import Chunker
from newsqa.indexing.catalog import Catalog
from newsqa.indexing.dedup import best_match, signature
from newsqa.indexing.embeddings import Embedder
from newsqa.indexing.store import VectorStore
from newsqa.types import Article, Chunk, IndexReport, Skipped

__all__ = ["Progress", "sync"]

_RECORD_SUFFIX = re.compile(r"[#:]\d+$")  # "file.json#3", "file.jsonl:4": a record in a file

Progress = Callable[[str, int, int], None]
"""Called as (phase, done, total): phase "reading" (articles) or "embedding" (chunks)."""


def _vector_id(chunk: Chunk) -> str:
    return f"{chunk.id}:{chunk.text_hash[:12]}"


def _metadata(article: Article, chunk: Chunk) -> dict[str, str | int | float]:
    meta: dict[str, str | int | float] = {
        "article_id": article.id,
        "chunk_id": chunk.id,
        "position": chunk.position,
        "title": article.title,
        "source": article.source,
        "url": article.url,
        "published": article.published_iso,
    }
    if article.published is not None:
        meta["published_ts"] = int(article.published.timestamp())
    return meta


@dataclass
class _Plan:
    work: list[Article] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    present_copies: dict[str, Article] = field(default_factory=dict)


def _scan(
    items: Iterable[Article | Skipped],
    catalog: Catalog,
    report: IndexReport,
    progress: Progress | None,
) -> _Plan:
    """Read every input once, keeping only the articles that need work (new or changed).

    Two inputs with the same article id (same URL, or same text) are one article: the one with
    the longer text is kept (a full page beats a feed's summary) and the other is reported."""
    known = catalog.article_hashes()
    copies = set(catalog.copies_of(known)) if known else set()
    seen: dict[str, tuple[int, str]] = {}  # id -> (text length, origin) of the kept input
    work: dict[str, Article] = {}
    present_copies: dict[str, Article] = {}
    for item in items:
        if isinstance(item, Skipped):
            report.skipped.append(item)
            continue
        report.articles_read += 1
        if progress and report.articles_read % 50 == 0:
            progress("reading", report.articles_read, 0)
        if item.id in seen:
            length, origin = seen[item.id]
            if len(item.text) <= length:
                report.duplicates.append((item.origin, origin))
                continue
            report.duplicates.append((origin, item.origin))
        seen[item.id] = (len(item.text), item.origin)
        if known.get(item.id) == item.content_hash:
            work.pop(item.id, None)
            if item.id in copies:
                present_copies[item.id] = item
        else:
            work[item.id] = item
            present_copies.pop(item.id, None)
    report.articles_added = sum(1 for i in work if i not in known)
    report.articles_changed = len(work) - report.articles_added
    report.articles_unchanged = len(seen) - len(work)
    return _Plan(work=list(work.values()), seen=set(seen), present_copies=present_copies)


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
    progress: Progress | None = None,
) -> IndexReport:
    """Make the catalog and store hold exactly the articles in `items`, embedding only new text."""
    started = time.perf_counter()
    plan = _scan(items, catalog, report, progress)
    # an article is removed when its input is gone, not when its file failed to read this time
    unreadable = {s.origin for s in report.skipped}
    removed = [
        i
        for i, origin in catalog.article_origins().items()
        if i not in plan.seen
        and origin not in unreadable
        and _RECORD_SUFFIX.sub("", origin) not in unreadable
    ]
    report.articles_removed = len(removed)

    # copies whose original is going away become articles in their own right
    orphaned = [
        plan.present_copies[i] for i in catalog.copies_of(removed) if i in plan.present_copies
    ]
    plan.work += orphaned
    report.articles_unchanged -= len(orphaned)

    live_vectors = catalog.vector_ids()
    stored = store.all_ids()
    adoptable = stored - live_vectors  # vectors of an interrupted run: reused, not re-embedded
    stale: set[str] = set()
    with catalog.transaction():
        for article_id in removed:
            old = catalog.vector_ids_of(article_id)
            stale.update(old.values())
            report.chunks_removed += len(old)
        catalog.remove_articles(removed)

    sig_ids, sig_matrix = catalog.signatures()  # removed articles are gone from it already
    has_copies = set(catalog.copies_of([a.id for a in plan.work]))

    pending: list[tuple[Article, list[tuple[Chunk, str]], str | None, np.ndarray | None]] = []
    to_embed: list[tuple[Chunk, str]] = []
    total = 0
    done = 0

    def flush() -> None:
        nonlocal pending, to_embed, done
        if to_embed:
            t0 = time.perf_counter()
            vectors = embedder.embed([c.indexed_text for c, _ in to_embed])
            report.embed_seconds += time.perf_counter() - t0
            report.chunks_embedded += len(to_embed)
            meta_of = {c.id: a for a, cs, _, _ in pending for c, _ in cs}
            store.upsert(
                [v for _, v in to_embed],
                vectors,
                [c.text for c, _ in to_embed],
                [_metadata(meta_of[c.id], c) for c, _ in to_embed],
            )
        with catalog.transaction():
            for article, chunks, copy_of, sig in pending:
                catalog.put_article(article, chunks, copy_of=copy_of, signature=sig)
        done += len(to_embed)
        if progress:
            progress("embedding", done, total)
        pending, to_embed = [], []

    # the earliest-published of near-identical copies becomes the indexed original
    plan.work.sort(key=lambda a: a.published.timestamp() if a.published else float("inf"))
    # plan the chunks first so the progress total is known
    planned: list[tuple[Article, list[tuple[Chunk, str]], str | None, np.ndarray | None]] = []
    for article in plan.work:
        sig = signature(article.text)
        copy_of = None
        if sig is not None and article.id not in has_copies and len(sig_ids):
            copy_of = best_match(sig, sig_ids, sig_matrix, syndication_threshold)
            if copy_of == article.id:
                copy_of = None
        old = catalog.vector_ids_of(article.id)
        if copy_of is not None:
            report.syndicated.append((article.origin, copy_of))
            stale.update(old.values())
            report.chunks_removed += len(old)
            planned.append((article, [], copy_of, sig))
            continue
        if sig is not None:
            sig_ids.append(article.id)
            sig_matrix = sig[None, :] if sig_matrix.size == 0 else np.vstack([sig_matrix, sig])
        chunks = [(c, _vector_id(c)) for c in chunker.chunk(article)]
        new_ids = {v for _, v in chunks}
        kept = [v for v in old.values() if v in new_ids]
        report.chunks_unchanged += len(kept)
        report.chunks_removed += len(old) - len(kept)
        report.chunks_added += len(chunks) - len(kept)
        stale.update(v for v in old.values() if v not in new_ids)
        planned.append((article, chunks, None, sig))
        total += sum(1 for _, v in chunks if v not in live_vectors and v not in adoptable)

    for article, chunks, copy_of, sig in planned:
        pending.append((article, chunks, copy_of, sig))
        to_embed += [(c, v) for c, v in chunks if v not in live_vectors and v not in adoptable]
        if len(to_embed) >= commit_chunks:
            flush()
    flush()

    # whatever no row points at any more: replaced chunks, removed articles, unadopted leftovers
    live_vectors = catalog.vector_ids()
    garbage = sorted((stale | (adoptable - live_vectors)) - live_vectors)
    store.delete(garbage)
    report.seconds = time.perf_counter() - started
    return report
