"""Shared fixtures. Every test runs in its own temporary working directory with no NEWSQA_*
variables set, so nothing touches a user's corpus or index, and nothing reaches the network."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from newsqa import NewsQA
from newsqa.indexing.embeddings import SentenceTransformerEmbedder
from newsqa.settings import ENV_VARS, Settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
MULTIHOP = SHARED / "benchmarks" / "multihop-rag"


def need_multihop() -> Path:
    """The MultiHop-RAG folder, or a skip that says where to get it."""
    if not (MULTIHOP / "corpus.json").exists():
        pytest.skip(
            f"MultiHop-RAG data not found at {MULTIHOP}: put corpus.json and queries-dev.json "
            "from github yixuantt/MultiHop-RAG (ODC-BY 1.0) there"
        )
    return MULTIHOP


def imported_after(code: str, modules: Sequence[str]) -> list[str]:
    """Which of `modules` a fresh interpreter has imported after running `code`."""
    probe = f"{code}\nimport sys; print([m for m in {list(modules)!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return list(ast.literal_eval(out.stdout.strip().splitlines()[-1]))


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ENV_VARS.values():
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def real_embedder() -> SentenceTransformerEmbedder:
    """The packaged all-MiniLM-L6-v2, loaded once for the whole run."""
    embedder = SentenceTransformerEmbedder()
    embedder.embed(["warm up"])
    return embedder


class CountingEmbedder:
    """The real model, wrapped to count what it embeds and, when asked, to stop partway through a
    run the way a crash or Ctrl-C would (the one thing a real model cannot be told to do)."""

    def __init__(self, inner: SentenceTransformerEmbedder, *, fail_after_calls: int = -1) -> None:
        self.inner = inner
        self.name = inner.name
        self.precision = inner.precision
        self.calls = 0
        self.texts = 0
        self.fail_after_calls = fail_after_calls

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if self.fail_after_calls >= 0 and self.calls >= self.fail_after_calls:
            raise KeyboardInterrupt("interrupted by the test")
        self.calls += 1
        self.texts += len(texts)
        return self.inner.embed(texts)


class HeldEmbedder(CountingEmbedder):
    """The real model, wrapped so a background update stops before its `before_call`-th call to
    embed until the test lets it go: by default it embeds nothing (a first build on a loaded
    machine, before its first commit); with 2, "midway" (a real build of a big corpus is slow;
    this makes it deterministic). `thread` names the thread held ("AnyIO worker thread": the
    update of a page's handler)."""

    def __init__(
        self,
        inner: SentenceTransformerEmbedder,
        *,
        before_call: int = 1,
        thread: str = "newsqa-indexing",
    ) -> None:
        super().__init__(inner)
        self.before_call = before_call
        self.thread = thread
        self.held = threading.Event()
        self.go_on = threading.Event()
        self.indexing_calls = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if threading.current_thread().name == self.thread:
            self.indexing_calls += 1
            if self.indexing_calls >= self.before_call:
                self.held.set()
                assert self.go_on.wait(60)
        return super().embed(texts)


@contextmanager
def page_during_first_build(
    settings: Settings, real_embedder: SentenceTransformerEmbedder
) -> Iterator[tuple[NewsQA, Any]]:
    """The page of a NewsQA whose first build is under way and has committed nothing yet (its
    embedder held), served on a free port; the build let go and everything closed after."""
    from newsqa.web import build_page

    embedder = HeldEmbedder(real_embedder)
    qa = NewsQA(settings, embedder=embedder)
    job = qa.update_in_background()
    blocks = None
    try:
        assert embedder.held.wait(60)
        blocks = build_page(qa)
        blocks.launch(
            server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True
        )
        yield qa, blocks
    finally:
        embedder.go_on.set()
        job.wait(60)
        if blocks is not None:
            blocks.close()
        qa.close()


@pytest.fixture
def counting(real_embedder: SentenceTransformerEmbedder) -> CountingEmbedder:
    return CountingEmbedder(real_embedder)


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    """A private copy of the fictional fixture corpus, free to edit."""
    dest = tmp_path / "corpus"
    shutil.copytree(FIXTURES / "corpus", dest)
    return dest


@pytest.fixture
def settings(tmp_path: Path, corpus_dir: Path) -> Settings:
    """Small chunks so the short fixture articles span several of them."""
    return Settings(
        corpus_dir=corpus_dir, index_dir=tmp_path / "index", chunk_size=64, chunk_overlap=8
    )
