"""Vector stores. Chroma holds the vectors, embedded on disk or behind a `chroma run` server;
the catalog (SQLite) stays the source of truth for which vectors are live."""

from __future__ import annotations

import errno
import logging
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlparse

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

from newsqa.errors import NewsQAError

__all__ = [
    "ChromaStore",
    "LazyStore",
    "StoreError",
    "VectorStore",
    "open_store",
    "server_address",
]

log = logging.getLogger(__name__)

Metadata = Mapping[str, str | int | float | bool]


class StoreError(NewsQAError, RuntimeError):
    """The vector store could not be reached or used; the message says what to do."""


# advice that holds for some indexes only (an index whose folder wrote the collection, one not
# yet on a server): the index replaces it where it knows better
EMBED_AGAIN = "`newsqa index update` embeds them again."
OR_EMBEDDED = (
    ", or drop the Chroma URL (--chroma-url, NEWSQA_CHROMA_URL) to use the embedded store."
)
# how a failed write ends its message (an update; a rebuild says what holds for it instead)
CARRY_ON = " What was committed before stays; the same command again carries on from there."


class VectorStore(Protocol):
    """Where vectors live. Ids are content-addressed by the indexer, so `upsert` never changes
    what an existing id means. The passages' text is the catalog's alone: a copy in Chroma,
    with the full-text index Chroma keeps of it, was nearly half the index folder and was
    never read."""

    def upsert(
        self,
        ids: Sequence[str],
        vectors: NDArray[np.float32],
        metadatas: Sequence[Metadata],
    ) -> None: ...

    def delete(self, ids: Sequence[str]) -> None: ...

    def query(
        self, vector: NDArray[np.float32], k: int, ids: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """The `k` nearest ids with cosine similarity, optionally among `ids` only."""
        ...

    def all_ids(self) -> set[str]: ...

    def vectors(self, ids: Sequence[str]) -> dict[str, NDArray[np.float32]]:
        """The stored vectors of those of `ids` the store holds (absent ids are left out)."""
        ...

    def count(self) -> int: ...

    def drop(self) -> None:
        """Remove the whole collection."""
        ...

    def close(self) -> None:
        """Let go of the client: the next store opened on the same place reads it afresh."""
        ...


class ChromaStore:
    """A Chroma collection in cosine space; vectors are always passed in (no embedding function).

    Any failure of Chroma's (a server that stopped answering, above all) is a `StoreError` that
    says where the vectors are. With `create=False` a missing collection is one too, not a new
    empty collection: a reader never creates one."""

    def __init__(
        self, client: Any, collection: str, *, where: str = "", create: bool = True
    ) -> None:
        self._client = client
        self.collection_name = collection
        self.where = where or "the embedded Chroma store"
        try:
            if create:
                self._collection = client.get_or_create_collection(
                    name=collection,
                    embedding_function=None,
                    configuration={"hnsw": {"space": "cosine"}},
                )
            else:
                self._collection = client.get_collection(name=collection)
        except Exception as exc:  # chromadb raises many kinds; all mean "unusable"
            if not create and "does not exist" in str(exc).lower():
                raise StoreError(
                    f"{self.where[0].upper()}{self.where[1:]} has no collection {collection!r}, "
                    "which holds this index's vectors (its data was deleted, or this is another "
                    "server). " + EMBED_AGAIN
                ) from exc
            raise StoreError(
                f"Could not open Chroma collection {collection!r} of {self.where}: {exc}"
            ) from exc

    @contextmanager
    def _using(self, doing: str, *, writing: bool = False) -> Iterator[None]:
        try:
            yield
        except StoreError:
            raise
        except Exception as exc:  # chromadb and httpx raise many kinds; all mean "unusable"
            if _timed_out(exc):
                exc = TimeoutError(f"no answer within {SERVER_TIMEOUT:.0f} s: is it stopped?")
            after = CARRY_ON if writing else ""
            if _disk_full(exc):
                after = " The disk is full: free some space first." + after
            raise StoreError(
                f"{self.where[0].upper()}{self.where[1:]} failed while {doing} ({exc}).{after}"
            ) from exc

    def upsert(
        self,
        ids: Sequence[str],
        vectors: NDArray[np.float32],
        metadatas: Sequence[Metadata],
    ) -> None:
        step = 2000  # stay under Chroma's maximum batch size
        with self._using("writing vectors", writing=True):
            for i in range(0, len(ids), step):
                self._collection.upsert(
                    ids=list(ids[i : i + step]),
                    embeddings=np.asarray(vectors[i : i + step], dtype=np.float32),
                    metadatas=[dict(m) for m in metadatas[i : i + step]],
                )

    def delete(self, ids: Sequence[str]) -> None:
        step = 2000
        with self._using("deleting vectors", writing=True):
            for i in range(0, len(ids), step):
                self._collection.delete(ids=list(ids[i : i + step]))

    def query(
        self, vector: NDArray[np.float32], k: int, ids: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        total = self.count()
        if total == 0 or k <= 0:
            return []
        n = min(k, total if ids is None else len(ids))
        if n <= 0:
            return []
        kwargs: dict[str, Any] = {}
        if ids is not None:
            kwargs["ids"] = list(ids)
        with self._using("searching"):
            res = self._collection.query(
                query_embeddings=[np.asarray(vector, dtype=np.float32)],
                n_results=n,
                include=["distances"],
                **kwargs,
            )
        found = res["ids"][0]
        dists = (res.get("distances") or [[1.0] * len(found)])[0]
        return [(i, 1.0 - float(d)) for i, d in zip(found, dists, strict=True)]

    def all_ids(self) -> set[str]:
        out: set[str] = set()
        offset, step = 0, 5000
        while True:
            with self._using("listing vectors"):
                got = self._collection.get(include=[], limit=step, offset=offset)
            out.update(got["ids"])
            if len(got["ids"]) < step:
                return out
            offset += step

    def vectors(self, ids: Sequence[str]) -> dict[str, NDArray[np.float32]]:
        out: dict[str, NDArray[np.float32]] = {}
        step = 5000
        for i in range(0, len(ids), step):
            with self._using("reading vectors"):
                got = self._collection.get(ids=list(ids[i : i + step]), include=["embeddings"])
            for vid, vec in zip(got["ids"], got["embeddings"], strict=True):
                out[vid] = np.asarray(vec, dtype=np.float32)
        return out

    def count(self) -> int:
        with self._using("counting vectors"):
            return int(self._collection.count())

    def drop(self) -> None:
        with self._using(f"removing collection {self.collection_name!r}"):
            self._client.delete_collection(self.collection_name)

    def close(self) -> None:
        # an embedded client of a path shares one Chroma "system" per process, which keeps the
        # collection as it was when opened: another process's writes stay unseen (and reading
        # their ids fails) until the last client of it is closed
        close = getattr(self._client, "close", None)
        if close is not None:
            try:
                close()
            except Exception as exc:  # closing what may already be gone: nothing to lose
                log.debug("Closing the Chroma client of %s: %s", self.where, exc)


class LazyStore:
    """A vector store opened at its first use. A search that finds every vector in memory (see
    `newsqa.retrieval.table`) never opens it, so a cold question does not import chromadb."""

    def __init__(self, opener: Callable[[], VectorStore]) -> None:
        self._opener = opener
        self._store: VectorStore | None = None
        self._lock = threading.Lock()

    @property
    def opened(self) -> bool:
        return self._store is not None

    def _get(self) -> VectorStore:
        with self._lock:
            if self._store is None:
                self._store = self._opener()
            return self._store

    def upsert(
        self,
        ids: Sequence[str],
        vectors: NDArray[np.float32],
        metadatas: Sequence[Metadata],
    ) -> None:
        self._get().upsert(ids, vectors, metadatas)

    def delete(self, ids: Sequence[str]) -> None:
        self._get().delete(ids)

    def query(
        self, vector: NDArray[np.float32], k: int, ids: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        return self._get().query(vector, k, ids)

    def all_ids(self) -> set[str]:
        return self._get().all_ids()

    def vectors(self, ids: Sequence[str]) -> dict[str, NDArray[np.float32]]:
        return self._get().vectors(ids)

    def count(self) -> int:
        return self._get().count()

    def drop(self) -> None:
        self._get().drop()

    def close(self) -> None:
        """Close the store if it was opened; the next use opens it again."""
        with self._lock:
            store, self._store = self._store, None
        if store is not None:
            store.close()


def _chroma_settings() -> Any:
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


def server_address(chroma_url: str) -> tuple[str, int, bool]:
    """(host, port, https) of a Chroma server URL ("http://HOST:PORT", scheme optional, port
    8000 by default); ValueError for anything else (another scheme, a path, no host)."""
    text = chroma_url.strip()
    parsed = urlparse(text if "://" in text else "http://" + text)
    if parsed.scheme not in ("http", "https"):
        raise ValueError(f"{chroma_url!r} is not an http(s) address of a Chroma server")
    if parsed.username or parsed.password:  # chromadb's client would drop them unsaid
        raise ValueError(
            f"{chroma_url!r} carries a user and password: newsqa does not send credentials to a "
            "Chroma server; write http://HOST:PORT"
        )
    if parsed.path not in ("", "/") or parsed.query or parsed.fragment or not parsed.hostname:
        raise ValueError(
            f"{chroma_url!r} is not the address of a Chroma server: write http://HOST:PORT "
            "(no path)"
        )
    try:
        port = parsed.port or 8000
    except ValueError:
        raise ValueError(f"{chroma_url!r} has no valid port: write http://HOST:PORT") from None
    return parsed.hostname, port, parsed.scheme == "https"


# seconds a Chroma server may take to answer one request (a batch of 2,000 vectors is written
# in about one); chromadb's own client waits forever, so a stopped server held an update silent
SERVER_TIMEOUT = 60.0
_CONNECT_TIMEOUT = 10.0


def _answers(host: str, port: int, https: bool) -> None:
    """Raise unless a Chroma server answers its heartbeat at once (before chromadb's client,
    whose first request would wait forever on a server that accepts and never answers)."""
    import httpx

    url = f"{'https' if https else 'http'}://{host}:{port}/api/v2/heartbeat"
    try:
        reply = httpx.get(url, timeout=_CONNECT_TIMEOUT)
    except httpx.TimeoutException:
        raise TimeoutError(f"no answer within {_CONNECT_TIMEOUT:.0f} s: is it stopped?") from None
    if reply.status_code != 200:  # another HTTP server on that port, or another API version
        raise ConnectionError(
            f"{url} answered HTTP {reply.status_code}: not a Chroma server (1.x) at that address"
        )


def _limit_waits(client: Any) -> None:
    """Give chromadb's HTTP session a timeout (it has none)."""
    import httpx

    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):
        session.timeout = httpx.Timeout(SERVER_TIMEOUT, connect=_CONNECT_TIMEOUT)


def _timed_out(exc: BaseException) -> bool:
    import httpx

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, httpx.TimeoutException | TimeoutError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _forget_client(path: Path) -> None:
    """Chroma keeps the client of a path for the life of the process, even one that failed to
    start: forgotten, so that the next open (the folder mended or replaced) tries anew instead
    of failing on its half-made client."""
    from chromadb.api.shared_system_client import SharedSystemClient

    systems = getattr(SharedSystemClient, "_identifier_to_system", None)
    if isinstance(systems, dict):
        systems.pop(str(path), None)


def open_store(
    *, path: Path, collection: str, chroma_url: str = "", create: bool = True
) -> ChromaStore:
    """The embedded store under `path`, or the Chroma server at `chroma_url` when one is set.
    With `create=False` the collection must exist (on a server: see `ChromaStore`)."""
    import chromadb

    if chroma_url:
        try:
            host, port, https = server_address(chroma_url)
        except ValueError as exc:
            raise StoreError(str(exc)) from None
        where = f"the Chroma server at {chroma_url.strip()}"
        try:
            _answers(host, port, https)
            client = chromadb.HttpClient(
                host=host, port=port, ssl=https, settings=_chroma_settings()
            )
            _limit_waits(client)
            client.heartbeat()
        except Exception as exc:
            hint = (
                " (is it an http:// server? The address says https.)"
                if https and "ssl" in str(exc).lower()
                else ""
            )
            raise StoreError(
                f"Could not reach {where} ({exc}){hint}. Start one with "
                "`chroma run --path DIR --port N`" + OR_EMBEDDED
            ) from exc
        return ChromaStore(client, collection, where=where, create=create)
    where = f"the Chroma store in {path}"
    try:
        path.mkdir(parents=True, exist_ok=True)
        client = chromadb.PersistentClient(path=str(path), settings=_chroma_settings())
    except Exception as exc:  # a read-only folder, a full disk, files of another version
        _forget_client(path)
        raise StoreError(f"Could not open {where} ({type(exc).__name__}: {exc}).") from exc
    return ChromaStore(client, collection, where=where)


def _disk_full(exc: BaseException) -> bool:
    """Whether `exc` (or what caused it) says the disk is full (Chroma's SQLite: "database or
    disk is full"; a file write: "No space left on device")."""
    while exc is not None:
        if "disk is full" in str(exc) or getattr(exc, "errno", None) == errno.ENOSPC:
            return True
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return False
