"""YAML front matter between `---` lines at the top of a file (the Jekyll/Hugo/Pelican convention)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from ..errors import InputError

FENCE = "---"
# libyaml's loader (same safe constructor, C parser) is ~10x faster; wheels ship it.
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def split_front_matter(
    text: str, path: Path | str, allowed: frozenset[str]
) -> tuple[dict[str, Any], str, int]:
    """Return (metadata, body, line number where the body starts).

    A file that does not open with `---` has no front matter. One that opens
    with `---` but never closes it, holds YAML that is not a mapping, or uses a
    key outside `allowed` is an error naming the line: silently treating the
    header as text would publish it.
    """
    lines = text.split("\n")
    if not lines or lines[0].strip() != FENCE:
        return {}, text, 1
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == FENCE)
    except StopIteration:
        raise InputError(path, 1, "front matter opened with '---' is never closed") from None
    raw = "\n".join(lines[1:end])
    try:
        meta = _load(raw) if raw.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or "bad YAML"
        raise InputError(path, line, f"front matter is not valid YAML: {problem}") from None
    if not isinstance(meta, dict):
        raise InputError(path, 2, "front matter must be a set of 'key: value' lines")
    unknown = sorted(str(k) for k in meta if k not in allowed)
    if unknown:
        line = _line_of(lines, unknown[0], end)
        raise InputError(
            path, line, f"unknown front matter key {unknown[0]!r} (known: {', '.join(sorted(allowed))})"
        )
    meta = {k: _plain(v) for k, v in meta.items()}
    meta["__lines__"] = {str(k): _line_of(lines, str(k), end) for k in meta}
    return meta, "\n".join(lines[end + 1 :]), end + 2


def _load(raw: str) -> Any:
    """YAML through libyaml; on an error, again through the pure-Python parser, whose
    error marks point at the line where the problem is (libyaml's point at the end)."""
    try:
        return yaml.load(raw, Loader=_FAST_LOADER)
    except yaml.YAMLError:
        return yaml.safe_load(raw)


def _plain(value: Any) -> Any:
    """YAML turns `date: 2026-01-02` into a date object; keep it as the text it was.

    One parser (ours) then handles every date, with one set of rules and
    error messages.
    """
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _line_of(lines: list[str], key: str, end: int) -> int:
    for i in range(1, end):
        if lines[i].lstrip().startswith(f"{key}:"):
            return i + 1
    return 1
