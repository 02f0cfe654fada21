"""The "channel" fleet: cars and vans around London, Dover, Calais, Paris and Lille over a window
that holds the end of European summer time (Sunday 25 October 2026, 01:00 UTC: London 02:00 BST
-> 01:00 GMT, Paris 03:00 CEST -> 02:00 CET), exported by two companies in their own formats.

    .venv/bin/python bench/fleets/channel.py OUT [--vehicles N] [--days D] [--seed S]
    write_channel_fleet(folder, vehicles=V, days=D, seed=S)   # what bench/truth.py would call

Same arguments, byte-identical files. The window starts on a Monday at 00:00 UTC: 12 Oct 2026 when
D >= 14 (so 28 days end 9 Nov), 19 Oct when 7 <= D < 14. 120 vehicles x 28 days write ~2.2M
rows (~120 MB) in ~10 s. Written independently of the app's code; shapes and faults are
meant to be ones the app's authors did not design for.

Time. Every life follows the wall clock of its company's country (UK: Europe/London, FR:
Europe/Paris), also abroad; a wall time in a repeated hour is the first (summer) one. Pings are
simulated in true UTC, then written: uk_pings.csv in UTC, fr_pings.csv in naive Paris time.

Kinds (truth "kind"; "schedule" day/night/rotating/away/none; quotas, each kind at least once
when V >= 9, countries alternate within a kind). truth "work" is always where the CAR stands in
working hours, not where the person works.
- commuter (17%): home -> office car park (London incl. Canary Wharf/Greenwich/Stratford at
  lon ~0, Stockley Park -0.45, Dartford +0.25; La Defense, Saclay...; Lille) Mon-Fri, leave
  06:54-08:42 (own mean, sd 12 min), 8-9.6 h, 0-2 fixed work-from-home weekdays, 5% days off,
  some lunch trips, evening errands. work = office car park.
- park_ride (11%): drives 2-9 km to a commuter STATION car park and takes the train; the car
  stands there ~10.3-11.8 h. truth work = the station car park; truth "office" = the real
  office in town where the car never goes (a wrong label points there).
- baker (8%): leaves home so as to be at the bakery at 00:36-01:24 local (+-5 min), stays
  7.6-8.4 h (so at 02:00 local the car is at the bakery), 6 shifts a week: UK industrial
  bakeries on estates (day off Sat or Sun), French artisan bakeries in town (day off Mon or
  Wed, van in the street); afternoon errands. Truth "days_off" = weekdays (0=Mon) without a
  shift that early morning.
- port_shift (10%): Dover (UK) or Calais (FR) port staff car park; 16-day cycle 4 day shifts
  06:00-18:00, 4 off, 4 night shifts 18:00-06:00, 4 off; cycle position (day + phase) % 16,
  truth "rotation_phase". Homes in Dover/Folkestone/Deal/Canterbury or Calais/Marck/Boulogne...
- lorry (12%): euro-courier vans kept at the driver's house. Tours Mon 04:24-05:54 (30%:
  Sunday 19:30-21:00, 5 nights) -> depot (load 45-120 min) -> across the channel (ferry Dover
  <-> Calais: 40-110 min in the lanes, 85-105 min crossing; or Eurotunnel Folkestone <->
  Coquelles: 25-70 min wait, 33-40 min in the tunnel, no fix at all) -> customers 15-220 km
  apart until 15:30-19:00 -> the night at a truck stop (M20/M25/M1 services, A1/A16/A26 aires,
  Jabbeke...) or a lay-by (30%) -> ... Friday: back across, depot (40-90 min), home. 4-5 nights
  away a week; 10% of weeks at home. UK lorries deliver in France/Belgium, French ones in
  England. truth home = the house, work = the depot, "head_office" = a wrong label's target.
- school_run (12%): school 0.4-2.5 km away; leave home ~08:12 (UK) / 08:03 (FR) for a 4-12 min
  drop-off stop, leave again ~14:54 (UK) / 16:06 (FR) for a 10-25 min pick-up stop (both
  stops 'two short stops a day'); no school at weekends, on French Wednesdays,
  in the English half-term (26-30 Oct) or the French Toussaint holidays (17 Oct - 1 Nov).
  45% have a part-time job 3 fixed weekday mornings ~09:00-13:00 (truth work = the job, also
  in holidays); the others have work null ("school" in truth).
- student (9%): flat 0.4-3 km from a university (truth home = the flat, work null); car
  parked there on weekdays with errands; on 60-95% (own rate) of weekends drives Friday
  16:00-19:00 to the parents' house 80-150 km away, back Sunday 16:00-20:00 or (20%) Monday
  06:00-07:12; French students spend the university break (23 Oct - 1 Nov) there.
  truth "parents", "nights_at_parents" (dates after which the car sleeps there).
- car_club (8%): shared cars, many drivers, 0-3 bookings a day at any hour (mostly 07:00-
  21:00), 1.5-18 km trips, 20 min-5 h stays, 6% overnight. 70% round-trip (always back to their
  bay), 30% floating (left where the booking ended; back to the bay 15% of the time).
  truth home = null and work = null (bench/truth.py skips a null home and counts any
  predicted work as a false work); "bay" says where the car often sleeps anyway.
- retiree (13%): errands 09:30-16:00, golf 2 mornings a week (half), church on Sunday (half),
  grandchildren 20-60 km away one afternoon a week, 10% of weekends at the seaside (2 nights).
Each vehicle also has 5-8 errand places 0.6-12 km from home (the first ones favoured). Parking
spots vary per visit: driveway 8 m or street 60 m (home), office 60 m, station 110 m, bakery 30
m, port 110 m, depot 80 m, truck stop 100 m, school 80 m.

Devices (truth "device"; vehicles.csv "device", "firmware"). UK: event_box 40%, obd_1hz 25%,
phone_app 35%; FR: tracker_3dp 35%, phone_app 30%, event_box 20%, obd_1hz 15%; never obd_1hz
on a lorry.
- event_box: fixes ONLY at ignition on (speed 0), every ~1 km of road while driving, and
  ignition off (speed 0). Nothing while parked, on a ferry or in the tunnel.
- obd_1hz: one fix per second from ignition on to off; a heartbeat every 6 h while parked.
- phone_app (paired with the car): first fix 15-120 s after ignition, then every 5-60 s
  (uniform), one fix at the parking spot 3-40 s after the engine stops; nothing parked. Half
  the phones are killed by the OS on 25% of days (4% for the others) for 2-10 h: no fix at all
  (truth "phone_killed_hours").
- tracker_3dp (French only): every 30 s while driving from ignition on, an ignition-off fix,
  every 30 min (+-20 s) while parked and on a ferry deck; coordinates TRUNCATED (toward zero)
  to 3 decimals (~110 m x 70 m cells), e.g. "51,364" / "-0,000" just west of Greenwich.
GPS noise sd: moving 3 (obd) 4 (box) 5 (tracker) 8 (phone) m; parked 4-12 m; 0.03% of fixes
jump 300-1500 m (multipath). Road shapes: bent lines (quadratic Bezier), 1.22-1.37x the
straight distance at 22-92 km/h (vans capped at 74), gentle start and stop.

Files (all UTF-8):
1. uk_pings.csv, the UK exporter: comma-separated, LF, sorted by receipt time (UTC, then
   vehicle), columns vehicle_id,timestamp,lat,lon,speed_kmh; timestamp "2026-10-25T01:30:05Z";
   speed in KM/H (docs/cli.md documents speed_mps only); ids with a comma are quoted.
2. fr_pings.csv, the French exporter: SEMICOLON-separated, UTF-8 WITH BOM, CRLF, vehicle by
   vehicle then time; columns immatriculation;horodatage;latitude;longitude;vitesse
   (French names: need --map); DECIMAL COMMAS ("48,856613", "72,4"); horodatage NAIVE
   Europe/Paris wall time, DAY FIRST: "25/10/2026 02:30:00" (docs/cli.md documents ISO-8601
   or naive with --tz; decimal commas, a BOM, day-first dates and km/h are not documented). The
   stamps 25/10/2026 02:00:00-02:59:59 really occur twice (once CEST, once CET): truth
   files["fr_pings.csv"]["repeated_hour"] counts them (first pass, second pass, UTC-as-local).
3. labels.csv: vehicle_id,label,lat,lon (label home|work), comma-separated. 75% of vehicles
   labelled (car-club cars only carry a label when it is a wrong one); 70% of points at the
   address (8-25 m from the place), 30% at a postcode centroid (UK, 100-400 m off) or commune
   centroid (FR, 0.5-2 km off), with 4 decimals; truth "label_precision". round(8%) of the
   labelled vehicles are wrong, by kind: commuter/baker home and work swapped; park_ride
   work at the office in town; lorry work at the head office 15-60 km from the depot;
   school_run work at the school; student home at the parents'; car_club home at the bay;
   port_shift/retiree home at a previous address 3-15 km away. truth "wrong_labels" lists each
   wrong row (given, true, why) and the vehicle's "label_error".
4. vehicles.csv: vehicle_id,company,country,device,firmware,vehicle_type (car|van),model,
   product (insurance|fleet|carclub),timezone (the company's zone),previous_registration.
5. truth.json: {"tz": "Europe/Paris" (for --tz; only fr_pings.csv is naive), "window",
   "vehicles": {id: {home, work, kind, schedule, device, country, file, tz, region, faulty,
   faults, labelled, label_error, label_precision, + per kind office/days_off/rotation_phase/
   head_office/school/job_days/parents/nights_at_parents/bay/floating}}, "wrong_labels",
   "files" (rows, duplicates, formats, repeated hour), "faults"}.

Faults (truth "faults" per vehicle and the top-level "faults"):
- utc_as_local: max(1, round(8%)) of the French non-phone devices (firmware "...-fr") write the
  UTC reading into horodatage: 2 h early before 25 Oct 01:00 UTC, 1 h early after.
- gps_week_rollover: max(1, round(V/40)) event boxes/trackers (firmware "(gnss 1.0.4)"), one
  of them British when possible, write stamps exactly 1024 weeks (619,315,200 s) early, in
  2007, for 1-2 local days (truth from/until UTC and row counts). In fr_pings.csv those 2007
  stamps are converted with 2007's Paris rules.
- duplicates: uk_pings.csv ~0.5% rows repeated on the next line plus a re-sent batch (~0.5%
  of the rows, one contiguous slice) appended at the end; fr_pings.csv ~1% rows repeated on
  the next line. Exact byte copies.
- re-registration: one UK commuter/park_ride car gets a new (private) plate on a Saturday
  11:00 local in the second half of the window: the old id's rows stop, the new id's rows go
  on from the same parking spot. vehicles.csv lists ONLY the new id (previous_registration =
  old id); labels.csv uses the OLD id; truth has both ids (reregistered_as / same_car_as).
- hostile ids: UK "O'Brien & Sons 4", "<script>alert('x')</script>", "VAN, SPARE 2"; FR
  "Boulangerie Hénin-Lefèvre" (a French baker's van when there is one), "Société d'Élagage 12",
  "GH-456-JK " (trailing space). All UK ids are plates with a space ("LK19 ABX"); French ones
  "AB-123-CD"; the new plate is like "O5 RAS".
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd

# --------------------------------------------------------------------------------------------
# clocks
# --------------------------------------------------------------------------------------------
DST_END = date(2026, 10, 25)
DST_END_UTC = int(datetime(2026, 10, 25, 1, tzinfo=timezone.utc).timestamp())  # both zones
ROLLOVER_S = 1024 * 7 * 86400  # GPS week-number rollover: 1024 weeks = 619,315,200 s
ZONE = {"UK": "Europe/London", "FR": "Europe/Paris"}
SUMMER = {"UK": 3600, "FR": 7200}  # offset before 25 Oct 2026 01:00 UTC; one hour less after
UK_HALF_TERM = (date(2026, 10, 26), date(2026, 10, 30))  # English schools, most councils
FR_TOUSSAINT = (date(2026, 10, 17), date(2026, 11, 1))  # French schools, all zones
FR_UNI_BREAK = (date(2026, 10, 24), date(2026, 11, 1))  # French universities' autumn break

KM_LAT = 111.32
ROAD, FERRY, TUNNEL = 0, 1, 2

# --------------------------------------------------------------------------------------------
# places (approximate, real towns, stations, ports and services)
# --------------------------------------------------------------------------------------------
BBOX = {  # lat_lo, lat_hi, lon_lo, lon_hi: where homes and free destinations are drawn
    "london": (51.33, 51.68, -0.50, 0.30),
    "paris": (48.72, 48.98, 2.10, 2.60),
    "lille": (50.55, 50.73, 2.95, 3.25),
    "dover": (51.03, 51.32, 0.95, 1.42),
    "calais": (50.70, 51.00, 1.60, 2.20),
}
OFFICES = {
    "london": [(51.5050, -0.0195), (51.5430, -0.0040), (51.5000, 0.0060), (51.5090, -0.4480),
               (51.3750, -0.0980), (51.4860, -0.3060), (51.4600, 0.2500), (51.5460, -0.4780),
               (51.6500, -0.0800), (51.5750, 0.1800), (51.5360, 0.0800), (51.4900, 0.0700),
               (51.4210, -0.2060), (51.3620, -0.1940), (51.4050, 0.0150), (51.5800, -0.3340),
               (51.4100, -0.3000), (51.5590, 0.0700)],
    "paris": [(48.8920, 2.2385), (48.8280, 2.2600), (48.9190, 2.3440), (48.7300, 2.2940),
              (48.9950, 2.5500), (48.7500, 2.3500), (48.7850, 2.1100), (48.7830, 2.1920),
              (48.8400, 2.5550), (48.8950, 2.2050), (48.8600, 2.4400), (48.7900, 2.4550)],
    "lille": [(50.6370, 3.0750), (50.6100, 3.1500), (50.6900, 3.1800), (50.5900, 3.1100),
              (50.6700, 3.0950), (50.7230, 3.1600), (50.6450, 2.9900)],
}
STATIONS = {  # car parks of commuter stations (park and ride)
    "london": [(51.3733, 0.0893), (51.2778, 0.1818), (51.4474, 0.2188), (51.6637, -0.3963),
               (51.3925, -0.3038), (51.3343, -0.2687), (51.5590, 0.2509), (51.6517, -0.1497),
               (51.6194, -0.3030), (51.4430, 0.3212), (51.3762, 0.0105), (51.6937, 0.1140),
               (51.3375, -0.1140), (51.5715, -0.4210), (51.3580, -0.3000), (51.6030, 0.0930)],
    "paris": [(48.7250, 2.2580), (48.8400, 2.5510), (49.0370, 2.0790), (48.8980, 2.0940),
              (48.6890, 2.3830), (48.8400, 2.6500), (48.7950, 2.1350), (48.9380, 2.4950),
              (48.8380, 2.5230), (48.9380, 2.1600)],
    "lille": [(50.6090, 3.1400), (50.6130, 3.0350), (50.6390, 2.9830), (50.7230, 3.1610),
              (50.6030, 3.0900)],
}
CITY_OFFICES = {  # where park-and-ride commuters really work (the car is never there)
    "london": [(51.5155, -0.0922), (51.4995, -0.1248), (51.5308, -0.1238), (51.5174, -0.1201),
               (51.5178, -0.0823), (51.4965, -0.1447), (51.5050, -0.0860)],
    "paris": [(48.8710, 2.3320), (48.8443, 2.3743), (48.8420, 2.3210), (48.8380, 2.3820),
              (48.8580, 2.3470)],
    "lille": [(50.6370, 3.0630), (50.6330, 3.0200), (50.6250, 3.0700)],
}
UK_BAKERIES = [(51.5280, -0.2660), (51.5500, -0.2900), (51.5880, -0.0600), (51.5150, 0.0650),
               (51.4800, 0.1800), (51.3700, -0.1200), (51.5030, -0.4200), (51.5830, -0.0200),
               (51.4780, -0.0260), (51.4970, -0.0700), (51.6600, -0.0280), (51.5400, 0.1400)]
UNIVERSITIES = {
    "london": [(51.4030, -0.3030), (51.5330, -0.4730), (51.4830, -0.0060), (51.5240, -0.0400),
               (51.5890, -0.2290), (51.4570, -0.2420), (51.5080, 0.0650)],
    "paris": [(48.7110, 2.1710), (48.9030, 2.2110), (48.7890, 2.4500), (48.9570, 2.3410)],
    "lille": [(50.6100, 3.1420), (50.6300, 3.1270), (50.6190, 3.0690)],
}
PARENT_TOWNS = {
    "UK": [(51.752, -1.258), (52.205, 0.119), (50.823, -0.137), (50.910, -1.404),
           (52.240, -0.902), (52.057, 1.148), (51.280, 1.080), (52.136, -0.467),
           (51.558, -1.782), (52.573, -0.242), (51.063, -1.308), (51.895, 0.891),
           (50.855, 0.573), (51.401, -1.323), (50.768, 0.290), (50.805, -1.087)],
    "FR": [(49.443, 1.099), (47.903, 1.909), (49.258, 4.032), (49.894, 2.296), (48.447, 1.489),
           (49.430, 2.081), (48.297, 4.074), (49.024, 1.151), (50.726, 1.614), (50.951, 1.858),
           (49.847, 3.287), (50.850, 4.350), (50.467, 4.867), (50.105, 1.835), (49.564, 3.620),
           (50.408, 1.592), (49.762, 4.726)],
}
SEASIDE = {"UK": [(50.823, -0.137), (50.768, 0.290), (51.360, 1.025), (51.389, 1.381), (50.950, 0.733),
                  (52.327, 1.680), (50.855, 0.573)],
           "FR": [(49.360, 0.075), (50.520, 1.590), (50.770, 1.610), (49.490, 0.107), (50.237, 1.610)]}
# ports and the tunnel: staff car parks (port shift work) and the lanes where vehicles queue
DOVER_STAFF = (51.1262, 1.3262)
CALAIS_STAFF = (50.9688, 1.8622)
DOVER_CHECKIN, DOVER_EXIT = (51.1275, 1.3330), (51.1250, 1.3205)
CALAIS_CHECKIN, CALAIS_EXIT = (50.9640, 1.8760), (50.9595, 1.8690)
FOLKESTONE_TERMINAL, COQUELLES_TERMINAL = (51.0950, 1.1370), (50.9260, 1.8160)
PORT_TOWNS = {  # (lat, lon, inland bearing lo, hi): a port worker's home, away from the sea
    "UK": [(51.1290, 1.3000, 250, 330), (51.0810, 1.1690, 320, 400), (51.2230, 1.3900, 230, 300),
           (51.2800, 1.0800, 0, 360), (51.1600, 1.2900, 0, 360), (51.2720, 1.3390, 230, 300),
           (51.0710, 1.0840, 330, 390)],
    "FR": [(50.9510, 1.8580, 140, 220), (50.9300, 1.7990, 0, 360), (50.9480, 1.9480, 150, 210),
           (50.9870, 2.1280, 150, 210), (50.8700, 1.8710, 0, 360), (50.8550, 1.9790, 0, 360),
           (50.7260, 1.6300, 60, 120), (50.9450, 1.7560, 140, 200)],
}
DEPOTS = {
    "UK": [(51.4500, 0.2300), (51.4830, 0.3300), (51.1500, 0.8900), (51.4830, 0.2400),
           (51.6500, -0.0400), (51.4850, 0.1900), (51.5300, -0.2700), (51.5300, 0.1500)],
    "FR": [(50.5900, 3.1100), (50.4300, 2.9800), (50.2900, 2.7800), (50.5500, 3.0300),
           (48.9600, 2.5200)],
}
CUSTOMERS = {  # where a lorry of that country delivers: across the channel
    "UK": [(50.590, 3.110), (48.755, 2.355), (48.935, 2.305), (48.990, 2.520), (49.420, 1.060),
           (49.870, 2.320), (49.230, 4.050), (50.870, 4.390), (51.070, 3.730), (51.260, 4.380),
           (50.300, 2.770), (50.360, 3.500), (47.950, 1.870), (49.410, 2.850)],
    "FR": [(51.528, -0.266), (51.660, -0.030), (51.483, 0.330), (51.450, 0.230), (51.440, -0.960),
           (52.040, -0.760), (52.230, -0.900), (52.330, -1.170), (52.480, -1.890), (52.410, -1.510),
           (50.910, -1.430), (51.580, 0.470), (51.120, -0.190), (51.470, -0.450)],
}
TRUCK_STOPS = {  # where that country's lorries sleep abroad
    "UK": [(50.250, 2.870), (49.880, 2.840), (49.060, 2.570), (50.160, 1.760), (50.950, 1.950),
           (51.180, 3.080), (49.220, 4.100), (49.550, 2.730), (50.580, 2.430), (50.380, 3.460)],
    "FR": [(51.137, 0.913), (51.095, 1.071), (51.480, 0.277), (51.687, -0.223), (51.942, -0.532),
           (52.306, -1.123), (51.278, 0.040), (51.323, -0.437), (52.085, -0.735), (52.214, -0.938)],
}

KIND_SHARES = {"commuter": 0.17, "park_ride": 0.11, "baker": 0.08, "port_shift": 0.10,
               "lorry": 0.12, "school_run": 0.12, "student": 0.09, "car_club": 0.08, "retiree": 0.13}
SCHEDULE = {"commuter": "day", "park_ride": "day", "baker": "night", "port_shift": "rotating",
            "lorry": "away", "school_run": "day", "student": "none", "car_club": "none",
            "retiree": "none"}
DEVICE_SHARES = {"UK": {"event_box": 0.40, "obd_1hz": 0.25, "phone_app": 0.35},
                 "FR": {"tracker_3dp": 0.35, "phone_app": 0.30, "event_box": 0.20, "obd_1hz": 0.15}}
FIRMWARE = {"event_box": "EVB-4.1.2", "obd_1hz": "OBD-LINK 2.7", "phone_app": "DriveSafe 5.3",
            "tracker_3dp": "TRK-3D 1.9"}
MOVING_SIGMA = {"event_box": 4.0, "obd_1hz": 3.0, "phone_app": 8.0, "tracker_3dp": 5.0}
PARKED_EVERY = {"obd_1hz": 21600, "tracker_3dp": 1800}  # heartbeat while parked, seconds
PARKED_SIGMA = {"obd_1hz": 4.0, "tracker_3dp": 12.0}
HOSTILE = {"UK": ["O'Brien & Sons 4", "<script>alert('x')</script>", "VAN, SPARE 2"],
           "FR": ["Boulangerie Hénin-Lefèvre", "Société d'Élagage 12", "GH-456-JK "]}
COMPANY = {"UK": "Albion Telematics Ltd", "FR": "Télématique du Nord SAS"}
FILE = {"UK": "uk_pings.csv", "FR": "fr_pings.csv"}
MODELS = {("UK", "car"): ["Ford Focus", "Vauxhall Corsa", "VW Golf", "Toyota Yaris", "Nissan Qashqai"],
          ("UK", "van"): ["Ford Transit", "VW Transporter", "Mercedes Sprinter"],
          ("FR", "car"): ["Renault Clio", "Peugeot 208", "Citroën C3", "Dacia Sandero", "Peugeot 3008"],
          ("FR", "van"): ["Renault Trafic", "Citroën Jumpy", "Peugeot Boxer", "Mercedes Sprinter"]}


@dataclass(frozen=True)
class Place:
    lat: float
    lon: float
    spread: float  # metres: how far from the centre the car is parked on a given visit
    tag: str


def hav_km(lat0, lon0, lat1, lon1):
    p0, p1 = np.radians(lat0), np.radians(lat1)
    a = np.sin((p1 - p0) / 2) ** 2 + np.cos(p0) * np.cos(p1) * np.sin(np.radians(lon1 - lon0) / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(a))


def offset(lat, lon, km, bearing_deg):
    b = math.radians(bearing_deg)
    return (lat + km * math.cos(b) / KM_LAT,
            lon + km * math.sin(b) / (KM_LAT * math.cos(math.radians(lat))))


def near(rng, lat, lon, lo_km, hi_km, bbox=None, bearing=(0, 360)):
    """A point lo..hi km from (lat, lon), inside bbox when one is given (20 tries)."""
    for _ in range(20):
        p = offset(lat, lon, rng.uniform(lo_km, hi_km), rng.uniform(*bearing))
        if bbox is None or (bbox[0] <= p[0] <= bbox[1] and bbox[2] <= p[1] <= bbox[3]):
            return p
    return p


def uk_side(lat, lon) -> bool:
    return lon < 1.45 and lat > 50.7


def quota(n: int, shares: dict, rng) -> list:
    """n names in the given shares (largest remainder; each at least once when n allows), shuffled."""
    names = list(shares)
    w = np.array([shares[k] for k in names], float)
    raw = w / w.sum() * n
    c = np.floor(raw).astype(int)
    if n >= len(names):
        c = np.maximum(c, 1)
    while c.sum() > n:
        c[int(np.argmax(np.where(c > 1, c - raw, -9)))] -= 1
    while c.sum() < n:
        c[int(np.argmax(raw - c))] += 1
    out = [k for k, m in zip(names, c) for _ in range(m)]
    rng.shuffle(out)
    return out


# --------------------------------------------------------------------------------------------
# the fleet's people and cars
# --------------------------------------------------------------------------------------------
@dataclass
class Ctx:
    start: date
    days: int
    seed: int
    t0: int  # window start, UTC epoch seconds (start date 00:00 UTC)
    t_end: int
    local0: int  # the start date's midnight, as naive seconds

    def date(self, d: int) -> date:
        return self.start + timedelta(days=d)

    def weekday(self, d: int) -> int:
        return (self.start.weekday() + d) % 7


@dataclass
class Vehicle:
    i: int
    country: str
    kind: str
    region: str
    device: str = ""
    vid: str = ""
    home: Place | None = None
    work: Place | None = None
    base: Place | None = None  # where the car sleeps on an ordinary night
    errands: list = field(default_factory=list)
    extra: dict = field(default_factory=dict)
    faults: list = field(default_factory=list)

    def errand(self, rng, around: list | None = None) -> Place:
        pool = around or self.errands
        w = 1.0 / np.arange(1, len(pool) + 1)
        return pool[int(rng.choice(len(pool), p=w / w.sum()))]


def window_start(days: int) -> date:
    """A Monday such that the window holds Sunday 25 October 2026 (the end of summer time)."""
    back = 13 if days >= 14 else 6 if days >= 7 else max(days - 1, 0)
    return DST_END - timedelta(days=back)


def _errands(rng, lat, lon, bbox, n=None):
    n = n or int(rng.integers(5, 9))
    return [Place(*near(rng, lat, lon, 0.6, 12.0, bbox), 50.0, "errand") for _ in range(n)]


def _pick(rng, pool):
    return pool[int(rng.integers(len(pool)))]


def _jit(rng, p, lo_km=0.05, hi_km=0.3):
    return offset(p[0], p[1], rng.uniform(lo_km, hi_km), rng.uniform(0, 360))


def make_vehicle(ctx: Ctx, v: Vehicle) -> None:
    """Places of one vehicle's life, by kind (its own random stream)."""
    rng = np.random.default_rng([ctx.seed, 1, v.i])
    k, c = v.kind, v.country
    if k == "port_shift":
        v.region = "dover" if c == "UK" else "calais"
    elif k == "lorry":
        v.region = "kent" if c == "UK" else "nord"
    elif c == "UK":
        v.region = "london"
    else:
        v.region = "paris" if rng.random() < 0.6 else "lille"
    bbox = BBOX.get(v.region)
    street = 60.0 if rng.random() < (0.4 if c == "UK" else 0.6) else 8.0  # street vs driveway
    home_at = None
    if k == "commuter":
        o = _jit(rng, _pick(rng, OFFICES[v.region]))
        v.work = Place(*o, 60.0, "office car park")
        home_at = near(rng, *o, 4, 25, bbox)
        v.extra.update(depart_h=float(rng.uniform(6.9, 8.7)), hours=float(rng.uniform(8.0, 9.6)),
                       wfh=sorted(int(x) for x in rng.choice(5, int(rng.choice([0, 1, 1, 2])),
                                                             replace=False)),
                       lunch=float(rng.choice([0.0, 0.0, 0.3, 0.6])))
        v.extra["lunch_place"] = Place(*near(rng, *o, 0.3, 1.5), 30.0, "lunch")
    elif k == "park_ride":
        s = _pick(rng, STATIONS[v.region])
        v.work = Place(*s, 110.0, "station car park")
        home_at = near(rng, *s, 2, 9, bbox)
        v.extra.update(depart_h=float(rng.uniform(6.3, 7.6)), hours=float(rng.uniform(10.3, 11.8)),
                       wfh=sorted(int(x) for x in rng.choice(5, int(rng.choice([0, 1, 2])),
                                                             replace=False)),
                       lunch=0.0, office=list(_jit(rng, _pick(rng, CITY_OFFICES[v.region]))))
    elif k == "baker":
        if c == "UK":  # an industrial bakery on an estate
            b = _jit(rng, _pick(rng, UK_BAKERIES), 0.05, 0.4)
            home_at = near(rng, *b, 3, 14, bbox)
            v.extra["days_off"] = [int(rng.choice([5, 6]))]
        else:  # an artisan bakery in town: the van stands in the street outside
            home_at = (rng.uniform(bbox[0], bbox[1]), rng.uniform(bbox[2], bbox[3]))
            b = near(rng, *home_at, 1, 8, bbox)
            v.extra["days_off"] = [int(rng.choice([0, 2]))]
        v.work = Place(*b, 30.0, "bakery")
        v.extra.update(start_h=float(rng.uniform(0.6, 1.4)), hours=float(rng.uniform(7.6, 8.4)))
    elif k == "port_shift":
        town = _pick(rng, PORT_TOWNS[c])
        home_at = near(rng, town[0], town[1], 0.2, 1.3, None, (town[2], town[3]))
        v.work = Place(*(DOVER_STAFF if c == "UK" else CALAIS_STAFF), 110.0, "port staff car park")
        v.extra["phase"] = int(rng.integers(16))
    elif k == "lorry":
        dp = _jit(rng, _pick(rng, DEPOTS[c]), 0.0, 0.2)
        v.work = Place(*dp, 80.0, "depot")
        home_at = near(rng, *dp, 3, 22)
        v.extra["ferry_share"] = float(rng.choice([0.2, 0.5, 0.8]))
        hq = near(rng, *dp, 15, 60)
        v.extra["head_office"] = list(hq)
        bbox = (home_at[0] - 0.2, home_at[0] + 0.2, home_at[1] - 0.3, home_at[1] + 0.3)
    elif k in ("school_run", "retiree"):
        home_at = (rng.uniform(bbox[0], bbox[1]), rng.uniform(bbox[2], bbox[3]))
        if k == "school_run":
            v.extra["school"] = list(near(rng, *home_at, 0.4, 2.5, bbox))
            if rng.random() < 0.45:
                v.work = Place(*near(rng, *home_at, 1, 8, bbox), 50.0, "part-time job")
                v.extra["job_days"] = sorted(int(x) for x in rng.choice(5, 3, replace=False))
        else:
            v.extra["golf"] = [Place(*near(rng, *home_at, 3, 15, bbox), 80.0, "golf club"),
                               sorted(int(x) for x in rng.choice(6, 2, replace=False))] \
                if rng.random() < 0.5 else None
            v.extra["church"] = Place(*near(rng, *home_at, 0.5, 3), 40.0, "church") \
                if rng.random() < 0.5 else None
            v.extra["grandchildren"] = [Place(*near(rng, *home_at, 20, 60), 20.0, "family"),
                                        int(rng.integers(7))]
    elif k == "student":
        u = _pick(rng, UNIVERSITIES[v.region])
        home_at = near(rng, *u, 0.4, 3.0, bbox)  # the flat
        towns = [t for t in PARENT_TOWNS[c] if 80 <= hav_km(*home_at, *t) <= 150]
        town = _pick(rng, towns) if towns else min(
            PARENT_TOWNS[c], key=lambda t: abs(hav_km(*home_at, *t) - 115))
        par = near(rng, *town, 0.5, 3.0)
        v.extra["parents"] = Place(*par, 8.0, "parents' house")
        v.extra["parent_errands"] = _errands(rng, *par, None, 3)
        v.extra["weekends_home"] = float(rng.uniform(0.6, 0.95))
        v.extra["university"] = list(u)
    elif k == "car_club":
        lat_c = (bbox[0] + bbox[1]) / 2
        lon_c = (bbox[2] + bbox[3]) / 2
        bay = near(rng, lat_c, lon_c, 0.5, 9, bbox)
        v.extra["bay"] = Place(*bay, 10.0, "car-club bay")
        v.extra["floating"] = bool(rng.random() < 0.3)
        v.base = v.extra["bay"]
        v.errands = _errands(rng, *bay, bbox, 8)
        return
    v.home = Place(*home_at, street, "home")
    v.base = v.home
    v.errands = _errands(rng, *home_at, bbox if k != "lorry" else None)
    if k == "lorry":
        v.extra["away"] = "FR" if c == "UK" else "UK"


# --------------------------------------------------------------------------------------------
# plans: stays and trips on the wall clock of the vehicle's country, kept in UTC seconds
# --------------------------------------------------------------------------------------------
def cruise_kmh(road_km: float, heavy: bool) -> float:
    v = 22 if road_km < 5 else 32 if road_km < 15 else 48 if road_km < 40 else 72 if road_km < 100 else 92
    return min(v, 80) * 0.93 if heavy else v


class Plan:
    def __init__(self, ctx: Ctx, v: Vehicle):
        self.ctx, self.v = ctx, v
        self.rng = np.random.default_rng([ctx.seed, 2, v.i])
        self.heavy = v.kind == "lorry"
        self.stays: list = []  # (lat, lon, arrive, depart, tag)
        self.trips: list = []  # (t0, t1, lat0, lon0, lat1, lon1, mode, road_km, bend)
        self.here = [*self.spot(v.base), ctx.t0 - 86400, v.base.tag]
        self.done = False

    @property
    def t(self) -> int:
        return self.here[2]

    @property
    def tag(self) -> str:
        return self.here[3]

    def spot(self, p) -> tuple:
        if not isinstance(p, Place):
            return float(p[0]), float(p[1])
        r = p.spread * math.sqrt(self.rng.random())
        return offset(p.lat, p.lon, r / 1000.0, self.rng.uniform(0, 360))

    def at(self, day: int, hours: float) -> int:
        """UTC seconds of a wall-clock time; in the repeated hour, the first (summer) one."""
        u = self.ctx.local0 + day * 86400 + hours * 3600 - SUMMER[self.v.country]
        return int(round(u + 3600 if u >= DST_END_UTC else u))

    def est(self, p: Place) -> int:
        """A driver's guess of the drive from home to p, in seconds."""
        road = hav_km(self.v.base.lat, self.v.base.lon, p.lat, p.lon) * 1.3 + 0.2
        return int(road / cruise_kmh(road, self.heavy) * 3600 + 130)

    def _leg(self, lat1, lon1, tag, depart, mode=ROAD, dur=None) -> int:
        lat0, lon0, arr0, tag0 = self.here
        self.stays.append((lat0, lon0, arr0, depart, tag0))
        d = float(hav_km(lat0, lon0, lat1, lon1))
        road = d
        if mode == ROAD:
            road = d * (1.22 + 0.15 * self.rng.random()) + 0.2
            dur = int(road / cruise_kmh(road, self.heavy) * 3600 + self.rng.uniform(60, 200))
        bend = float(np.clip(self.rng.normal(0, 0.1), -0.25, 0.25)) if mode == ROAD else 0.03
        self.trips.append((depart, depart + dur, lat0, lon0, lat1, lon1, mode, road, bend))
        self.here = [lat1, lon1, depart + dur, tag]
        return depart + dur

    def go(self, p: Place, depart) -> int:
        """Drive to p leaving at `depart` (or 3 min after arriving here), crossing the channel
        by ferry or tunnel when p is on the other side; the arrival time."""
        if self.done:
            return int(depart)
        depart = max(int(depart), self.t + 180)
        if depart >= self.ctx.t_end:
            self.done = True
            return depart
        rng = self.rng
        lat0, lon0 = self.here[:2]
        if uk_side(lat0, lon0) != uk_side(p.lat, p.lon):
            ferry = rng.random() < self.v.extra.get("ferry_share", 0.5)
            if uk_side(lat0, lon0):
                a, b = (DOVER_CHECKIN, CALAIS_EXIT) if ferry else (FOLKESTONE_TERMINAL, COQUELLES_TERMINAL)
            else:
                a, b = (CALAIS_CHECKIN, DOVER_EXIT) if ferry else (COQUELLES_TERMINAL, FOLKESTONE_TERMINAL)
            la, lo = offset(*a, rng.uniform(0, 0.12), rng.uniform(0, 360))
            arr = self._leg(la, lo, "ferry lanes" if ferry else "tunnel terminal", depart)
            wait = rng.uniform(40, 110) * 60 if ferry else rng.uniform(25, 70) * 60
            dur = int(rng.uniform(85, 105) * 60) if ferry else int(rng.uniform(33, 40) * 60)
            la, lo = offset(*b, rng.uniform(0, 0.08), rng.uniform(0, 360))
            arr = self._leg(la, lo, "ferry exit" if ferry else "tunnel exit", int(arr + wait),
                            FERRY if ferry else TUNNEL, dur)
            depart = arr + int(rng.uniform(2, 6) * 60)
        return self._leg(*self.spot(p), p.tag, depart)

    def close(self) -> None:
        lat, lon, arr, tag = self.here
        self.stays.append((lat, lon, arr, self.ctx.t_end + 86400, tag))


def free_day(p: Plan, d: int, start_h=9.0, end_h=18.5, most=3, base=None, around=None) -> None:
    """Errands from base (home) and back: shops, friends, the gym, the park."""
    rng, v = p.rng, p.v
    base = base or v.base
    n = min(most, int(rng.choice([0, 1, 1, 2, 2, 3])))
    t = p.at(d, start_h + rng.uniform(0, 2.5))
    for _ in range(n):
        if t > p.at(d, end_h):
            break
        arr = p.go(v.errand(rng, around), t)
        t = arr + rng.uniform(15, 100) * 60
        if rng.random() < 0.55:
            arr = p.go(base, t)
            t = arr + rng.uniform(30, 180) * 60
    if p.tag != base.tag:
        p.go(base, t)


def plan_commuter(p: Plan) -> None:
    v, rng = p.v, p.rng
    for d in range(p.ctx.days):
        wd = p.ctx.weekday(d)
        if wd >= 5 or wd in v.extra["wfh"] or rng.random() < 0.05:
            free_day(p, d, most=3 if wd >= 5 else 1)
            continue
        arr = p.go(v.work, p.at(d, v.extra["depart_h"] + rng.normal(0, 0.2)))
        if rng.random() < v.extra["lunch"]:
            a2 = p.go(v.extra["lunch_place"], p.at(d, 12.4 + rng.normal(0, 0.2)))
            p.go(v.work, a2 + rng.uniform(20, 45) * 60)
        leave = arr + (v.extra["hours"] + rng.normal(0, 0.3)) * 3600
        if rng.random() < 0.25:
            a = p.go(v.errand(rng), leave)
            p.go(v.home, a + rng.uniform(15, 60) * 60)
        else:
            p.go(v.home, leave)
        if rng.random() < 0.15:
            a = p.go(v.errand(rng), p.at(d, 19.5 + rng.uniform(0, 1)))
            p.go(v.home, a + rng.uniform(45, 150) * 60)


def plan_baker(p: Plan) -> None:
    v, rng = p.v, p.rng
    tt = p.est(v.work)
    for d in range(p.ctx.days):
        if p.ctx.weekday(d) in v.extra["days_off"]:
            free_day(p, d, start_h=10.5)
            continue
        arr = p.go(v.work, p.at(d, v.extra["start_h"] + rng.normal(0, 0.08)) - tt - 300)
        p.go(v.home, arr + (v.extra["hours"] + rng.normal(0, 0.25)) * 3600)
        if rng.random() < 0.4:
            free_day(p, d, start_h=14.5, end_h=17.5, most=1)


def plan_port(p: Plan) -> None:
    """4 days 06:00-18:00, 4 off, 4 nights 18:00-06:00, 4 off: a 16-day cycle."""
    v, rng = p.v, p.rng
    tt = p.est(v.work)
    for d in range(p.ctx.days):
        pos = (d + v.extra["phase"]) % 16
        if pos < 4:
            p.go(v.work, p.at(d, 5.7 + rng.normal(0, 0.05)) - tt)
            p.go(v.home, p.at(d, 18.1 + rng.uniform(0, 0.3)))
        elif 8 <= pos < 12:
            if rng.random() < 0.3:
                free_day(p, d, start_h=13.0, end_h=15.0, most=1)
            p.go(v.work, p.at(d, 17.7 + rng.normal(0, 0.05)) - tt)
            p.go(v.home, p.at(d + 1, 6.1 + rng.uniform(0, 0.3)))
        else:
            free_day(p, d, start_h=13.0 if pos == 12 else 9.0)


def _next_customer(p: Plan, pool: list) -> Place:
    """A customer 15-220 km on (the nearest when none is), somewhere on its estate."""
    lat, lon = p.here[:2]
    dist = [float(hav_km(lat, lon, *c)) for c in pool]
    ok = [c for c, d in zip(pool, dist) if 15 <= d <= 220] or [pool[int(np.argmin(dist))]]
    c = ok[int(p.rng.integers(len(ok)))]
    return Place(*_jit(p.rng, c, 0.2, 3.0), 60.0, "customer")


def _night_stop(p: Plan, side: str) -> Place:
    lat, lon = p.here[:2]
    if p.rng.random() < 0.3:  # a lay-by somewhere along the road
        la, lo = near(p.rng, lat, lon, 2, 15)
        if uk_side(la, lo) == uk_side(lat, lon):
            return Place(la, lo, 30.0, "lay-by")
    near3 = sorted(TRUCK_STOPS[side], key=lambda c: float(hav_km(lat, lon, *c)))[:3]
    return Place(*near3[int(p.rng.integers(len(near3)))], 100.0, "truck stop")


def plan_lorry(p: Plan) -> None:
    """Tours Monday (or Sunday evening) to Friday across the channel; the depot at both ends."""
    v, rng, ctx = p.v, p.rng, p.ctx
    away = v.country  # CUSTOMERS / TRUCK_STOPS are keyed by the lorry's own country
    weeks = {}
    for d in range(ctx.days):
        if ctx.weekday(d) == 0:
            weeks[d] = ("off" if rng.random() < 0.1 else
                        "sunday" if (rng.random() < 0.3 and d > 0) else "monday")
    for d in range(ctx.days):
        wd = ctx.weekday(d)
        monday = d - wd
        week = weeks.get(monday, "off")
        nxt = weeks.get(monday + 7, "off")
        if wd == 0 and week != "off":
            if week == "monday":
                t = p.at(d, 4.4 + rng.uniform(0, 1.5))
            else:
                t = p.at(d - 1, 19.5 + rng.uniform(0, 1.5))
            arr = p.go(v.work, t)
            t = arr + rng.uniform(45, 120) * 60
            first = True
            for day in range(d, d + 5):
                if not first:
                    t = p.at(day, 5.0 + rng.uniform(0, 1.8))
                if day == d + 4:  # home via the depot
                    if rng.random() < 0.5:
                        arr = p.go(_next_customer(p, CUSTOMERS[away]), t)
                        t = arr + rng.uniform(30, 80) * 60
                    arr = p.go(v.work, t)
                    p.go(v.home, arr + rng.uniform(40, 90) * 60)
                    break
                stop = p.at(day, rng.uniform(15.5, 19.0))  # the day's driving ends about then
                for _ in range(6):
                    if max(t, p.t) > stop:
                        break
                    arr = p.go(_next_customer(p, CUSTOMERS[away]), t)
                    t = arr + rng.uniform(30, 100) * 60
                p.go(_night_stop(p, away), t)
                first = False
        elif wd in (5, 6) or week == "off":
            free_day(p, d, end_h=16.0 if (wd == 6 and nxt == "sunday") else 18.5, most=2)


def _school_day(ctx: Ctx, v: Vehicle, d: int) -> bool:
    wd, day = ctx.weekday(d), ctx.date(d)
    if wd >= 5:
        return False
    if v.country == "UK":
        return not (UK_HALF_TERM[0] <= day <= UK_HALF_TERM[1])
    return wd != 2 and not (FR_TOUSSAINT[0] <= day <= FR_TOUSSAINT[1])


def plan_school_run(p: Plan) -> None:
    v, rng, ctx = p.v, p.rng, p.ctx
    school = Place(*v.extra["school"], 80.0, "school")
    drop, pick = (8.35, 15.1) if v.country == "UK" else (8.2, 16.3)
    for d in range(ctx.days):
        wd = ctx.weekday(d)
        job = v.work is not None and wd in v.extra["job_days"]
        if _school_day(ctx, v, d):
            arr = p.go(school, p.at(d, drop - 0.15 + rng.normal(0, 0.05)))
            t = arr + rng.uniform(4, 12) * 60
            if job:
                p.go(v.work, t)
                p.go(v.home, p.at(d, 13.1 + rng.uniform(0, 0.3)))
            elif rng.random() < 0.3:
                a = p.go(v.errand(rng), t)
                p.go(v.home, a + rng.uniform(20, 60) * 60)
            else:
                p.go(v.home, t)
            arr = p.go(school, p.at(d, pick - 0.2 + rng.normal(0, 0.05)))
            p.go(v.home, arr + rng.uniform(10, 25) * 60)
            if rng.random() < 0.25:
                a = p.go(v.errand(rng), p.at(d, 17.0))
                p.go(v.home, a + rng.uniform(50, 70) * 60)
        elif job:
            p.go(v.work, p.at(d, 8.7 + rng.normal(0, 0.1)))
            p.go(v.home, p.at(d, 13.1 + rng.uniform(0, 0.3)))
            free_day(p, d, start_h=14.0, end_h=17.0, most=1)
        else:
            free_day(p, d)


def _student_nights(ctx: Ctx, v: Vehicle, rng) -> list:
    """Where the car sleeps after each day: 'flat' or 'parents'."""
    night = ["flat"] * ctx.days
    for d in range(ctx.days):
        if ctx.weekday(d) == 4 and rng.random() < v.extra["weekends_home"]:
            late = rng.random() < 0.2  # back on Monday at dawn
            for k in range(3 if late else 2):
                if d + k < ctx.days:
                    night[d + k] = "parents"
    if v.country == "FR":
        for d in range(ctx.days):
            if FR_UNI_BREAK[0] - timedelta(days=1) <= ctx.date(d) < FR_UNI_BREAK[1]:
                night[d] = "parents"
    return night


def plan_student(p: Plan) -> None:
    v, rng, ctx = p.v, p.rng, p.ctx
    nights = _student_nights(ctx, v, rng)
    v.extra["nights_at_parents"] = [ctx.date(d).isoformat() for d in range(ctx.days)
                                    if nights[d] == "parents"]
    par, flat = v.extra["parents"], v.home
    prev = "flat"
    for d in range(ctx.days):
        wd = ctx.weekday(d)
        now = nights[d]
        if now == prev:
            if now == "flat":
                free_day(p, d, start_h=11.0, end_h=21.0, most=2)
            else:
                free_day(p, d, start_h=10.0, most=2, base=par, around=v.extra["parent_errands"])
        elif now == "parents":
            if rng.random() < 0.4:
                free_day(p, d, start_h=10.0, end_h=13.0, most=1)
            p.go(par, p.at(d, (16.0 if wd == 4 else 11.0) + rng.uniform(0, 3)))
        elif wd == 0:  # Monday at dawn, straight back to the flat
            p.go(flat, p.at(d, 6.0 + rng.uniform(0, 1.2)))
            free_day(p, d, start_h=15.0, end_h=20.0, most=1)
        else:
            if rng.random() < 0.3:
                free_day(p, d, start_h=10.0, end_h=12.0, most=1, base=par,
                         around=v.extra["parent_errands"])
            p.go(flat, p.at(d, 16.0 + rng.uniform(0, 4)))
        prev = now


BOOKING_HOURS = np.array([0.5, 1.5, 7.5, 8.5, 9.5, 10.5, 11.5, 12.5, 13.5, 14.5, 15.5, 16.5, 17.5,
                          18.5, 19.5, 20.5, 21.5, 22.5, 23.5])
BOOKING_W = np.array([1, 0.5, 3, 6, 8, 9, 9, 8, 8, 8, 8, 8, 9, 9, 7, 5, 3, 2, 1.5])


def plan_car_club(p: Plan) -> None:
    """Bookings by many drivers: round trips from the bay, or (floating) left where they end."""
    v, rng, ctx = p.v, p.rng, p.ctx
    bay = v.extra["bay"]
    bbox = BBOX[v.region]
    for d in range(ctx.days):
        n = int(rng.choice([0, 1, 1, 2, 2, 2, 3]))
        hours = np.sort(rng.choice(BOOKING_HOURS, n, p=BOOKING_W / BOOKING_W.sum()))
        for h in hours:
            t = p.at(d, h + rng.uniform(-0.5, 0.5))
            if t < p.t + 1800:
                continue
            lat, lon = p.here[:2]
            dest = Place(*near(rng, lat, lon, 1.5, 18, bbox), 40.0, "booking stop")
            arr = p.go(dest, t)
            overnight = rng.random() < 0.06
            t = arr + (rng.uniform(10, 16) if overnight else rng.uniform(0.3, 5)) * 3600
            if rng.random() < 0.3:
                arr = p.go(Place(*near(rng, dest.lat, dest.lon, 1, 8, bbox), 40.0, "booking stop"), t)
                t = arr + rng.uniform(0.3, 2) * 3600
            if not v.extra["floating"] or rng.random() < 0.15:  # floating cars: sometimes rebalanced
                p.go(bay, t)
            if overnight:
                break


def plan_retiree(p: Plan) -> None:
    v, rng, ctx = p.v, p.rng, p.ctx
    golf, church, gk = v.extra["golf"], v.extra["church"], v.extra["grandchildren"]
    away_until = -1
    for d in range(ctx.days):
        wd = ctx.weekday(d)
        if d <= away_until:
            continue
        if wd == 5 and rng.random() < 0.1 and d + 2 < ctx.days:  # a weekend at the seaside
            inn = Place(*_jit(rng, _pick(rng, SEASIDE[v.country]), 0.2, 2.0), 40.0, "seaside hotel")
            p.go(inn, p.at(d, 10 + rng.uniform(0, 2)))
            p.go(v.home, p.at(d + 2, 11 + rng.uniform(0, 3)))
            away_until = d + 1
            continue
        if golf and wd in golf[1]:
            a = p.go(golf[0], p.at(d, 8.6 + rng.uniform(0, 0.5)))
            p.go(v.home, a + rng.uniform(3.5, 5) * 3600)
            free_day(p, d, start_h=15.0, end_h=16.5, most=1)
        elif church and wd == 6:
            a = p.go(church, p.at(d, 9.6 + rng.normal(0, 0.05)))
            p.go(v.home, a + rng.uniform(80, 110) * 60)
        elif wd == gk[1]:
            a = p.go(gk[0], p.at(d, 13.5 + rng.uniform(0, 1)))
            p.go(v.home, a + rng.uniform(3, 5) * 3600)
        else:
            free_day(p, d, start_h=9.5, end_h=16.0, most=2)


PLANNERS = {"commuter": plan_commuter, "park_ride": plan_commuter, "baker": plan_baker,
            "port_shift": plan_port, "lorry": plan_lorry, "school_run": plan_school_run,
            "student": plan_student, "car_club": plan_car_club, "retiree": plan_retiree}


# --------------------------------------------------------------------------------------------
# pings from trips and stays, vectorised
# --------------------------------------------------------------------------------------------
def expand(counts):
    counts = np.asarray(counts, dtype=np.int64)
    grp = np.repeat(np.arange(len(counts)), counts)
    k = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    return grp, k


def _F(u, e):  # the distance profile: gentle start and stop over ~45 s
    return u + e * (np.exp(-u / e) - 1) - e * (np.exp(-(1 - u) / e) - np.exp(-1 / e)) + u * np.exp(-1 / e)


def _f(u, e):
    return (1 - np.exp(-u / e)) * (1 - np.exp(-(1 - u) / e))


def _route(tr, ti, u):
    """Position and speed (km/h) at time fraction u of trip ti: a bent (quadratic Bezier) road."""
    e, F1 = tr["eps"][ti], tr["F1"][ti]
    s = _F(u, e) / F1
    la0, lo0, la1, lo1, c = (tr[k][ti] for k in ("lat0", "lon0", "lat1", "lon1", "bend"))
    cl = np.cos(np.radians((la0 + la1) / 2))
    x0, x1 = lo0 * cl, lo1 * cl
    cx, cy = (x0 + x1) / 2 - c * (la1 - la0), (la0 + la1) / 2 + c * (x1 - x0)
    a, b, q = (1 - s) ** 2, 2 * (1 - s) * s, s ** 2
    lat = a * la0 + b * cy + q * la1
    lon = (a * x0 + b * cx + q * x1) / cl
    kmh = _f(u, e) / F1 * tr["road"][ti] / (tr["dur"][ti] / 3600.0)
    return lat, lon, kmh


def _u_at_share(tr, ti, s):
    """Time fraction at which trip ti has covered share s of its road (Newton on the profile)."""
    e, F1 = tr["eps"][ti], tr["F1"][ti]
    u = s.copy()
    for _ in range(10):
        g = _F(u, e) / F1 - s
        u = np.clip(u - g / np.maximum(_f(u, e) / F1, 0.05), 0.0, 1.0)
    return u


def make_pings(ctx: Ctx, fleet: list, trips: dict, stays: dict) -> dict:
    rng = np.random.default_rng([ctx.seed, 3])
    dev = np.array([v.device for v in fleet])
    tdev, sdev = dev[trips["v"]], dev[stays["v"]]
    parts = []

    def add(ti, t, lat, lon, kmh, fix, on_trip=True):
        vv = (trips if on_trip else stays)["v"][ti]
        parts.append((vv, np.asarray(t, np.int64), lat, lon, np.maximum(kmh, 0.0), np.full(len(ti), fix)))

    road, ferry = trips["mode"] == ROAD, trips["mode"] == FERRY
    # OBD dongle: 1 Hz from ignition on to ignition off
    idx = np.flatnonzero((tdev == "obd_1hz") & road)
    ti, k = expand(trips["dur"][idx] + 1)
    ti = idx[ti]
    u = k / trips["dur"][ti]
    lat, lon, kmh = _route(trips, ti, u)
    add(ti, trips["t0"][ti] + k, lat, lon, kmh * (1 + rng.normal(0, 0.03, len(ti))), 0)
    # event box: ignition on, every ~1 km of road, ignition off; nothing parked
    idx = np.flatnonzero((tdev == "event_box") & road)
    n_km = np.maximum(np.floor(trips["road"][idx] - 0.3), 0).astype(np.int64)
    ti, k = expand(n_km + 2)
    last = k == n_km[ti] + 1
    ti = idx[ti]
    s = np.clip((k + rng.uniform(-0.06, 0.06, len(ti))) / trips["road"][ti], 0, 1)
    u = np.where(k == 0, 0.0, np.where(last, 1.0, _u_at_share(trips, ti, s)))
    lat, lon, kmh = _route(trips, ti, u)
    kmh = np.where((k == 0) | last, 0.0, kmh * (1 + rng.normal(0, 0.04, len(ti))))
    add(ti, trips["t0"][ti] + np.round(u * trips["dur"][ti]), lat, lon, kmh, 1)
    # phone app, paired with the car: starts 15-120 s after ignition, fixes 5-60 s apart,
    # one fix at the parking spot after the engine stops
    idx = np.flatnonzero((tdev == "phone_app") & road)
    delay = rng.uniform(15, 120, len(idx))
    ti, k = expand(np.ceil(trips["dur"][idx] / 20.0).astype(np.int64) + 2)
    gaps = rng.uniform(5, 60, len(ti))
    gaps[k == 0] = delay
    cs = np.cumsum(gaps)
    first = np.flatnonzero(k == 0)
    offs = cs - np.repeat(cs[first] - gaps[first], np.diff(np.append(first, len(cs))))
    ti = idx[ti]
    keep = offs < trips["dur"][ti]
    ti, offs = ti[keep], np.round(offs[keep])
    u = offs / trips["dur"][ti]
    lat, lon, kmh = _route(trips, ti, u)
    add(ti, trips["t0"][ti] + offs, lat, lon, kmh * (1 + rng.normal(0, 0.05, len(ti))), 0)
    add(idx, trips["t1"][idx] + rng.uniform(3, 40, len(idx)).round(), trips["lat1"][idx],
        trips["lon1"][idx], np.zeros(len(idx)), 1)
    # cheap tracker: every 30 s on the road (from ignition on), ignition off; every 30 min on a
    # ferry deck; every 30 min parked (below)
    for mask, every, fix in (((tdev == "tracker_3dp") & road, 30, 0), ((tdev == "tracker_3dp") & ferry,
                                                                       1800, 2)):
        idx = np.flatnonzero(mask)
        ti, k = expand(trips["dur"][idx] // every + 1)
        ti = idx[ti]
        off = k * every
        keep = off < trips["dur"][ti]
        ti, off = ti[keep], off[keep]
        lat, lon, kmh = _route(trips, ti, off / trips["dur"][ti])
        add(ti, trips["t0"][ti] + off, lat, lon, kmh * (1 + rng.normal(0, 0.04, len(ti))), fix)
        if every == 30:
            add(idx, trips["t1"][idx], trips["lat1"][idx], trips["lon1"][idx], np.zeros(len(idx)), 1)
    # heartbeats while parked
    for d, every in PARKED_EVERY.items():
        idx = np.flatnonzero(sdev == d)
        length = stays["dep"][idx] - stays["arr"][idx]
        si, k = expand(np.maximum((length - 60) // every, 0))
        si = idx[si]
        jitter = rng.uniform(-20, 20, len(si)) if every < 3600 else rng.normal(0, 30, len(si))
        t = stays["arr"][si] + every * (k + 1) + np.round(jitter)
        add(si, t, stays["lat"][si], stays["lon"][si], np.zeros(len(si)), 2, on_trip=False)

    V, T, LAT, LON, KMH, FIX = (np.concatenate([p[j] for p in parts]) for j in range(6))
    keep = (T >= ctx.t0) & (T < ctx.t_end)
    V, T, LAT, LON, KMH, FIX = (a[keep] for a in (V, T, LAT, LON, KMH, FIX))
    # GPS noise: moving fixes by device, parked ones noisier (trees, walls); rare multipath jumps
    moving = np.array([MOVING_SIGMA[d] for d in dev])[V]
    parked = np.array([PARKED_SIGMA.get(d, 4.0) for d in dev])[V]
    sigma = np.where(FIX == 2, parked, moving)
    n = len(T)
    dn, de = rng.normal(0, 1, n) * sigma, rng.normal(0, 1, n) * sigma
    jump = rng.random(n) < 0.0003
    ang = rng.uniform(0, 2 * np.pi, n)
    dist = rng.uniform(300, 1500, n)
    dn, de = dn + jump * dist * np.cos(ang), de + jump * dist * np.sin(ang)
    LAT = LAT + dn / 111320.0
    LON = LON + de / (111320.0 * np.cos(np.radians(LAT)))
    order = np.lexsort((T, V))
    return {"v": V[order], "t": T[order], "lat": LAT[order], "lon": LON[order], "kmh": KMH[order],
            "fix": FIX[order], "jump": jump[order]}


def _tables(plans: list) -> tuple[dict, dict]:
    tr = [(i, *x) for i, p in enumerate(plans) for x in p.trips]
    st = [(i, *x) for i, p in enumerate(plans) for x in p.stays]
    trips = {k: np.array([r[j] for r in tr]) for j, k in enumerate(
        ("v", "t0", "t1", "lat0", "lon0", "lat1", "lon1", "mode", "road", "bend"))}
    for k in ("v", "t0", "t1", "mode"):
        trips[k] = trips[k].astype(np.int64)
    trips["dur"] = np.maximum(trips["t1"] - trips["t0"], 1)
    trips["eps"] = np.clip(45.0 / trips["dur"], 0.005, 0.2)
    trips["F1"] = _F(np.ones(len(trips["dur"])), trips["eps"])
    stays = {k: np.array([r[j] for r in st]) for j, k in enumerate(("v", "lat", "lon", "arr", "dep", "tag"))}
    for k in ("v", "arr", "dep"):
        stays[k] = stays[k].astype(np.int64)
    return trips, stays


# --------------------------------------------------------------------------------------------
# ids, faults, labels
# --------------------------------------------------------------------------------------------
UK_LETTERS = "ABCDEFGHJKLMNOPRSTUVWXYZ"
FR_LETTERS = "ABCDEFGHJKLMNPQRSTVWXYZ"


def _plate(rng, country: str) -> str:
    if country == "UK":
        a = "".join(rng.choice(list(UK_LETTERS), 2))
        b = "".join(rng.choice(list(UK_LETTERS), 3))
        return f"{a}{int(rng.choice([15, 16, 17, 18, 19, 20, 65, 66, 67, 68, 69, 70, 71]))} {b}"
    a = "".join(rng.choice(list(FR_LETTERS), 2))
    b = "".join(rng.choice(list(FR_LETTERS), 2))
    return f"{a}-{int(rng.integers(100, 1000))}-{b}"


@dataclass
class Fleet:
    ctx: Ctx
    vehicles: list
    plans: list
    trips: dict
    stays: dict
    pings: dict  # true time (UTC), vehicle index, position, speed; before file faults
    meta: dict


def build_fleet(vehicles: int = 120, days: int = 28, seed: int = 0) -> Fleet:
    """Simulate the fleet: people, plans, pings and the faults to write (no files)."""
    if vehicles < 1 or days < 1:
        raise ValueError("vehicles and days must be positive")
    start = window_start(days)
    t0 = int(datetime(start.year, start.month, start.day, tzinfo=timezone.utc).timestamp())
    ctx = Ctx(start, days, seed, t0, t0 + days * 86400, t0)
    rng = np.random.default_rng([seed, 0])
    kinds = quota(vehicles, KIND_SHARES, rng)
    countries = [""] * vehicles
    for kind in KIND_SHARES:
        idx = [i for i, k in enumerate(kinds) if k == kind]
        flip = int(rng.integers(2))
        for j, i in enumerate(idx):
            share_uk = 0.5 if kind == "port_shift" else 0.55
            countries[i] = "UK" if ((j + flip) % 2 == 0 or (j >= 2 and rng.random() < share_uk - 0.5)) \
                else "FR"
    fleet = [Vehicle(i, countries[i], kinds[i], "") for i in range(vehicles)]
    for c in ("UK", "FR"):
        members = [v for v in fleet if v.country == c]
        devs = quota(len(members), DEVICE_SHARES[c], rng) if members else []
        for v, dv in zip(members, devs):
            v.device = dv
        # no 1 Hz dongle on a lorry doing 9 hours a day: swap with a car
        for v in members:
            if v.kind == "lorry" and v.device == "obd_1hz":
                other = next((w for w in members if w.kind != "lorry" and w.device != "obd_1hz"), None)
                if other is not None:
                    v.device, other.device = other.device, v.device
                else:
                    v.device = "event_box"
    # ids: plates, and a few written by hand into the fleet system
    used: set = set()
    for v in fleet:
        while True:
            pl = _plate(rng, v.country)
            if pl not in used:
                break
        used.add(pl)
        v.vid = pl
    for c in ("UK", "FR"):
        members = [v for v in fleet if v.country == c]
        names = list(HOSTILE[c])
        if c == "FR":  # the bakery's name on the baker's van, when there is a French baker
            bakers = [v for v in members if v.kind == "baker"]
            if bakers:
                bakers[0].vid = names.pop(0)
                members = [v for v in members if v is not bakers[0]]
        pick = rng.choice(len(members), min(len(names), len(members)), replace=False) if members else []
        for j, name in zip(pick, names):
            members[int(j)].vid = name
    for v in fleet:
        make_vehicle(ctx, v)
    plans = []
    for v in fleet:
        p = Plan(ctx, v)
        PLANNERS[v.kind](p)
        p.close()
        plans.append(p)
    trips, stays = _tables(plans)
    pings = make_pings(ctx, fleet, trips, stays)

    # ---- faults -----------------------------------------------------------------------------
    meta: dict = {}
    frng = np.random.default_rng([seed, 4])
    # phones killed by the OS for hours (no fixes at all)
    kills = []
    for v in fleet:
        if v.device != "phone_app":
            continue
        p_kill = 0.25 if frng.random() < 0.5 else 0.04
        for d in range(days):
            if frng.random() < p_kill:
                a = plans[v.i].at(d, frng.uniform(0, 24))
                b = a + int(frng.uniform(2, 10) * 3600)
                if kills and kills[-1][0] == v.i and a <= kills[-1][2]:
                    a, b = kills[-1][1], max(b, kills[-1][2])
                    kills.pop()
                kills.append((v.i, a, b))
        v.extra["phone_killed"] = [(a, b) for i, a, b in kills if i == v.i]
        hours = sum(b - a for a, b in v.extra["phone_killed"]) / 3600
        v.extra["phone_killed_hours"] = round(hours, 1)
    if kills:
        big = np.int64(1 << 33)
        ka = np.array([i * big + a for i, a, b in kills])
        kb = np.array([i * big + b for i, a, b in kills])
        key = pings["v"] * big + pings["t"]
        j = np.searchsorted(ka, key, side="right") - 1
        dead = (j >= 0) & (key < kb[np.maximum(j, 0)])
        pings = {k: a[~dead] for k, a in pings.items()}
    # French firmware that writes the UTC reading into the local-time column
    fr_cands = [v for v in fleet if v.country == "FR" and v.device != "phone_app"]
    n_fr = sum(v.country == "FR" for v in fleet)
    utc_local = []
    if fr_cands:
        n = min(len(fr_cands), max(1, round(0.08 * n_fr)))
        for j in frng.choice(len(fr_cands), n, replace=False):
            v = fr_cands[int(j)]
            v.faults.append("utc_as_local")
            utc_local.append(v.i)
    # GPS week-number rollover for a day or two: stamps exactly 1024 weeks early (2007)
    roll_cands = [v for v in fleet if v.device in ("event_box", "tracker_3dp") and v.i not in utc_local]
    n_roll = min(len(roll_cands), max(1, round(vehicles / 40)))
    chosen = []
    uk_roll = [v for v in roll_cands if v.country == "UK"]
    if uk_roll:
        chosen.append(uk_roll[int(frng.integers(len(uk_roll)))])
    rest = [v for v in roll_cands if v not in chosen]
    for j in (frng.choice(len(rest), max(0, min(len(rest), n_roll - len(chosen))), replace=False)
              if rest else []):
        chosen.append(rest[int(j)])
    rollover = []
    for v in chosen:
        tv = pings["t"][pings["v"] == v.i]
        # one or two local days on which the device does write something (a parked event box
        # writes nothing, and a fault nobody sees is no fault)
        opts = [(d, span) for d in range(1, max(2, days - 2)) for span in (1, 2)
                if ((tv >= plans[v.i].at(d, 0)) & (tv < plans[v.i].at(min(d + span, days), 0))).sum() >= 10]
        d, span = opts[int(frng.integers(len(opts)))] if opts else (min(1, days - 1), 1)
        a, b = plans[v.i].at(d, 0), plans[v.i].at(min(d + span, days), 0)
        v.faults.append("gps_week_rollover")
        rollover.append((v.i, a, b))
    roll = np.zeros(len(pings["t"]), bool)
    for i, a, b in rollover:
        roll |= (pings["v"] == i) & (pings["t"] >= a) & (pings["t"] < b)
    # a car re-registered mid-window: a UK commuter's new (private) plate from a Saturday on
    rereg = None
    cands = [v for v in fleet if v.country == "UK" and v.kind in ("commuter", "park_ride")
             and not v.faults and v.vid not in HOSTILE["UK"]]
    if cands and days >= 4:
        v = cands[int(frng.integers(len(cands)))]
        d = next((d for d in range(days // 2, days) if ctx.weekday(d) == 5), days // 2)
        t_sw = plans[v.i].at(d, 11.0)
        new = f"{frng.choice(list(UK_LETTERS))}{int(frng.integers(1, 10))} " \
              f"{''.join(frng.choice(list(UK_LETTERS), 3))}"
        while new in used:
            new = new[:-1] + "X"
        used.add(new)
        rereg = {"i": v.i, "old": v.vid, "new": new, "t": t_sw}
        v.faults.append("reregistered")
    meta.update(utc_as_local=utc_local, rollover=rollover, roll_mask=roll, rereg=rereg)
    return Fleet(ctx, fleet, plans, trips, stays, pings, meta)


# --------------------------------------------------------------------------------------------
# files
# --------------------------------------------------------------------------------------------
def _fixed(x: np.ndarray, dec: int, point: str = ".") -> np.ndarray:
    """x as text with `dec` decimals, like '%.{dec}f' (|x| < 1000), vectorised."""
    x = np.asarray(x, float)
    n = np.round(np.abs(x) * 10 ** dec).astype(np.int64)
    ip, fp = np.divmod(n, 10 ** dec)
    w = 4 + dec
    ch = np.empty((len(x), w), np.uint32)
    for j, p in enumerate((100, 10, 1)):
        ch[:, j] = np.where((ip >= p) | (p == 1), 48 + (ip // p) % 10, 32)
    ch[:, 3] = ord(point)
    for j in range(dec):
        ch[:, 4 + j] = 48 + (fp // 10 ** (dec - 1 - j)) % 10
    txt = np.strings.lstrip(np.ascontiguousarray(ch).view(f"<U{w}").ravel())
    return np.where(np.signbit(x), np.strings.add("-", txt), txt)  # "-0.000" as printf writes it


def _coords(x: np.ndarray, trunc: np.ndarray, point: str) -> np.ndarray:
    """6 decimals, or 3 for the truncating tracker."""
    out = _fixed(x, 6, point).astype(object)
    out[trunc] = _fixed(x[trunc], 3, point)
    return out.astype(str)


def _quote(text: str, sep: str) -> str:
    """CSV quoting, minimal (as Python's csv module writes it)."""
    if any(c in text for c in (sep, '"', "\n", "\r")):
        return '"' + text.replace('"', '""') + '"'
    return text


def _write_rows(path: Path, header: list, cols: list, sep: str, order: np.ndarray,
                eol: str = "\n", bom: bool = False) -> None:
    line = np.asarray(cols[0], dtype=str)
    for c in cols[1:]:
        line = np.strings.add(np.strings.add(line, sep), np.asarray(c, dtype=str))
    text = eol.join([sep.join(header), *line[order].tolist()]) + eol
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))


def _iso(t: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(t.astype("datetime64[s]"), unit="s").astype("<U19")


def _uk_stamp(t: np.ndarray) -> np.ndarray:
    u = _iso(t).view(np.uint32).reshape(-1, 19)
    z = np.full((len(u), 1), ord("Z"), np.uint32)
    return np.ascontiguousarray(np.hstack([u, z])).view("<U20").ravel()


def _fr_stamp(naive: np.ndarray) -> np.ndarray:
    """'25/10/2026 02:30:00' from naive datetime64[s]."""
    u = _iso(naive).view(np.uint32).reshape(-1, 19)
    out = u[:, [8, 9, 4, 5, 6, 7, 0, 1, 2, 3, 10, 11, 12, 13, 14, 15, 16, 17, 18]].copy()
    out[:, 2] = out[:, 5] = ord("/")
    out[:, 10] = ord(" ")
    return np.ascontiguousarray(out).view("<U19").ravel()


def _dupes(n: int, rng, share: float) -> np.ndarray:
    """Row order with about share*n rows written twice, the copy right after the original."""
    counts = np.ones(n, np.int64)
    counts[rng.random(n) < share] = 2
    return np.repeat(np.arange(n), counts)


def write_fleet(fleet: Fleet, folder) -> Path:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    ctx, vs, P, meta = fleet.ctx, fleet.vehicles, fleet.pings, fleet.meta
    rng = np.random.default_rng([ctx.seed, 5])
    country = np.array([v.country for v in vs])[P["v"]]
    dev = np.array([v.device for v in vs])[P["v"]]
    ids = np.array([v.vid for v in vs], dtype=object)[P["v"]]
    rr = meta["rereg"]
    if rr:
        ids[(P["v"] == rr["i"]) & (P["t"] >= rr["t"])] = rr["new"]
    uniq, inv = np.unique(ids.astype(str), return_inverse=True)
    qids = np.array([_quote(x, ",") for x in uniq], dtype=object)[inv]
    qids_fr = np.array([_quote(x, ";") for x in uniq], dtype=object)[inv]
    t_written = P["t"] - meta["roll_mask"] * ROLLOVER_S
    trunc = dev == "tracker_3dp"
    lat = np.where(trunc, np.trunc(P["lat"] * 1000) / 1000, P["lat"])
    lon = np.where(trunc, np.trunc(P["lon"] * 1000) / 1000, P["lon"])
    truth_files: dict = {}

    # ---- uk_pings.csv: the UK exporter, in receipt order ------------------------------------
    uk = np.flatnonzero(country == "UK")
    uk = uk[np.lexsort((P["v"][uk], P["t"][uk]))]
    lat_s, lon_s = _coords(lat[uk], trunc[uk], "."), _coords(lon[uk], trunc[uk], ".")
    cols = [qids[uk], _uk_stamp(t_written[uk]), lat_s, lon_s, _fixed(P["kmh"][uk], 1)]
    n_uk = len(uk)
    order = _dupes(n_uk, rng, 0.005)
    n_adj = len(order) - n_uk
    # and a re-sent batch: an hour of the export appended again at the end
    blk = max(1, int(0.005 * n_uk))
    s0 = int(rng.integers(0, max(1, n_uk - blk)))
    order = np.concatenate([order, np.arange(s0, min(n_uk, s0 + blk))])
    _write_rows(out / "uk_pings.csv", ["vehicle_id", "timestamp", "lat", "lon", "speed_kmh"], cols, ",",
                order)
    truth_files["uk_pings.csv"] = {
        "rows": len(order), "distinct_rows": n_uk, "duplicate_rows": len(order) - n_uk,
        "duplicates_adjacent": n_adj, "resent_batch_rows": int(min(n_uk, s0 + blk) - s0),
        "format": "comma-separated, UTF-8, LF; timestamp ISO-8601 UTC with Z; speed in km/h",
        "columns": ["vehicle_id", "timestamp", "lat", "lon", "speed_kmh"]}

    # ---- fr_pings.csv: the French exporter, vehicle by vehicle ------------------------------
    fr = np.flatnonzero(country == "FR")  # pings are sorted by vehicle then time already
    tw = t_written[fr]
    loc = pd.to_datetime(tw, unit="s", utc=True).tz_convert(ZONE["FR"]).tz_localize(None)
    naive = loc.values.astype("datetime64[s]")
    bad = np.isin(P["v"][fr], meta["utc_as_local"])
    naive[bad] = tw[bad].astype("datetime64[s]")
    stamps = _fr_stamp(naive)
    cols = [qids_fr[fr], stamps, _coords(lat[fr], trunc[fr], ","), _coords(lon[fr], trunc[fr], ","),
            _fixed(P["kmh"][fr], 1, ",")]
    n_fr = len(fr)
    order = _dupes(n_fr, rng, 0.01)
    _write_rows(out / "fr_pings.csv", ["immatriculation", "horodatage", "latitude", "longitude", "vitesse"],
                cols, ";", order, eol="\r\n", bom=True)
    rep = np.strings.startswith(stamps, "25/10/2026 02:")
    rep_o = rep[order]
    first = (P["t"][fr] < DST_END_UTC)[order]
    bad_o = bad[order]
    truth_files["fr_pings.csv"] = {
        "rows": len(order), "distinct_rows": n_fr, "duplicate_rows": len(order) - n_fr,
        "duplicates_adjacent": len(order) - n_fr,
        "format": "semicolon-separated, UTF-8 with BOM, CRLF; decimal commas; horodatage naive "
                  "Europe/Paris wall time 'DD/MM/YYYY HH:MM:SS'; vitesse in km/h",
        "columns": ["immatriculation", "horodatage", "latitude", "longitude", "vitesse"],
        "repeated_hour": {
            "rows": int(rep_o.sum()),
            "first_pass_CEST": int((rep_o & first & ~bad_o).sum()),
            "second_pass_CET": int((rep_o & ~first & ~bad_o).sum()),
            "utc_as_local_rows": int((rep_o & bad_o).sum()),
            "vehicles": sorted({vs[i].vid for i in P["v"][fr][rep]}),
            "note": "rows stamped 25/10/2026 02:00:00-02:59:59; that wall-clock hour happened "
                    "twice in Paris (00:00-01:00 UTC, then 01:00-02:00 UTC). utc_as_local rows "
                    "are UTC readings 02:xx (really 03:xx CET)"}}

    # ---- vehicles.csv ------------------------------------------------------------------------
    with open(out / "vehicles.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["vehicle_id", "company", "country", "device", "firmware", "vehicle_type", "model",
                    "product", "timezone", "previous_registration"])
        for v in vs:
            vrng = np.random.default_rng([ctx.seed, 6, v.i])
            vtype = "van" if v.kind in ("lorry", "baker") else "car"
            fw = FIRMWARE[v.device]
            if "utc_as_local" in v.faults:
                fw = fw.replace("1.9", "2.0.1-fr").replace("4.1.2", "4.2.0-fr")
            if v.device in ("event_box", "tracker_3dp"):
                fw += " (gnss 1.0.4)" if "gps_week_rollover" in v.faults else " (gnss 3.2.0)"
            if v.device == "phone_app":
                fw += " (Android)" if vrng.random() < 0.6 else " (iOS)"
            product = ("carclub" if v.kind == "car_club" else "fleet" if vtype == "van"
                       else "insurance")
            vid, prev = v.vid, ""
            if rr and rr["i"] == v.i:
                vid, prev = rr["new"], rr["old"]
            w.writerow([vid, COMPANY[v.country], v.country, v.device, fw, vtype,
                        MODELS[(v.country, vtype)][int(vrng.integers(len(MODELS[(v.country, vtype)])))],
                        product, ZONE[v.country], prev])

    # ---- labels.csv and truth ----------------------------------------------------------------
    lrng = np.random.default_rng([ctx.seed, 7])
    n = len(vs)
    labelled = set(int(i) for i in lrng.choice(n, int(round(0.75 * n)), replace=False))
    cands = [v for v in vs if v.i in labelled]
    n_wrong = max(1, int(round(0.08 * len(cands)))) if cands else 0
    wrong = {cands[int(j)].i for j in lrng.choice(len(cands), n_wrong, replace=False)} if cands else set()
    rows, wrong_labels, truth = [], [], {}

    def labpos(v, p, kind):
        """Where the upstream process put a label: at the address, or at a centroid."""
        if lrng.random() < 0.7:
            la, lo = offset(p[0], p[1], lrng.uniform(0.008, 0.025), lrng.uniform(0, 360))
            return la, lo, "address", 6
        km = lrng.uniform(0.1, 0.4) if v.country == "UK" else lrng.uniform(0.5, 2.0)
        la, lo = offset(p[0], p[1], km, lrng.uniform(0, 360))
        return la, lo, ("postcode centroid" if v.country == "UK" else "commune centroid"), 4

    for v in vs:
        lid = rr["old"] if rr and rr["i"] == v.i else v.vid
        home = [v.home.lat, v.home.lon] if v.home else None
        work = [v.work.lat, v.work.lon] if v.work else None
        given: dict = {}
        why = None
        if v.i in labelled:
            given = {k: x for k, x in (("home", home), ("work", work)) if x}
            if v.i in wrong:
                k = v.kind
                if k in ("commuter", "baker"):
                    why, given = "home and work swapped", {"home": work, "work": home}
                elif k == "park_ride":
                    why, given["work"] = "work at the office in town, not the station car park", \
                        v.extra["office"]
                elif k == "lorry":
                    why, given["work"] = "work at the company's head office, not the depot", \
                        v.extra["head_office"]
                elif k == "school_run":
                    why, given["work"] = "work at the school", v.extra["school"]
                elif k == "student":
                    why, given["home"] = "home at the parents' (registered address)", \
                        [v.extra["parents"].lat, v.extra["parents"].lon]
                elif k == "car_club":
                    why, given = "home at the car-club bay (the car has no home)", \
                        {"home": [v.extra["bay"].lat, v.extra["bay"].lon]}
                else:
                    why, given["home"] = "home at the previous address (moved)", \
                        list(near(lrng, home[0], home[1], 3, 15))
        precision = []
        for label, pos in given.items():
            la, lo, prec, dec = labpos(v, pos, label)
            precision.append(prec)
            rows.append([lid, label, f"{la:.{dec}f}", f"{lo:.{dec}f}"])
            if why and (label not in ("home", "work") or pos != {"home": home, "work": work}[label]):
                wrong_labels.append({"vehicle_id": lid, "label": label, "given": [round(la, 6), round(lo, 6)],
                                     "true": {"home": home, "work": work}[label], "why": why})
        x = v.extra
        t = {"home": home, "work": work, "kind": v.kind, "schedule": SCHEDULE[v.kind],
             "device": v.device, "country": v.country, "file": FILE[v.country], "tz": ZONE[v.country],
             "region": v.region, "faulty": bool(set(v.faults) & {"utc_as_local", "gps_week_rollover"}),
             "faults": list(v.faults), "labelled": bool(given), "label_error": why,
             "label_precision": precision}
        if v.kind == "park_ride":
            t["office"] = x["office"]
        if v.kind == "baker":
            t.update(days_off=x["days_off"], shift_start_h=round(x["start_h"], 2))
        if v.kind == "port_shift":
            t.update(rotation_phase=x["phase"], rotation="DDDD----NNNN---- from window day 0 - phase")
        if v.kind == "lorry":
            t.update(head_office=x["head_office"], crosses_to=x["away"])
        if v.kind == "school_run":
            t.update(school=x["school"], job_days=x.get("job_days"))
        if v.kind == "student":
            t.update(parents=[x["parents"].lat, x["parents"].lon], university=x["university"],
                     nights_at_parents=x["nights_at_parents"])
        if v.kind == "car_club":
            t.update(bay=[x["bay"].lat, x["bay"].lon], floating=x["floating"])
        if v.device == "phone_app":
            t["phone_killed_hours"] = x["phone_killed_hours"]
        for i, a, b in meta["rollover"]:
            if i == v.i:
                t["rollover_utc"] = [_iso(np.array([a]))[0] + "Z", _iso(np.array([b]))[0] + "Z"]
        if rr and rr["i"] == v.i:
            sw = _iso(np.array([rr["t"]]))[0] + "Z"
            truth[rr["old"]] = dict(t, reregistered_as=rr["new"], until_utc=sw)
            truth[rr["new"]] = dict(t, same_car_as=rr["old"], from_utc=sw, labelled=False)
        else:
            truth[v.vid] = t
    with open(out / "labels.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["vehicle_id", "label", "lat", "lon"])
        w.writerows(rows)

    roll_rows = {vs[i].vid: int(((P["v"] == i) & meta["roll_mask"]).sum()) for i, _, _ in meta["rollover"]}
    doc = {
        "tz": ZONE["FR"],
        "tz_note": "uk_pings.csv is UTC (Z); only fr_pings.csv has naive stamps (Europe/Paris)",
        "window": {"start_utc": _iso(np.array([ctx.t0]))[0] + "Z",
                   "end_utc": _iso(np.array([ctx.t_end]))[0] + "Z", "days": ctx.days,
                   "dst_end": "2026-10-25T01:00:00Z (London 02:00 BST -> 01:00 GMT, "
                              "Paris 03:00 CEST -> 02:00 CET)"},
        "vehicles": truth,
        "wrong_labels": wrong_labels,
        "files": truth_files,
        "faults": {
            "utc_as_local": [vs[i].vid for i in meta["utc_as_local"]],
            "utc_as_local_note": "fr_pings.csv horodatage holds the UTC wall time: 2 h early "
                                 "before 25 Oct 01:00 UTC, 1 h after",
            "gps_week_rollover": [{"vehicle_id": vs[i].vid, "from_utc": _iso(np.array([a]))[0] + "Z",
                                   "until_utc": _iso(np.array([b]))[0] + "Z", "rows": roll_rows[vs[i].vid]}
                                  for i, a, b in meta["rollover"]],
            "rollover_seconds": ROLLOVER_S,
            "reregistered": ({"old": rr["old"], "new": rr["new"],
                              "at_utc": _iso(np.array([rr["t"]]))[0] + "Z",
                              "note": "vehicles.csv lists only the new id (previous_registration "
                                      "= old); labels.csv uses the old id"} if rr else None),
            "hostile_ids": [v.vid for v in vs if v.vid in HOSTILE["UK"] + HOSTILE["FR"]],
            "gps_jumps": int(P["jump"].sum()),
        },
    }
    (out / "truth.json").write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n",
                                    encoding="utf-8")
    return out


def write_channel_fleet(folder, vehicles: int = 120, days: int = 28, seed: int = 0) -> Path:
    """Write uk_pings.csv, fr_pings.csv, labels.csv, vehicles.csv and truth.json into folder."""
    return write_fleet(build_fleet(vehicles, days, seed), folder)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Write the channel fleet (London, Paris, Lille, Dover, "
                                             "Calais; across the end of summer time 2026).")
    ap.add_argument("out")
    ap.add_argument("--vehicles", type=int, default=120)
    ap.add_argument("--days", type=int, default=28)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    out = write_channel_fleet(a.out, vehicles=a.vehicles, days=a.days, seed=a.seed)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
