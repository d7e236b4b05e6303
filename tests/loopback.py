"""A real HTTP server on 127.0.0.1 that gives every request the same response: a news page for
the page's URL box to fetch, an address with nothing at it for an LLM client."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["answering", "serving"]


@contextlib.contextmanager
def serving(handler: type[BaseHTTPRequestHandler] | Any) -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 (a free port) answering with `handler` (a request handler
    class, or a factory of one) in threads; yields the base URL (`http://127.0.0.1:PORT`)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextlib.contextmanager
def answering(status: int, body: bytes, content_type: str) -> Iterator[str]:
    """Serve `body` with `status` to any GET or POST; yields the base URL
    (`http://127.0.0.1:PORT`)."""

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, *args: object) -> None:
            pass

    with serving(Handler) as base:
        yield base
