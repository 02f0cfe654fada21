"""NMEA 0183 logs (a data logger's or a GPS receiver's raw sentences, one per line, perhaps
gzip-compressed) -> pings: one row per RMC sentence ($GPRMC, $GNRMC, …), the one sentence
with the date, the time (UTC), the position, the speed (knots) and the course. Other
sentences (GGA, GSV, …) are no rows; an RMC line whose checksum does not match is quarantined
as a malformed row; a void fix (status V) keeps its row with no position (refused as missing
coordinates). Text before the '$' on a line ('CXGB-64|$GPRMC,…', a logger's prefix) is the
vehicle id; a log without one is one vehicle's (--vehicle).

The rows come out as text columns in the sentence's own form (ddmm.mmmm with a hemisphere
column, knots), which the import reads as it reads any such CSV."""
from __future__ import annotations

import io
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_RMC = re.compile(rb"\$[A-Z]{2}RMC,")
_SENTENCE = re.compile(rb"\$[A-Z]{2}[A-Z]{3},")
_FIELDS = (r"^(?P<prefix>.*?)[|,;\t ]*\$(?P<payload>[A-Z]{2}RMC,(?P<time>[^,]*),(?P<status>[^,]*),"
           r"(?P<lat>[^,]*),(?P<ns>[^,]*),(?P<lon>[^,]*),(?P<ew>[^,]*),(?P<knots>[^,]*),"
           r"(?P<course>[^,]*),(?P<date>[^,]*)[^*]*)\*(?P<checksum>[0-9A-Fa-f]{2})\s*$")
COLUMNS = ["timestamp", "status", "lat", "lat_hemisphere", "lon", "lon_hemisphere",
           "speed_knots", "course"]
WITH_VEHICLE = ["vehicle_id"] + COLUMNS


def looks_like_nmea(head: bytes) -> bool:
    """Most of the first lines are NMEA sentences, some of them RMC."""
    lines = [ln for ln in head.splitlines()[:200] if ln.strip()]
    if not lines or not any(_RMC.search(ln) for ln in lines):
        return False
    return sum(bool(_SENTENCE.search(ln)) for ln in lines) >= 0.8 * len(lines)


def columns_of(head: bytes) -> list[str]:
    """WITH_VEHICLE when the first RMC lines carry text before their '$', else COLUMNS."""
    rmc = [ln for ln in head.splitlines()[:200] if _RMC.search(ln)]
    prefixed = [ln.split(b"$", 1)[0].strip(b"|,;\t ") != b"" for ln in rmc]
    return WITH_VEHICLE if prefixed and sum(prefixed) * 2 > len(prefixed) else COLUMNS


def _lines(part: bytes) -> pa.Array:
    """Each line of ``part`` as one string (no delimiter or quote splits it)."""
    import pyarrow.csv as pcsv
    table = pcsv.read_csv(io.BytesIO(part), read_options=pcsv.ReadOptions(
        column_names=["line"], use_threads=False, block_size=len(part) + 1),
        parse_options=pcsv.ParseOptions(delimiter="\x1f", quote_char=False,
                                        ignore_empty_lines=False),
        convert_options=pcsv.ConvertOptions(column_types={"line": pa.string()},
                                            strings_can_be_null=False))
    return table.column("line").combine_chunks()


def parse(part: bytes, first_line: int, columns: list[str]
          ) -> tuple[pa.Table, np.ndarray, list]:
    """A block of whole lines (the first numbered ``first_line``) -> (table of ``columns``,
    1-based line of each RMC row, rejected lines)."""
    text = _lines(part)
    rmc = np.flatnonzero(pc.match_substring_regex(text, r"\$[A-Z]{2}RMC,")
                         .to_numpy(zero_copy_only=False))
    lines = text.take(pa.array(rmc))
    parts = pc.extract_regex(lines, _FIELDS)
    whole = parts.is_valid().to_numpy(zero_copy_only=False)
    good = whole.copy()
    if whole.any():
        at = np.flatnonzero(whole)
        good[at] = _checksum_ok(pc.struct_field(parts, "payload").take(pa.array(at)),
                                pc.struct_field(parts, "checksum").take(pa.array(at)))
    rejected = [(first_line + int(rmc[k]), lines[int(k)].as_py(), "malformed_row")
                for k in np.flatnonzero(~good)]   # (few: a corrupted line each)
    keep = pa.array(np.flatnonzero(good))
    f = {name: pc.struct_field(parts, name).take(keep) for name in
         ("prefix", "time", "status", "lat", "ns", "lon", "ew", "knots", "course", "date")}
    out = {"timestamp": _iso_utc(f["date"], f["time"]), "status": f["status"],
           "lat": f["lat"], "lat_hemisphere": f["ns"], "lon": f["lon"],
           "lon_hemisphere": f["ew"], "speed_knots": f["knots"], "course": f["course"]}
    void = pc.not_equal(pc.utf8_upper(f["status"]), "A")  # V: no fix, no position to trust
    for name in ("lat", "lon"):
        out[name] = pc.if_else(void, pa.scalar("", pa.string()), out[name])
    if "vehicle_id" in columns:
        out["vehicle_id"] = f["prefix"]
    return (pa.table({c: out[c] for c in columns}), first_line + rmc[good].astype(np.int64),
            rejected)


def _checksum_ok(payload: pa.Array, checksum: pa.Array) -> np.ndarray:
    """XOR of each payload's bytes (between '$' and '*') against its two hex digits."""
    payload = payload.combine_chunks() if isinstance(payload, pa.ChunkedArray) else payload
    offsets = np.frombuffer(payload.buffers()[1], np.int32)[payload.offset:
                                                             payload.offset + len(payload) + 1]
    data = np.frombuffer(payload.buffers()[2], np.uint8)
    starts, ends = offsets[:-1], offsets[1:]
    xor = np.bitwise_xor.reduceat(data, starts) if len(data) else np.zeros(len(starts), np.uint8)
    xor = np.where(ends > starts, xor, 0)
    digits = np.asarray(pc.utf8_upper(checksum).to_numpy(zero_copy_only=False), dtype="S2") \
        .view(np.uint8).reshape(-1, 2)
    value = np.where(digits >= ord("A"), digits - ord("A") + 10, digits - ord("0"))
    return xor == (value[:, 0] * 16 + value[:, 1])


def _iso_utc(date: pa.Array, time: pa.Array) -> pa.Array:
    """ddmmyy + hhmmss(.ss) -> 'yyyy-mm-ddThh:mm:ss(.ss)Z' (years 80-99 are 19xx); a field of
    the wrong width gives a value the import refuses as a bad timestamp."""
    def cut(a, start, stop):
        return pc.utf8_slice_codeunits(a, start, stop)
    yy = cut(date, 4, 6)
    century = pc.if_else(pc.greater_equal(yy, "80"), pa.scalar("19"), pa.scalar("20"))
    ok = pc.and_(pc.equal(pc.utf8_length(date), 6), pc.greater_equal(pc.utf8_length(time), 6))
    stamp = pc.binary_join_element_wise(
        century, yy, "-", cut(date, 2, 4), "-", cut(date, 0, 2), "T", cut(time, 0, 2), ":",
        cut(time, 2, 4), ":", cut(time, 4, 64), "Z", "")
    return pc.if_else(ok, stamp, pc.binary_join_element_wise(date, time, " "))
