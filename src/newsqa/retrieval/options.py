"""How the retriever searches: every idea can be switched off on its own, which is how its worth
is measured (`newsqa eval retrieval` with `NEWSQA_RETRIEVAL="outlets=0,dates=0"`, which
`Settings.from_env` reads into `Settings.retrieval`)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

__all__ = ["RetrievalOptions"]


@dataclass(frozen=True, kw_only=True)
class RetrievalOptions:
    """Switches and weights of `Retriever.search`; the defaults are the tuned configuration."""

    dense: bool = True  # embedding similarity
    # embed each clause too, in one batch with the question: off, the clauses are searched by
    # BM25 and sentences only, which retrieves as well (within 0.006 on every MultiHop-RAG
    # figure) and searches 2.2x faster on a CPU without bf16 (benchmarks/README.md, session 5)
    dense_clauses: bool = False
    lexical: bool = True  # BM25 over header + chunk
    outlets: bool = True  # outlets named in the question get sub-searches of their own
    dates: bool = True  # dates named in the question boost articles of that time
    split: bool = True  # each clause of a multi-part question is searched on its own
    sentences: bool = True  # candidates re-ranked by their best-matching sentence
    recency: bool = True  # newer articles first among equals for "latest" questions
    feedback: bool = True  # a question asking for a name: search again with the likely name
    max_per_article: int = 0  # chunks of one article in the results; 0: no cap
    depth: int = 100  # candidates per retriever and sub-search
    rrf_k: int = 10  # dense/lexical fusion constant (small: the top ranks decide)
    lexical_weight: float = 2.0  # BM25 counts more than MiniLM on news questions
    fuse_k: int = 1  # sub-search fusion constant: each sub-search's top hits come first
    whole_weight: float = 0.5  # the whole question, against 1.0 for each clause
    date_boost: float = 0.5  # share of a sub-search's best score added inside its period
    date_slack_days: int = 0  # widen "on <day>" by this much
    sentence_depth: int = 20  # candidates of a sub-search re-ranked by sentences
    sentence_weight: float = 1.0
    recency_weight: float = 0.05
    feedback_depth: int = 10  # first results the likely name is read from
    feedback_weight: float = 0.3  # the second round's sub-searches, against the first's
    max_vectors: int = 500_000  # above this, dense search goes through the vector store

    def replace(self, **changes: object) -> RetrievalOptions:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def parse(cls, spec: str) -> RetrievalOptions:
        """Options from "name=value,name=value" (booleans as 0/1, true/false, on/off)."""
        fields = {f.name: f for f in dataclasses.fields(cls)}
        values: dict[str, object] = {}
        for item in filter(None, (p.strip() for p in spec.split(","))):
            name, _, raw = item.partition("=")
            name, raw = name.strip().replace("-", "_"), raw.strip()
            if name not in fields:
                raise ValueError(f"retrieval: no option {name!r} (options: {', '.join(fields)})")
            kind = fields[name].type
            try:
                if kind == "bool":
                    if raw.lower() not in ("1", "0", "true", "false", "on", "off", "yes", "no"):
                        raise ValueError(raw)
                    values[name] = raw.lower() in ("1", "true", "on", "yes")
                elif kind == "int":
                    values[name] = int(raw)
                else:
                    values[name] = float(raw)
            except ValueError:
                raise ValueError(f"retrieval: {name} cannot be {raw!r}") from None
        return cls(**values)  # type: ignore[arg-type]
