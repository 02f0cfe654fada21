"""The "where is it at 2 AM" raster: bins, local time, and cell -> place/trip lookup."""
import json
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from auditor.maps.timeline import (
    DRIVING,
    HOME,
    NO_DATA,
    WORK,
    VehicleTimeline,
    occupancy_raster,
    trip_speed,
    vehicle_timeline,
)
from auditor.store import open_project
from auditor.store.queries import latest_run_id

H = 3600
DAY0 = 20_000 * 86_400  # a local midnight


def _intervals():
    rows = [  # kind, target, local start, local end, code
        ("stop", "v:0", DAY0 + 22 * H, DAY0 + 31 * H, HOME),          # 22:00 -> 07:00 next day
        ("trip", "v:t0", DAY0 + 31 * H, DAY0 + 31 * H + 1800, DRIVING),  # 07:00 -> 07:30
        ("stop", "v:1", DAY0 + 31 * H + 1800, DAY0 + 41 * H, WORK),    # 07:30 -> 17:00
        ("trip", "v:t1", DAY0 + 41 * H + 100, DAY0 + 41 * H + 280, DRIVING),  # a 3-minute hop
    ]
    df = pd.DataFrame(rows, columns=["kind", "target_id", "local_start", "local_end", "code"])
    df["trip_id"] = np.where(df["kind"] == "trip", df["target_id"], None)
    return df


def test_raster_bins_follow_bin_centres_and_trips_stay_visible():
    raster, first_day = occupancy_raster(_intervals(), bin_seconds=600)
    assert first_day == 20_000 and raster.shape == (2, 144)
    assert (raster[0, :132] == NO_DATA).all() and (raster[0, 132:] == HOME).all()
    assert (raster[1, :42] == HOME).all()                   # home through the night, 2 AM incl.
    assert (raster[1, 42:45] == DRIVING).all()              # 07:00-07:30 = 3 bins
    assert (raster[1, 45:246 - 144] == WORK).all()          # 07:30 -> 17:00
    assert raster[1, 246 - 144] == DRIVING                  # the short trip keeps one bin
    assert (raster[1, 103:] == NO_DATA).all()


def test_cell_lookup_names_the_place_or_trip():
    iv = _intervals()
    raster, first_day = occupancy_raster(iv)
    tl = VehicleTimeline("v", iv, raster, first_day, 600)
    assert tl.target_at(1, 12) == ("place", "v:0")          # 02:00 on day 2: home
    assert tl.target_at(1, 43) == ("trip", "v:t0")
    assert tl.target_at(1, 60) == ("place", "v:1")
    assert tl.target_at(0, 0) is None


def test_vehicle_timeline_uses_the_vehicles_local_time(demo_project):
    conn = open_project(demo_project)
    run = latest_run_id(conn)
    vid, meta = conn.execute("SELECT v.vehicle_id, v.meta FROM vehicles v JOIN places p "
                             "USING (vehicle_id) ORDER BY v.vehicle_id LIMIT 1").fetchone()
    zone = ZoneInfo(json.loads(meta)["timezone"])  # the demo gives every vehicle a zone
    tl = vehicle_timeline(conn, vid, run)
    iv = tl.intervals
    assert len(iv) > 5 and set(iv["kind"]) == {"stop", "trip"}
    expected = [int(zone.utcoffset(datetime.fromtimestamp(t, tz=timezone.utc)).total_seconds())
                for t in iv["start_ts"]]
    assert (iv["local_start"] - iv["start_ts"]).tolist() == expected
    assert any(expected)  # no demo city sits at UTC+0, so local time really was applied
    assert tl.raster.shape[1] == 144 and DRIVING in tl.raster
    assert set(np.unique(tl.raster)) - {NO_DATA, DRIVING}  # some place categories too
    trip = iv[iv["kind"] == "trip"].iloc[0]["trip_id"]
    minutes, speed = trip_speed(conn, trip)
    assert len(minutes) > 3 and minutes[0] == 0 and (np.diff(minutes) >= 0).all()
    assert np.nanmax(speed) > 10  # km/h: the car moved
    conn.close()


def test_timeline_colours_match_the_map():
    from auditor.maps.timeline import CATEGORY_COLOURS, OTHER
    from auditor.maps.vehicle_map import LABEL_COLORS
    assert [CATEGORY_COLOURS[c] for c in (HOME, WORK, OTHER)] == \
        [LABEL_COLORS["home"], LABEL_COLORS["work"], LABEL_COLORS["other"]]


def test_day_ticks_are_mondays_for_long_ranges():
    raster = np.zeros((30, 144), dtype=np.uint8)
    tl = VehicleTimeline("v", _intervals(), raster, 20_000, 600)
    labels = [label for _, label in tl.day_ticks()]
    assert 4 <= len(labels) <= 5 and all(label.startswith("Mon") for label in labels)
    short = VehicleTimeline("v", _intervals(), raster[:5], 20_000, 600)
    assert len(short.day_ticks()) == 5
