"""What one vehicle's map shows, read from the project: simplified trips and place statistics."""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Optional, Sequence

import numpy as np
import pandas as pd

from auditor.audit.flags import active_flags, flag_state, parse_ping_range
from auditor.errors import UserError
from auditor.maps.simplify import decimate_evenly, simplify_tracks
from auditor.store.queries import latest_run_id, table_exists

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
    places: pd.DataFrame = field(default_factory=pd.DataFrame)
    point_count: int = 0


def check_vehicle(conn: sqlite3.Connection, vehicle_id: str) -> dict:
    """The vehicle's metadata; UserError naming a few known ids when it is not in the project."""
    row = conn.execute("SELECT meta FROM vehicles WHERE vehicle_id = ?", (vehicle_id,)).fetchone()
    if row is not None:
        meta = json.loads(row[0])
        return meta if isinstance(meta, dict) else {}
    if conn.execute("SELECT 1 FROM pings WHERE vehicle_id = ? LIMIT 1",
                    (vehicle_id,)).fetchone() is not None:
        return {}
    some = [r[0] for r in conn.execute(
        "SELECT vehicle_id FROM (SELECT DISTINCT vehicle_id FROM pings UNION "
        "SELECT vehicle_id FROM vehicles) ORDER BY vehicle_id LIMIT 5")]
    hint = f" (e.g. {', '.join(some)})" if some else ""
    raise UserError(f"vehicle {vehicle_id!r} is not in this project{hint} — list all ids with "
                    "'auditor report PROJECT --predictions FILE.csv' (column vehicle_id)")


def _natural_key(ids: pd.Series) -> pd.Series:
    """Sort "<vehicle>:<n>" ids by n, not as text ("v:10" after "v:9")."""
    return pd.to_numeric(ids.str.rsplit(":", n=1).str[-1].str.lstrip("t"), errors="coerce")


def read_tracks(conn: sqlite3.Connection, vehicle_id: str, time_range=None,
                max_points_per_trip: int = 300) -> tuple[list[dict], list, int]:
    """(trips with simplified coordinates, raw track if no trips, points drawn)."""
    where, params = "vehicle_id = ?", [vehicle_id]
    if time_range is not None:
        where += " AND end_ts >= ? AND start_ts <= ?"
        params += [int(time_range[0]), int(time_range[1])]
    trips = pd.read_sql_query(f"SELECT trip_id, start_ts, end_ts FROM trips WHERE {where} "
                              "ORDER BY start_ts, trip_id", conn, params=params)
    pwhere, pparams = "vehicle_id = ?", [vehicle_id]
    if time_range is not None:
        pwhere += " AND ts BETWEEN ? AND ?"
        pparams += [int(time_range[0]), int(time_range[1])]
    pings = pd.read_sql_query(f"SELECT ts, lat, lon FROM pings WHERE {pwhere} "
                              "ORDER BY ts, ping_id", conn, params=pparams)
    ts = pings["ts"].to_numpy()
    lat = pings["lat"].to_numpy(dtype=float)
    lon = pings["lon"].to_numpy(dtype=float)
    if trips.empty:
        idx = decimate_evenly(len(ts), MAX_POINTS_TOTAL // 4)
        track = [[round(a, 5), round(b, 5)] for a, b in zip(lat[idx], lon[idx])]
        return [], track, len(track)

    # each ping to the trip whose [start, end] holds it (trips of a vehicle do not overlap)
    starts = trips["start_ts"].to_numpy()
    ends = trips["end_ts"].to_numpy()
    k = np.searchsorted(starts, ts, side="right") - 1
    inside = (k >= 0) & (ts <= ends[np.clip(k, 0, None)])
    k, lat, lon = k[inside], lat[inside], lon[inside]
    budget = max(2, min(int(max_points_per_trip), MAX_POINTS_TOTAL // max(1, len(trips))))
    keep = simplify_tracks(lat, lon, k, tolerance_m=TOLERANCE_M, max_points=budget)
    k, lat, lon = k[keep], np.round(lat[keep], 5), np.round(lon[keep], 5)
    bounds = np.searchsorted(k, np.arange(len(trips) + 1))
    out = []
    for i, trip_id in enumerate(trips["trip_id"]):  # one step per trip, not per ping
        a, b = bounds[i], bounds[i + 1]
        if b - a < 2:
            continue
        out.append({"id": trip_id, "coords": np.column_stack([lat[a:b], lon[a:b]]).tolist(),
                    "start_ts": int(starts[i]), "end_ts": int(ends[i]), "bad": False})
    return out, [], int(keep.sum())


def mark_bad_trips(trips: list[dict], flags: pd.DataFrame, vehicle_id: str) -> None:
    """Trips overlapping a ping range flagged as bad data are drawn dashed."""
    ranges = []
    for tid in flags.loc[(flags["target_kind"] == "ping_range")
                         & (flags["action"] == "bad_data"), "target_id"]:
        vid, start, end = parse_ping_range(tid)
        if vid == vehicle_id:
            ranges.append((start, end))
    for trip in trips:
        trip["bad"] = any(trip["end_ts"] >= s and trip["start_ts"] <= e for s, e in ranges)


def read_places(conn: sqlite3.Connection, vehicle_id: str, run_id: Optional[int],
                time_range=None, place_ids: Optional[Sequence[str]] = None) -> pd.DataFrame:
    """The vehicle's places with visit/dwell statistics, prediction, given label and flags."""
    places = pd.read_sql_query("SELECT place_id, lat, lon, n_stops FROM places "
                               "WHERE vehicle_id = ?", conn, params=(vehicle_id,))
    stops = pd.read_sql_query(
        "SELECT place_id, COUNT(*) AS visits, SUM(end_ts - start_ts) AS dwell_s, "
        "COUNT(DISTINCT date(start_ts, 'unixepoch')) AS days, MIN(start_ts) AS first_ts, "
        "MAX(end_ts) AS last_ts FROM stops WHERE vehicle_id = ? AND place_id IS NOT NULL "
        "GROUP BY place_id", conn, params=(vehicle_id,))
    places = places.merge(stops, on="place_id", how="left")
    if time_range is not None:
        visited = pd.read_sql_query(
            "SELECT DISTINCT place_id FROM stops WHERE vehicle_id = ? AND end_ts >= ? "
            "AND start_ts <= ?", conn,
            params=(vehicle_id, int(time_range[0]), int(time_range[1])))
        places = places[places["place_id"].isin(visited["place_id"])]
    if place_ids is not None:
        places = places[places["place_id"].isin([str(p) for p in place_ids])]

    if run_id is not None:
        preds = pd.read_sql_query(
            "SELECT place_id, split, given_label, predicted_label, p_home, p_work, p_other "
            "FROM predictions WHERE run_id = ? AND vehicle_id = ?", conn,
            params=(int(run_id), vehicle_id))
        places = places.merge(preds, on="place_id", how="left")
    else:
        for col in ("split", "given_label", "predicted_label", "p_home", "p_work", "p_other"):
            places[col] = None
    labels = pd.read_sql_query("SELECT place_id, label AS place_label FROM place_labels "
                               "WHERE vehicle_id = ?", conn, params=(vehicle_id,))
    places = places.merge(labels, on="place_id", how="left")
    # given label: the prediction row's (home/work/other for labelled vehicles), else the label
    places["given_label"] = places["given_label"].where(places["given_label"].notna(),
                                                        places["place_label"])
    feats = _features(conn, places["place_id"].tolist())
    places = places.merge(feats, on="place_id", how="left")
    for col in POPUP_FEATURES.values():
        if col not in places:
            places[col] = np.nan
    # the pipeline's numbers when there are features (local dates), else the stops table's
    places["visits"] = places["f_visits"].where(places["f_visits"].notna(), places["visits"])
    places["days"] = places["f_days"].where(places["f_days"].notna(), places["days"])
    places["dwell_h"] = places["f_dwell_h"].where(places["f_dwell_h"].notna(),
                                                  places["dwell_s"] / 3600.0)
    state = flag_state(conn, places["place_id"].tolist())
    places["flag_state"] = places["place_id"].map(state).fillna("")
    places = places.sort_values("place_id", key=_natural_key, kind="stable")
    return places.reset_index(drop=True)


def _features(conn: sqlite3.Connection, place_ids: list[str]) -> pd.DataFrame:
    """The pipeline's place features shown in popups (those the table has), by place_id."""
    empty = pd.DataFrame({"place_id": pd.Series([], dtype=object)})
    if not place_ids or not table_exists(conn, "place_features"):
        return empty
    have = {r[1] for r in conn.execute("PRAGMA table_info(place_features)")}
    cols = [c for c in POPUP_FEATURES if c in have]
    if "place_id" not in have or not cols:
        return empty
    names = ", ".join(f'"{c}" AS "{POPUP_FEATURES[c]}"' for c in cols)
    parts = []
    for i in range(0, len(place_ids), 500):
        chunk = place_ids[i:i + 500]
        parts.append(pd.read_sql_query(
            f'SELECT place_id, {names} FROM place_features WHERE place_id IN '
            f'({",".join("?" * len(chunk))})', conn, params=chunk))
    return pd.concat(parts, ignore_index=True)


def load_vehicle(conn: sqlite3.Connection, vehicle_id: str, run_id: Optional[int] = None,
                 time_range=None, place_ids=None, max_points_per_trip: int = 300) -> VehicleData:
    meta = check_vehicle(conn, vehicle_id)
    if run_id is None:
        run_id = latest_run_id(conn, "model")
    elif conn.execute("SELECT 1 FROM runs WHERE run_id = ?", (int(run_id),)).fetchone() is None:
        raise UserError(f"run {run_id} is not in this project — run 'auditor infer' or pick a "
                        "listed run")
    trips, track, n_points = read_tracks(conn, vehicle_id, time_range, max_points_per_trip)
    mark_bad_trips(trips, active_flags(conn), vehicle_id)
    places = read_places(conn, vehicle_id, run_id, time_range, place_ids)
    return VehicleData(vehicle_id, meta, run_id, trips, track, places, n_points)
