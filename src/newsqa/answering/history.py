"""A conversation's turns as the API takes them (earlier `Answer`s or their `to_dict()`,
(question, answer) pairs, or role/content chat messages), read into what answering uses: the
(question, answer) turns, and the filters the last question was asked under."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from newsqa.answering.base import Turn
from newsqa.types import Answer, SearchFilters

__all__ = ["History", "last_filters", "turns_of"]

History = Sequence["Answer | tuple[str, str] | Mapping[str, Any]"]


def turns_of(history: History) -> tuple[Turn, ...]:
    """(question, answer) pairs from Answers (or their `to_dict()`, as a session keeps them in
    JSON), pairs, or role/content chat messages; TypeError for anything else."""
    if isinstance(history, str | bytes | Mapping | Answer):  # one turn, not a list of them
        raise TypeError(
            "history is a list of the turns before (Answers or their to_dict(), (question, "
            f"answer) pairs, or {{'role': …, 'content': …}} messages), not one "
            f"{type(history).__name__}: put it in a list"
        )
    turns: list[tuple[str, str]] = []
    pending: str | None = None
    for item in history:
        if isinstance(item, Answer):
            turns.append((item.standalone_question or item.question, item.text))
        elif isinstance(item, Mapping) and "question" in item and "text" in item:
            asked = item.get("standalone_question") or item["question"]
            if asked is not None:  # (an empty turn is no conversation: "None" was searched)
                turns.append((str(asked), str(item["text"] or "")))
        elif isinstance(item, Mapping) and "role" in item:
            role, content = item.get("role"), _message_text(item.get("content"))
            if role == "user":
                pending = content
            elif role == "assistant" and pending is not None:
                turns.append((pending, content))
                pending = None
        elif (
            isinstance(item, Sequence)
            and not isinstance(item, str)
            and len(item) == 2
            and all(isinstance(x, str) for x in item)
        ):
            turns.append((item[0], item[1]))
        else:
            pair = " (a (question, answer) pair is one item: [(question, answer)])"
            raise TypeError(
                "history items are Answers (or their to_dict()), (question, answer) pairs, or "
                f"{{'role': …, 'content': …}} messages, not {type(item).__name__} {item!r:.60}"
                + (pair if isinstance(item, str) else "")
            )
    return tuple(turns)


def last_filters(history: History) -> SearchFilters | None:
    """The filters the conversation's last question was asked under, when its turn records
    them (an `Answer` or its `to_dict()`; None for a pair or chat messages, which do not)."""
    if not history:
        return None
    last = history[-1]
    if isinstance(last, Answer):
        return last.filters
    if (
        isinstance(last, Mapping)
        and "question" in last
        and isinstance(last.get("filters"), Mapping)
    ):
        try:
            return SearchFilters.from_dict(last["filters"])
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"the history's last turn has filters that cannot be read: {exc}"
            ) from None
    return None


def _message_text(content: object) -> str:
    """The text of a chat message's content: a string, or a list of parts (OpenAI's
    `[{"type": "text", "text": …}, {"type": "image_url", …}]`) whose text parts are read and
    the rest (an image, a file) left out."""
    if content is None or isinstance(content, str):
        return content or ""
    if isinstance(content, Mapping):
        content = [content]
    if isinstance(content, Sequence):
        return "\n".join(
            part if isinstance(part, str) else part["text"]
            for part in content
            if isinstance(part, str)
            or (
                isinstance(part, Mapping)
                and part.get("type", "text") == "text"
                and isinstance(part.get("text"), str)
            )
        )
    return str(content)
