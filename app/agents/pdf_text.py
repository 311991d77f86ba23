"""PDF text as sections, through pypdf: lines set in larger type than the body are headings.

A PDF has no paragraphs or headings, only positioned runs of text. pypdf reports each run
with its position and size; runs on one baseline make a line, a gap wider than the
body's line spacing ends a paragraph, and a short line in type at least 15 % larger than
the body's commonest size is a heading. A PDF whose runs carry no usable positions falls
back on the plain-text rule of the other readers.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from app.agents.passages import KnowledgeError, Section

_HEADING_SCALE = 1.15
_HEADING_WORDS_MAX = 12
_PARAGRAPH_GAP = 1.6  # baseline gap, in body-size units, beyond which a new paragraph starts


@dataclass
class _Line:
    text: str
    size: float
    y: float
    page: int


def pdf_sections(path: Path, title: str) -> list[Section]:
    from pypdf import PdfReader  # imported when a PDF is read, not at start-up

    reader = PdfReader(str(path))
    if reader.is_encrypted and not reader.decrypt(""):
        raise KnowledgeError(f"{path.name}: the PDF is password-protected")
    lines: list[_Line] = []
    plain: list[str] = []
    for number, page in enumerate(reader.pages):
        plain.append(page.extract_text(visitor_text=_collector(lines, number)) or "")
    if not any(text.strip() for text in plain) and not lines:
        raise KnowledgeError(
            f"{path.name}: no text found (a scanned PDF holds only pictures of text)"
        )
    if not lines:
        from app.agents.documents import text_sections

        return text_sections("\n\n".join(plain), title)
    return _sections_from_lines(lines, title)


def _collector(lines: list[_Line], page: int):
    def visit(text, cm, tm, font_dict, font_size) -> None:
        text = " ".join((text or "").split())
        if not text:
            return
        size = abs(float(font_size) * float(tm[3]) * float(cm[3])) or float(font_size)
        y = float(tm[5]) * float(cm[3]) + float(cm[5])
        last = lines[-1] if lines else None
        if last is not None and last.page == page and abs(last.y - y) < 0.5 * size:
            last.text = f"{last.text} {text}"
            last.size = max(last.size, size)
        else:
            lines.append(_Line(text, size, y, page))

    return visit


def _sections_from_lines(lines: list[_Line], title: str) -> list[Section]:
    weights: Counter[float] = Counter()
    for line in lines:
        weights[round(line.size, 1)] += len(line.text)
    body = weights.most_common(1)[0][0]
    sections = [Section(title)]
    paragraph: list[str] = []
    previous: _Line | None = None

    def end_paragraph() -> None:
        if paragraph:
            sections[-1].paragraphs.append(" ".join(paragraph))
            paragraph.clear()

    for line in lines:
        heading = (
            line.size >= body * _HEADING_SCALE and len(line.text.split()) <= _HEADING_WORDS_MAX
        )
        if heading:
            end_paragraph()
            sections.append(Section(line.text))
        else:
            if previous is not None and _starts_paragraph(previous, line, body):
                end_paragraph()
            paragraph.append(line.text)
        previous = line
    end_paragraph()
    return sections


def _starts_paragraph(previous: _Line, line: _Line, body: float) -> bool:
    return line.page != previous.page or abs(previous.y - line.y) > _PARAGRAPH_GAP * body
