"""Connecting a Twilio account: ask Twilio at once, and say precisely what is wrong.

`check_account` fetches the account with the credentials given (an Auth Token, or an API key
and its secret) and returns an `AccountInfo`; every refusal is an `AccountRefused` worded for
the user (bad credentials, suspended or closed, no network). A trial account is accepted, with
`TRIAL_LIMITS` saying what it cannot do.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.telephony.errors import AuthenticationFailed, ConnectionFailed, ProviderError

TRIAL_LIMITS = (
    "A trial account calls only numbers verified on it (Phone numbers › Verify), one call at "
    "a time, and Twilio plays a trial notice before each call. Upgrade it in the Twilio "
    "Console to call anyone."
)


class AccountRefused(Exception):
    """The account cannot be used; the message says why and what to do."""


@dataclass(frozen=True)
class AccountInfo:
    sid: str
    friendly_name: str
    status: str  # Twilio's: active | suspended | closed
    trial: bool

    @property
    def kind(self) -> str:
        return "trial" if self.trial else "full"

    def describe(self) -> str:
        kind = "trial account" if self.trial else "account"
        return f"Twilio {kind} {self.friendly_name!r}"


def account_info_from(account) -> AccountInfo:
    """The SDK's AccountInstance as plain data."""
    return AccountInfo(
        sid=str(account.sid),
        friendly_name=str(account.friendly_name or account.sid),
        status=str(account.status or "active"),
        trial=str(account.type or "").lower() == "trial",
    )


def check_sid(account_sid: str) -> None:
    """Raise AccountRefused unless *account_sid* looks like an Account SID."""
    if not (account_sid.startswith("AC") and len(account_sid) == 34):
        raise AccountRefused(
            "An Account SID starts with AC and has 34 characters (Twilio Console › Account Info)."
        )


def refusal_for(info: AccountInfo) -> str | None:
    """Why an account Twilio knows cannot place calls, or None."""
    if info.status == "suspended":
        return (
            "This Twilio account is suspended: it cannot place calls. "
            "Resolve it in the Twilio Console (billing or compliance), then connect again."
        )
    if info.status == "closed":
        return "This Twilio account is closed. Connect another account."
    return None


def _explained(err: ProviderError) -> str:
    if isinstance(err, AuthenticationFailed):
        return (
            "Twilio rejected these credentials (error 20003). "
            "Copy the Account SID and the Auth Token (or the API key SID and secret) again "
            "from the Twilio Console; a token changes when it is rotated."
        )
    if isinstance(err, ConnectionFailed):
        return (
            "CallDeck could not reach Twilio (api.twilio.com): check the internet connection "
            "or the proxy, then press Connect again. Nothing was saved."
        )
    return err.user_message


async def check_account(
    account_sid: str,
    secret: str,
    *,
    api_key: str | None = None,
    base_url: str | None = None,
) -> AccountInfo:
    """Fetch the account with these credentials; raise AccountRefused with the reason.

    *secret* is the Auth Token, or with *api_key* (SK…) that key's secret. *base_url* points
    at an emulator instead of Twilio.
    """
    from app.telephony.twilio_provider import TwilioProvider

    check_sid(account_sid)
    if not secret:
        raise AccountRefused("Enter the Auth Token (or the API key's secret) too.")
    if api_key is not None and not (api_key.startswith("SK") and len(api_key) == 34):
        raise AccountRefused("An API key SID starts with SK and has 34 characters.")
    provider = TwilioProvider(
        account_sid, secret, api_key=api_key, base_url=base_url, max_retries=0, timeout_s=10.0
    )
    try:
        info = await provider.account_info()
    except ProviderError as err:
        raise AccountRefused(_explained(err)) from err
    finally:
        await provider.close()
    if (refusal := refusal_for(info)) is not None:
        raise AccountRefused(refusal)
    return info
