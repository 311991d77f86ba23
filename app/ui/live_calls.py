"""Calls in progress across a close and a relaunch.

Closing the window while calls are live asks first: finish them (no new call starts, and the
window closes by itself when the last one ends) or leave now (the calls go on at Twilio, and
the dialer collects their results when CallDeck next opens). On relaunch, a campaign that was
running when CallDeck closed says that it resumes, with Pause one click away.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

FINISH = "Finish the calls in progress"
LEAVE = "Leave now"


def ask_before_closing(
    parent: QWidget, active: int, *, on_finish: Callable[[], None], on_leave: Callable[[], None]
) -> QMessageBox:
    """Ask (without blocking) what to do with *active* live calls; Cancel keeps the window."""
    calls = f"{active} call{'s are' if active != 1 else ' is'}"
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        "Calls in progress",
        f"{calls} in progress.",
        QMessageBox.StandardButton.Cancel,
        parent,
    )
    box.setInformativeText(
        "Finish them first: no new call starts, and CallDeck closes when the last one ends.\n"
        "Or leave now: the calls go on without CallDeck, and their results are collected "
        "the next time it opens."
    )
    finish = box.addButton(FINISH, QMessageBox.ButtonRole.AcceptRole)
    leave = box.addButton(LEAVE, QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(finish)

    def chosen() -> None:
        if box.clickedButton() is finish:
            on_finish()
        elif box.clickedButton() is leave:
            on_leave()

    box.finished.connect(chosen)
    box.open()
    return box


def finishing_message(active: int) -> str:
    return f"Closing when the {active} call{'s' if active != 1 else ''} in progress end"


def tell_resuming(
    parent: QWidget, names: Sequence[str], on_pause: Callable[[], None]
) -> QMessageBox | None:
    """Say which campaigns resume dialing (they were running when CallDeck closed), with a
    Pause button; non-modal, so the window stays usable. None when nothing resumes."""
    if not names:
        return None
    if len(names) == 1:
        text = f"“{names[0]}” was running when CallDeck closed, so it resumes dialing now."
        pause_label = "Pause it"
    else:
        listed = ", ".join(f"“{n}”" for n in names)
        text = f"{listed} were running when CallDeck closed, so they resume dialing now."
        pause_label = f"Pause all {len(names)}"
    box = QMessageBox(QMessageBox.Icon.Information, "Resuming campaigns", text, parent=parent)
    box.setWindowModality(Qt.WindowModality.NonModal)
    pause = box.addButton(pause_label, QMessageBox.ButtonRole.ActionRole)
    box.addButton("Keep dialing", QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(pause)
    box.finished.connect(lambda _=0: on_pause() if box.clickedButton() is pause else None)
    box.show()
    return box
