"""JSON, JSON Lines and CSV: lists of article records, under the field names news datasets use."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator, Mapping

from newsqa.corpus.common import (
    clean_text,
    clean_title,
    first_str,
    join_names,
    outlet_name,
    parse_date,
)
from newsqa.types import Article, Skipped, without_tracking

__all__ = [
    "FIELD_ALIASES",
    "LIST_KEYS",
    "iter_csv",
    "iter_json",
    "iter_jsonl",
    "record_to_article",
]

# Article field -> record keys (lower-case) in order of preference.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "text": ("body", "text", "content", "article", "maintext", "full_text"),
    "title": ("title", "headline"),
    "source": (
        "source",
        "outlet",
        "publisher",
        "publication",
        "site_name",
        "sitename",
        "source_name",
    ),
    "published": (
        "published_at",
        "publishedat",
        "published",
        "date",
        "pubdate",
        "publish_date",
        "datepublished",
        "date_publish",
        "timestamp",
    ),
    "author": ("author", "authors", "byline", "creator"),
    "url": ("url", "link", "href", "canonical_url"),
}
# a summary: the text of a record that has no body (a feed's entries are taken from theirs too)
SUMMARY_KEYS = ("description", "summary", "short_description", "abstract", "lead", "snippet", "dek")
# where a news API cut the body short: NewsAPI's "… [+2345 chars]"
_TEXT_KEYS = FIELD_ALIASES["text"] + SUMMARY_KEYS  # where a record's text may be, in order
_CUT = re.compile(r"\s*(?:…|\.\.\.)?\s*\[\+\d+ chars\]\s*$")

# Keys under which a top-level JSON object may hold its list of records.
LIST_KEYS = ("articles", "items", "data", "records", "results", "entries", "documents", "docs")


def _text(record: Mapping[str, object]) -> str:
    """The record's body (cut short by a news API, "… [+2345 chars]", without the marker), else
    its summary."""
    for key in FIELD_ALIASES["text"]:
        value = record.get(key)
        if isinstance(value, list):  # a body given as a list of paragraphs
            value = "\n\n".join(v for v in value if isinstance(v, str))
        if isinstance(value, str) and value.strip():
            body = clean_text(value)
            cut = _CUT.search(body)
            return body if cut is None else body[: cut.start()].rstrip(" .…") + "…"
    return clean_text(first_str(record, SUMMARY_KEYS))


def _source(record: Mapping[str, object]) -> str:
    for key in FIELD_ALIASES["source"]:
        value = record.get(key)
        if isinstance(value, Mapping):  # NewsAPI style: {"id": ..., "name": "Reuters"}
            value = value.get("name") or value.get("title")
        if isinstance(value, str) and value.strip():
            return outlet_name(value)
    return ""


def _published(record: Mapping[str, object]) -> object:
    for key in FIELD_ALIASES["published"]:
        value = record.get(key)
        if value not in (None, ""):
            return value
    return None


def _author(record: Mapping[str, object]) -> str:
    for key in FIELD_ALIASES["author"]:
        name = join_names(record.get(key))
        if name:
            return name
    return ""


def record_to_article(record: object, origin: str) -> Article | Skipped:
    """One article from a decoded JSON record (an object with a text field under a known name)."""
    if not isinstance(record, Mapping):
        return Skipped(origin, f"record is a JSON {_kind(record)}, not an object", broken=False)
    fields = {str(k).lower(): v for k, v in record.items()}
    text = _text(fields)
    if not text:
        names = "/".join(_TEXT_KEYS)
        return Skipped(origin, f"record has no article text (looked for {names})", broken=False)
    given = _published(fields)
    published = parse_date(given)
    return Article(
        title=clean_title(first_str(fields, FIELD_ALIASES["title"])),
        text=text,
        source=_source(fields),
        author=_author(fields),
        published=published,
        url=without_tracking(first_str(fields, FIELD_ALIASES["url"])),
        origin=origin,
        unread_date=str(given) if given is not None and published is None else "",
    )


def _kind(value: object) -> str:
    return {dict: "object", list: "list", str: "string", bool: "boolean", type(None): "null"}.get(
        type(value), "number"
    )


def _records(doc: object) -> list[object] | None:
    """The list of records a JSON document holds, or None when it is a single record."""
    if isinstance(doc, list):
        return doc
    if isinstance(doc, dict):
        lowered = {str(k).lower(): v for k, v in doc.items()}
        for key in LIST_KEYS:
            if isinstance(lowered.get(key), list):
                return list(lowered[key])
    return None


def iter_json(text: str, origin: str) -> Iterator[Article | Skipped]:
    """Articles of a `.json` file: a list of records, `{"articles": [...]}`, or a single record."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        yield Skipped(origin, f"malformed JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})")
        return
    except RecursionError:
        yield Skipped(origin, "malformed JSON: nested too deeply")
        return
    records = _records(doc)
    if records is None:
        if isinstance(doc, dict):
            yield record_to_article(doc, origin)
        else:
            yield Skipped(origin, f"JSON holds a {_kind(doc)}, not an article record or a list")
        return
    if not records:
        yield Skipped(origin, "JSON list of records is empty")
    for index, record in enumerate(records):
        yield record_to_article(record, f"{origin}#{index}")


def iter_jsonl(text: str, origin: str) -> Iterator[Article | Skipped]:
    """Articles of a `.jsonl` file, one record per line; origins are `file:line`."""
    seen = False
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        seen = True
        where = f"{origin}:{lineno}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Skipped(where, f"malformed JSON on line {lineno}: {exc.msg} (column {exc.colno})")
            continue
        except RecursionError:
            yield Skipped(where, f"malformed JSON on line {lineno}: nested too deeply")
            continue
        yield record_to_article(record, where)
    if not seen:
        yield Skipped(origin, "empty file")


_CSV_DELIMITERS = ",;\t|"


def iter_csv(text: str, origin: str, *, tabs: bool = False) -> Iterator[Article | Skipped]:
    """Articles of a `.csv` file (`.tsv`: `tabs`), one record a row under a header row naming
    its columns as JSON records name their fields; origins are `file:line`. The delimiter of a
    `.csv` is read from its header (",", ";" as a spreadsheet in many languages saves it, tab,
    "|")."""
    lines = text.splitlines(keepends=True)
    if not any(line.strip() for line in lines):
        yield Skipped(origin, "empty file")
        return
    header = next(line for line in lines if line.strip())
    delimiter = "\t" if tabs else max(_CSV_DELIMITERS, key=header.count)
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 28))  # a long article is one field
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        columns = [c.strip().lower() for c in next(reader)]
        if not any(c in columns for c in _TEXT_KEYS):
            names = "/".join(_TEXT_KEYS)
            shown = ", ".join(c for c in columns if c) or "none"
            yield Skipped(
                origin,
                f"no column of article text (looked for {names}; its columns: {shown:.200})",
                broken=False,
            )
            return
        start = reader.line_num + 1
        for row in reader:
            where, start = f"{origin}:{start}", reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(columns):
                yield Skipped(where, f"row has {len(row)} fields, the header {len(columns)}")
                continue
            yield record_to_article(dict(zip(columns, row, strict=False)), where)
    except csv.Error as exc:
        yield Skipped(f"{origin}:{reader.line_num}", f"malformed CSV: {exc}")
