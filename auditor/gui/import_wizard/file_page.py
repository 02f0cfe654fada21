"""Step 1: add files, look at their first rows, say what each holds."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWizardPage,
)

from auditor.errors import UserError
from auditor.gui import file_dialogs
from auditor.gui.dialogs import show_bug
from auditor.gui.import_wizard.common import (
    DATA_FILTER,
    KIND_WORDS,
    PAGE_COLUMNS,
    FileEntry,
    FrameModel,
    problem_label,
)
from auditor.gui.text import tip
from auditor.gui.workers import Latest
from auditor.ingest.preview import (
    PREVIEW_ROWS,
    read_preview,
)

if TYPE_CHECKING:
    from auditor.gui.import_wizard.wizard import ImportWizard


class FilePage(QWizardPage):
    def __init__(self, wizard: "ImportWizard"):
        super().__init__()
        self.wiz = wizard
        self.setTitle("Choose the files")
        self.setSubTitle("CSV, Excel, Parquet, GPX, KML, JSON or NMEA: pings, given labels and "
                         "vehicle metadata can come together. Nothing is imported until you "
                         "press Import on the last page.")
        self.files = QListWidget()
        self.files.setObjectName("importFiles")
        self.files.setMaximumHeight(96)
        self.files.setToolTip(tip("The files this import reads; select one to see its rows"))
        self.path_edit = QLineEdit()
        self.path_edit.setObjectName("importPath")
        self.path_edit.setPlaceholderText("Path of the selected file (or Add… several)")
        add = QPushButton("Add…")
        add.setObjectName("importAdd")
        add.setToolTip("Add one or more files to this import")
        add.clicked.connect(self._browse)
        remove = QPushButton("Remove")
        remove.setObjectName("importRemove")
        remove.setToolTip("Leave the selected file out of this import")
        remove.clicked.connect(self._remove)
        self.kind = QComboBox()
        self.kind.setObjectName("importKind")
        self.kind.addItem("Guess from the columns", None)
        for k in ("pings", "labels", "vehicles"):
            self.kind.addItem(KIND_WORDS[k][0].upper() + KIND_WORDS[k][1:], k)
        self.kind.setToolTip("What the selected file holds")
        self.error = problem_label("importWhy")
        self.preview = QTableView()
        self.preview.setObjectName("importPreview")
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(add)
        row.addWidget(remove)
        form = QFormLayout()
        files_label = QLabel("Files")
        files_label.setToolTip(self.files.toolTip())
        form.addRow(files_label, self.files)
        form.addRow("", row)
        holds = QLabel("It holds")
        holds.setToolTip(self.kind.toolTip())
        form.addRow(holds, self.kind)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        self.preview_label = QLabel(f"First {PREVIEW_ROWS} rows:")
        self.preview_label.setTextFormat(Qt.TextFormat.PlainText)  # a file name is data
        self.preview_label.setWordWrap(True)
        layout.addWidget(self.preview_label)
        layout.addWidget(self.preview, 1)
        self.readers: dict[int, Latest] = {}  # entry id -> its preview read (off the GUI thread)
        self._editing = False
        self.path_edit.textChanged.connect(self._path_typed)
        self.kind.currentIndexChanged.connect(self._kind_chosen)
        self.files.currentRowChanged.connect(self._show_entry)

    # --- entries ---------------------------------------------------------------------------
    def _browse(self) -> None:
        paths = file_dialogs.open_files(self, "Choose files to import",
                                        str(self.wiz.project.parent), DATA_FILTER)
        if paths:
            self.wiz.add_files([Path(p) for p in paths])

    def _remove(self) -> None:
        row = self.files.currentRow()
        if 0 <= row < len(self.wiz.entries):
            del self.wiz.entries[row]
            self.refresh_list()
            self.files.setCurrentRow(min(row, len(self.wiz.entries) - 1))
            self._show_entry(self.files.currentRow())

    def current(self) -> Optional[FileEntry]:
        row = self.files.currentRow()
        return self.wiz.entries[row] if 0 <= row < len(self.wiz.entries) else None

    def _path_typed(self, text: str) -> None:
        """The path field names the selected file (the first one when there is none)."""
        if self._editing:
            return
        path = Path(text.strip())
        entry = self.current()
        if str(path) in ("", "."):
            if entry is not None and len(self.wiz.entries) == 1:
                self.wiz.entries.clear()
                self.refresh_list()
                self._show_entry(-1)
            return
        if entry is None:
            self.wiz.add_files([path])
            return
        entry.path, entry.preview, entry.error = path, None, None
        entry.kind_choice, entry.column_map = None, {}
        self.load(entry)
        self.refresh_list()
        self._show_entry(self.files.currentRow())

    def load(self, entry: FileEntry) -> None:
        reader = self.readers.setdefault(id(entry), Latest(self))
        reader.cancel()
        entry.preview, entry.error = None, None
        path = entry.path
        if not path.is_file():
            entry.error = f"No such file: {path}"
            self.completeChanged.emit()
            return

        def done(preview, entry=entry, path=path) -> None:
            if entry.path == path:
                entry.preview = preview
                self._loaded(entry)

        def failed(exc: BaseException, tb: str, entry=entry, path=path) -> None:
            if entry.path != path:
                return
            if isinstance(exc, UserError):
                entry.error = str(exc)
            else:
                entry.error = f"Cannot read {path.name} ({type(exc).__name__}); see the log."
                show_bug(self, exc, "reading the file", tb)
            self._loaded(entry)

        project = self.wiz.project  # never previewed as a table: open() drops our locks
        reader.submit("Reading the file",
                      lambda progress: read_preview(path, project=project), done,
                      on_error=failed, parent=self)

    def _loaded(self, entry: FileEntry) -> None:
        self.refresh_list()
        if self.current() is entry:
            self._show_entry(self.files.currentRow())
        self.completeChanged.emit()

    def is_loading(self) -> bool:
        return any(e.loading for e in self.wiz.entries)

    def refresh_list(self) -> None:
        self.files.blockSignals(True)
        row = self.files.currentRow()
        self.files.clear()
        for e in self.wiz.entries:
            what = ("reading…" if e.loading else "cannot be read" if e.error else
                    KIND_WORDS.get(e.kind or "", "? (say what it holds)")
                    + ("" if e.kind_choice or e.gpx or e.kind is None else " (guessed)"))
            it = QListWidgetItem(f"{e.path.name} — {what}")
            it.setToolTip(tip(str(e.path)))
            self.files.addItem(it)
        self.files.setCurrentRow(row if 0 <= row < len(self.wiz.entries) else
                                 (0 if self.wiz.entries else -1))
        self.files.blockSignals(False)
        self.completeChanged.emit()

    def _show_entry(self, row: int) -> None:
        entry = self.current()
        shown = "" if entry is None else str(entry.path)
        # only when it names another file: rewriting what is being typed would eat the
        # trailing slash of '/tmp/' (Path drops it) at every keystroke
        if Path(self.path_edit.text().strip() or ".") != Path(shown or "."):
            self._editing = True
            self.path_edit.setText(shown)
            self._editing = False
        self.kind.blockSignals(True)
        self.kind.setCurrentIndex(max(self.kind.findData(entry.kind_choice), 0)
                                  if entry is not None else 0)
        self.kind.setEnabled(entry is not None and not entry.gpx)
        self.kind.blockSignals(False)
        frame = entry.preview.frame if entry is not None and entry.preview is not None else None
        if frame is not None and entry.gpx:
            frame = frame.head(PREVIEW_ROWS)
        self.preview.setModel(FrameModel(frame if frame is not None else pd.DataFrame(),
                                         self.preview))
        self.preview.resizeColumnsToContents()
        note = entry.preview.note if entry is not None and entry.preview is not None else None
        self.preview_label.setText("" if entry is None else
                                   f"First {PREVIEW_ROWS} rows of {entry.path.name}:"
                                   + (f"\n{note}" if note else ""))
        self.completeChanged.emit()

    def _kind_chosen(self) -> None:
        entry = self.current()
        if entry is not None:
            entry.kind_choice = self.kind.currentData()
            entry.column_map = {}
            self.refresh_list()

    # --- the wizard's questions -------------------------------------------------------------
    def why_not(self) -> Optional[str]:
        entries = self.wiz.entries
        if not entries:
            return "Add a file to import (Add…, or type its path)."
        for e in entries:
            if e.error or e.loading:
                return e.problem()
        for e in entries:
            if e.kind is None:
                return e.problem()
        return None

    def isComplete(self) -> bool:
        why = self.why_not()
        self.error.setText(why or "")
        return why is None

    def nextId(self) -> int:
        return PAGE_COLUMNS if any(not e.gpx for e in self.wiz.entries) else self.wiz.after_columns()
