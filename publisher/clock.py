"""The build's notion of "now", which honours SOURCE_DATE_EPOCH (reproducible-builds.org)."""

from __future__ import annotations

import os
from datetime import UTC, datetime

from .errors import ConfigError


def now() -> datetime:
    """Current time, zone-aware; `SOURCE_DATE_EPOCH` (seconds since 1970) pins it for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None or not epoch.strip():
        return datetime.now(UTC).replace(microsecond=0)
    try:
        return datetime.fromtimestamp(int(epoch), UTC)
    except (ValueError, OverflowError):
        raise ConfigError(
            "SOURCE_DATE_EPOCH", None, f"must be a whole number of seconds, not {epoch!r}"
        ) from None
