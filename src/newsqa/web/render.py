"""HTML and Markdown for the page: the index status, an answer with linked markers, and the
source cards (title, outlet, date, the quoted passage highlighted inside its chunk)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence

from newsqa.types import (
    Answer,
    ArticleList,
    ArticleRef,
    Citation,
    FeedRefresh,
    IndexReport,
    IndexStats,
    LoadResult,
    SearchHit,
)
from newsqa.web.times import day_html, moment_html, stamp_html

__all__ = [
    "answer_markdown",
    "articles_html",
    "followed_markdown",
    "sources_html",
    "status_markdown",
]

_MARKER = re.compile(r"\[(\d+)\]")

CSS = """
#sources .card {border: 1px solid var(--border-color-primary); border-radius: 8px;
  padding: 10px 12px; margin-bottom: 10px; background: var(--background-fill-secondary);}
#sources .card h4 {margin: 0 0 4px 0; font-size: 1em;}
#sources .meta {font-size: 0.9em; margin-bottom: 6px;}
#sources .n {display: inline-block; min-width: 1.6em; font-weight: 600;}
#sources .chunk {font-size: 0.92em; line-height: 1.45; white-space: pre-wrap;}
#sources mark {background: #ffe58a; color: #1f2937; padding: 0 2px; border-radius: 3px;}
#sources .claims {font-size: 0.88em; margin-top: 6px;}
#sources details {margin-top: 8px;}
#sources .note {background: #fff4e5; color: #6b4400; border-radius: 6px; padding: 6px 10px;
  margin-bottom: 8px;}
#chat a.cite {color: var(--link-text-color); text-decoration: underline;
  text-decoration-thickness: 1px; text-underline-offset: 2px; font-weight: 600;}
#chat a.cite:hover {color: var(--link-text-color-hover); text-decoration-thickness: 2px;}
#chat .untraced {text-decoration: underline dotted #b45309; text-underline-offset: 3px;}
#articles .listing {max-height: 420px; overflow: auto;}
#articles table {width: 100%; border-collapse: collapse; font-size: 0.9em;}
#articles th, #articles td {text-align: left; vertical-align: top; padding: 3px 6px;
  border-bottom: 1px solid var(--border-color-primary);}
#articles td.day {white-space: nowrap;}
#articles .copies, #articles .count {font-size: 0.9em;}
/* secondary text, readable (Gradio's subdued grey is under 2:1 on a light card) */
#sources .meta, #sources .claims, #articles .copies, #articles .count {color: #52525b;}
.dark #sources .meta, .dark #sources .claims, .dark #articles .copies, .dark #articles .count {
  color: #c4c4cc;}
#sources .card:has(> span:target) {outline: 2px solid var(--color-accent); outline-offset: 1px;
  scroll-margin-top: 12px;}
/* "Add articles": room for its progress bar while it adds (empty, the box has no height, and
   the bar laid over it was not seen) */
#add-status:has([data-testid=status-tracker]:not(.hide)) {min-height: 64px;}
/* no "Try one of these" label over an empty list (an index without articles yet) */
#examples:not(:has(button)) {display: none;}
/* the page's side margins: 32 px on a desktop, 8 px on a phone (a rule of its own: Gradio
   puts the page's rules inside a media query under .contain, within these margins) */
.gradio-container .main.app {padding-left: clamp(8px, 5vw - 12px, 32px) !important;
  padding-right: clamp(8px, 5vw - 12px, 32px) !important;}
/* a phone: the question box the full width, its buttons side by side beneath */
@media (max-width: 640px) {
  #sources.block {padding: 6px;}
  #ask-row {flex-wrap: wrap;}
  #ask-row > :has(#question) {flex: 1 1 100% !important;}
  #ask-row > button {flex: 1 1 0 !important; min-width: 0 !important;}
  #sources .card {padding: 8px 10px;}
  #articles td, #articles th {padding: 3px 4px;}
}
"""


def status_markdown(stats: IndexStats, *, indexing: str = "", running: bool = False) -> str:
    """The index in a line; `indexing` says how far an update is (`running`: still going)."""
    if running and not stats.articles:  # a first build: none yet, but not for long
        return (
            f"**Indexing the articles** · {indexing.removeprefix('indexing: ')} · questions "
            "are answered as soon as the first are in"
        )
    if not stats.exists:
        return (
            f"**No index yet** in `{stats.path}`. Build it with `newsqa index update` "
            "(or add articles below)."
        )
    if not stats.articles and not running:  # (not "0 articles · ? – ?")
        return (
            "**No articles yet** · add some under “Add articles”, or put article files in the "
            "corpus folder and run `newsqa index update`"
        )
    dates = f"{stats.earliest[:10] or '?'} – {stats.latest[:10] or '?'}"
    updated = stamp_html(stats.updated_at)  # (in the visitor's zone)
    line = (
        f"**{stats.articles} articles** · {stats.chunks} passages · "
        f"{len(stats.named_outlets)} outlets · {dates} · updated {updated}"
    )
    return line + (f" · {indexing}" if indexing else "")


def _count(n: int, thing: str) -> str:
    return f"{n:,} {thing}{'s' * (n != 1)}"


def added_markdown(
    loaded: LoadResult,
    report: IndexReport | None,
    name: Callable[[str], str] = str,
    *,
    pending: bool = False,
) -> str:
    """What "Add articles" did, in words: "3 articles added; 12 passages indexed.", what was in
    the corpus already said once (not a line per file), then each file skipped and why (`name`
    says a file as the user knows it). `pending`: files were saved, to be indexed by an update
    that follows the one under way."""
    repeats = [s for s in loaded.skipped if s.kind == "in_corpus"]
    there = ", ".join(_as(name(s.origin), s.same_as) for s in repeats)
    done = []
    if report is not None:
        done = [
            f"{_count(n, thing)} {verb}"
            for n, thing, verb in (
                (report.articles_added, "article", "added"),
                (report.articles_changed, "article", "updated"),
                (report.articles_removed, "earlier version", "removed"),
            )
            if n
        ]
    if not loaded.articles:
        lines = ["No article could be read from them: nothing added."]
    elif pending:
        lines = [
            f"{_count(len(loaded.articles), 'article')} read into the corpus. The index is being "
            "updated just now: they are in it once that update is done (the status line says "
            "when)."
        ]
        lines += [f"Already in the corpus, not copied: {there}."] if repeats else []
    elif done:
        said = ", ".join(done) + f"; {_count(report.chunks_embedded if report else 0, 'passage')}"
        lines = [f"{said[0].upper()}{said[1:]} indexed."]
        lines += [f"Already in the corpus, not copied: {there}."] if repeats else []
    elif repeats:
        lines = [f"Nothing new: already in the corpus: {there}."]
    else:
        read = "the article read is" if len(loaded.articles) == 1 else "the articles read are"
        lines = [f"Nothing new: {read} already in the corpus."]
    lines += [f"- skipped {name(s.origin)}: {s.reason}" for s in loaded.skipped if s not in repeats]
    return "\n".join(lines)


def followed_markdown(
    done: FeedRefresh, *, pending: bool = False, every: float | None = None
) -> str:
    """What "Follow it as a feed" did, in words: each feed followed and its new articles (or why
    it was not followed), what was indexed, and when the feed is read again (`every`: the
    page's minutes between reads, None when the page does not read feeds)."""
    lines = []
    for f in done.feeds:
        if f.error:
            lines.append(f"Not followed: {f.url}: {f.error}.")
            continue
        before = f" ({f.known} taken before)" if f.known else ""
        lines.append(f"Following {f.url}: {_count(f.new, 'new article')}{before}.")
    if pending and done.written:
        lines.append(
            "The index is being updated just now: they are in it once that update is done."
        )
    elif done.report is not None:
        r = done.report
        lines.append(
            f"{_count(r.articles_added, 'article')} added; "
            f"{_count(r.chunks_embedded, 'passage')} indexed."
        )
    if any(not f.error for f in done.feeds):
        lines.append(
            f"Its new entries are read every {every:g} minutes while the page is served."
            if every
            else "Its new entries are read by `newsqa feeds refresh` (or by a page served with "
            "`--refresh-feeds MINUTES`)."
        )
    lines += [f"- skipped {s.origin}: {s.reason}" for s in done.skipped]
    return "\n".join(lines)


def _as(file: str, there: str) -> str:
    """A file, and the name it has in the corpus when another."""
    return file if there == file else f"{file} (as {there})"


def articles_html(listing: ArticleList) -> str:
    """The indexed articles as a table, newest first (date, outlet and those that carried a
    copy, the title linked to the article, the file it was read from), and how many there are
    of how many shown."""
    if not listing.total:
        return '<div class="empty">No articles in the index yet.</div>'
    rows = "".join(
        f'<tr><td class="day">{moment_html(a.published)}</td>'
        f"<td>{html.escape(a.source or 'unknown outlet')}"
        + (
            f'<div class="copies">also carried by {html.escape(", ".join(a.carried_by))}</div>'
            if a.carried_by
            else ""
        )
        + f"</td><td>{_title(a)}</td><td>{html.escape(a.file)}</td></tr>"
        for a in listing
    )
    n = f"{listing.total:,} article{'s' * (listing.total != 1)}"
    count = f"The newest {len(listing):,} of {n}." if len(listing) < listing.total else f"{n}."
    return (
        f'<div class="count">{count}</div><div class="listing"><table><thead><tr><th>Date</th>'
        f"<th>Outlet</th><th>Title</th><th>File</th></tr></thead><tbody>{rows}</tbody></table>"
        "</div>"
    )


def answer_markdown(answer: Answer) -> str:
    """The answer for the chat, each `[n]` a link to its source card, and each statement that
    could not be traced to a source (an LLM's) marked as such where it stands."""
    titles = {c.n: c.article.title or "(untitled)" for c in answer.citations}

    def linked(text: str) -> str:
        pieces, cursor = [], 0
        for m in _MARKER.finditer(text):  # quoted text is shown as written, markers linked
            if int(m[1]) in titles:
                pieces.append(as_written(text[cursor : m.start()]))
                # (described by its source for a screen reader, and on hover, not only "link
                # [1]"; a title: the chat's sanitizer drops an aria-label)
                label = html.escape(f"Source {m[1]}: {titles[int(m[1])]}")
                pieces.append(f'<a class="cite" href="#src-{m[1]}" title="{label}">[{m[1]}]</a>')
                cursor = m.end()
        return "".join([*pieces, as_written(text[cursor:])])

    spans: list[tuple[int, int]] = []
    for claim in answer.unsupported if not answer.declined else ():
        start = answer.text.find(claim) if claim.strip() else -1
        if start >= 0 and all(start >= b or start + len(claim) <= a for a, b in spans):
            spans.append((start, start + len(claim)))
    parts, cursor = [], 0
    for a, b in sorted(spans):
        parts += [
            linked(answer.text[cursor:a]),
            _UNTRACED_OPEN,
            linked(answer.text[a:b]),
            "</span>",
        ]
        cursor = b
    text = "".join([*parts, linked(answer.text[cursor:])])
    text = text.replace("\n", "  \n")
    # notes the answer does not say itself (an LLM that could not be reached, an outlet the
    # index lacks) are read where the answer is, not only beside the source cards
    said = [n for n in answer.notes if n not in answer.text]
    if said:
        text += "\n\n" + "  \n".join(f"*{as_written(n)}*" for n in said)
    if answer.as_of is not None and not answer.declined:
        text += f"\n\n*As of {day_html(answer.as_of)} (newest source cited).*"
    return text + _references(answer)


_UNTRACED_OPEN = '<span class="untraced" title="Not traced to any source: the LLM\'s own words">'

_MARKDOWN = re.compile(r"([\\`*_~\[\]|#])")


def as_written(text: str) -> str:
    """Text for the chat's Markdown shown as written (a quote, the user's question): "**bold**",
    "[2]", backticks stay characters, and HTML stays text."""
    return _MARKDOWN.sub(r"\\\1", html.escape(text, quote=False))


_CODE = re.compile(r"`([^`\n]+)`")


def with_commands(text: str) -> str:
    """A message for the chat shown as written, but for its `commands`, shown as code (to be
    read apart from the sentence and copied whole)."""
    parts, cursor = [], 0
    for m in _CODE.finditer(text):
        parts += [as_written(text[cursor : m.start()]), f"`{m[1]}`"]
        cursor = m.end()
    return "".join([*parts, as_written(text[cursor:])])


_LINKED_MARKER = re.compile(r'<a class="cite" href="#src-\d+"[^>]*>(\[\d+\])</a>')


def unlinked(markdown: str) -> str:
    """An earlier answer in the chat, its `[n]` no longer links: the source cards shown are the
    latest answer's, and its [1] is another article."""
    return _LINKED_MARKER.sub(r"\1", markdown)


_MIN_OVERLAP = 40  # characters two passages of an article must share to be shown as one


def _joined(
    passages: list[tuple[str, list[tuple[int, int]]]],
) -> list[tuple[str, list[tuple[int, int]]]]:
    """Passages of one article, those that run on into each other (the end of one is the start
    of the next: chunks overlap) shown as one text, their highlights moved along."""
    out = list(passages)
    while (pair := _running_on(out)) is not None:
        i, j, k = pair
        (a, a_spans), (b, b_spans) = out[i], out[j]
        shift = len(a) - k
        out[i] = (a + b[k:], a_spans + [(s + shift, e + shift) for s, e in b_spans])
        del out[j]
    return out


def _running_on(passages: list[tuple[str, list[tuple[int, int]]]]) -> tuple[int, int, int] | None:
    """(i, j, characters shared) for the first passage `i` whose end passage `j` starts with."""
    for i, (a, _) in enumerate(passages):
        for j, (b, _) in enumerate(passages):
            if i != j and (k := _overlap(a, b)) >= _MIN_OVERLAP:
                return i, j, k
    return None


def _overlap(a: str, b: str) -> int:
    """The length of the longest end of `a` that `b` starts with (0: none)."""
    for k in range(min(len(a), len(b)), _MIN_OVERLAP - 1, -1):
        if a.endswith(b[:k]):
            return k
    return 0


def _highlighted(chunk: str, spans: Sequence[tuple[int, int]]) -> str:
    out, cursor = [], 0
    for start, end in sorted(set(spans)):
        if start < cursor:
            continue
        out.append(html.escape(chunk[cursor:start]))
        out.append(f"<mark>{html.escape(chunk[start:end])}</mark>")
        cursor = end
    out.append(html.escape(chunk[cursor:]))
    return "".join(out)


_UNCITED_CHARS = 400  # of a passage retrieved and not cited, shown under the cards


def _title(article: ArticleRef) -> str:
    """The article's title, linked to it (only an http(s) URL: never "javascript:" from a feed)."""
    title = html.escape(article.title or "(untitled)")
    if article.url.lower().startswith(("http://", "https://")):
        title = f'<a href="{html.escape(article.link)}" target="_blank" rel="noopener">{title}</a>'
    return title


def _card(article: ArticleRef, citations: Sequence[Citation]) -> str:
    title = _title(article)
    numbers = " ".join(f"[{c.n}]" for c in citations)
    anchors = "".join(f'<span id="src-{c.n}"></span>' for c in citations)
    by_chunk: dict[str, list[Citation]] = {}
    for c in citations:
        by_chunk.setdefault(c.chunk_id, []).append(c)
    passages = _joined(
        [(cs[0].chunk_text, [(c.start, c.end) for c in cs]) for cs in by_chunk.values()]
    )
    chunks = "".join(
        f'<div class="chunk">{_highlighted(text, spans)}</div>' for text, spans in passages
    )
    claims = "".join(
        f"<li>[{c.n}] {html.escape(claim)}</li>" for c in citations for claim in c.claims
    )
    return (
        f'<div class="card" data-outlet="{html.escape(article.source)}">{anchors}'
        f'<h4><span class="n">{numbers}</span> {title}</h4>'
        f'<div class="meta">{html.escape(article.source or "unknown outlet")} · '
        f"{moment_html(article.published)}</div>{chunks}"
        f'<details class="claims"><summary>Cited for</summary><ul>{claims}</ul></details></div>'
    )


def _uncited(
    hits: Sequence[SearchHit],
    cited: set[str],
    *,
    label: str = "more passage(s) retrieved, not cited",
    open_: bool = False,
) -> str:
    rest = [h for h in hits if h.chunk_id not in cited]
    if not rest:
        return ""

    def passage(text: str) -> str:
        flat = " ".join(text.split())
        cut = flat[:_UNCITED_CHARS]
        return html.escape(cut) + ("…" if len(flat) > len(cut) else "")

    items = "".join(
        f"<li><b>{_title(h.article)}</b> — {html.escape(h.article.source)}, "
        f"{moment_html(h.article.published)}<br>{passage(h.text)}</li>"
        for h in rest
    )
    return (
        f"<details{' open' if open_ else ''}><summary>{len(rest)} {label}</summary>"
        f"<ul>{items}</ul></details>"
    )


WRITING_FROM = "Writing the answer from these passages…"


def retrieved_html(hits: Sequence[SearchHit]) -> str:
    """The passages found for a question whose answer is still being written (an LLM reading
    them): what it will be written from, before its cards come."""
    if not hits:
        return sources_html(None)
    return f'<div class="empty">{WRITING_FROM}</div>' + _uncited(
        hits, set(), label="passage(s) found", open_=True
    )


def sources_html(answer: Answer | None) -> str:
    """One card per cited article, in the order first cited; then the uncited passages."""
    if answer is None:
        return '<div class="empty">Sources of the answer appear here.</div>'
    notes = "".join(f'<div class="note">{html.escape(n)}</div>' for n in answer.notes)
    cards = "".join(_card(cs[0].article, cs) for cs in _by_article(answer.citations))
    if not cards:
        cards = '<div class="empty">No source could answer this question.</div>'
    cited = {c.chunk_id for c in answer.citations}
    return notes + cards + _uncited(answer.retrieved, cited)


def _by_article(citations: Sequence[Citation]) -> list[list[Citation]]:
    """The citations of each article, articles in the order first cited."""
    by_article: dict[str, list[Citation]] = {}
    for c in citations:
        by_article.setdefault(c.article.id, []).append(c)
    return list(by_article.values())


def references_text(answer: Answer) -> str:
    """The sources an answer cites, as plain text: what copying the answer adds under it."""
    lines = []
    for cs in _by_article(answer.citations):
        article = cs[0].article
        lines.append(article.heading(*(c.n for c in cs)))
        if article.url:
            lines.append(f"    {article.link}")
    return "\n".join(lines)


def _references(answer: Answer) -> str:
    """The plain-text sources, hidden in the answer's message, for the chat's copy button to add
    to the answer it copies (each answer its own: the cards shown are only the latest's)."""
    text = references_text(answer)
    if not text:
        return ""
    # (in a title: the chat's sanitizer drops data- and aria- attributes; one line of Markdown,
    # its line breaks as character references)
    value = html.escape(text).replace("\n", "&#10;")
    return f'<span class="references" hidden title="{value}"></span>'
