"""Entity feedback for questions that ask for a name.

"Which company, reported by X and Y, learns from its rivals' missteps and defends its default
search deal?" never names its answer, yet the evidence usually does ("Apple has a pattern of
waiting, watching and learning ..."). The first search finds some of it; the name those passages
share, and the question lacks, is the likely answer. Each clause searched again with that name
finds the evidence that names it without echoing the question's words."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

from newsqa.retrieval.terms import STOP_WORDS

__all__ = ["answer_name", "asks_for_name"]

_ASKS = re.compile(r"^\s*(?:which|what|who|whom|whose)\b", re.IGNORECASE)
_ASKS_PERSON = re.compile(r"^\s*(?:who|whom|whose)\b|\b(?:individual|person)\b", re.IGNORECASE)
# A run of capitalised words ("Sam Bankman-Fried", "Federal Reserve"), joined by hyphens inside.
_NAME = re.compile(r"\b[A-Z][\w’'&.-]*[\w](?:\s+(?:of\s+|the\s+|de\s+)?[A-Z][\w’'&.-]*[\w])*")
_WORDS = re.compile(r"[^\W_]+(?:[-’'][^\W_]+)*")
_COMMON = frozenset(
    """
    also after although among another any before both during each even every few however just
    last later like many meanwhile more most much next now once one only other over perhaps
    since some still such then though through today under until very while yet
    mr mrs ms dr ceo cfo coo cto chief president chairman advertisement
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday
    """.split()
)
_NOT_NAMES = STOP_WORDS | _COMMON  # capitalised only to start a sentence, or not a name


def asks_for_name(question: str) -> bool:
    """Whether the question asks for something it does not name ("Which company ...",
    "Who is the individual ...") rather than whether something holds ("Did X report ...")."""
    return bool(_ASKS.match(question))


def _names(text: str) -> Iterable[str]:
    """The capitalised names in `text`, leading function words ("The", "But") dropped."""
    for m in _NAME.finditer(text):
        words = m.group(0).split()
        while words and words[0].lower() in _NOT_NAMES:
            words = words[1:]
        if words:
            yield " ".join(words).strip(".’'")


def _person_like(name: str) -> bool:
    words = name.split()
    return len(words) >= 2 and not any(w.isupper() for w in words)


def answer_name(
    question: str,
    passages: Sequence[tuple[str, str]],
    *,
    skip: Callable[[str], bool] = lambda name: False,
) -> str | None:
    """The name most of the first-ranked passages' articles share and the question does not
    hold, in its most frequent written form ("Sam Bankman-Fried"); None when no name is
    shared by two articles. `passages` are (article id, text), best first; names `skip`
    accepts (the outlets) are never the answer."""
    asked = set(_WORDS.findall(question.lower()))
    articles: dict[str, set[str]] = {}
    mentions: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    first: dict[str, int] = {}
    for rank, (article, text) in enumerate(passages):
        for name in _names(text):
            words = [
                w
                for w in dict.fromkeys(_WORDS.findall(name.lower()))
                if len(w) >= 3 and w not in asked and w not in _NOT_NAMES
            ]
            if not words or skip(name):
                continue
            for word in words:
                articles.setdefault(word, set()).add(article)
                mentions[word] += 1
                forms.setdefault(word, Counter())[name] += 1
                first.setdefault(word, rank)
    shared = [w for w, a in articles.items() if len(a) >= 2]
    if _ASKS_PERSON.search(question):  # a person's name: two words or more, not an acronym
        people = [w for w in shared if any(_person_like(f) for f in forms[w])]
        shared = people or shared
    if not shared:
        return None
    best = max(shared, key=lambda w: (len(articles[w]), mentions[w], -first[w]))
    # its most frequent written form, the longer one among equals ("Sam Bankman-Fried")
    return max(forms[best].items(), key=lambda f: (f[1], len(f[0])))[0]
