"""Telephony: the Provider protocol, the Twilio provider on the official SDK, the local emulator.

base.py           the Provider protocol and the plain dataclasses it returns
twilio_provider   TwilioProvider: twilio.rest.Client in worker threads, retries, no double dials
errors.py         typed errors with a user_message; from_twilio() maps SDK exceptions
recording_media   recording URLs, credentials only to Twilio's API, sid-checked file names
transcription     Voice Intelligence transcripts of recordings (TwilioProvider.transcribe)
callbacks.py      X-Twilio-Signature check and SequenceNumber ordering of status callbacks
http_seam.py      the one HTTP seam: rewrite https://*.twilio.com to the emulator
emulator/         Emulator / EmulatorThread / run_emulator_cli: Twilio's REST API on loopback
"""
