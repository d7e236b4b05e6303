"""`fetch_url` against a real HTTP server on 127.0.0.1 serving fixture pages and feeds."""

from __future__ import annotations

import dataclasses
import os
import socket
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from functools import partial
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from typing import ClassVar

import httpx
import pytest
from loopback import answering, serving

from newsqa.corpus import fetch_url, load_path, save_articles
from newsqa.types import Article, Skipped, article_id_for

SITE = Path(__file__).parent / "fixtures" / "loaders" / "site"
BST = timezone(timedelta(hours=1))
# windows-1252 bytes (é, €, ï, an en dash) and no charset declared, by the page or the server
CP1252_PAGE = (
    b"<html><head><title>Caf\xe9 prices</title></head><body><article><p>The fictional Caf\xe9 "
    b"Brenner in Orsk now charges \x804 for a coffee, its na\xefve owner said \x96 with a "
    b"smile.</p></article></body></html>"
)

# a paywall's stub: a real headline, and nothing but calls to subscribe or log in
PAYWALL_PAGE = (
    b"<html><head><title>Ferry strike called off</title></head><body><article><h1>Ferry strike "
    b"called off</h1><p>Subscribe to continue reading.</p><p>Already a subscriber? <a href="
    b'"/login">Log in</a>.</p><p>This article is for subscribers only. Start your free trial '
    b"today.</p></article></body></html>"
)

TIMED_PAGE = (
    b"<html><head><title>Bushfire contained</title></head><body><article><h1>Bushfire "
    b'contained</h1><time datetime="2024-04-09T06:45:00+10:00">Tuesday 9 April 2024</time>'
    b"<p>A bushfire near the fictional town of Wattle Creek was contained overnight, "
    b"firefighters said on Tuesday morning.</p></article></body></html>"
)
AEST = timezone(timedelta(hours=10))

# a feed whose own link and one entry's link urllib cannot read (a broken IPv6 host), and whose
# other entry's page gives a canonical URL just as broken
ODD_LINKS_FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Orsk Daily</title>
<link>http://[::1/</link>
<item><title>Bakery wins bread award</title><link>http://[::1/bakery</link>
<pubDate>Mon, 12 Feb 2024 10:00:00 GMT</pubDate><description>The fictional corner bakery on
Mill Street in Orsk won the regional bread award for its sourdough on Monday.</description></item>
<item><title>Canal reopens</title><link>/bad-canonical</link>
<pubDate>Tue, 13 Feb 2024 10:00:00 GMT</pubDate><description>The canal reopened.</description>
</item></channel></rss>"""
BAD_CANONICAL_PAGE = (
    b'<html><head><title>Canal reopens</title><link rel="canonical" href="http://[::1/canal">'
    b"</head><body><article><p>The fictional Orsk canal reopened to boats on Monday after a "
    b"dredging project that took two years and removed 80,000 tonnes of silt.</p></article>"
    b"</body></html>"
)


class SiteHandler(SimpleHTTPRequestHandler):
    """Static fixture files plus a few routes for redirects, errors and odd content types."""

    user_agents: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.user_agents.append(self.headers.get("User-Agent", ""))
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/story-two.html")
            self.end_headers()
        elif self.path == "/feed-as-text":
            self._send(200, "text/plain", (SITE / "feed.xml").read_bytes())
        elif self.path == "/latin1":
            body = "<html><body><article><h1>Café</h1><p>Crème brûlée for the whole village of "
            body += (
                "Saint-Fictif, the fictional mayor promised on Sunday.</p></article></body></html>"
            )
            self._send(200, "text/html; charset=iso-8859-1", body.encode("latin-1"))
        elif self.path == "/cp1252":  # an old page saved by a Windows editor, served as is
            self._send(200, "text/html", CP1252_PAGE)
        elif self.path == "/odd-links.xml":
            self._send(200, "application/rss+xml", ODD_LINKS_FEED)
        elif self.path == "/bad-canonical":
            self._send(200, "text/html; charset=utf-8", BAD_CANONICAL_PAGE)
        elif self.path == "/paywall":
            self._send(200, "text/html; charset=utf-8", PAYWALL_PAGE)
        elif self.path.startswith("/2024/04/09/"):  # a day in the URL, a full time on the page
            self._send(200, "text/html; charset=utf-8", TIMED_PAGE)
        elif self.path == "/image":
            self._send(200, "image/png", b"\x89PNG\r\n\x1a\n")
        elif self.path == "/mojibake":
            body = b"<html><body><article><p>Mostly fine text from the fictional Ashby Times "
            body += b"with one stray \xff byte in the middle of a long enough sentence.</p>"
            self._send(200, "text/html; charset=utf-8", body + b"</article></body></html>")
        elif self.path == "/error":
            self._send(500, "text/plain", b"boom")
        elif self.path == "/slow":
            time.sleep(1.5)
            self._send(200, "text/html", b"<html><body><p>late</p></body></html>")
        else:
            super().do_GET()

    def guess_type(self, path: str | os.PathLike[str]) -> str:
        return "application/rss+xml" if str(path).endswith(".xml") else super().guess_type(path)

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with serving(partial(SiteHandler, directory=str(SITE))) as url:
        yield url


def test_html_page(base: str) -> None:
    url = f"{base}/story-one.html"
    result = fetch_url(url)
    assert result.skipped == []
    (article,) = result.articles
    assert article.title == "Owls return to the old mill at Brackwater"
    assert article.source == "Fenland Star"
    assert article.author == "Ruth Abernethy"
    assert article.published == datetime(2024, 4, 2, 7, tzinfo=BST)
    assert article.url == "https://fenland-star.example/nature/owls-return"  # canonical
    assert article.origin == url  # what was fetched
    assert article.text.startswith("A pair of barn owls has nested in the derelict mill")
    assert article.text.endswith("until the chicks have fledged in the summer.")
    assert SiteHandler.user_agents[-1].startswith("newsqa/")


def test_redirect_and_page_without_canonical(base: str) -> None:
    result = fetch_url(f"{base}/redirect")
    (article,) = result.articles
    assert article.origin == f"{base}/redirect"
    assert article.url == f"{base}/story-two.html"  # where the page was finally served from
    assert article.title == "Night market to run all summer in Kelby"
    assert article.published is None  # the page gives none; none is invented


def test_a_page_is_stored_without_its_tracking_parameters(base: str) -> None:
    """They were stored and cited; the article's id already ignored them."""
    clean = f"{base}/story-two.html?page=2"
    url = f"{base}/story-two.html?utm_source=rss&page=2&utm_medium=feed&fbclid=Iw4r&gclid=C1"
    (article,) = fetch_url(url).articles
    assert article.url == clean
    assert article.id == article_id_for(clean, "") == article_id_for(url, "")
    assert article.origin == url  # what was fetched


def test_a_page_keeps_the_time_and_zone_its_time_element_gives(base: str) -> None:
    """The date was read from the URL's day alone: 2024-04-09T00:00:00."""
    (article,) = fetch_url(f"{base}/2024/04/09/bushfire-contained").articles
    assert article.published == datetime(2024, 4, 9, 6, 45, tzinfo=AEST)
    assert article.published_iso == "2024-04-09T06:45:00+10:00"


def test_page_charset_from_http_header(base: str) -> None:
    (article,) = fetch_url(f"{base}/latin1").articles
    assert "Crème brûlée" in article.text


def test_an_undeclared_windows_1252_page_reads_as_the_same_file_does(
    base: str, tmp_path: Path
) -> None:
    """The lenient decode for the web made UTF-8 never fail: "\ufffd" for each é, € and ï."""
    (fetched,) = fetch_url(f"{base}/cp1252").articles
    assert "Café Brenner in Orsk now charges €4 for a coffee, its naïve owner said –" in (
        fetched.text
    )
    assert fetched.title == "Café prices"
    (tmp_path / "page.html").write_bytes(CP1252_PAGE)
    (saved,) = load_path(tmp_path / "page.html").articles
    assert (saved.title, saved.text) == (fetched.title, fetched.text)


def test_a_paywall_stub_is_no_article(base: str) -> None:
    """It was saved and indexed, and its notices quoted as an answer."""
    result = fetch_url(f"{base}/paywall")
    assert result.articles == []
    (skipped,) = result.skipped
    assert skipped.reason.startswith(
        'no article text: only notices to readers ("Subscribe to continue reading." …)'
    )
    assert not skipped.broken  # read, and no article: one indexed from it before is gone


def test_a_stray_bad_byte_does_not_lose_a_web_page(base: str) -> None:
    (article,) = fetch_url(f"{base}/mojibake").articles
    assert "one stray \ufffd byte" in article.text


def test_feed_fetches_each_linked_page(base: str) -> None:
    feed_url = f"{base}/feed.xml"
    result = fetch_url(feed_url)
    owls, market, ferry = result.articles
    # pages extracted, with the feed's full timestamp and the page's canonical URL
    assert owls.origin == f"{base}/story-one.html"
    assert owls.url == "https://fenland-star.example/nature/owls-return"
    assert owls.text.startswith("A pair of barn owls has nested in the derelict mill")
    assert owls.published == datetime(2024, 4, 2, 7, tzinfo=BST)
    assert market.url == f"{base}/story-two.html"
    assert market.title == "Night market to run all summer in Kelby"
    assert market.source == "Fenland Star"  # the page has no site name: the feed's title
    assert market.published == datetime(2024, 4, 1, 18, tzinfo=BST)
    assert market.text.startswith("The Kelby night market")
    # the page is gone (404): the entry's own summary is used instead
    assert ferry.url == f"{base}/gone.html"
    assert ferry.title == "Ferry strike called off"
    assert ferry.text.startswith("A strike by ferry crews planned for Easter Monday")
    # page gone and nothing in the entry: skipped, saying both
    assert result.skipped == [
        Skipped(
            f"{base}/also-gone.html",
            "page: HTTP 404 Not Found; feed entry: feed entry has no content or summary",
        )
    ]


def test_feed_recognised_by_content_when_served_as_text(base: str) -> None:
    result = fetch_url(f"{base}/feed-as-text")
    assert [a.origin for a in result.articles][:2] == [
        f"{base}/story-one.html",
        f"{base}/story-two.html",
    ]


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/missing.html", "HTTP 404 Not Found"),
        ("/error", "HTTP 500 Internal Server Error"),
        ("/broken-feed.xml", "malformed feed:"),
        ("/empty.html", "no article text found in the HTML page"),
        ("/image", "not a web page (content type 'image/png')"),
    ],
)
def test_failures_become_skipped(base: str, path: str, reason: str) -> None:
    result = fetch_url(base + path)
    assert result.articles == []
    (skipped,) = result.skipped
    assert skipped.origin == base + path
    assert skipped.reason.startswith(reason), skipped.reason


def test_timeout(base: str) -> None:
    (skipped,) = fetch_url(f"{base}/slow", timeout=0.3).skipped
    assert skipped.reason == "timed out after 0.3 s"


def test_connection_refused() -> None:
    with socket.socket() as sock:  # a loopback port that nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    (skipped,) = fetch_url(url, timeout=2).skipped
    # said in words (it was "cannot fetch: [Errno 111] Connection refused")
    assert skipped == Skipped(
        url, "cannot reach 127.0.0.1: it refused the connection (nothing serves pages on that port)"
    )


def test_a_host_that_does_not_exist_is_said_in_words() -> None:
    """(.invalid never resolves, RFC 6761: no network is asked.) It was "cannot fetch: [Errno
    -2] Name or service not known"; `newsqa ingest` and the page say this reason."""
    url = "http://no-such-host.invalid/news"
    (skipped,) = fetch_url(url, timeout=2).skipped
    assert skipped == Skipped(
        url, "cannot reach no-such-host.invalid: no such host name, or no network to look it up"
    )


def test_unsupported_scheme_is_a_reason_not_an_exception() -> None:
    (skipped,) = fetch_url("ftp://127.0.0.1/nothing").skipped
    assert skipped.reason.startswith("cannot fetch:")
    (bare,) = fetch_url("https://").skipped  # not "missing an 'http://' protocol"
    assert bare.reason == "not a complete address: no host name"


def test_an_address_urllib_cannot_read_is_a_reason_not_an_exception(
    base: str, tmp_path: Path
) -> None:
    """ "http://[::1" (a broken IPv6 host) raised ValueError out of `fetch_url`: `newsqa ingest`
    ended with "Error: Invalid IPv6 URL", naming no target, after saving the others unindexed;
    one such link in a feed lost all its entries, fetched or read from a file."""
    (bad,) = fetch_url("http://[::1").skipped
    assert bad == Skipped("http://[::1", "not a valid address: Invalid IPv6 URL")
    fetched = fetch_url(f"{base}/odd-links.xml")
    assert fetched.skipped == []
    bakery, canal = fetched.articles
    assert bakery.title == "Bakery wins bread award" and bakery.url == ""  # known by its text
    assert "regional bread award" in bakery.text
    assert canal.text.startswith("The fictional Orsk canal reopened to boats on Monday")
    assert canal.source == "Orsk Daily"
    saved = tmp_path / "odd-links.xml"
    saved.write_bytes(ODD_LINKS_FEED)
    read = load_path(saved)
    assert [a.title for a in read.articles] == ["Bakery wins bread award", "Canal reopens"]


def test_injected_client_is_used_and_left_open(base: str) -> None:
    with httpx.Client() as client:
        result = fetch_url(f"{base}/story-two.html", client=client)
        assert len(result.articles) == 1
        assert not client.is_closed


def test_fetched_articles_join_the_corpus(base: str, tmp_path: Path) -> None:
    fetched = fetch_url(f"{base}/feed.xml").articles
    paths = save_articles(fetched, tmp_path)
    reloaded = load_path(tmp_path).articles
    by_origin = {a.origin: a for a in reloaded}
    for article, path in zip(fetched, paths, strict=True):
        assert isinstance(article, Article)
        assert by_origin[str(path)] == dataclasses.replace(article, origin=str(path))


def test_a_pdf_served_by_url_is_read_as_the_article_it_prints() -> None:
    """`newsqa ingest https://…/story.pdf` (or the page's URL box): it was skipped as "not a web
    page (content type 'application/pdf')"."""
    printed = Path(__file__).parent / "fixtures" / "loaders" / "printed" / "ferry-strike.pdf"
    with answering(200, printed.read_bytes(), "application/pdf") as base:
        result = fetch_url(f"{base}/ferry.pdf")
    assert result.skipped == []
    (article,) = result.articles
    assert (article.title, article.source) == ("Ferry strike ends after a week", "Harbour Times")
    assert article.url == "https://harbourtimes.example/news/ferry-strike-ends"  # as printed
    assert "raise pay by 6% this year" in article.text
