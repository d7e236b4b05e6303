"""`NewsQA`: the one object the CLI, the web page and library users drive."""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from newsqa.indexing import Embedder, NewsIndex
from newsqa.indexing.builder import Progress
from newsqa.indexing.index import StoreFactory
from newsqa.retrieval.search import Retriever, SearchFilters
from newsqa.settings import Settings
from newsqa.types import Article, IndexReport, IndexStats, LoadResult, SearchHit, Skipped

__all__ = ["NewsQA", "parse_when"]

DateLike = datetime | date | str | None


def parse_when(value: DateLike, *, end_of_day: bool = False) -> datetime | None:
    """A datetime from a datetime, a date or an ISO string; a bare date covers its whole day."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time.max if end_of_day else time.min)
    text = value.strip()
    try:
        if len(text) == 10:  # YYYY-MM-DD
            return parse_when(date.fromisoformat(text), end_of_day=end_of_day)
        return datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"Not a date: {value!r} (use YYYY-MM-DD or an ISO 8601 time)") from None


class NewsQA:
    """Index news articles and search them.

    >>> qa = NewsQA()                      # corpus/ and index/ under the working directory
    >>> qa.update()                        # embed what is new or changed in corpus/
    >>> qa.search("who won the election?", k=5, sources=["Reuters"], since="2023-11-01")
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        embedder: Embedder | None = None,
        store_factory: StoreFactory | None = None,
        **overrides: Any,
    ) -> None:
        self.settings = (settings or Settings()).replace(**overrides)
        self.index = NewsIndex(self.settings, embedder=embedder, store_factory=store_factory)
        self.retriever = Retriever(self.index)

    # -- building ---------------------------------------------------------------------------
    def _read(self, paths: Sequence[Path | str] | None) -> Iterator[Article | Skipped]:
        from newsqa.corpus import iter_path

        for path in paths or [self.settings.corpus_dir]:
            p = Path(path)
            if not p.exists():
                yield Skipped(str(p), "no such file or folder")
                continue
            yield from iter_path(p, max_file_bytes=self.settings.max_file_bytes)

    def update(
        self, paths: Sequence[Path | str] | None = None, *, progress: Progress | None = None
    ) -> IndexReport:
        """Make the index match the corpus (default: `settings.corpus_dir`), embedding only what
        is new or changed and removing what is gone."""
        return self.index.update(self._read(paths), progress=progress)

    def rebuild(
        self, paths: Sequence[Path | str] | None = None, *, progress: Progress | None = None
    ) -> IndexReport:
        """Build the index afresh beside the old one, then switch to it."""
        return self.index.rebuild(self._read(paths), progress=progress)

    def ingest(
        self,
        targets: Iterable[str],
        *,
        update: bool = True,
        progress: Progress | None = None,
    ) -> tuple[LoadResult, list[Path], IndexReport | None]:
        """Add articles to the corpus folder from URLs (pages or feeds) or local files, then update.

        Returns what was read, the files written into the corpus, and the update's report."""
        from newsqa.corpus import fetch_url, load_path, save_articles

        loaded = LoadResult()
        written: list[Path] = []
        dest = self.settings.corpus_dir
        for target in targets:
            if target.startswith(("http://", "https://")):
                got = fetch_url(target)
                loaded.extend(got)
                written += save_articles(got.articles, dest / "ingested")
                continue
            src = Path(target)
            got = load_path(src, max_file_bytes=self.settings.max_file_bytes)
            loaded.extend(got)
            if not got.articles:
                continue
            target_path = dest / src.name
            if src.resolve() == target_path.resolve():
                continue
            dest.mkdir(parents=True, exist_ok=True)
            if src.is_dir():
                shutil.copytree(src, target_path, dirs_exist_ok=True)
            else:
                shutil.copy2(src, target_path)
            written.append(target_path)
        report = self.update(progress=progress) if update else None
        return loaded, written, report

    # -- reading ----------------------------------------------------------------------------
    def search(
        self,
        query: str,
        k: int = 10,
        *,
        sources: Sequence[str] | None = None,
        since: DateLike = None,
        until: DateLike = None,
    ) -> list[SearchHit]:
        """The `k` passages that best match `query`, optionally from some outlets or a period."""
        filters = SearchFilters(
            sources=tuple(sources or ()),
            since=parse_when(since),
            until=parse_when(until, end_of_day=True),
        )
        return self.retriever.search(query, k=k, filters=filters)

    def stats(self) -> IndexStats:
        """What the index holds; reads the catalog only (fast, no model)."""
        return self.index.stats()

    def close(self) -> None:
        self.index.close()

    def __enter__(self) -> NewsQA:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
