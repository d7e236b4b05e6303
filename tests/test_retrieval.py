"""Retrieval for multi-part news questions: outlets and dates named in a question, clauses
searched on their own, coverage, and filters; with the real model on a small fictional corpus."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import CountingEmbedder

from newsqa import NewsQA, Settings
from newsqa.indexing.embeddings import SentenceTransformerEmbedder
from newsqa.retrieval.dates import find_dates, reference_day
from newsqa.retrieval.feedback import answer_name, asks_for_name
from newsqa.retrieval.options import RetrievalOptions
from newsqa.retrieval.outlets import OutletMatcher, unindexed_outlets
from newsqa.retrieval.plan import plan_query, without_latest
from newsqa.retrieval.query import clause_spans
from newsqa.retrieval.search import Retriever, SearchFilters

# Fictional outlets and stories. The Courier's harbour story is the closest match in words to
# the harbour questions; the Gazette's is the one to find when a question names the Gazette.
ARTICLES = [
    {
        "title": "Harbour cranes idle as dockers strike over night shifts",
        "source": "The Valdria Courier",
        "published_at": "2024-03-04T09:00:00+00:00",
        "body": "Dockers at Valdria harbour walked out on Monday in a strike over night shifts. "
        "The harbour cranes stood idle and twelve container ships waited outside the breakwater. "
        "The dockers union said the harbour strike would last until the port authority "
        "dropped the new night shift rota. Harbour traffic was diverted to Port Selm.",
    },
    {
        "title": "Port authority offers dockers a shorter rota",
        "source": "Lakeside Gazette",
        "published_at": "2024-03-06T10:00:00+00:00",
        "body": "The port authority offered the dockers a rota with two fewer night shifts a "
        "month. Union secretary Mara Lind called the offer a first step but kept the walkout "
        "going. Shipping agents estimate the stoppage costs four million crowns a day.",
    },
    {
        "title": "Tram line extension approved by council",
        "source": "Metro Ledger",
        "published_at": "2024-03-12T08:00:00+00:00",
        "body": "The city council approved the tram line extension to Orchard Hill on Tuesday. "
        "Construction of the tram line is to start in the spring and cost 210 million crowns. "
        "Councillors voted 31 to 12 in favour of the tram extension.",
    },
    {
        "title": "Tram line extension delayed by council",
        "source": "Metro Ledger",
        "published_at": "2024-07-16T08:00:00+00:00",
        "body": "The city council delayed the tram line extension to Orchard Hill by a year. "
        "The tram line now costs 260 million crowns after the rail steel price rose. "
        "Councillors voted 25 to 18 to delay the tram extension.",
    },
    {
        "title": "Old town bakery wins national bread prize",
        "source": "Lakeside Gazette",
        "published_at": "2024-05-02T07:30:00+00:00",
        "body": "The Kessel Street bakery in the old town won the national bread prize for its "
        "rye sourdough. Baker Ilse Varn has run the bakery for thirty years.\n"
        "The jury praised the crust and the long fermentation of the rye loaf. The bakery "
        "bakes its rye sourdough in a wood-fired oven on Kessel Street every night.\n"
        "Ilse Varn said the bread prize belongs to the whole bakery. Queues for the rye "
        "sourdough reached the end of Kessel Street on Saturday.",
    },
    {
        "title": "Lake ferry service cancelled for the winter",
        "source": "The Valdria Courier",
        "published_at": "2024-05-03T07:30:00+00:00",
        "body": "The lake ferry between Valdria and Sorrel will not run this winter, the ferry "
        "company said. Ice damaged the ferry pier in February and repairs will take until "
        "April. Commuters will use the coach service around the lake instead.",
    },
    {
        "title": "Valdria budget debate drags on",
        "source": "Northern Herald",
        "published_at": "2024-06-20T12:00:00+00:00",
        "body": "Members of the regional assembly debated the Valdria budget for a third day. "
        "The opposition demanded more money for schools. The finance minister said the "
        "budget would pass before the summer recess.\n"
        "Teachers rallied outside the assembly. Their union asked for smaller classes. "
        "The minister promised a review of class sizes in the autumn.\n"
        "Hospital staff joined the rally in the afternoon. Nurses asked for more beds. "
        "The assembly adjourned at nine in the evening without a vote.",
    },
]


@pytest.fixture(scope="module")
def qa(
    tmp_path_factory: pytest.TempPathFactory, real_embedder: SentenceTransformerEmbedder
) -> NewsQA:
    return indexed(tmp_path_factory.mktemp("retrieval"), ARTICLES, real_embedder)


def indexed(
    root: Path, articles: list[dict[str, str]], embedder: SentenceTransformerEmbedder
) -> NewsQA:
    """A NewsQA over `articles`, indexed in small chunks under `root`."""
    corpus = root / "corpus"
    corpus.mkdir()
    lines = [
        json.dumps({**a, "url": f"https://news.example.com/{i}", "author": "Staff"})
        for i, a in enumerate(articles)
    ]
    (corpus / "news.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    settings = Settings(corpus_dir=corpus, index_dir=root / "index", chunk_size=48, chunk_overlap=0)
    app = NewsQA(settings, embedder=embedder)
    app.update()
    return app


def with_options(qa: NewsQA, **options: object) -> Retriever:
    return Retriever(qa.index, options=RetrievalOptions(**options))  # type: ignore[arg-type]


# -- reading the question -------------------------------------------------------------------------
def test_an_outlet_filter_takes_the_outlet_with_its_sections() -> None:
    m = OutletMatcher(["Fox News", "FOX News - Health", "FOX News: Lifestyle", "Foxes Weekly"])
    assert m.with_sections("fox news") == ("FOX News - Health", "FOX News: Lifestyle", "Fox News")
    assert m.with_sections("Foxes Weekly") == ("Foxes Weekly",)
    assert m.with_sections("Fox") == ()


def test_an_unknown_outlet_is_told_the_closest_in_any_case() -> None:
    bbc = ["BBC News - Technology", "BBC News - Entertainment & Arts"]
    tech = "Scitechdaily | Science Space And Technology News 2017"
    m = OutletMatcher([*bbc, "Fox News", "Metro Ledger", "The Verge", "TechCrunch", tech])
    # the outlets sharing a word (or a word's start) with the name first, in any case
    assert m.suggest("BBC Newz") == sorted(bbc)
    assert m.suggest("metro") == m.suggest("Metro") == m.suggest("Metro Leger") == ["Metro Ledger"]
    # else the most alike, in full or in a short form
    assert m.suggest("the vrege") == m.suggest("VERGE!") == ["The Verge"]
    assert m.suggest("Techcrunh") == ["TechCrunch"]
    # a word that only starts like one of an outlet's is no reason to suggest it
    assert OutletMatcher(["The Roar | Sports Writers Blog"]).suggest("Daily Blorp") == []
    assert m.suggest("Reuters") == m.suggest("") == OutletMatcher(["AP"]).suggest("Reuters") == []


def test_outlet_names_and_variants_come_from_the_index() -> None:
    m = OutletMatcher(
        ["The Verge", "Cnbc | World Business News Leader", "Fortune", "FOX News - Health"]
    )

    def named(text: str) -> list[tuple[str, ...]]:
        return [x.outlets for x in m.find(text)]

    assert named("Did 'The Verge' and the verge both say so?") == [("The Verge",)]
    assert named("as reported by Verge, CNBC and FOX News") == [
        ("The Verge",),
        ("Cnbc | World Business News Leader",),
        ("FOX News - Health",),
    ]
    # a common word is an outlet only when written as a name
    assert named("He made a fortune, Fortune said.") == [("Fortune",)]
    assert OutletMatcher([]).find("The Verge") == []
    # a name the index holds as one word, written apart or as its domain
    sports = OutletMatcher(["cbssports.com", "TechCrunch"])
    assert [x.outlets for x in sports.find("What did CBS Sports and Tech Crunch say?")] == [
        ("cbssports.com",),
        ("TechCrunch",),
    ]
    assert sports.lookup("CBS Sports") == ("cbssports.com",)
    assert [x.outlets for x in sports.find("as cbssports.com reported")] == [("cbssports.com",)]


def test_a_well_known_outlet_is_missing_only_when_asked_of_as_a_source() -> None:
    m = OutletMatcher(["TechCrunch", "cbssports.com"])
    for question, missing in [
        ("What did Bloomberg report about the Binance settlement?", ["Bloomberg"]),
        ("How much, according to Reuters?", ["Reuters"]),
        ("In the Financial Times, what did the Fed say?", ["Financial Times"]),
        ("What did CBS Sports report about the NFL?", []),  # indexed as cbssports.com
        ("What is the latest on the Nikkei?", []),  # the stock index
        ("What did Michael Bloomberg say?", []),  # a person
        ("What did Disney do with ESPN?", []),  # a company's channel
    ]:
        assert unindexed_outlets(question, m) == missing, question


def test_outlet_short_forms_count_only_in_capitals() -> None:
    m = OutletMatcher(["BBC News - Technology", "The New York Times", "Sport Daily"])

    def named(text: str) -> list[tuple[str, ...]]:
        return [x.outlets for x in m.find(text)]

    assert named("Did the BBC and the NYT agree?") == [
        ("BBC News - Technology",),
        ("The New York Times",),
    ]
    # the same letters as an ordinary word are not a name; two-word names have no initials
    assert named("the nyt crowd and a bbc fan") == []
    assert named("as SD reported") == []
    # but a few well-known short forms are the outlet's, written as they are written
    known = OutletMatcher(["Financial Times", "The Washington Post"])
    assert [x.outlets for x in known.find("What did the FT and WaPo say?")] == [
        ("Financial Times",),
        ("The Washington Post",),
    ]
    assert known.find("the ft and wapo") == [] and known.lookup("FT") == ("Financial Times",)


def test_a_filter_name_means_what_it_would_in_a_question() -> None:
    m = OutletMatcher(["BBC News - Technology", "BBC News - Entertainment", "The Verge"])
    assert m.lookup("bbc") == ("BBC News - Entertainment", "BBC News - Technology")
    assert m.lookup(" the verge ") == m.lookup("Verge") == ("The Verge",)
    assert m.lookup("Reuters") == ()
    # the brand before a generic word: "--source Yahoo" was told "did you mean 'Yahoo News'?"
    m = OutletMatcher(["Yahoo News", "FOX News - Health", "Fox News", "The Sporting News"])
    assert m.lookup("yahoo") == ("Yahoo News",) and m.lookup("Sporting") == ("The Sporting News",)
    assert m.lookup("Fox") == ("FOX News - Health", "Fox News")
    assert m.find("What did Yahoo announce?") == []  # in a question, a company's name


def test_dates_are_read_generally() -> None:
    got = find_dates("the report on October 31, 2023, and the one before Nov. 5th 2023")
    assert [(d.first, d.relation) for d in got] == [
        (date(2023, 10, 31), "on"),
        (date(2023, 11, 5), "before"),
    ]
    (month,) = find_dates("What happened in March 2024?")
    assert (month.first, month.last) == (date(2024, 3, 1), date(2024, 3, 31))
    (span,) = find_dates("between 3 June and 9 June 2024")
    assert (span.first, span.last, span.relation) == (date(2024, 6, 3), date(2024, 6, 9), "on")
    (iso,) = find_dates("after 2024-02-29")
    assert (iso.first, iso.relation) == (date(2024, 2, 29), "after")
    assert [d.first for d in find_dates("on May 2", today=date(2024, 12, 31))] == [date(2024, 5, 2)]
    assert find_dates("They may be late on the 40th") == []


def test_dates_in_words_and_relative_dates() -> None:
    today = date(2023, 12, 25)  # a Monday

    def read(question: str) -> list[tuple[date, date, str]]:
        return [(d.first, d.last, d.relation) for d in find_dates(question, today=today)]

    # a month without a year is the latest such month up to today
    assert read("What did the Fed decide in December?") == [
        (date(2023, 12, 1), date(2023, 12, 31), "on")
    ]
    assert read("since February") == [(date(2023, 2, 1), date(2023, 2, 28), "after")]
    assert read("in late October 2023") == [(date(2023, 10, 21), date(2023, 10, 31), "on")]
    assert read("the second week of November") == [(date(2023, 11, 8), date(2023, 11, 14), "on")]
    # a year's halves and thirds are whole months
    assert read("in the first half of 2023") == [(date(2023, 1, 1), date(2023, 6, 30), "on")]
    assert read("the second half of 2022") == [(date(2022, 7, 1), date(2022, 12, 31), "on")]
    assert read("since late 2022") == [(date(2022, 9, 1), date(2022, 12, 31), "after")]
    assert read("in mid-2023") == [(date(2023, 5, 1), date(2023, 8, 31), "on")]
    assert read("the week before Oct. 20") == [(date(2023, 10, 13), date(2023, 10, 19), "on")]
    assert read("two days after 2023-11-03T17:43:00+00:00") == [
        (date(2023, 11, 4), date(2023, 11, 5), "on")
    ]
    assert read("as of May 2023") == [(date(2023, 5, 1), date(2023, 5, 31), "before")]
    assert read("between October and December") == [(date(2023, 10, 1), date(2023, 12, 31), "on")]
    assert read("What happened last week?") == [(date(2023, 12, 18), date(2023, 12, 24), "on")]
    assert read("three days ago") == [(date(2023, 12, 22), date(2023, 12, 22), "on")]
    assert read("in the past two weeks") == [(date(2023, 12, 11), date(2023, 12, 25), "on")]
    assert read("What did Apple announce on Friday?") == [(date(2023, 12, 22),) * 2 + ("on",)]
    # things that only look like dates
    for question in (
        "Monday Night Football",
        "the 2015 World Cup",
        "Theresa May and March",
        "an article by USA Today",
        "profits compared to last year",
        "in march",
    ):
        assert read(question) == [], question
    assert find_dates("What happened last week?") == []  # relative dates need a today
    skipped = find_dates("USA Today on Monday", today=today, skip=[(0, 9)])
    assert [d.first for d in skipped] == [today]


def test_relative_dates_read_against_an_archives_own_today() -> None:
    today = date(2026, 11, 25)
    assert reference_day(date(2026, 11, 24), today) == today  # fed daily: today
    assert reference_day(date(2023, 12, 25), today) == date(2023, 12, 25)  # an archive
    assert reference_day(None, today) == today


def test_plan_splits_clauses_and_attaches_outlets() -> None:
    m = OutletMatcher(["Lakeside Gazette", "The Valdria Courier"])
    q = (
        "Which bakery, as reported by the Lakeside Gazette, won a national bread prize, "
        "and did The Valdria Courier report on October 3, 2024 that the lake ferry was cancelled?"
    )
    plan = plan_query(q, m)
    assert plan.outlets == ("Lakeside Gazette", "The Valdria Courier")
    texts = [p.text for p in plan.parts]
    assert texts[0] == "Which bakery won a national bread prize"
    assert plan.parts[0].outlets == ("Lakeside Gazette",)  # carried from "as reported by ..."
    assert plan.parts[1].outlets == ("The Valdria Courier",)
    assert [d.first for d in plan.parts[1].dates] == [date(2024, 10, 3)]
    assert plan_query("Who runs the harbour?", m).parts == ()
    assert clause_spans("A said so, B did not") == [(0, 9), (11, 20)]


def test_options_parse_and_reject_unknown_names() -> None:
    opts = RetrievalOptions.parse("outlets=0, dates=off, lexical_weight=3, max_per_article=2")
    assert (opts.outlets, opts.dates, opts.lexical_weight, opts.max_per_article) == (
        False,
        False,
        3.0,
        2,
    )
    assert RetrievalOptions.parse("") == RetrievalOptions()
    settings = Settings.from_env({"NEWSQA_RETRIEVAL": "split=0"})
    assert settings.retrieval_options() == RetrievalOptions(split=False)
    with pytest.raises(ValueError, match="no option 'nope'"):
        Settings.from_env({"NEWSQA_RETRIEVAL": "nope=1"})
    with pytest.raises(ValueError, match="no option 'bogus'"):
        RetrievalOptions.parse("bogus=1")
    with pytest.raises(ValueError, match="split cannot be 'maybe'"):
        RetrievalOptions.parse("split=maybe")


# -- searching ------------------------------------------------------------------------------------
@pytest.mark.slow
def test_outlet_named_in_question_finds_that_outlets_article(qa: NewsQA) -> None:
    q = "What did the Lakeside Gazette report about the harbour strike by the dockers?"
    top = qa.search(q, k=2)
    assert top[0].article.source == "Lakeside Gazette"
    # without outlet sub-searches the Courier's closer wording wins
    plain = with_options(qa, outlets=False).search(q, k=1)
    assert plain[0].article.source == "The Valdria Courier"


@pytest.mark.slow
def test_date_in_question_boosts_that_period(qa: NewsQA) -> None:
    # the words match the July story best; the month names the March one
    q = "What did the council decide about the tram line and the rail steel price in March 2024?"
    assert qa.search(q, k=1)[0].article.title == "Tram line extension approved by council"
    no_dates = with_options(qa, dates=False).search(q, k=1)
    assert no_dates[0].article.title == "Tram line extension delayed by council"
    # a month without a year, part of a month, a period relative to the newest article (July)
    base = "What did the council decide about the tram line and the rail steel price"
    for when in ("in March", "in mid-March", "four months ago"):
        top = qa.search(f"{base} {when}?", k=1)[0]
        assert top.article.title == "Tram line extension approved by council", when
    # soft: the other period still follows
    hits = qa.search("What did the council decide about the tram line in March 2024?", k=6)
    assert "Tram line extension delayed by council" in {h.article.title for h in hits}


@pytest.mark.slow
def test_multi_part_question_finds_evidence_for_each_part(qa: NewsQA) -> None:
    q = (
        "Did baker Ilse Varn's Kessel Street bakery win the national bread prize for its rye "
        "sourdough crust and long fermentation, and was the ferry pier damaged?"
    )
    titles = [h.article.title for h in qa.search(q, k=2)]
    assert "Old town bakery wins national bread prize" in titles
    assert "Lake ferry service cancelled for the winter" in titles
    whole = [h.article.title for h in with_options(qa, split=False).search(q, k=2)]
    assert "Lake ferry service cancelled for the winter" not in whole


@pytest.mark.slow
def test_per_article_cap_spreads_results_over_articles(qa: NewsQA) -> None:
    q = "What did the regional assembly, the teachers and the nurses ask for in the budget debate?"
    capped = with_options(qa, max_per_article=1).search(q, k=5)
    assert len({h.article.id for h in capped}) == len(capped) == 5
    uncapped = qa.search(q, k=5)
    assert sum(h.article.title == "Valdria budget debate drags on" for h in uncapped) > 1


@pytest.mark.slow
def test_filters_still_restrict_every_sub_search(qa: NewsQA) -> None:
    q = "Did the Lakeside Gazette report on the dockers' strike, and did the council approve it?"
    only = qa.search(q, k=10, sources=["metro ledger"])
    assert only and {h.article.source for h in only} == {"Metro Ledger"}
    in_may = qa.search("bakery prize and ferry", k=10, since="2024-05-01", until="2024-05-31")
    assert {h.article.published.month for h in in_may if h.article.published} == {5}
    with pytest.raises(ValueError, match="No outlet 'No Such Outlet' in the index"):
        qa.search(q, k=5, sources=["No Such Outlet"])
    with pytest.raises(ValueError, match="has no words"):
        qa.search("   ", k=5)


class _CountedRows:
    """A catalog connection that counts the rows its queries hand back."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db, self.rows = db, 0

    def execute(self, *args: Any) -> _CountedCursor:
        return _CountedCursor(self, self.db.execute(*args))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.db, name)


class _CountedCursor:
    def __init__(self, owner: _CountedRows, cursor: sqlite3.Cursor) -> None:
        self.owner, self.cursor = owner, cursor

    def __iter__(self) -> Iterator[Any]:
        for row in self.cursor:
            self.owner.rows += 1
            yield row

    def fetchall(self) -> list[Any]:
        rows = self.cursor.fetchall()
        self.owner.rows += len(rows)
        return rows

    def fetchone(self) -> Any:
        row = self.cursor.fetchone()
        self.owner.rows += row is not None
        return row


def test_a_filter_is_read_from_the_catalog_per_article_not_per_passage(qa: NewsQA) -> None:
    """A filter that lets most of the index through (a --since before the newest articles)
    costs a row per article it passes, not one per passage: at 37k passages reading every
    passage's id made each such search ~45 ms slower."""
    retriever = with_options(qa, sentences=False, feedback=False)
    catalog, _ = qa.index.open()
    catalog.meta()  # this thread's connection, to count the rows read through it
    counted = _CountedRows(catalog._local.db)
    catalog._local.db = counted
    try:
        q = "harbour strike"
        retriever.search(q, k=3)  # the tables in memory: read once, before counting
        counted.rows = 0
        unfiltered = retriever.search(q, k=3)
        plain = counted.rows
        counted.rows = 0
        filtered = retriever.search(q, k=3, filters=SearchFilters(since=datetime(2000, 1, 1)))
        with_filter = counted.rows
    finally:
        catalog._local.db = counted.db
    assert [h.chunk_id for h in filtered] == [h.chunk_id for h in unfiltered]
    stats = qa.stats()
    assert stats.chunks > 2 * stats.articles  # small chunks: several per article
    assert with_filter - plain == stats.articles


def test_a_question_for_the_news_itself_gets_the_newest_articles(qa: NewsQA) -> None:
    """'What is the latest from X?' names nothing to match: the newest articles of X answer it,
    each by its first passage; a period it names holds them to it (none when it has none, and
    the answer says that no article is from then)."""

    def leads(question: str, **filters: object) -> list[tuple[str, int]]:
        return [(h.article.title, h.position) for h in qa.search(question, k=5, **filters)]

    assert leads("What is the latest news from the Metro Ledger?") == [
        ("Tram line extension delayed by council", 0),
        ("Tram line extension approved by council", 0),
    ]
    assert leads("What did the Lakeside Gazette report in March 2024?") == [
        ("Port authority offers dockers a shorter rota", 0)
    ]
    assert leads("What did the Lakeside Gazette report in March 2019?") == []
    old = qa.ask("What did the Lakeside Gazette report in March 2019?")
    assert old.declined and not old.citations
    assert any("No indexed article was published “in March 2019”" in n for n in old.notes)
    # a period others have articles from, the outlet none: said so (it was a bare refusal), with
    # the days it was read as
    june = qa.ask("What did the Lakeside Gazette report in June 2024?")
    assert june.declined and june.notes[0] == (
        "No indexed article from the Lakeside Gazette was published “in June 2024” (1 Jun 2024 "
        "– 30 Jun 2024)."
    )
    assert [n for n in june.notes[1:] if not n.startswith("Closest found: ")] == []
    newest = leads("What's new?")
    assert newest[0] == ("Tram line extension delayed by council", 0) and len(newest) == 5
    assert leads("What's new?", sources=["Northern Herald"]) == [
        ("Valdria budget debate drags on", 0)
    ]
    # asked as a chat assistant is asked ("Summarize the news" was declined)
    for asked in (
        "Summarize the news",
        "Give me a summary of the latest news",
        "Give me an overview of the news",
        "Give me a briefing on the news",
        "Catch me up on the headlines",
    ):
        assert leads(asked) == newest, asked
    # what a question may be about is not taken for a word for the news
    assert not plan_query("What's new in the US?").news_only
    assert not plan_query("What's new with the show?").news_only
    # anything to match, and it is an ordinary search
    assert (
        leads("What is the latest on the bakery prize?")[0][0]
        == "Old town bakery wins national bread prize"
    )
    answer = qa.ask("What is the latest news from the Metro Ledger?")
    assert [c.article.title for c in answer.citations] == [
        "Tram line extension delayed by council",
        "Tram line extension approved by council",
    ]
    assert answer.text.startswith("Metro Ledger (16 Jul 2024): ")


def test_a_question_for_the_latest_on_a_topic_leads_with_its_newest_article(qa: NewsQA) -> None:
    """'What is the latest on X?' is answered from the newest article about X first (among the
    results holding every word of X), not from the best-matching older one."""
    question = "What is the latest on the tram line extension?"
    hits = qa.search(question, k=5)
    assert hits[0].article.title == "Tram line extension delayed by council"
    answer = qa.ask(question)
    assert answer.citations[0].article.title == "Tram line extension delayed by council"
    # matched by what it is about: "latest" itself is no evidence ("the latest quarter")
    assert without_latest(question).split() == "What is the on the tram line extension?".split()
    # no topic word in the newest articles (a plum harvest, a ferry): they are not put first
    assert qa.search("What is the latest on the tram line?", k=1)[0].article.title.startswith(
        "Tram line extension"
    )
    # asked in other words ("What's new with …", "Any news on …", "since …")
    for asked in (
        "What's new with the tram line extension?",
        "Any news on the tram line extension?",
        "What has happened to the tram line extension since March?",
    ):
        assert qa.search(asked, k=1)[0].article.title == "Tram line extension delayed by council"
        assert qa.ask(asked).citations[0].article.title == "Tram line extension delayed by council"
    # the latest of a period it names is the newest of then, not of all
    march = "What is the latest on the tram line extension in March 2024?"
    assert qa.search(march, k=1)[0].article.title == "Tram line extension approved by council"
    assert qa.ask(march).citations[0].article.title == "Tram line extension approved by council"


def test_a_question_asking_for_a_name_is_told_from_a_yes_no_question() -> None:
    assert asks_for_name("Which company, reported by the Gazette, raised forty million crowns?")
    assert asks_for_name("Who is the individual accused of fraud by the Courier?")
    assert not asks_for_name("Did the Courier report that the dockers went on strike?")
    assert not asks_for_name("Was the Gazette's report on the strike consistent?")


def test_the_answer_name_is_the_one_the_first_results_share() -> None:
    q = "Which company makes a hospital robot and raised forty million crowns?"
    passages = [
        ("a1", "Fennick Robotics showed a delivery robot. Nurses at St Brin's tested it."),
        ("a2", "Investors put forty million crowns into Fennick. The Lakeside Gazette says so."),
        ("a2", "The round was led by Selm Capital."),
        ("a3", "Selm Capital also backs a brewery."),
        ("a4", "The Lakeside Gazette and the Fennick team met on Monday."),
    ]
    # "Fennick" is in three articles, "Selm Capital" in two; the most frequent form is returned
    assert answer_name(q, passages) == "Fennick"
    # never a name the question already holds, nor one the caller rules out (an outlet)
    gazette = lambda name: "Gazette" in name  # noqa: E731
    named = q.replace("company", "Fennick company")
    assert answer_name(named, passages) == "Lakeside Gazette"
    assert answer_name(named, passages, skip=gazette) == "Selm Capital"
    assert answer_name(q, passages[3:], skip=gazette) is None
    assert answer_name(q, passages[:1]) is None  # one article: nothing is shared


def test_a_who_question_prefers_a_persons_name() -> None:
    passages = [
        ("a1", "FTX collapsed in November. Sam Bankman-Fried founded FTX."),
        ("a2", "FTX customers lost money, and Bankman-Fried faces trial."),
        ("a3", "The FTX trial began. Bankman-Fried took the stand."),
        ("a3", "FTX lawyers spoke to FTX staff about FTX."),
    ]
    who = "Who is the individual accused of fraud over the collapsed exchange?"
    assert answer_name(who, passages) == "Bankman-Fried"  # its most frequent form
    what = "Which exchange collapsed, leaving customers without their money?"
    assert answer_name(what, passages) == "FTX"


# A question that asks for a company without naming it: its third clause is worded like three
# other stories, and only the name the first two clauses' evidence shares ("Fennick") finds the
# evidence that answers it.
NAMED = [
    *ARTICLES,
    {
        "title": "A robot for hospital wards",
        "source": "The Valdria Courier",
        "published_at": "2024-04-02T09:00:00+00:00",
        "body": "Fennick Robotics showed a delivery robot that carries medicine between hospital "
        "wards. Nurses at St Brin's Hospital tested the Fennick robot for a month.",
    },
    {
        "title": "Investors back a robot maker",
        "source": "Lakeside Gazette",
        "published_at": "2024-04-10T09:00:00+00:00",
        "body": "Investors put forty million crowns into Fennick Robotics. Selm Capital led the "
        "round, and Fennick said the money will pay for more engineers.",
    },
    {
        "title": "Sorrel wins a new plant",
        "source": "Northern Herald",
        "published_at": "2024-04-20T09:00:00+00:00",
        "body": "Fennick will open its new factory near Sorrel next spring. The plant is to "
        "employ three hundred people when it runs at full speed.",
    },
    {
        "title": "Shipyard adds jobs",
        "source": "Metro Ledger",
        "published_at": "2024-04-21T09:00:00+00:00",
        "body": "The Valdria shipyard will create jobs at its hull factory. The yard builds "
        "ferries for the lake.",
    },
    {
        "title": "Brewery hiring",
        "source": "The Valdria Courier",
        "published_at": "2024-04-22T09:00:00+00:00",
        "body": "Kessel Brewery is hiring hundreds of workers for its bottling factory. The "
        "brewery makes rye beer.",
    },
    {
        "title": "Car parts maker to create jobs",
        "source": "Lakeside Gazette",
        "published_at": "2024-04-23T09:00:00+00:00",
        "body": "A car parts maker will create hundreds of jobs on the lake shore. The council "
        "welcomed the plan.",
    },
    {
        "title": "Hospital wards get new beds",
        "source": "Northern Herald",
        "published_at": "2024-04-24T09:00:00+00:00",
        "body": "The county hospital added forty beds to its wards. Hospital staff said the "
        "medicine rounds are faster now.",
    },
]


@pytest.mark.slow
def test_a_second_search_with_the_answers_name_finds_evidence_that_only_names_it(
    tmp_path: Path, real_embedder: SentenceTransformerEmbedder
) -> None:
    app = indexed(tmp_path, NAMED, real_embedder)
    q = (
        "Which company makes a robot that carries medicine between hospital wards, raised forty "
        "million crowns from investors, and will create hundreds of jobs at a new factory?"
    )

    def place(**options: object) -> int:
        titles = [h.article.title for h in with_options(app, **options).search(q, k=20)]
        return titles.index("Sorrel wins a new plant")

    without = place(feedback=False)
    assert without >= 5  # the other factory stories' wording wins
    strong = place(feedback_weight=1.0)  # searched again as "Fennick will create ..."
    assert strong <= without - 4
    assert place(feedback_weight=1.0, max_vectors=1) <= without - 4  # the same through the store
    assert strong <= place() < without  # the default weight lifts it too, less far
    # the second round keeps to the caller's filters like the first
    only = app.search(q, k=10, sources=["Northern Herald"])
    assert only and {h.article.source for h in only} == {"Northern Herald"}
    assert "Sorrel wins a new plant" in {h.article.title for h in only}
    app.close()


@pytest.mark.slow
def test_search_without_vectors_in_memory_uses_the_store(qa: NewsQA) -> None:
    q = "What did the Lakeside Gazette report about the harbour strike by the dockers?"
    small = with_options(qa, max_vectors=1)  # too large to keep: the store and SQLite answer
    hits = small.search(q, k=3)
    assert hits and hits[0].article.source == "Lakeside Gazette"
    assert [h.chunk_id for h in small.search(q, k=3, filters=None)] == [h.chunk_id for h in hits]


def test_query_terms_are_still_exported() -> None:
    from newsqa.retrieval.search import query_terms

    assert query_terms("The harbour's strike") == ["harbour's", "strike"]


def _whole(cache: Path) -> bool:
    """Whether every array of a cache file reads back."""
    import numpy as np

    with np.load(cache) as data:
        return all(data[name] is not None for name in data.files)


@pytest.mark.slow
def test_bm25_postings_are_cached_beside_the_catalog(
    qa: NewsQA, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pathlib import Path

    import numpy as np

    from newsqa.retrieval.lexical import CACHE_NAME, LexicalIndex, Stemmer
    from newsqa.retrieval.table import load_table
    from newsqa.retrieval.terms import query_terms

    catalog, store = qa.index.open()
    table = load_table(catalog, store, max_vectors=1_000_000)
    cache = Path(catalog.path).parent / CACHE_NAME
    cache.unlink(missing_ok=True)
    words = query_terms("dockers strike at the harbour")
    built = LexicalIndex(catalog, table.rids, Stemmer())
    assert cache.exists()

    def no_sqlite() -> None:
        raise AssertionError("the postings should come from the cache file")

    with monkeypatch.context() as m:
        m.setattr(catalog, "lexical_postings", no_sqlite)
        loaded = LexicalIndex(catalog, table.rids, Stemmer())
    assert np.array_equal(built.scores(words), loaded.scores(words))
    assert np.isfinite(built.scores(words)).any()
    # a broken cache file is ignored and written again
    cache.write_bytes(b"not a numpy file")
    again = LexicalIndex(catalog, table.rids, Stemmer())
    assert np.array_equal(built.scores(words), again.scores(words))
    assert cache.read_bytes()[:6] != b"not a "
    # so is one cut short (a copy or a disk that filled up partway): it raised BadZipFile
    whole = cache.read_bytes()
    cache.write_bytes(whole[: len(whole) // 2])
    cut = LexicalIndex(catalog, table.rids, Stemmer())
    assert np.array_equal(built.scores(words), cut.scores(words))
    assert _whole(cache)  # written again


def test_search_sees_an_edit_that_keeps_every_chunk_count(
    tmp_path: Path, counting: CountingEmbedder
) -> None:
    """Re-indexing an article in place, in the same second as the last update, can leave the
    catalog's chunk count and highest row id as they were: the cached BM25 postings must still
    notice the change."""
    settings = Settings(  # BM25 alone, so that the test sees the postings and nothing else
        corpus_dir=tmp_path / "one", index_dir=tmp_path / "one-index", retrieval="dense=0"
    )
    settings.corpus_dir.mkdir()

    def write(place: str) -> None:
        text = f"The keeper of the {place} lighthouse retired after forty years at the lamp."
        record = {
            "title": "Lighthouse keeper retires",
            "text": text,
            "source": "Coast Post",
            "url": "https://coast.example.com/keeper",
            "published": "2024-03-01",
        }
        other = {**record, "text": "Ferry fares rise in spring.", "url": "https://c.example/f"}
        lines = [json.dumps(other), json.dumps(record)]  # the edited article is indexed last
        (settings.corpus_dir / "news.jsonl").write_text("\n".join(lines) + "\n", "utf-8")

    write("Quillmoor")
    NewsQA(settings, embedder=counting).update()
    assert "Quillmoor" in NewsQA(settings, embedder=counting).search("Quillmoor", 1)[0].text
    write("Brantwick")
    second = NewsQA(settings, embedder=counting)  # a new process, as the CLI would be
    second.update()
    hits = second.search("Brantwick", 1)
    assert hits and hits[0].text.startswith("The keeper of the Brantwick")


def test_vectors_are_cached_beside_the_catalog(qa: NewsQA) -> None:
    """A new process's first search reads the vectors from the file beside the catalog and never
    opens the vector store (chromadb is not even imported for it)."""
    from newsqa.indexing.store import LazyStore
    from newsqa.retrieval.table import VECTORS_NAME

    question = "Who went on strike at the harbour?"
    expected = [h.chunk_id for h in qa.search(question, 5)]
    catalog, _store = qa.index.open()
    cache = Path(catalog.path).parent / VECTORS_NAME
    assert cache.exists()

    fresh = NewsQA(qa.settings, embedder=qa.index.embedder)
    assert [h.chunk_id for h in fresh.search(question, 5)] == expected
    _catalog, store = fresh.index.open()
    assert isinstance(store, LazyStore) and not store.opened
    fresh.close()

    cache.write_bytes(b"broken")  # ignored: the vectors come from the store and are saved again
    again = NewsQA(qa.settings, embedder=qa.index.embedder)
    assert [h.chunk_id for h in again.search(question, 5)] == expected
    assert again.index.open()[1].opened  # type: ignore[attr-defined]
    assert cache.read_bytes()[:6] != b"broken"
    again.close()
    # one cut short, or with bytes overwritten, too (every search failed with BadZipFile)
    whole = cache.read_bytes()
    middle = len(whole) // 2
    for damaged in (whole[:middle], whole[:middle] + b"x" * 200 + whole[middle + 200 :]):
        cache.write_bytes(damaged)
        mended = NewsQA(qa.settings, embedder=qa.index.embedder)
        assert [h.chunk_id for h in mended.search(question, 5)] == expected
        assert _whole(cache)  # written again
        mended.close()


def test_after_an_update_only_new_vectors_come_from_the_store(
    settings: Settings, counting: CountingEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The update brings the vector file up to date reading only the new chunks' vectors from
    the store; a search then reads none from it."""
    from newsqa.indexing.store import ChromaStore

    NewsQA(settings, embedder=counting).update()
    NewsQA(settings, embedder=counting).search("harbour strike", 3)
    added = settings.corpus_dir / "new.md"
    added.write_text(
        "# Tram line opens\n\nThe city's first tram line opened to riders on Sunday morning.",
        encoding="utf-8",
    )
    asked: list[str] = []
    real = ChromaStore.vectors

    def spy(self: ChromaStore, ids: list[str]) -> dict[str, object]:
        asked.extend(ids)
        return real(self, ids)

    monkeypatch.setattr(ChromaStore, "vectors", spy)
    qa = NewsQA(settings, embedder=counting)
    assert qa.update().chunks_embedded >= 1
    catalog, _ = qa.index.open()
    every = catalog.vector_ids()
    assert 0 < len(asked) < len(every)
    assert all("tram" in row.text for row in catalog.rows_for_vectors(asked).values())
    read_by_update = len(asked)
    hits = NewsQA(settings, embedder=counting).search("tram line opened", 1)
    assert hits and "tram line" in hits[0].text
    assert len(asked) == read_by_update  # the search read nothing from the store
    again = NewsQA(settings, embedder=counting).search("tram line opened", 1)
    assert [h.chunk_id for h in again] == [h.chunk_id for h in hits]
    assert len(asked) == len(set(asked))  # the second process read nothing from the store


def test_example_questions_name_outlets_as_a_reader_would() -> None:
    """A site's tagline or section is no part of an outlet's name in a question a user is
    offered ("What did Cnbc | World Business News Leader report …"); a well-known one is
    spelled as it spells itself."""
    from datetime import UTC, datetime

    from newsqa.retrieval.examples import example_questions
    from newsqa.retrieval.outlets import WELL_KNOWN, display_name
    from newsqa.types import ArticleRef

    assert display_name("Cnbc | World Business News Leader") == "CNBC"
    assert display_name("BBC News - Health") == "BBC News"
    assert display_name("Metro Ledger") == "Metro Ledger"
    assert all(" ".join(n.split()) == n for n in WELL_KNOWN)  # none broken across lines
    articles = [
        ArticleRef(
            id=f"a{i}",
            title=title,
            source=source,
            published=datetime(2023, 12, 25 - i, tzinfo=UTC),
        )
        for i, (title, source) in enumerate(
            [
                ("Ukraine's fight for territory grinds on", "Cnbc | World Business News Leader"),
                ("Harbour crane lifts record load", "Metro Ledger - Business"),
            ]
        )
    ]
    questions = example_questions(articles, 4)
    assert "What did CNBC report about “Ukraine's fight for territory grinds on”?" in questions
    assert "What did Metro Ledger report about “Harbour crane lifts record load”?" in questions


def test_the_word_index_after_an_update_is_made_from_the_one_before(
    settings: Settings, counting, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first search after every update read all the postings out of SQLite again (1.3 s at
    7.5k chunks, 4.6 s at 38k): they are now made from the cached ones and the changed rows',
    and equal those read afresh; also where a row id is used again for another text."""
    from newsqa.retrieval import lexical

    original = lexical._postings
    read_afresh: list[int] = []

    def counted(*args):  # type: ignore[no-untyped-def]
        read_afresh.append(1)
        return original(*args)

    monkeypatch.setattr(lexical, "_postings", counted)

    def new_story(name: str, title: str, text: str) -> None:
        (settings.corpus_dir / name).write_text(
            f"---\ntitle: {title}\nsource: Metro Ledger\npublished: 2024-03-02\n---\n\n{text}\n",
            encoding="utf-8",
        )

    qa = NewsQA(settings, embedder=counting)
    qa.update()
    qa.search("harbour")  # the postings read from SQLite, and cached
    assert read_afresh == [1]
    story = next(settings.corpus_dir.glob("*.md"))
    story.write_text(story.read_text(encoding="utf-8") + "\n\nA zeppelin moored there.\n")
    new_story("new.md", "Quarry reopens", "The old quarry reopened on Friday with a zeppelin show.")
    qa.update()
    for round_ in range(2):
        catalog, store = qa.index.open()
        table = qa.retriever._memory(catalog, store).table
        made = lexical.LexicalIndex(catalog, table.rids, lexical.Stemmer(), table.vector_ids)
        assert read_afresh == [1]  # made from the cache and the rows changed
        (catalog.path.parent / lexical.CACHE_NAME).unlink()
        fresh = lexical.LexicalIndex(catalog, table.rids, lexical.Stemmer(), table.vector_ids)
        assert read_afresh == [1, 1]
        read_afresh.pop()
        assert made._postings.keys() == fresh._postings.keys()
        for term, (rows, factor) in fresh._postings.items():
            assert made._postings[term][0].tolist() == rows.tolist(), term
            assert made._postings[term][1].tolist() == pytest.approx(factor.tolist()), term
        if round_ == 0:  # the newest rows removed, then others added: their row ids are used
            (settings.corpus_dir / "new.md").unlink()  # again, for another text
            qa.update()
            new_story("other.md", "Ferry strike", "Ferry crews walked out over a zeppelin tour.")
            qa.update()
    hits = qa.search("zeppelin tour ferry", k=1)
    assert hits[0].article.title == "Ferry strike"
