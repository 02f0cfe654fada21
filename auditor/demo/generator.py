"""The synthetic demo fleet: pings.csv, labels.csv, vehicles.csv and truth.json.

Each vehicle is simulated on its own random stream (places -> itinerary -> pings -> defects)
and vehicles are written in batches, so memory stays flat at 20M pings and the same seed gives
the same bytes."""
from __future__ import annotations

import contextlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from auditor import __version__
from auditor.atomic import atomic_path
from auditor.demo import clones, defaults, defects
from auditor.demo.cities import to_latlon
from auditor.demo.labels import given_labels
from auditor.demo.options import DemoOptions
from auditor.demo.population import FAULTY_FIRMWARE, Vehicle, build_fleet, sample_places, vehicle_rng
from auditor.demo.routes import PING_INTERVAL_S, RouteBook, drive_pings
from auditor.demo.schedules import Itinerary, plan_itinerary
from auditor.errors import UserError
from auditor.failures import shown
from auditor.progress import Progress, report

START_DATE = np.datetime64("2026-03-02")  # a Monday; DST starts in the US on Mar 8, EU Mar 29
PING_COLUMNS = ("vehicle_id", "timestamp", "lat", "lon", "speed_mps", "heading_deg")
VEHICLE_COLUMNS = ("vehicle_id", "fleet", "region", "firmware", "timezone", "model_year")
BATCH_VEHICLES = 50
MAX_VEHICLES = 100_000
MAX_DAYS = 366


@dataclass
class VehicleTrack:
    """One simulated vehicle: its itinerary (the truth about when it was parked) and the ping
    rows as written (defects and firmware clock included)."""
    itinerary: Itinerary
    true_t: np.ndarray      # UTC seconds of each written row
    written_t: np.ndarray   # what the firmware stamped (== true_t unless faulty)
    lat: np.ndarray
    lon: np.ndarray
    speed: np.ndarray
    heading: np.ndarray
    counts: dict


def simulate_vehicle(vehicle: Vehicle, seed: int, days: int, firmware_fault: bool = True,
                     ping_interval_s: tuple[float, float] = PING_INTERVAL_S) -> VehicleTrack:
    """Everything about one vehicle from its own stream. ``vehicle.places`` is filled in.
    With ``firmware_fault=False`` the faulty firmware's clock is correct; nothing else changes."""
    rng = vehicle_rng(seed, vehicle.index)
    vehicle.places = sample_places(rng, vehicle)
    book = RouteBook(rng, lambda: vehicle.places.xy, vehicle.city.grid_deg)
    start_local = int(START_DATE.astype("datetime64[s]").astype(np.int64))
    itin = plan_itinerary(rng, vehicle, book, days, start_local)
    drive = drive_pings(rng, book, itin.origin, itin.dest, itin.depart, itin.duration,
                        ping_interval_s)

    noise_m = rng.uniform(4.0, 9.0)
    xy = defects.add_gps_noise(rng, drive["xy"], noise_m)
    jumps = defects.add_jumps(rng, xy, drive["trip"])
    lost = defects.tunnel_mask(rng, drive["t"], drive["trip"], itin.depart, itin.duration)
    keep = ~lost
    t = drive["t"][keep]
    lat, lon = to_latlon(vehicle.city, xy[keep])
    speed = drive["speed"][keep]
    heading = drive["heading"][keep]
    invalid = defects.spoil_rows(rng, lat, lon)
    repeat = defects.duplicate_rows(rng, len(t))
    t, lat, lon, speed, heading = (np.repeat(a, repeat) for a in (t, lat, lon, speed, heading))
    written = t
    if vehicle.faulty and firmware_fault:
        written = defects.local_time_as_utc(vehicle.city.timezone, t)
    gaps = int(np.count_nonzero(np.diff(np.flatnonzero(lost)) != 1)) + int(lost.any())
    counts = {"duplicates": int((repeat == 2).sum()), "jumps": int((jumps & keep).sum()), "tunnel_gaps": gaps,
              "invalid_rows": invalid}
    return VehicleTrack(itin, t, written, lat, lon, speed, heading, counts)


def check_sizes(vehicles: int, days: int) -> None:
    if not 1 <= vehicles <= MAX_VEHICLES:
        raise UserError(f"--vehicles {vehicles}: choose between 1 and {MAX_VEHICLES}")
    if not 1 <= days <= MAX_DAYS:
        raise UserError(f"--days {days}: choose between 1 and {MAX_DAYS}")


_CLOCK = pa.array([f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}Z" for s in range(86400)])


def iso_utc(t: np.ndarray) -> pa.Array:
    """'2026-03-02T14:03:05Z' for each UTC second: a date per distinct day and a table of
    the 86,400 clock readings, joined in Arrow (strftime per row is several times slower)."""
    day, second = np.divmod(np.asarray(t, dtype=np.int64), 86400)
    first = int(day.min()) if len(day) else 0
    n_days = int(day.max()) - first + 1 if len(day) else 0
    dates = pa.array(np.datetime_as_string(
        (np.arange(n_days) + first).astype("datetime64[D]"), unit="D"))
    return pc.binary_join_element_wise(dates.take(pa.array(day - first)),
                                       _CLOCK.take(pa.array(second)), "T")


def _ping_table(ids: list[str], tracks: list[VehicleTrack]) -> pa.Table:
    counts = [len(tr.written_t) for tr in tracks]
    cols = {
        "vehicle_id": pa.array(np.repeat(np.array(ids), counts)),
        "timestamp": iso_utc(np.concatenate([tr.written_t for tr in tracks])),
        "lat": np.round(np.concatenate([tr.lat for tr in tracks]), 6),
        "lon": np.round(np.concatenate([tr.lon for tr in tracks]), 6),
        "speed_mps": np.round(np.concatenate([tr.speed for tr in tracks]), 2),
        "heading_deg": np.round(np.concatenate([tr.heading for tr in tracks]), 1),
    }
    arrays = [c if isinstance(c, pa.Array) else pa.array(c, from_pandas=True)
              for c in cols.values()]
    return pa.Table.from_arrays(arrays, names=list(cols))


def _latlon_pair(vehicle: Vehicle, idx: int | None):
    if idx is None:
        return None
    lat, lon = to_latlon(vehicle.city, vehicle.places.xy[idx])
    return [round(float(lat), 6), round(float(lon), 6)]


def _truth_entry(v: Vehicle) -> dict:
    p = v.places
    return {
        "home": _latlon_pair(v, 0),
        "work": _latlon_pair(v, p.work),
        "schedule": "day" if v.schedule == "part" else v.schedule,
        "part_time": v.schedule == "part",
        "faulty": v.faulty,
        "city": v.city.name,
        "timezone": v.city.timezone,
        "firmware": v.firmware,
        "labelled": v.labelled,
        "errands": {p.kinds[i]: _latlon_pair(v, int(i)) for i in p.errands},
        "favourite_errand": p.kinds[p.favourite_errand],
    }


def _write_pings(path: Path, fleet: list[Vehicle], seed: int, days: int, firmware_fault: bool,
                 progress: Progress | None, opts: DemoOptions) -> tuple[int, dict]:
    """Simulates and writes the fleet in batches (flat memory); returns rows and defect counts."""
    totals = {"duplicates": 0, "jumps": 0, "tunnel_gaps": 0, "invalid_rows": 0}
    n_pings = 0
    options = pacsv.WriteOptions(include_header=False, quoting_style="none")
    report(progress, 0, len(fleet), "simulating vehicles")
    with open(path, "wb") as fh:
        fh.write((",".join(PING_COLUMNS) + "\n").encode())
        for start in range(0, len(fleet), BATCH_VEHICLES):
            batch = fleet[start:start + BATCH_VEHICLES]
            tracks = [simulate_vehicle(v, seed, days, firmware_fault, opts.ping_interval_s)
                      for v in batch]
            for tr in tracks:
                for k, n in tr.counts.items():
                    totals[k] += n
            table = _ping_table([v.vehicle_id for v in batch], tracks)
            n_pings += table.num_rows
            pacsv.write_csv(table, fh, options)
            report(progress, start + len(batch), len(fleet), "simulating vehicles")
    return n_pings, totals


def _write_labels(path: Path, rows) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("vehicle_id,label,lat,lon\n")
        for r in rows:
            fh.write(f"{r.vehicle_id},{r.label},{r.lat:.6f},{r.lon:.6f}\n")


def _write_vehicles(path: Path, fleet: list[Vehicle]) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(",".join(VEHICLE_COLUMNS) + "\n")
        for v in fleet:
            fh.write(f"{v.vehicle_id},{v.fleet},{v.city.name},{v.firmware},{v.city.timezone},"
                     f"{v.model_year}\n")


DEMO_FILES = ("pings.csv", "labels.csv", "vehicles.csv", "truth.json")
BUILD_STAMP = "demo-build.json"  # written beside the four files by 'auditor demo'


def check_demo_folder(out: Path) -> None:
    """``out`` may receive a demo fleet: missing, empty, or an earlier demo — a folder whose
    entries are only the four demo files (and 'auditor demo''s build stamp), with a truth.json
    that is a demo truth (it has "vehicles" and a "summary" naming the generator). Anything
    else is someone's folder, and their pings.csv is not ours to overwrite."""
    if not out.exists():
        return
    if not out.is_dir():
        raise UserError(f"{shown(out)}: exists and is not a folder — choose another output folder")
    entries = sorted(p.name for p in out.iterdir())
    if not entries:
        return
    foreign = [n for n in entries if n not in DEMO_FILES and n != BUILD_STAMP]
    if not foreign and "truth.json" in entries:
        try:
            truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            truth = None
        if isinstance(truth, dict) and "vehicles" in truth and \
                isinstance(truth.get("summary"), dict) and "generator" in truth["summary"]:
            return
    shown_names = ", ".join(foreign[:3] or entries[:3]) + (" …" if len(entries) > 3 else "")
    raise UserError(f"{shown(out)}: folder is not empty ({shown_names}) and is not an earlier "
                    "demo — choose an empty or new folder (nothing was written)")


def write_demo(out_dir, vehicles: int = defaults.VEHICLES, days: int = defaults.DAYS,
               seed: int = defaults.SEED, progress: Progress | None = None, *,
               firmware_fault: bool = True, plant: clones.PlantSpec | None = None,
               **options) -> dict:
    """Writes OUT_DIR/pings.csv, labels.csv, vehicles.csv and truth.json; returns their paths
    by name. ``firmware_fault=False`` (for tests) writes what a correct firmware would.
    ``options`` are DemoOptions fields (wrong_share, swapped_population, faulty_share,
    labelled_share, cities, schedule_mix, ping_interval_s); left out, the fleet is today's
    demo, byte for byte.
    ``plant``: duplicated devices and look-alikes to plant (auditor.demo.clones).
    OUT_DIR must be new, empty or an earlier demo (check_demo_folder). Each file is written to
    a temporary file of its own (auditor.atomic) and the four are renamed into place only once
    all are written."""
    opts = DemoOptions.from_kwargs(**options)
    check_sizes(vehicles, days)
    out = Path(out_dir)
    check_demo_folder(out)
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    try:
        return _write_demo_files(out, vehicles, days, seed, progress, firmware_fault, plant,
                                 opts)
    except BaseException:
        if created:  # a full disk, an interrupt: no half-made folder left behind
            shutil.rmtree(out, ignore_errors=True)
        raise


def _write_demo_files(out: Path, vehicles: int, days: int, seed: int,
                      progress: Progress | None, firmware_fault: bool,
                      plant: clones.PlantSpec | None, opts: DemoOptions) -> dict:
    paths = {name: out / f"{name}.{ext}" for name, ext in
             (("pings", "csv"), ("labels", "csv"), ("vehicles", "csv"), ("truth", "json"))}
    with contextlib.ExitStack() as stack:
        tmp = {name: stack.enter_context(atomic_path(p)) for name, p in paths.items()}
        fleet = build_fleet(vehicles, seed, opts)
        n_pings, defect_counts = _write_pings(tmp["pings"], fleet, seed, days, firmware_fault,
                                              progress, opts)
        fleet, planted = clones.plant(tmp["pings"], fleet, seed, days, plant)
        rows, wrong = given_labels(np.random.default_rng([seed, 2]), fleet, opts.wrong_share,
                                   opts.swapped_population)
        _write_labels(tmp["labels"], rows)
        _write_vehicles(tmp["vehicles"], fleet)
        truth = {
            "vehicles": {v.vehicle_id: _truth_entry(v) for v in fleet},
            "wrong_labels": wrong,
            "fault": {
                "column": "firmware",
                "value": FAULTY_FIRMWARE,
                "description": (f"firmware {FAULTY_FIRMWARE} writes the local wall-clock time "
                                "but marks it as UTC ('Z'), so its timestamps are off by the "
                                "city's UTC offset"
                                + ("" if firmware_fault else " (disabled in this run)")),
            },
            "defects": defect_counts,
            "summary": {
                "vehicles": vehicles, "days": days, "seed": seed,
                "start_date": str(START_DATE), "pings": n_pings,
                "labelled_vehicles": sum(v.labelled for v in fleet),
                "label_rows": len(rows), "wrong_labels": len(wrong),
                "faulty_vehicles": sum(v.faulty for v in fleet),
                "generator": __version__,
            },
        }
        truth.update(planted)
        changed = opts.changed()
        if changed:  # only then: a default fleet's truth.json keeps its bytes
            truth["summary"]["options"] = {k: list(v) if isinstance(v, tuple) else v
                                           for k, v in changed.items()}
        if opts.swapped_population is not None:
            column, value = opts.swapped_population
            truth["swapped_population"] = {
                "column": column, "value": value,
                "description": f"every labelled vehicle with {column} = {value} has its home "
                               "and work labels swapped (an upstream join mixed the columns)"}
        with open(tmp["truth"], "w", encoding="utf-8", newline="\n") as fh:
            json.dump(truth, fh, indent=1)
            fh.write("\n")
    return paths
