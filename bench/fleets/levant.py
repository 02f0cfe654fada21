"""Synthetic fleet "levant": Israel, 17 March - 13 April 2024 (Tel Aviv-Yafo / Gush Dan, Jerusalem,
Haifa and the Haifa Bay, Beersheba).

    write_levant_fleet(folder, vehicles=120, days=28, seed=0) -> Path
    python bench/fleets/levant.py OUT [--vehicles N] [--days D] [--seed S]

The same arguments give byte-identical files. The window starts on Sunday 17 March 2024 00:00
Israel time (the first day of the Israeli working week) and lasts `days` local calendar days
(28: up to Saturday 13 April 23:59:59). Inside it:

* Israel's move to summer time: Friday 29 March 2024 02:00 IST (UTC+2) -> 03:00 IDT (UTC+3), i.e.
  at 2024-03-29T00:00:00Z, two days before Europe (Sunday 31 March 01:00 UTC). Local wall-clock
  02:00-02:59 on 29/03/2024 does not exist in Israel.
* Purim on Sunday 24 March (Shushan Purim, Monday 25 March, in Jerusalem). Passover (22-30
  April) is outside the window.
* Ramadan (11 March - 9 April) and Eid al-Fitr (Wednesday 10 - Friday 12 April) for Muslim drivers.
* The working week is Sunday-Thursday; Friday is a short day, Shabbat runs from Friday sunset
  (candle lighting 18 min before sunset, 40 min in Jerusalem) to Saturday nightfall (about 42 min
  after sunset). Sunset is computed per day (17:50 IST on 17 March, 19:08 IDT on 13 April).

Geography is real: homes are drawn inside real neighbourhoods and towns (Tel Aviv north,
Florentin, Ramat Aviv, Yafo, Ramat Gan, Givatayim, Bnei Brak, Petah Tikva, Holon, Bat Yam, Rishon
LeZion, Herzliya, Ra'anana, Kfar Saba, Hod HaSharon, Modi'in, Rehovot, Lod, Ramla, Elad, Netanya;
Jerusalem's Beit HaKerem, Har Nof, Ramot, Pisgat Ze'ev, Gilo, Rehavia, Beit Hanina, Beit Safafa,
Mevaseret Zion, Beit Shemesh; Haifa's Ahuza, Neve Sha'anan, Hadar, Wadi Nisnas, the Krayot,
Kiryat Ata, Nesher, Tirat Carmel, Kiryat Tivon, Shefa-Amr, Daliyat al-Karmel; Beersheba's Ramot,
Neve Ze'ev, Dalet, Old City, Omer, Meitar, Rahat, Ofakim, Dimona) and seven kibbutzim; workplaces
are the real parks and sites (Herzliya Pituach, Ramat HaHayal, Kiryat Arye, Azrieli/Sarona, the
Bursa, HaKirya, Har Hotzvim, Malha, Givat Ram, Atarot, Matam, the Bazan refinery in the Haifa Bay,
Gav-Yam Negev, Ben-Gurion University, Ichilov, Sheba, Beilinson, Hadassah Ein Kerem, Shaare Zedek,
Rambam, Soroka, Airport City, Ben Gurion airport). Trips follow straight segments between the
interchanges of the real motorways (Ayalon/20, 1, 2, 4, 5, 6, 22, 40, the Carmel tunnels ...) with
urban legs at the ends; speeds by road class (motorway ~90 km/h, arterial ~45, urban ~30, the
last/first 100-200 m at ~13 km/h), slowed in the Gush Dan and Jerusalem rush hours (Sun-Thu
07:00-09:30 and 16:00-19:00), capped at 108 km/h.

FILES (all at the top of the folder)
=====================================

1. location_history_<ddmmyyyy first>_<ddmmyyyy last>.csv  --  tracker platform export
   (about 70% of the fleet: private and leasing cars with an insurer-mandated / fleet tracker)
   The "location history" report of an Israeli tracking platform, exported from its old Windows
   client:
   * encoding Windows-1255 (cp1255, Hebrew), comma separated, CRLF line ends, fields quoted
     only when needed (the speed header contains a '"' and is written "מהירות (קמ""ש)").
   * lines 1-2 are the report title, not data:
       line 1: דוח היסטוריית מיקומים - כל הרכבים
       line 2: מתאריך 17/03/2024 עד תאריך 13/04/2024
     line 3 is the header; read with e.g. pd.read_csv(f, encoding="cp1255", skiprows=2, dtype=str).
   * columns:
       מספר רכב        licence plate = vehicle id, with hyphens: 7-digit plates "12-345-67"
                       (cars up to model year 2016), 8-digit plates "123-45-678" (2017 on)
       שם נהג          driver name (Hebrew letters)
       תאריך           date dd/mm/yyyy                     } Israel LOCAL wall-clock time, no
       שעה             time HH:MM:SS (24 h)                } zone or offset anywhere in the file
       קו רוחב         latitude, WGS84 degrees, 6 decimals
       קו אורך         longitude, WGS84 degrees, 6 decimals
       מהירות (קמ"ש)   speed, integer km/h (0 unless driving)
       כיוון           heading, integer degrees clockwise from north (0 unless driving)
       סטטוס           event: התנעה = ignition on (the first row of a trip), בנסיעה = driving,
                       כיבוי = ignition off (the last row of a trip), חניה = parked heartbeat
       תקינות GPS      fix validity: תקין = valid, לא תקין = no fix (then lat = lon = 0.000000)
       יישוב           locality name from the platform's reverse geocoder (nearest locality
                       within ~3.5 km); empty on open road, on no-fix rows and abroad
   * sampling: a row at ignition on, every 60 s while driving, at ignition off, and a parked
     heartbeat every 60 min after ignition off (the first parked row of the window at a random
     phase); 1 s resolution.
   * rows are ordered by plate, then by the written date/time; a repeated row sits right after
     its original.
   * time convention: the unit's local Israel time (Asia/Jerusalem): UTC+2 until 29/03/2024
     01:59:59, UTC+3 from 29/03/2024 03:00:00. truth.json carries "tz": "Asia/Jerusalem" for this
     file. Exceptions: the DST faults below.

2. driver_app_positions.parquet  --  driver app on the phone (taxis and delivery vans, ~24%)
   Fixes uploaded by the dispatch / proof-of-delivery app while the driver is logged in (on
   shift); nothing is recorded while the app is off (nights, days off). Columns:
       plate        string, vehicle id = licence plate digits WITHOUT hyphens ("1234567",
                    "12345678"), as the driver typed it
       fix_time     timestamp[ms, tz=UTC]  -- true UTC instants
       lat, lon     float64, WGS84 degrees
       accuracy_m   float32, horizontal accuracy reported by the phone, metres (typically 3-25
                    for GPS, 600-2500 for a network fallback)
       speed_mps    float32, m/s; NaN for network fixes
       bearing_deg  float32, degrees from north; NaN when stationary or network
       provider     "gps" or "network" (cell/Wi-Fi fallback)
       status       taxis: "free" / "hired" (passenger on board); delivery vans: "on_route"
   * one fix every 30 s (+-3 s) while logged in; rows ordered by plate then fix_time.

3. siri_vm_<yyyy-mm-dd first>_<yyyy-mm-dd last>.xml  --  bus AVL (~5%)
   Archive of the Ministry of Transport's SIRI VehicleMonitoring feed (SIRI 2.7, UTF-8), polled
   every 120 s: <Siri xmlns="http://www.siri.org.uk/siri"><ServiceDelivery> holding one
   <VehicleMonitoringDelivery> per poll (its <ResponseTimestamp> = poll time), each with one
   <VehicleActivity> per bus in service:
       RecordedAtTime            ISO 8601 local time WITH its offset (+02:00 / +03:00), e.g.
                                 2024-03-29T08:01:13+03:00 (an exact instant)
       MonitoredVehicleJourney/
         LineRef, DirectionRef (1 = from the depot terminal, 2 = back),
         FramedVehicleJourneyRef/DataFrameRef (service date) + DatedVehicleJourneyRef (trip id),
         PublishedLineName, OperatorRef (MoT operator code: 3, 5 or 15), DestinationRef (stop code),
         OriginAimedDepartureTime (timetable departure, ISO with offset),
         VehicleLocation/Longitude, VehicleLocation/Latitude (WGS84 degrees, 6 decimals),
         Bearing (integer degrees), Velocity (integer km/h),
         VehicleRef (licence plate digits without hyphens = vehicle id)
   * a bus appears only while running journeys (plus a few minutes standing at the depot
     terminal after the last one); blocks of about 05:20-12:40 and 14:05-23:15 on Sun-Thu, Friday
     until ~2 h before Shabbat, Saturday only after Shabbat ends (60% of the buses) -- except the
     two Haifa lines (115, 271), which also run on Friday evening and Shabbat (Haifa's Shabbat
     service). Timetable departures are on 5-minute steps; layovers 8-18 min (Shabbat 15-35).
   * records are sorted by poll, then time, then vehicle.

Vehicle ids are spelled exactly as each ping file spells them (hyphenated plates in the tracker
CSV, digits only in the Parquet and the XML); labels.csv, vehicles.csv and truth.json use the same.

4. labels.csv  (UTF-8, comma, LF): vehicle_id,label,lat,lon -- an analyst's geocoded home/work
   addresses for 75% of the vehicles (both places when the truth has both), 15-60 m off the truth
   place, and ~5% of the rows wrong on purpose (listed in truth "wrong_labels": the other place's
   coordinates, or the same street name geocoded in another town 5-80 km away).

5. vehicles.csv  (UTF-8, comma, LF): vehicle_id, source_file (which of the files above holds its
   pings), make, model, model_year, fuel (petrol/diesel/hybrid/electric), unit ("TRK-4G" /
   "TRK-2G" tracker units, "Android 13" / "Android 14" / "iOS 17" phones, "AVL-SIRI"),
   ownership (private / leasing / company / kibbutz / operator).

6. truth.json (UTF-8): {"tz": "Asia/Jerusalem", "window": {...}, "vehicles": {id: {...}},
   "wrong_labels": [...], "faults": {...}}. Per vehicle: "home" [lat, lon] (where it normally
   spends the night), "work" [lat, lon] or null, "kind", "platform", "file", "region",
   "calendar" (secular / observant / muslim / druze), "underground_home"/"underground_work", and
   per kind: work_key, station_key/depot_key/base_key, kibbutz, role, shift_cycle + cycle_offset
   (day d of the window works cycle[(d + offset) % len]), dairy, home_city, parents (+ city),
   base, depot, reserve_duty [first, last date], car_during_duty, oncall_dates,
   drives_to_parents_on (Thursdays), shabbat_at_parents_from (Fridays), wfh_weekday, line,
   operator_ref, shabbat_service, after_shabbat_service, shift_start_hour, day_off.

LIVES (kind in truth; shares of a 120-vehicle fleet)
====================================================
hitech_commuter (15%, tracker)  home in a suburb / city, work at a high-tech park (Herzliya
    Pituach, Ramat HaHayal, Kiryat Arye; Har Hotzvim, Malha; Matam; Gav-Yam Negev). Leaves
    08:00-09:30, ~9.4 h at work; one work-from-home weekday (wfh_weekday, 75% of weeks); school
    runs, lunch out, supermarket on the way back, evenings out; Friday shopping and Friday-night
    dinner at the parents (45%, 8% of those sleep there); Saturday outings (beach, parks, malls,
    sometimes Jerusalem / Haifa / Caesarea). Azrieli, Ramat HaHayal, HaKirya park underground.
commuter (15%, tracker)  office / government / industrial-zone job, leaves ~07:20, 9 h. Includes
    Arab and Druze drivers: Muslims during Ramadan leave ~07:30 and are home ~1 h before sunset
    (iftar), go out after iftar (45%), go to Friday prayers at noon, visit family for Eid (no
    work 10-12 April).
shabbat_family (10%, tracker)  observant family (Bnei Brak, Elad, Har Nof, Ramot, Beit Shemesh,
    Modi'in, Petah Tikva ...): Sun-Thu job, Friday morning errands back by ~13:00, then the car
    stays parked until Saturday nightfall; 20% of Fridays the family drives to the parents before
    candle lighting and returns Saturday night (a night away). Purim: mishloach-manot rounds and
    the seuda at the parents (Jerusalem families on 25 March).
refinery_shift (6%, tracker)  Bazan refinery, Haifa Bay (work = employee parking). 8-day cycle
    MMEENNOO: M 07-15, E 15-23, N 23-07 (the car is at the refinery 2 nights in 8), O = off;
    runs through weekends. Homes in the Krayot, Nesher, Tirat Carmel, Kiryat Ata, Shefa-Amr,
    Daliyat al-Karmel, Hadar, Kiryat Tivon.
hospital_shift (7%, tracker)  nurses on a 14-day M/E/N/O roster (2-3 nights in 14) or doctors
    07:15-16:45 plus 26-hour on-call shifts every 6-8 days (oncall_dates); Ichilov and Rambam
    staff park underground (Rambam's fortified underground car park).
kibbutz_member (5%, tracker)  home in the kibbutz's residential area, work at its factory /
    dairy / hotel 0.5-1.1 km away (Yagur, Ma'agan Michael, Shefayim, Givat Brenner, Tzuba,
    Hatzerim/Netafim, Revivim); lunch at the dining hall; dairy workers (dairy=true) milk twice a
    day every day, one day off in four.
reservist_home / reservist_base (4% + 4%, tracker)  a commuter / hi-tech life, then called up for
    reserve duty (reserve_duty dates, 25-50% of the window, reporting on a working day): either
    the car stays home and the spouse uses it now and then, or he drives it to the base (Tze'elim,
    Re'im, Nevatim, Filon, Glilot) where it stays (an evening in the nearest town now and then),
    with one weekend leave on long call-ups (home Thursday afternoon, back Sunday ~05:15).
    home and work stay the civilian ones.
student (5%, tracker)  rents in Beersheba (home), studies at Ben-Gurion University / SCE /
    Soroka (work); on ~65% of Thursdays drives to the parents (Gush Dan, Jerusalem, Haifa,
    Dimona, Ofakim) and comes back Sunday at dawn straight to class (3 nights away those weeks).
delivery_van_home (5%, app)  driver takes the van home: home -> depot (work: Airport City,
    Holon, Atarot, Haifa Bay, Emek Sara) ~06:15, loading, 14-26 drops of 3-9 min in one of two
    nearby towns (8-13 on Fridays), depot, home; Sun-Thu plus half of the Fridays.
delivery_van_depot (5%, app)  van sleeps at the depot (home = depot, work = null), app on ~06:25
    at the depot, same rounds.
taxi_station (7%, app)  works from a taxi rank (work = the rank: Tel Aviv central bus station,
    Savidor, Ben Gurion airport, Jerusalem central station, HaMifratz, Beersheba central): queues,
    rides, returns; 9-11 h day or afternoon shifts; one day off a week (observant: Shabbat,
    with a Saturday-night shift 60% of weeks; Muslims: stop before iftar, second shift after it).
taxi_roaming (7.5%, app)  app-dispatched, no rank (work = null); same calendars.
bus (5%, SIRI)  city lines in Tel Aviv, Jerusalem, Haifa (x2), Beersheba and the Jerusalem-Tel
    Aviv intercity 405; home = the depot terminal where every block starts and ends; work = null.

FAULTS (all listed with counts in truth "faults")
=================================================
* DST done wrong by tracker units (faults.dst_eu_rules, faults.dst_never; ~7% and ~4% of the
  tracker units, all "TRK-2G"):
  - EU rule: the unit switches to summer time with Europe, on Sunday 31 March 01:00 UTC. From
    2024-03-29T00:00Z to 2024-03-31T01:00Z its stamps are written at UTC+2, one hour behind
    Israel time: the file shows times between 29/03 02:00 and 31/03 02:59 that are an hour early
    (including the non-existent 02:00-02:59 on 29/03) and no times between 31/03 03:00 and 03:59.
  - never: the unit is fixed at UTC+2 and never changes; every stamp from 29/03 02:00 (written)
    on is one hour behind.
  "rows" = the number of rows written with the wrong offset per vehicle.
* GPS spoofing (faults.gps_spoofing): the electronic warfare of spring 2024. Episodes in the
  north (lat >= 32.55: Haifa, the Krayot, Ma'agan Michael, Filon) on ~45% of days (1-4 h,
  starting 06:00-21:00) and in the centre (Gush Dan, lat 31.85-32.40, lon < 34.98) on ~15% of
  days (0.5-2 h), at least one episode per zone. Every GPS fix (tracker, phone or bus AVL) of a
  vehicle inside the zone during an episode is replaced by the spoofed position -- Beirut Rafic
  Hariri airport (33.8209, 35.4884) or, for 30% of the centre episodes, Cairo airport (30.1219,
  31.4056) -- +-10 m, speed 0 (trackers: valid fix, heading 0, empty locality; app: provider gps,
  accuracy 3-6 m). Episodes with UTC start/end and the per-vehicle row counts are listed.
* GPS jamming (faults.gps_jamming): north, ~30% of days, 1-5 h, never overlapping a spoofing
  episode: tracker rows become no-fix rows (0/0, לא תקין), app fixes fall back to provider
  "network" (accuracy 600-2500 m, position off by about half of it), SIRI records are dropped.
* No-fix rows (faults.no_fix_zero_rows): tracker rows with lat = lon = 0.000000 and לא תקין:
  jamming plus underground parking -- parked heartbeats, ignition-on and ignition-off rows in an
  underground garage at home (some Tel Aviv / Ramat Gan / Jerusalem / Haifa high-rises) or at
  work (Azrieli, Ramat HaHayal, HaKirya, Ichilov, Rambam). Counts per vehicle.
* Gaps (faults.gaps, UTC start/end): ~7% of tracker units offline for 1.5-4.5 days (at most 20% of
  the window; nothing buffered); ~20% of the app phones lose 1-4 stretches of 20-90 min inside a
  shift (battery saver killed the app).
* Duplicates (faults.duplicates): ~12% of tracker units resend 1-3 bursts of 5-40 consecutive
  rows, exported twice (identical rows, adjacent); the SIRI archive repeats ~3% of records in the
  next poll (same VehicleRef and RecordedAtTime, later ResponseTimestamp).
* Wrong labels: ~5% of labels.csv rows (truth "wrong_labels").
Hard cases that are not faults: refinery / hospital night shifts and 26-hour on-call shifts,
night-time at the parents (Friday dinners, Shabbat, Purim), students away three nights a week,
reservists' cars at a base for days, kibbutz home and work 0.5-1.1 km apart, depot vans whose
home is the depot, taxis whose app is off every night (the last fix of the shift is at home),
buses seen only in service.
"""

from __future__ import annotations

import argparse
import heapq
import json
import math
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

NAME = "levant"
TZ_NAME = "Asia/Jerusalem"
START_DATE = date(2024, 3, 17)  # a Sunday, the first day of the Israeli working week

TRACKER_PLATFORM = "tracker_csv"
APP_PLATFORM = "driver_app_parquet"
SIRI_PLATFORM = "siri_xml"

BEIRUT_AIRPORT = (33.8209, 35.4884)  # Rafic Hariri International, where spoofed receivers "are"
CAIRO_AIRPORT = (30.1219, 31.4056)
EU_DST_START_UTC = datetime(2024, 3, 31, 1, 0, tzinfo=timezone.utc)  # last Sunday of March 01:00 UTC
EU_DST_END_UTC = datetime(2024, 10, 27, 1, 0, tzinfo=timezone.utc)

# ----------------------------------------------------------------------------------------------
# geography (WGS84; places are real, a parking spot is drawn around each one)
# ----------------------------------------------------------------------------------------------
# key: (Hebrew locality name, lat, lon, radius m, region, population mix)
_CITIES = {
    "tel_aviv_north": ("תל אביב-יפו", 32.0900, 34.7810, 650, "ta", "secular"),
    "tel_aviv_florentin": ("תל אביב-יפו", 32.0570, 34.7715, 350, "ta", "secular"),
    "tel_aviv_ramat_aviv": ("תל אביב-יפו", 32.1130, 34.8000, 550, "ta", "secular"),
    "tel_aviv_yad_eliyahu": ("תל אביב-יפו", 32.0615, 34.7935, 450, "ta", "secular"),
    "yafo": ("תל אביב-יפו", 32.0500, 34.7585, 330, "ta", "mixed_muslim"),
    "ramat_gan": ("רמת גן", 32.0750, 34.8210, 850, "ta", "secular"),
    "givatayim": ("גבעתיים", 32.0710, 34.8100, 450, "ta", "secular"),
    "bnei_brak": ("בני ברק", 32.0840, 34.8350, 650, "ta", "observant"),
    "petah_tikva": ("פתח תקווה", 32.0880, 34.8860, 1100, "ta", "mixed_obs"),
    "holon": ("חולון", 32.0160, 34.7820, 900, "ta", "secular"),
    "bat_yam": ("בת ים", 32.0200, 34.7560, 450, "ta", "secular"),
    "rishon": ("ראשון לציון", 31.9650, 34.8000, 1100, "ta", "secular"),
    "herzliya": ("הרצליה", 32.1650, 34.8450, 650, "ta", "secular"),
    "raanana": ("רעננה", 32.1840, 34.8710, 750, "ta", "secular"),
    "kfar_saba": ("כפר סבא", 32.1750, 34.9070, 850, "ta", "secular"),
    "hod_hasharon": ("הוד השרון", 32.1520, 34.8920, 650, "ta", "secular"),
    "modiin": ("מודיעין-מכבים-רעות", 31.8990, 35.0070, 1100, "ta", "mixed_obs"),
    "rehovot": ("רחובות", 31.8950, 34.8100, 850, "ta", "secular"),
    "lod": ("לוד", 31.9510, 34.8950, 650, "ta", "mixed_muslim"),
    "ramla": ("רמלה", 31.9290, 34.8700, 550, "ta", "mixed_muslim"),
    "elad": ("אלעד", 32.0520, 34.9520, 450, "ta", "observant"),
    "netanya": ("נתניה", 32.3210, 34.8660, 700, "ta", "secular"),
    "jlm_beit_hakerem": ("ירושלים", 31.7790, 35.1920, 450, "jlm", "secular"),
    "jlm_har_nof": ("ירושלים", 31.7830, 35.1710, 350, "jlm", "observant"),
    "jlm_ramot": ("ירושלים", 31.8170, 35.1960, 650, "jlm", "observant"),
    "jlm_pisgat_zeev": ("ירושלים", 31.8260, 35.2440, 550, "jlm", "mixed_obs"),
    "jlm_gilo": ("ירושלים", 31.7310, 35.1840, 550, "jlm", "mixed_obs"),
    "jlm_rehavia": ("ירושלים", 31.7700, 35.2140, 450, "jlm", "secular"),
    "jlm_beit_hanina": ("ירושלים", 31.8300, 35.2230, 450, "jlm", "muslim"),
    "jlm_beit_safafa": ("ירושלים", 31.7490, 35.2010, 350, "jlm", "muslim"),
    "mevaseret": ("מבשרת ציון", 31.8020, 35.1500, 550, "jlm", "secular"),
    "beit_shemesh": ("בית שמש", 31.7300, 34.9880, 850, "jlm", "observant"),
    "haifa_ahuza": ("חיפה", 32.7810, 35.0060, 550, "hfa", "secular"),
    "haifa_neve_shaanan": ("חיפה", 32.7850, 35.0200, 450, "hfa", "secular"),
    "haifa_hadar": ("חיפה", 32.8080, 35.0000, 350, "hfa", "mixed_muslim"),
    "haifa_wadi_nisnas": ("חיפה", 32.8150, 34.9955, 200, "hfa", "mixed_muslim"),
    "kiryat_bialik": ("קריית ביאליק", 32.8300, 35.0880, 550, "hfa", "secular"),
    "kiryat_motzkin": ("קריית מוצקין", 32.8370, 35.0820, 450, "hfa", "secular"),
    "kiryat_yam": ("קריית ים", 32.8470, 35.0750, 400, "hfa", "secular"),
    "kiryat_ata": ("קריית אתא", 32.8100, 35.1100, 750, "hfa", "secular"),
    "nesher": ("נשר", 32.7690, 35.0400, 450, "hfa", "secular"),
    "tirat_carmel": ("טירת כרמל", 32.7610, 34.9770, 450, "hfa", "secular"),
    "kiryat_tivon": ("קריית טבעון", 32.7190, 35.1280, 550, "hfa", "secular"),
    "shefaamr": ("שפרעם", 32.8060, 35.1700, 650, "hfa", "muslim"),
    "daliyat": ("דאלית אל-כרמל", 32.6920, 35.0480, 450, "hfa", "druze"),
    "bsv_ramot": ("באר שבע", 31.2760, 34.8110, 550, "bsv", "secular"),
    "bsv_neve_zeev": ("באר שבע", 31.2340, 34.7660, 550, "bsv", "secular"),
    "bsv_dalet": ("באר שבע", 31.2600, 34.7930, 350, "bsv", "secular"),
    "bsv_old_city": ("באר שבע", 31.2420, 34.7900, 300, "bsv", "secular"),
    "omer": ("עומר", 31.2650, 34.8500, 650, "bsv", "secular"),
    "meitar": ("מיתר", 31.3250, 34.9400, 450, "bsv", "secular"),
    "rahat": ("רהט", 31.3930, 34.7560, 650, "bsv", "muslim"),
    "ofakim": ("אופקים", 31.3140, 34.6200, 550, "bsv", "mixed_obs"),
    "dimona": ("דימונה", 31.0690, 35.0320, 650, "bsv", "secular"),
}
_MIX = {  # share of each calendar among the residents of a place
    "secular": {"secular": 0.85, "observant": 0.15},
    "observant": {"observant": 0.9, "secular": 0.1},
    "mixed_obs": {"secular": 0.65, "observant": 0.35},
    "mixed_muslim": {"secular": 0.6, "muslim": 0.4},
    "muslim": {"muslim": 1.0},
    "druze": {"druze": 1.0},
}
# workplaces: key -> (Hebrew locality, lat, lon, parking spread m, region)
_WORK = {
    "herzliya_pituach": ("הרצליה", 32.1628, 34.8085, 300, "ta"),
    "ramat_hahayal": ("תל אביב-יפו", 32.1100, 34.8395, 300, "ta"),
    "kiryat_arye": ("פתח תקווה", 32.1030, 34.8620, 300, "ta"),
    "azrieli_sarona": ("תל אביב-יפו", 32.0745, 34.7915, 200, "ta"),
    "bursa_ramat_gan": ("רמת גן", 32.0840, 34.8025, 200, "ta"),
    "hakirya": ("תל אביב-יפו", 32.0735, 34.7885, 150, "ta"),
    "rishon_west": ("ראשון לציון", 31.9900, 34.7750, 300, "ta"),
    "holon_industrial": ("חולון", 32.0100, 34.7750, 300, "ta"),
    "har_hotzvim": ("ירושלים", 31.7960, 35.2030, 250, "jlm"),
    "malha_tech": ("ירושלים", 31.7500, 35.1860, 150, "jlm"),
    "givat_ram": ("ירושלים", 31.7780, 35.2040, 200, "jlm"),
    "jlm_center_office": ("ירושלים", 31.7830, 35.2160, 200, "jlm"),
    "talpiot_industrial": ("ירושלים", 31.7530, 35.2200, 250, "jlm"),
    "atarot": ("ירושלים", 31.8530, 35.2180, 300, "jlm"),
    "matam": ("חיפה", 32.7890, 34.9585, 150, "hfa"),
    "haifa_downtown": ("חיפה", 32.8180, 34.9995, 200, "hfa"),
    "haifa_bay_industrial": ("חיפה", 32.8000, 35.0850, 300, "hfa"),
    "gav_yam_negev": ("באר שבע", 31.2640, 34.8120, 150, "bsv"),
    "bsv_center_office": ("באר שבע", 31.2440, 34.7950, 200, "bsv"),
    "emek_sara": ("באר שבע", 31.2270, 34.8020, 300, "bsv"),
}
_HITECH_PARKS = {
    "ta": ["herzliya_pituach", "ramat_hahayal", "kiryat_arye"],
    "jlm": ["har_hotzvim", "malha_tech"],
    "hfa": ["matam"],
    "bsv": ["gav_yam_negev"],
}
_OFFICES = {
    "ta": ["azrieli_sarona", "bursa_ramat_gan", "hakirya", "rishon_west", "holon_industrial"],
    "jlm": ["givat_ram", "jlm_center_office", "talpiot_industrial", "atarot"],
    "hfa": ["haifa_downtown", "haifa_bay_industrial"],
    "bsv": ["bsv_center_office", "emek_sara"],
}
_UNDERGROUND_WORK = ("azrieli_sarona", "ramat_hahayal", "hakirya")
_REFINERY = ("חיפה", 32.8010, 35.0545, 250, "hfa")  # Bazan refinery, employee parking by the main gate
# hospitals: key -> (Hebrew locality, lat, lon, spread, region, staff park underground)
_HOSPITALS = {
    "ichilov": ("תל אביב-יפו", 32.0800, 34.7895, 120, "ta", True),
    "sheba": ("רמת גן", 32.0465, 34.8430, 250, "ta", False),
    "beilinson": ("פתח תקווה", 32.0930, 34.8665, 200, "ta", False),
    "hadassah_ein_kerem": ("ירושלים", 31.7650, 35.1480, 200, "jlm", False),
    "shaare_zedek": ("ירושלים", 31.7740, 35.1825, 150, "jlm", False),
    "rambam": ("חיפה", 32.8345, 34.9870, 150, "hfa", True),  # the fortified underground car park
    "soroka": ("באר שבע", 31.2585, 34.8005, 200, "bsv", False),
}
_CAMPUSES = {
    "bgu": (31.2620, 34.8020, 250),
    "sce": (31.2505, 34.7890, 120),
    "soroka": (31.2585, 34.8005, 200),
}
_BASES = {  # reserve duty: where a called-up reservist leaves the car
    "tzeelim": (31.1975, 34.5330),
    "reim": (31.3870, 34.4590),
    "nevatim": (31.2100, 35.0100),
    "filon": (32.9640, 35.5350),
    "glilot": (32.1460, 34.8070),
}
# delivery depots and taxi ranks: key -> (Hebrew locality, lat, lon, spread, region)
_DEPOTS = {
    "airport_city": ("איירפורט סיטי", 31.9870, 34.8890, 150, "ta"),
    "holon_logistics": ("חולון", 32.0085, 34.7790, 120, "ta"),
    "atarot_logistics": ("ירושלים", 31.8510, 35.2200, 120, "jlm"),
    "haifa_bay_logistics": ("חיפה", 32.8060, 35.0720, 150, "hfa"),
    "emek_sara_logistics": ("באר שבע", 31.2250, 34.8040, 120, "bsv"),
}
_STATIONS = {
    "ta_central_station": ("תל אביב-יפו", 32.0565, 34.7785, 60, "ta"),
    "ta_savidor": ("תל אביב-יפו", 32.0842, 34.7985, 60, "ta"),
    "ben_gurion_airport": ("נמל התעופה בן גוריון", 32.0008, 34.8712, 80, "ta"),
    "jlm_central_station": ("ירושלים", 31.7892, 35.2030, 60, "jlm"),
    "haifa_hamifratz": ("חיפה", 32.7935, 35.0365, 60, "hfa"),
    "bsv_central_station": ("באר שבע", 31.2432, 34.7975, 60, "bsv"),
}
_LEISURE = {
    "ta": [
        (32.0890, 34.7725),
        (32.1005, 34.8105),
        (32.0995, 34.8270),
        (32.0540, 34.7535),
        (32.1640, 34.7985),
        (32.5000, 34.8935),
    ],
    "jlm": [(31.7775, 35.2240), (31.7515, 35.1875), (31.7660, 35.2240), (31.7680, 35.1600)],
    "hfa": [(32.7895, 35.0075), (32.8190, 34.9890), (32.7330, 35.0180), (32.8000, 35.0950)],
    "bsv": [(31.2500, 34.7720), (31.2420, 34.7900), (31.2560, 34.8040)],
}
# kibbutz: key -> (Hebrew name, residential area, enterprise (factory / dairy / hotel), region)
_KIBBUTZIM = {
    "yagur": ("יגור", (32.7450, 35.0770), (32.7395, 35.0715), "hfa"),
    "maagan_michael": ("מעגן מיכאל", (32.5565, 34.9165), (32.5505, 34.9205), "hfa"),
    "shefayim": ("שפיים", (32.2200, 34.8270), (32.2160, 34.8225), "ta"),
    "givat_brenner": ("גבעת ברנר", (31.8640, 34.8040), (31.8690, 34.8105), "ta"),
    "tzuba": ("צובה", (31.7870, 35.1260), (31.7825, 35.1205), "jlm"),
    "hatzerim": ("חצרים", (31.2390, 34.7160), (31.2445, 34.7235), "bsv"),
    "revivim": ("רביבים", (31.0440, 34.7220), (31.0380, 34.7155), "bsv"),
}
_REGION_NAMES = {"ta": "tel_aviv_gush_dan", "jlm": "jerusalem", "hfa": "haifa", "bsv": "beersheba"}

# road graph: interchanges of the real motorways / arterials, joined by straight segments
_NODES = {
    "glilot": (32.1452, 34.8098),
    "rokach": (32.0985, 34.7992),
    "arlozorov": (32.0838, 34.7975),
    "hashalom": (32.0733, 34.7935),
    "laguardia": (32.0545, 34.7915),
    "holon_jct": (32.0320, 34.7895),
    "ganot": (32.0040, 34.8330),
    "geha": (32.0870, 34.8640),
    "morasha": (32.1335, 34.8560),
    "herzliya": (32.1700, 34.8245),
    "raanana": (32.1860, 34.8640),
    "kfar_saba": (32.1740, 34.8950),
    "airport": (31.9960, 34.8790),
    "rishon": (31.9700, 34.8120),
    "ramla": (31.9280, 34.8750),
    "rehovot": (31.8960, 34.8280),
    "modiin": (31.9060, 34.9850),
    "netanya": (32.3100, 34.8680),
    "hadera": (32.4400, 34.8960),
    "caesarea": (32.5000, 34.9120),
    "zikhron": (32.5900, 34.9400),
    "atlit": (32.6900, 34.9480),
    "haifa_south": (32.7820, 34.9640),
    "checkpost": (32.7990, 35.0230),
    "bazan": (32.8005, 35.0520),
    "haifa_port": (32.8180, 35.0020),
    "bat_galim": (32.8300, 34.9870),
    "krayot": (32.8300, 35.0850),
    "kiryat_ata": (32.8080, 35.1050),
    "shefaamr": (32.8060, 35.1650),
    "nesher": (32.7700, 35.0420),
    "yagur": (32.7440, 35.0780),
    "univ": (32.7620, 35.0200),
    "daliyat": (32.6950, 35.0450),
    "tivon": (32.7180, 35.1200),
    "golani": (32.7780, 35.4000),
    "rosh_pina": (32.9690, 35.5420),
    "latrun": (31.8370, 34.9800),
    "shaar_hagai": (31.8150, 35.0220),
    "harel": (31.8000, 35.1500),
    "jlm_entrance": (31.7890, 35.1980),
    "jlm_golda": (31.8050, 35.2000),
    "jlm_malha": (31.7530, 35.1920),
    "jlm_center": (31.7820, 35.2170),
    "jlm_east": (31.8200, 35.2380),
    "beit_shemesh": (31.7470, 34.9880),
    "beit_guvrin": (31.6050, 34.8980),
    "kiryat_gat": (31.6150, 34.8050),
    "lehavim": (31.3700, 34.8150),
    "bsv_north": (31.2850, 34.7950),
    "bsv_center": (31.2500, 34.7950),
    "bsv_east": (31.2620, 34.8350),
    "ofakim": (31.3150, 34.6250),
    "tzeelim": (31.1980, 34.5330),
    "reim": (31.3870, 34.4590),
    "nevatim": (31.2150, 34.9900),
    "dimona": (31.0700, 35.0300),
}
_EDGES = [  # M motorway, A urban arterial, R rural road
    ("glilot", "rokach", "M"),
    ("rokach", "arlozorov", "M"),
    ("arlozorov", "hashalom", "M"),
    ("hashalom", "laguardia", "M"),
    ("laguardia", "holon_jct", "M"),
    ("holon_jct", "ganot", "M"),
    ("holon_jct", "rishon", "M"),
    ("ganot", "rishon", "M"),
    ("ganot", "airport", "M"),
    ("glilot", "herzliya", "M"),
    ("herzliya", "netanya", "M"),
    ("netanya", "hadera", "M"),
    ("hadera", "caesarea", "M"),
    ("caesarea", "zikhron", "M"),
    ("zikhron", "atlit", "M"),
    ("atlit", "haifa_south", "M"),
    ("glilot", "morasha", "M"),
    ("morasha", "raanana", "M"),
    ("raanana", "kfar_saba", "A"),
    ("raanana", "herzliya", "A"),
    ("morasha", "geha", "M"),
    ("geha", "ganot", "M"),
    ("geha", "arlozorov", "A"),
    ("hashalom", "geha", "A"),
    ("airport", "latrun", "M"),
    ("airport", "ramla", "A"),
    ("ramla", "rehovot", "A"),
    ("rishon", "rehovot", "A"),
    ("modiin", "latrun", "A"),
    ("airport", "modiin", "A"),
    ("latrun", "shaar_hagai", "M"),
    ("shaar_hagai", "harel", "M"),
    ("harel", "jlm_entrance", "M"),
    ("jlm_entrance", "jlm_golda", "A"),
    ("jlm_entrance", "jlm_malha", "A"),
    ("jlm_entrance", "jlm_center", "A"),
    ("jlm_golda", "jlm_east", "A"),
    ("jlm_center", "jlm_east", "A"),
    ("jlm_malha", "jlm_center", "A"),
    ("shaar_hagai", "beit_shemesh", "A"),
    ("beit_shemesh", "beit_guvrin", "R"),
    ("beit_guvrin", "kiryat_gat", "R"),
    ("rehovot", "kiryat_gat", "M"),
    ("kiryat_gat", "lehavim", "M"),
    ("lehavim", "bsv_north", "M"),
    ("bsv_north", "bsv_center", "A"),
    ("bsv_center", "bsv_east", "A"),
    ("bsv_north", "bsv_east", "A"),
    ("bsv_center", "ofakim", "R"),
    ("ofakim", "tzeelim", "R"),
    ("ofakim", "reim", "R"),
    ("bsv_east", "nevatim", "R"),
    ("nevatim", "dimona", "R"),
    ("haifa_south", "checkpost", "M"),
    ("haifa_south", "bat_galim", "A"),
    ("bat_galim", "haifa_port", "A"),
    ("haifa_port", "checkpost", "A"),
    ("checkpost", "bazan", "M"),
    ("bazan", "krayot", "M"),
    ("krayot", "kiryat_ata", "A"),
    ("checkpost", "kiryat_ata", "A"),
    ("kiryat_ata", "shefaamr", "R"),
    ("checkpost", "nesher", "A"),
    ("nesher", "yagur", "M"),
    ("yagur", "tivon", "A"),
    ("nesher", "univ", "A"),
    ("univ", "daliyat", "R"),
    ("tivon", "golani", "R"),
    ("golani", "rosh_pina", "R"),
]
_SPEED_KMH = {"M": 92.0, "A": 46.0, "R": 72.0, "U": 30.0, "S": 13.0, "B": 22.0}

# ----------------------------------------------------------------------------------------------
# people and vehicles
# ----------------------------------------------------------------------------------------------
_KIND_WEIGHTS = [  # (kind, vehicles out of 120)
    ("hitech_commuter", 18),
    ("commuter", 18),
    ("shabbat_family", 12),
    ("refinery_shift", 7),
    ("hospital_shift", 8),
    ("kibbutz_member", 6),
    ("reservist_home", 5),
    ("reservist_base", 5),
    ("student", 6),
    ("delivery_van_home", 6),
    ("delivery_van_depot", 6),
    ("taxi_station", 8),
    ("taxi_roaming", 9),
    ("bus", 6),
]
_PLATFORM_OF = {
    "delivery_van_home": APP_PLATFORM,
    "delivery_van_depot": APP_PLATFORM,
    "taxi_station": APP_PLATFORM,
    "taxi_roaming": APP_PLATFORM,
    "bus": SIRI_PLATFORM,
}
_FIRST = [
    "יוסי",
    "דני",
    "מיכל",
    "נועה",
    "אבי",
    "רונית",
    "משה",
    "שירה",
    "איתי",
    "תמר",
    "עומר",
    "יעל",
    "אמיר",
    "הילה",
    "גיל",
    "ליאור",
    "אורי",
    "מאיה",
    "רועי",
    "נטע",
    "אליהו",
    "שרה",
    "יעקב",
    "רבקה",
]
_FIRST_AR = ["מוחמד", "אחמד", "סמיר", "ח'אלד", "ראמי", "נסרין", "עלי", "מונא", "ג'מאל", "ריאד"]
_LAST = [
    "כהן",
    "לוי",
    "מזרחי",
    "פרץ",
    "ביטון",
    "דהן",
    "אברהם",
    "פרידמן",
    "אזולאי",
    "כץ",
    "שפירא",
    "חדד",
    "גבאי",
    "אוחיון",
    "רוזנברג",
    "גולדשטיין",
]
_LAST_AR = ["סלאמה", "חורי", "עודה", "אבו ריא", "חלבי", "מסארווה", "זועבי", "אבו סאלח"]
_CARS = [
    ("Kia", "Picanto"),
    ("Hyundai", "i10"),
    ("Toyota", "Corolla"),
    ("Skoda", "Octavia"),
    ("Mazda", "3"),
    ("Hyundai", "Tucson"),
    ("Kia", "Sportage"),
    ("Mitsubishi", "Outlander"),
    ("Suzuki", "Swift"),
    ("Tesla", "Model 3"),
    ("BYD", "Atto 3"),
    ("Toyota", "C-HR"),
    ("Seat", "Ibiza"),
    ("Kia", "Niro"),
]
_FAMILY_CARS = [
    ("Kia", "Carnival"),
    ("Citroen", "Berlingo"),
    ("Mitsubishi", "Outlander"),
    ("Toyota", "Sienna"),
    ("Peugeot", "Rifter"),
]
_TAXI_CARS = [
    ("Skoda", "Superb"),
    ("Toyota", "Corolla Hybrid"),
    ("Hyundai", "Ioniq"),
    ("Kia", "Niro"),
    ("Mercedes-Benz", "Vito"),
]
_VANS = [
    ("Ford", "Transit"),
    ("Renault", "Master"),
    ("Citroen", "Jumper"),
    ("Peugeot", "Partner"),
    ("Fiat", "Doblo"),
]
_BUSES = [
    ("Volvo", "B8RLE"),
    ("MAN", "Lion's City"),
    ("Golden Dragon", "XML6125"),
    ("Yutong", "ZK6128"),
    ("BYD", "K9"),
]
# bus lines: (region, OperatorRef, LineRef, PublishedLineName, waypoints from the depot terminal,
#             runs on Shabbat, intercity)
_LINES = [
    (
        "ta",
        "5",
        "10540",
        "25",
        [
            (32.1032, 34.7920),
            (32.0955, 34.7895),
            (32.0870, 34.7822),
            (32.0805, 34.7812),
            (32.0730, 34.7810),
            (32.0660, 34.7762),
            (32.0620, 34.7725),
            (32.0555, 34.7795),
        ],
        False,
        False,
    ),
    (
        "jlm",
        "3",
        "3217",
        "19",
        [
            (31.7985, 35.2050),
            (31.7930, 35.2110),
            (31.7870, 35.2150),
            (31.7830, 35.2170),
            (31.7790, 35.2160),
            (31.7700, 35.2190),
            (31.7640, 35.2200),
            (31.7520, 35.2190),
        ],
        False,
        False,
    ),
    (
        "hfa",
        "3",
        "11402",
        "115",
        [
            (32.8310, 34.9830),
            (32.8330, 34.9880),
            (32.8250, 34.9950),
            (32.8190, 34.9990),
            (32.8100, 35.0000),
            (32.8030, 34.9930),
            (32.7950, 35.0000),
            (32.7830, 35.0070),
        ],
        True,
        False,
    ),
    (
        "bsv",
        "15",
        "6810",
        "3",
        [
            (31.2280, 34.8010),
            (31.2350, 34.7990),
            (31.2430, 34.7970),
            (31.2530, 34.7970),
            (31.2600, 34.8000),
            (31.2680, 34.8060),
            (31.2750, 34.8100),
        ],
        False,
        False,
    ),
    (
        "jlm",
        "3",
        "3405",
        "405",
        [
            (31.7890, 35.2030),
            _NODES["jlm_entrance"],
            _NODES["harel"],
            _NODES["shaar_hagai"],
            _NODES["latrun"],
            _NODES["airport"],
            _NODES["ganot"],
            _NODES["geha"],
            _NODES["arlozorov"],
            (32.0840, 34.7975),
        ],
        False,
        True,
    ),
    (
        "hfa",
        "3",
        "11271",
        "271",
        [
            (32.8105, 35.1080),
            (32.8200, 35.0950),
            (32.8300, 35.0850),
            (32.8180, 35.0600),
            _NODES["checkpost"],
            (32.8050, 35.0100),
            (32.8100, 35.0000),
        ],
        True,
        False,
    ),
]


# ----------------------------------------------------------------------------------------------
# small geometry helpers
# ----------------------------------------------------------------------------------------------
def _hav(lat1, lon1, lat2, lon2):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * 6371000.0 * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def _dist(p, q) -> float:
    return float(_hav(p[0], p[1], q[0], q[1]))


def _bearing(lat1, lon1, lat2, lon2):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(lon2 - lon1)
    y = np.sin(dl) * np.cos(p2)
    x = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl)
    return (np.degrees(np.arctan2(y, x)) + 360.0) % 360.0


def _shift(p, north_m, east_m):
    return (p[0] + north_m / 111320.0, p[1] + east_m / (111320.0 * math.cos(math.radians(p[0]))))


def _in_disc(rng, p, radius_m):
    r = radius_m * math.sqrt(rng.random())
    a = rng.random() * 2 * math.pi
    return _shift(p, r * math.cos(a), r * math.sin(a))


def _jitter(rng, p, sd_m):
    return _shift(p, rng.normal(0, sd_m), rng.normal(0, sd_m))


def _city_point(rng, key):
    c = _CITIES[key]
    return _in_disc(rng, (c[1], c[2]), c[3])


def _cities_in(region):
    return [k for k in _CITIES if _CITIES[k][4] == region]


# ----------------------------------------------------------------------------------------------
# clock: Israel's rules from the tz database, plus the wrong rules some devices use
# ----------------------------------------------------------------------------------------------
class _Clock:
    def __init__(self, days: int):
        self.days = days
        self.day0 = int(
            (
                datetime(START_DATE.year, START_DATE.month, START_DATE.day) - datetime(1970, 1, 1)
            ).total_seconds()
        )  # local midnight, as if it were UTC
        tz = ZoneInfo(TZ_NAME)
        hours = np.arange(self.day0 - 3 * 86400, self.day0 + (days + 3) * 86400, 3600)
        offs = np.array([int(datetime.fromtimestamp(int(h), tz).utcoffset().total_seconds()) for h in hours])
        change = np.nonzero(np.diff(offs))[0] + 1
        self.change_utc = hours[change].astype(np.float64)  # transitions fall on whole UTC hours here
        self.offsets = np.concatenate([[offs[0]], offs[change]]).astype(np.float64)
        self.w0 = float(self.to_utc(np.array([float(self.day0)]))[0])
        self.w1 = float(self.to_utc(np.array([float(self.day0 + days * 86400)]))[0])

    def offset(self, utc):
        return self.offsets[np.searchsorted(self.change_utc, utc, side="right")]

    def to_local(self, utc):
        return utc + self.offset(utc)

    def to_utc(self, naive):
        guess = naive - self.offset(naive - self.offsets.max())
        return naive - self.offset(guess)

    def local(self, day, hour) -> float:
        return self.day0 + day * 86400.0 + hour * 3600.0

    def date(self, day) -> date:
        return START_DATE + timedelta(days=day)

    def sunset_hour(self, day, lat=32.08, lon=34.78) -> float:
        """Local wall-clock hour of sunset (NOAA solar position formula)."""
        d = self.date(day)
        g = 2 * math.pi / 365 * (d.timetuple().tm_yday - 1)
        eq = 229.18 * (
            0.000075
            + 0.001868 * math.cos(g)
            - 0.032077 * math.sin(g)
            - 0.014615 * math.cos(2 * g)
            - 0.040849 * math.sin(2 * g)
        )
        decl = (
            0.006918
            - 0.399912 * math.cos(g)
            + 0.070257 * math.sin(g)
            - 0.006758 * math.cos(2 * g)
            + 0.000907 * math.sin(2 * g)
            - 0.002697 * math.cos(3 * g)
            + 0.00148 * math.sin(3 * g)
        )
        la = math.radians(lat)
        ha = math.degrees(
            math.acos(
                math.cos(math.radians(90.833)) / (math.cos(la) * math.cos(decl))
                - math.tan(la) * math.tan(decl)
            )
        )
        utc_min = 720 - 4 * (lon - ha) - eq
        instant = self.day0 + day * 86400.0 + utc_min * 60.0  # day0 is also that date's UTC midnight
        off = float(self.offset(np.array([instant]))[0])
        return utc_min / 60.0 + off / 3600.0


def _calendar_day(clock: _Clock, day: int, region: str, cal: str) -> dict:
    d = clock.date(day)
    wd = d.weekday()  # Monday=0 ... Sunday=6
    purim = date(2024, 3, 25) if region == "jlm" else date(2024, 3, 24)  # Shushan Purim in Jerusalem
    info = {
        "fri": wd == 4,
        "sat": wd == 5,
        "workday": wd not in (4, 5),
        "thu": wd == 3,
        "sun": wd == 6,
        "purim": cal in ("secular", "observant") and d == purim,
        "ramadan": cal == "muslim" and date(2024, 3, 11) <= d <= date(2024, 4, 9),
        "eid": cal == "muslim" and date(2024, 4, 10) <= d <= date(2024, 4, 12),
        "sunset": clock.sunset_hour(day),
    }
    info["candles"] = info["sunset"] - (40 if region == "jlm" else 18) / 60.0
    info["havdalah"] = info["sunset"] + 42 / 60.0
    return info


# ----------------------------------------------------------------------------------------------
# routing
# ----------------------------------------------------------------------------------------------
class _Router:
    def __init__(self):
        self.names = list(_NODES)
        self.ll = np.array([_NODES[n] for n in self.names])
        index = {n: i for i, n in enumerate(self.names)}
        self.adj: list[list] = [[] for _ in self.names]
        for a, b, c in _EDGES:
            i, j = index[a], index[b]
            w = _dist(self.ll[i], self.ll[j]) / _SPEED_KMH[c]
            self.adj[i].append((j, w, c))
            self.adj[j].append((i, w, c))
        self._trees: dict[int, tuple] = {}

    def nearest(self, p) -> int:
        return int(np.argmin(_hav(p[0], p[1], self.ll[:, 0], self.ll[:, 1])))

    def _tree(self, src):
        if src not in self._trees:
            dist = [math.inf] * len(self.names)
            prev = [(-1, "")] * len(self.names)
            dist[src] = 0.0
            heap = [(0.0, src)]
            while heap:
                d, u = heapq.heappop(heap)
                if d > dist[u]:
                    continue
                for v, w, c in self.adj[u]:
                    if d + w < dist[v]:
                        dist[v] = d + w
                        prev[v] = (u, c)
                        heapq.heappush(heap, (d + w, v))
            self._trees[src] = (dist, prev)
        return self._trees[src]

    def path(self, i, j):
        _, prev = self._tree(i)
        nodes, cls = [j], []
        while nodes[-1] != i:
            u, c = prev[nodes[-1]]
            if u < 0:
                return None, None
            nodes.append(u)
            cls.append(c)
        return nodes[::-1], cls[::-1]

    def polyline(self, p, q, rng):
        """Vertices and road class of each leg from p to q."""
        d = _dist(p, q)

        def bend(a, b):
            t = 0.35 + 0.3 * rng.random()
            m = (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]))
            e = _dist(a, b) * rng.uniform(-0.12, 0.12)
            brg = math.radians(float(_bearing(a[0], a[1], b[0], b[1])) + 90)
            return _shift(m, e * math.cos(brg), e * math.sin(brg))

        pts, cls = None, None
        if d >= 5000:
            i, j = self.nearest(p), self.nearest(q)
            ni, nj = tuple(self.ll[i]), tuple(self.ll[j])
            if i != j and _dist(p, ni) + _dist(nj, q) < 0.8 * d:
                nodes, ncls = self.path(i, j)
                if nodes is not None:
                    ci = "U" if _dist(p, ni) < 6000 else "R"
                    cj = "U" if _dist(nj, q) < 6000 else "R"
                    pts = [p, bend(p, ni)] + [tuple(self.ll[n]) for n in nodes] + [bend(nj, q), q]
                    cls = [ci, ci] + ncls + [cj, cj]
        if pts is None:
            c = "U" if d < 8000 else "R"
            pts, cls = [p, bend(p, q), q], [c, c]
        # slow first / last metres (leaving the parking, looking for a spot)
        a, b = pts[0], pts[1]
        la = _dist(a, b)
        if la > 250:
            f = 110.0 / la
            pts.insert(1, (a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])))
            cls.insert(0, "S")
        a, b = pts[-1], pts[-2]
        la = _dist(a, b)
        if la > 350:
            f = 180.0 / la
            pts.insert(len(pts) - 1, (a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])))
            cls.append("S")
        arr = np.array(pts)
        return arr[:, 0], arr[:, 1], cls


def _traffic(cls, local_hour, wd_workday, fri, region_lat, region_lon):
    """Speed factor per leg class at the start time of a trip."""
    dense = (31.85 < region_lat < 32.25 and region_lon < 34.95) or (
        31.7 < region_lat < 31.86 and region_lon > 35.1
    )
    h = local_hour % 24
    f = {"M": 1.0, "A": 1.0, "U": 1.0, "R": 1.0, "S": 1.0, "B": 1.0}
    if wd_workday and (7.0 <= h < 9.5 or 16.0 <= h < 19.0):
        if dense:
            f.update(M=0.5, A=0.65, U=0.75, B=0.7)
        else:
            f.update(M=0.8, A=0.8, U=0.85, B=0.85)
    elif fri and 10.5 <= h < 14.5:
        f.update(M=0.85, A=0.8, U=0.85)
    elif h >= 22 or h < 5.5:
        f.update(M=1.1, A=1.2, U=1.2, B=1.2)
    return np.array([f[c] for c in cls])


# ----------------------------------------------------------------------------------------------
# plans: where each vehicle wants to go, in local wall-clock time
# ----------------------------------------------------------------------------------------------
class _Plan:
    def __init__(self, clock: _Clock):
        self.clock = clock
        self.t: list[float] = []
        self.dest: list[tuple] = []
        self.tag: list[str] = []
        self.busy: list[bool] = []
        self.spread: list[float] = []
        self.path: list = []
        self.meta: list = []
        self.sessions: list[
            list
        ] = []  # app online: [open local naive | None, first move, last move, extra s]
        self.blocks: list[list] = []  # bus in service: [first move, last move]

    def go(self, day, hour, place, tag, spread=20.0, busy=False, path=None, meta=None) -> int:
        self.t.append(self.clock.local(day, hour))
        self.dest.append((float(place[0]), float(place[1])))
        self.tag.append(tag)
        self.busy.append(busy)
        self.spread.append(spread)
        self.path.append(path)
        self.meta.append(meta)
        return len(self.t) - 1


def _est_hours(p, q) -> float:
    d = _dist(p, q) * 1.25
    return d / (26000.0 if d < 6000 else 55000.0) + 0.05


_DAY_TRIPS = {"ta": ["jlm", "hfa"], "jlm": ["ta"], "hfa": ["ta"], "bsv": ["ta", "jlm"]}


def _leisure(rng, v, day_trip=False):
    """A beach / park / mall of the home region; on a free day sometimes one of a neighbouring region."""
    region = v["region"]
    if day_trip and rng.random() < 0.15:
        opts = _DAY_TRIPS[region]
        region = opts[int(rng.integers(len(opts)))]
    opts = _LEISURE[region]
    return _jitter(rng, opts[int(rng.integers(len(opts)))], 60)


def _civil_day(P: _Plan, v, rng, d, c, dep_mean=7.6, dep_sd=0.35, hours=9.0, wfh=False, evening=0.2):
    """One day of a person with a Sunday-Thursday job (or none today) and a home."""
    home, cal = v["home"], v["cal"]
    hs = 12.0
    if c["eid"]:
        if rng.random() < 0.85:
            P.go(d, 10.5 + rng.normal(0, 0.8), v["parents"], "family", 25)
            P.go(d, 19.5 + rng.normal(0, 1.0), home, "home", hs)
        return
    if c["purim"] and rng.random() < 0.6:
        rounds = int(rng.integers(2, 5)) if cal == "observant" else int(rng.random() < 0.5)
        for k in range(rounds):  # mishloach manot
            P.go(d, 9.3 + 0.7 * k + rng.normal(0, 0.1), _city_point(rng, v["home_city"]), "errand", 20)
        if rounds:
            P.go(d, 9.3 + 0.7 * rounds + 0.2, home, "home", hs)
        P.go(d, 14.6 + rng.normal(0, 0.5), v["parents"], "family", 25)  # the seuda
        if cal == "secular" and rng.random() < 0.2:
            P.go(d + 1, 7.0 + rng.normal(0, 0.3), home, "home", hs)  # too much wine: car stays overnight
        else:
            P.go(d, 21.6 + rng.normal(0, 0.7), home, "home", hs)
        return
    if c["workday"]:
        if wfh:
            if rng.random() < 0.35:
                t = 11.0 + 2.5 * rng.random()
                P.go(d, t, v["shop"], "shop", 30)
                P.go(d, t + 0.6 + 0.4 * rng.random(), home, "home", hs)
        else:
            dep = dep_mean + rng.normal(0, dep_sd)
            if c["ramadan"]:
                dep = min(dep, 7.6 + rng.normal(0, 0.2))
                end = min(dep + hours - 0.5, c["sunset"] - 0.9 + rng.normal(0, 0.15))  # home for iftar
            else:
                end = dep + hours + rng.normal(0, 0.6)
            if v.get("school") is not None and rng.random() < 0.85:
                P.go(d, dep, v["school"], "school", 25)
                dep += 0.12 + _est_hours(home, v["school"])
            P.go(d, dep, v["work"], "work", v["work_spread"])
            if rng.random() < 0.1 and not c["ramadan"]:
                P.go(d, 12.6 + 0.4 * rng.random(), _jitter(rng, v["work"], 900), "lunch", 30)
                P.go(d, 13.5 + 0.3 * rng.random(), v["work"], "work", v["work_spread"])
            if rng.random() < 0.2:
                P.go(d, end, v["shop"], "shop", 30)
                P.go(d, end + 0.5 + 0.3 * rng.random(), home, "home", hs)
            else:
                P.go(d, end, home, "home", hs)
        if c["ramadan"]:
            if rng.random() < 0.45:
                t = c["sunset"] + 1.5 + rng.normal(0, 0.3)
                P.go(d, t, _city_point(rng, v["home_city"]), "family", 25)
                P.go(d, t + 2.0 + rng.random() * 1.5, home, "home", hs)
        elif rng.random() < evening:
            t = 19.8 + rng.normal(0, 0.6)
            P.go(
                d,
                t,
                _leisure(rng, v) if rng.random() < 0.5 else _city_point(rng, v["home_city"]),
                "evening",
                40,
            )
            P.go(d, t + 1.5 + rng.random() * 1.5, home, "home", hs)
        return
    if c["fri"]:
        if cal == "muslim" and rng.random() < 0.7:
            P.go(d, 11.8 + rng.normal(0, 0.1), _city_point(rng, v["home_city"]), "mosque", 40)
            P.go(d, 13.1 + rng.normal(0, 0.15), home, "home", hs)
        elif rng.random() < 0.7:
            t = 9.2 + 2.0 * rng.random()
            P.go(d, t, v["shop"], "shop", 30)
            P.go(d, t + 0.8 + 0.6 * rng.random(), home, "home", hs)
        if cal == "observant":
            if d in v.get("shabbat_away", ()):
                P.go(d, c["candles"] - 1.6 - 0.4 * rng.random(), v["parents"], "family", 25)
        elif cal != "muslim" and rng.random() < 0.45:
            P.go(d, c["sunset"] - 0.4 + rng.normal(0, 0.3), v["parents"], "family", 25)
            if rng.random() < 0.08:
                P.go(d + 1, 11.0 + rng.normal(0, 0.5), home, "home", hs)
            else:
                P.go(d, 22.8 + rng.normal(0, 0.6), home, "home", hs)
        elif cal == "muslim" and rng.random() < 0.4 and not c["ramadan"]:
            t = 16.5 + rng.normal(0, 0.5)
            P.go(d, t, v["parents"], "family", 25)
            P.go(d, t + 3 + rng.random() * 2, home, "home", hs)
        return
    # Saturday
    if cal == "observant":
        if d - 1 in v.get("shabbat_away", ()):
            P.go(d, c["havdalah"] + 0.6 + 0.5 * rng.random(), home, "home", hs)
        if rng.random() < 0.4:
            t = c["havdalah"] + 1.3 + 0.6 * rng.random()
            P.go(
                d,
                t,
                _city_point(rng, v["home_city"]) if rng.random() < 0.6 else _leisure(rng, v),
                "evening",
                40,
            )
            P.go(d, t + 1.5 + rng.random(), home, "home", hs)
        return
    if rng.random() < 0.55:
        t = 9.5 + 2.0 * rng.random()
        P.go(d, t, _leisure(rng, v, day_trip=True), "outing", 60)
        P.go(d, t + 3.0 + 3.5 * rng.random(), home, "home", hs)
    if rng.random() < 0.2:
        t = 20.3 + rng.normal(0, 0.5)
        P.go(d, t, _city_point(rng, v["home_city"]), "evening", 40)
        P.go(d, t + 1.5 + rng.random() * 1.5, home, "home", hs)


def _off_day(P, v, rng, d, c):
    """A day without work (shift workers' days off)."""
    cal_day = dict(c)
    cal_day["workday"] = False
    if c["workday"]:
        if rng.random() < 0.5:
            t = 10.0 + 4.0 * rng.random()
            P.go(d, t, v["shop"] if rng.random() < 0.6 else _leisure(rng, v), "errand", 30)
            P.go(d, t + 1.0 + rng.random() * 1.5, v["home"], "home", 12)
        return
    _civil_day(P, v, rng, d, c, wfh=True)


def _plan_office(P, v, rng, clock, days, skip=()):
    kind = v["kind"]
    base = v.get("civil_kind", kind)
    for d in range(days):
        if d in skip:
            continue
        c = _calendar_day(clock, d, v["region"], v["cal"])
        wd = clock.date(d).weekday()
        if base == "hitech_commuter":
            wfh = (wd == v["wfh_weekday"] and rng.random() < 0.75) or rng.random() < 0.05
            _civil_day(P, v, rng, d, c, dep_mean=8.6, dep_sd=0.45, hours=9.4, wfh=wfh, evening=0.25)
        elif base == "shabbat_family":
            _civil_day(
                P, v, rng, d, c, dep_mean=7.7, dep_sd=0.25, hours=9.0, wfh=rng.random() < 0.03, evening=0.25
            )
        else:
            _civil_day(
                P, v, rng, d, c, dep_mean=7.35, dep_sd=0.35, hours=9.0, wfh=rng.random() < 0.03, evening=0.18
            )


def _plan_refinery(P, v, rng, clock, days):
    cycle, off0 = v["shift_cycle"], v["cycle_offset"]
    for d in range(days):
        s = cycle[(d + off0) % len(cycle)]
        c = _calendar_day(clock, d, v["region"], v["cal"])
        w, sp = v["work"], v["work_spread"]
        if s == "M":
            P.go(d, 6.25 + rng.normal(0, 0.08), w, "work", sp)
            P.go(d, 15.3 + rng.normal(0, 0.1), v["home"], "home", 12)
        elif s == "E":
            P.go(d, 14.25 + rng.normal(0, 0.08), w, "work", sp)
            P.go(d, 23.3 + rng.normal(0, 0.1), v["home"], "home", 12)
        elif s == "N":
            P.go(d, 22.25 + rng.normal(0, 0.08), w, "work", sp)
            P.go(d + 1, 7.3 + rng.normal(0, 0.1), v["home"], "home", 12)
        else:
            _off_day(P, v, rng, d, c)


def _plan_hospital(P, v, rng, clock, days):
    w, sp = v["work"], v["work_spread"]
    if v["role"] == "nurse":
        pattern, off0 = v["shift_cycle"], v["cycle_offset"]
        for d in range(days):
            s = pattern[(d + off0) % len(pattern)]
            c = _calendar_day(clock, d, v["region"], v["cal"])
            if s == "M":
                P.go(d, 6.3 + rng.normal(0, 0.08), w, "work", sp)
                P.go(d, 15.4 + rng.normal(0, 0.15), v["home"], "home", 12)
            elif s == "E":
                P.go(d, 14.3 + rng.normal(0, 0.08), w, "work", sp)
                P.go(d, 23.4 + rng.normal(0, 0.15), v["home"], "home", 12)
            elif s == "N":
                P.go(d, 22.3 + rng.normal(0, 0.08), w, "work", sp)
                P.go(d + 1, 7.4 + rng.normal(0, 0.15), v["home"], "home", 12)
            else:
                _off_day(P, v, rng, d, c)
        return
    oncall = set(v["oncall_days"])
    d = 0
    while d < days:
        c = _calendar_day(clock, d, v["region"], v["cal"])
        if d in oncall:  # 26-hour toranut
            P.go(d, 7.2 + rng.normal(0, 0.1), w, "work", sp)
            P.go(d + 1, 10.5 + rng.normal(0, 0.7), v["home"], "home", 12)
            if d + 1 < days:
                _off_day_rest = _calendar_day(clock, d + 1, v["region"], v["cal"])
                if not _off_day_rest["workday"] and rng.random() < 0.4:
                    t = 17.0 + rng.random() * 2
                    P.go(d + 1, t, _leisure(rng, v), "outing", 50)
                    P.go(d + 1, t + 2 + rng.random(), v["home"], "home", 12)
            d += 2
            continue
        if c["workday"]:
            P.go(d, 7.2 + rng.normal(0, 0.15), w, "work", sp)
            P.go(d, 16.8 + rng.normal(0, 0.5), v["home"], "home", 12)
        else:
            _civil_day(P, v, rng, d, c)
        d += 1


def _plan_kibbutz(P, v, rng, clock, days):
    home, w = v["home"], v["work"]
    for d in range(days):
        c = _calendar_day(clock, d, v["region"], v["cal"])
        if v["dairy"]:  # milking has no weekend: two shifts a day, one day off in four
            if (d + v["cycle_offset"]) % 4 == 3:
                _off_day(P, v, rng, d, c)
                continue
            P.go(d, 4.4 + rng.normal(0, 0.08), w, "work", 40)
            P.go(d, 11.8 + rng.normal(0, 0.2), home, "home", 15)
            P.go(d, 15.3 + rng.normal(0, 0.1), w, "work", 40)
            P.go(d, 18.4 + rng.normal(0, 0.2), home, "home", 15)
            continue
        if c["workday"] or (c["fri"] and rng.random() < 0.4):
            P.go(d, 6.8 + rng.normal(0, 0.2), w, "work", 40)
            end = (12.3 if c["fri"] else 15.8) + rng.normal(0, 0.4)
            if not c["fri"] and rng.random() < 0.45:  # lunch at the dining hall by the houses
                P.go(d, 12.3 + rng.normal(0, 0.15), home, "home", 15)
                P.go(d, 13.2 + rng.normal(0, 0.15), w, "work", 40)
            P.go(d, end, home, "home", 15)
            if rng.random() < 0.15:  # shopping in town
                t = 17.5 + rng.random()
                P.go(d, t, _leisure(rng, v), "shop", 60)
                P.go(d, t + 1.5 + rng.random(), home, "home", 15)
        else:
            _civil_day(P, v, rng, d, c, wfh=True)


def _plan_reservist(P, v, rng, clock, days):
    """Civilian life outside the call-up; during it the car stays home (spouse) or at the base."""
    d0, d1 = v["duty_days"]  # on duty from day d0 to day d1-1, back home on day d1
    civ = _Plan(clock)
    _plan_office(civ, v, rng, clock, days, skip=set(range(d0, d1 + 1)))
    lo, hi = clock.local(d0, 0), clock.local(d1 + 1, 0)
    keep = [i for i in range(len(civ.t)) if not (lo <= civ.t[i] < hi)]
    extra = _Plan(clock)
    home = v["home"]
    if v["kind"] == "reservist_home":  # the reservist left by bus; the spouse uses the car now and then
        for d in range(d0, d1 + 1):
            c = _calendar_day(clock, d, v["region"], v["cal"])
            if rng.random() < 0.4 and not (c["sat"] and v["cal"] == "observant"):
                t = 8.0 + 8.0 * rng.random()
                extra.go(
                    d, t, v["shop"] if rng.random() < 0.6 else _city_point(rng, v["home_city"]), "errand", 30
                )
                extra.go(d, t + 0.7 + rng.random(), home, "home", 12)
    else:
        base = v["base"]
        extra.go(d0, 6.0 + rng.normal(0, 0.3), base, "base", 80)
        leave = []
        if d1 - d0 >= 8:  # one weekend leave
            thu = [d for d in range(d0 + 2, d1 - 3) if clock.date(d).weekday() == 3]
            leave = thu[:1]
        town = min(_CITIES, key=lambda c: _dist(base, (_CITIES[c][1], _CITIES[c][2])))
        town_near = _dist(base, (_CITIES[town][1], _CITIES[town][2])) < 30000
        d = d0 + 1
        while d < d1:
            if leave and d == leave[0]:
                extra.go(d, 15.5 + rng.normal(0, 0.4), home, "home", 12)
                extra.go(d + 1, 10.0 + 2 * rng.random(), v["shop"], "shop", 30)
                extra.go(d + 1, 12.5 + rng.random(), home, "home", 12)
                extra.go(d + 3, 5.2 + rng.normal(0, 0.2), base, "base", 80)
                d += 4
                continue
            if town_near and rng.random() < 0.15:  # an evening out in the nearest town
                t = 18.5 + rng.random()
                extra.go(d, t, _city_point(rng, town), "evening", 40)
                extra.go(d, t + 1.5 + rng.random(), base, "base", 80)
            d += 1
        extra.go(d1, 12.0 + rng.normal(0, 1.0), home, "home", 12)
    items = [(civ.t[i], 0, i) for i in keep] + [(extra.t[i], 1, i) for i in range(len(extra.t))]
    items.sort()
    for _, src, i in items:
        q = civ if src == 0 else extra
        P.t.append(q.t[i])
        P.dest.append(q.dest[i])
        P.tag.append(q.tag[i])  # noqa: E702
        P.busy.append(q.busy[i])
        P.spread.append(q.spread[i])
        P.path.append(None)
        P.meta.append(None)  # noqa: E702


def _plan_student(P, v, rng, clock, days):
    home, w, parents = v["home"], v["work"], v["parents"]
    away = set(v["weekends_away"])  # Thursdays after which the student drives to the parents
    at_parents = False
    for d in range(days):
        c = _calendar_day(clock, d, v["region"], v["cal"])
        wd = clock.date(d).weekday()
        if c["workday"]:
            if at_parents and wd == 6:  # Sunday: straight from the parents to the first class
                P.go(d, 8.4 - _est_hours(parents, w) + rng.normal(0, 0.15), w, "work", v["work_spread"])
                at_parents = False
            else:
                P.go(d, 8.2 + 2.0 * rng.random(), w, "work", v["work_spread"])
            end = (13.5 if wd == 3 else 14.0) + 3.5 * rng.random()
            if wd == 3 and d in away:
                P.go(d, end, parents, "parents", 25)
                at_parents = True
                continue
            P.go(d, end, home, "home", 12)
            if rng.random() < 0.35:
                t = 21.0 + rng.normal(0, 0.5)
                P.go(d, t, _city_point(rng, "bsv_old_city"), "evening", 40)
                P.go(d, t + 2.0 + 2.0 * rng.random(), home, "home", 12)
        elif at_parents:
            if rng.random() < 0.45:
                t = 10.0 + 8 * rng.random()
                P.go(d, t, _city_point(rng, v["parents_city"]), "errand", 40)
                P.go(d, t + 1 + 2 * rng.random(), parents, "parents", 25)
        else:
            if rng.random() < 0.4:
                t = 11.0 + 8 * rng.random()
                P.go(d, t, _leisure(rng, v), "outing", 50)
                P.go(d, t + 1.5 + 2 * rng.random(), home, "home", 12)


def _delivery_route(P, v, rng, d, start_hour, end_hour):
    """Loading at the depot, 14-26 drop-offs in today's territory, back to the depot."""
    depot = v["depot"]
    zone = v["zones"][int(rng.integers(len(v["zones"])))]
    n = int(rng.integers(14, 27)) if end_hour > 14 else int(rng.integers(8, 14))
    stops = [_city_point(rng, zone) for _ in range(n)]
    order, cur, left = [], depot, list(range(n))
    while left:  # nearest-neighbour tour
        j = min(left, key=lambda i: _dist(cur, stops[i]))
        order.append(j)
        left.remove(j)
        cur = stops[j]
    t, cur = start_hour, depot
    first = None
    for j in order:
        k = P.go(d, t, stops[j], "stop", 15, busy=True)
        first = k if first is None else first
        t += _est_hours(cur, stops[j]) + (3 + 6 * rng.random()) / 60.0
        cur = stops[j]
        if t > end_hour:
            break
    k = P.go(d, t, depot, "depot", v["depot_spread"])
    return first, k, t + _est_hours(cur, depot)


def _plan_van(P, v, rng, clock, days):
    for d in range(days):
        c = _calendar_day(clock, d, v["region"], v["cal"])
        if not (c["workday"] or (c["fri"] and rng.random() < 0.5)):
            continue
        end_hour = 12.5 if c["fri"] else 15.2 + rng.normal(0, 0.4)
        if v["kind"] == "delivery_van_home":
            k0 = P.go(d, 6.2 + rng.normal(0, 0.15), v["depot"], "work", v["depot_spread"])
            _, _, back = _delivery_route(P, v, rng, d, 7.4 + rng.normal(0, 0.1), end_hour)
            k1 = P.go(d, back + 0.3 + 0.2 * rng.random(), v["home"], "home", 12)
            P.sessions.append([None, k0, k1, float(rng.uniform(40, 200))])
        else:
            open_h = 6.4 + rng.normal(0, 0.1)
            k0, k1, _ = _delivery_route(P, v, rng, d, 7.3 + rng.normal(0, 0.1), end_hour)
            P.sessions.append([clock.local(d, open_h), k0, k1, float(rng.uniform(600, 1200))])


def _taxi_shift(P, v, rng, clock, d, start, end):
    """A taxi shift: rides until `end` (local hours of day d), then home."""
    region, home = v["region"], v["home"]
    cities = _cities_in(region)
    station = v.get("station")
    t = start
    cur = home
    first = None
    if station is not None:
        first = P.go(d, t, station, "work", v["station_spread"])
        t += _est_hours(home, station)
        cur = station
    while t < end:
        if station is not None and _dist(cur, station) < 300:
            t += (5 + 30 * rng.random()) / 60.0  # queue at the rank
        else:
            pick = _jitter(rng, cur, 900)
            if station is None or rng.random() < 0.5:
                wait = (2 + 15 * rng.random()) / 60.0  # waiting for the next order / a hail
                k = P.go(d, t + wait, pick, "pickup", 10)
                first = k if first is None else first
                t += wait + _est_hours(cur, pick) + 2 / 60.0
                cur = pick
            else:
                k = P.go(d, t + 1 / 60.0, station, "work", v["station_spread"])
                t += _est_hours(cur, station) + 1 / 60.0
                cur = station
                continue
        u = rng.random() if t < end - 1.5 else 1.0  # no long fares at the end of the shift
        if u < 0.06:
            dest = _jitter(rng, (_STATIONS["ben_gurion_airport"][1], _STATIONS["ben_gurion_airport"][2]), 60)
        elif u < 0.1:
            other = [r for r in ("ta", "jlm", "hfa", "bsv") if r != region]
            far = _cities_in(other[int(rng.integers(3))])
            dest = _city_point(rng, far[int(rng.integers(len(far)))])
        else:
            near = sorted(cities, key=lambda k: _dist(cur, (_CITIES[k][1], _CITIES[k][2])))[:8]
            dest = _city_point(rng, near[int(rng.integers(len(near)))])
        k = P.go(d, t + 1 / 60.0, dest, "dropoff", 10, busy=True)
        first = k if first is None else first
        t += _est_hours(cur, dest) + 2 / 60.0
        cur = dest
    k_end = P.go(d, t + 2 / 60.0, home, "home", 12)
    P.sessions.append([None, first if first is not None else k_end, k_end, float(rng.uniform(30, 180))])


def _plan_taxi(P, v, rng, clock, days):
    cal = v["cal"]
    for d in range(days):
        c = _calendar_day(clock, d, v["region"], cal)
        wd = clock.date(d).weekday()
        if wd == v["day_off"] or c["eid"]:
            continue
        s0 = v["shift_start"] + rng.normal(0, 0.3)
        end = s0 + v["shift_len"] + rng.normal(0, 0.5)
        if cal == "observant":
            if c["sat"]:
                if rng.random() < 0.6:  # motzei Shabbat is busy
                    _taxi_shift(P, v, rng, clock, d, c["havdalah"] + 0.5, 25.5)
                continue
            if c["fri"]:
                end = min(end, c["candles"] - 1.5)
        if c["ramadan"]:
            end = min(end, c["sunset"] - 0.5)
            if end - s0 > 2:
                _taxi_shift(P, v, rng, clock, d, s0, end)
            if rng.random() < 0.4:
                _taxi_shift(P, v, rng, clock, d, c["sunset"] + 1.4, 25.0)
            continue
        if end - s0 > 2:
            _taxi_shift(P, v, rng, clock, d, s0, end)


def _bus_journey_path(line_pts, rng, intercity):
    """Vertices of one journey with a stop every ~400 m (urban part) and the dwell at each."""
    pts = np.array(line_pts)
    lat, lon, cls, dwell = [pts[0, 0]], [pts[0, 1]], [], [0.0]
    for a, b in zip(pts[:-1], pts[1:]):
        seg = _dist(a, b)
        if intercity and seg > 3000:
            lat.append(b[0])
            lon.append(b[1])
            cls.append("M")
            dwell.append(0.0)  # noqa: E702
            continue
        n = max(1, int(round(seg / 400.0)))
        f = np.arange(1, n + 1) / n
        lat.extend(a[0] + f * (b[0] - a[0]))
        lon.extend(a[1] + f * (b[1] - a[1]))
        cls.extend(["B"] * n)
        dwell.extend(list(15 + 30 * rng.random(n)))
    dwell[-1] = 0.0
    return np.array(lat), np.array(lon), cls, np.array(dwell)


def _plan_bus(P, v, rng, clock, days):
    line = v["line"]
    pts = line[4]
    shabbat, intercity = line[5], line[6]
    est = (
        sum(_dist(a, b) for a, b in zip(pts[:-1], pts[1:])) * 1.1 / (60000.0 if intercity else 16000.0)
    )  # hours per journey incl. stops
    jref = v["journey_base"]
    for d in range(days):
        c = _calendar_day(clock, d, v["region"], "observant")
        if c["sat"]:
            blocks = [(9.0, 22.0)] if shabbat else ([(c["havdalah"] + 0.6, 23.4)] if v["motzash"] else [])
        elif c["fri"]:
            blocks = [(5.3, 12.6), (14.1, 23.2)] if shabbat else [(5.4, c["candles"] - 2.2)]
        else:
            blocks = [(5.3, 12.6), (14.1, 23.2)]
        for b0, b1 in blocks:
            t = round((b0 + rng.normal(0, 0.05)) * 60.0) / 60.0
            first = last = None
            direction = 1
            while t + 2 * est < b1 or direction == 2:
                path = _bus_journey_path(pts if direction == 1 else pts[::-1], rng, intercity)
                dest = pts[-1] if direction == 1 else pts[0]
                jref += 1
                k = P.go(
                    d,
                    t,
                    dest,
                    "terminal" if direction == 1 else "depot",
                    0.0,
                    busy=True,
                    path=path,
                    meta={
                        "journey": jref,
                        "dir": direction,
                        "aimed": clock.local(d, t),
                        "dest_stop": v["stops"][direction - 1],
                    },
                )
                first = k if first is None else first
                last = k
                layover = (8 + 10 * rng.random()) / 60.0 if not c["sat"] else (15 + 20 * rng.random()) / 60.0
                t = math.ceil((t + est + layover) * 12.0) / 12.0  # timetable on 5-minute steps
                direction = 2 if direction == 1 else 1
            if first is not None:
                P.blocks.append([first, last])


# ----------------------------------------------------------------------------------------------
# execution: plans -> continuous true tracks (piecewise-linear knots)
# ----------------------------------------------------------------------------------------------
def _execute(P: _Plan, v, router: _Router, rng, clock: _Clock) -> dict:
    n = len(P.t)
    desired = clock.to_utc(np.asarray(P.t, dtype=np.float64)) if n else np.zeros(0)
    act_dep, act_arr = np.zeros(n), np.zeros(n)
    start = v["start"]
    t0 = clock.w0 - 3 * 86400.0
    kt, klat, klon = [np.array([t0])], [np.array([start[0]])], [np.array([start[1]])]
    trips = {"dep": [], "arr": [], "busy": [], "to": [], "move": []}
    cur, cur_arr = start, t0
    for k in range(n):
        dep = max(float(desired[k]), cur_arr + 60.0)
        path = P.path[k]
        if path is None:
            dest = _jitter(rng, P.dest[k], P.spread[k] / 1.5) if P.spread[k] > 0 else P.dest[k]
            if _dist(cur, dest) < 40:  # already there
                act_dep[k] = act_arr[k] = dep
                continue
            lat, lon, cls = router.polyline(cur, dest, rng)
            dwell = None
        else:
            lat, lon, cls, dwell = path
            lat, lon = lat.copy(), lon.copy()
        cls_a = np.array(cls)
        seg = _hav(lat[:-1], lon[:-1], lat[1:], lon[1:]) * np.where(cls_a == "M", 1.04, 1.15)
        local = float(clock.to_local(np.array([dep]))[0]) - clock.day0
        wd = clock.date(int(local // 86400)).weekday()
        f = _traffic(
            cls, (local % 86400) / 3600.0, wd not in (4, 5), wd == 4, float(lat.mean()), float(lon.mean())
        )
        speed = np.minimum(
            np.array([_SPEED_KMH[c] for c in cls])
            / 3.6
            * f
            * rng.lognormal(0, 0.08)
            * rng.lognormal(0, 0.12, len(cls)),
            108.0 / 3.6,
        )
        dt = np.maximum(seg / speed, 1.0)
        if dwell is None:
            t = dep + np.concatenate([[0.0], np.cumsum(dt)])
            kt.append(t)
            klat.append(lat)
            klon.append(lon)  # noqa: E702
        else:
            arrive = (
                dep + np.concatenate([[0.0], np.cumsum(dt)]) + np.concatenate([[0.0], np.cumsum(dwell[:-1])])
            )
            has = dwell > 0
            t = np.concatenate([arrive, arrive[has] + dwell[has]])
            la = np.concatenate([lat, lat[has]])
            lo = np.concatenate([lon, lon[has]])
            o = np.argsort(t, kind="stable")
            t, la, lo = t[o], la[o], lo[o]
            kt.append(t)
            klat.append(la)
            klon.append(lo)  # noqa: E702
            lat, lon = la, lo
        act_dep[k], act_arr[k] = dep, float(t[-1])
        trips["dep"].append(dep)
        trips["arr"].append(float(t[-1]))
        trips["busy"].append(P.busy[k])  # noqa: E702
        trips["to"].append(P.tag[k])
        trips["move"].append(k)  # noqa: E702
        cur, cur_arr = (float(lat[-1]), float(lon[-1])), float(t[-1])
    kt.append(np.array([max(cur_arr, clock.w1) + 3 * 86400.0]))
    klat.append(np.array([cur[0]]))
    klon.append(np.array([cur[1]]))  # noqa: E702
    tr = {key: np.array(val) for key, val in trips.items()}
    if len(tr["dep"]) == 0:
        tr = {
            "dep": np.zeros(0),
            "arr": np.zeros(0),
            "busy": np.zeros(0, bool),
            "to": np.zeros(0, "<U12"),
            "move": np.zeros(0, int),
        }
    kt, klat, klon = np.concatenate(kt), np.concatenate(klat), np.concatenate(klon)
    seg = _hav(klat[:-1], klon[:-1], klat[1:], klon[1:])
    sdt = np.diff(kt)
    seg_speed = np.where(sdt > 0, seg / np.maximum(sdt, 1e-9), 0.0)
    seg_brg = _bearing(klat[:-1], klon[:-1], klat[1:], klon[1:])
    return {
        "kt": kt,
        "klat": klat,
        "klon": klon,
        "seg_speed": seg_speed,
        "seg_brg": seg_brg,
        "trips": tr,
        "act_dep": act_dep,
        "act_arr": act_arr,
    }


def _at(track, t):
    """True position, speed (m/s) and heading at the instants t."""
    kt = track["kt"]
    lat = np.interp(t, kt, track["klat"])
    lon = np.interp(t, kt, track["klon"])
    j = np.clip(np.searchsorted(kt, t, side="right") - 1, 0, len(kt) - 2)
    return lat, lon, track["seg_speed"][j], track["seg_brg"][j]


def _ranges(starts, ends, step, first_offset):
    """All starts + first_offset + step*k below ends, per range (vectorised)."""
    n = np.maximum(np.ceil((ends - starts - first_offset) / step).astype(np.int64), 0)
    idx = np.repeat(np.arange(len(starts)), n)
    k = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    return idx, starts[idx] + first_offset + step * k, k


ST_ON, ST_DRIVE, ST_OFF, ST_PARK = 0, 1, 2, 3


def _sample_tracker(track, v, rng, clock) -> dict:
    tr = track["trips"]
    dep, arr = tr["dep"], tr["arr"]
    i1, t1, k1 = _ranges(dep, arr, 60.0, 0.0)
    stay_tag = np.concatenate([[v["start_tag"]], tr["to"]]).astype(str)
    ug = np.array(
        [(tg == "home" and v["ug_home"]) or (tg == "work" and v["ug_work"]) for tg in stay_tag], dtype=bool
    )
    st1 = np.where(k1 == 0, ST_ON, ST_DRIVE)
    inv1 = (k1 == 0) & ug[i1]  # ignition on down in the garage: no fix yet
    t2, st2, inv2 = arr, np.full(len(arr), ST_OFF), ug[1:]
    s_start = np.concatenate([[clock.w0 - 3600.0 * rng.random()], arr])
    s_end = np.concatenate([dep, [clock.w1 + 7200.0]])
    i3, t3, _ = _ranges(s_start, s_end - 30.0, 3600.0, 3600.0)
    st3, inv3 = np.full(len(t3), ST_PARK), ug[i3]
    t = np.concatenate([t1, t2, t3])
    st = np.concatenate([st1, st2, st3])
    inv = np.concatenate([inv1, inv2, inv3])
    keep = (t >= clock.w0) & (t < clock.w1)
    t, st, inv = t[keep], st[keep], inv[keep]
    o = np.argsort(t, kind="stable")
    t, st, inv = np.round(t[o]), st[o], inv[o]
    lat, lon, spd, brg = _at(track, t)
    lat = lat + rng.normal(0, 4.0, len(t)) / 111320.0
    lon = lon + rng.normal(0, 4.0, len(t)) / 94000.0
    spd_kmh = np.where(st == ST_DRIVE, spd * 3.6 * (1 + rng.normal(0, 0.06, len(t))), 0.0)
    head = np.where(st == ST_DRIVE, brg, 0.0)
    return {
        "t": t,
        "lat": lat,
        "lon": lon,
        "speed": np.maximum(np.round(spd_kmh), 0),
        "heading": np.round(head) % 360,
        "status": st,
        "valid": ~inv,
    }


def _sample_app(track, v, rng, clock, sessions) -> dict:
    starts = np.array([s[0] for s in sessions], dtype=np.float64)
    ends = np.array([s[1] for s in sessions], dtype=np.float64)
    _, t, _ = _ranges(starts, ends, 30.0, 0.0)
    t = np.round(t + rng.integers(-3, 4, len(t)))
    t = np.unique(t[(t >= clock.w0) & (t < clock.w1)])
    lat, lon, spd, brg = _at(track, t)
    acc = np.round(rng.gamma(3.0, 2.5, len(t)) + 2.0, 1)
    err = acc / 1.8
    lat = lat + rng.normal(0, 1, len(t)) * err / 111320.0
    lon = lon + rng.normal(0, 1, len(t)) * err / 94000.0
    tr = track["trips"]
    j = np.clip(np.searchsorted(tr["dep"], t, side="right") - 1, 0, max(len(tr["dep"]) - 1, 0))
    if len(tr["dep"]):
        busy = (t >= tr["dep"][j]) & (t < tr["arr"][j]) & tr["busy"][j]
    else:
        busy = np.zeros(len(t), bool)
    moving = spd > 0.5
    return {
        "t": t,
        "lat": lat,
        "lon": lon,
        "speed": np.where(moving, spd * (1 + rng.normal(0, 0.05, len(t))), 0.0),
        "heading": np.where(moving, brg, np.nan),
        "acc": acc,
        "busy": busy,
        "network": np.zeros(len(t), bool),
    }


def _sample_siri(track, v, rng, clock, P: _Plan) -> dict:
    out = {k: [] for k in ("t", "poll", "move")}
    origin = clock.w0 + 17.0
    for first, last in P.blocks:  # the unit keeps reporting a few minutes at the depot terminal
        b0, b1 = track["act_dep"][first], track["act_arr"][last] + rng.uniform(240, 540)
        k0, k1 = math.ceil((b0 - origin) / 120.0), math.floor((b1 - origin) / 120.0)
        if k1 < k0:
            continue
        polls = origin + 120.0 * np.arange(k0, k1 + 1)
        rec = np.maximum(polls - rng.uniform(5, 70, len(polls)), b0)
        arr = track["act_arr"][first : last + 1]
        m = first + np.clip(np.searchsorted(arr, rec, side="left"), 0, last - first)
        out["t"].append(np.round(rec))
        out["poll"].append(polls)
        out["move"].append(m)  # noqa: E702
    res = {k: (np.concatenate(val) if val else np.zeros(0)) for k, val in out.items()}
    keep = (res["t"] >= clock.w0) & (res["t"] < clock.w1)
    res = {k: val[keep] for k, val in res.items()}
    res["move"] = res["move"].astype(np.int64)
    lat, lon, spd, brg = _at(track, res["t"])
    n = len(res["t"])
    res["lat"] = lat + rng.normal(0, 5.0, n) / 111320.0
    res["lon"] = lon + rng.normal(0, 5.0, n) / 94000.0
    res["speed"] = np.round(spd * 3.6)
    res["heading"] = np.where(spd > 0.5, np.round(brg) % 360, 0)
    return res


# ----------------------------------------------------------------------------------------------
# the fleet: who drives what, where they live and work
# ----------------------------------------------------------------------------------------------
def _allocate(n: int) -> list[str]:
    total = sum(w for _, w in _KIND_WEIGHTS)
    raw = np.array([w * n / total for _, w in _KIND_WEIGHTS])
    cnt = np.floor(raw).astype(int)
    for i in np.argsort(-(raw - cnt), kind="stable")[: n - cnt.sum()]:
        cnt[i] += 1
    if n >= len(_KIND_WEIGHTS):  # small fleets still get one of every life
        while (cnt == 0).any():
            cnt[int(np.argmax(cnt))] -= 1
            cnt[int(np.nonzero(cnt == 0)[0][0])] += 1
    return [k for (k, _), c in zip(_KIND_WEIGHTS, cnt) for _ in range(c)]


def _pick(rng, options, p=None):
    if p is not None:
        p = np.asarray(p, float) / np.sum(p)
    return options[int(rng.choice(len(options), p=p))]


def _calendar_of(rng, city):
    mix = _MIX[_CITIES[city][5]]
    keys = list(mix)
    return _pick(rng, keys, [mix[k] for k in keys])


def _place_away(rng, home, city, min_m=300.0):
    for _ in range(20):
        p = _city_point(rng, city)
        if _dist(p, home) >= min_m:
            return p
    return _shift(home, min_m, min_m)


def _plate(rng, year, used, hyphen=True):
    while True:
        if year >= 2017:
            a, b, c = int(rng.integers(100, 1000)), int(rng.integers(0, 100)), int(rng.integers(0, 1000))
            s = f"{a:03d}-{b:02d}-{c:03d}"
        else:
            a, b, c = int(rng.integers(10, 100)), int(rng.integers(0, 1000)), int(rng.integers(0, 100))
            s = f"{a:02d}-{b:03d}-{c:02d}"
        if s not in used:
            used.add(s)
            return s if hyphen else s.replace("-", "")


def _build_fleet(n: int, days: int, seed: int, clock: _Clock) -> list[dict]:
    g = np.random.default_rng([seed, 1001])
    kinds = _allocate(n)
    kinds = [kinds[i] for i in g.permutation(n)]
    used: set[str] = set()
    fleet = []
    n_bus = 0
    region_p = {"hitech_commuter": [0.6, 0.15, 0.15, 0.1], "shabbat_family": [0.55, 0.37, 0.0, 0.08]}
    regions = ["ta", "jlm", "hfa", "bsv"]
    for i, kind in enumerate(kinds):
        rng = np.random.default_rng([seed, 7919, i])
        v = {
            "idx": i,
            "kind": kind,
            "platform": _PLATFORM_OF.get(kind, TRACKER_PLATFORM),
            "ug_home": False,
            "ug_work": False,
            "work": None,
            "work_key": None,
            "start_tag": "home",
        }
        region = _pick(rng, regions, region_p.get(kind, [0.5, 0.2, 0.18, 0.12]))
        civil = kind
        if kind in ("reservist_home", "reservist_base"):
            civil = "hitech_commuter" if rng.random() < 0.5 else "commuter"
            v["civil_kind"] = civil
        # ---- home --------------------------------------------------------------------------
        if kind == "refinery_shift":
            region = "hfa"
            city = _pick(
                rng,
                [
                    "kiryat_bialik",
                    "kiryat_motzkin",
                    "kiryat_yam",
                    "kiryat_ata",
                    "nesher",
                    "tirat_carmel",
                    "shefaamr",
                    "daliyat",
                    "haifa_hadar",
                    "kiryat_tivon",
                ],
            )
        elif kind == "student":
            region = "bsv"
            city = _pick(rng, ["bsv_ramot", "bsv_neve_zeev", "omer", "bsv_old_city"])
        elif kind == "kibbutz_member":
            kib = _pick(rng, list(_KIBBUTZIM))
            region = _KIBBUTZIM[kib][3]
            city = None
        elif kind == "bus":
            line = _LINES[n_bus % len(_LINES)]
            n_bus += 1
            region = line[0]
            city = None
        elif kind == "shabbat_family":
            opts = [c for c in _cities_in(region) if _CITIES[c][5] in ("observant", "mixed_obs")]
            city = _pick(rng, opts)
        else:
            city = _pick(rng, _cities_in(region))
        v["region"] = region
        if city is not None:
            v["home_city"] = city
            v["home"] = _city_point(rng, city)
            cal = _calendar_of(rng, city)
            if kind == "shabbat_family":
                cal = "observant"
            elif kind in ("refinery_shift", "hospital_shift", "taxi_roaming") and cal == "observant":
                cal = "secular"
            v["cal"] = cal
        # ---- work and the rest of the life -------------------------------------------------
        if civil in ("hitech_commuter", "commuter", "shabbat_family"):
            if civil == "hitech_commuter" or (civil == "shabbat_family" and rng.random() < 0.3):
                key = _pick(rng, _HITECH_PARKS[region])
            else:
                key = _pick(rng, _OFFICES[region])
            w = _WORK[key]
            v["work_key"] = key
            v["work"] = _in_disc(rng, (w[1], w[2]), w[3])
            v["work_spread"] = 40.0
            v["wfh_weekday"] = _pick(rng, [6, 3, 2]) if civil == "hitech_commuter" else -1
            v["ug_work"] = key in _UNDERGROUND_WORK and rng.random() < 0.7
            v["school"] = (
                _place_away(rng, v["home"], city, 500)
                if rng.random() < (0.6 if v["cal"] == "observant" else 0.35)
                else None
            )
        elif kind == "refinery_shift":
            v["work"] = _in_disc(rng, (_REFINERY[1], _REFINERY[2]), 120)
            v["work_spread"] = 50.0
            v["shift_cycle"], v["cycle_offset"] = "MMEENNOO", int(rng.integers(8))
        elif kind == "hospital_shift":
            key = _pick(rng, [h for h in _HOSPITALS if _HOSPITALS[h][4] == region])
            h = _HOSPITALS[key]
            v["work_key"] = key
            v["work"] = _in_disc(rng, (h[1], h[2]), h[3] / 2)
            v["work_spread"] = 35.0
            v["ug_work"] = h[5]
            v["role"] = "nurse" if rng.random() < 0.55 else "doctor"
            if v["role"] == "nurse":
                v["shift_cycle"] = _pick(rng, ["MMOEENNOOMMEOO", "EEMMOONNNOOMEO", "MOMEENNOOMMOEO"])
                v["cycle_offset"] = int(rng.integers(14))
            else:
                oc, d = [], int(rng.integers(0, 6))
                while d < days:
                    oc.append(d)
                    d += int(rng.integers(6, 9))
                v["oncall_days"] = oc
        elif kind == "kibbutz_member":
            kname, res, ent, _ = _KIBBUTZIM[kib]
            v["kibbutz"] = kib
            v["home"] = _in_disc(rng, res, 150)
            v["work"] = _in_disc(rng, ent, 60)
            v["work_spread"] = 30.0
            v["cal"] = "secular"
            v["dairy"] = rng.random() < 0.3
            v["cycle_offset"] = int(rng.integers(4))
            near = sorted(_cities_in(region), key=lambda c: _dist(res, (_CITIES[c][1], _CITIES[c][2])))
            v["home_city"] = near[0]
        elif kind == "student":
            camp = _pick(rng, ["bgu", "sce", "soroka"], [0.6, 0.25, 0.15])
            cp = _CAMPUSES[camp]
            v["work_key"] = camp
            v["work"] = _in_disc(rng, (cp[0], cp[1]), cp[2] / 2)
            v["work_spread"] = 60.0
            v["cal"] = "secular"
        elif kind in ("delivery_van_home", "delivery_van_depot"):
            key = _pick(rng, [k for k in _DEPOTS if _DEPOTS[k][4] == region])
            dp = _DEPOTS[key]
            v["depot_key"] = key
            v["depot"] = _in_disc(rng, (dp[1], dp[2]), dp[3] / 2)
            v["depot_spread"] = 25.0
            near = sorted(
                _cities_in(region), key=lambda c: _dist(v["depot"], (_CITIES[c][1], _CITIES[c][2]))
            )[:6]
            v["zones"] = [near[int(j)] for j in rng.choice(len(near), 2, replace=False)]
            if kind == "delivery_van_home":
                v["work"] = v["depot"]
                v["work_spread"] = 25.0
            else:
                v["home"] = v["depot"]
                v["start_tag"] = "depot"
        elif kind in ("taxi_station", "taxi_roaming"):
            if kind == "taxi_station":
                key = _pick(rng, [k for k in _STATIONS if _STATIONS[k][4] == region])
                st = _STATIONS[key]
                v["station_key"] = key
                v["station"] = _in_disc(rng, (st[1], st[2]), st[3] / 2)
                v["station_spread"] = 20.0
                v["work"] = v["station"]
            v["shift_start"] = 6.0 + 1.5 * rng.random() if rng.random() < 0.65 else 13.0 + 1.5 * rng.random()
            v["shift_len"] = 9.0 + 2.0 * rng.random()
            if v["cal"] == "observant":
                v["day_off"] = -1
            elif v["cal"] == "muslim" and rng.random() < 0.5:
                v["day_off"] = 4
            else:
                v["day_off"] = int(rng.integers(7))
        elif kind == "bus":
            v["line"] = line
            v["home"] = tuple(line[4][0])
            v["start_tag"] = "depot"
            v["cal"] = "observant"  # the timetable keeps Shabbat (but see the Haifa lines)
            v["journey_base"] = int(rng.integers(10_000_000, 90_000_000))
            v["stops"] = (str(int(rng.integers(10000, 60000))), str(int(rng.integers(10000, 60000))))
            v["motzash"] = rng.random() < 0.6
        # ---- people around ------------------------------------------------------------------
        if "home_city" in v:
            if kind == "student":
                pc = _pick(rng, [c for c in _CITIES if _CITIES[c][4] != "bsv"] + ["dimona", "ofakim"])
            elif rng.random() < 0.75:
                pc = _pick(rng, _cities_in(region))
            else:
                pc = _pick(rng, list(_CITIES))
            v["parents_city"] = pc
            v["parents"] = _place_away(rng, v["home"], pc, 800)
            v["shop"] = _place_away(rng, v["home"], v["home_city"], 300)
        if v.get("cal") == "observant" and kind != "bus":
            v["shabbat_away"] = [
                d for d in range(days) if clock.date(d).weekday() == 4 and rng.random() < 0.2
            ]
        if kind == "student":
            v["weekends_away"] = [
                d for d in range(days) if clock.date(d).weekday() == 3 and rng.random() < 0.65
            ]
        if kind in ("reservist_home", "reservist_base"):
            frac = (0.25, 0.36) if kind == "reservist_base" else (0.3, 0.5)
            length = max(2, int(round(days * rng.uniform(*frac))))
            d0 = int(rng.integers(1, max(2, days - length - 1)))
            while clock.date(d0).weekday() in (4, 5):  # call-ups report on a working day
                d0 += 1
            d1 = min(d0 + length, days - 1)
            if clock.date(d1).weekday() == 5 and d1 + 1 < days:  # released on Shabbat: home on Sunday
                d1 += 1
            v["duty_days"] = (d0, max(d1, d0 + 1))
            if kind == "reservist_base":
                bkey = _pick(rng, list(_BASES), [0.25, 0.25, 0.15, 0.2, 0.15])
                v["base_key"] = bkey
                v["base"] = _in_disc(rng, _BASES[bkey], 200)
        dense = ("tel_aviv", "ramat_gan", "givatayim", "bnei_brak", "jlm_rehavia", "haifa_")
        if (
            v["platform"] == TRACKER_PLATFORM
            and kind != "kibbutz_member"
            and any(v.get("home_city", "").startswith(p) for p in dense)
        ):
            v["ug_home"] = rng.random() < 0.3
        v["start"] = v["home"]
        # ---- registration --------------------------------------------------------------------
        year = int(rng.integers(2012, 2025))
        if kind == "bus":
            make, model = _pick(rng, _BUSES)
            year = max(year, 2015)
        elif kind.startswith("taxi"):
            make, model = _pick(rng, _TAXI_CARS)
            year = max(year, 2018)
        elif kind.startswith("delivery_van"):
            make, model = _pick(rng, _VANS)
        elif kind == "shabbat_family":
            make, model = _pick(rng, _FAMILY_CARS)
        else:
            make, model = _pick(rng, _CARS)
        if kind == "hitech_commuter" or v.get("civil_kind") == "hitech_commuter":
            year = max(year, 2021)  # leasing cars are young
        v["year"], v["make"], v["model"] = year, make, model
        v["fuel"] = (
            "electric"
            if make in ("Tesla", "BYD")
            else "hybrid"
            if "Hybrid" in model or model in ("Niro", "Ioniq", "C-HR")
            else "diesel"
            if kind in ("bus",) or kind.startswith("delivery")
            else "petrol"
        )
        v["id"] = _plate(rng, year, used, hyphen=v["platform"] == TRACKER_PLATFORM)
        arab = v.get("cal") in ("muslim", "druze")
        first = _pick(rng, _FIRST_AR if arab else _FIRST)
        last = _pick(rng, _LAST_AR if arab else _LAST)
        v["driver"] = f"{first} {last}"
        if v["platform"] == TRACKER_PLATFORM:
            v["unit"] = "TRK-4G" if year >= 2019 or rng.random() < 0.5 else "TRK-2G"
        elif v["platform"] == APP_PLATFORM:
            v["unit"] = _pick(rng, ["Android 13", "Android 14", "iOS 17"])
        else:
            v["unit"] = "AVL-SIRI"
        v["ownership"] = (
            "operator"
            if kind == "bus"
            else "company"
            if kind.startswith("delivery")
            else "kibbutz"
            if kind == "kibbutz_member"
            else "leasing"
            if (civil == "hitech_commuter" and rng.random() < 0.8)
            or (civil == "commuter" and rng.random() < 0.3)
            else "private"
        )
        fleet.append(v)
    return fleet


def _make_plan(v, rng, clock, days) -> _Plan:
    P = _Plan(clock)
    k = v["kind"]
    if k in ("hitech_commuter", "commuter", "shabbat_family"):
        _plan_office(P, v, rng, clock, days)
    elif k == "refinery_shift":
        _plan_refinery(P, v, rng, clock, days)
    elif k == "hospital_shift":
        _plan_hospital(P, v, rng, clock, days)
    elif k == "kibbutz_member":
        _plan_kibbutz(P, v, rng, clock, days)
    elif k in ("reservist_home", "reservist_base"):
        _plan_reservist(P, v, rng, clock, days)
    elif k == "student":
        _plan_student(P, v, rng, clock, days)
    elif k.startswith("delivery_van"):
        _plan_van(P, v, rng, clock, days)
    elif k.startswith("taxi"):
        _plan_taxi(P, v, rng, clock, days)
    elif k == "bus":
        _plan_bus(P, v, rng, clock, days)
    return P


# ----------------------------------------------------------------------------------------------
# faults
# ----------------------------------------------------------------------------------------------
def _zone_mask(zone, lat, lon):
    if zone == "north":
        return (lat >= 32.55) & (lat < 33.4)
    return (lat >= 31.85) & (lat < 32.40) & (lon < 34.98)


def _episodes(seed, clock: _Clock, days: int) -> list[dict]:
    """GPS interference of spring 2024: spoofing (fixes at Beirut airport / Cairo) and jamming."""
    g = np.random.default_rng([seed, 2024])
    eps = []
    for zone, p_spoof, dur, p_jam in (("north", 0.45, (1.0, 4.0), 0.3), ("center", 0.15, (0.5, 2.0), 0.0)):
        sdays = [d for d in range(days) if g.random() < p_spoof]
        if not sdays:
            sdays = [min(2, days - 1)]
        spoofs = []
        for d in sdays:
            h0 = 6.0 + 15.0 * g.random()
            s = float(clock.to_utc(np.array([clock.local(d, h0)]))[0])
            target = BEIRUT_AIRPORT if zone == "north" or g.random() < 0.7 else CAIRO_AIRPORT
            spoofs.append(
                {
                    "type": "spoofing",
                    "zone": zone,
                    "start": s,
                    "end": s + 3600.0 * g.uniform(*dur),
                    "target": target,
                }
            )
        eps += spoofs
        for d in range(days):
            if g.random() < p_jam:
                h0 = 5.0 + 17.0 * g.random()
                s = float(clock.to_utc(np.array([clock.local(d, h0)]))[0])
                e = s + 3600.0 * g.uniform(1.0, 5.0)
                if all(e <= x["start"] or s >= x["end"] for x in spoofs):
                    eps.append({"type": "jamming", "zone": zone, "start": s, "end": e, "target": None})
    eps.sort(key=lambda x: (x["start"], x["zone"]))
    return eps


def _interfere(rows, platform, episodes, rng):
    n = len(rows["t"])
    spoof = np.zeros(n, bool)
    jam = np.zeros(n, bool)
    for ep in episodes:
        m = (
            (rows["t"] >= ep["start"])
            & (rows["t"] < ep["end"])
            & _zone_mask(ep["zone"], rows["lat"], rows["lon"])
        )
        if not m.any():
            continue
        if ep["type"] == "spoofing":
            if platform == TRACKER_PLATFORM:
                m &= rows["valid"]
            k = int(m.sum())
            rows["lat"][m] = ep["target"][0] + rng.normal(0, 8.0, k) / 111320.0
            rows["lon"][m] = ep["target"][1] + rng.normal(0, 8.0, k) / 92000.0
            rows["speed"][m] = 0.0
            rows["heading"][m] = np.nan if platform == APP_PLATFORM else 0.0
            if platform == APP_PLATFORM:
                rows["acc"][m] = np.round(rng.uniform(3.0, 6.0, k), 1)
            spoof |= m
        else:
            jam |= m
    if platform == TRACKER_PLATFORM:
        rows["valid"] &= ~jam
    elif platform == APP_PLATFORM:  # the phone falls back to a cell / Wi-Fi position
        k = int(jam.sum())
        acc = np.round(rng.uniform(600.0, 2500.0, k), 0)
        rows["lat"][jam] += rng.normal(0, 1, k) * acc / 2 / 111320.0
        rows["lon"][jam] += rng.normal(0, 1, k) * acc / 2 / 94000.0
        rows["acc"][jam] = acc
        rows["speed"][jam] = np.nan
        rows["heading"][jam] = np.nan
        rows["network"] |= jam
    else:  # an AVL unit without a fix sends nothing the feed can use
        keep = ~jam
        for key in list(rows):
            rows[key] = rows[key][keep]
        spoof = spoof[keep]
    rows["spoof"] = spoof
    return rows


def _drop(rows, mask):
    keep = ~mask
    for key in list(rows):
        rows[key] = rows[key][keep]


def _eu_offset(utc):
    a = EU_DST_START_UTC.timestamp()
    b = EU_DST_END_UTC.timestamp()
    return 7200.0 + 3600.0 * ((utc >= a) & (utc < b))


# ----------------------------------------------------------------------------------------------
# writers
# ----------------------------------------------------------------------------------------------
def _locality_table():
    names, lat, lon = [], [], []
    for c in _CITIES.values():
        names.append(c[0])
        lat.append(c[1])
        lon.append(c[2])  # noqa: E702
    for tab in (_WORK, _DEPOTS, _STATIONS):
        for c in tab.values():
            names.append(c[0])
            lat.append(c[1])
            lon.append(c[2])  # noqa: E702
    for c in _HOSPITALS.values():
        names.append(c[0])
        lat.append(c[1])
        lon.append(c[2])  # noqa: E702
    for kname, res, ent, _ in _KIBBUTZIM.values():
        for p in (res, ent):
            names.append(kname)
            lat.append(p[0])
            lon.append(p[1])  # noqa: E702
    return np.array(names, dtype=object), np.array(lat), np.array(lon)


def _localities(lat, lon):
    names, plat, plon = _locality_table()
    out = np.empty(len(lat), dtype=object)
    for s in range(0, len(lat), 40000):
        la, lo = lat[s : s + 40000, None], lon[s : s + 40000, None]
        d2 = ((la - plat[None, :]) * 111.32) ** 2 + ((lo - plon[None, :]) * 94.6) ** 2
        j = np.argmin(d2, axis=1)
        near = d2[np.arange(len(j)), j] < 3.5**2
        out[s : s + 40000] = np.where(near, names[j], "")
    return out


def _stamp_strings(naive_seconds):
    """'YYYY-MM-DDTHH:MM:SS' for local wall-clock seconds (as if UTC)."""
    return np.datetime_as_string(np.asarray(naive_seconds, dtype="int64").astype("datetime64[s]"), unit="s")


def _iso_local(clock, utc):
    """ISO 8601 local time with the UTC offset Israel had at that instant, e.g. 2024-03-29T08:00:00+03:00."""
    utc = np.asarray(utc, dtype=np.float64)
    off = clock.offset(utc)
    s = _stamp_strings(utc + off).astype(object)
    u, inv = np.unique(off, return_inverse=True)
    suffix = np.array(
        [("+" if o >= 0 else "-") + f"{int(abs(o)) // 3600:02d}:{int(abs(o)) % 3600 // 60:02d}" for o in u],
        dtype=object,
    )
    return s + suffix[inv]


_STATUS_HE = np.array(["התנעה", "בנסיעה", "כיבוי", "חניה"], dtype=object)
TRACKER_COLUMNS = [
    "מספר רכב",
    "שם נהג",
    "תאריך",
    "שעה",
    "קו רוחב",
    "קו אורך",
    'מהירות (קמ"ש)',
    "כיוון",
    "סטטוס",
    "תקינות GPS",
    "יישוב",
]


def _write_tracker_csv(path: Path, parts: list[dict], clock: _Clock, days: int):
    cols = {
        k: np.concatenate([p[k] for p in parts])
        for k in ("written", "lat", "lon", "speed", "heading", "status", "valid")
    }
    ids = np.concatenate([np.full(len(p["written"]), p["id"], dtype=object) for p in parts])
    drv = np.concatenate([np.full(len(p["written"]), p["driver"], dtype=object) for p in parts])
    valid = cols["valid"]
    lat = np.where(valid, cols["lat"], 0.0)
    lon = np.where(valid, cols["lon"], 0.0)
    stamp = pd.Series(_stamp_strings(cols["written"]), dtype=object)
    loc = _localities(lat, lon)
    loc[~valid] = ""
    df = pd.DataFrame(
        {
            TRACKER_COLUMNS[0]: ids,
            TRACKER_COLUMNS[1]: drv,
            TRACKER_COLUMNS[2]: stamp.str.slice(8, 10)
            + "/"
            + stamp.str.slice(5, 7)
            + "/"
            + stamp.str.slice(0, 4),
            TRACKER_COLUMNS[3]: stamp.str.slice(11, 19),
            TRACKER_COLUMNS[4]: lat,
            TRACKER_COLUMNS[5]: lon,
            TRACKER_COLUMNS[6]: np.where(valid, cols["speed"], 0).astype(np.int64),
            TRACKER_COLUMNS[7]: np.where(valid, cols["heading"], 0).astype(np.int64),
            TRACKER_COLUMNS[8]: _STATUS_HE[cols["status"].astype(int)],
            TRACKER_COLUMNS[9]: np.where(valid, "תקין", "לא תקין"),
            TRACKER_COLUMNS[10]: loc,
        }
    )
    last = clock.date(days - 1)
    with open(path, "w", encoding="cp1255", newline="") as fh:
        fh.write("דוח היסטוריית מיקומים - כל הרכבים\r\n")
        fh.write(f"מתאריך {START_DATE:%d/%m/%Y} עד תאריך {last:%d/%m/%Y}\r\n")
        df.to_csv(fh, index=False, lineterminator="\r\n", float_format="%.6f")


def _write_app_parquet(path: Path, parts: list[dict]):
    n = [len(p["t"]) for p in parts]
    plate = np.concatenate([np.full(k, p["id"], dtype=object) for k, p in zip(n, parts)])
    status = np.concatenate(
        [
            np.where(p["busy"], "hired", "free") if p["taxi"] else np.full(len(p["t"]), "on_route")
            for p in parts
        ]
    ).astype(object)
    cat = {
        k: np.concatenate([p[k] for p in parts])
        for k in ("t", "lat", "lon", "acc", "speed", "heading", "network")
    }
    table = pa.table(
        {
            "plate": pa.array(plate, pa.string()),
            "fix_time": pa.array((cat["t"] * 1000).astype(np.int64), pa.timestamp("ms", tz="UTC")),
            "lat": pa.array(np.round(cat["lat"], 7), pa.float64()),
            "lon": pa.array(np.round(cat["lon"], 7), pa.float64()),
            "accuracy_m": pa.array(cat["acc"].astype(np.float32), pa.float32()),
            "speed_mps": pa.array(np.round(cat["speed"], 2).astype(np.float32), pa.float32()),
            "bearing_deg": pa.array(np.round(cat["heading"], 1).astype(np.float32), pa.float32()),
            "provider": pa.array(np.where(cat["network"], "network", "gps").astype(object), pa.string()),
            "status": pa.array(status, pa.string()),
        }
    )
    pq.write_table(table, path, compression="snappy", row_group_size=200_000)


def _write_siri_xml(path: Path, parts: list[dict], clock: _Clock):
    cols = {
        k: np.concatenate([p[k] for p in parts])
        for k in ("t", "poll", "lat", "lon", "speed", "heading", "journey", "dir", "aimed")
    }
    txt = {
        k: np.concatenate([np.full(len(p["t"]), p[k], dtype=object) for p in parts])
        for k in ("id", "line_ref", "line_name", "operator")
    }
    dest = np.concatenate([p["dest_stop"] for p in parts]).astype(object)
    order = np.lexsort((txt["id"].astype(str), cols["t"], cols["poll"]))
    cols = {k: val[order] for k, val in cols.items()}
    txt = {k: val[order] for k, val in txt.items()}
    dest = dest[order]
    rec = _iso_local(clock, cols["t"])
    aimed = _iso_local(clock, cols["aimed"])
    frame = pd.Series(aimed, dtype=object).str.slice(0, 10).values
    S = lambda a: pd.Series(a).astype(str).astype(object).values  # noqa: E731
    body = (
        "<VehicleActivity><RecordedAtTime>"
        + rec
        + "</RecordedAtTime><MonitoredVehicleJourney><LineRef>"
        + txt["line_ref"]
        + "</LineRef><DirectionRef>"
        + S(cols["dir"].astype(int))
        + "</DirectionRef><FramedVehicleJourneyRef><DataFrameRef>"
        + frame
        + "</DataFrameRef><DatedVehicleJourneyRef>"
        + S(cols["journey"].astype(np.int64))
        + "</DatedVehicleJourneyRef></FramedVehicleJourneyRef><PublishedLineName>"
        + txt["line_name"]
        + "</PublishedLineName><OperatorRef>"
        + txt["operator"]
        + "</OperatorRef><DestinationRef>"
        + dest
        + "</DestinationRef><OriginAimedDepartureTime>"
        + aimed
        + "</OriginAimedDepartureTime><VehicleLocation><Longitude>"
        + S(np.char.mod("%.6f", cols["lon"]))
        + "</Longitude><Latitude>"
        + S(np.char.mod("%.6f", cols["lat"]))
        + "</Latitude></VehicleLocation><Bearing>"
        + S(cols["heading"].astype(int))
        + "</Bearing><Velocity>"
        + S(cols["speed"].astype(int))
        + "</Velocity><VehicleRef>"
        + txt["id"]
        + "</VehicleRef></MonitoredVehicleJourney></VehicleActivity>\n"
    )
    poll = cols["poll"]
    first = np.ones(len(poll), bool)
    first[1:] = poll[1:] != poll[:-1]
    lastm = np.ones(len(poll), bool)
    lastm[:-1] = poll[1:] != poll[:-1]
    ps = _iso_local(clock, poll)
    head = np.where(
        first,
        '<VehicleMonitoringDelivery version="2.7"><ResponseTimestamp>'
        + ps.astype(object)
        + "</ResponseTimestamp>\n",
        "",
    ).astype(object)
    tail = np.where(lastm, "</VehicleMonitoringDelivery>\n", "").astype(object)
    text = "".join((head + body + tail).tolist())
    first_ts = ps[0] if len(ps) else _iso_local(clock, np.array([clock.w0]))[0]
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<Siri xmlns="http://www.siri.org.uk/siri" version="2.7">\n'
            f"<ServiceDelivery><ResponseTimestamp>{first_ts}</ResponseTimestamp><ProducerRef>MOT</ProducerRef>\n"
        )
        fh.write(text)
        fh.write("</ServiceDelivery>\n</Siri>\n")


# ----------------------------------------------------------------------------------------------
# the whole folder
# ----------------------------------------------------------------------------------------------
def _place(p):
    return None if p is None else [round(float(p[0]), 6), round(float(p[1]), 6)]


def _utc_iso(t: float) -> str:
    return datetime.fromtimestamp(float(t), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _n_of(frac, n, lo=1):
    return min(n, max(lo, int(round(frac * n)))) if n else 0


def write_levant_fleet(folder, vehicles: int = 120, days: int = 28, seed: int = 0) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    clock = _Clock(days)
    router = _Router()
    fleet = _build_fleet(vehicles, days, seed, clock)
    episodes = _episodes(seed, clock, days)
    g = np.random.default_rng([seed, 31337])
    A = [v for v in fleet if v["platform"] == TRACKER_PLATFORM]
    B = [v for v in fleet if v["platform"] == APP_PLATFORM]
    if A and not any(v["ug_home"] or v["ug_work"] for v in A):
        A[0]["ug_home"] = True
    # --- which tracker units get which fault ---------------------------------------------------
    nA = len(A)
    perm = [int(i) for i in g.permutation(nA)]
    n_eu, n_nd, n_gap = _n_of(0.07, nA), _n_of(0.04, nA), _n_of(0.07, nA)
    eu_ids = {A[i]["id"] for i in perm[:n_eu]}
    nd_ids = {A[i]["id"] for i in perm[n_eu : n_eu + n_nd]}
    gap_vs = [A[i] for i in perm[n_eu + n_nd : n_eu + n_nd + n_gap]]
    dup_ids = {A[int(i)]["id"] for i in g.choice(nA, _n_of(0.12, nA), replace=False)} if nA else set()
    for v in A:
        if v["id"] in eu_ids or v["id"] in nd_ids:
            v["unit"] = "TRK-2G"
    gaps = []
    for v in gap_vs:
        length = min(g.uniform(1.5, 4.5), 0.2 * days) * 86400.0
        s = clock.w0 + g.uniform(1.0, max(1.0, days - 1.0 - length / 86400.0)) * 86400.0
        gaps.append(
            {
                "vehicle_id": v["id"],
                "start": round(s),
                "end": round(s + length),
                "cause": "tracker offline (unit unplugged / no cellular service); nothing buffered",
            }
        )
    b_gap_ids = {B[int(i)]["id"] for i in g.choice(len(B), _n_of(0.2, len(B)), replace=False)} if B else set()

    parts_a, parts_b, parts_c = [], [], []
    counts = {"spoof": {}, "zero": {}, "network": {}, "dup_a": {}, "dup_c": {}, "eu": {}, "nd": {}}
    for v in fleet:
        rng = np.random.default_rng([seed, 4242, v["idx"]])
        P = _make_plan(v, rng, clock, days)
        track = _execute(P, v, router, rng, clock)
        vid = v["id"]
        if v["platform"] == TRACKER_PLATFORM:
            rows = _sample_tracker(track, v, rng, clock)
            for gp in gaps:
                if gp["vehicle_id"] == vid:
                    _drop(rows, (rows["t"] >= gp["start"]) & (rows["t"] < gp["end"]))
            rows = _interfere(rows, TRACKER_PLATFORM, episodes, rng)
            if vid in eu_ids:
                off = _eu_offset(rows["t"])
            elif vid in nd_ids:
                off = np.full(len(rows["t"]), 7200.0)
            else:
                off = clock.offset(rows["t"])
            rows["written"] = rows["t"] + off
            rows["wrong_clock"] = off != clock.offset(rows["t"])
            dup = np.zeros(len(rows["t"]), bool)
            if vid in dup_ids and len(dup) > 60:
                for _ in range(int(rng.integers(1, 4))):
                    L = int(rng.integers(5, 41))
                    s0 = int(rng.integers(0, len(dup) - L))
                    dup[s0 : s0 + L] = True
            rep = np.repeat(np.arange(len(dup)), 1 + dup.astype(int))
            for key in list(rows):
                rows[key] = rows[key][rep]
            if dup.any():
                counts["dup_a"][vid] = int(dup.sum())
            if (~rows["valid"]).any():
                counts["zero"][vid] = int((~rows["valid"]).sum())
            if vid in eu_ids:
                counts["eu"][vid] = int(rows["wrong_clock"].sum())
            if vid in nd_ids:
                counts["nd"][vid] = int(rows["wrong_clock"].sum())
            rows["id"], rows["driver"] = vid, v["driver"]
            parts_a.append(rows)
        elif v["platform"] == APP_PLATFORM:
            sess = []
            for open_t, first, last, post in P.sessions:
                s0 = (
                    float(clock.to_utc(np.array([open_t]))[0])
                    if open_t is not None
                    else track["act_dep"][first] - 20.0
                )
                sess.append((s0, track["act_arr"][last] + post))
            rows = _sample_app(track, v, rng, clock, sess)
            if vid in b_gap_ids:
                long = [s for s in sess if s[1] - s[0] > 3 * 3600 and clock.w0 < s[0] and s[1] < clock.w1]
                for j in sorted(
                    rng.choice(len(long), min(len(long), int(rng.integers(1, 5))), replace=False)
                ):
                    s0, s1 = long[int(j)]
                    ln = 60.0 * rng.uniform(20, 90)
                    a = s0 + 1800 + rng.random() * max(0.0, s1 - s0 - 3600 - ln)
                    gaps.append(
                        {
                            "vehicle_id": vid,
                            "start": round(a),
                            "end": round(a + ln),
                            "cause": "driver app killed by the phone's battery saver during a shift",
                        }
                    )
                    _drop(rows, (rows["t"] >= round(a)) & (rows["t"] < round(a + ln)))
            rows = _interfere(rows, APP_PLATFORM, episodes, rng)
            if rows["network"].any():
                counts["network"][vid] = int(rows["network"].sum())
            rows["id"], rows["taxi"] = vid, v["kind"].startswith("taxi")
            parts_b.append(rows)
        else:
            rows = _sample_siri(track, v, rng, clock, P)
            m = rows["move"]
            rows["journey"] = np.array([P.meta[k]["journey"] for k in m], dtype=np.int64)
            rows["dir"] = np.array([P.meta[k]["dir"] for k in m], dtype=np.int64)
            rows["aimed"] = clock.to_utc(np.array([P.meta[k]["aimed"] for k in m], dtype=np.float64))
            rows["dest_stop"] = np.array([P.meta[k]["dest_stop"] for k in m], dtype=object)
            rows = _interfere(rows, SIRI_PLATFORM, episodes, rng)
            rep = rng.random(len(rows["t"])) < 0.03  # the feed served the same record again next poll
            idx = np.concatenate([np.arange(len(rep)), np.nonzero(rep)[0]])
            later = np.concatenate([np.zeros(len(rep)), np.full(int(rep.sum()), 120.0)])
            for key in list(rows):
                rows[key] = rows[key][idx]
            rows["poll"] = rows["poll"] + later
            if rep.any():
                counts["dup_c"][vid] = int(rep.sum())
            line = v["line"]
            rows.update(id=vid, line_ref=line[2], line_name=line[3], operator=line[1])
            parts_c.append(rows)
        if rows["spoof"].any():
            counts["spoof"][vid] = int(rows["spoof"].sum())

    last = clock.date(days - 1)
    parts_a.sort(key=lambda r: r["id"])  # platform exports are ordered by vehicle, then time
    parts_b.sort(key=lambda r: r["id"])
    files = {}
    if parts_a:
        files[TRACKER_PLATFORM] = f"location_history_{START_DATE:%d%m%Y}_{last:%d%m%Y}.csv"
        _write_tracker_csv(folder / files[TRACKER_PLATFORM], parts_a, clock, days)
    if parts_b:
        files[APP_PLATFORM] = "driver_app_positions.parquet"
        _write_app_parquet(folder / files[APP_PLATFORM], parts_b)
    if parts_c:
        files[SIRI_PLATFORM] = f"siri_vm_{START_DATE:%Y-%m-%d}_{last:%Y-%m-%d}.xml"
        _write_siri_xml(folder / files[SIRI_PLATFORM], parts_c, clock)

    ordered = sorted(fleet, key=lambda v: v["id"])
    # --- vehicles.csv -------------------------------------------------------------------------
    pd.DataFrame(
        {
            "vehicle_id": [v["id"] for v in ordered],
            "source_file": [files[v["platform"]] for v in ordered],
            "make": [v["make"] for v in ordered],
            "model": [v["model"] for v in ordered],
            "model_year": [v["year"] for v in ordered],
            "fuel": [v["fuel"] for v in ordered],
            "unit": [v["unit"] for v in ordered],
            "ownership": [v["ownership"] for v in ordered],
        }
    ).to_csv(folder / "vehicles.csv", index=False, lineterminator="\n")
    # --- labels.csv ---------------------------------------------------------------------------
    lg = np.random.default_rng([seed, 555])
    chosen = sorted(int(i) for i in lg.permutation(len(ordered))[: int(round(0.75 * len(ordered)))])
    lab = []
    for i in chosen:
        v = ordered[i]
        for name in ("home", "work"):
            if v[name] is not None:
                brg, r = lg.random() * 2 * math.pi, lg.uniform(15, 60)
                p = _shift(v[name], r * math.cos(brg), r * math.sin(brg))
                lab.append([v["id"], name, p[0], p[1], v])
    wrong = []
    for j in sorted(int(x) for x in lg.choice(len(lab), _n_of(0.05, len(lab)), replace=False)) if lab else []:
        vid, name, _, _, v = lab[j]
        other = "work" if name == "home" else "home"
        if v[other] is not None and _dist(v[other], v[name]) > 1000:
            p = _jitter(lg, v[other], 25)
            reason = f"coordinates of the {other} place"
        else:
            cands = [c for c in _CITIES if 5000 < _dist(v[name], (_CITIES[c][1], _CITIES[c][2])) < 80000]
            p = _city_point(lg, cands[int(lg.integers(len(cands)))])
            reason = "address geocoded to the same street name in another town"
        lab[j][2], lab[j][3] = p[0], p[1]
        wrong.append({"vehicle_id": vid, "label": name, "reason": reason})
    pd.DataFrame(
        {
            "vehicle_id": [r[0] for r in lab],
            "label": [r[1] for r in lab],
            "lat": np.round([r[2] for r in lab], 6),
            "lon": np.round([r[3] for r in lab], 6),
        }
    ).to_csv(folder / "labels.csv", index=False, lineterminator="\n")
    # --- truth.json ---------------------------------------------------------------------------
    tv = {}
    for v in ordered:
        t = {
            "home": _place(v["home"]),
            "work": _place(v["work"]),
            "kind": v["kind"],
            "platform": v["platform"],
            "file": files[v["platform"]],
            "region": _REGION_NAMES[v["region"]],
            "calendar": v.get("cal"),
        }
        if v.get("civil_kind"):
            t["civil_kind"] = v["civil_kind"]
        for key in (
            "work_key",
            "station_key",
            "depot_key",
            "base_key",
            "kibbutz",
            "role",
            "shift_cycle",
            "cycle_offset",
            "dairy",
            "home_city",
            "parents_city",
        ):
            if v.get(key) is not None:
                t[key] = v[key]
        if v.get("parents") is not None and v["kind"] != "bus":
            t["parents"] = _place(v["parents"])
        if v.get("base") is not None:
            t["base"] = _place(v["base"])
        if v.get("depot") is not None:
            t["depot"] = _place(v["depot"])
        if v.get("duty_days"):
            d0, d1 = v["duty_days"]
            t["reserve_duty"] = [str(clock.date(d0)), str(clock.date(d1 - 1))]
            t["car_during_duty"] = "base" if v["kind"] == "reservist_base" else "home"
        if v.get("oncall_days"):
            t["oncall_dates"] = [str(clock.date(d)) for d in v["oncall_days"]]
        if v.get("weekends_away"):
            t["drives_to_parents_on"] = [str(clock.date(d)) for d in v["weekends_away"]]
        if v.get("shabbat_away"):
            t["shabbat_at_parents_from"] = [str(clock.date(d)) for d in v["shabbat_away"]]
        if v.get("wfh_weekday", -1) >= 0:
            t["wfh_weekday"] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][v["wfh_weekday"]]
        if v["kind"] == "bus":
            t.update(
                line=v["line"][3],
                operator_ref=v["line"][1],
                shabbat_service=v["line"][5],
                after_shabbat_service=bool(v["motzash"]),
            )
        if v["kind"].startswith("taxi"):
            t.update(
                shift_start_hour=round(v["shift_start"], 2),
                day_off=(
                    ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][v["day_off"]]
                    if v["day_off"] >= 0
                    else "Shabbat"
                ),
            )
        t["underground_home"] = bool(v["ug_home"])
        t["underground_work"] = bool(v["ug_work"])
        tv[v["id"]] = t

    def ep_json(typ):
        return [
            {
                "zone": e["zone"],
                "start_utc": _utc_iso(e["start"]),
                "end_utc": _utc_iso(e["end"]),
                **({"lat": e["target"][0], "lon": e["target"][1]} if e["target"] else {}),
            }
            for e in episodes
            if e["type"] == typ
        ]

    srt = lambda d: {k: d[k] for k in sorted(d)}  # noqa: E731
    faults = {
        "gps_spoofing": {
            "what": "fixes replaced by the spoofed position (Beirut or Cairo airport, +-10 m), speed 0",
            "episodes": ep_json("spoofing"),
            "rows": srt(counts["spoof"]),
            "total_rows": int(sum(counts["spoof"].values())),
        },
        "gps_jamming": {
            "what": "no fix: tracker rows 0/0 'לא תקין', app rows provider=network, SIRI rows dropped",
            "episodes": ep_json("jamming"),
            "app_network_rows": srt(counts["network"]),
        },
        "no_fix_zero_rows": {
            "what": "tracker rows lat=lon=0.000000, תקינות GPS='לא תקין' (jamming, underground parking)",
            "rows": srt(counts["zero"]),
            "underground_home": sorted(v["id"] for v in A if v["ug_home"]),
            "underground_work": sorted(v["id"] for v in A if v["ug_work"]),
        },
        "duplicates": {
            "tracker_repeated_rows": srt(counts["dup_a"]),
            "siri_repeated_records": srt(counts["dup_c"]),
        },
        "gaps": [
            {
                "vehicle_id": x["vehicle_id"],
                "start_utc": _utc_iso(x["start"]),
                "end_utc": _utc_iso(x["end"]),
                "cause": x["cause"],
            }
            for x in sorted(gaps, key=lambda x: (x["vehicle_id"], x["start"]))
        ],
        "dst_eu_rules": {
            "what": "unit applies the EU summer-time rule: stamps 1 h behind Israel time in the window",
            "vehicles": sorted(eu_ids),
            "wrong_from_utc": "2024-03-29T00:00:00Z",
            "wrong_until_utc": _utc_iso(EU_DST_START_UTC.timestamp()),
            "rows": srt(counts["eu"]),
        },
        "dst_never": {
            "what": "unit fixed at UTC+2 (no summer time): stamps 1 h behind Israel time from the change on",
            "vehicles": sorted(nd_ids),
            "wrong_from_utc": "2024-03-29T00:00:00Z",
            "rows": srt(counts["nd"]),
        },
    }
    truth = {
        "tz": TZ_NAME,
        "window": {
            "first_local_date": str(START_DATE),
            "last_local_date": str(last),
            "start_utc": _utc_iso(clock.w0),
            "end_utc": _utc_iso(clock.w1),
        },
        "vehicles": tv,
        "wrong_labels": wrong,
        "faults": faults,
    }
    with open(folder / "truth.json", "w", encoding="utf-8", newline="\n") as fh:
        json.dump(truth, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    return folder


def main(argv=None):
    ap = argparse.ArgumentParser(description="Write the 'levant' synthetic fleet (Israel, spring 2024).")
    ap.add_argument("out", help="output folder")
    ap.add_argument("--vehicles", type=int, default=120)
    ap.add_argument("--days", type=int, default=28)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    print(write_levant_fleet(a.out, vehicles=a.vehicles, days=a.days, seed=a.seed))


if __name__ == "__main__":
    main()
