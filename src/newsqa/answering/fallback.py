"""An LLM's answer, or the offline one in its place: when the LLM cannot be reached, fails,
stops while writing, or writes an answer of which not one statement traces to a source. Each
change of hands is said in the answer's notes and where the text changes."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from newsqa.answering.base import Answerer, AnswerEvent, AnswerRequest
from newsqa.types import Answer

__all__ = ["llm_or_offline"]


def llm_or_offline(
    request: AnswerRequest,
    llm: Answerer | None,
    offline: Callable[[], Answerer],
    notes: list[str],
    finish: Callable[[Iterator[AnswerEvent]], Iterator[AnswerEvent]],
) -> Iterator[AnswerEvent]:
    """The events answering `request`: the `llm`'s, or the `offline()` answerer's when there
    is none or it gives no answer to keep (said in `notes`); `finish` puts the notes on the
    final `Answer`, read once it comes."""
    if llm is not None:
        streamed = False
        try:
            events = _traced_or_offline(llm.stream(request), offline, request, notes)
            for event in finish(events):
                streamed = streamed or (isinstance(event, str) and bool(event))
                yield event
            return
        except RuntimeError as exc:  # LLMUnavailableError and the like
            if streamed:  # what it wrote so far is not the answer: said where it stops
                notes.append(f"The LLM stopped answering ({exc}); answered offline instead.")
                yield "\n\n(The LLM stopped answering; the offline answer follows.)\n\n"
            else:
                from newsqa.answering.chat_models import LLMFailedError

                failed = "failed" if isinstance(exc, LLMFailedError) else "could not be reached"
                notes.append(f"The LLM {failed} ({exc}); answered offline instead.")
    yield from finish(offline().stream(request))


def _traced_or_offline(
    events: Iterator[AnswerEvent],
    offline: Callable[[], Answerer],
    request: AnswerRequest,
    notes: list[str],
) -> Iterator[AnswerEvent]:
    """The LLM's events; but when it wrote an answer of which not one statement traces to a
    source, the offline answer instead if the passages give one (worth more than a refusal
    the articles do not warrant), said in `notes` and where the text changes hands."""
    for event in events:
        if isinstance(event, Answer) and event.declined and event.unsupported:
            instead = _offline_instead(offline(), request)
            if instead is not None:
                notes.append(
                    "The LLM's answer could not be traced to the sources; answered offline instead."
                )
                yield (
                    "\n\n(The LLM's answer could not be checked against the sources; the "
                    "offline answer follows.)\n\n"
                )
                yield from instead
                return
        yield event


def _offline_instead(answerer: Answerer, request: AnswerRequest) -> list[AnswerEvent] | None:
    """The offline answer's events for `request`, or None when it declines too."""
    events = list(answerer.stream(request))
    final = events[-1]
    return None if not isinstance(final, Answer) or final.declined else events
