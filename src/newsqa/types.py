"""Typed values that cross module boundaries: articles, chunks, search hits and reports."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = [
    "Answer",
    "Article",
    "ArticleList",
    "ArticleRef",
    "Chunk",
    "Citation",
    "FeedRead",
    "FeedRefresh",
    "FollowedFeed",
    "IndexReport",
    "IndexStats",
    "IndexedArticle",
    "LoadResult",
    "SearchFilters",
    "SearchHit",
    "Skipped",
    "article_id_for",
    "clean_text",
    "indexed_text",
    "normalise_text",
    "origin_file",
    "without_tracking",
]

_WS = re.compile(r"\s+")
_RECORD_SUFFIX = re.compile(r"[#:]\d+$")  # "wire.json#3", "wire.jsonl:4": a record of a file


# what no article should carry: lone surrogates (a JSON "\ud800" escape; they cannot be encoded,
# so hashing the article failed the whole update) and control characters other than line breaks
# and tabs (a title's terminal escape sequence reached the CLI's output)
_UNPRINTABLE = re.compile("[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_text(text: str) -> str:
    """`text` without lone surrogates (each becomes U+FFFD) and control characters."""
    if not _UNPRINTABLE.search(text):
        return text
    return _UNPRINTABLE.sub(lambda m: "\ufffd" if "\ud800" <= m[0] <= "\udfff" else "", text)


def origin_file(origin: str) -> str:
    """The file an article's `origin` names ("corpus/wire.json" of "corpus/wire.json#3")."""
    return _RECORD_SUFFIX.sub("", origin)


def normalise_text(text: str) -> str:
    """Lower-cased text with runs of white space folded: the basis of content hashes."""
    return _WS.sub(" ", text).strip().lower()


# query parameters that only say where a reader came from (a campaign, a click on an ad or a
# social post): the same page with or without them
_TRACKING = ("utm_", "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "yclid")


# and those a feed adds to each item's address (BBC's "at_medium=RSS&at_campaign=…",
# "ref=rss"): dropped where a link is shown, not from the address that names an article (an
# index made before would see every such article as new)
_FEED_TRACKING = ("at_medium=", "at_campaign=", "at_custom", "at_link", "at_ptr_name=")
_FEED_REFS = ("ref=rss", "ref=feed", "ref=atom")


def without_tracking(url: str, *, feeds: bool = False) -> str:
    """`url` without its tracking parameters (`utm_source`, `fbclid`, …), as an article's URL is
    stored and cited (with `feeds`, also a feed's, as a link is shown); the page's other
    parameters and its fragment are kept."""
    base, sep, rest = url.partition("?")
    if not sep:
        return url
    query, hash_sign, fragment = rest.partition("#")
    dropped = _TRACKING + _FEED_TRACKING if feeds else _TRACKING
    kept = [
        p
        for p in query.split("&")
        if p and not p.lower().startswith(dropped) and not (feeds and p.lower() in _FEED_REFS)
    ]
    return base + ("?" + "&".join(kept) if kept else "") + hash_sign + fragment


def normalise_url(url: str) -> str:
    """A URL reduced to what identifies the page: no scheme, `www.`, fragment, tracking or slash."""
    u = url.strip()
    u = re.sub(r"^[a-z]+://", "", u, flags=re.I)
    u = re.sub(r"^www\.", "", u, flags=re.I)
    u = without_tracking(u.split("#", 1)[0])
    host, _, path = u.partition("/")
    return (host.lower() + "/" + path).rstrip("/")


def article_id_for(url: str | None, text: str) -> str:
    """Stable article id: from the normalised URL when there is one, else from the text."""
    basis = "url:" + normalise_url(url) if url else "text:" + normalise_text(text)
    return hashlib.sha1(basis.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True, kw_only=True)
class Article:
    """One news article, whatever file or feed it came from."""

    title: str
    text: str
    source: str = ""  # the outlet, e.g. "TechCrunch"
    author: str = ""
    published: datetime | None = None  # timezone-aware where the input said so
    url: str = ""
    origin: str = ""  # the file (and record) or URL it was read from
    id: str = ""
    # a date the input gave that could not be read ("2024-13-01", "1. Juni 2024"): the article
    # is indexed undated and the update says so
    unread_date: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        for name in ("title", "text", "source", "author", "url"):
            value = getattr(self, name)
            if isinstance(value, str) and value != (clean := clean_text(value)):
                object.__setattr__(self, name, clean)
        if not self.id:
            object.__setattr__(self, "id", article_id_for(self.url or None, self.text))

    @property
    def content_hash(self) -> str:
        """Hash of everything that changes what gets indexed for this article."""
        parts = [self.title, self.source, self.author, self.published_iso, self.url, self.text]
        return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()

    @property
    def published_iso(self) -> str:
        return self.published.isoformat() if self.published else ""

    def ref(self) -> ArticleRef:
        return ArticleRef(
            id=self.id,
            title=self.title,
            source=self.source,
            author=self.author,
            published=self.published,
            url=self.url,
        )


def _moment(value: object) -> datetime | None:
    """A time as `to_dict()` writes it (ISO 8601 text or None)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"a time is ISO 8601 text, not {value!r:.60}")
    return datetime.fromisoformat(value)


def _texts(value: object, what: str) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise ValueError(f"{what} is a list of texts, not {value!r:.60}")
    return tuple(str(v) for v in value)


@dataclass(frozen=True, kw_only=True)
class ArticleRef:
    """The metadata of an article that a hit or a citation carries (no body text)."""

    id: str
    title: str
    source: str = ""
    author: str = ""
    published: datetime | None = None
    url: str = ""

    def heading(self, *numbers: int) -> str:
        """ "[1] Title — Outlet, 2023-11-18" ("[2] [3] …" for an article cited under several):
        how the CLI and a copied answer list a source."""
        date = self.published.date().isoformat() if self.published else "undated"
        cited = " ".join(f"[{n}]" for n in numbers)
        return f"{cited} {self.title or '(untitled)'} — {self.source or 'unknown outlet'}, {date}"

    @property
    def link(self) -> str:
        """The article's address as shown and linked: `url` without the parameters that only
        say which feed or campaign a reader came from ("?utm_source=rss", BBC's
        "at_medium=RSS&at_campaign=…"). `url` itself, which names the article in the index, is
        kept as read."""
        return without_tracking(self.url, feeds=True)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: the publication time as ISO 8601 text (or None)."""
        return {
            "id": self.id,
            "title": self.title,
            "source": self.source,
            "author": self.author,
            "published": self.published.isoformat() if self.published else None,
            "url": self.url,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ArticleRef:
        """The reference its `to_dict()` wrote."""
        return ArticleRef(
            id=str(data["id"]),
            title=str(data.get("title") or ""),
            source=str(data.get("source") or ""),
            author=str(data.get("author") or ""),
            published=_moment(data.get("published")),
            url=str(data.get("url") or ""),
        )


@dataclass(frozen=True, kw_only=True)
class IndexedArticle(ArticleRef):
    """An article as the index holds it (`NewsQA.articles`): its metadata, the file it was read
    from (relative to the corpus folder when inside it), its number of chunks, and the outlets
    that carried a syndicated copy of it (recorded on it, not indexed again)."""

    file: str = ""
    chunks: int = 0
    carried_by: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: `url` as stored, `link` as shown (without a feed's tracking)."""
        return {
            **super().to_dict(),
            "link": self.link,
            "file": self.file,
            "chunks": self.chunks,
            "carried_by": list(self.carried_by),
        }


@dataclass(frozen=True, kw_only=True)
class ArticleList:
    """Indexed articles, newest first (undated last): the first `limit` of the `total` that
    pass the filters. Iterating it gives the `articles`."""

    articles: tuple[IndexedArticle, ...] = ()
    total: int = 0  # the articles that pass the filters, listed or not

    def __iter__(self) -> Iterator[IndexedArticle]:
        return iter(self.articles)

    def __len__(self) -> int:
        return len(self.articles)

    def to_dict(self) -> dict[str, object]:
        return {"total": self.total, "articles": [a.to_dict() for a in self.articles]}


def indexed_text(header: str, text: str) -> str:
    """What is embedded and searched for a chunk: its header line, then its text."""
    return f"{header}\n{text}" if header else text


@dataclass(frozen=True, kw_only=True)
class Chunk:
    """A passage of an article, as indexed. `header` (title · outlet · date) is embedded with it."""

    id: str
    article_id: str
    position: int
    text: str
    header: str = ""
    start: int = 0  # character offsets of `text` in the article body
    end: int = 0
    n_tokens: int = 0

    @property
    def indexed_text(self) -> str:
        return indexed_text(self.header, self.text)

    @property
    def text_hash(self) -> str:
        return hashlib.sha1(self.indexed_text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, kw_only=True)
class SearchHit:
    """One retrieved passage with its score and the article it belongs to."""

    chunk_id: str
    text: str
    score: float
    article: ArticleRef
    position: int = 0
    also_published_by: tuple[ArticleRef, ...] = ()  # syndicated copies recorded at indexing

    def to_dict(self) -> dict[str, object]:
        """JSON-ready. `score` orders the hits of one search (fused ranks: higher is better);
        it is not a similarity to compare across searches."""
        return {
            "chunk_id": self.chunk_id,
            "score": round(self.score, 6),
            "article": self.article.to_dict(),
            "position": self.position,
            "text": self.text,
            "also_published_by": [a.to_dict() for a in self.also_published_by],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SearchHit:
        """The hit its `to_dict()` wrote."""
        return cls(
            chunk_id=str(data["chunk_id"]),
            text=str(data["text"]),
            score=float(data.get("score") or 0.0),
            article=ArticleRef.from_dict(data["article"]),
            position=int(data.get("position") or 0),
            also_published_by=tuple(
                ArticleRef.from_dict(a) for a in data.get("also_published_by") or ()
            ),
        )


@dataclass(frozen=True, kw_only=True)
class Citation:
    """What an `[n]` marker in an answer points at: an exact passage of an article's chunk."""

    n: int
    article: ArticleRef
    chunk_id: str
    chunk_text: str = field(repr=False)
    passage: str  # the supporting span, verbatim: chunk_text[start:end] == passage
    start: int
    end: int
    claims: tuple[str, ...] = ()  # the answer's sentences that cite it

    def to_dict(self) -> dict[str, object]:
        """JSON-ready, with the chunk that `start` and `end` index into."""
        return {
            "n": self.n,
            "article": self.article.to_dict(),
            "chunk_id": self.chunk_id,
            "chunk_text": self.chunk_text,
            "passage": self.passage,
            "start": self.start,
            "end": self.end,
            "claims": list(self.claims),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Citation:
        """The citation its `to_dict()` wrote; ValueError when its passage is not the span of
        its chunk that `start` and `end` say."""
        citation = cls(
            n=int(data["n"]),
            article=ArticleRef.from_dict(data["article"]),
            chunk_id=str(data["chunk_id"]),
            chunk_text=str(data["chunk_text"]),
            passage=str(data["passage"]),
            start=int(data["start"]),
            end=int(data["end"]),
            claims=_texts(data.get("claims") or [], "a citation's claims"),
        )
        if citation.chunk_text[citation.start : citation.end] != citation.passage:
            raise ValueError(f"citation [{citation.n}]: its passage is not chunk_text[start:end]")
        return citation


@dataclass(frozen=True, kw_only=True)
class SearchFilters:
    """Restrict results to some outlets and/or a publication period (inclusive)."""

    sources: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None

    @property
    def active(self) -> bool:
        return bool(self.sources) or self.since is not None or self.until is not None

    def same_as(self, other: SearchFilters) -> bool:
        """Whether both hold a search to the same outlets and period (outlets as named, in
        any case or order: "bbc" is "BBC")."""

        def named(sources: tuple[str, ...]) -> set[str]:
            return {" ".join(s.casefold().split()) for s in sources}

        return (
            named(self.sources) == named(other.sources)
            and self.since == other.since
            and self.until == other.until
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "sources": list(self.sources),
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SearchFilters:
        """Filters from their `to_dict()`; ValueError for one that is not."""
        sources, since, until = data.get("sources") or (), data.get("since"), data.get("until")
        if isinstance(sources, str) or not all(isinstance(s, str) for s in sources):
            raise ValueError(f"filters' sources are a list of outlet names, not {sources!r:.60}")
        return cls(
            sources=tuple(sources),
            since=datetime.fromisoformat(since) if since else None,
            until=datetime.fromisoformat(until) if until else None,
        )


@dataclass(frozen=True, kw_only=True)
class Answer:
    """An answer with the citations behind it.

    `declined` is True when the articles did not hold enough evidence; `as_of` is the publication
    date of the newest evidence cited; `unsupported` lists claims that could not be traced to a
    cited passage (they are shown without a marker, never as cited)."""

    question: str
    text: str
    citations: tuple[Citation, ...] = ()
    declined: bool = False
    as_of: datetime | None = None
    unsupported: tuple[str, ...] = ()
    standalone_question: str = ""  # the question as searched, after reading the conversation
    # every passage retrieved, cited or not (left out of the repr: pages of text)
    retrieved: tuple[SearchHit, ...] = field(default=(), repr=False)
    answerer: str = ""
    notes: tuple[str, ...] = ()  # e.g. that sources disagree, or that the LLM was unreachable
    # the outlets and period the question was held to: a conversation's next question under
    # other filters is a question of its own unless it refers back ("What is the latest?")
    filters: SearchFilters = field(default_factory=SearchFilters)

    def __str__(self) -> str:
        """The answer's text, as `print(answer)` should show it."""
        return self.text

    def citation(self, n: int) -> Citation:
        for c in self.citations:
            if c.n == n:
                return c
        raise KeyError(n)

    def to_dict(self) -> dict[str, object]:
        return {
            "question": self.question,
            "standalone_question": self.standalone_question,
            "text": self.text,
            "declined": self.declined,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "citations": [c.to_dict() for c in self.citations],
            "unsupported": list(self.unsupported),
            "notes": list(self.notes),
            "answerer": self.answerer,
            "filters": self.filters.to_dict(),
            # what the answer was written from, best first (a refusal included: what was found)
            "retrieved": [h.to_dict() for h in self.retrieved],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Answer:
        """The answer its `to_dict()` wrote (a conversation kept as JSON, read back), the same
        as it was; a part it leaves out is empty. KeyError or ValueError for one that is not an
        answer's."""
        try:
            return cls(
                question=str(data["question"]),
                text=str(data["text"]),
                citations=tuple(Citation.from_dict(c) for c in data.get("citations") or ()),
                declined=bool(data.get("declined")),
                as_of=_moment(data.get("as_of")),
                unsupported=_texts(data.get("unsupported") or [], "unsupported"),
                standalone_question=str(data.get("standalone_question") or ""),
                retrieved=tuple(SearchHit.from_dict(h) for h in data.get("retrieved") or ()),
                answerer=str(data.get("answerer") or ""),
                notes=_texts(data.get("notes") or [], "notes"),
                filters=SearchFilters.from_dict(data.get("filters") or {}),
            )
        except TypeError as exc:  # (a part of the wrong kind: a number for a mapping …)
            raise ValueError(f"not an answer's to_dict(): {exc}") from None


@dataclass(frozen=True)
class Skipped:
    """An input that was not indexed, and why. `broken`: it could not be read this time (what
    it held before is kept); False when it was read and holds no article (a record without
    text), so that an article it held before is gone."""

    origin: str
    reason: str
    broken: bool = True
    # for a program to tell some apart without reading `reason`: "in_corpus" (a file an ingest
    # did not copy, its bytes already in the corpus as `same_as`), "missing" (a file to remove
    # that is not there)
    kind: str = ""
    same_as: str = ""


@dataclass(frozen=True, kw_only=True)
class CorpusFile:
    """A file of the corpus folder (`NewsQA.corpus_files`), named relative to it: the articles
    indexed from it, and the other files holding the indexed versions of the articles it only
    copies (a syndicated copy of another outlet's story, the same article again). A file with
    neither holds no article that could be read, or none indexed yet (`unread` tells)."""

    name: str
    articles: int = 0
    copy_of: tuple[str, ...] = ()
    unread: bool = False


@dataclass(frozen=True, kw_only=True)
class Removal:
    """What `NewsQA.remove` did: the files moved out of the corpus folder (named relative to
    it) into `kept_in`, those left where they were and why, and the update that followed."""

    removed: tuple[str, ...] = ()
    kept_in: str = ""
    skipped: tuple[Skipped, ...] = ()
    report: IndexReport | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "removed": list(self.removed),
            "kept_in": self.kept_in,
            "skipped": [{"origin": s.origin, "reason": s.reason} for s in self.skipped],
            "update": self.report.to_dict() if self.report else None,
        }


@dataclass(frozen=True, kw_only=True)
class FeedRead:
    """One feed as a follow or a refresh read it: the articles of its new entries (`new`), its
    entries taken before and not fetched again (`known`), and why nothing was read (`error`:
    unreachable, not a feed; "" when it was read)."""

    url: str
    new: int = 0
    known: int = 0
    error: str = ""

    def to_dict(self) -> dict[str, object]:
        return {"url": self.url, "new": self.new, "known": self.known, "error": self.error}


@dataclass(frozen=True, kw_only=True)
class FeedRefresh:
    """What `NewsQA.follow` or `refresh_feeds` did: each feed read, the files written into the
    corpus folder, the entries skipped with the reason, and the update that followed."""

    feeds: tuple[FeedRead, ...] = ()
    written: tuple[str, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    report: IndexReport | None = None

    @property
    def new(self) -> int:
        return sum(f.new for f in self.feeds)

    def to_dict(self) -> dict[str, object]:
        return {
            "feeds": [f.to_dict() for f in self.feeds],
            "new": self.new,
            "written": list(self.written),
            "skipped": [{"origin": s.origin, "reason": s.reason} for s in self.skipped],
            "update": self.report.to_dict() if self.report else None,
        }


@dataclass(frozen=True, kw_only=True)
class FollowedFeed:
    """A feed the corpus follows: its address, when it was followed and last read (ISO times in
    UTC; "" for never), and how many of its entries were taken."""

    url: str
    added: str
    refreshed: str = ""
    taken: int = 0

    def to_dict(self) -> dict[str, object]:
        return {
            "url": self.url,
            "added": self.added,
            "refreshed": self.refreshed,
            "taken": self.taken,
        }


@dataclass
class LoadResult:
    """What loading a path produced: articles, and the inputs skipped with their reasons."""

    articles: list[Article] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def extend(self, other: LoadResult) -> None:
        self.articles.extend(other.articles)
        self.skipped.extend(other.skipped)


@dataclass
class IndexReport:
    """The summary of an `update` or `rebuild`."""

    mode: str  # "update" or "rebuild"
    articles_read: int = 0
    articles_added: int = 0
    articles_changed: int = 0
    articles_removed: int = 0
    articles_unchanged: int = 0
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (origin, duplicate of)
    syndicated: list[tuple[str, str]] = field(default_factory=list)  # (origin, near-copy of)
    skipped: list[Skipped] = field(default_factory=list)
    # articles indexed with something to check: a date not understood, a date in the future,
    # a text far longer than any news article
    warnings: list[Skipped] = field(default_factory=list)
    chunks_added: int = 0
    chunks_removed: int = 0
    chunks_unchanged: int = 0
    chunks_embedded: int = 0
    chunks_restored: int = 0  # of those embedded: live chunks whose vectors the store had lost
    seconds: float = 0.0
    embed_seconds: float = 0.0

    def to_dict(self) -> dict[str, object]:
        return {
            "mode": self.mode,
            "articles": {
                "read": self.articles_read,
                "added": self.articles_added,
                "changed": self.articles_changed,
                "removed": self.articles_removed,
                "unchanged": self.articles_unchanged,
            },
            "duplicates": [{"origin": o, "duplicate_of": d} for o, d in self.duplicates],
            "syndicated": [{"origin": o, "copy_of": d} for o, d in self.syndicated],
            "skipped": [{"origin": s.origin, "reason": s.reason} for s in self.skipped],
            "warnings": [{"origin": s.origin, "reason": s.reason} for s in self.warnings],
            "chunks": {
                "added": self.chunks_added,
                "removed": self.chunks_removed,
                "unchanged": self.chunks_unchanged,
                "embedded": self.chunks_embedded,
                "restored": self.chunks_restored,
            },
            "seconds": round(self.seconds, 3),
            "embed_seconds": round(self.embed_seconds, 3),
        }


@dataclass
class IndexStats:
    """What an index holds and how it was built."""

    path: str
    exists: bool
    articles: int = 0
    chunks: int = 0
    syndicated_copies: int = 0
    outlets: dict[str, int] = field(default_factory=dict)
    earliest: str = ""
    latest: str = ""
    updated_at: str = ""
    build: dict[str, str] = field(default_factory=dict)

    @property
    def named_outlets(self) -> list[str]:
        """The outlets a filter can name, most articles first (`outlets` also counts, under "",
        the articles that name none)."""
        return [name for name in self.outlets if name]

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "exists": self.exists,
            "articles": self.articles,
            "chunks": self.chunks,
            "syndicated_copies": self.syndicated_copies,
            "outlets": self.outlets,
            "earliest": self.earliest,
            "latest": self.latest,
            "updated_at": self.updated_at,
            "build": self.build,
        }
