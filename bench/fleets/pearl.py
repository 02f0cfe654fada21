"""Synthetic fleet "pearl": the Pearl River Delta (Shenzhen, Guangzhou, Dongguan, Foshan), China.

SPEC SHEET.  The fleet folder holds three ping files from three different platforms (every vehicle
is in exactly one of them) plus labels.csv, vehicles.csv and truth.json.

WINDOW AND CLOCKS
-----------------
From local midnight Monday 2025-01-13 for `days` days (default 28: to the end of Sunday
2025-02-09).  Local time is China Standard Time, UTC+8 all year (IANA Asia/Shanghai, no DST).
The window spans the 2025 Spring Festival: New Year's Day is Wednesday 2025-01-29; the statutory
holiday runs Tue 2025-01-28 .. Tue 2025-02-04; Sunday 2025-01-26 and Saturday 2025-02-08 are
make-up working days (调休).  Schools break for winter on Saturday 2025-01-18 (back Monday
2025-02-17).  Factories close between 2025-01-17 and 2025-01-24 and reopen between 2025-02-06 and
2025-02-17.  The fortnight before the holiday is the export rush at the ports.
  * beidou_jt808_export.csv and ebike_tracker_tracks.csv write NAIVE Beijing wall-clock times.
  * dwd_nev_position_di.parquet writes true instants (epoch milliseconds, UTC), see fault 5.
All stamps are whole seconds.

COORDINATE DATUMS (read this first)
-----------------------------------
Chinese map services use GCJ-02 ("Mars coordinates"): WGS-84 moved by the published obfuscation
formula (the widely reproduced "eviltransform" with a = 6378245.0, ee = 0.00669342162296594323;
`wgs_to_gcj` below), here by 600-660 m, roughly 300 m south and 520 m east, varying smoothly from
place to place.  Baidu's BD-09 is GCJ-02 transformed once more (x_pi = pi*3000/180, `gcj_to_bd`
below), another 920-970 m.
  * beidou_jt808_export.csv ......... WGS-84 (JT/T 808 terminals report raw GNSS) - EXCEPT the
                                       terminals of model DVR-808G, which write GCJ-02 (fault 2).
  * dwd_nev_position_di.parquet ..... GCJ-02 (the data lake converts at ingest for its AMap-based
                                       screens; parquet key-value metadata coord_sys=GCJ02).
  * ebike_tracker_tracks.csv ........ BD-09 (the tracker app draws on Baidu maps and exports what
                                       it draws), including its 基站 and WIFI rows.
  * labels.csv ...................... GCJ-02 (analysts geocoded written addresses with AMap).
  * truth.json ...................... WGS-84.

FILE 1: beidou_jt808_export.csv - road-transport monitoring platform (JT/T 808, BeiDou+GPS)
-------------------------------------------------------------------------------------------
Trucks, vans, school buses and taxis: regulated vehicles carry a JT/T 808 terminal.
Encoding GBK (written with Python's "gb18030" codec; every character used is in GBK), comma
separated, CRLF line ends, no field needs quoting.  Line 1 is a report title, NOT the header:
    车辆历史轨迹明细（查询时段：2025/1/13 0:00:00 至 2025/2/9 23:59:59）,,,,,,,,,,,,,,,
Line 2 is the header, data from line 3 (pandas: skiprows=1, encoding="gb18030").  Columns:
    序号          running row number from 1
    车牌号        plate - THE VEHICLE ID, e.g. 粤B3K7Q2, 粤BD31240 (new-energy), 湘D62731
    车牌颜色      黄色 (heavy vehicles, school buses) or 渐变绿色 (new-energy small)
    终端手机号    the terminal's SIM number, 11 digits starting 14
    定位时间      GNSS fix time, local Beijing wall clock, no zone, "2025/1/13 8:03:07": year/
                  month/day hour:minute:second with month, day and hour NOT zero padded
                  (strptime "%Y/%m/%d %H:%M:%S" reads it).  See fault 1.
    接收时间      when the platform received the row; same format and clock; 1-4 s after the fix
                  for live rows
    经度, 纬度    longitude, latitude, degrees, 6 decimals; WGS-84 (fault 2); 0.000000 when 未定位
    速度(km/h)    GNSS speed, 1 decimal (0.0 when 未定位)
    方向          heading, integer degrees 0-359 clockwise from north (0 when 未定位)
    海拔(m)       altitude, integer metres (0 when 未定位)
    ACC           开 ignition on / 关 off
    定位状态      定位 valid fix / 未定位 no fix (fault 3)
    补传          是 = the row was buffered by the terminal during a coverage gap and uploaded
                  later (JT/T 808 0x0704 batch upload); 否 = live row (fault 4)
    里程(km)      terminal odometer, km, 1 decimal
    位置          the platform's reverse geocode "province+city+district/town", e.g.
                  广东省东莞市长安镇 (nearest district seat); empty when 未定位
Sampling: every 30 s while ACC is on (driving, and idling at stops of up to 10 minutes); a stop
longer than 10 minutes switches ACC off after ~1 minute and the terminal then sleeps, reporting
every 300, 600 or 1800 s (a per-terminal setting) until ACC comes on again.  Rows are ordered by
车牌号 (vehicle blocks in export order), then by 接收时间 - the platform's storage order - so
buffered rows are out of 定位时间 order.

FILE 2: dwd_nev_position_di.parquet - new-energy-vehicle (NEV) telematics data lake
-------------------------------------------------------------------------------------
Private cars and ride-hailing cars, all plug-in (BEV plates 粤BD.., PHEV 粤BF..), from the
GB/T 32960 real-time feed as kept in a data-warehouse "dwd" table.  Columns (parquet types):
    vin            string, 17-character VIN (check digit valid) - THE VEHICLE ID
    plate_no       string
    collect_time   int64, milliseconds since 1970-01-01 UTC, a true instant, whole seconds
                   (fault 5)
    lng, lat       float64, GCJ-02 degrees, 6 decimals
    gps_valid      int8: 1 valid fix; 0 no fix - lng/lat then REPEAT THE LAST VALID FIX (stale)
    speed          float32, km/h (from the vehicle bus: also given when gps_valid=0)
    direction      int16, degrees
    vehicle_state  int8 (GB/T 32960): 1 started, 2 switched off (charging rows)
    charge_state   int8 (GB/T 32960): 1 parked charging, 3 not charging, 4 charge complete
    soc            int8, battery state of charge, %
    odometer       float64, km
    dt             string partition yyyymmdd = Beijing date of the row
Sorted by dt, vin, collect_time.  The T-Box reports every 10 s (GAC Aion, XPeng) or 30 s (BYD;
vehicles.csv report_interval_s) while the car is switched on - driving, or idling with the
ride-hailing app on - and while it is charging.  A car that is switched off and not charging
sends NOTHING: a parked car is a gap in the data.  In an underground car park there is no fix:
rows there (home charging) have gps_valid=0 and the stale coordinates of the last fix, taken on
the way in 60-180 m from the building, and so have the ~50 s of driving up the exit ramp.

FILE 3: ebike_tracker_tracks.csv - two-wheeler anti-theft tracker app export
------------------------------------------------------------------------------
E-bikes, e-trikes and motorbikes with 4G GNSS trackers.  UTF-8 WITH BOM, comma, CRLF, no
quoting.  Columns:
    设备号        tracker IMEI, 15 digits (Luhn valid) - THE VEHICLE ID
    设备名称      name the owner gave the bike
    定位时间      local Beijing wall clock, no zone, "2025-01-13 08:03:07"
    经度, 纬度    BD-09 degrees, 6 decimals
    速度(km/h)    1 decimal (0.0 on 基站/WIFI rows)
    方向          integer degrees
    定位类型      卫星 (GNSS fix) / 基站 (cell-tower position, fault 6) / WIFI (Wi-Fi position,
                  ~40 m error)
    卫星数        satellites used (0 on 基站/WIFI rows; 3-4 marks fault 7)
    状态          行驶 moving / 静止 stationary
Sorted by 设备号 then 定位时间.  Sampling: every 10 s or 15 s (per tracker, vehicles.csv
report_interval_s) while moving and for the first 3 minutes after stopping; then one row every
1800 s while the bike stands.  A bike standing under a roof (a dormitory or tenement bike shed,
an outlet canopy) reports 基站 or WIFI positions instead of GNSS.  A bike left parked for the
Spring Festival can flatten its battery: the tracker then goes silent until the owner is back
(truth "tracker_offline_from").

labels.csv (UTF-8, comma, LF): vehicle_id,label,lat,lon - label home or work; lat/lon GCJ-02
degrees.  About 75% of the vehicles are labelled, each with every non-null truth place; a good
label is 15-60 m from the truth (address geocoding).  About 5% of the rows are wrong on purpose
(truth "wrong_labels", each with "why" and "error_m" = metres from the true place in GCJ-02):
home_work_swapped (both rows of a vehicle), registered_address_elsewhere (a hukou / hometown /
old address, km to hundreds of km away), geocoded_to_district_centroid (1.5-4 km), left_in_wgs84
(the right place but WGS-84 numbers in the GCJ-02 columns: ~600 m).

vehicles.csv (UTF-8, comma): vehicle_id, source_file, plate_no (empty for two-wheelers),
vehicle_type (Chinese registration body class), make_model, terminal_model, report_interval_s
(reporting interval while moving, s), register_city.

truth.json (UTF-8): {"tz": "Asia/Shanghai", "window", "datums", "vehicles": {id: {...}},
"wrong_labels": [...], "faults": {...}}.  "tz" is there because files 1 and 3 write naive
Beijing wall-clock stamps.  Per vehicle: home and work ([lat, lon] WGS-84 or null), kind,
source_file, city, night_worker, underground_home, underground_work, spring_festival {mode,
away_from, back, hometown, town, ...}; some also shift, home_charger, port,
tracker_offline_from, nights_at_residence / nights_at_hometown and residence.
home = where the vehicle spends its main daily rest: the night - except for night workers
(night_worker=true: muck trucks, night-shift ride-hailing), who rest by day, and rotating-shift
factory workers, who rest by day in their night weeks.  When a vehicle spends more nights of
the window at its hometown than at its Guangdong residence, home is the hometown and
"residence" holds the Guangdong place.  work = the place of its working day, or null.

LIVES (kind: file - life - truth)
---------------------------------
container_truck (1): drayage tractor (集卡) for Yantian (YICT) or Shekou/Chiwan; leaves its truck
  yard 4:50-7:30 for 1-3 cycles port (collect an empty box, queue) -> factory in Dongguan,
  Shenzhen or Huizhou (loading 1-3 h; some docks roofed) -> port (gate-in queue) -> yard;
  rush (up to 3 cycles, late nights) until ~2025-01-24, then 75% stand at the yard while the
  driver goes home by train (back 2025-02-05..09), 25% keep working but for 1-3 holiday days.
  home = truck yard, work = port terminal.
container_truck_relay (1): two drivers share the tractor; it runs ~20 h a day and stops
  wherever the last job ended (port buffer lot, factories); at the company yard 2025-01-27..
  02-03.  home = null, work = port.
delivery_van (1): new-energy 4.2 m van; from the driver's urban-village street 4:30-5:40 to the
  distribution centre (roofed dock: no fix inside) -> 8-18 store drops -> DC -> sometimes a
  second wave -> home 13:00-18:00; Mon-Sat, Sundays too in the New-Year-goods rush; off
  2025-01-27..02-04.  home = street, work = DC.
school_bus (1): depot -> 6-10 stops -> school (waits there 7:40-16:10) -> stops -> depot, on
  school days only: 2025-01-13..17 in this window.  home = depot, work = school.
muck_truck_night (1): Shenzhen muck trucks may only run at night: yard by day, 20:30-05:30
  4-7 round trips construction site -> spoil dump; the site stops 2025-01-18..21 for the
  holiday.  night_worker; home = yard (day rest), work = construction site.
taxi_double_shift (1): BYD e6 taxi, two drivers, 24 h cruising, shift change ~4:30 and ~16:30
  at a lay-by, charging 2-3 times a day at varying public stations.  home = null, work = null.
office_996 (2): private EV, 9am-9pm six days a week (Saturdays 60%, none near the holiday),
  home and office often with underground car parks, home charger in most of those; Sunday
  outings.  home = flat, work = office.
school_run (2): drops the child at school 7:10-7:50 then drives to work, collects at ~16:40 on
  two fixed weekdays; winter break from 2025-01-18: straight to work; Saturday tutoring.
  home = flat, work = office.
ride_hailing (2): day driver 6:30-8:00 to 20:30-22:30, orders all over the city, airport queues
  (1-2.5 h), fast charging at public stations, a lunch break, about one day off a week.
  home = room or flat, work = null.
ride_hailing_night (2): 16:30 to ~4:00; rests at home by day.  night_worker; work = null.
factory_dorm (3): e-bike of a worker in a factory dormitory 250-900 m from the factory; 7:30 to
  ~20:30 with overtime, Sundays off with outings; a quarter on weekly-rotating day/night shifts
  (truth shift).  home = dormitory bike shed (roofed), work = factory gate bike shed.
factory_village (3): the same but living in an urban-village room 1-4 km away, day shifts.
delivery_rider (3): food-delivery e-bike, shifts ~10:00-14:00 and 16:30-21:30 (some to 23:30),
  waits at a mall station, 3-9 min at restaurants, 2-7 min at doors, a battery-swap cabinet.
  home = room, work = rider station.
courier_trike (3): express courier e-trike, outlet sort 7:30-9:30, rounds of residential
  compounds, outlet, more rounds, home ~20:00, seven days a week.  home = room, work = outlet.
motorbike_homecomer (3): factory worker in outer Dongguan/Foshan on a petrol motorbike who, when
  the factory closes, rides 300-500 km home to Guangxi on national roads (the "motorbike army")
  over one or two days, and is not back before ~2025-02-10.  In a 28-day window that is more
  nights at the hometown: home = hometown village, residence = the Guangdong room, work = the
  factory.
Spring Festival for the cars (truth spring_festival.mode): drive_home (a long drive out of the
city, mostly out of the province: G4 to Hunan/Hubei, G45 to Jiangxi, G80 to Guangxi, east to
Chaoshan or Meizhou, west to Maoming/Zhanjiang; BEVs queue 50-150 min at service-area chargers;
back 2025-02-02..06), stayed, left_parked (the car stands at home for 1-2 weeks, sending
nothing: the family went by train or plane).  Two-wheelers: went_home (the bike stands at the
dorm or room for weeks) or stayed.

FAULTS (counts in truth "faults")
---------------------------------
1 gps_week_rollover (file 1): terminals of model KM-808A (2015 firmware) stamp 定位时间 exactly
  1024 GPS weeks = 7168 days early (2005 dates); their 接收时间 is right.
2 gcj02_terminal_in_wgs84_file (file 1): DVR-808G dash-cam terminals write GCJ-02 into the
  otherwise WGS-84 file (~600 m off, in the same direction everywhere in the region).
3 unlocated_zero_rows (file 1): 未定位 rows carry 经度 0.000000 / 纬度 0.000000: on a cold start
  after more than 2 h parked (the first 1-3 driving rows) and all the time under a roof
  (roofed loading docks, distribution-centre docks).
4 resend_buffered (file 1): coverage gaps of 3-15 min while driving: those rows arrive 30-120 s
  after the terminal reconnects, flagged 补传=是 and stored after newer live rows; for about a
  third of the gaps the platform stored the batch twice (same 车牌号+定位时间+coordinates, a
  later 接收时间).
5 tbox_utc_backfill (file 2): partitions dt=20250120 and dt=20250121 were re-run by a job that
  read Beijing wall-clock time as UTC: their collect_time is 8 hours LATE (dt itself is right).
6 tracker_cell_fixes (file 3): 基站 rows are cell-tower positions about 150-1300 m from the bike,
  clustered (+-25 m) on 2-3 cell sites per parking place.
7 tracker_gps_jumps (file 3): isolated moving 卫星 rows 400-3000 m off the track (漂移), with 3-4
  satellites; the rows before and after are on the track.
Plus the wrong labels above.

CLI: python bench/fleets/pearl.py OUT [--vehicles N] [--days D] [--seed S]
"""
from __future__ import annotations

import argparse
import calendar
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

FILE_A = "beidou_jt808_export.csv"
FILE_B = "dwd_nev_position_di.parquet"
FILE_C = "ebike_tracker_tracks.csv"
TZ = "Asia/Shanghai"
UTC8 = 8 * 3600
WIN0 = float(calendar.timegm((2025, 1, 12, 16, 0, 0)))  # 2025-01-13 00:00 +08:00
DAY = 86400.0
ROLLOVER_DAYS = 7168
BACKFILL_DT = ("20250120", "20250121")

# ---------------------------------------------------------------------------------------------
# calendar (day index d: 0 = Mon 2025-01-13)
HOLIDAY = range(15, 23)          # 2025-01-28 .. 2025-02-04
MAKEUP = (13, 26)                # Sun 2025-01-26, Sat 2025-02-08 are working days
SCHOOL_BREAK = range(5, 35)      # 2025-01-18 .. 2025-02-16


def is_workday(d: int) -> bool:
    if d in MAKEUP:
        return True
    return d % 7 < 5 and d not in HOLIDAY


def is_schoolday(d: int) -> bool:
    return is_workday(d) and d not in SCHOOL_BREAK


def T(d: int, h: float) -> float:
    return WIN0 + d * DAY + h * 3600.0


def iso_local(t: float) -> str:
    return pd.Timestamp(int(t), unit="s", tz="UTC").tz_convert(TZ).isoformat()


# ---------------------------------------------------------------------------------------------
# datums (public formulas)
_A = 6378245.0
_EE = 0.00669342162296594323


def wgs_to_gcj(lat, lon):
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    x = lon - 105.0
    y = lat - 35.0
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
            + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
            + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
            + (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0)
    dlon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
            + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
            + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
            + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0)
    rad = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(rad) ** 2
    sq = np.sqrt(magic)
    dlat = dlat * 180.0 / ((_A * (1.0 - _EE)) / (magic * sq) * np.pi)
    dlon = dlon * 180.0 / (_A / sq * np.cos(rad) * np.pi)
    return lat + dlat, lon + dlon


def gcj_to_bd(lat, lon):
    x_pi = np.pi * 3000.0 / 180.0
    x = np.asarray(lon, dtype=float)
    y = np.asarray(lat, dtype=float)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * x_pi)
    th = np.arctan2(y, x) + 0.000003 * np.cos(x * x_pi)
    return z * np.sin(th) + 0.006, z * np.cos(th) + 0.0065


# ---------------------------------------------------------------------------------------------
# geometry
M_PER_DEG = 111320.0


def offset(p, dn, de):
    return (p[0] + dn / M_PER_DEG, p[1] + de / (M_PER_DEG * math.cos(math.radians(p[0]))))


def dist_m(a, b):
    dn = (a[0] - b[0]) * M_PER_DEG
    de = (a[1] - b[1]) * M_PER_DEG * math.cos(math.radians((a[0] + b[0]) / 2))
    return math.hypot(dn, de)


def jit(rng, p, rmax, rmin=0.0):
    r = math.sqrt(rng.uniform((rmin / max(rmax, 1e-9)) ** 2, 1.0)) * rmax
    a = rng.uniform(0, 2 * math.pi)
    return offset(p, r * math.cos(a), r * math.sin(a))


def seg_geom(path):
    if len(path) <= 8:
        cum = [0.0]
        brg = []
        pts = path.tolist()
        for (a0, a1), (b0, b1) in zip(pts[:-1], pts[1:]):
            dn = (b0 - a0) * M_PER_DEG
            de = (b1 - a1) * M_PER_DEG * math.cos(math.radians(a0))
            cum.append(cum[-1] + math.hypot(dn, de))
            brg.append((math.degrees(math.atan2(de, dn)) + 360.0) % 360.0)
        return np.array(cum), np.array(brg)
    lat = path[:, 0]
    c = np.cos(np.radians(lat[:-1]))
    dn = np.diff(lat) * M_PER_DEG
    de = np.diff(path[:, 1]) * M_PER_DEG * c
    seg = np.hypot(dn, de)
    cum = np.concatenate(([0.0], np.cumsum(seg)))
    brg = (np.degrees(np.arctan2(de, dn)) + 360.0) % 360.0
    return cum, brg


# ---------------------------------------------------------------------------------------------
# geography (WGS-84)
CITY = {
    "SZ": dict(
        name="深圳", plate="粤B",
        res=[(22.6150, 114.0400), (22.6300, 114.0650), (22.6050, 114.1150), (22.7200, 114.2500),
             (22.5800, 113.9600), (22.5700, 114.0500), (22.5620, 114.1250), (22.6850, 113.9300),
             (22.5600, 113.8850), (22.7550, 113.9350), (22.6480, 114.2100), (22.4950, 113.9200),
             (22.6550, 114.0250)],
        village=[(22.5220, 114.0330), (22.5250, 114.0620), (22.5250, 114.0500), (22.6500, 114.0350),
                 (22.6350, 114.0200), (22.6150, 114.1100), (22.6300, 114.0700), (22.5750, 113.8700),
                 (22.5570, 113.8550), (22.7300, 113.8350), (22.6750, 113.8150), (22.6650, 114.2150),
                 (22.6900, 114.3450)],
        office=[(22.5430, 113.9520), (22.5180, 113.9400), (22.5360, 114.0560), (22.5380, 114.0250),
                (22.5480, 114.1200), (22.5550, 113.8840), (22.6520, 114.0620), (22.5230, 113.9360),
                (22.5320, 113.8950), (22.5770, 113.9200)],
        hot=[(22.5390, 114.0550), (22.6100, 114.0290), (22.5320, 114.1170), (22.5430, 114.0850),
             (22.5000, 113.9150), (22.5440, 114.1000), (22.5170, 113.9360), (22.5360, 114.0500)],
        charger=[(22.6250, 113.8300), (22.5300, 114.0350), (22.6500, 114.1300), (22.5300, 113.9300),
                 (22.5700, 114.1100), (22.6900, 114.0300), (22.7250, 114.2400)],
        airport_lot=(22.6300, 113.8180), airport_curb=(22.6380, 113.8140),
        mall=[(22.5170, 113.9360), (22.5360, 114.0500), (22.5700, 113.8750), (22.6550, 114.0300),
              (22.6100, 114.1200), (22.7200, 114.2450)],
        school=[(22.5700, 114.0350), (22.6200, 114.0500), (22.5500, 113.9300), (22.7100, 114.2400),
                (22.5650, 113.8800), (22.6400, 114.0700)],
        factory=[(22.7300, 113.8300), (22.7800, 113.8500), (22.6700, 113.8200), (22.6800, 113.9300),
                 (22.7200, 114.0500), (22.6560, 114.0540), (22.7000, 114.3400), (22.7600, 113.9400),
                 (22.6400, 114.2100), (22.6800, 114.1300)],
        dc=[(22.6850, 114.1320), (22.6450, 113.8350), (22.7100, 114.0600)],
    ),
    "GZ": dict(
        name="广州", plate="粤A",
        res=[(23.1180, 113.3300), (23.0050, 113.3100), (22.9400, 113.3600), (23.1950, 113.3150),
             (23.4000, 113.2200), (23.2000, 113.3700), (23.0950, 113.2900), (23.1050, 113.4500),
             (23.1250, 113.2400), (23.1350, 113.2750)],
        village=[(23.1400, 113.3350), (23.1300, 113.3700), (23.0980, 113.3000), (23.1600, 113.2600),
                 (23.1450, 113.4000), (23.1400, 113.2700), (23.2100, 113.2650)],
        office=[(23.1200, 113.3250), (23.0970, 113.3720), (23.1370, 113.3230), (23.1700, 113.4500),
                (23.1450, 113.3300), (23.1700, 113.2700)],
        hot=[(22.9890, 113.2700), (23.1500, 113.3250), (23.1490, 113.2570), (23.1250, 113.2700),
             (23.1200, 113.3250), (23.0970, 113.3720)],
        charger=[(23.1400, 113.3300), (23.1800, 113.2800), (22.9500, 113.3600), (23.1000, 113.4200),
                 (23.2000, 113.3500)],
        airport_lot=(23.3950, 113.3100), airport_curb=(23.3920, 113.2990),
        mall=[(23.1370, 113.3230), (23.0050, 113.3400), (23.0950, 113.2750), (23.1700, 113.2650)],
        school=[(23.1300, 113.3500), (23.0100, 113.3200), (23.1900, 113.3200), (23.1000, 113.2900)],
        factory=[(23.2000, 113.5500), (22.9600, 113.4300), (23.4600, 113.1600), (23.1300, 113.6000)],
        dc=[(23.2600, 113.2900), (23.1000, 113.4800)],
    ),
    "DG": dict(
        name="东莞", plate="粤S",
        res=[(23.0150, 113.7500), (23.0300, 113.7800), (22.9100, 113.8850), (22.9700, 114.0000),
             (22.9400, 113.9300), (22.8100, 114.0850)],
        village=[(22.8150, 113.8050), (22.8250, 113.6700), (22.9400, 113.6750), (22.8050, 114.0800),
                 (22.8400, 114.1550), (22.9400, 113.9400), (22.8800, 114.0000), (22.7450, 114.1400),
                 (22.9000, 113.8400)],
        office=[(22.9030, 113.8800), (23.0100, 113.7400)],
        hot=[(23.0100, 113.7400), (22.8650, 113.6700), (23.0200, 113.7600), (22.8150, 113.8100)],
        charger=[(23.0200, 113.7600), (22.9000, 113.8700), (22.8200, 113.8000)],
        airport_lot=None, airport_curb=None,
        mall=[(23.0100, 113.7450), (22.8150, 113.8100), (22.9450, 113.6800)],
        school=[(23.0200, 113.7600), (22.9200, 113.8800)],
        factory=[(22.8150, 113.8050), (22.8250, 113.6700), (22.9400, 113.6750), (22.8050, 114.0800),
                 (22.8400, 114.1550), (22.9400, 113.9400), (22.8800, 114.0000), (22.7450, 114.1400),
                 (22.9000, 113.8400), (22.9750, 114.0000)],
        dc=[(22.9500, 113.9600)],
    ),
    "FS": dict(
        name="佛山", plate="粤E",
        res=[(23.0550, 113.1450), (23.0200, 113.1100), (22.8400, 113.2500), (23.0350, 113.1500),
             (22.9600, 113.1100), (22.9200, 113.2100)],
        village=[(22.9550, 113.1150), (22.9250, 113.2050), (23.1200, 113.0050), (22.7750, 113.2650),
                 (23.0400, 112.9200), (23.1900, 113.1550)],
        office=[(23.0550, 113.1500), (23.0300, 113.1100), (22.8400, 113.2500), (22.9200, 113.2150)],
        hot=[(23.0650, 113.0950), (23.0300, 113.1100), (23.0500, 113.1450), (22.8400, 113.2500)],
        charger=[(23.0300, 113.1200), (22.8450, 113.2500)],
        airport_lot=None, airport_curb=None,
        mall=[(23.0300, 113.1100), (23.0500, 113.1450), (22.8400, 113.2500)],
        school=[(23.0400, 113.1300), (22.8450, 113.2450)],
        factory=[(22.9250, 113.2100), (22.7700, 113.2700), (22.9600, 113.1100), (23.1200, 113.0000),
                 (23.0400, 112.9200), (23.1900, 113.1500)],
        dc=[(23.1850, 113.1500)],
    ),
}
PORTS = {"YICT": (22.5760, 114.2720), "SHEKOU": (22.4760, 113.8880)}
PORT_BUFFER = {"YICT": (22.5900, 114.2580), "SHEKOU": (22.4950, 113.8900)}
YARDS = {"YICT": [(22.5960, 114.2470), (22.6950, 114.3380), (22.6500, 114.2050), (22.7430, 114.1400)],
         "SHEKOU": [(22.5830, 113.8650), (22.5250, 113.8950), (22.6300, 113.8450)]}
PORT_FACTORIES = {
    "YICT": [(22.8400, 114.1550), (22.8050, 114.0800), (22.7450, 114.1400), (22.8800, 114.0000),
             (22.9750, 114.0000), (22.9100, 114.0700), (22.6800, 114.1300), (22.6400, 114.2100),
             (22.7000, 114.3400), (22.7900, 114.4600), (23.0300, 114.3300)],
    "SHEKOU": [(22.8150, 113.8050), (22.8250, 113.6700), (22.9400, 113.6750), (22.9000, 113.8400),
               (22.7300, 113.8300), (22.7800, 113.8500), (22.6700, 113.8200), (22.6800, 113.9300),
               (22.7600, 113.9400)],
}
CONSTRUCTION = [(22.5320, 113.9000), (22.5950, 113.9500), (22.7000, 114.2300), (22.6000, 113.8600),
                (22.5600, 113.8950), (22.6350, 114.1200)]
DUMPS = [(22.6780, 114.2760), (22.7500, 113.8900)]
MUCK_YARDS = [(22.6600, 113.8700), (22.7050, 114.2000), (22.6200, 114.1500)]

CORRIDORS = {
    "G4": [(23.30, 113.28), (23.88, 113.53), (24.35, 113.57), (24.80, 113.60), (25.13, 113.35),
           (25.45, 113.15), (25.77, 113.01), (26.42, 112.86), (26.90, 112.57), (27.83, 113.13),
           (28.23, 112.94), (28.70, 113.05), (29.36, 113.13), (29.84, 114.32), (30.59, 114.30)],
    "G45": [(23.10, 114.40), (23.40, 114.55), (23.74, 114.70), (24.15, 114.85), (24.45, 114.90),
            (24.91, 114.79), (25.30, 114.85), (25.83, 114.93), (26.40, 115.00), (27.11, 114.99)],
    "G80": [(23.02, 113.05), (23.05, 112.47), (23.14, 111.78), (23.48, 111.28), (23.37, 110.91),
            (23.39, 110.08), (23.11, 109.60), (22.82, 108.37)],
    "G15E": [(22.72, 114.30), (22.80, 114.46), (22.90, 114.85), (22.97, 115.32), (22.92, 115.65),
             (23.05, 115.95), (23.30, 116.17), (23.55, 116.37)],
    "G25": [(23.10, 114.40), (23.40, 114.55), (23.63, 115.18), (23.93, 115.78), (24.29, 116.12)],
    "G15W": [(22.85, 113.10), (22.58, 113.08), (22.38, 112.70), (22.15, 112.30), (21.86, 111.98),
             (21.75, 111.40), (21.66, 110.92), (21.27, 110.36)],
}
# name, corridor, last corridor index used, extra points after it
HOMETOWNS = [
    ("湖南郴州", "G4", 6, []), ("湖南衡阳", "G4", 8, []),
    ("湖南邵阳", "G4", 8, [(27.10, 112.10), (27.24, 111.47)]),
    ("湖南长沙", "G4", 10, []), ("湖南岳阳", "G4", 12, []), ("湖北武汉", "G4", 14, []),
    ("湖南永州", "G4", 8, [(26.62, 112.05), (26.42, 111.61)]),
    ("江西赣州", "G45", 7, []), ("江西吉安", "G45", 9, []), ("广东河源", "G45", 2, []),
    ("江西龙南", "G45", 5, []),
    ("广西梧州", "G80", 3, []), ("广西贵港", "G80", 6, []), ("广西南宁", "G80", 7, []),
    ("广西玉林", "G80", 3, [(22.92, 110.99), (22.63, 110.15)]), ("广西桂平", "G80", 5, []),
    ("广东陆丰", "G15E", 4, []), ("广东普宁", "G15E", 6, []), ("广东揭阳", "G15E", 7, []),
    ("广东汕头", "G15E", 6, [(23.35, 116.68)]),
    ("广东五华", "G25", 3, []), ("广东梅州", "G25", 4, []),
    ("广东阳江", "G15W", 4, []), ("广东茂名", "G15W", 6, []), ("广东湛江", "G15W", 7, []),
]
MOTO_HOMETOWNS = [
    ("广西梧州", "G80", 3, []), ("广西藤县", "G80", 4, []), ("广西桂平", "G80", 5, []),
    ("广西贵港", "G80", 6, []), ("广西玉林", "G80", 3, [(22.92, 110.99), (22.63, 110.15)]),
    ("广西岑溪", "G80", 3, [(22.92, 110.99)]),
]

ADDR = [
    ("广东省深圳市福田区", 22.541, 114.055), ("广东省深圳市罗湖区", 22.555, 114.131),
    ("广东省深圳市南山区", 22.533, 113.930), ("广东省深圳市宝安区", 22.580, 113.860),
    ("广东省深圳市宝安区", 22.690, 113.830), ("广东省深圳市龙华区", 22.660, 114.040),
    ("广东省深圳市龙岗区", 22.690, 114.230), ("广东省深圳市龙岗区", 22.610, 114.120),
    ("广东省深圳市盐田区", 22.580, 114.250), ("广东省深圳市坪山区", 22.700, 114.350),
    ("广东省深圳市光明区", 22.750, 113.930),
    ("广东省东莞市南城街道", 23.010, 113.750), ("广东省东莞市东城街道", 23.030, 113.780),
    ("广东省东莞市长安镇", 22.815, 113.805), ("广东省东莞市虎门镇", 22.825, 113.670),
    ("广东省东莞市厚街镇", 22.940, 113.675), ("广东省东莞市塘厦镇", 22.805, 114.080),
    ("广东省东莞市清溪镇", 22.840, 114.155), ("广东省东莞市大朗镇", 22.940, 113.940),
    ("广东省东莞市黄江镇", 22.880, 114.000), ("广东省东莞市松山湖", 22.920, 113.880),
    ("广东省东莞市凤岗镇", 22.745, 114.140), ("广东省东莞市樟木头镇", 22.910, 114.070),
    ("广东省东莞市常平镇", 22.975, 114.000), ("广东省东莞市大岭山镇", 22.900, 113.840),
    ("广东省广州市天河区", 23.125, 113.360), ("广东省广州市越秀区", 23.130, 113.270),
    ("广东省广州市海珠区", 23.085, 113.320), ("广东省广州市白云区", 23.200, 113.280),
    ("广东省广州市白云区", 23.380, 113.300), ("广东省广州市番禺区", 22.940, 113.380),
    ("广东省广州市黄埔区", 23.150, 113.470), ("广东省广州市花都区", 23.410, 113.220),
    ("广东省广州市增城区", 23.180, 113.650), ("广东省广州市南沙区", 22.750, 113.550),
    ("广东省佛山市禅城区", 23.020, 113.110), ("广东省佛山市南海区", 23.040, 113.150),
    ("广东省佛山市南海区", 23.120, 113.000), ("广东省佛山市顺德区", 22.820, 113.250),
    ("广东省佛山市三水区", 23.160, 112.890), ("广东省佛山市高明区", 22.900, 112.890),
    ("广东省惠州市惠城区", 23.110, 114.410), ("广东省惠州市惠阳区", 22.790, 114.460),
    ("广东省惠州市惠东县", 22.980, 114.720), ("广东省河源市源城区", 23.740, 114.700),
    ("广东省韶关市浈江区", 24.800, 113.600), ("广东省清远市佛冈县", 23.880, 113.530),
    ("广东省韶关市乐昌市", 25.130, 113.350), ("广东省肇庆市端州区", 23.050, 112.470),
    ("广东省肇庆市德庆县", 23.140, 111.780), ("广东省江门市蓬江区", 22.580, 113.080),
    ("广东省江门市开平市", 22.380, 112.700), ("广东省阳江市江城区", 21.860, 111.980),
    ("广东省茂名市茂南区", 21.660, 110.920), ("广东省湛江市赤坎区", 21.270, 110.360),
    ("广东省汕尾市海丰县", 22.970, 115.320), ("广东省汕尾市陆丰市", 22.920, 115.650),
    ("广东省揭阳市普宁市", 23.300, 116.170), ("广东省揭阳市榕城区", 23.550, 116.370),
    ("广东省汕头市金平区", 23.350, 116.680), ("广东省梅州市五华县", 23.930, 115.780),
    ("广东省梅州市梅江区", 24.290, 116.120), ("广东省河源市紫金县", 23.630, 115.180),
    ("湖南省郴州市北湖区", 25.770, 113.010), ("湖南省衡阳市雁峰区", 26.900, 112.570),
    ("湖南省衡阳市耒阳市", 26.420, 112.860), ("湖南省邵阳市双清区", 27.240, 111.470),
    ("湖南省株洲市天元区", 27.830, 113.130), ("湖南省长沙市雨花区", 28.230, 112.940),
    ("湖南省岳阳市岳阳楼区", 29.360, 113.130), ("湖南省永州市冷水滩区", 26.420, 111.610),
    ("湖北省咸宁市咸安区", 29.840, 114.320), ("湖北省武汉市武昌区", 30.590, 114.300),
    ("江西省赣州市章贡区", 25.830, 114.930), ("江西省赣州市龙南市", 24.910, 114.790),
    ("江西省吉安市吉州区", 27.110, 114.990), ("江西省赣州市兴国县", 26.400, 115.000),
    ("广西壮族自治区梧州市万秀区", 23.480, 111.280), ("广西壮族自治区梧州市藤县", 23.370, 110.910),
    ("广西壮族自治区贵港市桂平市", 23.390, 110.080), ("广西壮族自治区贵港市港北区", 23.110, 109.600),
    ("广西壮族自治区南宁市青秀区", 22.820, 108.370), ("广西壮族自治区玉林市玉州区", 22.630, 110.150),
    ("广西壮族自治区梧州市岑溪市", 22.920, 110.990),
]
_ADDR_LAT = np.array([a[1] for a in ADDR])
_ADDR_LON = np.array([a[2] for a in ADDR])

PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


def pick(rng, seq):
    return seq[int(rng.integers(len(seq)))]


# ---------------------------------------------------------------------------------------------
# timelines
class Place:
    __slots__ = ("lat", "lon", "covered", "under", "ent", "spot", "cells", "wifi")

    def __init__(self, p, covered=False, under=False, spot=10.0, rng=None, ent_r=(60, 180)):
        self.lat, self.lon = p
        self.covered = covered
        self.under = under
        self.spot = spot
        self.ent = jit(rng, p, ent_r[1], ent_r[0]) if under else None
        self.cells = None
        self.wifi = False
        if covered and rng is not None:
            self.wifi = bool(rng.random() < 0.3)
            self.cells = [jit(rng, p, 1200.0, 200.0) for _ in range(int(rng.integers(2, 4)))]

    @property
    def p(self):
        return (self.lat, self.lon)


class TL:
    """A vehicle's timeline: alternating stays ("S") and moves ("M"), times in UTC epoch s."""

    def __init__(self, rng, places, key, t, cons=0.0, soc=90.0):
        self.rng = rng
        self.places = places
        self.key = key
        P = places[key]
        self.P = P
        self.pt = P.p
        self.fixpt = P.ent if P.under else P.p
        self.t = t
        self.ev = []
        self.routes = {}
        self.cons = cons
        self.soc = soc

    def stay(self, until, on=False, charge=None):
        if until <= self.t + 1.0:
            return
        P = self.P
        e = dict(k="S", t0=self.t, t1=until, pt=self.pt, fix=self.fixpt, covered=P.covered,
                 under=P.under, on=on, place=P, key=self.key, soc0=self.soc, tc=self.t)
        if charge is not None:
            rate, target = charge
            need = max(0.0, target - self.soc)
            dur = min(until - self.t, need / rate * 3600.0)
            self.soc += dur / 3600.0 * rate
            e["tc"] = self.t + dur
            e["charged"] = True
        e["soc1"] = self.soc
        self.ev.append(e)
        self.t = until

    def _route(self, ka, kb, a, b, via):
        d = dist_m(a, b)
        if via is not None:
            pts = [a] + list(via) + [b]
            return np.array(pts)
        key = None
        if ka is not None and kb is not None and ka != kb:
            key = (ka, kb) if ka < kb else (kb, ka)
            if key in self.routes:
                mids = self.routes[key]
                if key[0] != ka:
                    mids = mids[::-1]
                return np.array([a] + mids + [b])
        rng = self.rng
        nw = 0 if d < 400 else 1 if d < 3000 else 2 if d < 15000 else 3
        draws = rng.random(2 * nw).tolist() if nw else []
        fr = sorted(0.15 + 0.7 * x for x in draws[:nw])
        offs = [min(0.2, max(-0.2, (x - 0.5) * 0.36)) for x in draws[nw:]]
        mids = []
        dn = (b[0] - a[0]) * M_PER_DEG
        de = (b[1] - a[1]) * M_PER_DEG * math.cos(math.radians(a[0]))
        nrm = math.hypot(dn, de) or 1.0
        for f, o in zip(fr, offs):
            off = o * d
            base = (a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]))
            mids.append(offset(base, -de / nrm * off, dn / nrm * off))
        if key is not None:
            self.routes[key] = mids if key[0] == ka else mids[::-1]
        return np.array([a] + mids + [b])

    def move_path(self, path, kmh, mode="city"):
        cum, brg = seg_geom(path)
        L = max(float(cum[-1]), 5.0)
        dur = L / (kmh / 3.6) * self.rng.uniform(0.93, 1.1) + 15.0
        self.ev.append(dict(k="M", t0=self.t, t1=self.t + dur, path=path, cum=cum, brg=brg, L=L,
                            mode=mode, soc0=self.soc, after_under=self.P.under))
        self.soc = max(8.0, self.soc - L / 1000.0 * self.cons)
        self.ev[-1]["soc1"] = self.soc
        self.t += dur

    def go(self, key, kmh, mode="city", dest=None, via=None):
        P = dest if dest is not None else self.places[key]
        end = P.ent if P.under else jit(self.rng, P.p, P.spot)
        path = self._route(self.key, key, self.fixpt, end, via)
        self.move_path(path, kmh, mode)
        self.key = key
        self.P = P
        self.pt = P.p if P.under else end
        self.fixpt = end

    def arrive_adhoc(self, p):
        """Stop at an ad-hoc point already reached by move_path."""
        P = Place(p, spot=0.0)
        self.key = None
        self.P = P
        self.pt = p
        self.fixpt = p


def traffic_kmh(t, base=30.0):
    h = ((t + UTC8) % DAY) / 3600.0
    if 7.3 <= h <= 9.7 or 17.5 <= h <= 20.0:
        return base * 0.7
    if h >= 22.0 or h < 6.0:
        return base * 1.25
    return base


# ---------------------------------------------------------------------------------------------
# vehicle ids
def luhn_digit(s):
    tot = 0
    for i, ch in enumerate(reversed(s)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        tot += d
    return str((10 - tot % 10) % 10)


_VIN_VAL = {**{str(i): i for i in range(10)},
            **dict(zip("ABCDEFGH", range(1, 9))), **dict(zip("JKLMN", range(1, 6))), "P": 7, "R": 9,
            **dict(zip("STUVWXYZ", range(2, 10)))}
_VIN_W = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]


def make_vin(rng, wmi):
    chars = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
    vds = "".join(pick(rng, chars) for _ in range(8 - len(wmi)))
    year = pick(rng, "NPR")
    plant = pick(rng, "0123456789ABCDE")
    serial = "".join(str(int(rng.integers(10))) for _ in range(6))
    v = wmi + vds + "0" + year + plant + serial
    s = sum(_VIN_VAL[c] * w for c, w in zip(v, _VIN_W)) % 11
    out = v[:8] + ("X" if s == 10 else str(s)) + v[9:]
    assert len(out) == 17
    return out


def make_plate(rng, prefix, kind):
    L = PLATE_LETTERS
    if kind == "nev":
        tail = pick(rng, "DDDF") + "".join(str(int(rng.integers(10))) for _ in range(5))
    elif kind == "nev_bev":
        tail = "D" + "".join(str(int(rng.integers(10))) for _ in range(5))
    else:
        pat = pick(rng, ["DDDDD", "LDDDD", "DLDDD", "LLDDD", "DDDDL", "DLDLD"])
        tail = "".join(pick(rng, L) if c == "L" else str(int(rng.integers(10))) for c in pat)
    return prefix + tail


# ---------------------------------------------------------------------------------------------
# lives
KIND_WEIGHTS = [
    ("office_996", 17), ("ride_hailing", 13), ("container_truck", 14), ("factory_dorm", 14),
    ("delivery_rider", 12), ("factory_village", 10), ("school_run", 8), ("delivery_van", 8),
    ("courier_trike", 6), ("motorbike_homecomer", 5), ("ride_hailing_night", 4), ("muck_truck_night", 3),
    ("container_truck_relay", 2), ("school_bus", 2), ("taxi_double_shift", 2),
]
SOURCE = {k: FILE_A for k in ("container_truck", "container_truck_relay", "delivery_van", "school_bus",
                              "muck_truck_night", "taxi_double_shift")}
SOURCE.update({k: FILE_B for k in ("office_996", "school_run", "ride_hailing", "ride_hailing_night")})
SOURCE.update({k: FILE_C for k in ("factory_dorm", "factory_village", "delivery_rider", "courier_trike",
                                   "motorbike_homecomer")})


def allocate_kinds(n):
    """Smooth weighted round robin: any prefix of the sequence keeps the proportions."""
    cur = {k: 0.0 for k, _ in KIND_WEIGHTS}
    tot = sum(w for _, w in KIND_WEIGHTS)
    out = []
    for _ in range(n):
        for k, w in KIND_WEIGHTS:
            cur[k] += w
        best = max(KIND_WEIGHTS, key=lambda kw: cur[kw[0]])[0]
        cur[best] -= tot
        out.append(best)
    return out


class V:
    def __init__(self, idx, kind, rng, days):
        self.idx = idx
        self.kind = kind
        self.rng = rng
        self.days = days
        self.src = SOURCE[kind]
        self.truth = dict(kind=kind, source_file=self.src, night_worker=False, underground_home=False,
                          underground_work=False, spring_festival=None)
        self.places = {}
        self.meta = {}
        self.home_key = "home"
        self.work_key = None


def city_point(rng, c):
    C = CITY[c]
    anchors = C["res"] + C["village"] + C["office"] + C["hot"] + C["mall"]
    return jit(rng, pick(rng, anchors), 1500.0)


def corridor_route(name_entry):
    name, cor, idx, extra = name_entry
    pts = CORRIDORS[cor][: idx + 1] + list(extra)
    return pts


def long_drive(tl, pts, dest_key, kmh, stop_every, stop_min, charge_rate=None, overnight=None):
    """Drive start -> pts... -> destination place, split into legs with stops."""
    rng = tl.rng
    P = tl.places[dest_key]
    end = P.ent if P.under else jit(rng, P.p, P.spot)
    start = tl.fixpt
    mid = jit(rng, ((start[0] + pts[0][0]) / 2, (start[1] + pts[0][1]) / 2), 3000.0)
    full = np.array([start, mid] + list(pts) + [end])
    cum, _ = seg_geom(full)
    L = cum[-1]
    stops = []
    s = stop_every * rng.uniform(0.75, 1.05)
    while s < L - 40000:
        stops.append(s)
        s += stop_every * rng.uniform(0.8, 1.1)
    cuts = [0.0] + stops + [L]
    for i in range(len(cuts) - 1):
        a, b = cuts[i], cuts[i + 1]
        inner = (cum > a) & (cum < b)
        pa_ = (np.interp(a, cum, full[:, 0]), np.interp(a, cum, full[:, 1]))
        pb_ = (np.interp(b, cum, full[:, 0]), np.interp(b, cum, full[:, 1]))
        sub = np.vstack([[pa_], full[inner], [pb_]])
        tl.move_path(sub, kmh * rng.uniform(0.85, 1.1), mode="hwy")
        if i < len(cuts) - 2:
            tl.arrive_adhoc(pb_)
            h_local = ((tl.t + UTC8) % DAY) / 3600.0
            if overnight is not None and (h_local >= 19.5 or h_local < 4.0):
                nxt = tl.t + ((30.5 - h_local) % 24.0) * 3600.0 + rng.uniform(0, 3600)
                tl.stay(nxt)
            elif charge_rate is not None:
                q = rng.uniform(stop_min[0], stop_min[1]) * 60.0
                tl.stay(tl.t + q * 0.4)
                tl.stay(tl.t + q * 0.6, charge=(charge_rate, 90.0))
            else:
                tl.stay(tl.t + rng.uniform(stop_min[0], stop_min[1]) * 60.0)
    tl.key = dest_key
    tl.P = P
    tl.pt = P.p if P.under else end
    tl.fixpt = end


def hometown_days(v, tl, d_from, d_to, kmh=40.0):
    rng = v.rng
    for d in range(d_from, d_to):
        n = int(rng.choice([0, 1, 1, 2, 3])) if d in HOLIDAY else int(rng.choice([0, 0, 1]))
        h = rng.uniform(8.5, 11.0)
        for _ in range(n):
            tl.stay(T(d, h))
            dest = Place(jit(rng, v.places["hometown"].p, 25000.0, 3000.0), spot=20.0)
            tl.go(None, kmh, dest=dest)
            tl.stay(tl.t + rng.uniform(1.0, 4.0) * 3600)
            tl.go("hometown", kmh)
            h = ((tl.t + UTC8) % DAY) / 3600.0 + rng.uniform(0.5, 2.0)
            if h > 19.0:
                break


def pick_hometown(v, table):
    rng = v.rng
    ht = table[int(rng.integers(len(table)))]
    route = corridor_route(ht)
    vill = jit(rng, route[-1], 15000.0, 3000.0)
    v.places["hometown"] = Place(vill, spot=20.0)
    return ht, route


def car_spring_festival(v, probs):
    rng = v.rng
    mode = str(rng.choice(["drive_home", "stayed", "left_parked"], p=probs))
    sf = dict(mode=mode)
    if mode == "drive_home":
        ht, route = pick_hometown(v, HOMETOWNS)
        sf.update(leave=int(rng.choice([12, 13, 14, 15], p=[0.3, 0.1, 0.35, 0.25])),
                  ret=int(rng.choice([20, 21, 22], p=[0.25, 0.45, 0.30])), route=route, town=ht[0])
        if v.kind.startswith("ride_hailing"):
            sf["ret"] = int(rng.choice([21, 22, 23, 24]))
    elif mode == "left_parked":
        sf.update(leave=int(rng.choice([12, 13, 14])), ret=int(rng.choice([22, 23])))
    return sf


def cny_car_day(v, tl, sf, d):
    """Handle a Spring Festival day for a car; returns True if the day was consumed."""
    rng = v.rng
    if sf["mode"] == "left_parked":
        return sf["leave"] <= d < sf["ret"]
    if sf["mode"] != "drive_home":
        return False
    lv, rt = sf["leave"], sf["ret"]
    bev = v.meta.get("bev", True)
    cr = 70.0 if bev else None
    if d == lv:
        h = rng.uniform(18.5, 20.0) if d == 13 else rng.uniform(4.5, 9.0)
        tl.stay(T(d, h))
        if bev:
            tl.soc = max(tl.soc, 92.0)
        long_drive(tl, sf["route"], "hometown", rng.uniform(50, 72), 230000.0 if bev else 260000.0,
                   (50, 150) if bev else (15, 35), charge_rate=cr)
        sf["away_from"] = iso_local(T(d, h))
        return True
    if lv < d < rt:
        hometown_days(v, tl, d, d + 1)
        return True
    if d == rt:
        h = rng.uniform(5.0, 10.0)
        tl.stay(T(d, h))
        if bev:
            tl.soc = max(tl.soc, 92.0)
        long_drive(tl, sf["route"][::-1], "home", rng.uniform(55, 78), 230000.0 if bev else 260000.0,
                   (40, 120) if bev else (15, 35), charge_rate=cr)
        sf["back"] = iso_local(tl.t)
        return True
    return False


def home_place(v, c, pool, p_under, spot=20.0):
    rng = v.rng
    under = bool(rng.random() < p_under)
    P = Place(jit(rng, pick(rng, CITY[c][pool]), 900.0), under=under, spot=spot, rng=rng)
    return P


# --- file 1 lives -----------------------------------------------------------------------------
def life_container(v, relay=False):
    rng, days = v.rng, v.days
    port = "YICT" if rng.random() < 0.72 else "SHEKOU"
    P = v.places
    yard = jit(rng, pick(rng, YARDS[port]), 300.0)
    P["home"] = Place(yard, spot=30.0)
    P["work"] = Place(PORTS[port], spot=150.0)
    P["buffer"] = Place(jit(rng, PORT_BUFFER[port], 150.0), spot=60.0)
    facs = rng.choice(len(PORT_FACTORIES[port]), size=min(6 if not relay else 9, len(PORT_FACTORIES[port])),
                      replace=False)
    for i, fi in enumerate(sorted(facs)):
        P[f"f{i}"] = Place(jit(rng, PORT_FACTORIES[port][fi], 1500.0), covered=bool(rng.random() < 0.3),
                           spot=40.0, rng=rng)
    nf = len(facs)
    v.work_key = "work"
    v.truth["port"] = port
    v.meta["city"] = "SZ"
    if relay:
        v.home_key = None
        P["depot"] = Place(jit(rng, pick(rng, YARDS[port]), 500.0), spot=30.0)
        tl = TL(rng, P, "buffer", WIN0)
        while tl.t < T(days, 0):
            d = int((tl.t - WIN0) // DAY)
            if 14 <= d <= 21:
                if tl.key != "depot":
                    tl.go("depot", 45.0, mode="truck")
                tl.stay(T(22, rng.uniform(6.0, 8.0)))
                continue
            tl.go("work", traffic_kmh(tl.t, 42.0), mode="truck")
            tl.stay(tl.t + rng.uniform(0.4, 2.0) * 3600)
            f = f"f{int(rng.integers(nf))}"
            tl.go(f, traffic_kmh(tl.t, 42.0), mode="truck")
            tl.stay(tl.t + rng.uniform(1.0, 3.0) * 3600)
            if rng.random() < 0.35:
                tl.stay(tl.t + rng.uniform(1.0, 5.0) * 3600)   # waiting for the next job
            tl.go("work", traffic_kmh(tl.t, 42.0), mode="truck")
            tl.stay(tl.t + rng.uniform(0.5, 2.5) * 3600)
            if rng.random() < 0.3:
                tl.go("buffer", 30.0, mode="truck")
                tl.stay(tl.t + rng.uniform(1.0, 5.0) * 3600)
        v.truth["spring_festival"] = dict(mode="parked_at_company_yard", away_from=iso_local(T(14, 0)),
                                          back=iso_local(T(22, 7)), hometown=None)
        return tl
    mode = "parked" if rng.random() < 0.75 else "kept_working"
    last = int(rng.integers(10, 15))
    back = int(rng.integers(23, 28))
    off = set(int(x) for x in rng.choice([15, 16, 17, 18], size=int(rng.integers(1, 4)), replace=False))
    tl = TL(rng, P, "home", WIN0)
    for d in range(days):
        if mode == "parked" and last < d < back:
            continue
        if mode == "kept_working" and d in off:
            continue
        rush = d <= 11
        if not rush and rng.random() < 0.12:
            continue
        tl.stay(T(d, rng.uniform(4.8, 7.5)))
        ncyc = int(rng.choice([1, 2, 2, 3])) if rush else int(rng.choice([1, 1, 2]))
        for _ in range(ncyc):
            tl.go("work", traffic_kmh(tl.t, 42.0), mode="truck")
            tl.stay(tl.t + rng.uniform(0.4, 1.5) * 3600)
            tl.go(f"f{int(rng.integers(nf))}", traffic_kmh(tl.t, 40.0), mode="truck")
            tl.stay(tl.t + rng.uniform(1.0, 3.0) * 3600)
            tl.go("work", traffic_kmh(tl.t, 42.0), mode="truck")
            tl.stay(tl.t + rng.uniform(0.5, 2.5) * 3600)
            if ((tl.t + UTC8) % DAY) / 3600.0 > 19.0 and not rush:
                break
        tl.go("home", traffic_kmh(tl.t, 45.0), mode="truck")
    if mode == "parked":
        v.truth["spring_festival"] = dict(mode="truck_parked_driver_home",
                                          away_from=iso_local(T(last + 1, 0)),
                                          back=iso_local(T(back, 5)), hometown=None)
    else:
        v.truth["spring_festival"] = dict(mode="kept_working", days_off=sorted(off))
    return tl


def life_van(v):
    rng, days = v.rng, v.days
    c = str(rng.choice(["SZ", "GZ", "DG"], p=[0.6, 0.3, 0.1]))
    v.meta["city"] = c
    P = v.places
    P["home"] = Place(jit(rng, pick(rng, CITY[c]["village"]), 800.0), spot=30.0)
    dc = jit(rng, pick(rng, CITY[c]["dc"]), 800.0)
    P["work"] = Place(dc, covered=True, spot=50.0, rng=rng)
    zone = pick(rng, CITY[c]["res"] + CITY[c]["village"])
    stores = [Place(jit(rng, zone, 5000.0), spot=10.0) for _ in range(int(rng.integers(18, 30)))]
    for i, s in enumerate(stores):
        P[f"s{i}"] = s
    v.work_key = "work"
    tl = TL(rng, P, "home", WIN0)
    for d in range(days):
        if 14 <= d <= 22:
            continue
        if not (is_workday(d) or d % 7 == 5 or (d <= 13 and d % 7 == 6)):
            continue
        tl.stay(T(d, rng.uniform(4.5, 5.7)))
        tl.go("work", 40.0)
        tl.stay(tl.t + rng.uniform(1.0, 1.7) * 3600)
        waves = 2 if rng.random() < 0.4 else 1
        for w in range(waves):
            n = int(rng.integers(8, 19)) if w == 0 else int(rng.integers(4, 9))
            for si in rng.choice(len(stores), size=n, replace=False):
                tl.go(f"s{si}", traffic_kmh(tl.t, 26.0))
                tl.stay(tl.t + rng.uniform(6.0, 20.0) * 60)
            tl.go("work", traffic_kmh(tl.t, 30.0))
            tl.stay(tl.t + rng.uniform(20.0, 45.0) * 60)
        tl.go("home", traffic_kmh(tl.t, 32.0))
    v.truth["spring_festival"] = dict(mode="van_parked_at_home", away_from=iso_local(T(14, 0)),
                                      back=iso_local(T(23, 4.5)), hometown=None)
    return tl


def life_school_bus(v):
    rng, days = v.rng, v.days
    c = "SZ"
    v.meta["city"] = c
    P = v.places
    school = jit(rng, pick(rng, CITY[c]["school"]), 600.0)
    P["work"] = Place(school, spot=25.0)
    P["home"] = Place(jit(rng, school, 6000.0, 2500.0), spot=35.0)
    stops = [jit(rng, school, 4000.0, 600.0) for _ in range(int(rng.integers(6, 11)))]
    for i, s in enumerate(stops):
        P[f"s{i}"] = Place(s, spot=8.0)
    ns = len(stops)
    v.work_key = "work"
    tl = TL(rng, P, "home", WIN0)
    for d in range(days):
        if not is_schoolday(d):
            continue
        tl.stay(T(d, rng.uniform(6.0, 6.3)))
        for i in range(ns):
            tl.go(f"s{i}", traffic_kmh(tl.t, 28.0))
            tl.stay(tl.t + rng.uniform(60, 150), on=True)
        tl.go("work", 25.0)
        tl.stay(T(d, rng.uniform(16.05, 16.3)))
        for i in reversed(range(ns)):
            tl.go(f"s{i}", traffic_kmh(tl.t, 28.0))
            tl.stay(tl.t + rng.uniform(60, 150), on=True)
        tl.go("home", 30.0)
    v.truth["spring_festival"] = dict(mode="winter_break_parked", away_from=iso_local(T(5, 0)),
                                      back=iso_local(T(35, 6)), hometown=None)
    return tl


def life_muck(v):
    rng, days = v.rng, v.days
    v.meta["city"] = "SZ"
    v.truth["night_worker"] = True
    P = v.places
    P["home"] = Place(jit(rng, pick(rng, MUCK_YARDS), 400.0), spot=40.0)
    P["work"] = Place(jit(rng, pick(rng, CONSTRUCTION), 500.0), spot=70.0)
    P["dump"] = Place(jit(rng, pick(rng, DUMPS), 300.0), spot=150.0)
    v.work_key = "work"
    stop = int(rng.integers(5, 9))
    tl = TL(rng, P, "home", WIN0)
    for d in range(days):
        if d >= stop:
            break
        if rng.random() < 0.1:
            continue
        tl.stay(T(d, rng.uniform(20.5, 22.0)))
        for _ in range(int(rng.integers(4, 8))):
            tl.go("work", 35.0, mode="truck")
            tl.stay(tl.t + rng.uniform(15, 35) * 60)
            tl.go("dump", 40.0, mode="truck")
            tl.stay(tl.t + rng.uniform(8, 20) * 60)
            if ((tl.t + UTC8) % DAY) / 3600.0 > 4.6 and ((tl.t + UTC8) % DAY) / 3600.0 < 12:
                break
        tl.go("home", 40.0, mode="truck")
    v.truth["spring_festival"] = dict(mode="site_closed", away_from=iso_local(T(stop, 6)), back=None,
                                      hometown=None)
    return tl


def life_taxi(v):
    rng, days = v.rng, v.days
    c = "SZ"
    v.meta["city"] = c
    v.home_key = None
    P = v.places
    P["swap"] = Place(jit(rng, pick(rng, CITY[c]["village"]), 600.0), spot=30.0)
    for i, ch in enumerate(CITY[c]["charger"]):
        P[f"c{i}"] = Place(jit(rng, ch, 200.0), spot=25.0)
    tl = TL(rng, P, "swap", WIN0, cons=0.25, soc=70.0)
    tl.stay(WIN0 + rng.uniform(0, 1800))
    end = T(days, 0)
    while tl.t < end:
        h = ((tl.t + UTC8) % DAY) / 3600.0
        if 1.3 <= h < 3.0 or tl.soc < 25 or (11.5 <= h < 12.5 and tl.soc < 60):
            ci = int(rng.integers(len(CITY[c]["charger"])))
            tl.go(f"c{ci}", 35.0)
            tl.stay(tl.t + rng.uniform(5, 20) * 60)
            tl.stay(tl.t + rng.uniform(50, 80) * 60, charge=(75.0, 95.0))
            continue
        if 4.3 <= h < 5.0 or 16.3 <= h < 17.0:
            tl.go("swap", 30.0)
            tl.stay(tl.t + rng.uniform(15, 30) * 60)
            continue
        cruise = Place(jit(rng, tl.fixpt, 2500.0, 300.0), spot=5.0)
        tl.go(None, 18.0, dest=cruise)
        tl.stay(tl.t + rng.uniform(20, 90), on=True)
        dest = Place(city_point(rng, c), spot=10.0)
        tl.go(None, traffic_kmh(tl.t, 30.0 if dist_m(tl.fixpt, dest.p) < 12000 else 45.0), dest=dest)
        tl.stay(tl.t + rng.uniform(20, 80), on=True)
    v.truth["spring_festival"] = dict(mode="worked_through")
    return tl


# --- file 2 lives -----------------------------------------------------------------------------
def car_meta(v, ride):
    rng = v.rng
    if ride:
        mm = pick(rng, [("比亚迪秦PLUS EV", "LGXC", True), ("比亚迪e5", "LGXC", True),
                        ("比亚迪D1", "LGXC", True),
                        ("广汽埃安S", "LMGA", True), ("比亚迪秦PLUS EV", "LC0C", True)])
    else:
        mm = pick(rng, [("比亚迪汉EV", "LGXC", True), ("比亚迪宋PLUS DM-i", "LGXC", False),
                        ("比亚迪海豚", "LC0C", True), ("广汽埃安Y", "LMGA", True), ("小鹏P7", "L1NS", True),
                        ("比亚迪秦PLUS DM-i", "LGXC", False), ("小鹏G6", "L1NS", True)])
    v.meta["make_model"] = mm[0]
    v.meta["wmi"] = mm[1]
    v.meta["bev"] = mm[2]
    v.meta["interval"] = 30 if mm[0].startswith("比亚迪") else 10


def life_office(v, school=False):
    rng, days = v.rng, v.days
    c = str(rng.choice(["SZ", "GZ", "DG", "FS"], p=[0.55, 0.3, 0.08, 0.07]))
    v.meta["city"] = c
    car_meta(v, False)
    P = v.places
    P["home"] = home_place(v, c, "res", 0.6 if not school else 0.5)
    P["work"] = Place(jit(rng, pick(rng, CITY[c]["office"]), 500.0), under=bool(rng.random() < 0.55),
                      spot=25.0, rng=rng)
    P["mall"] = Place(jit(rng, pick(rng, CITY[c]["mall"]), 400.0), under=bool(rng.random() < 0.5), spot=30.0,
                      rng=rng)
    P["charger"] = Place(jit(rng, pick(rng, CITY[c]["charger"]), 800.0), spot=20.0)
    home_pile = P["home"].under and rng.random() < 0.7
    v.truth["underground_home"] = P["home"].under
    v.truth["underground_work"] = P["work"].under
    v.truth["home_charger"] = bool(home_pile)
    v.work_key = "work"
    if school:
        P["school"] = Place(jit(rng, pick(rng, CITY[c]["school"]), 1500.0), spot=40.0)
        P["tutor"] = Place(jit(rng, pick(rng, CITY[c]["mall"]), 800.0), spot=30.0)
        pickup_days = set(int(x) for x in rng.choice(5, size=2, replace=False))
    sf = car_spring_festival(v, [0.45, 0.32, 0.23] if not school else [0.5, 0.35, 0.15])
    cons = 0.2 if v.meta["bev"] else 0.6
    tl = TL(rng, P, "home", WIN0, cons=cons, soc=rng.uniform(50, 95))
    for d in range(days):
        if "leave" in sf and cny_car_day(v, tl, sf, d):
            continue
        sat996 = (not school) and d % 7 == 5 and not (12 <= d <= 22) and rng.random() < 0.6
        if is_workday(d) or sat996:
            if school and is_schoolday(d):
                tl.stay(T(d, rng.uniform(7.1, 7.45)))
                tl.go("school", traffic_kmh(tl.t, 28.0))
                tl.stay(tl.t + rng.uniform(3, 8) * 60, on=True)
                tl.go("work", traffic_kmh(tl.t, 30.0))
            else:
                tl.stay(T(d, rng.uniform(8.0, 9.2) if not school else rng.uniform(8.0, 8.7)))
                tl.go("work", traffic_kmh(tl.t, 30.0))
            if school and is_schoolday(d) and d % 7 in pickup_days:
                tl.stay(T(d, rng.uniform(16.5, 16.9)))
                tl.go("school", traffic_kmh(tl.t, 28.0))
                tl.stay(tl.t + rng.uniform(10, 25) * 60)
                tl.go("home", traffic_kmh(tl.t, 28.0))
            else:
                tl.stay(T(d, rng.uniform(20.3, 22.6) if not school else rng.uniform(18.0, 19.5)))
                if tl.soc < 30 and not home_pile:
                    tl.go("charger", traffic_kmh(tl.t, 30.0))
                    tl.stay(tl.t + rng.uniform(50, 80) * 60, charge=(70.0, 90.0))
                tl.go("home", traffic_kmh(tl.t, 30.0))
            if home_pile and tl.soc < 55:
                tl.stay(tl.t + rng.uniform(10, 60) * 60)
                tl.stay(tl.t + 9 * 3600, charge=(12.0, 100.0))
        else:
            if school and d % 7 == 5 and rng.random() < 0.7:
                tl.stay(T(d, rng.uniform(8.4, 9.0)))
                tl.go("tutor", traffic_kmh(tl.t, 30.0))
                tl.stay(tl.t + rng.uniform(2.5, 3.2) * 3600)
                tl.go("home", traffic_kmh(tl.t, 30.0))
            elif rng.random() < 0.55:
                tl.stay(T(d, rng.uniform(10.0, 15.0)))
                if rng.random() < 0.6:
                    tl.go("mall", traffic_kmh(tl.t, 30.0))
                else:
                    tl.go(None, traffic_kmh(tl.t, 35.0), dest=Place(city_point(rng, c), spot=30.0))
                tl.stay(tl.t + rng.uniform(1.5, 4.5) * 3600)
                tl.go("home", traffic_kmh(tl.t, 30.0))
            if home_pile and tl.soc < 55:
                tl.stay(tl.t + rng.uniform(10, 60) * 60)
                tl.stay(tl.t + 9 * 3600, charge=(12.0, 100.0))
            elif tl.soc < 35:
                tl.go("charger", 30.0)
                tl.stay(tl.t + rng.uniform(50, 80) * 60, charge=(70.0, 90.0))
                tl.go("home", 30.0)
    finish_sf(v, sf)
    return tl


def finish_sf(v, sf):
    out = dict(mode=sf["mode"])
    if sf["mode"] == "drive_home":
        out.update(hometown=[round(v.places["hometown"].lat, 6), round(v.places["hometown"].lon, 6)],
                   town=sf["town"], away_from=sf.get("away_from") or iso_local(T(sf["leave"], 6.0)),
                   back=sf.get("back") or iso_local(T(sf["ret"], 16.0)))
    elif sf["mode"] in ("left_parked", "went_home"):
        out.update(away_from=iso_local(T(sf["leave"], 0)), back=iso_local(T(sf["ret"], 0)))
    v.truth["spring_festival"] = out


def hail_loop(v, tl, c, end_t):
    rng = v.rng
    C = CITY[c]
    lot = C["airport_lot"]
    while tl.t < end_t:
        if tl.soc < 32:
            ci = min(range(len(C["charger"])), key=lambda i: dist_m(C["charger"][i], tl.fixpt))
            tl.go(f"c{ci}", traffic_kmh(tl.t, 30.0))
            tl.stay(tl.t + rng.uniform(5, 30) * 60)
            tl.stay(tl.t + rng.uniform(45, 70) * 60, charge=(85.0, 92.0))
            continue
        pu = Place(jit(rng, tl.fixpt, 2500.0, 200.0), spot=5.0)
        tl.go(None, traffic_kmh(tl.t, 24.0), dest=pu)
        tl.stay(tl.t + rng.uniform(40, 200), on=True)
        r = rng.random()
        at_airport = False
        if lot is not None and r < 0.07 and dist_m(tl.fixpt, lot) > 8000:
            dest = Place(jit(rng, C["airport_curb"], 150.0), spot=10.0)
            at_airport = True
        elif r < 0.35:
            dest = Place(jit(rng, pick(rng, C["hot"]), 600.0), spot=10.0)
        else:
            dest = Place(city_point(rng, c), spot=10.0)
        dd = dist_m(tl.fixpt, dest.p)
        tl.go(None, traffic_kmh(tl.t, 28.0 if dd < 12000 else 45.0), dest=dest)
        tl.stay(tl.t + rng.uniform(30, 90), on=True)
        if at_airport and rng.random() < 0.7:
            tl.go("airport", 25.0)
            tl.stay(tl.t + rng.uniform(60, 150) * 60)
            tl.go(None, 20.0, dest=Place(jit(rng, C["airport_curb"], 150.0), spot=10.0))
            tl.stay(tl.t + rng.uniform(60, 240), on=True)
            dest = Place(city_point(rng, c), spot=10.0)
            tl.go(None, traffic_kmh(tl.t, 45.0), dest=dest)
            tl.stay(tl.t + rng.uniform(30, 90), on=True)
        else:
            tl.stay(tl.t + min(rng.exponential(6.0), 25.0) * 60, on=bool(rng.random() < 0.6))


def life_ride(v, night=False):
    rng, days = v.rng, v.days
    c = str(rng.choice(["SZ", "GZ", "FS", "DG"], p=[0.65, 0.25, 0.05, 0.05]))
    v.meta["city"] = c
    car_meta(v, True)
    v.truth["night_worker"] = night
    P = v.places
    if rng.random() < 0.6:
        P["home"] = Place(jit(rng, pick(rng, CITY[c]["village"]), 700.0), spot=40.0)
    else:
        P["home"] = home_place(v, c, "res", 0.5)
    v.truth["underground_home"] = P["home"].under
    for i, ch in enumerate(CITY[c]["charger"]):
        P[f"c{i}"] = Place(jit(rng, ch, 150.0), spot=25.0)
    if CITY[c]["airport_lot"] is not None:
        P["airport"] = Place(CITY[c]["airport_lot"], spot=120.0)
    sf = car_spring_festival(v, [0.45, 0.55, 0.0] if not night else [0.3, 0.7, 0.0])
    off = [int(rng.integers(7)) for _ in range(days // 7 + 2)]
    tl = TL(rng, P, "home", WIN0, cons=0.21, soc=rng.uniform(60, 95))
    for d in range(days):
        if "leave" in sf and cny_car_day(v, tl, sf, d):
            continue
        if d % 7 == off[d // 7] or d == 16:
            continue
        if night:
            tl.stay(T(d, rng.uniform(16.5, 17.5)))
            end = T(d + 1, rng.uniform(3.2, 4.3))
        else:
            tl.stay(T(d, rng.uniform(6.5, 8.0)))
            end = T(d, rng.uniform(20.5, 22.5))
            lunch = T(d, rng.uniform(11.5, 13.0))
            hail_loop(v, tl, c, lunch)
            tl.stay(tl.t + rng.uniform(45, 75) * 60)
        hail_loop(v, tl, c, end)
        if tl.soc < 60:
            ci = min(range(len(CITY[c]["charger"])), key=lambda i: dist_m(CITY[c]["charger"][i], P["home"].p))
            tl.go(f"c{ci}", 35.0)
            tl.stay(tl.t + rng.uniform(50, 75) * 60, charge=(85.0, 95.0))
        tl.go("home", traffic_kmh(tl.t, 30.0))
    finish_sf(v, sf)
    return tl


# --- file 3 lives -----------------------------------------------------------------------------
def ebike_cny(v, p_home, close_rng, reopen_rng):
    rng = v.rng
    close = int(rng.integers(*close_rng))
    reopen = int(rng.integers(*reopen_rng))
    mode = "went_home" if rng.random() < p_home else "stayed"
    sf = dict(mode=mode, close=close, reopen=reopen, leave=close + int(rng.integers(0, 2)),
              ret=reopen - 1)
    return sf


def life_factory(v, dorm=True):
    rng, days = v.rng, v.days
    c = str(rng.choice(["DG", "SZ", "FS", "GZ"], p=[0.5, 0.28, 0.15, 0.07]))
    v.meta["city"] = c
    P = v.places
    fac = jit(rng, pick(rng, CITY[c]["factory"]), 1500.0)
    P["work"] = Place(fac, spot=8.0)
    if dorm:
        P["home"] = Place(jit(rng, fac, 900.0, 250.0), covered=True, spot=6.0, rng=rng)
    else:
        P["home"] = Place(jit(rng, fac, 4000.0, 1000.0), covered=bool(rng.random() < 0.5), spot=8.0, rng=rng)
    P["town"] = Place(jit(rng, fac, 3000.0, 800.0), spot=25.0)
    P["market"] = Place(jit(rng, fac, 2000.0, 500.0), spot=20.0)
    v.work_key = "work"
    rotating = dorm and rng.random() < 0.25
    v.truth["shift"] = "rotating_weekly" if rotating else "day"
    parity = int(rng.integers(2))
    sf = ebike_cny(v, 0.7, (4, 12), (24, 36))
    tl = TL(rng, P, "home", WIN0)
    kmh = rng.uniform(13, 18)
    for d in range(days):
        closed = sf["close"] <= d < sf["reopen"]
        if sf["mode"] == "went_home" and sf["leave"] <= d <= sf["ret"]:
            continue
        if closed or d % 7 == 6:
            if rng.random() < (0.6 if not closed else 0.5):
                tl.stay(T(d, rng.uniform(10.0, 15.0)))
                tl.go(str(rng.choice(["town", "market"])), kmh)
                tl.stay(tl.t + rng.uniform(1.0, 4.0) * 3600)
                tl.go("home", kmh)
            continue
        night = rotating and ((d // 7) + parity) % 2 == 1
        if night:
            tl.stay(T(d, rng.uniform(19.5, 19.8)))
            tl.go("work", kmh)
            tl.stay(T(d + 1, rng.uniform(8.05, 8.3)))
            tl.go("home", kmh)
        else:
            tl.stay(T(d, rng.uniform(7.45, 7.8)))
            tl.go("work", kmh)
            ot = d % 7 < 5 and rng.random() < 0.8
            tl.stay(T(d, rng.uniform(20.4, 21.0) if ot else rng.uniform(17.6, 18.0)))
            if rng.random() < 0.3:
                tl.go(str(rng.choice(["town", "market"])), kmh)
                tl.stay(tl.t + rng.uniform(0.7, 1.6) * 3600)
            tl.go("home", kmh)
    finish_ebike_sf(v, sf)
    return tl


def finish_ebike_sf(v, sf):
    out = dict(mode=sf["mode"],
               work_stopped=iso_local(T(sf["close"], 0)) if "close" in sf else None)
    if sf["mode"] == "went_home":
        out.update(away_from=iso_local(T(sf["leave"], 0)), back=iso_local(T(sf["ret"] + 1, 0)))
    v.truth["spring_festival"] = out
    v.sf_internal = sf


def life_rider(v):
    rng, days = v.rng, v.days
    c = str(rng.choice(["SZ", "GZ", "DG", "FS"], p=[0.4, 0.35, 0.15, 0.1]))
    v.meta["city"] = c
    P = v.places
    st = jit(rng, pick(rng, CITY[c]["mall"]), 300.0)
    P["work"] = Place(st, spot=35.0)
    P["home"] = Place(jit(rng, pick(rng, CITY[c]["village"]), 700.0), covered=bool(rng.random() < 0.5),
                      spot=8.0, rng=rng)
    P["swap"] = Place(jit(rng, st, 800.0, 300.0), spot=6.0)
    rest = [Place(jit(rng, st, 1300.0), spot=10.0) for _ in range(25)]
    for i, r in enumerate(rest):
        P[f"r{i}"] = r
    v.work_key = "work"
    late = rng.random() < 0.3
    sf = ebike_cny(v, 0.55, (8, 14), (22, 31))
    sf["close"] = sf["leave"]
    off = [int(rng.integers(7)) for _ in range(days // 7 + 2)]
    tl = TL(rng, P, "home", WIN0)
    kmh = rng.uniform(16, 20)

    def shift(end_t):
        swapped = False
        while tl.t < end_t:
            tl.stay(tl.t + rng.uniform(2, 14) * 60)
            ri = int(rng.integers(len(rest)))
            tl.go(f"r{ri}", kmh)
            tl.stay(tl.t + rng.uniform(3, 9) * 60)
            for _ in range(2 if rng.random() < 0.4 else 1):
                cust = Place(jit(rng, tl.fixpt, 3000.0, 400.0), spot=8.0)
                tl.go(None, kmh, dest=cust)
                tl.stay(tl.t + rng.uniform(2, 7) * 60)
            if not swapped and rng.random() < 0.3:
                tl.go("swap", kmh)
                tl.stay(tl.t + rng.uniform(2, 4) * 60)
                swapped = True
            if rng.random() < 0.35:
                tl.go("work", kmh)

    for d in range(days):
        if sf["mode"] == "went_home" and sf["leave"] <= d <= sf["ret"]:
            continue
        if d % 7 == off[d // 7] and rng.random() < 0.6:
            continue
        tl.stay(T(d, rng.uniform(9.6, 10.3)))
        tl.go("work", kmh)
        shift(T(d, rng.uniform(13.7, 14.2)))
        if rng.random() < 0.5:
            tl.go("work", kmh)
            tl.stay(T(d, rng.uniform(16.4, 16.8)))
        else:
            tl.go("home", kmh)
            tl.stay(T(d, rng.uniform(16.0, 16.4)))
            tl.go("work", kmh)
        shift(T(d, rng.uniform(23.0, 23.6) if late else rng.uniform(21.0, 21.6)))
        tl.go("home", kmh)
    finish_ebike_sf(v, sf)
    return tl


def life_courier(v):
    rng, days = v.rng, v.days
    c = str(rng.choice(["SZ", "GZ", "DG", "FS"], p=[0.45, 0.3, 0.15, 0.1]))
    v.meta["city"] = c
    P = v.places
    out = jit(rng, pick(rng, CITY[c]["res"] + CITY[c]["village"]), 1000.0)
    P["work"] = Place(out, covered=bool(rng.random() < 0.5), spot=10.0, rng=rng)
    P["home"] = Place(jit(rng, out, 3500.0, 800.0), covered=bool(rng.random() < 0.4), spot=8.0, rng=rng)
    comp = [Place(jit(rng, out, 1600.0, 200.0), spot=25.0) for _ in range(int(rng.integers(6, 10)))]
    for i, cp in enumerate(comp):
        P[f"c{i}"] = cp
    v.work_key = "work"
    sf = dict(mode="went_home", leave=int(rng.integers(9, 12)), ret=int(rng.integers(22, 26)))
    sf["close"] = sf["leave"]
    if rng.random() < 0.3:
        sf["mode"] = "stayed"
    tl = TL(rng, P, "home", WIN0)
    kmh = rng.uniform(12, 16)
    for d in range(days):
        if sf["mode"] == "went_home" and sf["leave"] <= d <= sf["ret"]:
            continue
        if sf["mode"] == "stayed" and d in (16, 17):
            continue
        tl.stay(T(d, rng.uniform(7.0, 7.5)))
        tl.go("work", kmh)
        tl.stay(tl.t + rng.uniform(1.5, 2.1) * 3600)
        for half, until in ((0, 12.0), (1, 18.5)):
            order = rng.permutation(len(comp))[: int(rng.integers(4, 8))]
            for ci in order:
                tl.go(f"c{ci}", kmh)
                tl.stay(tl.t + rng.uniform(10, 25) * 60)
            tl.go("work", kmh)
            tl.stay(max(tl.t + 20 * 60, T(d, until + (1.3 if half == 0 else 0.6))))
        tl.go("home", kmh)
    finish_ebike_sf(v, sf)
    return tl


def life_moto(v):
    rng, days = v.rng, v.days
    c = str(rng.choice(["DG", "FS"]))
    v.meta["city"] = c
    P = v.places
    room = jit(rng, pick(rng, CITY[c]["village"]), 800.0)
    P["home"] = Place(room, spot=10.0)
    P["work"] = Place(jit(rng, room, 5000.0, 1000.0), spot=8.0)
    v.work_key = "work"
    ht, route = pick_hometown(v, MOTO_HOMETOWNS)
    close = int(rng.integers(4, 9))
    leave = close + int(rng.integers(0, 2))
    ret = int(rng.integers(28, 34))
    tl = TL(rng, P, "home", WIN0)
    kmh = rng.uniform(32, 40)
    # Dongguan riders cross the river west to the G80 corridor entry first
    pre = [(22.95, 113.40)] if c == "DG" else []
    for d in range(days):
        if d < close:
            if d % 7 == 6:
                continue
            tl.stay(T(d, rng.uniform(7.4, 7.8)))
            tl.go("work", kmh)
            tl.stay(T(d, rng.uniform(20.3, 21.0)))
            tl.go("home", kmh)
        elif d == leave:
            tl.stay(T(d, rng.uniform(5.3, 6.8)))
            long_drive(tl, pre + route, "hometown", rng.uniform(42, 52), 110000.0, (20, 45),
                       overnight=True)
        elif leave < d < ret:
            hometown_days(v, tl, d, d + 1, kmh=35.0)
        elif d == ret:
            tl.stay(T(d, rng.uniform(5.3, 6.8)))
            long_drive(tl, route[::-1] + pre[::-1], "home", rng.uniform(42, 52), 110000.0, (20, 45),
                       overnight=True)
    v.truth["spring_festival"] = dict(mode="rode_home", town=ht[0],
                                      work_stopped=iso_local(T(close, 0)),
                                      away_from=iso_local(T(leave, 6)), back=iso_local(T(ret, 6)),
                                      hometown=[round(P["hometown"].lat, 6), round(P["hometown"].lon, 6)])
    return tl


LIFE = {
    "container_truck": life_container,
    "container_truck_relay": lambda v: life_container(v, relay=True),
    "delivery_van": life_van,
    "school_bus": life_school_bus,
    "muck_truck_night": life_muck,
    "taxi_double_shift": life_taxi,
    "office_996": life_office,
    "school_run": lambda v: life_office(v, school=True),
    "ride_hailing": life_ride,
    "ride_hailing_night": lambda v: life_ride(v, night=True),
    "factory_dorm": life_factory,
    "factory_village": lambda v: life_factory(v, dorm=False),
    "delivery_rider": life_rider,
    "courier_trike": life_courier,
    "motorbike_homecomer": life_moto,
}


# ---------------------------------------------------------------------------------------------
# sampling
_AR = np.arange(200000, dtype=float)


def move_samples(rng, e, dt, t_lo, t_hi, vmax=2.0):
    """Fixes along one move: times on the device's grid, positions along the path under a smooth
    random speed profile with stops (lights, jams) in town."""
    t0, t1 = e["t0"], e["t1"]
    Tm = t1 - t0
    a = t0 + rng.random() * dt
    if a < t_lo:
        a += math.ceil((t_lo - a) / dt) * dt
    b = t1 if t1 < t_hi else t_hi
    if b <= a:
        return None
    ts = np.arange(a, b, dt)
    if len(ts) == 0:
        return None
    m = min(max(4, int(Tm / 10.0)), 190000)
    cs = np.cumsum(rng.standard_normal(m + 7))
    sm = (cs[7:] - cs[:-7]) * (1.0 / 7.0)
    if e["mode"] == "hwy":
        s = np.maximum(1.0 + 0.6 * sm, 0.05)
        vmax = min(vmax, 1.4)
    else:
        s = np.maximum(1.0 + 1.6 * sm, 0.0) + 0.02
    for _ in range(3):
        s = np.minimum(s, vmax * s.mean())
    F = np.empty(m + 1)
    F[0] = 0.0
    np.cumsum(s, out=F[1:])
    F *= 1.0 / F[-1]
    um = (ts - t0) * (m / Tm)
    L = e["L"]
    dd = np.interp(um, _AR[: m + 1], F) * L
    path, cum = e["path"], e["cum"]
    lat = np.interp(dd, cum, path[:, 0])
    lon = np.interp(dd, cum, path[:, 1])
    idx = np.minimum(um.astype(np.int64), m - 1)
    spd = s[idx] * (L / Tm * 3.6 * m / F_sum(s))
    spd[spd < 1.0] = 0.0
    if len(cum) > 2:
        seg = np.minimum(np.searchsorted(cum, dd, side="right") - 1, len(cum) - 2)
        hd = e["brg"][seg]
    else:
        hd = np.full(len(ts), e["brg"][0])
    return ts, lat, lon, spd, hd, dd


def F_sum(s):
    return float(s.sum())


def add_noise(rng, lat, lon, sd):
    n = len(lat)
    c = np.cos(np.radians(lat))
    z = rng.standard_normal((2, n))
    return lat + z[0] * sd / M_PER_DEG, lon + z[1] * sd / (M_PER_DEG * c)


def grid(rng, a, b, dt):
    return np.arange(a + rng.random() * dt, b, dt)


def _collect(cols):
    """Concatenate, sort by time, and keep one row per whole second (stamps are to the second)."""
    out = {k: (np.concatenate(x) if x else np.zeros(0)) for k, x in cols.items()}
    o = np.argsort(out["t"], kind="stable")
    sec = np.floor(out["t"][o])
    keep = np.ones(len(o), bool)
    keep[1:] = sec[1:] > sec[:-1]
    o = o[keep]
    return {k: x[o] for k, x in out.items()}


def sample_a(v, tl, t_end, rng):
    """JT/T 808 rows (true WGS-84 + GNSS noise): t, lat, lon, spd, hd, acc, fix, odo, cold."""
    sleep = float(v.meta["sleep"])
    cols = {k: [] for k in ("t", "lat", "lon", "sd", "spd", "hd", "acc", "fix", "odo", "cold")}
    odo = v.meta["odo0"]
    prev_long = False
    for e in tl.ev:
        if e["t0"] >= t_end:
            break
        if e["k"] == "M":
            r = move_samples(rng, e, 30.0, WIN0, t_end, vmax=1.5)
            if r is not None:
                ts, lat, lon, spd, hd, dd = r
                n = len(ts)
                fix = np.ones(n, bool)
                cold = np.zeros(n, bool)
                if prev_long:
                    k = int(rng.choice([1, 1, 2, 3]))
                    fix[:k] = False
                    cold[:k] = True
                for key, x in (("t", ts), ("lat", lat), ("lon", lon), ("sd", np.full(n, 4.0)), ("spd", spd),
                               ("hd", hd), ("acc", np.ones(n, bool)), ("fix", fix),
                               ("odo", odo + dd / 1000.0),
                               ("cold", cold)):
                    cols[key].append(x)
            odo += e["L"] / 1000.0
            prev_long = False
            continue
        dur = e["t1"] - e["t0"]
        prev_long = dur > 7200
        t0, t1 = max(e["t0"], WIN0), min(e["t1"], t_end)
        if t1 <= t0:
            continue
        if dur <= 600 or e["on"]:
            ts = grid(rng, t0, t1, 30.0)
            acc = np.ones(len(ts), bool)
        else:
            t_on = grid(rng, t0, min(e["t0"] + 60.0, t1), 30.0) if e["t0"] + 60.0 > t0 else np.zeros(0)
            t_off = grid(rng, max(e["t0"] + 60.0, t0), t1, sleep)
            ts = np.concatenate([t_on, t_off])
            acc = np.concatenate([np.ones(len(t_on), bool), np.zeros(len(t_off), bool)])
        n = len(ts)
        if n:
            for key, x in (("t", ts), ("lat", np.full(n, e["pt"][0])), ("lon", np.full(n, e["pt"][1])),
                           ("sd", np.full(n, 3.0)), ("spd", np.zeros(n)),
                           ("hd", np.full(n, float(rng.integers(360)))),
                           ("acc", acc), ("fix", np.full(n, not e["covered"])), ("odo", np.full(n, odo)),
                           ("cold", np.zeros(n, bool))):
                cols[key].append(x)
    out = _collect(cols)
    out["lat"], out["lon"] = add_noise(rng, out["lat"], out["lon"], out["sd"])
    return out


def sample_b(v, tl, t_end, rng):
    """T-Box rows; invalid rows carry the last valid fix (forward filled after the noise)."""
    dt = float(v.meta["interval"])
    cols = {k: [] for k in ("t", "lat", "lon", "sd", "valid", "spd", "hd", "vs", "cs", "soc", "odo")}
    odo = v.meta["odo0"]
    for e in tl.ev:
        if e["t0"] >= t_end:
            break
        if e["k"] == "M":
            r = move_samples(rng, e, dt, WIN0, t_end, vmax=2.0)
            if r is not None:
                ts, lat, lon, spd, hd, dd = r
                n = len(ts)
                valid = np.ones(n, bool)
                if e["after_under"]:
                    # driving out of the underground car park: no fix until the top of the ramp
                    pre = ts[0] - dt * np.arange(int(math.ceil(50.0 / dt)), 0, -1)
                    pre = pre[pre >= WIN0]
                    k = len(pre)
                    if k:
                        ts = np.concatenate([pre, ts])
                        lat = np.concatenate([np.full(k, e["path"][0, 0]), lat])
                        lon = np.concatenate([np.full(k, e["path"][0, 1]), lon])
                        spd = np.concatenate([rng.uniform(3.0, 12.0, k), spd])
                        hd = np.concatenate([np.full(k, hd[0]), hd])
                        dd = np.concatenate([np.zeros(k), dd])
                        valid = np.concatenate([np.zeros(k, bool), valid])
                        n += k
                socv = e["soc0"] + (e["soc1"] - e["soc0"]) * dd / e["L"]
                for key, x in (("t", ts), ("lat", lat), ("lon", lon), ("sd", np.full(n, 5.0)),
                               ("valid", valid), ("spd", spd), ("hd", hd), ("vs", np.ones(n, np.int8)),
                               ("cs", np.full(n, 3, np.int8)),
                               ("soc", socv), ("odo", odo + dd / 1000.0)):
                    cols[key].append(x)
            odo += e["L"] / 1000.0
            continue
        t0, t1 = max(e["t0"], WIN0), min(e["t1"], t_end)
        if t1 <= t0:
            continue
        if e["on"]:
            ts = grid(rng, t0, t1, dt)
            vs, cs = 1, 3
            socv = np.full(len(ts), e["soc0"])
            done = False
        elif e.get("charged"):
            tc = min(e["tc"], t1)
            ts = grid(rng, t0, tc, dt) if tc > t0 else np.zeros(0)
            vs, cs = 2, 1
            span = max(e["tc"] - e["t0"], 1.0)
            socv = e["soc0"] + (e["soc1"] - e["soc0"]) * (ts - e["t0"]) / span
            done = e["tc"] < e["t1"] and e["soc1"] >= 89.5 and WIN0 <= e["tc"] < t_end
            if done:
                ts = np.append(ts, e["tc"] + 1.0)
                socv = np.append(socv, e["soc1"])
        else:
            continue
        n = len(ts)
        if not n:
            continue
        csv_ = np.full(n, cs, np.int8)
        if done:
            csv_[-1] = 4
        p = e["fix"] if e["under"] else e["pt"]
        for key, x in (("t", ts), ("lat", np.full(n, p[0])), ("lon", np.full(n, p[1])),
                       ("sd", np.full(n, 3.0)),
                       ("valid", np.full(n, not e["under"])), ("spd", np.zeros(n)),
                       ("hd", np.full(n, float(rng.integers(360)))), ("vs", np.full(n, vs, np.int8)),
                       ("cs", csv_),
                       ("soc", socv), ("odo", np.full(n, odo))):
            cols[key].append(x)
    out = _collect(cols)
    lat, lon = add_noise(rng, out["lat"], out["lon"], out["sd"])
    valid = out["valid"]
    if len(valid):
        src = np.where(valid, np.arange(len(valid)), -1)
        src = np.maximum.accumulate(src)
        ok = src >= 0
        lat[ok] = lat[src[ok]]
        lon[ok] = lon[src[ok]]
    out["lat"], out["lon"] = lat, lon
    return out


def sample_c(v, tl, t_end, rng):
    mdt = float(v.meta["interval"])
    sdt = 1800.0
    cols = {k: [] for k in ("t", "lat", "lon", "sd", "spd", "hd", "typ", "sat", "mov", "tlat", "tlon")}
    for e in tl.ev:
        if e["t0"] >= t_end:
            break
        if e["k"] == "M":
            r = move_samples(rng, e, mdt, WIN0, t_end, vmax=1.25)
            if r is None:
                continue
            ts, lat, lon, spd, hd, dd = r
            n = len(ts)
            for key, x in (("t", ts), ("lat", lat), ("lon", lon), ("sd", np.full(n, 5.0)), ("spd", spd),
                           ("hd", hd),
                           ("typ", np.zeros(n, np.int8)), ("sat", rng.integers(7, 15, n)),
                           ("mov", np.ones(n, bool)), ("tlat", lat), ("tlon", lon)):
                cols[key].append(x)
            continue
        t0, t1 = max(e["t0"], WIN0), min(e["t1"], t_end)
        if t1 <= t0:
            continue
        a = grid(rng, t0, min(e["t0"] + 180.0, t1), mdt) if e["t0"] + 180.0 > t0 else np.zeros(0)
        ts = np.concatenate([a, grid(rng, max(e["t0"] + 180.0, t0), t1, sdt)])
        n = len(ts)
        if not n:
            continue
        P = e["place"]
        pt = e["pt"]
        if e["covered"] and P.cells is not None:
            if P.wifi:
                lat, lon, sd = np.full(n, pt[0]), np.full(n, pt[1]), np.full(n, 40.0)
                typ = np.full(n, 2, np.int8)
            else:
                cl = np.array(P.cells)[rng.integers(0, len(P.cells), n)]
                lat, lon, sd = cl[:, 0].copy(), cl[:, 1].copy(), np.full(n, 25.0)
                typ = np.full(n, 1, np.int8)
            sat = np.zeros(n, np.int64)
        else:
            lat, lon, sd = np.full(n, pt[0]), np.full(n, pt[1]), np.full(n, 4.0)
            typ = np.zeros(n, np.int8)
            sat = rng.integers(5, 13, n)
        for key, x in (("t", ts), ("lat", lat), ("lon", lon), ("sd", sd), ("spd", np.zeros(n)),
                       ("hd", np.full(n, float(rng.integers(360)))), ("typ", typ), ("sat", sat),
                       ("mov", np.zeros(n, bool)), ("tlat", np.full(n, pt[0])), ("tlon", np.full(n, pt[1]))):
            cols[key].append(x)
    out = _collect(cols)
    out["lat"], out["lon"] = add_noise(rng, out["lat"], out["lon"], out["sd"])
    out["err"] = np.hypot((out["lat"] - out["tlat"]) * M_PER_DEG,
                          (out["lon"] - out["tlon"]) * M_PER_DEG * np.cos(np.radians(out["tlat"])))
    return out


# ---------------------------------------------------------------------------------------------
# formatting
def local_parts(ts):
    sec = np.floor(ts).astype(np.int64) + UTC8
    dd = (sec // 86400).astype("datetime64[D]")
    rem = sec % 86400
    Y = dd.astype("datetime64[Y]").astype(np.int64) + 1970
    Mo = dd.astype("datetime64[M]").astype(np.int64) % 12 + 1
    D = (dd - dd.astype("datetime64[M]")).astype(np.int64) + 1
    return Y, Mo, D, rem // 3600, rem % 3600 // 60, rem % 60


def write_pearl_fleet(folder, vehicles=120, days=28, seed=0) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    kinds = allocate_kinds(int(vehicles))
    t_end = T(int(days), 0.0)
    master = np.random.default_rng([int(seed), 0])
    order = master.permutation(len(kinds))        # which index gets which kind
    kinds = [kinds[i] for i in order]

    used_ids = set()
    fleet = []
    for i, kind in enumerate(kinds):
        rng = np.random.default_rng([int(seed), 1, i])
        v = V(i, kind, rng, int(days))
        v.tl = LIFE[kind](v)
        v.tl.stay(t_end + DAY)
        fleet.append(v)
        idrng = np.random.default_rng([int(seed), 2, i])
        assign_ids(v, idrng, used_ids)

    # ---- faults assignment (file 1 terminals)
    frng = np.random.default_rng([int(seed), 3])
    a_veh = [v for v in fleet if v.src == FILE_A]
    a_home = [v for v in a_veh if v.home_key is not None]
    gcj_n = max(1, int(round(len(a_veh) * 0.1))) if len(a_home) >= 2 else 0
    gcj_set = set(int(x) for x in frng.choice([v.idx for v in a_home], size=min(gcj_n, len(a_home)),
                                              replace=False)) if gcj_n else set()
    rest = [v.idx for v in a_veh if v.idx not in gcj_set]
    roll_n = max(1, int(round(len(a_veh) * 0.07))) if len(a_veh) >= 2 else 0
    roll_set = set(int(x) for x in frng.choice(rest, size=min(roll_n, len(rest)), replace=False)) \
        if roll_n and rest else set()
    for v in a_veh:
        v.gcj_fault = v.idx in gcj_set
        v.rollover = v.idx in roll_set
        if v.gcj_fault:
            v.meta["terminal_model"] = "DVR-808G"
        elif v.rollover:
            v.meta["terminal_model"] = "KM-808A"

    faults = dict(
        gps_week_rollover=dict(file=FILE_A, column="定位时间", vehicles=[], shift_days=-ROLLOVER_DAYS, rows=0,
                               terminal_model="KM-808A"),
        gcj02_terminal_in_wgs84_file=dict(file=FILE_A, vehicles=[], terminal_model="DVR-808G", rows=0),
        unlocated_zero_rows=dict(file=FILE_A, rows=0, cold_start_rows=0, covered_rows=0),
        resend_buffered=dict(file=FILE_A, episodes=0, rows_flagged=0, duplicate_rows=0),
        tbox_utc_backfill=dict(file=FILE_B,
                               partitions=[p for p in BACKFILL_DT if WIN0 <= _dt_start(p) < t_end],
                               shift_hours=8, rows=0),
        tracker_cell_fixes=dict(file=FILE_C, rows=0, min_error_m=None, median_error_m=None, max_error_m=None),
        tracker_gps_jumps=dict(file=FILE_C, rows=0, min_offset_m=None, max_offset_m=None),
    )

    # ---- file 1
    a_chunks = []
    for v in sorted(a_veh, key=lambda x: x.vid):
        srng = np.random.default_rng([int(seed), 4, v.idx])
        a_chunks.append(build_a(v, srng, t_end, faults))
    write_a(folder / FILE_A, a_chunks, days)

    # ---- file 2
    b_tabs = []
    for v in sorted([v for v in fleet if v.src == FILE_B], key=lambda x: x.vid):
        srng = np.random.default_rng([int(seed), 5, v.idx])
        b_tabs.append(build_b(v, srng, t_end))
    write_b(folder / FILE_B, b_tabs, faults)

    # ---- file 3
    c_chunks = []
    errs, jumps = [], []
    for v in sorted([v for v in fleet if v.src == FILE_C], key=lambda x: x.vid):
        srng = np.random.default_rng([int(seed), 6, v.idx])
        c_chunks.append(build_c(v, srng, t_end, errs, jumps))
    write_c(folder / FILE_C, c_chunks)
    if errs:
        e = np.concatenate(errs)
        faults["tracker_cell_fixes"].update(rows=int(len(e)), min_error_m=round(float(e.min()), 1),
                                            median_error_m=round(float(np.median(e)), 1),
                                            max_error_m=round(float(e.max()), 1))
    if jumps:
        j = np.concatenate(jumps)
        faults["tracker_gps_jumps"].update(rows=int(len(j)), min_offset_m=round(float(j.min()), 1),
                                           max_offset_m=round(float(j.max()), 1))

    # ---- truth
    truth_v = {}
    for v in fleet:
        tr = dict(v.truth)
        hk = v.home_key
        home = v.places[hk].p if hk else None
        sf_mode = (v.truth.get("spring_festival") or {}).get("mode")
        if v.kind == "motorbike_homecomer" or sf_mode == "drive_home":
            n_home, n_town = count_nights(v, t_end)
            tr["nights_at_residence"] = n_home
            tr["nights_at_hometown"] = n_town
            if n_town > n_home:
                tr["residence"] = [round(home[0], 6), round(home[1], 6)]
                home = v.places["hometown"].p
                v.home_override = "hometown"
        tr["home"] = [round(home[0], 6), round(home[1], 6)] if home else None
        wk = v.places[v.work_key].p if v.work_key else None
        tr["work"] = [round(wk[0], 6), round(wk[1], 6)] if wk else None
        tr["city"] = CITY[v.meta["city"]]["name"]
        if getattr(v, "offline_from", None) is not None:
            tr["tracker_offline_from"] = iso_local(v.offline_from)
        truth_v[v.vid] = tr

    labels, wrong = make_labels(fleet, truth_v, np.random.default_rng([int(seed), 7]))
    pd.DataFrame(labels, columns=["vehicle_id", "label", "lat", "lon"]).to_csv(
        folder / "labels.csv", index=False, lineterminator="\n", encoding="utf-8")
    write_vehicles(folder / "vehicles.csv", fleet)
    truth = dict(tz=TZ, window=dict(start=iso_local(WIN0), end=iso_local(t_end), days=int(days)),
                 datums={FILE_A: "WGS-84 (DVR-808G terminals: GCJ-02)", FILE_B: "GCJ-02", FILE_C: "BD-09",
                         "labels.csv": "GCJ-02", "truth.json": "WGS-84"},
                 vehicles={k: truth_v[k] for k in sorted(truth_v)}, wrong_labels=wrong, faults=faults)
    (folder / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n",
                                       encoding="utf-8")
    return folder


def _dt_start(p):
    return float(calendar.timegm((int(p[:4]), int(p[4:6]), int(p[6:]), 0, 0, 0))) - UTC8


def count_nights(v, t_end):
    """Rest places at 03:00 local (11:00 for night workers) on each day of the window."""
    rest_h = 11.0 if v.truth["night_worker"] else 3.0
    n_home = n_town = 0
    ev = [e for e in v.tl.ev if e["k"] == "S"]
    t0s = np.array([e["t0"] for e in ev])
    for d in range(1, v.days):
        t = T(d, rest_h)
        if t >= t_end:
            break
        i = int(np.searchsorted(t0s, t, side="right")) - 1
        if i < 0 or ev[i]["t1"] < t:
            continue
        if ev[i]["key"] == "home":
            n_home += 1
        elif ev[i]["key"] == "hometown":
            n_town += 1
    return n_home, n_town


def assign_ids(v, rng, used):
    k = v.kind
    c = v.meta["city"]
    m = v.meta
    while True:
        if v.src == FILE_A:
            if k in ("container_truck", "container_truck_relay"):
                pref = str(rng.choice(["粤B", "粤B", "粤S", "粤L", "湘D", "赣B"]))
                vid = make_plate(rng, pref, "std")
                m.update(plate_color="黄色", vehicle_type="重型半挂牵引车",
                         make_model=pick(rng, ["东风天龙KL", "解放J6P", "陕汽德龙X3000", "欧曼EST",
                                               "重汽豪沃T7H"]))
            elif k == "delivery_van":
                vid = make_plate(rng, CITY[c]["plate"], "nev_bev")
                m.update(plate_color="渐变绿色", vehicle_type="轻型厢式货车",
                         make_model=pick(rng, ["比亚迪T5", "开沃D10", "瑞驰EC35", "远程星享V"]))
            elif k == "school_bus":
                vid = make_plate(rng, "粤B", "std")
                m.update(plate_color="黄色", vehicle_type="大型专用校车", make_model="宇通ZK6669DX")
            elif k == "muck_truck_night":
                vid = make_plate(rng, "粤B", "std")
                m.update(plate_color="黄色", vehicle_type="重型自卸货车",
                         make_model=pick(rng, ["重汽豪沃TX", "陕汽德龙X3000", "比亚迪Q3"]))
            else:
                vid = make_plate(rng, "粤B", "nev_bev")
                m.update(plate_color="渐变绿色", vehicle_type="小型轿车", make_model="比亚迪e6")
            m["sim"] = "14" + "".join(str(int(rng.integers(10))) for _ in range(9))
            m.setdefault("terminal_model", pick(rng, ["BD-T660", "SJ-808S", "HX-G3", "YW-808B"]))
            m["sleep"] = int(rng.choice([300, 600, 1800]))
            m["interval"] = 30
            m["odo0"] = float(rng.uniform(20000, 420000)) if k != "taxi_double_shift" else float(
                rng.uniform(200000, 600000))
        elif v.src == FILE_B:
            vid = make_vin(rng, m["wmi"])
            m["plate"] = make_plate(rng, CITY[c]["plate"], "nev" if not m["bev"] else "nev_bev")
            if not m["bev"]:
                m["plate"] = m["plate"][:2] + "F" + m["plate"][3:]
            suv = "宋" in m["make_model"] or "G6" in m["make_model"]
            m["vehicle_type"] = "小型普通客车" if suv else "小型轿车"
            m["odo0"] = float(rng.uniform(3000, 60000)) if not k.startswith("ride") else float(
                rng.uniform(40000, 250000))
            m["terminal_model"] = "T-Box (GB/T 32960)"
        else:
            tac = "86" + "".join(str(int(rng.integers(10))) for _ in range(6))
            body = tac + "".join(str(int(rng.integers(10))) for _ in range(6))
            vid = body + luhn_digit(body)
            m["interval"] = int(rng.choice([10, 15]))
            m["terminal_model"] = pick(rng, ["GT-E05", "ZK-S1 4G", "BW-T3"])
            if k == "motorbike_homecomer":
                m.update(vehicle_type="普通二轮摩托车",
                         make_model=pick(rng, ["豪爵铃木UY125", "五羊本田WH125", "新大洲本田"]))
            elif k == "courier_trike":
                m.update(vehicle_type="电动三轮车", make_model=pick(rng, ["金彭快递车", "宗申快递三轮"]))
            else:
                m.update(vehicle_type=pick(rng, ["电动自行车", "电动自行车", "电动轻便摩托车"]),
                         make_model=pick(rng, ["雅迪", "爱玛", "台铃", "新日", "小牛"]))
            m["name"] = pick(rng, ["我的小电驴", "电动车", "上班车", "宝贝车", "小绿", "老婆的车", "跑单车",
                                   "阿强",
                                   "雅迪冠能", "新车"]) + str(int(rng.integers(1, 99)))
        if vid not in used:
            used.add(vid)
            v.vid = vid
            return


def _lines(fmt, cols):
    """One %-format per row (C-level), scalars baked into `fmt` by the caller."""
    return "".join([fmt % t for t in zip(*cols)])


def _pct(s):
    return str(s).replace("%", "%%")


def build_a(v, rng, t_end, faults):
    r = sample_a(v, v.tl, t_end, rng)
    n = len(r["t"])
    lat, lon = r["lat"], r["lon"]
    if v.gcj_fault:
        lat, lon = wgs_to_gcj(lat, lon)
        faults["gcj02_terminal_in_wgs84_file"]["vehicles"].append(v.vid)
        faults["gcj02_terminal_in_wgs84_file"]["rows"] += int(r["fix"].sum())
    fix = r["fix"]
    lat = np.where(fix, lat, 0.0)
    lon = np.where(fix, lon, 0.0)
    recv = r["t"] + rng.uniform(1.0, 4.0, n)
    resend = np.zeros(n, bool)
    # coverage gaps while driving: buffered rows uploaded after reconnecting (0x0704), some twice
    cand = np.flatnonzero(r["acc"] & (r["spd"] > 0))
    n_ep = int(rng.poisson(max(1.0, v.days * 0.2))) if len(cand) > 100 else 0
    dup_idx, dup_recv = [], []
    eps = 0
    for _ in range(n_ep):
        s0 = int(cand[int(rng.integers(len(cand)))])
        idx = np.arange(s0, min(s0 + int(rng.integers(6, 31)), n))
        brk = ~r["acc"][idx]
        brk[1:] |= np.diff(r["t"][idx]) > 45.0
        idx = idx[: int(np.argmax(brk)) if brk.any() else len(idx)]
        if len(idx) < 3 or resend[idx].any():
            continue
        t_rec = r["t"][idx[-1]] + rng.uniform(30, 120)
        resend[idx] = True
        recv[idx] = t_rec + 0.2 * np.arange(len(idx))
        eps += 1
        if rng.random() < 0.35:
            dup_idx.append(idx)
            dup_recv.append(t_rec + rng.uniform(300, 1800) + 0.2 * np.arange(len(idx)))
    faults["resend_buffered"]["episodes"] += eps
    fields = dict(t=r["t"], recv=recv, lat=lat, lon=lon, spd=np.where(fix, r["spd"], 0.0),
                  hd=np.where(fix, r["hd"], 0.0), acc=r["acc"], fix=fix,
                  odo=r["odo"], resend=resend, cold=r["cold"])
    if dup_idx:
        di = np.concatenate(dup_idx)
        fields = {k: np.concatenate([x, x[di]]) for k, x in fields.items()}
        fields["recv"][n:] = np.concatenate(dup_recv)
        faults["resend_buffered"]["duplicate_rows"] += int(len(di))
    faults["resend_buffered"]["rows_flagged"] += int(fields["resend"].sum())
    zero = ~fields["fix"]
    fz = faults["unlocated_zero_rows"]
    fz["rows"] += int(zero.sum())
    fz["cold_start_rows"] += int(fields["cold"].sum())
    fz["covered_rows"] += int(zero.sum() - fields["cold"].sum())
    o = np.argsort(fields["recv"], kind="stable")
    f = {k: x[o] for k, x in fields.items()}
    gps_t = f["t"] - (ROLLOVER_DAYS * DAY if v.rollover else 0.0)
    if v.rollover:
        faults["gps_week_rollover"]["vehicles"].append(v.vid)
        faults["gps_week_rollover"]["rows"] += int(len(gps_t))
    m = v.meta
    nn = len(gps_t)
    alt = np.where(f["fix"], np.round(12 + 80 * np.sqrt(np.clip(f["lat"] - 22.55, 0, 9))
                                      + rng.normal(0, 3, nn)), 0).astype(np.int64)
    ai = addr_index(f["lat"], f["lon"])
    ai[~f["fix"]] = len(ADDR)
    fmt = ("%d," + _pct(v.vid) + "," + _pct(m["plate_color"]) + "," + _pct(m["sim"])
           + ",%d/%d/%d %d:%02d:%02d,%d/%d/%d %d:%02d:%02d,%.6f,%.6f,%.1f,%d,%d,%s,%s,%s,%.1f,%s\r\n")
    cols = [None] + [x.tolist() for x in local_parts(gps_t)] + [x.tolist() for x in local_parts(f["recv"])]
    cols += [f["lon"].tolist(), f["lat"].tolist(), np.round(f["spd"], 1).tolist(),
             (np.round(f["hd"]).astype(np.int64) % 360).tolist(), alt.tolist(),
             _ACC[f["acc"].astype(np.int64)].tolist(), _FIX[f["fix"].astype(np.int64)].tolist(),
             _YN[f["resend"].astype(np.int64)].tolist(), np.round(f["odo"], 1).tolist(),
             _ADDR_PLUS[ai].tolist()]
    return fmt, cols, nn


_ACC = np.array(["关", "开"], dtype=object)
_FIX = np.array(["未定位", "定位"], dtype=object)
_YN = np.array(["否", "是"], dtype=object)
_ADDR_PLUS = np.array([a[0] for a in ADDR] + [""], dtype=object)


def addr_index(lat, lon):
    out = np.zeros(len(lat), np.int64)
    c = np.cos(np.radians(23.0))
    for i in range(0, len(lat), 50000):
        la = lat[i:i + 50000, None]
        lo = lon[i:i + 50000, None]
        d2 = (la - _ADDR_LAT[None, :]) ** 2 + ((lo - _ADDR_LON[None, :]) * c) ** 2
        out[i:i + 50000] = np.argmin(d2, axis=1)
    return out


A_COLS = ["序号", "车牌号", "车牌颜色", "终端手机号", "定位时间", "接收时间", "经度", "纬度", "速度(km/h)",
          "方向",
          "海拔(m)", "ACC", "定位状态", "补传", "里程(km)", "位置"]


def write_a(path, chunks, days):
    y, mo, d, h, mi, se = (int(x[0]) for x in local_parts(np.array([T(days, 0) - 1.0])))
    end = f"{y}/{mo}/{d} {h}:{mi:02d}:{se:02d}"
    title = f"车辆历史轨迹明细（查询时段：2025/1/13 0:00:00 至 {end}）" + "," * (len(A_COLS) - 1)
    with open(path, "wb") as fh:
        fh.write((title + "\r\n" + ",".join(A_COLS) + "\r\n").encode("gb18030"))
        k = 1
        for fmt, cols, n in chunks:
            if not n:
                continue
            cols[0] = range(k, k + n)
            k += n
            fh.write(_lines(fmt, cols).encode("gb18030"))


def build_b(v, rng, t_end):
    r = sample_b(v, v.tl, t_end, rng)
    glat, glon = wgs_to_gcj(r["lat"], r["lon"])
    loc_day = (np.floor(r["t"]).astype(np.int64) + UTC8) // 86400
    return dict(vid=v.vid, plate=v.meta["plate"], collect_time=np.floor(r["t"]).astype(np.int64) * 1000,
                lng=np.round(glon, 6), lat=np.round(glat, 6), gps_valid=r["valid"].astype(np.int8),
                speed=np.round(r["spd"], 1).astype(np.float32),
                direction=(np.round(r["hd"]) % 360).astype(np.int16),
                vehicle_state=r["vs"].astype(np.int8), charge_state=r["cs"].astype(np.int8),
                soc=np.clip(np.round(r["soc"]), 1, 100).astype(np.int8), odometer=np.round(r["odo"], 1),
                day=loc_day)


def write_b(path, tabs, faults):
    vins = [t["vid"] for t in tabs]
    plates = [t["plate"] for t in tabs]
    vi = np.concatenate([np.full(len(t["day"]), i, np.int32) for i, t in enumerate(tabs)]) if tabs \
        else np.zeros(0, np.int32)
    cols = {k: (np.concatenate([t[k] for t in tabs]) if tabs else np.zeros(0))
            for k in ("collect_time", "lng", "lat", "gps_valid", "speed", "direction", "vehicle_state",
                      "charge_state", "soc", "odometer", "day")}
    o = np.lexsort((cols["collect_time"], vi, cols["day"]))
    vi = vi[o]
    cols = {k: x[o] for k, x in cols.items()}
    days_u, inv = np.unique(cols.pop("day"), return_inverse=True)
    dstr = [str(x).replace("-", "") for x in days_u.astype("datetime64[D]")]
    bad = np.isin(np.array(dstr, dtype=object), list(BACKFILL_DT))[inv] if len(dstr) else np.zeros(0, bool)
    cols["collect_time"] = cols["collect_time"] + np.where(bad, UTC8 * 1000, 0)
    faults["tbox_utc_backfill"]["rows"] = int(bad.sum())
    schema = pa.schema([
        ("vin", pa.string()), ("plate_no", pa.string()), ("collect_time", pa.int64()), ("lng", pa.float64()),
        ("lat", pa.float64()), ("gps_valid", pa.int8()), ("speed", pa.float32()), ("direction", pa.int16()),
        ("vehicle_state", pa.int8()), ("charge_state", pa.int8()), ("soc", pa.int8()),
        ("odometer", pa.float64()),
        ("dt", pa.string()),
    ], metadata={"coord_sys": "GCJ02", "collect_time": "epoch milliseconds UTC",
                 "source": "GB/T 32960 realtime position, dwd layer"})

    def dec(idx, values):
        return pa.DictionaryArray.from_arrays(pa.array(idx, pa.int32()), pa.array(values, pa.string())) \
            .dictionary_decode()

    arrays = [dec(vi, vins), dec(vi, plates)]
    arrays += [pa.array(cols[c], type=schema.field(c).type) for c in schema.names[2:-1]]
    arrays.append(dec(inv.astype(np.int32), dstr))
    pq.write_table(pa.Table.from_arrays(arrays, schema=schema), path, compression="zstd",
                   row_group_size=500000)


def build_c(v, rng, t_end, errs, jumps):
    r = sample_c(v, v.tl, t_end, rng)
    sf = getattr(v, "sf_internal", None)
    v.offline_from = None
    if sf is not None and sf["mode"] == "went_home":
        back = T(sf["ret"] + 1, 0)
        dead = T(sf["leave"], 0) + rng.uniform(6, 14) * DAY
        if dead < min(back, t_end) and rng.random() < 0.45:
            keep = ~((r["t"] >= dead) & (r["t"] < back))
            r = {k: x[keep] for k, x in r.items()}
            v.offline_from = dead
    n = len(r["t"])
    lat, lon = r["lat"].copy(), r["lon"].copy()
    typ, sat = r["typ"], r["sat"].copy()
    mv = r["mov"]
    inner = np.zeros(n, bool)
    if n > 2:
        inner[1:-1] = mv[1:-1] & mv[:-2] & mv[2:]
    cand = np.flatnonzero(inner)
    nj = int(rng.binomial(len(cand), 0.0008)) if len(cand) else 0
    if nj:
        ji = np.unique(rng.choice(cand, size=nj, replace=False))
        ji = ji[np.concatenate(([True], np.diff(ji) > 2))]
        dist = rng.uniform(400, 3000, len(ji))
        ang = rng.uniform(0, 2 * np.pi, len(ji))
        lat[ji] += dist * np.cos(ang) / M_PER_DEG
        lon[ji] += dist * np.sin(ang) / (M_PER_DEG * np.cos(np.radians(lat[ji])))
        sat[ji] = rng.integers(3, 5, len(ji))
        jumps.append(dist)
    if (typ == 1).any():
        errs.append(r["err"][typ == 1])
    glat, glon = wgs_to_gcj(lat, lon)
    blat, blon = gcj_to_bd(glat, glon)
    lbs = typ > 0
    fmt = (_pct(v.vid) + "," + _pct(v.meta["name"])
           + ",%04d-%02d-%02d %02d:%02d:%02d,%.6f,%.6f,%.1f,%d,%s,%d,%s\r\n")
    cols = [x.tolist() for x in local_parts(r["t"])]
    cols += [blon.tolist(), blat.tolist(), np.round(np.where(lbs, 0.0, r["spd"]), 1).tolist(),
             (np.round(r["hd"]).astype(np.int64) % 360).tolist(), _TYP[typ.astype(np.int64)].tolist(),
             np.where(lbs, 0, sat).astype(np.int64).tolist(), _MOV[mv.astype(np.int64)].tolist()]
    return fmt, cols, n


_TYP = np.array(["卫星", "基站", "WIFI"], dtype=object)
_MOV = np.array(["静止", "行驶"], dtype=object)


def write_c(path, chunks):
    with open(path, "wb") as fh:
        head = ["设备号", "设备名称", "定位时间", "经度", "纬度", "速度(km/h)", "方向", "定位类型", "卫星数",
                "状态"]
        fh.write(("\ufeff" + ",".join(head) + "\r\n").encode("utf-8"))
        for fmt, cols, n in chunks:
            if n:
                fh.write(_lines(fmt, cols).encode("utf-8"))


def write_vehicles(path, fleet):
    rows = []
    for v in sorted(fleet, key=lambda x: x.vid):
        m = v.meta
        rows.append(dict(vehicle_id=v.vid, source_file=v.src,
                         plate_no=v.vid if v.src == FILE_A else m.get("plate", ""),
                         vehicle_type=m.get("vehicle_type", ""), make_model=m.get("make_model", ""),
                         terminal_model=m.get("terminal_model", ""), report_interval_s=m["interval"],
                         register_city=CITY[m["city"]]["name"]))
    pd.DataFrame(rows).to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def make_labels(fleet, truth_v, rng):
    ids = sorted(truth_v)
    chosen = [i for i in ids if rng.random() < 0.75]
    rows_truth = []
    for vid in chosen:
        tr = truth_v[vid]
        for lab in ("home", "work"):
            if tr[lab] is not None:
                rows_truth.append((vid, lab))
    where = {r: i for i, r in enumerate(rows_truth)}
    n_wrong = max(1, int(round(0.05 * len(rows_truth)))) if rows_truth else 0
    why = {}
    kinds = ["home_work_swapped", "registered_address_elsewhere", "geocoded_to_district_centroid",
             "left_in_wgs84"]
    k0 = int(rng.integers(4))
    for i in rng.permutation(len(rows_truth)):
        i = int(i)
        if len(why) >= n_wrong:
            break
        if i in why:
            continue
        vid, lab = rows_truth[i]
        tr = truth_v[vid]
        j = where.get((vid, "work" if lab == "home" else "home"))
        for step in range(4):                   # the kinds in turn, skipping one that cannot apply
            w = kinds[(k0 + step) % 4]
            if w == "home_work_swapped" and (j is None or j in why or dist_m(tr["home"], tr["work"]) < 500):
                continue
            if w == "registered_address_elsewhere" and lab != "home":
                continue
            break
        k0 = (k0 + step + 1) % 4
        why[i] = w
        if w == "home_work_swapped":
            why[j] = w
    out, wrong = [], []
    for i, (vid, lab) in enumerate(rows_truth):
        tr = truth_v[vid]
        p = tuple(tr[lab])
        q = jit(rng, p, 60.0, 15.0)              # an address geocoded a few tens of metres off
        w = why.get(i)
        if w == "home_work_swapped":
            q = jit(rng, tuple(tr["work" if lab == "home" else "home"]), 60.0, 15.0)
        elif w == "registered_address_elsewhere":
            ht = (tr.get("spring_festival") or {}).get("hometown")
            base = tuple(ht) if ht and dist_m(ht, p) > 5000 else jit(rng, p, 40000.0, 8000.0)
            q = jit(rng, base, 300.0)
        elif w == "geocoded_to_district_centroid":
            q = jit(rng, p, 4000.0, 1500.0)
        if w == "left_in_wgs84":
            la, lo = q
        else:
            la, lo = (float(x) for x in wgs_to_gcj(q[0], q[1]))
        if w is not None:
            tg = tuple(float(x) for x in wgs_to_gcj(p[0], p[1]))
            wrong.append(dict(vehicle_id=vid, label=lab, why=w, error_m=round(dist_m(tg, (la, lo)), 1)))
        out.append((vid, lab, round(la, 6), round(lo, 6)))
    return out, wrong


def main(argv=None):
    ap = argparse.ArgumentParser(description="Write the synthetic Pearl River Delta fleet 'pearl'.")
    ap.add_argument("out")
    ap.add_argument("--vehicles", type=int, default=120)
    ap.add_argument("--days", type=int, default=28)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    p = write_pearl_fleet(a.out, vehicles=a.vehicles, days=a.days, seed=a.seed)
    print(p)


if __name__ == "__main__":
    main()
