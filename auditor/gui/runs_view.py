"""Run ▸ Runs…: the project's model runs as experiments (issue 18).

A table of runs (test accuracy first: the number to trust); two selected runs compared (what
differs in settings, data and code, accuracy per population, and the places labelled
differently — a click shows the place on the map); rerun a run, retrain on an export, infer
again leaving feature groups out; and what new data did since a run. Logic and texts come
from auditor.state.runs; long work runs through auditor.gui.workers."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from auditor.gui import file_dialogs
from auditor.gui.workers import Task, run_task
from auditor.pipeline.feature_groups import DESCRIPTIONS, GROUPS
from auditor.state import runs as logic


def _table(columns, name: str) -> QTableWidget:
    t = QTableWidget(0, len(columns))
    t.setObjectName(name)
    t.setHorizontalHeaderLabels(list(columns))
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.verticalHeader().setVisible(False)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.horizontalHeader().setStretchLastSection(True)
    return t


def _cell(text: str) -> QTableWidgetItem:
    it = QTableWidgetItem(text)  # plain text: nothing from data is ever rendered as markup
    it.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    return it


def _text_box(name: str) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setObjectName(name)
    box.setReadOnly(True)
    box.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    box.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
    return box


class RunsView(QDialog):
    jobFinished = Signal(dict)   # an infer / rerun / retrain summary, or a drift result

    def __init__(self, state, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.setObjectName("runsView")
        self.setWindowTitle("Runs")
        self.state = state
        self.runs: list[dict] = []
        self.comparison: Optional[dict] = None
        self.job: Optional[Task] = None

        self.runs_table = _table(logic.COLUMNS, "runsTable")
        self.runs_table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.compare_button = QPushButton("Compare selected")
        self.rerun_button = QPushButton("Rerun selected")
        self.retrain_button = QPushButton("Retrain with an export…")
        self.drift_button = QPushButton("New data since selected")
        self.worth_button = QPushButton("What each feature group is worth")
        self.infer_button = QPushButton("Infer leaving out:")
        for b, n in ((self.compare_button, "compareButton"), (self.rerun_button, "rerunButton"),
                     (self.retrain_button, "retrainButton"), (self.drift_button, "driftButton"),
                     (self.infer_button, "inferWithoutButton"),
                     (self.worth_button, "worthButton")):
            b.setObjectName(n)
        self.group_checks = {}
        groups_row = QHBoxLayout()
        groups_row.addWidget(self.infer_button)
        for g in GROUPS:
            box = QCheckBox(g)
            box.setObjectName(f"without_{g}")
            box.setToolTip(f"{DESCRIPTIONS[g]}: {', '.join(GROUPS[g])}")
            self.group_checks[g] = box
            groups_row.addWidget(box)
        groups_row.addStretch(1)
        buttons = QHBoxLayout()
        for b in (self.compare_button, self.rerun_button, self.retrain_button,
                  self.drift_button, self.worth_button):
            buttons.addWidget(b)
        buttons.addStretch(1)

        self.status = QLabel("Test accuracy is the number to trust: no choice (labeller, "
                             "weights, features) was made on test vehicles.")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.compare_view = _text_box("compareText")
        self.changed_table = _table(("place", "vehicle", "split", "was", "now"),
                                    "changedPlaces")
        self.changed_table.setToolTip("Click a place to show it on the map")
        self.changed_label = QLabel("Compare two runs to list the places they label "
                                    "differently.")
        self.changed_label.setTextFormat(Qt.TextFormat.PlainText)
        self.changed_label.setWordWrap(True)
        changed = QWidget()
        changed_layout = QVBoxLayout(changed)
        changed_layout.setContentsMargins(0, 0, 0, 0)
        changed_layout.addWidget(self.changed_label)
        changed_layout.addWidget(self.changed_table, 1)
        self.compare_view.setPlaceholderText("Select two runs (or one: against the run before "
                                             "it) and press Compare selected.")
        self.outcome_view = _text_box("outcomeText")
        self.outcome_view.setPlaceholderText("What a rerun, a retrain, an inference, the new "
                                             "data check or the feature-group table found "
                                             "shows here.")

        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(self.compare_view)
        lower.addWidget(changed)
        lower.setSizes([600, 400])
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.runs_table)
        split.addWidget(lower)
        split.addWidget(self.outcome_view)
        split.setSizes([220, 320, 140])
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addLayout(groups_row)
        layout.addWidget(self.status)
        layout.addWidget(split, 1)

        self.compare_button.clicked.connect(self.compare_selected)
        self.rerun_button.clicked.connect(self.rerun_selected)
        self.retrain_button.clicked.connect(self.choose_export)
        self.drift_button.clicked.connect(self.drift_selected)
        self.worth_button.clicked.connect(self.worth_selected)
        self.infer_button.clicked.connect(self.infer_without)
        self.changed_table.cellClicked.connect(self._show_changed_place)
        self.runs_table.itemSelectionChanged.connect(self._update_buttons)
        self._listener = state.project_changed.connect(lambda _p: self.refresh())
        self.resize(1100, 760)
        self.refresh()

    # --- runs -----------------------------------------------------------------------------
    @property
    def path(self) -> Optional[Path]:
        return None if self.state.project is None else self.state.project.path

    def refresh(self) -> None:
        self.runs = logic.model_runs(self.path) if self.path is not None else []
        t = self.runs_table
        t.setRowCount(len(self.runs))
        for r, run in enumerate(self.runs):
            for c, text in enumerate(logic.row_texts(run)):
                t.setItem(r, c, _cell(text))
        self._update_buttons()

    def selected_runs(self) -> list[int]:
        rows = sorted({i.row() for i in self.runs_table.selectedIndexes()})
        return [self.runs[r]["run_id"] for r in rows]

    def select_runs(self, run_ids) -> None:
        self.runs_table.clearSelection()
        mode = self.runs_table.selectionMode()
        self.runs_table.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        for r, run in enumerate(self.runs):
            if run["run_id"] in run_ids:
                self.runs_table.selectRow(r)
        self.runs_table.setSelectionMode(mode)

    def _update_buttons(self) -> None:
        n = len(self.selected_runs())
        busy = self.job is not None and not self.job.is_finished
        self.compare_button.setEnabled(n == 2 or (n == 1 and len(self.runs) >= 2))
        self.rerun_button.setEnabled(n == 1 and not busy)
        self.drift_button.setEnabled(n <= 1 and bool(self.runs) and not busy)
        self.worth_button.setEnabled(n <= 1 and bool(self.runs) and not busy)
        for b in (self.retrain_button, self.infer_button):
            b.setEnabled(self.path is not None and not busy)

    # --- compare --------------------------------------------------------------------------
    def compare_selected(self) -> Optional[dict]:
        ids = self.selected_runs()
        if len(ids) == 1:  # against the run before it
            i = [r["run_id"] for r in self.runs].index(ids[0])
            ids = [self.runs[max(i - 1, 0)]["run_id"], ids[0]] if i else \
                [ids[0], self.runs[1]["run_id"]]
        if len(ids) != 2:
            return None
        self.comparison = logic.compare(self.path, ids[0], ids[1])
        self.compare_view.setPlainText(logic.compare_text(self.comparison))
        rows = self.comparison["changed_places"]
        self.changed_label.setText(
            f"{len(rows)} place(s) labelled differently by run {ids[1]} than by run {ids[0]}"
            + (" — click one to show it on the map." if rows else "."))
        self.changed_table.setRowCount(len(rows))
        for r, p in enumerate(rows):
            for c, key in enumerate(("place_id", "vehicle_id", "split", "label_a", "label_b")):
                self.changed_table.setItem(r, c, _cell(str(p[key])))
        return self.comparison

    def _show_changed_place(self, row: int, _col: int = 0) -> None:
        place_id = self.changed_table.item(row, 0).text()
        if not self.state.select_place(place_id):
            self.status.setText(f"Place {place_id} is not in the latest inference any more.")

    # --- long jobs ------------------------------------------------------------------------
    def _start(self, title: str, work, done) -> Task:
        def finished(result):
            done(result)
            self.jobFinished.emit(result)
        self.job = run_task(self, title, work, finished)
        self.job.finished.connect(self._update_buttons)
        self._update_buttons()
        return self.job

    def _after_inference(self, summary: dict) -> None:
        self.outcome_view.setPlainText(logic.outcome_text(summary))
        self.state.reload()   # the main window shows the new run; refresh() follows

    def without(self) -> list[str]:
        return [g for g, box in self.group_checks.items() if box.isChecked()]

    def infer_without(self) -> Optional[Task]:
        if self.path is None:
            return None
        return self._start("Running inference", logic.infer_work(self.path, self.without()),
                           self._after_inference)

    def rerun_selected(self) -> Optional[Task]:
        ids = self.selected_runs()
        if len(ids) != 1:
            return None
        return self._start(f"Re-running run {ids[0]}", logic.rerun_work(self.path, ids[0]),
                           self._after_inference)

    def choose_export(self) -> Optional[Task]:
        folder = file_dialogs.folder(self, "Retrain with an export folder",
                                     str(self.path.parent) if self.path else "")
        return self.retrain(folder) if folder else None

    def retrain(self, export_dir: str | Path) -> Optional[Task]:
        if self.path is None:
            return None
        return self._start("Retraining on the export",
                           logic.retrain_work(self.path, export_dir, self.without()),
                           self._after_inference)

    def drift_selected(self) -> Optional[Task]:
        ids = self.selected_runs()
        run_id = ids[0] if ids else None

        def done(d: dict) -> None:
            self.outcome_view.setPlainText(logic.drift_text(d))
        return self._start("Deriving the new data", logic.drift_work(self.path, run_id), done)

    def worth_selected(self) -> Optional[Task]:
        ids = self.selected_runs()

        def done(report: dict) -> None:
            self.outcome_view.setPlainText(logic.worth_text(report))
        return self._start("What each feature group is worth",
                           logic.worth_work(self.path, ids[0] if ids else None), done)

    def done(self, result: int) -> None:
        if self.job is not None and not self.job.is_finished:
            return  # the progress dialog is modal; closing waits for Cancel or the end
        self.state.project_changed.disconnect(self._listener)
        super().done(result)


def open_runs_view(state, parent: Optional[QWidget] = None) -> RunsView:
    view = RunsView(state, parent)
    view.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    view.show()
    return view
