"""The country that numbers written without a country code are read in."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QWidget

from app.domain.phone import regions


class CountryPicker(QComboBox):
    """Every country phonenumbers knows, by name, with its calling code: "France (+33)"."""

    def __init__(self, region: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("countryPicker")
        self.setEditable(True)  # type a few letters to find a country among 245
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for code, name, dial in regions():
            self.addItem(f"{name} (+{dial})", code)
        self.set_region(region)

    def region(self) -> str:
        return self.currentData() or "US"

    def set_region(self, region: str) -> None:
        index = self.findData(region.upper())
        if index >= 0:
            self.setCurrentIndex(index)
