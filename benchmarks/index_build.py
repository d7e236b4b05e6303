"""Index build: newsqa against the textbook LangChain pipeline on MultiHop-RAG's news articles.

Each pipeline runs in a fresh subprocess of this script (`--only ...`), so peak memory (RSS
high-water) and cold-process times are its own. In every child the model is loaded and warmed up
first and timed apart ("load s"); "build s" then excludes it, while "process s" (timed by the
parent) is the whole cold process: interpreter, imports, model load, build, exit.

    .venv/bin/python benchmarks/index_build.py --limit 30      # quick
    .venv/bin/python benchmarks/index_build.py --all           # full corpus, + an fp32 row
    .venv/bin/python benchmarks/index_build.py --limit 100 --scale 3 --skip-textbook  # memory

The newsqa child also measures the machine's best matrix-multiply rate (torch, the model's
shapes, the precision used, torch threads = cores) and the FLOPs the embedding did, counted per
real token (padding not counted), and prints the ratio of the two rates.

Data: github yixuantt/MultiHop-RAG (ODC-BY 1.0), read from ../shared/benchmarks/multihop-rag/.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from scaled import scaled_corpus  # this folder is on sys.path when run as a script

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "benchmarks" / "multihop-rag" / "corpus.json"
OFFLINE = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",  # what newsqa sets too; the same for both pipelines
}
os.environ.update(OFFLINE)

Row = dict[str, Any]
Call = tuple[list[str], tuple[list[list[int]], int]]  # texts of one embed call, and its batch plan


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# -- how fast the machine multiplies matrices, and how much the embedding multiplied ------------
# all-MiniLM-L6-v2 (BERT): 6 layers, hidden 384, intermediate 1536, 12 heads, window 256 tokens
LAYERS, HIDDEN, INTERMEDIATE, WINDOW, GEMM_BATCH = 6, 384, 1536, 256, 32


def gemm_rates(precision: str, threads: int, seconds: float = 1.0) -> dict[str, float]:
    """GFLOP/s of torch.matmul at the model's shapes (batch*seq rows), best of repeated runs."""
    import torch

    dtype = torch.bfloat16 if precision == "bf16" else torch.float32
    saved = torch.get_num_threads()
    torch.set_num_threads(threads)
    rows = GEMM_BATCH * WINDOW
    shapes = {
        "qkvo (rows,384)x(384,384)": (HIDDEN, HIDDEN),
        "ffn-in (rows,384)x(384,1536)": (HIDDEN, INTERMEDIATE),
        "ffn-out (rows,1536)x(1536,384)": (INTERMEDIATE, HIDDEN),
    }
    out: dict[str, float] = {}
    try:
        for name, (k, n) in shapes.items():
            a, b = torch.randn(rows, k, dtype=dtype), torch.randn(k, n, dtype=dtype)
            for _ in range(3):
                a @ b
            best, deadline = 0.0, time.perf_counter() + seconds
            while time.perf_counter() < deadline:
                t0 = time.perf_counter()
                a @ b
                best = max(best, 2 * rows * k * n / (time.perf_counter() - t0) / 1e9)
            out[name] = best
    finally:
        torch.set_num_threads(saved)
    return out


def token_flops(n_tokens: int) -> float:
    """Multiply-add FLOPs (2 per MAC) of one text of `n_tokens` real tokens through the encoder:
    Q, K, V and output projections, the two feed-forward matrices, and attention scores and
    weighted values over its own tokens. Embeddings, layer norms, GELU and pooling are left out."""
    linear = 2 * n_tokens * (4 * HIDDEN * HIDDEN + 2 * HIDDEN * INTERMEDIATE)
    attention = 2 * 2 * n_tokens * n_tokens * HIDDEN
    return float(LAYERS * (linear + attention))


def embedding_flops(embedder: Any, calls: list[Call]) -> Row:
    """FLOPs of the texts embedded, per real token and as the padded batches the embedder ran
    (its `batch_plan` of each call: batches of texts sorted by length, each padded to its
    longest text, to a multiple of tokens and a count of rows in an index build)."""
    real = padded = 0.0
    tokens = padded_tokens = 0
    for texts, (batches, multiple) in calls:
        lengths = [len(ids) for ids in embedder.token_ids(texts)]
        for batch in batches:
            longest = max(lengths[i] for i in batch)
            length = -(-longest // multiple) * multiple  # (model windows are multiples of 32)
            rows = embedder.padded_rows(len(batch)) if multiple > 1 else len(batch)
            real += sum(token_flops(lengths[i]) for i in batch)
            padded += rows * token_flops(length)
            tokens += sum(lengths[i] for i in batch)
            padded_tokens += rows * length
    return {"flops": real, "padded_flops": padded, "tokens": tokens, "padded_tokens": padded_tokens}


def _timing_matches() -> list[float]:
    """Seconds spent finding syndicated copies (matching articles' signatures and recording
    them), added up in the list returned as `SignatureIndex` is used."""
    from newsqa.indexing.dedup import SignatureIndex

    spent = [0.0]
    for name in ("best_match", "add"):
        inner = getattr(SignatureIndex, name)

        def timed(*args: Any, _inner: Any = inner) -> Any:
            t0 = time.perf_counter()
            try:
                return _inner(*args)
            finally:
                spent[0] += time.perf_counter() - t0

        setattr(SignatureIndex, name, timed)
    return spent


def _recording(embedder: Any, calls: list[Call]) -> Any:
    """`embedder` with its `embed` also keeping the texts of each call and how it batched them
    (to count FLOPs later)."""
    inner = embedder.embed

    def embed(texts: Any) -> Any:
        calls.append((list(texts), embedder.batch_plan(texts)))
        return inner(texts)

    embedder.embed = embed
    return embedder


# -- children: one pipeline each, printing one JSON line -------------------------------------
def run_newsqa(corpus: Path, index_dir: Path, precision: str, *, count_flops: bool = True) -> Row:
    """`NewsQA.rebuild` from an empty index folder, after loading the model."""
    from newsqa import NewsQA, Settings
    from newsqa.indexing.embeddings import available_cores

    qa = NewsQA(Settings(index_dir=index_dir, precision=precision))  # type: ignore[arg-type]
    if os.environ.get("NEWSQA_BENCH_BATCH_ARTICLES"):
        qa.index.batch_articles = int(os.environ["NEWSQA_BENCH_BATCH_ARTICLES"])
    t0 = time.perf_counter()
    embedder = qa.index.embedder
    embedder.embed(["warm up"])  # the model loads lazily, in the first embed call
    load = time.perf_counter() - t0
    calls: list[Call] = []
    if count_flops:  # keeps the embedded texts (a few MB) for counting after the timed part
        _recording(embedder, calls)
    matching = _timing_matches()
    t0, c0 = time.perf_counter(), time.process_time()
    report = qa.rebuild([corpus])
    build, cpu = time.perf_counter() - t0, time.process_time() - c0
    rss = _peak_rss_mb()  # before counting FLOPs and the GEMM test add their own
    qa.close()
    row: Row = {}
    if calls:
        chars = [len(t) for texts, _ in calls for t in texts]
        row["mean_chunk_chars"] = sum(chars) / max(len(chars), 1)
        row |= embedding_flops(embedder, calls)
        row["embed_gflops"] = row["flops"] / report.embed_seconds / 1e9
        row["gemm"] = gemm_rates(embedder.precision, available_cores())
        row["gemm_best"] = max(row["gemm"].values())
        row["gemm_ratio"] = row["embed_gflops"] / row["gemm_best"]
    return row | {
        "pipeline": f"newsqa-{precision}",
        "precision": qa.index.embedder.precision,
        "articles": report.articles_read,
        "chunks": report.chunks_embedded,
        "workers": getattr(embedder, "workers", 1),
        "batch_articles": qa.index.batch_articles,
        "load_s": load,
        "build_s": build,
        "build_cpu_s": cpu,
        "embed_s": report.embed_seconds,
        "embed_share": report.embed_seconds / report.seconds if report.seconds else None,
        "syndicated": len(report.syndicated),
        "match_s": matching[0],
        "duplicates": len(report.duplicates),
        "peak_rss_mb": rss,
        "load_avg": os.getloadavg()[0],
    }


def run_textbook(corpus: Path, persist_dir: Path) -> Row:
    """RecursiveCharacterTextSplitter(1000, 200) + HuggingFaceEmbeddings + Chroma.from_documents
    (benchmarks/textbook.py)."""
    import textbook  # this folder is on sys.path when run as a script
    import torch
    from langchain_huggingface import HuggingFaceEmbeddings

    class TimedEmbeddings(HuggingFaceEmbeddings):
        """Times `embed_documents`, which Chroma.from_documents calls once for all chunks."""

        seconds: float = 0.0

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            t0 = time.perf_counter()
            out = super().embed_documents(texts)
            self.seconds += time.perf_counter() - t0
            return out

    t0 = time.perf_counter()
    embedding = textbook.embeddings(TimedEmbeddings)
    embedding.embed_query("warm up")
    load = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    docs = textbook.documents(corpus)
    chunks = textbook.split(docs)
    textbook.build(chunks, embedding, persist_dir)
    build, cpu = time.perf_counter() - t0, time.process_time() - c0
    dtype = next(embedding._client.parameters()).dtype
    return {
        "pipeline": "textbook",
        "precision": "bf16" if dtype == torch.bfloat16 else "fp32",
        "articles": len(docs),
        "chunks": len(chunks),
        "mean_chunk_chars": sum(len(c.page_content) for c in chunks) / max(len(chunks), 1),
        "load_s": load,
        "build_s": build,
        "build_cpu_s": cpu,
        "embed_s": embedding.seconds,
        "embed_share": embedding.seconds / build,
        "peak_rss_mb": _peak_rss_mb(),
        "load_avg": os.getloadavg()[0],
    }


def run_update(corpus: Path, index_dir: Path, precision: str) -> Row:
    """`NewsQA.update` after one article changed, with the model loaded beforehand."""
    from newsqa import NewsQA, Settings

    qa = NewsQA(Settings(index_dir=index_dir, precision=precision))  # type: ignore[arg-type]
    t0 = time.perf_counter()
    qa.index.embedder.embed(["warm up"])
    load = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    report = qa.update([corpus])
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    qa.close()
    return {"load_s": load, "update_s": wall, "update_cpu_s": cpu, "report": report.to_dict()}


# -- parent -----------------------------------------------------------------------------------
def _child(*args: str) -> Row:
    """Run this script with `args` in a fresh process; its last stdout line is the JSON row."""
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True, check=True
    )
    row: Row = json.loads(done.stdout.strip().splitlines()[-1])
    row["process_s"] = time.perf_counter() - t0
    return row


def _noop_update(index_dir: Path, corpus: Path) -> Row:
    """`newsqa index update` from a cold process with nothing changed: must not load the model."""
    cmd = [str(Path(sys.executable).parent / "newsqa"), "--index", str(index_dir)]
    cmd += ["index", "update", "-c", str(corpus), "--json"]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t0
    report = json.loads(done.stdout)
    # once more with -X importtime, to see which heavy modules the CLI imported at all
    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}
    traced = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env)
    imported = {
        line.rsplit("|", 1)[-1].strip()
        for line in traced.stderr.splitlines()
        if line.startswith("import time:")
    }
    return {
        "process_s": wall,
        "report": report,
        "model_loaded": report["chunks"]["embedded"] > 0 or report["embed_seconds"] > 0,
        "imported_torch": "torch" in imported,
        "imported_sentence_transformers": "sentence_transformers" in imported,
    }


# (header, key in a build row, decimals); None decimals: shown as is
COLUMNS = [
    ("pipeline", "pipeline", None),
    ("prec", "precision", None),
    ("chunks", "chunks", None),
    ("chars/chunk", "mean_chunk_chars", 0),
    ("load s", "load_s", 1),
    ("build s", "build_s", 1),
    ("build CPU s", "build_cpu_s", 1),
    ("articles/s", "articles_per_s", 1),
    ("chunks/s", "chunks_per_s", 1),
    ("embed %", "embed_pct", 0),
    ("peak RSS MB", "peak_rss_mb", 0),
    ("process s", "process_s", 1),
    ("load avg", "load_avg", 1),
]


def _cell(value: Any, digits: int | None) -> str:
    if value is None:
        return "–"
    return str(value) if digits is None else f"{value:,.{digits}f}"


def print_table(result: Row) -> None:
    m = result["machine"]
    print(f"\nIndex build — {result['articles']} articles from {result['corpus']}")
    print(f"{result['date']}, {m['cpu']}, {m['cores']} cores, native bf16: {m['bf16']}\n")
    rows = [[h for h, _, _ in COLUMNS]]
    rows += [[_cell(r.get(k), d) for _, k, d in COLUMNS] for r in result["builds"]]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    for n, row in enumerate(rows):  # a Markdown table, to paste into benchmarks/README.md
        cells = [
            c.ljust(w) if i < 2 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        print("| " + " | ".join(cells) + " |")
        if n == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    print(
        "load s: model load + a warm-up embed, not in build s; process s: the whole cold process;"
    )
    print("build CPU s: user+sys of all threads during the build; load avg: 1 min, at its end")
    for name, value in result.get("ratios", {}).items():
        print(f"{name}: {value:.2f}×")
    upd, rep = result["update"], result["update"]["report"]
    print(
        f"\nupdate, one article changed ({upd['changed_title'][:40]!r}): "
        f"{upd['update_s']:.2f} s with the model loaded (report.seconds {rep['seconds']:.2f}, "
        f"embed {rep['embed_seconds']:.2f}), {rep['chunks']['embedded']} chunk(s) embedded; "
        f"model load {upd['load_s']:.1f} s; cold process {upd['process_s']:.1f} s"
    )
    noop, rep = result["noop"], result["noop"]["report"]
    print(
        f"update, nothing changed (`newsqa index update`, cold): {noop['process_s']:.2f} s, "
        f"{rep['chunks']['embedded']} chunks embedded, embed_seconds {rep['embed_seconds']}, "
        f"model loaded: {noop['model_loaded']}, imported torch: {noop['imported_torch']}, "
        f"sentence_transformers: {noop['imported_sentence_transformers']}"
    )


def _machine() -> Row:
    from newsqa.indexing.embeddings import cpu_has_bf16

    lines = Path("/proc/cpuinfo").read_text().splitlines()
    names = [x for x in lines if x.startswith("model name")]
    cpu = names[0].split(":", 1)[1].strip() if names else "unknown"
    return {"cpu": cpu, "cores": os.cpu_count(), "bf16": cpu_has_bf16()}


def scale_runs(records: list[Row], scales: list[int], precision: str, tmp: Path) -> list[Row]:
    """Peak RSS of a newsqa rebuild of 1× and larger copies of the corpus, each in its own child."""
    rows = []
    for scale in scales:
        corpus = scaled_corpus(records, scale, tmp / f"scale-{scale}")
        row = _child(
            "--only", "newsqa-scale", "--corpus", str(corpus), "--precision", precision,
            "--dir", str(tmp / f"scale-index-{scale}"),
        )  # fmt: skip
        rows.append(row | {"scale": scale})
    return rows


def print_extra(result: Row) -> None:
    """Embedding FLOP rate against the GEMM rate, adding articles, and memory against scale."""
    for r in result["builds"]:
        if "gemm" not in r:
            continue
        pad = 100 * (r["padded_tokens"] - r["tokens"]) / r["padded_tokens"]
        print(
            f"\n{r['pipeline']} ({r['precision']}, {r['workers']} single-threaded embedding "
            f"workers): {r['tokens']:,} real tokens ({r['tokens'] / r['chunks']:.0f} per chunk), "
            f"padding {pad:.1f}% of the padded batches"
        )
        print(
            f"  embedding: {r['flops'] / 1e12:.2f} TFLOP counted per real token (padding not "
            f"counted; {r['padded_flops'] / 1e12:.2f} with it) in {r['embed_s']:.1f} s = "
            f"{r['embed_gflops']:.0f} GFLOP/s"
        )
        gemm = ", ".join(f"{k} {v:.0f}" for k, v in r["gemm"].items())
        print(f"  torch matmul, {r['precision']}, threads = {result['machine']['cores']}: {gemm}")
        print(
            f"  embedding rate / best matmul rate: {r['embed_gflops']:.0f} / "
            f"{r['gemm_best']:.0f} = {r['gemm_ratio']:.2f}"
        )
    add = result.get("add")
    if add:
        rep = add["report"]
        print(
            f"\nadding {add['added']} articles to an index of the other {add['rest']}: "
            f"{rep['articles']['added']} added, {rep['chunks']['embedded']} chunks embedded "
            f"(a rebuild embeds {add['all_chunks']}), {add['update_s']:.1f} s "
            f"({add['update_cpu_s']:.1f} CPU s; embedding {rep['embed_seconds']:.1f} s), "
            f"model loaded beforehand"
        )
    for r in result.get("scales", []):
        print(
            f"scale {r['scale']}×: {r['articles']} articles, {r['chunks']} chunks, build "
            f"{r['build_s']:.1f} s (finding syndicated copies {r['match_s']:.2f} s), peak RSS "
            f"{r['peak_rss_mb']:,.0f} MB (batches of {r['batch_articles']} articles)"
        )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="MultiHop-RAG corpus.json")
    p.add_argument("--limit", type=int, help="only the first N articles (a quick run)")
    p.add_argument("--precision", default="auto", choices=["auto", "fp32", "bf16"])
    p.add_argument("--all", action="store_true", help="newsqa rows for both auto and fp32")
    p.add_argument("--skip-textbook", action="store_true")
    p.add_argument(
        "--scale",
        type=int,
        default=0,
        help="also rebuild 1× and N× copies of the articles (disguised so they are neither "
        "duplicates nor syndicated copies) and print their peak RSS",
    )
    p.add_argument(
        "--batch-articles", type=int, help="articles per batch of the newsqa build (default 200)"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object instead")
    p.add_argument(
        "--only",
        choices=["newsqa", "newsqa-scale", "textbook", "update"],
        help=argparse.SUPPRESS,
    )
    p.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.batch_articles:
        os.environ["NEWSQA_BENCH_BATCH_ARTICLES"] = str(args.batch_articles)  # for the children

    if args.only:  # a child: the corpus is already the (limited) copy
        runs = {
            "newsqa": lambda: run_newsqa(args.corpus, args.dir, args.precision),
            "newsqa-scale": lambda: run_newsqa(
                args.corpus, args.dir, args.precision, count_flops=False
            ),
            "textbook": lambda: run_textbook(args.corpus, args.dir),
            "update": lambda: run_update(args.corpus, args.dir, args.precision),
        }
        print(json.dumps(runs[args.only]()))
        return

    if not args.corpus.is_file():
        print(
            f"No corpus at {args.corpus}. It is MultiHop-RAG's corpus.json, from github "
            "yixuantt/MultiHop-RAG (ODC-BY 1.0); put it there or pass --corpus PATH.",
            file=sys.stderr,
        )
        sys.exit(2)
    records = json.loads(args.corpus.read_text(encoding="utf-8"))[: args.limit]

    def log(msg: str) -> None:
        if not args.json:
            print(msg, file=sys.stderr)

    with tempfile.TemporaryDirectory(prefix="newsqa-bench-") as tmp:
        corpus = Path(tmp) / "corpus" / "corpus.json"  # a copy we may edit in place later
        corpus.parent.mkdir()
        corpus.write_text(json.dumps(records), encoding="utf-8")
        c = ["--corpus", str(corpus)]
        precisions = list(dict.fromkeys([args.precision, "fp32"] if args.all else [args.precision]))
        builds = []
        for prec in precisions:
            log(f"newsqa ({prec}) …")
            builds.append(
                _child("--only", "newsqa", *c, "--precision", prec, "--dir", f"{tmp}/{prec}")
            )
        if not args.skip_textbook:
            log("textbook LangChain pipeline …")
            builds.append(_child("--only", "textbook", *c, "--dir", f"{tmp}/textbook"))
        for r in builds:
            r["articles_per_s"] = r["articles"] / r["build_s"]
            r["chunks_per_s"] = r["chunks"] / r["build_s"]
            r["chars_per_s"] = r["chunks_per_s"] * r["mean_chunk_chars"]
            r["embed_pct"] = None if r["embed_share"] is None else 100 * r["embed_share"]

        # adding articles: drop the last ones from the index (no embedding), then add them back
        index_dir = f"{tmp}/{args.precision}"
        upd = ["--precision", args.precision, "--dir", index_dir]
        n_add = min(100, len(records) // 2)
        log(f"adding {n_add} articles …")
        corpus.write_text(json.dumps(records[: len(records) - n_add]), encoding="utf-8")
        _child("--only", "update", *c, *upd)
        corpus.write_text(json.dumps(records), encoding="utf-8")
        add = _child("--only", "update", *c, *upd)
        add |= {"added": n_add, "rest": len(records) - n_add, "all_chunks": builds[0]["chunks"]}

        # change one article in place (append a sentence), update, then update with no change
        changed = records[len(records) // 2]
        changed["body"] += "\n\nThis sentence was appended by the index build benchmark."
        corpus.write_text(json.dumps(records), encoding="utf-8")
        log("update after one change …")
        update = _child("--only", "update", *c, *upd)
        update["changed_title"] = changed["title"]
        log("update with nothing changed …")
        noop = _noop_update(Path(index_dir), corpus)
        scales = []
        if args.scale:
            log(f"peak memory at 1× and {args.scale}× …")
            originals = json.loads(args.corpus.read_text(encoding="utf-8"))[: args.limit]
            scales = scale_runs(originals, [1, args.scale], args.precision, Path(tmp))

    result: Row = {
        "date": date.today().isoformat(),
        "corpus": str(args.corpus),
        "articles": len(records),
        "machine": _machine(),
        "builds": builds,
        "add": add,
        "update": update,
        "noop": noop,
        "scales": scales,
    }
    if not args.skip_textbook:
        ours, book = builds[0], builds[-1]
        result["ratios"] = {
            f"speed-up, build s (textbook / {ours['pipeline']})": book["build_s"] / ours["build_s"],
            "speed-up, build CPU s": book["build_cpu_s"] / ours["build_cpu_s"],
            "speed-up, cold process s": book["process_s"] / ours["process_s"],
            "chunks/s ratio (newsqa / textbook)": ours["chunks_per_s"] / book["chunks_per_s"],
            "embedded chars/s ratio (newsqa / textbook)": ours["chars_per_s"] / book["chars_per_s"],
        }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_table(result)
        print_extra(result)


if __name__ == "__main__":
    main()
