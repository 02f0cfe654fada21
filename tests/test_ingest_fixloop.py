"""The fix loop's pings import: --only KEY=VALUE, --ignore-offset, --replace."""
import json
import sqlite3

import pytest

from auditor.cli import main
from auditor.errors import UserError
from auditor.ingest.api import ingest_paths

VEHICLES = ("vehicle_id,firmware,timezone\n"
            "v1,bad,America/Chicago\n"
            "v2,good,Europe/Berlin\n"
            "v3,bad,\n")
# v1's firmware writes Chicago wall time with a 'Z'; v3 has no timezone in its metadata
PINGS = ("vehicle_id,timestamp,lat,lon\n"
         "v1,2026-03-02T08:00:00Z,41.80,-87.60\n"
         "v1,2026-03-02T08:05:00Z,41.81,-87.60\n"
         "v1,2026-03-10T08:00:00+02:00,41.82,-87.60\n"   # after US DST; the offset is wrong too
         "v2,2026-03-02T08:00:00Z,52.50,13.40\n"
         "v2,2026-03-02T08:05:00Z,52.51,13.40\n")
T0 = 1772438400  # 2026-03-02T08:00:00Z


@pytest.fixture
def project(tmp_path):
    (tmp_path / "vehicles.csv").write_text(VEHICLES)
    (tmp_path / "pings.csv").write_text(PINGS)
    p = tmp_path / "p.db"
    ingest_paths(p, [tmp_path / "vehicles.csv"], kind="vehicles")
    return p


def pings(project):
    with sqlite3.connect(project) as conn:
        return conn.execute("SELECT vehicle_id, ts, utc_offset_min, lat FROM pings "
                            "ORDER BY vehicle_id, ts").fetchall()


def imports(project):
    with sqlite3.connect(project) as conn:
        return conn.execute("SELECT kind, options_key, rows_read, rows_accepted FROM imports "
                            "ORDER BY import_id").fetchall()


def test_only_keeps_matching_vehicles_and_counts_the_rest(project):
    [s] = ingest_paths(project, [project.parent / "pings.csv"], only=["firmware=good"])
    assert (s["read"], s["accepted"], s["quarantined"], s["not_selected"]) == (5, 2, 0, 3)
    assert {r[0] for r in pings(project)} == {"v2"}
    assert s["options"] == {"only": {"firmware": "good"}, "ignore_offset": False,
                            "replace": False}


def test_ignore_offset_reads_wall_time_in_the_vehicle_zone(project):
    [s] = ingest_paths(project, [project.parent / "pings.csv"], only={"firmware": "bad"},
                       ignore_offset=True)
    assert s["accepted"] == 3 and s["not_selected"] == 2
    rows = pings(project)
    # 08:00 in Chicago is 14:00 UTC before the DST change (CST) and 13:00 UTC after it (CDT)
    assert rows == [("v1", T0 + 6 * 3600, -360, 41.80),
                    ("v1", T0 + 6 * 3600 + 300, -360, 41.81),
                    ("v1", T0 + 8 * 86400 + 5 * 3600, -300, 41.82)]


def test_tz_overrides_the_metadata_zone(project):
    ingest_paths(project, [project.parent / "pings.csv"], only=["vehicle_id=v2"],
                 ignore_offset=True, tz="America/Chicago")
    assert [r[1:3] for r in pings(project)] == [(T0 + 6 * 3600, -360),
                                                (T0 + 6 * 3600 + 300, -360)]


def test_replace_swaps_the_vehicles_pings_in_one_import_and_repeats_are_no_ops(project):
    src = project.parent / "pings.csv"
    ingest_paths(project, [src])
    before = pings(project)
    assert len(before) == 5
    [s] = ingest_paths(project, [src], only=["firmware=bad"], ignore_offset=True, replace=True)
    assert (s["replaced_vehicles"], s["deleted_pings"], s["accepted"]) == (1, 3, 3)
    after = pings(project)
    assert len(after) == 5  # no duplicates: v1's three pings were replaced, not added
    assert [r for r in after if r[0] == "v2"] == [r for r in before if r[0] == "v2"]
    assert [r[1] for r in after if r[0] == "v1"] == [T0 + 21600, T0 + 21900,
                                                     T0 + 8 * 86400 + 18000]
    kinds = imports(project)
    assert json.loads(kinds[-1][1]) == {"column_map": {}, "tz": None, "only": {"firmware": "bad"},
                                        "ignore_offset": True, "replace": True}
    [again] = ingest_paths(project, [src], only=["firmware=bad"], ignore_offset=True,
                           replace=True)
    assert again["skipped"] and again["deleted_pings"] == 0
    assert pings(project) == after and imports(project) == kinds


def test_a_failure_after_a_replace_leaves_the_project_unchanged(project):
    src = project.parent / "pings.csv"
    ingest_paths(project, [src])
    before, runs = pings(project), imports(project)
    # one row per chunk: v1's pings are deleted and rewritten before v3's row fails
    bad = project.parent / "bad.csv"
    bad.write_text(PINGS + "v3,2026-03-02T09:00:00Z,41.9,-87.6\n")
    with pytest.raises(UserError, match=r"bad.csv: line 7: vehicle v3 has no timezone.*--tz"):
        ingest_paths(project, [bad], only=["firmware=bad"], ignore_offset=True, replace=True,
                     chunk_rows=1)
    assert pings(project) == before and imports(project) == runs


@pytest.mark.parametrize("file, kwargs, message", [
    ("pings.csv", {"only": ["firmware"]}, "--only firmware: use KEY=VALUE"),
    ("pings.csv", {"only": ["firmware=fw-9"]}, "no vehicle has firmware = fw-9"),
    ("vehicles.csv", {"replace": True}, "--replace applies to pings and labels"),
    ("labels.csv", {"only": ["firmware=bad"]}, "apply to pings, not labels"),
])
def test_option_mistakes_are_one_line_errors(project, file, kwargs, message):
    (project.parent / "labels.csv").write_text("vehicle_id,label,lat,lon\nv1,home,41.8,-87.6\n")
    before = imports(project)
    with pytest.raises(UserError, match=message) as err:
        ingest_paths(project, [project.parent / file], **kwargs)
    assert "\n" not in str(err.value) and imports(project) == before


def test_only_on_a_new_project_leaves_no_file(tmp_path):
    (tmp_path / "pings.csv").write_text(PINGS)
    with pytest.raises(UserError, match="import vehicles.csv first"):
        ingest_paths(tmp_path / "new.db", [tmp_path / "pings.csv"], only=["firmware=bad"])
    assert not (tmp_path / "new.db").exists()


def test_cli_options_reach_the_import(project, capsys):
    src = project.parent / "pings.csv"
    assert main(["ingest", str(project), str(src)]) == 0
    capsys.readouterr()
    argv = ["ingest", str(project), str(src), "--kind", "pings", "--only", "firmware=bad",
            "--ignore-offset", "--replace"]
    assert main(argv + ["--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["accepted"], out["not_selected"], out["deleted_pings"]) == (3, 2, 3)
    assert main(argv) == 0
    assert "already imported" in capsys.readouterr().out
    assert main(["ingest", str(project), str(src), "--only", "firmware"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: --only firmware")


def labels(project):
    with sqlite3.connect(project) as conn:
        return conn.execute("SELECT vehicle_id, label, lat, lon FROM labels "
                            "ORDER BY vehicle_id, label").fetchall()


def test_replace_swaps_the_labels_of_the_vehicles_a_labels_file_names(project, capsys):
    """A labels file read with lat and lon swapped (both in range) is imported again with
    --map and --replace: the vehicles it names get the new labels only; others keep theirs."""
    first = project.parent / "labels.csv"
    first.write_text("vehicle_id,label,lat,lon\nv1,home,-87.60,41.80\nv1,work,-87.70,41.90\n"
                     "v2,home,52.50,13.40\n")
    ingest_paths(project, [first])
    fixed = project.parent / "v1.csv"
    fixed.write_text("vehicle_id,label,lat,lon\nv1,home,-87.60,41.80\nv1,work,-87.70,41.90\n")
    argv = ["ingest", str(project), str(fixed), "--map", "lat=lon", "--map", "lon=lat",
            "--replace"]
    assert main(argv + ["--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["accepted"], out["replaced_vehicles"], out["deleted_labels"]) == (2, 1, 2)
    assert labels(project) == [("v1", "home", 41.80, -87.60), ("v1", "work", 41.90, -87.70),
                               ("v2", "home", 52.50, 13.40)]
    assert main(argv) == 0  # the same file, the same options: nothing to do
    assert "already imported" in capsys.readouterr().out
    assert len(labels(project)) == 3
    fixed.write_text("vehicle_id,label,lat,lon\nv1,home,-87.61,41.81\n")
    assert main(argv[:-1] + ["--replace"]) == 0
    assert "2 earlier labels of 1 vehicles replaced" in capsys.readouterr().out
    assert labels(project) == [("v1", "home", 41.81, -87.61), ("v2", "home", 52.50, 13.40)]


def test_infer_says_when_labels_would_match_with_lat_and_lon_swapped(fresh_tiny_project,
                                                                     capsys):
    """Labels read with their lat and lon swapped (both in range: 41.9 N 87.7 W read as 87.7 S
    41.9 E) match no place; infer says so and how to import them again, and the fix it names
    works."""
    p = fresh_tiny_project
    with sqlite3.connect(p) as conn:
        # (a longitude beyond 90 would be refused as a latitude: those vehicles are left out)
        given = conn.execute("SELECT vehicle_id, label, lat, lon FROM labels WHERE "
                             "ABS(lon) <= 90").fetchall()
    csv = p.parent / "swapped.csv"  # the file as it was: its 'lat' column holds longitudes
    csv.write_text("vehicle_id,label,lat,lon\n"
                   + "".join(f"{v},{lab},{lon!r},{lat!r}\n" for v, lab, lat, lon in given))
    with sqlite3.connect(p) as conn:
        conn.execute("DELETE FROM labels")
    assert main(["ingest", str(p), str(csv)]) == 0
    capsys.readouterr()
    assert main(["infer", str(p), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["matched_labels"] == 0 and out["unmatched_if_swapped"] == len(given) >= 4
    assert main(["infer", str(p)]) == 0
    text = capsys.readouterr().out
    assert f"{len(given)} of the {len(given)} labels with no place near would match one with " \
           "lat and lon swapped" in text and "--map lat=ITS_LON_COLUMN" in text
    # the report's label queue says it of each such label, beside the place it would be on
    assert main(["report", str(p), "--json"]) == 0
    queue = [s for s in json.loads(capsys.readouterr().out)["suspicious"]
             if s["kind"] == "unmatched"]
    assert len(queue) == len(given) and all(
        "with lat and lon swapped it lies" in s["reason"] for s in queue)
    assert main(["ingest", str(p), str(csv), "--map", "lat=lon", "--map", "lon=lat",
                 "--replace"]) == 0
    capsys.readouterr()
    assert main(["infer", str(p), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["matched_labels"] >= len(given) - 1 and out["unmatched_if_swapped"] == 0
    assert main(["infer", str(p)]) == 0
    assert "swapped" not in capsys.readouterr().out


def test_a_vehicle_whose_pings_have_lat_and_lon_swapped_is_named_not_the_labels_file(
        fresh_tiny_project, capsys):
    """One device wrote lon before lat: its labels match no place, but swapped they would.
    That is not the labels file's fault: infer names the vehicle, and the report's local
    time, which sees its clock disagree with where it parks, says that swapped it parks in
    its own zone."""
    p = fresh_tiny_project
    with sqlite3.connect(p) as conn:
        vid, zone = conn.execute(
            "SELECT l.vehicle_id, json_extract(v.meta, '$.timezone') FROM labels l JOIN vehicles v "
            "USING (vehicle_id) WHERE ABS(l.lon) <= 90 ORDER BY l.vehicle_id LIMIT 1").fetchone()
        conn.execute("UPDATE pings SET lat = lon, lon = lat WHERE vehicle_id = ?", (vid,))
    assert main(["infer", str(p)]) == 0
    text = capsys.readouterr().out
    assert f"label(s) of {vid} match a place of the vehicle only with lat and lon swapped" in text
    assert "labels file" not in text
    assert main(["report", str(p), "--json"]) == 0
    clocks = json.loads(capsys.readouterr().out)["local_time"]["disagreements"]
    assert [(d["vehicle_id"], d["swapped_timezone"]) for d in clocks] == [(vid, zone)]
    assert main(["report", str(p)]) == 0
    assert f"Swapped, it parks in {zone}, as its clock says" in capsys.readouterr().out


def test_a_vehicle_whose_longitude_lost_its_sign_is_named_with_where_it_parks_flipped(
        fresh_tiny_project, capsys):
    """One device dropped the longitude's sign (a minus, or the hemisphere letter beside it):
    a Munich car parks in Alberta. Its clock disagrees with where it parks, and the report's
    local time says that, flipped, it parks in its own zone — the coordinates are wrong, not
    the clock."""
    p = fresh_tiny_project
    with sqlite3.connect(p) as conn:
        vid, zone = conn.execute(
            "SELECT vehicle_id, json_extract(meta, '$.timezone') FROM vehicles "
            "ORDER BY vehicle_id LIMIT 1").fetchone()
        conn.execute("UPDATE pings SET lon = -lon WHERE vehicle_id = ?", (vid,))
    assert main(["infer", str(p)]) == 0
    capsys.readouterr()
    assert main(["report", str(p), "--json"]) == 0
    clocks = json.loads(capsys.readouterr().out)["local_time"]["disagreements"]
    assert [(d["vehicle_id"], d["flipped"], d["flipped_timezone"], d["swapped_timezone"])
            for d in clocks] == [(vid, "longitude", zone, None)]
    assert main(["report", str(p)]) == 0
    assert f"{vid}: metadata says {zone} but it parks in" in (text := capsys.readouterr().out)
    assert f"has its longitude lost its sign (a minus, a hemisphere letter)? Flipped, it parks " \
           f"in {zone}, as its clock says" in text
