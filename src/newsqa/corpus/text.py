"""Plain-text and Markdown articles, with optional YAML front matter."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from newsqa.corpus.common import (
    DEFAULT_MAX_FILE_BYTES,
    clean_text,
    decode_utf8,
    join_names,
    outlet_name,
    parse_date,
    read_file,
)
from newsqa.types import Article, Skipped, without_tracking

__all__ = [
    "FRONT_MATTER_KEYS",
    "LINK_LIST",
    "link_list",
    "parse_text_article",
    "split_front_matter",
]

# Article field -> accepted front-matter keys (lower-case), first match wins.
FRONT_MATTER_KEYS: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline"),
    "source": ("source", "outlet", "publisher", "site", "site_name", "sitename"),
    "author": ("author", "authors", "byline"),
    "published": ("published", "date", "published_at", "publish_date", "pubdate"),
    "url": ("url", "link", "canonical_url"),
    # what identifies an article without a URL across its versions (a feed entry's guid)
    "id": ("id", "guid"),
}

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_SOURCE_LINE = re.compile(r"^(?:original\s+)?source\s*:\s*(\S.{0,98})$", re.I)
_ATX = re.compile(r"^\s{0,3}#{1,6}(?:\s+|$)(.*?)(?:\s+#+)?\s*$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_RULE = re.compile(r"^\s{0,3}([-*_])(?:\s*\1){2,}\s*$")  # a thematic break: ---, ***, ___


class FrontMatterError(ValueError):
    """The file opens with a `---` block that is not a YAML mapping."""


_HEADLINE_WORDS = 20  # a first line longer than this, alone in its file, is the article
_LINK = re.compile(r"https?://\S+", re.I)
LINK_LIST = "a list of links, not an article: `newsqa ingest FILE` fetches them"


def link_list(text: str) -> list[str]:
    """The addresses of a text that is nothing but http(s) addresses, one a line ("#" lines
    are comments); none for any other text. Such a file ("urls.txt") was indexed as an article
    titled with its first address."""
    lines = [line.strip() for line in text.lstrip("\ufeff").splitlines()]
    lines = [line for line in lines if line and not line.startswith("#")]
    if lines and all(_LINK.fullmatch(line) for line in lines):
        return lines
    return []


def links_listed(path: Path, *, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES) -> list[str]:
    """The addresses a `.txt` or `.md` file lists (`link_list`), to ingest; none for any other
    file."""
    if path.suffix.lower() not in (".txt", ".md") or not path.is_file():
        return []
    data = read_file(path, str(path), max_file_bytes)
    text = data if isinstance(data, Skipped) else decode_utf8(data, str(path))
    return [] if isinstance(text, Skipped) else link_list(text)


def split_front_matter(text: str) -> tuple[dict[str, object] | None, str]:
    """(front matter as a dict with lower-cased keys, body); (None, text) when there is none.

    Values stay strings (YAML's BaseLoader), so a title like `No` or `2024` is kept as written.
    """
    m = _FRONT_MATTER.match(text)
    if not m:
        return None, text
    try:
        data = yaml.load(m.group(1) or "", Loader=yaml.BaseLoader)  # inert: strings only
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        raise FrontMatterError(f"front matter is not valid YAML{where}") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return None, text  # a leading horizontal rule, not front matter
    return {str(k).lower(): v for k, v in data.items()}, text[m.end() :]


def _meta(front: dict[str, object], field: str) -> object:
    for key in FRONT_MATTER_KEYS[field]:
        if key in front:
            return front[key]
    return None


def _as_str(value: object) -> str:
    return join_names(value) if isinstance(value, list | dict) else str(value or "").strip()


def _take_title(lines: list[str], markdown: bool) -> str:
    """Pop the first non-empty line (and a Setext underline) off `lines`: the title."""
    while lines and (not lines[0].strip() or (markdown and _RULE.match(lines[0]))):
        lines.pop(0)
    if not lines:
        return ""
    title = lines.pop(0).strip()
    if markdown:
        atx = _ATX.match(title)
        if atx:
            title = atx.group(1).strip()
        elif lines and _SETEXT.match(lines[0]):
            lines.pop(0)
    return title


def _take_source_line(lines: list[str]) -> str:
    """Pop a trailing `Source: X` / `Original Source: X` line and return X as an outlet name."""
    idx = len(lines) - 1
    while idx >= 0 and not lines[idx].strip():
        idx -= 1
    if idx < 0:
        return ""
    m = _SOURCE_LINE.match(lines[idx].strip())
    if not m:
        return ""
    del lines[idx:]
    return outlet_name(m.group(1))


def parse_text_article(text: str, origin: str, *, markdown: bool) -> Article | Skipped:
    """One article from a `.txt`/`.md` file's text.

    Front matter sets the metadata; without it the first non-empty line is the title and a last
    line `Source: X` names the outlet. Nothing is guessed: no URL or date unless written down.
    """
    try:
        unified = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
        front, body = split_front_matter(unified)
    except FrontMatterError as exc:
        return Skipped(origin, str(exc))
    if front is None and link_list(unified):
        return Skipped(origin, LINK_LIST)
    lines = clean_text(body).split("\n")
    source = author = url = unread = key = ""
    published = None
    if front is None:
        title = _take_title(lines, markdown)
        source = _take_source_line(lines)
        if len(title.split()) > _HEADLINE_WORDS and not any(line.strip() for line in lines):
            lines, title = [title], ""  # a whole article on one line, not a headline
    else:
        raw_title = _meta(front, "title")
        title = _as_str(raw_title) if raw_title is not None else _take_title(lines, markdown)
        source = outlet_name(_as_str(_meta(front, "source")))
        author = _as_str(_meta(front, "author"))
        url = without_tracking(_as_str(_meta(front, "url")))
        key = "" if url else _as_str(_meta(front, "id"))
        given = _meta(front, "published")
        published = parse_date(given)
        if given is not None and published is None:
            unread = _as_str(given)
    body_text = clean_text("\n".join(lines))
    if not body_text:
        what = "after the title" if title else "in the file"
        return Skipped(origin, f"no article text {what}")
    return Article(
        title=title,
        text=body_text,
        source=source,
        author=author,
        published=published,
        url=url,
        origin=origin,
        id=key,  # as written: a saved feed entry's, made from its guid
        unread_date=unread,
    )
