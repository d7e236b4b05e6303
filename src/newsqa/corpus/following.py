"""The feeds a corpus follows (`newsqa feeds`, `NewsQA.follow`): their addresses, when each was
last read, and the entries already taken, kept in the corpus folder's hidden `.feeds.json` (the
loaders never read hidden files), so that it travels with the corpus and a refresh asks only for
the pages of entries it has not taken yet."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from newsqa.errors import FeedsFileError
from newsqa.types import FeedRead, LoadResult, Skipped

__all__ = [
    "FEEDS_FILE",
    "FeedsFileError",
    "Followed",
    "read_feeds",
    "read_followed",
    "unfollow",
    "write_followed",
]

FEEDS_FILE = ".feeds.json"
_SEEN_KEPT = 2000  # entry keys kept per feed, newest last: a feed lists its newest few dozen


@dataclass
class Followed:
    """A followed feed: its address, when it was followed and last read (ISO times, UTC; ""
    when never), and the keys (link, else id) of the entries taken from it, oldest first."""

    url: str
    added: str
    refreshed: str = ""
    seen: list[str] = field(default_factory=list)

    def take(self, keys: list[str]) -> None:
        """Remember `keys` as taken, the oldest forgotten past what a feed could still list."""
        held = set(self.seen)
        self.seen += [k for k in dict.fromkeys(keys) if k not in held]
        del self.seen[:-_SEEN_KEPT]


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def read_followed(corpus: Path) -> list[Followed]:
    """The feeds `corpus` follows, in the order they were followed ([] when none)."""
    path = corpus / FEEDS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [
            Followed(
                url=str(f["url"]),
                added=str(f.get("added", "")),
                refreshed=str(f.get("refreshed", "")),
                seen=[str(k) for k in f.get("seen", [])],
            )
            for f in data["feeds"]
        ]
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise FeedsFileError(
            f"{path} (the feeds this corpus follows) cannot be read: {why or type(exc).__name__}."
            " Mend it, or move it away to follow no feed; it is left as it is."
        ) from exc


def write_followed(corpus: Path, feeds: list[Followed]) -> None:
    """Save the list whole or not at all (written beside it, then moved over it)."""
    corpus.mkdir(parents=True, exist_ok=True)
    data = {
        "feeds": [
            {"url": f.url, "added": f.added, "refreshed": f.refreshed, "seen": f.seen}
            for f in feeds
        ]
    }
    fd, tmp = tempfile.mkstemp(dir=corpus, prefix=".feeds-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=1)
            out.write("\n")
        os.replace(tmp, corpus / FEEDS_FILE)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_feeds(
    corpus: Path, urls: list[str] | None
) -> tuple[list[FeedRead], LoadResult, list[Path]]:
    """Read feeds for their new entries and save those entries' articles into `corpus`: the
    feeds `urls` (each followed from now on if it is a feed; one that is not is said, and not
    followed), or every feed followed when `urls` is None. Returns each feed as read, what was
    read (articles and entries skipped), and the files written. The list of followed feeds is
    saved after the files, so an entry is marked taken only once its article is in the corpus."""
    from newsqa.corpus.fetch import fetch_feed
    from newsqa.corpus.intake import save_fetched

    followed = read_followed(corpus)
    by_url = {f.url: f for f in followed}
    asked = (
        [f.url for f in followed] if urls is None else list(dict.fromkeys(u.strip() for u in urls))
    )
    reads: list[FeedRead] = []
    loaded = LoadResult()
    written: list[Path] = []
    for url in asked:
        feed = by_url.get(url)
        got = fetch_feed(url, seen=frozenset(feed.seen if feed else ()))
        if not got.is_feed:
            why = "; ".join(s.reason for s in got.result.skipped) or "no feed there"
            reads.append(FeedRead(url=url, error=why))
            continue
        loaded.extend(got.result)
        written += save_fetched(got.result.articles, corpus)
        if feed is None:
            feed = by_url[url] = Followed(url=url, added=now_iso())
            followed.append(feed)
        feed.take(got.taken)
        feed.refreshed = now_iso()
        reads.append(FeedRead(url=url, new=len(got.result.articles), known=got.known))
    write_followed(corpus, followed)
    return reads, loaded, list(dict.fromkeys(written))


def unfollow(corpus: Path, urls: list[str]) -> tuple[list[str], list[Skipped]]:
    """Stop following `urls`: the addresses dropped, and those the corpus did not follow. The
    articles taken from them stay in the corpus."""
    followed = read_followed(corpus)
    known = {f.url for f in followed}
    asked = _unique(urls)
    gone = [u for u in asked if u in known]
    missing = [
        Skipped(u, "not a feed this corpus follows", kind="missing")
        for u in asked
        if u not in known
    ]
    if gone:
        write_followed(corpus, [f for f in followed if f.url not in gone])
    return gone, missing


def _unique(urls: list[str]) -> list[str]:
    return list(dict.fromkeys(u.strip() for u in urls if u.strip()))
