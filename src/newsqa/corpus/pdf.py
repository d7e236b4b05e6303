"""PDF files: an article saved or printed as PDF (a browser's "Save as PDF" or "Print", an
outlet's page exported), read as its text, with the title, outlet, address, author and date
that its metadata, its printed header and footer and its first lines give.

A PDF holds positioned text, not paragraphs: lines are joined back into sentences, a line that
ends a sentence short of the page's width ends a paragraph, and the running heads and feet of
the pages (a browser's "12/2/26, 8:53 PM Title" and "https://… 1/2", page numbers, an outlet's
name repeated on every page) are taken out of the text.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from itertools import pairwise

from newsqa.corpus.common import clean_text, clean_title, outlet_name, parse_date
from newsqa.types import Article, Skipped, without_tracking

__all__ = ["extract_pdf"]

# a browser's printed header and footer: "12/2/26, 8:53 PM Ferry strike ends - Harbour Times",
# "https://harbourtimes.example/news/ferry 1/2"
_PRINTED_HEADER = re.compile(
    r"^\d{1,2}[/.]\d{1,2}[/.]\d{2,4},?\s+\d{1,2}:\d{2}(?:\s*[AaPp]\.?[Mm]\.?)?\s+(\S.*)$"
)
_PRINTED_FOOTER = re.compile(r"^(https?://\S+)\s+\d+\s*/\s*\d+$")
_PAGE_NUMBER = re.compile(r"^(?:(?:page|p\.)\s*)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?$", re.I)
_EDGE_LINES = 2  # lines at the top and at the foot of a page where running heads and feet sit
_HEAD_WORDS = 12  # a running head or foot is short: "THE HARBOUR TIMES | Thursday, May 2, 2024"
_TITLE_SITE = re.compile(r"^(.{8,}?)\s+[-|–—]\s+(\S.{0,58})$")  # "Headline - Outlet"
_GENERIC_TITLE = re.compile(
    r"^(?:untitled\b.*|document\s*\d*|microsoft (?:word|powerpoint) - .*|.*\.(?:pdf|docx?|html?))$",
    re.I,
)
_BYLINE = re.compile(r"^by\s+(\S.{1,80})$", re.I)
_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
# a date written out in a line near the top (a dateline, a byline): "2 May 2024", "May 2,
# 2024", "2024-05-02"; numeric forms such as 02/05/2024 are left: which is the month is unsure
_WRITTEN_DATE = re.compile(
    rf"\b(?:\d{{1,2}}\s+{_MONTHS}\s+\d{{4}}|{_MONTHS}\s+\d{{1,2}},?\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})\b",
    re.I,
)
_DATE_LINES = 8  # lines of the text's top searched for its date
_SENTENCE_END = re.compile(r"[.!?…:;\"”’)]$")
_MIN_WORDS = 5


def _pages(data: bytes, origin: str) -> tuple[list[str], dict[str, str]] | Skipped:
    """Each page's text and the document's metadata, or why they cannot be read."""
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            return Skipped(origin, "encrypted PDF: it needs a password to be read")
        pages = [page.extract_text() or "" for page in reader.pages]
        meta = {
            str(k).lstrip("/").lower(): str(v)
            for k, v in (reader.metadata or {}).items()
            if isinstance(v, str)
        }
    except Exception as exc:  # a third-party parser on arbitrary input
        return Skipped(origin, f"malformed PDF: {type(exc).__name__}: {exc}".rstrip(": "))
    return pages, meta


def _shape(line: str) -> str:
    """A line with its figures blanked: a running head that carries its page number."""
    return re.sub(r"\d+", "#", line.casefold())


def _body_lines(pages: list[str]) -> tuple[list[str], str, str]:
    """The lines of the text without the pages' running heads and feet, and the title and
    address a browser printed in them (or "")."""
    split = [[ln.strip() for ln in page.splitlines() if ln.strip()] for page in pages]
    edges = Counter(
        shape
        for lines in split
        for shape in {
            _shape(ln)
            for ln in lines[:_EDGE_LINES] + lines[-_EDGE_LINES:]
            # a line of the text runs the page's width, or goes on with a sentence
            if len(ln.split()) <= _HEAD_WORDS and not ln[:1].islower()
        }
    )
    printed = sum(1 for lines in split if lines)
    repeated = {s for s, n in edges.items() if printed >= 2 and n >= max(2, (printed + 1) // 2)}
    title = url = ""
    kept: list[str] = []
    for lines in split:
        for i, line in enumerate(lines):
            edge = i < _EDGE_LINES or i >= len(lines) - _EDGE_LINES
            if edge and (header := _PRINTED_HEADER.match(line)):
                title = title or header[1].strip()
                continue
            if edge and (footer := _PRINTED_FOOTER.match(line)):
                url = url or footer[1]
                continue
            if edge and (_PAGE_NUMBER.match(line) or _shape(line) in repeated):
                continue
            kept.append(line)
    return kept, title, url


def _paragraphs(lines: list[str]) -> str:
    """Lines joined back into sentences; a line that ends a sentence well short of the longest
    lines ends its paragraph, as does a short line without a full stop (a heading)."""
    if not lines:
        return ""
    widths = sorted(len(ln) for ln in lines)
    full = widths[int(0.9 * (len(widths) - 1))]
    out = [lines[0]]
    for prev, line in pairwise(lines):
        short = len(prev) < 0.8 * full
        if short and (_SENTENCE_END.search(prev) or line[:1].isupper()):
            out.append("\n\n")
        elif prev.endswith("-") and line[:1].islower():
            pass  # a word carried over ("well-" "known"): its hyphen kept, no space
        else:
            out.append(" ")
        out.append(line)
    return clean_text("".join(out))


def _title_and_site(title: str, url: str) -> tuple[str, str]:
    """ "Headline - Outlet" as (headline, outlet) when the tail names the site of `url` ("Harbour
    Times" of harbourtimes.example), or, with no address, is a short name in capitals; else
    (title, "") ("Israel-Hamas war - live updates" keeps its tail)."""
    m = _TITLE_SITE.match(title)
    if m is None:
        return title, ""
    tail = m[2].strip()
    words = tail.split()
    if url:
        host = re.sub(r"[^a-z0-9]", "", outlet_name(url).lower())
        named = re.sub(r"[^a-z0-9]", "", tail.lower().removeprefix("the "))
        fits = len(named) >= 3 and named in host
    else:
        fits = len(words) <= 4 and all(w[:1].isupper() or w[:1].isdigit() for w in words)
    return (m[1].strip(), tail) if fits else (title, "")


def extract_pdf(data: bytes, origin: str) -> Article | Skipped:
    """One article from a PDF file's bytes; a PDF without text (scanned pages), encrypted or
    malformed is skipped with the reason."""
    read = _pages(data, origin)
    if isinstance(read, Skipped):
        return read
    pages, meta = read
    lines, printed_title, url = _body_lines(pages)
    meta_title = clean_title(meta.get("title", ""))
    raw_title = next(
        (t for t in (meta_title, printed_title) if t and not _GENERIC_TITLE.match(t)), ""
    )
    url = without_tracking(url)
    title, site = _title_and_site(raw_title, url)
    # the headline is the text's first line too, as the page showed it
    if lines and title and lines[0].casefold() == title.casefold():
        lines = lines[1:]
    elif lines and not title and len(lines[0].split()) <= 20:
        title, lines = lines[0], lines[1:]
    author, published = meta.get("author", "").strip(), None
    for i, line in enumerate(lines[:_DATE_LINES]):
        date = _WRITTEN_DATE.search(line)
        rest = line if date is None else line[: date.start()] + line[date.end() :]
        byline = _BYLINE.match(rest.strip(" ·|,–—-"))
        if byline is None and (date is None or len(rest.split()) > 4 or published is not None):
            continue  # a sentence that names a day is no dateline
        if date is not None and published is None:
            published = parse_date(date[0])
        if byline is not None and not author:
            author = byline[1].strip(" ·|,–—-")
        lines[i] = ""  # a byline or a dateline: said in the fields, not a sentence of it
    text = _paragraphs([ln for ln in lines if ln])
    if len(text.split()) < _MIN_WORDS:
        return Skipped(origin, "no text in the PDF (scanned pages? they would need OCR first)")
    return Article(
        title=title,
        text=text,
        source=outlet_name(site or url),  # an address alone: its host
        author=author,
        published=published,
        url=url,
        origin=origin,
    )
