"""Bringing articles into the corpus folder (`NewsQA.ingest`): pages and feeds fetched and saved,
local files copied in. A copy never lands outside the folder; a file already there (by its bytes)
is said, not copied again; a new version of a file (the same articles, corrected) replaces it."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from newsqa.corpus import fetch_url, load_path, save_articles
from newsqa.corpus.text import links_listed
from newsqa.types import Article, LoadResult, Skipped, origin_file

__all__ = ["holders_of", "save_fetched", "take_in"]

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:/")  # "ftp://", "file:///": not a path to read


def take_in(
    targets: Iterable[str],
    corpus: Path,
    index_dir: Path,
    max_file_bytes: int,
    indexed: Callable[[], Iterable[tuple[str, str, str, str, str]]],
) -> tuple[LoadResult, list[Path]]:
    """Bring `targets` (URLs of pages or feeds, files listing URLs, local files or folders) into
    the `corpus` folder. Returns what was read and the files written (each once). `indexed`
    gives the index's articles (id, title, outlet, published, origin), asked once if a copy
    needs them (to find the file it is a new version of)."""
    loaded = LoadResult()
    written: list[Path] = []
    held = [corpus.resolve(), index_dir.resolve()]
    holders: dict[str, set[Path]] | None = None  # read from the index once, if needed

    def fetched(url: str) -> None:
        got = fetch_url(url)
        loaded.extend(got)
        written.extend(save_fetched(got.articles, corpus))

    for target in targets:
        if target.lower().startswith(("http://", "https://")):
            fetched(target)
            continue
        if not target.strip() or _SCHEME.match(target):
            reason = "not a file, a folder or an http(s) address"
            loaded.skipped.append(Skipped(target or "''", reason))
            continue
        src = Path(target).resolve()
        if any(src == h or src in h.parents for h in held):
            reason = "holds the corpus or the index folder: name the files or folders to add"
            loaded.skipped.append(Skipped(target, reason))
            continue
        links = links_listed(Path(target), max_file_bytes=max_file_bytes)
        if links:  # a file of addresses ("urls.txt"): their pages and feeds, not the file
            for url in links:
                fetched(url)
            continue
        got = load_path(Path(target), max_file_bytes=max_file_bytes)
        loaded.extend(got)
        if got.articles and held[0] not in src.parents:  # one in the corpus is there already
            if holders is None:
                holders = holders_of(indexed(), corpus)
            copied, repeats = _copy_in(Path(target), corpus, got.articles, max_file_bytes, holders)
            written += copied
            loaded.skipped += repeats
    return loaded, list(dict.fromkeys(written))


def save_fetched(articles: Sequence[Article], corpus: Path) -> list[Path]:
    """Fetched articles saved as Markdown files into the corpus's `ingested` folder; the files
    written (one identical to what is there is left as it was: not written again)."""
    before = {p: p.stat().st_mtime_ns for p in (corpus / "ingested").glob("*.md")}
    saved = save_articles(articles, corpus / "ingested")
    return [p for p in saved if before.get(p) != p.stat().st_mtime_ns]


def holders_of(
    indexed: Iterable[tuple[str, str, str, str, str]], corpus: Path
) -> dict[str, set[Path]]:
    """Each indexed article's marks (id, title) -> the files of `corpus` the index read it
    from; `indexed` as `NewsIndex.titled_origins` gives them."""
    root = corpus.resolve()
    out: dict[str, set[Path]] = {}
    for article_id, title, source, published, origin in indexed:
        file = Path(origin_file(origin))
        if root in file.resolve().parents:
            for mark in _marks_of(article_id, title, source, published):
                out.setdefault(mark, set()).add(file)
    return out


def _copy_in(
    src: Path,
    dest: Path,
    articles: Sequence[Article],
    max_bytes: int,
    holders: dict[str, set[Path]] | None = None,
) -> tuple[list[Path], list[Skipped]]:
    """Copy the files of `src` (a file or a folder) that gave `articles` into `dest`; a folder's
    other files (hidden, unsupported, unreadable) stay out. A file of the same name is replaced
    by a new version of it (one that holds every article it held, by id: a corrected copy);
    another is kept, and the new one gets a free name ("wire-2.json"); an identical one is not
    copied again. `holders` (an article's marks -> the corpus files the index read it from)
    finds a file of which it is a new version under another name or folder: that one is
    replaced (a story ingested with its folder, corrected later alone). A file whose articles,
    word for word, are all in files before it (copied, or found in the corpus) is not copied:
    a second copy is indexed once anyway, and a correction ingested later would replace only
    one of them, the stale one still found. Returns the files written, and those duplicates
    and the files found in the corpus as they are (not copied: said, as the duplicates are)."""
    held: dict[Path, set[str]] = {}  # file -> the ids and titles of its articles
    contents: dict[Path, set[tuple[str, str]]] = {}  # file -> its articles' ids and contents
    for article in articles:
        file = Path(origin_file(article.origin))
        held.setdefault(file, set()).update(_marks(article))
        contents.setdefault(file, set()).add((article.id, article.content_hash))
    out: list[Path] = []
    repeats: list[Skipped] = []
    settled: dict[tuple[str, str], Path] = {}  # an article's id and content -> the file kept
    name = src.resolve().name  # ".." is a folder's name only once resolved
    by_size: dict[int, list[Path]] | None = None  # the corpus's files, read once if needed
    for file in sorted(f for f in held if f == src or src in f.parents):
        relative = Path(name) / file.relative_to(src) if file != src else Path(name)
        target = dest / relative
        if not name or dest.resolve() not in target.resolve().parents:
            continue  # never written outside the corpus folder
        if all(a in settled for a in contents[file]):
            first = settled[min(contents[file])]
            repeats.append(Skipped(str(file), f"a duplicate of {first}: not copied"))
            continue
        settled.update(dict.fromkeys(contents[file] - settled.keys(), file))
        if not (target.exists() and _same_bytes(target, file)):
            if by_size is None:
                by_size = _files_by_size(dest)
            same = [c for c in by_size.get(file.stat().st_size, ()) if _same_bytes(c, file)]
            if same:  # in the corpus already, under another name or folder: said, not copied
                there = _in_corpus(same[0], dest)
                repeats.append(_in_corpus_as(file, there))
                continue
        older = [
            h
            for h in sorted({h for m in held[file] for h in (holders or {}).get(m, ())})
            if h.resolve() != target.resolve()
            and h.exists()
            and _versions_of(h, held[file], max_bytes)
        ]
        if len(older) == 1 and older[0].suffix.lower() == file.suffix.lower():
            target = older[0]  # its new version, where it was
            older = []
        n = 1
        while target.exists() and not _same_bytes(target, file):
            if _versions_of(target, held[file], max_bytes):
                break  # a new version of it
            n += 1
            target = target.with_name(f"{relative.stem}-{n}{relative.suffix}")
        if target.exists() and _same_bytes(target, file):
            repeats.append(_in_corpus_as(file, _in_corpus(target, dest)))
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.partial")
        # the corpus's own file, made with the user's umask (a page upload's temporary file is
        # private to the server, 0600), keeping the source's times
        shutil.copyfile(file, partial)
        held_stat = file.stat()
        os.utime(partial, ns=(held_stat.st_atime_ns, held_stat.st_mtime_ns))
        partial.replace(target)
        out.append(target)
        for old in older:  # a version in another format: this one replaces it
            old.unlink(missing_ok=True)
    return out, repeats


def _marks(article: Article) -> set[str]:
    """What tells an article's versions apart from other articles: its id (from its URL, or
    its text) and, when it has one, its title with its outlet and day (a corrected text
    without a URL keeps them; another day's "Morning Briefing" is another article)."""
    return _marks_of(article.id, article.title, article.source, article.published_iso)


def _marks_of(article_id: str, title: str, source: str, published: str) -> set[str]:
    marks = {f"id:{article_id}"}
    if title:
        marks.add(f"title:{source}\x1f{published[:10]}\x1f{title}")
    return marks


def _versions_of(path: Path, marks: set[str], max_bytes: int) -> bool:
    """Whether the articles with `marks` are a new version of every article of the corpus file
    `path` (each shares its id or its title with one of them); False when it holds none."""
    old = load_path(path, max_file_bytes=max_bytes).articles
    return bool(old) and all(_marks(a) & marks for a in old)


def _files_by_size(folder: Path) -> dict[int, list[Path]]:
    """The files under `folder` that the loader reads (none hidden, or in a hidden folder), by
    size."""
    out: dict[int, list[Path]] = {}
    for path in folder.rglob("*"):
        if path.is_file() and not any(p.startswith(".") for p in path.relative_to(folder).parts):
            out.setdefault(path.stat().st_size, []).append(path)
    return out


def _in_corpus_as(file: Path, there: str) -> Skipped:
    """A file not copied: the corpus holds its bytes already, as `there`."""
    return Skipped(str(file), f"already in the corpus as {there}", kind="in_corpus", same_as=there)


def _in_corpus(path: Path, corpus: Path) -> str:
    """`path` as named in the corpus folder ("wire.json"): a page shows no server path."""
    try:
        return str(path.resolve().relative_to(corpus.resolve()))
    except ValueError:
        return str(path)


def _same_bytes(a: Path, b: Path) -> bool:
    return a.is_file() and a.stat().st_size == b.stat().st_size and a.read_bytes() == b.read_bytes()
