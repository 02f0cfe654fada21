"""Synthetic fleet "siam": Thailand (Bangkok, the Eastern Seaboard, Chiang Mai) over Songkran 2024.

Spec sheet for the files this generator writes. Everything an importer needs is here.

Window, place and clock
-----------------------
* 28 days (``days``) from Monday 2024-04-01 00:00 local time.  Thailand keeps UTC+7 all year
  (IANA ``Asia/Bangkok``, no daylight saving).  Songkran, 13-15 April 2024, is inside the window:
  Bangkok empties, tens of thousands of cars, buses and phones go to their home provinces for
  several nights, and the highways north and north-east crawl (11-12 April out, 15-16 April back).
* Public holidays in the window: Sat 6 April (Chakri Day, substituted Mon 8 April), 13-15 April
  (Songkran, Sat-Mon, substituted Tue 16 April).  Offices also bridge Fri 12 April.  Factories on
  the Eastern Seaboard close Fri 12 - Tue 16 April.  International schools in Bangkok are in term
  except 8 April and their Songkran break (Thu 11 - Fri 19 April).
* Places are real: central Bangkok (Silom, Sathorn, Asok, Ratchaprasong, Rama 9, Ari,
  Chaeng Watthana, Bang Na), its suburbs (Nonthaburi, Pak Kret, Rangsit, Samut Prakan, Bang Phli,
  Lat Krabang, Min Buri, Bang Khae ...), the Eastern Seaboard industrial estates (Amata City
  Chonburi, Laem Chabang, Pinthong, WHA Eastern Seaboard, Amata City Rayong, Map Ta Phut), Laem
  Chabang port, Chiang Mai (Warorot market, the old city, Nimman, San Kamphaeng, Mae Rim,
  Lamphun, Mae Jo), and the home provinces of Isan and the lower north (Khon Kaen, Nakhon
  Ratchasima, Udon Thani, Ubon Ratchathani, Buri Ram, Surin, Si Sa Ket, Roi Et, Maha Sarakham,
  Nakhon Sawan, Phitsanulok), plus Pattaya and Hua Hin for holiday trips.  Estate, depot and
  school positions are approximate (within ~1-2 km).  Trips follow a hand-made road graph
  (Sukhumvit, Rama IV, Phahonyothin, Vibhavadi, Ratchadaphisek, Srinagarindra, Bang Na-Trat,
  Motorway 7 to Laem Chabang, Sukhumvit Rd to Si Racha, Route 331/36 to Rayong, Highways 1, 2,
  24, 32, 117, 304, 35, Chiang Mai's 1006, 107, 106, 1001, 118 and the moat roads): straight
  segments between real junctions, with traffic-light stops, rush-hour crawl in Bangkok
  (06:30-09:30 and 16:00-19:30 on working days), empty Bangkok roads during Songkran and the
  Songkran exodus jams on the highways.

Files (all at the top level of the folder)
------------------------------------------
1. ``dlt_gps_history_2567-04.csv`` - a Thai fleet-tracking web platform's raw history export for
   DLT-certified GPS boxes (the Department of Land Transport requires them, with a driver's
   licence card reader, on hired trucks and buses).  Container trucks and staff buses.
   * Encoding Windows-874 (cp874, the Windows code page for Thai; a superset of TIS-620),
     CRLF line ends, comma delimiter, no quoting needed (no field holds a comma).
   * Four report-title lines come before the header (title, date range in B.E., export time,
     an empty line); the header is line 5.
   * Columns: ``ลำดับ`` (row number 1..n in file order), ``ทะเบียนรถ`` (plate, the vehicle id,
     e.g. ``70-4821 กรุงเทพมหานคร``, ``30-5512 ชลบุรี``), ``วันที่`` (date ``dd/mm/yyyy`` in the
     Buddhist Era: year 2567 = 2024 CE, so 13/04/2567 is 13 April 2024), ``เวลา`` (``HH:MM:SS``),
     ``ละติจูด`` / ``ลองจิจูด`` (WGS84 decimal degrees, 6 decimals), ``ความเร็ว (กม./ชม.)``
     (integer km/h), ``ทิศทาง (องศา)`` (course, integer degrees from north), ``สถานะ`` (state:
     ``วิ่ง`` moving, ``จอดติดเครื่อง`` stopped with the engine running, ``จอดดับเครื่อง``
     parked with the engine off, ``ไฟหลักถูกตัด`` main power cut - see faults),
     ``สัญญาณ GPS`` (``ปกติ`` or ``ไม่มีสัญญาณ`` no fix), ``การรูดบัตร`` (driver licence card:
     ``รูดบัตรแล้ว`` swiped, ``ยังไม่รูดบัตร`` not swiped, empty when the engine is off),
     ``สถานที่`` (the platform's reverse-geocoded district, e.g. ``อ.ศรีราชา จ.ชลบุรี``, or
     ``เขตลาดกระบัง กรุงเทพมหานคร`` - the nearest district in its gazetteer, coarse; empty when
     there is no fix).  Course is 0 while parked.
   * Time: naive local wall clock, UTC+7 (Asia/Bangkok), date and time in two columns.
   * Sampling: one row every 60 s while the ignition is on (moving or idling), one row every
     10 min while parked with the engine off, plus one row at each ignition change.
   * Row order: grouped per GPS box (vehicle), and within a box in the order the server
     received the rows (NOT always GPS time order - see store-and-forward below).
2. ``cm_songthaew_coop_2567.csv`` - a Chiang Mai songthaew co-operative's tracking system export.
   * UTF-8 with a byte-order mark, CRLF line ends, comma delimiter.
   * Columns: ``ทะเบียนรถ`` (plate, the vehicle id, e.g. ``10-2471 เชียงใหม่``), ``วันเวลา``
     (date and time in ONE column, Buddhist Era and written in Thai digits ๐๑๒๓๔๕๖๗๘๙:
     ``๑๓/๐๔/๒๕๖๗ ๐๘:๐๓:๐๗`` is 13 April 2024 08:03:07), ``ละติจูด``, ``ลองจิจูด`` (decimal
     degrees, Arabic digits, 6 decimals), ``ความเร็ว(กม./ชม.)`` (integer km/h),
     ``เครื่องยนต์`` (``ติด`` engine on / ``ดับ`` off), ``แรงดันไฟ(V)`` (supply voltage).
   * Time: naive local wall clock, UTC+7 (Asia/Bangkok).
   * Sampling: 30 s while moving, 60 s while stopped with the engine on, 15 min with it off.
   * Row order: by time over the whole co-operative (vehicles interleaved).
3. ``apac_telematics_th.parquet`` - a Singapore-hosted regional telematics service for OBD-II
   dongles in private cars and pickups.
   * Columns: ``device_id`` (string, the dongle's 15-digit IMEI, the vehicle id - note it looks
     like a number), ``ts`` (timestamp[ms, tz=UTC]), ``lat``, ``lon`` (float64 WGS84),
     ``speed_kmh`` (float32), ``heading_deg`` (int16), ``event`` (``ignition_on``,
     ``ignition_off``, ``position``, ``heartbeat``), ``sats`` (int8), ``hdop`` (float32).
   * Time: true UTC instants (add 7 h for Thai wall clock) - except the faulty dongles below.
   * Sampling: every 30 s with the ignition on; one ``heartbeat`` per hour while parked; an
     event row at each ignition change.  Rows sorted by device, then ``ts``.
4. ``rider_app_export.csv`` - a background-location SDK's dump from riders' Android phones.
   * UTF-8 without BOM, LF line ends, comma delimiter.
   * Columns: ``user_id`` (the vehicle id, e.g. ``rdr_3f9a2c71``), ``timestamp`` (Unix epoch
     milliseconds, UTC), ``lat``, ``lng`` (decimal degrees), ``accuracy_m`` (Android horizontal
     accuracy, metres), ``speed_mps`` (metres per second, empty when unknown), ``bearing``
     (degrees, empty when unknown), ``provider`` (``gps``, ``fused``, ``network``),
     ``battery_pct``.
   * Sampling: about every 20 s (15-25 s) while moving, every 5 min while still.  The phone is
     the tracked "vehicle": it goes wherever the rider goes, also on an inter-provincial bus.
   * Rows sorted by user, then timestamp.
5. ``vehicles.csv`` (UTF-8, comma): ``vehicle_id`` (exactly as in the ping file), ``source_file``,
   ``plate`` (Thai registration with province), ``vehicle_type`` (truck / bus / songthaew / car /
   pickup / motorcycle), ``make_model``, ``fuel``, ``registered_province`` (English), ``device``.
6. ``labels.csv`` (UTF-8, comma): ``vehicle_id,label,lat,lon`` - an analyst's geocoded
   home / work addresses for about 75 % of the vehicles (every non-null truth place of a chosen
   vehicle), 10-60 m off the truth; about 5 % of the rows are wrong on purpose (home and work
   swapped; a point 3-12 km away in another neighbourhood; for Songkran travellers the
   upcountry house labelled as home) and are listed in ``truth.json`` ``wrong_labels``.
7. ``truth.json``: ``tz`` = ``Asia/Bangkok`` (files 1 and 2 write naive local wall clock);
   ``window`` (``start_local``, ``days``); ``vehicles`` = {vehicle_id: {``home``, ``work``
   ([lat, lon] or null), ``kind``, ``file``, ``nights_away``, and kind-specific extras:
   ``school``, ``upcountry`` + ``province``, ``holiday`` (hotel), ``charter_to``, ``route``,
   ``estate``, ``shift_phase``, ``shift``, ``pattern``}}; ``wrong_labels``
   ([{``vehicle_id``, ``label``}]); ``faults``.
   ``nights_away`` maps a local date ``YYYY-MM-DD`` to where the vehicle was at 03:30 local on
   that date when that was not home (``upcountry``, ``hotel``, ``work``, ``port_truck_park``,
   ``on_the_road``, ``charter`` ...).  Outside those dates the vehicle is at home at 03:30.

Vehicle lives (kind in truth.json) and their truth
---------------------------------------------------
* ``port_truck`` (file 1; 14 of 120): container tractor-trailers (plates 70-79, hired trucks)
  based at a yard in Lat Krabang, Bang Phli or on Bang Na-Trat km 23.  Leave 04:30-06:30, load at
  a customer's factory (Bang Phli, Lat Krabang, Bang Chan, Amata City Chonburi, Wellgrow, 1-2.5 h),
  down Motorway 7 to Laem Chabang port, queue at the gate with the engine running (0.5-2.5 h),
  terminal 30-60 min, back; a second run on ~40 % of days.  After a late second run ~60 % sleep in
  the port-side truck park (``nights_away`` = ``port_truck_park``).  Mostly off on Sundays and on
  13-15 April.  home = the yard, work = null (the port and customers are routine stops).
* ``staff_bus`` (file 1; 12): contractor buses (plates 30-xx, non-fixed-route buses) that carry
  the workers of one factory on a 3 x 8 h shift plant (06:00, 14:00, 22:00 changes, Mon-Sat).
  For each change the bus leaves its depot, picks up at 6-9 village / dormitory stops (1-3 min
  each, engine running), drops at the factory 10-25 min before the change, waits (engine idling
  for the air-conditioning about half the time), takes the outgoing shift home along the same
  stops and returns to the depot; back around 23:30, out again before 05:00.  About 30 % run a
  Songkran charter: on 11 April after the 22:00 change they drive the workers to an Isan
  province overnight (``charter_to``), come back empty, and on 16 April fetch them again
  (``nights_away`` = ``charter``/``on_the_road``).  home = the depot, work = the factory.
* ``songthaew_route`` (file 2; 10): Chiang Mai fixed-route songthaews (plates 10-xx): white
  Warorot-San Kamphaeng, yellow Chang Phueak-Mae Rim, blue Warorot-Saraphi-Lamphun, green
  Warorot-Mae Jo.  05:30-06:30 to the outer terminal, shuttles with passenger stops, queues
  20-70 min (engine off) at the city terminal and 10-30 min at the outer one, home by about
  18:30.  One day off a week, half take 13 April (Songkran day) off.  home = the owner-driver's
  house near the outer end, work = the city terminal queue (``route`` names the line).
* ``songthaew_red`` (file 2; 4): Chiang Mai ``rot daeng`` that roam the city (old city gates,
  Warorot, Night Bazaar, Nimman, Maya, CMU, airport, Central Festival, Arcade bus station)
  08:00-22:00.  home = house in Saraphi / San Sai / Hang Dong / Mae Rim, work = null.
* ``office_commuter`` (file 3; 20): car owners living in the suburbs and working in a central
  Bangkok office (Silom, Sathorn, Asok, Ratchaprasong, Rama 9, Ari, Chaeng Watthana, Bang Na).
  Leave home ~06:30 (05:30-08:10) to beat the traffic, leave work 16:50-21:00, sometimes a
  mall or dinner first, Friday nights out in Thonglor / RCA until 00:30-02:00, weekend outings
  (malls, Chatuchak market, Or Tor Kor, Seacon, Mega Bangna ...).  ~20 % take a Songkran beach
  trip to Pattaya or Hua Hin (``holiday``; ``nights_away`` = ``hotel``).  home, work = office.
* ``songkran_family`` (file 3; 12): Bangkok households (70 % office workers as above, 30 %
  self-employed at home with morning market runs, work = null) who drive to the parents' village
  for Songkran: leave 11 April evening, 12 April before dawn or 12 April daytime, 1-2 rest stops,
  highway crawl; 3-5 nights at the village with daily temple / market / relative trips; back
  15 or 16 April in the return jam.  ``upcountry`` = the village, ``nights_away`` = ``upcountry``.
  home = the Bangkok house.
* ``school_run`` (file 3; 8): parents driving children to an international school (in term in
  April, see the calendar): drop 07:15-07:45 (engine running 4-12 min), then either an office
  (work = office; the children go home on the school bus) or home / errands and a pick-up
  around 15:00-15:40 with tutoring at Siam Square on Tuesdays and Thursdays (work = null).
  Saturday tutoring in Siam Square.  ~40 % drive to Hua Hin / Pattaya over Songkran.
  ``school`` gives the school; it is NOT work.
* ``grab_driver`` (file 3; 10): ride-hailing cars.  Day (06:00-17:30), long (08:00-21:00) or night
  (15:00-01:30) shifts, ~20 jobs a day anywhere in greater Bangkok incl. both airports, waits with
  the engine idling for the air-conditioning, one fixed weekly day off.  ~20 % go upcountry for
  Songkran.  home = house, work = null.
* ``shift_worker`` (file 3; 8): factory workers on the Eastern Seaboard driving their own pickup
  from a rented room 2-8 km from the estate.  3 x 8 h shifts rotating weekly (06-14, 14-22,
  22-06; ``shift_phase`` tells which in week 1), Mon-Sat, overtime to 17:00-18:00 on half of the
  morning-shift days.  During night-shift weeks the pickup is at the factory at night
  (``nights_away`` = ``work``) and at home in the day.  ~60 % drive to their Isan village for the
  Songkran shutdown.  home = rented room, work = factory.
* ``win_motortaxi`` (file 4; 10): motorcycle-taxi riders (orange vest, ``win``) at a soi-mouth
  stand (Lat Phrao 101, Sukhumvit 71, Ramkhamhaeng 24, Ari, On Nut 77, Pracha Uthit, Charan 13,
  La Salle, Ngam Wong Wan, Sathu Pradit): many 0.3-3 km rides into the soi and back, waiting at
  the stand in between; full day (06:00-19:30) or split (06:00-10:00 and 16:00-21:00) with a home
  break.  ~40 % go home upcountry by bus from Mo Chit 2 for Songkran (the phone travels; the
  motorbike stays).  home = room 0.5-2.5 km away, work = the stand.
* ``delivery_rider`` (file 4; 12): food-delivery riders around restaurant clusters (Rama 9, Ari,
  Thonglor, Silom, Lat Phrao, Bang Kapi, Victory Monument, Huai Khwang, On Nut, Siam), lunch and
  dinner peaks or a full day, waiting at hot spots between jobs.  ~40 % go upcountry by bus for
  Songkran.  home = rented room, work = null.
Vehicle ids are plates (files 1-2), IMEIs (file 3) and app user ids (file 4).

Faults planted (all in ``truth.json`` ``faults``)
-------------------------------------------------
* ``dlt_no_fix`` (file 1): after the engine starts in a covered place (yard shed, factory bus
  bay, warehouse) the box reports rows before it has a fix: ``ละติจูด`` = ``ลองจิจูด`` =
  ``0.000000``, ``สัญญาณ GPS`` = ``ไม่มีสัญญาณ``, speed 0.  ``rows`` counts them exactly.
* ``dlt_week_rollover`` (file 1): old GPS modules hit by the GPS week-number rollover: every
  date of the listed boxes is 1024 weeks (7168 days) early - April 2567 is written as
  August/September 2547 (2004 CE).  Time of day is right.  Add 7168 days to fix.
* ``dlt_store_forward`` (file 1): GSM dropouts; the box buffers rows and uploads them after
  reconnecting, so the block appears in the file 1-3 rows after where it belongs (time goes
  backwards once per episode); in some episodes the start of the block was uploaded twice
  (exact duplicate rows apart from ``ลำดับ``; time goes backwards a second time).
  ``episodes``, ``episodes_with_duplicates`` and ``duplicate_rows`` are exact.
* ``dlt_power_cut`` (file 1): drivers of some trucks pull the box's power on Motorway 7 to hide
  speeding (90-102 km/h against the 80 km/h truck limit): a ``ไฟหลักถูกตัด`` row, then nothing
  for roughly 20-50 min while the truck covers 30-70 km.  ``gaps`` lists vehicle, start (the
  power-cut row), end (the next row), both naive local, and the straight-line km between them.
* ``dlt_plate_alias`` (file 1): one vehicle's plate record was edited mid-month: from ``from``
  on its rows carry the province abbreviated (``กทม.``, ``สป.``, ``ชบ.``, ``รย.``) - the same
  truck under a second id.  Truth and labels use the full spelling only.
* ``cm_be_year_doubled`` (file 2): after an app update one songthaew's rows show the Buddhist
  year with 543 added twice: ``๓๑๑๐`` (3110) instead of ``๒๕๖๗``; subtract 543 again.
* ``obd_local_time_as_utc`` (file 3): listed dongles were configured with Bangkok wall clock
  but the server stores it as if it were UTC: their ``ts`` are 7 h too late.
* ``urban_canyon`` (files 3 and 4): within 1.2 km of the high-rise cores (Silom/Sathorn, Asok,
  Ratchaprasong/Siam, Rama 9) about 25 % of fixes are reflected 60-500 m off while the reported
  accuracy / HDOP stays good.  ``rows`` per file is exact.
* ``phone_network_fixes`` (file 4): about 6 % of still-phone fixes come from the cell/Wi-Fi
  ``network`` provider with ``accuracy_m`` 150-1500 and are really that far off.
* ``phone_mock_location`` (file 4): listed riders run a fake-GPS app to appear at a busy spot
  while actually at home; during each episode (UTC start/end given) every fix sits within a few
  metres of the fake point with ``accuracy_m`` exactly 3.0 and ``provider`` ``gps``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

NAME = "siam"
BASE_EPOCH = 1711904400  # 2024-04-01 00:00:00 +07:00
DAY = 86400
HOUR = 3600.0
MIN = 60.0
WNRO_DAYS = 7168
START_DATE = np.datetime64("2024-04-01")

F_DLT = "dlt_gps_history_2567-04.csv"
F_CM = "cm_songthaew_coop_2567.csv"
F_OBD = "apac_telematics_th.parquet"
F_APP = "rider_app_export.csv"

THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")

# ----------------------------------------------------------------------------- geometry


def km(la0, lo0, la1, lo1):
    kx = 111.32 * np.cos(np.radians((np.asarray(la0) + np.asarray(la1)) * 0.5))
    return np.hypot((np.asarray(lo1) - lo0) * kx, (np.asarray(la1) - la0) * 110.574)


def km1(la0, lo0, la1, lo1):
    """Scalar km (equirectangular)."""
    kx = 111.32 * math.cos(math.radians((la0 + la1) * 0.5))
    return math.hypot((lo1 - lo0) * kx, (la1 - la0) * 110.574)


def shift_m(la, lo, dn, de):
    return la + dn / 110574.0, lo + de / (111320.0 * np.cos(np.radians(la)))


def disk(rng, la, lo, r_km, r_min=0.0):
    r = math.sqrt(rng.uniform(r_min * r_min, r_km * r_km)) * 1000.0
    a = rng.uniform(0, 2 * math.pi)
    return tuple(float(x) for x in shift_m(la, lo, r * math.cos(a), r * math.sin(a)))


def bearing(la0, lo0, la1, lo1):
    kx = np.cos(np.radians((la0 + la1) * 0.5))
    return (np.degrees(np.arctan2((lo1 - lo0) * kx, la1 - la0)) + 360.0) % 360.0


# ----------------------------------------------------------------------------- road graph
# road classes: bkk = Bangkok street, art = Bangkok arterial / expressway-fed road, mway = motorway,
# hwy = national highway, rural = rural road, cm = Chiang Mai street, cmr = Chiang Mai radial road,
# local = access lane, soi = Bangkok soi
CLASSES = ["bkk", "art", "mway", "hwy", "rural", "cm", "cmr", "local", "soi"]
CI = {c: i for i, c in enumerate(CLASSES)}

NODES = [
    # Bangkok
    ("rattanakosin", 13.7530, 100.4960), ("yaowarat", 13.7410, 100.5090), ("hualamphong", 13.7380, 100.5170),
    ("samyan", 13.7330, 100.5290), ("saladaeng", 13.7286, 100.5343), ("chongnonsi", 13.7237, 100.5294),
    ("taksin", 13.7190, 100.5140), ("wongwianyai", 13.7255, 100.4920), ("lumphini", 13.7300, 100.5450),
    ("rama4_klongtoei", 13.7220, 100.5560), ("siam", 13.7456, 100.5340), ("ratchaprasong", 13.7469, 100.5398),
    ("nana", 13.7405, 100.5550), ("asok", 13.7370, 100.5603), ("phromphong", 13.7305, 100.5697),
    ("thonglor", 13.7245, 100.5785), ("ekkamai", 13.7196, 100.5851), ("phrakhanong", 13.7150, 100.5915),
    ("onnut", 13.7056, 100.6011), ("udomsuk", 13.6800, 100.6092), ("bangna", 13.6682, 100.6048),
    ("bearing", 13.6610, 100.6015), ("samrong", 13.6460, 100.5960), ("paknam", 13.6000, 100.5990),
    ("rama3", 13.6950, 100.5400), ("khlongtoei_port", 13.7050, 100.5650), ("victory", 13.7649, 100.5383),
    ("phayathai", 13.7570, 100.5340), ("dindaeng", 13.7700, 100.5530), ("rama9", 13.7577, 100.5650),
    ("huaikhwang", 13.7786, 100.5740), ("ratchada_latphrao", 13.8060, 100.5740), ("ari", 13.7798, 100.5446),
    ("saphankhwai", 13.7930, 100.5500), ("mochit", 13.8025, 100.5535), ("latphrao5yaek", 13.8160, 100.5610),
    ("kaset", 13.8470, 100.5720), ("latphrao71", 13.7950, 100.5950), ("latphrao101", 13.7900, 100.6130),
    ("bangkapi", 13.7660, 100.6430), ("ramkhamhaeng", 13.7560, 100.6180), ("srinakarin_n", 13.7420, 100.6440),
    ("seacon", 13.6940, 100.6480), ("srinakarin_bangna", 13.6500, 100.6800), ("minburi", 13.8130, 100.7300),
    ("fashion_island", 13.8250, 100.6790), ("latkrabang", 13.7230, 100.7600),
    ("suvarnabhumi", 13.6900, 100.7501),
    ("bangphli", 13.6120, 100.7100), ("bangphli_ie", 13.5980, 100.7450), ("laksi", 13.8870, 100.5780),
    ("donmueang", 13.9126, 100.6068), ("saimai", 13.9200, 100.6450), ("rangsit", 13.9890, 100.6170),
    ("chaengwattana", 13.9030, 100.5500), ("ngamwongwan", 13.8560, 100.5420),
    ("nonthaburi", 13.8621, 100.5144),
    ("pakkret", 13.9120, 100.4980), ("khaerai", 13.8640, 100.5310), ("bangyai", 13.8770, 100.4110),
    ("bangkruai", 13.8200, 100.4850), ("pinklao", 13.7780, 100.4760), ("thaphra", 13.7300, 100.4740),
    ("bangkhae", 13.7120, 100.4070), ("rama2", 13.6650, 100.4370), ("m7_start", 13.7330, 100.6450),
    ("mochit2", 13.8125, 100.5480),
    # east
    ("m7_latkrabang", 13.7200, 100.7700), ("m7_bangbo", 13.6000, 100.8700),
    ("m7_bangpakong", 13.5200, 100.9600),
    ("m7_chonburi", 13.3900, 101.0300), ("m7_bangsaen", 13.2700, 100.9900),
    ("m7_sriracha", 13.1750, 100.9800),
    ("m7_laemchabang", 13.1050, 100.9450), ("lcb_port", 13.0870, 100.8880), ("bnt_km30", 13.5700, 100.8200),
    ("bangpakong", 13.5000, 100.9900), ("amata_chonburi", 13.4280, 101.0250), ("chonburi", 13.3611, 100.9847),
    ("bangsaen", 13.2860, 100.9350), ("sriracha", 13.1700, 100.9400), ("laemchabang", 13.0950, 100.9200),
    ("pattaya", 12.9300, 100.8850), ("nongkham", 13.1350, 101.0050), ("bowin", 13.0500, 101.0900),
    ("amata_rayong", 13.0000, 101.1150), ("pluakdaeng", 12.9800, 101.2200), ("nikhom", 12.8500, 101.1800),
    ("maptaphut", 12.7100, 101.1500), ("rayong", 12.6814, 101.2816), ("banbueng", 13.3140, 101.1070),
    ("kochan", 13.4000, 101.3400), ("phanomsarakham", 13.7460, 101.3550), ("kabinburi", 13.9800, 101.7100),
    ("wangnamkhiao", 14.4300, 101.8500), ("phanatnikhom", 13.4500, 101.1800), ("wha_esie", 13.0600, 101.1450),
    # north and north-east
    ("wangnoi", 14.2250, 100.7200), ("saraburi", 14.5289, 100.9101), ("pakchong", 14.7080, 101.4160),
    ("korat", 14.9799, 102.0978), ("banphai", 16.0600, 102.7300), ("khonkaen", 16.4322, 102.8236),
    ("udon", 17.4138, 102.7872), ("chakkarat", 14.9300, 102.4400), ("buriram", 14.9930, 103.1029),
    ("surin", 14.8818, 103.4936), ("sisaket", 15.1186, 104.3220), ("ubon", 15.2287, 104.8564),
    ("mahasarakham", 16.1850, 103.3000), ("roiet", 16.0538, 103.6520), ("ayutthaya", 14.3550, 100.5800),
    ("singburi", 14.8900, 100.4000), ("chainat", 15.1850, 100.1250), ("nakhonsawan", 15.7047, 100.1372),
    ("phitsanulok", 16.8211, 100.2659),
    # west / south-west (Hua Hin)
    ("samutsakhon", 13.5475, 100.2744), ("samutsongkhram", 13.4098, 100.0022),
    ("phetchaburi", 13.1111, 99.9391),
    ("chaam", 12.8000, 99.9667), ("huahin", 12.5684, 99.9577),
    # Chiang Mai
    ("cm_thaphae", 18.7877, 98.9933), ("cm_warorot", 18.7905, 99.0005), ("cm_nightbazaar", 18.7855, 99.0000),
    ("cm_changphueak", 18.7960, 98.9860), ("cm_suandok", 18.7880, 98.9700), ("cm_nimman", 18.8000, 98.9680),
    ("cm_cmu", 18.8030, 98.9530), ("cm_airport", 18.7668, 98.9626), ("cm_airportplaza", 18.7675, 98.9755),
    ("cm_chiangmaigate", 18.7810, 98.9920), ("cm_arcade", 18.8050, 99.0180),
    ("cm_charoenmuang", 18.7890, 99.0100),
    ("cm_superhwy_ne", 18.8150, 99.0120), ("cm_ruamchok", 18.8300, 99.0050), ("cm_maejo", 18.8960, 99.0120),
    ("cm_sansai", 18.8450, 99.0430), ("cm_107_mid", 18.8500, 98.9650), ("cm_maerim", 18.9130, 98.9440),
    ("cm_1006_w", 18.7800, 99.0450), ("cm_bosang", 18.7680, 99.0780), ("cm_sankamphaeng", 18.7450, 99.1200),
    ("cm_106_n", 18.7500, 99.0150), ("cm_saraphi", 18.7100, 99.0390), ("cm_lamphun", 18.5740, 99.0087),
    ("cm_108_n", 18.7500, 98.9750), ("cm_hangdong", 18.6870, 98.9170), ("cm_doisaket", 18.8720, 99.1390),
    ("cm_superhwy_e", 18.7850, 99.0300), ("cm_superhwy_se", 18.7550, 99.0200),
]

EDGES = [
    # Bangkok core
    ("rattanakosin", "yaowarat", "bkk"), ("yaowarat", "hualamphong", "bkk"), ("hualamphong", "samyan", "bkk"),
    ("samyan", "saladaeng", "bkk"), ("saladaeng", "lumphini", "bkk"), ("lumphini", "rama4_klongtoei", "bkk"),
    ("rama4_klongtoei", "phrakhanong", "bkk"), ("saladaeng", "chongnonsi", "bkk"),
    ("chongnonsi", "taksin", "bkk"),
    ("taksin", "wongwianyai", "bkk"), ("chongnonsi", "rama3", "art"), ("rama3", "khlongtoei_port", "art"),
    ("khlongtoei_port", "rama4_klongtoei", "bkk"), ("rama3", "samrong", "art"),
    ("rattanakosin", "phayathai", "bkk"),
    ("siam", "ratchaprasong", "bkk"), ("siam", "samyan", "bkk"), ("siam", "phayathai", "bkk"),
    ("ratchaprasong", "lumphini", "bkk"), ("ratchaprasong", "nana", "bkk"), ("nana", "asok", "bkk"),
    ("asok", "phromphong", "bkk"), ("phromphong", "thonglor", "bkk"), ("thonglor", "ekkamai", "bkk"),
    ("ekkamai", "phrakhanong", "bkk"), ("phrakhanong", "onnut", "bkk"), ("onnut", "udomsuk", "art"),
    ("udomsuk", "bangna", "art"), ("bangna", "bearing", "art"), ("bearing", "samrong", "art"),
    ("samrong", "paknam", "art"), ("asok", "rama4_klongtoei", "bkk"), ("phayathai", "victory", "bkk"),
    ("victory", "ari", "art"), ("ari", "saphankhwai", "art"), ("saphankhwai", "mochit", "art"),
    ("mochit", "latphrao5yaek", "art"), ("mochit", "mochit2", "bkk"), ("latphrao5yaek", "kaset", "art"),
    ("kaset", "laksi", "art"), ("latphrao5yaek", "laksi", "art"), ("laksi", "donmueang", "art"),
    ("donmueang", "rangsit", "art"), ("victory", "dindaeng", "bkk"), ("dindaeng", "rama9", "art"),
    ("dindaeng", "saphankhwai", "bkk"), ("asok", "rama9", "art"), ("ratchaprasong", "dindaeng", "bkk"),
    ("rama9", "huaikhwang", "art"), ("huaikhwang", "ratchada_latphrao", "art"),
    ("ratchada_latphrao", "latphrao5yaek", "art"), ("ratchada_latphrao", "latphrao71", "art"),
    ("latphrao71", "latphrao101", "art"), ("latphrao101", "bangkapi", "art"),
    ("rama9", "ramkhamhaeng", "art"),
    ("ramkhamhaeng", "bangkapi", "art"), ("bangkapi", "minburi", "art"), ("minburi", "fashion_island", "art"),
    ("fashion_island", "kaset", "art"), ("fashion_island", "latphrao101", "art"),
    ("bangkapi", "srinakarin_n", "art"),
    ("srinakarin_n", "seacon", "art"), ("seacon", "srinakarin_bangna", "art"),
    ("srinakarin_bangna", "bangna", "art"),
    ("seacon", "onnut", "art"), ("srinakarin_bangna", "bangphli", "art"), ("bangphli", "bangphli_ie", "art"),
    ("bangphli", "suvarnabhumi", "art"), ("suvarnabhumi", "latkrabang", "art"),
    ("latkrabang", "minburi", "art"),
    ("rama9", "m7_start", "art"), ("srinakarin_n", "m7_start", "art"), ("kaset", "ngamwongwan", "art"),
    ("ngamwongwan", "khaerai", "art"), ("khaerai", "nonthaburi", "bkk"), ("khaerai", "chaengwattana", "art"),
    ("chaengwattana", "laksi", "art"), ("chaengwattana", "pakkret", "art"), ("nonthaburi", "pakkret", "bkk"),
    ("nonthaburi", "bangkruai", "bkk"), ("ngamwongwan", "mochit", "art"), ("bangkruai", "bangyai", "art"),
    ("bangkruai", "pinklao", "art"), ("pinklao", "rattanakosin", "bkk"), ("pinklao", "thaphra", "bkk"),
    ("thaphra", "wongwianyai", "bkk"), ("thaphra", "bangkhae", "art"), ("wongwianyai", "rama2", "art"),
    ("saimai", "donmueang", "art"), ("saimai", "fashion_island", "art"),
    # east
    ("m7_start", "m7_latkrabang", "mway"), ("latkrabang", "m7_latkrabang", "art"),
    ("m7_latkrabang", "m7_bangbo", "mway"), ("m7_bangbo", "m7_bangpakong", "mway"),
    ("m7_bangpakong", "m7_chonburi", "mway"), ("m7_chonburi", "m7_bangsaen", "mway"),
    ("m7_bangsaen", "m7_sriracha", "mway"), ("m7_sriracha", "m7_laemchabang", "mway"),
    ("m7_laemchabang", "lcb_port", "hwy"), ("bangphli_ie", "bnt_km30", "hwy"),
    ("bnt_km30", "bangpakong", "hwy"),
    ("bangpakong", "chonburi", "hwy"), ("bangpakong", "amata_chonburi", "hwy"),
    ("amata_chonburi", "m7_chonburi", "hwy"),
    ("amata_chonburi", "chonburi", "hwy"), ("chonburi", "bangsaen", "hwy"), ("bangsaen", "sriracha", "hwy"),
    ("sriracha", "laemchabang", "hwy"), ("laemchabang", "lcb_port", "hwy"), ("laemchabang", "pattaya", "hwy"),
    ("m7_laemchabang", "laemchabang", "hwy"), ("m7_laemchabang", "pattaya", "mway"),
    ("m7_sriracha", "nongkham", "hwy"),
    ("nongkham", "bowin", "hwy"), ("bowin", "amata_rayong", "hwy"), ("amata_rayong", "pluakdaeng", "hwy"),
    ("bowin", "wha_esie", "hwy"), ("wha_esie", "pluakdaeng", "hwy"), ("amata_rayong", "nikhom", "hwy"),
    ("nikhom", "maptaphut", "hwy"), ("maptaphut", "rayong", "hwy"), ("nikhom", "rayong", "hwy"),
    ("pattaya", "maptaphut", "mway"), ("chonburi", "banbueng", "hwy"), ("banbueng", "bowin", "rural"),
    ("banbueng", "kochan", "rural"), ("kochan", "phanomsarakham", "hwy"), ("wha_esie", "kochan", "hwy"),
    ("phanomsarakham", "kabinburi", "hwy"), ("kabinburi", "wangnamkhiao", "hwy"),
    ("wangnamkhiao", "korat", "hwy"),
    ("amata_chonburi", "phanatnikhom", "hwy"), ("phanatnikhom", "banbueng", "rural"),
    ("phanatnikhom", "kochan", "rural"),
    # north and north-east
    ("rangsit", "wangnoi", "hwy"), ("wangnoi", "saraburi", "hwy"), ("saraburi", "pakchong", "hwy"),
    ("pakchong", "korat", "hwy"), ("korat", "banphai", "hwy"), ("banphai", "khonkaen", "hwy"),
    ("khonkaen", "udon", "hwy"), ("korat", "chakkarat", "hwy"), ("chakkarat", "buriram", "hwy"),
    ("buriram", "surin", "hwy"), ("surin", "sisaket", "hwy"), ("sisaket", "ubon", "hwy"),
    ("banphai", "mahasarakham", "hwy"), ("mahasarakham", "roiet", "hwy"), ("wangnoi", "ayutthaya", "hwy"),
    ("ayutthaya", "singburi", "hwy"), ("singburi", "chainat", "hwy"), ("chainat", "nakhonsawan", "hwy"),
    ("nakhonsawan", "phitsanulok", "hwy"),
    # south-west
    ("rama2", "samutsakhon", "hwy"), ("samutsakhon", "samutsongkhram", "hwy"),
    ("samutsongkhram", "phetchaburi", "hwy"), ("phetchaburi", "chaam", "hwy"), ("chaam", "huahin", "hwy"),
    ("bangkhae", "samutsakhon", "hwy"),
    # Chiang Mai
    ("cm_thaphae", "cm_warorot", "cm"), ("cm_thaphae", "cm_nightbazaar", "cm"),
    ("cm_nightbazaar", "cm_warorot", "cm"),
    ("cm_warorot", "cm_charoenmuang", "cm"), ("cm_charoenmuang", "cm_arcade", "cm"),
    ("cm_arcade", "cm_superhwy_ne", "cmr"), ("cm_superhwy_ne", "cm_ruamchok", "cmr"),
    ("cm_ruamchok", "cm_maejo", "cmr"),
    ("cm_ruamchok", "cm_sansai", "cmr"), ("cm_superhwy_ne", "cm_doisaket", "cmr"),
    ("cm_thaphae", "cm_changphueak", "cm"),
    ("cm_changphueak", "cm_suandok", "cm"), ("cm_suandok", "cm_chiangmaigate", "cm"),
    ("cm_chiangmaigate", "cm_thaphae", "cm"), ("cm_suandok", "cm_nimman", "cm"),
    ("cm_nimman", "cm_cmu", "cm"),
    ("cm_nimman", "cm_changphueak", "cm"), ("cm_suandok", "cm_airportplaza", "cm"),
    ("cm_airportplaza", "cm_airport", "cm"), ("cm_airportplaza", "cm_chiangmaigate", "cm"),
    ("cm_chiangmaigate", "cm_108_n", "cmr"), ("cm_108_n", "cm_hangdong", "cmr"),
    ("cm_changphueak", "cm_107_mid", "cmr"),
    ("cm_107_mid", "cm_maerim", "cmr"), ("cm_charoenmuang", "cm_1006_w", "cmr"),
    ("cm_1006_w", "cm_bosang", "cmr"),
    ("cm_bosang", "cm_sankamphaeng", "cmr"), ("cm_nightbazaar", "cm_106_n", "cmr"),
    ("cm_106_n", "cm_saraphi", "cmr"),
    ("cm_saraphi", "cm_lamphun", "cmr"), ("cm_superhwy_ne", "cm_superhwy_e", "cmr"),
    ("cm_superhwy_e", "cm_1006_w", "cmr"), ("cm_superhwy_e", "cm_superhwy_se", "cmr"),
    ("cm_superhwy_se", "cm_106_n", "cmr"), ("cm_superhwy_se", "cm_108_n", "cmr"),
    ("cm_107_mid", "cm_ruamchok", "cmr"),
]

NODE_IDX = {n[0]: i for i, n in enumerate(NODES)}
NLAT = np.array([n[1] for n in NODES])
NLON = np.array([n[2] for n in NODES])
NN = len(NODES)

# free-flow speeds, km/h, per vehicle type and road class (order of CLASSES)
FREE = {
    "car": [30, 46, 100, 88, 60, 28, 50, 18, 14],
    "pickup": [30, 46, 98, 86, 62, 28, 50, 18, 14],
    "moto": [32, 42, 60, 70, 55, 28, 48, 20, 18],
    "truck": [26, 42, 78, 70, 50, 24, 42, 12, 10],
    "bus": [25, 38, 88, 82, 55, 24, 45, 14, 12],
    "coach": [25, 40, 90, 85, 60, 24, 45, 14, 12],
    "songthaew": [24, 36, 70, 70, 50, 23, 42, 14, 12],
}
FREE_ARR = {k: np.array(v, float) for k, v in FREE.items()}
VMAX = {"car": 128.0, "pickup": 122.0, "moto": 95.0, "truck": 88.0, "bus": 98.0, "coach": 104.0,
        "songthaew": 88.0}
CHUNK_KM = np.array([0.30, 0.50, 2.0, 2.0, 1.0, 0.30, 0.60, 0.15, 0.12])
P_STOP = np.array([0.33, 0.18, 0.02, 0.05, 0.08, 0.30, 0.12, 0.18, 0.14])
M_STOP = np.array([45.0, 40.0, 30.0, 30.0, 20.0, 35.0, 25.0, 15.0, 10.0])
URBAN = np.array([c in ("bkk", "art", "local", "soi") for c in CLASSES])
INTERCITY = np.array([c in ("hwy", "mway", "rural") for c in CLASSES])


def _build_graph():
    w = np.full((NN, NN), np.inf)
    np.fill_diagonal(w, 0.0)
    cls = np.full((NN, NN), -1, dtype=np.int8)
    nxt = np.tile(np.arange(NN), (NN, 1))
    for a, b, c in EDGES:
        i, j = NODE_IDX[a], NODE_IDX[b]
        d = float(km(NLAT[i], NLON[i], NLAT[j], NLON[j]))
        cost = d / FREE["car"][CI[c]]
        w[i, j] = w[j, i] = cost
        cls[i, j] = cls[j, i] = CI[c]
    nxt = np.where(np.isfinite(w), nxt, -1)
    for k in range(NN):
        alt = w[:, k:k + 1] + w[k:k + 1, :]
        better = alt < w - 1e-12
        w = np.where(better, alt, w)
        nxt = np.where(better, nxt[:, k:k + 1], nxt)
    return w, nxt, cls


GRAPH_W, GRAPH_NEXT, GRAPH_CLS = _build_graph()
_PATHS: dict = {}


def node_path(i, j):
    key = (i, j)
    p = _PATHS.get(key)
    if p is None:
        p = [i]
        if not np.isfinite(GRAPH_W[i, j]):
            p = None
        else:
            while p[-1] != j:
                p.append(int(GRAPH_NEXT[p[-1], j]))
        _PATHS[key] = p
    return p


def nearest_node(la, lo):
    kx = 111.32 * math.cos(math.radians(la))
    return int(np.argmin(((NLON - lo) * kx) ** 2 + ((NLAT - la) * 110.574) ** 2))


def in_bkk(la, lo):
    return 13.45 < la < 14.1 and 100.3 < lo < 100.9


def in_cm(la, lo):
    return la > 18.3


def plan_route(la0, lo0, la1, lo1, rng, local_cls="local"):
    """Polyline (lat, lon) and a road class per leg from one point to another."""
    d = km1(la0, lo0, la1, lo1)
    if d < 0.005:
        return np.array([la0, la1]), np.array([lo0, lo1]), np.array([CI[local_cls]])
    path = None
    if d >= 3.0:
        n0 = nearest_node(la0, lo0)
        n1 = nearest_node(la1, lo1)
        path = node_path(n0, n1) if n0 != n1 else None
    if d < 3.0 or path is None or len(path) < 2:
        f = rng.uniform(0.3, 0.7)
        off = rng.uniform(-0.22, 0.22) * d * 1000.0
        cla, clo = la0 + f * (la1 - la0), lo0 + f * (lo1 - lo0)
        ang = math.atan2(la1 - la0, (lo1 - lo0) * math.cos(math.radians(la0)))
        cla, clo = shift_m(cla, clo, off * math.cos(ang), -off * math.sin(ang))
        if d < 3.0:
            if d < 1.2:
                c = local_cls
            else:
                c = "bkk" if in_bkk(la0, lo0) else "cm" if in_cm(la0, lo0) else "rural"
        else:
            c = "rural"
        return np.array([la0, cla, la1]), np.array([lo0, clo, lo1]), np.array([CI[c], CI[c]])
    path = list(path)
    if len(path) >= 2 and km1(la0, lo0, NLAT[path[1]], NLON[path[1]]) < km1(
            NLAT[path[0]], NLON[path[0]], NLAT[path[1]], NLON[path[1]]):
        path = path[1:]
    if len(path) >= 2 and km1(la1, lo1, NLAT[path[-2]], NLON[path[-2]]) < km1(
            NLAT[path[-1]], NLON[path[-1]], NLAT[path[-2]], NLON[path[-2]]):
        path = path[:-1]
    lats = np.concatenate([[la0], NLAT[path], [la1]])
    lons = np.concatenate([[lo0], NLON[path], [lo1]])
    cls = [0] * (len(lats) - 1)
    for k in range(len(path) - 1):
        cls[k + 1] = int(GRAPH_CLS[path[k], path[k + 1]])

    def access(la, lo, nla, nlo):
        a = km1(la, lo, nla, nlo)
        if a < 1.5:
            return CI[local_cls]
        if in_bkk(la, lo):
            return CI["bkk"]
        if in_cm(la, lo):
            return CI["cm"]
        return CI["rural"]

    cls[0] = access(la0, lo0, lats[1], lons[1])
    cls[-1] = access(la1, lo1, lats[-2], lons[-2])
    seg = km(lats[:-1], lons[:-1], lats[1:], lons[1:])
    keep = np.concatenate([[True], seg > 0.001])
    lats, lons = lats[keep], lons[keep]
    cls = np.array(cls)[seg > 0.001]
    if len(lats) < 2:
        return np.array([la0, la1]), np.array([lo0, lo1]), np.array([CI[local_cls]])
    return lats, lons, cls


# ----------------------------------------------------------------------------- calendar


def wday(d):
    return d % 7  # 0 = Monday (2024-04-01 is a Monday)


OFFICE_OFF = {7, 11, 14, 15}  # 8 Apr substitute Chakri, 12 Apr bridge, 15 Apr Songkran, 16 Apr substitute
FACTORY_CLOSED = {11, 12, 13, 14, 15}
SCHOOL_BREAK = {7} | set(range(10, 19))
SONGKRAN = {12, 13, 14}


def office_day(d):
    return wday(d) < 5 and d not in OFFICE_OFF


def factory_day(d):
    return wday(d) != 6 and d not in FACTORY_CLOSED


def school_day(d):
    return wday(d) < 5 and d not in SCHOOL_BREAK


def at(d, h):
    return d * DAY + h * HOUR


def congestion(vt, t):
    """Speed factor per road class (order of CLASSES) for a trip starting at local time t."""
    d = int(t // DAY)
    h = (t % DAY) / HOUR
    fu = 1.0
    fi = 1.0
    if d in (11, 12, 13, 14, 15):
        fu = 1.3  # Bangkok empties over Songkran
    elif wday(d) < 5 and d not in OFFICE_OFF:
        if 6.5 <= h < 9.5 or 16.0 <= h < 19.5:
            fu = 0.72 if vt == "moto" else 0.45
        elif 9.5 <= h < 16.0:
            fu = 0.8
    elif 10.0 <= h < 20.0:
        fu = 0.82
    if (d == 10 and h >= 15.0) or (d == 11 and h < 22.0):
        fi = 0.5  # the exodus
    elif d in (14, 15) and 7.0 <= h < 23.0:
        fi = 0.55  # the way back
    return np.where(URBAN, fu, np.where(INTERCITY, fi, 1.0))


# ----------------------------------------------------------------------------- trips


class Trip:
    __slots__ = ("plat", "plon", "pcum", "phead", "kt", "kd", "a", "b", "v", "ccls", "dur")


def build_trip(la0, lo0, la1, lo1, t0, vt, rng, stop_boost=0.0, local_cls="local", speed_hook=None):
    plat, plon, pcls = plan_route(la0, lo0, la1, lo1, rng, local_cls)
    kx = 111.32 * math.cos(math.radians(float(plat[0])))
    dlo = plon[1:] - plon[:-1]
    dla = plat[1:] - plat[:-1]
    seg = np.maximum(np.hypot(dlo * kx, dla * 110.574), 0.001)
    n = np.maximum(1, np.ceil(seg / CHUNK_KM[pcls])).astype(np.int64)
    clen = np.repeat(seg / n, n)
    ccls = np.repeat(pcls, n)
    C = len(clen)
    v = (FREE_ARR[vt] * congestion(vt, t0))[ccls] * np.exp(rng.normal(0.0, 0.22, C))
    v = np.minimum(np.maximum(v, 4.0), VMAX[vt])
    if speed_hook is not None:
        v = speed_hook(ccls, v)
    move = clen / v * HOUR
    stop = rng.random(C) < (P_STOP + stop_boost)[ccls]
    stop[0] = False
    dwell = stop * rng.standard_exponential(C) * (M_STOP + (25.0 if stop_boost > 0 else 0.0))[ccls]
    starts = np.empty(C + 1)
    starts[0] = 0.0
    (dwell + move).cumsum(out=starts[1:])
    a = starts[:-1]
    b = a + dwell
    kt = np.empty(2 * C + 1)
    kt[0::2] = starts
    kt[1::2] = b
    cd = np.empty(C + 1)
    cd[0] = 0.0
    clen.cumsum(out=cd[1:])
    kd = np.empty(2 * C + 1)
    kd[0::2] = cd
    kd[1::2] = cd[:-1]
    tr = Trip()
    tr.plat, tr.plon = plat, plon
    pcum = np.empty(len(seg) + 1)
    pcum[0] = 0.0
    seg.cumsum(out=pcum[1:])
    tr.pcum = pcum
    tr.phead = (np.degrees(np.arctan2(dlo * (kx / 111.32), dla)) + 360.0) % 360.0
    tr.kt, tr.kd, tr.a, tr.b, tr.v, tr.ccls = kt, kd, a, b, v, ccls
    tr.dur = float(starts[-1])
    return tr


def eval_trip(tr, tau):
    tau = np.minimum(tau, tr.dur)
    dist = np.interp(tau, tr.kt, tr.kd)
    lat = np.interp(dist, tr.pcum, tr.plat)
    lon = np.interp(dist, tr.pcum, tr.plon)
    i = np.maximum(np.searchsorted(tr.a, tau, side="right") - 1, 0)
    spd = np.where(tau >= tr.b[i], tr.v[i], 0.0)
    leg = np.minimum(np.maximum(np.searchsorted(tr.pcum, dist, side="right") - 1, 0), len(tr.phead) - 1)
    return lat, lon, spd, tr.phead[leg]


# ----------------------------------------------------------------------------- timeline


class TL:
    """A vehicle's continuous timeline: stays ('S') and moves ('M'), local seconds from the start."""

    def __init__(self, rng, pos, vt, tag="home"):
        self.rng = rng
        self.lat, self.lon = pos
        self.vt = vt
        self.tag = tag
        self.t = 0.0
        self.segs = []
        self.cuts = []  # power-cut windows (absolute local seconds)
        self.mock = []  # (t0, t1, lat, lon)

    def wait(self, until, engine="off"):
        if until > self.t + 1.0:
            self.segs.append(("S", self.t, until, self.lat, self.lon, engine, self.tag))
            self.t = float(until)

    def stay_for(self, seconds, engine="off"):
        self.wait(self.t + seconds, engine)

    def go(self, pos, tag, depart=None, arrive_by=None, vt=None, spot=8.0, stop_boost=0.0,
           local_cls="local", speed_hook=None):
        vt = vt or self.vt
        if depart is not None:
            self.wait(depart)
        la1, lo1 = pos
        if spot > 0:
            la1, lo1 = shift_m(la1, lo1, self.rng.normal(0, spot), self.rng.normal(0, spot))
        t_guess = self.t
        if arrive_by is not None:
            t_guess = max(self.t, arrive_by - km1(self.lat, self.lon, la1, lo1) / 25.0 * HOUR)
        tr = build_trip(self.lat, self.lon, la1, lo1, t_guess, vt, self.rng, stop_boost, local_cls,
                        speed_hook)
        if arrive_by is not None:
            self.wait(arrive_by - tr.dur)
        self.segs.append(("M", self.t, tr))
        self.t += tr.dur
        self.lat, self.lon, self.tag = float(la1), float(lo1), tag
        return tr

    def route_point(self, pos, frac):
        """A point about `frac` along the road route from here to pos (for rest stops)."""
        plat, plon, _ = plan_route(self.lat, self.lon, pos[0], pos[1], self.rng)
        seg = km(plat[:-1], plon[:-1], plat[1:], plon[1:])
        cum = np.concatenate([[0.0], np.cumsum(seg)])
        x = frac * cum[-1]
        return float(np.interp(x, cum, plat)), float(np.interp(x, cum, plon))


# ----------------------------------------------------------------------------- places

BKK_RES = [  # residential centres (lat, lon, radius km)
    (13.8700, 100.5300, 1.8), (13.9050, 100.5350, 1.8), (13.8000, 100.5950, 1.8), (13.7850, 100.6650, 1.8),
    (13.8130, 100.7300, 2.2), (13.7000, 100.6150, 1.4), (13.6600, 100.6500, 1.8), (13.6100, 100.6300, 1.8),
    (13.7100, 100.4000, 1.8), (13.7700, 100.4700, 1.0), (13.9000, 100.6400, 1.8), (13.9950, 100.6300, 2.2),
    (13.8850, 100.4300, 1.8), (13.7650, 100.6100, 1.4),
]
BKK_WORK = [  # office districts (lat, lon, radius km)
    (13.7260, 100.5310, 0.45), (13.7200, 100.5350, 0.45), (13.7380, 100.5620, 0.5), (13.7440, 100.5460, 0.45),
    (13.7580, 100.5680, 0.55), (13.7800, 100.5450, 0.55), (13.8830, 100.5650, 0.3), (13.6680, 100.6250, 0.55),
]
CBD_CORES = [(13.7250, 100.5320), (13.7380, 100.5610), (13.7455, 100.5380), (13.7580, 100.5660)]
CBD_R_KM = 1.2
BKK_POI = [
    (13.7462, 100.5347), (13.7466, 100.5393), (13.7999, 100.5505), (13.6468, 100.6800), (13.8770, 100.4110),
    (13.8165, 100.5610), (13.7660, 100.6430), (13.9890, 100.6170), (13.6940, 100.6480), (13.6640, 100.4380),
    (13.8250, 100.6790), (13.7267, 100.5104), (13.7310, 100.5700), (13.7378, 100.5603), (13.7585, 100.5660),
    (13.7780, 100.4760), (13.7990, 100.5480), (13.7410, 100.5090), (13.6690, 100.6340), (13.8560, 100.5420),
    (13.8670, 100.5190), (13.7480, 100.5400), (13.7180, 100.5560), (13.7780, 100.5740), (13.7310, 100.5415),
    (13.6870, 100.6640), (13.7300, 100.5580),
]
BKK_HUBS = [  # ride-hailing destinations besides the POI: stations, hospitals, Khao San, condos
    (13.8040, 100.5400), (13.7380, 100.5170), (13.7460, 100.5530), (13.7590, 100.4860), (13.7660, 100.5260),
    (13.7590, 100.4970), (13.7649, 100.5383), (13.7056, 100.6011), (13.6682, 100.6048), (13.8160, 100.5610),
]
AIRPORTS = [(13.6900, 100.7501), (13.9126, 100.6068)]
NIGHTLIFE = [(13.7300, 100.5830), (13.7520, 100.5750), (13.7430, 100.5560)]
MARKETS = [(13.7180, 100.5560), (13.7990, 100.5480), (13.7420, 100.4970), (13.8470, 100.5720)]
SCHOOLS = [(13.7418, 100.5578), (13.6636, 100.6200), (13.9050, 100.5250), (13.7150, 100.5990),
           (13.8200, 100.5850), (13.7080, 100.4300)]
SIAM_SQ = (13.7450, 100.5330)
MOCHIT2 = (13.8125, 100.5480)
PROVINCES = ["khonkaen", "korat", "udon", "ubon", "buriram", "surin", "roiet", "mahasarakham", "sisaket",
             "nakhonsawan", "phitsanulok"]
ISAN = ["khonkaen", "korat", "udon", "ubon", "buriram", "surin", "roiet", "sisaket"]
HOLIDAY = {"pattaya": (12.9300, 100.8850, 1.0), "huahin": (12.5650, 99.9500, 1.5)}

ESTATES = {  # factory centre, radius, worker housing centres, bus depot centres
    "amata_chonburi": ((13.4280, 101.0250), 1.0,
                       [(13.4050, 101.0150), (13.4550, 101.0750), (13.3750, 101.0300)],
                       [(13.3140, 101.1070), (13.4500, 101.1800)]),
    "laemchabang_ie": ((13.0850, 100.9150), 0.7,
                       [(13.1150, 100.9450), (13.0650, 100.9350), (13.1450, 100.9500)],
                       [(13.1600, 100.9700), (13.0500, 101.0900)]),
    "pinthong": ((13.1450, 101.0050), 0.8, [(13.1350, 100.9700), (13.1700, 101.0150)],
                 [(13.3140, 101.1070), (13.0500, 101.0900)]),
    "wha_esie": ((13.0600, 101.1450), 0.8, [(13.0300, 101.1900), (13.0800, 101.1200)],
                 [(12.9800, 101.2200), (13.1300, 101.2000)]),
    "amata_rayong": ((13.0000, 101.1150), 1.0, [(12.9800, 101.1600), (13.0250, 101.0900)],
                     [(13.0500, 101.0900), (12.9800, 101.2200)]),
    "maptaphut": ((12.7150, 101.1500), 1.2, [(12.7000, 101.2100), (12.7350, 101.1900)],
                  [(12.7800, 101.3000), (12.8500, 101.1800)]),
}
ESTATE_NAMES = list(ESTATES)
TRUCK_DEPOTS = [(13.7150, 100.7650, 1.5), (13.5950, 100.7300, 1.5), (13.6150, 100.7900, 1.0)]
TRUCK_CUSTOMERS = [(13.5980, 100.7450), (13.7220, 100.7480), (13.8270, 100.6920), (13.4280, 101.0250),
                   (13.5580, 100.9200)]
LCB_TERMINALS = [(13.0700, 100.8830), (13.0800, 100.8870), (13.0920, 100.8900), (13.0620, 100.8800)]
LCB_GATE = (13.0960, 100.8990)
LCB_TRUCK_PARK = (13.0990, 100.9060)

CM_ROUTES = [  # colour, Thai name, city terminal, outer terminal
    ("white", "ขาว ตลาดวโรรส-สันกำแพง", (18.7902, 99.0012), (18.7450, 99.1200)),
    ("yellow", "เหลือง ช้างเผือก-แม่ริม", (18.7968, 98.9858), (18.9130, 98.9440)),
    ("blue", "ฟ้า ตลาดวโรรส-สารภี-ลำพูน", (18.7895, 99.0008), (18.5740, 99.0087)),
    ("green", "เขียว ตลาดวโรรส-แม่โจ้", (18.7911, 99.0001), (18.8960, 99.0120)),
]
CM_HOT = [(18.7877, 98.9933), (18.7905, 99.0005), (18.7855, 99.0000), (18.7990, 98.9680), (18.8025, 98.9672),
          (18.8030, 98.9530), (18.7668, 98.9626), (18.7675, 98.9755), (18.8075, 99.0180), (18.8050, 99.0180),
          (18.7810, 98.9920), (18.7960, 98.9860), (18.7887, 98.9821), (18.7870, 98.9865), (18.8090, 98.9480)]
CM_VILLAGES = [(18.7100, 99.0390), (18.8450, 99.0430), (18.6870, 98.9170), (18.9130, 98.9440)]

WIN_STANDS = [  # stand, direction into the soi (degrees)
    ((13.7910, 100.6130), 190.0), ((13.7160, 100.5950), 350.0), ((13.7520, 100.6250), 180.0),
    ((13.7790, 100.5440), 90.0), ((13.7050, 100.6350), 0.0), ((13.7800, 100.5750), 20.0),
    ((13.7320, 100.4700), 270.0), ((13.6640, 100.6130), 90.0), ((13.8520, 100.5550), 300.0),
    ((13.7000, 100.5330), 200.0),
]
FOOD_ZONES = [(13.7585, 100.5660), (13.7800, 100.5440), (13.7300, 100.5830), (13.7280, 100.5340),
              (13.8165, 100.5610), (13.7660, 100.6430), (13.7649, 100.5383), (13.7780, 100.5740),
              (13.7056, 100.6011), (13.7456, 100.5340)]
MOCK_SPOTS = [(13.7466, 100.5393), (13.7462, 100.5347), (13.7378, 100.5603)]

# reverse-geocoder gazetteer of the DLT platform (nearest entry wins)
GAZ = [
    (13.7230, 100.7600, "เขตลาดกระบัง กรุงเทพมหานคร"), (13.6680, 100.6200, "เขตบางนา กรุงเทพมหานคร"),
    (13.7100, 100.6800, "เขตประเวศ กรุงเทพมหานคร"), (13.7000, 100.6000, "เขตพระโขนง กรุงเทพมหานคร"),
    (13.7100, 100.5700, "เขตคลองเตย กรุงเทพมหานคร"), (13.7650, 100.6450, "เขตบางกะปิ กรุงเทพมหานคร"),
    (13.8130, 100.7300, "เขตมีนบุรี กรุงเทพมหานคร"), (13.7700, 100.6850, "เขตสะพานสูง กรุงเทพมหานคร"),
    (13.8250, 100.6800, "เขตคันนายาว กรุงเทพมหานคร"), (13.8500, 100.8500, "เขตหนองจอก กรุงเทพมหานคร"),
    (13.7750, 100.5750, "เขตห้วยขวาง กรุงเทพมหานคร"), (13.7350, 100.5750, "เขตวัฒนา กรุงเทพมหานคร"),
    (13.6000, 100.6000, "อ.เมืองสมุทรปราการ จ.สมุทรปราการ"), (13.6000, 100.7200, "อ.บางพลี จ.สมุทรปราการ"),
    (13.5900, 100.8300, "อ.บางบ่อ จ.สมุทรปราการ"), (13.6500, 100.8100, "อ.บางเสาธง จ.สมุทรปราการ"),
    (13.5100, 100.9700, "อ.บางปะกง จ.ฉะเชิงเทรา"), (13.6000, 101.0800, "อ.บ้านโพธิ์ จ.ฉะเชิงเทรา"),
    (13.3611, 100.9847, "อ.เมืองชลบุรี จ.ชลบุรี"), (13.4400, 101.0400, "อ.เมืองชลบุรี จ.ชลบุรี"),
    (13.4500, 101.1000, "อ.พานทอง จ.ชลบุรี"), (13.4500, 101.1800, "อ.พนัสนิคม จ.ชลบุรี"),
    (13.3140, 101.1070, "อ.บ้านบึง จ.ชลบุรี"), (13.1737, 100.9500, "อ.ศรีราชา จ.ชลบุรี"),
    (13.0900, 100.9000, "ต.ทุ่งสุขลา อ.ศรีราชา จ.ชลบุรี"), (13.1400, 101.0100, "ต.หนองขาม อ.ศรีราชา จ.ชลบุรี"),
    (13.0500, 101.0900, "ต.บ่อวิน อ.ศรีราชา จ.ชลบุรี"), (12.9500, 100.9000, "อ.บางละมุง จ.ชลบุรี"),
    (13.3800, 101.3400, "อ.เกาะจันทร์ จ.ชลบุรี"), (13.0000, 101.1400, "อ.ปลวกแดง จ.ระยอง"),
    (12.9800, 101.2200, "อ.ปลวกแดง จ.ระยอง"), (12.8500, 101.1800, "อ.นิคมพัฒนา จ.ระยอง"),
    (12.7100, 101.1500, "ต.มาบตาพุด อ.เมืองระยอง จ.ระยอง"), (12.6814, 101.2816, "อ.เมืองระยอง จ.ระยอง"),
    (12.7800, 101.3000, "อ.บ้านค่าย จ.ระยอง"), (13.7460, 101.3550, "อ.พนมสารคาม จ.ฉะเชิงเทรา"),
    (13.9800, 101.7100, "อ.กบินทร์บุรี จ.ปราจีนบุรี"), (14.4300, 101.8500, "อ.วังน้ำเขียว จ.นครราชสีมา"),
    (14.9799, 102.0978, "อ.เมืองนครราชสีมา จ.นครราชสีมา"), (14.9300, 102.4400, "อ.จักราช จ.นครราชสีมา"),
    (14.9930, 103.1029, "อ.เมืองบุรีรัมย์ จ.บุรีรัมย์"), (14.8818, 103.4936, "อ.เมืองสุรินทร์ จ.สุรินทร์"),
    (15.1186, 104.3220, "อ.เมืองศรีสะเกษ จ.ศรีสะเกษ"), (16.0600, 102.7300, "อ.บ้านไผ่ จ.ขอนแก่น"),
    (16.4322, 102.8236, "อ.เมืองขอนแก่น จ.ขอนแก่น"), (16.0538, 103.6520, "อ.เมืองร้อยเอ็ด จ.ร้อยเอ็ด"),
    (16.1850, 103.3000, "อ.เมืองมหาสารคาม จ.มหาสารคาม"), (17.4138, 102.7872, "อ.เมืองอุดรธานี จ.อุดรธานี"),
    (15.2287, 104.8564, "อ.เมืองอุบลราชธานี จ.อุบลราชธานี"), (14.7080, 101.4160, "อ.ปากช่อง จ.นครราชสีมา"),
    (14.5289, 100.9101, "อ.เมืองสระบุรี จ.สระบุรี"),
]
GAZ_LAT = np.array([g[0] for g in GAZ])
GAZ_LON = np.array([g[1] for g in GAZ])
GAZ_TXT = np.array([g[2] for g in GAZ], dtype=object)


def pick(rng, seq):
    return seq[int(rng.integers(len(seq)))]


def near_choice(rng, pos, pts, radius_km, k_min=3):
    arr = np.array(pts)
    d = km(pos[0], pos[1], arr[:, 0], arr[:, 1])
    idx = np.where(d <= radius_km)[0]
    if len(idx) < k_min:
        idx = np.argsort(d, kind="stable")[:k_min]
    w = 1.0 / (d[idx] + 2.0)
    return tuple(arr[int(rng.choice(idx, p=w / w.sum()))])


def tn(rng, mu, sd, lo, hi):
    return float(np.clip(rng.normal(mu, sd), lo, hi))


def village_of(rng, prov):
    i = NODE_IDX[prov]
    return disk(rng, NLAT[i], NLON[i], 14.0, 4.0)


# ----------------------------------------------------------------------------- shared life pieces


def leisure_day(tl, d, home, pois, radius=15.0, vt=None):
    rng = tl.rng
    n = int(rng.choice([0, 1, 1, 2, 2, 3]))
    t = at(d, rng.uniform(8.5, 11.5))
    for k in range(n):
        if t > at(d, 19.5):
            break
        dest = near_choice(rng, home, pois, radius)
        tl.go(disk(rng, dest[0], dest[1], 0.15), "poi", depart=max(tl.t, t), spot=20, vt=vt)
        tl.stay_for(rng.uniform(60, 210) * MIN)
        if k < n - 1 and rng.random() < 0.5:
            t = tl.t
            continue
        tl.go(home, "home", vt=vt)
        t = tl.t + rng.uniform(30, 150) * MIN
    if tl.tag != "home":
        tl.go(home, "home", vt=vt)


def commute_day(tl, d, home, work, rng):
    tl.go(work, "work", depart=at(d, tn(rng, 6.55, 0.35, 5.5, 8.2)), spot=25)
    if rng.random() < 0.15:
        lunch = disk(rng, work[0], work[1], 2.5, 0.8)
        tl.go(lunch, "poi", depart=at(d, rng.uniform(11.8, 12.4)), spot=15)
        tl.stay_for(rng.uniform(40, 70) * MIN)
        tl.go(work, "work", spot=25)
    tl.wait(at(d, tn(rng, 18.1, 0.6, 16.8, 21.0)))
    if wday(d) == 4 and rng.random() < 0.15:
        bar = pick(rng, NIGHTLIFE)
        tl.go(disk(rng, bar[0], bar[1], 0.3), "poi", spot=15)
        tl.wait(at(d, rng.uniform(24.5, 26.0)))
    elif rng.random() < 0.25:
        dest = near_choice(rng, work, BKK_POI, 8.0)
        tl.go(disk(rng, dest[0], dest[1], 0.15), "poi", spot=20)
        tl.stay_for(rng.uniform(45, 120) * MIN)
    tl.go(home, "home")


def stay_upcountry(tl, base, until, radius=10.0, vt=None):
    """Nights at `base` (tag upcountry/hotel kept by caller), daily local trips until `until`."""
    rng = tl.rng
    tag = tl.tag
    while True:
        d = int(tl.t // DAY)
        day_start = at(d, rng.uniform(8.0, 10.5))
        if day_start < tl.t:
            d += 1
            day_start = at(d, rng.uniform(8.0, 10.5))
        if day_start + 3 * HOUR > until:
            break
        for _ in range(int(rng.integers(1, 4))):
            dest = disk(rng, base[0], base[1], radius, 1.0)
            tl.go(dest, "poi", depart=max(tl.t, day_start), spot=15, vt=vt)
            tl.stay_for(rng.uniform(40, 180) * MIN)
            if tl.t > at(d, 19.0):
                break
            day_start = tl.t
        tl.go(base, tag, spot=6, vt=vt)
    tl.tag = tag


def drive_far(tl, dest, tag, depart, vt=None, rests=1):
    rng = tl.rng
    tl.wait(depart)
    dist = km1(tl.lat, tl.lon, dest[0], dest[1])
    if dist > 120 and rests > 0:
        fracs = np.sort(rng.uniform(0.3, 0.7, rests))
        start = (tl.lat, tl.lon)
        pts = []
        for f in fracs:
            tl_lat, tl_lon = tl.lat, tl.lon
            tl.lat, tl.lon = start
            pts.append(tl.route_point(dest, float(f)))
            tl.lat, tl.lon = tl_lat, tl_lon
        for p in pts:
            tl.go(p, "road", spot=25, vt=vt)
            tl.stay_for(rng.uniform(15, 45) * MIN, engine="off")
    tl.go(dest, tag, vt=vt, spot=8)


def bus_trip_home(tl, village, prov, depart, ret_depart):
    """A rider goes home by inter-provincial bus with the phone; returns the same way."""
    rng = tl.rng
    pi = NODE_IDX[prov]
    terminal = (float(NLAT[pi]), float(NLON[pi]))
    tl.go(disk(rng, MOCHIT2[0], MOCHIT2[1], 0.1), "road", depart=depart, vt="moto", spot=10)
    tl.stay_for(rng.uniform(25, 70) * MIN)
    tl.go(terminal, "road", vt="coach", spot=30)
    tl.stay_for(rng.uniform(10, 40) * MIN)
    tl.go(village, "upcountry", vt="pickup", spot=6)
    stay_upcountry(tl, village, ret_depart, radius=8.0, vt="moto")
    tl.go(terminal, "road", depart=max(tl.t, ret_depart), vt="pickup", spot=30)
    tl.stay_for(rng.uniform(15, 60) * MIN)
    tl.go(disk(rng, MOCHIT2[0], MOCHIT2[1], 0.1), "road", vt="coach", spot=10)
    tl.stay_for(rng.uniform(5, 20) * MIN)


# ----------------------------------------------------------------------------- lives


def life_port_truck(c):
    rng = c.rng
    dep = pick(rng, TRUCK_DEPOTS)
    home = disk(rng, dep[0], dep[1], dep[2])
    customers = [TRUCK_CUSTOMERS[int(i)] for i in rng.choice(len(TRUCK_CUSTOMERS), 2, replace=False)]
    tl = TL(rng, home, "truck")
    unplug = c.flags.get("unplug", False)

    def hook_for():
        if unplug and rng.random() < 0.45:
            def hook(ccls, v):
                m = ccls == CI["mway"]
                v = v.copy()
                v[m] = rng.uniform(90, 102, int(m.sum()))
                return v
            return hook
        return None

    def cut_window(tr, t0):
        m = np.where(tr.ccls == CI["mway"])[0]
        if len(m) < 6:
            return
        ta = t0 + tr.a[m[0]] + rng.uniform(1, 6) * MIN
        tb = t0 + tr.kt[2 * (m[-1] + 1)] - rng.uniform(1, 6) * MIN  # before the end of the motorway
        if tb - ta > 20 * MIN:
            tl.cuts.append((ta, tb))

    def leg(pos, tag, spot=15):
        hook = hook_for()
        t0 = tl.t
        tr = tl.go(pos, tag, spot=spot, speed_hook=hook)
        if hook is not None:
            cut_window(tr, t0)

    def run(d, depart):
        tl.wait(depart)
        cust = customers[int(rng.integers(len(customers)))]
        if tl.tag == "port_park":  # slept at the port: deliver first, then home
            tl.go(LCB_GATE, "port", spot=20)
            tl.stay_for(rng.uniform(20, 90) * MIN, engine="idle")
            tl.go(pick(rng, LCB_TERMINALS), "port", spot=60)
            tl.stay_for(rng.uniform(25, 60) * MIN)
            leg(home, "home")
            return
        leg(cust, "customer", spot=40)
        tl.stay_for(rng.uniform(60, 150) * MIN)
        leg(LCB_GATE, "port", spot=25)
        tl.stay_for(rng.uniform(30, 150) * MIN, engine="idle")
        tl.go(pick(rng, LCB_TERMINALS), "port", spot=60)
        tl.stay_for(rng.uniform(30, 60) * MIN)
        if tl.t > at(d, 21.0) and rng.random() < 0.6:
            tl.go(LCB_TRUCK_PARK, "port_park", spot=40)
            return
        if rng.random() < 0.35:
            leg(cust, "customer", spot=40)
            tl.stay_for(rng.uniform(40, 100) * MIN)
            leg(home, "home")
        else:
            leg(home, "home")

    for d in range(c.days):
        if tl.t >= at(d, 22.0):
            continue
        if d in SONGKRAN or (wday(d) == 6 and rng.random() < 0.7):
            if tl.tag == "port_park":
                run(d, at(d, rng.uniform(5.0, 7.0)))
            continue
        if tl.tag == "port_park":
            run(d, max(tl.t, at(d, rng.uniform(4.0, 5.5))))
        else:
            run(d, max(tl.t, at(d, rng.uniform(4.5, 6.5))))
        if rng.random() < 0.4 and tl.t < at(d, 15.0) and tl.tag == "home":
            run(d, max(tl.t + 40 * MIN, at(d, rng.uniform(12.5, 15.0))))
    return tl, {"home": home, "work": None}


def life_staff_bus(c):
    rng = c.rng
    est = ESTATE_NAMES[c.index % len(ESTATE_NAMES)]
    (fla, flo), fr, _, depots = ESTATES[est]
    factory = disk(rng, fla, flo, fr)
    dc = pick(rng, depots)
    depot = disk(rng, dc[0], dc[1], 1.5)
    k = int(rng.integers(6, 10))
    fr_ = np.sort(rng.uniform(0.05, 0.85, k))
    stops = []
    for f in fr_:
        p = (depot[0] + f * (factory[0] - depot[0]), depot[1] + f * (factory[1] - depot[1]))
        stops.append(disk(rng, p[0], p[1], 2.5, 0.3))
    tl = TL(rng, depot, "bus")
    charter = rng.random() < 0.3 and c.days > 11
    prov = pick(rng, ISAN)
    pi = NODE_IDX[prov]
    charter_to = disk(rng, NLAT[pi], NLON[pi], 2.0)

    def shift_exists(d, s):
        return d >= 0 and factory_day(d)

    def cycle(d, S, inbound, outbound, to_charter=False):
        t_change = at(d, S)
        if inbound:
            est_min = km1(depot[0], depot[1], factory[0], factory[1]) / 32.0 * 60 + 2.5 * k + 10
            tl.wait(t_change - rng.uniform(10, 25) * MIN - est_min * MIN)
            for s in stops:
                tl.go(s, "stop", spot=10)
                tl.stay_for(rng.uniform(1, 3) * MIN, engine="idle")
            tl.go(factory, "work", spot=15)
            tl.stay_for(rng.uniform(3, 6) * MIN, engine="idle")
        else:
            tl.go(factory, "work", arrive_by=t_change - rng.uniform(5, 15) * MIN, spot=15)
        if to_charter:
            tl.wait(t_change + rng.uniform(15, 35) * MIN, engine="idle")
            drive_far(tl, charter_to, "charter", tl.t, vt="coach", rests=1)
            tl.stay_for(rng.uniform(30, 60) * MIN)
            drive_far(tl, depot, "home", tl.t + rng.uniform(60, 180) * MIN, vt="coach", rests=1)
            return
        if outbound:
            tl.wait(t_change + rng.uniform(5, 15) * MIN, engine="idle" if rng.random() < 0.5 else "off")
            for s in stops[::-1]:
                tl.go(s, "stop", spot=10)
                tl.stay_for(rng.uniform(0.5, 2) * MIN, engine="idle")
        tl.go(depot, "home", spot=12)

    for d in range(c.days):
        for S in (6, 14, 22):
            inbound = factory_day(d)
            if S == 6:
                outbound = shift_exists(d - 1, 22)
            else:
                outbound = factory_day(d)
            if not inbound and not outbound:
                continue
            if charter and d == 10 and S == 22:
                cycle(d, S, inbound, outbound, to_charter=True)
                continue
            if tl.t > at(d, S) - 20 * MIN:
                continue
            cycle(d, S, inbound, outbound)
        if charter and d == 15:
            drive_far(tl, charter_to, "charter", max(tl.t, at(d, rng.uniform(7.5, 9.0))), vt="coach")
            tl.stay_for(rng.uniform(90, 180) * MIN, engine="off")
            drive_far(tl, factory, "work", tl.t, vt="coach", rests=1)
            tl.stay_for(rng.uniform(10, 20) * MIN, engine="idle")
            tl.go(depot, "home", spot=12)
    extra = {"home": depot, "work": factory, "estate": est}
    if charter:
        extra["charter_to"] = charter_to
    return tl, extra


def life_songthaew_route(c):
    rng = c.rng
    colour, rname, city_c, outer_c = CM_ROUTES[c.index % len(CM_ROUTES)]
    city = disk(rng, city_c[0], city_c[1], 0.04)
    outer = disk(rng, outer_c[0], outer_c[1], 0.3)
    home = disk(rng, outer_c[0], outer_c[1], 3.5, 1.0)
    tl = TL(rng, home, "songthaew")
    off = int(rng.integers(7))
    for d in range(c.days):
        if wday(d) == off or (d == 12 and rng.random() < 0.5):
            continue
        end = at(d, rng.uniform(17.0, 18.3))
        tl.go(outer, "terminal", depart=at(d, rng.uniform(5.5, 6.5)), spot=15)
        while tl.t < end - 100 * MIN:
            tl.stay_for(rng.uniform(10, 30) * MIN)
            tl.go(city, "work", spot=12, stop_boost=0.25)
            tl.stay_for(rng.uniform(20, 70) * MIN)
            tl.go(outer, "terminal", spot=15, stop_boost=0.25)
        tl.go(home, "home", spot=5)
    return tl, {"home": home, "work": city, "route": f"{colour}: {rname}"}


def life_songthaew_red(c):
    rng = c.rng
    v = CM_VILLAGES[c.index % len(CM_VILLAGES)]
    home = disk(rng, v[0], v[1], 2.0, 0.3)
    tl = TL(rng, home, "songthaew")
    off = int(rng.integers(7))
    for d in range(c.days):
        if wday(d) == off:
            continue
        end = at(d, rng.uniform(20.0, 22.5))
        tl.wait(at(d, rng.uniform(7.5, 9.0)))
        while tl.t < end:
            h = pick(rng, CM_HOT)
            tl.go(disk(rng, h[0], h[1], 0.25), "job", spot=10, stop_boost=0.1)
            tl.stay_for(rng.uniform(4, 25) * MIN, engine="idle" if rng.random() < 0.3 else "off")
        tl.go(home, "home", spot=5)
    return tl, {"home": home, "work": None}


def life_office(c, family=False):
    rng = c.rng
    rc = pick(rng, BKK_RES)
    home = disk(rng, rc[0], rc[1], rc[2])
    self_employed = family and rng.random() < 0.3
    wc = pick(rng, BKK_WORK)
    work = None if self_employed else disk(rng, wc[0], wc[1], wc[2])
    tl = TL(rng, home, "car")
    extra = {}
    trip_day = None
    if family:
        prov = pick(rng, PROVINCES)
        village = village_of(rng, prov)
        mode = rng.random()
        if mode < 0.4:
            dep = at(10, rng.uniform(19.0, 23.0))
        elif mode < 0.8:
            dep = at(11, rng.uniform(3.5, 6.0))
        else:
            dep = at(11, rng.uniform(9.0, 14.0))
        ret = at(14, rng.uniform(6.0, 10.0)) if rng.random() < 0.35 else at(15, rng.uniform(5.0, 9.0))
        trip_day = (10 if dep < at(11, 0) else 11, int(ret // DAY))
        if c.days > trip_day[0]:
            extra["upcountry"] = village
            extra["province"] = prov
    elif rng.random() < 0.2:
        hname = "pattaya" if rng.random() < 0.6 else "huahin"
        hla, hlo, hr = HOLIDAY[hname]
        hotel = disk(rng, hla, hlo, hr)
        dep = at(12, rng.uniform(8.0, 11.0))
        ret = at(14, rng.uniform(11.0, 15.0))
        trip_day = (12, 14)
        if c.days > 12:
            extra["holiday"] = hotel
    for d in range(c.days):
        if tl.t >= at(d, 23.0):
            continue
        if trip_day is not None and d == trip_day[0]:
            if family:
                if d == 10 and work is not None and office_day(d):
                    commute_day(tl, d, home, work, rng)
                drive_far(tl, village, "upcountry", max(tl.t, dep), rests=int(rng.integers(1, 3)))
                stay_upcountry(tl, village, ret)
                drive_far(tl, home, "home", max(tl.t, ret), rests=int(rng.integers(1, 3)))
            else:
                drive_far(tl, hotel, "hotel", max(tl.t, dep), rests=0)
                stay_upcountry(tl, hotel, ret, radius=6.0)
                drive_far(tl, home, "home", max(tl.t, ret), rests=0)
            continue
        if trip_day is not None and trip_day[0] < d <= trip_day[1]:
            continue
        if work is not None and office_day(d):
            commute_day(tl, d, home, work, rng)
        elif self_employed and wday(d) != 6:
            m = near_choice(rng, home, MARKETS + BKK_POI, 8.0)
            tl.go(disk(rng, m[0], m[1], 0.2), "poi", depart=at(d, rng.uniform(5.5, 7.0)), spot=20)
            tl.stay_for(rng.uniform(30, 75) * MIN)
            tl.go(home, "home")
            if rng.random() < 0.5:
                leisure_day(tl, d, home, BKK_POI, 10.0)
        else:
            leisure_day(tl, d, home, BKK_POI + MARKETS + ([(13.7999, 100.5505)] * 3 if wday(d) >= 5 else []))
    extra.update({"home": home, "work": work})
    return tl, extra


def life_school(c):
    rng = c.rng
    rc = pick(rng, BKK_RES[:8])
    home = disk(rng, rc[0], rc[1], rc[2])
    school = disk(rng, *near_choice(rng, home, SCHOOLS, 14.0, k_min=2), 0.1)
    worker = rng.random() < 0.5
    wc = near_choice(rng, home, [(w[0], w[1]) for w in BKK_WORK], 20.0)
    work = disk(rng, wc[0], wc[1], 0.4) if worker else None
    tl = TL(rng, home, "car")
    tutoring = rng.random() < 0.6
    trip = None
    if rng.random() < 0.4 and c.days > 12:
        hname = "huahin" if rng.random() < 0.5 else "pattaya"
        hla, hlo, hr = HOLIDAY[hname]
        trip = disk(rng, hla, hlo, hr)
    for d in range(c.days):
        if tl.t >= at(d, 23.0):
            continue
        if trip is not None and d == 12:
            drive_far(tl, trip, "hotel", at(d, rng.uniform(7.0, 10.0)), rests=0)
            stay_upcountry(tl, trip, at(15, rng.uniform(10.0, 14.0)), radius=6.0)
            drive_far(tl, home, "home", tl.t, rests=0)
            continue
        if trip is not None and 12 < d <= 15:
            continue
        if school_day(d):
            tl.go(school, "school", arrive_by=at(d, rng.uniform(7.25, 7.75)), spot=30)
            tl.stay_for(rng.uniform(4, 12) * MIN, engine="idle")
            if worker:
                tl.go(work, "work", spot=25)
                tl.wait(at(d, tn(rng, 17.6, 0.5, 16.5, 19.5)))
                tl.go(home, "home")
            else:
                if rng.random() < 0.5:
                    m = near_choice(rng, school, BKK_POI + MARKETS, 6.0)
                    tl.go(disk(rng, m[0], m[1], 0.2), "poi", spot=20)
                    tl.stay_for(rng.uniform(60, 150) * MIN)
                tl.go(home, "home")
                tl.go(school, "school", arrive_by=at(d, rng.uniform(15.0, 15.6)), spot=30)
                tl.stay_for(rng.uniform(8, 30) * MIN, engine="idle" if rng.random() < 0.6 else "off")
                if tutoring and wday(d) in (1, 3):
                    tl.go(disk(rng, SIAM_SQ[0], SIAM_SQ[1], 0.2), "poi", spot=20)
                    tl.wait(at(d, rng.uniform(18.3, 18.8)))
                tl.go(home, "home")
        elif wday(d) == 5 and tutoring and d not in SONGKRAN:
            tl.go(disk(rng, SIAM_SQ[0], SIAM_SQ[1], 0.2), "poi", arrive_by=at(d, rng.uniform(8.7, 9.0)),
                  spot=20)
            tl.wait(at(d, rng.uniform(12.0, 12.3)))
            tl.go(home, "home")
            if rng.random() < 0.5:
                leisure_day(tl, d, home, BKK_POI, 12.0)
        else:
            leisure_day(tl, d, home, BKK_POI + MARKETS)
    extra = {"home": home, "work": work, "school": school}
    if trip is not None:
        extra["holiday"] = trip
    return tl, extra


def grab_destination(rng, pos):
    r = rng.random()
    if r < 0.06:
        return pick(rng, AIRPORTS)
    if r < 0.40:
        p = pick(rng, BKK_POI)
        return disk(rng, p[0], p[1], 0.2)
    if r < 0.70:
        p = pick(rng, BKK_RES)
        return disk(rng, p[0], p[1], p[2])
    if r < 0.85:
        p = pick(rng, BKK_HUBS)
        return disk(rng, p[0], p[1], 0.2)
    p = pick(rng, BKK_WORK)
    return disk(rng, p[0], p[1], p[2])


def life_grab(c):
    rng = c.rng
    rc = pick(rng, BKK_RES)
    home = disk(rng, rc[0], rc[1], rc[2])
    tl = TL(rng, home, "car")
    variant = ["day", "long", "night"][c.index % 3]
    off = int(rng.integers(7))
    trip = None
    extra = {"shift": variant}
    if rng.random() < 0.2 and c.days > 11:
        prov = pick(rng, PROVINCES)
        trip = village_of(rng, prov)
        extra["upcountry"] = trip
        extra["province"] = prov
    for d in range(c.days):
        if tl.t >= at(d, 23.0):
            continue
        if trip is not None and d == 11:
            drive_far(tl, trip, "upcountry", at(d, rng.uniform(4.0, 8.0)), rests=1)
            stay_upcountry(tl, trip, at(14, rng.uniform(8.0, 12.0)))
            drive_far(tl, home, "home", tl.t, rests=1)
            continue
        if trip is not None and 11 < d <= 14:
            continue
        if wday(d) == off or rng.random() < 0.08:
            if rng.random() < 0.5:
                leisure_day(tl, d, home, BKK_POI)
            continue
        if variant == "day":
            s, e = rng.uniform(5.8, 7.0), rng.uniform(16.5, 18.5)
        elif variant == "long":
            s, e = rng.uniform(7.5, 8.8), rng.uniform(20.0, 21.5)
        else:
            s, e = rng.uniform(15.0, 16.0), rng.uniform(24.3, 25.5)
        tl.wait(at(d, s))
        end = at(d, e)
        lunch = False
        while tl.t < end:
            pos = (tl.lat, tl.lon)
            pu = disk(rng, pos[0], pos[1], 3.5, 0.4) if rng.random() < 0.6 else grab_destination(rng, pos)
            if km1(pos[0], pos[1], pu[0], pu[1]) > 6:
                pu = disk(rng, pos[0], pos[1], 3.5, 0.4)
            tl.go(pu, "job", spot=5)
            tl.stay_for(rng.uniform(1, 5) * MIN, engine="idle")
            tl.go(grab_destination(rng, pu), "job", spot=10)
            tl.stay_for(rng.uniform(0.5, 2) * MIN, engine="idle")
            h = (tl.t % DAY) / HOUR
            if not lunch and (11.5 <= h <= 14.0 or (variant == "night" and 19.0 <= h <= 21.0)):
                tl.stay_for(rng.uniform(35, 60) * MIN)
                lunch = True
            else:
                tl.stay_for(rng.exponential(9) * MIN + MIN, engine="idle" if rng.random() < 0.6 else "off")
        tl.go(home, "home")
    extra.update({"home": home, "work": None})
    return tl, extra


def life_shift(c):
    rng = c.rng
    est = ESTATE_NAMES[(c.index * 5 + 1) % len(ESTATE_NAMES)]
    (fla, flo), fr, housing, _ = ESTATES[est]
    work = disk(rng, fla, flo, fr)
    hc = pick(rng, housing)
    home = disk(rng, hc[0], hc[1], 1.2)
    while not 2.0 <= km1(home[0], home[1], work[0], work[1]) <= 8.0:
        home = disk(rng, hc[0], hc[1], 1.2)
    tl = TL(rng, home, "pickup")
    phase = int(c.index % 3)
    trip = None
    extra = {"estate": est, "shift_phase": ["06-14", "14-22", "22-06"][phase]}
    if rng.random() < 0.6 and c.days > 11:
        prov = pick(rng, ISAN)
        trip = village_of(rng, prov)
        extra["upcountry"] = trip
        extra["province"] = prov
    towns = [(13.3611, 100.9847), (13.1700, 100.9400), (12.6814, 101.2816), (13.3140, 101.1070),
             (13.2860, 100.9350)]
    for d in range(c.days):
        if tl.t >= at(d, 23.5):
            continue
        shift = (phase + d // 7) % 3
        if trip is not None and d == 11:
            drive_far(tl, trip, "upcountry", max(tl.t, at(d, rng.uniform(5.0, 9.0))), rests=1, vt="pickup")
            stay_upcountry(tl, trip, at(15, rng.uniform(7.0, 10.0)))
            drive_far(tl, home, "home", tl.t, rests=1, vt="pickup")
            continue
        if trip is not None and 11 < d <= 15:
            continue
        if factory_day(d):
            s = (6.0, 14.0, 22.0)[shift]
            e = s + 8.0
            if shift == 0 and rng.random() < 0.5:
                e += float(rng.choice([3.0, 4.0]))
            if shift == 2 and tl.t < at(d, 9):
                # day sleeper: an errand in the afternoon
                if rng.random() < 0.5:
                    town = near_choice(rng, home, towns, 25.0, k_min=1)
                    tl.go(disk(rng, town[0], town[1], 1.0), "poi", depart=at(d, rng.uniform(14.5, 17.0)),
                          spot=20)
                    tl.stay_for(rng.uniform(30, 90) * MIN)
                    tl.go(home, "home")
            tl.go(work, "work", arrive_by=at(d, s) - rng.uniform(15, 35) * MIN, spot=40)
            tl.wait(at(d, e) + rng.uniform(5, 20) * MIN)
            if shift == 1 and rng.random() < 0.3:
                m = disk(rng, home[0], home[1], 3.0, 0.5)
                tl.go(m, "poi", spot=15)
                tl.stay_for(rng.uniform(20, 60) * MIN)
            tl.go(home, "home", spot=6)
            if shift == 0 and rng.random() < 0.35:
                m = disk(rng, home[0], home[1], 4.0, 0.5)
                tl.go(m, "poi", depart=tl.t + rng.uniform(30, 90) * MIN, spot=15)
                tl.stay_for(rng.uniform(30, 90) * MIN)
                tl.go(home, "home", spot=6)
        else:
            if rng.random() < 0.7:
                town = near_choice(rng, home, towns, 30.0, k_min=2)
                tl.go(disk(rng, town[0], town[1], 1.2), "poi", depart=max(tl.t, at(d, rng.uniform(10, 16))),
                      spot=20)
                tl.stay_for(rng.uniform(60, 240) * MIN)
                tl.go(home, "home", spot=6)
    extra.update({"home": home, "work": work})
    return tl, extra


def life_win(c):
    rng = c.rng
    (sla, slo), sdir = WIN_STANDS[c.index % len(WIN_STANDS)]
    stand = disk(rng, sla, slo, 0.02)
    home = disk(rng, sla, slo, 2.5, 0.5)
    tl = TL(rng, home, "moto")
    split = c.index % 3 == 2
    off = int(rng.integers(7))
    trip = None
    extra = {"pattern": "split" if split else "full day"}
    if rng.random() < 0.4 and c.days > 11:
        prov = pick(rng, ISAN)
        trip = village_of(rng, prov)
        extra["upcountry"] = trip
        extra["province"] = prov

    def rides(until):
        while tl.t < until:
            h = (tl.t % DAY) / HOUR
            peak = 6.3 <= h < 9.0 or 17.0 <= h < 20.0
            tl.stay_for(rng.exponential(9 if peak else 22) * MIN + 0.5 * MIN)
            if tl.t >= until:
                break
            if rng.random() < 0.8:
                ang = math.radians(sdir + rng.normal(0, 35))
                r = rng.uniform(0.3, 2.8) * 1000
                dest = shift_m(stand[0], stand[1], r * math.cos(ang), r * math.sin(ang))
            else:
                dest = disk(rng, stand[0], stand[1], 3.0, 1.0)
            tl.go(dest, "job", spot=5, local_cls="soi")
            tl.stay_for(rng.uniform(0.3, 1.5) * MIN, engine="idle")
            tl.go(stand, "work", spot=6, local_cls="soi")

    for d in range(c.days):
        if tl.t >= at(d, 23.0):
            continue
        if trip is not None and d == 10:
            bus_trip_home(tl, trip, extra["province"], at(d, rng.uniform(19.0, 22.0)),
                          at(15, rng.uniform(8, 12)))
            tl.go(home, "home", vt="moto")
            continue
        if trip is not None and 10 < d <= 15:
            continue
        if wday(d) == off:
            if rng.random() < 0.5:
                leisure_day(tl, d, home, BKK_POI + MARKETS, 8.0)
            continue
        tl.go(stand, "work", depart=at(d, rng.uniform(5.8, 6.4)), spot=6, local_cls="soi")
        if split:
            rides(at(d, rng.uniform(9.8, 10.5)))
            tl.go(home, "home", local_cls="soi")
            tl.go(stand, "work", depart=at(d, rng.uniform(15.8, 16.3)), spot=6, local_cls="soi")
            rides(at(d, rng.uniform(20.5, 21.3)))
        else:
            rides(at(d, rng.uniform(18.8, 20.0)))
        tl.go(home, "home", local_cls="soi")
    extra.update({"home": home, "work": stand})
    return tl, extra


def life_delivery(c):
    rng = c.rng
    rooms = [(13.7700, 100.5550, 1.2), (13.7800, 100.5800, 1.0), (13.7150, 100.5600, 1.0)]  # Din Daeng, Huai
    rc = pick(rng, BKK_RES[:8] + rooms)  # Khwang and Khlong Toei rented rooms
    home = disk(rng, rc[0], rc[1], rc[2])
    zones = []
    zd = km(home[0], home[1], np.array([z[0] for z in FOOD_ZONES]), np.array([z[1] for z in FOOD_ZONES]))
    order = np.argsort(zd, kind="stable")
    zones = [FOOD_ZONES[int(order[0])], FOOD_ZONES[int(order[1 + int(rng.integers(2))])]]
    tl = TL(rng, home, "moto")
    full = c.index % 2 == 1
    off = int(rng.integers(7))
    trip = None
    extra = {"pattern": "full day" if full else "meal peaks"}
    if rng.random() < 0.4 and c.days > 11:
        prov = pick(rng, PROVINCES)
        trip = village_of(rng, prov)
        extra["upcountry"] = trip
        extra["province"] = prov
    mocker = c.flags.get("mock", False)

    def jobs(until):
        while tl.t < until:
            z = zones[0] if rng.random() < 0.65 else zones[1]
            spot = disk(rng, z[0], z[1], 0.4)
            tl.go(spot, "job", spot=8)
            tl.stay_for(rng.uniform(3, 20) * MIN)
            rest = disk(rng, z[0], z[1], 1.2)
            tl.go(rest, "job", spot=8)
            tl.stay_for(rng.uniform(4, 15) * MIN)
            cust = disk(rng, rest[0], rest[1], 5.0, 0.8)
            tl.go(cust, "job", spot=8)
            tl.stay_for(rng.uniform(1, 4) * MIN)

    for d in range(c.days):
        if tl.t >= at(d, 23.0):
            continue
        if trip is not None and d == 10:
            bus_trip_home(tl, trip, extra["province"], at(d, rng.uniform(18.0, 22.0)),
                          at(15, rng.uniform(8, 12)))
            tl.go(home, "home", vt="moto")
            continue
        if trip is not None and 10 < d <= 15:
            continue
        if wday(d) == off:
            continue
        if mocker and rng.random() < 0.35:
            t0 = at(d, rng.uniform(10.0, 10.8))
            t1 = t0 + rng.uniform(30, 90) * MIN
            tl.wait(t0)
            fake = pick(rng, MOCK_SPOTS)
            tl.mock.append((t0, t1, fake[0], fake[1]))
            tl.wait(t1)
        if full:
            tl.wait(at(d, rng.uniform(9.0, 10.0)))
            jobs(at(d, rng.uniform(20.5, 21.5)))
        else:
            tl.wait(at(d, rng.uniform(10.5, 11.0)))
            jobs(at(d, rng.uniform(13.8, 14.5)))
            if km1(tl.lat, tl.lon, home[0], home[1]) < 5:
                tl.go(home, "home")
            tl.wait(at(d, rng.uniform(16.8, 17.3)))
            jobs(at(d, rng.uniform(21.5, 22.5)))
        tl.go(home, "home")
    extra.update({"home": home, "work": None})
    return tl, extra


KINDS = [  # kind, share of 120, file, life
    ("port_truck", 14, "A", life_port_truck),
    ("staff_bus", 12, "A", life_staff_bus),
    ("songthaew_route", 10, "B", life_songthaew_route),
    ("songthaew_red", 4, "B", life_songthaew_red),
    ("office_commuter", 20, "C", lambda c: life_office(c, family=False)),
    ("songkran_family", 12, "C", lambda c: life_office(c, family=True)),
    ("school_run", 8, "C", life_school),
    ("grab_driver", 10, "C", life_grab),
    ("shift_worker", 8, "C", life_shift),
    ("win_motortaxi", 10, "D", life_win),
    ("delivery_rider", 12, "D", life_delivery),
]
FILE_OF = {"A": F_DLT, "B": F_CM, "C": F_OBD, "D": F_APP}


def allocate(n):
    shares = np.array([k[1] for k in KINDS], float)
    K = len(shares)
    if n >= K:
        base = np.ones(K, int)
        q = (shares - 1) / (shares - 1).sum() * (n - K)
    else:
        base = np.zeros(K, int)
        q = shares / shares.sum() * n
    fl = np.floor(q).astype(int)
    rem = int(n - base.sum() - fl.sum())
    order = np.argsort(-(q - fl), kind="stable")
    fl[order[:rem]] += 1
    return base + fl


class Ctx:
    def __init__(self, rng, days, index, flags):
        self.rng, self.days, self.index, self.flags = rng, days, index, flags


# ----------------------------------------------------------------------------- ids and metadata

CAR_SERIES = "กขงจฉชฌญฎฐธพภวศษสฆ"
PICKUP_SERIES = "ฒณตถบปผยรล"
PROV_TH = {"bkk": "กรุงเทพมหานคร", "spk": "สมุทรปราการ", "cbi": "ชลบุรี", "ryg": "ระยอง", "cmi": "เชียงใหม่",
           "nbi": "นนทบุรี", "pte": "ปทุมธานี"}
PROV_ABBR = {"bkk": "กทม.", "spk": "สป.", "cbi": "ชบ.", "ryg": "รย.", "cmi": "ชม."}
PROV_EN = {"bkk": "Bangkok", "spk": "Samut Prakan", "cbi": "Chon Buri", "ryg": "Rayong", "cmi": "Chiang Mai",
           "nbi": "Nonthaburi", "pte": "Pathum Thani"}


def luhn_imei(rng):
    body = [8, 6] + [int(x) for x in rng.integers(0, 10, 12)]
    s = 0
    for i, dgt in enumerate(body):
        if i % 2 == 1:
            dgt *= 2
            if dgt > 9:
                dgt -= 9
        s += dgt
    return "".join(str(x) for x in body) + str((10 - s % 10) % 10)


def make_identity(rng, kind, pos, used):
    while True:
        prov = "bkk"
        if kind == "port_truck":
            prov = "bkk" if rng.random() < 0.6 else "spk"
            plate_core = f"{int(rng.integers(70, 80))}-{int(rng.integers(1000, 10000))}"
        elif kind == "staff_bus":
            prov = "ryg" if (pos[0] < 13.02 and pos[1] > 101.05) or pos[0] < 12.9 else "cbi"
            plate_core = f"{int(rng.integers(30, 36))}-{int(rng.integers(1000, 10000))}"
        elif kind.startswith("songthaew"):
            prov = "cmi"
            plate_core = f"{int(rng.integers(10, 13))}-{int(rng.integers(1000, 10000))}"
        elif kind == "shift_worker":
            prov = "ryg" if (pos[0] < 13.02 and pos[1] > 101.05) or pos[0] < 12.9 else "cbi"
            plate_core = (f"{PICKUP_SERIES[int(rng.integers(len(PICKUP_SERIES)))]}"
                          f"{CAR_SERIES[int(rng.integers(len(CAR_SERIES)))]} {int(rng.integers(1, 10000))}")
        elif kind in ("win_motortaxi", "delivery_rider"):
            plate_core = (f"{int(rng.integers(1, 10))}{CAR_SERIES[int(rng.integers(len(CAR_SERIES)))]}"
                          f"{CAR_SERIES[int(rng.integers(len(CAR_SERIES)))]} {int(rng.integers(1, 10000))}")
        else:
            if pos[0] > 13.85:
                prov = "nbi" if pos[1] < 100.58 else "pte"
            elif pos[0] < 13.63:
                prov = "spk"
            pre = str(int(rng.integers(1, 10))) if rng.random() < 0.6 else ""
            plate_core = (f"{pre}{CAR_SERIES[int(rng.integers(len(CAR_SERIES)))]}"
                          f"{CAR_SERIES[int(rng.integers(len(CAR_SERIES)))]} {int(rng.integers(1, 10000))}")
        plate = f"{plate_core} {PROV_TH[prov]}"
        if kind in ("port_truck", "staff_bus") or kind.startswith("songthaew"):
            vid = plate
        elif kind in ("win_motortaxi", "delivery_rider"):
            vid = "rdr_" + "".join("0123456789abcdef"[int(x)] for x in rng.integers(0, 16, 8))
        else:
            vid = luhn_imei(rng)
        if vid not in used and plate not in used:
            used.add(vid)
            used.add(plate)
            return vid, plate, prov, plate_core


MODELS = {
    "port_truck": ("truck", ["Hino 700 tractor", "Isuzu GXZ 360 tractor", "Volvo FM 440 tractor",
                             "UD Quester GWE tractor"], "diesel", "DLT GPS box + licence card reader"),
    "staff_bus": ("bus", ["Hino RK8J 40-seat", "Isuzu LT134 40-seat", "Hino AK 30-seat"], "diesel",
                  "DLT GPS box + licence card reader"),
    "songthaew_route": ("songthaew", ["Isuzu D-Max songthaew body", "Toyota Hilux songthaew body",
                                      "Mitsubishi L200 songthaew body"], "diesel", "co-op GPS tracker"),
    "songthaew_red": ("songthaew", ["Isuzu D-Max songthaew body", "Toyota Hilux songthaew body"], "diesel",
                      "co-op GPS tracker"),
    "office_commuter": ("car", ["Toyota Yaris Ativ", "Honda City", "Toyota Corolla Cross", "Honda HR-V",
                                "Mazda 2", "Toyota Camry", "BYD Atto 3", "Honda Civic"], "gasohol 95",
                        "OBD-II dongle"),
    "songkran_family": ("car", ["Toyota Fortuner", "Mitsubishi Pajero Sport", "Isuzu MU-X", "Honda CR-V",
                                "Toyota Veloz", "Mitsubishi Xpander"], "diesel", "OBD-II dongle"),
    "school_run": ("car", ["Toyota Alphard", "Honda CR-V", "Mercedes-Benz C 220d", "BMW X3",
                           "Toyota Fortuner"], "gasohol 95", "OBD-II dongle"),
    "grab_driver": ("car", ["Toyota Corolla Altis", "Honda City", "Toyota Yaris Ativ", "MG ZS EV",
                            "Suzuki Ciaz"], "gasohol 91", "OBD-II dongle"),
    "shift_worker": ("pickup", ["Isuzu D-Max Spark", "Toyota Hilux Revo", "Ford Ranger XL",
                                "Nissan Navara"], "diesel", "OBD-II dongle"),
    "win_motortaxi": ("motorcycle", ["Honda Wave 110i", "Honda Wave 125i", "Yamaha Finn"], "gasohol 95",
                      "Android phone (rider app)"),
    "delivery_rider": ("motorcycle", ["Honda Click 125i", "Honda PCX 160", "Yamaha NMAX", "Honda Wave 110i"],
                       "gasohol 95", "Android phone (rider app)"),
}

# ----------------------------------------------------------------------------- sampling


class Dev:
    def __init__(self, move_iv, idle_iv, off_iv, sigma, events, jitter=0.0):
        self.move_iv, self.idle_iv, self.off_iv = move_iv, idle_iv, off_iv
        self.sigma, self.events, self.jitter = sigma, events, jitter


DEVS = {"A": Dev(60.0, 60.0, 600.0, 4.0, True), "B": Dev(30.0, 60.0, 900.0, 6.0, False),
        "C": Dev(30.0, 30.0, 3600.0, 5.0, True), "D": Dev(20.0, 300.0, 300.0, 6.0, False, jitter=5.0)}


def sample(tl, dev, rng, t_end):
    """Ping arrays for one vehicle: t (local s), lat, lon, speed km/h, heading, state, event, trip_first."""
    T, LA, LO, SP, HD, EV = [], [], [], [], [], []
    cnt, st_seg, is_move = [], [], []
    prev_engine = "off"
    for seg in tl.segs:
        if seg[1] >= t_end:
            break
        if seg[0] == "S":
            _, t0, t1, la, lo, eng, _tag = seg
            t1 = min(t1, t_end)
            if eng == "off":
                iv, st = dev.off_iv, 2
            else:
                iv, st = dev.idle_iv, 1
            if dev.jitter:
                n = int((t1 - t0) / (iv - dev.jitter * 3)) + 2
                steps = rng.uniform(iv - dev.jitter * 3, iv + dev.jitter * 3, n)
                steps[0] = rng.uniform(0, iv)
                ts = t0 + steps.cumsum()
            else:
                ts = t0 + rng.uniform(2.0, iv) + np.arange(0.0, t1 - t0, iv)
            ts = ts[ts < t1]
            k = len(ts)
            ev = None
            if dev.events and eng == "off" and prev_engine != "off":
                ts = np.concatenate(([t0 + 1.0], ts))
                ev = np.zeros(k + 1, np.int8)
                ev[0] = 2
                k += 1
            if k:
                T.append(ts)
                LA.append(la)
                LO.append(lo)
                SP.append(None)
                HD.append(None)
                EV.append(ev)
                cnt.append(k)
                st_seg.append(st)
                is_move.append(False)
            prev_engine = eng
        else:
            _, t0, tr = seg
            dur = min(tr.dur, t_end - t0)
            iv = dev.move_iv
            if dev.jitter:
                n = int(dur / (iv - 5)) + 2
                steps = rng.uniform(iv - 5, iv + 5, n)
                steps[0] = rng.uniform(0, iv)
                tau = steps.cumsum()
            else:
                tau = rng.uniform(2.0, iv) + np.arange(0.0, dur, iv)
            tau = tau[tau < dur]
            ev = None
            if dev.events and prev_engine == "off":
                tau = np.concatenate(([0.0], tau))
                ev = np.zeros(len(tau), np.int8)
                ev[0] = 1
            k = len(tau)
            if k:
                la, lo, sp, hd = eval_trip(tr, tau)
                T.append(t0 + tau)
                LA.append(la)
                LO.append(lo)
                SP.append(sp)
                HD.append(hd)
                EV.append(ev)
                cnt.append(k)
                st_seg.append(0)
                is_move.append(True)
            prev_engine = "on"
    N = int(sum(cnt))
    out = dict(t=np.empty(N), lat=np.empty(N), lon=np.empty(N), spd=np.zeros(N), hdg=np.full(N, -1.0),
               st=np.repeat(np.array(st_seg, np.int8), cnt), ev=np.zeros(N, np.int8), first=np.zeros(N, bool))
    pos = 0
    for j in range(len(cnt)):
        k = cnt[j]
        sl = slice(pos, pos + k)
        out["t"][sl] = T[j]
        out["lat"][sl] = LA[j]
        out["lon"][sl] = LO[j]
        if is_move[j]:
            out["spd"][sl] = SP[j]
            out["hdg"][sl] = HD[j]
            out["first"][pos] = True
        if EV[j] is not None:
            out["ev"][sl] = EV[j]
        pos += k
    moving = out["st"] == 0
    out["spd"][moving] *= np.exp(rng.normal(0, 0.04, int(moving.sum())))
    out["st"][moving & (out["spd"] <= 0)] = 1
    o = np.argsort(out["t"], kind="stable")
    for key in out:
        out[key] = out[key][o]
    ang = rng.uniform(0, 2 * np.pi, N)
    r = np.abs(rng.normal(0, dev.sigma, N))
    out["lat"], out["lon"] = shift_m(out["lat"], out["lon"], r * np.cos(ang), r * np.sin(ang))
    return out


def canyon(p, rng):
    """Reflect ~25 % of fixes near the high-rise cores 60-500 m off. Returns the mask of displaced rows."""
    n = len(p["t"])
    inside = np.zeros(n, bool)
    for la, lo in CBD_CORES:
        inside |= km(p["lat"], p["lon"], la, lo) < CBD_R_KM
    hit = inside & (rng.random(n) < 0.25)
    k = int(hit.sum())
    if k:
        r = np.clip(60 + rng.exponential(120, k), 60, 500)
        a = rng.uniform(0, 2 * np.pi, k)
        p["lat"][hit], p["lon"][hit] = shift_m(p["lat"][hit], p["lon"][hit], r * np.cos(a), r * np.sin(a))
    return hit, inside


# ----------------------------------------------------------------------------- formatting

_TOD = None


def tod_table():
    global _TOD
    if _TOD is None:
        _TOD = np.array([f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(DAY)],
                        dtype=object)
    return _TOD


def be_dates(day_idx, year_add=543, thai_digits=False):
    """'dd/mm/yyyy' Buddhist-Era strings for integer day offsets from 2024-04-01."""
    u, inv = np.unique(np.asarray(day_idx, dtype=np.int64), return_inverse=True)
    dates = START_DATE + u.astype("timedelta64[D]")
    s = []
    for dd in dates.astype(object):
        txt = f"{dd.day:02d}/{dd.month:02d}/{dd.year + year_add}"
        s.append(txt.translate(THAI_DIGITS) if thai_digits else txt)
    return np.array(s, dtype=object)[inv.reshape(-1)]


def fixed_str(x, nd):
    """Fixed-decimal text ('%.{nd}f') of non-negative floats as an Arrow string array."""
    scale = 10 ** nd
    m = np.rint(np.asarray(x, float) * scale).astype(np.int64)
    ip = pc.cast(pa.array(m // scale), pa.string())
    fp = pc.utf8_lpad(pc.cast(pa.array(m % scale), pa.string()), nd, "0")
    return pc.binary_join_element_wise(ip, fp, ".")


def csv_bytes(table, eol):
    buf = pa.BufferOutputStream()
    pacsv.write_csv(table, buf, pacsv.WriteOptions(eol=eol, quoting_style="none", quoting_header="none"))
    return buf.getvalue().to_pybytes()


def iso_local(t):
    return str(np.datetime64("2024-04-01T00:00:00") + np.timedelta64(int(round(t)), "s"))


# ----------------------------------------------------------------------------- the writer


def write_siam_fleet(folder, vehicles=120, days=28, seed=0) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    t_end = days * DAY
    counts = allocate(int(vehicles))
    plan = []
    for (kind, _s, fcode, life), n in zip(KINDS, counts):
        for j in range(int(n)):
            plan.append((kind, fcode, life, j, int(n)))
    # fault hosts
    flags = [dict() for _ in plan]
    idx_kind = {}
    for i, (kind, *_rest) in enumerate(plan):
        idx_kind.setdefault(kind, []).append(i)
    frng = np.random.default_rng([seed, 99])
    trucks = idx_kind.get("port_truck", [])
    if trucks:
        nu = max(1, int(round(0.4 * len(trucks))))
        for i in frng.choice(trucks, nu, replace=False):
            flags[int(i)]["unplug"] = True
    riders = idx_kind.get("delivery_rider", [])
    if riders:
        for i in frng.choice(riders, max(1, int(round(len(riders) / 6))), replace=False):
            flags[int(i)]["mock"] = True
    dlt = idx_kind.get("staff_bus", []) + idx_kind.get("port_truck", [])
    wnro = set()
    if dlt:
        buses = idx_kind.get("staff_bus", []) or dlt
        for i in frng.choice(buses, max(1, int(round(len(dlt) / 20))), replace=False):
            wnro.add(int(i))
    alias_host = None
    cand = [i for i in trucks if i not in wnro] or [i for i in dlt if i not in wnro]
    if cand:
        alias_host = int(cand[int(frng.integers(len(cand)))])
    obd_office = idx_kind.get("office_commuter", []) + idx_kind.get("songkran_family", [])
    local_utc = set()
    if obd_office:
        n_obd = sum(1 for p in plan if p[1] == "C")
        for i in frng.choice(obd_office, max(1, int(round(n_obd * 0.035))), replace=False):
            local_utc.add(int(i))
    cm = idx_kind.get("songthaew_route", []) + idx_kind.get("songthaew_red", [])
    be_host = int(cm[int(frng.integers(len(cm)))]) if cm else None

    used = set()
    recs = []
    for i, (kind, fcode, life, j, _n) in enumerate(plan):
        rng = np.random.default_rng([seed, i, 7])
        tl, extra = life(Ctx(rng, days, j, flags[i]))
        home = extra["home"]
        vid, plate, prov, plate_core = make_identity(np.random.default_rng([seed, i, 11]), kind, home, used)
        recs.append(dict(i=i, kind=kind, fcode=fcode, tl=tl, extra=extra, vid=vid, plate=plate, prov=prov,
                         plate_core=plate_core))

    faults = {}
    truth_v = {}
    # ---- per-vehicle sampling
    per_file = {"A": [], "B": [], "C": [], "D": []}
    canyon_rows = {F_OBD: 0, F_APP: 0}
    net_rows = 0
    mock_eps = []
    for r in recs:
        srng = np.random.default_rng([seed, r["i"], 13])
        p = sample(r["tl"], DEVS[r["fcode"]], srng, t_end)
        p["vid"] = r["vid"]
        p["rec"] = r
        if r["fcode"] in ("C", "D"):
            hit, inside = canyon(p, srng)
            p["canyon"] = hit
            p["inside"] = inside
        if r["fcode"] == "D":
            n = len(p["t"])
            still = p["st"] != 0
            prov_ = np.where(still, "fused", "gps").astype(object)
            acc = np.where(still, srng.uniform(8, 35, n), srng.uniform(3, 10, n))
            net = still & (srng.random(n) < 0.06) & ~p["canyon"]
            mocked = np.zeros(n, bool)
            for (m0, m1, mla, mlo) in r["tl"].mock:
                m = (p["t"] >= m0) & (p["t"] <= m1)
                if m.sum() == 0:
                    continue
                net &= ~m
                mocked |= m
                k = int(m.sum())
                p["lat"][m], p["lon"][m] = shift_m(mla, mlo, srng.normal(0, 1.5, k), srng.normal(0, 1.5, k))
                p["spd"][m] = 0.0
                mock_eps.append({"vehicle_id": r["vid"], "start_utc": _utc_iso(m0), "end_utc": _utc_iso(m1),
                                 "lat": round(mla, 6), "lon": round(mlo, 6), "rows": k})
            k = int(net.sum())
            if k:
                a = srng.uniform(150, 1500, k)
                acc[net] = a
                e = a * srng.uniform(0.2, 1.0, k)
                ang = srng.uniform(0, 2 * np.pi, k)
                p["lat"][net], p["lon"][net] = shift_m(p["lat"][net], p["lon"][net], e * np.cos(ang),
                                                       e * np.sin(ang))
                prov_[net] = "network"
            net_rows += k
            acc[mocked] = 3.0
            prov_[mocked] = "gps"
            p["acc"] = acc
            p["provider"] = prov_
            p["mocked"] = mocked
            p["canyon"] &= ~mocked
        if "canyon" in p:
            canyon_rows[FILE_OF[r["fcode"]]] += int(p["canyon"].sum())
        per_file[r["fcode"]].append(p)

    # ---- truth per vehicle
    for r in recs:
        ex = r["extra"]
        home = ex["home"]
        na = {}
        segs = r["tl"].segs
        starts = np.array([s[1] for s in segs])
        for d in range(days):
            t = at(d, 3.5)
            k = int(np.searchsorted(starts, t, side="right") - 1)
            if k < 0:
                continue
            s = segs[k]
            if s[0] == "M":
                na[str(START_DATE + np.timedelta64(d, "D"))] = "on_the_road"
            elif s[6] != "home":
                tag = {"port_park": "port_truck_park", "road": "on_the_road"}.get(s[6], s[6])
                na[str(START_DATE + np.timedelta64(d, "D"))] = tag
        v = {"home": _ll(home), "work": _ll(ex.get("work")), "kind": r["kind"], "file": FILE_OF[r["fcode"]]}
        for key in ("school", "upcountry", "holiday", "charter_to"):
            if key in ex:
                v[key] = _ll(ex[key])
        for key in ("province", "route", "estate", "shift_phase", "shift", "pattern"):
            if key in ex:
                v[key] = ex[key]
        v["nights_away"] = na
        truth_v[r["vid"]] = v

    # ---- file A: DLT platform
    _write_dlt(folder / F_DLT, per_file["A"], days, seed, wnro, alias_host, faults)
    # ---- file B: Chiang Mai co-op
    _write_cm(folder / F_CM, per_file["B"], days, seed, be_host, faults)
    # ---- file C: OBD parquet
    _write_obd(folder / F_OBD, per_file["C"], seed, local_utc, faults)
    # ---- file D: phone app
    _write_app(folder / F_APP, per_file["D"], seed)

    faults["urban_canyon"] = {"files": [F_OBD, F_APP], "centres": [list(c) for c in CBD_CORES],
                              "radius_km": CBD_R_KM, "share": 0.25, "offset_m": [60, 500],
                              "rows": dict(canyon_rows)}
    faults["phone_network_fixes"] = {"file": F_APP, "rows": int(net_rows), "accuracy_m": [150, 1500]}
    faults["phone_mock_location"] = {"file": F_APP, "accuracy_m": 3.0, "episodes": mock_eps}

    # ---- vehicles.csv
    rows = []
    for r in recs:
        mrng = np.random.default_rng([seed, r["i"], 17])
        vtype, models, fuel, device = MODELS[r["kind"]]
        rows.append({"vehicle_id": r["vid"], "source_file": FILE_OF[r["fcode"]], "plate": r["plate"],
                     "vehicle_type": vtype, "make_model": pick(mrng, models), "fuel": fuel,
                     "registered_province": PROV_EN[r["prov"]], "device": device})
    pd.DataFrame(rows).to_csv(folder / "vehicles.csv", index=False, encoding="utf-8", lineterminator="\n")

    # ---- labels.csv
    lrng = np.random.default_rng([seed, 23])
    n_lab = int(round(0.75 * len(recs)))
    chosen = sorted(int(x) for x in lrng.choice(len(recs), n_lab, replace=False)) if recs else []
    lab = []
    for k in chosen:
        r = recs[k]
        for label in ("home", "work"):
            pt = truth_v[r["vid"]][label]
            if pt is None:
                continue
            dist = lrng.uniform(10, 60)
            a = lrng.uniform(0, 2 * np.pi)
            la, lo = shift_m(pt[0], pt[1], dist * np.cos(a), dist * np.sin(a))
            lab.append([r["vid"], label, float(la), float(lo)])
    wrong = []
    if lab:
        n_wrong = max(1, int(round(0.05 * len(lab))))
        for k in sorted(int(x) for x in lrng.choice(len(lab), n_wrong, replace=False)):
            vid, label = lab[k][0], lab[k][1]
            tv = truth_v[vid]
            other = tv["work" if label == "home" else "home"]
            if label == "home" and "upcountry" in tv and lrng.random() < 0.6:
                tgt = tv["upcountry"]
            elif other is not None and lrng.random() < 0.5:
                tgt = other
            else:
                dist = lrng.uniform(3000, 12000)
                a = lrng.uniform(0, 2 * np.pi)
                tgt = [float(x) for x in shift_m(lab[k][2], lab[k][3], dist * np.cos(a), dist * np.sin(a))]
            dist = lrng.uniform(10, 60)
            a = lrng.uniform(0, 2 * np.pi)
            la, lo = shift_m(tgt[0], tgt[1], dist * np.cos(a), dist * np.sin(a))
            lab[k][2], lab[k][3] = float(la), float(lo)
            wrong.append({"vehicle_id": vid, "label": label})
    ldf = pd.DataFrame(lab, columns=["vehicle_id", "label", "lat", "lon"])
    ldf["lat"] = ldf["lat"].round(6)
    ldf["lon"] = ldf["lon"].round(6)
    ldf.to_csv(folder / "labels.csv", index=False, encoding="utf-8", lineterminator="\n")

    truth = {"tz": "Asia/Bangkok", "window": {"start_local": "2024-04-01T00:00:00", "days": int(days)},
             "vehicles": truth_v, "wrong_labels": wrong, "faults": faults}
    with open(folder / "truth.json", "w", encoding="utf-8", newline="\n") as fh:
        json.dump(truth, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    return folder


def _ll(p):
    if p is None:
        return None
    return [round(float(p[0]), 6), round(float(p[1]), 6)]


def _utc_iso(t_local):
    return str(np.datetime64("2024-03-31T17:00:00") + np.timedelta64(int(round(t_local)), "s")) + "Z"


def _write_dlt(path, plist, days, seed, wnro, alias_host, faults):
    rng = np.random.default_rng([seed, 31])
    tod = tod_table()
    frames = []
    nofix_total, nofix_by = 0, {}
    sf_eps, sf_dup_eps, sf_dups, sf_by = 0, 0, 0, {}
    gaps = []
    alias_info = []
    wnro_ids, wnro_rows = [], 0
    for p in plist:
        r = p["rec"]
        t = np.floor(p["t"]).astype(np.int64)
        n = len(t)
        if n == 0:
            continue
        lat, lon = p["lat"].copy(), p["lon"].copy()
        spd = np.rint(p["spd"]).astype(int)
        hdg = np.where(p["hdg"] < 0, 0, np.rint(p["hdg"])).astype(int) % 360
        st = p["st"].copy()
        gps_ok = np.ones(n, bool)
        # cold start in covered places: the first rows after some ignition-on events have no fix
        firsts = np.where(p["ev"] == 1)[0]
        for k in firsts:
            if rng.random() < 0.2:
                m = int(rng.integers(1, 6))
                sl = slice(k, min(n, k + m))
                gps_ok[sl] = False
        lat[~gps_ok] = 0.0
        lon[~gps_ok] = 0.0
        spd[~gps_ok] = 0
        hdg[~gps_ok] = 0
        status = np.array(["วิ่ง", "จอดติดเครื่อง", "จอดดับเครื่อง", "ไฟหลักถูกตัด"], dtype=object)[st]
        # power cuts: drop rows inside windows, add one power-cut row
        keep = np.ones(n, bool)
        cut_rows = []
        for (ta, tb) in r["tl"].cuts:
            inside = (p["t"] > ta) & (p["t"] < tb)
            if inside.sum() < 5:
                continue
            keep &= ~inside
            cut_rows.append((ta, tb))
        extra_rows = []
        for (ta, _tb) in cut_rows:
            j = int(np.searchsorted(p["t"], ta))
            j = min(max(j, 1), n - 1)
            extra_rows.append(dict(t=max(int(ta), int(t[j - 1]) + 1),
                                   lat=float(lat[j - 1] + (lat[j] - lat[j - 1]) * 0.5),
                                   lon=float(lon[j - 1] + (lon[j] - lon[j - 1]) * 0.5), spd=int(spd[j - 1]),
                                   hdg=int(hdg[j - 1])))
        df = pd.DataFrame({"t": t[keep], "lat": lat[keep], "lon": lon[keep], "spd": spd[keep],
                           "hdg": hdg[keep],
                           "status": status[keep], "gps": np.where(gps_ok[keep], "ปกติ", "ไม่มีสัญญาณ"),
                           "st": st[keep]})
        if extra_rows:
            ex = pd.DataFrame(extra_rows)
            ex["status"] = "ไฟหลักถูกตัด"
            ex["gps"] = "ปกติ"
            ex["st"] = 0
            df = pd.concat([df, ex], ignore_index=True).sort_values("t", kind="stable").reset_index(drop=True)
        # driver card swipe per day (engine-on rows only)
        dayi = (df["t"].to_numpy() // DAY).astype(int)
        swiped = rng.random(days + 2) < 0.85
        card = np.where(swiped[np.clip(dayi, 0, days + 1)], "รูดบัตรแล้ว", "ยังไม่รูดบัตร").astype(object)
        card[df["st"].to_numpy() == 2] = ""
        df["card"] = card
        # gaps for truth (after cuts, before reordering): from each power-cut row to the next row
        if cut_rows:
            tt = df["t"].to_numpy()
            for j in np.where(df["status"].to_numpy() == "ไฟหลักถูกตัด")[0]:
                if j + 1 < len(tt):
                    dist = km1(float(df["lat"].iat[j]), float(df["lon"].iat[j]), float(df["lat"].iat[j + 1]),
                               float(df["lon"].iat[j + 1]))
                    gaps.append({"vehicle_id": r["vid"], "start": iso_local(tt[j]),
                                 "end": iso_local(tt[j + 1]),
                                 "km": round(dist, 1)})
        # store and forward: reorder blocks, duplicate some
        order = np.arange(len(df))
        moving = np.where(df["st"].to_numpy() == 0)[0]
        n_eps = rng.poisson(0.12 * days)
        eps = []
        if len(moving) > 200 and n_eps:
            cands = np.sort(rng.choice(moving[50:-150], min(n_eps, len(moving) // 200), replace=False))
            last_end = -1
            for s0 in cands:
                L = int(rng.integers(20, 90))
                k = int(rng.integers(1, 4))
                if s0 <= last_end + 5 or s0 + L + k + 2 >= len(df):
                    continue
                blk = df["status"].iloc[s0:s0 + L + k].to_numpy()
                if (blk == "ไฟหลักถูกตัด").any():
                    continue
                eps.append((int(s0), L, k))
                last_end = s0 + L + k
        if eps:
            pieces = []
            pos = 0
            dups = 0
            dup_eps = 0
            for (s0, L, k) in eps:
                pieces.append(order[pos:s0])
                pieces.append(order[s0 + L:s0 + L + k])
                pieces.append(order[s0:s0 + L])
                if rng.random() < 0.5:
                    m = int(rng.integers(3, max(4, L // 2)))
                    pieces.append(order[s0:s0 + m])
                    dups += m
                    dup_eps += 1
                pos = s0 + L + k
            pieces.append(order[pos:])
            order = np.concatenate(pieces)
            sf_eps += len(eps)
            sf_dup_eps += dup_eps
            sf_dups += dups
            sf_by[r["vid"]] = {"episodes": len(eps), "duplicate_rows": dups}
        df = df.iloc[order].reset_index(drop=True)
        nnf = int((df["gps"] == "ไม่มีสัญญาณ").sum())
        nofix_total += nnf
        if nnf:
            nofix_by[r["vid"]] = nnf
        # plate, with the alias from mid-window for one vehicle
        plate = np.full(len(df), r["vid"], dtype=object)
        if alias_host is not None and r["i"] == alias_host:
            from_d = max(1, days // 2)
            alias = f"{r['plate_core']} {PROV_ABBR[r['prov']]}"
            m = df["t"].to_numpy() >= from_d * DAY
            plate[m] = alias
            alias_info.append({"alias": alias, "vehicle_id": r["vid"],
                               "from": str(START_DATE + np.timedelta64(from_d, "D")), "rows": int(m.sum())})
        df["plate"] = plate
        dshift = 0
        if r["i"] in wnro:
            dshift = -WNRO_DAYS
            wnro_ids.append(r["vid"])
            wnro_rows += len(df)
        tt = df["t"].to_numpy()
        df["date"] = be_dates(tt // DAY + dshift)
        df["time"] = tod[tt % DAY]
        frames.append(df)
    if frames:
        all_df = pd.concat(frames, ignore_index=True)
    else:
        all_df = pd.DataFrame(columns=["t", "lat", "lon", "spd", "hdg", "status", "gps", "card", "plate",
                                       "date",
                                       "time"])
    la = all_df["lat"].to_numpy(float)
    lo = all_df["lon"].to_numpy(float)
    addr = np.empty(len(all_df), dtype=object)
    kx = 111.32 * math.cos(math.radians(13.5))
    for s in range(0, len(all_df), 100000):
        e = s + 100000
        dd = (((lo[s:e, None] - GAZ_LON[None, :]) * kx) ** 2
              + ((la[s:e, None] - GAZ_LAT[None, :]) * 110.574) ** 2)
        addr[s:e] = GAZ_TXT[np.argmin(dd, axis=1)]
    addr[(la == 0.0) & (lo == 0.0)] = ""
    out = pa.table({
        "ลำดับ": pa.array(np.arange(1, len(all_df) + 1, dtype=np.int64)),
        "ทะเบียนรถ": pa.array(all_df["plate"].to_numpy(), pa.string()),
        "วันที่": pa.array(all_df["date"].to_numpy(), pa.string()),
        "เวลา": pa.array(all_df["time"].to_numpy(), pa.string()),
        "ละติจูด": fixed_str(la, 6),
        "ลองจิจูด": fixed_str(lo, 6),
        "ความเร็ว (กม./ชม.)": pa.array(all_df["spd"].to_numpy(np.int64)),
        "ทิศทาง (องศา)": pa.array(all_df["hdg"].to_numpy(np.int64)),
        "สถานะ": pa.array(all_df["status"].to_numpy(), pa.string()),
        "สัญญาณ GPS": pa.array(all_df["gps"].to_numpy(), pa.string()),
        "การรูดบัตร": pa.array(all_df["card"].to_numpy(), pa.string()),
        "สถานที่": pa.array(addr, pa.string()),
    })
    last = START_DATE + np.timedelta64(max(days - 1, 0), "D")
    d_last = last.astype(object)
    head = ("รายงานประวัติการเดินทางของรถ (ข้อมูลดิบ)\r\n"
            f"ช่วงวันที่ 01/04/2567 00:00:00 ถึง "
            f"{d_last.day:02d}/{d_last.month:02d}/{d_last.year + 543} 23:59:59\r\n"
            f"พิมพ์รายงานเมื่อ {d_last.day:02d}/{d_last.month:02d}/{d_last.year + 543} 23:59:59\r\n"
            "\r\n")
    body = csv_bytes(out, "\r\n").decode("utf-8")
    with open(path, "wb") as fh:
        fh.write(head.encode("cp874"))
        fh.write(body.encode("cp874"))
    faults["dlt_no_fix"] = {"file": F_DLT, "rows": int(nofix_total), "by_vehicle": nofix_by}
    faults["dlt_week_rollover"] = {"file": F_DLT, "vehicles": wnro_ids, "shift_days": -WNRO_DAYS,
                                   "rows": int(wnro_rows)}
    faults["dlt_store_forward"] = {"file": F_DLT, "episodes": int(sf_eps),
                                   "episodes_with_duplicates": int(sf_dup_eps),
                                   "duplicate_rows": int(sf_dups), "by_vehicle": sf_by}
    faults["dlt_power_cut"] = {"file": F_DLT, "gaps": gaps}
    faults["dlt_plate_alias"] = {"file": F_DLT, "aliases": alias_info}


def _write_cm(path, plist, days, seed, be_host, faults):
    rng = np.random.default_rng([seed, 37])
    tod_th = np.array([s.translate(THAI_DIGITS) for s in tod_table()], dtype=object)
    frames = []
    be_info = None
    for p in plist:
        r = p["rec"]
        t = np.floor(p["t"]).astype(np.int64)
        n = len(t)
        if n == 0:
            continue
        eng_on = p["st"] != 2
        volt = np.where(eng_on, rng.uniform(13.6, 14.3, n), rng.uniform(12.3, 12.8, n))
        year_add = np.full(n, 543)
        if be_host is not None and r["i"] == be_host:
            from_d = max(1, (2 * days) // 3)
            m = t >= from_d * DAY
            year_add[m] = 1086
            be_info = {"file": F_CM, "vehicle_id": r["vid"],
                       "from": str(START_DATE + np.timedelta64(from_d, "D")),
                       "rows": int(m.sum()), "written_year": "๓๑๑๐", "true_year_be": "๒๕๖๗"}
        frames.append(pd.DataFrame({"t": t, "plate": r["vid"], "lat": p["lat"], "lon": p["lon"],
                                    "spd": np.rint(p["spd"]).astype(int), "eng": np.where(eng_on, "ติด", "ดับ"),
                                    "volt": np.round(volt, 1), "ya": year_add}))
    if frames:
        df = pd.concat(frames, ignore_index=True).sort_values(["t", "plate"], kind="stable")
        df = df.reset_index(drop=True)
    else:
        df = pd.DataFrame(columns=["t", "plate", "lat", "lon", "spd", "eng", "volt", "ya"])
    tt = df["t"].to_numpy(np.int64)
    ya = df["ya"].to_numpy(int)
    dates = np.empty(len(df), dtype=object)
    for yv in np.unique(ya):
        m = ya == yv
        dates[m] = be_dates(tt[m] // DAY, int(yv), thai_digits=True)
    stamp = pc.binary_join_element_wise(pa.array(dates, pa.string()), pa.array(tod_th[tt % DAY], pa.string()),
                                        " ")
    out = pa.table({"ทะเบียนรถ": pa.array(df["plate"].to_numpy(), pa.string()), "วันเวลา": stamp,
                    "ละติจูด": fixed_str(df["lat"].to_numpy(float), 6),
                    "ลองจิจูด": fixed_str(df["lon"].to_numpy(float), 6),
                    "ความเร็ว(กม./ชม.)": pa.array(df["spd"].to_numpy(np.int64)),
                    "เครื่องยนต์": pa.array(df["eng"].to_numpy(), pa.string()),
                    "แรงดันไฟ(V)": fixed_str(df["volt"].to_numpy(float), 1)})
    with open(path, "wb") as fh:
        fh.write("\ufeff".encode("utf-8"))
        fh.write(csv_bytes(out, "\r\n"))
    faults["cm_be_year_doubled"] = be_info or {"file": F_CM, "vehicle_id": None, "rows": 0}


def _write_obd(path, plist, seed, local_utc, faults):
    rng = np.random.default_rng([seed, 41])
    names = ("device_id", "ts", "lat", "lon", "speed_kmh", "heading_deg", "event", "sats", "hdop")
    cols = {k: [] for k in names}
    ev_names = np.array(["position", "ignition_on", "ignition_off", "heartbeat"], dtype=object)
    bad = []
    for p in plist:
        r = p["rec"]
        n = len(p["t"])
        if n == 0:
            continue
        ms = np.rint((BASE_EPOCH + p["t"]) * 1000).astype(np.int64)
        if r["i"] in local_utc:
            ms = ms + 7 * 3600 * 1000
            bad.append(r["vid"])
        ev = p["ev"].astype(int)
        code = np.where(ev == 1, 1, np.where(ev == 2, 2, np.where(p["st"] == 2, 3, 0)))
        sats = np.where(p["inside"], rng.integers(4, 9, n), rng.integers(8, 15, n)).astype(np.int8)
        hdop = np.where(p["inside"], rng.uniform(1.4, 3.5, n), rng.uniform(0.7, 1.5, n)).astype(np.float32)
        hdg = np.where(p["hdg"] < 0, 0, np.rint(p["hdg"])) % 360
        cols["device_id"].append(np.full(n, r["vid"], dtype=object))
        cols["ts"].append(ms)
        cols["lat"].append(np.round(p["lat"], 6))
        cols["lon"].append(np.round(p["lon"], 6))
        cols["speed_kmh"].append(np.round(p["spd"], 1).astype(np.float32))
        cols["heading_deg"].append(hdg.astype(np.int16))
        cols["event"].append(ev_names[code])
        cols["sats"].append(sats)
        cols["hdop"].append(np.round(hdop, 1).astype(np.float32))
    if cols["ts"]:
        c = {k: np.concatenate(v) for k, v in cols.items()}
    else:
        c = {"device_id": np.array([], dtype=object), "ts": np.array([], np.int64), "lat": np.array([]),
             "lon": np.array([]), "speed_kmh": np.array([], np.float32),
             "heading_deg": np.array([], np.int16), "event": np.array([], dtype=object),
             "sats": np.array([], np.int8), "hdop": np.array([], np.float32)}
    o = np.lexsort((c["ts"], c["device_id"].astype(str)))
    table = pa.table({
        "device_id": pa.array(c["device_id"][o].astype(str), pa.string()),
        "ts": pa.array(c["ts"][o], pa.timestamp("ms", tz="UTC")),
        "lat": pa.array(c["lat"][o], pa.float64()),
        "lon": pa.array(c["lon"][o], pa.float64()),
        "speed_kmh": pa.array(c["speed_kmh"][o], pa.float32()),
        "heading_deg": pa.array(c["heading_deg"][o], pa.int16()),
        "event": pa.array(c["event"][o].astype(str), pa.string()),
        "sats": pa.array(c["sats"][o], pa.int8()),
        "hdop": pa.array(c["hdop"][o], pa.float32()),
    })
    pq.write_table(table, path, compression="snappy")
    faults["obd_local_time_as_utc"] = {"file": F_OBD, "vehicles": bad, "offset_hours": 7}


def _write_app(path, plist, seed):
    rng = np.random.default_rng([seed, 43])
    frames = []
    for p in plist:
        r = p["rec"]
        n = len(p["t"])
        if n == 0:
            continue
        ms = np.rint((BASE_EPOCH + p["t"]) * 1000).astype(np.int64)
        h = (p["t"] % DAY) / HOUR
        batt = np.where((h >= 7) & (h < 23), 100 - (h - 7) * 4.5, 60 + (np.mod(h - 23, 24)) * 6)
        batt = np.clip(np.rint(batt + rng.normal(0, 2, n)), 5, 100).astype(int)
        moving = p["st"] == 0
        spd = np.where(moving, np.round(p["spd"] / 3.6, 2), np.nan)
        spd[p["mocked"]] = 0.0
        brg = np.where(moving, np.round(np.where(p["hdg"] < 0, 0, p["hdg"]), 1), np.nan)
        frames.append(pd.DataFrame({"user_id": r["vid"], "timestamp": ms, "lat": np.round(p["lat"], 7),
                                    "lng": np.round(p["lon"], 7), "accuracy_m": np.round(p["acc"], 1),
                                    "speed_mps": spd, "bearing": brg, "provider": p["provider"],
                                    "battery_pct": batt}))
    if frames:
        df = pd.concat(frames, ignore_index=True).sort_values(["user_id", "timestamp"], kind="stable")
    else:
        df = pd.DataFrame(columns=["user_id", "timestamp", "lat", "lng", "accuracy_m", "speed_mps", "bearing",
                                   "provider", "battery_pct"])
    table = pa.Table.from_pandas(df, preserve_index=False)
    with open(path, "wb") as fh:
        fh.write(csv_bytes(table, "\n"))


def main(argv=None):
    ap = argparse.ArgumentParser(description="Write the 'siam' synthetic Thai fleet (Songkran 2024).")
    ap.add_argument("out")
    ap.add_argument("--vehicles", type=int, default=120)
    ap.add_argument("--days", type=int, default=28)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    out = write_siam_fleet(a.out, a.vehicles, a.days, a.seed)
    print(f"wrote {out} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
