"""Every column header in the Analysis dock explains itself on hover (analyst words first,
numbers and definitions in tooltips): a tab added without them fails here."""
from PySide6.QtWidgets import QTableView, QTableWidget, QTreeWidget


def _headers(widget):
    """(table name, header text, tooltip) of every table and tree under ``widget``."""
    for table in widget.findChildren(QTableWidget):
        for c in range(table.columnCount()):
            h = table.horizontalHeaderItem(c)
            if h is not None and not table.isColumnHidden(c):
                yield table.objectName(), h.text(), h.toolTip()
    for tree in widget.findChildren(QTreeWidget):
        h = tree.headerItem()
        for c in range(tree.columnCount()):
            if not tree.isColumnHidden(c):
                yield tree.objectName(), h.text(c), h.toolTip(c)


def test_every_analysis_tab_header_has_a_tooltip(qtbot, window, fresh_demo_project):
    window.open_project(fresh_demo_project)
    qtbot.waitUntil(lambda: window.state.analysis is not None, timeout=120_000)
    dock = window.analysis
    seen, missing = 0, []
    for entry in dock.entries:
        view = dock.view(entry.key)
        for table, text, tip in _headers(view):
            seen += 1
            if text.strip() and not tip.strip():
                missing.append(f"{entry.key}/{table}: {text!r}")
        # a lazy (model-backed) table would not be covered above: there is none to miss
        assert not [t for t in view.findChildren(QTableView)
                    if not isinstance(t, QTableWidget)], entry.key
    assert seen > 20            # the dock's tables were really found
    assert not missing, "\n".join(missing)
