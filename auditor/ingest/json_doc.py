"""A JSON document that holds a table (not one object per line: that is jsonl.py) -> string
columns, like a CSV's.

What APIs, scripts and GIS tools write:
- an array of objects (an API's response; pandas ``to_json(orient="records")``);
- an object wrapping one such array, at any depth (``{"data": [...]}``,
  ``{"result": {"positions": [...]}}``, pandas' ``orient="table"``);
- pandas' other orients: ``split`` (``{"columns", "data"}``), ``columns`` (its default,
  ``{column: {row: value}}``), ``index`` (``{row: {column: value}}``), and an object of
  equal-length arrays (``{"lat": [...], "lon": [...]}``);
- an object of arrays of objects keyed by vehicle (``{"KA01AB1234": [{...}, ...], ...}``):
  the key becomes a ``vehicle_id`` column;
- GeoJSON FeatureCollections: Point features (coordinates -> ``lon``, ``lat``) and LineString /
  MultiLineString features with one time per vertex in their properties (``coordTimes`` or
  ``times``, as GPX/KML converters write them), one row per vertex.

The document is read whole (a JSON document cannot be streamed without a parser of its own),
so a file over MAX_BYTES is refused with the way out (JSON Lines). Nested objects become dotted
columns (``position.lat``), arrays stay JSON text. A row's number is its record's (1-based),
as for Parquet; an array item that is not an object is a malformed row."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import numpy as np
import pyarrow as pa

from auditor.errors import UserError
from auditor.ingest.jsonl import _text

MAX_BYTES = 1 << 30
# GeoJSON's per-vertex time arrays, as togeojson (coordTimes) and others (times) write them
VERTEX_TIMES = ("coordTimes", "times", "coordinateTimes", "timestamps")
VEHICLE_KEY = "vehicle_id"


def looks_like_document(head: bytes) -> bool:
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"{", b"["))


def read_table(path: Path, text: bytes) -> tuple[pa.Table, np.ndarray, list, dict]:
    """(string columns, 1-based record number of each row, rejected (record, text, reason),
    notes for the summary) of a document's bytes."""
    try:
        doc = json.loads(text.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise UserError(f"{path}: JSON that is not UTF-8 — save it again as UTF-8") from None
    except ValueError as exc:
        raise UserError(f"{path}: not valid JSON ({exc}) — export it again") from None
    records, notes = _records(path, doc)
    rejected = [(i + 1, json.dumps(r, ensure_ascii=False)[:500], "malformed_row")
                for i, r in enumerate(records) if not isinstance(r, dict)]
    keep = np.array([isinstance(r, dict) for r in records], bool)
    rows = [r for r in records if isinstance(r, dict)]
    table = pa.table(_columns(rows)) if rows else pa.table({})
    return table, np.flatnonzero(keep).astype(np.int64) + 1, rejected, notes


def _records(path: Path, doc) -> tuple[list, dict]:
    """The document's rows as a list (objects, or anything else to be refused) and what the
    summary should say about where they came from."""
    if isinstance(doc, dict) and doc.get("type") == "FeatureCollection":
        return _features(path, doc.get("features")), {"json_shape": "GeoJSON features"}
    if isinstance(doc, list):
        if doc and all(isinstance(r, list) for r in doc[:100]):
            raise UserError(f"{path}: a JSON array of arrays, with no field names — export it "
                            "as objects ([{\"vehicle_id\": …, \"lat\": …}, …]) or as CSV")
        return doc, {"json_shape": "array of objects"}
    if not isinstance(doc, dict):
        raise UserError(f"{path}: a single JSON value, not a table — export the rows as CSV")
    if isinstance(doc.get("columns"), list) and isinstance(doc.get("data"), list):
        names = [str(c) for c in doc["columns"]]            # pandas orient="split"
        return ([dict(zip(names, row)) if isinstance(row, list) else row for row in doc["data"]],
                {"json_shape": "columns and data"})
    values = list(doc.values())
    if values and all(isinstance(v, list) for v in values):
        if all(_objects(v) for v in values if v):          # {vehicle: [records]}
            if not any(VEHICLE_KEY in r for v in values for r in v[:1]):
                return ([{VEHICLE_KEY: k, **r} for k, v in doc.items() for r in v],
                        {"json_shape": f"arrays of objects keyed by vehicle ({VEHICLE_KEY})"})
        lengths = {len(v) for v in values}
        scalars = not any(isinstance(x, (dict, list)) for v in values for x in v[:100])
        if len(lengths) == 1 and len(values) > 1 and scalars:  # {column: [values]}
            n = lengths.pop()
            return ([{k: doc[k][i] for k in doc} for i in range(n)],
                    {"json_shape": "arrays of values per column"})
    if values and all(isinstance(v, dict) for v in values):
        if _row_labels(doc.keys()):                         # orient="index"
            return values, {"json_shape": "objects per row"}
        if _row_labels(k for v in values[:100] for k in v):  # orient="columns"
            rows = list(dict.fromkeys(k for v in values for k in v))
            return ([{c: doc[c].get(r) for c in doc} for r in rows],
                    {"json_shape": "objects per column"})
    wrapped = _wrapped_list(doc)
    if wrapped is not None:
        where, rows = wrapped
        return rows, {"json_shape": f"array of objects under {where!r}"}
    raise UserError(f"{path}: JSON with no table in it (no array of objects) — export the rows "
                    "as CSV, JSON Lines or an array of objects")


def _objects(values: list) -> bool:
    """Mostly objects (a stray null or string among them is a malformed row, not a reason to
    miss the table)."""
    head = values[:100]
    return sum(isinstance(v, dict) for v in head) * 2 > len(head)


def _row_labels(keys) -> bool:
    """Keys like '0', '1', … (pandas' index): the outer keys are rows, not columns."""
    keys = list(keys)[:100]
    return bool(keys) and all(str(k).isdigit() for k in keys)


def _wrapped_list(doc: dict, where: str = "", depth: int = 0) -> Optional[tuple[str, list]]:
    """The longest array of objects inside ``doc`` (three levels down at most) and its path."""
    best = None
    for key, value in doc.items():
        here = f"{where}.{key}" if where else str(key)
        found = None
        if isinstance(value, list) and _objects(value):
            found = (here, value)
        elif isinstance(value, dict) and depth < 2:
            found = _wrapped_list(value, here, depth + 1)
        if found and (best is None or len(found[1]) > len(best[1])):
            best = found
    return best


def _features(path: Path, features) -> list:
    """GeoJSON features -> rows: a Point's properties with lon and lat, a line's vertices
    each with its time from the properties' per-vertex times."""
    if not isinstance(features, list):
        raise UserError(f"{path}: a GeoJSON FeatureCollection without a features array — "
                        "export it again")
    rows: list = []
    lines_without_times = 0
    for feature in features:
        if not isinstance(feature, dict):
            rows.append(feature)
            continue
        props = feature.get("properties") or {}
        geom = feature.get("geometry") or {}
        kind, coords = geom.get("type"), geom.get("coordinates")
        if kind == "Point":
            rows.append({**props, **_lon_lat(coords)})
        elif kind in ("LineString", "MultiLineString"):
            times_key = next((k for k in VERTEX_TIMES if isinstance(props.get(k), list)), None)
            if times_key is None:
                lines_without_times += 1
                continue
            parts = [coords] if kind == "LineString" else coords
            times = props[times_key] if kind == "MultiLineString" else [props[times_key]]
            if kind == "MultiLineString" and times and not isinstance(times[0], list):
                times = [times]
            rest = {k: v for k, v in props.items() if k != times_key}
            for part, stamps in zip(parts or [], times):
                for xy, t in zip(part or [], stamps or []):
                    rows.append({**rest, **_lon_lat(xy), "time": t})
        else:
            rows.append({**props, **_lon_lat(None)})
    if lines_without_times and not rows:
        raise UserError(f"{path}: GeoJSON lines without a time per vertex (no coordTimes in "
                        "their properties) — export the track as GPX or as points with times")
    return rows


def _lon_lat(coords) -> dict:
    if isinstance(coords, list) and len(coords) >= 2:
        return {"lon": coords[0], "lat": coords[1]}
    return {"lon": None, "lat": None}


def _columns(rows: list[dict]) -> dict[str, pa.Array]:
    """Column per key (in order of first appearance), nested objects as dotted columns."""
    from auditor.ingest.readers import display_text

    out: dict[str, pa.Array] = {}
    for key in dict.fromkeys(k for r in rows for k in r):
        values = [r.get(key) for r in rows]
        if any(isinstance(v, dict) for v in values):
            nested = [v if isinstance(v, dict) else {} for v in values]
            for name, arr in _columns(nested).items():
                out[f"{key}.{name}"] = arr
            continue
        try:
            arr = pa.array(values)
            if pa.types.is_list(arr.type) or pa.types.is_struct(arr.type):
                raise pa.ArrowInvalid("nested")
            if pa.types.is_floating(arr.type):  # 12.0 written as 12, as jsonl.py writes it
                raise pa.ArrowInvalid("float")
            out[str(key)] = (pa.nulls(len(values), pa.string()) if pa.types.is_null(arr.type)
                             else display_text(arr))
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
            out[str(key)] = pa.array([_text(v) for v in values], pa.string())
    return out
