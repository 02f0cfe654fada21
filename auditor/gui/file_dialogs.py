"""Every file and folder chooser of the app, safe beside an open project.

Qt's own choosers ask QMimeDatabase what each listed file is, and it reads the first bytes of a
file whose name says nothing (project.db, project.db-wal, project.db-shm): an open() and close()
inside this process. POSIX locks belong to the process, so that close() drops every SQLite lock
the app holds on its open project; the next `auditor` command in a terminal then believes it is
alone, checkpoints and deletes the WAL, and the app's later commits (flags!) go to a deleted
file. Seen driving the app: a flag made after Import ▸ Add… in the project's folder was gone.

So every chooser here is Qt's widget dialog (never the platform's: a GTK or macOS chooser in
this process sniffs files the same way) with icons and type names taken from the name alone.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from PySide6.QtCore import QFileInfo
from PySide6.QtWidgets import QFileDialog, QFileIconProvider, QWidget


class NameOnlyIcons(QFileIconProvider):
    """A folder or a file icon and a type from the suffix: never the file's bytes."""

    def icon(self, what):  # noqa: D102 - Qt's overloads: an IconType or a QFileInfo
        if isinstance(what, QFileInfo):
            kind = QFileIconProvider.IconType.Folder if what.isDir() else \
                QFileIconProvider.IconType.File
            return super().icon(kind)
        return super().icon(what)

    def type(self, info: QFileInfo) -> str:  # noqa: A003 - Qt's name
        if info.isDir():
            return "Folder"
        suffix = info.suffix()
        return f"{suffix.upper()} file" if suffix else "File"


_icons: Optional[NameOnlyIcons] = None


def safe_dialog(parent: Optional[QWidget], caption: str, folder: str = "",
                name_filter: str = "") -> QFileDialog:
    """A QFileDialog that never opens the files it lists (see the module docstring)."""
    global _icons
    if _icons is None:  # one for the app: a dialog does not own its icon provider
        _icons = NameOnlyIcons()
    dialog = QFileDialog(parent, caption, folder, name_filter)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setIconProvider(_icons)
    return dialog


def _run(dialog: QFileDialog) -> list[str]:
    return dialog.selectedFiles() if dialog.exec() == QFileDialog.DialogCode.Accepted else []


def open_file(parent, caption: str, folder: str = "", name_filter: str = "") -> Optional[str]:
    dialog = safe_dialog(parent, caption, folder, name_filter)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    chosen = _run(dialog)
    return chosen[0] if chosen else None


def open_files(parent, caption: str, folder: str = "", name_filter: str = "") -> list[str]:
    dialog = safe_dialog(parent, caption, folder, name_filter)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
    return _run(dialog)


def save_file(parent, caption: str, start: str | Path, name_filter: str = "") -> Optional[str]:
    """``start``: the suggested file (its folder is where the dialog opens)."""
    start = Path(start)
    dialog = safe_dialog(parent, caption, str(start.parent), name_filter)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    dialog.selectFile(start.name)
    chosen = _run(dialog)
    return chosen[0] if chosen else None


def folder(parent, caption: str, start: str = "") -> Optional[str]:
    dialog = safe_dialog(parent, caption, start)
    dialog.setFileMode(QFileDialog.FileMode.Directory)
    dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
    chosen = _run(dialog)
    return chosen[0] if chosen else None
