"""Whatever the bytes, the importer either reports consistent counts or raises ContactImportError."""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.contacts.errors import ContactImportError
from app.contacts.importer import import_file
from app.store.models import Contact

cells = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["+1 415 555 0100", "4155550101", "447911123456", "4.15867E+09", "", "phone", "Name", '"']
    ),
    st.from_regex(r"\+?[0-9 ()\-.]{0,16}", fullmatch=True),
)
tables = st.lists(st.lists(cells, min_size=1, max_size=5), min_size=0, max_size=12)
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _check(store, home, campaign_id, path):
    with store.session() as session:
        before = session.scalar(select(func.count()).select_from(Contact))
    try:
        report = import_file(store, campaign_id, path, home=home)
    except ContactImportError as exc:
        assert str(exc)
        return
    with store.session() as session:
        after = session.scalar(select(func.count()).select_from(Contact))
    assert report.rows == report.valid + report.duplicates + report.invalid + report.suppressed
    assert report.imported == report.valid == after - before
    assert len(report.rejects) == report.rows - report.valid


@FUZZ
@given(
    rows=tables,
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
)
def test_generated_csv_never_crashes(tmp_path, store, home, campaign_id, rows, delimiter, encoding):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    path = tmp_path / "fuzz.csv"
    path.write_bytes(buffer.getvalue().encode(encoding, errors="replace"))
    _check(store, home, campaign_id, path)


@FUZZ
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".txt", ".xlsx"]))
def test_random_bytes_never_crash(tmp_path, store, home, campaign_id, data, suffix):
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    _check(store, home, campaign_id, path)


xlsx_cells = st.one_of(
    cells,
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.none(),
    st.dates(),
)


@FUZZ
@given(rows=st.lists(st.lists(xlsx_cells, min_size=1, max_size=5), min_size=0, max_size=12))
def test_generated_xlsx_never_crashes(tmp_path, store, home, campaign_id, rows):
    """Workbooks with every cell type Excel stores: counts add up, or one clear error."""
    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
    path = tmp_path / "fuzz.xlsx"
    book.save(path)
    _check(store, home, campaign_id, path)


@FUZZ
@given(data=st.binary(min_size=1, max_size=600))
def test_a_damaged_workbook_never_crashes(tmp_path, store, home, campaign_id, data):
    """A real workbook with its sheet XML replaced by garbage, or cut short."""
    import zipfile

    import openpyxl

    good = tmp_path / "good.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["phone"])
    book.active.append(["+14155550100"])
    book.save(good)
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(damaged, "w") as out:
        for item in source.infolist():
            body = source.read(item)
            out.writestr(item, data if item.filename.endswith("sheet1.xml") else body)
    _check(store, home, campaign_id, damaged)
