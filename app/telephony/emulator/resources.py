"""JSON bodies exactly as Twilio shapes them (keys, string/number types, RFC 2822 dates)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.utils import format_datetime
from urllib.parse import urlencode

from app.telephony.emulator.state import (
    Account,
    ApiKeyRecord,
    CallRecord,
    NumberRecord,
    RecordingRecord,
    ServiceRecord,
    TranscriptRecord,
)

API = "/2010-04-01"
PRICE_PER_MIN = 0.014


def rfc2822(dt: datetime | None) -> str | None:
    return format_datetime(dt) if dt is not None else None


def iso8601(dt: datetime | None) -> str | None:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ") if dt is not None else None


def formatted(number: str) -> str:
    if number.startswith("+1") and len(number) == 12 and number[2:].isdigit():
        return f"({number[2:5]}) {number[5:8]}-{number[8:]}"
    return number


def error_body(code: int, message: str, status: int) -> dict:
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


def account_json(account: Account, *, trial: bool, status: str = "active") -> dict:
    base = f"{API}/Accounts/{account.sid}"
    uris = {
        "calls": f"{base}/Calls.json",
        "recordings": f"{base}/Recordings.json",
        "incoming_phone_numbers": f"{base}/IncomingPhoneNumbers.json",
        "outgoing_caller_ids": f"{base}/OutgoingCallerIds.json",
        "available_phone_numbers": f"{base}/AvailablePhoneNumbers.json",
    }
    return {
        "auth_token": account.auth_token,
        "date_created": rfc2822(account.date_created),
        "date_updated": rfc2822(account.date_created),
        "friendly_name": "CallDeck emulator account",
        "owner_account_sid": account.sid,
        "sid": account.sid,
        "status": status,
        "subresource_uris": uris,
        "type": "Trial" if trial else "Full",
        "uri": f"{base}.json",
    }


def call_json(call: CallRecord) -> dict:
    base = f"{API}/Accounts/{call.account_sid}/Calls/{call.sid}"
    price = None
    if call.status == "completed" and call.duration_s:
        minutes = -(-call.duration_s // 60)
        price = f"-{minutes * PRICE_PER_MIN:.5f}"
    return {
        "sid": call.sid,
        "date_created": rfc2822(call.date_created),
        "date_updated": rfc2822(call.date_updated),
        "parent_call_sid": None,
        "account_sid": call.account_sid,
        "to": call.to,
        "to_formatted": formatted(call.to),
        "from": call.from_,
        "from_formatted": formatted(call.from_),
        "phone_number_sid": None,
        "status": call.status,
        "start_time": rfc2822(call.start_time),
        "end_time": rfc2822(call.end_time),
        "duration": str(call.duration_s) if call.duration_s is not None else None,
        "price": price,
        "price_unit": "USD",
        "direction": "outbound-api",
        # Async AMD's verdict goes to its callback; the resource has it once the call ended.
        "answered_by": None if call.is_live else call.answered_by,
        "api_version": "2010-04-01",
        "forwarded_from": None,
        "group_sid": None,
        "caller_name": None,
        "queue_time": str(call.queue_time_ms),
        "trunk_sid": None,
        "uri": f"{base}.json",
        "subresource_uris": {
            "notifications": f"{base}/Notifications.json",
            "recordings": f"{base}/Recordings.json",
            "payments": f"{base}/Payments.json",
            "events": f"{base}/Events.json",
            "siprec": f"{base}/Siprec.json",
            "streams": f"{base}/Streams.json",
            "transcriptions": f"{base}/Transcriptions.json",
            "user_defined_message_subscriptions": f"{base}/UserDefinedMessageSubscriptions.json",
            "user_defined_messages": f"{base}/UserDefinedMessages.json",
        },
    }


# Debugger codes below 30000 that Twilio logs as warnings: 21262, async AMD without a callback.
WARNING_CODES = frozenset({21262})


def call_notification_json(call: CallRecord, index: int, code: int, message: str) -> dict:
    """One of the call's debugger entries (call.errors), as Calls/{CA}/Notifications shows it."""
    sid = "NO" + hashlib.md5(f"{call.sid}/{index}".encode()).hexdigest()
    return {
        "account_sid": call.account_sid,
        "api_version": "2010-04-01",
        "call_sid": call.sid,
        "date_created": rfc2822(call.date_updated),
        "date_updated": rfc2822(call.date_updated),
        "error_code": str(code),
        "log": "1" if code in WARNING_CODES or 30000 <= code < 60000 else "0",  # 1: warning
        "message_date": rfc2822(call.date_updated),
        "message_text": urlencode({"Msg": message, "ErrorCode": str(code)}),
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        # The request that led to it: here always the create (the schema allows no None).
        "request_method": "POST",
        "request_url": f"https://api.twilio.com{API}/Accounts/{call.account_sid}/Calls.json",
        "sid": sid,
        "uri": f"{API}/Accounts/{call.account_sid}/Calls/{call.sid}/Notifications/{sid}.json",
    }


def _recording_common(rec: RecordingRecord) -> dict:
    return {
        "account_sid": rec.account_sid,
        "api_version": "2010-04-01",
        "call_sid": rec.call_sid,
        "conference_sid": None,
        "date_created": rfc2822(rec.date_created),
        "date_updated": rfc2822(rec.date_updated),
        "start_time": rfc2822(rec.start_time),
        "duration": str(rec.duration_s) if rec.duration_s is not None else "-1",
        "sid": rec.sid,
        "price_unit": "USD",
        "status": rec.status,
        "channels": rec.channels,
        "source": rec.source,
        "error_code": None,
        "encryption_details": None,
    }


def call_recording_json(rec: RecordingRecord) -> dict:
    # The call-scoped resource: price is a number, uri is under the call, no media_url.
    body = _recording_common(rec)
    body.update(
        price=None,
        uri=f"{API}/Accounts/{rec.account_sid}/Calls/{rec.call_sid}/Recordings/{rec.sid}.json",
        track="both",
    )
    return body


def recording_json(rec: RecordingRecord, base_url: str) -> dict:
    # The account-level resource: price is a string and it carries media_url.
    body = _recording_common(rec)
    uri = f"{API}/Accounts/{rec.account_sid}/Recordings/{rec.sid}"
    body.update(
        price=None,
        uri=f"{uri}.json",
        media_url=f"{base_url}{uri}",
        subresource_uris={
            "add_on_results": f"{uri}/AddOnResults.json",
            "transcriptions": f"{uri}/Transcriptions.json",
        },
    )
    return body


def incoming_number_json(num: NumberRecord) -> dict:
    return {
        "account_sid": num.account_sid,
        "address_sid": None,
        "address_requirements": "none",
        "api_version": "2010-04-01",
        "beta": False,
        "capabilities": {"voice": True, "sms": True, "mms": True, "fax": False},
        "date_created": rfc2822(num.date_created),
        "date_updated": rfc2822(num.date_created),
        "friendly_name": num.friendly_name,
        "identity_sid": None,
        "phone_number": num.phone_number,
        "origin": "twilio",
        "sid": num.sid,
        "sms_application_sid": None,
        "sms_fallback_method": "POST",
        "sms_fallback_url": None,
        "sms_method": "POST",
        "sms_url": None,
        "status_callback": None,
        "status_callback_method": "POST",
        "trunk_sid": None,
        "uri": f"{API}/Accounts/{num.account_sid}/IncomingPhoneNumbers/{num.sid}.json",
        "voice_receive_mode": "voice",
        "voice_application_sid": None,
        "voice_caller_id_lookup": False,
        "voice_fallback_method": "POST",
        "voice_fallback_url": None,
        "voice_method": "POST",
        "voice_url": None,
        "emergency_status": "Inactive",
        "emergency_address_sid": None,
        "emergency_address_status": "unregistered",
        "bundle_sid": None,
        "status": "in-use",
        "type": "local",
    }


def caller_id_json(num: NumberRecord) -> dict:
    return {
        "sid": num.sid,
        "date_created": rfc2822(num.date_created),
        "date_updated": rfc2822(num.date_created),
        "friendly_name": num.friendly_name,
        "account_sid": num.account_sid,
        "phone_number": num.phone_number,
        "uri": f"{API}/Accounts/{num.account_sid}/OutgoingCallerIds/{num.sid}.json",
    }


def service_json(svc: ServiceRecord, base_url: str) -> dict:
    return {
        "account_sid": svc.account_sid,
        "auto_redaction": False,
        "media_redaction": False,
        "auto_transcribe": svc.auto_transcribe,
        "data_logging": False,
        "date_created": iso8601(svc.date_created),
        "date_updated": iso8601(svc.date_created),
        "friendly_name": svc.friendly_name,
        "language_code": svc.language_code,
        "sid": svc.sid,
        "unique_name": svc.unique_name,
        "url": f"{base_url}/v2/Services/{svc.sid}",
        "webhook_url": None,
        "webhook_http_method": "POST",
        "read_only_attached_operator_sids": [],
        "version": 1,
        "encryption_credential_sid": None,
    }


def transcript_json(tr: TranscriptRecord, base_url: str) -> dict:
    url = f"{base_url}/v2/Transcripts/{tr.sid}"
    return {
        "account_sid": tr.account_sid,
        "service_sid": tr.service_sid,
        "sid": tr.sid,
        "date_created": iso8601(tr.date_created),
        "date_updated": iso8601(tr.date_updated),
        "status": tr.status,
        "channel": tr.channel,
        "data_logging": False,
        "language_code": tr.language_code,
        "customer_key": None,
        "media_start_time": None,
        "duration": tr.duration_s,
        "url": url,
        "redaction": False,
        "encryption_credential_sid": None,
        "links": {
            "sentences": f"{url}/Sentences",
            "encrypted_sentences": f"{url}/Sentences/Encrypted",
            "media": f"{url}/Media",
            "operator_results": f"{url}/OperatorResults",
            "encrypted_operator_results": f"{url}/OperatorResults/Encrypted",
        },
    }


def key_json(key: ApiKeyRecord, *, with_secret: bool = False) -> dict:
    """A Keys resource; the secret only in the answer to its creation, as on Twilio."""
    body = {
        "sid": key.sid,
        "friendly_name": key.friendly_name,
        "date_created": rfc2822(key.date_created),
        "date_updated": rfc2822(key.date_created),
    }
    if with_secret:
        body["secret"] = key.secret
    return body
