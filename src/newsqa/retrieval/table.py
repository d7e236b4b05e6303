"""What the retriever keeps in memory per index generation: every chunk's article, outlets and
publication day as arrays (so outlet and date constraints are masks, not queries), the outlet
names for reading questions, and the chunk vectors for exact dense search over any subset."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from newsqa.indexing.store import StoreError
from newsqa.periods import last_news_day
from newsqa.retrieval.dates import DateMention
from newsqa.retrieval.outlets import OutletMatcher
from newsqa.retrieval.sidecar import load_arrays, save_arrays

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from newsqa.indexing.catalog import Catalog
    from newsqa.indexing.store import VectorStore

__all__ = [
    "LOST_NAME",
    "VECTORS_NAME",
    "ChunkTable",
    "load_table",
    "published_within",
    "refresh_vectors",
]

VECTORS_NAME = "dense-vectors.npz"  # beside the catalog: the first search skips the store
# beside the catalog too: a search found vectors the store lacks, which the next update embeds
# again (it checks the embedded store only when told: opening it costs a cold update seconds)
LOST_NAME = "vectors-lost"
_VECTORS_KEY = "vectors-by-id-v1"
_STORE_STEP = 5000  # vectors read from the store at once, to fill the matrix

log = logging.getLogger(__name__)

_NO_DAY = -1  # chunks of undated articles match no date


@dataclass
class ChunkTable:
    """Row i describes the chunk whose vector id is `vector_ids[i]`."""

    vector_ids: list[str]
    rids: NDArray[np.int64]  # the catalog's chunk row ids, ascending
    article: NDArray[np.int64]  # article number, shared by the chunks of one article
    day: NDArray[np.int64]  # proleptic ordinal of the publication day, or -1
    outlet_rows: dict[str, NDArray[np.int64]]  # lower-cased outlet -> rows it carried
    matcher: OutletMatcher
    latest_day: date | None  # the newest publication day
    matrix: NDArray[np.float32] | None = None  # unit vectors, row-aligned; None: ask the store
    row_of: dict[str, int] = field(default_factory=dict)
    article_number: dict[str, int] = field(default_factory=dict)  # article id -> its number

    def __post_init__(self) -> None:
        self.row_of = {v: i for i, v in enumerate(self.vector_ids)}

    def __len__(self) -> int:
        return len(self.vector_ids)

    def rows(self, vector_ids: Iterable[str]) -> NDArray[np.int64]:
        return np.fromiter(
            (r for r in (self.row_of.get(v) for v in vector_ids) if r is not None), np.int64
        )

    def similarities(self, vectors: NDArray[np.float32]) -> NDArray[np.float64]:
        """Cosine similarity of every row to each of `vectors` (unit length): rows x vectors.

        When the process already runs torch (the embedding model), the product runs in torch,
        single-threaded like the embedding: numpy's BLAS pool would keep spinning after it and
        slow the next embedding down tenfold on a small machine. Otherwise numpy's BLAS runs it,
        single-threaded for the same reason."""
        from newsqa.indexing.embeddings import single_threaded_blas, single_threaded_torch

        assert self.matrix is not None
        torch: Any = sys.modules.get("torch")
        if torch is not None:
            right = torch.from_numpy(np.ascontiguousarray(vectors.T, dtype=np.float32))
            with torch.no_grad(), single_threaded_torch():
                product = torch.from_numpy(self.matrix) @ right
            return np.asarray(product.numpy(), dtype=np.float64)
        with single_threaded_blas():
            return np.asarray(self.matrix @ vectors.T, dtype=np.float64)

    def resolve_outlets(self, names: Sequence[str]) -> tuple[str, ...]:
        """The indexed outlets that filter `names` mean (see `OutletMatcher.resolve`)."""
        return self.matcher.resolve(names)

    def article_mask(self, article_ids: Iterable[str]) -> NDArray[np.bool_]:
        """The rows of the chunks of `article_ids` (ids not indexed are left out)."""
        numbers = [self.article_number.get(a) for a in article_ids]
        chosen = np.zeros(len(self.article_number), dtype=bool)
        chosen[np.asarray([n for n in numbers if n is not None], dtype=np.int64)] = True
        return chosen[self.article] if len(self) else np.zeros(0, dtype=bool)

    def outlet_mask(self, outlets: Sequence[str]) -> NDArray[np.bool_]:
        mask = np.zeros(len(self), dtype=bool)
        for name in outlets:
            rows = self.outlet_rows.get(name.lower())
            if rows is not None:
                mask[rows] = True
        return mask

    def date_mask(self, dates: Sequence[DateMention], slack_days: int) -> NDArray[np.bool_]:
        """Chunks published within any of `dates` ("on" widened by `slack_days` for time zones,
        "before"/"after" open-ended and inclusive)."""
        mask = np.zeros(len(self), dtype=bool)
        for d in dates:
            mask |= published_within(self.day, d, slack_days)
        return mask


def published_within(days: NDArray[np.int64], d: DateMention, slack_days: int) -> NDArray[np.bool_]:
    """Which publication `days` (proleptic ordinals, -1 undated) fall within `d`: "on" widened
    by `slack_days` for time zones, "before"/"after" open-ended and inclusive."""
    first, last = d.first.toordinal(), d.last.toordinal()
    if d.relation == "before":
        within = (days != _NO_DAY) & (days <= last)
    elif d.relation == "after":
        within = days >= first
    else:
        within = (days >= first - slack_days) & (days <= last + slack_days)
    return np.asarray(within, dtype=bool)


def load_table(catalog: Catalog, store: VectorStore, *, max_vectors: int) -> ChunkTable:
    """Read the catalog's chunk facets, and the vectors when the index is small enough to keep
    them in memory (`max_vectors`; 384 floats each)."""
    facets = catalog.chunk_facets()
    vector_ids = [f[1] for f in facets]
    articles: dict[str, int] = {}
    article = np.fromiter((articles.setdefault(f[2], len(articles)) for f in facets), np.int64)
    day = np.fromiter((_day(f[4]) for f in facets), np.int64, count=len(facets))
    rows_by_outlet: dict[str, list[int]] = {}
    names: set[str] = set()
    for i, f in enumerate(facets):
        for name in f[3].split("\n"):
            if name.strip():
                names.add(name)
                rows_by_outlet.setdefault(name.lower(), []).append(i)
    # the newest day relative dates are read against; a date in the future (a typo: 2032 for
    # 2023) is not news yet, and would make "last week" a week of 2032
    dated = day[(day != _NO_DAY) & (day <= last_news_day().toordinal())]
    table = ChunkTable(
        vector_ids=vector_ids,
        rids=np.fromiter((f[0] for f in facets), np.int64, count=len(facets)),
        article=article,
        day=day,
        outlet_rows={k: np.asarray(v, dtype=np.int64) for k, v in rows_by_outlet.items()},
        matcher=OutletMatcher(names),
        latest_day=date.fromordinal(int(dated.max())) if dated.size else None,
        article_number=articles,
    )
    table.matrix = _kept_vectors(catalog, store, vector_ids, max_vectors)
    return table


def refresh_vectors(catalog: Catalog, store: VectorStore, *, max_vectors: int) -> None:
    """Bring the vector file beside `catalog` up to date with it, reading from `store` only the
    vectors it lacks (an update calls this once it has written)."""
    _kept_vectors(catalog, store, [f[1] for f in catalog.chunk_facets()], max_vectors)


def _kept_vectors(
    catalog: Catalog, store: VectorStore, vector_ids: Sequence[str], max_vectors: int
) -> NDArray[np.float32] | None:
    """The vectors of `vector_ids` through the file beside `catalog`, when the index is small
    enough to keep them in memory (`max_vectors`; 384 floats each); None otherwise."""
    if not 0 < len(vector_ids) <= max_vectors:
        return None
    return _cached_vectors(Path(catalog.path).parent / VECTORS_NAME, store, vector_ids)


def _day(published: str) -> int:
    try:
        return date.fromisoformat(published[:10]).toordinal() if published else _NO_DAY
    except ValueError:
        return _NO_DAY


def _cached_vectors(
    path: Path, store: VectorStore, vector_ids: Sequence[str]
) -> NDArray[np.float32] | None:
    """The vectors of `vector_ids` in that order, from the file beside the catalog where it has
    them and from the store for the rest (then the file is written again), or None when neither
    can hand them out (dense search then goes through the store's own nearest-neighbour query).
    Vector ids name their chunk's content and a generation keeps one model, so a cached id always
    means the same vector: after an update only the new chunks' vectors are read from the store.
    Ids found nowhere get zero rows, which are not cached.

    The rows are moved by position, and the store's vectors read `_STORE_STEP` at a time straight
    into the matrix: a vector per id in a dict took 0.6 CPU s and 200 MB at 38k chunks for an
    update that changed one article, and the end of a build held every vector twice."""
    cached = load_arrays(path, _VECTORS_KEY) or {}
    ids, kept = cached.get("ids"), cached.get("vectors")
    at = np.full(len(vector_ids), -1, dtype=np.int64)  # each id's row in the file, or -1
    if ids is not None and kept is not None and kept.ndim == 2 and len(ids) == len(kept):
        listed = ids.tolist()
        if listed == list(vector_ids):
            return np.asarray(kept, dtype=np.float32)
        row_of = {v: i for i, v in enumerate(listed)}
        at = np.fromiter((row_of.get(v, -1) for v in vector_ids), np.int64, len(vector_ids))
    else:
        kept = None
    missing = np.flatnonzero(at < 0)
    matrix: NDArray[np.float32] | None = None
    if kept is not None and len(kept):
        matrix = np.zeros((len(vector_ids), kept.shape[1]), dtype=np.float32)
        have = at >= 0
        matrix[have] = kept[at[have]]
    del cached, ids, kept  # (freed before the store is read)
    found = at >= 0
    for start in range(0, len(missing), _STORE_STEP):
        rows: list[int] = missing[start : start + _STORE_STEP].tolist()
        try:
            got = store.vectors([vector_ids[i] for i in rows])
        except StoreError:  # the store is unusable (a server gone): said once, as it is
            raise
        except Exception as exc:  # a store that cannot list vectors: fall back, do not fail
            log.warning("Vectors not loaded for exact search (%s); using the store's queries", exc)
            return None
        for i in rows:
            vector = got.get(vector_ids[i])
            if vector is None:
                continue
            if matrix is None:
                matrix = np.zeros((len(vector_ids), len(vector)), dtype=np.float32)
            matrix[i] = vector
            found[i] = True
    lost = len(vector_ids) - int(found.sum())
    if lost and len(missing):
        with contextlib.suppress(OSError):  # (a read-only folder: said all the same)
            path.with_name(LOST_NAME).touch()
        log.warning(
            "%d of the index's %d passages have no vector in the store (found by their "
            "words only): `newsqa index update` embeds them again",
            lost,
            len(vector_ids),
        )
    if matrix is None:
        return None
    listed = list(vector_ids) if not lost else [vector_ids[i] for i in found.nonzero()[0].tolist()]
    save_arrays(
        path,
        _VECTORS_KEY,
        {"ids": np.array(listed, dtype=np.str_), "vectors": matrix if not lost else matrix[found]},
    )
    return matrix
