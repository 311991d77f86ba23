"""`calldeck import FILE --campaign NAME …` (app.cli parses the arguments)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from sqlalchemy import select

from app.contacts.errors import ContactImportError
from app.contacts.importer import check_region, import_table, resolve_mapping
from app.contacts.mapping import ColumnMapping
from app.contacts.reading import read_contacts_file
from app.settings import get_setting
from app.store.campaigns import CampaignError, create_campaign
from app.store.engine import open_store
from app.store.models import Campaign


def import_command(
    *,
    home: Path,
    db_url: str | None,
    file: Path,
    campaign: str,
    region: str | None,
    phone_column: str | None,
    dry_run: bool,
    as_json: bool,
    create: bool = False,
) -> int:
    """Import FILE into campaign NAME (with *create*, a new draft when missing). Returns the
    exit code.

    The region is --region, else the campaign's own region, else the default_region setting.
    """
    store = open_store(home, db_url)
    try:
        with store.session.begin() as session:
            found = session.scalar(select(Campaign).where(Campaign.name == campaign.strip()))
            default_region = get_setting(session, "default_region") or "US"
            campaign_id = found.id if found else None
            if found is None and not create and not dry_run:
                known = session.scalars(select(Campaign.name).order_by(Campaign.name)).all()
                raise CampaignError(_no_such_campaign(campaign, known))
        chosen_region = check_region(region or (found.region if found else default_region))
        table = read_contacts_file(file)
        # Check the mapping before creating the campaign: a broken file creates nothing.
        mapping = resolve_mapping(
            table, ColumnMapping(phone=phone_column) if phone_column else None
        )
        if campaign_id is None and not dry_run:
            with store.session.begin() as session:
                campaign_id = create_campaign(session, campaign, region=chosen_region).id
        report = import_table(
            store,
            campaign_id,
            table,
            mapping=mapping,
            region=chosen_region,
            dry_run=dry_run,
            home=home,
        )
    except (ContactImportError, CampaignError) as exc:
        print(f"calldeck import: {exc}", file=sys.stderr)
        return 1
    finally:
        store.dispose()
    if as_json:
        print(json.dumps(report.as_json()))
    else:
        _print_report(report, campaign, created=found is None and not dry_run)
    return 0


def _print_report(report, campaign: str, *, created: bool) -> None:
    new = " (new draft campaign)" if created else ""
    print(f"{report.summary()} into campaign {campaign!r}{new}.")
    if report.encoding or report.delimiter:
        print(
            f"Read as {report.encoding or 'Excel'}, delimiter {_delimiter_name(report.delimiter)}."
        )
    if report.mapping:
        print(f"Phone column: {report.mapping.phone!r}; name column: {report.mapping.name!r}.")
    if report.rejects_file:
        print(f"Rows not imported, with reasons: {report.rejects_file}")


def _no_such_campaign(name: str, known: list[str]) -> str:
    listed = f" (there are: {', '.join(known[:10])})" if known else ""
    return f"no campaign named {name!r}{listed}; add --create to make it a new draft campaign"


def _delimiter_name(delimiter: str | None) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}.get(delimiter or "", "none")
