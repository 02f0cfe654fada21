"""The refit's second witness (model.label_trust's ``vouched``): a training label the first
out-of-fold pass finds only unremarkable ('other') is kept where the 02:00 rule, which learnt
from no label, gives it the same class; a label the pass sees as the vehicle's other anchor
stays doubted whatever the rule says. Part-timers' work was the population this lost."""
import json
import sqlite3

import numpy as np
import pandas as pd

from auditor.analysis.labeller_summary import render_labeller
from auditor.geo import haversine_m
from auditor.pipeline.api import infer_project, refit_witness
from auditor.pipeline.config import InferConfig
from auditor.pipeline.model import KEEP_TRUST, label_trust
from auditor.pipeline.rerun import recorded_settings

Y = np.array(["work", "work", "home", "other", "other", "other", "other", "other"], dtype=object)
OOF = np.array([[0.01, 0.04, 0.95],    # a work label the pass finds unremarkable
                [0.90, 0.05, 0.05],    # a work label the pass finds to be home (a swap)
                [0.90, 0.05, 0.05]] + [[0.05, 0.05, 0.90]] * 5)


def test_a_vouched_label_is_doubted_only_for_a_likelier_home_or_work():
    plain = label_trust(Y, OOF)
    assert plain[0] < KEEP_TRUST and plain[1] < KEEP_TRUST  # both doubted without the rule
    vouched = np.array([True, True, False, False, False, False, False, False])
    trust = label_trust(Y, OOF, vouched)
    assert trust[0] == 1.0                     # 'other' is no rival of a vouched label
    assert trust[1] == plain[1] < KEEP_TRUST   # home still is: a swap stays doubted
    assert (trust[2:] == plain[2:]).all()      # the rest as before
    # a label the rule does not vouch for is judged as before
    assert (label_trust(Y, OOF, np.zeros(len(Y), bool)) == plain).all()


def test_the_rule_is_no_witness_when_the_run_leaves_its_features_out():
    rule = pd.Series(["home", "work"])
    assert refit_witness(rule, InferConfig()) is rule
    for group in ("night", "weekday", "dwell"):
        assert refit_witness(rule, InferConfig(without=(group,))) is None
    assert refit_witness(rule, InferConfig(without=("timing",))) is rule
    assert refit_witness(rule, InferConfig(refit_rule_vouches=False)) is None


def test_runs_made_before_the_witness_are_rerun_without_it():
    settings, notes = recorded_settings({"run_id": 5, "config": {"night_twins": True}})
    assert settings["refit_rule_vouches"] is False
    assert not any("refit_rule_vouches" in n for n in notes)
    assert InferConfig().refit_rule_vouches is True


def test_the_report_says_what_the_refit_left_out_and_kept():
    summary = {"chosen": "model", "description": "the model", "recorded": True,
               "refit": {"left_out": 6, "vouched": 2}}
    assert render_labeller(summary)[-1] == (
        "  the model's refit left out 6 training label(s) its first out-of-fold pass doubted; "
        "it kept 2 the pass found only unremarkable, which the 02:00 rule gives the same class")
    summary["refit"] = {"left_out": 3, "vouched": 0}
    assert render_labeller(summary)[-1].endswith("pass doubted")
    assert not any("refit" in line for line in render_labeller(dict(summary, chosen="baseline")))


def _found(project, run_id: int, truth: dict, who) -> tuple[int, int]:
    """(vehicles among ``who`` whose predicted work is within 250 m of their true work,
    vehicles with no work that were given one)."""
    conn = sqlite3.connect(project)
    rows = conn.execute("SELECT pr.vehicle_id, pl.lat, pl.lon FROM predictions pr JOIN places pl "
                        "USING (place_id) WHERE pr.run_id = ? AND pr.predicted_label = 'work'",
                        (run_id,)).fetchall()
    conn.close()
    work = {v: (lat, lon) for v, lat, lon in rows}
    found = sum(v in work and haversine_m(*work[v], *truth[v]["work"]) <= 250 for v in who)
    false = sum(v in work for v, t in truth.items() if not t["work"])
    return found, false


def test_part_timers_work_is_found_with_the_witness(fresh_demo_project, demo_dir):
    """The test demo fleet (60 x 14, seed 3): its part-timers' work labels get p_work about 0
    from the first pass; without the witness the refit leaves them out and learns their shifts
    as 'other'. Measured: with it, the work of all 8 part-timers (labelled or not) is found,
    without it 3; no vehicle without work is given one either way."""
    truth = json.loads((demo_dir / "truth.json").read_text())["vehicles"]
    part_timers = [v for v, t in truth.items() if t.get("part_time") and t["work"]]
    assert len(part_timers) >= 4
    with_rule = infer_project(fresh_demo_project, seed=0)
    without = infer_project(fresh_demo_project, seed=0,
                            config=InferConfig(refit_rule_vouches=False))
    found, false = _found(fresh_demo_project, with_rule["run_id"], truth, part_timers)
    found_before, false_before = _found(fresh_demo_project, without["run_id"], truth,
                                        part_timers)
    assert found > found_before and found >= len(part_timers) - 1
    assert false <= false_before


def test_counts_are_of_the_refit_that_ran():
    """A work label on a place like the 'other' ones: the first pass doubts it as 'other', the
    rule vouches for it, so a refit keeps it (vouched 1); with no refit there is nothing to
    count, and no record (the report then has no refit line)."""
    from auditor.pipeline.features import FEATURE_COLUMNS
    from auditor.pipeline.model import robust_cross_fit
    rng = np.random.default_rng(0)
    y = np.array(["home"] * 30 + ["work"] * 30 + ["other"] * 60 + ["work"], dtype=object)
    X = rng.normal(0, 0.1, (len(y), len(FEATURE_COLUMNS)))
    X[:, 0] = np.select([y == "home", y == "work"], [0.0, 1.0], 2.0)
    X[-1, 0] = 2.0  # the odd work label: it looks like the other places
    folds = np.arange(len(y)) % 5
    vouched = np.zeros(len(y), bool)
    vouched[-1] = True
    *_, counts = robust_cross_fit(X, y, folds, InferConfig(), 0, vouched=vouched)
    assert counts == {"left_out": 0, "vouched": 1}
    *_, without = robust_cross_fit(X, y, folds, InferConfig(), 0)
    assert without["left_out"] >= 1 and without["vouched"] == 0
    *_, no_refit = robust_cross_fit(X, y, folds, InferConfig(robust_refit=False), 0,
                                    vouched=vouched)
    assert no_refit is None
