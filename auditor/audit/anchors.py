"""Flags stay with what they point at: place-flag anchors and their re-attachment.

Place ids rank a vehicle's places by first visit, so they shift when earlier pings arrive, and
places merge or split when stops come or go. A place flag therefore records what it pointed at
when it was made (its *anchor*, table ``flag_anchors``: the place's centre and the start/end
times of its stops) and, after every infer and every change to the flags, each flag is
re-attached from its anchor (table ``flag_targets``):

1. **stops**: the places that now hold the anchor's stops (a stop is held when a current stop
   of the vehicle overlaps it in time: a vehicle is at one place at a time). One place holds
   them all -> attached there. Several do (the place split) -> orphaned (``split``).
2. **centre**: no current stop overlaps (the stops were re-derived or their pings replaced) ->
   the vehicle's places whose centre lies within the place radius of the anchor's centre. One
   -> attached; none -> orphaned (``gone``); several -> orphaned (``ambiguous_centre``).
3. **merge conflict**: places that merged carry the flags of both. Where label corrections in
   force on one place came from different former places (anchors sharing no current stop) and
   disagree, every such correction is orphaned (``merge_conflict``): which one holds is the
   analyst's call, never the log order's. (Corrections that found their stops again are
   compared; two anchors share a former place when they hold a common current stop or are
   the same place of the same inference.)

An orphaned flag points nowhere: it is shown (report, ``flags --json``, the app), never applied,
and ``export`` refuses while one exists. ``auditor.audit.flags.reattach`` (a new event that
``replaces`` it) or ``revoke`` settles it; both are undoable. Nothing here is ever deleted from
the log; ``flag_targets`` is derived and rewritten whole.
"""
from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from datetime import datetime, timezone
from typing import Optional

import numpy as np

from auditor.geo import haversine_m

DEFAULT_RADIUS_M = 100.0  # InferConfig.place_radius_m (the pipeline is a layer above)
# flag actions (auditor.audit.flags.FLAG_ACTIONS, which imports this module): review decisions
# and revocations in the same log are not flags and have no anchor
FLAG_ACTIONS = ("label_wrong", "model_wrong", "bad_data")
_FLAG_ACTIONS_SQL = "('label_wrong', 'model_wrong', 'bad_data')"
TARGET_COLUMNS = ["event_id", "place_id", "status", "how", "moved_m", "detail"]


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- anchors ----------------------------------------------------------------------------------

def place_anchor(conn: sqlite3.Connection, place_id: str) -> Optional[dict]:
    """What a flag on ``place_id`` points at now (None when there is no such place)."""
    row = conn.execute("SELECT vehicle_id, lat, lon FROM places WHERE place_id = ?",
                       (place_id,)).fetchone()
    if row is None:
        return None
    stops = conn.execute("SELECT start_ts, end_ts FROM stops WHERE place_id = ? "
                         "ORDER BY start_ts, end_ts", (place_id,)).fetchall()
    return {"vehicle_id": row[0], "place_id": place_id, "lat": float(row[1]),
            "lon": float(row[2]), "first_ts": stops[0][0] if stops else None,
            "last_ts": max(e for _, e in stops) if stops else None, "n_stops": len(stops),
            "stops": [[int(s), int(e)] for s, e in stops]}


def write_anchor(conn: sqlite3.Connection, event_id: int, anchor: dict, source: str) -> None:
    """Append the anchor of a place flag event; the caller owns the transaction."""
    conn.execute(
        "INSERT INTO flag_anchors (event_id, vehicle_id, place_id, lat, lon, first_ts, "
        "last_ts, n_stops, stops, source, anchored_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (int(event_id), anchor["vehicle_id"], anchor["place_id"], float(anchor["lat"]),
         float(anchor["lon"]), anchor.get("first_ts"), anchor.get("last_ts"),
         int(anchor.get("n_stops", len(anchor.get("stops", [])))),
         json.dumps(anchor.get("stops", []), separators=(",", ":")), source, _now()))


def read_anchor(conn: sqlite3.Connection, event_id: int) -> Optional[dict]:
    row = conn.execute("SELECT vehicle_id, place_id, lat, lon, first_ts, last_ts, n_stops, "
                       "stops, source FROM flag_anchors WHERE event_id = ?",
                       (int(event_id),)).fetchone()
    if row is None:
        return None
    keys = ["vehicle_id", "place_id", "lat", "lon", "first_ts", "last_ts", "n_stops", "stops",
            "source"]
    out = dict(zip(keys, row))
    out["stops"] = json.loads(out["stops"])
    return out


def parse_anchor(text: str) -> dict:
    """An anchor as exported in the flag CSV (JSON); ValueError when it is not one."""
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    for key in ("vehicle_id", "place_id", "lat", "lon", "stops"):
        if key not in data:
            raise ValueError(f"missing {key!r}")
    stops = data["stops"]
    if not isinstance(stops, list) or not all(
            isinstance(s, list) and len(s) == 2 and all(isinstance(v, int) for v in s)
            for s in stops):
        raise ValueError("'stops' must be a list of [start_ts, end_ts] integer pairs")
    lat, lon = float(data["lat"]), float(data["lon"])
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError("lat/lon out of range")
    return {"vehicle_id": str(data["vehicle_id"]), "place_id": str(data["place_id"]),
            "lat": lat, "lon": lon, "stops": stops, "n_stops": len(stops),
            "first_ts": min((s for s, _ in stops), default=None),
            "last_ts": max((e for _, e in stops), default=None)}


def anchor_json(conn: sqlite3.Connection, event_id: int) -> Optional[str]:
    """The anchor as one JSON text (the flag CSV's ``anchor`` column)."""
    a = read_anchor(conn, event_id)
    if a is None:
        return None
    return json.dumps({k: a[k] for k in ("vehicle_id", "place_id", "lat", "lon", "stops")},
                      separators=(",", ":"))


def copy_anchor(conn: sqlite3.Connection, from_event: int, to_event: int) -> bool:
    """Give ``to_event`` the anchor of ``from_event`` (redo, reinstatement); False if none."""
    cur = conn.execute(
        "INSERT INTO flag_anchors (event_id, vehicle_id, place_id, lat, lon, first_ts, last_ts, "
        "n_stops, stops, source, anchored_at) SELECT ?, vehicle_id, place_id, lat, lon, "
        "first_ts, last_ts, n_stops, stops, 'copied', ? FROM flag_anchors WHERE event_id = ?",
        (int(to_event), _now(), int(from_event)))
    return cur.rowcount > 0


def backfill_anchors(conn: sqlite3.Connection) -> int:
    """Anchor every place flag event that has none (made before anchors existed, or imported
    without one) to the place that carries its id in the current inference; the caller owns
    the transaction. Returns how many were anchored."""
    missing = conn.execute(
        "SELECT e.event_id, e.target_id FROM flag_events e WHERE e.target_kind = 'place' "
        f"AND e.action IN {_FLAG_ACTIONS_SQL} AND NOT EXISTS (SELECT 1 FROM flag_anchors a "
        "WHERE a.event_id = e.event_id) ORDER BY e.event_id").fetchall()
    n = 0
    for event_id, place_id in missing:  # flags are made by hand: few
        anchor = place_anchor(conn, place_id)
        if anchor is not None:
            write_anchor(conn, event_id, anchor, "backfilled")
            n += 1
    return n


# --- re-attachment -------------------------------------------------------------------------

def run_radius(conn: sqlite3.Connection) -> float:
    """The place radius of the latest inference (its config), else the default."""
    row = conn.execute("SELECT config FROM runs ORDER BY run_id DESC LIMIT 1").fetchone()
    try:
        value = json.loads(row[0]).get("place_radius_m") if row else None
    except (TypeError, ValueError):
        value = None
    return float(value) if isinstance(value, (int, float)) and value > 0 else DEFAULT_RADIUS_M


class _Vehicle:
    """A vehicle's current stops and places, read once for all its flags."""

    def __init__(self, conn: sqlite3.Connection, vehicle_id: str):
        rows = conn.execute("SELECT stop_id, start_ts, end_ts, place_id FROM stops "
                            "WHERE vehicle_id = ? ORDER BY start_ts, end_ts",
                            (vehicle_id,)).fetchall()
        self.stop_ids = [r[0] for r in rows]
        self.start = np.array([r[1] for r in rows], dtype=np.int64)
        self.end = np.array([r[2] for r in rows], dtype=np.int64)
        self.stop_place = [r[3] for r in rows]
        # stops of one vehicle never overlap, so ends run in the same order as starts
        self.end_sorted = np.maximum.accumulate(self.end) if len(self.end) else self.end
        places = conn.execute("SELECT place_id, lat, lon FROM places WHERE vehicle_id = ? "
                              "ORDER BY place_id", (vehicle_id,)).fetchall()
        self.places = {p: (float(a), float(b)) for p, a, b in places}

    def held(self, stops: list) -> tuple[dict, set]:
        """(place_id -> how many of ``stops`` it holds, current stop ids overlapping them)."""
        counts: dict[str, int] = defaultdict(int)
        matched: set[str] = set()
        if not len(self.start):
            return {}, matched
        for s, e in stops:  # the anchor's stops: a place's visits, one small step each
            lo = int(np.searchsorted(self.end_sorted, s, side="left" if s == e else "right"))
            hi = int(np.searchsorted(self.start, e, side="right" if s == e else "left"))
            here = {self.stop_place[i] for i in range(lo, hi) if self.stop_place[i] is not None}
            matched.update(self.stop_ids[i] for i in range(lo, hi))
            for p in here:
                counts[p] += 1
        return dict(counts), matched

    def near(self, lat: float, lon: float, radius_m: float) -> list[tuple[str, float]]:
        if not self.places:
            return []
        ids = list(self.places)
        d = haversine_m(lat, lon, np.array([self.places[p][0] for p in ids]),
                        np.array([self.places[p][1] for p in ids]))
        return sorted(((p, float(x)) for p, x in zip(ids, d) if x <= radius_m),
                      key=lambda t: (t[1], t[0]))


def locate(vehicle: _Vehicle, anchor: dict, radius_m: float) -> dict:
    """Where one anchor points now: {place_id, status, how, moved_m, detail, matched}."""
    counts, matched = vehicle.held(anchor["stops"])
    if len(counts) == 1:
        place = next(iter(counts))
        return _attached(vehicle, anchor, place, "stops", matched,
                         f"holds {counts[place]} of the {len(anchor['stops'])} stops it "
                         f"pointed at")
    if len(counts) > 1:
        parts = ", ".join(f"{p} ({n} of {len(anchor['stops'])} stops)"
                          for p, n in sorted(counts.items(), key=lambda t: (-t[1], t[0])))
        return {"place_id": None, "status": "orphaned", "how": "split", "moved_m": None,
                "matched": matched, "detail": f"its stops are now split over {parts}"}
    near = vehicle.near(anchor["lat"], anchor["lon"], radius_m)
    if len(near) == 1:
        return _attached(vehicle, anchor, near[0][0], "centre", set(),
                         f"no stop of it is left; the only place within {radius_m:g} m of its "
                         "centre")
    if not near:
        return {"place_id": None, "status": "orphaned", "how": "gone", "moved_m": None,
                "matched": set(), "detail": f"no stop of it is left and no place of "
                f"{anchor['vehicle_id']} lies within {radius_m:g} m of its centre"}
    names = ", ".join(f"{p} ({d:.0f} m)" for p, d in near)
    return {"place_id": None, "status": "orphaned", "how": "ambiguous_centre", "moved_m": None,
            "matched": set(), "detail": f"no stop of it is left and several places lie "
            f"within {radius_m:g} m of its centre: {names}"}


def _attached(vehicle: _Vehicle, anchor: dict, place: str, how: str, matched: set,
              detail: str) -> dict:
    lat, lon = vehicle.places.get(place, (anchor["lat"], anchor["lon"]))
    moved = float(haversine_m(anchor["lat"], anchor["lon"], lat, lon))
    return {"place_id": place, "status": "attached", "how": how, "moved_m": moved,
            "matched": matched, "detail": detail}


def in_force_ids(conn: sqlite3.Connection) -> set[int]:
    """Event ids of the flags in force: not revoked, not replaced by a flag in force (a
    replacement that is itself replaced still takes its predecessor out)."""
    log = conn.execute("SELECT event_id, action, replaces, revokes FROM flag_events").fetchall()
    revoked = {r[3] for r in log if r[1] == "revoke"}
    flags = [r for r in log if r[1] in FLAG_ACTIONS and r[0] not in revoked]
    replaced = {r[2] for r in flags if r[2] is not None}
    return {r[0] for r in flags if r[0] not in replaced}


def resolve_flags(conn: sqlite3.Connection, radius_m: Optional[float] = None) -> dict:
    """Re-attach every place flag from its anchor to the current places and rewrite
    ``flag_targets``; the caller owns the transaction. Returns counts for the summaries:
    {"place_flags", "attached", "orphaned", "repointed" (attached under another id than the
    one flagged), "by_how": {how: n}}."""
    radius_m = run_radius(conn) if radius_m is None else float(radius_m)
    events = conn.execute(
        "SELECT e.event_id, e.action, e.new_value, e.target_id FROM flag_events e "
        f"WHERE e.target_kind = 'place' AND e.action IN {_FLAG_ACTIONS_SQL} AND NOT EXISTS (SELECT 1 FROM "
        "flag_events r WHERE r.revokes = e.event_id) ORDER BY e.event_id").fetchall()
    live = in_force_ids(conn)
    anchors = {e: read_anchor(conn, e) for e, *_ in events}
    vehicles: dict[str, _Vehicle] = {}
    results: dict[int, dict] = {}
    for event_id, _, _, target in events:
        anchor = anchors[event_id]
        if anchor is None:
            results[event_id] = {"place_id": None, "status": "orphaned", "how": "no_anchor",
                                 "moved_m": None, "matched": set(),
                                 "detail": f"place {target} is not in the current inference "
                                           "and nothing records what it was"}
            continue
        vid = anchor["vehicle_id"]
        if vid not in vehicles:
            vehicles[vid] = _Vehicle(conn, vid)
        results[event_id] = locate(vehicles[vid], anchor, radius_m)
        results[event_id]["anchor_key"] = (vid, anchor["place_id"], anchor["first_ts"],
                                           anchor["n_stops"])
    _orphan_merge_conflicts(events, results, live)

    conn.execute("DELETE FROM flag_targets")
    conn.executemany(
        "INSERT INTO flag_targets (event_id, place_id, status, how, moved_m, detail) "
        "VALUES (?,?,?,?,?,?)",
        [(e, r["place_id"], r["status"], r["how"], r["moved_m"], r["detail"])
         for e, r in sorted(results.items())])
    in_force = [e for e in results if e in live]
    by_how: dict[str, int] = defaultdict(int)
    for e in in_force:
        by_how[results[e]["how"]] += 1
    targets = {e: t for e, _, _, t in events}
    return {"place_flags": len(in_force),
            "attached": sum(results[e]["status"] == "attached" for e in in_force),
            "orphaned": sum(results[e]["status"] == "orphaned" for e in in_force),
            "repointed": sum(results[e]["status"] == "attached"
                             and results[e]["place_id"] != targets[e] for e in in_force),
            "by_how": dict(sorted(by_how.items()))}


def _orphan_merge_conflicts(events: list[tuple], results: dict[int, dict], live: set[int]):
    """Label corrections in force on one place that came from different former places (no
    current stop in common) and disagree: orphan them all (module docstring, rule 3)."""
    by_place: dict[str, list[tuple]] = defaultdict(list)
    for event_id, action, value, _ in events:
        r = results[event_id]
        # only flags that found their own stops again are evidence of a merge
        if action == "label_wrong" and event_id in live and r["how"] == "stops":
            by_place[r["place_id"]].append((event_id, value))
    for place, flags in by_place.items():
        if len({v for _, v in flags}) < 2:
            continue
        # union the flags whose anchors share a current stop: one group per former place
        parent = {e: e for e, _ in flags}
        owner: dict = {}
        for e, _ in flags:  # same former place: a shared current stop or the same anchor
            for stop in [*results[e]["matched"], ("anchor", results[e].get("anchor_key"))]:
                if stop in owner:
                    parent[_find(parent, e)] = _find(parent, owner[stop])
                else:
                    owner[stop] = e
        latest: dict[int, tuple[int, str]] = {}
        for e, v in flags:
            g = _find(parent, e)
            if g not in latest or e > latest[g][0]:
                latest[g] = (e, v)
        values = {v for _, v in latest.values()}
        if len(values) < 2:
            continue
        said = ", ".join(f"{v} (event {e})" for e, v in sorted(latest.values()))
        for e, _ in flags:
            results[e].update(place_id=None, status="orphaned", how="merge_conflict",
                              moved_m=None,
                              detail=f"places merged into {place} were flagged differently: "
                                     f"{said} — choose which holds")


def _find(parent: dict[int, int], e: int) -> int:
    """The group of ``e`` in a union-find forest (path halving)."""
    while parent[e] != e:
        parent[e] = parent[parent[e]]
        e = parent[e]
    return e
