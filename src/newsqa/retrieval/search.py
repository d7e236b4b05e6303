"""Hybrid retrieval for multi-part news questions.

A question is read into a plan (`plan.py`): the outlets and dates it names and its clauses. Each
clause is searched on its own within the outlets it names, the whole question within each named
outlet and over everything; each such sub-search fuses dense (MiniLM) and lexical (BM25) ranks,
lifts articles from the dates the question names, and re-ranks its candidates by their best
sentence. The sub-searches are fused by reciprocal rank, so every part of the question brings its
own best evidence near the top. A question that asks for a name ("Which company ...") is searched
a second time, every sub-search led by the name its first results share (`feedback.py`). Outlet
and date filters from the API are resolved in the catalog and applied as masks over an in-memory
table of the index."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from newsqa.indexing import NewsIndex
from newsqa.indexing.fulltext import LEXICAL_FORMAT, plain_word
from newsqa.periods import last_news_day
from newsqa.retrieval.dates import DateMention, reference_day
from newsqa.retrieval.feedback import answer_name, asks_for_name
from newsqa.retrieval.fusion import Ranked, boost, hybrid, rrf
from newsqa.retrieval.lexical import LexicalIndex, Stemmer
from newsqa.retrieval.options import RetrievalOptions
from newsqa.retrieval.outlets import OutletMatcher, unindexed_outlets
from newsqa.retrieval.passages import SentenceMatcher
from newsqa.retrieval.plan import (
    QueryPlan,
    asks_for_latest,
    blank,
    plan_query,
    topic_words,
    without_latest,
)
from newsqa.retrieval.table import ChunkTable, load_table, published_within
from newsqa.retrieval.terms import lexical_terms, query_terms
from newsqa.types import SearchFilters, SearchHit

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from numpy.typing import NDArray

    from newsqa.indexing.catalog import Catalog, ChunkRow
    from newsqa.indexing.store import VectorStore

__all__ = ["Absent", "Retriever", "SearchFilters", "query_terms"]

# a question for the latest on something (plan.asks_for_latest): its newest matches first
_LATEST_POOL = 30  # fused results looked at
_LATEST_LEADS = 2  # articles put first


@dataclass(frozen=True)
class Absent:
    """What a question names that the index holds nothing from (see `Retriever.absent`), and
    the first and last publication days of the index."""

    periods: tuple[str, ...] = ()
    outlets: tuple[str, ...] = ()
    span: tuple[date, date] | None = None
    named: tuple[DateMention, ...] = ()  # every period the question names, read as searched
    # the outlets it names, as it names them, when none of them has an article from the periods
    # it names (each of which others have): "What did TechCrunch report yesterday?"
    apart: tuple[str, ...] = ()

    def outside(self, day: date, slack_days: int = 1) -> bool:
        """Whether `day` falls outside every period the question names (False: none named)."""
        days = np.asarray([day.toordinal()], dtype=np.int64)
        return bool(self.named) and not any(
            published_within(days, d, slack_days).any() for d in self.named
        )


@dataclass(frozen=True)
class _Memory:
    table: ChunkTable
    lexical: LexicalIndex | None  # None: too large to keep, ask the catalog
    sentences: SentenceMatcher
    acronyms: bool  # whether the catalog's full-text index gives acronyms a term of their own
    counts: Callable[[Sequence[str]], dict[str, int]]  # how many chunks hold each word


@dataclass(frozen=True)
class _SubSearch:
    text: int  # index into the plan's texts
    mask: NDArray[np.bool_] | None
    dates: NDArray[np.bool_] | None
    weight: float


class Retriever:
    """Finds the passages of the index that best match a question."""

    def __init__(self, index: NewsIndex, *, options: RetrievalOptions | None = None) -> None:
        self.index = index
        self.options = options or RetrievalOptions()
        self._lock = threading.Lock()
        self._stemmer = Stemmer()
        self._cache: tuple[object, _Memory] | None = None

    def _memory(self, catalog: Catalog, store: VectorStore) -> _Memory:
        """What is kept in memory for the live generation, reloaded when the catalog changes."""
        key = (id(catalog), catalog.version())
        with self._lock:
            if self._cache is None or self._cache[0] != key:
                limit = self.options.max_vectors
                table = load_table(catalog, store, max_vectors=limit)
                lexical = (
                    LexicalIndex(catalog, table.rids, self._stemmer, table.vector_ids)
                    if 0 < len(table) <= limit
                    else None
                )
                counts = lexical.counts if lexical is not None else catalog.lexical_counts
                sentences = SentenceMatcher(counts, len(table))
                acronyms = catalog.lexical_format() == LEXICAL_FORMAT
                self._cache = (key, _Memory(table, lexical, sentences, acronyms, counts))
            return self._cache[1]

    def resolve_outlets(self, names: tuple[str, ...]) -> tuple[str, ...]:
        """The indexed outlets `names` stand for; ValueError naming the closest for one that
        names none."""
        catalog, store = self.index.open()
        return self._memory(catalog, store).table.resolve_outlets(names)

    def warm_up(self) -> None:
        """Build the in-memory tables of the live generation now rather than at the first
        search."""
        catalog, store = self.index.open()
        self._memory(catalog, store)

    def search(
        self, query: str, *, k: int = 10, filters: SearchFilters | None = None
    ) -> list[SearchHit]:
        if not query.strip() or k <= 0:
            return []
        o = self.options
        filters = filters or SearchFilters()
        catalog, store = self.index.open()
        memory = self._memory(catalog, store)
        table = memory.table
        if not len(table):
            return []
        allowed: NDArray[np.bool_] | None = None
        if filters.active:
            # read per article, not per chunk: a filter that lets most of a large index
            # through cost ~45 ms a search at 37k chunks when every chunk's id was read
            allowed = table.article_mask(
                catalog.filtered_article_ids(
                    sources=table.resolve_outlets(filters.sources),
                    since=filters.since,
                    until=filters.until,
                )
            )
            if not allowed.any():
                return []
        plan = plan_query(
            query,
            table.matcher if o.outlets else None,
            today=reference_day(table.latest_day),
            split=o.split,
        )
        rows: dict[str, ChunkRow] = {}
        if plan.news_only:
            leads = self._newest(plan, table, allowed, catalog, k, rows)
            return self._hits(leads, [1.0 / (1 + i) for i in range(len(leads))], rows, catalog)
        latest = o.recency and asks_for_latest(plan.question)
        texts = [without_latest(plan.question) if latest else plan.question]
        texts += [p.text for p in plan.parts]
        subs = self._sub_searches(plan, table, allowed)
        ranked = self._rank(texts, subs, k, memory, catalog, store, allowed, rows)
        fused = rrf([(r, sub.weight) for sub, r in ranked], o.fuse_k)
        if o.feedback and asks_for_name(plan.question) and len(fused):
            again = self._feedback(texts, subs, fused, memory, catalog, rows)
            if again is not None:
                more = self._rank(*again, k, memory, catalog, store, allowed, rows)
                fused = rrf([(r, sub.weight) for sub, r in ranked + more], o.fuse_k)
        if plan.latest and o.recency:
            fused = self._newer_first(fused, table)
            if latest:
                # what it is about, less when ("November" of "the latest on OpenAI in November"
                # is in few of its passages), and the newest of then: "the latest on Sam Altman
                # in November" led with December's news
                topic = blank(plan.question, [(d.start, d.end) for d in plan.dates])
                then = table.date_mask(plan.dates, o.date_slack_days) if plan.dates else None
                pool = then if allowed is None or then is None else allowed & then
                topical = self._topical(topic, memory, allowed if then is None else pool)
                fused = self._newest_first(topic, fused, topical, table, catalog, rows, then)
        chosen = self._cap(fused, table, k)
        missing = [table.vector_ids[r] for r in chosen if table.vector_ids[r] not in rows]
        if missing:
            rows.update(catalog.rows_for_vectors(missing))
        score = dict(zip(fused.rows.tolist(), fused.scores.tolist(), strict=True))
        return self._hits(
            [table.vector_ids[r] for r in chosen], [score[r] for r in chosen], rows, catalog
        )

    def with_leads(self, hits: Sequence[SearchHit], *, articles: int) -> list[SearchHit]:
        """`hits`, then the first chunk (the lead, where a news story says what happened) of
        each of the first `articles` articles among them whose lead is not there already."""
        firsts: list[str] = []
        for hit in hits:
            if hit.article.id not in firsts:
                firsts.append(hit.article.id)
        have = {h.article.id for h in hits if h.position == 0}
        wanted = [a for a in firsts[:articles] if a not in have]
        if not wanted:
            return list(hits)
        catalog, _ = self.index.open()
        ids = catalog.lead_vector_ids(wanted)
        rows = catalog.rows_for_vectors(ids)
        order = {a: i for i, a in enumerate(wanted)}
        picked = sorted(rows.values(), key=lambda r: order.get(r.article.id, len(order)))
        low = min((h.score for h in hits), default=1.0)
        extra = self._hits([r.vector_id for r in picked], [low / 2] * len(picked), rows, catalog)
        return [*hits, *extra]

    def outlets(self) -> OutletMatcher | None:
        """The index's outlets, as questions name them; None while there is no index."""
        if not self.index.exists():
            return None
        catalog, store = self.index.open()
        return self._memory(catalog, store).table.matcher

    def absent(self, query: str) -> Absent:
        """What `query` names that the index holds nothing from: periods ("in March 2019",
        "before 2020", as written) no article is dated within, and well-known outlets it has
        no article of."""
        catalog, store = self.index.open()
        table = self._memory(catalog, store).table
        dated = table.day[table.day >= 0]
        outlets = unindexed_outlets(query, table.matcher)
        if table.latest_day is None or not dated.size:
            return Absent(outlets=tuple(outlets))
        plan = plan_query(query, table.matcher, today=reference_day(table.latest_day), split=False)
        slack = self.options.date_slack_days
        held = [d for d in plan.dates if not table.date_mask([d], slack).any()]
        apart: tuple[str, ...] = ()
        if plan.outlets and plan.dates and not held:
            together = table.outlet_mask(plan.outlets) & table.date_mask(plan.dates, slack)
            if not together.any():
                apart = tuple(query[m.start : m.end] for m in table.matcher.find(query))
        return Absent(
            periods=tuple(query[d.start : d.end] for d in held),
            outlets=tuple(outlets),
            span=(date.fromordinal(int(dated.min())), table.latest_day),
            named=tuple(plan.dates),
            apart=apart,
        )

    def _hits(
        self,
        vector_ids: list[str],
        scores: list[float],
        rows: dict[str, ChunkRow],
        catalog: Catalog,
    ) -> list[SearchHit]:
        got = [(rows.get(v), s) for v, s in zip(vector_ids, scores, strict=True)]
        picked = [(row, s) for row, s in got if row is not None]
        copies = catalog.copies_refs({row.article.id for row, _ in picked})
        return [
            SearchHit(
                chunk_id=row.chunk_id,
                text=row.text,
                score=s,
                article=row.article,
                position=row.position,
                also_published_by=tuple(copies.get(row.article.id, ())),
            )
            for row, s in picked
        ]

    # -- the parts of a search ----------------------------------------------------------------
    def _rank(
        self,
        texts: list[str],
        subs: list[_SubSearch],
        k: int,
        memory: _Memory,
        catalog: Catalog,
        store: VectorStore,
        allowed: NDArray[np.bool_] | None,
        rows: dict[str, ChunkRow],
    ) -> list[tuple[_SubSearch, Ranked]]:
        """Each sub-search's ranking: dense and BM25 fused, its dates lifted, its head re-ranked
        by sentences (`rows` collects the chunk rows read for that)."""
        o = self.options
        table = memory.table
        embedded = texts if o.dense_clauses else texts[:1]
        dense = self._dense(embedded, table, store, allowed) if o.dense else None
        lexical = [self._lexical(t, memory, catalog) for t in texts] if o.lexical else None
        depth, head = max(o.depth, k), max(o.sentence_depth, k)
        ranked = []
        for sub in subs:
            d = dense[sub.text] if dense is not None and sub.text < len(dense) else None
            lex = lexical[sub.text] if lexical is not None else None
            found = hybrid(
                d, lex, sub.mask, depth=depth, k=o.rrf_k, lexical_weight=o.lexical_weight
            )
            if sub.dates is not None:
                inside = sub.dates if sub.mask is None else sub.mask & sub.dates
                favoured = hybrid(
                    d, lex, inside, depth=depth, k=o.rrf_k, lexical_weight=o.lexical_weight
                )
                found = boost(found, favoured, o.date_boost)
            ranked.append((sub, found))
        if o.sentences:
            rows.update(self._rows(catalog, table, [r.rows[:head] for _, r in ranked], rows))
            matcher = memory.sentences
            ranked = [
                (sub, self._by_sentences(texts[sub.text], r.head(head), table, rows, matcher))
                for sub, r in ranked
            ]
        return ranked

    def _sub_searches(
        self, plan: QueryPlan, table: ChunkTable, allowed: NDArray[np.bool_] | None
    ) -> list[_SubSearch]:
        """Each clause within its outlets (or all the question's outlets), the whole question
        within each outlet it names, and the whole question over everything."""
        o = self.options

        def restrict(outlets: tuple[str, ...]) -> NDArray[np.bool_] | None:
            mask = table.outlet_mask(outlets) if outlets else None
            if allowed is not None:
                mask = allowed if mask is None else mask & allowed
            return mask

        def period(dates: tuple[DateMention, ...]) -> NDArray[np.bool_] | None:
            if not o.dates or not dates:
                return None
            return table.date_mask(dates, o.date_slack_days)

        subs = [
            _SubSearch(i + 1, restrict(p.outlets or plan.outlets), period(p.dates), 1.0)
            for i, p in enumerate(plan.parts)
        ]
        whole = o.whole_weight if subs else 1.0
        subs += [
            _SubSearch(0, restrict((name,)), period(plan.dates), whole) for name in plan.outlets
        ]
        subs.append(_SubSearch(0, restrict(()), period(plan.dates), whole))
        return subs

    def _dense(
        self,
        texts: list[str],
        table: ChunkTable,
        store: VectorStore,
        allowed: NDArray[np.bool_] | None,
    ) -> list[NDArray[np.float64]]:
        """Cosine similarity of every chunk to each text (one embedding batch for all texts);
        -inf where unknown. Exact over the in-memory vectors, else the store's top candidates."""
        vectors = self.index.embedder.embed(texts)
        if table.matrix is not None:
            sims = table.similarities(vectors)
            return [sims[:, j] for j in range(len(texts))]
        ids = (
            [table.vector_ids[r] for r in np.flatnonzero(allowed)] if allowed is not None else None
        )
        out = []
        for vector in vectors:
            scores = np.full(len(table), -np.inf)
            found = store.query(vector, self.options.depth * 4, ids=ids)
            rows = table.rows(v for v, _ in found)
            scores[rows] = [s for v, s in found if v in table.row_of]
            out.append(scores)
        return out

    def _lexical(self, text: str, memory: _Memory, catalog: Catalog) -> NDArray[np.float64]:
        """BM25 score of every chunk for the text's content words; -inf where none matches."""
        words = lexical_terms(text, acronyms=memory.acronyms)
        # an acronym no passage writes as one ("NATO" where every outlet writes "Nato") is
        # looked up by its plain word
        acronyms = [w for w in words if plain_word(w)]
        absent = {w for w, n in memory.counts(acronyms).items() if n == 0} if acronyms else set()
        words = [(plain_word(w) or w) if w in absent else w for w in words]
        if memory.lexical is not None:
            return memory.lexical.scores(words)
        table = memory.table
        scores = np.full(len(table), -np.inf)
        found = catalog.lexical(words, min(len(table), self.options.depth * 50))
        if found:
            rows = table.rows(v for v, _ in found)
            scores[rows] = [s for v, s in found if v in table.row_of]
        return scores

    @staticmethod
    def _rows(
        catalog: Catalog,
        table: ChunkTable,
        lists: list[NDArray[np.int64]],
        known: dict[str, ChunkRow],
    ) -> dict[str, ChunkRow]:
        """The catalog rows of the chunks in `lists` that `known` lacks."""
        wanted = {table.vector_ids[r] for rows in lists for r in rows.tolist()} - known.keys()
        return catalog.rows_for_vectors(sorted(wanted)) if wanted else {}

    def _feedback(
        self,
        texts: list[str],
        subs: list[_SubSearch],
        fused: Ranked,
        memory: _Memory,
        catalog: Catalog,
        rows: dict[str, ChunkRow],
    ) -> tuple[list[str], list[_SubSearch]] | None:
        """Second-round sub-searches for a question that asks for a name: every sub-search
        again, its text led by the name the first results share (`feedback.py`)."""
        o, table = self.options, memory.table
        head = fused.rows[: o.feedback_depth]
        rows.update(self._rows(catalog, table, [head], rows))
        passages = [
            (rows[v].article.id, rows[v].text)
            for v in (table.vector_ids[r] for r in head.tolist())
            if v in rows
        ]
        found = answer_name(texts[0], passages, skip=lambda n: bool(table.matcher.find(n)))
        if found is None:
            return None
        again = [_SubSearch(s.text, s.mask, s.dates, s.weight * o.feedback_weight) for s in subs]
        return [f"{found} {t}" for t in texts], again

    def _by_sentences(
        self,
        text: str,
        ranked: Ranked,
        table: ChunkTable,
        rows: dict[str, ChunkRow],
        matcher: SentenceMatcher,
    ) -> Ranked:
        """A sub-search's head re-ranked: its order fused with the order of its chunks' best
        matching sentences."""
        ids = [table.vector_ids[r] for r in ranked.rows.tolist()]
        if not ids or any(v not in rows for v in ids):
            return ranked
        scores = np.asarray(matcher.scores(text, [(v, rows[v].text) for v in ids]))
        order = np.argsort(-scores, kind="stable")
        by_sentence = Ranked(ranked.rows[order], scores[order])
        return rrf([(ranked, 1.0), (by_sentence, self.options.sentence_weight)], self.options.rrf_k)

    def _newest(
        self,
        plan: QueryPlan,
        table: ChunkTable,
        allowed: NDArray[np.bool_] | None,
        catalog: Catalog,
        k: int,
        rows: dict[str, ChunkRow],
    ) -> list[str]:
        """For a question that asks for the news itself: the first passage of each of the `k`
        newest articles from the outlets it names, in the period it names (none when no such
        article is indexed: the newest of another period would not be what was asked for).
        `rows` collects the chunk rows read."""
        mask = np.ones(len(table), dtype=bool) if allowed is None else allowed.copy()
        if plan.outlets:
            mask &= table.outlet_mask(plan.outlets)
        if plan.dates:
            mask &= table.date_mask(plan.dates, self.options.date_slack_days)
        found = np.flatnonzero(mask)
        days = table.day[found]
        days = np.where(days > last_news_day().toordinal(), -1, days)  # misdated: last
        order = found[np.lexsort((-found, -days))]  # newest; then last indexed
        articles = list(dict.fromkeys(table.article[order].tolist()))[:k]
        wanted = set(articles)
        theirs = [r for r in order.tolist() if table.article[r] in wanted]
        rows.update(catalog.rows_for_vectors([table.vector_ids[r] for r in theirs]))
        first: dict[int, ChunkRow] = {}  # article number -> its first chunk
        for r in theirs:
            a, row = int(table.article[r]), rows.get(table.vector_ids[r])
            if row is not None and (a not in first or row.position < first[a].position):
                first[a] = row
        return [first[a].vector_id for a in articles if a in first]

    def _topical(
        self, question: str, memory: _Memory, allowed: NDArray[np.bool_] | None
    ) -> list[int]:
        """The first `_LATEST_POOL` rows by BM25 for the topic of a question for the latest: the
        newest news on it may rank low on the whole question ("What is the latest on Sam
        Altman?" matches hundreds of passages, most of them older)."""
        words = topic_words(question)
        if memory.lexical is None or not words:
            return []
        scores = memory.lexical.scores(words)
        if allowed is not None:
            scores[~allowed] = -np.inf
        top = np.argsort(-scores, kind="stable")[:_LATEST_POOL]
        return [int(r) for r in top if np.isfinite(scores[r])]

    def _newest_first(
        self,
        question: str,
        fused: Ranked,
        topical: list[int],
        table: ChunkTable,
        catalog: Catalog,
        rows: dict[str, ChunkRow],
        then: NDArray[np.bool_] | None = None,
    ) -> Ranked:
        """For a short question for the latest on something (`asks_for_latest`): the best
        passage of each of the `_LATEST_LEADS` newest articles among the first `_LATEST_POOL`
        results and the `topical` rows that hold every word of its topic goes first, newest
        first; of the articles published `then` (the period it names), when it names one."""
        words = topic_words(question)
        pool = list(dict.fromkeys(fused.rows[:_LATEST_POOL].tolist() + topical))
        if not words or not pool:
            return fused
        ids = [table.vector_ids[r] for r in pool]
        rows.update(catalog.rows_for_vectors([v for v in ids if v not in rows]))
        best: dict[int, int] = {}  # article -> its best row that holds the topic
        for r, v in zip(pool, ids, strict=True):
            text = rows[v].text.lower() if v in rows else ""
            if then is not None and not then[r]:
                continue
            if 0 <= table.day[r] <= last_news_day().toordinal() and all(w in text for w in words):
                best.setdefault(int(table.article[r]), r)
        leads = sorted(best.values(), key=lambda r: -int(table.day[r]))[:_LATEST_LEADS]
        if not leads:
            return fused
        score = dict(zip(fused.rows.tolist(), fused.scores.tolist(), strict=True))
        rest = [r for r in fused.rows.tolist() if r not in leads]
        top = float(fused.scores[0])
        return Ranked(
            np.asarray(leads + rest, dtype=fused.rows.dtype),
            np.asarray([top] * len(leads) + [score[r] for r in rest], dtype=fused.scores.dtype),
        )

    def _newer_first(self, fused: Ranked, table: ChunkTable) -> Ranked:
        """For questions about the latest news: among near-equal scores, newer articles first."""
        if not len(fused):
            return fused
        days = table.day[fused.rows].astype(np.float64)
        dated = days >= 0
        if dated.sum() < 2 or days[dated].max() == days[dated].min():
            return fused
        lo, hi = days[dated].min(), days[dated].max()
        fresh = np.where(dated, (days - lo) / (hi - lo), 0.0)
        scores = fused.scores * (1.0 + self.options.recency_weight * fresh)
        order = np.argsort(-scores, kind="stable")
        return Ranked(fused.rows[order], scores[order])

    def _cap(self, fused: Ranked, table: ChunkTable, k: int) -> list[int]:
        """The first `k` rows, at most `max_per_article` from one article (0: no cap)."""
        cap = self.options.max_per_article
        if cap <= 0:
            return [int(r) for r in fused.rows[:k]]
        taken: dict[int, int] = {}
        out: list[int] = []
        for r in fused.rows.tolist():
            a = int(table.article[r])
            if taken.get(a, 0) < cap:
                taken[a] = taken.get(a, 0) + 1
                out.append(r)
                if len(out) == k:
                    break
        return out
