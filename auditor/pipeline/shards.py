"""Shards of whole vehicles: what one engine task derives, and where its pings come from.

A shard is one vehicle bucket (``vehicle_bucket``: a stable hash of the id, so a vehicle
lands in the same bucket on every machine, in every run and in the Parquet pings store). A
shard never splits a vehicle, so deriving the fleet is a plain map over shards — no groupby
shuffle — and the result does not depend on how many shards there are or who ran them:
``derive_shard`` is pure, and the client puts the pieces back in vehicle order.

Every source here is a small picklable description that a Dask worker can resolve itself
(``read``): the project's SQLite file opened read-only, a Parquet bucket, or — for a cluster
that cannot see the client's files — the pings frame itself, read on the client.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

import numpy as np
import pandas as pd

from auditor.store.pings_dataset import vehicle_bucket  # noqa: F401  (shards = its buckets)

PING_READ = ["ping_id", "vehicle_id", "ts", "utc_offset_min", "lat", "lon", "trip_id"]
# from the project file: not ping_id — read_pings returns rows in (vehicle, ts, ping_id) order
# already, and every value read costs (Python steps each row): ~1.3x faster reads (issue 16)
SQLITE_PING_READ = [c for c in PING_READ if c != "ping_id"]
TABLES = ("trips", "stops", "places", "features", "twin_features", "clocks",
          "trip_ids_set_aside", "trips_cut_short", "moves")


MIN_SHARD_VEHICLES = 25  # below this a shard is mostly the ~0.3 s fixed cost of a derive call
SHARDS_PER_WORKER = 4     # enough shards that workers finish together (the last one is short)
SHARDS_PER_PROCESS = 2    # the local pool: shards of equal pings, so a couple per process will do


def buckets_for(n_vehicles: int, vehicles_per_shard: int) -> int:
    return max(1, -(-int(n_vehicles) // max(1, int(vehicles_per_shard))))


def vehicles_per_shard(n_vehicles: int, batch_vehicles: int, workers: int) -> int:
    """Shard size: ``batch_vehicles`` (the memory bound) in one process; on a cluster also
    small enough to give every worker a few shards, but never below MIN_SHARD_VEHICLES."""
    if workers <= 1:
        return batch_vehicles
    spread = -(-int(n_vehicles) // (SHARDS_PER_WORKER * workers))
    return max(1, min(batch_vehicles, max(MIN_SHARD_VEHICLES, spread)))


def plan_shards(vehicle_ids: Sequence[str], n_buckets: int) -> list[tuple[int, list[str]]]:
    """(bucket, its vehicle ids sorted) for every non-empty bucket, in bucket order."""
    ids = np.asarray(sorted(vehicle_ids), dtype=object)
    buckets = vehicle_bucket(ids, n_buckets)
    return [(int(b), ids[buckets == b].tolist()) for b in np.unique(buckets)]


def plan_ranges(counts: Sequence[tuple[str, int]], n_shards: int,
                max_vehicles: int) -> list[list[str]]:
    """Runs of consecutive vehicles (``counts``: (vehicle id, pings) sorted by id) holding
    about equal numbers of pings: ``n_shards`` of them, more if a run would exceed
    ``max_vehicles`` (the memory bound). A run is one range scan of the pings index, and equal
    pings mean the processes finish together."""
    if not counts:
        return []
    n_shards = max(1, int(n_shards), buckets_for(len(counts), max_vehicles))
    pings = np.cumsum([int(n) for _, n in counts], dtype=np.int64)
    # cut where the running ping total crosses each k/n_shards of the whole
    targets = pings[-1] * np.arange(1, n_shards) / n_shards
    cuts = np.unique(np.searchsorted(pings, targets, side="left") + 1)
    cuts = cuts[(cuts > 0) & (cuts < len(counts))]
    ids = [v for v, _ in counts]
    out = []
    for part in np.split(np.arange(len(ids)), cuts):
        for i in range(0, len(part), max(1, int(max_vehicles))):  # never above the bound
            out.append([ids[j] for j in part[i:i + max_vehicles]])
    return out


@dataclass(frozen=True)
class SqliteShard:
    """Pings of ``vehicle_ids`` read from the project file by whoever runs the task (a worker
    on a machine that sees the file: the local engine's pool or a LocalCluster's). With
    ``consecutive`` the ids are every pinged vehicle from the first to the last (plan_ranges):
    read as one range of the index."""
    path: str
    vehicle_ids: tuple
    consecutive: bool = False

    def read(self) -> pd.DataFrame:
        from auditor.store import open_project
        from auditor.store.queries import read_pings
        conn = open_project(self.path, create=False, readonly=True)
        try:
            if self.consecutive:
                return read_pings(conn, columns=SQLITE_PING_READ,
                                  vehicle_range=(self.vehicle_ids[0], self.vehicle_ids[-1]))
            return read_pings(conn, list(self.vehicle_ids), columns=SQLITE_PING_READ)
        finally:
            conn.close()


@dataclass(frozen=True)
class DatasetShard:
    """Consecutive buckets of the project's Parquet pings store, read by the worker itself
    (the dataset folder must be reachable from the workers: the same path on shared storage).
    Several buckets per shard: derivation costs ~0.3 s per call whatever its size, so a shard
    of a few vehicles would be mostly overhead."""
    bucket_files: tuple

    def read(self) -> pd.DataFrame:
        from auditor.store.pings_dataset import read_bucket_files
        return read_bucket_files([Path(f) for f in self.bucket_files], PING_READ)


def group_buckets(vehicles_per_bucket: dict, vehicles_per_shard: int) -> list[list[int]]:
    """Consecutive buckets gathered until a shard holds ``vehicles_per_shard`` vehicles."""
    groups, current, n = [], [], 0
    for bucket in sorted(vehicles_per_bucket):
        current.append(bucket)
        n += vehicles_per_bucket[bucket]
        if n >= vehicles_per_shard:
            groups.append(current)
            current, n = [], 0
    if current:
        groups.append(current)
    return groups


@dataclass(frozen=True)
class FrameShard:
    """Pings read on the client and shipped with the task (a cluster without the file)."""
    pings: pd.DataFrame

    def read(self) -> pd.DataFrame:
        return self.pings


def vehicle_digests(pings: pd.DataFrame) -> pd.DataFrame:
    """One sha256 per vehicle over its (ts, lat, lon) in (vehicle, ts, ping_id) order: the
    data hash is built from these in vehicle order, so it is the same however the fleet was
    sharded or stored. One hashlib call per vehicle, none per ping."""
    if not len(pings):
        return pd.DataFrame({"vehicle_id": pd.Series([], dtype=object),
                             "digest": pd.Series([], dtype=object)})
    # runs of one vehicle from its codes: no Python object per ping (the ids are Arrow
    # strings under pandas 3; an object copy of them cost ~0.03 s per 400k pings)
    codes, names = pd.factorize(pings["vehicle_id"], use_na_sentinel=False)
    names = np.asarray(names, dtype=object)
    ts = np.ascontiguousarray(pings["ts"].to_numpy(dtype=np.int64))
    lat = np.ascontiguousarray(pings["lat"].to_numpy(dtype=np.float64))
    lon = np.ascontiguousarray(pings["lon"].to_numpy(dtype=np.float64))
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    ends = np.r_[starts[1:], len(codes)]
    vid = names[codes[starts]]
    out = []
    for v, s, e in zip(vid, starts, ends):
        h = hashlib.sha256(str(v).encode("utf-8") + b"\0")
        h.update(ts[s:e].tobytes())
        h.update(lat[s:e].tobytes())
        h.update(lon[s:e].tobytes())
        out.append(h.digest())
    return pd.DataFrame({"vehicle_id": vid, "digest": np.asarray(out, dtype=object)})


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (MB). Linux: VmHWM — getrusage's maxrss
    of a spawned worker starts at its parent's peak; elsewhere psutil."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import psutil
    info = psutil.Process().memory_info()
    return getattr(info, "peak_wset", info.rss) / 2**20


def derive_shard(source, vehicles: Optional[pd.DataFrame], config: dict) -> dict:
    """The task every engine maps over shards: read the shard's pings, digest them, derive
    the per-vehicle tables. Returns plain frames (picklable), the ping count and the shard's
    vehicles."""
    import os
    import time

    from auditor.pipeline.derive import _sorted_by_vehicle_and_time, derive_vehicle_tables
    started = time.perf_counter()
    pings = source.read()
    read_s = time.perf_counter() - started
    pings = _sorted_by_vehicle_and_time(pings)
    digests = vehicle_digests(pings)
    ids = digests["vehicle_id"].tolist()
    if vehicles is not None and len(vehicles):
        vehicles = vehicles[vehicles["vehicle_id"].isin(ids)]
    tables = derive_vehicle_tables(pings, vehicles, config) if len(pings) else None
    # for bench/scale.py's plan: time, and the peak memory of the process that ran it
    stats = {"read_s": read_s, "seconds": time.perf_counter() - started, "pid": os.getpid(),
             "max_rss_mb": peak_rss_mb()}
    return {"tables": tables, "digests": digests, "n_pings": len(pings), "vehicles": ids,
            "stats": stats}


def assemble(results: list[dict]) -> tuple[dict, int, pd.DataFrame]:
    """Shard results -> (fleet tables in vehicle order, ping count, per-vehicle digests).
    The order is (vehicle_id, then the row order derive gave within the vehicle), the order
    one in-process pass over the sorted fleet gives, so every engine and shard plan agrees."""
    done = [r for r in results if r["tables"] is not None]
    tables = {}
    for name in TABLES:
        frames = [r["tables"][name] for r in done]
        if any(f is None for f in frames):  # a table the config does not make (twin_features)
            tables[name] = None
            continue
        frame = pd.concat(frames, ignore_index=True)
        order = np.argsort(frame["vehicle_id"].to_numpy(dtype=object), kind="stable")
        if not np.array_equal(order, np.arange(len(order))):
            frame = frame.iloc[order].reset_index(drop=True)
        tables[name] = frame
    digests = pd.concat([r["digests"] for r in results], ignore_index=True)
    digests = digests.sort_values("vehicle_id", kind="stable").reset_index(drop=True)
    return tables, sum(r["n_pings"] for r in results), digests
