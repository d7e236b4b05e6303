"""What a short question asks that the sentences chosen to answer it must say, or it is
declined, saying why: the nouns it asks for, what it asks of a name ("the population of
Canada", "Binance's penalty"), an ordinal with what it counts ("first boyfriend"), a year it
names, a figure or a result it asks for."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from newsqa.answering.coverage import (
    asked_of,
    asked_ordinals,
    asked_words,
    carried_names,
    unheld,
    unheld_of,
    unheld_ordinals,
)
from newsqa.answering.evidence import Sentence
from newsqa.answering.forms import (
    asked_form,
    gives,
    gives_measure,
    gives_money,
    measured,
    money_asked,
)
from newsqa.answering.names import Name, asked_names, listing, names_in
from newsqa.answering.results import article_texts, asked_event, says_result
from newsqa.retrieval.outlets import OutletMatcher
from newsqa.retrieval.plan import blank
from newsqa.types import SearchHit

__all__ = ["edition_years", "unanswered", "ungiven", "unmentioned_years", "years_named"]

# what a short question asks for that its passages must give, or it is declined, saying so
_DECLINED_WITHOUT = {
    "amount": "None of the passages found gives a figure for it.",
    "winner": "None of the passages found says who won.",
}

# a year that names an event ("the 2025 Super Bowl", "the 2024 election"), not a period: one
# after a month or a preposition of time is when to look ("in March 2023", "since 2022")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
# wins counted, over editions: "twice", "three times", "in each of the last three seasons"
_TALLY = re.compile(
    r"\b(?:twice|(?:two|three|four|five|six|seven|eight|nine|ten|\d+)\s+times|"
    r"(?:two|three|four|five|six|seven|eight|nine|ten|\d+)-time|in\s+each\s+of)\b",
    re.IGNORECASE,
)
_PERIOD_BEFORE = re.compile(
    r"(?:\b(?:in|during|since|until|till|before|after|by|from|through|of|early|late|mid|end|"
    r"start|beginning)|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
    r"(?:\s+\d{1,2}(?:st|nd|rd|th)?,?)?)\s*-?\s*$"
)


def unanswered(
    asked: str, chosen: Sequence[Sentence], hits: Sequence[SearchHit], matcher: OutletMatcher
) -> tuple[str, ...]:
    """Why the sentences `chosen` (of `hits`) do not answer the short question `asked`, as
    notes; none when they may. The stories quoted are read as found: a word said in another
    paragraph of the story ("How many rides did Revel's mopeds have?" of a sentence that says
    "Revel's rides") is the same story's; and a follow-up is about whom the topic it carries
    names ("How much did his repairs cost? (Anselm Quist)")."""
    years = unmentioned_years(asked, chosen, hits)
    if years:
        # a year it names that nothing quoted mentions nor is dated in: "Who won the 2025
        # Super Bowl?" is not answered with the 2017 Eagles
        return (f"Nothing found mentions {listing(years)}.",)
    articles = {hits[s.hit_index].article.id: hits[s.hit_index] for s in chosen}
    stories = [
        [hit.article.title, *(h.text for h in hits if h.article.id == article)]
        for article, hit in articles.items()
    ]
    quoted = [text for story in stories for text in story]
    outlets = [(m.start, m.end) for m in matcher.find(asked)]
    words = asked_words(blank(asked, outlets)) + carried_names(asked)
    unsaid = unheld(words, quoted)
    if unsaid:
        # what it asks for, said by no article quoted: "What is the population of Canada?" is
        # not answered with Canada's football, nor "What is the capital of France?" with the
        # French business of "Scalable Capital"
        return (f"The articles that match best do not mention {listing(unsaid)}.",)
    apart = unheld_of(asked_of(asked, words, asked_names(asked, matcher)), stories)
    if apart:
        # what it asks of a name, said in the stories quoted but not of that name: "What is
        # the population of Canada?" is not answered by a live blog of Canada's football whose
        # stands are "sparsely populated", nor "What is Binance's penalty?" by Kraken's
        said = ", ".join(f"the {listing([w])} of {listing([n])}" for w, n in apart)
        return (f"The articles that match best do not mention {said}.",)
    ordinals = unheld_ordinals(asked_ordinals(asked, words), quoted)
    if ordinals:
        # "Who was Taylor Swift's first boyfriend?" is not answered by a story that says
        # "first" of something else and "boyfriend" elsewhere
        return (f"The articles that match best do not mention {listing(ordinals)}.",)
    return ungiven(asked, chosen, hits, matcher)


def ungiven(
    asked: str, chosen: Sequence[Sentence], hits: Sequence[SearchHit], matcher: OutletMatcher
) -> tuple[str, ...]:
    """Why the sentences `chosen` (of `hits`) do not give the answer the short question `asked`
    asks for, a figure or a result ("None of the passages found says who won the Argentine
    presidential election."), as notes; none when they may, or it asks for neither."""
    form = asked_form(asked)
    event = asked_event(asked) if form == "winner" else None
    measure = measured(asked) if form == "number" else None
    if measure is not None:
        # "What is the population of the U.S.?" is not answered by a sentence that says "Latino
        # populations" of the U.S. and no figure, nor "India's population surpassed China's":
        # one sentence gives a figure of it, near the word for it, and names what is asked of
        named = asked_names(asked, matcher)
        if not any(
            gives_measure(s.text, measure) and len(names_in(named, s.text)) == len(named)
            for s in chosen
        ):
            end = "" if measure.asked.endswith(".") else "."
            return (f"None of the passages found gives a figure for {measure.asked}{end}",)
    elif event is not None:
        # "Who won the 2023 World Series?" is not answered by a win of one of its games, nor
        # "Who won the 2023 Cricket World Cup?" by India's "won the last two matches"
        told = article_texts(hits)
        if not any(says_result(s.text, event, told[hits[s.hit_index].article.id]) for s in chosen):
            return (f"None of the passages found says who won {event.said}.",)
    elif (money := money_asked(asked) if form == "amount" else None) is not None:
        # "How much did Mistral AI raise?" is not answered by what it "plans to raise", nor
        # "How much did Taylor Swift earn?" by "103.7992 million Swifties" (a count) alone
        if not any(gives_money(s.text, money) for s in chosen):
            return (_DECLINED_WITHOUT["amount"],)
    elif form in _DECLINED_WITHOUT and not any(gives(s.text, form) for s in chosen):
        # "How much did Apple's Vision Pro cost?" answered with a sentence naming it but no
        # price answers nothing asked (a count or a length may be written in words,
        # "twenty-two minutes": those questions are answered as they are); "Who won Super
        # Bowl LVIII?" answered with a preview of the game, neither
        return (_DECLINED_WITHOUT[form],)
    return ()


def unmentioned_years(
    question: str, chosen: Sequence[Sentence], hits: Sequence[SearchHit]
) -> list[Name]:
    """The years `question` names that no sentence chosen mentions (with its article's title)
    nor is dated in."""
    out = []
    for m in _YEAR.finditer(question):
        if _PERIOD_BEFORE.search(question[: m.start()]):
            continue  # a period ("in March 2023") only lifts evidence of its dates, said so
        year = m[0]
        if not any(
            year in f"{a.title}\n{s.text}"
            or (a.published is not None and str(a.published.year) == year)
            for s in chosen
            for a in [hits[s.hit_index].article]
        ):
            out.append(Name(year, (year,)))
    return out


def years_named(text: str) -> set[int]:
    """The years `text` names ("the 2025 Super Bowl", "in 2015")."""
    return {int(y) for y in _YEAR.findall(text)}


def edition_years(sentence: str, title: str, published: datetime | None) -> set[int]:
    """The years a result is of: those its sentence names ("Houston won the 2022 World
    Series"), else its title's, else its article's year; none for a tally ("Chelsea have won
    the Champions League twice"), which is of no one edition."""
    if _TALLY.search(sentence) and not years_named(sentence):
        return set()
    for text in (sentence, title):
        years = years_named(text)
        if years:
            return years
    return {published.year} if published is not None else set()
