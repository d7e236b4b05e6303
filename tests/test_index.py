"""Building, updating and searching the index with the real model and a real embedded Chroma."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import weakref
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from conftest import CountingEmbedder, imported_after

from newsqa import NewsQA, Settings
from newsqa.indexing import (
    CorpusError,
    IncompatibleIndexError,
    IndexDamagedError,
    IndexMissingError,
)
from newsqa.indexing.layout import IndexLayout
from newsqa.indexing.store import StoreError, open_store
from newsqa.types import Article


def make_qa(settings: Settings, embedder: CountingEmbedder) -> NewsQA:
    return NewsQA(settings, embedder=embedder)


@pytest.mark.parametrize("batch_articles", [1, 200])
def test_update_builds_index_from_mixed_formats(
    settings: Settings, counting: CountingEmbedder, batch_articles: int
):
    qa = make_qa(settings, counting)
    # one article per batch: the syndicated copy is read (and indexed) before its original,
    # published earlier, which then takes its place
    qa.index.batch_articles = batch_articles
    report = qa.update()
    # 5 files: README ignored; harbour + its URL duplicate; 3 JSON records; 1 syndicated copy
    assert report.articles_read == 6
    assert report.articles_added == 5
    assert len(report.duplicates) == 1
    # same URL twice: the fuller text is indexed, the feed-sized copy reported
    assert report.duplicates[0][0].endswith("duplicate-of-harbour.md")
    assert len(report.syndicated) == 1 and report.syndicated[0][0].endswith("syndicated.jsonl:1")
    assert report.skipped == []
    stats = qa.stats()
    assert stats.articles == 4 and stats.syndicated_copies == 1
    assert stats.chunks == report.chunks_added
    # a later, longer duplicate or earlier-published copy redoes work done in an earlier batch
    assert counting.texts == report.chunks_embedded >= stats.chunks
    if batch_articles > 5:
        assert counting.texts == stats.chunks
    assert set(stats.outlets) == {
        "The Valdria Courier",
        "Alpine Wire",
        "Metro Ledger",
        "Northern Herald",
    }
    assert stats.earliest.startswith("2024-02-10") and stats.latest.startswith("2024-09-22")
    assert stats.build["embedding_model"] == "all-MiniLM-L6-v2"
    assert stats.build["chunk_size"] == "64"


def test_search_returns_typed_hits_with_metadata(settings: Settings, counting: CountingEmbedder):
    qa = make_qa(settings, counting)
    qa.update()
    hits = qa.search("How much did the avalanche repairs on the railway cost?", k=3)
    assert len(hits) == 3
    top = hits[0]
    assert top.article.title == "Glacier railway reopens after avalanche repairs"
    assert top.article.source == "Alpine Wire"
    assert top.article.author == "Jonas Eberle"
    assert top.article.url == "https://alpinewire.example.com/glacier-railway-reopens"
    assert top.article.published is not None and top.article.published.date() == date(2024, 2, 10)
    assert "48 million crowns" in " ".join(h.text for h in hits if h.article.id == top.article.id)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    # the syndicated copy is not a second hit, it is recorded on the original
    assert [c.source for c in top.also_published_by] == ["Northern Herald"]
    assert all(h.article.source != "Northern Herald" for h in hits)


def test_the_passages_text_is_kept_once_in_the_catalog(
    settings: Settings, counting: CountingEmbedder
):
    """Chroma holds the vectors (and a few facts beside them), not the passages' text: its
    copy of every passage, with the full-text index Chroma builds of it, took nearly half the
    index folder (253 of 544 MB at 38k chunks) and was never read."""
    qa = make_qa(settings, counting)
    qa.update()
    catalog, store = qa.index.open()
    ids = sorted(catalog.vector_ids())
    got = store._get()._collection.get(ids=ids, include=["documents", "metadatas"])  # type: ignore[attr-defined]
    assert len(got["ids"]) == len(ids) > 0
    assert not any(got["documents"])
    assert all(m["article_id"] and m["title"] for m in got["metadatas"])
    db = sqlite3.connect(next(settings.index_dir.glob("g*/chroma/chroma.sqlite3")))
    assert db.execute("SELECT COUNT(*) FROM embedding_fulltext_search").fetchone() == (0,)
    db.close()
    # and the search still quotes every passage, from the catalog
    hits = qa.search("How much did the avalanche repairs on the railway cost?", k=3)
    assert all(h.text for h in hits)


def test_search_filters_by_outlet_and_dates(settings: Settings, counting: CountingEmbedder):
    qa = make_qa(settings, counting)
    qa.update()
    q = "What did the council and the cooperative decide?"
    assert {h.article.source for h in qa.search(q, k=10, sources=["metro ledger"])} == {
        "Metro Ledger"
    }
    in_may = qa.search(q, k=10, since="2024-05-01", until="2024-05-31")
    assert {h.article.title for h in in_may} == {"City council approves night bus network"}
    until_day = qa.search(q, k=10, until=date(2024, 5, 15))  # a bare date covers the whole day
    assert "City council approves night bus network" in {h.article.title for h in until_day}
    # an outlet that only carried a syndicated copy still finds the story
    herald = qa.search("avalanche", k=5, sources=["Northern Herald"])
    assert herald and herald[0].article.source == "Alpine Wire"
    # a filter that can never match is an error, not an empty result
    with pytest.raises(ValueError, match=r"No outlet 'Metro Leger'.*did you mean 'Metro Ledger'"):
        qa.search(q, k=5, sources=["Metro Leger"])
    with pytest.raises(ValueError, match=r"No outlet 'metro'.*did you mean 'Metro Ledger'"):
        qa.search(q, k=5, sources=["metro"])
    assert qa.search(q, k=5, sources="the metro ledger") == qa.search(  # one name, not letters
        q, k=5, sources=["Metro Ledger"]
    )
    with pytest.raises(ValueError, match="since 2024-06-01 is after until 2024-05-01"):
        qa.search(q, since="2024-06-01", until="2024-05-01")
    with pytest.raises(ValueError, match="k must be at least 1"):
        qa.search(q, k=0)
    # a month, in ISO or in words, covers the whole month at either end
    assert qa.search(q, k=10, since="2024-05", until="May 2024") == in_may
    with pytest.raises(ValueError, match="Not a date"):
        qa.search(q, since="someday")
    with pytest.raises(ValueError, match="there is no month 13"):
        qa.search(q, since="2024-13")
    assert qa.search(q, k=10, since=2024, until="2024") == qa.search(q, k=10)  # years


def test_a_date_filter_reads_each_article_s_own_day(tmp_path: Path, counting: CountingEmbedder):
    """An article is filtered by the day it shows (its own zone's), not by the UTC day: late
    evening in New York is the next day in UTC, morning in Tokyo the day before."""
    corpus = tmp_path / "zones"
    corpus.mkdir()
    (corpus / "zones.json").write_text(
        json.dumps(
            [
                {
                    "title": "Late vote in Springfield",
                    "source": "Springfield Daily",
                    "published": "2023-11-30T23:30:00-05:00",
                    "text": "The fictional Springfield council voted late at night on the ferry.",
                },
                {
                    "title": "Morning market in Tokyo",
                    "source": "Tokyo Wire",
                    "published": "2023-12-01T08:00:00+09:00",
                    "text": "The fictional Tokyo fish market opened early with ferry deliveries.",
                },
            ]
        ),
        encoding="utf-8",
    )
    qa = NewsQA(Settings(corpus_dir=corpus, index_dir=tmp_path / "zi"), embedder=counting)
    qa.update()

    def titles(**filters: str) -> set[str]:
        return {h.article.title for h in qa.search("ferry", k=5, **filters)}

    assert titles(until="2023-11-30") == {"Late vote in Springfield"}
    assert titles(since="2023-12-01") == {"Morning market in Tokyo"}
    assert titles(since="2023-11-30", until="2023-11-30") == {"Late vote in Springfield"}
    # a moment with a zone is a moment: 04:30 UTC on 1 Dec is after both
    assert titles(since="2023-12-01T04:00:00+00:00") == {"Late vote in Springfield"}


def test_update_embeds_only_what_changed(
    settings: Settings, counting: CountingEmbedder, corpus_dir: Path
):
    qa = make_qa(settings, counting)
    first = qa.update()
    counting.texts = 0
    again = qa.update()
    assert counting.texts == 0 and again.chunks_embedded == 0
    assert again.articles_unchanged == 5 and again.chunks_added == again.chunks_removed == 0

    # change the last paragraph of one article: only its last chunk(s) are embedded again
    path = corpus_dir / "valdria-harbour.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("double the port's", "triple the port's"), "utf-8")
    changed = qa.update()
    assert changed.articles_changed == 1 and changed.articles_unchanged == 4
    assert 1 <= changed.chunks_embedded <= 2
    assert counting.texts == changed.chunks_embedded
    # "unchanged": every chunk the index still holds that the update did not add
    assert changed.chunks_unchanged == qa.stats().chunks - changed.chunks_added > 2
    hits = qa.search("How much will the port traffic grow?", k=3)
    assert any("triple the port's" in h.text for h in hits)
    assert not any("double the port's" in h.text for h in hits)

    # remove a file: its articles and chunks go
    (corpus_dir / "wire.json").unlink()
    removed = qa.update()
    assert removed.articles_removed == 3  # plum, council, and the railway original
    assert removed.chunks_embedded > 0  # the syndicated copy now stands on its own
    stats = qa.stats()
    assert stats.articles == 2 and stats.syndicated_copies == 0
    assert set(stats.outlets) == {"The Valdria Courier", "Northern Herald"}
    assert qa.search("plum harvest", k=5)[0].article.title != (
        "Orchard cooperative reports record plum harvest"
    )
    assert stats.chunks == qa.index.open()[1].count()  # nothing orphaned in Chroma
    assert first.chunks_added > stats.chunks


def test_an_update_with_nothing_to_do_opens_neither_model_nor_store(
    settings: Settings, counting: CountingEmbedder
):
    make_qa(settings, counting).update()
    code = (
        "from pathlib import Path; from newsqa import NewsQA, Settings;"
        f"r = NewsQA(Settings(corpus_dir=Path({str(settings.corpus_dir)!r}),"
        f" index_dir=Path({str(settings.index_dir)!r}), chunk_size=64, chunk_overlap=8)).update();"
        "assert r.articles_unchanged == 5 and r.chunks_embedded == 0, r"
    )
    heavy = ["torch", "chromadb", "sentence_transformers"]
    assert imported_after(code, heavy) == []


def test_broken_file_is_skipped_and_loses_nothing(
    settings: Settings, counting: CountingEmbedder, corpus_dir: Path
):
    qa = make_qa(settings, counting)
    qa.update()
    before = qa.stats()
    (corpus_dir / "wire.json").write_text('[{"title": "oops", "body": ', "utf-8")
    (corpus_dir / "binary.txt").write_bytes(b"\x00\x01\x02 binary")
    (corpus_dir / "empty.md").write_text("   \n", "utf-8")
    report = qa.update()
    reasons = {Path(s.origin).name: s.reason for s in report.skipped}
    assert set(reasons) == {"wire.json", "binary.txt", "empty.md"}
    assert "JSON" in reasons["wire.json"]
    # the articles of the file that failed to read this time are kept, not deleted
    assert report.articles_removed == 0
    after = qa.stats()
    assert (after.articles, after.chunks) == (before.articles, before.chunks)
    assert qa.search("plum harvest", k=1)[0].article.title.startswith("Orchard cooperative")


def test_articles_of_a_renamed_file_or_a_missing_drive_are_kept_when_they_fail_to_read(
    settings: Settings, counting: CountingEmbedder, corpus_dir: Path, tmp_path: Path
):
    drive = tmp_path / "drive" / "archive"
    drive.mkdir(parents=True)
    (corpus_dir / "valdria-harbour.md").rename(drive / "valdria-harbour.md")
    (corpus_dir / "archive").symlink_to(drive, target_is_directory=True)
    qa = make_qa(settings, counting)
    qa.update()
    before = qa.stats()

    # renamed: read from its new name, unchanged; then that file breaks
    (corpus_dir / "wire.json").rename(corpus_dir / "wire-renamed.json")
    assert qa.update().articles_unchanged == 5
    (corpus_dir / "wire-renamed.json").write_text('[{"title": "oops", "body": ', "utf-8")
    # a record of a JSON Lines file moves down a line (one inserted above it), then breaks
    lines = (corpus_dir / "syndicated.jsonl").read_text("utf-8").splitlines()
    extra = '{"title": "Ferry timetable", "source": "Northern Herald", "body": "The fictional '
    extra += 'Valdria ferry runs every hour from Monday, the harbour office said on Friday."}'
    (corpus_dir / "syndicated.jsonl").write_text(f"{extra}\n{lines[0][:40]}\n", "utf-8")
    # the drive holding a folder of the corpus is not mounted
    drive.rename(tmp_path / "drive" / "elsewhere")
    report = qa.update()

    reasons = {s.origin.removeprefix(f"{corpus_dir}/"): s.reason for s in report.skipped}
    assert reasons["archive"] == "no such file (or a broken symbolic link)"
    assert "JSON" in reasons["wire-renamed.json"] and "syndicated.jsonl:2" in reasons
    assert (report.articles_added, report.articles_removed) == (1, 0)
    assert qa.stats().articles == before.articles + 1
    hit = qa.search("automated container terminal", k=1)[0]
    assert hit.article.title == "Valdria harbour opens automated container terminal"
    assert qa.search("plum harvest", k=1)[0].article.title.startswith("Orchard cooperative")


def test_a_record_without_text_does_not_keep_deleted_articles_of_its_file(
    tmp_path: Path, counting: CountingEmbedder
):
    """A record read and found empty is no article, not a read failure: the articles deleted
    from its file are removed (a broken record keeps its file's articles; see above)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    stories = [
        {
            "title": f"Story {w}",
            "source": "Quenby Post",
            "body": f"The {w} zoo opened a new "
            f"enclosure for its {w} lions on Friday, the keepers said, after two years of work.",
        }
        for w in ("north", "south")
    ]
    wire = corpus / "wire.json"
    wire.write_text(json.dumps([*stories, {"title": "Empty", "body": ""}]), "utf-8")
    qa = make_qa(Settings(corpus_dir=corpus, index_dir=tmp_path / "index"), counting)
    assert qa.update().articles_added == 2
    wire.write_text(json.dumps([stories[0], {"title": "Empty", "body": ""}]), "utf-8")
    report = qa.update()
    assert report.articles_removed == 1 and qa.stats().articles == 1
    assert {h.article.title for h in qa.search("lions zoo enclosure", k=5)} == {"Story north"}


def test_a_rebuild_counts_the_articles_of_a_file_it_cannot_read_as_removed(
    settings: Settings, corpus_dir: Path, counting: CountingEmbedder
):
    """An update keeps the articles of a file that fails to read; a rebuild keeps only what it
    reads, and says how many it dropped instead of "removed 0"."""
    qa = make_qa(settings, counting)
    qa.update()
    before = qa.stats().articles
    with open(corpus_dir / "wire.json", "ab") as f:
        f.write(b"\xe9")  # no longer UTF-8
    assert qa.update().articles_removed == 0 and qa.stats().articles == before
    report = qa.rebuild()
    assert any(s.origin.endswith("wire.json") for s in report.skipped)
    # its three records are gone; the syndicated copy of one of them is an article now
    assert report.articles_removed == 3 and qa.stats().articles == before - 3 + 1


def test_a_future_date_is_not_the_collection_s_today(tmp_path: Path, counting: CountingEmbedder):
    """An article dated in the future (a typo: 2032 for 2023) does not become the day that
    "this week" is read against."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for day, what in (("2023-11-10", "ferry"), ("2032-11-12", "bridge")):
        (corpus / f"{what}.md").write_text(
            f"---\ntitle: The {what} reopens\nsource: Quenby Post\npublished: {day}\n---\n\n"
            f"The fictional Quenby {what} reopened on Monday after two months of repairs, the "
            "town council said.\n",
            encoding="utf-8",
        )
    (corpus / "pier.md").write_text(
        "---\ntitle: The pier reopens\nsource: Quenby Post\npublished: 2024-13-01\n---\n\n"
        "The fictional Quenby pier reopened on Monday after a winter of repairs, the council "
        "said.\n",
        encoding="utf-8",
    )
    qa = make_qa(Settings(corpus_dir=corpus, index_dir=tmp_path / "index"), counting)
    report = qa.update()
    # both indexed, and the update says what to check (a date it could not read, one to come)
    assert report.articles_added == 3 and report.skipped == []
    assert {Path(w.origin).name: w.reason for w in report.warnings} == {
        "bridge.md": "dated in the future (2032-11-12): a typo?",
        "pier.md": "date '2024-13-01' not understood: indexed without a date",
    }
    assert qa.retriever.absent("in March 2019").span == (date(2023, 11, 10), date(2023, 11, 10))
    this_week = qa.search("What reopened this week?", k=3)  # the week of 10 Nov 2023
    assert this_week[0].article.title == "The ferry reopens"
    # nor is it the newest news
    assert qa.search("What's new?", k=3)[0].article.title == "The ferry reopens"
    assert qa.ask("What is the latest on the Quenby reopenings?").citations[0].article.title == (
        "The ferry reopens"
    )
    # nor the end of the dates the index spans
    assert qa.stats().latest.startswith("2023-11-10")


def test_the_same_text_from_another_outlet_is_a_syndicated_copy(
    tmp_path: Path, counting: CountingEmbedder
):
    """Without URLs, two outlets' identical text has one id: the second is kept as the first's
    syndicated copy (found by a filter for its outlet), not dropped as a duplicate."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    body = " ".join(
        f"The Quenby fire service said the blaze at paper mill number {i} was under control after "
        f"{i + 3} hours, and that the crews from station {i} had gone home."
        for i in range(8)
    )
    for outlet, name in (("Quenby Post", "post.txt"), ("Derwent Echo", "echo.txt")):
        (corpus / name).write_text(f"Fires at Rowsley mills\n\n{body}\n\nSource: {outlet}\n")
    qa = make_qa(Settings(corpus_dir=corpus, index_dir=tmp_path / "index"), counting)
    report = qa.update()
    assert report.duplicates == [] and len(report.syndicated) == 1
    for outlet in ("Quenby Post", "Derwent Echo"):
        hit = qa.search("Rowsley paper mill fire", k=1, sources=[outlet])[0]
        assert outlet in {hit.article.source, *(c.source for c in hit.also_published_by)}
    again = qa.update()
    assert (again.articles_unchanged, again.chunks_embedded, again.duplicates) == (2, 0, [])


def test_a_short_brief_carried_word_for_word_by_another_outlet_is_a_copy(
    tmp_path: Path, counting: CountingEmbedder
):
    """Too short for a near-copy signature, a wire brief under two URLs was indexed twice; the
    very same words are a copy, a brief that differs is not."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    brief = (
        "The fictional Quenby council closed the Rowsley footbridge on Tuesday after engineers "
        "found cracks in two of its supports."
    )
    records = [
        {
            "title": "Footbridge closed",
            "source": s,
            "url": f"https://{s.lower()}.example/bridge",
            "published": "2024-03-05",
            "text": brief,
        }
        for s in ("Post", "Echo")
    ]
    records.append(
        {
            "title": "Footbridge closed",
            "source": "Gazette",
            "url": "https://gazette.example/b",
            "published": "2024-03-05",
            "text": brief.replace("two of its", "three of its"),
        }
    )
    (corpus / "briefs.json").write_text(json.dumps(records), encoding="utf-8")
    qa = make_qa(Settings(corpus_dir=corpus, index_dir=tmp_path / "i"), counting)
    report = qa.update()
    assert [o.rsplit("#", 1)[1] for o, _ in report.syndicated] == ["1"]
    assert (qa.stats().articles, qa.stats().syndicated_copies) == (2, 1)


def test_a_copy_whose_original_is_rewritten_becomes_an_article_again(
    settings: Settings, counting: CountingEmbedder, corpus_dir: Path
):
    qa = make_qa(settings, counting)
    qa.update()
    wire = corpus_dir / "wire.json"
    records = json.loads(wire.read_text("utf-8"))
    glacier = next(r for r in records if "Glacier" in r["title"])
    glacier["title"] = "Wire retracts glacier story"
    glacier["body"] = (
        "The Alpine Wire withdrew an earlier report. The Quarrington bakery won a prize for its "
        "rye bread at the county show on Sunday, beating 80 other bakers."
    )
    wire.write_text(json.dumps(records), "utf-8")
    report = qa.update()
    assert report.articles_changed == 1 and qa.stats().syndicated_copies == 0
    hit = qa.search("Glacier railway reopened after avalanche repairs", k=1)[0]
    assert (hit.article.source, hit.also_published_by) == ("Northern Herald", ())
    # as a rebuild of the same files has it
    counts = lambda: (qa.stats().articles, qa.stats().syndicated_copies, qa.stats().chunks)  # noqa: E731
    updated = counts()
    qa.rebuild()
    assert counts() == updated


def test_an_original_that_comes_back_is_the_original_again(
    settings: Settings, counting: CountingEmbedder, corpus_dir: Path, tmp_path: Path
):
    """The Alpine Wire's glacier story (08:00) is the original of the Northern Herald's copy
    (11:20). Its file removed, the copy stands alone; the file back, the earlier-published
    story is the original again, as a rebuild makes it."""
    qa = make_qa(settings, counting)
    qa.update()

    def glacier() -> tuple[str, tuple[str, ...]]:
        hit = qa.search("Glacier railway reopens after avalanche repairs", k=1)[0]
        return hit.article.source, tuple(c.source for c in hit.also_published_by)

    assert glacier() == ("Alpine Wire", ("Northern Herald",))
    (corpus_dir / "wire.json").rename(tmp_path / "wire.json")
    qa.update()
    assert glacier() == ("Northern Herald", ())
    (tmp_path / "wire.json").rename(corpus_dir / "wire.json")
    qa.update()
    assert glacier() == ("Alpine Wire", ("Northern Herald",))
    qa.rebuild()
    assert glacier() == ("Alpine Wire", ("Northern Herald",))


def test_a_missing_or_emptied_corpus_leaves_the_index_as_it_was(
    settings: Settings, counting: CountingEmbedder, corpus_dir: Path, tmp_path: Path
):
    qa = make_qa(settings, counting)
    qa.update()
    before = qa.stats()
    layout = IndexLayout(settings.index_dir)
    live = layout.current()
    embedded = counting.texts

    def unchanged() -> None:
        nonlocal embedded
        assert counting.texts == embedded  # nothing embedded by the refused run
        after = qa.stats()
        assert (after.articles, after.chunks) == (before.articles, before.chunks)
        assert after.articles == 4
        assert layout.current() == live
        assert [p.name for p in settings.index_dir.iterdir() if p.is_dir()] == [live]
        assert qa.search("plum harvest", k=1)[0].article.title.startswith("Orchard cooperative")
        embedded = counting.texts  # the question's vector

    # a typo, or a page started from another working directory: refused before anything is read
    typo = make_qa(settings.replace(corpus_dir=tmp_path / "corpsu"), counting)
    for build in (typo.update, typo.rebuild):
        with pytest.raises(CorpusError, match=r"No such file or folder: .*corpsu\. The index"):
            build()
        unchanged()
    with pytest.raises(CorpusError, match="No such file or folder"):
        qa.update([corpus_dir, tmp_path / "elsewhere"])  # one good path does not make it right
    unchanged()

    # a folder emptied by mistake (or a drive not mounted): read, then refused before removing
    (tmp_path / "away").mkdir()
    for path in corpus_dir.iterdir():
        path.rename(tmp_path / "away" / path.name)
    (corpus_dir / "broken.json").write_text("{not json", encoding="utf-8")
    for build in (qa.update, qa.rebuild):
        with pytest.raises(
            CorpusError, match=r"No article was read \(skipped .*broken\.json: malformed JSON"
        ) as err:
            build()
        assert "keeps its 4 articles" in str(err.value)
        assert str(settings.index_dir) in str(err.value)  # what to delete to empty it on purpose
        unchanged()

    # the articles back: an ordinary update, nothing to do
    (corpus_dir / "broken.json").unlink()
    for path in (tmp_path / "away").iterdir():
        path.rename(corpus_dir / path.name)
    report = qa.update()
    assert (report.articles_added, report.articles_removed, report.chunks_embedded) == (0, 0, 0)
    unchanged()


def test_an_empty_corpus_builds_an_empty_index(tmp_path: Path, counting: CountingEmbedder):
    empty = tmp_path / "empty"
    empty.mkdir()
    qa = make_qa(Settings(corpus_dir=empty, index_dir=tmp_path / "index"), counting)
    assert qa.update().articles_read == 0  # nothing to lose: no refusal
    assert qa.stats().exists and qa.stats().articles == 0


def test_interrupted_rebuild_leaves_old_index_usable(
    settings: Settings, real_embedder, corpus_dir: Path
):
    qa = make_qa(settings, CountingEmbedder(real_embedder))
    qa.update()
    layout = IndexLayout(settings.index_dir)
    live = layout.current()
    (corpus_dir / "wire.json").unlink()
    crashing = NewsQA(
        settings.replace(commit_chunks=4),
        embedder=CountingEmbedder(real_embedder, fail_after_calls=1),
    )
    with pytest.raises(KeyboardInterrupt):
        crashing.rebuild()
    assert layout.current() == live
    # its half-built generation is gone at once (Ctrl-C, an error)
    assert [p.name for p in settings.index_dir.iterdir() if p.is_dir()] == [live]
    survivor = NewsQA(settings, embedder=CountingEmbedder(real_embedder))
    assert survivor.stats().articles == 4
    assert survivor.search("plum harvest", k=1)[0].article.source == "Alpine Wire"
    # one a killed process left (no chance to clean up) goes at the next update
    killed = layout.new_generation()
    assert (settings.index_dir / killed).is_dir()
    survivor.update()
    assert not (settings.index_dir / killed).exists() and layout.current() == live
    # the next rebuild clears the half-built generation and switches over
    report = survivor.rebuild()
    assert report.articles_added == 2
    assert layout.current() != live
    assert [p.name for p in settings.index_dir.iterdir() if p.is_dir()] == [layout.current()]
    assert survivor.stats().articles == 2


def _kill_as_its_catalog_appears(settings: Settings) -> str:
    """Start `newsqa index rebuild` and `kill -9` it the moment its new catalog file appears;
    the generation it leaves."""
    layout = IndexLayout(settings.index_dir)
    before = {p.name for p in settings.index_dir.iterdir()}
    env = {
        **os.environ,
        "NEWSQA_CORPUS": str(settings.corpus_dir),
        "NEWSQA_INDEX": str(settings.index_dir),
        "NEWSQA_CHUNK_SIZE": str(settings.chunk_size),
        "NEWSQA_CHUNK_OVERLAP": str(settings.chunk_overlap),
    }
    newsqa = str(Path(sys.executable).with_name("newsqa"))
    rebuild = subprocess.Popen([newsqa, "index", "rebuild"], env=env, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and rebuild.poll() is None:
        new = [g for g in settings.index_dir.glob("g*") if g.name not in before]
        if new and layout.catalog_path(new[0].name).exists():
            break
    rebuild.kill()
    rebuild.wait()
    (left,) = (g.name for g in settings.index_dir.glob("g*") if g.name not in before)
    return left


def _with_hot_journal(catalog: Path) -> None:
    """Leave `catalog` as a writer killed in the middle of a transaction leaves it: its rollback
    journal beside it, which only a writer may roll back (a reader that may not write fails
    with "attempt to write a readonly database")."""
    scratch = catalog.with_name("scratch.sqlite")
    db = sqlite3.connect(scratch, isolation_level=None)
    db.execute("PRAGMA journal_mode=DELETE")
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    db.execute("PRAGMA cache_size=1")  # so that the transaction below spills to the file
    db.execute("BEGIN")
    db.execute("CREATE TABLE chunks (text BLOB)")
    db.executemany("INSERT INTO chunks VALUES (randomblob(4000))", [()] * 200)
    shutil.copy(scratch, catalog)
    shutil.copy(
        scratch.with_name(scratch.name + "-journal"), catalog.with_name(catalog.name + "-journal")
    )
    db.execute("ROLLBACK")
    db.close()
    scratch.unlink()


@pytest.mark.parametrize(
    "left", ["schema missing", "not a database", "killed for real", "hot journal"]
)
def test_a_generation_killed_as_its_catalog_was_created_is_cleared(
    settings: Settings, counting: CountingEmbedder, left: str
):
    """A rebuild (or a first build) killed just after creating its catalog leaves a folder
    whose catalog has no tables yet (`kill -9` at the right moment does it): every later
    update and rebuild failed on it with "no such table: meta", for good."""
    qa = make_qa(settings, counting)
    read = qa.update().articles_read
    layout = IndexLayout(settings.index_dir)
    live = layout.current()
    for attempt in ("update", "rebuild"):
        killed = layout.new_generation()
        catalog = layout.catalog_path(killed)
        if left == "killed for real":  # (most often with no table yet)
            layout.remove_generation(killed)
            killed = _kill_as_its_catalog_appears(settings)
        elif left == "hot journal":  # killed while it wrote (read-only: "attempt to write …")
            _with_hot_journal(catalog)
        elif left == "schema missing":  # as SQLite leaves it before the first table is written
            sqlite3.connect(catalog).execute("PRAGMA journal_mode=WAL").fetchall()
        else:
            catalog.write_bytes(b"\0" * 100)
        report = getattr(NewsQA(settings, embedder=counting), attempt)()
        assert report.articles_read == read
        assert not (settings.index_dir / killed).exists()
    assert layout.current() != live  # the rebuild went through
    assert [p.name for p in settings.index_dir.iterdir() if p.is_dir()] == [layout.current()]
    # a first build killed so (before `CURRENT` was written) is cleared by the next one
    fresh = settings.replace(index_dir=settings.index_dir.parent / "fresh")
    first = IndexLayout(fresh.index_dir).new_generation()
    sqlite3.connect(IndexLayout(fresh.index_dir).catalog_path(first)).execute(
        "PRAGMA journal_mode=WAL"
    ).fetchall()
    assert NewsQA(fresh, embedder=counting).update().articles_read == read
    assert not (fresh.index_dir / first).exists()


@pytest.mark.parametrize("damage", ["cut short", "overwritten"])
def test_a_damaged_catalog_is_named_and_a_rebuild_replaces_it(
    settings: Settings, counting: CountingEmbedder, damage: str
):
    """A catalog cut short or overwritten (a disk error, a bad copy): each command said only
    "Could not use the index or the corpus: database disk image is malformed" (`index stats`
    with a traceback), and `newsqa index rebuild` failed the same way, leaving no way out but
    deleting the folder."""
    from typer.testing import CliRunner

    from newsqa import IndexDamagedError
    from newsqa.cli import app

    qa = make_qa(settings, counting)
    read = qa.update().articles_read
    articles = qa.stats().articles
    qa.close()
    layout = IndexLayout(settings.index_dir)
    catalog = layout.catalog_path(layout.current() or "")
    whole = catalog.read_bytes()
    for side in catalog.parent.glob("catalog.sqlite-*"):  # (closed: all in the file)
        side.unlink()
    if damage == "cut short":
        catalog.write_bytes(whole[: len(whole) // 3])
    else:
        catalog.write_bytes(b"\x07" * 4096 + whole[4096:])
    said = rf"catalog {catalog} is damaged .*newsqa index rebuild"
    broken = make_qa(settings, counting)
    with pytest.raises(IndexDamagedError, match=said):
        broken.stats()
    with pytest.raises(IndexDamagedError, match=said):
        broken.search("harbour")
    with pytest.raises(IndexDamagedError, match=said):
        broken.articles()
    with pytest.raises(IndexDamagedError, match=said):
        broken.update()
    args = ["--index", str(settings.index_dir), "index", "stats"]
    shown = CliRunner().invoke(app, args, env={"COLUMNS": "400"})
    assert shown.exit_code == 1 and "is damaged" in shown.output
    assert not isinstance(shown.exception, Exception)  # said, not raised
    report = broken.rebuild()
    assert report.articles_read == read and broken.stats().articles == articles
    assert broken.search("harbour", k=1)
    assert [p.name for p in settings.index_dir.iterdir() if p.is_dir()] == [layout.current()]


@pytest.mark.parametrize("lost", ["deleted", "overwritten", "naming a folder gone"])
def test_an_index_whose_current_file_is_lost_is_kept(
    settings: Settings, counting: CountingEmbedder, lost: str
):
    """`CURRENT` deleted or overwritten (a cleanup, a bad copy): the index was "not built yet",
    and the next update deleted its generation as a leftover and embedded everything again."""
    qa = make_qa(settings, counting)
    qa.update()
    articles = qa.stats().articles
    qa.close()
    layout = IndexLayout(settings.index_dir)
    live = layout.current() or ""
    if lost == "deleted":
        layout.current_file.unlink()
    else:
        layout.current_file.write_text("\x00garbage" if lost == "overwritten" else "g1-gone\n")
    kept = make_qa(settings, counting)
    assert kept.stats().articles == articles and kept.search("harbour", k=1)
    counting.texts = 0
    assert kept.update().articles_added == 0 and counting.texts == 0
    assert layout.current_file.read_text().strip() == live  # written again
    # two generations holding articles: which one was live is not guessed, nor either dropped
    other = settings.index_dir / "g20990101-000000-abcdef"
    shutil.copytree(settings.index_dir / live, other)
    layout.current_file.unlink()
    said = "CURRENT does not name the live index among"
    with pytest.raises(IndexMissingError, match=said):
        make_qa(settings, counting).search("harbour")
    with pytest.raises(IndexDamagedError, match=said):
        make_qa(settings, counting).update()
    assert (settings.index_dir / live).is_dir() and other.is_dir()


def test_interrupted_first_build_resumes_without_reembedding(
    settings: Settings, real_embedder, corpus_dir: Path
):
    small_batches = settings.replace(commit_chunks=4)
    crashing = CountingEmbedder(real_embedder, fail_after_calls=2)
    with pytest.raises(KeyboardInterrupt):
        NewsQA(small_batches, embedder=crashing).update()
    partial = NewsQA(small_batches, embedder=CountingEmbedder(real_embedder))
    done_before = partial.stats().chunks
    assert done_before > 0  # committed batches are live and searchable
    assert partial.search("container terminal", k=1)
    resumed = CountingEmbedder(real_embedder)
    report = NewsQA(small_batches, embedder=resumed).update()
    total = NewsQA(small_batches, embedder=resumed).stats().chunks
    assert resumed.texts == total - done_before  # nothing embedded twice
    assert report.articles_added + report.articles_unchanged == 5


def test_incompatible_settings_are_refused(settings: Settings, counting: CountingEmbedder):
    make_qa(settings, counting).update()
    other = NewsQA(settings.replace(chunk_size=128), embedder=counting)
    with pytest.raises(IncompatibleIndexError, match="newsqa index rebuild"):
        other.update()
    with pytest.raises(IncompatibleIndexError, match="chunk_size"):
        other.search("harbour")
    # a rebuild with the new settings is the way out
    other.rebuild()
    assert other.search("harbour", k=1)[0].article.source == "The Valdria Courier"


def test_search_without_index_says_how_to_build(settings: Settings, counting: CountingEmbedder):
    qa = make_qa(settings, counting)
    assert qa.stats().exists is False
    with pytest.raises(IndexMissingError, match="newsqa index update"):
        qa.search("anything")


def test_catalog_and_chroma_stay_in_step(settings: Settings, counting: CountingEmbedder):
    qa = make_qa(settings, counting)
    qa.update()
    catalog, store = qa.index.open()
    assert catalog.vector_ids() == store.all_ids()
    layout = IndexLayout(settings.index_dir)
    db = sqlite3.connect(layout.catalog_path(layout.current() or ""))
    (fts,) = db.execute("SELECT COUNT(*) FROM chunks_fts").fetchone()
    assert fts == store.count()
    meta = dict(db.execute("SELECT key, value FROM meta"))
    assert json.loads(json.dumps(meta))["tokenizer"] == "cl100k_base"


@pytest.mark.parametrize("lost", ["its folder", "some vectors", "its database cut short"])
def test_vectors_the_embedded_store_lost_are_embedded_again_by_the_next_update(
    settings: Settings, counting: CountingEmbedder, lost: str
) -> None:
    """A search that finds vectors missing from the store says "`newsqa index update` embeds
    them again"; for an index in its own folder (no Chroma server) the update did nothing, and
    searches stayed by words alone until a rebuild."""
    make_qa(settings, counting).update()
    layout = IndexLayout(settings.index_dir)
    folder = layout.generation_dir(layout.current() or "")
    qa = make_qa(settings, counting)
    catalog, store = qa.index.open()
    ids = sorted(catalog.vector_ids())
    if lost == "its folder":
        qa.close()
        shutil.rmtree(layout.chroma_path(folder.name))
        gone = len(ids)
    elif lost == "some vectors":
        store.delete(ids[:3])
        qa.close()
        gone = 3
        (folder / "dense-vectors.npz").unlink()
        assert make_qa(settings, counting).search("harbour")  # (says it: words only for 3)
    else:  # Chroma's own SQLite file: every search failed, and no update mended it
        qa.close()
        chroma = layout.chroma_path(folder.name) / "chroma.sqlite3"
        chroma.write_bytes(chroma.read_bytes()[:50_000])
        (folder / "dense-vectors.npz").unlink()
        gone = len(ids)
        with pytest.raises(StoreError, match="damaged: `newsqa index update` embeds"):
            make_qa(settings, counting).search("harbour")
    (folder / "dense-vectors.npz").unlink(missing_ok=True)
    counting.texts = 0
    report = make_qa(settings, counting).update()
    assert report.chunks_restored == gone and counting.texts == gone
    mended = make_qa(settings, counting)
    catalog, store = mended.index.open()
    assert catalog.vector_ids() == store.all_ids()
    mended.close()
    assert make_qa(settings, counting).update().chunks_embedded == 0


class _LiveArticles:
    """Distinct generated articles, counting how many are alive (referenced) at once."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.alive = 0
        self.most_alive = 0

    def _gone(self) -> None:
        self.alive -= 1

    def __iter__(self) -> Iterator[Article]:
        start = datetime(2024, 1, 1, tzinfo=UTC)
        for i in range(self.n):
            article = Article(
                title=f"Story number {i}",
                text=f"Report {i}. " + " ".join(f"word{i}x{j}" for j in range(120)),
                source="Test Wire",
                published=start + timedelta(days=i),
                url=f"https://wire.example.com/{i}",
                origin=f"generated:{i}",
            )
            self.alive += 1
            self.most_alive = max(self.most_alive, self.alive)
            weakref.finalize(article, self._gone)
            yield article
            del article


def test_the_vector_file_is_filled_from_the_store_a_few_thousand_at_a_time(
    settings: Settings, counting: CountingEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file of vectors beside the catalog is made at the end of a build from the store's
    vectors: read all at once into one array per id, they were held twice over (at 38k chunks,
    ~120 MB more at the build's end); now a few thousand at a time straight into the matrix.
    After an update, the rows the file has are moved by position, none read from the store."""
    from newsqa.retrieval import table

    monkeypatch.setattr(table, "_STORE_STEP", 3, raising=False)
    qa = make_qa(settings, counting)
    qa.update()
    catalog, store = qa.index.open()
    ids = [f[1] for f in catalog.chunk_facets()]
    path = Path(catalog.path).parent / table.VECTORS_NAME
    path.unlink()
    asked: list[int] = []

    class Recording:
        """The real store, the ids of each read counted."""

        def vectors(self, wanted: list[str]) -> dict[str, np.ndarray]:
            asked.append(len(wanted))
            return store.vectors(wanted)

    matrix = table._cached_vectors(path, Recording(), ids)  # type: ignore[arg-type]
    assert matrix is not None and len(ids) > 6
    assert max(asked) == 3 and sum(asked) == len(ids)
    stored = store.vectors(ids)
    assert all(np.array_equal(matrix[i], stored[v]) for i, v in enumerate(ids))
    asked.clear()
    fewer = ids[::-1][1:]  # another order, one gone
    again = table._cached_vectors(path, Recording(), fewer)  # type: ignore[arg-type]
    assert asked == [] and again is not None
    assert all(np.array_equal(again[i], stored[v]) for i, v in enumerate(fewer))
    qa.close()


def test_build_holds_a_bounded_number_of_articles(settings: Settings, counting: CountingEmbedder):
    qa = make_qa(settings, counting)
    qa.index.batch_articles = 4
    articles = _LiveArticles(30)
    report = qa.index.update(articles)
    assert report.articles_added == 30 and counting.calls >= 30 // 4
    assert articles.most_alive <= 4 + 1  # one batch, plus the one just read
    assert qa.stats().articles == 30
    # an update with nothing changed reads them all again and embeds nothing
    counting.texts = 0
    again = _LiveArticles(30)
    assert qa.index.update(again).articles_unchanged == 30 and counting.texts == 0
    assert again.most_alive <= 2


def test_a_reader_keeps_answering_after_another_process_updates_the_index(
    settings: Settings, counting: CountingEmbedder
) -> None:
    """A page or a Python session that has read vectors from Chroma, then another process
    (`newsqa ingest` from cron) updates the index: its embedded Chroma client held the old
    state, and every search failed with "Error finding id" until it was restarted."""
    qa = NewsQA(settings, embedder=counting)
    qa.update()
    for cache in settings.index_dir.glob("g*/dense-vectors.npz"):
        cache.unlink()  # so that this process reads the vectors from Chroma itself
    assert qa.search("Valdria harbour automation")
    (settings.corpus_dir / "ferry.md").write_text(
        "---\ntitle: Night ferry to Orsk resumes\nsource: Metro Ledger\npublished: 2024-03-02\n"
        "---\n\nThe night ferry to Orsk resumed on Friday after a two-month pause for repairs to "
        "its hull, the operator Bluewake said.\n",
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "NEWSQA_CORPUS": str(settings.corpus_dir),
        "NEWSQA_INDEX": str(settings.index_dir),
        "NEWSQA_CHUNK_SIZE": str(settings.chunk_size),
        "NEWSQA_CHUNK_OVERLAP": str(settings.chunk_overlap),
    }
    done = subprocess.run(
        [str(Path(sys.executable).with_name("newsqa")), "index", "update"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    for cache in settings.index_dir.glob("g*/dense-vectors.npz"):
        cache.unlink()  # (the update wrote them): read from Chroma again
    hits = qa.search("night ferry to Orsk hull repairs")
    assert hits and hits[0].article.title == "Night ferry to Orsk resumes"
    assert qa.search("Valdria harbour automation")


def test_a_corrected_version_saved_later_is_indexed_not_the_longer_one(
    settings: Settings, counting: CountingEmbedder
) -> None:
    """A correction of one article of a multi-article file comes in a file of its own (the
    old file keeps its other articles): the later version is the one indexed, even when the
    correction made it shorter; a feed's summary never displaces the full text."""
    qa = make_qa(settings, counting)

    def record(text: str, url: str = "https://ledger.example/elm-bridge") -> dict[str, str]:
        return {
            "title": "Elm Street bridge to close",
            "source": "Metro Ledger",
            "published": "2024-03-04",
            "url": url,
            "text": text,
        }

    first = settings.corpus_dir / "monday.json"
    first.write_text(
        json.dumps(
            [
                record(
                    "The fictional Elm Street bridge will close for six months of repairs "
                    "starting in April, the city said, and buses will take a detour."
                ),
                record(
                    "Another story entirely, about the fictional Orsk tram depot and its new roof.",
                    "https://ledger.example/depot",
                ),
            ]
        ),
        encoding="utf-8",
    )
    qa.update()
    fixed = settings.corpus_dir / "monday-2.json"
    fixed.write_text(
        json.dumps(
            [
                record(
                    "The fictional Elm Street bridge will close for three months from "
                    "April, the city said (corrected)."
                )
            ]
        ),
        encoding="utf-8",
    )
    now = time.time()
    os.utime(first, (now - 3600, now - 3600))
    os.utime(fixed, (now, now))
    report = qa.update()
    assert report.articles_changed == 1
    hits = qa.search("How long will the Elm Street bridge close?", k=1)
    assert "three months" in hits[0].text
    # a summary saved later still gives way to the full text
    summary = settings.corpus_dir / "feed-summary.json"
    summary.write_text(json.dumps([record("Elm Street bridge to close…")]), encoding="utf-8")
    os.utime(summary, (now + 60, now + 60))
    qa.update()
    assert "three months" in qa.search("How long will the Elm Street bridge close?", k=1)[0].text


def test_an_edited_file_without_a_url_counts_as_one_removed_and_one_added(
    tmp_path: Path, counting: CountingEmbedder
) -> None:
    """Its new text, close to the old, was taken for a syndicated copy of its own old version:
    the summary said one removed, none added, and a copy recorded."""
    corpus = tmp_path / "c"
    corpus.mkdir()
    story = corpus / "ferry.txt"
    story.write_text(
        "Harbor ferry route announced\n\nThe fictional harbor ferry will run every hour from "
        "June. Tickets will cost 12 dollars, the operator said on Monday.\n\nSource: Harbor News\n",
        encoding="utf-8",
    )
    qa = NewsQA(Settings(corpus_dir=corpus, index_dir=tmp_path / "i"), embedder=counting)
    qa.update()
    story.write_text(story.read_text("utf-8").replace("12 dollars", "14 dollars"), "utf-8")
    report = qa.update()
    assert (report.articles_added, report.articles_removed, report.syndicated) == (1, 1, [])
    assert qa.stats().articles == 1
    assert "14 dollars" in qa.search("ferry tickets", k=1)[0].text


def test_an_index_on_a_read_only_folder_answers(
    settings: Settings, counting: CountingEmbedder, tmp_path: Path
) -> None:
    """A shipped index, a read-only mount: searching, asking and stats work (the catalog is
    read as immutable, the vectors from the file the update wrote); updating is refused."""
    qa = make_qa(settings, counting)
    qa.update()
    qa.close()
    mounted = tmp_path / "ro"
    mounted.mkdir()
    bind = subprocess.run(["mount", "--bind", str(settings.index_dir), str(mounted)], check=False)
    if bind.returncode != 0:
        pytest.skip(
            "needs `mount --bind` (root in a container that allows it) for a read-only folder"
        )
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(mounted)], check=True)
        with pytest.raises(OSError):
            (mounted / "probe").touch()
        reader = make_qa(settings.replace(index_dir=mounted), counting)
        assert reader.stats().articles == qa.stats().articles
        hits = reader.search("Valdria harbour automation", k=3)
        assert hits and "Valdria" in hits[0].article.title
        assert not reader.ask("When did the Glacier Line railway reopen?").declined
        with pytest.raises(OSError):
            reader.update()
        reader.close()
    finally:
        subprocess.run(["umount", str(mounted)], check=False)


def test_signatures_tell_near_copies_from_stories_that_share_words() -> None:
    """Two round-ups of deals share most of their words but few of their 5-word runs: not
    copies (the first signatures agreed on 88% of their slots for two such articles)."""
    from newsqa.indexing.dedup import signature

    items = ["headphones", "kettles", "tablets", "keyboards", "blenders", "chargers", "lamps"]

    a = " ".join(
        f"The best Black Friday deal on {item} today is at a store near you, and the {item} "
        "come with free delivery for members this week."
        for item in items
    )
    b = " ".join(
        f"Members get {item} delivered free this week: near you, a store has {item} at "
        "the best Prime Day price today."
        for item in items[::-1]
    )
    sig_a, sig_b = signature(a), signature(b)
    assert sig_a is not None and sig_b is not None
    assert (sig_a == sig_b).mean() < 0.3
    near = signature(a.replace("free delivery", "fast delivery", 1))
    assert near is not None and (sig_a == near).mean() > 0.8


def _compared_with_all(
    sig: np.ndarray, ids: list[str], matrix: np.ndarray, threshold: float
) -> str | None:
    """The match as found by comparing with every signature (what the builder did before)."""
    if not ids:
        return None
    agreement = (np.asarray(matrix) == sig[None, :]).mean(axis=1)
    best = int(np.argmax(agreement))
    return ids[best] if agreement[best] >= threshold else None


@pytest.mark.parametrize("threshold", [0.8, 0.5, 0.95, 0.3, 0.0])
def test_the_banded_signatures_find_the_match_a_comparison_with_all_finds(
    threshold: float,
) -> None:
    """An article is compared only with the indexed ones sharing a band of its signature, and
    the match is still the one comparing it with every one finds: for signatures agreeing with
    an indexed one on any number of slots, ties going to the one added first, after signatures
    were replaced (in place) and removed."""
    from newsqa.indexing.dedup import SIGNATURE_SIZE, SignatureIndex

    rng = np.random.default_rng(11)
    index = SignatureIndex(threshold)
    ids: list[str] = []
    rows: list[np.ndarray] = []

    def add(article_id: str, sig: np.ndarray) -> None:
        index.add(article_id, sig)
        if article_id in ids:
            rows[ids.index(article_id)] = sig
        else:
            ids.append(article_id)
            rows.append(sig)

    def near(sig: np.ndarray, changed: int) -> np.ndarray:
        out = sig.copy()
        slots = rng.choice(SIGNATURE_SIZE, size=changed, replace=False)
        out[slots] = rng.integers(0, 2**32, size=changed, dtype=np.uint32)
        return out

    for n in range(200):
        add(f"a{n}", rng.integers(0, 2**32, size=SIGNATURE_SIZE, dtype=np.uint32))
    found = missed = 0
    for step in range(1500):
        kept = rows[rng.integers(len(rows))]
        # any number of slots changed, or about as many as a match may have
        edge = round(SIGNATURE_SIZE * (1 - threshold)) + int(rng.integers(-2, 3))
        changed = int(rng.integers(0, SIGNATURE_SIZE + 1)) if step % 2 else edge
        sig = near(kept, min(max(changed, 0), SIGNATURE_SIZE))
        want = _compared_with_all(sig, ids, np.stack(rows), threshold)
        assert index.best_match(sig) == want, step
        found, missed = found + (want is not None), missed + (want is None)
        if step % 5 == 0:  # a near-copy indexed too: two that may tie with the next one
            add(f"b{step}", near(kept, int(rng.integers(0, 4))))
        if step % 17 == 0:  # an article rewritten
            add(ids[int(rng.integers(len(ids)))], near(kept, int(rng.integers(0, 20))))
        if step % 23 == 0:  # one removed
            gone = int(rng.integers(len(ids)))
            index.remove(ids.pop(gone))
            rows.pop(gone)
    assert len(index) == len(ids)
    assert found > 300 and (missed > 300 or threshold == 0.0)


def test_matching_stays_quick_as_the_index_grows() -> None:
    """Each article was compared with every indexed one (and the signatures copied whole at
    each one added): matching 30,450 articles (fifty disguised copies of MultiHop-RAG's) took
    172 s on a busy 2-core machine; now seconds."""
    from newsqa.indexing.dedup import SIGNATURE_SIZE, SignatureIndex

    rng = np.random.default_rng(5)
    sigs = rng.integers(0, 2**32, size=(30_000, SIGNATURE_SIZE), dtype=np.uint32)
    index = SignatureIndex(0.8)
    started = time.process_time()
    for n, sig in enumerate(sigs):
        assert index.best_match(sig) is None
        index.add(f"a{n}", sig)
    copy = sigs[12_345].copy()
    copy[:10] = 0
    assert index.best_match(copy) == "a12345"
    assert time.process_time() - started < 15


def test_an_index_signed_by_an_older_version_is_signed_again_without_embedding(
    settings: Settings, counting: CountingEmbedder
) -> None:
    qa = make_qa(settings, counting)
    qa.update()
    catalog, _ = qa.index.open()
    path = catalog.path
    qa.close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = '1' WHERE key = 'signatures'")
    report = make_qa(settings, counting).update()
    assert report.chunks_embedded == 0 and report.articles_changed == report.articles_added == 0
    assert report.articles_unchanged == qa.stats().articles + qa.stats().syndicated_copies
    with sqlite3.connect(path) as db:
        (version,) = db.execute("SELECT value FROM meta WHERE key = 'signatures'").fetchone()
    assert version == "2"


def test_relative_folders_are_where_they_were_when_opened(
    settings: Settings, counting: CountingEmbedder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(settings.index_dir.parent)
    relative = settings.replace(corpus_dir=Path(settings.corpus_dir.name), index_dir=Path("index"))
    qa = make_qa(relative, counting)
    qa.update()
    monkeypatch.chdir(tmp_path.parent)  # a notebook changes its working directory
    assert qa.search("Valdria harbour automation", k=1)


def test_the_collection_it_was_built_with_is_used_whatever_the_setting_says_now(
    settings: Settings, counting: CountingEmbedder
) -> None:
    """NEWSQA_COLLECTION changed after a build names the next build's collection; this index's
    vectors stay where they are (read from another, empty one, a search found by words only and
    an update embedded everything again)."""
    NewsQA(settings, embedder=counting).update()
    renamed = NewsQA(settings.replace(collection="renamed"), embedder=counting)
    _, store = renamed.index.open()
    assert store.count() == renamed.stats().chunks > 0
    assert renamed.update().chunks_embedded == 0


def test_a_local_model_folder_is_one_model_however_its_path_is_written(
    settings: Settings, counting: CountingEmbedder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A model folder given relative to the working directory is where it was when NewsQA was
    made (a later chdir still loads it), and the same folder written another way is the model
    that built the index (its absolute path was refused as 'built differently')."""
    from newsqa.indexing.embeddings import resolve_model

    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "mini").symlink_to(resolve_model("all-MiniLM-L6-v2"))
    monkeypatch.chdir(tmp_path)
    NewsQA(settings.replace(embedding_model="models/mini"), embedder=counting).update()
    absolute = NewsQA(settings.replace(embedding_model=str(tmp_path / "models" / "mini")))
    assert absolute.search("Valdria harbour automation", k=1)
    default = NewsQA(settings.replace(embedding_model="sentence-transformers/all-MiniLM-L6-v2"))
    assert default.search("Valdria harbour automation", k=1)  # the default is that folder
    relative = NewsQA(settings.replace(embedding_model="models/mini"))
    monkeypatch.chdir(tmp_path.parent)  # a notebook changes its working directory
    assert relative.search("Valdria harbour automation", k=1)
    with pytest.raises(IncompatibleIndexError, match="embedding_model"):
        NewsQA(settings.replace(embedding_model=str(tmp_path / "models"))).search("harbour")


def test_an_index_kept_inside_its_corpus_folder_is_not_read_as_articles(
    settings: Settings, counting: CountingEmbedder
) -> None:
    """NewsQA(corpus_dir=".", index_dir="index"): the index's own files were read as inputs and
    listed as skipped ('unsupported file type '.sqlite'', CURRENT 'file has no extension')."""
    inside = settings.replace(index_dir=settings.corpus_dir / "index")
    first = make_qa(inside, counting).update()
    again = make_qa(inside, counting).update()
    assert first.articles_added == again.articles_unchanged > 0
    assert first.skipped == again.skipped == []


def test_a_full_disk_is_said_with_what_to_do_first(tmp_path: Path) -> None:
    """Chroma's "database or disk is full" was passed on with "run the rebuild again" only: it
    fails again until space is freed."""
    import errno
    import sqlite3

    from newsqa.indexing.store import _disk_full

    assert _disk_full(sqlite3.OperationalError("database or disk is full"))
    assert _disk_full(OSError(errno.ENOSPC, "No space left on device"))
    try:
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError as inner:
            raise RuntimeError("Error executing plan: internal error") from inner
    except RuntimeError as outer:
        assert _disk_full(outer)
    assert not _disk_full(sqlite3.OperationalError("database is locked"))
    store = open_store(path=tmp_path / "chroma", collection="full")
    with pytest.raises(StoreError) as failed, store._using("writing vectors", writing=True):
        raise sqlite3.OperationalError("database or disk is full")
    assert "The disk is full: free some space first. What was committed" in str(failed.value)


def test_articles_lists_what_the_index_holds_newest_first(
    settings: Settings, counting: CountingEmbedder
):
    """`NewsQA.articles`: every indexed article with its outlet, date, link, the file it was
    read from, its chunks and the outlets that carried a copy; newest first, undated last."""
    corpus = settings.corpus_dir
    (corpus / "ferry.txt").write_text(  # no date, no outlet
        "Ferry strike ends\n\nFerry crews on the Valdria crossing returned to work on Monday "
        "after a three-day strike over rosters.\n",
        encoding="utf-8",
    )
    (corpus / "feeds").mkdir()
    tracked = "https://gazette.example.org/lamp?id=3&at_medium=RSS&at_campaign=KARANGA&ref=rss"
    lamp = {
        "title": "Gull Rock lamp relit",
        "source": "Coastal Gazette",
        "published_at": "2024-06-01T07:00:00Z",
        "url": tracked,
        "body": "The lighthouse on Gull Rock was relit on Saturday after a year of repairs; "
        "its lamp can be seen seventeen nautical miles out.",
    }
    (corpus / "feeds" / "lamp.json").write_text(json.dumps([lamp]), encoding="utf-8")
    qa = make_qa(settings, counting)
    qa.update()
    listing = qa.articles()
    assert listing.total == len(listing) == qa.stats().articles == 6
    assert [(a.title, a.source) for a in listing] == [
        ("Orchard cooperative reports record plum harvest", "Alpine Wire"),
        ("Gull Rock lamp relit", "Coastal Gazette"),
        ("City council approves night bus network", "Metro Ledger"),
        ("Valdria harbour opens automated container terminal", "The Valdria Courier"),
        ("Glacier railway reopens after avalanche repairs", "Alpine Wire"),
        ("Ferry strike ends", ""),
    ]
    by_title = {a.title: a for a in listing}
    glacier, gull = (
        by_title["Glacier railway reopens after avalanche repairs"],
        by_title[lamp["title"]],
    )
    assert glacier.carried_by == ("Northern Herald",) and gull.carried_by == ()
    assert glacier.file == "wire.json" and gull.file == "feeds/lamp.json"
    assert by_title["Ferry strike ends"].published is None
    assert gull.link == "https://gazette.example.org/lamp?id=3" and gull.url == tracked
    assert sum(a.chunks for a in listing) == qa.stats().chunks and all(a.chunks for a in listing)
    shown = gull.to_dict()
    assert shown["link"] == gull.link and shown["file"] == "feeds/lamp.json"
    assert shown["published"] == "2024-06-01T07:00:00+00:00" and shown["carried_by"] == []
    assert json.loads(json.dumps(listing.to_dict()))["total"] == 6

    # the filters as `search` reads them: the outlet of a copy lists its original
    herald = qa.articles(sources=["Northern Herald"])
    assert [a.title for a in herald] == [glacier.title] and herald.total == 1
    assert [a.source for a in qa.articles("the metro ledger")] == ["Metro Ledger"]
    in_spring = qa.articles(since="2024-03", until="May 2024")
    assert [a.source for a in in_spring] == ["Metro Ledger", "The Valdria Courier"]
    assert qa.articles(until=date(2024, 5, 15)).total == 3  # a bare date: the whole day
    q = "What happened?"
    for filters in ({"sources": ["Alpine Wire"]}, {"since": "2024-05-01"}, {"until": "2024-03"}):
        found = {h.article.id for h in qa.search(q, k=50, **filters)}
        assert {a.id for a in qa.articles(**filters)} == found, filters
    with pytest.raises(ValueError, match=r"No outlet 'Metro Leger'.*did you mean 'Metro Ledger'"):
        qa.articles(sources=["Metro Leger"])
    with pytest.raises(ValueError, match="since 2024-06-01 is after until 2024-05-01"):
        qa.articles(since="2024-06-01", until="2024-05-01")

    # the newest `limit`, with the total all the same
    first = qa.articles(limit=2)
    assert [a.id for a in first] == [a.id for a in listing][:2] and first.total == 6
    assert qa.articles("Alpine Wire", limit=0).to_dict() == {"total": 2, "articles": []}
    with pytest.raises(ValueError, match="limit must be 0 or more"):
        qa.articles(limit=-1)

    # reading the catalog only: no model, no vector store, in a fresh process
    code = (
        "from pathlib import Path; from newsqa import NewsQA, Settings;"
        f"qa = NewsQA(Settings(corpus_dir=Path({str(corpus)!r}),"
        f" index_dir=Path({str(settings.index_dir)!r}), chunk_size=64, chunk_overlap=8));"
        "assert qa.articles(sources='Alpine Wire').total == 2"
    )
    assert imported_after(code, ["torch", "chromadb", "sentence_transformers"]) == []


def test_articles_without_an_index_says_how_to_build_it(
    settings: Settings, counting: CountingEmbedder
):
    qa = make_qa(settings, counting)
    with pytest.raises(IndexMissingError) as listed:
        qa.articles()
    with pytest.raises(IndexMissingError) as searched:
        qa.search("harbour")
    assert str(listed.value) == str(searched.value)
    assert "newsqa index update" in str(listed.value)


def test_corpus_files_are_every_article_file_with_what_the_index_holds_of_it(
    settings: Settings, counting: CountingEmbedder
) -> None:
    """Every article file of the corpus folder, as `remove` takes it: the articles indexed from
    it, or why none are (a syndicated copy, the same article again: the file of what it copies;
    nothing readable; added since the update), without a README or the index kept inside."""
    corpus = settings.corpus_dir
    (corpus / "notes").mkdir()
    (corpus / "notes" / "broken.json").write_text("{not json", encoding="utf-8")
    qa = NewsQA(settings, embedder=counting)
    qa.update()
    (corpus / "later.md").write_text("---\ntitle: Later\n---\n\nAdded since.\n", "utf-8")
    files = {f.name: f for f in qa.corpus_files()}
    assert sorted(files) == [
        "duplicate-of-harbour.md",
        "later.md",
        "notes/broken.json",
        "syndicated.jsonl",
        "valdria-harbour.md",
        "wire.json",
    ]
    assert (files["wire.json"].articles, files["wire.json"].copy_of) == (3, ())
    assert (files["syndicated.jsonl"].articles, files["syndicated.jsonl"].copy_of) == (
        0,
        ("wire.json",),
    )
    assert files["duplicate-of-harbour.md"].copy_of == ("valdria-harbour.md",)
    assert files["notes/broken.json"].unread and not files["notes/broken.json"].copy_of
    later = files["later.md"]
    assert (later.articles, later.copy_of, later.unread) == (0, (), False)
    assert qa.remove(["syndicated.jsonl"]).removed == ("syndicated.jsonl",)
    assert "syndicated.jsonl" not in {f.name for f in qa.corpus_files()}
    qa.close()
