from PySide6.QtCore import Qt

from app.ui.simple_table import SimpleTableModel


def test_simple_table_model(qtmodeltester):
    model = SimpleTableModel([("Name", lambda r: r[0]), ("Size", lambda r: r[1])])
    model.set_rows([("a", 1), ("b", 2), ("c", 3)])
    qtmodeltester.check(model, force_py=True)
    assert model.headerData(1, Qt.Orientation.Horizontal) == "Size"
    assert model.index(2, 0).data() == "c" and model.row(1) == ("b", 2)
    model.set_rows([])
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() == 0
