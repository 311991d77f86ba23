"""Names people give things (campaigns, agents): one rule for every front end."""

from __future__ import annotations

import unicodedata

MAX_NAME_CHARS = 200  # the columns' width


class InvalidName(ValueError):
    pass


def check_name(text: str, thing: str) -> str:
    """*text* trimmed; refused when empty, too long, or holding control characters (a bell or
    an escape sequence in a name would ring or repaint the terminal that lists it)."""
    name = " ".join(str(text).split())
    if not name:
        raise InvalidName(f"a {thing} needs a name")
    if len(name) > MAX_NAME_CHARS:
        raise InvalidName(f"a {thing} name may be {MAX_NAME_CHARS} characters at most")
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in name):
        raise InvalidName(f"the {thing} name {name!r} contains control characters")
    return name
