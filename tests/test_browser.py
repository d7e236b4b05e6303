"""The page end to end: the real Gradio server on loopback over the fixture index, driven by a
real headless Chromium as a person would. Screenshots land in artifacts/screenshots/."""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest
from browser import (
    BOT,
    TIMEOUT_MS,
    USER,
    ask,
    card_for,
    cards,
    choose,
    chromium,
    contrasts,
    open_accordion,
    open_page,
    record_bot_texts,
    recorded_bot_texts,
    screenshot,
    wait_idle,
)
from conftest import FIXTURES, CountingEmbedder, page_during_first_build
from llm_server import llm_server, open_connections, unresponsive_llm  # noqa: F401
from loopback import answering, serving
from playwright.sync_api import expect

from newsqa import NewsQA, Settings
from newsqa.web import build_page
from newsqa.web.kept import STORAGE_KEY
from newsqa.web.page import CSS

pytestmark = pytest.mark.slow

T = TypeVar("T")

GLACIER = "How much did the avalanche repairs on the Glacier Line cost?"


@dataclass
class Served:
    url: str
    qa: NewsQA


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, real_embedder: Any) -> Iterator[Served]:
    """One server for the whole module, on the fixture corpus with conftest's `settings`."""
    root = tmp_path_factory.mktemp("browser")
    shutil.copytree(FIXTURES / "corpus", root / "corpus")
    settings = Settings(
        corpus_dir=root / "corpus", index_dir=root / "index", chunk_size=64, chunk_overlap=8
    )
    qa = NewsQA(settings, embedder=CountingEmbedder(real_embedder))
    qa.update()
    blocks = build_page(qa)
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)  # anything Gradio writes relative to the working directory stays here
        blocks.launch(
            server_name="127.0.0.1",
            server_port=None,
            prevent_thread_lock=True,
            quiet=True,
            css=CSS,
        )
    try:
        yield Served(blocks.local_url, qa)
    finally:
        blocks.close()
        qa.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser: Any, served: Served) -> Iterator[Any]:
    """The page in a fresh browser context: its own Gradio session, so its own conversation."""
    p = open_page(browser, served.url)
    try:
        yield p
    finally:
        p.context.close()


def test_page_loads_with_index_status_and_examples(page: Any, served: Served) -> None:
    stats = served.qa.stats()
    status = page.locator("#index-status")
    status.get_by_text(f"{stats.articles} articles").wait_for()
    text = status.inner_text()
    assert f"{stats.chunks} passages" in text and f"{len(stats.outlets)} outlets" in text
    # when, in this machine's time, its zone said
    assert re.search(r"updated \d{4}-\d\d-\d\d \d\d:\d\d (?:[A-Z]{2,5}|GMT[+-][\d:]+)\b", text)
    assert page.title() == "newsqa"
    assert page.locator(f"{BOT}, {USER}").count() == 0
    examples = page.locator("#examples button")
    examples.first.wait_for()
    assert examples.count() >= 2
    screenshot(page, "01-loaded")


def test_answer_streams_with_citation_and_highlighted_source(page: Any) -> None:
    record_bot_texts(page)
    answer = ask(page, GLACIER)
    final = answer.inner_text()
    assert "48 million crowns" in final and "[1]" in final
    # streamed: the bubble was updated before the final text (a placeholder, then the text)
    seen = recorded_bot_texts(page)
    assert len(seen) >= 2 and seen[-1] == final.strip(), seen
    assert page.locator("#question textarea").input_value() == ""

    # each marker described by its source, for a screen reader (and on hover)
    marker = answer.get_by_role("link", name="[1]").first
    expect(marker).to_have_accessible_description(
        "Source 1: Glacier railway reopens after avalanche repairs"
    )
    card = card_for(page, 1)
    assert card.locator("mark", has_text="48 million crowns").count() == 1
    link = card.locator("h4 a")
    assert link.get_attribute("href") == "https://alpinewire.example.com/glacier-railway-reopens"
    assert link.inner_text() == "Glacier railway reopens after avalanche repairs"
    # (its time in this machine's zone: see test_times_are_shown_in_the_visitor_s_zone)
    assert re.fullmatch(
        r"Alpine Wire · \d+ Feb 2024, \d\d:\d\d \S+", card.locator(".meta").inner_text()
    )
    # passages retrieved but not cited are there, folded away
    uncited = page.locator("#sources details:not(.claims)")
    assert uncited.count() >= 1 and uncited.first.get_attribute("open") is None
    screenshot(page, "02-answer")


def test_copy_button_copies_the_answer_as_shown_with_its_sources(page: Any) -> None:
    """Gradio's copy button copies a message's Markdown source (the citation links' HTML,
    backslash escapes): the page copies what is shown instead, and the latest answer's sources."""
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    question = "How much did the Glacier Line's *avalanche* repairs cost?"
    answer = ask(page, question)
    copy_buttons = page.locator('#chat button[aria-label="Copy message"]')
    assert copy_buttons.count() == 2  # the question's and the answer's

    def copied(button: Any) -> str:
        page.evaluate("() => navigator.clipboard.writeText('')")
        button.click()
        page.wait_for_function("() => navigator.clipboard.readText().then(t => t.length > 0)")
        page.wait_for_timeout(300)  # Gradio's copy, then the page's
        return str(page.evaluate("() => navigator.clipboard.readText()"))

    text = copied(copy_buttons.last)
    shown, _, sources = text.partition("\n\nSources:\n")
    assert shown == answer.inner_text().strip()
    assert "48 million crowns" in shown and "[1]" in shown
    assert "<a" not in text and "\\" not in text
    first, url = sources.splitlines()[:2]
    assert first.startswith("[1] ")
    assert first.endswith(
        " Glacier railway reopens after avalanche repairs — Alpine Wire, 2024-02-10"
    )
    assert url == "    https://alpinewire.example.com/glacier-railway-reopens"
    # the question as typed, not its escaped Markdown
    assert copied(copy_buttons.first) == question


def test_copy_button_of_an_earlier_answer_copies_its_own_sources(page: Any) -> None:
    """Each answer is copied with the sources it cites, not only the latest (an earlier one was
    copied with its [n] and no source)."""
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    first = ask(page, GLACIER)
    ask(page, "Who is the harbour director in Valdria?")
    copy_buttons = page.locator('#chat button[aria-label="Copy message"]')
    assert copy_buttons.count() == 4
    page.evaluate("() => navigator.clipboard.writeText('')")
    copy_buttons.nth(1).click()  # the first answer's
    page.wait_for_function(
        "() => navigator.clipboard.readText().then(t => t.includes('Sources:'))",
        timeout=TIMEOUT_MS,
    )
    text = str(page.evaluate("() => navigator.clipboard.readText()"))
    shown, _, sources = text.partition("\n\nSources:\n")
    assert shown == first.inner_text().strip() and "[1]" in shown
    assert "Glacier railway reopens after avalanche repairs — Alpine Wire" in sources
    assert "Valdria" not in sources


def _in_view(page: Any, locator: Any) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] < page.viewport_size["height"] and box["y"] >= 0


def test_citation_marker_scrolls_to_its_source_card(browser: Any, served: Served) -> None:
    # phone-sized, so the sources stack below the chat and the card starts out of view
    page = open_page(browser, served.url, width=420, height=800)
    try:
        ask(page, GLACIER)
        marker = page.locator("#chat a", has_text="[1]").first
        assert (marker.get_attribute("href") or "").endswith("#src-1")
        card = card_for(page, 1)
        assert not _in_view(page, card)
        screenshot(page, "03-phone-answer", full_page=False)
        marker.click()
        page.wait_for_url("**#src-1")
        assert len(page.context.pages) == 1  # followed in place, not in a new tab
        page.wait_for_function(
            "() => { const r = document.querySelector('#src-1').getBoundingClientRect();"
            " return r.top >= 0 && r.top < innerHeight; }"
        )
        # the card cited is marked, so the eye finds it among the others
        assert "solid" in card.evaluate("e => getComputedStyle(e).outlineStyle")
        screenshot(page, "03-phone-citation-clicked", full_page=False)
    finally:
        page.context.close()


def test_a_phone_shows_the_page_without_sideways_scrolling(browser: Any, served: Served) -> None:
    """At 390 px: nothing wider than the screen (the articles table scrolls in its own box),
    narrow margins, the question box the full width with Ask and New chat side by side under
    it (it was squeezed beside Ask, New chat alone on a line below)."""
    page = open_page(browser, served.url, width=390, height=844)
    try:
        ask(page, GLACIER)
        for label in ("Filters", "Add articles", "Articles in the index"):
            open_accordion(page, label)
        page.locator("#articles table").wait_for()
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        box = page.locator("#question").bounding_box()
        ask_button, new = (page.locator(s).bounding_box() for s in ("#ask", "#new-chat"))
        assert box and ask_button and new
        assert box["x"] <= 12 and box["x"] + box["width"] >= 390 - 12, box
        assert ask_button["y"] >= box["y"] + box["height"] and ask_button["y"] == new["y"]
        assert ask_button["x"] + ask_button["width"] <= new["x"]
        page.locator("#ask-row").scroll_into_view_if_needed()
        screenshot(page, "03-phone-question-box", full_page=False)
    finally:
        page.context.close()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_source_cards_and_citation_markers_are_readable(
    browser: Any, served: Served, theme: str
) -> None:
    """Every text of the cards at least 4.5:1 against what it is shown on (the outlet and date
    were light grey on white, 1.8:1; a highlight light text on yellow in the dark theme), and
    the answer's [n] coloured as links, apart from the text around them."""
    page = open_page(browser, f"{served.url}?__theme={theme}")
    try:
        answer = ask(page, GLACIER)
        assert page.evaluate("() => document.body.classList.contains('dark')") == (theme == "dark")
        for details in page.locator("#sources details").all():
            details.evaluate("e => e.open = true")
        shown = contrasts(page, "#sources .card, #sources details")
        # (the highlighted quote among them)
        assert len(shown) >= 5 and any("48 million crowns" in t["text"] for t in shown)
        assert [t for t in shown if t["ratio"] < 4.5] == [], theme
        marker = answer.locator("a.cite").first
        assert all(t["ratio"] >= 4.5 for t in contrasts(page, f"{BOT} a.cite")), theme
        text_colour = answer.locator("p").first.evaluate("e => getComputedStyle(e).color")
        assert marker.evaluate("e => getComputedStyle(e).color") != text_colour
        assert "underline" in marker.evaluate("e => getComputedStyle(e).textDecorationLine")
        screenshot(page, f"02-answer-{theme}", full_page=False)
    finally:
        page.context.close()


def test_outlet_filter_limits_every_source(page: Any) -> None:
    open_accordion(page, "Filters")
    choose(page, "#outlets", "Metro Ledger")
    ask(page, "How did the council vote on night buses?")
    assert cards(page).count() >= 1
    outlets = cards(page).locator(".meta").all_inner_texts()
    assert all(o.startswith("Metro Ledger ·") for o in outlets), outlets
    for item in page.locator("#sources details:not(.claims) li").all_text_contents():
        assert "— Metro Ledger," in item, item
    screenshot(page, "04-outlet-filter")


def test_date_filter_limits_every_source(page: Any) -> None:
    open_accordion(page, "Filters")
    page.locator("#since input, #since textarea").first.fill("2024-05-01")
    page.locator("#until input, #until textarea").first.fill("2024-05-31")
    ask(page, "What did the council and the cooperative decide?")
    dates = cards(page).locator(".meta").all_inner_texts()
    dates += page.locator("#sources details:not(.claims) li").all_text_contents()
    assert dates and all("May 2024" in d for d in dates), dates


def test_the_filters_label_says_what_is_set(page: Any) -> None:
    """Closed, the Filters accordion says the filters a question will be held to."""
    label = page.locator("button.label-wrap", has_text="Filters").locator("span").first
    expect(label).to_have_text("Filters")
    open_accordion(page, "Filters")
    choose(page, "#outlets", "Metro Ledger", "Alpine Wire")
    since = page.locator("#since input, #since textarea").first
    since.press_sequentially("2024-05-01", delay=30)  # relabelled at each key, the text kept
    expect(label).to_have_text("Filters: Metro Ledger, Alpine Wire · since 2024-05-01")
    assert since.input_value() == "2024-05-01"
    page.locator("#until input, #until textarea").first.fill("June 2024")
    expect(label).to_have_text(
        "Filters: Metro Ledger, Alpine Wire · since 2024-05-01 · until June 2024"
    )
    label.click()  # closed: the filters are still said
    screenshot(page, "04-filters-label")
    open_accordion(page, "Filters")
    since.fill("")
    page.locator("#until input, #until textarea").first.fill("")
    expect(label).to_have_text("Filters: Metro Ledger, Alpine Wire")


def test_a_from_date_after_the_to_date_is_said_in_the_page_s_words(page: Any) -> None:
    open_accordion(page, "Filters")
    page.locator("#since input, #since textarea").first.fill("2024-06-01")
    page.locator("#until input, #until textarea").first.fill("May 2024")
    answer = ask(page, "What did the council decide?")
    assert answer.inner_text().strip() == (
        "The From date (2024-06-01) is after the To date (May 2024), so no article can match: "
        "swap them, or clear one, under Filters."
    )
    assert page.locator("#question textarea").input_value() == "What did the council decide?"


def test_follow_up_uses_the_conversation(page: Any) -> None:
    assert "Quist" in ask(page, "Who is the harbour director in Valdria?").inner_text()
    follow_up = ask(page, "What did he tell reporters?")
    assert "ships wait for nobody" in follow_up.inner_text()
    assert page.locator(USER).count() == 2
    screenshot(page, "05-follow-up")


def test_a_question_of_its_own_after_choosing_an_outlet_is_no_follow_up(page: Any) -> None:
    """An outlet chosen after a question: "What is the latest news?" gets that outlet's news,
    not the latest on the question before (searched in the outlet, which has none of it)."""
    assert "Quist" in ask(page, "Who is the harbour director in Valdria?").inner_text()
    open_accordion(page, "Filters")
    choose(page, "#outlets", "Metro Ledger")
    latest = ask(page, "What is the latest news?").inner_text()
    assert "don't say enough" not in latest and "night bus" in latest
    outlets = cards(page).locator(".meta").all_inner_texts()
    assert outlets and all(o.startswith("Metro Ledger ·") for o in outlets), outlets


def test_new_chat_forgets_the_conversation(page: Any) -> None:
    ask(page, "Who is the harbour director in Valdria?")
    page.locator("#new-chat").click()
    page.locator(BOT).first.wait_for(state="detached")
    assert page.locator(USER).count() == 0
    assert cards(page).count() == 0
    screenshot(page, "06-new-chat")
    # the box has the focus (the button kept it), for the new conversation's first question
    page.wait_for_function("() => document.activeElement?.closest('#question') != null")
    # the next question is not read as a follow-up of the forgotten one
    assert "ships wait for nobody" not in ask(page, "What did he tell reporters?").inner_text()


def test_chat_clear_button_also_forgets_the_conversation(page: Any) -> None:
    ask(page, "Who is the harbour director in Valdria?")
    clear = page.locator("#chat button[aria-label=Clear]")
    if clear.count():
        clear.click()
        page.locator(BOT).first.wait_for(state="detached")
        cards(page).first.wait_for(state="detached")  # the reset reaches the panel a moment later
        assert "ships wait for nobody" not in ask(page, "What did he tell reporters?").inner_text()


def _kept_after(page: Any, act: Callable[[], T]) -> T:
    """Do `act`, and wait until the browser has kept what it changed: the first record written
    after it (each is encrypted afresh, so a new record is always another text). Its record
    read at the start, not once `act` is done: a reloaded page writes what it restores again,
    and an answer's record comes a moment after the answer (waiting for one other than the
    record before an answer could take that rewrite, or the answer before, for it)."""
    get = f"() => localStorage.getItem({STORAGE_KEY!r})"
    before = page.evaluate(get)
    done = act()
    page.wait_for_function(f"(before) => ({get})() !== before", arg=before)
    return done


def test_a_reload_carries_on_with_the_conversation(page: Any) -> None:
    """The browser keeps the conversation: after a reload the chat, its sources and the
    conversation a follow-up reads are there again; after New chat, nothing is."""
    harbour = "Who is the harbour director in Valdria?"
    _kept_after(page, lambda: ask(page, GLACIER))
    _kept_after(page, lambda: ask(page, harbour))  # (a reload before it would lose the answer)
    page.reload(wait_until="domcontentloaded")
    page.locator(BOT).nth(1).wait_for()
    assert page.locator(USER).all_inner_texts() == [GLACIER, harbour]
    assert "48 million crowns" in page.locator(BOT).first.inner_text()
    assert "Quist" in cards(page).first.inner_text()  # the last answer's sources
    follow_up = _kept_after(page, lambda: ask(page, "What did he tell reporters?"))
    assert "ships wait for nobody" in follow_up.inner_text()
    _kept_after(page, page.locator("#new-chat").click)
    page.locator(BOT).first.wait_for(state="detached")
    page.reload(wait_until="domcontentloaded")
    page.locator("#sources .empty").wait_for()
    # nothing comes back: the next question is the chat's only one, and no follow-up (what
    # the page restores comes with its first events, before the question's)
    answer = ask(page, "What did he tell reporters?")
    assert page.locator(USER).all_inner_texts() == ["What did he tell reporters?"]
    assert "ships wait for nobody" not in answer.inner_text()


# the glacier story was published at 08:00 CET on 10 Feb 2024 (07:00 UTC); the night bus story
# on 15 May 2024, a day without a time
@pytest.mark.parametrize(
    ("zone", "glacier", "day"),
    [
        ("Asia/Tokyo", "10 Feb 2024, 16:00 GMT+9", "10 Feb 2024"),
        ("America/Los_Angeles", "9 Feb 2024, 23:00 PST", "9 Feb 2024"),
    ],
)
def test_times_are_shown_in_the_visitor_s_zone(
    browser: Any, served: Served, zone: str, glacier: str, day: str
) -> None:
    """A visitor in another zone than the server's reads the index's last update, each
    article's publication time and an answer's "as of" day in their own zone, the zone said;
    a publication day without a time is that day everywhere. So again after a reload."""
    page = open_page(browser, served.url, zone=zone)
    updated = datetime.fromisoformat(served.qa.stats().updated_at).astimezone(ZoneInfo(zone))
    name = "GMT+9" if zone == "Asia/Tokyo" else updated.tzname()  # (as Chromium says them)
    status = page.locator("#index-status")
    expect(status).to_contain_text(f"updated {updated:%Y-%m-%d %H:%M} {name}")

    open_accordion(page, "Articles in the index")
    listing = page.locator("#articles")
    row = listing.locator("tr", has_text="Glacier railway reopens after avalanche repairs")
    expect(row.locator("td.day")).to_have_text(glacier)
    row = listing.locator("tr", has_text="City council approves night bus network")
    expect(row.locator("td.day")).to_have_text("15 May 2024")

    def said() -> None:
        expect(card_for(page, 1).locator(".meta")).to_have_text(f"Alpine Wire · {glacier}")
        expect(page.locator(BOT).first).to_contain_text(f"As of {day} (newest source cited).")

    _kept_after(page, lambda: ask(page, GLACIER))
    said()
    page.reload(wait_until="domcontentloaded")
    page.locator(BOT).first.wait_for()
    said()
    expect(status).to_contain_text(f"updated {updated:%Y-%m-%d %H:%M} {name}")
    page.context.close()


def test_sessions_do_not_share_conversations(browser: Any, served: Served) -> None:
    first, second = open_page(browser, served.url), open_page(browser, served.url)
    try:
        for p, question in ((first, GLACIER), (second, "Who is the harbour director in Valdria?")):
            box = p.locator("#question textarea")
            box.fill(question)
            box.press("Enter")  # both in flight at once; the server queues them
        for p in (first, second):
            p.locator(BOT).first.wait_for()
            wait_idle(p)
        assert first.locator(USER).all_inner_texts() == [GLACIER]
        assert "48 million crowns" in first.locator(BOT).inner_text()
        assert second.locator(USER).all_inner_texts() == ["Who is the harbour director in Valdria?"]
        assert "Quist" in second.locator(BOT).inner_text()
        # each follow-up resolves against its own session's conversation only
        assert "ships wait for nobody" in ask(second, "What did he tell reporters?").inner_text()
        assert "Alpine Wire" in card_for(first, 1).inner_text()
        screenshot(first, "07-session-a")
        screenshot(second, "07-session-b")
    finally:
        first.context.close()
        second.context.close()


def test_example_question_is_asked_on_click(page: Any) -> None:
    example = page.locator("#examples button").first
    question = example.inner_text().strip().rstrip(".…")
    example.click()
    page.locator(BOT).first.wait_for()
    wait_idle(page)
    asked = page.locator(USER).inner_text()
    assert asked.startswith(question), (asked, question)
    assert cards(page).count() >= 1
    screenshot(page, "08-example")
    # the box has the focus back, for the next question typed
    page.wait_for_function("() => document.activeElement?.closest('#question') != null")


def test_a_first_build_shows_its_progress_without_an_overlay(
    browser: Any, tmp_path: Path, real_embedder: Any
) -> None:
    """While a first build runs, the status line says how far it is, refreshed every two seconds
    without Gradio's "processing | 0.3s" laid over it each time."""
    shutil.copytree(FIXTURES / "corpus", tmp_path / "corpus")
    settings = Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")
    with page_during_first_build(settings, real_embedder) as (_, blocks):
        context = browser.new_context()
        context.set_default_timeout(TIMEOUT_MS)
        # watched from the first paint, before the page's load event asks for the status
        context.add_init_script(
            """window.__overlaid = 0;
            new MutationObserver(() => {
              const shown = document.querySelector('#index-status .progress-text');
              if (shown && shown.checkVisibility({opacityProperty: true, visibilityProperty: true})
                  && /processing/.test(shown.textContent)) window.__overlaid += 1;
            }).observe(document, {subtree: true, childList: true, characterData: true});"""
        )
        page = context.new_page()
        refreshed = []
        page.on("requestfinished", lambda r: "/queue/join" in r.url and refreshed.append(r))
        page.goto(blocks.local_url, wait_until="domcontentloaded")
        page.locator("#index-status", has_text="Indexing the articles").wait_for()
        # the page's own refresh, then two ticks of its timer
        deadline = time.monotonic() + 20
        while len(refreshed) < 3 and time.monotonic() < deadline:
            page.wait_for_timeout(200)
        assert len(refreshed) >= 3
        assert page.evaluate("() => window.__overlaid") == 0
        context.close()


def test_a_page_without_an_index_shows_the_command_that_builds_it(
    browser: Any, tmp_path: Path, counting: CountingEmbedder
) -> None:
    """No index yet: no "Try one of these" label over nothing, and a question is answered with
    the command to build the index, as code (it was a sentence with the backticks shown)."""
    settings = Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "no index")
    qa = NewsQA(settings, embedder=counting)
    blocks = build_page(qa)
    blocks.launch(
        server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True, css=CSS
    )
    page = open_page(browser, blocks.local_url)
    try:
        page.locator("#index-status", has_text="No index yet").wait_for()
        page.wait_for_timeout(500)  # (the page's first refresh, which sets the examples)
        expect(page.get_by_text("Try one of these")).to_be_hidden()
        answer = ask(page, "What did the council decide?")
        command = answer.locator("code").inner_text()
        assert command.startswith("newsqa --index ") and command.endswith(" index update")
        assert "`" not in answer.inner_text()
        screenshot(page, "13-no-index")
    finally:
        page.context.close()
        blocks.close()
        qa.close()


def test_unreachable_llm_falls_back_to_offline_answer(page: Any) -> None:
    _answer_with(page, "openai:nomodel@http://127.0.0.1:9/v1")  # nothing listens on port 9
    answer = ask(page, GLACIER)
    assert "48 million crowns" in answer.inner_text()
    note = page.locator("#sources .note").first.inner_text()
    assert "could not be reached" in note and "answered offline" in note
    assert "answered offline" in answer.inner_text()  # said where the answer is read too


def _answer_with(page: Any, llm: str) -> None:
    open_accordion(page, "Filters")
    field = page.locator("#answerer input[role=combobox]")
    field.fill(llm)
    field.press("Enter")


def _ask_with(page: Any, llm: str) -> Any:
    """Choose `llm` as the answerer, and ask the Glacier Line question with Enter; the box."""
    _answer_with(page, llm)
    box = page.locator("#question textarea")
    box.fill(GLACIER)
    box.press("Enter")
    return box


def test_stop_ends_an_answer_being_written(page: Any) -> None:
    """An LLM that hangs holds the answer; Stop ends it at once, and its request (the connection
    closed), the page takes the next question while the LLM still hangs, and nothing the
    abandoned answer sends later reaches the page."""
    with unresponsive_llm() as llm:
        box = _ask_with(page, llm.llm)
        stop = page.locator("#stop")
        stop.wait_for()  # Stop stands where Ask was
        assert not page.locator("#ask").is_visible()
        # nor can an example be asked beside it (it overwrote the answer being written)
        page.locator("#examples").wait_for(state="hidden")
        llm.wait_for_request()
        # while the LLM reads them, the passages it was given are shown
        found = page.locator("#sources details[open]", has_text="passage(s) found")
        found.get_by_text("Glacier railway reopens after avalanche repairs").first.wait_for()
        assert "Writing the answer from these passages" in page.locator("#sources").inner_text()
        # and the answer's bubble says what the LLM does, not "…" for as long as it takes
        expect(page.locator(BOT).last).to_have_text("Reading the 8 passages found…")
        stop.click()
        page.locator(BOT, has_text="Stopped.").wait_for()
        assert llm.hung_up(timeout=1.5)  # the request's connection closed at once
        page.locator("#ask").wait_for()
        page.locator("#examples").wait_for()
        assert not stop.is_visible() and cards(page).count() == 0
        assert "Stopped. The passages found were these:" in page.locator("#sources").inner_text()
        screenshot(page, "09-stopped")
        _answer_with(page, "offline (no LLM)")
        box.fill("Who is the harbour director in Valdria?")
        box.press("Enter")
        answer = page.locator(BOT).nth(1)
        answer.wait_for()
        wait_idle(page)
        assert "Quist" in answer.inner_text()
    page.wait_for_timeout(1500)  # anything the abandoned answer still sent has landed
    assert page.locator(BOT).first.inner_text().strip() == "Stopped."
    assert page.locator(BOT).count() == 2 and "Quist" in card_for(page, 1).inner_text()


def test_a_question_sent_right_after_stop_is_taken(page: Any) -> None:
    """Enter pressed at once after Stop: the question is taken (until the stopped answer's
    event had ended, up to half a second later, the page dropped it, left in the box)."""
    with unresponsive_llm() as llm:
        box = _ask_with(page, llm.llm)
        llm.wait_for_request()
        _answer_with(page, "offline (no LLM)")  # for the next question
        page.locator("#stop").click()
        page.locator(BOT, has_text="Stopped.").wait_for()
        box.fill("Who is the harbour director in Valdria?")
        box.press("Enter")
        page.locator(USER).nth(1).wait_for()
        assert box.input_value() == ""
        wait_idle(page)
        assert "Quist" in page.locator(BOT).nth(1).inner_text()


def test_a_question_sent_another_way_meanwhile_is_not_taken(page: Any) -> None:
    """Asked with Ask, the answer waits on a silent LLM; Enter on another question meanwhile
    does not take it (it cut the first answer off, whose bubble stayed "…"): it stays in the
    box and Stop stays."""
    with unresponsive_llm() as llm:
        _answer_with(page, llm.llm)
        box = page.locator("#question textarea")
        box.fill(GLACIER)
        page.locator("#ask").click()
        stop = page.locator("#stop")
        stop.wait_for()
        llm.wait_for_request()
        box.fill("Who is the harbour director in Valdria?")
        box.press("Enter")
        page.wait_for_timeout(1500)
        assert box.input_value() == "Who is the harbour director in Valdria?"
        assert page.locator(USER).count() == 1 and stop.is_visible()
        assert not page.locator("#ask").is_visible()
        # still waiting on the LLM, which reads what was found
        assert page.locator(BOT).last.inner_text().strip() == "Reading the 8 passages found…"
        stop.click()
        page.locator(BOT, has_text="Stopped.").wait_for()


def test_stop_while_an_llm_streams_leaves_the_mark(
    page: Any,
    llm_server: str,  # noqa: F811
) -> None:
    """Stopped while tokens are coming in (the real llama.cpp server): an update the answer had
    sent just before never covers the mark, and the cursor is gone."""
    _answer_with(page, f"openai:smollm2@{llm_server}")
    box = page.locator("#question textarea")
    box.fill("Describe everything the articles say about the Valdria harbour, in detail.")
    box.press("Enter")
    page.wait_for_function(  # its first words are in
        """() => {
          const bots = document.querySelectorAll('#chat [data-testid=bot]');
          const text = bots.length ? bots[bots.length - 1].innerText : '';
          return /\\w.*▍/s.test(text);
        }""",
        timeout=120_000,
    )
    page.locator("#stop").click()
    page.locator(BOT, has_text="Stopped.").wait_for()
    page.wait_for_timeout(2000)  # any update already on its way has landed by now
    text = page.locator(BOT).last.inner_text().strip()
    assert text.endswith("Stopped.") and "▍" not in text, text
    assert page.locator("#ask").is_visible() and not page.locator("#stop").is_visible()


def _requested(url: str) -> None:
    """Until a request to the LLM server at `url` is on its way (its connection open)."""
    deadline = time.monotonic() + 60
    while open_connections(url) == 0:
        assert time.monotonic() < deadline, "the LLM request never came"
        time.sleep(0.05)


def _closed_at_once(page: Any, url: str) -> None:
    """The answer is marked stopped, and its request to the LLM server at `url` closed within
    a second and a half."""
    page.locator(BOT, has_text="Stopped.").wait_for()
    stopped = time.monotonic()
    while open_connections(url) > 0:
        assert time.monotonic() - stopped < 1.5, "the LLM request is still open after Stop"
        time.sleep(0.05)


def test_stop_before_the_llm_s_first_token_closes_its_request(
    page: Any,
    llm_server: str,  # noqa: F811
) -> None:
    """Stopped while the real llama.cpp server reads the prompt (before its first token): the
    request's connection is closed at once, so a server that watches it stops working for the
    answer (it stayed open until the first token: tens of seconds on a busy CPU). This server,
    llama-cpp-python's, notices only when it next sends, after the prompt is read."""
    _answer_with(page, f"openai:smollm2@{llm_server}")
    box = page.locator("#question textarea")
    box.fill("What did the Valdria harbour director say about the new quay, and when?")
    box.press("Enter")
    _requested(llm_server)
    page.locator("#stop").click()
    _closed_at_once(page, llm_server)


def test_a_follow_up_stopped_while_the_llm_rewrites_it_asks_nothing_more(
    page: Any,
    llm_server: str,  # noqa: F811
) -> None:
    """Stopped while the real llama.cpp server rewrites a follow-up to stand alone: that request
    is closed at once, and the answer's own request is never sent (the page went on to send it
    once the rewrite came back, and the server wrote for an answer no one would read)."""
    ask(page, GLACIER)  # offline: the conversation the follow-up reads
    _answer_with(page, f"openai:smollm2@{llm_server}")
    box = page.locator("#question textarea")
    box.fill("And when did it reopen?")
    box.press("Enter")
    _requested(llm_server)  # the rewrite is asked
    page.locator("#stop").click()
    _closed_at_once(page, llm_server)
    for _ in range(30):  # and nothing asked after it (each request opens a connection)
        assert open_connections(llm_server) == 0, "the LLM was asked again after Stop"
        time.sleep(0.1)


def test_new_chat_during_an_answer_stays_new(page: Any) -> None:
    with unresponsive_llm() as llm:
        _ask_with(page, llm.llm)
        llm.wait_for_request()
        page.locator("#new-chat").click()
        page.locator(USER).first.wait_for(state="detached")
        assert llm.hung_up(timeout=1.5)  # the answer's request ended with it
    page.locator("#ask").wait_for()  # Ask is back (Stop hidden) once the chat is new
    page.locator("#stop").wait_for(state="hidden")
    page.wait_for_timeout(1500)  # the abandoned answer would have come back by now
    assert page.locator(f"{BOT}, {USER}").count() == 0, page.locator("#chat").inner_text()


# -- adding articles (these change the shared index, so they run last) ------------------------

NEW_ARTICLE = """---
title: Lighthouse on Gull Rock relit after a century
source: Coastal Gazette
published: 2024-10-05T10:00:00+00:00
url: https://gazette.example.net/gull-rock-lighthouse
---

The lighthouse on Gull Rock was relit on Saturday, a hundred years after it went dark.
Keeper Oona Vell said the new lamp can be seen from seventeen nautical miles away.
"""

PAGE_HTML = """<!doctype html><html><head><title>Ferry to Tarn Island returns</title>
<meta property="og:title" content="Ferry to Tarn Island returns">
<meta property="og:site_name" content="Lakeside Post">
<meta property="article:published_time" content="2024-11-02T08:00:00+00:00">
</head><body><article><h1>Ferry to Tarn Island returns</h1>
<p>The ferry to Tarn Island resumed service on Saturday after the pier was rebuilt with larch
wood from the island's own forest, the lake authority said.</p>
<p>Captain Ilse Brandt said the crossing takes twenty-two minutes and the first boat carried
ninety-one passengers and four bicycles.</p></article></body></html>"""


@pytest.fixture
def article_url() -> Iterator[str]:
    """A news page served on loopback for the URL box to fetch."""
    with answering(200, PAGE_HTML.encode(), "text/html; charset=utf-8") as site:
        yield f"{site}/ferry"


def _wait_added(page: Any, before: str = "") -> str:
    """The add's message, once it is there and is not `before` (the message of an add before;
    while the add runs, the box shows its progress)."""
    page.wait_for_function(
        """(before) => {
          const box = document.querySelector('#add-status');
          const busy = box?.querySelector('[data-testid=status-tracker]:not(.hide)');
          const text = box?.innerText || '';
          const said = /indexed\\.|Nothing new|No article could|Could not|Only http|Choose files/;
          return !busy && text !== before && said.test(text);
        }""",
        arg=before,
        timeout=TIMEOUT_MS,
    )
    return str(page.locator("#add-status").inner_text())


def _add_file(page: Any, upload: Path) -> str:
    """Upload `upload` through "Add articles" and add it; the status the page gives."""
    open_accordion(page, "Add articles")
    # the file input exists before the accordion has opened; upload once the component shows
    page.locator("#upload").wait_for(state="visible")
    page.locator("#upload input[type=file]").set_input_files(str(upload))
    # uploaded once the file's row links to the server's copy (while the upload runs the box
    # shows the name as text; the finished row splits it into stem and extension)
    page.locator(f'#upload a[download="{upload.name}"]').wait_for()
    before = page.locator("#add-status").inner_text()
    page.locator("#add").click()
    return _wait_added(page, before)


def test_uploaded_file_is_indexed_and_answerable(page: Any, served: Served, tmp_path: Path) -> None:
    before = served.qa.stats().articles
    upload = tmp_path / "gull-rock.md"
    upload.write_text(NEW_ARTICLE, encoding="utf-8")
    assert _add_file(page, upload).startswith("1 article added; ")
    page.locator("#index-status").get_by_text(f"{before + 1} articles").wait_for()
    screenshot(page, "09-added-file")
    open_accordion(page, "Filters")
    choose(page, "#outlets", "Coastal Gazette")  # the new outlet is offered
    answer = ask(page, "How far can the Gull Rock lamp be seen?")
    assert "seventeen nautical miles" in answer.inner_text()


def test_adding_files_says_what_it_did_once_with_one_progress_bar(
    page: Any, served: Served, tmp_path: Path
) -> None:
    """The box says what it takes; a file nothing could be read from stays in it (to see which,
    and remove it); a file already in the corpus is said once; the add's progress shows where
    its outcome will (it showed on each box the add updates: the status, the outlets, the
    examples, the files, the address)."""
    open_accordion(page, "Add articles")
    expect(page.locator("#upload")).to_contain_text(".md, .html, .json")
    page.evaluate(
        """() => { window.__progressOn = new Set();
          new MutationObserver(() => {
            for (const t of document.querySelectorAll('[data-testid=status-tracker]')) {
              const box = t.closest('[id]');
              // (seen: the box it is laid over is not cut to nothing)
              if (!t.classList.contains('hide') && box?.getBoundingClientRect().height >= 30)
                window.__progressOn.add(box.id);
            }
          }).observe(document, {subtree: true, childList: true, attributes: true});
        }"""
    )
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    said = _add_file(page, broken)
    assert [line for line in said.splitlines() if line.strip()] == [
        "No article could be read from them: nothing added.",
        "skipped broken.json: malformed JSON: Expecting property name enclosed in double quotes "
        "(line 1, column 2)",
    ], said
    page.locator('#upload a[download="broken.json"]').wait_for()  # kept in the box
    assert set(page.evaluate("() => [...window.__progressOn]")) == {"add-status"}
    page.locator("#upload button[aria-label='Clear']").first.click()
    page.locator('#upload a[download="broken.json"]').wait_for(state="detached")
    again = tmp_path / "harbour.md"
    shutil.copy(served.qa.settings.corpus_dir / "valdria-harbour.md", again)
    assert _add_file(page, again) == (
        "Nothing new: already in the corpus: harbour.md (as valdria-harbour.md)."
    )
    screenshot(page, "11-added-nothing-new")


def test_an_address_typed_without_its_scheme_is_offered_with_it(page: Any) -> None:
    open_accordion(page, "Add articles")
    field = page.locator("#url input, #url textarea").first
    field.fill("example.org/news/ferry")
    field.press("Enter")
    assert _wait_added(page) == (
        "Only http:// and https:// addresses can be fetched, not 'example.org/news/ferry': "
        "did you mean https://example.org/news/ferry?"
    )
    assert field.input_value() == "example.org/news/ferry"  # left to mend


def test_pasted_url_is_fetched_and_indexed(page: Any, served: Served, article_url: str) -> None:
    before = served.qa.stats().articles
    open_accordion(page, "Add articles")
    field = page.locator("#url input, #url textarea").first
    field.fill(article_url)
    field.press("Enter")  # adds, as the button does
    assert _wait_added(page).startswith("1 article added; ")
    page.locator("#index-status").get_by_text(f"{before + 1} articles").wait_for()
    assert page.locator("#url input, #url textarea").first.input_value() == ""
    answer = ask(page, "How long does the crossing to Tarn Island take?")
    assert "twenty-two minutes" in answer.inner_text()
    screenshot(page, "10-added-url")


MILL_HTML = """<!doctype html><html><head><title>Tide mill grinds again at Orrin Quay</title>
<meta property="og:site_name" content="Estuary Echo">
<meta property="article:published_time" content="2024-11-05T09:00:00+00:00">
</head><body><article><h1>Tide mill grinds again at Orrin Quay</h1>
<p>The restored tide mill at the fictional Orrin Quay ground its first flour in eighty years on
Tuesday, its wheel turned by the ebbing tide for four hours, the mill trust said.</p>
<p>Volunteers spent six winters rebuilding the sluice gates from salvaged oak.</p>
</article></body></html>"""


class _Estuary(BaseHTTPRequestHandler):
    """A feed of one entry, and that entry's page."""

    def do_GET(self) -> None:
        if self.path == "/feed.xml":
            body, kind = (
                b"<?xml version='1.0'?><rss version='2.0'><channel><title>Estuary Echo</title>"
                b"<item><title>Tide mill grinds again</title><link>/tide-mill</link></item>"
                b"</channel></rss>",
                "application/rss+xml",
            )
        else:
            body, kind = MILL_HTML.encode(), "text/html; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_a_feed_is_followed_from_the_page(page: Any, served: Served, article_url: str) -> None:
    """ "Follow it as a feed": the feed's articles are indexed at once, the page says how its new
    ones will be read, and a page's address is said not to be a feed, and not followed."""
    open_accordion(page, "Add articles")
    field = page.locator("#url input, #url textarea").first
    status = page.locator("#add-status")
    field.fill(article_url)
    page.locator("#follow").click()
    expect(status).to_contain_text("Not followed: ", timeout=TIMEOUT_MS)
    expect(status).to_contain_text("not an RSS or Atom feed (text/html)")
    assert field.input_value() == article_url  # (left to mend)
    with serving(_Estuary) as site:
        feed = f"{site}/feed.xml"
        field.fill(feed)
        page.locator("#follow").click()
        expect(status).to_contain_text(f"Following {feed}: 1 new article.", timeout=TIMEOUT_MS)
        expect(status).to_contain_text("1 article added; ")
        expect(status).to_contain_text("newsqa feeds refresh")
        screenshot(page, "12-followed-feed")
    try:
        assert [f.url for f in served.qa.feeds()] == [feed]
        assert field.input_value() == ""
        answer = ask(page, "How long did the tide turn the wheel of the Orrin Quay mill?")
        assert "four hours" in answer.inner_text()
    finally:
        served.qa.unfollow(feed)


def test_an_update_made_elsewhere_is_in_the_status_after_the_next_answer(
    page: Any, served: Served, real_embedder: Any
) -> None:
    """`newsqa index update` in a terminal while the page is open: the page answered from the
    new articles, but its status line (and the outlets it offered) stayed as they were when it
    opened, "N articles · updated <then>", until it was reloaded."""
    before = served.qa.stats().articles
    page.locator("#index-status").get_by_text(f"{before} articles").wait_for()
    corpus = served.qa.settings.corpus_dir
    (corpus / "tern-island-bridge.md").write_text(
        "---\ntitle: Footbridge to Tern Island approved\nsource: Tern Island Times\n"
        "published: 2024-11-20\n---\n\nThe lake authority approved a footbridge to Tern Island "
        "on Wednesday; it will be 340 metres long and open in 2026.\n",
        encoding="utf-8",
    )
    with NewsQA(served.qa.settings, embedder=CountingEmbedder(real_embedder)) as elsewhere:
        elsewhere.update()  # another NewsQA on the same index, as the CLI in a terminal is
    answer = ask(page, "How long will the footbridge to Tern Island be?")
    assert "340 metres" in answer.inner_text()
    page.locator("#index-status").get_by_text(f"{before + 1} articles").wait_for()
    open_accordion(page, "Filters")
    choose(page, "#outlets", "Tern Island Times")  # offered, as the page's own adds are


def test_the_articles_in_the_index_are_listed_once_opened_and_after_an_add(
    page: Any, served: Served, tmp_path: Path
) -> None:
    """ "Articles in the index": closed, the list is not read; opened, the indexed articles,
    newest first, each title linked to its article, with the outlets that carried a copy and
    the count; an article added while it is open joins it."""
    listing = page.locator("#articles")
    open_accordion(page, "Articles in the index")
    title = listing.get_by_role("link", name="Glacier railway reopens after avalanche repairs")
    title.wait_for()
    assert title.get_attribute("href") == "https://alpinewire.example.com/glacier-railway-reopens"
    row = listing.locator("tr", has_text="Glacier railway reopens after avalanche repairs")
    assert "also carried by Northern Herald" in row.inner_text()
    assert "wire.json" in row.inner_text() and re.search(r"\b\d+ Feb 2024, ", row.inner_text())
    days = [d.strip() for d in listing.locator("td.day").all_inner_texts()]
    dated = [time.strptime(d.split(",")[0], "%d %b %Y") for d in days if d != "undated"]
    assert dated == sorted(dated, reverse=True) and len(days) == served.qa.stats().articles
    expect(listing.locator(".count")).to_have_text(f"{len(days)} articles.")
    screenshot(page, "12-articles")

    upload = tmp_path / "orchard-fair.md"
    upload.write_text(
        "---\ntitle: Plum fair draws record crowds to Sorrel Valley\nsource: Valley Post\n"
        "published: 2024-10-12\n---\n\nThe Sorrel Valley plum fair drew 18,000 visitors on "
        "Saturday, its organisers said, after the cooperative's record harvest.\n",
        encoding="utf-8",
    )
    assert _add_file(page, upload).startswith("1 article added; ")
    listing.get_by_text("Plum fair draws record crowds to Sorrel Valley").wait_for()
    expect(listing.locator(".count")).to_have_text(f"{served.qa.stats().articles} articles.")


def test_the_articles_listed_follow_a_background_update_once_it_is_done(
    browser: Any, tmp_path: Path, real_embedder: Any
) -> None:
    """The list, open while the page's first build runs, shows the articles once it is done,
    without being opened again."""
    shutil.copytree(FIXTURES / "corpus", tmp_path / "corpus")
    settings = Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")
    with page_during_first_build(settings, real_embedder) as (qa, blocks):
        page = open_page(browser, blocks.local_url)
        open_accordion(page, "Articles in the index")
        listing = page.locator("#articles")
        listing.get_by_text("The articles are being indexed").wait_for()
        qa.index.embedder.go_on.set()  # (the fixture's embedder, held until now)
        listing.get_by_role(
            "link", name="Orchard cooperative reports record plum harvest"
        ).wait_for()
        expect(listing.locator(".count")).to_have_text("4 articles.")
        page.context.close()


@pytest.fixture
def own(browser: Any, settings: Settings, counting: CountingEmbedder) -> Iterator[Served]:
    """A server of its own, on a private copy of the fixture corpus (for a test that takes
    files out of it)."""
    qa = NewsQA(settings, embedder=counting)
    qa.update()
    blocks = build_page(qa)
    blocks.launch(
        server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True, css=CSS
    )
    try:
        yield Served(blocks.local_url, qa)
    finally:
        blocks.close()
        qa.close()


def _removed(page: Any, before: str) -> str:
    """What "Remove from the corpus" said, once it has said it."""
    said = page.locator("#remove-status")
    expect(said).not_to_have_text(before)
    expect(said.locator("[data-testid=status-tracker]:not(.hide)")).to_have_count(0)
    return str(said.inner_text()).strip()


def test_a_file_chosen_in_the_list_is_removed_from_the_corpus_and_the_answers(
    browser: Any, own: Served
) -> None:
    """Under "Articles in the index", the files listed are offered to choose; removing says
    what was done, and the file's articles leave the list, the status, the outlets, the
    examples and the answers. It is moved aside, not deleted."""
    bus = "How many night bus lines did the city council approve?"
    page = open_page(browser, own.url)
    assert "six night bus lines" in ask(page, bus).inner_text()
    open_accordion(page, "Articles in the index")
    listing = page.locator("#articles")
    listing.get_by_text("City council approves night bus network").wait_for()
    page.locator("#remove").click()
    assert _removed(page, "") == (
        "Choose the files to remove first (those of the corpus folder, in the box above)."
    )
    choose(page, "#remove-files", "wire.json (3 articles)")
    page.locator("#remove").click()
    assert _removed(page, "Choose the files") == (
        "Removed wire.json (3 articles); kept in corpus/.removed — move it back to restore it."
    )
    expect(listing.locator(".count")).to_have_text("2 articles.")
    expect(listing).not_to_contain_text("City council approves night bus network")
    expect(listing).not_to_contain_text("wire.json")
    page.locator("#index-status").get_by_text("2 articles").wait_for()
    expect(page.locator("#examples")).not_to_contain_text("Metro Ledger")
    expect(page.locator("#remove-files input[role=combobox]")).to_have_value("")  # cleared
    page.locator("#remove-files input[role=combobox]").click()
    expect(page.get_by_role("option", name="wire.json (3 articles)")).to_have_count(0)
    page.locator("#remove-files input[role=combobox]").blur()
    screenshot(page, "13-removed-file")
    open_accordion(page, "Filters")
    page.locator("#outlets input[role=combobox]").click()
    page.get_by_role("option", name="Northern Herald").wait_for()
    expect(page.get_by_role("option", name="Metro Ledger")).to_have_count(0)
    page.locator("#outlets input[role=combobox]").blur()
    assert "six night bus lines" not in ask(page, bus).inner_text()
    corpus = own.qa.settings.corpus_dir
    assert not (corpus / "wire.json").exists() and (corpus / ".removed" / "wire.json").is_file()

    # a file's name is said as written (Markdown would have made "__draft__" a bold "draft")
    (corpus / "__draft__.md").write_text("---\ntitle: Draft\n---\n\nA draft.\n", "utf-8")
    own.qa.update()
    page.locator("button.label-wrap", has_text="Articles in the index").click()  # closed
    open_accordion(page, "Articles in the index")  # and read again
    choose(page, "#remove-files", "__draft__.md (1 article)")
    page.locator("#remove").click()
    assert _removed(page, "Removed wire.json").startswith("Removed __draft__.md (1 article);")
    page.context.close()


def test_a_file_holding_only_copies_is_offered_and_removed_from_the_page(
    browser: Any, own: Served
) -> None:
    """A file none of whose articles is indexed (a syndicated copy of another outlet's story,
    the same article again) is offered too, saying why, and removed from the page: the stories
    stay, the outlet of the copy no longer listed as carrying one."""
    page = open_page(browser, own.url)
    open_accordion(page, "Articles in the index")
    listing = page.locator("#articles")
    glacier = listing.locator("tr", has_text="Glacier railway reopens after avalanche repairs")
    expect(glacier).to_contain_text("also carried by Northern Herald")
    copies = [
        "duplicate-of-harbour.md (only a copy of valdria-harbour.md)",
        "syndicated.jsonl (only a copy of wire.json)",
    ]
    choose(page, "#remove-files", *copies)
    page.locator("#remove").click()
    assert _removed(page, "") == (
        f"Removed {copies[0]} and {copies[1]}; kept in corpus/.removed — move them back to "
        "restore them."
    )
    expect(glacier).not_to_contain_text("also carried by")
    expect(listing.locator(".count")).to_have_text("4 articles.")
    field = page.locator("#remove-files input[role=combobox]")
    expect(field).to_have_value("")  # cleared
    field.click()
    page.get_by_role("option", name="wire.json (3 articles)").wait_for()
    for copy in copies:
        expect(page.get_by_role("option", name=copy)).to_have_count(0)
    field.blur()
    aside = own.qa.settings.corpus_dir / ".removed"
    assert (aside / "syndicated.jsonl").is_file() and (aside / "duplicate-of-harbour.md").is_file()
    page.context.close()
