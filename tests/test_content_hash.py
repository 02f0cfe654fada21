"""Per-import pings digests (issue 16): computed at import from the rows as written, equal to a
rehash of the stored rows; exports and verify trust them only while nothing can have changed
behind them; ``verify --full`` hashes every ping and sees what the cheap check cannot."""
from __future__ import annotations

import json
import sqlite3

import pandas as pd

from auditor.export.api import export_training_set
from auditor.export.verify import verify_export
from auditor.ingest.api import ingest_paths
from auditor.store import open_project, transaction
from auditor.store.content_hash import (
    keyed_table_hash,
    pings_content_hash,
    rehash_pings,
    stored_digests,
)
from auditor.store.schema import MIGRATIONS


def _raw(project) -> sqlite3.Connection:
    """A plain SQLite connection: another tool editing the project behind auditor's back."""
    return sqlite3.connect(project, isolation_level=None)


def test_digests_at_import_equal_a_rehash_of_the_stored_rows(demo_dir, tmp_path):
    """Chunks of 997 rows, quarantined rows among them (the demo fleet's defects), optional
    columns missing in one file and present in another, a second import that keeps the index:
    whatever the import wrote, its digest is the digest of what SQLite holds."""
    pings = pd.read_csv(demo_dir / "pings.csv", dtype=str, keep_default_na=False)
    pings = pings[pings["vehicle_id"].isin(sorted(pings["vehicle_id"].unique())[:12])]
    first = pings.iloc[: len(pings) // 2]
    second = pings.iloc[len(pings) // 2:].copy()
    second["trip_id"] = [f"t{i % 7}" if i % 3 else "" for i in range(len(second))]
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    first[["vehicle_id", "timestamp", "lat", "lon"]].to_csv(a, index=False)
    second.to_csv(b, index=False)
    project = tmp_path / "p.db"
    ingest_paths(project, [a], kind="pings", chunk_rows=997)
    summary = ingest_paths(project, [b], kind="pings", chunk_rows=997)
    assert summary[0]["quarantined"] > 0 and summary[0]["accepted"] > 0
    conn = open_project(project, readonly=True)
    stored, fresh = stored_digests(conn), rehash_pings(conn)
    assert set(stored) == {1, 2} and stored == {i: {**d} for i, d in fresh.items()}
    assert stored[1]["rows"] + stored[2]["rows"] == conn.execute(
        "SELECT COUNT(*) FROM pings").fetchone()[0]
    assert stored[1]["sha256"] != stored[2]["sha256"]
    got, computed = pings_content_hash(conn)
    assert computed == {}                    # the stored digests held the cheap check
    assert pings_content_hash(conn, full=True)[0] == got
    conn.close()


def _export(project, out):
    export_training_set(project, out, fmt="csv")
    return json.loads((out / "manifest.json").read_text())


def _one_ping(conn) -> int:
    return conn.execute("SELECT MAX(ping_id) / 2 FROM pings").fetchone()[0]


def test_a_ping_changed_through_sqlite_is_caught_by_the_cheap_verify(fresh_tiny_project,
                                                                     tmp_path):
    out = tmp_path / "out"
    manifest = _export(fresh_tiny_project, out)
    assert manifest["inputs"]["content_hashes"]["pings"]["imports"]
    assert verify_export(out).ok
    raw = _raw(fresh_tiny_project)
    raw.execute("UPDATE pings SET lat = lat + 1e-9 WHERE ping_id = ?", (_one_ping(raw),))
    raw.close()
    result = verify_export(out)
    assert not result.ok
    text = "\n".join(result.differences)
    assert "the pings differ" in text and "same rows, other values" in text


def test_inserted_and_deleted_pings_are_caught(fresh_tiny_project, tmp_path):
    out = tmp_path / "out"
    _export(fresh_tiny_project, out)
    raw = _raw(fresh_tiny_project)
    # a ping inserted behind auditor's back under an existing import (no trigger on INSERT:
    # the count and MAX(ping_id) tell)
    raw.execute("INSERT INTO pings (vehicle_id, ts, lat, lon, import_id) "
                "SELECT vehicle_id, ts + 1, lat, lon, import_id FROM pings WHERE ping_id = ?",
                (_one_ping(raw),))
    raw.close()
    result = verify_export(out)
    assert not result.ok and "rows" in "\n".join(result.differences)
    raw = _raw(fresh_tiny_project)
    raw.execute("DELETE FROM pings WHERE ping_id = (SELECT MAX(ping_id) FROM pings)")
    assert verify_export(out).ok                      # back as it was
    raw.execute("DELETE FROM pings WHERE ping_id = ?", (_one_ping(raw),))
    raw.close()
    assert not verify_export(out).ok


def test_what_only_verify_full_catches(fresh_tiny_project, tmp_path):
    """A change made with the triggers dropped, and the triggers put back as they were: the
    cheap check cannot see it (it trusts that changes go through SQLite's triggers); --full
    reads every ping and does."""
    out = tmp_path / "out"
    _export(fresh_tiny_project, out)
    raw = _raw(fresh_tiny_project)
    triggers = raw.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND "
                           "tbl_name = 'pings'").fetchall()
    assert len(triggers) == 2 and all(any(sql in m for m in MIGRATIONS) for _, sql in triggers)
    raw.execute("BEGIN")
    for name, _ in triggers:
        raw.execute(f'DROP TRIGGER "{name}"')
    raw.execute("UPDATE pings SET lon = lon + 1e-9 WHERE ping_id = ?", (_one_ping(raw),))
    for _, sql in triggers:
        raw.execute(sql)
    raw.execute("COMMIT")
    raw.close()
    assert verify_export(out).ok                     # the stated limit of the cheap check
    result = verify_export(out, full=True)
    assert not result.ok and "the pings differ" in "\n".join(result.differences)


def test_insert_or_replace_is_seen_only_by_verify_full(fresh_tiny_project, tmp_path):
    """REPLACE deletes the old row without firing delete triggers (recursive_triggers off)."""
    out = tmp_path / "out"
    _export(fresh_tiny_project, out)
    raw = _raw(fresh_tiny_project)
    raw.execute("INSERT OR REPLACE INTO pings (ping_id, vehicle_id, ts, lat, lon, import_id) "
                "SELECT ping_id, vehicle_id, ts, lat + 1e-9, lon, import_id FROM pings "
                "WHERE ping_id = ?", (_one_ping(raw),))
    raw.close()
    assert verify_export(out).ok                     # the stated limit of the cheap check
    assert not verify_export(out, full=True).ok


def test_pings_inserted_into_gaps_and_holes_are_caught(fresh_tiny_project, tmp_path):
    """Below the first range, between ranges, and into a range with holes (pings deleted
    from it, its digest made again from the rows): each is a ping the digests do not cover."""
    out = tmp_path / "out"
    _export(fresh_tiny_project, out)
    raw = _raw(fresh_tiny_project)
    copy = ("INSERT INTO pings (ping_id, vehicle_id, ts, lat, lon, import_id) SELECT ?, "
            "vehicle_id, ts + 7, lat, lon, import_id FROM pings WHERE ping_id = ?")
    first = raw.execute("SELECT MIN(ping_id) FROM pings").fetchone()[0]
    raw.execute(copy, (first - 5, first))
    raw.close()
    assert not verify_export(out).ok
    raw = _raw(fresh_tiny_project)
    raw.execute("DELETE FROM pings WHERE ping_id = ?", (first - 5,))
    middle = _one_ping(raw)
    raw.execute("DELETE FROM pings WHERE ping_id = ?", (middle,))   # a hole; digest dropped
    raw.close()
    _export(fresh_tiny_project, out)                 # rehashed and stored again, with the hole
    conn = open_project(fresh_tiny_project, readonly=True)
    assert pings_content_hash(conn)[1] == {}
    conn.close()
    raw = _raw(fresh_tiny_project)
    raw.execute(copy, (middle, middle + 1))          # fills the hole behind auditor's back
    raw.close()
    assert not verify_export(out).ok


def test_a_missing_trigger_makes_the_cheap_check_rehash(fresh_tiny_project, tmp_path):
    out = tmp_path / "out"
    _export(fresh_tiny_project, out)
    raw = _raw(fresh_tiny_project)
    raw.execute("DROP TRIGGER pings_digest_stale_on_update")
    raw.execute("UPDATE pings SET lon = lon + 1e-9 WHERE ping_id = ?", (_one_ping(raw),))
    raw.close()
    assert not verify_export(out).ok


def test_projects_without_digests_hash_on_first_need_and_keep_them(fresh_tiny_project,
                                                                   tmp_path):
    """A project older than the digests (simulated: its digests deleted) exports with the same
    pings hash, and the export keeps the digests it computed for the next time."""
    before = _export(fresh_tiny_project, tmp_path / "a")
    conn = open_project(fresh_tiny_project)
    kept = stored_digests(conn)
    with transaction(conn):
        conn.execute("DELETE FROM pings_digests")
    conn.close()
    after = _export(fresh_tiny_project, tmp_path / "b")
    assert after["inputs"]["content_hashes"] == before["inputs"]["content_hashes"]
    conn = open_project(fresh_tiny_project, readonly=True)
    assert stored_digests(conn) == kept
    assert pings_content_hash(conn)[1] == {}         # trusted again
    conn.close()
    assert (tmp_path / "a" / "training_set.csv").read_bytes() == \
        (tmp_path / "b" / "training_set.csv").read_bytes()


def test_a_manifest_from_before_the_digests_is_verified_against_the_whole_table(
        fresh_tiny_project, tmp_path):
    from auditor.export.manifest import INPUT_TABLES
    out = tmp_path / "out"
    manifest = _export(fresh_tiny_project, out)
    conn = open_project(fresh_tiny_project, readonly=True)
    legacy = keyed_table_hash(conn, "pings", "ping_id", INPUT_TABLES["pings"][1])
    conn.close()
    manifest["inputs"]["content_hashes"]["pings"] = legacy   # as an earlier auditor wrote it
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))
    assert verify_export(out).ok, verify_export(out).differences
    raw = _raw(fresh_tiny_project)
    raw.execute("UPDATE pings SET lat = lat + 1e-9 WHERE ping_id = ?", (_one_ping(raw),))
    raw.close()
    assert not verify_export(out).ok


def test_verify_full_on_the_command_line(fresh_tiny_project, tmp_path, capsys, monkeypatch):
    from auditor.cli import main
    monkeypatch.delenv("AUDITOR_DEBUG", raising=False)
    out = tmp_path / "out"
    assert main(["export", str(fresh_tiny_project), str(out)]) == 0
    assert main(["verify", str(out), "--full"]) == 0
    assert "reproduces every hash" in capsys.readouterr().out


def test_ingest_replace_marks_the_earlier_import_stale(demo_dir, tmp_path):
    """--replace deletes earlier pings of the vehicles it imports: the trigger drops that
    import's digest, so the next proof reads the rows again — and gets the truth."""
    pings = pd.read_csv(demo_dir / "pings.csv", dtype=str, keep_default_na=False)
    vehicles = sorted(pings["vehicle_id"].unique())[:3]
    part = pings[pings["vehicle_id"].isin(vehicles)]
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    part.to_csv(a, index=False)
    part[part["vehicle_id"] == vehicles[0]].iloc[::2].to_csv(b, index=False)
    project = tmp_path / "p.db"
    ingest_paths(project, [a], kind="pings")
    ingest_paths(project, [b], kind="pings", replace=True)
    conn = open_project(project, readonly=True)
    assert set(stored_digests(conn)) == {2}          # import 1's digest went stale
    got, fresh = pings_content_hash(conn)
    assert fresh == rehash_pings(conn) and set(fresh) == {1, 2}
    assert got["rows"] == conn.execute("SELECT COUNT(*) FROM pings").fetchone()[0]
    conn.close()
