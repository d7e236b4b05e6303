"""RSS and Atom feeds (feedparser): one article per entry, its HTML content reduced to text."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import feedparser

from newsqa.corpus.common import clean_text, html_to_text, join_names, parse_date
from newsqa.types import Article, Skipped, article_id_for, without_tracking

__all__ = ["Feed", "FeedEntry", "iter_feed", "looks_like_feed", "read_feed"]


@dataclass(frozen=True)
class FeedEntry:
    """An entry's link (absolute, or '') and the article made from the entry's own content."""

    link: str
    article: Article | Skipped


@dataclass
class Feed:
    title: str
    entries: list[FeedEntry] = field(default_factory=list)


def looks_like_feed(data: bytes) -> bool:
    """Whether a document's first bytes open an RSS, RDF or Atom root element."""
    head = data[:1024].lstrip().lower()
    return b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head


def _html_or_text(detail: Mapping[str, object] | None, value: object) -> str:
    if not isinstance(value, str):
        return ""
    kind = str((detail or {}).get("type") or "text/html")
    return html_to_text(value) if "html" in kind else clean_text(value)


def _entry_text(entry: Mapping[str, object]) -> str:
    """The entry's full content when it carries one (longest part), else its summary."""
    best = ""
    contents = entry.get("content")
    for part in contents if isinstance(contents, list) else []:
        if isinstance(part, Mapping):
            text = _html_or_text(part, part.get("value"))
            if len(text) > len(best):
                best = text
    if best:
        return best
    detail = entry.get("summary_detail")
    return _html_or_text(detail if isinstance(detail, Mapping) else None, entry.get("summary"))


def _entry_date(entry: Mapping[str, object]) -> datetime | None:
    for key in ("published", "updated", "created"):
        parsed = parse_date(entry.get(key))
        if parsed is not None:
            return parsed
    for key in ("published_parsed", "updated_parsed"):
        st = entry.get(key)
        if isinstance(st, time.struct_time):  # feedparser's normalised form is in UTC
            return datetime(*st[:6], tzinfo=UTC)
    return None


def _entry_article(
    entry: Mapping[str, object], feed_title: str, link: str, origin: str
) -> Article | Skipped:
    text = _entry_text(entry)
    if not text:
        return Skipped(origin, "feed entry has no content or summary", broken=False)
    title_detail = entry.get("title_detail")
    author = join_names(entry.get("authors")) or join_names(entry.get("author"))
    return Article(
        title=_html_or_text(
            title_detail if isinstance(title_detail, Mapping) else None, entry.get("title")
        ),
        text=text,
        source=feed_title,
        author=author,
        published=_entry_date(entry),
        url=link,
        origin=origin,
        # without a link, the entry's guid (or Atom id) is what its next version shares
        id=article_id_for(guid, text) if not link and (guid := _guid(entry)) else "",
    )


def _guid(entry: Mapping[str, object]) -> str:
    return str(entry.get("id") or entry.get("guid") or "").strip()


def _is_http(url: str) -> bool:
    """Whether `url` is an http(s) address urllib can read ("http://[::1", a broken IPv6
    host, is none: one such link lost the whole feed)."""
    try:
        return urlsplit(url).scheme in ("http", "https")
    except ValueError:
        return False


def read_feed(data: bytes, origin: str, *, base_url: str | None = None) -> Feed | Skipped:
    """Parse a feed document; relative entry links are resolved against `base_url`, else
    against the feed's own link (a feed saved to a file has no URL of its own)."""
    try:
        # A file object, never bytes or str: feedparser would treat a string as a URL or a path.
        parsed = feedparser.parse(io.BytesIO(data))
    except Exception as exc:  # a third-party parser on arbitrary input
        return Skipped(origin, f"malformed feed: {type(exc).__name__}: {exc}")
    entries = list(parsed.get("entries") or [])
    if not entries:
        if parsed.get("bozo"):
            return Skipped(origin, f"malformed feed: {parsed.get('bozo_exception')}")
        return Skipped(origin, "no feed entries (not an RSS or Atom feed?)")
    meta = parsed.get("feed") or {}
    feed_title = html_to_text(str(meta.get("title") or ""))
    feed = Feed(title=feed_title)
    if not base_url and _is_http(str(meta.get("link") or "")):
        base_url = str(meta.get("link"))
    malformed = parsed.get("bozo_exception") if parsed.get("bozo") else None
    for index, entry in enumerate(entries):
        raw_link = str(entry.get("link") or "").strip()
        try:
            link = urljoin(base_url, raw_link) if base_url and raw_link else raw_link
        except ValueError:  # a link urllib cannot read ("http://[::1"): the entry has none
            link = ""
        link = without_tracking(link)  # a feed's "?utm_source=rss": not stored, cited, fetched
        if not _is_http(link):
            link = ""  # an Atom id ("tag:x,2024:1") that feedparser offers as the link
        article = _entry_article(entry, feed_title, link, f"{origin}#{index}")
        if isinstance(article, Skipped) and malformed is not None:
            # an entry without text in a feed that breaks off (a file cut short): unreadable
            # this time, so what it held before is kept, and said as what it is
            article = Skipped(article.origin, f"malformed feed ({malformed}): entry unreadable")
        feed.entries.append(FeedEntry(link=link, article=article))
    return feed


def iter_feed(data: bytes, origin: str) -> Iterator[Article | Skipped]:
    """Articles of an RSS/Atom file, one per entry, with origins `file#index`."""
    feed = read_feed(data, origin)
    if isinstance(feed, Skipped):
        yield feed
        return
    for entry in feed.entries:
        yield entry.article
