"""Features per place, computed from its stops for the whole batch at once.

Dwell inside daily clock windows (02:00, weekday 10-16, night 22-06) is measured in local time
with closed-form counting: the window seconds before t are a step function of t, so the
overlap of a stay [a, b) with a repeating window is F(b) - F(a) — no loop over days or stops.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from auditor.geo import haversine_m

DAY = 86_400
WEEK = 7 * DAY
# 1970-01-01 was a Thursday; shifting by 3 days puts day 0 of every week on a Monday
_MONDAY_SHIFT = 3 * DAY
_WEEKDAYS = np.array([1, 1, 1, 1, 1, 0, 0], dtype=np.int64)
_ALL_DAYS = np.ones(7, dtype=np.int64)

FEATURE_COLUMNS = [
    "n_visits",             # stops at the place
    "n_days",               # distinct local dates with an arrival
    "total_dwell_h",
    "median_dwell_h",
    "share_stays_0200",     # of the place's stays, share that span 02:00 local
    "nights_0200_share",    # of the vehicle's 02:00 instants seen parked, share at this place
    "weekday_day_frac",     # of the place's dwell, share in weekday 10-16 local
    "weekday_day_share",    # of the vehicle's weekday 10-16 dwell, share at this place
    "night_frac",           # of the place's dwell, share in 22-06 local
    "night_share",          # of the vehicle's 22-06 dwell, share at this place
    "arrival_hour_mean",    # circular mean, 0-24
    "arrival_hour_spread",  # 1 - mean resultant length: 0 = always the same hour
    "departure_hour_mean",
    "departure_hour_spread",
    "weekend_share",        # share of visits arriving on Saturday/Sunday
    "dwell_share",          # of the vehicle's dwell, share at this place
    "visit_share",          # of the vehicle's stops, share at this place
    "dwell_rank",           # 1 = the vehicle's place with most dwell
    "dist_to_top_place_m",  # to the vehicle's most-visited place
]


def window_seconds_before(t: np.ndarray, start_h: float, hours: float,
                          days: np.ndarray = _ALL_DAYS) -> np.ndarray:
    """Seconds of the daily window [start_h, start_h+hours) on active ``days`` (Mon=0) that lie
    before local time ``t``. A window that wraps midnight belongs to the day it starts on."""
    length = int(hours * 3600)
    u = np.asarray(t, dtype=np.int64) + _MONDAY_SHIFT - int(start_h * 3600)
    week, in_week = np.divmod(u, WEEK)
    day, in_day = np.divmod(in_week, DAY)
    before_day = np.concatenate([[0], np.cumsum(days)])[:7] * length
    return (week * int(days.sum()) * length + before_day[day]
            + days[day] * np.minimum(in_day, length))


def crossings(a: np.ndarray, b: np.ndarray, at_h: float) -> np.ndarray:
    """How many times the local clock shows ``at_h`` within (a, b]."""
    off = int(at_h * 3600)
    return (np.floor_divide(b - off, DAY) - np.floor_divide(a - off, DAY)).astype(np.int64)


def _circular(hours: pd.Series, groups: np.ndarray) -> tuple[pd.Series, pd.Series]:
    """Circular mean hour (0-24) and spread (1 - resultant length) per group."""
    angle = hours.to_numpy() / 24 * 2 * np.pi
    s = pd.Series(np.sin(angle)).groupby(groups).mean()
    c = pd.Series(np.cos(angle)).groupby(groups).mean()
    mean = (np.degrees(np.arctan2(s, c)) % 360) / 15
    return mean, 1 - np.hypot(s, c)


# a night-shift twin: the same stays with the local clock moved half a day, so a day worker's
# week becomes a night worker's (home by day, away at night) with the same places and labels
NIGHT_TWIN_SHIFT_S = DAY // 2


def night_twin_stops(stops: pd.DataFrame) -> pd.DataFrame:
    """``stops`` with start_local/end_local moved NIGHT_TWIN_SHIFT_S later (model.py's
    night-shift twins: features of the lives few training vehicles have)."""
    return stops.assign(start_local=stops["start_local"] + NIGHT_TWIN_SHIFT_S,
                        end_local=stops["end_local"] + NIGHT_TWIN_SHIFT_S)


def place_features(stops: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    """place_id, vehicle_id, lat, lon + FEATURE_COLUMNS, one row per place, in places' order.

    ``stops`` carry place_id, start_local, end_local (local seconds)."""
    a = stops["start_local"].to_numpy(dtype=np.int64)
    b = stops["end_local"].to_numpy(dtype=np.int64)
    dwell = (b - a).astype(float)
    per_stop = pd.DataFrame({
        "place_id": stops["place_id"].to_numpy(),
        "dwell": dwell,
        "n_0200": crossings(a, b, 2.0),
        "wd_day": (window_seconds_before(b, 10, 6, _WEEKDAYS)
                   - window_seconds_before(a, 10, 6, _WEEKDAYS)).astype(float),
        "night": (window_seconds_before(b, 22, 8) - window_seconds_before(a, 22, 8)).astype(float),
        "weekend": ((np.floor_divide(a + _MONDAY_SHIFT, DAY) % 7) >= 5).astype(float),
        "day": np.floor_divide(a, DAY),
        "arr_h": (a % DAY) / 3600.0,
        "dep_h": (b % DAY) / 3600.0,
    })
    per_stop["spans_0200"] = (per_stop["n_0200"] > 0).astype(float)
    g = per_stop.groupby("place_id", sort=False)
    agg = pd.DataFrame({
        "n_visits": g.size(),
        "n_days": g["day"].nunique(),
        "dwell": g["dwell"].sum(),
        "median_dwell_h": g["dwell"].median() / 3600,
        "share_stays_0200": g["spans_0200"].mean(),
        "n_0200": g["n_0200"].sum(),
        "wd_day": g["wd_day"].sum(),
        "night": g["night"].sum(),
        "weekend_share": g["weekend"].mean(),
    })
    stop_place = per_stop["place_id"].to_numpy()
    agg["arrival_hour_mean"], agg["arrival_hour_spread"] = _circular(per_stop["arr_h"], stop_place)
    agg["departure_hour_mean"], agg["departure_hour_spread"] = _circular(per_stop["dep_h"], stop_place)

    f = places[["place_id", "vehicle_id", "lat", "lon"]].join(agg, on="place_id")
    by_vehicle = f.groupby("vehicle_id", sort=False)

    def share(col: str) -> pd.Series:
        total = by_vehicle[col].transform("sum")
        return (f[col] / total.where(total > 0)).fillna(0.0)

    f["total_dwell_h"] = f["dwell"] / 3600
    f["nights_0200_share"] = share("n_0200")
    f["weekday_day_frac"] = (f["wd_day"] / f["dwell"].where(f["dwell"] > 0)).fillna(0.0)
    f["weekday_day_share"] = share("wd_day")
    f["night_frac"] = (f["night"] / f["dwell"].where(f["dwell"] > 0)).fillna(0.0)
    f["night_share"] = share("night")
    f["dwell_share"] = share("dwell")
    f["visit_share"] = share("n_visits")
    # rank and "top place" with explicit tie-breaks so the result never depends on row order
    f["dwell_rank"] = (f.sort_values(["vehicle_id", "dwell", "place_id"], ascending=[True, False, True])
                       .groupby("vehicle_id").cumcount() + 1).reindex(f.index)
    top = (f.sort_values(["vehicle_id", "n_visits", "dwell", "place_id"],
                         ascending=[True, False, False, True])
           .drop_duplicates("vehicle_id").set_index("vehicle_id")[["lat", "lon"]])
    top_lat = f["vehicle_id"].map(top["lat"]).to_numpy()
    top_lon = f["vehicle_id"].map(top["lon"]).to_numpy()
    f["dist_to_top_place_m"] = haversine_m(f["lat"], f["lon"], top_lat, top_lon)
    f["n_visits"] = f["n_visits"].astype(np.int64)
    f["n_days"] = f["n_days"].astype(np.int64)
    f["dwell_rank"] = f["dwell_rank"].astype(np.int64)
    return f[["place_id", "vehicle_id", "lat", "lon"] + FEATURE_COLUMNS].reset_index(drop=True)
