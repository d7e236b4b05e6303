"""'How much' and 'when' questions: does the offline answer give the figure or the date asked for,
and does it lead with it? MultiHop-RAG asks almost none of these, so they have their own small
set, `benchmarks/data/how-much-and-when.json` (hand-written over the same corpus; see its "about").

    .venv/bin/python benchmarks/answer_forms.py --index ~/.cache/newsqa/eval/corpus-*/index

Figures, per form (number, date) and overall:
- retrieved: the expected figure is in one of the passages the answerer read (its ceiling);
- answered: the answer's text holds it;
- first: the answer's first sentence holds it (the answer leads with what was asked);
- declined: answers that declined.
The index is the MultiHop-RAG corpus's (the one `newsqa eval retrieval --corpus …/corpus.json`
keeps, or any index of those articles, such as `index/` built from the default `corpus/`).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

QUESTIONS = Path(__file__).resolve().parent / "data" / "how-much-and-when.json"


def holds(text: str, expect: list[str]) -> bool:
    return any(e in text for e in expect)


def run(index: Path, questions: list[dict[str, Any]], verbose: bool) -> dict[str, Any]:
    from newsqa import NewsQA, Settings

    qa = NewsQA(Settings(index_dir=index))
    if not qa.stats().exists:
        sys.exit(f"no index in {index}")
    qa.ask(questions[0]["question"])  # warm up: model and tables loaded
    rows: dict[str, list[dict[str, float]]] = defaultdict(list)
    latencies = []
    for q in questions:
        start = time.perf_counter()
        answer = qa.ask(q["question"])
        latencies.append(time.perf_counter() - start)
        first = answer.citations[0].passage if answer.citations else ""
        row = {
            "retrieved": float(any(holds(h.text, q["expect"]) for h in answer.retrieved)),
            "answered": float(holds(answer.text, q["expect"])),
            "first": float(holds(first, q["expect"])),
            "declined": float(answer.declined),
        }
        rows[q["form"]].append(row)  # "number": how much or how many
        rows["overall"].append(row)
        if verbose:
            mark = "first" if row["first"] else "in" if row["answered"] else "--"
            print(f"{mark:5s} {q['question']}\n      {first[:140]}", file=sys.stderr)
    out: dict[str, Any] = {
        name: {"n": len(r), **{k: round(statistics.mean(x[k] for x in r), 3) for k in r[0]}}
        for name, r in rows.items()
    }
    out["latency_ms_p50"] = round(1000 * statistics.median(latencies), 1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--verbose", action="store_true", help="each question's first sentence")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    questions = json.loads(args.questions.read_text(encoding="utf-8"))["questions"]
    result = run(args.index, questions, args.verbose)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{'':10s} {'n':>4s} {'retrieved':>9s} {'answered':>9s} {'first':>6s} {'declined':>9s}")
    for name in ("overall", "number", "date"):
        f = result.get(name)
        if f:
            print(
                f"{name:10s} {f['n']:4d} {f['retrieved']:9.3f} {f['answered']:9.3f} "
                f"{f['first']:6.3f} {f['declined']:9.3f}"
            )
    print(f"latency ms: p50 {result['latency_ms_p50']}")


if __name__ == "__main__":
    main()
