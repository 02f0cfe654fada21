"""How fast pings come out of a project, against SQLite alone on the same file in the same run.

    python bench/read_pings.py [PROJECT.db] [--pings N] [--repeat R]

Without a project, imports a demo fleet of about N pings (default 2,000,000) twice: as the
demo writes it (vehicle order) and in time order (all vehicles interleaved, as a live feed
exports it), so the physical order's effect shows. For each project it prints rows/s of:
- SQLite alone: an aggregate over the pings in (vehicle_id, ts, ping_id) order through the
  index, and in rowid order (no Python: what SQLite itself costs);
- auditor.store.queries.read_pings, all pings at once and in the 200-vehicle batches inference
  reads (with ping_id, and with the columns inference reads since issue 16: no ping_id);
- adbc-driver-sqlite (Arrow, C++), if installed: the same ordered query (NULLs as sentinels,
  since the driver guesses column types from the first batch). Not a dependency: see README.
Also the project's layout: file size and how many runs of consecutive rows one vehicle's pings
form (1 per vehicle = stored in vehicle order)."""
from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from auditor.store.queries import iter_vehicle_batches, read_pings  # noqa: E402

COLUMNS = ["ping_id", "vehicle_id", "ts", "utc_offset_min", "lat", "lon"]
INFER_COLUMNS = ["vehicle_id", "ts", "utc_offset_min", "lat", "lon", "trip_id"]  # no ping_id
ORDERED = ("SELECT ping_id, vehicle_id, ts, IFNULL(utc_offset_min, -2147483648) AS off, lat, lon "
           "FROM pings ORDER BY vehicle_id, ts, ping_id")


def best_of(repeat: int, fn):
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def layout(conn: sqlite3.Connection) -> tuple[int, int]:
    vehicles = conn.execute("SELECT COUNT(DISTINCT vehicle_id) FROM pings").fetchone()[0]
    runs = conn.execute("SELECT COUNT(*) FROM (SELECT vehicle_id IS NOT LAG(vehicle_id) OVER "
                        "(ORDER BY ping_id) AS new FROM pings) WHERE new").fetchone()[0]
    return vehicles, runs


def measure(project: Path, repeat: int) -> None:
    conn = sqlite3.connect(project)
    conn.execute("PRAGMA cache_size = -65536")  # the project's own setting
    n = conn.execute("SELECT COUNT(*) FROM pings").fetchone()[0]
    vehicles, runs = layout(conn)
    print(f"\n== {project.name}: {n:,} pings, {vehicles:,} vehicles, "
          f"{project.stat().st_size / 1e6:,.0f} MB; {runs / max(vehicles, 1):.1f} runs of "
          "consecutive rows per vehicle (1.0 = stored in vehicle order)")
    conn.execute("SELECT SUM(lat) FROM pings").fetchone()  # warm the OS cache alike for all
    rows = []
    t, _ = best_of(repeat, lambda: conn.execute(
        "SELECT COUNT(*), SUM(ts), SUM(off), SUM(lat), SUM(lon), COUNT(DISTINCT vehicle_id) "
        f"FROM ({ORDERED})").fetchone())
    alone = n / t
    rows.append(("SQLite alone, (vehicle, ts) order via the index", t))
    t, _ = best_of(repeat, lambda: conn.execute(
        "SELECT COUNT(*), SUM(ts), SUM(utc_offset_min), SUM(lat), SUM(lon) FROM pings").fetchone())
    rows.append(("SQLite alone, rowid order (a full scan)", t))
    t, frame = best_of(repeat, lambda: read_pings(conn, columns=COLUMNS))
    assert len(frame) == n
    rows.append(("read_pings, all pings", t))

    def batches(columns):
        return sum(len(read_pings(conn, batch, columns=columns))
                   for batch in iter_vehicle_batches(conn))
    t, got = best_of(repeat, lambda: batches(COLUMNS))
    assert got == n
    rows.append(("read_pings, 200-vehicle batches, with ping_id", t))
    t, got = best_of(repeat, lambda: batches(INFER_COLUMNS))
    assert got == n
    rows.append(("read_pings, 200-vehicle batches, infer's columns", t))
    try:
        import adbc_driver_sqlite.dbapi as adbc
    except ImportError:
        adbc = None
    if adbc is not None:
        def arrow():
            with adbc.connect(str(project)) as aconn, aconn.cursor() as cur:
                cur.execute(ORDERED)
                return cur.fetch_arrow_table().to_pandas()
        t, frame = best_of(repeat, arrow)
        assert len(frame) == n
        rows.append(("adbc-driver-sqlite -> Arrow -> pandas (its own SQLite copy)", t))
    conn.close()
    for label, seconds in rows:
        print(f"  {label:60s} {seconds:6.2f} s  {n / seconds / 1e6:5.2f}M rows/s  "
              f"({n / seconds / alone:4.2f}x SQLite alone)")


def build(tmp: Path, pings: int) -> list[Path]:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from ingest import time_sorted_shape

    from auditor.demo.generator import write_demo
    from auditor.ingest.api import ingest_paths
    days = 30
    vehicles = max(1, round(pings / (days * 132)))
    print(f"writing demo fleet: {vehicles} vehicles x {days} days ...", flush=True)
    demo = write_demo(tmp / "demo", vehicles=vehicles, days=days, seed=1)["pings"]
    out = []
    for name, csv in (("vehicle-order.db", demo),
                      ("time-order.db", time_sorted_shape(demo, tmp / "timesorted.csv"))):
        ingest_paths(tmp / name, [csv], kind="pings")
        out.append(tmp / name)
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("project", nargs="?", type=Path)
    p.add_argument("--pings", type=int, default=2_000_000)
    p.add_argument("--repeat", type=int, default=2)
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="auditor-bench-") as tmp:
        projects = [args.project] if args.project else build(Path(tmp), args.pings)
        for project in projects:
            measure(project, args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
