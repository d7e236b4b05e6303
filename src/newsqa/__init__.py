"""newsqa: ask questions about a collection of news articles, with answers that cite them."""

from newsqa.errors import FeedsFileError, NewsQAError
from newsqa.facade import NewsQA
from newsqa.indexing import (
    CorpusError,
    IncompatibleIndexError,
    IndexBusyError,
    IndexDamagedError,
    IndexMissingError,
    StoreError,
)
from newsqa.settings import Settings
from newsqa.types import (
    Answer,
    Article,
    ArticleList,
    ArticleRef,
    Chunk,
    Citation,
    CorpusFile,
    FeedRead,
    FeedRefresh,
    FollowedFeed,
    IndexedArticle,
    IndexReport,
    IndexStats,
    LoadResult,
    Removal,
    SearchHit,
    Skipped,
)

__all__ = [
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

__version__ = "0.1.0"
