"""Larger corpora made from MultiHop-RAG's articles, for measuring what grows with the corpus
(memory in index_build.py, filtered search in filters.py): disguised copies that are neither
duplicates nor syndicated copies of each other, so every copy is indexed and embedded."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

Row = dict[str, Any]


def disguise(text: str, k: int) -> str:
    """`text` with the words of each line rotated in groups of k+1 (k = 0: unchanged): the same
    words and about the same tokens, but hardly a 5-word shingle in common with the original or
    another copy, so the k-th copy is neither a duplicate nor a syndicated near-copy."""
    if k == 0:
        return text
    lines = []
    for line in text.split("\n"):
        words = line.split(" ")
        groups = [words[i : i + k + 1] for i in range(0, len(words), k + 1)]
        lines.append(" ".join(w for g in groups for w in g[1:] + g[:1]))
    return "\n".join(lines)


def _shifted(published: str | None, days: int) -> str | None:
    if not published or not days:
        return published
    return (datetime.fromisoformat(published) + timedelta(days=days)).isoformat()


def _copy_url(url: str, k: int) -> str:
    """The k-th copy's own URL: `copy=k` added to the query, before any fragment. Appended as
    "?copy=k", it was swallowed by a tracking parameter ("…?ref=rss?copy=2" is `ref`) or a
    fragment, which newsqa's article ids leave out, and such copies were read as one article
    (144 of five copies' 3,045 articles)."""
    base, mark, fragment = url.partition("#")
    return f"{base}{'&' if '?' in base else '?'}copy={k}{mark}{fragment}"


def scaled_corpus(records: list[Row], copies: int, folder: Path, *, shift_days: int = 0) -> Path:
    """`copies` copies of the articles, one JSON file per copy (as a folder of feeds would be);
    copy k is published `k * shift_days` later than the original."""
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(copies):
        copy = [
            r
            | {"title": disguise(r["title"], k), "body": disguise(r["body"], k)}
            | {"url": _copy_url(r["url"], k) if r.get("url") else ""}  # none: known by its text
            | {"published_at": _shifted(r.get("published_at"), k * shift_days)}
            for r in records
        ]
        (folder / f"copy-{k}.json").write_text(json.dumps(copy), encoding="utf-8")
    return folder
