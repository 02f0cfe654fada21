"""Export on the shared demo project: reproducibility, verify, ping-range exclusion, sklearn."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from auditor.audit.flags import add_flag
from auditor.cli import main
from auditor.export.api import export_training_set
from auditor.export.refeature import refeature
from auditor.export.writers import read_training_file
from auditor.pipeline.features import FEATURE_COLUMNS
from auditor.store import open_project
from auditor.store.queries import latest_run_id, read_run


def _flag(project, *args, **kw):
    conn = open_project(project)
    try:
        return add_flag(conn, "ana", *args, **kw)
    finally:
        conn.close()


def _busiest_train_vehicle(project) -> tuple[str, int, int]:
    conn = open_project(project)
    try:
        run_id = latest_run_id(conn)
        vehicle = conn.execute(
            "SELECT vehicle_id FROM predictions WHERE run_id = ? AND split = 'train' "
            "GROUP BY vehicle_id ORDER BY COUNT(*) DESC, vehicle_id LIMIT 1",
            (run_id,)).fetchone()[0]
        first, last = conn.execute("SELECT MIN(ts), MAX(ts) FROM pings WHERE vehicle_id = ?",
                                   (vehicle,)).fetchone()
    finally:
        conn.close()
    return vehicle, int(first), int(last)


@pytest.fixture(scope="module")
def demo_export(demo_project, tmp_path_factory):
    out = tmp_path_factory.mktemp("demo_export") / "out"
    summary = export_training_set(demo_project, out)
    return out, summary


def test_reexport_after_reopen_and_vacuum_is_byte_identical(fresh_demo_project, tmp_path):
    export_training_set(fresh_demo_project, tmp_path / "a")
    conn = open_project(fresh_demo_project)
    conn.execute("VACUUM")          # the file's bytes change; its content does not
    conn.close()
    export_training_set(fresh_demo_project, tmp_path / "b")
    for name in ("training_set.csv", "manifest.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_parquet_export_deterministic_and_same_rows(demo_export, demo_project, tmp_path):
    out, summary = demo_export
    a = export_training_set(demo_project, tmp_path / "a", fmt="parquet")
    b = export_training_set(demo_project, tmp_path / "b", fmt="parquet")
    assert a["files"] == b["files"]
    assert (tmp_path / "a" / "training_set.parquet").read_bytes() == \
        (tmp_path / "b" / "training_set.parquet").read_bytes()
    assert a["rows_sha256"] == summary["rows_sha256"]      # same rows as the CSV export
    pd.testing.assert_frame_equal(read_training_file(tmp_path / "a" / "training_set.parquet"),
                                  read_training_file(out / "training_set.csv"),
                                  check_dtype=False)


def test_sklearn_fits_the_exported_file_with_sample_weight(demo_export):
    from sklearn.ensemble import HistGradientBoostingClassifier
    out, summary = demo_export
    df = pd.read_csv(out / "training_set.csv")
    assert len(df) == summary["rows"] > 50
    X, y, w = df[FEATURE_COLUMNS], df["label"], df["sample_weight"]
    assert np.isclose(w.sum(), len(df)) and (w > 0).all()
    model = HistGradientBoostingClassifier(max_iter=30, random_state=0)
    model.fit(X, y, sample_weight=w)
    assert set(model.classes_) == {"home", "other", "work"}
    assert model.score(X, y, sample_weight=w) > 0.8


def test_rederiving_without_excluding_anything_reproduces_stored_features(demo_project):
    vehicle, first, _ = _busiest_train_vehicle(demo_project)
    conn = open_project(demo_project)
    try:
        run = read_run(conn, latest_run_id(conn))
        feats, lost, summary = refeature(conn, {vehicle: [(first - 100, first - 1)]}, [vehicle],
                                         run["config"], 100.0)
        stored = pd.read_sql_query("SELECT * FROM place_features WHERE vehicle_id = ? "
                                   "ORDER BY place_id", conn, params=(vehicle,))
    finally:
        conn.close()
    assert not lost and summary[vehicle]["pings_excluded"] == 0
    stored = stored.set_index("place_id")[FEATURE_COLUMNS].astype(float)
    np.testing.assert_allclose(feats.loc[stored.index].to_numpy(), stored.to_numpy(),
                               rtol=1e-12, atol=1e-9)


def test_ping_range_exclusion_changes_that_vehicle_only(fresh_demo_project, tmp_path):
    before = export_training_set(fresh_demo_project, tmp_path / "before")
    vehicle, first, _ = _busiest_train_vehicle(fresh_demo_project)
    _flag(fresh_demo_project, "ping_range", f"{vehicle}|{first}|{first + 4 * 86400}", "bad_data")
    after = export_training_set(fresh_demo_project, tmp_path / "after")
    a = read_training_file(tmp_path / "before" / "training_set.csv").set_index("place_id")
    b = read_training_file(tmp_path / "after" / "training_set.csv").set_index("place_id")
    mine = a["vehicle_id"] == vehicle
    others = a.index[~mine]
    pd.testing.assert_frame_equal(a.loc[others, FEATURE_COLUMNS],
                                  b.loc[b.index.intersection(others), FEATURE_COLUMNS])
    assert b.index.intersection(others).size == others.size
    changed = (a.loc[a.index[mine], "n_visits"] !=
               b.loc[b.index.intersection(a.index[mine]), "n_visits"].reindex(a.index[mine]))
    assert changed.any()
    manifest = json.loads((tmp_path / "after" / "manifest.json").read_text())
    info = manifest["ping_exclusions"][vehicle]
    assert info["pings_excluded"] > 0 and info["ranges"] == [[first, first + 4 * 86400]]
    assert before["files"] != after["files"]


def test_cli_verify_passes_then_says_flags_changed(fresh_demo_project, tmp_path, capsys,
                                                   monkeypatch):
    monkeypatch.delenv("AUDITOR_DEBUG", raising=False)
    out = tmp_path / "out"
    assert main(["export", str(fresh_demo_project), str(out), "--format", "parquet"]) == 0
    capsys.readouterr()
    assert main(["verify", str(out)]) == 0
    conn = open_project(fresh_demo_project)
    place = conn.execute("SELECT place_id FROM predictions WHERE split = 'train' "
                         "ORDER BY place_id LIMIT 1").fetchone()[0]
    conn.close()
    _flag(fresh_demo_project, "place", place, "bad_data")
    assert main(["verify", str(out)]) == 1
    result = capsys.readouterr()
    assert "flags changed" in result.out and "flags changed" in result.err
    assert "the pings differ" not in result.out
