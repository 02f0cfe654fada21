"""The wizard itself: its pages, the jobs they describe, and the import run off the GUI
thread."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import pandas as pd
from PySide6.QtWidgets import QWizard

from auditor.errors import UserError
from auditor.gui.dialogs import show_bug
from auditor.gui.import_wizard.columns_page import ColumnsPage
from auditor.gui.import_wizard.common import (
    IMPORT_ORDER,
    PAGE_COLUMNS,
    PAGE_FILE,
    PAGE_REVIEW,
    PAGE_RUN,
    PAGE_TZ,
    FileEntry,
)
from auditor.gui.import_wizard.file_page import FilePage
from auditor.gui.import_wizard.review_page import ReviewPage
from auditor.gui.import_wizard.run_page import RunPage
from auditor.gui.import_wizard.timezone_page import TimezonePage
from auditor.gui.workers import run_task


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
        from auditor.ingest.columns import resolve
        tz = self.tz_page.tz()
        datum = self.tz_page.chosen_datum() if self.after_columns() == PAGE_TZ else None
        out = []
        for e in sorted(self.entries, key=lambda e: IMPORT_ORDER.get(e.kind or "", 3)):
            # the analyst's picks, and what was told by values (a label column, headers in no
            # alias table): every field the import's own header matching would not find
            named = resolve(e.columns, None, str(e.path)) if not e.gpx else {}
            columns = {f: c for f, c in e.found().items() if named.get(f) != c}
            pings = e.kind == "pings" and not e.gpx
            out.append(ImportJob(e.path, e.kind, None if e.gpx else (columns or None),
                                 tz if pings else None, e.vehicle,
                                 self.tz_page.time_format(e.path.name) if pings else None,
                                 datum if e.kind in ("pings", "labels") else None))
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
