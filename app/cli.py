"""The `calldeck` command. Heavy modules are imported inside each command to keep start-up fast."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from app import app_version
from app.agents.cli import add_agent_parser, cmd_agent
from app.cli_args import (
    SettingsHelpFormatter,
    UsageError,
    add_campaign_options,
    parse_start_at,
    setting_changes,
    split_open_files,
)
from app.cli_db import add_db_parser, cmd_db
from app.cli_numbers import add_account_parsers, cmd_account, cmd_numbers

log = logging.getLogger("calldeck")


def _positive_float(text: str) -> float:
    value = float(text)
    if not 0 < value < float("inf"):  # also refuses nan
        raise argparse.ArgumentTypeError("must be a number more than 0")
    return value


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError("must be 0 (any free port) to 65535")
    return value


def _common_options(*, defaults: bool) -> argparse.ArgumentParser:
    """--home, --db and -v, accepted before and after the command. Only the top level sets
    defaults: a subcommand's own default would overwrite `calldeck --home DIR import …`."""
    extra = {} if defaults else {"default": argparse.SUPPRESS}
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--home", help="data directory (default: $CALLDECK_HOME or the OS data dir)", **extra
    )
    common.add_argument(
        "--db",
        help="SQLAlchemy database URL (default: $CALLDECK_DB, the team database in Settings, or SQLite)",
        **extra,
    )
    common.add_argument("-v", "--verbose", action="store_true", help="log more detail", **extra)
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common_options(defaults=False)
    parser = argparse.ArgumentParser(
        prog="calldeck",
        parents=[_common_options(defaults=True)],
        description="Outbound call campaigns on Twilio.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {app_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser("demo", parents=[common], help="open the app on a seeded demo workspace")
    demo.add_argument("--smoke-test", action="store_true", help="show each page, then exit")
    demo.add_argument("--screenshot", type=Path, metavar="DIR", help="save a PNG of each page")

    imp = sub.add_parser("import", parents=[common], help="import contacts from CSV/XLSX")
    imp.add_argument("file", type=Path)
    imp.add_argument("--campaign", required=True)
    imp.add_argument("--region", help="default country for numbers without + (e.g. US, GB)")
    imp.add_argument("--phone-column", help="header of the phone column (default: guessed)")
    imp.add_argument("--dry-run", action="store_true")
    imp.add_argument(
        "--create", action="store_true", help="create the campaign (a draft) if it is missing"
    )
    imp.add_argument("--json", action="store_true")

    camp = sub.add_parser("campaign", parents=[common], help="create, edit, list, start, pause")
    camp_sub = camp.add_subparsers(dest="action", metavar="ACTION", required=True)
    for action, text in (("create", "a new draft"), ("edit", "only the options given change")):
        p = camp_sub.add_parser(
            action, parents=[common], formatter_class=SettingsHelpFormatter, help=text
        )
        add_campaign_options(p, editing=action == "edit")
    lst = camp_sub.add_parser("list", parents=[common])
    lst.add_argument("--json", action="store_true")
    for action in ("start", "pause"):
        p = camp_sub.add_parser(action, parents=[common])
        p.add_argument("name")

    _add_run_parser(sub, common)

    calls = sub.add_parser("calls", parents=[common], help="list a campaign's call attempts")
    calls.add_argument("--campaign", required=True)
    calls.add_argument("--json", action="store_true")

    stats = sub.add_parser("stats", parents=[common], help="a campaign's summary statistics")
    stats.add_argument("--campaign", required=True)
    stats.add_argument("--json", action="store_true")

    export = sub.add_parser("export", parents=[common], help="export a campaign's calls")
    export.add_argument("--campaign", required=True)
    export.add_argument("--format", choices=["csv", "xlsx"], required=True)
    export.add_argument("--out", type=Path, required=True)

    _add_emulator_parser(sub, common)
    add_agent_parser(sub, common)
    add_account_parsers(sub, common)
    add_db_parser(sub, common)
    return parser


def _add_run_parser(sub, common: argparse.ArgumentParser) -> None:
    run = sub.add_parser("run", parents=[common], help="run the dialer headless")
    run.add_argument("--campaign")
    run.add_argument(
        "--emulator",
        nargs="?",
        const=True,
        default=None,
        metavar="URL",
        help="dial the embedded emulator (or the one at URL) instead of Twilio",
    )
    run.add_argument(
        "--cps", type=_positive_float, help="calls per second for the account, more than 0"
    )
    run.add_argument(
        "--until-done", action="store_true", help="stop as soon as nobody is dialable now"
    )
    run.add_argument("--json", action="store_true")


def _add_emulator_parser(sub, common: argparse.ArgumentParser) -> None:
    emu = sub.add_parser("emulator", parents=[common], help="run the local Twilio emulator")
    emu.add_argument("--port", type=_port, default=0, help="0 (any free port) to 65535")
    emu.add_argument(
        "--speed", type=_positive_float, default=1.0, help="time runs this many times faster (> 0)"
    )
    emu.add_argument("--call-log", type=Path)
    emu.add_argument("--faults", help="e.g. 429=0.1,timeout=0.05,recording-delay=120,list-delay=20")
    emu.add_argument(
        "--clock-skew", type=float, default=0.0, help="seconds Twilio's clock is ahead (or -behind)"
    )
    emu.add_argument("--trial", action="store_true", help="a trial account: verified To only")
    emu.add_argument("--geo-block", default="", help="countries without permission, e.g. GB,FR")
    emu.add_argument("--account-sid")
    emu.add_argument("--auth-token")


def _home(args: argparse.Namespace) -> Path:
    from app.paths import data_home

    return data_home(args.home)


def _store(args: argparse.Namespace):
    from app.store.engine import open_store

    return open_store(_home(args), args.db)


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, default=str, ensure_ascii=False))


def cmd_campaign(args: argparse.Namespace) -> int:
    from app.store import campaigns

    store = _store(args)
    with store.session.begin() as session:
        if args.action in ("create", "edit"):
            summary = _create_or_edit(session, args)
            if args.json:
                _print_json(_summary_json(summary))
            else:
                done = "created" if args.action == "create" else "updated"
                print(f"{done} campaign {summary.name!r} ({summary.state})")
                print(summary.settings.describe())
        elif args.action == "list":
            summaries = campaigns.list_campaigns(session)
            if args.json:
                _print_json([_summary_json(s) for s in summaries])
            else:
                for s in summaries:
                    print(f"{s.name}\t{s.state}\t{s.done}/{s.total} done\tcaller-ID {s.caller_id}")
                if not summaries:
                    print("no campaigns yet: create one with 'calldeck campaign create'")
        else:
            campaign = campaigns.get_by_name(session, args.name)
            if args.action == "start":
                _refuse_what_cannot_dial(session, campaign.id)
                state = campaigns.start_campaign(session, campaign)
            else:
                state = campaigns.pause_campaign(campaign)
            print(f"campaign {campaign.name!r} is {state}")
    return 0


def _refuse_what_cannot_dial(session, campaign_id: int) -> None:
    """The window's checks before Start (app.store.start_checks): refused before any call."""
    from app.settings import account_in_use
    from app.store.campaigns import CampaignError
    from app.store.start_checks import start_refusal

    refusal = start_refusal(session, campaign_id, account_in_use(session))
    if refusal is not None:
        raise CampaignError(str(refusal))


def _create_or_edit(session, args: argparse.Namespace):
    """`campaign create` / `campaign edit`: both through the store's checks; the summary."""
    from app.store import campaigns

    changes = setting_changes(args)
    region = args.region.upper() if args.region else None
    start_at = parse_start_at(args.start_at) if args.start_at else None
    if args.action == "create":
        from app.settings import get_setting, new_campaign_defaults

        region = region or get_setting(session, "default_region")
        campaign = campaigns.create_campaign(
            session,
            args.name,
            caller_id=_e164(args.caller_id, region),
            agent=args.agent,
            start_at=start_at,
            region=region,
            **{**new_campaign_defaults(session), **changes},  # the team's calling window
        )
    else:
        campaign = campaigns.get_by_name(session, args.name)
        caller = args.caller_id and _e164(args.caller_id, region or campaign.region)
        keep = campaigns.KEEP  # an option not given leaves the campaign's value
        campaign = campaigns.update_campaign(
            session,
            campaign,
            caller_id=caller or keep,
            agent=keep if args.agent is None else args.agent,
            start_at=start_at or keep,
            region=region,
            **changes,
        )
    return campaigns.summarize(session, campaign)


def _e164(raw: str, region: str) -> str:
    from app.domain.phone import InvalidPhone, to_e164

    try:
        return to_e164(raw, region)
    except InvalidPhone as exc:
        raise UsageError(f"caller-ID {raw!r}: {exc}") from exc


def _summary_json(s) -> dict[str, Any]:
    return {
        "id": s.id,
        "name": s.name,
        "agent": s.agent,
        "caller_id": s.caller_id,
        "state": s.state,
        "concurrency": s.concurrency,
        "per_minute": s.per_minute,
        "settings": asdict(s.settings),
        "region": s.region,
        "start_at": s.start_at.isoformat() if s.start_at else None,
        "total": s.total,
        "done": s.done,
        "counts": s.counts,
    }


def cmd_calls(args: argparse.Namespace) -> int:
    from app.results.calls import call_records
    from app.store.campaigns import get_by_name

    store = _store(args)
    with store.session() as session:
        records = call_records(session, get_by_name(session, args.campaign).id)
    if args.json:
        _print_json(records)
    else:
        for r in records:
            outcome = r["outcome"] or ""  # what the voice agent made of it
            print(
                f"{r['phone']}\t#{r['attempt']}\t{r['status']}\t{r['duration_s'] or ''}\t{outcome}"
            )
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from app.results.stats import campaign_stats
    from app.store.campaigns import get_by_name

    store = _store(args)
    with store.session() as session:
        stats = campaign_stats(session, get_by_name(session, args.campaign).id)
    # Calls per status also at the top level, for scripts: `jq .completed`.
    stats = {**stats["calls_by_status"], **stats}
    if args.json:
        _print_json(stats)
    else:
        for key, value in stats.items():
            print(f"{key}: {value}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from app.results.export import export_calls
    from app.store.campaigns import get_by_name

    if not args.out.parent.is_dir():
        raise UsageError(f"--out {args.out}: the folder {args.out.parent} does not exist")
    store = _store(args)
    with store.session() as session:
        count = export_calls(session, get_by_name(session, args.campaign).id, args.format, args.out)
    print(f"exported {count} calls to {args.out}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from app.contacts.cli import import_command

    return import_command(
        home=_home(args),
        db_url=args.db,
        file=args.file,
        campaign=args.campaign,
        region=args.region,
        phone_column=args.phone_column,
        dry_run=args.dry_run,
        as_json=args.json,
        create=args.create,
    )


def cmd_run(args: argparse.Namespace) -> int:
    from app.headless import run_headless

    return run_headless(
        home=_home(args),
        db_url=args.db,
        campaign=args.campaign,
        emulator=args.emulator,
        cps=args.cps,
        until_done=args.until_done,
        as_json=args.json,
    )


def cmd_emulator(args: argparse.Namespace) -> int:
    from app.telephony.emulator import run_emulator_cli

    return run_emulator_cli(
        port=args.port,
        speed=args.speed,
        call_log=args.call_log,
        faults=args.faults,
        account_sid=args.account_sid,
        auth_token=args.auth_token,
        clock_skew=args.clock_skew,
        trial=args.trial,
        geo_block=tuple(args.geo_block.split(",")),
    )


def cmd_gui(args: argparse.Namespace) -> int:
    from app.ui.app import run_gui

    return run_gui(home=_home(args), db_url=args.db, open_files=args.open_files)


def cmd_demo(args: argparse.Namespace) -> int:
    from app.demo import demo_home, seed_demo
    from app.store.engine import open_store
    from app.ui.app import run_gui

    if args.screenshot is not None:
        try:
            args.screenshot.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(
                f"--screenshot {args.screenshot}: cannot write there ({exc.strerror})"
            ) from exc
    home = Path(args.home) if args.home else demo_home()
    store = open_store(home, args.db)
    seed_demo(store)
    store.dispose()
    return run_gui(
        home=home, db_url=args.db, smoke_test=args.smoke_test, screenshot_dir=args.screenshot
    )


COMMANDS = {
    None: cmd_gui,
    "demo": cmd_demo,
    "import": cmd_import,
    "campaign": cmd_campaign,
    "run": cmd_run,
    "calls": cmd_calls,
    "stats": cmd_stats,
    "export": cmd_export,
    "emulator": cmd_emulator,
    "agent": cmd_agent,
    "account": cmd_account,
    "numbers": cmd_numbers,
    "db": cmd_db,
}


def main(argv: list[str] | None = None) -> int:
    from app.paths import keep_files_private

    rest, open_files = split_open_files(sys.argv[1:] if argv is None else argv, COMMANDS)
    args = build_parser().parse_args(rest)
    args.open_files = [f.absolute() for f in open_files]  # `calldeck contacts.csv`: offer to import
    if getattr(args, "db", None) is None and not os.environ.get("CALLDECK_DB"):
        from app.services import team_database_url

        args.db = team_database_url()  # Settings › You: this user's team database, if any
    keep_files_private()
    console = logging.StreamHandler()
    console.setLevel(logging.DEBUG if args.verbose else logging.WARNING)
    console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=console.level, handlers=[console])
    from app.store.campaigns import CampaignError
    from app.store.errors import StoreError

    try:
        return COMMANDS[args.command](args)
    except (UsageError, CampaignError, StoreError) as exc:
        print(f"calldeck: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("calldeck: interrupted", file=sys.stderr)
        return 130
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("app."):
            print(f"calldeck {args.command}: not available yet ({exc.name})", file=sys.stderr)
            return 2
        print(f"calldeck: missing dependency {exc.name}; run 'make setup'", file=sys.stderr)
        return 1
    except Exception as exc:  # last resort: one line for the user, the detail in the log
        log.debug("command failed", exc_info=True)
        print(f"calldeck: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
