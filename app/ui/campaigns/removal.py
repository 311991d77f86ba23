"""The Campaigns page's destructive commands: archive or delete a campaign, remove contacts.

Each names what will be lost before it acts; what is cheap to take back gets an Undo."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from app.store import campaigns as campaign_store
from app.store import contacts as contact_store
from app.store.contacts import RemovalPlan, RemovedContacts
from app.ui.context import AppContext
from app.ui.messages import show_error
from app.ui.operations import Change, in_transaction, run_op
from app.ui.undo import UndoBar, confirm_loss, plural

log = logging.getLogger(__name__)


def loss_sentence(calls: int, recordings: int) -> str:
    """ "Their 2 calls and 1 recording, with transcripts and notes, go too." (or nothing)"""
    if not calls:
        return ""
    parts = plural(calls, "call")
    if recordings:
        parts += f" and {plural(recordings, 'recording')}"
    return f"{parts}, with their transcripts and notes"


class Removals(QObject):
    def __init__(self, page: QWidget, context: AppContext, undo_bar: UndoBar) -> None:
        super().__init__(page)
        self.page = page
        self.context = context
        self.undo_bar = undo_bar

    def _run(self, work, *, change: Change, on_success=None) -> None:
        run_op(
            self.page,
            work,
            kind="now" if callable(work) else None,
            change=change,
            changes=self.context.changes,
            on_success=on_success,
            on_error=lambda message: show_error(self.page, "CallDeck", message),
        )

    def _in_transaction(self, command):
        return in_transaction(self.context.store, command)

    # -- campaigns -------------------------------------------------------------------------
    def archive(self, campaign_id: int, name: str, *, archived: bool = True) -> None:
        """Archive (pause, hide; everything kept) at once, with Undo: nothing is lost."""

        record = self._in_transaction(
            lambda s: campaign_store.archive_campaign(s, campaign_id, archived=archived)
        )
        dialer = self.context.dialer

        async def pause_then_record() -> None:  # the dialer stops dialling it first
            await dialer.pause_campaign(campaign_id)
            record()

        def done(_result: object) -> None:
            if archived:
                self.undo_bar.offer(
                    f"Archived “{name}”: paused and hidden, its results kept.",
                    lambda: self.archive(campaign_id, name, archived=False),
                )
            else:
                self.undo_bar.offer(f"“{name}” is back in the list (paused).", None)

        work = pause_then_record() if archived and dialer is not None else record
        self._run(work, change=Change(campaigns=True), on_success=done)

    def delete(self, campaign_id: int) -> None:
        with self.context.store.session() as session:
            contents = campaign_store.campaign_contents(session, campaign_id)
        if contents.live_calls:
            show_error(
                self.page,
                "Delete campaign",
                f"“{contents.name}” has {plural(contents.live_calls, 'call')} in progress. "
                "Pause it and wait for them to end, then delete it.",
            )
            return
        lost = loss_sentence(contents.calls, contents.recordings)
        text = (
            f"Delete the campaign “{contents.name}” for good?\n\n"
            f"Its {plural(contents.contacts, 'contact')}{' and ' + lost if lost else ''} "
            "are deleted with it. This cannot be undone.\n\n"
            "Archive keeps everything and only hides the campaign."
        )
        confirm_loss(
            self.page,
            "Delete campaign",
            text,
            "Delete campaign",
            lambda: self._delete(campaign_id, contents.name),
        )

    def _delete(self, campaign_id: int, name: str) -> None:
        def done(recordings: list[str]) -> None:
            self._delete_files(recordings)
            self.undo_bar.offer(f"Deleted “{name}”.", None)

        self._run(
            self._in_transaction(lambda s: campaign_store.delete_campaign(s, campaign_id)),
            change=Change(campaigns=True),
            on_success=done,
        )

    def _delete_files(self, paths: list[str]) -> None:
        """The campaign's recordings, once the rows are gone: only files in the data folder."""
        home = Path(self.context.home).resolve()
        for text in paths:
            path = Path(text).resolve()
            if path.is_relative_to(home):
                try:
                    path.unlink(missing_ok=True)
                except OSError as exc:
                    log.warning("could not delete the recording %s: %s", path, exc)

    # -- contacts --------------------------------------------------------------------------
    def remove_contacts(self, campaign_id: int, name: str, ids: list[int], what: str) -> None:
        """Remove *ids* (described by *what*: "the 3 selected contacts") after a confirmation."""
        with self.context.store.session() as session:
            plan = contact_store.plan_removal(session, campaign_id, ids)
        if not plan.contacts:
            message = (
                "They are on a call right now." if plan.live else "There is nothing to remove."
            )
            show_error(self.page, "Remove contacts", f"No contact can be removed. {message}")
            return
        lost = loss_sentence(plan.calls, plan.recordings)
        text = f"Remove {plural(plan.contacts, 'contact')} from “{name}”: {what}?"
        if lost:
            text += f"\n\nTheir {lost} go with them."
        if plan.live:
            text += f"\n\n{plural(plan.live, 'contact')} on a call right now will stay."
        text += "\n\nYou can undo this for a short while."
        action = f"Remove {plural(plan.contacts, 'contact')}"
        confirm_loss(
            self.page,
            "Remove contacts",
            text,
            action,
            lambda: self._remove(campaign_id, name, plan),
        )

    def _remove(self, campaign_id: int, name: str, plan: RemovalPlan) -> None:
        def done(removed: RemovedContacts) -> None:
            self.undo_bar.offer(
                f"Removed {plural(removed.count, 'contact')} from “{name}”.",
                lambda: self._restore(name, removed),
            )

        self._run(
            self._in_transaction(lambda s: contact_store.remove_contacts(s, plan, campaign_id)),
            change=Change(campaigns=True, contacts_of=campaign_id),
            on_success=done,
        )

    def _restore(self, name: str, removed: RemovedContacts) -> None:
        def done(count: int) -> None:
            kept = removed.count - count
            note = f" ({plural(kept, 'number')} imported again meanwhile kept)" if kept else ""
            self.undo_bar.offer(f"Put back {plural(count, 'contact')} in “{name}”{note}.", None)

        self._run(
            self._in_transaction(lambda s: contact_store.restore_contacts(s, removed)),
            change=Change(campaigns=True, contacts_of=removed.campaign_id),
            on_success=done,
        )
