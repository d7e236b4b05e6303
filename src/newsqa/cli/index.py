"""`newsqa index update|rebuild|stats|list`: build the index and say what it holds."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from newsqa.cli.common import (
    JsonOpt,
    SinceOpt,
    SourceOpt,
    UntilOpt,
    errors,
    index_app,
    interruptible,
    open_qa,
    print_report,
)

if TYPE_CHECKING:
    from newsqa.types import ArticleList, IndexedArticle

__all__ = [
    "LIST_LIMIT",
    "article_table",
    "index_list",
    "index_rebuild",
    "index_stats",
    "index_update",
    "listing_json",
]

CorpusOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--corpus",
        "-c",
        help="Files or folders to index instead of the corpus folder; the index is made to "
        "match them (articles indexed from elsewhere are removed). To add files, use ingest.",
    ),
]


def _run_build(ctx: typer.Context, mode: str, corpus: list[Path] | None, as_json: bool) -> None:
    with errors(as_json=as_json):
        qa = open_qa(ctx)

        def kept() -> str:
            if mode == "rebuild":
                return "the old index is live as it was."
            if qa.stats().chunks:
                return "the batches done are kept; run it again to finish."
            return "nothing was indexed yet; run it again."  # (no batch committed)

        with interruptible(kept, as_json=as_json) as progress:
            build = qa.rebuild if mode == "rebuild" else qa.update
            report = build(corpus or None, progress=progress)
        qa.close()
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
    else:
        print_report(report)
        if not report.articles_read and not report.skipped:  # (the skipped say why they were)
            where = ", ".join(map(str, corpus or [qa.settings.corpus_dir]))
            typer.secho(
                f"  no article files in {where}: put articles there (.txt, .md, .html, .json, "
                ".jsonl, RSS/Atom feeds) and run this again",
                fg=typer.colors.YELLOW,
            )


@index_app.command("update")
def index_update(ctx: typer.Context, corpus: CorpusOpt = None, as_json: JsonOpt = False) -> None:
    """Embed what is new or changed in the corpus and drop what was removed."""
    _run_build(ctx, "update", corpus, as_json)


@index_app.command("rebuild")
def index_rebuild(ctx: typer.Context, corpus: CorpusOpt = None, as_json: JsonOpt = False) -> None:
    """Build the index afresh beside the old one; the old one stays usable until it is done."""
    _run_build(ctx, "rebuild", corpus, as_json)


@index_app.command("stats")
def index_stats(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """What the index holds: articles, chunks, outlets, dates, and how it was built."""
    from newsqa.indexing.index import NewsIndex

    index = NewsIndex(ctx.obj)
    with errors(as_json=as_json):  # a damaged catalog: said, with the way out
        stats = index.stats()
    if not stats.exists:  # exit 1 either way; the JSON still says what there is
        if as_json:
            typer.echo(json.dumps({"error": index.missing(), **stats.to_dict()}, indent=2))
        else:
            typer.echo(index.missing())
        raise typer.Exit(1)
    if as_json:
        typer.echo(json.dumps(stats.to_dict(), indent=2))
        return
    typer.echo(f"index      {stats.path}")
    typer.echo(f"articles   {stats.articles} (+{stats.syndicated_copies} syndicated copies)")
    typer.echo(f"chunks     {stats.chunks}")
    # (articles that name no outlet are counted apart: no outlet a filter could name)
    named = {name: stats.outlets[name] for name in stats.named_outlets}
    unnamed = stats.outlets.get("", 0)
    none = f" (+{unnamed} article{'s' * (unnamed > 1)} naming none)" if unnamed else ""
    typer.echo(f"outlets    {len(named)}{none}")
    for name, n in list(named.items())[:10]:
        typer.echo(f"  {n:6d}  {name}")
    if len(named) > 10:
        typer.echo(f"  … and {len(named) - 10} more")
    typer.echo(f"dates      {stats.earliest[:10] or '?'} … {stats.latest[:10] or '?'}")
    typer.echo(f"updated    {stats.updated_at}")
    b = stats.build
    typer.echo(
        f"built with {b.get('embedding_model')} ({b.get('precision', '?')}), chunks of "
        f"{b.get('chunk_size')} tokens, overlap {b.get('chunk_overlap')}"
    )
    if b.get("store") == "chroma-server":
        typer.echo(
            f"vectors    on the Chroma server at {b.get('chroma_url')}, collection "
            f"{b.get('collection')}"
        )
    elif b.get("store") == "embedded":
        typer.echo("vectors    in the index folder (embedded Chroma)")


LIST_LIMIT = 50  # articles `index list` shows in a terminal unless told (--json: all)


@index_app.command("list")
def index_list(
    ctx: typer.Context,
    source: SourceOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    limit: Annotated[
        int | None,
        typer.Option(
            help=f"How many to list, newest first (default {LIST_LIMIT}; with --json all); 0: all.",
            min=0,
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """The indexed articles, newest first: date, outlet, title, file, outlets of copies."""
    if limit is None:  # a screenful in a terminal; a script gets them all
        limit = 0 if as_json else LIST_LIMIT
    with errors(as_json=as_json):
        qa = open_qa(ctx)
        listing = qa.articles(source, since, until, limit=limit or None)
        qa.close()
    if as_json:
        sys.stdout.writelines(listing_json(listing))  # (not flushed at each article)
        typer.echo()
        return
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else 0
    for line in article_table(listing.articles, width=width):
        typer.echo(line)
    filtered = bool(source or since or until)
    if not listing.total:
        typer.echo("No article matches the filters." if filtered else "No article is indexed yet.")
        return
    said = f"{listing.total} article{'s' * (listing.total != 1)}"
    said += f" match{'es' * (listing.total == 1)} the filters" if filtered else ""
    if len(listing) < listing.total:
        said += f"; showing the newest {len(listing)}: --limit 0 for all"
    typer.echo(said)


def listing_json(listing: ArticleList) -> Iterator[str]:
    """`json.dumps(listing.to_dict(), indent=2)`, an article at a time: the whole of a large
    index at once held its text three times over (470 MB at 100,000 articles, 130 MB so)."""
    yield f'{{\n  "total": {listing.total},\n  "articles": ['
    for i, article in enumerate(listing):
        body = json.dumps(article.to_dict(), indent=2).replace("\n", "\n    ")
        yield f"{',' * bool(i)}\n    {body}"
    yield "\n  ]\n}" if len(listing) else "]\n}"


def article_table(articles: Sequence[IndexedArticle], *, width: int = 0) -> list[str]:
    """Indexed articles as lines of a table (date, outlet, title, file), each syndicated
    copy's outlets on a line under its article; a title too long for `width` (0: no limit)
    cut with "…"."""
    if not articles:
        return []
    rows = [
        (
            a.published.date().isoformat() if a.published else "undated",
            _cut(a.source or "(no outlet)", 26),
            " ".join(a.title.split()) or "(untitled)",  # on one line
            a.file,
        )
        for a in articles
    ]
    outlet = max(len(r[1]) for r in rows)
    title = max(len(r[2]) for r in rows)
    if width:  # what the title leaves of the line, the file after it
        room = width - 10 - 2 - outlet - 2 - 2 - max(len(r[3]) for r in rows)
        title = max(min(title, room), 20)
    lines = [f"{'date':10}  {'outlet':{outlet}}  {'title':{title}}  file"]
    for a, (day, name, headline, file) in zip(articles, rows, strict=True):
        lines.append(f"{day:10}  {name:{outlet}}  {_cut(headline, title):{title}}  {file}")
        if a.carried_by:  # under the title
            lead, copies = " " * (10 + 2 + outlet + 2), f"also carried by {', '.join(a.carried_by)}"
            lines.append(lead + (_cut(copies, max(width - len(lead), 20)) if width else copies))
    return [line.rstrip() for line in lines]


def _cut(text: str, width: int) -> str:
    """`text` on one line, cut to `width` characters with "…" when longer."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"
