"""Convenience constructors."""

from __future__ import annotations

from pathlib import Path

from app.telephony.twilio_provider import TwilioProvider


def demo_provider(
    emulator_base_url: str, account_sid: str, auth_token: str, recordings_dir: Path | None = None
) -> TwilioProvider:
    """The real provider pointed at a local emulator, polling briskly (the emulator is local).

    *recordings_dir* is where the caller should download recordings; it is created 0700 on
    first download, so it is only recorded here for symmetry with the real setup.
    """
    provider = TwilioProvider(
        account_sid, auth_token, base_url=emulator_base_url, timeout_s=10.0, poll_interval_s=0.5
    )
    provider.recordings_dir = Path(recordings_dir) if recordings_dir else None
    return provider
