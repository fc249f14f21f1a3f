"""`python -m publisher` and the `publisher` script: the command line, then an exit that skips the teardown.

When a command is done, every file and the state store are closed, every
thread has ended and its output only needs flushing. An interpreter that
then exits normally still frees every object and module it made, one by one:
40 ms of a 0.29 s no-op build, the run cron makes most often, and more
after a large one. `os._exit` skips that, once the output is flushed.
"""

from __future__ import annotations

import os
import sys

from .cli import main


def run() -> None:
    """Run the command line; exit with its status without tearing the interpreter down.

    Only a command that ended (click exits with `SystemExit`, whatever the
    outcome) exits so; an exception that escapes it is left to Python to report.
    """
    try:
        main()
    except SystemExit as stop:
        status = _status(stop.code)
    else:  # main() always exits; a future click that returns gets the same treatment
        status = 0
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # the reader went away (`publisher check | head`): as Python would, say it failed
        status = status or 120
    os._exit(status)


def _status(code: object) -> int:
    """A `SystemExit` code as the process's status, as the interpreter maps it (a message prints, and is 1)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


if __name__ == "__main__":
    run()
