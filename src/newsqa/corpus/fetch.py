"""HTTP ingest: one page, or a feed and the pages its entries link to, read into articles."""

from __future__ import annotations

import dataclasses
import errno
import socket
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from newsqa.corpus.common import DEFAULT_MAX_FILE_BYTES, human_size, outlet_name
from newsqa.corpus.feeds import FeedEntry, looks_like_feed, read_feed
from newsqa.corpus.pdf import extract_pdf
from newsqa.corpus.webpage import decode_html, extract_page
from newsqa.notices import skip_notices_only
from newsqa.types import Article, LoadResult, Skipped, without_tracking

__all__ = ["USER_AGENT", "FeedFetch", "fetch_feed", "fetch_url"]

USER_AGENT = "newsqa/0.1 (+offline news question answering; article ingest)"
_FEED_TYPES = ("rss", "atom", "xml")
_PAGES_AT_ONCE = 4  # a feed's entry pages fetched side by side: fast, and polite to its site


@dataclass(frozen=True)
class _Response:
    url: str  # after redirects
    content_type: str
    charset: str | None
    body: bytes


def _get(client: httpx.Client, url: str, timeout: float) -> _Response | Skipped:
    """GET with redirects followed and the body size bounded; any failure becomes a reason."""
    try:
        with client.stream(
            "GET",
            url,
            follow_redirects=True,
            timeout=timeout,
            headers={"User-Agent": USER_AGENT},
        ) as resp:
            if resp.status_code >= 400:
                phrase = httpx.codes.get_reason_phrase(resp.status_code)
                return Skipped(url, f"HTTP {resp.status_code} {phrase}".strip())
            chunks: list[bytes] = []
            size = 0
            for chunk in resp.iter_bytes():
                size += len(chunk)
                if size > DEFAULT_MAX_FILE_BYTES:
                    limit = human_size(DEFAULT_MAX_FILE_BYTES)
                    return Skipped(url, f"response is over the {limit} limit")
                chunks.append(chunk)
            return _Response(
                url=str(resp.url),
                content_type=resp.headers.get("content-type", "").lower(),
                charset=resp.charset_encoding,
                body=b"".join(chunks),
            )
    except httpx.ConnectError as exc:
        return Skipped(url, _unreachable(url, exc))
    except httpx.TooManyRedirects:
        return Skipped(url, "too many redirects")
    except httpx.TimeoutException:
        return Skipped(url, f"timed out after {timeout:g} s")
    except (httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:
        return Skipped(url, f"cannot fetch: {str(exc) or type(exc).__name__}")


_NO_SUCH_HOST = (
    "Name or service not known",
    "nodename nor servname",
    "No address associated",
    "Temporary failure in name resolution",
    "getaddrinfo failed",
)


def _unreachable(url: str, exc: httpx.ConnectError) -> str:
    """A connection that could not be made, in words ("cannot reach example.org: no such host
    name, or no network to look it up"), not the socket's "[Errno -2] Name or service not
    known"."""
    try:
        host = urlsplit(url).hostname or url
    except ValueError:
        host = url
    causes: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and seen not in causes:  # httpx's error wraps httpcore's wraps OSError
        causes.append(seen)
        seen = seen.__cause__ or seen.__context__
    causes += [a for c in causes for a in c.args if isinstance(a, BaseException)]
    text = " ".join(str(c) for c in causes)
    if any(isinstance(c, socket.gaierror) for c in causes) or any(s in text for s in _NO_SUCH_HOST):
        why = "no such host name, or no network to look it up"
    elif any(isinstance(c, ConnectionRefusedError) for c in causes):
        why = "it refused the connection (nothing serves pages on that port)"
    elif any(isinstance(c, OSError) and c.errno in _NO_ROUTE for c in causes):
        why = "no route to it (is the network down?)"
    else:
        why = str(exc) or type(exc).__name__
    return f"cannot reach {host}: {why}"


_NO_ROUTE = (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN)


def _is_feed_type(content_type: str) -> bool:
    mime = content_type.split(";", 1)[0]
    return "xhtml" not in mime and any(t in mime for t in _FEED_TYPES)


def _page(resp: _Response, origin: str) -> Article | Skipped:
    mime = resp.content_type.split(";", 1)[0].strip()
    if mime == "application/pdf" or resp.body.startswith(b"%PDF-"):
        article = extract_pdf(resp.body, origin)
        if isinstance(article, Article) and not article.url:  # where it was served from
            url = without_tracking(resp.url)
            article = dataclasses.replace(article, url=url, source=article.source or _host(url))
        return article
    if mime and not (mime.startswith("text/") or "html" in mime or "xml" in mime):
        return Skipped(origin, f"not a web page (content type '{mime}')")
    if not resp.body.strip():
        return Skipped(origin, "empty response")
    # Lenient on the web: a stray bad byte should not cost the whole page.
    html = decode_html(resp.body, origin, resp.charset, errors="replace")
    if isinstance(html, Skipped):
        return html
    return extract_page(html, origin, url=resp.url)


def _host(url: str) -> str:
    try:
        return outlet_name(urlsplit(url).netloc)
    except ValueError:  # a page's canonical URL that urllib cannot read ("http://[::1/x")
        return ""


def _merge(page: Article, entry: Article) -> Article:
    """The page's text and metadata, gaps filled from the feed entry. The entry's date wins: feeds
    give a full timestamp with zone, pages often only a day. The feed's title beats an outlet
    name that trafilatura could only derive from the page's host name."""
    page_source = page.source
    if page_source in (_host(page.url), _host(page.origin)):
        page_source = ""
    return dataclasses.replace(
        page,
        title=page.title or entry.title,
        source=page_source or entry.source or page.source,
        author=page.author or entry.author,
        published=entry.published or page.published,
    )


def _entry(client: httpx.Client, entry: FeedEntry, timeout: float) -> Article | Skipped:
    """An entry's linked page extracted; the entry's own content when the page gives nothing."""
    if not entry.link:
        return entry.article
    resp = _get(client, entry.link, timeout)
    page = resp if isinstance(resp, Skipped) else _page(resp, entry.link)
    own = entry.article
    if isinstance(page, Article):
        return _merge(page, own) if isinstance(own, Article) else page
    if isinstance(own, Article):
        return dataclasses.replace(own, origin=entry.link)
    return Skipped(entry.link, f"page: {page.reason}; feed entry: {own.reason}")


def _add(result: LoadResult, item: Article | Skipped) -> None:
    item = skip_notices_only(item)  # a feed entry's own text may be a paywall's notice too
    if isinstance(item, Article):
        result.articles.append(item)
    else:
        result.skipped.append(item)


def fetch_url(url: str, *, client: httpx.Client | None = None, timeout: float = 20.0) -> LoadResult:
    """Articles from a URL: an HTML page, or an RSS/Atom feed whose entries' pages are fetched too.

    Never raises for network or content problems: they come back in `skipped` with a reason.
    Pass `client` to reuse connections or to inject a transport.
    """
    return _fetch(url, client, timeout, seen=frozenset(), feed_only=False).result


@dataclass
class FeedFetch:
    """A feed read for its new entries (`fetch_feed`): the articles of the entries not `seen`
    before and the entries skipped (`result`), each entry's key (its link, else its id) that
    gave an article (`taken`), how many entries were seen before (`known`), and whether the
    address gave a feed at all (`is_feed`; if not, `result.skipped` says what it gave)."""

    result: LoadResult = dataclasses.field(default_factory=LoadResult)
    taken: list[str] = dataclasses.field(default_factory=list)
    known: int = 0
    is_feed: bool = False


def fetch_feed(
    url: str,
    *,
    seen: frozenset[str] = frozenset(),
    client: httpx.Client | None = None,
    timeout: float = 20.0,
) -> FeedFetch:
    """The entries of the RSS/Atom feed at `url` whose key (link, else id) is not in `seen`,
    their pages fetched as `fetch_url` does; the pages of entries seen before are not asked
    for again. An address that is no feed (a page, an error) gives no article."""
    return _fetch(url, client, timeout, seen=seen, feed_only=True)


def entry_key(entry: FeedEntry) -> str:
    """What tells an entry from the others of its feed across reads: its link, else its id."""
    if entry.link:
        return entry.link
    return entry.article.id if isinstance(entry.article, Article) else ""


def _fetch(
    url: str, client: httpx.Client | None, timeout: float, *, seen: frozenset[str], feed_only: bool
) -> FeedFetch:
    out = FeedFetch()
    result = out.result
    try:
        host = urlsplit(url).hostname
    except ValueError as exc:  # "http://[::1": one such target ended a whole ingest
        result.skipped.append(Skipped(url, f"not a valid address: {exc}"))
        return out
    if not host:  # "https://" alone: httpx would say it lacks the protocol
        result.skipped.append(Skipped(url, "not a complete address: no host name"))
        return out
    own_client = client is None
    http = client or httpx.Client()
    try:
        resp = _get(http, url, timeout)
        if isinstance(resp, Skipped):
            result.skipped.append(resp)
            return out
        if _is_feed_type(resp.content_type) or looks_like_feed(resp.body):
            feed = read_feed(resp.body, url, base_url=resp.url)
            if isinstance(feed, Skipped):
                if _is_feed_type(resp.content_type) or feed_only:
                    result.skipped.append(feed)
                    return out
            else:
                out.is_feed = True
                fresh = [e for e in feed.entries if not (entry_key(e) and entry_key(e) in seen)]
                out.known = len(feed.entries) - len(fresh)
                # the entries' pages are asked for a few at a time (a feed lists dozens)
                with ThreadPoolExecutor(_PAGES_AT_ONCE, thread_name_prefix="newsqa-fetch") as pool:
                    items = list(pool.map(lambda e: _entry(http, e, timeout), fresh))
                for entry, item in zip(fresh, items, strict=True):
                    got = len(result.articles)
                    _add(result, item)
                    if entry_key(entry) and len(result.articles) > got:
                        out.taken.append(entry_key(entry))
                return out
        if feed_only:
            mime = resp.content_type.split(";", 1)[0].strip() or "no content type"
            result.skipped.append(
                Skipped(url, f"not an RSS or Atom feed ({mime}); to add a page, ingest it")
            )
            return out
        _add(result, _page(resp, url))
        return out
    finally:
        if own_client:
            http.close()
