"""Every encoding and delimiter real exports use, with exact expected counts."""

from __future__ import annotations

import csv

import openpyxl
import pytest
from sqlalchemy import select

from app.contacts.errors import ContactImportError
from app.contacts.importer import import_file, read_contacts_file
from app.store.contacts import campaign_imports
from app.store.models import Contact, DncEntry
from app.store.types import utcnow
from tests.contacts.import_corpus import DNC, EXPECTED, EXPECTED_REJECT_LINES, HEADERS, write_csv

ENCODINGS = {
    "utf-8": "utf-8",
    "utf-8-sig": "utf-8-sig",  # Excel's "CSV UTF-8"
    "utf-16": "utf-16",  # BOM + UTF-16LE: Excel's "Unicode Text"
    "cp1252": "cp1252",  # Excel's plain "CSV" on Windows
}
DELIMITERS = {"comma": ",", "semicolon": ";", "tab": "\t", "pipe": "|"}


@pytest.fixture
def dnc(store):
    with store.session.begin() as session:
        session.add(DncEntry(phone=DNC, reason="asked", source="manual"))


def _contacts(store, campaign_id):
    with store.session() as session:
        return {
            c.phone: c
            for c in session.scalars(select(Contact).where(Contact.campaign_id == campaign_id))
        }


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("delimiter", DELIMITERS)
def test_corpus_imports_exactly(tmp_path, store, home, campaign_id, dnc, encoding, delimiter):
    path = write_csv(tmp_path / f"list-{encoding}-{delimiter}.csv", encoding, DELIMITERS[delimiter])

    table = read_contacts_file(path)
    before = utcnow()
    report = import_file(store, campaign_id, path, region="US", home=home)
    after = utcnow()

    assert table.encoding == ENCODINGS[encoding]
    assert table.delimiter == DELIMITERS[delimiter]
    assert table.headers == HEADERS
    assert {k: v for k, v in report.as_json().items() if k != "rejects_file"} == EXPECTED
    contacts = _contacts(store, campaign_id)
    assert sorted(contacts) == [
        "+14155550100",
        "+14155550101",
        "+447911123456",
        "+493012345678",
        "+493012345679",
    ]
    assert contacts["+493012345678"].name == "Dieter Müller"
    assert contacts["+493012345678"].fields == {
        "name": "Dieter Müller",
        "company": "Straße AG",
    }
    assert (
        contacts["+14155550101"].fields["notes"] == 'line one\nline two, "quoted"; tab\there|pipe'
    )
    ana = contacts["+14155550100"]
    assert (ana.status, ana.attempts, ana.next_attempt_at) == ("queued", 0, None)
    assert ana.created_at == ana.updated_at
    assert before <= ana.created_at <= after

    assert report.rejects_file.parent == home / "imports"
    with report.rejects_file.open(encoding="utf-8-sig", newline="") as handle:
        rejects = list(csv.reader(handle))
    assert rejects[0] == ["line", "reason", *HEADERS]
    assert [int(r[0]) for r in rejects[1:]] == EXPECTED_REJECT_LINES
    by_name = {r[2]: r for r in rejects[1:]}
    assert "already appears on line 2" in by_name["Chloé"][1]
    assert "scientific notation" in by_name["Fay"][1]
    assert by_name["Fay"][3] == "4.15867E+09"
    assert "do-not-call" in by_name["Ivan"][1]
    assert by_name["Hana"][1] == "no phone number"


def test_second_import_of_same_file_is_all_duplicates(tmp_path, store, home, campaign_id, dnc):
    path = write_csv(tmp_path / "list.csv", "utf-8", ",")
    import_file(store, campaign_id, path, home=home)

    again = import_file(store, campaign_id, path, home=home)

    assert (again.valid, again.duplicates, again.imported) == (0, 6, 0)
    assert again.rows == again.valid + again.duplicates + again.invalid + again.suppressed


def test_dry_run_writes_nothing(tmp_path, store, home, campaign_id, dnc, count_contacts):
    path = write_csv(tmp_path / "list.csv", "utf-8", ",")

    report = import_file(store, campaign_id, path, home=home, dry_run=True)

    assert (report.valid, report.imported, report.rejects_file) == (5, 0, None)
    assert count_contacts(campaign_id) == 0
    assert not (home / "imports").exists()


def test_single_column_without_header(write_list, store, home, campaign_id):
    path = write_list("4155550100\n4155550101\n\n4155550102\nnot a number\n", "numbers.txt")

    table = read_contacts_file(path)
    report = import_file(store, campaign_id, path, home=home)

    assert table.has_header is False
    assert table.delimiter is None
    assert (report.rows, report.valid, report.invalid) == (4, 3, 1)
    assert report.rejects[0].line == 5


def test_region_changes_how_national_numbers_read(write_list, store, home, campaign_id):
    path = write_list("name,mobile\nAmy,07911 123456\nBen,020 7946 0018\n", "uk.csv")

    as_us = import_file(store, campaign_id, path, region="US", dry_run=True)
    as_gb = import_file(store, campaign_id, path, region="GB", home=home)

    assert (as_us.valid, as_us.invalid) == (0, 2)
    assert as_us.rejects[0].reason == "07911 123456: not a valid US number"
    assert (as_gb.valid, as_gb.imported) == (2, 2)
    assert sorted(_contacts(store, campaign_id)) == ["+442079460018", "+447911123456"]


def _xlsx(path, rows, formats=None):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for coordinate, number_format in (formats or {}).items():
        sheet[coordinate].number_format = number_format
    workbook.save(path)
    return path


def test_xlsx_numeric_cells_come_back_as_the_right_digits(tmp_path, store, home, campaign_id):
    path = _xlsx(
        tmp_path / "list.xlsx",
        [
            ["Full name", "Mobile", "Company"],
            ["Int", 4155550100, "A"],
            ["Intl int", 447911123456, "B"],  # "+44 7911 123456" typed into Excel
            ["Float", 4155550101.0, 7],
            ["Text", "+1 415 555 0102", None],
            ["Shown as sci", 33612345678, None],  # Excel displays 3.36123E+10, keeps the digits
            ["Mangled", "4.15867E+09", None],  # text pasted from a mangled CSV
            [None, None, None],
            ["Dup", 4155550100, None],
        ],
        formats={"B6": "0.00E+00"},
    )

    table = read_contacts_file(path)
    report = import_file(store, campaign_id, path, home=home)

    assert table.kind == "xlsx"
    assert [r.cells[1] for r in table.rows][:5] == [
        "4155550100",
        "447911123456",
        "4155550101",
        "+1 415 555 0102",
        "33612345678",
    ]
    assert (report.rows, report.valid, report.invalid, report.duplicates) == (7, 5, 1, 1)
    assert sorted(_contacts(store, campaign_id)) == [
        "+14155550100",
        "+14155550101",
        "+14155550102",
        "+33612345678",
        "+447911123456",
    ]
    assert _contacts(store, campaign_id)["+14155550101"].fields == {
        "full_name": "Float",
        "company": "7",
    }
    assert [(r.line, r.kind) for r in report.rejects] == [(7, "invalid"), (9, "duplicate")]


def test_guessed_mapping_can_be_overridden(tmp_path, store, home, campaign_id):
    from app.contacts.mapping import ColumnMapping

    path = tmp_path / "two.csv"
    path.write_text(
        "Name,Phone,Mobile\nAmy,4155550100,4155550200\nBen,,4155550201\n", encoding="utf-8"
    )

    report = import_file(
        store, campaign_id, path, mapping=ColumnMapping(phone="Mobile", name="Name"), home=home
    )

    assert (report.valid, report.invalid) == (2, 0)
    assert sorted(_contacts(store, campaign_id)) == ["+14155550200", "+14155550201"]


def test_unknown_mapped_column_names_the_columns(write_list, store, campaign_id):
    from app.contacts.mapping import ColumnMapping

    path = write_list("Name,Phone\nAmy,4155550100\n", "two.csv")

    with pytest.raises(ContactImportError, match="no column 'Cell'.*Columns found: Name, Phone"):
        import_file(store, campaign_id, path, mapping=ColumnMapping(phone="Cell"))


def test_excel_sep_hint_line(tmp_path, store, home, campaign_id):
    path = tmp_path / "hinted.csv"
    path.write_bytes(b"sep=;\r\nName;Phone\r\nAmy, Jr;4155550100\r\nBen;nope\r\n")

    table = read_contacts_file(path)
    report = import_file(store, campaign_id, path, home=home)

    assert (table.delimiter, table.headers) == (";", ["Name", "Phone"])
    assert [r.line for r in table.rows] == [3, 4]
    assert (report.valid, report.invalid) == (1, 1)
    assert _contacts(store, campaign_id)["+14155550100"].name == "Amy, Jr"


def test_accent_after_the_detection_sample_still_decodes(tmp_path, monkeypatch):
    from app.contacts import reading

    monkeypatch.setattr(reading, "DETECT_BYTES", 64)
    path = tmp_path / "late.csv"
    text = "name,phone\n" + "Bob,4155550100\n" * 50 + "Zoë Ñúñez,4155550101\n"
    path.write_bytes(text.encode("cp1252"))

    table = read_contacts_file(path)

    assert table.encoding == "cp1252"
    assert table.rows[-1].cells == ["Zoë Ñúñez", "4155550101"]


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        ("cp1251", "имя,телефон\nИван Петров,+7 912 345 67 89\nОльга Смирнова,+7 912 345 67 80\n"),
        ("cp1250", "imię,telefon\nŁukasz Żółć,+48 600 123 456\nAgnieszka Wąs,+48 600 123 457\n"),
        ("cp1253", "όνομα,τηλέφωνο\nΓιώργος Παπαδόπουλος,+30 691 234 5678\n"),
        ("cp1252", "nombre,teléfono\nJosé Peña,+34 612 345 678\nJoão Núñez,612345679\n"),
        ("cp1252", "Name;Telefon\nMüller;0151 1234567\nStraße;0151 1234568\n"),
        ("utf-16-le", "Name\tPhone\nZoë\t4155550100\n"),
    ],
)
def test_legacy_encodings_decode_to_the_same_text(encoding, text):
    from app.contacts.reading import decode_text

    decoded, detected = decode_text(text.encode(encoding))

    assert decoded == text
    assert detected.replace("_", "-") == encoding


def test_extensions_are_stored_and_each_import_is_recorded(write_list, store, home, campaign_id):
    path = write_list("name,phone\nAmy,415-555-0100 x12\nBen,4155550101\n", "desk.csv")
    report = import_file(store, campaign_id, path, region="US", home=home)

    assert report.imported == 2
    with store.session() as session:
        rows = session.execute(
            select(Contact.phone, Contact.extension, Contact.import_id).order_by(Contact.id)
        ).all()
        [record] = campaign_imports(session, campaign_id)
    assert [(p, e) for p, e, _ in rows] == [("+14155550100", "12"), ("+14155550101", None)]
    assert {i for _, _, i in rows} == {record.id}
    assert (record.source, record.contacts) == ("desk.csv", 2)
