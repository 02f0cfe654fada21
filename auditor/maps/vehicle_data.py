"""What one vehicle's map shows, read from the project: simplified trips and place statistics.

Read per vehicle switch, so it stays cheap: indexed queries for this vehicle only, only the
columns drawn, plain rows instead of DataFrame merges, one vectorised simplification."""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Optional, Sequence

import numpy as np

from auditor.audit.flags import active_flags, flag_state, parse_ping_range
from auditor.errors import UserError
from auditor.geo import haversine_m
from auditor.maps.simplify import decimate_evenly, simplify_tracks
from auditor.store.queries import latest_run_id, table_exists, vehicle_ids, vehicle_pings

# place_features columns (auditor.pipeline.features.FEATURE_COLUMNS) -> popup fields; without
# them (no inference yet) visits, days and dwell come from the stops table
POPUP_FEATURES = {"n_visits": "f_visits", "n_days": "f_days", "total_dwell_h": "f_dwell_h",
                  "share_stays_0200": "share_0200"}
MAX_POINTS_TOTAL = 20_000  # whole page, so it stays far below QWebEngine's 2 MB setHtml limit
TOLERANCE_M = 8.0


@dataclass
class VehicleData:
    vehicle_id: str
    meta: dict
    run_id: Optional[int]
    trips: list[dict] = field(default_factory=list)   # {id, coords, bad, start_ts, end_ts}
    track: list = field(default_factory=list)         # raw pings when there are no trips yet
    places: list[dict] = field(default_factory=list)  # one record per place, see read_places
    point_count: int = 0
    unmatched: list[dict] = field(default_factory=list)  # labels on no place, read_unmatched


def check_vehicle(conn: sqlite3.Connection, vehicle_id: str) -> dict:
    """The vehicle's metadata; UserError naming a few known ids when it is not in the project."""
    row = conn.execute("SELECT meta FROM vehicles WHERE vehicle_id = ?", (vehicle_id,)).fetchone()
    if row is not None:
        meta = json.loads(row[0])
        return meta if isinstance(meta, dict) else {}
    # pings in the file (an index seek) or in the Parquet store: no scan of every vehicle's
    # pings for one that is there (a map of a 20M-ping project's vehicle)
    store = ("UNION ALL SELECT 1 FROM pings_store_vehicles WHERE vehicle_id = :v "
             if table_exists(conn, "pings_store_vehicles") else "")
    if conn.execute(f"SELECT 1 FROM pings WHERE vehicle_id = :v {store}LIMIT 1",
                    {"v": vehicle_id}).fetchone() is not None:
        return {}
    some = vehicle_ids(conn)[:5]
    hint = f" (e.g. {', '.join(some)})" if some else ""
    raise UserError(f"vehicle {vehicle_id!r} is not in this project{hint} — list all ids with "
                    "'auditor report PROJECT --predictions FILE.csv' (column vehicle_id)")


def natural_key(place_id: str) -> tuple[bool, float]:
    """Sort "<vehicle>:<n>" ids by n, not as text ("v:10" after "v:9"); others last."""
    tail = str(place_id).rsplit(":", 1)[-1].lstrip("t")
    return (False, float(tail)) if tail.isdigit() else (True, 0.0)


def read_tracks(conn: sqlite3.Connection, vehicle_id: str, time_range=None,
                max_points_per_trip: int = 300) -> tuple[list[dict], list, int]:
    """(trips with simplified coordinates, raw track if no trips, points drawn)."""
    where, params = "vehicle_id = ?", [vehicle_id]
    if time_range is not None:
        where += " AND end_ts >= ? AND start_ts <= ?"
        params += [int(time_range[0]), int(time_range[1])]
    trips = conn.execute(f"SELECT trip_id, start_ts, end_ts FROM trips WHERE {where} "
                         "ORDER BY start_ts, trip_id", params).fetchall()
    # (vehicle_id, ts) index, or the vehicle's bucket of the Parquet store
    pings = vehicle_pings(conn, vehicle_id, ["ts", "lat", "lon"], time_range)
    ts = pings["ts"].to_numpy(dtype=np.int64)
    lat = pings["lat"].to_numpy(dtype=float)
    lon = pings["lon"].to_numpy(dtype=float)
    if not trips:
        idx = decimate_evenly(len(ts), MAX_POINTS_TOTAL // 4)
        track = np.column_stack([np.round(lat[idx], 5), np.round(lon[idx], 5)]).tolist()
        return [], track, len(track)

    # each ping to the trip whose [start, end] holds it (trips of a vehicle do not overlap)
    trip_ids = [t[0] for t in trips]
    starts = np.array([t[1] for t in trips], dtype=np.int64)
    ends = np.array([t[2] for t in trips], dtype=np.int64)
    k = np.searchsorted(starts, ts, side="right") - 1
    inside = (k >= 0) & (ts <= ends[np.clip(k, 0, None)])
    k, lat, lon = k[inside], lat[inside], lon[inside]
    budget = max(2, min(int(max_points_per_trip), MAX_POINTS_TOTAL // max(1, len(trips))))
    keep = simplify_tracks(lat, lon, k, tolerance_m=TOLERANCE_M, max_points=budget)
    k = k[keep]
    points = np.column_stack([np.round(lat[keep], 5), np.round(lon[keep], 5)]).tolist()
    bounds = np.searchsorted(k, np.arange(len(trips) + 1)).tolist()
    out = []
    for i, trip_id in enumerate(trip_ids):  # one step per trip, not per ping
        a, b = bounds[i], bounds[i + 1]
        if b - a < 2:
            continue
        out.append({"id": trip_id, "coords": points[a:b], "start_ts": int(starts[i]),
                    "end_ts": int(ends[i]), "bad": False})
    return out, [], int(keep.sum())


def mark_bad_trips(trips: list[dict], flags, vehicle_id: str) -> None:
    """Trips overlapping a ping range flagged as bad data are drawn dashed."""
    ranges = []
    for tid in flags.loc[(flags["target_kind"] == "ping_range")
                         & (flags["action"] == "bad_data"), "target_id"]:
        vid, start, end = parse_ping_range(tid)
        if vid == vehicle_id:
            ranges.append((start, end))
    for trip in trips:
        trip["bad"] = any(trip["end_ts"] >= s and trip["start_ts"] <= e for s, e in ranges)


_PLACES_SQL = """
SELECT pl.place_id, pl.lat, pl.lon, pl.n_stops, st.visits, st.dwell_s, st.days,
       pr.split, pr.given_label, pr.predicted_label, pr.p_home, pr.p_work, lb.label
FROM places pl
LEFT JOIN (SELECT place_id, COUNT(*) AS visits, SUM(end_ts - start_ts) AS dwell_s,
                  COUNT(DISTINCT date(start_ts, 'unixepoch')) AS days
           FROM stops WHERE vehicle_id = :v AND place_id IS NOT NULL GROUP BY place_id) st
       ON st.place_id = pl.place_id
LEFT JOIN predictions pr ON pr.run_id = :run AND pr.place_id = pl.place_id
LEFT JOIN place_labels lb ON lb.place_id = pl.place_id
WHERE pl.vehicle_id = :v"""
_VISITED_SQL = (" AND pl.place_id IN (SELECT place_id FROM stops WHERE vehicle_id = :v "
                "AND end_ts >= :t0 AND start_ts <= :t1)")


def _first(*values):
    """The first value that is not missing (None / NaN)."""
    for v in values:
        if v is not None and not (isinstance(v, float) and np.isnan(v)):
            return v
    return None


def read_places(conn: sqlite3.Connection, vehicle_id: str, run_id: Optional[int],
                time_range=None, place_ids: Optional[Sequence[str]] = None) -> list[dict]:
    """The vehicle's places with visit/dwell statistics, prediction, given label and flags:
    records {place_id, lat, lon, visits, days, dwell_h, share_0200, split, given_label,
    predicted_label, p_home, p_work, flag_state}; missing values are None."""
    sql, params = _PLACES_SQL, {"v": vehicle_id, "run": None if run_id is None else int(run_id)}
    if time_range is not None:
        sql += _VISITED_SQL
        params.update(t0=int(time_range[0]), t1=int(time_range[1]))
    rows = conn.execute(sql + " ORDER BY pl.place_id", params).fetchall()
    if place_ids is not None:
        wanted = {str(p) for p in place_ids}
        rows = [r for r in rows if r[0] in wanted]
    rows.sort(key=lambda r: natural_key(r[0]))
    ids = [r[0] for r in rows]
    feats = _features(conn, ids)
    state = flag_state(conn, ids)
    out = []
    for (pid, lat, lon, n_stops, visits, dwell_s, days, split, given, predicted, p_home,
         p_work, label) in rows:  # one step per place (tens per vehicle)
        f = feats.get(pid, {})
        out.append({
            "place_id": pid, "lat": float(lat), "lon": float(lon),
            # the pipeline's numbers when there are features (local dates), else the stops'
            "visits": _first(f.get("f_visits"), visits, n_stops),
            "days": _first(f.get("f_days"), days),
            "dwell_h": _first(f.get("f_dwell_h"), None if dwell_s is None else dwell_s / 3600.0),
            "share_0200": _first(f.get("share_0200")),
            "split": split, "predicted_label": predicted, "p_home": p_home, "p_work": p_work,
            # the prediction row's (home/work/other for labelled vehicles), else the label
            "given_label": _first(given, label),
            "flag_state": state.get(pid, ""),
        })
    return out


def _features(conn: sqlite3.Connection, place_ids: list[str]) -> dict[str, dict]:
    """The pipeline's place features shown in popups (those the table has), by place_id."""
    if not place_ids or not table_exists(conn, "place_features"):
        return {}
    have = {r[1] for r in conn.execute("PRAGMA table_info(place_features)")}
    cols = [c for c in POPUP_FEATURES if c in have]
    if "place_id" not in have or not cols:
        return {}
    names = ", ".join(f'"{c}"' for c in cols)
    out = {}
    for i in range(0, len(place_ids), 500):
        chunk = place_ids[i:i + 500]
        for row in conn.execute(f'SELECT place_id, {names} FROM place_features WHERE place_id '
                                f'IN ({",".join("?" * len(chunk))})', chunk):
            out[row[0]] = {POPUP_FEATURES[c]: v for c, v in zip(cols, row[1:])}
    return out


NEAREST_SHOWN = 2


def read_unmatched(conn: sqlite3.Connection, vehicle_id: str,
                   places: Sequence[dict]) -> list[dict]:
    """The vehicle's labels that matched no place: records {label_id, label, lat, lon, reason,
    nearest: [{place_id, lat, lon, distance_m}]} with its NEAREST_SHOWN nearest places."""
    if not table_exists(conn, "unmatched_labels"):
        return []
    rows = conn.execute(
        "SELECT u.label_id, l.label, l.lat, l.lon, u.reason FROM unmatched_labels u "
        "JOIN labels l ON l.label_id = u.label_id WHERE u.vehicle_id = ? ORDER BY u.label_id",
        (vehicle_id,)).fetchall()
    lat = np.array([p["lat"] for p in places], dtype=float)
    lon = np.array([p["lon"] for p in places], dtype=float)
    out = []
    for label_id, label, la, lo, reason in rows:   # a label or two per vehicle
        d = (haversine_m(np.full(len(lat), float(la)), np.full(len(lat), float(lo)), lat, lon)
             if len(places) else np.zeros(0))
        near = np.argsort(d, kind="stable")[:NEAREST_SHOWN]
        out.append({"label_id": int(label_id), "label": label, "lat": float(la),
                    "lon": float(lo), "reason": reason,
                    "nearest": [{"place_id": places[i]["place_id"], "lat": places[i]["lat"],
                                 "lon": places[i]["lon"], "distance_m": float(d[i])}
                                for i in near]})
    return out


def load_vehicle(conn: sqlite3.Connection, vehicle_id: str, run_id: Optional[int] = None,
                 time_range=None, place_ids=None, max_points_per_trip: int = 300) -> VehicleData:
    meta = check_vehicle(conn, vehicle_id)
    if run_id is None:
        run_id = latest_run_id(conn, "model")
    elif conn.execute("SELECT 1 FROM runs WHERE run_id = ?", (int(run_id),)).fetchone() is None:
        raise UserError(f"run {run_id} is not in this project — run 'auditor infer' or pick a "
                        "listed run")
    trips, track, n_points = read_tracks(conn, vehicle_id, time_range, max_points_per_trip)
    if trips:
        mark_bad_trips(trips, active_flags(conn), vehicle_id)
    places = read_places(conn, vehicle_id, run_id, time_range, place_ids)
    return VehicleData(vehicle_id, meta, run_id, trips, track, places, n_points,
                       read_unmatched(conn, vehicle_id, places))
