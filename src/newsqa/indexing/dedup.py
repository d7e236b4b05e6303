"""Near-duplicate detection for syndicated copies: MinHash signatures over word 5-gram shingles."""

from __future__ import annotations

import re
import zlib
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["SIGNATURE_SIZE", "best_match", "signature"]

SIGNATURE_SIZE = 64
_SHINGLE = 5
_MIN_SHINGLES = 40  # below this a story is too short to call it a copy of another
_PRIME = np.uint64((1 << 61) - 1)
_rng = np.random.default_rng(20231127)  # fixed: signatures are stored in the index
_A = _rng.integers(1, (1 << 31) - 1, size=SIGNATURE_SIZE, dtype=np.uint64)
_B = _rng.integers(0, (1 << 31) - 1, size=SIGNATURE_SIZE, dtype=np.uint64)
_WORD = re.compile(r"\w+", re.UNICODE)


def signature(text: str) -> NDArray[np.uint32] | None:
    """A MinHash signature of the text's word 5-grams, or None when the text is too short."""
    words = _WORD.findall(text.lower())
    shingles = {" ".join(words[i : i + _SHINGLE]) for i in range(len(words) - _SHINGLE + 1)}
    if len(shingles) < _MIN_SHINGLES:
        return None
    hashes = np.fromiter(
        (zlib.crc32(s.encode("utf-8")) for s in shingles), dtype=np.uint64, count=len(shingles)
    )
    # (a*x + b) mod p for every (permutation, shingle); the minimum per permutation
    mixed = (np.outer(_A, hashes) + _B[:, None]) % _PRIME
    return np.asarray(mixed.min(axis=1) & np.uint64(0xFFFFFFFF), dtype=np.uint32)


def best_match(
    sig: NDArray[np.uint32], ids: list[str], matrix: NDArray[np.uint32], threshold: float
) -> str | None:
    """The id whose signature agrees with `sig` on at least `threshold` of its slots."""
    if not ids:
        return None
    agreement = (matrix == sig[None, :]).mean(axis=1)
    best = int(np.argmax(agreement))
    return ids[best] if agreement[best] >= threshold else None
