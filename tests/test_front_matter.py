"""Front matter read without YAML's own loader when it is of the plainest kind: always what YAML makes of it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from publisher.sources.frontmatter import _plain_mapping

KEYS = ["title", "date", "author", "tags", "summary", "yes", "on", "null", "Off", "x_1", "a-b", "~"]
CHARACTERS = [*"aZé“—吳 0123456789", *":#'\"\\[],-_.~=<>&*!|%@`{}?TZ+/", "\t", "\xa0", "\u2028", "\ufeff"]
SCALARS = st.one_of(
    st.text(alphabet=st.sampled_from(CHARACTERS), max_size=12),
    st.sampled_from(["2026-01-02", "2026-01-02T08:30:00+01:00", "2026-01-02 08:30", "1_000", "0x1F", "1e3"]),
    st.sampled_from(["yes", "No", "null", "~", "=", "<<", ".inf", "12:30:00", "C#", "a #b", "Q&A: x", "[]"]),
)


def _value(text: str, shape: str) -> str:
    return {"plain": text, "double": f'"{text}"', "single": f"'{text}'", "list": f"[{text}, {text}]"}[shape]


LINES = st.builds(
    lambda key, text, shape, gap: f"{key}:{gap}{_value(text, shape)}",
    st.sampled_from(KEYS),
    SCALARS,
    st.sampled_from(["plain", "double", "single", "list"]),
    st.sampled_from([" ", "  ", ""]),
)


def _yaml(raw: str) -> Any:
    try:
        return yaml.load(raw, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return "an error"


@settings(max_examples=600)
@given(st.lists(LINES, min_size=1, max_size=4))
@example(["title: Q&A: x"])
@example(["title: yes"])
@example(["tags: [a, b,]"])
@example(['title: "a \\" b"'])
@example(["date: 2026-01-02 08:30"])
def test_plain_front_matter_is_read_as_yaml_reads_it(lines: list[str]) -> None:
    raw = "\n".join(lines)
    plain = _plain_mapping(raw)
    if plain is not None:  # read without YAML: it must be exactly what YAML reads
        assert plain == _yaml(raw)


@settings(max_examples=1000)
@given(LINES)
def test_a_plain_line_is_read_as_yaml_reads_it(line: str) -> None:
    """One line at a time, so that more of them are plain enough (most of several lines are not)."""
    plain = _plain_mapping(line)
    if plain is not None:
        assert plain == _yaml(line)


def test_the_front_matter_editors_write_is_read_without_yaml() -> None:
    raw = (
        'title: "The “Strait” — №1"\ndate: 2025-12-31T17:13:00+00:00\nauthor: Chloé Lefèvre\n'
        "tags: [china, energy]\nsummary: 'It said: \"no\"'\nupdated: 2026-01-02\nlink: https://example.org/a?b=c#d"
    )
    expected = {
        "title": "The “Strait” — №1",
        "date": dt.datetime(2025, 12, 31, 17, 13, tzinfo=dt.UTC),
        "author": "Chloé Lefèvre",
        "tags": ["china", "energy"],
        "summary": 'It said: "no"',
        "updated": dt.date(2026, 1, 2),
        "link": "https://example.org/a?b=c#d",
    }
    assert _plain_mapping(raw) == expected == _yaml(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "draft: true",  # a boolean
        "title: 1_000",  # a number
        "title: Q&A: x",  # YAML's error
        "title: a # a comment",
        'title: "a \\" b"',  # an escape
        "tags: [a, [b]]",
        "title: x\n\nauthor: y",  # a blank line
        "# a comment\ntitle: x",
        "title:\tx",
        "title: |\n  block",
        "yes: x",  # the key is a boolean
    ],
)
def test_anything_less_plain_is_left_to_yaml(raw: str) -> None:
    assert _plain_mapping(raw) is None
