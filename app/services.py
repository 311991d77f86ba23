"""The one wiring of what dials, for the window (app/ui/app.py) and `calldeck run` alike.

Two steps, so that everything that can refuse a run is known before anything starts:
`choose_connection` decides where calls go (the Twilio account in Settings, the embedded
emulator, or an emulator at a URL) and raises SetupError with what to do; `open_services`
then builds the provider (starting the emulator first in demo mode) and the dialer, and
`Services.close` takes them down in the reverse order. The agent's relay server joins here.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.paths import demo_numbers_file, recordings_dir
from app.secrets import mask_sid
from app.settings import get_setting

if TYPE_CHECKING:
    from app.agents.relay.server import RelayServer
    from app.dialer.service import DialerService
    from app.store.engine import Store
    from app.telephony.account import AccountInfo
    from app.telephony.emulator import EmulatorThread
    from app.telephony.public_address import Tunnel
    from app.telephony.twilio_provider import TwilioProvider

# Demo calls in the window last a few seconds instead of half a minute.
DEMO_EMULATOR_SPEED = 4.0
EMULATOR_SPEED_ENV = "CALLDECK_EMULATOR_SPEED"


class SetupError(Exception):
    """Calls cannot go anywhere yet; the message says what to do."""


@dataclass(frozen=True)
class Connection:
    """Where calls go. *kind*: "twilio" (live), "embedded" (an emulator this process runs)
    or "external" (an emulator at *base_url*)."""

    kind: str
    account_sid: str | None = None
    # Signs Twilio's requests to the relay; with no API key it also authenticates the calls.
    auth_token: str | None = field(default=None, repr=False)
    base_url: str | None = None
    speed: float = 1.0
    api_key: str | None = None  # SK…: the REST calls authenticate with it and its secret
    api_secret: str | None = field(default=None, repr=False)

    @property
    def simulated(self) -> bool:
        return self.kind != "twilio"

    def provider(self) -> TwilioProvider:
        """The provider on these credentials (not for "embedded": its emulator has them)."""
        from app.telephony.twilio_provider import TwilioProvider

        if self.api_key:
            return TwilioProvider(
                self.account_sid, self.api_secret, api_key=self.api_key, base_url=self.base_url
            )
        return TwilioProvider(self.account_sid, self.auth_token, base_url=self.base_url)

    def label(self, emulator_url: str | None = None) -> str:
        if self.kind == "twilio":
            return f"Twilio account {mask_sid(self.account_sid or '')} (live calls)"
        if self.kind == "embedded":
            where = f" at {emulator_url}" if emulator_url else ""
            return f"embedded emulator{where} (simulated calls)"
        return f"emulator at {self.base_url} (simulated)"


def _emulator_speed(default: float) -> float:
    return float(os.environ.get(EMULATOR_SPEED_ENV) or default)


def choose_connection(
    store: Store, emulator: str | bool | None = None, *, demo_when_unconfigured: bool = False
) -> Connection:
    """*emulator* True: the embedded emulator; a URL: that emulator (its credentials in
    TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN); None: the account in Settings, or, with
    *demo_when_unconfigured* and no account at all, the embedded emulator (demo mode).

    A configured account whose token is unavailable is an error, never a quiet switch to
    the emulator: that would put simulated results on real contacts.
    """
    if emulator is True:
        return Connection("embedded", speed=_emulator_speed(1.0))
    if isinstance(emulator, str) and emulator:
        sid, token = os.environ.get("TWILIO_ACCOUNT_SID"), os.environ.get("TWILIO_AUTH_TOKEN")
        if not sid or not token:
            raise SetupError(
                "--emulator URL needs the emulator's credentials in TWILIO_ACCOUNT_SID and "
                "TWILIO_AUTH_TOKEN (the emulator prints them when it starts)."
            )
        return Connection("external", account_sid=sid, auth_token=token, base_url=emulator)
    with store.session() as session:
        sid = get_setting(session, "twilio_account_sid")
        api_key = get_setting(session, "twilio_api_key_sid")
    if not sid:
        if demo_when_unconfigured:
            return Connection("embedded", speed=_emulator_speed(DEMO_EMULATOR_SPEED))
        raise SetupError(
            "No Twilio account is set up. Add one in Settings (or run with --emulator for "
            "simulated calls)."
        )
    from app.secrets import get_api_key_secret, get_auth_token

    token = get_auth_token(sid)
    if api_key:
        secret = get_api_key_secret(api_key)
        if not secret:
            raise SetupError(
                f"The secret of API key {mask_sid(api_key)} (Twilio account {mask_sid(sid)}) is "
                "not in the keyring. Enter it again in Settings; no calls are placed until then."
            )
        return Connection(
            "twilio", account_sid=sid, auth_token=token, api_key=api_key, api_secret=secret
        )
    if not token:
        raise SetupError(
            f"The auth token for Twilio account {mask_sid(sid)} is not in the keyring. "
            "Enter it again in Settings; no calls are placed until then."
        )
    return Connection("twilio", account_sid=sid, auth_token=token)


def credentials_kept(store: Store, account_sid: str) -> bool:
    """Whether the keyring (or this session) still has what connects *account_sid*."""
    from app.secrets import get_api_key_secret, get_auth_token

    with store.session() as session:
        api_key = get_setting(session, "twilio_api_key_sid")
    if api_key:
        return get_api_key_secret(api_key) is not None
    return get_auth_token(account_sid) is not None


@dataclass(frozen=True)
class Credentials:
    """What Connect was given: an Auth Token, or an API key and its secret (the token then
    optional, for the voice agent's signatures)."""

    token: str
    api_key: str | None = None
    api_secret: str = field(default="", repr=False)

    async def check(self, account_sid: str, api_url: str | None = None) -> AccountInfo:
        """Ask Twilio (or the emulator at *api_url*); raises AccountRefused with the reason."""
        from app.telephony.account import AccountRefused, check_account

        if self.api_key is None:
            return await check_account(account_sid, self.token, base_url=api_url)
        if not self.api_key:
            raise AccountRefused("Enter the API key's SID (SK…) and its secret.")
        info = await check_account(
            account_sid, self.api_secret, api_key=self.api_key, base_url=api_url
        )
        if self.token:  # a wrong token would only show when the agent's first call fails
            await check_account(account_sid, self.token, base_url=api_url)
        return info

    def connection(self, account_sid: str, base_url: str | None = None) -> Connection:
        """Live calls on these credentials (*base_url*: an emulator standing for Twilio)."""
        return Connection(
            "twilio",
            account_sid=account_sid,
            auth_token=self.token or None,
            base_url=base_url,
            api_key=self.api_key,
            api_secret=self.api_secret or None,
        )

    def keep(self, account_sid: str, *, session_fallback: bool = True) -> str:
        """Into the keyring, or (*session_fallback*) for this session only; says which."""
        from app.secrets import (
            SecretStoreUnavailable,
            remember_for_session,
            set_api_key_secret,
            set_auth_token,
        )

        what, them = ("the secrets are", "them") if self.api_key else ("the token is", "it")
        try:
            if self.api_key:
                set_api_key_secret(self.api_key, self.api_secret)
            if self.token:
                set_auth_token(account_sid, self.token)
            return f"{what} in the OS keyring"
        except SecretStoreUnavailable:  # never in clear on disk
            if not session_fallback:
                raise
            if self.api_key:
                remember_for_session(self.api_key, self.api_secret)
            if self.token:
                remember_for_session(account_sid, self.token)
            return (
                f"there is no OS keyring, so {what} kept for this session only: enter {them} "
                "again after CallDeck restarts"
            )


@dataclass
class Services:
    """What dials, built by open_services; close() once when done."""

    store: Store
    connection: Connection
    provider: TwilioProvider
    dialer: DialerService
    emulator: EmulatorThread | None = None
    relay: RelayServer | None = None
    tunnel: Tunnel | None = None

    @property
    def label(self) -> str:
        return self.connection.label(self.emulator.base_url if self.emulator else None)

    async def close(self) -> None:
        """Stop the dialer (it cancels and awaits its tasks), then the provider, then the
        emulator; each runs even if an earlier one failed."""
        try:
            await self.dialer.stop()
        finally:
            try:
                if self.tunnel is not None:
                    await self.tunnel.close()
                if self.relay is not None:
                    await self.relay.close()
            finally:
                try:
                    await self.provider.close()
                finally:
                    if self.emulator is not None:
                        await asyncio.to_thread(self.emulator.stop)


async def open_services(
    store: Store, connection: Connection, *, cps: float | None = None
) -> Services:
    """Build the provider (the emulator first, in demo mode) and the dialer; the caller
    subscribes to the dialer, then starts it. *cps* overrides the Settings cap."""
    from app.dialer.service import DialerService
    from app.telephony.twilio_provider import TwilioProvider

    emulator = None
    if connection.kind == "embedded":
        from app.telephony.emulator import EmulatorThread

        # The demo account's numbers (bought, verified) persist, as the CLI's do.
        emulator = EmulatorThread(
            speed=connection.speed, numbers_file=demo_numbers_file(store.home)
        )
        base_url = await asyncio.to_thread(emulator.start)
        provider = TwilioProvider(emulator.account_sid, emulator.auth_token, base_url=base_url)
    else:
        provider = connection.provider()
    from app.telephony.public_address import AddressError

    relay = tunnel = None
    try:
        with store.session() as session:
            poll = float(get_setting(session, "poll_interval_s"))
            public_url = get_setting(session, "public_url")
            relay_port = int(get_setting(session, "relay_port"))
            tunnel_wanted = bool(get_setting(session, "ngrok_tunnel"))
        live = connection.kind == "twilio"
        try:
            relay, agent_calls, callbacks = await _start_relay(
                store,
                provider,
                # No token (API key only): every upgrade is refused, and so is every start.
                auth_token=emulator.auth_token if emulator else connection.auth_token or "",
                port=relay_port if live else 0,
                time_scale=connection.speed if connection.simulated else 1.0,
            )
        except OSError as exc:
            raise SetupError(
                f"The voice agent's relay cannot listen on port {relay_port} ({exc.strerror}). "
                "Choose another relay port in Settings, or close what uses it."
            ) from exc
        refusal = None
        if live and not connection.auth_token:
            refusal = NO_AUTH_TOKEN_FOR_AGENT
        elif live:
            try:
                tunnel = await _reach(relay, public_url, tunnel_wanted)
            except AddressError as exc:
                refusal = f"{exc} No call was placed."
        dialer = DialerService(
            store,
            provider,
            recordings_dir=recordings_dir(store.home),
            cps=cps,
            poll_interval_s=poll,
            simulated=connection.simulated,
            agent_calls=agent_calls,
            agent_refusal=refusal,
            # Twilio reaches the relay (the emulator on this machine, or a checked public
            # address): calls are followed by callbacks. Otherwise they are polled.
            callbacks=callbacks if refusal is None else None,
        )
        relay.on_result = dialer.store_agent_result
        inbox = dialer.inbox
        if inbox is not None:
            relay.answered_by = inbox.verdict  # the relay bounds the wait (AMD_HOLD_S)
    except BaseException:
        if tunnel is not None:
            await tunnel.close()
        if relay is not None:
            await relay.close()
        await provider.close()
        if emulator is not None:
            await asyncio.to_thread(emulator.stop)
        raise
    return Services(store, connection, provider, dialer, emulator, relay, tunnel)


# An API key authenticates CallDeck to Twilio, not Twilio to CallDeck: Twilio signs its
# connection to the voice agent with the account's Auth Token (REFERENCE.md, signatures).
NO_AUTH_TOKEN_FOR_AGENT = (
    "This account is connected by API key only. Twilio signs its connection to the voice agent "
    "with the Auth Token, which an API key cannot check: add the Auth Token in Settings › "
    "Twilio account (it stays on this computer), then start the campaign again."
)

NO_PUBLIC_ADDRESS = (
    "Live calls need a public address for the voice agent: set one in Settings (an https:// "
    "address that forwards to this computer's relay port), or turn on the ngrok tunnel."
)


async def _reach(relay: RelayServer, public_url: str | None, tunnel_wanted: bool):
    """Give the relay the address Twilio will use, after checking it reaches the relay;
    the ngrok tunnel when one was opened (raises AddressError)."""
    from app.secrets import get_ngrok_authtoken
    from app.telephony.public_address import AddressError, check_reachable, open_tunnel

    tunnel = None
    if tunnel_wanted:
        authtoken = get_ngrok_authtoken()
        if not authtoken:
            raise AddressError(
                "The ngrok tunnel is on but its authtoken is not in the keyring: enter it "
                "again in Settings."
            )
        tunnel = await open_tunnel(relay.port, authtoken)
        public_url = tunnel.url
    if not public_url:
        raise AddressError(NO_PUBLIC_ADDRESS)
    try:
        await check_reachable(public_url, relay.relay_id)
    except AddressError:
        if tunnel is not None:
            await tunnel.close()
        raise
    relay.use_public_url(public_url)
    return tunnel


async def _start_relay(store, provider, *, auth_token, port, time_scale):
    """The agent's ConversationRelay server, and the dialer's side of it."""
    from app.agents.flow import Conversation
    from app.agents.llm import LlmResponder, llm_config
    from app.agents.relay.server import RelayServer
    from app.agents.responder import Responder
    from app.dialer.agent_calls import AgentCalls
    from app.telephony.callback_routes import CallbackRoutes

    async def answered_by(call_sid: str) -> str | None:
        return (await provider.fetch_call(call_sid)).answered_by

    def responder(conversation: Conversation) -> Responder:
        """With a language model when one is configured (read per call, so a change in
        Settings applies from the next call)."""
        with store.session() as session:
            config = llm_config(session)
        return LlmResponder(conversation, config) if config else Responder(conversation)

    callbacks = CallbackRoutes(auth_token, lambda: relay.http_base)
    relay = RelayServer(
        responder=responder,
        auth_token=auth_token,
        port=port,
        time_scale=time_scale,
        answered_by=answered_by,
        routes=(callbacks.add_to,),
    )
    await relay.start()
    return relay, AgentCalls(store, relay), callbacks


# -- the team's database -----------------------------------------------------------------------


def split_database_url(url: str) -> tuple[str, str | None]:
    """*url* without its password, and the password (None: none given). Raises ValueError."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url.strip())
    except ArgumentError:
        raise ValueError(
            "not a database URL (e.g. postgresql+psycopg://calldeck@db.example.lan/calldeck)"
        ) from None
    bare = parsed._replace(password=None).render_as_string(hide_password=False)  # set() keeps it
    return bare, parsed.password


def team_database_url() -> str | None:
    """The shared database this user chose in Settings (None: this computer's SQLite file),
    with its password from the keyring: the user's settings file holds the URL without it."""
    from app.secrets import get_database_password
    from app.settings import get_user_setting

    bare = get_user_setting("team_database_url")
    if not bare:
        return None
    from sqlalchemy.engine import make_url

    password = get_database_password(bare)
    url = make_url(bare)
    return url.set(password=password).render_as_string(hide_password=False) if password else bare


def keep_team_database(url: str, password: str | None) -> str:
    """Remember *url* ("" forgets it) as this user's team database, the password in the
    keyring (raises SecretStoreUnavailable, ValueError); the URL as kept, without it."""
    from app.secrets import delete_database_password, set_database_password
    from app.settings import get_user_setting, set_user_setting

    previous = get_user_setting("team_database_url")
    if not url.strip():
        if previous:
            delete_database_password(previous)
        set_user_setting("team_database_url", "")
        return ""
    bare, inline = split_database_url(url)
    if not bare.startswith("postgresql"):
        raise ValueError("a team database is a PostgreSQL server (postgresql+psycopg://…)")
    password = password or inline
    if password:
        set_database_password(bare, password)
    if previous and previous != bare:
        delete_database_password(previous)
    set_user_setting("team_database_url", bare)
    return bare
