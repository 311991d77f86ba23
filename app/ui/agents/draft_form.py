"""What the Agents page's editor tabs share: each shows the controller's draft, and while it
fills its widgets from the draft their change signals must not write back (`_filling`)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget

from app.ui.agents.controller import AgentsController


class DraftForm(QWidget):
    def __init__(self, controller: AgentsController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self._filling = False

    def show_draft(self) -> None:
        data = self.controller.data
        self.setEnabled(data is not None)
        if data is None:
            return
        self._filling = True
        try:
            self._fill(data)
        finally:
            self._filling = False

    def _fill(self, data: dict[str, Any]) -> None:
        raise NotImplementedError
