"""KML / KMZ tracks (Google Earth, trackers' and phones' exports) -> pings, streamed like GPX
(gpx.py: the same expat parser, any DOCTYPE / ENTITY refused).

Two shapes carry times:
- a ``<gx:Track>``: ``<when>`` and ``<gx:coord>lon lat alt</gx:coord>`` in step, one ping
  each; the vehicle is its Placemark's ``<name>``, else its Folder's, else the file's stem;
- a Placemark with a ``<TimeStamp><when>`` and a ``<Point><coordinates>lon,lat</…>``: one
  ping; the vehicle is its Folder's ``<name>``, else the file's stem (a Placemark's own name
  is usually the time or a sequence number).
Either way an ``<ExtendedData>`` field (``<Data name=…><value>``, ``<SimpleData name=…>``)
named like a vehicle id (``plate``, ``imei``; columns.ALIASES) names the vehicle instead, and
the fields named in the file's first 256 KiB are columns too (speed, ignition, …).
Placemarks without a time (a route's line) give nothing. A row's number is its 1-based
position among the file's pings. KMZ is a zip holding a .kml: its first .kml is read."""
from __future__ import annotations

import re
import xml.parsers.expat as expat
import zipfile
from pathlib import Path
from typing import Iterator, Optional

import numpy as np
import pyarrow as pa

from auditor.errors import UserError
from auditor.ingest.columns import ALIASES, normalise
from auditor.ingest.encoding import open_bytes
from auditor.ingest.gpx import FEED_BYTES, Refused, _local, _parser

KML_COLUMNS = ["vehicle_id", "timestamp", "lat", "lon", "placemark", "folder"]
_FIELD = re.compile(rb"<(?:\w+:)?(?:Data|SimpleData|SimpleArrayData)\s+name=[\"']([^\"'<>]{1,64})[\"']")
_VEHICLE_WORDS = frozenset(ALIASES["vehicle_id"])


def kml_member(names: list[str]) -> Optional[str]:
    """A KMZ archive's KML document (doc.kml by convention, else the first .kml)."""
    kml = [n for n in names if n.lower().endswith(".kml")]
    return "doc.kml" if "doc.kml" in kml else (kml[0] if kml else None)


def _open(path: Path, member: Optional[str]):
    if member is None:
        return open_bytes(path)
    return zipfile.ZipFile(path).open(member)


def field_names(path: Path, member: Optional[str] = None) -> list[str]:
    """ExtendedData field names in the file's first 256 KiB, in order, not clashing with ours."""
    with _open(path, member) as fh:
        head = fh.read(256 << 10)
    names = dict.fromkeys(m.group(1).decode("utf-8", "replace").strip()
                          for m in _FIELD.finditer(head))
    return [n for n in names if n and n not in KML_COLUMNS]


class _Pings:
    """expat callbacks collecting pings column-wise."""

    def __init__(self, stem: str, fields: list[str]):
        self.stem, self.fields = stem, fields
        self.columns = KML_COLUMNS + fields
        self.cols: dict[str, list] = {c: [] for c in self.columns}
        self.path: list[str] = []
        self.text: list[str] = []
        self.folders: list[Optional[str]] = []
        self.placemark: Optional[dict] = None
        self.data_name: Optional[str] = None
        self.count = 0
        self.root: Optional[str] = None
        self.untimed = 0

    def start(self, name: str, attrs: dict) -> None:
        tag = _local(name)
        if self.root is None:
            self.root = tag
        self.path.append(tag)
        if tag == "Folder":
            self.folders.append(None)
        elif tag == "Placemark":
            self.placemark = {"name": None, "when": [], "coord": [], "stamp": None,
                              "point": None, "data": {}, "arrays": {}}
        elif tag in ("Data", "SimpleData", "SimpleArrayData"):
            self.data_name = attrs.get("name")
        self.text = []

    def chars(self, data: str) -> None:
        self.text.append(data)

    def end(self, name: str) -> None:
        tag = _local(name)
        self.path.pop()
        parent = self.path[-1] if self.path else ""
        text = "".join(self.text).strip()
        self.text = []
        pm = self.placemark
        if tag == "name" and parent == "Folder" and self.folders:
            self.folders[-1] = text or None
        elif tag == "Folder" and self.folders:
            self.folders.pop()
        elif pm is None:
            return
        elif tag == "name" and parent == "Placemark":
            pm["name"] = text or None
        elif tag == "when" and parent == "Track":
            pm["when"].append(text)
        elif tag == "coord" and parent == "Track":
            pm["coord"].append(text)
        elif tag == "when" and parent == "TimeStamp":
            pm["stamp"] = text
        elif tag == "coordinates" and parent == "Point":
            pm["point"] = text
        elif tag == "value" and parent == "Data" and self.data_name:
            pm["data"][self.data_name] = text
        elif tag == "SimpleData" and self.data_name:
            pm["data"][self.data_name] = text
        elif tag == "value" and parent == "SimpleArrayData" and self.data_name:
            pm["arrays"].setdefault(self.data_name, []).append(text)
        elif tag == "Placemark":
            self._emit(pm)
            self.placemark = None

    def _vehicle(self, pm: dict, track: bool) -> str:
        for key, value in pm["data"].items():
            if normalise(key) in _VEHICLE_WORDS and value:
                return value
        folder = next((f for f in reversed(self.folders) if f), None)
        if track:
            return pm["name"] or folder or self.stem
        return folder or self.stem

    def _emit(self, pm: dict) -> None:
        folder = next((f for f in reversed(self.folders) if f), None)
        if pm["when"]:
            n = min(len(pm["when"]), len(pm["coord"]))
            points = [(pm["when"][i], *_lon_lat(pm["coord"][i], " ")) for i in range(n)]
            vehicle = self._vehicle(pm, track=True)
        elif pm["stamp"] is not None and pm["point"] is not None:
            points = [(pm["stamp"], *_lon_lat(pm["point"], ","))]
            vehicle = self._vehicle(pm, track=False)
        else:
            self.untimed += 1
            return
        cols = self.cols
        for i, (when, lon, lat) in enumerate(points):
            cols["vehicle_id"].append(vehicle)
            cols["timestamp"].append(when)
            cols["lat"].append(lat)
            cols["lon"].append(lon)
            cols["placemark"].append(pm["name"])
            cols["folder"].append(folder)
            for f in self.fields:
                arr = pm["arrays"].get(f)
                cols[f].append(arr[i] if arr is not None and i < len(arr) else pm["data"].get(f))
        self.count += len(points)

    def take(self) -> pa.Table:
        table = pa.table({c: pa.array(v, pa.string()) for c, v in self.cols.items()})
        self.cols = {c: [] for c in self.columns}
        return table


def _lon_lat(text: str, sep: str) -> tuple[Optional[str], Optional[str]]:
    parts = text.replace(",", " ").split() if sep == " " else text.strip().split(",")
    parts = [p.strip() for p in parts]
    if len(parts) < 2:
        return None, None
    return parts[0], parts[1]


def read_pings(path: Path, rows: int, fields: list[str],
               member: Optional[str] = None) -> Iterator[tuple[pa.Table, np.ndarray]]:
    """(table of up to ``rows`` pings, their 1-based numbers), in file order."""
    pings = _Pings(Path(path).stem, fields)
    parser = _parser(pings)
    first = 1
    try:
        with _open(path, member) as fh:
            while True:
                block = fh.read(FEED_BYTES)
                parser.Parse(block, not block)
                while len(pings.cols["lat"]) >= rows or (not block and pings.cols["lat"]):
                    table = pings.take()
                    if table.num_rows > rows:  # put the rest back, in order
                        rest = table.slice(rows)
                        for c in pings.columns:
                            pings.cols[c] = rest.column(c).to_pylist() + pings.cols[c]
                        table = table.slice(0, rows)
                    yield table, np.arange(first, first + table.num_rows, dtype=np.int64)
                    first += table.num_rows
                if not block:
                    break
    except Refused:
        raise UserError(f"{path}: the KML file declares a DOCTYPE or ENTITY, which auditor "
                        "does not read (it can hide entity bombs or external files) — export "
                        "it again without a DTD") from None
    except expat.ExpatError as exc:
        raise UserError(f"{path}: not a readable KML file ({expat.ErrorString(exc.code)} at "
                        f"line {exc.lineno}) — export it again") from None
    except (OSError, zipfile.BadZipFile) as exc:
        raise UserError(f"{path}: cannot read ({exc}) — check the file") from None
    if first == 1:
        if (pings.root or "kml") != "kml":
            raise UserError(f"{path}: an XML file of <{pings.root}>, not KML or GPX — export "
                            "the tracks as GPX, KML, CSV or Parquet")
        raise UserError(f"{path}: no timed positions in this KML file ({pings.untimed} "
                        "placemark(s) without a time: routes or places, not tracks) — export "
                        "the track with times (gx:Track, or points with a TimeStamp), or as GPX")
