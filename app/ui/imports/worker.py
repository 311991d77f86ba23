"""The work the import dialogs run on their worker thread: plain functions of
(progress, cancel) built from what the dialog knows, touching no Qt object."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.contacts.errors import ContactImportError, ImportCancelled
from app.contacts.importer import import_pasted, import_table
from app.contacts.mapping import ColumnMapping
from app.contacts.reading import ContactTable, read_contacts_file
from app.contacts.report import ImportReport
from app.store.engine import Store
from app.ui.imports.summary import FileOutcome

PROGRESS_STEPS = 1000
Progress = Callable[[int, int], None]
ThreadWork = Callable[[Progress, threading.Event], object]


@dataclass(frozen=True)
class Destination:
    """Where imported contacts go, and how their numbers are read."""

    store: Store
    campaign_id: int
    region: str
    home: Path


def reading(paths: list[Path]) -> ThreadWork:
    """Read every file; a file that cannot be read becomes its error message."""

    def read_all(progress: Progress, cancel: threading.Event) -> list[ContactTable | str]:
        results: list[ContactTable | str] = []
        for number, path in enumerate(paths):
            try:
                results.append(read_contacts_file(path, cancel=cancel.is_set))
            except ContactImportError as exc:
                results.append(str(exc))
            progress(number + 1, len(paths))
        return results

    return read_all


def importing_tables(
    to: Destination, files: list[tuple[ContactTable, ColumnMapping]]
) -> ThreadWork:
    """Import the files one after the other; a cancel stops after the file in hand."""

    def import_all(progress: Progress, cancel: threading.Event) -> list[FileOutcome]:
        outcomes = []
        for number, (table, mapping) in enumerate(files):

            def scaled(done: int, total: int, number: int = number) -> None:
                share = done / total if total else 1.0
                progress(int((number + share) * PROGRESS_STEPS / len(files)), PROGRESS_STEPS)

            try:
                report = import_table(
                    to.store,
                    to.campaign_id,
                    table,
                    mapping=mapping,
                    region=to.region,
                    progress=scaled,
                    cancel=cancel,
                    home=to.home,
                )
                outcomes.append(FileOutcome(table.source, report=report))
            except ImportCancelled:
                outcomes.append(FileOutcome(table.source, cancelled=True))
                break
            except ContactImportError as exc:
                outcomes.append(FileOutcome(table.source, error=str(exc)))
        return outcomes

    return import_all


def importing_text(to: Destination, text: str) -> ThreadWork:
    def work(progress: Progress, cancel: threading.Event) -> ImportReport:
        return import_pasted(
            to.store,
            to.campaign_id,
            text,
            region=to.region,
            progress=progress,
            cancel=cancel,
            home=to.home,
        )

    return work
