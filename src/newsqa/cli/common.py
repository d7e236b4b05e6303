"""What the commands of `newsqa` share: the Typer app and its groups, the options several
commands take, and how a command fails, shows progress and prints an index's report."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import sys
import textwrap
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from newsqa.evaluation.cli import eval_app
from newsqa.settings import Settings

if TYPE_CHECKING:
    from newsqa.facade import NewsQA
    from newsqa.indexing.builder import Progress
    from newsqa.types import IndexReport, Skipped

__all__ = [
    "JsonOpt",
    "SinceOpt",
    "SourceOpt",
    "UntilOpt",
    "app",
    "errors",
    "exit_failed",
    "fail",
    "fit",
    "index_app",
    "interruptible",
    "kept_when_adding",
    "open_qa",
    "print_outcome",
    "print_report",
]

app = typer.Typer(
    help="Ask questions about a collection of news articles, with answers that cite them.",
    no_args_is_help=True,
    add_completion=False,
)
index_app = typer.Typer(help="Build, update and inspect the index.", no_args_is_help=True)
app.add_typer(index_app, name="index")
app.add_typer(eval_app, name="eval", help="Measure retrieval quality on a query set.")

# a flag takes no value: metavar="" keeps Typer's help from showing one ("--json <bool>")
JsonOpt = Annotated[
    bool, typer.Option("--json", metavar="", help="Print one JSON object instead of text.")
]

SourceOpt = Annotated[
    list[str] | None, typer.Option("--source", "-s", help="Only this outlet (repeatable).")
]
SinceOpt = Annotated[
    str | None,
    typer.Option(
        help="Published on or after: YYYY-MM-DD, YYYY-MM, or words ('November 2023', 'last week')."
    ),
]
UntilOpt = Annotated[
    str | None,
    typer.Option(
        help="Published on or before: YYYY-MM-DD, YYYY-MM, or words ('November 2023', 'yesterday')."
    ),
]


@app.callback()
def _main(
    ctx: typer.Context,
    index: Annotated[
        Path | None, typer.Option(help="Index folder (env NEWSQA_INDEX, default index)")
    ] = None,
    corpus: Annotated[
        Path | None,
        typer.Option("--corpus-dir", help="Corpus folder (env NEWSQA_CORPUS, default corpus)"),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(help="Embedding model name or path (env NEWSQA_EMBEDDING_MODEL)"),
    ] = None,
    chroma_url: Annotated[
        str | None,
        typer.Option(help="Use the Chroma server at this URL (env NEWSQA_CHROMA_URL)"),
    ] = None,
) -> None:
    try:
        ctx.obj = Settings.from_env(
            index_dir=index, corpus_dir=corpus, embedding_model=model, chroma_url=chroma_url
        )
    except ValueError as exc:
        fail(str(exc))


def fail(message: str, code: int = 1, *, as_json: bool = False) -> None:
    """Say what failed, on stderr (and for --json, as {"error": …} on stdout too, so that a
    script reading the output gets JSON either way), and exit with `code`."""
    typer.secho(f"Error: {message}", fg=typer.colors.RED, err=True)
    if as_json:
        typer.echo(json.dumps({"error": message}))
    raise typer.Exit(code)


@contextmanager
def errors(*, as_json: bool = False) -> Iterator[None]:
    """Known failures become one clear line and exit status 1, never a traceback."""
    from newsqa.indexing import (
        IncompatibleIndexError,
        IndexBusyError,
        IndexMissingError,
        StoreError,
    )

    try:
        yield
    except typer.Exit:  # a RuntimeError too: a failure already said, with its exit status
        raise
    except BrokenPipeError:  # the output piped into `head`, which has read enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing left to flush
        raise typer.Exit(0) from None
    except (IncompatibleIndexError, IndexBusyError, IndexMissingError, StoreError) as exc:
        fail(str(exc), as_json=as_json)
    except (ValueError, RuntimeError) as exc:
        fail(str(exc), as_json=as_json)
    except (OSError, sqlite3.Error) as exc:  # a read-only folder, a full disk, a file in the way
        fail(f"Could not use the index or the corpus: {exc}", as_json=as_json)


def open_qa(ctx: typer.Context) -> NewsQA:
    from newsqa.facade import NewsQA

    settings: Settings = ctx.obj
    return NewsQA(settings)


@contextmanager
def _progress(enabled: bool) -> Iterator[Progress | None]:
    """A progress bar on stderr for reading and embedding (off for --json or when piped)."""
    from newsqa.console import build_progress, progress_bars

    with progress_bars(enabled) as bar:
        yield build_progress(bar)


def print_report(report: IndexReport) -> None:
    a = report
    typer.echo(
        f"{a.mode}: {a.articles_read} article{'' if a.articles_read == 1 else 's'} read in "
        f"{a.seconds:.1f}s (embedding {a.embed_seconds:.1f}s)"
    )
    typer.echo(
        f"  articles  added {a.articles_added}, changed {a.articles_changed}, "
        f"removed {a.articles_removed}, unchanged {a.articles_unchanged}"
    )
    typer.echo(
        f"  chunks    added {a.chunks_added}, removed {a.chunks_removed}, "
        f"unchanged {a.chunks_unchanged} ({a.chunks_embedded} embedded)"
    )
    if a.chunks_restored:
        typer.secho(
            f"  restored  {a.chunks_restored} chunks whose vectors the store had lost "
            "(embedded again from the index)",
            fg=typer.colors.YELLOW,
        )
    if a.duplicates:
        typer.echo(f"  duplicates indexed once: {len(a.duplicates)}")
        for origin, first in a.duplicates[:10]:
            typer.echo(f"    {origin}  (same article as {first})")
    if a.syndicated:
        typer.echo(f"  syndicated copies recorded, not re-indexed: {len(a.syndicated)}")
        for origin, of in a.syndicated[:10]:
            typer.echo(f"    {origin}  (copy of article {of})")
    if a.warnings:
        typer.secho(f"  indexed, to check: {len(a.warnings)}", fg=typer.colors.YELLOW)
        for s in a.warnings[:20]:
            typer.echo(fit(f"    {s.origin}: {s.reason}", "  "))
    if a.skipped:
        typer.secho(f"  skipped: {len(a.skipped)}", fg=typer.colors.YELLOW)
        for s in a.skipped[:20]:
            typer.echo(fit(f"    {s.origin}: {s.reason}", "  "))
        if len(a.skipped) > 20:
            typer.echo(f"    … and {len(a.skipped) - 20} more (see --json)")


@contextmanager
def _terminated_as_interrupted() -> Iterator[None]:
    """SIGTERM (`kill`, `timeout`, a service or container stopped) ends the command as Ctrl-C
    does: a rebuild removes what it half built, and the interruption is said."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def interruptible(kept: Callable[[], str], *, as_json: bool) -> Iterator[Progress | None]:
    """A long command's progress bar (none with --json); Ctrl-C or SIGTERM ends it with exit
    130 and one line saying what is kept (`kept()`, asked then)."""
    try:
        with _terminated_as_interrupted(), _progress(not as_json) as progress:
            yield progress
    except KeyboardInterrupt:
        fail(f"Interrupted: {kept()}", code=130, as_json=as_json)


def kept_when_adding(saved: str) -> str:
    """What an interrupted add to the corpus keeps (`saved`: what is in the corpus folder,
    "the files copied into corpus")."""
    return (
        f"{saved} stay there, and the batches indexed are kept; `newsqa index update` indexes "
        "the rest."
    )


def print_outcome(skipped: Iterable[Skipped], report: IndexReport | None) -> None:
    """The end of a change to the corpus, as text: the inputs skipped and why, then the report of
    the update that followed (if one did)."""
    for s in skipped:
        typer.echo(f"  skipped {s.origin}: {s.reason}")
    if report:
        print_report(report)


def exit_failed(failed: str) -> None:
    """Exit 1 saying `failed` on stderr, when a command that did its work found it was for
    nothing ("" : carry on)."""
    if failed:
        typer.secho(f"Error: {failed}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)


def fit(text: str, indent: str = "", *, width: int | None = None) -> str:
    """`text` wrapped to the terminal, its lines after the first indented by `indent` more than
    the first's own leading spaces (a terminal's hard wrap broke an indented quote at column
    0); unwrapped when the output is not a terminal, so scripts get one line per item."""
    if width is None:
        width = shutil.get_terminal_size().columns if sys.stdout.isatty() else 0
    if width < 40 or len(text) <= width:
        return text
    lead = text[: len(text) - len(text.lstrip(" "))]
    return textwrap.fill(
        text.strip(),
        width=width,
        initial_indent=lead,
        subsequent_indent=lead + indent,
        break_long_words=False,
        break_on_hyphens=False,
    )
