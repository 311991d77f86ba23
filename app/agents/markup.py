"""HTML and Word documents as sections: h1–h3 and Word's heading styles start a section."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from app.agents.passages import Section

_SECTION_TAGS = {"h1", "h2", "h3"}
# Navigation menus repeat on every page and answer nothing; the rest is not visible text.
_SKIPPED_TAGS = {
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "head",
    "iframe",
    "object",
    "nav",
}
_VOID_TAGS = {"br", "hr", "img", "input", "meta", "link", "wbr", "area", "base", "col", "source"}
_BLOCK_TAGS = {
    "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "tr", "table", "section", "article",
    "header", "footer", "main", "aside", "nav", "blockquote", "pre", "h4", "h5", "h6",
    "address", "figure", "figcaption", "form", "fieldset", "details", "summary",
}  # fmt: skip
_CELL_TAGS = {"td", "th"}


class _SectionParser(HTMLParser):
    """Visible text by block, cut at h1–h3; scripts, styles and the <head> are not text."""

    def __init__(self, title: str) -> None:
        super().__init__(convert_charrefs=True)
        self.sections = [Section(title)]
        self.page_title = ""
        self._skipping: list[str] = []
        self._in_title = False
        self._heading: list[str] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _VOID_TAGS:
            if tag in {"br", "hr"}:
                self._text.append(" ")
            return
        if tag == "body" and "head" in self._skipping:
            self._skipping.clear()  # </head> may be left out; <body> ends it
            self._in_title = False
        if self._skipping or tag in _SKIPPED_TAGS or any(name == "hidden" for name, _ in attrs):
            self._skipping.append(tag)
            self._in_title = tag == "title" or self._in_title
            return
        if tag == "title":
            self._in_title = True
        elif tag in _SECTION_TAGS:
            self._end_paragraph()
            self._heading = []
        elif tag in _BLOCK_TAGS:
            self._end_paragraph()
        elif tag in _CELL_TAGS and self._text:
            self._text.append(", ")

    def handle_endtag(self, tag: str) -> None:
        if self._skipping:
            if tag in self._skipping:
                while self._skipping and self._skipping.pop() != tag:
                    pass
            self._in_title = self._in_title and bool(self._skipping) and tag != "title"
            return
        if tag == "title":
            self._in_title = False
        elif tag in _SECTION_TAGS and self._heading is not None:
            heading = " ".join("".join(self._heading).split())
            self._heading = None
            if heading:
                self.sections.append(Section(heading))
        elif tag in _BLOCK_TAGS:
            self._end_paragraph()

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.page_title += data
        elif self._skipping:
            return
        elif self._heading is not None:
            self._heading.append(data)
        else:
            self._text.append(data)

    def close(self) -> None:
        super().close()
        self._end_paragraph()

    def _end_paragraph(self) -> None:
        text = " ".join("".join(self._text).split()).strip(" ,")
        self._text = []
        if text:
            self.sections[-1].paragraphs.append(text)


def html_sections(html: str, title: str) -> list[Section]:
    parser = _SectionParser(title)
    parser.feed(html)
    parser.close()
    page_title = " ".join(parser.page_title.split())
    if page_title and parser.sections[0].heading == title:
        parser.sections[0].heading = page_title
    return parser.sections


def docx_sections(path: Path, title: str) -> list[Section]:
    """Paragraphs styled "Title" or "Heading N" head sections; table rows are paragraphs."""
    import docx  # python-docx: imported when a Word file is read, not at start-up
    from docx.table import Table

    document = docx.Document(str(path))
    sections = [Section(title)]
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                cells = _distinct(" ".join(cell.text.split()) for cell in row.cells)
                if cells:
                    sections[-1].paragraphs.append(", ".join(cells))
            continue
        text = " ".join(block.text.split())
        style = (block.style.name if block.style is not None else "") or ""
        if text and (style.startswith("Heading") or style == "Title"):
            sections.append(Section(text))
        elif text:
            sections[-1].paragraphs.append(text)
    return sections


def _distinct(cells) -> list[str]:
    """Merged cells repeat their text in every grid column they span; say it once."""
    seen: list[str] = []
    for cell in cells:
        if cell and cell not in seen:
            seen.append(cell)
    return seen
