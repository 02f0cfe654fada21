"""The fix loop's import options: which vehicles a pings import may touch and how it reads their
clocks.

``--only KEY=VALUE`` keeps the rows of vehicles whose metadata matches (every key must; a key
given twice matches either value, so ``--only vehicle_id=A --only vehicle_id=B`` names two
vehicles; KEY may be vehicle_id);
``--ignore-offset`` distrusts the offset a timestamp states ('Z' included) and reads its wall
time as local time in the vehicle's metadata ``timezone`` (or ``--tz``): what a firmware that
stamps local time as UTC needs; ``--replace`` deletes a vehicle's stored pings the first time
the file reaches it, in the import's own transaction, so a re-import never doubles pings — and
in a labels file its labels (a labels file read with its lat and lon swapped, imported again
with --map), so the new labels are the vehicle's only ones.
"""
from __future__ import annotations

import json
import sqlite3
import zoneinfo
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Optional, Union

import numpy as np
import pandas as pd

from auditor.errors import UserError
from auditor.ingest import repeated_hour
from auditor.ingest.timestamps import VEHICLE_ZONE
from auditor.ingest.validate import OK, TimeWindow, mark
from auditor.store import pings_dataset

ZONE_COLUMN = "timezone"


def parse_only(items: Optional[Iterable[str]]) -> dict[str, Union[str, tuple[str, ...]]]:
    """['firmware=fw-4.2.1', ...] -> {'firmware': 'fw-4.2.1'}; a key given more than once
    -> {'vehicle_id': ('A', 'B')} (sorted: the import's options key is the same whatever the
    order)."""
    out: dict[str, set[str]] = {}
    for item in items or ():
        key, sep, value = str(item).partition("=")
        if not sep or not key.strip():
            raise UserError(f"--only {item}: use KEY=VALUE with KEY a vehicle metadata column, "
                            "e.g. --only firmware=fw-4.2.1")
        out.setdefault(key.strip(), set()).add(value.strip())
    return {k: next(iter(v)) if len(v) == 1 else tuple(sorted(v)) for k, v in out.items()}


def _values(value) -> tuple[str, ...]:
    """One --only key's accepted values."""
    return (value,) if isinstance(value, str) else tuple(value)


def vehicle_meta(conn: sqlite3.Connection) -> dict[str, dict]:
    """vehicle_id -> metadata dict (one small JSON object per vehicle: a loop per vehicle)."""
    return {vid: json.loads(meta) for vid, meta in
            conn.execute("SELECT vehicle_id, meta FROM vehicles ORDER BY vehicle_id")}


@dataclass
class Scope:
    """What one pings import may do; ``active`` is False for a plain import."""
    only: dict = field(default_factory=dict)
    ignore_offset: bool = False
    replace: bool = False
    tz: Optional[str] = None
    window: Optional[TimeWindow] = None       # re-applied to the times --ignore-offset re-reads
    selected: Optional[frozenset] = None      # vehicle ids --only admits (None: all)
    zones: dict = field(default_factory=dict)  # vehicle_id -> IANA zone, for --ignore-offset
    replaced: set = field(default_factory=set)
    deleted: int = 0                          # rows of ``table`` --replace deleted
    not_selected: int = 0
    table: str = "pings"                      # what --replace replaces: pings or labels

    @property
    def active(self) -> bool:
        return bool(self.only) or self.ignore_offset or self.replace

    @property
    def vehicle_clock(self) -> bool:
        """--tz vehicle: naive stamps are wall time in each vehicle's metadata timezone."""
        return self.tz == VEHICLE_ZONE

    @property
    def changes_frames(self) -> bool:
        return self.active or self.vehicle_clock

    def options(self) -> dict:
        """What goes into the import's options key (nothing for a plain import, so keys of
        earlier imports stay the same)."""
        if not self.active:
            return {}
        # one value stays a string: the keys of imports made before a key could repeat
        only = {k: v if isinstance(v, str) else sorted(v) for k, v in sorted(self.only.items())}
        return {"only": only, "ignore_offset": self.ignore_offset,
                "replace": self.replace}

    def bind(self, conn: sqlite3.Connection, project: str) -> None:
        """Resolve --only and the zones against the project's vehicle metadata."""
        if not (self.only or self.ignore_offset or self.vehicle_clock):
            return
        meta = vehicle_meta(conn)
        if self.only:
            chosen = frozenset(v for v, m in meta.items()
                               if all(str(v if k == "vehicle_id" else m.get(k, "")) in _values(val)
                                      for k, val in self.only.items()))
            if not chosen:
                wanted = " and ".join(f"{k} = {' or '.join(_values(v))}"
                                      for k, v in self.only.items())
                raise UserError(f"{project}: no vehicle has {wanted} in its metadata — import "
                                "vehicles.csv first (--kind vehicles) or check --only")
            self.selected = chosen
        if self.ignore_offset or self.vehicle_clock:
            own = self.tz is None or self.vehicle_clock
            self.zones = {v: (str(m.get(ZONE_COLUMN, "")).strip() if own else self.tz)
                          for v, m in meta.items()}

    def apply(self, conn: sqlite3.Connection, frame: pd.DataFrame, file: str) -> pd.DataFrame:
        """This chunk as the scope admits it: other vehicles' rows dropped (counted in
        ``not_selected``), clocks re-read, and the admitted vehicles' old pings deleted."""
        if not self.changes_frames or not len(frame):
            return frame
        attrs = dict(frame.attrs)
        if self.selected is not None:
            keep = frame["vehicle_id"].isin(self.selected).to_numpy()
            self.not_selected += int((~keep).sum())
            frame = frame.loc[keep].reset_index(drop=True)
            frame.attrs.update(attrs)
        if (self.ignore_offset or "wall_clock" in frame) and len(frame):
            frame = self._retime(frame, file)
        if self.replace and len(frame):
            self._delete_old(conn, frame)
        return frame

    def _retime(self, frame: pd.DataFrame, file: str) -> pd.DataFrame:
        ok = (frame["reason"].to_numpy() == OK)
        if "wall_clock" in frame:  # --tz vehicle: the naive stamps only (all: --ignore-offset)
            if not self.ignore_offset:
                ok &= frame["wall_clock"].to_numpy(dtype=bool)
            frame = frame.drop(columns="wall_clock")
        vehicle = frame["vehicle_id"].to_numpy()
        fallback = "" if self.tz in (None, VEHICLE_ZONE) else self.tz
        zone = pd.Series(vehicle).map(self.zones).fillna(fallback).to_numpy(dtype=object)
        missing = ok & (zone == "")
        if missing.any():
            i = int(np.flatnonzero(missing)[0])
            what = ("--tz vehicle" if self.vehicle_clock else "--ignore-offset")
            raise UserError(f"{file}: line {frame['line'].iat[i]}: vehicle {vehicle[i]} has "
                            f"no {ZONE_COLUMN} in its metadata, so {what} cannot tell its "
                            "local time — import a vehicles file with its timezone first (in "
                            "the same command, before the pings) or pass --tz ZONE")
        ts = frame["ts"].to_numpy(dtype=np.int64)
        stated = np.nan_to_num(frame["utc_offset_min"].to_numpy(dtype=float))
        wall = ts + (stated * 60).astype(np.int64)   # the clock reading the file shows
        new_ts, offset = ts.copy(), frame["utc_offset_min"].to_numpy(dtype=float).copy()
        repeated = {}  # zone -> its rows' second occurrences, where it has a repeated hour
        for z in sorted(set(zone[ok])):  # a handful of zones, never a loop per ping
            rows = ok & (zone == z)
            utc = wall_to_utc(wall[rows], z, file)
            new_ts[rows] = utc
            offset[rows] = (wall[rows] - utc) / 60.0
            second = repeated_hour.second_occurrence(
                pd.Series(wall[rows].astype("datetime64[s]")), z, utc, np.ones(len(utc), bool))
            if (second != utc).any():  # the order decides (api.py, repeated_hour.Refolder)
                repeated[z] = (rows, second)
        later = new_ts.copy() if repeated else None
        for rows, second in repeated.values():
            later[rows] = second
        reason = frame["reason"].to_numpy().copy()
        if self.window is not None:
            mark(reason, ok & self.window.outside(new_ts), "implausible_timestamp")
        frame = frame.assign(ts=new_ts, utc_offset_min=offset, reason=reason,
                             **({repeated_hour.LATER: later} if later is not None else {}))
        frame.attrs.update(attrs_without_empty_offset(frame.attrs))
        return frame

    def _delete_old(self, conn: sqlite3.Connection, frame: pd.DataFrame) -> None:
        present = frame["vehicle_id"].dropna().unique()
        fresh = sorted(set(present) - self.replaced)
        if not fresh:
            return
        if self.table == "labels":  # (this import's own rows come after: none to delete yet)
            cur = conn.executemany("DELETE FROM labels WHERE vehicle_id = ?",
                                   [(v,) for v in fresh])
            self.deleted += max(cur.rowcount, 0)
            self.replaced.update(fresh)
            return
        # rowcount, not total_changes: the latter also counts what the pings triggers delete
        # (the stale import digests, schema migration 6)
        cur = conn.executemany("DELETE FROM pings WHERE vehicle_id = ?", [(v,) for v in fresh])
        self.deleted += max(cur.rowcount, 0)
        # pings in a Parquet store are dropped when the import's new version is written
        # (pings_dataset.Stage, these vehicles being in ``replaced``): count them now
        self.deleted += pings_dataset.stored_pings(conn, fresh)
        self.replaced.update(fresh)


def attrs_without_empty_offset(attrs: Mapping) -> dict:
    out = dict(attrs)
    out["empty"] = set(out.get("empty", ())) - {"utc_offset_min"}
    return out


def wall_to_utc(wall: np.ndarray, zone: str, file: str) -> np.ndarray:
    """Wall-clock seconds in ``zone`` -> UTC seconds; like --tz for naive times, an ambiguous
    autumn time takes the first (DST) occurrence and a spring-gap time moves forward."""
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise UserError(f"{file}: timezone {zone!r} of the vehicle metadata is not an IANA "
                        "zone name — fix the timezone column or pass --tz ZONE") from None
    naive = pd.DatetimeIndex(np.asarray(wall, dtype=np.int64).astype("datetime64[s]"))
    aware = naive.tz_localize(zone, ambiguous=np.ones(len(naive), dtype=bool),
                              nonexistent="shift_forward")
    return aware.tz_convert("UTC").tz_localize(None).to_numpy().astype(
        "datetime64[s]").astype(np.int64)
