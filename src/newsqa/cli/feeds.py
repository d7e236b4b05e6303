"""`newsqa feeds add|list|remove|refresh`: RSS and Atom feeds the corpus follows, their new
entries saved into the corpus folder and indexed."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from newsqa.cli.common import (
    JsonOpt,
    app,
    errors,
    exit_failed,
    interruptible,
    kept_when_adding,
    open_qa,
    print_outcome,
)

if TYPE_CHECKING:
    from newsqa.types import FeedRefresh

__all__ = ["feeds_add", "feeds_list", "feeds_refresh", "feeds_remove"]

feeds_app = typer.Typer(
    help="Follow RSS and Atom feeds: `refresh` saves and indexes their new entries.",
    no_args_is_help=True,
)
app.add_typer(feeds_app, name="feeds")

NoUpdateOpt = Annotated[
    bool, typer.Option("--no-update", metavar="", help="Only save into the corpus folder.")
]


def _said(done: FeedRefresh, as_json: bool) -> None:
    """Print what a follow or refresh did; exit 1 when no feed could be read."""
    failed = "" if any(not f.error for f in done.feeds) else "No feed could be read."
    if as_json:
        out = {**({"error": failed} if failed else {}), **done.to_dict()}
        typer.echo(json.dumps(out, indent=2))
    else:
        for f in done.feeds:
            if f.error:
                typer.echo(f"{f.url}: not read: {f.error}")
            else:
                before = f", {f.known} taken before" if f.known else ""
                typer.echo(f"{f.url}: {f.new} new article(s){before}")
        typer.echo(f"wrote {len(done.written)} file(s) into the corpus")
        print_outcome(done.skipped, done.report)
    exit_failed(failed)


@feeds_app.command("add")
def feeds_add(
    ctx: typer.Context,
    urls: Annotated[list[str], typer.Argument(help="Addresses of RSS or Atom feeds.")],
    no_update: NoUpdateOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Follow feeds: each is read now, its entries' articles saved and indexed.
    An address that is not a feed is not followed; exits 1 when none was read."""
    with errors(as_json=as_json):
        qa = open_qa(ctx)
        with interruptible(
            lambda: kept_when_adding(f"the articles saved into {qa.settings.corpus_dir}"),
            as_json=as_json,
        ) as progress:
            done = qa.follow(urls, update=not no_update, progress=progress)
        qa.close()
    _said(done, as_json)


@feeds_app.command("refresh")
def feeds_refresh(
    ctx: typer.Context, no_update: NoUpdateOpt = False, as_json: JsonOpt = False
) -> None:
    """Save and index the new entries of every followed feed.
    The pages of entries taken before are not fetched again; exits 1 when no feed was read."""
    with errors(as_json=as_json):
        qa = open_qa(ctx)
        if not qa.feeds():
            raise ValueError("The corpus follows no feed: `newsqa feeds add URL` follows one.")
        with interruptible(
            lambda: kept_when_adding(f"the articles saved into {qa.settings.corpus_dir}"),
            as_json=as_json,
        ) as progress:
            done = qa.refresh_feeds(update=not no_update, progress=progress)
        qa.close()
    _said(done, as_json)


@feeds_app.command("list")
def feeds_list(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """The feeds the corpus follows: address, when followed, when last read, entries taken."""
    with errors(as_json=as_json):
        followed = open_qa(ctx).feeds()
    if as_json:
        typer.echo(json.dumps([f.to_dict() for f in followed], indent=2))
        return
    if not followed:
        typer.echo("The corpus follows no feed: `newsqa feeds add URL` follows one.")
    for f in followed:
        read = f"last read {f.refreshed}" if f.refreshed else "never read"
        typer.echo(f"{f.url}  (followed {f.added}, {read}, {f.taken} entries taken)")


@feeds_app.command("remove")
def feeds_remove(
    ctx: typer.Context,
    urls: Annotated[list[str], typer.Argument(help="Addresses as `newsqa feeds list` shows them.")],
    as_json: JsonOpt = False,
) -> None:
    """Stop following feeds; the articles taken from them stay in the corpus.
    Exits 1 when none was followed."""
    with errors(as_json=as_json):
        gone, missing = open_qa(ctx).unfollow(urls)
    failed = "" if gone else "No feed was followed by that address."
    if as_json:
        out = {
            **({"error": failed} if failed else {}),
            "removed": gone,
            "skipped": [{"origin": s.origin, "reason": s.reason} for s in missing],
        }
        typer.echo(json.dumps(out, indent=2))
    else:
        for url in gone:
            typer.echo(f"no longer following {url} (its articles stay in the corpus)")
        print_outcome(missing, None)
    exit_failed(failed)
