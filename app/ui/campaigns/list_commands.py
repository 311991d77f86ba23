"""The Campaigns page's list commands: where dropped lists go, and the menus that archive or
delete a campaign and remove contacts (the commands themselves are in removal.py)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QMenu

from app.domain.status import ContactStatus
from app.store.contacts import campaign_imports, matching_ids
from app.ui.campaigns.badges import status_label
from app.ui.campaigns.drop_choice import NEW_CAMPAIGN, CampaignChoiceDialog


class ListCommands:
    """Mixed into CampaignsPage, whose tables, models and import methods it uses."""

    # -- drops ------------------------------------------------------------------------------
    def import_into(self, campaign_id: int, paths: list, text: str) -> None:
        self.select_campaign(campaign_id)
        if paths:
            self._import_paths(paths, campaign_id=campaign_id)
        elif text:
            self.paste_numbers(text=text, campaign_id=campaign_id)

    def _on_table_drop(self, paths: list, text: str, at: QPoint) -> None:
        """On a campaign's row: add to it. On the blank space below the rows: ask."""
        row = self.table.indexAt(at).row()
        if row >= 0:
            self.import_into(self.model.campaign_id(row), paths, text)
        else:
            self.drop_anywhere(paths, text)

    def _on_contacts_drop(self, paths: list, text: str, _at: QPoint) -> None:
        campaign_id = self.selected_campaign_id()
        if campaign_id is not None:
            self.import_into(campaign_id, paths, text)

    def drop_anywhere(self, paths: list, text: str) -> None:
        """A list dropped where no campaign is implied: which campaign, or a new one."""
        what = ", ".join(Path(p).name for p in paths) if paths else "the dropped numbers"
        dialog = CampaignChoiceDialog(
            what, self.model.summaries(), selected=self.selected_campaign_id(), parent=self
        )

        def chosen() -> None:
            campaign_id = dialog.chosen_id()
            show_page = getattr(self.window(), "show_page", None)
            if show_page is not None:
                show_page(self.title)
            if campaign_id == NEW_CAMPAIGN:
                self.new_campaign(files=paths, text=text)
            else:
                self.import_into(campaign_id, paths, text)

        dialog.accepted.connect(chosen)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    # -- archiving, deleting, removing ---------------------------------------------------------
    def _campaign_menu(self, at: QPoint) -> None:
        menu = QMenu(self)
        row = self.table.indexAt(at).row()
        if row >= 0:
            summary = self.model.summary(row)
            menu.addAction("Edit…", lambda: self.edit_campaign(summary.id))
            menu.addSeparator()
            if summary.archived:
                menu.addAction(
                    "Bring back from the archive",
                    lambda: self.removals.archive(summary.id, summary.name, archived=False),
                )
            else:
                menu.addAction(
                    "Archive (pause and hide, keep the results)",
                    lambda: self.removals.archive(summary.id, summary.name),
                )
            menu.addAction("Delete…", lambda: self.removals.delete(summary.id))
            menu.addSeparator()
        shown = menu.addAction("Show archived campaigns")
        shown.setCheckable(True)
        shown.setChecked(self.model.show_archived)
        shown.toggled.connect(self.show_archived)
        menu.popup(self.table.viewport().mapToGlobal(at))

    def show_archived(self, shown: bool) -> None:
        self.model.show_archived = shown
        self.refresh()

    def _delete_selected_campaign(self) -> None:
        campaign_id = self.selected_campaign_id()
        if campaign_id is not None:
            self.removals.delete(campaign_id)

    def _selected_contact_ids(self) -> list[int]:
        rows = self.contacts_table.selectionModel().selectedRows()
        return [self.contacts_model.contact_id(index.row()) for index in rows]

    def remove_selected_contacts(self) -> None:
        rows = [index.row() for index in self.contacts_table.selectionModel().selectedRows()]
        if len(rows) == 1:  # name the one contact
            model = self.contacts_model
            name, phone = (model.index(rows[0], c).data() for c in (1, 0))
            self._remove([model.contact_id(rows[0])], f"{name}, {phone}" if name else phone)
        elif rows:
            self._remove(self._selected_contact_ids(), "the selected contacts")

    def _remove(self, ids: list[int], what: str) -> None:
        campaign_id = self.selected_campaign_id()
        if campaign_id is not None:
            name = self.model.summary(self.model.row_of(campaign_id)).name
            self.removals.remove_contacts(campaign_id, name, ids, what)

    def _remove_matching(self, what: str, **where) -> None:
        campaign_id = self.selected_campaign_id()
        if campaign_id is None:
            return
        with self.context.store.session() as session:
            ids = matching_ids(session, campaign_id, **where)
        self._remove(ids, what)

    def _fill_remove_menu(self) -> None:
        menu = self.remove_menu
        menu.clear()
        campaign_id = self.selected_campaign_id()
        if campaign_id is None:
            return
        selected = len(self._selected_contact_ids())
        action = menu.addAction(f"Selected contacts ({selected:,})", self.remove_selected_contacts)
        action.setEnabled(selected > 0)
        by_status = menu.addMenu("All contacts with the status")
        counts = self.model.summary(self.model.row_of(campaign_id)).counts
        for status in ContactStatus:
            n = counts.get(status.value, 0)
            label = status_label(status.value)
            entry = by_status.addAction(
                f"{label} ({n:,})",
                lambda s=status.value, label=label: self._remove_matching(
                    f"every contact whose status is {label}", status=s
                ),
            )
            entry.setEnabled(n > 0 and not status.is_live)
        with self.context.store.session() as session:
            imports = campaign_imports(session, campaign_id)
        by_import = menu.addMenu("Everyone from one import")
        by_import.setEnabled(bool(imports))
        for record in imports:
            when = record.created_at.astimezone().strftime("%d %b %H:%M")
            by_import.addAction(
                f"{record.source}, {when} ({record.contacts:,})",
                lambda i=record.id, r=record, w=when: self._remove_matching(
                    f"the contacts imported from {r.source} on {w}", import_id=i
                ),
            )
