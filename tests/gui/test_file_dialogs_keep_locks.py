"""A file chooser shown in the open project's folder must not cost the project its locks.

Qt's default chooser reads the first bytes of project.db, -wal and -shm to guess their type:
an open()/close() in this process that drops every POSIX lock SQLite holds on them. A terminal
command that then opens and closes the project believes it is alone, checkpoints and deletes
the WAL, and the app's next commit (a flag) lands in the deleted file: lost. Found driving the
app (Import ▸ Add… then a flag, then `auditor flags` said "No flags yet").

Oracle: after the chooser, another process opens and closes the project, the app commits, and
a third process must read that commit."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QFileSystemModel

from auditor.gui import file_dialogs
from auditor.store.project_settings import get_setting, set_setting

pytestmark = pytest.mark.gui

OTHER_PROCESS_OPENS = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
                       "c.execute('SELECT count(*) FROM sqlite_master').fetchone(); c.close()")
OTHER_PROCESS_READS = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); print(c.execute("
                       "\"SELECT value FROM project_settings WHERE key = 'probe'\").fetchone()[0])")


def close_when_listed(folder: Path, expected: set, seen: dict) -> None:
    """Once the chooser lists ``expected`` in ``folder``: ask for every row's icon and type
    (what a person scrolling the list makes Qt do), let the model's own thread catch up, then
    cancel."""
    def look() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            QTimer.singleShot(50, look)
            return
        model = dialog.findChild(QFileSystemModel)
        parent = model.index(str(folder))
        names = {model.index(r, 0, parent).data() for r in range(model.rowCount(parent))}
        if not expected <= names and seen.setdefault("tries", 0) < 100:
            seen["tries"] += 1
            QTimer.singleShot(50, look)
            return
        for r in range(model.rowCount(parent)):
            index = model.index(r, 0, parent)
            model.fileIcon(index)
            model.type(index)
        seen["listed"] = names
        QTimer.singleShot(800, dialog.reject)
    QTimer.singleShot(0, look)


def commit_survives_another_process(conn, project: Path, value: str) -> str:
    subprocess.run([sys.executable, "-c", OTHER_PROCESS_OPENS, str(project)], check=True)
    set_setting(conn, "probe", value)
    out = subprocess.run([sys.executable, "-c", OTHER_PROCESS_READS, str(project)], check=True,
                         capture_output=True, text=True)
    return out.stdout.strip()


@pytest.fixture
def open_project_window(window, tmp_path):
    project = tmp_path / "project.db"
    (tmp_path / "pings.csv").write_text("vehicle_id,timestamp,lat,lon\n")
    (tmp_path / "exports").mkdir()
    window.open_project(project, create=True)
    conn = window.state.project.conn
    set_setting(conn, "probe", "before")  # a commit in the WAL, not yet checkpointed
    assert Path(f"{project}-wal").exists()
    return window, project, conn


CHOOSERS = {  # the chooser, and what it lists in the project's folder
    "import wizard, Add…": (lambda w: w.commands.import_dialog().file_page._browse(),
                            {"pings.csv"}),   # its filter hides project.db
    "File ▸ Open project…": (lambda w: w.commands.open_project_dialog(), {"project.db"}),
    "File ▸ New project…": (lambda w: w.commands._path_for_new("New project"),
                            {"project.db"}),
}
LISTS = {"open_file": {"project.db", "pings.csv"}, "open_files": {"project.db", "pings.csv"},
         "save_file": {"project.db", "pings.csv"}, "folder": {"exports"}}


@pytest.mark.parametrize("chooser", list(CHOOSERS))
def test_a_chooser_in_the_projects_folder_loses_no_later_commit(chooser, open_project_window,
                                                                 qtbot):
    window, project, conn = open_project_window
    seen: dict = {}
    choose, listed = CHOOSERS[chooser]
    close_when_listed(project.parent, listed, seen)
    choose(window)
    assert listed <= seen["listed"]  # the chooser did show the project's folder
    assert commit_survives_another_process(conn, project, "after") == "after"
    assert Path(f"{project}-wal").exists()
    assert get_setting(conn, "probe") == "after"


@pytest.mark.parametrize("choose", ["open_file", "open_files", "save_file", "folder"])
def test_every_chooser_lists_the_folder_without_reading_its_files(choose, open_project_window,
                                                                 qtbot):
    window, project, conn = open_project_window
    seen: dict = {}
    close_when_listed(project.parent, LISTS[choose], seen)
    start = project if choose == "save_file" else str(project.parent)
    assert getattr(file_dialogs, choose)(window, "choose", start) in (None, [])
    assert LISTS[choose] <= seen["listed"]
    assert commit_survives_another_process(conn, project, f"after {choose}") == f"after {choose}"


def test_no_module_calls_qts_own_choosers():
    """Qt's static choosers (and a platform dialog) sniff files: every chooser goes through
    auditor.gui.file_dialogs."""
    gui = Path(file_dialogs.__file__).parent
    offenders = [str(p.relative_to(gui)) for p in gui.rglob("*.py")
                 if p.name != "file_dialogs.py"
                 and re.search(r"QFileDialog\s*[.(]", p.read_text(encoding="utf-8"))]
    assert offenders == []
