"""Review: the "review" tab, a second analyst's queue of pending flags (auditor.state.review)
and the agreement table (the report's ``agreement`` section, recomputed after each decision)."""
from __future__ import annotations

from auditor.analysis.entry import AnalysisEntry

ENTRY = AnalysisEntry(key="review", title="Review", view="auditor.gui.analyses.review:ReviewView")
