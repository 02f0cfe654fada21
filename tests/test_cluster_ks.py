"""The KS test on places grouped by vehicle (analysis.cluster_ks, used by the skew section)."""
import numpy as np
import pytest
from scipy import stats

from auditor.analysis.cluster_ks import cluster_ks
from auditor.analysis.skew import compare_frames


def _fleet(rng, vehicles=40, places=30, spread=1.0):
    """Places whose feature is mostly their vehicle's (a taxi's two hundred brief stops, a
    commuter's few long ones): values cluster by vehicle."""
    level = rng.normal(0, spread, vehicles)
    vehicle = np.repeat(np.arange(vehicles), places)
    return vehicle, level[vehicle] + rng.normal(0, 0.3, len(vehicle))


def test_singleton_clusters_give_scipys_statistic_and_p_value():
    rng = np.random.default_rng(1)
    a, b = rng.normal(0, 1, 60), rng.normal(0.5, 1, 40)
    got = cluster_ks(a, b, np.arange(60), np.arange(60, 100), permutations=999)
    exact = stats.ks_2samp(a, b, method="exact")
    assert got["statistic"] == pytest.approx(exact.statistic)
    assert got["pvalue"] == pytest.approx(exact.pvalue, abs=0.01)
    # ties: the statistic is taken where runs of equal values end, as scipy does
    a, b = rng.integers(0, 5, 80).astype(float), rng.integers(0, 6, 50).astype(float)
    assert cluster_ks(a, b, np.arange(80), np.arange(80, 130))["statistic"] == \
        pytest.approx(stats.ks_2samp(a, b).statistic)


def test_a_random_split_of_vehicles_is_within_sampling_noise():
    """The split is random by vehicle, so the null holds by construction: the place-level test
    called nearly every draw 'beyond sampling noise', permuting vehicles about 5 in 100."""
    rng = np.random.default_rng(2)
    vehicle, x = _fleet(rng)
    naive = clustered = 0
    for seed in range(60):
        current = np.isin(vehicle, np.random.default_rng(seed).permutation(40)[:10])
        naive += stats.ks_2samp(x[~current], x[current]).pvalue < 0.05
        clustered += cluster_ks(x[~current], x[current], vehicle[~current],
                                vehicle[current], seed=seed)["pvalue"] < 0.05
    assert naive > 45
    assert clustered <= 8


def test_vehicles_that_really_differ_are_beyond_noise():
    rng = np.random.default_rng(3)
    vehicle, x = _fleet(rng)
    current = vehicle >= 30
    x = np.where(current, x + 2.0, x)
    got = cluster_ks(x[~current], x[current], vehicle[~current], vehicle[current])
    assert got["pvalue"] <= 0.01 and got["permutations"] == 199


def test_paired_windows_flip_each_vehicles_sides():
    """Early and recent places of the same vehicles: no change is noise, a change in every
    vehicle is not; a plainly large p-value stops early (Besag-Clifford)."""
    rng = np.random.default_rng(4)
    level = rng.normal(0, 1, 30)
    vehicle = np.repeat(np.arange(30), 10)
    early = level[vehicle] + rng.normal(0, 0.3, len(vehicle))
    same = level[vehicle] + rng.normal(0, 0.3, len(vehicle))
    calm = cluster_ks(early, same, vehicle, vehicle, paired=True)
    assert calm["pvalue"] > 0.05 and calm["permutations"] < 199
    moved = cluster_ks(early, same + 0.8, vehicle, vehicle, paired=True)
    assert moved["pvalue"] <= 0.01


def test_the_same_inputs_give_the_same_p_value():
    rng = np.random.default_rng(5)
    vehicle, x = _fleet(rng, vehicles=20)
    current = vehicle < 6
    runs = [cluster_ks(x[~current], x[current], vehicle[~current], vehicle[current])
            for _ in range(2)]
    assert runs[0] == runs[1]


def test_compare_frames_permutes_vehicles_and_says_so():
    rng = np.random.default_rng(6)
    vehicle, x = _fleet(rng)
    import pandas as pd
    frame = pd.DataFrame({"vehicle_id": [f"v{v}" for v in vehicle], "f": x})
    ref, cur = frame[vehicle >= 10], frame[vehicle < 10]
    row = compare_frames(ref, cur, ["f"], [], cluster="vehicle_id")[0]
    assert row["ks_test"]["method"] == "cluster permutation"
    assert row["ks_test"]["clusters"] == 40
    plain = compare_frames(ref, cur, ["f"], [])[0]
    assert plain["ks_test"] == {"method": "values"}
    assert plain["ks"] == pytest.approx(row["ks"])
    assert plain["ks_pvalue"] < row["ks_pvalue"]
