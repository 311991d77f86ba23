"""Files built to hurt: zip bombs, giant cells, mixed encodings. Each is refused (or read)
with one clear line, before it can eat the machine's memory."""

from __future__ import annotations

import zipfile

import openpyxl
import pytest

from app.contacts.errors import ContactImportError
from app.contacts.reading import read_contacts_file


def workbook(path, rows) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)


def padded_workbook(folder, name: str, blanks: int):
    """A real one-contact workbook whose sheet XML is padded with *blanks* spaces."""
    good = folder / "good.xlsx"
    workbook(good, [["phone"], ["+14155550100"]])
    padded = folder / name
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(padded, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * blanks, 1)
            out.writestr(item, data)
    return padded


def test_a_zip_bomb_workbook_is_refused_before_it_is_unpacked(tmp_path):
    """A real workbook whose sheet XML is padded with 300 MB of blanks (it packs to ~300 KB)."""
    bomb = padded_workbook(tmp_path, "bomb.xlsx", 300_000_000)
    assert bomb.stat().st_size < 2_000_000

    with pytest.raises(ContactImportError) as refused:
        read_contacts_file(bomb)

    message = str(refused.value)
    assert message.startswith("bomb.xlsx unpacks to 300 MB") and "\n" not in message
    assert "save it as CSV or split it" in message


def test_a_tightly_packed_sheet_under_the_size_limit_is_refused_too(tmp_path):
    packed = padded_workbook(tmp_path, "packed.xlsx", 20_000_000)
    with pytest.raises(ContactImportError, match="over 200 times its packed size"):
        read_contacts_file(packed)


def test_a_workbook_cell_longer_than_excel_allows_is_refused_with_its_row(tmp_path, monkeypatch):
    monkeypatch.setattr("app.contacts.reading.MAX_CELL_CHARS", 100)
    path = tmp_path / "long.xlsx"
    workbook(path, [["phone", "notes"], ["+14155550100", "ok"], ["+14155550101", "x" * 101]])
    with pytest.raises(ContactImportError) as refused:
        read_contacts_file(path)
    assert str(refused.value) == (
        "long.xlsx: row 3 of sheet 'Sheet' has a cell longer than 100 characters"
    )


def test_too_many_rows_in_a_workbook_are_refused_but_trailing_blank_rows_are_not(
    tmp_path, monkeypatch
):
    monkeypatch.setattr("app.contacts.reading.MAX_ROWS", 3)
    fits = tmp_path / "fits.xlsx"
    workbook(fits, [["phone"], ["+14155550100"], ["+14155550101"], [None], [None]])
    assert len(read_contacts_file(fits).rows) == 2
    over = tmp_path / "over.xlsx"
    workbook(over, [["phone"], *[[f"+1415555010{i}"] for i in range(4)]])
    with pytest.raises(ContactImportError, match="has more than 3 rows; split it"):
        read_contacts_file(over)


def test_a_long_cell_in_a_csv_is_called_long_not_an_unclosed_quote(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("phone,notes\n+14155550100,short\n+14155550101," + "y" * 140_000 + "\n")
    with pytest.raises(ContactImportError) as refused:
        read_contacts_file(path)
    assert "a cell on line 3 is longer than 131,072 characters" in str(refused.value)


def test_an_unclosed_quote_in_a_csv_is_still_called_that(tmp_path):
    path = tmp_path / "quote.csv"
    path.write_text('phone,notes\n+14155550100,"never closes\n' + "z" * 140_000 + "\n")
    with pytest.raises(ContactImportError, match=r"a quote \(\"\) on line 2 opens a field"):
        read_contacts_file(path)


def test_a_csv_mixing_utf8_and_cp1252_lines_reads_each_line_right_and_says_so(tmp_path):
    path = tmp_path / "merged.csv"
    utf8 = "name,phone\nJosé Müller,+14155550100\nZoë Ångström,+14155550101\n".encode()
    legacy = "Renée Dupré,+14155550102\nFrançois Løvås,+14155550103\n".encode("cp1252")
    path.write_bytes(utf8 + legacy)

    table = read_contacts_file(path)

    assert [row.cells[0] for row in table.rows] == [
        "José Müller",
        "Zoë Ångström",
        "Renée Dupré",
        "François Løvås",
    ]
    assert table.encoding == "utf-8 and cp1252 (2 lines in cp1252)"


def test_a_wholly_cp1252_file_is_not_called_mixed(tmp_path):
    path = tmp_path / "legacy.csv"
    path.write_bytes("name,phone\nRenée,+14155550102\nFrançois,+14155550103\n".encode("cp1252"))
    table = read_contacts_file(path)
    assert table.encoding == "cp1252"
    assert [row.cells[0] for row in table.rows] == ["Renée", "François"]
