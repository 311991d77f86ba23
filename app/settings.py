"""Settings: the team's, kept in the database, and each user's own, kept in their config
folder (user_settings_file). Secrets go to app.secrets / the OS keyring."""

from __future__ import annotations

import getpass
import json
import logging
import os
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy.orm import Session

from app.domain.campaign_settings import DEFAULTS as CAMPAIGN_DEFAULTS
from app.domain.team_defaults import DEFAULT_CPS, DEFAULT_DISPOSITIONS, DEFAULT_RECORDING_NOTICE
from app.store.models import Setting
from app.store.numbers import last_refreshed
from app.store.start_checks import AccountInUse

log = logging.getLogger(__name__)

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
    "operator_name": "",  # older workspaces' shared name: each user's own comes first
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


# Per user, not per team: two supervisors on one database each sign their own notes.
USER_DEFAULTS: dict[str, Any] = {
    "operator_name": "",  # "Your name", stamped on the notes and dispositions you set
    # The team's shared database (PostgreSQL URL without its password, which is in the
    # keyring); "": this computer's SQLite file. --db and $CALLDECK_DB come first.
    "team_database_url": "",
}


def user_settings_file() -> Path:
    """This user's own settings: $CALLDECK_USER_CONFIG (a folder), else the platform's config
    folder. Not the data folder: that may be shared, and so may the database."""
    chosen = os.environ.get("CALLDECK_USER_CONFIG")
    folder = Path(chosen) if chosen else Path(platformdirs.user_config_dir("CallDeck", False))
    return folder / "user.json"


def get_user_setting(key: str) -> Any:
    return _user_settings().get(key, USER_DEFAULTS.get(key))


def set_user_setting(key: str, value: Any) -> None:
    if key not in USER_DEFAULTS:
        raise KeyError(f"unknown user setting {key!r}")
    settings = _user_settings() | {key: value}
    path = user_settings_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(settings, indent=2), encoding="utf-8")
    partial.replace(path)  # never a half-written file


def _user_settings() -> dict[str, Any]:
    path = user_settings_file()
    try:
        settings = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        log.warning("cannot read %s (%s); using the defaults", path, exc)
        return {}
    return settings if isinstance(settings, dict) else {}


def operator_name(session: Session | None = None) -> str:
    """Who is making changes: this user's name, else the team's older shared operator_name
    setting, else the OS user."""
    name = (get_user_setting("operator_name") or "").strip()
    if not name and session is not None:
        name = (get_setting(session, "operator_name") or "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        return "operator"


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
