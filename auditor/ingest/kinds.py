"""Writing one chunk of each kind: the rules that need other rows, then the bulk insert.

Each writer takes a typed chunk frame (rows.py) whose ``reason`` column holds the row-local
verdicts, adds its own, inserts the accepted rows and returns the frame's final reasons."""
from __future__ import annotations

import json
import sqlite3
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from auditor.ingest import persist
from auditor.ingest.memory import ImportMemory
from auditor.ingest.validate import CODE, OK, glitches
from auditor.store.bulk import insert_columns, insert_frame, python_values
from auditor.store.content_hash import ImportDigest, store_digests

PING_COLUMNS = ["vehicle_id", "ts", "utc_offset_min", "lat", "lon", "speed_mps", "heading_deg",
                "trip_id"]


INTEGER_COLUMNS = ("ts", "utc_offset_min")
_TEXT_COLUMNS = ("vehicle_id", "trip_id")


def _one_integer(values: np.ndarray):
    """The value if every row holds the same whole number, else None."""
    if not len(values):
        return None
    first = values[0]
    if not np.isfinite(first) or first != int(first) or not (values == first).all():
        return None
    return int(first)


class PingWriter:
    """Duplicates and impossible jumps are judged against this file's earlier chunks and the
    project's pings of the same vehicles, so the rules hold across chunk boundaries and across
    imports: through the pings index, or (first import) through ImportMemory."""

    def __init__(self, conn: sqlite3.Connection, import_id: int):
        self.conn = conn
        self.import_id = import_id
        self.stored = persist.has_pings(conn)
        # First pings of a project: build the index once at the end (cheaper than growing it
        # row by row) and keep what later chunks need to know in memory instead.
        self.memory = None if self.stored else ImportMemory()
        self.indexes = [] if self.stored else persist.drop_indexes(conn, "pings")
        # the import's content digest, from the rows as they are written (exports prove the
        # pings by it instead of hashing them all again: auditor.store.content_hash)
        self.digest = ImportDigest(import_id)
        self.hashing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-digest")
        self.hashed: list = []

    def finish(self) -> None:
        self.hashing.shutdown(wait=True)
        for done in self.hashed:
            done.result()  # a failure while hashing fails the import
        store_digests(self.conn, {self.import_id: self.digest.result()})
        if self.indexes:
            persist.create_indexes(self.conn, self.indexes)
        self.indexes = []

    # the part of a chunk's work that needs no project: run on the reader thread when the
    # import's scope leaves the frame as validated (api._import)
    @staticmethod
    def prepare(frame: pd.DataFrame) -> "SortedPings":
        return SortedPings.of(frame)

    def write(self, frame: pd.DataFrame, prepared: "SortedPings | None" = None) -> np.ndarray:
        reason = frame["reason"].to_numpy().copy()
        p = prepared if prepared is not None else SortedPings.of(frame)
        good, vcode, ts, lat, lon, vehicle = p.good, p.vcode, p.ts, p.lat, p.lon, p.vehicle
        dup = p.dup.copy()
        context = None
        if self.memory is not None:
            dup |= self.memory.seen(self.conn, vehicle, vcode, frame.attrs["vehicle_ids"], ts,
                                    lat, lon)
            keep = ~dup
            if keep.any():  # the same pings a later import reads through the index
                context = self._with_codes(self.memory.context(
                    self.conn, _spans(vehicle[keep], vcode[keep], ts[keep])), vehicle, vcode)
        elif self.stored and (~dup).any():
            keep = ~dup
            context = self._context(vehicle[keep], vcode[keep], ts[keep])
            if len(context):
                dup |= _in_context(vcode, ts, lat, lon, context)
        keep = ~dup
        reason[good[dup]] = CODE["duplicate_ping"]
        jump = _jumps(vcode[keep], ts[keep], lat[keep], lon[keep], context)
        reason[good[keep][jump]] = CODE["impossible_jump"]
        ok = np.flatnonzero(keep)[~jump]
        if len(ok):
            constants = {"import_id": int(self.import_id), **p.constants}
            insert_columns(self.conn, "pings", p.lists, constants=constants,
                           keep=None if len(ok) == len(good) else ok)
            # one transaction, one writer: the rows took the next ping_ids, in row order
            first = self.conn.execute("SELECT last_insert_rowid()").fetchone()[0] - len(ok) + 1
            rows = p.accepted(ok)
            # hashing (sha256 releases the GIL) runs on one helper thread, in chunk order,
            # while this thread inserts the next chunk
            self.hashed.append(self.hashing.submit(self.digest.add, first, len(ok),
                                                   {**rows, **constants}))
            if self.memory is not None:
                self.memory.add(first, vehicle[ok], ts[ok], lat[ok], lon[ok])
        self.stored = self.stored or bool(len(ok))
        return reason

    @staticmethod
    def _with_codes(context: pd.DataFrame, vehicle: np.ndarray, vcode: np.ndarray):
        """Give stored neighbours this chunk's vehicle codes (they only hold its vehicles)."""
        codes, first = np.unique(vcode, return_index=True)
        lookup = pd.Series(codes, index=vehicle[first])
        context = context.copy()
        context["vcode"] = lookup.reindex(context["vehicle_id"].to_numpy()).to_numpy(np.int64)
        return context

    def _context(self, vehicle: np.ndarray, vcode: np.ndarray, ts: np.ndarray) -> pd.DataFrame:
        """Stored pings around this chunk's spans (vcode is sorted: spans are runs)."""
        return self._with_codes(persist.project_context(self.conn, _spans(vehicle, vcode, ts)),
                                vehicle, vcode)


def _spans(vehicle: np.ndarray, vcode: np.ndarray, ts: np.ndarray) -> pd.DataFrame:
    """Each vehicle's [lo, hi] in a chunk sorted by (vehicle, ts): its rows are a run."""
    starts = np.r_[0, np.flatnonzero(vcode[1:] != vcode[:-1]) + 1]
    ends = np.r_[starts[1:], len(vcode)] - 1
    return pd.DataFrame({"vehicle_id": vehicle[starts], "lo": ts[starts], "hi": ts[ends]})


class SortedPings:
    """A chunk's rows that no row-local rule refused, in (vehicle, ts, source line) order —
    the order they are judged and inserted in — with their exact repeats within the chunk and
    the columns to insert (as arrays for the digest and as Python lists for sqlite3). Needs
    no project, so the reader thread makes it while the writer stores the chunk before."""

    def __init__(self, good, vcode, ts, lat, lon, vehicle, dup, values, lists, constants):
        self.good, self.vcode, self.ts, self.lat, self.lon = good, vcode, ts, lat, lon
        self.vehicle, self.dup = vehicle, dup
        self.values, self.lists, self.constants = values, lists, constants

    @classmethod
    def of(cls, frame: pd.DataFrame) -> "SortedPings":
        good = np.flatnonzero(frame["reason"].to_numpy() == OK)
        vcode = frame["vcode"].to_numpy()[good]
        ts = frame["ts"].to_numpy()[good]
        order = _time_order(vcode, ts, frame["line"].to_numpy()[good])
        good, vcode, ts = good[order], vcode[order], ts[order]
        lat, lon = frame["lat"].to_numpy()[good], frame["lon"].to_numpy()[good]
        vehicle = frame["vehicle_id"].to_numpy()[good]
        dup = _duplicates(vcode, ts, lat, lon)
        # columns that are empty in this chunk are left to their NULL default, and a column
        # holding one integer (the offset of a file in one zone) goes into the statement:
        # fewer values bound per row
        empty = frame.attrs.get("empty", ())
        known = {"vehicle_id": vehicle, "ts": ts, "lat": lat, "lon": lon}
        values, constants = {}, {}
        for c in PING_COLUMNS:
            if c in empty:
                continue
            column = known[c] if c in known else frame[c].to_numpy()[good]
            same = _one_integer(column) if c in INTEGER_COLUMNS else None
            if same is not None:
                constants[c] = same
            else:
                values[c] = column
        # text columns hold str or None already (rows.pings makes them from codes): a plain
        # tolist, without python_values' scan for NaN/NA (~0.15 s per 2M pings)
        lists = {c: v.tolist() if c in _TEXT_COLUMNS else python_values(v)
                 for c, v in values.items()}
        return cls(good, vcode, ts, lat, lon, vehicle, dup, values, lists, constants)

    def accepted(self, ok: np.ndarray) -> dict:
        """The columns' arrays for rows ``ok`` (sorted positions, ascending)."""
        if len(ok) == len(self.good):
            return self.values
        return {c: v[ok] for c, v in self.values.items()}


def _time_order(vcode: np.ndarray, ts: np.ndarray, line: np.ndarray) -> np.ndarray:
    """Order by (vehicle, ts, source line). Rows arrive in line order, so a stable sort on one
    combined int64 key does it, and fast: exports are mostly sorted already."""
    if len(ts) and vcode.max() < 2**29 and int(ts.max()) - int(ts.min()) < 2**33:
        key = (vcode.astype(np.int64) << 33) | (ts - ts.min())
        return np.argsort(key, kind="stable")
    return np.lexsort((line, ts, vcode))


def _duplicates(vcode, ts, lat, lon) -> np.ndarray:
    """Exact repeats of (vehicle, ts, lat, lon) after their first occurrence, for rows sorted
    by (vehicle, ts, line). Only rows sharing (vehicle, ts) with a neighbour can repeat."""
    same = (vcode[1:] == vcode[:-1]) & (ts[1:] == ts[:-1])
    tied = np.r_[same, False] | np.r_[False, same]
    dup = np.zeros(len(ts), bool)
    if tied.any():
        idx = np.flatnonzero(tied)
        sub = pd.DataFrame({"v": vcode[idx], "t": ts[idx], "a": lat[idx], "o": lon[idx]})
        dup[idx] = sub.duplicated(keep="first").to_numpy()
    return dup


def _in_context(vcode, ts, lat, lon, context: pd.DataFrame) -> np.ndarray:
    keys = ["vcode", "ts", "lat", "lon"]
    mine = pd.DataFrame({"vcode": vcode, "ts": ts, "lat": lat, "lon": lon})
    hit = mine.merge(context[keys].drop_duplicates(), on=keys, how="left", indicator=True)
    return (hit["_merge"] == "both").to_numpy()


def _jumps(vcode, ts, lat, lon, context) -> np.ndarray:
    """Glitch mask over the given rows (sorted by vehicle, time); stored pings are trusted
    neighbours and never refused themselves."""
    if context is None or not len(context):
        return glitches(vcode, ts, lat, lon)
    n = len(vcode)
    all_v = np.concatenate([vcode, context["vcode"].to_numpy()])
    all_t = np.concatenate([ts, context["ts"].to_numpy()])
    all_lat = np.concatenate([lat, context["lat"].to_numpy()])
    all_lon = np.concatenate([lon, context["lon"].to_numpy()])
    stored = np.r_[np.zeros(n, bool), np.ones(len(context), bool)]
    order = _neighbour_order(all_v, all_t, stored)
    flagged = glitches(all_v[order], all_t[order], all_lat[order], all_lon[order])
    out = np.zeros(len(all_v), bool)
    out[order[flagged]] = True
    return out[:n]


def _neighbour_order(vcode, ts, stored) -> np.ndarray:
    """Order by (vehicle, ts), stored pings first at equal times. New rows arrive sorted and
    context is short, so a stable sort of one combined key is nearly a merge."""
    if vcode.max() < 2**29 and int(ts.max()) - int(ts.min()) < 2**33:
        key = (vcode.astype(np.int64) << 34) | ((ts - ts.min()) << 1) | (~stored).astype(np.int64)
        return np.argsort(key, kind="stable")
    return np.lexsort((~stored, ts, vcode))


class LabelWriter:
    def __init__(self, conn: sqlite3.Connection, import_id: int):
        self.conn, self.import_id = conn, import_id

    def finish(self) -> None:
        pass

    def write(self, frame: pd.DataFrame) -> np.ndarray:
        reason = frame["reason"].to_numpy()
        rows = frame.loc[reason == OK]
        rows = rows.assign(import_id=self.import_id, source_line=rows["line"])
        insert_frame(self.conn, "labels", rows,
                     ["vehicle_id", "label", "lat", "lon", "import_id", "source_line"])
        return reason


class VehicleWriter:
    """Upsert: a later import of a vehicle replaces its metadata (last row of a file wins).
    A vehicle a file names twice with different metadata is noted (``summary_notes``): which
    row is right, nobody can tell from the file."""

    def __init__(self, conn: sqlite3.Connection, import_id: int):
        self.conn, self.import_id = conn, import_id
        self.seen: dict[str, str] = {}
        self.twice: dict[str, tuple[str, str]] = {}

    def finish(self) -> None:
        pass

    def summary_notes(self) -> dict:
        if not self.twice:
            return {}
        vid, (old, new) = min(self.twice.items())
        return {"vehicles_named_twice": {"vehicles": len(self.twice),
                                         "example": f"{vid}: {_meta_change(old, new)}"}}

    def write(self, frame: pd.DataFrame) -> np.ndarray:
        reason = frame["reason"].to_numpy()
        rows = frame.loc[reason == OK]
        # a few thousand vehicles per file: one dict lookup per row is fine
        for vid, meta in zip(rows["vehicle_id"].tolist(), rows["meta"].tolist()):
            before = self.seen.get(vid)
            if before is not None and before != meta and vid not in self.twice:
                self.twice[vid] = (before, meta)
            self.seen[vid] = meta
        self.conn.executemany(
            "INSERT INTO vehicles (vehicle_id, meta, import_id) VALUES (?, ?, ?) "
            "ON CONFLICT (vehicle_id) DO UPDATE SET meta = excluded.meta, "
            "import_id = excluded.import_id",
            zip(rows["vehicle_id"].tolist(), rows["meta"].tolist(),
                [self.import_id] * len(rows)))
        return reason


def _meta_change(old: str, new: str) -> str:
    """'timezone America/Chicago, then Asia/Tokyo' for the first key whose value differs."""
    a, b = json.loads(old), json.loads(new)
    key = next(k for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k))
    return f"{key} {a.get(key, '') or '(empty)'}, then {b.get(key, '') or '(empty)'}"


WRITERS = {"pings": PingWriter, "labels": LabelWriter, "vehicles": VehicleWriter}
