from PySide6.QtCore import Qt
from sqlalchemy import insert

from app.store import campaigns
from app.store.models import Call, Contact
from app.ui.campaigns.campaigns_model import COLUMNS, CampaignsTableModel, ProgressRole
from app.ui.campaigns.contacts_model import BLOCK_SIZE, ContactsTableModel


def seed(store, count: int, name: str = "Spring") -> int:
    with store.session.begin() as session:
        campaign_id = campaigns.create_campaign(session, name, caller_id="+15005550006").id
        session.execute(
            insert(Contact),
            [
                {
                    "campaign_id": campaign_id,
                    "phone": f"+1415555{i:04d}",
                    "name": f"Person {i}",
                    "fields": {"company": f"Co {i % 7}", "first_name": f"P{i}"},
                    "status": "completed" if i % 3 == 0 else "queued",
                }
                for i in range(count)
            ],
        )
    return campaign_id


def test_campaigns_model_passes_the_model_tester(qtmodeltester, store):
    seed(store, 30)
    seed(store, 5, name="Second")
    model = CampaignsTableModel(store)
    model.refresh()
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() == 2
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Name"
    row = model.row_of(model.campaign_id(0))
    assert model.index(row, COLUMNS.index("Completed")).data() == "10"
    assert model.index(row, COLUMNS.index("Queued")).data() == "20"
    assert model.index(row, COLUMNS.index("Progress")).data(ProgressRole) == (10, 30)


def test_contacts_model_passes_the_model_tester(qtmodeltester, store):
    campaign_id = seed(store, 450)
    model = ContactsTableModel(store)
    model.set_campaign(campaign_id)
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() == 450
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers[:3] == ["Phone", "Name", "Status"] and {"company", "first_name"} <= set(headers)
    assert model.index(449, 1).data() == "Person 449"
    assert model.index(0, 0).data() == "(415) 555-0000"
    assert model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole) == "+14155550000"  # tooltip: E.164


def test_contacts_model_reads_only_the_blocks_it_shows(store):
    campaign_id = seed(store, 5 * BLOCK_SIZE)
    model = ContactsTableModel(store)
    model.set_campaign(campaign_id)
    assert model.index(5 * BLOCK_SIZE - 1, 1).data() == f"Person {5 * BLOCK_SIZE - 1}"
    assert model._cache.cached_blocks() == [4]


def test_filter_search_and_live_refresh(qtbot, store):
    campaign_id = seed(store, 30)
    model = ContactsTableModel(store)
    model.set_campaign(campaign_id, status="completed")
    assert model.rowCount() == 10
    model.set_campaign(campaign_id, search="Person 2")
    assert sorted(model.index(r, 1).data() for r in range(model.rowCount()))[:2] == [
        "Person 2",
        "Person 20",
    ]
    model.set_campaign(campaign_id)
    first_id = model.contact_id(0)
    assert model.index(0, 2).data() == "Completed"
    with store.session.begin() as session:
        contact = session.get(Contact, first_id)
        contact.attempts = 1
        session.add(
            Call(
                campaign_id=campaign_id,
                contact_id=first_id,
                attempt=1,
                status="busy",
                error_message="line busy",
            )
        )
        contact.status = "busy"
    with qtbot.waitSignal(model.dataChanged) as changed:
        model.refresh_contact(first_id)
    assert changed.args[0].row() == 0
    assert model.index(0, 2).data() == "Busy"
    assert model.index(0, 4).data() == "Busy — line busy"


def test_a_contact_on_the_dnc_list_says_it_will_not_be_called(store):
    from app.store.models import DncEntry

    campaign_id = seed(store, 3)
    with store.session.begin() as session:
        session.add(DncEntry(phone="+14155550001", reason="asked", source="call"))
    model = ContactsTableModel(store)
    model.set_campaign(campaign_id)
    assert model.index(1, 4).data() == "Will not be called: on the do-not-call list"
    assert model.index(2, 4).data() == ""


def test_counts_and_progress_group_their_thousands(store):
    seed(store, 1500, name="Big")  # 500 completed, 1,000 queued
    model = CampaignsTableModel(store)
    model.refresh()
    assert model.index(0, COLUMNS.index("Queued")).data() == "1,000"
    assert model.index(0, COLUMNS.index("Progress")).data() == "500 / 1,500"
