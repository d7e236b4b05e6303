"""The Gradio page: a thin layer over `NewsQA` (no retrieval or answering logic of its own)."""

from newsqa.web.page import build_page
from newsqa.web.render import answer_markdown, sources_html, status_markdown
from newsqa.web.serve import launch

__all__ = ["answer_markdown", "build_page", "launch", "sources_html", "status_markdown"]
