"""What form of answer a question asks for: a figure ("How much did Microsoft pay …?", "How many
people …?"), a time ("When did …?", "In what year …?") or a reason ("Why was … fired?"); and
whether a sentence gives one. The offline answerer prefers the sentences that give what is asked
and leads with them."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "CLAUSE_BREAK",
    "Form",
    "Measure",
    "MoneyAsked",
    "asked_form",
    "asks_who",
    "counted",
    "counts",
    "defines",
    "gives",
    "gives_measure",
    "gives_money",
    "in_english",
    "measured",
    "money_asked",
]

Form = Literal["amount", "number", "date", "reason", "winner"]

# ("What is the price …", "What is Binance's penalty?": a name's, as "the penalty of Binance")
_OWNER = r"(?:the\s+|(?-i:(?:[A-Z][\w.&-]*\s+){0,3}[A-Z][\w.&-]*)['’]s\s+)?"
_WHAT_IS_THE = r"\b(?:what|which)\s+(?:is\s+|was\s+|were\s+|are\s+)?" + _OWNER
# "how much" and prices ask for an amount (of money, a share); "how many", a count or any figure
_AMOUNT_QUESTION = re.compile(
    rf"\bhow\s+much\b|{_WHAT_IS_THE}"
    r"(?:price|cost|amount|sum|percentage|fee|fines?|penalty|valuation|salary|revenue|budget|"
    r"market\s+(?:cap|capitali[sz]ation|value)|net\s+worth)\b",
    re.IGNORECASE,
)
# what a figure measures, named by the question ("What is the population of the U.S.?", "What
# was the attendance …?"): a figure is asked for, which a sentence saying what it measures gives
_MEASURES = "population|size|height|weight|age|length|area|capacity|attendance|turnout|toll"
_MEASURE_QUESTION = re.compile(
    rf"^\W*(?:what|which)\s+(?:is|was|were|are)\s+(?P<asked>{_OWNER}(?:[^\W\d_]+\s+)?"
    # (the "." of "the U.S." is the name's)
    rf"(?P<measure>{_MEASURES})\b.*?)(?<!\.[A-Z])[\s?.!]*$",
    re.IGNORECASE,
)
_NUMBER_QUESTION = re.compile(
    r"\bhow\s+(?:many|large|big|long|old|far|high|tall|fast|often)\b"
    rf"|{_WHAT_IS_THE}(?:share|figure|number|total|score|margin|rate)\b",
    re.IGNORECASE,
)
# "when" leads the question (or follows a preposition); inside a clause it is a conjunction:
# "is his play diminished when he is kept in the pocket?"
_DATE_QUESTION = re.compile(
    r"^\W*(?:(?:since|until|till|from|by)\s+)?when\b"
    r"|\b(?:what|which)\s+(?:date|day|year|month|week|time)\b|\bin\s+what\s+year\b",
    re.IGNORECASE,
)

_REASON_QUESTION = re.compile(
    r"^\W*why\b|\bwhat\s+(?:is|was|are|were)\s+the\s+reasons?\b|\bfor\s+what\s+reasons?\b"
    r"|\bwhat\s+(?:caused|led\s+to|prompted)\b",
    re.IGNORECASE,
)
# "Who won …?", "Which team won …?": a winner, which a preview or a prediction does not give
_WINNER_QUESTION = re.compile(
    r"^\W*who\s+(?:won|has\s+won|had\s+won|beat|defeated|was\s+the\s+winner)\b"
    r"|\b(?:which|what)\s+(?:\w+\s+)?(?:team|party|candidate|player|side|club|country|driver|film|"
    r"movie|song|album|horse|nation)\s+(?:won|beat|defeated)\b|\bwho\s+(?:is|was)\s+the\s+winner\b"
    # "Which game won …?", "What movie won …?": any noun asked of, as "team" is
    r"|^\W*(?:which|what)\s+(?!(?:did|does|do|is|was|were|are|has|have|had|happened|will|would|"
    r"could|can)\b)(?:[\w'-]+\s+)?[\w'-]+\s+(?:won|beat|defeated)\b",
    re.IGNORECASE,
)
_WINNER = re.compile(
    r"\b(?:won(?![’'])|beat|defeated|victory|victorious|clinched|triumphed|winner|winners|"
    r"champions?)\b",
    re.IGNORECASE,
)
# words that give a cause: "because", "after a review found he was not consistently candid"
_REASON = re.compile(
    r"\b(?:because|due\s+to|owing\s+to|as\s+a\s+result\s+of|citing|cited|amid|blamed|"
    r"the\s+reasons?|reasons?\s+(?:for|why)|over\s+(?:concerns?|allegations?|claims?|fears?)|"
    r"after\s+(?:a|an|the|its|his|her|their)\s+(?:\w+\s+)?(?:review|investigation|probe|"
    r"inquiry)|(?:review|investigation|probe|inquiry)\s+found)\b",
    re.IGNORECASE,
)

_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan\.|Feb\.|Mar\.|Apr\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\."
)
_DAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_DATE = re.compile(
    rf"(?-i:\b(?:{_MONTHS})(?!\w)|\b(?:{_DAYS})\b)"
    r"|\b(?:19|20)\d\d\b|\b\d{4}-\d\d-\d\d\b"
    r"|\b(?:yesterday|today|tomorrow|tonight|last\s+(?:week|month|year|night)|"
    r"(?:this|next)\s+(?:week|month|year)|\d+\s+(?:days?|weeks?|months?|years?)\s+(?:ago|later))\b",
    re.IGNORECASE,
)
# money, a percentage, a figure with its unit: an amount, and so a figure too
_MONEY_OR_SHARE = r"[$£€¥₹]\s?\d|\d\s?%|\b\d+(?:[.,]\d+)*\s?(?:bn|m|k|per\s?cent|percent)\b"
# a figure: an amount of money, a percentage, a count; a year or a day of the month alone is a date
_FIGURE = re.compile(
    _MONEY_OR_SHARE + r"|\b(?:hundred|thousand|million|billion|trillion|dozen)s?\b"
    r"|\b\d{1,3}(?:,\d{3})+\b|\b\d+\.\d+\b"
    r"|\b(?!(?:19|20)\d\d\b)\d+\b(?!\s*(?:st|nd|rd|th)\b)",
    re.IGNORECASE,
)
# a quantity with its unit: "How much can the crane lift?" asks for "80 tonnes"
_MEASURE = (
    r"\b\d+(?:[.,]\d+)*\s?(?:tonnes?|tons?|kg|kilo(?:gram)?s?|grams?|lbs?|ounces?|oz|litres?|"
    r"liters?|gallons?|barrels?|metres?|meters?|km|kilomet(?:re|er)s?|miles?|feet|foot|ft|"
    r"inches?|acres?|hectares?|square|cubic|[kmg]wh?|megawatts?|gigawatts?|calories|degrees?)\b"
)
_AMOUNT = re.compile(
    _MONEY_OR_SHARE
    + "|"
    + _MEASURE
    + r"|\b(?:million|billion|trillion|dollars?|pounds?|euros?|yen|rupees?|crowns?)\b",
    re.IGNORECASE,
)
_DAY_OF_MONTH = re.compile(rf"(?-i:(?:{_MONTHS}))\s+\d{{1,2}}\b|\b\d{{1,2}}\s+(?-i:(?:{_MONTHS}))")


# "Who is Sam Bankman-Fried?": who someone is (not "Who is the CEO of …?", a post's holder)
_WHO_IS = re.compile(
    r"^\W*who\s+(?:is|was)\s+(?!(?:the|a|an|this|that|his|her|their|its|it|he|she|they)\b)"
    r"(?-i:[A-Z])",
    re.IGNORECASE,
)


def asks_who(question: str) -> bool:
    """Whether `question` asks who someone named is ("Who is Sam Bankman-Fried?")."""
    return bool(_WHO_IS.match(question))


def defines(text: str, name: str) -> bool:
    """Whether `text` says what `name` is: "Sam Bankman-Fried, the founder of FTX, …", "… Mara
    Quell, who founded …", "Hikaru Nakamura is a …". By the whole name: a surname alone may be
    a relative's ("Fried, the defendant's mother")."""
    return bool(
        re.search(
            rf"(?<![\w-]){re.escape(name)}(?![\w-])\s*(?:,\s*(?:the|a|an|who|whose)\b"
            r"|\s+(?:is|was)\s+(?:a|an|the)\b)",
            text,
        )
    )


def asked_form(question: str) -> Form | None:
    """The form of answer `question` asks for, if it asks for a figure or a time."""
    if _DATE_QUESTION.search(question):
        return "date"
    if _AMOUNT_QUESTION.search(question):
        return "amount"
    if _NUMBER_QUESTION.search(question) or _MEASURE_QUESTION.search(question):
        return "number"
    if _REASON_QUESTION.search(question):
        return "reason"
    if _WINNER_QUESTION.search(question):
        return "winner"
    return None


def gives(text: str, form: Form) -> bool:
    """Whether `text` holds an answer of that form (an amount, a figure, a date or day, a
    cause)."""
    if form == "date":
        return bool(_DATE.search(text))
    if form == "amount":
        return bool(_AMOUNT.search(text))
    if form == "reason":
        return bool(_REASON.search(text))
    if form == "winner":
        return bool(_WINNER.search(text))
    return bool(_FIGURE.search(_DAY_OF_MONTH.sub(" ", text)))


@dataclass(frozen=True)
class Measure:
    """What a question for a figure says it measures: "population", and what it asks for as
    the question words it, "the population of the U.S."."""

    word: str
    asked: str


def measured(question: str) -> Measure | None:
    """The measure `question` asks a figure of ("What is the population of the U.S.?"), if it
    names one."""
    m = _MEASURE_QUESTION.search(question)
    return Measure(m["measure"].lower(), m["asked"]) if m else None


# a figure of time ("for more than 300 years") measures no population, size nor toll
_OF_TIME = re.compile(
    r"\s*(?:-\s*)?(?:years?|months?|weeks?|days?|hours?|minutes?|seconds?|decades?|centuries)\b",
    re.IGNORECASE,
)
_SHORT_MEASURE = 4  # letters: "size", "age" are matched whole, longer words by their start
# how near its measure a figure is said: "a population of about 1,200" (after it), "its 2.3
# million population" (before it); "India's aging population …, with a median age of 28.2"
# gives the figure of another measure
_AFTER, _BEFORE = 6, 3  # words


def gives_measure(text: str, measure: Measure) -> bool:
    """Whether `text` gives a figure of the measure (said in any form: "populations",
    "populated"), near it and not a time (but for an age): "a population of about 1,200", not
    "its population officially surpassed that of China, … for more than 300 years"."""
    word = measure.word
    root = rf"\b{word}s?\b" if len(word) <= _SHORT_MEASURE else rf"\b{word[: len(word) - 3]}\w*"
    plain = _DAY_OF_MONTH.sub(" ", text)
    words = [m.start() for m in re.finditer(r"\S+", plain)]
    figures = [
        bisect.bisect_right(words, m.start()) - 1
        for m in _FIGURE.finditer(plain)
        if word == "age" or not _OF_TIME.match(plain, m.end())
    ]
    for m in re.finditer(root, plain, re.IGNORECASE):
        at = bisect.bisect_right(words, m.start()) - 1
        if any(-_BEFORE <= f - at <= _AFTER for f in figures):
            return True
    return False


# "How much did … earn / pay / raise …?" asks for money, not "103.7992 million Swifties"; and
# "did" for what was paid, not what was predicted or planned ("Mistral AI plans to raise as much
# as $300 million" for "How much did Mistral AI raise?")
_MONEY_QUESTION = re.compile(
    r"^\W*how\s+much\s+(?P<tense>did|does|do|will|would|has|have|had|was|were|is|are)\s+"
    r"(?:[\w'’.&-]+\s+){1,6}?(?:earn|pay|paid|raise|spend|spent|cost|charge|sell|sold|buy|bought|"
    r"make|made|gross|owe|lose|lost|donate|invest|receive|get|got)\w*\b",
    re.IGNORECASE,
)
_DONE = frozenset({"did", "has", "have", "had", "was", "were"})
_MONEY = re.compile(
    r"[$£€¥₹]\s?(?:US|A|C)?\d|\b(?:US|A|C|NZ|HK)[$]\s?\d|\b\d+(?:[.,]\d+)*\s?(?:bn|m|k)\b"
    r"|\b\d[\d,.]*\s+(?:(?:million|billion|trillion)\s+)?(?:dollars|pounds|euros|yen|rupees|"
    r"crowns|francs|kronor|yuan)\b",
    re.IGNORECASE,
)
# a figure forecast or planned, in its clause before it: "predicted $535 million", "plans to
# raise as much as $300 million" (not a price set, "will cost $3,499 when it ships", nor an
# estimate of what is under way, "the ongoing Eras Tour … is expected to gross $1.4 billion")
_TO_COME = re.compile(
    r"\b(?:predict(?:ed|s|ions?)?|project(?:ed|s|ions?)?|forecasts?|plans?|planned|planning|"
    r"aims?|aiming|hopes?|hoping|seeks?|seeking|set\s+to|likely|potential|proposed)\b",
    re.IGNORECASE,
)
# where a clause ends: a comma, a colon, a bracket, a dash
CLAUSE_BREAK = re.compile(r"[,;:()—–]|\s-\s")
_HEDGE_WORDS = 10  # words before a figure read for what makes it still to come


@dataclass(frozen=True)
class MoneyAsked:
    """A question for money paid, earned or raised, and whether for what was ("did")."""

    done: bool


def money_asked(question: str) -> MoneyAsked | None:
    """Whether `question` asks how much money someone paid, earned, raised … ("How much did
    Gregg Berhalter earn?"), and in the past."""
    m = _MONEY_QUESTION.search(question)
    return MoneyAsked(m["tense"].lower() in _DONE) if m else None


def gives_money(text: str, asked: MoneyAsked) -> bool | None:
    """Whether `text` gives an amount of money ("$1.6 million", "€105 million"), and for a
    question in the past one not still to come in its clause; None when it gives only amounts
    still to come ("predicted $535 million"), which answer another question."""
    to_come = False
    for m in _MONEY.finditer(text):
        if not asked.done:
            return True
        clause = CLAUSE_BREAK.split(text[: m.start()])[-1]
        if not _TO_COME.search(" ".join(clause.split()[-_HEDGE_WORDS:])):
            return True
        to_come = True
    return None if to_come else False


# "How many hostages did Hamas take?" counts hostages: "took 199 hostages" answers it, "begging for
# five weeks to return hostages" gives a figure of something else
_COUNTED = re.compile(r"\bhow\s+many\s+(?:more\s+|new\s+|other\s+)?([^\W\d_]{3,})", re.IGNORECASE)
_COUNT_WORDS = (
    r"\d[\d,.]*|a\s+dozen|dozens|hundreds|thousands|millions|hundred|thousand|million|billion|"
    r"two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|"
    r"fifty|sixty|seventy|eighty|ninety"
)


def counted(question: str) -> str | None:
    """What a "How many …?" question counts ("hostages"), or None when it names no noun ("How
    many died?", "How many were there?")."""
    m = _COUNTED.search(question)
    if m is None:
        return None
    word = m[1].lower()
    return None if word in _NOT_COUNTED or word.endswith("ed") else word


_NOT_COUNTED = frozenset(
    "are were was is did do does have has had will would can could should may might of times "
    "got won lost saw took made".split()
)


def counts(text: str, noun: str) -> bool:
    """Whether `text` gives a figure of `noun`: the figure, then up to two words, then the noun
    in either number ("took 199 hostages", "12 tech companies", "two hundred hostages")."""
    pattern = rf"\b(?:{_COUNT_WORDS})\s+(?:[^\W\d_]+\s+){{0,2}}{re.escape(_singular_stem(noun))}"
    return re.search(pattern, text, re.IGNORECASE) is not None


def _singular_stem(noun: str) -> str:
    """The start both numbers of a noun share: "compan" (company, companies), "match"."""
    if noun.endswith("ies"):
        return noun[:-3]
    if noun.endswith(("ches", "shes", "xes", "sses")):
        return noun[:-2]
    if noun.endswith("y"):
        return noun[:-1]
    return noun[:-1] if noun.endswith("s") and not noun.endswith("ss") else noun


# the words that ask or join in the languages a reader most often asks in instead of English,
# none of them an English word ("die", "was", "a" are), and some that English asks with
_FOREIGN_WORDS = frozenset(
    """le la les des du au aux de qui quoi quel quelle est sont été ont pourquoi comment combien
    où el los las del al quién quien qué cómo cuándo dónde por cuál fue fueron está hay der das
    den dem wer wie warum wann wo ist sind hat haben wurde und nicht il gli della chi che cosa
    perché quando dove sono è non os quem onde são foi que con para una""".split()
)
_ENGLISH_WORDS = frozenset(
    """the of to in on is are was were did does do what who when where why how which and for
    with about has have had will would can could from by that this there many much""".split()
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_LATIN_END = 0x24F  # Latin letters, accented ones too, end here


def in_english(question: str) -> bool:
    """Whether `question` may be English: not written mostly in another script ("谁取代了…",
    "Кто …"), nor with the words that ask or join in French, Spanish, German, Italian or
    Portuguese ("Qui a remplacé …?", "¿Quién reemplazó …?"; a capitalised one inside it is a
    name: "Le Monde", "Los Angeles"). The model that searches and the answers are English: such
    a question is declined for that, not for what the articles hold."""
    letters = [ch for ch in question if ch.isalpha()]
    if letters and sum(ord(ch) > _LATIN_END for ch in letters) >= 0.3 * len(letters):
        return False
    words = _WORD.findall(question)
    plain = [w.lower() for i, w in enumerate(words) if i == 0 or not w[0].isupper()]
    if sum(w in _ENGLISH_WORDS for w in plain) >= 2:
        return True
    return sum(w in _FOREIGN_WORDS for w in plain) < 2
