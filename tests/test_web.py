"""The minimal page: served for real by Gradio on 127.0.0.1 and driven through gradio_client."""

from __future__ import annotations

import httpx
import pytest
from conftest import CountingEmbedder

from newsqa import NewsQA, Settings
from newsqa.web import build_page, status_markdown


@pytest.fixture
def page_url(settings: Settings, counting: CountingEmbedder):
    qa = NewsQA(settings, embedder=counting)
    qa.update()
    page = build_page(qa)
    page.launch(server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True)
    try:
        yield page.local_url
    finally:
        page.close()


def test_page_answers_with_citations_and_sources(page_url: str) -> None:
    from gradio_client import Client

    html = httpx.get(page_url, timeout=30).text
    assert "newsqa" in html
    client = Client(page_url, verbose=False)
    history, box, sources = client.predict(
        "How much did the avalanche repairs on the Glacier Line cost?", [], [], api_name="/ask"
    )
    assert box == ""
    reply = str(history[-1]["content"])
    assert "48 million crowns" in reply and "[1]" in reply
    assert "**[1]**" in sources and "Alpine Wire" in sources
    assert "https://alpinewire.example.com/glacier-railway-reopens" in sources
    history, _, sources = client.predict(
        "How did the council vote on night buses?", [], ["Alpine Wire"], api_name="/ask"
    )
    assert "Metro Ledger" not in sources


def test_status_tells_how_to_build_a_missing_index(tmp_path) -> None:
    stats = NewsQA(Settings(index_dir=tmp_path / "none")).stats()
    assert "newsqa index update" in status_markdown(stats)
