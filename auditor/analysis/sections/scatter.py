"""Feature space: the "scatter" tab (no report section: its data is a projection computed by the
view itself through auditor.analysis.projection, cached per run)."""
from __future__ import annotations

from auditor.analysis.entry import AnalysisEntry

ENTRY = AnalysisEntry(key="scatter", title="Feature space",
                      view="auditor.gui.analyses.scatter:ScatterView", min_height_share=0.5)
