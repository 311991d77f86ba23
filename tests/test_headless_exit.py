"""`calldeck run` does not exit 0 when the dialer had to pause a campaign: it says why."""

from __future__ import annotations

import json

from sqlalchemy import select

from app.headless import EXIT_PAUSED, run_headless
from app.services import EMULATOR_SPEED_ENV
from app.settings import set_setting
from app.store.campaigns import create_campaign
from app.store.models import Campaign, Contact


def test_a_caller_id_the_account_cannot_use_pauses_and_exits_non_zero(
    store, home, capsys, monkeypatch
):
    monkeypatch.setenv(EMULATOR_SPEED_ENV, "40")
    with store.session.begin() as session:
        set_setting(session, "poll_interval_s", 0.05)
        campaign = create_campaign(
            session,
            "Not our number",
            caller_id="+14155550777",  # the emulator's account neither owns nor verified it
            window_start="00:00",
            window_end="24:00",
            window_days="mon-sun",
        )
        campaign.state = "running"
        session.add_all(
            [Contact(campaign_id=campaign.id, phone=f"+1212555010{i}") for i in range(3)]
        )

    code = run_headless(
        home=home,
        db_url=None,
        campaign="Not our number",
        emulator=True,
        cps=10,
        until_done=True,
        as_json=True,
    )

    out = capsys.readouterr()
    assert code == EXIT_PAUSED, out.err
    (row,) = json.loads(out.out)["campaigns"]
    assert row["state"] == "paused" and row["paused_because"]
    assert f"calldeck run: campaign {row['id']} was paused: {row['paused_because']}" in out.err
    with store.session() as session:
        assert session.scalar(select(Campaign.state)) == "paused"
        # Nobody was burned: every contact is still there to call once the number is fixed.
        assert set(session.scalars(select(Contact.status))) == {"queued"}
