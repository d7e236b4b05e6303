"""The corpus: news articles read from files (text, Markdown, HTML, JSON, CSV, PDF, feeds) or
fetched URLs.

`iter_path` streams a file or a folder as `Article`s and `Skipped` inputs (never raising for bad
input); `load_path` collects them; `fetch_url` ingests a page or feed over HTTP and
`save_articles` writes articles into the corpus folder as Markdown.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TypeAlias

from newsqa.corpus.common import DEFAULT_MAX_FILE_BYTES, decode_utf8, parse_date, read_file
from newsqa.corpus.feeds import iter_feed
from newsqa.corpus.fetch import fetch_url
from newsqa.corpus.pdf import extract_pdf
from newsqa.corpus.records import iter_csv, iter_json, iter_jsonl
from newsqa.corpus.save import save_articles
from newsqa.corpus.text import parse_text_article
from newsqa.corpus.webpage import decode_html, extract_page
from newsqa.notices import skip_notices_only
from newsqa.types import Article, LoadResult, Skipped

__all__ = [
    "SUPPORTED_EXTENSIONS",
    "article_files",
    "fetch_url",
    "holds_files",
    "iter_path",
    "load_path",
    "parse_date",
    "save_articles",
]

Item: TypeAlias = Article | Skipped
_Loader = Callable[[bytes, str], Iterator[Item]]

# Files a corpus folder may carry besides articles (attribution, licence); passed over silently.
IGNORED_STEMS = frozenset({"readme", "license", "licence", "notice", "changelog"})


def _text_loader(*, markdown: bool) -> _Loader:
    def load(data: bytes, origin: str) -> Iterator[Item]:
        text = decode_utf8(data, origin)
        yield (
            text
            if isinstance(text, Skipped)
            else parse_text_article(text, origin, markdown=markdown)
        )

    return load


def _html(data: bytes, origin: str) -> Iterator[Item]:
    html = decode_html(data, origin)
    yield html if isinstance(html, Skipped) else extract_page(html, origin)


def _json(data: bytes, origin: str) -> Iterator[Item]:
    text = decode_utf8(data, origin)
    if isinstance(text, Skipped):
        yield text
    else:
        yield from iter_json(text, origin)


def _jsonl(data: bytes, origin: str) -> Iterator[Item]:
    text = decode_utf8(data, origin)
    if isinstance(text, Skipped):
        yield text
    else:
        yield from iter_jsonl(text, origin)


def _csv(*, tabs: bool) -> _Loader:
    def load(data: bytes, origin: str) -> Iterator[Item]:
        text = decode_utf8(data, origin)
        if isinstance(text, Skipped):  # a spreadsheet's "CSV" export: its Windows code page
            text = decode_utf8(data, origin, "windows-1252")
        if isinstance(text, Skipped):
            yield text
        else:
            yield from iter_csv(text, origin, tabs=tabs)

    return load


def _pdf(data: bytes, origin: str) -> Iterator[Item]:
    yield extract_pdf(data, origin)


_LOADERS: dict[str, _Loader] = {
    ".txt": _text_loader(markdown=False),
    ".md": _text_loader(markdown=True),
    ".markdown": _text_loader(markdown=True),
    ".html": _html,
    ".htm": _html,
    ".json": _json,
    ".jsonl": _jsonl,
    ".ndjson": _jsonl,
    ".csv": _csv(tabs=False),
    ".tsv": _csv(tabs=True),
    ".pdf": _pdf,
    ".xml": iter_feed,
    ".rss": iter_feed,
    ".atom": iter_feed,
}
SUPPORTED_EXTENSIONS = tuple(_LOADERS)
_BINARY = frozenset({".pdf"})  # formats whose files are bytes, not text


def _load_file(path: Path, origin: str, max_file_bytes: int) -> Iterator[Item]:
    if not path.exists():  # a broken link (a folder on a drive not mounted) is not a file type
        yield Skipped(origin, "no such file (or a broken symbolic link)")
        return
    ext = path.suffix.lower()
    loader = _LOADERS.get(ext)
    if loader is None:
        yield Skipped(origin, f"unsupported file type '{ext}'" if ext else "file has no extension")
        return
    data = read_file(path, origin, max_file_bytes, binary=ext in _BINARY)
    if isinstance(data, Skipped):
        yield data
        return
    try:
        # a text of nothing but notices to readers (a saved paywall stub) is no article
        yield from map(skip_notices_only, loader(data, origin))
    except Exception as exc:  # one odd file must not stop a whole corpus load
        yield Skipped(origin, f"could not be read: {type(exc).__name__}: {exc}")


def _ignored_file(name: str) -> bool:
    return Path(name).stem.lower() in IGNORED_STEMS


def _is_index_folder(folder: Path) -> bool:
    """Whether `folder` is a newsqa index (its `CURRENT` file and a generation's catalog): its
    files are no articles, and each was listed as skipped ("unsupported file type '.bin'")."""
    try:
        return (folder / "CURRENT").is_file() and any(folder.glob("g*/catalog.sqlite"))
    except OSError:
        return False


def _entries(directory: Path, seen: set[Path]) -> Iterator[Path | Skipped]:
    """The files under `directory` read as the corpus, in name order, folders recursed into
    where they sort (hidden ones, README and licence files, index folders passed over); symlink
    loops are cut."""
    try:
        real = directory.resolve()
        if real in seen:
            return
        seen.add(real)
        if _is_index_folder(directory):
            yield Skipped(str(directory), "a newsqa index folder, not articles")
            return
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError as exc:
        yield Skipped(str(directory), f"cannot list folder: {exc.strerror or exc}")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = directory / entry.name
        try:
            is_dir = entry.is_dir()  # follows symlinks
        except OSError:
            is_dir = False
        if is_dir:
            yield from _entries(path, seen)
        elif not _ignored_file(entry.name):
            yield path


def _walk(directory: Path, seen: set[Path], max_file_bytes: int) -> Iterator[Item]:
    for entry in _entries(directory, seen):
        if isinstance(entry, Skipped):
            yield entry
        else:
            yield from _load_file(entry, str(entry), max_file_bytes)


def article_files(folder: Path, *, passing_over: Iterable[Path] = ()) -> list[Path]:
    """The files of `folder` that `iter_path` reads articles from (of a type it reads), as it
    names them, without reading any."""
    entries = _entries(Path(folder), {p.resolve() for p in passing_over})
    return [e for e in entries if isinstance(e, Path) and e.suffix.lower() in _LOADERS]


def iter_path(
    path: Path,
    *,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    passing_over: Iterable[Path] = (),
) -> Iterator[Item]:
    """Stream the articles of a file, or of every supported file under a folder (sorted, recursive).

    Hidden files and folders, README/LICENSE/NOTICE/CHANGELOG files and the folders
    `passing_over` names (an index kept inside its corpus) are passed over silently in folders
    (a file named explicitly is always read). Anything unusable comes back as
    `Skipped(origin, reason)`; origins are paths as given (`corpus/a.json#3` for a record).
    """
    path = Path(path)
    if path.is_dir():
        yield from _walk(path, {p.resolve() for p in passing_over}, max_file_bytes)
    elif not path.exists() and not path.is_symlink():
        yield Skipped(str(path), "no such file or folder")
    else:
        yield from _load_file(path, str(path), max_file_bytes)


def holds_files(folder: Path, *, passing_over: Iterable[Path] = ()) -> bool:
    """Whether `folder` holds a file `iter_path` would read: one not hidden, not a README or
    licence, not in the folders `passing_over` names (without reading any)."""
    seen = {p.resolve() for p in passing_over}
    for root, dirs, files in os.walk(folder, followlinks=True):
        seen.add(Path(root).resolve())
        if any(not f.startswith(".") and not _ignored_file(f) for f in files):
            return True
        dirs[:] = [
            d for d in dirs if not d.startswith(".") and (Path(root, d).resolve() not in seen)
        ]
    return False


def load_path(path: Path, *, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES) -> LoadResult:
    """All of `iter_path` collected into a `LoadResult`."""
    result = LoadResult()
    for item in iter_path(path, max_file_bytes=max_file_bytes):
        if isinstance(item, Article):
            result.articles.append(item)
        else:
            result.skipped.append(item)
    return result
