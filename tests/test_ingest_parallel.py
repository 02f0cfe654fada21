"""`ingest --engine dask`: a directory of files validated on Dask workers gives the project a
local import gives — pings, quarantine, digests, summaries, the Parquet store — and a file
that fails on a worker, or that a worker cannot see, leaves nothing written.

Clusters: the session's real `dask scheduler` + two `dask worker` processes (conftest, shared
with tests/test_engines.py) for most checks, one LocalCluster through the CLI. Files are small
and chunks of 300 rows, so every file is several chunks and the import several tasks."""
from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from auditor.cli import main
from auditor.engine import DaskEngine, LocalEngine
from auditor.errors import Cancelled, UserError
from auditor.ingest.api import ingest_paths
from auditor.ingest.command import expand_inputs
from auditor.ingest.parallel import PRELOAD
from auditor.store import open_project

CHUNK = 300
TABLES = {"imports": "import_id", "pings": "ping_id", "quarantine": "quarantine_id",
          "vehicles": "vehicle_id", "labels": "rowid", "pings_digests": "import_id"}


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """A generated fleet cut into several pings files (CSV, gzip CSV and Parquet) with faults: rows
    repeated across files (duplicates across imports), a malformed line, bad coordinates, a
    missing vehicle id, a bad timestamp; plus the vehicles and labels files."""
    from auditor.demo.generator import write_demo
    src = tmp_path_factory.mktemp("parallel-src")
    write_demo(src, vehicles=8, days=3, seed=7)
    out = tmp_path_factory.mktemp("parallel-in")
    shutil.copy(src / "vehicles.csv", out / "a-vehicles.csv")  # name order: vehicles first
    shutil.copy(src / "labels.csv", out / "z-labels.csv")
    pings = pd.read_csv(src / "pings.csv", dtype=str, keep_default_na=False)
    n = len(pings)
    parts = [pings.iloc[: n // 4], pings.iloc[n // 4 - 50: n // 2],
             pings.iloc[n // 2: 3 * n // 4], pings.iloc[3 * n // 4:]]
    parts[0] = parts[0].copy()
    parts[0].iloc[10, parts[0].columns.get_loc("lat")] = "123.5"        # out of range
    parts[0].iloc[400, parts[0].columns.get_loc("vehicle_id")] = ""     # missing id
    parts[2] = parts[2].copy()
    parts[2].iloc[333, parts[2].columns.get_loc("timestamp")] = "yesterday"
    parts[0].to_csv(out / "pings-1.csv", index=False)
    text = parts[1].to_csv(index=False).splitlines()
    text.insert(500, text[500] + ",an,extra,field")                     # malformed line
    (out / "pings-2.csv").write_text("\n".join(text) + "\n")
    parts[2].to_parquet(out / "pings-3.parquet", index=False)
    # a compressed export: workers decompress it as a stream, the project is the same
    (out / "pings-4.csv.gz").write_bytes(gzip.compress(parts[3].to_csv(index=False).encode()))
    (out / "notes.txt").write_text("not a table: left out of a folder import\n")
    return out


def dump(project: Path, store: Path | None = None) -> dict:
    """Every table an import writes, as SQL rows (minus the wall-clock time of the import
    and the absolute path it was given by), and the dataset's rows."""
    conn = open_project(project, readonly=True)
    try:
        out = {t: pd.read_sql_query(f'SELECT * FROM "{t}" ORDER BY "{key}"', conn)
               for t, key in TABLES.items()}
        out["imports"] = out["imports"].drop(columns=["imported_at"])
        if store is not None:
            from auditor.store import pings_dataset
            ds = pings_dataset.recorded(conn)
            out["store"] = pd.concat([pings_dataset.read_bucket_file(ds.bucket_file(b))
                                      for b in ds.buckets()], ignore_index=True)
            out["store_vehicles"] = pings_dataset.vehicle_rows(conn)
    finally:
        conn.close()
    return out


def assert_same(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], check_exact=True, obj=name)
        assert (pd.util.hash_pandas_object(a[name], index=False).tolist()
                == pd.util.hash_pandas_object(b[name], index=False).tolist()), name


def without_paths(summaries: list[dict]) -> list[dict]:
    return [{k: v for k, v in s.items() if k != "file"} | {"name": Path(s["file"]).name}
            for s in summaries]


@pytest.fixture(scope="module")
def local(folder, tmp_path_factory) -> dict:
    d = tmp_path_factory.mktemp("parallel-local")
    files = expand_inputs([folder])
    summaries = ingest_paths(d / "p.db", files, chunk_rows=CHUNK)
    summaries += ingest_paths(d / "s.db", files, chunk_rows=CHUNK, pings_store=d / "store")
    ingest_paths(d / "whole.db", files)  # the CLI's chunks (quarantine order follows them)
    return {"summaries": summaries, "file": dump(d / "p.db"),
            "store": dump(d / "s.db", d / "store"), "whole_chunks": dump(d / "whole.db")}


def test_a_folder_means_its_tables_in_name_order(folder, tmp_path):
    assert [p.name for p in expand_inputs([folder])] == [
        "a-vehicles.csv", "pings-1.csv", "pings-2.csv", "pings-3.parquet", "pings-4.csv.gz",
        "z-labels.csv"]
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match="no data files in this folder"):
        expand_inputs([tmp_path / "empty"])
    # the line-per-record and JSON formats too; notes and logs only when named
    other = tmp_path / "other"
    other.mkdir()
    for name in ("b.jsonl", "a.geojson", "c.nmea.gz", "d.json", "e.tsv", "notes.txt",
                 "run.log", ".hidden.csv"):
        (other / name).write_text("x")
    assert [p.name for p in expand_inputs([other])] == [
        "a.geojson", "b.jsonl", "c.nmea.gz", "d.json", "e.tsv"]


def test_workers_give_the_project_a_local_import_gives(folder, local, tmp_path,
                                                       dask_scheduler):
    files = expand_inputs([folder])
    file_reasons = set(local["file"]["quarantine"]["reason"])
    # the faults above, and the rules across rows and files, all reached quarantine
    assert {"lat_lon_out_of_range", "missing_vehicle_id", "bad_timestamp", "malformed_row",
            "duplicate_ping"} <= file_reasons, file_reasons
    seen = []
    engine = DaskEngine(scheduler=dask_scheduler, preload=PRELOAD)
    summaries = ingest_paths(tmp_path / "p.db", files, chunk_rows=CHUNK, engine=engine,
                             progress=lambda d, t, m: seen.append(m))
    summaries += ingest_paths(tmp_path / "s.db", files, chunk_rows=CHUNK, engine=engine,
                              pings_store=tmp_path / "store")
    assert_same(dump(tmp_path / "p.db"), local["file"])
    assert_same(dump(tmp_path / "s.db", tmp_path / "store"), local["store"])
    assert without_paths(summaries) == without_paths(local["summaries"])
    assert any(m.startswith("a-vehicles.csv: waiting for its validation — ")
               and m.endswith("files validated on 2 Dask workers") for m in seen)
    assert any(m.startswith("pings-4.csv.gz: ") and "rows" in m for m in seen)  # written here


@pytest.mark.slow
def test_the_cli_on_a_local_cluster_gives_the_same_project(folder, local, tmp_path, capsys):
    project = tmp_path / "cli.db"
    assert main(["ingest", str(project), str(folder), "--engine", "dask", "--workers", "2",
                 "--json"]) == 0
    assert_same(dump(project), local["whole_chunks"])
    out = capsys.readouterr().out
    assert '"file_format": "parquet"' in out and out.count('"kind": "pings"') == 4


def fail_mid_file(folder: Path, target: Path) -> Path:
    """pings-3 as CSV, one timestamp without an offset far past the rows the client plans
    with: only the worker reading the file finds it."""
    pings = pd.read_parquet(folder / "pings-3.parquet")
    pings.iloc[700, pings.columns.get_loc("timestamp")] = "2024-03-01 08:00:00"
    pings.to_csv(target, index=False)
    return target


def test_a_file_failing_on_a_worker_writes_nothing(folder, tmp_path, dask_scheduler, capsys):
    project = tmp_path / "p.db"
    ingest_paths(project, [folder / "a-vehicles.csv"])
    before = dump(project)
    files = [folder / "pings-1.csv", folder / "pings-2.csv",
             fail_mid_file(folder, tmp_path / "pings-bad.csv"), folder / "pings-4.csv.gz"]
    with pytest.raises(UserError) as caught:
        ingest_paths(project, files, chunk_rows=CHUNK,
                     engine=DaskEngine(scheduler=dask_scheduler))
    message = str(caught.value)
    assert message.startswith("pings-bad.csv: line 702: naive timestamps")
    assert "--tz" in message and "\n" not in message
    with pytest.raises(UserError) as here:  # the line a local import gives
        ingest_paths(project, files, chunk_rows=CHUNK)
    assert str(here.value) == message
    assert_same(dump(project), before)
    # the CLI: one line, exit 1, and a project it would have created is not left behind
    capsys.readouterr()
    assert main(["ingest", str(tmp_path / "new.db"), *map(str, files), "--scheduler",
                 dask_scheduler]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "pings-bad.csv: line" in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "new.db").exists()


def test_cancel_while_waiting_for_workers_keeps_the_project(folder, tmp_path, dask_scheduler):
    project = tmp_path / "p.db"
    ingest_paths(project, [folder / "a-vehicles.csv"])
    before = dump(project)

    def progress(done, total, message):
        if "pings-2.csv" in message:  # the first file was written; the user presses Cancel
            raise Cancelled()
    with pytest.raises(Cancelled):
        ingest_paths(project, expand_inputs([folder]), chunk_rows=CHUNK, progress=progress,
                     engine=DaskEngine(scheduler=dask_scheduler))
    assert_same(dump(project), before)


def test_a_path_a_worker_cannot_see_is_one_line(folder, tmp_path, dask_scheduler):
    """/proc/self/fd/N names a file only in the process holding descriptor N: here, the
    client. The workers (other processes) do not see it — as a worker on another machine
    does not see a local disk."""
    fd = os.open(folder / "pings-1.csv", os.O_RDONLY)
    high = os.dup2(fd, 4321)
    try:
        only_here = f"/proc/self/fd/{high}"
        assert Path(only_here).read_bytes() == (folder / "pings-1.csv").read_bytes()
        project = tmp_path / "p.db"
        with pytest.raises(UserError) as caught:
            ingest_paths(project, [only_here], engine=DaskEngine(scheduler=dask_scheduler))
        message = str(caught.value)
        assert message.startswith(f"{only_here}: Dask worker tcp://127.0.0.1:")
        assert "cannot see this input file at this path" in message
        assert "same path" in message and "\n" not in message
        assert not project.exists()
        # the same file through this process: imported
        assert ingest_paths(project, [only_here], engine=LocalEngine())[0]["accepted"] > 0
    finally:
        os.close(high)
        os.close(fd)
