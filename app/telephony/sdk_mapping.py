"""SDK instances to CallDeck's plain dataclasses (the provider never returns SDK objects)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from app.telephony.base import TWILIO_TO_CONTACT_STATUS, CallInfo, OwnedNumber, RecordingInfo


def as_int(value: Any) -> int | None:
    """Twilio's string counts ("14", "-1" while unknown) as an int, or None."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


def as_seconds(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def call_info(inst: Any) -> CallInfo:
    status = str(inst.status or "queued")
    return CallInfo(
        sid=inst.sid,
        to=inst.to,
        from_=inst._from,
        provider_status=status,
        status=TWILIO_TO_CONTACT_STATUS.get(status, "calling"),
        created_at=inst.date_created,
        start_time=inst.start_time,
        end_time=inst.end_time,
        duration_s=as_int(inst.duration),
        answered_by=inst.answered_by,
    )


def recording_info(rec: Any) -> RecordingInfo:
    return RecordingInfo(
        sid=rec.sid,
        call_sid=rec.call_sid,
        duration_s=as_int(rec.duration),
        status=str(rec.status),
        media_url=getattr(rec, "media_url", None),
    )


def owned_number(num: Any, kind: str) -> OwnedNumber:
    caps = {k: bool(v) for k, v in (getattr(num, "capabilities", None) or {}).items()}
    if kind == "verified":
        caps = caps or {"voice": True}
    return OwnedNumber(num.sid, num.phone_number, num.friendly_name, kind, caps)


def failure_reason(notifications: list[Any]) -> tuple[int, str] | None:
    """(code, the sentence the user reads) from a call's Notifications, errors before
    warnings; None when Twilio logged nothing."""
    ranked = sorted(notifications, key=lambda n: str(n.log or "1") != "0")
    for note in ranked:
        code = as_int(note.error_code)
        if code is None:
            continue
        text = str(note.message_text or "")
        # message_text is form-encoded ("Msg=...&ErrorCode=..."); plain text is kept as is.
        text = parse_qs(text).get("Msg", [text])[0].strip()
        return code, f"Twilio: {text or 'the call failed'} (error {code})."
    return None
