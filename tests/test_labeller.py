"""The run's labeller (model, stacked, or the 02:00 baseline, chosen out-of-fold on training
vehicles) and the robust refit, on fleets from both generators and on synthetic commuters."""
from __future__ import annotations

import tempfile
from functools import lru_cache

import numpy as np
import pandas as pd
import pytest
from test_pipeline_units import fleet as commuters

from auditor.geo import haversine_m
from auditor.pipeline.api import derive_vehicle_tables, label_and_predict
from auditor.pipeline.config import InferConfig
from auditor.pipeline.labeller import permutation_p, supported
from auditor.pipeline.model import assign_splits, label_trust, train_and_predict


@lru_cache(maxsize=None)  # (demo, 30, 7, 7) is used again after four other fleets
def generated_fleet(generator: str, vehicles: int, days: int, seed: int):
    """A fleet written by a generator and derived by the pipeline without a project file (the
    pure path: faster than ingest, same tables). Returns (tables, labels, pinged vehicles)."""
    with tempfile.TemporaryDirectory() as tmp:
        if generator == "demo":
            from auditor.demo.generator import write_demo
            paths = write_demo(tmp, vehicles=vehicles, days=days, seed=seed)
        else:
            from auditor.demo.alt_generator import write_alt_fleet
            paths = write_alt_fleet(tmp, vehicles=vehicles, days=days, seed=seed)
        pings = pd.read_csv(paths["pings"], usecols=["vehicle_id", "timestamp", "lat", "lon"])
        labels = pd.read_csv(paths["labels"])
        vehicles_meta = pd.read_csv(paths["vehicles"], dtype=str)
    stamps = pings["timestamp"]
    pings["ts"] = (pd.to_datetime(stamps, utc=True, format="ISO8601")
                   - pd.Timestamp("1970-01-01", tz="UTC")) // pd.Timedelta(seconds=1)
    tail = stamps.str[-6:]
    has_offset = tail.str[0].isin(["+", "-"])
    pings["utc_offset_min"] = np.where(
        has_offset, tail.str[0].map({"+": 1, "-": -1}).fillna(0)
        * (pd.to_numeric(tail.str[1:3], errors="coerce").fillna(0) * 60
           + pd.to_numeric(tail.str[4:6], errors="coerce").fillna(0)), 0)
    # what ingest would quarantine: positions out of range, repeated stamps
    pings = pings[pings["lat"].between(-90, 90) & pings["lon"].between(-180, 180)]
    pings = pings.drop(columns="timestamp").drop_duplicates(["vehicle_id", "ts"])
    pings["ping_id"] = np.arange(len(pings))
    tables = derive_vehicle_tables(pings, vehicles_meta, InferConfig())
    labels["label_id"] = np.arange(1, len(labels) + 1)
    return tables, labels, sorted(pings["vehicle_id"].unique())


# from 5 labelled vehicles x 7 days up; (demo, 30, 7, 7) is `auditor demo --vehicles 30 --days 7`
FLEETS = [("demo", 9, 7, s) for s in (0, 1, 2)] + [("alt", 14, 7, s) for s in (0, 1)] + [
    ("demo", 30, 7, 7), ("demo", 30, 7, 3), ("alt", 30, 7, 4), ("demo", 60, 10, 5),
    ("alt", 60, 10, 6)]


@pytest.mark.parametrize("generator,vehicles,days,seed", FLEETS)
def test_the_run_never_labels_worse_than_the_2am_baseline(generator, vehicles, days, seed):
    tables, labels, pinged = generated_fleet(generator, vehicles, days, seed)
    out = label_and_predict(tables["features"], tables["places"], labels, pinged, 0,
                            InferConfig())
    labelled = out["split"][out["split"] != "unlabelled"]
    assert tables["features"].loc[labelled.index, "vehicle_id"].nunique() >= 5
    choice = out["model_metrics"]["labeller"]
    assert choice["chosen"] in ("model", "stacked", "baseline")
    pred = out["model_predictions"]
    # on the vehicles nothing was learnt from (validation and test: the choice is made on
    # training vehicles), the run gets at least as many places right as the 02:00 rule
    held = pred["split"].isin(["validation", "test"]) & (pred["given_label"] != "")
    right = (pred["predicted_label"] == pred["given_label"])[held].sum()
    base_pred = out["baseline_predictions"]
    base_right = (base_pred["predicted_label"] == base_pred["given_label"])[held].sum()
    assert held.sum() >= 5 and right >= base_right, (choice, right, base_right, held.sum())
    if choice["chosen"] == "baseline":
        assert pred["predicted_label"].equals(out["baseline_predictions"]["predicted_label"])
    else:  # chosen only when it gets more training places right out-of-fold
        assert choice["mean_gain_places"][choice["chosen"]] > 0
        oof = choice["oof_accuracy"]
        assert oof[choice["chosen"]] > oof["baseline"]
        assert oof[choice["chosen"]] == max(oof.values())
    homes = (pred["predicted_label"] == "home").groupby(pred["vehicle_id"]).sum()
    assert (homes == 1).all()
    assert set(choice["oof_accuracy"]) >= {"model", "baseline"}


def test_a_forced_labeller_is_used_and_recorded():
    tables, labels, pinged = generated_fleet("demo", 30, 7, 7)
    out = label_and_predict(tables["features"], tables["places"], labels, pinged, 0,
                            InferConfig(labeller="model"))
    choice = out["model_metrics"]["labeller"]
    assert choice["chosen"] == "model" and choice["forced"]
    pred = out["model_predictions"]
    probs = pred[["p_home", "p_work", "p_other"]].to_numpy()
    assert not np.isin(probs, (0.0, 1.0)).all()          # the model's, not one-hot
    base = label_and_predict(tables["features"], tables["places"], labels, pinged, 0,
                             InferConfig(labeller="baseline"))["model_predictions"]
    assert np.isin(base[["p_home", "p_work", "p_other"]].to_numpy(), (0.0, 1.0)).all()
    # the queue's probabilities stay the model's out-of-fold ones whoever labels
    pd.testing.assert_frame_equal(base[["oof_p_home", "oof_p_work", "oof_p_other"]],
                                  pred[["oof_p_home", "oof_p_work", "oof_p_other"]])


def test_support_is_more_places_right_and_its_sureness_a_sign_flip_test():
    # support: more training places right out-of-fold, however few vehicles show it
    assert supported(np.array([1.0, 1.0, 1.0]))
    assert supported(np.array([1.0] * 8 + [0.0] * 20))
    # better on many, much worse on a few: fewer places right in all, no
    assert not supported(np.array([1.0] * 10 + [-6.0] * 3))
    assert not supported(np.zeros(30)) and not supported(np.array([]))
    # the p reported beside the choice: a paired sign-flip test over vehicles
    assert permutation_p(np.array([1] * 6)) == pytest.approx(1 / 64)
    # three lucky vehicles, however alike: 1 pattern in 8 does as well
    assert permutation_p(np.array([1, 1, 1, 0, 0])) == pytest.approx(1 / 8)
    # the exact test against brute force, and the normal tail beyond EXACT_UP_TO vehicles
    g = np.array([2, -1, 1, 1, 3, -2, 1])
    patterns = [np.sum(np.abs(g) * s) for s in
                np.array(np.meshgrid(*[[-1, 1]] * 7)).T.reshape(-1, 7)]
    assert permutation_p(g) == pytest.approx(np.mean(np.array(patterns) >= g.sum()))
    big = np.array([1.0] * 40 + [-1.0] * 20)
    assert permutation_p(big) == pytest.approx(0.0049, abs=5e-4)


def test_counted_sign_patterns_equal_listing_every_pattern():
    """permutation_p counts patterns by subset sums: the very same p as listing all 2^n."""
    rng = np.random.default_rng(3)
    for _ in range(300):
        g = rng.integers(-5, 6, size=rng.integers(1, 17)).astype(float)
        size = np.abs(g[g != 0])
        signs = ((np.arange(2 ** len(size))[:, None] >> np.arange(len(size))) & 1) * 2 - 1
        listed = float(np.mean(signs @ size >= g.sum() - 1e-9)) if len(size) else 1.0
        assert permutation_p(g) == listed
    # fractional gains (never from place counts) still get the listed patterns
    g = np.array([0.5, -1.25, 2.0])
    assert permutation_p(g) == pytest.approx(3 / 8)


def test_a_model_that_learnt_only_class_shares_doubts_no_label():
    y = np.array(["home", "work", "other", "other", "other", "other"], dtype=object)
    shares = np.array([1 / 6, 1 / 6, 4 / 6])
    assert (label_trust(y, np.tile(shares, (6, 1))) == 1).all()
    oof = np.array([[0.9, 0.05, 0.05], [0.9, 0.05, 0.05]] + [[0.1, 0.1, 0.8]] * 4)
    trust = label_trust(y, oof)
    assert trust[0] == 1 and trust[1] < 0.1 and (trust[2:] == 1).all()


@pytest.fixture(scope="module")
def commuter_fleets():
    """Three synthetic fleets of 40 commuters (truth by construction), derived once."""
    out = []
    for seed in (6, 7, 8):
        pings, truth = commuters(n=40, days=14, seed=seed, vary=True)
        f = derive_vehicle_tables(pings, None, InferConfig())["features"]
        th = f.vehicle_id.map({v: t["home"] for v, t in truth.items()})
        tw = f.vehicle_id.map({v: t["work"] for v, t in truth.items()})
        is_home = haversine_m(f.lat, f.lon, th.str[0], th.str[1]) < 100
        is_work = haversine_m(f.lat, f.lon, tw.str[0], tw.str[1]) < 100
        true = pd.Series(np.where(is_home, "home", np.where(is_work, "work", "other")),
                         index=f.index, dtype=object)
        out.append((f, true, is_home, is_work))
    return out


def _fit(f, given, refit: bool):
    split = assign_splits(f.vehicle_id, f.vehicle_id[given.notna()], seed=0, fraction=0.25)
    p = train_and_predict(f, given, split, InferConfig(robust_refit=refit), seed=0)
    lab = given.notna().to_numpy()
    oof = p.loc[lab, ["oof_p_home", "oof_p_work", "oof_p_other"]].to_numpy()
    p_given = oof[np.arange(lab.sum()), given[lab].map({"home": 0, "work": 1,
                                                         "other": 2}).to_numpy()]
    return p, oof, p_given


def test_the_refit_does_not_learn_a_populations_swapped_labels(commuter_fleets):
    """A quarter of the labelled vehicles (one 'population') had home and work swapped
    upstream. With the refit the model follows the other vehicles: the correct labels get
    sharper out-of-fold support and the model's out-of-fold view matches the truth more often,
    on every seed."""
    for f, true, is_home, is_work in commuter_fleets:
        given = true.copy()
        given[f.vehicle_id >= "v32"] = None
        swapped = f.vehicle_id.isin([f"v{i:02d}" for i in range(0, 32, 4)])
        given[swapped & is_home], given[swapped & is_work] = "work", "home"
        wrong = (swapped & (is_home | is_work)).to_numpy()[given.notna().to_numpy()]
        truth = true[given.notna()].map({"home": 0, "work": 1, "other": 2}).to_numpy()
        results = {}
        for refit in (True, False):
            _, oof, p_given = _fit(f, given, refit)
            results[refit] = (p_given[~wrong].mean(), p_given[wrong].mean(),
                              (oof.argmax(axis=1) == truth).mean())
        assert results[True][0] > results[False][0] + 0.05      # correct labels: sharper
        assert results[True][2] >= results[False][2]           # closer to the truth
        assert results[True][1] < 0.2                           # swapped ones stand out


def test_the_refit_changes_nothing_when_no_label_is_doubted(commuter_fleets):
    for f, true, _, _ in commuter_fleets:
        given = true.copy()
        given[f.vehicle_id >= "v32"] = None
        with_refit, _, _ = _fit(f, given, True)
        without, _, _ = _fit(f, given, False)
        pd.testing.assert_frame_equal(with_refit, without)
