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


def test_page_answers_with_passages_and_sources(page_url: str) -> None:
    from gradio_client import Client

    html = httpx.get(page_url, timeout=30).text
    assert "newsqa" in html
    client = Client(page_url, verbose=False)
    history, box = client.predict("When did the glacier railway reopen?", [], [], api_name="/ask")
    assert box == ""
    reply = history[-1]["content"]
    reply = reply if isinstance(reply, str) else str(reply)
    assert "**[1]**" in reply and "Alpine Wire" in reply
    assert "https://alpinewire.example.com/glacier-railway-reopens" in reply
    history, _ = client.predict("night buses", [], ["Metro Ledger"], api_name="/ask")
    assert "Metro Ledger" in str(history[-1]["content"]) and "Alpine Wire" not in str(
        history[-1]["content"]
    )


def test_status_tells_how_to_build_a_missing_index(tmp_path) -> None:
    stats = NewsQA(Settings(index_dir=tmp_path / "none")).stats()
    assert "newsqa index update" in status_markdown(stats)
