"""Colours for status and state badges, shared by every table that shows them."""

from __future__ import annotations

from PySide6.QtGui import QColor

STATUS_COLOURS = {
    "queued": "#e2e6ea",
    "calling": "#cfe2ff",
    "connected": "#b6d4fe",
    "completed": "#d1e7dd",
    "no_answer": "#fff3cd",
    "busy": "#ffe5d0",
    "failed": "#f8d7da",
    "voicemail": "#e0cffc",
    "draft": "#e2e6ea",
    "scheduled": "#e0cffc",
    "running": "#d1e7dd",
    "paused": "#fff3cd",
}

STATUS_LABELS = {
    "queued": "Queued",
    "calling": "Calling",
    "connected": "Connected",
    "completed": "Completed",
    "no_answer": "No answer",
    "busy": "Busy",
    "failed": "Failed",
    "voicemail": "Voicemail",
}


def badge_colour(status: str) -> QColor | None:
    colour = STATUS_COLOURS.get(status)
    return QColor(colour) if colour else None


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status.replace("_", " ").capitalize())


# Badges keep dark text on their light fill, whatever the palette (dark mode included).
BADGE_TEXT = QColor("#1f2328")


def badge_style(fill: str) -> str:
    """A label drawn as a badge: the light fill, with the dark badge text."""
    return f"background:{fill}; color:{BADGE_TEXT.name()}; border-radius:8px; padding:2px 8px;"
