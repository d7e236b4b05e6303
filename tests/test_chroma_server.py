"""The client/server path: a real `chroma run` server on 127.0.0.1 holds the vectors."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import CountingEmbedder

from newsqa import NewsQA, Settings
from newsqa.indexing import StoreError


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    exe = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
    if exe is None:
        pytest.fail("the `chroma` command (from the chromadb package) is not installed")
    port = _free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    proc = subprocess.Popen(
        [exe, "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("the Chroma server did not start")
        time.sleep(0.3)
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def test_index_and_search_through_a_chroma_server(
    chroma_url: str, settings: Settings, counting: CountingEmbedder
) -> None:
    import chromadb

    remote = settings.replace(chroma_url=chroma_url, collection="news")
    qa = NewsQA(remote, embedder=counting)
    report = qa.update()
    assert report.articles_added == 5
    hits = qa.search("avalanche gallery", k=2, sources=["Alpine Wire"])
    assert hits[0].article.title == "Glacier railway reopens after avalanche repairs"

    client = chromadb.HttpClient(host="127.0.0.1", port=int(chroma_url.rsplit(":", 1)[1]))
    names = {c.name for c in client.list_collections()}
    (first,) = [n for n in names if n.startswith("news-")]
    assert client.get_collection(first).count() == qa.stats().chunks
    # nothing is kept locally but the catalog
    assert not any(p.name == "chroma" for p in settings.index_dir.rglob("*"))

    qa.rebuild()
    names = {c.name for c in client.list_collections()}
    assert first not in names and len([n for n in names if n.startswith("news-")]) == 1
    assert qa.search("night buses", k=1)[0].article.source == "Metro Ledger"


def test_unreachable_server_is_a_clear_error(settings: Settings, counting) -> None:
    qa = NewsQA(settings.replace(chroma_url=f"http://127.0.0.1:{_free_port()}"), embedder=counting)
    with pytest.raises(StoreError, match="Could not reach the Chroma server"):
        qa.update()
