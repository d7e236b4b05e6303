"""Answers on MultiHop-RAG's dev queries: the benchmark's own answer metric, plus citation figures
and refusals, for the offline answerer (or an LLM with --llm).

    .venv/bin/python benchmarks/answers.py                  # all 1,277 dev queries
    .venv/bin/python benchmarks/answers.py --limit 200      # a type-stratified sample
    .venv/bin/python benchmarks/answers.py --calibrate      # choose the refusal threshold
    .venv/bin/python benchmarks/answers.py --llm openai:MODEL@http://127.0.0.1:8080/v1

Figures (null = queries whose gold answer is "Insufficient information."):
- accuracy: the benchmark's lenient rule (lower-cased whitespace-split words of prediction and gold
  share a word); a refusal counts as the prediction "Insufficient information.";
- cites gold: answerable queries whose citations include a gold evidence article (URL or title);
- citation precision: citations whose passage is verbatim in its chunk at its offsets and which
  support the claims citing them (the claim is the passage, or half its content words are in it);
- facts quoted: per answerable query, the share of its gold evidence facts that a cited passage
  quotes (one holds the other, spaces ignored, or the passage holds 60 % of the fact's content
  words): whether the answer shows the evidence, not just its article;
- refusal rate on null queries; false-refusal rate on answerable ones; p50/p95 latency per answer.

Data: github yixuantt/MultiHop-RAG (ODC-BY 1.0), read from ../shared/benchmarks/multihop-rag/.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "benchmarks" / "multihop-rag"
NULL_ANSWER = "Insufficient information."


def load_queries(path: Path, limit: int | None, seed: int = 7) -> list[dict[str, Any]]:
    queries = json.loads(path.read_text(encoding="utf-8"))
    if not limit or limit >= len(queries):
        return queries
    by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for q in queries:
        by_type[q["question_type"]].append(q)
    rng = random.Random(seed)
    picked: list[dict[str, Any]] = []
    for items in by_type.values():
        share = round(limit * len(items) / len(queries))
        picked += rng.sample(items, min(share, len(items)))
    return picked


def lenient_correct(prediction: str, gold: str) -> bool:
    return bool(set(prediction.lower().split()) & set(gold.lower().split()))


def open_qa(args: argparse.Namespace) -> Any:
    from newsqa import NewsQA, Settings

    qa = NewsQA(Settings(index_dir=args.index))
    if not qa.stats().exists or args.update:
        print(f"indexing {args.corpus} into {args.index} …", file=sys.stderr)
        qa.update([args.corpus])
    return qa


def calibrate(qa: Any, queries: list[dict[str, Any]]) -> dict[str, Any]:
    """Best-sentence scores of null vs answerable queries, and the threshold that separates them
    best (largest refusal rate on null minus false-refusal rate on answerable)."""
    from newsqa.answering import EvidenceScorer, ExtractiveAnswerer

    answerer = ExtractiveAnswerer(EvidenceScorer(qa.index.embedder))
    scores: dict[bool, list[float]] = {True: [], False: []}
    for q in queries:
        hits = tuple(qa.search(q["query"], qa.settings.answer_passages))
        scores[q["answer"] == NULL_ANSWER].append(answerer.best_score(q["query"], hits))
    rows = []
    for t in [x / 100 for x in range(20, 81)]:
        refuse_null = sum(s < t for s in scores[True]) / max(len(scores[True]), 1)
        refuse_ok = sum(s < t for s in scores[False]) / max(len(scores[False]), 1)
        rows.append((refuse_null - refuse_ok, t, refuse_null, refuse_ok))
    j, best, refuse_null, refuse_ok = max(rows)
    return {
        "threshold": best,
        "refusal_rate_null": round(refuse_null, 4),
        "false_refusal_rate": round(refuse_ok, 4),
        "youden_j": round(j, 4),
        "n_null": len(scores[True]),
        "n_answerable": len(scores[False]),
        "median_score_null": round(statistics.median(scores[True]), 4) if scores[True] else None,
        "median_score_answerable": round(statistics.median(scores[False]), 4),
    }


def evaluate(qa: Any, queries: list[dict[str, Any]], llm: str | None) -> dict[str, Any]:
    from newsqa.answering.evidence import content_terms

    rows: list[dict[str, Any]] = []
    for q in queries:
        t0 = time.perf_counter()
        answer = qa.ask(q["query"], llm=llm)
        latency = time.perf_counter() - t0
        null = q["answer"] == NULL_ANSWER
        # the answer's notes ("Sources differ …", "Nothing quoted from …") are not scored: their
        # words would count under the lenient rule without answering anything
        said = "\n".join(line for line in answer.text.splitlines() if line not in answer.notes)
        prediction = NULL_ANSWER if answer.declined else said
        gold_urls = {e["url"] for e in q["evidence_list"]}
        gold_titles = {e["title"].strip() for e in q["evidence_list"]}
        cited = {(c.article.url, c.article.title.strip()) for c in answer.citations}
        precise = 0
        for c in answer.citations:
            verbatim = c.chunk_text[c.start : c.end] == c.passage and c.passage in c.chunk_text
            terms = set(content_terms(" ".join(c.claims)))
            supported = all(claim == c.passage or claim in c.passage for claim in c.claims) or (
                bool(terms) and len(terms & set(content_terms(c.passage))) / len(terms) >= 0.5
            )
            precise += verbatim and supported
        facts = [e["fact"] for e in q["evidence_list"]]
        passages = [c.passage for c in answer.citations]
        rows.append(
            {
                "type": q["question_type"],
                "facts_quoted": sum(quotes(passages, f) for f in facts) / len(facts)
                if facts
                else None,
                "null": null,
                "correct": lenient_correct(prediction, q["answer"]),
                "declined": answer.declined,
                "cites_gold": any(u in gold_urls or t in gold_titles for u, t in cited),
                "citations": len(answer.citations),
                "precise": precise,
                "latency": latency,
            }
        )
    return summarise(rows)


def quotes(passages: list[str], fact: str) -> bool:
    """Whether one of `passages` quotes `fact` (see the module's docstring)."""
    from newsqa.answering.evidence import content_terms

    flat = "".join(fact.split())
    terms = set(content_terms(fact))
    for passage in passages:
        p = "".join(passage.split())
        if p and (p in flat or flat in p):
            return True
        if terms and len(terms & set(content_terms(passage))) >= 0.6 * len(terms):
            return True
    return False


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    def figures(rs: list[dict[str, Any]]) -> dict[str, Any]:
        answerable = [r for r in rs if not r["null"]]
        nulls = [r for r in rs if r["null"]]
        n_cit = sum(r["citations"] for r in rs)
        return {
            "n": len(rs),
            "accuracy": round(sum(r["correct"] for r in rs) / max(len(rs), 1), 4),
            "cites_gold": round(sum(r["cites_gold"] for r in answerable) / len(answerable), 4)
            if answerable
            else None,
            "facts_quoted": round(sum(r["facts_quoted"] for r in answerable) / len(answerable), 4)
            if answerable
            else None,
            "citation_precision": round(sum(r["precise"] for r in rs) / n_cit, 4)
            if n_cit
            else None,
            "refusal_rate_null": round(sum(r["declined"] for r in nulls) / len(nulls), 4)
            if nulls
            else None,
            "false_refusal_rate": round(sum(r["declined"] for r in answerable) / len(answerable), 4)
            if answerable
            else None,
        }

    latencies = sorted(r["latency"] for r in rows)
    by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_type[r["type"]].append(r)
    return {
        "overall": figures(rows),
        "by_type": {t: figures(rs) for t, rs in sorted(by_type.items())},
        "latency_ms": {
            "p50": round(1000 * latencies[len(latencies) // 2], 1),
            "p95": round(1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))], 1),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=Path, default=DATA / "queries-dev.json")
    parser.add_argument("--corpus", type=Path, default=DATA / "corpus.json")
    parser.add_argument("--index", type=Path, default=Path.home() / ".cache" / "newsqa-bench")
    parser.add_argument("--update", action="store_true", help="update the index first")
    parser.add_argument("--limit", type=int, default=None, help="a stratified sample of N")
    parser.add_argument("--seed", type=int, default=7, help="which sample (default 7)")
    parser.add_argument("--llm", default=None, help="an LLM spec (default: offline answerer)")
    parser.add_argument("--calibrate", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not args.queries.exists() or not args.corpus.exists():
        sys.exit(
            f"MultiHop-RAG data not found in {DATA}: put corpus.json and queries-dev.json from "
            "github yixuantt/MultiHop-RAG (ODC-BY 1.0) there, or pass --queries/--corpus"
        )
    queries = load_queries(args.queries, args.limit, args.seed)
    qa = open_qa(args)
    result = calibrate(qa, queries) if args.calibrate else evaluate(qa, queries, args.llm)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    if args.calibrate:
        for key, value in result.items():
            print(f"{key:26s} {value}")
        return
    print(
        f"{'':22s} {'n':>5s} {'acc':>6s} {'gold':>6s} {'facts':>6s} {'prec':>6s} "
        f"{'ref-null':>8s} {'f-ref':>6s}"
    )
    for name, f in [("overall", result["overall"]), *result["by_type"].items()]:
        cells = [f["accuracy"], f["cites_gold"], f["facts_quoted"], f["citation_precision"]]
        cells += [f["refusal_rate_null"], f["false_refusal_rate"]]
        shown = " ".join(f"{c:6.3f}" if isinstance(c, float) else f"{'—':>6s}" for c in cells)
        print(f"{name:22s} {f['n']:5d} {shown}")
    print(f"latency ms: p50 {result['latency_ms']['p50']}, p95 {result['latency_ms']['p95']}")


if __name__ == "__main__":
    main()
