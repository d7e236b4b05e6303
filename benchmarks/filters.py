"""Filtered search at ~100k chunks: newsqa's outlet and date filters (masks over its in-memory
table) against Chroma's own metadata-filtered query (what LangChain's `similarity_search(...,
filter=...)` runs), on the same vectors, side by side.

    .venv/bin/python benchmarks/filters.py                          # 14 copies, ~105k chunks
    .venv/bin/python benchmarks/filters.py --copies 2 --limit 20    # a quick look

The corpus is `--copies` disguised copies of MultiHop-RAG's 609 articles (benchmarks/scaled.py),
copy k published k * 91 days later, so the index spans about three and a half years of the same
49 outlets. Its index is built once with the default settings (real embeddings: about 15 minutes
on 2 cores in bf16) into ~/.cache/newsqa/bench/filters-index/ and reused; Chroma's baseline
collection (the same vectors, with `source` and `published_ts` metadata) is built once beside it.

Rows, each over the first `--limit` non-null dev questions, model loaded and warm:
- newsqa `qa.search(q, k=10, sources=..., since=..., until=...)`, the whole pipeline;
- newsqa with `max_vectors=0`: dense search through the vector store (what an index too large
  to hold in memory does), the allowed ids passed to Chroma;
- Chroma `collection.query(n_results=100, where=...)`, one dense query per question (newsqa's
  depth), without and with the filter.
Every newsqa hit is checked against its filter.

Data: github yixuantt/MultiHop-RAG (ODC-BY 1.0), corpus.json and queries-dev.json, read from
../shared/benchmarks/multihop-rag/ (or --corpus / --queries). Without ../shared, download them
from https://github.com/yixuantt/MultiHop-RAG (dataset/corpus.json; queries-dev.json is our
half of dataset/MultiHopRAG.json) and pass both paths.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scaled import scaled_corpus  # this folder is on sys.path when run as a script

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "benchmarks" / "multihop-rag"
BENCH_CACHE = Path.home() / ".cache" / "newsqa" / "bench"
os.environ.update(
    {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
)

SHIFT_DAYS = 91
DEPTH = 100  # newsqa's candidates per retriever and sub-search (RetrievalOptions.depth)
OUTLET = "TechCrunch"
MONTH = ("2023-11-01", "2023-11-30")
FILTERS: dict[str, dict[str, Any]] = {
    "none": {},
    f"outlet ({OUTLET})": {"sources": [OUTLET]},
    f"month ({MONTH[0][:7]})": {"since": MONTH[0], "until": MONTH[1]},
    "outlet + month": {"sources": [OUTLET], "since": MONTH[0], "until": MONTH[1]},
}

Row = dict[str, Any]


def _ts(day: str, end: bool = False) -> int:
    t = datetime.fromisoformat(day).replace(tzinfo=UTC)
    return int(t.timestamp()) + (86_399 if end else 0)


def chroma_where(f: dict[str, Any]) -> dict[str, Any] | None:
    """The same filter as Chroma metadata conditions."""
    parts: list[dict[str, Any]] = []
    if "sources" in f:
        parts.append({"source": {"$in": f["sources"]}})
    if "since" in f:
        parts.append({"published_ts": {"$gte": _ts(f["since"])}})
    if "until" in f:
        parts.append({"published_ts": {"$lte": _ts(f["until"], end=True)}})
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else {"$and": parts}


def timed(fn: Callable[[str], Any], items: list[Any]) -> tuple[list[float], list[Any]]:
    times, outs = [], []
    for item in items:
        t0 = time.perf_counter()
        outs.append(fn(item))
        times.append((time.perf_counter() - t0) * 1000)
    return times, outs


def build(corpus: Path, copies: int) -> Any:
    from newsqa.evaluation.retrieval import index_for_corpus
    from newsqa.settings import Settings

    records = json.loads(corpus.read_text(encoding="utf-8"))
    folder = BENCH_CACHE / f"filters-corpus-{copies}x{SHIFT_DAYS}"
    if not (folder / f"copy-{copies - 1}.json").exists():
        scaled_corpus(records, copies, folder, shift_days=SHIFT_DAYS)
    t0 = time.perf_counter()
    qa = index_for_corpus(folder, Settings.from_env(), cache_dir=BENCH_CACHE / "filters-index")
    print(f"index ready in {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
    return qa


def chroma_baseline(qa: Any, copies: int) -> Any:
    """A plain Chroma collection of the index's vectors with `source` and `published_ts`."""
    import chromadb
    import numpy as np
    from chromadb.config import Settings as ChromaSettings

    catalog, store = qa.index.open()
    facets = catalog.chunk_facets()  # (row id, vector id, article id, outlets, published)
    client = chromadb.PersistentClient(
        path=str(BENCH_CACHE / f"filters-chroma-{copies}x{SHIFT_DAYS}"),
        settings=ChromaSettings(anonymized_telemetry=False),
    )
    col = client.get_or_create_collection(
        "chunks", embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
    )
    if col.count() != len(facets):
        client.delete_collection("chunks")
        col = client.create_collection(
            "chunks", embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
        )
        t0 = time.perf_counter()
        step = 2000
        for i in range(0, len(facets), step):
            part = facets[i : i + step]
            vectors = store.vectors([f[1] for f in part])
            col.add(
                ids=[f[1] for f in part],
                embeddings=np.asarray([vectors[f[1]] for f in part], dtype=np.float32),
                metadatas=[
                    {
                        "source": f[3].split("\n")[0],
                        "published_ts": int(datetime.fromisoformat(f[4]).timestamp()),
                    }
                    for f in part
                ],
            )
        print(f"chroma baseline built in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return col


def within(hit: Any, f: dict[str, Any]) -> bool:
    a = hit.article
    outlets = {a.source, *(c.source for c in hit.also_published_by)}
    if "sources" in f and not outlets & set(f["sources"]):
        return False
    day = a.published.date().isoformat() if a.published else None
    if "since" in f and (day is None or day < f["since"]):
        return False
    return not ("until" in f and (day is None or day > f["until"]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=DATA / "corpus.json")
    ap.add_argument("--queries", type=Path, default=DATA / "queries-dev.json")
    ap.add_argument("--copies", type=int, default=14)
    ap.add_argument("--limit", type=int, default=100, help="questions timed per row")
    ap.add_argument("--build-only", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    for path in (args.corpus, args.queries):
        if not path.exists():
            sys.exit(f"{path} not found: see this script's docstring for where to get it")

    qa = build(args.corpus, args.copies)
    col = chroma_baseline(qa, args.copies)
    if args.build_only:
        return
    from newsqa.evaluation.metrics import is_null_query, percentile
    from newsqa.evaluation.retrieval import load_queries
    from newsqa.retrieval.search import Retriever

    questions = [q["query"] for q in load_queries(args.queries) if not is_null_query(q)]
    questions = questions[: args.limit]
    stats = qa.stats()
    qa.search(questions[0], k=10)  # loads the tables and the model
    vectors = qa.index.embedder.embed(questions)
    store_path = Retriever(qa.index, options=qa.retriever.options.replace(max_vectors=0))
    store_path.warm_up()

    rows: list[Row] = []
    in_memory = qa.retriever
    for engine, retriever in [("newsqa", in_memory), ("newsqa, dense via the store", store_path)]:
        qa.retriever = retriever
        for name, f in FILTERS.items():
            times, outs = timed(lambda q, f=f: qa.search(q, k=10, **f), questions)
            ok = all(within(h, f) for hits in outs for h in hits)
            rows.append({"engine": engine, "filter": name, "times": times, "within": ok})
    qa.retriever = in_memory
    for name, f in FILTERS.items():
        where = chroma_where(f)
        times, _ = timed(
            lambda v, w=where: col.query(
                query_embeddings=[v], n_results=DEPTH, include=["distances"], where=w
            ),
            list(vectors),
        )
        rows.append({"engine": "Chroma query (one dense query)", "filter": name, "times": times})

    base = {r["engine"]: statistics.median(r["times"]) for r in rows if r["filter"] == "none"}
    for r in rows:
        r |= {"p50": percentile(r["times"], 50), "p95": percentile(r["times"], 95)}
        r["vs_unfiltered"] = r["p50"] / base[r["engine"]]
        del r["times"]
    result = {"chunks": stats.chunks, "articles": stats.articles, "questions": len(questions)}
    result["rows"] = rows
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(
        f"{result['chunks']:,} chunks, {result['articles']:,} articles, "
        f"{len(questions)} questions, k=10"
    )
    print("| engine | filter | p50 ms | p95 ms | p50 / unfiltered | hits within the filter |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        ok = "" if "within" not in r else ("yes" if r["within"] else "**no**")
        print(
            f"| {r['engine']} | {r['filter']} | {r['p50']:.0f} | {r['p95']:.0f} | "
            f"{r['vs_unfiltered']:.2f}× | {ok} |"
        )


if __name__ == "__main__":
    main()
