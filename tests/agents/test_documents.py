"""Readers of knowledge documents, the chunk size limit and the errors a user sees."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import docx
import pytest

from app.agents.knowledge import KnowledgeError, Passage, passages_from_text, read_document
from app.agents.passages import MAX_PASSAGE_TOKENS, count_tokens

DATA = Path(__file__).resolve().parents[1] / "data" / "knowledge"


def _generator():
    spec = importlib.util.spec_from_file_location("make_documents", DATA / "make_documents.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_documents = _generator()


def headings(passages: list[Passage]) -> list[str]:
    return [p.heading for p in passages]


def test_markdown_is_cut_at_its_headings(tmp_path):
    path = tmp_path / "clinic-info.md"
    path.write_text(
        "Welcome to the clinic.\n\n# Opening hours\nWe open at 8.\n\n## Weekends\n"
        "Saturday 9 to 1.\n\nParking\n-------\nBehind the **building**, see [map](http://x/map).\n"
        "\n```\n# not a heading\n```\n### Prices ###\n- Consultation: $65\n- Booster: $55\n",
        encoding="utf-8",
    )
    passages = read_document(path)
    assert headings(passages) == ["Clinic info", "Opening hours", "Weekends", "Parking", "Prices"]
    assert {p.document for p in passages} == {"clinic-info.md"}
    parking = passages[3].text
    assert "Behind the building, see map." in parking and "**" not in parking
    assert "# not a heading" in parking
    assert passages[4].text == "Consultation: $65\n\nBooster: $55"


def test_text_paragraphs_and_short_lines_that_head_them(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text(
        "We are a family practice.\nFounded in 1990.\n\nParking\n\nFree parking behind the\n"
        "building.\n\nDirections:\nTake bus 7.\n\nThe end.\n",
        encoding="utf-8",
    )
    passages = read_document(path)
    assert [(p.heading, p.text) for p in passages] == [
        ("Notes", "We are a family practice. Founded in 1990."),
        ("Parking", "Free parking behind the building."),
        ("Directions", "Take bus 7.\n\nThe end."),
    ]


def test_text_in_windows_encoding_and_with_a_bom(tmp_path):
    (tmp_path / "a.txt").write_bytes("Caf\xe9 prices: \x80 5.".encode("latin-1"))
    (tmp_path / "b.txt").write_bytes("\ufeffOpening hours are 8 to 6.".encode())
    assert read_document(tmp_path / "a.txt")[0].text == "Café prices: € 5."
    assert read_document(tmp_path / "b.txt")[0].text == "Opening hours are 8 to 6."
    (tmp_path / "c.txt").write_bytes("Parking is free.".encode("utf-16"))
    assert read_document(tmp_path / "c.txt")[0].text == "Parking is free."


def test_html_sections_at_h1_to_h3_without_scripts_or_styles(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>Evergreen &amp; Co</title><style>h1 {color: red}</style>"
        "<script>var secret = 'hidden';</script></head><body><nav>Home | About</nav>"
        "<p>Intro &amp; welcome.</p><h1>Hours</h1><p>Open <b>8</b> to 6.<br>Closed Sundays.</p>"
        "<h2>Prices</h2><h4>Dogs</h4><ul><li>Booster $55</li><li>Chip $25</li></ul>"
        "<h3>Table</h3><table><tr><th>Item</th><th>Price</th></tr><tr><td>X-ray</td>"
        "<td>$90</td></tr></table><script>track('x')</script><noscript>Enable JS</noscript>"
        "<div hidden><p>Old prices</p></div></body></html>",
        encoding="utf-8",
    )
    passages = read_document(path)
    assert [(p.heading, p.text) for p in passages] == [
        ("Evergreen & Co", "Intro & welcome."),
        ("Hours", "Open 8 to 6. Closed Sundays."),
        ("Prices", "Dogs\n\nBooster $55\n\nChip $25"),
        ("Table", "Item, Price\n\nX-ray, $90"),
    ]
    everything = " ".join(p.text for p in passages)
    for hidden in ("secret", "color", "track", "Enable JS", "About", "Old prices"):
        assert hidden not in everything


def test_html_whose_head_is_never_closed(tmp_path):
    path = tmp_path / "old.htm"
    path.write_text("<html><head><title>Old page<body><h2>Parking</h2><p>Behind us.</p>")
    assert [(p.heading, p.text) for p in read_document(path)] == [("Parking", "Behind us.")]


def test_docx_heading_styles_and_tables(tmp_path):
    path = tmp_path / "insurance.docx"
    document = docx.Document()
    document.add_paragraph("Before any heading.")
    document.add_paragraph("Pet insurance", style="Title")
    document.add_paragraph("We accept most insurers.")
    document.add_paragraph("Direct claims", style="Heading 1")
    document.add_paragraph("We claim for you.")
    document.add_paragraph("Forms", style="Heading 3")
    table = document.add_table(rows=2, cols=3)
    for row, cells in zip(table.rows, [("Form", "Price", ""), ("Claim", "Free", "")], strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    table.rows[0].cells[1].merge(table.rows[0].cells[2])
    document.save(str(path))
    passages = read_document(path)
    assert [(p.heading, p.text) for p in passages] == [
        ("Insurance", "Before any heading."),
        ("Pet insurance", "We accept most insurers."),
        ("Direct claims", "We claim for you."),
        ("Forms", "Form, Price\n\nClaim, Free"),
    ]


def test_pdf_text_with_headings_from_type_size(tmp_path):
    path = tmp_path / "leaflet.pdf"
    long_text = "Boosters are yearly for every dog and cat we see. " * 12
    blocks = [("text", "A leaflet for owners."), ("heading", "Vaccinations"), ("text", long_text)]
    blocks += [("text", "Ask at reception."), ("heading", "Travel"), ("text", "Rabies first.")]
    blocks += [("text", "Filler line.")] * 80 + [("heading", "Last page"), ("text", "The end.")]
    make_documents.write_pdf(path, blocks)
    passages = read_document(path)
    assert headings(passages) == ["Leaflet", "Vaccinations", "Travel", "Last page"]
    assert passages[1].text == f"{long_text.strip()}\n\nAsk at reception."
    assert passages[2].text.startswith("Rabies first.\n\nFiller line.")
    assert passages[3].text == "The end."


def test_the_checked_in_documents_are_what_the_generator_writes(tmp_path):
    made = make_documents.write_all(tmp_path)
    assert len(made) >= 8
    assert {p.suffix for p in made} == {".md", ".txt", ".html", ".docx", ".pdf"}
    for path in made:
        assert read_document(path) == read_document(DATA / path.name), path.name


def test_a_long_section_is_cut_between_paragraphs_within_the_limit(tmp_path):
    paragraphs = [f"Paragraph {n} " + "word " * 120 + "end." for n in range(10)]
    passages = passages_from_text("Long", "\n\n".join(paragraphs))
    assert len(passages) > 1
    assert all(count_tokens(p.text) <= MAX_PASSAGE_TOKENS for p in passages)
    assert [part for p in passages for part in p.text.split("\n\n")] == paragraphs
    assert {p.heading for p in passages} == {"Long"}


def test_a_paragraph_over_the_limit_is_cut_between_sentences_then_words():
    sentences = " ".join(f"Sentence number {n} is short." for n in range(300))
    unbroken = " ".join(["word"] * 1_600)
    passages = passages_from_text("Huge", f"{sentences}\n\n{unbroken}")
    assert all(count_tokens(p.text) <= MAX_PASSAGE_TOKENS for p in passages)
    assert " ".join(p.text for p in passages).split() == f"{sentences} {unbroken}".split()
    assert passages[0].text.endswith("is short.")


def test_inline_knowledge_items_become_passages():
    (passage,) = passages_from_text("Opening hours", "We are open Monday to Friday, 8 am to 6 pm.")
    assert passage == Passage(
        "Opening hours", "Opening hours", "We are open Monday to Friday, 8 am to 6 pm."
    )
    assert passages_from_text("Empty", "  \n\n ") == []
    assert headings(passages_from_text("FAQ", "Intro.\n## Parking\nFree.")) == ["FAQ", "Parking"]


def _empty_docx(path: Path) -> None:
    docx.Document().save(str(path))


def _empty_pdf(path: Path) -> None:
    make_documents.write_pdf(path, [])


@pytest.mark.parametrize(
    ("name", "write", "says"),
    [
        ("empty.md", lambda p: p.write_text(""), "no text"),
        ("blank.txt", lambda p: p.write_text(" \n\n \t\n"), "no text"),
        (
            "scripts.html",
            lambda p: p.write_text("<script>x()</script><style>p{}</style>"),
            "no text",
        ),
        ("empty.docx", _empty_docx, "no text"),
        ("empty.pdf", _empty_pdf, "no text"),
        ("binary.txt", lambda p: p.write_bytes(b"\x00\x01\x02PK\x03"), "not a text file"),
        ("corrupt.docx", lambda p: p.write_bytes(b"this is not a zip file"), "cannot be read"),
        ("corrupt.pdf", lambda p: p.write_bytes(b"%PDF-1.4\nnonsense\n"), "cannot be read"),
        ("sheet.xlsx", lambda p: p.write_bytes(b"PK"), "unsupported file type '.xlsx'"),
        ("no-suffix", lambda p: p.write_text("text"), "unsupported file type"),
        ("missing.md", lambda p: None, "no such file"),
    ],
)
def test_unreadable_documents_say_so_in_one_line(tmp_path, name, write, says):
    path = tmp_path / name
    write(path)
    with pytest.raises(KnowledgeError) as raised:
        read_document(path)
    message = str(raised.value)
    assert message.startswith(f"{name}: ") and says in message
    assert "\n" not in message and len(message) < 200


def test_a_folder_is_not_a_document(tmp_path):
    (tmp_path / "folder.md").mkdir()
    with pytest.raises(KnowledgeError, match="no such file"):
        read_document(tmp_path / "folder.md")


def test_markdown_front_matter_and_tables(tmp_path):
    path = tmp_path / "prices.md"
    path.write_text(
        "---\ntitle: Prices\nlayout: page\n---\n# Prices\n\n| Item | Price |\n|:-----|------:|\n"
        "| Consultation | $65 |\n| Booster | $55 |\n\nPrices include tax.\n",
        encoding="utf-8",
    )
    (passage,) = read_document(path)
    assert passage.heading == "Prices"
    assert passage.text == "Item, Price\n\nConsultation, $65\n\nBooster, $55\n\nPrices include tax."
