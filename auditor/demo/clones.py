"""Planted duplicates for testing the duplicate detector (auditor.analysis.duplicates).

Applied to a demo fleet after its pings are written, only when asked (every count 0 by
default: the default demo's files are not touched):

- ``clones``: a vehicle's pings copied under a new id (the next free ``V…`` number), shifted by
  a few seconds, with a few metres of GPS jitter and a few pings lost — a cloned device id, or
  the same drives exported twice. The copy gets the source's metadata and (if labelled) its
  own given labels at the same places.
- ``reused``: two devices' pings under one id — a second vehicle of the same city reports under
  the first one's id; its own id disappears (pings, metadata, labels, truth).
- ``lookalikes``: healthy vehicles that must NOT be named: a new vehicle with the same home,
  work and errand places and the same schedule as another (a household's second car, a
  colleague), driving its own routes with its own day-to-day timing (departures jittered by
  minutes).

truth.json gains ``planted``: ``{"clones": [{"ids": [source, copy], "shift_s", "jitter_m"}],
"reused": [{"ids": [id], "devices": [id, absorbed id]}], "lookalikes": [{"ids": [source,
twin]}]}`` (the ids a detector should, or should not, name)."""
from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from auditor.demo import defects
from auditor.demo.cities import to_latlon
from auditor.demo.population import Vehicle, sample_places, vehicle_ids, vehicle_rng
from auditor.demo.routes import RouteBook, drive_pings
from auditor.demo.schedules import MIN_STAY_S, plan_itinerary
from auditor.errors import UserError

SHIFT_S = (3, 90)          # a clone's clock offset, seconds (either sign)
JITTER_M = 3.0             # a clone's extra GPS noise (sd, metres)
LOST_SHARE = 0.02          # pings a clone misses
TWIN_JITTER_S = 8 * 60     # a look-alike's departures differ from its source's by this (sd)
_M_PER_DEG = 111_320.0


@dataclass(frozen=True)
class PlantSpec:
    clones: int = 0
    reused: int = 0
    lookalikes: int = 0

    def any(self) -> bool:
        return bool(self.clones or self.reused or self.lookalikes)


def _read_strings(path: Path) -> pa.Table:
    names = ["vehicle_id", "timestamp", "lat", "lon", "speed_mps", "heading_deg"]
    return pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
        column_types={n: pa.string() for n in names}, strings_can_be_null=False))


def _write(path: Path, table: pa.Table) -> None:
    # ``path`` is the generator's temporary file (auditor.atomic): written over in place, it
    # reaches its real name only with the other demo files, and a failure leaves nothing behind
    pacsv.write_csv(table, path, pacsv.WriteOptions(include_header=True, quoting_style="none"))


def _clone_rows(rows: pa.Table, new_id: str, rng: np.random.Generator) -> tuple[pa.Table, dict]:
    from auditor.demo.generator import iso_utc
    keep = rng.random(rows.num_rows) >= LOST_SHARE
    rows = rows.filter(pa.array(keep))
    shift = int(rng.integers(*SHIFT_S)) * (1 if rng.random() < 0.5 else -1)
    ts = pc.strptime(rows["timestamp"], format="%Y-%m-%dT%H:%M:%SZ", unit="s")
    t = ts.cast(pa.int64()).to_numpy(zero_copy_only=False) + shift
    lat = np.array([float(v) if v else np.nan for v in rows["lat"].to_pylist()])
    lon = np.array([float(v) if v else np.nan for v in rows["lon"].to_pylist()])
    lat2 = lat + rng.normal(0, JITTER_M, len(lat)) / _M_PER_DEG
    lon2 = lon + rng.normal(0, JITTER_M, len(lon)) / (_M_PER_DEG * np.cos(np.radians(lat)))
    out = pa.table({
        "vehicle_id": pa.array([new_id] * rows.num_rows),
        "timestamp": iso_utc(t),
        "lat": pa.array([("" if np.isnan(v) else f"{v:.6f}") for v in lat2]),
        "lon": pa.array([("" if np.isnan(v) else f"{v:.6f}") for v in lon2]),
        "speed_mps": rows["speed_mps"], "heading_deg": rows["heading_deg"]})
    return out, {"shift_s": shift, "jitter_m": JITTER_M}


def _twin_rows(src: Vehicle, twin: Vehicle, seed: int, days: int,
               rng: np.random.Generator) -> pa.Table:
    """The source's itinerary (its own stream, replayed as the generator draws it) with every
    departure moved by minutes, driven on the twin's own routes with its own GPS noise."""
    from auditor.demo.generator import START_DATE, iso_utc
    src_rng = vehicle_rng(seed, src.index)
    places = sample_places(src_rng, dataclasses.replace(src, places=None))
    book = RouteBook(src_rng, lambda: places.xy, src.city.grid_deg)
    start_local = int(START_DATE.astype("datetime64[s]").astype(np.int64))
    itin = plan_itinerary(src_rng, dataclasses.replace(src, places=places), book, days,
                          start_local)
    depart = itin.depart + np.round(rng.normal(0, TWIN_JITTER_S, len(itin.depart))).astype(
        np.int64)
    for k in range(1, len(depart)):  # still one trip after another, parked in between
        depart[k] = max(depart[k], depart[k - 1] + itin.duration[k - 1] + MIN_STAY_S)
    twin.places = places
    own_book = RouteBook(rng, lambda: places.xy, src.city.grid_deg)
    drive = drive_pings(rng, own_book, itin.origin, itin.dest, depart, itin.duration)
    xy = defects.add_gps_noise(rng, drive["xy"], rng.uniform(4.0, 9.0))
    lat, lon = to_latlon(twin.city, xy)
    t = drive["t"]
    if twin.faulty:
        t = defects.local_time_as_utc(twin.city.timezone, t)
    return pa.table({
        "vehicle_id": pa.array([twin.vehicle_id] * len(t)),
        "timestamp": iso_utc(t),
        "lat": pa.array([f"{v:.6f}" for v in lat]), "lon": pa.array([f"{v:.6f}" for v in lon]),
        "speed_mps": pa.array([f"{v:.2f}" for v in np.round(drive["speed"], 2)]),
        "heading_deg": pa.array([f"{v:.1f}" for v in np.round(drive["heading"], 1)])})


def plant(pings_path: Path, fleet: list[Vehicle], seed: int, days: int,
          spec: PlantSpec | None) -> tuple[list[Vehicle], dict]:
    """Rewrite ``pings_path`` with the planted duplicates; returns the fleet as it now is (for
    labels, metadata and truth) and the truth to add ({} when nothing is planted)."""
    if spec is None or not spec.any():
        return fleet, {}
    n = len(fleet)
    wanted = 2 * spec.clones + 2 * spec.reused + 2 * spec.lookalikes
    if min(spec.clones, spec.reused, spec.lookalikes) < 0 or wanted > n:
        raise UserError(f"demo: cannot plant {spec.clones} clones, {spec.reused} reused ids and "
                        f"{spec.lookalikes} look-alikes in {n} vehicles — plant fewer or make "
                        "the fleet larger")
    rng = np.random.default_rng([seed, 17])
    order = [int(i) for i in rng.permutation(n)]
    new_ids = vehicle_ids(n + spec.clones + spec.lookalikes)[n:]
    table = _read_strings(pings_path)
    planted: dict = {"clones": [], "reused": [], "lookalikes": []}
    fleet = list(fleet)
    extra: list[pa.Table] = []
    used: set[int] = set()

    def take() -> int:
        i = next(i for i in order if i not in used)
        used.add(i)
        return i

    for k in range(spec.clones):
        src = fleet[take()]
        new = dataclasses.replace(src, index=n + k, vehicle_id=new_ids[k],
                                  places=copy.deepcopy(src.places))
        rows = table.filter(pc.equal(table["vehicle_id"], src.vehicle_id))
        rows, info = _clone_rows(rows, new.vehicle_id, rng)
        extra.append(rows)
        fleet.append(new)
        planted["clones"].append({"ids": [src.vehicle_id, new.vehicle_id], **info})
    absorbed: set[str] = set()
    for _ in range(spec.reused):
        a = fleet[take()]
        same_city = [i for i in order if i not in used and fleet[i].city.name == a.city.name]
        b = fleet[same_city[0] if same_city else take()]
        used.add(b.index)
        absorbed.add(b.vehicle_id)
        table = table.set_column(0, "vehicle_id", pc.if_else(
            pc.equal(table["vehicle_id"], b.vehicle_id), a.vehicle_id, table["vehicle_id"]))
        planted["reused"].append({"ids": [a.vehicle_id], "devices": [a.vehicle_id,
                                                                       b.vehicle_id]})
    for k in range(spec.lookalikes):
        src = fleet[take()]
        twin = dataclasses.replace(src, index=n + spec.clones + k,
                                   vehicle_id=new_ids[spec.clones + k], places=None)
        extra.append(_twin_rows(src, twin, seed, days, np.random.default_rng([seed, 18, k])))
        fleet.append(twin)
        planted["lookalikes"].append({"ids": [src.vehicle_id, twin.vehicle_id]})
    _write(pings_path, pa.concat_tables([table, *extra]))
    fleet = [v for v in fleet if v.vehicle_id not in absorbed]
    return fleet, {"planted": planted}
