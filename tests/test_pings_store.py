"""`ingest --pings-store DIR`: pings in a Parquet dataset outside the project file, validated
and quarantined exactly as in the file, read by infer's shards, the map and the timeline, and
hashed by export/verify. Every check compares against the same files imported the default
way (one SQLite file)."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from auditor.cli import main
from auditor.errors import UserError
from auditor.ingest.api import ingest_paths
from auditor.pipeline.api import infer_project
from auditor.pipeline.engine import DaskEngine
from auditor.store import open_project, pings_dataset
from auditor.store.queries import read_pings, vehicle_pings


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict:
    """A generated fleet whose pings come in two files that overlap: the second repeats some
    of the first's pings (duplicates across imports) and goes on from there."""
    from auditor.demo.generator import write_demo
    root = tmp_path_factory.mktemp("store-data")
    write_demo(root, vehicles=12, days=5, seed=21)
    pings = pd.read_csv(root / "pings.csv", dtype=str, keep_default_na=False)
    half = len(pings) // 2
    pings.iloc[:half].to_csv(root / "first.csv", index=False)
    pings.iloc[half - 400:].to_csv(root / "second.csv", index=False)
    return {"root": root, "pings": ["first.csv", "second.csv"]}


def _build(files: dict, project: Path, store: Path | None) -> list[dict]:
    root = files["root"]
    out = ingest_paths(project, [root / "vehicles.csv"], kind="vehicles")
    for name in files["pings"]:
        out += ingest_paths(project, [root / name], kind="pings", pings_store=store)
    out += ingest_paths(project, [root / "labels.csv"], kind="labels")
    return out


@pytest.fixture(scope="module")
def pair(files, tmp_path_factory) -> dict:
    """The same files imported into the file (a.db) and into a dataset (b.db + store/)."""
    d = tmp_path_factory.mktemp("store-pair")
    a, b, store = d / "a.db", d / "b.db", d / "store"
    return {"a": a, "b": b, "store": store, "summary_a": _build(files, a, None),
            "summary_b": _build(files, b, store)}


def _quarantine(project: Path) -> pd.DataFrame:
    conn = open_project(project, readonly=True)
    try:
        return pd.read_sql_query("SELECT import_id, file_name, line, raw, reason FROM quarantine "
                                 "ORDER BY quarantine_id", conn)
    finally:
        conn.close()


def test_the_store_validates_and_quarantines_exactly_as_the_file(pair):
    strip = [{k: v for k, v in s.items() if k != "file"} for s in pair["summary_a"]]
    assert strip == [{k: v for k, v in s.items() if k != "file"} for s in pair["summary_b"]]
    second = pair["summary_b"][2]
    assert second["reasons"].get("duplicate_ping", 0) >= 400  # found in the dataset
    pd.testing.assert_frame_equal(_quarantine(pair["a"]), _quarantine(pair["b"]))
    conn = open_project(pair["b"], readonly=True)
    try:
        assert conn.execute("SELECT COUNT(*) FROM pings").fetchone()[0] == 0
        store = pings_dataset.recorded(conn)
        in_b = read_pings(conn)
    finally:
        conn.close()
    conn = open_project(pair["a"], readonly=True)
    try:
        in_a = read_pings(conn)
    finally:
        conn.close()
    assert store.root == pair["store"].resolve() and store.rows == len(in_a)
    # the pings passed through the file on their way: its pages were given back (none free,
    # and the file smaller than the one that keeps them; a ratio of sizes would measure the
    # page size: every table takes a page)
    conn = open_project(pair["b"], readonly=True)
    try:
        assert conn.execute("PRAGMA freelist_count").fetchone()[0] == 0
    finally:
        conn.close()
    assert pair["b"].stat().st_size < pair["a"].stat().st_size
    pd.testing.assert_frame_equal(in_a, in_b, check_exact=True)
    # one complete version on disk, partitioned by vehicle bucket, sorted by vehicle and time
    assert [p.name for p in pair["store"].iterdir()] == [store.version]
    for b in store.buckets():
        table = pq.read_table(store.bucket_file(b)).to_pandas()
        assert table.equals(table.sort_values(["vehicle_id", "ts", "ping_id"]))
        assert (pings_dataset.vehicle_bucket(table["vehicle_id"].unique(), store.n_buckets)
                == b).all()


def _tables(project: Path) -> dict:
    conn = open_project(project, readonly=True)
    try:
        out = {t: pd.read_sql_query(f"SELECT * FROM {t} ORDER BY rowid", conn)
               for t in ("trips", "stops", "places", "place_features", "vehicle_clocks")}
        run = conn.execute("SELECT MAX(run_id) FROM runs WHERE kind = 'model'").fetchone()[0]
        out["predictions"] = pd.read_sql_query(
            "SELECT * FROM predictions WHERE run_id = ? ORDER BY rowid", conn,
            params=(run,)).drop(columns="run_id")
        out["data_hash"] = conn.execute("SELECT data_hash FROM runs WHERE run_id = ?",
                                        (run,)).fetchone()[0]
    finally:
        conn.close()
    return out


def _same(x: dict, y: dict) -> None:
    assert x["data_hash"] == y["data_hash"]
    for name in x:
        if name != "data_hash":
            pd.testing.assert_frame_equal(x[name], y[name], check_exact=True, obj=name)


def test_predictions_are_identical_from_the_file_and_from_the_dataset(pair, tmp_path,
                                                                       dask_scheduler):
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    shutil.copyfile(pair["a"], a)
    shutil.copyfile(pair["b"], b)  # the copy names the same dataset folder
    infer_project(a, seed=3)
    infer_project(b, seed=3)
    from_file = _tables(a)
    _same(from_file, _tables(b))
    # workers of a real cluster read their buckets straight from the dataset
    infer_project(b, seed=3, engine=DaskEngine(scheduler=dask_scheduler))
    _same(from_file, _tables(b))


def test_one_vehicle_is_read_from_its_bucket_only(pair, monkeypatch):
    conn = open_project(pair["b"], readonly=True)
    reads = []
    real = pings_dataset.read_bucket_file
    monkeypatch.setattr(pings_dataset, "read_bucket_file",
                        lambda path, *a, **k: reads.append(path) or real(path, *a, **k))
    try:
        vid = conn.execute("SELECT vehicle_id FROM pings_store_vehicles LIMIT 1 OFFSET 3")
        vid = vid.fetchone()[0]
        got = vehicle_pings(conn, vid, ["ts", "lat", "lon"])
        window = (int(got["ts"].iloc[10]), int(got["ts"].iloc[50]))
        part = vehicle_pings(conn, vid, ["ts", "lat", "lon"], window)
    finally:
        conn.close()
    assert len(set(reads)) == 1 and len(reads) == 2  # its bucket, nothing else
    conn = open_project(pair["a"], readonly=True)
    try:
        pd.testing.assert_frame_equal(got, vehicle_pings(conn, vid, ["ts", "lat", "lon"]))
        pd.testing.assert_frame_equal(part, vehicle_pings(conn, vid, ["ts", "lat", "lon"],
                                                          window))
    finally:
        conn.close()
    assert len(part) == 41


def test_a_failed_import_leaves_the_previous_dataset_whole(files, tmp_path, monkeypatch):
    project, store = tmp_path / "p.db", tmp_path / "store"
    root = files["root"]
    ingest_paths(project, [root / "first.csv"], kind="pings", pings_store=store)
    conn = open_project(project, readonly=True)
    before, rows = pings_dataset.recorded(conn), read_pings(conn)
    conn.close()

    real = pings_dataset.Stage._record

    def crash(self, *args, **kwargs):  # the new version is written and renamed: then it fails
        assert self.final.exists()
        raise OSError("disk full")
    monkeypatch.setattr(pings_dataset.Stage, "_record", crash)
    with pytest.raises(OSError):
        ingest_paths(project, [root / "second.csv"], kind="pings")
    monkeypatch.setattr(pings_dataset.Stage, "_record", real)
    assert sorted(p.name for p in store.iterdir()) == [before.version]  # no half dataset
    conn = open_project(project, readonly=True)
    try:
        assert pings_dataset.recorded(conn) == before
        pd.testing.assert_frame_equal(read_pings(conn), rows)
        assert conn.execute("SELECT COUNT(*) FROM imports").fetchone()[0] == 1
    finally:
        conn.close()
    ingest_paths(project, [root / "second.csv"], kind="pings")  # the project's own store
    conn = open_project(project, readonly=True)
    try:
        after = pings_dataset.recorded(conn)
    finally:
        conn.close()
    assert after.rows > before.rows and sorted(p.name for p in store.iterdir()) == [after.version]


def test_export_and_verify_hash_the_dataset(pair, tmp_path, capsys):
    project = tmp_path / "b.db"
    shutil.copyfile(pair["b"], project)
    infer_project(project, seed=0)
    out = tmp_path / "export"
    assert main(["export", str(project), str(out)]) == 0
    assert main(["verify", str(out)]) == 0
    capsys.readouterr()
    conn = open_project(project, readonly=True)
    store = pings_dataset.recorded(conn)
    conn.close()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["inputs"]["content_hashes"]["pings"]["rows"] == store.rows
    # one coordinate changed in one bucket file: verify names the pings
    path = store.bucket_file(store.buckets()[0])
    table = pq.read_table(path).to_pandas()
    table.loc[5, "lat"] += 0.001
    path.unlink()  # a new file, never an edit through a hard link of another version
    pq.write_table(pa.Table.from_pandas(table, schema=pings_dataset._schema(),
                                        preserve_index=False), path)
    assert main(["verify", str(out)]) == 1
    said = capsys.readouterr()
    assert "pings differ" in said.out + said.err


def test_pings_store_mistakes_are_one_line(files, tmp_path, capsys):
    root = files["root"]
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine")
    project = tmp_path / "p.db"
    assert main(["ingest", str(project), str(root / "first.csv"), "--pings-store",
                 str(busy)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "not empty" in err and len(err.splitlines()) == 1
    assert not project.exists()  # the project this command made is gone again
    assert main(["ingest", str(project), str(root / "first.csv")]) == 0
    assert main(["ingest", str(project), str(root / "second.csv"), "--pings-store",
                 str(tmp_path / "new")]) == 1
    assert "project file" in capsys.readouterr().err
    with pytest.raises(UserError, match="is a file"):
        conn = open_project(tmp_path / "q.db")
        try:
            pings_dataset.check_store_dir(busy / "notes.txt", conn)
        finally:
            conn.close()


def test_replace_swaps_a_vehicles_pings_in_the_dataset_as_in_the_file(files, tmp_path):
    root = files["root"]
    pings = pd.read_csv(root / "second.csv", dtype=str, keep_default_na=False)
    one = pings[pings["vehicle_id"] == pings["vehicle_id"].iloc[0]].iloc[::3]
    one.to_csv(tmp_path / "fix.csv", index=False)
    out = {}
    for name, store in (("file", None), ("store", tmp_path / "store")):
        project = tmp_path / f"{name}.db"
        ingest_paths(project, [root / "first.csv"], kind="pings", pings_store=store)
        ingest_paths(project, [root / "second.csv"], kind="pings")
        conn = open_project(project, readonly=True)
        try:
            before = int((read_pings(conn)["vehicle_id"] == one["vehicle_id"].iloc[0]).sum())
        finally:
            conn.close()
        summary = ingest_paths(project, [tmp_path / "fix.csv"], kind="pings", replace=True)[0]
        conn = open_project(project, readonly=True)
        try:
            out[name] = (read_pings(conn).drop(columns="ping_id"),
                         {k: v for k, v in summary.items() if k not in ("file", "import_id")})
        finally:
            conn.close()
        # the summary says how many stored pings were replaced, wherever they were stored
        assert summary["deleted_pings"] == before > 0, name
    pd.testing.assert_frame_equal(out["file"][0], out["store"][0], check_exact=True)
    assert out["file"][1] == out["store"][1] and out["store"][1]["replaced_vehicles"] == 1
    kept = out["store"][0]
    # only what the fix file brought is left of that vehicle, in both
    assert (kept["vehicle_id"] == one["vehicle_id"].iloc[0]).sum() == out["store"][1]["accepted"]
    assert 0 < out["store"][1]["accepted"] < len(pings[pings["vehicle_id"] == one["vehicle_id"]
                                                       .iloc[0]])


def test_a_worker_that_cannot_see_the_store_is_one_line(pair, tmp_path, dask_scheduler):
    """/proc/self/fd/N names the store folder only in the process holding descriptor N (this
    one, the client); the Dask workers are other processes, as workers on other machines
    without the shared volume would be."""
    project = tmp_path / "b.db"
    shutil.copyfile(pair["b"], project)
    fd = os.open(pair["store"], os.O_RDONLY)
    high = os.dup2(fd, 4322)
    only_here = f"/proc/self/fd/{high}"
    try:
        conn = open_project(project)
        with conn:
            conn.execute("UPDATE pings_store SET root = ?", (only_here,))
        ds = pings_dataset.recorded(conn)
        first = pings_dataset.vehicle_rows(conn)["vehicle_id"].iloc[0]
        assert len(ds.read_vehicles([first])) > 0  # this process reads the store there
        conn.close()
        with pytest.raises(UserError) as caught:
            infer_project(project, seed=1, engine=DaskEngine(scheduler=dask_scheduler))
        message = str(caught.value)
        assert message.startswith(f"{only_here}/{ds.version}: Dask worker tcp://127.0.0.1:")
        assert "cannot see the pings store at this path" in message
        assert "same path on every worker" in message and "\n" not in message
    finally:
        os.close(high)
        os.close(fd)
    # a shard read where the store is not: the same advice, never an empty shard
    from auditor.pipeline.shards import DatasetShard
    missing = tmp_path / "elsewhere" / ds.version / "bucket=00001" / "pings.parquet"
    with pytest.raises(UserError, match="the pings store is not at this path here — every "
                                        "Dask worker reads the pings store itself"):
        DatasetShard((str(missing),)).read()


def test_a_vehicle_without_metadata_is_known_by_its_pings_in_the_store(pair, tmp_path):
    """The map's check that a vehicle exists looks for its pings in the file or the dataset
    (an index seek each), not through a list of every vehicle; one it does not have is a
    user's mistake naming some that it does."""
    from auditor.errors import UserError
    from auditor.maps.vehicle_data import check_vehicle
    from auditor.store.connection import copy_project
    copy = tmp_path / "no-meta.db"
    copy_project(pair["b"], copy)
    conn = open_project(copy)
    try:
        conn.execute("DELETE FROM vehicles")
        conn.commit()
        vid = conn.execute("SELECT MIN(vehicle_id) FROM pings_store_vehicles").fetchone()[0]
        assert conn.execute("SELECT COUNT(*) FROM pings WHERE vehicle_id = ?",
                            (vid,)).fetchone()[0] == 0  # in the dataset only
        assert check_vehicle(conn, vid) == {}
        with pytest.raises(UserError, match=rf"'nope' is not in this project \(e\.g\. {vid}"):
            check_vehicle(conn, "nope")
    finally:
        conn.close()
