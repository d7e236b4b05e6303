"""Notices to readers: what a page says to its reader rather than reports (calls to subscribe, log
in or sign up, paywall and cookie notices, "enable JavaScript"). One definition for both sides of
the product: the loaders (`newsqa.corpus`) skip a text made of nothing else, a paywall stub being
no article, and the answerer (`newsqa.answering.evidence`) never quotes such a sentence."""

from __future__ import annotations

import re

from newsqa.chunking.sentences import split_sentences
from newsqa.types import Article, Skipped

__all__ = ["READER_NOTICE", "notices_only", "skip_notices_only"]

# Matched against one sentence; every part is case-insensitive on its own ((?i:…)), so that the
# answerer can join this pattern into its own, which is case-sensitive elsewhere.
READER_NOTICE = re.compile(
    # the outlet's calls to its readers: "Be sure to read our Best iPhone 15 Cases guide", "CLICK
    # HERE TO SIGN UP FOR OUR HEALTH NEWSLETTER", "Pick Six Newsletter Crafted By …"
    r"^(?i:(?:(?:be|make) sure to |don[’']t forget to )?(?:read|check out|see|sign up|"
    r"subscribe|follow|click|tap|listen to|watch|join)\b[^.]{0,100}\b(?:our|us|here|"
    r"newsletter|podcast)\b)"
    r"|^(?i:follow along|stay tuned)\b|^(?:[A-Z][\w']* ){1,3}Newsletter\b"
    # a paywall's or a sign-in wall's: "Subscribe to continue reading.", "Already a subscriber?
    # Log in.", "Start your free trial today.", "This article is for subscribers only."
    # (a call, not a report: "Login attempts rose 40%" is news, "Log in to read" is not)
    r"|^(?i:(?:please\s+)?(?:subscribe|log\s?in|sign\s?in|start (?:your|a) (?:free )?trial)"
    r"(?=\s*[.!:,]|\s*$|\s+(?:to|or|now|here|today)\b))|^(?i:continue reading|already (?:a "
    r"subscriber|a member|registered|have an account))\b"
    r"|\b(?i:(?:this|the) (?:article|story|content|page|piece) is (?:only )?(?:for|available "
    r"to|reserved for|exclusive to) (?:paying |our )?(?:subscribers|members))(?=\s*(?i:only)\b|"
    r"\s*[.!,;:]|\s*$)"
    r"|\b(?i:you[’']ve (?:reached|read)|you have (?:reached|read)) (?i:your|the) (?i:limit|"
    r"maximum|\d+ free)\b|\b(?i:get unlimited access|by entering your email|you are agreeing "
    r"to)\b"
    # a browser's or a consent wall's: cookies, JavaScript, ad blockers
    r"|^(?i:(?:please\s+)?(?:enable|turn on) javascript|accept (?:all )?cookies)\b"
    r"|\b(?i:(?:enable|turn on) javascript|javascript (?:is )?(?:disabled|required|turned off)"
    r"|requires javascript|(?:we|this (?:web)?site) uses? cookies|use of cookies|cookie "
    r"(?:policy|settings|preferences)|(?:disable|turn off|pause) (?:your )?ad[ -]?blocker"
    r"|using an ad[ -]?blocker)\b"
    # the page's own notices around embedded posts and its text-size control
    r"|\bnot responsible for the content of external\b|\b(?i:text size)\b"
)
# a sentence of fewer words that is not a notice ("Log in", a date line) is no news
_NEWS_WORDS = 5


# characters read first: an article's first news sentence is in them (splitting and matching
# every sentence of every article made a no-op update of 609 articles 2.6 s slower)
_HEAD = 2000


def _is_news(sentence: str) -> bool:
    return len(sentence.split()) >= _NEWS_WORDS and not READER_NOTICE.search(sentence)


def notices_only(text: str) -> str:
    """The first notice of a text none of whose sentences is news (most of them notices, the rest
    under five words each); "" for any other text, a short article included."""
    if len(text) > _HEAD:
        head = split_sentences(text[:_HEAD])[:-1]  # the last may be cut short
        if any(_is_news(text[start:end]) for start, end in head):
            return ""
    sentences = [text[start:end] for start, end in split_sentences(text)]
    if any(_is_news(s) for s in sentences):
        return ""
    notices = [s for s in sentences if READER_NOTICE.search(s)]
    return notices[0] if len(notices) * 2 > len(sentences) else ""


def skip_notices_only(item: Article | Skipped) -> Article | Skipped:
    """`item`, or why it is skipped when its text is only notices to readers (a paywall stub, a
    cookie wall): read, holding no article, so an article indexed from it before is gone."""
    if isinstance(item, Skipped):
        return item
    first = notices_only(item.text)
    if not first:
        return item
    shown = first if len(first) <= 60 else first[:57] + "…"
    reason = f'no article text: only notices to readers ("{shown}" …): a paywall?'
    return Skipped(item.origin, reason, broken=False)
