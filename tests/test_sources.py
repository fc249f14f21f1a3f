"""Reading seed files into pieces: both paragraph styles, separators, front matter, Markdown."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import cmarkgfm
import pytest

from publisher import InputError, Settings, check, cmark, html
from publisher.sources import SEED_SUFFIXES, find_seed_files
from publisher.sources.read import READERS, read_seed_file

Write = Callable[[str, str | bytes], Path]

FULL = "A full first paragraph ends here."
BIO = "Jane Doe is a fellow at the Example Institute."


def pieces_of(path: Path, seeds: Path) -> list[list[str]]:
    (seed,) = [s for s in find_seed_files(seeds)[0] if s.path == path]
    return [[p.text for p in piece.paragraphs] for piece in read_seed_file(seed)[0]]


def test_one_paragraph_per_line(write_seed: Write, project: Path) -> None:
    path = write_seed("a.txt", f"{FULL}\nSecond paragraph.\n{BIO}\nA teaser that stops in the\n")
    assert pieces_of(path, project / "seeds") == [
        [FULL, "Second paragraph.", BIO],
        ["A teaser that stops in the"],
    ]


def test_hard_wrapped_blocks_between_blank_lines(write_seed: Write, project: Path) -> None:
    path = write_seed(
        "a.txt", "A wrapped paragraph that\ngoes on over lines.\n\nAnother one, still\nwrapped, ends.\n"
    )
    assert pieces_of(path, project / "seeds") == [
        ["A wrapped paragraph that goes on over lines.", "Another one, still wrapped, ends."]
    ]


def test_crlf_and_bom_are_accepted(write_seed: Write, project: Path) -> None:
    path = write_seed("a.txt", f"\ufeff{FULL}\r\n{BIO}\r\n".encode())
    assert pieces_of(path, project / "seeds") == [[FULL, BIO]]


@pytest.mark.parametrize("separator", ["---", "***", "* * *", "-----"])
def test_separator_lines_end_a_piece(write_seed: Write, project: Path, separator: str) -> None:
    path = write_seed("a.txt", f"First piece ends.\n{separator}\nSecond piece ends.\n")
    assert pieces_of(path, project / "seeds") == [["First piece ends."], ["Second piece ends."]]


def test_dump_front_matter_gives_defaults(write_seed: Write, settings: Settings) -> None:
    write_seed(
        "a.txt",
        "---\ndate: 2025-12-01\nauthor: Desk Editor\ntags: [asia, defence]\n---\nOne teaser cut in the\n",
    )
    (entry,) = [e for e in check(settings).entries if e.source_file == "a.txt"]
    assert entry.published.date().isoformat() == "2025-12-01"
    assert entry.author == "Desk Editor"
    assert entry.tags == ("asia", "defence")
    assert entry.source_line == 6


def test_markdown_piece_with_front_matter(write_seed: Write, settings: Settings) -> None:
    write_seed(
        "2025-11-30-hello.md",
        "---\ntitle: Hello, *world*\nauthor: [Ann Example, Bo Example]\ntags: news, 吳志中\n---\n"
        "First paragraph with **bold** and a [link](/about/).\n\n- a list\n",
    )
    (entry,) = [e for e in check(settings).entries if e.source_file.endswith(".md")]
    assert entry.title == "Hello, *world*"
    assert entry.author == "Ann Example and Bo Example"
    assert entry.tags == ("news", "吳志中")
    assert entry.published.date().isoformat() == "2025-11-30"
    assert entry.date_source.value == "filename"
    assert entry.summary == "First paragraph with bold and a link."
    assert entry.content_html is not None and "<strong>bold</strong>" in entry.content_html
    assert not entry.is_excerpt


def test_drafts_are_not_published(write_seed: Write, settings: Settings) -> None:
    write_seed("draft.md", "---\ntitle: Not yet\ndraft: true\n---\nBody.\n")
    assert all(e.source_file != "draft.md" for e in check(settings).entries)


def test_hidden_files_are_ignored_and_unknown_types_warned(write_seed: Write, settings: Settings) -> None:
    write_seed(".swap.txt", "Hidden piece ends.\n")
    write_seed("notes.docx", b"PK")
    result = check(settings)
    assert all(e.source_file != ".swap.txt" for e in result.entries)
    assert result.warnings == [f"{settings.seeds / 'notes.docx'}: skipped, not a seed file type (.txt, .md)"]


def test_every_seed_file_type_the_finder_takes_has_a_reader() -> None:
    assert READERS.keys() == set(SEED_SUFFIXES)


def test_seed_files_in_folders_are_found_in_path_order_and_hidden_folders_skipped(tmp_path: Path) -> None:
    for name in ("b.md", "a/z.txt", "a-b.md", "a/b/c.md", ".git/x.md", "a/.cache/y.txt", "A.MD"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("A piece ends.\n", encoding="utf-8")
    (tmp_path / "linked").symlink_to(tmp_path / "a")  # a linked folder is not walked into, as before
    files, warnings = find_seed_files(tmp_path)
    found = [f.source for f in files]
    assert found == sorted(found, key=lambda source: source.split("/")) == [
        "A.MD", "a/b/c.md", "a/z.txt", "a-b.md", "b.md"
    ]  # fmt: skip
    assert [f.path for f in files] == [tmp_path / name for name in found] and warnings == []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.md", "---\ntitle: x\n", "bad.md:1: front matter opened with '---' is never closed"),
        ("bad.md", "---\ntitle: [x\n---\nBody.\n", "bad.md:2: front matter is not valid YAML"),
        ("bad.md", "---\ntitel: x\n---\nBody.\n", "bad.md:2: unknown front matter key 'titel'"),
        ("bad.md", "---\ndate: someday soon\n---\nBody.\n", "bad.md:2: date: 'someday soon' is not a date"),
        ("bad.md", "---\ntitle: Empty\n---\n\n", "bad.md:4: the piece has no text"),
        ("bad.txt", b"caf\xe9 ends.\n", "bad.txt:1: not valid UTF-8 (byte 0xe9 at offset 3, column 4)"),
    ],
)
def test_bad_input_names_file_and_line(
    write_seed: Write, settings: Settings, name: str, content: str | bytes, message: str
) -> None:
    write_seed(name, content)
    with pytest.raises(InputError) as caught:
        check(settings)
    assert message in str(caught.value)


MARKDOWN_SAMPLES = [
    "# Title\n\nA *short* paragraph with a [link](https://example.org/) and “quotes”.\n",
    "| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n- [ ] not yet\n\n~~gone~~ www.example.org\n",
    "```python\nprint('x')\n```\n\n> quoted\n> text\n\n1. one\n2. two\n",
    "<script>alert(1)</script>\n\nText with &#1; and &amp; and <b>bold</b>.\n",
    "",
]


@pytest.mark.parametrize("text", MARKDOWN_SAMPLES)
def test_our_cmark_calls_render_exactly_as_cmarkgfms_own_wrapper(text: str) -> None:
    """publisher.cmark repeats cmarkgfm's call sequence only to free the tree and the string it leaks."""
    options, extensions = html._CMARK_OPTIONS, html._CMARK_EXTENSIONS
    expected = cmarkgfm.markdown_to_html_with_extensions(text, options=options, extensions=extensions)
    assert cmark.to_html(text, options, extensions) == expected


def test_an_unknown_cmark_extension_is_an_error_not_a_crash() -> None:
    with pytest.raises(ValueError, match="no extension 'nonesuch'"):
        cmark.to_html("text", 0, ["nonesuch"])
