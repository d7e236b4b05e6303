"""`newsqa ingest` and `remove`: articles into the corpus folder and out of it, then the index
updated."""

from __future__ import annotations

import json
from typing import Annotated

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

__all__ = ["ingest", "remove"]


@app.command()
def ingest(
    ctx: typer.Context,
    targets: Annotated[
        list[str],
        typer.Argument(
            help="URLs of pages or feeds, local files or folders, or a .txt file listing URLs "
            "one a line (their pages and feeds are fetched)."
        ),
    ],
    no_update: Annotated[
        bool, typer.Option("--no-update", metavar="", help="Only add to the corpus folder.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Add articles to the corpus folder from URLs, feeds or files, then update the index.
    Only the files that hold articles are copied; exits 1 when no target gave one."""
    with errors(as_json=as_json):
        qa = open_qa(ctx)
        copied = kept_when_adding(f"the files copied into {qa.settings.corpus_dir}")
        with interruptible(lambda: copied, as_json=as_json) as progress:
            loaded, written, report = qa.ingest(targets, update=not no_update, progress=progress)
        qa.close()
    failed = "" if loaded.articles else "No target gave an article; nothing was added."
    if as_json:
        out = {
            **({"error": failed} if failed else {}),
            "articles": len(loaded.articles),
            "written": [str(p) for p in written],
            "skipped": [{"origin": s.origin, "reason": s.reason} for s in loaded.skipped],
            "update": report.to_dict() if report else None,
        }
        typer.echo(json.dumps(out, indent=2))
    else:
        there = " (all there already)" if loaded.articles and not written else ""
        typer.echo(
            f"read {len(loaded.articles)} article(s); wrote {len(written)} file(s) into the "
            "corpus" + there
        )
        print_outcome(loaded.skipped, report)
    exit_failed(failed)


@app.command()
def remove(
    ctx: typer.Context,
    files: Annotated[
        list[str],
        typer.Argument(
            help="Files of the corpus folder: paths, or names as `newsqa index list` shows them."
        ),
    ],
    no_update: Annotated[
        bool, typer.Option("--no-update", metavar="", help="Only move them out of the corpus.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Take files out of the corpus folder (moved into its hidden .removed folder, to restore
    by moving back), then update the index; exits 1 when none was removed."""
    with errors(as_json=as_json):
        qa = open_qa(ctx)
        moved = (
            f"the files moved out of the corpus stay in {qa.settings.corpus_dir / '.removed'}; "
            "`newsqa index update` takes their articles out of the index."
        )
        with interruptible(lambda: moved, as_json=as_json) as progress:
            done = qa.remove(files, update=not no_update, progress=progress)
        qa.close()
    failed = "" if done.removed else "No file was removed."
    if as_json:
        typer.echo(
            json.dumps({**({"error": failed} if failed else {}), **done.to_dict()}, indent=2)
        )
    else:
        if done.removed:
            typer.echo(
                f"removed {len(done.removed)} file(s) from the corpus: {', '.join(done.removed)}"
                f" (kept in {done.kept_in}: move one back and update to restore it)"
            )
        print_outcome(done.skipped, done.report)
    exit_failed(failed)
