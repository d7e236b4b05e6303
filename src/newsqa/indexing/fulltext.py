"""What the full-text (BM25) index reads of a text. SQLite's "porter unicode61" tokenizer splits
"U.S." into "u" and "s" and folds "US" into the pronoun "us", so a question about "US sanctions"
would not find "U.S. sanctions" by its words. Each acronym, dotted ("U.S.", "E.U.") or written
in two to five capitals ("US", "NATO"), is given a term of its own that no ordinary word makes.
The index keeps its plain word beside it (a question in lower case, "nato", "fbi", still finds
it); a question's acronym is looked up by its own term alone ("US" does not find "us"; looking
up both counted each acronym twice, which cost 0.7 points of hits@1 on MultiHop-RAG), or by its
plain word when no passage writes it as an acronym (`Retriever._lexical`)."""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["LEXICAL_FORMAT", "acronym_term", "lexical_query", "lexical_text", "plain_word"]

# recorded in the catalog's meta as "lexical" (none: "1", the text as written); an index in an
# older format has its full-text table rebuilt from the chunks' text when next opened or updated
LEXICAL_FORMAT = "2"  # 2: acronyms get a term of their own

# "U.S.", "U.S" (as in "U.S-led"), "E.U.", "U.S.A."; or a word of 2-5 capitals
_ACRONYM = re.compile(r"\b[A-Z](?:\.[A-Z])+\.?(?!\w)|\b[A-Z]{2,5}\b")
# the tokenizer keeps digits within a word, and the porter stemmer strips no suffix "acr"
_MARK = "0acr"


def acronym_term(letters: str) -> str:
    """The index term of the acronym made of `letters` ("US", "U.S." -> "us0acr")."""
    return letters.replace(".", "").lower() + _MARK


def plain_word(term: str) -> str | None:
    """The plain word of an acronym's term ("us0acr" -> "us"); None for any other word."""
    return term.removesuffix(_MARK) if term.endswith(_MARK) and len(term) > len(_MARK) else None


def lexical_text(text: str) -> str:
    """`text` as the full-text index is given it: each acronym followed by its own term ("U.S.
    sanctions" -> "US us0acr sanctions")."""
    return _acronyms(text, lambda a: f"{a.replace('.', '')} {acronym_term(a)}")


def lexical_query(text: str) -> str:
    """A question as the full-text index is asked it: each acronym as its own term ("US
    sanctions" -> "us0acr sanctions")."""
    return _acronyms(text, acronym_term)


def _acronyms(text: str, replace: Callable[[str], str]) -> str:
    """`text` with each acronym replaced; a text with no lower-case letter (a headline in
    capitals, a shouted question) is left as written: its words are no acronyms."""
    if not any(c.islower() for c in text):
        return text
    return _ACRONYM.sub(lambda m: replace(m[0]), text)
