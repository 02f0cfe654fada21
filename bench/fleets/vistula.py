"""Synthetic fleet "vistula": Poland and its neighbours, 14 Oct - 10 Nov 2024.

A mixed fleet seen through three real-world export formats: company cars and shift workers' cars on
a Polish fleet platform (Windows CSV export), Polish hauliers' lorries on a German telematics
provider (weekly CSV exports, UTC), and a Warsaw parcel-courier subcontractor's vans on a self-hosted
tracking server (database dump to Parquet). Region: Warszawa, Łódź, Poznań, Wrocław, Katowice and
the Upper Silesian towns, towns 30-50 km out, and lorry runs to Berlin and Prague.

    python bench/fleets/vistula.py OUT [--vehicles 120] [--days 28] [--seed 0]
    write_vistula_fleet(folder, vehicles=120, days=28, seed=0) -> Path

Same arguments -> byte-identical files. The window is `days` local days from Monday 14 Oct 2024
00:00 Europe/Warsaw (28 days: to Sun 10 Nov 24:00). It contains the end of summer time (Sun 27 Oct
2024 03:00 CEST -> 02:00 CET: 02:00-02:59 happens twice) and All Saints' Day (Fri 1 Nov, a public
holiday; the 31 Oct - 3 Nov long weekend is when Poles drive across the country to family graves).
Places are real (city districts, office quarters, mines, plants, logistics parks, cemeteries, truck
routes); coordinates are right to a few hundred metres. Roads are straight legs through real
junctions (A1, A2, A4, A18, S5, S7, S8, S17 in Poland, A10/A12/A13/A15 in Germany, D1/D11 in Czechia);
short trips get a bend or two.

FILES (all at the top of the folder)
====================================
1. historia_pozycji_<YYYYMMDD>_<YYYYMMDD>.csv  (window's first and last day)
   A Polish SaaS fleet platform's "Historia położenia pojazdów" report exported from its Windows
   client. Encoding Windows-1250 (cp1250) with Polish letters in headers and values, CRLF, separator
   ';', no quoting, decimal COMMA. Four preamble lines, then the header (line 5):
       Raport;Historia położenia pojazdów
       Okres;14.10.2024 - 10.11.2024
       Wygenerowano;11.11.2024 08:12
       (empty line)
   (pandas: read_csv(sep=';', decimal=',', encoding='cp1250', skiprows=4)). Columns:
     Nr rejestracyjny   vehicle id: Polish plate with one space ("WA 12345", "SK 1H339", "WPR 1XK32";
                        leased cars often carry Warsaw leasing plates WX/WY/WW wherever they live)
     Kierowca           driver "Imię Nazwisko" (key fob); a pool car's driver changes per trip
     Data               dd.MM.yyyy  } NAIVE local wall clock of Poland (Europe/Warsaw: CEST UTC+2 until
     Godzina            HH:mm:ss    } 27.10.2024 01:00 UTC, CET UTC+1 after). No zone anywhere in the file.
     Szerokość          latitude WGS84, 6 decimals (empty in private mode, 0,000000 for null fixes)
     Długość            longitude, same
     Prędkość [km/h]    integer GPS speed (0 on ignition records and parked)
     Kierunek [°]       integer course 0-359 (parked: last course)
     Zapłon             "wł." / "wył." (ignition)
     Przebieg [km]      odometer integrated from GPS, 1 decimal
     Tryb jazdy         "służbowy" (business) / "prywatny" (private mode, see faults)
     Zdarzenie          "Włączenie zapłonu" (ignition on, trip start), "Wyłączenie zapłonu" (ignition
                        off, trip end), "Jazda" (periodic fix while driving), "Postój" (parked heartbeat)
     Lokalizacja        platform's reverse geocoding: nearest town "Łódź (łódzkie)"; empty without a position
   Rows are grouped by vehicle (plates in byte order) and within a vehicle in the order the platform
   received them, which is true chronological order: on 27 Oct the wall clock of a correct device steps
   back once (02:59 CEST -> 02:00 CET) and 02:00-02:59 appears twice. Tracker models (vehicles.csv
   tracker_model / tracker_firmware) and their sampling:
     LK-210 fw 3.4.1  sends UTC; the platform converts to Warsaw time correctly. A fix every 30 s while
                      the ignition is on, a record at ignition on and off, a heartbeat every 30 min parked.
     LK-105 fw 1.9.7  every 60 s driving, 30 min parked; computes local time ON THE DEVICE (fault F1),
                      writes null fixes (F4).
     LK-90  fw 0.8.2  every 60 s driving, 60 min parked; GPS week rollover (F3). One vehicle.
   Heartbeat times jitter by up to +-25 s, driving fixes by +-1.5 s.

2. Positionen_KW<ww>-KW<ww>_<yyyy>.csv  (ISO weeks of the window; KW42-KW45_2024 for 28 days)
   Position report of a German telematics provider used by Polish hauliers for their tractor units,
   downloaded week by week by the dispatcher and pasted into one file (fault F7). UTF-8 with BOM, CRLF,
   ';', no quoting, decimal COMMA, German headers. Columns:
     Kennzeichen              vehicle id: the Polish plate ("PZ 536CC", "EKU 2727C")
     Fahrer                   driver card holder "Nachname, Vorname"; EMPTY when no card is inserted
     Datum (UTC)              dd.MM.yyyy  } UTC, as the tachograph counts time (not local time!)
     Uhrzeit (UTC)            HH:mm:ss    }
     Breitengrad, Längengrad  WGS84, 6 decimals, comma
     Geschwindigkeit [km/h]   integer (speed limiter: never above 89)
     Richtung [°]             integer course
     Zündung                  "Ein" / "Aus"
     Tacho-Status             driver card activity: "Lenkzeit" (driving), "Arbeitszeit" (loading /
                              unloading), "Ruhezeit" (45-min breaks, daily and weekly rest in the cab),
                              "Keine Karte" (card withdrawn: the lorry is parked at the driver's home)
     Kilometerstand [km]      odometer, 1 decimal
     Land                     ISO country of the position: PL, DE, CZ
     Ort                      nearest town in local spelling ("Świecko", "Großbeeren", "Náchod")
   Sampling: every 120 s driving plus ignition on/off records, every 15 min in Arbeitszeit, every
   30 min resting or parked. Each weekly part is sorted by Kennzeichen, then time.

3. tc_positions_dump.parquet
   The `tc_positions` table of a self-hosted open-source tracking server (Traccar schema) run by a
   Warsaw parcel-courier subcontractor, joined with device names and dumped to Parquet (zstd). Rows
   are in `id` order = the order the server stored them (NOT grouped by vehicle, not strictly by time).
     id            int64, insert order
     protocol      "gt06" (cheap OBD-port trackers)
     deviceid      int32 server device id
     device_name   vehicle id: the van's plate ("WI 1559P", "WPI 58103")
     servertime    timestamp[ms, UTC] when the server received the record (normally 1-5 s after fixtime)
     devicetime    timestamp[ms, UTC] } time of the fix, UTC. The trackers are configured to report
     fixtime       timestamp[ms, UTC] } Warsaw wall clock; the server converts it (fault F2)
     valid         bool (always true here)
     latitude, longitude  float64 WGS84
     altitude      float64 metres
     speed         float64 in KNOTS (Traccar's unit: km/h = knots * 1.852)
     course        float64 degrees
     attributes    JSON text: {"ignition": bool, "motion": bool, "odometer": metres (int), "sat": int,
                   "power": volts}
   Sampling: every 20 s with the ignition on, records at ignition on and off, hourly when parked.

4. vehicles.csv  (UTF-8, ',') vehicle_id, source_file, tracker_model, tracker_firmware, make_model,
   body_type (osobowy = car, dostawczy = van, ciągnik siodłowy = tractor unit), model_year,
   fuel (PB petrol, ON diesel, HEV hybrid, LPG).
5. labels.csv  (UTF-8, ',') vehicle_id,label,lat,lon: an analyst's geocoded home / work addresses for
   ~75% of the vehicles (one row per non-null truth place), 10-60 m off the truth; ~5% of the rows are
   wrong on purpose (truth wrong_labels; why in faults.wrong_label_reasons: home and work swapped, or
   an old / registration address 3-15 km away).
6. truth.json  {"vehicles": {id: {...}}, "wrong_labels": [{"vehicle_id", "label"}], "faults": {...},
   "tz": "Europe/Warsaw"}  -- tz is there because file 1 writes naive Warsaw wall-clock stamps.
   Per vehicle: home [lat, lon] (where it normally spends the night), work [lat, lon] | null, kind,
   platform ("pl" | "de" | "tc"), file, and by kind: city, tracker, workplace, shift_first_week,
   home_town, home_office_weekdays (0 = Monday), hotel_nights, dzialka {type, place}, all_saints {type,
   city, cemetery, family_home}, private_mode, weekends_away, depot, delivery_zone_center,
   works_saturdays.

LIVES (kind; share of a 120-vehicle fleet; home / work truth)
=============================================================
office (27%, Polish platform): white-collar company car in one of the five cities (Warsaw weighted
  36%). Mon-Fri leaves home 07:00-08:45 (own habit +-15 min), 8.6-9.4 h at the office (Mokotów/
  Służewiec "Mordor", Rondo Daszyńskiego, Rondo ONZ, Wilanów; Łódź Nowe Centrum, Manufaktura; Poznań
  Bułgarska, Malta, Stary Browar; Wrocław Powstańców Śląskich, Legnicka, Grunwaldzki; Katowice
  Chorzowska, Francuska), some lunch trips, 35% shop on the way home, 12% evening outings. Hybrid
  work: half have fixed home-office weekday(s) (Fri; Mon+Fri; or Wed) with only an errand.
  home = residence (district or suburb), work = office.
commuter (11%, Polish platform): same working life, but home is a town 30-50 km out (Mińsk Mazowiecki,
  Żyrardów, Wyszków, Grójec, Sochaczew; Piotrków Trybunalski, Łowicz, Łęczyca, Tomaszów Mazowiecki,
  Bełchatów; Września, Szamotuły, Oborniki, Gniezno, Śrem; Oława, Oleśnica, Strzelin, Trzebnica, Środa
  Śląska; Pszczyna, Rybnik, Tarnowskie Góry, Zawiercie); leaves 06:10-07:10. home = house in the town.
shift (13%, Polish platform): three shifts rotating weekly I -> II -> III at a Silesian coal mine (KWK
  Wujek, Murcki-Staszic, Mysłowice-Wesoła, Ruda/Bielszowice, Piast-Ziemowit, Bolesław Śmiały) or car /
  battery plant (Stellantis Tychy and Gliwice, VW Poznań-Antoninek and Września, LG Energy Solution
  Biskupice Podgórne, Toyota Jelcz-Laskowice). I 06-14, II 14-22, III 22-06; Mon-Fri, where the
  III shift of day D starts at 22:00 the evening before (so Sun-Thu nights at the site in a III week);
  the car is parked at the site 15-65 min before the shift starts. No shift on 1 Nov (so none from
  31 Oct 22:00). Some miners live ~1 km from the shaft. home = residence, work = the site's car park.
  truth shift_first_week = the shift of 14-20 Oct.
sales_rep (7%, Polish platform): Mon-Fri 3-5 client visits (40-90 min) in the region's towns 20-150 km
  away, nearest-next order; in ~60% of weeks one hotel night (Tue-Thu) in a regional town (truth
  hotel_nights). home = residence, work = null.
pool_car (4%, Polish platform): company pool car that lives on the office's lot; 1-3 trips per workday
  to clients in the city or the region with different drivers (Kierowca changes); on ~10% of Mon-Thu
  evenings an employee takes it home for the night and brings it back at 07:40-08:40; idle at the
  lot on weekends and 1 Nov. home = the lot, work = null.
courier_home / courier_depot (10% + 10%, tracking server): Warsaw parcel vans, depot Okęcie or Żerań.
  Loading until 07:55-08:35, then 70-120 stops (Saturdays 30-50, on the half of the vans that work
  Saturdays) in a fixed delivery zone (Mokotów, Ursynów, Wola, Praga...), nearest-next-stop tour,
  stops of 1-8 min (5% longer, 25-35 min lunch), last stop before 18:30 (14:30 Sat), unloading at the
  depot. No work on Sundays and 1 Nov. courier_depot: the van stays at the depot (home = depot, work =
  null). courier_home: the B2B driver takes it home to a suburb (Ząbki, Marki, Piaseczno, Pruszków,
  Legionowo, Wołomin, Józefów, Raszyn, Łomianki, Otwock), leaves 06:05-06:40 (home = his house, work =
  depot).
long_haul (18%, German provider): tractor unit of a small Polish haulier; the driver lives in a small
  town or village (Kórnik, Środa Wlkp., Koło, Kutno, Łęczyca, Sieradz, Oleśnica, Strzelin, Pszczyna,
  Zawiercie, Rybnik, Ostrów Wlkp., Konin, Łowicz, Nowy Tomyśl, Gostyń, Wieluń, Bolesławiec) and keeps
  the lorry by his house at weekends. Leaves Monday 03:36-05:30 local, loads at one of the two Polish
  logistics parks nearest home (Komorniki/Poznań, Stryków, Bielany Wrocławskie, Gliwice-Sośnica,
  Błonie, Piotrków Trybunalski, Września), then shuttles to Berlin (GVZ Großbeeren, GVZ Wustermark,
  Schönefeld) or Prague (Rudná, Jirny) and back, loading/unloading 1-2.5 h (never 19:30-05:00: he
  sleeps at the ramp). EU driving rules (Reg. 561/2006): 45-min break after 4.5 h driving, 9 h a day
  (10 h twice a week), daily rest of 11-12 h in the cab at a rest area (MOP / Rastplatz / odpočívka)
  a few hundred metres off the road, no driving after 21:30 or before 03:30. The first leg that ends
  after a Friday 06:00-10:00 is followed by the drive home (pushing on to 23:30 / 10 h to get there).
  All Saints week: Polish holiday truck ban (31 Oct 18-22, 1 Nov 8-22) -> heads home after the leg
  that ends after Wednesday 16:00, at home Thu-Sun. ~30% of the lorries spend one
  ordinary weekend in the cab at a truck park abroad or on the road (reduced weekly rest, truth
  weekends_away = that Saturday). home = weekend parking at the house, work = null.
Private lives (office, commuter, shift, sales_rep):
  weekends: Saturday shopping at a mall / market (75%), afternoon visits (30%); Sunday church (45%) and
  family (35%). Działka (truth dzialka, ~35%): a ROD allotment in the city (Saturdays 08:30-17:00, 70%
  of Saturdays before 1 Nov, 35% after as the season closes) or a plot 30-70 km out (Zegrze/Serock,
  Kampinos, Góra Kalwaria; Smardzewice on the Sulejów reservoir; Kiekrz, Puszczykowo, Zaniemyśl;
  Sobótka, Trzebnica, Milicz; Szczyrk, Pogoria, Goczałkowice) where 40% of visits stay the night to
  Sunday afternoon. All Saints (truth all_saints, ~40%): graves of the family in a city 60-380 km away
  (Kraków, Lublin, Białystok, Kielce, Radom, Częstochowa, Opole, Kalisz, Bydgoszcz, Toruń...): "day"
  = 1 Nov, leave 06:30-08:30, family house, cemetery, family, home in the evening; "long" = leave
  work early on Thu 31 Oct, drive 14:30-16:30, cemetery on 1 Nov, home on Sun 3 Nov 11:00-14:30
  (three nights at the family house). Holiday traffic slows intercity legs to ~72-75%. Everyone else
  visits the local cemetery on 1 Nov (Powązki, Bródno, Stary Cmentarz, Junikowo, Osobowicki, Francuska
  ...) and 20% again on 2 Nov (Zaduszki); all offices close early on 31 Oct.

FAULTS (truth.json "faults"; exact rows / vehicles listed there)
=================================================================
F1 dst_us_rule_devices (file 1, every LK-105, ~18% of the Polish platform's cars): the firmware
   computes local time with the US daylight-saving rule (summer time ends on the first Sunday of
   November). From 2024-10-27 01:00 UTC to 2024-11-03 00:00 UTC its Data/Godzina are ONE HOUR AHEAD of
   Warsaw time (UTC+2 instead of UTC+1); its clock does not step back on 27 Oct but on 3 Nov (01:00-
   01:59 twice). Correct wall clock = written - 1 h in that interval. vehicles: {id: rows affected}.
F2 dst_server_fold (file 3, all vans): the trackers report Warsaw wall clock and the server maps it to
   UTC choosing the earlier (summer) offset for an ambiguous time. Fixes taken 2024-10-27 01:00-02:00
   UTC (the second 02:xx, CET) are stored with fixtime = devicetime ONE HOUR EARLY (00:00-01:00 UTC,
   on top of the first pass); their servertime is right (servertime - fixtime ~ 3600 s). vehicles:
   {id: rows}, rows: total.
F3 gps_week_rollover (file 1, the LK-90): the receiver's date is 1024 GPS weeks (7168 days) early and
   the platform converts that instant to Warsaw time with the rules of that date (UTC+1 until
   2005-03-27 01:00 UTC, UTC+2 after), so Data reads 27.02.2005-28.03.2005 (weekdays preserved). Fix:
   read as Europe/Warsaw local time -> UTC -> + 7168 days. vehicles: {id: rows}.
F4 null_island (file 1, LK-105): a quarter of the ignition-on records are written before the first
   fix: Szerokość = Długość = 0,000000, Lokalizacja empty. {id: rows}.
F5 private_mode_blank (file 1, ~12% of office / commuter / sales cars): the driver switches the
   platform's private mode ("tryb prywatny", allowed by the employer's monitoring rules) for weekends:
   from the first ignition-on after Friday 17:00 to the first ignition-on after Monday 04:00 every row
   has Tryb jazdy = "prywatny" and EMPTY Szerokość / Długość / Lokalizacja (time, speed, ignition and
   odometer remain). {id: rows}.
F6 position_spikes (files 1 and 3): unflagged single fixes 0.8-6 km off (multipath in street canyons,
   GSM-cell fallback) on ~1 in 2500 driving fixes of file 1 and ~1 in 6000 of file 3. A list of
   {vehicle_id, file, utc, lat, lon} with the values as written.
F7 weekly_export_concatenation (file 2): the file is ceil(days/7) weekly exports pasted together. Each
   part starts with its own header line (extra_header_lines = parts - 1 header lines inside the data),
   and the dispatcher's date ranges included the following Monday ("14.10.2024 - 21.10.2024"), so every
   row of the boundary Mondays (local dates in duplicated_local_dates) appears twice (duplicated_rows).
F8 late_buffered_uploads (file 3): 1-3 GSM dead spots per van of 10-40 min while driving (never within
   6 h of the DST change). The tracker sends its live position first and the backlog 1.5-5 min after
   coverage returns: those rows have servertime 1.5-45 min after fixtime and come after newer rows in
   id order. vehicles: {id: [{from_utc, until_utc, rows}]}, rows: total.
Wrong labels: ~5% of labels.csv rows (wrong_labels; reasons in faults.wrong_label_reasons).
Hard cases that are not faults: the repeated 02:xx hour in file 1, night-shift weeks, hotel nights,
overnight działka, three nights away at All Saints, pool cars taken home, lorries' weeknights at rest
areas and weekends away, miners living next to the mine, vans whose home is the depot.
"""

from __future__ import annotations

import argparse
import heapq
import json
import math
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

NAME = "vistula"
TZ_NAME = "Europe/Warsaw"
_TZ = ZoneInfo(TZ_NAME)
_UTC = timezone.utc
_START = datetime(2024, 10, 14)  # Monday, local midnight (Europe/Warsaw)


def _utc(*a) -> int:
    return int(datetime(*a, tzinfo=_UTC).timestamp())


T_DST_END = _utc(2024, 10, 27, 1)  # 03:00 CEST -> 02:00 CET
T_US_DST_END = _utc(2024, 11, 3, 0)  # 02:00 "summer" device time on the first Sunday of November
T_US_DST_START = _utc(2025, 3, 9, 1)  # (only matters for windows longer than ~5 months)
WNRO_DAYS = 7168  # 1024 GPS weeks
HOLIDAYS = {
    date(2024, 11, 1),
    date(2024, 11, 11),
    date(2024, 12, 25),
    date(2024, 12, 26),
    date(2025, 1, 1),
    date(2025, 1, 6),
}
ALL_SAINTS = date(2024, 11, 1)

PARK, DRIVE, WORK, BREAK, REST = 0, 1, 2, 3, 4

PL_DEVICES = {  # model: (firmware, seconds between fixes moving, seconds between parked heartbeats)
    "LK-210": ("3.4.1", 30, 1800),
    "LK-105": ("1.9.7", 60, 1800),
    "LK-90": ("0.8.2", 60, 3600),
}
DE_STEP = (120, 900, 1800)  # moving, loading (Arbeitszeit), parked/resting
TC_STEP = (20, 3600)  # moving, parked

# ----------------------------------------------------------------------------------- places
# (name, region, country, lat, lon): the reverse-geocoding table both CSV exports name places from
_PLACES = [
    ("Warszawa", "mazowieckie", "PL", 52.2297, 21.0122),
    ("Piaseczno", "mazowieckie", "PL", 52.0810, 21.0240),
    ("Pruszków", "mazowieckie", "PL", 52.1710, 20.8030),
    ("Ząbki", "mazowieckie", "PL", 52.2930, 21.1060),
    ("Marki", "mazowieckie", "PL", 52.3250, 21.1030),
    ("Łomianki", "mazowieckie", "PL", 52.3340, 20.8870),
    ("Legionowo", "mazowieckie", "PL", 52.4010, 20.9250),
    ("Wołomin", "mazowieckie", "PL", 52.3400, 21.2420),
    ("Józefów", "mazowieckie", "PL", 52.1360, 21.2350),
    ("Otwock", "mazowieckie", "PL", 52.1050, 21.2610),
    ("Raszyn", "mazowieckie", "PL", 52.1530, 20.9260),
    ("Mińsk Mazowiecki", "mazowieckie", "PL", 52.1790, 21.5710),
    ("Żyrardów", "mazowieckie", "PL", 52.0490, 20.4450),
    ("Grodzisk Mazowiecki", "mazowieckie", "PL", 52.1100, 20.6300),
    ("Błonie", "mazowieckie", "PL", 52.1990, 20.6170),
    ("Sochaczew", "mazowieckie", "PL", 52.2290, 20.2380),
    ("Wyszków", "mazowieckie", "PL", 52.5930, 21.4570),
    ("Grójec", "mazowieckie", "PL", 51.8650, 20.8670),
    ("Serock", "mazowieckie", "PL", 52.5100, 21.0700),
    ("Góra Kalwaria", "mazowieckie", "PL", 51.9800, 21.2100),
    ("Kampinos", "mazowieckie", "PL", 52.2680, 20.4660),
    ("Radom", "mazowieckie", "PL", 51.4030, 21.1470),
    ("Płock", "mazowieckie", "PL", 52.5460, 19.7060),
    ("Siedlce", "mazowieckie", "PL", 52.1670, 22.2900),
    ("Ciechanów", "mazowieckie", "PL", 52.8810, 20.6190),
    ("Ostrołęka", "mazowieckie", "PL", 53.0840, 21.5750),
    ("Pułtusk", "mazowieckie", "PL", 52.7020, 21.0830),
    ("Łódź", "łódzkie", "PL", 51.7592, 19.4560),
    ("Zgierz", "łódzkie", "PL", 51.8555, 19.4061),
    ("Pabianice", "łódzkie", "PL", 51.6642, 19.3546),
    ("Stryków", "łódzkie", "PL", 51.9020, 19.6000),
    ("Łowicz", "łódzkie", "PL", 52.1060, 19.9450),
    ("Kutno", "łódzkie", "PL", 52.2300, 19.3640),
    ("Łęczyca", "łódzkie", "PL", 52.0590, 19.1990),
    ("Piotrków Trybunalski", "łódzkie", "PL", 51.4050, 19.7030),
    ("Bełchatów", "łódzkie", "PL", 51.3680, 19.3560),
    ("Tomaszów Mazowiecki", "łódzkie", "PL", 51.5310, 20.0080),
    ("Sieradz", "łódzkie", "PL", 51.5950, 18.7300),
    ("Zduńska Wola", "łódzkie", "PL", 51.5990, 18.9390),
    ("Skierniewice", "łódzkie", "PL", 51.9550, 20.1580),
    ("Radomsko", "łódzkie", "PL", 51.0670, 19.4450),
    ("Wieluń", "łódzkie", "PL", 51.2210, 18.5700),
    ("Brzeziny", "łódzkie", "PL", 51.8000, 19.7510),
    ("Smardzewice", "łódzkie", "PL", 51.4850, 19.9740),
    ("Poznań", "wielkopolskie", "PL", 52.4064, 16.9252),
    ("Swarzędz", "wielkopolskie", "PL", 52.4110, 17.0790),
    ("Luboń", "wielkopolskie", "PL", 52.3410, 16.8760),
    ("Suchy Las", "wielkopolskie", "PL", 52.4720, 16.8810),
    ("Komorniki", "wielkopolskie", "PL", 52.3380, 16.8080),
    ("Kórnik", "wielkopolskie", "PL", 52.2470, 17.0890),
    ("Środa Wielkopolska", "wielkopolskie", "PL", 52.2290, 17.2770),
    ("Września", "wielkopolskie", "PL", 52.3250, 17.5660),
    ("Gniezno", "wielkopolskie", "PL", 52.5350, 17.5830),
    ("Szamotuły", "wielkopolskie", "PL", 52.6110, 16.5790),
    ("Oborniki", "wielkopolskie", "PL", 52.6470, 16.8140),
    ("Śrem", "wielkopolskie", "PL", 52.0890, 17.0150),
    ("Konin", "wielkopolskie", "PL", 52.2230, 18.2510),
    ("Koło", "wielkopolskie", "PL", 52.2000, 18.6380),
    ("Kalisz", "wielkopolskie", "PL", 51.7610, 18.0910),
    ("Ostrów Wielkopolski", "wielkopolskie", "PL", 51.6550, 17.8070),
    ("Leszno", "wielkopolskie", "PL", 51.8420, 16.5740),
    ("Piła", "wielkopolskie", "PL", 53.1510, 16.7380),
    ("Kościan", "wielkopolskie", "PL", 52.0870, 16.6480),
    ("Wągrowiec", "wielkopolskie", "PL", 52.8080, 17.1990),
    ("Jarocin", "wielkopolskie", "PL", 51.9720, 17.5020),
    ("Nowy Tomyśl", "wielkopolskie", "PL", 52.3190, 16.1290),
    ("Gostyń", "wielkopolskie", "PL", 51.8800, 17.0120),
    ("Kiekrz", "wielkopolskie", "PL", 52.4700, 16.7800),
    ("Puszczykowo", "wielkopolskie", "PL", 52.2820, 16.8580),
    ("Zaniemyśl", "wielkopolskie", "PL", 52.1570, 17.1660),
    ("Wrocław", "dolnośląskie", "PL", 51.1079, 17.0385),
    ("Siechnice", "dolnośląskie", "PL", 51.0380, 17.1480),
    ("Oława", "dolnośląskie", "PL", 50.9460, 17.2920),
    ("Oleśnica", "dolnośląskie", "PL", 51.2090, 17.3890),
    ("Strzelin", "dolnośląskie", "PL", 50.7800, 17.0650),
    ("Trzebnica", "dolnośląskie", "PL", 51.3100, 17.0630),
    ("Środa Śląska", "dolnośląskie", "PL", 51.1640, 16.5950),
    ("Jelcz-Laskowice", "dolnośląskie", "PL", 51.0270, 17.3460),
    ("Kobierzyce", "dolnośląskie", "PL", 51.0150, 16.9300),
    ("Sobótka", "dolnośląskie", "PL", 50.8990, 16.7440),
    ("Legnica", "dolnośląskie", "PL", 51.2070, 16.1700),
    ("Wałbrzych", "dolnośląskie", "PL", 50.7710, 16.2840),
    ("Świdnica", "dolnośląskie", "PL", 50.8430, 16.4900),
    ("Jelenia Góra", "dolnośląskie", "PL", 50.9040, 15.7190),
    ("Głogów", "dolnośląskie", "PL", 51.6640, 16.0840),
    ("Kłodzko", "dolnośląskie", "PL", 50.4350, 16.6600),
    ("Kudowa-Zdrój", "dolnośląskie", "PL", 50.4430, 16.2430),
    ("Bolesławiec", "dolnośląskie", "PL", 51.2640, 15.5700),
    ("Milicz", "dolnośląskie", "PL", 51.5270, 17.2720),
    ("Opole", "opolskie", "PL", 50.6750, 17.9210),
    ("Brzeg", "opolskie", "PL", 50.8610, 17.4670),
    ("Katowice", "śląskie", "PL", 50.2649, 19.0238),
    ("Sosnowiec", "śląskie", "PL", 50.2860, 19.1040),
    ("Chorzów", "śląskie", "PL", 50.2970, 18.9550),
    ("Ruda Śląska", "śląskie", "PL", 50.2580, 18.8560),
    ("Mikołów", "śląskie", "PL", 50.1700, 18.9050),
    ("Bytom", "śląskie", "PL", 50.3480, 18.9150),
    ("Tychy", "śląskie", "PL", 50.1210, 18.9880),
    ("Siemianowice Śląskie", "śląskie", "PL", 50.3090, 19.0290),
    ("Zabrze", "śląskie", "PL", 50.3249, 18.7857),
    ("Gliwice", "śląskie", "PL", 50.2945, 18.6714),
    ("Mysłowice", "śląskie", "PL", 50.2080, 19.1340),
    ("Dąbrowa Górnicza", "śląskie", "PL", 50.3220, 19.1880),
    ("Pszczyna", "śląskie", "PL", 49.9850, 18.9540),
    ("Rybnik", "śląskie", "PL", 50.1020, 18.5460),
    ("Tarnowskie Góry", "śląskie", "PL", 50.4440, 18.8610),
    ("Zawiercie", "śląskie", "PL", 50.4870, 19.4170),
    ("Częstochowa", "śląskie", "PL", 50.8120, 19.1200),
    ("Bielsko-Biała", "śląskie", "PL", 49.8220, 19.0440),
    ("Jaworzno", "śląskie", "PL", 50.2050, 19.2740),
    ("Bieruń", "śląskie", "PL", 50.0900, 19.0930),
    ("Łaziska Górne", "śląskie", "PL", 50.1500, 18.8450),
    ("Szczyrk", "śląskie", "PL", 49.7180, 19.0280),
    ("Gorzyczki", "śląskie", "PL", 49.9300, 18.4000),
    ("Goczałkowice-Zdrój", "śląskie", "PL", 49.9400, 18.9600),
    ("Kraków", "małopolskie", "PL", 50.0647, 19.9450),
    ("Kielce", "świętokrzyskie", "PL", 50.8660, 20.6280),
    ("Lublin", "lubelskie", "PL", 51.2460, 22.5680),
    ("Białystok", "podlaskie", "PL", 53.1330, 23.1640),
    ("Bydgoszcz", "kujawsko-pomorskie", "PL", 53.1235, 18.0084),
    ("Toruń", "kujawsko-pomorskie", "PL", 53.0138, 18.5984),
    ("Świecko", "lubuskie", "PL", 52.3080, 14.6200),
    ("Torzym", "lubuskie", "PL", 52.3150, 15.0850),
    ("Frankfurt (Oder)", "Brandenburg", "DE", 52.3400, 14.5500),
    ("Fürstenwalde/Spree", "Brandenburg", "DE", 52.3600, 14.0600),
    ("Berlin", "Berlin", "DE", 52.5200, 13.4050),
    ("Großbeeren", "Brandenburg", "DE", 52.3560, 13.3100),
    ("Wustermark", "Brandenburg", "DE", 52.5450, 12.9500),
    ("Schönefeld", "Brandenburg", "DE", 52.3900, 13.5100),
    ("Michendorf", "Brandenburg", "DE", 52.3130, 13.0300),
    ("Cottbus", "Brandenburg", "DE", 51.7600, 14.3300),
    ("Forst (Lausitz)", "Brandenburg", "DE", 51.7330, 14.6390),
    ("Lübbenau/Spreewald", "Brandenburg", "DE", 51.8670, 13.9700),
    ("Königs Wusterhausen", "Brandenburg", "DE", 52.3000, 13.6300),
    ("Náchod", "Královéhradecký kraj", "CZ", 50.4170, 16.1630),
    ("Hradec Králové", "Královéhradecký kraj", "CZ", 50.2090, 15.8330),
    ("Jaroměř", "Královéhradecký kraj", "CZ", 50.3560, 15.9220),
    ("Praha", "Hlavní město Praha", "CZ", 50.0755, 14.4378),
    ("Rudná", "Středočeský kraj", "CZ", 50.0350, 14.2300),
    ("Jirny", "Středočeský kraj", "CZ", 50.1160, 14.6980),
    ("Ostrava", "Moravskoslezský kraj", "CZ", 49.8350, 18.2820),
    ("Olomouc", "Olomoucký kraj", "CZ", 49.5940, 17.2510),
    ("Brno", "Jihomoravský kraj", "CZ", 49.1950, 16.6080),
    ("Jihlava", "Kraj Vysočina", "CZ", 49.3960, 15.5910),
    ("Humpolec", "Kraj Vysočina", "CZ", 49.5410, 15.3590),
    ("Prostějov", "Olomoucký kraj", "CZ", 49.4720, 17.1110),
    ("Vyškov", "Jihomoravský kraj", "CZ", 49.2770, 16.9990),
    ("Velké Meziříčí", "Kraj Vysočina", "CZ", 49.3550, 16.0120),
]
_PL_NAME = np.array([p[0] for p in _PLACES], dtype=object)
_PL_REG = np.array([p[1] for p in _PLACES], dtype=object)
_PL_LAT = np.array([p[3] for p in _PLACES])
_PL_LON = np.array([p[4] for p in _PLACES])


def _town(name: str) -> tuple[float, float]:
    for p in _PLACES:
        if p[0] == name:
            return (p[3], p[4])
    raise KeyError(name)


# One entry per city: (lat, lon, registration code or None = one of the city's codes)
_CITIES = {
    "WAW": dict(
        name="Warszawa",
        plates=("WA", "WB", "WD", "WE", "WF", "WH", "WI", "WJ", "WK", "WN", "WT", "WU", "WW"),
        offices=[
            (52.1812, 21.0030),
            (52.2305, 20.9850),
            (52.2330, 20.9985),
            (52.1650, 21.0770),
            (52.1790, 20.9600),
        ],
        homes=[
            (52.1440, 21.0480, None),
            (52.2420, 20.9080, None),
            (52.3170, 20.9550, None),
            (52.2880, 20.9330, None),
            (52.2870, 21.0550, None),
            (52.2310, 21.0940, None),
            (52.1990, 21.1700, None),
            (52.2130, 20.9740, None),
            (52.2900, 21.0280, None),
            (52.0810, 21.0240, "WPI"),
            (52.2930, 21.1060, "WWL"),
            (52.3340, 20.8870, "WZ"),
            (52.1710, 20.8030, "WPR"),
            (52.3250, 21.1030, "WWL"),
        ],
        malls=[
            (52.2570, 20.9840),
            (52.1800, 21.0040),
            (52.3150, 20.9720),
            (52.2200, 20.9580),
            (52.2390, 21.1000),
        ],
        cemeteries=[(52.2530, 20.9790), (52.3080, 20.9200), (52.2880, 21.0320)],
        rod=[(52.2110, 21.0000), (52.2700, 21.0700), (52.2080, 21.1300)],
        rekre=[_town("Serock"), _town("Kampinos"), _town("Góra Kalwaria"), (52.5900, 21.4600)],
        towns40=[
            ("Mińsk Mazowiecki", "WM"),
            ("Żyrardów", "WZY"),
            ("Wyszków", "WWY"),
            ("Grójec", "WGR"),
            ("Sochaczew", "WSC"),
        ],
        region=[
            "Radom",
            "Płock",
            "Siedlce",
            "Ciechanów",
            "Ostrołęka",
            "Mińsk Mazowiecki",
            "Grójec",
            "Sochaczew",
            "Otwock",
            "Pułtusk",
            "Łowicz",
            "Skierniewice",
        ],
    ),
    "LDZ": dict(
        name="Łódź",
        plates=("EL",),
        offices=[(51.7700, 19.4690), (51.7790, 19.4470), (51.7450, 19.4630)],
        homes=[
            (51.7610, 19.5350, None),
            (51.7480, 19.3930, None),
            (51.7880, 19.4000, None),
            (51.8020, 19.4400, None),
            (51.7230, 19.4720, None),
            (51.7800, 19.5200, None),
            (51.8555, 19.4061, "EZG"),
            (51.6642, 19.3546, "EPA"),
        ],
        malls=[(51.7330, 19.4150), (51.7590, 19.4640), (51.7800, 19.4480)],
        cemeteries=[(51.7790, 19.4440), (51.7520, 19.4960)],
        rod=[(51.8080, 19.5050), (51.7400, 19.4200)],
        rekre=[_town("Smardzewice"), (51.8640, 19.2740)],
        towns40=[
            ("Piotrków Trybunalski", "EPI"),
            ("Łowicz", "ELC"),
            ("Łęczyca", "ELE"),
            ("Tomaszów Mazowiecki", "ETM"),
            ("Bełchatów", "EBE"),
        ],
        region=[
            "Piotrków Trybunalski",
            "Bełchatów",
            "Sieradz",
            "Zduńska Wola",
            "Skierniewice",
            "Kutno",
            "Tomaszów Mazowiecki",
            "Łowicz",
            "Radomsko",
            "Wieluń",
        ],
    ),
    "POZ": dict(
        name="Poznań",
        plates=("PO",),
        offices=[(52.4020, 16.8770), (52.4030, 16.9690), (52.4025, 16.9275)],
        homes=[
            (52.3940, 16.9650, None),
            (52.4310, 16.9410, None),
            (52.3960, 16.8820, None),
            (52.4600, 16.9100, None),
            (52.4150, 16.8960, None),
            (52.4110, 17.0790, "PZ"),
            (52.3410, 16.8760, "PZ"),
            (52.4720, 16.8810, "PZ"),
        ],
        malls=[(52.3970, 16.9530), (52.3970, 16.8740), (52.4620, 16.9200)],
        cemeteries=[(52.3930, 16.8370), (52.4210, 16.9980), (52.3850, 16.8820)],
        rod=[(52.4250, 16.9700), (52.3800, 16.9000)],
        rekre=[_town("Kiekrz"), _town("Puszczykowo"), _town("Zaniemyśl")],
        towns40=[
            ("Września", "PWR"),
            ("Szamotuły", "PSZ"),
            ("Oborniki", "POB"),
            ("Gniezno", "PGN"),
            ("Śrem", "PSE"),
        ],
        region=[
            "Gniezno",
            "Konin",
            "Leszno",
            "Kalisz",
            "Piła",
            "Ostrów Wielkopolski",
            "Września",
            "Kościan",
            "Wągrowiec",
            "Jarocin",
        ],
    ),
    "WRO": dict(
        name="Wrocław",
        plates=("DW",),
        offices=[(51.0945, 17.0190), (51.1190, 16.9920), (51.1140, 17.0600)],
        homes=[
            (51.0780, 17.0250, None),
            (51.1230, 16.9300, None),
            (51.1480, 17.1050, None),
            (51.1010, 17.1020, None),
            (51.1390, 16.9690, None),
            (51.0830, 17.0530, None),
            (51.0380, 17.1480, "DWR"),
        ],
        malls=[(51.1250, 16.9960), (51.0960, 17.0350), (51.0550, 17.0750)],
        cemeteries=[(51.1450, 17.0050), (51.0950, 16.9800)],
        rod=[(51.1250, 17.0820), (51.0850, 16.9900)],
        rekre=[_town("Sobótka"), _town("Trzebnica"), _town("Milicz")],
        towns40=[
            ("Oława", "DOA"),
            ("Oleśnica", "DOL"),
            ("Strzelin", "DST"),
            ("Trzebnica", "DTR"),
            ("Środa Śląska", "DSR"),
        ],
        region=[
            "Legnica",
            "Wałbrzych",
            "Oleśnica",
            "Oława",
            "Świdnica",
            "Jelenia Góra",
            "Brzeg",
            "Opole",
            "Głogów",
            "Kłodzko",
        ],
    ),
    "KAT": dict(
        name="Katowice",
        plates=("SK",),
        offices=[(50.2640, 19.0070), (50.2650, 18.9990), (50.2480, 19.0180)],
        homes=[
            (50.2380, 18.9770, None),
            (50.2270, 19.0720, None),
            (50.2860, 19.1040, "SO"),
            (50.2970, 18.9550, "SH"),
            (50.2580, 18.8560, "SL"),
            (50.1700, 18.9050, "SMI"),
            (50.3480, 18.9150, "SY"),
            (50.1210, 18.9880, "ST"),
            (50.3090, 19.0290, "SI"),
            (50.3249, 18.7857, "SZ"),
            (50.2945, 18.6714, "SG"),
            (50.2080, 19.1340, "SM"),
            (50.3220, 19.1880, "SD"),
        ],
        malls=[(50.2690, 18.9940), (50.2580, 19.0170), (50.2900, 18.9520)],
        cemeteries=[(50.2520, 19.0220), (50.2320, 18.9540)],
        rod=[(50.2500, 19.0500), (50.2800, 18.9700)],
        rekre=[_town("Szczyrk"), (50.3500, 19.2300), _town("Goczałkowice-Zdrój")],
        towns40=[("Pszczyna", "SPS"), ("Rybnik", "SR"), ("Tarnowskie Góry", "STA"), ("Zawiercie", "SZA")],
        region=[
            "Gliwice",
            "Bytom",
            "Rybnik",
            "Częstochowa",
            "Bielsko-Biała",
            "Tychy",
            "Jaworzno",
            "Zawiercie",
            "Opole",
            "Kraków",
        ],
    ),
}
_CITY_W = {"WAW": 0.36, "LDZ": 0.15, "POZ": 0.16, "WRO": 0.15, "KAT": 0.18}

# three-shift workplaces: (name, city, lat, lon, weight)
_SHIFT_SITES = [
    ("KWK Wujek", "KAT", 50.2470, 18.9700, 0.11),
    ("KWK Murcki-Staszic", "KAT", 50.2220, 19.0270, 0.10),
    ("KWK Mysłowice-Wesoła", "KAT", 50.1780, 19.1120, 0.10),
    ("KWK Ruda, ruch Bielszowice", "KAT", 50.2790, 18.8330, 0.09),
    ("KWK Piast-Ziemowit", "KAT", 50.0870, 19.1160, 0.09),
    ("KWK Bolesław Śmiały", "KAT", 50.1480, 18.8480, 0.07),
    ("Stellantis Tychy", "KAT", 50.0940, 18.9990, 0.09),
    ("Stellantis Gliwice", "KAT", 50.3110, 18.7380, 0.07),
    ("Volkswagen Poznań (Antoninek)", "POZ", 52.4090, 17.0170, 0.09),
    ("Volkswagen Września", "POZ", 52.3160, 17.6250, 0.06),
    ("LG Energy Solution (Biskupice Podgórne)", "WRO", 51.0470, 16.9070, 0.07),
    ("Toyota (Jelcz-Laskowice)", "WRO", 51.0270, 17.3460, 0.06),
]

# All Saints' destinations: cemetery of the family's home town, (lat, lon)
_GRAVES = [
    ("Kraków", 50.0720, 19.9540),
    ("Lublin", 51.2430, 22.5530),
    ("Białystok", 53.1380, 23.1590),
    ("Kielce", 50.8650, 20.6200),
    ("Radom", 51.4060, 21.1420),
    ("Częstochowa", 50.8240, 19.1060),
    ("Opole", 50.6560, 17.9030),
    ("Kalisz", 51.7460, 18.0690),
    ("Bydgoszcz", 53.1300, 18.0140),
    ("Łódź", 51.7790, 19.4440),
    ("Warszawa", 52.2530, 20.9790),
    ("Poznań", 52.3930, 16.8370),
    ("Wrocław", 51.1450, 17.0050),
    ("Katowice", 50.2520, 19.0220),
    ("Sieradz", 51.5960, 18.7250),
    ("Konin", 52.2190, 18.2490),
    ("Piotrków Trybunalski", 51.4100, 19.6950),
    ("Płock", 52.5470, 19.7000),
    ("Siedlce", 52.1680, 22.2900),
    ("Ostrów Wielkopolski", 51.6500, 17.8100),
    ("Leszno", 51.8400, 16.5750),
    ("Legnica", 51.2070, 16.1700),
    ("Toruń", 53.0100, 18.6200),
    ("Bielsko-Biała", 49.8180, 19.0350),
]

_COURIER_DEPOTS = [("Okęcie", 52.1720, 20.9480), ("Żerań", 52.3050, 21.0050)]
_COURIER_ZONES = [
    (52.1930, 21.0350),
    (52.1440, 21.0480),
    (52.2360, 20.9700),
    (52.2390, 21.0810),
    (52.2420, 20.9080),
    (52.2870, 21.0550),
    (52.3200, 20.9800),
    (52.1990, 21.1700),
    (52.2130, 20.9740),
    (52.2880, 20.9330),
    (52.2300, 21.0100),
    (52.2690, 20.9860),
    (52.1650, 21.0900),
    (52.1950, 20.8850),
    (52.2560, 21.0350),
]
_COURIER_HOMES = [
    ("Ząbki", "WWL"),
    ("Marki", "WWL"),
    ("Piaseczno", "WPI"),
    ("Pruszków", "WPR"),
    ("Legionowo", "WL"),
    ("Wołomin", "WWL"),
    ("Józefów", "WOT"),
    ("Raszyn", "WPR"),
    ("Łomianki", "WZ"),
    ("Otwock", "WOT"),
]

_LORRY_HOMES = [
    ("Kórnik", "PZ"),
    ("Środa Wielkopolska", "PSR"),
    ("Koło", "PKL"),
    ("Kutno", "EKU"),
    ("Łęczyca", "ELE"),
    ("Sieradz", "ESI"),
    ("Oleśnica", "DOL"),
    ("Strzelin", "DST"),
    ("Pszczyna", "SPS"),
    ("Zawiercie", "SZA"),
    ("Rybnik", "SR"),
    ("Ostrów Wielkopolski", "POS"),
    ("Konin", "PN"),
    ("Łowicz", "ELC"),
    ("Nowy Tomyśl", "PNT"),
    ("Gostyń", "PGS"),
    ("Wieluń", "EWI"),
    ("Bolesławiec", "DBL"),
]
_HUBS_PL = [
    ("Stryków", 51.9020, 19.6000),
    ("Komorniki", 52.3380, 16.8080),
    ("Bielany Wrocławskie", 51.0380, 16.9780),
    ("Gliwice-Sośnica", 50.2880, 18.6100),
    ("Błonie", 52.1990, 20.6170),
    ("Piotrków Trybunalski", 51.4200, 19.7300),
    ("Września", 52.3300, 17.5900),
]
_HUBS_BER = [
    ("GVZ Großbeeren", 52.3560, 13.3100),
    ("GVZ Wustermark", 52.5450, 12.9500),
    ("Schönefeld", 52.3700, 13.5200),
]
_HUBS_PRG = [("Rudná", 50.0350, 14.2300), ("Jirny", 50.1160, 14.6980)]

# ----------------------------------------------------------------------------------- road graph
_NODES = {
    "warszawa": (52.2297, 21.0122),
    "konotopa": (52.1900, 20.8600),
    "grodzisk": (52.1350, 20.6400),
    "lowicz": (52.0900, 19.9400),
    "strykow": (51.9020, 19.6000),
    "lodz": (51.7592, 19.4560),
    "piotrkow": (51.4050, 19.7030),
    "czestochowa": (50.8120, 19.1200),
    "katowice": (50.2649, 19.0238),
    "gliwice": (50.2945, 18.6714),
    "gorzyczki": (49.9300, 18.4000),
    "ostrava": (49.8350, 18.2820),
    "olomouc": (49.5940, 17.2510),
    "brno": (49.1950, 16.6080),
    "jihlava": (49.3960, 15.5910),
    "praha": (50.0755, 14.4378),
    "hradec": (50.2090, 15.8330),
    "nachod": (50.4170, 16.1630),
    "klodzko": (50.4350, 16.6600),
    "wroclaw": (51.1079, 17.0385),
    "opole": (50.6750, 17.9210),
    "legnica": (51.2100, 16.1600),
    "krzyzowa": (51.3050, 15.5500),
    "olszyna": (51.7320, 14.6600),
    "cottbus": (51.7600, 14.3300),
    "schoenefeld": (52.3400, 13.5200),
    "spreeau": (52.3530, 13.7680),
    "nuthetal": (52.3100, 13.1200),
    "havelland": (52.5500, 13.0000),
    "berlin": (52.5200, 13.4050),
    "frankfurt_o": (52.3400, 14.5500),
    "swiecko": (52.3080, 14.6200),
    "torzym": (52.3150, 15.0850),
    "nowy_tomysl": (52.3190, 16.1290),
    "poznan": (52.4064, 16.9252),
    "wrzesnia": (52.3250, 17.5660),
    "konin": (52.2230, 18.2510),
    "kolo": (52.2000, 18.6380),
    "kutno": (52.2300, 19.3640),
    "torun": (53.0138, 18.5984),
    "bydgoszcz": (53.1235, 18.0084),
    "leszno": (51.8420, 16.5740),
    "ostrow": (51.6550, 17.8070),
    "kalisz": (51.7610, 18.0910),
    "sieradz": (51.5950, 18.7300),
    "olesnica": (51.2090, 17.3890),
    "krakow": (50.0647, 19.9450),
    "kielce": (50.8660, 20.6280),
    "radom": (51.4030, 21.1470),
    "lublin": (51.2460, 22.5680),
    "bialystok": (53.1330, 23.1640),
    "minsk_maz": (52.1790, 21.5710),
    "siedlce": (52.1670, 22.2900),
    "plock": (52.5460, 19.7060),
    "tychy": (50.1210, 18.9880),
    "pszczyna": (49.9850, 18.9540),
    "bielsko": (49.8220, 19.0440),
    "rybnik": (50.1020, 18.5460),
    "gniezno": (52.5350, 17.5830),
}
_EDGES = [  # A = motorway / expressway, N = national road
    ("warszawa", "konotopa", "A"),
    ("konotopa", "grodzisk", "A"),
    ("grodzisk", "lowicz", "A"),
    ("lowicz", "strykow", "A"),
    ("strykow", "lodz", "A"),
    ("strykow", "kutno", "A"),
    ("kutno", "torun", "A"),
    ("torun", "bydgoszcz", "N"),
    ("strykow", "kolo", "A"),
    ("kolo", "konin", "A"),
    ("konin", "wrzesnia", "A"),
    ("wrzesnia", "poznan", "A"),
    ("poznan", "nowy_tomysl", "A"),
    ("nowy_tomysl", "torzym", "A"),
    ("torzym", "swiecko", "A"),
    ("swiecko", "frankfurt_o", "A"),
    ("frankfurt_o", "spreeau", "A"),
    ("spreeau", "schoenefeld", "A"),
    ("schoenefeld", "berlin", "A"),
    ("schoenefeld", "nuthetal", "A"),
    ("nuthetal", "havelland", "A"),
    ("havelland", "berlin", "N"),
    ("cottbus", "schoenefeld", "A"),
    ("olszyna", "cottbus", "A"),
    ("krzyzowa", "olszyna", "A"),
    ("legnica", "krzyzowa", "A"),
    ("wroclaw", "legnica", "A"),
    ("wroclaw", "opole", "A"),
    ("opole", "gliwice", "A"),
    ("gliwice", "katowice", "A"),
    ("katowice", "krakow", "A"),
    ("gliwice", "rybnik", "A"),
    ("rybnik", "gorzyczki", "A"),
    ("gorzyczki", "ostrava", "A"),
    ("ostrava", "olomouc", "A"),
    ("olomouc", "brno", "A"),
    ("brno", "jihlava", "A"),
    ("jihlava", "praha", "A"),
    ("wroclaw", "klodzko", "N"),
    ("klodzko", "nachod", "N"),
    ("nachod", "hradec", "N"),
    ("hradec", "praha", "A"),
    ("lodz", "piotrkow", "A"),
    ("piotrkow", "czestochowa", "A"),
    ("czestochowa", "katowice", "A"),
    ("katowice", "tychy", "A"),
    ("tychy", "pszczyna", "N"),
    ("pszczyna", "bielsko", "A"),
    ("warszawa", "piotrkow", "A"),
    ("warszawa", "radom", "A"),
    ("radom", "kielce", "A"),
    ("kielce", "krakow", "A"),
    ("warszawa", "lublin", "A"),
    ("warszawa", "minsk_maz", "A"),
    ("minsk_maz", "siedlce", "A"),
    ("warszawa", "bialystok", "A"),
    ("warszawa", "plock", "N"),
    ("plock", "kutno", "N"),
    ("lodz", "sieradz", "A"),
    ("sieradz", "olesnica", "A"),
    ("olesnica", "wroclaw", "A"),
    ("poznan", "leszno", "A"),
    ("leszno", "wroclaw", "A"),
    ("poznan", "gniezno", "A"),
    ("gniezno", "bydgoszcz", "A"),
    ("gniezno", "wrzesnia", "N"),
    ("torun", "plock", "N"),
    ("piotrkow", "radom", "N"),
    ("piotrkow", "kielce", "N"),
    ("radom", "lublin", "N"),
    ("czestochowa", "opole", "N"),
    ("opole", "ostrow", "N"),
    ("lodz", "kalisz", "N"),
    ("poznan", "kalisz", "N"),
    ("kalisz", "ostrow", "A"),
    ("ostrow", "olesnica", "N"),
    ("kalisz", "sieradz", "N"),
    ("konin", "kalisz", "N"),
]
_NODE_NAMES = sorted(_NODES)
_NODE_LAT = np.array([_NODES[n][0] for n in _NODE_NAMES])
_NODE_LON = np.array([_NODES[n][1] for n in _NODE_NAMES])
_ADJ: dict[str, list[tuple[str, str]]] = {n: [] for n in _NODE_NAMES}
_EDGE_CLS: dict[tuple[str, str], str] = {}
for _a, _b, _c in _EDGES:
    _ADJ[_a].append((_b, _c))
    _ADJ[_b].append((_a, _c))
    _EDGE_CLS[(_a, _b)] = _EDGE_CLS[(_b, _a)] = _c

_SPEEDS = {  # km/h
    "car": {"A": 112.0, "N": 74.0, "conn": 45.0, "urban": 28.0, "suburb": 42.0, "rural": 64.0},
    "van": {"A": 100.0, "N": 70.0, "conn": 40.0, "urban": 24.0, "suburb": 38.0, "rural": 60.0},
    "lorry": {"A": 80.0, "N": 60.0, "conn": 38.0, "urban": 24.0, "suburb": 34.0, "rural": 55.0},
}

# ----------------------------------------------------------------------------------- small helpers


def _hav(la1, lo1, la2, lo2):
    p1, p2 = np.radians(la1), np.radians(la2)
    a = (
        np.sin((p2 - p1) / 2) ** 2
        + np.cos(p1) * np.cos(p2) * np.sin(np.radians(np.subtract(lo2, lo1)) / 2) ** 2
    )
    return 2 * 6371000.0 * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def _d(p, q) -> float:
    p1, p2 = math.radians(p[0]), math.radians(q[0])
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(q[1] - p[1]) / 2) ** 2
    )
    return 2 * 6371000.0 * math.asin(math.sqrt(min(a, 1.0)))


def _bearing(la1, lo1, la2, lo2):
    p1, p2 = np.radians(la1), np.radians(la2)
    dl = np.radians(np.subtract(lo2, lo1))
    y = np.sin(dl) * np.cos(p2)
    x = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl)
    return (np.degrees(np.arctan2(y, x)) + 360.0) % 360.0


def _off(p, north_m: float, east_m: float) -> tuple[float, float]:
    return (p[0] + north_m / 111320.0, p[1] + east_m / (111320.0 * math.cos(math.radians(p[0]))))


def _jit(p, rng, sigma_m: float) -> tuple[float, float]:
    n, e = rng.normal(0.0, sigma_m, 2)
    return _off(p, float(n), float(e))


def _ring(p, rng, r_lo: float, r_hi: float) -> tuple[float, float]:
    ang = rng.uniform(0, 2 * math.pi)
    r = rng.uniform(r_lo, r_hi)
    return _off(p, r * math.cos(ang), r * math.sin(ang))


def _lt(d: int, h: float) -> float:
    """UTC epoch seconds of local (Europe/Warsaw) wall-clock `h` hours after midnight of window day d."""
    dt = _START + timedelta(days=int(d), seconds=int(round(h * 3600)))
    return dt.replace(tzinfo=_TZ).timestamp()


def _local_hour(t: float) -> float:
    x = datetime.fromtimestamp(t, _TZ)
    return x.hour + x.minute / 60.0


def _local_day(t: float) -> int:
    return (datetime.fromtimestamp(t, _TZ).replace(tzinfo=None) - _START).days


def _day_date(d: int) -> date:
    return (_START + timedelta(days=int(d))).date()


def _is_free(d: int) -> bool:
    return d % 7 >= 5 or _day_date(d) in HOLIDAYS


def _warsaw_offset(u: np.ndarray) -> np.ndarray:
    """UTC offset (s) of Europe/Warsaw at each UTC instant (whole-hour transitions)."""
    hours = np.floor_divide(u, 3600)
    uh, inv = np.unique(hours, return_inverse=True)
    offs = np.array(
        [int(datetime.fromtimestamp(int(h) * 3600, _TZ).utcoffset().total_seconds()) for h in uh],
        dtype=np.int64,
    )
    return offs[inv]


# ----------------------------------------------------------------------------------- routing


def _nearest_node(p) -> str:
    return _NODE_NAMES[int(np.argmin(_hav(p[0], p[1], _NODE_LAT, _NODE_LON)))]


_PATH_CACHE: dict[tuple[str, str, str], list[str]] = {}


def _node_path(a: str, b: str, vclass: str) -> list[str]:
    key = (a, b, vclass)
    if key in _PATH_CACHE:
        return _PATH_CACHE[key]
    sp = _SPEEDS[vclass]
    dist = {a: 0.0}
    prev: dict[str, str] = {}
    heap = [(0.0, a)]
    done = set()
    while heap:
        c, n = heapq.heappop(heap)
        if n in done:
            continue
        done.add(n)
        if n == b:
            break
        for m, cls in _ADJ[n]:
            w = c + _d(_NODES[n], _NODES[m]) / sp[cls]
            if w < dist.get(m, float("inf")):
                dist[m] = w
                prev[m] = n
                heapq.heappush(heap, (w, m))
    path = [b]
    while path[-1] != a:
        path.append(prev[path[-1]])
    path.reverse()
    _PATH_CACHE[key] = path
    return path


def _local_path(a, b, rng, speed: float):
    d = _d(a, b)
    k = 1 if d < 3000 else 2
    pts = []
    dn, de = (b[0] - a[0]) * 111320.0, (b[1] - a[1]) * 111320.0 * math.cos(math.radians(a[0]))
    norm = math.hypot(dn, de) or 1.0
    for i in range(1, k + 1):
        f = i / (k + 1)
        s = float(rng.normal(0.0, 0.12 * d))
        pts.append(_off(a, f * dn - s * de / norm, f * de + s * dn / norm))
    pts.append(b)
    v = speed * float(rng.lognormal(0.0, 0.12))
    return pts, [v] * len(pts)


def _route(a, b, rng, vclass: str, factor: float = 1.0):
    """Waypoints (excluding a, ending at b) and the speed (km/h) of each leg."""
    sp = _SPEEDS[vclass]
    d = _d(a, b)
    if d < 22000:
        return _local_path(a, b, rng, sp["urban"] if d < 8000 else sp["suburb"])
    names = _node_path(_nearest_node(a), _nearest_node(b), vclass)
    first_cls = last_cls = None
    # start / end "on" the first / last edge when the trip begins / ends beyond its end node
    while len(names) >= 2 and _d(a, _NODES[names[1]]) < _d(_NODES[names[0]], _NODES[names[1]]):
        first_cls = _EDGE_CLS[(names[0], names[1])]
        names = names[1:]
    while len(names) >= 2 and _d(b, _NODES[names[-2]]) < _d(_NODES[names[-1]], _NODES[names[-2]]):
        last_cls = _EDGE_CLS[(names[-2], names[-1])]
        names = names[:-1]
    chain = [a] + [_NODES[n] for n in names] + [b]
    total = sum(_d(chain[i], chain[i + 1]) for i in range(len(chain) - 1))
    if total > 1.35 * d:
        pts, v = _local_path(a, b, rng, sp["rural"] * factor)
        return pts, v

    def conn(p, q, cls):
        if cls is not None:
            return [q], [sp[cls] * factor * float(rng.uniform(0.93, 1.05))]
        dq = _d(p, q)
        return _local_path(p, q, rng, sp["conn"] if dq < 15000 else sp["rural"] * factor)

    pts, v = conn(a, _NODES[names[0]], first_cls)
    for i in range(len(names) - 1):
        pts.append(_NODES[names[i + 1]])
        v.append(sp[_EDGE_CLS[(names[i], names[i + 1])]] * factor * float(rng.uniform(0.93, 1.05)))
    p2, v2 = conn(_NODES[names[-1]], b, last_cls)
    return pts + p2, v + v2


# ----------------------------------------------------------------------------------- the track


class Track:
    """A piecewise-linear trajectory: knots (t, lat, lon); interval i (knot i -> i+1) has mode m[i]."""

    def __init__(self, t0: float, p):
        self.t = [float(t0)]
        self.la = [p[0]]
        self.lo = [p[1]]
        self.m: list[int] = []

    @property
    def now(self) -> float:
        return self.t[-1]

    @property
    def pos(self):
        return (self.la[-1], self.lo[-1])

    def stay(self, until: float, mode: int = PARK) -> None:
        if until > self.t[-1] + 1.0:
            self.t.append(float(until))
            self.la.append(self.la[-1])
            self.lo.append(self.lo[-1])
            self.m.append(mode)

    def go(self, pts, speeds, depart: float | None = None, stay_mode: int = PARK) -> float:
        if depart is not None:
            self.stay(depart, stay_mode)
        t, p = self.t[-1], self.pos
        for q, v in zip(pts, speeds):
            t += max(_d(p, q) / (max(v, 3.0) / 3.6), 4.0)
            self.t.append(t)
            self.la.append(q[0])
            self.lo.append(q[1])
            self.m.append(DRIVE)
            p = q
        return t

    def bulk(self, t, la, lo, modes) -> None:
        self.t.extend(np.asarray(t, float).tolist())
        self.la.extend(np.asarray(la, float).tolist())
        self.lo.extend(np.asarray(lo, float).tolist())
        self.m.extend(np.asarray(modes, int).tolist())


class Life:
    """A car and the person (or firm) that drives it."""

    def __init__(self, spec: dict, rng, t0: float, start):
        self.s = spec
        self.rng = rng
        self.tr = Track(t0, start)
        self.vclass = spec.get("vclass", "car")
        self.skip: set[int] = set()
        self.trips: list[tuple[float, int]] = []  # (departure, driver index) for pool cars

    def trip(
        self,
        dest,
        depart: float,
        factor: float = 1.0,
        jitter: float = 10.0,
        mode: int = PARK,
        driver: int = 0,
    ) -> float:
        tr = self.tr
        depart = max(depart, tr.now + 60.0)
        if _d(tr.pos, dest) < 60:
            tr.stay(depart, mode)
            return tr.now
        pts, v = _route(tr.pos, _jit(dest, self.rng, jitter), self.rng, self.vclass, factor)
        self.trips.append((depart, driver))
        return tr.go(pts, v, depart, mode)

    def visit(self, dest, depart: float, hours: float, factor: float = 1.0) -> float:
        t = self.trip(dest, depart, factor)
        self.tr.stay(t + hours * 3600.0)
        return self.tr.now


# ----------------------------------------------------------------------------------- lives
def _near(p, rng, lo_m, hi_m):
    return _ring(p, rng, lo_m, hi_m)


def _weekend(c: Life, d: int) -> None:
    """A free day at home: shopping, church, family; a działka on Saturdays; All Saints on 1 Nov."""
    s, rng, home = c.s, c.rng, c.s["home"]
    city = _CITIES[s["city"]]
    day = _day_date(d)
    wd = d % 7
    if day == ALL_SAINTS or (day == date(2024, 11, 2) and rng.random() < 0.2):
        cem = s.get("cemetery_local") or city["cemeteries"][0]
        c.visit(cem, _lt(d, rng.uniform(9.5, 14.0)), rng.uniform(0.8, 2.0))
        if rng.random() < 0.3:
            c.visit(_near(home, rng, 1000, 6000), c.tr.now + 600, rng.uniform(1.5, 3.0))
        c.trip(home, c.tr.now + 300)
        return
    dz = s.get("dzialka")
    if dz is not None and wd == 5 and rng.random() < (0.7 if day < date(2024, 11, 1) else 0.35):
        t = c.trip(dz["place"], _lt(d, rng.uniform(8.5, 11.0)))
        if dz["overnight"] and rng.random() < 0.4 and d + 1 not in c.skip:
            c.tr.stay(_lt(d + 1, rng.uniform(13.5, 17.0)))
            c.trip(home, c.tr.now)
            c.skip.add(d + 1)
            return
        c.tr.stay(t + rng.uniform(4.0, 7.0) * 3600)
        c.trip(home, c.tr.now)
        return
    if wd == 6:
        if rng.random() < 0.45:
            c.visit(_near(home, rng, 400, 2500), _lt(d, rng.uniform(8.8, 11.3)), rng.uniform(0.9, 1.3))
            c.trip(home, c.tr.now + 60)
        if rng.random() < 0.35:
            c.visit(_near(home, rng, 4000, 25000), _lt(d, rng.uniform(12.5, 14.5)), rng.uniform(2.5, 4.5))
            c.trip(home, c.tr.now + 60)
        return
    if rng.random() < 0.75:
        shop = (
            city["malls"][int(rng.integers(len(city["malls"])))]
            if not s.get("town")
            else _near(home, rng, 800, 3000)
        )
        c.visit(shop, _lt(d, rng.uniform(9.5, 12.0)), rng.uniform(0.8, 2.5))
        c.trip(home, c.tr.now + 60)
    if rng.random() < 0.3:
        c.visit(_near(home, rng, 3000, 15000), _lt(d, rng.uniform(15.0, 17.5)), rng.uniform(1.5, 3.0))
        c.trip(home, c.tr.now + 60)


def _evening(c: Life, d: int, latest: float = 20.0) -> None:
    rng, home = c.rng, c.s["home"]
    if rng.random() < 0.12 and _local_hour(c.tr.now) < latest - 1.5:
        c.visit(
            _near(home, rng, 2000, 10000),
            max(c.tr.now + 1800, _lt(d, rng.uniform(18.5, 19.5))),
            rng.uniform(1.0, 2.5),
        )
        c.trip(home, c.tr.now + 60)


def _all_saints_trip(c: Life, d: int) -> None:
    """Long weekend at the family's graves: leave on Thu 31 Oct, back on Sun 3 Nov (days d..d+3)."""
    s, rng, home = c.s, c.rng, c.s["home"]
    g = s["all_saints"]
    fam = tuple(g["family_home"])
    cem = tuple(g["cemetery"])
    c.trip(fam, max(c.tr.now + 1800, _lt(d, rng.uniform(14.5, 16.5))), factor=0.72)
    c.visit(cem, _lt(d + 1, rng.uniform(9.5, 11.5)), rng.uniform(1.0, 2.0), factor=1.0)
    c.trip(fam, c.tr.now + 60)
    if rng.random() < 0.6:
        c.visit(_near(fam, rng, 2000, 12000), _lt(d + 2, rng.uniform(11.0, 14.0)), rng.uniform(2.0, 4.0))
        c.trip(fam, c.tr.now + 60)
    c.trip(home, _lt(d + 3, rng.uniform(11.0, 14.5)), factor=0.75)
    c.skip.update({d + 1, d + 2, d + 3})


def _all_saints_day(c: Life, d: int) -> None:
    s, rng, home = c.s, c.rng, c.s["home"]
    g = s["all_saints"]
    fam, cem = tuple(g["family_home"]), tuple(g["cemetery"])
    c.visit(fam, _lt(d, rng.uniform(6.5, 8.5)), rng.uniform(0.7, 1.5), factor=0.75)
    c.visit(cem, c.tr.now + 300, rng.uniform(1.0, 2.0))
    c.visit(fam, c.tr.now + 300, rng.uniform(1.5, 3.0))
    c.trip(home, max(c.tr.now + 300, _lt(d, rng.uniform(15.5, 17.5))), factor=0.72)


def _office_day(c: Life, d: int) -> None:
    s, rng, home, work = c.s, c.rng, c.s["home"], c.s["work"]
    h = s["dep"] + float(rng.normal(0.0, 0.22))
    t = c.trip(work, _lt(d, h))
    if rng.random() < s["p_lunch"]:
        c.visit(_near(work, rng, 500, 2500), _lt(d, rng.uniform(12.0, 13.3)), rng.uniform(0.6, 1.1))
        c.trip(work, c.tr.now + 60)
    leave = t + (s["hours"] + float(rng.normal(0.0, 0.35))) * 3600.0
    if _day_date(d) == date(2024, 10, 31):
        leave = min(leave, _lt(d, rng.uniform(13.0, 14.5)))
    if rng.random() < 0.35:
        c.visit(_near(home, rng, 500, 2500), leave, rng.uniform(0.3, 0.6))
        c.trip(home, c.tr.now + 60)
    else:
        c.trip(home, leave)
    _evening(c, d)


def _home_office_day(c: Life, d: int) -> None:
    rng, home = c.rng, c.s["home"]
    if rng.random() < 0.5:
        c.visit(_near(home, rng, 500, 3000), _lt(d, rng.uniform(11.0, 17.5)), rng.uniform(0.3, 1.0))
        c.trip(home, c.tr.now + 60)


_SHIFTS = ((6.0, 14.0), (14.0, 22.0), (-2.0, 6.0))  # I, II, III (III starts 22:00 the evening before)


def _shift_day(c: Life, d: int) -> None:
    s, rng, home, work = c.s, c.rng, c.s["home"], c.s["work"]
    k = (s["phase"] + (d + 7) // 7) % 3
    start, end = _SHIFTS[k]
    commute = s["commute_h"]
    c.trip(work, _lt(d, start - commute - rng.uniform(0.35, 0.6)))
    c.tr.stay(_lt(d, end + rng.uniform(0.05, 0.3)))
    if k == 0 and rng.random() < 0.4:
        c.visit(_near(home, rng, 500, 3000), c.tr.now + 60, rng.uniform(0.3, 0.8))
    c.trip(home, c.tr.now + 60)
    if k == 1 and rng.random() < 0.3:
        c.visit(_near(home, rng, 500, 3000), _lt(d, rng.uniform(9.5, 11.0)), rng.uniform(0.3, 0.8))
        c.trip(home, c.tr.now + 60)
    if k == 2 and rng.random() < 0.35:
        c.visit(_near(home, rng, 500, 3000), _lt(d, rng.uniform(14.5, 17.0)), rng.uniform(0.3, 0.8))
        c.trip(home, c.tr.now + 60)
    if k == 0:
        _evening(c, d)


def _sales_day(c: Life, d: int, allow_hotel: bool = True) -> None:
    s, rng, home = c.s, c.rng, c.s["home"]
    region = [_town(n) for n in _CITIES[s["city"]]["region"]]
    week = (d + 7) // 7
    hotel = allow_hotel and s["hotel_days"].get(week) == d % 7
    n = int(rng.integers(3, 6))
    pick = rng.choice(len(region), size=min(n, len(region)), replace=False)
    clients = [_near(region[i], rng, 300, 3500) for i in pick]
    if c.tr.pos != home and _d(c.tr.pos, home) > 3000:  # morning after a hotel night
        clients = clients[:2]
    t = max(c.tr.now + 600, _lt(d, rng.uniform(7.0, 8.2)))
    while clients:
        j = int(np.argmin([_d(c.tr.pos, q) for q in clients]))
        q = clients.pop(j)
        t = c.visit(q, t, rng.uniform(0.6, 1.5)) + rng.uniform(300, 1200)
    if hotel:
        far = region[int(pick[-1])]
        c.trip(_near(far, rng, 500, 2000), t)
        s.setdefault("_hotels", []).append(d)
        return
    c.trip(home, t)
    _evening(c, d)


def _pool_day(c: Life, d: int) -> None:
    s, rng, lot = c.s, c.rng, c.s["home"]
    region = [_town(n) for n in _CITIES[s["city"]]["region"]]
    if _d(c.tr.pos, lot) > 500:  # taken home overnight by an employee
        c.trip(lot, _lt(d, rng.uniform(7.6, 8.6)), driver=s["last_driver"])
    t = _lt(d, rng.uniform(8.5, 10.5))
    for _ in range(int(rng.integers(1, 4))):
        drv = int(rng.integers(len(s["drivers"])))
        s["last_driver"] = drv
        dest = (
            _near(region[int(rng.integers(len(region)))], rng, 300, 3000)
            if rng.random() < 0.35
            else _near(lot, rng, 2000, 12000)
        )
        c.trip(dest, t, driver=drv)
        c.tr.stay(c.tr.now + rng.uniform(1.0, 3.0) * 3600)
        c.trip(lot, c.tr.now + 60, driver=drv)
        t = c.tr.now + rng.uniform(0.5, 2.0) * 3600
        if _local_hour(t) > 15.0:
            break
    if rng.random() < 0.1 and d % 7 < 4:
        drv = int(rng.integers(len(s["drivers"])))
        s["last_driver"] = drv
        c.trip(
            tuple(s["employee_homes"][drv]), max(c.tr.now + 600, _lt(d, rng.uniform(16.5, 17.5))), driver=drv
        )


def _private_life(spec: dict, rng, days: int) -> Life:
    kind = spec["kind"]
    c = Life(spec, rng, _lt(-1, 0.0), spec["home"])
    work_fn = {
        "office": _office_day,
        "commuter": _office_day,
        "shift": _shift_day,
        "sales_rep": _sales_day,
        "pool_car": _pool_day,
    }[kind]
    for d in range(-1, days + 1):
        if d in c.skip:
            continue
        day = _day_date(d)
        if kind == "pool_car":
            if not _is_free(d):
                _pool_day(c, d)
            elif _d(c.tr.pos, spec["home"]) > 500:
                c.trip(spec["home"], _lt(d, 9.0), driver=spec["last_driver"])
            continue
        g = spec.get("all_saints")
        if g is not None and g["type"] == "long" and day == date(2024, 10, 31):
            if not _is_free(d):
                if kind == "office" or kind == "commuter":
                    if d % 7 not in spec["home_office"]:
                        h = spec["dep"] + float(rng.normal(0.0, 0.2))
                        t = c.trip(spec["work"], _lt(d, h))
                        c.trip(spec["home"], min(t + 6 * 3600, _lt(d, rng.uniform(13.0, 14.0))))
                elif kind == "sales_rep":
                    _sales_day(c, d, allow_hotel=False)
                else:
                    work_fn(c, d)
            _all_saints_trip(c, d)
            continue
        if g is not None and g["type"] == "day" and day == ALL_SAINTS:
            _all_saints_day(c, d)
            continue
        if _is_free(d):
            _weekend(c, d)
        elif kind in ("office", "commuter") and d % 7 in spec["home_office"]:
            _home_office_day(c, d)
        else:
            work_fn(c, d)
    return c


def _courier_life(spec: dict, rng, days: int) -> Life:
    depot = spec["depot"]
    home = spec["home"]
    c = Life(spec, rng, _lt(-1, 0.0), home)
    zone = spec["zone"]
    for d in range(0, days + 1):
        wd = d % 7
        if _day_date(d) in HOLIDAYS or wd == 6 or (wd == 5 and not spec["saturday"]):
            continue
        sat = wd == 5
        if spec["kind"] == "courier_home":
            c.trip(depot, _lt(d, rng.uniform(6.1, 6.6) + (0.8 if sat else 0.0)))
        c.tr.stay(_lt(d, rng.uniform(7.9, 8.6) + (0.3 if sat else 0.0)))
        n = int(rng.integers(30, 50)) if sat else int(rng.integers(70, 121))
        r = rng.normal(0.0, 900.0, (n, 2))
        pool = np.array([_off(zone, float(a), float(b)) for a, b in r])
        # the driver's tour: nearest next stop, starting from the one nearest the depot
        order = []
        left = np.ones(n, bool)
        cur = depot
        for _ in range(n):
            dd = np.where(left, _hav(cur[0], cur[1], pool[:, 0], pool[:, 1]), np.inf)
            j = int(np.argmin(dd))
            order.append(j)
            left[j] = False
            cur = (pool[j, 0], pool[j, 1])
        stops = pool[order]
        t = c.trip(tuple(stops[0]), c.tr.now + 60)
        la, lo = stops[:, 0], stops[:, 1]
        leg = _hav(la[:-1], lo[:-1], la[1:], lo[1:]) * 1.3
        v = rng.uniform(15.0, 28.0, n - 1) / 3.6
        drive = np.maximum(leg / v, 20.0)
        dwell = 60.0 + rng.gamma(2.0, 50.0, n)
        big = rng.random(n) < 0.05
        dwell[big] += rng.uniform(300, 800, int(big.sum()))
        dwell[n // 2] += rng.uniform(1500, 2100)  # lunch
        dep = np.empty(n)
        arr = np.empty(n)
        arr[0] = t
        dep[0] = t + dwell[0]
        for i in range(1, n):
            arr[i] = dep[i - 1] + drive[i - 1]
            dep[i] = arr[i] + dwell[i]
        n = max(2, int(np.searchsorted(dep, _lt(d, 18.5 if not sat else 14.5))))
        la, lo, arr, dep = la[:n], lo[:n], arr[:n], dep[:n]
        # knots: depart stop i-1 (end of park), arrive stop i (end of drive)
        kt = np.empty(2 * (n - 1))
        kt[0::2] = dep[:-1]
        kt[1::2] = arr[1:]
        kla = np.repeat(la[:-1], 2)
        klo = np.repeat(lo[:-1], 2)
        kla[1::2] = la[1:]
        klo[1::2] = lo[1:]
        km = np.tile([PARK, DRIVE], n - 1)
        c.tr.bulk(kt, kla, klo, km)
        c.trip(depot, dep[-1])
        c.tr.stay(c.tr.now + rng.uniform(1200, 2400))
        if spec["kind"] == "courier_home":
            c.trip(home, c.tr.now + 60)
    return c


def _lorry_drive(c: Life, dest, st: dict, factor: float = 1.0, push: bool = False) -> None:
    """Drive to dest under the EU driving-time rules (45 min after 4.5 h, 11 h daily rest).
    push: the last leg home on Friday; the driver may extend to 10 h and drive until 23:30."""
    tr, rng = c.tr, c.rng
    pts, v = _route(tr.pos, dest, rng, "lorry", factor)
    P = [tr.pos] + pts
    durs = [_d(P[i], P[i + 1]) / (v[i] / 3.6) for i in range(len(pts))]
    cum = np.concatenate([[0.0], np.cumsum(durs)])
    total = cum[-1]
    tau = 0.0
    while total - tau > 1.0:
        h = _local_hour(tr.now)
        if h < 3.5:  # nobody sets off before half past three
            tr.stay(_lt(_local_day(tr.now), rng.uniform(3.5, 4.5)), REST)
            continue
        day_max = max(st["day_max"], 10 * 3600) if push else st["day_max"]
        day_left = day_max - st["today"]
        brk_left = 4.5 * 3600 - st["since_break"]
        clock_left = ((23.5 if push else 21.5) - h) * 3600
        if day_left <= 120 or clock_left <= 120:
            here = tr.pos
            tr.go([_ring(here, rng, 150, 400)], [20.0])
            tr.stay(tr.now + rng.uniform(11.0, 12.0) * 3600, REST)
            tr.go([here], [20.0])
            st["today"] = st["since_break"] = 0.0
            st["day_max"] = 10 * 3600 if rng.random() < 0.3 else 9 * 3600
            continue
        if brk_left <= 120:
            here = tr.pos
            tr.go([_ring(here, rng, 100, 300)], [15.0])
            tr.stay(tr.now + rng.uniform(45, 55) * 60, BREAK)
            tr.go([here], [15.0])
            st["since_break"] = 0.0
            continue
        chunk = min(total - tau, day_left, brk_left, clock_left)
        t0 = tr.now
        end = tau + chunk
        for k in range(1, len(cum)):
            if tau < cum[k] < end - 0.5:
                tr.t.append(t0 + cum[k] - tau)
                tr.la.append(P[k][0])
                tr.lo.append(P[k][1])
                tr.m.append(DRIVE)
        k = int(np.searchsorted(cum, end, side="right")) - 1
        k = min(k, len(P) - 2)
        f = (end - cum[k]) / max(cum[k + 1] - cum[k], 1e-9)
        f = min(max(f, 0.0), 1.0)
        tr.t.append(t0 + chunk)
        tr.la.append(P[k][0] + f * (P[k + 1][0] - P[k][0]))
        tr.lo.append(P[k][1] + f * (P[k + 1][1] - P[k][1]))
        tr.m.append(DRIVE)
        tau = end
        st["today"] += chunk
        st["since_break"] += chunk


def _lorry_work(c: Life, st: dict) -> None:
    tr, rng = c.tr, c.rng
    h = _local_hour(tr.now)
    if h >= 19.5 or h < 5.0:
        d = _local_day(tr.now) + (1 if h >= 19.5 else 0)
        tr.stay(_lt(d, rng.uniform(5.5, 6.5)), REST)
        st["today"] = st["since_break"] = 0.0
    tr.stay(tr.now + rng.uniform(1.0, 2.5) * 3600, WORK)
    st["since_break"] = 0.0


def _lorry_life(spec: dict, rng, days: int) -> Life:
    home = spec["home"]
    c = Life(spec, rng, _lt(-1, 0.0), home)
    c.vclass = "lorry"
    st = {"today": 0.0, "since_break": 0.0, "day_max": 9 * 3600}
    end = _lt(days, 0.0)
    away = set(spec["weekends_away_weeks"])
    at_home = True
    foreign_next = True
    berlin_bias = 0.2 if home[0] < 51.3 else 0.75
    near_hubs = sorted(_HUBS_PL, key=lambda h: _d(home, (h[1], h[2])))
    for w in range(0, days // 7 + 2):
        d0 = 7 * w
        if _lt(d0, 0.0) >= end:
            break
        hol = any(_day_date(d0 + k) in HOLIDAYS for k in range(2, 5))
        trigger = _lt(d0 + 2, 16.0) if hol else _lt(d0 + 4, rng.uniform(6.0, 10.0))
        if at_home:
            c.tr.stay(_lt(d0, rng.uniform(3.6, 5.5)))
            st.update(today=0.0, since_break=0.0)
            hub = near_hubs[int(rng.integers(0, 2))]  # first load of the week near home
            _lorry_drive(c, _jit((hub[1], hub[2]), rng, 150), st)
            _lorry_work(c, st)
            foreign_next = True
            at_home = False
        while c.tr.now < trigger and c.tr.now < end:
            if foreign_next:
                group = _HUBS_BER if rng.random() < berlin_bias else _HUBS_PRG
                hub = group[int(rng.integers(len(group)))]
            else:
                hub = near_hubs[int(rng.integers(0, 4))]
            _lorry_drive(c, _jit((hub[1], hub[2]), rng, 150), st)
            _lorry_work(c, st)
            foreign_next = not foreign_next
        if c.tr.now >= end:
            break
        if w in away and not hol:
            # reduced weekly rest in the cab at a truck park, then straight into the next week
            spec.setdefault("_away", []).append(d0 + 5)
            c.tr.go([_ring(c.tr.pos, rng, 800, 2500)], [25.0])
            c.tr.stay(_lt(d0 + 7, rng.uniform(3.6, 4.5)), REST)
            st.update(today=0.0, since_break=0.0)
            continue
        _lorry_drive(c, home, st, push=True)
        at_home = True
    return c


# ----------------------------------------------------------------------------------- sampling


_VMAX = {"car": 148.0, "van": 122.0, "lorry": 89.0}


def _sample(
    c: Life, step_move: float, step_park: float, step_work: float, t_lo: float, t_hi: float, rng
) -> dict:
    tr = c.tr
    t = np.asarray(tr.t)
    la = np.asarray(tr.la)
    lo = np.asarray(tr.lo)
    m = np.asarray(tr.m, dtype=np.int8)
    if len(t) < 2:
        t = np.array([t[0], t_hi + 1])
        la = np.repeat(la, 2)
        lo = np.repeat(lo, 2)
        m = np.array([PARK], dtype=np.int8)
    if t[-1] < t_hi:
        t = np.append(t, t_hi + 1.0)
        la = np.append(la, la[-1])
        lo = np.append(lo, lo[-1])
        m = np.append(m, np.int8(PARK))
    ch = np.flatnonzero(m[1:] != m[:-1]) + 1
    s0 = np.r_[0, ch]
    s1 = np.r_[ch, len(m)]
    a, b, sm = t[s0], t[s1], m[s0]
    step = np.where(sm == DRIVE, step_move, np.where(sm == WORK, step_work, step_park)).astype(float)
    dur = b - a
    drv = sm == DRIVE
    n = np.where(
        drv,
        np.floor(np.maximum(dur - 1.0, 0.0) / step).astype(np.int64) + 2,
        np.maximum(np.ceil(dur / step).astype(np.int64) - 1, 0),
    )
    seg = np.repeat(np.arange(len(sm)), n)
    k = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
    is_drv = drv[seg]
    ts = a[seg] + (k + np.where(is_drv, 0, 1)) * step[seg]
    last = k == n[seg] - 1
    ev = np.zeros(len(ts), dtype=np.int8)
    ev[is_drv & (k == 0)] = 1
    ev[is_drv & last] = 2
    ts[is_drv & last] = b[seg][is_drv & last]
    jit = rng.uniform(-1.0, 1.0, len(ts)) * np.where(is_drv, 1.5, 25.0)
    jit[ev > 0] = 0.0
    ts = ts + jit
    ts = np.where(is_drv, ts, np.clip(ts, a[seg] + 2.0, b[seg] - 2.0))
    ts = np.round(ts)
    keep = (ts >= t_lo) & (ts < t_hi)
    ts, ev, is_drv = ts[keep], ev[keep], is_drv[keep]
    order = np.argsort(ts, kind="stable")
    ts, ev, is_drv = ts[order], ev[order], is_drv[order]
    ok = np.r_[True, np.diff(ts) > 0]
    ts, ev, is_drv = ts[ok], ev[ok], is_drv[ok]
    lat = np.interp(ts, t, la)
    lon = np.interp(ts, t, lo)
    idx = np.clip(np.searchsorted(t, ts, side="right") - 1, 0, len(m) - 1)
    mode = m[idx]
    seg_d = _hav(la[:-1], lo[:-1], la[1:], lo[1:])
    seg_v = seg_d / np.maximum(np.diff(t), 1.0) * 3.6
    brg = _bearing(la[:-1], lo[:-1], la[1:], lo[1:])
    moving_knot = m == DRIVE
    hd = np.where(moving_knot, brg, np.nan)
    # parked: keep the heading of the last drive
    fill = np.where(~np.isnan(hd), np.arange(len(hd)), 0)
    np.maximum.accumulate(fill, out=fill)
    hd = np.nan_to_num(hd[fill], nan=0.0)
    moving = (mode == DRIVE) & (ev == 0)
    fac = np.clip(rng.normal(1.0, 0.08, len(ts)), 0.75, 1.2)
    speed = np.where(moving, np.minimum(seg_v[idx] * fac, _VMAX[c.vclass]), 0.0)
    heading = hd[idx]
    cum = np.concatenate([[0.0], np.cumsum(seg_d)])
    odo = np.interp(ts, t, cum) / 1000.0
    noise = np.where(moving, 4.0, 7.0)
    lat = lat + rng.normal(0.0, 1.0, len(ts)) * noise / 111320.0
    lon = lon + rng.normal(0.0, 1.0, len(ts)) * noise / (111320.0 * np.cos(np.radians(lat)))
    ign = (mode == DRIVE) & (ev != 2)
    return dict(
        u=ts.astype(np.int64),
        lat=lat,
        lon=lon,
        speed=speed,
        heading=heading,
        ev=ev,
        mode=mode,
        odo=odo,
        moving=moving,
        ign=ign,
    )


# ----------------------------------------------------------------------------------- formatting


def _fixed(x: np.ndarray, nd: int, dec: str = ",") -> np.ndarray:
    s = np.round(np.abs(x) * 10**nd).astype(np.int64)
    ip = (s // 10**nd).astype(str).astype(object)
    out = ip
    if nd:
        fp = np.char.zfill((s % 10**nd).astype(str), nd).astype(object)
        out = ip + dec + fp
    neg = (x < 0) & (s > 0)
    if neg.any():
        out = np.where(neg, "-" + out, out)
    return out


_HMS = None


def _hms(sec_of_day: np.ndarray) -> np.ndarray:
    global _HMS
    if _HMS is None:
        h = np.arange(86400) // 3600
        mi = np.arange(86400) // 60 % 60
        se = np.arange(86400) % 60
        _HMS = np.array([f"{a:02d}:{b:02d}:{c:02d}" for a, b, c in zip(h, mi, se)], dtype=object)
    return _HMS[sec_of_day]


def _dates(naive_sec: np.ndarray, fmt: str) -> np.ndarray:
    days = np.floor_divide(naive_sec, 86400)
    ud, inv = np.unique(days, return_inverse=True)
    s = np.array([(datetime(1970, 1, 1) + timedelta(days=int(x))).strftime(fmt) for x in ud], dtype=object)
    return s[inv]


def _nearest_place(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    key = np.round(lat * 200).astype(np.int64) * 100000 + np.round(lon * 200).astype(np.int64)
    uk, first, inv = np.unique(key, return_index=True, return_inverse=True)
    qa, qo = lat[first], lon[first]
    out = np.empty(len(uk), dtype=np.int64)
    for i in range(0, len(uk), 20000):
        dy = qa[i : i + 20000, None] - _PL_LAT[None, :]
        dx = (qo[i : i + 20000, None] - _PL_LON[None, :]) * 0.62
        out[i : i + 20000] = np.argmin(dy * dy + dx * dx, axis=1)
    return out[inv]


def _country(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    de = (lon < 14.62) & (lat > 50.8)
    cz = ((lat < 50.45) & (lon < 16.30)) | ((lat < 49.95) & (lon < 18.42))
    return np.where(de, "DE", np.where(cz, "CZ", "PL")).astype(object)


def _csv_bytes(
    header: list[str], cols: list, sep: str, encoding: str, preamble: list[str] = (), bom: bool = False
) -> bytes:
    lines = list(preamble) + [sep.join(header)]
    lines += list(map(sep.join, zip(*[list(c) for c in cols])))
    text = "\r\n".join(lines) + "\r\n"
    data = text.encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


# ----------------------------------------------------------------------------------- names & plates
_FIRST_M = [
    "Łukasz",
    "Paweł",
    "Michał",
    "Krzysztof",
    "Tomasz",
    "Piotr",
    "Grzegorz",
    "Marcin",
    "Jarosław",
    "Wojciech",
    "Zbigniew",
    "Mateusz",
    "Bartłomiej",
    "Przemysław",
    "Jędrzej",
    "Maciej",
    "Kamil",
    "Sławomir",
    "Dariusz",
    "Radosław",
    "Andrzej",
    "Jacek",
    "Rafał",
    "Józef",
]
_FIRST_F = [
    "Małgorzata",
    "Agnieszka",
    "Katarzyna",
    "Magdalena",
    "Joanna",
    "Anna",
    "Beata",
    "Elżbieta",
    "Dorota",
    "Żaneta",
    "Monika",
    "Urszula",
    "Justyna",
    "Aleksandra",
    "Grażyna",
    "Jolanta",
]
_LAST = [
    "Nowak",
    "Kowalski",
    "Wiśniewski",
    "Wójcik",
    "Kowalczyk",
    "Kamiński",
    "Lewandowski",
    "Zieliński",
    "Szymański",
    "Woźniak",
    "Dąbrowski",
    "Kozłowski",
    "Jankowski",
    "Mazur",
    "Kwiatkowski",
    "Krawczyk",
    "Piotrowski",
    "Grabowski",
    "Pawłowski",
    "Michalski",
    "Król",
    "Wieczorek",
    "Jabłoński",
    "Wróbel",
    "Majewski",
    "Olszewski",
    "Stępień",
    "Malinowski",
    "Górski",
    "Sikora",
    "Walczak",
    "Szczepański",
    "Kaźmierczak",
    "Żak",
    "Łuczak",
    "Błaszczyk",
    "Gołębiowski",
    "Chmielewski",
    "Ślusarczyk",
    "Kołodziej",
    "Pająk",
    "Grzesik",
    "Świerczek",
    "Ździebło",
    "Kubiak",
    "Pietrzak",
]
_LET = "ACEFGHJKLMNPRSTUVWXY"


def _person(rng) -> tuple[str, str]:
    last = _LAST[int(rng.integers(len(_LAST)))]
    if rng.random() < 0.35:
        first = _FIRST_F[int(rng.integers(len(_FIRST_F)))]
        if last.endswith("ski") or last.endswith("cki"):
            last = last[:-1] + "a"
    else:
        first = _FIRST_M[int(rng.integers(len(_FIRST_M)))]
    return first, last


def _plate(code: str, rng, used: set) -> str:
    while True:
        D = lambda: str(int(rng.integers(10)))  # noqa: E731
        L = lambda: _LET[int(rng.integers(len(_LET)))]  # noqa: E731
        pats = ["DDDDD", "DDDDL", "DDDLL", "DLDDD", "DLLDD"] + (
            ["DDDLL", "DLLLD"] if len(code) == 2 else ["DDLL"]
        )
        pat = pats[int(rng.integers(len(pats)))]
        res = "".join(D() if ch == "D" else L() for ch in pat)
        if res[0] == "0":
            res = "1" + res[1:]
        p = f"{code} {res}"
        if p not in used:
            used.add(p)
            return p


# ----------------------------------------------------------------------------------- fleet plan
_KIND_SHARE = [
    ("long_haul", 0.18),
    ("courier", 0.20),
    ("office", 0.27),
    ("commuter", 0.11),
    ("shift", 0.13),
    ("sales_rep", 0.07),
    ("pool_car", 0.04),
]


def _composition(n: int) -> list[str]:
    raw = [(k, s * n) for k, s in _KIND_SHARE]
    cnt = {k: int(math.floor(x)) for k, x in raw}
    rest = n - sum(cnt.values())
    for k, _x in sorted(raw, key=lambda kx: (-(kx[1] - math.floor(kx[1])), kx[0]))[:rest]:
        cnt[k] += 1
    out = []
    for k, _ in _KIND_SHARE:
        if k == "courier":
            out += ["courier_depot" if i % 2 else "courier_home" for i in range(cnt[k])]
        else:
            out += [k] * cnt[k]
    return out


_MODELS = {
    "office": [
        "Škoda Octavia",
        "Toyota Corolla",
        "Škoda Superb",
        "Kia Ceed",
        "Hyundai i30",
        "Volkswagen Passat",
    ],
    "commuter": ["Škoda Octavia", "Toyota Corolla", "Kia Ceed", "Opel Astra"],
    "shift": ["Dacia Duster", "Opel Astra", "Fiat Tipo", "Toyota Yaris", "Škoda Fabia"],
    "sales_rep": ["Škoda Superb", "Volkswagen Passat", "Toyota Corolla TS", "Ford Mondeo"],
    "pool_car": ["Toyota Yaris", "Škoda Fabia", "Toyota Corolla"],
    "courier_depot": [
        "Renault Master",
        "Ford Transit",
        "Fiat Ducato",
        "Mercedes-Benz Sprinter",
        "Iveco Daily",
    ],
    "courier_home": [
        "Renault Master",
        "Ford Transit",
        "Fiat Ducato",
        "Mercedes-Benz Sprinter",
        "Iveco Daily",
    ],
    "long_haul": [
        "DAF XF 480",
        "Volvo FH 500",
        "Scania R 450",
        "MAN TGX 18.470",
        "Mercedes-Benz Actros 1848",
        "Iveco S-Way 490",
    ],
}
_BODY = {"courier_depot": "dostawczy", "courier_home": "dostawczy", "long_haul": "ciągnik siodłowy"}


def _files(days: int) -> dict:
    end = _START + timedelta(days=days - 1)
    w0 = _START.isocalendar().week
    w1 = end.isocalendar().week
    return {
        "pl": f"historia_pozycji_{_START:%Y%m%d}_{end:%Y%m%d}.csv",
        "de": f"Positionen_KW{w0:02d}-KW{w1:02d}_{end.year}.csv",
        "tc": "tc_positions_dump.parquet",
    }


def _plan(n: int, days: int, seed: int) -> list[dict]:
    rng = np.random.default_rng([seed, 1])
    kinds = _composition(n)
    files = _files(days)
    used: set[str] = set()
    specs = []
    cities = list(_CITY_W)
    cw = np.array([_CITY_W[k] for k in cities])
    npl = sum(k in ("office", "commuter", "shift", "sales_rep", "pool_car") for k in kinds)
    # tracker models on the Polish platform
    n105 = max(1, round(0.18 * npl)) if npl >= 2 else 0
    n90 = 1 if npl >= 3 else 0
    pl_idx = [i for i, k in enumerate(kinds) if k in ("office", "commuter", "shift", "sales_rep", "pool_car")]
    perm = [pl_idx[int(j)] for j in rng.permutation(len(pl_idx))]
    cand90 = [i for i in perm if kinds[i] in ("office", "commuter")]
    dev = {i: "LK-210" for i in pl_idx}
    if n90 and cand90:
        dev[cand90[0]] = "LK-90"
    for i in [i for i in perm if dev[i] == "LK-210"][:n105]:
        dev[i] = "LK-105"
    priv_cands = [i for i in perm if kinds[i] in ("office", "commuter", "sales_rep") and dev[i] != "LK-90"]
    n_priv = max(1, round(0.12 * len(priv_cands))) if priv_cands else 0
    private = set(priv_cands[::-1][:n_priv])
    site_w = np.array([s[4] for s in _SHIFT_SITES])
    zones = rng.permutation(len(_COURIER_ZONES))
    lorry_homes = rng.permutation(len(_LORRY_HOMES))
    n_lorry = 0
    n_cour = 0
    for i, kind in enumerate(kinds):
        vr = np.random.default_rng([seed, 2, i])
        s: dict = {"kind": kind, "index": i}
        first, last = _person(vr)
        s["driver"] = (first, last)
        if kind in ("office", "commuter", "sales_rep", "pool_car", "shift"):
            s["platform"] = "pl"
            s["device"] = dev[i]
            if kind == "shift":
                site = _SHIFT_SITES[int(vr.choice(len(_SHIFT_SITES), p=site_w / site_w.sum()))]
                s["city"] = site[1]
                s["site"] = site[0]
                s["work"] = _jit((site[2], site[3]), vr, 120)
                homes = _CITIES[site[1]]["homes"]
                dist = np.array([_d((h[0], h[1]), s["work"]) for h in homes])
                w = 1.0 / (2000.0 + dist) ** 2
                h = homes[int(vr.choice(len(homes), p=w / w.sum()))]
                s["home"] = _jit((h[0], h[1]), vr, 700)
                code = h[2]
                s["phase"] = int(vr.integers(3))
                s["commute_h"] = 0.1 + _d(s["home"], s["work"]) / 1000.0 / (
                    30.0 if _d(s["home"], s["work"]) < 10000 else 50.0
                )
            else:
                ck = cities[int(vr.choice(len(cities), p=cw / cw.sum()))]
                city = _CITIES[ck]
                s["city"] = ck
                office = city["offices"][int(vr.integers(len(city["offices"])))]
                if kind == "commuter":
                    tn, code = city["towns40"][int(vr.integers(len(city["towns40"])))]
                    s["town"] = tn
                    s["home"] = _jit(_town(tn), vr, 900)
                else:
                    h = city["homes"][int(vr.integers(len(city["homes"])))]
                    s["home"] = _jit((h[0], h[1]), vr, 700)
                    code = h[2]
                if kind in ("office", "commuter"):
                    s["work"] = _jit(office, vr, 200)
                    s["dep"] = (
                        float(vr.uniform(6.2, 7.1)) if kind == "commuter" else float(vr.uniform(7.0, 8.7))
                    )
                    s["hours"] = float(vr.uniform(8.6, 9.4))
                    s["p_lunch"] = float(vr.choice([0.0, 0.1, 0.3]))
                    ho = vr.random()
                    s["home_office"] = (
                        [] if ho < 0.5 else ([4] if ho < 0.75 else sorted({0, 4} if ho < 0.9 else {2}))
                    )
                elif kind == "sales_rep":
                    s["work"] = None
                    s["hotel_days"] = {
                        w: int(vr.integers(1, 4)) for w in range(days // 7 + 2) if vr.random() < 0.6
                    }
                else:  # pool car: lives on the company's lot
                    lot = _jit(office, vr, 150)
                    s["home"] = lot
                    s["work"] = None
                    s["drivers"] = [_person(vr) for _ in range(5)]
                    s["employee_homes"] = [
                        _jit(city["homes"][int(vr.integers(len(city["homes"])))][:2], vr, 800)
                        for _ in range(5)
                    ]
                    s["last_driver"] = 0
                    code = None
            city = _CITIES[s["city"]]
            if code is None or (kind in ("office", "sales_rep", "pool_car") and vr.random() < 0.25):
                code = (
                    city["plates"][int(vr.integers(len(city["plates"])))]
                    if vr.random() < 0.6 or kind == "shift"
                    else ["WX", "WY", "WW"][int(vr.integers(3))]
                )
            if kind != "pool_car":
                # a działka: a city allotment (ROD) or a summer plot 30-70 km out
                if vr.random() < 0.35:
                    if vr.random() < 0.55:
                        s["dzialka"] = {
                            "type": "ROD",
                            "place": _jit(city["rod"][int(vr.integers(len(city["rod"])))], vr, 250),
                            "overnight": False,
                        }
                    else:
                        s["dzialka"] = {
                            "type": "rekreacyjna",
                            "place": _jit(city["rekre"][int(vr.integers(len(city["rekre"])))], vr, 1500),
                            "overnight": True,
                        }
                s["cemetery_local"] = min(city["cemeteries"], key=lambda q: _d(q, s["home"]))
                if s.get("town"):
                    s["cemetery_local"] = _ring(_town(s["town"]), vr, 300, 1500)
                u = vr.random()
                if u < 0.42:
                    far = [g for g in _GRAVES if 60000 < _d((g[1], g[2]), s["home"]) < 380000]
                    g = far[int(vr.integers(len(far)))]
                    cem = (g[1], g[2])
                    s["all_saints"] = {
                        "type": "long" if u < 0.17 else "day",
                        "city": g[0],
                        "cemetery": list(cem),
                        "family_home": list(_ring(cem, vr, 1500, 6000)),
                    }
            s["private_mode"] = i in private
        elif kind in ("courier_depot", "courier_home"):
            s["platform"] = "tc"
            s["vclass"] = "van"
            dep = _COURIER_DEPOTS[n_cour % 2]
            s["depot_name"] = dep[0]
            s["depot"] = (dep[1], dep[2])
            s["zone"] = _COURIER_ZONES[int(zones[n_cour % len(zones)])]
            s["saturday"] = bool(vr.random() < 0.5)
            if kind == "courier_home":
                tn, code = _COURIER_HOMES[int(vr.integers(len(_COURIER_HOMES)))]
                s["home"] = _jit(_town(tn), vr, 900)
                s["work"] = s["depot"]
            else:
                s["home"] = _jit(s["depot"], vr, 40)
                s["depot"] = s["home"]
                s["work"] = None
                code = ["WX", "WI", "WPI", "WPR", "WN"][int(vr.integers(5))]
            s["device"] = "GT06-OBD"
            n_cour += 1
        else:
            s["platform"] = "de"
            tn, code = _LORRY_HOMES[int(lorry_homes[n_lorry % len(lorry_homes)])]
            s["home_town"] = tn
            s["home"] = _ring(_town(tn), vr, 2000, 7000)
            s["work"] = None
            nweeks = (days + 6) // 7
            ok_weeks = [
                w for w in range(nweeks - 1) if not any(_day_date(7 * w + k) in HOLIDAYS for k in range(2, 5))
            ]
            away = vr.random() < 0.3
            s["weekends_away_weeks"] = (
                [ok_weeks[int(vr.integers(len(ok_weeks)))]] if away and ok_weeks else []
            )
            s["device"] = "TX-OBU 3"
            n_lorry += 1
        s["id"] = _plate(code, vr, used)
        s["make_model"] = _MODELS[kind][int(vr.integers(len(_MODELS[kind])))]
        s["year"] = int(vr.integers(2016, 2025))
        s["fuel"] = (
            "ON"
            if kind in ("long_haul", "courier_depot", "courier_home")
            else ["PB", "ON", "HEV", "LPG"][int(vr.choice(4, p=[0.45, 0.25, 0.2, 0.1]))]
        )
        s["file"] = files[s["platform"]]
        specs.append(s)
    return specs


# ----------------------------------------------------------------------------------- writers


def _pl_rows(spec: dict, smp: dict, rng, faults: dict) -> dict:
    """Columns of one vehicle in the Polish export, in the platform's receipt (= true time) order."""
    u = smp["u"]
    model = spec["device"]
    if model == "LK-210":
        naive = u + _warsaw_offset(u)
    elif model == "LK-105":
        naive = u + np.where((u < T_US_DST_END) | (u >= T_US_DST_START), 7200, 3600)
    else:  # LK-90: GPS week rollover, then the server's conversion of that (wrong) instant
        u2 = u - WNRO_DAYS * 86400
        naive = u2 + _warsaw_offset(u2)
    lat, lon = smp["lat"].copy(), smp["lon"].copy()
    n = len(u)
    vid = spec["id"]
    # null island: LK-105 writes 0/0 on the ignition-on record when the receiver has no fix yet
    zero = np.zeros(n, bool)
    if model == "LK-105":
        zero = (smp["ev"] == 1) & (rng.random(n) < 0.25)
        lat[zero] = 0.0
        lon[zero] = 0.0
        if zero.any():
            faults["null_island"][vid] = int(zero.sum())
    # private mode: from the first ignition-on after Friday 17:00 to the first one after Monday 04:00
    priv = np.zeros(n, bool)
    if spec.get("private_mode"):
        on = u[smp["ev"] == 1]
        nweeks = int((u[-1] - _lt(0, 0.0)) // (7 * 86400)) + 2 if len(u) else 0
        for w in range(nweeks):
            fri, mon = _lt(7 * w + 4, 17.0), _lt(7 * w + 7, 4.0)
            a = on[on >= fri]
            if not len(a) or a[0] >= mon:
                continue
            b = on[on >= mon]
            priv |= (u >= a[0]) & (u < (b[0] if len(b) else u[-1] + 1))
        if priv.any():
            faults["private_mode_blank"][vid] = int(priv.sum())
    # unflagged multipath / cell-fallback outliers on moving fixes
    spike = smp["moving"] & ~priv & ~zero & (rng.random(n) < 1 / 2500.0)
    for j in np.flatnonzero(spike):
        r = rng.uniform(800, 6000)
        a = rng.uniform(0, 2 * math.pi)
        lat[j], lon[j] = _off((lat[j], lon[j]), r * math.cos(a), r * math.sin(a))
    has = ~priv & ~zero
    place = np.full(n, "", dtype=object)
    if has.any():
        k = _nearest_place(lat[has], lon[has])
        place[has] = _PL_NAME[k] + " (" + _PL_REG[k] + ")"
    lat_s = _fixed(lat, 6)
    lon_s = _fixed(lon, 6)
    lat_s[priv] = ""
    lon_s[priv] = ""
    speed = np.round(smp["speed"]).astype(np.int64)
    ev = smp["ev"]
    zd = np.where(
        ev == 1,
        "Włączenie zapłonu",
        np.where(ev == 2, "Wyłączenie zapłonu", np.where(smp["moving"], "Jazda", "Postój")),
    ).astype(object)
    if spec["kind"] == "pool_car" and spec.get("_trips"):
        tt = np.array([x[0] for x in spec["_trips"]])
        dd = np.array([x[1] for x in spec["_trips"]])
        j = np.clip(np.searchsorted(tt, u + 59, side="right") - 1, 0, len(tt) - 1)
        names = np.array([f"{a} {b}" for a, b in spec["drivers"]], dtype=object)
        drv = names[dd[j]]
    else:
        drv = np.full(n, f"{spec['driver'][0]} {spec['driver'][1]}", dtype=object)
    for j in np.flatnonzero(spike):
        faults["position_spikes"].append(
            {
                "vehicle_id": vid,
                "file": spec["file"],
                "utc": _iso(int(u[j])),
                "lat": round(float(lat[j]), 6),
                "lon": round(float(lon[j]), 6),
            }
        )
    if model == "LK-105":
        wrong = int(((u >= T_DST_END) & (u < T_US_DST_END)).sum())
        faults["dst_us_rule_devices"]["vehicles"][vid] = wrong
    if model == "LK-90":
        faults["gps_week_rollover"]["vehicles"][vid] = n
    return {
        "id": np.full(n, vid, dtype=object),
        "drv": drv,
        "date": _dates(naive, "%d.%m.%Y"),
        "time": _hms(np.mod(naive, 86400)),
        "lat": lat_s,
        "lon": lon_s,
        "speed": speed.astype(str).astype(object),
        "head": (np.round(smp["heading"]).astype(np.int64) % 360).astype(str).astype(object),
        "ign": np.where(smp["ign"], "wł.", "wył.").astype(object),
        "odo": _fixed(smp["odo"] + spec["odo0"], 1),
        "mode": np.where(priv, "prywatny", "służbowy").astype(object),
        "ev": zd,
        "place": place,
        "_naive": naive,
    }


def _iso(u: int) -> str:
    return datetime.fromtimestamp(u, _UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_PL_HEADER = [
    "Nr rejestracyjny",
    "Kierowca",
    "Data",
    "Godzina",
    "Szerokość",
    "Długość",
    "Prędkość [km/h]",
    "Kierunek [°]",
    "Zapłon",
    "Przebieg [km]",
    "Tryb jazdy",
    "Zdarzenie",
    "Lokalizacja",
]
_DE_HEADER = [
    "Kennzeichen",
    "Fahrer",
    "Datum (UTC)",
    "Uhrzeit (UTC)",
    "Breitengrad",
    "Längengrad",
    "Geschwindigkeit [km/h]",
    "Richtung [°]",
    "Zündung",
    "Tacho-Status",
    "Kilometerstand [km]",
    "Land",
    "Ort",
]


def _write_pl(folder: Path, name: str, parts: list[dict], days: int) -> None:
    parts = sorted(parts, key=lambda p: p["id"][0] if len(p["id"]) else "")
    keys = ["id", "drv", "date", "time", "lat", "lon", "speed", "head", "ign", "odo", "mode", "ev", "place"]
    cols = [np.concatenate([p[k] for p in parts]) for k in keys]
    end = _START + timedelta(days=days - 1)
    pre = [
        "Raport;Historia położenia pojazdów",
        f"Okres;{_START:%d.%m.%Y} - {end:%d.%m.%Y}",
        f"Wygenerowano;{end + timedelta(days=1, hours=8, minutes=12):%d.%m.%Y %H:%M}",
        "",
    ]
    (folder / name).write_bytes(_csv_bytes(_PL_HEADER, cols, ";", "cp1250", pre))


def _write_de(folder: Path, name: str, parts: list[dict], days: int, faults: dict) -> None:
    allc = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    _, idcode = np.unique(allc["id"].astype(str), return_inverse=True)
    order = np.lexsort((allc["u"], idcode))
    allc = {k: v[order] for k, v in allc.items()}
    local = allc["u"] + _warsaw_offset(allc["u"])
    lday = np.floor_divide(local - int(_START.replace(tzinfo=_UTC).timestamp()), 86400)
    nweeks = (days + 6) // 7
    keys = ["id", "drv", "date", "time", "lat", "lon", "speed", "head", "ign", "tacho", "odo", "land", "ort"]
    lines = []
    dup = 0
    dup_days = []
    for w in range(nweeks):
        lo_d = 7 * w
        hi_d = min(7 * w + 7, days - 1) if w < nweeks - 1 else days - 1
        sel = (lday >= lo_d) & (lday <= hi_d)
        if w < nweeks - 1:
            dup += int((lday == hi_d).sum())
            dup_days.append(_day_date(hi_d).isoformat())
        part = [allc[k][sel] for k in keys]
        lines.append(";".join(_DE_HEADER))
        lines += list(map(";".join, zip(*[list(c) for c in part])))
    text = "\r\n".join(lines) + "\r\n"
    (folder / name).write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    faults["weekly_export_concatenation"] = {
        "file": name,
        "parts": nweeks,
        "extra_header_lines": nweeks - 1,
        "duplicated_rows": dup,
        "duplicated_local_dates": dup_days,
    }


def _de_rows(spec: dict, smp: dict) -> dict:
    u = smp["u"]
    n = len(u)
    mode = smp["mode"]
    tacho = np.select(
        [smp["moving"] | (smp["ev"] == 1), mode == WORK, (mode == REST) | (mode == BREAK)],
        ["Lenkzeit", "Arbeitszeit", "Ruhezeit"],
        "Keine Karte",
    ).astype(object)
    name = f"{spec['driver'][1]}, {spec['driver'][0]}"
    drv = np.where(tacho == "Keine Karte", "", name).astype(object)
    k = _nearest_place(smp["lat"], smp["lon"])
    return {
        "u": u,
        "id": np.full(n, spec["id"], dtype=object),
        "drv": drv,
        "date": _dates(u, "%d.%m.%Y"),
        "time": _hms(np.mod(u, 86400)),
        "lat": _fixed(smp["lat"], 6),
        "lon": _fixed(smp["lon"], 6),
        "speed": np.round(smp["speed"]).astype(np.int64).astype(str).astype(object),
        "head": (np.round(smp["heading"]).astype(np.int64) % 360).astype(str).astype(object),
        "ign": np.where(smp["ign"], "Ein", "Aus").astype(object),
        "tacho": tacho,
        "odo": _fixed(smp["odo"] + spec["odo0"], 1),
        "land": _country(smp["lat"], smp["lon"]),
        "ort": _PL_NAME[k],
    }


def _tc_rows(spec: dict, smp: dict, rng, faults: dict, devid: int) -> dict:
    u = smp["u"]
    n = len(u)
    vid = spec["id"]
    fix = u.copy()
    fold = (u >= T_DST_END) & (u < T_DST_END + 3600)
    fix[fold] -= 3600
    if fold.any():
        faults["dst_server_fold"]["vehicles"][vid] = int(fold.sum())
    server = u * 1000 + rng.integers(800, 4500, n)
    late = np.zeros(n, bool)
    # GSM dead spots: the backlog is sent after the live position, minutes later
    drive_idx = np.flatnonzero(smp["moving"])
    nb = int(rng.integers(1, 4))
    blocks = []
    for _ in range(nb):
        if len(drive_idx) < 200:
            break
        j0 = int(drive_idx[int(rng.integers(len(drive_idx)))])
        t0 = u[j0]
        if abs(t0 - T_DST_END) < 6 * 3600:
            continue
        t1 = t0 + int(rng.uniform(10, 40) * 60)
        blk = (u >= t0) & (u < t1) & ~late
        if blk.sum() < 5:
            continue
        arrive = (t1 + int(rng.uniform(90, 300))) * 1000
        server[blk] = arrive + np.arange(int(blk.sum())) * 40
        late |= blk
        blocks.append({"from_utc": _iso(int(t0)), "until_utc": _iso(int(t1)), "rows": int(blk.sum())})
    if blocks:
        faults["late_buffered_uploads"]["vehicles"][vid] = blocks
    lat, lon = smp["lat"].copy(), smp["lon"].copy()
    spike = smp["moving"] & ~late & ~fold & (rng.random(n) < 1 / 6000.0)
    for j in np.flatnonzero(spike):
        r = rng.uniform(800, 6000)
        a = rng.uniform(0, 2 * math.pi)
        lat[j], lon[j] = _off((lat[j], lon[j]), r * math.cos(a), r * math.sin(a))
        faults["position_spikes"].append(
            {
                "vehicle_id": vid,
                "file": spec["file"],
                "utc": _iso(int(u[j])),
                "lat": round(float(lat[j]), 6),
                "lon": round(float(lon[j]), 6),
            }
        )
    odo_m = np.round((smp["odo"] + spec["odo0"]) * 1000).astype(np.int64)
    sat = rng.integers(6, 15, n)
    power = np.round(rng.normal(13.9, 0.15, n) - np.where(smp["ign"], 0.0, 1.3), 2)
    ign_s = np.where(smp["ign"], "true", "false").astype(object)
    mot_s = np.where(smp["moving"], "true", "false").astype(object)
    attrs = (
        '{"ignition":'
        + ign_s
        + ',"motion":'
        + mot_s
        + ',"odometer":'
        + odo_m.astype(str).astype(object)
        + ',"sat":'
        + sat.astype(str).astype(object)
        + ',"power":'
        + _fixed(power, 2, ".")
        + "}"
    )
    return {
        "deviceid": np.full(n, devid, dtype=np.int32),
        "device_name": np.full(n, vid, dtype=object),
        "protocol": np.full(n, "gt06", dtype=object),
        "servertime": server,
        "devicetime": fix * 1000,
        "fixtime": fix * 1000,
        "valid": np.ones(n, bool),
        "latitude": np.round(lat, 6),
        "longitude": np.round(lon, 6),
        "altitude": np.round(rng.normal(102.0, 6.0, n), 1),
        "speed": np.round(smp["speed"] / 1.852, 2),
        "course": np.round(smp["heading"] % 360, 1),
        "attributes": attrs,
    }


def _write_tc(folder: Path, name: str, parts: list[dict]) -> None:
    allc = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    order = np.lexsort((allc["fixtime"], allc["deviceid"], allc["servertime"]))
    allc = {k: v[order] for k, v in allc.items()}
    n = len(order)
    ts = pa.timestamp("ms", tz="UTC")
    table = pa.table(
        {
            "id": pa.array(np.arange(1, n + 1, dtype=np.int64)),
            "protocol": pa.array(allc["protocol"].tolist(), pa.string()),
            "deviceid": pa.array(allc["deviceid"]),
            "device_name": pa.array(allc["device_name"].tolist(), pa.string()),
            "servertime": pa.array(allc["servertime"], ts),
            "devicetime": pa.array(allc["devicetime"], ts),
            "fixtime": pa.array(allc["fixtime"], ts),
            "valid": pa.array(allc["valid"]),
            "latitude": pa.array(allc["latitude"]),
            "longitude": pa.array(allc["longitude"]),
            "altitude": pa.array(allc["altitude"]),
            "speed": pa.array(allc["speed"]),
            "course": pa.array(allc["course"]),
            "attributes": pa.array(allc["attributes"].tolist(), pa.string()),
        }
    )
    pq.write_table(table, folder / name, compression="zstd", row_group_size=500_000)


# ----------------------------------------------------------------------------------- main entry


def _r(p, nd=6):
    return None if p is None else [round(float(p[0]), nd), round(float(p[1]), nd)]


def write_vistula_fleet(folder, vehicles: int = 120, days: int = 28, seed: int = 0) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    specs = _plan(vehicles, days, seed)
    files = _files(days)
    t_lo, t_hi = _lt(0, 0.0), _lt(days, 0.0)
    faults: dict = {
        "dst_us_rule_devices": {
            "file": files["pl"],
            "device_model": "LK-105",
            "utc_from": _iso(T_DST_END),
            "utc_until": _iso(T_US_DST_END),
            "stamp_error_hours": 1,
            "vehicles": {},
        },
        "dst_server_fold": {
            "file": files["tc"],
            "utc_from": _iso(T_DST_END),
            "utc_until": _iso(T_DST_END + 3600),
            "stamp_error_hours": -1,
            "vehicles": {},
        },
        "gps_week_rollover": {
            "file": files["pl"],
            "device_model": "LK-90",
            "days_early": WNRO_DAYS,
            "vehicles": {},
        },
        "null_island": {},
        "private_mode_blank": {},
        "position_spikes": [],
        "late_buffered_uploads": {"file": files["tc"], "vehicles": {}},
        "wrong_label_reasons": [],
    }
    pl_parts, de_parts, tc_parts = [], [], []
    truth_v = {}
    devid = 0
    for s in specs:
        vr = np.random.default_rng([seed, 3, s["index"]])
        kind = s["kind"]
        if kind == "long_haul":
            life = _lorry_life(s, vr, days)
        elif kind.startswith("courier"):
            life = _courier_life(s, vr, days)
        else:
            life = _private_life(s, vr, days)
        s["_trips"] = life.trips
        s["odo0"] = (
            float(vr.uniform(20000, 260000)) if kind != "long_haul" else float(vr.uniform(150000, 900000))
        )
        sr = np.random.default_rng([seed, 4, s["index"]])
        if s["platform"] == "pl":
            _, mv, pk = PL_DEVICES[s["device"]]
            smp = _sample(life, mv, pk, pk, t_lo, t_hi, sr)
            pl_parts.append(_pl_rows(s, smp, sr, faults))
        elif s["platform"] == "de":
            smp = _sample(life, DE_STEP[0], DE_STEP[2], DE_STEP[1], t_lo, t_hi, sr)
            de_parts.append(_de_rows(s, smp))
        else:
            devid += 1
            smp = _sample(life, TC_STEP[0], TC_STEP[1], TC_STEP[1], t_lo, t_hi, sr)
            tc_parts.append(_tc_rows(s, smp, sr, faults, 100 + devid))
        tv = {
            "home": _r(s["home"]),
            "work": _r(s.get("work")),
            "kind": kind,
            "platform": s["platform"],
            "file": s["file"],
        }
        if s["platform"] == "pl":
            tv["city"] = _CITIES[s["city"]]["name"]
            tv["tracker"] = s["device"]
            if kind == "shift":
                tv["workplace"] = s["site"]
                tv["shift_first_week"] = ["I 06-14", "II 14-22", "III 22-06"][(s["phase"] + 1) % 3]
            if kind == "commuter":
                tv["home_town"] = s["town"]
            if kind in ("office", "commuter"):
                tv["home_office_weekdays"] = s["home_office"]
            if kind == "sales_rep":
                tv["hotel_nights"] = [_day_date(d).isoformat() for d in s.get("_hotels", []) if 0 <= d < days]
            dz = s.get("dzialka")
            tv["dzialka"] = None if dz is None else {"type": dz["type"], "place": _r(dz["place"])}
            g = s.get("all_saints")
            tv["all_saints"] = (
                None
                if g is None
                else {
                    "type": g["type"],
                    "city": g["city"],
                    "cemetery": _r(g["cemetery"]),
                    "family_home": _r(g["family_home"]),
                }
            )
            tv["private_mode"] = bool(s.get("private_mode"))
        elif s["platform"] == "de":
            tv["home_town"] = s["home_town"]
            tv["weekends_away"] = [_day_date(d).isoformat() for d in s.get("_away", []) if d < days]
        else:
            tv["depot"] = s["depot_name"]
            tv["delivery_zone_center"] = _r(s["zone"], 4)
            tv["works_saturdays"] = s["saturday"]
        truth_v[s["id"]] = tv
    if pl_parts:
        _write_pl(folder, files["pl"], pl_parts, days)
    if de_parts:
        _write_de(folder, files["de"], de_parts, days, faults)
    if tc_parts:
        _write_tc(folder, files["tc"], tc_parts)
    faults["dst_server_fold"]["rows"] = sum(faults["dst_server_fold"]["vehicles"].values())
    faults["late_buffered_uploads"]["rows"] = sum(
        b["rows"] for v in faults["late_buffered_uploads"]["vehicles"].values() for b in v
    )
    # vehicles.csv
    vlines = ["vehicle_id,source_file,tracker_model,tracker_firmware,make_model,body_type,model_year,fuel"]
    for s in sorted(specs, key=lambda x: x["id"]):
        fw = (
            PL_DEVICES[s["device"]][0]
            if s["platform"] == "pl"
            else ("03.29.07" if s["platform"] == "tc" else "5.12")
        )
        vlines.append(
            ",".join(
                [
                    s["id"],
                    s["file"],
                    s["device"],
                    fw,
                    s["make_model"],
                    _BODY.get(s["kind"], "osobowy"),
                    str(s["year"]),
                    s["fuel"],
                ]
            )
        )
    (folder / "vehicles.csv").write_text("\n".join(vlines) + "\n", encoding="utf-8")
    # labels.csv
    lr = np.random.default_rng([seed, 5])
    ids = sorted(truth_v)
    chosen = [ids[i] for i in sorted(lr.choice(len(ids), size=int(round(0.75 * len(ids))), replace=False))]
    rows = []
    for vid in chosen:
        for lab in ("home", "work"):
            if truth_v[vid][lab] is not None:
                rows.append([vid, lab])
    n_wrong = max(1, int(round(0.05 * len(rows))))
    wrong_idx = set(int(x) for x in lr.choice(len(rows), size=n_wrong, replace=False))
    wrong = []
    llines = ["vehicle_id,label,lat,lon"]
    for j, (vid, lab) in enumerate(rows):
        p = tuple(truth_v[vid][lab])
        if j in wrong_idx:
            other = truth_v[vid]["work" if lab == "home" else "home"]
            if other is not None and lr.random() < 0.5:
                p, why = tuple(other), "swapped with " + ("work" if lab == "home" else "home")
            else:
                p, why = _ring(p, lr, 3000, 15000), "another address (old registration address)"
            wrong.append({"vehicle_id": vid, "label": lab})
            faults["wrong_label_reasons"].append({"vehicle_id": vid, "label": lab, "why": why})
        q = _ring(p, lr, 10, 60)
        llines.append(f"{vid},{lab},{q[0]:.6f},{q[1]:.6f}")
    (folder / "labels.csv").write_text("\n".join(llines) + "\n", encoding="utf-8")
    truth = {"vehicles": truth_v, "wrong_labels": wrong, "faults": faults, "tz": TZ_NAME}
    (folder / "truth.json").write_text(
        json.dumps(truth, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return folder


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description="Write the 'vistula' synthetic fleet (Poland and neighbours).")
    ap.add_argument("out")
    ap.add_argument("--vehicles", type=int, default=120)
    ap.add_argument("--days", type=int, default=28)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    print(write_vistula_fleet(a.out, a.vehicles, a.days, a.seed))


if __name__ == "__main__":
    main(sys.argv[1:])
