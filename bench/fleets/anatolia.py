"""Synthetic fleet "anatolia": Turkey in Ramadan 2025 — Istanbul (both sides of the Bosphorus),
Kocaeli industrial belt, Bursa, Ankara and Izmir, with long drives across Anatolia.

    python bench/fleets/anatolia.py OUT [--vehicles 120] [--days 28] [--seed 0]
    write_anatolia_fleet(folder, vehicles=120, days=28, seed=0) -> Path

Same arguments give byte-identical files. This docstring is the vendor spec of the folder.

WINDOW AND CALENDAR
    `days` local days from Monday 10.03.2025 00:00 Turkish time (28 days: to Sunday 06.04.2025).
    Turkey (TRT) is UTC+3 all year since September 2016 and has no summer time; Europe goes from
    CET (UTC+1) to CEST (UTC+2) on Sunday 30.03.2025 at 01:00 UTC.
    Ramadan 2025: fasting 01.03 - 29.03 (window days 0-19). Imsak (end of sahur) and iftar
    (sunset + 5 min) follow the sun of each city (Istanbul imsak 05:54 / iftar 19:10 on 10.03,
    05:20 / 19:30 on 29.03; Ankara ~15 min earlier, Izmir ~8 min later). Saturday 29.03 is arife
    (half day; factories stop at 13:00). Ramazan Bayramı: Sunday 30.03 - Tuesday 01.04 (days
    20-22). Days 23-27 are ordinary working days, though some factories close the whole week and
    many families stay in their home towns until Sunday 06.04.

FILES (top level of the folder; each vehicle is in exactly one ping file)
1. FiloTakip_GecmisKonum_<dd.MM.yyyy>-<dd.MM.yyyy>.csv  — a Turkish fleet-tracking platform's
   "Araç Geçmiş Konum Raporu" (vehicle position history) exported on a Windows PC. About 53 % of
   the fleet: taxis, dolmuş, staff shuttles, company and workers' cars. About 0.8 M rows for
   120 x 28.
   - Encoding Windows-1254 (Turkish; ISO-8859-9 compatible for every character used), CRLF line
     ends, no byte-order mark, ';' separated, no quoting (no field holds a ';').
   - Two title lines before the header, padded with ';' to the column count:
        Araç Geçmiş Konum Raporu;;;;;;;;;;;
        Rapor Aralığı: 10.03.2025 00:00 - 06.04.2025 23:59;;;;;;;;;;;
     then the header line and the rows (read with skiprows=2).
   - Columns:
        Plaka        plate, the vehicle id, e.g. "34 ABC 123", "06 KBU 110", "34 T 1234" (Istanbul
                     taxis carry a T plate); province code 34 İstanbul, 41 Kocaeli, 16 Bursa,
                     06 Ankara, 35 İzmir
        Tarih        date dd.MM.yyyy
        Saat         time HH:mm:ss
        Enlem        latitude, decimal degrees, decimal comma, 6 decimals ("41,008237")
        Boylam       longitude, same format
        Hız (km/sa)  GPS speed, km/h, integer
        Yön          heading, degrees 0-359 clockwise from north, integer
        Kontak       ignition: "Açık" (on) / "Kapalı" (off)
        Uydu Sayısı  satellites used (0 = no fix)
        Km Sayacı    odometer, km with Turkish thousands dots and a decimal comma ("145.230,4");
                     careful: a reader given thousands='.' must keep Tarih as text
        Adres        nearest district / place and province, "Kadıköy/İstanbul" (reverse geocoded
                     by the platform; empty on rows without a fix)
        Sürücü       driver from the RFID card; "Tanımsız" when no card was read. Two-shift taxis
                     change driver at 08:00 and 20:00.
   - TIME: Tarih + Saat are naive local wall-clock stamps, Turkish time (Europe/Istanbul, UTC+3),
     with no zone anywhere in the file — except the old-firmware trackers of fault
     `old_tz_table` below. Rows are sorted by Plaka, then by the stamp as written.
   - Devices (vehicles.csv device_model): Teltonika FMB920 (a row every 60 s with ignition on,
     every 30 min parked), Concox GT06N (30 s / 60 min), Ruptela FM-Eco4 light (60 s / 15 min).
     Every device also writes a row at each ignition on/off (speed 0) and keeps its moving rate
     while the engine idles. While the ignition is off the heartbeat continues; on a car ferry the
     engine is off but the tracker logs at its moving rate (rows over water, Kontak "Kapalı",
     speed 10-15 km/h).

2. eurofleet_positions_TR_<yyyy-mm-dd>_<yyyy-mm-dd>.csv — a German telematics SaaS used by a
   Kocaeli logistics company (trucks and delivery vans), exported from its European server.
   About 18 % of the fleet, about 0.24 M rows for 120 x 28.
   - UTF-8 with a byte-order mark, CRLF, ',' separated, '.' decimals; Location is always in
     double quotes (it contains a comma). English headers.
   - Columns: Vehicle (the id: the plate without spaces, "41ABC123"), Driver ("Unknown" when
     no tachograph card), Date/time (GPS time of the fix), Received (server time of arrival),
     Latitude, Longitude (decimal degrees, 6 decimals), Speed (km/h), Heading (degrees),
     Ignition ("On"/"Off"), Satellites, Odometer (km, 1 decimal, from the CAN bus),
     Location ("Dilovası, Kocaeli").
   - TIME: the server exports in its own zone, Europe/Berlin, as ISO 8601 with the offset on
     every stamp: "+01:00" (CET) until 2025-03-30T01:00Z, "+02:00" (CEST) after — never the
     Turkish +03:00. Parse the offsets; do not read the wall clock as Turkish time.
   - Rows are grouped by Vehicle and ordered by Received (not by Date/time; see
     `buffered_resend`). Teltonika FMB640 (trucks) / FMC130 (vans): 60 s moving, 30 min parked,
     plus ignition on/off rows.

3. kasko_obd_pilot_pings.parquet — a motor insurer's usage-based "kasko" pilot with OBD-II
   dongles in private cars (about 29 % of the fleet, about 0.34 M rows for 120 x 28). Row groups
   of 200 000 rows, zstd.
   - Columns: imei (string, 15-digit IMEI with Luhn check digit — the vehicle id),
     gps_time (timestamp[ms, tz=UTC]), latitude, longitude (float64, degrees),
     speed_kmh (float32), heading_deg (int16), satellites (int8), hdop (float32),
     ignition (bool), event (string: ign_on, ign_off, periodic, heartbeat).
   - Queclink GV500MA: a row every 15 s while the ignition is on, a heartbeat every 3 h while
     parked (sleep mode), and ign_on / ign_off rows. Rows are grouped by imei in ingestion
     order (true time order).
   - TIME: UTC, stated by the column type — except fault `gps_week_rollover`.

labels.csv  — vehicle_id,label,lat,lon (UTF-8, ',', LF); label "home" or "work"; one row
    per non-null truth place of about 75 % of the vehicles, 15-60 m off the truth (address
    geocoding); about 5 % of the rows are wrong on purpose (truth `wrong_labels`: home/work
    swapped, geocoded to a namesake mahalle 3-25 km away, or an old address 1.5-6 km away).
vehicles.csv — vehicle_id (spelled as in its ping file), platform, export_file, plate,
    province_code, vehicle_class (Taksi, Minibüs, Midibüs, Otomobil, Çekici = tractor unit,
    Kamyonet = van), make_model, model_year, device_model, firmware, sim_operator. UTF-8.
truth.json — {"vehicles": {id: {"home": [lat, lon] | null, "work": [lat, lon] | null,
    "kind", "platform", "file", "city" (ist_e, ist_a, koc, bur, ank, izm), "fasting_in_ramadan",
    "bayram_trip": null | {"town", "place", "left_local", "back_home_local"} (local Turkish
    time, ISO; back_home_local null when the trip outlasts the window), plus per-kind details
    (line, shifts, shift_pattern, crossing_mix, second_home, ...)}},
    "wrong_labels": [{"vehicle_id", "label", "why"}], "faults": {...}, "tz": "Europe/Istanbul"
    (the zone of file 1's naive stamps), "window_local": [first day, last day]}.

GEOGRAPHY
    A hand-built road graph of ~190 real places (districts, piers, bridges, organised industrial
    zones (OSB), ports, towns) joined by plausible roads: straight segments densified every
    0.5-3 km with a fixed lateral wiggle, the same for every seed. Istanbul's two sides are
    joined only by the 15 Temmuz Şehitler and Fatih Sultan Mehmet bridges, the Yavuz Sultan Selim
    bridge (North Marmara motorway), the Avrasya car tunnel under the Bosphorus and the Sirkeci -
    Harem car ferry; the İzmit Gulf by the Osmangazi bridge and the Eskihisar - Topçular ferry;
    İzmir's gulf by the Üçkuyular - Bostanlı ferry. Heavy trucks may not use the two city bridges,
    the tunnel or the city ferries (they go round by the YSS bridge). Speeds by road class
    (city 30, urban motorway 62, motorway 100, trunk road 68 km/h for cars; trucks 24-80) times
    Istanbul congestion (weekday 07-10 and 17-20 at ~40 %, the last 90 minutes before iftar at
    36 %, near-empty roads for 45 minutes after iftar; the other cities milder), random stops at
    lights; long drives have breaks (cars: 20-50 min every ~3 h, a night's rest after ~11 h;
    trucks: 45 min per 4.5 h, 11 h rest per 9 h of driving, as the tachograph rules say).
    No fix and no row inside the Avrasya Tüneli (5.4 km) and the Bolu Dağı Tüneli (3 km).
    GNSS noise 4-8 m moving, 1.6x parked, 4 % of parked fixes 35 m (garages).

LIVES (truth "kind"; home = where the vehicle stands while its driver sleeps — for the
fixed night shift that is by day; work = the place of its working day, null if none)
    taxi_single          Istanbul / Ankara / Izmir taxi with one driver. home = driver's home;
                         work = the taxi rank (durak) it waits at between fares. 07-09 to
                         19-21:30, one day off a week; fares to hot spots and airports, street
                         hails; in Ramadan a fasting driver goes home (or stays at the rank) for
                         iftar and half the time goes on until ~23:00; non-fasting drivers work
                         the busy Ramadan nights 1.5 h longer.
    taxi_two_shift       Istanbul taxi run round the clock by two drivers (change 08:00/20:00 at
                         the rank); long waits 01:30-06:30; the night driver breaks for sahur at
                         an eatery, the day driver for iftar at the rank; one service day.
                         home = null; work = the rank.
    dolmus               minibus on a fixed line (e.g. Kadıköy - Bostancı, Kızılay - Dikmen,
                         Konak - Buca), stop-and-go, queues at the start terminal; 06-07 to
                         20-21 (22:30 in Ramadan), iftar break at the terminal. home = driver's
                         home; work = the start terminal.
    staff_shuttle        personnel service (servis) midibus/minibus of an OSB factory: 2-3
                         shift-change runs a day (08/16/24 or 07/15/23): driver's home ->
                         4-6 pickups in his district -> OSB gate, waits for the outgoing shift,
                         drops them home; parks at the driver's home between runs. No runs
                         while the factory is closed for Bayram. home = driver's home;
                         work = the OSB gate.
    shift_worker         a worker's car in an OSB (Gebze, TOSB, Dilovası, Gölcük, İzmit,
                         Bursa, Sincan, OSTİM, Çiğli): weekly rotating three-shift or a fixed
                         night shift (00:00/23:00 starts, Sunday night .. Friday night).
                         home = residence (night-shift workers sleep there by day);
                         work = the factory.
    bosphorus_commuter   Istanbul office worker living on one side and working on the other;
                         each crossing picks a bridge, the tunnel or the car ferry from a
                         personal mix (truth crossing_mix); home; work = office.
    ferry_park_and_ride  drives to the car park at the Kadıköy / Bostancı (Istanbul) or Bostanlı
                         (Izmir) pier and takes the ferry on foot; work = that car park (where
                         the car spends the working day; the office is across the water).
    field_sales          sales rep in Ankara / Izmir / Bursa / Istanbul / Kocaeli: office in the
                         morning, 3-6 customer visits, sometimes a day out of town. home; work =
                         office.
    port_shuttle_truck   tractor unit shuttling containers between a depot in Kocaeli
                         (Dilovası, GOSB, TOSB) or Tuzla and Ambarlı port on the European side
                         (via YSS bridge), two runs a day, hours in the port queue. home = depot;
                         work = Ambarlı port. Stands at the depot Sundays and arife - 01.04.
    mersin_long_haul     tractor unit from a Kocaeli depot to Mersin port once a week (~950 km,
                         two days each way with tachograph rests at truck stops, a night at
                         the port), local Ambarlı runs in between. home = depot; work = null.
    delivery_van         van of the logistics company: the driver takes it home; depot in the
                         morning and evening, 8-14 drops between (half day on Saturday).
                         home = driver's home; work = depot.
    weekend_house        private car, commuter in the week; about half the weekends (and most
                         of Bayram) at a summer house / village house (Kumburgaz, Silivri, Şile,
                         Çınarcık via the Eskihisar ferry, Urla, Çeşme, Seferihisar, Mudanya,
                         Kızılcahamam): truth second_home. home; work = office.
    retiree              private car, no work: weekly pazar (market), errands, Friday prayer,
                         iftar at the children's, tarawih at a big mosque (Çamlıca, Eyüp Sultan,
                         Kocatepe ...). work = null.
    bayram_home_town     private commuter who drives to the memleket (home town in Anatolia or
                         on the Black Sea: Sivas, Tokat, Trabzon, Erzurum, Yozgat, Afyon ...)
                         for Bayram: leaves Friday 28.03 evening, Saturday (arife) or Sunday
                         morning, 100-1300 km with rests, visits the cemetery on arife, the
                         mosque and relatives on the first day, comes back on 01.04, 02.04,
                         05.04 or 06.04 (truth bayram_trip). About a quarter of the taxi
                         drivers, dolmuş drivers, shift workers, commuters, sales reps and a
                         third of the retirees make the same trip.
    Everyone private: fasting (truth fasting_in_ramadan, ~58 %) moves the evening drive home
    earlier to make iftar, often with a stop at the neighbourhood bakery for Ramazan pidesi;
    iftar invitations at relatives' (home after 22:00), tarawih, some Friday/Saturday-night sahur
    outings (out at ~03:00, home before imsak). Bayram morning: prayer, elders, cemetery.

FAULTS (truth "faults"; all counts are of rows as written in the files)
    old_tz_table         File 1, ~10 % of its vehicles, all Concox GT06N with firmware
                         "GT06N_V2.1.2 (2015-11)" (other GT06N run 2019 firmware). The device
                         stamps local time itself with a pre-2016 table: Turkey = EET/EEST, so
                         Tarih/Saat are UTC+2 (one hour early) before 2025-03-30T01:00Z and
                         correct (UTC+3) after; their clocks jump from 02:59:59 to 04:00:00 on
                         30.03, so these vehicles have no row stamped 30.03.2025 03:00-03:59.
                         truth: vehicles, rows_one_hour_early {id: rows stamped before 30.03.2025
                         03:00}.
    null_island          File 1, GT06N trackers: the first 1-3 rows after an ignition-on
                         (before the first fix) carry Enlem 0,000000 Boylam 0,000000, speed 0,
                         0 satellites, empty Adres. truth rows {id: count}.
    multipath_spike      Files 1 and 3: single moving fixes 400-1500 m off the road in dense
                         districts (Levent, Maslak, Şişli, Kadıköy, Ataşehir, ...). truth rows
                         {file: [[id, stamp as written]]}: "dd.MM.yyyy HH:mm:ss" for file 1,
                         "YYYY-MM-DDTHH:MM:SSZ" (gps_time as stored) for file 3.
    gps_week_rollover    File 3, ~6 % of its cars (firmware "GV500MA R01.03 (2017)"): from a
                         device-specific moment on, gps_time is 1024 GPS weeks (7168 days) early
                         — year 2005. Add 7168 days to restore. truth vehicles {id: {from_utc
                         (true time of the first affected fix), rows}}.
    frozen_fix           File 2, ~10 % of its vehicles (trucks): a broken GNSS antenna for 8-30 h;
                         Latitude/Longitude/Heading repeat the last good fix, Satellites 0,
                         while Speed and Odometer (CAN bus) keep moving. truth episodes
                         [{vehicle_id, start_utc, end_utc, rows}].
    buffered_resend      File 2: in GSM holes (Gülek Boğazı/Pozantı, Ulukışla, Bolu Dağı,
                         Kızılcahamam forest) the unit buffers; the buffer arrives after the
                         first live row behind the hole, so in file order those rows are earlier
                         than rows above them; some bursts are sent twice (lost ack): the copy
                         repeats Vehicle, Date/time, position and values, only Received differs.
                         truth out_of_order_rows {id: rows whose Date/time is earlier than the
                         latest Date/time above them, same vehicle, file order} and
                         duplicate_rows {id: rows repeating an earlier row's Vehicle, Date/time,
                         Latitude, Longitude}.
    server_zone_cet_cest File 2's stamps are in CET/CEST (see above); truth rows_plus01,
                         rows_plus02.
    tunnel_gaps          (behaviour, not an error) no rows inside the two tunnels.
    wrong_labels         see labels.csv.
"""
from __future__ import annotations

import argparse
import json
import math
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

NAME = "anatolia"

# ------------------------------------------------------------------------------------------ time
WINDOW_START = datetime(2025, 3, 10)  # Monday; local Turkish wall clock (TRT = UTC+3 all year)
TRT = 3 * 3600
T0_UTC = int(datetime(2025, 3, 10, tzinfo=timezone.utc).timestamp()) - TRT  # 09.03.2025 21:00Z
EU_DST_UTC = int(datetime(2025, 3, 30, 1, tzinfo=timezone.utc).timestamp())  # EU (and old-TR) switch
RAMADAN_LAST_DAY = 19          # day index of Sat 29.03.2025 (arife, last day of fasting)
ARIFE = 19
BAYRAM = (20, 21, 22)          # Ramazan Bayramı: Sun 30.03 - Tue 01.04.2025
ROLLOVER_DAYS = 7168           # 1024 GPS weeks
DAY = 86400

FILE_TR = "FiloTakip_GecmisKonum_{a}-{b}.csv"
FILE_EU = "eurofleet_positions_TR_{a}_{b}.csv"
FILE_OBD = "kasko_obd_pilot_pings.parquet"

PARK, IDLE, MOVE, FERRY, TUNNEL = 0, 1, 2, 3, 4
IGN_ON = np.array([False, True, True, False, True])

# ------------------------------------------------------------------------------------ geography
# key: lat, lon, display name, province, scatter radius (m) for places anchored there,
#      landward sector (centre bearing, half width) for coastal nodes or None
NODES = {
    # Istanbul, European side
    "ambarli": (40.9745, 28.6880, "Ambarlı Limanı", "İstanbul", 350, (10, 60)),
    "avcilar": (40.9860, 28.7200, "Avcılar", "İstanbul", 900, (0, 70)),
    "beylikduzu": (40.9950, 28.6450, "Beylikdüzü", "İstanbul", 1000, (0, 70)),
    "esenyurt": (41.0300, 28.6750, "Esenyurt", "İstanbul", 1500, None),
    "buyukcekmece": (41.0260, 28.5850, "Büyükçekmece", "İstanbul", 600, (0, 70)),
    "kumburgaz": (41.0310, 28.4700, "Kumburgaz", "İstanbul", 500, (0, 70)),
    "silivri": (41.0800, 28.2470, "Silivri", "İstanbul", 700, (0, 70)),
    "kucukcekmece": (40.9910, 28.7850, "Küçükçekmece", "İstanbul", 600, (90, 70)),
    "yenibosna": (40.9960, 28.8350, "Bahçelievler", "İstanbul", 1000, None),
    "bakirkoy": (40.9820, 28.8720, "Bakırköy", "İstanbul", 600, (0, 70)),
    "bagcilar": (41.0390, 28.8560, "Bağcılar", "İstanbul", 1200, None),
    "mahmutbey": (41.0560, 28.8240, "Mahmutbey", "İstanbul", 800, None),
    "ispartakule": (41.0620, 28.7350, "Ispartakule", "İstanbul", 0, None),
    "basaksehir": (41.0930, 28.8020, "Başakşehir", "İstanbul", 1200, None),
    "kazlicesme": (41.0000, 28.9150, "Zeytinburnu", "İstanbul", 400, (0, 70)),
    "cankurtaran": (41.0045, 28.9780, "Fatih", "İstanbul", 250, (300, 50)),
    "aksaray_ist": (41.0100, 28.9520, "Aksaray", "İstanbul", 600, None),
    "eminonu": (41.0145, 28.9680, "Eminönü", "İstanbul", 300, (180, 60)),
    "sirkeci": (41.0145, 28.9770, "Sirkeci İskelesi", "İstanbul", 0, None),
    "unkapani": (41.0230, 28.9590, "Unkapanı", "İstanbul", 300, (200, 60)),
    "topkapi": (41.0200, 28.9180, "Topkapı", "İstanbul", 700, None),
    "edirnekapi": (41.0310, 28.9370, "Edirnekapı", "İstanbul", 600, None),
    "bayrampasa": (41.0450, 28.9050, "Bayrampaşa", "İstanbul", 900, None),
    "eyup": (41.0500, 28.9330, "Eyüpsultan", "İstanbul", 500, (270, 70)),
    "tem_halic": (41.0480, 28.9480, "Haliç Köprüsü", "İstanbul", 0, None),
    "okmeydani": (41.0580, 28.9650, "Okmeydanı", "İstanbul", 500, None),
    "taksim": (41.0370, 28.9860, "Taksim", "İstanbul", 500, None),
    "besiktas": (41.0450, 29.0040, "Beşiktaş", "İstanbul", 400, (315, 60)),
    "sisli": (41.0600, 28.9870, "Şişli", "İstanbul", 600, None),
    "mecidiyekoy": (41.0670, 28.9960, "Mecidiyeköy", "İstanbul", 500, None),
    "zincirlikuyu": (41.0680, 29.0130, "Zincirlikuyu", "İstanbul", 300, None),
    "levent": (41.0800, 29.0110, "Levent", "İstanbul", 500, None),
    "4levent": (41.0860, 29.0070, "4. Levent", "İstanbul", 500, None),
    "maslak": (41.1100, 29.0200, "Maslak", "İstanbul", 600, None),
    "emirgan": (41.1070, 29.0500, "Emirgan", "İstanbul", 250, (270, 60)),
    "ortakoy_b": (41.0490, 29.0260, "Ortaköy", "İstanbul", 0, None),
    "fsm_e": (41.0930, 29.0540, "Rumelihisarı", "İstanbul", 0, None),
    "ist_airport": (41.2620, 28.7420, "İstanbul Havalimanı", "İstanbul", 700, None),
    "kmo_west": (41.1200, 28.6800, "Hadımköy", "İstanbul", 0, None),
    "kmo_arnavutkoy": (41.1800, 28.7600, "Arnavutköy", "İstanbul", 0, None),
    "kmo_kemerburgaz": (41.1700, 28.9200, "Kemerburgaz", "İstanbul", 0, None),
    "yss_e": (41.2040, 29.1090, "Garipçe", "İstanbul", 0, None),
    # Istanbul, Asian side
    "yss_a": (41.2000, 29.1230, "Poyrazköy", "İstanbul", 0, None),
    "kmo_riva": (41.1400, 29.2200, "Riva", "İstanbul", 0, None),
    "kmo_pasakoy": (41.0600, 29.3200, "Paşaköy", "İstanbul", 0, None),
    "beylerbeyi_b": (41.0430, 29.0430, "Beylerbeyi", "İstanbul", 0, None),
    "fsm_a": (41.0900, 29.0720, "Kavacık Köprü", "İstanbul", 0, None),
    "kavacik": (41.0920, 29.0880, "Kavacık", "İstanbul", 600, None),
    "beykoz": (41.1300, 29.1000, "Beykoz", "İstanbul", 400, (90, 70)),
    "altunizade": (41.0220, 29.0450, "Altunizade", "İstanbul", 500, None),
    "camlica": (41.0270, 29.0690, "Çamlıca", "İstanbul", 400, None),
    "uskudar": (41.0240, 29.0180, "Üsküdar", "İstanbul", 400, (90, 70)),
    "harem": (41.0085, 29.0130, "Harem İskelesi", "İstanbul", 0, None),
    "tunnel_a": (40.9990, 29.0300, "Hasanpaşa", "İstanbul", 0, None),
    "kadikoy": (40.9900, 29.0300, "Kadıköy", "İstanbul", 500, (90, 75)),
    "kadikoy_pier": (40.9920, 29.0240, "Kadıköy İskele", "İstanbul", 60, None),
    "goztepe": (40.9780, 29.0630, "Göztepe", "İstanbul", 700, (0, 80)),
    "kozyatagi": (40.9730, 29.0960, "Kozyatağı", "İstanbul", 700, None),
    "bostanci": (40.9580, 29.0950, "Bostancı", "İstanbul", 500, (0, 80)),
    "bostanci_pier": (40.9545, 29.0940, "Bostancı İskele", "İstanbul", 60, None),
    "atasehir": (40.9920, 29.1240, "Ataşehir", "İstanbul", 1000, None),
    "umraniye": (41.0250, 29.1050, "Ümraniye", "İstanbul", 1200, None),
    "cekmekoy": (41.0350, 29.1800, "Çekmeköy", "İstanbul", 1000, None),
    "alemdag": (41.0700, 29.2900, "Alemdağ", "İstanbul", 300, None),
    "sile": (41.1700, 29.6100, "Şile", "İstanbul", 500, (180, 70)),
    "sancaktepe": (41.0020, 29.2300, "Sancaktepe", "İstanbul", 1000, None),
    "maltepe": (40.9400, 29.1350, "Maltepe", "İstanbul", 800, (0, 80)),
    "kartal": (40.9000, 29.1900, "Kartal", "İstanbul", 800, (0, 80)),
    "pendik": (40.8830, 29.2580, "Pendik", "İstanbul", 800, (0, 80)),
    "kurtkoy": (40.9200, 29.3050, "Kurtköy", "İstanbul", 800, None),
    "saw_airport": (40.8985, 29.3092, "Sabiha Gökçen Havalimanı", "İstanbul", 300, None),
    "tuzla": (40.8300, 29.3050, "Tuzla", "İstanbul", 600, (0, 80)),
    # Kocaeli / Yalova / Sakarya
    "gebze": (40.8020, 29.4300, "Gebze", "Kocaeli", 1000, None),
    "cayirova": (40.8200, 29.3800, "Çayırova", "Kocaeli", 800, None),
    "darica": (40.7730, 29.3800, "Darıca", "Kocaeli", 600, (0, 80)),
    "eskihisar": (40.7700, 29.4260, "Eskihisar İskelesi", "Kocaeli", 0, None),
    "gosb": (40.8480, 29.4010, "Gebze OSB", "Kocaeli", 600, None),
    "tosb": (40.8530, 29.3540, "TOSB Şekerpınar", "Kocaeli", 600, None),
    "dilovasi_osb": (40.8000, 29.5250, "Dilovası OSB", "Kocaeli", 700, None),
    "dilovasi": (40.7850, 29.5400, "Dilovası", "Kocaeli", 500, None),
    "osmangazi_n": (40.7570, 29.5110, "Osmangazi Köprüsü", "Kocaeli", 0, None),
    "korfez": (40.7800, 29.7380, "Körfez", "Kocaeli", 700, (0, 80)),
    "derince": (40.7580, 29.8300, "Derince", "Kocaeli", 500, (0, 80)),
    "izmit": (40.7700, 29.9400, "İzmit", "Kocaeli", 900, (0, 80)),
    "izmit_bay_e": (40.7420, 29.9950, "Kartepe", "Kocaeli", 0, None),
    "izmit_east": (40.7800, 30.0300, "Alikahya Sanayi", "Kocaeli", 700, None),
    "basiskele": (40.7150, 29.9300, "Başiskele", "Kocaeli", 500, (180, 80)),
    "golcuk": (40.7130, 29.8300, "Gölcük", "Kocaeli", 500, (180, 80)),
    "tem_sapanca_n": (40.7550, 30.2200, "Sapanca", "Sakarya", 0, None),
    "sakarya_jn": (40.7350, 30.4000, "Adapazarı", "Sakarya", 0, None),
    "akyazi": (40.6850, 30.6250, "Akyazı", "Sakarya", 0, None),
    "osmangazi_s": (40.7330, 29.5180, "Hersek", "Yalova", 0, None),
    "altinova": (40.6950, 29.5100, "Altınova", "Yalova", 400, None),
    "topcular": (40.7040, 29.4130, "Topçular İskelesi", "Yalova", 0, None),
    "yalova": (40.6500, 29.2700, "Yalova", "Yalova", 700, (180, 80)),
    "cinarcik": (40.6400, 29.1200, "Çınarcık", "Yalova", 500, (180, 80)),
    # Bursa / Eskişehir
    "orhangazi": (40.4890, 29.3090, "Orhangazi", "Bursa", 500, None),
    "gemlik": (40.4350, 29.1600, "Gemlik", "Bursa", 500, (90, 80)),
    "demirtas_osb": (40.2620, 29.0960, "Demirtaş OSB", "Bursa", 700, None),
    "bursa_center": (40.1880, 29.0610, "Osmangazi", "Bursa", 1200, None),
    "nilufer": (40.2150, 28.9840, "Nilüfer", "Bursa", 1200, None),
    "bursa_osb": (40.2380, 28.9950, "Bursa OSB", "Bursa", 700, None),
    "mudanya": (40.3700, 28.8850, "Mudanya", "Bursa", 400, (180, 80)),
    "inegol": (40.0780, 29.5100, "İnegöl", "Bursa", 700, None),
    "bozuyuk": (39.9080, 30.0370, "Bozüyük", "Bilecik", 0, None),
    "eskisehir": (39.7770, 30.5200, "Eskişehir", "Eskişehir", 1000, None),
    "polatli": (39.5800, 32.1400, "Polatlı", "Ankara", 0, None),
    # Ankara
    "kizilay": (39.9200, 32.8540, "Kızılay", "Ankara", 600, None),
    "cankaya": (39.8950, 32.8600, "Çankaya", "Ankara", 800, None),
    "balgat": (39.9050, 32.8200, "Balgat", "Ankara", 700, None),
    "dikmen": (39.8850, 32.8350, "Dikmen", "Ankara", 700, None),
    "ulus": (39.9410, 32.8550, "Ulus", "Ankara", 500, None),
    "kecioren": (39.9800, 32.8650, "Keçiören", "Ankara", 1200, None),
    "mamak": (39.9300, 32.9150, "Mamak", "Ankara", 1000, None),
    "batikent": (39.9680, 32.7300, "Batıkent", "Ankara", 1000, None),
    "ostim": (39.9700, 32.7500, "OSTİM", "Ankara", 700, None),
    "etimesgut": (39.9570, 32.6800, "Etimesgut", "Ankara", 900, None),
    "eryaman": (39.9800, 32.6300, "Eryaman", "Ankara", 1000, None),
    "sincan_osb": (39.9500, 32.5200, "Sincan OSB", "Ankara", 800, None),
    "cayyolu": (39.8800, 32.6900, "Çayyolu", "Ankara", 900, None),
    "golbasi": (39.7900, 32.8100, "Gölbaşı", "Ankara", 800, None),
    "esenboga": (40.1280, 32.9950, "Esenboğa Havalimanı", "Ankara", 300, None),
    "ank_akinci": (40.0700, 32.5600, "Akıncı", "Ankara", 0, None),
    "kizilcahamam": (40.4700, 32.6500, "Kızılcahamam", "Ankara", 500, None),
    # intercity
    "duzce": (40.8400, 31.1600, "Düzce", "Düzce", 0, None),
    "bolu_tw": (40.7730, 31.4700, "Bolu Dağı Tüneli", "Düzce", 0, None),
    "bolu_te": (40.7680, 31.5050, "Bolu Dağı Tüneli", "Bolu", 0, None),
    "bolu": (40.7350, 31.6100, "Bolu", "Bolu", 800, None),
    "gerede": (40.8000, 32.2000, "Gerede", "Bolu", 0, None),
    "cerkes": (40.8100, 32.8900, "Çerkeş", "Çankırı", 0, None),
    "ilgaz": (40.9200, 33.6300, "Ilgaz", "Çankırı", 0, None),
    "tosya": (41.0150, 34.0400, "Tosya", "Kastamonu", 0, None),
    "kastamonu": (41.3800, 33.7800, "Kastamonu", "Kastamonu", 800, None),
    "osmancik": (40.9750, 34.8050, "Osmancık", "Çorum", 0, None),
    "corum": (40.5500, 34.9550, "Çorum", "Çorum", 800, None),
    "merzifon": (40.8750, 35.4600, "Merzifon", "Amasya", 0, None),
    "samsun": (41.2800, 36.3300, "Samsun", "Samsun", 800, (180, 70)),
    "unye": (41.1300, 37.2900, "Ünye", "Ordu", 0, None),
    "ordu": (40.9800, 37.8800, "Ordu", "Ordu", 700, (180, 70)),
    "giresun": (40.9130, 38.3900, "Giresun", "Giresun", 700, (180, 70)),
    "trabzon": (40.9950, 39.7200, "Trabzon", "Trabzon", 800, (180, 70)),
    "amasya": (40.6500, 35.8300, "Amasya", "Amasya", 600, None),
    "tokat": (40.3100, 36.5500, "Tokat", "Tokat", 700, None),
    "sivas": (39.7500, 37.0200, "Sivas", "Sivas", 900, None),
    "kangal": (39.2300, 37.3900, "Kangal", "Sivas", 0, None),
    "malatya": (38.3550, 38.3100, "Malatya", "Malatya", 900, None),
    "erzincan": (39.7500, 39.4900, "Erzincan", "Erzincan", 700, None),
    "erzurum": (39.9000, 41.2700, "Erzurum", "Erzurum", 900, None),
    "kirikkale": (39.8450, 33.5100, "Kırıkkale", "Kırıkkale", 0, None),
    "yozgat": (39.8200, 34.8100, "Yozgat", "Yozgat", 700, None),
    "kirsehir": (39.1450, 34.1600, "Kırşehir", "Kırşehir", 700, None),
    "kayseri": (38.7200, 35.4800, "Kayseri", "Kayseri", 900, None),
    "kulu": (39.0900, 33.0800, "Kulu", "Konya", 0, None),
    "konya": (37.8700, 32.4900, "Konya", "Konya", 900, None),
    "serefli": (38.9400, 33.5400, "Şereflikoçhisar", "Ankara", 0, None),
    "aksaray": (38.3700, 34.0300, "Aksaray", "Aksaray", 0, None),
    "nigde": (37.9700, 34.6800, "Niğde", "Niğde", 0, None),
    "ulukisla": (37.5500, 34.4900, "Ulukışla", "Niğde", 0, None),
    "pozanti": (37.4300, 34.8700, "Pozantı", "Adana", 0, None),
    "tarsus": (36.9200, 34.8900, "Tarsus", "Mersin", 0, None),
    "mersin_port": (36.8000, 34.6450, "Mersin Limanı", "Mersin", 350, (0, 60)),
    # Izmir and the Aegean
    "konak": (38.4190, 27.1310, "Konak", "İzmir", 400, (110, 70)),
    "alsancak": (38.4370, 27.1450, "Alsancak", "İzmir", 400, (135, 60)),
    "bayrakli": (38.4620, 27.1650, "Bayraklı", "İzmir", 700, None),
    "turan": (38.4720, 27.1400, "Turan", "İzmir", 0, None),
    "karsiyaka": (38.4600, 27.1150, "Karşıyaka", "İzmir", 700, (0, 70)),
    "bostanli": (38.4590, 27.0960, "Bostanlı İskelesi", "İzmir", 60, (0, 60)),
    "uckuyular": (38.3940, 27.0720, "Üçkuyular İskelesi", "İzmir", 0, None),
    "balcova": (38.3890, 27.0500, "Balçova", "İzmir", 600, (180, 80)),
    "narlidere": (38.3920, 27.0000, "Narlıdere", "İzmir", 600, (180, 80)),
    "bornova": (38.4630, 27.2170, "Bornova", "İzmir", 1000, None),
    "buca": (38.3880, 27.1750, "Buca", "İzmir", 1000, None),
    "cigli_aosb": (38.4950, 27.0400, "Çiğli Atatürk OSB", "İzmir", 700, None),
    "menemen": (38.6070, 27.0690, "Menemen", "İzmir", 700, None),
    "gaziemir": (38.3200, 27.1350, "Gaziemir", "İzmir", 800, None),
    "adb_airport": (38.2920, 27.1560, "Adnan Menderes Havalimanı", "İzmir", 300, None),
    "urla": (38.3230, 26.7650, "Urla", "İzmir", 600, None),
    "seferihisar": (38.1970, 26.8380, "Seferihisar", "İzmir", 600, None),
    "cesme": (38.3230, 26.3080, "Çeşme", "İzmir", 500, (90, 70)),
    "kemalpasa": (38.4270, 27.4170, "Kemalpaşa", "İzmir", 600, None),
    "manisa": (38.6140, 27.4260, "Manisa", "Manisa", 900, None),
    "turgutlu": (38.5000, 27.7000, "Turgutlu", "Manisa", 0, None),
    "salihli": (38.4830, 28.1400, "Salihli", "Manisa", 0, None),
    "usak": (38.6800, 29.4080, "Uşak", "Uşak", 800, None),
    "afyon": (38.7570, 30.5400, "Afyonkarahisar", "Afyonkarahisar", 800, None),
    "aydin": (37.8450, 27.8400, "Aydın", "Aydın", 800, None),
    "denizli": (37.7830, 29.0940, "Denizli", "Denizli", 900, None),
    "balikesir": (39.6480, 27.8830, "Balıkesir", "Balıkesir", 900, None),
}

# (a, b, class); classes: city, umw (urban motorway), hwy, road, bridge, tunnel, ferry
EDGES = [
    ("ambarli", "avcilar", "city"), ("avcilar", "beylikduzu", "umw"),
    ("beylikduzu", "buyukcekmece", "umw"), ("buyukcekmece", "kumburgaz", "road"),
    ("kumburgaz", "silivri", "road"), ("avcilar", "kucukcekmece", "umw"),
    ("kucukcekmece", "yenibosna", "umw"), ("yenibosna", "bakirkoy", "city"),
    ("bakirkoy", "kazlicesme", "city"), ("kazlicesme", "cankurtaran", "umw"),
    ("kazlicesme", "topkapi", "city"), ("yenibosna", "topkapi", "umw"), ("topkapi", "aksaray_ist", "city"),
    ("aksaray_ist", "eminonu", "city"), ("eminonu", "sirkeci", "city"), ("cankurtaran", "sirkeci", "city"),
    ("eminonu", "unkapani", "city"), ("unkapani", "taksim", "city"), ("aksaray_ist", "unkapani", "city"),
    ("topkapi", "edirnekapi", "city"), ("edirnekapi", "eyup", "city"),
    ("edirnekapi", "bayrampasa", "city"), ("bayrampasa", "mahmutbey", "umw"),
    ("bayrampasa", "tem_halic", "umw"), ("tem_halic", "okmeydani", "umw"), ("eyup", "tem_halic", "city"),
    ("okmeydani", "4levent", "umw"), ("4levent", "fsm_e", "umw"), ("okmeydani", "sisli", "city"),
    ("mahmutbey", "bagcilar", "city"), ("bagcilar", "yenibosna", "city"),
    ("mahmutbey", "basaksehir", "city"), ("esenyurt", "avcilar", "city"), ("esenyurt", "ispartakule", "umw"),
    ("ispartakule", "mahmutbey", "umw"),
    ("taksim", "sisli", "city"), ("sisli", "mecidiyekoy", "city"), ("taksim", "besiktas", "city"),
    ("besiktas", "zincirlikuyu", "city"), ("mecidiyekoy", "zincirlikuyu", "umw"),
    ("zincirlikuyu", "ortakoy_b", "umw"), ("mecidiyekoy", "levent", "city"),
    ("zincirlikuyu", "levent", "city"), ("levent", "4levent", "city"), ("4levent", "maslak", "city"),
    ("maslak", "emirgan", "city"), ("emirgan", "fsm_e", "city"), ("maslak", "kmo_kemerburgaz", "road"),
    ("esenyurt", "kmo_west", "hwy"), ("kmo_west", "kmo_arnavutkoy", "hwy"),
    ("kmo_arnavutkoy", "ist_airport", "hwy"), ("kmo_arnavutkoy", "kmo_kemerburgaz", "hwy"),
    ("kmo_kemerburgaz", "yss_e", "hwy"), ("basaksehir", "kmo_arnavutkoy", "umw"),
    ("ortakoy_b", "beylerbeyi_b", "bridge"), ("fsm_e", "fsm_a", "bridge"), ("yss_e", "yss_a", "bridge"),
    ("cankurtaran", "tunnel_a", "tunnel"), ("sirkeci", "harem", "ferry"),
    ("beylerbeyi_b", "altunizade", "umw"), ("altunizade", "uskudar", "city"), ("uskudar", "harem", "city"),
    ("harem", "tunnel_a", "city"), ("tunnel_a", "kadikoy", "city"), ("kadikoy", "kadikoy_pier", "city"),
    ("kadikoy", "goztepe", "city"), ("tunnel_a", "goztepe", "umw"), ("altunizade", "goztepe", "umw"),
    ("altunizade", "camlica", "city"), ("camlica", "umraniye", "city"), ("altunizade", "umraniye", "umw"),
    ("umraniye", "atasehir", "umw"), ("atasehir", "kozyatagi", "umw"), ("goztepe", "kozyatagi", "umw"),
    ("kozyatagi", "bostanci", "city"), ("bostanci", "bostanci_pier", "city"),
    ("kozyatagi", "maltepe", "umw"), ("maltepe", "kartal", "umw"), ("kartal", "pendik", "umw"),
    ("pendik", "tuzla", "umw"), ("pendik", "kurtkoy", "city"), ("kurtkoy", "saw_airport", "city"),
    ("kurtkoy", "sancaktepe", "umw"), ("sancaktepe", "atasehir", "umw"), ("umraniye", "kavacik", "umw"),
    ("kavacik", "fsm_a", "umw"), ("kavacik", "beykoz", "city"), ("umraniye", "cekmekoy", "city"),
    ("cekmekoy", "alemdag", "city"), ("alemdag", "sile", "road"), ("yss_a", "kmo_riva", "hwy"),
    ("kmo_riva", "kmo_pasakoy", "hwy"), ("kmo_pasakoy", "kurtkoy", "hwy"),
    ("alemdag", "kmo_pasakoy", "road"), ("maltepe", "atasehir", "city"), ("kartal", "sancaktepe", "city"),
    # Kocaeli, Yalova
    ("kurtkoy", "tosb", "umw"), ("tosb", "gosb", "umw"), ("gosb", "dilovasi_osb", "umw"),
    ("tuzla", "cayirova", "umw"), ("cayirova", "gebze", "umw"), ("gebze", "dilovasi", "umw"),
    ("dilovasi", "dilovasi_osb", "city"), ("cayirova", "tosb", "city"), ("gebze", "gosb", "city"),
    ("gebze", "darica", "city"), ("darica", "eskihisar", "city"), ("gebze", "eskihisar", "city"),
    ("eskihisar", "topcular", "ferry"), ("topcular", "altinova", "road"),
    ("dilovasi_osb", "osmangazi_n", "umw"), ("osmangazi_n", "osmangazi_s", "bridge"),
    ("osmangazi_s", "altinova", "hwy"), ("altinova", "orhangazi", "hwy"), ("altinova", "yalova", "road"),
    ("yalova", "cinarcik", "road"), ("yalova", "orhangazi", "road"), ("orhangazi", "gemlik", "hwy"),
    ("dilovasi_osb", "korfez", "umw"), ("dilovasi", "korfez", "road"), ("korfez", "derince", "umw"),
    ("derince", "izmit", "umw"), ("izmit", "izmit_east", "city"), ("izmit", "izmit_bay_e", "city"),
    ("izmit_bay_e", "basiskele", "city"),
    ("basiskele", "golcuk", "road"), ("izmit_east", "tem_sapanca_n", "hwy"),
    ("tem_sapanca_n", "sakarya_jn", "hwy"), ("sakarya_jn", "akyazi", "hwy"), ("akyazi", "duzce", "hwy"),
    ("duzce", "bolu_tw", "hwy"), ("bolu_tw", "bolu_te", "tunnel"), ("bolu_te", "bolu", "hwy"),
    ("bolu", "gerede", "hwy"), ("gerede", "kizilcahamam", "hwy"), ("kizilcahamam", "ank_akinci", "hwy"),
    ("ank_akinci", "etimesgut", "umw"), ("ank_akinci", "batikent", "umw"),
    # Bursa, Eskişehir
    ("gemlik", "demirtas_osb", "hwy"), ("demirtas_osb", "bursa_center", "city"),
    ("bursa_center", "nilufer", "city"), ("nilufer", "bursa_osb", "city"),
    ("bursa_center", "bursa_osb", "city"), ("nilufer", "mudanya", "road"),
    ("bursa_center", "inegol", "road"), ("inegol", "bozuyuk", "road"), ("bozuyuk", "eskisehir", "hwy"),
    ("eskisehir", "polatli", "hwy"), ("polatli", "etimesgut", "hwy"), ("eskisehir", "afyon", "hwy"),
    ("nilufer", "balikesir", "hwy"),
    # Ankara and beyond
    ("kizilay", "ulus", "city"), ("kizilay", "cankaya", "city"), ("kizilay", "balgat", "city"),
    ("balgat", "cayyolu", "umw"), ("cayyolu", "eryaman", "city"), ("kizilay", "dikmen", "city"),
    ("dikmen", "cankaya", "city"), ("cankaya", "golbasi", "umw"), ("kizilay", "mamak", "city"),
    ("ulus", "kecioren", "city"), ("ulus", "batikent", "umw"), ("batikent", "ostim", "city"),
    ("ostim", "etimesgut", "city"), ("etimesgut", "eryaman", "city"), ("eryaman", "sincan_osb", "city"),
    ("kecioren", "esenboga", "umw"), ("kecioren", "batikent", "city"), ("mamak", "kirikkale", "hwy"),
    ("kirikkale", "yozgat", "hwy"), ("yozgat", "sivas", "hwy"), ("kirikkale", "kirsehir", "hwy"),
    ("kirsehir", "kayseri", "hwy"), ("golbasi", "kulu", "hwy"), ("kulu", "konya", "hwy"),
    ("golbasi", "serefli", "hwy"), ("serefli", "aksaray", "hwy"), ("aksaray", "nigde", "hwy"),
    ("nigde", "ulukisla", "hwy"), ("ulukisla", "pozanti", "hwy"), ("pozanti", "tarsus", "hwy"),
    ("tarsus", "mersin_port", "umw"), ("kayseri", "nigde", "hwy"),
    ("gerede", "cerkes", "hwy"), ("cerkes", "ilgaz", "hwy"), ("ilgaz", "kastamonu", "road"),
    ("ilgaz", "tosya", "hwy"), ("tosya", "osmancik", "hwy"), ("osmancik", "corum", "hwy"),
    ("osmancik", "merzifon", "hwy"), ("corum", "yozgat", "road"), ("merzifon", "samsun", "hwy"),
    ("samsun", "unye", "hwy"), ("unye", "ordu", "hwy"), ("ordu", "giresun", "hwy"),
    ("giresun", "trabzon", "hwy"), ("merzifon", "amasya", "hwy"), ("amasya", "tokat", "road"),
    ("tokat", "sivas", "road"), ("sivas", "kangal", "hwy"), ("kangal", "malatya", "hwy"),
    ("sivas", "erzincan", "hwy"), ("erzincan", "erzurum", "hwy"), ("kayseri", "sivas", "hwy"),
    # Izmir, Aegean
    ("konak", "alsancak", "city"), ("alsancak", "bayrakli", "city"), ("bayrakli", "turan", "city"),
    ("turan", "karsiyaka", "city"),
    ("karsiyaka", "bostanli", "city"), ("karsiyaka", "cigli_aosb", "city"), ("cigli_aosb", "menemen", "road"),
    ("bayrakli", "bornova", "umw"), ("alsancak", "bornova", "city"), ("konak", "buca", "city"),
    ("konak", "balcova", "city"), ("balcova", "uckuyular", "city"), ("balcova", "narlidere", "city"),
    ("uckuyular", "bostanli", "ferry"), ("narlidere", "urla", "hwy"), ("urla", "cesme", "hwy"),
    ("urla", "seferihisar", "road"), ("buca", "gaziemir", "city"), ("gaziemir", "adb_airport", "city"),
    ("konak", "gaziemir", "umw"), ("bornova", "kemalpasa", "road"), ("bornova", "manisa", "hwy"),
    ("manisa", "turgutlu", "road"), ("turgutlu", "salihli", "road"), ("salihli", "usak", "road"),
    ("usak", "afyon", "road"), ("gaziemir", "aydin", "hwy"), ("aydin", "denizli", "hwy"),
    ("manisa", "balikesir", "hwy"), ("menemen", "manisa", "road"), ("bornova", "buca", "city"),
]
# heavy trucks may not use these (15 Temmuz / FSM bridges, Avrasya Tüneli, city car ferries)
CAR_ONLY = {("ortakoy_b", "beylerbeyi_b"), ("fsm_e", "fsm_a"), ("cankurtaran", "tunnel_a"),
            ("sirkeci", "harem"), ("uckuyular", "bostanli")}

CLASSES = ("city", "umw", "hwy", "road", "bridge", "tunnel", "ferry")
CLS_IDX = {c: i for i, c in enumerate(CLASSES)}
# km/h per class: car, truck
SPEED_KMH = {"car": np.array([30, 62, 100, 68, 50, 65, 12.0]),
             "truck": np.array([24, 52, 80, 58, 45, 55, 12.0])}
VMAX_KMH = {"car": 132.0, "truck": 88.0}
URBAN = np.array([True, True, False, False, True, True, False])
STEP_M = {"city": 450, "umw": 900, "hwy": 3000, "road": 1500, "bridge": 500, "tunnel": 600, "ferry": 700}
WIGGLE_M = {"city": 35, "umw": 60, "hwy": 450, "road": 280, "bridge": 0, "tunnel": 0, "ferry": 120}

KEYS = list(NODES)
KIDX = {k: i for i, k in enumerate(KEYS)}
NLAT = np.array([NODES[k][0] for k in KEYS])
NLON = np.array([NODES[k][1] for k in KEYS])

# GSM coverage holes on truck routes (file 2 buffers there): lat, lon, radius km, name
COVERAGE_HOLES = [(37.40, 34.86, 22.0, "Gülek Boğazı / Pozantı"), (37.55, 34.49, 12.0, "Ulukışla"),
                  (40.77, 31.49, 9.0, "Bolu Dağı"), (40.43, 32.64, 12.0, "Kızılcahamam ormanı")]
# districts where towers and narrow streets give multipath spikes
DENSE = ["levent", "4levent", "maslak", "mecidiyekoy", "sisli", "zincirlikuyu", "taksim", "kadikoy",
         "atasehir", "eminonu", "besiktas", "altunizade"]


def _hav(lat1, lon1, lat2, lon2):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * 6371008.8 * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def _dist(lat1, lon1, lat2, lon2):
    """Metres between two points (equirectangular; exact enough below a few km)."""
    dx = (lon2 - lon1) * 111320.0 * math.cos(math.radians((lat1 + lat2) / 2))
    dy = (lat2 - lat1) * 110540.0
    return math.hypot(dx, dy)


def _bearing(lat1, lon1, lat2, lon2):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(lon2 - lon1)
    y = np.sin(dl) * np.cos(p2)
    x = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl)
    return (np.degrees(np.arctan2(y, x)) + 360) % 360


class _Roads:
    """The road graph: densified edge geometry (fixed, seed-independent) and all-pairs routes."""

    def __init__(self):
        rng = np.random.default_rng(20160907)  # the roads do not move with the fleet seed
        n = len(KEYS)
        self.geom = {}
        w_car = np.full((n, n), np.inf)
        w_truck = np.full((n, n), np.inf)
        for a, b, cls in EDGES:
            i, j = KIDX[a], KIDX[b]
            lat1, lon1, lat2, lon2 = NLAT[i], NLON[i], NLAT[j], NLON[j]
            dist = float(_hav(lat1, lon1, lat2, lon2))
            m = max(1, int(round(dist / STEP_M[cls])))
            u = np.linspace(0.0, 1.0, m + 1)
            lat = lat1 + u * (lat2 - lat1)
            lon = lon1 + u * (lon2 - lon1)
            amp = WIGGLE_M[cls]
            if amp and m > 1:
                z = rng.normal(0, 1, m + 1)
                z = np.convolve(z, [0.25, 0.5, 0.25], mode="same") * amp * np.sin(np.pi * u)
                # perpendicular unit vector in metres
                dx = (lon2 - lon1) * 111320 * math.cos(math.radians(lat1))
                dy = (lat2 - lat1) * 110540
                norm = math.hypot(dx, dy) or 1.0
                px, py = -dy / norm, dx / norm
                lat = lat + z * py / 110540
                lon = lon + z * px / (111320 * math.cos(math.radians(lat1)))
            c = np.full(m, CLS_IDX[cls], np.int8)
            self.geom[(i, j)] = (lat, lon, c)
            self.geom[(j, i)] = (lat[::-1].copy(), lon[::-1].copy(), c)
            seg = _hav(lat[:-1], lon[:-1], lat[1:], lon[1:]).sum()
            extra = 1500.0 if cls == "ferry" else 0.0
            tc = seg / (SPEED_KMH["car"][CLS_IDX[cls]] / 3.6) + extra
            tt = seg / (SPEED_KMH["truck"][CLS_IDX[cls]] / 3.6) + extra
            for (x, y) in ((i, j), (j, i)):
                w_car[x, y] = min(w_car[x, y], tc)
                if (a, b) not in CAR_ONLY:
                    w_truck[x, y] = min(w_truck[x, y], tt)
        self.nxt = {"car": self._floyd(w_car), "truck": self._floyd(w_truck)}
        self._cache = {}

    @staticmethod
    def _floyd(w):
        n = len(w)
        d = w.copy()
        np.fill_diagonal(d, 0.0)
        nxt = np.where(np.isfinite(w), np.arange(n)[None, :], -1)
        np.fill_diagonal(nxt, np.arange(n))
        for k in range(n):
            alt = d[:, k:k + 1] + d[k:k + 1, :]
            better = alt < d
            d = np.where(better, alt, d)
            nxt = np.where(better, nxt[:, k:k + 1], nxt)
        return nxt

    def node_path(self, i, j, vclass):
        nxt = self.nxt[vclass]
        path = [i]
        while path[-1] != j:
            k = int(nxt[path[-1], j])
            if k < 0:
                raise ValueError(f"no road {KEYS[i]} -> {KEYS[j]}")
            path.append(k)
        return path

    def polyline(self, nodes_seq, vclass):
        key = (tuple(nodes_seq), vclass)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        path = [nodes_seq[0]]
        for target in nodes_seq[1:]:
            if (path[-1], target) in self.geom:  # neighbours: that very road, bridge or ferry
                path.append(target)
            elif path[-1] != target:
                path += self.node_path(path[-1], target, vclass)[1:]
        lats, lons, cls = [np.array([NLAT[path[0]]])], [np.array([NLON[path[0]]])], []
        for x, y in zip(path[:-1], path[1:]):
            la, lo, c = self.geom[(x, y)]
            lats.append(la[1:])
            lons.append(lo[1:])
            cls.append(c)
        lat, lon = np.concatenate(lats), np.concatenate(lons)
        out = (lat, lon, np.concatenate(cls) if cls else np.zeros(0, np.int8),
               _hav(lat[:-1], lon[:-1], lat[1:], lon[1:]))
        self._cache[key] = out
        return out


_ROADS = None


def _roads():
    global _ROADS
    if _ROADS is None:
        _ROADS = _Roads()
    return _ROADS


class Place:
    __slots__ = ("lat", "lon", "node")

    def __init__(self, lat, lon, node):
        self.lat, self.lon, self.node = float(lat), float(lon), node

    def ll(self):
        return [round(self.lat, 6), round(self.lon, 6)]


def place_near(key, rng, r=None, rmin=0.0, sector="node"):
    lat0, lon0, _, _, radius, sec = NODES[key]
    radius = radius if r is None else r
    if sector != "node":
        sec = sector
    dist = math.sqrt(rng.uniform((rmin / radius) ** 2 if radius else 0, 1.0)) * radius if radius else 0.0
    brg = (sec[0] + rng.uniform(-sec[1], sec[1])) if sec else rng.uniform(0, 360)
    lat = lat0 + dist * math.cos(math.radians(brg)) / 110540
    lon = lon0 + dist * math.sin(math.radians(brg)) / (111320 * math.cos(math.radians(lat0)))
    return Place(lat, lon, KIDX[key])


def offset_place(p, rng, lo, hi):
    """A place lo..hi metres from p, anchored to p's node."""
    dist = rng.uniform(lo, hi)
    brg = rng.uniform(0, 360)
    lat = p.lat + dist * math.cos(math.radians(brg)) / 110540
    lon = p.lon + dist * math.sin(math.radians(brg)) / (111320 * math.cos(math.radians(p.lat)))
    return Place(lat, lon, p.node)


# -------------------------------------------------------------------------------- sun and fasting
CITY_LL = {"ist_e": (41.01, 28.97), "ist_a": (41.00, 29.06), "koc": (40.77, 29.92),
           "bur": (40.19, 29.06), "ank": (39.93, 32.85), "izm": (38.42, 27.14)}


def sun_times(lat, lon, d):
    """(imsak, iftar) of day d as seconds after local (UTC+3) midnight: sun at -18° before dawn
    and sunset (-0.833°) plus 5 minutes, rounded to the minute as the Diyanet tables are."""
    n = (WINDOW_START + timedelta(days=d)).timetuple().tm_yday
    g = 2 * math.pi / 365 * (n - 1 + 0.5)
    decl = (0.006918 - 0.399912 * math.cos(g) + 0.070257 * math.sin(g) - 0.006758 * math.cos(2 * g)
            + 0.000907 * math.sin(2 * g) - 0.002697 * math.cos(3 * g) + 0.00148 * math.sin(3 * g))
    eqt = 229.18 * (0.000075 + 0.001868 * math.cos(g) - 0.032077 * math.sin(g)
                    - 0.014615 * math.cos(2 * g) - 0.040849 * math.sin(2 * g))
    noon = 720 - 4 * lon - eqt + 180  # local minutes

    def ha(alt):
        c = (math.sin(math.radians(alt)) - math.sin(math.radians(lat)) * math.sin(decl)) / (
            math.cos(math.radians(lat)) * math.cos(decl))
        return math.degrees(math.acos(max(-1.0, min(1.0, c))))

    iftar = round(noon + 4 * ha(-0.833) + 5) * 60
    imsak = round(noon - 4 * ha(-18.0)) * 60
    return imsak, iftar


def is_ramadan(d):
    return d <= RAMADAN_LAST_DAY


# ------------------------------------------------------------------------------------- the track
def congestion(t, city):
    d = int(t // DAY)
    s = t - d * DAY
    h = s / 3600.0
    wd = d % 7
    if d in BAYRAM:
        f = 0.85 if 10 <= h < 19 else 1.1
    elif wd < 5:
        f = (0.45 if 7 <= h < 10 else 0.40 if 17 <= h < 20 else 0.70 if 10 <= h < 17
             else 1.1 if (h >= 22 or h < 6) else 0.8)
    elif wd == 5:
        f = 0.62 if 11 <= h < 21 else 0.95
    else:
        f = 0.8 if 12 <= h < 20 else 1.05
    if is_ramadan(d) and city in CITY_LL:
        _, iftar = _SUN[city][d] if d < len(_SUN[city]) else sun_times(*CITY_LL[city], d)
        if iftar - 5400 <= s < iftar:
            f = min(f, 0.36)
        elif iftar <= s < iftar + 2700:
            f = 1.2
    if city not in ("ist_e", "ist_a"):
        f = f ** 0.5
    return f


def hwy_factor(t):
    d = int(t // DAY)
    h = (t - d * DAY) / 3600
    if (d == 18 and h >= 15) or d == ARIFE or (d == 22 and h >= 12) or (d == 27 and h >= 11):
        return 0.72  # Bayram exodus and return
    return 1.0


_SUN = {}


class Track:
    """A vehicle's movements: a polyline with odometer and time knots (time -> odometer, state)."""

    def __init__(self, place, rng, vclass, city, speedf=1.0):
        self.rng, self.vclass, self.city, self.speedf = rng, vclass, city, speedf
        self.vlat, self.vlon, self.vodo = [np.array([place.lat])], [np.array([place.lon])], [np.zeros(1)]
        self.kt, self.ko, self.ks = [np.zeros(1)], [np.zeros(1)], []
        self.t, self.o, self.pos = 0.0, 0.0, place

    def stay(self, until, state=PARK):
        if until > self.t + 0.5:
            self.kt.append(np.array([float(until)]))
            self.ko.append(np.array([self.o]))
            self.ks.append(np.array([state], np.int8))
            self.t = float(until)

    def drive(self, dest, depart=None, via=(), stops=None, rules=None):
        """Drive to dest (leaving at `depart` or now). via: node keys forced on the way.
        stops: 'dolmus' (many short stops). rules: (block_s, brk_lo, brk_hi, day_s, rest_s)."""
        if depart is not None and depart > self.t:
            self.stay(depart)
        rng = self.rng
        a = self.pos
        seq = [a.node] + [KIDX[v] for v in via] + [dest.node]
        if len(seq) == 2 and seq[0] == seq[1]:
            dd = _dist(a.lat, a.lon, dest.lat, dest.lon)
            if dd < 15:
                return self.t
            k1, k2 = rng.normal(0, 0.15, 2)
            mlat = (a.lat + dest.lat) / 2 + k1 * (dest.lon - a.lon) * 0.75
            mlon = (a.lon + dest.lon) / 2 - k2 * (dest.lat - a.lat) * 1.3
            lat = np.array([a.lat, mlat, dest.lat])
            lon = np.array([a.lon, mlon, dest.lon])
            cls = np.zeros(2, np.int8)
            seg = np.array([_dist(a.lat, a.lon, mlat, mlon), _dist(mlat, mlon, dest.lat, dest.lon)])
        else:
            plat, plon, pcls, pseg = _roads().polyline(seq, self.vclass)
            lat = np.concatenate(([a.lat], plat, [dest.lat]))
            lon = np.concatenate(([a.lon], plon, [dest.lon]))
            cls = np.concatenate(([0], pcls, [0])).astype(np.int8)
            seg = np.concatenate(([_dist(a.lat, a.lon, plat[0], plon[0])], pseg,
                                  [_dist(plat[-1], plon[-1], dest.lat, dest.lon)]))
        m = len(lat)
        t0 = self.t
        cong = congestion(t0, self.city)
        urban = URBAN[cls]
        fac = np.where(urban, cong, hwy_factor(t0))
        z = rng.standard_normal(m)
        u = rng.random((3, m))
        noise = np.exp(z[:-1] * np.where(urban, 0.22, 0.08) + 0.1 * z[-1])
        v = np.clip(SPEED_KMH[self.vclass][cls] * (self.speedf / 3.6) * fac * noise, 1.2,
                    VMAX_KMH[self.vclass] / 3.6)
        is_ferry = cls == 6
        if is_ferry.any():
            v[is_ferry] = 12.0 / 3.6
        tt = seg / v
        w = np.zeros(m)
        st = np.full(m, IDLE, np.int8)
        lights = cls <= 1  # city streets and urban motorways; no stopping in tunnels or on bridges
        uv = np.zeros(m, bool)
        uv[1:-1] = lights[:-1] & lights[1:]
        hit = uv & (u[0] < (0.18 + (0.3 if cong < 0.6 else 0.0)))
        w[hit] = 8 + 67 * u[1][hit]
        if stops == "dolmus":
            hit = uv & (u[2] < 0.55)
            w[hit] += 8 + 32 * u[1][hit]
        if is_ferry.any():
            ferry = np.flatnonzero(is_ferry)
            i0, i1 = ferry[0], ferry[-1] + 1
            w[i0] = rng.uniform(600, 2100)  # boarding queue, engine off
            st[i0] = PARK
            w[i1] = rng.uniform(120, 360)
        if rules:
            self._breaks(rules, tt, w, st, m, cls)
        w[0] = 0.0
        w[-1] = 0.0
        cum_t = np.empty(m)
        cum_t[0] = 0.0
        np.cumsum(tt, out=cum_t[1:])
        cum_w = np.cumsum(w)
        arr = t0 + cum_t
        arr[1:] += cum_w[:-1]
        dep = arr + w
        odo = np.empty(m)
        odo[0] = self.o
        np.cumsum(seg, out=odo[1:])
        odo[1:] += self.o
        mstate = np.where(is_ferry, FERRY, np.where(cls == 5, TUNNEL, MOVE))
        kt = np.empty(2 * (m - 1))
        ko = np.empty(2 * (m - 1))
        ks = np.empty(2 * (m - 1) - 1, np.int8)
        kt[0::2] = dep[:-1]
        kt[1::2] = arr[1:]
        ko[0::2] = odo[:-1]
        ko[1::2] = odo[1:]
        ks[0::2] = mstate
        ks[1::2] = st[1:-1]
        self.kt.append(kt[1:])
        self.ko.append(ko[1:])
        self.ks.append(ks)
        self.vlat.append(lat[1:])
        self.vlon.append(lon[1:])
        self.vodo.append(odo[1:])
        self.t = float(arr[-1])
        self.o = float(odo[-1])
        self.pos = dest
        return self.t

    def _breaks(self, rules, tt, w, st, m, cls):
        """Driver breaks on long drives: a short rest every block, a night's rest per day limit
        (at a vertex between two open-road segments: not in a tunnel, on a bridge or a ferry)."""
        rng = self.rng
        block, blo, bhi, day_s, rest_s = rules
        cum = np.concatenate([[0.0], np.cumsum(tt)])
        total = cum[-1]
        since_rest = 0.0
        thr = block
        last = 0.0
        while thr < total - 900:
            j = min(max(int(np.searchsorted(cum, thr)), 1), m - 2)
            while j < m - 2 and (cls[j - 1] >= 4 or cls[j] >= 4):
                j += 1
            since_rest += cum[j] - last
            last = cum[j]
            if day_s and since_rest >= day_s - 0.6 * block:  # the next block would break the day limit
                w[j] += rest_s * rng.uniform(0.95, 1.15)
                since_rest = 0.0
            else:
                w[j] += rng.uniform(blo, bhi)
            st[j] = PARK
            thr = cum[j] + block * rng.uniform(0.85, 1.0)

    def visit(self, dest, depart, dur, state=PARK, **kw):
        self.drive(dest, depart, **kw)
        self.stay(self.t + dur, state)

    def arrays(self, end):
        self.stay(end)
        return (np.concatenate(self.kt), np.concatenate(self.ko), np.concatenate(self.ks),
                np.concatenate(self.vlat), np.concatenate(self.vlon), np.concatenate(self.vodo))


# ------------------------------------------------------------------------------------ the people
CITY_HOMES = {
    "ist_e": ["esenyurt", "beylikduzu", "avcilar", "kucukcekmece", "bagcilar", "bayrampasa",
              "basaksehir", "yenibosna", "bakirkoy", "eyup", "okmeydani", "sisli", "mahmutbey"],
    "ist_a": ["atasehir", "umraniye", "goztepe", "kozyatagi", "maltepe", "kartal", "pendik",
              "sancaktepe", "cekmekoy", "uskudar", "kadikoy", "kavacik", "tuzla"],
    "koc": ["gebze", "darica", "cayirova", "korfez", "derince", "izmit", "basiskele"],
    "bur": ["bursa_center", "nilufer", "bursa_center", "nilufer"],
    "ank": ["kecioren", "mamak", "cankaya", "dikmen", "batikent", "etimesgut", "eryaman", "cayyolu",
            "balgat"],
    "izm": ["karsiyaka", "bornova", "buca", "bayrakli", "balcova", "narlidere", "gaziemir"],
}
CITY_OFFICES = {
    "ist_e": ["levent", "4levent", "maslak", "mecidiyekoy", "sisli", "zincirlikuyu", "taksim",
              "besiktas", "bakirkoy", "yenibosna"],
    "ist_a": ["atasehir", "altunizade", "kozyatagi", "umraniye", "kavacik", "kadikoy", "kartal"],
    "koc": ["izmit", "gebze", "izmit"], "bur": ["bursa_center", "nilufer"],
    "ank": ["kizilay", "balgat", "cankaya", "ulus"], "izm": ["alsancak", "konak", "bayrakli", "bornova"],
}
CITY_HOT = {
    "ist_e": {"taksim": 3, "besiktas": 2, "sisli": 2, "mecidiyekoy": 2, "levent": 2, "maslak": 1,
              "eminonu": 2, "aksaray_ist": 1, "bakirkoy": 2, "yenibosna": 1, "bagcilar": 1, "topkapi": 1,
              "ist_airport": 0.7, "zincirlikuyu": 1, "4levent": 1, "eyup": 0.5, "okmeydani": 0.5},
    "ist_a": {"kadikoy": 3, "uskudar": 2, "atasehir": 2, "umraniye": 1.5, "goztepe": 1.5,
              "kozyatagi": 1, "bostanci": 1, "maltepe": 1, "kartal": 1, "saw_airport": 0.7,
              "altunizade": 1, "kavacik": 0.5, "camlica": 0.3, "pendik": 0.5},
    "koc": {"izmit": 3, "gebze": 2, "korfez": 1, "derince": 1, "darica": 1, "cayirova": 1,
            "basiskele": 0.5, "golcuk": 0.5},
    "bur": {"bursa_center": 3, "nilufer": 2, "demirtas_osb": 0.5, "bursa_osb": 0.5, "mudanya": 0.3},
    "ank": {"kizilay": 3, "ulus": 2, "cankaya": 2, "balgat": 1.5, "dikmen": 1, "kecioren": 1.5,
            "mamak": 1, "batikent": 1, "etimesgut": 1, "cayyolu": 1, "esenboga": 0.4, "ostim": 0.5},
    "izm": {"konak": 3, "alsancak": 3, "karsiyaka": 2, "bornova": 2, "buca": 1.5, "bayrakli": 1.5,
            "balcova": 1, "narlidere": 0.5, "gaziemir": 1, "adb_airport": 0.4, "cigli_aosb": 0.4},
}
BIG_MOSQUE = {"ist_e": "eyup", "ist_a": "camlica", "koc": "izmit", "bur": "bursa_center",
              "ank": "kizilay", "izm": "konak"}
CEMETERY = {"ist_e": "zincirlikuyu", "ist_a": "uskudar", "koc": "izmit", "bur": "bursa_center",
            "ank": "kecioren", "izm": "buca"}
SEASIDE = {"ist_e": ["emirgan", "bakirkoy", "kumburgaz"], "ist_a": ["beykoz", "bostanci", "kadikoy"],
           "koc": ["darica", "basiskele"], "bur": ["mudanya"], "ank": ["golbasi", "cayyolu"],
           "izm": ["alsancak", "urla", "karsiyaka"]}
HOMETOWNS = {
    "north": ["sivas", "tokat", "kastamonu", "trabzon", "giresun", "ordu", "samsun", "erzurum", "malatya",
              "kayseri", "corum", "amasya", "yozgat", "konya", "erzincan"],
    "ank": ["yozgat", "corum", "kirsehir", "kayseri", "sivas", "kastamonu", "konya", "tokat", "amasya"],
    "izm": ["afyon", "usak", "denizli", "aydin", "balikesir", "konya"],
}
OUT_OF_TOWN = {"ank": ["kirikkale", "eskisehir", "polatli", "golbasi"], "izm": ["manisa", "aydin", "urla"],
               "bur": ["inegol", "balikesir", "gemlik"], "ist_e": ["silivri", "buyukcekmece"],
               "ist_a": ["gebze", "izmit"], "koc": ["bursa_center", "sakarya_jn", "gebze"]}
OSBS = {  # factory zone: (city, pickup/residential nodes, weight)
    "gosb": ("koc", ["gebze", "darica", "cayirova", "pendik", "tuzla"], 3),
    "tosb": ("koc", ["cayirova", "tuzla", "pendik", "gebze"], 2),
    "dilovasi_osb": ("koc", ["gebze", "darica", "korfez", "dilovasi"], 3),
    "golcuk": ("koc", ["izmit", "basiskele", "derince"], 2),
    "izmit_east": ("koc", ["izmit", "derince", "korfez", "basiskele"], 2),
    "bursa_osb": ("bur", ["bursa_center", "nilufer"], 2),
    "demirtas_osb": ("bur", ["bursa_center", "nilufer"], 1),
    "sincan_osb": ("ank", ["eryaman", "etimesgut", "batikent"], 1),
    "ostim": ("ank", ["batikent", "kecioren", "etimesgut"], 1),
    "cigli_aosb": ("izm", ["karsiyaka", "bornova", "menemen", "bayrakli"], 1),
}
DOLMUS_LINES = [("ist_a", "kadikoy", "bostanci"), ("ist_a", "uskudar", "umraniye"),
                ("ist_e", "taksim", "mecidiyekoy"), ("ist_e", "bakirkoy", "bagcilar"),
                ("ist_e", "eminonu", "eyup"), ("ank", "kizilay", "dikmen"), ("ank", "ulus", "kecioren"),
                ("izm", "konak", "buca"), ("izm", "karsiyaka", "bornova"), ("koc", "izmit", "derince"),
                ("ist_a", "kadikoy", "atasehir")]
CROSSINGS = {"15T": ("ortakoy_b", "beylerbeyi_b"), "FSM": ("fsm_e", "fsm_a"),
             "Avrasya": ("cankurtaran", "tunnel_a"), "vapur": ("sirkeci", "harem")}

KINDS = [  # kind, platform, weight per 120 (order = priority for tiny fleets)
    ("taxi_single", "tr", 10), ("shift_worker", "tr", 9), ("bosphorus_commuter", "tr", 10),
    ("mersin_long_haul", "eu", 6), ("bayram_home_town", "obd", 15), ("dolmus", "tr", 8),
    ("staff_shuttle", "tr", 8), ("port_shuttle_truck", "eu", 8), ("weekend_house", "obd", 12),
    ("taxi_two_shift", "tr", 5), ("ferry_park_and_ride", "tr", 5), ("field_sales", "tr", 8),
    ("delivery_van", "eu", 8), ("retiree", "obd", 8),
]
TRUCKS = ("mersin_long_haul", "port_shuttle_truck")
MEMLEKET_P = {"taxi_single": 0.3, "dolmus": 0.3, "shift_worker": 0.3, "bosphorus_commuter": 0.25,
              "ferry_park_and_ride": 0.25, "field_sales": 0.25, "retiree": 0.35, "bayram_home_town": 1.0,
              "weekend_house": 0.0}

FIRST = ["Mehmet", "Mustafa", "Ahmet", "Ali", "Hüseyin", "Hasan", "İbrahim", "İsmail", "Osman", "Yusuf",
         "Murat", "Ömer", "Ramazan", "Halil", "Süleyman", "Abdullah", "Mahmut", "Recep", "Salih", "Fatih",
         "Kadir", "Emre", "Serkan", "Burak", "Ayşe", "Fatma", "Emine", "Hatice", "Zeynep", "Elif", "Şükrü",
         "Gökhan", "Özgür", "Çağlar", "Uğur", "Tuğba", "Gülşen", "Erdinç", "Şenol", "Nurcan"]
LAST = ["Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Yıldırım", "Öztürk", "Aydın", "Özdemir",
        "Arslan", "Doğan", "Kılıç", "Aslan", "Çetin", "Kara", "Koç", "Kurt", "Özkan", "Şimşek", "Polat",
        "Korkmaz", "Güneş", "Aktaş", "Bulut", "Keskin", "Ünal", "Güler", "Uçar", "Taş", "Çakır",
        "Akgül", "Tekin", "Işık", "Ağaoğlu", "Gündoğdu", "Erdoğdu", "Söğüt"]
PROVINCE = {"ist_e": "34", "ist_a": "34", "koc": "41", "bur": "16", "ank": "06", "izm": "35"}
PLATE_LETTERS = list("ABCDEFGHIJKLMNOPRSTUVYZ")


class Veh:
    pass


def _pick(rng, items, weights=None):
    if weights is None:
        return items[int(rng.integers(len(items)))]
    w = np.asarray(weights, float)
    return items[int(rng.choice(len(items), p=w / w.sum()))]


def _hot_place(V, city=None):
    city = city or V.city
    hot = CITY_HOT[city]
    keys = list(hot)
    return place_near(_pick(V.rng, keys, [hot[k] for k in keys]), V.rng)


def _iftar(V, d):
    return _SUN[V.city][d][1]


def at(d, h):
    return d * DAY + h * 3600.0


def _m(rng, minutes):
    return rng.normal(0, minutes * 60)


CAR_RULES = (3 * 3600, 20 * 60, 50 * 60, 13 * 3600, 7.5 * 3600)
TRUCK_RULES = (4.5 * 3600, 45 * 60, 55 * 60, 9 * 3600, 11 * 3600)


# -- day plans (each starts wherever the vehicle is and may run past midnight) --------------------
def _evening(V, tr, d):
    """Private evening: iftar invitations, tarawih, sahur outings in Ramadan; otherwise outings."""
    rng = V.rng
    wd = d % 7
    if is_ramadan(d) and V.fasting:
        ift = _iftar(V, d)
        r = rng.random()
        p_visit = 0.3 if wd >= 4 else 0.12
        if r < p_visit:
            tr.visit(_pick(rng, V.relatives), at(d, 0) + ift - 45 * 60 + _m(rng, 8),
                     rng.uniform(2.5, 4.0) * 3600)
            tr.drive(V.home)
        elif r < p_visit + 0.1:
            tr.visit(V.mosque, at(d, 0) + ift + 70 * 60 + _m(rng, 10), rng.uniform(60, 85) * 60)
            tr.drive(V.home)
        elif wd in (4, 5) and rng.random() < 0.18:  # sahur out on a weekend night
            imsak = _SUN[V.city][min(d + 1, len(_SUN[V.city]) - 1)][0]
            tr.visit(_hot_place(V), at(d + 1, 0) + imsak - rng.uniform(110, 150) * 60,
                     rng.uniform(70, 100) * 60)
            tr.drive(V.home)
    elif rng.random() < (0.25 if wd in (4, 5) else 0.1):
        tr.visit(_hot_place(V), at(d, rng.uniform(20.0, 21.3)), rng.uniform(1.3, 3.2) * 3600)
        tr.drive(V.home)


def _free_day(V, tr, d):
    """Weekend / holiday of a private or commuter vehicle at home."""
    rng = V.rng
    wd = d % 7
    if d in BAYRAM:
        if d == 20:
            # bayram namazı, ~45 min after sunrise (imsak + ~2 h)
            tr.visit(V.mosque_local, at(d, 0) + _SUN[V.city][min(d, len(_SUN[V.city]) - 1)][0]
                     + 110 * 60, 50 * 60)
            tr.drive(V.home)
            for rel in V.relatives[: int(rng.integers(1, 3))]:
                tr.visit(rel, at(d, rng.uniform(10.5, 12.0)), rng.uniform(1.0, 2.0) * 3600)
            tr.drive(V.home)
            if rng.random() < 0.5:
                tr.visit(place_near(CEMETERY[V.city], rng), at(d, 15.0) + _m(rng, 30), 45 * 60)
                tr.drive(V.home)
        else:
            if rng.random() < 0.7:
                tr.visit(_pick(rng, V.relatives), at(d, rng.uniform(11, 15)), rng.uniform(1.5, 4) * 3600)
                tr.drive(V.home)
        return
    if wd == 5 or d == ARIFE:
        if rng.random() < 0.7:
            tr.visit(_hot_place(V), at(d, rng.uniform(10.5, 14.0)), rng.uniform(1.5, 3.0) * 3600)
            tr.drive(V.home)
        if d == ARIFE and rng.random() < 0.4:
            tr.visit(place_near(CEMETERY[V.city], rng), at(d, 15.5) + _m(rng, 20), 40 * 60)
            tr.drive(V.home)
    elif wd < 5 and rng.random() < 0.5:  # a weekday off: bank, market, the children's school
        tr.visit(_hot_place(V), at(d, rng.uniform(10.0, 16.0)), rng.uniform(0.6, 2.0) * 3600)
        tr.drive(V.home)
    elif wd == 6:
        r = rng.random()
        if r < 0.45:
            tr.visit(_pick(rng, V.relatives), at(d, rng.uniform(12, 14.5)), rng.uniform(2.5, 5) * 3600)
            tr.drive(V.home)
        elif r < 0.7:
            tr.visit(place_near(_pick(rng, SEASIDE[V.city]), rng), at(d, rng.uniform(9.0, 10.5)),
                     rng.uniform(2.0, 3.5) * 3600)
            tr.drive(V.home)
    _evening(V, tr, d)


def _commute_day(V, tr, d, leave_h, back_h, via_out=(), via_back=(), lunch_p=0.15):
    rng = V.rng
    tr.drive(V.work, at(d, leave_h) + _m(rng, 12), via=via_out)
    if rng.random() < lunch_p:
        tr.visit(offset_place(V.work, rng, 500, 2500), at(d, 12.4) + _m(rng, 10), rng.uniform(40, 65) * 60)
        tr.drive(V.work)
    back = at(d, back_h) + _m(rng, 15)
    if is_ramadan(d) and V.fasting:
        back = min(back, at(d, 0) + _iftar(V, d) - V.commute_s - 25 * 60 + _m(rng, 8))
    back = max(back, tr.t + 3 * 3600)
    if is_ramadan(d) and V.fasting and rng.random() < 0.45:
        tr.visit(V.bakery, back, rng.uniform(6, 16) * 60, via=via_back)  # Ramazan pidesi queue
        tr.drive(V.home)
    else:
        tr.drive(V.home, back, via=via_back)
    _evening(V, tr, d)


def _workday(V, d):
    wd = d % 7
    return wd < 5 and d not in BAYRAM and d != ARIFE


def day_bosphorus(V, tr, d):
    rng = V.rng
    if not _workday(V, d) and not (d % 7 == 5 and V.saturday and d != ARIFE and d not in BAYRAM):
        return _free_day(V, tr, d)
    names = list(V.crossing)
    c = _pick(rng, names, [V.crossing[n] for n in names])
    e, a = CROSSINGS[c]
    out = (e, a) if V.home_side == "ist_e" else (a, e)
    c2 = _pick(rng, names, [V.crossing[n] for n in names])
    e2, a2 = CROSSINGS[c2]
    back = (a2, e2) if V.home_side == "ist_e" else (e2, a2)
    if d % 7 == 5:  # half-day Saturday
        tr.drive(V.work, at(d, 8.7) + _m(rng, 15), via=out)
        tr.drive(V.home, at(d, 13.6) + _m(rng, 15), via=back)
        return _evening(V, tr, d)
    _commute_day(V, tr, d, V.leave_h, V.back_h, via_out=out, via_back=back)


def day_commuter(V, tr, d):
    if not _workday(V, d):
        return _free_day(V, tr, d)
    _commute_day(V, tr, d, V.leave_h, V.back_h, lunch_p=0.2)


def day_ferry(V, tr, d):
    if not _workday(V, d):
        return _free_day(V, tr, d)
    _commute_day(V, tr, d, V.leave_h, V.back_h, lunch_p=0.0)


def day_weekend_house(V, tr, d):
    rng = V.rng
    wd = d % 7
    if d in V.house_days:
        if tr.pos is not V.second:
            if wd == 4 and _workday(V, d):  # straight after work on Friday
                tr.drive(V.work, at(d, V.leave_h) + _m(rng, 12))
                tr.drive(V.home, at(d, V.back_h - 0.5) + _m(rng, 15))
                tr.drive(V.second, tr.t + rng.uniform(25, 60) * 60, via=V.house_via)
                return
            tr.drive(V.second, at(d, rng.uniform(8.5, 11.0)), via=V.house_via)
        if rng.random() < 0.6:  # local trips at the summer house / village: market, beach, tea garden
            tr.visit(offset_place(V.second, rng, 1500, 6000), max(tr.t + 1800, at(d, rng.uniform(11, 14))),
                     rng.uniform(0.7, 2.0) * 3600)
            tr.drive(V.second)
        if d + 1 not in V.house_days:
            tr.drive(V.home, max(tr.t + 1800, at(d, rng.uniform(16.0, 19.0))), via=V.house_back)
        return
    if _workday(V, d):
        return _commute_day(V, tr, d, V.leave_h, V.back_h)
    return _free_day(V, tr, d)


def day_retiree(V, tr, d):
    rng = V.rng
    wd = d % 7
    if d in BAYRAM:
        return _free_day(V, tr, d)
    if wd == V.pazar_day:
        tr.visit(V.pazar, at(d, rng.uniform(9.5, 11.0)), rng.uniform(60, 110) * 60)
        tr.drive(V.home)
    elif rng.random() < 0.55:
        tr.visit(_pick(rng, V.errands), at(d, rng.uniform(9.5, 11.5)), rng.uniform(30, 90) * 60)
        tr.drive(V.home)
    if wd == 4 and V.male:
        tr.visit(V.mosque_local, at(d, 12.6) + _m(rng, 8), rng.uniform(55, 75) * 60)
        tr.drive(V.home)
    if is_ramadan(d) and V.fasting:
        if rng.random() < 0.3:
            tr.visit(_pick(rng, V.relatives), at(d, 0) + _iftar(V, d) - 50 * 60 + _m(rng, 10),
                     rng.uniform(2.5, 4.0) * 3600)
            tr.drive(V.home)
        elif V.male and rng.random() < 0.3:
            tr.visit(V.mosque, at(d, 0) + _iftar(V, d) + 70 * 60 + _m(rng, 8), rng.uniform(60, 85) * 60)
            tr.drive(V.home)
    elif rng.random() < 0.25:
        tr.visit(_pick(rng, V.relatives), at(d, rng.uniform(14.0, 16.0)), rng.uniform(2.0, 4.0) * 3600)
        tr.drive(V.home)


def day_field_sales(V, tr, d):
    rng = V.rng
    if not _workday(V, d):
        return _free_day(V, tr, d)
    tr.visit(V.work, at(d, V.leave_h) + _m(rng, 12), rng.uniform(30, 90) * 60)
    end = at(d, 17.3) + _m(rng, 20)
    if is_ramadan(d) and V.fasting:
        end = min(end, at(d, 0) + _iftar(V, d) - 90 * 60)
    if rng.random() < 0.15:  # out-of-town day
        town = place_near(_pick(rng, OUT_OF_TOWN[V.city]), rng)
        tr.drive(town)
        for _ in range(int(rng.integers(2, 4))):
            tr.visit(offset_place(town, rng, 300, 3000), None, rng.uniform(30, 80) * 60)
        tr.drive(V.home)
        return _evening(V, tr, d)
    n = int(rng.integers(3, 7))
    for k in range(n):
        if tr.t > end - 3600:
            break
        tr.visit(_hot_place(V) if rng.random() < 0.5 else _pick(rng, V.customers), None,
                 rng.uniform(20, 70) * 60)
        if k == 1:
            tr.stay(tr.t + rng.uniform(35, 60) * 60)  # lunch near the customer
    if rng.random() < 0.6:
        tr.visit(V.work, None, rng.uniform(25, 60) * 60)
    tr.drive(V.home, max(tr.t, end - 1800))
    _evening(V, tr, d)


def day_taxi_single(V, tr, d):
    rng = V.rng
    wd = d % 7
    if wd == V.off_day or (d in BAYRAM and rng.random() < 0.5):
        return _free_day(V, tr, d)
    tr.drive(V.work, at(d, V.leave_h) + _m(rng, 20))
    end = at(d, V.back_h) + _m(rng, 25)
    if is_ramadan(d) and not V.fasting:
        end += 1.5 * 3600  # busy Ramadan nights (after tarawih, before sahur)
    ift = at(d, 0) + _iftar(V, d)
    iftar_done = not (is_ramadan(d) and V.fasting)
    lunch_done = False
    while tr.t < end:
        if not iftar_done and tr.t > ift - 50 * 60:
            iftar_done = True
            if V.home_km < 8:
                tr.visit(V.home, None, max(ift + 40 * 60 - tr.t, 20 * 60) + rng.uniform(0, 20) * 60)
            else:
                tr.visit(V.work, None, max(ift + 35 * 60 - tr.t, 15 * 60))
            if rng.random() < 0.5:
                break
            tr.drive(V.work)
            end = max(end, at(d, 23.0))
            continue
        if not lunch_done and tr.t > at(d, 12.5):
            lunch_done = True
            tr.stay(tr.t + rng.uniform(30, 50) * 60)
        tr.stay(tr.t + min(rng.exponential(15 * 60), 75 * 60))  # waiting at the durak
        dest = _hot_place(V) if rng.random() > 0.08 else _hot_place(V, V.other_side)
        tr.drive(dest)
        tr.stay(tr.t + rng.uniform(40, 120), IDLE)
        while rng.random() < 0.45 and tr.t < end:  # hailed on the street
            tr.drive(_hot_place(V))
            tr.stay(tr.t + rng.uniform(40, 120), IDLE)
        tr.drive(V.work)
    tr.drive(V.home)


def day_taxi_two_shift(V, tr, d):
    rng = V.rng
    day_end = at(d + 1, 0)
    if d == V.service_day:  # a day off the road: oil change, inspection; the car waits at the durak
        tr.drive(V.work)
        tr.stay(at(d, 19.8))
    pending = [c for c in (at(d, 8.0), at(d, 20.0)) if c > tr.t]
    sahur_done = iftar_done = False
    while tr.t < day_end:
        if pending and tr.t >= pending[0] - 1500:  # shift change at the durak
            c = pending.pop(0)
            tr.drive(V.work)
            tr.stay(max(tr.t, c) + rng.uniform(5, 20) * 60)
            continue
        h = (tr.t - at(d, 0)) / 3600
        if is_ramadan(d) and V.fasting_night and not sahur_done and 2.6 < h < 4.3:
            sahur_done = True
            tr.visit(V.sahur_spot, None, rng.uniform(35, 50) * 60)
            continue
        if (is_ramadan(d) and V.fasting and not iftar_done and h * 3600 > _iftar(V, d) - 25 * 60
                and h < 21):
            iftar_done = True
            tr.visit(V.work, None, rng.uniform(35, 50) * 60)
            continue
        mean = 70 * 60 if 1.5 <= h < 6.5 else 25 * 60 if (h < 1.5 or h >= 22) else 12 * 60
        if tr.pos is not V.work and rng.random() < 0.5:
            tr.drive(V.work)
        wait = min(rng.exponential(mean), 3 * mean)
        if pending:
            wait = min(wait, max(pending[0] - 1500 - tr.t, 60))
        tr.stay(tr.t + wait)
        if pending and tr.t >= pending[0] - 1500:
            continue
        tr.drive(_hot_place(V) if rng.random() > 0.06 else _hot_place(V, V.other_side))
        tr.stay(tr.t + rng.uniform(40, 120), IDLE)


def day_dolmus(V, tr, d):
    rng = V.rng
    if d % 7 == V.off_day or d == 20:
        return _free_day(V, tr, d)
    tr.drive(V.work, at(d, V.leave_h) + _m(rng, 10))
    end = at(d, V.back_h) + _m(rng, 20)
    if is_ramadan(d):
        end = max(end, at(d, 22.3))
    ift = at(d, 0) + _iftar(V, d)
    iftar_done = not (is_ramadan(d) and V.fasting)
    lunch_done = False
    while tr.t < end:
        if not lunch_done and tr.t > at(d, 12.4):
            lunch_done = True
            tr.stay(tr.t + rng.uniform(35, 50) * 60)
        if not iftar_done and tr.t > ift - 45 * 60:
            iftar_done = True
            tr.stay(max(tr.t, ift) + rng.uniform(35, 55) * 60)  # iftar at the terminal
        tr.stay(tr.t + rng.uniform(5, 25) * 60)  # queue at the terminal
        tr.drive(V.term_b, stops="dolmus")
        tr.stay(tr.t + rng.uniform(2, 8) * 60, IDLE)
        tr.drive(V.work, stops="dolmus")
    tr.drive(V.home)


def _osb_closed(V, d, h=12.0):
    if d in BAYRAM or (d == ARIFE and h >= 13):
        return True
    return V.long_closure and 23 <= d <= 27


def day_shuttle(V, tr, d):
    rng = V.rng
    wd = d % 7
    if wd == 6 and not V.sunday:
        return
    for s in V.runs:
        start = at(d, s)
        if _osb_closed(V, d + (1 if s >= 24 else 0), s % 24):
            continue
        if wd == 5 and s >= 24 and not V.sunday:
            continue
        leave = start - 15 * 60 - V.run_s + _m(rng, 4)
        tr.drive(V.stops[0], max(leave, tr.t + 600))
        for p in V.stops[1:]:
            tr.stay(tr.t + rng.uniform(50, 150), IDLE)
            tr.drive(p)
        tr.stay(tr.t + rng.uniform(50, 150), IDLE)
        tr.drive(V.work)
        tr.stay(max(tr.t + 300, start + rng.uniform(3, 12) * 60))  # waits for the outgoing shift
        for p in V.stops[::-1]:
            tr.drive(p)
            tr.stay(tr.t + rng.uniform(40, 120), IDLE)
        tr.drive(V.home)


def shift_start(V, d):
    """Start hour (24 = midnight at the end of day d) of the shift the worker begins on day d."""
    wd = d % 7

    def idx(week):
        return 2 if V.fixed_night else (week + V.rot_offset) % 3
    if idx((d + 1) // 7) == 2 and wd != 5:  # night weeks: Sunday night .. Friday night
        return V.shifts[2]
    i = idx(d // 7)
    if i < 2 and wd != 6:
        return V.shifts[i]
    return None


def day_shift_worker(V, tr, d):
    rng = V.rng
    s = shift_start(V, d)
    if s is None or _osb_closed(V, d + (1 if s >= 24 else 0), s % 24):
        return _free_day(V, tr, d)
    start = at(d, s)
    if s >= 20 and rng.random() < 0.3:  # afternoon errand before a night shift
        tr.visit(_hot_place(V), at(d, rng.uniform(15.5, 17.5)), rng.uniform(40, 90) * 60)
        tr.drive(V.home)
    if 12 <= s < 20 and rng.random() < 0.25:
        tr.visit(_hot_place(V), at(d, rng.uniform(10.0, 11.5)), rng.uniform(30, 60) * 60)
        tr.drive(V.home)
    tr.drive(V.work, start - V.commute_s - rng.uniform(10, 25) * 60)
    back = start + 8 * 3600 + rng.uniform(5, 20) * 60
    dback = int(back // DAY)
    if (is_ramadan(dback) and V.fasting and back < at(dback, 0) + _iftar(V, dback) - 3600
            and rng.random() < 0.4):
        tr.visit(V.bakery, back, rng.uniform(6, 14) * 60)
        tr.drive(V.home)
    else:
        tr.drive(V.home, back)
    if s < 10 and tr.t < at(d, 18):
        _evening(V, tr, d)


def day_port_truck(V, tr, d):
    rng = V.rng
    wd = d % 7
    if wd == 6 or d in BAYRAM or d == ARIFE:  # Sundays; the fleet's Bayram stop (arife .. 01.04)
        return
    n_runs = 1 if wd == 5 else 2
    t_next = at(d, V.leave_h) + _m(rng, 15)
    for _ in range(n_runs):
        if rng.random() < 0.15:
            dest = place_near(_pick(rng, ["derince", "nilufer", "izmit_east"]), rng)
            tr.visit(dest, t_next, rng.uniform(60, 120) * 60)
        else:
            tr.drive(V.work, t_next)
            for _ in range(int(rng.integers(2, 5))):  # gate queue, terminal yard, loading
                tr.stay(tr.t + rng.uniform(15, 55) * 60, IDLE if rng.random() < 0.4 else PARK)
                tr.drive(offset_place(V.work, rng, 150, 700))
            tr.stay(tr.t + rng.uniform(10, 30) * 60)
        tr.drive(V.home)
        tr.stay(tr.t + rng.uniform(30, 70) * 60)
        t_next = max(tr.t + 1800, at(d, 12.5) + _m(rng, 20))


def day_mersin(V, tr, d):
    rng = V.rng
    wd = d % 7
    if d < V.busy_until:
        return
    if wd == V.trip_wd and not (18 <= d <= 22):
        tr.drive(V.mersin, at(d, V.leave_h) + _m(rng, 20), rules=TRUCK_RULES)
        for _ in range(int(rng.integers(2, 4))):
            tr.stay(tr.t + rng.uniform(30, 100) * 60, IDLE if rng.random() < 0.3 else PARK)
            tr.drive(offset_place(V.mersin, rng, 150, 800))
        tr.stay(tr.t + rng.uniform(1.0, 3.0) * 3600)
        if tr.t - at(int(tr.t // DAY), 0) > 15 * 3600:
            tr.stay(at(int(tr.t // DAY) + 1, 5.5) + _m(rng, 20))  # night at the port truck park
        tr.drive(V.home, rules=TRUCK_RULES)
        V.busy_until = int(tr.t // DAY) + 1
        return
    if wd < 5 and d not in BAYRAM and d != ARIFE and rng.random() < 0.6:
        tr.drive(V.ambarli, at(d, 6.0) + _m(rng, 20))
        tr.stay(tr.t + rng.uniform(1.5, 3.5) * 3600)
        tr.drive(V.home)


def day_van(V, tr, d):
    rng = V.rng
    wd = d % 7
    if wd == 6 or d in BAYRAM:
        return _free_day(V, tr, d)
    tr.visit(V.work, at(d, V.leave_h) + _m(rng, 10), rng.uniform(30, 60) * 60, IDLE)
    n = int(rng.integers(5, 9)) if (wd == 5 or d == ARIFE) else int(rng.integers(8, 15))
    for _ in range(n):
        p = _pick(rng, V.customers) if rng.random() < 0.5 else _hot_place(V)
        tr.visit(offset_place(p, rng, 30, 400), None, rng.uniform(4, 12) * 60)
    tr.visit(V.work, None, rng.uniform(20, 40) * 60)
    tr.drive(V.home)


def trip_day(V, tr, d):
    """Ramazan Bayramı trip to the home town (memleket)."""
    rng = V.rng
    T = V.trip
    town = T["place"]
    if d == T["leave_day"]:
        if T["evening"]:
            DAY_FN[V.kind](V, tr, d)
            T["left"] = max(tr.t + 1800, T["leave_t"])
        else:
            T["left"] = max(tr.t, T["leave_t"])
        tr.drive(town, T["left"], rules=CAR_RULES, via=T["via"])
        return
    if d == T["back_day"]:
        tr.drive(V.home, max(T["back_t"], tr.t + 1800), rules=CAR_RULES, via=T["via"][::-1])
        return
    if tr.pos is not town:
        return
    if d == ARIFE:
        tr.visit(T["cemetery"], at(d, 15.0) + _m(rng, 30), 45 * 60)
        tr.drive(town)
    elif d == 20:
        tr.visit(T["mosque"], max(tr.t + 600, at(d, 6.9)), 50 * 60)
        tr.drive(town)
        for rel in T["relatives"]:
            tr.visit(rel, max(tr.t + 1200, at(d, rng.uniform(10.0, 15.0))), rng.uniform(0.8, 1.8) * 3600)
        tr.drive(town)
    elif rng.random() < 0.6:
        tr.visit(_pick(rng, T["relatives"] + [T["market"]]), max(tr.t + 1800, at(d, rng.uniform(11, 16))),
                 rng.uniform(1.0, 2.5) * 3600)
        tr.drive(town)


DAY_FN = {
    "taxi_single": day_taxi_single, "taxi_two_shift": day_taxi_two_shift, "dolmus": day_dolmus,
    "staff_shuttle": day_shuttle, "shift_worker": day_shift_worker, "bosphorus_commuter": day_bosphorus,
    "ferry_park_and_ride": day_ferry, "field_sales": day_field_sales, "port_shuttle_truck": day_port_truck,
    "mersin_long_haul": day_mersin, "delivery_van": day_van, "weekend_house": day_weekend_house,
    "retiree": day_retiree, "bayram_home_town": day_commuter,
}


# --------------------------------------------------------------------------------- the vehicles
DEVICES = {  # moving interval s, parked heartbeat s, GNSS noise (1 sigma, m)
    "Teltonika FMB920": (60, 1800, 4.0),
    "Concox GT06N": (30, 3600, 8.0),
    "Ruptela FM-Eco4 light": (60, 900, 5.0),
    "Teltonika FMB640": (60, 1800, 4.0),
    "Teltonika FMC130": (60, 1800, 4.5),
    "Queclink GV500MA": (15, 10800, 6.0),
}
MAKES = {
    "taxi": ["Fiat Egea", "Hyundai i20", "Toyota Corolla", "Fiat Doblo", "Renault Clio Symbol"],
    "minibus": ["Mercedes-Benz Sprinter", "Ford Transit 14+1", "Iveco Daily"],
    "midibus": ["Isuzu Novo", "Otokar Sultan", "Mercedes-Benz Sprinter 19+1"],
    "car": ["Renault Clio", "Fiat Egea", "Toyota Corolla", "Renault Megane", "Volkswagen Passat",
            "Hyundai i20", "Dacia Duster", "Peugeot 2008", "Honda Civic", "Opel Astra"],
    "old": ["Tofaş Şahin", "Renault Broadway", "Fiat Albea", "Opel Vectra"],
    "truck": ["Ford F-Max", "Mercedes-Benz Actros 1845", "Scania R450", "Volvo FH 460"],
    "van": ["Fiat Doblo Cargo", "Ford Transit Custom", "Renault Kangoo", "Ford Transit Courier"],
}
CLASS_TR = {"taxi": "Taksi", "minibus": "Minibüs", "midibus": "Midibüs", "car": "Otomobil", "old": "Otomobil",
            "truck": "Çekici", "van": "Kamyonet"}


def _allocate(n):
    w = np.array([k[2] for k in KINDS], float)
    if n <= len(KINDS):
        return [KINDS[i][0] for i in range(n)]
    exact = w / w.sum() * n
    cnt = np.maximum(np.floor(exact).astype(int), 1)
    while cnt.sum() < n:
        cnt[np.argmax(exact - cnt)] += 1
    while cnt.sum() > n:
        cnt[np.argmax(np.where(cnt > 1, cnt - exact, -9))] -= 1
    out = []
    for (k, _, _), c in zip(KINDS, cnt):
        out += [k] * int(c)
    return out


def _plate(rng, prov, taken, taxi=False):
    while True:
        if taxi:
            p = f"{prov} T {int(rng.integers(1000, 10000))}"
        else:
            k = int(rng.choice([1, 2, 3], p=[0.2, 0.45, 0.35]))
            letters = "".join(rng.choice(PLATE_LETTERS, k))
            digits = {1: int(rng.choice([4, 5])), 2: int(rng.choice([3, 4])), 3: int(rng.choice([2, 3]))}[k]
            p = f"{prov} {letters} {int(rng.integers(10 ** (digits - 1), 10 ** digits))}"
        if p not in taken:
            taken.add(p)
            return p


def _imei(rng, taken):
    while True:
        body = "8625" + "".join(str(int(x)) for x in rng.integers(0, 10, 10))
        digits = [int(c) for c in body]
        s = 0
        for i, dgt in enumerate(digits):  # Luhn over the 14 digits
            if i % 2 == 1:
                dgt *= 2
                dgt = dgt - 9 if dgt > 9 else dgt
            s += dgt
        imei = body + str((10 - s % 10) % 10)
        if imei not in taken:
            taken.add(imei)
            return imei


def _name(rng):
    return f"{_pick(rng, FIRST)} {_pick(rng, LAST)}"


def _est_drive(a, b, kmh):
    return float(_hav(a.lat, a.lon, b.lat, b.lon)) * 1.35 / (kmh / 3.6)


def _make_trip(V, rng, days):
    region = V.city if V.city in ("ank", "izm") else "north"
    town = _pick(rng, HOMETOWNS[region])
    village = place_near(town, rng, r=15000, rmin=3000)
    r = rng.random()
    if r < 0.35:
        leave_day, evening, leave_t = 18, True, at(18, 19.5) + _m(rng, 30)
    elif r < 0.85:
        leave_day, evening, leave_t = 19, False, at(19, rng.uniform(4.5, 8.0))
    else:
        leave_day, evening, leave_t = 20, False, at(20, rng.uniform(6.5, 9.0))
    back_day = int(_pick(rng, [22, 23, 26, 27], [0.3, 0.15, 0.2, 0.35]))
    if days <= leave_day:
        return None
    return {
        "town": town, "place": village, "leave_day": leave_day, "evening": evening, "leave_t": leave_t,
        "back_day": back_day, "back_t": at(back_day, rng.uniform(7.0, 11.0)),
        "cemetery": offset_place(village, rng, 800, 3000), "mosque": place_near(town, rng, r=900),
        "relatives": [offset_place(village, rng, 1000, 12000) for _ in range(int(rng.integers(2, 4)))],
        "market": place_near(town, rng, r=1200), "via": (),
    }


def build_vehicle(i, kind, platform, rng, days, taken):
    V = Veh()
    V.idx, V.kind, V.platform, V.rng, V.days = i, kind, platform, rng, days
    V.fasting = bool(rng.random() < (0.3 if kind in TRUCKS else 0.58))
    V.home = V.work = V.second = None
    V.trip = None
    V.extra = {}
    V.vclass, V.speedf, V.body = "car", 1.0, "car"
    V.off_day = int(rng.integers(0, 7))
    priv_city = _pick(rng, ["ist_e", "ist_a", "ank", "izm", "bur", "koc"], [0.3, 0.3, 0.15, 0.12, 0.08, 0.05])
    if kind == "taxi_single":
        V.city = _pick(rng, ["ist_e", "ist_a", "ist_e", "ist_a", "ank", "izm"])
        V.body = "taxi"
        V.work = place_near(_pick(rng, list(CITY_HOT[V.city]), list(CITY_HOT[V.city].values())), rng, r=300)
        V.home = place_near(_pick(rng, CITY_HOMES[V.city]), rng)
        V.leave_h, V.back_h = rng.uniform(7.0, 9.0), rng.uniform(19.0, 21.5)
        V.off_day = int(rng.integers(0, 7))
        V.home_km = float(_hav(V.home.lat, V.home.lon, V.work.lat, V.work.lon)) / 1000
    elif kind == "taxi_two_shift":
        V.city = _pick(rng, ["ist_e", "ist_a"])
        V.body = "taxi"
        V.work = place_near(_pick(rng, list(CITY_HOT[V.city]), list(CITY_HOT[V.city].values())), rng, r=300)
        V.sahur_spot = _hot_place(V)
        V.fasting_night = bool(rng.random() < 0.5)
        V.service_day = int(rng.integers(0, days))
        V.drivers = (_name(rng), _name(rng))
    elif kind == "dolmus":
        line = DOLMUS_LINES[int(rng.integers(len(DOLMUS_LINES)))]
        V.city = line[0]
        V.body = "minibus"
        V.speedf = 0.9
        V.work = place_near(line[1], rng, r=150)
        V.term_b = place_near(line[2], rng, r=150)
        V.home = place_near(_pick(rng, CITY_HOMES[V.city]), rng)
        V.leave_h, V.back_h = rng.uniform(6.0, 6.8), rng.uniform(20.0, 21.0)
        V.off_day = 6 if rng.random() < 0.5 else int(rng.integers(0, 6))
        V.extra["line"] = f"{NODES[line[1]][2]} - {NODES[line[2]][2]}"
    elif kind in ("staff_shuttle", "shift_worker"):
        keys = list(OSBS)
        osb = _pick(rng, keys, [OSBS[k][2] for k in keys])
        V.city, res, _ = OSBS[osb]
        V.work = place_near(osb, rng, r=500)
        V.home_key = _pick(rng, res)
        V.home = place_near(V.home_key, rng)
        V.shifts = [8.0, 16.0, 24.0] if rng.random() < 0.6 else [7.0, 15.0, 23.0]
        V.long_closure = bool(rng.random() < 0.35)  # the factory joins the whole Bayram week
        if kind == "staff_shuttle":
            V.body = "midibus" if rng.random() < 0.5 else "minibus"
            V.speedf = 0.88
            # one service line: 4-6 stops in the driver's own district, collected far to near
            pool = [place_near(V.home_key, rng) for _ in range(int(rng.integers(4, 7)))]
            far = max(pool, key=lambda p: _dist(p.lat, p.lon, V.work.lat, V.work.lon))
            chain = [far]
            pool.remove(far)
            while pool:
                nxt = min(pool, key=lambda p: _dist(p.lat, p.lon, chain[-1].lat, chain[-1].lon))
                chain.append(nxt)
                pool.remove(nxt)
            V.stops = chain
            legs = [V.home] + chain + [V.work]
            V.run_s = sum(_est_drive(x, y, 24) for x, y in zip(legs[:-1], legs[1:])) + 100 * len(chain)
            n_runs = int(rng.choice([2, 3], p=[0.4, 0.6]))
            V.runs = V.shifts[:n_runs] if n_runs == 3 or rng.random() < 0.5 else V.shifts[:2]
            V.sunday = bool(rng.random() < 0.25)
            V.extra["shifts"] = [f"{int(s) % 24:02d}:00" for s in V.shifts]
        else:
            V.fixed_night = bool(rng.random() < 0.25)
            V.rot_offset = int(rng.integers(0, 3))
            V.commute_s = _est_drive(V.home, V.work, 35)
            V.extra["shift_pattern"] = "fixed_night" if V.fixed_night else "weekly_rotating"
            V.extra["shifts"] = [f"{int(s) % 24:02d}:00" for s in V.shifts]
    elif kind == "bosphorus_commuter":
        V.city = V.home_side = _pick(rng, ["ist_e", "ist_a"])
        other = "ist_a" if V.home_side == "ist_e" else "ist_e"
        V.home = place_near(_pick(rng, CITY_HOMES[V.home_side]), rng)
        V.work = place_near(_pick(rng, CITY_OFFICES[other]), rng)
        w = rng.dirichlet([4.0, 2.5, 2.0, 0.8])
        V.crossing = {k: float(x) for k, x in zip(CROSSINGS, w)}
        V.leave_h, V.back_h = rng.uniform(7.0, 8.2), rng.uniform(18.0, 19.3)
        V.saturday = bool(rng.random() < 0.2)
        V.commute_s = 75 * 60
        V.extra["crossing_mix"] = {k: round(x, 2) for k, x in V.crossing.items()}
    elif kind == "ferry_park_and_ride":
        if rng.random() < 0.75:
            V.city = "ist_a"
            V.home = place_near(_pick(rng, ["atasehir", "goztepe", "kozyatagi", "maltepe", "umraniye",
                                             "kartal"]), rng)
            V.work = place_near(_pick(rng, ["kadikoy_pier", "bostanci_pier"]), rng)
        else:
            V.city = "izm"
            V.home = place_near(_pick(rng, ["cigli_aosb", "menemen", "karsiyaka"]), rng, rmin=300)
            V.work = place_near("bostanli", rng)
        V.leave_h, V.back_h = rng.uniform(7.0, 7.9), rng.uniform(18.6, 19.5)
        V.commute_s = _est_drive(V.home, V.work, 20) + 50 * 60  # ferry + walk included
        V.extra["office_across_the_water"] = True
    elif kind == "field_sales":
        V.city = _pick(rng, ["ank", "izm", "bur", "ist_e", "ist_a", "koc"], [3, 3, 2, 1, 1, 1])
        V.home = place_near(_pick(rng, CITY_HOMES[V.city]), rng)
        V.work = place_near(_pick(rng, CITY_OFFICES[V.city]), rng)
        V.customers = [_hot_place(V) for _ in range(8)]
        V.leave_h = rng.uniform(8.0, 8.8)
    elif kind in TRUCKS:
        V.vclass, V.body, V.city = "truck", "truck", "koc"
        V.home = place_near(_pick(rng, ["dilovasi_osb", "gosb", "tosb", "tuzla"]), rng, r=400)
        V.leave_h = rng.uniform(5.3, 6.6)
        if kind == "port_shuttle_truck":
            V.work = place_near("ambarli", rng, r=250)
        else:
            V.mersin = place_near("mersin_port", rng, r=300)
            V.ambarli = place_near("ambarli", rng, r=250)
            V.trip_wd = int(rng.choice([0, 0, 1]))
            V.busy_until = 0
            V.leave_h = rng.uniform(4.5, 6.0)
    elif kind == "delivery_van":
        V.city = _pick(rng, ["ist_e", "ist_a", "bur", "izm", "ank", "koc"], [3, 2, 2, 2, 2, 1])
        V.body = "van"
        depot = {"ist_e": "esenyurt", "ist_a": "tuzla", "bur": "nilufer", "izm": "gaziemir",
                 "ank": "ostim", "koc": "gebze"}[V.city]
        V.work = place_near(depot, rng, r=500)
        V.home = place_near(_pick(rng, CITY_HOMES[V.city]), rng)
        V.customers = [_hot_place(V) for _ in range(10)]
        V.leave_h = rng.uniform(7.1, 7.7)
    else:  # private cars: weekend_house, retiree, bayram_home_town
        V.city = priv_city
        V.home = place_near(_pick(rng, CITY_HOMES[V.city]), rng)
        if kind != "retiree":
            V.work = place_near(_pick(rng, CITY_OFFICES[V.city]), rng)
            V.leave_h, V.back_h = rng.uniform(7.2, 8.6), rng.uniform(17.6, 19.0)
            V.commute_s = _est_drive(V.home, V.work, 25)
        else:
            V.body = "old" if rng.random() < 0.4 else "car"
            V.pazar_day = int(rng.integers(0, 6))
            V.pazar = offset_place(V.home, rng, 600, 2500)
            V.errands = [offset_place(V.home, rng, 400, 3000) for _ in range(3)]
            V.male = bool(rng.random() < 0.7)
        if kind == "weekend_house":
            opts = {"ist_e": ["kumburgaz", "silivri"], "ist_a": ["sile", "cinarcik"],
                    "koc": ["cinarcik", "sile"],
                    "izm": ["urla", "seferihisar", "cesme"], "ank": ["kizilcahamam", "golbasi"],
                    "bur": ["mudanya", "gemlik"]}[V.city]
            key = _pick(rng, opts)
            V.second = place_near(key, rng)
            V.house_via = ()
            V.house_back = ()
            if key == "cinarcik" and rng.random() < 0.6:  # Eskihisar - Topçular car ferry, no bridge toll
                V.house_via, V.house_back = ("eskihisar", "topcular"), ("topcular", "eskihisar")
            days_at = set()
            for wk in range(0, (days + 6) // 7):
                fri, sat, sun = 7 * wk + 4, 7 * wk + 5, 7 * wk + 6
                if fri == 18:
                    continue
                if rng.random() < 0.5:
                    days_at |= {sat, sun} | ({fri} if rng.random() < 0.4 else set())
            if rng.random() < 0.7:
                days_at |= {19, 20, 21, 22}
            V.house_days = {x for x in days_at if x < days}
            V.extra["second_home"] = V.second.ll()
            V.extra["second_home_place"] = NODES[key][2]
    # everybody: neighbourhood life
    V.other_side = {"ist_e": "ist_a", "ist_a": "ist_e"}.get(V.city, V.city)
    base = V.home or V.work
    V.relatives = [place_near(_pick(rng, CITY_HOMES[V.city]), rng) for _ in range(2)]
    V.mosque = place_near(BIG_MOSQUE[V.city], rng, r=120)
    V.mosque_local = offset_place(base, rng, 250, 900)
    V.bakery = offset_place(base, rng, 250, 800)
    if not hasattr(V, "commute_s"):
        V.commute_s = _est_drive(V.home, V.work, 30) if (V.home and V.work) else 1800
    if not hasattr(V, "leave_h"):
        V.leave_h, V.back_h = 8.0, 18.0
    if kind in MEMLEKET_P and V.home is not None and rng.random() < MEMLEKET_P[kind]:
        V.trip = _make_trip(V, rng, days)
    # metadata
    prov = PROVINCE[V.city]
    if V.body == "taxi" and V.city in ("ist_e", "ist_a"):
        V.plate = _plate(rng, prov, taken, taxi=True)
    else:
        V.plate = _plate(rng, prov, taken)
    V.make = _pick(rng, MAKES[V.body])
    V.year = int(rng.integers(2009 if V.body == "old" else 2013, 2025))
    return V


def simulate(V, days):
    start = V.home if V.home is not None else V.work
    tr = Track(start, V.rng, V.vclass, V.city, V.speedf)
    fn = DAY_FN[V.kind]
    T = V.trip
    for d in range(days):
        if T and T["leave_day"] <= d <= T["back_day"]:
            if d == T["back_day"]:
                trip_day(V, tr, d)
                T["back"] = tr.t
            else:
                trip_day(V, tr, d)
            continue
        fn(V, tr, d)
    return tr.arrays(days * DAY)


# ------------------------------------------------------------------------------------ sampling
def sample(arrs, device, days, rng):
    kt, ko, ks, vlat, vlon, vodo = arrs
    kt = np.round(kt)  # device clocks tick in whole seconds
    mv, hb, sigma = DEVICES[device]
    end = days * DAY
    a, b = kt[:-1], kt[1:]
    rate = np.where(ks == PARK, hb, np.where(ks == TUNNEL, 0, mv)).astype(float)
    ph_m, ph_h = float(rng.integers(0, mv)), float(rng.integers(0, hb))
    phase = np.where(ks == PARK, ph_h, ph_m)
    ok = (rate > 0) & (b > a) & (a < end)
    a, b, r, p = a[ok], np.minimum(b[ok], end), rate[ok], phase[ok]
    first = np.ceil((a - p) / r)
    last = np.ceil((b - p) / r) - 1
    n = np.maximum(last - first + 1, 0).astype(np.int64)
    grp = np.repeat(np.arange(len(n)), n)
    within = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    grid = p[grp] + r[grp] * (first[grp] + within)
    ign = IGN_ON[ks]
    ch = np.flatnonzero(ign[1:] != ign[:-1]) + 1
    ev = np.round(kt[ch]).astype(np.int64)
    t = np.unique(np.concatenate([np.round(grid).astype(np.int64), ev]))
    t = t[(t >= 0) & (t < end)]
    idx = np.clip(np.searchsorted(kt, t, "right") - 1, 0, len(ks) - 1)
    st = ks[idx]
    keep = st != TUNNEL
    t, idx, st = t[keep], idx[keep], st[keep]
    odo = np.interp(t, kt, ko)
    lat = np.interp(odo, vodo, vlat)
    lon = np.interp(odo, vodo, vlon)
    moving = (st == MOVE) | (st == FERRY)
    dt = np.maximum(kt[idx + 1] - kt[idx], 1.0)
    spd = np.where(moving, (ko[idx + 1] - ko[idx]) / dt * 3.6, 0.0)
    spd = np.maximum(spd * (1 + rng.normal(0, 0.07, len(t))), 0.0)
    spd[moving & (spd < 2)] = rng.uniform(2, 6, int((moving & (spd < 2)).sum()))
    event = np.isin(t, ev)
    spd[event] = 0.0  # the ignition on/off record is written standing
    brg = _bearing(vlat[:-1], vlon[:-1], vlat[1:], vlon[1:]) if len(vlat) > 1 else np.zeros(1)
    j = np.clip(np.searchsorted(vodo, odo, "right") - 1, 0, len(brg) - 1)
    hdg = np.round(brg[j] + rng.normal(0, 3, len(t))).astype(int) % 360
    sig = np.where(moving, sigma, sigma * 1.6)
    out = (~moving) & (rng.random(len(t)) < 0.04)
    sig = np.where(out, 35.0, sig)
    lat = lat + rng.normal(0, 1, len(t)) * sig / 110540
    lon = lon + rng.normal(0, 1, len(t)) * sig / (111320 * np.cos(np.radians(lat)))
    sats = np.where(moving, rng.integers(8, 16, len(t)), rng.integers(5, 13, len(t)))
    return {"t": t + T0_UTC, "lat": lat, "lon": lon, "spd": spd, "hdg": hdg, "ign": IGN_ON[st],
            "st": st, "sats": sats, "odo": odo, "event": event}


def _nearest_node(lat, lon):
    best = np.full(len(lat), np.inf, np.float32)
    arg = np.zeros(len(lat), np.int32)
    la = lat.astype(np.float32)
    lo = lon.astype(np.float32)
    for k in range(len(KEYS)):
        d2 = (la - np.float32(NLAT[k])) ** 2 + ((lo - np.float32(NLON[k])) * np.float32(0.77)) ** 2
        better = d2 < best
        best = np.where(better, d2, best)
        arg = np.where(better, k, arg)
    return arg, np.sqrt(best) * 111000


# -------------------------------------------------------------------------------------- faults
def _multipath(V, rng, p=0.006):
    P = V.p
    cand = P["st"] == MOVE
    near = np.zeros(len(P["t"]), bool)
    for k in DENSE:
        near |= _hav(P["lat"], P["lon"], NODES[k][0], NODES[k][1]) < 2000
    hit = np.flatnonzero(cand & near & (rng.random(len(P["t"])) < p))
    dist = rng.uniform(400, 1500, len(hit))
    brg = np.radians(rng.uniform(0, 360, len(hit)))
    P["lat"][hit] += dist * np.cos(brg) / 110540
    P["lon"][hit] += dist * np.sin(brg) / (111320 * np.cos(np.radians(P["lat"][hit])))
    return hit


def _null_island(V, rng, p=0.12):
    P = V.p
    on = np.flatnonzero(P["event"] & P["ign"])
    chosen = on[rng.random(len(on)) < p]
    rows = []
    for i in chosen:  # a handful per vehicle: loop over events, not pings
        k = int(rng.integers(0, 3))
        for j in range(i, min(i + k + 1, len(P["t"]))):
            if P["ign"][j] and P["t"][j] - P["t"][i] <= 120:
                rows.append(j)
    rows = np.unique(np.array(rows, np.int64))
    P["lat"][rows] = 0.0
    P["lon"][rows] = 0.0
    P["sats"][rows] = 0
    P["spd"][rows] = 0.0
    return rows


def _frozen(V, rng, days):
    P = V.p
    t = P["t"] - T0_UTC
    cand = np.flatnonzero((P["st"] == MOVE) & (t > 1 * DAY) & (t < (days - 1.5) * DAY))
    if not len(cand):
        return None
    s = int(cand[int(rng.integers(len(cand)))])
    dur = rng.uniform(8, 30) * 3600
    rows = np.flatnonzero((P["t"] >= P["t"][s]) & (P["t"] <= P["t"][s] + dur))
    P["lat"][rows] = P["lat"][s]
    P["lon"][rows] = P["lon"][s]
    P["hdg"][rows] = P["hdg"][s]
    P["sats"][rows] = 0
    return {"vehicle_id": V.vid, "start_utc": _iso_utc(P["t"][rows[0]]),
            "end_utc": _iso_utc(P["t"][rows[-1]]), "rows": int(len(rows))}


def _received(V, rng):
    """Server receive times; pings made inside a GSM hole arrive in a burst after the first live
    ping behind it, part of them twice (the device resends when the ack is lost)."""
    P = V.p
    n = len(P["t"])
    recv = np.maximum.accumulate(P["t"] + rng.integers(1, 9, n))  # one GPRS session: in order
    hole = np.zeros(n, bool)
    for la, lo, rk, _ in COVERAGE_HOLES:
        hole |= _hav(P["lat"], P["lon"], la, lo) < rk * 1000
    dup = np.zeros(0, np.int64)
    if hole.any():
        edges = np.diff(np.concatenate([[0], hole.astype(np.int8), [0]]))
        starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        dups = []
        for s, e in zip(starts, stops):  # one loop per hole passage
            if e >= n:
                continue
            k = np.arange(e - s)
            recv[s:e] = recv[e] + 1 + k // 5
            if rng.random() < 0.35 and e - s >= 3:
                m = max(1, int((e - s) * rng.uniform(0.2, 0.6)))
                a = s + int(rng.integers(0, e - s - m + 1))
                dups.append(np.arange(a, a + m))
        if dups:
            dup = np.concatenate(dups)
    V.recv = recv
    V.dup_idx = dup
    return hole


def _iso_utc(t):
    return datetime.fromtimestamp(int(t), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# ------------------------------------------------------------------------------------- writing
_TIMES = None


def _times():
    global _TIMES
    if _TIMES is None:
        s = np.arange(DAY)
        _TIMES = np.array([f"{h:02d}:{m:02d}:{x:02d}" for h, m, x in zip(s // 3600, s // 60 % 60, s % 60)],
                          dtype=object)
    return _TIMES


def _fmt_days(sec, fmt):
    u, inv = np.unique(sec // DAY, return_inverse=True)
    strs = np.array([(datetime(1970, 1, 1) + timedelta(days=int(x))).strftime(fmt) for x in u], dtype=object)
    return strs[inv]


def _place_names(lat, lon, sep):
    arg, dist = _nearest_node(lat, lon)
    names = np.array([f"{NODES[k][2]}{sep}{NODES[k][3]}" for k in KEYS], dtype=object)
    out = names[arg]
    out[(lat == 0) & (lon == 0)] = ""
    return out


_THREE = np.array([f"{i:03d}" for i in range(1000)], dtype=object)
_SMALL = np.array([str(i) for i in range(1000)], dtype=object)


def _ints(x):
    return np.asarray(x).astype(np.int64).astype(str).astype(object)


def _fixed6(x, dec):
    """Degrees with 6 decimals and the given decimal mark, built without a per-value formatter."""
    q = np.round(np.asarray(x) * 1e6).astype(np.int64)
    neg = q < 0
    q = np.abs(q)
    ip, fr = q // 1_000_000, q % 1_000_000
    out = _SMALL[ip] + dec + _THREE[fr // 1000] + _THREE[fr % 1000]
    return np.where(neg, "-" + out, out)


def _odo_tr(km):
    """Turkish number format of the odometer: 145.230,4"""
    k10 = np.round(km * 10).astype(np.int64)
    ip, dec = k10 // 10, k10 % 10
    th, rem = ip // 1000, ip % 1000
    big = _ints(th) + "." + _THREE[rem]
    return np.where(th > 0, big, _SMALL[rem]) + "," + _SMALL[dec]


def _odo_dot(km):
    k10 = np.round(km * 10).astype(np.int64)
    return _ints(k10 // 10) + "." + _SMALL[k10 % 10]


def _write_rows(fh, header, cols, sep, encoding):
    """Join pre-formatted string columns into CRLF lines (as Windows exports write them), with
    pyarrow's element-wise join instead of a Python loop over rows; fh is a binary file."""
    line = pc.binary_join_element_wise(*[pa.array(c, pa.string()) for c in cols], sep)
    line = pc.binary_join_element_wise(line, "", "\r\n")
    offs = np.frombuffer(line.buffers()[1], dtype=np.int32)[line.offset:line.offset + len(line) + 1]
    body = line.buffers()[2].to_pybytes()[offs[0]:offs[-1]]
    fh.write((sep.join(header) + "\r\n").encode(encoding))
    fh.write(body if encoding.startswith("utf") else body.decode("utf-8").encode(encoding))


TR_COLS = ["Plaka", "Tarih", "Saat", "Enlem", "Boylam", "Hız (km/sa)", "Yön", "Kontak", "Uydu Sayısı",
           "Km Sayacı", "Adres", "Sürücü"]


def write_tr(path, vehs, days):
    cols = {c: [] for c in TR_COLS}
    rows_early = {}
    for V in sorted(vehs, key=lambda v: v.vid):
        P = V.p
        wall = P["t"] + TRT
        if V.old_tz:
            early = P["t"] < EU_DST_UTC
            wall = np.where(early, P["t"] + 2 * 3600, wall)
            rows_early[V.vid] = int(early.sum())
        V.stamp = _fmt_days(wall, "%d.%m.%Y") + " " + _times()[wall % DAY]
        n = len(wall)
        cols["Plaka"].append(np.full(n, V.vid, dtype=object))
        cols["Tarih"].append(_fmt_days(wall, "%d.%m.%Y"))
        cols["Saat"].append(_times()[wall % DAY])
        cols["Enlem"].append(_fixed6(P["lat"], ","))
        cols["Boylam"].append(_fixed6(P["lon"], ","))
        cols["Hız (km/sa)"].append(_SMALL[np.round(P["spd"]).astype(np.int64)])
        cols["Yön"].append(_SMALL[P["hdg"].astype(np.int64)])
        cols["Kontak"].append(np.where(P["ign"], "Açık", "Kapalı").astype(object))
        cols["Uydu Sayısı"].append(_SMALL[P["sats"].astype(np.int64)])
        cols["Km Sayacı"].append(_odo_tr(V.odo0 + P["odo"] / 1000))
        cols["Adres"].append(_place_names(P["lat"], P["lon"], "/"))
        if V.kind == "taxi_two_shift":
            h = (P["t"] + TRT) % DAY / 3600
            drv = np.where((h >= 8) & (h < 20), V.drivers[0], V.drivers[1]).astype(object)
        else:
            drv = np.full(n, V.driver, dtype=object)
        cols["Sürücü"].append(drv)
    a = WINDOW_START.strftime("%d.%m.%Y")
    b = (WINDOW_START + timedelta(days=days - 1)).strftime("%d.%m.%Y")
    pad = ";" * (len(TR_COLS) - 1)
    with open(path, "wb") as fh:
        fh.write(f"Araç Geçmiş Konum Raporu{pad}\r\n".encode("cp1254"))
        fh.write(f"Rapor Aralığı: {a} 00:00 - {b} 23:59{pad}\r\n".encode("cp1254"))
        _write_rows(fh, TR_COLS, [np.concatenate(cols[c]) for c in TR_COLS], ";", "cp1254")
    return rows_early


EU_COLS = ["Vehicle", "Driver", "Date/time", "Received", "Latitude", "Longitude", "Speed (km/h)", "Heading",
           "Ignition", "Satellites", "Odometer (km)", "Location"]


def _iso_berlin(t):
    off = np.where(t < EU_DST_UTC, 3600, 7200)
    loc = t + off
    suffix = np.where(off == 3600, "+01:00", "+02:00").astype(object)
    return _fmt_days(loc, "%Y-%m-%d") + "T" + _times()[loc % DAY] + suffix


def write_eu(path, vehs):
    frames = []
    ooo, dups, plus = {}, {}, [0, 0]
    for V in sorted(vehs, key=lambda v: v.vid):
        P = V.p
        order = np.arange(len(P["t"]))
        idx = np.concatenate([order, V.dup_idx])
        recv = np.concatenate([V.recv, V.recv[V.dup_idx] + rng_int(V, len(V.dup_idx))])
        o = np.lexsort((idx, recv))
        idx, recv = idx[o], recv[o]
        t = P["t"][idx]
        runmax = np.maximum.accumulate(t)
        ooo[V.vid] = int((t < np.concatenate([[t[0] - 1], runmax[:-1]])).sum())
        key = pd.DataFrame({"t": t, "la": P["lat"][idx], "lo": P["lon"][idx]})
        dups[V.vid] = int(key.duplicated().sum())
        plus[0] += int((t < EU_DST_UTC).sum())
        plus[1] += int((t >= EU_DST_UTC).sum())
        n = len(idx)
        loc = _place_names(P["lat"][idx], P["lon"][idx], ", ")
        frames.append([
            np.full(n, V.vid, dtype=object), np.full(n, V.driver, dtype=object), _iso_berlin(t),
            _iso_berlin(recv), _fixed6(P["lat"][idx], "."), _fixed6(P["lon"][idx], "."),
            _SMALL[np.round(P["spd"][idx]).astype(np.int64)], _SMALL[P["hdg"][idx].astype(np.int64)],
            np.where(P["ign"][idx], "On", "Off").astype(object), _SMALL[P["sats"][idx].astype(np.int64)],
            _odo_dot(V.odo0 + P["odo"][idx] / 1000),
            np.where(loc == "", "", '"' + loc + '"')])
    with open(path, "wb") as fh:
        fh.write(b"\xef\xbb\xbf")  # UTF-8 byte-order mark, for Excel
        _write_rows(fh, EU_COLS, [np.concatenate([f[k] for f in frames]) for k in range(len(EU_COLS))], ",",
                    "utf-8")
    return ooo, dups, plus


def rng_int(V, n):
    return V.rng.integers(40, 121, n)


def write_obd(path, vehs):
    tabs = []
    for V in sorted(vehs, key=lambda v: v.vid):
        P = V.p
        t = P["t"].copy()
        if V.rollover_from is not None:
            late = t >= V.rollover_from
            V.rollover_first = int(t[late][0]) if late.any() else None
            t[late] -= ROLLOVER_DAYS * DAY
            V.rollover_rows = int(late.sum())
        V.t_written = t
        ev = np.where(P["event"] & P["ign"], "ign_on", np.where(P["event"], "ign_off",
                      np.where(P["st"] == PARK, "heartbeat", "periodic")))
        hdop = np.where(P["st"] == PARK, V.rng.uniform(0.9, 2.8, len(t)), V.rng.uniform(0.6, 1.6, len(t)))
        tabs.append(pa.table({
            "imei": pa.array(np.full(len(t), V.vid, dtype=object), pa.string()),
            "gps_time": pa.array(t * 1000, pa.timestamp("ms", tz="UTC")),
            "latitude": pa.array(np.round(P["lat"], 7), pa.float64()),
            "longitude": pa.array(np.round(P["lon"], 7), pa.float64()),
            "speed_kmh": pa.array(np.round(P["spd"], 1), pa.float32()),
            "heading_deg": pa.array(P["hdg"].astype(np.int16), pa.int16()),
            "satellites": pa.array(P["sats"].astype(np.int8), pa.int8()),
            "hdop": pa.array(np.round(hdop, 1), pa.float32()),
            "ignition": pa.array(P["ign"], pa.bool_()),
            "event": pa.array(ev.astype(object), pa.string()),
        }))
    table = pa.concat_tables(tabs)
    pq.write_table(table, path, compression="zstd", row_group_size=200_000)


# ----------------------------------------------------------------------------------------- main
def write_anatolia_fleet(folder, vehicles=120, days=28, seed=0) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    days = int(days)
    global _SUN
    _SUN = {c: [sun_times(la, lo, d) for d in range(days + 2)] for c, (la, lo) in CITY_LL.items()}
    root = np.random.default_rng([seed, 0])
    kinds = _allocate(int(vehicles))
    order = root.permutation(len(kinds))
    kinds = [kinds[i] for i in order]
    platform_of = {k: p for k, p, _ in KINDS}
    taken, taken_imei = set(), set()
    fleet = []
    for i, kind in enumerate(kinds):
        rng = np.random.default_rng([seed, 1, i])
        V = build_vehicle(i, kind, platform_of[kind], rng, days, taken)
        V.odo0 = float(rng.uniform(40_000, 420_000) if V.body in ("taxi", "minibus", "truck")
                       else rng.uniform(8_000, 190_000))
        if V.platform == "tr":
            V.vid = V.plate
        elif V.platform == "eu":
            V.vid = V.plate.replace(" ", "")
        else:
            V.vid = _imei(rng, taken_imei)
        V.driver = _name(rng) if rng.random() > 0.1 else ("Tanımsız" if V.platform == "tr" else "Unknown")
        fleet.append(V)

    # devices and who gets which planted fault
    frng = np.random.default_rng([seed, 2])
    tr_v = [V for V in fleet if V.platform == "tr"]
    eu_v = [V for V in fleet if V.platform == "eu"]
    obd_v = [V for V in fleet if V.platform == "obd"]
    perm = [tr_v[i] for i in frng.permutation(len(tr_v))]
    n_old = max(1, round(0.1 * len(perm))) if perm else 0
    n_gt = max(1, round(0.2 * len(perm))) if len(perm) > 1 else 0
    n_rup = round(0.12 * len(perm))
    for j, V in enumerate(perm):
        V.old_tz = j < n_old
        if j < n_old:
            V.device, V.firmware = "Concox GT06N", "GT06N_V2.1.2 (2015-11)"
        elif j < n_old + n_gt:
            V.device, V.firmware = "Concox GT06N", "GT06N_V3.6.0 (2019-04)"
        elif j < n_old + n_gt + n_rup:
            V.device, V.firmware = "Ruptela FM-Eco4 light", "00.02.88"
        else:
            V.device, V.firmware = "Teltonika FMB920", "03.27.14.Rev.00"
    for V in eu_v:
        V.old_tz = False
        V.device = "Teltonika FMB640" if V.kind in TRUCKS else "Teltonika FMC130"
        V.firmware = "03.28.04.Rev.00" if V.kind in TRUCKS else "03.27.15.Rev.02"
    frozen_ids = set()
    trucks = [V for V in eu_v if V.kind in TRUCKS] or eu_v
    if trucks:
        for j in frng.permutation(len(trucks))[:max(1, round(len(eu_v) / 10))]:
            frozen_ids.add(trucks[j].vid)
    roll_ids = {}
    if obd_v:
        for j in frng.permutation(len(obd_v))[:max(1, round(len(obd_v) / 17))]:
            d0 = float(frng.uniform(2, max(2.5, min(days - 1, 16))))
            roll_ids[obd_v[j].vid] = T0_UTC + int(d0 * DAY)
    for V in obd_v:
        V.old_tz = False
        V.device = "Queclink GV500MA"
        V.rollover_from = roll_ids.get(V.vid)
        V.rollover_first = None
        V.firmware = "GV500MA R01.03 (2017)" if V.rollover_from else "GV500MA R02.11"

    # lives -> pings -> faults
    spikes, nulls, frozen = {}, {}, []
    for V in fleet:
        arrs = simulate(V, days)
        V.p = sample(arrs, V.device, days, V.rng)
        if V.platform in ("tr", "obd"):
            hit = _multipath(V, V.rng)
            if len(hit):
                spikes[V.vid] = hit
        if V.device == "Concox GT06N":
            rows = _null_island(V, V.rng)
            if len(rows):
                nulls[V.vid] = int(len(rows))
        if V.vid in frozen_ids:
            ep = _frozen(V, V.rng, days)
            if ep:
                frozen.append(ep)
        if V.platform == "eu":
            _received(V, V.rng)

    a = WINDOW_START.strftime("%d.%m.%Y")
    b = (WINDOW_START + timedelta(days=days - 1)).strftime("%d.%m.%Y")
    f_tr = FILE_TR.format(a=a, b=b)
    f_eu = FILE_EU.format(a=WINDOW_START.strftime("%Y-%m-%d"),
                          b=(WINDOW_START + timedelta(days=days - 1)).strftime("%Y-%m-%d"))
    files = {"tr": f_tr, "eu": f_eu, "obd": FILE_OBD}
    rows_early = write_tr(folder / f_tr, tr_v, days) if tr_v else {}
    ooo, dups, plus = write_eu(folder / f_eu, eu_v) if eu_v else ({}, {}, [0, 0])
    if obd_v:
        write_obd(folder / FILE_OBD, obd_v)

    spike_rows = {f_tr: [], FILE_OBD: []}
    for V in fleet:
        if V.vid not in spikes:
            continue
        for i in spikes[V.vid]:
            if V.platform == "tr":
                spike_rows[f_tr].append([V.vid, str(V.stamp[i])])
            else:
                spike_rows[FILE_OBD].append([V.vid, _iso_utc(V.t_written[i])])

    # truth, labels, vehicles
    lrng = np.random.default_rng([seed, 3])
    truth_v, label_rows, wrong = {}, [], []
    for V in fleet:
        rec = {"home": V.home.ll() if V.home else None, "work": V.work.ll() if V.work else None,
               "kind": V.kind, "platform": V.platform, "file": files[V.platform], "city": V.city,
               "fasting_in_ramadan": V.fasting}
        if V.trip and "left" in V.trip:
            T = V.trip
            rec["bayram_trip"] = {
                "town": NODES[T["town"]][2], "place": T["place"].ll(),
                "left_local": _iso_local(T["left"]),
                "back_home_local": _iso_local(T["back"]) if T.get("back", 1e18) < days * DAY else None}
        else:
            rec["bayram_trip"] = None
        rec.update(V.extra)
        truth_v[V.vid] = rec
    ids = [V.vid for V in fleet]
    chosen = set(lrng.permutation(len(fleet))[:round(0.75 * len(fleet))].tolist())
    for j, V in enumerate(fleet):
        if j not in chosen:
            continue
        for lab, p in (("home", V.home), ("work", V.work)):
            if p is not None:
                q = offset_place(p, lrng, 15, 60)
                label_rows.append([V.vid, lab, q.lat, q.lon])
    n_wrong = max(1, round(0.05 * len(label_rows))) if label_rows else 0
    for k in lrng.permutation(len(label_rows))[:n_wrong]:
        vid, lab, la, lo = label_rows[k]
        V = fleet[ids.index(vid)]
        other = V.work if lab == "home" else V.home
        r = lrng.random()
        if other is not None and r < 0.35 and _dist(la, lo, other.lat, other.lon) > 1000:
            q = offset_place(other, lrng, 15, 60)
            why = "home and work swapped by the analyst"
        elif r < 0.7:
            q = offset_place(Place(la, lo, 0), lrng, 3000, 25000)
            why = "geocoded to a namesake mahalle in another district"
        else:
            q = offset_place(Place(la, lo, 0), lrng, 1500, 6000)
            why = "old address (the driver moved)"
        label_rows[k] = [vid, lab, q.lat, q.lon]
        wrong.append({"vehicle_id": vid, "label": lab, "why": why})
    wrong.sort(key=lambda w: (w["vehicle_id"], w["label"]))
    lab_df = pd.DataFrame(label_rows, columns=["vehicle_id", "label", "lat", "lon"])
    lab_df["lat"] = lab_df["lat"].round(6)
    lab_df["lon"] = lab_df["lon"].round(6)
    lab_df.to_csv(folder / "labels.csv", index=False, lineterminator="\n")

    sim = ["Turkcell", "Vodafone TR", "Türk Telekom"]
    vrows = []
    for V in sorted(fleet, key=lambda v: (v.platform, v.vid)):
        vrows.append({"vehicle_id": V.vid, "platform": {"tr": "FiloTakip (TR)", "eu": "EuroFleet Online (DE)",
                                                          "obd": "Kasko OBD pilot"}[V.platform],
                      "export_file": files[V.platform], "plate": V.plate, "province_code": V.plate[:2],
                      "vehicle_class": CLASS_TR[V.body], "make_model": V.make, "model_year": V.year,
                      "device_model": V.device, "firmware": V.firmware,
                      "sim_operator": sim[int(V.idx * 7 + seed) % 3]})
    pd.DataFrame(vrows).to_csv(folder / "vehicles.csv", index=False, lineterminator="\n")

    faults = {
        "old_tz_table": {
            "file": f_tr, "vehicles": sorted(rows_early),
            "rule": "wall clock = UTC+2 before 2025-03-30T01:00Z, UTC+3 after (EET/EEST table of 2015)",
            "switch_utc": "2025-03-30T01:00:00Z", "rows_one_hour_early": rows_early},
        "null_island": {"file": f_tr, "rows": dict(sorted(nulls.items()))},
        "multipath_spike": {"rows": spike_rows, "count": sum(len(v) for v in spike_rows.values())},
        "gps_week_rollover": {
            "file": FILE_OBD, "shift_days": -ROLLOVER_DAYS,
            "vehicles": {V.vid: {"from_utc": _iso_utc(V.rollover_first), "rows": V.rollover_rows}
                         for V in sorted(obd_v, key=lambda v: v.vid) if V.rollover_first is not None}},
        "frozen_fix": {"file": f_eu, "episodes": sorted(frozen, key=lambda e: e["vehicle_id"])},
        "buffered_resend": {"file": f_eu, "out_of_order_rows": {k: v for k, v in sorted(ooo.items()) if v},
                            "duplicate_rows": {k: v for k, v in sorted(dups.items()) if v}},
        "server_zone_cet_cest": {"file": f_eu, "rows_plus01": plus[0], "rows_plus02": plus[1],
                                 "switch_utc": "2025-03-30T01:00:00Z"},
        "tunnel_gaps": {"tunnels": ["Avrasya Tüneli (İstanbul)", "Bolu Dağı Tüneli (O-4)"],
                        "note": "no fix and no row while inside"},
    }
    truth = {"vehicles": dict(sorted(truth_v.items())), "wrong_labels": wrong, "faults": faults,
             "tz": "Europe/Istanbul",
             "window_local": [WINDOW_START.strftime("%Y-%m-%d"),
                              (WINDOW_START + timedelta(days=days - 1)).strftime("%Y-%m-%d")]}
    with open(folder / "truth.json", "w", encoding="utf-8") as fh:
        json.dump(truth, fh, ensure_ascii=False, indent=1, sort_keys=False)
        fh.write("\n")
    return folder


def _iso_local(t_rel):
    return (WINDOW_START + timedelta(seconds=int(t_rel))).strftime("%Y-%m-%dT%H:%M:%S")


def main(argv=None):
    ap = argparse.ArgumentParser(description="Write the 'anatolia' synthetic fleet (Turkey, Ramadan 2025).")
    ap.add_argument("out")
    ap.add_argument("--vehicles", type=int, default=120)
    ap.add_argument("--days", type=int, default=28)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    print(write_anatolia_fleet(a.out, vehicles=a.vehicles, days=a.days, seed=a.seed))


if __name__ == "__main__":
    main()
