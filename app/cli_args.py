"""Parsing `calldeck`'s arguments: the user's input errors, the day/hour/time options and the
options `campaign create` and `campaign edit` share. Light on purpose: the rules themselves
(app.domain) are imported when an option is parsed, not at start-up."""

from __future__ import annotations

import argparse
from collections.abc import Collection
from datetime import datetime
from pathlib import Path


class UsageError(Exception):
    """Bad input on the command line: the message is shown as it is."""


# What `calldeck FILE` takes for a contact list to open (the import reads these).
OPENABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")
OPTIONS_WITH_VALUE = ("--home", "--db")


def split_open_files(argv: list[str], commands: Collection[str]) -> tuple[list[str], list[Path]]:
    """`calldeck [OPTIONS] FILE…` (how the desktop's "Open with CallDeck" starts the app):
    the arguments without the contact files, and the files. A command's arguments are never
    files; whatever is neither option nor file is left to argparse to explain."""
    rest: list[str] = []
    files: list[Path] = []
    args = iter(argv)
    for arg in args:
        if arg in commands:
            return argv, []
        if arg in OPTIONS_WITH_VALUE:
            rest += [arg, next(args, "")]
        elif not arg.startswith("-") and (
            Path(arg).suffix.lower() in OPENABLE_SUFFIXES or Path(arg).is_file()
        ):
            files.append(Path(arg))
        else:
            rest.append(arg)
    return rest, files


def parse_days(text: str) -> str:
    """--days: 'mon-sat' | 'mon,wed,fri' | 'fri-mon' (ranges may wrap) -> 'mon,fri,sat,sun'."""
    from app.domain import windows

    try:
        return windows.normalize_days(text)
    except windows.WindowError as exc:
        raise UsageError(f"--days {text!r}: {exc}") from exc


def parse_hours(text: str) -> tuple[str, str]:
    """--hours: '8:00-21:00' -> ('08:00', '21:00')."""
    from app.domain import windows

    try:
        return windows.parse_hours(text)
    except windows.WindowError as exc:
        raise UsageError(f"--hours {text!r}: {exc}") from exc


def parse_start_at(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise UsageError(f"--start-at {text!r} is not an ISO date-time (2026-12-01T09:00)") from exc
    return moment.astimezone() if moment.tzinfo is None else moment  # naive = local time


class SettingsHelpFormatter(argparse.HelpFormatter):
    """Fills '{concurrency}' etc. in the campaign options' help with CampaignSettings'
    defaults; imported for --help only, so the defaults stay declared in one place."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        from dataclasses import asdict

        from app.domain.campaign_settings import DEFAULTS

        text = super()._get_help_string(action)
        return text.format_map(asdict(DEFAULTS)) if text else text


NUMBER_SETTINGS = {  # option: (CampaignSettings field, help)
    "--concurrency": ("concurrency", "calls at once (default {concurrency})"),
    "--per-minute": ("per_minute", "new calls a minute, evenly spaced (default {per_minute})"),
    "--max-attempts": ("max_attempts", "attempts per contact (default {max_attempts})"),
    "--retry-after": ("retry_delay_min", "minutes between attempts (default {retry_delay_min})"),
    "--voicemail-attempts": (
        "voicemail_max_attempts",
        "with --voicemail hang_up_retry: attempts when a machine answers "
        "(default {voicemail_max_attempts})",
    ),
    "--voicemail-retry-after": (
        "voicemail_retry_delay_min",
        "with --voicemail hang_up_retry: minutes before calling a machine back "
        "(default {voicemail_retry_delay_min})",
    ),
}


def add_campaign_options(parser: argparse.ArgumentParser, *, editing: bool) -> None:
    """The options `campaign create` and `campaign edit` share. None = not given: create
    takes CampaignSettings' default, edit leaves the setting as it is."""

    from app.domain.campaign_settings import BOUNDS, VOICEMAIL_MODES

    def add(*flags: str, explained: str, **options) -> None:
        # An edit changes only what is given: its help names no defaults.
        text = explained.split(" (default")[0] if editing else explained
        parser.add_argument(*flags, help=text, **options)

    parser.add_argument("name")
    parser.add_argument("--caller-id", required=not editing, metavar="E164")
    add("--agent", explained="agent name" + (" ('' for none)" if editing else ""))
    for option, (setting, text) in NUMBER_SETTINGS.items():
        metavar = "MIN" if setting.endswith("delay_min") else "N"
        bounds = BOUNDS[setting]
        ranged = text.replace(" (default", f", {bounds.minimum:,}–{bounds.maximum:,} (default", 1)
        add(option, dest=setting, type=int, metavar=metavar, explained=ranged)
    add("--start-at", metavar="ISO", explained="start time (naive = local time)")
    hours = "calling hours in each contact's local time (default the team's, Settings › Defaults)"
    add("--hours", metavar="HH:MM-HH:MM", explained=hours)
    add("--days", explained="mon-fri, mon,wed,fri, fri-mon… (default the team's days)")
    add("--region", explained="country of numbers without + (default the team's country)")
    modes = "; ".join(f"{mode}: {what}" for mode, what in VOICEMAIL_MODES.items())
    add(
        "--voicemail",
        dest="voicemail_mode",
        choices=tuple(VOICEMAIL_MODES),
        explained=f"when a machine answers: {modes} (default {{voicemail_mode}})",
    )
    parser.add_argument("--json", action="store_true")


def setting_changes(args: argparse.Namespace) -> dict[str, int | str]:
    """The campaign settings given on the command line, as CampaignSettings fields."""
    changes: dict[str, int | str] = {
        setting: getattr(args, setting)
        for setting, _ in NUMBER_SETTINGS.values()
        if getattr(args, setting) is not None
    }
    if args.hours is not None:
        changes["window_start"], changes["window_end"] = parse_hours(args.hours)
    if args.days is not None:
        changes["window_days"] = parse_days(args.days)
    if args.voicemail_mode is not None:
        changes["voicemail_mode"] = args.voicemail_mode
    return changes
