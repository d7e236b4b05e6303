"""A rule-based English sentence splitter that returns character spans, never rewritten text.

Spans index into the original string, so every chunk built from them is a verbatim passage of the
article (citations quote it). No models or downloaded data: line breaks always end a sentence;
otherwise a sentence ends at `.`, `!`, `?` or an ellipsis (plus any closing quotes or brackets)
followed by white space and a word that does not start in lower case, unless the period belongs to
a known abbreviation or an initial.
"""

from __future__ import annotations

import re

__all__ = ["split_sentences"]

# A line: the text between line breaks; line breaks always end a sentence.
_LINE = re.compile(r"[^\r\n\u2028\u2029]+")
# A candidate end: terminal punctuation, closing quotes/brackets, then white space.
_END = re.compile(r"""(?:\.{2,}|…|[.!?]+)(["'”’»)\]]*)(?=\s)""")
_OPENERS = "\"'“‘«([-—–*"
_WORD_BEFORE = re.compile(r"(\S+)$")
_WORD_AFTER = re.compile(r"\S+")
# Acronyms written with periods, seen without their final period: "U.S", "a.m", "Ph.D".
_DOTTED = re.compile(r"(?:[A-Za-z]{1,2}\.)+[A-Za-z]{1,2}")


def _words(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


# Abbreviations that do not end a sentence (titles come before a name).
_NEVER_FINAL = _words(
    """mr mrs ms messrs mme dr prof sen rep gov lt col gen sgt capt cmdr adm maj cpl pvt supt
    st mt ft rev hon pres atty e.g i.e vs v cf viz approx ca"""
)
# Abbreviations that do not end a sentence when a number follows ("Nov. 27", "No. 5").
_BEFORE_NUMBER = _words(
    "jan feb mar apr jun jul aug sep sept oct nov dec no nos vol p pp fig para art ch sec est"
)
# Abbreviations that often end a sentence too ("... from Apple Inc. The company").
_AMBIGUOUS = _BEFORE_NUMBER | _words(
    "inc corp co ltd llc plc bros jr sr etc al ave blvd rd dept univ assn"
)
# After an ambiguous abbreviation, a new sentence is assumed only before one of these words.
_STARTERS = _words(
    """the a an he she it they we i you his her its their our my your this that these those
    there here but and or so yet in on at for as after before when while if meanwhile however
    still also then now since by with from to of what why how who where which last according
    some many most one no not all both each other another instead despite although though
    during earlier later today yesterday tomorrow analysts officials"""
)


def _ends_sentence(line: str, cut: int, start: int, end: int, closers: str) -> bool:
    """Whether the terminal punctuation at line[start:end] closes the sentence begun at `cut`."""
    following = _WORD_AFTER.search(line, end)
    if following is None:  # only white space left: the line break will end it anyway
        return False
    next_word = following.group().lstrip(_OPENERS)
    first = following.group()[0]
    if first.islower():  # "e.g. the", "U.S. economy", '"Why?" he asked'
        return False
    if line[start] != "." or end - start - len(closers) > 1 or closers:
        return True  # ?, !, ellipses, and periods closed by a quote or bracket
    # Look back a short way only: abbreviations are short, and a full scan would be quadratic.
    before = _WORD_BEFORE.search(line, max(0, start - 32), start)
    word = before.group().lstrip(_OPENERS) if before else ""
    word_start = before.start() if before else start
    lower = word.lower()
    if lower in _NEVER_FINAL:
        return False
    if lower in _BEFORE_NUMBER and first.isdigit():
        return False
    if word.isdigit() and len(word) <= 3 and not line[cut:word_start].strip():
        return False  # a list number: "2. The Godfather"
    if len(word) == 1 and word.isupper():  # an initial: "J. K. Rowling" but "Plan B. The"
        return next_word.lower() in _STARTERS and not following.group().endswith(".")
    if lower in _AMBIGUOUS or _DOTTED.fullmatch(word):
        return next_word.lower() in _STARTERS
    return True


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans `(start, end)` of the sentences of `text`, in order, without surrounding
    white space: `text[start:end]` is each sentence exactly as written."""
    spans: list[tuple[int, int]] = []
    for line_match in _LINE.finditer(text):
        line = line_match.group()
        offset = line_match.start()
        cut = 0
        for end_match in _END.finditer(line):
            if _ends_sentence(line, cut, end_match.start(), end_match.end(), end_match.group(1)):
                _add_stripped(spans, line, offset, cut, end_match.end())
                cut = end_match.end()
        _add_stripped(spans, line, offset, cut, len(line))
    return spans


def _add_stripped(
    spans: list[tuple[int, int]], line: str, offset: int, start: int, end: int
) -> None:
    piece = line[start:end]
    stripped = piece.strip()
    if stripped:
        lead = len(piece) - len(piece.lstrip())
        spans.append((offset + start + lead, offset + start + lead + len(stripped)))
