"""The one error the store raises when a database cannot be opened."""

from __future__ import annotations


class StoreError(Exception):
    """The database cannot be opened or used; the message is one line saying what is wrong
    and what to do. Nothing was changed."""
