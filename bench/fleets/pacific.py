"""Synthetic "pacific" fleet: New Zealand (incl. the Chatham Islands) and Fiji, across the start of
NZ daylight time (Sunday 27 September 2026: 02:00 NZST -> 03:00 NZDT, UTC+12 -> +13; Chatham
02:45 -> 03:45, UTC+12:45 -> +13:45; Fiji stays UTC+12). The window is `days` local days starting
`days // 2` days before 27 Sep 2026, so any window of two or more days contains the switch.

``write_pacific_fleet(folder, vehicles=120, days=28, seed=0)`` writes five files into `folder`;
the same arguments give byte-identical files, another seed other files.

Files
-----
``nz_pings.csv`` -- NZ and Chatham vehicles (ids ``NZ0000``...). Columns
  ``vehicle_id,timestamp,lat,lon,speed_kmh``; timestamp ISO-8601 to the second with the local
  offset written out (``2026-09-27T03:15:00+13:00``; ``+12:45``/``+13:45`` on the Chatham Islands);
  lat/lon decimal degrees (6 decimals), lon in -180..180 (the Chatham Islands are at about -176.5);
  speed_kmh one decimal. Rows grouped by vehicle (id order), time-ordered within (duplicates
  adjacent); the parquet likewise.
``fiji_pings.parquet`` -- Fiji vehicles (ids ``FJ0000``...). Columns ``asset`` (string),
  ``fix_time`` (timestamp[ms, tz=UTC]), ``latitude``, ``longitude`` (float64), ``speed_mps``
  (float64, metres per second). Longitude in -180..180, except the ``sat-orblink`` device, which
  writes 0..360 east for every vehicle on it (180.12 for -179.88; Suva's 178.4 unchanged).
``labels.csv`` -- ``vehicle_id,label,lat,lon`` (label ``home`` or ``work``) for about 75% of the
  vehicles that have a home or work; 10-30 m noise; about 5% of the labelled vehicles carry a wrong
  label (listed in truth ``wrong_labels``; reason ``swapped`` = home and work exchanged, two rows;
  ``home_at_work`` = the home row at the work place; ``unvisited_place`` = the only label 3-6 km
  off). Campervans have no labels.
``vehicles.csv`` -- ``vehicle_id,region,device,timezone,file`` (timezone IANA; file the pings
  file holding the vehicle). Regions: auckland, wellington, christchurch, waikato, chatham,
  nz_tour (campervans), suva, taveuni.
``truth.json`` -- ``{"vehicles": {id: {"home": [lat, lon] | null, "work": [lat, lon] | null,
  "kind", "region", "device", "timezone", "file", "id_in_pings", "campsites"?}},
  "wrong_labels": [{"vehicle_id", "label", "lat", "lon", "reason"}], "faults": {...},
  "window": {...}}``. Truth coordinates always in -180..180. Ids in truth are those of
  vehicles.csv.

Kinds (truth ``kind``; with >= 10 vehicles each occurs at least once)
-----------------------------------------------------------------------
office_commuter (auckland/wellington/christchurch/suva): home -> office on weekdays
  ~07:00-08:40, back ~16:30-18:20, some evening and weekend shop trips.
dairy_farmer (waikato): house in farmland; milking shed 0.5-2 km away; at the shed about
  04:50-07:00 and 15:00-17:00 every day incl. weekends; truth work = the shed.
ferry_commuter (auckland, North Shore): parks at the Devonport ferry terminal car park on weekdays
  ~07:00-18:00 (truth work = the car park).
campervan (nz_tour, Auckland -> Christchurch chain): rental, no home: a new campsite every 1-3
  nights, day trips into town; crossing Cook Strait on the Interislander = a gap of 1 h waiting
  at the terminal (no fixes from a tracker) and 3.5 h at sea with no fixes at all. home = work =
  null; truth ``campsites`` lists the campsites.
fisherman (christchurch/Lyttelton, chatham/Waitangi): car stands at the wharf 3-6 days while at
  sea, then home 2-5 days; truth work = the wharf.
retiree (any region): home, morning/afternoon errands; work = null.
shift_worker (hospital; auckland/wellington/christchurch/suva): 14-day rotation of 4 day shifts
  (~06:20-15:45), 3 off, 4 night shifts (~20:20 -> 07:30 next day), 3 off; work = hospital.
resort_worker (taveuni): home on one side of the 180th meridian and the resort on the other;
  drives across it 6 days a week (early or late shift, alternating weekly).

Devices (vehicles.csv ``device``)
---------------------------------
tracker-kt3: a fix every 10-30 s while moving incl. one at ignition on and off; silent parked.
sat-skyfix (NZ) / sat-orblink (Fiji): one fix every 10-15 min all the time, also parked (20-80 m
  jitter); orblink writes longitude 0..360.
phone-app: a fix every 5-20 s while moving; 10% of trips missing, a third of trips with a 2-15 min
  hole; silent parked.
Trips follow a road-like polyline (L-shaped local legs + a chain of real town/suburb waypoints),
20-90 km/h by trip length with ~45 s acceleration/braking at the ends; moving fixes have ~4 m
noise.

Faults (truth ``faults``)
-------------------------
duplicates: exact duplicate rows, adjacent; count per file.
clock_utc_as_plus12: 2 NZ vehicles whose clock runs on UTC but stamps ``+12:00``: the written
  instant is 12 h before the true one (and stays ``+12:00`` after the DST switch).
id_variants: a few vehicles whose id in the pings file differs (letter case / spaces) from
  vehicles.csv and labels.csv: {id: written id}.
gps_jumps: single fixes displaced 1-5 km (both neighbours within 300 m of the true point):
  [{"vehicle_id", "time_utc", "true": [lat, lon], "written": [lat, lon], "km"}].
lon_0_360_device: {"device": "sat-orblink", "vehicles": [...]}.
lon_0_360_after_firmware: {"vehicle_id", "from_utc"}: one Fiji vehicle (not on orblink) writes
  0..360 longitudes from a firmware update mid-window on.

CLI: ``python bench/fleets/pacific.py OUT [--vehicles N] [--days D] [--seed S]``.
"""

from __future__ import annotations

import argparse
import json
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

DST_DAY = date(2026, 9, 27)
M_PER_DEG = 111195.0

# chains of road waypoints: (name, lat, lon east 0..360, inland bearing for scatter or None)
REGIONS = {
    "auckland": dict(tz="Pacific/Auckland", file="nz", chain=[
        ("Devonport", -36.8290, 174.7960, 0), ("Belmont", -36.8060, 174.7860, 0),
        ("Takapuna", -36.7900, 174.7640, 270), ("Smales Farm", -36.7800, 174.7500, None),
        ("Northcote", -36.8000, 174.7400, None), ("Bridge N", -36.8240, 174.7440, None),
        ("Bridge S", -36.8420, 174.7490, None), ("CBD", -36.8500, 174.7640, 180),
        ("Newmarket", -36.8700, 174.7770, None), ("Ellerslie", -36.8990, 174.8080, None),
        ("Penrose", -36.9130, 174.8160, None), ("Otahuhu", -36.9440, 174.8400, None),
        ("Papatoetoe", -36.9740, 174.8480, None), ("Manukau", -36.9930, 174.8800, None)],
        homes=[1, 2, 3, 4, 8, 9, 11, 12, 13], shops=[2, 3, 7, 8, 9, 13],
        works=[(-36.8485, 174.7633), (-36.9150, 174.8150), (-36.9930, 174.8790)],
        hospital=(-36.8600, 174.7700), terminal=(-36.8318, 174.7958), ferry_homes=[1, 2]),
    "wellington": dict(tz="Pacific/Auckland", file="nz", chain=[
        ("Porirua", -41.1340, 174.8400, 90), ("Tawa", -41.1700, 174.8250, None),
        ("Johnsonville", -41.2230, 174.8050, None), ("Ngauranga", -41.2480, 174.8110, 270),
        ("Thorndon", -41.2770, 174.7790, 270), ("CBD", -41.2865, 174.7762, 270),
        ("Te Aro", -41.2950, 174.7750, 200), ("Newtown", -41.3110, 174.7790, None),
        ("Kilbirnie", -41.3170, 174.7950, None)],
        homes=[0, 1, 2, 7, 8], shops=[0, 2, 6, 8],
        works=[(-41.2850, 174.7760), (-41.2790, 174.7790)], hospital=(-41.3085, 174.7790)),
    "christchurch": dict(tz="Pacific/Auckland", file="nz", chain=[
        ("Hornby", -43.5440, 172.5250, None), ("Riccarton", -43.5300, 172.5950, None),
        ("CBD", -43.5320, 172.6360, None), ("Opawa", -43.5520, 172.6600, None),
        ("Heathcote", -43.5780, 172.7050, 270), ("Lyttelton", -43.6030, 172.7190, 315)],
        homes=[0, 1, 3, 4], shops=[0, 1, 2, 3],
        works=[(-43.5310, 172.6370), (-43.5450, 172.5300)], hospital=(-43.5340, 172.6260),
        wharf=(-43.6060, 172.7180)),
    "waikato": dict(tz="Pacific/Auckland", file="nz", chain=[
        ("Hamilton", -37.7870, 175.2790, None), ("Gordonton", -37.6680, 175.3030, None),
        ("Morrinsville", -37.6560, 175.5290, None), ("Waitoa", -37.6050, 175.6330, None),
        ("Te Aroha", -37.5420, 175.7120, 270)],
        homes=[1, 2, 3], shops=[2, 4]),
    "chatham": dict(tz="Pacific/Chatham", file="nz", chain=[
        ("Waitangi wharf", -43.9505, 183.4390, 90), ("Waitangi", -43.9540, 183.4420, 60),
        ("Waitangi N", -43.9360, 183.4560, 90), ("Te One", -43.9180, 183.4720, 120)],
        homes=[1, 2, 3], shops=[1], wharf=(-43.9510, 183.4385)),
    "suva": dict(tz="Pacific/Fiji", file="fiji", chain=[
        ("Lami", -18.1150, 178.4150, 0), ("Suva CBD", -18.1410, 178.4420, 20),
        ("Samabula", -18.1150, 178.4550, None), ("Nasinu", -18.0700, 178.5000, None),
        ("Nausori", -18.0300, 178.5300, None)],
        homes=[0, 2, 3, 4], shops=[1, 3, 4],
        works=[(-18.1400, 178.4400), (-18.0310, 178.5290)], hospital=(-18.1395, 178.4343)),
    "taveuni": dict(tz="Pacific/Fiji", file="fiji", chain=[
        ("Matei", -16.6900, 180.1230, 125), ("Naselesele", -16.7300, 180.0800, 125),
        ("Somosomo", -16.7720, 180.0330, 125), ("Waiyevo", -16.7930, 180.0100, 125),
        ("Wairiki", -16.8120, 179.9900, 125), ("Taveuni Estates", -16.8500, 179.9600, 125),
        ("Vuna", -16.9300, 179.9060, 125)],
        homes=[0, 1, 2, 4, 5], shops=[2, 3]),
    "nz_tour": dict(tz="Pacific/Auckland", file="nz", chain=[
        ("Auckland", -36.8500, 174.7640, 180), ("Manukau", -36.9930, 174.8800, None),
        ("Pokeno", -37.2450, 175.0190, None), ("Huntly", -37.5580, 175.1580, None),
        ("Hamilton", -37.7870, 175.2790, None), ("Cambridge", -37.8850, 175.4700, None),
        ("Tirau", -37.9800, 175.7580, None), ("Taupo", -38.6860, 176.0700, 60),
        ("Waitahanui", -38.7900, 176.0800, 90), ("Hatepe", -38.8600, 176.0300, 90),
        ("Motutere", -38.9150, 175.9600, 120), ("Turangi", -38.9900, 175.8100, 180),
        ("Waiouru", -39.4780, 175.6700, None), ("Taihape", -39.6790, 175.7990, None),
        ("Bulls", -40.1750, 175.3850, None), ("Levin", -40.6220, 175.2860, 90),
        ("Paraparaumu", -40.9140, 175.0060, 100), ("Porirua", -41.1340, 174.8400, 90),
        ("Wellington ferry", -41.2630, 174.7870, 270), ("Picton ferry", -41.2880, 174.0060, 180),
        ("Blenheim", -41.5140, 173.9540, None), ("Kaikoura", -42.4000, 173.6800, 300),
        ("Cheviot", -42.8120, 173.2730, None), ("Amberley", -43.1550, 172.7300, None),
        ("Christchurch", -43.5320, 172.6360, None)],
        ferry_edge=(18, 19)),
}
KINDS = ["office_commuter", "dairy_farmer", "ferry_commuter", "campervan", "fisherman", "retiree",
         "shift_worker", "resort_worker"]
KIND_WEIGHTS = [0.24, 0.12, 0.08, 0.08, 0.08, 0.18, 0.12, 0.10]
KIND_REGIONS = {
    "office_commuter": (["auckland", "wellington", "christchurch", "suva"], [.4, .25, .2, .15]),
    "dairy_farmer": (["waikato"], [1.0]),
    "ferry_commuter": (["auckland"], [1.0]),
    "campervan": (["nz_tour"], [1.0]),
    "fisherman": (["christchurch", "chatham"], [.6, .4]),
    "retiree": (["auckland", "wellington", "christchurch", "chatham", "suva", "taveuni"],
                [.25, .2, .2, .1, .15, .1]),
    "shift_worker": (["auckland", "wellington", "christchurch", "suva"], [.35, .25, .25, .15]),
    "resort_worker": (["taveuni"], [1.0]),
}
# with >= 10 vehicles these come first (then the whole fleet is shuffled)
FORCED = [("office_commuter", "auckland", "tracker-kt3"), ("dairy_farmer", "waikato", "sat-skyfix"),
          ("ferry_commuter", "auckland", "phone-app"), ("campervan", "nz_tour", "tracker-kt3"),
          ("fisherman", "chatham", "sat-skyfix"), ("retiree", "suva", "sat-orblink"),
          ("shift_worker", "christchurch", "tracker-kt3"), ("resort_worker", "taveuni", "sat-orblink"),
          ("resort_worker", "taveuni", "tracker-kt3"), ("office_commuter", "wellington", "tracker-kt3")]
PHONE_KINDS = {"office_commuter", "ferry_commuter", "retiree", "shift_worker", "resort_worker"}


def _wrap(lon):
    return (np.asarray(lon, dtype=float) + 180.0) % 360.0 - 180.0


def _dist_m(lat1, lon1, lat2, lon2):
    lat1, lon1, lat2, lon2 = (np.radians(np.asarray(a, dtype=float)) for a in (lat1, lon1, lat2, lon2))
    dlon = (lon2 - lon1 + np.pi) % (2 * np.pi) - np.pi
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin(dlon / 2) ** 2
    return 2 * 6371000.0 * np.arcsin(np.sqrt(np.minimum(h, 1.0)))


def _move(lat, lon, dist_m, bearing_deg):
    b = np.radians(bearing_deg)
    return (lat + dist_m * np.cos(b) / M_PER_DEG,
            lon + dist_m * np.sin(b) / (M_PER_DEG * np.cos(np.radians(lat))))


class _Region:
    def __init__(self, name):
        spec = REGIONS[name]
        self.name, self.spec, self.tz = name, spec, spec["tz"]
        self.nodes = np.array([(c[1], c[2]) for c in spec["chain"]])
        self.inland = [c[3] for c in spec["chain"]]

    def nearest(self, lat, lon):
        return int(np.argmin(_dist_m(lat, lon, self.nodes[:, 0], self.nodes[:, 1])))

    def point(self, lat, lon):
        return (float(lat), float(lon), self.nearest(lat, lon))

    def scatter(self, rng, node, dmin, dmax):
        lat, lon = self.nodes[node]
        inland = self.inland[node]
        bearing = rng.uniform(0, 360) if inland is None else inland + rng.uniform(-50, 50)
        return self.point(*_move(lat, lon, rng.uniform(dmin, dmax), bearing))


class _Track:
    """Piecewise-linear track of one vehicle: knots (time, lat, lon, speed) and its trips."""

    def __init__(self, region, rng, place, t0):
        self.region, self.rng = region, rng
        self.place, self.free = place, t0
        self.kt, self.klat, self.klon, self.kspd = [[t0]], [[place[0]]], [[place[1]]], [[0.0]]
        self.moves = []  # (t0, t1, is_ferry)

    def _corner(self, a, b):
        return (a[0], b[1]) if self.rng.random() < 0.5 else (b[0], a[1])

    def _drive(self, verts, depart):
        v = np.asarray(verts, dtype=float)
        seg = _dist_m(v[:-1, 0], v[:-1, 1], v[1:, 0], v[1:, 1])
        cum = np.concatenate([[0.0], np.cumsum(seg)])
        dist = cum[-1]
        if dist < 30:
            return depart
        vk = np.clip((20 + 70 * (1 - np.exp(-dist / 15000))) * self.rng.uniform(0.9, 1.05), 20, 90)
        vm = max(vk, 20.0) / 3.6
        ta = min(45.0, dist / vm / 2)
        total = dist / vm + ta
        tt = np.append(np.arange(0.0, total, 5.0), total)
        acc = vm / ta
        cruise = vm * ta / 2 + vm * (tt - ta)
        s = np.where(tt < ta, 0.5 * acc * tt ** 2,
                     np.where(tt > total - ta, dist - 0.5 * acc * (total - tt) ** 2, cruise))
        spd = np.where(tt < ta, acc * tt, np.where(tt > total - ta, acc * (total - tt), vm))
        self.kt.append(depart + tt)
        self.klat.append(np.interp(s, cum, v[:, 0]))
        self.klon.append(np.interp(s, cum, v[:, 1]))
        self.kspd.append(np.clip(spd, 0, None))
        self.moves.append((depart, depart + total, False))
        return depart + total

    def _ferry(self, a, b, depart, duration):
        self.kt.append([depart, depart + duration])
        self.klat.append([a[0], b[0]])
        self.klon.append([a[1], b[1]])
        self.kspd.append([0.0, 0.0])
        self.moves.append((depart, depart + duration, True))
        return depart + duration

    def go(self, dest, depart):
        depart = max(depart, self.free + 120)
        a, b = self.place, dest
        nodes = self.region.nodes
        if a[2] == b[2] or _dist_m(a[0], a[1], b[0], b[1]) < 3000:
            t = self._drive([a[:2], self._corner(a, b), b[:2]], depart)
        else:
            step = 1 if b[2] > a[2] else -1
            idx = list(range(a[2], b[2] + step, step))
            fe = self.region.spec.get("ferry_edge")
            cut = None
            if fe is not None:
                for k in range(len(idx) - 1):
                    if {idx[k], idx[k + 1]} == set(fe):
                        cut = k
            first = nodes[idx[0]]
            last = nodes[idx[-1]]
            if cut is None:
                verts = [a[:2], self._corner(a, first), *nodes[idx], self._corner(last, b), b[:2]]
                t = self._drive(verts, depart)
            else:
                verts = [a[:2], self._corner(a, first), *nodes[idx[:cut + 1]]]
                t = self._drive(verts, depart)
                pa_, pb_ = nodes[idx[cut]], nodes[idx[cut + 1]]
                t = self._ferry(pa_, pb_, t + 3600, 3.5 * 3600)
                self.kt.append([t + 600])
                self.klat.append([pb_[0]])
                self.klon.append([pb_[1]])
                self.kspd.append([0.0])
                verts = [*nodes[idx[cut + 1:]], self._corner(last, b), b[:2]]
                t = self._drive(verts, t + 600)
        self.place, self.free = dest, t
        return t

    def arrays(self):
        return (np.concatenate([np.asarray(x, float) for x in self.kt]),
                np.concatenate([np.asarray(x, float) for x in self.klat]),
                np.concatenate([np.asarray(x, float) for x in self.klon]),
                np.concatenate([np.asarray(x, float) for x in self.kspd]))


def _utc(day0, d, hour, tz):
    dt = datetime.combine(day0 + timedelta(days=d), time(0), tzinfo=ZoneInfo(tz)) + timedelta(hours=hour)
    return dt.timestamp()


def _events(kind, rng, reg, day0, days, home, work, shops):
    """(local day, local hour, place) in time order-ish; campervan returns its campsites too."""
    u = rng.uniform
    ev = []
    for d in range(days):
        wd = (day0 + timedelta(days=d)).weekday()
        if kind in ("office_commuter", "ferry_commuter"):
            if wd < 5 and rng.random() > 0.05:
                if kind == "office_commuter":
                    ev += [(d, u(7.0, 8.6), work), (d, u(16.5, 18.3), home)]
                else:
                    ev += [(d, u(6.6, 7.6), work), (d, u(17.2, 18.8), home)]
                if rng.random() < 0.25:
                    h = u(19.2, 20.0)
                    ev += [(d, h, shops[rng.integers(len(shops))]), (d, h + u(0.4, 1.2), home)]
            elif rng.random() < 0.65:
                h = u(9.5, 14.0)
                ev += [(d, h, shops[rng.integers(len(shops))]), (d, h + u(0.7, 3.0), home)]
        elif kind == "dairy_farmer":
            ev += [(d, u(4.45, 4.8), work), (d, u(6.9, 7.2), home),
                   (d, u(14.7, 14.95), work), (d, u(16.9, 17.2), home)]
            if rng.random() < 0.3:
                h = u(10.0, 11.5)
                ev += [(d, h, shops[rng.integers(len(shops))]), (d, h + u(0.5, 1.5), home)]
        elif kind == "retiree":
            if rng.random() < 0.7:
                h = u(9.3, 11.0)
                ev += [(d, h, shops[rng.integers(len(shops))]), (d, h + u(0.5, 2.0), home)]
            if rng.random() < 0.3:
                h = u(13.5, 15.5)
                ev += [(d, h, shops[rng.integers(len(shops))]), (d, h + u(0.5, 1.5), home)]
    if kind == "shift_worker":
        phase = int(rng.integers(14))
        for d in range(days):
            c = (d + phase) % 14
            if c < 4:
                ev += [(d, u(6.2, 6.6), work), (d, u(15.5, 16.0), home)]
            elif 7 <= c < 11:
                ev += [(d, u(20.2, 20.6), work), (d, 24 + u(7.2, 7.7), home)]
            elif rng.random() < 0.5:
                h = u(10.5, 13.0)
                ev += [(d, h, shops[rng.integers(len(shops))]), (d, h + u(0.5, 2.0), home)]
    elif kind == "resort_worker":
        off = int(rng.integers(7))
        late0 = rng.random() < 0.5
        for d in range(days):
            if (day0 + timedelta(days=d)).weekday() == off:
                if rng.random() < 0.6:
                    h = u(9.5, 11.0)
                    ev += [(d, h, shops[rng.integers(len(shops))]), (d, h + u(0.5, 2.0), home)]
                continue
            if late0 ^ ((d // 7) % 2 == 1):
                ev += [(d, u(12.2, 12.5), work), (d, u(21.1, 21.4), home)]
            else:
                ev += [(d, u(6.2, 6.5), work), (d, u(15.1, 15.4), home)]
    elif kind == "fisherman":
        d = int(rng.integers(0, 3))
        while d < days:
            sea = int(rng.integers(3, 7))
            ev += [(d, u(4.0, 5.0), work), (d + sea, u(14.0, 18.0), home)]
            rest = int(rng.integers(2, 6))
            for k in range(1, rest):
                if rng.random() < 0.5:
                    h = u(9.5, 12.0)
                    day = d + sea + k
                    ev += [(day, h, shops[rng.integers(len(shops))]), (day, h + u(0.5, 2), home)]
            d += sea + rest
    return ev


def _campervan(rng, reg, days):
    n = len(reg.nodes)
    terminals = set(reg.spec["ferry_edge"])
    stops = [i for i in range(n) if i not in terminals]
    i = int(rng.choice(stops))
    direction = 1 if rng.random() < 0.5 else -1
    camp = reg.scatter(rng, i, 400, 1200)
    camps, ev = [(0, camp)], []
    d = 0
    while d < days:
        nights = int(rng.integers(1, 4))
        for k in range(1, nights):
            h = rng.uniform(10.0, 11.0)
            town = reg.point(*reg.nodes[i])
            ev += [(d + k, h, town), (d + k, h + rng.uniform(3.0, 5.0), camp)]
        d += nights
        if d >= days:
            break
        j = i + direction * int(rng.integers(1, 3))
        if j < 0 or j >= n:
            direction = -direction
            j = i + direction * int(rng.integers(1, 3))
        j = min(max(j, 0), n - 1)
        while j in terminals:
            j += direction
        camp = reg.scatter(rng, j, 400, 1200)
        ev.append((d, rng.uniform(9.0, 10.5), camp))
        camps.append((d, camp))
        i = j
    return ev, camps


def _sample(device, rng, moves, w0, w1):
    """Fix times (float seconds) for a device."""
    parts = []
    if device.startswith("sat-"):
        n = int((w1 - w0) / 600) + 2
        t = w0 + rng.uniform(0, 600) + np.cumsum(rng.uniform(600, 900, n))
        parts.append(t)
    else:
        for t0, t1, ferry in moves:
            if ferry:
                continue
            dur = t1 - t0
            if device == "tracker-kt3":
                n = int(dur / 10) + 2
                t = t0 + np.cumsum(rng.uniform(10, 30, n))
                parts.append(np.concatenate([[t0], t[t < t1 - 3], [t1]]))
            else:
                if rng.random() < 0.1:
                    continue
                n = int(dur / 5) + 2
                t = t0 + rng.uniform(0, 10) + np.cumsum(rng.uniform(5, 20, n))
                t = t[t <= t1]
                if rng.random() < 0.33 and dur > 300:
                    g0 = rng.uniform(t0, t1)
                    t = t[(t < g0) | (t > g0 + rng.uniform(120, 900))]
                parts.append(t)
    t = np.concatenate(parts) if parts else np.zeros(0)
    t = np.unique(np.round(t))
    if device.startswith("sat-") and len(moves):
        mv = np.asarray(moves, dtype=float)
        k = np.searchsorted(mv[:, 0], t, side="right") - 1
        at_sea = (k >= 0) & (t <= mv[np.maximum(k, 0), 1]) & (mv[np.maximum(k, 0), 2] > 0)
        t = t[~at_sea]
    return t[(t >= w0) & (t < w1)]


def _fmt(x):
    return [round(float(x[0]), 6), round(float(_wrap(x[1])), 6)]


def write_pacific_fleet(folder, vehicles: int = 120, days: int = 28, seed: int = 0) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([seed, 20260927])
    day0 = DST_DAY - timedelta(days=days // 2)

    # --- the fleet: kind, region, device ------------------------------------------------------
    specs = list(FORCED[:vehicles]) if vehicles >= 10 else []
    while len(specs) < vehicles:
        kind = str(rng.choice(KINDS, p=KIND_WEIGHTS))
        names, w = KIND_REGIONS[kind]
        region = str(rng.choice(names, p=w))
        fiji = REGIONS[region]["file"] == "fiji"
        devs = ["tracker-kt3", "sat-orblink" if fiji else "sat-skyfix"]
        if kind in PHONE_KINDS:
            devs.append("phone-app")
        specs.append((kind, region, str(rng.choice(devs))))
    specs = [specs[i] for i in rng.permutation(len(specs))]
    counters = {"nz": 0, "fiji": 0}
    fleet = []
    for kind, region, device in specs:
        file = REGIONS[region]["file"]
        vid = f"{'NZ' if file == 'nz' else 'FJ'}{counters[file]:04d}"
        counters[file] += 1
        fleet.append(dict(id=vid, kind=kind, region=region, device=device, file=file,
                          tz=REGIONS[region]["tz"]))

    # --- faults chosen up front -----------------------------------------------------------------
    nz_commuters = [v["id"] for v in fleet if v["kind"] == "office_commuter" and v["file"] == "nz"
                    and v["region"] != "chatham"]
    nz_other = [v["id"] for v in fleet if v["file"] == "nz" and v["kind"] != "campervan"
                and v["id"] not in nz_commuters and v["region"] != "chatham"]
    clock_ids = (nz_commuters + nz_other)[:2]
    fw_cands = [v["id"] for v in fleet if v["region"] == "taveuni" and v["device"] != "sat-orblink"]
    fw_id = fw_cands[0] if fw_cands else None
    n_var = min(len(fleet), max(1, round(0.03 * len(fleet)))) if len(fleet) >= 3 else 0
    variant_ids = [fleet[i]["id"] for i in rng.choice(len(fleet), n_var, replace=False)]
    variants = {}
    for k, vid in enumerate(variant_ids):
        style = k % 3
        variants[vid] = vid.lower() if style == 0 else (vid[:2] + " " + vid[2:] if style == 1 else vid + " ")

    truth_v, rows = {}, {"nz": [], "fiji": []}
    jumps = []
    w_fw = None
    for v in fleet:
        reg = _Region(v["region"])
        spec = reg.spec
        tz = v["tz"]
        w0, w1 = _utc(day0, 0, 0, tz), _utc(day0, days, 0, tz)
        home = work = None
        camps = None
        shops = [reg.scatter(rng, int(rng.choice(spec.get("shops", [0]))), 100, 600) for _ in range(2)]
        kind = v["kind"]
        if kind == "campervan":
            ev, camps = _campervan(rng, reg, days)
            start = camps[0][1]
        else:
            if kind == "dairy_farmer":
                home = reg.scatter(rng, int(rng.choice(spec["homes"])), 2000, 6000)
                work = reg.point(*_move(home[0], home[1], rng.uniform(500, 2000), rng.uniform(0, 360)))
            elif kind == "ferry_commuter":
                home = reg.scatter(rng, int(rng.choice(spec["ferry_homes"])), 300, 900)
                work = reg.point(*spec["terminal"])
            elif kind == "resort_worker":
                east = rng.random() < 0.5
                home = reg.scatter(rng, int(rng.choice([0, 1, 2] if east else [4, 5])), 300, 1000)
                work = reg.scatter(rng, int(rng.choice([5, 6] if east else [0, 1])), 200, 600)
            else:
                home = reg.scatter(rng, int(rng.choice(spec["homes"])), 300, 1500)
                if kind == "office_commuter":
                    w = spec["works"][rng.integers(len(spec["works"]))]
                    work = reg.point(*_move(w[0], w[1], rng.uniform(50, 300), rng.uniform(0, 360)))
                elif kind == "shift_worker":
                    work = reg.point(*spec["hospital"])
                elif kind == "fisherman":
                    work = reg.point(*spec["wharf"])
            ev = _events(kind, rng, reg, day0, days, home, work, shops)
            start = home
        track = _Track(reg, rng, start, w0)
        for t, place in sorted(((_utc(day0, d, h, tz), p) for d, h, p in ev), key=lambda x: x[0]):
            if t < w1 - 3600 and track.free < w1 - 3600:
                track.go(place, t)
        kt, klat, klon, kspd = track.arrays()
        t = _sample(v["device"], rng, track.moves, w0, w1)
        lat, lon, spd = np.interp(t, kt, klat), np.interp(t, kt, klon), np.interp(t, kt, kspd)
        mv = np.asarray(track.moves, dtype=float).reshape(-1, 3)
        k = np.searchsorted(mv[:, 0], t, side="right") - 1
        moving = (k >= 0) & (t <= mv[np.maximum(k, 0), 1]) if len(mv) else np.zeros(len(t), bool)
        n = len(t)
        noise = np.where(moving, rng.normal(0, 4, n), rng.uniform(20, 80, n))
        lat, lon = _move(lat, lon, noise, rng.uniform(0, 360, n))
        spd = np.where(moving, np.clip(spd + rng.normal(0, 0.4, n) * (spd > 0), 0, None), 0.0)
        true_lat, true_lon = lat.copy(), lon.copy()
        # GPS jumps: single fixes whose neighbours are within 300 m
        if n > 10 and v["id"] not in clock_ids and rng.random() < 0.2:
            dn = _dist_m(lat[1:], lon[1:], lat[:-1], lon[:-1])
            ok = np.zeros(n, bool)
            ok[1:-1] = (dn[:-1] < 300) & (dn[1:] < 300)
            cand = np.flatnonzero(ok)
            if len(cand):
                for i in rng.choice(cand, min(len(cand), int(rng.integers(1, 4))), replace=False):
                    km = rng.uniform(1, 5)
                    lat[i], lon[i] = _move(lat[i], lon[i], km * 1000, rng.uniform(0, 360))
                    ts = datetime.fromtimestamp(t[i], timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
                    jumps.append(dict(vehicle_id=v["id"], time_utc=ts, true=_fmt((true_lat[i], true_lon[i])),
                                      written=_fmt((lat[i], lon[i])), km=round(float(km), 3)))
        out_lon = _wrap(lon)
        if v["device"] == "sat-orblink":
            out_lon = lon % 360.0
        if v["id"] == fw_id:
            w_fw = float(np.round((w0 + w1) / 2))
            out_lon = np.where(t >= w_fw, lon % 360.0, out_lon)
        rows[v["file"]].append(dict(id=variants.get(v["id"], v["id"]), t=t.astype(np.int64),
                                    lat=np.round(lat, 6), lon=np.round(out_lon, 6), spd=spd,
                                    tz=tz, clock=v["id"] in clock_ids))
        truth_v[v["id"]] = dict(home=_fmt(home) if home else None, work=_fmt(work) if work else None,
                                kind=kind, region=v["region"], device=v["device"], timezone=tz,
                                file="nz_pings.csv" if v["file"] == "nz" else "fiji_pings.parquet",
                                id_in_pings=variants.get(v["id"], v["id"]))
        if camps is not None:
            truth_v[v["id"]]["campsites"] = [_fmt(c) for _, c in camps]

    # --- duplicates and writing -----------------------------------------------------------------
    dups = {}

    def _cat(file):
        rs = rows[file] or [dict(id="", t=np.zeros(0, np.int64), lat=np.zeros(0), lon=np.zeros(0),
                                 spd=np.zeros(0), tz="UTC", clock=False)]
        ids = np.concatenate([np.full(len(r["t"]), r["id"], dtype=object) for r in rs])
        cols = {c: np.concatenate([r[c] for r in rs]) for c in ("t", "lat", "lon", "spd")}
        tzs = np.concatenate([np.full(len(r["t"]), r["tz"], dtype=object) for r in rs])
        clock = np.concatenate([np.full(len(r["t"]), r["clock"], dtype=bool) for r in rs])
        n = len(ids)
        k = int(round(n * 0.004))
        dup = np.sort(rng.choice(n, k, replace=False)) if n and k else np.zeros(0, np.int64)
        order = np.sort(np.concatenate([np.arange(n), dup]))
        dups[file] = int(k)
        return ids[order], {c: a[order] for c, a in cols.items()}, tzs[order], clock[order]

    ids, cols, tzs, clock = _cat("nz")
    t = cols["t"].astype(np.int64)
    off = np.zeros(len(t), np.int64)
    for tz in sorted(set(tzs)):
        m = tzs == tz
        if not m.any():
            continue
        z = ZoneInfo(tz)
        g0 = int(t[m].min()) // 3600 * 3600
        hours = np.arange(g0, int(t[m].max()) + 7200, 3600)
        grid = np.array([datetime.fromtimestamp(int(h), z).utcoffset().total_seconds() for h in hours],
                        np.int64)
        off[m] = grid[(t[m] - g0) // 3600]
    off[clock] = 12 * 3600
    wall = np.where(clock, t, t + off)
    stamps = np.datetime_as_string(wall.astype("datetime64[s]"), unit="s").astype(object)
    suffix = {o: f"+{o // 3600:02d}:{o % 3600 // 60:02d}" for o in set(off.tolist())}
    stamps = stamps + pd.Series(off).map(suffix).to_numpy(dtype=object)
    nz = pd.DataFrame({"vehicle_id": ids, "timestamp": stamps, "lat": cols["lat"], "lon": cols["lon"],
                       "speed_kmh": np.round(cols["spd"] * 3.6, 1)})
    nz.to_csv(folder / "nz_pings.csv", index=False, lineterminator="\n")

    ids, cols, _, _ = _cat("fiji")
    table = pa.table({"asset": pa.array(ids.tolist(), pa.string()),
                      "fix_time": pa.array(cols["t"].astype(np.int64) * 1000, pa.timestamp("ms", tz="UTC")),
                      "latitude": pa.array(cols["lat"], pa.float64()),
                      "longitude": pa.array(cols["lon"], pa.float64()),
                      "speed_mps": pa.array(np.round(cols["spd"], 2), pa.float64())})
    pq.write_table(table, folder / "fiji_pings.parquet")

    # --- labels -------------------------------------------------------------------------------
    labelled = [vid for vid, tv in truth_v.items() if (tv["home"] or tv["work"]) and rng.random() < 0.75]
    n_wrong = max(1, round(0.05 * len(labelled))) if len(labelled) >= 5 else 0
    wrong_ids = set(rng.choice(labelled, n_wrong, replace=False).tolist()) if n_wrong else set()
    lab_rows, wrong = [], []
    for vid in labelled:
        tv = truth_v[vid]
        lab = {k: tv[k] for k in ("home", "work") if tv[k]}
        reasons = {}
        if vid in wrong_ids:
            if tv["home"] and tv["work"] and rng.random() < 0.5:
                lab = {"home": tv["work"], "work": tv["home"]}
                reasons = {"home": "swapped", "work": "swapped"}
            elif tv["home"] and tv["work"]:
                lab["home"] = tv["work"]
                reasons = {"home": "home_at_work"}
            else:
                key = next(iter(lab))
                la, lo = _move(lab[key][0], lab[key][1], rng.uniform(3000, 6000), rng.uniform(0, 360))
                lab[key] = [la, lo]
                reasons = {key: "unvisited_place"}
        for key, (la, lo) in lab.items():
            la, lo = _move(la, lo, rng.uniform(10, 30), rng.uniform(0, 360))
            p = _fmt((la, lo))
            lab_rows.append((vid, key, p[0], p[1]))
            if key in reasons:
                wrong.append(dict(vehicle_id=vid, label=key, lat=p[0], lon=p[1], reason=reasons[key]))
    pd.DataFrame(lab_rows, columns=["vehicle_id", "label", "lat", "lon"]).to_csv(
        folder / "labels.csv", index=False, lineterminator="\n")
    pd.DataFrame([(v["id"], v["region"], v["device"], v["tz"],
                   "nz_pings.csv" if v["file"] == "nz" else "fiji_pings.parquet") for v in fleet],
                 columns=["vehicle_id", "region", "device", "timezone", "file"]).to_csv(
        folder / "vehicles.csv", index=False, lineterminator="\n")

    iso = lambda s: datetime.fromtimestamp(s, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    truth = {
        "vehicles": truth_v,
        "wrong_labels": wrong,
        "faults": {
            "duplicates": {"nz_pings.csv": dups["nz"], "fiji_pings.parquet": dups["fiji"]},
            "clock_utc_as_plus12": {"vehicles": clock_ids, "written_minus_true_hours": -12},
            "id_variants": variants,
            "gps_jumps": jumps,
            "lon_0_360_device": {"device": "sat-orblink",
                                 "vehicles": [v["id"] for v in fleet if v["device"] == "sat-orblink"]},
            "lon_0_360_after_firmware": ({"vehicle_id": fw_id, "from_utc": iso(w_fw)} if fw_id else None),
        },
        "window": {"first_local_day": day0.isoformat(), "days": days,
                   "dst_switch_utc": "2026-09-26T14:00:00Z"},
    }
    (folder / "truth.json").write_text(json.dumps(truth, indent=1, sort_keys=True) + "\n")
    return folder


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--vehicles", type=int, default=120)
    ap.add_argument("--days", type=int, default=28)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    print(write_pacific_fleet(a.out, a.vehicles, a.days, a.seed))


if __name__ == "__main__":
    main()
