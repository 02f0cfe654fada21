"""The engines of infer give the same project: in-process, on a LocalCluster it starts, and on a
real `dask scheduler` + two `dask worker` processes started here on 127.0.0.1 and stopped again.

One tiny fleet, one run per engine (module fixtures), workers of one thread: the clusters cost
seconds, not minutes. Shards of three vehicles, so every run maps over several shards."""
from __future__ import annotations

import shutil
import socket
import time
from pathlib import Path

import pandas as pd
import pytest

from auditor.cli import main
from auditor.errors import Cancelled, UserError
from auditor.pipeline.api import infer_project
from auditor.pipeline.engine import DaskEngine, LocalEngine, make_engine
from auditor.store import open_project


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

SHARDED = {"batch_vehicles": 3}
TABLES = {"trips": "trip_id", "stops": "stop_id", "places": "place_id",
          "place_features": "place_id", "vehicle_clocks": "vehicle_id"}


@pytest.fixture(scope="module")
def ingested(tmp_path_factory) -> Path:
    """A small generated fleet, imported, not inferred: copy it before running."""
    from auditor.demo.generator import write_demo
    from auditor.ingest.api import ingest_paths
    root = tmp_path_factory.mktemp("engines")
    write_demo(root / "data", vehicles=14, days=5, seed=11)
    project = root / "fleet.db"
    for kind in ("vehicles", "pings", "labels"):
        ingest_paths(project, [root / "data" / f"{kind}.csv"], kind=kind)
    conn = open_project(project)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return project


def copy_of(project: Path, tmp_path: Path, name: str) -> Path:
    target = tmp_path / f"{name}.db"
    shutil.copyfile(project, target)
    return target


def snapshot(project: Path) -> dict:
    """What inference stored, minus what differs by nature (run ids, creation times)."""
    conn = open_project(project, readonly=True)
    try:
        out = {t: pd.read_sql_query(f'SELECT * FROM "{t}" ORDER BY rowid', conn)
               for t in TABLES}
        out["predictions"] = pd.read_sql_query(
            "SELECT p.* FROM predictions p JOIN runs r USING (run_id) "
            "WHERE r.run_id = (SELECT MAX(run_id) FROM runs WHERE kind = 'model') "
            "ORDER BY p.rowid", conn).drop(columns="run_id")
        out["data_hash"] = conn.execute("SELECT data_hash FROM runs WHERE kind = 'model' "
                                        "ORDER BY run_id DESC LIMIT 1").fetchone()[0]
    finally:
        conn.close()
    return out


def assert_same(a: dict, b: dict) -> None:
    assert a["data_hash"] == b["data_hash"]
    for name in list(TABLES) + ["predictions"]:
        pd.testing.assert_frame_equal(a[name], b[name], check_exact=True, obj=name)
        # byte-identical, not merely equal: the same per-row hashes in the same order
        assert (pd.util.hash_pandas_object(a[name], index=False).tolist()
                == pd.util.hash_pandas_object(b[name], index=False).tolist())


@pytest.fixture(scope="module")
def local_run(ingested, tmp_path_factory) -> dict:
    """Today's path: in-process, default shard size (the whole tiny fleet in one shard)."""
    project = copy_of(ingested, tmp_path_factory.mktemp("local"), "local")
    summary = infer_project(project, seed=1)
    return {"summary": summary, "tables": snapshot(project)}


def test_local_engine_gives_the_same_whatever_the_shards(ingested, local_run, tmp_path):
    project = copy_of(ingested, tmp_path, "sharded")
    seen = []
    summary = infer_project(project, seed=1, config=SHARDED, engine=LocalEngine(),
                            progress=lambda d, t, m: seen.append(m))
    assert sum("shard" in m for m in seen) >= 5  # 14 vehicles in buckets of ~3
    assert_same(snapshot(project), local_run["tables"])
    assert summary["places"] == local_run["summary"]["places"] > 0


def test_a_local_pool_of_two_processes_gives_byte_identical_results(ingested, local_run,
                                                                    tmp_path):
    """Shards read by two worker processes (each its own read-only connection), the model's
    fold fits spread over them: the same bytes as one process. Here pytest's threads rule out
    fork, so the pool starts fresh interpreters (forkserver)."""
    project = copy_of(ingested, tmp_path, "pool")
    engine, seen = LocalEngine(processes=2), []
    summary = infer_project(project, seed=1, engine=engine,
                            progress=lambda d, t, m: seen.append(m))
    assert engine.pool is None  # started and shut down again
    assert any("(2 processes)" in m for m in seen)
    assert_same(snapshot(project), local_run["tables"])
    assert summary["predictions_sha256"] == local_run["summary"]["predictions_sha256"]


def test_the_cli_forks_a_pool_and_gives_byte_identical_results(ingested, local_run, tmp_path):
    """`auditor infer` in a process of its own (one thread: the pool is forked before the
    project is opened), two processes asked for by AUDITOR_LOCAL_PROCESSES."""
    import json
    import os
    import subprocess
    import sys
    project = copy_of(ingested, tmp_path, "forked")
    env = dict(os.environ, AUDITOR_LOCAL_PROCESSES="2")
    got = subprocess.run([sys.executable, "-m", "auditor", "infer", str(project), "--seed", "1",
                          "--json"], capture_output=True, text=True, env=env, timeout=600)
    assert got.returncode == 0, got.stderr[-2000:]
    summary = json.loads(got.stdout.strip().splitlines()[-1])
    assert summary["predictions_sha256"] == local_run["summary"]["predictions_sha256"]
    assert_same(snapshot(project), local_run["tables"])


def test_a_wrong_process_count_is_one_error_line(ingested, tmp_path, monkeypatch, capsys):
    project = copy_of(ingested, tmp_path, "badenv")
    monkeypatch.setenv("AUDITOR_LOCAL_PROCESSES", "none")
    assert main(["infer", str(project)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: AUDITOR_LOCAL_PROCESSES=none") and len(err.splitlines()) == 1
    monkeypatch.setenv("AUDITOR_LOCAL_PROCESSES", "2")
    assert make_engine("local").processes == 2


def test_the_local_engine_forks_only_for_a_large_fleet(tmp_path, monkeypatch):
    from auditor import engine as engine_mod
    big = tmp_path / "big.db"
    big.write_bytes(b"\0" * 2048)
    monkeypatch.setattr(engine_mod, "PARALLEL_FROM_BYTES", 1024)
    monkeypatch.setattr(engine_mod, "fork_is_safe", lambda: True)
    monkeypatch.setattr(engine_mod, "usable_cores", lambda: 2)
    assert LocalEngine().plan_for(big).workers_hint == 2
    monkeypatch.setattr(engine_mod, "usable_cores", lambda: 8)
    assert LocalEngine().plan_for(big).workers_hint == 2                 # at most max_auto
    assert LocalEngine(max_auto=4).plan_for(big).workers_hint == 4
    monkeypatch.setattr(engine_mod, "usable_cores", lambda: 1)
    assert LocalEngine().plan_for(big).workers_hint == 1                 # one core: no pool
    monkeypatch.setattr(engine_mod, "usable_cores", lambda: 2)
    monkeypatch.setattr(engine_mod, "PARALLEL_FROM_BYTES", 4096)         # a small fleet
    assert LocalEngine().plan_for(big).workers_hint == 1
    assert LocalEngine().plan_for(tmp_path / "missing.db").workers_hint == 1
    monkeypatch.setattr(engine_mod, "PARALLEL_FROM_BYTES", 1024)
    monkeypatch.setattr(engine_mod, "fork_is_safe", lambda: False)       # the GUI's worker thread
    assert LocalEngine().plan_for(big).workers_hint == 1
    assert LocalEngine(processes=3).plan_for(big).workers_hint == 3      # asked for: as asked
    with pytest.raises(UserError):
        LocalEngine(processes=0)


def test_consecutive_shards_hold_equal_pings_and_every_vehicle_once():
    from auditor.pipeline.shards import plan_ranges
    counts = [(f"v{i:03d}", n) for i, n in enumerate([5, 400, 7, 7, 390, 3, 200, 200, 1, 1])]
    runs = plan_ranges(counts, 4, max_vehicles=200)
    assert [v for r in runs for v in r] == [v for v, _ in counts]  # in order, each once
    pings = dict(counts)
    sizes = [sum(pings[v] for v in r) for r in runs]
    assert len(runs) == 4 and max(sizes) <= 2 * sum(sizes) / 4
    assert all(len(r) <= 3 for r in plan_ranges(counts, 1, max_vehicles=3))  # the memory bound
    assert plan_ranges([], 2, 200) == [] and plan_ranges(counts[:1], 4, 200) == [["v000"]]


@pytest.mark.slow
def test_a_local_cluster_gives_byte_identical_results(ingested, local_run, tmp_path):
    project = copy_of(ingested, tmp_path, "cluster")
    engine = DaskEngine(workers=2)
    summary = infer_project(project, seed=1, config=SHARDED, engine=engine)
    assert engine.client is None and engine.cluster is None  # started and stopped again
    assert_same(snapshot(project), local_run["tables"])
    assert summary["pings"] == local_run["summary"]["pings"]


def test_a_scheduler_and_two_workers_give_byte_identical_results(ingested, local_run, tmp_path,
                                                                  dask_scheduler):
    from distributed import Client
    project = copy_of(ingested, tmp_path, "remote")
    seen = []
    infer_project(project, seed=1, config=SHARDED,
                  engine=DaskEngine(scheduler=dask_scheduler),
                  progress=lambda d, t, m: seen.append(m))
    assert_same(snapshot(project), local_run["tables"])
    assert any("2 Dask workers" in m for m in seen)
    with Client(dask_scheduler) as client:  # both workers did shards
        done = client.run(lambda dask_worker: len(dask_worker.data) + dask_worker.state.
                          transition_counter)
    assert len(done) == 2 and all(n > 0 for n in done.values())


def test_the_cli_honours_dask_scheduler_address(ingested, local_run, tmp_path, monkeypatch,
                                                capsys, dask_scheduler):
    project = copy_of(ingested, tmp_path, "cli")
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", dask_scheduler)
    assert main(["infer", str(project), "--seed", "1", "--engine", "dask", "--json"]) == 0
    out = capsys.readouterr().out
    assert f'"places": {local_run["summary"]["places"]}' in out
    assert_same(snapshot(project), local_run["tables"])


def test_cancel_on_a_cluster_stops_and_keeps_the_project(ingested, tmp_path, dask_scheduler):
    from distributed import Client
    project = copy_of(ingested, tmp_path, "cancel")
    infer_project(project, seed=1)
    before = snapshot(project)

    seen = []

    def progress(done, total, message):
        seen.append(message)
        if message.startswith("vehicles: 1 of"):  # a shard came back: the user presses Cancel
            raise Cancelled()
    with pytest.raises(Cancelled):
        infer_project(project, seed=2, config=SHARDED,
                      engine=DaskEngine(scheduler=dask_scheduler), progress=progress)
    assert_same(snapshot(project), before)
    assert seen[-1].startswith("vehicles: 1 of") and "shards done" in seen[-1]
    with Client(dask_scheduler) as client:  # nothing of ours left running there
        deadline = time.monotonic() + 10
        while any(client.processing().values()) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(client.processing().values())


def test_engine_choices_are_checked(tmp_path, capsys, ingested):
    with pytest.raises(UserError, match="--engine spark"):
        make_engine("spark")
    assert isinstance(make_engine(None, scheduler="tcp://127.0.0.1:1"), DaskEngine)
    project = copy_of(ingested, tmp_path, "choices")
    assert main(["infer", str(project), "--engine", "local", "--workers", "2"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "--engine dask" in err and len(err.splitlines()) == 1
    assert main(["infer", str(project), "--engine", "dask", "--workers", "0"]) == 1
    assert "--workers 0" in capsys.readouterr().err
    closed = f"tcp://127.0.0.1:{free_port()}"
    with pytest.raises(UserError, match="no Dask scheduler answered"):
        with DaskEngine(scheduler=closed, connect_timeout_s=1):
            pass


def test_a_cluster_with_other_library_versions_is_refused(dask_scheduler, monkeypatch):
    """Byte-identical results need the same libraries on every worker: say which differ."""
    from importlib import metadata
    real = metadata.version
    monkeypatch.setattr(metadata, "version",  # only here, in the client process
                        lambda name: "0.0-here" if name == "pandas" else real(name))
    with pytest.raises(UserError, match=r"pandas .* there, 0\.0-here here"):
        with DaskEngine(scheduler=dask_scheduler):
            pass
    with pytest.raises(UserError, match="give one of the two"):
        make_engine("dask", workers=2, scheduler=dask_scheduler)
