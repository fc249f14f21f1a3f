"""publisher: articles and teaser excerpts in, Atom + RSS feeds, an email digest and pages out.

The library API is what the CLI calls: `load_settings()`, then `build()` or `check()`.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .api import BuildResult, build, check
from .config import Settings, load_settings
from .entry import DateSource, Entry
from .errors import InputError, LockBusy, PublisherError

__all__ = [
    "BuildResult",
    "DateSource",
    "Entry",
    "InputError",
    "LockBusy",
    "PublisherError",
    "Settings",
    "__version__",
    "build",
    "check",
    "load_settings",
]
