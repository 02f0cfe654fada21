"""After Import: what was accepted and refused, and whether to run inference."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from auditor.gui.import_wizard.common import FrameModel
from auditor.ingest.command import fixes_for, notes_for

if TYPE_CHECKING:
    from auditor.gui.import_wizard.wizard import ImportWizard


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
        # "what to do" is a sentence: it wraps in the last column instead of running off
        self.reasons.setWordWrap(True)
        self.reasons.horizontalHeader().setStretchLastSection(True)
        self.rows = QTableView()
        self.rows.setObjectName("importQuarantine")
        self.infer = QCheckBox("Run inference (trips, places, model) when I press Finish")
        self.infer.setObjectName("importInfer")
        self.infer.setChecked(False)
        # shown only when a row was refused: two empty tables read as something missing
        self.refused_parts = [QLabel("Rows refused, by reason:"), self.reasons,
                              QLabel("First refused rows:"), self.rows]
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        for widget, stretch in zip(self.refused_parts, (0, 1, 0, 2)):
            layout.addWidget(widget, stretch)
        layout.addStretch(0)
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
            lines += [f"  {note[:1].upper()}{note[1:]}." for note in notes_for(s)]
            fixes = fixes_for(s)  # a reason refusing most of the file is a format problem
            reasons += [(name, r, n, fixes.get(r, "")) for r, n in
                        sorted(s.get("reasons", {}).items())]
            refused.append(self.wiz.first_quarantined(s).assign(file=name))
        self.status.setText("\n".join(lines) + "\nThe data is in the project.")
        self.reasons.setModel(FrameModel(pd.DataFrame(
            reasons, columns=["file", "reason", "rows", "what to do"]), self.reasons))
        for col in range(3):  # file, reason, rows: as wide as they need; the fix takes the rest
            self.reasons.resizeColumnToContents(col)
        self.reasons.resizeRowsToContents()
        frame = (pd.concat(refused, ignore_index=True)[["file", "line", "reason", "raw"]]
                 if refused else pd.DataFrame(columns=["file", "line", "reason", "raw"]))
        self.rows.setModel(FrameModel(frame, self.rows))
        self.rows.resizeColumnsToContents()
        for widget in self.refused_parts:
            widget.setVisible(bool(reasons))
        self.infer.setChecked(any(s["kind"] in ("pings", "labels") and not s.get("skipped")
                                  for s in summaries))
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.done

    def nextId(self) -> int:
        return -1
