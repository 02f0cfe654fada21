"""Skew and leakage: per feature, train against validation / unlabelled / recent days (value,
threshold and n), the most shifted populations, and entity / location / time leakage."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from auditor.analysis.entry import AnalysisEntry

if TYPE_CHECKING:
    import pandas as pd

    from auditor.analysis.inputs import ReportInputs


class Comparison(TypedDict, total=False):
    reference: str
    n_reference_places: int
    n_current_places: int
    flagged: list[str]
    features: list[dict[str, Any]]   # one row per feature: statistic, value, threshold, n, flag
    window: dict[str, Any]           # "recent" only
    reference_window: dict[str, Any]


class PopulationSkew(TypedDict):
    method: str
    min_vehicles: int
    top: list[dict[str, Any]]
    by_population: list[dict[str, Any]]


class Leakage(TypedDict, total=False):
    entity: dict[str, Any]
    duplicates: dict[str, Any]       # cloned devices split over train and validation
    location: dict[str, Any]
    time: dict[str, Any]


class SkewSection(TypedDict):
    reference: str
    comparisons: dict[str, Comparison]   # validation, unlabelled, recent
    leakage: Leakage
    populations: PopulationSkew
    spatial_drift: dict[str, Any]        # read by the drift analysis


def compute(inp: ReportInputs) -> dict[str, Any]:
    from auditor.analysis.leakage import duplicate_leakage
    from auditor.analysis.sections.duplicates import fleet_duplicates
    from auditor.analysis.shift import skew_report
    skew = skew_report(inp.conn, inp.pred, inp.stops, inp.meta)
    skew["leakage"]["duplicates"] = duplicate_leakage(inp.pred, fleet_duplicates(inp))
    return {"skew": skew}


MAX_PLACES = 500  # per row: the most unusual first; enough to look at, small to hold


def _deviation(values, reference) -> "pd.Series":
    """How far each value lies from the reference's median, in the reference's spread (IQR,
    else std, else 1); NaN (no value) counts as the farthest."""
    import numpy as np
    ref = reference.dropna()
    if ref.empty:
        return values.isna().astype(float)
    q1, med, q3 = np.percentile(ref, [25, 50, 75])
    spread = (q3 - q1) or float(ref.std() or 0.0) or 1.0
    return ((values - med).abs() / spread).fillna(np.inf)


def places(inp: ReportInputs, report: dict) -> dict:
    """A row of the skew tab -> the places behind it, most unusual first (at most MAX_PLACES):
    ("feature", comparison, feature): the compared places (validation / unlabelled / visited in
    the recent window) furthest from the reference's typical value, or whose vehicle has a
    metadata value the reference rarely has; ("population", column, value, place class,
    feature): that population's places of that class, furthest from the rest's mean first."""
    import pandas as pd

    from auditor.analysis import frames
    feats = frames.place_features(inp.conn)
    if feats.empty:
        return {}
    cols = set(frames.feature_columns(feats))
    split = feats["place_id"].map(inp.pred.set_index("place_id")["split"])
    meta = inp.meta.set_index("vehicle_id") if "vehicle_id" in inp.meta else pd.DataFrame()
    sk = report["skew"]
    stops = inp.stops
    groups = {"validation": (split == "train", split == "validation"),
              "unlabelled": (split == "train", split == "unlabelled")}
    if not stops.empty and "place_id" in stops:
        end = int(stops["end_ts"].max())
        start = int(stops["start_ts"].min())
        days = 7 * 86_400
        recent = set(stops.loc[stops["start_ts"] >= end - days, "place_id"].dropna())
        early = set(stops.loc[stops["start_ts"] < start + days, "place_id"].dropna())
        groups["recent"] = (feats["place_id"].isin(early), feats["place_id"].isin(recent))
    out: dict = {}
    for name, comp in sk.get("comparisons", {}).items():
        if name not in groups:
            continue
        ref_mask, cur_mask = groups[name]
        ref, cur = feats[ref_mask], feats[cur_mask]
        for row in comp["features"]:
            f = row["feature"]
            if f in cols:
                order = _deviation(cur[f], ref[f]).sort_values(ascending=False, kind="stable")
                ids = cur.loc[order.index, "place_id"]
            elif f in meta.columns:
                v_cur = cur["vehicle_id"].map(meta[f])
                v_ref = ref["vehicle_id"].map(meta[f])
                num_cur, num_ref = pd.to_numeric(v_cur, errors="coerce"), \
                    pd.to_numeric(v_ref, errors="coerce")
                if row.get("kind") == "numeric":
                    score = _deviation(num_cur, num_ref)
                else:  # rarest in the reference first (never seen there: rarest of all)
                    share = v_ref.value_counts(normalize=True)
                    # astype: an empty group of text values maps to text, not numbers
                    score = -v_cur.map(share).astype(float).fillna(0.0)
                ids = cur.loc[score.sort_values(ascending=False, kind="stable").index,
                              "place_id"]
            else:
                continue
            out[("feature", name, f)] = ids.astype(str).tolist()[:MAX_PLACES]
    predicted = feats["place_id"].map(inp.pred.set_index("place_id")["predicted_label"])
    for r in (sk.get("populations") or {}).get("top") or []:
        col, value, cls, f = r["column"], r["value"], r["place_class"], r["feature"]
        if col not in meta.columns or f not in cols:
            continue
        in_pop = feats["vehicle_id"].map(meta[col]).astype(str) == str(value)
        sel = feats[in_pop & (predicted == cls)]
        dev = (sel[f] - r["rest_mean"]).abs().fillna(float("inf"))
        out[("population", col, str(value), cls, f)] = sel.loc[
            dev.sort_values(ascending=False, kind="stable").index, "place_id"
        ].astype(str).tolist()[:MAX_PLACES]
    return out


def render_text(r: dict) -> list[str]:
    from auditor.analysis.skew import KS_ALPHA
    sk = r["skew"]
    lines = []
    for name, comp in sk["comparisons"].items():
        flagged = ", ".join(comp["flagged"]) or "none"
        sizes = (f" ({comp['n_reference_places']} vs {comp['n_current_places']} places)"
                 if "n_reference_places" in comp and "n_current_places" in comp else "")
        line = f"Skew {comp['reference']} vs {name}{sizes}: flagged {flagged}"
        # a few dozen places differ by 0.1 std by chance: say which shifts the KS test
        # finds beyond that noise, so a long list does not read as a long list of problems
        numeric = [f for f in comp.get("features", [])
                   if f.get("flag") and f.get("kind") == "numeric"]
        if numeric:
            beyond = [f["feature"] for f in numeric if f.get("ks_significant")]
            line += (f"; beyond sampling noise (KS p < {KS_ALPHA}): "
                     f"{', '.join(beyond) or 'none of the numeric ones'}")
        lines.append(line)
    pops = sk["populations"]["by_population"]
    if pops:
        p = pops[0]
        lines.append(f"Most skewed population: {p['column']} = {p['value']} "
                     f"({p['feature']} of {p['place_class']} places shifted "
                     f"{p['wasserstein_std']:.2f} std; flag at {p['threshold']})")
    lk = sk["leakage"]
    lines.append(f"Leakage: {lk['entity']['n']} vehicles in several splits; "
                 f"{lk['location']['n_near_train']} validation labels within "
                 f"{lk['location']['near_m']:.0f} m of a train label"
                 + (f"; {lk['duplicates']['n']} cloned device(s) in both train and validation"
                    if "duplicates" in lk else ""))
    return lines


ENTRY = AnalysisEntry(key="skew", title="Skew && leakage", step="skew and leakage",
                      compute=compute, render_text=render_text, places=places,
                      view="auditor.gui.analyses.skew:SkewView")
