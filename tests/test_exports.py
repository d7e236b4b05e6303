"""The public surface, pinned: changing it should be a deliberate act."""

import newsqa


def test_exported_members() -> None:
    assert sorted(newsqa.__all__) == [
        "Answer",
        "Article",
        "ArticleList",
        "ArticleRef",
        "Chunk",
        "Citation",
        "CorpusError",
        "CorpusFile",
        "FeedRead",
        "FeedRefresh",
        "FeedsFileError",
        "FollowedFeed",
        "IncompatibleIndexError",
        "IndexBusyError",
        "IndexDamagedError",
        "IndexMissingError",
        "IndexReport",
        "IndexStats",
        "IndexedArticle",
        "LoadResult",
        "NewsQA",
        "NewsQAError",
        "Removal",
        "SearchHit",
        "Settings",
        "Skipped",
        "StoreError",
    ]
    for name in newsqa.__all__:
        assert getattr(newsqa, name).__module__.startswith("newsqa.")


def test_every_error_a_user_acts_on_is_a_newsqa_error() -> None:
    """Catching them all took a tuple: CorpusError is a ValueError, the others RuntimeErrors
    (which they still are)."""
    errors = [getattr(newsqa, n) for n in newsqa.__all__ if n.endswith("Error")]
    assert len(errors) == 8
    for error in errors:
        assert issubclass(error, newsqa.NewsQAError)
    assert issubclass(newsqa.CorpusError, ValueError)
    assert issubclass(newsqa.FeedsFileError, ValueError)
    assert issubclass(newsqa.StoreError, RuntimeError)
