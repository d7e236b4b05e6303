"""What the page's boxes take, and how it says them: the Filters' label and their dates
checked (said against the box), the file types "Add articles" reads, an address typed without
its scheme."""

from __future__ import annotations

import re
from typing import Any

from newsqa.corpus import SUPPORTED_EXTENSIONS
from newsqa.facade import parse_when
from newsqa.indexing.builder import Progress

__all__ = [
    "FILE_TYPES",
    "FiltersError",
    "check_period",
    "filters_label",
    "looks_like_an_address",
    "progress_bar",
]


class FiltersError(ValueError):
    """The Filters hold what no question can be asked under (said as the page says it)."""


def check_period(since: str | None, until: str | None) -> None:
    """FiltersError, naming the box, for a date not read as one or a From after the To."""
    days = []
    for field, value, end in (("From", since, False), ("To", until, True)):
        try:  # said against the box it came from
            days.append(parse_when((value or "").strip() or None, end_of_day=end))
        except ValueError as exc:
            raise FiltersError(f"{field} (Filters): {exc}") from None
    first, last = days
    if first and last and first.replace(tzinfo=None) > last.replace(tzinfo=None):
        raise FiltersError(
            f"The From date ({(since or '').strip()}) is after the To date "
            f"({(until or '').strip()}), so no article can match: swap them, or clear one, "
            "under Filters."
        )


OUTLETS_SAID = 3  # outlets the Filters label names; more are counted


def filters_label(
    outlets: list[str] | None = None, since: str | None = "", until: str | None = ""
) -> str:
    """The Filters accordion's label: what is set ("Filters: TechCrunch · since 2023-11-01"),
    or "Filters" alone."""
    named = [o for o in outlets or [] if o]
    said = ", ".join(named[:OUTLETS_SAID])
    if len(named) > OUTLETS_SAID:
        said += f" and {len(named) - OUTLETS_SAID} more"
    parts = [said] if said else []
    parts += [
        f"{word} {value.strip()}"
        for word, value in (("since", since), ("until", until))
        if value and value.strip()
    ]
    return "Filters: " + " · ".join(parts) if parts else "Filters"


# what the file box takes, said on it (".txt, .md, … .xml (RSS/Atom feeds)")
FILE_TYPES = ", ".join(
    f"{ext} (RSS/Atom)" if ext == ".xml" else ext
    for ext in SUPPORTED_EXTENSIONS
    if ext not in (".markdown", ".htm", ".ndjson", ".rss", ".atom")  # (spelled another way)
)


def looks_like_an_address(text: str) -> bool:
    """Whether `text` reads as a web address written without its scheme ("example.org/news"),
    not as a path or a file's name."""
    host, slash, _ = text.partition("/")
    if not re.fullmatch(r"(?:[\w-]+\.)+[a-z]{2,}(?::\d+)?", host, re.IGNORECASE):
        return False
    return bool(slash) or not host.lower().endswith(SUPPORTED_EXTENSIONS)


def progress_bar(progress: Any) -> Progress:
    """An index update's progress, for a handler's `gr.Progress`: the articles read, then the
    passages embedded."""

    def report(phase: str, done: int, total: int) -> None:
        unit = "articles" if phase == "reading" else "passages"
        label = "reading articles" if phase == "reading" else "embedding passages"
        progress((done, total or None), desc=label, unit=unit)

    return report
