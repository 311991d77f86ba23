"""Importing contacts: a file dialog and a paste dialog over one lifecycle, and what they show."""
