"""Secrets (the Twilio auth token, the language model's API key) live in the OS keyring,
never in the DB, files or logs."""

from __future__ import annotations

import contextlib

SERVICE = "CallDeck/Twilio"
LLM_SERVICE = "CallDeck/LLM"
LLM_KEY_NAME = "api_key"  # one key: the endpoint in the settings


class SecretStoreUnavailable(RuntimeError):
    """No usable OS keyring: the user must set one up (or use demo mode)."""


# keyring is imported inside each function: it costs ~0.1 s, off the start-up path.

# Tokens given for this run only, when no keyring can keep them: in memory, never on disk.
_session_tokens: dict[str, str] = {}


def remember_for_session(account_sid: str, token: str) -> None:
    _session_tokens[account_sid] = token


def forget_session_token(account_sid: str) -> None:
    _session_tokens.pop(account_sid, None)


def set_auth_token(account_sid: str, token: str) -> None:
    import keyring
    from keyring.errors import KeyringError, NoKeyringError

    try:
        keyring.set_password(SERVICE, account_sid, token)
    except NoKeyringError as exc:
        raise SecretStoreUnavailable(
            "No OS keyring is available to store the Twilio auth token safely. "
            "Install and unlock a keyring (GNOME Keyring, KWallet, macOS Keychain, "
            "Windows Credential Locker), then try again."
        ) from exc
    except KeyringError as exc:  # locked, or the write was refused
        raise SecretStoreUnavailable(
            f"The OS keyring refused to store the token ({type(exc).__name__}). Unlock it "
            "and try again."
        ) from exc


def get_auth_token(account_sid: str) -> str | None:
    if account_sid in _session_tokens:
        return _session_tokens[account_sid]
    import keyring
    from keyring.errors import KeyringError, NoKeyringError

    try:
        return keyring.get_password(SERVICE, account_sid)
    except (NoKeyringError, KeyringError):
        return None


def delete_auth_token(account_sid: str) -> None:
    import keyring
    from keyring.errors import KeyringError, NoKeyringError

    with contextlib.suppress(NoKeyringError, KeyringError):
        keyring.delete_password(SERVICE, account_sid)


# An API key's secret is kept like an Auth Token, under the key's SID (SK…) instead of the
# account's: the session fallback and the keyring entry work the same way.
def set_api_key_secret(api_key_sid: str, secret: str) -> None:
    set_auth_token(api_key_sid, secret)


def get_api_key_secret(api_key_sid: str) -> str | None:
    return get_auth_token(api_key_sid)


def delete_api_key_secret(api_key_sid: str) -> None:
    delete_auth_token(api_key_sid)
    forget_session_token(api_key_sid)


NGROK_SERVICE = "CallDeck/ngrok"
NGROK_NAME = "authtoken"


def set_ngrok_authtoken(token: str) -> None:
    _set(NGROK_SERVICE, NGROK_NAME, token, "the ngrok authtoken")


def get_ngrok_authtoken() -> str | None:
    return _get(NGROK_SERVICE, NGROK_NAME)


def delete_ngrok_authtoken() -> None:
    _delete(NGROK_SERVICE, NGROK_NAME)


DATABASE_SERVICE = "CallDeck/database"  # one entry per database URL (without its password)


def set_database_password(url: str, password: str) -> None:
    _set(DATABASE_SERVICE, url, password, "the database password")


def get_database_password(url: str) -> str | None:
    return _get(DATABASE_SERVICE, url)


def delete_database_password(url: str) -> None:
    _delete(DATABASE_SERVICE, url)


def _set(service: str, name: str, secret: str, what: str) -> None:
    import keyring
    from keyring.errors import KeyringError, NoKeyringError

    try:
        keyring.set_password(service, name, secret)
    except NoKeyringError as exc:
        raise SecretStoreUnavailable(
            f"No OS keyring is available to store {what} safely. Install and unlock a "
            "keyring, then try again."
        ) from exc
    except KeyringError as exc:
        raise SecretStoreUnavailable(
            f"The OS keyring refused to store {what} ({type(exc).__name__}). Unlock it and "
            "try again."
        ) from exc


def _get(service: str, name: str) -> str | None:
    import keyring
    from keyring.errors import KeyringError, NoKeyringError

    try:
        return keyring.get_password(service, name)
    except (NoKeyringError, KeyringError):
        return None


def _delete(service: str, name: str) -> None:
    import keyring
    from keyring.errors import KeyringError, NoKeyringError

    with contextlib.suppress(NoKeyringError, KeyringError):
        keyring.delete_password(service, name)


def mask_sid(account_sid: str) -> str:
    """AC…1234: enough to recognise the account without exposing the whole SID."""
    return f"{account_sid[:2]}…{account_sid[-4:]}" if len(account_sid) > 6 else account_sid


def set_llm_api_key(key: str) -> None:
    """Keep the language model's API key in the keyring (raises SecretStoreUnavailable)."""
    _set(LLM_SERVICE, LLM_KEY_NAME, key, "the API key")


def get_llm_api_key() -> str | None:
    return _get(LLM_SERVICE, LLM_KEY_NAME)


def delete_llm_api_key() -> None:
    _delete(LLM_SERVICE, LLM_KEY_NAME)


def mask_key(key: str) -> str:
    """sk-…wxyz: shows which key is kept without showing the key."""
    return f"{key[:3]}…{key[-4:]}" if len(key) > 10 else "…"
