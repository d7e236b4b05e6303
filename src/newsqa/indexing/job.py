"""An index update running in a background thread, with progress anyone can read: the page opens
at once and answers from what is already indexed while the rest is embedded."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from newsqa.indexing.builder import Progress
from newsqa.types import IndexReport

__all__ = ["BackgroundIndexing", "IndexingCancelled", "IndexingStatus"]


class IndexingCancelled(Exception):
    """Raised inside a background update that was cancelled, at its next progress report."""


@dataclass(frozen=True)
class IndexingStatus:
    """A snapshot of a background update."""

    running: bool
    phase: str = ""  # "reading" or "embedding"
    done: int = 0
    total: int = 0
    seconds_left: float | None = None
    report: IndexReport | None = None
    error: str = ""
    read_all: bool = False  # every article read: `total` will not grow any more
    cancelled: bool = False  # stopped by `cancel()` (`error` says so)
    # what a failed update raised (`CorpusError`, `StoreError`, …), for a caller to tell the
    # failures apart or raise it: `error` is its message
    exception: Exception | None = field(default=None, compare=False, repr=False)

    def describe(self) -> str:
        if self.cancelled:
            return f"indexing {self.error}"
        if self.error:
            return f"indexing failed: {self.error}"
        if not self.running:
            return ""
        if self.phase != "embedding":
            return f"indexing: reading articles ({self.done} so far)"
        if not self.read_all:  # the total grows as articles are read: no estimate yet
            return f"indexing: {self.done:,} passages embedded, still reading articles"
        if not self.total:  # every article read, none new or changed
            return "indexing: no new passages to embed, saving the index"
        text = f"indexing: {self.done:,} of {self.total:,} passages embedded"
        if self.seconds_left is not None:
            minutes = self.seconds_left / 60
            text += f", about {minutes:.0f} min left" if minutes >= 1 else ", under a minute left"
        return text


CANCELLED = "cancelled (what was indexed is kept; the next update carries on)"


class BackgroundIndexing:
    """Runs `run(progress)` once in a daemon thread and records how far it got."""

    def __init__(self, run: Callable[[Progress], IndexReport]) -> None:
        self._run = run
        self._lock = threading.Lock()
        self._status = IndexingStatus(running=True)
        self._embedding_started: float | None = None
        self._read_all = False
        self._cancelled = threading.Event()
        self._thread = threading.Thread(target=self._work, name="newsqa-indexing", daemon=True)

    def start(self) -> BackgroundIndexing:
        self._thread.start()
        return self

    def cancel(self) -> None:
        """Stop the update at its next progress report (within one batch): what it committed is
        kept, and the next update carries on from there."""
        self._cancelled.set()

    def _progress(self, phase: str, done: int, total: int) -> None:
        if self._cancelled.is_set():
            raise IndexingCancelled(CANCELLED)
        left = None
        if phase == "reading" and total and done >= total:
            self._read_all = True
            with self._lock:  # still embedding what was read (when there is any)
                self._status = replace(self._status, read_all=True)
            return
        if phase == "embedding":
            now = time.monotonic()
            if self._embedding_started is None:
                self._embedding_started = now
            elapsed = now - self._embedding_started
            if done and total and elapsed > 0:
                left = elapsed / done * (total - done)
        with self._lock:
            self._status = IndexingStatus(True, phase, done, total, left, read_all=self._read_all)

    def _work(self) -> None:
        try:
            report = self._run(self._progress)
        except IndexingCancelled:
            with self._lock:
                self._status = IndexingStatus(False, error=CANCELLED, cancelled=True)
            return
        except Exception as exc:  # reported to whoever looks; the old index stays usable
            with self._lock:
                error = str(exc) or type(exc).__name__
                self._status = IndexingStatus(False, error=error, exception=exc)
            return
        with self._lock:
            self._status = IndexingStatus(False, report=report)

    @property
    def status(self) -> IndexingStatus:
        with self._lock:
            return self._status

    def wait(self, timeout: float | None = None) -> IndexingStatus:
        self._thread.join(timeout)
        return self.status
