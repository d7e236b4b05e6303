"""Where an index lives on disk: `CURRENT` names the live generation folder, each generation holds
a catalog and (for the embedded store) a Chroma folder. A rebuild writes a new generation and
switches `CURRENT` in one atomic rename, so an interrupted rebuild leaves the old one in use."""

from __future__ import annotations

import fcntl
import os
import secrets
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from newsqa.errors import NewsQAError

__all__ = ["IndexBusyError", "IndexLayout"]


class IndexBusyError(NewsQAError, RuntimeError):
    """Another process, or another update in this one, is writing this index."""


# the index folders this process is writing (a lock file's flock is per open file, so a second
# update in the same process is refused by it as if it were another process's)
_writing: set[Path] = set()
_writing_guard = threading.Lock()


def _holds_articles(catalog: Path) -> bool:
    """Whether `catalog` is a readable catalog with at least one article."""
    if not catalog.is_file():
        return False
    try:
        db = sqlite3.connect(f"file:{catalog}?mode=ro", uri=True)
        try:
            return db.execute("SELECT 1 FROM articles LIMIT 1").fetchone() is not None
        finally:
            db.close()
    except sqlite3.Error:
        return False


class IndexLayout:
    """The generations of one index folder."""

    CATALOG = "catalog.sqlite"
    CHROMA = "chroma"

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def current_file(self) -> Path:
        return self.root / "CURRENT"

    def current(self) -> str | None:
        """The live generation's name, or None when no index has been built here. With
        `CURRENT` lost (deleted, overwritten, naming a folder gone), the one generation that
        holds articles is the live one; with several, none is (`orphans` names them)."""
        name = self.recorded()
        if name and (self.root / name / self.CATALOG).exists():
            return name
        found = self.orphans()
        return found[0] if len(found) == 1 else None

    def recorded(self) -> str:
        """The generation `CURRENT` names ("" when it names none)."""
        try:
            text = self.current_file.read_text(encoding="utf-8", errors="replace").strip()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return ""
        return text if text.startswith("g") and "/" not in text and len(text) < 100 else ""

    def orphans(self) -> list[str]:
        """The generation folders that hold articles while `CURRENT` names none of them."""
        if not self.root.is_dir() or (self.root / self.recorded() / self.CATALOG).is_file():
            return []
        return sorted(
            p.name
            for p in self.root.iterdir()
            if p.name.startswith("g") and _holds_articles(p / self.CATALOG)
        )

    def generation_dir(self, name: str) -> Path:
        return self.root / name

    def catalog_path(self, name: str) -> Path:
        return self.root / name / self.CATALOG

    def chroma_path(self, name: str) -> Path:
        return self.root / name / self.CHROMA

    def new_generation(self) -> str:
        """A fresh, empty generation folder (not yet live)."""
        self.root.mkdir(parents=True, exist_ok=True)
        # never reuse a name: Chroma caches clients by path for the life of the process
        name = time.strftime("g%Y%m%d-%H%M%S-") + secrets.token_hex(3)
        (self.root / name).mkdir()
        return name

    def make_current(self, name: str) -> None:
        """Switch the live generation atomically (write aside, fsync, rename)."""
        tmp = self.root / "CURRENT.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(name + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.current_file)

    def stale_generations(self) -> list[str]:
        """Generation folders that are not live (left by a finished or interrupted rebuild);
        none while `CURRENT` is lost and several hold articles (which is live is not known)."""
        live = self.current()
        if not self.root.is_dir() or (live is None and self.orphans()):
            return []
        return sorted(
            p.name
            for p in self.root.iterdir()
            if p.is_dir() and p.name.startswith("g") and p.name != live
        )

    def remove_generation(self, name: str) -> None:
        shutil.rmtree(self.root / name, ignore_errors=True)

    @contextmanager
    def write_lock(self) -> Iterator[None]:
        """One writer at a time per index folder; readers never wait."""
        self.root.mkdir(parents=True, exist_ok=True)
        key = self.root.resolve()
        with _writing_guard:
            if key in _writing:
                raise IndexBusyError(
                    f"An update of the index in {self.root} is already running in this process "
                    "(another thread's, or a background one: `qa.indexing.wait()`); wait for it "
                    "to finish."
                )
            _writing.add(key)
        try:
            with open(self.root / ".lock", "w") as f:
                try:
                    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    raise IndexBusyError(
                        f"Another newsqa process is updating the index in {self.root}; "
                        "wait for it to finish."
                    ) from None
                try:
                    yield
                finally:
                    fcntl.flock(f, fcntl.LOCK_UN)
        finally:
            with _writing_guard:
                _writing.discard(key)
