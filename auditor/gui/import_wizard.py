"""File ▸ Import data…: a wizard for people who never saw a CSV header before. Choose a file,
look at its first rows, say what it holds, map its columns, pick the timezone, import with
progress, and see what was refused and why."""
from __future__ import annotations

import zoneinfo
from pathlib import Path
from typing import Optional

import pandas as pd
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from auditor.errors import UserError
from auditor.gui.dialogs import show_bug
from auditor.gui.workers import Latest, Task, run_task
from auditor.ingest.columns import REQUIRED
from auditor.ingest.columns import USED as FIELDS_BY_KIND
from auditor.ingest.preview import PREVIEW_ROWS, guess, read_preview

AUTO = "(automatic)"
NO_TZ = "Timestamps carry their own offset (or are epoch numbers)"
PAGE_FILE, PAGE_COLUMNS, PAGE_TZ, PAGE_RUN = range(4)


class FrameModel(QAbstractTableModel):
    """A small DataFrame (the preview, quarantined rows) in a table; all cells plain text."""

    def __init__(self, frame: pd.DataFrame, parent=None):
        super().__init__(parent)
        self.frame = frame

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.frame)

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.frame.columns)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and index.isValid():
            return str(self.frame.iat[index.row(), index.column()])
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return str(self.frame.columns[section])
        return str(section + 1)


class FilePage(QWizardPage):
    def __init__(self, wizard: "ImportWizard"):
        super().__init__()
        self.wiz = wizard
        self.setTitle("Choose a file")
        self.setSubTitle("CSV, Parquet or GPX. Nothing is imported until the last step.")
        self.path_edit = QLineEdit()
        self.path_edit.setObjectName("importPath")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        self.kind = QComboBox()
        self.kind.setObjectName("importKind")
        self.kind.addItem("Guess from the columns", None)
        for k, text in (("pings", "GPS pings"), ("labels", "Given labels (home / work)"),
                        ("vehicles", "Vehicle metadata")):
            self.kind.addItem(text, k)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.preview = QTableView()
        self.preview.setObjectName("importPreview")
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        form = QFormLayout()
        form.addRow("File", row)
        form.addRow("It holds", self.kind)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(QLabel(f"First {PREVIEW_ROWS} rows:"))
        layout.addWidget(self.preview, 1)
        self.preview_worker = Latest(self)  # the file is read (and hashed) off the GUI thread
        self.path_edit.textChanged.connect(self._load_preview)
        self.kind.currentIndexChanged.connect(self.completeChanged)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a file to import", "",
                                              "Data files (*.csv *.txt *.tsv *.parquet *.gpx);;"
                                              "All files (*)")
        if path:
            self.path_edit.setText(path)

    def _load_preview(self) -> None:
        self.wiz.frame = None
        self.error.setText("")
        self.preview_worker.cancel()
        path = Path(self.path_edit.text().strip())
        if path.is_file():
            self.error.setText("Reading the file…")
            project = self.wiz.project  # never previewed as a table: open() drops our locks
            self.preview_worker.submit("Reading the file",
                                       lambda progress: read_preview(path, project=project),
                                       self._previewed, on_error=self._preview_failed,
                                       parent=self)
        elif str(path) not in ("", "."):
            self.error.setText(f"No such file: {path}")
        self.completeChanged.emit()

    def is_loading(self) -> bool:
        return self.preview_worker.busy

    def _previewed(self, preview) -> None:
        self.error.setText("")
        self.wiz.frame = preview.frame
        self.preview.setModel(FrameModel(preview.frame, self.preview))
        self.preview.resizeColumnsToContents()
        self.completeChanged.emit()

    def _preview_failed(self, exc: BaseException, tb: str) -> None:
        if isinstance(exc, UserError):
            self.error.setText(str(exc))
        else:
            self.error.setText(f"Cannot read the file ({type(exc).__name__}); see the log.")
            show_bug(self, exc, "reading the file", tb)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.wiz.frame is not None

    def nextId(self) -> int:
        return PAGE_RUN if self.wiz.is_gpx() else PAGE_COLUMNS


class ColumnsPage(QWizardPage):
    def __init__(self, wizard: "ImportWizard"):
        super().__init__()
        self.wiz = wizard
        self.setTitle("Which column is which?")
        self.setSubTitle("Columns with usual names are found automatically; pick a column where "
                         "the guess is wrong. Fields marked * are required.")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.form = QFormLayout()
        self.combos: dict[str, QComboBox] = {}
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(self.form)
        layout.addStretch(1)

    def initializePage(self) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.combos = {}
        columns = [str(c) for c in self.wiz.frame.columns]
        kind, found = guess(columns, self.wiz.file_page.kind.currentData())
        self.wiz.kind = kind
        if kind is None:
            self.summary.setText("Could not tell what this file holds: go back and choose it, "
                                 "or map the vehicle id column below.")
            kind = "vehicles"
        else:
            self.summary.setText(f"This looks like {kind}.")
        for field in FIELDS_BY_KIND[kind]:
            combo = QComboBox()
            combo.setObjectName(f"map_{field}")
            combo.addItem(AUTO + (f" → {found[field]}" if field in found else " → not found"), None)
            for c in columns:
                combo.addItem(c, c)
            combo.currentIndexChanged.connect(self.completeChanged)
            self.combos[field] = combo
            star = " *" if field in REQUIRED[kind] else ""
            self.form.addRow(f"{field}{star}", combo)
        self._found = found
        self._kind = kind

    def column_map(self) -> dict[str, str]:
        return {f: c.currentData() for f, c in self.combos.items() if c.currentData()}

    def isComplete(self) -> bool:
        chosen = self.column_map()
        return all(f in chosen or f in self._found for f in REQUIRED.get(self._kind, ()))

    def nextId(self) -> int:
        return PAGE_TZ if self._kind == "pings" else PAGE_RUN


class TimezonePage(QWizardPage):
    def __init__(self, wizard: "ImportWizard"):
        super().__init__()
        self.wiz = wizard
        self.setTitle("Timezone of the timestamps")
        self.setSubTitle("Only needed when timestamps have no offset (e.g. 2026-03-02 08:15:00). "
                         "Type to search, e.g. 'Berlin'.")
        self.combo = QComboBox()
        self.combo.setObjectName("importTimezone")
        self.combo.setEditable(True)
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.combo.addItem(NO_TZ, None)
        for zone in sorted(zoneinfo.available_timezones()):
            self.combo.addItem(zone, zone)
        completer = QCompleter(self.combo.model(), self.combo)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.combo.setCompleter(completer)
        layout = QVBoxLayout(self)
        layout.addWidget(self.combo)
        layout.addStretch(1)

    def tz(self) -> Optional[str]:
        index = self.combo.findText(self.combo.currentText())
        return self.combo.itemData(index) if index >= 0 else None

    def set_tz(self, zone: Optional[str]) -> None:
        self.combo.setCurrentIndex(self.combo.findData(zone) if zone else 0)

    def isComplete(self) -> bool:
        return self.combo.findText(self.combo.currentText()) >= 0

    def nextId(self) -> int:
        return PAGE_RUN


class RunPage(QWizardPage):
    def __init__(self, wizard: "ImportWizard"):
        super().__init__()
        self.wiz = wizard
        self.setTitle("Import")
        self.status = QLabel()
        self.status.setObjectName("importStatus")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.reasons = QTableView()
        self.reasons.setObjectName("importReasons")
        self.rows = QTableView()
        self.rows.setObjectName("importQuarantine")
        self.infer = QCheckBox("Run inference when I press Finish")
        self.infer.setObjectName("importInfer")
        self.infer.setChecked(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(QLabel("Rows refused, by reason:"))
        layout.addWidget(self.reasons, 1)
        layout.addWidget(QLabel("First refused rows:"))
        layout.addWidget(self.rows, 2)
        layout.addWidget(self.infer)
        self.job: Optional[Task] = None
        self.done = False

    def initializePage(self) -> None:
        self.done = False
        self.status.setText("Importing…")
        self.wiz.start_import(self)

    def finish(self, summaries: Optional[list]) -> None:
        self.done = True
        if summaries:
            s = summaries[0]
            if s.get("skipped"):
                self.status.setText(f"{Path(s['file']).name} was already imported with these "
                                    "options — nothing to do.")
            else:
                self.status.setText(f"{s['kind']}: read {s['read']:,} rows, accepted "
                                    f"{s['accepted']:,}, refused {s['quarantined']:,}.")
            reasons = pd.DataFrame(sorted(s.get("reasons", {}).items()),
                                   columns=["reason", "rows"])
            self.reasons.setModel(FrameModel(reasons, self.reasons))
            self.reasons.resizeColumnsToContents()
            refused = self.wiz.first_quarantined(s)
            self.rows.setModel(FrameModel(refused, self.rows))
            self.rows.resizeColumnsToContents()
            self.infer.setChecked(s["kind"] in ("pings", "labels") and not s.get("skipped"))
        self.completeChanged.emit()

    def failed(self, message: str) -> None:
        self.done = True
        self.status.setText(f"Nothing was imported: {message}\nGo Back to change the options.")
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.done

    def nextId(self) -> int:
        return -1


class ImportWizard(QWizard):
    def __init__(self, project: Path, parent=None):
        super().__init__(parent)
        self.setObjectName("importWizard")
        self.setWindowTitle("Import data")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.project = Path(project)
        self.frame: Optional[pd.DataFrame] = None
        self.kind: Optional[str] = None
        self.imported = False
        self.summaries: Optional[list] = None
        self.file_page = FilePage(self)
        self.columns_page = ColumnsPage(self)
        self.tz_page = TimezonePage(self)
        self.run_page = RunPage(self)
        self.setPage(PAGE_FILE, self.file_page)
        self.setPage(PAGE_COLUMNS, self.columns_page)
        self.setPage(PAGE_TZ, self.tz_page)
        self.setPage(PAGE_RUN, self.run_page)
        self.resize(760, 560)

    def is_gpx(self) -> bool:
        return Path(self.file_page.path_edit.text().strip()).suffix.lower() == ".gpx"

    def run_inference_requested(self) -> bool:
        return self.run_page.infer.isChecked()

    def import_options(self) -> dict:
        path = Path(self.file_page.path_edit.text().strip())
        if self.is_gpx():
            return {"files": [path], "kind": "pings", "column_map": None, "tz": None}
        kind = self.file_page.kind.currentData() or self.kind
        tz = self.tz_page.tz() if kind == "pings" else None
        return {"files": [path], "kind": kind, "column_map": self.columns_page.column_map() or None,
                "tz": tz}

    def start_import(self, page: RunPage) -> None:
        from auditor.ingest.api import ingest_paths
        opts = self.import_options()
        self.button(QWizard.WizardButton.BackButton).setEnabled(False)

        def failed(exc: BaseException, tb: str) -> None:
            if isinstance(exc, UserError):
                page.failed(str(exc))
            else:
                page.failed(f"unexpected error ({type(exc).__name__}); see the log")
                show_bug(self, exc, "importing", tb)

        task = run_task(self, "Importing", lambda progress: ingest_paths(
            self.project, progress=progress, **opts), self._imported, on_error=failed)
        task.cancelled.connect(lambda: page.failed("cancelled"))
        task.finished.connect(lambda: self.button(QWizard.WizardButton.BackButton).setEnabled(True))
        page.job = task

    def _imported(self, summaries) -> None:
        self.summaries = summaries
        self.imported = any(not s.get("skipped") for s in summaries)
        self.run_page.finish(summaries)

    def first_quarantined(self, summary: dict, limit: int = 50) -> pd.DataFrame:
        """The first refused rows of this import (line, reason, raw text)."""
        from auditor.store import open_project
        from auditor.store.lookups import quarantined_rows
        rows = []
        if summary.get("import_id") is not None:
            conn = open_project(self.project, create=False, readonly=True)
            try:
                rows = quarantined_rows(conn, summary["import_id"], limit)
            finally:
                conn.close()
        return pd.DataFrame(rows, columns=["line", "reason", "raw"])
