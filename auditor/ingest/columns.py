"""Which source column holds which field, and what kind of file it is.

Source headers vary (``Latitude``, ``lng``, ``VehicleID``); we match them case-insensitively
against a small alias table, and ``--map FIELD=COLUMN`` overrides the guess."""
from __future__ import annotations

import re
from typing import Mapping, Optional, Sequence

from auditor.errors import UserError

FIELDS = ("vehicle_id", "timestamp", "lat", "lon", "speed_mps", "heading_deg", "trip_id", "label",
          "home_lat", "home_lon", "work_lat", "work_lon", "point", "lat_hemisphere",
          "lon_hemisphere", "date", "time_of_day", "row_zone", "received_time", "fix_type",
          "fix_valid", "accuracy_m")
# the hemisphere of unsigned coordinates in a column of its own (N/S, E/W: NMEA sentences,
# EXIF's GPSLatitudeRef, many trackers' exports): without it a Chicago fleet read as east
# longitudes parked in Xinjiang (rows.lat_lon)
HEMISPHERES = ("lat_hemisphere", "lon_hemisphere")
# one column holding both coordinates ('POINT(13.40 52.52)' from a GIS export, '52.52,13.40'):
# read as lat and lon when the file has no such columns (rows.lat_lon)
POINT = "point"
# labels written one row per vehicle, a column pair per label (home_lat, home_lon, work_lat,
# work_lon): read as one label row per pair given
WIDE_LABELS = {"home": ("home_lat", "home_lon"), "work": ("work_lat", "work_lon")}
KINDS = ("pings", "labels", "vehicles")
REQUIRED = {
    "pings": ("vehicle_id", "timestamp", "lat", "lon"),
    "labels": ("vehicle_id", "label", "lat", "lon"),
    "vehicles": ("vehicle_id",),
}
# Fields each kind reads; vehicles keep every other column as metadata.
USED = {
    "pings": ("vehicle_id", "timestamp", "date", "time_of_day", "lat", "lon", "point",
              "speed_mps", "heading_deg", "trip_id", "row_zone", "received_time", "fix_type",
              "fix_valid", "accuracy_m") + HEMISPHERES,
    "labels": ("vehicle_id", "label", "lat", "lon", "point", "home_lat", "home_lon", "work_lat",
               "work_lon") + HEMISPHERES,
    "vehicles": ("vehicle_id",),
}
# Headers other exporters write (trackers, telematics platforms, AIS): unambiguous names only —
# no bare 'date' or 'id'. A speed column in any unit: the import finds the unit by the
# speeds between fixes, else by its name (speed.py)

# Arabic yeh and kaf typed for Persian's (an Arabic keyboard), a zero-width non-joiner
_ARABIC_SPELLINGS = str.maketrans({"\u064a": "\u06cc", "\u0643": "\u06a9", "\u200c": "_"})

ALIASES = {
    "vehicle_id": ("vehicle_id", "vehicleid", "vehicle", "vehicle_no", "vin", "vehicle_number",
                   "device_id", "deviceid", "device", "unit_id", "unitid", "asset_id",
                   "assetid", "asset", "asset_name", "asset_no", "asset_number", "tracker_id",
                   "imei", "mmsi", "unit_number", "unit_no", "vehicle_uuid", "device_uuid",
                   "asset_uuid",
                   # registration plates and vehicle numbers as exports abroad head them
                   "plate", "license_plate", "licence_plate", "registration", "immatriculation",
                   "kennzeichen", "fahrzeug", "fahrzeug_id", "fahrzeugnummer",
                   "nr_rejestracyjny", "numer_rejestracyjny", "rejestracja", "pojazd", "spz",
                   "plaka", "plaka_no", "araç", "arac", "araç_plakası",
                   "registrační_značka", "vozidlo",
                   "placa", "placas", "patente", "dominio", "matricula",
                   "matrícula", "targa", "kenteken",
                   "kjøretøy", "køretøj", "fordon", "regnr", "reg_nr", "registreringsnummer",
                   "車両番号", "車両id", "車番", "ナンバー", "车牌号", "车牌", "车辆编号",
                   "设备号", "设备编号", "终端号", "终端编号", "госномер", "гос_номер", "гос.номер",
                   "гос._номер", "номер_тс", "объект", "транспортное_средство", "тс",
                   "車牌號碼", "차량번호",
                   "car", "car_id", "car_no", "car_number", "plate_no", "plate_number",
                   "vehicle_plate", "truck_id", "bus_id", "uniqueid", "unique_id",
                   "پلاک", "شماره_پلاک", "پلاک_خودرو", "خودرو", "اللوحة", "رقم_اللوحة",
                   "المركبة", "رقم_المركبة",
                   # a ride-hailing or phone-app export tracks the driver's phone: the driver
                   # is the vehicle (a file with a vehicle column as well uses that: last)
                   "driver_id", "driverid", "driver_uuid", "phone", "phone_number", "msisdn"),
    "timestamp": ("timestamp", "time", "datetime", "date_time", "date/time", "ts", "time_utc",
                  "timestamp_utc", "time_stamp", "utc_time", "datetime_utc", "gps_time",
                  "fix_time", "fixtime", "devicetime", "device_time", "event_time", "recorded_at",
                  "basedatetime", "base_date_time",
                  "time_ms", "timestamp_ms", "ts_ms", "epoch_ms", "epoch", "epoch_time",
                  "unix_time", "unixtime", "time_s", "epoch_s",
                  "horodatage", "date_heure", "zeitstempel", "datum_zeit", "data_hora",
                  "fecha_hora", "data_ora", "tijdstip", "tidspunkt", "tidsstempel",
                  "tidsstämpel", "tidpunkt", "日時", "日付時刻", "タイムスタンプ",
                  "时间", "时间戳", "定位时间", "일시", "collect_time", "collection_time",
                  "report_time", "sample_time", "位置时间", "gps时间", "время", "дата_и_время",
                  "дата_время"),
    # the date and the time of day in columns of their own, joined into one (date_time.py);
    # a 'time' column beside a 'date' one is the time of day when its values say so
    "date": ("date", "datum", "fecha", "дата", "data", "tarih", "تاریخ", "التاريخ", "date_utc", "utc_date",
             "gps_date", "fix_date",
             "date_local", "local_date"),
    "time_of_day": ("time_of_day", "uhrzeit", "zeit", "hora", "heure", "ora", "tijd",
                    "godzina", "czas", "čas", "saat", "ساعت",
                    "الوقت", "الساعة",
                    "time_local", "local_time"),
    # (_e7: degrees x 10^7 as integers, read as degrees: is_e7)
    "lat": ("lat", "latitude", "lat_deg", "latitude_deg", "gps_lat", "gps_latitude", "lat_e7",
            "latitude_e7", "latitud", "широта", "szerokość", "szerokosc", "enlem",
            "szerokość_geograficzna", "šířka", "zeměpisná_šířka", "عرض_جغرافیایی", "عرض", "خط_العرض",
            "breitengrad", "breite", "geogr_breite",
            "breddegrad", "breddgrad", "緯度",
            "纬度", "위도"),
    "lon": ("lon", "lng", "long", "longitude", "lon_deg", "lng_deg", "longitude_deg", "gps_lon",
            "gps_lng", "gps_longitude", "lon_e7", "lng_e7", "longitude_e7", "longitud", "долгота", "boylam",
            "długość", "dlugosc",
            "długość_geograficzna", "délka", "zeměpisná_délka",
            "طول_جغرافیایی", "طول", "خط_الطول",
            "längengrad", "laengengrad", "länge", "laenge", "geogr_länge",
            "lengdegrad", "længdegrad", "längdgrad", "経度", "经度", "경도"),
    "speed_mps": ("speed_mps", "speed", "spd", "speed_ms", "speed_m/s", "speed_kmh", "speed_kph",
                  "speed_km/h", "speed_mph", "speed_knots", "velocity", "vitesse",
                  "geschwindigkeit", "velocidad", "velocidade", "velocità", "velocita",
                  "snelheid", "hastighet", "hastighed", "скорость", "prędkość", "predkosc", "hız", "hiz",
                  "rychlost", "kmh", "kph", "mph",
                  "速度",
                  "车速", "سرعت", "السرعة",
                  "속도"),
    "heading_deg": ("heading_deg", "heading", "course", "bearing", "brg", "cog", "rumbo", "cap",
                    "kurs", "direção", "direcao", "rotta", "方向", "方位", "курс", "направление",
                    "yön", "yon", "kierunek", "směr",
                    "جهت", "الاتجاه"),
    # each row's zone beside naive stamps ('Time Zone': CST/CDT, an ELD log's home-terminal
    # clock; 'UTC+03:00'; an IANA name): row_zones.py
    "row_zone": ("time_zone", "timezone", "tz", "tz_name", "zone_abbr", "tz_abbr",
                 "time_zone_abbr", "utc_offset", "tz_offset", "timezone_offset", "zona_horaria",
                 "huso_horario", "fuseau_horaire", "zeitzone", "fuso_horário", "fuso_horario",
                 "часовой_пояс"),
    # when the platform received each fix, beside the device's own GPS time: it shows a
    # device whose week counter rolled over (clock_resets.rolled_over_by_received)
    "received_time": ("received_time", "receive_time", "received_at", "time_received",
                      "recv_time", "server_time", "servertime", "server_received_time", "upload_time",
                      "recibido", "received", "alınma_zamanı",
                      "fecha_recepcion", "fecha_recepción", "empfangen", "reçu", "recebido",
                      "接收时间", "上报时间", "受信日時", "время_получения",
                      "время_приема", "время_приёма"),
    # how each fix was found: satellites, wifi or cell towers ('Positioning': GPS / LBS; 定位类型:
    # 卫星 / 基站) — cell positions are refused (rows.COARSE_FIXES)
    "fix_type": ("fix_type", "positioning", "positioning_type", "position_type", "location_type",
                 "location_source", "position_source", "pos_type", "fix_mode", "provider",
                 "location_provider", "prov", "定位类型",
                 "定位方式", "定位模式", "測位方式", "tipo_posicion", "tipo_de_posicion"),
    # whether the device had a fix: without one it repeats its last position (Traccar's
    # 'valid', a T-Box's gps_valid; 定位状态 定位 / 未定位) — refused where the vehicle moved on
    # meanwhile (rows.stale_while_moving)
    "fix_valid": ("fix_valid", "valid", "gps_valid", "is_valid", "validity", "valid_fix",
                  "position_valid", "gps_fix_valid", "定位状态", "定位有效"),
    # the fix's stated horizontal accuracy in metres (Android, Traccar): decides over a fix
    # type where both are given (rows.COARSE_ACCURACY_M)
    "accuracy_m": ("accuracy_m", "accuracy", "horizontal_accuracy", "h_accuracy", "hacc",
                   "position_accuracy", "gps_accuracy", "location_accuracy", "acc",
                   "accuracy_meters", "precision_m"),
    "trip_id": ("trip_id", "tripid", "trip"),
    "label": ("label", "place_label"),
    "point": ("point", "geom", "geometry", "the_geom", "wkt", "location", "position", "coordinates",
              "coords", "latlon", "lat_lon", "latlng", "lat_lng", "lat_long"),
    "lat_hemisphere": ("lat_hemisphere", "latitude_hemisphere", "ns", "n/s", "n_s", "lat_dir",
                       "lat_direction", "latitude_direction", "lat_ref", "latitude_ref",
                       "gpslatituderef", "north_south"),
    "lon_hemisphere": ("lon_hemisphere", "longitude_hemisphere", "ew", "e/w", "e_w", "lon_dir",
                       "lon_direction", "longitude_direction", "lon_ref", "longitude_ref",
                       "gpslongituderef", "east_west"),
    **{f"{kind}_{axis}": tuple(f"{kind}{sep}{a}" for a in names for sep in ("_", ""))
       + tuple(f"{a}_{kind}" for a in names)
       for kind in WIDE_LABELS for axis, names in (("lat", ("lat", "latitude")),
                                                  ("lon", ("lon", "lng", "long", "longitude")))},
}
# (written as a header is compared: one spelling of Arabic and Persian letters)
ALIASES = {f: tuple(a.translate(_ARABIC_SPELLINGS) for a in names)
           for f, names in ALIASES.items()}


# a vehicles file's timezone column, stored under the metadata key 'timezone' (rows.vehicles);
# 'zone' alone is too often a sales or delivery zone
ZONE_ALIASES = ("timezone", "time_zone", "tz", "tzid", "tz_name", "timezone_name",
                "iana_timezone", "iana_tz", "olson_timezone")




def normalise(name: str) -> str:
    """Header text -> comparable key: case, BOM, spaces, dashes and brackets do not matter
    ('Speed (km/h)' is speed_km/h), and camelCase words are words ('gpsTime' is gps_time,
    'latE7' lat_e7, as a platform's API names them)."""
    name = name.replace("\ufeff", "").translate(_ARABIC_SPELLINGS).strip()
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    key = re.sub(r"[\s\-()\[\]]+", "_", text.lower())
    key = re.sub(r"_+", "_", key)
    return key.strip("_") or key


def is_e7(column: Optional[str]) -> bool:
    """A coordinate column whose name says it holds degrees x 10^7 as integers ('latE7')."""
    return column is not None and normalise(column).endswith("_e7")


def zone_column(columns: Sequence[str]) -> Optional[str]:
    """Which of a vehicles file's columns holds each vehicle's timezone: an exact 'timezone',
    else the first of ZONE_ALIASES (matched as other headers are)."""
    if "timezone" in columns:
        return "timezone"
    spelled = sorted((ZONE_ALIASES.index(normalise(c)), i) for i, c in enumerate(columns)
                     if normalise(c) in ZONE_ALIASES)
    return columns[spelled[0][1]] if spelled else None


def parse_map(items: Optional[Sequence[str]]) -> dict[str, str]:
    """``["lat=LAT", ...]`` from the command line -> ``{"lat": "LAT"}``."""
    out: dict[str, str] = {}
    for item in items or ():
        field, sep, column = item.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise UserError(f"--map {item!r}: expected FIELD=COLUMN, e.g. --map lat=LATITUDE")
        out[field.strip()] = column.strip()
    return out


def resolve(columns: Sequence[str], column_map: Optional[Mapping[str, str]], file: str) -> dict:
    """{field: source column} for every field found (mapped first, then by alias)."""
    present = ", ".join(columns) or "(none)"
    found: dict[str, str] = {}
    for field, column in (column_map or {}).items():
        if field not in FIELDS:
            raise UserError(f"{file}: --map {field}={column}: unknown field '{field}' — "
                            f"use one of {', '.join(FIELDS)}")
        match = column if column in columns else next(
            (c for c in columns if c.strip().lower() == column.strip().lower()), None)
        if match is None:
            raise UserError(f"{file}: --map {field}={column}: no column '{column}' in the file — "
                            f"columns present: {present}")
        found[field] = match
    taken = set(found.values())
    keys = {c: normalise(c) for c in columns}
    for field, aliases in ALIASES.items():
        if field in found:
            continue
        for alias in aliases:  # alias order decides between e.g. 'lat' and 'latitude'
            match = next((c for c in columns if keys[c] == alias and c not in taken), None)
            if match is None and field in TIME_FIELDS:  # 'timestamp_jst', 'Date (local)'
                match = next((c for c in columns if _without_zone(keys[c]) == alias
                              and c not in taken), None)
            if match is None and field == "speed_mps":  # 'Hastighet (km/t)', 'Vitesse (km/h)'
                match = next((c for c in columns if _without_unit(keys[c]) == alias
                              and c not in taken), None)
            if match is None:  # 'gps_epoch_ms', 'device_imei': the source named first
                match = next((c for c in columns if _without_source(keys[c]) == alias
                              and c not in taken), None)
            if match is None:  # 'position.lat': a nested JSON field, flattened (jsonl.py)
                match = next((c for c in columns if "." in keys[c] and
                              keys[c].rpartition(".")[2] == alias and c not in taken), None)
            if match is not None:
                found[field] = match
                taken.add(match)
                break
    return found


TIME_FIELDS = ("timestamp", "date", "time_of_day", "received_time")
# words a time column's header may end in to say which clock it is on ('timestamp_jst',
# 'gps_time_utc', 'Date (local)'); which zone naive stamps are in is --tz's to say
_CLOCK_WORDS = frozenset(
    "utc gmt z local lt jst kst hkt sgt cst est edt cdt mst mdt pst pdt akst hst cet cest eet "
    "eest wet west bst ist msk aest aedt acst acdt awst nzst nzdt brt art wib ict pht".split()
    # and the units of an epoch ('timestamp_us', 'time_millis'): the values' size says which
    + "s sec secs seconds ms msec millis milliseconds us usec micros microseconds ns nanos "
      "nanoseconds".split())


# words a header may start with to name where a value came from, not what it is
_SOURCE_WORDS = ("gps_", "fix_", "device_", "tracker_")


def _without_source(key: str) -> str:
    for word in _SOURCE_WORDS:
        if key.startswith(word) and len(key) > len(word):
            return key[len(word):]
    return key


_SPEED_UNITS = frozenset("km/h km/t km/sa kmh kph mph m/s ms knots kn kt kts км/ч 公里/小时".split())


def _without_unit(key: str) -> str:
    head, _, word = key.rpartition("_")
    return head if head and word in _SPEED_UNITS else key


def _without_zone(key: str) -> str:
    head, _, word = key.rpartition("_")
    return head if head and word in _CLOCK_WORDS else key


def wide_labels(found: Mapping[str, str]) -> list[str]:
    """The labels a file written one row per vehicle gives a column pair each ('home', 'work'):
    [] for a file with a label column (the long form wins) or no such pair."""
    if "label" in found:
        return []
    return [label for label, pair in WIDE_LABELS.items() if all(f in found for f in pair)]


def missing_fields(kind: str, found: Mapping[str, str]) -> list[str]:
    """The fields ``kind`` needs that ``found`` lacks; labels in wide form need the vehicle id
    and both columns of each pair they start."""
    if kind == "labels" and "label" not in found and any(
            f in found for pair in WIDE_LABELS.values() for f in pair):
        half = [f for pair in WIDE_LABELS.values() if any(x in found for x in pair)
                for f in pair if f not in found]
        return [f for f in ("vehicle_id",) if f not in found] + half
    has = set(found) | ({"lat", "lon"} if POINT in found else set()) \
        | ({"timestamp"} if {"date", "time_of_day"} <= set(found) else set())
    return [f for f in REQUIRED[kind] if f not in has]


LABEL_SHARE = 0.8  # of a column's values home or work: it is the labels' label column


def label_values_column(values_by_column: Mapping[str, Sequence],
                        found: Mapping[str, str]) -> Optional[str]:
    """A file whose header looked like vehicle metadata but has lat, lon and a column whose
    values (a sample of its first rows) are mostly home or work — a labels file whose label
    column is called 'type', 'category', 'place': that column's name. None otherwise."""
    import math

    from auditor.classes import GIVEN_LABELS
    if "lat" not in found or "lon" not in found:
        return None
    for name, values in values_by_column.items():
        if name in found.values():
            continue
        texts = [str(v).strip().lower() for v in values
                 if v is not None and not (isinstance(v, float) and math.isnan(v))]
        texts = [t for t in texts if t]
        if texts and sum(t in GIVEN_LABELS for t in texts) >= LABEL_SHARE * len(texts):
            return name
    return None


def guess_kind(found: Mapping[str, str]) -> Optional[str]:
    """What a file holds, from the fields found in its header (None: cannot tell)."""
    if "timestamp" in found or {"date", "time_of_day"} <= set(found):
        return "pings"
    if "label" in found or wide_labels(found):
        return "labels"
    if "vehicle_id" in found:
        return "vehicles"
    return None


def decide_kind(found: Mapping[str, str], kind: Optional[str], columns: Sequence[str],
                file: str) -> str:
    """The given kind, or a guess from the columns; the kind's required fields must exist."""
    present = ", ".join(columns) or "(none)"
    if kind is None:
        kind = guess_kind(found)
        if kind is None:
            raise UserError(f"{file}: cannot tell pings, labels or vehicles apart — no vehicle_id, "
                            f"timestamp or label column (columns present: {present}); "
                            "rename a column or pass --map FIELD=COLUMN and --kind")
    elif kind not in KINDS:
        raise UserError(f"--kind {kind}: use one of {', '.join(KINDS)}")
    missing = missing_fields(kind, found)
    if missing:
        raise UserError(f"{file}: no {' / '.join(missing)} column for {kind} "
                        f"(columns present: {present}) — rename it or pass --map "
                        f"{missing[0]}=COLUMN"
                        + (", or --vehicle ID when the file is one vehicle's (--vehicle "
                           "'{file}': each file's own, named after it)"
                           if missing == ["vehicle_id"] else ""))
    return kind


# ---- columns named in no alias, told by their values (a suggestion the user confirms)
_DATE_TIME = re.compile(r"^\s*(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})"
                        r"[ T]\d{1,2}:\d{2}")
# epoch seconds from 2000 to 2100, and the same in milliseconds
_EPOCH = ((946_684_800, 4_102_444_800), (946_684_800_000, 4_102_444_800_000))
SURE_SHARE = 0.9  # of a column's sampled values that must look the part


def _number(value) -> Optional[float]:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")  # a decimal comma
        try:
            return float(text)
        except ValueError:
            return None
    return None


def _looks(values: Sequence, test) -> bool:
    seen = [v for v in values if v is not None and str(v).strip() not in ("", "nan", "NaN")]
    return bool(seen) and sum(bool(test(v)) for v in seen) >= SURE_SHARE * len(seen)


def _is_time(value) -> bool:
    import datetime as dt
    if isinstance(value, dt.datetime):
        return True
    if isinstance(value, str) and _DATE_TIME.match(value):
        return True
    x = _number(value)
    return x is not None and any(lo <= x <= hi for lo, hi in _EPOCH)


def _fine(x: float, decimals: int) -> bool:
    """Written to ``decimals`` or more: a fix's coordinate (4 decimals, 11 m), not a speed."""
    scale = 10 ** (decimals - 1)
    return abs(x * scale - round(x * scale)) > 1e-6


def _coordinate_span(values: Sequence, decimals: int) -> Optional[float]:
    """The largest |value| of a column of degrees written to ``decimals`` or more; None if it
    is not one."""
    if not _looks(values, lambda v: _number(v) is not None):
        return None
    numbers = [x for x in map(_number, values) if x is not None]
    if sum(_fine(x, decimals) for x in numbers) < SURE_SHARE * len(numbers) \
            or max(map(abs, numbers)) > 180:
        return None
    return max(map(abs, numbers))


def fields_from_values(values_by_column: Mapping[str, Sequence], found: Mapping[str, str],
                       decimals: int = 4) -> dict[str, str]:
    """{field: column} for the pings fields (vehicle_id, timestamp, lat, lon) that no header
    named, told by a sample of each column's values — only where exactly one column fits:
    date-times or epoch numbers for the timestamp; two columns of degrees with ``decimals``
    or more (pings: 4; a labels file may be rounded, 1) for lat and lon (the one beyond 90 is
    lon, else lat comes first, as most files write them); the one other column of text or
    whole numbers for the vehicle id. Headers in another language ('Zeitstempel',
    'Breitengrad') are the case; a guess is offered (the terminal's error, the wizard's
    columns page), never applied unseen."""
    taken = set(found.values())
    free = {c: list(v) for c, v in values_by_column.items() if c not in taken}
    out: dict[str, str] = {}
    if "timestamp" not in found:
        times = [c for c, v in free.items() if _looks(v, _is_time)]
        if len(times) == 1:
            out["timestamp"] = times[0]
    if "lat" not in found and "lon" not in found and POINT not in found:
        coords = {c: s for c, v in free.items() if c not in out.values()
                  and (s := _coordinate_span(v, decimals)) is not None}
        if len(coords) == 2:
            first, second = coords
            if coords[first] > 90 >= coords[second]:
                first, second = second, first
            if not (coords[first] > 90 and coords[second] > 90):
                out["lat"], out["lon"] = first, second
    if "vehicle_id" not in found:
        used = set(out.values())
        ids = [c for c, v in free.items() if c not in used
               and _looks(v, lambda x: (x_ := _number(x)) is None or x_ == round(x_))
               and not _looks(v, _is_time)]
        if len(ids) == 1:
            out["vehicle_id"] = ids[0]
    return out


def suggest_by_values(values_by_column: Mapping[str, Sequence], fields: Mapping[str, str],
                      kind: Optional[str]) -> tuple[Optional[str], dict[str, str]]:
    """(kind, {field: column}) for the fields a file's kind lacks, told by the first rows'
    values (``fields_from_values``; a label column by its home / work values): the given kind,
    else pings if a timestamp column is found, labels if a label column is. Only when they
    supply every missing field; else (kind, {})."""
    guessed = fields_from_values(values_by_column, fields)
    label = None if "label" in fields else label_values_column(
        values_by_column, {**fields, **fields_from_values(values_by_column, fields, decimals=1)})
    if label is not None:  # labels (perhaps rounded): guess again with the label column known
        guessed = {"label": label, **fields_from_values(
            values_by_column, {**fields, "label": label}, decimals=1)}
    known = {**fields, **guessed}
    want = kind or ("pings" if "timestamp" in known or {"date", "time_of_day"} <= set(known)
                    else "labels" if label is not None else None)
    if want not in ("pings", "labels"):
        return kind, {}
    missing = missing_fields(want, fields)
    if not missing or not set(missing) <= set(guessed):
        return kind, {}
    return want, {f: guessed[f] for f in REQUIRED[want] if f in missing}


def map_options(guessed: Mapping[str, str]) -> str:
    """'--map lat=Breitengrad --map lon=Längengrad' (quoted for a shell where needed)."""
    import shlex
    return " ".join(f"--map {shlex.quote(f'{f}={c}')}" for f, c in guessed.items())
