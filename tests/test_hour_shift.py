"""A population whose day runs hours off the rest of the fleet's (auditor.analysis.hour_shift):
one firmware writing local wall-clock time marked UTC, found from the fleet's rhythm and undone
by the command the report gives; night shifts and an ordinary fleet are not called a fault."""
from __future__ import annotations

import json
import sqlite3

import foreign_fleet as ff
import numpy as np
import pandas as pd

from auditor.analysis.hour_shift import fleet_shift, hour_shift_text, hour_shifts
from auditor.cli import main

DAY = 86_400
SYDNEY = "Australia/Sydney"


def _stops(vehicle: str, out_h: float, back_h: float, offset_h: int, days: int = 10,
           clock_h: int = 0):
    """A commuter's stops: home until ``out_h``, work until ``back_h`` (local), each day; its
    local clock made with ``offset_h`` and moved by ``clock_h`` more (a fault)."""
    rows = []
    for d in range(days):
        base = d * DAY + clock_h * 3600
        rows.append((vehicle, base + int(out_h * 3600) + 1800, base + int(back_h * 3600)))
        rows.append((vehicle, base + int(back_h * 3600) + 1800, base + DAY + int(out_h * 3600)))
    f = pd.DataFrame(rows, columns=["vehicle_id", "start_local", "end_local"])
    return f.assign(start_ts=f["start_local"] - offset_h * 3600)


def test_a_population_hours_off_the_rest_and_what_it_is_called():
    rng = np.random.default_rng(3)
    frames, meta = [], []
    for i in range(24):
        firmware = ("fw-1", "fw-2", "fw-3")[i % 3]
        shift = "night" if i in (1, 4, 7, 10) else "day"
        out_h, back_h = (21.0, 6.5) if shift == "night" else (7 + rng.uniform(0, 1.5), 17.0)
        clock = 10 if firmware == "fw-3" else 0    # local time written as UTC, at UTC+10
        frames.append(_stops(f"v{i}", out_h, back_h, offset_h=10, clock_h=clock))
        meta.append({"vehicle_id": f"v{i}", "firmware": firmware, "shift": shift})
    found = hour_shifts(pd.concat(frames, ignore_index=True), pd.DataFrame(meta))
    by = {(f["column"], f["value"]): f for f in found}
    fw3 = by.pop(("firmware", "fw-3"))
    assert (fw3["lag_h"], fw3["vehicles"], fw3["kind"]) == (10, 8, "local_as_utc")
    assert fw3["r"] > 0.8 and fw3["r"] - fw3["r_unshifted"] > 0.3
    # the night shifts run hours off the day shifts, but no offset undoes them
    assert all(f["kind"] == "hours" for f in by.values())
    assert {k[0] for k in by} <= {"shift"}


def _firmware_fleet(tmp_path, capsys, firmware: list, faulty: set) -> tuple:
    """Sydney commuters, the i-th running ``firmware[i]``; those whose index is in ``faulty``
    write Sydney wall-clock time and mark it 'Z'. Imported (vehicles.csv, then pings.csv) and
    inferred: (project, vehicle ids, the faulty ids, pings, the faulty rows, the report's
    hour_shifts)."""
    vehicles = ff.commuters(len(firmware), centre=(-33.87, 151.21), tz=SYDNEY)
    ids = [v.vehicle_id for v in vehicles]
    faulty_ids = {ids[i] for i in faulty}
    pings = ff.fleet(vehicles, 10)
    faulty_rows = pings["vehicle_id"].isin(faulty_ids)
    stamps = pd.Series(ff.iso_z(pings["ts"]), index=pings.index)
    stamps[faulty_rows] = [t.replace("+10:00", "Z").replace("+11:00", "Z")
                           for t in ff.iso_offset(pings.loc[faulty_rows, "ts"], SYDNEY)]
    pings.assign(timestamp=stamps)[["vehicle_id", "timestamp", "lat", "lon"]].to_csv(
        tmp_path / "pings.csv", index=False)
    pd.DataFrame({"vehicle_id": ids, "firmware": firmware}).to_csv(tmp_path / "vehicles.csv",
                                                                  index=False)
    project = str(tmp_path / "p.db")
    assert main(["ingest", project, str(tmp_path / "vehicles.csv"),
                 str(tmp_path / "pings.csv")]) == 0
    assert main(["infer", project]) == 0
    capsys.readouterr()
    assert main(["report", project, "--json"]) == 0
    return (project, ids, faulty_ids, pings, faulty_rows,
            json.loads(capsys.readouterr().out)["local_time"]["hour_shifts"])


def test_the_report_names_the_firmware_and_its_fix_clears_it(tmp_path, capsys):
    # every third vehicle runs fw-3.1, and every one of those writes local time marked 'Z'
    project, *_, [found] = _firmware_fleet(
        tmp_path, capsys, ["fw-3.1" if i % 3 == 0 else "fw-2.0" for i in range(12)],
        set(range(0, 12, 3)))
    assert (found["column"], found["value"], found["vehicles"]) == ("firmware", "fw-3.1", 4)
    assert found["lag_h"] in (10, 11) and found["kind"] == "local_as_utc"
    assert main(["report", project]) == 0
    text = capsys.readouterr().out
    fix = (f"auditor ingest PROJECT PINGS.csv --only firmware=fw-3.1 --ignore-offset --tz "
           f"{SYDNEY} --replace")
    assert "clock off by hours? firmware = fw-3.1 (4 vehicles) departs and arrives" in text
    assert fix in text
    # the analyst does what it says
    argv = fix.replace("PROJECT", project).replace("PINGS.csv", str(tmp_path / "pings.csv"))
    assert main(argv.split()[1:]) == 0
    assert main(["infer", project]) == 0
    capsys.readouterr()
    assert main(["report", project, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["local_time"]["hour_shifts"] == []


def test_a_whole_fleet_hours_off_is_named_and_a_night_fleet_is_not():
    """Every vehicle's stamps local time marked UTC (UTC+10): no population to set against
    the rest, but the fleet's day centres near 23 h; undoing each vehicle's offset brings it
    to 13 h, where fleets' days centre. The same fleet on time, and one working nights in a
    zone whose offset would not explain it, are left alone."""
    def fleet(clock_h, out_h=7.5, back_h=17.0, offset_h=10):
        return pd.concat([_stops(f"v{i}", out_h + 0.1 * i, back_h, offset_h=offset_h,
                                 clock_h=clock_h) for i in range(12)], ignore_index=True)
    found = fleet_shift(fleet(10), zones=pd.Series({f"v{i}": SYDNEY for i in range(12)}))
    assert found["kind"] == "local_as_utc" and found["lag_h"] == 10 and found["vehicles"] == 12
    assert not 9 <= found["centre_h"] <= 17 and 10 <= found["centre_undone_h"] <= 16
    assert found["zones"] == [SYDNEY]
    from auditor.analysis.sections.provenance import clock_findings
    [row] = clock_findings({"local_time": {"fleet_shift": found}})
    assert (row["kind"], row["vehicle_id"]) == ("clock off by hours?", "the whole fleet")
    assert "local time written as UTC, or a fleet working nights?" in row["text"]
    assert row["text"].endswith(
        f"auditor ingest PROJECT PINGS.csv --ignore-offset --tz {SYDNEY} --replace")
    assert fleet_shift(fleet(0)) is None
    assert fleet_shift(fleet(0, out_h=21.0, back_h=6.5, offset_h=2)) is None


def test_honest_vehicles_on_the_faulty_firmware_are_left_out_of_the_fix(tmp_path, capsys):
    # six vehicles run fw-3.1; four of them write Sydney wall-clock time marked 'Z', two are
    # honest: the fix must read the four again and leave the two as they are
    project, ids, faulty_ids, pings, faulty, [found] = _firmware_fleet(
        tmp_path, capsys, ["fw-3.1"] * 6 + ["fw-2.0"] * 9, set(range(4)))
    on_fw31 = ids[:6]
    assert (found["value"], found["vehicles"], found["kind"]) == ("fw-3.1", 6, "local_as_utc")
    assert found["kept_vehicles"] == sorted(set(on_fw31) - faulty_ids)
    assert found["fix_vehicles"] == sorted(faulty_ids)
    assert main(["report", project]) == 0
    text = capsys.readouterr().out
    fix = ("auditor ingest PROJECT PINGS.csv "
           + " ".join(f"--only vehicle_id={v}" for v in sorted(faulty_ids))
           + f" --ignore-offset --tz {SYDNEY} --replace")
    assert "2 of them keep the fleet's hours" in text and fix in text
    with sqlite3.connect(project) as conn:
        before = conn.execute("SELECT vehicle_id, ts FROM pings ORDER BY 1, 2").fetchall()
    argv = fix.replace("PROJECT", project).replace("PINGS.csv", str(tmp_path / "pings.csv"))
    assert main(argv.split()[1:] + ["--json"]) == 0
    summary = json.loads(capsys.readouterr().out)  # one file: one object
    assert summary["accepted"] == int(faulty.sum())   # the four, and nobody else
    with sqlite3.connect(project) as conn:
        after = conn.execute("SELECT vehicle_id, ts FROM pings ORDER BY 1, 2").fetchall()
    assert [r for r in after if r[0] not in faulty_ids] == \
        [r for r in before if r[0] not in faulty_ids]
    moved = {r for r in after if r[0] in faulty_ids} - set(before)
    assert len(moved) == int(faulty.sum())  # every faulty stamp read again, hours apart
    assert main(["infer", project]) == 0
    capsys.readouterr()
    assert main(["report", project, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["local_time"]["hour_shifts"] == []


def test_a_large_population_with_honest_vehicles_gets_two_commands():
    # 30 faulty vehicles are too many to spell out: the population is read again, then the
    # 2 honest ones as first imported; ids that need quoting are quoted
    f = {"column": "firmware", "value": "fw 3", "vehicles": 32, "kind": "utc_as_local",
         "lag_h": 6, "r": 0.95, "r_unshifted": 0.2, "zones": ["America/Denver"],
         "kept_vehicles": ["a b", "c"], "fix_vehicles": [f"v{i}" for i in range(30)]}
    text = hour_shift_text(f)
    assert ("Import its pings again read as UTC: auditor ingest PROJECT PINGS.csv "
            "--only 'firmware=fw 3' --ignore-offset --tz UTC --replace; then the 2 that keep "
            "the fleet's hours again as first imported (its options, e.g. --tz), with "
            "--only 'vehicle_id=a b' --only vehicle_id=c --replace") in text
    few = dict(f, fix_vehicles=["v1", "v2"], vehicles=4)
    assert ("Import the other 2 vehicles' pings again read as UTC: auditor ingest PROJECT "
            "PINGS.csv --only vehicle_id=v1 --only vehicle_id=v2 --ignore-offset --tz UTC "
            "--replace") in hour_shift_text(few)
    assert "then" not in hour_shift_text(few)
