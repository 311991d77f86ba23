"""Errors raised by the import pipeline; their messages are shown to the user as they are."""

from __future__ import annotations


class ContactImportError(ValueError):
    """A file or text that cannot be imported: the message says what is wrong and what was found."""


# The name the design notes use; both spellings refer to the same class.
ImportError_ = ContactImportError


class ImportCancelled(Exception):
    """The user cancelled; nothing was written."""
