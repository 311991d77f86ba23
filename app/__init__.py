"""CallDeck: outbound call campaigns for the supervisor of a small call team."""

from __future__ import annotations

from functools import cache


@cache
def app_version() -> str:
    """The installed version, from the package metadata (pyproject.toml is the one source)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("calldeck")
    except PackageNotFoundError:  # running from a tree that was never installed
        return "0+unknown"
