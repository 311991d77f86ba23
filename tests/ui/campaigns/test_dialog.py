import asyncio

from app.demo import seed_demo
from app.store.models import Campaign
from app.ui.campaigns.dialog import CampaignDialog
from app.ui.campaigns.page import CampaignsPage
from app.ui.context import AppContext


def context(store, home) -> AppContext:
    return AppContext(store=store, home=home, demo_mode=True)


def test_new_campaign_validates_then_creates(qtbot, store, home):
    seed_demo(store)
    dialog = CampaignDialog(context(store, home))
    qtbot.addWidget(dialog)
    dialog._save(start_now=False, scheduled=False)
    assert dialog.error.text() == "a campaign needs a name"
    dialog.name.setText("Winter")
    for box in dialog.day_boxes.values():
        box.setChecked(False)
    dialog._save(start_now=False, scheduled=False)
    assert dialog.error.text() == "Pick at least one calling day."
    dialog.day_boxes["mon"].setChecked(True)
    dialog.concurrency.setValue(4)
    dialog.per_minute.setValue(12)
    assert dialog.pacing_line.text() == "At most 4 calls at once, a new call at most every 5 s."
    dialog.paste.setPlainText("+1 415 555 0101\n+1 415 555 0102")
    with qtbot.waitSignal(dialog.created) as created:
        dialog._save(start_now=True, scheduled=False)
    campaign_id, files, pasted, start_now = created.args
    assert (files, start_now) == ([], True) and "555 0102" in pasted
    with store.session() as session:
        campaign = session.get(Campaign, campaign_id)
        assert (campaign.concurrency, campaign.per_minute, campaign.window_days) == (4, 12, "mon")
        assert campaign.caller_id.e164 == "+15005550006" and campaign.agent.name


def test_editing_a_campaign_changes_its_limits(qtbot, store, home):
    seed_demo(store)
    with store.session() as session:
        campaign_id = session.query(Campaign.id).order_by(Campaign.id).first()[0]
    dialog = CampaignDialog(context(store, home), campaign_id=campaign_id)
    qtbot.addWidget(dialog)
    assert dialog.name.text() == "Spring reminders" and dialog.name.isReadOnly()
    assert dialog.concurrency.value() == 3
    dialog.concurrency.setValue(7)
    with qtbot.waitSignal(dialog.saved):
        dialog._save(start_now=False, scheduled=False)
    with store.session() as session:
        assert session.get(Campaign, campaign_id).concurrency == 7


def test_pasted_numbers_open_the_import_and_start_after_it(qtbot, qloop, store, home):
    from app.ui.imports.paste_dialog import PasteNumbersDialog

    seed_demo(store)
    page = CampaignsPage(context(store, home))
    qtbot.addWidget(page)
    with store.session.begin() as session:
        from app.store.campaigns import create_campaign

        campaign_id = create_campaign(session, "Pasted", caller_id="+15005550006").id
    page._on_created(campaign_id, [], "+1 415 555 0101", True)
    [paste] = page.findChildren(PasteNumbersDialog)
    assert "+1 415 555 0101" in paste.editor.toPlainText()
    with store.session() as session:
        assert session.get(Campaign, campaign_id).state == "draft"  # not before the import
    paste.imported.emit(1)
    qloop.run_until_complete(asyncio.sleep(0.05))
    with store.session() as session:
        assert session.get(Campaign, campaign_id).state == "running"


def test_editing_keeps_hours_set_from_the_cli(qtbot, store, home):
    seed_demo(store)
    with store.session.begin() as session:
        campaign = session.query(Campaign).order_by(Campaign.id).first()
        campaign.window_start, campaign.window_end, campaign.concurrency = "09:15", "17:45", 200
        campaign_id = campaign.id
    dialog = CampaignDialog(context(store, home), campaign_id=campaign_id)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.saved):
        dialog._save(start_now=False, scheduled=False)
    with store.session() as session:
        saved = session.get(Campaign, campaign_id)
        assert (saved.window_start, saved.window_end, saved.concurrency) == ("09:15", "17:45", 200)


def test_the_form_starts_from_the_declared_defaults_and_ranges(qtbot, store, home):
    from app.domain.campaign_settings import BOUNDS, DEFAULTS

    seed_demo(store)
    dialog = CampaignDialog(context(store, home))
    qtbot.addWidget(dialog)
    assert dialog._settings() == {
        "concurrency": DEFAULTS.concurrency,
        "per_minute": DEFAULTS.per_minute,
        "window_start": DEFAULTS.window_start,
        "window_end": DEFAULTS.window_end,
        "window_days": DEFAULTS.window_days,
        "max_attempts": DEFAULTS.max_attempts,
        "retry_delay_min": DEFAULTS.retry_delay_min,
        "voicemail_mode": DEFAULTS.voicemail_mode,
        "voicemail_max_attempts": DEFAULTS.voicemail_max_attempts,
        "voicemail_retry_delay_min": DEFAULTS.voicemail_retry_delay_min,
    }
    # The machine-answered retry rule matters only when the campaign hangs up to retry.
    assert not dialog.voicemail_attempts.isEnabled()
    dialog.voicemail_mode.setCurrentIndex(dialog.voicemail_mode.findData("hang_up_retry"))
    assert dialog.voicemail_attempts.isEnabled() and dialog.voicemail_delay.isEnabled()
    assert dialog._settings()["voicemail_mode"] == "hang_up_retry"
    for setting, box in [
        ("concurrency", dialog.concurrency),
        ("per_minute", dialog.per_minute),
        ("max_attempts", dialog.max_attempts),
        ("retry_delay_min", dialog.retry_delay),
        ("voicemail_max_attempts", dialog.voicemail_attempts),
        ("voicemail_retry_delay_min", dialog.voicemail_delay),
    ]:
        assert (box.minimum(), box.maximum()) == (BOUNDS[setting].minimum, BOUNDS[setting].maximum)
    assert dialog.pacing_line.text() == "At most 1 call at once, a new call at most every 6 s."


def test_editing_goes_through_the_same_checks_as_creating(qtbot, store, home):
    seed_demo(store)
    with store.session() as session:
        campaign_id = session.query(Campaign.id).order_by(Campaign.id).first()[0]
        before = (
            session.get(Campaign, campaign_id).window_days,
            session.get(Campaign, campaign_id).window_start,
        )
    dialog = CampaignDialog(context(store, home), campaign_id=campaign_id)
    qtbot.addWidget(dialog)
    for box in dialog.day_boxes.values():
        box.setChecked(False)
    dialog._save(start_now=False, scheduled=False)
    assert dialog.error.text() == "Pick at least one calling day."
    dialog.day_boxes["tue"].setChecked(True)
    dialog.window_start.setCurrentText("22:00")
    dialog.window_end.setCurrentText("09:00")
    dialog._save(start_now=False, scheduled=False)
    assert dialog.error.text() == "Calling hours must start before they end."
    with store.session() as session:
        saved = session.get(Campaign, campaign_id)
        assert (saved.window_days, saved.window_start) == before  # nothing of it was kept
    dialog.window_end.setCurrentText("23:30")
    dialog.agent.setCurrentIndex(0)  # (no agent)
    with qtbot.waitSignal(dialog.saved):
        dialog._save(start_now=False, scheduled=False)
    with store.session() as session:
        saved = session.get(Campaign, campaign_id)
        assert (saved.window_days, saved.window_start, saved.window_end) == (
            "tue",
            "22:00",
            "23:30",
        )
        assert saved.agent is None and saved.caller_id.e164 == "+15005550006"


def test_a_wrapped_range_set_from_the_cli_shows_as_its_days(qtbot, store, home):
    from app.store.campaigns import create_campaign

    seed_demo(store)
    with store.session.begin() as session:
        campaign_id = create_campaign(
            session, "Weekend", caller_id="+15005550006", window_days="fri-mon", retry_delay_min=0
        ).id
    dialog = CampaignDialog(context(store, home), campaign_id=campaign_id)
    qtbot.addWidget(dialog)
    ticked = [day for day, box in dialog.day_boxes.items() if box.isChecked()]
    assert ticked == ["mon", "fri", "sat", "sun"]
    assert dialog.retry_delay.value() == 0
    with qtbot.waitSignal(dialog.saved):
        dialog._save(start_now=False, scheduled=False)
    with store.session() as session:
        saved = session.get(Campaign, campaign_id)
        assert (saved.window_days, saved.retry_delay_min) == ("mon,fri,sat,sun", 0)
