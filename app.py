"""Start the newsqa web page on the default corpus: `python app.py` (same as `newsqa serve`).

Builds the index from corpus/ first when there is none. Settings come from NEWSQA_* environment
variables; NEWSQA_HOST / NEWSQA_PORT / NEWSQA_AUTH (user:password) control the server."""

import os

from newsqa.settings import Settings
from newsqa.web import launch

if __name__ == "__main__":
    launch(
        Settings.from_env(),
        host=os.environ.get("NEWSQA_HOST", "127.0.0.1"),
        port=int(os.environ.get("NEWSQA_PORT", "7860")),
        auth=os.environ.get("NEWSQA_AUTH") or None,
    )
