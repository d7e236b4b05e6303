"""Search latency: a cold process's first answer, steady per-search times, and CLI start-up, for
newsqa and, side by side, the textbook LangChain pipeline.

    .venv/bin/python benchmarks/latency.py --limit 200
    .venv/bin/python benchmarks/latency.py --limit 200 --profile-first   # where the first goes

newsqa searches its own index of MultiHop-RAG's corpus, built (or reused) by
`newsqa.evaluation.retrieval.index_for_corpus` in ~/.cache/newsqa/eval/. The textbook index
(RecursiveCharacterTextSplitter 1000/200, HuggingFaceEmbeddings, Chroma.from_documents) is built
once into ~/.cache/newsqa/bench/textbook-N (N = articles; `--textbook-articles`, default all,
about 4 minutes on 2 cores) and reused. Every cold timing is a fresh subprocess of this script or
of the `newsqa` CLI, timed by the parent from spawn to the child's answer.

Data: github yixuantt/MultiHop-RAG (ODC-BY 1.0), corpus.json and queries-dev.json, read from
../shared/benchmarks/multihop-rag/ (or --corpus / --queries). Without ../shared, download them
from https://github.com/yixuantt/MultiHop-RAG (dataset/corpus.json; queries-dev.json is our
half of dataset/MultiHopRAG.json) and pass both paths.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import textbook  # this folder is on sys.path when run as a script

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "benchmarks" / "multihop-rag"
BENCH_CACHE = Path.home() / ".cache" / "newsqa" / "bench"
OFFLINE = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
}
os.environ.update(OFFLINE)

Row = dict[str, Any]


def _queries(path: Path, limit: int | None) -> list[str]:
    items = json.loads(path.read_text(encoding="utf-8"))
    answerable = [q["query"] for q in items if q.get("question_type") != "null_query"]
    return answerable[:limit]


def _percentiles(ms: list[float]) -> Row:
    ms = sorted(ms)
    return {
        "n": len(ms),
        "p50_ms": statistics.median(ms),
        "p95_ms": ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))],
        "max_ms": ms[-1],
    }


# -- children ---------------------------------------------------------------------------------
def child_newsqa(corpus: Path, queries: list[str], spawned: float, profile: bool) -> Row:
    """Cold start to the first answered search, phase by phase, then steady searches."""
    t = {"start": spawned, "interpreter": time.time()}
    from newsqa import Settings
    from newsqa.evaluation.retrieval import index_for_corpus

    t["import"] = time.time()
    qa = index_for_corpus(corpus, Settings.from_env())
    t["open index"] = time.time()
    qa.index.embedder.embed(["warm up"])
    t["model load"] = time.time()
    if profile:
        import cProfile
        import io
        import pstats

        prof = cProfile.Profile()
        prof.enable()
    qa.search(queries[0], 10)
    t["first search"] = time.time()
    row: Row = {}
    if profile:
        prof.disable()
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats("newsqa", 25)
        row["profile"] = out.getvalue()
    second = time.perf_counter()
    qa.search(queries[1 % len(queries)], 10)
    row["second_search_ms"] = 1000 * (time.perf_counter() - second)
    times = []
    for q in queries:
        t0 = time.perf_counter()
        qa.search(q, 10)
        times.append(1000 * (time.perf_counter() - t0))
    _catalog, store = qa.index.open()
    row["chunks"] = store.count()
    qa.close()
    return row | {"phases": t, "search": _percentiles(times)}


def textbook_dir(corpus: Path, articles: int | None) -> Path:
    key = hashlib.sha256(f"{corpus.resolve()}:{corpus.stat().st_size}".encode()).hexdigest()[:12]
    return BENCH_CACHE / f"textbook-{key}-{articles or 'all'}"


def build_textbook(corpus: Path, folder: Path, articles: int | None) -> Row:
    """The textbook index of the first `articles` articles, built once (by index_build.py's
    textbook pipeline) and kept."""
    import tempfile

    from index_build import run_textbook  # this folder is on sys.path when run as a script

    records = json.loads(corpus.read_text(encoding="utf-8"))[:articles]
    with tempfile.TemporaryDirectory() as tmp:
        limited = Path(tmp) / "corpus.json"
        limited.write_text(json.dumps(records), encoding="utf-8")
        row = run_textbook(limited, folder)
    info = {k: row[k] for k in ("articles", "chunks", "build_s")}
    (folder / "COMPLETE").write_text(json.dumps(info), encoding="utf-8")
    return info


def child_textbook(folder: Path, queries: list[str], spawned: float) -> Row:
    """The same for `Chroma(...).similarity_search(query, k=10)` over the textbook index."""
    t = {"start": spawned, "interpreter": time.time()}
    t["import"] = time.time()
    embeddings = textbook.embeddings()  # loads the model
    embeddings.embed_query("warm up")
    t["model load"] = time.time()
    store = textbook.open_store(folder, embeddings)
    t["open index"] = time.time()
    store.similarity_search(queries[0], k=10)
    t["first search"] = time.time()
    times = []
    for q in queries:
        t0 = time.perf_counter()
        store.similarity_search(q, k=10)
        times.append(1000 * (time.perf_counter() - t0))
    return {"phases": t, "search": _percentiles(times)}


# -- parent -----------------------------------------------------------------------------------
def _child(*args: str) -> Row:
    spawned = time.time()
    cmd = [sys.executable, __file__, *args, "--spawned", repr(spawned)]
    done = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=True)
    row: Row = json.loads(done.stdout.strip().splitlines()[-1])
    row["process_s"] = time.time() - spawned
    phases = row["phases"]
    names = list(phases)
    row["steps"] = {b: phases[b] - phases[a] for a, b in itertools.pairwise(names)}
    row["cold_first_search_s"] = phases["first search"] - spawned
    return row


def _cli(index: Path, *args: str, repeat: int = 3) -> float:
    """The best of `repeat` cold runs of the newsqa CLI, in seconds."""
    exe = str(Path(sys.executable).parent / "newsqa")
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([exe, "--index", str(index), *args], capture_output=True, check=True)
        best = min(best, time.perf_counter() - t0)
    return best


def print_report(r: Row) -> None:
    print(
        f"\nSearch latency — {r['date']}, {r['machine']}, load avg {r['load_avg']:.1f} at the end"
    )
    print(f"newsqa index: {r['newsqa']['chunks']:,} chunks ({r['newsqa_index']})")
    tb = r.get("textbook")
    if tb:
        print(
            f"textbook index: {tb['index']['articles']} articles, {tb['index']['chunks']:,} chunks"
            f" ({tb['dir']})"
        )
    print(
        f"{r['queries']} dev queries (non-null), k = 10, model loaded, after one warm-up search\n"
    )
    rows = [("", "newsqa", "textbook" if tb else "")]

    def both(label: str, get: Any, fmt: str) -> None:
        cells = [fmt.format(get(r["newsqa"]))]
        cells.append(fmt.format(get(tb)) if tb else "")
        rows.append((label, *cells))

    both("cold start → first answered search", lambda x: x["cold_first_search_s"], "{:.2f} s")
    for step in ("interpreter", "import", "model load", "open index", "first search"):
        both(f"  {step}", lambda x, s=step: x["steps"][s], "{:.2f} s")
    both("search p50", lambda x: x["search"]["p50_ms"], "{:.0f} ms")
    both("search p95", lambda x: x["search"]["p95_ms"], "{:.0f} ms")
    both("search max", lambda x: x["search"]["max_ms"], "{:.0f} ms")
    rows.append(
        (
            "`newsqa ask QUESTION`, cold, to the printed answer (best of 3)",
            f"{r['cli']['ask_s']:.2f} s",
            "",
        )
    )
    rows.append(("`newsqa index stats`, cold (best of 3)", f"{r['cli']['stats_s']:.2f} s", ""))
    rows.append(("`newsqa --help`, cold (best of 3)", f"{r['cli']['help_s']:.2f} s", ""))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for n, row in enumerate(rows):
        cells = [row[0].ljust(widths[0]), row[1].rjust(widths[1]), row[2].rjust(widths[2])]
        print("| " + " | ".join(cells) + " |")
        if n == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    print(
        "\ncold start: from spawning the process to the first search's result; the steps split it"
        " (interpreter = spawn to the script's first line; import = the package's own imports;"
        " model load = importing torch (and sentence-transformers for models the plain-torch"
        " backend does not run), loading and one warm-up embed;"
        " open index = newsqa's catalog (Chroma opens only if the first search finds no vectors"
        " cached beside the catalog) or the textbook's"
        " Chroma; first search = newsqa's in-memory tables plus one query)."
    )
    if r["newsqa"].get("profile"):
        print("\nProfile of newsqa's first search (cProfile, its own cold process):")
        print(r["newsqa"]["profile"])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    p.add_argument("--corpus", type=Path, default=DATA / "corpus.json")
    p.add_argument("--queries", type=Path, default=DATA / "queries-dev.json")
    p.add_argument("--limit", type=int, help="only the first N non-null dev queries")
    p.add_argument("--skip-textbook", action="store_true")
    p.add_argument(
        "--textbook-articles", type=int, help="textbook index of the first N articles only"
    )
    p.add_argument("--profile-first", action="store_true", help="cProfile the first search")
    p.add_argument("--json", action="store_true", help="print one JSON object instead")
    p.add_argument("--only", choices=["newsqa", "textbook"], help=argparse.SUPPRESS)
    p.add_argument("--spawned", type=float, help=argparse.SUPPRESS)
    p.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args()

    for path in (args.corpus, args.queries):
        if not path.is_file():
            print(
                f"No file at {path}. MultiHop-RAG's corpus.json and queries-dev.json (github "
                "yixuantt/MultiHop-RAG, ODC-BY 1.0) are read from ../shared/benchmarks/"
                "multihop-rag/; put them there or pass --corpus and --queries.",
                file=sys.stderr,
            )
            sys.exit(2)
    queries = _queries(args.queries, args.limit)
    if args.only == "newsqa":
        print(json.dumps(child_newsqa(args.corpus, queries, args.spawned, args.profile_first)))
        return
    if args.only == "textbook":
        print(json.dumps(child_textbook(args.dir, queries, args.spawned)))
        return

    def log(msg: str) -> None:
        if not args.json:
            print(msg, file=sys.stderr)

    from newsqa import Settings
    from newsqa.evaluation.retrieval import index_for_corpus

    log("newsqa index (built once, then reused) …")
    qa = index_for_corpus(args.corpus, Settings.from_env())
    index_dir = qa.settings.index_dir
    qa.close()
    c = ["--corpus", str(args.corpus), "--queries", str(args.queries)]
    c += ["--limit", str(args.limit)] if args.limit else []
    log("newsqa: cold start and searches …")
    ours = _child("--only", "newsqa", *c, *(["--profile-first"] if args.profile_first else []))
    if args.profile_first:  # the profiled first search is slower: time it again, unprofiled
        ours |= {k: v for k, v in _child("--only", "newsqa", *c).items() if k != "profile"}
    result: Row = {
        "date": date.today().isoformat(),
        "machine": f"{os.cpu_count()} cores",
        "queries": len(queries),
        "newsqa_index": str(index_dir),
        "newsqa": ours,
    }
    if not args.skip_textbook:
        if args.textbook_articles:
            folder = textbook_dir(args.corpus, args.textbook_articles)
            if not (folder / "COMPLETE").exists():
                log(f"textbook index into {folder} (once) …")
                build_textbook(args.corpus, folder, args.textbook_articles)
            data = folder
        else:  # the whole corpus: the same cached index as benchmarks/retrieval.py's
            from newsqa.evaluation.retrieval import default_cache_dir

            folder = textbook.ensure_textbook(args.corpus, default_cache_dir(), log=log)
            data = folder / "chroma"
        log("textbook: cold start and searches …")
        book = _child("--only", "textbook", *c, "--dir", str(data))
        book["index"] = json.loads((folder / "COMPLETE").read_text(encoding="utf-8"))
        book["dir"] = str(folder)
        result["textbook"] = book
    log("CLI start-up …")
    result["cli"] = {
        "stats_s": _cli(index_dir, "index", "stats"),
        "help_s": _cli(index_dir, "--help"),
        "ask_s": _cli(index_dir, "ask", queries[0]),
    }
    result["load_avg"] = os.getloadavg()[0]
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_report(result)


if __name__ == "__main__":
    main()
