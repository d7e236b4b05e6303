"""The shipped corpus/ loads whole, with the metadata every citation needs (loading only; the
tests never index the full default corpus)."""

from pathlib import Path

from newsqa.corpus import load_path

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def test_default_corpus_loads_with_metadata() -> None:
    result = load_path(CORPUS)
    assert result.skipped == []
    assert len(result.articles) == 610
    assert len({a.id for a in result.articles}) == 610
    seed = [a for a in result.articles if a.origin.endswith("000_6ed58063d7081e63.md")]
    assert len(seed) == 1 and seed[0].source == "Fox News"
    assert seed[0].url == "" and seed[0].published is None  # never invented
    news = [a for a in result.articles if a is not seed[0]]
    assert all(a.title and a.source and a.url and a.published for a in news)
    assert len({a.source for a in news}) == 49
    dates = sorted(a.published.date().isoformat() for a in news if a.published)
    assert dates[0].startswith("2023-09") and dates[-1].startswith("2023-12")
