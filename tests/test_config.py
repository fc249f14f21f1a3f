"""Settings: embedded defaults, a strict publisher.toml, clear errors."""

from __future__ import annotations

import tomllib
from dataclasses import fields, replace
from pathlib import Path

import pytest

from publisher import Settings, load_settings
from publisher.config import MailSettings
from publisher.errors import ConfigError


def test_defaults_need_no_file(tmp_path: Path) -> None:
    settings = load_settings(root=tmp_path)
    assert settings.base_url == "http://localhost:8000/"
    assert settings.seeds == tmp_path / "seeds"
    assert settings.out == tmp_path / "dist"
    assert settings.state == tmp_path / ".publisher/state.db"


def test_file_values_and_relative_paths(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    config = tmp_path / "conf" / "site.toml"
    config.write_text(
        'title = "Dispatch"\nbase_url = "https://news.example/"\nout = "../public"\n[mail]\nsmtp_port = 465\n'
    )
    settings = load_settings(config)
    assert settings.title == "Dispatch"
    assert settings.host == "news.example"
    assert settings.out == tmp_path / "conf" / "../public"
    assert settings.mail.smtp_port == 465


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("feed_sise = 10\n", "unknown setting feed_sise"),
        ("[mail]\nport = 1\n", "unknown setting mail.port"),
        ("feed_size = 'ten'\n", "feed_size must be a whole number, not 'ten'"),
        ("feed_size = 0\n", "feed_size must be at least 1"),
        ('base_url = "example.org"\n', "base_url must be an absolute http(s) URL"),
        ('base_url = "https://example.org/blog"\n', "base_url must end with '/'"),
        ('base_url = "http://[::1/"\n', "base_url must be an absolute http(s) URL"),  # urlsplit raises on it
        ('hub = "http://[::1"\n', "hub must be an absolute http(s) URL"),
        ('timezone = "Mars/Olympus"\n', "unknown timezone 'Mars/Olympus'"),
        ("title = \n", "not valid TOML"),
        ('formats = "atom"\n', "formats must be a list of names, not 'atom'"),
        ('formats = ["atom", 1]\n', "formats must be a list of names, not ['atom', 1]"),
        ("formats = []\n", "formats must name at least one of atom, rss, json"),
        ('formats = ["atom", "opml"]\n', "formats: unknown 'opml' (known: atom, rss, json)"),
        ('formats = ["rss", "atom", "rss"]\n', "formats: 'rss' is named twice"),
        ('listing_feeds = ["tags"]\n', "listing_feeds: unknown 'tags' (known: tag, author)"),
        ('listing_feeds = ["author", "author"]\n', "listing_feeds: 'author' is named twice"),
        ("listing_feeds = true\n", "listing_feeds must be a list of names, not True"),
        ("mail = 3\n", "[mail] must be a table"),
        ('[mail]\nsmtp_security = "ssl"\n', "mail.smtp_security must be starttls, tls or none"),
        ("[mail]\nsmtp_port = 70000\n", "mail.smtp_port must be a TCP port"),
        ('[mail]\nsender = "Desk"\n', "mail.sender must be an address like"),
        ('[mail]\nsubject = "{site} {when}"\n', "mail.subject: bad placeholder 'when'"),
        ('[mail]\nunsubscribe = "ftp://example.org/x"\n', "mail.unsubscribe: 'ftp://example.org/x' is not"),
        ('[mail]\nunsubscribe = "https:///x"\n', "mail.unsubscribe: 'https:///x' is not"),
        ('[mail]\nunsubscribe = "mailto:"\n', "mail.unsubscribe: 'mailto:' is not"),
        ('[mail]\nunsubscribe = "http://[::1/out"\n', "mail.unsubscribe: 'http://[::1/out' is not"),
    ],
)
def test_bad_values_are_clear_errors(tmp_path: Path, text: str, message: str) -> None:
    config = tmp_path / "publisher.toml"
    config.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_settings(root=tmp_path)
    assert str(caught.value).startswith(str(config))
    assert message in str(caught.value)


def test_the_example_configuration_in_the_repository_loads() -> None:
    root = Path(__file__).resolve().parents[1]
    settings = load_settings(root / "publisher.toml")
    assert settings.seeds == root / "seeds"


def test_the_example_configuration_shows_every_setting_at_its_default(tmp_path: Path) -> None:
    """The bundled publisher.toml is where settings are documented: a new one must be added there."""
    root = Path(__file__).resolve().parents[1]
    example = tomllib.loads((root / "publisher.toml").read_text(encoding="utf-8"))
    assert "# templates = " in (root / "publisher.toml").read_text(encoding="utf-8")  # no default to show
    assert set(example) | {"templates"} == {f.name for f in fields(Settings)}
    assert set(example["mail"]) == {f.name for f in fields(MailSettings)}
    shown = load_settings(root / "publisher.toml")
    defaults = load_settings(root=tmp_path)
    paths = {"seeds": shown.seeds, "out": shown.out, "state": shown.state}
    assert shown == replace(defaults, **paths)


def test_feed_choices_are_kept_in_one_order(tmp_path: Path) -> None:
    """However they are listed, the same choice is the same settings (and so the same output keys)."""
    (tmp_path / "publisher.toml").write_text(
        'formats = ["json", "atom"]\nlisting_feeds = ["author", "tag"]\n'
    )
    settings = load_settings(root=tmp_path)
    assert settings.formats == ("atom", "json") and settings.listing_feeds == ("tag", "author")
    (tmp_path / "publisher.toml").write_text("listing_feeds = []\n")
    settings = load_settings(root=tmp_path)
    assert settings.formats == ("atom", "rss", "json") and settings.listing_feeds == ()


def test_mail_port_defaults_to_the_standard_port_of_the_security_mode(tmp_path: Path) -> None:
    ports = {}
    for security in ("starttls", "tls", "none"):
        (tmp_path / "publisher.toml").write_text(f'[mail]\nsmtp_security = "{security}"\n')
        ports[security] = load_settings(root=tmp_path).mail.port
    assert ports == {"starttls": 587, "tls": 465, "none": 25}


def test_the_visible_unsubscribe_link_prefers_a_web_page_to_a_mailto(tmp_path: Path) -> None:
    (tmp_path / "publisher.toml").write_text(
        '[mail]\nunsubscribe = "mailto:out@example.org, https://example.org/out"\n'
    )
    mail = load_settings(root=tmp_path).mail
    assert mail.unsubscribe_uris == ("mailto:out@example.org", "https://example.org/out")
    assert mail.unsubscribe_link == "https://example.org/out"
