"""`NewsQA`: the one object the CLI, the web page and library users drive."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsqa.indexing import Embedder, NewsIndex
from newsqa.indexing.builder import Progress
from newsqa.indexing.index import (
    CorpusError,
    IncompatibleIndexError,
    IndexMissingError,
    StoreFactory,
    shown,
)
from newsqa.indexing.job import BackgroundIndexing
from newsqa.indexing.layout import IndexBusyError
from newsqa.indexing.store import StoreError
from newsqa.retrieval.filters import (
    DateLike,
    held_to,
    parse_when,
    search_filters,
)
from newsqa.retrieval.filters import (  # as newsqa.facade.filters_said too, where it was
    filters_said as filters_said,
)
from newsqa.retrieval.outlets import OutletMatcher
from newsqa.retrieval.search import Retriever
from newsqa.settings import DEFAULT_MODEL, Settings
from newsqa.types import (
    Answer,
    Article,
    ArticleList,
    CorpusFile,
    FeedRefresh,
    FollowedFeed,
    IndexReport,
    IndexStats,
    LoadResult,
    Removal,
    SearchHit,
    Skipped,
    clean_text,
)

if TYPE_CHECKING:
    from newsqa.answering import (
        Answerer,
        AnswerEvent,
        EvidenceScorer,
        ExtractiveAnswerer,
        Turn,
    )
    from newsqa.answering.history import History

__all__ = ["NewsQA", "parse_when"]

_LLMS_KEPT = 4  # LLM answerers a NewsQA keeps ready (see `NewsQA._llm`)

# one file, folder (or URL, to ingest) or several: a string is one, never its characters
PathsLike = Iterable[Path | str] | Path | str | None


def _as_list(items: PathsLike) -> list[Path | str]:
    if items is None:
        return []
    if isinstance(items, str | Path):
        return [items]
    return list(items)


_WORDY = re.compile(r"[^\W_]")  # a letter or a digit


def _local_model(model: str) -> str:
    """A model given as a relative path to a local folder, as an absolute path (the folder
    where it is now, as the corpus and index folders are); a model's name as it is."""
    path = Path(model)
    # (the default is the packaged copy, whatever folder bears its name)
    named = model in (DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}")
    return str(path.absolute()) if not named and not path.is_absolute() and path.is_dir() else model


def _asked_text(value: object, what: str, wanting: str) -> str:
    """`value` as text to search with, lone surrogates (a bad terminal byte, which breaks
    tokenizing) and control characters dropped; TypeError for anything but text, ValueError
    for text without a word."""
    if not isinstance(value, str):
        raise TypeError(f"the {what} is text, not {type(value).__name__}")
    text = clean_text(value)
    if not _WORDY.search(text):
        raise ValueError(f"The {what} has no words: write what {wanting}.")
    return text


# what an update after a change to the corpus folder may fail with, the files changed all the same
_UPDATE_FAILURES = (IndexBusyError, StoreError, IncompatibleIndexError, OSError)


def _with_more(exc: Exception, more: str) -> Exception:
    """`exc` again, of its own kind, its message followed by `more` (what became of the files,
    and how to finish)."""
    said = str(exc) if str(exc).endswith(".") else f"{exc}."
    return type(exc)(f"{said} {more}")


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
        if settings is not None and not isinstance(settings, Settings):
            raise TypeError(  # NewsQA("corpus") failed as "replace expected … arguments"
                f"NewsQA takes a Settings, not {type(settings).__name__} {settings!r:.60}; "
                "folders and other settings can be keywords: NewsQA(corpus_dir=…, index_dir=…)"
            )
        # no settings: the NEWSQA_* variables, as the CLI and the page read them
        chosen = (settings or Settings.from_env()).replace(**overrides)
        # relative folders are where they are now: a notebook that changes its working
        # directory later still finds its index
        self.settings = chosen.replace(
            corpus_dir=chosen.corpus_dir.absolute(),
            index_dir=chosen.index_dir.absolute(),
            embedding_model=_local_model(chosen.embedding_model),
        )
        self.index = NewsIndex(self.settings, embedder=embedder, store_factory=store_factory)
        if self.settings.index_dir.is_file():  # an update said "File exists"
            raise ValueError(self.index.missing())
        self.retriever = Retriever(self.index, options=self.settings.retrieval_options())
        self._default_answerer: ExtractiveAnswerer | None = None
        self._scorer: EvidenceScorer | None = None
        self._llms: dict[str, tuple[Answerer, Any]] = {}
        self.indexing: BackgroundIndexing | None = None  # the running background update, if any

    # -- building ---------------------------------------------------------------------------
    def _read(self, paths: PathsLike) -> Iterator[Article | Skipped]:
        """The articles of `paths` (default: the corpus folder), checked before any is read: a
        path that does not exist (a typo, another working directory) would otherwise make the
        update remove every article indexed from elsewhere."""
        from newsqa.corpus import iter_path

        inputs = [Path(p) for p in _as_list(paths) or [self.settings.corpus_dir]]
        missing = [str(p) for p in inputs if not p.exists()]
        if missing:
            raise CorpusError(
                f"No such file or folder: {', '.join(missing)}. The index was left as it was."
            )
        index = (self.settings.index_dir,)  # an index kept in its corpus folder is no input
        return (
            item
            for p in inputs
            for item in iter_path(
                p, max_file_bytes=self.settings.max_file_bytes, passing_over=index
            )
        )

    def update(self, paths: PathsLike = None, *, progress: Progress | None = None) -> IndexReport:
        """Make the index match the corpus (default: `settings.corpus_dir`), embedding only what
        is new or changed and removing what is gone."""
        return self.index.update(self._read(paths), progress=progress)

    @property
    def updating(self) -> bool:
        """Whether an update started by `update_in_background` is still running."""
        return self.indexing is not None and self.indexing.status.running

    def update_in_background(
        self, paths: PathsLike = None, *, progress: Progress | None = None
    ) -> BackgroundIndexing:
        """Start `update` in a background thread and return at once. Searches and answers work
        meanwhile from what is already indexed (answers say indexing is still running); an
        interrupted run resumes where it stopped on the next update. `IndexBusyError` while
        one is running already; `close()` cancels one still running."""
        if self.updating:
            raise IndexBusyError(
                "A background update of this index is already running: wait for it "
                "(`qa.indexing.wait()`)."
            )

        def run(report: Progress) -> IndexReport:
            def both(phase: str, done: int, total: int) -> None:
                report(phase, done, total)
                if progress is not None:
                    progress(phase, done, total)

            return self.update(paths, progress=both)

        self.indexing = BackgroundIndexing(run).start()
        return self.indexing

    def rebuild(self, paths: PathsLike = None, *, progress: Progress | None = None) -> IndexReport:
        """Build the index afresh beside the old one, then switch to it."""
        return self.index.rebuild(self._read(paths), progress=progress)

    def ingest(
        self,
        targets: Iterable[str | Path] | str | Path,
        *,
        update: bool = True,
        progress: Progress | None = None,
    ) -> tuple[LoadResult, list[Path], IndexReport | None]:
        """Add articles to the corpus folder from URLs (pages or feeds) or local files, then update.

        Returns what was read, the files written into the corpus, and the update's report."""
        from newsqa.corpus.intake import take_in

        dest = self.settings.corpus_dir
        loaded, written = take_in(
            map(str, _as_list(targets)),
            dest,
            self.settings.index_dir,
            self.settings.max_file_bytes,
            self.index.titled_origins,
        )
        # nothing was written into a corpus folder that does not exist: no update to make
        # the files are in the corpus all the same if the update fails: said, with how to index
        # them later (an index on a read-only folder: "[Errno 30] Read-only file system:
        # 'index/.lock'", and no word of the files saved)
        kept = f"{len(written)} file(s) saved into {dest}" if written else "nothing saved"
        report = (
            self._update_after(f"{kept[0].upper()}{kept[1:]}", "indexes them", progress)
            if update and dest.exists()
            else None
        )
        return loaded, written, report

    def remove(
        self,
        files: Iterable[str | Path] | str | Path,
        *,
        update: bool = True,
        progress: Progress | None = None,
    ) -> Removal:
        """Take files out of the corpus folder, then update the index (their articles leave
        it). A file is a path, or a name as `articles()` gives it (relative to the corpus
        folder); it is moved into the folder's hidden `.removed` folder, not deleted, so that
        moving it back (and an update) restores it. A target outside the corpus folder is
        left where it is, in `skipped`."""
        from newsqa.corpus.removal import REMOVED, move_aside

        corpus = self.settings.corpus_dir
        removed, skipped = move_aside(map(str, _as_list(files)), corpus)
        report = None
        if update and removed:
            report = self._update_after(
                f"{len(removed)} file(s) moved out of the corpus into {corpus / REMOVED}",
                "takes their articles out of the index",
                progress,
            )
        return Removal(
            removed=tuple(removed),
            kept_in=str(corpus / REMOVED),
            skipped=tuple(skipped),
            report=report,
        )

    def follow(
        self, urls: Iterable[str] | str, *, update: bool = True, progress: Progress | None = None
    ) -> FeedRefresh:
        """Follow RSS or Atom feeds: each is read now, its entries' articles saved into the
        corpus folder, then the index updated; `refresh_feeds` later takes only new entries. An
        address that is no feed (a page, an error) is not followed: its `FeedRead.error` says why.
        The list is kept in the corpus folder (`.feeds.json`)."""
        return self._read_feeds([urls] if isinstance(urls, str) else list(urls), update, progress)

    def refresh_feeds(
        self, *, update: bool = True, progress: Progress | None = None
    ) -> FeedRefresh:
        """Read every followed feed for the entries it had not given before, save their
        articles into the corpus folder, then update the index."""
        return self._read_feeds(None, update, progress)

    def unfollow(self, urls: Iterable[str] | str) -> tuple[list[str], list[Skipped]]:
        """Stop following feeds (their articles stay in the corpus): the addresses dropped, and
        those the corpus did not follow."""
        from newsqa.corpus.following import unfollow

        return unfollow(self.settings.corpus_dir, [urls] if isinstance(urls, str) else list(urls))

    def feeds(self) -> list[FollowedFeed]:
        """The feeds the corpus follows, in the order they were followed."""
        from newsqa.corpus.following import read_followed

        return [
            FollowedFeed(url=f.url, added=f.added, refreshed=f.refreshed, taken=len(f.seen))
            for f in read_followed(self.settings.corpus_dir)
        ]

    def _read_feeds(
        self, urls: list[str] | None, update: bool, progress: Progress | None
    ) -> FeedRefresh:
        from newsqa.corpus.following import read_feeds

        corpus = self.settings.corpus_dir
        reads, loaded, written = read_feeds(corpus, urls)
        report = None
        if update and written:
            report = self._update_after(
                f"{len(written)} new article file(s) saved into {corpus / 'ingested'}",
                "indexes them",
                progress,
            )
        return FeedRefresh(
            feeds=tuple(reads),
            written=tuple(str(p) for p in written),
            skipped=tuple(loaded.skipped),
            report=report,
        )

    def _update_after(self, changed: str, finish: str, progress: Progress | None) -> IndexReport:
        """The update after a change to the corpus folder (`changed`, which stays made if it
        fails): a failure is raised again, of its own kind, saying what was changed and that
        `newsqa index update` `finish`es the work once the index is free or mended."""
        try:
            return self.update(progress=progress)
        except _UPDATE_FAILURES as exc:
            once = "it is free" if isinstance(exc, IndexBusyError) else "that is mended"
            raise _with_more(
                exc, f"{changed}; `newsqa index update` {finish} once {once}."
            ) from exc

    # -- reading ----------------------------------------------------------------------------
    def warm_up(self) -> None:
        """Load the embedding model and the search tables now (a few seconds), so that the
        first question is answered at full speed; does nothing while there is no index."""
        if not self.index.exists():
            return
        self.index.embedder.embed(["warm up"])
        self.retriever.warm_up()

    def search(
        self,
        query: str,
        k: int = 10,
        *,
        sources: Sequence[str] | None = None,
        since: DateLike = None,
        until: DateLike = None,
    ) -> list[SearchHit]:
        """The `k` passages that best match `query`, optionally from some outlets or a period.

        Raises ValueError for a query without a word, and for a filter that can never match:
        an outlet the index does not have (the names are read as in questions: "BBC", "the
        verge"), `since` after `until`."""
        query = _asked_text(query, "query", "to search for")  # "?" matched five passages
        if not isinstance(k, int) or isinstance(k, bool):
            raise TypeError(f"k is a whole number, not {k!r}")
        if k < 1:
            raise ValueError(f"k must be at least 1, not {k}")
        filters = search_filters(sources, since, until)
        with self.index.said_damaged():
            return self.retriever.search(query, k=k, filters=filters)

    def check_filters(
        self,
        sources: Sequence[str] | None = None,
        since: DateLike = None,
        until: DateLike = None,
    ) -> None:
        """Raise the ValueError `search` would for these filters, before any question (a chat
        says so at its start, not at its first answer)."""
        filters = search_filters(sources, since, until)
        if filters.sources:
            self.retriever.resolve_outlets(filters.sources)

    # -- answering --------------------------------------------------------------------------
    def ask(
        self,
        question: str,
        history: History | None = None,
        *,
        sources: Sequence[str] | None = None,
        since: DateLike = None,
        until: DateLike = None,
        llm: str | None = None,
    ) -> Answer:
        """A cited answer to `question`, reading follow-ups against `history` (earlier `Answer`s,
        (question, answer) pairs, or chat messages). `llm` overrides `settings.llm` for this call
        ("" for the offline answerer)."""
        answer: Answer | None = None
        for event in self.stream(
            question, history, sources=sources, since=since, until=until, llm=llm
        ):
            if isinstance(event, Answer):
                answer = event
        assert answer is not None  # every answerer ends its stream with the Answer
        return answer

    def stream(
        self,
        question: str,
        history: History | None = None,
        *,
        sources: Sequence[str] | None = None,
        since: DateLike = None,
        until: DateLike = None,
        llm: str | None = None,
        on_passages: Callable[[tuple[SearchHit, ...]], None] | None = None,
    ) -> Iterator[AnswerEvent]:
        """Like `ask`, yielding the answer's text as it is written and the `Answer` last;
        `on_passages` is handed the passages found as soon as they are (before an LLM has read
        them: a page shows them meanwhile). The streamed text is provisional: the final
        `Answer.text` is the checked one (an LLM's markers that trace to no passage removed),
        which is what to show once it comes."""
        from newsqa.answering import AnswerRequest, condense_heuristic
        from newsqa.answering.base import declining
        from newsqa.answering.fallback import llm_or_offline
        from newsqa.answering.history import last_filters, turns_of
        from newsqa.answering.notes import noted
        from newsqa.answering.topic import own_subject, unnamed_person

        # ("?" would be read as a request for the news itself, and answered with a digest)
        question = _asked_text(question, "question", "to ask")
        if isinstance(history, Iterator):  # read twice: for its turns, and its last filters
            history = list(history)
        turns = turns_of(history or ())
        held = search_filters(sources, since, until)
        before = last_filters(history or ())
        # other outlets or dates than the question before: a question that does not refer back
        # to it is about what they hold ("What is the latest news?" once the BBC is chosen)
        refiltered = before is not None and not before.same_as(held)
        note = None if turns else unnamed_person(question, self.retriever.outlets)
        if note is not None:
            request = AnswerRequest(question=question, standalone=question, hits=())
            for event in declining(request, "", notes=(note,)):
                yield replace(event, filters=held) if isinstance(event, Answer) else event
            return
        spec = self.settings.llm if llm is None else llm
        notes: list[str] = []
        answerer: Answerer | None = None
        standalone = (
            condense_heuristic(
                question, turns, outlets=self.retriever.outlets(), refiltered=refiltered
            )
            if turns
            else question
        )
        # (the LLM is not told of the filters: it would read such a question as a follow-up)
        on_its_own = refiltered and standalone == question
        if spec:
            try:
                answerer, condense = self._llm(spec)
                # the LLM's rewrite, or the heuristic's when it gives none
                if turns and not on_its_own:
                    standalone = condense(question, turns) or standalone
            except RuntimeError as exc:
                notes.append(f"The LLM could not be used ({exc}); answered offline instead.")
                answerer = None

        def passages(text: str) -> tuple[SearchHit, ...]:
            """The passages found for `text`, with the lead of the best article, where a news
            story says what happened, even when the search found only its later paragraphs (on
            300 MultiHop-RAG dev questions: answers citing a gold article 0.864 -> 0.868,
            accuracy 0.383 -> 0.387; the second article's lead too: no better)."""
            found = self.search(
                text, self.settings.answer_passages, sources=sources, since=since, until=until
            )
            return tuple(self.retriever.with_leads(found, articles=1))

        hits = passages(standalone)
        if standalone != question:
            alone = own_subject(question, hits, self.retriever.outlets(), passages)
            if alone is not None:
                standalone, hits = question, alone
        status = self.indexing.status if self.indexing is not None else None
        if not hits and self.stats().articles == 0:  # not "the articles don't say"
            if status is not None and status.running:  # a first build, under way
                raise IndexMissingError(
                    "The articles are being indexed "
                    f"({status.describe().removeprefix('indexing: ')}): ask again in a moment, "
                    "once the first are in."
                )
            from newsqa.corpus import holds_files

            corpus, index = self.settings.corpus_dir, self.settings.index_dir
            if corpus.is_dir() and not holds_files(corpus, passing_over=(index,)):
                raise IndexMissingError(  # (an update would find nothing to index either)
                    f"No article is indexed: {shown(corpus)} holds no article files yet. Put "
                    "news articles in it (.txt, .md, .html, .pdf, .json, .jsonl, .csv, RSS/Atom "
                    "feeds) and run `newsqa index update`."
                )
            raise IndexMissingError(
                f"The index in {shown(index)} holds no article yet (a first "
                "build stopped early?). Build it with `newsqa index update`."
            )
        if on_passages is not None:
            on_passages(hits)
        request = AnswerRequest(question=question, standalone=standalone, hits=hits, history=turns)
        held_note = held_to(sources, since, until)
        if status is not None and status.running:
            notes.append(
                f"Indexing is still running ({status.describe().removeprefix('indexing: ')}); "
                "this answer uses the articles indexed so far."
            )

        def finish(events: Iterator[AnswerEvent]) -> Iterator[AnswerEvent]:
            return noted(events, notes, held, held_note, absent_from=self.retriever.absent)

        yield from llm_or_offline(request, answerer, self._extractive, notes, finish)

    def _extractive(self) -> ExtractiveAnswerer:
        if self._default_answerer is None:
            from newsqa.answering import ExtractiveAnswerer

            self._default_answerer = ExtractiveAnswerer(self._evidence())
        return self._default_answerer

    def _evidence(self) -> EvidenceScorer:
        """The one sentence scorer of this instance, shared by every answerer (and so is its
        cache of sentence vectors)."""
        if self._scorer is None:
            from newsqa.answering import EvidenceScorer

            self._scorer = EvidenceScorer(self.index.embedder)
        return self._scorer

    def _llm(self, spec: str) -> tuple[Answerer, Any]:
        """The LLM answerer for `spec` and its condensation function (cached per spec, the
        `_LLMS_KEPT` used last: a page on 127.0.0.1 takes any LLM typed into it, and each kept
        its chat model, HTTP client or a GGUF model's weights for good)."""
        if spec in self._llms:
            self._llms[spec] = self._llms.pop(spec)  # the most recently used last
        else:
            from newsqa.answering import CitationChecker
            from newsqa.answering.llm import LLMAnswerer, condense, make_chat_model, parse_llm

            parsed = parse_llm(
                spec, base_url=self.settings.llm_base_url, api_key=self.settings.llm_api_key
            )
            parsed = replace(parsed, timeout=self.settings.llm_timeout)
            model = make_chat_model(parsed)
            checker = CitationChecker(self._evidence())
            answerer = LLMAnswerer(model, checker, contrary=self._extractive().contrary)

            def condense_with(question: str, turns: Sequence[Turn]) -> str | None:
                return condense(model, question, turns)

            self._llms[spec] = (answerer, condense_with)
            while len(self._llms) > _LLMS_KEPT:
                del self._llms[next(iter(self._llms))]
        return self._llms[spec]

    def example_questions(self, n: int = 4) -> list[str]:
        """Questions drawn from the indexed articles (several outlets and dates), for a start."""
        from newsqa.retrieval.examples import example_questions

        catalog, _ = self.index.open()
        with self.index.said_damaged():
            return example_questions(catalog.article_refs(), n)

    def articles(
        self,
        sources: Sequence[str] | str | None = None,
        since: DateLike = None,
        until: DateLike = None,
        *,
        limit: int | None = None,
    ) -> ArticleList:
        """What the index holds, article by article, newest first (undated last): the first
        `limit` (None: all; 0: none, for the `total` alone) of those from `sources` in the
        period, each with its outlet, date, link, file, chunks and the outlets that carried a
        copy. Filters as `search` reads them (an outlet that carried a copy lists the original;
        an outlet the index lacks is a ValueError naming the closest). Reads the catalog only
        (fast, no model); IndexMissingError while there is no index."""
        if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool)):
            raise TypeError(f"limit is a whole number or None, not {limit!r}")
        if limit is not None and limit < 0:
            raise ValueError(f"limit must be 0 or more (None: all), not {limit}")
        filters = search_filters(sources, since, until)
        corpus = self.settings.corpus_dir
        with self.index.catalog() as catalog:
            outlets = OutletMatcher(catalog.outlets()).resolve(filters.sources)
            total, listed = catalog.listing(
                sources=outlets,
                since=filters.since,
                until=filters.until,
                limit=limit,
                corpus=(str(corpus), str(corpus.resolve())),
            )
        return ArticleList(articles=tuple(listed), total=total)

    def corpus_files(self) -> list[CorpusFile]:
        """Every article file of the corpus folder, by the name `remove` takes, with the
        articles indexed from it, or for a file none were, why: the files holding what it only
        copies (another outlet's story it carried, the same article again), or that nothing
        could be read from it. Reads the catalog, and only the files it records nothing of;
        IndexMissingError while there is no index."""
        from newsqa.indexing.holdings import corpus_files

        with self.index.catalog() as catalog:
            return corpus_files(
                catalog,
                self.settings.corpus_dir,
                passing_over=(self.settings.index_dir,),
                max_file_bytes=self.settings.max_file_bytes,
            )

    def stats(self) -> IndexStats:
        """What the index holds; reads the catalog only (fast, no model)."""
        return self.index.stats()

    def close(self) -> None:
        """Release the index. A background update still running is cancelled first (within one
        batch; what it committed is kept, the next update carries on) and waited for."""
        if self.indexing is not None and self.indexing.status.running:
            self.indexing.cancel()
            self.indexing.wait()
        self.index.close()

    def __repr__(self) -> str:
        s = self.settings
        llm = f", llm={s.llm!r}" if s.llm else ""
        return f"NewsQA(corpus_dir='{s.corpus_dir}', index_dir='{s.index_dir}'{llm})"

    def __enter__(self) -> NewsQA:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
