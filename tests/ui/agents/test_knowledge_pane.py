from app.agents.definition import KnowledgeItem
from app.ui.agents.knowledge_pane import KnowledgePane
from tests.agents.panes_support import template

FAQ = """# Grooming

We groom dogs and cats on Tuesdays and Thursdays. A full groom costs 45 dollars.

# Payment

We take cards and cash; insurance claims are filed for you.
"""


def make_pane(qtbot) -> KnowledgePane:
    pane = KnowledgePane()
    qtbot.addWidget(pane)
    pane.show_agent(1, template())
    return pane


def test_a_dropped_document_is_indexed_and_retrieved_with_a_score(qtbot, qtmodeltester, tmp_path):
    pane = make_pane(qtbot)
    assert [s.name for s in pane.sources.rows()] == [
        "Opening hours",
        "Address and parking",
        "What to bring",
    ]
    good = tmp_path / "grooming-faq.md"
    good.write_text(FAQ, encoding="utf-8")
    bad = tmp_path / "scan.pdf"
    bad.write_bytes(b"not a pdf at all")
    edits = []
    pane.definition_edited.connect(edits.append)
    pane.add_documents([good, bad])
    assert pane.progress.isVisibleTo(pane) and not pane.add_button.isEnabled()
    qtbot.waitUntil(lambda: bool(edits))
    qtbot.waitUntil(lambda: pane.add_button.isEnabled())
    assert "Added grooming-faq.md: 2 passage(s)." in pane.message.text()
    assert "scan.pdf: cannot be read" in pane.message.text()  # the others still went in
    documents = [s for s in pane.sources.rows() if s.document]
    assert [(s.name, s.passages) for s in documents] == [("grooming-faq.md", 2)]
    assert [k.document for k in edits[0].knowledge][-2:] == ["grooming-faq.md"] * 2

    pane.question.setText("How much does grooming cost?")
    top = pane.hits.row(0)
    assert top.passage.heading == "Grooming" and top.score >= 0.5
    assert pane.hits.data(pane.hits.index(0, 0)) == f"{top.score:.2f}"
    pane.question.setText("Do you sell horse saddles?")
    assert pane.hits.rowCount() == 0 and "does not have" in pane.search_note.text()
    qtmodeltester.check(pane.sources, force_py=True)
    qtmodeltester.check(pane.hits, force_py=True)


def test_removing_a_document_edits_the_draft(qtbot):
    pane = make_pane(qtbot)
    definition = template().model_copy(
        update={
            "knowledge": [
                KnowledgeItem(title="Prices", text="A visit is 40 dollars.", document="prices.txt")
            ]
        }
    )
    pane.show_agent(1, definition)
    edits = []
    pane.definition_edited.connect(edits.append)
    pane.table.selectRow(0)
    pane.remove_selected()
    assert edits[0].knowledge == [] and pane.sources.rowCount() == 0
    pane.question.setText("How much is a visit?")
    assert "no knowledge yet" in pane.search_note.text()


def test_no_agent_no_pane(qtbot):
    pane = KnowledgePane()
    qtbot.addWidget(pane)
    assert not pane.isEnabled()
    pane.add_documents([])  # nothing to do, nothing raised
