"""Article text -> sentence-aware, token-budgeted chunks that are verbatim spans of the body."""

from newsqa.chunking.chunker import Chunker, make_header
from newsqa.chunking.sentences import split_sentences
from newsqa.chunking.tokens import ENCODINGS, get_encoding

__all__ = ["ENCODINGS", "Chunker", "get_encoding", "make_header", "split_sentences"]
