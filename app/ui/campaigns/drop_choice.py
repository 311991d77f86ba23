"""A list dropped where no campaign is implied (the window, the campaigns table's blank
space): which campaign it goes to, or a new one."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from app.store.campaigns import CampaignSummary

NEW_CAMPAIGN = -1


class CampaignChoiceDialog(QDialog):
    """Asks where dropped contacts go; chosen_id() is a campaign id or NEW_CAMPAIGN."""

    def __init__(
        self,
        what: str,
        campaigns: list[CampaignSummary],
        *,
        selected: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import contacts")
        self.setObjectName("campaignChoice")
        self.setMinimumWidth(420)
        question = QLabel(f"Add {what} to which campaign?")
        question.setWordWrap(True)
        self.combo = QComboBox()
        for campaign in campaigns:
            self.combo.addItem(f"{campaign.name} ({campaign.total:,} contacts)", campaign.id)
        self.combo.addItem("A new campaign…", NEW_CAMPAIGN)
        if selected is not None and (index := self.combo.findData(selected)) >= 0:
            self.combo.setCurrentIndex(index)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.go_button = buttons.addButton("Continue", QDialogButtonBox.ButtonRole.AcceptRole)
        self.go_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(question)
        layout.addWidget(self.combo)
        layout.addWidget(buttons)

    def chosen_id(self) -> int:
        return self.combo.currentData()
