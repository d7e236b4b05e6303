"""Corpus loaders: every supported format, the odd inputs, and the Markdown round trip."""

from __future__ import annotations

import dataclasses
import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

import newsqa.corpus
from newsqa.corpus import iter_path, load_path, parse_date, save_articles
from newsqa.corpus.common import outlet_name
from newsqa.corpus.webpage import extract_page
from newsqa.types import Article, Skipped

FIXTURES = Path(__file__).parent / "fixtures" / "loaders"
CORPUS = FIXTURES / "corpus"
MULTIHOP = Path(__file__).resolve().parents[2] / "shared/benchmarks/multihop-rag/corpus.json"
UTC = UTC


def tz(hours: int) -> timezone:
    return timezone(timedelta(hours=hours))


def only(items: list[Article | Skipped]) -> Article | Skipped:
    assert len(items) == 1, items
    return items[0]


def load_one(path: Path, **kw: int) -> Article | Skipped:
    return only(list(iter_path(path, **kw)))


def test_public_surface() -> None:
    assert set(newsqa.corpus.__all__) == {
        "SUPPORTED_EXTENSIONS",
        "article_files",
        "fetch_url",
        "holds_files",
        "iter_path",
        "load_path",
        "parse_date",
        "save_articles",
    }


# --- one file per format ----------------------------------------------------------------------

FORMATS: dict[str, dict[str, Any]] = {
    "plain.txt": dict(
        title="Port Wren opens a floating library on the harbour",
        source="harborgazette.example",  # from the trailing "Original Source: www...." line
        author="",
        published=None,
        url="",
        starts="The town of Port Wren opened a library",
        ends='"People asked for crime novels first," she said.',
    ),
    "front.md": dict(
        title="Lantern festival draws record crowd to Millbrook",
        source="Millbrook Ledger",
        author="Tomas Reyes, Ana Vela",
        published=datetime(2024, 3, 5, 19, 30, tzinfo=tz(-5)),
        url="https://millbrook-ledger.example/2024/03/lantern-festival",
        starts="Some 12,000 visitors",
        ends="closed to cyclists for the night.",
    ),
    "nested/heading.md": dict(
        title="Fictional robotics club wins county prize",
        source="Alder Hill Weekly",
        author="",
        published=None,
        url="",
        starts="Students from Alder Hill School",
        ends="rebuilt the gripper eleven times.",
    ),
    "page.html": dict(
        title="Tidal power trial begins off Cape Orrin",
        source="Coastline Courier",
        author="Mira Solberg",
        published=datetime(2024, 2, 14, 9, 15, tzinfo=tz(1)),
        url="https://coastline-courier.example/news/tidal-trial",
        starts="Engineers lowered the first of three tidal turbines",
        ends="marked with lit buoys.",
    ),
}


@pytest.mark.parametrize("name", list(FORMATS))
def test_single_article_formats(name: str) -> None:
    want = FORMATS[name]
    article = load_one(CORPUS / name)
    assert isinstance(article, Article)
    for key in ("title", "source", "author", "published", "url"):
        assert getattr(article, key) == want[key], key
    assert article.text.startswith(str(want["starts"]))
    assert article.text.endswith(str(want["ends"]))
    assert "Source:" not in article.text
    assert article.origin == str(CORPUS / name)
    assert article.id and len(article.id) == 16


def test_html_drops_navigation_footer_and_repeated_heading() -> None:
    article = load_one(CORPUS / "page.html")
    assert isinstance(article, Article)
    assert "Copyright" not in article.text and "Home" not in article.text
    assert not article.text.startswith(article.title)
    assert article.text.count("\n\n") == 2  # three paragraphs


MULTI: dict[str, list[tuple[str, str, str | None]]] = {
    "records.json": (
        [
            ("#0", "Orchard town elects its first youth council", "Pellham Post"),
            ("#1", "record has no article text", None),
            ("#2", "record is a JSON string, not an object", None),
            ("#3", "Bakery cooperative marks ten years", "Eastmere Echo"),
        ]
    ),
    "records.jsonl": (
        [
            (":1", "Ferry timetable changes from April", "Harbor Gazette"),
            (":3", "malformed JSON on line 3: Expecting ',' delimiter", None),
            (":4", "Snow closes mountain pass", "ridgeline-news.example"),
        ]
    ),
    "nested/feed.rss": (
        [
            ("#0", "Bridge repairs finish early", "Valley Chronicle"),
            ("#1", "Library extends opening hours", "Valley Chronicle"),
            ("#2", "feed entry has no content or summary", None),
        ]
    ),
    "nested/updates.atom": [("#0", "Community garden doubles in size", "Northfield Observer")],
}


@pytest.mark.parametrize("name", list(MULTI))
def test_multi_article_formats(name: str) -> None:
    """Record files and feeds: one item per record or entry; bad ones skipped, the rest loaded."""
    items = list(iter_path(CORPUS / name))
    assert len(items) == len(MULTI[name])
    for item, (suffix, text, source) in zip(items, MULTI[name], strict=True):
        assert item.origin == f"{CORPUS / name}{suffix}"
        if source is None:
            assert isinstance(item, Skipped) and item.reason.startswith(text)
        else:
            assert isinstance(item, Article) and item.title == text and item.source == source


def test_json_field_aliases() -> None:
    items = [i for i in iter_path(CORPUS / "records.json") if isinstance(i, Article)]
    first, second = items
    assert first.author == "Lena Kovac, Sam Idowu"  # list joined
    assert first.published == datetime(2024, 1, 21, 18, tzinfo=UTC)  # publishedAt, "Z"
    assert first.url == "https://pellham-post.example/youth-council"  # key "URL"
    assert first.text == (
        "Voters in Pellham elected a nine-member youth council on Sunday.\n\n"
        "The council will advise the mayor on parks and transport."
    )
    assert second.author == ""  # byline: null
    assert second.published == datetime(2024, 2, 10, 7, 45, tzinfo=UTC)  # RFC 822 pubDate


def test_a_news_api_response_is_read_whole(tmp_path: Path) -> None:
    """NewsAPI's answer, as saved: a body cut short ends "… [+2345 chars]", which was indexed
    and quoted as part of the article, and a record with a description but no content was
    skipped as one without text."""
    (tmp_path / "top.json").write_text(
        '{"status": "ok", "totalResults": 2, "articles": ['
        '{"source": {"id": null, "name": "Harbour Times"}, "title": "Ferry strike ends",'
        ' "description": "Crews return after a week.", "url": "https://ht.example/ferry",'
        ' "publishedAt": "2024-05-02T08:15:00Z", "content": "Ferry crews in the fictional port'
        " of Valdria ended their strike on Thursday after the operator raised pay by 6%. Sailings"
        ' resume on… [+2345 chars]"},'
        '{"source": {"id": null, "name": "Harbour Times"}, "title": "Dock cranes arrive",'
        ' "description": "Four new cranes reached the fictional port of Valdria on Friday.",'
        ' "url": "https://ht.example/cranes", "publishedAt": "2024-05-03T09:00:00Z",'
        ' "content": null}]}',
        encoding="utf-8",
    )
    strike, cranes = load_path(tmp_path).articles
    assert strike.source == "Harbour Times"
    assert strike.text.endswith("raised pay by 6%. Sailings resume on…")
    assert "chars]" not in strike.text
    assert cranes.text == "Four new cranes reached the fictional port of Valdria on Friday."


def test_csv_files_of_articles(tmp_path: Path) -> None:
    """A news data set as a spreadsheet saves it: a header row naming the columns, a body
    over several lines inside quotes, ";" between cells, Windows-1252 rather than UTF-8."""
    (tmp_path / "wire.csv").write_text(
        "title,author,date,content,url,publication\n"
        '"Ferry strike ends","Ann Lee",2024-05-02,"Ferry crews in the fictional port of Valdria'
        ' ended their strike, the union said.\n\nSailings resume on Friday.",'
        "https://ht.example/ferry,Harbour Times\n"
        ",,,,,\n"  # a blank row: passed over
        "Dock cranes arrive,,2024-05-03,,https://ht.example/cranes,Harbour Times\n"
        "One too many,,2024-05-04,Four new cranes.,https://ht.example/x,Harbour Times,extra\n",
        encoding="utf-8",
    )
    (tmp_path / "europe.csv").write_bytes(
        "headline;short_description;date;link\n"
        "Café owners protest;Owners of cafés in the fictional town of Orsk marched on "
        "Monday.;2024-06-03;https://orsk.example/cafes\n".encode("windows-1252")
    )
    (tmp_path / "tabs.tsv").write_text(
        "title\tbody\nTram line opens\tThe fictional city of Brenn opened its tram line.\n",
        encoding="utf-8",
    )
    (tmp_path / "prices.csv").write_text("ticker,price\nABC,12\n", encoding="utf-8")
    result = load_path(tmp_path)
    by_origin = {a.origin.rsplit("/", 1)[-1]: a for a in result.articles}
    strike = by_origin["wire.csv:2"]
    assert (strike.title, strike.author, strike.source) == (
        "Ferry strike ends",
        "Ann Lee",
        "Harbour Times",
    )
    assert strike.text.endswith("the union said.\n\nSailings resume on Friday.")
    assert strike.published == datetime(2024, 5, 2)
    cafes = by_origin["europe.csv:2"]
    assert cafes.title == "Café owners protest" and cafes.text.startswith("Owners of cafés")
    assert by_origin["tabs.tsv:2"].title == "Tram line opens"
    skipped = {s.origin.rsplit("/", 1)[-1]: s.reason for s in result.skipped}
    assert skipped["wire.csv:6"].startswith("record has no article text")
    assert skipped["wire.csv:7"] == "row has 7 fields, the header 6"
    assert skipped["prices.csv"].startswith("no column of article text")
    assert skipped["prices.csv"].endswith("its columns: ticker, price)")
    assert len(result.articles) == 3


def test_an_article_printed_to_pdf(tmp_path: Path) -> None:
    """A browser's "Print" to PDF: the headline, outlet, address, author and date come from its
    title, printed header and footer and byline; the pages' heads and feet ("12/2/26, 8:53 PM
    …", "https://… 1/2") are not part of the text; lines are joined back into sentences.
    Before, a .pdf was an unsupported file type."""
    article = load_one(FIXTURES / "printed" / "ferry-strike.pdf")
    assert isinstance(article, Article), article
    assert (article.title, article.source, article.author) == (
        "Ferry strike ends after a week",
        "Harbour Times",
        "Ann Lee",
    )
    assert article.url == "https://harbourtimes.example/news/ferry-strike-ends"
    assert article.published == datetime(2024, 5, 2)
    assert article.text.startswith(
        "Ferry crews in the fictional port of Valdria ended their week-long strike on Thursday "
        "after the operator, Valdria Sea Lines, agreed to raise pay by 6% this year and 4% next "
        "year, the crews' union said.\n\nSailings resume on Friday morning"
    )
    assert "Day 11 of the strike saw 1100 lorries" in article.text  # a line and a page break
    for furniture in ("PM", "1/2", "2/2", "https://", "By Ann Lee", "Harbour Times"):
        assert furniture not in article.text, furniture
    assert article.text.count("\n\n") == 20  # its 21 paragraphs
    # saved without the printed heads and feet: the outlet from the title the PDF carries; the
    # last lines of both pages, alike but for their figures, are the text's, not running feet
    saved = load_one(FIXTURES / "printed" / "ferry-strike-saved.pdf")
    assert isinstance(saved, Article), saved
    assert (saved.title, saved.source, saved.url) == (article.title, "Harbour Times", "")
    assert saved.text == article.text
    # an outlet's own running head and page numbers on every page
    paper = load_one(FIXTURES / "printed" / "ferry-strike-paper.pdf")
    assert isinstance(paper, Article), paper
    assert (paper.source, paper.published, paper.text) == (
        "Harbour Times",
        datetime(2024, 5, 2),
        article.text,
    )


def test_pdfs_that_cannot_be_read_are_skipped_with_the_reason(tmp_path: Path) -> None:
    from pypdf import PdfWriter

    blank = PdfWriter()
    blank.add_blank_page(612, 792)  # as a scan is to a text extractor: no text
    with (tmp_path / "scan.pdf").open("wb") as f:
        blank.write(f)
    locked = PdfWriter()
    locked.add_blank_page(612, 792)
    locked.encrypt(user_password="secret", algorithm="RC4-128")
    with (tmp_path / "locked.pdf").open("wb") as f:
        locked.write(f)
    (tmp_path / "cut.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog")
    reasons = {Path(s.origin).name: s.reason for s in load_path(tmp_path).skipped}
    assert reasons["scan.pdf"] == "no text in the PDF (scanned pages? they would need OCR first)"
    assert reasons["locked.pdf"] == "encrypted PDF: it needs a password to be read"
    assert reasons["cut.pdf"].startswith("malformed PDF: ")
    assert len(reasons) == 3


def test_an_html_file_keeps_the_full_time_of_its_publication(tmp_path: Path) -> None:
    """The <time>'s text names the day: the date was read as the day alone, 2024-04-09T00:00:00."""
    (tmp_path / "fire.html").write_text(
        "<html><head><title>Bushfire contained</title></head><body><article><h1>Bushfire "
        'contained</h1><time itemprop="datePublished" datetime="2024-04-09T06:45:00+10:00">'
        "Tuesday 9 April 2024</time>"
        "<p>A bushfire near the fictional town of Wattle Creek was contained overnight, "
        "firefighters said on Tuesday morning.</p></article></body></html>",
        encoding="utf-8",
    )
    article = load_one(tmp_path / "fire.html")
    assert isinstance(article, Article)
    assert article.published == datetime(2024, 4, 9, 6, 45, tzinfo=tz(10))


def test_an_html_page_naming_its_outlet_only_in_its_title_keeps_it(tmp_path: Path) -> None:
    """ "Zoo welcomes twin pandas - City Paper": trafilatura cut " - City Paper" from the title
    and the outlet was lost ("unknown outlet"; fetched, the host name)."""
    page = (
        "<html><head><title>Zoo welcomes twin pandas - City Paper</title></head><body><div>"
        "Twin pandas were born at the fictional Orsk city zoo on Friday, keepers said. The cubs "
        "weigh about 150 grams each and are doing well.</div></body></html>"
    )
    (tmp_path / "pandas.html").write_text(page, encoding="utf-8")
    article = load_one(tmp_path / "pandas.html")
    assert isinstance(article, Article)
    assert (article.title, article.source) == ("Zoo welcomes twin pandas", "City Paper")
    fetched = extract_page(page, "x", url="https://www.citypaper.example/pandas")
    assert isinstance(fetched, Article) and fetched.source == "City Paper"
    # a site name the page declares wins; a title without one names none
    declared = page.replace("<head>", '<head><meta property="og:site_name" content="Orsk Post">')
    assert getattr(extract_page(declared, "x"), "source", None) == "Orsk Post"
    bare = page.replace(" - City Paper", "")
    assert getattr(extract_page(bare, "x"), "source", None) == ""


def test_urls_are_stored_without_tracking_parameters(tmp_path: Path) -> None:
    tracked = "https://ashby.example/fire?id=4&utm_campaign=spring&mc_cid=9#photos"
    (tmp_path / "wire.json").write_text(
        f'[{{"title": "Mill fire", "url": "{tracked}", "body": "A fire at the fictional Ashby '
        'mill was put out on Sunday, firefighters said."}]',
        encoding="utf-8",
    )
    (tmp_path / "fire.md").write_text(
        "---\ntitle: Mill fire\nurl: https://ashby.example/fire?fbclid=x&id=4&gclid=y#photos\n"
        "---\n\nA fire at the fictional "
        "Ashby mill was put out on Sunday night, firefighters said.\n",
        encoding="utf-8",
    )
    (tmp_path / "feed.rss").write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Ashby Times</title><item>'
        "<title>Mill fire</title><link>https://ashby.example/fire?utm_source=rss&amp;id=4"
        "</link><description>A fire at the fictional Ashby mill was put out on Sunday."
        "</description></item></channel></rss>",
        encoding="utf-8",
    )
    urls = {a.origin: a.url for a in load_path(tmp_path).articles}
    assert urls == {
        str(tmp_path / "feed.rss#0"): "https://ashby.example/fire?id=4",
        str(tmp_path / "fire.md"): "https://ashby.example/fire?id=4#photos",
        str(tmp_path / "wire.json#0"): "https://ashby.example/fire?id=4#photos",
    }


def test_jsonl_dates_and_outlet_domain() -> None:
    items = [i for i in iter_path(CORPUS / "records.jsonl") if isinstance(i, Article)]
    assert items[0].published == datetime(2024, 3, 28)  # a day, naive: no zone was given
    assert items[1].published == datetime(2024, 2, 1, 8, tzinfo=UTC)  # epoch seconds
    assert items[1].url == ""


def test_feed_entries() -> None:
    bridge, library, _ = iter_path(CORPUS / "nested/feed.rss")
    assert isinstance(bridge, Article) and isinstance(library, Article)
    # content:encoded wins over the teaser, HTML reduced to paragraphs
    assert bridge.text == (
        "Repairs to the Tamsin Bridge finished two weeks early, the county said.\n\n"
        "The bridge reopens to lorries on Saturday."
    )
    assert bridge.author == "Jonas Ekberg"
    assert bridge.published == datetime(2024, 3, 4, 8, tzinfo=tz(-5))
    assert bridge.url == "https://valley-chronicle.example/bridge-repairs"
    assert library.text.startswith("The Tamsin Valley library") and "<p>" not in library.text
    (garden,) = iter_path(CORPUS / "nested/updates.atom")
    assert isinstance(garden, Article)
    assert garden.published == datetime(2024, 3, 7, 11, tzinfo=tz(2))
    assert garden.author == "Hana Okafor"


def test_a_feed_cut_short_says_so(tmp_path: Path) -> None:
    """The entries before the break are read; the one it cut is unreadable this time (what it
    held before is kept), said as a malformed feed, not as an entry without text."""
    whole = (CORPUS / "nested/feed.rss").read_text("utf-8")
    cut = tmp_path / "cut.rss"
    cut.write_text(whole[: whole.index("<item>", whole.index("<item>") + 1) + 40], "utf-8")
    first, last = iter_path(cut)
    assert isinstance(first, Article) and first.title
    assert isinstance(last, Skipped) and last.broken
    assert last.reason.startswith("malformed feed (") and "entry unreadable" in last.reason


def test_relative_links_of_a_saved_feed_are_read_against_its_site(tmp_path: Path) -> None:
    urls = []
    for site in ("alpha", "beta"):
        path = tmp_path / f"{site}.rss"
        path.write_text(
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>{site} Gazette</title>'
            f"<link>https://{site}.example.com/</link><item><title>Flood in {site}</title>"
            f"<link>/news/1</link><description>The {site} river flooded the lower town on "
            "Monday.</description></item></channel></rss>",
            encoding="utf-8",
        )
        (article,) = iter_path(path)
        assert isinstance(article, Article)
        urls.append(article.url)
    # two outlets' "/news/1" are two stories, not the same one twice
    assert urls == ["https://alpha.example.com/news/1", "https://beta.example.com/news/1"]


def test_a_feed_entry_without_a_link_is_known_by_its_guid(tmp_path: Path) -> None:
    """Updated, an entry with no link keeps its identity (its guid, or Atom id): saved again,
    its new version replaces the old file; an Atom id is never taken for its URL."""

    def feed(basements: str) -> Path:
        path = tmp_path / "water.rss"
        path.write_text(
            '<?xml version="1.0"?><rss version="2.0"><channel><title>Metro Ledger</title>'
            "<item><title>Water main bursts</title>"
            '<guid isPermaLink="false">ml-2024-0301-water</guid>'
            f"<description>A water main burst under the fictional Elm Street, flooding "
            f"{basements} basements.</description></item></channel></rss>",
            encoding="utf-8",
        )
        return path

    (first,) = iter_path(feed("three"))
    (second,) = iter_path(feed("five"))
    assert isinstance(first, Article) and isinstance(second, Article)
    assert first.url == "" and first.id == second.id
    saved = tmp_path / "saved"
    save_articles([first], saved)
    (path,) = save_articles([second], saved)
    assert [p.name for p in saved.iterdir()] == [path.name]
    (loaded,) = iter_path(path)
    assert isinstance(loaded, Article) and loaded.id == second.id and "five" in loaded.text
    atom = tmp_path / "tag.atom"
    atom.write_text(
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title>'
        "<entry><id>tag:wire.example,2024:1</id><title>Ferry resumes</title>"
        "<content>The fictional Orsk ferry resumed on Friday.</content></entry></feed>",
        encoding="utf-8",
    )
    (entry,) = iter_path(atom)
    assert isinstance(entry, Article) and entry.url == "" and entry.id


def test_json_shapes(tmp_path: Path) -> None:
    single = tmp_path / "single.json"
    single.write_text('{"Title": "One", "Text": "Only record.", "date": 1706774400000}')
    art = load_one(single)
    assert isinstance(art, Article) and art.origin == str(single)
    assert art.published == datetime(2024, 2, 1, 8, tzinfo=UTC)  # epoch milliseconds
    items = tmp_path / "items.json"
    items.write_text('{"items": [{"title": "A", "body": "a"}, {"title": "B", "body": "b"}]}')
    assert [a.title for a in iter_path(items) if isinstance(a, Article)] == ["A", "B"]
    # scraped headlines often keep the page's HTML entities; a line break is folded
    escaped = tmp_path / "escaped.json"
    escaped.write_text(
        '{"title": "&#039;Intel failure&#039;: Q&amp;A\\non AT&T", "body": "Rock &amp; roll."}'
    )
    art = load_one(escaped)
    assert isinstance(art, Article) and art.title == "'Intel failure': Q&A on AT&T"
    assert art.text == "Rock &amp; roll."  # a body is kept as written
    empty = tmp_path / "empty-list.json"
    empty.write_text("[]")
    assert load_one(empty) == Skipped(str(empty), "JSON list of records is empty")
    scalar = tmp_path / "scalar.json"
    scalar.write_text('"just a string"')
    skipped = load_one(scalar)
    assert isinstance(skipped, Skipped) and "not an article record" in skipped.reason


# --- folders ---------------------------------------------------------------------------------


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    shutil.copytree(CORPUS, root)
    (root / ".git").mkdir()
    (root / ".git" / "config.txt").write_text("not an article")
    (root / ".DS_Store").write_bytes(b"\x00\x01")
    (root / "LICENSE").write_text("CC0")
    (root / "changelog.md").write_text("# Changes\n\nnone")
    (root / "notes.odt").write_text("a,b\n1,2\n")
    return root


def test_folder_is_walked_sorted_and_ignores_meta_files(corpus_copy: Path) -> None:
    items = list(iter_path(corpus_copy))
    origins = [i.origin for i in items]
    assert origins == sorted(origins)
    assert not any(
        "README" in o or ".git" in o or "LICENSE" in o or "changelog" in o for o in origins
    )
    assert Skipped(str(corpus_copy / "notes.odt"), "unsupported file type '.odt'") in items
    result = load_path(corpus_copy)
    assert len(result.articles) == 11
    assert len(result.skipped) == 5
    assert len({a.id for a in result.articles}) == 11


def test_origins_are_paths_as_given(corpus_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(corpus_copy.parent)
    origins = [i.origin for i in iter_path(Path("corpus"))]
    assert "corpus/plain.txt" in origins and "corpus/records.json#3" in origins


def test_an_explicit_readme_is_read(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# About\n\nAttribution text.")
    assert isinstance(load_one(readme), Article)


def test_streams_file_by_file(tmp_path: Path) -> None:
    """Files are read as the iterator advances, not all up front."""
    (tmp_path / "a.txt").write_text("A\n\nfirst")
    (tmp_path / "b.txt").write_text("B\n\nsecond")
    it: Iterator[Article | Skipped] = iter_path(tmp_path)
    assert isinstance(next(it), Article)
    (tmp_path / "b.txt").write_bytes(b"\xff\xfe\x00")
    second = next(it)
    assert isinstance(second, Skipped) and "UTF-16" in second.reason


def test_symlink_loop_is_cut(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A\n\nbody")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    assert [a.title for a in iter_path(tmp_path) if isinstance(a, Article)] == ["A"]


# --- bad input -------------------------------------------------------------------------------

BAD = {
    "binary.txt": (b"GIF89a\x00\x01\x00\x00", "binary file (NUL bytes in the first 8 KiB)"),
    "latin1.md": (b"# Caf\xe9\n\nCr\xe8me", "not UTF-8 text (invalid byte 0xe9 at offset 5)"),
    "empty.json": (b"", "empty file"),
    "blank.txt": (b"  \n\t\n\n", "empty file"),
    "title-only.txt": (b"Just a headline\n", "no article text after the title"),
    "bad.json": (b'{"title": "x",\n "body": }', "malformed JSON: Expecting value (line 2, column"),
    "deep.json": (b"[" * 100_000 + b"]" * 100_000, "malformed JSON: nested too deeply"),
    "broken.rss": (b"<rss><channel><title>Oops", "malformed feed:"),
    "sitemap.xml": (b"<urlset><url><loc>x</loc></url></urlset>", "no feed entries"),
    "frontmatter.md": (b"---\ntitle: [unclosed\n---\n\nBody", "front matter is not valid YAML"),
    "nothing.html": (
        b"<html><head><title>Empty</title></head><body></body></html>",
        "no article text found in the HTML page",
    ),
    "menu.html": (
        b"<html><head><title>Nothing</title></head><body><nav>menu</nav></body></html>",
        "no article text found in the HTML page",
    ),
    "slides.pptx": (b"PK\x03\x04", "unsupported file type '.pptx'"),
    "noext": (b"text", "file has no extension"),
}


def test_an_html_file_that_declares_no_charset_and_is_not_utf8_is_read_as_windows_1252(
    tmp_path: Path,
) -> None:
    """As browsers read it: an old page saved by a Windows editor is not skipped."""
    page = tmp_path / "old.html"
    page.write_bytes(
        b"<html><head><title>Caf\xe9 reopens</title></head><body><article><p>The fictional "
        b"Caf\xe9 Brenner in Orsk reopened on Friday after a year of repairs to its roof, "
        b"its owner said \x96 with the old menu.</p></article></body></html>"
    )
    article = load_one(page)
    assert isinstance(article, Article)
    assert (
        article.title == "Café reopens" and "Café Brenner" in article.text and "–" in article.text
    )


def test_a_text_of_nothing_but_notices_to_readers_is_no_article(tmp_path: Path) -> None:
    """A paywall stub or a cookie wall saved as a file or a record is skipped, saying why; a
    short article with a call to sign up is kept."""
    (tmp_path / "stub.txt").write_text(
        "Ferry strike called off\n\nSubscribe to continue reading. Already a subscriber? Log in."
        "\nThis article is for subscribers only. Start your free trial today.\n",
        encoding="utf-8",
    )
    (tmp_path / "wire.jsonl").write_text(
        '{"title": "Cookies", "body": "We use cookies to improve your experience. Accept all '
        'cookies. Cookie settings"}\n{"title": "JS", "body": "Please enable JavaScript to '
        'view this page."}\n{"title": "A14 reopens", "body": "The fictional A14 reopened after a '
        'crash, police said. Sign up for our newsletter. Log in."}\n',
        encoding="utf-8",
    )
    result = load_path(tmp_path)
    assert [a.title for a in result.articles] == ["A14 reopens"]
    notices = {s.origin: s.reason for s in result.skipped}
    assert list(notices) == [
        str(tmp_path / f) for f in ("stub.txt", "wire.jsonl:1", "wire.jsonl:2")
    ]
    assert notices[str(tmp_path / "stub.txt")] == (
        'no article text: only notices to readers ("Subscribe to continue reading." …): a paywall?'
    )
    assert all(r.startswith("no article text: only notices") for r in notices.values())


def test_how_to_sign_up_is_news_not_a_notice() -> None:
    """An article's steps to open an account (a sportsbook's "how to bet" guide: gold facts of
    MultiHop-RAG questions) are what it reports, not the page talking to its reader."""
    from newsqa.notices import READER_NOTICE

    for sentence in (
        "Register for an account: On the homepage, you will find a button that says register.",
        "Create an account with any of the best sports betting apps to start betting.",
        "Sign up for a DraftKings Sportsbook account via the links on this page.",
    ):
        assert not READER_NOTICE.search(sentence), sentence
    for notice in ("Subscribe to continue reading.", "Already a subscriber? Log in."):
        assert READER_NOTICE.search(notice), notice


@pytest.mark.parametrize("name", list(BAD))
def test_bad_inputs_are_skipped_with_a_reason(tmp_path: Path, name: str) -> None:
    data, reason = BAD[name]
    path = tmp_path / name
    path.write_bytes(data)
    skipped = load_one(path)
    assert isinstance(skipped, Skipped)
    assert skipped.origin == str(path)
    assert skipped.reason.startswith(reason), skipped.reason


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("Title\n\n" + "word " * 400)
    assert load_one(path, max_file_bytes=1024) == Skipped(
        str(path), "file is 2.0 KiB, over the 1.0 KiB limit (NEWSQA_MAX_FILE_MB raises it)"
    )
    assert isinstance(load_one(path, max_file_bytes=4096), Article)


def test_missing_and_dangling_paths(tmp_path: Path) -> None:
    (tmp_path / "dangling.md").symlink_to(tmp_path / "nowhere.md")
    assert load_one(tmp_path) == Skipped(
        str(tmp_path / "dangling.md"), "no such file (or a broken symbolic link)"
    )
    missing = tmp_path / "missing"
    assert load_one(missing) == Skipped(str(missing), "no such file or folder")


def test_special_files_are_not_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)  # opening it would block
    assert load_one(fifo) == Skipped(str(fifo), "not a regular file")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a file whatever its mode")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("Title\n\nbody")
    path.chmod(0)
    try:
        assert load_one(path) == Skipped(str(path), "cannot read: permission denied")
    finally:
        path.chmod(0o644)


def test_unreadable_file_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same case where the suite runs as root: opening fails as it would for anyone else."""
    path = tmp_path / "secret.txt"
    path.write_text("Title\n\nbody")

    def denied(self: Path, *args: object, **kwargs: object) -> object:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", denied)
    assert load_one(path) == Skipped(str(path), "cannot read: permission denied")


def test_an_article_on_one_line_is_its_text_not_a_headline(tmp_path: Path) -> None:
    line = (
        "The fictional Quenby ferry will keep its fares for another year, the operator said on "
        "Monday, after a summer in which the number of passengers rose by a fifth."
    )
    (tmp_path / "ferry.txt").write_text(line + "\n", encoding="utf-8")
    (article,) = load_path(tmp_path / "ferry.txt").articles
    assert article.text == line and article.title == ""


def test_one_bad_file_does_not_stop_the_rest(tmp_path: Path) -> None:
    for name, (data, _) in BAD.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "zz-good.txt").write_text("Good title\n\nGood body.")
    result = load_path(tmp_path)
    assert [a.title for a in result.articles] == ["Good title"]
    assert len(result.skipped) == len(BAD)


# --- text details ----------------------------------------------------------------------------


def test_front_matter_details(tmp_path: Path) -> None:
    no_title = tmp_path / "a.md"
    no_title.write_text("---\nsource: www.example-times.example\n---\n\n# From heading\n\nBody.")
    art = load_one(no_title)
    assert isinstance(art, Article)
    assert (art.title, art.source, art.text) == ("From heading", "example-times.example", "Body.")
    rule = tmp_path / "b.md"  # a leading horizontal rule is not front matter
    rule.write_text("---\n\nSetext title\n============\n\nBody text.")
    art = load_one(rule)
    assert isinstance(art, Article) and (art.title, art.text) == ("Setext title", "Body text.")
    setext = tmp_path / "c.md"
    setext.write_text("Setext title\n============\n\nBody text.\r\nMore.\n")
    art = load_one(setext)
    assert isinstance(art, Article)
    assert (art.title, art.text) == ("Setext title", "Body text.\nMore.")
    crlf = tmp_path / "e.md"
    crlf.write_bytes(b"---\r\ntitle: Windows file\r\nsource: Reuters\r\n---\r\n\r\nLine one.\r\n")
    art = load_one(crlf)
    assert isinstance(art, Article)
    assert (art.title, art.source, art.text) == ("Windows file", "Reuters", "Line one.")
    literal = tmp_path / "d.txt"  # values are kept as written, not YAML-typed
    literal.write_text("---\ntitle: No\npublished: not a date\n---\nBody.")
    art = load_one(literal)
    assert isinstance(art, Article) and (art.title, art.published) == ("No", None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-11-27T08:45:59+00:00", datetime(2023, 11, 27, 8, 45, 59, tzinfo=UTC)),
        ("2023-11-27T08:45:59Z", datetime(2023, 11, 27, 8, 45, 59, tzinfo=UTC)),
        ("2023-11-27", datetime(2023, 11, 27)),
        ("Mon, 27 Nov 2023 03:45:59 EST", datetime(2023, 11, 27, 3, 45, 59, tzinfo=tz(-5))),
        ("Mon, 27 Nov 2023 08:45:59 GMT", datetime(2023, 11, 27, 8, 45, 59, tzinfo=UTC)),
        ("November 27, 2023 3:45 PM PST", datetime(2023, 11, 27, 15, 45, tzinfo=tz(-8))),
        ("27 Nov 2023", datetime(2023, 11, 27)),
        (1701074759, datetime(2023, 11, 27, 8, 45, 59, tzinfo=UTC)),
        ("1701074759000", datetime(2023, 11, 27, 8, 45, 59, tzinfo=UTC)),
        ("November 2023", None),  # no day: not guessed
        ("yesterday-ish", None),
        ("", None),
        (None, None),
        (True, None),
        (["2023-11-27"], None),
    ],
)
def test_parse_date(value: object, expected: datetime | None) -> None:
    got = parse_date(value)
    assert got == expected
    if expected is not None and got is not None:
        assert (got.tzinfo is None) == (expected.tzinfo is None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("www.foxnews.com", "foxnews.com"),
        ("https://www.reuters.com/world/", "reuters.com"),
        ("BBC.co.uk", "bbc.co.uk"),
        ("Reuters", "Reuters"),
        ("The Verge", "The Verge"),
    ],
)
def test_outlet_name(value: str, expected: str) -> None:
    assert outlet_name(value) == expected


# --- save_articles ---------------------------------------------------------------------------


def test_save_round_trips_through_the_markdown_loader(tmp_path: Path) -> None:
    originals = load_path(CORPUS).articles
    extra = [
        Article(title="", text="No title, no metadata.\n\nSource: not an outlet here"),
        Article(title="Title: with: colons", text="---\nLooks like front matter.", author="Ö Ünal"),
        Article(title="No", text="Yes.", published=datetime(2024, 1, 1, 12, 30)),
        # a date that could not be read stays as written, so the update still says so
        Article(title="Strike ends", text="Trams run again.", unread_date="31 Feb 2024"),
    ]
    originals += extra
    paths = save_articles(originals, tmp_path / "saved")
    assert len(paths) == len(originals) == len(set(paths))
    reloaded = {a.origin: a for a in load_path(tmp_path / "saved").articles}
    for original, path in zip(originals, paths, strict=True):
        again = reloaded[str(path)]
        assert again == dataclasses.replace(original, origin=str(path))
        assert again.content_hash == original.content_hash


def test_save_filenames_and_no_rewrites(tmp_path: Path) -> None:
    art = Article(
        title="Owls return to the old mill — at Brackwater!",
        text="Body.",
        published=datetime(2024, 4, 2, 7, tzinfo=tz(1)),
        url="https://fenland-star.example/owls",
    )
    undated = Article(title="", text="Body two.")
    first = save_articles([art, undated], tmp_path)
    assert [p.name for p in first] == [
        f"2024-04-02-owls-return-to-the-old-mill-at-brackwater-{art.id[:8]}.md",
        f"undated-untitled-{undated.id[:8]}.md",
    ]
    text = first[0].read_text()
    assert text.startswith("---\ntitle: ") and "author" not in text and "source" not in text
    before = [p.stat().st_mtime_ns for p in first]
    os.utime(first[0], ns=(1, 1))
    assert save_articles([art, undated], tmp_path) == first
    assert first[0].stat().st_mtime_ns == 1  # identical content: not rewritten
    assert first[1].stat().st_mtime_ns == before[1]
    changed = dataclasses.replace(art, text="Corrected body.")
    save_articles([changed], tmp_path)
    assert "Corrected body." in first[0].read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in first)
    # the page corrected under a new headline (and shorter): the new file replaces the old one,
    # which would otherwise be indexed as the longer of two copies of one URL
    retitled = dataclasses.replace(art, title="Owls back at Brackwater mill", text="Short.")
    (renamed,) = save_articles([retitled], tmp_path)
    assert not first[0].exists() and renamed.read_text().endswith("Short.\n")
    # another article whose file name happens to end the same is left alone
    namesake = tmp_path / f"2024-01-01-something-else-{art.id[:8]}.md"
    namesake.write_text("---\ntitle: Something else\n---\n\nOther body.\n", encoding="utf-8")
    save_articles([dataclasses.replace(retitled, text="Shorter.")], tmp_path)
    assert namesake.exists() and renamed.read_text().endswith("Shorter.\n")
    # fetched again from a page without the date (and outlet) its feed gave: they stay
    sourced = dataclasses.replace(retitled, text="Shorter.", source="Fenland Star")
    (dated,) = save_articles([sourced], tmp_path)
    bare = dataclasses.replace(sourced, published=None, source="")
    assert save_articles([bare], tmp_path) == [dated] and dated.name.startswith("2024-04-02-")
    assert "source: Fenland Star" in dated.read_text()


# --- the MultiHop-RAG corpus, when present ----------------------------------------------------


def test_multihop_rag_corpus_loads_as_is() -> None:
    if not MULTIHOP.exists():
        pytest.skip(
            f"{MULTIHOP} is absent: put MultiHop-RAG's corpus.json (github yixuantt/MultiHop-RAG,"
            " dataset/corpus.json) in shared/benchmarks/multihop-rag/ beside the repository"
        )
    result = load_path(MULTIHOP)
    assert result.skipped == []
    assert len(result.articles) == 609
    assert len({a.id for a in result.articles}) == 609
    first = result.articles[0]
    assert first.title == "200+ of the best deals from Amazon's Cyber Monday sale"
    assert first.source == "Mashable"
    assert first.published == datetime(2023, 11, 27, 8, 45, 59, tzinfo=UTC)
    assert first.url == "https://mashable.com/article/cyber-monday-deals-amazon-2023"
    assert first.origin == f"{MULTIHOP}#0"
    assert all(a.published is not None and a.text and a.source for a in result.articles)


def test_lone_surrogates_and_control_characters_are_cleaned_not_fatal(tmp_path: Path) -> None:
    """A JSON "\\ud800" escape (valid JSON, no valid text) failed the whole update when the
    article was hashed; a title's terminal escape sequence reached the CLI's output."""
    (tmp_path / "odd.json").write_text(
        '[{"title": "Surrogate story \\ud800", "body": "The fictional mill reopened on '
        'Monday after repairs, its owner said."}, {"title": "Harbour \\u001b]0;pwned\\u0007 '
        'news", "body": "The fictional ferry\\u0000 runs again from the harbour, the operator '
        'said on Friday."}]',
        encoding="utf-8",
    )
    result = load_path(tmp_path)
    assert [a.title for a in result.articles] == ["Surrogate story \ufffd", "Harbour ]0;pwned news"]
    assert "\x00" not in result.articles[1].text
    for article in result.articles:
        assert article.content_hash  # encodable


def test_the_benchmarks_scaled_copies_are_each_an_article(tmp_path: Path) -> None:
    """benchmarks/scaled.py makes a larger corpus of disguised copies; every copy must be an
    article of its own. "?copy=k" appended to "…?ref=rss" (a tracking parameter) or after a
    fragment was dropped with them from the article id, so those copies were read as one
    article (a corrected version of it), and a record without a URL got the same made-up URL
    as every other of its copy."""
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "scaled.py"
    spec = importlib.util.spec_from_file_location("scaled", path)
    assert spec is not None and spec.loader is not None
    scaled = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scaled)
    body = " ".join(f"The harbour board met for the {n}th time on night shifts." for n in range(9))
    urls = ["https://a.example/1?ref=rss", "https://b.example/2#utm_source=RSS", "", ""]
    records = [
        {"title": f"Story {i}", "body": f"Story {i}. {body}", "source": "Wire", "url": url}
        for i, url in enumerate(urls)
    ]
    folder = scaled.scaled_corpus(records, 3, tmp_path / "scaled")
    articles = load_path(folder).articles
    assert len(articles) == 12 and len({a.id for a in articles}) == 12
    assert {a.url for a in articles if "b.example" in a.url} == {
        "https://b.example/2?copy=0#utm_source=RSS",
        "https://b.example/2?copy=1#utm_source=RSS",
        "https://b.example/2?copy=2#utm_source=RSS",
    }
