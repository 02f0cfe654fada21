"""Scale: `infer` (and `ingest`) on the local engine against a Dask LocalCluster of 1 and 2 workers.

    .venv/bin/python bench/scale.py [--vehicles 5000] [--days 28] [--seed 11]
                                    [--stores parquet,sqlite] [--runs local,dask1,dask2]
                                    [--ingest local,dask1,dask2 [--ingest-parts 8]]

Writes a demo fleet (~145 pings per vehicle-day: 5,000 x 28 is ~20M pings) and imports it
twice under bench/out/scale/ (reused when present): into one SQLite file (the default) and
with `--pings-store` into a Parquet dataset. Then, per store, runs `infer_project` with each
engine on a copy of the project and prints:
  - cluster start-up (LocalCluster + workers up), apart from the run;
  - derive: the sharded map (read + trips/stops/places/features per bucket), and the rest
    (labels, model, predictions, saving: always on the client);
  - the speed-up of 2 workers over 1 on derive (the part an engine changes; target >= 1.7x)
    and end to end;
  - peak resident memory per worker process (and of the client), per-shard time and pings;
  - the load average before and after each run: the machine is shared, read figures with it.
Baseline: the local engine in one process ("local"; "local2" is its pool of 2 worker
processes) measured in the same run. Every run's
data hash must equal the local one's (checked: an engine that gives other results fails).

``--ingest RUNS`` also times the parallel import (`ingest --engine dask`): the fleet's pings
cut into ``--ingest-parts`` CSV files (a file is the unit a worker validates), imported into
a new project per run; prints cluster start-up apart, the import's time and pings per second,
2 workers vs 1, and checks every run's pings digests and quarantine equal the local import's.
``--runs ''`` skips inference (e.g. to time only the import).
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import auditor.pipeline.shards as shards  # noqa: E402
from auditor.pipeline.api import infer_project  # noqa: E402
from auditor.pipeline.engine import DaskEngine, LocalEngine  # noqa: E402
from auditor.store import open_project  # noqa: E402
from auditor.store.connection import copy_project  # noqa: E402

TARGET = 1.7


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def prepare(out: Path, vehicles: int, days: int, seed: int,
            stores: tuple = ("sqlite", "parquet")) -> tuple[Path, dict]:
    from auditor.demo.generator import write_demo
    from auditor.ingest.api import ingest_paths
    folder = out / f"fleet-{vehicles}x{days}-s{seed}"
    projects = {"sqlite": folder / "sqlite.db", "parquet": folder / "parquet.db"}
    if not (folder / "data" / "ready").exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        t = time.perf_counter()
        print(f"writing demo fleet {vehicles} vehicles x {days} days ...", flush=True)
        write_demo(folder / "data", vehicles=vehicles, days=days, seed=seed)
        (folder / "data" / "ready").write_text("ok\n")
        print(f"  {time.perf_counter() - t:.0f} s", flush=True)
    for name, store in (("sqlite", None), ("parquet", folder / "pings")):
        if name not in stores or (folder / f"{name}.ready").exists():
            continue
        for stale in (projects[name], folder / "pings"):
            if stale.is_dir() and name == "parquet":
                shutil.rmtree(stale)
            elif stale.is_file():
                stale.unlink()
        t = time.perf_counter()
        for kind in ("vehicles", "pings", "labels"):
            ingest_paths(projects[name], [folder / "data" / f"{kind}.csv"], kind=kind,
                         pings_store=store if kind == "pings" else None)
        print(f"  {name}: imported in {time.perf_counter() - t:.0f} s (load {load()})",
              flush=True)
        (folder / f"{name}.ready").write_text("ok\n")
    return folder, projects


class ShardLog:
    """Keeps the per-shard stats derive_shard returns (assemble runs on the client)."""

    def __init__(self):
        self.stats = []
        self._real = shards.assemble

    def __enter__(self):
        def spy(results):
            self.stats = [dict(r["stats"], n_pings=r["n_pings"]) for r in results]
            return self._real(results)
        shards.assemble = spy
        return self

    def __exit__(self, *exc):
        shards.assemble = self._real


def one_run(project: Path, tmp: Path, kind: str) -> dict:
    target = tmp / f"{project.stem}-{kind}.db"
    if target.exists():
        target.unlink()
    copy_project(project, target)  # a store project's copy reads the same dataset
    marks = {}

    def progress(done, total, message):
        if message.startswith("labels") and "derived" not in marks:
            marks["derived"] = time.perf_counter()
    if kind.startswith("local"):
        # "local": one process (the baseline); "local2": the local engine's pool of 2
        engine, start_s = LocalEngine(int(kind[len("local"):] or 1)), 0.0
    else:
        engine = DaskEngine(workers=int(kind[len("dask"):]))
    before = load()
    with engine:  # start-up timed apart: the run below reuses the started cluster
        start_s = getattr(engine, "start_seconds", 0.0)
        with ShardLog() as log:
            t0 = time.perf_counter()
            summary = infer_project(target, seed=0, engine=engine, progress=progress)
            t1 = time.perf_counter()
    conn = open_project(target, readonly=True)
    data_hash = conn.execute("SELECT data_hash FROM runs WHERE run_id = ?",
                             (summary["run_id"],)).fetchone()[0]
    conn.close()
    target.unlink()
    per_pid: dict = {}
    for s in log.stats:
        per_pid[s["pid"]] = max(per_pid.get(s["pid"], 0.0), s["max_rss_mb"])
    return {"kind": kind, "start_s": start_s, "derive_s": marks["derived"] - t0,
            "rest_s": t1 - marks["derived"], "total_s": t1 - t0, "pings": summary["pings"],
            "vehicles": summary["vehicles"], "shards": len(log.stats), "hash": data_hash,
            "worker_peak_mb": sorted(per_pid.values()), "client_peak_mb": shards.peak_rss_mb(),
            "shard_s": [s["seconds"] for s in log.stats],
            "shard_read_s": [s["read_s"] for s in log.stats],
            "shard_pings": [s["n_pings"] for s in log.stats],
            "load_before": before, "load_after": load()}


def split_pings(folder: Path, parts: int) -> list[Path]:
    """pings.csv cut into ``parts`` CSV files at line ends, each with the header (reused)."""
    out = folder / "data" / f"pings-{parts}-parts"
    files = [out / f"pings-{i:03d}.csv" for i in range(parts)]
    if (out / "ready").exists():
        return files
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    source = folder / "data" / "pings.csv"
    size = source.stat().st_size
    with open(source, "rb") as fh:
        header = fh.readline()
        for i, target in enumerate(files):
            end = size * (i + 1) // parts
            with open(target, "wb") as dst:
                dst.write(header)
                while fh.tell() < end:  # whole blocks, then up to the next line end
                    block = fh.read(min(8 << 20, end - fh.tell()))
                    if not block:
                        break
                    dst.write(block)
                dst.write(fh.readline())
    (out / "ready").write_text("ok\n")
    return files


def ingest_run(folder: Path, files: list[Path], tmp: Path, kind: str) -> dict:
    from auditor.engine import DaskEngine as BareDaskEngine
    from auditor.ingest.api import ingest_paths
    from auditor.ingest.parallel import PRELOAD
    target = tmp / f"ingest-{kind}.db"
    if target.exists():
        target.unlink()
    ingest_paths(target, [folder / "data" / "vehicles.csv"], kind="vehicles")
    engine = (LocalEngine() if kind == "local"
              else BareDaskEngine(workers=int(kind[len("dask"):]), preload=PRELOAD))
    before = load()
    with engine:
        start_s = getattr(engine, "start_seconds", 0.0)
        t0 = time.perf_counter()
        summaries = ingest_paths(target, files, kind="pings", engine=engine)
        seconds = time.perf_counter() - t0
    conn = open_project(target, readonly=True)
    digests = conn.execute("SELECT rows, sha256 FROM pings_digests ORDER BY import_id").fetchall()
    quarantine = conn.execute("SELECT reason, COUNT(*) FROM quarantine GROUP BY reason "
                              "ORDER BY reason").fetchall()
    conn.close()
    target.unlink()
    return {"kind": kind, "start_s": start_s, "seconds": seconds,
            "read": sum(s["read"] for s in summaries), "digests": digests,
            "quarantine": quarantine, "load_before": before, "load_after": load()}


def report_ingest(runs: list[dict], parts: int) -> None:
    base = runs[0]
    print(f"\n== ingest: {base['read']:,} rows in {parts} CSV files ==")
    print(f"{'engine':8} {'start-up':>9} {'import':>8} {'k rows/s':>9}  load before/after")
    for r in runs:
        print(f"{r['kind']:8} {r['start_s']:8.1f}s {r['seconds']:7.1f}s "
              f"{r['read'] / r['seconds'] / 1e3:9.0f}  {r['load_before']} / {r['load_after']}")
        assert r["digests"] == base["digests"], f"{r['kind']}: pings differ from {base['kind']}"
        assert r["quarantine"] == base["quarantine"], f"{r['kind']}: quarantine differs"
    by = {r["kind"]: r for r in runs}
    if "dask1" in by and "dask2" in by:
        print(f"ingest, 2 workers vs 1: {by['dask1']['seconds'] / by['dask2']['seconds']:.2f}x")
    if "local" in by and "dask2" in by:
        print(f"ingest, 2 workers vs local engine: "
              f"{by['local']['seconds'] / by['dask2']['seconds']:.2f}x")


def report(store: str, runs: list[dict]) -> None:
    import numpy as np
    base = runs[0]
    print(f"\n== {store}: {base['pings']:,} pings, {base['vehicles']:,} vehicles, "
          f"{base['shards']} shards ==")
    print(f"{'engine':8} {'start-up':>9} {'derive':>8} {'rest':>7} {'total':>8} "
          f"{'Mpings/s':>9} {'peak MB/worker':>16}  load before/after")
    for r in runs:
        peak = ",".join(f"{m:.0f}" for m in r["worker_peak_mb"])
        print(f"{r['kind']:8} {r['start_s']:8.1f}s {r['derive_s']:7.1f}s {r['rest_s']:6.1f}s "
              f"{r['total_s']:7.1f}s {r['pings'] / r['derive_s'] / 1e6:9.2f} {peak:>16}  "
              f"{r['load_before']} / {r['load_after']}")
        assert r["hash"] == base["hash"], f"{r['kind']}: data hash differs from local"
    by = {r["kind"]: r for r in runs}
    if "dask1" in by and "dask2" in by:
        d = by["dask1"]["derive_s"] / by["dask2"]["derive_s"]
        e = by["dask1"]["total_s"] / by["dask2"]["total_s"]
        print(f"2 workers vs 1: derive {d:.2f}x (target >= {TARGET}x: "
              f"{'met' if d >= TARGET else 'NOT met'}), end to end {e:.2f}x")
    if "local" in by and "dask2" in by:
        print(f"2 workers vs local engine: derive "
              f"{by['local']['derive_s'] / by['dask2']['derive_s']:.2f}x")
    s = np.array(base["shard_s"])
    n = np.array(base["shard_pings"])
    print(f"per shard (local): median {np.median(s):.2f} s for {int(np.median(n)):,} pings, "
          f"worst {s.max():.2f} s; read {np.sum(base['shard_read_s']):.1f} s of "
          f"{s.sum():.1f} s; {n.sum() / s.sum() / 1e3:.0f}k pings per worker-second")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--vehicles", type=int, default=5000)
    p.add_argument("--days", type=int, default=28)
    p.add_argument("--seed", type=int, default=11)
    p.add_argument("--stores", default="parquet,sqlite")
    p.add_argument("--runs", default="local,dask1,dask2",
                   help="infer runs per store ('' for none)")
    p.add_argument("--ingest", default="",
                   help="also time the import of the pings, e.g. local,dask1,dask2")
    p.add_argument("--ingest-parts", type=int, default=8,
                   help="CSV files the pings are cut into for --ingest (default 8)")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "scale")
    args = p.parse_args(argv)
    print(f"load average (1/5/15 min) at start: {load()}; {os.cpu_count()} cores", flush=True)
    folder, projects = prepare(args.out, args.vehicles, args.days, args.seed,
                               tuple(args.stores.split(",")) if args.runs else ())
    tmp = folder / "runs"
    tmp.mkdir(exist_ok=True)
    if args.ingest:
        files = split_pings(folder, args.ingest_parts)
        runs = []
        for kind in args.ingest.split(","):
            print(f"ingest / {kind} ... (load {load()})", flush=True)
            runs.append(ingest_run(folder, files, tmp, kind))
        report_ingest(runs, args.ingest_parts)
    for store in args.stores.split(",") if args.runs else ():
        runs = []
        for kind in args.runs.split(","):
            print(f"{store} / {kind} ... (load {load()})", flush=True)
            runs.append(one_run(projects[store], tmp, kind))
        report(store, runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
