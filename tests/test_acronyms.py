"""Acronyms in the lexical (BM25) index: "US" and "U.S." are one term, which the pronoun "us"
is not; an index written before that is brought to it by an update without embedding."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from conftest import CountingEmbedder

from newsqa import NewsQA, Settings
from newsqa.indexing.catalog import Catalog
from newsqa.indexing.fulltext import LEXICAL_FORMAT, acronym_term, lexical_text, plain_word
from newsqa.retrieval.lexical import Stemmer
from newsqa.retrieval.terms import lexical_terms, query_terms
from newsqa.types import indexed_text

# The Herald's story says "U.S." once; the Farm Weekly's says "us" and "sanctions" more often,
# so that by the old terms ("us" and "sanctions") it, not the Herald's, matched "US sanctions".
STORIES = [
    ("Herald", "Oil exports face new curbs", "The U.S. imposed sanctions on oil exports."),
    (
        "Farm Weekly",
        "Growers count the cost",
        "Sanctions hurt us, the growers told us; the sanctions on fertiliser cost us dearly.",
    ),
    ("Herald", "Ferry fares rise", "Ferry fares rise by a tenth in spring."),
    ("Coast Post", "Lighthouse keeper retires", "The keeper retired after forty years."),
    ("Coast Post", "Harbour wall mended", "Masons mended the harbour wall before the storms."),
    ("Metro Ledger", "Tram line approved", "The council approved the tram line extension."),
    ("Metro Ledger", "Library opens late", "The library now opens until nine on Thursdays."),
    ("Farm Weekly", "Apple harvest early", "Orchards picked apples two weeks early this year."),
    ("Coast Post", "Warships call", "Two Nato frigates anchored off the point on Sunday."),
]


def test_acronyms_are_one_term_apart_from_ordinary_words() -> None:
    stemmer = Stemmer()

    def terms(text: str) -> dict[str, int]:
        return stemmer.term_counts([(1, lexical_text(text))]).get(1, {})

    for dotted, plain in [("U.S.", "US"), ("U.K.", "UK"), ("E.U.", "EU"), ("U.N.", "UN")]:
        term = acronym_term(plain)
        assert acronym_term(dotted) == term
        assert terms(f"The {dotted} vote") == terms(f"The {plain} vote")
        assert terms(f"The {dotted} vote")[term] == 1
        assert term in lexical_terms(f"What did the {dotted} say?")
        assert term in lexical_terms(f"What did the {plain} say?")
        assert stemmer.terms([term]) == [term]  # the porter stemmer leaves it as it is
    # the pronoun and the French article are no acronym, in a text or a question
    held = terms("The U.S. told us, un peu")
    assert (held[acronym_term("US")], held["us"], held["un"]) == (1, 2, 1)
    assert "u" not in held and "s" not in held
    assert not any(t.endswith(acronym_term("")) for t in lexical_terms("tell us about un"))
    # any dotted acronym or word of 2-5 capitals, wherever it stands in a word
    assert terms("U.S.-led talks")[acronym_term("US")] == 1
    assert terms("the US's allies and the U.S")[acronym_term("US")] == 2
    assert terms("NATO and the F.B.I.").keys() >= {acronym_term("NATO"), acronym_term("FBI")}
    assert acronym_term("ABCDEF") not in terms("ABCDEF and I")  # too long; one letter
    # a question's acronym is looked up by its own term alone: "WHO" though "who" is a stop
    # word; the index keeps the plain word too, so that "nato" still finds "NATO"
    assert lexical_terms("WHO warns on NATO") == ["who0acr", "warns", "nato0acr"]
    assert lexical_terms("who warns on nato") == ["warns", "nato"]
    assert terms("NATO summit").keys() == {"nato", "nato0acr", "summit"}
    assert terms("Nato summit").keys() == {"nato", "summit"}
    assert (plain_word(acronym_term("NATO")), plain_word("nato")) == ("nato", None)
    # text in capitals only (a shouted question, a headline) holds no acronym
    assert lexical_text("WHAT DID THE US SAY") == "WHAT DID THE US SAY"
    # an index in the old format is asked the words as they were
    question = "What did the U.S. and the UN say?"
    assert lexical_terms(question, acronyms=False) == query_terms(question)


def _write_corpus(folder: Path) -> None:
    folder.mkdir()
    records = [
        {
            "title": title,
            "text": text,
            "source": source,
            "url": f"https://news.example.com/{i}",
            "published": f"2024-03-{i + 1:02d}",
        }
        for i, (source, title, text) in enumerate(STORIES)
    ]
    (folder / "news.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in records), encoding="utf-8"
    )


@pytest.fixture
def lexical_settings(tmp_path: Path) -> Settings:
    """BM25 alone (dense=0), so that what is found is found by the words."""
    _write_corpus(tmp_path / "corpus")
    return Settings(
        corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index", retrieval="dense=0"
    )


def _top(qa: NewsQA, question: str) -> str:
    return qa.search(question, k=1)[0].article.title


@pytest.mark.slow
def test_a_question_saying_us_finds_the_story_saying_u_s(
    tmp_path: Path, lexical_settings: Settings, counting: CountingEmbedder
) -> None:
    with NewsQA(lexical_settings, embedder=counting) as qa:
        qa.update()
        for question in ("US sanctions", "U.S. sanctions", "What sanctions did the US impose?"):
            assert _top(qa, question) == "Oil exports face new curbs", question
        assert _top(qa, "sanctions hurt us") == "Growers count the cost"
        # no passage writes "NATO" in capitals: the question's is looked up as "nato"
        assert _top(qa, "What about NATO?") == "Warships call"
    # and with the embeddings searched too (the default)
    both = lexical_settings.replace(retrieval="")
    with NewsQA(both, embedder=counting) as qa:
        assert _top(qa, "US sanctions") == "Oil exports face new curbs"


def _make_old_format(catalog: Path) -> None:
    """The full-text index as a version before acronyms wrote it: the chunks' text as is, and
    no format recorded."""
    db = sqlite3.connect(catalog)
    with db:
        db.execute("DELETE FROM chunks_fts")
        db.executemany(
            "INSERT INTO chunks_fts(rowid, body) VALUES (?, ?)",
            [
                (r, indexed_text(h, t))
                for r, h, t in db.execute("SELECT rid, header, text FROM chunks")
            ],
        )
        db.execute("DELETE FROM meta WHERE key = 'lexical'")
        db.execute("UPDATE meta SET value = value || '0' WHERE key = 'changes'")
    db.close()


def _bodies(catalog: Path) -> list[str]:
    db = sqlite3.connect(catalog)
    try:
        return [b for (b,) in db.execute("SELECT body FROM chunks_fts ORDER BY rowid")]
    finally:
        db.close()


@pytest.mark.slow
def test_an_old_index_is_brought_to_the_new_terms_without_embedding(
    lexical_settings: Settings, counting: CountingEmbedder
) -> None:
    with NewsQA(lexical_settings, embedder=counting) as qa:
        qa.update()
        catalog = qa.index.layout.catalog_path(qa.index.require())
    _make_old_format(catalog)
    old = _bodies(catalog)
    assert not any(acronym_term("US") in b for b in old)
    with NewsQA(lexical_settings, embedder=counting) as qa:
        # opened while it cannot be written (here: an update runs), it is searched as it was
        # written: "U.S." still finds "U.S."
        with qa.index.layout.write_lock():
            assert _top(qa, "U.S. sanctions") == "Oil exports face new curbs"
            assert _top(qa, "US sanctions") == "Growers count the cost"  # as before
        live, _ = qa.index.open()
        assert live.lexical_format() == "1"
        # re-indexing the words stopped midway (here: as it records the format, its last
        # write) leaves the index as it was, and searchable
        stopped = Catalog(catalog)
        stopped._db.execute(  # on its own connection only
            "CREATE TEMP TRIGGER stop BEFORE INSERT ON meta WHEN NEW.key = 'lexical'"
            " BEGIN SELECT RAISE(ABORT, 'interrupted'); END"
        )
        with pytest.raises(sqlite3.IntegrityError, match="interrupted"):
            stopped.relex()
        stopped.close()
        assert _bodies(catalog) == old and live.lexical_format() == "1"
        assert _top(qa, "U.S. sanctions") == "Oil exports face new curbs"
        # the next update re-indexes the words, embedding nothing
        embedded, generation = counting.texts, qa.index.require()
        report = qa.update()
        assert counting.texts == embedded and report.chunks_embedded == 0
        assert qa.index.require() == generation  # the same generation, its vectors kept
        assert live.lexical_format() == LEXICAL_FORMAT
        assert any(acronym_term("US") in b for b in _bodies(catalog))
        # a search after it reads the new terms (not the postings cached before it)
        assert _top(qa, "US sanctions") == "Oil exports face new curbs"
    with NewsQA(lexical_settings, embedder=counting) as qa:  # a new process, from the cache
        assert _top(qa, "US sanctions") == "Oil exports face new curbs"
        assert _top(qa, "U.S. sanctions") == "Oil exports face new curbs"


@pytest.mark.slow
def test_an_old_index_is_brought_to_the_new_terms_when_opened(
    lexical_settings: Settings, counting: CountingEmbedder
) -> None:
    """Without an update (`newsqa ask`, an evaluation's cached index), by the first search."""
    with NewsQA(lexical_settings, embedder=counting) as qa:
        qa.update()
        qa.search("US sanctions")
        catalog = qa.index.layout.catalog_path(qa.index.require())
    _make_old_format(catalog)
    embedded = counting.texts
    with NewsQA(lexical_settings, embedder=counting) as qa:
        assert _top(qa, "US sanctions") == "Oil exports face new curbs"
        assert qa.index.open()[0].lexical_format() == LEXICAL_FORMAT
        assert counting.texts == embedded
