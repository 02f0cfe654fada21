"""Small reads the views ask for one at a time (a place's row, a trip, a vehicle's ids, the
project's counts): each one indexed query, no pandas, so they are cheap on the GUI thread."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any, Optional

from auditor.store.queries import table_exists


@dataclass(frozen=True)
class ProjectCounts:
    vehicles: int
    places: int
    trips: int
    labelled_places: int
    flags_in_force: int          # flags in force that apply (attached, any target)
    flagged_places: int          # places with at least one flag in force on them now
    orphaned_flags: int          # place flags in force that point at no place since the last infer


def _one(conn: sqlite3.Connection, sql: str, *params: Any) -> int:
    return int(conn.execute(sql, params).fetchone()[0] or 0)


def project_counts(conn: sqlite3.Connection, run_id: Optional[int]) -> ProjectCounts:
    # vehicles from the small tables: counting DISTINCT over 20M pings would stall the UI
    return ProjectCounts(
        vehicles=_one(conn, "SELECT COUNT(*) FROM (SELECT vehicle_id FROM places UNION "
                            "SELECT vehicle_id FROM vehicles)"),
        places=_one(conn, "SELECT COUNT(*) FROM places"),
        trips=_one(conn, "SELECT COUNT(*) FROM trips"),
        labelled_places=_one(conn, "SELECT COUNT(*) FROM predictions WHERE run_id = ? AND "
                                   "given_label IS NOT NULL", run_id),
        # the flags_in_force view is the rule; an orphan is a row of it that points nowhere
        flags_in_force=_one(conn, "SELECT COUNT(*) FROM flags_in_force "
                                  "WHERE status = 'attached'"),
        flagged_places=_one(conn, "SELECT COUNT(DISTINCT current_target) FROM flags_in_force "
                                  "WHERE target_kind = 'place' AND status = 'attached'"),
        orphaned_flags=orphaned_flag_count(conn),
    )


def orphaned_flag_count(conn: sqlite3.Connection) -> int:
    """Place flags in force that point at no place since the last infer (the flags_in_force
    view's orphaned rows): they change with every flag, unlike the run's report."""
    return _one(conn, "SELECT COUNT(*) FROM flags_in_force WHERE status = 'orphaned'")


def vehicle_of_place(conn: sqlite3.Connection, place_id: str) -> Optional[str]:
    row = conn.execute("SELECT vehicle_id FROM places WHERE place_id = ?", (place_id,)).fetchone()
    return row[0] if row else None


def vehicle_of_trip(conn: sqlite3.Connection, trip_id: str) -> Optional[str]:
    row = conn.execute("SELECT vehicle_id FROM trips WHERE trip_id = ?", (trip_id,)).fetchone()
    return row[0] if row else None


def first_place_of(conn: sqlite3.Connection, vehicle_id: str) -> Optional[str]:
    row = conn.execute("SELECT place_id FROM places WHERE vehicle_id = ? ORDER BY place_id "
                       "LIMIT 1", (vehicle_id,)).fetchone()
    return row[0] if row else None


def has_vehicle(conn: sqlite3.Connection, vehicle_id: str) -> bool:
    return conn.execute(
        "SELECT 1 FROM places WHERE vehicle_id = ? UNION ALL SELECT 1 FROM vehicles "
        "WHERE vehicle_id = ? UNION ALL SELECT 1 FROM trips WHERE vehicle_id = ? LIMIT 1",
        (vehicle_id, vehicle_id, vehicle_id)).fetchone() is not None


def nearest_place(conn: sqlite3.Connection, vehicle_id: str, lat: float,
                  lon: float) -> Optional[tuple[str, float]]:
    """(place_id, metres) of the vehicle's place nearest to a point (a label that matched no
    place), or None when the vehicle has no place. A vehicle has a few dozen places."""
    from auditor.geo import haversine_m
    rows = conn.execute("SELECT place_id, lat, lon FROM places WHERE vehicle_id = ? "
                        "ORDER BY place_id", (vehicle_id,)).fetchall()
    if not rows:
        return None
    d = haversine_m([lat] * len(rows), [lon] * len(rows), [r[1] for r in rows],
                    [r[2] for r in rows])
    i = int(d.argmin())
    return rows[i][0], float(d[i])


def vehicle_place_ids(conn: sqlite3.Connection, vehicle_id: str) -> list[str]:
    return [r[0] for r in conn.execute("SELECT place_id FROM places WHERE vehicle_id = ?",
                                       (vehicle_id,))]


def vehicle_trip_ids(conn: sqlite3.Connection, vehicle_id: str) -> list[str]:
    return [r[0] for r in conn.execute("SELECT trip_id FROM trips WHERE vehicle_id = ?",
                                       (vehicle_id,))]


PLACE_FIELDS = ("vehicle_id", "lat", "lon", "n_stops", "split", "given_label",
                "predicted_label", "p_home", "p_work", "p_other")


def place_detail(conn: sqlite3.Connection, place_id: str,
                 run_id: Optional[int]) -> Optional[dict[str, Any]]:
    """The place and its prediction in ``run_id`` (prediction fields None without one)."""
    row = conn.execute(
        "SELECT pl.vehicle_id, pl.lat, pl.lon, pl.n_stops, pr.split, pr.given_label, "
        "pr.predicted_label, pr.p_home, pr.p_work, pr.p_other FROM places pl "
        "LEFT JOIN predictions pr ON pr.place_id = pl.place_id AND pr.run_id = ? "
        "WHERE pl.place_id = ?", (run_id, place_id)).fetchone()
    return None if row is None else dict(zip(PLACE_FIELDS, row))


def vehicle_home_and_work(conn: sqlite3.Connection, run_id: Optional[int],
                          vehicle_id: str) -> dict[str, tuple[str, float]]:
    """{'home': (place_id, p_home), 'work': (place_id, p_work)} of a vehicle in ``run_id``
    (a vehicle has one home and at most one work place per run)."""
    rows = conn.execute(
        "SELECT pr.predicted_label, pr.place_id, pr.p_home, pr.p_work FROM predictions pr "
        "JOIN places pl ON pl.place_id = pr.place_id WHERE pr.run_id = ? AND pl.vehicle_id = ? "
        "AND pr.predicted_label IN ('home', 'work')", (run_id, vehicle_id)).fetchall()
    return {label: (place, p_home if label == "home" else p_work)
            for label, place, p_home, p_work in rows}


def place_feature_values(conn: sqlite3.Connection, place_id: str) -> list[tuple[str, Any]]:
    """(feature, value) of the place's row in place_features, in column order."""
    if not table_exists(conn, "place_features"):
        return []
    cur = conn.execute("SELECT * FROM place_features WHERE place_id = ?", (place_id,))
    values = cur.fetchone()
    if values is None:
        return []
    return [(d[0], v) for d, v in zip(cur.description, values)
            if d[0] not in ("place_id", "vehicle_id")]


def trip_summary(conn: sqlite3.Connection, trip_id: str) -> Optional[dict[str, Any]]:
    row = conn.execute("SELECT vehicle_id, start_ts, end_ts, n_pings, distance_m FROM trips "
                       "WHERE trip_id = ?", (trip_id,)).fetchone()
    if row is None:
        return None
    return dict(zip(("vehicle_id", "start_ts", "end_ts", "n_pings", "distance_m"), row))


def quarantined_rows(conn: sqlite3.Connection, import_id: int,
                     limit: int = 50) -> list[tuple[int, str, str]]:
    """The first refused rows of one import: (line, reason, raw text)."""
    return conn.execute("SELECT line, reason, raw FROM quarantine WHERE import_id = ? "
                        "ORDER BY line LIMIT ?", (int(import_id), int(limit))).fetchall()


FLAG_FIELDS = ("event_id", "analyst", "created_at", "action", "new_value", "note")
REVIEW_FIELDS = ("review", "reviewer", "amended_value", "review_note")


def place_flags(conn: sqlite3.Connection, place_id: str) -> list[dict[str, Any]]:
    """The flags in force on one place now (the flags_in_force view: attached, latest per
    action), oldest first, each with its review (REVIEW_FIELDS: pending, accepted, rejected
    or amended, by whom); a note never written is None (never NaN: no pandas here)."""
    rows = conn.execute(
        "SELECT event_id, analyst, created_at, action, new_value, note FROM flags_in_force "
        "WHERE target_kind = 'place' AND status = 'attached' AND current_target = ? "
        "ORDER BY event_id", (place_id,)).fetchall()
    flags = [dict(zip(FLAG_FIELDS, r)) for r in rows]
    if flags:  # and each one's review by a second analyst (pending when none)
        ids = [f["event_id"] for f in flags]
        reviews = {r[0]: dict(zip(REVIEW_FIELDS, r[1:])) for r in conn.execute(
            f"SELECT event_id, {', '.join(REVIEW_FIELDS)} FROM flag_reviews "
            f"WHERE event_id IN ({','.join('?' * len(ids))})", ids)}
        for f in flags:
            f.update(reviews.get(f["event_id"], dict.fromkeys(REVIEW_FIELDS)))
    return flags


def place_label_now(conn: sqlite3.Connection, place_id: str) -> tuple[Optional[str], str]:
    """(label, where it comes from) as a flag would see it: the latest label correction in force
    ('flag'), else the given label ('given'), else (None, 'none') — a place of an unlabelled
    vehicle, which training counts as other."""
    row = conn.execute(
        "SELECT new_value FROM flags_in_force WHERE target_kind = 'place' AND status = "
        "'attached' AND current_target = ? AND action = 'label_wrong' ORDER BY event_id DESC "
        "LIMIT 1", (place_id,)).fetchone()
    if row is not None:
        return row[0], "flag"
    row = conn.execute("SELECT label FROM place_labels WHERE place_id = ?",
                       (place_id,)).fetchone()
    return (row[0], "given") if row is not None else (None, "none")


def trip_covering(conn: sqlite3.Connection, vehicle_id: str, start_ts: int,
                  end_ts: int) -> Optional[str]:
    """The vehicle's trip that overlaps the ping range [start_ts, end_ts] most (a trip flag is
    stored as the ping range it covered), None when no trip overlaps it now."""
    row = conn.execute(
        "SELECT trip_id FROM trips WHERE vehicle_id = ? AND end_ts >= ? AND start_ts <= ? "
        "ORDER BY MIN(end_ts, ?) - MAX(start_ts, ?) DESC LIMIT 1",
        (vehicle_id, int(start_ts), int(end_ts), int(end_ts), int(start_ts))).fetchone()
    return row[0] if row else None
