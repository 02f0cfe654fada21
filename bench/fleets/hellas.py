r"""Synthetic fleet "hellas": Greece, spring 2024 (Orthodox Easter and May Day inside the window).

Region and time
---------------
Athens and Piraeus (Attica), Thessaloniki, Patras, and the islands served by car ferries from
Piraeus: Crete (Heraklion, Chania/Souda), Syros and Paros (Cyclades). Drives also reach the
villages of the Peloponnese, Central Greece, Epirus, Thessaly, Evia and Macedonia at Easter.
The window is ``days`` local calendar days (default 28) starting Monday 22/04/2024 00:00
Athens time (Europe/Athens, EEST = UTC+3 for the whole default window; summer time began on
31/03/2024), i.e. 2024-04-21T21:00Z up to 2024-05-19T21:00Z. Greek calendar inside it:

* Wed 01/05 - unions' May Day strike (GSEE/ADEDY); the seamen's union (PNO) ties up every ferry:
  no sailings that day. About 30% of office workers strike and stay home.
* Thu 02/05 (Holy Thursday) - short working day; the Easter exodus from the cities begins in the
  afternoon (slow motorways until Friday lunchtime).
* Fri 03/05 (Good Friday) - offices closed; vans work the morning only.
* Sat 04/05 (Holy Saturday) - Resurrection service: a short drive to the parish church at about
  23:00 and home at about 00:45.
* Sun 05/05 Orthodox Easter (Western Easter was 31/03) - lamb at the parents'.
* Mon 06/05 (Easter Monday) and Tue 07/05 (the May Day public holiday, moved from 01/05 in 2024
  because 01/05 fell in Holy Week) - holidays; the return traffic of the exodus (slow motorways).

Files in the folder
-------------------
Every vehicle appears in exactly ONE ping file (the two platforms never share a vehicle; a very
small fleet may have no vehicle on one platform, and then that file is not written).

1. ``istoriko_kiniseon_DDMMYYYY_DDMMYYYY.csv`` (e.g. ``istoriko_kiniseon_22042024_19052024.csv``;
   the dates are the first and last local day of the window) - platform A, the "history of
   movements" report of a Greek fleet-management web platform, exported from its Windows desktop
   client. Company cars, vans, pick-ups and private cars with low-cost trackers (Concox GT06N,
   Queclink GV55, Meitrack T366).

   * Encoding Windows-1253 (cp1253, Greek), CRLF line ends, ``;`` delimiter, no quoting.
   * Three preamble lines before the header: the report title
     ``Αναφορά Ιστορικού Κινήσεων Οχημάτων``, the period
     ``Περίοδος: 22/04/2024 00:00 - 19/05/2024 23:59``, and one empty line. Header on line 4
     (``skiprows=3``).
   * Decimal comma in every number with decimals; no thousands separator.
   * Rows sorted by the plate as written, then by the written date-time.
   * Columns (header text exactly as below):

     - ``Αρ. Κυκλοφορίας`` - registration plate in GREEK capital letters with a hyphen,
       e.g. ``ΙΚΥ-1234``, ``ΝΒΕ-4521``, ``ΑΧΡ-1180``, ``ΗΡΚ-7702``, ``ΧΝΑ-3310``, ``ΕΜΖ-2784``;
       Athens taxis ``Τ??-nnnn``. Only the 14 plate letters that exist on Greek plates are used
       (Α Β Ε Ζ Η Ι Κ Μ Ν Ο Ρ Τ Υ Χ). This is the vehicle id (labels, vehicles.csv, truth).
     - ``Ημερομηνία`` - date ``dd/MM/yyyy``.
     - ``Ώρα`` - time ``HH:mm:ss``.
       Date and time are NAIVE LOCAL WALL-CLOCK time of Greece (Europe/Athens); no zone is
       written anywhere in the file (hence ``"tz": "Europe/Athens"`` in truth.json).
     - ``Γεωγρ. Πλάτος`` / ``Γεωγρ. Μήκος`` - WGS84 latitude / longitude, decimal degrees,
       6 decimals, decimal comma (``37,975612``).
     - ``Ταχύτητα (χλμ/ώρα)`` - GPS speed, km/h, integer.
     - ``Κατεύθυνση (μοίρες)`` - course over ground, degrees 0-359, integer.
     - ``Ανάφλεξη`` - ignition ``Ναι`` (on) / ``Όχι`` (off).
     - ``Δορυφόροι`` - satellites used, integer.
     - ``Χιλιομετρητής (χλμ)`` - GPS odometer, km, 1 decimal; it accumulates only while the
       ignition is on (a car carried by a ferry does not add kilometres).
     - ``Συμβάν`` - record reason: ``Ανάφλεξη ON`` (engine start), ``Κίνηση`` (moving),
       ``Στάση`` (engine on, standing: traffic lights, queues), ``Ανάφλεξη OFF`` (engine stop),
       ``Στάθμευση`` (engine off heartbeat).
   * Sampling: every 30 s from engine start to engine stop (plus the stop record); with the
     engine off one heartbeat every 30 min (counted from the stop).

2. ``fmb_messages_YYYY-MM-DD_YYYY-MM-DD.parquet`` - platform B, the raw message export of an
   international telematics server for Teltonika FMB920 / FMC130 / FMB140 devices: rental cars,
   most taxis, some island residents and some private/company cars. One row per device record.
   Columns:

     - ``unit`` (string) - the unit name typed on the server: the plate in LATIN look-alike
       letters without hyphen (``ΗΡΚ-7702`` -> ``HPK7702``, taxis ``TAX1234``). This is the
       vehicle id.
     - ``imei`` (string, 15 digits) - the device IMEI (also in vehicles.csv).
     - ``gps_time`` (Parquet timestamp, millisecond unit holding whole seconds, tz=UTC) - time
       of the fix, UTC.
     - ``server_time`` (same type) - time the record reached the server, UTC
       (1-4 s after gps_time; later for buffered records, see below).
     - ``latitude`` / ``longitude`` (float64) - WGS84 degrees.
     - ``speed_kmh`` (int16) - km/h. ``course_deg`` (int16) - degrees 0-359.
     - ``satellites`` (int8); ``hdop`` (float32; 99.0 = no fix).
     - ``ignition`` (bool, DIN1/AVL 239); ``movement`` (bool, AVL 240: the device is moving,
       engine on or not - e.g. on a ferry deck).
     - ``ext_voltage_v`` (float32) - vehicle battery voltage, V (about 14 running, 12.4 parked).
   * Sampling ("on move" profile): a record every 30 s or every 250 m, whichever comes first,
     plus one at every bend of the road (no two records closer than 3 s); engine start and stop
     records; parked ("on stop") one record per 60 min. While carried by a ship with a fix
     (movement on, ignition off) one record per 60 s.
   * Buffering: with no mobile coverage (at sea more than ~25 min from either quay; and the
     coverage holes at Elafonisi, Balos and the Omalos plateau in western Crete) records are
     stored on the device and sent together when coverage returns: ``server_time`` of the whole
     batch = the server time of the first record made back in coverage.
   * Row order: grouped by ``unit`` (units sorted), within a unit by ``server_time`` (arrival
     order). Devices configured "oldest first" send a batch in ``gps_time`` order; see fault
     B2 for "newest first". Sort by ``gps_time`` before use.

3. ``vehicles.csv`` - UTF-8, comma, ``\n``. Columns: ``vehicle_id`` (exactly as in the ping
   file), ``source_file`` (name of the ping file holding it), ``imei``, ``make``, ``model``,
   ``year``, ``fuel`` (Βενζίνη / Πετρέλαιο / Υβριδικό / Υγραέριο), ``body``
   (Επιβατικό = passenger car, Ελαφρύ φορτηγό = light van, Αγροτικό (pick-up) = farm pick-up),
   ``tracker`` (device model). No column states the kind of life.

4. ``labels.csv`` - UTF-8, comma, ``vehicle_id,label,lat,lon``; label ``home`` or ``work``.
   About 86% of the vehicles that have a truth place (about 75% of the fleet) get one row per
   non-null truth place, geocoded from an address: N(0, 22 m) off the truth in each axis. About
   5% of the rows are wrong on purpose (listed in truth ``wrong_labels``, each with a ``why``):
   home and work swapped, or the address geocoded to a street of the same name elsewhere in the
   same city (> 1.5 km off).

5. ``truth.json`` - UTF-8:
   ``{"tz": "Europe/Athens", "vehicles": {id: {...}}, "wrong_labels": [...], "faults": {...}}``.
   Per vehicle: ``home`` / ``work`` ([lat, lon] or null), ``kind``, ``region``, ``file``,
   ``plate`` (Greek spelling), and when they apply ``easter_trip`` (village, place, by_ferry),
   ``ferry_crossings`` (from, to, depart_utc, arrive_utc, gps_on_board ``open``/``none``),
   ``rentals`` (pickup_utc, return_utc), ``note``.

Vehicle lives (kind) and their truth
------------------------------------
``home`` = where the vehicle normally spends the night (the house; street parking in the cities
scatters the car 0-130 m around it, the islands and villages 0-25 m). ``work`` = the place of
the working day, or null. Of 120 vehicles: 40 office, 10 port, 12 taxi, 14 vans, 13 islanders,
14 rentals, 9 farmers, 8 nurses (fewer vehicles keep the proportions, one of each kind first).

* ``office_commuter`` (Athens 27, Thessaloniki 8, Patras 5) - home in a suburb (Marousi,
  Chalandri, Kifisia, Peristeri, Glyfada, Kalamaria, Evosmos, Rio ...), work in an office
  district. Leaves 07:25-08:40, works 8-9 h (Friday 30 min less), sometimes shops on the way
  home, evening out (taverna, Plaka, Ladadika) mostly on Fridays and Saturdays, home by ~01:00.
  Weekends: supermarket/mall, beach (Vouliagmeni, Varkiza) or excursion, Sunday lunch at the
  parents'. truth: home, work.
  Easter exodus (about 55% when the window holds 02/05-08/05): Thursday after an early finish
  or Friday morning, drives to the family village (Levidi, Vytina, Arachova, Steni, Megalo
  Chorio, Kleitoria, Zitsa, Pyli, Sparti; Arnaia, Polygyros, Naousa, Siatista; Thermo,
  Kalavryta ...), 3-5 nights there with short drives to the nearby town, back on Easter Monday
  or Tuesday 07/05. About 15% of the Athenians who leave (at least one vehicle) take the car on
  the overnight ferry to Crete (Heraklion or Souda) on Holy Thursday and come back on the Easter
  Monday ship. Those who stay go to the midnight service and to the parents' for the lamb.
* ``port_shift_worker`` (Piraeus 10) - home in Piraeus, Nikaia, Keratsini, Korydallos, Perama;
  work at the Piraeus container terminal (Neo Ikonio) or the passenger port. Weekly rotating
  shifts night 23-07 -> afternoon 15-23 -> morning 07-15, five days a week, two fixed days off;
  off on the 01/05 dock strike. During night-shift weeks the car spends the nights at the port.
  truth: home, work.
* ``taxi`` (Athens 10 with ``Τ``-plates, Thessaloniki 2) - day shift from ~06:00 or evening
  shift from ~15:00, 9.5-11 h, one day off a week and Easter Sunday. Ranks (Syntagma, Omonia,
  Piraeus port, airport queue of 45-110 min, malls), fares all over the city, a break at home.
  truth: home, work null.
* ``delivery_van_depot`` (7) - the van sleeps at the company depot (Aspropyrgos or Metamorfosi
  logistics, Sindos, Patras and Heraklion industrial areas): 14-24 drops of 3-10 min in 2-4
  districts Monday-Friday, half rounds on some Saturdays and Good Friday. truth: home = depot,
  work null.
* ``delivery_van_takehome`` (7) - the driver takes the van home: home -> depot 06:15 -> round ->
  depot -> home. truth: home = driver's house, work = depot. Some go to the village at Easter.
* ``island_resident`` (Heraklion 4, Chania 3, Syros 3, Paros 3) - home and (for ~70%) work on
  the island (public-sector hours; on Paros tourism, Monday-Saturday); ~30% are retired (work
  null). Most take the car to Athens by ferry once or twice: Syros/Paros leave on the 16:30
  (Paros) / 17:45 (Syros) ship, Piraeus 21:30, and come back on the 07:25 from Piraeus; Crete
  sails 21:00 -> 06:00 both ways (Heraklion, or Souda for Chania). Nights at relatives in
  Athens, a hospital appointment or shopping. On board the car either keeps a GNSS fix
  (``gps_on_board: open`` - positions over the sea, engine off, at ship speed ~35-40 km/h) or
  has none in the closed garage deck (``none`` - platform A writes nothing between the quays,
  platform B writes hourly records frozen at the departure quay with 0 satellites, then jumps
  to the other quay). Cretans may spend Easter in their mountain village (Anogeia, Zaros,
  Archanes, Vamos, Therisso). No sailings on 01/05. truth: home, work or null.
* ``rental_tourist`` (Heraklion airport 6, Chania airport 4, Athens airport 4) - back-to-back
  rentals of 3-8 days with 0.3-2.5 idle days at the airport lot between them; tourists sleep
  in hotels (Hersonissos, Malia, Agios Nikolaos, Elounda, Rethymno, Chania, Kissamos; Athens,
  Glyfada, Nafplio, Kalambaka ...), sometimes moving hotel, and drive to Knossos, Spinalonga,
  Lasithi, Matala, Elafonisi, Balos, Preveli, Sounion, Mycenae, Epidavros, Delphi ...; after a
  return the staff refuel and wash the car. truth: home null, work null (many nights at hotels
  and at the airport lot are NOT a home).
* ``farmer`` (Achaia plain near Kato Achaia 3, Thessaloniki plain at Chalastra/Kymina 3,
  Messara plain in Crete near Moires/Tympaki 3) - pick-up; home in the village, 2-3 plots
  1.5-4.5 km away; field 06:00-13:00 and 17:00-20:30 six days a week, the main plot most days,
  sometimes the town/cooperative, the kafeneio in the evening, church on Sunday morning.
  truth: home, work = main plot.
* ``hospital_nurse_nights`` (Athens 6: Evangelismos, Attikon, Gennimatas, Tzaneio;
  Thessaloniki 2: AHEPA, Papageorgiou) - 10-day rota NNNNOOMMAA: four night shifts 23:00-07:00
  (arrives ~22:15, home ~07:20, sleeps by day), two days off, two mornings 07-15, two
  afternoons 15-23. 40% of the nights the car is at the hospital. truth: home = residence (the
  majority of nights), work = hospital.

Planted faults (truth ``faults``; every count can be checked on the files)
--------------------------------------------------------------------------
Platform A (the Greek CSV):

* A1 ``latin_plate_alias`` (about 2.5% of A vehicles, at least 1): after a device
  re-registration on ``from_local`` (a local midnight) the plate is typed with LATIN look-alike
  letters (``ΖΒΥ-1025`` -> ``ZBY-1025``, hyphen kept). From then on every row of the vehicle
  carries the alias, so one car looks like two vehicles; the alias rows sort before the Greek
  ones. Entry: vehicle_id, alias, from_local, rows_with_alias (= rows with the alias).
* A2 ``clock_fixed_utc_plus2`` (about 5% of A vehicles, at least 1): the account is set to a
  fixed "GMT+2 Athens" with no summer time, so the written wall clock is UTC+2 - one hour
  BEHIND real Greek time for the whole window. Entry: vehicle_id, rows, first_fix_utc and
  first_fix_written (the date and time written on the vehicle's first row, = first_fix_utc + 2 h).
* A3 ``gps_week_rollover`` (about 2.5% of A vehicles, at least 1): an old GPS module with the
  week-number roll-over bug writes dates exactly 1024 weeks (7168 days) early - 22/04/2024
  becomes 06/09/2004 (same weekday and time of day) - either for the whole window
  (firmware_fixed_utc null) or until a firmware update at firmware_fixed_utc. Entry:
  rows_shifted = number of rows of the vehicle dated in 2004.
* A4 ``zero_coordinates`` (about 15% of A vehicles): cold starts without a fix - the first 1-3
  records of ~35% of trips are written ``0,000000;0,000000`` with speed 0, course 0 and 0
  satellites. Entry: rows = rows of the vehicle with latitude = longitude = 0.
* A5/B5 ``device_unplugged`` (one A and one B vehicle): the tracker was disconnected for 1-5
  days (battery work at the garage); the car kept living but there are NO rows with a fix time in
  [from_utc, to_utc). Entry: from_utc, to_utc, rows_removed.

Platform B (the Parquet):

* B1 ``resent_duplicates`` (about 12% of B units, at least 1): after a GPRS reconnect the device
  re-sends 1-4 blocks of 5-40 records already delivered: the copies repeat unit, gps_time,
  position and every value except ``server_time`` (later) and appear in arrival order. Entry:
  rows = number of rows whose (unit, gps_time, latitude, longitude) repeats an earlier row.
* B2 ``backlog_newest_first`` (about 40% of the units that buffered records, at least 1 when
  any did): the device sends a buffered batch newest record first, so in file order gps_time
  runs backwards inside each batch. Entry: rows_out_of_order = number of rows whose gps_time is
  earlier than the previous row's of the same unit in file order, counted after dropping the B1
  copies (first occurrence kept); other units have none.
* B3 ``position_spikes`` (about 30% of B units, at least 1; ~1 per 6000 moving records): a
  single moving record thrown 2-20 km away (multipath / interference), 3-4 satellites, HDOP
  6-20, the records before and after are normal. Entry: vehicle_id, gps_time_utc, lat, lon,
  jump_km.

Hard cases that really occur in the default 120 x 28 fleet: cars that sleep at a hotel or an
airport lot with no home; nurses and port workers with many nights at work; several nights away
at Easter (some across the sea); ferry crossings with positions over water (engine off, moving)
and crossings with no positions or frozen ones followed by a 300 km jump; the same car under a
Greek and a Latin plate; a clock one hour behind; dates in 2004; 0/0 fixes; device gaps;
duplicates; backwards batches; spikes.

Usage: ``write_hellas_fleet(folder, vehicles=120, days=28, seed=0)`` or
``python bench/fleets/hellas.py OUT [--vehicles N] [--days D] [--seed S]``. Same arguments give
byte-identical files. Only numpy, pandas, pyarrow and the standard library.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import namedtuple
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

NAME = "hellas"
TZ_NAME = "Europe/Athens"
TZ = ZoneInfo(TZ_NAME)
FIRST_DAY = (2024, 4, 22)  # Monday
EARTH_R = 6371008.8
WNRO_DAYS = 7168  # 1024 GPS weeks

# day indices (0 = Mon 22 Apr 2024) of the Greek spring calendar
MAY1 = 9          # Wed 1 May: unions' May Day strike, ferries tied up (PNO), offices mostly open
HOLY_THU = 10     # Thu 2 May: exodus starts in the afternoon
GOOD_FRI = 11     # Fri 3 May (Μεγάλη Παρασκευή)
HOLY_SAT = 12     # Sat 4 May: Resurrection service at midnight
EASTER = 13       # Sun 5 May: Orthodox Easter
EASTER_MON = 14   # Mon 6 May: public holiday
MAYDAY_HOL = 15   # Tue 7 May: the May Day public holiday, moved from 1 May in 2024
OFFICE_HOLIDAYS = (GOOD_FRI, EASTER_MON, MAYDAY_HOL)

A_FILE_TMPL = "istoriko_kiniseon_{a}_{b}.csv"
B_FILE_TMPL = "fmb_messages_{a}_{b}.parquet"

P = namedtuple("P", "lat lon comp spread")


# ----------------------------------------------------------------------------------------------
# geometry
# ----------------------------------------------------------------------------------------------
def hav(lat1, lon1, lat2, lon2):
    p1 = np.radians(lat1)
    p2 = np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_R * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def hav1(lat1, lon1, lat2, lon2):
    p1 = math.radians(lat1)
    p2 = math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_R * math.asin(math.sqrt(min(a, 1.0)))


def bearing(lat1, lon1, lat2, lon2):
    p1 = np.radians(lat1)
    p2 = np.radians(lat2)
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    y = np.sin(dl) * np.cos(p2)
    x = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl)
    return (np.degrees(np.arctan2(y, x)) + 360.0) % 360.0


def offset(lat, lon, dn, de):
    return lat + dn / 111195.0, lon + de / (111195.0 * np.cos(np.radians(lat)))


def jitter(p, r_m, rng):
    """A point uniformly inside a disc of radius r_m around p (same component, no spread)."""
    rr = r_m * math.sqrt(rng.random())
    th = rng.random() * 2 * math.pi
    la, lo = offset(p.lat, p.lon, rr * math.cos(th), rr * math.sin(th))
    return P(float(la), float(lo), p.comp, 0.0)


# ----------------------------------------------------------------------------------------------
# road network: real towns/junctions, straight segments between them
# ----------------------------------------------------------------------------------------------
_NODES = [
    # --- Attica (Athens, Piraeus) ---
    ("syntagma", 37.9756, 23.7350, "main"), ("omonia", 37.9841, 23.7280, "main"),
    ("ampelokipi", 37.9875, 23.7590, "main"), ("gennimatas_jn", 37.9860, 23.7700, "main"),
    ("zografou", 37.9760, 23.7710, "main"), ("mesog_cholargos", 38.0010, 23.7960, "main"),
    ("stavros", 38.0060, 23.8300, "main"), ("psychiko", 38.0050, 23.7760, "main"),
    ("kif_chalandri", 38.0300, 23.7930, "main"), ("chalandri", 38.0210, 23.8000, "main"),
    ("kif_marousi", 38.0470, 23.8020, "main"), ("kifisia", 38.0740, 23.8110, "main"),
    ("attiki_vrilissia", 38.0420, 23.8300, "main"), ("attiki_gerakas", 38.0190, 23.8620, "main"),
    ("attiki_paiania", 37.9650, 23.9100, "main"), ("airport", 37.9364, 23.9445, "main"),
    ("attiki_metamorfosi", 38.0640, 23.7500, "main"), ("attiki_liosia", 38.0760, 23.6900, "main"),
    ("attiki_aspro", 38.0620, 23.6000, "main"), ("attiki_elefsina", 38.0480, 23.5550, "main"),
    ("kypseli", 38.0000, 23.7320, "main"), ("kf_nfiladelfia", 38.0350, 23.7300, "main"),
    ("neaionia", 38.0370, 23.7570, "main"), ("kf_peristeri", 38.0100, 23.7020, "main"),
    ("kf_elaionas", 37.9850, 23.6900, "main"), ("kf_rentis", 37.9630, 23.6820, "main"),
    ("kf_faliro", 37.9390, 23.6960, "main"), ("pireos_tavros", 37.9660, 23.7020, "main"),
    ("piraeus_c", 37.9470, 23.6480, "main"), ("piraeus_quay", 37.9445, 23.6395, "main"),
    ("nikaia", 37.9680, 23.6460, "main"), ("korydallos", 37.9850, 23.6490, "main"),
    ("keratsini", 37.9670, 23.6260, "main"), ("perama", 37.9660, 23.5850, "main"),
    ("pct", 37.9580, 23.5880, "main"), ("egaleo", 37.9930, 23.6800, "main"),
    ("dafni", 38.0030, 23.6390, "main"), ("skaramangas", 38.0200, 23.6000, "main"),
    ("aspro_coast", 38.0380, 23.5750, "main"), ("elefsina", 38.0450, 23.5420, "main"),
    ("peristeri", 38.0150, 23.6910, "main"), ("attikon", 38.0170, 23.6660, "main"),
    ("acharnes", 38.0830, 23.7350, "main"), ("parnitha", 38.1720, 23.7200, "main"),
    ("syggrou_mid", 37.9560, 23.7170, "main"), ("nea_smyrni", 37.9440, 23.7150, "main"),
    ("kallithea", 37.9560, 23.7020, "main"), ("posei_pfaliro", 37.9300, 23.7000, "main"),
    ("posei_alimos", 37.9130, 23.7150, "main"), ("posei_elliniko", 37.8920, 23.7330, "main"),
    ("glyfada", 37.8700, 23.7580, "main"), ("voula", 37.8480, 23.7720, "main"),
    ("vouliagmeni", 37.8150, 23.7850, "main"), ("varkiza", 37.8200, 23.8050, "main"),
    ("lagonisi", 37.7900, 23.8800, "main"), ("saronida", 37.7500, 23.9150, "main"),
    ("anavyssos", 37.7300, 23.9450, "main"), ("sounion", 37.6520, 24.0250, "main"),
    ("vouliagmenis_agdim", 37.9350, 23.7350, "main"), ("vouliagmenis_argyr", 37.9050, 23.7480, "main"),
    ("ilioupoli", 37.9300, 23.7600, "main"), ("pallini", 38.0000, 23.8800, "main"),
    ("pikermi", 38.0000, 23.9400, "main"), ("rafina", 38.0220, 24.0050, "main"),
    # --- A1 Athens - Lamia - Larissa - Thessaloniki ---
    ("a1_kifisia", 38.1000, 23.8000, "main"), ("a1_agstefanos", 38.1450, 23.8450, "main"),
    ("a1_malakasa", 38.2300, 23.7900, "main"), ("a1_avlona", 38.2600, 23.6800, "main"),
    ("a1_oinofyta", 38.3100, 23.6200, "main"), ("a1_schimatari", 38.3450, 23.5700, "main"),
    ("a1_thebes", 38.3250, 23.3300, "main"), ("a1_kastro", 38.4200, 23.1200, "main"),
    ("a1_atalanti", 38.6400, 23.0100, "main"), ("a1_kamena", 38.7750, 22.7900, "main"),
    ("a1_lamia_jn", 38.8700, 22.5200, "main"), ("lamia", 38.8990, 22.4340, "main"),
    ("stylida", 38.9150, 22.6150, "main"), ("pelasgia", 38.9700, 22.8500, "main"),
    ("almyros", 39.1800, 22.7600, "main"), ("velestino", 39.3800, 22.7500, "main"),
    ("larissa", 39.6250, 22.4200, "main"), ("tempi", 39.8850, 22.5700, "main"),
    ("platamonas", 40.0050, 22.5900, "main"), ("katerini", 40.2700, 22.5100, "main"),
    ("a1_aliakmonas", 40.4700, 22.6000, "main"), ("a1_chalastra", 40.6350, 22.7700, "main"),
    ("chalkida", 38.4630, 23.6000, "main"), ("steni", 38.5850, 23.8300, "main"),
    ("livadeia", 38.4360, 22.8750, "main"), ("arachova", 38.4790, 22.5870, "main"),
    ("delphi", 38.4820, 22.5010, "main"),
    ("makrakomi", 38.9440, 22.1200, "main"), ("karpenisi", 38.9150, 21.7900, "main"),
    ("megalo_chorio", 38.8550, 21.8000, "main"),
    ("domokos", 39.1270, 22.3010, "main"), ("farsala", 39.2950, 22.3850, "main"),
    ("sofades", 39.3350, 22.1000, "main"), ("karditsa", 39.3650, 21.9200, "main"),
    ("trikala", 39.5550, 21.7680, "main"), ("kalambaka", 39.7060, 21.6260, "main"),
    ("pyli", 39.4580, 21.6150, "main"),
    # --- Peloponnese, Patras, west ---
    ("megara", 37.9950, 23.3450, "main"), ("kineta", 37.9750, 23.2000, "main"),
    ("agtheodoroi", 37.9330, 23.0850, "main"), ("isthmus", 37.9320, 22.9950, "main"),
    ("corinth", 37.9380, 22.9300, "main"), ("kiato", 38.0050, 22.7450, "main"),
    ("xylokastro", 38.0650, 22.6300, "main"), ("derveni", 38.1250, 22.4200, "main"),
    ("akrata", 38.1480, 22.3150, "main"), ("diakopto", 38.1850, 22.2000, "main"),
    ("aigio", 38.2400, 22.0800, "main"), ("rio", 38.2950, 21.7950, "main"),
    ("patras", 38.2470, 21.7400, "main"), ("patras_port", 38.2300, 21.7320, "main"),
    ("patras_south", 38.2200, 21.7550, "main"), ("agyia", 38.2640, 21.7600, "main"),
    ("upatras", 38.2870, 21.7870, "main"), ("ovrya", 38.1900, 21.7100, "main"),
    ("patras_vipe", 38.1620, 21.7650, "main"), ("vrachnaiika_in", 38.1550, 21.6450, "main"),
    ("kato_achaia", 38.1400, 21.5500, "main"),
    ("a7_nemea", 37.8100, 22.6900, "main"), ("a7_sterna", 37.6400, 22.5400, "main"),
    ("tripoli", 37.5100, 22.3750, "main"), ("megalopoli", 37.4000, 22.1400, "main"),
    ("kalamata_jn", 37.2200, 22.0400, "main"), ("kalamata", 37.0400, 22.1100, "main"),
    ("sparti_jn", 37.3000, 22.3900, "main"), ("sparti", 37.0750, 22.4300, "main"),
    ("argos", 37.6350, 22.7300, "main"), ("nafplio", 37.5680, 22.8050, "main"),
    ("mycenae", 37.7300, 22.7550, "main"), ("ligourio", 37.6100, 23.0350, "main"),
    ("epidavros", 37.5960, 23.0750, "main"),
    ("kalavryta_mid", 38.1000, 22.1700, "main"), ("kalavryta", 38.0320, 22.1100, "main"),
    ("kleitoria", 37.8930, 22.1300, "main"), ("levidi", 37.6850, 22.2950, "main"),
    ("vytina", 37.6670, 22.1940, "main"),
    ("antirrio", 38.3300, 21.7700, "main"), ("evinos", 38.3900, 21.5800, "main"),
    ("messolonghi", 38.3700, 21.4300, "main"), ("agrinio", 38.6200, 21.4100, "main"),
    ("thermo", 38.5700, 21.6650, "main"), ("amfilochia", 38.8600, 21.1650, "main"),
    ("menidi_in", 39.0400, 21.1400, "main"), ("arta", 39.1600, 20.9800, "main"),
    ("ioannina", 39.6650, 20.8500, "main"), ("zitsa", 39.7450, 20.6490, "main"),
    # --- Thessaloniki and Macedonia ---
    ("sindos", 40.6700, 22.8100, "main"), ("thess_k16", 40.6500, 22.8800, "main"),
    ("thess_centre", 40.6380, 22.9400, "main"), ("thess_egnatia_e", 40.6250, 22.9600, "main"),
    ("thess_toumba", 40.6100, 22.9700, "main"), ("kalamaria", 40.5900, 22.9560, "main"),
    ("pylaia", 40.5990, 22.9850, "main"), ("thermi", 40.5480, 23.0190, "main"),
    ("thess_airport", 40.5200, 22.9710, "main"), ("ring_west", 40.6650, 22.9050, "main"),
    ("ring_stavroupoli", 40.6720, 22.9350, "main"), ("ring_efkarpia", 40.6760, 22.9570, "main"),
    ("ring_east", 40.6400, 22.9950, "main"), ("panorama", 40.5880, 23.0320, "main"),
    ("oraiokastro", 40.7300, 22.9180, "main"), ("galatista_jn", 40.4600, 23.2800, "main"),
    ("polygyros", 40.3800, 23.4430, "main"), ("arnaia", 40.4870, 23.5950, "main"),
    ("kleidi", 40.6000, 22.5500, "main"), ("veria", 40.5150, 22.2100, "main"),
    ("naousa_im", 40.6290, 22.0680, "main"), ("kozani", 40.3000, 21.7900, "main"),
    ("siatista", 40.2560, 21.5520, "main"), ("chalastra", 40.6290, 22.7300, "main"),
    # --- Crete ---
    ("heraklion_c", 35.3390, 25.1330, "crete"), ("heraklion_port", 35.3440, 25.1420, "crete"),
    ("heraklion_airport", 35.3380, 25.1770, "crete"), ("knossos", 35.2980, 25.1630, "crete"),
    ("archanes", 35.2380, 25.1620, "crete"), ("gazi", 35.3230, 25.0750, "crete"),
    ("pagni", 35.3080, 25.0790, "crete"), ("venerato", 35.2200, 25.0750, "crete"),
    ("agia_varvara", 35.1400, 25.0050, "crete"), ("zaros", 35.1300, 24.9000, "crete"),
    ("moires", 35.0500, 24.8730, "crete"), ("tympaki", 35.0730, 24.7700, "crete"),
    ("matala", 34.9950, 24.7520, "crete"), ("tylisos", 35.3000, 25.0200, "crete"),
    ("anogeia", 35.2890, 24.8830, "crete"), ("voak_w1", 35.3300, 25.0400, "crete"),
    ("fodele_jn", 35.3600, 24.9600, "crete"), ("bali", 35.3950, 24.7850, "crete"),
    ("panormo", 35.4050, 24.6900, "crete"), ("rethymno", 35.3600, 24.4800, "crete"),
    ("georgioupoli", 35.3500, 24.2600, "crete"), ("vamos", 35.4080, 24.2000, "crete"),
    ("souda_jn", 35.4700, 24.0900, "crete"), ("souda_quay", 35.4885, 24.0760, "crete"),
    ("chania", 35.5100, 24.0200, "crete"), ("kounoupidiana", 35.5300, 24.0780, "crete"),
    ("chania_airport", 35.5320, 24.1490, "crete"), ("therisso", 35.4050, 23.9880, "crete"),
    ("platanias_in", 35.5000, 23.9000, "crete"), ("kolymbari_in", 35.5250, 23.7850, "crete"),
    ("kissamos", 35.4900, 23.6550, "crete"), ("topolia", 35.4150, 23.6850, "crete"),
    ("elos", 35.3630, 23.6380, "crete"), ("elafonisi", 35.2720, 23.5420, "crete"),
    ("kaliviani", 35.5150, 23.6400, "crete"), ("balos", 35.5800, 23.5900, "crete"),
    ("fournes", 35.4300, 23.9500, "crete"), ("omalos", 35.3200, 23.9000, "crete"),
    ("koxare", 35.2300, 24.4700, "crete"), ("preveli", 35.1550, 24.4750, "crete"),
    ("gouves", 35.3150, 25.3000, "crete"), ("hersonissos", 35.3080, 25.3850, "crete"),
    ("malia", 35.2800, 25.4600, "crete"), ("neapoli_cr", 35.2550, 25.6050, "crete"),
    ("agios_nikolaos", 35.1900, 25.7150, "crete"), ("elounda", 35.2600, 25.7200, "crete"),
    ("plaka_cr", 35.2930, 25.7330, "crete"), ("tzermiado", 35.2000, 25.4900, "crete"),
    # --- Syros ---
    ("syros_quay", 37.4425, 24.9415, "syros"), ("ermoupoli", 37.4450, 24.9370, "syros"),
    ("ano_syros", 37.4500, 24.9330, "syros"), ("neorion", 37.4370, 24.9445, "syros"),
    ("manna", 37.4250, 24.9250, "syros"), ("kini", 37.4420, 24.8830, "syros"),
    ("galissas", 37.4220, 24.8850, "syros"), ("posidonia", 37.3930, 24.8870, "syros"),
    ("vari_sy", 37.4000, 24.9420, "syros"),
    # --- Paros ---
    ("paros_quay", 37.0865, 25.1490, "paros"), ("parikia", 37.0850, 25.1540, "paros"),
    ("naousa", 37.1210, 25.2370, "paros"), ("kostos", 37.0760, 25.2000, "paros"),
    ("lefkes", 37.0560, 25.2000, "paros"), ("marpissa", 37.0360, 25.2460, "paros"),
    ("paros_airport", 37.0200, 25.1130, "paros"), ("aliki", 37.0030, 25.1300, "paros"),
    ("chrysi_akti", 37.0150, 25.2290, "paros"),
]

_EDGES = """
syntagma omonia city|syntagma ampelokipi art|ampelokipi gennimatas_jn art|gennimatas_jn zografou city
ampelokipi zografou city|gennimatas_jn mesog_cholargos art|mesog_cholargos stavros art
ampelokipi psychiko art|psychiko kif_chalandri art|kif_chalandri kif_marousi art|kif_marousi kifisia art
kif_marousi attiki_vrilissia mw|attiki_vrilissia attiki_gerakas mw|attiki_gerakas attiki_paiania mw
attiki_paiania airport mw|kif_marousi attiki_metamorfosi mw|attiki_metamorfosi attiki_liosia mw
attiki_liosia attiki_aspro mw|attiki_aspro attiki_elefsina mw|stavros attiki_gerakas art
chalandri kif_chalandri city|chalandri mesog_cholargos city|chalandri attiki_vrilissia city
omonia kypseli city|kypseli kf_nfiladelfia city|kf_nfiladelfia neaionia city|neaionia kif_chalandri city
kf_nfiladelfia attiki_metamorfosi mw|kf_nfiladelfia kf_peristeri art|kf_peristeri kf_elaionas art
kf_elaionas kf_rentis art|kf_rentis kf_faliro art|omonia kf_elaionas city|omonia pireos_tavros art
pireos_tavros piraeus_c art|kf_rentis nikaia art|kf_elaionas egaleo art|egaleo dafni art
dafni skaramangas art|skaramangas aspro_coast art|aspro_coast elefsina art|elefsina attiki_elefsina art
peristeri kf_peristeri city|peristeri egaleo city|peristeri attikon city|attikon dafni city
attiki_liosia peristeri art|acharnes attiki_metamorfosi art|acharnes attiki_liosia art|acharnes parnitha mtn
syntagma syggrou_mid art|syggrou_mid kf_faliro art|syggrou_mid kallithea city|syggrou_mid nea_smyrni city
kallithea pireos_tavros city|kallithea kf_rentis city|nea_smyrni kf_faliro city|kf_faliro posei_pfaliro art
kf_faliro piraeus_c art|posei_pfaliro posei_alimos art|posei_alimos posei_elliniko art
posei_elliniko glyfada art|glyfada voula art|voula vouliagmeni art|vouliagmeni varkiza art
varkiza lagonisi nat|lagonisi saronida nat|saronida anavyssos nat|anavyssos sounion nat
syntagma vouliagmenis_agdim art|vouliagmenis_agdim vouliagmenis_argyr art|vouliagmenis_argyr glyfada art
vouliagmenis_agdim ilioupoli city|nea_smyrni vouliagmenis_agdim city|piraeus_c piraeus_quay city
piraeus_c nikaia city|nikaia korydallos city|korydallos egaleo city|nikaia keratsini city
keratsini perama art|perama pct city|keratsini dafni art|attiki_gerakas pallini art|pallini pikermi nat
pikermi rafina nat|stavros pallini art|attiki_metamorfosi a1_kifisia mw|kifisia a1_kifisia city
a1_kifisia a1_agstefanos mw|a1_agstefanos a1_malakasa mw|a1_malakasa a1_avlona mw|a1_avlona a1_oinofyta mw
a1_oinofyta a1_schimatari mw|a1_schimatari a1_thebes mw|a1_thebes a1_kastro mw|a1_kastro a1_atalanti mw
a1_atalanti a1_kamena mw|a1_kamena a1_lamia_jn mw|a1_lamia_jn lamia nat|a1_lamia_jn stylida mw
stylida pelasgia mw|pelasgia almyros mw|almyros velestino mw|velestino larissa mw|larissa tempi mw
tempi platamonas mw|platamonas katerini mw|katerini a1_aliakmonas mw|a1_aliakmonas a1_chalastra mw
a1_schimatari chalkida nat|chalkida steni mtn|a1_thebes livadeia nat|livadeia arachova mtn
arachova delphi mtn|lamia makrakomi nat|makrakomi karpenisi mtn|karpenisi megalo_chorio mtn
lamia domokos nat|domokos farsala nat|farsala larissa nat|domokos sofades nat|sofades karditsa nat
karditsa trikala nat|trikala kalambaka nat|trikala pyli nat|attiki_elefsina megara mw|elefsina megara nat
megara kineta mw|kineta agtheodoroi mw|agtheodoroi isthmus mw|isthmus corinth mw|corinth kiato mw
kiato xylokastro mw|xylokastro derveni mw|derveni akrata mw|akrata diakopto mw|diakopto aigio mw
aigio rio mw|rio patras art|corinth a7_nemea mw|a7_nemea a7_sterna mw|a7_sterna tripoli mw
tripoli megalopoli mw|megalopoli kalamata_jn mw|kalamata_jn kalamata nat|tripoli sparti_jn mw
sparti_jn sparti nat|a7_sterna argos nat|argos nafplio nat|argos mycenae nat|a7_nemea mycenae nat
nafplio ligourio nat|ligourio epidavros nat|diakopto kalavryta_mid mtn|kalavryta_mid kalavryta mtn
kalavryta kleitoria mtn|tripoli levidi nat|levidi vytina mtn|rio antirrio brg|antirrio evinos mw
evinos messolonghi mw|messolonghi agrinio mw|agrinio thermo mtn|agrinio amfilochia mw
amfilochia menidi_in mw|menidi_in arta mw|arta ioannina mw|ioannina zitsa nat|patras patras_south city
patras_south ovrya art|ovrya vrachnaiika_in nat|vrachnaiika_in kato_achaia nat|ovrya patras_vipe nat
patras agyia city|agyia rio art|rio upatras city|patras patras_port city|a1_chalastra sindos mw
sindos thess_k16 mw|thess_k16 thess_centre art|thess_centre thess_egnatia_e art
thess_egnatia_e thess_toumba city|thess_toumba kalamaria city|thess_toumba pylaia art|kalamaria pylaia city
pylaia thermi art|thermi thess_airport art|thess_airport kalamaria art|thess_k16 ring_west mw
ring_west ring_stavroupoli mw|ring_stavroupoli ring_efkarpia mw|ring_efkarpia ring_east mw
ring_east pylaia mw|pylaia panorama city|panorama thermi city|ring_stavroupoli oraiokastro art
thess_centre ring_stavroupoli city|thermi galatista_jn nat|galatista_jn polygyros nat
galatista_jn arnaia mtn|a1_chalastra kleidi mw|kleidi veria mw|veria kozani mw|veria naousa_im nat
kozani siatista nat|a1_chalastra chalastra city|gazi heraklion_c art|heraklion_c heraklion_port city
heraklion_c heraklion_airport art|heraklion_c knossos art|knossos archanes nat|heraklion_c venerato nat
venerato agia_varvara nat|agia_varvara moires nat|agia_varvara zaros mtn|moires tympaki nat
moires matala nat|gazi voak_w1 nat|voak_w1 fodele_jn nat|fodele_jn bali nat|bali panormo nat
panormo rethymno nat|rethymno georgioupoli nat|georgioupoli souda_jn nat|souda_jn chania art
souda_jn souda_quay city|souda_jn kounoupidiana art|kounoupidiana chania_airport art
kounoupidiana chania city|chania platanias_in nat|platanias_in kolymbari_in nat|kolymbari_in kissamos nat
kissamos topolia nat|topolia elos mtn|elos elafonisi mtn|kissamos kaliviani nat|kaliviani balos mtn
chania fournes nat|fournes omalos mtn|rethymno koxare nat|koxare preveli mtn|gazi tylisos nat
tylisos anogeia mtn|heraklion_airport gouves nat|gouves hersonissos nat|hersonissos malia nat
malia neapoli_cr nat|neapoli_cr agios_nikolaos nat|agios_nikolaos elounda nat|elounda plaka_cr nat
malia tzermiado mtn|gazi pagni city|georgioupoli vamos nat|souda_jn vamos nat|chania therisso mtn
syros_quay ermoupoli city|ermoupoli ano_syros city|ermoupoli manna isl|manna galissas isl
galissas posidonia isl|posidonia vari_sy isl|vari_sy manna isl|manna kini isl|ermoupoli neorion city
paros_quay parikia city|parikia naousa isl|parikia kostos isl|kostos lefkes isl|lefkes marpissa isl
marpissa naousa isl|parikia paros_airport isl|paros_airport aliki isl|marpissa chrysi_akti isl
"""

# planning speeds (km/h) of each kind of road; the driven speed of a leg is drawn around them
SPEED = {"mw": 108.0, "nat": 72.0, "art": 38.0, "city": 26.0, "mtn": 40.0, "isl": 46.0, "brg": 75.0,
         "local": 24.0, "rural": 45.0}
URBAN = ("art", "city", "local")


class Router:
    def __init__(self):
        self.names = [n[0] for n in _NODES]
        self.idx = {n: i for i, n in enumerate(self.names)}
        self.lat = np.array([n[1] for n in _NODES])
        self.lon = np.array([n[2] for n in _NODES])
        self.comp = np.array([n[3] for n in _NODES])
        n = len(_NODES)
        D = np.full((n, n), np.inf)
        np.fill_diagonal(D, 0.0)
        nxt = np.tile(np.arange(n), (n, 1))
        self.etype = {}
        for chunk in _EDGES.replace("\n", "|").split("|"):
            chunk = chunk.strip()
            if not chunk:
                continue
            a, b, t = chunk.split()
            i, j = self.idx[a], self.idx[b]
            assert self.comp[i] == self.comp[j], chunk
            w = hav1(self.lat[i], self.lon[i], self.lat[j], self.lon[j]) / 1000.0 / SPEED[t]
            D[i, j] = D[j, i] = w
            self.etype[(i, j)] = self.etype[(j, i)] = t
        for k in range(n):
            alt = D[:, k:k + 1] + D[k:k + 1, :]
            better = alt < D
            if better.any():
                D = np.where(better, alt, D)
                nxt = np.where(better, nxt[:, k:k + 1], nxt)
        for c in np.unique(self.comp):
            m = self.comp == c
            assert np.isfinite(D[np.ix_(m, m)]).all(), f"road network of {c} not connected"
        self.D = D
        self.nxt = nxt
        self.cache = {}
        self.by_comp = {c: np.flatnonzero(self.comp == c) for c in np.unique(self.comp)}

    def node(self, name, spread=0.0):
        i = self.idx[name]
        return P(float(self.lat[i]), float(self.lon[i]), str(self.comp[i]), spread)

    def route(self, o, d):
        """Waypoints (k x 2) from base place o to base place d and the road kind of each leg."""
        key = (o.lat, o.lon, d.lat, d.lon)
        hit = self.cache.get(key)
        if hit is not None:
            return hit
        assert o.comp == d.comp, (o, d)
        direct = hav1(o.lat, o.lon, d.lat, d.lon)
        if direct < 2800.0:
            res = (np.array([[o.lat, o.lon], [d.lat, d.lon]]), ["local"])
            self.cache[key] = res
            return res
        cand = self.by_comp[o.comp]
        do = hav(o.lat, o.lon, self.lat[cand], self.lon[cand])
        dd = hav(d.lat, d.lon, self.lat[cand], self.lon[cand])
        io = cand[np.argsort(do, kind="stable")[:3]]
        jd = cand[np.argsort(dd, kind="stable")[:3]]
        co = np.sort(do)[:3]
        cd = np.sort(dd)[:3]

        def conn_speed(m):
            return np.where(m > 3000.0, SPEED["rural"], SPEED["local"])

        cost = (co / 1000.0 / conn_speed(co))[:, None] + self.D[np.ix_(io, jd)] + \
            (cd / 1000.0 / conn_speed(cd))[None, :]
        a, b = np.unravel_index(int(np.argmin(cost)), cost.shape)
        i, j = int(io[a]), int(jd[b])
        path = [i]
        while path[-1] != j:
            path.append(int(self.nxt[path[-1], j]))
        pts = [[o.lat, o.lon]]
        types = []
        first = "local" if co[a] <= 3000.0 else "rural"
        types.append(first)
        for k, node in enumerate(path):
            pts.append([self.lat[node], self.lon[node]])
            if k + 1 < len(path):
                types.append(self.etype[(node, path[k + 1])])
        pts.append([d.lat, d.lon])
        types.append("local" if cd[b] <= 3000.0 else "rural")
        res = (np.array(pts), types)
        self.cache[key] = res
        return res


_ROUTER = None


def router():
    global _ROUTER
    if _ROUTER is None:
        _ROUTER = Router()
    return _ROUTER


# ----------------------------------------------------------------------------------------------
# ferries: sea tracks between quays (real sailing lanes, straight segments) and the 2024 timetable
# ----------------------------------------------------------------------------------------------
SEA_TRACKS = {
    ("piraeus", "syros"): [(37.9445, 23.6395), (37.9400, 23.6330), (37.9330, 23.6220), (37.9200, 23.6100),
                           (37.8500, 23.6600), (37.6800, 23.9200), (37.6000, 24.0800), (37.5900, 24.2200),
                           (37.5200, 24.3300), (37.5200, 24.7000), (37.5500, 24.9300), (37.4600, 24.9850),
                           (37.4425, 24.9415)],
    ("syros", "paros"): [(37.4425, 24.9415), (37.4300, 24.9700), (37.3000, 25.0300), (37.1300, 25.0700),
                         (37.0950, 25.1250), (37.0865, 25.1490)],
    ("piraeus", "heraklion"): [(37.9445, 23.6395), (37.9400, 23.6330), (37.9330, 23.6220), (37.9200, 23.6100),
                               (37.8000, 23.6200), (37.5000, 23.8000), (37.0500, 24.2000), (36.7000, 24.1500),
                               (35.9000, 24.7000), (35.5000, 25.0500), (35.3600, 25.1400), (35.3440,
                                                                                            25.1420)],
    ("piraeus", "souda"): [(37.9445, 23.6395), (37.9400, 23.6330), (37.9330, 23.6220), (37.9200, 23.6100),
                           (37.8000, 23.6200), (37.5000, 23.8000), (36.6000, 24.0000), (35.7000, 24.2000),
                           (35.5500, 24.2800), (35.4900, 24.2100), (35.4900, 24.1200), (35.4885, 24.0760)],
}
QUAY = {"piraeus": "piraeus_quay", "syros": "syros_quay", "paros": "paros_quay",
        "heraklion": "heraklion_port", "souda": "souda_quay"}
# (from, to): list of (track key, reversed?, depart local hour, arrive local hour) legs; hours may pass 24
SAILINGS = {
    ("piraeus", "syros"): [(("piraeus", "syros"), False, 7.42, 11.08)],
    ("piraeus", "paros"): [(("piraeus", "syros"), False, 7.42, 11.08), (("syros", "paros"), False, 11.33,
                                                                        12.33)],
    ("paros", "piraeus"): [(("syros", "paros"), True, 16.50, 17.50), (("piraeus", "syros"), True, 17.75,
                                                                      21.50)],
    ("syros", "piraeus"): [(("piraeus", "syros"), True, 17.75, 21.50)],
    ("piraeus", "heraklion"): [(("piraeus", "heraklion"), False, 21.00, 30.00)],
    ("heraklion", "piraeus"): [(("piraeus", "heraklion"), True, 21.00, 30.00)],
    ("piraeus", "souda"): [(("piraeus", "souda"), False, 21.00, 29.50)],
    ("souda", "piraeus"): [(("piraeus", "souda"), True, 21.00, 29.75)],
}

# places where a GSM/GNSS device has no mobile coverage (records are buffered on the device)
DEAD_ZONES = [(35.2720, 23.5420, 9000.0), (35.5800, 23.5900, 6000.0), (35.3200, 23.9000, 5000.0)]


# ----------------------------------------------------------------------------------------------
# places of the region
# ----------------------------------------------------------------------------------------------
def _a(lat, lon, r_km, comp="main"):
    return (lat, lon, r_km, comp)


AREAS = {
    "athens": [_a(38.0480, 23.8100, 1.0), _a(38.0230, 23.8000, 0.9), _a(38.0760, 23.8150, 1.0),
               _a(38.0120, 23.8230, 0.9), _a(38.0360, 23.8310, 0.7), _a(38.0240, 23.8560, 0.8),
               _a(38.0000, 23.8820, 0.8), _a(37.9760, 23.7720, 0.7), _a(37.9300, 23.7600, 0.8),
               _a(37.9440, 23.7150, 0.6), _a(37.9560, 23.7030, 0.6), _a(38.0150, 23.6920, 0.9),
               _a(37.9930, 23.6790, 0.7), _a(38.0830, 23.7350, 1.0), _a(37.8700, 23.7620, 0.6),
               _a(38.0010, 23.7390, 0.5), _a(38.0370, 23.7570, 0.7), _a(38.0000, 23.7980, 0.6)],
    "piraeus": [_a(37.9450, 23.6520, 0.4), _a(37.9680, 23.6470, 0.7), _a(37.9680, 23.6280, 0.5),
                _a(37.9850, 23.6500, 0.6), _a(37.9670, 23.5760, 0.4), _a(37.9650, 23.6700, 0.5)],
    "thess": [_a(40.5900, 22.9620, 0.6), _a(40.6660, 22.9100, 0.9), _a(40.6540, 22.9430, 0.5),
              _a(40.5990, 22.9860, 0.6), _a(40.5480, 23.0200, 0.8), _a(40.6690, 22.9340, 0.6),
              _a(40.5880, 23.0320, 0.6), _a(40.7290, 22.9180, 0.8), _a(40.6130, 22.9700, 0.6)],
    "patras": [_a(38.2480, 21.7420, 0.4), _a(38.2640, 21.7600, 0.35), _a(38.2320, 21.7500, 0.4),
               _a(38.2950, 21.7950, 0.4), _a(38.2080, 21.7600, 0.35)],
    "heraklion": [_a(35.3320, 25.1640, 0.5, "crete"), _a(35.3350, 25.1330, 0.45, "crete"),
                  _a(35.3290, 25.1470, 0.4, "crete"), _a(35.3230, 25.0750, 0.5, "crete"),
                  _a(35.3100, 25.1500, 0.5, "crete")],
    "chania": [_a(35.5130, 24.0370, 0.35, "crete"), _a(35.4860, 24.0130, 0.5, "crete"),
               _a(35.5330, 24.0780, 0.6, "crete"), _a(35.4790, 24.0720, 0.3, "crete")],
    "syros": [_a(37.4460, 24.9350, 0.35, "syros"), _a(37.4510, 24.9300, 0.25, "syros"),
              _a(37.4260, 24.9250, 0.4, "syros"), _a(37.4000, 24.9420, 0.3, "syros"),
              _a(37.3940, 24.8900, 0.3, "syros")],
    "paros": [_a(37.0840, 25.1570, 0.4, "paros"), _a(37.1190, 25.2380, 0.4, "paros"),
              _a(37.0560, 25.2000, 0.3, "paros"), _a(37.0360, 25.2460, 0.3, "paros"),
              _a(37.0760, 25.2050, 0.3, "paros")],
}


def _pl(lat, lon, comp="main", spread=60.0):
    return P(lat, lon, comp, spread)


WORKS = {
    "athens": [_pl(37.9770, 23.7370), _pl(37.9890, 23.7620), _pl(38.0440, 23.8040), _pl(37.9560, 23.7130),
               _pl(38.0650, 23.7770), _pl(38.0250, 23.7920), _pl(37.9400, 23.6410), _pl(37.9680, 23.7790),
               _pl(37.9800, 23.7300), _pl(38.0050, 23.7770), _pl(37.9520, 23.6840)],
    "thess": [_pl(40.6360, 22.9420), _pl(40.5880, 22.9560), _pl(40.5990, 22.9900), _pl(40.6300, 22.9590),
              _pl(40.6700, 22.8100), _pl(40.6330, 22.9300)],
    "patras": [_pl(38.2460, 21.7380), _pl(38.2880, 21.7880), _pl(38.1620, 21.7650)],
    "heraklion": [_pl(35.3390, 25.1340, "crete"), _pl(35.3080, 25.0790, "crete"), _pl(35.3050, 25.0730,
                                                                                      "crete"),
                  _pl(35.3370, 25.1720, "crete")],
    "chania": [_pl(35.5130, 24.0200, "crete"), _pl(35.5300, 24.0650, "crete"), _pl(35.4890, 24.0850,
                                                                                   "crete")],
    "syros": [_pl(37.4440, 24.9420, "syros"), _pl(37.4370, 24.9450, "syros"), _pl(37.4470, 24.9380, "syros")],
    "paros": [_pl(37.1220, 25.2350, "paros"), _pl(37.0860, 25.1520, "paros"), _pl(37.0200, 25.1130, "paros")],
}
SHOPS = {
    "athens": [_pl(38.0440, 23.7930), _pl(38.0470, 23.7980), _pl(37.9930, 23.6870), _pl(37.9400, 23.6930),
               _pl(37.9380, 23.7410), _pl(38.0740, 23.8110), _pl(37.8660, 23.7560), _pl(37.9550, 23.6650)],
    "thess": [_pl(40.5470, 22.9960), _pl(40.6340, 22.9420), _pl(40.6040, 22.9610), _pl(40.6640, 22.8960)],
    "patras": [_pl(38.2460, 21.7360), _pl(38.2120, 21.7660), _pl(38.2650, 21.7580)],
    "heraklion": [_pl(35.3380, 25.1340, "crete"), _pl(35.3300, 25.1150, "crete"), _pl(35.3340, 25.1680,
                                                                                      "crete")],
    "chania": [_pl(35.5140, 24.0210, "crete"), _pl(35.5050, 24.0400, "crete")],
    "syros": [_pl(37.4450, 24.9400, "syros"), _pl(37.4300, 24.9280, "syros")],
    "paros": [_pl(37.0850, 25.1540, "paros"), _pl(37.1200, 25.2350, "paros")],
}
OUTINGS = {
    "athens": [_pl(37.9780, 23.7240), _pl(37.9780, 23.7140), _pl(38.0740, 23.8110), _pl(37.8660, 23.7560),
               _pl(37.9370, 23.6590), _pl(37.9700, 23.7450)],
    "thess": [_pl(40.6355, 22.9380), _pl(40.6340, 22.9420), _pl(40.5880, 22.9560), _pl(40.6420, 22.9560)],
    "patras": [_pl(38.2460, 21.7360), _pl(38.2960, 21.7880)],
    "heraklion": [_pl(35.3390, 25.1330, "crete"), _pl(35.3350, 25.0800, "crete")],
    "chania": [_pl(35.5140, 24.0170, "crete"), _pl(35.5130, 24.0370, "crete")],
    "syros": [_pl(37.4440, 24.9420, "syros"), _pl(37.4220, 24.8840, "syros"), _pl(37.4420, 24.8830, "syros")],
    "paros": [_pl(37.1210, 25.2370, "paros"), _pl(37.0850, 25.1540, "paros"), _pl(37.0560, 25.2000, "paros")],
}
EXCURSIONS = {
    "athens": ["vouliagmeni", "varkiza", "sounion", "rafina", "parnitha", "lagonisi", "isthmus"],
    "thess": ["panorama", "polygyros", "thess_airport", "kleidi"],
    "patras": ["rio", "kato_achaia", "aigio", "kalavryta"],
    "heraklion": ["knossos", "archanes", "gouves", "hersonissos", "anogeia"],
    "chania": ["platanias_in", "georgioupoli", "kissamos", "therisso"],
    "syros": ["galissas", "kini", "posidonia", "vari_sy"],
    "paros": ["naousa", "lefkes", "chrysi_akti", "aliki"],
}
HOSPITALS = {
    "athens": [_pl(37.9765, 23.7480, spread=50.0), _pl(38.0170, 23.6660, spread=50.0),
               _pl(37.9865, 23.7725, spread=50.0), _pl(37.9425, 23.6595, spread=50.0)],
    "thess": [_pl(40.6245, 22.9575, spread=50.0), _pl(40.6750, 22.9580, spread=50.0)],
}
PORT_WORKS = [_pl(37.9580, 23.5880, spread=80.0), _pl(37.9430, 23.6400, spread=70.0)]
DEPOTS = {
    "athens": [_pl(38.0590, 23.5880, spread=35.0), _pl(38.0640, 23.7480, spread=35.0)],
    "thess": [_pl(40.6700, 22.8080, spread=35.0)],
    "patras": [_pl(38.1620, 21.7650, spread=35.0)],
    "heraklion": [_pl(35.3230, 25.1950, "crete", 35.0)],
}
TAXI_SPOTS = {
    "athens": ["syntagma", "omonia", "piraeus_quay", "airport", "kifisia", "glyfada", "ampelokipi",
               "kf_peristeri", "kif_marousi", "gennimatas_jn"],
    "thess": ["thess_centre", "thess_k16", "thess_airport", "thess_egnatia_e", "kalamaria", "pylaia"],
}
# Easter villages: (name, lat, lon, node for the nearby town, ferry port or None)
VILLAGES = {
    "athens": [("Λεβίδι", 37.6850, 22.2950, "tripoli", None), ("Βυτίνα", 37.6670, 22.1940, "tripoli", None),
               ("Αράχωβα", 38.4790, 22.5870, "livadeia", None), ("Στενή", 38.5850, 23.8300, "chalkida", None),
               ("Μεγάλο Χωριό", 38.8550, 21.8000, "karpenisi", None),
               ("Κλειτορία", 37.8930, 22.1300, "kalavryta", None), ("Ζίτσα", 39.7450, 20.6490, "ioannina",
                                                                    None),
               ("Πύλη", 39.4580, 21.6150, "trikala", None), ("Σπάρτη", 37.0750, 22.4300, "sparti_jn", None)],
    "athens_ferry": [("Ανώγεια", 35.2890, 24.8830, "tylisos", "heraklion"),
                     ("Ζαρός", 35.1300, 24.9000, "agia_varvara", "heraklion"),
                     ("Αρχάνες", 35.2380, 25.1620, "knossos", "heraklion"),
                     ("Βάμος", 35.4080, 24.2000, "souda_jn", "souda"),
                     ("Θέρισο", 35.4050, 23.9880, "chania", "souda")],
    "thess": [("Αρναία", 40.4870, 23.5950, "galatista_jn", None), ("Πολύγυρος", 40.3800, 23.4430,
                                                                   "galatista_jn", None),
              ("Νάουσα", 40.6290, 22.0680, "veria", None), ("Σιάτιστα", 40.2560, 21.5520, "kozani", None)],
    "patras": [("Κλειτορία", 37.8930, 22.1300, "kalavryta", None), ("Θέρμο", 38.5700, 21.6650, "agrinio",
                                                                    None),
               ("Ζίτσα", 39.7450, 20.6490, "ioannina", None), ("Καλάβρυτα", 38.0320, 22.1100, "diakopto",
                                                               None)],
    "heraklion": [("Ανώγεια", 35.2890, 24.8830, "tylisos", None), ("Ζαρός", 35.1300, 24.9000,
                                                                   "agia_varvara", None),
                  ("Αρχάνες", 35.2380, 25.1620, "knossos", None)],
    "chania": [("Βάμος", 35.4080, 24.2000, "souda_jn", None), ("Θέρισο", 35.4050, 23.9880, "chania", None)],
}
FARMS = {  # village homes and the bearing range (deg) toward the cultivated plain
    "achaia": ([(38.1370, 21.5530), (38.1300, 21.5800), (38.1250, 21.5350)], (100, 250), "kato_achaia",
               "patras"),
    "thess_plain": ([(40.6290, 22.7300), (40.6230, 22.6930), (40.6100, 22.6800)], (160, 260), "chalastra",
                    "sindos"),
    "messara": ([(35.0520, 24.8740), (35.0730, 24.7720), (35.0180, 24.8480)], (0, 110), "moires",
                "heraklion_c"),
}
RENTAL = {
    "HER": dict(station=_pl(35.3370, 25.1700, "crete", 60.0), fuel=(35.3330, 25.1560),
                hotels=["heraklion_c", "hersonissos", "malia", "agios_nikolaos", "elounda", "rethymno",
                        "gouves"],
                sights=["knossos", "plaka_cr", "tzermiado", "matala", "archanes", "agios_nikolaos",
                        "rethymno",
                        "zaros", "preveli", "heraklion_c", "anogeia"],
                far_hotels=["chania", "platanias_in", "kissamos"]),
    "CHQ": dict(station=_pl(35.5300, 24.1450, "crete", 60.0), fuel=(35.5280, 24.0900),
                hotels=["chania", "platanias_in", "kissamos", "georgioupoli", "rethymno"],
                sights=["elafonisi", "balos", "chania", "rethymno", "preveli", "omalos", "kissamos", "vamos",
                        "georgioupoli"],
                far_hotels=["hersonissos", "heraklion_c", "agios_nikolaos"]),
    "ATH": dict(station=_pl(37.9330, 23.9400, "main", 60.0), fuel=(37.9560, 23.9150),
                hotels=["syntagma", "glyfada", "piraeus_c", "kifisia", "vouliagmeni"],
                sights=["sounion", "isthmus", "mycenae", "epidavros", "nafplio", "delphi", "vouliagmeni",
                        "rafina", "parnitha"],
                far_hotels=["nafplio", "kalambaka", "arachova"]),
}

PLATE_LETTERS = "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ"
LATIN_OF = dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "ABEZHIKMNOPTYX"))
PLATE_PREFIX = {
    "athens": ["Ι", "Υ", "Ζ", "Ρ", "Χ"], "piraeus": ["Ι", "Υ", "Ζ", "Ρ", "Χ"], "thess": ["Ν"],
    "patras": ["ΑΧ"], "achaia": ["ΑΧ"], "thess_plain": ["Ν"], "heraklion": ["ΗΡ", "ΗΚ"], "messara": ["ΗΡ",
                                                                                                     "ΗΚ"],
    "chania": ["ΧΝ"], "syros": ["ΕΜ"], "paros": ["ΕΜ"], "HER": ["ΗΡ", "ΗΚ"], "CHQ": ["ΧΝ"], "ATH": ["Ι",
                                                                                                    "Υ", "Ζ"],
}

MAKES = {
    "car": [("Toyota", "Yaris"), ("Toyota", "Corolla"), ("Hyundai", "i20"), ("Fiat", "Panda"),
            ("Peugeot", "208"), ("Opel", "Corsa"), ("Skoda", "Octavia"), ("Volkswagen", "Polo"),
            ("Kia", "Picanto"), ("Nissan", "Qashqai")],
    "taxi": [("Skoda", "Octavia"), ("Toyota", "Corolla Hybrid"), ("Toyota", "C-HR"), ("Hyundai", "Ioniq")],
    "van": [("Fiat", "Doblo Cargo"), ("Citroen", "Berlingo"), ("Renault", "Kangoo"), ("Ford",
                                                                                      "Transit Custom"),
            ("Peugeot", "Partner")],
    "pickup": [("Toyota", "Hilux"), ("Nissan", "Navara"), ("Isuzu", "D-Max"), ("Mitsubishi", "L200")],
    "rental": [("Fiat", "Panda"), ("Suzuki", "Jimny"), ("Citroen", "C3"), ("Peugeot", "208"), ("Fiat",
                                                                                               "500C"),
               ("Volkswagen", "Polo")],
}

# fleet mix for 120 vehicles: (kind, region, weight); the first pass takes one of every kind
MIX = [
    ("office_commuter", "athens", 27), ("island_resident", "syros", 3), ("rental_tourist", "HER", 6),
    ("taxi", "athens", 10), ("port_shift_worker", "piraeus", 10), ("farmer", "messara", 3),
    ("hospital_nurse_nights", "athens", 6), ("delivery_van_depot", "athens", 3),
    ("delivery_van_takehome", "thess", 2), ("island_resident", "heraklion", 4),
    ("office_commuter", "thess", 8), ("office_commuter", "patras", 5), ("taxi", "thess", 2),
    ("delivery_van_depot", "thess", 2), ("delivery_van_depot", "patras", 1), ("delivery_van_depot",
                                                                              "heraklion", 1),
    ("delivery_van_takehome", "athens", 4), ("delivery_van_takehome", "patras", 1),
    ("island_resident", "chania", 3), ("island_resident", "paros", 3), ("rental_tourist", "CHQ", 4),
    ("rental_tourist", "ATH", 4), ("farmer", "achaia", 3), ("farmer", "thess_plain", 3),
    ("hospital_nurse_nights", "thess", 2),
]
FIRST_PASS = 9


# ----------------------------------------------------------------------------------------------
# calendar
# ----------------------------------------------------------------------------------------------
class Cal:
    def __init__(self, days):
        self.days = days
        first = datetime(*FIRST_DAY, tzinfo=TZ)
        self.mid = np.array([(first + timedelta(days=d)).timestamp() for d in range(days + 45)])
        self.t0 = float(self.mid[0])
        self.t_end = float(self.mid[days])

    def at(self, d, h):
        return float(self.mid[d] + h * 3600.0)

    def local(self, t):
        d = int(np.searchsorted(self.mid, t, side="right") - 1)
        return d, (t - self.mid[d]) / 3600.0

    def exodus(self, t):
        d, h = self.local(t)
        return (d == HOLY_THU and h >= 13.0) or (d == GOOD_FRI and h < 14.0) or \
            (d in (EASTER_MON, MAYDAY_HOL) and 11.0 <= h < 22.0)


# ----------------------------------------------------------------------------------------------
# a vehicle's life: stays, drives and sea crossings
# ----------------------------------------------------------------------------------------------
Legs = namedtuple("Legs", "la0 lo0 la1 lo1 dur v")


class Life:
    def __init__(self, start, cal, rng, urban_region):
        self.base = start
        self.xy = (start.lat, start.lon)
        self.t = cal.t0
        self.cal = cal
        self.rng = rng
        self.stays = []     # (lat, lon, t0, t1)
        self.trips = []     # (t0, Legs)
        self.seas = []      # (times, lats, lons, dep, arr, quay_lat, quay_lon)
        self.crossings = []
        self.urban = urban_region

    def spot(self, place):
        if place.spread <= 0:
            return (place.lat, place.lon)
        p = jitter(place, place.spread, self.rng)
        return (p.lat, p.lon)

    def go(self, dest, leave, min_stay=180.0):
        """Leave the current place at `leave` (not before min_stay after arriving) and drive to dest."""
        if self.t >= self.cal.t_end + 86400:
            return
        if dest == self.base:
            return
        leave = max(float(leave), self.t + min_stay)
        to_xy = self.spot(dest)
        legs = self.make_legs(dest, to_xy, leave)
        self.stays.append((self.xy[0], self.xy[1], self.t, leave))
        self.trips.append((leave, legs))
        self.t = leave + float(legs.dur.sum())
        self.base = dest
        self.xy = to_xy

    def make_legs(self, dest, to_xy, leave):
        rng = self.rng
        pts, types = router().route(self.base, dest)
        pts = pts.copy()
        pts[0] = self.xy
        pts[-1] = to_xy
        d, h = self.cal.local(leave)
        wd = d % 7
        rush = wd < 5 and d not in OFFICE_HOLIDAYS and (7.3 <= h < 9.8 or 14.0 <= h < 17.8) and self.urban
        exo = self.cal.exodus(leave)
        out = []
        for k, t in enumerate(types):
            a = pts[k]
            b = pts[k + 1]
            dist = hav1(a[0], a[1], b[0], b[1])
            if dist < 1.0:
                continue
            v = SPEED[t] * rng.uniform(0.8, 1.2)
            if rush and t in URBAN:
                v *= 0.62
            elif rush and t == "mw":
                v *= 0.8
            if exo and t in ("mw", "nat"):
                v *= 0.7
            seq = [a, b]
            if t in ("local", "city") and dist > 700.0:
                f = rng.uniform(0.3, 0.7)
                side = rng.uniform(-0.12, 0.12) * dist
                mla, mlo = a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])
                brg = math.atan2(b[1] - a[1], b[0] - a[0]) + math.pi / 2
                mla, mlo = offset(mla, mlo, side * math.cos(brg), side * math.sin(brg))
                seq = [a, (float(mla), float(mlo)), b]
            for p, q in zip(seq[:-1], seq[1:]):
                if t in URBAN and rng.random() < 0.45:
                    f = rng.uniform(0.25, 0.9)
                    m = (p[0] + f * (q[0] - p[0]), p[1] + f * (q[1] - p[1]))
                    out.append((p[0], p[1], m[0], m[1], v))
                    out.append((m[0], m[1], m[0], m[1], -rng.uniform(10.0, 75.0)))
                    out.append((m[0], m[1], q[0], q[1], v))
                else:
                    out.append((p[0], p[1], q[0], q[1], v))
        if not out:
            out.append((self.xy[0], self.xy[1], to_xy[0], to_xy[1], 20.0))
        arr = np.array(out, dtype=float)
        la0, lo0, la1, lo1, v = arr.T
        dist = hav(la0, lo0, la1, lo1)
        pause = v < 0
        dur = np.where(pause, -v, dist / np.maximum(v, 1.0) * 3.6)
        dur = np.maximum(dur, 1.0)
        v = np.where(pause, 0.0, v)
        return Legs(la0, lo0, la1, lo1, dur, v)

    def take_ferry(self, frm, to, day, mode):
        """Drive to the quay of `frm`, board, sail on the timetable of `day`, arrive at `to`'s quay."""
        cal = self.cal
        rt = router()
        legs_def = SAILINGS[(frm, to)]
        dep = cal.at(day, legs_def[0][2])
        quay = rt.node(QUAY[frm], 80.0)
        lead = self.rng.uniform(45.0, 90.0) * 60.0
        if self.base != quay:
            est = self.make_legs(quay, (quay.lat, quay.lon), dep)
            self.go(quay, dep - lead - float(est.dur.sum()) * 1.15)
        times, lats, lons = [], [], []
        for key, rev, h0, h1 in legs_def:
            track = np.array(SEA_TRACKS[key], dtype=float)
            if rev:
                track = track[::-1]
            seg = hav(track[:-1, 0], track[:-1, 1], track[1:, 0], track[1:, 1])
            cum = np.concatenate(([0.0], np.cumsum(seg)))
            t0 = cal.at(day, h0)
            t1 = cal.at(day, h1)
            times.append(t0 + cum / cum[-1] * (t1 - t0))
            lats.append(track[:, 0])
            lons.append(track[:, 1])
        times = np.concatenate(times)
        lats = np.concatenate(lats)
        lons = np.concatenate(lons)
        arr = float(times[-1])
        dep = max(dep, self.t + 600.0)
        times[0] = max(times[0], dep - 1)
        self.stays.append((self.xy[0], self.xy[1], self.t, dep))
        self.seas.append((times, lats, lons, dep, arr, self.xy[0], self.xy[1], mode))
        self.crossings.append({"from": frm, "to": to, "depart_utc": iso_utc(dep), "arrive_utc": iso_utc(arr),
                               "gps_on_board": mode})
        to_quay = rt.node(QUAY[to], 80.0)
        self.base = to_quay
        self.xy = (to_quay.lat, to_quay.lon)
        self.t = arr

    def finish(self):
        self.stays.append((self.xy[0], self.xy[1], self.t, max(self.t, self.cal.t_end + 3600)))


def iso_utc(t):
    return datetime.fromtimestamp(int(round(t)), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_local(t):
    return datetime.fromtimestamp(int(round(t)), tz=TZ).strftime("%Y-%m-%d %H:%M:%S")


# ----------------------------------------------------------------------------------------------
# lives
# ----------------------------------------------------------------------------------------------
class Veh:
    def __init__(self, idx, kind, region):
        self.idx = idx
        self.kind = kind
        self.region = region
        self.home = None
        self.work = None
        self.p = {}
        self.easter = None
        self.extra = {}


def area_point(city, rng, spread=120.0, k=None):
    areas = AREAS[city]
    a = areas[int(rng.integers(len(areas)))] if k is None else areas[k]
    base = P(a[0], a[1], a[3], 0.0)
    q = jitter(base, a[2] * 1000.0, rng)
    return P(q.lat, q.lon, q.comp, spread)


def pick(rng, seq):
    return seq[int(rng.integers(len(seq)))]


def node_place(name, spread=60.0):
    return router().node(name, spread)


def city_of(v):
    return {"piraeus": "athens"}.get(v.region, v.region)


def shop(v, rng):
    c = city_of(v)
    if rng.random() < 0.45:
        return area_point(v.p.get("home_city", c), rng, 60.0)
    return pick(rng, SHOPS[c])


def evening_out(L, v, rng, d, p):
    if rng.random() < p:
        L.go(pick(rng, OUTINGS[city_of(v)]), L.cal.at(d, rng.uniform(20.5, 21.8)))
        L.go(v.home, L.cal.at(d, rng.uniform(23.2, 25.0)))


def leisure_day(L, v, rng, d):
    cal = L.cal
    wd = d % 7
    if rng.random() < 0.7:
        L.go(shop(v, rng), cal.at(d, rng.uniform(9.5, 12.5)))
        L.go(v.home, L.t + rng.uniform(30, 100) * 60)
    r = rng.random()
    if r < 0.25:
        L.go(node_place(pick(rng, EXCURSIONS[city_of(v)]), 150.0), cal.at(d, rng.uniform(11.5, 14.0)))
        L.go(v.home, L.t + rng.uniform(2.0, 5.5) * 3600)
    elif wd == 6 and r < 0.7 and "parents" in v.p:
        L.go(v.p["parents"], cal.at(d, rng.uniform(12.8, 13.6)))
        L.go(v.home, cal.at(d, rng.uniform(18.0, 20.5)))
    evening_out(L, v, rng, d, 0.35 if wd == 5 else 0.15)


def easter_at_home(L, v, rng, d):
    """Holy Saturday midnight service at the parish church; Easter Sunday lamb at the parents'."""
    cal = L.cal
    if d == HOLY_SAT:
        L.go(v.p["church"], cal.at(d, rng.uniform(22.9, 23.3)))
        L.go(v.home, cal.at(d, rng.uniform(24.6, 25.0)))
        return True
    if d == EASTER:
        if "parents" in v.p and rng.random() < 0.85:
            L.go(v.p["parents"], cal.at(d, rng.uniform(10.5, 12.0)))
            L.go(v.home, cal.at(d, rng.uniform(19.0, 22.0)))
        return True
    return False


def easter_trip(L, v, rng, et):
    """The Easter exodus to the village: away from home for several nights; returns the resume day."""
    cal = L.cal
    dest = et["place"]
    town = node_place(et["town"], 120.0)
    dep_day = et["dep_day"]
    if et["port"]:
        # Holy Thursday: short working day, then the 21:00 overnight ferry to Crete
        if v.work is not None:
            L.go(v.work, cal.at(dep_day, v.p.get("dep_h", 7.0) + rng.normal(0, 0.1)))
            L.go(v.home, cal.at(dep_day, 14.5 + rng.uniform(0, 0.5)))
        L.take_ferry("piraeus", et["port"], dep_day, et["mode"])
        L.go(dest, L.t + rng.uniform(15, 35) * 60)
        first = dep_day + 1
    else:
        if et["dep_h"] > 14 and v.work is not None:
            L.go(v.work, cal.at(dep_day, v.p.get("dep_h", 7.0) + rng.normal(0, 0.1)))
            L.go(v.home, cal.at(dep_day, 14.3 + rng.uniform(0, 0.6)))
        L.go(dest, cal.at(dep_day, et["dep_h"]))
        first = dep_day + 1
    ret_day = et["ret_day"]
    for dd in range(first, ret_day + (0 if not et["port"] else 1)):
        if dd == EASTER:
            continue
        if rng.random() < 0.55:
            L.go(town, cal.at(dd, rng.uniform(10.0, 12.5)))
            L.go(dest, L.t + rng.uniform(1.0, 3.0) * 3600)
    if et["port"]:
        L.take_ferry(et["port"], "piraeus", ret_day, et["mode"])
        L.go(v.home, L.t + rng.uniform(15, 30) * 60)
        return ret_day + 2
    L.go(v.home, cal.at(ret_day, et["ret_h"]))
    return ret_day + 1


def office_day(L, v, rng, d):
    cal = L.cal
    wd = d % 7
    L.go(v.work, cal.at(d, v.p["dep_h"] + rng.normal(0, 0.12)))
    if rng.random() < 0.12:
        L.go(pick(rng, SHOPS[city_of(v)] + OUTINGS[city_of(v)]), cal.at(d, rng.uniform(11.0, 13.0)))
        L.go(v.work, L.t + rng.uniform(40, 90) * 60)
    end = v.p["end_h"] + rng.normal(0, 0.25) - (0.5 if wd == 4 else 0.0) - (1.0 if d == HOLY_THU else 0.0)
    if rng.random() < 0.3:
        L.go(shop(v, rng), cal.at(d, end))
        L.go(v.home, L.t + rng.uniform(15, 50) * 60)
    else:
        L.go(v.home, cal.at(d, end))
    evening_out(L, v, rng, d, 0.4 if wd == 4 else 0.13)


def plan_office(L, v, rng):
    cal = L.cal
    d = 0
    while d < cal.days:
        if v.easter and d == v.easter["dep_day"]:
            d = easter_trip(L, v, rng, v.easter)
            continue
        wd = d % 7
        if not v.easter and easter_at_home(L, v, rng, d):
            d += 1
            continue
        off = wd >= 5 or d in OFFICE_HOLIDAYS or (d == MAY1 and v.p["striker"]) or rng.random() < 0.03
        if off:
            leisure_day(L, v, rng, d)
        else:
            office_day(L, v, rng, d)
        d += 1


def plan_port(L, v, rng):
    cal = L.cal
    for d in range(cal.days):
        wd = d % 7
        shift = "NAM"[(d // 7 + v.p["rot"]) % 3]
        if wd in v.p["off"] or d == MAY1 or (d == EASTER and v.p["easter_off"]):
            if not easter_at_home(L, v, rng, d):
                leisure_day(L, v, rng, d)
            continue
        if shift == "M":
            L.go(v.work, cal.at(d, 6.35 + rng.normal(0, 0.06)))
            if rng.random() < 0.3:
                L.go(shop(v, rng), cal.at(d, 15.1 + rng.uniform(0, 0.2)))
                L.go(v.home, L.t + rng.uniform(20, 50) * 60)
            else:
                L.go(v.home, cal.at(d, 15.1 + rng.uniform(0, 0.25)))
            evening_out(L, v, rng, d, 0.12)
        elif shift == "A":
            if rng.random() < 0.35:
                L.go(shop(v, rng), cal.at(d, rng.uniform(10.0, 12.0)))
                L.go(v.home, L.t + rng.uniform(30, 70) * 60)
            L.go(v.work, cal.at(d, 14.35 + rng.normal(0, 0.06)))
            L.go(v.home, cal.at(d, 23.1 + rng.uniform(0, 0.25)))
        else:
            if rng.random() < 0.3:
                L.go(shop(v, rng), cal.at(d, rng.uniform(17.0, 19.0)))
                L.go(v.home, L.t + rng.uniform(30, 60) * 60)
            L.go(v.work, cal.at(d, 22.35 + rng.normal(0, 0.06)))
            L.go(v.home, cal.at(d, 31.1 + rng.uniform(0, 0.25)))


def plan_nurse(L, v, rng):
    cal = L.cal
    rota = "NNNNOOMMAA"
    for d in range(cal.days):
        s = rota[(d + v.p["rot"]) % len(rota)]
        if s == "N":
            if rng.random() < 0.3:
                L.go(shop(v, rng), cal.at(d, rng.uniform(16.5, 18.5)))
                L.go(v.home, L.t + rng.uniform(30, 70) * 60)
            L.go(v.work, cal.at(d, 22.2 + rng.normal(0, 0.06)))
            L.go(v.home, cal.at(d, 31.25 + rng.uniform(0, 0.2)))
        elif s == "M":
            L.go(v.work, cal.at(d, 6.3 + rng.normal(0, 0.06)))
            L.go(v.home, cal.at(d, 15.25 + rng.uniform(0, 0.2)))
            if rng.random() < 0.3:
                L.go(shop(v, rng), L.t + rng.uniform(60, 180) * 60)
                L.go(v.home, L.t + rng.uniform(30, 60) * 60)
        elif s == "A":
            if rng.random() < 0.4:
                L.go(shop(v, rng), cal.at(d, rng.uniform(10.0, 12.0)))
                L.go(v.home, L.t + rng.uniform(30, 70) * 60)
            L.go(v.work, cal.at(d, 14.3 + rng.normal(0, 0.06)))
            L.go(v.home, cal.at(d, 23.25 + rng.uniform(0, 0.2)))
        else:
            if not easter_at_home(L, v, rng, d):
                leisure_day(L, v, rng, d)


def plan_taxi(L, v, rng):
    cal = L.cal
    c = city_of(v)
    spots = [node_place(n, 90.0) for n in TAXI_SPOTS[c]]
    airport = node_place("airport" if c == "athens" else "thess_airport", 90.0)
    for d in range(cal.days):
        wd = d % 7
        if wd == v.p["off_wd"] or d == EASTER:
            if not easter_at_home(L, v, rng, d):
                leisure_day(L, v, rng, d)
            continue
        start = cal.at(d, v.p["start_h"] + rng.normal(0, 0.2))
        end = start + rng.uniform(9.5, 11.0) * 3600
        L.go(pick(rng, spots), start)
        broke = False
        while L.t < end:
            if not broke and L.t > start + 4.5 * 3600:
                L.go(v.home, L.t + rng.uniform(2, 8) * 60)
                L.go(pick(rng, spots), L.t + rng.uniform(30, 60) * 60)
                broke = True
                continue
            at_airport = hav1(L.xy[0], L.xy[1], airport.lat, airport.lon) < 1500
            wait = rng.uniform(45, 110) if at_airport else rng.uniform(3, 25)
            r = rng.random()
            if r < 0.09 and not at_airport:
                dest = airport
            elif r < 0.2:
                dest = pick(rng, spots)
            elif r < 0.3:
                dest = pick(rng, SHOPS[c] + OUTINGS[c])
            else:
                dest = area_point(c if rng.random() < 0.8 or c != "athens" else "piraeus", rng, 40.0)
            L.go(dest, L.t + wait * 60)
            if rng.random() < 0.5:
                L.go(pick(rng, spots), L.t + rng.uniform(1, 4) * 60)
        L.go(v.home, L.t + rng.uniform(2, 10) * 60)


def delivery_round(L, v, rng, d, n_stops, start_h):
    cal = L.cal
    depot = v.p["depot"]
    zone = v.p["zone"]
    pts = [area_point(zone, rng, 25.0, k=int(pick(rng, v.p["zone_areas"]))) for _ in range(n_stops)]
    # greedy nearest-neighbour order from the depot
    order = []
    cur = depot
    left = list(range(n_stops))
    while left:
        ds = [hav1(cur.lat, cur.lon, pts[i].lat, pts[i].lon) for i in left]
        k = left.pop(int(np.argmin(ds)))
        order.append(k)
        cur = pts[k]
    leave = cal.at(d, start_h)
    lunch = n_stops // 2
    for j, k in enumerate(order):
        L.go(pts[k], leave, min_stay=60.0)
        leave = L.t + rng.uniform(3, 10) * 60 + (rng.uniform(20, 40) * 60 if j == lunch else 0)
    L.go(depot, leave)


def plan_van(L, v, rng, takehome):
    cal = L.cal
    d = 0
    while d < cal.days:
        if v.easter and d == v.easter["dep_day"]:
            d = easter_trip(L, v, rng, v.easter)
            continue
        wd = d % 7
        half = (wd == 5 and rng.random() < 0.5) or d == GOOD_FRI
        works = (wd < 5 and d not in (EASTER_MON, MAYDAY_HOL)) or half
        if not works:
            if takehome and not easter_at_home(L, v, rng, d) and rng.random() < 0.5:
                L.go(shop(v, rng), cal.at(d, rng.uniform(10, 12.5)))
                L.go(v.home, L.t + rng.uniform(30, 90) * 60)
            d += 1
            continue
        if takehome:
            L.go(v.p["depot"], cal.at(d, 6.2 + rng.normal(0, 0.08)))
        n = int(rng.integers(6, 11)) if half else int(rng.integers(14, 25))
        delivery_round(L, v, rng, d, n, 7.0 + rng.uniform(0, 0.4))
        if takehome:
            L.go(v.home, L.t + rng.uniform(10, 30) * 60)
        d += 1


def plan_farmer(L, v, rng):
    cal = L.cal
    fields = v.p["fields"]
    town = v.p["town"]
    for d in range(cal.days):
        wd = d % 7
        if d == HOLY_SAT:
            L.go(v.p["church"], cal.at(d, rng.uniform(22.9, 23.2)))
            L.go(v.home, cal.at(d, rng.uniform(24.6, 25.0)))
        if d == EASTER:
            continue
        if wd == 6:
            L.go(v.p["church"], cal.at(d, rng.uniform(7.8, 8.3)))
            L.go(v.home, cal.at(d, rng.uniform(10.2, 10.8)))
            if rng.random() < 0.3:
                L.go(v.work, cal.at(d, rng.uniform(17.5, 18.5)))
                L.go(v.home, L.t + rng.uniform(40, 90) * 60)
            continue
        f = v.work if rng.random() < 0.72 else pick(rng, fields[1:])
        L.go(f, cal.at(d, rng.uniform(6.0, 7.2)))
        if wd < 5 and rng.random() < 0.15:
            L.go(town, cal.at(d, rng.uniform(9.5, 10.5)))
            L.go(v.home, L.t + rng.uniform(1.0, 2.5) * 3600)
        else:
            L.go(v.home, cal.at(d, rng.uniform(12.5, 14.0)))
        if rng.random() < 0.72 and d != GOOD_FRI:
            f = v.work if rng.random() < 0.75 else pick(rng, fields[1:])
            L.go(f, cal.at(d, rng.uniform(17.0, 18.0)))
            L.go(v.home, cal.at(d, rng.uniform(20.0, 20.8)))
        if rng.random() < 0.25:
            L.go(v.p["kafeneio"], cal.at(d, rng.uniform(21.0, 21.5)))
            L.go(v.home, cal.at(d, rng.uniform(22.8, 23.8)))


def plan_island(L, v, rng):
    cal = L.cal
    trips = {t["dep_day"]: t for t in v.p["athens_trips"]}
    d = 0
    while d < cal.days:
        wd = d % 7
        if d in trips:
            d = athens_visit(L, v, rng, trips[d])
            continue
        if v.easter and d == v.easter["dep_day"]:
            d = easter_trip(L, v, rng, v.easter)
            continue
        if not v.easter and easter_at_home(L, v, rng, d):
            d += 1
            continue
        workday = (v.work is not None and d not in OFFICE_HOLIDAYS
                   and (wd < 5 or (wd == 5 and v.p["sat_work"])))
        if workday:
            L.go(v.work, cal.at(d, v.p["dep_h"] + rng.normal(0, 0.1)))
            L.go(v.home, cal.at(d, v.p["end_h"] + rng.normal(0, 0.2)))
            if rng.random() < 0.3:
                L.go(shop(v, rng), L.t + rng.uniform(60, 180) * 60)
                L.go(v.home, L.t + rng.uniform(30, 80) * 60)
            evening_out(L, v, rng, d, 0.2)
        else:
            if wd == 6 and rng.random() < 0.5:
                L.go(v.p["church"], cal.at(d, rng.uniform(8.3, 9.0)))
                L.go(v.home, cal.at(d, rng.uniform(10.5, 11.2)))
            if rng.random() < 0.7:
                L.go(shop(v, rng), cal.at(d, rng.uniform(10.0, 12.0)))
                L.go(v.home, L.t + rng.uniform(40, 100) * 60)
            if rng.random() < 0.25:
                L.go(node_place(pick(rng, EXCURSIONS[city_of(v)]), 120.0), cal.at(d, rng.uniform(12.0, 16.0)))
                L.go(v.home, L.t + rng.uniform(1.5, 4) * 3600)
            evening_out(L, v, rng, d, 0.25)
        d += 1


def athens_visit(L, v, rng, trip):
    """An islander's car on the ferry to Piraeus: nights at relatives in Athens, back by ferry."""
    cal = L.cal
    island = v.p["port"]
    d = trip["dep_day"]
    n = trip["nights"]
    rel = v.p["relatives"]
    if island in ("syros", "paros"):
        if v.work is not None:
            L.go(v.work, cal.at(d, v.p["dep_h"]))
            L.go(v.home, cal.at(d, 13.5))
        L.take_ferry(island, "piraeus", d, v.p["gps_mode"])
        L.go(rel, L.t + rng.uniform(15, 30) * 60)
        days = range(d + 1, d + n)
        back = d + n
    else:
        L.take_ferry(island, "piraeus", d, v.p["gps_mode"])
        L.go(rel, L.t + rng.uniform(15, 30) * 60)
        days = range(d + 1, d + n + 1)
        back = d + n
    for dd in days:
        if dd == d + 1 or rng.random() < 0.5:
            L.go(pick(rng, HOSPITALS["athens"] + SHOPS["athens"]), cal.at(dd, rng.uniform(9.0, 11.0)))
            L.go(rel, L.t + rng.uniform(1.5, 4.0) * 3600)
        if dd == back:
            break  # the Crete ferry leaves Piraeus at 21:00 that evening
        if rng.random() < 0.3:
            L.go(pick(rng, OUTINGS["athens"]), cal.at(dd, rng.uniform(20.5, 21.5)))
            L.go(rel, cal.at(dd, rng.uniform(23.5, 24.5)))
    L.take_ferry("piraeus", island, back, v.p["gps_mode"])
    L.go(v.home, L.t + rng.uniform(15, 30) * 60)
    return back + (2 if island in ("heraklion", "souda") else 1)


def plan_rental(L, v, rng):
    cal = L.cal
    st = RENTAL[v.region]
    station = st["station"]
    comp = station.comp
    gas = P(*st["fuel"], comp, 20.0)
    t = cal.t0 + rng.uniform(0.2, 2.0) * 86400
    rentals = []
    while True:
        d, _ = cal.local(t)
        if d >= cal.days:
            break
        pick_t = cal.at(d, rng.uniform(10.0, 20.0))
        ndays = int(rng.integers(3, 9))
        d_ret = d + ndays
        hotel = node_place(pick(rng, st["hotels"]), 70.0)
        L.go(hotel, pick_t)
        rentals.append({"pickup_utc": iso_utc(pick_t)})
        change = d + int(rng.integers(1, ndays)) if rng.random() < 0.4 else -1
        for dd in range(d + 1, d_ret):
            if dd == change:
                far = rng.random() < 0.5
                hotel = node_place(pick(rng, st["far_hotels"] if far else st["hotels"]), 70.0)
            nsights = int(rng.integers(1, 4))
            leave = cal.at(dd, rng.uniform(9.0, 11.0))
            for _ in range(nsights):
                s = node_place(pick(rng, st["sights"]), 150.0)
                L.go(s, leave)
                leave = L.t + rng.uniform(1.0, 3.0) * 3600
            L.go(hotel, leave)
            if rng.random() < 0.5:
                L.go(jitter(hotel, 400.0, rng)._replace(spread=30.0), cal.at(dd, rng.uniform(20.5, 21.5)))
                L.go(hotel, L.t + rng.uniform(1.5, 3.0) * 3600)
        L.go(station, cal.at(d_ret, rng.uniform(8.0, 17.0)))
        rentals[-1]["return_utc"] = iso_utc(L.t)
        if rng.random() < 0.7:
            L.go(gas, L.t + rng.uniform(30, 120) * 60)
            L.go(station, L.t + rng.uniform(10, 25) * 60)
        t = L.t + rng.uniform(0.3, 2.5) * 86400
    v.extra["rentals"] = rentals


# ----------------------------------------------------------------------------------------------
# fleet set-up
# ----------------------------------------------------------------------------------------------
def slot_sequence(n):
    counts = np.zeros(len(MIX))
    seq = []
    for i in range(min(n, FIRST_PASS)):
        seq.append(i)
        counts[i] += 1
    w = np.array([m[2] for m in MIX], dtype=float)
    while len(seq) < n:
        k = int(np.argmax(w / (2 * counts + 1)))
        seq.append(k)
        counts[k] += 1
    return [MIX[k][:2] for k in seq]


def luhn_imei(rng):
    digits = [3, 5] + [int(x) for x in rng.integers(0, 10, 12)]
    s = 0
    for i, dgt in enumerate(digits):
        if i % 2 == 1:
            dgt *= 2
            dgt = dgt - 9 if dgt > 9 else dgt
        s += dgt
    return "".join(map(str, digits)) + str((10 - s % 10) % 10)


def make_plate(rng, region, taxi, used):
    while True:
        if taxi and region == "athens":
            pre = "Τ" + pick(rng, "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ")
        else:
            pre = pick(rng, PLATE_PREFIX[region])
        while len(pre) < 3:
            pre += pick(rng, PLATE_LETTERS)
        plate = f"{pre}-{int(rng.integers(1000, 10000))}"
        if plate not in used:
            used.add(plate)
            return plate


def latin(plate):
    return "".join(LATIN_OF.get(ch, ch) for ch in plate)


def setup_vehicle(v, rng, cal):
    """Choose the places and habits of one vehicle (its truth)."""
    k, reg = v.kind, v.region
    if k in ("office_commuter", "hospital_nurse_nights", "delivery_van_takehome", "taxi"):
        v.home = area_point(reg, rng, 130.0)
    if k == "office_commuter":
        w = pick(rng, WORKS[reg])
        v.work = jitter(w, 150.0, rng)._replace(spread=60.0)
        v.p["dep_h"] = rng.uniform(7.4, 8.7)
        v.p["end_h"] = v.p["dep_h"] + rng.uniform(8.0, 9.0)
        v.p["striker"] = rng.random() < 0.3
    elif k == "hospital_nurse_nights":
        v.work = pick(rng, HOSPITALS[reg])
        v.p["rot"] = int(rng.integers(10))
    elif k == "port_shift_worker":
        v.home = area_point("piraeus", rng, 130.0)
        v.work = PORT_WORKS[0] if rng.random() < 0.7 else PORT_WORKS[1]
        v.p["rot"] = int(rng.integers(3))
        a = int(rng.integers(7))
        v.p["off"] = (a, (a + 1) % 7)
        v.p["easter_off"] = rng.random() < 0.8
        v.p["home_city"] = "piraeus"
    elif k == "taxi":
        v.p["start_h"] = 6.0 if rng.random() < 0.65 else 15.0
        v.p["off_wd"] = 6 if rng.random() < 0.7 else int(rng.integers(7))
    elif k in ("delivery_van_depot", "delivery_van_takehome"):
        depot = pick(rng, DEPOTS[reg])
        v.p["depot"] = depot
        v.p["zone"] = reg
        na = len(AREAS[reg])
        v.p["zone_areas"] = [int(x) for x in rng.choice(na, size=min(na, int(rng.integers(2, 5))),
                                                        replace=False)]
        if k == "delivery_van_depot":
            v.home = depot
        else:
            v.work = depot
    elif k == "island_resident":
        port = {"heraklion": "heraklion", "chania": "souda", "syros": "syros", "paros": "paros"}[reg]
        v.home = area_point(reg, rng, 25.0)
        if rng.random() < 0.7:
            v.work = jitter(pick(rng, WORKS[reg]), 100.0, rng)._replace(spread=40.0)
        v.p["port"] = port
        v.p["dep_h"] = rng.uniform(7.2, 8.3) if reg != "paros" else rng.uniform(9.0, 9.8)
        v.p["end_h"] = v.p["dep_h"] + (7.5 if reg != "paros" else 8.0) + rng.uniform(0, 0.7)
        v.p["sat_work"] = reg == "paros"
        v.p["gps_mode"] = "open" if rng.random() < 0.45 else "none"
        v.p["relatives"] = area_point("athens", rng, 120.0)
    elif k == "farmer":
        homes, brg_rng, town, market = FARMS[reg]
        h = pick(rng, homes)
        v.home = jitter(P(h[0], h[1], "crete" if reg == "messara" else "main", 0.0), 400.0,
                        rng)._replace(spread=15.0)
        fields = []
        for _ in range(int(rng.integers(2, 4))):
            dist = rng.uniform(1500, 4500)
            b = math.radians(rng.uniform(*brg_rng))
            la, lo = offset(v.home.lat, v.home.lon, dist * math.cos(b), dist * math.sin(b))
            fields.append(P(float(la), float(lo), v.home.comp, 40.0))
        v.p["fields"] = fields
        v.work = fields[0]
        v.p["town"] = node_place(town if rng.random() < 0.6 else market, 100.0)
        v.p["kafeneio"] = jitter(v.home, 500.0, rng)._replace(spread=20.0)
        v.p["church"] = jitter(v.home, 600.0, rng)._replace(spread=30.0)
    elif k == "rental_tourist":
        v.home = None
        v.work = None
    if k in ("office_commuter", "port_shift_worker", "hospital_nurse_nights", "delivery_van_takehome",
             "taxi"):
        city = "athens" if reg in ("athens", "piraeus") else reg
        other = "piraeus" if city == "athens" else city
        v.p["parents"] = area_point(city if rng.random() < 0.8 else other, rng, 80.0)
    if v.home is not None and "church" not in v.p:
        v.p["church"] = jitter(v.home, 900.0, rng)._replace(spread=60.0)


def plan_easter(v, rng, cal, force_ferry=False):
    """Easter exodus: who leaves, where to and when (only when the window holds Holy Week)."""
    if cal.days < MAYDAY_HOL + 2:
        return
    k, reg = v.kind, v.region
    p = {"office_commuter": 0.55, "delivery_van_takehome": 0.3, "island_resident": 0.5}.get(k, 0.0)
    if k == "island_resident" and reg in ("syros", "paros"):
        p = 0.0
    if not force_ferry and rng.random() >= p:
        return
    if k == "island_resident":
        name, la, lo, town, port = pick(rng, VILLAGES[reg])
        dep_day, dep_h, ret_day, ret_h = HOLY_SAT, rng.uniform(9.5, 11.5), EASTER_MON, rng.uniform(16.0, 19.0)
    else:
        ferry = force_ferry or (reg == "athens" and rng.random() < 0.15)
        name, la, lo, town, port = pick(rng, VILLAGES["athens_ferry" if ferry else reg])
        if port:
            dep_day, dep_h, ret_day, ret_h = HOLY_THU, 21.0, EASTER_MON, 21.0
        elif rng.random() < 0.55:
            dep_day, dep_h = HOLY_THU, rng.uniform(15.5, 19.0)
            ret_day = EASTER_MON if rng.random() < 0.6 else MAYDAY_HOL
            ret_h = rng.uniform(12.0, 18.0)
        else:
            dep_day, dep_h = GOOD_FRI, rng.uniform(7.5, 11.0)
            ret_day = EASTER_MON if rng.random() < 0.5 else MAYDAY_HOL
            ret_h = rng.uniform(12.0, 18.0)
    comp = "crete" if (port or reg in ("heraklion", "chania")) else "main"
    house = jitter(P(la, lo, comp, 0.0), 250.0, rng)._replace(spread=15.0)
    v.easter = {"village": name, "place": house, "town": town, "port": port, "dep_day": dep_day,
                "dep_h": dep_h,
                "ret_day": ret_day, "ret_h": ret_h, "mode": "open" if rng.random() < 0.5 else "none"}


def plan_island_trips(v, rng, cal):
    """1-2 ferry trips to Athens with the car, away from Holy Week and the 1 May strike."""
    trips = []
    if v.kind != "island_resident":
        v.p["athens_trips"] = trips
        return
    crete = v.p["port"] in ("heraklion", "souda")
    want = 1 + int(rng.random() < 0.4)
    if rng.random() < 0.15:
        want = 0
    busy = set(range(HOLY_THU - 1, MAYDAY_HOL + 1)) | {MAY1}
    for _ in range(12):
        if len(trips) >= want:
            break
        n = int(rng.integers(1, 4)) + (0 if crete else 1)
        d0 = int(rng.integers(0, max(1, cal.days - n - 2)))
        span = set(range(d0, d0 + n + 2))
        if span & busy or any(span & set(range(t["dep_day"] - 1,
                                               t["dep_day"] + t["nights"] + 3)) for t in trips):
            continue
        if d0 + n + 1 >= cal.days:
            continue
        trips.append({"dep_day": d0, "nights": n})
    trips.sort(key=lambda t: t["dep_day"])
    v.p["athens_trips"] = trips


PLANNERS = {
    "office_commuter": plan_office, "port_shift_worker": plan_port, "hospital_nurse_nights": plan_nurse,
    "taxi": plan_taxi, "farmer": plan_farmer, "island_resident": plan_island, "rental_tourist": plan_rental,
    "delivery_van_depot": lambda L, v, rng: plan_van(L, v, rng, False),
    "delivery_van_takehome": lambda L, v, rng: plan_van(L, v, rng, True),
}


# ----------------------------------------------------------------------------------------------
# rendering a life into device records
# ----------------------------------------------------------------------------------------------
EV_MOVE, EV_IDLE, EV_PARK, EV_ON, EV_OFF, EV_SEA = 0, 1, 2, 3, 4, 5
HEARTBEAT = {"A": 1800.0, "B": 3600.0}
SEA_CADENCE = {"A": 1800.0, "B": 60.0}


def sample_trip(t0, g, plat):
    L = len(g.dur)
    cum = np.concatenate(([0.0], np.cumsum(g.dur)))
    total = cum[-1]
    if plat == "A":
        rel = np.arange(0.0, total, 30.0)
    else:
        step = np.where(g.v > 0, np.minimum(30.0, 250.0 / np.maximum(g.v / 3.6, 0.5)), 30.0)
        n = np.ceil(g.dur / step).astype(np.int64)
        idx = np.repeat(np.arange(L), n)
        k = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
        rel = cum[idx] + k * step[idx]
        # a record closer than 3 s to the previous one is not taken (minimum period of the device)
        keep = np.ones(len(rel), bool)
        keep[1:] = np.diff(rel) >= 3.0
        rel = rel[keep]
    if total - rel[-1] < 3.0 and len(rel) > 1:
        rel = rel[:-1]
    rel = np.append(rel, total)
    leg = np.clip(np.searchsorted(cum, rel, side="right") - 1, 0, L - 1)
    frac = np.clip((rel - cum[leg]) / g.dur[leg], 0.0, 1.0)
    lat = g.la0[leg] + frac * (g.la1[leg] - g.la0[leg])
    lon = g.lo0[leg] + frac * (g.lo1[leg] - g.lo0[leg])
    spd = g.v[leg].copy()
    crs = bearing(g.la0, g.lo0, g.la1, g.lo1)
    moving = g.v > 0
    # a paused leg keeps the heading of the leg before it
    last = np.maximum.accumulate(np.where(moving, np.arange(L), 0))
    crs = crs[last][leg]
    ev = np.where(spd > 0, EV_MOVE, EV_IDLE)
    spd[0] = 0.0
    spd[-1] = 0.0
    ev[0] = EV_ON
    ev[-1] = EV_OFF
    return t0 + rel, lat, lon, spd, crs, ev


def render(L, plat, rng):
    ts, las, los, sps, crs, evs, covs = [], [], [], [], [], [], []
    for t0, g in L.trips:
        t, la, lo, sp, cr, ev = sample_trip(t0, g, plat)
        ts.append(t), las.append(la), los.append(lo), sps.append(sp), crs.append(cr), evs.append(ev)
        covs.append(np.ones(len(t), bool))
    # parked: heartbeats
    if L.stays:
        s = np.array(L.stays, dtype=float)
        hb = HEARTBEAT[plat]
        n = np.maximum(0, np.floor((s[:, 3] - s[:, 2] - 1.0) / hb)).astype(np.int64)
        idx = np.repeat(np.arange(len(s)), n)
        k = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n) + 1
        t = s[idx, 2] + k * hb
        ts.append(t), las.append(s[idx, 0]), los.append(s[idx, 1])
        sps.append(np.zeros(len(t))), crs.append(np.zeros(len(t))), evs.append(np.full(len(t), EV_PARK))
        covs.append(np.ones(len(t), bool))
    # at sea
    for times, lats, lons, dep, arr, qla, qlo, mode in L.seas:
        if mode == "open":
            t = np.arange(dep + rng.uniform(0, SEA_CADENCE[plat]), arr, SEA_CADENCE[plat])
            la = np.interp(t, times, lats)
            lo = np.interp(t, times, lons)
            seg = hav(lats[:-1], lons[:-1], lats[1:], lons[1:])
            vv = seg / np.maximum(np.diff(times), 1.0) * 3.6
            k = np.clip(np.searchsorted(times, t, side="right") - 1, 0, len(seg) - 1)
            sp = vv[k] * (1 + 0.03 * rng.standard_normal(len(t)))
            cr = bearing(lats[:-1], lons[:-1], lats[1:], lons[1:])[k]
        elif plat == "B":
            t = np.arange(dep + HEARTBEAT["B"], arr, HEARTBEAT["B"])
            la = np.full(len(t), qla)
            lo = np.full(len(t), qlo)
            sp = np.zeros(len(t))
            cr = np.zeros(len(t))
        else:
            continue
        ts.append(t), las.append(la), los.append(lo), sps.append(sp), crs.append(cr)
        evs.append(np.full(len(t), EV_SEA))
        covs.append(~((t - dep > 1500.0) & (arr - t > 1500.0)))
    t = np.concatenate(ts)
    order = np.argsort(t, kind="stable")
    t = np.round(np.concatenate(ts)[order]).astype(np.int64)
    rec = {
        "t": t, "lat_true": np.concatenate(las)[order], "lon_true": np.concatenate(los)[order],
        "speed": np.concatenate(sps)[order], "course": np.concatenate(crs)[order],
        "ev": np.concatenate(evs)[order].astype(np.int8), "cover": np.concatenate(covs)[order],
    }
    keep = np.ones(len(t), bool)
    keep[1:] = t[1:] != t[:-1]
    keep &= (t >= L.cal.t0) & (t < L.cal.t_end)
    rec = {k: a[keep] for k, a in rec.items()}
    n = len(rec["t"])
    ev = rec["ev"]
    # sea pings with the device dark carry the last fix (no satellites)
    dark = (ev == EV_SEA) & (rec["speed"] == 0)
    moving = (ev == EV_MOVE) | ((ev == EV_SEA) & ~dark)
    sig = np.where(moving, 3.5, 5.5)
    centre = hav(rec["lat_true"], rec["lon_true"], 37.9800, 23.7320) < 1800.0
    sig = np.where(centre, 12.0, sig)
    sig = np.where(dark, 0.0, sig)
    dn = rng.standard_normal(n) * sig
    de = rng.standard_normal(n) * sig
    rec["lat"], rec["lon"] = offset(rec["lat_true"], rec["lon_true"], dn, de)
    rec["speed"] = np.where(rec["speed"] > 0, np.maximum(1.0,
                                                         rec["speed"] * (1 + 0.05 * rng.standard_normal(n))),
                            0.0)
    rec["sats"] = np.where(moving, rng.integers(8, 14, n), rng.integers(5, 12, n))
    rec["sats"] = np.where(dark, 0, rec["sats"])
    rec["hdop"] = np.where(dark, 99.0, np.round(rng.uniform(0.6, 1.6, n), 1))
    ign = (ev == EV_MOVE) | (ev == EV_IDLE) | (ev == EV_ON)
    rec["ign"] = ign
    rec["movement"] = moving
    rec["volt"] = np.round(np.where(ign, rng.uniform(13.8, 14.4, n), rng.uniform(12.2, 12.7, n)), 2)
    if plat == "B":
        for la, lo, r in DEAD_ZONES:
            rec["cover"] &= hav(rec["lat_true"], rec["lon_true"], la, lo) > r
    return rec


# ----------------------------------------------------------------------------------------------
# the generator
# ----------------------------------------------------------------------------------------------
def _fmt_dates(days_since_epoch):
    u, inv = np.unique(days_since_epoch, return_inverse=True)
    base = datetime(1970, 1, 1)
    lab = np.array([(base + timedelta(days=int(x))).strftime("%d/%m/%Y") for x in u], dtype=object)
    return lab[inv]


_HMS = None


def _fmt_times(sec_of_day):
    global _HMS
    if _HMS is None:
        _HMS = np.array([f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86400)],
                        dtype=object)
    return _HMS[sec_of_day]


def _decimal_comma(x, nd):
    q = np.round(np.asarray(x) * 10 ** nd).astype(np.int64)
    ip = (q // 10 ** nd).astype(str)
    fp = pd.Series(q % 10 ** nd).astype(str).str.zfill(nd).to_numpy()
    return np.char.add(np.char.add(ip, ","), fp.astype(str))


def write_hellas_fleet(folder, vehicles=120, days=28, seed=0) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    cal = Cal(days)
    g = np.random.default_rng([seed, 7001])
    first = datetime(*FIRST_DAY)
    last = first + timedelta(days=days - 1)
    a_name = A_FILE_TMPL.format(a=first.strftime("%d%m%Y"), b=last.strftime("%d%m%Y"))
    b_name = B_FILE_TMPL.format(a=first.strftime("%Y-%m-%d"), b=last.strftime("%Y-%m-%d"))

    # --- who is in the fleet ---
    slots = slot_sequence(vehicles)
    vs = [Veh(i, k, r) for i, (k, r) in enumerate(slots)]
    used = set()
    for v in vs:
        if v.kind == "rental_tourist":
            v.plat = "B"
        elif v.kind == "taxi":
            v.plat = "B" if g.random() < 0.75 else "A"
        elif v.kind == "island_resident" and v.region in ("syros", "paros"):
            v.plat = "B" if g.random() < 0.6 else "A"
        else:
            v.plat = "A" if g.random() < 0.72 else "B"
    na = sum(v.plat == "A" for v in vs)
    if vehicles >= 10 and na < 5:
        for v in vs:
            if v.plat == "B" and v.kind not in ("rental_tourist", "taxi") and na < 5:
                v.plat = "A"
                na += 1
    for v in vs:
        reg = v.region
        plate = make_plate(g, reg, v.kind == "taxi", used)
        v.plate = plate
        v.vid = plate if v.plat == "A" else latin(plate).replace("-", "")
        v.imei = luhn_imei(g)
        body = {"taxi": "taxi", "delivery_van_depot": "van", "delivery_van_takehome": "van",
                "farmer": "pickup",
                "rental_tourist": "rental"}.get(v.kind, "car")
        v.make = pick(g, MAKES[body])
        v.body = {"van": "Ελαφρύ φορτηγό", "pickup": "Αγροτικό (pick-up)"}.get(body, "Επιβατικό")
        v.year = int(g.integers(2008, 2024)) if body != "rental" else int(g.integers(2021, 2025))
        v.fuel = pick(g, ["Βενζίνη", "Πετρέλαιο", "Υβριδικό", "Υγραέριο"] if body == "taxi" else
                      (["Πετρέλαιο"] if body in ("van", "pickup") else ["Βενζίνη", "Βενζίνη", "Πετρέλαιο",
                                                                        "Υβριδικό"]))
        v.device = pick(g, ["Concox GT06N", "Queclink GV55", "Meitrack T366"]) if v.plat == "A" else \
            pick(g, ["Teltonika FMB920", "Teltonika FMC130", "Teltonika FMB140"])
        v.odo0 = float(g.uniform(8000, 260000)) if body != "rental" else float(g.uniform(3000, 60000))

    # --- places, habits, Easter, ferries ---
    for v in vs:
        rng = np.random.default_rng([seed, v.idx, 1])
        setup_vehicle(v, rng, cal)
        plan_easter(v, rng, cal)
        plan_island_trips(v, rng, cal)
    if cal.days >= MAYDAY_HOL + 2:
        athenians = [v for v in vs if v.kind == "office_commuter" and v.region == "athens"]
        if athenians and not any(v.easter and v.easter["port"] for v in athenians):
            plan_easter(athenians[-1], np.random.default_rng([seed, athenians[-1].idx, 2]), cal,
                        force_ferry=True)
    # the hard cases must occur: at least one islander crossing with the GPS fix on deck and one dark
    islanders = [v for v in vs if v.kind == "island_resident" and v.p["athens_trips"]]
    if len(islanders) >= 2:
        if all(v.p["gps_mode"] == "none" for v in islanders):
            islanders[0].p["gps_mode"] = "open"
        if all(v.p["gps_mode"] == "open" for v in islanders):
            islanders[-1].p["gps_mode"] = "none"

    # --- lives and records ---
    recs = {}
    for v in vs:
        rng = np.random.default_rng([seed, v.idx, 3])
        urban = v.region in ("athens", "piraeus", "thess", "patras")
        L = Life(v.home if v.home is not None else RENTAL[v.region]["station"], cal, rng, urban)
        PLANNERS[v.kind](L, v, rng)
        L.finish()
        v.crossings = L.crossings
        rec = render(L, v.plat, np.random.default_rng([seed, v.idx, 4]))
        rec["odo"] = v.odo0 + np.concatenate(([0.0], np.cumsum(
            hav(rec["lat_true"][:-1], rec["lon_true"][:-1], rec["lat_true"][1:], rec["lon_true"][1:]) *
            (rec["ign"][1:] & rec["ign"][:-1])))) / 1000.0
        recs[v.vid] = rec

    faults = plant_faults(vs, recs, cal, np.random.default_rng([seed, 7002]))

    # --- platform A: Greek fleet platform, Windows export ---
    a_rows = []
    for v in sorted([v for v in vs if v.plat == "A"], key=lambda v: v.vid):
        r = recs[v.vid]
        n = len(r["t"])
        loc = pd.to_datetime(r["t"], unit="s", utc=True).tz_convert(TZ).tz_localize(None)
        naive = loc.to_numpy().astype("datetime64[s]").astype(np.int64)
        if v.vid in faults["_clock"]:
            naive = r["t"] + 7200
        if v.vid in faults["_wnro"]:
            fix = faults["_wnro"][v.vid]
            naive = np.where(r["t"] < fix, naive - WNRO_DAYS * 86400, naive)
        ids = np.full(n, v.vid, dtype=object)
        if v.vid in faults["_alias"]:
            t_from, alias = faults["_alias"][v.vid]
            ids[r["t"] >= t_from] = alias
        a_rows.append(pd.DataFrame({
            "id": ids, "naive": naive, "lat": r["lat"], "lon": r["lon"],
            "speed": np.round(r["speed"]).astype(int),
            "course": np.round(r["course"]).astype(int) % 360, "ign": r["ign"], "sats": r["sats"],
            "odo": r["odo"], "ev": r["ev"],
        }))
    if not a_rows:
        a_rows.append(pd.DataFrame({"id": pd.Series([], dtype=object), "naive": np.zeros(0, np.int64),
                                    "lat": np.zeros(0), "lon": np.zeros(0), "speed": np.zeros(0, int),
                                    "course": np.zeros(0, int), "ign": np.zeros(0,
                                                                                bool), "sats": np.zeros(0,
                                                                                                        int),
                                    "odo": np.zeros(0), "ev": np.zeros(0, np.int8)}))
    A = pd.concat(a_rows, ignore_index=True)
    A = A.sort_values(["id", "naive"], kind="stable").reset_index(drop=True)
    ev_txt = np.array(["Κίνηση", "Στάση", "Στάθμευση", "Ανάφλεξη ON", "Ανάφλεξη OFF", "Στάθμευση"],
                      dtype=object)
    out = pd.DataFrame({
        "Αρ. Κυκλοφορίας": A["id"].to_numpy(),
        "Ημερομηνία": _fmt_dates(A["naive"].to_numpy() // 86400),
        "Ώρα": _fmt_times((A["naive"].to_numpy() % 86400).astype(np.int64)),
        "Γεωγρ. Πλάτος": _decimal_comma(A["lat"].to_numpy(), 6),
        "Γεωγρ. Μήκος": _decimal_comma(A["lon"].to_numpy(), 6),
        "Ταχύτητα (χλμ/ώρα)": A["speed"].to_numpy(),
        "Κατεύθυνση (μοίρες)": A["course"].to_numpy(),
        "Ανάφλεξη": np.where(A["ign"].to_numpy(), "Ναι", "Όχι"),
        "Δορυφόροι": A["sats"].to_numpy(),
        "Χιλιομετρητής (χλμ)": _decimal_comma(A["odo"].to_numpy(), 1),
        "Συμβάν": ev_txt[A["ev"].to_numpy()],
    })
    pre = ("Αναφορά Ιστορικού Κινήσεων Οχημάτων\r\n"
           f"Περίοδος: {first.strftime('%d/%m/%Y')} 00:00 - {last.strftime('%d/%m/%Y')} 23:59\r\n\r\n")
    text = pre + out.to_csv(sep=";", index=False, lineterminator="\r\n")
    if len(out):
        (folder / a_name).write_bytes(text.encode("cp1253"))

    # --- platform B: Teltonika devices, messages export, Parquet ---
    b_parts = []
    for v in sorted([v for v in vs if v.plat == "B"], key=lambda v: v.vid):
        r = recs[v.vid]
        n = len(r["t"])
        b_parts.append(pd.DataFrame({
            "unit": np.full(n, v.vid, dtype=object), "imei": np.full(n, v.imei, dtype=object),
            "gps_time": r["t"], "server_time": r["server"], "latitude": np.round(r["lat"], 7),
            "longitude": np.round(r["lon"], 7), "speed_kmh": np.round(r["speed"]).astype(np.int16),
            "course_deg": (np.round(r["course"]).astype(np.int16) % 360).astype(np.int16),
            "satellites": r["sats"].astype(np.int8), "hdop": r["hdop"].astype(np.float32),
            "ignition": r["ign"], "movement": r["movement"], "ext_voltage_v": r["volt"].astype(np.float32),
        }).iloc[r["file_order"]])
    if not b_parts:
        b_parts.append(pd.DataFrame({"unit": pd.Series([], dtype=object), "imei": pd.Series([], dtype=object),
                                     "gps_time": np.zeros(0, np.int64), "server_time": np.zeros(0, np.int64),
                                     "latitude": np.zeros(0), "longitude": np.zeros(0),
                                     "speed_kmh": np.zeros(0, np.int16), "course_deg": np.zeros(0, np.int16),
                                     "satellites": np.zeros(0, np.int8), "hdop": np.zeros(0, np.float32),
                                     "ignition": np.zeros(0, bool), "movement": np.zeros(0, bool),
                                     "ext_voltage_v": np.zeros(0, np.float32)}))
    B = pd.concat(b_parts, ignore_index=True)
    table = pa.table({
        "unit": pa.array(B["unit"].tolist(), pa.string()),
        "imei": pa.array(B["imei"].tolist(), pa.string()),
        "gps_time": pa.array(B["gps_time"].to_numpy(), pa.timestamp("s", tz="UTC")),
        "server_time": pa.array(B["server_time"].to_numpy(), pa.timestamp("s", tz="UTC")),
        "latitude": pa.array(B["latitude"].to_numpy(), pa.float64()),
        "longitude": pa.array(B["longitude"].to_numpy(), pa.float64()),
        "speed_kmh": pa.array(B["speed_kmh"].to_numpy(), pa.int16()),
        "course_deg": pa.array(B["course_deg"].to_numpy(), pa.int16()),
        "satellites": pa.array(B["satellites"].to_numpy(), pa.int8()),
        "hdop": pa.array(B["hdop"].to_numpy(), pa.float32()),
        "ignition": pa.array(B["ignition"].to_numpy(), pa.bool_()),
        "movement": pa.array(B["movement"].to_numpy(), pa.bool_()),
        "ext_voltage_v": pa.array(B["ext_voltage_v"].to_numpy(), pa.float32()),
    })
    if table.num_rows:
        pq.write_table(table, folder / b_name, compression="snappy")

    # --- vehicles.csv ---
    vrows = []
    for v in sorted(vs, key=lambda v: v.vid):
        vrows.append({"vehicle_id": v.vid, "source_file": a_name if v.plat == "A" else b_name, "imei": v.imei,
                      "make": v.make[0], "model": v.make[1], "year": v.year, "fuel": v.fuel, "body": v.body,
                      "tracker": v.device})
    pd.DataFrame(vrows).to_csv(folder / "vehicles.csv", index=False, encoding="utf-8", lineterminator="\n")

    # --- truth.json and labels.csv ---
    lrng = np.random.default_rng([seed, 7003])
    truth = {"tz": TZ_NAME, "vehicles": {}, "wrong_labels": [], "faults": {}}
    for v in sorted(vs, key=lambda v: v.vid):
        e = {"home": rnd(v.home), "work": rnd(v.work), "kind": v.kind, "region": v.region,
             "file": a_name if v.plat == "A" else b_name, "plate": v.plate}
        if v.easter:
            et = v.easter
            e["easter_trip"] = {"village": et["village"], "place": rnd(et["place"]),
                                "by_ferry": bool(et["port"])}
        if v.crossings:
            e["ferry_crossings"] = v.crossings
        if v.kind == "hospital_nurse_nights":
            e["note"] = "rota NNNNOOMMAA: 4 of every 10 nights at the hospital (work), the rest at home"
        if v.kind == "port_shift_worker":
            e["note"] = "weekly rotating shifts night/afternoon/morning; night-shift weeks sleep by day"
        if "rentals" in v.extra:
            e["rentals"] = v.extra["rentals"]
        truth["vehicles"][v.vid] = e
    labels = []
    cands = [v for v in sorted(vs, key=lambda v: v.idx) if v.home is not None or v.work is not None]
    chosen = [v for v in cands if lrng.random() < 0.86]
    for v in chosen:
        for lab, pl in (("home", v.home), ("work", v.work)):
            if pl is None:
                continue
            la, lo = offset(pl.lat, pl.lon, lrng.normal(0, 22.0), lrng.normal(0, 22.0))
            labels.append([v.vid, lab, float(la), float(lo), v])
    n_wrong = max(1, int(round(0.05 * len(labels))))
    for i in sorted(lrng.choice(len(labels), size=min(n_wrong, len(labels)), replace=False).tolist()):
        vid, lab, la, lo, v = labels[i]
        other = v.work if lab == "home" else v.home
        if other is not None and hav1(other.lat, other.lon, la, lo) > 1000 and lrng.random() < 0.5:
            nla, nlo = offset(other.lat, other.lon, lrng.normal(0, 20.0), lrng.normal(0, 20.0))
            how = "home and work swapped"
        else:
            reg = {"achaia": "patras", "thess_plain": "thess", "messara": "heraklion"}.get(v.region,
                                                                                           city_of(v))
            while True:
                q = area_point(reg, lrng, 0.0)
                if hav1(q.lat, q.lon, la, lo) > 1500:
                    break
            nla, nlo = q.lat, q.lon
            how = "geocoded to a street of the same name elsewhere"
        labels[i] = [vid, lab, float(nla), float(nlo), v]
        truth["wrong_labels"].append({"vehicle_id": vid, "label": lab, "why": how})
    with open(folder / "labels.csv", "w", encoding="utf-8", newline="") as f:
        f.write("vehicle_id,label,lat,lon\n")
        for vid, lab, la, lo, _ in labels:
            f.write(f"{vid},{lab},{la:.6f},{lo:.6f}\n")
    truth["faults"] = {k: val for k, val in faults.items() if not k.startswith("_")}
    (folder / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    return folder


def rnd(p):
    return None if p is None else [round(float(p.lat), 6), round(float(p.lon), 6)]


def plant_faults(vs, recs, cal, g):
    """Plant the faults of a real Greek fleet in the rendered records; returns the truth of them."""
    F = {"latin_plate_alias": [], "clock_fixed_utc_plus2": [], "gps_week_rollover": [],
         "zero_coordinates": [],
         "device_unplugged": [], "resent_duplicates": [], "backlog_newest_first": [], "position_spikes": [],
         "_alias": {}, "_clock": {}, "_wnro": {}}
    A = [v for v in vs if v.plat == "A"]
    B = [v for v in vs if v.plat == "B"]
    order = [A[i] for i in g.permutation(len(A))]
    n_alias = max(1, round(len(A) * 0.025))
    n_clock = max(1, round(len(A) * 0.05))
    n_wnro = max(1, round(len(A) * 0.025))
    taken = []

    def take(k):
        out = order[len(taken):len(taken) + k]
        taken.extend(out)
        return out

    # 1 latin look-alike letters typed for the plate after a device re-registration
    for v in take(n_alias):
        d = int(g.integers(max(1, cal.days // 4), max(2, cal.days * 3 // 4)))
        t_from = cal.at(d, 0.0)
        alias = latin(v.vid)
        if not (recs[v.vid]["t"] >= t_from).any():
            continue
        F["_alias"][v.vid] = (t_from, alias)
        F["latin_plate_alias"].append({"vehicle_id": v.vid, "alias": alias, "from_local": iso_local(t_from),
                                       "rows_with_alias": int((recs[v.vid]["t"] >= t_from).sum())})
    # 2 tracker account set to a fixed GMT+2 (no summer time): stamps one hour behind Athens time
    for v in take(n_clock):
        r = recs[v.vid]
        F["_clock"][v.vid] = True
        F["clock_fixed_utc_plus2"].append({
            "vehicle_id": v.vid, "rows": int(len(r["t"])), "first_fix_utc": iso_utc(r["t"][0]),
            "first_fix_written": datetime.fromtimestamp(int(r["t"][0]) + 7200, tz=timezone.utc).strftime(
                "%d/%m/%Y %H:%M:%S")})
    # 3 GPS week-number roll-over: dates 1024 weeks (7168 days) early until a firmware update (or never)
    for j, v in enumerate(take(n_wnro)):
        r = recs[v.vid]
        if j % 2 == 0:
            fix = cal.at(int(g.integers(max(1, cal.days // 3), max(2, cal.days * 2 // 3))), 11.0)
        else:
            fix = float(cal.t_end + 86400)
        F["_wnro"][v.vid] = fix
        F["gps_week_rollover"].append({"vehicle_id": v.vid, "rows_shifted": int((r["t"] < fix).sum()),
                                       "firmware_fixed_utc": iso_utc(fix) if fix < cal.t_end else None,
                                       "shift_days": -WNRO_DAYS})
    # 4 cold starts without a fix written as 0,000000 / 0,000000
    n_zero = max(1, round(len(A) * 0.15))
    for v in [x for x in order if x not in taken][:n_zero]:
        r = recs[v.vid]
        starts = np.flatnonzero(r["ev"] == EV_ON)
        pickk = starts[g.random(len(starts)) < 0.35]
        idx = []
        for s in pickk:
            k = int(g.integers(1, 4))
            seg = np.arange(s, min(s + k, len(r["t"])))
            seg = seg[(r["ev"][seg] == EV_ON) | (r["ev"][seg] == EV_MOVE) | (r["ev"][seg] == EV_IDLE)]
            idx.extend(seg.tolist())
        idx = np.array(sorted(set(idx)), dtype=np.int64)
        if len(idx):
            r["lat"][idx] = 0.0
            r["lon"][idx] = 0.0
            r["speed"][idx] = 0.0
            r["sats"][idx] = 0
            r["course"][idx] = 0.0
            F["zero_coordinates"].append({"vehicle_id": v.vid, "rows": int(len(idx))})
        taken.append(v)
    # 5 tracker unplugged for some days (one vehicle on each platform)
    gap_pool = [x for x in order if x not in taken][:1] + [B[i] for i in g.permutation(len(B))][:1]
    for v in gap_pool:
        r = recs[v.vid]
        d0 = int(g.integers(1, max(2, cal.days - 5)))
        length = float(g.uniform(2.0, 5.0)) if cal.days >= 14 else float(g.uniform(1.2, 2.0))
        t0 = cal.at(d0, float(g.uniform(8, 18)))
        t1 = min(t0 + length * 86400, cal.t_end - 3600)
        keep = (r["t"] < t0) | (r["t"] >= t1)
        if keep.all():
            continue
        for k in list(r):
            r[k] = r[k][keep]
        F["device_unplugged"].append({"vehicle_id": v.vid, "from_utc": iso_utc(t0), "to_utc": iso_utc(t1),
                                      "rows_removed": int((~keep).sum())})
        taken.append(v)
    # B: server time, buffered uploads, newest-first devices, re-sent duplicates, spikes
    with_backlog = [v for v in B if (~recs[v.vid]["cover"]).sum() > 1]
    nf = [with_backlog[i] for i in g.permutation(len(with_backlog))][:max(1, round(len(with_backlog) * 0.4))]
    nf_ids = {v.vid for v in nf}
    bperm = [B[i] for i in g.permutation(len(B))]
    dup_ids = {v.vid for v in bperm[:max(1, round(len(B) * 0.12))]}
    spike_ids = {v.vid for v in bperm[::-1][:max(1, round(len(B) * 0.3))]}
    for v in B:
        r = recs[v.vid]
        n = len(r["t"])
        rng = np.random.default_rng([int(g.integers(1 << 31)), 5])
        if v.vid in spike_ids:
            cand = np.flatnonzero((r["ev"] == EV_MOVE) & r["cover"])
            cand = cand[(cand > 2) & (cand < n - 3)]
            ns = min(len(cand), max(1, int(round(len(cand) / 6000))))
            chosen = []
            for c in rng.permutation(cand):
                if len(chosen) >= ns:
                    break
                if all(abs(int(c) - x) > 3 for x in chosen):
                    chosen.append(int(c))
            for c in sorted(chosen):
                dist = rng.uniform(2000, 20000)
                b = rng.uniform(0, 2 * math.pi)
                la, lo = offset(r["lat"][c], r["lon"][c], dist * math.cos(b), dist * math.sin(b))
                r["lat"][c], r["lon"][c] = la, lo
                r["sats"][c] = int(rng.integers(3, 5))
                r["hdop"][c] = round(float(rng.uniform(6, 20)), 1)
                F["position_spikes"].append({"vehicle_id": v.vid, "gps_time_utc": iso_utc(r["t"][c]),
                                             "lat": round(float(la), 7), "lon": round(float(lo), 7),
                                             "jump_km": round(dist / 1000, 2)})
        lat_ms = rng.integers(1, 5, n)
        server = r["t"] + lat_ms
        cov = r["cover"]
        pos = np.where(cov, np.arange(n), n)
        nxt = np.minimum.accumulate(pos[::-1])[::-1]
        server = np.where(nxt < n, server[np.minimum(nxt, n - 1)], r["t"][-1] + 600)
        r["server"] = server
        key2 = -r["t"] if v.vid in nf_ids else r["t"]
        fo = np.lexsort((key2, server))
        if v.vid in dup_ids:
            nb = int(rng.integers(1, 5))
            extra_idx, extra_srv = [], []
            for _ in range(nb):
                s = int(rng.integers(0, max(1, n - 45)))
                m = int(rng.integers(5, 41))
                blk = np.arange(s, min(n, s + m))
                extra_idx.append(blk)
                extra_srv.append(np.full(len(blk), int(server[blk].max() + rng.integers(60, 900))))
            extra_idx = np.concatenate(extra_idx)
            extra_srv = np.concatenate(extra_srv)
            # the same record may be re-sent twice; keep one re-send per record
            _, first_i = np.unique(extra_idx, return_index=True)
            extra_idx = extra_idx[np.sort(first_i)]
            extra_srv = extra_srv[np.sort(first_i)]
            all_idx = np.concatenate([np.arange(n), extra_idx])
            all_srv = np.concatenate([server, extra_srv])
            is_dup = np.concatenate([np.zeros(n, bool), np.ones(len(extra_idx), bool)])
            fo = np.lexsort((key2[all_idx], is_dup, all_srv))
            for k in list(r):
                if isinstance(r[k], np.ndarray) and len(r[k]) == n:
                    r[k] = r[k][all_idx]
            r["server"] = all_srv
            fo_final = fo
            F["resent_duplicates"].append({"vehicle_id": v.vid, "rows": int(len(extra_idx))})
        else:
            fo_final = fo
        r["file_order"] = fo_final
        if v.vid in nf_ids:
            # counted after dropping the re-sent copies (first occurrence in file order kept)
            t_sorted = r["t"][fo_final]
            first_occ = ~pd.DataFrame({"t": t_sorted, "la": r["lat"][fo_final],
                                       "lo": r["lon"][fo_final]}).duplicated()
            ts = t_sorted[first_occ.to_numpy()]
            F["backlog_newest_first"].append({"vehicle_id": v.vid,
                                              "rows_out_of_order": int((np.diff(ts) < 0).sum()),
                                              "uncovered_records": int((~cov).sum())})
    for k in ("latin_plate_alias", "clock_fixed_utc_plus2", "gps_week_rollover", "zero_coordinates",
              "device_unplugged", "resent_duplicates", "backlog_newest_first", "position_spikes"):
        F[k] = sorted(F[k], key=lambda e: (e["vehicle_id"], e.get("gps_time_utc", "")))
    return F


def main(argv=None):
    ap = argparse.ArgumentParser(description="Write the synthetic Greek fleet 'hellas'.")
    ap.add_argument("out")
    ap.add_argument("--vehicles", type=int, default=120)
    ap.add_argument("--days", type=int, default=28)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    path = write_hellas_fleet(a.out, vehicles=a.vehicles, days=a.days, seed=a.seed)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
