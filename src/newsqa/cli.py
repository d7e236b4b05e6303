"""The `newsqa` command. It reads the environment, builds `Settings`, and drives `NewsQA`;
it holds no indexing or retrieval logic of its own. Heavy imports stay inside the commands so
`newsqa --help` and `newsqa index stats` start fast."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import sys
import textwrap
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from newsqa.evaluation.cli import eval_app
from newsqa.settings import Settings

if TYPE_CHECKING:
    from newsqa.facade import NewsQA
    from newsqa.indexing.builder import Progress
    from newsqa.types import Answer, ArticleList, IndexedArticle, IndexReport

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
CorpusOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--corpus",
        "-c",
        help="Files or folders to index instead of the corpus folder; the index is made to "
        "match them (articles indexed from elsewhere are removed). To add files, use ingest.",
    ),
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
LlmOpt = Annotated[
    str | None,
    typer.Option(
        "--llm",
        help="Answer with an LLM, e.g. openai:gpt-4o-mini, openai:MODEL@URL, gguf:PATH, smollm2; "
        "'' for the offline answerer (env NEWSQA_LLM)",
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
        _fail(str(exc))


def _fail(message: str, code: int = 1, *, as_json: bool = False) -> None:
    """Say what failed, on stderr (and for --json, as {"error": …} on stdout too, so that a
    script reading the output gets JSON either way), and exit with `code`."""
    typer.secho(f"Error: {message}", fg=typer.colors.RED, err=True)
    if as_json:
        typer.echo(json.dumps({"error": message}))
    raise typer.Exit(code)


@contextmanager
def _errors(*, as_json: bool = False) -> Iterator[None]:
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
        _fail(str(exc), as_json=as_json)
    except (ValueError, RuntimeError) as exc:
        _fail(str(exc), as_json=as_json)
    except (OSError, sqlite3.Error) as exc:  # a read-only folder, a full disk, a file in the way
        _fail(f"Could not use the index or the corpus: {exc}", as_json=as_json)


def _non_empty(text: str, what: str, *, as_json: bool) -> None:
    if not text.strip():
        _fail(f"The {what} is empty: write what to ask, in quotes.", as_json=as_json)
    if not re.search(r"[^\W_]", text):
        _fail(f"The {what} has no words: write what to ask, in quotes.", as_json=as_json)


def _qa(ctx: typer.Context) -> NewsQA:
    from newsqa.facade import NewsQA

    settings: Settings = ctx.obj
    return NewsQA(settings)


@contextmanager
def _progress(enabled: bool) -> Iterator[Progress | None]:
    """A progress bar on stderr for reading and embedding (off for --json or when piped)."""
    from newsqa.console import build_progress, progress_bars

    with progress_bars(enabled) as bar:
        yield build_progress(bar)


def _print_report(report: IndexReport) -> None:
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
def _interruptible(kept: Callable[[], str], *, as_json: bool) -> Iterator[Progress | None]:
    """A long command's progress bar (none with --json); Ctrl-C or SIGTERM ends it with exit
    130 and one line saying what is kept (`kept()`, asked then)."""
    try:
        with _terminated_as_interrupted(), _progress(not as_json) as progress:
            yield progress
    except KeyboardInterrupt:
        _fail(f"Interrupted: {kept()}", code=130, as_json=as_json)


def _run_build(ctx: typer.Context, mode: str, corpus: list[Path] | None, as_json: bool) -> None:
    with _errors(as_json=as_json):
        qa = _qa(ctx)

        def kept() -> str:
            if mode == "rebuild":
                return "the old index is live as it was."
            if qa.stats().chunks:
                return "the batches done are kept; run it again to finish."
            return "nothing was indexed yet; run it again."  # (no batch committed)

        with _interruptible(kept, as_json=as_json) as progress:
            build = qa.rebuild if mode == "rebuild" else qa.update
            report = build(corpus or None, progress=progress)
        qa.close()
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
    else:
        _print_report(report)
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
    with _errors(as_json=as_json):  # a damaged catalog: said, with the way out
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
    with _errors(as_json=as_json):
        qa = _qa(ctx)
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


@app.command()
def search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="What to look for.")],
    k: Annotated[int, typer.Option("-k", help="How many passages.")] = 5,
    source: SourceOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show the passages of the indexed articles that best match QUERY."""
    _non_empty(query, "query", as_json=as_json)
    with _errors(as_json=as_json):
        qa = _qa(ctx)
        hits = qa.search(query, k, sources=source, since=since, until=until)
        qa.close()
    if as_json:
        typer.echo(json.dumps({"query": query, "hits": [h.to_dict() for h in hits]}, indent=2))
        return
    if not hits:
        typer.echo("No matching passages.")
    for n, hit in enumerate(hits, 1):
        a = hit.article
        typer.secho(a.heading(n), bold=True)
        if a.url:
            typer.echo(f"    {a.link}")
        snippet = " ".join(hit.text.split())
        typer.echo(fit(f"    {snippet[:300]}{'…' if len(snippet) > 300 else ''}"))


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


def _print_sources(answer: Answer) -> None:
    if answer.as_of is not None:
        typer.secho(f"As of {answer.as_of:%-d %b %Y} (newest source cited).", dim=True)
    for note in answer.notes:
        if note not in answer.text:  # the offline answerer writes its notes into the answer
            typer.secho(fit(note), fg=typer.colors.YELLOW)
    if answer.unsupported and not answer.declined:  # where the page marks them in the text
        typer.secho("Not traced to any source (the LLM's own words):", fg=typer.colors.YELLOW)
        for claim in answer.unsupported:
            typer.secho(fit(f"  - {claim}", "  "), fg=typer.colors.YELLOW)
    for c in answer.citations:
        a = c.article
        typer.secho(fit(a.heading(c.n), "    "), bold=True)
        if a.url:
            typer.echo(f"    {a.link}")
        passage = " ".join(c.passage.split())
        # a passage that is itself a quotation keeps its own marks ("““…””" read as a typo)
        quoted = passage[:1] in '“"' and passage[-1:] in '”"'
        typer.echo(fit(f"    {passage}" if quoted else f"    “{passage}”", " "))


@app.command()
def ask(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="The question.")],
    source: SourceOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    llm: LlmOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Answer QUESTION from the indexed articles, citing them."""
    _non_empty(question, "question", as_json=as_json)
    with _errors(as_json=as_json):
        qa = _qa(ctx)
        if as_json:
            answer = qa.ask(question, sources=source, since=since, until=until, llm=llm)
        else:
            answer = _stream_answer(qa, question, [], source, since, until, llm)
        qa.close()
    if as_json:
        typer.echo(json.dumps(answer.to_dict(), indent=2))


def _stream_answer(
    qa: NewsQA,
    question: str,
    history: list[Answer],
    source: list[str] | None,
    since: str | None,
    until: str | None,
    llm: str | None,
) -> Answer:
    """Print the answer as it is written, then its checked text (if it changed) and sources."""
    from newsqa.types import Answer

    written: list[str] = []
    final: Answer | None = None
    for event in qa.stream(question, history, sources=source, since=since, until=until, llm=llm):
        if isinstance(event, Answer):
            final = event
        else:
            written.append(event)
            typer.echo(event, nl=False)
    typer.echo()
    assert final is not None
    # the text was checked on its way (markers that trace to nothing removed): shown again,
    # unless it is what was printed last (the offline answer after an LLM that failed)
    if not "".join(written).strip().endswith(final.text.strip()):
        typer.secho("\nChecked answer:", bold=True)
        typer.echo("\n".join(fit(line) for line in final.text.splitlines()))
    _print_sources(final)
    return final


@app.command()
def chat(
    ctx: typer.Context,
    source: SourceOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    llm: LlmOpt = None,
) -> None:
    """A conversation in the terminal: follow-up questions read the ones before.
    Type /new to start over, /quit (or Ctrl-D) to leave."""
    with _errors():
        qa = _qa(ctx)
        qa.index.require()  # say there is no index before the first question, not after it
        qa.check_filters(source, since, until)  # and a filter that can never match
        history: list[Answer] = []
        if hasattr(sys.stdin, "reconfigure"):  # a line of bytes that are not UTF-8: read as �
            sys.stdin.reconfigure(errors="replace")
        typer.echo(_CHAT_HELP)
        while True:
            try:
                question = input("\n> ").strip()
            except (EOFError, KeyboardInterrupt):
                typer.echo()
                break
            if question.startswith("/"):  # a command, never a question
                command = question.split()[0].lower()
                if command in ("/quit", "/exit", "/q"):
                    break
                if command == "/new":
                    history = []
                    typer.echo("(new conversation)")
                elif command in _FILTER_COMMANDS:
                    value = question[len(command) :].strip()
                    try:
                        source, since, until = _chat_filters(
                            qa, command, value, (source, since, until)
                        )
                    except (ValueError, TypeError) as exc:  # kept as they were
                        typer.secho(f"Error: {exc}", err=True, fg=typer.colors.RED)
                        continue
                    typer.echo(_filters_said(source, since, until))
                else:
                    typer.echo(_CHAT_HELP if command == "/help" else f"Unknown command {command}.")
                continue
            if question:
                try:  # a question that cannot be asked ("?") is said, and the chat goes on
                    answer = _stream_answer(qa, question, history, source, since, until, llm)
                except (ValueError, TypeError) as exc:
                    typer.secho(f"Error: {exc}", err=True, fg=typer.colors.RED)
                    continue
                except KeyboardInterrupt:
                    # Ctrl-C ends the answer being written (an LLM that is slow or silent, its
                    # connection closed on the way out), not the chat; it is left out of the
                    # conversation, as the page's Stop leaves it
                    typer.secho("\nStopped.", bold=True)
                    continue
                history.append(answer)
        qa.close()


_CHAT_HELP = (
    "Ask about the indexed news. /new starts over, /quit leaves, /help shows this; Ctrl-C "
    "stops an answer. Filters: /source NAME[, NAME…], /since DATE, /until DATE (each alone "
    "clears it), /filters shows them."
)
_FILTER_COMMANDS = ("/source", "/outlet", "/since", "/until", "/filters")


def _chat_filters(
    qa: NewsQA,
    command: str,
    value: str,
    current: tuple[list[str] | None, str | None, str | None],
) -> tuple[list[str] | None, str | None, str | None]:
    """The chat's filters after `command VALUE` (no value: that filter cleared); ValueError,
    as `ask` would raise it, for a filter that can never match."""
    source, since, until = current
    if command in ("/source", "/outlet"):
        source = [n.strip() for n in value.split(",") if n.strip()] or None
    elif command == "/since":
        since = value or None
    elif command == "/until":
        until = value or None
    qa.check_filters(source, since, until)
    return source, since, until


def _filters_said(source: list[str] | None, since: str | None, until: str | None) -> str:
    from newsqa.facade import filters_said

    said = filters_said(source, since, until)  # as a refusal under them says them
    return f"(searching {said})" if said else "(searching every article)"


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
    with _errors(as_json=as_json):
        qa = _qa(ctx)
        copied = (
            f"the files copied into {qa.settings.corpus_dir} stay there, and the batches "
            "indexed are kept; `newsqa index update` indexes the rest."
        )
        with _interruptible(lambda: copied, as_json=as_json) as progress:
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
        for s in loaded.skipped:
            typer.echo(f"  skipped {s.origin}: {s.reason}")
        if report:
            _print_report(report)
    if failed:
        typer.secho(f"Error: {failed}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)


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
    with _errors(as_json=as_json):
        qa = _qa(ctx)
        moved = (
            f"the files moved out of the corpus stay in {qa.settings.corpus_dir / '.removed'}; "
            "`newsqa index update` takes their articles out of the index."
        )
        with _interruptible(lambda: moved, as_json=as_json) as progress:
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
        for s in done.skipped:
            typer.echo(f"  skipped {s.origin}: {s.reason}")
        if done.report:
            _print_report(done.report)
    if failed:
        typer.secho(f"Error: {failed}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)


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
) -> None:
    """Start the web page (on 127.0.0.1 unless told otherwise)."""
    from newsqa.web import launch

    with _errors():
        launch(ctx.obj, host=host, port=port, auth=auth, update_first=not no_update)


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


if __name__ == "__main__":  # pragma: no cover
    main()
