"""Non-secret settings kept in the database (secrets go to app.secrets / the OS keyring)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.store.models import Setting
from app.store.numbers import last_refreshed
from app.store.start_checks import AccountInUse

DEFAULTS: dict[str, Any] = {
    "calls_per_second": 1.0,  # Twilio's default account CPS
    "default_region": "US",
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
