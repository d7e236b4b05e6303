"""The chat page: a streamed, cited conversation beside its source cards, with filters, the index
status, example questions and a way to add articles. Every action goes through `NewsQA`; each
browser session keeps its own conversation and filters (Gradio state, never module globals)."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from newsqa.corpus.removal import REMOVED
from newsqa.facade import NewsQA
from newsqa.indexing import IndexMissingError
from newsqa.types import CorpusFile, IndexStats
from newsqa.web.boxes import (
    FILE_TYPES,
    filters_label,
    looks_like_an_address,
    progress_bar,
)
from newsqa.web.chat import OFFLINE, Answering, _busy, _idle
from newsqa.web.kept import STORAGE_KEY, kept, page_secret, restored
from newsqa.web.removing import UpdateAfter, file_choices, remove_files
from newsqa.web.render import (
    CSS,
    added_markdown,
    articles_html,
    followed_markdown,
    sources_html,
    status_markdown,
)
from newsqa.web.serve import index_behind_page, launch  # (imported from here too)
from newsqa.web.times import LOCAL_TIMES

__all__ = ["CSS", "build_page", "index_behind_page", "launch"]

ANSWERS_AT_ONCE = 4  # questions of different sessions answered at the same time
LISTED = 200  # articles "Articles in the index" shows, the newest (the total is said)


def _examples(qa: NewsQA) -> list[list[str]]:
    try:
        return [[q] for q in qa.example_questions(4)]
    except IndexMissingError:
        return []


def _articles(qa: NewsQA) -> tuple[str, dict[str, CorpusFile]]:
    """The table of the newest `LISTED` indexed articles, or what stands in its way; and the
    corpus folder's files, by name, with what the index holds of each (to remove one)."""
    building = qa.updating
    indexed = '<div class="empty">The articles are being indexed: listed once they are in.</div>'
    try:
        listing = qa.articles(limit=LISTED)
        files = {f.name: f for f in qa.corpus_files()}
    except IndexMissingError:
        if building:  # a first build, nothing committed yet
            return indexed, {}
        return '<div class="empty">No index yet: add articles under “Add articles”.</div>', {}
    except Exception as exc:  # (a damaged catalog: said, with the way out)
        return f'<div class="empty">{html.escape(str(exc))}</div>', {}
    if building and not listing.total:
        return indexed, {}
    return articles_html(listing), files


def build_page(qa: NewsQA, *, typed_llms: bool = True, feeds_every: float | None = None) -> Any:
    """The Gradio Blocks for `qa` (not launched; pass `css=CSS` to `launch`). `feeds_every`:
    the minutes between reads of the followed feeds while it is served (None: not read).

    With `typed_llms` a visitor may type any LLM into the answerer box; without, only the
    offline answerer and the LLM configured for `qa` answer. A page served beyond this machine
    must not have it: a typed LLM is sent the configured API key wherever it points, and a
    typed GGUF file is a path on the server that would be read."""
    import gradio as gr

    stats = qa.stats()
    answerers = [OFFLINE] + ([qa.settings.llm] if qa.settings.llm else [])
    handlers = Answering(qa)  # (each session's answer: asked, stopped, a new chat)

    after = UpdateAfter(qa)  # the update that follows one running when files come or go

    def changed() -> tuple[str, Any, Any]:
        """The status line, the outlets offered and the example questions, as the index is
        after a change to the corpus."""
        fresh = qa.stats()
        return (
            _status(qa, fresh),
            gr.update(choices=fresh.named_outlets),
            gr.update(samples=_examples(qa)),
        )

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
            later = qa.updating
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
        return (message, *changed(), kept_files, kept_url)

    def follow_feed(
        url: str,
        progress: Any = gr.Progress(),  # noqa: B008 - as add_articles'
    ) -> tuple[str, str, Any, Any, str]:
        """Follows the address as a feed: its entries' articles are saved and indexed now, and
        its new ones whenever the followed feeds are read. The address stays in its box unless
        it was followed."""
        url = (url or "").strip()
        if not url.lower().startswith(("http://", "https://")):
            message = "Paste the address of an RSS or Atom feed (http:// or https://) first."
            kept = url
        else:
            later = qa.updating  # (as add_articles: saved now, indexed after that update)
            try:
                done = qa.follow([url], update=not later, progress=progress_bar(progress))
            except Exception as exc:
                message, kept = f"Could not follow it: {exc}", url
            else:
                if later and done.written:
                    after.ask()
                message = followed_markdown(done, pending=later, every=feeds_every)
                kept = url if all(f.error for f in done.feeds) else ""
        return (message, *changed(), kept)

    def remove_articles(
        chosen: list[str] | None,
        progress: Any = gr.Progress(),  # noqa: B008 - as add_articles'
    ) -> tuple[str, str, Any, Any, str, Any]:
        """Moves the chosen files out of the corpus and updates the index; the list, the
        status, the outlets and the examples as they are after."""
        message = remove_files(qa, chosen, _articles(qa)[1], after, progress_bar(progress))
        listing, files = _articles(qa)
        return (message, *changed(), listing, gr.update(choices=file_choices(files), value=[]))

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
                    with gr.Row():
                        add = gr.Button("Add to the corpus and index", elem_id="add")
                        follow = gr.Button("Follow it as a feed", elem_id="follow")
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
            box.submit(handlers.respond, inputs, outputs, api_name="ask", **answering),
            ask.click(handlers.respond, inputs, outputs, api_visibility="private", **answering),
            examples.click(lambda sample: sample[0], examples, box, api_visibility="private").then(
                handlers.respond, inputs, outputs, api_visibility="private", **answering
            ),
        ]

        # the accordion's label says what is set, to be seen with it closed; one listener for
        # the three boxes, so that its answers come in the order asked, the last last (one
        # each: clearing two boxes quickly, the first one's late answer relabelled the second)
        gr.on(
            [outlets.change, since.change, until.change],
            lambda *values: gr.update(label=filters_label(*values)),
            [outlets, since, until],
            filters,
            **quick,
            show_progress="hidden",
            trigger_mode="always_last",
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
            event.then(handlers.idle, None, buttons, **quick).then(None, None, None, js=_FOCUS_BOX)
            event.then(status_now, None, [status, outlets], **quick, show_progress="hidden")
            event.then(kept, [chat, answers, sources], conversation, **keep)
        # (an event that cancels others goes through the queue, as Gradio needs)
        stop.click(
            handlers.stopped,
            [chat, sources],
            [chat, sources, *buttons],
            cancels=asked,
            api_visibility="private",
        ).then(kept, [chat, answers, sources], conversation, **keep)
        forget = [chat, answers, sources, box]
        # and the box has the focus, for the new conversation's first question
        new.click(handlers.new_chat, None, forget, cancels=asked, api_name="new_chat").then(
            None, None, None, js=_FOCUS_BOX
        )
        chat.clear(handlers.new_chat, None, forget, cancels=asked, api_visibility="private")
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
            follow.click(
                follow_feed,
                [url],
                [add_status, status, outlets, examples, url],
                api_name="follow_feed",
                **shown_on,
            ),
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
        page.load(None, None, None, js=LOCAL_TIMES)  # (times in the visitor's zone)
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
