"""`newsqa search`, `ask` and `chat`: passages found, answers with their sources, and a
conversation in the terminal."""

from __future__ import annotations

import json
import re
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from newsqa.cli.common import (
    JsonOpt,
    SinceOpt,
    SourceOpt,
    UntilOpt,
    app,
    errors,
    fail,
    fit,
    open_qa,
)

if TYPE_CHECKING:
    from newsqa.facade import NewsQA
    from newsqa.types import Answer

__all__ = ["ask", "chat", "search"]

LlmOpt = Annotated[
    str | None,
    typer.Option(
        "--llm",
        help="Answer with an LLM, e.g. openai:gpt-4o-mini, openai:MODEL@URL, gguf:PATH, smollm2; "
        "'' for the offline answerer (env NEWSQA_LLM)",
    ),
]


def _non_empty(text: str, what: str, *, as_json: bool) -> None:
    if not text.strip():
        fail(f"The {what} is empty: write what to ask, in quotes.", as_json=as_json)
    if not re.search(r"[^\W_]", text):
        fail(f"The {what} has no words: write what to ask, in quotes.", as_json=as_json)


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
    with errors(as_json=as_json):
        qa = open_qa(ctx)
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
    with errors(as_json=as_json):
        qa = open_qa(ctx)
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
    with errors():
        qa = open_qa(ctx)
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
    from newsqa.retrieval.filters import filters_said

    said = filters_said(source, since, until)  # as a refusal under them says them
    return f"(searching {said})" if said else "(searching every article)"
