"""Flags stay with what they point at (issue 11, item 4): earlier data arriving, two places
merging, one place splitting, orphans settled by re-attach / revoke (undoable), export refusing
while one is left, the CSV carrying anchors, and flags made before anchors existed."""
from __future__ import annotations

import json
import sqlite3

import numpy as np
import pandas as pd
import pytest

from auditor.audit.flags import (
    add_flag,
    effective_label,
    flags_in_force,
    orphaned_flags,
    place_candidates,
    reattach,
    revoke,
)
from auditor.audit.log_csv import export_csv, import_csv
from auditor.audit.undo_stack import FlagStack
from auditor.cli import main
from auditor.errors import UserError
from auditor.export.build import build_training_set
from auditor.geo import haversine_m
from auditor.ingest.api import ingest_paths
from auditor.pipeline.api import infer_project
from auditor.store import open_project
from auditor.store.schema import MIGRATIONS

M_PER_DEG = 111_195.0


def _overlaps(stops: pd.DataFrame, vehicle: str, s: int, e: int) -> pd.DataFrame:
    mine = stops[stops["vehicle_id"] == vehicle]
    return mine[(mine["start_ts"] < e) & (mine["end_ts"] > s)]


# --- earlier data arriving (the repro) -------------------------------------------------

@pytest.fixture(scope="module")
def two_weeks(tmp_path_factory):
    """A 14-day demo fleet cut into its first and second week (ISO 'Z' stamps sort as text)."""
    from auditor.demo.generator import write_demo
    out = tmp_path_factory.mktemp("weeks")
    paths = write_demo(out, vehicles=30, days=14, seed=11)
    pings = pd.read_csv(paths["pings"], dtype=str)
    cut = "2026-03-09"  # the generator starts on Monday 2026-03-02
    pings[pings["timestamp"] >= cut].to_csv(out / "week2.csv", index=False)
    pings[pings["timestamp"] < cut].to_csv(out / "week1.csv", index=False)
    return out, paths


def _flag_many(conn, n: int, seed: int) -> dict[int, dict]:
    """Flags on n places with at least two stops (label/model/bad-data in turn); returns what
    each pointed at: place id, centre and stop times, read independently of the anchors."""
    places = pd.read_sql_query("SELECT * FROM places WHERE n_stops >= 2 ORDER BY place_id", conn)
    pick = places.sample(n, random_state=seed)
    made = {}
    for i, row in enumerate(pick.itertuples(index=False)):
        action = ("label_wrong", "model_wrong", "bad_data")[i % 3]
        value = None
        if action == "label_wrong":
            value = "work" if effective_label(conn, row.place_id) != "work" else "home"
        e = add_flag(conn, "ana", "place", row.place_id, action, value)
        stops = conn.execute("SELECT start_ts, end_ts FROM stops WHERE place_id = ?",
                             (row.place_id,)).fetchall()
        made[e] = {"place_id": row.place_id, "lat": row.lat, "lon": row.lon, "stops": stops,
                   "action": action, "value": value}
    return made


def test_earlier_week_arriving_moves_no_flag_silently(two_weeks, tmp_path):
    out, paths = two_weeks
    project = tmp_path / "p.db"
    ingest_paths(project, [out / "week2.csv", paths["labels"], paths["vehicles"]])
    infer_project(project)
    conn = open_project(project)
    made = _flag_many(conn, 40, seed=5)
    export_csv(conn, tmp_path / "flags.csv")
    # a trip (stored as the ping range it covers) and a vehicle flag ride along
    trip = conn.execute("SELECT trip_id, vehicle_id, start_ts, end_ts FROM trips "
                        "ORDER BY trip_id LIMIT 1 OFFSET 5").fetchone()
    t_flag = add_flag(conn, "ana", "trip", trip[0], "bad_data")
    v_flag = add_flag(conn, "ana", "vehicle", "V00003", "bad_data")
    conn.close()

    ingest_paths(project, [out / "week1.csv"])
    summary = infer_project(project)
    assert summary["flags"]["place_flags"] == 40

    conn = open_project(project)
    places = pd.read_sql_query("SELECT * FROM places", conn).set_index("place_id")
    stops = pd.read_sql_query("SELECT * FROM stops", conn)
    # the hazard is real in this data: many old ids now name another place (or none)
    stale = sum(m["place_id"] not in places.index or haversine_m(
        m["lat"], m["lon"], places.loc[m["place_id"], "lat"],
        places.loc[m["place_id"], "lon"]) > 150 for m in made.values())
    assert stale >= 10

    every = flags_in_force(conn).set_index("event_id")
    assert every.loc[t_flag, ["target_id", "status"]].tolist() == \
        [f"{trip[1]}|{trip[2]}|{trip[3]}", "attached"]
    # the range still covers exactly one trip of the new inference, the same one
    assert conn.execute("SELECT COUNT(*) FROM trips WHERE vehicle_id = ? AND start_ts = ? AND "
                        "end_ts = ?", trip[1:]).fetchone()[0] == 1
    assert every.loc[v_flag, ["target_id", "status"]].tolist() == ["V00003", "attached"]
    flags = every[every["target_kind"] == "place"]
    assert set(flags.index) == set(made)
    assert set(flags["status"]) <= {"attached", "orphaned"}
    attached = flags[flags["status"] == "attached"]
    assert len(attached) >= 36  # more data only merges places: orphans are the exception
    for e, row in attached.iterrows():
        m = made[e]
        # it holds every stop it pointed at, and it is the same spot on the map
        for s, t in m["stops"]:
            held = _overlaps(stops, places.loc[row["target_id"], "vehicle_id"], s, t)
            assert set(held["place_id"]) == {row["target_id"]}
        assert haversine_m(m["lat"], m["lon"], row["lat"], row["lon"]) < 150
    for _, row in flags[flags["status"] == "orphaned"].iterrows():
        assert pd.isna(row["target_id"]) and row["detail"]
    assert summary["flags"]["repointed"] >= stale - summary["flags"]["orphaned"]

    # what the export applies follows the flags to their new ids
    ts = build_training_set(conn)
    frame = ts.frame.set_index("place_id")
    for e, row in attached[attached["action"] == "label_wrong"].iterrows():
        assert effective_label(conn, row["target_id"]) == made[e]["value"]
        if row["target_id"] in frame.index:
            assert frame.loc[row["target_id"], "label"] == made[e]["value"]
    for _, row in attached[attached["action"] == "bad_data"].iterrows():
        assert row["target_id"] not in frame.index
    assert not frame["vehicle_id"].eq("V00003").any()
    conn.close()

    # the CSV carries anchors: merged into a project that saw both weeks at once, the flags
    # land on the same places as the re-attached ones above
    other = tmp_path / "other.db"
    ingest_paths(other, [paths["pings"], paths["labels"], paths["vehicles"]])
    infer_project(other)
    c2 = open_project(other)
    assert import_csv(c2, tmp_path / "flags.csv")["imported"] == 40
    there = flags_in_force(c2).sort_values("event_id").reset_index(drop=True)
    flags = flags.loc[sorted(made)]
    here = flags.sort_index().reset_index()          # import keeps the log's order
    assert (there["flagged_target_id"] == here["flagged_target_id"]).all()
    ok = (here["status"] == "attached").to_numpy()
    assert (there.loc[ok, "status"] == "attached").all()
    gap = haversine_m(here.loc[ok, "lat"].to_numpy(float), here.loc[ok, "lon"].to_numpy(float),
                      there.loc[ok, "lat"].to_numpy(float), there.loc[ok, "lon"].to_numpy(float))
    assert (gap < 1).all()
    c2.close()


# --- synthetic vehicles: stays at chosen points, pings through the real ingest ----------------

DAY = 86_400
T0 = 1_772_409_600  # 2026-03-02 00:00 UTC
HOME = (48.0, 11.0)


def _north(point, metres):
    return (point[0] + metres / M_PER_DEG, point[1])


def _drive(t0, a, b, minutes=10, every_s=30):
    n = int(minutes * 60 / every_s) + 1
    f = np.linspace(0, 1, n)
    return t0 + np.arange(n) * every_s, a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])


def _visits(days, spots, vehicle="v"):
    """Each day: home -> each spot in turn (an hour there) -> home. Returns a pings frame."""
    parts = []
    for d in days:
        t = T0 + d * DAY + 9 * 3600
        here = HOME
        for spot in [*spots, HOME]:
            ts, lat, lon = _drive(t, here, spot)
            parts.append(pd.DataFrame({"ts": ts, "lat": lat, "lon": lon}))
            t = ts[-1] + 3600
            here = spot
    frame = pd.concat(parts, ignore_index=True)
    frame["vehicle_id"] = vehicle
    frame["timestamp"] = pd.to_datetime(frame["ts"], unit="s", utc=True) \
        .dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    return frame[["vehicle_id", "timestamp", "lat", "lon"]]


def _write(frame, path):
    frame.to_csv(path, index=False, float_format="%.7f")
    return path


SHOP_A = (48.02, 11.0)
SHOP_M = _north(SHOP_A, 75)    # between A and B: within the 100 m place radius of both
SHOP_B = _north(SHOP_A, 150)   # 150 m from A: a place of its own without M


def _place_at(conn, point):
    rows = conn.execute("SELECT place_id, lat, lon FROM places").fetchall()
    d = [(haversine_m(point[0], point[1], a, b), p) for p, a, b in rows]
    return min(d)[1]


def test_two_places_merging(tmp_path):
    project = tmp_path / "m.db"
    ingest_paths(project, [_write(_visits(range(7, 12), [SHOP_A, SHOP_B]), tmp_path / "late.csv")])
    infer_project(project)
    conn = open_project(project)
    a, b = _place_at(conn, SHOP_A), _place_at(conn, SHOP_B)
    assert a != b
    on_a = add_flag(conn, "ana", "place", a, "label_wrong", "work")
    on_b = add_flag(conn, "ana", "place", b, "model_wrong")
    stack = FlagStack(conn, "bob")
    stack.do({"target_kind": "place", "target_id": b, "action": "bad_data"})
    stack.undo()                                     # redone only after the ids have moved
    conn.close()

    # earlier days with stops between A and B: one place now holds both
    ingest_paths(project, [_write(_visits(range(0, 5), [SHOP_M]), tmp_path / "early.csv")])
    infer_project(project)
    conn = open_project(project)
    merged = _place_at(conn, SHOP_M)
    assert _place_at(conn, SHOP_A) == _place_at(conn, SHOP_B) == merged
    flags = flags_in_force(conn).set_index("event_id")
    assert flags.loc[[on_a, on_b], "status"].tolist() == ["attached", "attached"]
    assert flags.loc[[on_a, on_b], "target_id"].tolist() == [merged, merged]
    assert effective_label(conn, merged) == "work"
    redone = FlagStack(conn, "bob").redo()           # lands where the undone flag points now
    assert flags_in_force(conn).set_index("event_id").loc[redone, ["target_id", "status"]] \
        .tolist() == [merged, "attached"]

    # a correction on the other former place that disagrees: neither may silently win
    on_b2 = add_flag(conn, "bob", "place", merged, "label_wrong", "home")
    assert effective_label(conn, merged) == "home"   # made on the merged place: it wins
    revoke(conn, "bob", on_b2)
    conn.close()
    project2 = tmp_path / "m2.db"
    ingest_paths(project2, [tmp_path / "late.csv"])
    infer_project(project2)
    c2 = open_project(project2)
    x = add_flag(c2, "ana", "place", _place_at(c2, SHOP_A), "label_wrong", "work")
    y = add_flag(c2, "bob", "place", _place_at(c2, SHOP_B), "label_wrong", "home")
    c2.close()
    ingest_paths(project2, [tmp_path / "early.csv"])
    summary = infer_project(project2)
    assert summary["flags"]["orphaned"] == 2
    c2 = open_project(project2)
    orphans = orphaned_flags(c2).set_index("event_id")
    assert sorted(orphans.index) == [x, y]
    assert set(orphans["how"]) == {"merge_conflict"}
    assert "work (event" in orphans.loc[x, "detail"] and "home (event" in orphans.loc[x, "detail"]
    merged2 = _place_at(c2, SHOP_M)
    assert effective_label(c2, merged2) == "other"  # neither correction applies (no label)
    # the analyst settles it by re-attaching one to the merged place: a correction made on
    # the whole merged place is the latest word on it, the other one is overridden, as on
    # any place (and comes back as a conflict if the re-attachment is undone)
    assert place_candidates(c2, x)[0]["place_id"] == merged2
    stack = FlagStack(c2, "ana")
    new = stack.reattach(x, merged2)
    assert effective_label(c2, merged2) == "work"
    assert orphaned_flags(c2).empty
    stack.undo()                                     # the re-attachment is undone...
    assert sorted(orphaned_flags(c2)["event_id"]) == [x, y]
    stack.redo()                                     # ...and redone
    assert orphaned_flags(c2).empty and effective_label(c2, merged2) == "work"
    assert flags_in_force(c2).set_index("event_id").loc[:, "replaces"].dropna().tolist() == [x]
    top = FlagStack(c2, "ana").undo_ids()[-1]        # rebuilt from the log: same stack
    assert top != new and stack.spec_of(top) == stack.spec_of(new)
    c2.close()


def test_one_place_splitting(tmp_path):
    project = tmp_path / "s.db"
    both = pd.concat([_visits(range(0, 4), [SHOP_A, SHOP_B]), _visits(range(4, 6), [SHOP_M])])
    ingest_paths(project, [_write(both, tmp_path / "all.csv")])
    infer_project(project)
    conn = open_project(project)
    one = _place_at(conn, SHOP_A)
    assert _place_at(conn, SHOP_B) == one
    e = add_flag(conn, "ana", "place", one, "bad_data")
    home = _place_at(conn, HOME)
    h = add_flag(conn, "ana", "place", home, "model_wrong")
    conn.close()

    # the stops between A and B turn out to be bad and are replaced: the place splits in two
    ingest_paths(project, [_write(_visits(range(0, 4), [SHOP_A, SHOP_B]),
                                  tmp_path / "without_m.csv")], replace=True)
    summary = infer_project(project)
    assert summary["flags"]["orphaned"] == 1
    conn = open_project(project)
    a, b = _place_at(conn, SHOP_A), _place_at(conn, SHOP_B)
    assert a != b
    flags = flags_in_force(conn).set_index("event_id")
    assert flags.loc[e, "status"] == "orphaned" and flags.loc[e, "how"] == "split"
    assert pd.isna(flags.loc[e, "target_id"])
    assert a in flags.loc[e, "detail"] and b in flags.loc[e, "detail"]
    assert flags.loc[h, "status"] == "attached" and flags.loc[h, "target_id"] == _place_at(conn, HOME)
    # never applied while orphaned: neither half is excluded
    from auditor.export.corrections import read_flags
    assert read_flags(conn).bad_places == set()
    # dismissing it is undoable: the reinstated flag is orphaned again, with its anchor
    stack = FlagStack(conn, "ana")
    stack.dismiss(e)
    assert orphaned_flags(conn).empty
    again = stack.undo()
    o = orphaned_flags(conn)
    assert o["event_id"].tolist() == [again] and o["how"].tolist() == ["split"]
    stack.redo()
    assert orphaned_flags(conn).empty
    assert not FlagStack(conn, "ana").can_redo() and FlagStack(conn, "ana").can_undo()
    conn.close()


# --- export refuses while a flag is orphaned; the CLI settles it ------------------------------

def test_export_refuses_orphans_until_settled(fresh_tiny_project, tmp_path, capsys):
    project = str(fresh_tiny_project)
    conn = open_project(fresh_tiny_project)
    # two unlabelled places of one vehicle, corrected to different labels; a place radius
    # reaching from one to the other merges them
    rows = conn.execute("SELECT place_id, vehicle_id, lat, lon FROM places WHERE place_id "
                        "NOT IN (SELECT place_id FROM place_labels) ORDER BY place_id").fetchall()
    by_vehicle: dict = {}
    for p, v, a, b in rows:
        by_vehicle.setdefault(v, []).append((p, a, b))
    v, ps = next((v, ps) for v, ps in sorted(by_vehicle.items()) if len(ps) >= 2)
    p1, p2 = ps[0][0], ps[1][0]
    reach = float(haversine_m(ps[0][1], ps[0][2], ps[1][1], ps[1][2]))
    v1 = "work"
    e1 = add_flag(conn, "ana", "place", p1, "label_wrong", v1)
    e2 = add_flag(conn, "ana", "place", p2, "label_wrong", "home")
    conn.close()
    infer_project(fresh_tiny_project, config={"place_radius_m": reach + 50})
    conn = open_project(fresh_tiny_project)
    assert sorted(orphaned_flags(conn)["event_id"]) == [e1, e2]
    conn.close()

    assert main(["export", project, str(tmp_path / "x")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"event {e1}, {e2}" in err[0] and "--skip-orphaned" in err[0]
    assert not (tmp_path / "x" / "manifest.json").exists()
    assert main(["export", project, str(tmp_path / "y"), "--skip-orphaned", "--json"]) == 0
    done = json.loads(capsys.readouterr().out)
    assert done["orphaned_skipped"] == [e1, e2]
    manifest = json.loads((tmp_path / "y" / "manifest.json").read_text())
    assert manifest["flags_in_force"]["orphaned_skipped"] == [e1, e2]
    assert main(["verify", str(tmp_path / "y")]) == 0
    capsys.readouterr()

    # report and flags --json show them; the CLI re-attaches one and revokes the other
    assert main(["report", project, "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["orphaned_flags"]["n"] == 2
    assert main(["flags", project, "--json"]) == 0
    listed = {f["event_id"]: f for f in json.loads(capsys.readouterr().out)["flags"]}
    assert listed[e1]["status"] == "orphaned" and listed[e1]["target_id"] is None
    assert listed[e1]["lat"] is not None and listed[e1]["review"] == "pending"
    merged = place_candidates(open_project(fresh_tiny_project), e1)[0]["place_id"]
    assert main(["flags", project, "--reattach", str(e1), merged]) == 1       # no analyst
    capsys.readouterr()
    assert main(["flags", project, "--reattach", str(e1), merged, "--analyst", "ana"]) == 0
    assert main(["flags", project, "--revoke", str(e2), "--analyst", "ana"]) == 0
    capsys.readouterr()
    assert main(["flags", project, "--json"]) == 0
    listed = {f["event_id"]: f for f in json.loads(capsys.readouterr().out)["flags"]}
    assert e1 not in listed and e2 not in listed
    again = [f for f in listed.values() if f["target_kind"] == "place"]
    assert [(f["target_id"], f["status"], f["new_value"], f["replaces"]) for f in again] == \
        [(merged, "attached", v1, e1)]
    assert main(["export", project, str(tmp_path / "z")]) == 0


def test_reattach_rules(tmp_path):
    project = tmp_path / "r.db"
    ingest_paths(project, [_write(_visits(range(0, 3), [SHOP_A, SHOP_B]), tmp_path / "p.csv")])
    infer_project(project)
    conn = open_project(project)
    a, b = _place_at(conn, SHOP_A), _place_at(conn, SHOP_B)
    e = add_flag(conn, "ana", "place", a, "model_wrong")
    with pytest.raises(UserError, match="already points at"):
        reattach(conn, "ana", e, a)
    with pytest.raises(UserError, match="no place"):
        reattach(conn, "ana", e, "v:999")
    r = reattach(conn, "ana", e, b)                   # an attached flag may be moved too
    with pytest.raises(UserError, match="not in force"):
        reattach(conn, "ana", e, a)
    with pytest.raises(UserError, match="keeps what event"):
        add_flag(conn, "ana", "place", a, "bad_data", replaces=r)
    assert flags_in_force(conn).set_index("event_id").loc[r, "target_id"] == b
    export_csv(conn, tmp_path / "log.csv")
    conn.close()

    # merged into another analyst's copy (with a flag of its own first, so ids differ), the
    # re-attachment still replaces the flag it replaced and lands on the same place
    other = tmp_path / "o.db"
    ingest_paths(other, [tmp_path / "p.csv"])
    infer_project(other)
    c2 = open_project(other)
    add_flag(c2, "bob", "vehicle", "v", "bad_data")
    assert import_csv(c2, tmp_path / "log.csv")["imported"] == 2
    live = flags_in_force(c2)
    mine = live[live["target_kind"] == "place"]
    assert len(mine) == 1 and mine["target_id"].tolist() == [_place_at(c2, SHOP_B)]
    replaced = int(mine["replaces"].iloc[0])
    assert c2.execute("SELECT action, target_id FROM flag_events WHERE event_id = ?",
                      (replaced,)).fetchone() == ("model_wrong", _place_at(c2, SHOP_A))
    c2.close()


# --- flags made before anchors existed -----------------------------------------------------

def test_flags_from_before_anchors_are_anchored_to_todays_place(tmp_path):
    path = tmp_path / "old.db"
    raw = sqlite3.connect(path)
    raw.executescript(MIGRATIONS[0])
    raw.execute("PRAGMA user_version = 1")
    raw.execute("INSERT INTO imports VALUES (1,'pings','p.csv','p.csv','x',1,'',1,1,0,NULL,"
                "'{}','csv','2026-01-01T00:00:00Z')")
    raw.executemany("INSERT INTO places VALUES (?,?,?,?,?)",
                    [("v:0", "v", 48.0, 11.0, 2), ("v:1", "v", 48.02, 11.0, 1)])
    raw.executemany("INSERT INTO stops (stop_id, vehicle_id, start_ts, end_ts, lat, lon, "
                    "place_id) VALUES (?,?,?,?,?,?,?)",
                    [("v:s0", "v", 100, 200, 48.0, 11.0, "v:0"),
                     ("v:s1", "v", 300, 400, 48.02, 11.0, "v:1"),
                     ("v:s2", "v", 500, 600, 48.0, 11.0, "v:0")])
    raw.executemany("INSERT INTO flag_events (analyst, created_at, target_kind, target_id, "
                    "action, new_value) VALUES (?,?,?,?,?,?)",
                    [("ana", "2026-01-01T00:00:00Z", "place", "v:0", "label_wrong", "work"),
                     ("ana", "2026-01-01T00:00:01Z", "place", "v:7", "bad_data", None),
                     ("ana", "2026-01-01T00:00:02Z", "vehicle", "v", "bad_data", None)])
    raw.commit()
    raw.close()
    conn = open_project(path)
    anchor = conn.execute("SELECT place_id, first_ts, last_ts, n_stops, stops, source FROM "
                          "flag_anchors WHERE event_id = 1").fetchone()
    assert anchor[:4] == ("v:0", 100, 600, 2) and json.loads(anchor[4]) == [[100, 200], [500, 600]]
    assert anchor[5] == "backfilled"
    f = flags_in_force(conn).set_index("event_id")
    assert f.loc[1, ["status", "target_id"]].tolist() == ["attached", "v:0"]
    assert f.loc[2, "status"] == "orphaned" and f.loc[2, "how"] == "no_anchor"
    assert f.loc[3, ["status", "target_id"]].tolist() == ["attached", "v"]
    conn.close()


def test_a_project_at_migration_2_gets_the_one_rule_of_a_flag_in_force(tmp_path):
    """A project written with migration 2's view (every live flag, no "latest" rule) opens
    with migration 3's: per (kind, where it points now, action) only the latest attached flag;
    orphans stay rows that point nowhere; undoing the latest brings the earlier one back."""
    path = tmp_path / "m2.db"
    raw = sqlite3.connect(path)
    raw.executescript(MIGRATIONS[0])
    raw.executescript(MIGRATIONS[1])
    raw.execute("PRAGMA user_version = 2")
    raw.executemany("INSERT INTO places VALUES (?,?,?,?,?)",
                    [("v:0", "v", 48.0, 11.0, 2), ("v:1", "v", 48.02, 11.0, 1)])
    flags = [("ana", "place", "v:1", "label_wrong", "work"),   # made on v:1, now points at v:0
             ("bob", "place", "v:0", "label_wrong", "other"),  # the latest on v:0
             ("ana", "place", "v:0", "model_wrong", None),
             ("ana", "place", "v:9", "bad_data", None),        # orphaned
             ("ana", "vehicle", "v", "bad_data", None)]
    raw.executemany("INSERT INTO flag_events (analyst, created_at, target_kind, target_id, "
                    "action, new_value) VALUES (?, '2026-01-01T00:00:00Z', ?, ?, ?, ?)", flags)
    raw.executemany("INSERT INTO flag_targets (event_id, place_id, status, how, moved_m, "
                    "detail) VALUES (?,?,?,?,?,?)",
                    [(1, "v:0", "attached", "stops", 5.0, "moved"),
                     (2, "v:0", "attached", "flagged", 0.0, None),
                     (3, "v:0", "attached", "flagged", 0.0, None),
                     (4, None, "orphaned", "gone", None, "no place near")])
    assert len(raw.execute("SELECT * FROM flags_in_force").fetchall()) == 5  # migration 2's
    raw.commit()
    raw.close()

    conn = open_project(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    rows = conn.execute("SELECT event_id, flagged_target_id, current_target, status FROM "
                        "flags_in_force ORDER BY event_id").fetchall()
    assert rows == [(2, "v:0", "v:0", "attached"), (3, "v:0", "v:0", "attached"),
                    (4, "v:9", None, "orphaned"), (5, "v", "v", "attached")]
    assert effective_label(conn, "v:0") == "other"
    assert orphaned_flags(conn)["event_id"].tolist() == [4]
    # revoking bob's correction brings ana's (made under another id) back on v:0 (the row goes
    # in raw: revoke() would also re-attach, and these test flags have no anchors)
    conn.execute("INSERT INTO flag_events (analyst, created_at, target_kind, target_id, action, "
                 "revokes) VALUES ('bob', '2026-01-01T00:00:01Z', 'place', 'v:0', 'revoke', 2)")
    assert effective_label(conn, "v:0") == "work"
    assert [r[0] for r in conn.execute("SELECT event_id FROM flags_in_force WHERE "
                                       "current_target = 'v:0' ORDER BY event_id")] == [1, 3]
    conn.close()
