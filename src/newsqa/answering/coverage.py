"""The words naming what a short question asks for, which its answer must say: "What is the
population of Canada?" answered with sentences about Canada's football, that never say
"population", answers another question; "What is the capital of France?" is not answered by
"Scalable Capital". A word is compared in its plain form ("Clinic's" is "clinic")."""

from __future__ import annotations

import re
from collections.abc import Sequence

from newsqa.answering.base import CARRIED
from newsqa.answering.evidence import content_terms, stem
from newsqa.answering.forms import asked_form
from newsqa.answering.names import Name, names_in
from newsqa.chunking import split_sentences
from newsqa.periods import WEEKDAYS
from newsqa.retrieval.dates import MONTH_WORDS

__all__ = [
    "asked_of",
    "asked_ordinals",
    "asked_words",
    "carried_names",
    "unheld",
    "unheld_of",
    "unheld_ordinals",
]

# words that say when, or how to answer, not what about ("What is the latest album …", "What
# are they like?"); a year is a period or an event, held to the articles' dates elsewhere
# (`_unmentioned_years`, the facade's notes)
_NOT_ASKED = (
    MONTH_WORDS
    | set(WEEKDAYS)
    | {
        *"today yesterday tomorrow week month year".split(),
        *"latest newest new recent recently current currently now next last ever still".split(),
        *"say tell think mean happen like do get go know want".split(),
        # the kind of answer asked for, which the answer gives rather than says: "What is the
        # name of …?", "What was the total cost of …?", "What was the score?"
        *"""name names number amount total kind type sort reason cause purpose result outcome
        score date time place location age size height length weight value role job position
        status plot""".split(),
        # an ordinal tells which of them ("the first AfroFuture festival"), and a story says
        # "sixth annual"
        *"first second third fourth fifth sixth seventh eighth ninth tenth".split(),
    }
)
_AMOUNT_WORDS = frozenset({"worth", "cost", "costs", "price", "money"})
# as `content_words` reads words: "U.S." is one, "US"
_TOKEN = re.compile(r"(?:[^\W\d_]\.){2,}|[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
_WORD_EDGE = r"(?<![^\W_])"  # not inside a word
_SENTENCE_START = re.compile(r"(?:^|[.!?:;—–-]\s*|[\"“‘(]\s*)$")
# the words a title leaves in lower case
_MINOR = frozenset("a an and as at but by for from in into nor of on or the to via with".split())
# what opens a phrase naming a thing ("the capital", "his tweets", "Tim Cook's salary") and how
# many words of it are read; "what"/"which" open one word ("What language …", "Which team …")
_DETERMINERS = frozenset("the a an this that these those his her its their our my your".split())
_ONE_WORD_OPENERS = frozenset({"what", "which", "whose"})
_PHRASE_WORDS = 4
_ROOT = 7  # letters two words share when they are forms of one ("subscribe", "subscription")
_BE = frozenset("is are was were be been".split())
_AUXILIARIES = _BE | frozenset(
    "do does did will would can could should shall may might must has have had".split()
)
# where a phrase ends: a preposition, a conjunction, a verb that helps another
_PHRASE_END = _AUXILIARIES | frozenset(
    """of in on at for by with to from about into over after before since during against than per
    as and or but out off up down so that who whom which what when where why how""".split()
)
# a verb in the past, which a question's "What …" or "How many people …" may run into ("What
# happened to …?", "What led to …?", "How many homes lost power?"): what happened, not a thing
_PAST = frozenset(
    """got won lost saw took made went led came gave began rode ran sold paid held left brought
    bought told found kept drove fell rose grew hit""".split()
)
_PARTICIPLE = re.compile(r"(?:ing|ed|en|born|won|lost|made|paid|sold|held|hit|left|led|run)$")
# the forms a question and a report write differently ("Who is the winner …?", "… won the
# title"; "the death toll", "… died")
_IRREGULAR = {
    **dict.fromkeys(["won", "winning", "winner"], "win"),
    **dict.fromkeys(["died", "dead", "death"], "die"),
    # "What is Binance's penalty?", "Binance to pay $4.3B in fines"
    **dict.fromkeys(["penalty", "penalties", "fine", "fines", "fined"], "penalty"),
}


def _term(word: str) -> str:
    """A word compared as a term: lower case, no possessive ("Clinic's" is "clinic"), one form
    of the irregular ones, stemmed (twice: "reopenings" is "reopen", as "reopened" is), without
    its last "e" ("resume" is "resumed"'s "resum")."""
    low = re.sub(r"['’]s?$", "", word.lower()).replace(".", "")
    low = _IRREGULAR.get(low, low)
    term = stem(low)
    if term != low and term.endswith(("ing", "ed")):  # a plural of a form ("the reopenings")
        term = stem(term)
    elif term == low and low.endswith(("ued", "ied")):  # too short to stem: "sued" is "sue"
        term = low[:-1]
    # stemming takes "-ed" and "-es" off, so "resumed" is "resum": the plain verb is too
    # ("When did the ferry resume service?" was declined over "The ferry resumed service")
    plain = term.rstrip("e")
    if len(plain) >= 3:
        term = plain
    return _IRREGULAR.get(term, term)


def asked_words(question: str) -> list[Name]:
    """The words of `question` that name what it asks for: the words of its phrases that a
    determiner, a possessive, "what", "which" or "how many" opens ("the capital of France",
    "Tim Cook's salary", "How many moons"). Not its names (what no passage names is declined
    before this, `names.unmentioned`), nor its verbs, which a report words its own way ("Who
    bought …?": "… agreed to buy …"; "Why did Eddie Jones quit?": "… resigned …"), nor the
    words that say how or when (`_NOT_ASKED`, numbers and years; "worth" or "cost" of a
    question for an amount, whose figure is asked)."""
    carried = CARRIED.match(question)
    if carried:  # a follow-up's carried topic is the conversation's, searched for, not asked
        question = carried[1]
    skip = set(_NOT_ASKED)
    winner = asked_form(question) == "winner"
    if asked_form(question) == "amount":
        skip |= _AMOUNT_WORDS
    skipped_terms = {_term(w) for w in skip}  # their forms ("happens", "names")
    tokens = [m[0] for m in _TOKEN.finditer(question)]
    # written in lower case, a word is a common noun ("capital"): the one in a name ("Scalable
    # Capital") is another word, unless the question writes it as a name too ("Which game won
    # Game of the Year?")
    capitalised = {_term(w): w for w in tokens[1:] if w[0].isupper()}
    asked: list[str] = []
    for i, word in enumerate(tokens):
        low = word.lower()
        how_many = low in ("many", "much") and i > 0 and tokens[i - 1].lower() == "how"
        if low in _ONE_WORD_OPENERS and i + 1 < len(tokens):
            # "What language", not "What happened"; nor the kind of winner asked for, which
            # the result names ("Which team won …?": "Brackwater Harbour won …")
            if not _past(tokens[i + 1]) and not (winner and i == 0):
                asked.append(tokens[i + 1])
            continue
        if how_many:  # "How many rides", not "How much prize money": an amount is asked
            run = _run(tokens, i + 1, skip)
            # ("How many homes lost power?": the homes are counted, "lost" is their verb)
            run = run[:1] + [w for w in run[1:] if not _past(w)]
            if run and run[-1].lower() not in _AMOUNT_WORDS:
                asked += run
            continue
        if low not in _DETERMINERS and not re.search(r"['’]s$", word):
            continue
        run = _run(tokens, i + 1, skip)
        end = i + 1 + len(run)
        # the subject of "did …", "will …" ends with its verb ("Why did the union oppose the
        # terminal?", "Why did Binance's CEO resign?"), of "was …" with a participle ("Why was
        # the match postponed?"); not where another verb follows ("What can the gel do?")
        before = i - 1
        while before > 0 and tokens[before][0].isupper():
            before -= 1  # "did Binance's CEO …": the possessor's name
        helper = tokens[before].lower() if before >= 0 and before != i else ""
        last = run[-1] if run else ""
        # ("did the automation of …": a noun; "of" does not follow a verb)
        ends = end == len(tokens) or tokens[end].lower() not in _AUXILIARIES | {"of"}
        if (
            last[:1].islower()
            and ends
            and (
                helper in _AUXILIARIES - _BE or (helper in _BE and _PARTICIPLE.search(last.lower()))
            )
        ):
            run.pop()
        asked += run
    out: dict[str, Name] = {}
    for word in asked:
        low = word.lower()
        term = _term(word)
        if (
            low in skip
            or term in skipped_terms
            or not content_terms(word)
            or any(ch.isdigit() for ch in word)
        ):
            continue
        plain = re.sub(r"['’]s$", "", low)  # "father's" of "Mara Quell's father's name"
        out.setdefault(term, Name(capitalised.get(term, plain), (term,)))
    return list(out.values())


def carried_names(question: str) -> list[Name]:
    """The names of the topic a follow-up carries ("What about his net worth? (Emmett Shear)"):
    whom its "his" means, which the answer must be about too."""
    carried = CARRIED.match(question)
    if not carried:
        return []
    words = (w for part in carried[2].split("; ") for w in _TOKEN.findall(part))
    names = {_term(w): w for w in words if w[0].isupper() and not any(c.isdigit() for c in w)}
    return [Name(w, (t,)) for t, w in names.items() if t not in _NOT_ASKED]


def _past(word: str) -> bool:
    """Whether `word` reads as a verb in the past ("happened", "led"; not "speed")."""
    low = word.lower()
    return low in _PAST or (len(low) > 4 and low.endswith("ed") and not low.endswith("eed"))


def _run(tokens: list[str], start: int, skip: set[str]) -> list[str]:
    """The words of the phrase that starts at `start`: up to `_PHRASE_WORDS`, to the first
    preposition, determiner or function word."""
    run: list[str] = []
    for word in tokens[start : start + _PHRASE_WORDS]:
        low = word.lower()
        if (
            low in _PHRASE_END
            or low in _DETERMINERS
            or (not content_terms(low) and low not in skip)
        ):
            break
        run.append(word)
    return run


def unheld(asked: list[Name], texts: list[str]) -> list[Name]:
    """The words of `asked` that none of `texts` (titles or sentences) holds; one asked in lower
    case is held only where it is written so too (or starts a sentence, or is in a title written
    in title case)."""
    held_any: set[str] = set()
    held_plain: set[str] = set()
    for text in texts:
        tokens = list(_TOKEN.finditer(text))
        words = [m[0] for m in tokens if m[0].lower() not in _MINOR]
        title_case = len(words) >= 3 and all(w[0].isupper() or not w[0].isalpha() for w in words)
        for m in tokens:
            term = _term(m[0])
            held_any.add(term)
            if title_case or m[0][0].islower() or _SENTENCE_START.search(text[: m.start()]):
                held_plain.add(term)

    def held(term: str, terms: set[str]) -> bool:
        # or a word of the same long root: "subscribe" holds "subscription"
        root = term[:_ROOT]
        return term in terms or (len(term) >= _ROOT and any(t[:_ROOT] == root for t in terms))

    return [
        name
        for name in asked
        if not held(name.words[0], held_plain if name.text[0].islower() else held_any)
    ]


def asked_of(
    question: str, asked: Sequence[Name], names: Sequence[Name]
) -> list[tuple[Name, Name]]:
    """The words of `asked` that `question` asks of one of its `names`, each with that name:
    "What is the population of Canada?" asks for Canada's population, ("population", "Canada"),
    as "Who is Taylor Swift's boyfriend?" asks for hers, ("boyfriend", "Taylor Swift"). A word
    written as a name is a name's ("Which game won Game of the Year?"), and a name that a phrase
    runs on from is not what is asked of ("the cost of the Valdria container terminal", "the
    population of Canada's capital")."""
    carried = CARRIED.match(question)
    if carried:
        question = carried[1]
    pairs: dict[tuple[Name, Name], None] = {}
    for word in asked:
        for name in names:
            written = rf"{_WORD_EDGE}({re.escape(word.text)})\s+of\s+(?:(?:the|a|an)\s+)?"
            found = re.finditer(
                rf"{written}{re.escape(name.text)}(?![^\W_])", question, re.IGNORECASE
            )
            if any(not _title_case(m[1]) and _ends(question[m.end() :]) for m in found):
                pairs[word, name] = None
                break
    for name in names:  # "NAME's X": the thing the possessive opens, its phrase's last noun
        owner = rf"{_WORD_EDGE}{re.escape(name.text)}['’]s\s+"
        for m in re.finditer(owner, question, re.IGNORECASE):
            head = _head(_phrase(question[m.end() :]))
            for word in asked:
                if head is not None and word.words[0] == _term(head):
                    pairs[word, name] = None
    return list(pairs)


def _head(phrase: list[str]) -> str | None:
    """The thing a phrase names: its last noun before a name or a verb ("cap" of "market cap",
    "son" of "son Jayden born", "settlement" of "divorce settlement finalised"), or the first
    that is a possessive's ("father" of "father's name"); none when it starts with a name
    ("Apple's Vision Pro")."""
    head = None
    for word in phrase:
        if _title_case(word):  # a name: "Apple's Vision Pro", "son Jayden"
            break
        if _past(word) or word.lower() == "born":
            continue
        head = word
        if re.search(r"['’]s$", word):
            break
    return head


def _phrase(rest: str) -> list[str]:
    """The words of the phrase `rest` starts with: up to `_PHRASE_WORDS`, to a mark, a
    preposition or a function word ("father's name" of "father's name?")."""
    words: list[str] = []
    end = 0
    for m in _TOKEN.finditer(rest):
        low = m[0].lower()
        if len(words) == _PHRASE_WORDS or rest[end : m.start()].strip() or low in _PHRASE_END:
            break
        if low in _DETERMINERS:
            break
        words.append(m[0])
        end = m.end()
    return words


def _ends(rest: str) -> bool:
    """Whether a phrase ends where `rest` starts: at the question's end, a mark ("?", ","; not a
    possessive's), a preposition or a function word ("of Canada in 2023")."""
    following = re.match(r"\s*(?:([^\W_]+)|(['’])|\S|$)", rest)
    if following is None or following[2]:
        return False
    word = (following[1] or "").lower()
    return not word or word in _PHRASE_END or word in _DETERMINERS


def _title_case(word: str) -> bool:
    """ "Game", "Year": a word written as a name is, not "population" nor "CEO"."""
    return word[:1].isupper() and word[1:].islower()


def unheld_of(
    pairs: Sequence[tuple[Name, Name]], stories: Sequence[Sequence[str]]
) -> list[tuple[Name, Name]]:
    """The pairs of `pairs` (`asked_of`) that no story of `stories` (each its title, then its
    passages) says together: what the question asks "of" a name is said of it where one sentence
    says both, as a census does, not where a live blog of Canada's football says its stands are
    "sparsely populated". A person is named by surname too ("Swift's boyfriend" for Taylor
    Swift's), and by a pronoun after a sentence or under a title that names them ("her father,
    Jeff, …" in "Who Are Mikaela Shiffrin's Parents?")."""
    return [
        (word, name) for word, name in pairs if not any(_said_of(word, name, s) for s in stories)
    ]


_POSSESSIVES = frozenset({"his", "her", "its", "their"})
_PRONOUNS = _POSSESSIVES | {"he", "she", "it", "they", "it's", "he's", "she's", "they're"}


def _said_of(word: Name, name: Name, story: Sequence[str]) -> bool:
    """Whether one sentence of `story` (its title, then its passages) says `word` of `name`."""
    named = [name]
    if len(name.words) > 1:  # a person by first name or surname: "Swift's", "Jada and Will's"
        named += [
            Name(w, (name.words[i],))
            for i, w in enumerate(name.text.split())
            if i in (0, len(name.words) - 1) and w[:1].isupper()
        ]
    sentences = [text[a:b] for text in story for a, b in split_sentences(text)]
    for i, sentence in enumerate(sentences):
        if unheld([word], [sentence]):
            continue
        if names_in(named, sentence):
            return True
        # "her father" under a title that names her; "It has a market cap of …" after a
        # sentence that names it (not "Other countries … their private-market capital …")
        tokens = [m[0].lower() for m in _TOKEN.finditer(sentence)]
        owned = any(
            _term(t) == word.words[0] and j and tokens[j - 1] in _POSSESSIVES
            for j, t in enumerate(tokens)
        )
        before = i > 0 and bool(names_in(named, sentences[i - 1]))
        if (owned and names_in(named, story[0])) or (before and tokens[0] in _PRONOUNS):
            return True
    return False


_ORDINALS = {
    word: f"{n}{suffix}"
    for n, (word, suffix) in enumerate(
        zip(
            "first second third fourth fifth sixth seventh eighth ninth tenth".split(),
            ["st", "nd", "rd", *["th"] * 7],
            strict=True,
        ),
        start=1,
    )
}


def asked_ordinals(question: str, asked: Sequence[Name]) -> list[Name]:
    """An ordinal of `question` with the word of `asked` it counts ("first boyfriend" of "Who was
    Taylor Swift's first boyfriend?"), which an answer must say together: a story that says
    "first" of something else and "boyfriend" elsewhere does not answer it. An ordinal before a
    name counts the name's editions ("the first AfroFuture festival"), which a story may number
    its own way ("sixth annual"): it is not held."""
    terms = {w.words[0] for w in asked if w.text[:1].islower()}
    tokens = [m[0] for m in _TOKEN.finditer(question)]
    out: list[Name] = []
    for i, token in enumerate(tokens):
        if token.lower() not in _ORDINALS:
            continue
        for after in tokens[i + 1 : i + 3]:
            if after[:1].isupper() or after.lower() in _PHRASE_END:
                break
            if _term(after) in terms:
                out.append(Name(f"{token.lower()} {after}", (token.lower(), _term(after))))
                break
    return out


def unheld_ordinals(ordinals: Sequence[Name], texts: Sequence[str]) -> list[Name]:
    """The ordinals of `ordinals` (`asked_ordinals`) that no text says before its word, two
    words apart at most ("her first serious boyfriend", "the 1st round")."""
    said: set[tuple[str, str]] = set()
    for text in texts:
        tokens = [m[0].lower() for m in _TOKEN.finditer(text)]
        for i, token in enumerate(tokens):
            ordinal = next((o for o, n in _ORDINALS.items() if token in (o, n)), None)
            if ordinal is not None:
                said.update((ordinal, _term(t)) for t in tokens[i + 1 : i + 4])
    return [o for o in ordinals if (o.words[0], o.words[1]) not in said]
