"""The "andes" synthetic fleet: Chile + Mexico vehicles exported by four real kinds of platform.

    python bench/fleets/andes.py OUT [--vehicles 120] [--days 28] [--seed 0]
    write_andes_fleet(folder, vehicles=120, days=28, seed=0) -> Path

Same arguments give byte-identical files. Every vehicle is in exactly one ping file.

WINDOW
    `days` consecutive local calendar days starting 2024-04-07 minus floor(20*days/28) days; with the
    default 28 that is Monday 2024-03-18 .. Sunday 2024-04-14 (with 14: 2024-03-28 .. 2024-04-10).
    Each vehicle's data runs from 00:00 to 24:00 local time of its own zone over those dates.
    The window holds, on purpose:
      * Chile leaving DST: Saturday 2024-04-06 24:00 (-03) -> 23:00 (-04); the hour 23:00-23:59 of
        06-04-2024 happens twice in Santiago wall-clock time.
      * The first Sunday of April (2024-04-07 02:00 CST), the day Mexico's DST used to start until
        it was abolished in October 2022: devices with old time-zone tables jump one hour ahead.
        Interior Mexico (Monterrey) stays at UTC-6 all window; Ciudad Juárez (America/Ciudad_Juarez)
        keeps US DST like El Paso (America/Denver): both UTC-6 (MDT) all window.
      * Semana Santa: Jueves Santo 28-03, Viernes Santo 29-03 (holiday in both countries; Sábado
        Santo 30-03 is also a holiday in Chile), Easter Sunday 31-03; and Mexico's Monday holiday
        for Benito Juárez, 2024-03-18.

FILES (names carry the first and last local date, YYYYMMDD)

1. CL_gpschile_posiciones_<a>_<b>.csv — a Chilean Wialon-style tracking platform's "posiciones"
   report for the Teltonika FMB920 units (Valparaíso/Viña, Santiago, Colchagua).
   Encoding Windows-1252 (cp1252), delimiter ';', CRLF line ends, one header row:
     Patente          vehicle id (Chilean plate, cars "ABCD-12", motorcycles "ABC-12")
     Fecha            local date dd-mm-yyyy
     Hora             local time HH:MM:SS
     Latitud          decimal degrees, DECIMAL COMMA, 6 decimals ("-33,437812")
     Longitud         idem
     Velocidad (km/h) integer km/h
     Rumbo (°)        integer degrees 0-359 from north
     Altitud (m)      integer metres above sea level
     Satélites        satellites used (0 = no fix, see faults)
     Ignición         "Encendida" / "Apagada"
     Odómetro (km)    GPS odometer, Chilean number format: '.' thousands, ',' decimals ("183.801,6")
   TIME: Fecha+Hora are NAIVE wall-clock time of America/Santiago (truth.json "tz"); no offset is
   written anywhere. Rows are sorted by Patente, then chronologically (true UTC order), so the
   repeated hour of 06-04-2024 shows as the wall clock going back (moving: 23:59:xx -> 23:00:xx;
   parked, exactly 3600 s apart: the same 23:mm:ss twice). Within a vehicle, the first row whose
   wall clock does not advance (a byte-identical resent row excepted, see faults) starts the
   second pass: rows before it are UTC-3, from it on UTC-4.
   SAMPLING: every 30 s while the ignition is on (60 s for Sedán colectivos and Furgón vans), one
   row at each ignition off, then one row every 3600 s counted from it while parked ("Apagada",
   speed 0). Stops shorter than 5 min keep the ignition on and keep the moving rate. No two
   consecutive rows of a vehicle are more than 3600 s apart.

2. CL_faena_registradores_nmea_<a>_<b>.log.gz — gzip of the store-and-forward GPS data loggers of a
   mining-transport contractor (Antofagasta / Calama), downloaded at the depot. ASCII, CRLF.
   Each line: "<Patente>|<NMEA-0183 sentence>", e.g.
     KRPX-94|$GPRMC,074240.00,A,2333.4447,S,07023.7289,W,17.0,171.6,180324,,,A*6F
     KRPX-94|$GPGGA,074240.00,2333.4447,S,07023.7289,W,1,08,1.1,74.6,M,38.4,M,,*hh
   One epoch = a $GPRMC line followed by a $GPGGA line, standard fields: UTC time hhmmss.ss,
   status A=valid/V=void, latitude ddmm.mmmm + N/S, longitude dddmm.mmmm + E/W, speed over ground
   in KNOTS, course in degrees true, UTC date ddmmyy (RMC only); GGA: fix quality, satellites,
   HDOP, altitude (m above mean sea level), geoid separation. Valid NMEA XOR checksums.
   TIME: UTC (from the GPS receiver). Lines grouped by logger (Patente), chronological within it.
   SAMPLING: the logger is powered by the ignition: one epoch every 30 s while the engine runs,
   NOTHING while it is off (no night-time fixes: a vehicle's night place is where its last
   evening fix is). Each power-up starts with 1-6 void epochs 1 s apart (see faults).

3. MX_juarez_gv300_crudo_<a>_<b>.log — raw capture of the Queclink GV300 @Track ASCII messages as
   received by a Ciudad Juárez fleet server. ASCII, CRLF, one message per line, ending in '$', no
   header; lines in ARRIVAL order (not per vehicle, not by GPS time). Vehicle id = IMEI (15 digits).
   Messages (fields split on ','; field 0 is "<+RESP|+BUFF>:<type>"):
     GTFRI (fixed-interval report), 30 fields:
       0 head, 1 protocol version, 2 IMEI, 3 device name, 4 external power mV, 5 report id,
       6 number, 7 GPS accuracy (0 = no fix), 8 speed km/h, 9 azimuth deg, 10 altitude m,
       11 LONGITUDE, 12 LATITUDE (decimal degrees), 13 GPS UTC time YYYYMMDDHHMMSS,
       14 MCC, 15 MNC, 16 LAC, 17 cell id (hex), 18 reserved, 19 mileage km, 20 hour meter,
       21-22 analog inputs, 23 backup battery %, 24 device status, 25-27 reserved,
       28 SEND time UTC YYYYMMDDHHMMSS, 29 count number (hex, per device)
     GTIGN (ignition on) / GTIGF (ignition off), 21 fields:
       0 head, 1 version, 2 IMEI, 3 name, 4 duration of the previous ignition state s,
       5 GPS accuracy, 6 speed, 7 azimuth, 8 altitude, 9 LONGITUDE, 10 LATITUDE,
       11 GPS UTC time, 12 MCC, 13 MNC, 14 LAC, 15 cell id, 16 reserved, 17 hour meter,
       18 mileage km, 19 send time UTC, 20 count number
   TIME: UTC, both GPS time and send time. MCC 0334/MNC 0020 = Telcel (Mexico); MCC 0310/MNC 0410 =
   AT&T roaming in the US.
   SAMPLING: GTFRI every 60 s with ignition on, every 3600 s parked; GTIGN/GTIGF at each ignition
   change. "+RESP" = sent live; "+BUFF" = stored in the device and sent later (see faults).

4. MX_monterrey_obd_api_<a>_<b>.jsonl — JSON Lines dump (UTF-8, LF) of a Monterrey OBD-II LTE dongle
   platform's API, paged 500 records per page, records per vehicle in device-time order. Keys:
     placa          vehicle id (Nuevo León plate "SXX-123-X")
     fecha_local    device wall-clock time "YYYY-MM-DD HH:MM:SS", local to zona_horaria
     zona_horaria   "America/Monterrey" (IANA zone of fecha_local; UTC-6, no DST)
     recibido_utc   server receive time, ISO 8601 with Z (1-30 s after the fix)
     evento         "MOTOR_ENCENDIDO" | "POSICION" | "MOTOR_APAGADO"
     latitud, longitud  decimal degrees (JSON numbers, 6 decimals)
     velocidad_kmh  integer km/h;  rumbo  integer degrees;  rpm  integer;  odometro_km  float
   SAMPLING: every 30 s with the engine on, one record at ignition on and off, NOTHING while
   parked (the dongle sleeps).

5. labels.csv — vehicle_id,label,lat,lon (UTF-8, comma): analyst-geocoded "home"/"work" for ~75%
   of the vehicles, one row per non-null truth place of a chosen vehicle, 10-60 m off the truth;
   ~5% of rows are wrong on purpose (truth "wrong_labels", each with a "tipo": intercambiado =
   the other place of the vehicle, casa_de_fin_de_semana = the weekend house given as home,
   otro_vehiculo = another vehicle's place >1.5 km away, direccion_antigua = 2.5-7 km off).
6. vehicles.csv — vehicle_id,pais (CL|MX),ciudad_base,tipo_vehiculo,marca,modelo,anio,equipo_gps,
   firmware,archivo (the ping file of the vehicle). UTF-8, comma.
7. truth.json — {"tz": "America/Santiago" (zone of the naive CSV stamps), "window_local": [first,
   last date], "vehicles": {id: {"home": [lat, lon], "work": [lat, lon] | null, "kind",
   "file", "schedule_tz" (zone in which the life was planned), optional "weekend_place",
   "work_change", "rotation_7x7", "shift"}}, "wrong_labels": [...], "faults": {...}}.
   home = where the vehicle normally spends the night; work = the place of its working day.

LIVES (counts for 120 vehicles; smaller fleets keep the proportions, >=1 of each kind from 15 on)
  CSV (Chile, Teltonika):
  * colectivo_valparaiso (10) — shared taxis on real Valparaíso/Viña lines between the Plan and a
    cerro (Playa Ancha, Cerro La Cruz, Rodelillo, Barón, Reñaca Alto, Forestal, Gómez Carreño,
    Achupallas), winding hill routes at 16-30 km/h, 07:00-21:45 Mon-Sat with a lunch at home,
    half the drivers also Sunday 10-15 h. home = the driver's house near the cerro terminus;
    work = null (many daytime stops at both termini, none is a workplace).
  * moto_reparto_santiago (12) — delivery riders: home in Puente Alto/La Florida/Estación Central/
    Independencia/Recoleta; wait at a hub (Providencia, Ñuñoa, Apoquindo, Lastarria, Florida,
    Costanera Center), ~30 min order loops (restaurant <1.5 km, customer 0.7-4 km), lunch 11:30-15:30
    and/or dinner 19:00-23:00, one rest day. work = the hub.
  * commuter_santiago (11) — Mon-Fri car commute (leave 06:55-08:25, back 17:20-19:20), a third
    from Lo Barnechea/La Dehesa to Santiago Centro through the Costanera Norte tunnel under the
    Mapocho, a third from Ñuñoa/Providencia/La Reina/Peñalolén to Ciudad Empresarial through
    Túnel San Cristóbal, the rest across the city; lunches, errands, evenings out; 25% work
    from home on Fridays; weekends with errands, family visits, Cajón del Maipo day trips.
  * commuter_santiago_casa_playa (7) — the same plus a beach house (Algarrobo, El Quisco, Mirasol)
    via Ruta 68 (Lo Prado and Zapata tunnels): 75% of Fridays leave 19:20-20:50, back Sunday
    afternoon; Jueves Santo straight from work to the coast until Easter Sunday.
    truth weekend_place = the beach house (home stays Santiago).
  * furgon_temporeros_colchagua (8) — harvest vans: leave 06:00 (05:30 for orchards in Curicó),
    pick up workers at 3-5 village stops, vineyard (Apalta, Palmilla, Peralillo, Lolol...) 07:30 to
    16:30 (14:30 Sat), one third then move to an apple orchard (Teno/Romeral/Sagrada Familia)
    around 2024-04-06..11 when the vendimia ends: truth "work_change" {from_local_date,
    before, after}; truth work = the place of the majority of working days.
  NMEA (Chile, loggers):
  * bus_faena_escondida (5) — crew buses: depot in Antofagasta (La Chimba) 04:40 -> Escondida
    mine bus terminal (~180 km up to 3100 m) by 07:30, wait there (fuel stop at midday), 20:05 ->
    depot by 23:00; every day (the mine runs 24/7) except one maintenance day in 14.
    home = depot, work = mine terminal.
  * bus_acercamiento_calama (5) — shuttle buses from a depot in Calama collecting crews at 3-4
    stops and driving to a mine gate (Chuquicamata, Radomiro Tomic, Ministro Hales) at 06:00 and
    18:00 (+12:00 for 40%): home = depot, work = null.
  * minero_7x7_calama (12) — miners' pickups on the classic 4-crew 28-day rotation: 7 day shifts
    (06:40 -> mine parking, 20:10 -> home), 7 days off, 7 NIGHT shifts (18:40 -> mine, 08:10 ->
    home), 7 off; half of the miners spend 2-3 nights in Antofagasta (Ruta 25, 215 km) on ~60% of
    their off weeks. Nights at home ~17-21 of 28. truth "rotation_7x7" {phase, cycle,
    cycle_day0} (a day-shift week starts on cycle_day0 + 28k days).
  Queclink (Mexico, Ciudad Juárez / El Paso):
  * maquila_turno1_juarez (9) — first shift 06:00-15:30 Mon-Fri at an industrial park (Bermúdez,
    Intermex, Salvárcar, Río Bravo, Aerojuárez...), alternate Saturdays 06:00-14:00 for half,
    errands after work, 30% shop in El Paso some Saturdays (Zaragoza bridge, 45-150 min queue).
    Off on 18-03 and Semana Santa Thu/Fri.
  * maquila_turno2_juarez (5) — second shift 15:30-00:30: home after ~01:00, morning errands.
  * transfronterizo_elpaso_a_juarez (6) — managers living in El Paso (Eastside, Northeast, West,
    Horizon City, Socorro) working in Juárez plants: southbound at 06:15 (quick), home-bound
    northbound 17:00-18:00 with a 25-130 min stop-and-go queue at the Bridge of the Americas or
    Ysleta-Zaragoza, CBP booth 2-6 min. home is in the US, work in Mexico. Off when the plant is.
  * transfronterizo_juarez_a_elpaso (4) — Juárez residents working in El Paso (UMC, Fort Bliss,
    Eastside warehouses): northbound queue at dawn (SENTRI 10-25 min, general 45-120 min), work
    07:00-15:30 in the US, southbound afterwards.
  OBD JSONL (Mexico, Monterrey):
  * commuter_monterrey (12) — homes in Apodaca, Escobedo, Guadalupe, Santa Catarina, Juárez NL,
    San Nicolás, Cumbres, Contry; work in Valle Oriente, San Pedro, Centro, airport/Apodaca,
    Escobedo, Santa Catarina, Guadalupe parks; leave 06:35-07:55, back 17:25-19:00, 35% work
    Saturday mornings; most off on 18-03 and Semana Santa Thu/Fri.
  * commuter_monterrey_quinta (7) — the same plus a weekend quinta near Santiago NL (Presa La Boca,
    El Cercado, Los Cavazos) via the Carretera Nacional, 70% of Saturdays to Sunday evening and
    Jueves Santo to Easter Sunday. truth weekend_place = the quinta.
  * vendedor_monterrey (7) — sales pick-ups: office/warehouse 08:00, 5-9 client visits (12-40 min
    each, 40 clients within 15 km), lunch, back to the office ~17:30, home. work = the office.

FAULTS (truth "faults" gives the counts for the files written)
  CSV
  * tunnel_no_fix — inside the Costanera Norte, San Cristóbal, Lo Prado and Zapata tunnels the
    unit keeps logging with Satélites 0, speed 0 and the LAST VALID coordinates/altitude/course/
    odometer frozen; {"rows", "vehicles"}. Satélites 0 appears nowhere else.
  * multipath_jump — isolated rows in the middle of a drive displaced 250-1500 m (urban canyon,
    cerros), always with 4-6 satellites (rows with the ignition on otherwise have 7-14);
    {"rows", "vehicles"}.
  * resent_duplicate_rows — a unit re-sent unacknowledged records: the row appears twice,
    byte-identical and adjacent; {"rows"} = number of extra copies.
  * dst_repeated_hour (a convention, not an error) — rows at 23:xx on 06-04-2024 in both passes;
    {"rows_first_pass_utc-3", "rows_second_pass_utc-4"} (duplicates included).
  NMEA
  * gps_week_rollover — old loggers (vehicles.csv firmware "GPS-LOG 2.1 (2011)") with the 1024-week
    rollover bug: every $GPRMC date is 7168 days early (2004 instead of 2024); time of day is
    right. {"vehicles", "days_early"}.
  * void_fix_at_power_up — after each ignition on, 1-6 epochs with "$GPRMC,...,V,,,,,,,ddmmyy,,,N"
    and a quality-0 $GPGGA with empty position; {"rmc_sentences", "gga_sentences"}.
  Queclink
  * buffered_out_of_order — cross-border devices with data roaming off store every message
    generated on the US side and send them as "+BUFF" in a burst (send time +1 s each) once
    they are back in Mexico, hours later, interleaved with live lines; messages still stored
    at the end of the window never reach the file. {"lines", "vehicles",
    "never_uploaded_dropped"}. Devices with roaming on report live from the US with MCC 0310.
  * retransmitted_duplicates — a message not acknowledged by the server arrives again 20-90 s
    later: identical line twice (same count number); {"lines"} = extra copies.
  * no_gps_fix_reports — parked reports under the covered parking of some plants: GPS accuracy 0
    and EMPTY speed, azimuth, altitude, longitude, latitude and GPS time (send time present);
    {"lines", "vehicles"}.
  JSONL
  * stale_dst_table — dongles on firmware "v2.1.4 (2021-09)" still apply Mexico's pre-2022 DST
    rule: from 2024-04-07 08:00 UTC on their fecha_local is one hour AHEAD of America/Monterrey
    (recibido_utc stays right); {"vehicles", "records", "from_utc", "shift_s"}.
  * page_overlap_duplicates — the 2nd page and 30% of the later API pages repeat the last 1-5
    records of the previous page (identical lines); {"records"} = extra copies.
  Not faults but realism to expect: GPS noise ~3.5 m; ignition-only devices (NMEA, OBD) have no
  parked fixes; stop-and-go crawling at border bridges; engine-on waits < 5 min at stops.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

NAME = "andes"
SWITCH_SUNDAY = date(2024, 4, 7)  # Chile leaves DST; stale Mexican tables enter it
TZ_CL = "America/Santiago"
TZ_JZ = "America/Ciudad_Juarez"
TZ_EP = "America/Denver"
TZ_MTY = "America/Monterrey"
M_PER_DEG = 111_320.0
WNRO_DAYS = 7168  # 1024 GPS weeks
STALE_FROM_UTC = datetime(2024, 4, 7, 8, 0, tzinfo=timezone.utc)  # 02:00 CST, old Mexican rule

CL_HOLIDAYS = {date(2024, 3, 29), date(2024, 3, 30)}  # Viernes y Sábado Santo
MX_HOLIDAYS = {date(2024, 3, 18)}  # natalicio de Benito Juárez
MX_SEMANA_SANTA = {date(2024, 3, 28), date(2024, 3, 29)}  # jueves y viernes santo

FILES = {
    "cl": "CL_gpschile_posiciones_{a}_{b}.csv",
    "nmea": "CL_faena_registradores_nmea_{a}_{b}.log.gz",
    "qc": "MX_juarez_gv300_crudo_{a}_{b}.log",
    "obd": "MX_monterrey_obd_api_{a}_{b}.jsonl",
}

# kind, file, weight (of 120), truth tz of its wall-clock schedules
KINDS = [
    ("colectivo_valparaiso", "cl", 10, TZ_CL),
    ("moto_reparto_santiago", "cl", 12, TZ_CL),
    ("commuter_santiago", "cl", 11, TZ_CL),
    ("commuter_santiago_casa_playa", "cl", 7, TZ_CL),
    ("furgon_temporeros_colchagua", "cl", 8, TZ_CL),
    ("bus_faena_escondida", "nmea", 5, TZ_CL),
    ("bus_acercamiento_calama", "nmea", 5, TZ_CL),
    ("minero_7x7_calama", "nmea", 12, TZ_CL),
    ("maquila_turno1_juarez", "qc", 9, TZ_JZ),
    ("maquila_turno2_juarez", "qc", 5, TZ_JZ),
    ("transfronterizo_elpaso_a_juarez", "qc", 6, TZ_EP),
    ("transfronterizo_juarez_a_elpaso", "qc", 4, TZ_JZ),
    ("commuter_monterrey", "obd", 12, TZ_MTY),
    ("commuter_monterrey_quinta", "obd", 7, TZ_MTY),
    ("vendedor_monterrey", "obd", 7, TZ_MTY),
]


def P(lat, lon, alt=0.0):
    return (float(lat), float(lon), float(alt))


# ----------------------------------------------------------------------------------------------
# real places (lat, lon, altitude m); approximate to a few hundred metres
# ----------------------------------------------------------------------------------------------
VALPO_LINES = [  # colectivo lines: (terminus in the Plan / Viña centre, terminus up the cerro)
    (P(-33.0389, -71.6295, 5), P(-33.0262, -71.6430, 160)),  # Sotomayor - Playa Ancha
    (P(-33.0465, -71.6140, 8), P(-33.0575, -71.6165, 270)),  # Av. Francia - Cerro La Cruz
    (P(-33.0500, -71.6060, 10), P(-33.0648, -71.5752, 330)),  # Av. Argentina - Rodelillo
    (P(-33.0430, -71.6090, 8), P(-33.0478, -71.5958, 190)),  # Av. Brasil - Cerro Barón/Esperanza
    (P(-33.0245, -71.5518, 10), P(-32.9878, -71.5232, 200)),  # Plaza Vergara - Reñaca Alto
    (P(-33.0215, -71.5530, 10), P(-33.0502, -71.5330, 250)),  # Av. Libertad - Forestal Alto
    (P(-33.0245, -71.5518, 10), P(-32.9733, -71.5372, 150)),  # Viña - Gómez Carreño
    (P(-33.0230, -71.5500, 10), P(-33.0098, -71.5128, 210)),  # Viña - Achupallas
]
# Santiago corridors: points, tunnel flag of each segment (segment i = point i -> point i+1)
COSTANERA = (
    [
        P(-33.3950, -70.5650, 720),
        P(-33.4030, -70.5880, 680),
        P(-33.4110, -70.6000, 620),
        P(-33.4200, -70.6150, 590),
        P(-33.4290, -70.6330, 570),
        P(-33.4320, -70.6420, 565),
    ],
    [False, False, True, True, False],
    "Costanera Norte (túnel bajo el Mapocho)",
)
SAN_CRISTOBAL = (
    [
        P(-33.4255, -70.6105, 570),
        P(-33.4225, -70.6140, 575),
        P(-33.4070, -70.6290, 590),
        P(-33.4010, -70.6250, 585),
    ],
    [False, True, False],
    "Túnel San Cristóbal",
)
RUTA68 = (
    [
        P(-33.4440, -70.7400, 490),
        P(-33.4460, -70.9330, 620),
        P(-33.4480, -70.9640, 600),
        P(-33.4000, -71.1330, 200),
        P(-33.3400, -71.2700, 420),
        P(-33.3390, -71.2820, 400),
        P(-33.3200, -71.4100, 240),
        P(-33.3400, -71.5600, 150),
    ],
    [False, True, False, False, True, False, False],
    "Ruta 68 (túneles Lo Prado y Zapata)",
)
STGO_ORIENTE_HOMES = [P(-33.3520, -70.5170, 850), P(-33.3600, -70.5300, 800), P(-33.4000, -70.5300, 780)]
STGO_CENTRO_WORK = [P(-33.4378, -70.6505, 560), P(-33.4429, -70.6539, 560), P(-33.4410, -70.6440, 560)]
STGO_SC_HOMES = [
    P(-33.4560, -70.5970, 580),
    P(-33.4330, -70.6020, 570),
    P(-33.4450, -70.5400, 650),
    P(-33.4850, -70.5400, 700),
]
STGO_SC_WORK = [P(-33.3915, -70.6185, 560), P(-33.3880, -70.6130, 565)]  # Ciudad Empresarial
STGO_HOMES = [
    P(-33.5100, -70.7570, 500),
    P(-33.5220, -70.5990, 630),
    P(-33.6110, -70.5760, 700),
    P(-33.5920, -70.7000, 570),
    P(-33.3600, -70.7300, 490),
    P(-33.4560, -70.5970, 580),
]
STGO_WORK = [
    P(-33.4220, -70.6080, 570),
    P(-33.4150, -70.5960, 600),
    P(-33.4520, -70.6830, 520),
    P(-33.4420, -70.6480, 560),
    P(-33.3990, -70.5980, 620),
    P(-33.4020, -70.5790, 640),
]
STGO_MOTO_HOMES = [
    P(-33.6110, -70.5760, 700),
    P(-33.5220, -70.5990, 630),
    P(-33.4520, -70.6830, 520),
    P(-33.4160, -70.6650, 540),
    P(-33.4050, -70.6400, 540),
    P(-33.4470, -70.6600, 545),
]
STGO_HUBS = [
    P(-33.4290, -70.6190, 570),
    P(-33.4560, -70.5970, 580),
    P(-33.4120, -70.5800, 640),
    P(-33.4380, -70.6400, 560),
    P(-33.5190, -70.5990, 630),
    P(-33.4175, -70.6065, 575),
]
STGO_DAYTRIPS = [P(-33.6420, -70.3530, 950), P(-33.4260, -70.6330, 600), P(-33.3960, -70.5790, 650)]
COAST_HOUSES = [
    P(-33.3630, -71.6710, 30),
    P(-33.3970, -71.6960, 25),
    P(-33.3470, -71.6570, 40),
    P(-33.3850, -71.6850, 35),
]
COLCHAGUA_HOMES = [
    P(-34.7120, -71.0440, 250),
    P(-34.6620, -71.2170, 180),
    P(-34.6390, -71.3650, 150),
    P(-34.6040, -71.3580, 140),
    P(-34.6130, -71.1140, 200),
    P(-34.4780, -71.4790, 130),
    P(-34.7290, -71.6450, 150),
]
COLCHAGUA_FUNDOS = [
    P(-34.6070, -71.2950, 200),
    P(-34.6540, -71.2970, 170),
    P(-34.5950, -71.3700, 150),
    P(-34.5100, -71.5300, 170),
    P(-34.6000, -70.9550, 240),
    P(-34.7500, -71.6200, 160),
    P(-34.6350, -71.1000, 200),
]
CURICO_HUERTOS = [P(-34.8700, -71.1620, 280), P(-34.9620, -71.1280, 330), P(-34.9480, -71.2600, 220)]
COLCHAGUA_TOWNS = [P(-34.6390, -71.3650, 150), P(-34.5850, -70.9890, 340)]
CALAMA = P(-22.4600, -68.9250, 2260)
CALAMA_DEPOT = P(-22.4750, -68.9450, 2250)
CALAMA_MALL = [P(-22.4680, -68.9250, 2260), P(-22.4520, -68.9170, 2270), P(-22.4600, -68.9330, 2255)]
MINES = [P(-22.3050, -68.9020, 2840), P(-22.1900, -68.8800, 3000), P(-22.3870, -68.8950, 2560)]
CALAMA_TO_MINE = [P(-22.4400, -68.9200, 2300), P(-22.4000, -68.9150, 2450), P(-22.3500, -68.9100, 2650)]
ANTOF_DEPOT = P(-23.5570, -70.3960, 60)
ANTOF = P(-23.6400, -70.3980, 60)
ESCONDIDA_CORRIDOR = (
    [
        P(-23.6400, -70.3950, 80),
        P(-23.7100, -70.3700, 350),
        P(-23.7640, -70.3170, 500),
        P(-23.8600, -70.2000, 900),
        P(-24.0000, -69.9000, 1700),
        P(-24.1400, -69.4000, 2600),
        P(-24.2400, -69.1500, 3000),
    ],
    [False] * 6,
    "",
)
ESCONDIDA_TERMINAL = P(-24.2580, -69.0700, 3100)
ESCONDIDA_FUEL = P(-24.2650, -69.0600, 3120)
RUTA25 = (
    [
        P(-22.4700, -68.9500, 2250),
        P(-22.8900, -69.3200, 1620),
        P(-23.1700, -69.6700, 1380),
        P(-23.3340, -69.8440, 1030),
        P(-23.7640, -70.3170, 500),
        P(-23.6600, -70.3900, 80),
    ],
    [False] * 5,
    "",
)

JZ_HOMES = [
    P(31.6300, -106.3200, 1120),
    P(31.6050, -106.3850, 1150),
    P(31.6200, -106.3960, 1150),
    P(31.6980, -106.4240, 1140),
    P(31.7150, -106.4620, 1140),
    P(31.7700, -106.5380, 1180),
    P(31.5900, -106.3550, 1160),
    P(31.6000, -106.3080, 1150),
]
JZ_PLANTS = [
    P(31.7290, -106.4300, 1135),
    P(31.6050, -106.4100, 1160),
    P(31.6650, -106.4050, 1140),
    P(31.6920, -106.3850, 1130),
    P(31.6400, -106.4300, 1150),
    P(31.6250, -106.4400, 1155),
]
JZ_SHOPS = [
    P(31.6940, -106.4230, 1135),
    P(31.6620, -106.4000, 1140),
    P(31.7380, -106.4870, 1130),
    P(31.6300, -106.3900, 1150),
]
EP_HOMES = [
    P(31.7800, -106.2900, 1200),
    P(31.8900, -106.4300, 1230),
    P(31.8400, -106.5600, 1150),
    P(31.6930, -106.2070, 1230),
    P(31.6600, -106.2900, 1130),
]
EP_WORK = [
    P(31.7710, -106.4330, 1150),
    P(31.8130, -106.4220, 1190),
    P(31.7450, -106.3050, 1130),
    P(31.8000, -106.3850, 1190),
]
EP_SHOPS = [P(31.7760, -106.3810, 1170), P(31.7030, -106.3150, 1130)]
# bridges: approach on the Mexican side (queue), Mexican end, US end, first US street point
BRIDGES = {
    "americas": (
        P(31.7500, -106.4450, 1130),
        P(31.7620, -106.4510, 1128),
        P(31.7662, -106.4512, 1128),
        P(31.7740, -106.4530, 1135),
    ),
    "zaragoza": (
        P(31.6600, -106.3550, 1125),
        P(31.6700, -106.3400, 1122),
        P(31.6752, -106.3372, 1122),
        P(31.6850, -106.3300, 1125),
    ),
}
# the Rio Grande between Juárez and El Paso, (lon, lat) from west to east
BORDER = np.array(
    [
        (-106.60, 31.790),
        (-106.53, 31.785),
        (-106.49, 31.752),
        (-106.45, 31.764),
        (-106.40, 31.735),
        (-106.34, 31.672),
        (-106.25, 31.580),
        (-106.15, 31.450),
    ]
)

MTY_HOMES = [
    P(25.7800, -100.1880, 420),
    P(25.7970, -100.3250, 480),
    P(25.6770, -100.2590, 510),
    P(25.6730, -100.4580, 680),
    P(25.6490, -100.0950, 400),
    P(25.7440, -100.3020, 510),
    P(25.7300, -100.3900, 600),
    P(25.6250, -100.2800, 560),
]
MTY_WORK = [
    P(25.6400, -100.3150, 600),
    P(25.6570, -100.4020, 650),
    P(25.6690, -100.3100, 540),
    P(25.7720, -100.1300, 400),
    P(25.8000, -100.3500, 480),
    P(25.6780, -100.4700, 700),
    P(25.6950, -100.2200, 480),
]
MTY_SHOPS = [
    P(25.6820, -100.3540, 560),
    P(25.6510, -100.3370, 600),
    P(25.6780, -100.2850, 530),
    P(25.7320, -100.3060, 510),
]
MTY_QUINTAS = [
    P(25.4240, -100.1510, 450),
    P(25.4300, -100.1300, 450),
    P(25.3850, -100.1420, 480),
    P(25.4600, -100.2000, 500),
]
CARRETERA_NACIONAL = (
    [
        P(25.6200, -100.2700, 560),
        P(25.5600, -100.2300, 600),
        P(25.5000, -100.1950, 560),
        P(25.4500, -100.1700, 470),
    ],
    [False] * 3,
    "",
)


# ----------------------------------------------------------------------------------------------
# geometry
# ----------------------------------------------------------------------------------------------
def dist_m(a, b):
    dy = (b[0] - a[0]) * M_PER_DEG
    dx = (b[1] - a[1]) * M_PER_DEG * math.cos(math.radians((a[0] + b[0]) / 2))
    return math.hypot(dx, dy)


def shift(p, dx, dy, dalt=0.0):
    return (p[0] + dy / M_PER_DEG, p[1] + dx / (M_PER_DEG * math.cos(math.radians(p[0]))), p[2] + dalt)


def scatter(rng, p, r_min, r_max, dalt_sd=0.0):
    r = math.sqrt(rng.uniform(r_min**2, r_max**2))
    th = rng.uniform(0, 2 * math.pi)
    return shift(p, r * math.cos(th), r * math.sin(th), float(rng.normal(0, dalt_sd)) if dalt_sd else 0.0)


def pick(rng, seq):
    return seq[int(rng.integers(len(seq)))]


class Route:
    __slots__ = ("lat", "lon", "alt", "tunnel", "cum", "hdg", "length")

    def __init__(self, pts, flags):
        a = np.asarray(pts, dtype=float)
        self.lat, self.lon, self.alt = a[:, 0], a[:, 1], a[:, 2]
        dy = np.diff(self.lat) * M_PER_DEG
        dx = np.diff(self.lon) * M_PER_DEG * np.cos(np.radians(self.lat[:-1]))
        seg = np.hypot(dx, dy)
        self.cum = np.concatenate([[0.0], np.cumsum(seg)])
        self.hdg = (np.degrees(np.arctan2(dx, dy)) + 360.0) % 360.0
        self.tunnel = np.asarray(flags, dtype=bool)
        self.length = float(self.cum[-1])

    def reversed(self):
        pts = np.stack([self.lat[::-1], self.lon[::-1], self.alt[::-1]], axis=1)
        return Route(pts, self.tunnel[::-1])


def build_path(rng, a, b, corridor=None, wiggle=0.12):
    pts, flags = [a], []

    def link(p, q):
        d = dist_m(p, q)
        if d < 1.0:
            return
        if d > 30000:
            n, w = 4, 0.02
        else:
            n, w = (0 if d < 250 else min(4, 1 + int(d // 2500))), wiggle
        ux, uy = (q[1] - p[1]), (q[0] - p[0])
        for i in range(n):
            f = (i + 1) / (n + 1) + rng.uniform(-0.1, 0.1) / (n + 1)
            off = float(np.clip(rng.normal(0, w), -2.5 * w, 2.5 * w))
            m = (
                p[0] + f * uy + off * ux * 0.6,
                p[1] + f * ux - off * uy * 0.6 / math.cos(math.radians(p[0])),
                p[2] + f * (q[2] - p[2]),
            )
            pts.append(m)
            flags.append(False)
        pts.append(q)
        flags.append(False)

    if corridor is not None:
        cpts, cflags = corridor[0], corridor[1]
        link(a, cpts[0])
        if dist_m(pts[-1], cpts[0]) >= 1.0:
            pts.append(cpts[0])
            flags.append(False)
        for i in range(1, len(cpts)):
            pts.append(cpts[i])
            flags.append(cflags[i - 1])
        link(cpts[-1], b)
    else:
        link(a, b)
    if len(pts) == 1:
        pts.append(b)
        flags.append(False)
    return Route(pts, flags)


def reverse_corridor(c):
    return (c[0][::-1], c[1][::-1], c[2])


def in_us(lat, lon):
    return lat > np.interp(lon, BORDER[:, 0], BORDER[:, 1])


# ----------------------------------------------------------------------------------------------
# itineraries: legs ("S" stay | "D" drive) in UTC seconds, wall-clock planning in a zone
# ----------------------------------------------------------------------------------------------
SPEEDS = {"car": (24, 95), "moto": (22, 55), "bus": (20, 75), "van": (25, 80), "hill": (16, 30)}


class Plan:
    def __init__(self, tz, place, t0, rng, mode="car"):
        self.tz = ZoneInfo(tz)
        self.place, self.t, self.rng, self.mode = place, float(t0), rng, mode
        self.legs = []
        self.cache = {}

    def at(self, d, h):
        return (datetime(d.year, d.month, d.day, tzinfo=self.tz) + timedelta(hours=float(h))).timestamp()

    def _path(self, dest, corridor, wiggle, reuse):
        key = (self.place, dest, None if corridor is None else corridor[2] + str(corridor[0][0]))
        if reuse and key in self.cache:
            return self.cache[key]
        rkey = (dest, self.place, None if corridor is None else corridor[2] + str(corridor[0][-1]))
        if reuse and rkey in self.cache:
            path = self.cache[rkey].reversed()
        else:
            path = build_path(self.rng, self.place, dest, corridor, wiggle)
        if reuse:
            self.cache[key] = path
        return path

    def duration(self, path, mode=None):
        vmin, vmax = SPEEDS[mode or self.mode]
        v = (vmin + (vmax - vmin) * (1 - math.exp(-path.length / 20000.0))) / 3.6
        return max(45.0, path.length / v * float(self.rng.uniform(0.9, 1.15)))

    def go(
        self,
        dest,
        t_dep=None,
        corridor=None,
        dur=None,
        jerky=False,
        wiggle=0.12,
        reuse=True,
        mode=None,
        slow=1.0,
    ):
        t_dep = self.t if t_dep is None else max(float(t_dep), self.t)
        path = self._path(dest, corridor, wiggle, reuse)
        if dur is None:
            dur = self.duration(path, mode) * slow
        if t_dep > self.t + 0.5:
            self.legs.append(("S", self.t, t_dep, self.place))
        self.legs.append(("D", t_dep, t_dep + dur, path, jerky))
        self.t = t_dep + dur
        self.place = dest
        return self

    def go_arrive(self, dest, t_arr, corridor=None, **kw):
        path = self._path(dest, corridor, kw.get("wiggle", 0.12), True)
        dur = self.duration(path, kw.get("mode"))
        return self.go(dest, t_arr - dur, corridor, dur=dur, **kw)

    def stay(self, seconds):
        self.legs.append(("S", self.t, self.t + float(seconds), self.place))
        self.t += float(seconds)
        return self

    def wait_until(self, t):
        if t > self.t:
            self.stay(t - self.t)
        return self

    def finish(self, t_end):
        self.wait_until(t_end)
        merged = []
        for leg in self.legs:
            if leg[1] >= t_end:
                break
            if leg[0] == "D" and leg[2] > t_end:  # clip a drive running past the window
                break
            if leg[0] == "S":
                leg = ("S", leg[1], min(leg[2], t_end), leg[3])
                if merged and merged[-1][0] == "S" and merged[-1][3] == leg[3]:
                    merged[-1] = ("S", merged[-1][1], leg[2], leg[3])
                    continue
            merged.append(leg)
        self.legs = [leg for leg in merged if leg[2] - leg[1] > 0.5]
        return self.legs


def mins(rng, a, b):
    return float(rng.uniform(a, b)) * 60.0


def outing(p, d, rng, target, h_dep, stay_min=(30, 120), mode=None):
    p.go(target, p.at(d, h_dep), mode=mode)
    p.stay(mins(rng, *stay_min))
    return p


def weekend_day(p, d, rng, home, pois, n_max=3, first=9.5, mode=None):
    n = int(rng.integers(0, n_max + 1))
    h = first + float(rng.uniform(0, 2))
    for _ in range(n):
        outing(p, d, rng, pick(rng, pois), h, mode=mode)
        p.go(home, mode=mode)
        h = (p.t - p.at(d, 0)) / 3600 + float(rng.uniform(0.5, 3))
        if h > 21:
            break


# ---------------------------------------------------------------------------------------------- lives
def life_colectivo(v, rng, days, t_end):
    plan_end, cerro = v["line"]
    home = v["home"]
    p = Plan(TZ_CL, home, v["t0"], rng, "hill")
    line = build_path(rng, plan_end, cerro, None, wiggle=0.28)
    p.cache[(plan_end, cerro, None)] = line
    p.cache[(cerro, plan_end, None)] = line.reversed()
    sunday = rng.random() < 0.5
    for d in days:
        wd = d.weekday()
        if wd == 6 and not sunday:
            weekend_day(p, d, rng, home, v["pois"], 2)
            continue
        start, end = (
            (6.75 + rng.uniform(0, 0.7), 20.5 + rng.uniform(0, 1.3))
            if wd < 6
            else (10 + rng.uniform(0, 0.5), 15 + rng.uniform(0, 0.5))
        )
        if d in CL_HOLIDAYS:
            start, end = 9.0 + rng.uniform(0, 1), 17 + rng.uniform(0, 2)
        p.go(cerro, p.at(d, start), wiggle=0.25)
        lunch_done = wd == 6
        at_cerro = True
        while p.t < p.at(d, end):
            p.stay(mins(rng, 1.5, 12) if rng.random() < 0.8 else mins(rng, 12, 25))  # terminus queue
            if not lunch_done and at_cerro and p.t > p.at(d, 13.3):
                p.go(home, wiggle=0.25)
                p.stay(mins(rng, 40, 75))
                p.go(cerro, wiggle=0.25)
                lunch_done = True
            p.go(plan_end if at_cerro else cerro)
            at_cerro = not at_cerro
        p.go(home, wiggle=0.25)
    return p.finish(t_end)


def life_moto(v, rng, days, t_end):
    home, hub = v["home"], v["hub"]
    p = Plan(TZ_CL, home, v["t0"], rng, "moto")
    near = dist_m(home, hub) < 6000
    spot = scatter(rng, hub, 150, 400)
    for d in days:
        if d.weekday() == v["rest_day"]:
            weekend_day(p, d, rng, home, v["pois"], 2, mode="moto")
            continue
        shifts = []
        if v["lunch"]:
            shifts.append((11.4 + rng.uniform(0, 0.4), 15.2 + rng.uniform(0, 0.6)))
        if v["dinner"]:
            shifts.append((18.9 + rng.uniform(0, 0.4), 22.6 + rng.uniform(0, 0.8)))
        for k, (a, b) in enumerate(shifts):
            if p.place != hub:
                p.go_arrive(hub, p.at(d, a))
            while p.t < p.at(d, b):
                p.stay(mins(rng, 3, 22))
                rest = scatter(rng, hub, 150, 1500)
                p.go(rest, reuse=False)
                p.stay(mins(rng, 3, 12))
                cust = scatter(rng, rest, 700, 4000)
                p.go(cust, reuse=False)
                p.stay(mins(rng, 1.5, 6))
                p.go(hub, reuse=False)
            if k == 0 and len(shifts) == 2:
                p.go(home if near else spot)
        p.go(home)
    return p.finish(t_end)


def commute_day(p, d, rng, v, home, work):
    cor = v.get("corridor")
    rcor = reverse_corridor(cor) if cor else None
    if v["wfh_friday"] and d.weekday() == 4:
        weekend_day(p, d, rng, home, v["pois"], 1, first=12)
        return False
    p.go(work, p.at(d, v["dep"] + rng.normal(0, 0.2)), corridor=cor)
    if rng.random() < 0.2:
        outing(p, d, rng, scatter(rng, work, 300, 1500), 13.1 + rng.uniform(0, 0.6), (35, 70))
        p.go(work)
    ret = v["ret"] + rng.normal(0, 0.3)
    if rng.random() < 0.25:
        p.go(pick(rng, v["pois"]), p.at(d, ret))
        p.stay(mins(rng, 15, 45))
        p.go(home)
    else:
        p.go(home, p.at(d, ret), corridor=rcor)
    if rng.random() < 0.12:
        outing(p, d, rng, scatter(rng, home, 1500, 8000), 20.3 + rng.uniform(0, 0.8), (60, 150))
        p.go(home)
    return True


def life_commuter_cl(v, rng, days, t_end):
    home, work = v["home"], v["work"]
    p = Plan(TZ_CL, home, v["t0"], rng)
    beach = v.get("weekend_place")
    at_beach_until = None
    for d in days:
        wd = d.weekday()
        if at_beach_until is not None:
            if d < at_beach_until:
                if rng.random() < 0.7:
                    weekend_day(p, d, rng, beach, v["beach_pois"], 2, first=11)
                continue
            p.go(
                home,
                p.at(d, 15.5 + rng.uniform(0, 3)),
                corridor=reverse_corridor(RUTA68),
                slow=float(rng.uniform(1.1, 1.6)),
            )
            at_beach_until = None
            if wd == 6 or d in CL_HOLIDAYS:
                continue
        if beach is not None and d == date(2024, 3, 28):  # Jueves Santo: straight from work
            p.go(work, p.at(d, v["dep"] + rng.normal(0, 0.2)), corridor=v.get("corridor"))
            p.go(beach, p.at(d, 15 + rng.uniform(0, 1.5)), corridor=RUTA68, slow=float(rng.uniform(1.4, 2.0)))
            at_beach_until = date(2024, 3, 31)
            continue
        if wd < 5 and d not in CL_HOLIDAYS:
            commute_day(p, d, rng, v, home, work)
            if beach is not None and wd == 4 and rng.random() < 0.75:
                p.go(
                    beach,
                    p.at(d, 19.3 + rng.uniform(0, 1.5)),
                    corridor=RUTA68,
                    slow=float(rng.uniform(1.1, 1.5)),
                )
                at_beach_until = d + timedelta(days=2)
        else:
            if rng.random() < 0.08:
                outing(p, d, rng, pick(rng, STGO_DAYTRIPS), 10 + rng.uniform(0, 1.5), (120, 300))
                p.go(home)
            else:
                weekend_day(p, d, rng, home, v["pois"], 3)
    return p.finish(t_end)


def life_temporero(v, rng, days, t_end):
    home = v["home"]
    p = Plan(TZ_CL, home, v["t0"], rng, "van")
    for d in days:
        wd = d.weekday()
        if wd == 6 or (d == date(2024, 3, 29) and not v["works_good_friday"]):
            if rng.random() < 0.6:
                outing(p, d, rng, pick(rng, COLCHAGUA_TOWNS), 10.5 + rng.uniform(0, 2), (60, 180))
                p.go(home)
            continue
        second = v.get("switch") is not None and d >= v["switch"]
        fundo = v["work2"] if second else v["work"]
        start = (5.45 if second else 6.0) + rng.uniform(0, 0.4)
        first = True
        for stop in v["stops"]:
            p.go(stop, p.at(d, start) if first else None)
            first = False
            p.stay(mins(rng, 0.7, 4))
        p.go(fundo)
        if rng.random() < 0.5:
            p.wait_until(p.at(d, 12 + rng.uniform(0, 1.5)))
            cuartel = scatter(rng, fundo, 400, 1200)
            p.go(cuartel, reuse=False)
            p.stay(mins(rng, 30, 90))
            p.go(fundo, reuse=False)
        dep = (14.3 if wd == 5 else 16.2) + rng.uniform(0, 0.8)
        first = True
        for stop in v["stops"][::-1]:
            p.go(stop, p.at(d, dep) if first else None)
            first = False
            p.stay(mins(rng, 0.7, 3))
        p.go(home)
    return p.finish(t_end)


def life_bus_escondida(v, rng, days, t_end):
    depot, term = v["home"], v["work"]
    p = Plan(TZ_CL, depot, v["t0"], rng, "bus")
    for d in days:
        if d.toordinal() % 14 == v["maint_day"]:
            continue  # mantención: the bus stays at the depot
        p.go(term, p.at(d, 4.65 + rng.uniform(0, 0.3)), corridor=ESCONDIDA_CORRIDOR)
        if rng.random() < 0.7:
            p.wait_until(p.at(d, 12 + rng.uniform(0, 1)))
            p.go(ESCONDIDA_FUEL)
            p.stay(mins(rng, 12, 25))
            p.go(term)
        p.go(depot, p.at(d, 20.05 + rng.uniform(0, 0.25)), corridor=reverse_corridor(ESCONDIDA_CORRIDOR))
    return p.finish(t_end)


def life_bus_calama(v, rng, days, t_end):
    depot, gate = v["home"], v["gate"]
    p = Plan(TZ_CL, depot, v["t0"], rng, "bus")
    cor = (CALAMA_TO_MINE, [False] * (len(CALAMA_TO_MINE) - 1), "calama-mina")
    runs = [6.0, 18.0] + ([12.0] if v["midday"] else [])
    for d in days:
        for h in sorted(runs):
            first = True
            for stop in v["stops"]:
                p.go(stop, p.at(d, h + rng.uniform(0, 0.15)) if first else None)
                first = False
                p.stay(mins(rng, 1, 4))
            p.go(gate, corridor=cor)
            p.stay(mins(rng, 15, 35))
            p.go(v["stops"][-1], corridor=reverse_corridor(cor))
            for stop in v["stops"][::-1][1:]:
                p.stay(mins(rng, 1, 3))
                p.go(stop)
            p.go(depot)
    return p.finish(t_end)


def rotation(d, phase):
    c = ((d - date(2024, 1, 1)).days + 7 * phase) % 28
    return "D" if c < 7 else ("N" if 14 <= c < 21 else "L")


def life_minero(v, rng, days, t_end):
    home, mine = v["home"], v["work"]
    p = Plan(TZ_CL, home, v["t0"], rng)
    cor = (CALAMA_TO_MINE, [False] * (len(CALAMA_TO_MINE) - 1), "calama-mina")
    rcor = reverse_corridor(cor)
    away_until = None
    prev = rotation(days[0] - timedelta(days=1), v["phase"])
    if prev == "N":
        p.place = mine
    for d in days:
        r = rotation(d, v["phase"])
        if p.place == mine:  # coming off a night shift
            p.go(home, p.at(d, 8.1 + rng.uniform(0, 0.3)), corridor=rcor)
        if away_until is not None:
            if d < away_until:
                weekend_day(p, d, rng, v["antof"], [scatter(rng, ANTOF, 1000, 6000)], 2)
                continue
            p.go(home, p.at(d, 9 + rng.uniform(0, 4)), corridor=reverse_corridor(RUTA25))
            away_until = None
            if r != "L":
                pass
        if r == "D":
            p.go(mine, p.at(d, 6.65 + rng.uniform(0, 0.35)), corridor=cor)
            p.go(home, p.at(d, 20.1 + rng.uniform(0, 0.3)), corridor=rcor)
            if rng.random() < 0.2:
                outing(p, d, rng, pick(rng, CALAMA_MALL), 21.2, (20, 45))
                p.go(home)
        elif r == "N":
            if rng.random() < 0.4:
                outing(p, d, rng, pick(rng, CALAMA_MALL), 13 + rng.uniform(0, 2), (30, 90))
                p.go(home)
            p.go(mine, p.at(d, 18.65 + rng.uniform(0, 0.35)), corridor=cor)
        else:
            cyc_day = ((d - date(2024, 1, 1)).days + 7 * v["phase"]) % 7
            if v["antof_trips"] and cyc_day == 2 and rng.random() < 0.6:
                p.go(v["antof"], p.at(d, 9.5 + rng.uniform(0, 2)), corridor=RUTA25)
                away_until = d + timedelta(days=int(rng.integers(1, 3)) + 1)
                continue
            weekend_day(p, d, rng, home, CALAMA_MALL + v["pois"], 2)
    return p.finish(t_end)


def bridge_legs(p, d, rng, bridge, northbound, queue_min):
    approach, mx_end, us_end, us_pt = BRIDGES[bridge]
    if northbound:
        p.go(approach)
        p.go(mx_end, dur=queue_min * 60.0, jerky=True)
        p.go(us_end, dur=mins(rng, 1.5, 6), jerky=True)  # CBP primary inspection
        p.go(us_pt)
    else:
        p.go(us_pt)
        p.go(us_end, dur=mins(rng, 2, 8), jerky=True)
        p.go(mx_end, dur=mins(rng, 1, 3) + (mins(rng, 8, 20) if rng.random() < 0.1 else 0), jerky=True)
        p.go(approach)


def mx_workday(d, v):
    return d.weekday() < 5 and d not in MX_HOLIDAYS and d not in MX_SEMANA_SANTA


def life_maquila(v, rng, days, t_end):
    home, plant = v["home"], v["work"]
    p = Plan(TZ_JZ, home, v["t0"], rng)
    for d in days:
        wd = d.weekday()
        if v["shift"] == 1:
            if mx_workday(d, v) or (
                wd == 5
                and v["saturdays"]
                and d.isocalendar()[1] % 2 == v["sat_parity"]
                and d not in MX_SEMANA_SANTA
            ):
                p.go_arrive(plant, p.at(d, 5.6 + rng.uniform(0, 0.3)))
                p.go(home, p.at(d, (14.05 if wd == 5 else 15.55) + rng.uniform(0, 0.2)))
                if rng.random() < 0.35:
                    outing(p, d, rng, pick(rng, JZ_SHOPS + v["pois"]), 16.5 + rng.uniform(0, 1.5), (30, 90))
                    p.go(home)
                continue
        else:
            if mx_workday(d, v):
                if rng.random() < 0.35:
                    outing(p, d, rng, pick(rng, JZ_SHOPS + v["pois"]), 10 + rng.uniform(0, 2), (30, 90))
                    p.go(home)
                p.go_arrive(plant, p.at(d, 15.1 + rng.uniform(0, 0.2)))
                p.go(home, p.at(d, 24.6 + rng.uniform(0, 0.25)))
                continue
        if v["crosses"] and wd == 5 and rng.random() < 0.5:
            p.wait_until(p.at(d, 9 + rng.uniform(0, 2)))
            bridge_legs(p, d, rng, "zaragoza", True, float(rng.uniform(45, 150)))
            p.go(pick(rng, EP_SHOPS))
            p.stay(mins(rng, 90, 200))
            bridge_legs(p, d, rng, "zaragoza", False, 0)
            p.go(home)
            continue
        weekend_day(p, d, rng, home, JZ_SHOPS + v["pois"], 2)
    return p.finish(t_end)


def life_cross_ep_jz(v, rng, days, t_end):
    home, plant, br = v["home"], v["work"], v["bridge"]
    p = Plan(TZ_EP, home, v["t0"], rng)
    for d in days:
        if mx_workday(d, v):
            p.wait_until(p.at(d, 6.2 + rng.uniform(0, 0.4)))
            bridge_legs(p, d, rng, br, False, 0)
            p.go(plant)
            q = float(rng.uniform(25, 100)) + (30 if d.weekday() == 4 else 0)
            p.wait_until(p.at(d, 17 + rng.uniform(0, 1)))
            bridge_legs(p, d, rng, br, True, q)
            p.go(home)
        else:
            weekend_day(p, d, rng, home, EP_SHOPS + v["pois"], 2)
    return p.finish(t_end)


def life_cross_jz_ep(v, rng, days, t_end):
    home, work, br = v["home"], v["work"], v["bridge"]
    p = Plan(TZ_JZ, home, v["t0"], rng)
    for d in days:
        if d.weekday() < 5:
            q = float(rng.uniform(10, 25) if v["sentri"] else rng.uniform(45, 120))
            p.wait_until(p.at(d, 6.4 - q / 60.0 + rng.uniform(-0.2, 0.1)))
            bridge_legs(p, d, rng, br, True, q)
            p.go(work)
            p.wait_until(p.at(d, 15.5 + rng.uniform(0, 0.3)))
            bridge_legs(p, d, rng, br, False, 0)
            p.go(home)
        else:
            weekend_day(p, d, rng, home, JZ_SHOPS + v["pois"], 2)
    return p.finish(t_end)


def life_monterrey(v, rng, days, t_end):
    home, work = v["home"], v["work"]
    p = Plan(TZ_MTY, home, v["t0"], rng)
    quinta = v.get("weekend_place")
    at_quinta = False
    for d in days:
        wd = d.weekday()
        holiday = d in MX_HOLIDAYS or (d in MX_SEMANA_SANTA and v["semana_santa_off"])
        if at_quinta:
            if wd == 6:
                p.go(home, p.at(d, 17 + rng.uniform(0, 2)), corridor=reverse_corridor(CARRETERA_NACIONAL))
                at_quinta = False
                continue
            if rng.random() < 0.5:
                outing(p, d, rng, scatter(rng, quinta, 1500, 6000), 11 + rng.uniform(0, 3), (40, 150))
                p.go(quinta)
            continue
        if quinta is not None and (d == date(2024, 3, 28) or (wd == 5 and rng.random() < 0.7)):
            p.go(quinta, p.at(d, 9 + rng.uniform(0, 2)), corridor=CARRETERA_NACIONAL)
            at_quinta = True
            continue
        if v["kind"] == "vendedor_monterrey" and (wd < 5 or (wd == 5 and v["saturdays"])) and not holiday:
            p.go_arrive(work, p.at(d, 8 + rng.uniform(-0.1, 0.2)))
            p.stay(mins(rng, 25, 60))
            n = int(rng.integers(5, 10) if wd < 5 else rng.integers(3, 6))
            end_h = 13.5 if wd == 5 else 17.2
            for k in range(n):
                p.go(pick(rng, v["clients"]))
                p.stay(mins(rng, 12, 40))
                if k == n // 2 and wd < 5:
                    outing(p, d, rng, scatter(rng, p.place, 200, 1500), 14 + rng.uniform(0, 0.4), (30, 50))
                if p.t > p.at(d, end_h):
                    break
            p.go(work)
            p.stay(mins(rng, 15, 40))
            p.go(home)
            continue
        if v["kind"] != "vendedor_monterrey" and wd < 5 and not holiday:
            commute_day(p, d, rng, v, home, work)
            continue
        if v["kind"] != "vendedor_monterrey" and wd == 5 and v["saturdays"] and not holiday:
            p.go_arrive(work, p.at(d, 8 + rng.uniform(0, 0.2)))
            p.go(home, p.at(d, 13.1 + rng.uniform(0, 0.4)))
            continue
        weekend_day(p, d, rng, home, MTY_SHOPS + v["pois"], 3)
    return p.finish(t_end)


LIVES = {
    "colectivo_valparaiso": life_colectivo,
    "moto_reparto_santiago": life_moto,
    "commuter_santiago": life_commuter_cl,
    "commuter_santiago_casa_playa": life_commuter_cl,
    "furgon_temporeros_colchagua": life_temporero,
    "bus_faena_escondida": life_bus_escondida,
    "bus_acercamiento_calama": life_bus_calama,
    "minero_7x7_calama": life_minero,
    "maquila_turno1_juarez": life_maquila,
    "maquila_turno2_juarez": life_maquila,
    "transfronterizo_elpaso_a_juarez": life_cross_ep_jz,
    "transfronterizo_juarez_a_elpaso": life_cross_jz_ep,
    "commuter_monterrey": life_monterrey,
    "commuter_monterrey_quinta": life_monterrey,
    "vendedor_monterrey": life_monterrey,
}


# ----------------------------------------------------------------------------------------------
# vehicle set-up
# ----------------------------------------------------------------------------------------------
LETTERS = np.array(list("BCDFGHJKLPRSTVWXYZ"))
KIND_NAMES = [k[0] for k in KINDS]


def allocate(n):
    w = np.array([k[2] for k in KINDS], dtype=float)
    raw = w * n / w.sum()
    cnt = np.floor(raw).astype(int)
    order = np.argsort(-(raw - cnt), kind="stable")
    cnt[order[: n - cnt.sum()]] += 1
    if n >= len(KINDS):
        while (cnt == 0).any():
            cnt[int(np.argmax(cnt))] -= 1
            cnt[int(np.argmax(cnt == 0))] += 1
    return cnt


def luhn_digit(digits):
    s = 0
    for i, ch in enumerate(reversed(digits)):
        x = int(ch)
        if i % 2 == 0:
            x *= 2
            x = x - 9 if x > 9 else x
        s += x
    return str((10 - s % 10) % 10)


def make_id(rng, fmt):
    if fmt == "cl_car":
        return "".join(rng.choice(LETTERS, 4)) + "-" + f"{int(rng.integers(10, 100))}"
    if fmt == "cl_moto":
        return "".join(rng.choice(LETTERS, 3)) + "-" + f"{int(rng.integers(10, 100))}"
    if fmt == "imei":
        body = "8678440" + "".join(str(x) for x in rng.integers(0, 10, 7))
        return body + luhn_digit(body)
    if fmt == "nl":
        return (
            "S"
            + "".join(rng.choice(LETTERS, 2))
            + "-"
            + f"{int(rng.integers(100, 1000))}-"
            + str(rng.choice(LETTERS))
        )
    if fmt == "chih":
        return "E" + "".join(rng.choice(LETTERS, 2)) + "-" + f"{int(rng.integers(100, 1000))}-A"
    if fmt == "tx":
        return "".join(rng.choice(LETTERS, 3)) + "-" + f"{int(rng.integers(1000, 10000))}"
    raise ValueError(fmt)


MODELS = {
    "colectivo_valparaiso": ("Sedán", [("Nissan", "Versa"), ("Chevrolet", "Sail"), ("Hyundai", "Accent")]),
    "moto_reparto_santiago": (
        "Motocicleta",
        [("Honda", "CB125F"), ("Yamaha", "YBR125"), ("Suzuki", "GN125")],
    ),
    "commuter_santiago": (
        "Automóvil",
        [
            ("Suzuki", "Swift"),
            ("Kia", "Morning"),
            ("Mazda", "CX-5"),
            ("Toyota", "RAV4"),
            ("Chevrolet", "Tracker"),
        ],
    ),
    "commuter_santiago_casa_playa": (
        "SUV",
        [("Toyota", "RAV4"), ("Hyundai", "Tucson"), ("Subaru", "Forester")],
    ),
    "furgon_temporeros_colchagua": (
        "Furgón",
        [("Hyundai", "H-1"), ("Peugeot", "Boxer"), ("Mercedes-Benz", "Sprinter")],
    ),
    "bus_faena_escondida": ("Bus", [("Mercedes-Benz", "O500 RS"), ("Volvo", "B420R")]),
    "bus_acercamiento_calama": ("Bus", [("Mercedes-Benz", "O500 U"), ("Volvo", "B270F")]),
    "minero_7x7_calama": ("Camioneta", [("Toyota", "Hilux"), ("Mitsubishi", "L200"), ("Nissan", "Navara")]),
    "maquila_turno1_juarez": ("Automóvil", [("Nissan", "Versa"), ("Chevrolet", "Aveo"), ("Nissan", "Tsuru")]),
    "maquila_turno2_juarez": ("Automóvil", [("Nissan", "Sentra"), ("Chevrolet", "Aveo"), ("Kia", "Rio")]),
    "transfronterizo_elpaso_a_juarez": (
        "Automóvil",
        [("Ford", "F-150"), ("Honda", "Accord"), ("Toyota", "Camry")],
    ),
    "transfronterizo_juarez_a_elpaso": (
        "Automóvil",
        [("Nissan", "Sentra"), ("Honda", "Civic"), ("Chevrolet", "Silverado")],
    ),
    "commuter_monterrey": (
        "Automóvil",
        [("Volkswagen", "Jetta"), ("Kia", "Rio"), ("Mazda", "3"), ("Nissan", "Kicks")],
    ),
    "commuter_monterrey_quinta": (
        "SUV",
        [("Chevrolet", "Tahoe"), ("Toyota", "Highlander"), ("Nissan", "X-Trail")],
    ),
    "vendedor_monterrey": ("Pick-up", [("Nissan", "NP300"), ("Chevrolet", "Tornado"), ("Ram", "700")]),
}


def setup_vehicles(n, seed, start, days):
    cnt = allocate(n)
    id_rng = np.random.default_rng([seed, 7777])
    used = set()
    vehicles = []
    idx = 0
    for (kind, fkey, _w, tz), c in zip(KINDS, cnt):
        for j in range(int(c)):
            rng = np.random.default_rng([seed, 1000 + idx])
            v = {
                "kind": kind,
                "file": fkey,
                "tz": tz,
                "rng": rng,
                "j": j,
                "weekend_place": None,
                "work": None,
            }
            fmt = {"cl": "cl_car", "nmea": "cl_car", "qc": "imei", "obd": "nl"}[fkey]
            if kind == "moto_reparto_santiago":
                fmt = "cl_moto"
            while True:
                vid = make_id(id_rng, fmt)
                if vid not in used:
                    used.add(vid)
                    break
            v["id"] = vid
            v["t0"] = datetime(start.year, start.month, start.day, tzinfo=ZoneInfo(tz)).timestamp()
            configure(v, rng, j)
            vehicles.append(v)
            idx += 1
    return vehicles


def configure(v, rng, j):
    k = v["kind"]
    if k == "colectivo_valparaiso":
        line = VALPO_LINES[j % len(VALPO_LINES)]
        v["line"] = line
        v["home"] = scatter(rng, line[1], 250, 1200, 25)
        v["pois"] = [scatter(rng, line[0], 200, 2500) for _ in range(3)]
    elif k == "moto_reparto_santiago":
        v["home"] = scatter(rng, pick(rng, STGO_MOTO_HOMES), 100, 1500, 5)
        v["hub"] = v["work"] = scatter(rng, STGO_HUBS[j % len(STGO_HUBS)], 0, 120)
        v["lunch"] = rng.random() < 0.7
        v["dinner"] = (not v["lunch"]) or rng.random() < 0.85
        v["rest_day"] = int(rng.integers(0, 4))
        v["pois"] = [scatter(rng, v["home"], 500, 4000) for _ in range(3)]
    elif k in ("commuter_santiago", "commuter_santiago_casa_playa"):
        mode = j % 3
        if mode == 0:
            v["home"] = scatter(rng, pick(rng, STGO_ORIENTE_HOMES), 100, 1500, 20)
            v["work"] = scatter(rng, pick(rng, STGO_CENTRO_WORK), 0, 300)
            v["corridor"] = COSTANERA
        elif mode == 1:
            v["home"] = scatter(rng, pick(rng, STGO_SC_HOMES), 100, 1500, 10)
            v["work"] = scatter(rng, pick(rng, STGO_SC_WORK), 0, 250)
            v["corridor"] = SAN_CRISTOBAL
        else:
            v["home"] = scatter(rng, pick(rng, STGO_HOMES), 100, 1500, 10)
            v["work"] = scatter(rng, pick(rng, STGO_WORK), 0, 300)
        v["dep"] = float(rng.uniform(6.9, 8.4))
        v["ret"] = float(rng.uniform(17.3, 19.3))
        v["wfh_friday"] = rng.random() < 0.25
        v["pois"] = [scatter(rng, v["home"], 800, 3000) for _ in range(2)] + [
            scatter(rng, v["home"], 3000, 15000) for _ in range(2)
        ]
        if k == "commuter_santiago_casa_playa":
            v["weekend_place"] = scatter(rng, COAST_HOUSES[j % len(COAST_HOUSES)], 50, 900, 10)
            v["beach_pois"] = [scatter(rng, v["weekend_place"], 1000, 6000) for _ in range(3)]
    elif k == "furgon_temporeros_colchagua":
        v["home"] = scatter(rng, COLCHAGUA_HOMES[j % len(COLCHAGUA_HOMES)], 100, 1500, 10)
        v["work"] = scatter(rng, pick(rng, COLCHAGUA_FUNDOS), 0, 400)
        v["stops"] = [scatter(rng, v["home"], 1500, 8000) for _ in range(int(rng.integers(3, 6)))]
        v["stops"].sort(key=lambda s: dist_m(s, v["home"]))
        v["works_good_friday"] = rng.random() < 0.5
        if j % 3 == 1:
            v["work2"] = scatter(rng, pick(rng, CURICO_HUERTOS), 0, 500)
            v["switch"] = date(2024, 4, 8) + timedelta(days=int(rng.integers(-2, 4)))
    elif k == "bus_faena_escondida":
        v["home"] = scatter(rng, ANTOF_DEPOT, 0, 80)
        v["work"] = scatter(rng, ESCONDIDA_TERMINAL, 0, 60)
        v["maint_day"] = int(rng.integers(0, 14))
    elif k == "bus_acercamiento_calama":
        v["home"] = scatter(rng, CALAMA_DEPOT, 0, 80)
        v["gate"] = scatter(rng, MINES[j % len(MINES)], 0, 100)
        v["stops"] = [scatter(rng, CALAMA, 300, 3000) for _ in range(int(rng.integers(3, 5)))]
        v["midday"] = rng.random() < 0.4
    elif k == "minero_7x7_calama":
        v["home"] = scatter(rng, CALAMA, 300, 3500, 15)
        v["work"] = scatter(rng, MINES[j % len(MINES)], 100, 500)
        v["phase"] = j % 4
        v["antof"] = scatter(rng, ANTOF, 1000, 5000)
        v["antof_trips"] = rng.random() < 0.5
        v["pois"] = [scatter(rng, v["home"], 500, 3000) for _ in range(2)]
    elif k in ("maquila_turno1_juarez", "maquila_turno2_juarez"):
        v["home"] = scatter(rng, pick(rng, JZ_HOMES), 100, 1200, 5)
        v["work"] = scatter(rng, pick(rng, JZ_PLANTS), 0, 300)
        v["shift"] = 1 if k == "maquila_turno1_juarez" else 2
        v["saturdays"] = rng.random() < 0.5
        v["sat_parity"] = int(rng.integers(0, 2))
        v["crosses"] = rng.random() < 0.3
        v["pois"] = [scatter(rng, v["home"], 400, 2500) for _ in range(2)]
    elif k == "transfronterizo_elpaso_a_juarez":
        v["home"] = scatter(rng, EP_HOMES[j % len(EP_HOMES)], 100, 1500, 5)
        v["work"] = scatter(rng, pick(rng, JZ_PLANTS), 0, 300)
        v["bridge"] = "zaragoza" if v["home"][1] > -106.36 else "americas"
        v["pois"] = [scatter(rng, v["home"], 800, 6000) for _ in range(2)]
    elif k == "transfronterizo_juarez_a_elpaso":
        v["home"] = scatter(rng, JZ_HOMES[j % len(JZ_HOMES)], 100, 1200, 5)
        v["work"] = scatter(rng, EP_WORK[j % len(EP_WORK)], 0, 200)
        v["bridge"] = "zaragoza" if v["home"][1] > -106.37 and v["work"][1] > -106.40 else "americas"
        v["sentri"] = j % 2 == 0
        v["pois"] = [scatter(rng, v["home"], 400, 2500) for _ in range(2)]
    else:  # Monterrey
        v["home"] = scatter(rng, MTY_HOMES[j % len(MTY_HOMES)], 100, 1500, 10)
        v["work"] = scatter(rng, pick(rng, MTY_WORK), 0, 300)
        v["dep"] = float(rng.uniform(6.6, 7.9))
        v["ret"] = float(rng.uniform(17.4, 19.0))
        v["wfh_friday"] = rng.random() < 0.1
        v["saturdays"] = rng.random() < 0.35
        v["semana_santa_off"] = rng.random() < 0.75
        v["pois"] = [scatter(rng, v["home"], 700, 3000) for _ in range(2)] + [
            scatter(rng, v["home"], 3000, 12000)
        ]
        if k == "commuter_monterrey_quinta":
            v["weekend_place"] = scatter(rng, MTY_QUINTAS[j % len(MTY_QUINTAS)], 100, 1500, 15)
        if k == "vendedor_monterrey":
            v["clients"] = [scatter(rng, v["work"], 1000, 15000) for _ in range(40)]


# ----------------------------------------------------------------------------------------------
# sampling: legs -> fixes
# ----------------------------------------------------------------------------------------------
EV_MOVE, EV_ON, EV_OFF, EV_PARK, EV_IDLE = 0, 1, 2, 3, 4


def grid(t0, t1, iv, rng):
    if iv <= 0 or t1 - t0 <= 0:
        return np.empty(0)
    ts = t0 + float(rng.uniform(0, iv)) + iv * np.arange(int((t1 - t0) // iv) + 1)
    return ts[ts < t1]


def sample_vehicle(legs, move_iv, park_iv, rng, short_stop=300.0, noise_m=3.5):
    T, LA, LO, AL, SP, HD, EV, TU, OD = ([] for _ in range(9))
    odo = float(rng.uniform(15_000, 220_000)) * 1000.0
    hdg_last = float(rng.uniform(0, 360))
    parked = True
    n = len(legs)
    for i, leg in enumerate(legs):
        if leg[0] == "S":
            t0, t1, pl = leg[1], leg[2], leg[3]
            idle = (t1 - t0) < short_stop and 0 < i < n - 1
            if idle:
                ts = grid(t0, t1, move_iv, rng)
                ev = np.full(len(ts), EV_IDLE)
                parked = False
            else:
                if park_iv <= 0:
                    ts = np.empty(0)
                elif i == 0:
                    ts = grid(t0, t1, park_iv, rng)
                else:  # the parked period is counted from the ignition-off record
                    ts = t0 + park_iv * np.arange(1, int((t1 - t0) // park_iv) + 1)
                    ts = ts[ts < t1]
                ev = np.full(len(ts), EV_PARK)
                if i > 0 and not parked:
                    ts = np.concatenate([[t0], ts])
                    ev = np.concatenate([[EV_OFF], ev])
                parked = True
            k = len(ts)
            if k:
                T.append(ts)
                LA.append(np.full(k, pl[0]))
                LO.append(np.full(k, pl[1]))
                AL.append(np.full(k, pl[2]))
                SP.append(np.zeros(k))
                HD.append(np.full(k, hdg_last))
                EV.append(ev)
                TU.append(np.zeros(k, bool))
                OD.append(np.full(k, odo))
            continue
        _, t0, t1, path, jerky = leg
        dur = t1 - t0
        ts = grid(t0, t1, move_iv, rng)
        ev = np.full(len(ts), EV_MOVE)
        if parked:
            ts = np.concatenate([[t0], ts])
            ev = np.concatenate([[EV_ON], ev])
        parked = False
        nk = max(3, int(dur / 60.0) + 2)
        if jerky:
            vk = rng.lognormal(0, 0.8, nk) * (rng.random(nk) > 0.4) + 0.03
        else:
            vk = np.clip(rng.lognormal(0, 0.18, nk), 0.6, 1.35)
        vk[0] *= 0.35
        vk[-1] *= 0.35
        ug = np.linspace(0.0, 1.0, 8 * nk)
        vg = np.interp(ug, np.linspace(0.0, 1.0, nk), vk)
        sg = np.concatenate([[0.0], np.cumsum((vg[1:] + vg[:-1]) * 0.5)])
        total = sg[-1]
        u = (ts - t0) / dur
        s = np.interp(u, ug, sg / total) * path.length
        spd = np.interp(u, ug, vg) / (total / (len(ug) - 1)) * path.length / dur * 3.6
        lat = np.interp(s, path.cum, path.lat)
        lon = np.interp(s, path.cum, path.lon)
        alt = np.interp(s, path.cum, path.alt)
        seg = np.clip(np.searchsorted(path.cum, s, side="right") - 1, 0, len(path.hdg) - 1)
        hdg = path.hdg[seg] if len(path.hdg) else np.full(len(ts), hdg_last)
        T.append(ts)
        LA.append(lat)
        LO.append(lon)
        AL.append(alt)
        SP.append(spd)
        HD.append(hdg)
        EV.append(ev)
        TU.append(path.tunnel[seg] if len(path.tunnel) else np.zeros(len(ts), bool))
        OD.append(odo + s)
        odo += path.length
        if len(hdg):
            hdg_last = float(hdg[-1])
    out = {
        k: np.concatenate(x) if x else np.empty(0)
        for k, x in zip(
            ("t", "lat", "lon", "alt", "spd", "hdg", "ev", "tun", "odo"), (T, LA, LO, AL, SP, HD, EV, TU, OD)
        )
    }
    m = len(out["t"])
    order = np.argsort(out["t"], kind="stable")
    out = {k: x[order] for k, x in out.items()}
    out["tun"] = out["tun"].astype(bool)
    out["ev"] = out["ev"].astype(np.int64)
    cosl = np.cos(np.radians(out["lat"])) if m else 1.0
    out["lat"] = out["lat"] + rng.normal(0, noise_m, m) / M_PER_DEG
    out["lon"] = out["lon"] + rng.normal(0, noise_m, m) / (M_PER_DEG * cosl)
    out["alt"] = out["alt"] + rng.normal(0, 2.5, m)
    out["spd"] = np.clip(out["spd"] + rng.normal(0, 1.0, m) * (out["spd"] > 0), 0, None)
    out["spd"][out["ev"] == EV_ON] = 0.0
    out["t"] = np.floor(out["t"]).astype(np.int64)
    keep = np.concatenate([[True], np.diff(out["t"]) > 0]) if m else np.zeros(0, bool)
    return {k: x[keep] for k, x in out.items()}


# ----------------------------------------------------------------------------------------------
# vectorised text helpers
# ----------------------------------------------------------------------------------------------
def S(x):
    return np.asarray(x).astype(str)


def cat(*parts):
    out = parts[0]
    for p in parts[1:]:
        out = np.strings.add(out, p)
    return out


def fixed(x, dec, width=0):
    """Fixed-decimals rendering of a float array (C speed), '-' sign, optional zero padding."""
    x = np.asarray(x, dtype=float)
    m = np.round(np.abs(x) * 10**dec).astype(np.int64)
    ip = S(m // 10**dec)
    if width:
        ip = np.strings.zfill(ip, width)
    s = cat(ip, ".", np.strings.zfill(S(m % 10**dec), dec)) if dec else ip
    neg = (x < 0) & (m > 0)
    return np.where(neg, np.strings.add("-", s), s)


def iso_local(t_utc, tz):
    """'YYYY-MM-DDTHH:MM:SS' of UTC epoch seconds in zone tz (wall clock)."""
    idx = pd.to_datetime(t_utc, unit="s", utc=True)
    if tz != "UTC":
        idx = idx.tz_convert(tz)
    naive = idx.tz_localize(None).values.astype("datetime64[s]")
    return np.datetime_as_string(naive, unit="s")


def chars(a, width):
    return np.frombuffer(np.ascontiguousarray(a.astype(f"S{width}")).tobytes(), np.uint8).reshape(-1, width)


def from_chars(m):
    m = np.ascontiguousarray(m)
    return np.frombuffer(m.tobytes(), f"S{m.shape[1]}").astype(str)


HEX = np.array([f"{i:02X}" for i in range(256)])


def nmea_checksum(body):
    w = int(np.max(np.strings.str_len(body))) if len(body) else 1
    b = chars(body, w)
    return HEX[np.bitwise_xor.reduce(b, axis=1)]


# ----------------------------------------------------------------------------------------------
# the four platforms
# ----------------------------------------------------------------------------------------------
def write_cl_csv(path, vs, rng, faults):
    frames = []
    tun_rows, spike_rows = 0, 0
    tun_veh, spike_veh = [], []
    for v in vs:
        s = v["fix"]
        n = len(s["t"])
        sats = rng.integers(7, 15, n)
        sats[s["ev"] == EV_PARK] = rng.integers(5, 12, int((s["ev"] == EV_PARK).sum()))
        lat, lon, spd, hdg, alt = (
            s["lat"].copy(),
            s["lon"].copy(),
            s["spd"].copy(),
            s["hdg"].copy(),
            s["alt"].copy(),
        )
        odo_m = s["odo"].copy()
        tun = s["tun"]
        if tun.any():  # no fix inside a tunnel: frozen, 0 satellites
            idx = np.arange(n)
            last_ok = np.maximum.accumulate(np.where(~tun, idx, 0))
            lat[tun], lon[tun], alt[tun], hdg[tun] = (
                lat[last_ok[tun]],
                lon[last_ok[tun]],
                alt[last_ok[tun]],
                hdg[last_ok[tun]],
            )
            odo_m[tun] = odo_m[last_ok[tun]]
            spd[tun] = 0
            sats[tun] = 0
            tun_rows += int(tun.sum())
            tun_veh.append(v["id"])
        p_spike = {"colectivo_valparaiso": 0.004, "moto_reparto_santiago": 0.002}.get(v["kind"], 0.001)
        moving = (s["ev"] == EV_MOVE) & ~tun
        inner = np.zeros(n, bool)
        inner[1:-1] = moving[1:-1] & moving[:-2] & moving[2:]
        spike = inner & (rng.random(n) < p_spike)
        spike[1:] &= ~spike[:-1]
        k = int(spike.sum())
        if k:
            r = rng.uniform(250, 1500, k)
            th = rng.uniform(0, 2 * np.pi, k)
            lat[spike] += r * np.sin(th) / M_PER_DEG
            lon[spike] += r * np.cos(th) / (M_PER_DEG * np.cos(np.radians(lat[spike])))
            sats[spike] = rng.integers(4, 7, k)
            spike_rows += k
            spike_veh.append(v["id"])
        frames.append(
            dict(
                id=np.full(n, v["id"]),
                t=s["t"],
                lat=lat,
                lon=lon,
                spd=spd,
                hdg=hdg,
                alt=alt,
                sats=sats,
                ign=(s["ev"] != EV_PARK) & (s["ev"] != EV_OFF),
                odo=odo_m,
            )
        )
    c = {k: np.concatenate([f[k] for f in frames]) for k in frames[0]}
    n = len(c["t"])
    dup = rng.random(n) < 0.004
    rep = np.where(dup, 2, 1)
    iso = iso_local(c["t"], TZ_CL)
    ch = chars(iso, 19)
    fecha = from_chars(ch[:, [8, 9, 4, 5, 6, 4, 0, 1, 2, 3]])  # dd-mm-yyyy
    hora = from_chars(ch[:, 11:19])
    km = np.round(c["odo"] / 100.0).astype(np.int64)  # tenths of km
    kk = km // 10
    odo = np.where(kk >= 1000, cat(S(kk // 1000), ".", np.strings.zfill(S(kk % 1000), 3)), S(kk))
    odo = cat(odo, ",", S(km % 10))
    line = cat(
        c["id"],
        ";",
        fecha,
        ";",
        hora,
        ";",
        np.strings.replace(fixed(c["lat"], 6), ".", ","),
        ";",
        np.strings.replace(fixed(c["lon"], 6), ".", ","),
        ";",
        S(np.round(c["spd"]).astype(np.int64)),
        ";",
        S(np.round(c["hdg"]).astype(np.int64) % 360),
        ";",
        S(np.round(c["alt"]).astype(np.int64)),
        ";",
        S(c["sats"]),
        ";",
        np.where(c["ign"], "Encendida", "Apagada"),
        ";",
        odo,
    )
    line = np.repeat(line, rep)
    header = (
        "Patente;Fecha;Hora;Latitud;Longitud;Velocidad (km/h);Rumbo (°);Altitud (m);Satélites;Ignición;"
        "Odómetro (km)"
    )
    text = header + "\r\n" + "\r\n".join(line.tolist()) + "\r\n"
    path.write_bytes(text.encode("cp1252"))
    day_ = (fecha == "06-04-2024") & np.strings.startswith(hora, "23:")
    t_switch = int(datetime(2024, 4, 7, 3, 0, tzinfo=timezone.utc).timestamp())
    faults["tunnel_no_fix"] = {
        "file": path.name,
        "rows": tun_rows,
        "vehicles": sorted(tun_veh),
        "where": [COSTANERA[2], SAN_CRISTOBAL[2], RUTA68[2]],
    }
    faults["multipath_jump"] = {"file": path.name, "rows": spike_rows, "vehicles": sorted(spike_veh)}
    faults["resent_duplicate_rows"] = {"file": path.name, "rows": int(dup.sum())}
    faults["dst_repeated_hour"] = {
        "file": path.name,
        "local_date": "06-04-2024",
        "local_hours": "23:00:00-23:59:59",
        "rows_first_pass_utc-3": int((rep * (day_ & (c["t"] < t_switch))).sum()),
        "rows_second_pass_utc-4": int((rep * (day_ & (c["t"] >= t_switch))).sum()),
    }


def write_nmea(path, vs, rng, faults):
    blocks = []
    void_n = 0
    wnro = []
    for v in vs:
        s = v["fix"]
        on = s["ev"] == EV_ON
        n = len(s["t"])
        # power-up: the receiver prints void sentences (1 s apart) until its first fix
        k_void = np.where(on, rng.integers(1, 7, n), 0)
        tot = int(k_void.sum())
        void_n += tot
        idx_void = np.repeat(np.arange(n), k_void)
        off = np.concatenate([np.arange(k) for k in k_void[k_void > 0]]) if tot else np.zeros(0, int)
        t_void = s["t"][idx_void] + off
        valid_t = s["t"] + k_void
        t_all = np.concatenate([t_void, valid_t])
        is_void = np.concatenate([np.ones(tot, bool), np.zeros(n, bool)])
        src = np.concatenate([idx_void, np.arange(n)])
        order = np.lexsort((~is_void, t_all))
        t_all, is_void, src = t_all[order], is_void[order], src[order]
        shift_days = WNRO_DAYS if v["wnro"] else 0
        if shift_days:
            wnro.append(v["id"])
        blocks.append((v["id"], t_all, is_void, src, s, shift_days))
    lines_all = []
    for vid, t_all, is_void, src, s, shift_days in blocks:
        m = len(t_all)
        if m == 0:
            continue
        iso = iso_local(t_all - shift_days * 86400, "UTC")
        ch = chars(iso, 19)
        hhmmss = cat(from_chars(ch[:, [11, 12, 14, 15, 17, 18]]), ".00")
        ddmmyy = from_chars(ch[:, [8, 9, 5, 6, 2, 3]])
        lat, lon = s["lat"][src], s["lon"][src]
        la, lo = np.abs(lat), np.abs(lon)
        lat_s = cat(np.strings.zfill(S(np.floor(la).astype(int)), 2), fixed((la % 1) * 60, 4, 2))
        lon_s = cat(np.strings.zfill(S(np.floor(lo).astype(int)), 3), fixed((lo % 1) * 60, 4, 2))
        ns = np.where(lat < 0, "S", "N")
        ew = np.where(lon < 0, "W", "E")
        kn = fixed(s["spd"][src] / 1.852, 1)
        crs = fixed(s["hdg"][src], 1)
        rmc_ok = cat(
            "GPRMC,",
            hhmmss,
            ",A,",
            lat_s,
            ",",
            ns,
            ",",
            lon_s,
            ",",
            ew,
            ",",
            kn,
            ",",
            crs,
            ",",
            ddmmyy,
            ",,,A",
        )
        rmc_v = cat("GPRMC,", hhmmss, ",V,,,,,,,", ddmmyy, ",,,N")
        rmc = np.where(is_void, rmc_v, rmc_ok)
        sats = np.strings.zfill(S(rng.integers(6, 13, m)), 2)
        hdop = fixed(rng.uniform(0.7, 1.8, m), 1)
        gga_ok = cat(
            "GPGGA,",
            hhmmss,
            ",",
            lat_s,
            ",",
            ns,
            ",",
            lon_s,
            ",",
            ew,
            ",1,",
            sats,
            ",",
            hdop,
            ",",
            fixed(s["alt"][src], 1),
            ",M,",
            fixed(np.full(m, 38.4), 1),
            ",M,,",
        )
        gga_v = cat("GPGGA,", hhmmss, ",,,,,0,00,99.9,,M,,M,,")
        gga = np.where(is_void, gga_v, gga_ok)
        pre = vid + "|$"
        r = cat(pre, rmc, "*", nmea_checksum(rmc))
        g = cat(pre, gga, "*", nmea_checksum(gga))
        lines_all.append(np.stack([r, g], axis=1).reshape(-1))
    text = "\r\n".join(np.concatenate(lines_all).tolist()) + "\r\n"
    with open(path, "wb") as fh:
        with gzip.GzipFile(filename="", mode="wb", fileobj=fh, mtime=0) as gz:
            gz.write(text.encode("ascii"))
    faults["gps_week_rollover"] = {
        "file": path.name,
        "vehicles": sorted(wnro),
        "days_early": WNRO_DAYS,
        "note": "every $GPRMC date of these loggers is 1024 weeks early",
    }
    faults["void_fix_at_power_up"] = {"file": path.name, "rmc_sentences": void_n, "gga_sentences": void_n}


def write_queclink(path, vs, rng, faults):
    recs = []
    buff_n, nofix_n = 0, 0
    buff_veh, nofix_veh, dropped = [], [], 0
    for v in vs:
        s = v["fix"]
        n = len(s["t"])
        if n == 0:
            continue
        us = in_us(s["lat"], s["lon"])
        send = s["t"] + rng.integers(1, 9, n)
        buffered = us & (not v["roaming"])
        if buffered.any():
            idx = np.arange(n)
            nxt = np.where(~buffered, idx, n)
            nxt = np.minimum.accumulate(nxt[::-1])[::-1]
            ok = nxt < n
            burst = np.zeros(n, np.int64)
            bi = np.flatnonzero(buffered & ok)
            if len(bi):
                grp = nxt[bi]
                first = np.concatenate([[True], grp[1:] != grp[:-1]])
                run = np.arange(len(bi)) - np.maximum.accumulate(np.where(first, np.arange(len(bi)), 0))
                burst[bi] = run
            send = np.where(buffered & ok, s["t"][np.minimum(nxt, n - 1)] + 2 + burst, send)
            keep = ~(buffered & ~ok)
            dropped += int((~keep).sum())
            buff_n += int((buffered & ok).sum())
            if (buffered & ok).any():
                buff_veh.append(v["id"])
        else:
            keep = np.ones(n, bool)
        nofix = np.zeros(n, bool)
        if v["covered"] is not None:
            cp = v["covered"]
            near = (np.abs(s["lat"] - cp[0]) < 0.0008) & (np.abs(s["lon"] - cp[1]) < 0.0009)
            nofix = near & (s["ev"] == EV_PARK)
            if nofix.any():
                nofix_n += int((nofix & keep).sum())
                nofix_veh.append(v["id"])
        # GTIGN/GTIGF carry how long the previous ignition state lasted
        chg = np.flatnonzero((s["ev"] == EV_ON) | (s["ev"] == EV_OFF))
        state_s = np.zeros(n, np.int64)
        if len(chg):
            prev_t = np.concatenate([[int(v["t0"])], s["t"][chg][:-1]])
            state_s[chg] = s["t"][chg] - prev_t
        mcc = np.where(us, "0310", "0334")
        mnc = np.where(us, "0410", "0020")
        lac = np.where(us, "A1F2", "2B4C")
        cid = rng.integers(0x1000, 0xFFFF, n)
        cell = np.strings.add(HEX[cid >> 8], HEX[cid & 255])
        recs.append(
            dict(
                imei=np.full(n, v["id"]),
                t=s["t"],
                send=send,
                ev=s["ev"],
                lat=s["lat"],
                lon=s["lon"],
                alt=s["alt"],
                spd=s["spd"],
                hdg=s["hdg"],
                odo=s["odo"],
                us=us,
                buf=buffered,
                nofix=nofix,
                mcc=mcc,
                mnc=mnc,
                lac=lac,
                cell=cell,
                keep=keep,
                cnt=np.arange(n) % 0x10000 + int(v["rng0"]),
                state_s=state_s,
            )
        )
    c = {k: np.concatenate([r[k] for r in recs]) for k in recs[0]}
    c = {k: x[c["keep"]] for k, x in c.items()}
    n = len(c["t"])
    ev = c["ev"]
    gps_t = from_chars(
        chars(iso_local(c["t"], "UTC"), 19)[:, [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]]
    )
    snd_t = from_chars(
        chars(iso_local(c["send"], "UTC"), 19)[:, [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]]
    )
    acc = np.where(c["nofix"], "0", S(rng.integers(1, 4, n)))
    blank = c["nofix"]
    spd = np.where(blank, "", fixed(c["spd"], 1))
    azi = np.where(blank, "", S(np.round(c["hdg"]).astype(np.int64) % 360))
    alt = np.where(blank, "", fixed(c["alt"], 1))
    lon = np.where(blank, "", fixed(c["lon"], 6))
    lat = np.where(blank, "", fixed(c["lat"], 6))
    gpst = np.where(blank, "", gps_t)
    head = np.where(c["buf"], "+BUFF:", "+RESP:")
    msg = np.where(ev == EV_ON, "GTIGN", np.where(ev == EV_OFF, "GTIGF", "GTFRI"))
    cc = c["cnt"] % 0x10000
    cnt = np.strings.add(HEX[cc >> 8], HEX[cc & 255])
    km = fixed(c["odo"] / 1000.0, 1)
    ign = (ev != EV_PARK) & (ev != EV_OFF)
    power = S(np.where(ign, rng.integers(13600, 14300, n), rng.integers(12100, 12600, n)))
    status = np.where(ign, "220100", "210000")
    pos = cat(
        acc,
        ",",
        spd,
        ",",
        azi,
        ",",
        alt,
        ",",
        lon,
        ",",
        lat,
        ",",
        gpst,
        ",",
        c["mcc"],
        ",",
        c["mnc"],
        ",",
        c["lac"],
        ",",
        c["cell"],
        ",00",
    )
    pre = cat(head, msg, ",270B03,", c["imei"], ",GV300,")
    fri = cat(
        pre,
        power,
        ",10,1,",
        pos,
        ",",
        km,
        ",,,,",
        S(rng.integers(90, 101, n)),
        ",",
        status,
        ",,,,",
        snd_t,
        ",",
        cnt,
        "$",
    )
    dur = S(c["state_s"])
    ign_l = cat(pre, dur, ",", pos, ",,", km, ",", snd_t, ",", cnt, "$")
    line = np.where(msg == "GTFRI", fri, ign_l)
    # server capture order: by arrival; retransmissions of unacknowledged messages arrive again later
    dup = rng.random(n) < 0.003
    arrive = c["send"] + rng.uniform(0.1, 1.5, n)
    d_idx = np.flatnonzero(dup)
    line_all = np.concatenate([line, line[d_idx]])
    arr_all = np.concatenate([arrive, arrive[d_idx] + rng.uniform(20, 90, len(d_idx))])
    order = np.argsort(arr_all, kind="stable")
    text = "\r\n".join(line_all[order].tolist()) + "\r\n"
    path.write_bytes(text.encode("ascii"))
    # messages whose GPS time is earlier than that of a message already logged before them
    faults["buffered_out_of_order"] = {
        "file": path.name,
        "lines": buff_n,
        "vehicles": sorted(set(buff_veh)),
        "never_uploaded_dropped": dropped,
        "note": "+BUFF lines: stored while roaming was off on the US side, sent on return to Mexico",
    }
    faults["retransmitted_duplicates"] = {"file": path.name, "lines": int(len(d_idx))}
    faults["no_gps_fix_reports"] = {
        "file": path.name,
        "lines": nofix_n,
        "vehicles": sorted(set(nofix_veh)),
        "note": "GPS accuracy 0, speed/azimuth/altitude/lon/lat/GPS-time empty",
    }


def write_obd_jsonl(path, vs, rng, faults, page=500):
    recs = []
    stale_n = 0
    stale_veh = []
    t_stale = int(STALE_FROM_UTC.timestamp())
    for v in vs:
        s = v["fix"]
        n = len(s["t"])
        if n == 0:
            continue
        dev_t = s["t"].copy()
        if v["stale_tz"]:
            late = dev_t >= t_stale
            dev_t = dev_t + 3600 * late
            stale_n += int(late.sum())
            stale_veh.append(v["id"])
        recv = s["t"] + rng.integers(1, 30, n)
        recs.append(
            dict(
                placa=np.full(n, v["id"]),
                dev=dev_t,
                recv=recv,
                ev=s["ev"],
                lat=s["lat"],
                lon=s["lon"],
                spd=s["spd"],
                hdg=s["hdg"],
                odo=s["odo"],
            )
        )
    c = {k: np.concatenate([r[k] for r in recs]) for k in recs[0]}
    n = len(c["dev"])
    fl = np.strings.replace(iso_local(c["dev"], TZ_MTY), "T", " ")
    rc = cat(iso_local(c["recv"], "UTC"), "Z")
    evs = np.where(
        c["ev"] == EV_ON, "MOTOR_ENCENDIDO", np.where(c["ev"] == EV_OFF, "MOTOR_APAGADO", "POSICION")
    )
    moving = c["spd"] > 3
    rpm = np.where(
        c["ev"] == EV_OFF, 0, np.where(moving, rng.integers(1300, 2900, n), rng.integers(700, 900, n))
    )
    line = cat(
        '{"placa":"',
        c["placa"],
        '","fecha_local":"',
        fl,
        '","zona_horaria":"',
        TZ_MTY,
        '","recibido_utc":"',
        rc,
        '","evento":"',
        evs,
        '","latitud":',
        fixed(c["lat"], 6),
        ',"longitud":',
        fixed(c["lon"], 6),
        ',"velocidad_kmh":',
        S(np.round(c["spd"]).astype(np.int64)),
        ',"rumbo":',
        S(np.round(c["hdg"]).astype(np.int64) % 360),
        ',"rpm":',
        S(rpm),
        ',"odometro_km":',
        fixed(c["odo"] / 1000.0, 1),
        "}",
    )
    # API pages of `page` records; some pages repeat the tail of the previous page
    starts = np.arange(page, n, page)
    rep = rng.random(len(starts)) < 0.3
    rep[:1] = True
    k = rng.integers(1, 6, len(starts))
    pieces, dup_n, prev = [], 0, 0
    for st, r, kk in zip(starts, rep, k):
        pieces.append(line[prev:st])
        if r:
            pieces.append(line[st - kk : st])
            dup_n += int(kk)
        prev = st
    pieces.append(line[prev:])
    out = np.concatenate(pieces)
    path.write_bytes(("\n".join(out.tolist()) + "\n").encode("utf-8"))
    faults["stale_dst_table"] = {
        "file": path.name,
        "vehicles": sorted(stale_veh),
        "records": stale_n,
        "from_utc": STALE_FROM_UTC.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "shift_s": 3600,
        "note": "fecha_local is one hour ahead of the stated zone from the old "
        "first-Sunday-of-April rule on; recibido_utc is right",
    }
    faults["page_overlap_duplicates"] = {"file": path.name, "records": dup_n, "page_size": page}


# ----------------------------------------------------------------------------------------------
# labels, vehicles, truth
# ----------------------------------------------------------------------------------------------
def r6(p):
    return None if p is None else [round(p[0], 6), round(p[1], 6)]


def write_labels(folder, vs, rng):
    chosen = rng.permutation(len(vs))[: int(round(0.75 * len(vs)))]
    chosen = np.sort(chosen)
    rows = []
    for i in chosen:
        v = vs[i]
        for lab in ("home", "work"):
            if v[lab] is not None:
                rows.append([i, lab])
    n_wrong = max(1, int(round(0.05 * len(rows))))
    wrong_idx = set(rng.choice(len(rows), n_wrong, replace=False).tolist())
    out, wrong = [], []
    for r, (i, lab) in enumerate(rows):
        v = vs[i]
        p = v[lab]
        if r in wrong_idx:
            other = "work" if lab == "home" else "home"
            if lab == "home" and v["weekend_place"] is not None:
                p, why = v["weekend_place"], "casa_de_fin_de_semana"
            elif v[other] is not None and rng.random() < 0.5:
                p, why = v[other], "intercambiado"
            elif rng.random() < 0.5:
                cands = [
                    w
                    for w in vs
                    if w is not v
                    and w[lab] is not None
                    and w["file"] == v["file"]
                    and dist_m(w[lab], p) > 1500
                ]
                p, why = (
                    (pick(rng, cands)[lab], "otro_vehiculo")
                    if cands
                    else (scatter(rng, p, 2500, 7000), "direccion_antigua")
                )
            else:
                p, why = scatter(rng, p, 2500, 7000), "direccion_antigua"
            wrong.append({"vehicle_id": v["id"], "label": lab, "tipo": why})
        q = scatter(rng, p, 10, 60)
        out.append(f"{v['id']},{lab},{q[0]:.6f},{q[1]:.6f}")
    (folder / "labels.csv").write_text("vehicle_id,label,lat,lon\n" + "\n".join(out) + "\n", encoding="utf-8")
    return wrong


DEVICES = {
    "cl": "Teltonika FMB920",
    "nmea": "Registrador NMEA (descarga en base)",
    "qc": "Queclink GV300",
    "obd": "Dongle OBD-II LTE",
}


def write_vehicles(folder, vs, names):
    rows = ["vehicle_id,pais,ciudad_base,tipo_vehiculo,marca,modelo,anio,equipo_gps,firmware,archivo"]
    city = {
        "colectivo_valparaiso": "Valparaíso",
        "moto_reparto_santiago": "Santiago",
        "commuter_santiago": "Santiago",
        "commuter_santiago_casa_playa": "Santiago",
        "furgon_temporeros_colchagua": "Colchagua",
        "bus_faena_escondida": "Antofagasta",
        "bus_acercamiento_calama": "Calama",
        "minero_7x7_calama": "Calama",
        "transfronterizo_elpaso_a_juarez": "Ciudad Juárez",
    }
    for v in vs:
        body, models = MODELS[v["kind"]]
        rng = np.random.default_rng([v["j"], KIND_NAMES.index(v["kind"]), 99])
        make, model = models[int(rng.integers(len(models)))]
        year = int(rng.integers(2012, 2024))
        pais = "CL" if v["file"] in ("cl", "nmea") else "MX"
        cb = city.get(v["kind"], "Ciudad Juárez" if v["file"] == "qc" else "Monterrey")
        if v["file"] == "nmea":
            fw = "GPS-LOG 2.1 (2011)" if v["wnro"] else "GPS-LOG 4.3 (2020)"
        elif v["file"] == "obd":
            fw = "v2.1.4 (2021-09)" if v["stale_tz"] else "v3.0.2 (2023-11)"
        elif v["file"] == "qc":
            fw = "R03.08"
        else:
            fw = "03.28.07"
        rows.append(
            f"{v['id']},{pais},{cb},{body},{make},{model},{year},{DEVICES[v['file']]},{fw},{names[v['file']]}"
        )
    (folder / "vehicles.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


# ----------------------------------------------------------------------------------------------
def write_andes_fleet(folder, vehicles=120, days=28, seed=0) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    start = SWITCH_SUNDAY - timedelta(days=(20 * days) // 28)
    dates = [start + timedelta(days=i) for i in range(days)]
    end = dates[-1] + timedelta(days=1)
    tag = (start.strftime("%Y%m%d"), dates[-1].strftime("%Y%m%d"))
    names = {k: f.format(a=tag[0], b=tag[1]) for k, f in FILES.items()}
    vs = setup_vehicles(vehicles, seed, start, days)
    frng = np.random.default_rng([seed, 4242])
    # device-level facts and faults
    by_file = {k: [v for v in vs if v["file"] == k] for k in FILES}
    for k, group in by_file.items():
        for v in group:
            v["wnro"] = v["stale_tz"] = False
            v["roaming"] = True
            v["covered"] = None
            v["rng0"] = int(frng.integers(0, 0x10000))
        if k == "nmea" and group:
            nw = max(1, int(round(0.1 * len(group))))
            for i in frng.choice(len(group), nw, replace=False):
                group[int(i)]["wnro"] = True
        if k == "obd" and group:
            ns = max(1, int(round(0.12 * len(group))))
            for i in frng.choice(len(group), ns, replace=False):
                group[int(i)]["stale_tz"] = True
        if k == "qc" and group:
            cross = [v for v in group if v["kind"].startswith("transfronterizo") or v.get("crosses")]
            for i, v in enumerate(cross):
                v["roaming"] = i % 3 == 2
            for i, v in enumerate([v for v in group if v["kind"] == "transfronterizo_elpaso_a_juarez"]):
                if i % 2 == 0:
                    v["covered"] = v["work"]
            if not any(v["covered"] is not None for v in group):
                group[0]["covered"] = group[0]["work"]
    # lives -> legs -> fixes
    for v in vs:
        t_end = datetime(end.year, end.month, end.day, tzinfo=ZoneInfo(v["tz"])).timestamp()
        legs = LIVES[v["kind"]](v, v["rng"], dates, t_end)
        if v["file"] == "cl":
            iv = {"colectivo_valparaiso": 60, "furgon_temporeros_colchagua": 60}.get(v["kind"], 30)
            v["fix"] = sample_vehicle(legs, iv, 3600, v["rng"])
        elif v["file"] == "nmea":
            v["fix"] = sample_vehicle(legs, 30, 0, v["rng"])
        elif v["file"] == "qc":
            v["fix"] = sample_vehicle(legs, 60, 3600, v["rng"])
        else:
            v["fix"] = sample_vehicle(legs, 30, 0, v["rng"])
        if v["kind"] == "furgon_temporeros_colchagua" and v.get("switch") is not None:
            n1 = sum(1 for d in dates if d < v["switch"] and d.weekday() < 6)
            n2 = sum(1 for d in dates if d >= v["switch"] and d.weekday() < 6)
            if n2 > n1:
                v["work"], v["work2"] = v["work2"], v["work"]
                v["switch_swapped"] = True
    faults = {}
    wrng = np.random.default_rng([seed, 5151])
    for k, writer in (
        ("cl", write_cl_csv),
        ("nmea", write_nmea),
        ("qc", write_queclink),
        ("obd", write_obd_jsonl),
    ):
        if by_file[k]:
            writer(folder / names[k], by_file[k], wrng, faults)
    wrong = write_labels(folder, vs, np.random.default_rng([seed, 6161]))
    write_vehicles(folder, vs, names)
    truth = {
        "tz": TZ_CL,
        "window_local": [start.isoformat(), dates[-1].isoformat()],
        "vehicles": {},
        "wrong_labels": wrong,
        "faults": faults,
    }
    for v in vs:
        t = {
            "home": r6(v["home"]),
            "work": r6(v["work"]),
            "kind": v["kind"],
            "file": names[v["file"]],
            "schedule_tz": v["tz"],
        }
        if v["weekend_place"] is not None:
            t["weekend_place"] = r6(v["weekend_place"])
        if v.get("switch") is not None:
            first, second = (v["work2"], v["work"]) if v.get("switch_swapped") else (v["work"], v["work2"])
            t["work_change"] = {
                "from_local_date": v["switch"].isoformat(),
                "before": r6(first),
                "after": r6(second),
            }
        if v["kind"] == "minero_7x7_calama":
            t["rotation_7x7"] = {
                "phase": v["phase"],
                "cycle": "7 día, 7 libre, 7 noche, 7 libre",
                "cycle_day0": (date(2024, 1, 1) - timedelta(days=7 * v["phase"])).isoformat(),
            }
        if v["kind"].startswith("maquila"):
            t["shift"] = v["shift"]
        truth["vehicles"][v["id"]] = t
    (folder / "truth.json").write_text(
        json.dumps(truth, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return folder


def main(argv=None):
    ap = argparse.ArgumentParser(description="Write the 'andes' synthetic fleet (Chile + Mexico).")
    ap.add_argument("out")
    ap.add_argument("--vehicles", type=int, default=120)
    ap.add_argument("--days", type=int, default=28)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    print(write_andes_fleet(a.out, a.vehicles, a.days, a.seed))


if __name__ == "__main__":
    main()
