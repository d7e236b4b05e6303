"""Following feeds (`NewsQA.follow`, `newsqa feeds`): a real HTTP server on 127.0.0.1 serves a
feed that gains an entry between reads; the real model and index take the articles in, and a
refresh asks only for the pages of entries it has not taken before."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import ClassVar

import pytest
from loopback import serving
from typer.testing import CliRunner

from newsqa import FeedsFileError, NewsQA, Settings
from newsqa.cli import app
from newsqa.corpus.following import FEEDS_FILE
from newsqa.web.serve import FeedWatch

STORIES = {
    "/lighthouse.html": (
        "Lighthouse keepers return to Skarra Point",
        "Keepers will live at the fictional Skarra Point lighthouse again from May, the coastal "
        "trust said on Tuesday, after sixty years of automatic running left its lamp room damp.",
    ),
    "/orchard.html": (
        "Village orchard gets a cider press",
        "The fictional village of Pellow bought a hand-cranked cider press for its community "
        "orchard with money raised at the spring fete, the parish clerk announced.",
    ),
    "/tramway.html": (
        "Tramway to Osterby reopens after floods",
        "Trams run to the fictional town of Osterby again after the spring floods washed out "
        "the embankment near the river crossing, the operator said on Friday.",
    ),
}


def _page(title: str, text: str) -> bytes:
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><article><h1>{title}</h1><p>{text}</p><p>{text}</p></article></body></html>"
    ).encode()


def _feed(paths: list[str]) -> bytes:
    items = "".join(
        f"<item><title>{STORIES[p][0]}</title><link>{p}</link>"
        f"<pubDate>Tue, 02 Apr 2024 07:00:00 +0000</pubDate></item>"
        for p in paths
    )
    return (
        "<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel>"
        f"<title>Coast Courier</title><link>/</link>{items}</channel></rss>"
    ).encode()


class Site(BaseHTTPRequestHandler):
    """The feed lists `entries`; every request's path is logged in `asked`."""

    entries: ClassVar[list[str]] = []
    asked: ClassVar[list[str]] = []
    slow = 0.0  # seconds a page takes
    busy: ClassVar[list[int]] = [0, 0]  # pages being served now, and the most at once
    lock = threading.Lock()

    def do_GET(self) -> None:
        self.asked.append(self.path)
        if self.path == "/feed.xml":
            self._send("application/rss+xml", _feed(self.entries))
        elif self.path in STORIES:
            with self.lock:
                self.busy[0] += 1
                self.busy[1] = max(self.busy)
            time.sleep(self.slow)
            with self.lock:
                self.busy[0] -= 1
            self._send("text/html; charset=utf-8", _page(*STORIES[self.path]))
        else:
            self.send_error(404)

    def _send(self, content_type: str, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    Site.entries = ["/lighthouse.html", "/orchard.html"]
    Site.asked = []
    Site.slow, Site.busy = 0.0, [0, 0]
    with serving(Site) as url:
        yield url


def _titles(qa: NewsQA) -> set[str]:
    return {a.title for a in qa.articles().articles}


def test_a_followed_feed_gives_its_new_entries_only(settings: Settings, site: str) -> None:
    feed = f"{site}/feed.xml"
    with NewsQA(settings) as qa:
        qa.update()
        done = qa.follow(feed)
        assert [(f.url, f.new, f.known, f.error) for f in done.feeds] == [(feed, 2, 0, "")]
        assert len(done.written) == 2
        assert all(Path(p).parent == settings.corpus_dir / "ingested" for p in done.written)
        assert done.report is not None and done.report.articles_added == 2
        hits = qa.search("Who lives at the Skarra Point lighthouse again?", k=3)
        assert hits[0].article.title == STORIES["/lighthouse.html"][0]
        [followed] = qa.feeds()
        assert (followed.url, followed.taken) == (feed, 2)
        assert followed.refreshed and followed.added

        # a new entry: only the feed and its page are asked for
        Site.entries.insert(0, "/tramway.html")
        Site.asked.clear()
        again = qa.refresh_feeds()
        assert [(f.new, f.known) for f in again.feeds] == [(1, 2)]
        assert sorted(Site.asked) == ["/feed.xml", "/tramway.html"]
        assert again.report is not None and again.report.articles_added == 1
        assert STORIES["/tramway.html"][0] in _titles(qa)

        # nothing new: no page fetched, nothing written, no update
        Site.asked.clear()
        idle = qa.refresh_feeds()
        assert (idle.new, idle.written, idle.report) == (0, (), None)
        assert Site.asked == ["/feed.xml"]

        # unfollowed: its articles stay
        assert qa.unfollow([feed, f"{site}/other.xml"])[0] == [feed]
        assert qa.feeds() == []
        assert {s[0] for s in STORIES.values()} <= _titles(qa)


def test_a_feeds_pages_are_fetched_side_by_side(settings: Settings, site: str) -> None:
    Site.entries.append("/tramway.html")
    Site.slow = 0.5
    with NewsQA(settings) as qa:
        assert qa.follow(f"{site}/feed.xml", update=False).new == 3
    assert Site.busy[1] > 1  # (one at a time, a feed of 50 entries took 50 round trips)


def test_an_address_that_is_no_feed_is_not_followed(settings: Settings, site: str) -> None:
    with NewsQA(settings) as qa:
        done = qa.follow([f"{site}/orchard.html", f"{site}/missing.xml", "http://127.0.0.1:9/"])
        page, missing, closed = done.feeds
        assert "not an RSS or Atom feed (text/html)" in page.error
        assert "404" in missing.error
        assert "cannot reach 127.0.0.1" in closed.error
        assert (done.written, done.report, qa.feeds()) == ((), None, [])
        assert not list((settings.corpus_dir / "ingested").glob("*.md"))


def test_a_broken_list_of_feeds_is_said_and_left_as_it_is(settings: Settings) -> None:
    kept = settings.corpus_dir / FEEDS_FILE
    kept.write_text('{"feeds": [{"url": ', encoding="utf-8")
    with NewsQA(settings) as qa, pytest.raises(FeedsFileError, match="cannot be read"):
        qa.feeds()
    assert kept.read_text(encoding="utf-8") == '{"feeds": [{"url": '
    out = CliRunner().invoke(app, _where(settings, "feeds", "refresh"))
    assert out.exit_code == 1 and FEEDS_FILE in out.output and "Traceback" not in out.output


def _where(settings: Settings, *args: str) -> list[str]:
    return ["--index", str(settings.index_dir), "--corpus-dir", str(settings.corpus_dir), *args]


def test_the_feeds_commands(settings: Settings, site: str) -> None:
    run = CliRunner()
    feed = f"{site}/feed.xml"
    none = run.invoke(app, _where(settings, "feeds", "refresh"))
    assert none.exit_code == 1 and "follows no feed" in none.output

    added = run.invoke(app, _where(settings, "feeds", "add", feed, "--json"))
    assert added.exit_code == 0, added.output
    out = json.loads(added.stdout)
    assert (out["new"], out["feeds"][0]["url"], len(out["written"])) == (2, feed, 2)
    assert out["update"]["articles"]["added"] == 5 + 2  # (the index is new: the corpus's too)

    listed = json.loads(run.invoke(app, _where(settings, "feeds", "list", "--json")).stdout)
    assert [(f["url"], f["taken"]) for f in listed] == [(feed, 2)]

    Site.entries.append("/tramway.html")
    text = run.invoke(app, _where(settings, "feeds", "refresh"))
    assert text.exit_code == 0, text.output
    assert f"{feed}: 1 new article(s), 2 taken before" in text.output

    page = run.invoke(app, _where(settings, "feeds", "add", f"{site}/orchard.html"))
    assert page.exit_code == 1 and "not an RSS or Atom feed" in page.output

    gone = run.invoke(app, _where(settings, "feeds", "remove", feed))
    assert gone.exit_code == 0 and f"no longer following {feed}" in gone.output
    assert "follows no feed" in run.invoke(app, _where(settings, "feeds", "list")).output


def test_the_page_indexes_the_followed_feeds_new_entries_behind_it(
    settings: Settings, site: str
) -> None:
    """FeedWatch, what `newsqa serve --refresh-feeds` runs: a round saves the new entries and
    indexes them in the background; a round with nothing new starts no update."""
    with NewsQA(settings) as qa:
        watch = FeedWatch(qa, 1.0)
        assert watch.once() is None  # no feed followed
        qa.follow(f"{site}/feed.xml")
        Site.entries.append("/tramway.html")
        done = watch.once()
        assert done is not None and done.new == 1
        assert qa.indexing is not None
        report = qa.indexing.wait().report
        assert report is not None and report.articles_added == 1
        assert STORIES["/tramway.html"][0] in _titles(qa)
        job = qa.indexing
        assert watch.once() is not None and qa.indexing is job  # nothing new: no update


def test_serve_refreshes_the_followed_feeds(settings: Settings, site: str, tmp_path: Path) -> None:
    """The real `newsqa serve --refresh-feeds` process picks up an entry added to a followed feed
    while it runs."""
    with NewsQA(settings) as qa:
        qa.follow(f"{site}/feed.xml")
    Site.entries.append("/tramway.html")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = (tmp_path / "serve.log").open("w")
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "NEWSQA_CHUNK_SIZE": "64"}
    env["NEWSQA_CHUNK_OVERLAP"] = "8"  # (as `settings` builds it: no rebuild for its index)
    serve = _where(settings, "serve", "--port", str(port), "--refresh-feeds", "0.02")
    server = subprocess.Popen(
        [sys.executable, "-m", "newsqa.cli", *serve],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 120
        title = STORIES["/tramway.html"][0]
        while time.monotonic() < deadline and server.poll() is None:
            with NewsQA(settings) as reader:
                if title in _titles(reader):
                    break
            time.sleep(0.5)
        said = (tmp_path / "serve.log").read_text()
        assert server.poll() is None, said
        with NewsQA(settings) as reader:
            assert title in _titles(reader), said
        assert "Reading the followed feeds every 0.02 minute(s)." in said
        assert "feeds: 1 new article(s); indexing them in the background" in said
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
