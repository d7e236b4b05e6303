"""Short questions the offline answerer declines or answers, with the real model: a figure asked
by what it measures ("the population of …"), money paid rather than planned, a person called by
surname, a prize of another field, and what a refusal on a weak match says instead of
nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from test_answers import answer_of, passage

from newsqa.answering import EvidenceScorer, ExtractiveAnswerer
from newsqa.answering.base import decline_text
from newsqa.answering.extractive import DEFAULT_MIN_SCORE
from newsqa.answering.forms import (
    asked_form,
    gives_measure,
    gives_money,
    measured,
    money_asked,
)
from newsqa.answering.results import asked_event, says_result
from newsqa.types import SearchHit

_DAY = datetime(2024, 5, 20, tzinfo=UTC)


def test_a_figure_asked_by_what_it_measures_is_given_near_that_word() -> None:
    """ "What is the population of the U.S.?" asks for a figure; "Latino populations" gives
    none, and "its population surpassed China's, … for more than 300 years" gives a time."""
    asked = measured("What is the population of the U.S.?")
    assert asked is not None and asked.word == "population"
    assert asked.asked == "the population of the U.S."  # (the name's "." kept)
    assert asked_form("What is the population of the U.S.?") == "number"
    assert measured("What is Travis Kelce's height?") is not None
    assert measured("How many people live in China?") is None
    assert asked_form("What is Nvidia's market cap?") == "amount"
    assert gives_measure("The census put its population at 412,000.", asked)
    assert gives_measure("Valdria, a population of about 1,200, lost 112 people.", asked)
    assert gives_measure("Its 2.3 million population waits.", asked)
    assert not gives_measure("Black, Hispanic and Latino populations were most affected.", asked)
    assert not gives_measure(
        "India's population surpassed that of China, which had been the world's most populous "
        "country for more than 300 years.",
        asked,
    )
    assert not gives_measure(
        "China's aging population is a drag, while India, with a median age of 28.2, is not.",
        asked,
    )


def test_a_short_question_for_a_measure_no_sentence_gives_is_declined_saying_what_was_found(
    real_embedder,
) -> None:
    """ "What is the population of the U.S.?" was answered with an AIDS story's "Black, Hispanic
    and Latino populations" of the U.S.: now declined, saying that no figure was found and
    which stories were; a sentence giving the figure of that name answers it."""
    story = passage(
        0,
        "Men made up most new infections in Valdria, with its Black and Latino populations "
        "most affected. Other populations far from the targets include transgender people, an "
        "estimated 44% of whom are on treatment.",
        source="Health Wire",
        title="We could end the epidemic in a decade",
        published=_DAY,
    )
    question = "What is the population of Valdria?"
    declined = answer_of(real_embedder, question, story)
    assert declined.declined and declined.notes == (
        "None of the passages found gives a figure for the population of Valdria.",
        "Closest found: “We could end the epidemic in a decade” (Health Wire, 20 May 2024).",
    )
    census = passage(
        1, "The census put the population of Valdria at 412,000.", title="Census", published=_DAY
    )
    answered = answer_of(real_embedder, question, story, census)
    assert not answered.declined and "412,000" in answered.citations[0].passage


def test_a_person_named_whole_once_is_found_by_surname_in_another_story(real_embedder) -> None:
    """ "How much did Gregg Berhalter earn?" was declined: the story that says what he earned
    calls him "Berhalter", and a short question's names were held whole in each story."""
    squad = passage(
        0,
        "Mara Quell has called in 23 players for the friendlies this month.",
        source="Sports Wire",
        title="Valdria squad for the October friendlies",
    )
    pay = passage(
        1,
        "The federation's reports show the salaries of its coaches. Quell's previous deal "
        "earned her $1.6 million, including $300,000 in bonuses.",
        source="The Valdria Courier",
        title="How the federation lured a new coach",
    )
    question = "How much did Mara Quell earn?"
    answer = answer_of(real_embedder, question, squad, pay)
    assert not answer.declined, answer.notes
    assert "$1.6 million" in answer.citations[0].passage
    # the surname alone, where nothing found names the person whole, is nobody known
    alone = answer_of(real_embedder, question, pay)
    assert alone.declined and alone.notes == ("Nothing found mentions “Mara Quell”.",)


def test_a_prize_of_another_field_is_not_the_prize_asked() -> None:
    """ "Who won the Nobel Peace Prize?" was answered with the prize in medicine, and a story
    that "reported the winners several hours before the prize was announced"."""
    peace = asked_event("Who won the Nobel Peace Prize?")
    prize = asked_event("Who won the Nobel Prize?")
    assert peace is not None and prize is not None
    medicine = "On Monday, Ana Lind and Bo Varga won the Nobel Prize in medicine for vaccines."
    story = f"{medicine} The prizes in literature, peace and economics follow."
    assert not says_result(medicine, peace, story)
    assert says_result(medicine, prize, story)
    assert says_result("Ida Varga won the Nobel Peace Prize for her work.", peace, "")
    early = "Swedish media reported the winners several hours before the prize was announced."
    assert not says_result(early, peace, story)
    assert says_result("Ida Varga was among the winners of the prize.", peace, story)


def test_a_refusal_on_a_weak_match_says_why_and_what_was_found(real_embedder) -> None:
    """ "Who won the Argentine presidential election?" was declined with no note at all when
    nothing found matched well: it now says what nothing found says, and what was found."""
    hits: tuple[SearchHit, ...] = (
        passage(
            0,
            "Brackwater Rovers drew 1-1 with Orsk at home on Saturday, and their coach was "
            "pleased with the point.",
            source="Sports Wire",
            title="Rovers hold Orsk",
            published=_DAY,
        ),
    )
    question = "Who won the Brackwater presidential election?"
    answerer = ExtractiveAnswerer(EvidenceScorer(real_embedder))
    assert answerer.best_score(question, hits) < DEFAULT_MIN_SCORE  # (the weak match's path)
    declined = answer_of(real_embedder, question, *hits)
    assert declined.declined and declined.notes == (
        "None of the passages found says who won the Brackwater presidential election.",
        "Closest found: “Rovers hold Orsk” (Sports Wire, 20 May 2024).",
    )
    # an election found, of another country: no one is said to have won the one asked
    other = passage(
        1,
        "Voters in Orsk go to the polls next month in a presidential election that polls "
        "call close.",
        source="World Desk",
        title="Orsk votes",
        published=_DAY,
    )
    declined = answer_of(real_embedder, question, *hits, other)
    assert declined.declined and declined.notes[0] == (
        "None of the passages found says who won the Brackwater presidential election."
    )
    assert declined.notes[1].startswith("Closest found: “")
    # a question for no figure nor result says only what was found (its words may name an
    # outlet nothing found is of: "What did the Lakeside Gazette report?")
    asked = "What did Brackwater's mayor say about the harbour?"
    assert answerer.best_score(asked, hits) < DEFAULT_MIN_SCORE
    assert answer_of(real_embedder, asked, *hits).notes == (
        "Closest found: “Rovers hold Orsk” (Sports Wire, 20 May 2024).",
    )


def test_money_asked_is_money_and_what_was_paid_not_what_is_planned() -> None:
    done = money_asked("How much did Mistral AI raise?")
    to_come = money_asked("How much will Binance pay in fines?")
    assert done is not None and done.done and to_come is not None and not to_come.done
    assert money_asked("How much rain fell in Orsk?") is None
    assert gives_money("It raised a €105 million seed round last year.", done)
    assert gives_money("Andonovski earned $446,495, of which $50,000 was bonus money.", done)
    # still to come in its clause: answers another question than what was paid
    plan = "According to a report, Mistral AI plans to raise as much as $300 million."
    assert gives_money(plan, done) is None and gives_money(plan, to_come)
    predicted = "Shohei Ohtani's predicted $535 million for 11 years is a record."
    assert gives_money(predicted, done) is None
    assert gives_money("The headset will cost $3,499 when it ships.", done)  # a price set
    # an estimate of what is under way is said as done
    assert gives_money("The ongoing tour is expected to gross some $1.4 billion.", done)
    # a count is no money
    assert gives_money("Her songs have earned the support of 103.7992 million fans.", done) is False


def test_how_much_was_raised_is_answered_by_what_was_not_by_a_plan(real_embedder) -> None:
    """ "How much did Mistral AI raise?" led with "Mistral AI plans to raise as much as $300
    million"; "How much did Taylor Swift earn?" with "103.7992 million Swifties"."""
    plan = passage(
        0,
        "According to a recent report, Kestrel AI plans to raise as much as $300 million in the "
        "coming weeks.",
        source="Tech Wire",
        title="Kestrel AI in talks for a new round",
        published=_DAY,
    )
    seed = passage(
        1,
        "Kestrel AI, the startup building open language models, raised a €105 million seed "
        "round last year, led by Orsk Ventures.",
        source="Tech Wire",
        title="Europe's AI startups",
        published=_DAY,
    )
    question = "How much did Kestrel AI raise?"
    answer = answer_of(real_embedder, question, plan, seed)
    assert not answer.declined and "€105 million" in answer.citations[0].passage, answer.text
    declined = answer_of(real_embedder, question, plan)
    assert declined.declined
    assert declined.notes[0] == "None of the passages found gives a figure for it."
    fans = passage(
        2,
        "Mara Quell's songs have earned the support of 103.7992 million fans in the world.",
        title="Mara Quell's year",
    )
    counted = answer_of(real_embedder, "How much did Mara Quell earn?", fans)
    assert counted.declined
    assert counted.notes[0] == "None of the passages found gives a figure for it."


def test_a_refusal_quotes_a_question_ending_in_an_initial_whole() -> None:
    """ "What is the population of the U.S.?" was quoted as "… of the U.S”."""
    said = "The indexed articles don't say enough to answer “What is the population of the U.S.”."
    assert decline_text("What is the population of the U.S.?") == said
    assert decline_text("What is the population of the U.S. ?") == said
    assert decline_text("Why was he fired?!") == (
        "The indexed articles don't say enough to answer “Why was he fired”."
    )
