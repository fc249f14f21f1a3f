"""White space folded to single spaces, exactly as `" ".join(text.split())` folds it, in less time.

Every title, summary, paragraph and fingerprint of a build folds its text:
splitting a 600-word piece into words to join them again was a tenth of
the time it took to parse. Most text is already folded but for its
newlines, and checking that costs a few scans of the text, no word objects.
"""

from __future__ import annotations

import re

SPACES = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
"""Every character `str.isspace()` accepts, which is what `str.split()` splits at (tests/test_whitespace.py)."""
_OTHER_SPACE = re.compile("[" + re.escape(SPACES.replace(" ", "").replace("\n", "")) + "]")


def fold(text: str) -> str:
    """`text` with each run of white space one space, none at the ends: `" ".join(text.split())`."""
    spaced = text.replace("\n", " ")
    if "  " in spaced or spaced.startswith(" ") or spaced.endswith(" ") or _other_space(spaced):
        return " ".join(spaced.split())
    return spaced


def _other_space(text: str) -> bool:
    """Whether `text` holds white space other than " ".

    Every other kind of white space is unprintable (tests/test_text_rules.py
    checks each one), so printable text holds none: `str.isprintable()`
    tells that at a third of the cost per character of searching for them,
    and nearly all text is printable once its newlines are spaces.
    """
    return not text.isprintable() and _OTHER_SPACE.search(text) is not None
