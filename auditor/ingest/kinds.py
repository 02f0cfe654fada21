"""Writing one chunk of each kind: the rules that need other rows, then the bulk insert.

Each writer takes a typed chunk frame (rows.py) whose ``reason`` column holds the row-local
verdicts, adds its own, inserts the accepted rows and returns the frame's final reasons."""
from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd

from auditor.ingest import persist
from auditor.ingest.validate import OK, duplicated_within, glitches, mark
from auditor.store.bulk import insert_frame

PING_COLUMNS = ["vehicle_id", "ts", "utc_offset_min", "lat", "lon", "speed_mps", "heading_deg",
                "trip_id", "import_id"]


class PingWriter:
    """Duplicates and impossible jumps are judged against this file's earlier chunks and the
    project's pings of the same vehicles (both are already in the pings table), so the rules
    hold across chunk boundaries and across imports."""

    def __init__(self, conn: sqlite3.Connection, import_id: int):
        self.conn = conn
        self.import_id = import_id
        self.stored = persist.has_pings(conn)  # nothing stored yet: no context to ask for

    def write(self, frame: pd.DataFrame) -> np.ndarray:
        reason = frame["reason"].to_numpy().copy()
        ok = reason == OK
        dup = np.zeros(len(frame), bool)
        dup[ok] = duplicated_within(frame.loc[ok])
        mark(reason, dup, "duplicate_ping")
        ok = reason == OK
        context = self._context(frame.loc[ok]) if self.stored and ok.any() else None
        if context is not None and len(context):
            keys = ["vehicle_id", "ts", "lat", "lon"]
            seen = frame.loc[ok, keys].merge(context[keys].drop_duplicates(), on=keys,
                                             how="left", indicator=True)["_merge"]
            dup = np.zeros(len(frame), bool)
            dup[ok] = (seen == "both").to_numpy()
            mark(reason, dup, "duplicate_ping")
            ok = reason == OK
        mark(reason, self._jumps(frame, ok, context), "impossible_jump")
        accepted = reason == OK
        rows = frame.loc[accepted]
        order = _vehicle_time_order(rows["vehicle_id"].to_numpy(), rows["ts"].to_numpy(),
                                    rows["line"].to_numpy())
        rows = rows.iloc[order].assign(import_id=self.import_id)
        insert_frame(self.conn, "pings", rows, PING_COLUMNS)
        self.stored = self.stored or bool(len(rows))
        return reason

    def _context(self, good: pd.DataFrame) -> pd.DataFrame:
        spans = good.groupby("vehicle_id", sort=True)["ts"].agg(["min", "max"])
        spans = spans.reset_index().rename(columns={"min": "lo", "max": "hi"})
        return persist.project_context(self.conn, spans)

    def _jumps(self, frame: pd.DataFrame, ok: np.ndarray, context) -> np.ndarray:
        idx = np.flatnonzero(ok)
        vehicle = frame["vehicle_id"].to_numpy()[idx]
        ts = frame["ts"].to_numpy()[idx]
        lat = frame["lat"].to_numpy()[idx]
        lon = frame["lon"].to_numpy()[idx]
        line = frame["line"].to_numpy()[idx]
        new = np.ones(len(idx), bool)
        if context is not None and len(context):  # stored pings are trusted neighbours
            vehicle = np.concatenate([vehicle, context["vehicle_id"].to_numpy(dtype=object)])
            ts = np.concatenate([ts, context["ts"].to_numpy()])
            lat = np.concatenate([lat, context["lat"].to_numpy()])
            lon = np.concatenate([lon, context["lon"].to_numpy()])
            line = np.concatenate([line, np.full(len(context), -1, np.int64)])
            new = np.concatenate([new, np.zeros(len(context), bool)])
        order = _vehicle_time_order(vehicle, ts, line)
        codes = pd.factorize(vehicle[order])[0]
        glitch_sorted = glitches(codes, ts[order], lat[order], lon[order]) & new[order]
        out = np.zeros(len(frame), bool)
        out[idx[order[glitch_sorted & (order < len(idx))]]] = True
        return out


def _vehicle_time_order(vehicle: np.ndarray, ts: np.ndarray, line: np.ndarray) -> np.ndarray:
    """Stable order by (vehicle_id, ts, source line): deterministic for ties."""
    codes = pd.factorize(vehicle, sort=True)[0]
    return np.lexsort((line, ts, codes))


class LabelWriter:
    def __init__(self, conn: sqlite3.Connection, import_id: int):
        self.conn, self.import_id = conn, import_id

    def write(self, frame: pd.DataFrame) -> np.ndarray:
        reason = frame["reason"].to_numpy()
        rows = frame.loc[reason == OK].assign(import_id=self.import_id, source_line=frame["line"])
        insert_frame(self.conn, "labels", rows,
                     ["vehicle_id", "label", "lat", "lon", "import_id", "source_line"])
        return reason


class VehicleWriter:
    """Upsert: a later import of a vehicle replaces its metadata (last row of a file wins)."""

    def __init__(self, conn: sqlite3.Connection, import_id: int):
        self.conn, self.import_id = conn, import_id

    def write(self, frame: pd.DataFrame) -> np.ndarray:
        reason = frame["reason"].to_numpy()
        rows = frame.loc[reason == OK]
        self.conn.executemany(
            "INSERT INTO vehicles (vehicle_id, meta, import_id) VALUES (?, ?, ?) "
            "ON CONFLICT (vehicle_id) DO UPDATE SET meta = excluded.meta, "
            "import_id = excluded.import_id",
            zip(rows["vehicle_id"].tolist(), rows["meta"].tolist(),
                [self.import_id] * len(rows)))
        return reason


WRITERS = {"pings": PingWriter, "labels": LabelWriter, "vehicles": VehicleWriter}
