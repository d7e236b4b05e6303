"""Taking files out of the corpus from the page ("Articles in the index"): the corpus folder's
article files, offered to choose (one holding only copies of another's articles too, said as
such), and what removing them did, in words. A file is moved aside by `NewsQA.remove`, never
deleted (moved back, it is indexed again), so a page shared with others offers it as it offers
uploads."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

from newsqa.corpus.removal import REMOVED
from newsqa.facade import NewsQA
from newsqa.indexing import IndexBusyError
from newsqa.indexing.builder import Progress
from newsqa.types import CorpusFile, IndexReport, Removal, Skipped
from newsqa.web.render import _count, with_commands

__all__ = ["UpdateAfter", "file_choices", "remove_files"]


def file_choices(files: Mapping[str, CorpusFile]) -> list[tuple[str, str]]:
    """The files to choose from, as (what is shown, the name): "wire.json (3 articles)",
    "carried.jsonl (only a copy of wire.json)"."""
    return [(_named(f), name) for name, f in files.items()]


def _named(file: CorpusFile) -> str:
    """A file, with what the index holds of it (why nothing, when it holds nothing of it)."""
    if file.articles:
        held = _count(file.articles, "article")
    elif file.copy_of:
        *others, last = file.copy_of
        held = (
            f"only copies of {', '.join(others)} and {last}" if others else f"only a copy of {last}"
        )
    elif file.unread:
        held = "no article could be read from it"
    else:
        held = "not in the index yet"
    return f"{file.name} ({held})"


class UpdateAfter:
    """An index update started once the page's background update ends: that one may have read
    the files removed while it ran, and would leave their articles in."""

    def __init__(self, qa: NewsQA) -> None:
        self.qa = qa
        self._lock = threading.Lock()
        self._asked = False
        self._thread: threading.Thread | None = None

    @property
    def waiting(self) -> bool:
        """Whether an update is still to come (or is running) on its account."""
        return self._thread is not None

    def ask(self) -> None:
        with self._lock:
            self._asked = True
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="newsqa-update-after", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            job = self.qa.indexing
            status = job.wait() if job is not None else None
            with self._lock:
                if not self._asked or (status is not None and status.cancelled):
                    self._thread = None  # (closing: a cancelled update is not followed)
                    return
                self._asked = False
                try:
                    self.qa.update_in_background()
                except IndexBusyError:  # another began meanwhile: waited for, then followed
                    self._asked = True


def remove_files(
    qa: NewsQA,
    chosen: Sequence[str] | None,
    files: Mapping[str, CorpusFile],
    after: UpdateAfter,
    progress: Progress | None = None,
) -> str:
    """Take the `chosen` files out of the corpus and their articles out of the index; what was
    done, in words, for the page's Markdown (`files`: what the index holds of each, as offered;
    the names shown as written, the commands as code)."""
    names = [c.strip() for c in chosen or [] if c and c.strip()]
    if not names:
        return "Choose the files to remove first (those of the corpus folder, in the box above)."
    return with_commands("\n\n".join(_removing(qa, names, files, after, progress)))


def _removing(
    qa: NewsQA,
    names: list[str],
    files: Mapping[str, CorpusFile],
    after: UpdateAfter,
    progress: Progress | None,
) -> list[str]:
    running = qa.updating
    removal = qa.remove(names, update=False)
    said = [_removed(removal, files, qa.settings.corpus_dir)] if removal.removed else []
    said += [_skipped(s) for s in removal.skipped]
    if not removal.removed:
        return said
    if running:  # the update under way may have read them: another follows it
        after.ask()
        return [
            *said,
            "The index is being updated just now: their articles leave it once that update is "
            "done (the status line says when).",
        ]
    try:
        report = qa.update(progress=progress)
    except IndexBusyError as exc:
        return [
            *said,
            f"Their articles are still in the index: {exc} They leave it with the next update "
            "(`newsqa index update`, or the next article added here).",
        ]
    except Exception as exc:  # (a damaged index, a read-only folder: said, never a trace)
        return [*said, f"Their articles are still in the index: it could not be updated: {exc}"]
    held = sum(files[name].articles for name in removal.removed if name in files)
    return said + _staying(report, held)


def _removed(removal: Removal, files: Mapping[str, CorpusFile], corpus: Path) -> str:
    """ "Removed wire.json (3 articles); kept in corpus/.removed — move it back to restore
    it." (the folder named as the corpus folder's, not by the server's full path)"""
    named = [_named(files[n]) if n in files else n for n in removal.removed]
    listed = named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"
    it = "it" if len(named) == 1 else "them"
    kept = f"{corpus.resolve().name}/{REMOVED}"
    return f"Removed {listed}; kept in {kept} — move {it} back to restore {it}."


def _skipped(skipped: Skipped) -> str:
    name = skipped.origin
    if skipped.kind == "missing":
        return f"{name} is no longer in the corpus (removed already?): nothing to remove."
    return f"Not removed: {name} {skipped.reason}."


def _staying(report: IndexReport, listed: int) -> list[str]:
    """What of the files' articles stays in the index: an article another file holds too."""
    staying = listed - report.articles_removed
    if staying <= 0:
        return []
    if staying == listed:
        who = "Its article is" if listed == 1 else f"Their {listed:,} articles are"
    else:
        who = f"{staying:,} of their articles {'is' if staying == 1 else 'are'}"
    it = "it" if staying == 1 else "them"
    return [f"{who} still in the index: the corpus holds {it} in another file too."]
