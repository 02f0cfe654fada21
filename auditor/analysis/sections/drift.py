"""Spatial drift: the fleet's parking cells whose share of parked time changed between the
first and second half of the data. Computed with the skew section (its ``spatial_drift``);
this analysis is its text line and its map tab."""
from __future__ import annotations

from auditor.analysis.entry import AnalysisEntry


def render_text(r: dict) -> list[str]:
    cells = r["skew"]["spatial_drift"]["cells"]
    if not cells:
        return []
    c = cells[0]
    return [f"Spatial drift: largest change {c['change']:+.3f} of parked time in cell "
            f"lat {c['lat_min']:.2f} to {c['lat_max']:.2f}, "
            f"lon {c['lon_min']:.2f} to {c['lon_max']:.2f}"]


ENTRY = AnalysisEntry(key="drift", title="Drift", render_text=render_text,
                      view="auditor.gui.analyses.drift:DriftMapView")
