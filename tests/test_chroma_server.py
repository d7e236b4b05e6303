"""The client/server path: a real `chroma run` server on 127.0.0.1 holds the vectors."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
from conftest import CountingEmbedder
from loopback import answering

from newsqa import NewsQA, Settings
from newsqa.indexing import StoreError
from newsqa.indexing import store as store_module


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with _chroma_server(tmp_path_factory.mktemp("chroma-server")) as (url, _):
        yield url


@contextlib.contextmanager
def _chroma_server(data: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A real `chroma run` server on loopback keeping its data in `data`: (URL, process)."""
    exe = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
    if exe is None:
        pytest.fail("the `chroma` command (from the chromadb package) is not installed")
    port = _free_port()
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
    try:
        yield url, proc
    finally:
        proc.send_signal(signal.SIGCONT)  # one a test stopped
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
    # another web server at the address: said in a line, not its 404 page
    page = b"<html><body>" + b"<p>Not Found</p>" * 200 + b"</body></html>"
    with answering(404, page, "text/html") as url:
        other = NewsQA(settings.replace(chroma_url=url), embedder=counting)
        with pytest.raises(StoreError, match="answered HTTP 404: not a Chroma server") as failed:
            other.update()
    assert "<p>" not in str(failed.value)


def test_a_server_that_never_answers_is_a_clear_error_not_a_hang(
    settings: Settings, counting, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A port that takes the connection and never answers (a stopped or wedged server): chromadb's
    client would wait forever, silently. Timeouts shortened for the test."""
    monkeypatch.setattr(store_module, "_CONNECT_TIMEOUT", 2.0)
    listener = socket.create_server(("127.0.0.1", 0))
    taken: list[socket.socket] = []

    def accept() -> None:
        with contextlib.suppress(OSError):  # closed at the end
            while True:
                taken.append(listener.accept()[0])

    threading.Thread(target=accept, daemon=True).start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    try:
        qa = NewsQA(settings.replace(chroma_url=url), embedder=counting)
        started = time.monotonic()
        with pytest.raises(StoreError, match="no answer within 2 s: is it stopped"):
            qa.update()
        assert time.monotonic() - started < 15
        assert not (settings.index_dir / "CURRENT").exists()  # no empty index left behind
    finally:
        for conn in taken:
            conn.close()
        listener.close()


def test_a_server_stopped_mid_write_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real server, stopped (SIGSTOP) once the store is open: the write fails with what to
    do, within the timeout, instead of hanging."""
    monkeypatch.setattr(store_module, "SERVER_TIMEOUT", 2.0)
    with _chroma_server(tmp_path / "data") as (url, proc):
        store = store_module.open_store(
            path=tmp_path / "unused", collection="stopped", chroma_url=url
        )
        proc.send_signal(signal.SIGSTOP)
        vectors = np.ones((1, 4), dtype=np.float32)
        started = time.monotonic()
        with pytest.raises(StoreError, match=r"failed while writing .*no answer within 2 s"):
            store.upsert(["a"], vectors, [{"article_id": "x"}])
        assert time.monotonic() - started < 15


def _collections(chroma_url: str) -> dict[str, int]:
    import chromadb

    client = chromadb.HttpClient(host="127.0.0.1", port=int(chroma_url.rsplit(":", 1)[1]))
    return {c.name: client.get_collection(c.name).count() for c in client.list_collections()}


def test_an_index_is_used_with_the_store_that_holds_its_vectors(
    chroma_url: str, settings: Settings, counting: CountingEmbedder
) -> None:
    """Built on the server, it is refused without the server's URL (a search would find by
    words only), and an embedded index is refused with one (the server has none of its
    vectors): said with what to pass, never a silent half-search or an empty collection."""
    from newsqa.indexing import IncompatibleIndexError

    remote = settings.replace(chroma_url=chroma_url, collection="mine")
    NewsQA(remote, embedder=counting).update()
    local = NewsQA(settings, embedder=counting)
    with pytest.raises(IncompatibleIndexError, match=f"pass --chroma-url {chroma_url}"):
        local.search("avalanche", k=1)
    with pytest.raises(IncompatibleIndexError, match="on the Chroma server"):
        local.update()
    assert NewsQA(remote, embedder=counting).stats().build["store"] == "chroma-server"
    # another server's address: an update there would split the index between two servers
    elsewhere = f"http://127.0.0.1:{_free_port()}"
    with pytest.raises(IncompatibleIndexError, match=f"not at {elsewhere}: pass --chroma-url"):
        NewsQA(remote.replace(chroma_url=elsewhere), embedder=counting).update()
    # the same server by another name is the same server
    same = chroma_url.replace("127.0.0.1", "localhost")
    assert NewsQA(remote.replace(chroma_url=same), embedder=counting).update().chunks_embedded == 0

    embedded = settings.replace(index_dir=settings.index_dir.parent / "embedded-index")
    NewsQA(embedded, embedder=counting).update()
    before = set(_collections(chroma_url))
    on_server = NewsQA(embedded.replace(chroma_url=chroma_url), embedder=counting)
    for act in (lambda: on_server.search("avalanche", k=1), on_server.update):
        with pytest.raises(IncompatibleIndexError, match="keeps its vectors in its own folder"):
            act()
    assert set(_collections(chroma_url)) == before  # no empty collection made for it
    # the way over: a rebuild with the URL puts the vectors on the server
    report = on_server.rebuild()
    assert report.chunks_embedded == on_server.stats().chunks
    assert on_server.search("avalanche gallery", k=1)[0].article.source == "Alpine Wire"


def test_lost_vectors_are_said_and_restored_by_an_update(
    chroma_url: str, settings: Settings, counting: CountingEmbedder
) -> None:
    import chromadb

    remote = settings.replace(chroma_url=chroma_url, collection="lost")
    qa = NewsQA(remote, embedder=counting)
    qa.update()
    chunks = qa.stats().chunks
    qa.close()
    (name,) = [n for n in _collections(chroma_url) if n.startswith("lost-")]
    client = chromadb.HttpClient(host="127.0.0.1", port=int(chroma_url.rsplit(":", 1)[1]))
    client.delete_collection(name)  # the server's data deleted behind the index's back

    # the vectors the update left in the index folder still answer a search
    assert NewsQA(remote, embedder=counting).search("avalanche gallery", k=1)
    for cache in remote.index_dir.glob("g*/dense-vectors.npz"):
        cache.unlink()
    qa = NewsQA(remote, embedder=counting)
    with pytest.raises(StoreError, match=r"has no collection .* `newsqa index update` embeds"):
        qa.search("avalanche gallery", k=1)
    report = qa.update()  # nothing changed in the corpus: only the vectors come back
    assert report.articles_changed == report.articles_added == 0
    assert report.chunks_restored == report.chunks_embedded == chunks
    assert _collections(chroma_url)[name] == chunks
    assert NewsQA(remote, embedder=counting).search("avalanche gallery", k=1)[0].article.source == (
        "Alpine Wire"
    )
    assert qa.update().chunks_embedded == 0  # and then nothing to do


def test_a_copy_of_an_index_reads_its_collection_but_never_changes_it(
    chroma_url: str, settings: Settings, counting: CountingEmbedder, tmp_path: Path
) -> None:
    from newsqa.indexing import IncompatibleIndexError

    remote = settings.replace(chroma_url=chroma_url, collection="shared")
    NewsQA(remote, embedder=counting).update()
    (name,) = [n for n in _collections(chroma_url) if n.startswith("shared-")]
    count = _collections(chroma_url)[name]
    copy = remote.replace(index_dir=tmp_path / "copied-index")
    shutil.copytree(remote.index_dir, copy.index_dir)
    twin = NewsQA(copy, embedder=counting)
    assert twin.search("avalanche gallery", k=1)[0].article.source == "Alpine Wire"
    with pytest.raises(IncompatibleIndexError, match="is a copy of the one in"):
        twin.update()
    twin.rebuild()  # its own collection now; the original's is left as it was
    collections = _collections(chroma_url)
    assert collections[name] == count and len([n for n in collections if "shared-" in n]) == 2
    assert NewsQA(remote, embedder=counting).update().chunks_embedded == 0


def test_an_unreachable_server_fails_even_an_update_with_nothing_to_do(
    chroma_url: str, settings: Settings, counting: CountingEmbedder, tmp_path: Path
) -> None:
    with _chroma_server(tmp_path / "own-server") as (own, _):
        mine = settings.replace(chroma_url=own, collection="noop")
        NewsQA(mine, embedder=counting).update()
    with pytest.raises(StoreError, match="Could not reach the Chroma server"):
        NewsQA(mine, embedder=counting).update()  # the server is gone
    remote = settings.replace(
        chroma_url=chroma_url, collection="noop", index_dir=tmp_path / "other-index"
    )
    NewsQA(remote, embedder=counting).update()
    port = chroma_url.rsplit(":", 1)[1]
    for bad, said in (
        ("ftp://127.0.0.1:8000", "not an http"),
        (f"{chroma_url}/api", "no path"),
        (f"{chroma_url}#top", "no path"),
        (f"http://me:secret@127.0.0.1:{port}", "does not send credentials"),
    ):
        with pytest.raises(StoreError, match=said):
            NewsQA(remote.replace(chroma_url=bad), embedder=counting).update()


def test_a_first_build_that_fails_leaves_no_index(
    settings: Settings, counting, chroma_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    qa = NewsQA(settings.replace(chroma_url=f"http://127.0.0.1:{_free_port()}"), embedder=counting)
    with pytest.raises(StoreError):
        qa.update()
    assert not qa.stats().exists
    with pytest.raises(Exception, match="No index in"):
        qa.search("avalanche", k=1)
    # nor a generation folder kept "to drop its collection later" from a server never reached,
    # to be warned about at every later command
    assert not list(settings.index_dir.glob("g*"))
    with caplog.at_level(logging.WARNING):
        NewsQA(settings.replace(chroma_url=chroma_url), embedder=counting).update()
    assert not [r for r in caplog.records if "Kept" in r.getMessage()]


def test_a_rebuild_whose_server_stops_leaves_the_index_in_use(
    settings: Settings, real_embedder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server stops (SIGSTOP) while a rebuild embeds: the error says the index in use is
    unchanged (not that the same command carries on: a rebuild starts over), and once the
    server is back the old index answers as before."""
    monkeypatch.setattr(store_module, "SERVER_TIMEOUT", 2.0)

    class StopsTheServer(CountingEmbedder):
        """The real model; its first call stops the server (what a test cannot time otherwise)."""

        proc: subprocess.Popen[bytes] | None = None

        def embed(self, texts):  # type: ignore[no-untyped-def]
            if self.proc is not None:
                self.proc.send_signal(signal.SIGSTOP)
                self.proc = None
            return super().embed(texts)

    with _chroma_server(tmp_path / "data") as (url, proc):
        remote = settings.replace(chroma_url=url, collection="rebuilt")
        NewsQA(remote, embedder=CountingEmbedder(real_embedder)).update()
        stopping = StopsTheServer(real_embedder)
        stopping.proc = proc
        with pytest.raises(StoreError) as failed:
            NewsQA(remote, embedder=stopping).rebuild()
        assert "The index in use is unchanged; run the rebuild again." in str(failed.value)
        assert "carries on" not in str(failed.value)
        proc.send_signal(signal.SIGCONT)
        qa = NewsQA(remote, embedder=CountingEmbedder(real_embedder))
        assert qa.search("avalanche gallery", k=1)[0].article.source == "Alpine Wire"
        assert qa.update().chunks_embedded == 0


def test_a_copy_whose_collection_is_gone_is_told_what_it_may_do(
    chroma_url: str, settings: Settings, counting: CountingEmbedder, tmp_path: Path
) -> None:
    """A copy whose original still uses the collection may not write to it: told to rebuild,
    not to update. Once the original has been rebuilt (its old generation and collection
    gone), the copy is on its own: an update embeds its vectors again."""
    remote = settings.replace(chroma_url=chroma_url, collection="gone")
    NewsQA(remote, embedder=counting).update()
    copy = remote.replace(index_dir=tmp_path / "copied-index")
    shutil.copytree(remote.index_dir, copy.index_dir)
    (original,) = remote.index_dir.glob("g*")
    for cached in copy.index_dir.glob("g*/dense-vectors.npz"):
        cached.unlink()  # the vectors must come from the server
    name = next(n for n in _collections(chroma_url) if n.startswith("gone-"))
    import chromadb

    chromadb.HttpClient(host="127.0.0.1", port=int(chroma_url.rsplit(":", 1)[1])).delete_collection(
        name
    )
    with pytest.raises(StoreError, match="has no collection") as failed:
        NewsQA(copy, embedder=counting).search("avalanche gallery", k=1)
    assert "give it a collection of its own with `newsqa index rebuild`" in str(failed.value)
    assert "index update" not in str(failed.value)

    NewsQA(remote, embedder=counting).rebuild()
    assert not original.exists()
    twin = NewsQA(copy, embedder=counting)
    with pytest.raises(StoreError, match="`newsqa index update` embeds them again"):
        twin.search("avalanche gallery", k=1)
    assert twin.update().chunks_embedded == twin.stats().chunks
    assert twin.search("avalanche gallery", k=1)[0].article.source == "Alpine Wire"


def test_a_moved_index_folder_is_the_same_index(
    chroma_url: str, settings: Settings, counting: CountingEmbedder, tmp_path: Path
) -> None:
    """Moved (the original folder gone, not copied): it updates its collection as before, with
    nothing embedded again, and the next move is one too."""
    remote = settings.replace(chroma_url=chroma_url, collection="moved")
    NewsQA(remote, embedder=counting).update()
    moved = remote.replace(index_dir=tmp_path / "moved-index")
    shutil.move(remote.index_dir, moved.index_dir)
    qa = NewsQA(moved, embedder=counting)
    assert qa.update().chunks_embedded == 0
    assert qa.search("avalanche gallery", k=1)[0].article.source == "Alpine Wire"
    (name,) = [n for n in _collections(chroma_url) if n.startswith("moved-")]
    again = moved.replace(index_dir=tmp_path / "again")
    shutil.move(moved.index_dir, again.index_dir)
    assert NewsQA(again, embedder=counting).update().chunks_embedded == 0
    assert [n for n in _collections(chroma_url) if n.startswith("moved-")] == [name]
