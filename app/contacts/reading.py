"""Turn a contact file (CSV/TSV/TXT in any common encoding, or XLSX) into a ContactTable."""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import NamedTuple

import charset_normalizer

from app.contacts.errors import ContactImportError, ImportCancelled
from app.contacts.memory import collector_paused
from app.domain.import_limits import (
    MAX_CELL_CHARS,
    MAX_ROWS,
    MAX_XLSX_PACKING_RATIO,
    MAX_XLSX_UNPACKED_BYTES,
)

DELIMITERS = (",", ";", "\t", "|")
SNIFF_CHARS = 64_000
DETECT_BYTES = 256 * 1024
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe", None: "none"}

# Something shaped like a phone number: digits with the usual punctuation, 7+ digits.
_PHONE_SHAPED = re.compile(r"^\s*\+?[\d\s().\-/]{7,}\s*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


class Row(NamedTuple):
    line: int  # where the row starts in the original file (1-based; the header is usually 1)
    cells: list[str]


@dataclass
class ContactTable:
    headers: list[str]
    rows: list[Row]
    encoding: str | None  # None for spreadsheets
    delimiter: str | None  # None for spreadsheets and single-column text
    kind: str  # "csv" | "xlsx" | "pasted"
    source: str = ""  # the file name, for messages
    has_header: bool = True

    @property
    def delimiter_name(self) -> str:
        return DELIMITER_NAMES.get(self.delimiter, repr(self.delimiter))

    def column_sample(self, header: str, limit: int = 200) -> list[str]:
        """The column's first *limit* cells, to guess things about the whole list from."""
        at = self.headers.index(header)
        return [row.cells[at] for row in self.rows[:limit]]


def looks_like_phone(cell: str) -> bool:
    return bool(_PHONE_SHAPED.match(cell)) and sum(ch.isdigit() for ch in cell) >= 7


@collector_paused
def read_contacts_file(
    path: str | Path, *, cancel: Callable[[], bool] | None = None
) -> ContactTable:
    """Read a CSV/TSV/TXT/XLSX contact file; broken files raise ContactImportError.

    *cancel* is polled while reading a workbook (slow for big sheets): True raises
    ImportCancelled. Text files read in well under a second per 100,000 rows.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ContactImportError(f"{path.name}: no such file ({path})") from None
    except IsADirectoryError:
        raise ContactImportError(f"{path.name} is a folder, not a file") from None
    except OSError as exc:
        raise ContactImportError(f"{path.name} cannot be read: {exc.strerror or exc}") from None
    suffix = path.suffix.lower()
    if not data.strip():
        raise ContactImportError(f"{path.name} is empty (0 rows)")
    if data.startswith(b"PK\x03\x04"):
        if suffix == ".ods":
            raise ContactImportError(
                f"{path.name} is an OpenDocument spreadsheet; save it as .xlsx or .csv and try again"
            )
        return _read_xlsx(path, cancel or (lambda: False))
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ContactImportError(
            f"{path.name} is an old Excel (.xls) workbook; save it as .xlsx or .csv and try again"
        )
    if suffix in EXCEL_SUFFIXES:
        raise ContactImportError(f"{path.name} is not a valid Excel workbook (it is not a .xlsx)")
    text, encoding = decode_text(data, path.name)
    return parse_text(text, encoding=encoding, source=path.name)


# --- text files -------------------------------------------------------------------------------


def decode_text(data: bytes, name: str = "the file") -> tuple[str, str]:
    """Decode with BOM, then strict UTF-8, then line by line when UTF-8 and Windows-1252 lines
    are mixed, then charset-normalizer; refuse binary data. Returns (text, how it was read)."""
    encoding = _detect_encoding(data, name)
    mixed = _decode_mixed_lines(data) if _single_byte(encoding) else None
    if mixed is not None:
        return mixed
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        raise ContactImportError(
            f"{name} cannot be read as text (it looked like {encoding} but is not); "
            "save it as CSV UTF-8 and try again"
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    sample = text[:SNIFF_CHARS]
    if sample and len(_CONTROL.findall(sample)) > max(2, len(sample) // 200):
        raise ContactImportError(
            f"{name} does not look like a text or spreadsheet file (it contains binary data)"
        )
    return text, encoding


def _single_byte(encoding: str) -> bool:
    """A code page with one character a byte (cp1252, Latin-n, ...), not Shift-JIS or GBK:
    only such a pick can be a misreading of UTF-8 lines among Windows-1252 ones."""
    try:
        return len(bytes(range(256)).decode(encoding, errors="replace")) == 256
    except LookupError:
        return False


def _decode_mixed_lines(data: bytes) -> tuple[str, str] | None:
    """Lists pasted together from two sources: some lines UTF-8, some Windows-1252. Decoding
    the whole file either way garbles one kind, so each line is read as what it is. None
    when the file is not of that kind (no line has UTF-8 accents)."""
    lines = data.split(b"\n")
    decoded: list[str] = []
    utf8_accented = legacy = 0
    for line in lines:
        try:
            decoded.append(line.decode("utf-8"))
            utf8_accented += not line.isascii()
        except UnicodeDecodeError:
            try:
                decoded.append(line.decode("cp1252"))
            except UnicodeDecodeError:
                return None  # not Windows-1252 either: leave it to the detector
            legacy += 1
    if not (utf8_accented and legacy):
        return None
    plural = "s" if legacy != 1 else ""
    return "\n".join(decoded), f"utf-8 and cp1252 ({legacy:,} line{plural} in cp1252)"


def _detect_encoding(data: bytes, name: str) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # Excel's "Unicode Text"
    if b"\x00" not in data:
        try:
            data.decode("utf-8")
            return "utf-8"
        except UnicodeDecodeError:
            pass
    # The detector is slow on megabytes; a sample decides, and the whole file must agree.
    encoding = _detect_legacy_encoding(data[:DETECT_BYTES])
    if encoding and len(data) > DETECT_BYTES:
        try:
            data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            encoding = _detect_legacy_encoding(data)
    if encoding is None:
        raise ContactImportError(
            f"{name} is not text in an encoding CallDeck can recognise (not UTF-8, UTF-16 or "
            "Windows-1252) or it is a binary file; save it as CSV UTF-8 and try again"
        )
    return encoding


def _detect_legacy_encoding(data: bytes) -> str | None:
    matches = charset_normalizer.from_bytes(data)
    best = matches.best()
    if best is None:
        return None
    # Western single-byte files decode identically, or nearly, under several code pages,
    # and a few accented names in a sea of digits give the detector little to go on. When
    # Windows-1252 (what spreadsheets export) reads the file about as cleanly and coherently
    # as the detector's pick, take it.
    for match in matches:
        names = {match.encoding, *match.could_be_from_charset}
        if (
            "cp1252" in names
            and match.chaos <= best.chaos + 0.05
            and match.coherence >= best.coherence - 0.15
        ):
            return "cp1252"
    return best.encoding


def sniff_delimiter(sample: str) -> str | None:
    """The delimiter giving the most consistent column count (>1) over the first lines."""
    lines = sample.splitlines(keepends=True)
    if len(sample) >= SNIFF_CHARS and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut in half
    head = "".join(lines[:200])
    best: tuple[tuple[bool, float, int], str] | None = None
    for delimiter in DELIMITERS:
        if delimiter not in head:
            continue
        try:
            widths = [
                len(r) for r in csv.reader(io.StringIO(head, newline=""), delimiter=delimiter) if r
            ]
        except csv.Error:
            continue
        if not widths:
            continue
        mode = max(set(widths), key=widths.count)
        if mode < 2:
            continue
        score = (widths[0] == mode, widths.count(mode) / len(widths), mode)
        if best is None or score > best[0]:
            best = (score, delimiter)
    return best[1] if best else None


def parse_text(
    text: str, *, encoding: str, source: str = "", delimiter: str | None = None
) -> ContactTable:
    first_line = 1
    if text[:4].lower() == "sep=" and text[5:6] in ("\r", "\n", ""):
        # Excel's own hint line ("sep=;") names the delimiter and is not data.
        delimiter = delimiter or text[4]
        text = text[5:].lstrip("\r").removeprefix("\n")
        first_line = 2
    if delimiter is None:
        delimiter = sniff_delimiter(text[:SNIFF_CHARS])
    # A delimiter that never occurs keeps each line whole (a single-column list).
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter or "\x1f")
    records: list[Row] = []
    make_row = Row._make  # C-level tuple construction; this loop runs once per line
    start = first_line
    try:
        for cells in reader:
            # Blank lines are skipped here so the rest never sees them.
            if any(cells) and (cells[0].strip() or "".join(cells).strip()):
                records.append(make_row((start, cells)))
            start = reader.line_num + first_line
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            why = _oversized_field(text, start - first_line, start)
        else:
            why = f"{exc} (near line {reader.line_num + first_line - 1})"
        raise ContactImportError(
            f"{source or 'the text'} cannot be read as a table: {why}"
        ) from None
    return build_table(
        records, encoding=encoding, delimiter=delimiter, kind="csv", source=source or "the text"
    )


def _oversized_field(text: str, line_index: int, line: int) -> str:
    """Why csv gave up on a field on *line*: a quote that never closes (an odd number of
    quotes from there on), or simply a cell longer than it reads."""
    rest = text.split("\n", line_index)[-1] if line_index else text
    if rest.count('"') % 2:
        return f'a quote (") on line {line} opens a field that never closes'
    return f"a cell on line {line} is longer than {csv.field_size_limit():,} characters"


# --- spreadsheets -----------------------------------------------------------------------------


def _read_xlsx(path: Path, cancelled: Callable[[], bool]) -> ContactTable:
    import openpyxl  # imported here: it is slow to import and only spreadsheets need it

    _check_unpacked_size(path)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise ContactImportError(
            f"{path.name} is not a readable Excel workbook ({type(exc).__name__}: {exc})"
        ) from None
    try:
        for sheet in [workbook.active, *workbook.worksheets]:
            if sheet is None:
                continue
            records = _sheet_rows(sheet, path.name, cancelled)
            if any("".join(r.cells).strip() for r in records):
                return build_table(
                    records, encoding=None, delimiter=None, kind="xlsx", source=path.name
                )
        raise ContactImportError(f"{path.name} is empty (no sheet has any cells)")
    finally:
        workbook.close()


def _check_unpacked_size(path: Path) -> None:
    """Refuse a workbook that would unpack to more than CallDeck reads (a zip bomb) before
    anything is decompressed. zipfile never inflates an entry past its declared size, so the
    declared sizes are a real bound."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        return  # openpyxl's own message explains a damaged file
    unpacked = sum(entry.file_size for entry in entries)
    packed_tight = [
        e
        for e in entries
        if e.file_size > 1_000_000 and e.file_size > MAX_XLSX_PACKING_RATIO * e.compress_size
    ]
    if unpacked > MAX_XLSX_UNPACKED_BYTES or packed_tight:
        raise ContactImportError(
            f"{path.name} unpacks to {unpacked / 1e6:,.0f} MB"
            + (" at over 200 times its packed size" if packed_tight else "")
            + f"; CallDeck reads workbooks up to {MAX_XLSX_UNPACKED_BYTES // 2**20} MB unpacked"
            " (save it as CSV or split it)"
        )


def _sheet_rows(sheet, name: str, cancelled: Callable[[], bool]) -> list[Row]:
    records: list[Row] = []
    try:
        # Read-only sheets yield missing rows as empty ones, so row numbers stay right.
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number % 2000 == 0 and cancelled():
                raise ImportCancelled()
            cells = [_cell_text(value) for value in values]
            if len(records) >= MAX_ROWS and any(cells):
                raise ContactImportError(
                    f"{name}: sheet {sheet.title!r} has more than {MAX_ROWS:,} rows; "
                    "split it into several files"
                )
            if any(len(cell) > MAX_CELL_CHARS for cell in cells):
                raise ContactImportError(
                    f"{name}: row {number} of sheet {sheet.title!r} has a cell longer than "
                    f"{MAX_CELL_CHARS:,} characters"
                )
            records.append(Row(number, cells))
    except (ImportCancelled, ContactImportError):
        raise
    except Exception as exc:  # damaged sheet XML surfaces only while iterating
        raise ContactImportError(
            f"{name}: sheet {sheet.title!r} is damaged near row {len(records) + 1} "
            f"({type(exc).__name__}: {exc})"
        ) from None
    return records


def _cell_text(value) -> str:
    """A cell as the text the user means: numbers stored by Excel become their digits again."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # Phone numbers typed into Excel are stored as numbers; the file keeps every digit.
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


# --- shared -----------------------------------------------------------------------------------


def build_table(
    records: list[Row], *, encoding: str | None, delimiter: str | None, kind: str, source: str
) -> ContactTable:
    """First non-blank record is the header (unless it is data); blank rows are skipped."""
    records = [r for r in records if "".join(r.cells).strip()]  # cheap if parse_text did it
    if not records:
        raise ContactImportError(f"{source} is empty (0 rows)")
    first = [cell.strip().lstrip("\ufeff") for cell in records[0].cells]
    has_header = not any(looks_like_phone(cell) for cell in first)
    data = records[1:] if has_header else records
    width = max(len(r.cells) for r in records)
    headers = _clean_headers(first if has_header else [], width)
    if not data:
        shown = ", ".join(h for h in headers if h) or "(blank)"
        raise ContactImportError(
            f"{source} has only a header row ({shown}) and no contacts under it"
        )
    # Short rows are padded so every row has a cell per header.
    rows = [
        r if len(r.cells) == width else Row(r.line, r.cells + [""] * (width - len(r.cells)))
        for r in data
    ]
    return ContactTable(
        headers=headers,
        rows=rows,
        encoding=encoding,
        delimiter=delimiter,
        kind=kind,
        source=source,
        has_header=has_header,
    )


def _clean_headers(cells: list[str], width: int) -> list[str]:
    headers: list[str] = []
    seen: set[str] = set()
    for index in range(width):
        name = cells[index] if index < len(cells) else ""
        name = " ".join(name.split()) or f"column {index + 1}"
        unique, n = name, 2
        while unique.casefold() in seen:
            unique, n = f"{name} ({n})", n + 1
        seen.add(unique.casefold())
        headers.append(unique)
    return headers
