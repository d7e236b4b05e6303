"""`python -m newsqa.cli`: the `newsqa` command."""

from newsqa.cli import main

main()
