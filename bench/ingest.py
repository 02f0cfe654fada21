"""Ingest throughput against a plain anchor measured in the same run, on two fleet shapes.

    python bench/ingest.py [PINGS.csv] [--pings N] [--shapes demo,timesorted] [--repeat R]

Without a CSV, writes a demo fleet of about N pings (default 2,000,000) with
auditor.demo.generator.write_demo into a temporary folder, and derives a second shape from it:
rows in time order (all vehicles interleaved), ';' delimiter, other column names and order,
epoch-millisecond times, trip ids. With a CSV, that file is the one shape.

Anchor: pandas.read_csv of the same file (same delimiter, default C engine) + raw sqlite3
executemany of its rows (one row per statement, zip over the columns' tolist) into a bare table
with the same columns and no index, in one transaction, journal_mode WAL + synchronous NORMAL
(the project's pragmas) in a new file. Ours:
auditor.ingest.api.ingest_paths into a new project (--into existing: an empty project made
before the clock starts, so the import runs in WAL like the anchor): parsing, every quarantine rule, the
(vehicle_id, ts) index, one transaction. Each side runs in its own fresh process (imports done
before the clock starts), anchor then ours, --repeat pairs; the ratio is the median of the
pairs' ratios (worst and best printed too); peak memory is that process's peak RSS. Prints both
sides' median runs, the ratio (target >= 1.0; CPU ratio too), peak memory and the machine's load
average (the figures are only comparable at similar load)."""
from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGET = 1.0


def _anchor(csv: str, db: str, delimiter: str) -> dict:
    import sqlite3

    import pandas as pd
    start, cpu = time.perf_counter(), time.process_time()
    frame = pd.read_csv(csv, sep=delimiter)
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    cols = ", ".join(f'"{c}"' for c in frame.columns)
    conn.execute(f"CREATE TABLE raw ({cols})")
    conn.execute("BEGIN")
    conn.executemany(f"INSERT INTO raw VALUES ({', '.join('?' * len(frame.columns))})",
                     zip(*[frame[c].tolist() for c in frame.columns]))
    conn.execute("COMMIT")
    conn.close()
    return {"rows": len(frame), "seconds": time.perf_counter() - start,
            "cpu": time.process_time() - cpu}


def _ours(csv: str, db: str, delimiter: str, existing: bool = False) -> dict:
    from auditor.ingest.api import ingest_paths
    if existing:  # an empty project made beforehand: the import runs in WAL, like the anchor
        from auditor.store import open_project
        open_project(db).close()
    start, cpu = time.perf_counter(), time.process_time()
    summary = ingest_paths(db, [csv], kind="pings")[0]
    return {"rows": summary["read"], "seconds": time.perf_counter() - start,
            "cpu": time.process_time() - cpu, "summary": summary}


def _child(side: str, csv: str, db: str, delimiter: str, queue, existing: bool) -> None:
    # imports before the clock starts, in both sides alike
    import sqlite3  # noqa: F401

    import pandas  # noqa: F401
    import pyarrow.csv  # noqa: F401
    if side == "ours":
        import auditor.ingest.api  # noqa: F401
    result = _anchor(csv, db, delimiter) if side == "anchor" else \
        _ours(csv, db, delimiter, existing)
    # VmHWM, not getrusage's maxrss: that starts at the parent's peak (Linux keeps it across
    # fork and exec), and this bench's parent holds the fleet it wrote
    from auditor.pipeline.shards import peak_rss_mb
    result["peak_mb"] = peak_rss_mb()
    queue.put(result)


def run_side(side: str, csv: Path, db: Path, delimiter: str, existing: bool = False) -> dict:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(side, str(csv), str(db), delimiter, queue,
                                            existing))
    proc.start()
    result = queue.get()
    proc.join()
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    return result


def _median_run(results: list[dict]) -> dict:
    """The run with the median time (the upper one of an even count), peak memory the
    largest of all runs."""
    chosen = dict(sorted(results, key=lambda r: r["seconds"])[len(results) // 2])
    chosen["peak_mb"] = max(r["peak_mb"] for r in results)
    return chosen


def time_sorted_shape(demo_csv: Path, out: Path) -> Path:
    """The demo's pings as another exporter would write them: time order, ';', renamed and
    reordered columns, epoch milliseconds, a trip id per vehicle-day."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv
    table = pcsv.read_csv(demo_csv, convert_options=pcsv.ConvertOptions(
        column_types={"vehicle_id": pa.string(), "timestamp": pa.string()}))
    when = pc.cast(table.column("timestamp"), pa.timestamp("ms", tz="UTC"), safe=False)
    millis = pc.cast(when, pa.int64())
    day = pc.cast(pc.divide(millis, 86_400_000), pa.string())
    trip = pc.binary_join_element_wise(table.column("vehicle_id"), day, "-")
    shaped = pa.table({"DateTime": millis, "Latitude": table.column("lat"),
                       "Longitude": table.column("lon"), "VehicleID": table.column("vehicle_id"),
                       "heading_deg": table.column("heading_deg"), "trip": trip})
    order = np.argsort(millis.to_numpy(zero_copy_only=False), kind="stable")
    pcsv.write_csv(shaped.take(pa.array(order)), out,
                   write_options=pcsv.WriteOptions(delimiter=";", quoting_style="none"))
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("csv", nargs="?", type=Path)
    p.add_argument("--pings", type=int, default=2_000_000)
    p.add_argument("--shapes", default="demo,timesorted",
                   help="without a CSV: which shapes to run (demo, timesorted)")
    p.add_argument("--repeat", type=int, default=3,
                   help="run anchor and ours back to back this often; the ratio printed is the "
                        "median of the pairs' ratios, with the worst and best")
    p.add_argument("--into", choices=("new", "existing"), default="new",
                   help="ours imports into a new project (default; its first import is written "
                        "through a rollback journal) or into an empty existing one (WAL, the "
                        "anchor's journal mode)")
    args = p.parse_args(argv)
    from auditor.ingest.readers import open_source
    ok = True
    with tempfile.TemporaryDirectory(prefix="auditor-bench-") as tmp:
        tmp = Path(tmp)
        if args.csv is not None:
            shapes = {args.csv.name: args.csv}
        else:
            from auditor.demo.generator import write_demo
            days = 30
            vehicles = max(1, round(args.pings / (days * 132)))  # ~132 pings per vehicle-day
            print(f"writing demo fleet: {vehicles} vehicles x {days} days ...", flush=True)
            demo = write_demo(tmp / "demo", vehicles=vehicles, days=days, seed=1)["pings"]
            wanted = [s.strip() for s in args.shapes.split(",") if s.strip()]
            shapes = {}
            if "demo" in wanted:
                shapes["demo (vehicle order, ',', ISO-8601 Z)"] = demo
            if "timesorted" in wanted:
                shapes["time order, ';', renamed columns, epoch ms, trip ids"] = \
                    time_sorted_shape(demo, tmp / "timesorted.csv")
        for label, csv in shapes.items():
            delimiter = open_source(csv).delimiter or ","
            load_before = os.getloadavg()
            runs = {"anchor": [], "ours": []}
            ratios, cpu_ratios, loads = [], [], []
            for run in range(args.repeat):
                loads.append(os.getloadavg()[0])
                for side in ("anchor", "ours"):
                    runs[side].append(run_side(side, csv, tmp / f"{side}{run}.db", delimiter,
                                               existing=args.into == "existing"))
                a, o = runs["anchor"][-1], runs["ours"][-1]
                # each pair ran back to back, so its ratio saw about the same load
                ratios.append((o["rows"] / o["seconds"]) / (a["rows"] / a["seconds"]))
                cpu_ratios.append(a["cpu"] / o["cpu"])
            a, o = (_median_run(runs["anchor"]), _median_run(runs["ours"]))
            r_anchor, r_ours = a["rows"] / a["seconds"], o["rows"] / o["seconds"]
            ratio = statistics.median(ratios)
            s = o["summary"]
            print(f"\n== {label}: {csv.stat().st_size / 1e6:,.0f} MB, delimiter {delimiter!r}")
            print(f"rows: {s['read']:,} (accepted {s['accepted']:,}, quarantined "
                  f"{s['quarantined']:,} {s['reasons']})")
            print("median run of each side:")
            print(f"anchor  pandas.read_csv + executemany: {a['seconds']:6.2f} s "
                  f"{r_anchor:10,.0f} rows/s  (cpu {a['cpu']:.2f} s, peak {a['peak_mb']:,.0f} MB)")
            ours_label = f"auditor ingest ({args.into} project)"
            print(f"{ours_label:37s}: {o['seconds']:6.2f} s "
                  f"{r_ours:10,.0f} rows/s  (cpu {o['cpu']:.2f} s, peak {o['peak_mb']:,.0f} MB)")
            print(f"ratio {ratio:.2f} median of {len(ratios)} back-to-back pairs, worst "
                  f"{min(ratios):.2f}, best {max(ratios):.2f} (target >= {TARGET})  "
                  f"{'OK' if ratio >= TARGET else 'BELOW TARGET'};  CPU ratio median "
                  f"{statistics.median(cpu_ratios):.2f}, worst {min(cpu_ratios):.2f}")
            print("pairs (ratio, CPU ratio, 1-min load at the start): " + ", ".join(
                f"{r:.2f}/{c:.2f}@{ld:.1f}" for r, c, ld in zip(ratios, cpu_ratios, loads)))
            print("load average (1/5/15 min) before: {:.2f} {:.2f} {:.2f}, after: "
                  "{:.2f} {:.2f} {:.2f} on {} cores".format(*load_before, *os.getloadavg(),
                                                           os.cpu_count()))
            ok &= ratio >= TARGET
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
