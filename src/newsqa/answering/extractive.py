"""The default answerer: no LLM, offline, fast. It answers with the sentences of the retrieved
passages that best answer the question, each followed by its `[n]`; every cited sentence is a
verbatim span of its chunk, so its citations are correct by construction. It declines when even
the best sentence is a weak match."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import numpy as np

from newsqa.answering.answered import (
    edition_years,
    unanswered,
    ungiven,
    unmentioned_years,
    years_named,
)
from newsqa.answering.base import AnswerEvent, AnswerRequest, declining, newest_date
from newsqa.answering.dates import entry_day, resolve_relative_dates, updated_since
from newsqa.answering.evidence import EvidenceScorer, Sentence, content_terms, content_words
from newsqa.answering.figures import Figure, conflicting, figures
from newsqa.answering.forms import (
    asked_form,
    asks_who,
    counted,
    counts,
    defines,
    gives,
    gives_measure,
    gives_money,
    measured,
    money_asked,
)
from newsqa.answering.names import Name, asked_names, by_surname, listing, names_in, unmentioned
from newsqa.answering.premises import Contrary, Premise, premise_of
from newsqa.answering.results import article_texts, asked_event, says_result
from newsqa.periods import WEEKDAYS, last_news_day
from newsqa.retrieval.dates import MONTH_WORDS, DateMention, find_dates, reference_day
from newsqa.retrieval.outlets import OutletMatcher, OutletMention, display_name
from newsqa.retrieval.plan import SubQuery, asks_for_latest, blank, plan_query, without_latest
from newsqa.retrieval.query import split_question
from newsqa.retrieval.table import published_within
from newsqa.types import Answer, Citation, SearchHit

__all__ = ["DEFAULT_MIN_SCORE", "ExtractiveAnswerer"]

# Calibrated on the null vs answerable queries of MultiHop-RAG's dev half:
#   .venv/bin/python benchmarks/answers.py --calibrate --limit 400  (Youden J 0.81: refuses
#   94% of null queries, 12% of answerable ones; see benchmarks/README.md, session 8)
DEFAULT_MIN_SCORE = 0.36
# sentences at the start of an article that its lead is chosen from
_LEAD_SENTENCES = 3


@dataclass(frozen=True)
class _Pick:
    sentence: Sentence
    score: float
    vector: np.ndarray


@dataclass(frozen=True)
class _Scored:
    picks: list[_Pick]  # best first
    matrix: np.ndarray  # the picks' scores against the question (column 0) and each part
    parts: tuple[SubQuery, ...]  # the question's parts, each with the outlets it names
    named: list[_Named]  # the outlets the whole question names
    best: float  # the best sentence's match, before any bonus: what a refusal is decided on
    periods: list[DateMention]  # the periods the question names ("in March 2024")


@dataclass(frozen=True)
class _Named:
    """An outlet the question names: as it is called, and the outlets of the passages it means
    ("The Independent" means each of its sections)."""

    label: str
    outlets: frozenset[str]


class ExtractiveAnswerer:
    """Picks up to `max_sentences` relevant, non-redundant sentences from several articles."""

    name = "extractive"

    def __init__(
        self,
        scorer: EvidenceScorer,
        *,
        min_score: float = DEFAULT_MIN_SCORE,
        max_sentences: int = 4,
        max_per_article: int = 3,
        redundancy: float = 0.85,
        relative_cut: float = 0.75,
        candidates: int = 24,
        part_floor: float = 0.8,
        form_bonus: float = 0.15,
        name_bonus: float = 0.10,
        date_bonus: float = 0.15,
        lead_bonus: float = 0.10,
    ) -> None:
        self.scorer = scorer
        self.min_score = min_score
        self.max_sentences = max_sentences
        self.max_per_article = max_per_article
        self.redundancy = redundancy
        self.relative_cut = relative_cut
        self.candidates = candidates
        self.part_floor = part_floor
        self.form_bonus = form_bonus
        self.name_bonus = name_bonus
        self.date_bonus = date_bonus
        self.lead_bonus = lead_bonus

    def best_score(self, question: str, hits: tuple[SearchHit, ...]) -> float:
        """How well the best sentence of the passages matches: what the refusal is decided on."""
        return self._ranked(question, hits).best

    def _ranked(
        self,
        question: str,
        hits: tuple[SearchHit, ...],
        matcher: OutletMatcher | None = None,
        today: date | None = None,
        *,
        asked_as: str | None = None,
    ) -> _Scored:
        """The candidate sentences, best first, scored against the question and its parts (each
        with the outlets it names). A question, or a part, that asks for a figure or a time
        ("How much …", "When …") lifts the sentences that give one by `form_bonus`: "it paid
        $69bn" answers "How much did Microsoft pay for Activision?" better than a sentence that
        repeats more of its words. The refusal is decided before any lift. The periods are
        read from the question `asked_as` (`question` may have its words for the latest blanked:
        "as of November 20" is not "on November 20")."""
        matcher = matcher or _matcher(hits)
        texts = [question, *split_question(question)]
        found = [matcher.find(text) for text in texts]  # the outlets each names, read once
        named = _named_outlets(question, found[0])
        parts = tuple(
            SubQuery(text, tuple(dict.fromkeys(o for m in mentions for o in m.outlets)))
            for text, mentions in zip(texts[1:], found[1:], strict=True)
        )
        # the outlets a question names say where to look, not what to find: "Get in touch with
        # TechCrunch" answers nothing asked of TechCrunch
        queries = [
            blank(text, [(m.start, m.end) for m in mentions])
            for text, mentions in zip(texts, found, strict=True)
        ]
        sentences = self._candidates(self.scorer.sentences(hits), hits, queries)
        titles = [hits[s.hit_index].article.title for s in sentences]
        matrix, vectors = self.scorer.score(queries, [s.text for s in sentences], titles)
        # a short question of one part is about what it names: a sentence of an article whose
        # title and passages found do not name all of it is about something else ("Apple's
        # AirPods Pro are on sale for $190" for "How much did Apple's Vision Pro cost?"), and
        # one that names it itself, or in its article's title, answers it best ("Game 3", not
        # "Game 2", of "Who won Game 3 of the World Series?"). In a question of several parts,
        # the names are spread over the parts (the lift cost 0.025 of the gold facts quoted on
        # 300 MultiHop-RAG dev questions).
        short = _short(queries)
        names = asked_names(queries[0]) if short else []
        # a person named whole in one story is called by surname in another ("Berhalter …
        # earned him $1.6 million" in a story that names "Gregg Berhalter" elsewhere)
        also = [by_surname(n, [f"{h.article.title}\n{h.text}" for h in hits]) for n in names]
        if names and len(sentences):
            read: dict[str, list[str]] = {}  # an article's title and its passages found
            for h in hits:
                read.setdefault(h.article.id, [h.article.title]).append(h.text)
            # (in any case: "Writers" of "Why did the Writers strike end?" is in lower case in
            # the story on it, and in capitals in an outlet's name; the lift below is for the
            # sentences that write a name as the question does), except a one-word name that
            # a passage found writes as a name: "Threads", not "email threads"
            texts = ["\n".join(t) for t in read.values()]
            loose = [
                n if n.capitalised and any(names_in([n], t) for t in texts) else n.anycase
                for n in names
            ]
            whole = {a: _named(loose, also, "\n".join(t)) == len(loose) for a, t in read.items()}
            about = [whole[hits[s.hit_index].article.id] for s in sentences]
            if any(about):  # (no one article names them all: "Did Apple and Microsoft both …")
                keep = np.flatnonzero(about)
                sentences = [sentences[i] for i in keep]
                matrix, vectors = matrix[keep], vectors[keep]
        said = asked_as or question
        outlets = [(m.start, m.end) for m in (found[0] if said == question else matcher.find(said))]
        periods = find_dates(said, today=today, skip=outlets) if today else []
        if not sentences:
            return _Scored([], matrix, parts, named, 0.0, periods)
        refusal = float(matrix.max())
        if names and self.name_bonus:
            matrix[:, 0] += [
                self.name_bonus
                * _named(names, also, f"{hits[s.hit_index].article.title}\n{s.text}")
                / len(names)
                for s in sentences
            ]
        # a short question naming a period is about the news of then: "What happened to OpenAI
        # in December 2023?" led with November's sentences (the search lifts that period's
        # articles, but a November sentence could still match the question's words better)
        if short and periods and self.date_bonus:
            days = np.array(
                [
                    h.article.published.date().toordinal() if h.article.published else -1
                    for h in hits
                ]
            )
            inside = np.zeros(len(hits), dtype=bool)
            for period in periods:
                inside |= published_within(days, period, 1)
            matrix[:, 0] += [self.date_bonus * inside[s.hit_index] for s in sentences]
        # a short question about someone or something ("What does Keep Labs make?") is answered
        # best by a story's lead, which says what it is about, not by the later sentences that
        # only name it ("Somehow, Keep Labs won an award."); long questions ask for details
        # (on 300 MultiHop-RAG dev questions a lead bonus for every question cost 0.015 of the
        # gold facts quoted)
        if short and self.lead_bonus and _ABOUT.match(queries[0]) and not asked_form(queries[0]):
            leads = _lead_sentences(self.scorer.sentences(hits), hits)
            matrix[:, 0] += [self.lead_bonus * ((s.hit_index, s.start) in leads) for s in sentences]
        # "Who is Sam Bankman-Fried?" is answered by a sentence that says what he is ("Sam
        # Bankman-Fried, the founder of FTX, …"), not by one of a story that names him in its
        # title ("… Barbara Fried engaged defense lawyer …")
        if short and names and self.lead_bonus and asks_who(queries[0]):
            matrix[:, 0] += [
                self.lead_bonus * any(defines(s.text, n.text) for n in names) for s in sentences
            ]
        if self.form_bonus:  # each part by the form it asks for ("How long …, and what did …")
            for j, query in enumerate(queries):
                form = asked_form(query)
                noun = counted(query) if form == "number" else None
                measure = measured(query) if form == "number" else None
                money = money_asked(query) if form == "amount" else None
                if measure is not None:  # a figure of what it measures ("a population of …")
                    matrix[:, j] += [
                        self.form_bonus * gives_measure(s.text, measure) for s in sentences
                    ]
                elif money is not None:  # money paid, not planned ("plans to raise $300m"),
                    # which answers another question: it falls behind a sentence with no figure
                    matrix[:, j] += [
                        self.form_bonus * _MONEY_LIFT[gives_money(s.text, money)] for s in sentences
                    ]
                elif noun is not None:  # a figure of what it counts, not of anything else: a
                    # stronger sign than any figure ("begging for five weeks to return hostages"
                    # matched "How many hostages did Hamas take?" better than "took 199 hostages")
                    matrix[:, j] += [2 * self.form_bonus * counts(s.text, noun) for s in sentences]
                elif form == "winner" and (event := asked_event(query)) is not None:
                    # a result of the event asked leads, not a win of one of its games
                    told = article_texts(hits)
                    matrix[:, j] += [
                        self.form_bonus
                        * says_result(s.text, event, told[hits[s.hit_index].article.id])
                        for s in sentences
                    ]
                elif form is not None:
                    matrix[:, j] += [self.form_bonus * gives(s.text, form) for s in sentences]
        best = matrix.max(axis=1)
        order = np.argsort(-best, kind="stable")
        picks = [_Pick(sentences[i], float(best[i]), vectors[i]) for i in order]
        return _Scored(picks, matrix[order], parts, named, refusal, periods)

    def _candidates(
        self, sentences: list[Sentence], hits: tuple[SearchHit, ...], queries: list[str]
    ) -> list[Sentence]:
        """The sentences worth embedding: the `candidates` that share most of the question's
        words (weighted by rarity among the passages), and each passage's best such sentence.
        Embedding every sentence of eight passages is most of an offline answer's time."""
        if len(sentences) <= self.candidates:
            return sentences
        texts = [f"{hits[s.hit_index].article.title}. {s.text}" for s in sentences]
        overlap = np.max([self.scorer.lexical(q, texts) for q in queries], axis=0)
        order = np.argsort(-overlap, kind="stable")
        keep = set(order[: self.candidates].tolist())
        seen: set[int] = set()
        for i in order.tolist():
            if sentences[i].hit_index not in seen:
                seen.add(sentences[i].hit_index)
                keep.add(i)
        return [s for i, s in enumerate(sentences) if i in keep]

    def _select(self, question: str, hits: tuple[SearchHit, ...], scored: _Scored) -> list[_Pick]:
        ranked = scored.picks
        floor = max(self.min_score, ranked[0].score * self.relative_cut)
        # what is asked of one outlet, or in one part, is held to a part's floor: a part is
        # shorter than the question and its sentence scores lower (0.8 of the threshold quotes
        # 0.371 of the gold facts on 300 MultiHop-RAG dev questions, 1.0 quotes 0.342)
        part_floor = self.min_score * self.part_floor
        chosen: list[_Pick] = []
        per_article: dict[str, int] = {}
        topic = _topic_terms(question, scored.named)
        named_outlets = {o for n in scored.named for o in n.outlets}

        def take(pick: _Pick) -> bool:
            if pick in chosen:
                return False
            if (
                topic
                and named_outlets & _outlets(hits[pick.sentence.hit_index])
                and not _on_topic(topic, pick.sentence, hits)
            ):
                return False  # quoted as what an outlet the question names said about it
            article = hits[pick.sentence.hit_index].article.id
            if per_article.get(article, 0) >= self.max_per_article:
                return False
            for c in chosen:
                if (
                    float(pick.vector @ c.vector) > self.redundancy
                    and _conflict(pick, c, hits) is None
                ):
                    return False  # says again what is already said (a conflict is kept)
            chosen.append(pick)
            per_article[article] = per_article.get(article, 0) + 1
            return True

        # the latest on something: the newest article's best sentence leads, if it is a fair one
        # (of the period the question names, if it names one: "the latest on the tram line in
        # March" led with July's news)
        first: _Pick | None = None
        if asks_for_latest(question):
            # (a live page's entry by the day it heads: "November 21" of a timeline first
            # published on the 18th, its day's end, as an entry is written by then)
            dated = [
                (reported, p)
                for p in ranked
                if (reported := _reported(p, hits)) is not None
                and reported.date() <= last_news_day()  # later: misdated, not news
                and _within(reported.date(), scored.periods)
            ]
            if dated:
                newest = max(published for published, _ in dated)
                pick = next(p for published, p in dated if published == newest)  # its best
                if pick.score >= floor and take(pick):  # a fair answer by the usual measure
                    first = pick
        # an outlet the question names gets its best sentence in, if it has a fair one: one that
        # shares the question's topic (`take`), not only its dates ("The 2023 MacBook Air …"
        # for "And Wired? (OpenAI; November; 2023)")
        for named in scored.named:
            for pick in ranked:
                if named.outlets & _outlets(hits[pick.sentence.hit_index]):
                    if pick.score >= part_floor:
                        take(pick)  # (if on the question's topic)
                    break
        # then each part of a multi-part question its best sentence, from the outlets it names
        # if it names any, so that one part's matches do not crowd out another's (from its
        # outlets: 0.393 -> 0.402 of the gold facts quoted on 300 MultiHop-RAG dev questions)
        for part, asked in enumerate(scored.parts, start=1):
            column = scored.matrix[:, part].copy()
            if asked.outlets:  # from its outlets, and on the question's topic, as above
                own = set(asked.outlets)
                column[
                    [
                        not own & _outlets(hits[p.sentence.hit_index])
                        or bool(topic and not _on_topic(topic, p.sentence, hits))
                        for p in ranked
                    ]
                ] = -np.inf
                if not np.isfinite(column).any():
                    continue
            bar = max(part_floor, float(column.max()) * self.relative_cut)
            for i in np.argsort(-column, kind="stable").tolist():
                if len(chosen) >= self.max_sentences or column[i] < bar or take(ranked[i]):
                    break
        for pick in ranked:
            if len(chosen) >= self.max_sentences or pick.score < floor:
                break
            take(pick)
        return _reading_order(
            chosen,
            hits,
            scored.named,
            first,
            newest=asks_for_latest(question),
            periods=scored.periods,
        )

    def _leads(self, hits: tuple[SearchHit, ...]) -> list[_Pick]:
        """The lead of each article, in the passages' order (the newest first, for a question
        that asks for the news itself: "What is the latest from the BBC?"): of its first
        `_LEAD_SENTENCES` sentences, the one closest in meaning to its title (the first is
        often a photo's caption or a scene-setting line, not what the story reports)."""
        opening: dict[str, list[Sentence]] = {}
        for s in self.scorer.sentences(hits):
            article = hits[s.hit_index].article.id
            if article not in opening and len(opening) == self.max_sentences:
                continue
            firsts = opening.setdefault(article, [])
            if len(firsts) < _LEAD_SENTENCES and (not firsts or firsts[0].hit_index == s.hit_index):
                firsts.append(s)
        picks: list[_Pick] = []
        for firsts in opening.values():
            if not firsts:
                continue
            title = hits[firsts[0].hit_index].article.title
            best = firsts[0]
            if title and len(firsts) > 1:
                vectors = self.scorer.vectors([title, *(s.text for s in firsts)])
                best = firsts[int(np.argmax(vectors[1:] @ vectors[0]))]
            picks.append(_Pick(best, 1.0, np.zeros(0, dtype=np.float32)))
        return picks

    def _denied(
        self, premise: Premise, question: str, hits: tuple[SearchHit, ...], matcher: OutletMatcher
    ) -> list[_Pick]:
        """The best two sentences that report the contrary of what `question` supposes, of
        what it names and on its topic, when no passage found says what it supposes (one that
        does may be the answer: "cancelled" in one report, "launched" in an older one)."""
        if any(premise.said_in(f"{h.article.title}\n{h.text}") for h in hits):
            return []
        names = asked_names(question, matcher)
        topic = _topic_terms(question, [])
        against = [
            s
            for s in self.scorer.sentences(hits)
            if premise.denied_by(s.text)
            and _on_topic(topic, s, hits)
            and len(names_in(names, f"{hits[s.hit_index].article.title}\n{s.text}")) == len(names)
        ]
        if not against:
            return []
        titles = [hits[s.hit_index].article.title for s in against]
        matrix, vectors = self.scorer.score([question], [s.text for s in against], titles)
        floor = self.min_score * self.part_floor
        picks: list[_Pick] = []
        for i in np.argsort(-matrix[:, 0], kind="stable").tolist():
            if len(picks) == 2 or matrix[i, 0] < floor:
                break
            if all(float(vectors[i] @ p.vector) <= self.redundancy for p in picks):
                picks.append(_Pick(against[i], float(matrix[i, 0]), vectors[i]))
        return picks

    def _answering(
        self,
        question: str,
        asked: str,
        hits: tuple[SearchHit, ...],
        scored: _Scored,
        matcher: OutletMatcher,
    ) -> list[_Pick]:
        """The answer from the stories found that say what `asked` asks, each alone, and whose
        best sentence matches fairly (`min_score`); none when no story does."""

        def article(pick: _Pick) -> str:
            return hits[pick.sentence.hit_index].article.id

        best: dict[str, float] = {}
        for pick in scored.picks:
            best.setdefault(article(pick), pick.score)
        answering: set[str] = set()
        for story, score in best.items():
            if score < self.min_score:
                continue
            alone = self._select(
                question, hits, _restricted(scored, [article(p) == story for p in scored.picks])
            )
            if alone and not unanswered(asked, _sentences(alone), hits, matcher):
                answering.add(story)
        if not answering:
            return []
        keep = [article(p) in answering for p in scored.picks]
        chosen = self._select(question, hits, _restricted(scored, keep))
        return [] if unanswered(asked, _sentences(chosen), hits, matcher) else chosen

    def contrary(self, request: AnswerRequest) -> Contrary | None:
        """What a short question supposes ("Why was Sam Bankman-Fried acquitted?") that no
        passage of `request` says, with the passages that report the contrary, as this answerer
        reads them to answer it; None when there is nothing to point out. For another answerer
        (an LLM) to be told, and to tell."""
        hits = request.hits
        asked = request.standalone
        if asks_for_latest(asked):
            asked = without_latest(asked)
        premise = premise_of(asked) if hits and _short([asked, *split_question(asked)]) else None
        denied = self._denied(premise, asked, hits, _matcher(hits)) if premise else []
        return _contrary(premise, denied, hits) if premise and denied else None

    def stream(self, request: AnswerRequest) -> Iterator[AnswerEvent]:
        hits = request.hits
        matcher = _matcher(hits)
        # a date without a year ("on October 6") read as the search read it: against the newest
        # news found, for an archive (without a day to read it against, it was not read at all,
        # and "What did The Verge report on October 6?" was refused)
        days = [h.article.published.date() for h in hits if h.article.published is not None]
        today = reference_day(max((d for d in days if d <= last_news_day()), default=None))
        if hits and plan_query(request.standalone, matcher, split=False, today=today).news_only:
            chosen, notes = self._leads(hits), []
        else:
            asked = request.standalone
            if asks_for_latest(asked):  # "the latest quarter" answers nothing of "the latest on"
                asked = without_latest(asked)
            # (nothing found at all is a filter's or a period's doing, said as such)
            names = asked_names(asked, matcher)
            missing = unmentioned(names, hits) if hits else []
            short = _short([asked, *split_question(asked)])
            if missing and short:
                # what the passages say is about something else: "How much did Apple's Vision
                # Pro cost?" is not answered with the price of AirPods Pro
                note = f"Nothing found mentions {listing(missing)}."
                yield from declining(request, self.name, notes=(note,))
                return
            scored = (
                self._ranked(asked, hits, matcher, today, asked_as=request.standalone)
                if hits
                else None
            )
            if scored is None or not scored.picks or scored.best < self.min_score:
                # nothing found matches well enough: the figure or result a short question asks
                # for that nothing found gives, where that is why ("None of the passages found
                # says who won the Argentine presidential election."), and what was found
                # instead (not its words: "Lakeside Gazette" may be an outlet nothing found is of)
                why = ungiven(asked, self.scorer.sentences(hits), hits, matcher) if short else ()
                yield from declining(request, self.name, notes=(*why, *_closest(scored, hits)))
                return
            # what the question supposes, reported otherwise and said nowhere ("Why was Sam
            # Bankman-Fried acquitted?" of a verdict of guilty): what reports it is the answer
            premise = premise_of(asked) if short else None
            denied = self._denied(premise, asked, hits, matcher) if premise else []
            if short and not denied and asked_form(asked) == "winner":
                # the edition asked for, or the latest found: "Who won the Super Bowl in 2015?"
                # is not answered with the 2017 Eagles
                scored, absent = _one_edition(asked, scored, hits)
                if absent:  # (a year nothing found mentions at all is said to be so)
                    unseen = unmentioned_years(asked, _sentences(scored.picks), hits)
                    event = asked_event(asked)  # "… who won the 2023 Cricket World Cup."
                    won = (
                        event.said
                        if event and all(y.text in event.said for y in absent)
                        else f"in {listing(absent)}"
                    )
                    note = (
                        f"Nothing found mentions {listing(unseen)}."
                        if unseen
                        else f"None of the passages found says who won {won}."
                    )
                    yield from declining(request, self.name, notes=(note,))
                    return
            chosen = denied or self._select(request.standalone, hits, scored)
            if not denied and asked_form(asked) in ("number", "amount"):
                # a figure asked for that another report gives otherwise: both are quoted
                other = _conflicting_report(chosen, scored.picks, hits, self.min_score)
                chosen += [other] if other is not None else []
            refusal = (
                unanswered(asked, _sentences(chosen), hits, matcher) if short and not denied else ()
            )
            if refusal:
                # the stories that match best do not say what is asked; one found that does,
                # and matches fairly, is the answer ("Who was Mara Quell's first coach?" of a
                # story saying her mother was, under one of her coach and her first win)
                chosen = self._answering(request.standalone, asked, hits, scored, matcher)
                if not chosen:
                    notes = [*refusal, *_closest(scored, hits)]
                    yield from declining(request, self.name, notes=tuple(notes))
                    return
            unquoted = _unquoted_outlets(scored.named, hits, chosen)
            if scored.named and len(unquoted) == len(scored.named):
                # no outlet the question asks about is quoted: other outlets' passages would
                # answer another question ("What about The Verge?" with TechCrunch's words)
                yield from declining(request, self.name, notes=tuple(unquoted))
                return
            notes = _disagreements(chosen, hits) + unquoted
            if premise and denied:
                contrary = _contrary(premise, denied, hits)
                notes.insert(0, contrary.note([f"[{n}]" for n in range(1, len(denied) + 1)]))
            if missing:  # one part of a question of several is about what nothing mentions
                notes.append(f"Nothing found mentions {listing(missing)}.")
        if not chosen:
            yield from declining(request, self.name)
            return
        citations: list[Citation] = []
        lines: list[str] = []
        # outlets the question names that carried a chosen story as a copy: said in its lead
        asked_outlets = {o for m in matcher.find(request.standalone) for o in m.outlets}
        for n, pick in enumerate(chosen, 1):
            s = pick.sentence
            hit = hits[s.hit_index]
            citations.append(
                Citation(
                    n=n,
                    article=hit.article,
                    chunk_id=hit.chunk_id,
                    chunk_text=hit.text,
                    passage=s.text,
                    start=s.start,
                    end=s.end,
                    claims=(s.text,),
                )
            )
            lead = display_name(hit.article.source) if hit.article.source else "An article"
            if hit.article.published is not None:
                # a page updated since its date (a timeline naming later days) may report what
                # happened after it: said, so the date is not read as when this was reported
                later = ", updated since" if updated_since(hit.text, hit.article.published) else ""
                entry = entry_day(hit.text, s.start, hit.article.published)
                if entry is not None:  # the day of its entry, when its dateline gives it
                    later = f", updated {entry:%-d %b %Y}"
                lead += f" ({hit.article.published:%-d %b %Y}{later})"
            carried = sorted(
                {c.source for c in hit.also_published_by if c.source in asked_outlets}
                - {hit.article.source}
            )
            if carried:  # "According to Yahoo News …" of an AP story Yahoo carried
                lead += f", also carried by {', '.join(display_name(o) for o in carried)}"
            when = resolve_relative_dates(s.text, hit.article.published, context=hit.text)
            gloss = "".join(f" (“{p}”: {meant})" for p, meant in when)
            line = f"{_unmarked(lead)}: {_unmarked(s.text)} [{n}]{gloss}"
            lines.append(line)
            yield ("\n" if n > 1 else "") + line
        for note in notes:
            lines.append(note)
            yield "\n" + note
        yield Answer(
            question=request.question,
            text="\n".join(lines),
            citations=tuple(citations),
            as_of=newest_date(citations),
            standalone_question=request.standalone,
            retrieved=hits,
            answerer=self.name,
            notes=tuple(notes),
        )


_CLOSEST = 2  # stories a refusal names as what was found instead
# a sentence's lift for a question for money, by `gives_money`: money paid, none, only to come
_MONEY_LIFT = {True: 1.0, False: 0.0, None: -1.0}


def _closest(scored: _Scored | None, hits: tuple[SearchHit, ...]) -> tuple[str, ...]:
    """A refusal's note naming the stories whose sentences match the question best: what was
    found instead of an answer, for the reader to judge (and to ask about)."""
    stories: dict[str, str] = {}
    for pick in scored.picks if scored is not None else []:
        article = hits[pick.sentence.hit_index].article
        if article.id not in stories and len(stories) < _CLOSEST:
            about = [display_name(article.source)] if article.source else []
            about += [f"{article.published:%-d %b %Y}"] if article.published else []
            said = f" ({', '.join(about)})" if about else ""
            stories[article.id] = f"“{_unmarked(article.title or 'untitled')}”{said}"
    if not stories:
        return ()
    return (f"Closest found: {' and '.join(stories.values())}.",)


def _reading_order(
    chosen: list[_Pick],
    hits: tuple[SearchHit, ...],
    named: list[_Named],
    first: _Pick | None,
    *,
    newest: bool = False,
    periods: list[DateMention] | None = None,
) -> list[_Pick]:
    """The best sentence first (the answer leads with what was asked: on 31 'how much' and
    'when' questions, `benchmarks/answer_forms.py`, it holds the figure or date asked for in
    0.90 of answers, against 0.74 in retrieval order), then the rest of its article in text
    order, then the other articles, each by its best sentence and read in text order. When the
    question names outlets, their articles come before the others ("What did Fortune report
    about …" is answered by Fortune first); `first`, when given, comes first (the newest); a
    question for the latest (`newest`) reads the articles newest first ("Any news on …?" was
    answered 31 Oct, 10 Oct, 12 Oct), the undated last, and those reported outside the
    `periods` the question names after those within ("… as of November 20?" does not lead with
    a timeline's entry of the 21st)."""
    if not chosen:
        return chosen
    asked = {o for n in named for o in n.outlets}

    def elsewhere(p: _Pick) -> bool:
        return bool(asked) and not asked & _outlets(hits[p.sentence.hit_index])

    def age(p: _Pick) -> float:
        if not newest:
            return 0.0
        reported = _reported(p, hits)
        if reported is None or reported.date() > last_news_day():
            return float("inf")
        if not _within(reported.date(), periods or []):
            return 1e9 - reported.date().toordinal()  # after those within, newest first
        return -reported.date().toordinal()

    ranked = sorted(chosen, key=lambda p: (p is not first, elsewhere(p), age(p), -p.score))
    lead: dict[str, int] = {}
    for rank, pick in enumerate(ranked):
        lead.setdefault(hits[pick.sentence.hit_index].article.id, rank)
    top = ranked[0]

    def place(p: _Pick) -> tuple[int, bool, int, int]:
        hit = hits[p.sentence.hit_index]
        return (lead[hit.article.id], p is not top, hit.position, p.sentence.start)

    return sorted(chosen, key=place)


def _reported(pick: _Pick, hits: tuple[SearchHit, ...]) -> datetime | None:
    """When a sentence was reported: its article's publication time, or for an entry of a live
    page or timeline updated since (`entry_day`), the end of the day its dateline gives."""
    hit = hits[pick.sentence.hit_index]
    published = hit.article.published
    if published is None:
        return None
    entry = entry_day(hit.text, pick.sentence.start, published)
    if entry is not None:
        return datetime.combine(entry, time.max, tzinfo=UTC)
    return published if published.tzinfo else published.replace(tzinfo=UTC)


def _within(day: date, periods: list[DateMention]) -> bool:
    """`day` is in one of `periods` (as the search reads them, a day of slack), or none is
    named."""
    days = np.array([day.toordinal()])
    return not periods or any(bool(published_within(days, p, 1)[0]) for p in periods)


def _contrary(premise: Premise, denied: list[_Pick], hits: tuple[SearchHit, ...]) -> Contrary:
    return Contrary(premise, tuple((hits[p.sentence.hit_index], p.sentence.text) for p in denied))


# content words of a question short enough to be about what it names: "How much did Apple's
# Vision Pro cost?" (a long one names much in passing: "Does the article from The Independent
# claim that Taylor Swift …, in contrast to the CBSSports.com article …")
_SHORT_TERMS = 10


# a question about someone or something, which a story's lead answers ("What does Keep Labs
# make?", "Who is Emma Hayes?"); not one for a figure, a time, or a yes or no ("Is Manchester
# United out of the Champions League?" led with another story's first line)
_ABOUT = re.compile(
    r"\W*(?:(?:what|who)(?:'s|\s+(?:is|are|was|were|does|do|did|has|have|happened)\b)"
    r"|tell\s+me\s+about\b)",
    re.IGNORECASE,
)


def _lead_sentences(sentences: list[Sentence], hits: tuple[SearchHit, ...]) -> set[tuple[int, int]]:
    """(passage, start) of the first `_LEAD_SENTENCES` statements of each article's first chunk."""
    out: set[tuple[int, int]] = set()
    counted: dict[int, int] = {}
    for s in sentences:
        if hits[s.hit_index].position == 0 and counted.get(s.hit_index, 0) < _LEAD_SENTENCES:
            counted[s.hit_index] = counted.get(s.hit_index, 0) + 1
            out.add((s.hit_index, s.start))
    return out


def _named(names: list[Name], surnames: list[Name | None], text: str) -> int:
    """How many of `names` `text` names, whole or by the surname beside each (`by_surname`)."""
    return sum(
        bool(names_in([n], text) or (s is not None and names_in([s], text)))
        for n, s in zip(names, surnames, strict=True)
    )


def _short(queries: list[str]) -> bool:
    """Whether a question (its text, then its parts) is one short question."""
    return len(queries) == 1 and len(content_terms(queries[0])) <= _SHORT_TERMS


# words that say when, not what: a question's dates are no topic
_WHEN = MONTH_WORDS | set(WEEKDAYS) | {"today", "yesterday", "tomorrow", "week", "month", "year"}


def _topic_terms(question: str, named: list[_Named]) -> set[str]:
    """The question's content terms, less its dates (months, weekdays, years) and the names
    of the outlets it names: what a sentence must share to be about what was asked."""
    outlets = {t for n in named for o in n.outlets for t in content_terms(o)}
    outlets |= {t for n in named for t in content_terms(n.label)}
    return {
        term
        for word, term in content_words(question)
        if word.lower() not in _WHEN and not word.isdigit() and term not in outlets
    }


def _sentences(picks: list[_Pick]) -> list[Sentence]:
    return [p.sentence for p in picks]


def _restricted(scored: _Scored, keep: list[bool]) -> _Scored:
    """`scored` with only the picks `keep` marks."""
    rows = np.flatnonzero(keep) if any(keep) else np.arange(len(keep))
    picks = [scored.picks[i] for i in rows]
    return _Scored(
        picks, scored.matrix[rows], scored.parts, scored.named, scored.best, scored.periods
    )


def _one_edition(
    question: str, scored: _Scored, hits: tuple[SearchHit, ...]
) -> tuple[_Scored, list[Name]]:
    """For "Who won …?", the picks less the wins of something else than the event asked (a game
    of it, another event: "have won Game 2 of the 2023 World Series" for the World Series) and
    the results of another edition than the one asked: the year the question names, or the
    latest a result found is of ("Who won the World Series?" is answered with 2023's champion,
    not 2022's); and the years it names that no result found is of (then nothing is left to
    answer with)."""
    event = asked_event(question)
    told = article_texts(hits)
    results: dict[int, set[int]] = {}
    others: set[int] = set()  # wins of something else: a game of it, another event
    for i, pick in enumerate(scored.picks):
        text, article = pick.sentence.text, hits[pick.sentence.hit_index].article
        if event is None and not gives(text, "winner"):
            continue
        if event is not None and not says_result(text, event, told[article.id]):
            if gives(text, "winner"):
                others.add(i)
            continue
        results[i] = edition_years(text, article.title, article.published)
    named = years_named(question)
    if not results:
        return _restricted(scored, [i not in others for i in range(len(scored.picks))]), []
    if named and not any(named & years for years in results.values()):
        return scored, [Name(str(y), (str(y),)) for y in sorted(named)]
    edition = named or {max((max(years) for years in results.values() if years), default=0)}
    keep = [
        i not in others
        and (i not in results or bool(results[i] & edition) or (not named and not results[i]))
        for i in range(len(scored.picks))
    ]
    return _restricted(scored, keep), []


_BRACKETED = re.compile(r"\[(\d+)\]")


def _unmarked(text: str) -> str:
    """Quoted text (or an outlet's name) whose own "[2]" would read as the answer's citation
    marker (the page links it to source 2): its brackets shown as full-width ones, "［2］"."""
    return _BRACKETED.sub(r"［\1］", text)


def _on_topic(topic: set[str], sentence: Sentence, hits: tuple[SearchHit, ...]) -> bool:
    """The sentence, with its article's title, shares two of the topic's terms (its one, if it
    has one): "the flood wall" is not what "you are inside the walls every single day" is
    about, in an article titled for something else."""
    title = hits[sentence.hit_index].article.title
    return len(topic & set(content_terms(f"{title}. {sentence.text}"))) >= min(2, len(topic))


def _matcher(hits: tuple[SearchHit, ...]) -> OutletMatcher:
    """Finds the passages' outlets in a question, as the retriever finds the index's."""
    return OutletMatcher({o for h in hits for o in _outlets(h)})


def _outlets(hit: SearchHit) -> set[str]:
    """The outlets that published a passage: its article's, and its syndicated copies'."""
    return {a.source for a in (hit.article, *hit.also_published_by) if a.source}


def _named_outlets(question: str, mentions: list[OutletMention]) -> list[_Named]:
    """The outlets the question names (`mentions`: found among the passages' outlets as the
    retriever finds the index's: "CNBC", "the Independent", "NYT"), in the question's order."""
    out: dict[frozenset[str], _Named] = {}
    for mention in mentions:
        outlets = frozenset(mention.outlets)
        if outlets not in out:
            written = question[mention.start : mention.end].strip(" '\"‘’“”")
            label = mention.outlets[0] if len(outlets) == 1 else written
            out[outlets] = _Named(label, outlets)
    return list(out.values())


def _unquoted_outlets(
    named: list[_Named], hits: tuple[SearchHit, ...], chosen: list[_Pick]
) -> list[str]:
    """A note for each outlet the question names that the answer does not quote: what it asks
    of that outlet is not answered, and the reader should know rather than assume."""
    quoted = {o for p in chosen for o in _outlets(hits[p.sentence.hit_index])}
    return [
        f"Nothing quoted from {n.label}: none of its passages found answers the question "
        "closely enough."
        for n in sorted(named, key=lambda n: n.label)
        if not n.outlets & quoted
    ]


def _conflict(a: _Pick, b: _Pick, hits: tuple[SearchHit, ...]) -> tuple[Figure, Figure] | None:
    """The figures of two sentences of different articles that report the same measure and
    cannot both hold (`figures.conflicting`: "at least 150" and 160 can, "at least 150" and 199
    cannot): the same measure, a figure before the same word with the same word before it
    ("killed 1,300 people" against "killing 1,400 people"), or a count of the people the same
    event befell ("kidnapped at least 150 people" against "took 199 hostages"), in sentences of
    a topic (cosine 0.5); or sentences that say the same (cosine 0.75, and the shorter's words,
    figures aside, 60 % in the other) with figures that do not fit ("the council voted 23 to 8"
    against "21 to 10"). Sentences that only share a topic ("ChatGPT has hit 100 million weekly
    users" against "OpenAI had been developing GPT since 2016", cosine 0.62, 20 % of words) are
    not flagged. None when they do not conflict."""
    if hits[a.sentence.hit_index].article.id == hits[b.sentence.hit_index].article.id:
        return None
    similar = float(a.vector @ b.vector)
    fa, fb = figures(a.sentence.text), figures(b.sentence.text)
    pair = conflicting(fa, fb, strict=True) if similar >= 0.5 else None
    if pair is not None or similar < 0.75:
        return pair
    pair = conflicting(fa, fb, strict=False)
    wa, wb = _words(a.sentence.text), _words(b.sentence.text)
    if pair is None or not (wa and wb) or len(wa & wb) < 0.6 * min(len(wa), len(wb)):
        return None
    return pair


def _words(text: str) -> set[str]:
    """Content words of a sentence, figures left out."""
    return {w for w in content_terms(text) if not w.replace(",", "").replace(".", "").isdigit()}


def _disagreements(chosen: list[_Pick], hits: tuple[SearchHit, ...]) -> list[str]:
    """One note naming the chosen sentences whose figures conflict, one group for each figure
    they report otherwise (a sentence may report two); a group reported on different days in
    the order of their days, with the figure each gave, as a count that may have changed since:
    "as of 14 Oct 2023 [2] gave “kidnapped at least 150 people”, by 16 Oct 2023 [1] “took 199
    hostages”"."""
    groups: list[dict[int, Figure]] = []  # sentence (its place in `chosen`) -> its figure
    for i, a in enumerate(chosen):
        for j in range(i + 1, len(chosen)):
            found = _conflict(a, chosen[j], hits)
            if found is None:
                continue
            ends = {(i, found[0].text), (j, found[1].text)}
            joined = [g for g in groups if ends & {(n, f.text) for n, f in g.items()}]
            group = {i: found[0], j: found[1]}
            for g in joined:
                groups.remove(g)
                group = {**g, **group}
            groups.append(group)
    if not groups:
        return []

    def day(n: int) -> date | None:  # (an entry of a page updated since: its dateline's)
        reported = _reported(chosen[n], hits)
        return reported.date() if reported is not None else None

    said: list[str] = []
    dated = False
    for group in groups:
        days = {n: day(n) for n in group}
        if None in days.values() or len(set(days.values())) == 1:
            marks = [f"[{n + 1}]" for n in sorted(group)]
            said.append(f"{', '.join(marks[:-1])} and {marks[-1]} give different figures")
            continue
        dated = True
        order = sorted(group, key=lambda n: (days[n], n))
        steps = [f"{days[n]:%-d %b %Y} [{n + 1}] “{group[n].text}”" for n in order]
        steps[0] = f"as of {steps[0].replace(']', '] gave', 1)}"
        steps[-1] = f"by {steps[-1]}"
        said.append(", ".join(steps))
    update = ": the later may be an update" if dated else ""
    return [f"Sources differ: {'; '.join(said)}{update}."]


def _conflicting_report(
    chosen: list[_Pick], ranked: list[_Pick], hits: tuple[SearchHit, ...], floor: float
) -> _Pick | None:
    """The best sentence scoring `floor` or more, not chosen, that reports a figure the answer's
    lead reports otherwise (`_conflict`): a count that a later report changed, or an earlier
    one gave, is shown beside it rather than left out."""
    if not chosen:
        return None
    lead = chosen[0]
    for pick in ranked:
        if pick.score < floor:
            break
        if pick not in chosen and _conflict(lead, pick, hits) is not None:
            return pick
    return None
