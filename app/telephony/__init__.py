"""Telephony: the Provider protocol, the Twilio provider on the official SDK, the local emulator."""
