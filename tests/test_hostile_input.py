"""Broken and hostile input: forbidden characters, encodings, --keep-going, safe paths, secrets."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import feedparser
import pytest

from publisher import Settings, build
from publisher.errors import PublisherError
from publisher.extract.ids import slugify
from publisher.publish import safe_relative
from publisher.redact import MASK, RedactingFormatter, env_secrets, redact

from .conftest import invoke, snapshot

Write = Callable[[str, str | bytes], Path]


# -- characters XML forbids ------------------------------------------------------------------


def test_forbidden_characters_are_removed_with_a_warning_naming_file_and_line(
    project: Path, write_seed: Write
) -> None:
    path = write_seed("ctrl.txt", "Clean first line.\nA bell\x07 and a form\x0cfeed here.\nAnd a\x00 nul.\n")
    code, _, err = invoke("build")
    assert code == 0
    assert err.splitlines() == [
        f"publisher: warning: {path}:2: removed 2 characters XML does not allow (U+0007, U+000C)",
        f"publisher: warning: {path}:3: removed 1 character XML does not allow (U+0000)",
    ]
    feed = feedparser.parse((project / "dist" / "atom.xml").read_bytes())
    assert not feed.bozo
    assert "<p>A bell and a formfeed here.</p>\n<p>And a nul.</p>" in feed.entries[0].content[0].value


def test_forbidden_characters_from_markdown_entities_never_reach_a_feed(
    project: Path, write_seed: Write
) -> None:
    write_seed("ent.md", "---\ntitle: Entities\n---\nA &#1; b &#xFFFE; c &#65535; d &#xD800; e.\n")
    assert invoke("build")[0] == 0
    feed = feedparser.parse((project / "dist" / "atom.xml").read_bytes())
    assert not feed.bozo and "A  b � c � d � e." in feed.entries[0].content[0].value


def test_warnings_are_repeated_on_every_build_until_fixed(project: Path, write_seed: Write) -> None:
    write_seed("ctrl.txt", "A bell\x07 rang.\n")
    assert "U+0007" in invoke("build")[2]
    write_seed("other.txt", "Another piece.\n")
    assert "U+0007" in invoke("build")[2]


# -- encodings ----------------------------------------------------------------------------------


def test_windows_1252_quotes_in_utf8_name_line_offset_and_the_character(
    project: Path, write_seed: Write
) -> None:
    path = write_seed("quotes.txt", "Fine: café.\n".encode() + b"He said \x93hi\x94.\n")
    code, _, err = invoke("build")
    assert code == 1 and not (project / "dist").exists()
    assert err == (
        f"publisher: error: {path}:2: not valid UTF-8 (byte 0x93 at offset 21, column 9, which is “ in "
        "Windows-1252, pasted from a word processor?); retype that character, or if the whole file is "
        "Windows-1252, pass --encoding cp1252\n"
    )


def test_encoding_option_reads_a_windows_1252_file(project: Path, write_seed: Write) -> None:
    (project / "legacy").mkdir()
    (project / "legacy" / "quotes.txt").write_bytes("He said “hi” at the café.\n".encode("cp1252"))
    assert invoke("build", "--encoding", "cp1252", "--seeds", "legacy")[0] == 0
    feed = feedparser.parse((project / "dist" / "atom.xml").read_bytes())
    assert any(e.title == "He said “hi” at the café." for e in feed.entries)


def test_an_unknown_encoding_is_one_line_not_a_traceback(project: Path) -> None:
    code, _, err = invoke("check", "--encoding", "klingon")
    assert code == 2 and "'klingon' is not a text encoding Python knows" in err
    assert "Traceback" not in err


def test_empty_whitespace_and_separator_only_files_build(project: Path, write_seed: Write) -> None:
    write_seed("empty.txt", "")
    write_seed("blank.txt", "  \n\t\n\n   \n")
    write_seed("rules.txt", "***\n---\n* * *\n___\n\n---\n")
    code, out, err = invoke("check")
    assert (code, err) == (0, "") and out.splitlines()[-1] == "5 entries, 0 warnings"
    # Opening with "---" announces front matter: separators after it are bad YAML, said in one line.
    path = write_seed("rules.txt", "---\n***\n---\n")
    code, _, err = invoke("check")
    assert code == 1 and err.startswith(f"publisher: error: {path}:2: front matter is not valid YAML")


# -- keep going -----------------------------------------------------------------------------------


def test_a_bad_piece_stops_the_build_and_leaves_dist_untouched(project: Path, write_seed: Write) -> None:
    assert invoke("build")[0] == 0
    before = snapshot(project / "dist")
    write_seed("bad.md", "---\ndate: someday\n---\nBody.\n")
    write_seed("good.md", "---\ntitle: Good\ndate: 2025-12-01\n---\nBody.\n")
    code, _, err = invoke("build")
    assert code == 1 and err.count("\n") == 1
    assert snapshot(project / "dist") == before


def test_keep_going_publishes_the_rest_lists_every_skip_and_exits_1(project: Path, write_seed: Write) -> None:
    assert invoke("build")[0] == 0
    old_pages = set((project / "dist" / "posts").iterdir())
    seeds = project / "seeds"
    write_seed("bad-date.md", "---\ndate: someday\n---\nBody.\n")
    write_seed("bad-bytes.txt", b"caf\xe9\n")
    write_seed("mixed.txt", "---\nauthor: [1, 2]\n---\nFirst piece.\n---\nSecond piece.\n")
    write_seed("good.md", "---\ntitle: Good one\ndate: 2025-12-01\n---\nBody.\n")
    code, _, err = invoke("build", "--keep-going")
    assert code == 1
    assert err.splitlines() == [
        f"publisher: skipped: {seeds / 'bad-bytes.txt'}:1: not valid UTF-8 (byte 0xe9 at offset 3, column 4); "
        "save the file as UTF-8, or name its encoding with --encoding (e.g. cp1252)",
        f"publisher: skipped: {seeds / 'bad-date.md'}:2: date: 'someday' is not a date (try 2026-01-02 or "
        "2026-01-02T08:30:00+01:00)",
        f"publisher: skipped: {seeds / 'mixed.txt'}:2: author must be a name or a list of names",
        f"publisher: skipped: {seeds / 'mixed.txt'}:2: author must be a name or a list of names",
        "publisher: error: 4 skipped (listed above); the rest was published",
    ]
    feed = feedparser.parse((project / "dist" / "atom.xml").read_bytes())
    assert "Good one" in [e.title for e in feed.entries] and len(feed.entries) == 6
    assert old_pages <= set((project / "dist" / "posts").iterdir())


def test_a_partial_build_deletes_nothing_and_is_retried(project: Path, write_seed: Write) -> None:
    good = write_seed("good.md", "---\ntitle: Good one\ndate: 2025-12-01\n---\nBody.\n")
    assert invoke("build")[0] == 0
    page = project / "dist" / "posts" / "good-one.html"
    good.write_text("---\ntitle: Good one\ndate: not a date\n---\nBody.\n")
    assert invoke("build", "--keep-going")[0] == 1
    assert page.is_file()  # a typo must not take a published page down
    assert invoke("build", "--keep-going")[0] == 1  # not remembered as done: reported again
    good.unlink()
    assert invoke("build")[0] == 0 and not page.exists()  # a full build still cleans up


def test_check_keep_going_lists_problems(project: Path, write_seed: Write) -> None:
    write_seed("bad.md", "---\ndate: someday\n---\nBody.\n")
    code, out, err = invoke("check", "--keep-going")
    assert code == 1 and out.splitlines()[-1] == "5 entries, 0 warnings"
    assert err.splitlines()[-1] == "publisher: error: 1 skipped (listed above); the rest was checked"


# -- safe paths -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("../../etc/passwd", "etc-passwd"),
        ("/absolute/path", "absolute-path"),
        ("nul\x00byte", "nul-byte"),
        ("CON", "con-entry"),
        ("nul", "nul-entry"),
        ("Com1", "com1-entry"),
        ("LPT9", "lpt9-entry"),
        ("..\\..\\windows", "windows"),
        ("台灣", ""),
        ("word " * 200, "word-" * 11 + "word"),
    ],
)
def test_slugs_stay_plain_whatever_the_title(title: str, slug: str) -> None:
    assert slugify(title) == slug


@pytest.mark.parametrize(
    "name",
    [
        "../x.html",
        "/etc/passwd",
        "posts/../../x",
        "a\0b",
        "posts/con.html",
        "NUL",
        "a\\b",
        "c:x",
        "a" * 256,
        "",
        "posts//x.html",
        "posts/./x.html",
        "posts/",
    ],
)
def test_output_names_cannot_leave_the_output_folder(name: str) -> None:
    with pytest.raises(PublisherError, match="refusing to write outside the output folder"):
        safe_relative(name)


def test_hostile_titles_publish_inside_dist_with_distinct_stable_slugs(
    write_seed: Write, settings: Settings
) -> None:
    titles = ["../../escape", "CON", "台灣", "台灣", "Same title", "Same title", "x" * 5000]
    for i, title in enumerate(titles):
        write_seed(f"2025-11-{i + 1:02}-p.md", f"---\ntitle: {title!r}\n---\nBody number {i}.\n")
    outside = {p for p in settings.seeds.parent.rglob("*") if p.is_file()}
    first = build(settings)
    slugs = sorted(e.slug for e in first.entries)
    assert len(set(slugs)) == len(slugs)
    pages = sorted(p.name for p in (settings.out / "posts").iterdir())
    assert pages == sorted(f"{slug}.html" for slug in slugs)
    written = {p for p in settings.seeds.parent.rglob("*") if p.is_file()} - outside
    assert all(settings.out in p.parents or settings.state.parent in p.parents for p in written)
    assert all(len(name) <= 80 for name in pages)
    # A fresh build (memory lost) gives every piece the same slug again.
    settings.state.unlink()
    again = build(settings)
    assert sorted(e.slug for e in again.entries) == slugs


# -- secrets ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("https://user:hunter22@example.org/x", f"https://user:{MASK}@example.org/x"),
        ("smtp://ghp_abcdef123456@host/", f"smtp://{MASK}@host/"),
        ("https://example.org/feed?token=abc123&page=2", f"https://example.org/feed?token={MASK}&page=2"),
        ("see https://x.org/?a=1&api_key=zzz9#top now", f"see https://x.org/?a=1&api_key={MASK}#top now"),
        ("https://x.org/?AccessToken=Q&sig=S", f"https://x.org/?AccessToken={MASK}&sig={MASK}"),
        ("password is s3cr3t-pw", f"password is {MASK}"),
        ("plain https://example.org/page?id=7", "plain https://example.org/page?id=7"),
    ],
)
def test_redact_masks_credentials(text: str, shown: str) -> None:
    assert redact(text, ["s3cr3t-pw", "ab"]) == shown


def test_env_secrets_by_name_and_by_setting() -> None:
    environ = {"PUBLISHER_SMTP_PASSWORD": "p1", "GITHUB_TOKEN": "t1", "MY_PW": "m1", "HOME": "/root"}
    assert sorted(env_secrets(environ)) == ["p1", "t1"]
    assert sorted(env_secrets(environ, names=["MY_PW"])) == ["m1", "p1", "t1"]


def test_redacting_formatter_masks_log_lines() -> None:
    record = logging.LogRecord(
        "publisher", logging.INFO, __file__, 1, "fetch %s", ("https://u:pw1234@h/",), None
    )
    assert RedactingFormatter("%(message)s", ["pw1234"]).format(record) == f"fetch https://u:{MASK}@h/"


def test_no_secret_in_errors_check_output_or_verbose_logs(project: Path) -> None:
    password = "correct-horse-battery"
    env = {"PUBLISHER_SMTP_PASSWORD": password, "MY_SMTP_PW": "other-secret-value"}
    config = project / "publisher.toml"
    config.write_text('base_url = "https://editor:hunter2@example.org/?token=t0k3n"\n')
    outputs = [invoke("check", env=env), invoke("build", "--verbose", env=env)]
    config.write_text(
        'title = "correct-horse-battery"\nbase_url = "https://example.org/"\n'
        '[mail]\npassword_env = "MY_SMTP_PW"\nunsubscribe = "https://example.org/u?token=t0k3n"\n'
    )
    outputs += [invoke("check", env=env), invoke("build", "--verbose", env=env)]
    assert outputs[0][0] == 1 and "https://editor:***@example.org/?token=***" in outputs[0][2]
    assert outputs[2][0] == 0 and outputs[3][0] == 0
    for _, out, err in outputs:
        for secret in ("hunter2", "t0k3n", password, "other-secret-value"):
            assert secret not in out + err


def test_the_configured_password_variable_is_masked_in_error_lines_too(
    project: Path, write_seed: Write
) -> None:
    """Its name need not look secret (`SMTP_PASS`); once the settings are read, no line may show its value."""
    (project / "publisher.toml").write_text('[mail]\npassword_env = "SMTP_PASS"\n')
    write_seed("bad.md", "---\ntitle: A\nid: pasted the pw w1nter-is-coming here\n---\nBody.\n")
    code, out, err = invoke("build", env={"SMTP_PASS": "w1nter-is-coming"})
    assert code == 1 and "bad.md:3" in err and MASK in err
    assert "w1nter-is-coming" not in out + err


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ('out = "seeds"', "out ({root}/seeds) and seeds ({root}/seeds) must not overlap"),
        ('out = "seeds/site"', "out ({root}/seeds/site) and seeds ({root}/seeds) must not overlap"),
        ('out = "."', "out ({root}) and seeds ({root}/seeds) must not overlap"),
        (
            'out = ".publisher"',
            "out ({root}/.publisher) and state ({root}/.publisher/state.db) must not overlap",
        ),
    ],
)
def test_the_output_folder_cannot_hold_seeds_or_state(project: Path, setting: str, message: str) -> None:
    (project / "publisher.toml").write_text(setting + "\n")
    code, _, err = invoke("check")
    root = project.resolve()
    assert code == 1 and err.endswith(message.format(root=root) + "\n")
