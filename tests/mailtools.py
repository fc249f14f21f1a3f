"""Helpers shared by the email digest tests: seeds of excerpts, configuration, parsing, tools."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from .conftest import ROOT

VNU_JAR = ROOT / ".tools" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# The teaser the mail tests look for in both parts: a CJK name and curly quotes.
UNICODE_TEASER = (
    "Deputy Minister Francois Wu (吳志中) said the visit was “a quiet step” and that Taiwan’s "
    "ties with Israel would grow, while officials in Taipei insisted the trip had been planned…"
)


def excerpts(count: int, *, start: int = 0, words: int = 40) -> str:
    """A text dump of `count` teaser excerpts (each cut off mid-sentence), separated by `---`."""
    pieces = []
    for n in range(start, start + count):
        body = " ".join(f"word{n}x{w}" for w in range(words))
        pieces.append(f"Report number {n} on the harbour works: {body} and then the council decided to…")
    return "\n---\n".join(pieces) + "\n"


def write_config(project: Path, text: str) -> None:
    """A `publisher.toml` holding `text` (TOML), in the project folder."""
    (project / "publisher.toml").write_text(text, encoding="utf-8")


def parse_message(data: bytes) -> EmailMessage:
    return message_from_bytes(data, policy=policy.default)  # type: ignore[return-value]


def html_part(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert part is not None
    return str(part.get_content())


def text_part(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())
