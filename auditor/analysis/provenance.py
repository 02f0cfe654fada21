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
# a vehicle whose trips lie this far or farther from those of the rest of the fleet, in time,
# is named (time_shifts): a GPS receiver's week counter wraps every 1024 weeks, and a device
# that missed the fix reports dates 19.6 years early (a clock reset to 1970 or 2000 does the
# same, by another amount)
SHIFT_MIN_DAYS = 30
ROLLOVER_DAYS = 1024 * 7
DAY_S = 86_400


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
        return {"sources": {}, "zones": {}, "vehicles": [], "disagreements": [],
                "time_shifts": time_shifts(conn)}
    clocks = pd.read_sql_query("SELECT * FROM vehicle_clocks ORDER BY vehicle_id", conn)
    sources = {k: int(v) for k, v in sorted(clocks["source"].value_counts().items())}
    zones = {str(k): int(v) for k, v in
             sorted(clocks["timezone"].fillna("UTC").value_counts().items())}
    bad = clocks[clocks["disagree_share"].fillna(0) > DISAGREE_SHARE].copy()
    bad["kind"] = bad["source"].map({"stated_offset": "stated offset vs parking zone",
                                     "metadata": "metadata zone vs parking zone"})
    rows = list(bad.itertuples(index=False))
    bad["swapped_timezone"] = [_zone_if(conn, r, r.park_lon, r.park_lat) for r in rows]
    flipped = [_flipped_zone(conn, r) for r in rows]
    bad["flipped"] = [f[0] for f in flipped]
    bad["flipped_timezone"] = [f[1] for f in flipped]
    cols = ["vehicle_id", "kind", "source", "timezone", "location_timezone",
            "stated_offset_min", "location_offset_min", "disagree_share", "park_lat",
            "park_lon", "swapped_timezone", "flipped", "flipped_timezone"]
    return {"sources": sources, "zones": zones,
            "vehicles": records(clocks[["vehicle_id", "source", "timezone",
                                        "location_timezone"]]),
            "disagreements": records(bad[cols]),
            "disagree_share_threshold": DISAGREE_SHARE,
            "time_shifts": time_shifts(conn)}


def _flipped_zone(conn: sqlite3.Connection, clock) -> tuple[str | None, str | None]:
    """("longitude" | "latitude", the zone) when the vehicle would park in a zone that agrees
    with its clock with that coordinate's sign flipped: a west longitude (south latitude)
    written without its minus sign, or its hemisphere letter dropped, puts a Chicago fleet
    in Xinjiang. (None, None) otherwise."""
    lat, lon = clock.park_lat, clock.park_lon
    if lat is None or lon is None:
        return None, None
    for which, flat, flon in (("longitude", lat, -lon), ("latitude", -lat, lon)):
        zone = _zone_if(conn, clock, flat, flon)
        if zone is not None:
            return which, zone
    return None, None


def _zone_if(conn: sqlite3.Connection, clock, lat, lon) -> str | None:
    """The zone at (lat, lon), where a vehicle whose clock disagrees with where it parks
    would park were its coordinates mangled that way, when that zone agrees with its clock
    (the metadata zone itself, or the stated offset at its first or last trip): then the
    coordinates, not the clock, are what is wrong. None otherwise (a few vehicles: one lookup
    each)."""
    import math

    import numpy as np

    from auditor.pipeline.localtime import zone_offsets
    from auditor.pipeline.tzlookup import zone_at
    if lat is None or lon is None or not (math.isfinite(lat) and math.isfinite(lon)) or \
            abs(lat) > 90 or abs(lon) > 180:
        return None
    zone = zone_at(lat, lon)
    if zone is None:
        return None
    if clock.source == "metadata":
        return zone if zone == clock.timezone else None
    span = conn.execute("SELECT MIN(start_ts), MAX(end_ts) FROM trips WHERE vehicle_id = ?",
                        (clock.vehicle_id,)).fetchone() if table_exists(conn, "trips") else None
    if span is None or span[0] is None or pd.isna(clock.stated_offset_min):
        return None
    # the zone's offset at its first trip or its last: the stated offset is the one most of
    # its stamps carry, and a span across a DST change has two
    offsets = zone_offsets(np.array([int(span[0]), int(span[1])], dtype=np.int64), zone) // 60
    return zone if int(clock.stated_offset_min) in offsets.astype(int).tolist() else None


def time_shifts(conn: sqlite3.Connection) -> list[dict]:
    """Vehicles whose trips are cut off in time from the fleet's: vehicles are chained by
    spans (first to last trip) that overlap or lie within SHIFT_MIN_DAYS of each other, and
    those outside the largest chain are named — a fleet whose vehicles come and go over the
    years stays one chain. Each with how far its middle lies from the middle of the chain's
    and whether that is a multiple of 1024 weeks (give or take a day per 1024 weeks and half
    the chain's middle half). Nothing for fewer than 3 vehicles with trips."""
    if not table_exists(conn, "trips"):
        return []
    spans = pd.read_sql_query("SELECT vehicle_id, MIN(start_ts) AS first, MAX(end_ts) AS last "
                              "FROM trips GROUP BY vehicle_id", conn)
    if len(spans) < 3:
        return []
    spans = spans.sort_values(["first", "vehicle_id"], kind="mergesort").reset_index(drop=True)
    reach = spans["last"].cummax().shift(fill_value=spans["first"].iloc[0])
    chain = (spans["first"] > reach + SHIFT_MIN_DAYS * DAY_S).cumsum()
    main = chain.value_counts().sort_index().idxmax()  # the largest; the earliest on a tie
    mids = (spans["first"] + spans["last"]) / 2
    centre, half = mids[chain == main].median(), mids[chain == main].quantile([0.25, 0.75])
    slack = (half.iloc[1] - half.iloc[0]) / 2 / DAY_S
    out = []
    for row, mid in zip(spans[chain != main].itertuples(index=False), mids[chain != main]):
        days = (mid - centre) / DAY_S
        wraps = round(days / ROLLOVER_DAYS)
        rollover = wraps != 0 and abs(days - wraps * ROLLOVER_DAYS) <= abs(wraps) + slack + 7
        out.append({"vehicle_id": row.vehicle_id, "first_ts": int(row.first),
                    "last_ts": int(row.last), "days_from_fleet": round(float(days), 1),
                    "gps_week_rollover": bool(rollover)})
    return sorted(out, key=lambda s: s["vehicle_id"])


def orphaned(conn: sqlite3.Connection) -> dict:
    frame = orphaned_flags(conn)
    cols = ["event_id", "analyst", "action", "new_value", "flagged_target_id",
            "anchor_vehicle_id", "lat", "lon", "anchor_first_ts", "anchor_last_ts", "how",
            "detail"]
    return {"n": int(len(frame)), "flags": records(frame[cols])}
