"""Template files: the user's template folder first, the bundled `templates/` second; their hash; dates in them.

An editor overrides one template by putting a file of the same name in the
folder named by the `templates` setting; everything else falls back. No
Jinja here (that is environment.py): every build hashes the templates to
know whether it has anything to do (uptodate.py), and one with nothing to do
must not load Jinja for it.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, tzinfo
from pathlib import Path

_HERE = Path(__file__).resolve()
BUNDLED = next(
    folder
    for folder in (_HERE.parents[2] / "templates", _HERE.parents[1] / "templates")
    if (folder / "base.html").is_file()
)
"""The top-level `templates/` of a checkout, or its copy inside an installed package (pyproject maps it)."""


def template_dirs(custom: Path | None) -> list[Path]:
    return [d for d in (custom, BUNDLED) if d is not None]


def templates_digest(custom: Path | None) -> str:
    """A hash of every template file, part of the key that says a rebuild would change nothing."""
    digest = hashlib.sha256()
    for folder in template_dirs(custom):
        for path in sorted(folder.glob("*")) if folder.is_dir() else []:
            if path.is_file():
                digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def longdate(value: datetime, tz: tzinfo) -> str:
    """ "2 January 2026": unambiguous in every locale, unlike 1/2/2026."""
    local = value.astimezone(tz)
    return f"{local.day} {local:%B %Y}"
