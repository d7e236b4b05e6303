"""An update in the background: searches and answers work meanwhile from what is already indexed,
and say that indexing is still running."""

from __future__ import annotations

import threading
import time

import pytest
from conftest import CountingEmbedder, HeldEmbedder

from newsqa import IndexBusyError, NewsQA, Settings
from newsqa.indexing.builder import Progress
from newsqa.indexing.job import BackgroundIndexing, IndexingStatus
from newsqa.types import IndexReport


def test_answers_while_indexing_then_the_full_index(settings: Settings, real_embedder) -> None:
    embedder = HeldEmbedder(real_embedder, before_call=2)
    qa = NewsQA(settings.replace(commit_chunks=4), embedder=embedder)
    seen: list[tuple[str, int, int]] = []
    job = qa.update_in_background(progress=lambda *p: seen.append(p))
    assert embedder.held.wait(60)

    status = job.status
    assert status.running and status.phase == "embedding" and 0 < status.done < status.total
    assert "passages embedded" in status.describe()
    partial = qa.stats()
    assert partial.exists and 0 < partial.chunks < status.total
    answer = qa.ask("What happened at the harbour?")
    assert any(n.startswith("Indexing is still running") for n in answer.notes)

    embedder.go_on.set()
    final = job.wait(60)
    assert not final.running and final.error == ""
    assert final.report is not None and final.report.articles_added == 5
    assert seen[-1][0] == "embedding" and seen[-1][1] == seen[-1][2]
    answer = qa.ask("How much did the avalanche repairs on the Glacier Line cost?")
    assert "48 million crowns" in answer.text
    assert not any(n.startswith("Indexing") for n in answer.notes)


def test_progress_gives_a_total_only_once_every_article_is_read(
    settings: Settings, counting: CountingEmbedder
) -> None:
    """Articles stream through in batches, so the passages to embed are known batch by batch:
    until the last article is read, the status says so instead of a total (and an estimate)
    that would grow."""
    qa = NewsQA(settings, embedder=counting)
    qa.index.batch_articles = 3  # five articles: one batch while reading, one after
    seen: list[tuple[str, int, int, str]] = []

    def run(progress: Progress) -> IndexReport:
        def both(phase: str, done: int, total: int) -> None:
            progress(phase, done, total)  # the job's own record, then what it says now
            seen.append((phase, done, total, background.status.describe()))

        return qa.update(progress=both)

    background = BackgroundIndexing(run)
    final = background.start().wait(120)
    assert final.error == "" and final.report is not None
    embedded = [(d, t, text) for phase, d, t, text in seen if phase == "embedding"]
    read_at = next(i for i, (phase, d, t, _) in enumerate(seen) if phase == "reading" and t == d)
    totals = [t for _, t, _ in embedded]
    assert totals == sorted(totals) and totals[0] < totals[-1]  # it grew as batches were read
    before = [text for phase, _, _, text in seen[:read_at] if phase == "embedding"]
    after = [text for phase, _, _, text in seen[read_at + 1 :] if phase == "embedding"]
    assert before and all(t.endswith("passages embedded, still reading articles") for t in before)
    assert after and all(f"of {totals[-1]:,} passages embedded" in t for t in after)
    assert embedded[-1][0] == embedded[-1][1] == final.report.chunks_embedded


def test_a_second_update_meanwhile_is_refused_and_close_cancels_the_first(
    settings: Settings, real_embedder
) -> None:
    """While a background update runs, another update in the same process is refused as such
    (not as "another process"), and closing NewsQA cancels the update within a batch: what it
    committed is kept, and the next update carries on from there."""
    embedder = HeldEmbedder(real_embedder, before_call=2)
    qa = NewsQA(settings.replace(commit_chunks=4), embedder=embedder)
    job = qa.update_in_background()
    assert embedder.held.wait(60)
    with pytest.raises(IndexBusyError, match="already running in this process"):
        qa.update()
    with pytest.raises(IndexBusyError, match="already running"):
        qa.update_in_background()

    closing = threading.Thread(target=qa.close)
    closing.start()
    time.sleep(0.2)
    embedder.go_on.set()  # the batch it was embedding ends, then the update stops
    closing.join(60)
    assert not closing.is_alive()
    status = job.status
    assert not status.running and status.cancelled
    assert status.describe().startswith("indexing cancelled")
    kept = NewsQA(settings, embedder=CountingEmbedder(real_embedder))
    partial = kept.stats().chunks
    assert partial > 0
    report = kept.update()
    assert (
        report.chunks_unchanged == partial
        and report.articles_added + report.articles_unchanged == 5
    )
    assert kept.stats().chunks > partial
    kept.close()


def test_a_failed_background_update_keeps_what_it_raised(settings: Settings, counting) -> None:
    """A script can tell a corpus gone from a store down, and raise it: the status held only
    the message."""
    from newsqa import CorpusError

    qa = NewsQA(settings, embedder=counting)
    status = qa.update_in_background(settings.corpus_dir / "gone").wait(60)
    assert not status.running and status.report is None
    assert isinstance(status.exception, CorpusError)
    assert status.error == str(status.exception) and "No such file or folder" in status.error
    assert qa.update_in_background().wait(60).exception is None


def test_an_update_running_in_another_thread_is_said_to_be(settings: Settings, counting) -> None:
    """Two threads updating one index: the second was told of a background update, which
    there was none of."""
    from newsqa.indexing.layout import IndexLayout

    qa = NewsQA(settings, embedder=counting)
    with (
        IndexLayout(settings.index_dir).write_lock(),  # another thread's update, midway
        pytest.raises(IndexBusyError, match="another thread's, or a background one"),
    ):
        qa.update()


def test_close_stops_an_update_within_a_step_of_its_embedding(
    settings: Settings, real_embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cancel took effect only once a whole commit (256 chunks) was embedded: up to 20 s on a
    busy laptop before `close()` returned. Now within one step of the embedding; the commit it
    was embedding is not written, and the next update embeds it."""
    from newsqa.indexing import builder

    monkeypatch.setattr(builder, "EMBED_STEP", 4)
    embedder = HeldEmbedder(real_embedder, before_call=2)
    qa = NewsQA(settings.replace(commit_chunks=1000), embedder=embedder)  # one commit of all
    steps: list[int] = []
    job = qa.update_in_background(progress=lambda phase, done, total: steps.append(done))
    assert embedder.held.wait(60)  # in its second step
    closing = threading.Thread(target=qa.close)
    closing.start()
    time.sleep(0.2)
    embedder.go_on.set()
    closing.join(60)
    assert job.status.cancelled and embedder.indexing_calls == 2  # not every step of the commit
    assert 4 in steps  # the progress moved within the commit
    again = NewsQA(settings, embedder=CountingEmbedder(real_embedder))
    assert not again.index.exists() or again.stats().chunks == 0
    report = again.update()
    assert report.chunks_embedded == report.chunks_added > 8
    again.close()


def test_a_batch_with_nothing_to_embed_is_not_said_as_0_of_0() -> None:
    """Articles whose passages are all embedded already (a syndicated copy, a changed date)
    are written with nothing to embed: the status says so instead of "0 of 0 passages"."""
    status = IndexingStatus(True, "embedding", 0, 0, read_all=True)
    assert status.describe() == "indexing: no new passages to embed, saving the index"
    assert IndexingStatus(True, "embedding", 3, 8, read_all=True).describe() == (
        "indexing: 3 of 8 passages embedded"
    )
