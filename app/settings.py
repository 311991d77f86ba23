"""Non-secret settings kept in the database (secrets go to app.secrets / the OS keyring)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.domain.campaign_settings import DEFAULTS as CAMPAIGN_DEFAULTS
from app.domain.team_defaults import DEFAULT_CPS, DEFAULT_DISPOSITIONS, DEFAULT_RECORDING_NOTICE
from app.store.models import Setting
from app.store.numbers import last_refreshed
from app.store.start_checks import AccountInUse

DEFAULTS: dict[str, Any] = {
    # Team defaults (Settings › Defaults); per-user ones (window layout) are in QSettings.
    "calls_per_second": DEFAULT_CPS,
    "default_region": "US",  # reads national numbers of contacts and caller-IDs
    # New campaigns start from this calling window (each contact's local time).
    "default_window_start": CAMPAIGN_DEFAULTS.window_start,
    "default_window_end": CAMPAIGN_DEFAULTS.window_end,
    "default_window_days": CAMPAIGN_DEFAULTS.window_days,
    "dispositions": DEFAULT_DISPOSITIONS,  # Results' buttons, in order (keys 1-9)
    "record_calls": True,
    "recording_notice": DEFAULT_RECORDING_NOTICE,  # the agent says it when calls are recorded
    "twilio_account_sid": None,  # the token is in the keyring
    # The API key (SK…) the account connects with; None: its Auth Token. Its secret is in the
    # keyring under this SID.
    "twilio_api_key_sid": None,
    "twilio_account_name": None,  # as Twilio names it, read when the account is connected
    "twilio_account_trial": False,  # a trial account: verified numbers only, one call at once
    # The account last used live: "switch back to live" needs only its token (in the keyring).
    "twilio_last_account_sid": None,
    "numbers_refreshed_at": None,  # ISO time the Phone numbers cache was read (app.store.numbers)
    "public_url": None,  # for signed status callbacks and ConversationRelay
    "relay_port": 8780,  # the local port the public address forwards to (live calls)
    "ngrok_tunnel": False,  # open an ngrok tunnel to the relay port (authtoken in the keyring)
    "poll_interval_s": 2.0,
    "operator_name": "",
    # The voice agent's optional language model (any OpenAI-compatible endpoint); None: none.
    # Its API key is in the keyring (app.secrets), never here.
    "llm_base_url": None,  # e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1
    "llm_model": None,
    "llm_embedding_model": None,  # optional: fuses embeddings with BM25 in the knowledge base
}


def get_setting(session: Session, key: str) -> Any:
    row = session.get(Setting, key)
    if row is None:
        return DEFAULTS.get(key)
    return row.value.get("v")


def set_setting(session: Session, key: str, value: Any) -> None:
    if key not in DEFAULTS:
        raise KeyError(f"unknown setting {key!r}")
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value={"v": value}))
    else:
        row.value = {"v": value}


def team_dispositions(session: Session) -> list[str]:
    return list(get_setting(session, "dispositions"))


def new_campaign_defaults(session: Session) -> dict[str, str]:
    """What a new campaign starts from (CampaignSettings fields), the team's calling window."""
    return {
        field: get_setting(session, f"default_{field}")
        for field in ("window_start", "window_end", "window_days")
    }


def account_in_use(session: Session, dialer_refusal: str | None = None) -> AccountInUse:
    """Where calls go, for the start checks: live when an account is set in Settings."""
    live = bool(get_setting(session, "twilio_account_sid"))
    trial = live and bool(get_setting(session, "twilio_account_trial"))
    return AccountInUse(
        live=live,
        trial=trial,
        dialer_refusal=dialer_refusal,
        numbers_known=last_refreshed(session) is not None,
    )
