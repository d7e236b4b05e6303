"""HTML pages: main text and metadata extracted with trafilatura (nothing is fetched here)."""

from __future__ import annotations

import logging
import re
from datetime import datetime, time
from html import unescape

import trafilatura
from trafilatura.settings import Document

from newsqa.corpus.common import clean_text, decode_utf8, outlet_name, parse_date
from newsqa.notices import skip_notices_only
from newsqa.types import Article, Skipped, without_tracking

__all__ = ["declared_charset", "decode_html", "extract_page"]

_TIME_TAG = re.compile(r"<time\b[^>]*>", re.I)
_TITLE_TAG = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.I | re.S)
# what a <title> adds after the headline: " - City Paper", " | City Paper"
_TITLE_SITE = re.compile(r"\s*[-|–—·:]\s*(\S.{0,58}?)\s*")
_DATETIME = re.compile(r"""\bdatetime\s*=\s*["']([^"']+)["']""", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)

# trafilatura reports pages it discards at WARNING/ERROR; each skip is reported by us instead.
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in a `<meta>` tag near its top, if any."""
    m = _META_CHARSET.search(data[:4096])
    return m.group(1).decode("ascii").lower() if m else None


def decode_html(
    data: bytes, origin: str, http_charset: str | None = None, *, errors: str = "strict"
) -> str | Skipped:
    """Page text in the charset the server or the page declares; when neither does, UTF-8, or
    failing that windows-1252, as browsers read an undeclared page (an old page saved from a
    Windows editor). `errors` applies to a declared charset only: an undeclared page is tried
    as UTF-8 strictly, else a lenient decode would never fail and never reach windows-1252 ("é"
    read as "\ufffd"), so a page fetched reads as the same page saved to a file."""
    declared = http_charset or declared_charset(data)
    if declared is not None:
        return decode_utf8(data, origin, declared, errors=errors)
    text = decode_utf8(data, origin)
    return data.decode("cp1252", "replace") if isinstance(text, Skipped) else text


def _date_params() -> dict[str, object]:
    # original_date: the publication date, not the last modification; no extensive search, which
    # would guess a date from free text such as a copyright line; keep time and zone when given.
    return {
        "original_date": True,
        "extensive_search": False,
        "outputformat": "%Y-%m-%dT%H:%M:%S%z",
        "max_date": datetime.now().astimezone().strftime("%Y-%m-%d"),
    }


def _with_time(published: datetime | None, html: str) -> datetime | None:
    """The page's own `<time datetime>` of that day, time and zone included, for a date that
    trafilatura's date finder gives as the day alone (read from the URL's /2024/04/09/, or from
    the text of a `<time>`, "Tuesday 9 April 2024"); one marked as the publication's first (an
    update's time may come before it). The day stays the one found: only its time is added."""
    if published is None or published.tzinfo is not None or published.time() != time():
        return published
    tags = sorted(
        _TIME_TAG.findall(html), key=lambda tag: not re.search(r"publish|pubdate", tag, re.I)
    )
    for tag in tags:
        attr = _DATETIME.search(tag)
        full = parse_date(attr.group(1)) if attr else None
        if full and full.date() == published.date() and (full.tzinfo or full.time() != time()):
            return full
    return published


def _drop_repeated_title(text: str, title: str) -> str:
    """trafilatura keeps the page's <h1> as the first line; the title is stored separately."""
    first, _, rest = text.partition("\n\n")
    if title and first.strip().casefold() == title.strip().casefold() and rest.strip():
        return rest
    return text


_MIN_WORDS = 5  # fewer, and what trafilatura found is not an article


def _site_in_title(html: str, title: str) -> str:
    """The outlet a page's <title> names after its headline ("… - City Paper"), or ""."""
    m = _TITLE_TAG.search(html)
    if m is None or not title:
        return ""
    raw = " ".join(unescape(m[1]).split())
    if not raw.startswith(title):
        return ""
    site = _TITLE_SITE.fullmatch(raw[len(title) :])
    return site[1] if site and len(site[1].split()) <= 6 else ""


def extract_page(html: str, origin: str, *, url: str | None = None) -> Article | Skipped:
    """One article from an HTML document; `url` is where it was served from, if known.

    The article's URL is the page's canonical one when declared, else `url`, without tracking
    parameters (`utm_source`, `fbclid`, …: not to be stored and cited). Pages where
    trafilatura finds no main text, or only notices to readers, are skipped with a reason.
    """
    try:
        doc = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            favor_precision=True,  # small pages otherwise fall back to text with nav and footer
            include_tables=True,
            date_extraction_params=_date_params(),
        )
    except Exception as exc:  # a third-party parser on arbitrary input
        return Skipped(origin, f"HTML extraction failed: {type(exc).__name__}: {exc}")
    if not isinstance(doc, Document):  # None: nothing found (a dict only with as_dict=True)
        return Skipped(origin, "no article text found in the HTML page")
    title = clean_text(doc.title or "")
    # trafilatura puts one paragraph per line; blank lines between them match the other loaders.
    text = clean_text(doc.text or "").replace("\n", "\n\n")
    text = clean_text(_drop_repeated_title(text, title))
    if len(text.split()) < _MIN_WORDS:  # a menu, a cookie wall, an empty template
        return Skipped(origin, "no article text found in the HTML page")
    site = doc.sitename or ""
    if not site or site.removeprefix("www.") == (doc.hostname or "").removeprefix("www."):
        # a page that names its outlet only in its <title> ("Zoo welcomes twin pandas - City
        # Paper"): trafilatura cuts it from the title and keeps the host name, or nothing
        site = _site_in_title(html, title) or site
    article = Article(
        title=title,
        text=text,
        source=outlet_name(site),
        author=clean_text(doc.author or "").replace("; ", ", "),
        published=_with_time(parse_date(doc.date), html),
        url=without_tracking((doc.url or url or "").strip()),
        origin=origin,
    )
    # a paywall stub or a cookie wall: skipped here, so a feed entry falls back to its summary
    return skip_notices_only(article)
