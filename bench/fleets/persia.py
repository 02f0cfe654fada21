"""Synthetic fleet "persia": 120 vehicles in Iran over the four weeks around Nowruz 1403.

Usage: ``python bench/fleets/persia.py OUT [--vehicles N] [--days D] [--seed S]`` or
``write_persia_fleet(folder, vehicles=120, days=28, seed=0)``. Same arguments, same bytes.

WINDOW AND CALENDAR
    Day 0 is Saturday 2024-03-09 = 1402/12/19 (Solar Hijri / Jalali; Iran's week runs Saturday to
    Friday), 00:00 Tehran time = 2024-03-08T20:30:00Z. With days=28 the last day is Friday
    2024-04-05 = 1403/01/17. Nowruz, 1 Farvardin 1403, is Wednesday 2024-03-20 (day 11).
    Iran keeps UTC+03:30 all year: daylight saving time was abolished in 2022 (IANA Asia/Tehran
    from tzdata 2022b on; an older tz database still applies +04:30 from 2024-03-21 00:00).
    The lives follow this calendar:
      - weekend = Friday; many private offices work Thursday mornings only, some not at all;
      - official holidays: 2024-03-19 (29 Esfand, oil nationalisation day; Esfand 1402 has 29
        days), 2024-03-20..23 (1-4 Farvardin, Nowruz), 2024-03-31 (12 Farvardin, Islamic
        Republic Day), 2024-04-01 (13 Farvardin, Sizdah Bedar: families picnic in parks);
      - 5-11 Farvardin (2024-03-24..30): schools shut, offices half empty (each office worker
        goes in on a given day with probability 0.2-0.45); the odd-even zone is suspended from
        1 to 13 Farvardin; Tehran empties (city driving ~45 % faster), the Caspian coast jams;
      - the last ten days of Esfand are the Nowruz shopping rush (bazaars open until 21:30-23:00);
      - Ramadan 1445 runs 2024-03-12..04-09: government offices close about 14:00;
      - schools: last day before Nowruz 2024-03-14, back 2024-04-02.

FILES (all at the top of the folder; each vehicle is in exactly one ping file)

1. ``rahyab_gozaresh_<first>_<last>.csv`` (for days=28: ``rahyab_gozaresh_14021219_14030117.csv``;
   the Jalali dates of the first and last day in Latin digits). Platform A, "Rahyab" (رهیاب), an
   Iranian fleet-tracking platform: its raw report ("گزارش") export, as its web panel downloads
   it for Excel. UTF-8 WITH byte-order mark, comma-separated, CRLF line ends, one header row,
   no quoting needed. Rows are grouped by vehicle and in time order within a vehicle (a vehicle
   whose tracker was replaced has the new device's rows after the old one's; see device_swap).
   Columns (header text exactly as below):
     ردیف              row number, 1..n (Latin digits)
     پلاک              VEHICLE ID = the number plate, e.g. "۱۲ ب ۳۴۵ ایران ۱۱": two digits, a
                       Persian letter, three digits, the word ایران, the two-digit province code,
                       single spaces, Persian digits U+06F0-U+06F9 and Persian yeh U+06CC.
                       Private cars use ب ج د س ص ط ق ل م ن و ه ی, lorries ع. The last
                       digit of the three-digit group decides the odd-even days.
     شناسه دستگاه      tracker IMEI, 15 Latin digits (keep as text)
     تاریخ             date, Jalali yyyy/mm/dd in Persian digits, e.g. ۱۴۰۲/۱۲/۱۹
     ساعت              time hh:mm:ss, 24-hour, Persian digits, whole seconds
                       -> تاریخ + ساعت is the LOCAL WALL CLOCK of Tehran, Asia/Tehran (+03:30),
                       written with no zone anywhere; truth.json therefore carries
                       "tz": "Asia/Tehran". Exception: the old-firmware trackers, see dst_old_tz.
     عرض جغرافیایی     latitude, WGS84 decimal degrees, 6 decimals, Latin digits, "." decimal point
     طول جغرافیایی     longitude, idem
     سرعت              speed, km/h, integer (0 when parked)
     جهت               heading, degrees clockwise from north, integer 0-359, 0 when parked
     وضعیت موتور       ignition: روشن (on, driving) / خاموش (off, parked)
     تعداد ماهواره     satellites used; 0 = no fix, the row repeats the last valid fix
   Devices (see vehicles.csv "device"): Concox GT06N, a record every 30 s with ignition on and a
   heartbeat (with its current fix) every 60 min with ignition off, no memory: what it cannot
   send is lost. Coban TK103B: 20 s / 30 min, keeps a buffer and re-sends it after a coverage
   gap. Heartbeats while parked mean every vehicle has at least one row an hour while powered.

2. ``traccar_positions_utc.parquet``. Platform B: a Traccar server hosted in Europe (the
   logistics company and the petrochemical contractor's cars), Teltonika devices, the
   positions table as exported. Sorted by uniqueid then fixtime. Columns:
     uniqueid    string, VEHICLE ID = device IMEI (15 digits)
     fixtime     timestamp[ms, tz=UTC], GNSS time of the fix  <- the time to use
     servertime  timestamp[ms, tz=UTC], when the server stored it (1-5 s later; later still
                 for re-sent duplicates)
     valid       bool, false = no GNSS fix (the row holds the last valid position)
     latitude, longitude  float64 WGS84 degrees (6 decimals)
     speed       float32, KNOTS (Traccar's unit; 1 kn = 1.852 km/h)
     course      float32, degrees, 0 when parked or invalid
     sat         int8, satellites
     ignition    bool
   Sampling: lorries (FMB125) every 60 s moving, cars (FMB920) every 30 s; both one record
   an hour with ignition off.

3. ``driver_app_positions.jsonl``. Platform C: an Android fleet app on the ride-hailing
   drivers' own phones (they drive for Snapp, Iran's ride-hailing service). UTF-8 JSON Lines,
   one object per line, keys in this order:
     phone   VEHICLE ID = the driver's mobile number in E.164, e.g. "+989121234567" (text: keep
             the "+")
     ts      ISO-8601 local time with milliseconds and the phone's UTC offset, e.g.
             "2024-03-09T07:12:03.512+03:30". The offset is part of the time: parse it.
     lat, lng  WGS84 degrees
     acc     horizontal accuracy, metres
     spd     speed, m/s
     brg     bearing, degrees, 0 when still
     prov    "gps" (moving), "fused" or "network" (indoors; network fixes err by tens of metres)
   The app logs 24/7: every 30 s while moving, every 10 min while still. Sorted by phone, time.

4. ``vehicles.csv``: UTF-8 (no BOM), comma, LF. vehicle_id, source_file, plate (Persian, as in
   the Rahyab file, for every vehicle), make_model, model_year, fuel (petrol, petrol/CNG =
   dual-fuel, diesel), province_of_registration, device (GT06N, TK103B, FMB125, FMB920,
   "Android phone"), firmware (device firmware, or the phone's Android version), device_imei
   (empty for phones). Read every column as text. Nothing in it names the kind of life.

5. ``labels.csv``: UTF-8, comma, LF: vehicle_id,label,lat,lon. label is "home" or "work". Each
   vehicle is chosen with probability 0.78; each chosen vehicle has one row per non-null truth place
   (lorries have none). Points are the truth plus 8-55 m (an analyst's address geocoding).
   About 5 % of the rows (at least one) are wrong on purpose, listed in truth "wrong_labels":
   either the vehicle's other place (home given as work or the reverse) or an address 2.5-9 km
   away. vehicle_id is spelled as in the ping files (Persian plate, IMEI, or "+98..." phone).

6. ``truth.json``: {"tz": "Asia/Tehran", "vehicles": {id: {...}}, "wrong_labels": [{vehicle_id,
   label}], "faults": {...}, "window": {...}, "files": {"A","B","C": file name}, "rows": {...}}.
   Per vehicle: home [lat, lon] (where it normally spends the night) or null, work [lat, lon]
   (where the car stands during the working day) or null, kind, city, platform, file, plate,
   and per kind: park_and_ride, plate_last_digit (odd_even_parker); route (karaj_commuter);
   shift_rotation, first_week_shift (ikco_shift); shift_cycle, cycle_day_at_start
   (petrochem_shift); style (snapp_*); nowruz_trip {dest, type villa|relatives, stay [lat, lon],
   depart_date, return_date, return_road} (nowruz_family); depot, port (lorry).

LIVES (count in a 120-vehicle fleet; real places, coordinates approximate; roads are the real
roads as straight segments through waypoints; town trips follow L-shaped street paths)
  office_tehran (18, A): homes in Tehran neighbourhoods (Tajrish, Pasdaran, Narmak, Tehranpars,
      Sadeghiyeh, Ekbatan, Nazi Abad...), offices in Vanak, Mirdamad, Jordan, Seyed Khandan,
      Haft-e Tir, Enghelab, Argentina, Pardis Technology Park... Saturday-Wednesday, leave home
      06:50-08:00, leave work 16:00-17:30 (government staff ~14:00 in Ramadan); Thursday a
      half day for some; Friday and holidays: relatives, parks, malls; Nowruz 1-4 Farvardin:
      two or three visits to relatives a day (did-o-bazdid); Sizdah Bedar picnic. home and work.
      The first office_tehran vehicle works at the ministries by Imam Khomeini Square.
  office_regional (12, A): the same life in Isfahan, Mashhad, Shiraz, Rasht and Sari.
  bazaar_merchant (10, A): Tehran Grand Bazaar (5; they all park in the same few streets),
      Isfahan, Mashhad (Bazaar Reza), Shiraz (Vakil), Rasht. Saturday-Thursday, arrive
      08:10-09:10, leave 18:30-19:50, Thursday at 14:00-16:30; until 21:30-23:00 in the
      pre-Nowruz rush; 29 Esfand open till mid-afternoon; closed 1-6 and 12-13 Farvardin,
      10:00-17:00 (and not every day) in between. work = where the car stands by the bazaar.
  karaj_commuter (11, A): home in Karaj (Gohardasht, Mehrshahr, Azimieh, Fardis...), office in
      Tehran, by the Tehran-Karaj freeway or the Special Road; leave 06:00-07:00.
  ikco_shift (10, A): Iran Khodro plant, km 14 of the Tehran-Karaj Special Road; homes in Karaj,
      Fardis or west Tehran. Weekly rotation 06-14 / 14-22 / 22-06 (the night shift sleeps at
      home by day), Saturday-Thursday; plant shut 2024-03-19..25, 03-31, 04-01. work = plant lot
      (shared by all of them).
  odd_even_parker (8, A): office inside Tehran's odd-even zone (box lat 35.660-35.745, lon
      51.375-51.470, approx.), home outside it. Plate's last digit even: may enter Saturday,
      Monday, Wednesday; odd: Sunday, Tuesday; Thursday free; rule suspended 1-13 Farvardin.
      On barred days the car is parked at truth "park_and_ride", just outside the zone on the
      way from home, and the driver walks or takes the metro. work = the office.
  nowruz_family (16, A): Tehran (or Karaj) families; before the trip an office commuter (65 %)
      or a homemaker's car (school runs until 2024-03-14, shopping; work null). Leave home on
      2024-03-18..22 (mostly 04:30-09:00) for 4-9 nights at a villa on the Caspian coast
      (Chalus, Nowshahr, Kelardasht, Salmanshahr, Ramsar by the Chalus road; Mahmudabad,
      Babolsar, Nur by the Haraz road) or at relatives in Sari (Firuzkuh road) or Rasht
      (Qazvin-Rasht freeway); 4-11 h on the road with one or two roadside stops; daily outings
      on the coast; back by 2024-03-31; 40 % of the families on the Chalus road (not
      Kelardasht) come back by the Haraz road (the Chalus road goes one-way north at peaks).
      home = the Tehran/Karaj home, never the villa.
  lorry (10, B): Tehran freight terminal <-> Shahid Rajaee port, Bandar Abbas, ~1 350 km via
      Qom, Kashan, Natanz, Ardestan, Na'in, Yazd, Anar, Sirjan, Hajiabad; 2.5-4 h stints, roadside
      breaks, nights at truck stops, 8-26 h queueing plus loading at the port, no departures
      2024-03-19..23. home null and work null (nights split between depot, road and port);
      truth depot and port given for reference.
  petrochem_shift (7, B): Shiraz Petrochemical near Marvdasht, homes in Shiraz or Marvdasht,
      12-hour continuous shifts (2 days 07-19, 2 nights 19-07, 4 off), holidays included.
  snapp_driver (14, C): Tehran (10) and Mashhad (4) ride-hailing drivers: day, evening or night
      sessions of chained passenger trips (pickup, drop-off mostly 2-15 km away, waits), lunch
      or iftar at home, one weekday off. home only (work null): no fixed place of work.
  snapp_parttime (4, C): office workers in Tehran who drive Snapp after work on ~60 % of their
      workdays and on half of the Fridays. home and work (the office).

FAULTS (all listed in truth "faults"; numbers are for the 120 x 28, seed 0 fleet)
  dst_old_tz: old tz rules. ~13 % of the Rahyab trackers (firmware GT06N_V2.1.8_2019 in
      vehicles.csv; truth faults.dst_old_tz.platform_a_devices) still apply Iran's pre-2022
      daylight saving: at 24:00 on 1 Farvardin 1403 (2024-03-21 00:00 +03:30 =
      2024-03-20T20:30:00Z) their clock jumps to 01:00, and from then on their تاریخ/ساعت are
      UTC+04:30 (one hour ahead): they have no row stamped 1403/01/02 00:00-00:59, and every
      stamp from 1403/01/02 01:00:00 on must be read as +04:30. A third of the phones
      (Android 8.1 with tzdata 2019c; phones_offset_0430) write "+04:30" from the same
      instant: wall clock one hour ahead, but the instant stays right if the offset is honoured
      (phone_rows_0430 rows).
  gps_spoofing (A): in episodes of 2-5 h on ~45 % of the days (episodes_local), every Rahyab
      fix within 1.6 km of the Pasteur district (35.6945, 51.4070; government quarter of central
      Tehran) is replaced by a spoofed one at Imam Khomeini Airport (35.4160, 51.1522) +-12 m,
      speed 0, 11-14 satellites (about 640 rows from ~25 vehicles; rows per vehicle).
  gps_jamming (B): within 25 km of the Natanz enrichment site (33.7244, 51.7272) every Traccar
      record has valid=false, sat=0, speed 0, course 0 and the last valid fix before the zone
      (about 5 000 rows; every lorry, each passage).
  platform_outage (A): one 2.5-4 h window starting 09:30-12:00 on one of days 3-8 with no
      Rahyab row at all (start/end local and Jalali in truth).
  tracker_unplugged (A): ~3.5 % of the Rahyab vehicles (at least one) go silent for 1.5-3.5
      days (power cut at a garage); intervals in truth.
  coverage_dead_zones (A): no mobile coverage on three mountain passes (Kandovan on the Chalus
      road, Polur-Vana on the Haraz road, Gaduk on the Firuzkuh road; centres and radii in
      truth): GT06N fixes there are lost (about 1 800 rows, counted per vehicle); the TK103B
      buffers them, so its rows are there, a fifth of them twice (re-sent).
  duplicates_a (A): rows repeated, identical in every column except ردیف (re-sent buffers and
      lost acknowledgements; ~0.35 % of the rows). duplicates_b (B): ~0.4 % of the fixes
      stored twice, same uniqueid and fixtime, a later servertime.
  device_swap (A): ~2 % of the Rahyab vehicles (at least one) get a new tracker mid-window:
      new IMEI, and the plate was re-registered on an Arabic keyboard, so from from_local on
      the پلاک column reads e.g. "١٢ ي ٣٤٥ ايران ١١" (Arabic-Indic digits U+0660-U+0669,
      Arabic yeh U+064A, also in ایران). Same car: map U+064A -> U+06CC and U+0660-9 ->
      U+06F0-9 to get the truth id. Rows under the alias are counted in truth.
  underground_garage (behaviour, listed): about a third of the Rahyab cars sleep in an
      underground car park; their heartbeats at home carry 0 satellites and the last fix taken
      on the ramp, 20-35 m from the home point, without any jitter. No other Rahyab row has 0
      satellites. Spoofed, jammed and duplicated rows are not flagged in the files.
  wrong labels: see labels.csv.
"""

from __future__ import annotations

import argparse
import json
import math
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

NAME = "persia"

# ----------------------------------------------------------------------------- time & calendar

START = date(2024, 3, 9)                       # Saturday, 19 Esfand 1402
LOCAL_OFFSET_S = 3 * 3600 + 30 * 60            # Asia/Tehran: +03:30 all year since 2022
T0_UTC = int(datetime(2024, 3, 8, 20, 30, tzinfo=timezone.utc).timestamp())  # START 00:00 local
DST_ONSET = 12 * 86400.0                       # 2024-03-21 00:00 +03:30 = 2024-03-20T20:30:00Z
DAY = 86400.0
HOUR = 3600.0

FA_DIGITS = "۰۱۲۳۴۵۶۷۸۹"                       # U+06F0..U+06F9, Extended Arabic-Indic (Persian)
AR_DIGITS = "٠١٢٣٤٥٦٧٨٩"                       # U+0660..U+0669, Arabic-Indic (Arabic keyboard)
_TO_FA = str.maketrans("0123456789", FA_DIGITS)
_TO_AR = str.maketrans("0123456789", AR_DIGITS)
FA_YEH, AR_YEH = "\u06cc", "\u064a"

# Solar Hijri (Jalali) arithmetic. Within the years 1300-1600 SH the official (astronomical)
# calendar coincides with the 33-year rule: year y is a leap year (Esfand has 30 days) when
# y mod 33 is one of these. 1 Farvardin 1354 was 21 March 1975.
_LEAP33 = frozenset((1, 5, 9, 13, 17, 22, 26, 30))
_ANCHOR_JY, _ANCHOR_ORD = 1354, date(1975, 3, 21).toordinal()


def jalali_is_leap(jy: int) -> bool:
    if not 1300 <= jy <= 1600:
        raise ValueError(f"Jalali year {jy} outside 1300-1600")
    return jy % 33 in _LEAP33


def _farvardin1(jy: int) -> int:
    """Proleptic Gregorian ordinal of 1 Farvardin of Jalali year jy."""
    o = _ANCHOR_ORD
    if jy >= _ANCHOR_JY:
        for y in range(_ANCHOR_JY, jy):
            o += 365 + jalali_is_leap(y)
    else:
        for y in range(jy, _ANCHOR_JY):
            o -= 365 + jalali_is_leap(y)
    return o


def jalali_month_length(jy: int, jm: int) -> int:
    if jm <= 6:
        return 31
    if jm <= 11:
        return 30
    return 30 if jalali_is_leap(jy) else 29


def jalali_to_gregorian(jy: int, jm: int, jd: int) -> date:
    if not 1 <= jm <= 12 or not 1 <= jd <= jalali_month_length(jy, jm):
        raise ValueError(f"no such Jalali date {jy}/{jm}/{jd}")
    doy = (jm - 1) * 31 if jm <= 7 else 186 + (jm - 7) * 30
    return date.fromordinal(_farvardin1(jy) + doy + jd - 1)


def gregorian_to_jalali(g: date) -> tuple[int, int, int]:
    o = g.toordinal()
    jy = g.year - 621
    if o < _farvardin1(jy):
        jy -= 1
    doy = o - _farvardin1(jy)
    if doy < 186:
        return jy, doy // 31 + 1, doy % 31 + 1
    return jy, (doy - 186) // 30 + 7, (doy - 186) % 30 + 1


def jalali_str(g: date, digits: str = "fa") -> str:
    jy, jm, jd = gregorian_to_jalali(g)
    s = f"{jy:04d}/{jm:02d}/{jd:02d}"
    return s.translate(_TO_FA) if digits == "fa" else s


# Official holidays inside the 2024 Nowruz window (besides every Friday).
HOLIDAYS = {
    date(2024, 3, 19): "29 Esfand 1402, oil nationalisation day",
    date(2024, 3, 20): "1 Farvardin 1403, Nowruz",
    date(2024, 3, 21): "2 Farvardin, Nowruz",
    date(2024, 3, 22): "3 Farvardin, Nowruz",
    date(2024, 3, 23): "4 Farvardin, Nowruz",
    date(2024, 3, 31): "12 Farvardin, Islamic Republic Day",
    date(2024, 4, 1): "13 Farvardin, Sizdah Bedar (Nature Day)",
}
NOWRUZ_FIRST, NOWRUZ_LAST = date(2024, 3, 20), date(2024, 4, 1)     # 1..13 Farvardin
SEMI_FIRST, SEMI_LAST = date(2024, 3, 24), date(2024, 3, 30)         # 5..11 Farvardin
RAMADAN_FIRST, RAMADAN_LAST = date(2024, 3, 12), date(2024, 4, 9)
SCHOOL_LAST, SCHOOL_RESUME = date(2024, 3, 14), date(2024, 4, 2)
IKCO_CLOSED = {date(2024, 3, 19) + timedelta(days=i) for i in range(7)} | {date(2024, 3, 31),
                                                                            date(2024, 4, 1)}
BAZAAR_CLOSED = {date(2024, 3, 20) + timedelta(days=i) for i in range(6)} | {date(2024, 3, 31),
                                                                             date(2024, 4, 1)}
LORRY_NO_DEPART = {date(2024, 3, 19) + timedelta(days=i) for i in range(5)}


class Day:
    __slots__ = ("d", "g", "wd", "official", "off", "nowruz_hol", "semi", "nowruz", "sizdah",
                 "ramadan", "school", "rush")

    def __init__(self, d: int):
        g = START + timedelta(days=d)
        self.d, self.g = d, g
        self.wd = (g.weekday() + 2) % 7                 # 0 = Saturday ... 6 = Friday
        self.official = g in HOLIDAYS
        self.off = self.official or self.wd == 6
        self.nowruz_hol = NOWRUZ_FIRST <= g <= date(2024, 3, 23)
        self.semi = SEMI_FIRST <= g <= SEMI_LAST
        self.nowruz = NOWRUZ_FIRST <= g <= NOWRUZ_LAST
        self.sizdah = g == date(2024, 4, 1)
        self.ramadan = RAMADAN_FIRST <= g <= RAMADAN_LAST
        self.school = (g <= SCHOOL_LAST or g >= SCHOOL_RESUME) and self.wd <= 4 and not self.official
        self.rush = g < NOWRUZ_FIRST


# ----------------------------------------------------------------------------- geometry

_M_DEG = 111_195.0


def _dist_m(lat1, lon1, lat2, lon2):
    x = (np.asarray(lon2) - lon1) * _M_DEG * np.cos(np.radians((np.asarray(lat1) + lat2) / 2))
    y = (np.asarray(lat2) - lat1) * _M_DEG
    return np.hypot(x, y)


def _off(p, north_m, east_m):
    return (p[0] + north_m / _M_DEG, p[1] + east_m / (_M_DEG * math.cos(math.radians(p[0]))))


def _bearing(lat1, lon1, lat2, lon2):
    x = (lon2 - lon1) * np.cos(np.radians((lat1 + lat2) / 2))
    y = lat2 - lat1
    return np.mod(np.degrees(np.arctan2(x, y)), 360.0)


# ----------------------------------------------------------------------------- places (real, approximate)

CITIES = {
    "tehran": dict(
        box=(35.63, 35.80, 51.27, 51.55), codes=(10, 11, 20, 22, 33, 44, 55, 66, 77, 88, 99),
        homes={"Tajrish": (35.8040, 51.4330), "Niavaran": (35.8130, 51.4700),
               "Pasdaran": (35.7700, 51.4720), "Shahrak-e Gharb": (35.7590, 51.3700),
               "Saadat Abad": (35.7800, 51.3650), "Punak": (35.7620, 51.3310),
               "Gisha": (35.7360, 51.3800), "Yusef Abad": (35.7310, 51.4060),
               "Narmak": (35.7450, 51.5030), "Tehranpars": (35.7370, 51.5430),
               "Sadeghiyeh": (35.7190, 51.3360), "Ekbatan": (35.7060, 51.3070),
               "Jannat Abad": (35.7540, 51.3050), "Pirouzi": (35.6930, 51.4720),
               "Nazi Abad": (35.6360, 51.4010), "Afsariyeh": (35.6500, 51.4900),
               "Nezam Abad": (35.7240, 51.4560), "Shahr-e Ziba": (35.7480, 51.2960)},
        offices={"Vanak": (35.7570, 51.4100), "Mirdamad": (35.7600, 51.4330),
                 "Jordan": (35.7700, 51.4180), "Seyed Khandan": (35.7420, 51.4470),
                 "Haft-e Tir": (35.7160, 51.4240), "Azadi (Sharif)": (35.7030, 51.3510),
                 "Argentina": (35.7380, 51.4160), "Shahrak-e Gharb offices": (35.7600, 51.3650),
                 "Mehrabad airport offices": (35.6950, 51.3200), "Pardis Technology Park": (35.7330, 51.8120),
                 "Enghelab": (35.7020, 51.3960), "Ferdowsi": (35.7010, 51.4180),
                 "Ministries (Imam Khomeini Sq)": (35.6865, 51.4195)},
        malls={"Iran Mall": (35.7555, 51.1965), "Palladium": (35.7970, 51.4130),
               "Kourosh": (35.7420, 51.3540), "Tandis": (35.8010, 51.4310),
               "Hyperstar Tehranpars": (35.7420, 51.5550), "Tirazheh": (35.7240, 51.3720)},
        parks={"Chitgar Forest Park": (35.7360, 51.2230), "Lavizan Forest Park": (35.7700, 51.5000),
               "Mellat Park": (35.7790, 51.4160), "Jamshidieh": (35.8150, 51.4580),
               "Sorkheh Hesar": (35.7250, 51.6000)},
    ),
    "karaj": dict(
        box=(35.72, 35.86, 50.90, 51.03), codes=(21, 30, 68, 78),
        homes={"Gohardasht": (35.8330, 50.9560), "Mehrshahr": (35.8150, 50.9200),
               "Azimieh": (35.8460, 50.9950), "Fardis": (35.7260, 50.9850),
               "Baghestan": (35.8050, 50.9460), "Karaj centre": (35.8360, 50.9700)},
        offices={"Karaj Taleghani": (35.8310, 50.9880), "Karaj governorate": (35.8250, 50.9760)},
        malls={"Karaj Mall": (35.8280, 50.9650)}, parks={"Karaj Chamran Park": (35.8450, 50.9850)},
    ),
    "isfahan": dict(
        box=(32.58, 32.72, 51.60, 51.74), codes=(13, 23, 43, 53, 67),
        homes={"Jolfa": (32.6370, 51.6620), "Khaneh Isfahan": (32.6890, 51.6320),
               "Mardavij": (32.6160, 51.6780), "Sepahan Shahr": (32.5800, 51.6520),
               "Baharestan Isfahan": (32.6980, 51.7080)},
        offices={"Chaharbagh": (32.6480, 51.6690), "Hasht Behesht": (32.6540, 51.6720),
                 "Isfahan Azadi Sq": (32.6380, 51.6500)},
        bazaar=(32.6610, 51.6790),
        malls={"Isfahan City Center": (32.6170, 51.6500)},
        parks={"Si-o-se Pol riverside": (32.6445, 51.6672), "Soffeh mountain park": (32.6100, 51.6600)},
    ),
    "mashhad": dict(
        box=(36.24, 36.37, 59.50, 59.68), codes=(12, 32, 36, 42, 74),
        homes={"Sajjad": (36.3210, 59.5710), "Ahmadabad": (36.3000, 59.5800),
               "Golshahr": (36.3010, 59.6600), "Vakil Abad": (36.3160, 59.5400),
               "Tollab": (36.2780, 59.6330)},
        offices={"Ahmadabad offices": (36.3040, 59.5920), "Ferdowsi University": (36.3120, 59.5300),
                 "Koohsangi": (36.2870, 59.5700)},
        bazaar=(36.2820, 59.6100),
        malls={"Kian Center": (36.3210, 59.5400), "Proma": (36.3230, 59.5430)},
        parks={"Vakil Abad Forest Park": (36.3300, 59.4950), "Koohsangi Park": (36.2830, 59.5770)},
    ),
    "shiraz": dict(
        box=(29.57, 29.70, 52.45, 52.62), codes=(63, 73, 83, 93),
        homes={"Maaliabad": (29.6370, 52.4950), "Zand": (29.6200, 52.5300),
               "Qasrodasht": (29.6290, 52.5000), "Sadra": (29.8050, 52.4950)},
        offices={"Zand Blvd offices": (29.6190, 52.5380), "Shiraz University": (29.6360, 52.5160)},
        bazaar=(29.6145, 52.5430),
        malls={"Khalij-e Fars mall": (29.5710, 52.6410)},
        parks={"Eram Garden": (29.6360, 52.5250), "Hafezieh": (29.6250, 52.5580)},
    ),
    "marvdasht": dict(
        box=(29.85, 29.89, 52.78, 52.83), codes=(63, 73, 83, 93),
        homes={"Marvdasht": (29.8740, 52.8030)}, offices={}, malls={}, parks={},
    ),
    "rasht": dict(
        box=(37.24, 37.32, 49.55, 49.64), codes=(46, 56, 76),
        homes={"Golsar": (37.2960, 49.5850), "Manzarieh": (37.2670, 49.6000),
               "Rasht Moallem": (37.2820, 49.6100)},
        offices={"Rasht Shahrdari Sq": (37.2775, 49.5880), "Golsar offices": (37.3010, 49.5980)},
        bazaar=(37.2760, 49.5830),
        malls={"Golsar mall": (37.3000, 49.5950)}, parks={"Saravan Forest Park": (37.1600, 49.6500)},
    ),
    "sari": dict(
        box=(36.54, 36.59, 53.02, 53.10), codes=(62, 72, 82, 92),
        homes={"Sari Farhang": (36.5700, 53.0500), "Sari east": (36.5550, 53.0800)},
        offices={"Sari Clock Square": (36.5650, 53.0590), "Mazandaran governorate": (36.5580, 53.0500)},
        malls={"Sari Hyperstar": (36.5800, 53.0700)}, parks={"Sari Mellat Park": (36.5600, 53.0700)},
    ),
}
TEHRAN_BAZAAR_PARKING = (35.6745, 51.4180)
IKCO_GATE = (35.7060, 51.1800)                 # Iran Khodro, km 14 Tehran-Karaj Special Road (approx.)
IKCO_LOT = (35.7085, 51.1790)
PETROCHEM_LOT = (29.8450, 52.7800)             # Shiraz Petrochemical Complex near Marvdasht (approx.)
TEHRAN_DEPOT = (35.6130, 51.3150)              # freight terminal, south-west Tehran (approx.)
PORT_GATE = (27.1300, 56.0900)                 # Shahid Rajaee port, Bandar Abbas
PORT_QUEUE = (27.1180, 56.0720)
PORT_TERMINAL = (27.1050, 56.0620)
IKA_AIRPORT = (35.4160, 51.1522)

# odd-even plate zone of central Tehran (طرح زوج و فرد; approximate box)
ODD_EVEN_BOX = (35.660, 35.745, 51.375, 51.470)
# planted faults' geography
SPOOF_CENTER, SPOOF_RADIUS_M = (35.6945, 51.4070), 1600.0     # Pasteur district, central Tehran
SPOOF_POINT = IKA_AIRPORT
JAM_CENTER, JAM_RADIUS_M = (33.7244, 51.7272), 25_000.0       # Natanz enrichment site
DEAD_ZONES = {  # no GSM coverage on mountain passes (circle centre, radius m)
    "Kandovan (Chalus road)": ((36.1500, 51.3100), 11_000.0),
    "Polur-Vana (Haraz road)": ((35.9300, 52.1100), 11_000.0),
    "Gaduk (Firuzkuh road)": ((35.9300, 52.9600), 9_000.0),
}

# roads: polylines with a class per segment
_SPEED = {"freeway": 88.0, "highway": 72.0, "mountain": 50.0, "coast": 42.0}
_LORRY_SPEED = {"freeway": 78.0, "highway": 66.0, "mountain": 44.0, "coast": 40.0}


def _road(pts, classes):
    pts = np.asarray(pts, float)
    if isinstance(classes, str):
        classes = [classes] * (len(pts) - 1)
    assert len(classes) == len(pts) - 1
    return pts, list(classes)


def _rev(road):
    return road[0][::-1].copy(), road[1][::-1]


def _join(*roads):
    pts, cls = [roads[0][0]], list(roads[0][1])
    for p, c in roads[1:]:
        if _dist_m(pts[-1][-1][0], pts[-1][-1][1], p[0][0], p[0][1]) < 1.0:
            pts.append(p[1:])
        else:
            pts.append(p)
            cls.append("highway")
        cls.extend(c)
    return np.vstack(pts), cls


AZADI = (35.6995, 51.3380)
KARAJ_KALAK = (35.8050, 51.0200)
R_FREEWAY = _road([AZADI, (35.7080, 51.2900), (35.7300, 51.2300), (35.7500, 51.1700),
                   (35.7750, 51.1000), KARAJ_KALAK], "freeway")                       # Tehran -> Karaj
R_SPECIAL = _road([AZADI, (35.6940, 51.2600), IKCO_GATE, (35.7150, 51.1100), (35.7300, 51.0400),
                   (35.7330, 51.0000)], "highway")                                     # Tehran -> Fardis
R_CHALUS = _road([(35.8400, 51.0050), (35.9550, 51.0900), (36.1050, 51.3150), (36.2300, 51.3000),
                  (36.4440, 51.2950), (36.5700, 51.3600), (36.6550, 51.4200)], "mountain")
R_TEHRAN_EAST = _road([(35.7400, 51.4900), (35.7400, 51.5600)], "highway")
R_HARAZ = _road([(35.7400, 51.5600), (35.7370, 51.9070), (35.8470, 52.0600), (35.9600, 52.1200),
                 (36.1500, 52.1900), (36.3200, 52.2900), (36.4700, 52.3500)],
                ["highway", "mountain", "mountain", "mountain", "mountain", "highway"])
R_FIRUZKUH = _road([(35.7400, 51.5600), (35.7370, 51.9070), (35.7180, 52.0650), (35.7570, 52.7700),
                    (35.9300, 52.9600), (36.1140, 53.0550), (36.2900, 52.8900), (36.4630, 52.8600),
                    (36.5630, 53.0600)],
                   ["highway", "highway", "highway", "mountain", "mountain", "mountain", "highway",
                    "highway"])
R_RASHT = _road([KARAJ_KALAK, (35.9300, 50.7500), (36.2700, 50.0000), (36.4800, 49.7200),
                 (36.7400, 49.4000), (36.8200, 49.4200), (37.0500, 49.5300), (37.2800, 49.5800)],
                ["freeway", "freeway", "freeway", "freeway", "mountain", "highway", "highway"])
R_COAST_W = _road([(36.6550, 51.4200), (36.6900, 51.2600), (36.7100, 51.1100), (36.8160, 50.8740),
                   (36.9200, 50.6500)], "coast")                                      # Chalus -> Ramsar
R_COAST_E = _road([(36.6550, 51.4200), (36.6490, 51.4960), (36.6000, 51.8000), (36.5720, 52.0100),
                   (36.6320, 52.2630), (36.7020, 52.6500)], "coast")                  # Chalus -> Babolsar
R_AMOL_MAHMUDABAD = _road([(36.4700, 52.3500), (36.6320, 52.2630)], "highway")
R_AMOL_BABOLSAR = _road([(36.4700, 52.3500), (36.5400, 52.6800), (36.7020, 52.6500)], "highway")
R_MARZ_KELARDASHT = _road([(36.4440, 51.2950), (36.5000, 51.1500)], "mountain")
R_SHIRAZ_PETRO = _road([(29.6280, 52.5600), (29.7000, 52.6500), (29.7700, 52.7200), (29.8300, 52.7700)],
                       "highway")
R_LORRY = _road([TEHRAN_DEPOT, (35.5300, 51.2900), (35.3700, 51.2400), (35.0000, 51.0100),
                 (34.6400, 50.8800), (34.3000, 51.1500), (33.9850, 51.4350), (33.8500, 51.5700),
                 (33.7350, 51.7000), (33.5120, 51.9160), (33.3800, 52.3700), (32.8600, 53.0870),
                 (32.4400, 53.6300), (32.2500, 54.0100), (31.9000, 54.3300), (31.4000, 54.8000),
                 (30.8700, 55.2700), (30.1000, 55.5000), (29.4500, 55.6800), (28.9000, 55.8000),
                 (28.3100, 55.9000), (27.7500, 56.1000), (27.4500, 56.1500), PORT_GATE],
                ["highway", "freeway", "freeway", "freeway", "freeway", "freeway", "highway",
                 "highway", "highway", "highway", "highway", "highway", "highway", "highway",
                 "highway", "highway", "highway", "highway", "highway", "mountain", "mountain",
                 "mountain", "highway"])

# Nowruz destinations: (name, kind, anchor point, outbound road from Tehran's edge, region)
TRIP_DESTS = {
    "Chalus": ("villa", (36.6550, 51.4200), "chalus"),
    "Nowshahr": ("villa", (36.6490, 51.4960), "chalus+coastE2"),
    "Kelardasht": ("villa", (36.5000, 51.1500), "chalus+kelardasht"),
    "Salmanshahr": ("villa", (36.7100, 51.1100), "chalus+coastW3"),
    "Ramsar": ("villa", (36.9200, 50.6500), "chalus+coastW"),
    "Mahmudabad": ("villa", (36.6320, 52.2630), "haraz+mahmudabad"),
    "Babolsar": ("villa", (36.7020, 52.6500), "haraz+babolsar"),
    "Nur": ("villa", (36.5720, 52.0100), "haraz+mahmudabad+coastWfromM"),
    "Sari": ("relatives", (36.5630, 53.0600), "firuzkuh"),
    "Rasht": ("relatives", (37.2800, 49.5800), "rasht"),
}
COAST_SPOTS = [(36.6600, 51.4300), (36.6500, 51.5100), (36.7000, 51.2500), (36.7150, 51.1200),
               (36.8200, 50.8800), (36.9250, 50.6400), (36.6350, 52.2700), (36.7050, 52.6600),
               (36.5780, 52.0200), (36.6000, 51.8000), (36.5050, 51.1400), (36.8050, 53.1050),
               (37.4720, 49.4620), (37.2780, 49.5880), (36.5650, 53.0590)]


def _trip_road(spec: str, from_karaj: bool = False):
    """Outbound polyline of a Nowruz trip from the edge of Tehran (Azadi or Tehran east) or of
    Karaj to the destination town."""
    parts = spec.split("+")
    first = parts[0]
    if first == "chalus":
        roads = [R_CHALUS] if from_karaj else [R_FREEWAY, R_CHALUS]
    elif first in ("haraz", "firuzkuh"):
        roads = ([_rev(R_FREEWAY)] if from_karaj else []) + [R_TEHRAN_EAST,
                                                             R_HARAZ if first == "haraz" else R_FIRUZKUH]
    else:
        roads = [R_RASHT] if from_karaj else [R_FREEWAY, R_RASHT]
    for p in parts[1:]:
        if p == "coastE2":
            roads.append(_road(R_COAST_E[0][:2], "coast"))
        elif p == "coastW3":
            roads.append(_road(R_COAST_W[0][:3], "coast"))
        elif p == "coastW":
            roads.append(R_COAST_W)
        elif p == "kelardasht":
            roads[-1] = _road(R_CHALUS[0][:5], "mountain")
            roads.append(R_MARZ_KELARDASHT)
        elif p == "mahmudabad":
            roads.append(R_AMOL_MAHMUDABAD)
        elif p == "babolsar":
            roads.append(R_AMOL_BABOLSAR)
        elif p == "coastWfromM":
            roads.append(_road([(36.6320, 52.2630), (36.5720, 52.0100)], "coast"))
        elif p == "toChalus":                       # Mahmudabad west along the coast to Chalus
            roads.append(_road(R_COAST_E[0][:5][::-1], "coast"))
    return _join(*roads)


# ----------------------------------------------------------------------------- itinerary

class Plan:
    """A vehicle's life as alternating stays and drives, in local seconds since START 00:00."""

    def __init__(self, pos, tag, t0=0.0):
        self.trips: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.stays: list[tuple[float, float, float, float, str]] = []
        self.t, self.pos, self.tag = float(t0), (float(pos[0]), float(pos[1])), tag

    def wait_until(self, t):
        if t > self.t:
            self.stays.append((self.t, t, self.pos[0], self.pos[1], self.tag))
            self.t = t

    def drive(self, pts, speeds, depart, tag):
        depart = max(float(depart), self.t + 45.0)
        pts = np.asarray(pts, float).copy()
        pts[0] = self.pos
        speeds = np.asarray(speeds, float)
        seg = _dist_m(pts[:-1, 0], pts[:-1, 1], pts[1:, 0], pts[1:, 1])
        keep = seg > 2.0
        if not keep.any():
            self.tag = tag
            return
        pts = np.vstack([pts[:1], pts[1:][keep]])
        seg, speeds = seg[keep], np.maximum(speeds[keep], 4.0)
        self.wait_until(depart)
        vt = depart + np.concatenate([[0.0], np.cumsum(seg / (speeds / 3.6))])
        self.trips.append((pts, vt, speeds))
        self.t, self.pos, self.tag = float(vt[-1]), (float(pts[-1, 0]), float(pts[-1, 1])), tag


def _city_route(rng, a, b):
    d = float(_dist_m(a[0], a[1], b[0], b[1]))
    if d < 350:
        return [a, b]
    c = (a[0], b[1]) if rng.random() < 0.5 else (b[0], a[1])
    j = 0.10 * d
    c = _off(c, rng.normal(0, j), rng.normal(0, j))
    if d > 5000:
        m1 = _off(((a[0] + c[0]) / 2, (a[1] + c[1]) / 2), rng.normal(0, 0.05 * d), rng.normal(0, 0.05 * d))
        m2 = _off(((c[0] + b[0]) / 2, (c[1] + b[1]) / 2), rng.normal(0, 0.05 * d), rng.normal(0, 0.05 * d))
        return [a, m1, c, m2, b]
    return [a, c, b]


def _city_speed(t, cal, city):
    d = min(max(int(t // DAY), 0), len(cal) - 1)
    h = (t % DAY) / HOUR
    if 6.5 <= h < 10:
        v = 22.0
    elif 10 <= h < 16:
        v = 27.0
    elif 16 <= h < 20.5:
        v = 20.0
    elif 20.5 <= h < 23.5:
        v = 32.0
    else:
        v = 42.0
    if city not in ("tehran", "karaj"):
        v *= 1.2
    if cal[d].nowruz and city in ("tehran", "karaj"):
        v *= 1.45
    if city == "coast" and cal[d].nowruz:
        v *= 0.65
    return v


class Ctx:
    """Everything a planner needs about one vehicle."""

    def __init__(self, rng, cal, city, home, work=None):
        self.rng, self.cal, self.city = rng, cal, city
        self.home, self.work = home, work
        self.plan = Plan(home, "home", -float(rng.uniform(0, 2 * HOUR)))    # parked since before the window
        self.extra: dict = {}
        self.relatives: list = []
        self.shops: list = []
        self.busy_until = -1

    def go(self, dest, depart, tag, road=None, jitter=9.0, city=None, road_factor=1.0):
        rng, plan = self.rng, self.plan
        depart = max(float(depart), plan.t + 45.0)
        spot = _off(dest, rng.normal(0, jitter), rng.normal(0, jitter))
        vc = _city_speed(depart, self.cal, city or self.city)
        if road is None:
            pts = _city_route(rng, plan.pos, spot)
            sp = vc * rng.lognormal(0, 0.22, len(pts) - 1)
        else:
            rp, rc = road
            a = _city_route(rng, plan.pos, tuple(rp[0]))
            b = _city_route(rng, tuple(rp[-1]), spot)
            pts = a + [tuple(p) for p in rp[1:]] + b[1:]
            sp = np.concatenate([vc * rng.lognormal(0, 0.22, len(a) - 1),
                                 np.array([_SPEED[c] for c in rc]) * road_factor
                                 * rng.lognormal(0, 0.08, len(rc)),
                                 vc * rng.lognormal(0, 0.22, len(b) - 1)])
        plan.drive(pts, sp, depart, tag)

    def near_home(self, lo=300, hi=1500):
        r, a = self.rng.uniform(lo, hi), self.rng.uniform(0, 2 * math.pi)
        return _off(self.home, r * math.cos(a), r * math.sin(a))


def _rand_in(rng, p, radius):
    r, a = radius * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
    return _off(p, r * math.cos(a), r * math.sin(a))


def _pick(rng, d: dict):
    keys = list(d)
    return d[keys[int(rng.integers(len(keys)))]]


def _h(d, hour):
    return d * DAY + hour * HOUR


# ---- shared day pieces

def _free_day(cx: Ctx, d: int):
    c, rng, plan = cx.cal[d], cx.rng, cx.plan
    if plan.t > _h(d, 20):
        return
    cd = CITIES[cx.city if cx.city in CITIES else "tehran"]
    parks = list(cd["parks"].values()) or [cx.near_home(1000, 3000)]
    malls = list(cd["malls"].values()) or [cx.near_home(800, 2500)]
    if c.sizdah:
        if rng.random() < 0.8:
            cx.go(parks[int(rng.integers(len(parks)))], _h(d, rng.uniform(9.5, 11.5)), "other", jitter=120)
            cx.go(cx.home, _h(d, rng.uniform(17.0, 19.5)), "home")
        return
    if c.nowruz_hol:
        n = int(rng.integers(2, 4))
        t = _h(d, rng.uniform(10.5, 12.5))
        for i in range(n):
            cx.go(cx.relatives[(d + i) % len(cx.relatives)], t, "other")
            t = plan.t + rng.uniform(1.0, 2.5) * HOUR
        cx.go(cx.home, t, "home")
        return
    if rng.random() < 0.55:
        u = rng.random()
        dest = (cx.relatives[int(rng.integers(len(cx.relatives)))] if u < 0.45 else
                parks[int(rng.integers(len(parks)))] if u < 0.7 else malls[int(rng.integers(len(malls)))])
        cx.go(dest, _h(d, rng.uniform(10.0, 17.0)), "other", jitter=25)
        cx.go(cx.home, plan.t + rng.uniform(1.5, 4.5) * HOUR, "home")
    if rng.random() < 0.25 and plan.t < _h(d, 20.5):
        dest = (cx.relatives[int(rng.integers(len(cx.relatives)))] if rng.random() < 0.5
                else cx.near_home(600, 3000))
        cx.go(dest, max(_h(d, rng.uniform(19.5, 21.0)), plan.t + 1800), "other")
        cx.go(cx.home, plan.t + rng.uniform(1.3, 2.6) * HOUR, "home")


def _evening(cx: Ctx, d: int):
    rng, plan = cx.rng, cx.plan
    if plan.t > _h(d, 21.5):
        return
    u = rng.random()
    if u < 0.3:
        shop = cx.shops[int(rng.integers(len(cx.shops)))]
        cx.go(shop, plan.t + rng.uniform(0.5, 2.0) * HOUR, "other", jitter=20)
        cx.go(cx.home, plan.t + rng.uniform(0.3, 0.9) * HOUR, "home")
    elif u < 0.42 or (cx.cal[d].rush and u < 0.6):
        dest = (cx.relatives[int(rng.integers(len(cx.relatives)))] if rng.random() < 0.6
                else cx.near_home(800, 4000))
        cx.go(dest, max(_h(d, rng.uniform(19.5, 20.8)), plan.t + 1800), "other")
        cx.go(cx.home, plan.t + rng.uniform(1.3, 2.8) * HOUR, "home")


def _commute(cx: Ctx, d, dest, tag, leave_h, end_h, road_out=None, road_back=None):
    cx.go(dest, _h(d, leave_h), tag, road=road_out, jitter=12)
    cx.go(cx.home, max(_h(d, end_h), cx.plan.t + 1800), "home", road=road_back)


# ---- kinds

def _office_params(cx: Ctx, leave=(6.8, 8.0), end=(16.0, 17.5)):
    rng = cx.rng
    cx.leave_h = rng.uniform(*leave)
    cx.end_h = rng.uniform(*end)
    cx.gov = rng.random() < 0.45
    cx.p_thu = rng.uniform(0.15, 0.6)
    cx.p_semi = rng.uniform(0.2, 0.45)


def _office_day(cx: Ctx, d, dest=None, tag="work", road_out=None, road_back=None):
    c, rng = cx.cal[d], cx.rng
    dest = cx.work if dest is None else dest
    if c.off or (c.semi and rng.random() > cx.p_semi):
        return _free_day(cx, d)
    if c.wd == 5:
        if c.nowruz or rng.random() > cx.p_thu:
            return _free_day(cx, d)
        _commute(cx, d, dest, tag, cx.leave_h + 0.4 + rng.normal(0, 0.1), rng.uniform(12.5, 13.6),
                 road_out, road_back)
        return _evening(cx, d)
    end = cx.end_h + rng.normal(0, 0.25)
    if c.ramadan and cx.gov:
        end = rng.uniform(13.7, 14.6)
    _commute(cx, d, dest, tag, cx.leave_h + rng.normal(0, 0.12), end, road_out, road_back)
    _evening(cx, d)


def _homemaker_day(cx: Ctx, d):
    c, rng, plan = cx.cal[d], cx.rng, cx.plan
    if c.off or c.nowruz:
        return _free_day(cx, d)
    if c.school:
        cx.go(cx.school, _h(d, rng.uniform(7.0, 7.3)), "other", jitter=15)
        cx.go(cx.home, plan.t + rng.uniform(0.05, 0.25) * HOUR, "home")
    if rng.random() < (0.65 if c.rush else 0.4):
        cd = CITIES[cx.city]
        dest = _pick(rng, cd["malls"]) if rng.random() < 0.4 else cx.shops[int(rng.integers(len(cx.shops)))]
        cx.go(dest, _h(d, rng.uniform(9.5, 10.8)), "other", jitter=20)
        cx.go(cx.home, plan.t + rng.uniform(0.6, 1.8) * HOUR, "home")
    if c.school:
        cx.go(cx.school, _h(d, rng.uniform(12.4, 13.4)), "other", jitter=15)
        cx.go(cx.home, plan.t + rng.uniform(0.1, 0.3) * HOUR, "home")
    _evening(cx, d)


def _plan_office(cx: Ctx, days: int):
    for d in range(days):
        if cx.plan.t < _h(d, 23):
            _office_day(cx, d)


def _plan_karaj(cx: Ctx, days: int):
    road_out = R_FREEWAY if cx.extra["route"] == "freeway" else R_SPECIAL
    road_out = _rev(road_out)                                  # Karaj -> Tehran
    road_back = _rev(road_out)
    for d in range(days):
        if cx.plan.t < _h(d, 23):
            _office_day(cx, d, road_out=road_out, road_back=road_back)


def _pnr_spot(work, home):
    """Where an odd-even driver parks: just outside the zone on the way from home."""
    lat0, lat1, lon0, lon1 = ODD_EVEN_BOX
    p = np.array(work, float)
    q = np.array(home, float)
    for f in np.linspace(0, 1, 400):
        x = p + (q - p) * f
        if not (lat0 <= x[0] <= lat1 and lon0 <= x[1] <= lon1):
            v = (q - p) / max(np.linalg.norm(q - p), 1e-9)
            x = x + v * 0.004
            return float(x[0]), float(x[1])
    return tuple(home)


def _odd_even_allowed(c: Day, last_digit: int) -> bool:
    if c.wd >= 5 or c.nowruz:
        return True
    even = last_digit % 2 == 0
    return (c.wd in (0, 2, 4)) == even


def _plan_odd_even(cx: Ctx, days: int):
    for d in range(days):
        if cx.plan.t >= _h(d, 23):
            continue
        c = cx.cal[d]
        if _odd_even_allowed(c, cx.extra["plate_last_digit"]):
            _office_day(cx, d)
        else:
            _office_day(cx, d, dest=cx.extra["pnr"], tag="pnr")


def _plan_bazaar(cx: Ctx, days: int):
    rng = cx.rng
    open_h = rng.uniform(8.2, 9.2)
    close_h = rng.uniform(18.5, 19.8)
    for d in range(days):
        c = cx.cal[d]
        if cx.plan.t >= _h(d, 23):
            continue
        if c.wd == 6 or c.g in BAZAAR_CLOSED or (c.official and c.g != date(2024, 3, 19)):
            _free_day(cx, d)
            continue
        if c.g == date(2024, 3, 19):
            o, e = rng.uniform(8.5, 9.5), rng.uniform(14.5, 16.0)
        elif c.rush:
            o = open_h + rng.normal(0, 0.1)
            e = rng.uniform(14.0, 16.5) if c.wd == 5 else rng.uniform(21.5, 23.0)
        elif c.nowruz:
            if rng.random() < 0.3:
                _free_day(cx, d)
                continue
            o, e = rng.uniform(9.8, 10.8), rng.uniform(16.5, 17.5)
        else:
            o = open_h + rng.normal(0, 0.1)
            e = rng.uniform(14.0, 16.5) if c.wd == 5 else close_h + rng.normal(0, 0.25)
        _commute(cx, d, cx.work, "work", o, e)
        if e < 20:
            _evening(cx, d)


def _plan_ikco(cx: Ctx, days: int):
    rng = cx.rng
    phase = cx.extra["shift_phase"]
    road = cx.extra.get("road")
    back = _rev(road) if road is not None else None
    for d in range(days):
        c = cx.cal[d]
        if cx.plan.t >= _h(d, 23.5):
            continue
        works = c.wd != 6 and c.g not in IKCO_CLOSED
        shift = (phase + d // 7) % 3
        if not works:
            _free_day(cx, d)
            continue
        if shift == 0:
            cx.go(cx.work, _h(d, rng.uniform(5.0, 5.2)), "work", road=road, jitter=40)
            cx.go(cx.home, _h(d, rng.uniform(14.05, 14.35)), "home", road=back)
            _evening(cx, d)
        elif shift == 1:
            if rng.random() < 0.3:
                cx.go(cx.shops[0], _h(d, rng.uniform(9.3, 10.5)), "other", jitter=20)
                cx.go(cx.home, cx.plan.t + rng.uniform(0.4, 1.0) * HOUR, "home")
            cx.go(cx.work, _h(d, rng.uniform(12.9, 13.1)), "work", road=road, jitter=40)
            cx.go(cx.home, _h(d, rng.uniform(22.05, 22.35)), "home", road=back)
        else:
            if rng.random() < 0.3:
                cx.go(cx.shops[-1], _h(d, rng.uniform(16.0, 17.5)), "other", jitter=20)
                cx.go(cx.home, cx.plan.t + rng.uniform(0.4, 1.0) * HOUR, "home")
            cx.go(cx.work, _h(d, rng.uniform(20.9, 21.1)), "work", road=road, jitter=40)
            cx.go(cx.home, _h(d + 1, rng.uniform(6.05, 6.35)), "home", road=back)


def _plan_petrochem(cx: Ctx, days: int):
    rng = cx.rng
    phase = cx.extra["cycle_phase"]
    road = cx.extra.get("road")
    back = _rev(road) if road is not None else None
    for d in range(days):
        k = (d + phase) % 8
        if cx.plan.t >= _h(d, 23.5):
            continue
        if k in (0, 1):
            cx.go(cx.work, _h(d, rng.uniform(5.9, 6.1)), "work", road=road, jitter=40)
            cx.go(cx.home, _h(d, rng.uniform(19.05, 19.4)), "home", road=back)
        elif k in (2, 3):
            if k == 2 and rng.random() < 0.4:
                cx.go(cx.shops[0], _h(d, rng.uniform(10.0, 12.0)), "other", jitter=20)
                cx.go(cx.home, cx.plan.t + rng.uniform(0.5, 1.5) * HOUR, "home")
            cx.go(cx.work, _h(d, rng.uniform(17.9, 18.1)), "work", road=road, jitter=40)
            cx.go(cx.home, _h(d + 1, rng.uniform(7.05, 7.4)), "home", road=back)
        else:
            _free_day(cx, d)


def _plan_family(cx: Ctx, days: int):
    trip = cx.extra["trip"]
    dep_day, ret_day = trip["depart_day"], trip["return_day"]
    for d in range(days):
        if cx.plan.t >= _h(d, 23) or d <= cx.busy_until:
            continue
        if d == dep_day:
            _nowruz_trip(cx, d, days)
            continue
        if cx.work is not None and d != ret_day:
            _office_day(cx, d)
        elif d != ret_day:
            _homemaker_day(cx, d)


def _nowruz_trip(cx: Ctx, d0: int, days: int):
    rng, plan, trip = cx.rng, cx.plan, cx.extra["trip"]
    name = trip["dest"]
    kind, anchor, spec = TRIP_DESTS[name]
    stay_pt = tuple(trip["stay"])
    from_karaj = cx.city == "karaj"
    road_pts, road_cls = _trip_road(spec, from_karaj)
    jam = rng.uniform(0.45, 0.75)              # Nowruz traffic on the passes and the coast
    f_out = np.array([jam if c in ("mountain", "coast") else 0.8 for c in road_cls])
    # outbound: the whole road with one or two roadside breaks (tea, kebab)
    t = _h(d0, trip["depart_hour"])
    cut = sorted(rng.choice(np.arange(2, len(road_pts) - 1), size=min(2, len(road_pts) - 3), replace=False))
    legs = np.split(np.arange(len(road_pts)), cut)
    cx.go(tuple(road_pts[0]), t, "road")
    prev = legs[0][0]
    for li, leg in enumerate(legs):
        idx = np.arange(prev, leg[-1] + 1)
        if len(idx) >= 2:
            sp = (np.array([_SPEED[road_cls[i]] for i in idx[:-1]]) * f_out[idx[:-1]]
                  * rng.lognormal(0, 0.1, len(idx) - 1))
            plan.drive(road_pts[idx], sp, plan.t + 45, "road")
            if li < len(legs) - 1:
                plan.wait_until(plan.t + rng.uniform(0.33, 0.8) * HOUR)
        prev = leg[-1]
    cx.go(stay_pt, plan.t + 60, "villa", city="coast", jitter=6)
    # days at the destination
    ret = trip["return_day"]
    day_spots = [p for p in COAST_SPOTS if _dist_m(p[0], p[1], stay_pt[0], stay_pt[1]) < 45_000] or [anchor]
    eve_spots = [p for p in COAST_SPOTS if _dist_m(p[0], p[1], stay_pt[0], stay_pt[1]) < 12_000] or [anchor]
    for d in range(d0, min(ret, days + 1)):
        if d > d0 and rng.random() < 0.85:                     # beach, bazaar, a day out
            cx.go(_rand_in(rng, day_spots[int(rng.integers(len(day_spots)))], 1500),
                  _h(d, rng.uniform(10.0, 11.5)), "other", city="coast", jitter=20)
            cx.go(stay_pt, plan.t + rng.uniform(1.5, 4.0) * HOUR, "villa", city="coast", jitter=6)
        if rng.random() < 0.8 and plan.t < _h(d, 19.5):          # dinner, the seafront
            cx.go(_rand_in(rng, eve_spots[int(rng.integers(len(eve_spots)))], 2000),
                  max(_h(d, rng.uniform(17.5, 19.5)), plan.t + 1800), "other", city="coast", jitter=20)
            cx.go(stay_pt, plan.t + rng.uniform(1.5, 3.0) * HOUR, "villa", city="coast", jitter=6)
    # return, possibly by another road (the Chalus road is one-way northbound on peak days)
    spec_back = spec
    if spec.startswith("chalus") and "kelardasht" not in spec and rng.random() < 0.4:
        spec_back = "haraz+mahmudabad+toChalus" + ("+" + spec.split("+")[1] if "coastW" in spec else "")
        trip["return_road"] = "haraz"
    else:
        trip["return_road"] = spec.split("+")[0]
    bpts, bcls = _trip_road(spec_back, from_karaj)
    bpts, bcls = bpts[::-1].copy(), bcls[::-1]
    cx.go(tuple(bpts[0]), _h(ret, trip["return_hour"]), "road", city="coast")
    mid = len(bpts) // 2
    fb = np.array([jam if c in ("mountain", "coast") else 0.85 for c in bcls])
    for idx in (np.arange(0, mid + 1), np.arange(mid, len(bpts))):
        sp = (np.array([_SPEED[bcls[i]] for i in idx[:-1]]) * fb[idx[:-1]]
              * rng.lognormal(0, 0.1, len(idx) - 1))
        plan.drive(bpts[idx], sp, plan.t + 45, "road")
        if idx[0] == 0:
            plan.wait_until(plan.t + rng.uniform(0.3, 0.7) * HOUR)
    cx.go(cx.home, plan.t + 60, "home")
    cx.busy_until = ret


def _snapp_point(cx: Ctx, near, rng):
    lat0, lat1, lon0, lon1 = CITIES[cx.city]["box"]
    u = rng.random()
    if u < 0.22:
        p = cx.hotspots[int(rng.integers(len(cx.hotspots)))]
        return _rand_in(rng, p, 400)
    dist = min(rng.lognormal(math.log(5500), 0.6), 22_000)
    a = rng.uniform(0, 2 * math.pi)
    p = _off(near, dist * math.cos(a), dist * math.sin(a))
    return (min(max(p[0], lat0), lat1), min(max(p[1], lon0), lon1))


def _snapp_session(cx: Ctx, t_end):
    rng, plan = cx.rng, cx.plan
    while plan.t < t_end:
        plan.wait_until(plan.t + rng.uniform(1, 9) * 60)           # waiting for a request
        pick = _snapp_point(cx, plan.pos, rng) if rng.random() < 0.3 else _rand_in(rng, plan.pos, 1800)
        cx.go(pick, plan.t, "other", jitter=5)
        plan.wait_until(plan.t + rng.uniform(1, 4) * 60)           # passenger boarding
        cx.go(_snapp_point(cx, plan.pos, rng), plan.t, "other", jitter=5)
    cx.go(cx.home, plan.t + rng.uniform(2, 10) * 60, "home")


def _plan_snapp(cx: Ctx, days: int):
    rng = cx.rng
    style = cx.extra["style"]
    off_day = cx.extra["off_weekday"]
    for d in range(days):
        c = cx.cal[d]
        if cx.plan.t >= _h(d, 23):
            continue
        if c.wd == off_day or (c.nowruz_hol and rng.random() < 0.6) or rng.random() < 0.06:
            _free_day(cx, d)
            continue
        if style == "day":
            s, e = rng.uniform(8.0, 9.5), rng.uniform(19.0, 21.5)
            cx.plan.wait_until(_h(d, s))
            if rng.random() < 0.6:
                _snapp_session(cx, _h(d, rng.uniform(13.0, 14.0)))
                cx.plan.wait_until(cx.plan.t + rng.uniform(0.7, 1.5) * HOUR)    # lunch at home
            if c.ramadan and rng.random() < 0.5:
                _snapp_session(cx, _h(d, 17.6))
                cx.plan.wait_until(_h(d, rng.uniform(18.6, 19.0)))          # iftar at home
            _snapp_session(cx, _h(d, e))
        elif style == "evening":
            cx.plan.wait_until(_h(d, rng.uniform(14.0, 15.5)))
            _snapp_session(cx, _h(d, rng.uniform(23.5, 24.7)))
        else:  # night
            cx.plan.wait_until(_h(d, rng.uniform(18.0, 19.5)))
            _snapp_session(cx, _h(d, rng.uniform(26.0, 27.2)))


def _plan_snapp_parttime(cx: Ctx, days: int):
    rng = cx.rng
    for d in range(days):
        c = cx.cal[d]
        if cx.plan.t >= _h(d, 23):
            continue
        if c.wd <= 4 and not c.official and not (c.semi and rng.random() > cx.p_semi):
            end = cx.end_h + rng.normal(0, 0.2)
            if c.ramadan and cx.gov:
                end = rng.uniform(13.7, 14.6)
            _commute(cx, d, cx.work, "work", cx.leave_h + rng.normal(0, 0.12), end)
            if rng.random() < 0.6:
                cx.plan.wait_until(max(cx.plan.t + 1800, _h(d, rng.uniform(17.3, 18.0))))
                _snapp_session(cx, _h(d, rng.uniform(21.5, 22.8)))
        elif c.wd == 6 and rng.random() < 0.5:
            cx.plan.wait_until(_h(d, rng.uniform(14.5, 16.0)))
            _snapp_session(cx, _h(d, rng.uniform(21.0, 22.5)))
        else:
            _free_day(cx, d)


def _subroute(pts, tau_v, speeds, ta, tb):
    """Vertices of the part of a route between route-times ta < tb (nominal seconds)."""
    def at(tau):
        j = int(np.clip(np.searchsorted(tau_v, tau, side="right") - 1, 0, len(tau_v) - 2))
        f = (tau - tau_v[j]) / (tau_v[j + 1] - tau_v[j])
        return pts[j] + f * (pts[j + 1] - pts[j]), j
    pa_, ja = at(ta)
    pb, jb = at(tb)
    inner = np.arange(ja + 1, jb + 1)
    out = np.vstack([pa_[None], pts[inner], pb[None]])
    sp = speeds[np.concatenate([[ja], inner])]
    return out, sp


def _plan_lorry(cx: Ctx, days: int):
    rng, plan, cal = cx.rng, cx.plan, cx.cal
    end = days * DAY
    pts_f, cls_f = R_LORRY
    sp_f = np.array([_LORRY_SPEED[c] for c in cls_f])

    def leg(pts, sp, tag_end):
        seg = _dist_m(pts[:-1, 0], pts[:-1, 1], pts[1:, 0], pts[1:, 1])
        tau_v = np.concatenate([[0.0], np.cumsum(seg / (sp / 3.6))])
        total = tau_v[-1]
        tau, drove = 0.0, 0.0
        while tau < total - 1 and plan.t < end:
            f = rng.uniform(0.88, 1.06)
            stint = rng.uniform(2.5, 4.0) * HOUR
            tb = min(total, tau + stint * f)
            if total - tb < 1.2 * HOUR * f:
                tb = total
            sub, ssp = _subroute(pts, tau_v, sp, tau, tb)
            plan.drive(sub, ssp * f, plan.t + 45, tag_end if tb >= total else "road")
            drove += (tb - tau) / f
            tau = tb
            if tau >= total:
                break
            hod = (plan.t % DAY) / HOUR
            if hod >= 19.5 or hod < 4.0 or drove > 10 * HOUR:
                nd = int(plan.t // DAY) + (1 if hod >= 4.0 else 0)
                plan.wait_until(max(_h(nd, rng.uniform(5.0, 6.5)), plan.t + 7 * HOUR))
                drove = 0.0
            else:
                plan.wait_until(plan.t + rng.uniform(0.4, 0.9) * HOUR)

    first = int(rng.integers(0, 3))
    plan.wait_until(_h(first, rng.uniform(5.0, 9.0)))
    while plan.t < end:
        leg(pts_f, sp_f, "port")
        if plan.t >= end:
            break
        # port: queue, load, leave
        cx.go(PORT_QUEUE, plan.t + 300, "port", city="bandar", jitter=60)
        plan.wait_until(plan.t + rng.uniform(8, 26) * HOUR)
        cx.go(PORT_TERMINAL, plan.t + 60, "port", city="bandar", jitter=40)
        plan.wait_until(plan.t + rng.uniform(2, 5) * HOUR)
        cx.go(PORT_GATE, plan.t + 60, "road", city="bandar", jitter=5)
        hod = (plan.t % DAY) / HOUR
        if hod >= 18.5 or hod < 4.0:
            nd = int(plan.t // DAY) + (1 if hod >= 4.0 else 0)
            plan.wait_until(_h(nd, rng.uniform(5.0, 6.5)))
        leg(pts_f[::-1].copy(), sp_f[::-1].copy(), "depot")
        if plan.t >= end:
            break
        cx.go(TEHRAN_DEPOT, plan.t + 60, "depot", jitter=40)
        nd = int(plan.t // DAY) + 1 + (1 if rng.random() < 0.35 else 0)
        while nd < len(cal) and (cal[nd].g in LORRY_NO_DEPART or (cal[nd].wd == 6 and rng.random() < 0.6)):
            nd += 1
        plan.wait_until(_h(nd, rng.uniform(5.0, 8.0)))


PLANNERS = {
    "office_tehran": _plan_office, "office_regional": _plan_office, "bazaar_merchant": _plan_bazaar,
    "karaj_commuter": _plan_karaj, "ikco_shift": _plan_ikco, "odd_even_parker": _plan_odd_even,
    "nowruz_family": _plan_family, "lorry": _plan_lorry, "petrochem_shift": _plan_petrochem,
    "snapp_driver": _plan_snapp, "snapp_parttime": _plan_snapp_parttime,
}

# kind, platform, vehicles in a fleet of 120
KINDS = [("office_tehran", "A", 18), ("office_regional", "A", 12), ("bazaar_merchant", "A", 10),
         ("karaj_commuter", "A", 11), ("ikco_shift", "A", 10), ("odd_even_parker", "A", 8),
         ("nowruz_family", "A", 16), ("lorry", "B", 10), ("petrochem_shift", "B", 7),
         ("snapp_driver", "C", 14), ("snapp_parttime", "C", 4)]

FILE_A_PREFIX = "rahyab_gozaresh"
FILE_B = "traccar_positions_utc.parquet"
FILE_C = "driver_app_positions.jsonl"

PLATE_LETTERS = ["ب", "ج", "د", "س", "ص", "ط", "ق", "ل", "م", "ن", "و", "ه", FA_YEH]
CARS = [("Saipa Pride 131", "petrol/CNG"), ("Peugeot 405 GLX", "petrol/CNG"), ("Peugeot Pars", "petrol"),
        ("IKCO Samand LX", "petrol/CNG"), ("IKCO Dena Plus", "petrol"), ("Saipa Tiba 2", "petrol"),
        ("Saipa Quick", "petrol"), ("Peugeot 206", "petrol"), ("Renault Tondar 90", "petrol"),
        ("Kia Cerato", "petrol"), ("Hyundai Elantra", "petrol"), ("Toyota Camry", "petrol")]
LORRIES = [("Volvo FH12 420", "diesel"), ("Scania R420", "diesel"), ("Mercedes-Benz Actros 1844", "diesel"),
           ("Iveco Stralis", "diesel"), ("FAW J6P", "diesel")]


def _allocate(n: int) -> list[int]:
    w = np.array([k[2] for k in KINDS], float)
    tgt = w * n / w.sum()
    if n >= len(KINDS):
        cnt = np.maximum(np.floor(tgt), 1).astype(int)
        while cnt.sum() < n:
            cnt[int(np.argmax(tgt - cnt))] += 1
        while cnt.sum() > n:
            i = int(np.argmax(np.where(cnt > 1, cnt - tgt, -np.inf)))
            cnt[i] -= 1
        return cnt.tolist()
    cnt = np.zeros(len(KINDS), int)
    for i in np.argsort(-w, kind="stable")[:n]:
        cnt[i] = 1
    return cnt.tolist()


def _imei(rng, tac: str) -> str:
    body = tac + "".join(str(int(x)) for x in rng.integers(0, 10, 14 - len(tac)))
    s = 0
    for i, ch in enumerate(reversed(body)):
        v = int(ch)
        if i % 2 == 0:
            v *= 2
            v = v - 9 if v > 9 else v
        s += v
    return body + str((10 - s % 10) % 10)


def _plate(two, letter, three, code, digits=_TO_FA):
    two, three, code = (str(x).translate(digits) for x in (two, three, code))
    return f"{two} {letter} {three} ایران {code}"


# ----------------------------------------------------------------------------- the fleet

def _build_fleet(n_vehicles: int, days: int, seed: int):
    cal = [Day(d) for d in range(days + 3)]
    master = np.random.default_rng([seed, 1403])
    counts = _allocate(n_vehicles)
    vehicles = []
    used_plates: set = set()
    used_ids: set = set()
    gi = 0
    for (kind, platform, _), cnt in zip(KINDS, counts):
        for k in range(cnt):
            rng = np.random.default_rng([seed, 7, gi])
            vehicles.append(dict(gi=gi, kind=kind, platform=platform, k=k, rng=rng))
            gi += 1
    nA = sum(v["platform"] == "A" for v in vehicles)
    A = [v for v in vehicles if v["platform"] == "A"]
    C = [v for v in vehicles if v["platform"] == "C"]
    # fault subjects (chosen up front: they decide device models and plates)
    order = master.permutation(len(A))
    n_dst = max(1, round(0.13 * nA)) if nA else 0
    n_unplug = max(1, round(0.035 * nA)) if nA > 2 else 0
    n_swap = max(1, round(0.02 * nA)) if nA > 3 else 0
    dst = {A[i]["gi"] for i in order[:n_dst]}
    unplug = {A[i]["gi"] for i in order[n_dst:n_dst + n_unplug]}
    swap = {A[i]["gi"] for i in order[n_dst + n_unplug:n_dst + n_unplug + n_swap]}
    old_phone = {C[i]["gi"] for i in master.permutation(len(C))[:max(1, round(len(C) / 3))]} if C else set()

    tehran_cycle = {
        "office_regional": ["isfahan", "mashhad", "shiraz", "rasht", "sari"],
        "bazaar_merchant": ["tehran", "isfahan", "tehran", "mashhad", "tehran", "shiraz", "rasht", "tehran",
                            "isfahan", "tehran"],
        "snapp_driver": ["tehran", "tehran", "mashhad", "tehran", "tehran", "tehran", "mashhad"],
        "nowruz_family": ["tehran", "tehran", "karaj", "tehran", "tehran"],
        "petrochem_shift": ["shiraz", "marvdasht", "shiraz"],
    }
    for v in vehicles:
        rng, kind, k = v["rng"], v["kind"], v["k"]
        city = tehran_cycle.get(kind, ["tehran"])[k % len(tehran_cycle.get(kind, ["tehran"]))]
        if kind == "karaj_commuter":
            city = "karaj"
        if kind == "ikco_shift":
            city = ["karaj", "tehran", "karaj"][k % 3]
        if kind == "lorry":
            city = "tehran"
        cd = CITIES[city]
        hood = list(cd["homes"])[int(rng.integers(len(cd["homes"])))]
        if kind == "ikco_shift" and city == "tehran":
            hood = ["Ekbatan", "Shahr-e Ziba", "Sadeghiyeh"][int(rng.integers(3))]
        if kind == "odd_even_parker":
            hood = ["Narmak", "Tehranpars", "Sadeghiyeh", "Ekbatan", "Punak", "Saadat Abad", "Pasdaran",
                    "Nazi Abad", "Tajrish"][int(rng.integers(9))]
        home = _rand_in(rng, cd["homes"][hood], 700)
        if kind == "lorry":
            home, hood = _rand_in(rng, TEHRAN_DEPOT, 120), "depot"
        work = None
        extra: dict = {}
        if kind in ("office_tehran", "snapp_parttime", "karaj_commuter"):
            offices = CITIES["tehran"]["offices"]
            name = list(offices)[int(rng.integers(len(offices)))]
            if kind == "office_tehran" and k == 0:
                name = "Ministries (Imam Khomeini Sq)"
            work = _rand_in(rng, offices[name], 350)
        elif kind == "office_regional":
            work = _rand_in(rng, _pick(rng, cd["offices"]), 350)
        elif kind == "bazaar_merchant":
            work = _rand_in(rng, cd.get("bazaar", TEHRAN_BAZAAR_PARKING) if city != "tehran"
                            else TEHRAN_BAZAAR_PARKING, 250)
        elif kind == "odd_even_parker":
            names = ["Enghelab", "Ferdowsi", "Ministries (Imam Khomeini Sq)", "Haft-e Tir", "Argentina",
                     "Seyed Khandan"]
            work = _rand_in(rng, CITIES["tehran"]["offices"][names[int(rng.integers(len(names)))]], 250)
            lat0, lat1, lon0, lon1 = ODD_EVEN_BOX
            work = (min(max(work[0], lat0 + 0.003), lat1 - 0.003),
                    min(max(work[1], lon0 + 0.003), lon1 - 0.003))
        elif kind == "ikco_shift":
            work = _rand_in(rng, IKCO_LOT, 150)
        elif kind == "petrochem_shift":
            work = _rand_in(rng, PETROCHEM_LOT, 150)
        elif kind == "nowruz_family":
            if rng.random() < 0.65:
                offices = cd["offices"]
                work = _rand_in(rng, offices[list(offices)[int(rng.integers(len(offices)))]], 350)
        v.update(city=city, hood=hood, home=home, work=work, extra=extra)

        # ids, devices, plates
        letter = PLATE_LETTERS[int(rng.integers(len(PLATE_LETTERS)))]
        if v["gi"] in swap:
            letter = FA_YEH
        if kind == "lorry":
            letter = "ع"
        code_city = "tehran" if kind == "lorry" else ("shiraz" if city == "marvdasht" else city)
        while True:
            two, three = int(rng.integers(11, 100)), int(rng.integers(111, 1000))
            if three % 10 == 0:
                continue
            code = CITIES[code_city]["codes"][int(rng.integers(len(CITIES[code_city]["codes"])))]
            plate = _plate(two, letter, three, code)
            if plate not in used_plates:
                used_plates.add(plate)
                break
        v.update(plate=plate, plate_parts=(two, letter, three, code))
        models = LORRIES if kind == "lorry" else CARS
        car = models[int(rng.integers(len(models)))]
        v.update(make_model=car[0], fuel=car[1], year=int(rng.integers(2008, 2024)))
        if v["platform"] == "A":
            model = "GT06N" if (v["gi"] in dst or v["gi"] in swap or rng.random() < 0.6) else "TK103B"
            v.update(model=model, imei=_imei(rng, "868120" if model == "GT06N" else "359710"),
                     firmware=("GT06N_V2.1.8_2019" if v["gi"] in dst else
                               "GT06N_V2.3.4_2023" if model == "GT06N" else "TK103B_V3.2_2021"),
                     dst=v["gi"] in dst, unplug=v["gi"] in unplug, swap=v["gi"] in swap,
                     garage=rng.random() < 0.3, vid=plate)
        elif v["platform"] == "B":
            model = "FMB125" if kind == "lorry" else "FMB920"
            v.update(model=model, imei=_imei(rng, "3520940"),
                     firmware="03.28.07" if kind == "lorry" else "03.27.14")
            v["vid"] = v["imei"]
        else:
            while True:
                pre = ["912", "919", "935", "901", "933", "937", "921"][int(rng.integers(7))]
                phone = "+98" + pre + "".join(str(int(x)) for x in rng.integers(0, 10, 7))
                if phone not in used_ids:
                    used_ids.add(phone)
                    break
            v.update(model="Android phone", vid=phone, old_tz=v["gi"] in old_phone,
                     firmware=("Android 8.1 (tzdata 2019c)" if v["gi"] in old_phone else
                               ["Android 12", "Android 13", "Android 11"][int(rng.integers(3))]))
    return cal, vehicles, dict(dst=dst, unplug=unplug, swap=swap, old_phone=old_phone)


def _make_ctx(v, cal):
    rng, kind, city = v["rng"], v["kind"], v["city"]
    cx = Ctx(rng, cal, city if city != "marvdasht" else "shiraz", v["home"], v["work"])
    cd = CITIES[cx.city]
    cx.relatives = [_rand_in(rng, _pick(rng, cd["homes"]), 900) for _ in range(3)]
    if city == "karaj" or (city == "tehran" and rng.random() < 0.3):
        other = "tehran" if city == "karaj" else "karaj"
        cx.relatives[2] = _rand_in(rng, _pick(rng, CITIES[other]["homes"]), 900)
    cx.shops = [cx.near_home(250, 900), cx.near_home(400, 1500)]
    cx.school = cx.near_home(500, 1800)
    cx.extra = v["extra"]
    if kind in ("office_tehran", "office_regional", "karaj_commuter", "odd_even_parker", "nowruz_family",
                "snapp_parttime"):
        _office_params(cx, leave=(6.0, 7.0) if kind == "karaj_commuter" else (6.8, 8.0),
                       end=(16.0, 17.0) if kind == "karaj_commuter" else (16.0, 17.5))
    if kind == "karaj_commuter":
        cx.extra["route"] = "freeway" if rng.random() < 0.6 else "special road"
    if kind == "odd_even_parker":
        cx.extra["plate_last_digit"] = v["plate_parts"][2] % 10
        cx.extra["pnr"] = _pnr_spot(v["work"], v["home"])
    if kind == "ikco_shift":
        cx.extra["shift_phase"] = int(rng.integers(3))
        if city == "karaj":
            r = _rev(R_SPECIAL)
            cx.extra["road"] = (r[0][:4], r[1][:3])                 # Fardis -> IKCO gate
        else:
            cx.extra["road"] = (R_SPECIAL[0][:3], R_SPECIAL[1][:2])  # Azadi -> IKCO gate
    if kind == "petrochem_shift":
        cx.extra["cycle_phase"] = int(rng.integers(8))
        cx.extra["road"] = R_SHIRAZ_PETRO if city == "shiraz" else None
    if kind in ("snapp_driver", "snapp_parttime"):
        cx.extra["style"] = (["day", "day", "evening", "night"][int(rng.integers(4))]
                             if kind == "snapp_driver" else "part-time")
        cx.extra["off_weekday"] = 6 if rng.random() < 0.6 else int(rng.integers(0, 6))
        if cx.city == "mashhad":
            cx.hotspots = [(36.2878, 59.6157), (36.2350, 59.6410), (36.3050, 59.6000), (36.3210, 59.5400)]
        else:
            cx.hotspots = [(35.8040, 51.4330), (35.7570, 51.4100), (35.7020, 51.3960), (35.6745, 51.4180),
                           (35.6890, 51.3130), (35.6440, 51.4180), (35.6590, 51.4060), IKA_AIRPORT]
    if kind == "nowruz_family":
        names = list(TRIP_DESTS)
        w = np.array([3, 3, 2, 2, 2, 3, 2, 1, 2, 2], float)
        dest = names[int(rng.choice(len(names), p=w / w.sum()))]
        kind_, anchor, _ = TRIP_DESTS[dest]
        if kind_ == "villa":
            stay = _off(anchor, rng.uniform(-1500, -150), rng.uniform(-3500, 3500))
        else:
            stay = _rand_in(rng, anchor, 1800)
        dep_day = 9 + int(rng.choice(5, p=[0.15, 0.3, 0.25, 0.2, 0.1]))     # 18..22 March
        nights = int(rng.integers(4, 10))
        ret_day = min(dep_day + nights, 22)                                   # back by 31 March
        cx.extra["trip"] = dict(dest=dest, type=kind_, stay=[round(stay[0], 6), round(stay[1], 6)],
                                depart_day=dep_day, return_day=ret_day,
                                depart_hour=float(rng.uniform(4.5, 9.0) if rng.random() < 0.8
                                                  else rng.uniform(14.0, 16.0)),
                                return_hour=float(rng.uniform(9.0, 15.0)))
    return cx


# ----------------------------------------------------------------------------- pings

def _pings(plans, dt_move, dt_park, t_end):
    """Vectorised sampling of every trip and stay of a platform's vehicles.

    plans: list of (vehicle index, Plan). dt_move/dt_park: per vehicle index arrays.
    Returns dict of arrays sorted by (vehicle, t)."""
    # trips
    V, VT, SP, first = [], [], [], []
    nvert = 0
    tveh = []
    for vi, plan in plans:
        for pts, vt, sp in plan.trips:
            if vt[0] >= t_end:
                continue
            V.append(pts)
            VT.append(vt)
            SP.append(np.append(sp, 0.0))
            first.append(nvert)
            nvert += len(pts)
            tveh.append(vi)
    out = []
    if V:
        V = np.vstack(V)
        VT = np.concatenate(VT)
        SP = np.concatenate(SP)
        first = np.array(first)
        nv = np.diff(np.append(first, nvert))
        last = first + nv - 1
        tveh = np.array(tveh)
        t0, t1 = VT[first], VT[last]
        dt = dt_move[tveh]
        n = np.floor((t1 - t0) / dt).astype(np.int64) + 1
        n = n + ((t1 - (t0 + (n - 1) * dt)) > 1.0)
        trip_of = np.repeat(np.arange(len(first)), n)
        starts = np.concatenate([[0], np.cumsum(n)[:-1]])
        k = np.arange(n.sum()) - np.repeat(starts, n)
        t = np.minimum(t0[trip_of] + k * dt[trip_of], t1[trip_of])
        trip_of_v = np.repeat(np.arange(len(first)), nv)
        key_v = trip_of_v * 1e7 + (VT - t0[trip_of_v])
        key_p = trip_of * 1e7 + (t - t0[trip_of])
        j = np.searchsorted(key_v, key_p, side="right") - 1
        j = np.clip(j, first[trip_of], last[trip_of] - 1)
        span = VT[j + 1] - VT[j]
        f = np.clip((t - VT[j]) / span, 0.0, 1.0)
        lat = V[j, 0] + f * (V[j + 1, 0] - V[j, 0])
        lon = V[j, 1] + f * (V[j + 1, 1] - V[j, 1])
        spd = SP[j].copy()
        endpt = (k == 0) | (t >= t1[trip_of])
        spd[endpt] = 0.0
        hdg = _bearing(V[j, 0], V[j, 1], V[j + 1, 0], V[j + 1, 1])
        out.append(dict(veh=tveh[trip_of], t=t, lat=lat, lon=lon, spd=spd, hdg=hdg,
                        moving=np.ones(len(t), bool), tag=np.zeros(len(t), np.int8)))
    # stays
    TAGS = {"home": 1, "work": 2, "pnr": 3, "villa": 4, "depot": 5, "port": 6, "road": 7, "other": 8}
    s_rows = [(vi, s0, s1, la, lo, TAGS[tag]) for vi, plan in plans for (s0, s1, la, lo, tag) in plan.stays
              if s0 < t_end]
    if s_rows:
        sv = np.array([r[0] for r in s_rows])
        s0 = np.array([r[1] for r in s_rows])
        s1 = np.minimum(np.array([r[2] for r in s_rows]), t_end)
        sla = np.array([r[3] for r in s_rows])
        slo = np.array([r[4] for r in s_rows])
        stag = np.array([r[5] for r in s_rows], np.int8)
        dp = dt_park[sv]
        n = np.maximum(np.ceil((s1 - s0) / dp).astype(np.int64) - 1, 0)
        st_of = np.repeat(np.arange(len(s0)), n)
        starts = np.concatenate([[0], np.cumsum(n)[:-1]])
        k = np.arange(n.sum()) - np.repeat(starts, n) + 1
        t = s0[st_of] + k * dp[st_of]
        out.append(dict(veh=sv[st_of], t=t, lat=sla[st_of], lon=slo[st_of], spd=np.zeros(len(t)),
                        hdg=np.zeros(len(t)), moving=np.zeros(len(t), bool), tag=stag[st_of]))
    res = {c: np.concatenate([o[c] for o in out]) for c in out[0]}
    keep = (res["t"] >= 0) & (res["t"] < t_end)
    res = {c: a[keep] for c, a in res.items()}
    order = np.lexsort((res["t"], res["veh"]))
    return {c: a[order] for c, a in res.items()}


def _noise(rng, p, sd_move, sd_park):
    n = len(p["t"])
    sd = np.where(p["moving"], sd_move, sd_park)
    p["lat"] = p["lat"] + rng.normal(0, 1, n) * sd / _M_DEG
    p["lon"] = p["lon"] + rng.normal(0, 1, n) * sd / (_M_DEG * np.cos(np.radians(p["lat"])))


def _sub(p, mask):
    return {c: a[mask] for c, a in p.items()}


def _fmt_local(wall_s: np.ndarray):
    """Jalali date and hh:mm:ss strings (Persian digits) for integer local wall-clock seconds."""
    d = np.floor_divide(wall_s, 86400).astype(np.int64)
    sod = (wall_s - d * 86400).astype(np.int64)
    dmin, dmax = int(d.min()), int(d.max())
    dates = np.array([jalali_str(START + timedelta(days=i)) for i in range(dmin, dmax + 1)], dtype=object)
    tod = np.array([f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}".translate(_TO_FA)
                    for s in range(86400)], dtype=object)
    return dates[d - dmin], tod[sod]


# ----------------------------------------------------------------------------- writer

def write_persia_fleet(folder, vehicles: int = 120, days: int = 28, seed: int = 0) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    t_end = days * DAY
    cal, fleet, subj = _build_fleet(vehicles, days, seed)
    frng = np.random.default_rng([seed, 99])             # faults, labels and noise draws
    for v in fleet:
        cx = _make_ctx(v, cal)
        PLANNERS[v["kind"]](cx, days)
        cx.plan.wait_until(t_end + DAY)
        v["plan"], v["cx"] = cx.plan, cx

    faults: dict = {}
    truth_v: dict = {}

    # ---------------- platform A: Rahyab (Iranian platform), CSV, Jalali local wall clock
    A = [v for v in fleet if v["platform"] == "A"]
    jal_first = jalali_str(START, "latin").replace("/", "")
    jal_last = jalali_str(START + timedelta(days=days - 1), "latin").replace("/", "")
    file_a = f"{FILE_A_PREFIX}_{jal_first}_{jal_last}.csv"
    rows_a = rows_b = rows_c = 0
    if A:
        dtm = np.array([30.0 if v["model"] == "GT06N" else 20.0 for v in A])
        dtp = np.array([3600.0 if v["model"] == "GT06N" else 1800.0 for v in A])
        p = _pings([(i, v["plan"]) for i, v in enumerate(A)], dtm, dtp, t_end)
        p["t"] = np.floor(p["t"])
        _noise(frng, p, 4.0, 4.5)
        n = len(p["t"])
        veh = p["veh"]
        model_gt = np.array([v["model"] == "GT06N" for v in A])[veh]
        garage = np.array([v["garage"] for v in A])[veh] & (p["tag"] == 1)
        # garage: the last valid fix before the ramp, repeated; no satellites
        gpt = np.array([_off(v["home"], 18 + 10 * (i % 3), -12) for i, v in enumerate(A)])
        p["lat"] = np.where(garage, gpt[veh, 0], p["lat"])
        p["lon"] = np.where(garage, gpt[veh, 1], p["lon"])
        sats = np.where(p["moving"], frng.integers(7, 13, n), frng.integers(5, 11, n))
        sats = np.where(garage, 0, sats)
        keep = np.ones(n, bool)
        # dead zones on mountain passes: GT06N keeps no buffer -> lost; TK103B buffers and re-sends
        in_dead = np.zeros(n, bool)
        for (c, r) in DEAD_ZONES.values():
            in_dead |= _dist_m(c[0], c[1], p["lat"], p["lon"]) < r
        lost_dead = in_dead & model_gt
        resent = in_dead & ~model_gt
        keep &= ~lost_dead
        dead_lost = {A[i]["vid"]: int(c) for i, c in zip(*np.unique(veh[lost_dead], return_counts=True))}
        # platform outage: one afternoon, nothing stored
        od = int(frng.integers(3, max(4, min(days - 1, 9))))
        o0 = _h(od, round(float(frng.uniform(9.5, 12.0)), 2))
        o1 = o0 + round(float(frng.uniform(2.5, 4.0)), 2) * HOUR
        o0, o1 = float(np.floor(o0)), float(np.floor(o1))
        keep &= ~((p["t"] >= o0) & (p["t"] < o1))
        # trackers without power
        unplugged = []
        for i, v in enumerate(A):
            if not v["unplug"]:
                continue
            u0 = float(np.floor(_h(int(frng.integers(1, max(2, days - 4))), frng.uniform(8, 20))))
            u1 = float(np.floor(u0 + frng.uniform(1.5, 3.5) * DAY))
            keep &= ~((veh == i) & (p["t"] >= u0) & (p["t"] < u1))
            unplugged.append(dict(vehicle_id=v["vid"], start_local=_iso_local(u0), end_local=_iso_local(u1)))
        # spoofing episodes around the Pasteur district
        episodes = []
        for d in range(days):
            if frng.random() < 0.45 or (d == 2 and not episodes):
                s = _h(d, round(float(frng.uniform(8.0, 17.0)), 2))
                episodes.append((float(np.floor(s)), float(np.floor(s + frng.uniform(2.0, 5.0) * HOUR))))
        in_ep = np.zeros(n, bool)
        for s, e in episodes:
            in_ep |= (p["t"] >= s) & (p["t"] < e)
        near = _dist_m(SPOOF_CENTER[0], SPOOF_CENTER[1], p["lat"], p["lon"]) < SPOOF_RADIUS_M
        spoof = in_ep & near & keep
        p["lat"] = np.where(spoof, SPOOF_POINT[0] + frng.normal(0, 12, n) / _M_DEG, p["lat"])
        p["lon"] = np.where(spoof, SPOOF_POINT[1] + frng.normal(0, 12, n) / (_M_DEG * 0.8131), p["lon"])
        p["spd"] = np.where(spoof, 0.0, p["spd"])
        sats = np.where(spoof, frng.integers(11, 15, n), sats)
        p["spoof"] = spoof
        # duplicates: 20 % of the re-sent buffer and 0.3 % ACK-loss repeats
        dup = keep & ((resent & (frng.random(n) < 0.2)) | (frng.random(n) < 0.003))
        p["sats"] = sats
        p["spd"] = np.minimum(np.round(p["spd"] * np.where(p["spd"] > 0, frng.lognormal(0, 0.1, n), 1)), 138)
        p = _sub(p, keep)
        dup = dup[keep]
        rep = np.where(dup, 2, 1)
        p = {c: np.repeat(a, rep) for c, a in p.items()}
        n_dup = int(dup.sum())
        veh = p["veh"]
        spoof_rows = {A[i]["vid"]: int(c) for i, c in zip(*np.unique(veh[p["spoof"]], return_counts=True))}
        # wall clock: Asia/Tehran +03:30; old firmware moves to +04:30 at 24:00 on 1 Farvardin
        dstv = np.array([v["dst"] for v in A])[veh]
        wall = p["t"] + np.where(dstv & (p["t"] >= DST_ONSET), 3600.0, 0.0)
        dstr, tstr = _fmt_local(wall.astype(np.int64))
        # ids: device swap -> new IMEI and the plate retyped on an Arabic keyboard
        plates = np.array([v["plate"] for v in A], dtype=object)[veh]
        imeis = np.array([v["imei"] for v in A], dtype=object)[veh]
        swaps = []
        for i, v in enumerate(A):
            if not v["swap"]:
                continue
            ts = float(np.floor(_h(int(frng.integers(2, max(3, days - 3))), frng.uniform(10, 16))))
            alias = _plate(*v["plate_parts"], digits=_TO_AR).replace(FA_YEH, AR_YEH)
            new_imei = _imei(frng, "868120")
            m = (veh == i) & (p["t"] >= ts)
            plates[m] = alias
            imeis[m] = new_imei
            swaps.append(dict(vehicle_id=v["vid"], alias=alias, new_imei=new_imei, old_imei=v["imei"],
                              from_local=_iso_local(ts), rows_under_alias=int(m.sum())))
            v["swap_t"] = ts
        order = np.lexsort((p["t"], plates != np.array([v["plate"] for v in A], dtype=object)[veh], veh))
        hdg = np.round(p["hdg"]).astype(int) % 360
        df = pd.DataFrame({
            "ردیف": np.arange(1, len(order) + 1),
            "پلاک": plates[order],
            "شناسه دستگاه": imeis[order],
            "تاریخ": dstr[order],
            "ساعت": tstr[order],
            "عرض جغرافیایی": np.round(p["lat"][order], 6),
            "طول جغرافیایی": np.round(p["lon"][order], 6),
            "سرعت": p["spd"][order].astype(int),
            "جهت": np.where(p["moving"][order], hdg[order], 0),
            "وضعیت موتور": np.where(p["moving"][order], "روشن", "خاموش"),
            "تعداد ماهواره": p["sats"][order].astype(int),
        })
        df.to_csv(folder / file_a, index=False, encoding="utf-8-sig", lineterminator="\r\n",
                  float_format="%.6f")
        rows_a = len(df)
        faults["dst_old_tz"] = dict(
            onset_utc="2024-03-20T20:30:00Z", onset_local="2024-03-21T00:00:00+03:30",
            onset_jalali="1403/01/02 00:00:00",
            platform_a_devices=[v["vid"] for v in A if v["dst"]])
        faults["gps_spoofing"] = dict(
            file=file_a, center=list(SPOOF_CENTER), radius_m=SPOOF_RADIUS_M, spoof_point=list(SPOOF_POINT),
            episodes_local=[[_iso_local(s), _iso_local(e)] for s, e in episodes],
            rows=spoof_rows, total_rows=int(sum(spoof_rows.values())))
        faults["platform_outage"] = dict(file=file_a, start_local=_iso_local(o0), end_local=_iso_local(o1),
                                         start_jalali=_jal_local(o0), end_jalali=_jal_local(o1))
        faults["tracker_unplugged"] = unplugged
        faults["coverage_dead_zones"] = dict(
            file=file_a, zones={k: dict(center=list(c), radius_m=r) for k, (c, r) in DEAD_ZONES.items()},
            rows_lost_gt06n=dead_lost, total_rows_lost=int(sum(dead_lost.values())))
        faults["duplicates_a"] = dict(file=file_a, extra_rows=n_dup,
                                      note="identical to the row before in every column but ردیف")
        faults["device_swap"] = swaps
        faults["underground_garage"] = [v["vid"] for v in A if v["garage"]]

    # ---------------- platform B: Traccar server abroad, parquet, UTC
    B = [v for v in fleet if v["platform"] == "B"]
    if B:
        dtm = np.array([60.0 if v["kind"] == "lorry" else 30.0 for v in B])
        dtp = np.full(len(B), 3600.0)
        p = _pings([(i, v["plan"]) for i, v in enumerate(B)], dtm, dtp, t_end)
        p["t"] = np.floor(p["t"])
        _noise(frng, p, 3.5, 4.0)
        n = len(p["t"])
        veh = p["veh"]
        valid = np.ones(n, bool)
        sats = np.where(p["moving"], frng.integers(8, 15, n), frng.integers(6, 13, n))
        jam = _dist_m(JAM_CENTER[0], JAM_CENTER[1], p["lat"], p["lon"]) < JAM_RADIUS_M
        valid &= ~jam
        idx = np.where(valid, np.arange(n), 0)
        idx = np.maximum.accumulate(idx)
        # jammed rows repeat the last valid fix of the same vehicle
        okprev = valid[idx] & (veh[idx] == veh)
        lat = np.where(jam & okprev, p["lat"][idx], p["lat"])
        lon = np.where(jam & okprev, p["lon"][idx], p["lon"])
        spd = np.where(jam, 0.0, p["spd"] * np.where(p["spd"] > 0, frng.lognormal(0, 0.08, n), 1))
        sats = np.where(jam, 0, sats)
        course = np.where(jam | ~p["moving"], 0.0, np.round(p["hdg"], 1))
        dup = frng.random(n) < 0.004
        rep = np.where(dup, 2, 1)
        jv, jc = np.unique(np.repeat(veh[jam], rep[jam]), return_counts=True)
        jam_rows = {B[i]["vid"]: int(c) for i, c in zip(jv, jc)}
        lat_ms = (T0_UTC + p["t"]) * 1000
        server = lat_ms + frng.integers(800, 4500, n)
        cols = dict(uniqueid=np.array([v["vid"] for v in B], dtype=object)[veh],
                    fixtime=lat_ms.astype(np.int64), servertime=server.astype(np.int64), valid=valid,
                    latitude=np.round(lat, 6), longitude=np.round(lon, 6),
                    speed=np.round(spd / 1.852, 2), course=course,
                    sat=sats.astype(np.int8), ignition=p["moving"].copy())
        cols = {c: np.repeat(a, rep) for c, a in cols.items()}
        second = np.zeros(len(cols["fixtime"]), bool)
        second[np.cumsum(rep) - 1] = dup
        late = frng.integers(20_000, 600_000, len(second))
        cols["servertime"] = cols["servertime"] + np.where(second, late, 0)
        tbl = pa.table({
            "uniqueid": pa.array(cols["uniqueid"], pa.string()),
            "fixtime": pa.array(cols["fixtime"], pa.timestamp("ms", tz="UTC")),
            "servertime": pa.array(cols["servertime"], pa.timestamp("ms", tz="UTC")),
            "valid": pa.array(cols["valid"], pa.bool_()),
            "latitude": pa.array(cols["latitude"], pa.float64()),
            "longitude": pa.array(cols["longitude"], pa.float64()),
            "speed": pa.array(cols["speed"], pa.float32()),
            "course": pa.array(cols["course"], pa.float32()),
            "sat": pa.array(cols["sat"], pa.int8()),
            "ignition": pa.array(cols["ignition"], pa.bool_()),
        })
        pq.write_table(tbl, folder / FILE_B, compression="zstd")
        rows_b = tbl.num_rows
        faults["gps_jamming"] = dict(file=FILE_B, center=list(JAM_CENTER), radius_m=JAM_RADIUS_M,
                                     rows=jam_rows, total_rows=int(sum(jam_rows.values())))
        faults["duplicates_b"] = dict(file=FILE_B, extra_rows=int(dup.sum()),
                                      note="same uniqueid and fixtime, later servertime")

    # ---------------- platform C: driver phone app, JSON Lines, ISO-8601 with offset
    C = [v for v in fleet if v["platform"] == "C"]
    if C:
        dtm = np.full(len(C), 30.0)
        dtp = np.full(len(C), 600.0)
        p = _pings([(i, v["plan"]) for i, v in enumerate(C)], dtm, dtp, t_end)
        n = len(p["t"])
        p["t"] = np.round(p["t"] + frng.uniform(0, 0.999, n), 3)
        veh = p["veh"]
        net = ~p["moving"] & (frng.random(n) < np.where(p["tag"] == 1, 0.4, 0.15))
        sd = np.where(p["moving"], 5.0, np.where(net, 35.0, 8.0))
        acc = np.where(p["moving"], frng.uniform(3, 10, n),
                       np.where(net, frng.uniform(20, 80, n), frng.uniform(5, 20, n)))
        p["lat"] = p["lat"] + frng.normal(0, 1, n) * sd / _M_DEG
        p["lon"] = p["lon"] + frng.normal(0, 1, n) * sd / (_M_DEG * np.cos(np.radians(p["lat"])))
        oldv = np.array([v["old_tz"] for v in C])[veh]
        shifted = oldv & (p["t"] >= DST_ONSET)
        wall = p["t"] + np.where(shifted, 3600.0, 0.0)
        d = np.floor_divide(wall, 86400).astype(np.int64)
        sod = wall - d * 86400
        isod = np.floor(sod).astype(np.int64)
        ms = np.round((sod - isod) * 1000).astype(np.int64)
        carry = ms >= 1000
        ms = np.where(carry, 0, ms)
        isod = isod + carry
        d = d + (isod >= 86400)
        isod = isod % 86400
        dmin = int(d.min())
        gdates = np.array([(START + timedelta(days=i)).isoformat() for i in range(dmin, int(d.max()) + 1)],
                          dtype=object)
        tod = np.array([f"T{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}." for s in range(86400)],
                       dtype=object)
        mss = np.array([f"{i:03d}" for i in range(1000)], dtype=object)
        ts = gdates[d - dmin] + tod[isod] + mss[ms] + np.where(shifted, "+04:30", "+03:30").astype(object)
        df = pd.DataFrame({
            "phone": np.array([v["vid"] for v in C], dtype=object)[veh],
            "ts": ts,
            "lat": np.round(p["lat"], 6), "lng": np.round(p["lon"], 6),
            "acc": np.round(acc, 1),
            "spd": np.round(p["spd"] / 3.6 * np.where(p["spd"] > 0, frng.lognormal(0, 0.1, n), 1), 2),
            "brg": np.where(p["moving"], np.round(p["hdg"], 1), 0.0),
            "prov": np.where(p["moving"], "gps", np.where(net, "network", "fused")),
        })
        df.to_json(folder / FILE_C, orient="records", lines=True, force_ascii=False, double_precision=6)
        rows_c = len(df)
        faults.setdefault("dst_old_tz", {})["phones_offset_0430"] = [v["vid"] for v in C if v["old_tz"]]
        faults["dst_old_tz"]["phone_rows_0430"] = int(shifted.sum())

    # ---------------- truth, labels, vehicles
    for v in fleet:
        t = dict(home=None if v["kind"] == "lorry" else [round(v["home"][0], 6), round(v["home"][1], 6)],
                 work=None if v["work"] is None else [round(v["work"][0], 6), round(v["work"][1], 6)],
                 kind=v["kind"], city=v["city"], platform=v["platform"],
                 file={"A": file_a, "B": FILE_B, "C": FILE_C}[v["platform"]], plate=v["plate"])
        ex = v["cx"].extra
        if v["kind"] == "odd_even_parker":
            t["park_and_ride"] = [round(ex["pnr"][0], 6), round(ex["pnr"][1], 6)]
            t["plate_last_digit"] = ex["plate_last_digit"]
        if v["kind"] == "karaj_commuter":
            t["route"] = ex["route"]
        if v["kind"] == "ikco_shift":
            t["shift_rotation"] = "weekly 06-14 / 14-22 / 22-06"
            t["first_week_shift"] = ["06-14", "14-22", "22-06"][ex["shift_phase"]]
        if v["kind"] == "petrochem_shift":
            t["shift_cycle"] = "2 day (07-19), 2 night (19-07), 4 off"
            t["cycle_day_at_start"] = ex["cycle_phase"]
        if v["kind"] in ("snapp_driver", "snapp_parttime"):
            t["style"] = ex["style"]
        if v["kind"] == "nowruz_family":
            tr = ex["trip"]
            t["nowruz_trip"] = dict(dest=tr["dest"], type=tr["type"], stay=tr["stay"],
                                    depart_date=(START + timedelta(days=tr["depart_day"])).isoformat(),
                                    return_date=(START + timedelta(days=tr["return_day"])).isoformat(),
                                    return_road=tr.get("return_road"))
        if v["kind"] == "lorry":
            t["depot"] = list(TEHRAN_DEPOT)
            t["port"] = list(PORT_QUEUE)
        truth_v[v["vid"]] = t

    lrng = np.random.default_rng([seed, 5])
    rows, wrong = [], []
    chosen = lrng.random(len(fleet)) < 0.78
    for v, ch in zip(fleet, chosen):
        if not ch:
            continue
        for lab in ("home", "work"):
            pt = truth_v[v["vid"]][lab]
            if pt is None:
                continue
            r, a = lrng.uniform(8, 55), lrng.uniform(0, 2 * math.pi)
            q = _off(pt, r * math.cos(a), r * math.sin(a))
            rows.append([v["vid"], lab, q, v])
    n_wrong = max(1, round(0.05 * len(rows))) if rows else 0
    for i in sorted(lrng.choice(len(rows), size=n_wrong, replace=False).tolist()) if rows else []:
        vid, lab, q, v = rows[i]
        other = v["work"] if lab == "home" else v["home"]
        if other is not None and lrng.random() < 0.4:
            q = _off(other, lrng.normal(0, 25), lrng.normal(0, 25))              # swapped home/work
        else:
            r, a = lrng.uniform(2500, 9000), lrng.uniform(0, 2 * math.pi)     # wrong address
            q = _off(q, r * math.cos(a), r * math.sin(a))
        rows[i][2] = q
        wrong.append(dict(vehicle_id=vid, label=lab))
    pd.DataFrame({"vehicle_id": [r[0] for r in rows], "label": [r[1] for r in rows],
                  "lat": [round(r[2][0], 6) for r in rows], "lon": [round(r[2][1], 6) for r in rows]}
                 ).to_csv(folder / "labels.csv", index=False, encoding="utf-8", lineterminator="\n")

    vcols = []
    province = {"marvdasht": "Fars", "shiraz": "Fars", "tehran": "Tehran", "karaj": "Alborz",
                "isfahan": "Isfahan", "mashhad": "Razavi Khorasan", "rasht": "Gilan", "sari": "Mazandaran"}
    for v in fleet:
        vcols.append(dict(vehicle_id=v["vid"], source_file=truth_v[v["vid"]]["file"], plate=v["plate"],
                          make_model=v["make_model"], model_year=v["year"], fuel=v["fuel"],
                          province_of_registration=province["tehran" if v["kind"] == "lorry" else v["city"]],
                          device=v["model"], firmware=v["firmware"], device_imei=v.get("imei", "")))
    pd.DataFrame(vcols).to_csv(folder / "vehicles.csv", index=False, encoding="utf-8", lineterminator="\n")

    truth = dict(tz="Asia/Tehran", vehicles=truth_v, wrong_labels=wrong, faults=faults,
                 window=dict(start_local=f"{START.isoformat()}T00:00:00+03:30", days=days,
                             start_jalali=jalali_str(START, "latin")),
                 files=dict(A=file_a if A else None, B=FILE_B if B else None, C=FILE_C if C else None),
                 rows=dict(A=rows_a, B=rows_b, C=rows_c))
    (folder / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1, sort_keys=False),
                                       encoding="utf-8")
    return folder


def _iso_local(t: float) -> str:
    dt = datetime(START.year, START.month, START.day) + timedelta(seconds=float(t))
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + "+03:30"


def _jal_local(t: float) -> str:
    dt = datetime(START.year, START.month, START.day) + timedelta(seconds=float(t))
    return f"{jalali_str(dt.date(), 'latin')} {dt.strftime('%H:%M:%S')}"


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description="Write the synthetic Iranian (persia) fleet.")
    ap.add_argument("out")
    ap.add_argument("--vehicles", type=int, default=120)
    ap.add_argument("--days", type=int, default=28)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    print(write_persia_fleet(a.out, vehicles=a.vehicles, days=a.days, seed=a.seed))


if __name__ == "__main__":
    main()
