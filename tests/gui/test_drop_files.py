"""Files dropped on the window: data files open the import wizard with them added (into the open
project), one project file opens; anything else is not taken. The map (a web view) hands drops
to the window instead of navigating to the file."""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

pytestmark = pytest.mark.gui


def _mime(*paths: Path) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def _drag(window, *paths: Path) -> bool:
    mime = _mime(*paths)
    enter = QDragEnterEvent(QPointF(200, 200), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    if not enter.isAccepted():
        return False
    drop = QDropEvent(QPointF(200, 200), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, drop)
    return drop.isAccepted()


def _wizard():
    from auditor.gui.import_wizard import ImportWizard
    return next((w for w in QApplication.topLevelWidgets()
                 if isinstance(w, ImportWizard) and w.isVisible()), None)


def test_dropped_data_files_open_the_wizard_with_them(qtbot, window, fresh_tiny_project,
                                                      tmp_path):
    window.open_project(fresh_tiny_project)
    pings = tmp_path / "more.csv.gz"
    labels = tmp_path / "labels.csv"
    for f in (pings, labels):
        f.write_bytes(b"x")
    assert _drag(window, pings, labels)
    qtbot.waitUntil(lambda: _wizard() is not None)
    wizard = _wizard()
    assert [e.path for e in wizard.entries] == [pings, labels]
    assert wizard.project == fresh_tiny_project
    wizard.reject()


def test_a_dropped_project_opens_and_other_files_are_refused(qtbot, window, fresh_tiny_project,
                                                             tmp_path):
    assert _drag(window, fresh_tiny_project)
    qtbot.waitUntil(lambda: window.state.project is not None)
    assert window.state.project.path == fresh_tiny_project
    other = tmp_path / "notes.docx"
    other.write_bytes(b"x")
    assert not _drag(window, other)
    assert not _drag(window, fresh_tiny_project, tmp_path / "x.csv")  # a project and data
    assert not window.map.acceptDrops()  # the web view never navigates to a dropped file
