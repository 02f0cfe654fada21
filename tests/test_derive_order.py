"""The derivation's ordering of pings: (vehicle_id, ts, ping_id), stable — checked against
pandas' own stable sort on shuffled, tied and already-ordered frames (the fast path that only
checks the order must never let a disordered frame through)."""
import numpy as np
import pandas as pd
import pytest

from auditor.pipeline.derive import _in_order, _sorted_by_vehicle_and_time


def _frame(rng, n, with_ping_id=True):
    df = pd.DataFrame({"vehicle_id": rng.choice(["v10", "v2", "a", "b b", "Z"], n).astype(object),
                       "ts": rng.integers(0, 6, n).astype(np.int64),  # many ties
                       "lat": rng.normal(size=n)})
    if with_ping_id:
        df.insert(0, "ping_id", rng.permutation(n).astype(np.int64))
    return df


def _reference(df):
    keys = ["vehicle_id", "ts"] + (["ping_id"] if "ping_id" in df else [])
    return df.sort_values(keys, kind="stable").reset_index(drop=True)


@pytest.mark.parametrize("with_ping_id", [True, False])
def test_any_order_comes_back_sorted_like_a_stable_sort(with_ping_id):
    rng = np.random.default_rng(3)
    for n in (0, 1, 2, 7, 200):
        df = _frame(rng, n, with_ping_id)
        want = _reference(df)
        pd.testing.assert_frame_equal(_sorted_by_vehicle_and_time(df), want)
        assert _in_order(want)  # and a sorted frame is seen to be sorted
        pd.testing.assert_frame_equal(_sorted_by_vehicle_and_time(want), want)


def test_each_kind_of_disorder_is_seen():
    ok = pd.DataFrame({"ping_id": [1, 2, 3, 4], "vehicle_id": ["a", "a", "b", "b"],
                       "ts": [5, 5, 1, 2]})
    assert _in_order(ok)
    vehicles = ok.assign(vehicle_id=["b", "b", "a", "a"])       # vehicles out of order
    split = ok.assign(vehicle_id=["a", "b", "a", "b"], ts=[1, 1, 2, 2])  # a vehicle in two runs
    times = ok.assign(ts=[5, 5, 2, 1])                           # time goes back in a vehicle
    ids = ok.assign(ping_id=[2, 1, 3, 4])                        # tie on ts, ping ids reversed
    for bad in (vehicles, split, times, ids):
        assert not _in_order(bad)
        pd.testing.assert_frame_equal(_sorted_by_vehicle_and_time(bad), _reference(bad))
    # without ping ids a tie keeps the order it came in
    assert _in_order(ids.drop(columns="ping_id"))


def test_mode_per_group_matches_value_counts():
    """The numpy mode per group agrees with pandas' value_counts on random groups with ties,
    missing values and empty groups."""
    from auditor.pipeline.localtime import _mode_per_group
    rng = np.random.default_rng(5)
    for n in (0, 1, 50, 3000):
        codes = rng.integers(0, 9, n)
        values = rng.choice([-300.0, 60.0, 120.0, 0.5, np.nan], n)
        got = _mode_per_group(codes, values, 10)
        want = np.full(10, np.nan)
        frame = pd.DataFrame({"g": codes, "v": values}).dropna()
        for g, part in frame.groupby("g"):
            counts = part["v"].value_counts()
            want[g] = min(counts.index[counts == counts.max()])
        np.testing.assert_array_equal(got, want)
    assert np.isnan(_mode_per_group(np.array([0, 0]), np.array([1.0, 1.0]), 2)[1])
