"""`newsqa eval retrieval`: the benchmark's metrics pinned on hand-made cases, then the command
run through Typer's runner on a tiny corpus with the real model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from newsqa.evaluation import evaluate_retrieval, index_for_corpus, load_queries
from newsqa.evaluation.cli import eval_app
from newsqa.evaluation.metrics import (
    METRIC_KEYS,
    aggregate,
    is_null_query,
    normalise,
    percentile,
    score_query,
)
from newsqa.evaluation.retrieval import corpus_key
from newsqa.facade import NewsQA
from newsqa.indexing.embeddings import resolve_precision
from newsqa.settings import Settings

KEYS = {*METRIC_KEYS, "n"}
FILL = "nothing relevant here"


def ranked(**at: str) -> list[str]:
    """Ten chunk texts, with the given text at rank rN (1-based) and filler elsewhere."""
    chunks = [f"{FILL} {i}" for i in range(1, 11)]
    for name, text in at.items():
        chunks[int(name[1:]) - 1] = text
    return chunks


# -- metrics ------------------------------------------------------------------------------------
def test_facts_found_at_ranks_two_and_five() -> None:
    s = score_query(ranked(r2="x Fact one. y", r5="Fact two."), ["Fact one.", "Fact two."])
    assert (s.hits_at_1, s.hits_at_4, s.hits_at_10) == (0.0, 1.0, 1.0)
    assert s.rr_at_10 == 0.5
    assert s.ap_at_10 == pytest.approx((1 / 2 + 1 / 5) / 2)
    assert (s.fact_recall_at_10, s.all_facts_at_10) == (1.0, 1.0)


def test_one_chunk_with_two_facts_and_a_fact_missing() -> None:
    s = score_query(ranked(r3="A. B."), ["A.", "B.", "C."])
    assert s.hits_at_1 == 0.0 and s.hits_at_4 == 1.0 and s.rr_at_10 == pytest.approx(1 / 3)
    assert s.ap_at_10 == pytest.approx((2 / 3) / 3)
    assert s.fact_recall_at_10 == pytest.approx(2 / 3) and s.all_facts_at_10 == 0.0


def test_a_fact_found_again_adds_nothing_to_ap() -> None:
    s = score_query(ranked(r1="A.", r3="A. again"), ["A.", "B."])
    assert s.hits_at_1 == 1.0 and s.rr_at_10 == 1.0
    assert s.ap_at_10 == pytest.approx(1 / 2)  # rank 3 is relevant but finds no new fact


def test_spaces_and_newlines_are_ignored_but_not_tabs() -> None:
    assert normalise(" a b\nc\n ") == "abc"
    assert normalise("a\tb\r\xa0") == "a\tb\r\xa0"  # exactly what the benchmark strips
    s = score_query(ranked(r1="The quick\n\nbrownfox  jumps"), ["quick brown\nfox"])
    assert s.hits_at_1 == 1.0
    tab = score_query(ranked(r1="quick brown"), ["quick\tbrown"])
    assert tab.hits_at_10 == 0.0


def test_matching_is_case_sensitive() -> None:
    assert score_query(ranked(r1="the fox ran"), ["The fox ran"]).hits_at_10 == 0.0


def test_a_fact_split_across_chunks_is_not_found() -> None:
    s = score_query(ranked(r1="the first half,", r2="and the second half."), ["half, and the"])
    assert s.hits_at_10 == 0.0 and s.fact_recall_at_10 == 0.0


def test_ranks_after_ten_are_ignored() -> None:
    eleven = [*ranked(), "A."]
    s = score_query(eleven, ["A."])
    assert s.values() == (0.0,) * 7
    assert score_query(["A."], ["A."]).hits_at_1 == 1.0  # fewer than ten chunks is fine


def test_ap_divides_by_at_most_ten_facts_like_the_original() -> None:
    facts = [f"fact {i}." for i in range(12)]
    s = score_query(["".join(facts)], facts)
    assert s.ap_at_10 == pytest.approx(12 / 10)  # upstream's quirk, kept for comparability


def test_null_queries_are_recognised_and_cannot_be_scored() -> None:
    assert is_null_query({"question_type": "null_query", "evidence_list": []})
    assert is_null_query({"question_type": "x", "evidence_list": []})
    assert is_null_query({"evidence_list": [{"fact": "a"}], "answer": "Insufficient information."})
    assert not is_null_query({"question_type": "x", "evidence_list": [{"fact": "a"}]})
    with pytest.raises(ValueError):
        score_query(["a"], [])


def test_aggregate_overall_and_by_type() -> None:
    hit, miss = score_query(["A."], ["A."]), score_query(["B."], ["A."])
    overall, by_type = aggregate([("t2", hit), ("t1", miss), ("t2", miss)])
    assert overall["n"] == 3 and overall["hits@1"] == pytest.approx(1 / 3)
    assert list(by_type) == ["t1", "t2"]
    assert by_type["t2"]["mrr@10"] == 0.5 and by_type["t2"]["n"] == 2
    assert set(overall) == KEYS and by_type["t1"]["all_facts@10"] == 0.0


def test_percentile_interpolates() -> None:
    assert percentile([], 50) == 0.0
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert percentile([0.0, 10.0], 95) == pytest.approx(9.5)


# -- queries files ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"query": "x"}', "JSON list"),
        ('[{"question_type": "t", "evidence_list": []}]', "'query'"),
        ('[{"query": "q", "question_type": "t"}]', "'evidence_list'"),
        ('[{"query": "q", "evidence_list": [{"title": "no fact"}]}]', "'fact'"),
    ],
)
def test_malformed_queries_are_refused(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "q.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_queries(path)


# -- end to end on a tiny corpus ----------------------------------------------------------------
ARTICLES = [
    (
        "Valdria harbour reopens after dredging",
        "Harbour Times",
        "The fictional port of Valdria reopened its harbour on Monday after six weeks of "
        "dredging. Container ships queued outside the breakwater overnight. The port authority "
        "said the channel is now fourteen metres deep.",
    ),
    (
        "Glacier railway resumes service",
        "Alpine Wire",
        "Trains on the Glacier railway are running again after avalanche repairs. Engineers "
        "rebuilt two hundred metres of track near the Kessel pass. Tickets sold out within an "
        "hour of the announcement.",
    ),
    (
        "City council approves night buses",
        "Metro Ledger",
        "The council voted nine to four for a network of night buses. The first routes start in "
        "June and run every thirty minutes. Unions welcomed the decision.",
    ),
]

QUERIES: list[dict[str, Any]] = [
    {
        "query": "How deep is the Valdria harbour channel after dredging?",
        "question_type": "inference_query",
        "answer": "fourteen metres",
        "evidence_list": [{"fact": "The port authority said the channel is now fourteen metres"}],
    },
    {
        "query": "Which railway resumed service after avalanche repairs near Kessel pass?",
        "question_type": "comparison_query",
        "answer": "Glacier railway",
        "evidence_list": [{"fact": "Engineers rebuilt two hundred metres of track"}],
    },
    {
        "query": "What did the lighthouse keeper say?",
        "question_type": "comparison_query",
        "answer": "storms",
        "evidence_list": [{"fact": "She said she would miss the storms."}],  # in no article
    },
    {
        "query": "Who won the chess tournament?",
        "question_type": "null_query",
        "answer": "Insufficient information.",
        "evidence_list": [],
    },
]


@pytest.fixture
def bench(tmp_path: Path) -> tuple[Path, Path]:
    """A MultiHop-RAG shaped corpus file and queries file."""
    corpus = tmp_path / "bench" / "corpus.json"
    corpus.parent.mkdir()
    records = [
        {"title": t, "source": s, "body": b, "published_at": f"2023-11-0{i}T10:00:00+00:00"}
        for i, (t, s, b) in enumerate(ARTICLES, 1)
    ]
    corpus.write_text(json.dumps(records), encoding="utf-8")
    queries = tmp_path / "bench" / "queries.json"
    queries.write_text(json.dumps(QUERIES), encoding="utf-8")
    return corpus, queries


@pytest.fixture
def small(tmp_path: Path) -> Settings:
    return Settings(index_dir=tmp_path / "index", chunk_size=48, chunk_overlap=0)


def check_scores(report: dict[str, Any]) -> None:
    assert set(report) == {"overall", "by_type", "latency_ms"}
    assert set(report["latency_ms"]) == {"p50", "p95"}
    overall, by_type = report["overall"], report["by_type"]
    assert set(overall) == KEYS and overall["n"] == 3  # the null query is skipped
    assert set(by_type) == {"comparison_query", "inference_query"}
    assert all(set(m) == KEYS for m in by_type.values())
    assert by_type["inference_query"]["hits@1"] == 1.0
    assert by_type["comparison_query"]["n"] == 2
    assert by_type["comparison_query"]["hits@10"] == 0.5  # one fact is in no article
    assert overall["fact_recall@10"] == pytest.approx(2 / 3)
    assert 0 < report["latency_ms"]["p50"] <= report["latency_ms"]["p95"]


def test_index_for_corpus_is_cached_and_keyed(
    bench: tuple[Path, Path], small: Settings, tmp_path: Path, real_embedder: Any
) -> None:
    corpus, queries = bench
    cache = tmp_path / "cache"
    qa = index_for_corpus(corpus, small, cache_dir=cache, embedder=real_embedder)
    with qa:
        report = evaluate_retrieval(qa, load_queries(queries))
    check_scores(report.to_dict())
    assert report.skipped == 1
    assert not small.index_dir.exists()  # the configured index is left alone
    (folder,) = cache.iterdir()
    generation = (folder / "index" / "CURRENT").read_text()
    again = index_for_corpus(corpus, small, cache_dir=cache, embedder=real_embedder)
    assert again.index.exists() and (folder / "index" / "CURRENT").read_text() == generation
    again.close()
    # another chunk size, or other corpus bytes, get their own index
    assert corpus_key(corpus, small.replace(chunk_size=64)) != folder.name
    # the precision is keyed as it resolves on this machine: `auto` is fp32 or bf16 here
    here = resolve_precision("auto")
    auto, resolved = small.replace(precision="auto"), small.replace(precision=here)
    assert corpus_key(corpus, auto) == corpus_key(corpus, resolved)
    other = "fp32" if here == "bf16" else "bf16"
    assert corpus_key(corpus, small.replace(precision=other)) != corpus_key(corpus, auto)
    copy = tmp_path / "copy" / "corpus.json"
    copy.parent.mkdir()
    copy.write_bytes(corpus.read_bytes())
    assert corpus_key(copy, small) == folder.name  # keyed by content, not by location
    copy.write_bytes(corpus.read_bytes() + b"\n")
    assert corpus_key(copy, small) != folder.name
    assert corpus_key(corpus.parent, small) != corpus_key(copy.parent, small)


runner = CliRunner()


def invoke(settings: Settings, *args: str) -> Any:
    """Run `eval` the way the main CLI mounts it, with `settings` as the context object."""
    app = typer.Typer()
    app.add_typer(eval_app, name="eval")
    return runner.invoke(app, ["eval", *args], obj=settings)


@pytest.mark.parametrize("as_json", [True, False])
def test_command_on_a_corpus(
    bench: tuple[Path, Path], small: Settings, tmp_path: Path, as_json: bool
) -> None:
    corpus, queries = bench
    args = ["retrieval", "--queries", str(queries), "--corpus", str(corpus)]
    args += ["--cache-dir", str(tmp_path / "cache"), *(["--json"] if as_json else [])]
    result = invoke(small, *args)
    assert result.exit_code == 0, result.output
    if as_json:
        check_scores(json.loads(result.stdout))
    else:
        lines = result.stdout.splitlines()
        assert lines[0].split() == [
            *("Hits@1", "Hits@4", "Hits@10", "MRR@10", "MAP@10"),
            *("Fact", "recall@10", "All", "facts@10", "n"),
        ]
        rows = {line.split()[0]: line.split() for line in lines[2:5]}
        assert rows["overall"][-1] == "3" and rows["comparison_query"][3] == "0.5000"
        assert "latency per search: p50" in result.stdout
        assert "null queries skipped: 1" in result.stdout
    assert not small.index_dir.exists() and len(list((tmp_path / "cache").iterdir())) == 1


def test_command_on_the_configured_index(
    bench: tuple[Path, Path], small: Settings, real_embedder: Any
) -> None:
    corpus, queries = bench
    missing = invoke(small, "retrieval", "--queries", str(queries))
    assert missing.exit_code == 1 and "newsqa index update" in missing.output
    assert "Traceback" not in missing.output
    with NewsQA(small, embedder=real_embedder) as qa:
        qa.update([corpus])
    result = invoke(small, "retrieval", "--queries", str(queries), "--json")
    assert result.exit_code == 0, result.output
    check_scores(json.loads(result.stdout))


def test_command_refuses_a_malformed_queries_file(small: Settings, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"query": "not a list"}', encoding="utf-8")
    result = invoke(small, "retrieval", "--queries", str(bad))
    assert result.exit_code == 1 and "JSON list" in result.output
    assert "Traceback" not in result.output
    # with --json the failure is JSON too
    for content, message in (
        ("{not json", "is not valid JSON"),
        ('[{"query": "Who?", "question_type": "inference_query"}]', "'evidence_list' must be"),
    ):
        bad.write_text(content, encoding="utf-8")
        result = invoke(small, "retrieval", "--queries", str(bad), "--json")
        assert result.exit_code == 1 and message in json.loads(result.stdout)["error"]


def test_registered_in_the_main_cli() -> None:
    from newsqa.cli import app

    names = {group.name for group in app.registered_groups}
    if "eval" not in names:
        pytest.skip("`eval` is not registered in newsqa.cli yet")
    result = runner.invoke(app, ["eval", "retrieval", "--help"])
    assert result.exit_code == 0 and "--queries" in result.output
