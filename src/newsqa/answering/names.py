"""The names a question asks about ("Vision Pro", "Game 3", "FTX", "Beyoncé") and whether the
passages found mention them. A question about something no passage names is not answered with
what the passages say about something else: "How much did Apple's Vision Pro cost?" is not
answered with the price of AirPods Pro."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from newsqa.answering.base import CARRIED
from newsqa.periods import WEEKDAYS
from newsqa.retrieval.dates import MONTH_WORDS, find_dates
from newsqa.retrieval.outlets import OutletMatcher, well_known_outlets
from newsqa.retrieval.terms import STOP_WORDS
from newsqa.types import SearchHit

__all__ = [
    "REQUEST_WORDS",
    "Name",
    "asked_names",
    "by_surname",
    "listing",
    "names_in",
    "unmentioned",
]

_TOKEN = re.compile(r"[^\W_]+(?:[-'’.&][^\W_]+)*", re.UNICODE)
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s*|[\"“‘(]\s*)$")
_NUMBER = re.compile(r"\d{1,3}")  # "Game 3", "iPhone 15", "Pixel 8" (a year is a date)
# a request, not a question: "Tell me about the EU AI Act" (its verb names nothing)
REQUEST_WORDS = frozenset(
    "tell show explain list give describe compare summarize summarise find please".split()
)
# capitalised words that name nothing: "I", a question's words written in title case
_NOT_NAMES = (
    STOP_WORDS
    | MONTH_WORDS
    | set(WEEKDAYS)
    | REQUEST_WORDS
    | set(
        """i what who whom whose which when where why how is are was were do does did can could
        will would should and or but""".split()
    )
)
# the words a title leaves in lower case
_MINOR = frozenset("a an and as at but by for from in into nor of on or the to via with".split())
# "Will" before a capitalised word, inside a question, is a first name: "Will Smith"
_FIRST_NAME_WILL = re.compile(r"\s+[A-Z][a-z]")
_FUZZY_LENGTH = 4  # words at least this long match with one letter wrong ("Altmann", "Haag")


@dataclass(frozen=True)
class Name:
    """A name as the question writes it, and its words as they are compared (lower case, no
    possessive)."""

    text: str
    words: tuple[str, ...]

    @property
    def anycase(self) -> Name:
        """The same name, matched in any case."""
        return Name(self.text.lower(), self.words)

    @property
    def capitalised(self) -> bool:
        """One word written as a name ("Threads", "Swift"): a text names it only where it is
        written so too, not in "email threads" or "a swift reply"."""
        word = self.text.strip()
        return len(self.words) == 1 and word[:1].isupper() and word[1:] == word[1:].lower()


def _plain(word: str) -> str:
    """Lower case, no accents ("Beyoncé" is often written "Beyonce"), no possessive, no dots
    ("E.U." is "EU")."""
    word = unicodedata.normalize("NFKD", word.lower().replace("’", "'"))
    word = "".join(ch for ch in word if not unicodedata.combining(ch))
    word = word[:-2] if word.endswith("'s") else word
    return word.replace(".", "")


def _is_name_word(word: str, text: str, start: int) -> bool:
    if word == "Will" and _FIRST_NAME_WILL.match(text, start + len(word)):
        return not _SENTENCE_START.search(text[:start])  # "Will Smith", not "Will Apple …?"
    if word.lower() in _NOT_NAMES or not any(ch.isalpha() for ch in word):
        return False
    inner = any(ch.isupper() for ch in word[1:]) or any(ch.isdigit() for ch in word)
    if inner and any(ch.isupper() for ch in word):
        return True  # "OpenAI", "FTX", "iPhone", "GPT-4" anywhere, the first word too
    if not word[0].isupper():
        return False
    return not _SENTENCE_START.search(text[:start])  # "Who" starts a sentence, "Swift" not


def asked_names(question: str, matcher: OutletMatcher | None = None) -> list[Name]:
    """The names `question` asks about, left to right: runs of capitalised words (not the first
    of a sentence, unless written like a name: "OpenAI", "FTX") and a small number that follows
    one ("Game 3"). Outlets and dates are where and when to look, not what to find: they are
    left out, as are words in title case that name nothing ("What", "The"). A question written
    all in title case ("What Happened To Sam Altman?") names nothing this way."""
    carried = CARRIED.match(question)
    if carried:  # a follow-up as searched, "What about Game 3? (World Series; won)": the topic
        question = carried[1]  # it carries is the conversation's, not what this one asks about
    return _names(question, matcher)


def _names(text: str, matcher: OutletMatcher | None) -> list[Name]:
    """The names of `text`."""
    words = [w for w in _TOKEN.findall(text)[1:] if w.lower() not in _MINOR]
    if len(words) >= 3 and all(w[0].isupper() or not w[0].isalpha() for w in words):
        return []  # title case
    skip = [(m.start, m.end) for m in (matcher.find(text) if matcher else [])]
    skip += [(m.start, m.end) for m in well_known_outlets().find(text)]
    skip += [(d.start, d.end) for d in find_dates(text, skip=skip)]
    names: list[Name] = []
    run: list[re.Match[str]] = []

    def close() -> None:
        if run:
            written = re.sub(r"['’]s$", "", text[run[0].start() : run[-1].end()])
            name = Name(written, tuple(_plain(m[0]) for m in run))
            if name not in names:
                names.append(name)
            run.clear()

    previous_end = -1
    for m in _TOKEN.finditer(text):
        if any(a <= m.start() < b for a, b in skip):
            close()
            continue
        adjacent = bool(run) and text[previous_end : m.start()].strip() == ""
        if _is_name_word(m[0], text, m.start()):
            if not adjacent:
                close()
            run.append(m)
            if m[0].lower().endswith(("'s", "’s")):
                close()  # "Apple's Vision Pro": Apple, then Vision Pro
        elif adjacent and _NUMBER.fullmatch(m[0]):
            run.append(m)  # "Game 3"
            close()
        else:
            close()
        previous_end = m.end()
    close()
    return names


def _close(a: str, b: str) -> bool:
    """`a` and `b` are the same word, or long words one letter apart (an edit, not more)."""
    if a == b:
        return True
    if max(len(a), len(b)) < _FUZZY_LENGTH or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1 :] == b[i + 1 :]
    return a[i:] == b[i + 1 :]


@dataclass(frozen=True)
class _Words:
    """A text's words as names are compared: all of them, and those written with a capital."""

    all: set[str]
    capitalised: set[str]


def _words(text: str) -> _Words:
    out = _Words(set(), set())
    for m in _TOKEN.finditer(text):
        word = _plain(m[0])
        parts = [word, *(p for p in word.split("-") if p)] if "-" in word else [word]
        out.all.update(parts)  # "Bankman-Fried" also as "bankman", "fried"
        if m[0][:1].isupper():
            out.capitalised.update(parts)
    return out


def _holds(text: _Words, name: Name) -> bool:
    """Whether a text's words hold every word of `name` (one letter may differ in a long word;
    a name written apart may be one word there: "Open AI", "OpenAI"); a one-word name only as
    a name is written, with a capital."""
    words = text.capitalised if name.capitalised else text.all
    if "".join(name.words) in words:
        return True
    return all(w in words or any(_close(w, x) for x in words) for w in name.words)


def names_in(names: Sequence[Name], text: str) -> list[Name]:
    """The names of `names` that `text` mentions."""
    words = _words(text)
    return [n for n in names if _holds(words, n)]


_SURNAME_LETTERS = 4  # a shorter last word is seldom a surname: "Vision Pro", "Game 3"
_TITLE_WORD = re.compile(r"[A-Z][a-z]+(?:[-'’][A-Z][a-z]+)*")


def by_surname(name: Name, texts: Sequence[str]) -> Name | None:
    """The surname a person `name` is called by once named ("Berhalter" of "Gregg Berhalter": a
    story names him whole once, then by surname), as a one-word name written with a capital;
    None unless `name` is two or three words written as a person's name is and one of `texts`
    (what was found) names it whole, so that the surname is known to be this person's there."""
    words = name.text.split()
    if not 2 <= len(words) <= 3 or not all(_TITLE_WORD.fullmatch(w) for w in words):
        return None
    if len(words[-1]) < _SURNAME_LETTERS or not any(names_in([name], t) for t in texts):
        return None
    return Name(words[-1], (name.words[-1],))


def unmentioned(names: Sequence[Name], hits: Sequence[SearchHit]) -> list[Name]:
    """The names no one passage of `hits` mentions, in its text or its article's title; a
    one-word name that none capitalises is mentioned where it is written in lower case (a
    question may capitalise a common word: "Why did the Writers strike end?")."""
    texts = [_words(f"{hit.article.title}\n{hit.text}") for hit in hits]
    return [
        n
        for n in names
        if not any(_holds(words, n) for words in texts)
        and not (n.capitalised and any(_holds(words, n.anycase) for words in texts))
    ]


def listing(names: Sequence[Name]) -> str:
    """ "“Vision Pro”", "“A” or “B”", "“A”, “B” or “C”"."""
    quoted = [f"“{n.text}”" for n in names]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
