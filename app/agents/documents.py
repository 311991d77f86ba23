"""Readers: a knowledge document (.md .txt .html .docx .pdf) as sections, then passages.

Every reader keeps the document's own structure where it has one (Markdown and HTML
headings, Word heading styles, larger type in a PDF) and falls back on the plain-text
rule otherwise: a short line of its own, without closing punctuation, heads what follows.
Text before the first heading is headed by the document's title (its file name).
Anything that goes wrong is a `KnowledgeError` naming the file, in one line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from app.agents.markup import docx_sections, html_sections
from app.agents.passages import KnowledgeError, Passage, Section, chunk
from app.agents.pdf_text import pdf_sections

_ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_SETEXT_RULE = re.compile(r"^ {0,3}(=+|-+)\s*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_FRONT_MATTER = re.compile(r"\A---\s*\n.*?\n---\s*(?:\n|\Z)", re.DOTALL)
_LIST_MARKER = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")
_HEADING_WORDS_MAX = 10


def read_document(path: Path) -> list[Passage]:
    """The file's passages; a `KnowledgeError` for a missing, unsupported, unreadable or empty file."""
    path = Path(path)
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        known = ", ".join(sorted({".md", ".txt", ".html", ".docx", ".pdf"}))
        raise KnowledgeError(
            f"{path.name}: unsupported file type {path.suffix or '(none)'!r} (use {known})"
        )
    if not path.is_file():
        raise KnowledgeError(f"{path.name}: no such file")
    title = document_title(path)
    try:
        sections = reader(path, title)
    except KnowledgeError:
        raise
    except Exception as error:
        # pypdf, python-docx, zipfile and the OS each raise their own; all mean "unreadable"
        raise KnowledgeError(f"{path.name}: cannot be read ({_reason(error)})") from error
    passages = chunk(path.name, sections)
    if not passages:
        raise KnowledgeError(f"{path.name}: no text found in the document")
    return passages


def passages_from_text(title: str, text: str) -> list[Passage]:
    """An inline knowledge item ({"title", "text"}): Markdown-ish text headed by its title."""
    return chunk(title, markdown_sections(text, title))


def document_title(path: Path) -> str:
    return " ".join(re.split(r"[-_\s]+", path.stem)).strip().capitalize() or path.name


def _reason(error: Exception) -> str:
    text = " ".join(str(error).split())
    return text[:120] if text else type(error).__name__


def read_text_file(path: Path) -> str:
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")  # Notepad's "Unicode"; its NUL bytes are not binary
    if b"\x00" in data:
        raise KnowledgeError(f"{path.name}: not a text file")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def markdown_sections(text: str, title: str) -> list[Section]:
    """ATX (# …) and setext (underlined) headings; lines inside code fences are text."""
    sections = [Section(title)]
    paragraph: list[str] = []
    in_fence = False

    def end_paragraph() -> None:
        if paragraph:
            sections[-1].paragraphs.append(" ".join(paragraph))
            paragraph.clear()

    for line in _FRONT_MATTER.sub("", text).splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        heading = None if in_fence else _ATX_HEADING.match(line)
        if heading:
            end_paragraph()
            sections.append(Section(clean_markdown(heading.group(2))))
        elif not in_fence and "|" in line and _TABLE_RULE.match(line):
            continue  # the |---|---| line under a table's header row
        elif not in_fence and _SETEXT_RULE.match(line) and len(paragraph) == 1:
            sections.append(Section(clean_markdown(paragraph.pop())))
        elif not line.strip() or (not in_fence and _SETEXT_RULE.match(line)):
            end_paragraph()
        elif not in_fence and (_LIST_MARKER.match(line) or _TABLE_ROW.match(line)):
            end_paragraph()  # each list item and table row is a paragraph of its own
            paragraph.append(clean_markdown(line))
        else:
            paragraph.append(line.strip() if in_fence else clean_markdown(line))
    end_paragraph()
    return sections


def clean_markdown(line: str) -> str:
    """What a listener should hear: link text without its address, no emphasis marks or bullets."""
    line = _LIST_MARKER.sub("", line)
    line = _LINK.sub(r"\1", line)
    line = _EMPHASIS.sub(r"\2", line)
    line = line.strip().lstrip(">").strip()
    cells = [cell.strip() for cell in line.strip("|").split("|")]
    return ", ".join(cell for cell in cells if cell)


def text_sections(text: str, title: str) -> list[Section]:
    """Paragraphs split at blank lines; a short line of its own without closing punctuation heads what follows."""
    sections = [Section(title)]
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text.replace("\r\n", "\n"))]
    blocks = [b for b in blocks if b]
    for index, block in enumerate(blocks):
        lines = block.splitlines()
        first = lines[0].strip()
        if _heads_block(lines) or (
            len(lines) == 1 and index + 1 < len(blocks) and looks_like_heading(first)
        ):
            sections.append(Section(first.rstrip(":").strip()))
            lines = lines[1:]
        if lines:
            sections[-1].paragraphs.append(" ".join(line.strip() for line in lines))
    return sections


def _heads_block(lines: list[str]) -> bool:
    """A block's first line heads it unless it is a wrapped line (the next goes on in lower case)."""
    if len(lines) < 2 or not looks_like_heading(lines[0].strip()):
        return False
    following = lines[1].strip()
    return lines[0].rstrip().endswith(":") or not following[:1].islower()


def looks_like_heading(line: str) -> bool:
    words = line.split()
    if not words or len(words) > _HEADING_WORDS_MAX or _LIST_MARKER.match(line):
        return False
    return line.endswith(":") or (line[-1] not in ".!?,;" and line[0].isupper())


def _read_markdown(path: Path, title: str) -> list[Section]:
    return markdown_sections(read_text_file(path), title)


def _read_text(path: Path, title: str) -> list[Section]:
    return text_sections(read_text_file(path), title)


def _read_html(path: Path, title: str) -> list[Section]:
    return html_sections(read_text_file(path), title)


_READERS: dict[str, Callable[[Path, str], list[Section]]] = {
    ".md": _read_markdown,
    ".markdown": _read_markdown,
    ".txt": _read_text,
    ".html": _read_html,
    ".htm": _read_html,
    ".docx": docx_sections,
    ".pdf": pdf_sections,
}
