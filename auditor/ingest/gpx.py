"""GPX tracks -> pings, streamed: the file is fed to expat block by block and track points come
out in chunks, so a large GPX file is never held whole (neither its text nor a tree of it).

A GPX file is untrusted XML. Any DOCTYPE (and so any ENTITY declaration: they live in the DTD)
is refused before it is processed, whatever XML libraries are installed: this module uses the
standard library's expat directly, with no DTD, no external entities, no entity expansion.

Which vehicle a track is (``vehicle_per_track``): a file whose differently named tracks never
overlap in time is one device's log — a phone or tracker app writes a track a day or a drive,
named by its date ('2025-03-04 drives') — and is one vehicle, named after the file. Tracks that
overlap in time cannot be one vehicle: each is one, named by its <name> (else the file's stem).
The ``track`` column keeps every point's track name, so `--map vehicle_id=track` makes each
track a vehicle whatever the times say. Trip ids are "track<t>.segment<s>"; the line number
of a point is its 1-based position among the file's points."""
from __future__ import annotations

import contextlib
import re
import xml.parsers.expat as expat
from pathlib import Path
from typing import Iterator

import numpy as np
import pyarrow as pa

from auditor.errors import UserError
from auditor.ingest.encoding import open_bytes

GPX_COLUMNS = ["vehicle_id", "timestamp", "lat", "lon", "speed_mps", "trip_id", "track"]
FEED_BYTES = 256 << 10


class Refused(Exception):
    """A construct this reader will not process (DOCTYPE / ENTITY)."""


def _local(name: str) -> str:
    return name.rsplit(":", 1)[-1]


class _Points:
    """expat callbacks that collect track points column-wise."""

    def __init__(self, stem: str, per_track: bool = True):
        self.stem = stem
        self.per_track = per_track  # else every track is the file's one vehicle
        self.cols: dict[str, list] = {c: [] for c in GPX_COLUMNS}
        self.track = 0          # 1-based number of the current <trk>
        self.segment = 0        # 1-based number of the current <trkseg> in it
        self.vehicle = stem
        self.track_points = 0   # points seen in the current track
        self.path: list[str] = []
        self.text: list[str] = []
        self.point: dict | None = None
        self.count = 0

    def start(self, name: str, attrs: dict) -> None:
        tag = _local(name)
        if not self.path and not hasattr(self, "root"):
            self.root = tag   # <gpx>, or another XML format sent our way (<kml>)
        self.path.append(tag)
        if tag == "trk":
            self.track += 1
            self.segment = 0
            self.vehicle = self.stem
            self.track_points = 0
        elif tag == "trkseg":
            self.segment += 1
        elif tag == "trkpt" and self.track:
            self.point = {"lat": attrs.get("lat"), "lon": attrs.get("lon"), "timestamp": None,
                          "speed_mps": None}
        self.text = []

    def chars(self, data: str) -> None:
        self.text.append(data)

    def end(self, name: str) -> None:
        tag = _local(name)
        self.path.pop()
        parent = self.path[-1] if self.path else ""
        if self.point is not None:
            if tag == "time" and parent == "trkpt":
                self.point["timestamp"] = "".join(self.text)
            elif tag == "speed" and self.point["speed_mps"] is None:
                self.point["speed_mps"] = "".join(self.text)  # GPX 1.0, or an extension
            elif tag == "trkpt":
                self._emit(self.point)
                self.point = None
        elif tag == "name" and parent == "trk" and not self.track_points:
            self.vehicle = "".join(self.text).strip() or self.stem
        self.text = []

    def _emit(self, point: dict) -> None:
        cols = self.cols
        cols["vehicle_id"].append(self.vehicle if self.per_track else self.stem)
        cols["track"].append(self.vehicle)
        cols["timestamp"].append(point["timestamp"])
        cols["lat"].append(point["lat"])
        cols["lon"].append(point["lon"])
        cols["speed_mps"].append(point["speed_mps"])
        cols["trip_id"].append(f"track{self.track}.segment{max(self.segment, 1)}")
        self.track_points += 1
        self.count += 1

    def take(self) -> pa.Table:
        table = pa.table({c: pa.array(v, pa.string()) for c, v in self.cols.items()})
        self.cols = {c: [] for c in GPX_COLUMNS}
        return table


def _refuse(*_args) -> None:
    raise Refused("DOCTYPE/ENTITY declarations are not accepted")


@contextlib.contextmanager
def _read_errors(path: Path):
    """A GPX file's problems as one UserError naming the file and the fix."""
    try:
        yield
    except Refused:
        raise UserError(f"{path}: the GPX file declares a DOCTYPE or ENTITY, which auditor "
                        "does not read (it can hide entity bombs or external files) — export "
                        "the track again without a DTD") from None
    except expat.ExpatError as exc:
        raise UserError(f"{path}: not a readable GPX file ({expat.ErrorString(exc.code)} at "
                        f"line {exc.lineno}) — export it again") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror}) — check permissions") from None


def _parser(handler) -> "expat.XMLParserType":
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    parser.CharacterDataHandler = handler.chars
    return parser


class _Spans(_Points):
    """The first and last <time> of each track, with its name: all that decides whether the
    file's tracks are one vehicle (a first pass; nothing else is kept)."""

    def __init__(self, stem: str):
        super().__init__(stem)
        self.spans: list[list] = []   # [name, first time, last time] per track

    def _emit(self, point: dict) -> None:
        if self.track_points == 0:
            self.spans.append([self.vehicle, point["timestamp"], point["timestamp"]])
        else:
            self.spans[-1][2] = point["timestamp"]
        self.track_points += 1


_TRK = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?trk[\s>]")


def _track_tags(path: Path) -> int:
    """How many <trk> start tags the file's bytes hold (counting stops at 2): a C-speed scan
    that spares one-track files the parse that compares tracks."""
    seen, tail = 0, b""
    with _read_errors(path), open_bytes(path) as fh:
        while seen < 2:
            block = fh.read(FEED_BYTES)
            if not block:
                break
            data = tail + block
            # a tag wholly in the tail was counted with the block before
            seen += sum(1 for m in _TRK.finditer(data) if m.end() > len(tail))
            tail = data[-64:]
    return seen


def vehicle_per_track(path: Path) -> tuple[bool, int]:
    """(whether each track is its own vehicle, how many tracks): False when the file has
    differently named tracks and none of them overlaps another in time (module docstring);
    True when the names agree (nothing to decide) or the times cannot be read."""
    if _track_tags(path) < 2:   # one track (or none): nothing to decide, no second parse
        return True, 1
    spans = _Spans(Path(path).stem)
    parser = _parser(spans)
    with _read_errors(path), open_bytes(path) as fh:
        while True:
            block = fh.read(FEED_BYTES)
            parser.Parse(block, not block)
            if not block:
                break
    if len({name for name, _, _ in spans.spans}) < 2:
        return True, len(spans.spans)
    import pandas as pd
    try:
        lo = pd.to_datetime([s[1] for s in spans.spans], utc=True, format="ISO8601")
        hi = pd.to_datetime([s[2] for s in spans.spans], utc=True, format="ISO8601")
    except (ValueError, TypeError):
        return True, len(spans.spans)
    if lo.isna().any() or hi.isna().any():
        return True, len(spans.spans)
    order = np.argsort(lo.asi8, kind="stable")
    starts, ends = lo.asi8[order], np.maximum.accumulate(hi.asi8[order])
    overlap = bool((starts[1:] < ends[:-1]).any())
    return overlap, len(spans.spans)


def read_points(path: Path, rows: int,
                per_track: bool = True) -> Iterator[tuple[pa.Table, np.ndarray]]:
    """(table of up to ``rows`` points, their 1-based point numbers), in file order.
    ``per_track``: each track a vehicle (else all the file's one, named by its stem)."""
    points = _Points(Path(path).stem, per_track)
    parser = _parser(points)
    first = 1
    with _read_errors(path):
        with open_bytes(path) as fh:  # a .gpx.gz too (e.g. a bulk activity export)
            while True:
                block = fh.read(FEED_BYTES)
                parser.Parse(block, not block)
                while len(points.cols["lat"]) >= rows or (not block and points.cols["lat"]):
                    table = points.take()
                    extra = table.slice(rows) if table.num_rows > rows else None
                    table = table.slice(0, rows)
                    yield table, np.arange(first, first + table.num_rows, dtype=np.int64)
                    first += table.num_rows
                    if extra is not None:  # put the rest back, in order
                        for c in GPX_COLUMNS:
                            points.cols[c] = extra.column(c).to_pylist() + points.cols[c]
                if not block:
                    break
    if first == 1:
        root = getattr(points, "root", "gpx")
        if root.lower() != "gpx":
            raise UserError(f"{path}: an XML file of <{root}>, not GPX — export the tracks as "
                            "GPX, CSV or Parquet")
        raise UserError(f"{path}: no track points in this GPX file — export tracks, not only "
                        "waypoints or routes")
