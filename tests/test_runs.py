"""Runs as experiments (issue 18): the test split, what a run records, `auditor runs`
(list, --compare), `report --run`, `infer --without`, `--list-feature-groups`, `--rerun` and
`--weights-from`, on the small shared demo fleet (8 vehicles x 4 days, copied before anything
writes): it has training, validation and test vehicles and places that change label when
feature groups are left out, which is all these checks need of a fleet."""
from __future__ import annotations

import csv
import hashlib
import json
import sqlite3

import pandas as pd
import pytest

from auditor.cli import main
from auditor.pipeline.feature_groups import GROUPS
from auditor.pipeline.features import FEATURE_COLUMNS
from auditor.pipeline.model import assign_splits


def _json(capsys, argv) -> dict:
    capsys.readouterr()
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def _preds(project, run_id) -> pd.DataFrame:
    with sqlite3.connect(project) as conn:
        return pd.read_sql_query("SELECT * FROM predictions WHERE run_id = ? ORDER BY place_id",
                                 conn, params=(run_id,))


def test_every_feature_is_in_exactly_one_group():
    cols = [c for g in GROUPS.values() for c in g]
    assert sorted(cols) == sorted(FEATURE_COLUMNS)
    assert len(cols) == len(set(cols))


def test_list_feature_groups_cli(capsys):
    out = _json(capsys, ["infer", "--list-feature-groups", "--json"])
    assert set(out) == set(GROUPS) and "nights_0200_share" in out["night"]["columns"]
    assert main(["infer", "--list-feature-groups"]) == 0
    assert "night" in capsys.readouterr().out


def test_unknown_group_is_one_line(fresh_tiny_project, capsys):
    assert main(["infer", str(fresh_tiny_project), "--without", "nite"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: --without nite: no such feature group") and "night" in err


def test_three_way_split_is_seeded_and_by_whole_vehicle():
    vehicles = pd.Series([f"v{i // 3}" for i in range(300)])  # 100 vehicles, 3 places each
    labelled = [f"v{i}" for i in range(80)]
    split = assign_splits(vehicles, labelled, seed=4, fraction=0.25, test_fraction=0.2)
    per_vehicle = split.groupby(vehicles).nunique()
    assert (per_vehicle == 1).all()  # never a vehicle in two splits
    counts = split.groupby(vehicles).first().value_counts()
    assert counts["validation"] == 20 and counts["test"] == 16 and counts["train"] == 44
    assert counts["unlabelled"] == 20
    assert split.equals(assign_splits(vehicles, labelled, 4, 0.25, 0.2))
    # validation keeps the vehicles it had before the test split existed
    old = assign_splits(vehicles, labelled, seed=4, fraction=0.25)
    assert set(vehicles[old == "validation"]) == set(vehicles[split == "validation"])
    # three labelled vehicles: one of each
    small = assign_splits(pd.Series(["a", "b", "c"]), ["a", "b", "c"], 0, 0.25, 0.2)
    assert sorted(small) == ["test", "train", "validation"]


def test_runs_record_and_list(fresh_tiny_project, capsys, tmp_path):
    p = str(fresh_tiny_project)
    out = _json(capsys, ["infer", p, "--json", "--seed", "3"])
    assert out["test_vehicles"] >= 1 and out["test_accuracy"] is not None
    runs = _json(capsys, ["runs", p, "--json"])["runs"]
    last = runs[-1]
    assert last["run_id"] == out["run_id"] and last["kind"] == "model" and last["seed"] == 3
    for key in ("config", "data_hash", "code_version", "val_accuracy", "test_accuracy",
                "by_population", "created_at"):
        assert key in last
    assert last["config"]["without"] == [] and last["config"]["weights_from"] is None
    assert last["config"]["test_fraction"] == 0.2
    assert len(last["code_version"]["pipeline_sha256"]) == 64
    assert any(r["population"] == "schedule" and r["test_n"] for r in last["by_population"])
    # the recorded test accuracy is the test split's, recomputed from the stored rows
    pred = _preds(fresh_tiny_project, out["run_id"])
    test = pred[(pred["split"] == "test") & pred["given_label"].notna()]
    assert last["test_accuracy"] == pytest.approx(
        (test["given_label"] == test["predicted_label"]).mean())
    # the report's predictions say 'test' for those places, and the text calls it the number
    # to trust
    csv_path = tmp_path / "pred.csv"
    capsys.readouterr()
    assert main(["report", p, "--predictions", str(csv_path)]) == 0
    text = capsys.readouterr().out
    assert "test accuracy" in text and "the number to trust" in text
    with open(csv_path, newline="") as fh:
        splits = {row["split"] for row in csv.DictReader(fh)}
    assert "test" in splits
    assert main(["runs", p]) == 0
    assert "test" in capsys.readouterr().out


def test_without_group_compare_and_report_run(fresh_tiny_project, capsys):
    p = str(fresh_tiny_project)
    full = _json(capsys, ["infer", p, "--json"])
    less = _json(capsys, ["infer", p, "--json", "--without", "night", "--without", "timing"])
    assert less["without"] == ["night", "timing"]
    # without the 02:00 features the 02:00 rule cannot label either: the model does
    assert less["labeller"] == "model"
    c = _json(capsys, ["runs", p, "--compare", str(full["run_id"]), str(less["run_id"]),
                       "--json"])
    assert {"setting": "without", "a": [], "b": ["night", "timing"]} in c["config"]
    assert c["same_data"] and c["same_code"]
    a, b = _preds(fresh_tiny_project, full["run_id"]), _preds(fresh_tiny_project,
                                                               less["run_id"])
    m = a.merge(b, on="place_id")
    changed = set(m.loc[m["predicted_label_x"] != m["predicted_label_y"], "place_id"])
    assert {x["place_id"] for x in c["changed_places"]} == changed
    assert c["identical_predictions"] == (not changed)
    assert c["accuracy"]["test"]["a"] == full["test_accuracy"]
    # report on the earlier run, not the latest
    r = _json(capsys, ["report", p, "--json", "--run", str(full["run_id"])])
    assert r["run_id"] == full["run_id"]
    assert r["validation"]["test"]["accuracy"] == pytest.approx(full["test_accuracy"])
    w = r["group_worth"]
    assert w["status"] == "test split" and set(w["overall"]["without"]) == set(GROUPS)
    assert len(w["importance"]) == len(FEATURE_COLUMNS)
    assert w["overall"]["n"] == int(((a["split"] == "test") & a["given_label"].notna()).sum())
    assert main(["report", p, "--run", str(full["baseline_run_id"])]) == 1
    assert "baseline run" in capsys.readouterr().err
    assert main(["report", p, "--run", "999"]) == 1
    assert "no such run" in capsys.readouterr().err


def test_rerun_is_byte_identical_then_names_what_changed(fresh_tiny_project, capsys):
    p = str(fresh_tiny_project)
    first = _json(capsys, ["infer", p, "--json", "--seed", "2", "--without", "distance"])
    again = _json(capsys, ["infer", p, "--json", "--rerun", str(first["run_id"])])
    v = again["rerun"]
    assert v["identical"] and v["differences"] == []
    assert again["seed"] == 2 and again["without"] == ["distance"]
    capsys.readouterr()
    assert main(["infer", p, "--rerun", str(first["run_id"])]) == 0
    assert "byte-identical" in capsys.readouterr().out
    # a run recorded before a setting existed, and new data: both named
    with sqlite3.connect(p) as conn:
        cfg = json.loads(conn.execute("SELECT config FROM runs WHERE run_id = ?",
                                      (first["run_id"],)).fetchone()[0])
        del cfg["test_fraction"]
        conn.execute("UPDATE runs SET config = ? WHERE run_id = ?",
                     (json.dumps(cfg), first["run_id"]))
        victim = conn.execute("SELECT label_id FROM labels ORDER BY label_id LIMIT 1").fetchone()
        conn.execute("DELETE FROM labels WHERE label_id = ?", victim)
    v = _json(capsys, ["infer", p, "--json", "--rerun", str(first["run_id"])])["rerun"]
    text = " | ".join(v["differences"])
    assert "the data changed" in text
    assert "'test_fraction' was not recorded" in text
    assert main(["infer", p, "--rerun", str(first["baseline_run_id"])]) == 1
    assert main(["infer", p, "--rerun", str(first["run_id"]), "--without", "night"]) == 1


def test_weights_from_an_export(fresh_tiny_project, capsys, tmp_path):
    p = str(fresh_tiny_project)
    src = _json(capsys, ["infer", p, "--json", "--seed", "1"])
    out_dir = tmp_path / "export"
    assert main(["export", p, str(out_dir), "--json"]) == 0
    capsys.readouterr()
    got = _json(capsys, ["infer", p, "--json", "--weights-from", str(out_dir)])
    wf = got["weights_from"]
    digest = hashlib.sha256((out_dir / "manifest.json").read_bytes()).hexdigest()
    assert wf["manifest_sha256"] == digest and got["seed"] == 1
    assert wf["before_after"]["source_run_id"] == src["run_id"]
    assert wf["before_after"]["test_accuracy"]["before"] == src["test_accuracy"]
    assert wf["before_after"]["test_accuracy"]["after"] == got["test_accuracy"]
    runs = _json(capsys, ["runs", p, "--json"])["runs"]
    assert runs[-1]["config"]["weights_from"]["manifest_sha256"] == digest
    # same vehicles held out as the run the export was made from
    a, b = _preds(fresh_tiny_project, src["run_id"]), _preds(fresh_tiny_project, got["run_id"])
    assert a.set_index("place_id")["split"].equals(b.set_index("place_id")["split"])
    # trained on exactly the exported rows: none of them is a held-out place
    rows = pd.read_csv(out_dir / "training_set.csv", dtype={"place_id": str})
    held = set(b.loc[b["split"].isin(["validation", "test"]), "place_id"])
    assert not (set(rows["place_id"]) & held)
    # an export whose run had another split would leak held-out vehicles: refused
    manifest = json.loads((out_dir / "manifest.json").read_text())
    manifest["model_run"]["seed"] = 12345
    (out_dir / "manifest.json").write_text(json.dumps(manifest))
    capsys.readouterr()
    assert main(["infer", p, "--weights-from", str(out_dir)]) == 1
    assert "belong to this run's validation or test vehicles" in capsys.readouterr().err


def test_a_retrain_separates_the_exports_effect_from_its_change_of_method(fresh_tiny_project,
                                                                          capsys, tmp_path):
    """The source run labelled with its labeller (stacked, baseline...), a retrain is one
    weighted model: before -> after mixes the two. The retrain also reports the same training
    on the labels as given, unweighted — which is exactly a retrain on an export that changed
    nothing (no flag, factor 1), computed here independently."""
    p = str(fresh_tiny_project)
    _json(capsys, ["infer", p, "--json", "--seed", "1"])
    plain_dir, weighted_dir = tmp_path / "plain", tmp_path / "weighted"
    for out, factor in ((plain_dir, "1"), (weighted_dir, "3")):
        assert main(["export", p, str(out), "--json", "--factor", factor]) == 0
    capsys.readouterr()
    weights = pd.read_csv(plain_dir / "training_set.csv")["sample_weight"]
    assert (weights == 1.0).all()
    plain = _json(capsys, ["infer", p, "--json", "--weights-from", str(plain_dir)])
    ba = plain["weights_from"]["before_after"]
    t = ba["test_accuracy"]
    assert t["after"] == t["without_export"] == plain["test_accuracy"]
    assert ba["export_effect_points"] == 0.0
    assert ba["source_labeller"] in ("model", "stacked", "baseline")
    assert all(r["without_export"] == r["after"] for r in ba["by_population"])

    weighted = _json(capsys, ["infer", p, "--json", "--weights-from", str(weighted_dir)])
    wba = weighted["weights_from"]["before_after"]
    assert wba["test_accuracy"]["without_export"] == plain["test_accuracy"]
    assert wba["export_effect_points"] == pytest.approx(
        100 * (weighted["test_accuracy"] - plain["test_accuracy"]), abs=0.051)
    capsys.readouterr()
    assert main(["infer", p, "--weights-from", str(weighted_dir)]) == 0
    assert "the export's own effect" in capsys.readouterr().out


def test_label_blocks_decided_together_are_decided_as_one_block_each():
    """group_worth decides its permutation copies in one call (decide_label_blocks): the same
    labels as decide_labels on each block alone, ties (equal probabilities, equal features)
    and ids that sort oddly included."""
    import numpy as np

    from auditor.analysis.group_worth import decide_label_blocks
    from auditor.pipeline.model import PROBA_COLUMNS, decide_labels
    rng = np.random.default_rng(7)
    n, blocks = 40, 9
    vehicles = rng.choice(["b", "a", "a10", "a9", "é", "<x>", "v|1", ""], n)
    test = pd.DataFrame({"place_id": [f"{v}:{i}" for i, v in enumerate(vehicles)],
                         "vehicle_id": vehicles,
                         "nights_0200_share": rng.choice([0.0, 0.5, 1.0], n),
                         "weekday_day_share": rng.choice([0.0, 0.5], n),
                         "total_dwell_h": rng.choice([1.0, 2.0], n)},
                        index=rng.permutation(n) + 100)
    raw = rng.choice([0.1, 0.2, 0.3, 0.4], (n * blocks, 3))  # coarse: many equal
    proba = raw / raw.sum(axis=1, keepdims=True)
    together = decide_label_blocks(test, proba, blocks, work_min_p=0.3)
    assert len(together) == blocks
    for b in range(blocks):
        alone = decide_labels(test, pd.DataFrame(proba[b * n:(b + 1) * n], columns=PROBA_COLUMNS,
                                                 index=test.index), 0.3)
        pd.testing.assert_series_equal(together[b], alone)
    assert {lab for s in together for lab in s} == {"home", "work", "other"}


def test_inferring_again_keeps_the_latest_runs_seed_and_split(fresh_tiny_project, capsys):
    """Seen driving the app on `auditor demo --seed 5`: Run ▸ Infer re-ran with seed 0, so the
    validation vehicles changed and 'before -> after' compared two different splits. Without
    --seed, inferring again keeps the latest run's seed; --seed still chooses."""
    p = str(fresh_tiny_project)
    first = _json(capsys, ["infer", p, "--seed", "5", "--json"])
    assert first["vehicles"] > 0
    again = _json(capsys, ["infer", p, "--json"])
    runs = _json(capsys, ["runs", p, "--json"])
    runs = runs["runs"] if isinstance(runs, dict) else runs
    model = [r for r in runs if r["kind"] == "model"]
    assert [r["seed"] for r in model[-2:]] == [5, 5]
    a, b = (_preds(p, r["run_id"]) for r in model[-2:])
    assert a["split"].tolist() == b["split"].tolist()
    assert again["val_accuracy"] == first["val_accuracy"]
    _json(capsys, ["infer", p, "--seed", "0", "--json"])
    runs = _json(capsys, ["runs", p, "--json"])
    runs = runs["runs"] if isinstance(runs, dict) else runs
    assert [r["seed"] for r in runs if r["kind"] == "model"][-1] == 0
    # the splits of seed 5 and seed 0 differ on this fleet: the check above can fail
    seed0 = _preds(p, [r for r in runs if r["kind"] == "model"][-1]["run_id"])
    assert seed0["split"].tolist() != a["split"].tolist()
