"""Synthetic fleet: Greater São Paulo and Campinas, with the rodízio, a holiday long weekend,
two export platforms and recorded faults.

``write_saopaulo_fleet(folder, vehicles=120, days=28, seed=0)`` writes five files into
``folder`` (created if missing).  CLI: ``python bench/fleets/saopaulo.py OUT [--vehicles N]
[--days D] [--seed S]``.  Same arguments give byte-identical files; another seed gives other
files.

Window and clock
    Local days start Monday 2026-04-20 00:00 (America/Sao_Paulo, UTC-03:00 all year, no DST
    since 2019) and run ``days`` days (default 28: to Sunday 2026-05-17, crossing April/May).
    Public holidays inside the window: Tue 2026-04-21 (Tiradentes), Fri 2026-05-01 (Dia do
    Trabalho: long weekend 1-3 May), Thu 2026-06-04 (Corpus Christi) when the window reaches it.

``rastreamento.csv`` (fleet-tracker export, Brazilian style)
    UTF-8 with BOM, ``;`` separator, CRLF line ends, no quoting, header
    ``placa;data_hora;latitude;longitude;velocidade;ignicao``.
    placa: plate = the vehicle id (Mercosul ``ABC1D23`` or old ``ABC-1234``).
    data_hora: ``dd/mm/yyyy HH:MM:SS``, naive local São Paulo time (one faulty device: below).
    latitude, longitude: decimal comma, exactly 6 decimals (e.g. ``-23,561412``).
    velocidade: km/h, decimal comma, exactly 1 decimal.  ignicao: ``Sim`` / ``Não``.
    Rows grouped by vehicle (vehicles.csv order), each in time order.
    Device ``rastreador``: a fix every 15-60 s while moving (interval fixed per vehicle, +-15 %
    jitter; armoured trucks 15 s), one at departure (speed 0, Sim) and one at arrival (speed 0,
    Não); nothing while parked.  Device ``seguro`` (insurance): a fix every 120-300 s always;
    moving fixes Sim with speed, parked fixes speed 0, Não, 3-15 m scatter.
``app_pings.parquet`` (ride-hailing / phone-app platform)
    Columns driver_uuid (string, a UUID = the vehicle id), ts (int64, epoch SECONDS, UTC), lat,
    lng (float64, 6 decimals), accuracy_m (float64: 4-15 moving, 8-60 parked).  Sorted by
    driver_uuid, ts.  Device ``app_celular``: 15-60 s while moving (plus departure and arrival
    fixes), every 120-300 s while parked, always on.  No speed column.  Holds every app driver
    and ~12 % of the other commuters, retirees, coast families and factory workers.
``labels.csv``
    ``vehicle_id,label,lat,lon`` (dot decimals); label ``home`` or ``work``; for ~75 % of the
    vehicles that have a true home or work, one row per true place, 10-30 m off the truth.
    ~5 % of label rows are wrong (moved to another place, or an extra ``work`` label for an app
    driver at an airport queue lot); every wrong row is listed in truth ``wrong_labels``.
``vehicles.csv``
    ``vehicle_id,plate,plate_final_digit,city,device,source,vehicle_type``; device in
    rastreador|seguro|app_celular; source = the file holding the pings; vehicle_type in
    carro|moto|carro_forte; city = the municipality of home (of the base for trucks).
``truth.json``
    {"tz": "America/Sao_Paulo", "utc_offset_hours": -3, "window": {...}, "holidays": {...},
    "rodizio": {"zone_bbox": [lat_min, lat_max, lon_min, lon_max], "hours": [[7,10],[17,20]],
    "weekday_of_digit": {...}}, "vehicles": {id: {"home": [lat, lon] | null, "work": [lat, lon]
    | null, "kind", "device", "source", "plate", "plate_final_digit", "rodizio_weekday",
    "city", + kind extras}}, "wrong_labels": [{"vehicle_id", "label", "lat", "lon", "reason"}],
    "faults": {...}}.

Kinds (truth ``kind``; each occurs at least once when vehicles >= 7)
    commuter_centro: home outside the rodízio zone (15 % in Campinas, ~95 km by highway), work
        inside it.  On the plate's weekday (1-2 Mon, 3-4 Tue, 5-6 Wed, 7-8 Thu, 9-0 Fri; not on
        holidays) truth ``rodizio_mode`` "early" arrives at work before 06:48 and leaves it
        after 20:05; "bus" leaves the car at home all day.  Other workdays leave home
        06:57-08:18 (Campinas 05:36-06:57), leave work 17:21-19:18; sometimes an evening gym
        trip; weekend / holiday errands near home.
    motoboy: motorcycle courier, rastreador; home outside the zone, work = courier office
        (base) in the zone; Mon-Fri 30-60 drops of 2-6 min a day, 1-4 drops per job, 5-30 min
        waits at the base; Saturdays and 1 May 08:00-13:00; Sundays and 21 Apr off; on the
        rodízio weekday starts 10:03 and takes no new job after 15:30.
    app_driver: ride-hailing, pings in app_pings.parquet; shifts of 10-14 h from 05:30-08:00,
        6 days a week (truth ``day_off``: Sunday or Mon-Wed; on the rodízio weekday 10:03 to
        ~16:00), pickups of 1-4 min then a 2-15 km ride, a 25-50 min lunch, and (18 %, 40 % on
        holidays) airport runs: 20-90 min in the GRU (Guarulhos) or CGH (Congonhas) queue lot,
        a pickup at the terminal, a 6-25 km ride; truth work = null.
    factory_shift: home and factory in the ABC region; Mon-Fri shifts 06-14, 14-22, 22-06
        (the night shift starts on the named day) rotating weekly (truth ``shift_by_week``,
        index = week of the window); holidays off; weekend errands.
    carro_forte: armoured truck; overnight at its base (truth home = null, work = base);
        leaves 07:00-08:00, Mon-Fri 10-20 bank stops of 5-15 min 2-15 km from the base,
        Saturday 4-8; GPS jamming gaps (faults).
    coast_family: home outside the zone, work at an office outside the zone (Santo Amaro,
        Alphaville, Guarulhos, Tatuapé); on Fri 1 May drives to a coast house (truth
        ``coast_spot`` Santos or Guarujá, ``coast_place``; ~60-90 km by road over the Serra),
        1-2 trips a day to the seafront on 2-3 May, back on Sunday 3 May afternoon in heavy
        traffic.  Never at the coast otherwise.
    retiree: home in São Paulo (60 %) or Campinas, no work; bakery most mornings, an errand
        some afternoons, church on Sunday.
    Only commuter_centro honours the rodízio strictly; motoboys and app drivers plan around
    it (a late job may spill past 17:00); other kinds' routes may cross the zone.  Trips follow
    2-4 straight legs (L / Z shapes; fixed highway chains to the coast and Campinas): legs
    < 3 km cruise 10-50 km/h, 3-10 km up to 70, longer up to 100, slower in weekday peaks
    (06:30-09:30, 16:30-20:00), with 1.2 m/s² ramps at both ends.  Places are on land
    (reservoirs avoided; coast houses and seafront stops inland of the sand).

Faults (all recorded in truth ``faults``)
    plate_change: one car's plate changes mid-window from old ``ABC-1234`` to Mercosul
        ``ABC1C34`` (2nd digit -> letter A-J); rows from ``switch_local`` (local midnight of
        day days//2) on carry the new plate.
        The vehicle's id everywhere else is the old plate.
    duplicates: ``rows`` (~0.4 %) exact duplicate rows in rastreamento.csv, each right after
        its original.
    month_day_swapped: one device writes ``mm/dd/yyyy`` for all its rows.
    latlon_swapped: one vehicle's rows of one local day (``local_date``, its busiest) have
        latitude and longitude swapped.
    speed_knots: one vehicle's velocidade is in knots (km/h / 1.852).
    jamming: armoured trucks lose all fixes for 10-40 min on their first workday and on ~half
        of the others (Mon-Fri, 09:00-15:00, starting while moving; accepted only when the fix
        resumes >= 2 km away); listed with the local start/end of the empty window, the
        bracketing fixes' local times and the km between them.
"""
from __future__ import annotations

import argparse
import json
import math
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

START = np.datetime64("2026-04-20T00:00:00")  # a Monday, local time
UTC_OFFSET_S = 3 * 3600  # UTC = local + 3 h
HOLIDAYS = {"2026-04-21": "Tiradentes", "2026-05-01": "Dia do Trabalho",
            "2026-06-04": "Corpus Christi"}
ZONE = (-23.615, -23.495, -46.705, -46.585)  # rodízio zone (centro expandido), approx bbox
RODIZIO_WEEKDAY = {1: 0, 2: 0, 3: 1, 4: 1, 5: 2, 6: 2, 7: 3, 8: 3, 9: 4, 0: 4}
KM_LAT = 111.32
COS = math.cos(math.radians(23.5))

CENTRE = {"Paulista": (-23.5614, -46.6559), "Faria Lima": (-23.5786, -46.6868),
          "Sé": (-23.5505, -46.6333), "Vila Olímpia": (-23.5955, -46.6830),
          "Consolação": (-23.5460, -46.6570), "Brooklin": (-23.6020, -46.6900)}
OUTER = {"Itaquera": (-23.5400, -46.4560, "São Paulo"),
         "São Miguel": (-23.4980, -46.4440, "São Paulo"),
         "Tucuruvi": (-23.4780, -46.6030, "São Paulo"),
         "Pirituba": (-23.4870, -46.7240, "São Paulo"),
         "Osasco": (-23.5320, -46.7920, "Osasco"),
         "Guarulhos": (-23.4630, -46.5330, "Guarulhos"),
         "Capão Redondo": (-23.6650, -46.7830, "São Paulo"),
         "Jabaquara": (-23.6460, -46.6410, "São Paulo"),
         "Butantã": (-23.5710, -46.7250, "São Paulo"),
         "Penha": (-23.5250, -46.5430, "São Paulo"),
         "Santo Amaro": (-23.6500, -46.7080, "São Paulo")}
ABC = {"Santo André": (-23.6570, -46.5300), "São Bernardo do Campo": (-23.6940, -46.5650),
       "Diadema": (-23.6860, -46.6200), "Mauá": (-23.6680, -46.4610),
       "São Caetano do Sul": (-23.6230, -46.5510)}
FACTORIES = [(-23.7220, -46.5570), (-23.6480, -46.5150), (-23.6930, -46.6090)]
CAMPINAS = {"Centro": (-22.9060, -47.0610), "Taquaral": (-22.8730, -47.0560),
            "Barão Geraldo": (-22.8250, -47.0800), "Cambuí": (-22.8950, -47.0480)}
OFFICES_OUTER = [(-23.6500, -46.7150), (-23.4970, -46.8500), (-23.4400, -46.5200),
                 (-23.5270, -46.5500)]  # Santo Amaro, Alphaville, Guarulhos ind., Tatuapé
BASES = [((-23.5300, -46.7350), "São Paulo"), ((-23.6450, -46.5200), "Santo André"),
         ((-23.4700, -46.5500), "Guarulhos")]
AIRPORTS = {"GRU": {"lot": (-23.4300, -46.4860), "terminal": (-23.4335, -46.4790)},
            "CGH": {"lot": (-23.6200, -46.6620), "terminal": (-23.6265, -46.6565)}}
COAST = {"Santos": {"house": (-23.9600, -46.3335), "orla": (-23.9660, -46.3335),
                    "via": [(-23.9400, -46.3700)]},
         "Guarujá": {"house": (-23.9880, -46.2580), "orla": (-23.9925, -46.2565),
                     "via": [(-23.8850, -46.3900), (-23.9300, -46.2850)]}}
COAST_CHAIN = [(-23.6480, -46.6300), (-23.7400, -46.6000), (-23.8500, -46.5400),
               (-23.9000, -46.4500)]
CAMPINAS_CHAIN = [(-22.9500, -47.0300), (-23.1900, -46.8900), (-23.4500, -46.7700),
                  (-23.5150, -46.7200)]
KINDS = ["commuter_centro", "motoboy", "app_driver", "factory_shift", "carro_forte",
         "coast_family", "retiree"]
KIND_WEIGHTS = [0.26, 0.12, 0.14, 0.14, 0.06, 0.12, 0.16]
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


# ---------------------------------------------------------------- geography
def in_zone(lat, lon, margin=0.0):
    return (ZONE[0] - margin < lat < ZONE[1] + margin) and (ZONE[2] - margin < lon < ZONE[3] + margin)


def on_land(lat, lon):
    if lat < -23.665 and -46.77 < lon < -46.70:  # Guarapiranga
        return False
    if lat < -23.735 and -46.68 < lon < -46.45:  # Billings
        return False
    return True


def region_of(lat):
    return "campinas" if lat > -23.1 else ("coast" if lat < -23.85 else "sp")


REGION_BOX = {"sp": (-23.72, -23.42, -46.84, -46.42), "campinas": (-22.97, -22.81, -47.13, -46.99)}


def km(a, b):
    return math.hypot((a[0] - b[0]) * KM_LAT, (a[1] - b[1]) * KM_LAT * COS)


def jitter(rng, p, radius_km):
    r = radius_km * math.sqrt(rng.random())
    ang = rng.uniform(0, 2 * math.pi)
    return (p[0] + r * math.sin(ang) / KM_LAT, p[1] + r * math.cos(ang) / (KM_LAT * COS))


def place_near(rng, p, rmin, rmax, avoid_zone=False, want_zone=False):
    box = REGION_BOX.get(region_of(p[0]), REGION_BOX["sp"])
    for _ in range(60):
        r = rng.uniform(rmin, rmax)
        ang = rng.uniform(0, 2 * math.pi)
        q = (p[0] + r * math.sin(ang) / KM_LAT, p[1] + r * math.cos(ang) / (KM_LAT * COS))
        if not (box[0] < q[0] < box[1] and box[2] < q[1] < box[3]) or not on_land(*q):
            continue
        if avoid_zone and in_zone(*q, 0.01):
            continue
        if want_zone and not in_zone(*q, -0.01):
            continue
        return q
    return p


def anchored(rng, p, radius, avoid_zone=False, want_zone=False):
    for _ in range(100):
        q = jitter(rng, p, radius)
        if on_land(*q) and not (avoid_zone and in_zone(*q, 0.01)) and \
                not (want_zone and not in_zone(*q, -0.008)):
            return q
    return p


def route(rng, a, b):
    """Waypoints of a road-like path from a to b."""
    ra, rb = region_of(a[0]), region_of(b[0])
    if ra != rb:
        if "coast" in (ra, rb):
            spot = min(COAST.values(), key=lambda s: km(s["house"], b if rb == "coast" else a))
            chain = COAST_CHAIN + spot["via"]
            if ra == "coast":
                chain = chain[::-1]
        else:
            chain = CAMPINAS_CHAIN if ra == "campinas" else CAMPINAS_CHAIN[::-1]
        first, last = chain[0], chain[-1]
        return [a, *town(rng, a, first)[1:-1], *chain, *town(rng, last, b)[1:-1], b]
    return town(rng, a, b)


def town(rng, a, b):
    if km(a, b) < 0.4:
        return [a, b]
    u = rng.random()
    if u < 0.4:
        return [a, (a[0], b[1]), b]
    if u < 0.8:
        return [a, (b[0], a[1]), b]
    m = rng.uniform(0.3, 0.7)
    mid = a[1] + m * (b[1] - a[1])
    return [a, (a[0], mid), (b[0], mid), b]


class Trip:
    __slots__ = ("t0", "T", "tt", "s", "v", "cum", "wlat", "wlon")


def make_trip(rng, wps, jam):
    wlat = np.array([p[0] for p in wps])
    wlon = np.array([p[1] for p in wps])
    seg = np.hypot(np.diff(wlat) * KM_LAT, np.diff(wlon) * KM_LAT * COS) * 1000.0
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    L = max(cum[-1], 50.0)
    n = min(max(int(L / 40.0), 4), 800)
    s = np.linspace(0.0, L, n + 1)
    idx = np.clip(np.searchsorted(cum, s, side="right") - 1, 0, len(seg) - 1)
    seg_len = seg[idx]
    cruise = np.where(seg_len < 3000, 50.0, np.where(seg_len < 10000, 70.0, 100.0)) / 3.6
    lo = np.where(seg_len < 3000, 0.2, np.where(seg_len < 10000, 0.25, 0.75))
    k = int(L / 250.0) + 2
    u = np.interp(s, np.linspace(0.0, L, k), rng.random(k))
    mult = lo + (1.0 - lo) * u
    jam_s = np.where(seg_len < 10000, jam[0], jam[1])
    v = np.maximum(cruise * mult * jam_s, 2.0)
    ramp = np.sqrt(2 * 1.2 * np.minimum(s, L - s) + 1.0)
    v = np.minimum(v, ramp)
    dt = np.diff(s) / (0.5 * (v[1:] + v[:-1]))
    tr = Trip()
    tr.tt = np.concatenate([[0.0], np.cumsum(dt)])
    tr.T = float(tr.tt[-1])
    tr.s, tr.v, tr.cum, tr.wlat, tr.wlon = s, v, cum, wlat, wlon
    return tr


def eval_trip(tr, t):
    """Positions and speeds (km/h) at absolute times t inside the trip."""
    rel = np.clip(t - tr.t0, 0.0, tr.T)
    s = np.interp(rel, tr.tt, tr.s)
    lat = np.interp(s, tr.cum, tr.wlat)
    lon = np.interp(s, tr.cum, tr.wlon)
    v = np.interp(rel, tr.tt, tr.v) * 3.6
    v[(rel <= 0.0) | (rel >= tr.T)] = 0.0
    return lat, lon, v


# ---------------------------------------------------------------- schedule
class Life:
    def __init__(self, rng, start_place):
        self.rng = rng
        self.t = 0.0
        self.pos = start_place
        self.trips: list[Trip] = []
        self.stays: list[tuple[float, float, tuple[float, float]]] = []

    def go(self, dest, depart=None, arrive_by=None, jam=None, min_dwell=60.0):
        rng = self.rng
        planned = depart if depart is not None else arrive_by
        if jam is None:
            jam = traffic(planned)
        tr = make_trip(rng, route(rng, self.pos, dest), jam)
        dep = depart if depart is not None else arrive_by - tr.T
        dep = max(dep, self.t + min_dwell)
        self.stays.append((self.t, dep, self.pos))
        tr.t0 = dep
        self.trips.append(tr)
        self.t = dep + tr.T
        self.pos = dest
        return self.t

    def finish(self, end):
        self.stays.append((self.t, max(end, self.t), self.pos))


def traffic(t):
    day, sec = divmod(t, 86400.0)
    h = sec / 3600.0
    wd = int(day) % 7
    if wd < 5 and (6.5 <= h < 9.5 or 16.5 <= h < 20.0):
        return (0.55, 0.8)
    if h < 5.5 or h >= 22.0:
        return (1.0, 1.0)
    return (0.85, 1.0)


def day_info(d):
    date = START + np.timedelta64(d, "D")
    key = str(date)[:10]
    return d * 86400.0, d % 7, key in HOLIDAYS, key


def H(d0, h):
    return d0 + h * 3600.0


def minutes(rng, a, b):
    return rng.uniform(a, b) * 60.0


def weekend_errands(life, rng, d0, home, p=0.6):
    if rng.random() < p:
        shop = place_near(rng, home, 0.8, 4.0)
        life.go(shop, depart=H(d0, rng.uniform(9, 16.5)))
        life.go(home, depart=life.t + minutes(rng, 25, 120))


def plan_commuter(v, life, rng, days):
    home, work = v["home"], v["work"]
    for d in range(days):
        d0, wd, hol, _ = day_info(d)
        if wd < 5 and not hol:
            if wd == v["rodizio_weekday"]:
                if v["rodizio_mode"] == "bus":
                    continue
                life.go(work, arrive_by=H(d0, 6.8) - minutes(rng, 0, 25))
                life.go(home, depart=H(d0, 20.08) + minutes(rng, 0, 45))
            else:
                early = 5.6 if region_of(home[0]) == "campinas" else 6.95
                life.go(work, depart=H(d0, rng.uniform(early, early + 1.35)))
                life.go(home, depart=H(d0, rng.uniform(17.35, 19.3)))
            if rng.random() < 0.12 and life.t < H(d0, 20.5):
                gym = place_near(rng, home, 0.5, 2.5)
                life.go(gym, depart=life.t + minutes(rng, 20, 60))
                life.go(home, depart=life.t + minutes(rng, 45, 90))
        else:
            weekend_errands(life, rng, d0, home)


def plan_motoboy(v, life, rng, days):
    home, base = v["home"], v["work"]
    for d in range(days):
        d0, wd, hol, key = day_info(d)
        if wd == 6 or (hol and key != "2026-05-01"):
            continue
        if wd == 5 or hol:
            start, end, target = rng.uniform(8, 8.5), 13.0, rng.integers(12, 26)
        elif wd == v["rodizio_weekday"]:
            start, end, target = 10.05, 15.5, rng.integers(20, 35)
        else:
            start, end, target = rng.uniform(7.5, 8.3), rng.uniform(18.5, 19.5), rng.integers(30, 61)
        life.go(base, depart=H(d0, start))
        stops = 0
        while life.t < H(d0, end) and stops < target:
            wait = minutes(rng, 5, 30)
            for j in range(int(rng.integers(1, 5))):
                drop = place_near(rng, base, 1.0, 6.5)
                life.go(drop, depart=life.t + (wait if j == 0 else minutes(rng, 2, 6)))
                stops += 1
            life.go(base, depart=life.t + minutes(rng, 2, 6))
        life.go(home, depart=life.t + minutes(rng, 2, 10))


def plan_app(v, life, rng, days):
    home = v["home"]
    for d in range(days):
        d0, wd, hol, _ = day_info(d)
        if wd == v["day_off"]:
            continue
        if wd == v["rodizio_weekday"] and not hol and wd < 5:
            start, end = 10.05, 16.0
        else:
            start = rng.uniform(5.5, 8.0)
            end = start + rng.uniform(10, 14)
        p_air = 0.4 if hol else 0.18
        lunch = False
        first = True
        while first or life.t < H(d0, end):
            gap = H(d0, start) if first else life.t + minutes(rng, 0, 8)
            first = False
            if not lunch and life.t > H(d0, 12.5):
                gap += minutes(rng, 25, 50)
                lunch = True
            if rng.random() < p_air:
                ap = AIRPORTS["GRU" if rng.random() < 0.6 else "CGH"]
                life.go(anchored(rng, ap["lot"], 0.05), depart=gap)
                life.go(ap["terminal"], depart=life.t + minutes(rng, 20, 90))
                dest = place_near(rng, ap["terminal"], 6.0, 25.0)
                life.go(dest, depart=life.t + minutes(rng, 1, 4))
            else:
                pick = place_near(rng, life.pos, 0.5, 4.0)
                life.go(pick, depart=gap)
                dest = place_near(rng, pick, 2.0, 15.0)
                life.go(dest, depart=life.t + minutes(rng, 1, 4))
        life.go(home, depart=life.t + minutes(rng, 1, 10))


def plan_factory(v, life, rng, days):
    home, work = v["home"], v["work"]
    for d in range(days):
        d0, wd, hol, _ = day_info(d)
        if wd < 5 and not hol:
            shift = v["shift_by_week"][d // 7]
            begin = {"06-14": 6.0, "14-22": 14.0, "22-06": 22.0}[shift]
            life.go(work, arrive_by=H(d0, begin - 0.2) - minutes(rng, 0, 15))
            life.go(home, depart=H(d0, begin + 8.05) + minutes(rng, 0, 15))
        elif wd >= 5 or hol:
            if life.t < H(d0, 9):
                weekend_errands(life, rng, d0, home)


def plan_truck(v, life, rng, days):
    base = v["work"]
    for d in range(days):
        d0, wd, hol, _ = day_info(d)
        if wd == 6 or hol:
            continue
        n = int(rng.integers(10, 21)) if wd < 5 else int(rng.integers(4, 9))
        t = H(d0, rng.uniform(7.0, 8.0))
        for _ in range(n):
            bank = place_near(rng, base, 2.0, 15.0)
            life.go(bank, depart=t)
            t = life.t + minutes(rng, 5, 15)
        life.go(base, depart=t)


def plan_coast(v, life, rng, days):
    home, work = v["home"], v["work"]
    coast = v.get("coast_place")
    for d in range(days):
        d0, wd, hol, key = day_info(d)
        if coast and key == "2026-05-01":
            life.go(coast, depart=H(d0, rng.uniform(6.5, 9.0)), jam=(0.8, 0.6))
            continue
        if coast and key in ("2026-05-02", "2026-05-03"):
            spot = COAST[v["coast_spot"]]
            for _ in range(int(rng.integers(1, 3))):
                orla = (spot["orla"][0], spot["orla"][1] + rng.uniform(-0.006, 0.006))
                life.go(orla, depart=max(life.t + 1800, H(d0, rng.uniform(9, 11.5))))
                life.go(coast, depart=life.t + minutes(rng, 60, 180))
            if key == "2026-05-03":
                life.go(home, depart=max(life.t + 1800, H(d0, rng.uniform(14, 17.5))),
                        jam=(0.5, 0.35))
            continue
        if wd < 5 and not hol:
            life.go(work, depart=H(d0, rng.uniform(6.5, 8.0)))
            life.go(home, depart=H(d0, rng.uniform(17.0, 19.0)))
        else:
            weekend_errands(life, rng, d0, home, p=0.7)


def plan_retiree(v, life, rng, days):
    home = v["home"]
    fav = [place_near(rng, home, 0.3, 1.5), place_near(rng, home, 1.0, 5.0),
           place_near(rng, home, 1.0, 6.0)]
    church = place_near(rng, home, 0.4, 2.0)
    for d in range(days):
        d0, wd, hol, _ = day_info(d)
        if wd == 6:
            life.go(church, depart=H(d0, rng.uniform(8.5, 10.0)))
            life.go(home, depart=life.t + minutes(rng, 60, 100))
            continue
        if rng.random() < 0.8:
            life.go(fav[0], depart=H(d0, rng.uniform(8.0, 10.5)))
            life.go(home, depart=life.t + minutes(rng, 10, 30))
        if rng.random() < 0.5:
            life.go(fav[1 + int(rng.integers(0, 2))], depart=H(d0, rng.uniform(14.0, 16.5)))
            life.go(home, depart=life.t + minutes(rng, 30, 120))


PLANNERS = {"commuter_centro": plan_commuter, "motoboy": plan_motoboy, "app_driver": plan_app,
            "factory_shift": plan_factory, "carro_forte": plan_truck,
            "coast_family": plan_coast, "retiree": plan_retiree}


# ---------------------------------------------------------------- devices
def sample(life, device, rng, base_iv, end):
    """Fixes of one vehicle: t (s since window start, local), lat, lon, speed km/h, moving."""
    trips = life.trips
    out_t, out_la, out_lo, out_v, out_m = [], [], [], [], []
    if device in ("rastreador", "app_celular"):
        for tr in trips:
            n = int(tr.T / (base_iv * 0.85)) + 2
            tt = tr.t0 + np.cumsum(base_iv * rng.uniform(0.85, 1.15, n))
            tt = tt[tt < tr.t0 + tr.T - 5.0]
            tt = np.concatenate([[tr.t0], tt, [tr.t0 + tr.T]])
            la, lo, sp = eval_trip(tr, tt)
            out_t.append(tt)
            out_la.append(la)
            out_lo.append(lo)
            out_v.append(sp)
            m = np.ones(len(tt), bool)
            m[-1] = False
            out_m.append(m)
    if device in ("seguro", "app_celular"):
        g = np.cumsum(rng.uniform(120, 300, int(end / 120) + 2))
        g = g[g < end]
        starts = np.array([tr.t0 for tr in trips])
        ends = np.array([tr.t0 + tr.T for tr in trips])
        j = np.searchsorted(starts, g, side="right") - 1
        intrip = (j >= 0) & (g < ends[np.maximum(j, 0)]) if len(trips) else np.zeros(len(g), bool)
        if device == "seguro":
            for tr in trips:
                a, b = np.searchsorted(g, [tr.t0, tr.t0 + tr.T])
                if b > a:
                    la, lo, sp = eval_trip(tr, g[a:b])
                    out_t.append(g[a:b])
                    out_la.append(la)
                    out_lo.append(lo)
                    out_v.append(sp)
                    out_m.append(np.ones(b - a, bool))
        gp = g[~intrip]
        st = np.array([s[0] for s in life.stays])
        k = np.clip(np.searchsorted(st, gp, side="right") - 1, 0, len(st) - 1)
        plat = np.array([s[2][0] for s in life.stays])[k]
        plon = np.array([s[2][1] for s in life.stays])[k]
        r = rng.uniform(3, 15, len(gp)) / 111320.0
        ang = rng.uniform(0, 2 * np.pi, len(gp))
        out_t.append(gp)
        out_la.append(plat + r * np.sin(ang))
        out_lo.append(plon + r * np.cos(ang) / COS)
        out_v.append(np.zeros(len(gp)))
        out_m.append(np.zeros(len(gp), bool))
    if not out_t:
        return {k: np.zeros(0) for k in ("t", "lat", "lon", "spd", "mov")}
    t = np.round(np.concatenate(out_t))
    order = np.argsort(t, kind="stable")
    res = {"t": t[order], "lat": np.concatenate(out_la)[order],
           "lon": np.concatenate(out_lo)[order], "spd": np.concatenate(out_v)[order],
           "mov": np.concatenate(out_m)[order]}
    keep = (res["t"] >= 0) & (res["t"] < end)
    keep[1:] &= np.diff(res["t"]) > 0
    return {k: a[keep] for k, a in res.items()}


def jam(fix, rng, vid, days):
    """Cut 10-40 min gaps (GPS jamming) on some workdays; return the truth records."""
    records = []
    t = fix["t"]
    drop = np.zeros(len(t), bool)
    for d in range(days):
        d0, wd, hol, _ = day_info(d)
        if wd >= 5 or hol or (rng.random() > 0.5 and records):
            continue
        cand = np.flatnonzero(fix["mov"] & (t >= d0 + 9 * 3600) & (t < d0 + 15 * 3600))
        if len(cand) == 0:
            continue
        for _ in range(20):
            i = int(cand[rng.integers(0, len(cand))])
            length = rng.uniform(10, 40) * 60.0
            w0, w1 = t[i] - 0.5, t[i] + length
            inside = (t > w0) & (t < w1)
            before = np.flatnonzero(t <= w0)
            after = np.flatnonzero(t >= w1)
            if not len(before) or not len(after):
                continue
            b, a = before[-1], after[0]
            dist = km((fix["lat"][b], fix["lon"][b]), (fix["lat"][a], fix["lon"][a]))
            if dist < 2.0:
                continue
            drop |= inside
            records.append({"vehicle_id": vid, "start_local": local_str(w0 + 0.5),
                            "end_local": local_str(w1),
                            "last_fix_before_local": local_str(t[b]),
                            "first_fix_after_local": local_str(t[a]),
                            "gap_km": round(dist, 2)})
            break
    return {k: a[~drop] for k, a in fix.items()}, records


def decimal_comma(x, k):
    """Fixed k-decimal strings with a decimal comma, e.g. -23,561412."""
    n = np.round(np.abs(x) * 10 ** k).astype(np.int64)
    ip = pc.cast(pa.array(n // 10 ** k), pa.string())
    fp = pc.utf8_lpad(pc.cast(pa.array(n % 10 ** k), pa.string()), k, "0")
    sign = pa.array(np.where((x < 0) & (n > 0), "-", ""), type=pa.string())
    return pc.binary_join_element_wise(pc.binary_join_element_wise(sign, ip, ""), fp, ",")


def local_str(t):
    return str(START + np.timedelta64(int(round(t)), "s")).replace("T", " ")


# ---------------------------------------------------------------- fleet
def make_plate(rng, old, used):
    while True:
        letters = "".join(LETTERS[i] for i in rng.integers(0, 26, 3))
        dg = rng.integers(0, 10, 4)
        if old:
            p = f"{letters}-{''.join(map(str, dg))}"
        else:
            p = f"{letters}{dg[0]}{LETTERS[rng.integers(0, 26)]}{dg[2]}{dg[3]}"
        if p not in used:
            used.add(p)
            return p


def mercosul(old):
    return old[:3] + old[4] + LETTERS[int(old[5])] + old[6:8]


def build_vehicles(rng, n, days):
    kinds = list(KINDS[:n]) if n >= len(KINDS) else []
    kinds += list(rng.choice(KINDS, size=n - len(kinds), p=KIND_WEIGHTS))
    order = rng.permutation(n)
    kinds = [kinds[i] for i in order]
    used: set[str] = set()
    vs = []
    outer = list(OUTER.items())
    has_may1 = days > 11
    for kind in kinds:
        v = {"kind": kind, "home": None, "work": None}
        old = rng.random() < 0.35
        v["plate"] = make_plate(rng, old, used)
        v["plate_final_digit"] = int(v["plate"][-1])
        v["rodizio_weekday"] = RODIZIO_WEEKDAY[v["plate_final_digit"]]
        v["vehicle_type"] = "carro"
        name, (la, lo, city) = outer[int(rng.integers(0, len(outer)))]
        outer_home = anchored(rng, (la, lo), 1.2, avoid_zone=True)
        if kind == "commuter_centro":
            if rng.random() < 0.15:
                cname = list(CAMPINAS)[int(rng.integers(0, len(CAMPINAS)))]
                v["home"], city = anchored(rng, CAMPINAS[cname], 1.0), "Campinas"
            else:
                v["home"] = outer_home
            c = list(CENTRE.values())[int(rng.integers(0, len(CENTRE)))]
            v["work"] = anchored(rng, c, 0.6, want_zone=True)
            v["device"] = "rastreador" if rng.random() < 0.7 else "seguro"
        elif kind == "motoboy":
            v["home"] = outer_home
            c = list(CENTRE.values())[int(rng.integers(0, len(CENTRE)))]
            v["work"] = anchored(rng, c, 0.8, want_zone=True)
            v["device"], v["vehicle_type"] = "rastreador", "moto"
        elif kind == "app_driver":
            v["home"] = outer_home
            v["device"] = "app_celular"
            v["day_off"] = int(rng.choice([6, 6, 0, 1, 2]))
        elif kind == "factory_shift":
            cname = list(ABC)[int(rng.integers(0, len(ABC)))]
            v["home"], city = anchored(rng, ABC[cname], 1.2), cname
            v["work"] = FACTORIES[int(rng.integers(0, len(FACTORIES)))]
            off = int(rng.integers(0, 3))
            names = ["06-14", "14-22", "22-06"]
            v["shift_by_week"] = [names[(off + w) % 3] for w in range(days // 7 + 2)]
            v["device"] = "rastreador" if rng.random() < 0.6 else "seguro"
        elif kind == "carro_forte":
            base, city = BASES[int(rng.integers(0, len(BASES)))]
            v["work"] = anchored(rng, base, 0.3)
            v["device"], v["vehicle_type"] = "rastreador", "carro_forte"
        elif kind == "coast_family":
            v["home"] = outer_home
            v["work"] = anchored(rng, OFFICES_OUTER[int(rng.integers(0, len(OFFICES_OUTER)))],
                                 0.8, avoid_zone=True)
            spot = "Santos" if rng.random() < 0.5 else "Guarujá"
            v["coast_spot"] = spot
            h = COAST[spot]["house"]
            v["coast_place"] = (h[0] + rng.uniform(0, 0.003), h[1] + rng.uniform(-0.004, 0.004)) \
                if has_may1 else None
            v["device"] = "rastreador" if rng.random() < 0.5 else "seguro"
        else:  # retiree
            if rng.random() < 0.4:
                cname = list(CAMPINAS)[int(rng.integers(0, len(CAMPINAS)))]
                v["home"], city = anchored(rng, CAMPINAS[cname], 1.2), "Campinas"
            else:
                v["home"] = anchored(rng, (la, lo), 2.0)
            v["device"] = "seguro" if rng.random() < 0.6 else "rastreador"
        v["city"] = city
        if kind == "commuter_centro":
            v["rodizio_mode"] = "bus" if rng.random() < 0.4 else "early"
        vs.append(v)
    # the first commuter plans 'early', the second 'bus': both modes occur
    comm = [v for v in vs if v["kind"] == "commuter_centro"]
    for j, v in enumerate(comm[:2]):
        v["rodizio_mode"] = ["early", "bus"][j]
    # some non-app vehicles report through the phone app instead (parquet)
    first_of_kind = {}
    for i, v in enumerate(vs):
        first_of_kind.setdefault(v["kind"], i)
        v["source"] = "app_pings.parquet" if v["kind"] == "app_driver" else "rastreamento.csv"
    for i, v in enumerate(vs):
        if v["kind"] in ("commuter_centro", "retiree", "coast_family", "factory_shift") and \
                i != first_of_kind[v["kind"]] and rng.random() < 0.12:
            v["source"], v["device"] = "app_pings.parquet", "app_celular"
    for v in vs:
        v["id"] = str(uuid.UUID(bytes=rng.bytes(16), version=4)) \
            if v["source"] == "app_pings.parquet" else v["plate"]
    return vs, first_of_kind


def pick_faults(rng, vs, first_of_kind):
    """One distinct csv vehicle per fault, sparing the first two of each kind (and the
    commuters) when the fleet allows."""
    csv_ix = [i for i, v in enumerate(vs) if v["source"] == "rastreamento.csv"
              and v["kind"] != "carro_forte"]
    seen: dict[str, int] = {}
    lead = set()
    for i, v in enumerate(vs):
        seen[v["kind"]] = seen.get(v["kind"], 0) + 1
        if seen[v["kind"]] <= 2:
            lead.add(i)
    groups = ([i for i in csv_ix if i not in lead], [i for i in csv_ix if i in lead])
    chosen = {}
    spare = ("retiree", "coast_family", "factory_shift")

    def take(name, *oks):
        for group in groups:
            for ok in oks:
                for i in group:
                    if i not in chosen.values() and ok(vs[i]):
                        chosen[name] = i
                        return

    take("speed_knots", lambda v: v["device"] == "rastreador" and v["kind"] == "motoboy",
         lambda v: v["device"] == "rastreador" and v["kind"] != "carro_forte")
    take("plate_change", lambda v: v["kind"] in ("retiree", "coast_family"),
         lambda v: True)
    for name in ("month_day_swapped", "latlon_swapped"):
        take(name, lambda v: v["kind"] in spare, lambda v: True)
    return chosen


def write_saopaulo_fleet(folder, vehicles=120, days=28, seed=0) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([seed, 2026])
    vs, first_of_kind = build_vehicles(rng, vehicles, days)
    faults_ix = pick_faults(rng, vs, first_of_kind)
    end = days * 86400.0
    jam_records = []
    fixes = []
    for i, v in enumerate(vs):
        vr = np.random.default_rng([seed, 7, i])
        start = v["work"] if v["kind"] == "carro_forte" else v["home"]
        life = Life(vr, start)
        PLANNERS[v["kind"]](v, life, vr, days)
        life.finish(end)
        base_iv = 15.0 if v["kind"] == "carro_forte" else float(vr.uniform(15, 60))
        f = sample(life, v["device"], vr, base_iv, end)
        if v["kind"] == "carro_forte":
            f, recs = jam(f, vr, v["id"], days)
            jam_records += recs
        fixes.append(f)

    # ---- plate change: the switch at a local midnight mid-window
    if "plate_change" in faults_ix:
        i = faults_ix["plate_change"]
        v = vs[i]
        if "-" not in v["plate"]:
            old = v["plate"][:3] + "-" + v["plate"][3] + str(LETTERS.index(v["plate"][4]) % 10) \
                + v["plate"][5:]
            v["plate"] = v["id"] = old
        v["plate_new"] = mercosul(v["plate"])
        v["plate_switch_t"] = float((days // 2) * 86400)

    # ---- rastreamento.csv
    csv_parts = []
    for i, v in enumerate(vs):
        if v["source"] != "rastreamento.csv":
            continue
        f = fixes[i]
        n = len(f["t"])
        placa = np.full(n, v["plate"], dtype=object)
        if "plate_new" in v:
            placa[f["t"] >= v["plate_switch_t"]] = v["plate_new"]
        lat, lon = f["lat"].copy(), f["lon"].copy()
        spd = f["spd"].copy()
        if faults_ix.get("speed_knots") == i:
            spd = spd / 1.852
        csv_parts.append(pd.DataFrame({"placa": placa, "t": f["t"].astype(np.int64),
                                       "latitude": lat, "longitude": lon, "velocidade": spd,
                                       "mov": f["mov"], "vi": i}))
    if not csv_parts:  # a fleet of app drivers only
        csv_parts.append(pd.DataFrame({"placa": np.zeros(0, object), "t": np.zeros(0, np.int64),
                                       "latitude": np.zeros(0), "longitude": np.zeros(0),
                                       "velocidade": np.zeros(0), "mov": np.zeros(0, bool),
                                       "vi": np.zeros(0, np.int64)}))
    df = pd.concat(csv_parts, ignore_index=True)
    df["latitude"] = df["latitude"].round(6)
    df["longitude"] = df["longitude"].round(6)
    df["velocidade"] = df["velocidade"].round(1)
    swap_day = None
    if "latlon_swapped" in faults_ix:
        i = faults_ix["latlon_swapped"]
        rows = df["vi"] == i
        per_day = (df.loc[rows, "t"] // 86400).value_counts().sort_index()
        d = int(per_day.idxmax()) if len(per_day) else 0
        m = rows & (df["t"] // 86400 == d)
        df.loc[m, ["latitude", "longitude"]] = df.loc[m, ["longitude", "latitude"]].to_numpy()
        swap_day = str(START + np.timedelta64(d, "D"))[:10]
    df = df.sort_values(["vi", "t"], kind="stable")
    # duplicates: ~0.4 % of rows repeated right after themselves
    dup = rng.random(len(df)) < 0.004
    dup_vehicles = sorted({vs[i]["id"] for i in df["vi"].to_numpy()[dup]})
    df = df.loc[df.index.repeat(np.where(dup, 2, 1))]
    tsec = df["t"].to_numpy()
    day_ix = pa.array(tsec // 86400)
    dates = [START + np.timedelta64(d, "D") for d in range(days)]
    dmy = pa.array([f"{str(d)[8:10]}/{str(d)[5:7]}/{str(d)[:4]}" for d in dates])
    hms = pa.array([f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86400)])
    clock = pc.take(hms, pa.array(tsec % 86400))
    dh = pc.binary_join_element_wise(pc.take(dmy, day_ix), clock, " ")
    if "month_day_swapped" in faults_ix:
        mdy = pa.array([f"{str(d)[5:7]}/{str(d)[8:10]}/{str(d)[:4]}" for d in dates])
        m = pa.array((df["vi"] == faults_ix["month_day_swapped"]).to_numpy())
        dh = pc.if_else(m, pc.binary_join_element_wise(pc.take(mdy, day_ix), clock, " "), dh)
    ign = pa.array(np.where(df["mov"].to_numpy(), "Sim", "Não"), type=pa.string())
    cols = [pa.array(df["placa"].to_numpy(), type=pa.string()), dh,
            decimal_comma(df["latitude"].to_numpy(), 6),
            decimal_comma(df["longitude"].to_numpy(), 6),
            decimal_comma(df["velocidade"].to_numpy(), 1), ign]
    lines = pc.binary_join_element_wise(pc.binary_join_element_wise(*cols, ";"),
                                        pa.scalar(""), "\r\n")
    with open(folder / "rastreamento.csv", "wb") as fh:
        fh.write("\ufeffplaca;data_hora;latitude;longitude;velocidade;ignicao\r\n".encode())
        lines = pa.concat_arrays([lines]) if isinstance(lines, pa.ChunkedArray) else lines
        off = np.frombuffer(lines.buffers()[1], dtype=np.int32)[lines.offset:
                                                                lines.offset + len(lines) + 1]
        fh.write(memoryview(lines.buffers()[2])[off[0]:off[-1]])

    # ---- app_pings.parquet
    pq_parts = []
    for i, v in enumerate(vs):
        if v["source"] != "app_pings.parquet":
            continue
        f = fixes[i]
        vr = np.random.default_rng([seed, 9, i])
        acc = np.where(f["mov"], vr.uniform(4, 15, len(f["t"])), vr.uniform(8, 60, len(f["t"])))
        pq_parts.append(pd.DataFrame({"driver_uuid": v["id"],
                                      "ts": (f["t"].astype(np.int64) + START_EPOCH
                                             + UTC_OFFSET_S),
                                      "lat": f["lat"].round(6), "lng": f["lon"].round(6),
                                      "accuracy_m": acc.round(1)}))
    cols = {"driver_uuid": pa.string(), "ts": pa.int64(), "lat": pa.float64(),
            "lng": pa.float64(), "accuracy_m": pa.float64()}
    if pq_parts:
        app = pd.concat(pq_parts, ignore_index=True)
    else:
        app = pd.DataFrame({k: pd.Series(dtype="object" if k == "driver_uuid" else "float64")
                            for k in cols})
    table = pa.Table.from_arrays([pa.array(app[k].to_numpy(), type=t) for k, t in cols.items()],
                                 names=list(cols))
    pq.write_table(table, folder / "app_pings.parquet")

    # ---- labels.csv + wrong labels
    labels = []
    for v in vs:
        if (v["home"] is None and v["work"] is None) or rng.random() >= 0.75:
            continue
        for lab in ("home", "work"):
            if v[lab] is not None:
                r = rng.uniform(10, 30) / 1000.0
                ang = rng.uniform(0, 2 * math.pi)
                la, lo = v[lab][0] + r * math.sin(ang) / KM_LAT, \
                    v[lab][1] + r * math.cos(ang) / (KM_LAT * COS)
                labels.append([v["id"], lab, la, lo])
    wrong = []
    n_wrong = max(1, round(0.05 * len(labels))) if labels else 0
    byid = {v["id"]: v for v in vs}
    app_lab = [k for k, row in enumerate(labels) if byid[row[0]]["kind"] == "app_driver"]
    picks = list(rng.permutation(len(labels))[:n_wrong]) if labels else []
    for k in picks:
        vid, lab, _, _ = labels[k]
        v = byid[vid]
        other = "work" if lab == "home" else "home"
        if v["kind"] == "coast_family" and lab == "home" and v.get("coast_place"):
            q, reason = v["coast_place"], "home label at the beach house (holiday weekend)"
        elif v[other] is not None:
            q, reason = v[other], f"{lab} label placed at the {other}"
        else:
            q, reason = place_near(rng, v[lab], 1.0, 3.0), f"{lab} label at a frequent errand place"
        q = jitter(rng, q, 0.02)
        labels[k][2:] = [q[0], q[1]]
        wrong.append({"vehicle_id": vid, "label": lab, "lat": round(q[0], 6),
                      "lon": round(q[1], 6), "reason": reason})
    if app_lab:
        vid = labels[app_lab[0]][0]
        q = jitter(rng, AIRPORTS["GRU"]["lot"], 0.02)
        labels.append([vid, "work", q[0], q[1]])
        wrong.append({"vehicle_id": vid, "label": "work", "lat": round(q[0], 6),
                      "lon": round(q[1], 6),
                      "reason": "app driver has no workplace; labelled the GRU queue lot"})
    lab_df = pd.DataFrame(labels, columns=["vehicle_id", "label", "lat", "lon"])
    lab_df["lat"] = lab_df["lat"].round(6)
    lab_df["lon"] = lab_df["lon"].round(6)
    lab_df.to_csv(folder / "labels.csv", index=False, lineterminator="\n")

    # ---- vehicles.csv
    pd.DataFrame([{"vehicle_id": v["id"], "plate": v["plate"],
                   "plate_final_digit": v["plate_final_digit"], "city": v["city"],
                   "device": v["device"], "source": v["source"],
                   "vehicle_type": v["vehicle_type"]} for v in vs]).to_csv(
        folder / "vehicles.csv", index=False, lineterminator="\n")

    # ---- truth.json
    def pt(p):
        return None if p is None else [round(p[0], 6), round(p[1], 6)]

    tv = {}
    for v in vs:
        rec = {"home": pt(v["home"]), "work": pt(v["work"]), "kind": v["kind"],
               "device": v["device"], "source": v["source"], "plate": v["plate"],
               "plate_final_digit": v["plate_final_digit"],
               "rodizio_weekday": v["rodizio_weekday"], "city": v["city"],
               "vehicle_type": v["vehicle_type"]}
        for k in ("rodizio_mode", "shift_by_week", "day_off", "coast_spot"):
            if k in v:
                rec[k] = v[k]
        if "coast_place" in v:
            rec["coast_place"] = pt(v["coast_place"])
        tv[v["id"]] = rec
    faults = {"jamming": jam_records,
              "duplicates": {"file": "rastreamento.csv", "rows": int(dup.sum()),
                             "vehicle_ids": dup_vehicles}}
    if "plate_change" in faults_ix:
        v = vs[faults_ix["plate_change"]]
        faults["plate_change"] = {"vehicle_id": v["id"], "old_plate": v["plate"],
                                  "new_plate": v["plate_new"],
                                  "switch_local": local_str(v["plate_switch_t"])}
    if "month_day_swapped" in faults_ix:
        faults["month_day_swapped"] = {"vehicle_id": vs[faults_ix["month_day_swapped"]]["id"],
                                       "format": "mm/dd/yyyy HH:MM:SS"}
    if "latlon_swapped" in faults_ix:
        faults["latlon_swapped"] = {"vehicle_id": vs[faults_ix["latlon_swapped"]]["id"],
                                    "local_date": swap_day}
    if "speed_knots" in faults_ix:
        faults["speed_knots"] = {"vehicle_id": vs[faults_ix["speed_knots"]]["id"]}
    last = START + np.timedelta64(days - 1, "D")
    truth = {"tz": "America/Sao_Paulo", "utc_offset_hours": -3,
             "window": {"start_local": str(START).replace("T", " "), "days": days,
                        "last_local_date": str(last)[:10]},
             "holidays": {k: n for k, n in HOLIDAYS.items()
                          if str(START)[:10] <= k <= str(last)[:10]},
             "rodizio": {"zone_bbox": list(ZONE), "hours": [[7, 10], [17, 20]],
                         "weekday_of_digit": {str(k): w for k, w in
                                              sorted(RODIZIO_WEEKDAY.items())},
                         "weekday_numbering": "0=Monday"},
             "vehicles": tv, "wrong_labels": wrong, "faults": faults}
    (folder / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n",
                                       encoding="utf-8")
    return folder


START_EPOCH = int((START - np.datetime64("1970-01-01T00:00:00")) / np.timedelta64(1, "s"))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--vehicles", type=int, default=120)
    ap.add_argument("--days", type=int, default=28)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    print(write_saopaulo_fleet(a.out, a.vehicles, a.days, a.seed))


if __name__ == "__main__":
    main()
