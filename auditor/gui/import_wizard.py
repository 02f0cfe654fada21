"""File ▸ Import data…: a wizard for people who never saw a CSV header before. Add the files
(pings, given labels and vehicle metadata can come together), look at their first rows, say
what each holds, see every column and what the import does with it, pick the timezone when the
timestamps need one, review — and only then Import: every file in one transaction, so a
failure or Cancel keeps nothing. Then see what was refused and why.

Whenever Next is off, the page says why ("gps.csv: lat: no column found — pick one")."""
from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
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
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from auditor.errors import UserError
from auditor.gui.dialogs import show_bug
from auditor.gui.text import tip
from auditor.gui.workers import Latest, Task, run_task
from auditor.ingest.columns import REQUIRED
from auditor.ingest.columns import USED as FIELDS_BY_KIND
from auditor.ingest.preview import (
    PREVIEW_ROWS,
    FilePreview,
    column_roles,
    guess,
    read_preview,
    timestamp_style,
)

AUTO = "(automatic)"
NO_TZ = "Timestamps carry their own offset (or are epoch numbers)"
PAGE_FILE, PAGE_COLUMNS, PAGE_TZ, PAGE_REVIEW, PAGE_RUN = range(5)
KIND_WORDS = {"pings": "GPS pings", "labels": "given labels (home / work)",
              "vehicles": "vehicle metadata"}
FIELD_TIPS = {
    "vehicle_id": "The vehicle each row belongs to (the same ids in every file)",
    "timestamp": "When the ping was recorded: ISO-8601 with or without an offset, or epoch "
                 "seconds / milliseconds",
    "lat": "Latitude in degrees (-90 to 90)", "lon": "Longitude in degrees (-180 to 180)",
    "speed_mps": "Speed in metres per second (optional)",
    "heading_deg": "Heading in degrees (optional)",
    "trip_id": "The source's own trip id (optional; trips are found anyway)",
    "label": "home, work or other",
}
IMPORT_ORDER = {"vehicles": 0, "pings": 1, "labels": 2}  # metadata first: pings may need it
DATA_FILTER = "Data files (*.csv *.txt *.tsv *.parquet *.gpx);;All files (*)"


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


@dataclass
class FileEntry:
    """One file of the import and what the analyst said about it."""
    path: Path
    preview: Optional[FilePreview] = None
    error: Optional[str] = None
    kind_choice: Optional[str] = None        # None: guessed from the columns
    column_map: dict = field(default_factory=dict)  # field -> column the analyst picked

    @property
    def loading(self) -> bool:
        return self.preview is None and self.error is None

    @property
    def gpx(self) -> bool:
        return self.path.suffix.lower() == ".gpx"

    @property
    def columns(self) -> list[str]:
        return [] if self.preview is None else [str(c) for c in self.preview.frame.columns]

    def guessed(self) -> tuple[Optional[str], dict]:
        if self.gpx:
            return "pings", {}
        return guess(self.columns, None)

    @property
    def kind(self) -> Optional[str]:
        return "pings" if self.gpx else (self.kind_choice or self.guessed()[0])

    def found(self) -> dict:
        """field -> column as the import will read it (the analyst's picks, then aliases)."""
        found = dict(self.guessed()[1])
        for f, c in list(found.items()):  # a column the analyst gave another field is taken
            if c in self.column_map.values() and self.column_map.get(f) != c:
                del found[f]
        found.update(self.column_map)
        return found

    def missing(self) -> list[str]:
        if self.gpx or self.kind is None:
            return []
        return [f for f in REQUIRED[self.kind] if f not in self.found()]

    def problem(self) -> Optional[str]:
        """Why this file cannot be imported as it stands (None: it can)."""
        name = self.path.name
        if self.error:
            return self.error
        if self.loading:
            return f"{name}: reading the file…"
        if self.kind is None:
            return (f"{name}: cannot tell what it holds — choose pings, labels or vehicles "
                    "on the first page")
        missing = self.missing()
        if missing:
            return f"{name}: {missing[0]}: no column found — pick one"
        return None


class FilePage(QWizardPage):
    def __init__(self, wizard: "ImportWizard"):
        super().__init__()
        self.wiz = wizard
        self.setTitle("Choose the files")
        self.setSubTitle("CSV, Parquet or GPX: pings, given labels and vehicle metadata can come "
                         "together. Nothing is imported until you press Import on the last "
                         "page.")
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
        self.error = QLabel()
        self.error.setObjectName("importWhy")
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
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
        paths, _ = QFileDialog.getOpenFileNames(self, "Choose files to import", "", DATA_FILTER)
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
        self._editing = True
        self.path_edit.setText("" if entry is None else str(entry.path))
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


class ColumnsPage(QWizardPage):
    """One tab per file: each field the import reads with the column it comes from, and every
    column of the file with what happens to it (read as a field, vehicle metadata, not read)."""

    def __init__(self, wizard: "ImportWizard"):
        super().__init__()
        self.wiz = wizard
        self.setTitle("Which column is which?")
        self.setSubTitle("Columns with usual names are found automatically; pick a column where "
                         "the guess is wrong. Fields marked * are required.")
        self.tabs = QTabWidget()
        self.tabs.setObjectName("importColumnTabs")
        self.why = QLabel()
        self.why.setObjectName("importColumnsWhy")
        self.why.setStyleSheet("color: #b00020")
        self.why.setWordWrap(True)
        self.why.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.why)
        self.combos: dict[str, QComboBox] = {}       # of the first file (tests, one-file use)
        self.file_combos: list[dict[str, QComboBox]] = []
        self.roles: list[QLabel] = []

    def initializePage(self) -> None:
        self.tabs.clear()
        self.file_combos, self.roles = [], []
        for i, entry in enumerate(self.wiz.entries):
            if entry.gpx:
                self.file_combos.append({})
                self.roles.append(QLabel())
                continue
            self.tabs.addTab(self._tab(i, entry), f"{entry.path.name} ({entry.kind or '?'})")
        self.combos = next((c for c in self.file_combos if c), {})
        self.completeChanged.emit()

    def _tab(self, i: int, entry: FileEntry) -> QWidget:
        tab = QWidget()
        form = QFormLayout()
        combos: dict[str, QComboBox] = {}
        kind = entry.kind or "vehicles"
        guessed, found = entry.guessed()
        summary = QLabel(f"{entry.path.name} holds {KIND_WORDS[kind]}"
                         + (" (as you said)." if entry.kind_choice else
                            " (guessed from its columns)." if guessed else
                            ": could not tell — go Back to say what it holds."))
        summary.setWordWrap(True)
        for f in FIELDS_BY_KIND[kind]:
            combo = QComboBox()
            combo.setObjectName(f"map_{f}" if i == 0 else f"map_{i}_{f}")
            combo.addItem(AUTO + (f" → {found[f]}" if f in found else " → not found"), None)
            for c in entry.columns:
                combo.addItem(c, c)
            if f in entry.column_map:
                combo.setCurrentIndex(combo.findData(entry.column_map[f]))
            combo.setToolTip(tip(FIELD_TIPS.get(f, f)))
            combo.currentIndexChanged.connect(lambda _i, e=entry, f=f, c=combo:
                                              self._picked(e, f, c))
            combos[f] = combo
            label = QLabel(f"{f}{' *' if f in REQUIRED[kind] else ''}")
            label.setToolTip(combo.toolTip())
            form.addRow(label, combo)
        roles = QLabel()
        roles.setObjectName("importColumnRoles")
        roles.setWordWrap(True)
        roles.setTextFormat(Qt.TextFormat.PlainText)
        roles.setToolTip(tip("Every column of the file and what the import does with it"))
        self.file_combos.append(combos)
        self.roles.append(roles)
        self._show_roles(i)
        layout = QVBoxLayout(tab)
        layout.addWidget(summary)
        layout.addLayout(form)
        layout.addWidget(roles)
        layout.addStretch(1)
        return tab

    def _picked(self, entry: FileEntry, f: str, combo: QComboBox) -> None:
        if combo.currentData():
            entry.column_map[f] = combo.currentData()
        else:
            entry.column_map.pop(f, None)
        self._show_roles(self.wiz.entries.index(entry))
        self.completeChanged.emit()

    def _show_roles(self, i: int) -> None:
        entry = self.wiz.entries[i]
        try:
            roles = column_roles(entry.columns, entry.kind or "vehicles", entry.found())
        except UserError as exc:
            self.roles[i].setText(str(exc))
            return
        self.roles[i].setText("Every column and what the import does with it:\n" + "\n".join(
            f"  {c} → {role}" for c, role in roles))

    def column_map(self, i: int = 0) -> dict[str, str]:
        return dict(self.wiz.entries[i].column_map) if i < len(self.wiz.entries) else {}

    def why_not(self) -> Optional[str]:
        for e in self.wiz.entries:
            why = e.problem()
            if why:
                return why
        return None

    def isComplete(self) -> bool:
        why = self.why_not()
        self.why.setText(why or "")
        return why is None

    def nextId(self) -> int:
        return self.wiz.after_columns()


class TimezonePage(QWizardPage):
    def __init__(self, wizard: "ImportWizard"):
        super().__init__()
        self.wiz = wizard
        self.setTitle("Timezone and time window of the timestamps")
        self.setSubTitle("The timezone is needed only when timestamps have no offset (e.g. "
                         "2026-03-02 08:15:00); type to search, e.g. 'Berlin'. The time window "
                         "is optional.")
        self.notice = QLabel()
        self.notice.setObjectName("importTimestampNotice")
        self.notice.setWordWrap(True)
        self.notice.setTextFormat(Qt.TextFormat.PlainText)
        self.combo = QComboBox()
        self.combo.setObjectName("importTimezone")
        self.combo.setEditable(True)
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.combo.addItem(NO_TZ, None)
        for zone in sorted(zoneinfo.available_timezones()):
            self.combo.addItem(zone, zone)
        self.combo.setToolTip("The IANA zone the naive timestamps were written in")
        completer = QCompleter(self.combo.model(), self.combo)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.combo.setCompleter(completer)
        self.combo.currentTextChanged.connect(lambda _t: self.completeChanged.emit())
        # the plausible-time window (ingest --min-time/--max-time): pings outside it are
        # quarantined as implausible_timestamp; empty = the default bound
        window_tip = tip("Pings stamped outside this window are quarantined as "
                         "implausible_timestamp (a clock reset to 1970, a GPS week rollover, a "
                         "date in the future). A date such as 2024-01-01, an ISO-8601 time "
                         "(without an offset: UTC) or epoch seconds; empty: the default.")
        self.min_time = QLineEdit()
        self.min_time.setObjectName("importMinTime")
        self.min_time.setPlaceholderText("2000-01-01 (default)")
        self.max_time = QLineEdit()
        self.max_time.setObjectName("importMaxTime")
        self.max_time.setPlaceholderText("now + 1 day (default)")
        for edit in (self.min_time, self.max_time):
            edit.setToolTip(window_tip)
            edit.textChanged.connect(lambda _t: self.completeChanged.emit())
        self.why = QLabel()
        self.why.setStyleSheet("color: #b00020")
        self.why.setWordWrap(True)
        self.why.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.addWidget(self.notice)
        zone = QLabel("Timezone")
        zone.setToolTip(self.combo.toolTip())
        row = QHBoxLayout()
        row.addWidget(zone)
        row.addWidget(self.combo, 1)
        layout.addLayout(row)
        window = QHBoxLayout()
        window.addWidget(QLabel("Keep pings from"))
        window.addWidget(self.min_time, 1)
        window.addWidget(QLabel("to"))
        window.addWidget(self.max_time, 1)
        layout.addLayout(window)
        layout.addWidget(self.why)
        layout.addStretch(1)
        self.styles: dict[str, tuple[str, str]] = {}

    def initializePage(self) -> None:
        """Notice how each pings file writes its times: with an offset, as epoch numbers, or
        naive (then, and only then, a zone is needed)."""
        self.styles = {}
        lines = []
        for e in self.wiz.entries:
            if e.kind != "pings" or e.gpx or e.preview is None:
                continue
            col = e.found().get("timestamp")
            values = e.preview.frame[col].tolist() if col in e.preview.frame else []
            style, example = timestamp_style(values)
            self.styles[e.path.name] = (style, example)
            lines.append({
                "offset": f"{e.path.name}: the timestamps carry their own UTC offset (e.g. "
                          f"{example}) — no timezone needed; each keeps its offset.",
                "epoch": f"{e.path.name}: the timestamps are epoch numbers (e.g. {example}), "
                         "which are UTC — no timezone needed.",
                "naive": f"{e.path.name}: the timestamps have no offset (e.g. {example}) — "
                         "pick the timezone they were written in.",
                "unknown": f"{e.path.name}: no timestamp could be read from the first rows.",
            }[style])
        self.notice.setText("\n".join(lines))
        if not self.needs_zone() and self.tz() is not None:
            return
        if not self.needs_zone():
            self.combo.setCurrentIndex(0)

    def needs_zone(self) -> bool:
        return any(style == "naive" for style, _ in self.styles.values())

    def tz(self) -> Optional[str]:
        index = self.combo.findText(self.combo.currentText())
        return self.combo.itemData(index) if index >= 0 else None

    def set_tz(self, zone: Optional[str]) -> None:
        self.combo.setCurrentIndex(self.combo.findData(zone) if zone else 0)

    def time_window(self) -> tuple[Optional[str], Optional[str]]:
        """(min_time, max_time) as typed (None: the default bound)."""
        return (self.min_time.text().strip() or None, self.max_time.text().strip() or None)

    def _window_problem(self) -> Optional[str]:
        from auditor.ingest.validate import time_window
        lo, hi = self.time_window()
        for text in (lo, hi):
            if text is not None:
                try:
                    time_window(text)
                except UserError:
                    return (f"“{text}” is not a time — use a date such as 2024-01-01, an "
                            "ISO-8601 time or epoch seconds.")
        try:
            time_window(lo, hi)
        except UserError:
            return "The window's start comes after its end — swap them."
        return None

    def isComplete(self) -> bool:
        why = None
        if self.combo.findText(self.combo.currentText()) < 0:
            why = f"“{self.combo.currentText()}” is not a timezone — pick one from the list."
        elif self.needs_zone() and self.tz() is None:
            naive = [n for n, (s, _) in self.styles.items() if s == "naive"]
            why = f"{', '.join(naive)}: timestamps without an offset — pick their timezone."
        else:
            why = self._window_problem()
        self.why.setText(why or "")
        return why is None

    def nextId(self) -> int:
        return PAGE_REVIEW


class ReviewPage(QWizardPage):
    """The last step before anything is written: what will be imported, and Import."""

    def __init__(self, wizard: "ImportWizard"):
        super().__init__()
        self.wiz = wizard
        self.setTitle("Ready to import")
        self.setSubTitle("Nothing has been imported yet. Import reads every file below in one "
                         "transaction: if one fails, or you cancel, none of them is kept.")
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "Import")
        self.summary = QLabel()
        self.summary.setObjectName("importReview")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.status = QLabel()
        self.status.setObjectName("importReviewStatus")
        self.status.setStyleSheet("color: #b00020")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary, 1)
        layout.addWidget(self.status)
        self.job: Optional[Task] = None
        self.committed = False

    def initializePage(self) -> None:
        self.committed = False
        self.status.setText("")
        lines = []
        for job in self.wiz.jobs():
            cols = ", ".join(f"{f} ← {c}" for f, c in (job.column_map or {}).items())
            lines.append(f"• {job.path.name}: {KIND_WORDS[job.kind]}"
                         + (f"; columns {cols}" if cols else "; columns found automatically")
                         + (f"; naive times in {job.tz}" if job.tz else ""))
        lo, hi = self.wiz.time_window()
        if lo or hi:
            lines.append(f"• pings stamped before {lo or '2000-01-01'} or after "
                         f"{hi or 'now + 1 day'} are quarantined (implausible_timestamp)")
        self.summary.setText("\n".join(lines))

    def validatePage(self) -> bool:
        """Import, then move on (the wizard's Next is pressed again when it is done)."""
        if self.committed:
            return True
        if self.job is None:
            self.wiz.start_import(self)
        return False

    def imported(self) -> None:
        self.job = None
        self.committed = True
        self.wiz.next()

    def failed(self, message: str) -> None:
        self.job = None
        self.status.setText(f"Nothing was imported: {message}\nGo Back to change the options, "
                            "or Cancel.")


class RunPage(QWizardPage):
    def __init__(self, wizard: "ImportWizard"):
        super().__init__()
        self.wiz = wizard
        self.setTitle("Imported")
        self.status = QLabel()
        self.status.setObjectName("importStatus")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.reasons = QTableView()
        self.reasons.setObjectName("importReasons")
        self.rows = QTableView()
        self.rows.setObjectName("importQuarantine")
        self.infer = QCheckBox("Run inference (trips, places, model) when I press Finish")
        self.infer.setObjectName("importInfer")
        self.infer.setChecked(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(QLabel("Rows refused, by reason:"))
        layout.addWidget(self.reasons, 1)
        layout.addWidget(QLabel("First refused rows:"))
        layout.addWidget(self.rows, 2)
        layout.addWidget(self.infer)
        self.done = False

    def initializePage(self) -> None:
        # the data is in the project now: the only way on is Finish (Cancel would undo nothing)
        self.wiz.setOption(QWizard.WizardOption.NoCancelButton, True)
        self.show_summaries(self.wiz.summaries or [])

    def cleanupPage(self) -> None:
        self.wiz.setOption(QWizard.WizardOption.NoCancelButton, False)

    def show_summaries(self, summaries: list) -> None:
        self.done = True
        lines, reasons, refused = [], [], []
        for s in summaries:
            name = Path(s["file"]).name
            if s.get("skipped"):
                lines.append(f"{name} was already imported with these options — nothing to do.")
                continue
            lines.append(f"{name} ({s['kind']}): read {s['read']:,} rows, accepted "
                         f"{s['accepted']:,}, refused {s['quarantined']:,}.")
            reasons += [(name, r, n) for r, n in sorted(s.get("reasons", {}).items())]
            refused.append(self.wiz.first_quarantined(s).assign(file=name))
        self.status.setText("\n".join(lines) + "\nThe data is in the project.")
        self.reasons.setModel(FrameModel(pd.DataFrame(reasons, columns=["file", "reason", "rows"]),
                                         self.reasons))
        self.reasons.resizeColumnsToContents()
        frame = (pd.concat(refused, ignore_index=True)[["file", "line", "reason", "raw"]]
                 if refused else pd.DataFrame(columns=["file", "line", "reason", "raw"]))
        self.rows.setModel(FrameModel(frame, self.rows))
        self.rows.resizeColumnsToContents()
        self.infer.setChecked(any(s["kind"] in ("pings", "labels") and not s.get("skipped")
                                  for s in summaries))
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
        self.entries: list[FileEntry] = []
        self.imported = False
        self.summaries: Optional[list] = None
        self.file_page = FilePage(self)
        self.columns_page = ColumnsPage(self)
        self.tz_page = TimezonePage(self)
        self.review_page = ReviewPage(self)
        self.run_page = RunPage(self)
        self.setPage(PAGE_FILE, self.file_page)
        self.setPage(PAGE_COLUMNS, self.columns_page)
        self.setPage(PAGE_TZ, self.tz_page)
        self.setPage(PAGE_REVIEW, self.review_page)
        self.setPage(PAGE_RUN, self.run_page)
        self.resize(820, 600)

    # --- files --------------------------------------------------------------------------
    def add_files(self, paths: list[Path], select: bool = True) -> None:
        for p in paths:
            if any(e.path == Path(p) for e in self.entries):
                continue
            entry = FileEntry(Path(p))
            self.entries.append(entry)
            self.file_page.load(entry)
        page = self.file_page
        page.refresh_list()
        if select and self.entries:
            page.files.setCurrentRow(len(self.entries) - 1)
            page._show_entry(len(self.entries) - 1)

    @property
    def frame(self) -> Optional[pd.DataFrame]:
        """The first file's preview rows (None until read)."""
        e = self.entries[0] if self.entries else None
        return None if e is None or e.preview is None else e.preview.frame

    @property
    def kind(self) -> Optional[str]:
        return self.entries[0].kind if self.entries else None

    def is_gpx(self) -> bool:
        return bool(self.entries) and all(e.gpx for e in self.entries)

    def after_columns(self) -> int:
        return PAGE_TZ if any(e.kind == "pings" and not e.gpx for e in self.entries) \
            else PAGE_REVIEW

    def run_inference_requested(self) -> bool:
        return self.imported and self.run_page.infer.isChecked()

    def jobs(self):
        """What Import will do, metadata first (pings may read a vehicle's zone from it)."""
        from auditor.ingest.api import ImportJob
        tz = self.tz_page.tz()
        out = []
        for e in sorted(self.entries, key=lambda e: IMPORT_ORDER.get(e.kind or "", 3)):
            out.append(ImportJob(e.path, e.kind, None if e.gpx else (dict(e.column_map) or None),
                                 tz if e.kind == "pings" and not e.gpx else None))
        return out

    def time_window(self) -> tuple[Optional[str], Optional[str]]:
        """(min_time, max_time) for the pings (None: the default), set on the timezone page
        (shown only for CSV/Parquet pings)."""
        if self.after_columns() != PAGE_TZ:
            return (None, None)
        return self.tz_page.time_window()

    def import_options(self) -> dict:
        """The first file's options, as `auditor ingest` would take them."""
        job = self.jobs()[0]
        lo, hi = self.time_window()
        return {"files": [job.path], "kind": job.kind, "column_map": job.column_map,
                "tz": job.tz, "min_time": lo, "max_time": hi}

    # --- the import itself -----------------------------------------------------------------
    def start_import(self, page: ReviewPage) -> None:
        from auditor.ingest.api import ingest_jobs
        jobs = self.jobs()
        page.status.setText("Importing…")
        back = self.button(QWizard.WizardButton.BackButton)
        back.setEnabled(False)

        def failed(exc: BaseException, tb: str) -> None:
            if isinstance(exc, UserError):
                page.failed(str(exc))
            else:
                page.failed(f"unexpected error ({type(exc).__name__}); see the log")
                show_bug(self, exc, "importing", tb)

        lo, hi = self.time_window()
        task = run_task(self, "Importing", lambda progress: ingest_jobs(
            self.project, jobs, progress=progress, min_time=lo, max_time=hi),
            self._imported, on_error=failed)
        task.cancelled.connect(lambda: page.failed("cancelled — the project is as it was"))
        task.finished.connect(lambda: back.setEnabled(not page.committed))
        page.job = task

    def _imported(self, summaries) -> None:
        self.summaries = summaries
        self.imported = any(not s.get("skipped") for s in summaries)
        self.review_page.imported()

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
