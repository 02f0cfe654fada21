"""Inference on the shared demo fleet (tests/conftest.py): what is stored, quality against the
generator's truth, reproducibility, all-or-nothing writes and the `auditor infer` command."""
from __future__ import annotations

import json
import sqlite3

import numpy as np
import pandas as pd
import pytest

from auditor.cli import main
from auditor.errors import UserError
from auditor.pipeline import api
from auditor.pipeline.api import infer_project
from auditor.pipeline.evaluate import score_against_truth
from auditor.pipeline.features import FEATURE_COLUMNS
from auditor.store import open_project
from auditor.store.queries import read_predictions, read_run


def _count(conn, table):
    return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


@pytest.fixture(scope="module")
def conn(demo_project):
    c = sqlite3.connect(f"file:{demo_project}?mode=ro", uri=True)
    yield c
    c.close()


@pytest.fixture(scope="module")
def truth(demo_dir):
    return json.loads((demo_dir / "truth.json").read_text())


def test_every_derived_table_and_both_runs_are_stored(conn):
    n_places = _count(conn, "places")
    assert _count(conn, "trips") > _count(conn, "stops") > n_places > 0
    assert _count(conn, "place_features") == n_places
    cols = [r[1] for r in conn.execute("PRAGMA table_info(place_features)")]
    assert set(FEATURE_COLUMNS) <= set(cols)
    # every stop belongs to a place of its own vehicle; ids follow the contract
    assert conn.execute("SELECT COUNT(*) FROM stops s JOIN places p USING (place_id) "
                        "WHERE s.vehicle_id = p.vehicle_id").fetchone()[0] == _count(conn, "stops")
    assert conn.execute("SELECT COUNT(*) FROM trips WHERE trip_id NOT LIKE vehicle_id || ':t%'"
                        ).fetchone()[0] == 0
    runs = dict(conn.execute("SELECT kind, COUNT(*) FROM runs GROUP BY kind").fetchall())
    assert runs == {"baseline": 1, "model": 1}
    for kind in ("baseline", "model"):
        rid = conn.execute("SELECT run_id FROM runs WHERE kind = ?", (kind,)).fetchone()[0]
        assert conn.execute("SELECT COUNT(*) FROM predictions WHERE run_id = ?",
                            (rid,)).fetchone()[0] == n_places
    # labels: every label row is either matched to a place or reported with a reason
    n_labels = _count(conn, "labels")
    assert _count(conn, "place_labels") + _count(conn, "unmatched_labels") == n_labels


def test_model_run_records_config_seed_versions_and_metrics(conn):
    rid = conn.execute("SELECT run_id FROM runs WHERE kind = 'model'").fetchone()[0]
    run = read_run(conn, rid)
    assert run["seed"] == 0 and run["config"]["gap_minutes"] == 5.0
    assert run["versions"]["scikit-learn"] and run["versions"]["numpy"]
    m = run["metrics"]
    assert 0.0 <= m["accuracy"] <= 1.0 and m["n"] > 0
    assert set(m["per_class"]) == {"home", "work", "other"}
    assert sum(map(sum, m["confusion"])) == m["n"]
    assert m["baseline"]["accuracy"] is not None and m["baseline_run_id"] is not None
    preds = read_predictions(conn, rid)
    # no vehicle in both train and validation; at most one home and one work per vehicle
    assert (preds.groupby("vehicle_id")["split"].nunique() == 1).all()
    assert (preds[preds.predicted_label == "home"].groupby("vehicle_id").size() == 1).all()
    assert (preds[preds.predicted_label == "work"].groupby("vehicle_id").size() <= 1).all()
    labelled = preds[preds.split != "unlabelled"]
    # a place is left without a given label only where an unused label of its vehicle may
    # mean it (the demo writes labels far from any place the vehicle parks at)
    unsure = set(r[0] for r in conn.execute(
        "SELECT vehicle_id FROM unmatched_labels WHERE (reason = "
        "'duplicate_label' OR reason LIKE 'no_place_within_%')"))
    blank = labelled[labelled["given_label"].isna()]
    assert set(blank["vehicle_id"]) <= unsure
    assert labelled.loc[labelled["given_label"].notna(), "oof_p_home"].notna().all()
    assert labelled["p_home"].notna().all()
    val_vehicles = labelled.loc[labelled.split == "validation", "vehicle_id"].nunique()
    assert 0.15 <= val_vehicles / labelled["vehicle_id"].nunique() <= 0.35


def _model_labels(conn) -> pd.DataFrame:
    """The model's own labels on the stored feature table (labeller forced to the model, as
    the run may have kept the 02:00 rule): vehicle_id, predicted_label, lat, lon."""
    from auditor.pipeline.config import InferConfig
    from auditor.store.queries import read_labels
    features = pd.read_sql_query("SELECT * FROM place_features ORDER BY rowid", conn)
    places = pd.read_sql_query("SELECT * FROM places ORDER BY rowid", conn)
    pinged = [r[0] for r in conn.execute("SELECT DISTINCT vehicle_id FROM pings")]
    out = api.label_and_predict(features, places, read_labels(conn), pinged, 0,
                                InferConfig(labeller="model"))
    return out["model_predictions"].merge(features[["place_id", "lat", "lon"]], on="place_id")


def test_homes_of_day_shift_vehicles_are_found(conn, truth):
    from auditor.geo import haversine_m
    from auditor.pipeline.evaluate import score_predictions
    scores = score_against_truth(conn, truth)
    run, baseline = scores["model"]["groups"], scores["baseline"]["groups"]
    # the run's labels (model, stacked or the rule itself) find homes at least as the rule does
    homes = sum(run[g]["home_within_150m"] * run[g]["n"] for g in run)
    assert homes >= sum(baseline[g]["home_within_150m"] * baseline[g]["n"] for g in baseline)
    labels = _model_labels(conn)
    model = score_predictions(labels, truth)
    assert model["day"]["n"] >= 20
    assert model["day"]["home_within_150m"] >= 0.98
    # full-time day workers' work places are found; part-timers (2-4 short weekday shifts, a
    # place that looks like an errand) are where the model misses most: measured 4 of 8 here
    work = labels[labels["predicted_label"] == "work"].drop_duplicates("vehicle_id") \
        .set_index("vehicle_id")
    full_time = [v for v, t in truth["vehicles"].items() if t["schedule"] == "day"
                 and not t["part_time"] and not t["faulty"] and t["work"]]
    found = [v in work.index and haversine_m(work.at[v, "lat"], work.at[v, "lon"],
                                             *truth["vehicles"][v]["work"]) <= 150
             for v in full_time]
    assert len(full_time) >= 15 and np.mean(found) >= 0.95
    # the hard groups are reported, not hidden; the model must not be worse than the 2 AM rule
    for group in ("night", "none", "faulty"):
        assert model[group]["n"] > 0
        assert model[group]["home_within_150m"] >= baseline[group]["home_within_150m"]
    assert baseline["night"]["home_within_150m"] < 0.5  # at 02:00 night shifts are at work
    # vehicles without work get none from the model; the rule always names one
    assert model["none"]["n_without_work"] > 0
    assert model["none"]["work_predicted_without_work"] <= 0.1
    assert baseline["none"]["work_predicted_without_work"] > 0.5


def test_same_project_and_seed_give_identical_predictions(fresh_demo_project, demo_project):
    c = open_project(demo_project)
    first = read_predictions(c).drop(columns="run_id")
    c.close()
    summary = infer_project(fresh_demo_project, seed=0)
    c = open_project(fresh_demo_project)
    again = read_predictions(c, summary["run_id"]).drop(columns="run_id")
    runs = c.execute("SELECT data_hash FROM runs WHERE kind = 'model' ORDER BY run_id").fetchall()
    c.close()
    pd.testing.assert_frame_equal(first, again)
    assert runs[0] == runs[1]


def test_a_failure_while_saving_keeps_the_previous_inference(fresh_demo_project, monkeypatch):
    c = open_project(fresh_demo_project)
    before = {t: _count(c, t) for t in ("trips", "stops", "places", "runs", "predictions")}
    c.close()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")
    monkeypatch.setattr(api, "_insert_run", broken)
    with pytest.raises(RuntimeError):
        infer_project(fresh_demo_project, seed=1, config={"gap_minutes": 15})
    c = open_project(fresh_demo_project)
    after = {t: _count(c, t) for t in before}
    c.close()
    assert after == before


def test_infer_command_json(fresh_demo_project, capsys):
    assert main(["infer", str(fresh_demo_project), "--seed", "2", "--gap-minutes", "6", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    for key in ("vehicles", "trips", "stops", "places", "labelled_places", "val_accuracy",
                "seconds", "run_id", "baseline_run_id", "unmatched_labels", "baseline_val_accuracy"):
        assert key in out
    c = open_project(fresh_demo_project)
    run = read_run(c, out["run_id"])
    c.close()
    assert run["seed"] == 2 and run["config"]["gap_minutes"] == 6.0
    assert main(["infer", str(fresh_demo_project)]) == 0
    text = capsys.readouterr().out
    assert "validation accuracy" in text and "places" in text


def test_infer_refuses_missing_projects_and_projects_without_pings(tmp_path, capsys):
    missing = tmp_path / "nope.db"
    assert main(["infer", str(missing)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "no such project" in err and len(err.splitlines()) == 1
    assert not missing.exists()
    empty = tmp_path / "empty.db"
    open_project(empty).close()
    with pytest.raises(UserError, match="no pings"):
        infer_project(empty)
    assert main(["infer", str(empty), "--gap-minutes", "0"]) == 1
    assert "--gap-minutes" in capsys.readouterr().err


def test_without_labels_the_run_carries_the_baselines_labels(fresh_demo_project):
    c = open_project(fresh_demo_project)
    c.execute("DELETE FROM labels")
    c.close()
    summary = infer_project(fresh_demo_project, seed=0)
    assert summary["val_accuracy"] is None and summary["labels_source"] == "no_labels"
    assert summary["labeller"] == "baseline" and summary["run_id"] is not None
    assert summary["labelled_places"] == 0 and summary["unmatched_labels"] == 0
    c = open_project(fresh_demo_project)
    preds = read_predictions(c, summary["baseline_run_id"])
    run = read_predictions(c, summary["run_id"])
    assert _count(c, "place_labels") == 0
    c.close()
    assert len(preds) == summary["places"] and (preds["split"] == "unlabelled").all()
    assert preds["given_label"].isna().all()
    # every place has a label: the 02:00 baseline's, stored as the run's predictions
    cols = ["place_id", "predicted_label", "p_home", "p_work", "p_other"]
    assert run[cols].reset_index(drop=True).equals(preds[cols].reset_index(drop=True))


def test_cancelling_from_the_progress_callback_changes_nothing(fresh_demo_project):
    from auditor.errors import Cancelled
    seen = []

    def progress(done, total, message):
        seen.append(message)
        if message.startswith("labels"):
            raise Cancelled()
    c = open_project(fresh_demo_project)
    runs_before = _count(c, "runs")
    c.close()
    with pytest.raises(Cancelled):
        infer_project(fresh_demo_project, seed=4, progress=progress)
    c = open_project(fresh_demo_project)
    assert _count(c, "runs") == runs_before
    c.close()
    assert any(m.startswith("vehicles") for m in seen)
