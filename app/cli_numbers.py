"""`calldeck account connect|status` and `calldeck numbers list|search|buy|verify|release`.

They talk to the account in Settings, or in demo mode to the embedded emulator, whose numbers
are kept in the data folder (app.paths.demo_numbers_file) so every command sees the same demo
account. Each one updates the Phone numbers cache the window shows.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from dataclasses import asdict
from typing import Any

from app.cli_args import UsageError

# Tests point `account connect` at an emulator; the command asks Twilio itself.
ACCOUNT_API_URL: str | None = None


def add_account_parsers(sub, common: argparse.ArgumentParser) -> None:
    account = sub.add_parser("account", parents=[common], help="connect a Twilio account")
    actions = account.add_subparsers(dest="action", metavar="ACTION", required=True)
    connect = actions.add_parser("connect", parents=[common], help="check it, then go live")
    connect.add_argument("--sid", required=True, help="the Account SID (AC…)")
    how = connect.add_mutually_exclusive_group(required=True)
    how.add_argument("--token-stdin", action="store_true", help="read the Auth Token from stdin")
    how.add_argument("--api-key", metavar="KEY", help="connect with this API key (SK…)")
    connect.add_argument(
        "--secret-stdin",
        action="store_true",
        help="with --api-key: read its secret from stdin (a second line: the Auth Token, "
        "optional, which the voice agent needs to check Twilio's signatures)",
    )
    connect.add_argument("--json", action="store_true")
    status = actions.add_parser("status", parents=[common], help="live or demo, which account")
    status.add_argument("--json", action="store_true")

    numbers = sub.add_parser("numbers", parents=[common], help="the account's phone numbers")
    actions = numbers.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", parents=[common], help="owned numbers and caller-IDs")
    listing.add_argument("--json", action="store_true")
    search = actions.add_parser("search", parents=[common], help="numbers for sale")
    search.add_argument("--country", default="US", help="ISO code, e.g. US, GB")
    search.add_argument("--type", default="Local", choices=["Local", "Mobile", "TollFree"])
    search.add_argument("--area-code")
    search.add_argument("--contains", help="digits the number contains")
    search.add_argument("--locality", help="a city, e.g. Austin")
    search.add_argument("--limit", type=int, default=20)
    search.add_argument("--json", action="store_true")
    for action, text in (
        ("buy", "buy a number found by search"),
        ("verify", "verify a number you have: prints the code, waits for Twilio's call"),
        ("release", "release a bought number, or remove a verified caller-ID"),
    ):
        p = actions.add_parser(action, parents=[common], help=text)
        p.add_argument("number", help="E.164, e.g. +14155550100")


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, default=str, ensure_ascii=False))


def cmd_account(args: argparse.Namespace) -> int:
    from app.cli import _home, _store

    store = _store(args)
    try:
        if args.action == "connect":
            return _connect(store, args)
        return _status(store, _home(args), args.json)
    finally:
        store.dispose()


def _connect(store, args: argparse.Namespace) -> int:
    from app.secrets import SecretStoreUnavailable, delete_api_key_secret, mask_sid
    from app.services import NO_AUTH_TOKEN_FOR_AGENT, Credentials
    from app.settings import get_setting, set_setting
    from app.store.numbers import replace_account_numbers
    from app.telephony.account import TRIAL_LIMITS, AccountRefused

    if bool(args.api_key) != bool(args.secret_stdin):
        raise UsageError("--api-key and --secret-stdin go together")
    first = sys.stdin.readline().strip()
    if args.api_key:  # the secret, then optionally the Auth Token for the voice agent
        credentials = Credentials(sys.stdin.readline().strip(), args.api_key, first)
    else:
        credentials = Credentials(first)

    async def check_and_list():
        info = await credentials.check(args.sid, ACCOUNT_API_URL)
        provider = credentials.connection(info.sid, ACCOUNT_API_URL).provider()
        try:
            return info, await provider.list_numbers()
        finally:
            await provider.close()

    try:
        info, numbers = asyncio.run(check_and_list())
        credentials.keep(info.sid, session_fallback=False)  # a command has no "session"
    except AccountRefused as exc:
        raise UsageError(str(exc)) from exc
    except SecretStoreUnavailable as exc:
        raise UsageError(f"{exc} (The window can keep it for its session only.)") from exc
    api_key = credentials.api_key
    with store.session.begin() as session:
        previous_key = get_setting(session, "twilio_api_key_sid")
        set_setting(session, "twilio_account_sid", info.sid)
        set_setting(session, "twilio_last_account_sid", info.sid)
        set_setting(session, "twilio_api_key_sid", api_key)
        set_setting(session, "twilio_account_name", info.friendly_name)
        set_setting(session, "twilio_account_trial", info.trial)
        replace_account_numbers(session, numbers)
    if previous_key and previous_key != api_key:
        delete_api_key_secret(previous_key)  # the key it replaces is not kept
    if args.json:
        data = _account_json(info.sid, info.friendly_name, info.trial, live=True)
        data["api_key"] = mask_sid(api_key) if api_key else None
        _print_json(data)
    else:
        how = f" by API key {mask_sid(api_key)}" if api_key else ""
        print(f"connected: {info.describe()} {mask_sid(info.sid)}{how}; calls go to it from now on")
        if info.trial:
            print(TRIAL_LIMITS)
        if api_key and not credentials.token:
            print(NO_AUTH_TOKEN_FOR_AGENT)
    return 0


def _account_json(sid: str | None, name: str | None, trial: bool, *, live: bool) -> dict:
    from app.secrets import mask_sid

    return {
        "mode": "live" if live else "demo",
        "account_sid": mask_sid(sid) if sid else None,
        "account_name": name,
        "trial": trial,
    }


def _status(store, home, as_json: bool) -> int:
    from app.secrets import mask_sid
    from app.services import credentials_kept
    from app.settings import get_setting

    with store.session() as session:
        sid = get_setting(session, "twilio_account_sid")
        name = get_setting(session, "twilio_account_name")
        trial = bool(get_setting(session, "twilio_account_trial")) if sid else False
        api_key = get_setting(session, "twilio_api_key_sid") if sid else None
    data = _account_json(sid, name, trial, live=bool(sid))
    data["api_key"] = mask_sid(api_key) if api_key else None
    data["token_available"] = credentials_kept(store, sid) if sid else None
    if as_json:
        _print_json(data)
    elif sid:
        kind = "trial account" if trial else "account"
        print(f"live: Twilio {kind} {data['account_sid']} ({name or 'name not read yet'})")
        if not data["token_available"]:
            what = "API key's secret" if api_key else "Auth Token"
            print(f"the {what} is not in the keyring: run 'calldeck account connect' again")
    else:
        print("demo mode: calls go to the built-in emulator (simulated)")
    return 0


@contextlib.asynccontextmanager
async def account_provider(store, home):
    """The provider for the account in use: Twilio, or the embedded emulator in demo mode."""
    from app.paths import demo_numbers_file
    from app.services import SetupError, choose_connection
    from app.telephony.twilio_provider import TwilioProvider

    try:
        connection = choose_connection(store, demo_when_unconfigured=True)
    except SetupError as exc:
        raise UsageError(str(exc)) from exc
    emulator = None
    if connection.kind == "embedded":
        from app.telephony.emulator import EmulatorThread

        emulator = EmulatorThread(speed=connection.speed, numbers_file=demo_numbers_file(home))
        await asyncio.to_thread(emulator.start)
        provider = TwilioProvider(
            emulator.account_sid, emulator.auth_token, base_url=emulator.base_url
        )
    else:
        provider = connection.provider()
    try:
        yield provider
    finally:
        await provider.close()
        if emulator is not None:
            await asyncio.to_thread(emulator.stop)


def cmd_numbers(args: argparse.Namespace) -> int:
    from app.cli import _home, _store
    from app.telephony.errors import ProviderError

    store = _store(args)
    home = _home(args)

    async def run() -> int:
        async with account_provider(store, home) as provider:
            return await NUMBER_ACTIONS[args.action](store, provider, args)

    try:
        return asyncio.run(run())
    except ProviderError as exc:
        raise UsageError(exc.user_message) from exc
    finally:
        store.dispose()


def _e164(raw: str) -> str:
    from app.domain.phone import InvalidPhone, to_e164

    try:
        return to_e164(raw)
    except InvalidPhone as exc:
        raise UsageError(f"{raw!r}: {exc}") from exc


async def _list(store, provider, args) -> int:
    from app.store.numbers import last_refreshed, list_numbers, replace_account_numbers
    from app.telephony.errors import ConnectionFailed

    try:
        listed = await provider.list_numbers()
    except ConnectionFailed:  # offline: what was read last time, and when
        listed = []
        with store.session() as session:
            at = last_refreshed(session)
        when = f"{at.astimezone():%Y-%m-%d %H:%M}" if at else "never"
        print(f"calldeck: Twilio cannot be reached; as last read ({when}):", file=sys.stderr)
    else:
        with store.session.begin() as session:
            replace_account_numbers(session, listed)
    with store.session() as session:
        cached = list_numbers(session)
    on_account = {n.phone_number: n for n in listed}
    rows = [
        {
            "number": n.e164,
            "friendly_name": n.friendly_name,
            "kind": n.kind,
            "can_call_from": n.can_call_from,
            "voice": on_account[n.e164].capabilities.get("voice", False)
            if n.e164 in on_account
            else False,
        }
        for n in cached
    ]
    if args.json:
        _print_json(rows)
    else:
        for row in rows:
            usable = "can call from it" if row["can_call_from"] else "not on the account"
            print(f"{row['number']}\t{row['kind']}\t{usable}\t{row['friendly_name']}")
    return 0


async def _search(store, provider, args) -> int:
    found = await provider.search_numbers(
        args.country,
        area_code=args.area_code,
        limit=args.limit,
        contains=args.contains,
        locality=args.locality,
        number_type=args.type,
    )
    if args.json:
        _print_json([asdict(n) for n in found])
    else:
        for n in found:
            where = ", ".join(part for part in (n.locality, n.region) if part)
            print(f"{n.phone_number}\t{n.friendly_name}\t{where}")
        if not found:
            print("no number matches: widen the search")
    return 0


async def _buy(store, provider, args) -> int:
    from app.store.numbers import record_account_numbers

    bought = await provider.buy_number(_e164(args.number))
    with store.session.begin() as session:
        record_account_numbers(session, [bought])
    print(
        f"bought {bought.phone_number}; Twilio bills its monthly fee until it is released "
        "(the demo account charges nothing)"
    )
    return 0


async def _verify(store, provider, args) -> int:
    from app.store.numbers import replace_account_numbers
    from app.telephony.caller_ids import verify_caller_id

    e164 = _e164(args.number)

    def show(code: str) -> None:
        print(
            f"Twilio is calling {e164}: when asked, type {code} on the phone's keypad", flush=True
        )

    numbers = await verify_caller_id(provider, e164, show)
    with store.session.begin() as session:
        replace_account_numbers(session, numbers)
    print(f"verified {e164}: campaigns can call from it")
    return 0


async def _release(store, provider, args) -> int:
    from app.store.numbers import campaigns_using, forget_from_account

    e164 = _e164(args.number)
    listed = {n.phone_number: n for n in await provider.list_numbers()}
    number = listed.get(e164)
    if number is None:
        raise UsageError(f"{e164} is not on the account: there is nothing to release")
    if number.kind == "owned":
        await provider.release_number(number.sid)
        done = f"released {e164}: it went back to Twilio"
    else:
        await provider.remove_caller_id(number.sid)
        done = f"removed the caller-ID {e164}"
    with store.session.begin() as session:
        forget_from_account(session, e164)
        using = campaigns_using(session, e164)
    print(done)
    if using:
        print(f"campaigns that called from it need another caller-ID: {', '.join(using)}")
    return 0


NUMBER_ACTIONS = {
    "list": _list,
    "search": _search,
    "buy": _buy,
    "verify": _verify,
    "release": _release,
}
