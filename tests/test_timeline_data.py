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
    raster, days = occupancy_raster(_intervals(), bin_seconds=600)
    assert days.tolist() == [20_000, 20_001] and raster.shape == (2, 144)
    assert (raster[0, :132] == NO_DATA).all() and (raster[0, 132:] == HOME).all()
    assert (raster[1, :42] == HOME).all()                   # home through the night, 2 AM incl.
    assert (raster[1, 42:45] == DRIVING).all()              # 07:00-07:30 = 3 bins
    assert (raster[1, 45:246 - 144] == WORK).all()          # 07:30 -> 17:00
    assert raster[1, 246 - 144] == DRIVING                  # the short trip keeps one bin
    assert (raster[1, 103:] == NO_DATA).all()


def test_cell_lookup_names_the_place_or_trip():
    iv = _intervals()
    raster, days = occupancy_raster(iv)
    tl = VehicleTimeline("v", iv, raster, days, 600)
    assert tl.target_at(1, 12) == ("place", "v:0")          # 02:00 on day 2: home
    assert tl.target_at(1, 43) == ("trip", "v:t0")
    assert tl.target_at(1, 60) == ("place", "v:1")
    assert tl.target_at(0, 0) is None
    assert tl.target_at(2, 0) is None and tl.target_at(-1, 0) is None  # no such row
    assert tl.interval_at(1, 43) == {"kind": "trip", "id": "v:t0", "local_start": DAY0 + 31 * H,
                                     "local_end": DAY0 + 31 * H + 1800, "code": DRIVING}
    assert tl.rows_of("trip", "v:t0") == [1] and tl.rows_of("place", "v:0") == [0]


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


def test_rows_are_the_days_with_data_even_when_a_clock_went_wrong():
    """A ping dated year 4000 makes a stay spanning ~720,000 days: the raster gets rows for the
    days with data (its first and last day), not one per day in between (gigabytes)."""
    far = 64_000_000_000  # seconds: year 4000
    rows = [("stop", "v:0", DAY0 + 8 * H, DAY0 + 9 * H, HOME),
            ("trip", "v:t0", DAY0 + 9 * H, DAY0 + 9 * H + 600, DRIVING),
            ("stop", "v:1", DAY0 + 9 * H + 600, far, WORK),        # parked until year 4000
            ("stop", "v:0", DAY0 + 40 * 86_400, DAY0 + 40 * 86_400 + H, HOME)]  # 40 days on
    iv = pd.DataFrame(rows, columns=["kind", "target_id", "local_start", "local_end", "code"])
    iv["trip_id"] = np.where(iv["kind"] == "trip", iv["target_id"], None)
    raster, days = occupancy_raster(iv)
    assert days.tolist() == [20_000, 20_040, far // 86_400]
    assert raster.shape == (3, 144) and raster.nbytes < 1000
    assert raster[0, 60] == WORK and raster[0, -1] == WORK      # the rest of the first day
    assert raster[2, 0] == WORK and raster[2, -1] == NO_DATA    # the last day until it ends
    # a day inside the long stay shows only its own data (the stay is drawn at its ends)
    assert raster[1, 0] == HOME and raster[1, 10] == NO_DATA
    tl = VehicleTimeline("v", iv, raster, days, 600)
    assert tl.gap_before(1) == 39 and tl.gap_before(2) > 700_000


def test_an_empty_vehicle_has_no_rows():
    iv = _intervals().iloc[0:0]
    raster, days = occupancy_raster(iv)
    assert raster.shape == (0, 144) and len(days) == 0


def test_times_an_analyst_reads_are_local_with_the_zone_named(demo_project):
    """The map's trip tooltips and the details' trip times use the timeline's clock."""
    from auditor.maps.clock import span_text
    from auditor.maps.vehicle_map import vehicle_payload
    conn = open_project(demo_project)
    vid = conn.execute("SELECT vehicle_id FROM trips ORDER BY vehicle_id LIMIT 1").fetchone()[0]
    tl = vehicle_timeline(conn, vid, latest_run_id(conn))
    trips = tl.intervals[tl.intervals["kind"] == "trip"].set_index("trip_id")
    payload = vehicle_payload(conn, vid)
    for t in payload["trips"][:5]:
        local = int(trips.loc[t["id"], "local_start"])
        wall = datetime.fromtimestamp(local, tz=timezone.utc).strftime("%H:%M")
        assert wall in t["tooltip"] and tl.clock in t["tooltip"] and "UTC" not in t["tooltip"]
        row = conn.execute("SELECT start_ts, end_ts FROM trips WHERE trip_id = ?",
                           (t["id"],)).fetchone()
        text = span_text(conn, vid, *row)
        assert text.split(" → ")[0].endswith(wall) and text.endswith(f"({tl.clock})")
    conn.close()
