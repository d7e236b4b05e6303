"""The `newsqa` command. It reads the environment, builds `Settings`, and drives `NewsQA`;
it holds no indexing or retrieval logic of its own. Heavy imports stay inside the commands so
`newsqa --help` and `newsqa index stats` start fast."""

from __future__ import annotations

import sys

# the commands, registered on `app` as their modules are read (the order is the help's)
from newsqa.cli import ask, corpus, feeds, index, serve  # noqa: F401
from newsqa.cli.ask import _print_sources as _print_sources
from newsqa.cli.common import app, fit
from newsqa.cli.index import article_table, listing_json

__all__ = ["app", "article_table", "fit", "global_options_first", "listing_json", "main"]

# the options of `newsqa` itself (each takes a value), which a user also writes after the
# command ("newsqa index update --chroma-url URL"): moved before it, where Click reads them
_GLOBAL_OPTIONS = ("--index", "--corpus-dir", "--model", "--chroma-url")


def global_options_first(args: list[str]) -> list[str]:
    """ARGS with the options of `newsqa` itself that follow the command moved before it
    (not those after `--`, the end of options)."""
    start = 0  # the command's place: past the options (and their values) before it
    while start < len(args) and args[start].startswith("-") and args[start] != "--":
        start += 2 if args[start] in _GLOBAL_OPTIONS else 1
    moved: list[str] = []
    rest: list[str] = []
    i = start
    while i < len(args):
        if args[i] == "--":
            rest.extend(args[i:])
            break
        if args[i].split("=", 1)[0] in _GLOBAL_OPTIONS:
            takes = 1 if "=" in args[i] else 2
            moved.extend(args[i : i + takes])
            i += takes
        else:
            rest.append(args[i])
            i += 1
    return args[:start] + moved + rest


def main() -> None:
    app(args=global_options_first(sys.argv[1:]), prog_name="newsqa")
