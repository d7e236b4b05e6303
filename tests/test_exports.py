"""The public surface, pinned: changing it should be a deliberate act."""

import newsqa


def test_exported_members() -> None:
    assert sorted(newsqa.__all__) == [
        "Answer",
        "Article",
        "ArticleRef",
        "Chunk",
        "Citation",
        "CorpusError",
        "IncompatibleIndexError",
        "IndexBusyError",
        "IndexDamagedError",
        "IndexMissingError",
        "IndexReport",
        "IndexStats",
        "LoadResult",
        "NewsQA",
        "SearchHit",
        "Settings",
        "Skipped",
        "StoreError",
    ]
    for name in newsqa.__all__:
        assert getattr(newsqa, name).__module__.startswith("newsqa.")
