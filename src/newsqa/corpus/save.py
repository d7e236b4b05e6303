"""Articles written back as Markdown files with front matter, so fetched pages join the corpus."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import yaml

from newsqa.corpus.text import parse_text_article
from newsqa.types import Article, article_id_for

__all__ = ["article_filename", "render_markdown", "save_articles"]

_SLUG_MAX = 60


def _slug(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    if len(slug) > _SLUG_MAX:
        slug = slug[:_SLUG_MAX].rsplit("-", 1)[0] or slug[:_SLUG_MAX]
    return slug or "untitled"


def article_filename(article: Article) -> str:
    """`<yyyy-mm-dd or undated>-<slug of title>-<first 8 chars of id>.md`."""
    day = article.published.date().isoformat() if article.published else "undated"
    return f"{day}-{_slug(article.title)}-{article.id[:8]}.md"


def render_markdown(article: Article) -> str:
    """The file text: YAML front matter (title always, other fields when set), then the body.

    The title is written even when empty so that the loader does not take the first body line
    for it; that is what makes the round trip exact.
    """
    meta: dict[str, str] = {"title": article.title}
    for key, value in (
        ("source", article.source),
        ("author", article.author),
        # a date that could not be read is kept as written, so the update still says so
        ("published", article.published_iso or article.unread_date),
        ("url", article.url),
    ):
        if value:
            meta[key] = value
    if not article.url and article.id != article_id_for(None, article.text):
        meta["id"] = article.id  # a feed entry's guid made it: its next version is the same
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=10_000)
    return f"---\n{front}---\n\n{article.text}\n"


def save_articles(articles: Iterable[Article], dest: Path) -> list[Path]:
    """Write each article to `dest/` as Markdown; returns the file of every article, in order.

    A file whose content is already identical is left untouched (its mtime too), so re-saving the
    same fetch does not make the indexer see a change.
    """
    dest.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for article in articles:
        earlier = _earlier(article, dest)
        article = _with_known(article, earlier)
        path = dest / article_filename(article)
        content = render_markdown(article).encode("utf-8")
        try:
            unchanged = path.read_bytes() == content
        except FileNotFoundError:
            unchanged = False
        if not unchanged:
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_bytes(content)
            tmp.replace(path)
        # the same article saved before under another title or date (a page corrected since):
        # the new version replaces it, rather than the longer of the two being indexed
        for older, _ in earlier:
            if older != path and older not in paths:
                older.unlink(missing_ok=True)
        paths.append(path)
    return paths


def _earlier(article: Article, dest: Path) -> list[tuple[Path, Article]]:
    """The files in `dest` that hold `article` already (saved under another title or date), as
    they were saved; another article whose file name happens to end the same is not one."""
    out = []
    for older in dest.glob(f"*-{article.id[:8]}.md"):
        saved = _saved(older)
        if saved is not None and saved.id == article.id:
            out.append((older, saved))
    return out


def _with_known(article: Article, earlier: list[tuple[Path, Article]]) -> Article:
    """`article` with what an earlier save of it knew and this fetch lacks (a feed gave the date,
    the page itself has none): a second fetch never blanks a date, an outlet or an author."""
    if not earlier:
        return article
    saved = earlier[0][1]
    return replace(
        article,
        published=article.published or saved.published,
        source=article.source or saved.source,
        author=article.author or saved.author,
    )


def _saved(path: Path) -> Article | None:
    """The article a saved file holds (None if it cannot be read as one)."""
    try:
        saved = parse_text_article(path.read_text("utf-8"), str(path), markdown=True)
    except (OSError, UnicodeDecodeError):
        return None
    return saved if isinstance(saved, Article) else None
