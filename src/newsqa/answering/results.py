"""What a "Who won …?" question asks the result of (a cup, a series, a championship, an election,
an award, a final) and whether a sentence says that result: that the event itself was won, not
a game, match, round, stage or leg of it, nor another event ("the Arizona Diamondbacks have won
Game 2 of the 2023 World Series" does not say who won the 2023 World Series; "India has won the
last two matches" does not say who won the Cricket World Cup)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from newsqa.answering.forms import CLAUSE_BREAK
from newsqa.types import SearchHit

__all__ = ["Event", "article_texts", "asked_event", "says_result"]


@dataclass(frozen=True)
class Event:
    """What a question asks the winner of: as asked ("the 2023 World Series"); the words that
    may name it in a result (its head, "series", and the words for a title: "won its first
    title"); the other words of its name, which the result's story must say ("world"); and the
    preposition after its head with the words it opens ("in", "medicine" of "the Nobel Prize in
    medicine": a result naming "the Nobel Prize in chemistry" is of another)."""

    said: str
    head: str
    names: tuple[str, ...]
    story_words: tuple[str, ...]
    preposition: str
    after: tuple[str, ...]


# the object of the win asked about: "Who won the 2023 World Series?", "Who was the winner of …"
_ASKED = re.compile(
    r"\b(?:won|wins|winners?\s+of|(?:took|take)\s+home|(?:claimed|clinched|lifted))\s+"
    r"(?P<event>[^?]+)",
    re.IGNORECASE,
)
# what follows the event in the question and names none of it: who played, when, where
_EVENT_END = re.compile(
    r"\s+(?:between|against|over|on|last|this|during|when|after|before|by|with|so\s+far|yet|"
    r"in\s+(?:19|20)\d\d)\b.*$|\s+(?:19|20)\d\d\s*$",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"[^\W_]+(?:['’.-][^\W_]+)*")
_PREPOSITIONS = frozenset("of in at for from".split())
_UNNAMING = frozenset(
    """the a an and this that year's last latest first second third fourth fifth next most
    recent inaugural annual new its their his her""".split()
)
_NUMBER = re.compile(r"^(?:\d+|[IVXL]+)$")
_YEARISH = re.compile(r"^(?:19|20)\d\d(?:-\d\d)?$")
_ACRONYM = re.compile(r"^[A-Z]{2,5}$")  # "ODI" of "the ICC Men's ODI World Cup"
_NAMED = re.compile(r"(?-i:[A-Z][a-z]+\s+[A-Z])")  # a word of a name: "Champions League"

# an event's name and the words a result may call it by: winning the final is winning the cup
_TITLES = tuple(
    "title titles crown championship champion champions trophy cup final finals".split()
)
_ELECTION = ("election", "elections", "vote", "poll", "polls", "runoff", "presidency", "ballot")
_AWARD = ("award", "awards", "prize", "medal", "honour", "honor", "gong", "trophy")
_SAME = {
    **dict.fromkeys(_ELECTION, (*_ELECTION, "race")),
    **dict.fromkeys(_AWARD, _AWARD),
    **dict.fromkeys(["prix", "race"], ("prix", "race", *_TITLES)),
}
# what is won on the way to an event's result, not the result: its games, matches, rounds
_PARTS = (
    r"games?|match(?:es)?|matchups?|rounds?|stages?|legs?|heats?|sets?|fixtures?|rubbers?|"
    r"toss|semi-?finals?|semi\s+finals?|quarter-?finals?|quarter\s+finals?|openers?|groups?|"
    r"pools?|ties?|meetings?|contests?|innings|halves|primar(?:y|ies)|caucus(?:es)?|"
    r"states?|districts?|seats?|races?|bouts?|fights?|events?|points?|singles|doubles|"
    r"knockouts?|play-?offs?|series|rematch|derby|decider|friendl(?:y|ies)"
)
# saying that someone won: "won", "beat", "victory over", "champions", "sealed a third title",
# "the physics prize went to", "since winning the Super Bowl" (not "win", "to claim": to come)
_WON = re.compile(
    r"\b(?:won(?![’'])|beat|defeated|victory|victorious|clinched|triumph(?:ed)?|winners?|champions?|"
    r"claimed|sealed|secured|captured|lifted|retained|defended|took\s+home|went\s+to|"
    r"(?:was|were)\s+awarded|awarded\s+to|(?:since|after|by)\s+(?:winning|beating|defeating|"
    r"sealing|claiming|clinching|lifting|capturing))\b",
    re.IGNORECASE,
)
# a win not had, or still to come: "have never won", "one more win to become champions"
_NOT = re.compile(
    r"\b(?:not|never|n[’']t|yet\s+to|without|to\s+(?:be|become)|will|would|could|might|may|can|"
    r"hopes?|hoping|bid|bidding|chance|odds|favou?rites?|needs?|bet|next|future|potential|"
    r"projected|predicted)\s+(?:[\w'-]+\s+){0,5}$",
    re.IGNORECASE,
)
# a win on the way somewhere: "beat the All Blacks 19-7 to reach the final"
_ON_THE_WAY = re.compile(
    r"\bto\s+(?:reach|advance|progress|qualify|book|set\s+up|move|make|earn|stay|keep)\b",
    re.IGNORECASE,
)
# a win that may follow what was won: a noun ("the Ballon d'Or winner", "Super Bowl
# champions", "championship victory") or a passive ("the final … won by Australia", "the physics
# prize went to …"); a verb's object follows it
_OF_BEFORE = re.compile(
    r"(?:winners?|champions?|victor(?:y|ious)|triumph)\b|\w+\s+by\b|went\s+to\b|"
    r"(?:was|were)\s+awarded|awarded\s+to",
    re.IGNORECASE,
)
_WIN_NOUN = re.compile(r"(?:victory|triumph|winners?)$", re.IGNORECASE)
# what joins a win said as a noun to what was won after it: "the winners of the 2023 prize",
# "victory in the final" (not "the winners several hours before the prize")
_NOUN_OF = re.compile(r"\s*(?:of|in|at)\s+(?:[\w'.-]+\s+){0,3}$", re.IGNORECASE)
# the game that decides a title is the title's
_DECIDER = re.compile(r"(?:title|championship)s?\s+(?:game|match|fight|bout)\b", re.I)
# a title of another scope than the event's: "the national title", "a conference championship"
_SCOPED = re.compile(
    r"\b(national|conference|division|divisional|league|domestic|regional|state|world|"
    r"continental|european|international|county|junior|youth|batting|scoring|rushing|passing|"
    r"constructors'?|drivers'?)\s+$",
    re.IGNORECASE,
)
# a count of wins, of no one edition: "the five-time Ballon d'Or winner", "a 3-time champion"
_TALLY = re.compile(
    r"\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|multiple|many)"
    r"[ -]times?\s+(?:[\w'’.-]+\s+){0,3}$",
    re.IGNORECASE,
)
# an event's edition held by someone, counted or the latest: "Lionel Messi's most recent Ballon
# d'Or", "the Rangers' first World Series title" (not "Messi's Ballon d'Or hopes": see _HELD_NOT)
_HELD = re.compile(
    r"(?P<who>(?-i:[A-Z][\w.-]*))(?:'s|s')\s+(?P<count>(?:most\s+recent|latest|record|first|second|third|"
    r"fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d+(?:st|nd|rd|th))(?:[\s-]+|$))+"
    r"(?P<rest>(?:[\w'.-]+\s+){0,4})$",
    re.IGNORECASE,
)
# what may follow an event held that is not a win of it: a part, a try at it, a part in it
_HELD_NOT = re.compile(
    rf"\s+(?:{_PARTS}|finals?|campaigns?|appearances?|bids?|nominations?|hopes?|chances?|"
    r"shortlists?|ceremon(?:y|ies)|runs?|mvp|debuts?|trip|berth|defen[cs]e)\b",
    re.IGNORECASE,
)
_AFTER, _BEFORE = 10, 4  # words from a win to the event it names, after it and before it


def asked_event(question: str) -> Event | None:
    """The event whose winner `question` asks for ("Who won the 2023 Cricket World Cup?"), or
    None when it names none ("Who won?", "Who beat Oregon?": an opponent, not an event)."""
    m = _ASKED.search(question)
    if m is None:
        return None
    said = _EVENT_END.sub("", m["event"].strip().rstrip(".!,; ")).strip()
    words = _TOKEN.findall(said.replace("’", "'"))
    cut = next((i for i, w in enumerate(words) if w.lower() in _PREPOSITIONS), len(words))
    named = [w for w in words[:cut] if w.lower() not in _UNNAMING]
    while named and (_NUMBER.match(named[-1]) and not _counted(named)):
        named.pop()  # "Super Bowl LVIII", "the Cup 2023": the name's head is before its number
    if not named:
        return None
    counted = _counted(named)  # "Game 3": a game of a series, by its number
    head = f"{named[-2]} {named[-1]}" if counted else named[-1]
    before = named[:-2] if counted else named[:-1]
    after = [w.lower() for w in words[cut:] if w.lower() not in _UNNAMING | _PREPOSITIONS]
    key = head.lower()
    # a part asked for ("Game 3", "the semi-final") is called by its own name alone
    part = counted or re.fullmatch(_PARTS, key) is not None
    names = (key,) if part else (key, *_SAME.get(key, _TITLES))
    return Event(
        said=said,
        head=key,
        names=tuple(dict.fromkeys(names)),
        story_words=tuple(w.lower() for w in (*before, *after) if not _YEARISH.match(w)),
        preposition=words[cut].lower() if cut < len(words) else "",
        after=tuple(w for w in after if not _YEARISH.match(w)),
    )


def _counted(words: Sequence[str]) -> bool:
    """Whether `words` end in a part numbered ("Game 3", "Stage 5")."""
    return (
        len(words) >= 2
        and words[-1].isdigit()
        and re.fullmatch(_PARTS, words[-2], re.IGNORECASE) is not None
    )


def says_result(text: str, event: Event, story: str) -> bool:
    """Whether the sentence `text` (of an article whose title and passages are `story`) says
    who won `event`: a win said of it, or of its final, within a clause ("Houston won the 2022
    World Series", "the Ballon d'Or winner", "sealed a record-equalling third title"), not of a
    part of it ("won Game 2 of the World Series", "beat the All Blacks to reach the final"), nor
    of an event that is not it (a prize in chemistry for one in medicine)."""
    plain = text.replace("’", "'")
    if not all(_has(plain, w) or _has(story.replace("’", "'"), w) for w in event.story_words):
        return False
    names = re.compile(
        rf"(?<![\w-])(?<!semi )(?<!quarter )(?:{'|'.join(map(re.escape, event.names))})"
        r"(?:s|es)?(?![\w-])",
        re.IGNORECASE,
    )
    parts = re.compile(rf"(?<![\w-])(?:{_PARTS})(?![\w-])", re.IGNORECASE)
    # a word for it named as another event's anywhere in the sentence makes its other words for
    # it that event's too: "Blaney's championship victory at the Cup Series Championship Race"
    # is not the Truck Series'
    unnamed_ok = all(
        _named_by(plain[: m.start()], event) is not False for m in names.finditer(plain)
    )
    if any(_held(plain, name, event) for name in names.finditer(plain)):
        return True
    for won in _WON.finditer(plain):
        if _NOT.search(plain[: won.start()]):
            continue  # "have never won the World Series"
        if won[0].lower() in _own(event) or _NAMED.match(plain, won.start()):
            continue  # a name's word: "the Champions League final" says no one won it
        last = " ".join(plain[: won.start()].split()[-1:])
        if _WIN_NOUN.match(won[0]) and _is_part(last, parts, event):
            continue  # "his race victory", "their semi-final triumph"
        for name in names.finditer(plain):
            if name.start() >= won.end():
                between = plain[won.end() : name.start()]
                if len(between.split()) > _AFTER:
                    continue
            elif name.end() <= won.start():
                between = plain[name.end() : won.start()]
                if len(between.split()) > _BEFORE or not _OF_BEFORE.match(plain, won.start()):
                    continue  # "a push at winning a World Series after winning six AL West …"
            else:
                between = ""
            if CLAUSE_BREAK.search(between) or _ON_THE_WAY.search(between):
                continue
            noun = name.start() >= won.end() and _WIN_NOUN.match(won[0]) is not None
            if noun and between.strip() and not _NOUN_OF.match(between):
                continue  # "reported the winners several hours before the prize was …"
            # a part between the win and the event, or named with the event ("the World Cup
            # semi-final", "the Davis Cup round-robin matches"), is what was won
            near = plain[name.end() : name.end() + 24].split(".")[0]
            if _DECIDER.match(name[0] + near):
                near = ""  # "the ACC Championship Game", "a title fight": what decides it
            if _is_part(between, parts, event) or _is_part(near, parts, event, 2):
                continue
            if name.end() <= won.start() and _TALLY.search(plain[: name.start()]):
                continue  # "the five-time Ballon d'Or winner" won it, but which time?
            scope = _SCOPED.search(plain[: name.start()])
            if scope and scope[1].lower() not in _own(event):
                continue  # "won the national title" is not the ACC title
            if _qualified_otherwise(plain[: name.start()], plain[name.end() :], event):
                continue  # "the Nobel Prize in chemistry" for the one in medicine
            named = _named_by(plain[: name.start()], event)
            if named is False or (named is None and not unnamed_ok):
                continue  # "the AL West championships" are not the World Series
            return True
    return False


def _held(plain: str, name: re.Match[str], event: Event) -> bool:
    """Whether a word for the event (`name`, in `plain`) is said as an edition someone holds,
    counted or the latest ("Lionel Messi's most recent Ballon d'Or"), its own words between
    and nothing after that makes it a part of it or a try at it."""
    if name[0].lower().startswith("final"):  # "Orsk United's first Orsk Cup final": a part
        return False
    held = _HELD.search(plain[: name.start()])
    if held is None or _HELD_NOT.match(plain[name.end() :]):
        return False
    own = _own(event)
    if held["who"].lower() in own:  # "the Rugby World Cup's second semi-final": its own part
        return False
    between = _TOKEN.findall(held["rest"])
    return all(w.lower() in own or _YEARISH.match(w) for w in between)


def _named_by(before: str, event: Event) -> bool | None:
    """Whether the name just before a word for the event (`before` ends there) is the event's
    own ("the 2022 World Series"), another's ("AL West" of "the AL West championships" for the
    World Series, "Cup Series" of "the Cup Series Championship Race" for the Truck Series
    championship: False), or None when no name is ("his first-ever championship"). An acronym
    beside its own words qualifies it ("the ICC Men's ODI World Cup" is the Cricket World Cup)."""
    own = _own(event)
    run: list[str] = []
    words = _TOKEN.findall(before.replace("’", "'"))
    for word in reversed(words[1:]):  # (the first is capitalised as a sentence's: "After")
        if _YEARISH.match(word) or word.lower() in _UNNAMING:
            continue
        if not word[0].isupper() or word.endswith("'s"):  # (an owner: "Friday's semi-final")
            break
        run.append(word)
    if not run:
        return None
    others = [w for w in run if w.lower() not in own]
    if others and len(others) < len(run) and all(_ACRONYM.match(w) for w in others):
        return True
    return not others


def _qualified_otherwise(before: str, after: str, event: Event) -> bool:
    """Whether a word for the event is followed (`after`) by the preposition that follows its
    head in the question, opening other words: "in chemistry" for "in medicine"; or, for a
    prize asked by the words before its head ("the Nobel Peace Prize"), by a field in lower case
    ("the Nobel Prize in medicine") where a word of the prize asked is not before it (`before`):
    another prize."""
    if not event.preposition:
        if event.head not in _AWARD:
            return False
        m = re.match(r"\s+(?:in|for)\s+(?:(?:the|a|an)\s+)?((?-i:[a-z]+))\b", after, re.I)
        if m is None or m[1] in _own(event):
            return False
        named = {w.lower() for w in _TOKEN.findall(before.replace("’", "'"))[-3:]}
        return any(w not in named for w in event.story_words)
    m = re.match(
        rf"\s+{event.preposition}\s+(?:(?:the|a|an|this|its|\d+)\s+)*([^\W\d_]+)", after, re.I
    )
    return m is not None and m[1].lower() not in event.after


def _has(text: str, word: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text, re.IGNORECASE) is not None


def _is_part(text: str, parts: re.Pattern[str], event: Event, words: int | None = None) -> bool:
    """Whether `text` (its first `words` words) names a part of an event other than the one
    asked: "Game 3" asked is the event, not a part of one, nor is "Series" of "the Truck Series
    championship"."""
    if words is not None:
        text = " ".join(text.split()[:words])
    own = {w.rstrip("s") for w in (*_own(event), event.head)}
    return any(m[0].lower().rstrip("s") not in own for m in parts.finditer(text))


def _own(event: Event) -> set[str]:
    """The words of the event's name."""
    return {*event.story_words, *event.head.split()}


def article_texts(hits: Sequence[SearchHit]) -> dict[str, str]:
    """Each article's title and passages found, by its id: what a result's story says."""
    told: dict[str, list[str]] = {}
    for hit in hits:
        told.setdefault(hit.article.id, [hit.article.title]).append(hit.text)
    return {article: "\n".join(texts) for article, texts in told.items()}
