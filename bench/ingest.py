"""Ingest throughput against a plain anchor measured in the same run.

    python bench/ingest.py [PINGS.csv] [--pings N]

Without a CSV, writes a demo fleet of about N pings (default 2,000,000) with
auditor.demo.generator.write_demo into a temporary folder. Anchor: pandas.read_csv of the same
file + raw sqlite3 executemany of its rows into a bare table with the same columns, in one
transaction, with the project's pragmas. Prints both throughputs and their ratio (target
>= 0.5: validation, timestamp parsing and quarantine may cost at most as much again)."""
from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from auditor.ingest.api import ingest_paths  # noqa: E402

TARGET = 0.5


def anchor(csv: Path, db: Path) -> tuple[int, float, float]:
    start, cpu = time.perf_counter(), time.process_time()
    frame = pd.read_csv(csv)
    conn = sqlite3.connect(str(db), isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    cols = ", ".join(f'"{c}"' for c in frame.columns)
    conn.execute(f"CREATE TABLE raw ({cols})")
    conn.execute("BEGIN")
    conn.executemany(f"INSERT INTO raw VALUES ({', '.join('?' * len(frame.columns))})",
                     zip(*[frame[c].tolist() for c in frame.columns]))
    conn.execute("COMMIT")
    conn.close()
    return len(frame), time.perf_counter() - start, time.process_time() - cpu


def ours(csv: Path, db: Path) -> tuple[int, float, float, dict]:
    start, cpu = time.perf_counter(), time.process_time()
    summary = ingest_paths(db, [csv], kind="pings")[0]
    return summary["read"], time.perf_counter() - start, time.process_time() - cpu, summary


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("csv", nargs="?", type=Path)
    p.add_argument("--pings", type=int, default=2_000_000)
    p.add_argument("--repeat", type=int, default=1,
                   help="alternate the runs this often and keep each side's best time "
                        "(steadier on a busy machine)")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="auditor-bench-") as tmp:
        tmp = Path(tmp)
        csv = args.csv
        if csv is None:
            from auditor.demo.generator import write_demo
            days = 30
            vehicles = max(1, round(args.pings / (days * 132)))  # ~132 pings per vehicle-day
            print(f"writing demo fleet: {vehicles} vehicles x {days} days ...", flush=True)
            csv = write_demo(tmp / "demo", vehicles=vehicles, days=days, seed=1)["pings"]
        best_anchor, best_ours = (float("inf"),) * 2, (float("inf"),) * 2
        for run in range(args.repeat):
            n_anchor, *times = anchor(csv, tmp / f"anchor{run}.db")
            best_anchor = min(best_anchor, tuple(times))
            (tmp / f"anchor{run}.db").unlink()
            n_ours, *times, summary = ours(csv, tmp / f"project{run}.db")
            best_ours = min(best_ours, tuple(times))
            (tmp / f"project{run}.db").unlink()
    (t_anchor, c_anchor), (t_ours, c_ours) = best_anchor, best_ours
    r_anchor, r_ours = n_anchor / t_anchor, n_ours / t_ours
    ratio = r_ours / r_anchor
    print(f"rows: {n_ours:,} (accepted {summary['accepted']:,}, quarantined "
          f"{summary['quarantined']:,} {summary['reasons']})")
    print(f"anchor  pandas.read_csv + executemany: {t_anchor:6.2f} s  {r_anchor:10,.0f} rows/s"
          f"  (cpu {c_anchor:.2f} s)")
    print(f"auditor ingest                       : {t_ours:6.2f} s  {r_ours:10,.0f} rows/s"
          f"  (cpu {c_ours:.2f} s)")
    print(f"cpu-time ratio {c_anchor / c_ours:.2f} (wall-clock is what counts; cpu shows the "
          "share of a busy machine's noise)")
    print(f"ratio {ratio:.2f} (target >= {TARGET})  {'OK' if ratio >= TARGET else 'BELOW TARGET'}")
    return 0 if ratio >= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
