"""Retrieved passages → a cited answer: the offline extractive answerer, LLM answerers, citation
checking and follow-up condensation."""

from newsqa.answering.base import Answerer, AnswerEvent, AnswerRequest, Turn
from newsqa.answering.citations import CheckedText, CitationChecker
from newsqa.answering.evidence import EvidenceScorer
from newsqa.answering.extractive import ExtractiveAnswerer
from newsqa.answering.followup import condense_heuristic

__all__ = [
    "AnswerEvent",
    "AnswerRequest",
    "Answerer",
    "CheckedText",
    "CitationChecker",
    "EvidenceScorer",
    "ExtractiveAnswerer",
    "Turn",
    "condense_heuristic",
]
