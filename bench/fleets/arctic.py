"""Synthetic Arctic fleet: northern Norway, Sweden, Finland and Svalbard in early winter.

``write_arctic_fleet(folder, vehicles=120, days=28, seed=0)`` writes five files into ``folder``.
The window starts Monday 12 October 2026 00:00 Europe/Oslo (2026-10-11T22:00:00Z) and lasts
``days`` x 86 400 s; with days >= 14 it contains the end of European summer time (Sunday
25 October 2026, 01:00 UTC: Oslo/Stockholm UTC+2 -> UTC+1, Helsinki UTC+3 -> UTC+2).
Longyearbyen's polar night begins on 26 October. Same arguments -> byte-identical files.

Files
-----
``nordkalotten_pings.csv`` -- vehicles registered in Norway (incl. Svalbard) and Sweden, as a
Nordic telematics portal's Excel export writes it:
  * UTF-8 with a byte-order mark, ``;`` separator, CRLF line ends, decimal COMMA;
  * columns ``Kjøretøy;Tidspunkt;Breddegrad;Lengdegrad;Hastighet (km/t);Kurs``:
    vehicle id; NAIVE LOCAL time ``dd.mm.yyyy HH:MM:SS`` (day first) in Europe/Oslo
    (= Europe/Stockholm = Arctic/Longyearbyen), so on 25 October the stamps 02:00:00-02:59:59
    occur twice (rows stay in true time order: the clock jumps back an hour inside a vehicle);
    latitude / longitude in degrees with 6 decimals (``69,662345``); speed in integer km/h;
    course in integer degrees 0-359 (0 when parked);
  * rows sorted by vehicle, then true time; one ping every 15 s while driving (first at
    ignition on, speed 0; last at ignition off, speed 0) and a heartbeat every 60 min while
    parked.
``lappi_pings.parquet`` -- vehicles registered in Finland, a Finnish platform's raw export:
  * ``device_id`` string; ``ts_utc`` timestamp[ms, tz=UTC]; ``lat_e7`` / ``lon_e7`` int32
    (degrees x 10^7, as the tracker sends them); ``speed_mps`` float32 (metres per SECOND);
    ``course_deg`` int16;
  * rows sorted by device, then time, except re-uploaded duplicates (faults); one ping every
    10 s while driving and a heartbeat every 30 min while parked.
``vehicles.csv`` -- ``vehicle_id,plate,country,registered_town,model,fuel,engine_heater,
tracker_file`` (plain comma CSV; country NO/SE/FI, Svalbard cars are NO; engine_heater yes/no;
tracker_file is the pings file that holds the vehicle).
``labels.csv`` -- ``vehicle_id,label,lat,lon``, label ``home`` or ``work``: for ~75 % of the
vehicles whose truth has a home or a work, one row per non-null place, 10-30 m from the truth;
~5 % of the rows are wrong (listed in truth ``wrong_labels``).
``truth.json`` -- ``{"tz": "Europe/Oslo", "window": {...}, "files": {...}, "vehicles": {id: {"home":
[lat, lon] | null, "work": [lat, lon] | null, "kind": str, "town", "zone", "file", ...extras}},
"wrong_labels": [...], "weather": {...}, "faults": {...}}``. ``tz`` is the zone of the CSV's
naive stamps (import the CSV with ``--tz Europe/Oslo``); the Parquet file is in UTC.

Kinds (truth home = where the vehicle's owner lives, work = the car park of the workplace;
truth ``town`` = home town, ``zone`` = that town's IANA zone, ``file`` = the pings file)
-----
  * ``commuter`` (Tromsø, Alta, Hammerfest, Kiruna, Rovaniemi): Mon-Fri home -> work
    ~07:00-08:15 local, back ~15:30-17:00, evening errands, a Saturday shop trip. On the
    Finnmark storm days (truth ``weather.storm``; Alta and Hammerfest) the car does not move.
  * ``cabin`` (Alta, Kiruna, Rovaniemi): a commuter who drives to the hytte/mökki/stuga 20-60 km
    inland on Friday evening and back on Sunday afternoon; extra ``cabin`` [lat, lon]; the
    cabin is a long night-time stay but NOT home. Storm days as commuters.
  * ``mine_shift`` (Kiruna; LKAB-style 12-hour rotating shifts): cycle of 8 days -- 2 day
    shifts (06-18), 2 night shifts (18-06), 4 days off -- with a per-worker phase; on night
    shifts the car sleeps at the mine. home = Kiruna flat, work = mine car park.
  * ``lng_rotation`` (Melkøya LNG plant, Hammerfest): 14 days on / 21 days off; while on, the
    worker sleeps in a barracks at Rypefjord and drives barracks <-> plant (07-19 shift); the
    ~2 h drive Alta <-> Hammerfest (E6/Rv94 via Skaidi) opens and closes a rotation. home =
    the house in Alta, work = plant car park; extras ``barracks`` and ``on_days`` (day indexes).
  * ``fisher`` (Tromsø, Hammerfest): drives to the harbour before dawn and leaves the car there
    for sea trips of 3-6 days (2-5 days ashore between them, with harbour visits). home =
    residence, work = harbour car park (the longest stays are at work); extra ``sea_trips``.
  * ``herder`` (reindeer herders, Sodankylä area, Finland): the base camp moves every 5-9 days
    10-25 km; daily drives to the herd at any hour, supply runs to Sodankylä. home = work =
    null; extra ``camps`` (list of [lat, lon]).
  * ``svalbard`` (Longyearbyen): never leaves the few km of roads between town, Nybyen area and
    the airport; speeds <= ~40 km/h. home in town, work in town or at the airport.
  * ``cross_border`` (lives in Haparanda, Sweden; works in Tornio, Finland): shift 07:00-15:30
    FINNISH time = 06:00-14:30 Swedish time; crosses the border twice a day. home = Haparanda,
    work = Tornio (Outokumpu works or town centre). In the CSV (Swedish platform).

Faults (all in truth ``faults``; times are UTC ISO strings)
------
  * ``cold_dropouts``: some trackers get no GPS fix for the first 60-300 s of most drives that
    start before local noon on a day whose minimum in the home town (truth
    ``weather.min_temp_c``, one value per window day) is <= -15 °C: no rows in ``[start, end)``
    and the first row after is a moving ping. List of {vehicle_id, start, end}.
  * ``dead_battery``: the tracker's battery dies in the cold and it is silent for 2-5 days (end
    clipped to the window): no rows in ``[start, end)``. List of {vehicle_id, start, end}.
  * ``wrong_zone``: some Haparanda-Tornio trackers are set to Finnish time, so their CSV stamps
    are Europe/Helsinki local (one hour ahead of the file's Europe/Oslo). List of {vehicle_id,
    logged_zone, first_ping_utc}.
  * ``truncated_coords``: an old tracker model in the CSV truncates (floors) coordinates to 3
    decimals (written as ``69,662000``). List of {vehicle_id, decimals}.
  * ``duplicates``: herders' trackers out of mobile coverage buffer pings and the platform
    stores one re-uploaded block twice; the copies are appended after the device's other rows
    (out of time order). List of {vehicle_id, rows} where rows = exact duplicate rows.
"""
from __future__ import annotations

import argparse
import json
import math
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

CSV_NAME = "nordkalotten_pings.csv"
PARQUET_NAME = "lappi_pings.parquet"
CSV_ZONE = "Europe/Oslo"
START_LOCAL = datetime(2026, 10, 12)  # Monday
START_UTC = int(datetime(2026, 10, 11, 22, tzinfo=timezone.utc).timestamp())
KY = 110_574.0  # metres per degree of latitude

# name: lat, lon, scatter sd (m), country, zone, storm region, temperature offset (°C)
TOWNS = {
    "Tromsø": (69.662, 18.935, 450, "NO", "Europe/Oslo", "", 4.0),
    "Alta": (69.960, 23.262, 500, "NO", "Europe/Oslo", "Finnmark", -1.0),
    "Hammerfest": (70.659, 23.697, 200, "NO", "Europe/Oslo", "Finnmark", 3.0),
    "Kiruna": (67.850, 20.250, 500, "SE", "Europe/Stockholm", "", -6.0),
    "Rovaniemi": (66.513, 25.712, 400, "FI", "Europe/Helsinki", "", -4.0),
    "Sodankylä": (67.417, 26.590, 300, "FI", "Europe/Helsinki", "", -6.0),
    "Haparanda": (65.838, 24.122, 300, "SE", "Europe/Stockholm", "", -2.0),
    "Longyearbyen": (78.2215, 15.635, 220, "NO", "Arctic/Longyearbyen", "", -3.0),
}
MINE = (67.838, 20.200)
MELKOYA = (70.689, 23.600)
BARRACKS = (70.641, 23.665)
HARBOUR = {"Tromsø": (69.6480, 18.9585), "Hammerfest": (70.6635, 23.6850)}
TORNIO_WORK = [(65.785, 24.170), (65.848, 24.148)]  # Outokumpu works, Tornio centre
BORDER = (65.843, 24.137)
LYR_WORK = [(78.2226, 15.6520), (78.2445, 15.4930)]  # UNIS / town, airport terminal
LYR_VIA = [(78.2300, 15.5800), (78.2400, 15.5200)]
ALTA_HFT = [(70.005, 23.52), (70.20, 24.05), (70.435, 24.495), (70.498, 23.975), (70.56, 23.86),
            (70.63, 23.74)]
CABIN_BOX = {"Alta": (69.70, 69.85, 23.15, 23.60), "Kiruna": (67.80, 67.95, 20.45, 20.90),
             "Rovaniemi": (66.56, 66.85, 25.85, 26.40)}
HERD_BOX = (67.25, 67.75, 26.0, 27.2)
KIND_SHARE = [("commuter", .22), ("cabin", .12), ("mine_shift", .15), ("lng_rotation", .10),
              ("fisher", .09), ("herder", .09), ("svalbard", .08), ("cross_border", .15)]
MODELS = ["Toyota Hilux", "VW Transporter", "Volvo V90", "Tesla Model Y", "Toyota RAV4",
          "Skoda Octavia", "Ford Ranger", "Mitsubishi L200", "Volvo XC60", "VW ID.4"]
_ZI: dict[str, ZoneInfo] = {}


def _zone(name: str) -> ZoneInfo:
    if name not in _ZI:
        _ZI[name] = ZoneInfo(name)
    return _ZI[name]


def _utc(day: int, hours: float, zone: str) -> int:
    """UTC epoch seconds of local time `hours` after midnight of window day `day` in `zone`."""
    naive = START_LOCAL + timedelta(days=day, hours=float(hours))
    return int(round(naive.replace(tzinfo=_zone(zone)).timestamp()))


def _iso(t: int) -> str:
    return datetime.fromtimestamp(int(t), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _near(rng, lat, lon, sd_m):
    dy, dx = np.clip(rng.normal(0, sd_m, 2), -2 * sd_m, 2 * sd_m)
    return (float(lat + dy / KY), float(lon + dx / (KY * math.cos(math.radians(lat)))))


def _offset(rng, p, lo_m, hi_m):
    r, a = rng.uniform(lo_m, hi_m), rng.uniform(0, 2 * math.pi)
    return (p[0] + r * math.sin(a) / KY, p[1] + r * math.cos(a) / (KY * math.cos(math.radians(p[0]))))


def _dist(a, b) -> float:
    kx = KY * math.cos(math.radians((a[0] + b[0]) / 2))
    return math.hypot((a[0] - b[0]) * KY, (a[1] - b[1]) * kx)


class _Life:
    """A vehicle's movements: a start place and trips (departure, road-like polyline)."""

    def __init__(self, rng, place, vmax_kmh=75.0):
        self.rng, self.place, self.start_place = rng, place, place
        self.free = START_UTC
        self.trips: list[tuple[int, np.ndarray, np.ndarray, float, float]] = []
        self.vmax = vmax_kmh

    def _leg(self, a, b):
        rng, d = self.rng, _dist(a, b)
        kx = KY * math.cos(math.radians(a[0]))
        dx, dy = (b[1] - a[1]) * kx, (b[0] - a[0]) * KY
        if d < 12_000:  # street grid: go along one axis, then the other
            th = rng.uniform(0, math.pi / 2)
            u, v = np.array([math.cos(th), math.sin(th)]), np.array([-math.sin(th), math.cos(th)])
            du, dv = dx * u[0] + dy * u[1], dx * v[0] + dy * v[1]
            f = rng.uniform(0.3, 0.7) if rng.random() < 0.5 else 1.0
            pts = [(0.0, 0.0), tuple(f * du * u), tuple(f * du * u + dv * v)]
        else:  # country road: two bends off the straight line
            nx, ny = -dy / d, dx / d
            pts = [(0.0, 0.0)] + [(dx * s + nx * o, dy * s + ny * o)
                                  for s, o in ((1 / 3, rng.normal(0, .06 * d)),
                                               (2 / 3, rng.normal(0, .06 * d)))]
        return [(a[0] + y / KY, a[1] + x / kx) for x, y in pts]

    def go(self, t: int, dest, via=()):
        t = max(int(t), self.free + int(self.rng.integers(240, 900)))
        stops = [self.place, *via, dest]
        pts = []
        for a, b in zip(stops[:-1], stops[1:]):
            pts += self._leg(a, b)
        pts.append(dest)
        lat = np.array([p[0] for p in pts])
        lon = np.array([p[1] for p in pts])
        length = sum(_dist(p, q) for p, q in zip(pts[:-1], pts[1:]))
        v = (38 if length < 8_000 else 55 if length < 30_000 else 72) * self.rng.uniform(.85, 1.08)
        v = min(v, self.vmax) / 3.6
        a = 0.8  # m/s², gentle on snow and ice
        ta = v / a
        dur = (2 * ta + (length - v * ta) / v) if length > v * ta else 2 * math.sqrt(length / a)
        self.trips.append((t, lat, lon, float(length), float(v)))
        self.place = dest
        self.free = t + int(math.ceil(dur))
        return t


def _drive(t0, lat, lon, length, v, dt):
    """Pings of one trip: trapezoid speed profile (a = 0.8 m/s²) along the polyline."""
    a = 0.8
    ta = v / a
    if length <= v * ta:
        ta = math.sqrt(length / a)
        v = a * ta
    dur = 2 * ta + max(length - v * ta, 0) / v
    tt = np.append(np.arange(0, int(math.ceil(dur)), dt), int(math.ceil(dur)))
    tc = dur - ta
    s = np.where(tt < ta, .5 * a * tt ** 2,
                 np.where(tt < tc, .5 * v * ta + v * (tt - ta),
                          length - .5 * a * np.maximum(dur - tt, 0) ** 2))
    spd = np.where(tt < ta, a * tt, np.where(tt < tc, v, a * np.maximum(dur - tt, 0)))
    kx = KY * math.cos(math.radians(lat[0]))
    x, y = (lon - lon[0]) * kx, (lat - lat[0]) * KY
    seg = np.hypot(np.diff(x), np.diff(y))
    cum = np.concatenate([[0], np.cumsum(seg)])
    cum *= length / max(cum[-1], 1e-9)
    s = np.clip(s, 0, length)
    px, py = np.interp(s, cum, x), np.interp(s, cum, y)
    idx = np.clip(np.searchsorted(cum, s, side="right") - 1, 0, len(seg) - 1)
    hdg = (np.degrees(np.arctan2(np.diff(x), np.diff(y))) % 360)[idx]
    return (t0 + tt.astype(np.int64), lat[0] + py / KY, lon[0] + px / kx, spd, hdg)


# ---------------------------------------------------------------- kinds' schedules


def _errands(rng, life, day, zone, town, home, p=0.3):
    if rng.random() < p:
        shop = _near(rng, *TOWNS[town][:3])
        life.go(_utc(day, rng.uniform(17.5, 20), zone), shop)
        life.go(life.free + int(rng.integers(1200, 3600)), home)


def _commuter(rng, life, days, town, zone, home, work, storm, cabin=None):
    for d in range(days):
        wd = (START_LOCAL + timedelta(days=d)).weekday()
        if d in storm:
            continue
        if wd < 5:
            life.go(_utc(d, rng.normal(7.5, .3), zone), work)
            life.go(_utc(d, rng.normal(16.2, .35), zone), home)
            if cabin is not None and wd == 4 and d + 2 < days:
                life.go(_utc(d, rng.uniform(17, 18.5), zone), cabin)
                life.go(_utc(d + 2, rng.uniform(14, 17), zone), home)
            else:
                _errands(rng, life, d, zone, town, home)
        elif wd == 5 and (cabin is None or life.place == home):
            if life.free < _utc(d, 11, zone) and rng.random() < .7:
                shop = _near(rng, *TOWNS[town][:3])
                life.go(_utc(d, rng.uniform(11, 14), zone), shop)
                life.go(life.free + int(rng.integers(1800, 5400)), home)


def _mine(rng, life, days, zone, home, work):
    phase = int(rng.integers(0, 8))
    for d in range(days):
        c = (d + phase) % 8
        if c in (0, 1):
            life.go(_utc(d, rng.normal(5.35, .1), zone), work)
            life.go(_utc(d, rng.normal(18.25, .1), zone), home)
        elif c in (2, 3):
            life.go(_utc(d, rng.normal(17.35, .1), zone), work)
            life.go(_utc(d + 1, rng.normal(6.25, .1), zone), home)
        elif rng.random() < .5:
            _errands(rng, life, d, zone, "Kiruna", home, p=1.0)


def _lng(rng, life, days, zone, home):
    on_start = int(rng.integers(-10, max(days - 5, -8)))
    on = [d for d in range(days) if (d - on_start) % 35 < 14]
    for d in range(days):
        k = (d - on_start) % 35
        if k < 14:
            if life.place == home:
                life.go(_utc(d, rng.normal(4.3, .15), zone), BARRACKS, via=ALTA_HFT)
            life.go(_utc(d, rng.normal(6.5, .1), zone), MELKOYA)
            if k == 13:
                life.go(_utc(d, rng.normal(19.2, .1), zone), home, via=ALTA_HFT[::-1])
            else:
                life.go(_utc(d, rng.normal(19.2, .1), zone), BARRACKS)
        elif life.place == home:
            _errands(rng, life, d, zone, "Alta", home, p=.45)
    return on


def _fisher(rng, life, days, town, zone, home, harbour):
    trips, d = [], int(rng.integers(0, 4))
    while d < days:
        n = int(rng.integers(3, 7))
        life.go(_utc(d, rng.uniform(4, 6), zone), harbour)
        life.go(_utc(d + n, rng.uniform(13, 17), zone), home)
        trips.append([d, d + n])
        ashore = int(rng.integers(2, 6))
        for e in range(d + n + 1, min(d + n + ashore, days)):
            if rng.random() < .5:
                life.go(_utc(e, rng.uniform(9, 11), zone), harbour)
                life.go(life.free + int(rng.integers(3600, 4 * 3600)), home)
            _errands(rng, life, e, zone, town, home)
        d += n + ashore
    return trips


def _herder(rng, life, days, zone):
    camps, camp, d = [life.place], life.place, 0
    lo_lat, hi_lat, lo_lon, hi_lon = HERD_BOX
    village = TOWNS["Sodankylä"][:2]
    next_move = int(rng.integers(5, 10))
    for d in range(days):
        if d == next_move:
            for _ in range(20):
                new = _offset(rng, camp, 10_000, 25_000)
                if lo_lat < new[0] < hi_lat and lo_lon < new[1] < hi_lon:
                    break
            camp = new
            camps.append(camp)
            life.go(_utc(d, rng.uniform(8, 12), zone), camp)
            next_move = d + int(rng.integers(5, 10))
        for _ in range(int(rng.integers(1, 3))):
            herd = _offset(rng, camp, 3_000, 10_000)
            life.go(_utc(d, rng.uniform(0, 22), zone), herd)
            life.go(life.free + int(rng.integers(3600, 4 * 3600)), camp)
        if rng.random() < .15:
            life.go(_utc(d, rng.uniform(10, 14), zone), _near(rng, *village, 300))
            life.go(life.free + int(rng.integers(1800, 3 * 3600)), camp)
    return camps


def _svalbard(rng, life, days, zone, home, work):
    for d in range(days):
        wd = (START_LOCAL + timedelta(days=d)).weekday()
        via = LYR_VIA if work[1] < 15.55 else ()
        if wd < 5:
            life.go(_utc(d, rng.normal(7.9, .25), zone), work, via=via)
            life.go(_utc(d, rng.normal(16.0, .3), zone), home, via=via[::-1])
        _errands(rng, life, d, zone, "Longyearbyen", home, p=.35)


def _cross(rng, life, days, home, work):
    via_out = [BORDER] + ([(65.830, 24.160)] if work[0] < 65.82 else [])
    for d in range(days):
        wd = (START_LOCAL + timedelta(days=d)).weekday()
        if wd < 5:  # shift 07:00-15:30 Finnish time
            life.go(_utc(d, rng.normal(6.65, .08), "Europe/Helsinki"), work, via=via_out)
            life.go(_utc(d, rng.normal(15.6, .1), "Europe/Helsinki"), home, via=via_out[::-1])
        _errands(rng, life, d, "Europe/Stockholm", "Haparanda", home, p=.25)


# ---------------------------------------------------------------- assembly


def _kinds(n, rng):
    counts = [int(n * s) for _, s in KIND_SHARE]
    if n >= len(KIND_SHARE):
        counts = [max(c, 1) for c in counts]
    i = 0
    while sum(counts) < n:
        counts[i % len(counts)] += 1
        i += 1
    while sum(counts) > n:
        j = int(np.argmax(counts))
        counts[j] -= 1
    kinds = [k for (k, _), c in zip(KIND_SHARE, counts) for _ in range(c)]
    return [kinds[i] for i in rng.permutation(n)]


def _pings(life, end, dt, hb, rng):
    parts, stays, place, t_prev = [], [], life.start_place, START_UTC
    for t0, lat, lon, length, v in life.trips:
        stays.append((place, t_prev, t0))
        d = _drive(t0, lat, lon, length, v, dt)
        parts.append(d)
        place, t_prev = (float(lat[-1]), float(lon[-1])), int(d[0][-1])
    stays.append((place, t_prev, end))
    for (plat, plon), a, b in stays:
        tt = np.arange(a + int(rng.integers(60, hb)), b, hb, dtype=np.int64)
        if len(tt):
            z = np.zeros(len(tt))
            parts.append((tt, z + plat, z + plon, z, z))
    t = np.concatenate([p[0] for p in parts])
    cols = [np.concatenate([p[i] for p in parts]) for i in range(1, 5)]
    o = np.argsort(t, kind="stable")
    t, lat, lon, spd, hdg = t[o], *(c[o] for c in cols)
    moving = spd > 0
    sd = np.where(moving, 3.0, 5.0)
    lat = lat + rng.normal(0, 1, len(t)) * sd / KY
    lon = lon + rng.normal(0, 1, len(t)) * sd / (KY * np.cos(np.radians(lat)))
    spd = np.where(moving, np.maximum(spd + rng.normal(0, .4, len(t)), 0.3), 0.0)
    keep = t < end
    return t[keep], lat[keep], lon[keep], spd[keep], np.where(moving, hdg, 0)[keep]


def _local_stamps(t, zone):
    """Naive local `dd.mm.yyyy HH:MM:SS` strings for UTC epoch seconds (vectorised)."""
    hours = np.arange(START_UTC // 3600 - 48, (int(t.max()) if len(t) else START_UTC) // 3600 + 48)
    off = np.array([datetime.fromtimestamp(int(h) * 3600, _zone(zone)).utcoffset().total_seconds()
                    for h in hours], dtype=np.int64)
    local = t + off[t // 3600 - hours[0]]
    iso = np.datetime_as_string(local.astype("datetime64[s]")).astype("S19")
    b = iso.view(np.uint8).reshape(-1, 19)
    out = np.empty_like(b)
    out[:, 0:2], out[:, 3:5], out[:, 6:10], out[:, 11:19] = b[:, 8:10], b[:, 5:7], b[:, 0:4], b[:, 11:19]
    out[:, 2] = out[:, 5] = ord(".")
    out[:, 10] = ord(" ")
    return out.reshape(-1).view("S19").astype(str)


def write_arctic_fleet(folder, vehicles: int = 120, days: int = 28, seed: int = 0) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([seed, 7013])
    end = START_UTC + days * 86_400
    kinds = _kinds(vehicles, rng)
    # weather: one synoptic pattern for the region, a per-town offset and local noise
    synoptic = np.convolve(rng.normal(0, 7, days + 2), [1 / 3] * 3, mode="valid")[:days]
    temps = {town: np.round(-4 - .35 * np.arange(days) + off + synoptic + rng.normal(0, 1.5, days), 1)
             for town, (*_, off) in TOWNS.items()}
    storm_start = int(rng.integers(min(3, days - 1), max(days - 2, 4)))
    storm = {d for d in (storm_start, storm_start + 1) if d < days}

    ids = [f"ARC{i + 1:04d}" for i in range(vehicles)]
    truth_v, lives, meta = {}, {}, []
    for vid, kind in zip(ids, kinds):
        extra: dict = {}
        if kind in ("commuter", "cabin"):
            towns = (["Tromsø", "Alta", "Hammerfest", "Kiruna", "Rovaniemi"] if kind == "commuter"
                     else ["Alta", "Kiruna", "Rovaniemi"])
            town = towns[int(rng.integers(len(towns)))]
            home = _near(rng, *TOWNS[town][:3])
            work = _near(rng, *TOWNS[town][:3])
            while _dist(home, work) < min(800, 1.5 * TOWNS[town][2]):
                work = _near(rng, *TOWNS[town][:3])
        elif kind == "mine_shift":
            town, home, work = "Kiruna", _near(rng, *TOWNS["Kiruna"][:3]), _near(rng, *MINE, 80)
        elif kind == "lng_rotation":
            town, home, work = "Alta", _near(rng, *TOWNS["Alta"][:3]), _near(rng, *MELKOYA, 80)
        elif kind == "fisher":
            town = ["Tromsø", "Hammerfest"][int(rng.integers(2))]
            home, work = _near(rng, *TOWNS[town][:3]), _near(rng, *HARBOUR[town], 40)
        elif kind == "herder":
            b = HERD_BOX
            town, home, work = "Sodankylä", None, None
            start = (rng.uniform(b[0] + .1, b[1] - .1), rng.uniform(b[2] + .2, b[3] - .2))
        elif kind == "svalbard":
            town, home = "Longyearbyen", _near(rng, *TOWNS["Longyearbyen"][:3])
            work = _near(rng, *LYR_WORK[int(rng.integers(2))], 60)
        else:
            town, home = "Haparanda", _near(rng, *TOWNS["Haparanda"][:3])
            work = _near(rng, *TORNIO_WORK[int(rng.integers(2))], 100)
        lat0, lon0, _, country, zone, region, _ = TOWNS[town]
        life = _Life(rng, home if home else start, vmax_kmh=40 if kind == "svalbard" else 78)
        my_storm = storm if region == "Finnmark" else set()
        if kind == "commuter":
            _commuter(rng, life, days, town, zone, home, work, my_storm)
        elif kind == "cabin":
            lo, hi, lo2, hi2 = CABIN_BOX[town]
            cabin = (float(rng.uniform(lo, hi)), float(rng.uniform(lo2, hi2)))
            extra["cabin"] = [round(cabin[0], 6), round(cabin[1], 6)]
            _commuter(rng, life, days, town, zone, home, work, my_storm, cabin=cabin)
        elif kind == "mine_shift":
            _mine(rng, life, days, zone, home, work)
        elif kind == "lng_rotation":
            extra["barracks"] = list(BARRACKS)
            extra["on_days"] = _lng(rng, life, days, zone, home)
        elif kind == "fisher":
            extra["sea_trips"] = _fisher(rng, life, days, town, zone, home, work)
        elif kind == "herder":
            extra["camps"] = [[round(c[0], 6), round(c[1], 6)] for c in _herder(rng, life, days, zone)]
        elif kind == "svalbard":
            _svalbard(rng, life, days, zone, home, work)
        else:
            _cross(rng, life, days, home, work)
        file = PARQUET_NAME if country == "FI" else CSV_NAME
        lives[vid] = (life, file, town, zone)
        truth_v[vid] = {"home": None if home is None else [round(home[0], 6), round(home[1], 6)],
                        "work": None if work is None else [round(work[0], 6), round(work[1], 6)],
                        "kind": kind, "town": town, "zone": zone, "file": file, **extra}
        plate = {"NO": f"{'ZEEL'[int(rng.integers(0, 3)):][:2]} {rng.integers(10000, 99999)}",
                 "SE": f"{''.join(rng.choice(list('ABCDEFGHJKLMNOPRSTUWXYZ'), 3))} {rng.integers(100, 999)}",
                 "FI": f"{''.join(rng.choice(list('ABCEFGHIJKLMNOPRSTUVXYZ'), 3))}-{rng.integers(100, 999)}"}
        meta.append([vid, plate[country], country, town, MODELS[int(rng.integers(len(MODELS)))],
                     ["diesel", "petrol", "electric", "hybrid"][int(rng.integers(4))],
                     "yes" if rng.random() < .8 else "no", file])

    # ---- faults chosen up front
    csv_ids = [v for v in ids if lives[v][1] == CSV_NAME]
    cross = [v for v in csv_ids if truth_v[v]["kind"] == "cross_border"]
    wrong_zone = (sorted(rng.choice(cross, max(1, round(.35 * len(cross))), replace=False).tolist())
                  if cross else [])
    rest = [v for v in csv_ids if v not in wrong_zone]
    trunc = sorted(rng.choice(rest, min(len(rest), max(1, round(.02 * vehicles))), replace=False).tolist())
    battery_ids = sorted(rng.choice(ids, max(1, round(.03 * vehicles)), replace=False).tolist())
    cold_ok = [v for v in ids if (temps[lives[v][2]] <= -15).sum() >= 2 and v not in battery_ids
               and lives[v][0].trips]
    cold_ids = sorted(rng.choice(cold_ok, min(len(cold_ok), max(1, round(.12 * vehicles))),
                                 replace=False).tolist()) if cold_ok else []
    herders = [v for v in ids if truth_v[v]["kind"] == "herder"]
    dup_ids = (sorted(rng.choice(herders, max(1, round(.5 * len(herders))), replace=False).tolist())
               if herders else [])
    faults: dict = {"cold_dropouts": [], "dead_battery": [], "wrong_zone": [], "truncated_coords": [],
                    "duplicates": []}

    frames: dict[str, list] = {CSV_NAME: [], PARQUET_NAME: []}
    for vid in ids:
        life, file, town, zone = lives[vid]
        csv = file == CSV_NAME
        t, lat, lon, spd, hdg = _pings(life, end, 15 if csv else 10, 3600 if csv else 1800, rng)
        drop = np.zeros(len(t), bool)
        if vid in cold_ids:
            cold_days = set(np.flatnonzero(temps[town] <= -15).tolist())
            for t0, *_ in life.trips:
                d = (t0 - START_UTC) // 86_400
                if d in cold_days and t0 < _utc(int(d), 12, zone) and rng.random() < .8:
                    gap = int(rng.integers(60, 301))
                    after = t[(t >= t0 + gap) & (t < t0 + gap + 60) & (spd > 0)]
                    if len(after) == 0:
                        continue
                    drop |= (t >= t0) & (t < t0 + gap)
                    faults["cold_dropouts"].append({"vehicle_id": vid, "start": _iso(t0),
                                                    "end": _iso(t0 + gap)})
        if vid in battery_ids:
            s = START_UTC + int(rng.integers(0, max(1, days - 5) * 86_400))
            e = min(s + int(rng.integers(2 * 86_400, 5 * 86_400)), end)
            drop |= (t >= s) & (t < e)
            faults["dead_battery"].append({"vehicle_id": vid, "start": _iso(s), "end": _iso(e)})
        t, lat, lon, spd, hdg = (a[~drop] for a in (t, lat, lon, spd, hdg))
        if vid in trunc:
            lat, lon = np.floor(lat * 1000) / 1000, np.floor(lon * 1000) / 1000
            faults["truncated_coords"].append({"vehicle_id": vid, "decimals": 3})
        if vid in wrong_zone and len(t):
            faults["wrong_zone"].append({"vehicle_id": vid, "logged_zone": "Europe/Helsinki",
                                         "first_ping_utc": _iso(t[0])})
        cols = [t, lat, lon, spd, hdg]
        if vid in dup_ids and len(t) > 500:
            n_dup = 0
            blocks = []
            for _ in range(int(rng.integers(1, 4))):
                k = int(rng.integers(50, 300))
                i = int(rng.integers(0, len(t) - k))
                blocks.append(np.arange(i, i + k))
            sel = np.unique(np.concatenate(blocks))
            n_dup = len(sel)
            cols = [np.concatenate([c, c[sel]]) for c in cols]
            faults["duplicates"].append({"vehicle_id": vid, "rows": n_dup})
        frames[file].append((vid, cols, "Europe/Helsinki" if vid in wrong_zone else CSV_ZONE))

    # ---- CSV (Excel export, Norwegian headers, decimal comma, naive Oslo time)
    lines = []
    for vid, (t, lat, lon, spd, hdg), zone in frames[CSV_NAME]:
        stamps = _local_stamps(t, zone)
        la = np.char.replace(np.char.mod("%.6f", lat), ".", ",")
        lo = np.char.replace(np.char.mod("%.6f", lon), ".", ",")
        kmh = np.round(spd * 3.6).astype(np.int64).astype(str)
        hd = (np.round(hdg).astype(np.int64) % 360).astype(str)
        rows = np.char.add(np.char.add(np.char.add(np.char.add(f"{vid};", stamps), ";"), la), ";")
        rows = np.char.add(np.char.add(np.char.add(np.char.add(np.char.add(rows, lo), ";"), kmh), ";"), hd)
        lines.append("\r\n".join(rows.tolist()))
    header = "Kjøretøy;Tidspunkt;Breddegrad;Lengdegrad;Hastighet (km/t);Kurs"
    body = "\r\n".join([header] + [x for x in lines if x]) + "\r\n"
    (folder / CSV_NAME).write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))

    # ---- Parquet (UTC ms, e7 integer coordinates, m/s)
    pf = frames[PARQUET_NAME]
    n = [len(c[0]) for _, c, _ in pf]
    cat = [np.concatenate([c[i] for _, c, _ in pf]) if pf else np.zeros(0) for i in range(5)]
    table = pa.table({
        "device_id": pa.array(np.repeat([v for v, _, _ in pf], n).astype(str) if pf else [], pa.string()),
        "ts_utc": pa.array(cat[0].astype(np.int64) * 1000, pa.timestamp("ms", tz="UTC")),
        "lat_e7": pa.array(np.round(cat[1] * 1e7).astype(np.int32)),
        "lon_e7": pa.array(np.round(cat[2] * 1e7).astype(np.int32)),
        "speed_mps": pa.array(np.round(cat[3], 2).astype(np.float32)),
        "course_deg": pa.array((np.round(cat[4]).astype(np.int64) % 360).astype(np.int16)),
    })
    pq.write_table(table, folder / PARQUET_NAME, compression="zstd")

    # ---- vehicles.csv
    head = "vehicle_id,plate,country,registered_town,model,fuel,engine_heater,tracker_file"
    (folder / "vehicles.csv").write_text("\n".join([head] + [",".join(map(str, m)) for m in meta]) + "\n",
                                         encoding="utf-8")

    # ---- labels.csv
    labelled = [v for v in ids if (truth_v[v]["home"] or truth_v[v]["work"]) and rng.random() < .75]
    rows, wrong = [], []
    for vid in labelled:
        tv = truth_v[vid]
        for label in ("home", "work"):
            if tv[label] is None:
                continue
            p, why = tuple(tv[label]), None
            if rng.random() < .05:
                other = tv["work" if label == "home" else "home"]
                if label == "home" and "cabin" in tv:
                    p, why = tuple(tv["cabin"]), "cabin labelled as home"
                elif label == "home" and "barracks" in tv:
                    p, why = tuple(tv["barracks"]), "rotation barracks labelled as home"
                elif other is not None:
                    where = "work" if label == "home" else "home"
                    p, why = tuple(other), f"{label} label placed at the {where}"
                else:
                    p, why = _offset(rng, p, 1500, 3000), "previous address"
            q = _offset(rng, p, 10, 30)
            rows.append(f"{vid},{label},{q[0]:.6f},{q[1]:.6f}")
            if why:
                wrong.append({"vehicle_id": vid, "label": label, "lat": round(q[0], 6), "lon": round(q[1], 6),
                              "reason": why})
    (folder / "labels.csv").write_text("\n".join(["vehicle_id,label,lat,lon"] + rows) + "\n",
                                       encoding="utf-8")

    truth = {
        "tz": CSV_ZONE,
        "window": {"start_utc": _iso(START_UTC), "end_utc": _iso(end), "dst_end_utc": "2026-10-25T01:00:00Z"},
        "files": {CSV_NAME: {"time": "naive local Europe/Oslo, dd.mm.yyyy HH:MM:SS", "sep": ";",
                             "decimal": ",",
                             "speed": "km/h", "encoding": "utf-8-sig", "line_end": "CRLF"},
                  PARQUET_NAME: {"time": "timestamp[ms, UTC]", "coords": "int32 degrees x 1e7",
                                 "speed": "m/s"}},
        "vehicles": truth_v,
        "wrong_labels": wrong,
        "weather": {"min_temp_c": {k: v.tolist() for k, v in temps.items()},
                    "storm": {"region": "Finnmark", "towns": ["Alta", "Hammerfest"], "days": sorted(storm),
                              "dates": [str((START_LOCAL + timedelta(days=d)).date())
                                        for d in sorted(storm)]}},
        "faults": faults,
    }
    (folder / "truth.json").write_text(json.dumps(truth, indent=1, ensure_ascii=False) + "\n",
                                       encoding="utf-8")
    return folder


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--vehicles", type=int, default=120)
    ap.add_argument("--days", type=int, default=28)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    print(write_arctic_fleet(a.out, a.vehicles, a.days, a.seed))


if __name__ == "__main__":
    main()
