"""The Jinja environment: the user's template folder first, the bundled `templates/` second.

An editor overrides one template by putting a file of the same name in the
folder named by the `templates` setting; everything else falls back.
"""

from __future__ import annotations

from datetime import tzinfo
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

from .templates import longdate, template_dirs


def make_environment(custom: Path | None, tz: tzinfo) -> Environment:
    """Autoescaping on, undefined names are errors (a typo must not render as blank)."""
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(d)) for d in template_dirs(custom)]),
        autoescape=select_autoescape(["html", "xml"], default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # an environment lives for one build: no stat of the template per page
    )
    env.filters["longdate"] = lambda value: longdate(value, tz)
    return env
