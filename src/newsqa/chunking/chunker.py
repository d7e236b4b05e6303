"""Sentence-aware, token-budgeted chunks of an article, each a verbatim span of its body.

Like the MultiHop-RAG setup: whole sentences are packed into chunks of at most `chunk_size`
tokens, counting a short `title · outlet · date` header that is embedded with each chunk.
"""

from __future__ import annotations

import itertools
import re
from functools import cached_property
from typing import TYPE_CHECKING

from newsqa.chunking.sentences import split_sentences
from newsqa.chunking.tokens import ENCODINGS, get_encoding
from newsqa.types import Article, Chunk

if TYPE_CHECKING:
    import tiktoken

__all__ = ["Chunker", "make_header"]

_WORD = re.compile(r"\S+")

Span = tuple[int, int]
Unit = tuple[int, int, int]  # start, end, tokens


def make_header(article: Article) -> str:
    """`"{title} · {source} · {YYYY-MM-DD}"`, leaving out the parts the article lacks."""
    parts = [" ".join(article.title.split()), " ".join(article.source.split())]
    if article.published is not None:
        parts.append(article.published.date().isoformat())
    return " · ".join(p for p in parts if p)


class Chunker:
    """Packs whole sentences of an article into chunks of at most `chunk_size` tokens.

    The budget covers the header, a newline and the body text together, so an embedding model
    with a window of that many tokens sees the whole chunk. Up to `overlap` tokens of whole
    sentences that end one chunk are repeated at the start of the next. A sentence longer than
    the budget is cut at word boundaries.
    """

    def __init__(
        self, *, chunk_size: int = 256, overlap: int = 32, encoding: str = "cl100k_base"
    ) -> None:
        if chunk_size < 32:
            raise ValueError(f"chunk_size must be at least 32 tokens, not {chunk_size}")
        if not 0 <= overlap < chunk_size // 2:
            raise ValueError(f"overlap must be between 0 and half of chunk_size, not {overlap}")
        self.chunk_size = chunk_size
        self.overlap = overlap
        if encoding not in ENCODINGS:
            get_encoding(encoding)  # raises, naming the encodings there are
        self.encoding_name = encoding

    @cached_property
    def encoding(self) -> tiktoken.Encoding:
        """Loaded at the first chunk (~0.5 s): an update with nothing new never needs it."""
        return get_encoding(self.encoding_name)

    def count_tokens(self, text: str) -> int:
        return len(self.encoding.encode_ordinary(text))

    def chunk(self, article: Article) -> list[Chunk]:
        """The chunks of `article`, in order; the same article always gives the same chunks."""
        text = article.text
        header = make_header(article)
        header_tokens = self.count_tokens(header) + 1 if header else 0  # +1: the newline
        budget = max(self.chunk_size - header_tokens, self.chunk_size // 2)
        # Only a header longer than half the budget can push a chunk past `chunk_size`.
        limit = header_tokens + budget
        units = self._units(text, split_sentences(text), budget)
        return [
            Chunk(
                id=f"{article.id}-{position:04d}",
                article_id=article.id,
                position=position,
                text=text[start:end],
                header=header,
                start=start,
                end=end,
                n_tokens=n_tokens,
            )
            for position, (start, end, n_tokens) in enumerate(
                self._pack(text, units, header, budget, limit)
            )
        ]

    def _units(self, text: str, spans: list[Span], budget: int) -> list[Unit]:
        """`(start, end, tokens)` for each sentence, cutting those longer than `budget`."""
        # A plain loop: encode_ordinary_batch's thread pool costs more than it saves on sentences.
        units: list[Unit] = []
        for start, end in spans:
            n_tokens = self.count_tokens(text[start:end])
            if n_tokens <= budget:
                units.append((start, end, n_tokens))
            else:
                units.extend(self._split_long(text, start, end, budget))
        return units

    def _split_long(self, text: str, start: int, end: int, budget: int) -> list[Unit]:
        """Cut one over-long sentence into pieces of at most `budget` tokens at word boundaries."""
        words = [(m.start(), m.end()) for m in _WORD.finditer(text, start, end)]
        # Each word costs what it does in running text, where it follows a space.
        costs = [self.count_tokens(" " + text[s:e]) for s, e in words]
        pieces: list[Unit] = []
        i = 0
        while i < len(words):
            if costs[i] > budget:  # one "word" over the budget (a URL, a blob): cut between tokens
                pieces.extend(self._split_tokens(text, *words[i], budget))
                i += 1
                continue
            j, total = i, 0
            while j < len(words) and costs[j] <= budget and total + costs[j] <= budget:
                total += costs[j]
                j += 1
            n_tokens = self.count_tokens(text[words[i][0] : words[j - 1][1]])
            while n_tokens > budget and j - i > 1:  # the estimate missed a merge across words
                j -= 1
                n_tokens = self.count_tokens(text[words[i][0] : words[j - 1][1]])
            pieces.append((words[i][0], words[j - 1][1], n_tokens))
            i = j
        return pieces

    def _split_tokens(self, text: str, start: int, end: int, budget: int) -> list[Unit]:
        tokens = self.encoding.encode_ordinary(text[start:end])
        _, offsets = self.encoding.decode_with_offsets(tokens)
        cuts = sorted({start + offsets[i] for i in range(0, len(tokens), budget)} | {end})
        return [(a, b, self.count_tokens(text[a:b])) for a, b in itertools.pairwise(cuts)]

    def _pack(
        self, text: str, units: list[Unit], header: str, budget: int, limit: int
    ) -> list[Unit]:
        """Greedy packing of units into `(start, end, n_tokens)` chunks, with whole-unit overlap."""
        n = len(units)
        # Estimated tokens of units[a:b] joined: their own tokens plus one per gap holding a line
        # break (a space folds into the next word's token). Exact counts are checked below.
        breaks = [0] + [int("\n" in text[units[i - 1][1] : units[i][0]]) for i in range(1, n)]
        tok = list(itertools.accumulate((u[2] for u in units), initial=0))
        brk = list(itertools.accumulate(breaks, initial=0))

        def cost(a: int, b: int) -> int:
            return tok[b] - tok[a] + brk[b] - brk[a + 1]

        def exact(a: int, b: int) -> int:
            body = text[units[a][0] : units[b - 1][1]]
            return self.count_tokens(f"{header}\n{body}" if header else body)

        chunks: list[Unit] = []
        first = new = 0  # the next chunk starts at units[first]; units[new:] are not yet in one
        while new < n:
            end = new + 1
            while end < n and cost(first, end + 1) <= budget:
                end += 1
            n_tokens = exact(first, end)
            # The estimate can be a token or two short where BPE merges across sentences.
            while n_tokens > limit and end - new > 1:
                end -= 1
                n_tokens = exact(first, end)
            if first < new and (cost(first, end) > budget or n_tokens > limit):
                first = new  # the overlap leaves no room for the next unit: drop it
                continue
            chunks.append((units[first][0], units[end - 1][1], n_tokens))
            # Overlap: whole trailing units of this chunk's new part, never all of the chunk.
            overlap_start = end
            while (
                overlap_start - 1 >= max(first + 1, new)
                and cost(overlap_start - 1, end) <= self.overlap
            ):
                overlap_start -= 1
            first, new = overlap_start, end
        return chunks
