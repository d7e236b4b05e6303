"""`newsqa serve`: the web page."""

from __future__ import annotations

from typing import Annotated

import typer

from newsqa.cli.common import app, errors

__all__ = ["serve"]


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option(envvar="NEWSQA_HOST", help="Interface to listen on.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="NEWSQA_PORT", help="Port.")] = 7860,
    auth: Annotated[
        str | None,
        typer.Option(envvar="NEWSQA_AUTH", help="user:password required to open the page."),
    ] = None,
    no_update: Annotated[
        bool,
        typer.Option(
            "--no-update",
            metavar="",
            help="Serve the index as it is: no update from the corpus folder first.",
        ),
    ] = False,
    refresh_feeds: Annotated[
        float | None,
        typer.Option(
            "--refresh-feeds",
            envvar="NEWSQA_REFRESH_FEEDS",
            metavar="MINUTES",
            help="Read the followed feeds (`newsqa feeds`) this often and index their new "
            "entries behind the page.",
        ),
    ] = None,
) -> None:
    """Start the web page (on 127.0.0.1 unless told otherwise)."""
    from newsqa.web import launch

    with errors():
        launch(
            ctx.obj,
            host=host,
            port=port,
            auth=auth,
            update_first=not no_update,
            refresh_feeds=refresh_feeds,
        )
