"""Settings: embedded defaults, a strict publisher.toml, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from publisher import load_settings
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
        ('timezone = "Mars/Olympus"\n', "unknown timezone 'Mars/Olympus'"),
        ("title = \n", "not valid TOML"),
        ("mail = 3\n", "[mail] must be a table"),
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
