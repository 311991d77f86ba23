"""Settings › Defaults: the team's defaults, checked as typed with the message beside the field,
saved to the database, and followed by new campaigns (window, region) and Results (dispositions)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from app.cli import main
from app.results.calls import campaign_dispositions
from app.settings import get_setting
from app.store.campaigns import get_by_name
from app.store.models import Call
from app.ui.campaigns.dialog import CampaignDialog
from app.ui.context import AppContext
from app.ui.defaults_group import DefaultsGroup
from tests.results.results_seed import seed_campaign


@pytest.fixture
def group(qtbot, store, home) -> DefaultsGroup:
    widget = DefaultsGroup(AppContext(store=store, home=home, demo_mode=True))
    qtbot.addWidget(widget)
    return widget


def test_the_country_picker_has_names_and_refuses_what_is_not_in_it(group, store):
    assert group.region.findText("United Kingdom (+44)") >= 0 or group.region.findData("GB") >= 0
    group.region.setEditText("Atlantis")
    assert "Pick a country from the list" in group.region_message.text()
    assert group.save() is False
    group.region.set_region("GB")
    assert group.region_message.text() == ""
    group.cps.setValue(2.5)
    assert group.save() is True
    with store.session() as session:
        assert get_setting(session, "default_region") == "GB"
        assert get_setting(session, "calls_per_second") == 2.5


def test_the_calling_window_is_checked_as_typed_and_new_campaigns_start_from_it(
    group, store, home, qtbot
):
    group.window_end.setText("25:00")
    assert group.window_message.text().startswith("Calling hours:")
    assert group.save() is False and "correct the field" in group.saved.text()
    group.window_start.setText("9:30")
    group.window_end.setText("17:00")
    group.window_days.setText("mon-fri")
    assert group.window_message.text() == ""
    assert group.save() is True
    with store.session() as session:
        assert get_setting(session, "default_window_start") == "09:30"
        assert get_setting(session, "default_window_days") == "mon,tue,wed,thu,fri"

    dialog = CampaignDialog(group.context)
    qtbot.addWidget(dialog)
    assert dialog.window_start.currentText() == "09:30"
    assert dialog.window_end.currentText() == "17:00"
    assert [box.isChecked() for box in dialog.day_boxes.values()] == [True] * 5 + [False] * 2

    args = ["campaign", "create", "Evening", "--caller-id", "+15005550006", "--home", str(home)]
    assert main(args) == 0
    with store.session() as session:
        made = get_by_name(session, "Evening")
        assert (made.window_start, made.window_end, made.window_days) == (
            "09:30",
            "17:00",
            "mon,tue,wed,thu,fri",
        )


def test_a_new_campaign_reads_numbers_in_the_team_country(group, store, home):
    group.region.set_region("GB")
    group.save()
    assert (
        main(["campaign", "create", "London", "--caller-id", "020 7946 0018", "--home", str(home)])
        == 0
    )
    with store.session() as session:
        made = get_by_name(session, "London")
        assert made.region == "GB" and made.caller_id.e164 == "+442079460018"


def test_dispositions_are_added_renamed_reordered_and_results_follow(group, store, home):
    seeded = seed_campaign(store, home, contacts=3)
    with store.session.begin() as session:
        session.get(Call, seeded.call_ids[0]).disposition = "Call back"
    group.disposition_name.setText("Sent brochure")
    group.add_disposition()
    group.dispositions.setCurrentRow(group.names().index("Call back"))
    group.disposition_name.setText("Call later")
    group.rename_selected()
    assert "Its 1 call(s) follow on Save" in group.saved.text()
    group.move_selected(-1)
    group.move_selected(-1)
    assert group.names()[0] == "Call later"
    assert group.save() is True and "1 call(s) took the new names" in group.saved.text()
    with store.session() as session:
        assert session.get(Call, seeded.call_ids[0]).disposition == "Call later"
        names = campaign_dispositions(session, seeded.campaign_id)
    assert names[0] == "Call later" and names[-1] == "Sent brochure"  # Results' keys 1..n


def test_do_not_call_and_dispositions_in_use_cannot_vanish(group, store, home):
    seeded = seed_campaign(store, home, contacts=2)
    with store.session.begin() as session:
        session.get(Call, seeded.call_ids[0]).disposition = "Voicemail"
    group.dispositions.setCurrentRow(group.names().index("Do not call"))
    assert not group.remove_button.isEnabled() and not group.rename_button.isEnabled()
    group.remove_selected()
    assert "'Do not call' stays" in group.disposition_message.text()
    group.dispositions.setCurrentRow(group.names().index("Voicemail"))
    group.remove_selected()
    assert "1 call(s) are marked 'Voicemail': rename it instead" in group.disposition_message.text()
    assert "Voicemail" in group.names()
    group.dispositions.setCurrentRow(group.names().index("Wrong number"))
    group.remove_selected()
    assert "Wrong number" not in group.names()
    group.disposition_name.setText("interested")
    assert not group.add_button.isEnabled()
    assert "already in the list" in group.disposition_message.text()


def test_a_disposition_calls_carry_but_the_list_lost_stays_in_results(store, home):
    seeded = seed_campaign(store, home, contacts=2)
    with store.session.begin() as session:
        session.get(Call, seeded.call_ids[1]).disposition = "Old label"
        names = campaign_dispositions(session, seeded.campaign_id)
    assert names[-1] == "Old label" and names[:-1] == list(get_setting(session, "dispositions"))


def test_recording_and_its_notice(group, store):
    group.notice.setText("")
    assert "tells the callee" in group.notice_message.text()
    group.record.setChecked(False)
    assert group.notice_message.text() == "" and not group.notice.isEnabled()
    assert group.save() is True
    with store.session() as session:
        assert get_setting(session, "record_calls") is False
        assert get_setting(session, "recording_notice") == ""


def test_team_defaults_are_in_the_database_not_in_the_users_qsettings(group, store):
    group.cps.setValue(3.0)
    group.save()
    assert not any("calls_per_second" in key for key in QSettings().allKeys())
    with store.session() as session:
        assert get_setting(session, "calls_per_second") == 3.0
