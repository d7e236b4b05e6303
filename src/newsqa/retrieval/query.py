"""Understanding a question before searching: splitting a multi-part question into its claims."""

from __future__ import annotations

import re

__all__ = ["split_question"]

_AUX = r"(?:did|does|do|is|was|were|are|has|have|had|will|would|can|could|should|might|may)"
_SPLIT = re.compile(
    r"\?\s+|;\s*|,\s*(?:and|but|while|whereas|yet)\s+|\s+(?:while|whereas)\s+|"
    rf"\s+(?:and|but)\s+(?={_AUX}\b)|,\s*(?={_AUX}\b)",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W_]{3,}")


def split_question(question: str) -> list[str]:
    """The parts of a question that each make a claim of their own ("Did A say X, and did B say
    Y?" -> ["Did A say X", "did B say Y?"]); a one-part question gives []."""
    parts = [p.strip(" ,") for p in _SPLIT.split(question)]
    parts = [p for p in parts if len(_WORD.findall(p)) >= 3]
    return parts if len(parts) > 1 else []
