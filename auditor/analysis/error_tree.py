"""A shallow surrogate tree that says where the model's errors pile up.

Target: "the model is wrong" on labelled places, judged by the OUT-OF-FOLD prediction (every
labelled place gets one, so the tree sees many more places than validation has). Inputs: the
place features plus vehicle metadata (numbers as numbers, categories one-hot) and the given
label. Nodes are described in words ("firmware = fw-4.2.1", "share_02h <= 0.31") so the GUI
can show them and ``slice_members`` can turn a clicked node back into places.
"""
from __future__ import annotations

import sqlite3
from typing import Optional

import numpy as np
import pandas as pd
from sklearn.tree import DecisionTreeClassifier

from auditor.analysis import fix_loop, frames
from auditor.errors import UserError

MAX_DEPTH = 3
RANDOM_STATE = 0


def min_leaf(n: int) -> int:
    """Leaves of at least 2% of the places (and 10): a slice of 3 places is an anecdote."""
    return max(10, int(round(0.02 * n)))


def design_matrix(lab: pd.DataFrame, features: pd.DataFrame, meta: pd.DataFrame
                  ) -> tuple[pd.DataFrame, dict]:
    """X (one row per labelled place, same order as ``lab``) and, per column, how to say it in
    words: ("number", name) or ("category", column, value)."""
    fcols = frames.feature_columns(features)
    X = lab[["place_id"]].merge(features[["place_id"] + fcols], on="place_id", how="left")
    X = X.drop(columns="place_id").astype(float)
    words: dict = {c: ("number", c) for c in fcols}
    numeric, categorical = frames.split_metadata(meta)
    m = lab[["vehicle_id"]].merge(meta, on="vehicle_id", how="left")
    extra = {}
    for c in numeric:
        name = f"{c}" if c not in X.columns else f"meta {c}"
        extra[name] = pd.to_numeric(m[c].replace("", np.nan), errors="coerce").to_numpy()
        words[name] = ("number", c)
    cats = [(c, m[c].fillna("").astype(str).to_numpy()) for c in categorical]
    cats.append(("given label", lab["given_label"].astype(str).to_numpy()))
    for c, values in cats:
        for v in sorted(set(values)):
            name = f"{c} = {v}"
            extra[name] = (values == v).astype(float)
            words[name] = ("category", c, v)
    if extra:
        X = pd.concat([X, pd.DataFrame(extra, index=X.index)], axis=1)
    return X, words


def _fit(X: pd.DataFrame, y: np.ndarray, max_depth: int) -> DecisionTreeClassifier:
    tree = DecisionTreeClassifier(max_depth=max_depth, min_samples_leaf=min_leaf(len(y)),
                                  random_state=RANDOM_STATE)
    tree.fit(X.to_numpy(dtype=float), y)
    return tree


def _conditions(words: tuple, threshold: float, missing_left: bool) -> tuple[str, str]:
    if words[0] == "category":
        _, col, value = words
        return f"{col} \u2260 {value}", f"{col} = {value}"
    name = words[1]
    # 3 significant digits for shares, whole units for years and metres
    t = f"{threshold:.1f}" if abs(threshold) >= 100 else f"{threshold:.3g}"
    left, right = f"{name} <= {t}", f"{name} > {t}"
    if missing_left:
        left += " or missing"
    else:
        right += " or missing"
    return left, right


MIN_LIFT = 1.5       # a population "dominates" a slice when it is this much more common there
MIN_EXCESS = 0.10    # ...and at least 10 points above its share of all labelled places


def dominant_populations(path, columns: list[str], words: dict, X: np.ndarray) -> list:
    """Per node, the metadata value most over-represented among its places (share in the node
    vs share overall), or None. A slice defined by features (arrival_hour_spread > x) that is
    mostly one firmware is how a population's fault shows itself even when the tree never
    splits on the firmware column."""
    cats = [i for i, c in enumerate(columns)
            if words[c][0] == "category" and words[c][1] != "given label"]
    n_node = np.maximum(path.sum(axis=0).A1, 1)
    out: list = [None] * path.shape[1]
    if not cats:
        return out
    onehot = X[:, cats]
    overall = onehot.mean(axis=0)
    share = (path.T @ onehot) / n_node[:, None]
    excess = share - overall[None, :]
    best = np.argmax(excess, axis=1)
    for node, k in enumerate(best):
        s, o = float(share[node, k]), float(overall[k])
        if s - o >= MIN_EXCESS and s >= MIN_LIFT * o:
            _, col, value = words[columns[cats[k]]]
            out[node] = {"column": col, "value": value, "share": s, "overall_share": o}
    return out


def _unless_said(dominant: Optional[dict], path: list[str]) -> Optional[dict]:
    """None when a split on the same column already made the slice all one value
    ('firmware = fw-4.2.1', or 'firmware \u2260 ok' with two firmwares): saying it again is noise."""
    if not dominant or dominant["share"] < 1.0:
        return dominant
    col = dominant["column"]
    if any(c.startswith((f"{col} = ", f"{col} \u2260 ")) for c in path):
        return None
    return dominant


def tree_json(tree: DecisionTreeClassifier, columns: list[str], words: dict,
              y: np.ndarray, X: np.ndarray) -> dict:
    """Nested nodes: id, condition (how the parent's rows got here), n, errors, error_rate,
    dominant (the over-represented metadata value, or None), feature, threshold, children
    (left, right)."""
    t = tree.tree_
    leaf_of = tree.decision_path(X)
    n_node = leaf_of.sum(axis=0).A1.astype(int)
    err_node = leaf_of[y.astype(bool)].sum(axis=0).A1.astype(int)
    dominant = dominant_populations(leaf_of, columns, words, X)
    missing_left = getattr(t, "missing_go_to_left", np.ones(t.node_count, dtype=bool))

    def node(i: int, condition: str, path: list[str]) -> dict:
        rec = {"id": int(i), "condition": condition, "path": path, "n": int(n_node[i]),
               "errors": int(err_node[i]),
               "error_rate": float(err_node[i] / n_node[i]) if n_node[i] else None,
               "dominant": _unless_said(dominant[i], path), "feature": None, "threshold": None,
               "children": []}
        left, right = t.children_left[i], t.children_right[i]
        if left != right:  # a split
            col = columns[t.feature[i]]
            lc, rc = _conditions(words[col], float(t.threshold[i]), bool(missing_left[i]))
            rec["feature"] = col
            rec["threshold"] = float(t.threshold[i])
            rec["children"] = [node(left, lc, path + [lc]), node(right, rc, path + [rc])]
        return rec

    return node(0, "all labelled places", [])


def population_splits(root: dict, words: dict) -> list[dict]:
    """The tree's own splits on vehicle metadata ('region = north' against 'region ≠ north'),
    worst first: when the tree separates a population, that population is where the errors
    are, whatever the 'over-represented' column says (it names crowds, not splits)."""
    out = []

    def walk(node: dict) -> None:
        col = node["feature"]
        if col is not None and words[col][0] == "category" and words[col][1] != "given label":
            other, inside = node["children"]  # the right child is 'column = value'
            _, column, value = words[col]
            out.append({"column": column, "value": value, "slice": " and ".join(inside["path"]),
                        "n": inside["n"], "errors": inside["errors"],
                        "error_rate": inside["error_rate"], "other_n": other["n"],
                        "other_error_rate": other["error_rate"]})
        for child in node["children"]:
            walk(child)
    walk(root)
    return sorted(out, key=lambda s: (-((s["error_rate"] or 0.0) - (s["other_error_rate"] or 0.0)),
                                      s["slice"]))


def _leaves(node: dict) -> list[dict]:
    if not node["children"]:
        return [node]
    return [leaf for c in node["children"] for leaf in _leaves(c)]


def _prepared(conn: sqlite3.Connection, run_id: Optional[int]):
    run_id = frames.resolve_run(conn, run_id)
    lab = frames.labelled(frames.predictions(conn, run_id))
    X, words = design_matrix(lab, frames.place_features(conn), frames.vehicle_metadata(conn))
    return run_id, lab, X, words


def grow_error_tree(lab: pd.DataFrame, X: pd.DataFrame, words: dict,
                    max_depth: int = MAX_DEPTH) -> tuple[dict, dict[int, list[str]]]:
    """The tree over a prepared design matrix, as JSON ({"root": None} with too few places),
    and the place ids reaching each node — both from the same single fit."""
    y = lab["wrong"].to_numpy(dtype=int)
    out = {"target": "out-of-fold prediction differs from the given label",
           "n": int(len(y)), "errors": int(y.sum()),
           "params": {"max_depth": max_depth, "min_samples_leaf": min_leaf(len(y)),
                      "random_state": RANDOM_STATE},
           "root": None, "leaves": [], "population_splits": []}
    if len(y) < 2 * min_leaf(len(y)) or X.shape[1] == 0:
        out["note"] = "too few labelled places for a tree"
        return out, {}
    tree = _fit(X, y, max_depth)
    values = X.to_numpy(dtype=float)
    root = tree_json(tree, list(X.columns), words, y, values)
    out["root"] = root
    out["population_splits"] = population_splits(root, words)
    leaves = sorted(_leaves(root), key=lambda n: (-(n["error_rate"] or 0.0), n["id"]))
    out["leaves"] = [{"id": n["id"], "n": n["n"], "errors": n["errors"],
                      "error_rate": n["error_rate"],
                      "slice": " and ".join(n["path"]) or "all labelled places",
                      "dominant": n["dominant"]}
                     for n in leaves]
    path = tree.decision_path(values).tocsc()  # places x nodes, one column per node
    ids = lab["place_id"].to_numpy(dtype=object)
    members = {node: sorted(ids[path.indices[path.indptr[node]:path.indptr[node + 1]]].tolist())
               for node in range(tree.tree_.node_count)}
    return out, members


def build_error_tree(lab: pd.DataFrame, X: pd.DataFrame, words: dict,
                     max_depth: int = MAX_DEPTH) -> dict:
    """The tree over a prepared design matrix, as JSON; {"root": None} with too few places."""
    return grow_error_tree(lab, X, words, max_depth)[0]


def error_tree(conn: sqlite3.Connection, run_id: Optional[int] = None,
               max_depth: int = MAX_DEPTH) -> dict:
    rid, lab, X, words = _prepared(conn, run_id)
    out = build_error_tree(lab, X, words, max_depth)
    out["run_id"] = rid
    return out


def slice_members(conn: sqlite3.Connection, node_id: int, run_id: Optional[int] = None,
                  max_depth: int = MAX_DEPTH) -> list[str]:
    """Place ids of the labelled places that reach ``node_id`` of the run's tree (KeyError for
    a node the tree does not have)."""
    _, lab, X, words = _prepared(conn, run_id)
    out, members = grow_error_tree(lab, X, words, max_depth)
    if out["root"] is None:
        return []
    return members[int(node_id)]


def _slice_rates(conn: sqlite3.Connection, run_id: Optional[int], vehicles: set) -> dict:
    """Error rates of one run (model or baseline) over the labelled places of ``vehicles`` and
    of the rest (fix_loop.vehicle_errors: out-of-fold for a model run, predicted label for a
    baseline run; ``predicted_error_rate`` always judges the labels the run shows)."""
    run_id = frames.resolve_run(conn, None) if run_id is None else int(run_id)
    counts = fix_loop.vehicle_errors(conn, run_id)
    return {"run_id": run_id, "kind": fix_loop.run_kind(conn, run_id),
            "slice": fix_loop.rates(counts, vehicles),
            "rest": fix_loop.rates(counts, set(counts.index) - set(vehicles))}


def compare_runs(conn: sqlite3.Connection, before_run_id: Optional[int],
                 after_run_id: Optional[int], column: str, value: str) -> dict:
    """The fix loop's before/after: error rates of the labelled places of vehicles whose
    metadata ``column`` equals ``value`` (and of all other labelled places) in two runs, and
    the same for the baseline runs made alongside them (model runs only). Places are
    re-derived between runs, so slices are compared by vehicle, never by place id."""
    meta = frames.vehicle_metadata(conn)
    if column not in meta.columns:
        raise UserError(f"vehicle metadata has no column {column!r} — choose one of "
                        f"{', '.join(c for c in meta.columns if c != 'vehicle_id') or 'none'}")
    vehicles = set(meta.loc[meta[column] == str(value), "vehicle_id"])
    out = {"column": column, "value": str(value),
           "before": _slice_rates(conn, before_run_id, vehicles),
           "after": _slice_rates(conn, after_run_id, vehicles)}
    b, a = out["before"]["slice"]["error_rate"], out["after"]["slice"]["error_rate"]
    out["error_rate_change"] = None if a is None or b is None else a - b
    if out["before"]["kind"] == out["after"]["kind"] == "model":
        base = [frames.baseline_run_for(conn, out[k]["run_id"]) for k in ("before", "after")]
        if None not in base:
            out["baseline"] = compare_runs(conn, base[0], base[1], column, value)
    return out
