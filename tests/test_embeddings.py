"""The embedding backends: the plain-torch BERT encoder and its numpy twin must give the vectors
sentence-transformers gives for the same model folder, and anything they cannot run must go to
sentence-transformers (or fail clearly when the torch backend was asked for by name)."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import imported_after

from newsqa import NewsQA, Settings
from newsqa.indexing.bert import BertSentenceEncoder, NumpyBertEncoder, plain_bert_problem
from newsqa.indexing.embeddings import (
    SMALL_CALL,
    SentenceTransformerEmbedder,
    building_index,
    resolve_model,
)

TEXTS = [
    "Solar Drift Ltd · The Harbour Gazette · 2023-10-02\nThe ferry operator said on Monday "
    "that it would cut 120 jobs after a fall in winter bookings.",
    "  Who reported the ferry job cuts first?  ",
    "Ünïcödé — “quotes”, naïve café in 東京",
    "a",
    "word " * 400,  # longer than the model's window: truncated the same way
]


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_torch_backend_matches_sentence_transformers(precision: str) -> None:
    import torch
    from sentence_transformers import SentenceTransformer

    path = resolve_model("all-MiniLM-L6-v2")
    assert plain_bert_problem(path) is None
    dtype = torch.bfloat16 if precision == "bf16" else torch.float32
    reference = SentenceTransformer(
        path, device="cpu", model_kwargs={"torch_dtype": dtype} if precision == "bf16" else {}
    )
    mine = BertSentenceEncoder(path, dtype=dtype)
    assert (
        mine.token_ids(TEXTS)
        == reference.tokenizer([t.strip() for t in TEXTS], truncation=True, max_length=256)[
            "input_ids"
        ]
    )
    expected = _unit(reference.encode(TEXTS, batch_size=len(TEXTS), convert_to_numpy=True))
    got = _unit(mine.encode(TEXTS))
    cosine = (expected * got).sum(axis=1)
    # fp32 is the same arithmetic; bf16 differs in rounding (pooling here is done in fp32)
    assert cosine.min() > (0.99999 if precision == "fp32" else 0.9995)


def test_bf16_fused_linear_agrees_with_the_plain_ops() -> None:
    """In bf16 the linear layers run through oneDNN with the bias and GELU inside the multiply
    (where this torch has it): the vectors are those of F.linear + F.gelu, to bf16's rounding."""
    import torch

    engine = BertSentenceEncoder(resolve_model("all-MiniLM-L6-v2"), dtype=torch.bfloat16)
    if engine._fused is None:
        pytest.skip("this torch has no oneDNN fused linear: the plain ops run")
    fused = _unit(engine.encode(TEXTS))
    engine._fused = None
    plain = _unit(engine.encode(TEXTS))
    assert (fused * plain).sum(axis=1).min() > 0.9998


def test_numpy_engine_matches_torch() -> None:
    path = resolve_model("all-MiniLM-L6-v2")
    torch_engine, numpy_engine = BertSentenceEncoder(path), NumpyBertEncoder(path)
    assert numpy_engine.token_ids(TEXTS) == torch_engine.token_ids(TEXTS)
    expected, got = _unit(torch_engine.encode(TEXTS)), _unit(numpy_engine.encode(TEXTS))
    assert (expected * got).sum(axis=1).min() > 0.99999
    assert np.abs(expected - got).max() < 1e-5


def test_small_calls_run_in_numpy_and_agree_with_large_ones() -> None:
    auto = SentenceTransformerEmbedder(precision="fp32", backend="auto", workers=2)
    assert auto._small() is not None  # the default model in fp32: small calls go to numpy
    small = auto.embed(TEXTS)
    many = TEXTS * (SMALL_CALL // len(TEXTS) + 1)  # more than a small call: torch
    large = auto.embed(many)[: len(TEXTS)]
    assert (small * large).sum(axis=1).min() > 0.99999
    # bf16 and an explicitly named backend always run torch
    assert SentenceTransformerEmbedder(precision="bf16")._small() is None
    assert SentenceTransformerEmbedder(precision="fp32", backend="torch")._small() is None


def test_embedder_backends_agree_and_batching_does_not_matter() -> None:
    torch_backend = SentenceTransformerEmbedder(precision="fp32", backend="torch", workers=2)
    st_backend = SentenceTransformerEmbedder(
        precision="fp32", backend="sentence-transformers", workers=1
    )
    a, b = torch_backend.embed(TEXTS), st_backend.embed(TEXTS)
    assert a.shape == (len(TEXTS), 384)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    assert (a * b).sum(axis=1).min() > 0.99999
    # one text at a time gives the same vectors as the batched, two-worker call
    alone = np.vstack([torch_backend.embed([t]) for t in TEXTS])
    assert (alone * a).sum(axis=1).min() > 0.99999


def _max_pooled_copy(tmp_path: Path) -> Path:
    """The packaged model folder with max pooling: a model sentence-transformers runs and the
    plain-torch encoder does not."""
    folder = tmp_path / "max-pooled"
    shutil.copytree(resolve_model("all-MiniLM-L6-v2"), folder)
    pooling = folder / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text())
    config["pooling_mode_mean_tokens"] = False
    config["pooling_mode_max_tokens"] = True
    pooling.write_text(json.dumps(config))
    return folder


def test_other_models_go_through_sentence_transformers(tmp_path: Path) -> None:
    folder = _max_pooled_copy(tmp_path)
    assert "pooling" in (plain_bert_problem(folder) or "")
    auto = SentenceTransformerEmbedder(str(folder), precision="fp32", backend="auto")
    vectors = auto.embed(TEXTS[:2])
    assert vectors.shape == (2, 384)
    assert "sentence_transformers" in sys.modules
    forced = SentenceTransformerEmbedder(str(folder), precision="fp32", backend="torch")
    with pytest.raises(RuntimeError, match=r"plain torch backend.*pooling"):
        forced.embed(["anything"])
    with pytest.raises(ValueError, match="embedding backend"):
        SentenceTransformerEmbedder(backend="onnx")


def test_backend_setting_is_validated_and_read_from_the_environment() -> None:
    assert Settings.from_env({"NEWSQA_EMBEDDING_BACKEND": "torch"}).embedding_backend == "torch"
    with pytest.raises(ValueError, match="embedding_backend"):
        Settings(embedding_backend="onnx")  # type: ignore[arg-type]


def test_a_cold_answer_needs_neither_sentence_transformers_nor_torch(
    settings: Settings,
) -> None:
    """The default model answers a question in a fresh process without importing the heavy
    libraries that take most of a cold start (measured in benchmarks/latency.py): in fp32 the
    question and the answer's sentences are embedded in numpy, so not even torch is imported."""
    NewsQA(settings).update()
    code = (
        "from pathlib import Path; from newsqa import NewsQA, Settings;"
        f"qa = NewsQA(Settings(index_dir=Path({str(settings.index_dir)!r}), chunk_size=64,"
        " chunk_overlap=8, precision='fp32'));"
        "assert qa.ask('Who cut ferry jobs?').retrieved"
    )
    heavy = imported_after(code, ["sentence_transformers", "transformers", "sklearn", "torch"])
    assert heavy == []


def test_an_index_build_pads_its_batches_to_few_lengths_other_calls_are_not_padded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every new shape of batch kept torch and oneDNN memory and fragmented the heap, so a
    build's peak grew with the corpus (1.48 GB at 7.5k chunks, 2.44 GB at 38.5k). An index
    build pads each batch to a multiple of 32 tokens and to 4, 8, 16 or 32 rows; questions and
    answers' sentences are embedded as before."""
    seen: list[tuple[int, int]] = []
    forward = BertSentenceEncoder._forward

    def recording(self: BertSentenceEncoder, ids: object, mask: object) -> object:
        seen.append(tuple(ids.shape))  # type: ignore[attr-defined]
        return forward(self, ids, mask)

    monkeypatch.setattr(BertSentenceEncoder, "_forward", recording)
    embedder = SentenceTransformerEmbedder(precision="bf16", workers=2)
    rng = np.random.default_rng(3)
    texts = [" ".join(["harbour"] * int(n)) + " ferry" for n in rng.integers(3, 300, size=200)]
    with building_index():
        build = embedder.embed(texts)
        embedder.embed(texts[:3])  # a small call of a build's too
    assert len(seen) >= 8
    assert {length for _, length in seen} <= set(range(32, 257, 32))
    assert {rows for rows, _ in seen} <= {4, 8, 16, 32}
    seen.clear()
    other = embedder.embed(["Who reported the ferry job cuts first?", *texts])
    assert seen and any(length % 32 for _, length in seen)  # each batch its own longest
    assert (other[1:] * build).sum(axis=1).min() > 0.9995  # bf16's rounding apart
