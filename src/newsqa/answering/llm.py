"""The LLM answering path: a chat model writes the answer from numbered sources, streamed token by
token, and the citation checker verifies every `[n]` before the `Answer` leaves.

Chat models are LangChain `BaseChatModel`s, chosen by a string (`parse_llm`) and built by
`make_chat_model`: any OpenAI-compatible server (OpenAI, Ollama, vLLM, LM Studio, llama.cpp's
server) through langchain-openai, or a GGUF file run in-process by llama-cpp-python."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
)

from newsqa.answering import prompts
from newsqa.answering.base import (
    AnswerEvent,
    AnswerRequest,
    Turn,
    decline_text,
    declining,
    newest_date,
)
from newsqa.answering.chat_models import (
    OPENAI_URL,
    SMOLLM2_PACKAGE,
    GGUFChatModel,
    LLMFailedError,
    LLMSpec,
    LLMStoppedError,
    LLMUnavailableError,
    content_text,
    make_chat_model,
    parse_llm,
    smollm2_path,
    stopping,
)
from newsqa.answering.citations import CitationChecker, is_meta_sentence, strip_markers
from newsqa.answering.dates import resolve_relative_dates
from newsqa.answering.premises import Contrary
from newsqa.chunking import split_sentences
from newsqa.types import Answer, SearchHit

__all__ = [
    "SMOLLM2_PACKAGE",
    "GGUFChatModel",
    "LLMAnswerer",
    "LLMFailedError",
    "LLMSpec",
    "LLMStoppedError",
    "LLMUnavailableError",
    "condense",
    "make_chat_model",
    "parse_llm",
    "smollm2_path",
]

log = logging.getLogger(__name__)


def _token_limit(chat_model: BaseChatModel, n: int) -> dict[str, Any]:
    """Call options that cap one call at `n` tokens, whichever way the model takes the cap."""
    extra = getattr(chat_model, "extra_body", None)
    if isinstance(extra, Mapping) and "max_tokens" in extra:
        return {"max_tokens": n, "extra_body": {**extra, "max_tokens": n}}
    return {"max_tokens": n}


def _endpoint(chat_model: BaseChatModel) -> str:
    """Where a chat model runs: the server URL, or the model file for in-process models."""
    url = getattr(chat_model, "openai_api_base", None)
    if url is not None or type(chat_model).__name__ == "ChatOpenAI":
        return str(url or OPENAI_URL)
    path = getattr(chat_model, "model_path", None)
    return str(path) if path else type(chat_model).__name__


def _model_name(chat_model: BaseChatModel) -> str:
    path = getattr(chat_model, "model_path", None)
    if path:
        return Path(str(path)).stem
    return str(getattr(chat_model, "model_name", None) or getattr(chat_model, "model", None) or "")


def _unavailable(exc: Exception, chat_model: BaseChatModel) -> LLMUnavailableError | None:
    """The `LLMUnavailableError` that `exc` amounts to, if it is a failure to reach the model."""
    import httpx

    where = _endpoint(chat_model)
    if isinstance(exc, LLMUnavailableError):
        return exc
    if isinstance(exc, ConnectionError | TimeoutError | httpx.TransportError):
        return LLMUnavailableError(f"cannot reach the LLM at {where}: {exc}")
    try:
        import openai
    except ImportError:
        return None
    if isinstance(exc, openai.APIConnectionError):  # includes timeouts
        return LLMUnavailableError(f"cannot reach the LLM at {where}: {exc}")
    if isinstance(exc, openai.NotFoundError) and not where.rstrip("/").endswith("/v1"):
        return LLMFailedError(
            f"the LLM at {where} answered 404 Not Found: OpenAI-compatible servers are "
            "usually reached at http://HOST:PORT/v1 (with /v1)"
        )
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return LLMFailedError(
            f"the LLM at {where} refused the API key ({exc.status_code}): set "
            "NEWSQA_LLM_API_KEY (or OPENAI_API_KEY)"
        )
    if isinstance(exc, openai.APIError):
        return LLMFailedError(f"the LLM at {where} answered with an error: {exc}")
    return None


# what llama.cpp's server (and others) send for a prompt longer than the context they were
# started with: a stream with no chunk at all, which LangChain reports as this ValueError
_NO_CHUNKS = "No generation chunks were returned"


def _no_text(chat_model: BaseChatModel) -> LLMFailedError:
    return LLMFailedError(
        f"the LLM at {_endpoint(chat_model)} returned no text (did its server stop, or was the "
        "prompt longer than its context? a local server needs a context of 4,096 tokens or "
        "more, e.g. llama.cpp's --n_ctx 4096)"
    )


_TAG = re.compile(r"<(/?)(sources?)\b", re.IGNORECASE)


def _defuse(text: str) -> str:
    """Article text cannot close its own source block: `</source>` inside it loses its `<`."""
    return _TAG.sub(r"‹\1\2", text)


def _day(hit: SearchHit) -> str:
    d = hit.article.published
    return f"{d.day} {d:%B %Y} ({d:%A})" if d is not None else "unknown"


def _source_block(n: int, hit: SearchHit) -> str:
    when = resolve_relative_dates(hit.text, hit.article.published, context=hit.text)
    dates = ", ".join(f'"{p}" = {meant}' for p, meant in when)
    return prompts.SOURCE_BLOCK.format(
        open=prompts.SOURCE_OPEN.format(n=n),
        title=_defuse(hit.article.title) or "(untitled)",
        outlet=_defuse(hit.article.source) or "unknown",
        published=_day(hit),
        dates=prompts.SOURCE_DATES.format(dates=dates) if dates else "",
        text=_defuse(hit.text.strip()),
        close=prompts.SOURCE_CLOSE,
    )


def _history_messages(history: Sequence[Turn]) -> list[BaseMessage]:
    out: list[BaseMessage] = []
    for question, answer in history:
        out.append(HumanMessage(question))
        # earlier markers point at earlier sources; left in, they would be cited again
        out.append(AIMessage(strip_markers(answer)))
    return out


# tokens (cl100k) of numbered passages the model is given: eight of the default 256-token chunks
# and a lead took 1,950-2,530 (ten questions on the default corpus), the whole prompt then up
# to about 3,400 of SmolLM2's tokens, which leaves an answer of 512 room in a context of 4,096;
# passages of bigger chunks are fewer, rather than a prompt the server cannot take
SOURCE_TOKENS = 2_600


def _tokens(text: str) -> int:
    from newsqa.chunking.tokens import get_encoding

    return len(get_encoding("cl100k_base").encode(text, disallowed_special=()))


_REFUSAL = re.compile(r"\b(?:don['’]t|do not|doesn['’]t|does not) say\b", re.IGNORECASE)
# "As of 3 May 2024." as its own line, or closing the text (the model's own, as the prompt asks;
# the answer's `as_of` is taken from the sources cited instead, and shown once by the CLI and
# the page); a weekday after the date, as the sources are dated: "9 December 2023 (Saturday)"
_WEEKDAY = r"(?:\s*\([A-Za-z]+\))?"
_AS_OF_LINE = re.compile(
    r"^[ \t]*\**As of\b[^\[\]\n]{0,40}\d{4}(?:-\d\d-\d\d)?" + _WEEKDAY + r"\**\.?\**[ \t]*$",
    re.I | re.M,
)
_AS_OF_TAIL = re.compile(r"\s*\bAs of\b[^\[\]\n.]{0,40}\d{4}" + _WEEKDAY + r"\.?\s*$", re.I)


class LLMAnswerer:
    """Answers with a chat model from the passages of the request, streaming its tokens, then
    checking its citations. `messages` shows exactly what the model is sent, `sources` which
    passages it is given."""

    def __init__(
        self,
        chat_model: BaseChatModel,
        checker: CitationChecker,
        *,
        source_tokens: int = SOURCE_TOKENS,
        history_turns: int = 3,
        contrary: Callable[[AnswerRequest], Contrary | None] | None = None,
    ) -> None:
        self.chat_model = chat_model
        self.checker = checker
        # what a question supposes that the passages report otherwise ("Why was X acquitted?"
        # of a verdict of guilty), read as the offline answerer reads it: the model is told, and
        # so is the reader, in a note
        self.contrary = contrary
        self.source_tokens = source_tokens
        self.history_turns = history_turns
        self.name = f"llm:{_model_name(chat_model)}"

    def sources(self, request: AnswerRequest) -> tuple[SearchHit, ...]:
        """The passages the model is given, numbered in this order: those the offline answerer
        reads (the ones found and the best article's lead), as long as their blocks fit in
        `source_tokens`; past it, the lowest-ranked are left out, a story's lead (its first
        passage, where it says what happened) after the others, the best passage never."""
        hits = request.hits
        sizes = [_tokens(_source_block(n, hit)) for n, hit in enumerate(hits, 1)]
        if sum(sizes) <= self.source_tokens:
            return hits
        # kept first: the best passage, then the leads, then the others, each best first
        order = sorted(range(len(hits)), key=lambda i: (i > 0, hits[i].position > 0, i))
        kept: set[int] = set()
        used = 0
        for i in order:
            if not kept or used + sizes[i] <= self.source_tokens:
                kept.add(i)
                used += sizes[i]
        return tuple(hit for i, hit in enumerate(hits) if i in kept)

    def messages(self, request: AnswerRequest) -> list[BaseMessage]:
        hits = self.sources(request)
        return self._messages(request, hits, self._contrary(request, hits))

    def _contrary(self, request: AnswerRequest, hits: tuple[SearchHit, ...]) -> Contrary | None:
        return self.contrary(replace(request, hits=hits)) if self.contrary and hits else None

    def _messages(
        self, request: AnswerRequest, hits: tuple[SearchHit, ...], contrary: Contrary | None
    ) -> list[BaseMessage]:
        sources = "\n\n".join(_source_block(n, hit) for n, hit in enumerate(hits, 1))
        differs = request.question.strip() != request.standalone.strip()
        number = {hit.chunk_id: n for n, hit in enumerate(hits, 1)}
        user = prompts.USER_TEMPLATE.format(
            sources=sources,
            question=request.standalone.strip(),
            asked_as=prompts.QUESTION_ASKED_AS.format(question=request.question.strip())
            if differs
            else "",
            premise=prompts.PREMISE_NOTE.format(
                note=contrary.note([f"source {number[h.chunk_id]}" for h, _ in contrary.reports])
            )
            if contrary
            else "",
        )
        recent = request.history[-self.history_turns :] if self.history_turns > 0 else ()
        return [
            SystemMessage(prompts.SYSTEM_PROMPT),
            *_history_messages(recent),
            HumanMessage(user),
        ]

    def stream(self, request: AnswerRequest) -> Iterator[AnswerEvent]:
        hits = self.sources(request)
        if not hits:
            note = "no passages were retrieved, so the LLM was not asked"
            yield from declining(request, self.name, notes=(note,))
            return
        contrary = self._contrary(request, hits)
        parts: list[str] = []
        finish = ""
        try:
            for chunk in self.chat_model.stream(self._messages(request, hits, contrary)):
                delta = content_text(chunk.content)
                finish = str(chunk.response_metadata.get("finish_reason") or finish)
                if delta:
                    parts.append(delta)
                    yield delta
        except Exception as exc:
            if stopping():  # the user stopped the answer: its connection was shut down
                raise LLMStoppedError("the answer was stopped") from exc
            error = _unavailable(exc, self.chat_model)
            if error is None and _NO_CHUNKS in str(exc):
                error = _no_text(self.chat_model)
            if error is None:  # whatever else went wrong is the LLM's failure, not the user's
                log.warning("the LLM failed", exc_info=exc)
                error = LLMFailedError(f"the LLM failed: {type(exc).__name__}: {exc}")
            raise error from exc
        if stopping():  # (a stream cut short can end as if it were whole)
            raise LLMStoppedError("the answer was stopped")
        if not "".join(parts).strip():
            raise _no_text(self.chat_model)
        yield self._answer(
            request, hits, "".join(parts), truncated=finish == "length", contrary=contrary
        )

    def _answer(
        self,
        request: AnswerRequest,
        hits: tuple[SearchHit, ...],
        raw: str,
        *,
        truncated: bool,
        contrary: Contrary | None = None,
    ) -> Answer:
        checked = self.checker.check(raw, hits)
        notes: list[str] = []
        if contrary is not None:  # each report by its marker, or by its title where none is
            cited = {c.chunk_id: c.n for c in checked.citations}
            notes.append(
                contrary.note(
                    [
                        f"[{cited[h.chunk_id]}]"
                        if h.chunk_id in cited
                        else f"“{h.article.title}” ({h.article.source})"
                        for h, _ in contrary.reports
                    ]
                )
            )
        if checked.removed_markers:
            listed = ", ".join(f"[{n}]" for n in dict.fromkeys(checked.removed_markers))
            notes.append(f"removed citation markers that pointed at no source: {listed}")
        if checked.unsupported and checked.citations:
            notes.append(
                f"{len(checked.unsupported)} statement(s) could not be traced to the sources "
                "and are shown without a citation"
            )
        if truncated:
            notes.append("the answer was cut short at the LLM's token limit")
        text = _AS_OF_TAIL.sub("", _AS_OF_LINE.sub("", checked.text)).strip()
        as_of = newest_date(checked.citations)
        unsupported = checked.unsupported
        declined = not checked.citations
        if declined:
            # nothing traced to a source: keep the refusal if the model wrote one, and set aside
            # whatever else it said (an answer from memory is no answer here)
            said = [text[a:b] for a, b in split_sentences(text)]
            refusal = next((t for t in said if _REFUSAL.search(t)), "")
            rest = tuple(t for t in said if not is_meta_sentence(t) and t not in unsupported)
            if rest or unsupported:
                unsupported += rest
                notes.append("the LLM's answer could not be traced to the sources")
            text = refusal or decline_text(request.question, request.standalone)
        return Answer(
            question=request.question,
            text=text,
            citations=checked.citations,
            declined=declined,
            as_of=as_of,
            unsupported=unsupported,
            standalone_question=request.standalone,
            retrieved=tuple(hits),
            answerer=self.name,
            notes=tuple(notes),
        )


_LEAD_IN = re.compile(
    r"^(?:standalone|rewritten|reformulated|follow-up)?\s*question\s*:\s*", re.IGNORECASE
)


def _clean_question(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines:
        return ""
    line = _LEAD_IN.sub("", lines[0]).strip().strip("\"'“”*` ").strip()
    return "" if "<|" in line or "<source" in line else line


def condense(
    chat_model: BaseChatModel, question: str, history: Sequence[Turn], *, turns: int = 3
) -> str | None:
    """`question` rewritten to stand alone, given the conversation; `question` itself when there
    is no history; None when the model writes something that is not a question-sized line or
    fails (the caller keeps its own rewrite). `LLMUnavailableError` when it cannot be reached:
    the answer would wait for it again."""
    if not history or not question.strip():
        return question
    recent = list(history)[-turns:]
    lines = []
    for q, a in recent:
        answer = strip_markers(a)
        answer = answer if len(answer) <= 500 else answer[:500].rsplit(" ", 1)[0] + " …"
        lines.append(prompts.HISTORY_TURN.format(question=q.strip(), answer=answer))
    messages: list[BaseMessage] = [
        SystemMessage(prompts.CONDENSE_SYSTEM),
        HumanMessage(
            prompts.CONDENSE_TEMPLATE.format(history="\n\n".join(lines), question=question.strip())
        ),
    ]
    try:
        reply = chat_model.invoke(messages, **_token_limit(chat_model, 96))
    except Exception as exc:  # condensing is a nicety: never fail the question over it
        if stopping():  # nor answer a question the user stopped
            raise LLMStoppedError("the answer was stopped") from exc
        error = _unavailable(exc, chat_model)
        if error is not None and not isinstance(error, LLMFailedError):
            raise error from exc
        log.warning("could not condense the follow-up question: %s", exc)
        return None
    text = _clean_question(content_text(reply.content))
    limit = 3 * (len(question) + sum(len(q) for q, _ in recent))
    if not text or len(text) > limit or (question.rstrip().endswith("?") and text[-1] != "?"):
        return None  # a question came in, so anything but a question is not a rewrite
    return text
