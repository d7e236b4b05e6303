"""The chat page: a streamed, cited conversation beside its source cards, with filters, the index
status, example questions and a way to add articles. Every action goes through `NewsQA`; each
browser session keeps its own conversation and filters (Gradio state, never module globals)."""

from __future__ import annotations

import asyncio
import contextlib
import html
import re
import threading
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from pathlib import Path
from typing import Any, TypeVar

from newsqa.corpus.removal import REMOVED
from newsqa.facade import NewsQA
from newsqa.indexing import IndexMissingError
from newsqa.types import Answer, ArticleList, IndexStats, SearchHit
from newsqa.web.boxes import (
    FILE_TYPES,
    FiltersError,
    check_period,
    filters_label,
    looks_like_an_address,
    progress_bar,
)
from newsqa.web.kept import STORAGE_KEY, kept, page_secret, restored
from newsqa.web.removing import UpdateAfter, file_choices, files_of, remove_files
from newsqa.web.render import (
    CSS,
    WRITING_FROM,
    added_markdown,
    answer_markdown,
    articles_html,
    as_written,
    retrieved_html,
    sources_html,
    status_markdown,
    unlinked,
    with_commands,
)
from newsqa.web.serve import index_behind_page, launch  # (imported from here too)

__all__ = ["CSS", "build_page", "index_behind_page", "launch"]

OFFLINE = "offline (no LLM)"
ANSWERS_AT_ONCE = 4  # questions of different sessions answered at the same time
LISTED = 200  # articles "Articles in the index" shows, the newest (the total is said)

Chat = list[dict[str, Any]]
T = TypeVar("T")


def _examples(qa: NewsQA) -> list[list[str]]:
    try:
        return [[q] for q in qa.example_questions(4)]
    except IndexMissingError:
        return []


def _articles(qa: NewsQA) -> tuple[str, dict[str, int]]:
    """The table of the newest `LISTED` indexed articles, or what stands in its way; and the
    corpus files all of them were read from, with how many each holds (to remove one)."""
    building = qa.indexing is not None and qa.indexing.status.running
    indexed = '<div class="empty">The articles are being indexed: listed once they are in.</div>'
    try:
        listing = qa.articles()
    except IndexMissingError:
        if building:  # a first build, nothing committed yet
            return indexed, {}
        return '<div class="empty">No index yet: add articles under “Add articles”.</div>', {}
    except Exception as exc:  # (a damaged catalog: said, with the way out)
        return f'<div class="empty">{html.escape(str(exc))}</div>', {}
    if building and not listing.total:
        return indexed, {}
    newest = ArticleList(articles=listing.articles[:LISTED], total=listing.total)
    return articles_html(newest), files_of(listing)


def build_page(qa: NewsQA, *, typed_llms: bool = True) -> Any:
    """The Gradio Blocks for `qa` (not launched; pass `css=CSS` to `launch`).

    With `typed_llms` a visitor may type any LLM into the answerer box; without, only the
    offline answerer and the LLM configured for `qa` answer. A page served beyond this machine
    must not have it: a typed LLM is sent the configured API key wherever it points, and a
    typed GGUF file is a path on the server that would be read."""
    import gradio as gr

    stats = qa.stats()
    answerers = [OFFLINE] + ([qa.settings.llm] if qa.settings.llm else [])

    # sessions whose answer the user ended ("stop", "new"): Gradio cancels the answer, but an
    # update it sent meanwhile could still land after Stop's mark or New chat's empty chat; the
    # answer, seeing this, writes the mark itself (or nothing) and ends
    ended: dict[str, str] = {}
    # the answer each session is writing (a token per answer): a question sent meanwhile by
    # another way (Enter while an answer asked with Ask streams, an example) is not taken
    # either; it cut the answer being written off, its bubble left at "…"
    writing: dict[str, object] = {}
    # set once the answer each session is writing has ended
    running: dict[str, asyncio.Event] = {}

    async def respond(
        message: str,
        chat: Chat,
        answers: list[Answer],
        outlets: list[str] | None,
        since: str | None,
        until: str | None,
        answerer: str | None,
        request: Any = None,
    ) -> AsyncIterator[tuple[Chat, Any, str, list[Answer]]]:
        """The chat as the answer streams in. The box is emptied once, when the question is
        taken: what the user types meanwhile stays (a second question sent while an answer
        streams is not taken, and is still there to send).

        A coroutine, so that Stop and New chat end it at once: a generator run on a thread ends
        only once its thread returns (up to half a second while an LLM is silent), and until
        then the page took no new question."""
        session = _session(request)
        keep = gr.update()  # the box as the user has it now
        if session and session in writing:
            yield gr.skip(), keep, gr.skip(), gr.skip()  # still in the box, to send after
            return
        ended.pop(session, None)
        question = (message or "").strip()
        chat, answers = list(chat or []), list(answers or [])
        if not question:
            yield chat, "", sources_html(answers[-1] if answers else None), answers
            return
        chat = [_unlinked_message(m) for m in chat]
        chat += [
            {"role": "user", "content": as_written(question)},
            {"role": "assistant", "content": WAITING},
        ]
        token = writing[session] = object()
        done = running[session] = asyncio.Event()
        llm = "" if not answerer or answerer == OFFLINE else answerer.strip()
        written = ""
        try:
            yield chat, "", sources_html(None), answers
            check_period(since, until)
            found: list[tuple[SearchHit, ...]] = []  # the passages, as soon as they are found
            events = qa.stream(
                question,
                answers,
                sources=outlets or None,
                since=(since or "").strip() or None,
                until=(until or "").strip() or None,
                llm=llm,
                on_passages=found.append,
            )
            shown = False
            async with contextlib.aclosing(_on_a_thread(events)) as stream:
                async for event in stream:
                    if session in ended:  # Stop or New chat: their view of the chat stands
                        if ended[session] == "stop":
                            chat[-1] = {"role": "assistant", "content": _stopped_text(written)}
                            yield chat, keep, gr.skip(), answers
                        return
                    if event is None:  # nothing new (an LLM still silent): Stop can act
                        # meanwhile, and the passages it reads are shown while it does, the
                        # bubble saying so (not "…" for as long as the LLM takes)
                        if shown or not found:
                            yield gr.skip(), keep, gr.skip(), gr.skip()
                            continue
                        shown = True
                        if not written:
                            chat[-1] = {"role": "assistant", "content": _reading(len(found[0]))}
                        yield chat, keep, retrieved_html(found[0]), gr.skip()
                    elif isinstance(event, Answer):
                        answers.append(event)
                        chat[-1] = {"role": "assistant", "content": answer_markdown(event)}
                        yield chat, keep, sources_html(event), answers
                    else:
                        written += event  # shown as written while it streams, as it is at the end
                        chat[-1] = {"role": "assistant", "content": _streaming(written)}
                        yield chat, keep, gr.skip(), answers
        except IndexMissingError as exc:
            indexing = qa.indexing is not None and qa.indexing.status.running
            more = "" if indexing else " Or add articles under “Add articles”."
            chat[-1] = {"role": "assistant", "content": with_commands(f"{exc}{more}")}
            yield chat, keep, sources_html(None), answers
        except FiltersError as exc:  # in the page's words; the question kept, to ask again
            chat[-1] = {"role": "assistant", "content": as_written(str(exc))}
            yield chat, question, sources_html(None), answers
        except Exception as exc:  # shown as a message, never a stack trace; the question is
            # put back in the box (a bad date in the filters should not cost it)
            chat[-1] = {"role": "assistant", "content": f"Sorry, that did not work: {exc}"}
            yield chat, question, sources_html(None), answers
        finally:
            if writing.get(session) is token:
                del writing[session]
            if running.get(session) is done:
                del running[session]
            done.set()

    async def ended_by(how: str, request: Any) -> None:
        """Mark this session's answer as ended by the user, and wait for it to end (it does at
        once when the page cancels it, else at its next event): what it sends meanwhile comes
        before what the user's action shows."""
        session = _session(request)
        ended[session] = how
        writing.pop(session, None)  # the next question is taken at once
        done = running.get(session)
        if done is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), timeout=5)

    async def new_chat(request: Any = None) -> tuple[Chat, list[Answer], str, str]:
        await ended_by("new", request)
        return [], [], sources_html(None), ""

    async def stopped(
        chat: Chat, panel: str, request: Any = None
    ) -> tuple[Chat, str, Any, Any, Any]:
        await ended_by("stop", request)
        return _stopped(chat, panel)

    def idle(request: Any = None) -> tuple[Any, Any, Any]:
        """Ask back, unless this session's answer is still being written (a question not
        taken meanwhile ends before it)."""
        if _session(request) in writing:
            return gr.skip(), gr.skip(), gr.skip()
        return _idle()

    # Gradio hands a handler its request by the parameter's type, which it reads at run time
    for handler in (respond, new_chat, stopped, idle):
        handler.__annotations__["request"] = gr.Request

    after = UpdateAfter(qa)  # the update that follows one running when files come or go

    def add_articles(
        files: list[Any] | None,
        url: str,
        progress: Any = gr.Progress(),  # noqa: B008 - how Gradio hands a handler its progress bar
    ) -> tuple[str, str, Any, Any, Any, str]:
        """Reads the files and the address into the corpus and indexes them. The files stay in
        their box unless an article was read from them, the address too (to mend a typo)."""
        targets = [str(getattr(f, "name", f)) for f in files or []]
        # an upload is read from Gradio's temporary copy (a folder of its own, the file's name
        # kept): name it as the user knows it
        uploads = list(targets)

        def shown(origin: str) -> str:
            for temp in uploads:
                if origin.startswith(temp):
                    return Path(temp).name + origin[len(temp) :]
            return origin

        url = (url or "").strip()
        kept_files: Any = gr.update()  # (the files as they are in their box)
        kept_url = url
        if url and not url.lower().startswith(("http://", "https://")):
            # anything else would be read as a path on the server: its files are not the page's
            # to hand out (uploads come through the file box)
            message = f"Only http:// and https:// addresses can be fetched, not {url!r}" + (
                f": did you mean `https://{url}`?" if looks_like_an_address(url) else "."
            )
        elif not targets and not url:
            message = "Choose files or paste a URL first."
        else:
            targets += [url] if url else []
            # while the page's own update runs, the files are saved now and indexed by an update
            # that follows it (ingest's own update was refused: the index was busy)
            job = qa.indexing
            later = job is not None and job.status.running
            try:
                loaded, written, result = qa.ingest(
                    targets, update=not later, progress=progress_bar(progress)
                )
            except Exception as exc:
                message = f"Could not index them: {exc}"
            else:
                if later and written:
                    after.ask()
                message = added_markdown(loaded, result, shown, pending=later and bool(written))
                if loaded.articles:
                    kept_files, kept_url = None, ""
        fresh = qa.stats()
        return (
            message,
            status_markdown(fresh),
            gr.update(choices=fresh.named_outlets),
            gr.update(samples=_examples(qa)),
            kept_files,
            kept_url,
        )

    def remove_articles(
        chosen: list[str] | None,
        progress: Any = gr.Progress(),  # noqa: B008 - as add_articles'
    ) -> tuple[str, str, Any, Any, str, Any]:
        """Moves the chosen files out of the corpus and updates the index; the list, the
        status, the outlets and the examples as they are after."""
        message = remove_files(qa, chosen, _articles(qa)[1], after, progress_bar(progress))
        fresh = qa.stats()
        listing, files = _articles(qa)
        return (
            message,
            _status(qa, fresh),
            gr.update(choices=fresh.named_outlets),
            gr.update(samples=_examples(qa)),
            listing,
            gr.update(choices=file_choices(files), value=[]),
        )

    with gr.Blocks(title="newsqa") as page:
        with gr.Row():
            gr.Markdown("## newsqa — ask the news, with sources")
        status = gr.Markdown(_status(qa, stats), elem_id="index-status")
        answers = gr.State([])
        # the conversation, kept in the browser: a reload carries on with it
        conversation = gr.BrowserState(
            None, storage_key=STORAGE_KEY, secret=page_secret(qa.settings.index_dir)
        )
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                chat = gr.Chatbot(
                    elem_id="chat",
                    height=520,
                    show_label=False,
                    placeholder="Ask about the indexed articles. Every answer cites them.",
                    buttons=["copy"],
                )
                with gr.Row(elem_id="ask-row"):
                    box = gr.Textbox(
                        placeholder="Ask a question about the news…",
                        label="Question",  # (not shown: what a screen reader names the box)
                        show_label=False,
                        elem_id="question",
                        scale=8,
                        autofocus=True,
                    )
                    ask = gr.Button("Ask", variant="primary", scale=1, min_width=80, elem_id="ask")
                    stop = gr.Button(
                        "Stop", variant="stop", scale=1, min_width=80, elem_id="stop", visible=False
                    )
                    new = gr.Button("New chat", scale=1, min_width=130, elem_id="new-chat")
                examples = gr.Dataset(
                    components=[box],
                    samples=_examples(qa),
                    label="Try one of these",
                    elem_id="examples",
                )
                # the filters under the box they act on (below the cards, they were out of sight
                # once an answer had several sources)
                with gr.Accordion(filters_label(), open=False) as filters:
                    outlets = gr.Dropdown(
                        choices=stats.named_outlets,
                        value=[],
                        multiselect=True,
                        # outlets added after start-up (another tab, the API) are valid too;
                        # one the index lacks is answered with the outlets it has
                        allow_custom_value=True,
                        label="Only these outlets",
                        elem_id="outlets",
                    )
                    with gr.Row():
                        # (a value: optional for the page's API, /ask, as they are here)
                        since = gr.Textbox(
                            value="",
                            label="From (YYYY-MM-DD, or words: May 2024, last week)",
                            elem_id="since",
                        )
                        until = gr.Textbox(
                            value="",
                            label="To (YYYY-MM-DD, or words: May 2024, yesterday)",
                            elem_id="until",
                        )
                    answerer = gr.Dropdown(
                        choices=answerers,
                        value=answerers[-1],
                        # without: Gradio itself refuses any other value, from the page or
                        # through the API
                        allow_custom_value=typed_llms,
                        label=(
                            "Answerer (or type an LLM such as openai:MODEL@URL)"
                            if typed_llms
                            else "Answerer"
                        ),
                        elem_id="answerer",
                    )
                with gr.Accordion("Add articles", open=False):
                    upload = gr.File(
                        file_count="multiple",
                        label=f"Article files: {FILE_TYPES}",
                        elem_id="upload",
                    )
                    url = gr.Textbox(
                        label="Or a page or feed URL (Enter adds it)",
                        placeholder="https://…",
                        elem_id="url",
                    )
                    add = gr.Button("Add to the corpus and index", elem_id="add")
                    add_status = gr.Markdown(elem_id="add-status")
                # read once opened (a page of a large index opens as fast), and again when the
                # index changes while it is open
                with gr.Accordion("Articles in the index", open=False) as listing:
                    articles = gr.HTML("", elem_id="articles")
                    # a file is moved aside, not deleted: offered wherever uploads are
                    chosen = gr.Dropdown(
                        choices=[],
                        value=[],
                        multiselect=True,
                        allow_custom_value=True,  # (a file added since, through the API)
                        label="Files to remove from the corpus",
                        info=f"Moved into the corpus folder's {REMOVED} folder: move one back "
                        "to restore it.",
                        elem_id="remove-files",
                    )
                    remove = gr.Button("Remove from the corpus", elem_id="remove")
                    remove_status = gr.Markdown(elem_id="remove-status")
                listed = gr.State(False)  # whether this session has the list open
            with gr.Column(scale=2):
                sources = gr.HTML(sources_html(None), elem_id="sources", label="Sources")

        inputs = [box, chat, answers, outlets, since, until, answerer]
        outputs = [chat, box, sources, answers]
        # sessions answer side by side (one waiting on a slow LLM holds up no other), at most
        # ANSWERS_AT_ONCE together; the progress shows on the chat, so that the box stays
        # visible to type the next question in
        answering: dict[str, Any] = {
            "concurrency_limit": ANSWERS_AT_ONCE,
            "concurrency_id": "answer",
            "show_progress_on": [chat],
        }
        # while an answer is written, Stop stands where Ask was: it ends the answer (and the LLM's
        # stream with it), as do New chat and the chat's clear button
        buttons = [ask, stop, examples]
        quick: dict[str, Any] = {"api_visibility": "private", "queue": False}
        # (each trigger's listeners run in the order they are added: Stop shows first)
        for started in (box.submit, ask.click, examples.click):
            started(_busy, None, buttons, **quick)
        asked = [
            box.submit(respond, inputs, outputs, api_name="ask", **answering),
            ask.click(respond, inputs, outputs, api_visibility="private", **answering),
            examples.click(lambda sample: sample[0], examples, box, api_visibility="private").then(
                respond, inputs, outputs, api_visibility="private", **answering
            ),
        ]

        # the accordion's label says what is set, to be seen with it closed
        for field in (outlets, since, until):
            field.change(
                lambda *values: gr.update(label=filters_label(*values)),
                [outlets, since, until],
                filters,
                **quick,
                show_progress="hidden",
            )

        def status_now() -> tuple[str, Any]:
            """The index status and its outlets as they are now: another process (`newsqa index
            update` in a terminal) may have changed the index since the page last said."""
            fresh = qa.stats()
            return _status(qa, fresh), gr.update(choices=fresh.named_outlets)

        keep: dict[str, Any] = {**quick, "show_progress": "hidden"}
        for event in asked:
            # and the box has the focus again, for the next question (Ask, hidden while the
            # answer was written, had taken it away); the status says the index as answered from
            event.then(idle, None, buttons, **quick).then(None, None, None, js=_FOCUS_BOX)
            event.then(status_now, None, [status, outlets], **quick, show_progress="hidden")
            event.then(kept, [chat, answers, sources], conversation, **keep)
        # (an event that cancels others goes through the queue, as Gradio needs)
        stop.click(
            stopped,
            [chat, sources],
            [chat, sources, *buttons],
            cancels=asked,
            api_visibility="private",
        ).then(kept, [chat, answers, sources], conversation, **keep)
        forget = [chat, answers, sources, box]
        # and the box has the focus, for the new conversation's first question
        new.click(new_chat, None, forget, cancels=asked, api_name="new_chat").then(
            None, None, None, js=_FOCUS_BOX
        )
        chat.clear(new_chat, None, forget, cancels=asked, api_visibility="private")
        for restart in (new.click, chat.clear):
            restart(_idle, None, buttons, **quick)
            restart(lambda: {}, None, conversation, **keep)  # (None would leave it as it was)

        def carry_on(saved: object) -> tuple[Any, Any, Any]:
            """The conversation this browser kept, where it was (nothing, when it kept none)."""
            again = restored(saved)
            return (gr.skip(), gr.skip(), gr.skip()) if again is None else again

        adding = ([upload, url], [add_status, status, outlets, examples, upload, url])
        # one progress bar, where the outcome will be said (not one on each box it updates)
        # adds and removals, from any session, one at a time (each updates the index, which
        # takes one writer: the second was told the index was busy)
        one_by_one: dict[str, Any] = {"concurrency_id": "corpus", "concurrency_limit": 1}
        shown_on: dict[str, Any] = {"show_progress_on": [add_status], **one_by_one}
        added = [
            add.click(add_articles, *adding, api_name="add_articles", **shown_on),
            url.submit(add_articles, *adding, api_visibility="private", **shown_on),
        ]

        def articles_now(opened: bool) -> tuple[Any, Any]:
            """The list of articles as the index is now, and its files to choose from, if this
            session has it open."""
            if not opened:
                return gr.skip(), gr.skip()
            table, files = _articles(qa)
            return table, gr.update(choices=file_choices(files))

        quiet: dict[str, Any] = {"api_visibility": "private", "show_progress": "hidden"}
        listing.expand(
            lambda: (*articles_now(True), True), None, [articles, chosen, listed], **quiet
        )
        listing.collapse(lambda: False, None, listed, **quiet)
        for event in added:
            event.then(articles_now, listed, [articles, chosen], **quiet)

        def refresh(opened: bool = False) -> tuple[str, Any, Any, Any, Any, Any]:
            """The index status; while a background update runs, every two seconds; and the
            list of articles, if open, once the update is done (not at each tick: it would
            jump back to its top while read)."""
            job = qa.indexing.status if qa.indexing is not None else None
            running = bool(job and job.running) or after.waiting
            fresh = qa.stats()
            return (
                _status(qa, fresh),
                gr.update(choices=fresh.named_outlets),
                gr.update(samples=_examples(qa)),
                gr.Timer(active=running),
                *articles_now(opened and not running),
            )

        page.load(None, None, None, js=_PLAIN_COPY)
        timer = gr.Timer(2.0, active=qa.indexing is not None)
        # (refreshed behind the user's back: without Gradio's "processing" laid over the status)
        refreshed = [status, outlets, examples, timer, articles, chosen]
        timer.tick(refresh, listed, refreshed, **quiet)
        removing = [remove_status, status, outlets, examples, articles, chosen]
        # (then the timer, on while an update is still to come)
        remove.click(
            remove_articles,
            chosen,
            removing,
            api_name="remove_articles",
            show_progress_on=[remove_status],
            **one_by_one,
        ).then(refresh, listed, refreshed, **quiet)
        page.load(refresh, listed, refreshed, **quiet)
        page.load(carry_on, conversation, [chat, answers, sources], **quiet)
    return page


def _status(qa: NewsQA, stats: IndexStats) -> str:
    """The index status line, with how far a background update is."""
    job = qa.indexing.status if qa.indexing is not None else None
    return status_markdown(
        stats, indexing=job.describe() if job else "", running=bool(job and job.running)
    )


async def _on_a_thread(events: Iterator[T], *, wait: float = 0.5) -> AsyncGenerator[T | None, None]:
    """`events`, produced on a thread of their own, as they come, and None whenever `wait`
    seconds pass without one. So the caller gets control back while an LLM is silent (Gradio
    stops an event only between two of its yields: a hung server would hold Stop, New chat and
    the question box for the whole LLM timeout), and once the caller stops, so does the thread:
    the LLM requests it is making are ended at once (their connections shut down: the server
    sees the answer is no longer read, even before its first token), and `events` is closed at
    its next item."""
    from newsqa.answering.chat_models import StoppableRequests

    loop = asyncio.get_running_loop()
    out: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
    stopped = threading.Event()
    requests = StoppableRequests()

    def put(kind: str, value: Any) -> None:
        with contextlib.suppress(RuntimeError):  # the page closed meanwhile
            loop.call_soon_threadsafe(out.put_nowait, (kind, value))

    def produce() -> None:
        with requests.made_here():
            try:
                for item in events:
                    if stopped.is_set():
                        break
                    put("item", item)
                else:
                    put("end", None)
            except BaseException as exc:  # handed to the caller, raised there
                put("error", exc)
            finally:
                close = getattr(events, "close", None)
                if close is not None:
                    close()

    threading.Thread(target=produce, name="newsqa-answer", daemon=True).start()
    try:
        while True:
            try:
                kind, value = await asyncio.wait_for(out.get(), timeout=wait)
            except TimeoutError:
                yield None
                continue
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stopped.set()
        requests.stop()


_FOCUS_BOX = "() => { document.querySelector('#question textarea')?.focus(); }"

# The chat's copy button copies a message's Markdown source (escapes, the citation links' HTML):
# after it, the message as shown is copied instead, an answer with its sources listed
_PLAIN_COPY = """() => {
  if (window.__newsqaPlainCopy) return;
  window.__newsqaPlainCopy = true;
  const MESSAGE = '[data-testid=bot], [data-testid=user]';
  document.addEventListener('click', (event) => {
    const button = event.target.closest?.('#chat button[aria-label="Copy message"]');
    if (!button) return;
    let row = button.closest('.message-buttons');
    while (row && !row.querySelector(MESSAGE)) row = row.previousElementSibling;
    const message = row?.querySelector(MESSAGE);
    if (!message) return;
    let text = message.innerText.trim();
    const sources = message.querySelector('.references[title]');
    if (sources) text += '\\n\\nSources:\\n' + sources.title;
    // after Gradio's own copy (this listener runs once its handler has)
    setTimeout(() => navigator.clipboard?.writeText(text).catch(() => {}), 0);
  });
}"""


def _busy() -> tuple[Any, Any, Any]:
    """Ask hidden and Stop shown while an answer is written; the examples hidden too (one
    clicked meanwhile was asked beside the answer being written, which it then overwrote)."""
    import gradio as gr

    return gr.update(visible=False), gr.update(visible=True), gr.update(visible=False)


def _idle() -> tuple[Any, Any, Any]:
    import gradio as gr

    return gr.update(visible=True), gr.update(visible=False), gr.update(visible=True)


WAITING = "…"  # the answer's bubble before its first words
_READING = re.compile(r"\*Reading the \d+ passages? found…\*")


def _reading(n: int) -> str:
    """The answer's bubble while an LLM reads the passages found, before its first words."""
    return f"*Reading the {n} passage{'s' * (n != 1)} found…*"


def _waiting(content: str) -> bool:
    """Whether a bubble is an answer's before its first words."""
    return content.strip() == WAITING or _READING.fullmatch(content.strip()) is not None


WRITING = " ▍"  # the end of an answer's text while it is written
STOPPED = "*Stopped.*"


def _stopped(chat: Chat, panel: str) -> tuple[Chat, str, Any, Any, Any]:
    """The chat with the answer being written marked as stopped (the text so far kept; it cites
    nothing, so no card goes with it, and later questions do not read it as conversation), and
    the passages it was being written from said to be no more than that. An answer that was
    finished when Stop was pressed is left as it is."""
    panel = (panel or "").replace(WRITING_FROM, "Stopped. The passages found were these:")
    chat = list(chat or [])
    content = _text(chat[-1].get("content")) if chat else ""
    if chat and chat[-1].get("role") == "assistant":
        if _waiting(content):
            chat[-1] = {"role": "assistant", "content": _marked("")}
        elif content.endswith(WRITING.strip()):
            so_far = content.rstrip()[: -len(WRITING.strip())].rstrip()
            chat[-1] = {"role": "assistant", "content": _marked(so_far)}
    return (chat, panel, *_idle())


def _marked(so_far: str) -> str:
    """A stopped answer's bubble: its text so far (shown as it was), then the mark."""
    return f"{so_far}\n\n{STOPPED}" if so_far else STOPPED


def _session(request: Any) -> str:
    """The browser session a request comes from ("" outside one)."""
    return str(getattr(request, "session_hash", None) or "")


def _stopped_text(written: str) -> str:
    """The bubble of an answer stopped after `written`."""
    return _marked(_shown(written).rstrip())


def _text(content: Any) -> str:
    """A chat message's text, whether this page wrote it (a string) or Gradio hands it back (a
    list of parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def _shown(written: str) -> str:
    """An answer's text so far, for the chat: its characters as written, lines kept."""
    return as_written(written).replace("\n", "  \n")


def _streaming(written: str) -> str:
    """An answer's text so far with the mark of an answer still being written."""
    return _shown(written) + WRITING


def _unlinked_message(message: dict[str, Any]) -> dict[str, Any]:
    """An earlier chat message with its citation links made plain text (its content as this
    page wrote it, or as Gradio hands it back: a list of text parts)."""
    if message.get("role") != "assistant":
        return message
    content = message.get("content")
    if isinstance(content, str):
        return {**message, "content": unlinked(content)}
    if isinstance(content, list):
        parts = [
            {**p, "text": unlinked(p["text"])}
            if isinstance(p, dict) and isinstance(p.get("text"), str)
            else p
            for p in content
        ]
        return {**message, "content": parts}
    return message
