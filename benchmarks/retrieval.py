"""Retrieval ablation on MultiHop-RAG: the textbook LangChain pipeline and newsqa with its ideas
switched on one at a time, scored by the benchmark's own definitions, side by side in one run.

    .venv/bin/python benchmarks/retrieval.py                 # every row, the whole dev half
    .venv/bin/python benchmarks/retrieval.py --limit 200     # a quick look
    .venv/bin/python benchmarks/retrieval.py --rows all --halves   # tuned config on each half

Each newsqa row is what `NEWSQA_RETRIEVAL="<spec>" newsqa eval retrieval --queries Q --corpus C`
prints (the same index, the same scorer); this script only runs them in one process so the
model loads once. The textbook row is `RecursiveCharacterTextSplitter(1000, 200)` +
`HuggingFaceEmbeddings` (the same packaged MiniLM) + Chroma `similarity_search(k=10)`, built
once into the eval cache (benchmarks/textbook.py).

Data: github yixuantt/MultiHop-RAG (ODC-BY 1.0), read from ../shared/benchmarks/multihop-rag/;
without it, pass --corpus and --queries (its corpus.json and a query file in its format).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

os.environ.update(
    {
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
        "TOKENIZERS_PARALLELISM": "false",
    }
)

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from textbook import open_textbook  # noqa: E402

from newsqa.evaluation.metrics import METRIC_KEYS, is_null_query  # noqa: E402
from newsqa.evaluation.retrieval import (  # noqa: E402
    default_cache_dir,
    evaluate_retrieval,
    index_for_corpus,
    load_queries,
)
from newsqa.retrieval.options import RetrievalOptions  # noqa: E402
from newsqa.settings import Settings  # noqa: E402

DATA = HERE.parent.parent / "shared" / "benchmarks" / "multihop-rag"
# the ideas in the order the rows add them; `_off(i)` switches off the i-th and every later one
IDEAS = ["outlets", "dates", "split", "sentences", "recency", "feedback"]


def _off(i: int) -> str:
    return ",".join(f"{idea}=0" for idea in IDEAS[i:])


# (row, NEWSQA_RETRIEVAL spec): each row adds one idea to the one above it
ROWS: list[tuple[str, str]] = [
    ("dense only", f"lexical=0,{_off(0)}"),
    ("BM25 only", f"dense=0,{_off(0)}"),
    ("hybrid (dense + BM25, RRF)", _off(0)),
    ("+ outlet sub-searches", _off(1)),
    ("+ soft dates", _off(2)),
    ("+ clause splitting", _off(3)),
    ("+ sentence re-rank (coverage)", _off(4)),
    ("+ recency for 'latest'", _off(5)),
    ("+ name feedback (all, default)", _off(6)),
    ("all + per-article cap 2", "max_per_article=2"),
]
NAMES = ["Hits@1", "Hits@4", "Hits@10", "MRR@10", "MAP@10", "fact recall", "all facts"]


def _row(name: str, spec: str, report: Any, seconds: float) -> dict[str, Any]:
    return {
        "row": name,
        "spec": spec,
        "overall": report.overall,
        "by_type": report.by_type,
        "latency_ms": report.latency_ms,
        "seconds": seconds,
    }


def _print(rows: list[dict[str, Any]], n: int) -> None:
    head = ["row", "NEWSQA_RETRIEVAL", *NAMES, "p50 ms", "p95 ms"]
    print(f"\n{n} non-null queries; {date.today().isoformat()}\n")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for r in rows:
        o = r["overall"]
        cells = [r["row"], f"`{r['spec']}`" if r["spec"] else "(defaults)"]
        cells += [f"{o[k]:.3f}" for k in METRIC_KEYS]
        cells += [f"{r['latency_ms']['p50']:.0f}", f"{r['latency_ms']['p95']:.0f}"]
        print("| " + " | ".join(cells) + " |")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--corpus", type=Path, default=DATA / "corpus.json")
    p.add_argument("--queries", type=Path, default=DATA / "queries-dev.json")
    p.add_argument("--limit", type=int, default=0, help="score every n-th query, about N")
    p.add_argument("--rows", default="", help="comma-separated row numbers (1-based) or 'all'")
    p.add_argument("--skip-textbook", action="store_true")
    p.add_argument("--halves", action="store_true", help="also score the defaults per half")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    for path in (args.corpus, args.queries):
        if not path.exists():
            sys.exit(
                f"{path} is missing: get MultiHop-RAG (github yixuantt/MultiHop-RAG, ODC-BY 1.0) "
                "into ../shared/benchmarks/multihop-rag/ or pass --corpus and --queries"
            )
    queries = [q for q in load_queries(args.queries) if not is_null_query(q)]
    if args.limit:
        queries = queries[:: max(1, len(queries) // args.limit)][: args.limit]
    chosen = ROWS
    if args.rows and args.rows != "all":
        chosen = [ROWS[int(i) - 1] for i in args.rows.split(",")]

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    results: list[dict[str, Any]] = []
    if not args.skip_textbook:
        book = open_textbook(args.corpus, default_cache_dir(), log=log)
        t0 = time.perf_counter()
        results.append(
            _row(
                "textbook LangChain (1000/200 + MiniLM + Chroma)",
                "",
                evaluate_retrieval(book, queries),  # type: ignore[arg-type]
                time.perf_counter() - t0,
            )
        )
        results[-1]["spec"] = "—"
        log(f"textbook: {results[-1]['overall']}")
    qa = index_for_corpus(args.corpus, Settings.from_env())
    with qa:
        for name, spec in chosen:
            qa.retriever.options = RetrievalOptions.parse(spec)
            t0 = time.perf_counter()
            report = evaluate_retrieval(qa, queries)
            results.append(_row(name, spec, report, time.perf_counter() - t0))
            log(f"{name}: {report.overall}")
        halves: dict[str, Any] = {}
        if args.halves:
            qa.retriever.options = RetrievalOptions()
            for label, part in (("even", queries[0::2]), ("odd", queries[1::2])):
                halves[label] = evaluate_retrieval(qa, part).overall
    if args.json:
        print(json.dumps({"n": len(queries), "rows": results, "halves": halves}, indent=2))
        return
    _print(results, len(queries))
    if halves:
        print("\nDefaults on each half of the queries (a check that nothing fits one half):\n")
        print("| half | n | " + " | ".join(NAMES) + " |")
        print("|" + "---|" * (len(NAMES) + 2))
        for label, o in halves.items():
            cells = " | ".join(f"{o[k]:.3f}" for k in METRIC_KEYS)
            print(f"| {label} | {o['n']} | {cells} |")


if __name__ == "__main__":
    main()
