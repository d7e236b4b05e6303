"""The chat's answering: a question streamed into the chat and the sources panel, and the Stop,
New chat and Ask-back bookkeeping around it, per browser session; with the text of the answer's
bubble while it is written, stopped or kept as conversation."""

from __future__ import annotations

import asyncio
import contextlib
import re
import threading
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from newsqa.facade import NewsQA
from newsqa.indexing import IndexMissingError
from newsqa.types import Answer, SearchHit
from newsqa.web.boxes import FiltersError, check_period
from newsqa.web.render import (
    WRITING_FROM,
    answer_markdown,
    as_written,
    retrieved_html,
    sources_html,
    unlinked,
    with_commands,
)

__all__ = ["OFFLINE", "Answering", "Chat"]

OFFLINE = "offline (no LLM)"

Chat = list[dict[str, Any]]
T = TypeVar("T")


@dataclass
class _Writing:
    """An answer being written: `done` set once it has ended, and the chat and sources panel as
    it last sent them (which the browser may not have yet, on a busy machine)."""

    chat: Chat
    panel: str
    done: asyncio.Event = field(default_factory=asyncio.Event)

    def showing(self, chat: Chat, panel: str | None = None) -> Chat:
        """`chat` (and `panel`, when it changes), kept as what the answer shows now."""
        self.chat = list(chat)
        if panel is not None:
            self.panel = panel
        return chat


class Answering:
    """The page's answering handlers (`respond`, `new_chat`, `stopped`, `idle`) over `qa`, with
    what they keep of each session's answer being written; one per page."""

    def __init__(self, qa: NewsQA) -> None:
        import gradio as gr

        self.qa = qa
        # sessions whose answer the user ended ("stop", "new"): Gradio cancels the answer, but an
        # update it sent meanwhile could still land after Stop's mark or New chat's empty chat; the
        # answer, seeing this, writes the mark itself (or nothing) and ends
        self.ended: dict[str, str] = {}
        # the answer each session is writing (a token per answer): a question sent meanwhile by
        # another way (Enter while an answer asked with Ask streams, an example) is not taken
        # either; it cut the answer being written off, its bubble left at "…"
        self.writing: dict[str, object] = {}
        # the answer each session is writing: what it shows, and whether it has ended
        self.running: dict[str, _Writing] = {}

        # Gradio hands a handler its request by the parameter's type, which it reads at run time
        for handler in (self.respond, self.new_chat, self.stopped, self.idle):
            handler.__annotations__["request"] = gr.Request

    async def respond(
        self,
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
        import gradio as gr

        session = _session(request)
        keep = gr.update()  # the box as the user has it now
        if session and session in self.writing:
            yield gr.skip(), keep, gr.skip(), gr.skip()  # still in the box, to send after
            return
        self.ended.pop(session, None)
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
        token = self.writing[session] = object()
        now = self.running[session] = _Writing(chat, sources_html(None))
        llm = "" if not answerer or answerer == OFFLINE else answerer.strip()
        written = ""
        try:
            yield now.showing(chat), "", now.panel, answers
            check_period(since, until)
            found: list[tuple[SearchHit, ...]] = []  # the passages, as soon as they are found
            events = self.qa.stream(
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
                    if session in self.ended:  # Stop or New chat: their view of the chat stands
                        if self.ended[session] == "stop":
                            chat[-1] = {"role": "assistant", "content": _stopped_text(written)}
                            yield now.showing(chat), keep, gr.skip(), answers
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
                        panel = retrieved_html(found[0])
                        yield now.showing(chat, panel), keep, panel, gr.skip()
                    elif isinstance(event, Answer):
                        answers.append(event)
                        chat[-1] = {"role": "assistant", "content": answer_markdown(event)}
                        panel = sources_html(event)
                        yield now.showing(chat, panel), keep, panel, answers
                    else:
                        written += event  # shown as written while it streams, as it is at the end
                        chat[-1] = {"role": "assistant", "content": _streaming(written)}
                        yield now.showing(chat), keep, gr.skip(), answers
        except IndexMissingError as exc:
            indexing = self.qa.updating
            more = "" if indexing else " Or add articles under “Add articles”."
            chat[-1] = {"role": "assistant", "content": with_commands(f"{exc}{more}")}
            yield now.showing(chat, sources_html(None)), keep, now.panel, answers
        except FiltersError as exc:  # in the page's words; the question kept, to ask again
            chat[-1] = {"role": "assistant", "content": as_written(str(exc))}
            yield now.showing(chat, sources_html(None)), question, now.panel, answers
        except Exception as exc:  # shown as a message, never a stack trace; the question is
            # put back in the box (a bad date in the filters should not cost it)
            chat[-1] = {"role": "assistant", "content": f"Sorry, that did not work: {exc}"}
            yield now.showing(chat, sources_html(None)), question, now.panel, answers
        finally:
            if self.writing.get(session) is token:
                del self.writing[session]
            if self.running.get(session) is now:
                del self.running[session]
            now.done.set()

    async def ended_by(self, how: str, request: Any) -> _Writing | None:
        """Mark this session's answer as ended by the user, and wait for it to end (it does at
        once when the page cancels it, else at its next event): what it sends meanwhile comes
        before what the user's action shows. The answer, as it last showed (None: none ran)."""
        session = _session(request)
        self.ended[session] = how
        self.writing.pop(session, None)  # the next question is taken at once
        now = self.running.get(session)
        if now is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(now.done.wait(), timeout=5)
        return now

    async def new_chat(self, request: Any = None) -> tuple[Chat, list[Answer], str, str]:
        await self.ended_by("new", request)
        return [], [], sources_html(None), ""

    async def stopped(
        self, chat: Chat, panel: str, request: Any = None
    ) -> tuple[Chat, str, Any, Any, Any]:
        now = await self.ended_by("stop", request)
        if now is not None:  # marked as the answer left it: the chat the browser sent with
            # Stop can lack its updates yet (on a busy machine, even the question: the chat
            # was emptied, the answer's own "Stopped." overwritten)
            chat, panel = now.chat, now.panel
        return _stopped(chat, panel)

    def idle(self, request: Any = None) -> tuple[Any, Any, Any]:
        """Ask back, unless this session's answer is still being written (a question not
        taken meanwhile ends before it)."""
        import gradio as gr

        if _session(request) in self.writing:
            return gr.skip(), gr.skip(), gr.skip()
        return _idle()


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
