"""Vehicles that moved house (auditor.pipeline.moves): told from their nights, not confused
with alternating homes, a week away, or a clock that starts running hours wrong."""
from __future__ import annotations

import json
import sqlite3
from datetime import timedelta

import foreign_fleet as ff
import pandas as pd

from auditor.cli import main
from auditor.pipeline.moves import find_moves, night_places

DAY = 86_400
D0 = 20_000  # a local day number


def _stays(vehicle: str, nights: list[str], day_visits: dict[int, str] | None = None):
    """A stop per night at the named place, 19:00 to 07:00 local (covering that night's
    02:00), and a day stop 09:00-17:00 at ``day_visits[i]`` on day i."""
    rows = []
    for i, place in enumerate(nights):
        start = (D0 + i) * DAY + 19 * 3600
        rows.append((vehicle, place, start, start + 12 * 3600))
        if day_visits and i in day_visits:
            rows.append((vehicle, day_visits[i], (D0 + i + 1) * DAY + 9 * 3600,
                         (D0 + i + 1) * DAY + 17 * 3600))
    return rows


def _frame(rows):
    return pd.DataFrame(rows, columns=["vehicle_id", "place_id", "start_local", "end_local"])


def test_nights_are_counted_at_02_00_local():
    stops = _frame([("v", "A", D0 * DAY + 20 * 3600, (D0 + 3) * DAY + 8 * 3600),  # 3 nights
                    ("v", "B", (D0 + 3) * DAY + 9 * 3600, (D0 + 3) * DAY + 17 * 3600)])
    got = night_places(stops)
    assert got["night"].tolist() == [D0 + 1, D0 + 2, D0 + 3]
    assert set(got["place_id"]) == {"A"}


def test_a_move_is_found_and_what_only_looks_like_one_is_not():
    rows = (_stays("moved", ["A"] * 8 + ["B"] * 9)
            # fetching the last boxes: two day visits to the old home after the move
            + [("moved", "A", (D0 + 10) * DAY + 10 * 3600, (D0 + 10) * DAY + 11 * 3600),
               ("moved", "A", (D0 + 12) * DAY + 10 * 3600, (D0 + 12) * DAY + 11 * 3600)]
            + _stays("alternating", ["A", "B"] * 9)
            + _stays("week_away", ["A"] * 6 + ["H"] * 6 + ["A"] * 6)
            # a clock running 7 hours wrong for the first week: its "nights" at work, which it
            # still parks at every day after
            + _stays("clock", ["W"] * 6 + ["A"] * 10, {i: "W" for i in range(6, 16)})
            + _stays("short", ["A"] * 4 + ["B"] * 4)
            # a week at a holiday flat, at either end of the period: one stay of six nights
            + _stays("away_at_end", ["A"] * 10)
            + [("away_at_end", "H", (D0 + 10) * DAY + 12 * 3600, (D0 + 16) * DAY + 12 * 3600)]
            + [("away_at_start", "H", (D0 - 6) * DAY + 12 * 3600, (D0 - 1) * DAY + 12 * 3600)]
            + _stays("away_at_start", ["A"] * 10))
    moves = find_moves(_frame(rows))
    assert moves["vehicle_id"].tolist() == ["moved"]
    m = moves.iloc[0]
    assert (m.from_place, m.to_place, m.nights_from, m.nights_to) == ("A", "B", 8, 9)
    assert (m.last_night_from, m.first_night_to) == (D0 + 8, D0 + 9)


def _mover_files(tmp_path, stale: bool):
    """Ten commuters; car-3 moves 4 km across town after 11 days. Its home label names the
    new home, or (``stale``) the old one."""
    vehicles = ff.commuters(10)
    mover = vehicles[3]
    new_home = ff.offset(mover.home, 2500, 3500)
    frames = [ff.commute_pings(v, 21) for v in vehicles if v is not mover]
    frames.append(ff.commute_pings(mover, 11))
    frames.append(ff.commute_pings(ff.Vehicle(**{**mover.__dict__, "home": new_home}), 10,
                                   ff.START + timedelta(days=11)))
    pings = pd.concat(frames, ignore_index=True)
    pings["timestamp"] = ff.iso_z(pings["ts"])
    pings[["vehicle_id", "timestamp", "lat", "lon"]].to_csv(tmp_path / "pings.csv", index=False)
    old_home = mover.home
    if not stale:
        mover.home = new_home
    ff.labels_for(vehicles, jitter_m=0).to_csv(tmp_path / "labels.csv", index=False)
    return old_home, new_home


def _place_near(project, point) -> tuple[str, object]:
    with sqlite3.connect(project) as conn:
        rows = conn.execute(
            "SELECT p.place_id, p.lat, p.lon, r.given_label FROM places p JOIN predictions r "
            "USING (place_id) WHERE r.run_id = (SELECT MAX(run_id) FROM runs) AND "
            "p.vehicle_id = 'car-3'").fetchall()
    best = min(rows, key=lambda r: (r[1] - point[0]) ** 2 + (r[2] - point[1]) ** 2)
    return best[0], best[3]


def test_a_vehicle_that_moved_house_its_labels_old_home_and_the_queue(tmp_path, capsys):
    old_home, new_home = _mover_files(tmp_path, stale=False)
    project = str(tmp_path / "p.db")
    assert main(["ingest", project, str(tmp_path / "pings.csv"),
                 str(tmp_path / "labels.csv")]) == 0
    assert main(["infer", project]) == 0
    out = capsys.readouterr().out
    assert "1 vehicle(s) moved house, or went away for the rest of the period (car-3)" in out
    # the home it left is no 'other' to learn from; the one its label names is home
    old, given_old = _place_near(project, old_home)
    new, given_new = _place_near(project, new_home)
    assert given_old is None and given_new == "home"
    assert main(["report", project, "--json"]) == 0
    evidence = json.loads(capsys.readouterr().out)["evidence"]
    assert [(e["place_id"], e["check"]) for e in evidence] == [(new, "home_moved_to")]
    assert f"then at place {new} from" in evidence[0]["sentence"]

    # the same fleet with car-3's label on the home it left: the queue says so
    stale_dir = tmp_path / "stale"
    stale_dir.mkdir()
    _mover_files(stale_dir, stale=True)
    project = str(stale_dir / "p.db")
    assert main(["ingest", project, str(stale_dir / "pings.csv"),
                 str(stale_dir / "labels.csv")]) == 0
    assert main(["infer", project]) == 0
    old, given_old = _place_near(project, old_home)
    _, given_new = _place_near(project, new_home)
    assert given_old == "home" and given_new is None
    capsys.readouterr()
    assert main(["report", project, "--json"]) == 0
    queue = {e["place_id"]: e for e in json.loads(capsys.readouterr().out)["suspicious"]}
    assert "names the home it left" in queue[old]["reason"]
    assert "home_left" in queue[old]["findings"] and queue[old]["score"] >= 0.5
