"""Vehicles that moved house: nights spent at one place, then at another, for good.

A survey's home label names one home; a vehicle whose owner moved during the period has two,
one after the other. The home it left then looks like a home the label says is not one, and
trained on as 'other' it teaches the model that half a fleet's nights mean nothing. A stale
label — the home the vehicle left — is a common label error, and this is its evidence.

A move: the vehicle's nights (where it stood at 02:00 local) split at one point into a run of
at least MIN_NIGHTS nights, SHARE of them at place A, then a run of at least MIN_NIGHTS, SHARE
of them at place B. Alternating between two places (a partner's flat on weekdays, night shifts)
is no move; nor is a week away in the middle, or at either end — a home is driven from and
back to, so each side needs MIN_STAYS stays at its place, and a holiday flat the car stood at
for a week is one stay; nor a vehicle that still parks at A by day
after the split (more than MAX_VISITS_AFTER stays): a clock that starts or stops running hours
wrong, or a change to night shifts, moves its nights to the workplace, not its home. A stretch
away at the very end of the period looks the same as a move, so the words say both.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

DAY = 86_400
NIGHT_S = 2 * 3600   # the instant that counts a night, as the features' 02:00
MIN_NIGHTS = 5
SHARE = 0.8
MAX_VISITS_AFTER = 2   # stays at the home it left, after the move (fetching the last boxes)
MIN_STAYS = 3          # stays at each home on its side of the move

MOVE_COLUMNS = ["vehicle_id", "from_place", "to_place", "last_night_from", "first_night_to",
                "nights_from", "nights_to"]


def empty_moves() -> pd.DataFrame:
    return pd.DataFrame({
        "vehicle_id": pd.Series([], dtype=object), "from_place": pd.Series([], dtype=object),
        "to_place": pd.Series([], dtype=object),
        "last_night_from": pd.Series([], dtype=np.int64),
        "first_night_to": pd.Series([], dtype=np.int64),
        "nights_from": pd.Series([], dtype=np.int64), "nights_to": pd.Series([], dtype=np.int64)})


def night_places(stops: pd.DataFrame) -> pd.DataFrame:
    """vehicle_id, night (local day number of its 02:00), place_id: one row per 02:00 a
    vehicle stood at a place, in (vehicle, night) order. ``stops``: vehicle_id, place_id,
    start_local, end_local."""
    stops = stops[stops["place_id"].notna()]
    a = stops["start_local"].to_numpy(dtype=np.int64) - NIGHT_S
    b = stops["end_local"].to_numpy(dtype=np.int64) - NIGHT_S
    first = np.floor_divide(a, DAY) + 1          # 02:00 instants within (start, end]
    n = np.maximum(np.floor_divide(b, DAY) - first + 1, 0)
    rows = np.repeat(np.arange(len(stops)), n)
    offset = np.arange(len(rows)) - np.repeat(np.cumsum(n) - n, n)
    out = pd.DataFrame({"vehicle_id": stops["vehicle_id"].to_numpy(dtype=object)[rows],
                        "night": first[rows] + offset,
                        "place_id": stops["place_id"].to_numpy(dtype=object)[rows]})
    return out.sort_values(["vehicle_id", "night"], kind="stable").reset_index(drop=True)


def find_moves(stops: pd.DataFrame) -> pd.DataFrame:
    """MOVE_COLUMNS, one row per vehicle that moved (module docstring): the place of its
    nights before and after, the last night at the one and the first at the other (local day
    numbers), and how many nights each run holds at its place. Vectorised over the fleet."""
    nights = night_places(stops)
    if nights.empty:
        return empty_moves()
    # the vehicle's two places with most nights: the only candidates for A and B
    counts = nights.groupby(["vehicle_id", "place_id"], sort=True).size().rename("n").reset_index()
    counts = counts.sort_values(["vehicle_id", "n", "place_id"], ascending=[True, False, True],
                                kind="stable")
    rank = counts.groupby("vehicle_id").cumcount()
    top = counts[rank == 0].set_index("vehicle_id")["place_id"]
    second = counts[rank == 1].set_index("vehicle_id")["place_id"]
    nights = nights[nights["vehicle_id"].isin(second.index)].reset_index(drop=True)
    if nights.empty:
        return empty_moves()
    v = nights["vehicle_id"]
    p = nights["place_id"].to_numpy(dtype=object)
    pos = nights.groupby("vehicle_id", sort=False).cumcount().to_numpy() + 1   # nights so far
    total = v.map(v.value_counts()).to_numpy()
    best = []
    for first, then in ((top, second), (second, top)):
        is_a = p == v.map(first).to_numpy(dtype=object)
        is_b = p == v.map(then).to_numpy(dtype=object)
        before_a = pd.Series(is_a).groupby(v).cumsum().to_numpy()
        before_b = pd.Series(is_b).groupby(v).cumsum().to_numpy()
        after_b = pd.Series(is_b).groupby(v).transform("sum").to_numpy() - before_b
        after = total - pos
        ok = ((pos >= MIN_NIGHTS) & (after >= MIN_NIGHTS)
              & (before_a >= SHARE * pos) & (after_b >= SHARE * after))
        best.append(pd.DataFrame({
            "vehicle_id": v.to_numpy(dtype=object), "from_place": v.map(first).to_numpy(),
            "to_place": v.map(then).to_numpy(), "row": np.arange(len(v)),
            "score": before_a + after_b, "nights_from": before_a, "nights_to": after_b})[ok])
    found = pd.concat(best, ignore_index=True)
    if found.empty:
        return empty_moves()
    # the split that explains most nights; ties: the earliest (then A-before-B order)
    found = (found.sort_values(["vehicle_id", "score", "row"], ascending=[True, False, True],
                               kind="stable").drop_duplicates("vehicle_id"))
    night = nights["night"].to_numpy(dtype=np.int64)
    rows = found["row"].to_numpy()
    # the last night at A before the split and the first at B after it
    last_from, first_to = [], []
    for r, a, b in zip(rows, found["from_place"], found["to_place"]):  # one per moved vehicle
        lo = r
        while p[lo] != a:
            lo -= 1
        hi = r + 1
        while p[hi] != b:
            hi += 1
        last_from.append(int(night[lo]))
        first_to.append(int(night[hi]))
    moves = pd.DataFrame({
        "vehicle_id": found["vehicle_id"].to_numpy(dtype=object),
        "from_place": found["from_place"].to_numpy(dtype=object),
        "to_place": found["to_place"].to_numpy(dtype=object),
        "last_night_from": np.asarray(last_from, dtype=np.int64),
        "first_night_to": np.asarray(first_to, dtype=np.int64),
        "nights_from": found["nights_from"].to_numpy(dtype=np.int64),
        "nights_to": found["nights_to"].to_numpy(dtype=np.int64)})
    at = stops[["vehicle_id", "place_id", "start_local", "end_local"]]
    split = moves.assign(split=moves["first_night_to"] * DAY + NIGHT_S)
    old = at.merge(split[["vehicle_id", "from_place", "split"]],
                   left_on=["vehicle_id", "place_id"], right_on=["vehicle_id", "from_place"])
    new = at.merge(split[["vehicle_id", "to_place", "split"]],
                   left_on=["vehicle_id", "place_id"], right_on=["vehicle_id", "to_place"])
    before = old["start_local"] < old["split"]
    after = new["end_local"] > new["split"] - DAY

    def per_vehicle(rows: pd.DataFrame) -> np.ndarray:
        return moves["vehicle_id"].map(rows.groupby("vehicle_id").size()).fillna(0).to_numpy()
    kept = ((per_vehicle(old[before]) >= MIN_STAYS) & (per_vehicle(new[after]) >= MIN_STAYS)
            # a home left behind is not parked at by day any more
            & (per_vehicle(old[~before]) <= MAX_VISITS_AFTER))
    return moves[kept][MOVE_COLUMNS].reset_index(drop=True)
