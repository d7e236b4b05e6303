"""The `newsqa` command through Typer's runner, with the real model and an embedded Chroma."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import FIXTURES, imported_after
from typer.testing import CliRunner

from newsqa import NewsQA
from newsqa.cli import app
from newsqa.corpus.text import LINK_LIST

runner = CliRunner()


@pytest.fixture(params=["options", "environment"])
def invoke(request: pytest.FixtureRequest, tmp_path: Path, corpus_dir: Path):
    """Run the CLI with the index and corpus given as options or as NEWSQA_* variables."""
    index = tmp_path / "index"

    def run(*args: str, ok: bool = True):
        if request.param == "options":
            result = runner.invoke(
                app, ["--index", str(index), "--corpus-dir", str(corpus_dir), *args]
            )
        else:
            env = {"NEWSQA_INDEX": str(index), "NEWSQA_CORPUS": str(corpus_dir)}
            result = runner.invoke(app, list(args), env=env)
        if ok:
            assert result.exit_code == 0, result.output
        return result

    return run


def test_update_stats_search_rebuild(invoke) -> None:
    report = json.loads(invoke("index", "update", "--json").stdout)
    assert report["articles"]["added"] == 5
    assert report["chunks"]["embedded"] == report["chunks"]["added"] > 0
    assert report["duplicates"][0]["origin"].endswith("duplicate-of-harbour.md")

    text = invoke("index", "update").stdout
    assert "added 0, changed 0, removed 0, unchanged 5" in text
    assert f"added 0, removed 0, unchanged {report['chunks']['added']} (0 embedded)" in text

    stats = json.loads(invoke("index", "stats", "--json").stdout)
    assert stats["articles"] == 4 and stats["syndicated_copies"] == 1
    assert stats["outlets"]["Alpine Wire"] == 2
    assert "Metro Ledger" in invoke("index", "stats").stdout

    found = json.loads(invoke("search", "night buses", "--json", "-k", "2").stdout)
    top = found["hits"][0]
    assert top["article"]["title"] == "City council approves night bus network"
    assert top["article"]["author"] == "Ruth Okafor, Dan Pryce"
    assert top["article"]["published"].startswith("2024-05-15")
    filtered = json.loads(
        invoke(
            "search", "night buses", "--json", "-s", "Alpine Wire", "--until", "2024-03-01"
        ).stdout
    )
    assert {h["article"]["title"] for h in filtered["hits"]} == {
        "Glacier railway reopens after avalanche repairs"
    }
    assert (
        "[1] City council approves night bus network — Metro Ledger, 2024-05-15"
        in invoke("search", "night buses").stdout
    )

    rebuilt = json.loads(invoke("index", "rebuild", "--json").stdout)
    assert rebuilt["mode"] == "rebuild" and rebuilt["articles"]["added"] == 5


def test_clear_errors_without_tracebacks(invoke, corpus_dir: Path) -> None:
    missing = invoke("search", "harbour", ok=False)
    assert missing.exit_code == 1
    assert "newsqa index update" in missing.output and "Traceback" not in missing.output
    assert invoke("index", "stats", ok=False).exit_code == 1

    (corpus_dir / "broken.json").write_text("{not json", encoding="utf-8")
    text = invoke("index", "update").stdout
    assert "skipped: 1" in text and "broken.json: malformed JSON" in text
    nowhere = corpus_dir.parent / "nowhere"
    for command in ("update", "rebuild"):
        typo = invoke("index", command, "--corpus", str(nowhere), ok=False)
        assert typo.exit_code == 1 and "Traceback" not in typo.output
        assert f"No such file or folder: {nowhere}. The index was left as it was." in typo.output
    assert "articles   4 " in invoke("index", "stats").stdout

    bad_date = invoke("search", "harbour", "--since", "someday", ok=False)
    assert bad_date.exit_code == 1 and "Not a date" in bad_date.output


def test_a_missing_index_is_named_by_its_path_and_exits_1_in_json_too(
    tmp_path: Path, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    said = "No index in ./index yet. Build it with `newsqa index update` (reads ./corpus)."
    text = runner.invoke(app, ["--index", "index", "--corpus-dir", "corpus", "index", "stats"])
    assert text.exit_code == 1 and text.stdout.strip() == said
    as_json = runner.invoke(app, ["--index", "index", "index", "stats", "--json"])
    assert as_json.exit_code == 1
    out = json.loads(as_json.stdout)
    assert out["exists"] is False and out["error"].startswith("No index in ./index yet.")
    absolute = runner.invoke(app, ["--index", str(tmp_path / "none"), "search", "harbour"])
    assert f"No index in {tmp_path / 'none'} yet." in absolute.output
    # an index "folder" that is a file is said so (an update said "[Errno 17] File exists", the
    # stats "No index yet" with a command to build it that failed)
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    for command in (["index", "update"], ["index", "stats"], ["search", "harbour"]):
        said = runner.invoke(app, ["--index", str(tmp_path / "notes.txt"), *command])
        assert said.exit_code == 1 and "is a file: name a folder instead." in said.output
    # the command to build it names the folders it would not take by itself
    assert f"`newsqa --index {tmp_path / 'none'} index update`" in absolute.output
    one = tmp_path / "one"
    one.mkdir()
    (one / "story.md").write_text(
        "Harbour reopens\n\nThe fictional harbour reopened on Monday.\n", encoding="utf-8"
    )
    built = runner.invoke(app, ["--index", "index", "--corpus-dir", str(one), "index", "update"])
    assert built.exit_code == 0 and built.stdout.startswith("update: 1 article read in ")


def test_an_index_path_that_is_a_file_is_one_clear_error(tmp_path: Path, corpus_dir: Path) -> None:
    (tmp_path / "index").write_text("not a folder", encoding="utf-8")
    args = ["--index", str(tmp_path / "index"), "--corpus-dir", str(corpus_dir), "index", "update"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "index is a file: name a folder instead." in result.output


def test_an_update_of_a_corpus_with_no_article_file_says_where_to_put_them(
    tmp_path: Path,
) -> None:
    """The first command after deleting the default corpus to start from one's own articles:
    "update: 0 articles read … added 0" and exit 0, with nothing said of why."""
    empty = tmp_path / "my-articles"
    empty.mkdir()
    (empty / "README.md").write_text("My articles go here.\n", encoding="utf-8")
    args = ["--index", str(tmp_path / "index"), "--corpus-dir", str(empty), "index", "update"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert f"no article files in {empty}: put articles there" in result.output
    # a corpus whose files were all skipped says why each was, and not this
    (empty / "broken.json").write_text("{not json", encoding="utf-8")
    result = runner.invoke(app, args)
    assert "malformed JSON" in result.output and "no article files" not in result.output


def test_an_article_far_longer_than_any_news_article_is_indexed_with_a_warning(
    invoke, corpus_dir: Path
) -> None:
    """A 10 MB page became one article of ~10,000 chunks, and nothing said so."""
    paragraph = (
        "The fictional Gullrock council met again on Monday to discuss the harbour wall, the "
        "ferry timetable and the budget for the coming year, its clerk said.\n\n"
    )
    big = corpus_dir / "minutes.txt"
    big.write_text("Gullrock council minutes\n\n" + paragraph * 1400, encoding="utf-8")
    length = len((paragraph * 1400).strip())
    assert length > 200_000
    report = json.loads(invoke("index", "update", "--json").stdout)
    assert report["articles"]["added"] == 6  # the fixture's five, and this one: indexed
    assert report["warnings"] == [
        {
            "origin": str(big),
            "reason": f"{length:,} characters, far longer than a news article (over 200,000): "
            "many pages or articles in one? Indexed whole",
        }
    ]
    assert f"{big}: {length:,} characters" in invoke("index", "update").stdout


def test_ingest_local_file(invoke, corpus_dir: Path, tmp_path: Path) -> None:
    invoke("index", "update")
    outside = tmp_path / "elsewhere.md"
    outside.write_text(
        "---\ntitle: Lighthouse keeper retires after forty years\nsource: Coast Bulletin\n"
        "published: 2024-06-01\n---\n\nThe keeper of the fictional Gullrock lighthouse retired on "
        "Friday after forty years of service. She said she would miss the storms most of all.\n",
        encoding="utf-8",
    )
    outside.chmod(0o600)  # as a page upload's temporary file is: the copy is the corpus's own
    out = json.loads(invoke("ingest", str(outside), "--json").stdout)
    assert out["articles"] == 1 and (corpus_dir / "elsewhere.md").exists()
    (corpus_dir / "probe").write_text("")  # a file made there, with the user's umask
    mode = (corpus_dir / "probe").stat().st_mode
    (corpus_dir / "probe").unlink()
    assert (corpus_dir / "elsewhere.md").stat().st_mode == mode
    assert (corpus_dir / "elsewhere.md").stat().st_mtime == outside.stat().st_mtime
    assert out["update"]["articles"]["added"] == 1
    hits = json.loads(invoke("search", "lighthouse keeper", "--json").stdout)["hits"]
    assert hits[0]["article"]["source"] == "Coast Bulletin"

    # a file named like one in the corpus, with other articles: both kept, nothing overwritten
    (tmp_path / "other").mkdir()
    namesake = tmp_path / "other" / "wire.json"
    namesake.write_text(
        '[{"title": "Sheep count rises", "source": "Coast Bulletin", "body": "The fictional '
        'island of Gullrock now counts 2,600 sheep, a record, the farmers said on Monday."}]',
        encoding="utf-8",
    )
    original = (corpus_dir / "wire.json").read_bytes()
    for _ in range(2):  # the second time: already there, not copied again
        out = json.loads(invoke("ingest", str(namesake), "--json").stdout)
        assert (corpus_dir / "wire.json").read_bytes() == original
        assert (corpus_dir / "wire-2.json").read_bytes() == namesake.read_bytes()
        assert out["update"]["articles"]["removed"] == 0
    assert not (corpus_dir / "wire-3.json").exists()
    # and said so, by its name in the corpus: given with a new file, it went unmentioned ("read
    # 2 article(s); wrote 1 file(s)", no word of the other)
    fresh = tmp_path / "other" / "gull.md"
    fresh.write_text(
        "---\ntitle: Gull colony grows\nsource: Coast Bulletin\n---\n\nThe gull colony on the "
        "fictional island of Gullrock grew to 900 pairs this spring, wardens said.\n",
        encoding="utf-8",
    )
    out = json.loads(invoke("ingest", str(namesake), str(fresh), "--json").stdout)
    assert out["written"] == [str(corpus_dir / "gull.md")]
    assert out["skipped"] == [
        {"origin": str(namesake), "reason": "already in the corpus as wire-2.json"}
    ]
    for query, title in (("sheep Gullrock", "Sheep count rises"), ("plum harvest", "Orchard")):
        hits = json.loads(invoke("search", query, "--json", "-k", "1").stdout)["hits"]
        assert hits[0]["article"]["title"].startswith(title)


def test_ingest_takes_articles_only_and_a_corrected_file_replaces_its_older_version(
    invoke, corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    invoke("index", "update")
    drop = tmp_path / "drop"
    (drop / ".git").mkdir(parents=True)
    (drop / ".git" / "config").write_text("[core]\n", "utf-8")
    (drop / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    (drop / ".env").write_text("TOKEN=secret\n", "utf-8")
    story = drop / "keeper.md"

    def write(years: str) -> None:
        story.write_text(
            "---\ntitle: Lighthouse keeper retires\nsource: Coast Bulletin\nurl: "
            "https://coast.example/keeper\npublished: 2024-06-01\n---\n\nThe keeper of the "
            f"fictional Gullrock lighthouse retired on Friday after {years} years of service.\n",
            encoding="utf-8",
        )

    write("forty-one")
    out = json.loads(invoke("ingest", str(drop), "--json").stdout)
    # only the file that gave an article is copied: no hidden, unsupported or binary files
    assert sorted(p.name for p in (corpus_dir / "drop").rglob("*")) == ["keeper.md"]
    assert out["written"] == [str(corpus_dir / "drop" / "keeper.md")]
    again = json.loads(invoke("ingest", str(drop), "--json").stdout)
    assert again["written"] == [] and again["update"]["articles"]["added"] == 0
    # the file alone (ingested with its folder before): in the corpus already, not copied
    alone = json.loads(invoke("ingest", str(story), "--json").stdout)
    assert alone["written"] == [] and not (corpus_dir / "keeper.md").exists()
    write("forty")  # corrected: the same article (same URL), a new version of the file
    fixed = json.loads(invoke("ingest", str(drop), "--json").stdout)
    assert fixed["written"] == [str(corpus_dir / "drop" / "keeper.md")]
    assert not (corpus_dir / "drop" / "keeper-2.md").exists()
    assert fixed["update"]["articles"]["changed"] == 1
    hit = json.loads(invoke("search", "Gullrock keeper retired", "--json", "-k", "1").stdout)
    assert "after forty years" in hit["hits"][0]["text"]
    # corrected again, from another folder and alone: the folder's copy is the one replaced
    (tmp_path / "fix").mkdir()
    (tmp_path / "fix" / "keeper.md").write_text(
        story.read_text("utf-8").replace("forty years", "thirty-nine years"), "utf-8"
    )
    moved = json.loads(invoke("ingest", str(tmp_path / "fix" / "keeper.md"), "--json").stdout)
    assert moved["written"] == [str(corpus_dir / "drop" / "keeper.md")]
    assert not (corpus_dir / "keeper.md").exists() and moved["update"]["articles"]["changed"] == 1
    assert "thirty-nine" in (corpus_dir / "drop" / "keeper.md").read_text("utf-8")
    # without a URL the title says it is the same article: replaced too, not kept beside it
    note = tmp_path / "single" / "wind.md"
    note.parent.mkdir()
    for mw in (95, 98):
        note.write_text(
            "---\ntitle: Orrin wind farm grows\nsource: Coast Bulletin\n---\n\nThe fictional "
            f"Orrin wind farm will add {mw} megawatts of turbines next spring, its owners said.\n",
            encoding="utf-8",
        )
        out = json.loads(invoke("ingest", str(note), "--json").stdout)
        assert out["written"] == [str(corpus_dir / "wind.md")]
    assert not (corpus_dir / "wind-2.md").exists() and "98 megawatts" in (
        corpus_dir / "wind.md"
    ).read_text("utf-8")
    # another day's article of the same title is another article: kept beside it
    for day, what in (("2024-03-01", "bridge budget"), ("2024-03-02", "water main repairs")):
        brief = tmp_path / day / "briefing.md"
        brief.parent.mkdir()
        brief.write_text(
            f"---\ntitle: Morning Briefing\nsource: Coast Bulletin\npublished: {day}\n---\n\n"
            f"The fictional Gullrock council spent the morning on the {what} and little else.\n",
            encoding="utf-8",
        )
        invoke("ingest", str(brief), "--json")
    assert "bridge budget" in (corpus_dir / "briefing.md").read_text("utf-8")
    assert "water main" in (corpus_dir / "briefing-2.md").read_text("utf-8")

    # "..": named by the folder it is, inside the corpus (it was written beside it, as "..")
    (tmp_path / "work" / "sub").mkdir(parents=True)
    (tmp_path / "work" / "keeper.md").write_text(
        story.read_text("utf-8")
        .replace("keeper retires", "keeper's deputy retires")
        .replace("coast.example/keeper", "coast.example/deputy"),
        "utf-8",
    )
    monkeypatch.chdir(tmp_path / "work" / "sub")
    up = json.loads(invoke("ingest", "..", "--no-update", "--json").stdout)
    assert up["written"] == [str(corpus_dir / "work" / "keeper.md")]
    assert not (corpus_dir.parent / "keeper.md").exists()

    # the corpus or index folder itself (".", an empty name), another scheme: refused, exit 1
    monkeypatch.chdir(corpus_dir.parent)
    before = sorted(p.relative_to(corpus_dir) for p in corpus_dir.rglob("*"))
    for target in (".", "", str(corpus_dir), "ftp://example.com/a.md", "file:///etc/hosts"):
        result = invoke("ingest", target, "--no-update", ok=False)
        assert result.exit_code == 1 and "skipped" in result.output, target
    assert sorted(p.relative_to(corpus_dir) for p in corpus_dir.rglob("*")) == before


def test_ingest_copies_a_repeated_file_once_so_that_a_correction_replaces_it(
    invoke, corpus_dir: Path, tmp_path: Path
) -> None:
    """Both copies were written; a correction replaced the one the index had read, and the
    stale one was indexed again beside it ("Sources differ")."""
    invoke("index", "update")
    drop = tmp_path / "a"
    (drop / "sub").mkdir(parents=True)
    story = (
        "Ferry fares frozen\n\nThe fictional Gullrock ferry will keep its fare at 4 pounds for "
        "another year, the operator said on Monday.\n"
    )
    for copy in (drop / "ferry.txt", drop / "sub" / "ferry.txt"):
        copy.write_text(story, encoding="utf-8")
    out = json.loads(invoke("ingest", str(drop), "--json").stdout)
    assert out["written"] == [str(corpus_dir / "a" / "ferry.txt")]
    assert out["skipped"] == [
        {
            "origin": str(drop / "sub" / "ferry.txt"),
            "reason": f"a duplicate of {drop / 'ferry.txt'}: not copied",
        }
    ]
    assert "a duplicate of" in invoke("ingest", str(drop), "--no-update").stdout
    fixed = tmp_path / "ferry.txt"
    fixed.write_text(story.replace("4 pounds", "5 pounds"), encoding="utf-8")
    invoke("ingest", str(fixed), "--json")
    ferries = list(corpus_dir.rglob("ferry*.txt"))
    assert ferries == [corpus_dir / "a" / "ferry.txt"]
    assert "5 pounds" in ferries[0].read_text("utf-8")
    hits = json.loads(invoke("search", "Gullrock ferry fare", "--json").stdout)["hits"]
    assert [h["article"]["title"] for h in hits].count("Ferry fares frozen") == 1


def test_ingest_while_the_index_is_busy_says_what_it_saved(
    invoke, corpus_dir: Path, tmp_path: Path
) -> None:
    invoke("index", "update")
    story = tmp_path / "ferry.md"
    story.write_text(
        "---\ntitle: Ferry fares frozen\nsource: Coast Bulletin\n---\n\nThe fictional "
        "Gullrock ferry will keep its fares for another year, the operator said on Monday.\n",
        encoding="utf-8",
    )
    with open(tmp_path / "index" / ".lock", "w") as lock:  # another process's update
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = invoke("ingest", str(story), ok=False)
        fcntl.flock(lock, fcntl.LOCK_UN)
    assert result.exit_code == 1 and "Another newsqa process is updating" in result.output
    assert "1 file(s) saved into" in result.output and (corpus_dir / "ferry.md").exists()
    assert json.loads(invoke("index", "update", "--json").stdout)["articles"]["added"] == 1


def test_ingest_passes_over_an_index_folder_as_one(
    invoke, corpus_dir: Path, tmp_path: Path
) -> None:
    """A project folder ingested whole, its own index inside: each of the index's files was
    listed as skipped ("unsupported file type '.bin'", ".sqlite", ".npz", "no extension")."""
    invoke("index", "update")
    project = tmp_path / "project"
    shutil.copytree(tmp_path / "index", project / "index")
    (project / "notes").mkdir()
    (project / "notes" / "gull.md").write_text(
        "---\ntitle: Gull colony grows\nsource: Coast Bulletin\n---\n\nThe gull colony on the "
        "fictional island of Gullrock grew to 900 pairs this spring, wardens said.\n",
        encoding="utf-8",
    )
    out = json.loads(invoke("ingest", str(project), "--json").stdout)
    assert out["written"] == [str(corpus_dir / "project" / "notes" / "gull.md")]
    assert out["skipped"] == [
        {"origin": str(project / "index"), "reason": "a newsqa index folder, not articles"}
    ]
    assert out["update"]["articles"]["added"] == 1


def test_ingest_into_an_index_on_a_read_only_folder_says_what_it_saved(
    invoke, corpus_dir: Path, tmp_path: Path
) -> None:
    """The update after the copy failed ("Read-only file system: 'index/.lock'") and the error
    said nothing of the file already copied into the corpus."""
    invoke("index", "update")
    story = tmp_path / "ferry.md"
    story.write_text(
        "---\ntitle: Ferry fares frozen\nsource: Coast Bulletin\n---\n\nThe fictional "
        "Gullrock ferry will keep its fares for another year, the operator said on Monday.\n",
        encoding="utf-8",
    )
    index = str(tmp_path / "index")
    if subprocess.run(["mount", "--bind", index, index], check=False).returncode != 0:
        pytest.skip("needs `mount --bind` (root in a container that allows it)")
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", index], check=True)
        result = invoke("ingest", str(story), ok=False)
    finally:
        subprocess.run(["umount", index], check=False)
    assert result.exit_code == 1 and "Read-only file system" in result.output
    assert "1 file(s) saved into" in result.output and (corpus_dir / "ferry.md").exists()
    assert json.loads(invoke("index", "update", "--json").stdout)["articles"]["added"] == 1


def test_ctrl_c_during_a_build_is_one_line_and_exit_130(
    invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C stands in as a KeyboardInterrupt raised by the build (a key press cannot be sent
    to the runner); the message was printed twice and the status was 1."""

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(NewsQA, "rebuild", interrupted)
    result = invoke("index", "rebuild", ok=False)
    assert result.exit_code == 130
    assert result.output.count("Error:") == 1 and "old index is live" in result.output


@pytest.fixture
def site() -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 serving fixture pages and an RSS feed linking to them."""
    handler = partial(SimpleHTTPRequestHandler, directory=str(FIXTURES / "loaders" / "site"))
    handler.log_message = lambda *a, **k: None  # type: ignore[attr-defined]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_ingest_feed_and_page_over_http(invoke, corpus_dir: Path, site: str) -> None:
    invoke("index", "update")
    out = json.loads(invoke("ingest", f"{site}/feed.xml", f"{site}/missing.html", "--json").stdout)
    assert out["articles"] >= 2
    assert all(Path(p).parent == corpus_dir / "ingested" for p in out["written"])
    reasons = {s["origin"]: s["reason"] for s in out["skipped"]}
    assert "404" in reasons[f"{site}/missing.html"]
    assert out["update"]["articles"]["added"] == out["articles"]
    stats = json.loads(invoke("index", "stats", "--json").stdout)
    assert stats["articles"] == 4 + out["articles"]
    # ingesting again writes nothing new and embeds nothing
    again = json.loads(invoke("ingest", f"{site}/feed.xml", "--json").stdout)
    assert again["update"]["chunks"]["embedded"] == 0 and again["written"] == []
    # no target gave an article: exit 1, and the JSON says so with the reasons
    failed = invoke("ingest", f"{site}/missing.html", "--json", ok=False)
    assert failed.exit_code == 1
    out = json.loads(failed.stdout)
    assert out["error"] == "No target gave an article; nothing was added."
    assert "404" in out["skipped"][0]["reason"] and out["articles"] == 0


def test_ingest_fetches_the_addresses_a_file_lists(
    invoke, corpus_dir: Path, site: str, tmp_path: Path
) -> None:
    """A file of addresses, one a line ("urls.txt"), was copied into the corpus and indexed as
    an article titled with its first address, its pages never fetched; in the corpus, it is
    skipped, saying what it is."""
    listed = tmp_path / "urls.txt"
    listed.write_text(f"# to read\n{site}/story-one.html\n\n{site}/story-two.html\n")
    out = json.loads(invoke("ingest", str(listed), "--json").stdout)
    assert out["articles"] == 2 and out["skipped"] == []
    assert all(Path(p).parent == corpus_dir / "ingested" for p in out["written"])
    assert not (corpus_dir / "urls.txt").exists()
    hits = json.loads(invoke("search", "owls", "--json").stdout)["hits"]
    titles = [h["article"]["title"] for h in hits]
    assert "Owls return to the old mill at Brackwater" in titles
    assert not any(t.startswith("http") for t in titles)
    (corpus_dir / "urls.txt").write_bytes(listed.read_bytes())
    update = json.loads(invoke("index", "update", "--json").stdout)
    assert {"origin": str(corpus_dir / "urls.txt"), "reason": LINK_LIST} in update["skipped"]
    assert update["articles"]["added"] == 0


def test_help_is_fast_and_light() -> None:
    """`newsqa --help` and `index stats` must not import the heavy libraries."""
    code = (
        "from newsqa.cli import app; from typer.testing import CliRunner;"
        "r = CliRunner().invoke(app, ['index', 'stats', '--json'])"
    )
    heavy = ["torch", "sentence_transformers", "chromadb", "gradio", "trafilatura", "httpx"]
    assert imported_after(code, heavy) == []  # (the last two: the loaders, 0.2 s of a start)
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("index", "search", "ingest", "serve"):
        assert command in result.stdout


@pytest.mark.parametrize(
    "command",
    [
        ["index", "stats"],
        ["index", "list"],
        ["search"],
        ["ask"],
        ["ingest"],
        ["serve"],
        ["eval", "retrieval"],
    ],
)
def test_help_shows_flags_as_flags_within_80_columns(command: list[str]) -> None:
    """`--json` and `--no-update` take no value: Typer's help must not show one (`<bool>`)."""
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    flags = [line for line in lines if "--json " in line or "--no-update " in line]
    assert flags and not [line for line in flags if "<bool>" in line]
    assert max(map(len, lines)) <= 80


def test_a_failure_with_json_is_json_too(invoke) -> None:
    """A script reading --json output gets JSON when the command fails as well."""
    for args in (("ask", "Who won?", "--json"), ("search", "harbour", "--json")):
        result = invoke(*args, ok=False)
        assert result.exit_code == 1
        error = json.loads(result.stdout)["error"]
        assert error.startswith("No index in") and "newsqa index update" in error
    for command, what in (("ask", "question"), ("search", "query")):  # refused before the index
        for text, wrong in (("", "is empty"), ("???", "has no words")):
            result = invoke(command, text, "--json", ok=False)
            assert result.exit_code == 1
            assert json.loads(result.stdout) == {
                "error": f"The {what} {wrong}: write what to ask, in quotes."
            }
    invoke("index", "update")
    result = invoke("search", "harbour", "--since", "someday", "--json", ok=False)
    assert result.exit_code == 1 and "Not a date" in json.loads(result.stdout)["error"]


def test_serve_refuses_a_port_in_use_or_a_bad_auth_before_indexing(
    tmp_path: Path, corpus_dir: Path
) -> None:
    """Said in one line, before the index is touched (Gradio's traceback came after the
    corpus had started indexing)."""
    import socket
    import subprocess
    import sys

    index = tmp_path / "index"
    base = ["--index", str(index), "--corpus-dir", str(corpus_dir)]
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = str(taken.getsockname()[1])
        out = runner.invoke(app, [*base, "serve", "--port", port])
    assert out.exit_code == 1 and f"Port {port} on 127.0.0.1 is in use" in out.stderr
    assert "--port N" in out.stderr and not index.exists()
    env = {**os.environ, "NEWSQA_INDEX": str(index), "NEWSQA_CORPUS": str(corpus_dir)}
    app_py = Path(__file__).resolve().parents[1] / "app.py"
    bad = subprocess.run(
        [sys.executable, str(app_py), "--auth", "nopass"], env=env, capture_output=True, text=True
    )
    assert bad.returncode == 1 and bad.stderr.strip() == "Error: --auth takes user:password"
    assert not index.exists()


def test_serve_refuses_a_port_out_of_range_before_indexing(
    tmp_path: Path, corpus_dir: Path
) -> None:
    """`--port 70000` (or -5, or NEWSQA_PORT=abc for app.py) was a traceback, from Gradio after
    the corpus had started indexing, from the socket library ("Servname not supported for
    ai_socktype") or from app.py's own int(): each is said in one line, before the index is
    touched. And `newsqa serve` takes NEWSQA_PORT, as its port-in-use message says to set."""
    import socket
    import subprocess
    import sys

    index = tmp_path / "index"
    base = ["--index", str(index), "--corpus-dir", str(corpus_dir)]
    for port in ("70000", "-5", "0"):
        out = runner.invoke(app, [*base, "serve", "--port", port])
        assert out.exit_code == 1, out.output
        assert out.stderr.strip() == f"Error: Port {port} is not a port number (1-65535).", (
            out.stderr
        )
    env = {**os.environ, "NEWSQA_INDEX": str(index), "NEWSQA_CORPUS": str(corpus_dir)}
    app_py = Path(__file__).resolve().parents[1] / "app.py"
    for args, port in ((["--port", "70000"], ""), ([], "abc")):
        bad = subprocess.run(
            [sys.executable, str(app_py), *args],
            env={**env, "NEWSQA_PORT": port} if port else env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        said = f"Port {port or '70000'} is not a port number (1-65535)."
        assert bad.returncode == 1 and bad.stderr.strip().endswith(said), bad.stderr
        assert "Traceback" not in bad.stderr
    assert not index.exists()
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = str(taken.getsockname()[1])
        out = runner.invoke(app, [*base, "serve"], env={"NEWSQA_PORT": port})
    assert out.exit_code == 1 and f"Port {port} on 127.0.0.1 is in use" in out.stderr


def test_the_options_of_newsqa_itself_are_taken_after_the_command(tmp_path: Path) -> None:
    """`newsqa index update --chroma-url URL` said "No such option": the index, corpus, model
    and Chroma options belong to `newsqa`, and are now taken wherever they stand (not after
    `--`, where a question may begin with one)."""
    import subprocess
    import sys

    from newsqa.cli import global_options_first

    assert global_options_first(["ask", "q", "--index", "i", "--json"]) == [
        "--index", "i", "ask", "q", "--json"
    ]  # fmt: skip
    assert global_options_first(["--model", "m", "index", "stats", "--chroma-url=u"]) == [
        "--model", "m", "--chroma-url=u", "index", "stats"
    ]  # fmt: skip
    assert global_options_first(["search", "--", "--index", "x"]) == [
        "search", "--", "--index", "x"
    ]  # fmt: skip
    nowhere = tmp_path / "nowhere"
    out = subprocess.run(
        [sys.executable, "-m", "newsqa.cli", "index", "stats", "--json", "--index", str(nowhere)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert out.returncode == 1 and json.loads(out.stdout)["path"] == str(nowhere)


def _many_articles(folder: Path, n: int) -> Path:
    """`n` distinct short articles, one file each: enough to embed for some seconds."""
    import random

    words = [f"{a}{b}" for a in ("har", "fer", "gra", "lum", "ost", "vel") for b in "aeiouy"]
    rng = random.Random(7)
    folder.mkdir()
    for i in range(n):
        body = " ".join(" ".join(rng.choice(words) for _ in range(12)) + "." for _ in range(40))
        (folder / f"story-{i:03d}.md").write_text(
            f"---\ntitle: Story {i}\nsource: Test Wire\npublished: 2024-01-{i % 28 + 1:02d}\n"
            f"---\n\nStory {i}. {body}\n",
            encoding="utf-8",
        )
    return folder


def _chunks_in(index: Path, generation: str) -> int:
    """The chunks committed to `generation`'s catalog."""
    import sqlite3

    db = sqlite3.connect(f"file:{index / generation / 'catalog.sqlite'}?mode=ro", uri=True)
    try:
        return int(db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])
    finally:
        db.close()


@pytest.mark.parametrize("command", ["rebuild", "ingest"])
def test_sigterm_ends_a_rebuild_or_an_ingest_as_ctrl_c_does(
    tmp_path: Path, corpus_dir: Path, command: str
) -> None:
    """`kill` (or `timeout`, a service stopped) mid-embedding: the process died at once, saying
    nothing, and a rebuild left its half-built generation in the index folder until the next
    update."""
    import signal
    import subprocess
    import sys
    import time

    index = tmp_path / "index"
    base = ["--index", str(index), "--corpus-dir", str(corpus_dir)]
    assert runner.invoke(app, [*base, "index", "update"]).exit_code == 0
    live = (index / "CURRENT").read_text().strip()
    initial = _chunks_in(index, live)
    more = _many_articles(tmp_path / "more", 150)
    if command == "rebuild":
        args = ["--index", str(index), "--corpus-dir", str(more), "index", "rebuild"]
    else:
        args = [*base, "ingest", str(more)]
    newsqa = str(Path(sys.executable).with_name("newsqa"))
    run = subprocess.Popen(
        [newsqa, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    # signalled mid-embedding: once a rebuild opened its new store, once an ingest committed
    # its first batch
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and run.poll() is None:
        if command == "rebuild" and any(g.parent.name != live for g in index.glob("g*/chroma")):
            break
        if command == "ingest" and _chunks_in(index, live) > initial:
            break
        time.sleep(0.05)
    run.send_signal(signal.SIGTERM)
    _, err = run.communicate(timeout=60)
    assert run.returncode == 130, err
    assert "Interrupted" in err and "Traceback" not in err
    assert (index / "CURRENT").read_text().strip() == live
    assert [p.name for p in index.iterdir() if p.is_dir()] == [live]  # nothing half-built left
    if command == "ingest":
        assert "`newsqa index update` indexes the rest" in err
        assert len(list((corpus_dir / "more").glob("*.md"))) == 150


def test_sources_are_linked_without_a_feeds_tracking_parameters(invoke, corpus_dir: Path) -> None:
    """A feed's item address carries where the reader came from ("?at_medium=RSS&at_campaign=…",
    "utm_source=rss", "ref=rss"): the sources listed show the page's address without them, while
    the JSON keeps the address as stored (it names the article in the index)."""
    tracked = (
        "https://news.example.org/ferry-strike?id=7&at_medium=RSS&at_campaign=KARANGA"
        "&ref=rss&utm_source=rss_world"
    )
    story = {
        "title": "Ferry crews strike over rosters",
        "source": "Harbour Times",
        "published_at": "2024-06-03T09:00:00Z",
        "url": tracked,
        "body": "Ferry crews on the Valdria crossing walked out on Monday over new rosters.\n"
        "The union said 140 crew members joined the strike and that talks would resume "
        "on Thursday.",
    }
    (corpus_dir / "ferry.json").write_text(json.dumps([story]), encoding="utf-8")
    invoke("index", "update")
    shown = invoke("search", "ferry crews strike", "-k", "1").stdout
    assert "    https://news.example.org/ferry-strike?id=7\n" in shown
    answered = invoke("ask", "Why did the ferry crews strike?").stdout
    assert "https://news.example.org/ferry-strike?id=7\n" in answered
    assert "at_medium" not in answered and "utm_source" not in answered
    found = json.loads(invoke("search", "ferry crews strike", "-k", "1", "--json").stdout)
    # (the loader drops "utm_" parameters from the address it stores; a feed's are kept)
    assert found["hits"][0]["article"]["url"].endswith(
        "?id=7&at_medium=RSS&at_campaign=KARANGA&ref=rss"
    )


def test_stats_count_the_articles_that_name_no_outlet_apart(invoke, corpus_dir: Path) -> None:
    """A plain text file names no outlet: `index stats` counts it apart from the outlets, which
    are what `--source` takes, and the page offers only those."""
    (corpus_dir / "ferry.txt").write_text(
        "Ferry strike ends\n\nFerry crews on the Valdria crossing returned to work on Monday "
        "after a three-day strike over rosters.\n",
        encoding="utf-8",
    )
    invoke("index", "update")
    stats = json.loads(invoke("index", "stats", "--json").stdout)
    named = [name for name in stats["outlets"] if name]
    assert stats["outlets"][""] == 1 and named
    text = invoke("index", "stats").stdout
    assert f"outlets    {len(named)} (+1 article naming none)\n" in text
    assert "(unknown)" not in text
    from newsqa import Settings
    from newsqa.web import status_markdown

    index = Path(stats["path"])
    qa = NewsQA(Settings(index_dir=index, corpus_dir=corpus_dir))
    assert qa.stats().named_outlets == named
    assert f" · {len(named)} outlets · " in status_markdown(qa.stats())
    qa.close()


def test_index_list_shows_the_articles_newest_first(invoke, corpus_dir: Path) -> None:
    """`newsqa index list`: a table of the indexed articles (date, outlet, title, file, and the
    outlets that carried a copy under its article), the count last; `--json` all of them."""
    invoke("index", "update")
    lines = invoke("index", "list").stdout.splitlines()
    assert lines[0].split() == ["date", "outlet", "title", "file"]
    assert lines[1].split("  ")[0] == "2024-09-22" and "record plum harvest" in lines[1]
    glacier = next(i for i, line in enumerate(lines) if "Glacier railway" in line)
    assert lines[glacier].startswith("2024-02-10  Alpine Wire ")
    assert lines[glacier].endswith("  wire.json")
    assert lines[glacier + 1].strip() == "also carried by Northern Herald"
    assert "valdria-harbour.md" in "".join(lines) and "duplicate-of-harbour" not in "".join(lines)
    assert lines[-1] == "4 articles"
    assert invoke("index", "list", "--limit", "2").stdout.splitlines()[-1] == (
        "4 articles; showing the newest 2: --limit 0 for all"
    )
    assert len(invoke("index", "list", "--limit", "0").stdout.splitlines()) == len(lines)
    herald = invoke("index", "list", "-s", "northern herald").stdout.splitlines()
    assert len(herald) == 4 and "Glacier railway" in herald[1]
    assert herald[-1] == "1 article matches the filters"
    assert "No article matches the filters." in invoke("index", "list", "--since", "2025").stdout

    printed = invoke("index", "list", "--json").stdout
    listed = json.loads(printed)
    from newsqa.cli import listing_json

    qa = NewsQA(index_dir=corpus_dir.parent / "index", corpus_dir=corpus_dir)
    for limit in (None, 1, 0):  # printed an article at a time, as one object would be
        listing = qa.articles(limit=limit)
        assert "".join(listing_json(listing)) == json.dumps(listing.to_dict(), indent=2)
    assert printed == "".join(listing_json(qa.articles())) + "\n"
    qa.close()
    assert listed["total"] == 4 and len(listed["articles"]) == 4
    first = listed["articles"][0]
    assert set(first) == {
        "id", "title", "source", "author", "published", "url", "link", "file", "chunks",
        "carried_by",
    }  # fmt: skip
    assert first["published"].startswith("2024-09-22") and first["file"] == "wire.json"
    assert [a["carried_by"] for a in listed["articles"]].count(["Northern Herald"]) == 1
    one = json.loads(invoke("index", "list", "--json", "--limit", "1", "--until", "2024-04").stdout)
    assert one["total"] == 2 and [a["title"] for a in one["articles"]] == [
        "Valdria harbour opens automated container terminal"
    ]

    unknown = invoke("index", "list", "-s", "Metro Leger", ok=False)
    assert unknown.exit_code == 1 and "did you mean 'Metro Ledger'" in unknown.output
    bad = json.loads(invoke("index", "list", "--json", "--since", "someday", ok=False).stdout)
    assert "Not a date" in bad["error"]


def test_index_list_without_an_index_exits_1(tmp_path: Path) -> None:
    """As `search` says it: the folder, and the command that builds it."""
    said = f"No index in {tmp_path / 'index'} yet. Build it with `newsqa index update` (reads "
    text = runner.invoke(app, ["--index", "index", "--corpus-dir", "corpus", "index", "list"])
    assert text.exit_code == 1 and text.output.startswith(f"Error: {said}")
    searched = runner.invoke(app, ["--index", "index", "--corpus-dir", "corpus", "search", "x"])
    assert text.output == searched.output and "Traceback" not in text.output
    as_json = runner.invoke(app, ["--index", "index", "index", "list", "--json"])
    assert as_json.exit_code == 1 and json.loads(as_json.stdout)["error"].startswith(said)


def test_index_list_cuts_long_titles_to_the_terminal() -> None:
    from newsqa.cli import article_table
    from newsqa.types import IndexedArticle

    long = "Harbour board names a new director after a year of disputes over the quay " * 2
    articles = [
        IndexedArticle(id="a", title=long, source="Metro Ledger", file="wire.json", chunks=3),
        IndexedArticle(id="b", title="Short", source="Alpine Wire", file="b.md", chunks=1),
        IndexedArticle(id="c", title="Copied", file="c.md", carried_by=("Valley Post",) * 9),
    ]
    lines = article_table(articles, width=80)
    assert max(map(len, lines)) == 80 and lines[1].endswith("…  wire.json")
    # the outlets of a copy under the title, cut to the line too
    column = lines[0].index("title")
    assert lines[-1].index("also carried by Valley Post, ") == column
    assert len(lines[-1]) == 80 and lines[-1].endswith("…")
    assert f"  {' '.join(long.split())}  wire.json" in article_table(articles)[1]  # no width


def test_remove_takes_a_file_out_of_the_corpus_and_its_articles_out_of_the_index(
    invoke, corpus_dir: Path, tmp_path: Path
) -> None:
    invoke("index", "update")
    listed = json.loads(invoke("index", "list", "--json").stdout)["articles"]
    harbour = next(a for a in listed if "harbour" in a["file"])
    # by its name as listed, relative to the corpus folder (run from elsewhere), with the
    # other file that holds the same article
    both = [harbour["file"], "duplicate-of-harbour.md"]
    out = json.loads(invoke("remove", *both, "--json").stdout)
    assert out["removed"] == both and out["skipped"] == []
    assert out["update"]["articles"]["removed"] == 1
    for name in both:
        assert not (corpus_dir / name).exists()
        assert (corpus_dir / ".removed" / name).is_file()  # kept, out of the corpus
    titles = [a["title"] for a in json.loads(invoke("index", "list", "--json").stdout)["articles"]]
    assert harbour["title"] not in titles
    # put back by moving it back
    shutil.move(corpus_dir / ".removed" / harbour["file"], corpus_dir / harbour["file"])
    assert "added 1" in invoke("index", "update").stdout

    # what is not a file of the corpus is left alone, said, and exit 1
    outside = tmp_path / "outside.md"
    outside.write_text("---\ntitle: x\n---\n\nText.\n", encoding="utf-8")
    failed = invoke("remove", str(outside), "missing.md", str(corpus_dir), ok=False)
    assert failed.exit_code == 1 and outside.exists()
    assert f"skipped {outside}: is not in the corpus folder" in failed.stdout
    assert "skipped missing.md: no such file in the corpus folder" in failed.stdout
    assert "is the corpus folder" in failed.stdout and "No file was removed" in failed.output
    # a second file of a name removed before is kept beside it
    (corpus_dir / "note.md").write_text("---\ntitle: Note one\n---\n\nOne.\n", encoding="utf-8")
    invoke("remove", str(corpus_dir / "note.md"), "--no-update")
    (corpus_dir / "note.md").write_text("---\ntitle: Note two\n---\n\nTwo.\n", encoding="utf-8")
    text = invoke("remove", str(corpus_dir / "note.md"), "--no-update").stdout
    assert "removed 1 file(s) from the corpus: note.md" in text
    assert (corpus_dir / ".removed" / "note-2.md").read_text().endswith("Two.\n")
