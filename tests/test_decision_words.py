"""Why a place carries a label its own probabilities do not rank first: the details pane and
the review tab say it (one home per vehicle, at most one work place) instead of showing
"work (37 % sure)" beside p(home) 0.60 as if it were a contradiction."""
from __future__ import annotations

import sqlite3

import pandas as pd
import pytest

from auditor.state.decision import decision_words
from auditor.store import open_project
from auditor.store.queries import latest_run_id


@pytest.fixture(scope="module")
def alt_project(tmp_path_factory):
    """A small fleet of the alt generator, inferred: vehicles there often have two places the
    model finds home-like, so some labels are not their place's likeliest class (the default
    demo, since its night-shift twins break ties, has none)."""
    from auditor.demo.alt_generator import write_alt_fleet
    from auditor.ingest.api import ingest_paths
    from auditor.pipeline.api import infer_project
    out = tmp_path_factory.mktemp("alt-fleet")
    paths = write_alt_fleet(out, vehicles=30, days=7, seed=4)
    project = out / "alt.db"
    ingest_paths(project, [paths["vehicles"], paths["pings"], paths["labels"]])
    infer_project(project, seed=0)
    return project


def test_every_label_that_is_not_the_likeliest_class_is_explained(alt_project):
    conn = open_project(alt_project, create=False, readonly=True)
    try:
        run = latest_run_id(conn)
        pred = pd.read_sql_query(
            "SELECT pr.place_id, pl.vehicle_id, pr.predicted_label, pr.p_home, pr.p_work, "
            "pr.p_other FROM predictions pr JOIN places pl ON pl.place_id = pr.place_id "
            "WHERE pr.run_id = ?", conn, params=(run,))
        probs = pred[["p_home", "p_work", "p_other"]].to_numpy()
        likeliest = pd.Series(["home", "work", "other"]).iloc[probs.argmax(axis=1)].to_numpy()
        odd = pred[likeliest != pred["predicted_label"].to_numpy()]
        assert len(odd) >= 1  # the fleet has them: the rule is per vehicle
        homes = pred[pred["predicted_label"] == "home"].set_index("vehicle_id")
        for row in odd.itertuples():
            p = {"home": row.p_home, "work": row.p_work, "other": row.p_other}
            words = decision_words(conn, run, row.vehicle_id, row.place_id,
                                   row.predicted_label, p)
            assert words, row
            if max(p, key=p.get) == "home" and row.predicted_label != "home":
                home = homes.loc[row.vehicle_id]
                assert f"place {home.place_id} " in words and home.p_home >= row.p_home
        for row in pred[likeliest == pred["predicted_label"].to_numpy()].head(50).itertuples():
            p = {"home": row.p_home, "work": row.p_work, "other": row.p_other}
            assert decision_words(conn, run, row.vehicle_id, row.place_id,
                                  row.predicted_label, p) is None
    finally:
        conn.close()


def _vehicle(rows):
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE places (place_id TEXT, vehicle_id TEXT)")
    conn.execute("CREATE TABLE predictions (run_id INT, place_id TEXT, predicted_label TEXT, "
                 "p_home REAL, p_work REAL, p_other REAL)")
    for place, label, ph, pw in rows:
        conn.execute("INSERT INTO places VALUES (?, 'v1')", (place,))
        conn.execute("INSERT INTO predictions VALUES (1, ?, ?, ?, ?, ?)",
                     (place, label, ph, pw, 1 - ph - pw))
    return conn


def test_a_second_home_candidate_names_the_vehicles_home():
    conn = _vehicle([("v1:0", "work", 0.60, 0.37), ("v1:1", "home", 0.90, 0.05),
                     ("v1:2", "other", 0.10, 0.80)])
    words = decision_words(conn, 1, "v1", "v1:0", "work",
                           {"home": 0.60, "work": 0.37, "other": 0.03})
    assert words == "one home per vehicle: v1's is place v1:1 (p(home) 0.90 there)"
    # the best work candidate is home already: the next one is work, and it says why
    words = decision_words(conn, 1, "v1", "v1:2", "other",
                           {"home": 0.10, "work": 0.80, "other": 0.10})
    assert words == "one work place per vehicle: v1's is place v1:0 (p(work) 0.37 there)"
    assert decision_words(conn, 1, "v1", "v1:1", "home",
                          {"home": 0.90, "work": 0.05, "other": 0.05}) is None
