"""Bytes to text: UTF-8 (with or without BOM), any line ending.

Decoding errors name the line and byte offset because "invalid start byte"
alone does not tell an editor where the Windows-1252 quote was pasted.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError


def decode(data: bytes, path: Path | str, encoding: str = "utf-8") -> str:
    """Return the file's text with the BOM removed and line endings made `\\n`."""
    try:
        text = data.decode("utf-8-sig" if encoding.lower() in ("utf-8", "utf8") else encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start : exc.start + 1].hex()
        raise InputError(
            path,
            line,
            f"not valid {encoding} (byte 0x{bad} at offset {exc.start}); "
            "save the file as UTF-8, or name its encoding with --encoding (e.g. cp1252)",
        ) from None
    except LookupError:
        raise InputError(path, None, f"unknown encoding {encoding!r}") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")
