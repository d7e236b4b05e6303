"""The conversation a browser keeps: the page saves each session's chat and answers in the
browser's own storage (Gradio's BrowserState, encrypted with a key only the server holds), so
that a reload, or the page opened again later, carries on where it was."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path
from typing import Any

from newsqa.types import Answer
from newsqa.web.render import sources_html

__all__ = ["KEPT_TURNS", "STORAGE_KEY", "kept", "page_secret", "restored"]

STORAGE_KEY = "newsqa-conversation"
KEPT_TURNS = 20  # questions kept, the latest: a browser holds a few MB per site
SECRET_FILE = "page-secret"


def page_secret(index_dir: Path) -> str | None:
    """The key the page encrypts what browsers keep with: kept in the index folder (readable
    by its owner only), so a conversation kept before the server restarted is read again.
    None (a new key each start: conversations kept only until then) where it cannot be kept."""
    path = index_dir / SECRET_FILE
    key = secrets.token_urlsafe(32)
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # kept by an earlier start (or another page starting at once)
        with contextlib.suppress(OSError):
            return path.read_text(encoding="utf-8").strip() or None
        return None
    except OSError:
        return None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(key + "\n")
    except OSError:  # (a full disk: this start's key only)
        return None
    return key


def kept(chat: list[dict[str, Any]], answers: list[Answer], panel: str) -> dict[str, Any]:
    """What the browser keeps of a conversation: its last `KEPT_TURNS` questions as the chat
    shows them, their answers (the passages retrieved only for the last, which the panel lists)
    and whether the panel shows the last answer's sources. Nothing for an empty chat."""
    if not chat:
        return {}
    starts = [i for i, m in enumerate(chat) if m.get("role") == "user"]
    shown = chat[starts[-KEPT_TURNS] :] if len(starts) > KEPT_TURNS else chat
    recent = answers[-KEPT_TURNS:]
    records = [a.to_dict() for a in recent]
    for record in records[:-1]:
        record["retrieved"] = []
    last = recent[-1] if recent else None
    return {
        "chat": [{"role": m.get("role"), "content": m.get("content")} for m in shown],
        "answers": records,
        "cards": last is not None and panel == sources_html(last),
    }


def restored(saved: object) -> tuple[list[dict[str, Any]], list[Answer], str] | None:
    """The chat, answers and sources panel a browser kept; None when it kept none, or what it
    kept cannot be read (written by another version, say): the page then starts afresh."""
    if not isinstance(saved, dict) or not saved.get("chat"):
        return None
    try:
        chat = [
            {"role": m["role"], "content": m["content"]}
            for m in saved["chat"]
            if m.get("role") in ("user", "assistant")
        ]
        answers = [Answer.from_dict(a) for a in saved.get("answers") or []]
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    panel = sources_html(answers[-1] if answers and saved.get("cards") else None)
    return chat, answers, panel
