"""Errors a user can act on.

Each carries what the CLI needs to print one clear line and pick an exit
code; nothing here is for programming mistakes, which stay tracebacks.
"""

from __future__ import annotations

from pathlib import Path


class PublisherError(Exception):
    """Base of every error the CLI reports as one line instead of a traceback."""

    exit_code = 1


class InputError(PublisherError):
    """Something in the input (a seed file, the configuration) is wrong.

    The message always names the file and, where known, the line: an editor
    should be able to open the file at that line and fix it.
    """

    def __init__(self, path: Path | str, line: int | None, reason: str) -> None:
        self.path = str(path)
        self.line = line
        self.reason = reason
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {reason}")

    def __reduce__(self) -> tuple[type[InputError], tuple[str, int | None, str]]:
        """Pickled as its three parts (the parsing workers send errors back), not as its message."""
        return type(self), (self.path, self.line, self.reason)

    def __eq__(self, other: object) -> bool:
        """Equal when it says the same thing of the same place: a worker's error is the one made here."""
        return type(other) is type(self) and self.__reduce__() == other.__reduce__()

    def __hash__(self) -> int:
        return hash(self.__reduce__()[1])


class ConfigError(InputError):
    """A bad configuration file or value."""


class StateError(PublisherError):
    """The state store cannot be read or written; says how to rebuild it."""


EX_TEMPFAIL = 75
"""sysexits.h: a temporary failure; cron should simply try again later."""

EX_REFUSED = 3
"""`send`: the server refused some recipients for good (the others have the digest); a re-run will not help."""


class LockBusy(PublisherError):
    """Another build holds the lock; cron should simply try again later."""

    exit_code = EX_TEMPFAIL
