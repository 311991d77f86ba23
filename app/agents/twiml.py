"""Each call's TwiML: today the agent's greeting, filled in per contact, then goodbye."""

from __future__ import annotations

from html import escape

from app.domain.template import render

DEFAULT_GREETING = "Hello, this is an automated call. Thank you for your time. Goodbye."


def twiml_for(greeting: str | None, variables: dict | None = None) -> str:
    """The TwiML of one call: *greeting* with its {{placeholders}} filled from *variables*."""
    text = escape(render((greeting or "").strip(), variables or {}) or DEFAULT_GREETING)
    return f"<Response><Say>{text}</Say></Response>"
