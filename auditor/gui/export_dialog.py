"""The Export dialog: choose folder, format and weighting; see in numbers what the training set
will contain (rows relabelled, excluded, reweighted) before writing it; export off the GUI
thread and show where the files went with their sha256."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from auditor.errors import UserError
from auditor.export.build import held_out_words
from auditor.export.config import FORMATS, ExportConfig
from auditor.gui import file_dialogs
from auditor.gui.dialogs import show_bug
from auditor.gui.workers import Latest, Task, run_task

PREVIEW_DELAY_MS = 300   # re-preview once the analyst stops turning a spin box

# (key, words on the left, what it means) of the preview rows, in reading order
PREVIEW_ROWS = (
    ("rows", "Rows in the training set", "Training places that go into the export"),
    ("relabelled", "Relabelled by flags", "Training rows whose label a 'label is wrong' flag "
                                          "corrected"),
    ("excluded", "Excluded", "Training rows left out, by reason (bad-data flags, no label, "
                             "no stops left)"),
    ("reweighted", "Reweighted", "Rows upweighted: neighbours of a misclassified validation "
                                 "sample, or flagged 'model is wrong' (hard example)"),
    ("misclassified_validation", "Misclassified validation samples used",
     "Validation places the model got wrong; their k nearest training rows are upweighted"),
    ("effective_sample_size", "Effective sample size",
     "(sum of weights)^2 / sum of squared weights: how many equally weighted rows the "
     "weighted set is worth"),
    ("weights", "Weight min / max / mean", "Sample weights after scaling to sum to the rows"),
)


def _count(n: int) -> str:
    return f"{int(n):,}"


def _weight(x: float) -> str:
    return f"{float(x):.4g}"


def preview_texts(preview: dict) -> dict[str, str]:
    """The words shown for each preview row (also what the tests compare against)."""
    reasons = preview.get("excluded_by_reason") or {}
    excluded = _count(preview["excluded"])
    if reasons:
        excluded += " (" + "; ".join(f"{_count(n)} {reason}" for reason, n in reasons.items()) + ")"
    w = preview["weights"]
    return {
        "rows": _count(preview["rows"]),
        "relabelled": _count(preview["relabelled"]) + held_out_words(preview, " — "),
        "excluded": excluded,
        "reweighted": _count(preview["reweighted"]),
        "misclassified_validation": _count(preview["misclassified_validation"]),
        "effective_sample_size": f"{float(preview['effective_sample_size']):,.1f} "
                                 f"of {_count(preview['rows'])} rows",
        "weights": f"{_weight(w['min'])} / {_weight(w['max'])} / {_weight(w['mean'])}",
    }


def default_out_dir(project_path: Path) -> Path:
    """A folder beside the project, named after it: a sensible first suggestion."""
    return project_path.parent / f"{project_path.stem}-export"


def _plain_label(text: str = "", name: str = "") -> QLabel:
    # data-derived text (paths, reasons) is never interpreted as HTML
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    if name:
        label.setObjectName(name)
    return label


class ExportDialog(QDialog):
    previewUpdated = Signal(dict)     # a preview for the current settings is on screen
    previewFailed = Signal(object)
    exportFinished = Signal(dict)     # export_training_set's summary
    exportFailed = Signal(object)
    retrained = Signal(dict)          # infer --weights-from's summary ("Retrain with this export")

    def __init__(self, parent: Optional[QWidget], project_path: str | Path):
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle("Export training set")
        self.project_path = Path(project_path).absolute()
        self.preview: Optional[dict] = None       # last preview shown
        self.summary: Optional[dict] = None       # last export's summary
        self.export_job: Optional[Task] = None
        self.previews = Latest(self)  # the latest settings win: an older preview is dropped
        self._closing = False

        self._build_options()
        self._build_preview()
        self._build_result()

        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setObjectName("exportButton")
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.export_button.clicked.connect(self.start_export)
        self.close_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(_plain_label(f"Project: {self.project_path}", "projectLabel"))
        layout.addWidget(self.options_box)
        layout.addWidget(self.preview_box)
        layout.addWidget(self.error_label)
        layout.addWidget(self.result_box)
        layout.addWidget(self.buttons)
        # as wide as the hashes need from the start: the dialog does not jump after an export
        self.setMinimumWidth(self.hashes_view.minimumWidth() + 48)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(PREVIEW_DELAY_MS)
        self._debounce.timeout.connect(self.refresh_preview)
        for signal in (self.k_spin.valueChanged, self.factor_spin.valueChanged,
                       self.balance_check.toggled, self.reviewed_check.toggled):
            signal.connect(self.schedule_preview)
        self.out_edit.textChanged.connect(self._update_buttons)
        self._update_buttons()
        self.refresh_preview()

    # --- building -------------------------------------------------------------------------
    def _build_options(self) -> None:
        defaults = ExportConfig()
        self.options_box = QGroupBox("Options")
        form = QFormLayout(self.options_box)

        self.out_edit = QLineEdit(str(default_out_dir(self.project_path)))
        self.out_edit.setObjectName("outDirEdit")
        self.browse_button = QPushButton("Browse…")
        self.browse_button.clicked.connect(self.browse)
        row = QHBoxLayout()
        row.addWidget(self.out_edit, 1)
        row.addWidget(self.browse_button)
        form.addRow("Output folder:", row)

        self.format_combo = QComboBox()
        self.format_combo.addItems(list(FORMATS))
        form.addRow("Format:", self.format_combo)

        self.k_spin = QSpinBox()
        self.k_spin.setRange(1, 1000)
        self.k_spin.setValue(defaults.k)
        self.k_spin.setToolTip("Training neighbours upweighted around each misclassified "
                               "validation sample")
        form.addRow("Neighbours k:", self.k_spin)

        self.factor_spin = QDoubleSpinBox()
        self.factor_spin.setRange(1.0, 100.0)
        self.factor_spin.setDecimals(2)
        self.factor_spin.setSingleStep(0.5)
        self.factor_spin.setValue(defaults.factor)
        self.factor_spin.setToolTip("Weight multiplier per neighbouring validation error")
        form.addRow("Upweight factor:", self.factor_spin)

        self.balance_check = QCheckBox("Balance classes (home / work / other weigh the same)")
        self.balance_check.setChecked(defaults.balance_classes)
        form.addRow("", self.balance_check)

        # `export --reviewed-only`: off, every flag in force applies (pending and rejected too)
        self.reviewed_check = QCheckBox("Only flags a second analyst accepted or amended")
        self.reviewed_check.setObjectName("reviewedOnly")
        self.reviewed_check.setChecked(defaults.reviewed_only)
        self.reviewed_check.setToolTip(
            "On: pending and rejected flags are left out, and an amended correction uses the "
            "reviewer's label (as `auditor export --reviewed-only`). Off: every flag in force "
            "applies, whatever its review.")
        form.addRow("", self.reviewed_check)

    def _build_preview(self) -> None:
        self.preview_box = QGroupBox("Preview — what the export will contain")
        outer = QVBoxLayout(self.preview_box)
        form = QFormLayout()
        self.preview_labels: dict[str, QLabel] = {}
        for key, words, meaning in PREVIEW_ROWS:
            value = _plain_label("…", f"preview_{key}")
            value.setToolTip(meaning)
            self.preview_labels[key] = value
            name = QLabel(f"{words}:")
            name.setToolTip(meaning)
            form.addRow(name, value)
        outer.addLayout(form)
        row = QHBoxLayout()
        self.preview_status = _plain_label("", "previewStatus")
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setToolTip("Preview again, e.g. after flagging more places")
        self.refresh_button.clicked.connect(self.refresh_preview)
        row.addWidget(self.preview_status, 1)
        row.addWidget(self.refresh_button)
        outer.addLayout(row)

    def _build_result(self) -> None:
        self.error_label = _plain_label("", "exportError")
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.hide()
        self.result_box = QGroupBox("Exported")
        layout = QVBoxLayout(self.result_box)
        self.result_label = _plain_label("", "exportResult")
        self.hashes_view = QPlainTextEdit()
        self.hashes_view.setObjectName("exportHashes")
        self.hashes_view.setReadOnly(True)
        self.hashes_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.hashes_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        # wide and tall enough for two full "name  sha256 <64 hex>" lines without scrolling
        metrics = self.hashes_view.fontMetrics()
        frame = 2 * (self.hashes_view.frameWidth() + 6)
        self.hashes_view.setMinimumWidth(
            metrics.horizontalAdvance("training_set.parquet  sha256 " + "0" * 64) + frame)
        self.hashes_view.setFixedHeight(3 * metrics.lineSpacing() + frame)
        layout.addWidget(self.result_label)
        layout.addWidget(self.hashes_view)
        self.retrain_button = QPushButton("Retrain with this export")
        self.retrain_button.setObjectName("retrainButton")
        self.retrain_button.setToolTip("Train the model on these corrected, weighted rows and "
                                       "compare test accuracy before and after")
        self.retrain_button.clicked.connect(self.retrain)
        self.retrain_label = _plain_label("", "retrainResult")
        self.retrain_label.hide()
        layout.addWidget(self.retrain_button)
        layout.addWidget(self.retrain_label)
        self.result_box.hide()

    # --- settings ---------------------------------------------------------------------------
    def config(self) -> dict:
        """The ExportConfig fields the dialog sets (the rest keep their defaults)."""
        return {"k": int(self.k_spin.value()), "factor": float(self.factor_spin.value()),
                "balance_classes": bool(self.balance_check.isChecked()),
                "reviewed_only": bool(self.reviewed_check.isChecked())}

    def out_dir(self) -> str:
        return self.out_edit.text().strip()

    def fmt(self) -> str:
        return self.format_combo.currentText()

    def browse(self) -> None:
        start = self.out_dir() or str(self.project_path.parent)
        chosen = file_dialogs.folder(self, "Export the training set into a folder", start)
        if chosen:
            self.out_edit.setText(chosen)

    def _update_buttons(self) -> None:
        running = self.export_job is not None and not self.export_job.is_finished
        self.export_button.setEnabled(bool(self.out_dir()) and not running)

    # --- preview ----------------------------------------------------------------------------
    def schedule_preview(self, *_: Any) -> None:
        self.preview_status.setText("Settings changed — updating the preview…")
        self._debounce.start()

    def refresh_preview(self) -> None:
        """Preview the current settings now; a preview still running is cancelled."""
        from auditor.export.api import preview_export
        self._debounce.stop()
        project, config = self.project_path, self.config()
        self.preview_status.setText("Working out the preview…")
        self.previews.submit("Previewing the export",
                             lambda progress: preview_export(project, config, progress),
                             self._preview_done, on_error=self._preview_failed, parent=self)

    def is_previewing(self) -> bool:
        return self.previews.busy

    def _preview_failed(self, error: BaseException, tb: str) -> None:
        if self._closing:
            return
        self._show_preview_error(error, tb)
        self.previewFailed.emit(error)

    def _preview_done(self, result: dict) -> None:
        if self._closing:
            return
        self.preview = result
        for key, text in preview_texts(result).items():
            self.preview_labels[key].setText(text)
        self.preview_status.setText("Preview is up to date with these settings.")
        self.previewUpdated.emit(result)

    def _show_preview_error(self, error: BaseException, tb: str) -> None:
        for label in self.preview_labels.values():
            label.setText("—")
        if isinstance(error, UserError):
            self.preview_status.setText(f"No preview: {error}")
        else:
            self.preview_status.setText(f"No preview: unexpected {type(error).__name__}")
            show_bug(self, error, "previewing the export", tb)

    # --- export -----------------------------------------------------------------------------
    def start_export(self) -> Optional[Task]:
        """Write the training set with the current settings; progress dialog with Cancel."""
        from auditor.export.api import export_training_set
        out = self.out_dir()
        if not out:
            self._show_error("Choose an output folder first (it is created if missing).")
            return None
        self.error_label.hide()
        self.result_box.hide()
        project, fmt, config = self.project_path, self.fmt(), self.config()
        out_path = Path(out).expanduser()

        def work(progress):
            return export_training_set(project, out_path, fmt=fmt, config=config,
                                       progress=progress)

        # errors are ours to show: a user's mistake belongs inside this dialog, not in a box
        task = run_task(self, "Exporting the training set", work, self._export_done,
                        on_error=self._export_failed)
        task.cancelled.connect(lambda: self._show_error("Export cancelled — nothing was kept "
                                                        "of the unfinished export."))
        task.finished.connect(self._update_buttons)
        self.export_job = task
        self._update_buttons()
        return task

    def _export_done(self, summary: dict) -> None:
        self.summary = summary
        files = summary["files"]
        self.result_label.setText(
            f"Wrote {_count(summary['rows'])} training rows ({summary['format']}) and the "
            f"manifest to:\n{summary['out_dir']}")
        self.hashes_view.setPlainText("\n".join(f"{name}  sha256 {digest}"
                                                for name, digest in files.items()))
        self.result_box.show()
        self.exportFinished.emit(summary)

    def retrain(self) -> Optional[Task]:
        """Infer again trained on the export just written (infer --weights-from)."""
        if not self.summary:
            return None
        from auditor.state.runs import outcome_text, retrain_work
        work = retrain_work(self.project_path, self.summary["out_dir"])

        def done(summary: dict) -> None:
            self.retrain_label.setText(outcome_text(summary))
            self.retrain_label.show()
            self.retrained.emit(summary)

        def failed(exc: BaseException, tb: str) -> None:
            if isinstance(exc, UserError):
                self._show_error(str(exc))
            else:
                self._show_error(f"Retraining failed unexpectedly ({type(exc).__name__}).")
                show_bug(self, exc, "retraining on the export", tb)
        task = run_task(self, "Retraining on the export", work, done, on_error=failed)
        self.export_job = task
        task.finished.connect(self._update_buttons)
        return task

    def _export_failed(self, exc: BaseException, tb: str) -> None:
        if isinstance(exc, UserError):
            self._show_error(str(exc))
        else:
            self._show_error(f"The export failed unexpectedly ({type(exc).__name__}); "
                             "the details are in the log.")
            show_bug(self, exc, "exporting the training set", tb)
        self.exportFailed.emit(exc)

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()

    def shown_hashes(self) -> dict[str, str]:
        """File name -> sha256 as the dialog shows them (read back from the widget)."""
        out = {}
        for line in self.hashes_view.toPlainText().splitlines():
            name, _, digest = line.partition("  sha256 ")
            if digest:
                out[name] = digest
        return out

    # --- closing ----------------------------------------------------------------------------
    def done(self, result: int) -> None:
        if self.export_job is not None and not self.export_job.is_finished:
            return  # the progress dialog is modal; closing waits for Cancel or the end
        self._closing = True
        self._debounce.stop()
        self.previews.cancel()  # it finishes on its own; its result is dropped
        super().done(result)


def open_export_dialog(parent: Optional[QWidget], project_path: str | Path) -> ExportDialog:
    """Show the Export dialog for a project (window-modal, returns at once)."""
    dialog = ExportDialog(parent, project_path)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
