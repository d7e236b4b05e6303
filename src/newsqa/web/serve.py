"""Serving the page from a process: the index brought up to date behind it, the port checked
before anything starts, the models warmed up, then Gradio's server until interrupted."""

from __future__ import annotations

import os
import threading
import time

from newsqa.facade import NewsQA
from newsqa.indexing.job import BackgroundIndexing
from newsqa.indexing.layout import IndexBusyError
from newsqa.settings import Settings
from newsqa.types import FeedRefresh
from newsqa.web.render import CSS

__all__ = ["FeedWatch", "index_behind_page", "launch"]


def index_behind_page(qa: NewsQA) -> BackgroundIndexing | None:
    """Start updating the index from the corpus folder behind the page (which opens at once and
    answers from what is indexed); none when the folder is not there, so that a page started
    from another working directory serves its index as it is instead of emptying it."""
    corpus = qa.settings.corpus_dir
    if not corpus.exists():
        print(f"No corpus folder {corpus}: serving the index as it is.", flush=True)
        return None
    print(f"Indexing {corpus} in the background …", flush=True)
    return qa.update_in_background(progress=_TerminalProgress())


class _TerminalProgress:
    """Prints an indexing progress line every few seconds, and once when it is done."""

    def __init__(self, every: float = 5.0) -> None:
        self.every = every
        self.last = 0.0
        self.read_all = False  # until then the total grows with each batch of articles read

    def __call__(self, phase: str, done: int, total: int) -> None:
        if phase == "reading":
            self.read_all = self.read_all or bool(total and done >= total)
            return
        now = time.monotonic()
        if phase == "embedding" and (
            now - self.last >= self.every or (self.read_all and done >= total)
        ):
            self.last = now
            if self.read_all and not total:
                print("indexing: no new passages to embed", flush=True)
            elif self.read_all:
                print(f"indexing: {done:,} of {total:,} passages embedded", flush=True)
            else:
                print(f"indexing: {done:,} passages embedded (still reading articles)", flush=True)


class FeedWatch:
    """While the page is served, reads the feeds the corpus follows every `minutes`: their new
    entries are saved into the corpus folder and indexed behind the page, which answers from
    what is indexed meanwhile. Each round is said on the terminal."""

    def __init__(self, qa: NewsQA, minutes: float) -> None:
        self.qa = qa
        self.minutes = minutes
        self.stop = threading.Event()

    def once(self) -> FeedRefresh | None:
        """One round: None when the corpus follows no feed."""
        qa = self.qa
        if not qa.feeds():
            return None
        done = qa.refresh_feeds(update=False)
        for f in done.feeds:
            if f.error:
                print(f"feeds: {f.url} not read: {f.error}", flush=True)
        if not done.written:
            return done
        if qa.indexing is not None:
            qa.indexing.wait()  # (an update of the page's own: the next one takes these too)
        print(f"feeds: {done.new} new article(s); indexing them in the background …", flush=True)
        try:
            qa.update_in_background(progress=_TerminalProgress())
        except IndexBusyError:  # one started by the page meanwhile reads them too
            pass
        return done

    def run(self) -> None:
        """Rounds until `stop` is set; a failed round is said, and the next one tried."""
        while not self.stop.is_set():
            try:
                self.once()
            except Exception as exc:  # (a broken feeds file, a full disk: said, not fatal)
                print(f"feeds: not refreshed: {exc}", flush=True)
            self.stop.wait(self.minutes * 60)


def _check_port(host: str, port: int) -> None:
    """ValueError, saying what to do, when `port` is no port number or is taken on `host`
    (Gradio said so with a traceback, after the index had started updating)."""
    import socket

    if not 0 < port < 65536:  # (0 is "any port": the page's address would be a guess)
        raise ValueError(f"Port {port} is not a port number (1-65535).")

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ValueError(f"Cannot listen on {host}: {exc}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError:
            raise ValueError(
                f"Port {port} on {host} is in use (another page running?): pass --port N "
                "(or set NEWSQA_PORT)."
            ) from None


def launch(
    settings: Settings,
    *,
    host: str = "127.0.0.1",
    port: int = 7860,
    auth: str | None = None,
    update_first: bool = True,
    refresh_feeds: float | None = None,
) -> None:
    """Build the index if there is none, then serve the page until interrupted; with
    `refresh_feeds` (minutes), the followed feeds' new entries are indexed that often (see
    `FeedWatch`). A port in use or an --auth without its password is a ValueError before
    anything is indexed."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    credentials = None
    if auth:
        user, _, password = auth.partition(":")
        if not password:
            raise ValueError("--auth takes user:password")
        credentials = (user, password)
    if refresh_feeds is not None and not refresh_feeds > 0:
        raise ValueError(f"--refresh-feeds takes a number of minutes above 0, not {refresh_feeds}")
    _check_port(host, port)
    qa = NewsQA(settings)
    job = index_behind_page(qa) if update_first else None

    def warm_up() -> None:
        """The model and search tables load behind the page, not at the first question."""
        try:
            if job is not None:
                job.wait()
                if job.status.error:
                    print(f"Indexing failed: {job.status.error}", flush=True)
                else:
                    stats = qa.stats()
                    print(
                        f"Index up to date: {stats.articles:,} articles, {stats.chunks:,} "
                        "passages.",
                        flush=True,
                    )
            qa.warm_up()
        except Exception as exc:  # the first question will load them, or say what is wrong
            print(f"Warm-up skipped: {exc}", flush=True)
        if refresh_feeds is not None:
            print(f"Reading the followed feeds every {refresh_feeds:g} minute(s).", flush=True)
            FeedWatch(qa, refresh_feeds).run()

    threading.Thread(target=warm_up, name="newsqa-warm-up", daemon=True).start()
    # a visitor's own LLM only where the visitor is this machine's user
    local = host in ("127.0.0.1", "localhost", "::1")
    if not local and not credentials:
        print(
            f"Serving on {host} without --auth: anyone who can reach it can ask questions, add "
            "articles to the corpus and remove files from it (moved into its .removed folder).",
            flush=True,
        )
    from newsqa.web.page import build_page  # (the page imports this module)

    page = build_page(qa, typed_llms=local, feeds_every=refresh_feeds)
    page.launch(server_name=host, server_port=port, auth=credentials, css=CSS)
