"""Bytes to text: UTF-8 (with or without BOM), any line ending, nothing XML forbids.

Decoding errors name the line, column and byte offset because "invalid start
byte" alone does not tell an editor where the Windows-1252 quote was pasted.
Characters that XML 1.0 does not allow (control characters, lone surrogates,
U+FFFE/U+FFFF) are removed here, at the door, with a warning naming each
line: left in, they would crash the feed writer long after anyone could
tell where they came from.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from ..errors import ConfigError, InputError

XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Everything XML 1.0 does not allow: C0 controls but tab and newlines, lone surrogates, U+FFFE, U+FFFF.

Spelled as what is forbidden, not as the complement of what is allowed: the same characters, but
compiling the complement's ranges up to U+10FFFF took 5 ms, on every run (a no-op one too).

Defined here, at the door, and used by html.py too; not imported from there,
because every command checks --encoding with this module and a build with
nothing to do must not load cmark-gfm and nh3 for it.
"""
MAX_LINE_WARNINGS = 10
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def decode(data: bytes, path: Path | str, encoding: str = "utf-8") -> tuple[str, list[str]]:
    """The file's text (BOM removed, line endings `\\n`, XML-forbidden characters removed) and warnings."""
    text = _decode(data, path, encoding).replace("\r\n", "\n").replace("\r", "\n")
    return strip_forbidden(text, path)


def is_utf8(encoding: str) -> bool:
    return codecs.lookup(check_encoding(encoding)).name == "utf-8"


def check_encoding(encoding: str) -> str:
    """`encoding` if Python can decode bytes with it, else a ConfigError naming --encoding."""
    try:
        b"x".decode(encoding)
    except LookupError:
        raise ConfigError(
            "--encoding", None, f"{encoding!r} is not a text encoding Python knows (try utf-8 or cp1252)"
        ) from None
    except UnicodeDecodeError:
        pass  # a multi-byte encoding (utf-16) that one byte cannot complete: known all the same
    return encoding


def has_forbidden(text: str) -> bool:
    """Whether `text` holds a character XML forbids.

    Every such character is unprintable, as are the tab and the line breaks
    XML allows (tests/test_text_rules.py checks each one): text that is
    printable once its newlines are spaces holds none. Replacing the newlines
    and asking `str.isprintable()` took half the time of the search on a 5.5 KB
    HTML body (27 µs against 49 µs). Other text (a tab, a no-break space) is
    searched.
    """
    return not text.replace("\n", " ").isprintable() and XML_FORBIDDEN.search(text) is not None


def strip_forbidden(text: str, path: Path | str) -> tuple[str, list[str]]:
    """`text` without the characters XML forbids, and a warning for each line that had some."""
    if not has_forbidden(text):
        return text, []
    warnings: list[str] = []
    lines = [(n, XML_FORBIDDEN.findall(line)) for n, line in enumerate(text.split("\n"), 1)]
    hits = [(n, found) for n, found in lines if found]
    for number, found in hits[:MAX_LINE_WARNINGS]:
        codes = ", ".join(dict.fromkeys(f"U+{ord(c):04X}" for c in found))
        plural = "s" if len(found) > 1 else ""
        warnings.append(
            f"{path}:{number}: removed {len(found)} character{plural} XML does not allow ({codes})"
        )
    if len(hits) > MAX_LINE_WARNINGS:
        warnings.append(f"{path}: removed such characters on {len(hits) - MAX_LINE_WARNINGS} more lines")
    return XML_FORBIDDEN.sub("", text), warnings


def _decode(data: bytes, path: Path | str, encoding: str) -> str:
    utf8 = is_utf8(encoding)
    if utf8 and data.startswith(_UTF16_BOMS):
        raise InputError(
            path,
            1,
            "the file is UTF-16 (it starts with a UTF-16 byte order mark); "
            "save it as UTF-8, or pass --encoding utf-16",
        )
    codec = "utf-8-sig" if utf8 else encoding
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        name = "UTF-8" if utf8 else encoding
        raise InputError(path, line, _decode_problem(data, exc.start, codec, name)) from None


def _decode_problem(data: bytes, offset: int, codec: str, name: str) -> str:
    """What is wrong where, and the likely fix: most bad bytes in "UTF-8" files are Windows-1252 quotes."""
    byte = data[offset]
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode(codec, "replace")) + 1
    where = f"byte 0x{byte:02x} at offset {offset}, column {column}"
    guess = bytes([byte]).decode("cp1252", "ignore")
    if 0x80 <= byte <= 0x9F and guess:
        return (
            f"not valid {name} ({where}, which is {guess} in Windows-1252, pasted from a word processor?); "
            "retype that character, or if the whole file is Windows-1252, pass --encoding cp1252"
        )
    return f"not valid {name} ({where}); save the file as UTF-8, or name its encoding with --encoding (e.g. cp1252)"
