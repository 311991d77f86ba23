"""Broken files fail with a message that says what is wrong and what was found."""

from __future__ import annotations

import zipfile

import pytest

from app.contacts.errors import ContactImportError, ImportError_
from app.contacts.importer import import_file

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "is empty"),
        ("blank.csv", b"\r\n \n\t\n", "is empty"),
        ("bom-only.csv", b"\xef\xbb\xbf", "is empty"),
        ("header.csv", b"name,phone,company\r\n", r"only a header row \(name, phone, company\)"),
        ("header-blank-rows.csv", b"name;phone\n;\n\n", r"only a header row \(name, phone\)"),
        ("no-phone.csv", b"name,city\nAmy,Paris\nBen,Rome\n", r"Columns found: name, city"),
        ("picture.csv", PNG, "binary"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, r"old Excel \(\.xls\)"),
        ("fake.xlsx", b"name,phone\nAmy,4155550100\n", "not a valid Excel workbook"),
        ("broken.xlsx", b"PK\x03\x04" + b"\x00" * 100, "not a readable Excel workbook"),
    ],
)
def test_broken_file_raises_clear_error(
    tmp_path, store, campaign_id, count_contacts, name, content, message
):
    path = tmp_path / name
    path.write_bytes(content)

    with pytest.raises(ContactImportError, match=message) as caught:
        import_file(store, campaign_id, path)

    assert name in str(caught.value)
    assert count_contacts(campaign_id) == 0


def test_missing_file_and_folder(tmp_path, store, campaign_id):
    with pytest.raises(ImportError_, match="no such file"):
        import_file(store, campaign_id, tmp_path / "nope.csv")
    with pytest.raises(ImportError_, match="is a folder"):
        import_file(store, campaign_id, tmp_path)


def test_unreadable_file(write_list, store, campaign_id, monkeypatch):
    path = write_list("phone\n4155550100\n", "locked.csv")

    def refuse(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(type(path), "read_bytes", refuse)
    with pytest.raises(ImportError_, match="locked.csv cannot be read: Permission denied"):
        import_file(store, campaign_id, path)


def test_empty_workbook(tmp_path, store, campaign_id):
    import openpyxl

    path = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(path)
    with pytest.raises(ContactImportError, match="empty.xlsx is empty"):
        import_file(store, campaign_id, path)


def test_zip_that_is_not_a_workbook(tmp_path, store, campaign_id):
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(ContactImportError, match="not a readable Excel workbook"):
        import_file(store, campaign_id, path)


def test_unclosed_quote_names_its_line(tmp_path, store, campaign_id):
    path = tmp_path / "quote.csv"
    path.write_text('name,phone\nAmy,"4155550100\n' + "Ben,4155550101\n" * 20_000)

    with pytest.raises(ContactImportError, match=r'quote \("\) on line 2 opens a field'):
        import_file(store, campaign_id, path)


def _workbook(path, rows):
    import openpyxl

    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)
    return path


def test_damaged_sheet_xml(tmp_path, store, campaign_id):
    good = _workbook(tmp_path / "good.xlsx", [["phone"], [4155550100]])
    broken = tmp_path / "broken-sheet.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]  # cut off mid-element
            target.writestr(item, data)

    with pytest.raises(ContactImportError, match="broken-sheet.xlsx"):
        import_file(store, campaign_id, broken)


def test_reading_a_big_workbook_can_be_cancelled(tmp_path):
    from app.contacts.errors import ImportCancelled
    from app.contacts.reading import read_contacts_file

    path = _workbook(tmp_path / "big.xlsx", [["phone"]] + [[4155550000 + n] for n in range(2500)])

    with pytest.raises(ImportCancelled):
        read_contacts_file(path, cancel=lambda: True)
