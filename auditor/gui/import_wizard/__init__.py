"""File ▸ Import data…: a wizard for people who never saw a CSV header before. Add the files
(pings, given labels and vehicle metadata can come together), look at their first rows, say
what each holds, see every column and what the import does with it, pick the timezone when the
timestamps need one, review — and only then Import: every file in one transaction, so a
failure or Cancel keeps nothing. Then see what was refused and why.

Whenever Next is off, the page says why ("gps.csv: lat: no column found — pick one")."""
from auditor.gui.import_wizard.common import (
    PAGE_COLUMNS,
    PAGE_FILE,
    PAGE_REVIEW,
    PAGE_RUN,
    PAGE_TZ,
    FileEntry,
)
from auditor.gui.import_wizard.wizard import ImportWizard

__all__ = ["ImportWizard", "FileEntry", "PAGE_FILE", "PAGE_COLUMNS", "PAGE_TZ", "PAGE_REVIEW",
           "PAGE_RUN"]
