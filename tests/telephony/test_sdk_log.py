"""The SDK's request dumps stay out of CallDeck's log; its warnings do not."""

from __future__ import annotations

import logging

import app.telephony.twilio_provider  # noqa: F401 - importing it sets the level


def test_the_sdks_request_dumps_are_not_logged_at_info():
    sdk = logging.getLogger("twilio.http_client")
    assert not sdk.isEnabledFor(logging.INFO)
    assert sdk.isEnabledFor(logging.WARNING)
