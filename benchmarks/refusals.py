"""Short questions over the default corpus that its articles do or do not answer: how many of
the unanswerable ones the offline answerer declines, and how many answerable ones it declines
wrongly. MultiHop-RAG's questions are long and few are null, so refusals of short questions have
their own small set, `benchmarks/data/refusals.json` (hand-written; see its "about").

    .venv/bin/python benchmarks/refusals.py --index INDEX [--verbose]

INDEX: an index of corpus/ (or the MultiHop-RAG evaluation index: the same articles).

Figures: ref-null, the share of unanswerable questions declined; f-ref, the share of answerable
ones declined; --verbose lists the questions on the wrong side with the answer's first line (or
the refusal's notes).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

QUESTIONS = Path(__file__).resolve().parent / "data" / "refusals.json"


def run(index: Path, questions: list[dict[str, Any]], verbose: bool) -> dict[str, Any]:
    from newsqa import NewsQA, Settings

    qa = NewsQA(Settings(index_dir=index))
    if not qa.stats().exists:
        sys.exit(f"no index in {index}")
    wrong: list[dict[str, Any]] = []
    declined = {True: 0, False: 0}
    for q in questions:
        answer = qa.ask(q["question"])
        declined[q["answerable"]] += answer.declined
        if answer.declined == q["answerable"]:
            said = " ".join(answer.notes) if answer.declined else answer.text.splitlines()[0]
            wrong.append({"question": q["question"], "declined": answer.declined, "said": said})
            if verbose:
                mark = "declined" if answer.declined else "answered"
                print(f"{mark} {q['question']}\n         {said[:140]}", file=sys.stderr)
    n = {a: sum(q["answerable"] == a for q in questions) for a in (True, False)}
    return {
        "n_null": n[False],
        "n_answerable": n[True],
        "refusal_rate_null": round(declined[False] / max(n[False], 1), 3),
        "false_refusal_rate": round(declined[True] / max(n[True], 1), 3),
        "wrong": wrong,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--verbose", action="store_true", help="the questions answered wrongly")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    questions = json.loads(args.questions.read_text(encoding="utf-8"))["questions"]
    result = run(args.index, questions, args.verbose)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{'n null':>7s} {'n ans':>6s} {'ref-null':>8s} {'f-ref':>6s}")
    print(
        f"{result['n_null']:7d} {result['n_answerable']:6d} "
        f"{result['refusal_rate_null']:8.3f} {result['false_refusal_rate']:6.3f}"
    )


if __name__ == "__main__":
    main()
