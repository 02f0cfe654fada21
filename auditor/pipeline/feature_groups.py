"""Named groups of place features, so a run can leave one out (`infer --without GROUP`) and the
report can say what each group is worth. Every feature column is in exactly one group.

Pandas-free at import (the CLI lists the groups without loading the pipeline)."""
from __future__ import annotations

from auditor.errors import UserError

GROUPS: dict[str, tuple[str, ...]] = {
    # the essay's feature: where the car is parked at 02:00 (and overnight)
    "night": ("share_stays_0200", "nights_0200_share", "night_frac", "night_share"),
    "weekday": ("weekday_day_frac", "weekday_day_share", "weekend_share"),
    "dwell": ("total_dwell_h", "median_dwell_h", "dwell_share", "dwell_rank"),
    "visits": ("n_visits", "n_days", "visit_share"),
    "timing": ("arrival_hour_mean", "arrival_hour_spread", "departure_hour_mean",
               "departure_hour_spread"),
    "distance": ("dist_to_top_place_m",),
}

DESCRIPTIONS = {
    "night": "where the car is parked at 02:00 and overnight (22-06)",
    "weekday": "weekday daytime (10-16) dwell, weekend visits",
    "dwell": "how long the car stays (total, median, share, rank)",
    "visits": "how often it comes (stops, distinct days, share of stops)",
    "timing": "arrival and departure hour and their spread",
    "distance": "distance to the vehicle's most-visited place",
}


def check_groups(names) -> tuple:
    """The sorted, de-duplicated tuple of group names; UserError naming the known ones."""
    if isinstance(names, str):
        names = (names,)
    out = tuple(sorted(set(names or ())))
    unknown = [n for n in out if n not in GROUPS]
    if unknown:
        raise UserError(f"--without {', '.join(unknown)}: no such feature group — known: "
                        f"{', '.join(GROUPS)} (auditor infer --list-feature-groups)")
    if len(out) == len(GROUPS):
        raise UserError("--without: every feature group left out leaves the model nothing to "
                        "learn from — keep at least one")
    return out


def left_out_columns(without) -> list[str]:
    return [c for g in without for c in GROUPS[g]]


def blank_groups(features, without):
    """``features`` with the left-out groups' columns set to one constant: a tree cannot split
    on a column with a single value (every feature is considered at every split, no column
    sampling), so the model learns exactly as if it were gone, while the frame keeps its shape
    (decide_labels' tie-breaks still read the real values). Not NaN: scikit-learn cannot bin a
    column that is all missing."""
    cols = left_out_columns(without)
    if not cols:
        return features
    out = features.copy()
    out[cols] = 0.0
    return out
