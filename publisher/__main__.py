"""`python -m publisher` runs the command line (what tests use to run a real process)."""

from .cli import main

main()
