"""Progress bars for the command line (rich, on stderr, only when it is a terminal)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newsqa.indexing.builder import Progress

__all__ = ["build_progress", "progress_bars"]


@contextmanager
def progress_bars(enabled: bool) -> Iterator[Any]:
    """A rich progress display on stderr when it is a terminal, else None."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    bar = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    with bar:
        yield bar


def build_progress(bar: Any) -> Progress | None:
    """Reading and embedding progress of an index build, one bar per phase."""
    if bar is None:
        return None
    tasks: dict[str, Any] = {}

    def update(phase: str, done: int, total: int) -> None:
        if phase not in tasks:
            label = "reading articles" if phase == "reading" else "embedding chunks"
            tasks[phase] = bar.add_task(label, total=total or None)
        bar.update(tasks[phase], completed=done, total=total or None)

    return update
