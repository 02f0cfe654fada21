"""Where a report's figures come from: which labeller produced the run's labels, which clock
each vehicle's local time follows (and where its stamps disagree with where it parks), and the
place flags that point at nothing since the last infer. Report keys ``labels_source``,
``local_time``, ``orphaned_flags`` (docs/contracts.md); their registry entries and text lines
are in auditor.analysis.sections.provenance."""
from __future__ import annotations

import sqlite3

import pandas as pd

from auditor.analysis.jsonable import records
from auditor.audit.flags import orphaned_flags
from auditor.store.queries import read_run, table_exists

# a vehicle's clock disagrees with its parking zone on more than this share of its pings:
# more than a DST edge or a trip across a border, the whole clock is off
DISAGREE_SHARE = 0.5


def labels_source(conn: sqlite3.Connection, run_id: int) -> dict:
    """{"kind": project_labels|model_from|no_labels, "labeller", "model_from", "text",
    "validation": "validation split"|"no validation vehicles"|"no labels"} of a model run
    (None for "validation" on runs made before runs recorded their source)."""
    metrics = read_run(conn, run_id)["metrics"]
    src = metrics.get("labels_source") if isinstance(metrics, dict) else None
    if isinstance(src, dict):
        return src
    # runs made before runs recorded their source were always trained on the project's labels
    chosen = metrics.get("labeller") or "model"
    return {"kind": "project_labels",
            "labeller": chosen.get("chosen", "model") if isinstance(chosen, dict) else chosen,
            "model_from": None, "text": "a model trained on this project's labels",
            "validation": None}


def validation_status(conn: sqlite3.Connection, run_id: int, validation: dict) -> str:
    """What the validation figures rest on (report ``validation.status``)."""
    said = labels_source(conn, run_id).get("validation")
    if said:
        return said
    return "validation split" if validation.get("n") else "no validation vehicles"


def local_time(conn: sqlite3.Connection) -> dict:
    """Clock source counts, zones, per-vehicle clocks, and the vehicles whose stamps (or
    metadata zone) disagree with the zone of where they park."""
    if not table_exists(conn, "vehicle_clocks"):
        return {"sources": {}, "zones": {}, "vehicles": [], "disagreements": []}
    clocks = pd.read_sql_query("SELECT * FROM vehicle_clocks ORDER BY vehicle_id", conn)
    sources = {k: int(v) for k, v in sorted(clocks["source"].value_counts().items())}
    zones = {str(k): int(v) for k, v in
             sorted(clocks["timezone"].fillna("UTC").value_counts().items())}
    bad = clocks[clocks["disagree_share"].fillna(0) > DISAGREE_SHARE].copy()
    bad["kind"] = bad["source"].map({"stated_offset": "stated offset vs parking zone",
                                     "metadata": "metadata zone vs parking zone"})
    cols = ["vehicle_id", "kind", "source", "timezone", "location_timezone",
            "stated_offset_min", "location_offset_min", "disagree_share", "park_lat",
            "park_lon"]
    return {"sources": sources, "zones": zones,
            "vehicles": records(clocks[["vehicle_id", "source", "timezone",
                                        "location_timezone"]]),
            "disagreements": records(bad[cols]),
            "disagree_share_threshold": DISAGREE_SHARE}


def orphaned(conn: sqlite3.Connection) -> dict:
    frame = orphaned_flags(conn)
    cols = ["event_id", "analyst", "action", "new_value", "flagged_target_id",
            "anchor_vehicle_id", "lat", "lon", "anchor_first_ts", "anchor_last_ts", "how",
            "detail"]
    return {"n": int(len(frame)), "flags": records(frame[cols])}
