"""Several files, each with its own options, in one transaction (the import wizard's Import,
and `auditor ingest` with several files): all are kept, or — on a failure or Cancel in any file
— none is, and the project is as it was."""
import sqlite3

import pytest

from auditor.errors import Cancelled, UserError
from auditor.ingest.api import ImportJob, ingest_jobs, ingest_paths


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def _files(tmp_path):
    vehicles = _write(tmp_path / "fleet.csv", "vehicle,timezone,colour\nv1,Europe/Berlin,red\n")
    pings = _write(tmp_path / "gps.csv", "car,when,y,x\n" + "".join(
        f"v1,{1_700_000_000 + 60 * i},{52.5 + 0.001 * i},13.4\n" for i in range(8)))
    labels = _write(tmp_path / "truth.csv", "car,label,lat,lon\nv1,home,52.5,13.4\n")
    return vehicles, pings, labels


def _count(project, table):
    conn = sqlite3.connect(project)
    try:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


def test_three_kinds_with_their_own_columns_in_one_run(tmp_path):
    vehicles, pings, labels = _files(tmp_path)
    project = tmp_path / "p.db"
    out = ingest_jobs(project, [
        ImportJob(vehicles, "vehicles", {"vehicle_id": "vehicle"}),
        ImportJob(pings, "pings", {"vehicle_id": "car", "timestamp": "when", "lat": "y", "lon": "x"}),
        ImportJob(labels, "labels", {"vehicle_id": "car"})])
    assert [s["kind"] for s in out] == ["vehicles", "pings", "labels"]
    assert [s["accepted"] for s in out] == [1, 8, 1]
    assert _count(project, "pings") == 8 and _count(project, "labels") == 1


def test_cancel_in_the_last_file_keeps_nothing_of_the_first(tmp_path):
    vehicles, pings, labels = _files(tmp_path)
    project = tmp_path / "p.db"
    ingest_jobs(project, [ImportJob(vehicles, "vehicles", {"vehicle_id": "vehicle"})])

    def progress(done, total, message):
        if "truth.csv" in message:
            raise Cancelled()
    with pytest.raises(Cancelled):
        ingest_jobs(project, [
            ImportJob(pings, "pings", {"vehicle_id": "car", "timestamp": "when", "lat": "y", "lon": "x"}),
            ImportJob(labels, "labels", {"vehicle_id": "car"})], progress)
    assert _count(project, "pings") == 0 and _count(project, "labels") == 0
    assert _count(project, "imports") == 1  # the vehicles of the earlier run only
    # the CLI's several files are one transaction too
    more = _write(tmp_path / "truth.csv", pings.read_text().replace("v1,", "v2,"))
    with pytest.raises(Cancelled):
        ingest_paths(project, [pings, more], column_map={"vehicle_id": "car",
                                                         "timestamp": "when", "lat": "y",
                                                         "lon": "x"}, progress=progress)
    assert _count(project, "pings") == 0 and _count(project, "imports") == 1


def test_a_bad_file_is_refused_before_anything_is_written(tmp_path):
    vehicles, pings, _ = _files(tmp_path)
    bad = _write(tmp_path / "bad.csv", "car,when,y\nv1,1,2\n")  # no longitude anywhere
    project = tmp_path / "p.db"
    ingest_jobs(project, [ImportJob(vehicles, "vehicles", {"vehicle_id": "vehicle"})])
    with pytest.raises(UserError, match="bad.csv"):
        ingest_jobs(project, [
            ImportJob(pings, "pings", {"vehicle_id": "car", "timestamp": "when", "lat": "y", "lon": "x"}),
            ImportJob(bad, "pings", {"vehicle_id": "car", "timestamp": "when", "lat": "y"})])
    assert _count(project, "pings") == 0
