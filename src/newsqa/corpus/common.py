"""Helpers shared by the loaders: safe file reading, dates, outlet names, plain-text cleanup."""

from __future__ import annotations

import email.utils
import html
import re
import warnings
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path

from dateutil import parser as dateparser
from dateutil.parser import ParserError

from newsqa.types import Skipped

__all__ = [
    "DEFAULT_MAX_FILE_BYTES",
    "clean_text",
    "clean_title",
    "decode_utf8",
    "first_str",
    "html_to_text",
    "human_size",
    "join_names",
    "outlet_name",
    "parse_date",
    "read_file",
]

DEFAULT_MAX_FILE_BYTES = 50 * 2**20
_SNIFF_BYTES = 8192

# Zone abbreviations dateutil does not know by itself (RFC 822 strings go through `email.utils`).
_TZINFOS: dict[str, int] = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "EST": -5 * 3600,
    "EDT": -4 * 3600,
    "CST": -6 * 3600,
    "CDT": -5 * 3600,
    "MST": -7 * 3600,
    "MDT": -6 * 3600,
    "PST": -8 * 3600,
    "PDT": -7 * 3600,
    "BST": 3600,
    "CET": 3600,
    "CEST": 2 * 3600,
}
_RFC822 = re.compile(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}")
_DEFAULT_A = datetime(2000, 1, 1)
_DEFAULT_B = datetime(2001, 2, 2)


def human_size(n: int) -> str:
    """`1536` -> `1.5 KiB`: sizes as people read them in skip reasons."""
    size = float(n)
    for unit in ("bytes", "KiB", "MiB"):
        if size < 1024 or unit == "MiB":
            return f"{n} bytes" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GiB"  # pragma: no cover - unreachable


def read_file(path: Path, origin: str, max_bytes: int, *, binary: bool = False) -> bytes | Skipped:
    """The bytes of a regular file, or why it cannot be used (size, permissions, empty, binary:
    unless it is of a `binary` format)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return Skipped(origin, "no such file (or a broken symbolic link)")
    except OSError as exc:
        return Skipped(origin, f"cannot read: {exc.strerror or exc}")
    if not path.is_file():
        return Skipped(origin, "not a regular file")
    if st.st_size > max_bytes:
        return Skipped(
            origin,
            f"file is {human_size(st.st_size)}, over the {human_size(max_bytes)} limit "
            "(NEWSQA_MAX_FILE_MB raises it)",
        )
    try:
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except PermissionError:
        return Skipped(origin, "cannot read: permission denied")
    except OSError as exc:
        return Skipped(origin, f"cannot read: {exc.strerror or exc}")
    if len(data) > max_bytes:  # grew between stat and read
        return Skipped(origin, f"file is over the {human_size(max_bytes)} limit")
    if not data.strip():
        return Skipped(origin, "empty file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Skipped(origin, "UTF-16 text is not supported; save the file as UTF-8")
    if not binary and b"\x00" in data[:_SNIFF_BYTES]:
        return Skipped(origin, "binary file (NUL bytes in the first 8 KiB)")
    return data


def decode_utf8(
    data: bytes, origin: str, encoding: str = "utf-8", *, errors: str = "strict"
) -> str | Skipped:
    """Text decoded (strictly by default; a UTF-8 BOM is dropped); a bad byte is reported with
    its offset."""
    codec = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    try:
        return data.decode(codec, errors)
    except UnicodeDecodeError as exc:
        name = "UTF-8" if codec == "utf-8-sig" else encoding
        return Skipped(
            origin, f"not {name} text (invalid byte 0x{data[exc.start]:02x} at offset {exc.start})"
        )
    except LookupError:
        return Skipped(origin, f"unknown text encoding {encoding!r}")


_NEWLINES = re.compile(r"\r\n?")
_BLANK_RUNS = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")


def clean_text(text: str) -> str:
    """Body text with unified newlines, no NULs, trailing spaces and runs of blank lines folded."""
    text = _NEWLINES.sub("\n", text).replace("\x00", "")
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return _BLANK_RUNS.sub("\n\n", text).strip()


_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-f]{1,6}|[a-z]{2,8});", re.IGNORECASE)


def clean_title(text: str) -> str:
    """A headline on one line, its HTML entities decoded: scraped records often carry
    "&#039;Massive intel failure&#039;" where the page showed quotes."""
    if _ENTITY.search(text):
        text = html.unescape(text)
    return " ".join(text.split())


def _fixed_zone(dt: datetime) -> datetime:
    """Swap whatever tzinfo a parser produced for a fixed offset, so isoformat() is stable."""
    offset = dt.utcoffset()
    if offset is None:
        return dt.replace(tzinfo=None)
    return dt.replace(tzinfo=UTC if offset == timedelta(0) else timezone(offset))


def _from_epoch(value: float) -> datetime | None:
    if value > 1e11:  # milliseconds
        value /= 1000
    try:
        return datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def parse_date(value: object) -> datetime | None:
    """A datetime from ISO 8601, RFC 822, common written forms or an epoch number; None if unsure.

    Aware when the input names a zone or offset, naive otherwise. Never raises, never fills in a
    missing year, month or day from today's date.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return _fixed_zone(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, int | float):
        return _from_epoch(float(value))
    if not isinstance(value, str):
        return None
    s = value.strip()
    if not s:
        return None
    if re.fullmatch(r"\d{10}(\d{3})?(\.\d+)?", s):
        return _from_epoch(float(s))
    try:
        return _fixed_zone(datetime.fromisoformat(s.replace("Z", "+00:00")))
    except ValueError:
        pass
    if _RFC822.match(s):  # email.utils knows the RFC 822 zone names but guesses on other forms
        try:
            return _fixed_zone(email.utils.parsedate_to_datetime(s))
        except (TypeError, ValueError, IndexError):
            pass
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a = dateparser.parse(s, default=_DEFAULT_A, tzinfos=_TZINFOS)
            b = dateparser.parse(s, default=_DEFAULT_B, tzinfos=_TZINFOS)
    except (ParserError, ValueError, OverflowError, TypeError):
        return None
    if a.date() != b.date():  # the string lacked a year, month or day
        return None
    return _fixed_zone(a)


def first_str(record: Mapping[str, object], keys: Sequence[str]) -> str:
    """The first non-empty string value among `keys` (already lower-cased) of a record."""
    for key in keys:
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
    return ""


def join_names(value: object) -> str:
    """Authors as one string: a name, a list of names, or objects with a `name`; None -> ''."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, Mapping):
        name = value.get("name")
        return name.strip() if isinstance(name, str) else ""
    if isinstance(value, list | tuple):
        names = [join_names(v) for v in value]
        return ", ".join(n for n in names if n)
    return ""


_DOMAIN = re.compile(
    r"^(?:[a-z][a-z0-9+.-]*://)?((?:[a-z0-9-]+\.)+[a-z]{2,})(?::\d+)?(?:[/?#].*)?$"
)


def outlet_name(value: str) -> str:
    """A readable outlet from a source string: a bare domain or URL loses scheme, path, `www.`."""
    s = value.strip()
    m = _DOMAIN.match(s.lower().rstrip("."))
    if m:
        host = m.group(1)
        return host[4:] if host.startswith("www.") else host
    return s


# fmt: off
_BLOCK_TAGS = frozenset((
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav",
    "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul",
))
# fmt: on
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "head"})


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(fragment: str) -> str:
    """Plain text of a small HTML fragment (a feed summary): block elements become paragraphs."""
    if "<" not in fragment and "&" not in fragment:
        return clean_text(fragment)
    parser = _TextParser()
    parser.feed(fragment)
    parser.close()
    paragraphs = (p.strip() for p in "".join(parser.parts).split("\n\n"))
    return "\n\n".join(p for p in paragraphs if p)
