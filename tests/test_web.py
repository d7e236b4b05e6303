"""The page, served for real by Gradio on 127.0.0.1 and driven through gradio_client (the way
people script against a running page). The browser tests are in test_browser.py."""

from __future__ import annotations

import fcntl
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import CountingEmbedder, HeldEmbedder, page_during_first_build
from llm_server import unresponsive_llm

from newsqa import IndexMissingError, IndexStats, NewsQA, Settings
from newsqa.web import build_page, status_markdown
from newsqa.web.page import OFFLINE, index_behind_page
from newsqa.web.times import day_html, moment_html


@pytest.fixture
def page_url(settings: Settings, counting: CountingEmbedder):
    qa = NewsQA(settings, embedder=counting)
    qa.update()
    page = build_page(qa)
    page.launch(server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True)
    try:
        yield page.local_url
    finally:
        page.close()


def ask(client, question: str, *, outlets=(), since="", until="", fails=False):
    chat, box, sources = client.predict(
        question, [], list(outlets), since, until, OFFLINE, api_name="/ask"
    )
    # emptied when taken, then left as the user types; a question that fails is put back
    assert box == question if fails else box in ("", {"__type__": "update"})
    content = chat[-1]["content"]
    text = content if isinstance(content, str) else " ".join(p["text"] for p in content)
    return text, sources


def test_api_answers_with_citations_and_sources(page_url: str) -> None:
    from gradio_client import Client

    assert "newsqa" in httpx.get(page_url, timeout=30).text
    client = Client(page_url, verbose=False)
    text, sources = ask(client, "How much did the avalanche repairs on the Glacier Line cost?")
    assert "48 million crowns" in text and 'href="#src-1"' in text
    assert 'id="src-1"' in sources and "Alpine Wire" in sources
    assert "<mark>The repairs cost 48 million crowns.</mark>" in sources
    assert "https://alpinewire.example.com/glacier-railway-reopens" in sources
    text, filtered = ask(
        client, "How did the council vote on night buses?", outlets=["Alpine Wire"], since="2024"
    )
    # declined within the filters: the answer says what they held it to
    assert "Searched only outlets Alpine Wire; from 2024: clear the filters" in text
    assert "Metro Ledger" not in filtered.split("not cited")[0]
    _, dated = ask(client, "How did the council vote on night buses?", since="2024-05-01")
    assert "Metro Ledger" in dated
    text, _ = ask(client, "How did the council vote?", since="someday", fails=True)
    assert "From (Filters): Not a date" in text  # a clear message naming its box
    text, _ = ask(client, "How did the council vote?", until="02/30/2024", fails=True)
    assert "To (Filters): Not a date" in text
    # an outlet not among the page's choices (added since, or mistyped) is checked, not refused
    text, _ = ask(client, "How did the council vote?", outlets=["Metro Leger"], fails=True)
    assert "No outlet 'Metro Leger'" in text and "did you mean 'Metro Ledger'" in text
    assert "Its 4 outlets: " in text and "newsqa index" not in text  # no command to run


def test_the_api_needs_only_the_question_and_the_conversation(page_url: str) -> None:
    """The filters and the answerer are optional through /ask, as they are on the page."""
    from gradio_client import Client

    client = Client(page_url, verbose=False)
    chat, *_ = client.predict(
        "How much did the avalanche repairs on the Glacier Line cost?", [], api_name="/ask"
    )
    assert "48 million crowns" in str(chat)


def test_only_the_latest_answer_links_to_the_source_cards(page_url: str) -> None:
    """The cards shown are the latest answer's: an earlier answer's [1] would land on another
    article's card, so its markers are plain text once another answer comes."""
    from gradio_client import Client

    client = Client(page_url, verbose=False)
    first, _, _ = client.predict(
        "How much did the avalanche repairs cost?", [], [], "", "", OFFLINE, api_name="/ask"
    )
    assert 'href="#src-1"' in str(first[-1]["content"])
    chat, _, _ = client.predict(
        "Who is the harbour director in Valdria?", first, [], "", "", OFFLINE, api_name="/ask"
    )
    earlier, latest = str(chat[1]["content"]), str(chat[-1]["content"])
    assert "48 million crowns" in earlier and "[1]" in earlier and "href" not in earlier
    assert 'href="#src-1"' in latest


def test_a_question_of_its_own_under_another_outlet_is_no_follow_up(page_url: str) -> None:
    """The outlets chosen after a question: "What is the latest news?" asks for theirs, not for
    the latest on the question before (searched in the Ledger, which has nothing on it)."""
    from gradio_client import Client

    client = Client(page_url, verbose=False)
    first, _, _ = client.predict(
        "Who is the harbour director in Valdria?", [], [], "", "", OFFLINE, api_name="/ask"
    )
    chat, _, sources = client.predict(
        "What is the latest news?", first, ["Metro Ledger"], "", "", OFFLINE, api_name="/ask"
    )
    latest = str(chat[-1]["content"])
    assert "don't say enough" not in latest and "night bus" in latest
    assert "Metro Ledger" in sources


def test_a_slow_llm_in_one_session_holds_up_no_other(page_url: str) -> None:
    """One session waits on an LLM server that takes the request and never answers (a socket,
    the unresponsive server itself); another session's offline answer comes meanwhile."""
    from gradio_client import Client

    with unresponsive_llm() as server:
        waiting = Client(page_url, verbose=False).submit(
            "How much did the avalanche repairs cost?", [], [], "", "", server.llm, api_name="/ask"
        )
        server.wait_for_request()  # its request has reached the server
        text, _ = ask(Client(page_url, verbose=False), "Who is the harbour director in Valdria?")
        assert "Valdria" in text and not waiting.done()
    chat, _, _ = waiting.result(timeout=120)  # the LLM gone, it is answered offline
    assert "answered offline" in _text(chat[-1]["content"])


def test_new_chat_closes_the_llm_request_at_once(page_url: str) -> None:
    """New chat (as Stop) while the LLM server has the request and has not answered: the
    request's connection is closed at once, so a server that watches it stops working for an
    answer no one will read (it stayed open until the first token, or the 120 s timeout);
    another session's request to the same LLM is left as it is."""
    from gradio_client import Client

    question = "How much did the avalanche repairs cost?"
    mine, other = Client(page_url, verbose=False), Client(page_url, verbose=False)
    with unresponsive_llm() as server:
        answer = mine.submit(question, [], [], "", "", server.llm, api_name="/ask")
        server.wait_for_request()
        others = other.submit(question, [], [], "", "", server.llm, api_name="/ask")
        server.wait_for_request(count=2)
        time.sleep(0.3)  # both answers are waiting on the server's reply
        mine.predict(api_name="/new_chat")
        assert server.hung_up(0, timeout=1.5)
        assert not server.hung_up(1, timeout=1.0) and not others.done()
        answer.result(timeout=5)
        other.predict(api_name="/new_chat")
        assert server.hung_up(1, timeout=1.5)
        others.result(timeout=5)


def test_stop_marks_the_answer_as_it_left_it_not_as_the_browser_had_it(
    settings: Settings, counting: CountingEmbedder
) -> None:
    """Stop pressed before the browser has the answer's first update (on a busy machine: the
    server had asked the LLM, the browser's chat was still empty): the chat Stop gives back is
    the answer's, marked. It was the browser's, marked where it could be: the empty chat
    replaced the question and its "Stopped." (the page's handlers, driven as Gradio does)."""
    import asyncio

    import gradio as gr

    from newsqa.web import sources_html
    from newsqa.web.chat import Answering

    qa = NewsQA(settings, embedder=counting)
    qa.update()
    handlers = Answering(qa)
    request = gr.Request(session_hash="one browser")
    question = "How much did the avalanche repairs cost?"

    async def stopped_early(llm: Any) -> Any:
        answer = handlers.respond(question, [], [], [], "", "", llm.llm, request)

        async def sent() -> None:  # (what Gradio does with each update: sends it on)
            async for _ in answer:
                pass

        answering = asyncio.create_task(sent())
        await asyncio.to_thread(llm.wait_for_request)
        chat, *_ = await handlers.stopped([], sources_html(None), request)  # (as it had it)
        await asyncio.wait_for(answering, timeout=10)
        return chat

    with unresponsive_llm() as llm:
        chat = asyncio.run(stopped_early(llm))
        assert llm.hung_up(timeout=1.5)  # and its request ended with it
    assert [(m["role"], m["content"]) for m in chat] == [
        ("user", question),
        ("assistant", "*Stopped.*"),
    ]
    qa.close()


def test_new_chat_returns_once_the_answer_it_ends_has_ended(page_url: str) -> None:
    """New chat's empty chat comes after the last update of the answer it ends: returned while
    that answer still ran, an update it was sending could land after it and bring the old
    chat back (on the page, one time in three while an LLM streamed)."""
    from gradio_client import Client

    client = Client(page_url, verbose=False)
    with unresponsive_llm() as server:
        for n in range(1, 5):  # (the answer noticed New chat within half a second: 4 tries)
            answer = client.submit(
                "How much did the avalanche repairs cost?",
                [],
                [],
                "",
                "",
                server.llm,
                api_name="/ask",
            )
            server.wait_for_request(count=n)
            chat, *_ = client.predict(api_name="/new_chat")
            assert chat == []
            started = time.monotonic()
            answer.result(timeout=5)  # received already, or on its way (a thread reads it)
            assert time.monotonic() - started < 0.1


def test_a_question_that_fails_is_put_back_in_the_box(page_url: str) -> None:
    from gradio_client import Client

    client = Client(page_url, verbose=False)
    question = "What did the council decide?"
    chat, box, _ = client.predict(
        question, [], [], "2024-06-01", "2024-05-01", OFFLINE, api_name="/ask"
    )
    # in the page's words, naming its boxes (not the library's "since … is after until …")
    assert _text(chat[-1]["content"]) == (
        "The From date (2024-06-01) is after the To date (2024-05-01), so no article can "
        "match: swap them, or clear one, under Filters."
    )
    assert box == question  # not to be typed again
    # the question is shown as typed: no Markdown, no HTML
    chat, _, _ = client.predict(
        "Is **this** <img src=x> news?", [], [], "", "", OFFLINE, api_name="/ask"
    )
    assert _text(chat[0]["content"]) == r"Is \*\*this\*\* &lt;img src=x&gt; news?"


def _text(content: Any) -> str:
    """A chat message's Markdown as Gradio hands it back (a string or a list of text parts)."""
    return content if isinstance(content, str) else " ".join(p["text"] for p in content)


def test_a_streamed_answer_is_shown_as_written_while_it_streams(page_url: str) -> None:
    """The refusal repeats the question: while it streams, as once it is done, its Markdown and
    HTML are characters (a live <img> or link would otherwise show for a moment)."""
    from gradio_client import Client

    client = Client(page_url, verbose=False)
    job = client.submit("Is **zzz** <img src=x> qqq?", [], [], "", "", OFFLINE, api_name="/ask")
    job.result()
    replies = [_text(chat[-1]["content"]) for chat, _, _ in job.outputs() if len(chat) > 1]
    streamed = [r for r in replies if "zzz" in r]
    assert len(streamed) >= 2  # the text as it streamed, then the final answer
    for reply in streamed:
        assert "<img" not in reply and "&lt;img src=x&gt;" in reply and r"\*\*zzz" in reply


def test_api_adds_articles_from_a_file(page_url: str, tmp_path: Path) -> None:
    from gradio_client import Client, handle_file

    new = tmp_path / "lighthouse.md"
    new.write_text(
        "---\ntitle: Lighthouse keeper retires after forty years\nsource: Coast Bulletin\n"
        "published: 2024-06-01\n---\n\nThe keeper of the fictional Gullrock lighthouse retired "
        "on Friday after forty years of service. She said she would miss the storms most.\n",
        encoding="utf-8",
    )
    client = Client(page_url, verbose=False)
    message, status, outlets, *_ = client.predict(
        [handle_file(str(new))], "", api_name="/add_articles"
    )
    assert message == "1 article added; 1 passage indexed."
    assert "5 articles" in status
    assert "Coast Bulletin" in str(outlets)
    text, sources = ask(client, "Why did the Gullrock lighthouse keeper retire?")
    assert "Coast Bulletin" in sources and "forty years" in text
    # a corrected version (no URL: known by its text) replaces the old one: said as such, not
    # as "1 new", which read as a second copy
    new.write_text(new.read_text("utf-8").replace("storms most", "winter storms most"), "utf-8")
    message, status, *_ = client.predict([handle_file(str(new))], "", api_name="/add_articles")
    assert message.startswith("1 article added, 1 earlier version removed; ")
    assert "5 articles" in status

    # the address box fetches web addresses only: a path would read the server's own files
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "notes.txt").write_text("Staging\n\nThe staging password is hunter2.", "utf-8")
    for address in (str(secret), f"file://{secret}/notes.txt", "ftp://example.com/x"):
        message, status, *_ = client.predict(None, address, api_name="/add_articles")
        assert message.startswith("Only http:// and https:// addresses can be fetched")
        assert "5 articles" in status
    # a broken upload is named as uploaded, not by its temporary copy
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    message, *_ = client.predict([handle_file(str(broken))], "", api_name="/add_articles")
    assert "- skipped broken.json: malformed JSON" in message
    # said to have added nothing, not as if it had worked ("Read 0 article(s) … Index: 0 new")
    assert message.startswith("No article could be read from them: nothing added.")
    assert "indexed" not in message
    # one already there: said once, where it is (it was "all in the corpus already", then
    # "- skipped …: already in the corpus as …" for each file)
    message, *_ = client.predict([handle_file(str(new))], "", api_name="/add_articles")
    assert message == "Nothing new: already in the corpus: lighthouse.md."
    # an address typed without its scheme: what was meant is offered
    message, *_ = client.predict(None, "example.org/news/1", api_name="/add_articles")
    assert message.endswith(": did you mean `https://example.org/news/1`?")


def test_api_removes_files_from_the_corpus_even_on_a_page_shared_with_others(
    settings: Settings, counting: CountingEmbedder, tmp_path: Path
) -> None:
    """/remove_articles, on a page served beyond this machine too (a file is moved aside, not
    deleted): what it did in words, the status and outlets after; nothing chosen, a file gone
    already and one outside the corpus said as such."""
    from gradio_client import Client

    qa = NewsQA(settings, embedder=counting)
    qa.update()
    page = build_page(qa, typed_llms=False)
    page.launch(server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True)
    try:
        client = Client(page.local_url, verbose=False)
        message, *_ = client.predict([], api_name="/remove_articles")
        assert message.startswith("Choose the files to remove first")
        message, status, outlets, _, listing, _ = client.predict(
            ["wire.json"], api_name="/remove_articles"
        )
        assert message == (
            "Removed wire.json (3 articles); kept in corpus/.removed — move it back to restore it."
        )
        assert "2 articles" in status and "Metro Ledger" not in str(outlets)
        assert "wire.json" not in listing and "valdria-harbour.md" in listing
        assert (settings.corpus_dir / ".removed" / "wire.json").is_file()
        text, _ = ask(client, "How many night bus lines did the city council approve?")
        assert "six night bus lines" not in text
        # the article of a file another file holds too stays: said
        message, *_ = client.predict(["valdria-harbour.md"], api_name="/remove_articles")
        assert message.endswith(
            "Its article is still in the index: the corpus holds it in another file too."
        )
        outside = tmp_path / "outside.md"
        outside.write_text("---\ntitle: x\n---\n\nText.\n", encoding="utf-8")
        message, status, *_ = client.predict(
            ["wire.json", str(outside)], api_name="/remove_articles"
        )
        assert message.splitlines()[0] == (
            "wire.json is no longer in the corpus (removed already?): nothing to remove."
        )
        assert "Not removed: " in message and "is not in the corpus folder" in message
        assert outside.exists() and "2 articles" in status
        # the index held by another process (`newsqa index update` in a terminal): moved
        # all the same, and said
        with open(settings.index_dir / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            message, *_ = client.predict(["duplicate-of-harbour.md"], api_name="/remove_articles")
        assert message.startswith("Removed duplicate-of-harbour.md (1 article); kept in ")
        assert "Their articles are still in the index: Another newsqa process is updating" in (
            message
        )
        assert "harbour" in str(qa.articles().articles)
    finally:
        page.close()
        qa.close()


def test_files_added_while_the_index_is_updated_are_indexed_once_that_is_done(
    settings: Settings, real_embedder: Any, tmp_path: Path
) -> None:
    """Added while the page's background update runs (a first build of the default corpus
    takes minutes), a file is saved at once, it is said, and an update that follows indexes it
    (the add was refused, the index being busy: "Could not index them")."""
    from gradio_client import Client, handle_file

    new = tmp_path / "lighthouse.md"
    new.write_text(
        "---\ntitle: Lighthouse keeper retires after forty years\nsource: Coast Bulletin\n"
        "published: 2024-06-01\n---\n\nThe keeper of the fictional Gullrock lighthouse retired "
        "on Friday after forty years of service.\n",
        encoding="utf-8",
    )
    with page_during_first_build(settings, real_embedder) as (qa, page):
        client = Client(page.local_url, verbose=False)
        message, *_ = client.predict([handle_file(str(new))], "", api_name="/add_articles")
        assert message == (
            "1 article read into the corpus. The index is being updated just now: they are in "
            "it once that update is done (the status line says when)."
        )
        assert (settings.corpus_dir / "lighthouse.md").is_file()
        qa.index.embedder.go_on.set()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if "Coast Bulletin" in {a.source for a in qa.articles()}:
                break
            time.sleep(0.5)
        hits = qa.search("Gullrock lighthouse keeper", k=1)
        assert hits and hits[0].article.source == "Coast Bulletin"


def test_files_removed_while_the_index_is_updated_leave_it_once_that_is_done(
    settings: Settings, real_embedder: Any
) -> None:
    """Removed while the page's background update runs (which may have read them already),
    the files are moved at once, it is said, and another update follows to take their articles
    out."""
    from gradio_client import Client

    with page_during_first_build(settings, real_embedder) as (qa, page):
        client = Client(page.local_url, verbose=False)
        message, *_ = client.predict(["wire.json"], api_name="/remove_articles")
        assert message.startswith("Removed wire.json; kept in corpus/.removed")
        assert message.endswith(
            "The index is being updated just now: their articles leave it once that update "
            "is done (the status line says when)."
        )
        assert not (settings.corpus_dir / "wire.json").exists()
        qa.index.embedder.go_on.set()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            job = qa.indexing
            done = job is not None and not job.status.running and job.status.report
            if done and "wire.json" not in {a.file for a in qa.articles()}:
                break
            time.sleep(0.5)
        files = {a.file for a in qa.articles()}
        assert files == {"valdria-harbour.md", "syndicated.jsonl"}, files


def test_a_removal_asked_while_another_session_adds_waits_for_the_add(
    settings: Settings, real_embedder: Any, tmp_path: Path
) -> None:
    """Adds and removals update the index one at a time: one asked while another session's
    add is being indexed waits for it (it was told the index was busy, its articles left in)."""
    from gradio_client import Client, handle_file

    embedder = HeldEmbedder(real_embedder, thread="AnyIO worker thread")  # (a handler's)
    qa = NewsQA(settings, embedder=embedder)
    qa.update()
    page = build_page(qa)
    page.launch(server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True)
    try:
        new = tmp_path / "gull-rock.md"
        new.write_text("---\ntitle: Gull Rock lamp relit\n---\n\nThe lamp is lit.\n", "utf-8")
        adding = Client(page.local_url, verbose=False).submit(
            [handle_file(str(new))], "", api_name="/add_articles"
        )
        assert embedder.held.wait(60)
        removing = Client(page.local_url, verbose=False).submit(
            ["wire.json"], api_name="/remove_articles"
        )
        time.sleep(2)  # (time enough for the removal to run, were it not waiting)
        embedder.go_on.set()
        assert adding.result(60)[0].startswith("1 article added")
        assert removing.result(60)[0] == (
            "Removed wire.json (3 articles); kept in corpus/.removed — move it back to restore it."
        )
        assert {a.file for a in qa.articles()} == {
            "valdria-harbour.md",
            "syndicated.jsonl",
            "gull-rock.md",
        }
    finally:
        embedder.go_on.set()
        page.close()
        qa.close()


def test_status_tells_how_to_build_a_missing_index(tmp_path) -> None:
    stats = NewsQA(Settings(index_dir=tmp_path / "none")).stats()
    assert "newsqa index update" in status_markdown(stats)


def test_the_status_says_when_the_index_was_updated_in_local_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Stored in UTC, said in the server's local time with its zone (it was UTC, unsaid), in a
    `<time>` whose UTC moment the page's script says in the visitor's zone."""
    stats = IndexStats(
        path="index",
        exists=True,
        articles=4,
        chunks=21,
        outlets={"Alpine Wire": 4},
        earliest="2024-02-10",
        latest="2024-09-22",
        updated_at="2024-07-01T12:05:09+00:00",
    )
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        moment = '<time datetime="2024-07-01T12:05:09Z" class="nq-stamp">'
        assert f"updated {moment}2024-07-01 14:05 CEST</time>" in status_markdown(stats)
        monkeypatch.setenv("TZ", "America/New_York")
        time.tzset()
        assert f"updated {moment}2024-07-01 08:05 EDT</time>" in status_markdown(stats)
    finally:
        monkeypatch.undo()
        time.tzset()


def test_a_publication_is_a_moment_only_with_its_time_and_zone() -> None:
    """A publication time with its zone is a `<time>` the visitor's browser says in its own
    zone; a day alone (a date, midnight with a zone, a time in no known zone) is that day as
    written, never shifted to the day before or after elsewhere."""
    when = datetime(2024, 2, 10, 8, 0, tzinfo=timezone(timedelta(hours=1)))
    assert moment_html(when).startswith('<time datetime="2024-02-10T07:00:00Z" class="nq-moment">')
    assert day_html(when).startswith('<time datetime="2024-02-10T07:00:00Z" class="nq-day">')
    for day in (
        datetime(2024, 5, 15),
        datetime(2024, 5, 15, tzinfo=UTC),
        datetime(2024, 5, 15, tzinfo=timezone(timedelta(hours=-7))),
        datetime(2024, 5, 15, 23, 30),
    ):
        assert moment_html(day) == day_html(day) == "15 May 2024", day
    assert moment_html(None) == "undated"


def test_a_first_build_under_way_is_said_as_such(settings: Settings, real_embedder: Any) -> None:
    """Before the first articles are in, the page says they are being indexed and how far, not
    that there are none ("0 articles · ? – ?", an answer that the index "holds no article yet"
    with a hint to add some)."""
    from gradio_client import Client

    with page_during_first_build(settings, real_embedder) as (qa, page):
        assert (
            "**Indexing the articles** · 0 of 21 passages embedded"
            in httpx.get(page.local_url, timeout=30).text
        )
        text, _ = ask(Client(page.local_url, verbose=False), "What did the council decide?")
        assert text.startswith("The articles are being indexed (0 of 21 passages embedded")
        assert "ask again in a moment" in text and "Add articles" not in text
    stats = qa.stats()
    assert stats.articles == 4
    assert status_markdown(stats, indexing="", running=False).startswith("**4 articles**")


def test_a_page_over_an_empty_corpus_says_where_to_put_articles(
    settings: Settings, counting: CountingEmbedder, tmp_path: Path
) -> None:
    """A corpus folder with no article in it yet (the default corpus deleted to start from
    one's own, as its README says to): the page said "0 articles · 0 passages · 0 outlets ·
    ? – ?" and answered that the index "holds no article yet (a first build stopped early?).
    Build it with `newsqa index update`", which builds nothing more."""
    from gradio_client import Client

    empty = tmp_path / "my-articles"
    empty.mkdir()
    (empty / "README.md").write_text("My own articles go here.\n", encoding="utf-8")
    qa = NewsQA(settings.replace(corpus_dir=empty), embedder=counting)
    job = index_behind_page(qa)
    assert job is not None and job.wait(timeout=120).report is not None
    page = build_page(qa)
    page.launch(server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True)
    try:
        status = httpx.get(page.local_url, timeout=30).text
        assert "No articles yet" in status and "? – ?" not in status
        text, _ = ask(Client(page.local_url, verbose=False), "What did the council decide?")
        # with a file in it not indexed yet, the index is what lacks them
        (empty / "council.md").write_text("Council votes\n\nThe council voted.\n", "utf-8")
        with pytest.raises(IndexMissingError, match=r"stopped early\?\)\. Build it"):
            qa.ask("What did the council decide?")
    finally:
        page.close()
        qa.close()
    text = text.replace("\\", "")  # (the chat's Markdown escapes, "test\\_a")
    assert f"{empty} holds no article files yet" in text, text
    assert "stopped early" not in text and "Add articles" in text


def test_the_page_indexes_its_corpus_folder_only_when_there_is_one(
    settings: Settings, counting: CountingEmbedder, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    qa = NewsQA(settings, embedder=counting)
    job = index_behind_page(qa)
    assert job is not None and job.wait(timeout=120).report is not None
    assert qa.stats().articles == 4
    # started from another working directory, where the default corpus/ is not: the page serves
    # the index as it is (before, the update behind it removed every article)
    elsewhere = NewsQA(
        settings.replace(corpus_dir=tmp_path / "corpus-elsewhere"), embedder=counting
    )
    assert index_behind_page(elsewhere) is None
    assert "No corpus folder" in capsys.readouterr().out
    assert elsewhere.stats().articles == 4


def test_a_source_card_links_only_web_addresses() -> None:
    from newsqa import Answer, ArticleRef, Citation
    from newsqa.web import sources_html

    def card(url: str) -> str:
        article = ArticleRef(id="a1", title="Bakery wins prize", source="Wire", url=url)
        text = "The bakery won the prize."
        cite = Citation(
            n=1,
            article=article,
            chunk_id="c1",
            chunk_text=text,
            passage=text,
            start=0,
            end=len(text),
        )
        return sources_html(Answer(question="q", text="t [1]", citations=(cite,)))

    assert '<a href="https://wire.example/bakery"' in card("https://wire.example/bakery")
    # a feed's tracking parameters are not linked (the page's own are)
    fed = card("https://wire.example/bakery?p=2&at_medium=RSS&at_campaign=KARANGA&ref=rss")
    assert '<a href="https://wire.example/bakery?p=2"' in fed
    for url in ("javascript:alert('feed')", "JavaScript:alert(1)", "data:text/html,x"):
        assert "<a href" not in card(url) and "Bakery wins prize" in card(url)


def test_overlapping_passages_of_one_article_show_as_one_text() -> None:
    """Chunks overlap: two cited chunks of an article that run on into each other are shown
    once, joined, each quote still marked."""
    from newsqa import Answer, ArticleRef, Citation
    from newsqa.web import sources_html

    article = ArticleRef(id="a1", title="Railway reopens", source="Wire")
    shared = "The repairs cost 48 million crowns and took three months of winter work."
    first = f"The Glacier Line reopened on Saturday. {shared}"
    second = f"{shared} The fare will not rise this year, the rail authority said."

    def cite(n: int, chunk: str, quote: str) -> Citation:
        start = chunk.index(quote)
        return Citation(
            n=n,
            article=article,
            chunk_id=f"c{n}",
            chunk_text=chunk,
            passage=quote,
            start=start,
            end=start + len(quote),
        )

    shown = sources_html(
        Answer(
            question="q",
            text="t [1] [2]",
            citations=(
                cite(1, second, "The fare will not rise this year"),
                cite(2, first, "The Glacier Line reopened on Saturday."),
            ),
        )
    )
    assert shown.count("48 million crowns") == 1 and shown.count('class="chunk"') == 1
    assert "<mark>The Glacier Line reopened on Saturday.</mark>" in shown
    assert "<mark>The fare will not rise this year</mark>" in shown


def test_passages_not_cited_are_linked_and_cut_only_when_long() -> None:
    from newsqa import Answer, ArticleRef, SearchHit
    from newsqa.web import sources_html

    def hit(n: int, text: str, url: str) -> SearchHit:
        article = ArticleRef(id=f"a{n}", title=f"Story {n}", source="Wire", url=url)
        return SearchHit(chunk_id=f"c{n}", text=text, score=1.0, article=article)

    short = hit(1, "The ferry runs hourly.", "https://wire.example/ferry")
    long = hit(2, "The bakery won. " * 60, "javascript:alert(1)")
    shown = sources_html(Answer(question="q", text="t", retrieved=(short, long)))
    assert '<a href="https://wire.example/ferry"' in shown and "javascript" not in shown
    assert "The ferry runs hourly.<" in shown  # whole: no "…"
    assert shown.count("…") == 1  # the long one, cut


def _quoting(passage: str) -> Any:
    """Citation [1] of a chunk that is `passage` alone."""
    from newsqa import ArticleRef, Citation

    return Citation(
        n=1,
        article=ArticleRef(id="a1", title="A story", source="Wire"),
        chunk_id="c1",
        chunk_text=passage,
        passage=passage,
        start=0,
        end=len(passage),
    )


def test_quoted_text_is_shown_as_written_in_the_chat() -> None:
    from newsqa import Answer
    from newsqa.web import answer_markdown

    quote = "The **new** rota, see [2] and `shift_b`, <b>starts</b> Monday."
    cite = _quoting(quote)
    shown = answer_markdown(Answer(question="q", text=f"Wire: {quote} [1]", citations=(cite,)))
    assert r"The \*\*new\*\* rota, see \[2\] and \`shift\_b\`, &lt;b&gt;starts&lt;/b&gt;" in shown
    marker = '<a class="cite" href="#src-1" title="Source 1: A story">[1]</a>'
    text, _, references = shown.partition('<span class="references" hidden')
    assert shown.count("<a ") == 1 and text.endswith(marker)
    assert references == ' title="[1] A story — Wire, undated"></span>'  # for the copy button


def test_statements_not_traced_to_a_source_are_marked_where_they_stand() -> None:
    from newsqa import Answer
    from newsqa.web import answer_markdown, sources_html

    said = "The repairs cost 48 million crowns."
    cite = _quoting(said)
    untraced = "The *moon* is made of cheese."
    answer = Answer(
        question="q",
        text=f"{said} [1] {untraced}",
        citations=(cite,),
        unsupported=(untraced,),
        notes=("1 statement(s) could not be traced to the sources",),
    )
    shown = answer_markdown(answer)
    marker = '<a class="cite" href="#src-1" title="Source 1: A story">[1]</a>'
    assert shown.startswith(f'{said} {marker} <span class="untraced"')
    assert (
        shown.count('<span class="untraced"') == 1
        and r"The \*moon\* is made of cheese.</span>" in shown
    )
    assert sources_html(answer).count("could not be traced") == 1  # said once, not twice


def test_a_page_served_beyond_this_machine_answers_only_with_its_own_llms(
    settings: Settings, counting: CountingEmbedder
) -> None:
    """A typed LLM would be sent the configured API key wherever it points (and a typed GGUF
    path read on the server): a page not on loopback takes only its configured answerers."""
    from gradio_client import Client

    qa = NewsQA(settings.replace(llm_api_key="sk-secret"), embedder=counting)
    qa.update()
    page = build_page(qa, typed_llms=False)
    page.launch(server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True)
    try:
        client = Client(page.local_url, verbose=False)
        with unresponsive_llm() as server:
            for typed in (server.llm, "gguf:/etc/hostname"):
                try:
                    chat, _, _ = client.predict(
                        "How much did the avalanche repairs cost?",
                        [],
                        [],
                        "",
                        "",
                        typed,
                        api_name="/ask",
                    )
                    said = _text(chat[-1]["content"])
                except Exception as exc:  # Gradio's own check of the dropdown's choices
                    said = str(exc)
                assert "not in the list of choices" in said or "answers with" in said, said
            assert not server.taken  # the key never left
        text, _ = ask(client, "How much did the avalanche repairs cost?")  # offline: fine
        assert "48 million crowns" in text
    finally:
        page.close()


def test_what_a_browser_keeps_of_a_conversation(
    settings: Settings, counting: CountingEmbedder, tmp_path: Path
) -> None:
    """The page's record of a conversation for the browser to keep: JSON, the latest turns,
    passages only for the last answer, read back the same; what cannot be read starts afresh.
    Its key is kept in the index folder, for the owner only, so a restart reads it again."""
    import json
    import stat

    from newsqa.web.kept import KEPT_TURNS, kept, page_secret, restored
    from newsqa.web.render import answer_markdown, sources_html

    qa = NewsQA(settings, embedder=counting)
    qa.update()
    first = qa.ask("How much did the avalanche repairs on the Glacier Line cost?")
    second = qa.ask("Who is the harbour director in Valdria?", [first])
    chat = [
        m
        for a in (first, second)
        for m in (
            {"role": "user", "content": a.question},
            {"role": "assistant", "content": answer_markdown(a)},
        )
    ]
    record = json.loads(json.dumps(kept(chat, [first, second], sources_html(second))))
    assert record["cards"] and record["answers"][0]["retrieved"] == []
    assert record["answers"][1]["retrieved"] == [h.to_dict() for h in second.retrieved]
    again = restored(record)
    assert again is not None
    chat_again, answers_again, panel = again
    assert chat_again == chat and panel == sources_html(second)
    assert [a.text for a in answers_again] == [first.text, second.text]
    assert kept(chat, [first, second], sources_html(None))["cards"] is False
    assert restored({**record, "cards": False})[2] == sources_html(None)  # type: ignore[index]
    many = chat * KEPT_TURNS
    assert len(kept(many, [first, second] * KEPT_TURNS, "")["chat"]) == 2 * KEPT_TURNS
    for unreadable in (None, {}, "text", {"chat": "x"}, {**record, "answers": [{"text": 1}]}):
        assert restored(unreadable) is None
    assert kept([], [], "") == {}

    key = page_secret(tmp_path / "index")
    assert key and page_secret(tmp_path / "index") == key
    assert stat.S_IMODE((tmp_path / "index" / "page-secret").stat().st_mode) == 0o600
    assert page_secret(Path("/proc/no-such-index")) is None
