"""Start the newsqa web page on the default corpus: `python app.py [--host H] [--port N]
[--auth user:password]` (the same as `newsqa serve`).

Builds the index from corpus/ first when there is none. Settings come from NEWSQA_* environment
variables; NEWSQA_HOST / NEWSQA_PORT / NEWSQA_AUTH are the options' defaults."""

import argparse
import os
import sys

from newsqa.settings import Settings
from newsqa.web import launch

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Start the newsqa web page on corpus/.")
    parser.add_argument(
        "--host",
        default=os.environ.get("NEWSQA_HOST", "127.0.0.1"),
        help="address to listen on (default 127.0.0.1: this machine only)",
    )
    parser.add_argument(
        "--port", default=os.environ.get("NEWSQA_PORT", "7860"), help="default 7860"
    )
    parser.add_argument(
        "--auth",
        default=os.environ.get("NEWSQA_AUTH") or None,
        help="user:password the page asks for (set it with --host)",
    )
    args = parser.parse_args()
    try:
        if not args.port.strip().lstrip("+-").isdigit():  # (NEWSQA_PORT=abc, --port abc)
            raise ValueError(f"Port {args.port} is not a port number (1-65535).")
        launch(Settings.from_env(), host=args.host, port=int(args.port), auth=args.auth)
    except ValueError as exc:  # a port in use, --auth without a password, a bad NEWSQA_* value
        sys.exit(f"Error: {exc}")
