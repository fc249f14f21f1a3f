"""YAML front matter between `---` lines at the top of a file (the Jekyll/Hugo/Pelican convention)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

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
    error marks point at the line where the problem is (libyaml's point at the end).
    Front matter of the plainest kind is read without either (see `_plain_mapping`)."""
    simple = _plain_mapping(raw)
    if simple is not None:
        return simple
    try:
        return yaml.load(raw, Loader=_FAST_LOADER)
    except yaml.YAMLError:
        return yaml.safe_load(raw)


_KEY_VALUE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*): +(.*?) *")
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
"""Characters that mean something to YAML at the start of a plain scalar (and `,[]{}` within a flow one)."""
_STR = "tag:yaml.org,2002:str"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


def _plain_mapping(raw: str) -> dict[str, Any] | None:
    """What YAML makes of `raw` when every line of it is `key: value` of the plainest kind; None for anything
    else, which YAML itself then reads.

    Plain means: a key YAML reads as a string; a value that is a quoted
    string with no escapes and no quote inside, a plain scalar YAML reads as
    a string or a timestamp, or a flow list of plain strings; printable text
    only (no tab, no comment). YAML's own resolver says what a plain scalar
    is (`yes` is a boolean, `1_000` a number: both go to YAML), so what this
    returns is what YAML would (tests/test_front_matter.py holds the two
    side by side). libyaml took 101 µs on the benchmark corpus's four lines, mostly in PyYAML's
    constructors; this takes 32 µs, on every Markdown file of a build.
    """
    resolver = Resolver()
    mapping: dict[str, Any] = {}
    for line in raw.split("\n"):
        match = _KEY_VALUE.fullmatch(line)
        if match is None or not line.isprintable() or _tag(resolver, match[1]) != _STR:
            return None
        value = _plain_value(match[2], resolver)
        if value is None:
            return None
        mapping[match[1]] = value
    return mapping


def _plain_value(text: str, resolver: Resolver) -> Any:
    """The value of a plain `key: value` line as YAML reads it, or None when it is not that plain."""
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        inner = text[1:-1]
        return None if text[0] in inner or (text[0] == '"' and "\\" in inner) else inner
    if text.startswith("[") and text.endswith("]"):
        inner = text[1:-1].strip(" ")
        items = [item.strip(" ") for item in inner.split(",")] if inner else []
        flow = all(not _INDICATORS.intersection(item) and _scalar(item, resolver) == item for item in items)
        return items if flow else None
    return _scalar(text, resolver)


def _scalar(text: str, resolver: Resolver) -> Any:
    """A plain scalar YAML reads as a string or a timestamp (the string, or the date or datetime); else None."""
    if not text or text[0] in _INDICATORS or ": " in text or " #" in text or text.endswith(":"):
        return None
    tag = _tag(resolver, text)
    if tag == _STR:
        return text
    if tag == _TIMESTAMP:
        return SafeConstructor().construct_yaml_timestamp(ScalarNode(tag, text))
    return None


def _tag(resolver: Resolver, text: str) -> str:
    return str(resolver.resolve(ScalarNode, text, (True, False)))  # type: ignore[no-untyped-call]


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
