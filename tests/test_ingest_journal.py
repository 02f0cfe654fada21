"""The first import into a project the command creates is written through a rollback journal
(each page once) and the project is in WAL again afterwards; an existing project is imported
in WAL; a failed first import leaves no file behind, journal included."""
import sqlite3

import pytest

from auditor.errors import UserError
from auditor.ingest.api import ingest_paths
from auditor.store import open_project

HEADER = "vehicle_id,timestamp,lat,lon\n"


def _pings(n: int, start: int = 1_700_000_000) -> str:
    return HEADER + "".join(f"v{i % 3},{start + 60 * i},52.{5000 + i % 50},13.4\n"
                            for i in range(n))


def _journal_mode(project) -> str:
    conn = sqlite3.connect(project)
    try:
        return conn.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        conn.close()


def test_a_new_projects_first_import_ends_in_wal_with_every_row(tmp_path):
    source = tmp_path / "p.csv"
    source.write_text(_pings(500))
    wal_during = []

    def progress(done, total, message):
        # during the import the project is not in WAL: no -wal file grows beside it, a
        # rollback journal does
        if "rows" in message:
            wal_during.append(((tmp_path / "p.db-wal").exists(),
                               (tmp_path / "p.db-journal").exists()))

    [summary] = ingest_paths(tmp_path / "p.db", [source], chunk_rows=100, progress=progress)
    assert summary["accepted"] == 500
    assert wal_during and set(wal_during) == {(False, True)}
    assert _journal_mode(tmp_path / "p.db") == "wal"
    assert not (tmp_path / "p.db-journal").exists()
    conn = open_project(tmp_path / "p.db")
    assert conn.execute("SELECT COUNT(*) FROM pings").fetchone()[0] == 500
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


def test_an_existing_project_is_imported_in_wal(tmp_path):
    open_project(tmp_path / "p.db").close()
    source = tmp_path / "p.csv"
    source.write_text(_pings(300))
    seen = []

    def progress(done, total, message):
        if "rows" in message:
            seen.append((tmp_path / "p.db-wal").exists())

    ingest_paths(tmp_path / "p.db", [source], chunk_rows=100, progress=progress)
    assert seen and all(seen)
    assert _journal_mode(tmp_path / "p.db") == "wal"


def test_a_failed_first_import_leaves_no_file(tmp_path):
    """The second file fails in its second chunk (a naive time the first chunk, checked
    before the project is made, does not show): the rollback-journal import leaves nothing."""
    good, bad = tmp_path / "a.csv", tmp_path / "b.csv"
    good.write_text(_pings(300))
    bad.write_text(_pings(150, start=1_710_000_000) + "v1,2024-03-01T08:00:00,52.5,13.4\n")
    with pytest.raises(UserError, match="naive timestamps"):
        ingest_paths(tmp_path / "p.db", [good, bad], chunk_rows=100)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv"]
