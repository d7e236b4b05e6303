"""Near-duplicate detection for syndicated copies: MinHash signatures over word 5-gram shingles."""

from __future__ import annotations

import re
import zlib
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["SIGNATURE_SIZE", "SIGNATURE_VERSION", "best_match", "signature"]

SIGNATURE_SIZE = 64
# recorded in the index: signatures of another version are made again from the articles' text
# (version 1 permuted 32-bit hashes with (a*x + b) mod 2^61-1, which barely reorders them: two
# deal round-ups sharing 2% of their word 5-grams agreed on 88% of the slots)
SIGNATURE_VERSION = "2"
_SHINGLE = 5
_MIN_SHINGLES = 40  # below this a story is too short to call it a copy of another
_rng = np.random.default_rng(20231127)  # fixed: signatures are stored in the index
_SEEDS = _rng.integers(0, np.iinfo(np.int64).max, size=SIGNATURE_SIZE, dtype=np.uint64)
_WORD = re.compile(r"\w+", re.UNICODE)


def _mix(z: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """SplitMix64's finaliser: every bit of the input moves every bit of the output, so each
    seed orders the shingles independently (uint64 arithmetic wraps, as it should here)."""
    z = z + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


_MIN_WORDS = 12  # a shorter text is not called a copy even of the same words


def signature(text: str) -> NDArray[np.uint32] | None:
    """A MinHash signature of the text's word 5-grams. A text too short for one (a brief of a
    few sentences) gets a signature that only the very same words match: every slot the hash of
    its words, which a MinHash of other words all but never equals. None under `_MIN_WORDS`."""
    words = _WORD.findall(text.lower())
    shingles = {" ".join(words[i : i + _SHINGLE]) for i in range(len(words) - _SHINGLE + 1)}
    if len(shingles) < _MIN_SHINGLES:
        if len(words) < _MIN_WORDS:
            return None
        whole = zlib.crc32(" ".join(words).encode("utf-8"))
        return np.full(SIGNATURE_SIZE, whole, dtype=np.uint32)
    hashes = np.fromiter(
        (zlib.crc32(s.encode("utf-8")) for s in shingles), dtype=np.uint64, count=len(shingles)
    )
    # each slot: the shingles hashed again under its own seed; the minimum per slot
    mixed = _mix(hashes[None, :] ^ _SEEDS[:, None])
    return np.asarray(mixed.min(axis=1) >> np.uint64(32), dtype=np.uint32)


def best_match(
    sig: NDArray[np.uint32], ids: list[str], matrix: NDArray[np.uint32], threshold: float
) -> str | None:
    """The id whose signature agrees with `sig` on at least `threshold` of its slots."""
    if not ids:
        return None
    agreement = (matrix == sig[None, :]).mean(axis=1)
    best = int(np.argmax(agreement))
    return ids[best] if agreement[best] >= threshold else None
