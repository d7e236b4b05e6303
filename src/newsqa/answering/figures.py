"""The figures a sentence reports, read as a reader reads them: with what they count and what
they are of ("killed at least 150 people": at least 150, of people, killed), in digits or words
("two hundred", "1.2 million", "1,200,000", "$69bn"), as a span when hedged or a range. Two
reports of the same measure differ when no figure of one fits any of the other. A bound or an
estimate is read as a writer rounds: up to its last significant digit's step, and a tenth of
it at most ("at least 150" is 150 up to 160, "more than 1,300" up to 1,400, "nearly 200" 180 to
200, "about 1,300" 1,250 to 1,350), so "at least 150" fits 155 but not 160 nor 199, which say
that more were counted since."""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsqa.answering.evidence import content_terms

__all__ = ["Figure", "conflicting", "contradicts", "figures"]

_TOKEN = re.compile(
    r"(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?:(?P<suffix>bn|m|k|b)\b)?(?![\w,]*\d)"
    r"|(?P<word>[A-Za-z]+)|(?P<symbol>[$£€%])"
)
_SCALES = {
    "hundred": 100.0,
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "m": 1e6,
    "mn": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
}
_SMALL = {
    w: n
    for n, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen".split()
    )
}
_TENS = {
    w: 10 * n
    for n, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)
}
# words that hedge the figure after them: it is about it, at most it, or at least it
_HEDGES: dict[tuple[str, ...], str] = {
    **{(w,): "about" for w in ("about", "around", "roughly", "approximately", "some", "estimated")},
    ("close", "to"): "about",
    **{(w,): "below" for w in ("nearly", "almost", "under")},
    **{h: "below" for h in [("up", "to"), ("as", "many", "as"), ("at", "most")]},
    **{h: "below" for h in [("less", "than"), ("fewer", "than"), ("no", "more", "than")]},
    ("over",): "above",
    **{h: "above" for h in [("at", "least"), ("more", "than"), ("upwards", "of")]},
    **{h: "above" for h in [("in", "excess", "of"), ("no", "fewer", "than")]},
    ("no", "less", "than"): "above",
}
_LEAD_WORDS = 3  # words before a figure that may say what it measures ("killed", "employ")

# Counts of people something befell, whatever words report them: "kidnapped at least 150
# people", "took 199 hostages" and "240 people were taken hostage" count the hostages of one
# attack; "killed 1,300 people" and "1,400 dead" its dead. Each event: the nouns that name its
# people (a figure's unit), and the verbs that say it befell them (a figure's lead, or a passive
# after "people": "were killed"; for hostages, "taken hostage", not "taken" alone).
_EVENTS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    event: (re.compile(rf"(?:{nouns})$"), re.compile(rf"(?:{verbs})$"))
    for event, nouns, verbs in [
        (
            "hostage",
            r"hostages?|captives?|abductees?",
            r"kidnap\w*|abduct\w*|(?:taken|held|took|taking|holding) (?:hostage|captive)",
        ),
        ("killed", r"dead|deaths|fatalities", r"kill(?:s|ed|ing)?|murder(?:s|ed|ing)?|slain"),
        ("injured", r"injured|wounded|injuries", r"injur(?:es|ed|ing)|wound(?:s|ed|ing)"),
        ("missing", r"missing", r"missing"),
        ("arrested", r"arrests", r"arrest(?:s|ed|ing)?|detain(?:s|ed|ing)?"),
    ]
}
# the people a verb's figure counts: "kidnapped 150 people", "killing 1,400" (a group of them,
# "civilians", "children", is another count)
_PEOPLE = frozenset("people persons individuals".split())
# what may come before a figure of an event's nouns, other than its own verbs: "took 199
# hostages", "the 240 hostages" (not "released 50 hostages": a count of others)
_TAKING = frozenset(
    "took take takes taken taking seized captured held holding hold left leaving the all".split()
)
# words near a figure that make it a count of fewer of them: the ones freed, swapped, found
_CHANGED = re.compile(
    r"releas\w*|free|freed|freeing|exchang\w*|swap\w*|return\w*|rescu\w*|remain\w*|"
    r"evacuat\w*|identif\w*|recover\w*|bod(?:y|ies)|families|relatives|among|includ\w*|"
    r"of|other|more|further|additional|another|new|not|no|never|nor|without"
)
_PASSIVE = frozenset("were was are is have has had been being be reportedly now".split())


@dataclass(frozen=True)
class Figure:
    """A figure as reported: the span it allows, the word before it that says what it measures
    ("kill"), what it counts ("people", "$", "%"), and whether it is a year."""

    low: float
    high: float
    lead: str | None
    unit: str | None
    year: bool = False
    # the people an event befell that it counts ("hostage", "killed"; see `_EVENTS`), if any
    event: str | None = None
    text: str = ""  # as written: "kidnapped at least 150 people", "199 hostages"
    where: str | None = None  # the place named right after it: "killed 1,300 people in Israel"
    # whose it is, by a name's last word: "Mike Trout's record 12-year, $426.5 million deal",
    # "Mookie Betts, for example, has … $365 million contract" (see `_whose`)
    whose: str | None = None

    def fits(self, other: Figure) -> bool:
        """Both may be true at once: their spans meet."""
        slack = 1e-9 * max(abs(self.high), abs(other.high), 1.0)
        return self.low <= other.high + slack and other.low <= self.high + slack

    def measures_as(self, other: Figure, *, strict: bool) -> bool:
        """Both figures count the same thing: a year only against a year; the same unit and the
        same lead when both give one (`strict`: both must give both)."""
        if self.year != other.year:
            return False
        if None not in (self.where, other.where) and self.where != other.where:
            return False  # "1,300 people in Israel", "1,500 in Gaza": two counts
        if None not in (self.whose, other.whose) and self.whose != other.whose:
            return False  # Ohtani's $700 million contract, Trout's $426.5 million deal
        if self.event is not None and other.event is not None:
            return self.event == other.event  # in any words: "took 199 hostages", "kidnapped"
        if strict:
            return None not in (self.lead, self.unit) and (self.lead, self.unit) == (
                other.lead,
                other.unit,
            )
        return all(
            a is None or b is None or a == b
            for a, b in [(self.lead, other.lead), (self.unit, other.unit)]
        )


@dataclass(frozen=True)
class _Token:
    kind: str  # number, word, symbol
    text: str
    value: float | None = None
    start: int = 0  # where it is in the text
    end: int = 0


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    for m in _TOKEN.finditer(text):
        if m["number"]:
            value = float(m["number"].replace(",", ""))
            out.append(_Token("number", m["number"], value, m.start(), m.end("number")))
            if m["suffix"]:  # "$69bn", "5m"
                out.append(_Token("word", m["suffix"].lower(), None, m.start("suffix"), m.end()))
        elif m["word"]:
            out.append(_Token("word", m["word"].lower(), None, m.start(), m.end()))
        else:
            out.append(_Token("symbol", m["symbol"], None, m.start(), m.end()))
    return out


@dataclass(frozen=True)
class _Read:
    value: float
    step: float  # the place of its last significant digit: 10 of 150, 100 of 1,300, 0.1 of 1.2
    rounded: bool  # with a scale ("1.2 million"): any figure that rounds to it
    tokens: int  # tokens read


def _step(value: float, written: str) -> float:
    decimals = len(written.partition(".")[2])
    if decimals or not value:
        return 10.0**-decimals
    step = 1.0
    while value % (step * 10) == 0:
        step *= 10
    return step


def _number_at(tokens: list[_Token], i: int) -> _Read | None:
    """The figure starting at token `i`, in digits with an optional scale ("1.2 million",
    "$69bn") or in words ("two hundred and fifty"); None when there is none ("one" alone is no
    figure: "one of the …")."""
    t = tokens[i]
    if t.kind == "number" and t.value is not None:
        scale = tokens[i + 1].text if i + 1 < len(tokens) else ""
        if scale in _SCALES and tokens[i + 1].kind == "word":
            x = _SCALES[scale]
            return _Read(t.value * x, _step(t.value, t.text) * x, True, 2)
        return _Read(t.value, _step(t.value, t.text), False, 1)
    total, current, j = 0.0, 0.0, i
    while j < len(tokens) and tokens[j].kind == "word":
        w = tokens[j].text
        if w in _SMALL or w in _TENS:
            current += _SMALL.get(w, 0) + _TENS.get(w, 0)
        elif w == "hundred" and current:
            current *= 100
        elif w in _SCALES and len(w) > 2 and current:
            total, current = total + current * _SCALES[w], 0.0
        elif w != "and" or not (current or total) or j + 1 == len(tokens):
            break
        elif tokens[j + 1].text not in _SMALL and tokens[j + 1].text not in _TENS:
            break  # ("two hundred and fifty", not "two and")
        j += 1
    if j == i or (j == i + 1 and tokens[i].text in ("one", "zero")):
        return None
    value = total + current
    return _Read(value, _step(value, str(int(value))), False, j - i)


def _span(read: _Read, hedge: str | None) -> tuple[float, float]:
    """What a figure allows: a rounded one, what rounds to it; a hedged one, up to its last
    significant digit's step (a tenth of it at most) on the side its hedge says ("at least
    150": 150 up to 160, not included; "nearly 200": 180 to 200; "about 1,300": 1,250 to
    1,350)."""
    value = read.value
    width = min(read.step, abs(value) / 10)
    if hedge == "below":
        return value - width, value
    if hedge == "above":
        return value, value + 0.999 * width
    if read.rounded or hedge == "about":
        return value - width / 2, value + width / 2
    return value, value


def figures(text: str) -> list[Figure]:
    """The figures `text` reports, in order."""
    tokens = _tokens(text)
    out: list[Figure] = []
    i = 0
    while i < len(tokens):
        read = _number_at(tokens, i)
        if read is None:
            i += 1
            continue
        end, start = i + read.tokens, i
        before = tokens[i - 1].text if i else ""
        # a range: "between 150 and 200", "from 150 to 200", "150 to 200 people" (not "voted
        # 23 to 8", nor "a 2-1 win": a score is no range)
        upper = None
        joiner = tokens[end].text if end + 1 < len(tokens) else ""
        if joiner in ("and", "to"):
            upper = _number_at(tokens, end + 1)
            after = end + 1 + upper.tokens if upper is not None else end
            ranged = (before, joiner) in (("between", "and"), ("from", "to"))
            unit = tokens[after].text if after < len(tokens) and joiner == "to" else ""
            if upper is None or upper.value <= read.value or not (ranged or _content(unit)):
                upper = None
            else:
                end, start = after, start - ranged
        currency = _currency(tokens, start)
        start -= currency is not None
        hedge = None
        for words, kind in _HEDGES.items():
            k = len(words)
            if upper is None and tuple(t.text for t in tokens[max(0, start - k) : start]) == words:
                hedge, start = kind, start - k
                break
        if start and tokens[start - 1].text in ("an", "a"):  # "an estimated"
            start -= 1
        if currency is None:  # "more than $5bn"
            currency = _currency(tokens, start)
            start -= currency is not None
        low, high = _span(read, hedge)
        if upper is not None:
            high = _span(upper, None)[1]
        written = tokens[i].text
        lead = _lead(tokens[max(0, start - _LEAD_WORDS) : start])
        measured = currency or _unit(tokens[end : end + 2])
        event, first, last = _event(text, tokens, start, end)
        out.append(
            Figure(
                low,
                high,
                lead,
                measured,
                year=read.tokens == 1
                and written.isdigit()
                and 1900 <= read.value <= 2099
                and currency is None
                and hedge is None
                and upper is None,
                event=event,
                text=text[tokens[first].start : tokens[last].end],
                where=_place(text, tokens[last + 1 : last + 3]),
                whose=_whose(text, tokens[first].start),
            )
        )
        i = end
    return out


def _event(text: str, tokens: list[_Token], start: int, end: int) -> tuple[str | None, int, int]:
    """What befell the people the figure of tokens `start` to `end` counts (`_EVENTS`), and the
    tokens that say so with it: "kidnapped at least 150 people", "took 199 hostages", "240
    people were taken hostage"; None for any other figure, or one of a change to the count
    ("released 50 hostages", "the remaining 137 hostages", "10 more hostages")."""
    # the word right before it, if nothing stands between ("said: 240 hostages" has none)
    joined = bool(start) and not text[tokens[start - 1].end : tokens[start].start].strip()
    before = tokens[start - 1].text if joined and tokens[start - 1].kind == "word" else ""
    unit = tokens[end].text if end < len(tokens) and tokens[end].kind == "word" else ""
    near = [t.text for t in tokens[max(0, start - _LEAD_WORDS) : start]]
    near += [t.text for t in tokens[end + 1 : end + 4]]
    # (a figure of no event is said with the word before it and what it counts: "employed
    # 340 people", "voted 23")
    last = end - (not _content(unit))
    if unit == "per" and end + 1 < len(tokens) and tokens[end + 1].text == "cent":
        last = end + 1  # "5 per cent"
    # (not "year," of "a 12-year, $365m deal")
    plain = None, start - bool(before and _content(before)), last
    if any(_CHANGED.fullmatch(w) for w in [*near, unit]):
        return plain
    # what is said of them after it: "240 people were taken hostage", "240 taken hostage"
    people = unit in _PEOPLE
    after = end + 1 if people else end
    while after < len(tokens) and tokens[after].text in _PASSIVE:
        after += 1
    said = [t.text for t in tokens[after : after + 2]]
    taken = before in _TAKING and bool(said) and said[0] in ("hostage", "captive")
    for event, (nouns, verbs) in _EVENTS.items():
        if nouns.match(unit) and (
            not before or before in _TAKING or before in _PASSIVE or verbs.match(before)
        ):  # "took 199 hostages", "the 240 hostages", "199 hostages are held"
            return event, start - bool(before and before not in _PASSIVE), end
        if people and taken and event == "hostage":  # "took 240 people hostage"
            return event, start - 1, after
        if (people or not unit) and before and verbs.match(before):  # "killed 13 people"
            return event, start - 1, end if people else end - 1
        for n in range(len(said), 0, -1):  # "were killed", "were taken hostage"
            if verbs.match(" ".join(said[:n])):
                return event, start, after + n - 1
    return plain


# a name's possessive a few words before a figure: "Mike Trout's record 12-year, $426.5 million"
_OWNER_NEAR = re.compile(r"(?<![\w-])(?-i:[A-Z][\w-]+)['’]s\s+(?:[\w,.-]+\s+){0,3}$")
# a person's name (two words or more, capitalised) that a sentence opens with, as its subject:
# "Mookie Betts, for example, has …", "Shohei Ohtani’s singular pursuit …"
_OWNER_FIRST = re.compile(
    r"^\W*(?!(?:The|A|An|In|On|At|As|For|But|And|After|Before|When|While|This|That)\s)"
    r"(?-i:[A-Z][\w-]+(?:\s+[A-Z][\w-]+)*\s+([A-Z][\w-]+))(?=['’]s\b|,|\s+(?:has|had|is|was|will|"
    r"agreed|signed|said|says|got|earned|received|made|paid|won|lost)\b)"
)


def _whose(text: str, at: int) -> str | None:
    """Whose the figure written from `at` is, by a name's last word: a possessive just before it,
    or else the person a sentence opens with; None when neither is there (a place or a group of
    one word, "Hamas", "Israel", is not taken for one)."""
    near = _OWNER_NEAR.search(text[max(0, at - 60) : at])
    if near is not None:
        return re.sub(r"['’]s$", "", near[0].split()[0]).lower()
    first = _OWNER_FIRST.match(text)
    return first[1].lower() if first is not None else None


def _place(text: str, tokens: list[_Token]) -> str | None:
    """The place named by `tokens` after a figure, "in Israel", "across Gaza", if they do."""
    if len(tokens) == 2 and tokens[0].text in ("in", "across", "inside"):
        name = text[tokens[1].start : tokens[1].end]
        return tokens[1].text if name[:1].isupper() else None
    return None


def _currency(tokens: list[_Token], start: int) -> str | None:
    """The currency sign just before token `start`, if any."""
    if start and tokens[start - 1].kind == "symbol" and tokens[start - 1].text in "$£€":
        return tokens[start - 1].text
    return None


def _content(word: str) -> str | None:
    terms = content_terms(word)
    return terms[0] if terms else None


def _lead(tokens: list[_Token]) -> str | None:
    """The last content word before a figure, after any other figure: what it measures."""
    lead = None
    for t in tokens:
        if t.kind != "word" or t.text in _SMALL or t.text in _TENS or t.text in _SCALES:
            lead = None  # (a figure between: "voted 23 to 8" has no lead for its 8)
            continue
        lead = _content(t.text) or lead
    return lead


def _unit(tokens: list[_Token]) -> str | None:
    """What a figure counts: the word right after it ("people"), or a percentage."""
    if not tokens:
        return None
    first = tokens[0]
    if first.text == "%" or first.text == "percent":
        return "%"
    if first.text == "per" and len(tokens) > 1 and tokens[1].text == "cent":
        return "%"
    if first.kind != "word":
        return None
    return _content(first.text)


def conflicting(a: list[Figure], b: list[Figure], *, strict: bool) -> tuple[Figure, Figure] | None:
    """A figure of `a` and one of `b` that measure the same (`Figure.measures_as`) when `b`
    gives no figure of it that fits the one of `a`, or the other way round: "killed at least
    150 people" and "killed 199 people" (but not "killed 155 people", nor "injured 199
    people"); None when there is none."""
    for xs, ys, flip in ((a, b, False), (b, a, True)):
        for x in xs:
            same = [y for y in ys if x.measures_as(y, strict=strict)]
            if any(
                x.unit == y.unit and x.year == y.year and x.fits(y) and y.event in (None, x.event)
                for y in ys
            ):
                continue  # the other gives it too, in other words ("81 runs in 116 balls",
                # "an 81-run knock of 116 balls"): not a figure it reports otherwise
            if same and not any(x.fits(y) for y in same):
                return (same[0], x) if flip else (x, same[0])
    return None


def contradicts(a: list[Figure], b: list[Figure], *, strict: bool) -> bool:
    """Whether the figures of `a` and `b` cannot all hold (`conflicting`)."""
    return conflicting(a, b, strict=strict) is not None
