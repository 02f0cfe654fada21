"""Fleets written the way someone else's exporter might write them — not by auditor.demo.

Vehicles follow simple physical rules: a car parks at home overnight (sending nothing), drives
in a straight line at a steady speed to work in the morning (one ping every `step_s`), parks
there through the working day and drives back in the evening. Everything about the *file* is
left to the caller: column names and order, timestamp format, ids, extra columns, file format.
The fleet shapes the contract tests use are built from these pieces (tests/test_foreign_fleets.py).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

EARTH_M_PER_DEG = 111_320.0
START = datetime(2025, 3, 3, tzinfo=timezone.utc)  # a Monday; the US DST change is 2025-03-09


@dataclass
class Vehicle:
    vehicle_id: str
    home: tuple[float, float]
    work: tuple[float, float] | None
    tz: str = "Europe/Berlin"
    leave_h: float = 8.0            # local hour it leaves home
    shift_h: float = 8.5            # hours parked at work
    speed_mps: float = 12.0
    step_s: int = 15
    extra: dict = field(default_factory=dict)


def offset(point, north_m, east_m):
    lat, lon = point
    lon = lon + east_m / (EARTH_M_PER_DEG * max(math.cos(math.radians(lat)), 1e-6))
    return (lat + north_m / EARTH_M_PER_DEG, (lon + 180.0) % 360.0 - 180.0)


def drive(start_s: int, a, b, speed_mps: float, step_s: int):
    """Pings of a straight drive from a to b (lat, lon) at a constant speed: (ts, lat, lon)."""
    dy = (b[0] - a[0]) * EARTH_M_PER_DEG
    dx = ((b[1] - a[1] + 180.0) % 360.0 - 180.0) * EARTH_M_PER_DEG * math.cos(math.radians(a[0]))
    dist = math.hypot(dx, dy)
    n = max(2, int(dist / speed_mps / step_s) + 1)
    t = start_s + np.arange(n) * step_s
    f = np.linspace(0.0, 1.0, n)
    lat = a[0] + f * (b[0] - a[0])
    dlon = (b[1] - a[1] + 180.0) % 360.0 - 180.0  # the short way round
    lon = a[1] + f * dlon
    lon = (lon + 180.0) % 360.0 - 180.0  # a drive across the antimeridian stays in range
    return t, lat, lon


def commute_pings(v: Vehicle, days: int, start: datetime = START) -> pd.DataFrame:
    """Home -> work -> home each weekday (Saturdays a short errand, Sundays parked)."""
    tz = ZoneInfo(v.tz)
    ts, lats, lons = [], [], []
    local0 = start.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    for d in range(days):
        day = (local0 + timedelta(days=d))
        weekday = day.weekday()
        if weekday == 6:
            continue
        leave = day.replace(hour=int(v.leave_h), minute=int(v.leave_h % 1 * 60))
        t0 = int(leave.timestamp())
        if weekday == 5 or v.work is None:
            shop = offset(v.home, 1500, -900)
            legs = [(t0 + 3 * 3600, v.home, shop), (t0 + 4 * 3600 + 1800, shop, v.home)]
        else:
            legs = [(t0, v.home, v.work), (t0 + int(v.shift_h * 3600), v.work, v.home)]
        for start_s, a, b in legs:
            t, la, lo = drive(start_s, a, b, v.speed_mps, v.step_s)
            ts.append(t)
            lats.append(la)
            lons.append(lo)
    if not ts:
        return pd.DataFrame({"vehicle_id": pd.Series(dtype=str), "ts": pd.Series(dtype="int64"),
                             "lat": pd.Series(dtype=float), "lon": pd.Series(dtype=float)})
    t = np.concatenate(ts)
    return pd.DataFrame({"vehicle_id": v.vehicle_id, "ts": t.astype("int64"),
                         "lat": np.round(np.concatenate(lats), 6),
                         "lon": np.round(np.concatenate(lons), 6)})


def labels_for(vehicles, which=("home", "work"), jitter_m: float = 20.0) -> pd.DataFrame:
    rows = []
    for i, v in enumerate(vehicles):
        for kind in which:
            point = v.home if kind == "home" else v.work
            if point is None:
                continue
            lat, lon = offset(point, jitter_m * ((i % 3) - 1), jitter_m * ((i % 2) - 0.5))
            rows.append({"vehicle_id": v.vehicle_id, "label": kind, "lat": round(lat, 6),
                         "lon": round(lon, 6)})
    return pd.DataFrame(rows, columns=["vehicle_id", "label", "lat", "lon"])


def commuters(n: int, centre=(48.137, 11.575), tz="Europe/Berlin", prefix="car-",
              ids=None) -> list[Vehicle]:
    """n commuters around a centre, homes and workplaces 3-9 km apart, deterministic."""
    out = []
    for i in range(n):
        angle = 2 * math.pi * i / max(n, 1)
        home = offset(centre, 4000 * math.sin(angle) + 300 * i, 4000 * math.cos(angle))
        work = offset(home, -3000 - 700 * (i % 5), 2500 + 400 * (i % 3))
        vid = ids[i] if ids is not None else f"{prefix}{i}"
        out.append(Vehicle(vid, home, work, tz=tz, leave_h=7.0 + 0.25 * (i % 6)))
    return out


def fleet(vehicles, days: int, start: datetime = START) -> pd.DataFrame:
    frames = [commute_pings(v, days, start) for v in vehicles]
    return pd.concat(frames, ignore_index=True)


def always_on(pings: pd.DataFrame, every_s: int, jitter_m: float = 4.0, seed: int = 0,
              outlier_share: float = 0.01) -> pd.DataFrame:
    """The same fleet from loggers that never sleep: every silence of a vehicle between two
    fixes at the same spot (a drive's end and the next one's start) is filled with a fix every
    ``every_s`` at that spot, with a parked receiver's jitter and now and then a multipath
    outlier 30-120 m off."""
    rng = np.random.default_rng(seed)
    p = pings.sort_values(["vehicle_id", "ts"], kind="stable").reset_index(drop=True)
    same = (p["vehicle_id"].to_numpy()[1:] == p["vehicle_id"].to_numpy()[:-1]) \
        & np.isclose(p["lat"].to_numpy()[1:], p["lat"].to_numpy()[:-1]) \
        & np.isclose(p["lon"].to_numpy()[1:], p["lon"].to_numpy()[:-1])
    dt = np.diff(p["ts"].to_numpy())
    gaps = np.flatnonzero(same & (dt > every_s))
    k = (dt[gaps] - 1) // every_s
    at = np.repeat(gaps, k)
    step = np.concatenate([np.arange(1, n + 1) for n in k]) if len(k) else np.zeros(0, int)
    north, east = rng.normal(0, jitter_m, (2, len(at)))
    far = rng.random(len(at)) < outlier_share
    north[far] = rng.choice([-1, 1], far.sum()) * rng.uniform(30, 120, far.sum())
    lat0 = p["lat"].to_numpy()[at]
    lat = lat0 + north / EARTH_M_PER_DEG
    lon = p["lon"].to_numpy()[at] + east / (EARTH_M_PER_DEG * np.cos(np.radians(lat0)))
    fill = pd.DataFrame({"vehicle_id": p["vehicle_id"].to_numpy()[at],
                         "ts": p["ts"].to_numpy()[at] + step * every_s,
                         "lat": np.round(lat, 6), "lon": np.round(lon, 6)})
    return pd.concat([p, fill], ignore_index=True).sort_values(["vehicle_id", "ts"],
                                                                kind="stable")


# ------------------------------------------------------------------ how the file is written
# vectorised (numpy writes the stamps): a contract fleet has ~200k pings, and a loop of
# datetime.strftime over them took 3 s of a test
def _wall(ts, tz: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(the wall clock as ISO text 'YYYY-MM-DDTHH:MM:SS', the UTC offset in seconds)."""
    utc = pd.to_datetime(np.asarray(ts, dtype=np.int64), unit="s", utc=True)
    local = utc if tz is None else utc.tz_convert(tz)
    wall = local.tz_localize(None).to_numpy().astype("datetime64[s]")
    offset = (wall.astype(np.int64) - np.asarray(ts, dtype=np.int64))
    return np.datetime_as_string(wall, unit="s"), offset


def iso_z(ts) -> list[str]:
    text, _ = _wall(ts)
    return (np.char.add(text.astype(str), "Z")).tolist()


def iso_offset(ts, tz: str) -> list[str]:
    text, offset = _wall(ts, tz)
    sign = np.where(offset < 0, "-", "+")
    hh, mm = np.abs(offset) // 3600, np.abs(offset) % 3600 // 60
    zone = np.char.add(np.char.add(sign, np.char.zfill(hh.astype(str), 2)),
                       np.char.add(":", np.char.zfill(mm.astype(str), 2)))
    return np.char.add(text.astype(str), zone).tolist()


def naive_local(ts, tz: str) -> list[str]:
    text, _ = _wall(ts, tz)
    return np.char.replace(text.astype(str), "T", " ").tolist()
