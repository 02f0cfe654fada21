r"""Synthetic fleet "steppe": Kazakhstan (Almaty, Astana, Shymkent) and south Siberia (Omsk, Novosibirsk)
in late winter 2024, across Kazakhstan's clock change.

    python bench/fleets/steppe.py OUT [--vehicles 120] [--days 28] [--seed 0]
    write_steppe_fleet(folder, vehicles=120, days=28, seed=0) -> Path

Same arguments give byte-identical files. The window starts Monday 12.02.2024 00:00 Almaty time
(2024-02-11T18:00Z) and lasts `days` local days (28 days: to 10.03.2024 24:00, 2024-03-10T19:00Z).
On 01.03.2024 00:00 (2024-02-29T18:00Z) Kazakhstan's eastern zone -- Almaty, Astana, Shymkent,
IANA Asia/Almaty -- went from UTC+6 to UTC+5: clocks were set back from 00:00 to 23:00 on 29.02.
Omsk (Asia/Omsk, UTC+6) and Novosibirsk (Asia/Novosibirsk, UTC+7) did not change. People keep their
wall-clock habits across the change (an 08:00 start is 02:00Z in February, 03:00Z in March).

FILES (ping files at the top of the folder; each vehicle is in exactly one of them)
---------------------------------------------------------------------------------------------------
wialon_almaty.csv -- Wialon Hosting, dealer account "Алматы" (units in Almaty and Shymkent). The
    report table "Сообщения" exported from Windows: encoding Windows-1251, ';' separator, CRLF line
    ends, Russian header, decimal commas, no quoting. The analyst exported week by week (from Monday
    00:00 to the next Monday 02:00 local, the last week to the end of the window) and pasted the
    weekly files together: every week starts with its own header line (so the header line appears
    ceil(days/7) times in all), "№" restarts at 1, and the rows of the 2-hour overlaps (Monday
    00:00-01:59:59) are in the file twice. Within a week rows are grouped by unit (units sorted by
    name) and in message order (true time order).
    Columns:
      №               row number within the weekly export
      Объект          unit name = the vehicle id. Cars: the Kazakh plate "123 ABC 02" (3 digits,
                      3 Latin letters, region: 02 Almaty, 01 Astana, 17 Shymkent); buses
                      "Автобус №92 123 ABC 02"; lorries make + plate "MAN 123 ABC 02".
      Время           dd.mm.yyyy HH:MM:SS, naive local wall clock of the account's time zone, which
                      follows Asia/Almaty correctly: UTC+6 up to 29.02.2024 23:59:59, UTC+5 from
                      01.03.2024 00:00. The hour 29.02.2024 23:00:00-23:59:59 therefore occurs twice
                      for a unit (first at +06, then at +05), in that order within the unit's rows.
      Широта, Долгота WGS84 degrees, 6 decimals, decimal comma ("43,238900")
      Скорость, км/ч  integer km/h
      Курс            integer degrees 0-359 (0 while parked)
      Высота, м       integer metres
      Спутники        satellites used, integer
      Зажигание       "Вкл" (ignition on) / "Выкл" (off)
      Напряжение, В   board voltage, 1 decimal, decimal comma (sinks by ~0.1 V a day when parked)
      Пробег, км      GPS odometer, km, 2 decimals, decimal comma
wialon_astana.csv -- Wialon Hosting, dealer account "Астана" (Astana units), the same report
    template and format, exported in one piece (one header). FAULT: the account's user profile time
    zone was set by hand to a fixed "UTC+06:00" and never changed, so Время is UTC+6 wall clock for
    the whole window: right before the change, one hour AHEAD of Astana's real clock from
    2024-02-29T18:00Z on (no repeated hour in this file). The export interval is
    12.02.2024 00:00:00 - (12.02 + days) 00:00 in that +06, i.e. it ends an hour of real time
    earlier than the other files.
traccar_positions.csv -- a Traccar 5 server in Novosibirsk (units in Novosibirsk and Omsk), dumped
    with psql `\copy (select p.id, d.name as device, p.protocol, p.servertime, p.devicetime,
    p.fixtime, p.valid, p.latitude, ... p.attributes from tc_positions p join tc_devices d ...)
    to ... csv header` in a session with TimeZone Asia/Novosibirsk: UTF-8, ',' separator, LF, only the
    attributes column quoted, rows in id order = arrival order (all devices interleaved).
    Columns: id (int); device (Russian plate in Cyrillic: cars "А123ВС 54" / "А123ВС 55" -- 54
    Novosibirsk, 55 Omsk -- lorries "А123ВС 154" / "А123ВС 155"; = the vehicle id); protocol
    ("teltonika" or "gt06"); servertime, devicetime, fixtime (timestamptz text
    "2024-02-12 10:14:15+07" / "2024-02-12 10:14:15.12+07" -- explicit offset, always +07, also for
    Omsk devices; servertime has milliseconds with trailing zeros cut as psql prints them; fixtime is
    the time of the fix, devicetime = fixtime); valid ("t"/"f"); latitude, longitude (degrees);
    altitude (m); speed (KNOTS, Traccar's unit); course (degrees); attributes (JSON: sat,
    ignition, motion, power V [teltonika], batteryLevel % [gt06], distance m, totalDistance m, ...).
    servertime is 0.4-4 s after the fix, except for buffered data (see the R-254 gap below).
taxopark_tracks.parquet -- a taxi park's driver app (Android phones; Yandex-Go style statuses) for
    taxis in Almaty, Astana, Shymkent. Rows sorted by car, received_at. Columns:
      car          string, Kazakh plate "123 ABC 02" = the vehicle id
      driver_id    int32
      recorded_at  timestamp[ms, tz=UTC], the phone's clock at the fix
      received_at  timestamp[ms, tz=UTC], the park's server at upload (median 2.5 s later; 1% of
                   rows uploaded 0.5-5 min late)
      lat, lon     float64 degrees (7 decimals)
      accuracy_m   float32, metres (GPS ~3-15 m)
      speed_mps    float32, m/s (0 when stationary)
      bearing      float32 degrees, null when stationary
      provider     dictionary string: "gps" (moving), "fused" (stationary), "network" (cell/wifi)
      status       dictionary string: offline | free | driving (to a pickup, or waiting for the
                   passenger) | transporting | busy (lunch)
    The app only logs while it runs: from ~5 min before the driver leaves home (status offline,
    at home), through the shift, to arrival home plus 0-40 min in the background (one fix per
    5 min). Day drivers have no fixes at night, night drivers none in the daytime; a session's first
    and last fixes are at home.
labels.csv -- UTF-8, ',': vehicle_id,label,lat,lon. label "home" or "work"; for ~76% of the
    vehicles one row per non-null truth place, geocoded 10-60 m off the truth; 5% of the rows
    (rounded) are wrong on purpose (listed in truth "wrong_labels"): the other place of the
    vehicle (home<->work), the dacha given as home, or a point 1.5-6 km off.
vehicles.csv -- UTF-8, ',': vehicle_id, platform, source_file, account, city (base city), make_model,
    year, tracker (device model). No column states the kind of life.
truth.json -- UTF-8: {"vehicles": {id: {...}}, "wrong_labels": [{"vehicle_id", "label"}],
    "faults": {...}, "tz": "Asia/Almaty"}. "tz" is there because the Wialon files write naive local
    wall-clock stamps. Per vehicle: home [lat, lon] (where it normally spends the night), work
    [lat, lon] or null, kind, city, file, tz_local (IANA zone of its city), rows (fixes written,
    before duplication), and by kind: dacha, dacha_nights, shift_cycle, first_day_shift, route,
    maintenance_days, far_end, round_trips, far_end_nights, overnight_idling_stops, rotation,
    tracker_silent, night_shift, remote_start ("timer HH:MM" | "manual" | "temperature"), and
    engine_on_parked: [[start_utc, end_utc, why], ...] -- every accepted period with ignition on
    while parked (why: timer | manual | temperature | depot); its start is always a row with
    ignition on at that second.

DEVICES AND SAMPLING (moving / ignition on but standing / parked, ignition off; plus a record at
every ignition change)
    Teltonika FMB920 (Wialon cars) 30 s / 120 s / 1800 s;  Teltonika FMB125 (Wialon lorries)
    30 / 120 / 1800;  Galileosky 7.0 Lite (buses) 30 / 60 / 3600;  Teltonika FMB130 (Traccar)
    30 / 120 / 3600;  Concox GT06N (every third Traccar device) 20 / 60 / 600;  Android (taxis)
    15 s moving, 60 s standing while online, 300 s in the background.
    Parked fixes scatter ~4 m, engine-on-standing ~6 m. Routes are straight segments between real
    waypoints (city trips: one corner, i.e. the grid; intercity: the real highway's towns).
    City average speeds incl. lights: Almaty 24, Astana 30, Shymkent 28, Omsk 28, Novosibirsk 25 km/h.

LIVES (kind: schedule; truth) -- for 120 vehicles: 31 office, 11 office_dacha, 14 bazaar_trader,
17 plant_shift, 10 city_bus, 12 lorry, 6 rotation_28_28, 13 taxi_day, 6 taxi_night; by file 45 in
wialon_almaty.csv, 25 in wialon_astana.csv, 19 in taxopark_tracks.parquet, 31 in
traccar_positions.csv. A smaller fleet takes the first N of a fixed order that starts with one of
each important case (Almaty and Astana timer warm-ups, a clock-fault taxi, a local-time GT06, a bus,
lorries on both highways, ...); a larger one repeats the order.
    office -- leaves home at a personal time 07:12-08:18 (+-9 min) on workdays (Mon-Fri; holidays:
        KZ 08.03, RU 23.02 and 08.03), 15% lunch drive, back 17:54-19:00, 35% shop on the way,
        12% evening outing; weekends 0-2 outings 10:30-15:30. home; work = the office.
    office_dacha -- office, plus on 60% of Saturdays the dacha (Talgar/Kaskelen/Kamenskoe plato,
        Astana and Omsk dacha massifs, Berdsk/Ob sea) 09:30-11:00, 55% of those overnight
        (back Sunday afternoon). home; work; dacha, dacha_nights.
    bazaar_trader -- at dawn: leaves 04:54-05:36 for the bazaar (Barakholka, Zelyony bazar,
        Shymkent central market, Shapagat/Artem in Astana, Khilok/Central market in Novosibirsk),
        back 16:30-17:48; closed Mondays, 30% of Sundays off; 20% wholesale trip late morning.
        home; work = bazaar.
    plant_shift -- 4-day cycle day 08-20 / night 20-08 / sleep-off / off (leaves home 07:06 or
        19:06); plants: Almaty TPP-2, Shymkent refinery, Astana TPP-2, Omsk refinery,
        Novosibirsk Sibselmash/Chkalov. home; work = plant; first_day_shift.
    city_bus -- depot -> terminal ~05:45 (weekends 06:30), shuttles along route 92/12 (Almaty),
        10/21 (Astana) at ~17-20 km/h with 4-10 min layovers and one 20-min driver change after
        13:00, engine on all day, back to the depot ~22:30-23:30; 8% of days in maintenance.
        home = depot; work null.
    lorry -- Almaty <-> Astana on the M-36 (Konaev, Kurty, Balkhash, Karaganda, Temirtau; ~1,000
        km) and Novosibirsk <-> Omsk on the R-254 (Kochenyovo, Chulym, Kargat, Kuybyshev, Tatarsk,
        Kalachinsk; ~650 km), 66 km/h moving: leaves base 05:42-06:30, 3-4.5 h stints with 25-60
        min breaks, at most 9.5-11.5 h a day, stops for the night at ~21:00 wherever it is
        (truck stop; 70% of cold nights idling all night), unloads at the far end, sleeps there,
        drives back next day from 09:30-12:30, rests 1-2 days at base. home = base terminal; work
        null; far_end, round_trips, far_end_nights, overnight_idling_stops.
    rotation_28_28 -- oil worker on 28/28 at a remote field, flown out: either "returns" (away
        at the window start, lands on switch_date) or "leaves" (flies on switch_date, early
        morning). The car is left at the airport long-stay lot (its battery dies after 6-10 days,
        the tracker falls silent: tracker_silent; a car parked there from before the window sends
        nothing until its owner drives it home) or at home (the family uses it on ~35% of days).
        At home: school run, 1-2 errands a day. home; work null; rotation.
    taxi_day / taxi_night -- phone app only (see taxopark_tracks.parquet): day shifts from
        06:48-07:48 for 11-12.5 h, night shifts from 17:18-18:30 for 9.5-11 h (until 03:00-05:00),
        one fixed weekday off: 2-12 min waits, pickups 0.4-2.5 km away, rides across the city (5%
        airport), a lunch break after 5.5 h. home; work null; night_shift.
    Remote engine start (StarLine-type alarms; Astana, Almaty, Omsk, Novosibirsk private cars,
    remote_start): "timer" starts the engine daily (92%) at 06:15, 06:30 or 06:45 for 10/15/20 min;
    "manual" 8-20 min before a departure on cold days (85% if the night was below -10 C, else 30%;
    plant workers also before leaving the plant after a night shift; bazaar traders 8-15 min, 70%
    of nights below -5 C); "temperature" every ~3 h between 01:00 and
    05:30 for 10 min on nights below -20 C. Buses idle 20-40 min in the depot before leaving,
    lorries 15-30 min at base. All of these are ignition ON while parked; 12% of those fixes carry a
    GPS-drift speed of 1-6 km/h (Traccar: motion true). Electric block heaters leave no trace.
    Night minimum temperatures are synthetic (means: Almaty -9, Astana -21, Shymkent -3,
    Omsk -21, Novosibirsk -20 C, warming 0.22 C a day).

FAULTS (truth "faults"; counts are exact for the files written)
    astana_profile_fixed_utc_plus_6 -- see wialon_astana.csv: vehicles, wrong_from_utc
        (2024-02-29T18:00:00Z), error_s 3600, rows_affected (rows at or after that instant).
    wialon_weekly_export_overlap -- wialon_almaty.csv: chunks, repeated_header_lines (chunks - 1),
        duplicated_rows (rows present twice, identical apart from №), overlaps_local.
    phone_clock_set_back_by_hand -- after the change some drivers' old phones kept a +06 zone and
        the drivers set the clock back by hand one morning between 01.03 and 04.03 (every 7th taxi
        in fleet order): from from_utc on, recorded_at = true time - 3600 s (shift_s -3600) while
        received_at stays right, so received_at - recorded_at ~ 3600 s on exactly `rows` rows.
    tracker_local_time_sent_as_utc -- GT06N trackers (every 13th Traccar device in fleet order)
        configured with the local zone ("GMT,E,7" / "GMT,E,6"): devicetime = fixtime = local wall
        clock labelled as UTC, i.e. shift_s (25200 Novosibirsk, 21600 Omsk) ahead of servertime on
        all `rows` rows of the device.
    traccar_resent_duplicates -- R-254 lorries: between 76.6 and 79.6 E (Baraba steppe) there is
        no GSM; the black box uploads when coverage returns (servertime up to hours after fixtime,
        not a fault) and resends the last 10-39 rows of each block once more (same fixtime and
        position, new id, servertime 20-90 s after the burst): rows, by_vehicle.
    traccar_zero_fixes -- when a Traccar tracker gets power back after a cut (at the gap's
        to_utc) it first sends 1-3 rows 10 s apart with latitude 0, longitude 0, valid f, sat 0,
        before its first real fix: rows, events.
    power_cut_gaps -- ~10% of vehicles (fleet positions 5, 8, 25, 28, ...): tracker unpowered for
        1.2-3.5 days (fuse, car in the workshop): no rows in [from_utc, to_utc).
    gps_jumps -- about one per vehicle per 6 days: a single fix 3-40 km off the track with 3-4
        satellites: list of {vehicle_id, file, utc (true), file_time (as the file writes it), lat,
        lon}.
    taxopark_network_fixes -- 1.5% of phone rows: provider "network", accuracy 300-1500 m, position
        off by about half the accuracy: rows.
    Also in the data, not listed as faults: the repeated hour of 29.02 in wialon_almaty.csv, the
    engine-on-while-parked periods, lorry overnight idling, silent trackers of cars at airports,
    phone sessions that leave nights empty, and the late (buffered) Traccar uploads.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import math
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

START_DATE = dt.date(2024, 2, 12)  # a Monday
KZ_TZ = "Asia/Almaty"
EPOCH_DATE = dt.date(1970, 1, 1)
W0 = int(dt.datetime(2024, 2, 11, 18, tzinfo=dt.timezone.utc).timestamp())  # 12.02.2024 00:00 +06
CHANGE_UTC = int(dt.datetime(2024, 2, 29, 18, tzinfo=dt.timezone.utc).timestamp())  # 01.03 00:00 +06
HOLIDAYS = {"KZ": {dt.date(2024, 3, 8)}, "RU": {dt.date(2024, 2, 23), dt.date(2024, 3, 8)}}

KM_LAT = 110.574


def km_lon(lat):
    return 111.320 * np.cos(np.radians(lat))


def shift_m(lat, lon, de_m, dn_m):
    return lat + dn_m / 1000.0 / KM_LAT, lon + de_m / 1000.0 / km_lon(lat)


def poly_cum(poly):
    dy = np.diff(poly[:, 0]) * KM_LAT
    dx = np.diff(poly[:, 1]) * km_lon(poly[:-1, 0])
    return np.concatenate([[0.0], np.cumsum(np.hypot(dx, dy))])


def poly_cut(poly, cum, d0, d1):
    inner = (cum > d0) & (cum < d1)
    a = [np.interp(d0, cum, poly[:, 0]), np.interp(d0, cum, poly[:, 1])]
    b = [np.interp(d1, cum, poly[:, 0]), np.interp(d1, cum, poly[:, 1])]
    return np.vstack([a, poly[inner], b])


def hav_km(lat1, lon1, lat2, lon2):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(np.minimum(h, 1.0)))


# --------------------------------------------------------------------------- geography
CITIES = {
    "Almaty": dict(
        tz="Asia/Almaty", country="KZ", speed=24.0, alt=780, region="02",
        res=[(43.2210, 76.8430), (43.1960, 76.8830), (43.2530, 76.8240), (43.3250, 76.8350),
             (43.2330, 76.7600), (43.2160, 76.9080), (43.2850, 76.9200), (43.2600, 76.8750)],
        off=[(43.2185, 76.9285), (43.2400, 76.9450), (43.2375, 76.9195), (43.2560, 76.9450)],
        baz=[(43.2635, 76.8230), (43.2625, 76.9540)],
        plant=[(43.3015, 76.7645)],
        depot=(43.3380, 76.9600), terminal=(43.3290, 77.0050), airport=(43.3521, 77.0405),
        dacha=[(43.3050, 77.2400), (43.2000, 76.6200), (43.1850, 76.9700)],
        bbox=(43.19, 43.33, 76.78, 77.00),
        routes=[("92", [(43.3300, 76.9500), (43.2900, 76.9450), (43.2600, 76.9450), (43.2400, 76.9200),
                        (43.2200, 76.9000), (43.1950, 76.8850)]),
                ("12", [(43.3250, 76.8350), (43.2800, 76.8400), (43.2550, 76.8600), (43.2400, 76.8900),
                        (43.2300, 76.9100), (43.2180, 76.9300)])],
    ),
    "Astana": dict(
        tz="Asia/Almaty", country="KZ", speed=30.0, alt=350, region="01",
        res=[(51.1850, 71.4150), (51.1650, 71.4700), (51.1450, 71.5200), (51.1950, 71.4000),
             (51.0950, 71.4200), (51.1550, 71.3900)],
        off=[(51.1283, 71.4305), (51.1260, 71.4470), (51.1660, 71.4280), (51.0900, 71.4150)],
        baz=[(51.1975, 71.3990), (51.1620, 71.4180)],
        plant=[(51.2135, 71.3580)],
        depot=(51.2030, 71.4660), terminal=(51.2150, 71.5300), airport=(51.0222, 71.4669),
        dacha=[(51.2300, 71.3000), (51.0900, 71.3300)],
        bbox=(51.09, 51.21, 71.37, 71.54),
        routes=[("10", [(51.1950, 71.4000), (51.1800, 71.4200), (51.1650, 71.4350), (51.1400, 71.4400),
                        (51.1280, 71.4300), (51.0950, 71.4200)]),
                ("21", [(51.2030, 71.4660), (51.1750, 71.4600), (51.1600, 71.4800), (51.1450, 71.5200)])],
    ),
    "Shymkent": dict(
        tz="Asia/Almaty", country="KZ", speed=28.0, alt=510, region="17",
        res=[(42.3600, 69.6400), (42.3300, 69.5600), (42.3800, 69.6200), (42.3050, 69.6200)],
        off=[(42.3170, 69.5960), (42.3250, 69.5870)],
        baz=[(42.3090, 69.5820)],
        plant=[(42.2215, 69.6400)],
        depot=(42.3400, 69.6500), terminal=(42.3000, 69.6600), airport=(42.3642, 69.4789),
        dacha=[(42.4300, 69.7500)],
        bbox=(42.29, 42.38, 69.54, 69.66), routes=[],
    ),
    "Omsk": dict(
        tz="Asia/Omsk", country="RU", speed=28.0, alt=90, region="55",
        res=[(54.9950, 73.2700), (54.9500, 73.4300), (55.0300, 73.2900), (54.9700, 73.3500)],
        off=[(54.9850, 73.3700), (54.9780, 73.3900)],
        baz=[(54.9740, 73.3920)],
        plant=[(55.1000, 73.2300)],
        depot=(54.9400, 73.4600), terminal=(54.9400, 73.4600), airport=(54.9670, 73.3105),
        dacha=[(55.1000, 73.4200), (54.8800, 73.2000)],
        bbox=(54.93, 55.05, 73.26, 73.46), routes=[],
    ),
    "Novosibirsk": dict(
        tz="Asia/Novosibirsk", country="RU", speed=25.0, alt=150, region="54",
        res=[(54.8500, 83.1000), (54.9800, 82.8800), (55.0550, 82.9900), (55.0400, 82.9200),
             (55.0900, 82.9300)],
        off=[(55.0300, 82.9200), (55.0420, 82.9180)],
        baz=[(54.9870, 82.8600), (55.0360, 82.9450)],
        plant=[(54.9750, 82.8700), (55.0700, 82.9800)],
        depot=(54.9600, 83.0200), terminal=(54.9600, 83.0200), airport=(55.0126, 82.6507),
        dacha=[(54.7700, 83.0600), (54.8000, 83.1500)],
        bbox=(54.95, 55.10, 82.84, 83.02), routes=[],
    ),
}

# Almaty <-> Astana (M-36 via Konaev, Kurty, Balkhash, Karaganda, Temirtau), terminal to terminal
M36 = np.array([(43.3290, 77.0050), (43.4500, 77.0200), (43.8697, 77.0650), (44.0200, 76.4000),
                (45.0500, 75.3500), (46.0000, 75.0500), (46.8481, 74.9950), (47.6000, 74.6000),
                (48.3500, 74.0500), (49.1000, 73.5500), (49.8047, 73.1094), (50.0600, 72.9500),
                (50.5500, 72.4000), (51.1000, 71.6500), (51.2150, 71.5300)])
# Novosibirsk <-> Omsk (R-254 "Irtysh" via Kochenyovo, Chulym, Kargat, Kuybyshev, Tatarsk, Kalachinsk)
R254 = np.array([(54.9600, 83.0200), (55.0200, 82.2000), (55.1000, 80.9600), (55.1900, 80.2800),
                 (55.4500, 78.3200), (55.3000, 77.3000), (55.2200, 75.9800), (55.0500, 74.5800),
                 (54.9400, 73.4600)])
R254_GSM_GAP = (76.6, 79.6)  # longitudes of the Baraba stretch without coverage

ALT_ANCHORS = np.array([(43.24, 76.89, 780), (43.87, 77.07, 480), (46.85, 75.00, 350), (49.80, 73.11, 550),
                        (51.17, 71.45, 350), (42.34, 69.59, 510), (54.99, 73.32, 90), (55.01, 82.94, 150),
                        (55.40, 78.30, 110)])

# moving interval s, ignition-on-stationary interval s, parked (ignition off) interval s
DEVICES = {
    "Teltonika FMB920": (30, 120, 1800),
    "Teltonika FMB125": (30, 120, 1800),
    "Galileosky 7.0 Lite": (30, 60, 3600),
    "Teltonika FMB130": (30, 120, 3600),
    "Concox GT06N": (20, 60, 600),
    "Android": (15, 60, 60),
}
SHAPE = {"city": 5.0, "bus": 4.0, "road": 25.0}  # gamma shape of per-sample progress: speed spread
CAP = {"city": 92.0, "bus": 62.0, "road": 104.0}  # reported-speed ceiling per road type, km/h
TAGS = ["offline", "free", "driving", "transporting", "busy"]
T_OFF, T_FREE, T_DRIVING, T_TRANSP, T_BUSY = range(5)

# (group, kind, city, platform, count at 120 vehicles)
GROUPS = [
    ("A-office", "office", "Almaty", "wialon_almaty", 8),
    ("A-dacha", "office_dacha", "Almaty", "wialon_almaty", 4),
    ("A-bazaar", "bazaar_trader", "Almaty", "wialon_almaty", 5),
    ("A-plant", "plant_shift", "Almaty", "wialon_almaty", 2),
    ("A-bus", "city_bus", "Almaty", "wialon_almaty", 6),
    ("A-lorry", "lorry", "Almaty", "wialon_almaty", 4),
    ("A-rot", "rotation_28_28", "Almaty", "wialon_almaty", 2),
    ("S-office", "office", "Shymkent", "wialon_almaty", 3),
    ("S-bazaar", "bazaar_trader", "Shymkent", "wialon_almaty", 3),
    ("S-plant", "plant_shift", "Shymkent", "wialon_almaty", 5),
    ("S-rot", "rotation_28_28", "Shymkent", "wialon_almaty", 3),
    ("N-office", "office", "Astana", "wialon_astana", 8),
    ("N-dacha", "office_dacha", "Astana", "wialon_astana", 2),
    ("N-bazaar", "bazaar_trader", "Astana", "wialon_astana", 4),
    ("N-plant", "plant_shift", "Astana", "wialon_astana", 3),
    ("N-bus", "city_bus", "Astana", "wialon_astana", 4),
    ("N-lorry", "lorry", "Astana", "wialon_astana", 3),
    ("N-rot", "rotation_28_28", "Astana", "wialon_astana", 1),
    ("A-taxi", "taxi_day", "Almaty", "taxopark", 8),
    ("A-ntaxi", "taxi_night", "Almaty", "taxopark", 4),
    ("N-taxi", "taxi_day", "Astana", "taxopark", 4),
    ("N-ntaxi", "taxi_night", "Astana", "taxopark", 2),
    ("S-taxi", "taxi_day", "Shymkent", "taxopark", 2),
    ("R-office", "office", "Novosibirsk", "traccar", 7),
    ("R-dacha", "office_dacha", "Novosibirsk", "traccar", 3),
    ("R-bazaar", "bazaar_trader", "Novosibirsk", "traccar", 2),
    ("R-plant", "plant_shift", "Novosibirsk", "traccar", 3),
    ("R-lorry", "lorry", "Novosibirsk", "traccar", 3),
    ("O-office", "office", "Omsk", "traccar", 5),
    ("O-plant", "plant_shift", "Omsk", "traccar", 4),
    ("O-dacha", "office_dacha", "Omsk", "traccar", 2),
    ("O-lorry", "lorry", "Omsk", "traccar", 2),
]
PRIORITY = ["A-office", "N-office", "A-taxi", "R-office", "A-bus", "A-lorry", "S-bazaar", "S-plant",
            "R-lorry", "N-ntaxi", "S-rot", "A-dacha", "N-bazaar", "O-plant", "N-bus", "R-dacha"]

FILES = {
    "wialon_almaty": "wialon_almaty.csv",
    "wialon_astana": "wialon_astana.csv",
    "taxopark": "taxopark_tracks.parquet",
    "traccar": "traccar_positions.csv",
}
PLATFORM_NAME = {
    "wialon_almaty": "Wialon Hosting", "wialon_astana": "Wialon Hosting",
    "taxopark": "Taxopark driver app", "traccar": "Traccar 5.12",
}
ACCOUNT = {"wialon_almaty": "Алматы (дилер)", "wialon_astana": "Астана (дилер)",
           "taxopark": "таксопарк", "traccar": "nsk-traccar"}

MODELS = {
    "office": ["Toyota Camry", "Hyundai Tucson", "Kia K5", "Toyota RAV4", "Chevrolet Cobalt",
               "Hyundai Elantra", "Kia Sportage", "Lada Granta"],
    "office_dacha": ["Toyota Land Cruiser Prado", "Mitsubishi Pajero", "Lada Niva Travel", "Toyota RAV4"],
    "bazaar_trader": ["Hyundai Porter II", "ГАЗель Next", "Kia Bongo III", "Hyundai Starex"],
    "plant_shift": ["Lada Vesta", "Chevrolet Nexia", "Toyota Corolla", "Daewoo Matiz", "Lada Largus"],
    "city_bus": ["Yutong ZK6118HGA", "Golden Dragon XML6125", "МАЗ-203", "Hyundai Universe"],
    "lorry": ["MAN TGS 26.440", "Shacman X3000", "Howo T5G", "КамАЗ 5490", "Volvo FH 460"],
    "rotation_28_28": ["Toyota Camry", "Lexus RX 350", "Toyota Highlander", "Hyundai Santa Fe"],
    "taxi_day": ["Hyundai Accent", "Chevrolet Cobalt", "Kia Rio", "Toyota Camry", "Chevrolet Onix"],
    "taxi_night": ["Hyundai Accent", "Chevrolet Cobalt", "Kia Rio", "Chevrolet Onix"],
}
RU_MODELS = ["Lada Vesta", "Kia Rio", "Hyundai Solaris", "Toyota Land Cruiser Prado", "УАЗ Патриот",
             "Renault Duster", "Skoda Octavia"]
KZ_LETTERS = "ABCDEFHKLMNOPRSTXYZ"
RU_LETTERS = "АВЕКМНОРСТУХ"


# --------------------------------------------------------------------------- time
def naive_epoch(d: dt.datetime) -> int:
    return int((d - dt.datetime(1970, 1, 1)).total_seconds())


class Clock:
    """Local wall clock of a city: local schedule -> UTC epoch seconds, using the IANA rules."""

    _cache: dict = {}

    def __init__(self, city: str):
        spec = CITIES[city]
        self.zone = ZoneInfo(spec["tz"])
        self.country = spec["country"]
        key = spec["tz"]
        if key not in Clock._cache:
            base = dt.datetime(2024, 1, 1)
            offs = np.array([self.zone.utcoffset(base + dt.timedelta(hours=h)).total_seconds()
                             for h in range(24 * 140)])
            Clock._cache[key] = (naive_epoch(base), offs)
        self.base, self.off = Clock._cache[key]
        self.day0 = naive_epoch(dt.datetime.combine(START_DATE, dt.time()))

    def utc(self, d: int, hours: float) -> float:
        loc = self.day0 + d * 86400 + hours * 3600.0
        return loc - self.off[int((loc - self.base) // 3600)]

    def local(self, t: float):
        x = dt.datetime.fromtimestamp(int(t), self.zone).replace(tzinfo=None)
        d = (x.date() - START_DATE).days
        return d, x.hour + x.minute / 60.0 + x.second / 3600.0

    def date(self, d: int) -> dt.date:
        return START_DATE + dt.timedelta(days=d)

    def workday(self, d: int) -> bool:
        day = self.date(d)
        return day.weekday() < 5 and day not in HOLIDAYS[self.country]


def temperatures(seed: int, city: str, nd: int) -> np.ndarray:
    """Night minimum temperature (deg C) for days -1..nd+1 (index d+1)."""
    base = {"Almaty": -9.0, "Astana": -21.0, "Shymkent": -3.0, "Omsk": -21.0, "Novosibirsk": -20.0}[city]
    r = np.random.default_rng([seed, 7, sorted(CITIES).index(city)])
    n = nd + 3
    ar = np.zeros(n)
    e = r.normal(0, 4.5, n)
    for i in range(n):
        ar[i] = (0.6 * ar[i - 1] if i else 0.0) + e[i]
    return base + ar + 0.22 * (np.arange(n) - 1)


# --------------------------------------------------------------------------- plans
class Plan:
    """A vehicle's timeline: stays (parked, or idling when `idle`) and trips along polylines."""

    def __init__(self, pos, t, rng, city):
        self.pos = (float(pos[0]), float(pos[1]))
        self.t = float(t)
        self.r = rng
        self.city = city
        self.stays: list = []
        self.trips: list = []
        self.stay_tag = T_OFF

    def go(self, dest, t_dep, route=None, style="city", speed=None, idle=False, tag=T_OFF, stay_tag=None):
        t_dep = max(float(t_dep), self.t + 30.0)
        if route is None:
            route = city_route(self.pos, dest, self.r)
        else:
            route = np.asarray(route, dtype=float)
        cum = poly_cum(route)
        length = cum[-1]
        if length < 0.05:
            return self.t
        v = speed or CITIES[self.city]["speed"] * self.r.uniform(0.85, 1.15)
        dur = length / v * 3600.0 + 20.0
        self.stays.append((self.t, t_dep, self.pos[0], self.pos[1], idle,
                           self.stay_tag if stay_tag is None else stay_tag))
        self.trips.append((t_dep, t_dep + dur, route, cum, style, tag))
        self.pos = (float(route[-1, 0]), float(route[-1, 1]))
        self.t = t_dep + dur
        self.stay_tag = T_OFF
        return self.t

    def finish(self, t_end, idle=False):
        if t_end > self.t:
            self.stays.append((self.t, t_end, self.pos[0], self.pos[1], idle, self.stay_tag))
            self.t = t_end


def city_route(a, b, r):
    a = np.asarray(a, float)
    b = np.asarray(b, float)
    dkm = hav_km(a[0], a[1], b[0], b[1])
    if dkm > 14:  # out of town: a road with one bend
        mid = (a + b) / 2 + r.normal(0, 0.01, 2)
        return np.vstack([a, mid, b])
    corner = np.array([a[0], b[1]]) if r.random() < 0.5 else np.array([b[0], a[1]])
    corner = corner + r.normal(0, 0.0008, 2)
    return np.vstack([a, corner, b])


def jitter(p, sd_m, r):
    lat, lon = shift_m(p[0], p[1], r.normal(0, sd_m), r.normal(0, sd_m))
    return (float(lat), float(lon))


def near(p, r, lo_km, hi_km):
    ang = r.uniform(0, 2 * np.pi)
    dist = r.uniform(lo_km, hi_km) * 1000
    lat, lon = shift_m(p[0], p[1], dist * np.cos(ang), dist * np.sin(ang))
    return (float(lat), float(lon))


def city_point(city, r):
    b = CITIES[city]["bbox"]
    c = ((b[0] + b[1]) / 2, (b[2] + b[3]) / 2)
    lat = np.clip(r.normal(c[0], (b[1] - b[0]) / 3.5), b[0], b[1])
    lon = np.clip(r.normal(c[1], (b[3] - b[2]) / 3.5), b[2], b[3])
    return (float(lat), float(lon))


def add_warm(v, a, b, why):
    v["warm"].append((float(math.floor(a)), float(math.floor(b)), why))


# --------------------------------------------------------------------------- lives
def weekend_outings(p, v, ck, d, r, n_max=2):
    for _ in range(r.integers(0, n_max + 1)):
        dep = ck.utc(d, r.uniform(10.5, 15.5))
        if dep < p.t + 600:
            continue
        p.go(city_point(v["city"], r), dep)
        p.go(v["home"], p.t + r.uniform(50, 180) * 60)


def remote_warmups(v, ck, d, r, dep, temps, at_home=True):
    mode = v.get("remote")
    cold = temps[d + 1]
    if mode in ("manual", "temperature") and r.random() < (0.85 if cold < -10 else 0.3):
        add_warm(v, dep - r.uniform(8, 20) * 60, dep, "manual")


def timer_and_night_warmups(v, ck, nd, temps, r):
    mode = v.get("remote")
    for d in range(-1, nd + 1):
        if mode == "timer" and r.random() < 0.92:
            a = ck.utc(d, v["timer_h"])
            add_warm(v, a, a + v["timer_min"] * 60, "timer")
        if mode == "temperature" and temps[d + 1] < -20:
            h = r.uniform(1.0, 2.0)
            while h < 5.5:
                a = ck.utc(d, h)
                add_warm(v, a, a + 10 * 60, "temperature")
                h += r.uniform(2.5, 3.5)


def life_office(v, ck, nd, temps, dacha=False):
    r = v["rng"]
    home, work = v["home"], v["work"]
    p = Plan(home, ck.utc(-1, 0), r, v["city"])
    dep_h, ret_h = r.uniform(7.2, 8.3), r.uniform(17.9, 19.0)
    for d in range(-1, nd + 1):
        if ck.utc(d, 10) < p.t:
            continue
        wd = ck.date(d).weekday()
        if ck.workday(d):
            dep = ck.utc(d, dep_h + r.normal(0, 0.15))
            remote_warmups(v, ck, d, r, dep, temps)
            p.go(work, dep)
            if r.random() < 0.15:
                p.go(near(work, r, 0.4, 1.5), ck.utc(d, r.uniform(12.4, 13.0)))
                p.go(work, p.t + r.uniform(35, 60) * 60)
            ret = ck.utc(d, ret_h + r.normal(0, 0.3))
            if r.random() < 0.35:
                p.go(near(home, r, 0.5, 2.0), ret)
                p.go(home, p.t + r.uniform(15, 40) * 60)
            else:
                p.go(home, ret)
            if r.random() < 0.12:
                p.go(city_point(v["city"], r), ck.utc(d, r.uniform(19.8, 20.5)))
                p.go(home, p.t + r.uniform(60, 150) * 60)
        elif dacha and wd == 5 and r.random() < 0.6:
            p.go(v["dacha"], ck.utc(d, r.uniform(9.5, 11.0)))
            if r.random() < 0.55:
                p.go(home, ck.utc(d + 1, r.uniform(15.0, 17.5)))
                v["dacha_nights"] += 1
            else:
                p.go(home, ck.utc(d, r.uniform(16.5, 19.0)))
        else:
            weekend_outings(p, v, ck, d, r)
    p.finish(ck.utc(nd + 1, 0))
    return p


def life_bazaar(v, ck, nd, temps):
    r = v["rng"]
    home, work = v["home"], v["work"]
    p = Plan(home, ck.utc(-1, 0), r, v["city"])
    dep_h = r.uniform(4.9, 5.6)
    for d in range(-1, nd + 1):
        wd = ck.date(d).weekday()
        if wd == 0 or (wd == 6 and r.random() < 0.3) or r.random() < 0.04:
            weekend_outings(p, v, ck, d, r, 1)
            continue
        dep = ck.utc(d, dep_h + r.normal(0, 0.1))
        if temps[d + 1] < -5 and r.random() < 0.7:
            add_warm(v, dep - r.uniform(8, 15) * 60, dep, "manual")
        p.go(work, dep)
        if r.random() < 0.2:
            p.go(near(work, r, 3, 8), ck.utc(d, r.uniform(10.5, 11.5)))
            p.go(work, p.t + r.uniform(30, 70) * 60)
        p.go(home, ck.utc(d, r.uniform(16.5, 17.8)))
    p.finish(ck.utc(nd + 1, 0))
    return p


def life_plant(v, ck, nd, temps):
    r = v["rng"]
    home, work = v["home"], v["work"]
    p = Plan(home, ck.utc(-1, 0), r, v["city"])
    phase = int(r.integers(4))
    v["shift_phase"] = phase
    for d in range(-1, nd + 1):
        c = (d + phase) % 4
        if c == 0:  # day shift 08-20
            dep = ck.utc(d, 7.1 + r.normal(0, 0.08))
            remote_warmups(v, ck, d, r, dep, temps)
            p.go(work, dep)
            p.go(home, ck.utc(d, 20.15 + r.uniform(0, 0.2)))
        elif c == 1:  # night shift 20-08
            dep = ck.utc(d, 19.1 + r.normal(0, 0.08))
            remote_warmups(v, ck, d, r, dep, temps)
            p.go(work, dep)
            back = ck.utc(d + 1, 8.15 + r.uniform(0, 0.2))
            remote_warmups(v, ck, d + 1, r, back, temps)
            p.go(home, back)
        elif c == 2:  # sleep-off day
            if r.random() < 0.4:
                p.go(near(home, r, 0.5, 3), ck.utc(d, r.uniform(14.5, 16.5)))
                p.go(home, p.t + r.uniform(20, 60) * 60)
        else:
            weekend_outings(p, v, ck, d, r)
    p.finish(ck.utc(nd + 1, 0))
    return p


def life_bus(v, ck, nd, temps):
    r = v["rng"]
    depot = v["home"]
    route = np.array(v["route"])
    p = Plan(depot, ck.utc(-1, 0), r, v["city"])
    spd = {"Almaty": 17.0, "Astana": 20.0}[v["city"]]
    for d in range(-1, nd + 1):
        if r.random() < 0.08:
            if 0 <= d < nd:
                v["maintenance_days"].append(ck.date(d).isoformat())
            continue
        wd = ck.date(d).weekday()
        dep = ck.utc(d, (5.75 if wd < 5 else 6.5) + r.normal(0, 0.08))
        add_warm(v, dep - r.uniform(20, 40) * 60, dep, "depot")
        p.go(route[0], dep)
        end = ck.utc(d, 21.9 + r.normal(0, 0.2))
        fwd, changed = True, False
        while p.t < end:
            leg = route if fwd else route[::-1]
            lay = r.uniform(4, 10) * 60
            if not changed and ck.local(p.t)[1] > 13.0:
                lay, changed = 20 * 60, True
            p.go(leg[-1], p.t + lay, route=leg, style="bus", speed=spd * r.uniform(0.9, 1.1), idle=True)
            fwd = not fwd
        p.go(depot, p.t + r.uniform(3, 8) * 60, idle=True)
    p.finish(ck.utc(nd + 1, 0))
    return p


def drive_road(p, v, ck, road, t0, temps, speed):
    r = v["rng"]
    cum = poly_cum(road)
    total = cum[-1]
    pos, t, idle = 0.0, t0, False
    driven, cap = 0.0, r.uniform(9.5, 11.5)
    while pos < total - 0.01:
        d, h = ck.local(t)
        t_night = ck.utc(d, 21.0 + r.uniform(-0.5, 0.5))
        hours = min(r.uniform(3.0, 4.5), (t_night - t) / 3600.0, cap - driven)
        if hours < 0.5:
            t = ck.utc(d + 1, r.uniform(5.3, 6.3))
            idle = temps[min(d + 2, len(temps) - 1)] < -5 and r.random() < 0.7
            if idle:
                v["overnight_idling"] += 1
            driven, cap = 0.0, r.uniform(9.5, 11.5)
            continue
        vv = speed * r.uniform(0.93, 1.07)
        end = min(total, pos + vv * hours)
        if total - end < vv * 0.6:
            end = total
        poly = poly_cut(road, cum, pos, end)
        p.go(poly[-1], t, route=poly, style="road", speed=vv, idle=idle)
        driven += (end - pos) / vv
        pos = end
        t = p.t + r.uniform(25, 60) * 60
        idle = r.random() < 0.4
    return p.t


def life_lorry(v, ck, nd, temps):
    r = v["rng"]
    road = v["road"]
    base = tuple(road[0])
    p = Plan(base, ck.utc(-1, 0), r, v["city"])
    d = int(r.integers(-1, 3))
    t_end = ck.utc(nd + 1, 0)
    while True:
        t_dep = ck.utc(d, 6.0 + r.uniform(-0.3, 0.5))
        if t_dep > t_end:
            break
        add_warm(v, t_dep - r.uniform(15, 30) * 60, t_dep, "depot")
        drive_road(p, v, ck, road, t_dep, temps, 66.0)
        dd, hh = ck.local(p.t)
        t_back = ck.utc(dd + 1, r.uniform(9.5, 12.5))
        v["far_nights"] += 1
        drive_road(p, v, ck, road[::-1], t_back, temps, 66.0)
        dd, hh = ck.local(p.t)
        d = dd + 1 + int(r.integers(1, 3))
        v["trips"] += 1
    p.finish(t_end)
    return p


def life_rotation(v, ck, nd, temps):
    r = v["rng"]
    home = v["home"]
    C = CITIES[v["city"]]
    airport = jitter(C["airport"], 60, r)
    mode = "returns" if r.random() < 0.5 else "leaves"
    left = "airport" if r.random() < 0.55 else "home"
    if mode == "returns":
        sw = max(1, int(round(nd * r.uniform(0.28, 0.43))))
    else:
        sw = min(nd - 1, int(round(nd * r.uniform(0.57, 0.72))))
    v["rotation"] = {"mode": mode, "switch_date": ck.date(sw).isoformat(), "car_left_at": left,
                     "airport": [round(airport[0], 6), round(airport[1], 6)]}
    start_pos = airport if (mode == "returns" and left == "airport") else home
    p = Plan(start_pos, ck.utc(-1, 0), r, v["city"])
    for d in range(-1, nd + 1):
        if mode == "returns" and d == sw:
            land = ck.utc(d, r.uniform(10, 15))
            if left == "airport":
                p.go(home, land + r.uniform(35, 60) * 60)
            continue
        if mode == "leaves" and d == sw:
            if left == "airport":
                p.go(airport, ck.utc(d, r.uniform(4.3, 5.3)))
            continue
        if (d < sw) if mode == "returns" else (d > sw):
            if left == "home" and r.random() < 0.35:  # the family uses the car now and then
                p.go(near(home, r, 1, 5), ck.utc(d, r.uniform(10, 17)))
                p.go(home, p.t + r.uniform(30, 120) * 60)
            continue
        if ck.workday(d) and r.random() < 0.5:  # school run
            p.go(near(home, r, 0.8, 2.5), ck.utc(d, 7.7 + r.normal(0, 0.1)))
            p.go(home, p.t + r.uniform(5, 15) * 60)
        for _ in range(r.integers(1, 3)):
            dep = ck.utc(d, r.uniform(10.0, 18.5))
            if dep < p.t + 600:
                continue
            p.go(city_point(v["city"], r), dep)
            p.go(home, p.t + r.uniform(40, 150) * 60)
    p.finish(ck.utc(nd + 1, 0))
    if left == "airport":  # the battery gives up after a week or so in the cold, the tracker falls silent
        if mode == "returns":
            p_end = p.stays[0][1]
            v["silent"].append((ck.utc(-1, 0), p_end - 1.0))
        else:
            last = p.stays[-1]
            s0 = last[0] + r.uniform(6, 10) * 86400
            if s0 < last[1]:
                v["silent"].append((s0, last[1]))
    return p


def life_taxi(v, ck, nd, temps, night=False):
    r = v["rng"]
    home = v["home"]
    p = Plan(home, ck.utc(-1, 0), r, v["city"])
    C = CITIES[v["city"]]
    off_wd = int(r.integers(7))
    start_h = r.uniform(17.3, 18.5) if night else r.uniform(6.8, 7.8)
    len_h = r.uniform(9.5, 11.0) if night else r.uniform(11.0, 12.5)
    for d in range(-1, nd + 1):
        if ck.date(d).weekday() == off_wd or r.random() < 0.05:
            continue
        on = ck.utc(d, start_h + r.normal(0, 0.15))
        if on < p.t + 1800:
            continue
        s_end = on + len_h * 3600 * r.uniform(0.9, 1.05)
        p.stay_tag = T_OFF
        p.go(city_point(v["city"], r), on + 300, tag=T_FREE)
        lunch = False
        while p.t < s_end:
            p.stay_tag = T_FREE
            wait = r.uniform(2, 12) * 60
            if not lunch and p.t > on + 5.5 * 3600:
                lunch = True
                p.go(near(p.pos, r, 0.3, 1.2), p.t + wait, tag=T_BUSY)
                p.stay_tag = T_BUSY
                wait = r.uniform(35, 60) * 60
            pick = near(p.pos, r, 0.4, 2.5)
            p.go(pick, p.t + wait, tag=T_DRIVING)
            p.stay_tag = T_DRIVING
            dest = jitter(C["airport"], 80, r) if r.random() < 0.05 else city_point(v["city"], r)
            p.go(dest, p.t + r.uniform(1, 4) * 60, tag=T_TRANSP)
        p.stay_tag = T_FREE
        p.go(home, p.t + r.uniform(1, 5) * 60, tag=T_OFF)
        bg = r.uniform(0, 40) * 60
        v["app"].append((on, p.t + bg))
        v["bg"].append((p.t, p.t + bg))
    p.finish(ck.utc(nd + 1, 0))
    return p


# --------------------------------------------------------------------------- rendering
def render(v, nd, win):
    r = v["rng"]
    p = v["plan"]
    mv, idl, prk = DEVICES[v["device"]]
    T, LA, LO, SP, CO, IG, TG = [], [], [], [], [], [], []
    sh = {"city": 0.22, "bus": 0.35, "road": 0.015}
    for (t0, t1, route, cum, style, tag) in p.trips:
        n = max(int((t1 - t0) // mv), 1)
        ts = t0 + np.arange(n) * mv
        inc = r.gamma(SHAPE[style], 1.0, n)
        inc[r.random(n) < sh[style]] = 0.0
        if inc.sum() <= 0:
            inc[:] = 1.0
        frac = np.concatenate([[0.0], np.cumsum(inc)[:-1]]) / inc.sum()
        dist = frac * cum[-1]
        la = np.interp(dist, cum, route[:, 0])
        lo = np.interp(dist, cum, route[:, 1])
        seg = inc / inc.sum() * cum[-1]
        spd = seg / mv * 3600.0
        spd = np.minimum(spd, CAP[style] + r.normal(0, 2, n))
        la2 = np.append(la[1:], route[-1, 0])
        lo2 = np.append(lo[1:], route[-1, 1])
        co = (np.degrees(np.arctan2((lo2 - lo) * km_lon(la), (la2 - la) * KM_LAT)) + 360.0) % 360.0
        T.append(ts)
        LA.append(la)
        LO.append(lo)
        SP.append(spd)
        CO.append(co)
        IG.append(np.ones(n, bool))
        TG.append(np.full(n, tag, np.int8))
    warm = sorted(v["warm"])
    wa = np.array([w[0] for w in warm]) if warm else np.zeros(0)
    ok = []
    for si, (t0, t1, lat, lon, idle, tag) in enumerate(p.stays):
        if si == 0:
            t0 = t0 - r.uniform(0, prk)
        pieces = []
        if idle:
            pieces.append((t0, t1, True))
        else:
            cur = t0
            i = int(np.searchsorted(wa, t0))
            while i < len(warm) and warm[i][0] < t1:
                a, b, why = warm[i]
                if a >= cur and b <= t1 and b > a:
                    pieces.append((cur, a, False))
                    pieces.append((a, b, True))
                    ok.append(warm[i])
                    cur = b
                i += 1
            pieces.append((cur, t1, False))
        for (a, b, on) in pieces:
            if b <= a:
                continue
            step = idl if on else prk
            ts = a + np.arange(0, b - a, step)
            n = len(ts)
            sd = 6.0 if on else 4.0
            la = lat + r.normal(0, sd, n) / 1000 / KM_LAT
            lo = lon + r.normal(0, sd, n) / 1000 / km_lon(lat)
            spd = np.zeros(n)
            if on:
                drift = r.random(n) < 0.12
                spd[drift] = r.uniform(1, 6, drift.sum())
            T.append(ts)
            LA.append(la)
            LO.append(lo)
            SP.append(spd)
            CO.append(np.zeros(n))
            IG.append(np.full(n, on))
            TG.append(np.full(n, tag, np.int8))
    v["warm_ok"] = ok
    t = np.floor(np.concatenate(T)).astype(np.int64)
    o = np.argsort(t, kind="stable")
    t = t[o]
    keep = np.ones(len(t), bool)
    keep[1:] = t[1:] != t[:-1]
    o = o[keep]
    t = t[keep]
    cols = dict(t=t, lat=np.concatenate(LA)[o], lon=np.concatenate(LO)[o], speed=np.concatenate(SP)[o],
                course=np.concatenate(CO)[o], ign=np.concatenate(IG)[o], tag=np.concatenate(TG)[o])
    m = (cols["t"] >= win[0]) & (cols["t"] < win[1])
    for (a, b) in v["silent"] + [(g[0], g[1] + 10 * g[2]) for g in v["gaps"]]:
        m &= ~((cols["t"] >= a) & (cols["t"] < b))
    if v["platform"] == "taxopark":
        app = np.zeros(len(t), bool)
        for (a, b) in v["app"]:
            app |= (cols["t"] >= a) & (cols["t"] < b)
        for (a, b) in v["bg"]:
            inb = (cols["t"] >= a) & (cols["t"] < b)
            app &= ~(inb & (((cols["t"] - int(a)) % 300) >= 60))
        m &= app
    return {k: x[m] for k, x in cols.items()}


def altitude(lat, lon, r):
    dy = (lat[:, None] - ALT_ANCHORS[None, :, 0]) * KM_LAT
    dx = (lon[:, None] - ALT_ANCHORS[None, :, 1]) * 75.0
    w = 1.0 / (dx * dx + dy * dy + 25.0) ** 1.5
    alt = (w * ALT_ANCHORS[None, :, 2]).sum(1) / w.sum(1)
    return np.round(alt + r.normal(0, 6, len(lat))).astype(int)


def odometer(c, start_km):
    moving = c["ign"] & (c["speed"] > 0)
    d = np.zeros(len(c["t"]))
    if len(d) > 1:
        d[1:] = hav_km(c["lat"][:-1], c["lon"][:-1], c["lat"][1:], c["lon"][1:])
        d[1:][~moving[1:]] = 0.0
        d = np.minimum(d, 3.0)
    return start_km + np.cumsum(d)


def voltage(c, r):
    t = c["t"].astype(float)
    first = t[0] - r.uniform(0.3, 2.0) * 86400 if len(t) else 0.0
    last_on = np.maximum.accumulate(np.where(c["ign"], t, first))
    days_off = np.clip((t - last_on) / 86400.0, 0, 12)
    on = 14.1 + r.normal(0, 0.08, len(t))
    off = 12.55 - 0.11 * days_off + r.normal(0, 0.04, len(t))
    v = np.where(c["ign"], on, off)
    return np.round(v, 1)


# --------------------------------------------------------------------------- fleet
def deck(n):
    cnt = {g[0]: g[4] for g in GROUPS}
    order = list(PRIORITY)
    rest = []
    for gi, g in enumerate(GROUPS):
        k = cnt[g[0]] - (1 if g[0] in PRIORITY else 0)
        rest += [((j + 0.5) / k, gi, g[0]) for j in range(k)]
    order += [x[2] for x in sorted(rest)]
    full = (order * (n // len(order) + 1))[:n]
    return full


def kz_plate(r, region, used):
    while True:
        s = f"{int(r.integers(1, 1000)):03d} {''.join(r.choice(list(KZ_LETTERS), 3))} {region}"
        if s not in used:
            used.add(s)
            return s


def ru_plate(r, region, used):
    while True:
        L = r.choice(list(RU_LETTERS), 3)
        s = f"{L[0]}{int(r.integers(1, 1000)):03d}{L[1]}{L[2]} {region}"
        if s not in used:
            used.add(s)
            return s


def build_fleet(n, nd, seed):
    rg = np.random.default_rng([seed, 1])
    used: set = set()
    gspec = {g[0]: g for g in GROUPS}
    vs = []
    counters: dict = {}
    for i, gname in enumerate(deck(n)):
        _, kind, city, plat, _ = gspec[gname]
        k = counters.get(gname, 0)
        counters[gname] = k + 1
        r = np.random.default_rng([seed, 100 + i])
        C = CITIES[city]
        v = dict(idx=i, group=gname, kind=kind, city=city, platform=plat, rng=r, warm=[], silent=[],
                 gaps=[], app=[], bg=[], maintenance_days=[], dacha_nights=0, overnight_idling=0,
                 far_nights=0, trips=0, extra={})
        ru = C["country"] == "RU"
        region = C["region"]
        if kind == "lorry":
            region = "154" if city == "Novosibirsk" else ("155" if city == "Omsk" else region)
        plate = ru_plate(rg, region, used) if ru else kz_plate(rg, region, used)
        v["plate"] = plate
        model = (RU_MODELS[int(rg.integers(len(RU_MODELS)))] if ru and kind not in ("lorry",)
                 else MODELS[kind][int(rg.integers(len(MODELS[kind])))])
        v["model"] = model
        v["year"] = int(rg.integers(2008, 2024))
        home = work = None
        if kind in ("office", "office_dacha", "bazaar_trader", "plant_shift", "rotation_28_28",
                    "taxi_day", "taxi_night"):
            home = jitter(C["res"][int(r.integers(len(C["res"])))], 700, r)
        if kind in ("office", "office_dacha"):
            work = jitter(C["off"][int(r.integers(len(C["off"])))], 250, r)
        elif kind == "bazaar_trader":
            work = jitter(C["baz"][int(r.integers(len(C["baz"])))], 120, r)
        elif kind == "plant_shift":
            work = jitter(C["plant"][int(r.integers(len(C["plant"])))], 150, r)
        elif kind == "city_bus":
            rn, route = C["routes"][k % len(C["routes"])]
            home = jitter(C["depot"], 60, r)
            v["route"] = route
            v["route_no"] = rn
        elif kind == "lorry":
            if plat == "traccar":
                road = R254 if city == "Novosibirsk" else R254[::-1]
            else:
                road = M36 if city == "Almaty" else M36[::-1]
            road = road.copy()
            road[0] = jitter(road[0], 80, r)
            road[-1] = jitter(road[-1], 80, r)
            v["road"] = road
            home = (float(road[0, 0]), float(road[0, 1]))
        while work is not None and hav_km(home[0], home[1], work[0], work[1]) < 2.0:
            home = jitter(C["res"][int(r.integers(len(C["res"])))], 700, r)  # nobody drives 500 m to work
        v["home"], v["work"] = home, work
        if kind == "office_dacha":
            v["dacha"] = jitter(C["dacha"][int(r.integers(len(C["dacha"])))], 300, r)
        # device
        if plat == "taxopark":
            v["device"] = "Android"
            v["taxi_idx"] = sum(1 for x in vs if x["platform"] == "taxopark")
            v["driver_id"] = int(rg.integers(100_000, 999_999))
        elif plat == "traccar":
            ti = sum(1 for x in vs if x["platform"] == "traccar")
            v["traccar_idx"] = ti
            v["device"] = "Concox GT06N" if ti % 3 == 0 else "Teltonika FMB130"
        elif kind == "city_bus":
            v["device"] = "Galileosky 7.0 Lite"
        elif kind == "lorry":
            v["device"] = "Teltonika FMB125"
        else:
            v["device"] = "Teltonika FMB920"
        # remote engine start (StarLine-type alarms) for private cars in the cold
        if kind in ("office", "office_dacha", "plant_shift"):
            if city == "Astana":
                v["remote"] = ["timer", "manual", "timer", "temperature"][k % 4]
            elif city == "Almaty":
                v["remote"] = ["timer", "manual", None, None][k % 4]
            elif ru:
                v["remote"] = ["temperature", "manual", None][k % 3]
            else:
                v["remote"] = None
            if kind == "plant_shift" and v["remote"] == "timer":
                v["remote"] = "manual"
            if v["remote"] == "timer":
                v["timer_h"] = float(rg.choice([6.5, 6.75, 6.25]))
                v["timer_min"] = int(rg.choice([10, 15, 20]))
        vs.append(v)
    # vehicle names as each platform spells them
    for v in vs:
        if v["platform"].startswith("wialon"):
            if v["kind"] == "city_bus":
                v["id"] = f"Автобус №{v['route_no']} {v['plate']}"
            elif v["kind"] == "lorry":
                v["id"] = f"{v['model'].split()[0]} {v['plate']}"
            else:
                v["id"] = v["plate"]
        else:
            v["id"] = v["plate"]
    return vs


def simulate(vs, nd, seed):
    temps = {c: temperatures(seed, c, nd) for c in CITIES}
    for v in vs:
        ck = Clock(v["city"])
        v["clock"] = ck
        tp = temps[v["city"]]
        k = v["kind"]
        if k in ("office", "office_dacha"):
            v["plan"] = life_office(v, ck, nd, tp, dacha=(k == "office_dacha"))
        elif k == "bazaar_trader":
            v["plan"] = life_bazaar(v, ck, nd, tp)
        elif k == "plant_shift":
            v["plan"] = life_plant(v, ck, nd, tp)
        elif k == "city_bus":
            v["plan"] = life_bus(v, ck, nd, tp)
        elif k == "lorry":
            v["plan"] = life_lorry(v, ck, nd, tp)
        elif k == "rotation_28_28":
            v["plan"] = life_rotation(v, ck, nd, tp)
        else:
            v["plan"] = life_taxi(v, ck, nd, tp, night=(k == "taxi_night"))
        if v.get("remote") in ("timer", "temperature"):
            timer_and_night_warmups(v, ck, nd, tp, v["rng"])


def windows(nd):
    ck = Clock("Almaty")
    w1 = int(ck.utc(nd, 0))
    return {"wialon_almaty": (W0, w1), "wialon_astana": (W0, W0 + nd * 86400),
            "taxopark": (W0, w1), "traccar": (W0, w1)}


def rnd(p):
    return None if p is None else [round(p[0], 6), round(p[1], 6)]


def iso(t):
    return dt.datetime.fromtimestamp(int(t), dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------- writers
def fmt_local(sec):
    """local naive epoch seconds -> 'dd.mm.yyyy HH:MM:SS'"""
    s = np.datetime_as_string(np.asarray(sec, dtype="int64").astype("datetime64[s]"), unit="s")
    b = s.astype("S19").view(np.uint8).reshape(-1, 19)
    out = np.empty_like(b)
    out[:, 0:2] = b[:, 8:10]
    out[:, 2] = ord(".")
    out[:, 3:5] = b[:, 5:7]
    out[:, 5] = ord(".")
    out[:, 6:10] = b[:, 0:4]
    out[:, 10] = ord(" ")
    out[:, 11:19] = b[:, 11:19]
    return out.reshape(-1).view("S19").astype(str)


def fmt_dec(x, nd_):
    """fixed decimals with a decimal comma, as an arrow string array"""
    k = np.round(np.asarray(x, dtype=float) * 10 ** nd_).astype(np.int64)
    neg = k < 0
    k = np.abs(k)
    ip = pc.cast(pa.array(k // 10 ** nd_), pa.string())
    fp = pc.utf8_lpad(pc.cast(pa.array(k % 10 ** nd_), pa.string()), width=nd_, padding="0")
    s_ = pc.binary_join_element_wise(ip, fp, ",")
    if neg.any():
        s_ = pc.if_else(pa.array(neg), pc.binary_join_element_wise("-", s_, ""), s_)
    return s_


def local_naive(t, tz):
    ts = pd.to_datetime(t, unit="s", utc=True).tz_convert(tz).tz_localize(None)
    return ts.values.astype("datetime64[s]").astype(np.int64)


WIALON_COLS = ["№", "Объект", "Время", "Широта", "Долгота", "Скорость, км/ч", "Курс", "Высота, м",
               "Спутники", "Зажигание", "Напряжение, В", "Пробег, км"]


def write_wialon(path, recs, fixed_plus6, chunks):
    df = pd.concat(recs, ignore_index=True)
    names = sorted(df["name"].unique())
    rank = {n: i for i, n in enumerate(names)}
    df["rank"] = df["name"].map(rank)
    df = df.sort_values(["rank", "t"], kind="stable").reset_index(drop=True)
    t = df["t"].to_numpy()
    loc = t + 6 * 3600 if fixed_plus6 else local_naive(t, KZ_TZ)
    out = pa.table({
        "Объект": pa.array(df["name"].tolist(), pa.string()),
        "Время": pa.array(fmt_local(loc), pa.string()),
        "Широта": fmt_dec(df["lat"].to_numpy(), 6),
        "Долгота": fmt_dec(df["lon"].to_numpy(), 6),
        "Скорость, км/ч": pa.array(np.round(df["speed"].to_numpy()).astype(np.int64)),
        "Курс": pa.array(np.round(df["course"].to_numpy()).astype(np.int64) % 360),
        "Высота, м": pa.array(df["alt"].to_numpy().astype(np.int64)),
        "Спутники": pa.array(df["sats"].to_numpy().astype(np.int64)),
        "Зажигание": pa.array(np.where(df["ign"].to_numpy(), "Вкл", "Выкл"), pa.string()),
        "Напряжение, В": fmt_dec(df["volt"].to_numpy(), 1),
        "Пробег, км": fmt_dec(df["odo"].to_numpy(), 2),
    })
    opts = pacsv.WriteOptions(include_header=True, delimiter=";", eol="\r\n", quoting_style="none",
                              quoting_header="none")
    with open(path, "wb") as f:
        for (a, b) in chunks:
            sel = (t >= a) & (t < b)
            part = out.filter(pa.array(sel))
            part = part.add_column(0, "№", pa.array(np.arange(1, part.num_rows + 1)))
            buf = io.BytesIO()
            pacsv.write_csv(part, buf, write_options=opts)
            f.write(buf.getvalue().decode("utf-8").encode("cp1251"))
    # count rows that landed in more than one chunk
    cover = np.zeros(len(t), np.int64)
    for (a, b) in chunks:
        cover += (t >= a) & (t < b)
    dups = int((cover - 1).clip(0).sum())
    return dups


_FRAC = np.array([""] + ["." + f"{m:03d}".rstrip("0") for m in range(1, 1000)])


def pg_ts(t_ms):
    """epoch ms -> psql timestamptz text in session zone Asia/Novosibirsk (+07), trailing zeros cut"""
    t_ms = np.asarray(t_ms, dtype=np.int64)
    sec = t_ms // 1000 + 7 * 3600
    ms = t_ms % 1000
    base = np.char.replace(np.datetime_as_string(sec.astype("datetime64[s]"), unit="s"), "T", " ")
    return np.char.add(np.char.add(base, _FRAC[ms]), "+07")


def write_traccar(path, df):
    df = df.sort_values(["server_ms", "dev_order"], kind="stable").reset_index(drop=True)
    n = len(df)
    attrs = []
    for proto, sat, ign, mot, pw, dist, tot, batt in zip(
            df["protocol"].tolist(), df["sats"].tolist(), df["ign"].tolist(), df["motion"].tolist(),
            df["volt"].tolist(), df["dist_m"].tolist(), df["odo_m"].tolist(), df["batt"].tolist()):
        if proto == "gt06":
            attrs.append(f'{{"sat":{sat},"ignition":{str(ign).lower()},"charge":true,"blocked":false,'
                         f'"batteryLevel":{batt},"rssi":4,"distance":{dist:.2f},"totalDistance":{tot:.2f},'
                         f'"motion":{str(mot).lower()}}}')
        else:
            attrs.append(f'{{"priority":0,"sat":{sat},"event":0,"ignition":{str(ign).lower()},'
                         f'"motion":{str(mot).lower()},"power":{pw:.1f},"battery":4.0{batt % 10},'
                         f'"distance":{dist:.2f},"totalDistance":{tot:.2f}}}')
    def num(x):
        out_ = []
        for y in x.tolist():
            t_ = repr(y)
            out_.append(t_[:-2] if t_.endswith(".0") else t_)
        return out_

    cols = [
        [str(i) for i in range(40_000_001, 40_000_001 + n)],
        df["name"].tolist(),
        df["protocol"].tolist(),
        pg_ts(df["server_ms"].to_numpy()).tolist(),
        pg_ts(df["fix_ms"].to_numpy()).tolist(),
        pg_ts(df["fix_ms"].to_numpy()).tolist(),
        np.where(df["valid"].to_numpy(), "t", "f").tolist(),
        num(df["lat"].round(6).to_numpy()),
        num(df["lon"].round(6).to_numpy()),
        num(df["alt"].astype(float).to_numpy()),
        num(df["knots"].round(4).to_numpy()),
        num(df["course"].round(0).to_numpy()),
        ['"' + x.replace('"', '""') + '"' for x in attrs],
    ]
    head = ("id,device,protocol,servertime,devicetime,fixtime,valid,latitude,longitude,altitude,speed,"
            "course,attributes")
    body = "\n".join(",".join(row) for row in zip(*cols))
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(head + "\n" + body + "\n")


# --------------------------------------------------------------------------- main entry
def write_steppe_fleet(folder, vehicles=120, days=28, seed=0) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    nd = int(days)
    vs = build_fleet(int(vehicles), nd, int(seed))
    simulate(vs, nd, int(seed))
    wins = windows(nd)
    fr = np.random.default_rng([seed, 2])
    faults: dict = {}

    # ---- planned faults that remove data: tracker power cuts
    power = []
    for v in vs:
        if v["idx"] % 20 in (5, 8) and nd >= 6:
            ck = v["clock"]
            d0 = int(fr.integers(2, max(3, min(nd - 3, 20))))
            a = math.floor(ck.utc(d0, fr.uniform(8, 18)))
            b = a + math.floor(fr.uniform(1.2, 3.5) * 86400)
            kz = int(fr.integers(1, 4)) if v["platform"] == "traccar" else 0
            v["gaps"].append((a, b, kz))
            power.append({"vehicle_id": v["id"], "from_utc": iso(a), "to_utc": iso(b)})
    faults["power_cut_gaps"] = power

    recs = {k: [] for k in FILES}
    glitches = []
    phone_clock = []
    local_as_utc = []
    zero_fixes = []
    trac_dups = {}
    network_rows = 0
    for v in vs:
        r = v["rng"]
        c = render(v, nd, wins[v["platform"]])
        n = len(c["t"])
        plat = v["platform"]
        c["alt"] = altitude(c["lat"], c["lon"], r) if n else np.zeros(0, int)
        c["sats"] = np.where(c["ign"] & (c["speed"] > 0), r.integers(9, 16, n), r.integers(6, 13, n))
        start_km = r.uniform(300_000, 900_000) if v["kind"] == "lorry" else r.uniform(15_000, 250_000)
        c["odo"] = odometer(c, start_km)
        c["volt"] = voltage(c, r)
        # ---- GPS jumps (multipath / cold start): single fixes kilometres away
        kgl = int(r.poisson(nd / 6.0)) if n > 10 else 0
        jumped = np.zeros(n, bool)
        if kgl:
            idx = np.sort(r.choice(np.arange(1, n - 1), size=min(kgl, n - 2), replace=False))
            for i in idx:
                ang = r.uniform(0, 2 * np.pi)
                dist = r.uniform(3, 40) * 1000
                c["lat"][i], c["lon"][i] = shift_m(c["lat"][i], c["lon"][i], dist * np.cos(ang),
                                                   dist * np.sin(ang))
                c["sats"][i] = r.integers(3, 5)
                jumped[i] = True
                glitches.append({"vehicle_id": v["id"], "file": FILES[plat], "utc": iso(c["t"][i]),
                                 "file_time": None, "lat": round(float(c["lat"][i]), 6),
                                 "lon": round(float(c["lon"][i]), 6), "_i": int(i)})
        mine_gl = [g for g in glitches if g["vehicle_id"] == v["id"]]
        v["rows"] = n
        if plat.startswith("wialon"):
            for g in mine_gl:
                tt = np.array([c["t"][g["_i"]]])
                loc = tt + 6 * 3600 if plat == "wialon_astana" else local_naive(tt, KZ_TZ)
                g["file_time"] = fmt_local(loc)[0]
            recs[plat].append(pd.DataFrame({
                "name": v["id"], "t": c["t"], "lat": c["lat"], "lon": c["lon"], "speed": c["speed"],
                "course": c["course"], "alt": c["alt"], "sats": c["sats"], "ign": c["ign"],
                "volt": c["volt"], "odo": c["odo"]}))
        elif plat == "taxopark":
            t_ms = c["t"] * 1000 + r.integers(0, 1000, n)
            delay = np.exp(r.normal(np.log(2500), 0.6, n)).astype(np.int64)
            late = r.random(n) < 0.01
            delay[late] += r.integers(30_000, 300_000, late.sum())
            recv = t_ms + delay
            acc = np.round(np.exp(r.normal(np.log(6), 0.45, n)), 1)
            prov = np.full(n, "fused", dtype=object)
            prov[c["speed"] > 0] = "gps"
            netw = (r.random(n) < 0.015) & ~jumped
            network_rows += int(netw.sum())
            acc[netw] = np.round(r.uniform(300, 1500, netw.sum()), 0)
            prov[netw] = "network"
            la, lo = c["lat"].copy(), c["lon"].copy()
            nla, nlo = shift_m(la[netw], lo[netw], r.normal(0, 1, netw.sum()) * acc[netw] / 2,
                               r.normal(0, 1, netw.sum()) * acc[netw] / 2)
            la[netw], lo[netw] = nla, nlo
            rec = t_ms.copy()
            if v["taxi_idx"] % 7 == 0:
                ck = v["clock"]
                days_ok = [d for d in (18, 19, 20, 21) if d < nd]
                if days_ok:
                    dd = days_ok[min(v["taxi_idx"] // 7, len(days_ok) - 1)]
                    tfix = ck.utc(dd, fr.uniform(9, 12))
                    aff = t_ms >= tfix * 1000
                    rec[aff] -= 3_600_000
                    phone_clock.append({"vehicle_id": v["id"], "from_utc": iso(tfix), "shift_s": -3600,
                                        "rows": int(aff.sum())})
            for g in mine_gl:
                g["file_time"] = pd.Timestamp(int(rec[g["_i"]]), unit="ms", tz="UTC").isoformat()
            spd = np.where(c["speed"] > 0, c["speed"] / 3.6, 0.0)
            recs[plat].append(pd.DataFrame({
                "car": v["id"], "driver_id": v["driver_id"], "recorded_at": rec, "received_at": recv,
                "lat": np.round(la, 7), "lon": np.round(lo, 7), "accuracy_m": acc.astype(np.float32),
                "speed_mps": np.round(spd, 2).astype(np.float32),
                "bearing": np.where(c["speed"] > 0.5, np.round(c["course"], 1), np.nan).astype(np.float32),
                "provider": prov, "status": np.array(TAGS, dtype=object)[c["tag"]]}))
        else:  # traccar
            fix_ms = c["t"] * 1000
            server = fix_ms + r.integers(400, 4000, n)
            valid = np.ones(n, bool)
            la, lo = c["lat"].copy(), c["lon"].copy()
            proto = "gt06" if v["device"] == "Concox GT06N" else "teltonika"
            dist = np.zeros(n)
            if n > 1:
                dist[1:] = np.diff(c["odo"]) * 1000
            recs_extra = []
            if v["kind"] == "lorry":  # Baraba steppe: no GSM, the black box uploads on return to coverage
                gap = (c["lon"] >= R254_GSM_GAP[0]) & (c["lon"] <= R254_GSM_GAP[1]) & (c["speed"] >= 0)
                ii = np.flatnonzero(gap)
                nd_dup = 0
                if len(ii):
                    br = np.flatnonzero(np.diff(ii) > 1)
                    starts = np.concatenate([[0], br + 1])
                    ends = np.concatenate([br, [len(ii) - 1]])
                    for s_, e_ in zip(starts, ends):
                        blk = ii[s_:e_ + 1]
                        nxt = blk[-1] + 1
                        if nxt >= n:
                            continue
                        up = fix_ms[nxt] + 2000
                        server[blk] = up + np.arange(len(blk)) * 40
                        m = int(min(len(blk), r.integers(10, 40)))
                        rs = blk[-m:]
                        recs_extra.append((rs, up + len(blk) * 40 + int(r.integers(20_000, 90_000))))
                        nd_dup += m
                if nd_dup:
                    trac_dups[v["id"]] = nd_dup
            for (_a, b, kz) in v["gaps"]:  # tracker powered again: cold start, no fix yet
                after = np.flatnonzero(c["t"] >= b)
                if len(after) and kz:
                    j = after[0]
                    zero_fixes.append({"vehicle_id": v["id"], "rows": kz, "after_utc": iso(b)})
                    recs_extra.append(("zero", j, kz, b))
            shift_s = 0
            if v["traccar_idx"] % 13 == 0:
                shift_s = int(v["clock"].zone.utcoffset(dt.datetime(2024, 2, 20)).total_seconds())
                local_as_utc.append({"vehicle_id": v["id"], "shift_s": shift_s, "rows": 0})
            fixw = fix_ms + shift_s * 1000
            for g in mine_gl:
                g["file_time"] = str(pg_ts(fixw[g["_i"]:g["_i"] + 1])[0])
            knots = c["speed"] / 1.852
            motion = knots > 0.01
            batt = r.integers(60, 100, n)
            base = pd.DataFrame({
                "name": v["id"], "protocol": proto, "server_ms": server, "fix_ms": fixw, "valid": valid,
                "lat": la, "lon": lo, "alt": c["alt"], "knots": knots, "course": c["course"],
                "sats": c["sats"], "ign": c["ign"], "motion": motion, "volt": c["volt"], "dist_m": dist,
                "odo_m": c["odo"] * 1000, "batt": batt, "dev_order": v["idx"]})
            parts = [base]
            for ex in recs_extra:
                if isinstance(ex[0], str):
                    _, j, kz, b = ex
                    z = base.iloc[[j] * kz].copy()
                    z["fix_ms"] = (b + shift_s) * 1000 + np.arange(kz) * 10_000
                    z["server_ms"] = b * 1000 + np.arange(kz) * 10_000 + r.integers(400, 4000, kz)
                    z["lat"] = 0.0
                    z["lon"] = 0.0
                    z["alt"] = 0
                    z["knots"] = 0.0
                    z["course"] = 0.0
                    z["sats"] = 0
                    z["valid"] = False
                    z["motion"] = False
                    z["dist_m"] = 0.0
                    parts.append(z)
                else:
                    rs, up2 = ex
                    z = base.iloc[rs].copy()
                    z["server_ms"] = up2 + np.arange(len(rs)) * 40
                    parts.append(z)
            allp = pd.concat(parts, ignore_index=True)
            if shift_s:
                local_as_utc[-1]["rows"] = int(len(allp))
            recs[plat].append(allp)

    # ---- write the ping files
    nda = wins["wialon_almaty"]
    ck = Clock("Almaty")
    chunks = []
    d = 0
    while d < nd:
        a = W0 if d == 0 else int(ck.utc(d, 0))
        e = min(d + 7, nd)
        b = int(ck.utc(e, 0)) + (2 * 3600 if e < nd else 0)
        chunks.append((a, min(b, nda[1])))
        d = e
    if recs["wialon_almaty"]:
        dups = write_wialon(folder / FILES["wialon_almaty"], recs["wialon_almaty"], False, chunks)
        faults["wialon_weekly_export_overlap"] = {
            "file": FILES["wialon_almaty"], "chunks": len(chunks), "repeated_header_lines": len(chunks) - 1,
            "duplicated_rows": dups,
            "overlaps_local": [[fmt_local(local_naive(np.array([c0]), KZ_TZ))[0],
                                fmt_local(local_naive(np.array([c1 - 1]), KZ_TZ))[0]]
                               for (c0, c1) in zip([c[0] for c in chunks[1:]], [c[1] for c in chunks[:-1]])]}
    if recs["wialon_astana"]:
        write_wialon(folder / FILES["wialon_astana"], recs["wialon_astana"], True,
                     [wins["wialon_astana"]])
        ast = pd.concat(recs["wialon_astana"])
        faults["astana_profile_fixed_utc_plus_6"] = {
            "file": FILES["wialon_astana"],
            "vehicles": sorted(ast["name"].unique().tolist()),
            "wrong_from_utc": iso(CHANGE_UTC), "error_s": 3600,
            "rows_affected": int((ast["t"] >= CHANGE_UTC).sum())}
    if recs["taxopark"]:
        tx = pd.concat(recs["taxopark"], ignore_index=True)
        tx = tx.sort_values(["car", "received_at"], kind="stable").reset_index(drop=True)
        table = pa.table({
            "car": pa.array(tx["car"].tolist(), pa.string()),
            "driver_id": pa.array(tx["driver_id"].to_numpy(), pa.int32()),
            "recorded_at": pa.array(tx["recorded_at"].to_numpy(), pa.timestamp("ms", tz="UTC")),
            "received_at": pa.array(tx["received_at"].to_numpy(), pa.timestamp("ms", tz="UTC")),
            "lat": pa.array(tx["lat"].to_numpy(), pa.float64()),
            "lon": pa.array(tx["lon"].to_numpy(), pa.float64()),
            "accuracy_m": pa.array(tx["accuracy_m"].to_numpy(), pa.float32()),
            "speed_mps": pa.array(tx["speed_mps"].to_numpy(), pa.float32()),
            "bearing": pa.array(tx["bearing"].to_numpy(), pa.float32(),
                                mask=np.isnan(tx["bearing"].to_numpy())),
            "provider": pa.array(tx["provider"].tolist(), pa.string()).dictionary_encode(),
            "status": pa.array(tx["status"].tolist(), pa.string()).dictionary_encode(),
        })
        pq.write_table(table, folder / FILES["taxopark"], compression="zstd", row_group_size=250_000)
    if recs["traccar"]:
        write_traccar(folder / FILES["traccar"], pd.concat(recs["traccar"], ignore_index=True))

    faults["phone_clock_set_back_by_hand"] = phone_clock
    faults["tracker_local_time_sent_as_utc"] = local_as_utc
    faults["traccar_resent_duplicates"] = {"file": FILES["traccar"], "rows": int(sum(trac_dups.values())),
                                           "by_vehicle": {k: trac_dups[k] for k in sorted(trac_dups)}}
    faults["traccar_zero_fixes"] = {"file": FILES["traccar"], "rows": int(sum(z["rows"] for z in zero_fixes)),
                                    "events": zero_fixes}
    faults["taxopark_network_fixes"] = {"file": FILES["taxopark"], "rows": network_rows}
    for g in glitches:
        del g["_i"]
    faults["gps_jumps"] = {"rows": len(glitches), "list": glitches}

    # ---- vehicles.csv / truth.json / labels.csv
    meta = []
    truth = {}
    for v in vs:
        meta.append({"vehicle_id": v["id"], "platform": PLATFORM_NAME[v["platform"]],
                     "source_file": FILES[v["platform"]], "account": ACCOUNT[v["platform"]],
                     "city": v["city"], "make_model": v["model"], "year": v["year"], "tracker": v["device"]})
        tv = {"home": rnd(v["home"]), "work": rnd(v["work"]), "kind": v["kind"], "city": v["city"],
              "file": FILES[v["platform"]], "tz_local": CITIES[v["city"]]["tz"], "rows": int(v["rows"])}
        if v["kind"] == "office_dacha":
            tv["dacha"] = rnd(v["dacha"])
            tv["dacha_nights"] = v["dacha_nights"]
        if v["kind"] == "plant_shift":
            tv["shift_cycle"] = "day 08-20 / night 20-08 / sleep-off / off"
            tv["first_day_shift"] = Clock(v["city"]).date((-v["shift_phase"]) % 4).isoformat()
        if v["kind"] == "city_bus":
            tv["route"] = v["route_no"]
            tv["maintenance_days"] = v["maintenance_days"]
        if v["kind"] == "lorry":
            tv["far_end"] = [round(float(v["road"][-1, 0]), 6), round(float(v["road"][-1, 1]), 6)]
            tv["round_trips"] = v["trips"]
            tv["far_end_nights"] = v["far_nights"]
            tv["overnight_idling_stops"] = v["overnight_idling"]
        if v["kind"] == "rotation_28_28":
            tv["rotation"] = v["rotation"]
            tv["tracker_silent"] = [[iso(a), iso(b)] for (a, b) in v["silent"]]
        if v["kind"].startswith("taxi"):
            tv["night_shift"] = v["kind"] == "taxi_night"
        if v.get("remote"):
            hh, mm = int(v.get("timer_h", 0)), int(round(v.get("timer_h", 0) % 1 * 60))
            tv["remote_start"] = v["remote"] + (f" {hh:02d}:{mm:02d}" if v["remote"] == "timer" else "")
        w0, w1 = wins[v["platform"]]
        dead = v["silent"] + [(g[0], g[1]) for g in v["gaps"]]
        ws = [w for w in v["warm_ok"] if w0 <= w[0] < w1 and not any(a <= w[0] < b for (a, b) in dead)]
        if ws:
            tv["engine_on_parked"] = [[iso(a), iso(b), why] for (a, b, why) in ws]
        truth[v["id"]] = tv
    pd.DataFrame(meta).to_csv(folder / "vehicles.csv", index=False, lineterminator="\n")

    lr = np.random.default_rng([seed, 3])
    chosen = [v for v in vs if lr.random() < 0.76]
    rows = []
    for v in chosen:
        for lab in ("home", "work"):
            p = v[lab]
            if p is None:
                continue
            q = near(p, lr, 0.01, 0.06)
            rows.append({"vehicle_id": v["id"], "label": lab, "lat": q[0], "lon": q[1], "_v": v})
    nwrong = int(round(0.05 * len(rows)))
    wrong_idx = sorted(lr.choice(len(rows), size=nwrong, replace=False).tolist()) if rows and nwrong else []
    wrong = []
    for i in wrong_idx:
        row = rows[i]
        v = row["_v"]
        other = v["work"] if row["label"] == "home" else v["home"]
        if v.get("dacha") and row["label"] == "home":
            q = near(v["dacha"], lr, 0.01, 0.05)
        elif other is not None and lr.random() < 0.5:
            q = near(other, lr, 0.01, 0.05)
        else:
            q = near(v[row["label"]], lr, 1.5, 6.0)
        row["lat"], row["lon"] = q
        wrong.append({"vehicle_id": v["id"], "label": row["label"]})
    lab = pd.DataFrame([{k: x for k, x in r_.items() if k != "_v"} for r_ in rows],
                       columns=["vehicle_id", "label", "lat", "lon"])
    lab["lat"] = lab["lat"].round(6)
    lab["lon"] = lab["lon"].round(6)
    lab.to_csv(folder / "labels.csv", index=False, lineterminator="\n", encoding="utf-8")

    out = {"vehicles": truth, "wrong_labels": wrong, "faults": faults, "tz": KZ_TZ}
    (folder / "truth.json").write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    return folder


def main(argv=None):
    ap = argparse.ArgumentParser(description="Write the 'steppe' synthetic fleet (Kazakhstan, Siberia).")
    ap.add_argument("out")
    ap.add_argument("--vehicles", type=int, default=120)
    ap.add_argument("--days", type=int, default=28)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    print(write_steppe_fleet(a.out, a.vehicles, a.days, a.seed))


if __name__ == "__main__":
    main()
