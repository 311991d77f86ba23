"""Drop a file, check the mapping, import off the UI thread, read the summary and the report."""

from __future__ import annotations

import csv
import threading

from PySide6.QtCore import Qt

from app.contacts.errors import ImportCancelled
from app.ui.drop_zone import DropZone
from app.ui.imports import worker
from app.ui.imports.file_dialog import ImportDialog
from tests.ui.imports.helpers import TIMEOUT_MS, phones
from tests.ui.test_drop_zone import drag_and_drop, file_mime


def open_dialog(qtbot, store, campaign_id, home, paths) -> ImportDialog:
    dialog = ImportDialog(store, campaign_id, paths, region="US", home=home)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.ready, timeout=TIMEOUT_MS):
        dialog.show()
    return dialog


def test_drop_change_mapping_import_and_open_report(
    qtbot, qtmodeltester, tmp_path, store, home, campaign_id, opened_urls
):
    path = tmp_path / "crm export.csv"
    path.write_text(
        "Name;Phone;Backup phone;Company\n"
        "Amélie;4155550100;4155550200;Acme\n"
        'Ben;;"(415) 555-0201";"Multi\nline"\n'
        "Cy;4155550102;12345;\n"
        "Di;4155550103;415 555 0200;\n",
        encoding="cp1252",
    )
    zone = DropZone()
    qtbot.addWidget(zone)
    dialogs: list[ImportDialog] = []
    zone.filesDropped.connect(
        lambda paths: dialogs.append(open_dialog(qtbot, store, campaign_id, home, paths))
    )

    drag_and_drop(zone, file_mime(path))

    qtbot.waitUntil(lambda: bool(dialogs), timeout=TIMEOUT_MS)
    dialog = dialogs[0]
    assert "cp1252" in dialog.details_label.text()
    assert "semicolon" in dialog.details_label.text()
    assert "4 rows" in dialog.details_label.text()
    assert dialog.phone_combo.currentData() == "Phone"
    assert dialog.name_combo.currentData() == "Name"
    qtmodeltester.check(dialog.preview_model)
    assert dialog.preview_model.rowCount() == 4
    assert dialog.preview_model.headerData(1, Qt.Orientation.Horizontal) == "☎ Phone (phone)"
    assert dialog.preview_model.headerData(1, Qt.Orientation.Vertical) == "line 3"

    dialog.phone_combo.setCurrentIndex(dialog.phone_combo.findData("Backup phone"))
    assert dialog.preview_model.headerData(2, Qt.Orientation.Horizontal) == "☎ Backup phone (phone)"
    qtmodeltester.check(dialog.preview_model)

    with qtbot.waitSignal(dialog.imported, timeout=TIMEOUT_MS) as blocker:
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)

    assert blocker.args == [2]
    assert phones(store, campaign_id) == ["+14155550200", "+14155550201"]
    assert "Imported <b>2</b> contacts from 4 rows" in dialog.summary.label.text()
    assert "1 duplicate ·" in dialog.summary.label.text()
    assert "1 invalid" in dialog.summary.label.text()
    assert dialog.cancel_button.text() == "Close"
    assert dialog.summary.open_rejects_button.isVisibleTo(dialog)
    assert dialog.summary.open_rejects_button.text() == "Open the report of the 2 rows not imported"
    rejects = dialog.summary.rejects_model  # the rows not imported, inside the app too
    qtmodeltester.check(rejects)
    assert dialog.summary.rejects_table.isVisibleTo(dialog)
    assert dialog.summary.rejects_table.isColumnHidden(0)  # one file: no File column
    assert [[rejects.index(r, c).data() for c in (1, 2, 3)] for r in range(2)] == [
        ["5", "12345", "12345: not a valid US number"],
        ["6", "415 555 0200", "+14155550200 already appears on line 2"],
    ]

    qtbot.mouseClick(dialog.summary.open_rejects_button, Qt.MouseButton.LeftButton)

    report = opened_urls[0].toLocalFile()
    assert report.startswith(str(home / "imports"))
    with open(report, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["line", "reason", "Name", "Phone", "Backup phone", "Company"]
    assert [(r[0], r[2]) for r in rows[1:]] == [("5", "Cy"), ("6", "Di")]
    assert rows[1][1] == "12345: not a valid US number"
    assert "already appears on line 2" in rows[2][1]


def test_broken_file_shows_what_was_found(qtbot, tmp_path, store, home, campaign_id):
    path = tmp_path / "header.csv"
    path.write_text("name,phone\n")

    dialog = open_dialog(qtbot, store, campaign_id, home, [path])

    assert dialog.error_label.isVisibleTo(dialog)
    assert "only a header row (name, phone)" in dialog.error_label.text()
    assert not dialog.import_button.isEnabled()


def test_no_phone_column_until_the_user_picks_one(qtbot, tmp_path, store, home, campaign_id):
    path = tmp_path / "odd.csv"
    path.write_text("who,digits\nAmy,four one five\nBen,ask at desk\n")

    dialog = open_dialog(qtbot, store, campaign_id, home, [path])

    assert "Columns found: who, digits" in dialog.error_label.text()
    assert not dialog.import_button.isEnabled()
    dialog.phone_combo.setCurrentIndex(dialog.phone_combo.findData("digits"))
    assert dialog.import_button.isEnabled()
    assert not dialog.error_label.isVisibleTo(dialog)


def test_several_files_import_together(qtbot, tmp_path, store, home, campaign_id):
    first, second, broken = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    first.write_text("phone\n4155550100\n")
    second.write_text("mobile,name\n4155550101,Bo\n4155550100,Dup\n")
    broken.write_bytes(b"")

    dialog = open_dialog(qtbot, store, campaign_id, home, [first, second, broken])
    dialog.file_combo.setCurrentIndex(2)
    assert "is empty" in dialog.error_label.text()

    with qtbot.waitSignal(dialog.imported, timeout=TIMEOUT_MS) as blocker:
        dialog.start_import()

    assert blocker.args == [2]
    assert phones(store, campaign_id) == ["+14155550100", "+14155550101"]
    assert "<b>b.csv</b>: Imported <b>1</b> contact" in dialog.summary.label.text()
    rejects = dialog.summary.rejects_model
    assert not dialog.summary.rejects_table.isColumnHidden(0)  # several files: say which
    assert [rejects.index(0, c).data() for c in range(4)] == [
        "b.csv",
        "3",
        "4155550100",
        "+14155550100 is already in this campaign",  # a.csv brought it in first
    ]


def test_cancel_during_import_changes_nothing(
    qtbot, tmp_path, store, home, campaign_id, monkeypatch
):
    path = tmp_path / "list.csv"
    path.write_text("phone\n4155550100\n")
    started = threading.Event()

    def slow_import(*args, cancel, **kwargs):
        started.set()
        assert cancel.wait(10)
        raise ImportCancelled()

    monkeypatch.setattr(worker, "import_table", slow_import)
    dialog = open_dialog(qtbot, store, campaign_id, home, [path])

    dialog.start_import()
    qtbot.waitUntil(started.is_set, timeout=TIMEOUT_MS)
    with qtbot.waitSignal(dialog.imported, timeout=TIMEOUT_MS) as blocker:
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)

    assert blocker.args == [0]
    assert dialog.status_label.text() == "Import cancelled."
    assert "cancelled, nothing imported" in dialog.summary.label.text()
    assert phones(store, campaign_id) == []
