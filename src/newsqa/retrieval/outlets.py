"""Finding the outlets a question names, among the outlets the index actually holds.

Names come from the catalog, never from a fixed list: "The Verge", "'The Verge'", "the verge" and
"Verge" all name the outlet stored as "The Verge"; "Cnbc" names "Cnbc | World Business News
Leader"; "The Independent" names every "The Independent - ..." section; "BBC" names "BBC News -
Technology" and "NYT" "The New York Times" (written in capitals). A short list of well-known
outlets serves only to tell a user that an outlet a question names is not indexed at all."""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["WELL_KNOWN", "OutletMatcher", "OutletMention", "display_name", "unindexed_outlets"]

_SEPARATORS = re.compile(r"\s+[-–—|:]\s+|:\s+|\s+\|\s*")
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_ARTICLE = re.compile(r"^the\s+", re.IGNORECASE)
_MIN_JOINED = 6  # characters of a one-word name matched when a question writes it apart
_MIN_VARIANT = 3  # characters: shorter variants ("Age" of "The Age" is kept, "BB" is not)
_LISTED = 12  # outlets an error names, of those the index has


@dataclass(frozen=True)
class OutletMention:
    """Outlets named at `start:end` of the question (several when a name is shared)."""

    start: int
    end: int
    outlets: tuple[str, ...]


def _key(text: str) -> str:
    """Case, punctuation and spacing folded: "CBSSports.com" -> "cbssports com"."""
    return " ".join(_NON_WORD.sub(" ", text.lower()).split())


_GENERIC_TAIL = re.compile(r"\s+(?:News|Sports?|Online)$")
_MINOR_WORDS = {"of", "and", "for", "the", "&", "in", "on", "a"}


# short forms too short to make from any name's initials ("SA" would be read in "SA's
# economy"), each for its own outlet
_KNOWN_SHORT = {"financial times": "FT", "washington post": "WaPo", "associated press": "AP"}


def _brand(head: str) -> str | None:
    """A name's part before a generic last word ("BBC News" -> "BBC"), if it has one."""
    brand = _GENERIC_TAIL.sub("", head)
    return brand if brand != head else None


def _acronyms(name: str) -> set[str]:
    """Capitalised short forms: the acronym before a generic word ("BBC News" -> "BBC"), the
    initials of a name of three or more words ("The New York Times" -> "NYT"), and a few
    well-known ones ("FT")."""
    head = _SEPARATORS.split(name, maxsplit=1)[0]
    known = _KNOWN_SHORT.get(_ARTICLE.sub("", head).strip().lower())
    out = {known} if known else set()
    brand = _brand(head)
    if brand is not None and brand.isupper():
        out.add(brand)
    words = [w for w in _NON_WORD.split(head) if w and w.lower() not in _MINOR_WORDS]
    if len(words) >= 3 and all(w[0].isupper() for w in words):
        out.add("".join(w[0] for w in words))
    return {a for a in out if (len(a) >= _MIN_VARIANT or a == known) and " " not in a}


def _variants(name: str) -> set[str]:
    """Ways a question may write an outlet's name: in full, without a leading "The", or just
    the part before a section or tagline separator ("FOX News - Health" -> "FOX News")."""
    out = {name}
    head = _SEPARATORS.split(name, maxsplit=1)[0]
    out.add(head)
    if "." in head:  # "CBSSports.com" -> "CBSSports"
        out.add(head.rsplit(".", 1)[0])
    for v in list(out):
        out.add(_ARTICLE.sub("", v))
    return {k for k in (_key(v) for v in out) if len(k) >= _MIN_VARIANT}


class OutletMatcher:
    """Matches outlet names, and simple variants of them, inside a question."""

    def __init__(self, outlets: Iterable[str]) -> None:
        self.outlets = tuple(sorted({o for o in outlets if o.strip()}))
        self._lowered = {o.lower() for o in self.outlets}
        by_variant: dict[str, set[str]] = {}
        self._capitals: set[str] = set()  # variants that only count written in capitals
        for name in self.outlets:
            for v in _variants(name):
                by_variant.setdefault(v, set()).add(name)
            for a in _acronyms(name):
                key = _key(a)
                if key not in by_variant:
                    self._capitals.add(key)
                by_variant.setdefault(key, set()).add(name)
        # a full name is never also a variant of another outlet's name
        self._names = {k: tuple(sorted(v)) for k, v in by_variant.items()}
        # the brand before a generic word, for a name given on its own ("Yahoo": "Yahoo News"),
        # not in a question, where it is often a company's name ("Yahoo's results")
        brands: dict[str, set[str]] = {}
        for name in self.outlets:
            brand = _brand(_ARTICLE.sub("", _SEPARATORS.split(name, maxsplit=1)[0]))
            if brand is not None and len(_key(brand)) >= _MIN_VARIANT:
                brands.setdefault(_key(brand), set()).add(name)
        self._brands = {k: tuple(sorted(v)) for k, v in brands.items()}
        # names written together that a question writes apart: "cbssports" is "CBS Sports"
        self._joined = {
            k: v for k, v in self._names.items() if " " not in k and len(k) >= _MIN_JOINED
        }
        alternatives = sorted(self._names, key=len, reverse=True)
        words = (r"\W+".join(re.escape(w) for w in v.split()) for v in alternatives)
        self._pattern = (
            re.compile(r"(?<!\w)(?:the\s+)?(" + "|".join(words) + r")(?!\w)", re.IGNORECASE)
            if alternatives
            else None
        )

    def lookup(self, name: str) -> tuple[str, ...]:
        """The outlets a name given on its own stands for, in any case: "techcrunch", "the
        Verge", "BBC" (each of the BBC's sections), "Yahoo" ("Yahoo News"); () for a name it
        does not know."""
        name = name.strip()
        named = (
            self._names.get(_key(name))
            or self._names.get(_key(_ARTICLE.sub("", name)))
            or self._joined.get(_key(name).replace(" ", ""), ())
        )
        brand = self._brands.get(_key(_ARTICLE.sub("", name)), ())
        return tuple(sorted({*named, *brand})) if brand else named

    def resolve(self, names: Iterable[str]) -> tuple[str, ...]:
        """The indexed outlets that filter `names` mean: each name exactly (in any case) with its
        sections ("Fox News": "FOX News - Health" too), else as the question reader reads it
        ("BBC": every BBC section; "the verge"). A name that
        matches no outlet raises ValueError naming the closest ones: a filter that can never
        match would only make every answer "not enough information"."""
        out: list[str] = []
        for name in (n.strip() for n in names):
            if not name:
                continue
            found = (
                self.with_sections(name) or (name,)
                if name.lower() in self._lowered
                else self.lookup(name)
            )
            if not found:
                known = self.outlets
                close = self.suggest(name)
                hint = f"; did you mean {', '.join(map(repr, close))}?" if close else "."
                some = ", ".join(known[:_LISTED])
                more = f" and {len(known) - _LISTED} more" if len(known) > _LISTED else ""
                raise ValueError(
                    f"No outlet {name!r} in the index{hint} Its {len(known)} outlets: {some}{more}."
                )
            out += found
        return tuple(dict.fromkeys(out))

    def suggest(self, name: str, n: int = 3) -> list[str]:
        """The outlets closest to a `name` that matches none, for "did you mean …?": those that
        share the most words with it (or a word's start: "Newz", "News"), then the most
        alike in lower case, in full or in a short form ("BBC News" of "BBC News - Technology")."""
        typed = _key(name)
        words = [w for w in typed.split() if w not in _MINOR_WORDS]
        ranked: list[tuple[int, float, str]] = []
        for outlet in self.outlets:
            forms = {_key(outlet), *_variants(outlet), *(_key(a) for a in _acronyms(outlet))}
            alike = max(difflib.SequenceMatcher(None, typed, f).ratio() for f in forms)
            shared = sum(any(_same_start(w, v) for v in _key(outlet).split()) for w in words)
            if shared or alike >= _ALIKE:
                ranked.append((shared, alike, outlet))
        ranked.sort(key=lambda r: (-r[0], -r[1]))
        most = ranked[0][0] if ranked else 0
        return [outlet for shared, _, outlet in ranked if shared == most][:n]

    def with_sections(self, name: str) -> tuple[str, ...]:
        """The outlet named exactly `name` (in any case) and its sections, as an outlet filter
        means them: "Fox News" is also "FOX News - Health"; () when no outlet has that name."""
        key = name.strip().lower()
        return tuple(
            o
            for o in self.outlets
            if o.lower() == key or _SEPARATORS.split(o, maxsplit=1)[0].strip().lower() == key
        )

    def find(self, text: str) -> list[OutletMention]:
        """Outlet mentions in `text`, longest names first, left to right. A common word
        ("fortune", "wired") counts only when written as a name: capitalised or quoted."""
        if self._pattern is None:
            return []
        found: list[OutletMention] = []
        for m in self._pattern.finditer(text):
            written = m.group(1)
            if not _looks_like_name(text, m.start(), written):
                continue
            if _key(written) in self._capitals and not (
                written.isupper() or written in _KNOWN_SHORT.values()
            ):
                continue
            outlets = self._names.get(_key(written))
            if outlets:
                found.append(OutletMention(m.start(), m.end(), outlets))
        return found + self._found_apart(text, found)

    def _found_apart(self, text: str, found: list[OutletMention]) -> list[OutletMention]:
        """Names written as two or three capitalised words that the index holds as one ("CBS
        Sports" for "cbssports.com"), where no other mention is."""
        if not self._joined:
            return []
        words = list(re.finditer(r"[A-Za-z0-9&]+", text))
        out: list[OutletMention] = []
        for i, first in enumerate(words):
            if not first[0][0].isupper():
                continue
            for n in (3, 2):
                run = words[i : i + n]
                if len(run) < n or any(
                    text[a.end() : b.start()].strip() for a, b in itertools.pairwise(run)
                ):
                    continue
                start, end = run[0].start(), run[-1].end()
                outlets = self._joined.get("".join(w[0] for w in run).lower())
                if outlets and not any(m.start < end and start < m.end for m in found + out):
                    out.append(OutletMention(start, end, outlets))
                    break
        return out


_ALIKE = 0.6  # how alike (difflib's ratio) a name sharing no word must be to be suggested


def _same_start(typed: str, word: str) -> bool:
    """Whether one word begins the other ("BB", "BBC"), or the two are the same but for the
    last letter ("Newz", "News"), in three letters at least when they have them. A longer
    word that only shares a start ("Blorp", "Blog") is another word."""
    shorter = min(len(typed), len(word))
    same = next((i for i, (a, b) in enumerate(zip(typed, word, strict=False)) if a != b), shorter)
    if same == shorter:
        return same >= min(shorter, 3)
    return len(typed) == len(word) and same == shorter - 1 and same >= 3


def _looks_like_name(text: str, start: int, written: str) -> bool:
    if any(c.isupper() for c in written) or "." in written.strip("."):  # or a domain
        return True
    before = text[max(0, start - 1) : start]
    return before in ("'", '"', "‘", "“")


# Outlets a question may name that the index may not hold; names that are also common words or
# other things when capitalised ("Time", "The Sun", "Variety", "The Independent") are left out
WELL_KNOWN = tuple(
    " ".join(n.split())  # (a name broken across lines below is one name)
    for n in """
    ABC News; AFP; Al Jazeera; Ars Technica; Associated Press; Axios; Barron's; Bleacher Report;
    Bloomberg; BuzzFeed News; CBS News; CBS Sports; CNBC; CNET; CNN; Daily Mail; Der Spiegel;
    Deutsche Welle; El País; Engadget; ESPN; Financial Times; Forbes; Fox News; Gizmodo;
    Hindustan Times; HuffPost; IGN; Kotaku; Le Monde; Los Angeles Times; MarketWatch; Mashable;
    MSNBC; NBC News; New Scientist; Newsweek; Nikkei; NPR; PBS; Politico; Reuters; Rolling
    Stone; Scientific American; Sky News; Sky Sports; South China Morning Post; Sydney Morning
    Herald; TechCrunch; The Athletic; The Atlantic; The Boston Globe; The Economist; The
    Guardian; The Hollywood Reporter; The New York Times; The New Yorker; The Telegraph; The
    Times of India; The Verge; The Wall Street Journal; The Washington Post; USA Today;
    VentureBeat; Xinhua; Yahoo Finance; Yahoo News; ZDNet
    """.split(";")
)
_WELL_KNOWN = OutletMatcher(WELL_KNOWN)


_TAGLINE = re.compile(r"\s+[|–—-]\s+.*$")
_WELL_KNOWN_SPELLING = {_key(n): n for n in WELL_KNOWN}


def display_name(source: str) -> str:
    """An outlet's name without its site's tagline or section ("Cnbc | World Business News
    Leader" -> "CNBC", "BBC News - Health" -> "BBC News"), a well-known one spelled as it
    spells itself."""
    head = _TAGLINE.sub("", source).strip() or source.strip()
    return _WELL_KNOWN_SPELLING.get(_key(head), head)


def well_known_outlets() -> OutletMatcher:
    """A matcher of `WELL_KNOWN`, indexed or not."""
    return _WELL_KNOWN


# a name asked of as a source: "according to Reuters", "What did Bloomberg report", "the CNN
# story" (not "the Nikkei fell", "Disney's ESPN", "Michael Bloomberg")
_AS_SOURCE_BEFORE = re.compile(
    r"(?:according to|reported by|from|by|in|per|did|does|do|has|have|had)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_AS_SOURCE_AFTER = re.compile(
    r"^(?:'s)?\s*(?:report|reported|reports|reporting|say|said|says|write|wrote|writes|"
    r"publish|published|article|articles|story|stories|coverage|piece|journalists?)\b",
    re.IGNORECASE,
)


def unindexed_outlets(question: str, indexed: OutletMatcher) -> list[str]:
    """The well-known outlets `question` asks of as sources that the index (`indexed`) holds
    no article from, as named: "What did Bloomberg report …" of an index without Bloomberg."""
    held = [(m.start, m.end) for m in indexed.find(question)]
    out: dict[str, None] = {}
    for m in _WELL_KNOWN.find(question):
        if any(a < m.end and m.start < b for a, b in held):
            continue
        before, after = question[: m.start], question[m.end :]
        asked_of = _AS_SOURCE_BEFORE.search(before) is not None
        prev = re.search(r"([\w.]+)\s+$", before)
        if prev and prev.start() > 0 and prev[1][0].isupper() and not asked_of:
            continue  # part of a longer name: "Michael Bloomberg"
        if not (asked_of or _AS_SOURCE_AFTER.match(after)):
            continue
        if not indexed.lookup(question[m.start : m.end]):
            out.setdefault(m.outlets[0])
    return list(out)
