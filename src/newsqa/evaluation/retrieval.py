"""Run a MultiHop-RAG style query file against a `NewsQA` and score what it retrieves.

`index_for_corpus` gives a benchmark corpus its own cached index, outside the user's `index/`, so
evaluating never touches the configured index and a second run costs nothing."""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsqa.evaluation.metrics import (
    DEPTH,
    QueryScore,
    aggregate,
    is_null_query,
    percentile,
    score_query,
)
from newsqa.settings import Settings

if TYPE_CHECKING:
    from newsqa.facade import NewsQA
    from newsqa.indexing import Embedder
    from newsqa.indexing.builder import Progress

__all__ = [
    "RetrievalReport",
    "corpus_key",
    "default_cache_dir",
    "evaluate_retrieval",
    "index_for_corpus",
    "load_queries",
]

Metrics = dict[str, float | int]
QueryProgress = Callable[[int, int], None]  # (queries done, queries to do)

_COMPLETE = "COMPLETE"  # written once a build has read the whole corpus; absent = resume it


@dataclass
class RetrievalReport:
    """Scores over all scored queries and per question type, and the search latency."""

    overall: Metrics
    by_type: dict[str, Metrics]
    latency_ms: dict[str, float]
    skipped: int = 0  # null queries, left out as the benchmark does
    k: int = DEPTH
    per_query: list[tuple[str, QueryScore]] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "overall": dict(self.overall),
            "by_type": {t: dict(m) for t, m in self.by_type.items()},
            "latency_ms": dict(self.latency_ms),
        }


def load_queries(path: Path | str) -> list[dict[str, Any]]:
    """The queries of a MultiHop-RAG file: a JSON list of {query, question_type, evidence_list:
    [{fact, ...}], answer}. Raises ValueError naming the first thing that is wrong."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is not valid JSON ({exc})") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path} is not UTF-8 text") from None
    if not isinstance(data, list):
        raise ValueError(f"{path} must hold a JSON list of queries, not a {type(data).__name__}")
    for i, item in enumerate(data):
        where = f"{path}, query {i}"
        if not isinstance(item, dict):
            raise ValueError(f"{where}: expected an object, got {type(item).__name__}")
        if not isinstance(item.get("query"), str) or not item["query"].strip():
            raise ValueError(f"{where}: 'query' must be a non-empty string")
        if not isinstance(item.get("question_type", ""), str):
            raise ValueError(f"{where}: 'question_type' must be a string")
        evidence = item.get("evidence_list")
        if not isinstance(evidence, list):
            raise ValueError(f"{where}: 'evidence_list' must be a list (empty for null queries)")
        for j, ev in enumerate(evidence):
            if not isinstance(ev, dict) or not isinstance(ev.get("fact"), str):
                raise ValueError(f"{where}: evidence {j} must be an object with a 'fact' string")
    return data


def evaluate_retrieval(
    qa: NewsQA,
    queries: Sequence[Mapping[str, Any]],
    *,
    k: int = DEPTH,
    progress: QueryProgress | None = None,
) -> RetrievalReport:
    """Search each non-null query for `k` passages and score their text against its gold facts.

    Latency is the wall time of each `qa.search` call after one untimed warm-up search, so it
    measures answering, not loading the model or opening the index."""
    if k < 1:
        raise ValueError(f"k must be at least 1, not {k}")
    scored = [q for q in queries if not is_null_query(q)]
    if scored:
        qa.search(str(scored[0]["query"]), k)
    results: list[tuple[str, QueryScore]] = []
    latencies: list[float] = []
    for done, q in enumerate(scored):
        start = time.perf_counter()
        hits = qa.search(str(q["query"]), k)
        latencies.append((time.perf_counter() - start) * 1000.0)
        facts = [str(ev["fact"]) for ev in q["evidence_list"]]
        results.append(
            (str(q.get("question_type") or "unknown"), score_query([h.text for h in hits], facts))
        )
        if progress is not None:
            progress(done + 1, len(scored))
    overall, by_type = aggregate(results)
    return RetrievalReport(
        overall=overall,
        by_type=by_type,
        latency_ms={"p50": percentile(latencies, 50), "p95": percentile(latencies, 95)},
        skipped=len(queries) - len(scored),
        k=k,
        per_query=results,
    )


def default_cache_dir() -> Path:
    return Path.home() / ".cache" / "newsqa" / "eval"


def _build_identity(settings: Settings) -> dict[str, str]:
    """Everything that changes what an index built from the same corpus would retrieve. The
    precision is keyed as it resolves here: `auto` on a bf16 CPU and on an fp32 one (a cache
    folder shared between machines) are two indexes, `auto` and `fp32` on this one are one."""
    from newsqa.indexing.embeddings import resolve_precision
    from newsqa.indexing.index import CHUNKER_VERSION, FORMAT_VERSION

    return {
        "format": FORMAT_VERSION,
        "chunker": CHUNKER_VERSION,
        "embedding_model": settings.embedding_model,
        "precision": resolve_precision(settings.precision),
        "chunk_size": str(settings.chunk_size),
        "chunk_overlap": str(settings.chunk_overlap),
        "tokenizer": settings.tokenizer,
        "syndication_threshold": repr(settings.syndication_threshold),
    }


def corpus_key(corpus: Path, settings: Settings) -> str:
    """A folder name for `corpus` under these settings: its name, then a hash of its bytes (all
    files under a folder, in sorted order, with their relative paths) and the build settings."""
    h = hashlib.sha256()
    for name, value in sorted(_build_identity(settings).items()):
        h.update(f"{name}={value}\n".encode())
    if corpus.is_file():
        files = [(corpus.name, corpus)]
    else:
        found = (p for p in corpus.rglob("*") if p.is_file())
        files = sorted((p.relative_to(corpus).as_posix(), p) for p in found)
    for rel, p in files:
        # length-prefixed so that no two different trees can feed the hash the same bytes
        h.update(f"{len(rel.encode())}:{rel}:{p.stat().st_size}:".encode())
        with open(p, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", corpus.stem or corpus.name).strip("-.") or "corpus"
    return f"{slug[:40]}-{h.hexdigest()[:16]}"


def index_for_corpus(
    corpus: Path,
    base_settings: Settings,
    *,
    cache_dir: Path | None = None,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
) -> NewsQA:
    """A `NewsQA` over its own index of `corpus` (any file or folder the loaders read), built
    in `cache_dir` the first time and reused as it is while the corpus and build settings stay
    the same. An interrupted build resumes; the user's configured index is never touched."""
    from newsqa.facade import NewsQA

    corpus = Path(corpus)
    if not corpus.exists():
        raise ValueError(f"No such file or folder: {corpus}")
    folder = (cache_dir or default_cache_dir()) / corpus_key(corpus, base_settings)
    # always the embedded store: the cache folder must hold the whole index
    settings = base_settings.replace(index_dir=folder / "index", corpus_dir=corpus, chroma_url="")
    qa = NewsQA(settings, embedder=embedder)
    marker = folder / _COMPLETE
    if marker.exists() and qa.index.exists():
        return qa
    report = qa.update([corpus], progress=progress)
    if report.articles_read == 0:
        qa.close()
        raise ValueError(f"No articles could be read from {corpus}")
    marker.write_text(json.dumps(report.to_dict(), indent=2) + "\n", encoding="utf-8")
    return qa
