"""`newsqa eval ...`: measure how well the index finds the evidence of benchmark questions.
Only Typer is imported up front; the evaluation, index and model load inside the command."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from newsqa.console import build_progress, progress_bars
from newsqa.settings import Settings

if TYPE_CHECKING:
    from newsqa.evaluation.retrieval import QueryProgress, RetrievalReport

__all__ = ["eval_app"]

eval_app = typer.Typer(help="Measure retrieval on benchmark questions.", no_args_is_help=True)

_COLUMNS = (
    ("Hits@1", "hits@1"),
    ("Hits@4", "hits@4"),
    ("Hits@10", "hits@10"),
    ("MRR@10", "mrr@10"),
    ("MAP@10", "map@10"),
    ("Fact recall@10", "fact_recall@10"),
    ("All facts@10", "all_facts@10"),
)


def _query_progress(bar: Any) -> QueryProgress | None:
    if bar is None:
        return None
    task = bar.add_task("searching queries", total=None)

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    return update


def format_table(report: RetrievalReport) -> str:
    """The report as a fixed-width table: overall first, then each question type."""
    head = ["", *(name for name, _ in _COLUMNS), "n"]
    rows = [("overall", report.overall), *report.by_type.items()]
    cells = [head] + [
        [name, *(f"{m[key]:.4f}" for _, key in _COLUMNS), str(m["n"])] for name, m in rows
    ]
    widths = [max(len(r[i]) for r in cells) for i in range(len(head))]
    lines = [
        "  ".join(
            [r[0].ljust(widths[0]), *(c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True))]
        )
        for r in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lat = report.latency_ms
    lines.append("")
    lines.append(f"latency per search: p50 {lat['p50']:.1f} ms, p95 {lat['p95']:.1f} ms")
    if report.skipped:
        lines.append(f"null queries skipped: {report.skipped}")
    lines.append(
        "Scored as MultiHop-RAG's retrieval_evaluate.py (Tang & Yang, 2024; data ODC-BY 1.0)."
    )
    return "\n".join(lines)


@eval_app.command("retrieval")
def retrieval(
    ctx: typer.Context,
    queries: Annotated[
        Path,
        typer.Option(
            "--queries",
            "-q",
            exists=True,
            dir_okay=False,
            help="A MultiHop-RAG style JSON file of queries with evidence facts.",
        ),
    ],
    corpus: Annotated[
        Path | None,
        typer.Option(
            "--corpus",
            "-c",
            exists=True,
            help="Evaluate on an index of this file or folder, built once and cached "
            "(default: the configured index).",
        ),
    ] = None,
    k: Annotated[
        int, typer.Option("-k", min=1, help="Passages retrieved per query (scored: top 10).")
    ] = 10,
    cache_dir: Annotated[
        Path | None,
        typer.Option(
            "--cache-dir",
            envvar="NEWSQA_EVAL_CACHE",
            help="Where --corpus indexes are cached (env NEWSQA_EVAL_CACHE, "
            "default ~/.cache/newsqa/eval).",
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", metavar="", help="Print one JSON object instead of a table.")
    ] = False,
) -> None:
    """Score retrieval: Hits@1/4/10, MRR@10, MAP@10 and fact recall, overall and per question
    type, the way the MultiHop-RAG benchmark scores them, plus search latency."""
    from newsqa.evaluation.retrieval import evaluate_retrieval, index_for_corpus, load_queries

    settings = ctx.obj if isinstance(ctx.obj, Settings) else Settings.from_env()
    try:
        items = load_queries(queries)
        with progress_bars(True) as bar:
            if corpus is not None:
                qa = index_for_corpus(
                    corpus, settings, cache_dir=cache_dir, progress=build_progress(bar)
                )
            else:
                from newsqa.facade import NewsQA

                qa = NewsQA(settings)
            with qa:
                report = evaluate_retrieval(qa, items, k=k, progress=_query_progress(bar))
    except (ValueError, RuntimeError, OSError) as exc:
        typer.secho(f"Error: {exc}", fg=typer.colors.RED, err=True)
        if as_json:  # a script reading the output gets JSON either way
            typer.echo(json.dumps({"error": str(exc)}))
        raise typer.Exit(1) from None
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
    else:
        typer.echo(format_table(report))
