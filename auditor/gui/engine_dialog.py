"""Run ▸ Inference engine…: where Run ▸ Infer derives trips, stops, places and features.
The choice is checked and kept by the state (auditor.state.engine_choice); a wrong address is
said under the field, the dialog stays open."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from auditor.errors import UserError
from auditor.state.engine_choice import KINDS, LOCAL_CLUSTER, SCHEDULER, TEXT, EngineChoice


class EngineDialog(QDialog):
    def __init__(self, state, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self.setWindowTitle("Inference engine")
        self.setObjectName("engineDialog")
        current = state.engine_choice
        self.kind = QComboBox(objectName="engineKind")
        for kind in KINDS:
            self.kind.addItem(TEXT[kind], kind)
        self.kind.setCurrentIndex(KINDS.index(current.kind))
        self.workers = QSpinBox(objectName="engineWorkers")
        self.workers.setRange(0, 1024)
        self.workers.setSpecialValueText("one per core")
        self.workers.setValue(current.workers or 0)
        self.scheduler = QLineEdit(current.scheduler, objectName="engineScheduler")
        self.scheduler.setPlaceholderText("tcp://host:8786")
        self.error = QLabel("", objectName="engineError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020")
        hint = QLabel("A Dask cluster derives the vehicles in shards; labels, the model and the "
                      "saving stay here. Start a cluster with 'dask scheduler' and "
                      "'dask worker tcp://host:8786'.")
        hint.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Run on", self.kind)
        form.addRow("Workers", self.workers)
        form.addRow("Scheduler", self.scheduler)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.kind.currentIndexChanged.connect(self._enable)
        self._enable()

    def _enable(self) -> None:
        kind = self.kind.currentData()
        self.workers.setEnabled(kind == LOCAL_CLUSTER)
        self.scheduler.setEnabled(kind == SCHEDULER)

    def choice(self) -> EngineChoice:
        kind = self.kind.currentData()
        return EngineChoice(kind, (self.workers.value() or None) if kind == LOCAL_CLUSTER
                            else None, self.scheduler.text() if kind == SCHEDULER else "")

    def accept(self) -> None:
        try:
            self.state.set_engine_choice(self.choice())
        except UserError as exc:
            self.error.setText(str(exc))
            return
        super().accept()
