"""Evidence about given labels, each check a sentence a reviewer can read and verify:

- a home label on a place where the vehicle never stayed at night (00:00-05:00 local);
- a work label on a place never visited on a weekday (Mon-Fri local);
- a label farther than R m (250) from every stop of its vehicle;
- a vehicle whose home and work labels (nearly) coincide (< 150 m);
- a home label of a vehicle that moved house (auditor.pipeline.moves): on the home it left (a
  stale label?), or on the one it moved to (which the model, seeing half its nights elsewhere,
  may doubt).
"""
from __future__ import annotations

import json
import sqlite3
from typing import Optional, Sequence

import numpy as np
import pandas as pd

from auditor.analysis.frames import vehicle_metadata
from auditor.analysis.stoptimes import local_stops, overlaps_daily_window, touches_weekday
from auditor.geo import haversine_m
from auditor.pipeline.moves import find_moves
from auditor.store.queries import table_exists

NIGHT = (0, 5 * 3600)
FAR_FROM_STOPS_M = 250.0
COINCIDE_M = 150.0
# value: the number behind the finding (stays at the place; metres to the nearest stop; metres
# between the home and work labels)
COLUMNS = ["label_id", "vehicle_id", "label", "place_id", "check", "sentence", "value"]


def label_evidence(labels: pd.DataFrame, place_labels: pd.DataFrame, stops: pd.DataFrame,
                   far_m: float = FAR_FROM_STOPS_M, coincide_m: float = COINCIDE_M
                   ) -> pd.DataFrame:
    """``labels``: label_id, vehicle_id, label, lat, lon. ``place_labels``: label_id, place_id.
    ``stops``: vehicle_id, place_id, lat, lon, start_local, end_local. One row per finding."""
    lab = labels.merge(place_labels[["label_id", "place_id"]], on="label_id", how="left")
    found = [_night(lab, stops), _weekday(lab, stops), _far(lab, stops, far_m),
             _coincide(lab, coincide_m), _moved(lab, stops)]
    out = pd.concat([f for f in found if not f.empty] or [pd.DataFrame(columns=COLUMNS)],
                    ignore_index=True)
    return out.sort_values(["vehicle_id", "label_id", "check"], kind="mergesort")[COLUMNS] \
        .reset_index(drop=True)


def _never_seen(lab: pd.DataFrame, stops: pd.DataFrame, seen: np.ndarray, label: str,
                check: str, sentence) -> pd.DataFrame:
    """``label`` labels on places where no stop is ``seen`` (one flag per stop); ``sentence``
    says it from (label_id, vehicle_id, place_id, stays at the place)."""
    mask = stops["place_id"].notna().to_numpy()
    per = (stops[mask].assign(hit=seen[mask])
           .groupby("place_id").agg(stays=("vehicle_id", "size"), hits=("hit", "sum")))
    rows = lab[(lab["label"] == label) & lab["place_id"].notna()].join(per, on="place_id")
    rows = rows[rows["hits"].fillna(0) == 0]
    stays = [int(0 if pd.isna(n) else n) for n in rows["stays"]]
    return rows.assign(check=check, value=[float(n) for n in stays], sentence=[
        sentence(lid, v, p, n)
        for lid, v, p, n in zip(rows["label_id"], rows["vehicle_id"], rows["place_id"], stays)])


def _night(lab: pd.DataFrame, stops: pd.DataFrame) -> pd.DataFrame:
    night = overlaps_daily_window(stops["start_local"].to_numpy(), stops["end_local"].to_numpy(),
                                  *NIGHT)
    return _never_seen(lab, stops, night, "home", "home_never_at_night", lambda lid, v, p, n: (
        f"Home label {lid} of vehicle {v} is on place {p}, where the vehicle never stayed "
        f"between 00:00 and 05:00 local time (in {n} stays)."))


def _weekday(lab: pd.DataFrame, stops: pd.DataFrame) -> pd.DataFrame:
    weekday = touches_weekday(stops["start_local"].to_numpy(), stops["end_local"].to_numpy())
    return _never_seen(lab, stops, weekday, "work", "work_never_on_weekday", lambda lid, v, p, n: (
        f"Work label {lid} of vehicle {v} is on place {p}, which the vehicle never visited on a "
        f"weekday (Mon-Fri local; {n} stays, all at weekends)."))


def _far(lab: pd.DataFrame, stops: pd.DataFrame, far_m: float) -> pd.DataFrame:
    pairs = lab[["label_id", "vehicle_id", "lat", "lon"]].merge(
        stops[["vehicle_id", "lat", "lon"]], on="vehicle_id", how="inner", suffixes=("", "_s"))
    pairs["d"] = haversine_m(pairs["lat"], pairs["lon"], pairs["lat_s"], pairs["lon_s"])
    nearest = pairs.groupby("label_id")["d"].min()
    rows = lab.assign(nearest_m=lab["label_id"].map(nearest))
    rows = rows[rows["nearest_m"].isna() | (rows["nearest_m"] > far_m)]
    return rows.assign(check="far_from_stops", value=rows["nearest_m"].astype(float), sentence=[
        (f"{lbl.capitalize()} label {lid} of vehicle {v} is {d:,.0f} m from the nearest stop of "
         f"the vehicle (more than {far_m:.0f} m): the coordinates may be wrong."
         if not pd.isna(d) else
         f"{lbl.capitalize()} label {lid} of vehicle {v} cannot be checked: the vehicle has no "
         f"stops.")
        for lid, v, lbl, d in zip(rows["label_id"], rows["vehicle_id"], rows["label"],
                                  rows["nearest_m"])])


def _coincide(lab: pd.DataFrame, coincide_m: float) -> pd.DataFrame:
    home = lab[lab["label"] == "home"]
    work = lab[lab["label"] == "work"]
    pairs = home.merge(work, on="vehicle_id", suffixes=("_h", "_w"))
    if pairs.empty:
        return pd.DataFrame(columns=COLUMNS)
    pairs["d"] = haversine_m(pairs["lat_h"], pairs["lon_h"], pairs["lat_w"], pairs["lon_w"])
    pairs = pairs[pairs["d"] < coincide_m]
    rows = []
    for r in pairs.itertuples(index=False):  # one row per offending vehicle: few
        text = (f"Vehicle {r.vehicle_id}'s home label {r.label_id_h} and work label "
                f"{r.label_id_w} are only {r.d:,.0f} m apart (less than {coincide_m:.0f} m): "
                "one of them is probably on the wrong place.")
        for lid, lbl, pid in ((r.label_id_h, "home", r.place_id_h),
                              (r.label_id_w, "work", r.place_id_w)):
            rows.append({"label_id": lid, "vehicle_id": r.vehicle_id, "label": lbl,
                         "place_id": pid, "check": "home_work_coincide", "sentence": text,
                         "value": float(r.d)})
    return pd.DataFrame(rows, columns=COLUMNS)


def _day(n: int) -> str:
    """A local day number as '12 Mar 2025'."""
    import datetime as dt
    return (dt.date(1970, 1, 1) + dt.timedelta(days=int(n))).strftime("%-d %b %Y")


def _moved(lab: pd.DataFrame, stops: pd.DataFrame) -> pd.DataFrame:
    """Home labels of vehicles that moved house, on either home: ``home_left`` (the label
    names the home the vehicle left: stale?) and ``home_moved_to`` (the new one). value: the
    nights at the home the label does not name."""
    if stops.empty or "start_local" not in stops:
        return pd.DataFrame(columns=COLUMNS)
    moves = find_moves(stops)
    rows = lab[(lab["label"] == "home") & lab["place_id"].notna()].merge(moves, on="vehicle_id")
    out = []
    for r in rows.itertuples(index=False):  # one per moved vehicle: few
        where = (f"Vehicle {r.vehicle_id} spent its nights at place {r.from_place} until "
                 f"{_day(r.last_night_from)} ({r.nights_from} nights), then at place "
                 f"{r.to_place} from {_day(r.first_night_to)} ({r.nights_to} nights)")
        if r.place_id == r.from_place:
            out.append({"label_id": r.label_id, "vehicle_id": r.vehicle_id, "label": "home",
                        "place_id": r.place_id, "check": "home_left", "value": float(r.nights_to),
                        "sentence": f"{where}: it moved house, or went away for the rest of the "
                                    f"period. Home label {r.label_id} names the home it left."})
        elif r.place_id == r.to_place:
            out.append({"label_id": r.label_id, "vehicle_id": r.vehicle_id, "label": "home",
                        "place_id": r.place_id, "check": "home_moved_to",
                        "value": float(r.nights_from),
                        "sentence": f"{where}: it moved house. Home label {r.label_id} names the "
                                    "home it moved to; the model, seeing the nights spent at "
                                    "the other, may doubt it."})
    return pd.DataFrame(out, columns=COLUMNS)


def _metadata_of(conn: sqlite3.Connection, vehicle_ids: Sequence[str]) -> pd.DataFrame:
    """vehicle_metadata() restricted to ``vehicle_ids`` (same string values)."""
    ids = list(vehicle_ids)
    rows = conn.execute(f"SELECT vehicle_id, meta FROM vehicles WHERE vehicle_id IN "
                        f"({','.join('?' * len(ids))}) ORDER BY vehicle_id", ids).fetchall()
    records = [{"vehicle_id": v, **json.loads(m)} for v, m in rows]
    meta = pd.DataFrame.from_records(records) if records else \
        pd.DataFrame({"vehicle_id": pd.Series([], dtype=object)})
    for c in meta.columns:
        if c != "vehicle_id":
            meta[c] = ["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
                       for v in meta[c]]
    return meta


def evidence_frame(conn: sqlite3.Connection,
                   vehicle_ids: Optional[Sequence[str]] = None) -> pd.DataFrame:
    """Fleet-wide (or for ``vehicle_ids``) findings about given labels, one row each."""
    # one vehicle's metadata for one vehicle's evidence (reading all 5,000 costs ~60 ms)
    meta = vehicle_metadata(conn) if vehicle_ids is None else _metadata_of(conn, vehicle_ids)
    params: tuple = ()
    where = ""
    if vehicle_ids is not None:
        vehicle_ids = list(vehicle_ids)
        where = f"WHERE vehicle_id IN ({','.join('?' * len(vehicle_ids))})"
        params = tuple(vehicle_ids)
    labels = pd.read_sql_query(
        f"SELECT label_id, vehicle_id, label, lat, lon FROM labels {where} ORDER BY label_id",
        conn, params=params)
    if table_exists(conn, "place_labels"):
        place_labels = pd.read_sql_query(
            f"SELECT label_id, place_id FROM place_labels {where}", conn, params=params)
    else:
        place_labels = pd.DataFrame({"label_id": [], "place_id": []})
    stops = local_stops(conn, meta, vehicle_ids)
    return label_evidence(labels, place_labels, stops)


def evidence_for_place(conn: sqlite3.Connection, place_id: str) -> list[str]:
    """Sentences about the labels matched to ``place_id`` (empty when nothing is odd)."""
    row = conn.execute("SELECT vehicle_id FROM places WHERE place_id = ?", (place_id,)).fetchone()
    if row is None:
        return []
    found = evidence_frame(conn, [row[0]])
    return list(dict.fromkeys(found.loc[found["place_id"] == place_id, "sentence"]))
