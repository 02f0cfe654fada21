"""What each feature group is worth, on the test vehicles (issue 18).

The run's model (its recorded settings and seed, trained on its training vehicles' labels) is
refitted once with every feature group and once without each group; each decides the labels of
the test vehicles' places (decide_labels: one home, at most one work per vehicle). Test
accuracy overall and per population says what a group does for whom — e.g. what the 02:00
features do for night-shift workers (whose 02:00 place is not their most-visited place) and for
everyone else. Permutation importance per feature: how much test accuracy drops when that one
column is shuffled across the test places (seeded, REPEATS times), the model left as it is.

This is the model alone: the labeller choice, the robust refit and the night-shift twins of a
run are not repeated here, so "with every group" can differ a little from the run's own test
accuracy. Test
vehicles are only ever scored here, never fitted on or chosen with.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from auditor.analysis.frames import CLASSES
from auditor.pipeline.config import InferConfig
from auditor.pipeline.feature_groups import GROUPS, blank_groups
from auditor.pipeline.features import FEATURE_COLUMNS
from auditor.pipeline.model import PROBA_COLUMNS, _fit_predict_proba, decide_labels

REPEATS = 3
MAX_LEVELS = 20


def _config_of(run: dict) -> InferConfig:
    from auditor.pipeline.rerun import recorded_settings
    settings, _ = recorded_settings(run)
    settings["without"] = ()  # every group in the "all" model; each left out in turn
    return InferConfig.from_any(settings)


def _accuracy(ok: pd.Series) -> float | None:
    return float(ok.mean()) if len(ok) else None


def decide_label_blocks(test: pd.DataFrame, proba: np.ndarray, blocks: int,
                        work_min_p: float) -> list[pd.Series]:
    """decide_labels on each of ``blocks`` consecutive blocks of ``proba`` (one row per place
    of ``test`` in each), in one call: each block's vehicles and places renamed apart. The
    policy groups by vehicle and breaks ties by place id, and a prefix common to a block
    changes neither its groups nor the order within one. One sort instead of one per block
    (46 blocks per report: the permutation copies)."""
    n = len(test)
    if blocks == 1:
        return [decide_labels(test, pd.DataFrame(proba, columns=PROBA_COLUMNS, index=test.index),
                              work_min_p)]
    prefix = pd.Series(np.repeat([f"{b:06d}|" for b in range(blocks)], n))
    stacked = pd.DataFrame({col: np.tile(test[col].to_numpy(), blocks) for col in
                            ("nights_0200_share", "weekday_day_share", "total_dwell_h")})
    for col in ("place_id", "vehicle_id"):
        stacked[col] = prefix + np.tile(test[col].astype(str).to_numpy(), blocks)
    labels = decide_labels(stacked, pd.DataFrame(proba, columns=PROBA_COLUMNS),
                           work_min_p).to_numpy()
    return [pd.Series(labels[b * n:(b + 1) * n], index=test.index, dtype=object)
            for b in range(blocks)]


def group_worth(pred: pd.DataFrame, features: pd.DataFrame, meta: pd.DataFrame,
                schedule: pd.Series, run: dict) -> dict:
    """{"status", "groups", "overall", "populations", "importance"} (see the module doc)."""
    f = features.merge(pred[["place_id", "split", "given_label"]], on="place_id", how="inner")
    f = f.sort_values("place_id", kind="mergesort").reset_index(drop=True)
    train = f[(f["split"] == "train") & f["given_label"].isin(CLASSES)]
    test = f[f["split"] == "test"].reset_index(drop=True)
    scored = test["given_label"].isin(CLASSES).to_numpy()
    if not scored.any() or train["given_label"].nunique() < 2:
        return {"status": "no test vehicles" if not scored.any() else
                "too few training labels", "groups": list(GROUPS)}
    config = _config_of(run)
    seed = int(run.get("seed") or 0)
    y = train["given_label"].to_numpy(dtype=object)
    given = test["given_label"]

    def decided(X_eval: np.ndarray, X_train: np.ndarray, blocks: int) -> list[pd.Series]:
        proba = _fit_predict_proba(X_train, y, X_eval, config, seed)
        return decide_label_blocks(test, proba, blocks, config.work_min_p)

    # every group, plus permutation copies of the test rows (one fit, one predict)
    X_train = train[FEATURE_COLUMNS].to_numpy(dtype=float)
    X_test = test[FEATURE_COLUMNS].to_numpy(dtype=float)
    rng = np.random.default_rng([seed, 18])
    copies = [X_test]
    for j in range(len(FEATURE_COLUMNS)):
        for _ in range(REPEATS):
            Xp = X_test.copy()
            Xp[:, j] = Xp[rng.permutation(len(Xp)), j]
            copies.append(Xp)
    labels = decided(np.vstack(copies), X_train, len(copies))
    full = labels[0]
    ok_full = (full == given)[scored]
    base_acc = _accuracy(ok_full)
    importance = []
    for j, col in enumerate(FEATURE_COLUMNS):
        accs = [_accuracy((labels[1 + j * REPEATS + r] == given)[scored])
                for r in range(REPEATS)]
        drop = base_acc - np.array(accs, dtype=float)
        importance.append({"feature": col,
                           "group": next(g for g, cols in GROUPS.items() if col in cols),
                           "importance": float(drop.mean()), "std": float(drop.std())})
    importance.sort(key=lambda r: (-r["importance"], r["feature"]))

    without = {}
    for g in GROUPS:
        Xt = blank_groups(train, (g,))[FEATURE_COLUMNS].to_numpy(dtype=float)
        Xe = blank_groups(test, (g,))[FEATURE_COLUMNS].to_numpy(dtype=float)
        without[g] = decided(Xe, Xt, 1)[0]

    keys = {"all test vehicles": pd.Series("all", index=test.index)}
    keys["schedule"] = test["vehicle_id"].map(schedule).fillna("no_stops")
    if meta is not None and len(meta):
        m = meta.set_index("vehicle_id")
        for col in m.columns:
            values = m[col].astype(str)
            if values.nunique() <= MAX_LEVELS:
                keys[col] = test["vehicle_id"].map(values).fillna("")
    rows = []
    for name, key in keys.items():
        for value in sorted(set(key[scored]), key=str):
            sel = scored & (key == value).to_numpy()
            row = {"population": name, "value": str(value), "n": int(sel.sum()),
                   "vehicles": int(test.loc[sel, "vehicle_id"].nunique()),
                   "all": _accuracy((full == given)[sel]),
                   "without": {g: _accuracy((without[g] == given)[sel]) for g in GROUPS}}
            rows.append(row)
    overall = rows[0]
    return {"status": "test split", "groups": list(GROUPS), "seed": seed,
            "overall": overall, "populations": rows[1:], "importance": importance,
            "repeats": REPEATS,
            "note": "the model alone (no labeller choice, no refit), refitted on the run's "
                    "training vehicles; scored on its test vehicles only"}
