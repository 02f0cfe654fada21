"""Step 4: what will be imported, and Import (nothing is written before)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QLabel,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from auditor.gui.import_wizard.common import KIND_WORDS, problem_label
from auditor.gui.workers import Task
from auditor.ingest.datums import NAMES

if TYPE_CHECKING:
    from auditor.gui.import_wizard.wizard import ImportWizard


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
        self.status = problem_label("importReviewStatus")
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
                         + (f"; every row is vehicle {job.vehicle}" if job.vehicle else "")
                         + (f"; naive times in {job.tz}" if job.tz else "")
                         + (f"; coordinates moved from {NAMES[job.datum]} to WGS-84"
                            if job.datum else ""))
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
