"""Source chunk -> typed rows of one kind, with the reasons a row can be refused on its own.

Rules that need other rows (duplicates, jumps) run later, in kinds.py, with project context."""
from __future__ import annotations

import json
import re
import zoneinfo
from typing import Mapping, Optional

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from auditor.errors import UserError
from auditor.geo import haversine_m
from auditor.ingest import (
    arrival_clock,
    date_order,
    repeated_hour,
    row_zones,
    time_formats,
    timestamps,
)
from auditor.ingest.clock_resets import ROLLOVER_S, rolled_over_by_received
from auditor.ingest.columns import POINT, WIDE_LABELS, is_e7, wide_labels, zone_column
from auditor.ingest.readers import Chunk, display_text
from auditor.ingest.validate import LABELS, OK, TimeWindow, coordinate_rules, formula_like, mark, time_window
from auditor.ingest.values import to_float, to_text


def _text_column(chunk: Chunk, fields: Mapping[str, str], name: str) -> np.ndarray:
    """Object array of str / None (None = missing)."""
    if name not in fields:
        return np.full(chunk.table.num_rows, None, object)
    return np.asarray(to_text(chunk.table.column(fields[name])).to_pandas(), dtype=object)


def _float_column(chunk: Chunk, fields: Mapping[str, str], name: str) -> np.ndarray:
    if name not in fields:
        return np.full(chunk.table.num_rows, np.nan)
    return to_float(chunk.table.column(fields[name]))


# 'POINT(x y)' / 'POINT Z (x y z)' (WKT: lon first), '[x, y]' (GeoJSON: lon first), else a
# plain pair 'lat,lon' / '(lat, lon)' / 'lat lon' (the way people and most tools write it)
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_POINT = (r"^\s*(?:(?i:srid)=\d+;)?(?P<shape>(?i:point)\s*(?i:zm|z|m)?\s*\(|\[|\(|)\s*(?P<a>" + _NUMBER
          + r")\s*[,;\s]\s*(?P<b>" + _NUMBER + ")")


# a coordinate written with its hemisphere letter ('41.7599 N', 'W87.6913', '87.6913°W'), or
# in degrees, minutes and seconds ('41°45\'35.6"N', '-87°41.48\'', '41 45 35.6 N')
_LETTERED = (r"^\s*(?P<pre>[NSEW])?\s*(?P<sign>-)?(?P<num>\d+(?:[.,]\d+)?)\s*°?"
             r"(?:\s*(?P<min>\d+(?:[.,]\d+)?)\s*['′’]?(?:\s*(?P<sec>\d+(?:[.,]\d+)?)\s*(?:\"|″|'')?)?)?"
             r"\s*(?P<post>[NSEW])?\s*$")
# each axis's (positive, negative) letter. Nothing else is read: an 'O' is east in German
# (Ost) and west in Spanish and Portuguese (Oeste)
_LETTERS = {"lat": ("N", "S"), "lon": ("E", "W")}


def _degrees(chunk: Chunk, fields: Mapping[str, str], name: str) -> np.ndarray:
    """A coordinate column as signed degrees: numbers as they are, a number with its own
    hemisphere letter signed by it (S and W negative; a letter of the other axis is NaN), and
    signed by the file's hemisphere column when it has one (``columns.HEMISPHERES``: the
    number's own sign is then ignored, a value other than the axis's two letters is NaN)."""
    values = _float_column(chunk, fields, name)
    unread = np.flatnonzero(np.isnan(values))
    if name in fields and len(unread):
        text = pd.Series(to_text(chunk.table.column(fields[name])).take(unread).to_pandas(),
                         dtype=object).str.upper()
        parts = text.str.extract(_LETTERED)
        letter = parts["pre"].fillna("") + parts["post"].fillna("")
        pos, neg = _LETTERS[name]
        minus = parts["sign"].notna().to_numpy()
        # a letter or a minus sign, not both; a letter of the other axis reads nothing
        sign = np.where(letter == neg, -1.0, np.where(letter == pos, 1.0, np.where(
            letter == "", np.where(minus, -1.0, 1.0), np.nan)))
        sign[minus & (letter != "").to_numpy()] = np.nan

        def number(col: str) -> np.ndarray:
            return pd.to_numeric(parts[col].str.replace(",", ".", regex=False),
                                 errors="coerce").to_numpy(dtype=float)
        minutes, seconds = np.nan_to_num(number("min")), np.nan_to_num(number("sec"))
        fine = (minutes < 60) & (seconds < 60)
        read = np.where(fine, sign * (number("num") + minutes / 60 + seconds / 3600), np.nan)
        nmea = (_nmea_width(text, name) | (np.abs(read) > _RANGE[name])) & \
            (letter != "").to_numpy()
        values[unread] = _from_nmea(read, nmea)
    side = f"{name}_hemisphere"
    if side in fields:
        letter = pd.Series(_text_column(chunk, fields, side), dtype=object).str.strip() \
            .str.upper().str[:1].to_numpy(dtype=object)
        pos, neg = _LETTERS[name]
        sign = np.where(letter == neg, -1.0, np.where(letter == pos, 1.0, np.nan))
        nmea = _nmea_width(pd.Series(_text_column(chunk, fields, name), dtype=object), name)
        with np.errstate(invalid="ignore"):
            nmea |= np.abs(values) > _RANGE[name]   # a float column lost the zero padding
        nmea[unread] = False   # read above, with their own letter
        values = _from_nmea(np.abs(values), nmea) * sign
    return values


# NMEA sentences (and the CSVs made of them) write unsigned degrees and minutes, ddmm.mmmm
# and dddmm.mmmm, zero-padded, beside a hemisphere letter: 4145.5938 N is 41°45.5938'
_NMEA_DIGITS = {"lat": 4, "lon": 5}
# beyond these no value is degrees: beside a hemisphere, degrees and minutes
_RANGE = {"lat": 90.0, "lon": 180.0}


def _nmea_width(text: pd.Series, name: str) -> np.ndarray:
    """Which values are written the NMEA way (the axis's fixed width of whole digits)."""
    n = _NMEA_DIGITS[name]
    return text.str.fullmatch(rf"\s*[NSEWnsew]?\s*\d{{{n}}}\.\d+\s*[NSEWnsew]?\s*",
                              na=False).to_numpy(dtype=bool, copy=True)


def _from_nmea(values: np.ndarray, nmea: np.ndarray) -> np.ndarray:
    """``values`` with those marked ``nmea`` read as degrees and minutes (minutes of 60 or
    more: NaN)."""
    if not nmea.any():
        return values
    out = values.copy()
    v = np.abs(values[nmea])
    deg = np.floor(v / 100)
    minutes = v - 100 * deg
    out[nmea] = np.where(minutes < 60, np.sign(values[nmea]) * (deg + minutes / 60), np.nan)
    return out


def lat_lon(chunk: Chunk, fields: Mapping[str, str]) -> tuple[np.ndarray, np.ndarray]:
    """lat and lon: from their columns (``_degrees``: hemisphere letters and columns read), or
    from the one column holding both (``point``). A value neither form reads is NaN
    (missing_lat_lon). In a plain pair, a first number beyond ±90 cannot be the latitude: the
    pair is read the other way round."""
    if "lat" in fields or "lon" in fields or POINT not in fields:
        lat, lon = (_degrees(chunk, fields, axis) / (1e7 if is_e7(fields.get(axis)) else 1.0)
                    for axis in ("lat", "lon"))
        return lat, lon
    text = to_text(chunk.table.column(fields[POINT]))
    parts = pc.extract_regex(text, _POINT)
    shape = np.asarray(pc.struct_field(parts, [0]).to_pandas(), dtype=object)
    a = to_float(pc.struct_field(parts, [1]))
    b = to_float(pc.struct_field(parts, [2]))
    lon_first = pd.Series(shape, dtype=object).fillna("").str.lower() \
        .str.match(r"point|\[").to_numpy(dtype=bool)
    with np.errstate(invalid="ignore"):
        lon_first = lon_first | ((np.abs(a) > 90) & (np.abs(b) <= 90))
    lat, lon = np.where(lon_first, b, a), np.where(lon_first, a, b)
    unread = np.flatnonzero(np.isnan(lat))
    if len(unread):   # a database's own geometry output: (E)WKB in hex
        x, y = wkb_points(text.take(unread))
        lat[unread], lon[unread] = y, x
    return lat, lon


# fixes past 180 one vehicle (a labels file) needs in a chunk to be read as counted 0-360 east
EAST_EVIDENCE = 2


def east_to_west(lon: np.ndarray, group: Optional[np.ndarray] = None) -> tuple[np.ndarray, int]:
    """(longitudes in ±180, how many were written 0-360° east beyond 180): satellite trackers,
    marine and climate data count east all the way round (180.12 is -179.88); quarantined as
    out of range, such a device lost every fix east of 180 — in the Pacific, all of them. The
    convention shows in more than one value: a vehicle (``group``: its codes, -1 none) or a
    labels file (no ``group``) with a single value past 180 has a corrupt one, left out of
    range. A value above 360 stays out of range (E7 integers, metres: out_of_range_fix names
    them)."""
    with np.errstate(invalid="ignore"):
        east = (lon > 180.0) & (lon <= 360.0)
    if not east.any():
        return lon, 0
    if group is None:
        east &= np.count_nonzero(east) >= EAST_EVIDENCE
    else:
        east &= group >= 0
        per_group = np.bincount(group[east], minlength=int(group.max()) + 1)
        east &= per_group[np.maximum(group, 0)] >= EAST_EVIDENCE
    n = int(np.count_nonzero(east))
    return (np.where(east, lon - 360.0, lon) if n else lon), n


_WKB_POINT_HEX = (42, 50, 58, 66, 74, 82)   # 2D, with SRID, with Z or M, both, ZM with SRID


def wkb_points(text) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) of values that are points in (E)WKB hex — what PostGIS writes for a geometry
    column exported as it is ('0101000020E6100000…') — NaN for anything else. Vectorised:
    values of one length are decoded as one block of bytes."""
    values = pd.Series(text.to_pandas(), dtype=object)
    x, y = np.full(len(values), np.nan), np.full(len(values), np.nan)
    hexlike = values.str.fullmatch(r"[0-9A-Fa-f]+", na=False).to_numpy(dtype=bool)
    lengths = values.str.len().to_numpy()
    for n in _WKB_POINT_HEX:
        rows = np.flatnonzero(hexlike & (lengths == n))
        if not len(rows):
            continue
        raw = np.frombuffer(bytes.fromhex("".join(values.iloc[rows])),
                            dtype=np.uint8).reshape(len(rows), n // 2)
        little = raw[:, 0] == 1
        kind = np.where(little, raw[:, 1:5].copy().view("<u4")[:, 0],
                        raw[:, 1:5].copy().view(">u4")[:, 0])
        point = (kind & 0x0FFFFFFF) % 1000 == 1
        start = np.where(kind & 0x20000000, 9, 5)
        for at in (5, 9):
            pick = point & (start == at) & (raw[:, 0] <= 1)
            if not pick.any() or at + 16 > n // 2:
                continue
            block = raw[pick][:, at:at + 16].copy()
            le = little[pick]
            xs = np.where(le, block[:, :8].copy().view("<f8")[:, 0],
                          block[:, :8].copy().view(">f8")[:, 0])
            ys = np.where(le, block[:, 8:].copy().view("<f8")[:, 0],
                          block[:, 8:].copy().view(">f8")[:, 0])
            x[rows[pick]], y[rows[pick]] = xs, ys
    return x, y


def header_again(chunk: Chunk, fields: Mapping[str, str], names) -> np.ndarray:
    """Rows that are the file's header line again (exports pasted one after another): each
    of ``names``' columns holds its own header."""
    out = np.ones(chunk.table.num_rows, bool)
    for name in names:
        column = fields.get(name)
        if column is None or column not in chunk.table.column_names:
            return np.zeros(chunk.table.num_rows, bool)
        text = to_text(chunk.table.column(column))
        out &= pc.fill_null(pc.equal(pc.utf8_trim_whitespace(text), column.strip()),
                            False).to_numpy(zero_copy_only=False)
        if not out.any():
            break
    return out


def _missing(values: np.ndarray) -> np.ndarray:
    return pd.isna(values)


def _base(chunk: Chunk) -> dict:
    n = chunk.table.num_rows
    return {"line": chunk.lines, "row": np.arange(n, dtype=np.int64),
            "reason": np.full(n, OK, np.int8)}


def _codes(chunk: Chunk, fields: Mapping[str, str], name: str) -> tuple[np.ndarray, np.ndarray]:
    """(int64 codes, sorted distinct values): -1 = missing. Ids repeat a lot, so rows share
    one Python string per distinct id (cheap to sort, compare and insert)."""
    values = to_text(chunk.table.column(fields[name])).to_pandas()
    codes, uniques = pd.factorize(values, sort=True)
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)


def _formula_rule(chunk: Chunk, fields: Mapping[str, str], reason: np.ndarray, *names) -> None:
    for name in names:
        if name in fields:
            mark(reason, formula_like(to_text(chunk.table.column(fields[name]))),
                 "formula_like_value")


def pings(chunk: Chunk, fields: Mapping[str, str], tz: Optional[str], file: str,
          window: Optional[TimeWindow] = None, speed_scale: float = 1.0,
          time_format: Optional[str] = None, other_order: frozenset = frozenset()
          ) -> pd.DataFrame:
    """Typed pings; ``vcode`` orders like ``vehicle_id`` (codes of the sorted distinct ids).
    ``time_format``: the file's own strftime form of its stamps (time_formats.py);
    ``other_order``: vehicles found to write day and month the other way round in the file's
    earlier chunks (date_order.py)."""
    window = window or time_window()
    cols = _base(chunk)
    reason = cols["reason"]
    stamps = chunk.table.column(fields["timestamp"])
    per_vehicle = tz == timestamps.VEHICLE_ZONE
    zones = None  # each row's zone in a column of its own
    if "row_zone" in fields and not per_vehicle:
        zones = np.asarray(to_text(chunk.table.column(fields["row_zone"])).to_pandas(),
                           dtype=object)
        parsed = row_zones.parse_in_zones(stamps, zones, tz, time_format)
    else:
        parsed = timestamps.parse(stamps, None if per_vehicle else tz, time_format)
    wall_clock = None
    if per_vehicle and parsed.naive.any():
        # wall times read as UTC for now; the import re-reads them in each vehicle's own zone
        # (scope.Scope, from the vehicles' metadata), which the chunk alone cannot know
        wall_clock = parsed.naive.copy()
        as_utc = timestamps.parse(stamps, "UTC", time_format)
        parsed.ts[wall_clock], parsed.ok[wall_clock] = as_utc.ts[wall_clock], as_utc.ok[wall_clock]
        parsed.naive[:] = False
    if parsed.naive.any():
        i = int(np.flatnonzero(parsed.naive)[0])
        value = to_text(stamps)[i].as_py()
        abbr = re.search(r"\d\s+([A-Z]{2,5})(?:\s+\d{4})?$", value or "")  # (… CET 2026)
        why = (f"names its zone by an abbreviation, {abbr.group(1)}, which is no one UTC offset"
               if abbr and abbr.group(1) not in ("AM", "PM") else "has no UTC offset")
        raise UserError(f"{file}: line {chunk.lines[i]}: naive timestamps in {file} (e.g. "
                        f"{value!r} {why}); pass --tz ZONE, e.g. --tz Europe/Berlin "
                        "— or --tz vehicle for each vehicle's own timezone (the vehicles "
                        "file's timezone column)")
    rolled, lag = 0, None
    if "received_time" in fields:  # a GPS week rollover, shown by when the fix arrived
        column = chunk.table.column(fields["received_time"])
        received = (row_zones.parse_in_zones(column, zones, tz, time_format) if zones is not None
                    else timestamps.parse(column, None if per_vehicle else tz, time_format))
        wrapped = rolled_over_by_received(parsed.ts, parsed.ok, received.ts,
                                          received.ok & ~received.naive)
        if wrapped.any():
            rolled = int(wrapped.sum())
            step = np.round((received.ts - parsed.ts) / ROLLOVER_S).astype(np.int64) * ROLLOVER_S
            parsed.ts[wrapped] += step[wrapped]
            if parsed.later is not None:
                parsed.later[wrapped] += step[wrapped]
        # how long each fix took to arrive: a device on another zone's clock (arrival_clock.py)
        both = parsed.ok & received.ok & ~received.naive
        lag = np.where(both, (received.ts - parsed.ts).astype(float), np.nan)
    vcode, ids = _codes(chunk, fields, "vehicle_id")
    lat, lon = lat_lon(chunk, fields)
    lon, east = east_to_west(lon, vcode)
    if "trip_id" in fields:
        tcode, trips = _codes(chunk, fields, "trip_id")
        trip = np.append(trips, None)[tcode]  # code -1 picks the appended None
    else:
        tcode, trips = np.full(len(vcode), -1, np.int64), np.zeros(0, object)
        trip = np.full(len(vcode), None, object)
    mark(reason, vcode < 0, "missing_vehicle_id")
    mark(reason, header_again(chunk, fields, ("vehicle_id", "lat" if "lat" in fields
                                              else "timestamp")), "repeated_header")
    # judged once per distinct id (code -1, missing, picks the appended False)
    mark(reason, np.append(formula_like(ids), False)[vcode]
         | np.append(formula_like(trips), False)[tcode], "formula_like_value")
    base = reason.copy()
    mark(reason, ~parsed.ok, "bad_timestamp")
    mark(reason, parsed.ok & window.outside(parsed.ts), "implausible_timestamp")
    coordinate_rules(reason, lat, lon)
    accuracy = _float_column(chunk, fields, "accuracy_m")
    if "fix_type" in fields:  # a position from cell towers: hundreds of metres to kilometres off
        # (unless the row's stated accuracy says otherwise: Android's 'network' is wifi too)
        mark(reason, coarse_fixes(_text_column(chunk, fields, "fix_type"))
             & ~(accuracy <= COARSE_ACCURACY_M), "coarse_fix")
    mark(reason, accuracy > COARSE_ACCURACY_M, "coarse_fix")
    if "fix_valid" in fields:  # no fix: the last position repeated while the vehicle drove on
        no_fix = invalid_fixes(_text_column(chunk, fields, "fix_valid"))
        mark(reason, stale_while_moving(no_fix, vcode, parsed.ts.astype(float), lat, lon),
             "stale_fix")
    if not per_vehicle:  # some vehicles' dates read with day and month the other way round
        cols.update(_other_order(stamps, tz, time_format, parsed, vcode, ids, other_order,
                                 base, reason, window, lat, lon, zones))
    cols.update(vcode=vcode, vehicle_id=np.append(ids, None)[vcode], ts=parsed.ts,
                utc_offset_min=parsed.offset_min, lat=lat, lon=lon,
                speed_mps=_float_column(chunk, fields, "speed_mps") * speed_scale,
                heading_deg=_float_column(chunk, fields, "heading_deg"), trip_id=trip)
    if per_vehicle:
        cols["wall_clock"] = wall_clock if wall_clock is not None else np.zeros(len(vcode), bool)
    if parsed.later is not None:  # a repeated autumn hour: the file's order decides (plan.py)
        cols[repeated_hour.LATER] = parsed.later
    if lag is not None:
        cols[arrival_clock.LAG] = lag
    frame = _frame(cols)
    frame.attrs["vehicle_ids"] = _shared(ids)  # vcode -> id
    frame.attrs["east_of_180"] = east
    frame.attrs["rolled_over"] = rolled
    # columns with no value in this chunk: the writer leaves them to their NULL default
    frame.attrs["empty"] = {c for c in ("utc_offset_min", "speed_mps", "heading_deg")
                            if np.isnan(cols[c]).all()}
    if (tcode < 0).all():
        frame.attrs["empty"].add("trip_id")
    return frame


def _other_order(stamps, tz: Optional[str], time_format: Optional[str], parsed, vcode, ids,
                 other_order, base, reason, window, lat, lon, zones=None) -> dict:
    """date_order's columns: the other reading of day and month (time, offset, row reason)
    for the rows of vehicles that may write them so — those with a row only it reads here,
    and ``other_order``, those found so in the file's earlier chunks; the file's reading for
    the rest. {} when the file's form has one order or no vehicle qualifies. ``zones``: each
    row's zone column, which the other reading's naive rows are read in too."""
    forms = time_formats.orders(time_format) if time_format is not None else []
    if len(forms) < 2:
        return {}
    other_form = forms[1] if forms[0] == time_format else forms[0]

    def read_other(at: np.ndarray):
        other = (timestamps.parse(stamps.take(at), tz, other_form) if zones is None else
                 row_zones.parse_in_zones(stamps.take(at), zones[at], tz, other_form))
        other.ok &= ~other.naive  # a wall time no zone was found for is no time
        return other

    take = []
    failed = np.flatnonzero(~parsed.ok & (vcode >= 0))
    if len(failed):
        first = read_other(failed)
        take = np.unique(vcode[failed[first.ok]]).tolist()
    if other_order:
        take += [int(k) for k in np.flatnonzero(pd.Series(ids).isin(other_order).to_numpy())]
    if not take:
        return {}
    rows = np.flatnonzero(np.isin(vcode, take))
    other = read_other(rows)
    ts, offset = parsed.ts.copy(), parsed.offset_min.copy()
    ts[rows], offset[rows] = other.ts, other.offset_min
    why, sub = reason.copy(), base[rows].copy()
    mark(sub, ~other.ok, "bad_timestamp")
    mark(sub, other.ok & window.outside(other.ts), "implausible_timestamp")
    coordinate_rules(sub, lat[rows], lon[rows])
    why[rows] = sub
    return {date_order.OTHER_TS: ts, date_order.OTHER_OFFSET: offset,
            date_order.OTHER_REASON: why}


# a fix-type column's words for a position found from cell towers, not satellites or wifi
COARSE_FIXES = frozenset({"LBS", "CELL", "CELLID", "CELL_ID", "CELL-ID", "CELL TOWER",
                          "CELLTOWER", "CELL_TOWER", "CELLULAR", "GSM", "TOWER", "NETWORK",
                          "基站", "基站定位", "LBS定位", "基地局"})


# a fix whose own stated accuracy is worse than this cannot say which place it was at (a
# place is some 100-150 m across): refused as coarse, whatever its fix type
COARSE_ACCURACY_M = 200.0
# a fix-valid column's words for "no fix" (Traccar's f, a T-Box's 0, NMEA's V, 未定位)
INVALID_FIXES = frozenset({"FALSE", "F", "0", "NO", "N", "V", "VOID", "INVALID", "NONE",
                           "NO FIX", "NOFIX", "未定位", "无效", "不定位", "否", "НЕТ", "NIE",
                           "HAYIR", "YOK", "NEIN", "NON", "FALSO", "NÃO", "NAO"})
# a row without a fix is stale-while-moving when the vehicle's next fix lies farther than a
# place (STALE_AWAY_M) and farther than walking pace could take it in the time between
STALE_AWAY_M, STALE_PACE_MPS = 500.0, 2.8


def invalid_fixes(values: np.ndarray) -> np.ndarray:
    """Which rows' fix-valid value says the device had no fix (judged once per word)."""
    codes, words = pd.factorize(pd.Series(values, dtype=object).fillna(""))
    bad = np.array([str(w).strip().upper() in INVALID_FIXES for w in words] + [False])
    return bad[codes]


def stale_while_moving(no_fix: np.ndarray, vcode: np.ndarray, ts: np.ndarray,
                       lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Rows without a fix whose vehicle's next row with one (in this chunk) lies far away and
    was reached at driving pace: the device held its last position while the vehicle drove
    on (jamming, a tunnel), which would make a stop where there was none. A parked car's rows
    without a fix (an underground car park) are kept: its next fix is where it stood."""
    out = np.zeros(len(no_fix), bool)
    if not no_fix.any():
        return out
    order = np.lexsort((ts, vcode))
    nf, v = no_fix[order], vcode[order]
    la, lo, t = lat[order], lon[order], ts[order]
    n = len(order)
    fixed = ~nf & np.isfinite(la) & np.isfinite(lo) & np.isfinite(t)
    nxt = np.where(fixed, np.arange(n), n)
    nxt = np.minimum.accumulate(nxt[::-1])[::-1]   # the next row with a fix, at or after
    has = nf & (nxt < n)
    j = np.where(has, nxt, 0)
    has &= (v[j] == v) & (v >= 0)
    with np.errstate(invalid="ignore"):
        d = haversine_m(la, lo, la[j], lo[j])
        moved = has & (d > STALE_AWAY_M) & (d > STALE_PACE_MPS * np.maximum(t[j] - t, 1.0))
    out[order] = moved
    return out


def coarse_fixes(values: np.ndarray) -> np.ndarray:
    """Which rows' fix type says cell towers (COARSE_FIXES; judged once per distinct word)."""
    codes, words = pd.factorize(pd.Series(values, dtype=object).fillna(""))
    coarse = np.array([str(w).strip().upper() in COARSE_FIXES for w in words] + [False])
    return coarse[codes]


class SharedArray(np.ndarray):
    """A read-only array that pandas hands on from a frame's attrs without copying it: pandas
    deep-copies attrs at every column access, which for a chunk's few hundred vehicle ids was
    ~5% of an import's CPU."""

    def __deepcopy__(self, memo):
        return self


def _shared(values: np.ndarray) -> np.ndarray:
    out = values.view(SharedArray)
    out.flags.writeable = False
    return out


def _frame(cols: dict) -> pd.DataFrame:
    """DataFrame of numpy columns; text stays a numpy object array (pandas would otherwise
    convert it to its arrow string type, and the writer back again: for nothing)."""
    n = len(cols["line"])
    return pd.DataFrame({name: (pd.Series(v, dtype=object, copy=False)
                                if isinstance(v, np.ndarray) and v.dtype == object else v)
                         for name, v in cols.items()}, index=pd.RangeIndex(n), copy=False)


def labels(chunk: Chunk, fields: Mapping[str, str], file: str) -> pd.DataFrame:
    wide = wide_labels(fields)
    if wide:
        return _wide_labels(chunk, fields, wide)
    cols = _base(chunk)
    reason = cols["reason"]
    vehicle = _text_column(chunk, fields, "vehicle_id")
    label = to_text(chunk.table.column(fields["label"]))
    label = np.asarray(pc.utf8_lower(label).to_pandas(), dtype=object)
    lat, lon = lat_lon(chunk, fields)
    lon, _ = east_to_west(lon)
    mark(reason, _missing(vehicle), "missing_vehicle_id")
    mark(reason, header_again(chunk, fields, ("vehicle_id", "label")), "repeated_header")
    _formula_rule(chunk, fields, reason, "vehicle_id", "label")
    mark(reason, ~pd.Series(label).isin(LABELS).to_numpy(), "unknown_label")
    coordinate_rules(reason, lat, lon)
    cols.update(vehicle_id=vehicle, label=label, lat=lat, lon=lon)
    return pd.DataFrame(cols)


def _wide_labels(chunk: Chunk, fields: Mapping[str, str], wide: list[str]) -> pd.DataFrame:
    """Labels one row per vehicle, a column pair per label: a label row per pair with a value
    (a vehicle without a workplace leaves work_lat/work_lon empty: no row, nothing refused);
    the rows of one source line share its line and raw text."""
    vehicle = _text_column(chunk, fields, "vehicle_id")
    formula = np.zeros(chunk.table.num_rows, bool)
    if "vehicle_id" in fields:
        formula = formula_like(to_text(chunk.table.column(fields["vehicle_id"])))
    frames = []
    for label in wide:
        lat_f, lon_f = WIDE_LABELS[label]
        lat, lon = _float_column(chunk, fields, lat_f), _float_column(chunk, fields, lon_f)
        given = ~(np.isnan(lat) & np.isnan(lon))
        cols = _base(chunk)
        reason = cols["reason"]
        mark(reason, _missing(vehicle), "missing_vehicle_id")
        mark(reason, formula, "formula_like_value")
        coordinate_rules(reason, lat, lon)
        cols.update(vehicle_id=vehicle, label=np.full(len(lat), label, object), lat=lat, lon=lon)
        frames.append(pd.DataFrame(cols)[given])
    # source order: a line's home row, then its work row
    return pd.concat(frames).sort_values(["row", "label"], kind="stable").reset_index(drop=True)


def vehicles(chunk: Chunk, fields: Mapping[str, str], file: str) -> pd.DataFrame:
    """vehicle_id + meta: every other column as a string, JSON with sorted keys."""
    cols = _base(chunk)
    vehicle = _text_column(chunk, fields, "vehicle_id")
    mark(cols["reason"], _missing(vehicle), "missing_vehicle_id")
    _formula_rule(chunk, fields, cols["reason"], "vehicle_id")
    columns = sorted(c for c in chunk.table.column_names if c != fields["vehicle_id"])
    values = [display_text(chunk.table.column(c)) for c in columns]
    values = [np.asarray(pc.fill_null(pc.utf8_trim_whitespace(v), "").to_pandas(), dtype=object)
              for v in values]
    names = _meta_keys(columns)
    if ZONE_KEY in names:
        _check_zones(values[names.index(ZONE_KEY)], cols["line"], cols["reason"], file,
                     columns[names.index(ZONE_KEY)])
    # one small dict per vehicle (thousands, not millions): a loop is fine here
    meta = [json.dumps(dict(zip(names, row)), sort_keys=True, ensure_ascii=False)
            for row in zip(*values)] if names else ["{}"] * len(vehicle)
    cols.update(vehicle_id=vehicle, meta=np.asarray(meta, dtype=object))
    return pd.DataFrame(cols)


ZONE_KEY = "timezone"  # the metadata key local time and --ignore-offset read


def _meta_keys(columns: list[str]) -> list[str]:
    """Metadata keys of the vehicle file's columns: as written, except that a 'TimeZone',
    'TIMEZONE', 'time_zone' or 'tz' header (matched as other headers are) is stored as
    'timezone', the key local time reads; an exact 'timezone' column wins over such a
    spelling, and the first alias over later ones."""
    zone = zone_column(columns)
    return [ZONE_KEY if c == zone else c for c in columns]


def _check_zones(zones: np.ndarray, lines: np.ndarray, reason: np.ndarray, file: str,
                 column: str) -> None:
    """A timezone that is no IANA zone name is refused here, naming its line: found only at
    infer it stopped every inference with no line to fix. Empty means 'not known'."""
    ok = reason == OK
    for zone in sorted({z for z in zones[ok] if z}):  # a handful of distinct zones
        try:
            zoneinfo.ZoneInfo(zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            line = lines[np.flatnonzero(ok & (zones == zone))[0]]
            hint = timestamps.zone_hint(zone)
            raise UserError(f"{file}: line {line}: {column} {zone!r} is not an IANA time zone "
                            "name — " + (f"{hint}; " if hint else "write one such as "
                                         "Europe/Berlin or America/New_York (or leave it "
                                         "empty); ") + "fix it and import the file again"
                            ) from None
