"""A minimal Gradio page over `NewsQA`: ask, read the cited answer as it streams, see its sources.
It holds no retrieval logic; every action goes through the facade."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from newsqa.facade import NewsQA
from newsqa.settings import Settings
from newsqa.types import Answer, IndexStats

__all__ = ["build_page", "launch"]


def status_markdown(stats: IndexStats) -> str:
    if not stats.exists:
        return (
            f"**No index yet** in `{stats.path}`. Build it with `newsqa index update`, "
            "or restart the page to build it from the corpus folder."
        )
    dates = f"{stats.earliest[:10] or '?'} – {stats.latest[:10] or '?'}"
    return (
        f"**{stats.articles} articles** · {stats.chunks} passages · "
        f"{len(stats.outlets)} outlets · {dates} · updated {stats.updated_at}"
    )


def sources_markdown(answer: Answer) -> str:
    """The sources panel: one entry per citation with its outlet, date, link and quoted passage."""
    if answer.declined or not answer.citations:
        return "*No sources cited.*"
    lines = []
    if answer.as_of is not None:
        lines += [f"*As of {answer.as_of:%-d %b %Y} (newest source cited).*", ""]
    for note in answer.notes:
        lines += [f"⚠️ {note}", ""]
    for c in answer.citations:
        a = c.article
        date = a.published.date().isoformat() if a.published else "undated"
        title = f"[{a.title}]({a.url})" if a.url else a.title
        lines.append(f"**[{c.n}]** {title} — *{a.source or 'unknown outlet'}, {date}*")
        lines.append(f"> {' '.join(c.passage.split())}")
        lines.append("")
    return "\n".join(lines)


def build_page(qa: NewsQA) -> Any:
    """The Gradio Blocks for `qa` (not launched)."""
    import gradio as gr

    outlets = list(qa.stats().outlets)

    def respond(
        message: str, history: list[dict[str, Any]], sources: list[str] | None
    ) -> Iterator[tuple[list[dict[str, Any]], str, str]]:
        history = list(history or [])
        question = (message or "").strip()
        if not question:
            yield history, "", ""
            return
        earlier = list(history)
        history.append({"role": "user", "content": question})
        history.append({"role": "assistant", "content": ""})
        try:
            written = ""
            for event in qa.stream(question, earlier, sources=sources or None):
                if isinstance(event, Answer):
                    history[-1] = {"role": "assistant", "content": event.text}
                    yield history, "", sources_markdown(event)
                else:
                    written += event
                    history[-1] = {"role": "assistant", "content": written}
                    yield history, "", ""
        except Exception as exc:  # shown to the user as a message, never a stack trace
            history[-1] = {"role": "assistant", "content": f"Sorry, that did not work: {exc}"}
            yield history, "", ""

    with gr.Blocks(title="newsqa") as page:
        gr.Markdown("# newsqa\nAsk about the news articles in the index.")
        status = gr.Markdown(status_markdown(qa.stats()), elem_id="index-status")
        with gr.Row():
            source_filter = gr.Dropdown(
                choices=outlets, multiselect=True, label="Only these outlets", scale=1
            )
        chat = gr.Chatbot(label="Conversation", elem_id="chat", height=420)
        box = gr.Textbox(
            placeholder="Ask a question about the news…", show_label=False, elem_id="question"
        )
        sources_panel = gr.Markdown(elem_id="sources")
        box.submit(respond, [box, chat, source_filter], [chat, box, sources_panel], api_name="ask")
        page.load(lambda: status_markdown(qa.stats()), None, status)
    return page


def launch(
    settings: Settings,
    *,
    host: str = "127.0.0.1",
    port: int = 7860,
    auth: str | None = None,
    update_first: bool = True,
) -> None:
    """Build the index if there is none, then serve the page until interrupted."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    qa = NewsQA(settings)
    if update_first and not qa.index.exists():
        print(f"No index yet: building it from {settings.corpus_dir} …", flush=True)
        report = qa.update()
        print(
            f"indexed {report.articles_added} articles ({report.chunks_added} chunks) "
            f"in {report.seconds:.1f}s; skipped {len(report.skipped)}",
            flush=True,
        )
    credentials = None
    if auth:
        user, _, password = auth.partition(":")
        if not password:
            raise ValueError("--auth takes user:password")
        credentials = (user, password)
    page = build_page(qa)
    page.launch(server_name=host, server_port=port, auth=credentials)
