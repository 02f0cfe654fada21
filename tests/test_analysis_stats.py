"""Analysis building blocks on hand-made data: metrics, skew statistics,
PSI, leakage, spatial drift, time-of-day helpers, the error tree."""
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.spatial.distance import jensenshannon

from auditor.analysis import skew
from auditor.analysis.drift import spatial_drift
from auditor.analysis.error_tree import build_error_tree, design_matrix, grow_error_tree
from auditor.analysis.leakage import entity_leakage, location_leakage, time_overlap
from auditor.analysis.stoptimes import crossings, overlaps_daily_window, touches_weekday
from auditor.analysis.validation import classification_metrics

H = 3600
DAY = 86_400
MONDAY = 1_772_409_600  # 2026-03-02 00:00 UTC, a Monday


def test_metrics_exact_counts():
    given = ["home", "home", "home", "work", "work", "other", "other", "other"]
    pred = ["home", "home", "work", "work", "other", "other", "other", "home"]
    m = classification_metrics(given, pred)
    assert m["n"] == 8 and m["correct"] == 5 and m["accuracy"] == pytest.approx(5 / 8)
    assert m["confusion"]["home"] == {"home": 2, "work": 1, "other": 0}
    assert m["confusion"]["work"] == {"home": 0, "work": 1, "other": 1}
    assert m["confusion"]["other"] == {"home": 1, "work": 0, "other": 2}
    assert m["per_class"]["home"]["precision"] == pytest.approx(2 / 3)
    assert m["per_class"]["home"]["recall"] == pytest.approx(2 / 3)
    assert m["per_class"]["work"]["precision"] == pytest.approx(1 / 2)
    assert m["per_class"]["work"]["recall"] == pytest.approx(1 / 2)
    assert m["per_class"]["other"]["support"] == 3


def test_metrics_undefined_precision_is_none_not_zero():
    m = classification_metrics(["home", "work"], ["home", "home"])
    assert m["per_class"]["work"]["precision"] is None  # never predicted
    assert m["per_class"]["work"]["recall"] == 0.0
    assert m["per_class"]["other"]["recall"] is None


def test_numeric_skew_matches_scipy_and_flags():
    rng = np.random.default_rng(1)
    ref = rng.normal(0, 1, 2000)
    same = rng.normal(0, 1, 2000)
    shifted = rng.normal(0.5, 1, 2000)
    r_same = skew.numeric_skew(ref, same)
    r_shift = skew.numeric_skew(ref, shifted)
    assert r_shift["wasserstein"] == pytest.approx(stats.wasserstein_distance(ref, shifted))
    assert r_shift["wasserstein_std"] == pytest.approx(
        stats.wasserstein_distance(ref, shifted) / np.std(ref))
    assert r_shift["ks"] == pytest.approx(stats.ks_2samp(ref, shifted).statistic)
    assert r_same["wasserstein_std"] < 0.1 and not r_same["flag"]
    assert r_shift["wasserstein_std"] >= 0.1 and r_shift["flag"]
    assert r_shift["psi_level"] in ("warn", "alert") and r_same["psi_level"] == "ok"
    assert r_shift["n_reference"] == 2000 and r_shift["wasserstein_threshold"] == 0.1


def test_psi_bins_are_frozen_from_the_reference():
    ref = np.arange(1000, dtype=float)
    edges = skew.frozen_bins(ref, 10)
    assert len(edges) == 9 and edges[0] == pytest.approx(99.9)
    # a current sample entirely above the reference range falls in the last (open) bin
    cur = np.full(100, 5000.0)
    shares = skew.binned_shares(cur, edges)
    assert shares[-1] == 1.0 and shares[:-1].sum() == 0
    r = skew.numeric_skew(ref, cur)
    assert r["psi_bin_edges"] == pytest.approx(edges.tolist())
    expected = (1 - 0.1) * np.log(1 / 0.1) + 9 * (1e-4 - 0.1) * np.log(1e-4 / 0.1)
    assert r["psi"] == pytest.approx(expected)
    assert r["psi_level"] == "alert"
    # identical distributions: PSI 0
    assert skew.numeric_skew(ref, ref)["psi"] == pytest.approx(0.0)


def test_near_identical_samples_give_scipys_asymptotic_p_value_without_a_warning():
    # 300 values each, one step apart: scipy's exact p-value fails and it warns on stderr
    ref = np.arange(300, dtype=float)
    cur = ref + 0.5
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = skew.numeric_skew(ref, cur)
    assert r["ks_pvalue"] == pytest.approx(stats.ks_2samp(ref, cur, method="asymp").pvalue)
    assert r["ks_significant"] is False


def test_categorical_skew_js_and_new_categories():
    ref = ["a"] * 50 + ["b"] * 50
    cur = ["a"] * 50 + ["b"] * 30 + ["c"] * 20
    r = skew.categorical_skew(ref, cur)
    assert r["js_distance"] == pytest.approx(jensenshannon([.5, .5, 0], [.5, .3, .2], base=2))
    assert r["new_categories"] == ["c"] and r["flag"]
    assert skew.categorical_skew(ref, ref)["js_distance"] == pytest.approx(0.0)
    assert not skew.categorical_skew(ref, ref)["flag"]


def test_entity_and_location_leakage():
    pred = pd.DataFrame({
        "place_id": ["A:0", "A:1", "B:0", "C:0", "C:1"],
        "vehicle_id": ["A", "A", "B", "C", "C"],
        "split": ["train", "validation", "validation", "train", "train"],
        "given_label": ["home", "other", "home", "home", "work"],
        "lat": [48.0, 48.1, 48.0003, 49.0, 49.1],
        "lon": [11.0, 11.1, 11.0, 11.0, 11.0],
    })
    e = entity_leakage(pred)
    assert e["vehicles_in_several_splits"] == ["A"] and e["flag"]
    loc = location_leakage(pred)  # B's home is ~33 m from A's train home
    assert loc["places"] == ["B:0"] and loc["n_near_train"] == 1


def test_time_overlap():
    stops = pd.DataFrame({"vehicle_id": ["A", "A", "B"],
                          "start_ts": [0, 100, 50], "end_ts": [10, 200, 300]})
    t = time_overlap(stops, pd.Series({"A": "train", "B": "validation"}))
    assert t["train_period"] == [0, 200] and t["validation_period"] == [50, 300]
    assert t["overlap_seconds"] == 150 and t["validation_share_inside_train"] == 0.0


def test_spatial_drift_cells():
    stops = pd.DataFrame({
        "lat": [48.005, 48.005, 48.015], "lon": [11.005, 11.005, 11.005],
        "start_ts": [0, 1000, 1000], "end_ts": [100, 1100, 1300],
    })
    d = spatial_drift(stops, 0.01)
    cells = {(round(c["lat_min"], 2), round(c["lon_min"], 2)): c for c in d["cells"]}
    first = cells[(48.0, 11.0)]
    assert first["first_share"] == 1.0 and first["second_share"] == pytest.approx(0.25)
    assert first["change"] == pytest.approx(-0.75)
    assert cells[(48.01, 11.0)]["change"] == pytest.approx(0.75)
    assert first["lat_max"] == pytest.approx(48.01)


def test_local_seconds_zone_then_stated_offset_then_utc():
    from auditor.analysis.stoptimes import local_seconds
    meta = pd.DataFrame({"vehicle_id": ["Z", "O", "U"],
                         "timezone": ["America/Chicago", "", ""]})
    ts = pd.Series([MONDAY, MONDAY, MONDAY])
    got = local_seconds(ts, pd.Series(["Z", "O", "U"]), meta, pd.Series({"O": 120.0}))
    assert got.tolist() == [MONDAY - 6 * H, MONDAY + 2 * H, MONDAY]


def test_time_of_day_helpers():
    a = np.array([MONDAY + 22 * H, MONDAY + 8 * H, MONDAY + 5 * DAY + 9 * H])
    b = np.array([MONDAY + DAY + 7 * H, MONDAY + 17 * H, MONDAY + 6 * DAY + 20 * H])
    assert crossings(a, b, 2 * H).tolist() == [1, 0, 1]
    assert overlaps_daily_window(a, b, 0, 5 * H).tolist() == [True, False, True]
    # third stay is Saturday 09:00 -> Sunday 20:00: no weekday
    assert touches_weekday(a, b).tolist() == [True, True, False]


def test_error_tree_finds_planted_slice():
    rng = np.random.default_rng(3)
    n = 600
    fw = rng.choice(["fw-1", "fw-2", "fw-bad"], n, p=[0.45, 0.4, 0.15])
    share = rng.uniform(0, 1, n)
    # errors: 60 % on fw-bad, 5 % elsewhere, independent of the feature
    wrong = np.where(fw == "fw-bad", rng.uniform(size=n) < 0.6, rng.uniform(size=n) < 0.05)
    lab = pd.DataFrame({"place_id": [f"V{i // 5}:{i % 5}" for i in range(n)],
                        "vehicle_id": [f"V{i // 5}" for i in range(n)],
                        "given_label": rng.choice(["home", "work", "other"], n),
                        "wrong": wrong})
    feats = pd.DataFrame({"place_id": lab["place_id"], "vehicle_id": lab["vehicle_id"],
                          "share_x": share})
    meta = pd.DataFrame({"vehicle_id": lab["vehicle_id"], "firmware": fw}) \
        .drop_duplicates("vehicle_id")
    # firmware per vehicle: make the place-level column consistent with the vehicle's
    fw_of = meta.set_index("vehicle_id")["firmware"]
    lab["wrong"] = np.where(lab["vehicle_id"].map(fw_of) == "fw-bad",
                            rng.uniform(size=n) < 0.6, rng.uniform(size=n) < 0.05)
    X, words = design_matrix(lab, feats, meta)
    tree = build_error_tree(lab, X, words)
    assert tree["root"]["condition"] == "all labelled places"
    assert tree["root"]["feature"] == "firmware = fw-bad"
    worst = tree["leaves"][0]
    assert "firmware = fw-bad" in worst["slice"] and worst["error_rate"] > 0.4
    assert tree["root"]["n"] == n and tree["root"]["errors"] == int(lab["wrong"].sum())
    # slice members of the root's right child are exactly the fw-bad places (an oracle from
    # the planted data, not from the tree), from the same fit that drew the JSON
    same, members = grow_error_tree(lab, X, words)
    assert same == tree
    right = tree["root"]["children"][1]
    want = sorted(lab.loc[lab["vehicle_id"].map(fw_of) == "fw-bad", "place_id"])
    assert members[right["id"]] == want and right["n"] == len(want)
    assert members[tree["root"]["id"]] == sorted(lab["place_id"])
    # every node's members are the union of its children's, and leaves partition the root
    def check(node):
        if node["children"]:
            kids = [set(members[c["id"]]) for c in node["children"]]
            assert kids[0].isdisjoint(kids[1]) and kids[0] | kids[1] == set(members[node["id"]])
            for c in node["children"]:
                check(c)
        assert len(members[node["id"]]) == node["n"]
    check(tree["root"])


def test_error_tree_names_the_population_crowding_a_feature_slice():
    """Errors explained by a feature (a shifted clock) whose slice is mostly one firmware: the
    tree splits on the feature, and the slice says who crowds it."""
    from auditor.analysis.error_tree import build_error_tree
    rng = np.random.default_rng(0)
    n = 400
    bad = np.arange(n) < 60                      # 15% of places on the faulty firmware
    clock = np.where(bad, rng.uniform(0.8, 1.0, n), rng.uniform(0.0, 0.85, n))
    wrong = clock > 0.8                          # the model fails where the clock looks odd
    lab = pd.DataFrame({"place_id": [f"P{i:03d}" for i in range(n)], "wrong": wrong})
    X = pd.DataFrame({"clock": clock, "firmware = bad": bad.astype(float),
                      "firmware = ok": (~bad).astype(float),
                      "given label = home": (np.arange(n) % 2).astype(float)})
    words = {"clock": ("number", "clock"), "firmware = bad": ("category", "firmware", "bad"),
             "firmware = ok": ("category", "firmware", "ok"),
             "given label = home": ("category", "given label", "home")}
    t = build_error_tree(lab, X, words, max_depth=1)
    assert t["root"]["feature"] == "clock"
    worst = t["leaves"][0]
    assert worst["error_rate"] == 1.0
    d = worst["dominant"]
    assert (d["column"], d["value"]) == ("firmware", "bad")
    assert d["share"] == pytest.approx(60 / worst["n"]) and d["overall_share"] == pytest.approx(0.15)
    assert t["root"]["dominant"] is None        # the whole set is crowded by nobody
    assert t["leaves"][1]["dominant"] is None    # 'ok' is only slightly above its share there


def test_error_tree_does_not_repeat_a_split_as_its_crowd():
    """A slice cut on 'firmware = bad' is all 'bad' by definition: saying so again is noise."""
    from auditor.analysis.error_tree import build_error_tree
    n = 200
    bad = np.arange(n) < 40
    lab = pd.DataFrame({"place_id": [f"P{i:03d}" for i in range(n)], "wrong": bad})
    X = pd.DataFrame({"firmware = bad": bad.astype(float), "firmware = ok": (~bad).astype(float)})
    words = {"firmware = bad": ("category", "firmware", "bad"),
             "firmware = ok": ("category", "firmware", "ok")}
    t = build_error_tree(lab, X, words, max_depth=1)
    worst = t["leaves"][0]
    assert "firmware" in worst["slice"] and worst["error_rate"] == 1.0
    assert worst["dominant"] is None
    assert t["root"]["dominant"] is None


def test_population_skew_names_the_minority_of_a_two_valued_column():
    """Each value of a two-valued column is compared with the other, so both shift alike; the
    population named is the quarter of the fleet whose clock is off, not the other three
    quarters (whose name sorts first here)."""
    from auditor.analysis.population_skew import population_skew
    rng = np.random.default_rng(8)
    n = 80
    vehicles = [f"v{i:02d}" for i in range(n)]
    faulty = np.arange(n) % 4 == 1
    rows = []
    for v, bad in zip(vehicles, faulty):
        for cls, hour in (("home", 18.0), ("work", 8.0)):
            rows.append({"place_id": f"{v}:{cls}", "vehicle_id": v, "cls": cls,
                         "arrival_hour_mean": hour + rng.normal(0, 0.5) - (5.0 if bad else 0.0),
                         "n_visits": float(rng.integers(5, 20))})
    features = pd.DataFrame(rows)
    predicted = features.set_index("place_id")["cls"]
    meta = pd.DataFrame({"vehicle_id": vehicles,
                         "firmware": np.where(faulty, "fw-2.1", "fw-1.9")})
    out = population_skew(features.drop(columns="cls"), predicted, meta,
                          ["arrival_hour_mean", "n_visits"], ["firmware"])
    assert out["by_population"][0]["value"] == "fw-2.1", out["by_population"]
    assert out["top"][0]["value"] == "fw-2.1" and out["top"][0]["n_population"] == n // 4
