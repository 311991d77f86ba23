"""How much a contact file may hold: checked before and while it is read, so a hostile or
broken file (a zip bomb, a runaway quote) is refused in one line instead of eating memory.

The numbers leave room for real lists: a million contacts, and cells far longer than any
name or note (Excel itself stops at 32,767 characters a cell).
"""

from __future__ import annotations

MAX_ROWS = 1_000_000
MAX_CELL_CHARS = 32_767
# A 100,000-contact workbook unpacks to about 20 MB of XML; a zip bomb to gigabytes.
MAX_XLSX_UNPACKED_BYTES = 256 * 1024 * 1024
# Deflate rarely packs spreadsheet XML tighter than 1:30; bombs pack 1:1000 and more.
MAX_XLSX_PACKING_RATIO = 200
