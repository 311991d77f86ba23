"""Typed or pasted numbers go through the same lifecycle as a file."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt

from app.contacts.errors import ImportCancelled
from app.ui.imports import worker
from app.ui.imports.paste_dialog import PasteNumbersDialog
from tests.ui.imports.helpers import TIMEOUT_MS, phones


def test_paste_numbers(qtbot, store, home, campaign_id, opened_urls):
    dialog = PasteNumbersDialog(store, campaign_id, region="US", home=home)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.editor.setPlainText("4155550100, (415) 555-0101\nnope\n415 555 0100")

    with qtbot.waitSignal(dialog.imported, timeout=TIMEOUT_MS) as blocker:
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)

    assert blocker.args == [2]
    assert phones(store, campaign_id) == ["+14155550100", "+14155550101"]
    assert "Imported <b>2</b> contacts from 4 rows" in dialog.summary.label.text()
    dialog.summary.open_rejects()
    assert opened_urls[0].toLocalFile().endswith(".csv")


def test_paste_nothing_says_so(qtbot, store, home, campaign_id):
    dialog = PasteNumbersDialog(store, campaign_id, region="US", home=home)
    qtbot.addWidget(dialog)

    with qtbot.waitSignal(dialog.job.failed, timeout=TIMEOUT_MS):
        dialog.start_import()

    assert "empty" in dialog.error_label.text()
    assert dialog.import_button.isEnabled()


def test_cancel_while_pasting_changes_nothing_and_lets_the_user_retry(
    qtbot, store, home, campaign_id, monkeypatch
):
    started = threading.Event()

    def slow_import(*args, cancel, **kwargs):
        started.set()
        assert cancel.wait(10)
        raise ImportCancelled()

    monkeypatch.setattr(worker, "import_pasted", slow_import)
    dialog = PasteNumbersDialog(store, campaign_id, region="US", home=home, text="4155550100")
    qtbot.addWidget(dialog)
    dialog.start_import()
    qtbot.waitUntil(started.is_set, timeout=TIMEOUT_MS)
    with qtbot.waitSignal(dialog.job.cancelled, timeout=TIMEOUT_MS):
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)

    assert dialog.error_label.text() == "Cancelled; nothing was imported."
    assert dialog.import_button.isEnabled() and not dialog.editor.isReadOnly()
    assert phones(store, campaign_id) == []
    assert dialog.cancel_button.text() == "Cancel"  # still open for another try
