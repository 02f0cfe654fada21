"""Analyst words for what the analyses compute: a feature's name, a tree node's condition, a
suspicious label, a skew finding — plain sentences first; the numbers stay in the report (and
the app's tooltips and details lines). Pure functions of the report's rows: no data access."""
from __future__ import annotations

import re
from typing import Optional

# auditor.pipeline.features.FEATURE_COLUMNS in words (a test keeps the two in step)
FEATURE_WORDS = {
    "n_visits": "visits",
    "n_days": "days with a visit",
    "total_dwell_h": "hours spent there",
    "median_dwell_h": "typical stay (hours)",
    "share_stays_0200": "share of its stays that span 2 AM",
    "nights_0200_share": "share of the vehicle's nights (2 AM) spent there",
    "weekday_day_frac": "share of its time on weekdays 10-16",
    "weekday_day_share": "share of the vehicle's weekday daytime spent there",
    "night_frac": "share of its time at night (22-06)",
    "night_share": "share of the vehicle's night time spent there",
    "arrival_hour_mean": "usual arrival hour",
    "arrival_hour_spread": "how much arrival hours vary",
    "departure_hour_mean": "usual departure hour",
    "departure_hour_spread": "how much departure hours vary",
    "weekend_share": "share of visits on weekends",
    "dwell_share": "share of the vehicle's parked time spent there",
    "visit_share": "share of the vehicle's stops made there",
    "dwell_rank": "rank by time spent (1 = where it parks most)",
    "dist_to_top_place_m": "distance to its most-visited place (m)",
}


# auditor.analysis.outliers.VEHICLE_FEATURES in words (median_dwell_h is in FEATURE_WORDS)
VEHICLE_FEATURE_WORDS = {
    "trips_per_day": "trips per day",
    "km_per_day": "km driven per day",
    "median_trip_km": "typical trip (km)",
    "median_trip_min": "typical trip (minutes)",
    "max_trip_km": "longest trip (km)",
    "n_places": "places it stops at",
    "teleport_share": "share of trips starting far from where the last one ended",
}


def feature_words(name: str) -> str:
    """'n_days' -> 'days with a visit'; metadata columns and unknown names as they are."""
    base = name[5:] if name.startswith("meta ") else name
    return FEATURE_WORDS.get(base) or VEHICLE_FEATURE_WORDS.get(base, base.replace("_", " "))


_CONDITION = re.compile(r"^(?P<name>.+?) (?P<op><=|>) (?P<value>-?[\d.,e+]+)"
                        r"(?P<missing> or missing)?$")


def condition_words(condition: str) -> str:
    """A tree node's condition in words: 'n_days > 5.5' -> 'days with a visit above 5.5';
    category conditions ('firmware = fw-4.2.1') and 'all labelled places' stay as they are."""
    m = _CONDITION.match(condition)
    if m is None:
        return condition
    op = "at most" if m["op"] == "<=" else "above"
    return f"{feature_words(m['name'])} {op} {m['value']}" + (" (or unknown)" if m["missing"]
                                                            else "")


def _sure(p: Optional[float]) -> str:
    if p is None:
        return "thinks"
    return "is sure" if p >= 0.9 else "thinks" if p >= 0.6 else "suspects"


def suspicion_words(row: dict) -> str:
    """'The model is sure this is work, not home' — a suspicious label in a sentence (the
    probabilities and thresholds behind it are the row's reason)."""
    given, suggested = row.get("given_label"), row.get("suggested_label")
    implied = row.get("label_source") not in (None, "given")
    label = f"{given} (no label given, so counted as {given})" if implied else given
    if suggested and suggested != given:
        return f"The model {_sure(row.get('p_suggested'))} this is {suggested}, not {label}"
    return f"The model doubts the {label} label"


def dominant_words(d: Optional[dict]) -> str:
    """Who crowds a slice: 'firmware fw-4.2.1: 74% here, 15% overall' ('' when nobody)."""
    if not d:
        return ""
    return (f"{d['column']} {d['value']}: {100 * d['share']:.0f} % here, "
            f"{100 * d['overall_share']:.0f} % overall")


def skew_feature_words(row: dict, current: str, reference: str) -> str:
    """One feature comparison in a sentence: 'days with a visit: validation places differ from
    train places' (the statistic, its threshold and the n are the row's numbers)."""
    name = feature_words(str(row.get("feature", "")))
    if row.get("note") and row.get("n_current") == 0:
        return f"{name}: no {current} to compare"
    if not row.get("flag"):
        return f"{name}: {current} look like {reference}"
    new = row.get("new_categories") or []
    if new:
        shown = ", ".join(map(str, new[:3])) + (" …" if len(new) > 3 else "")
        return f"{name}: {current} have values {reference} never had ({shown})"
    if within_noise(row):
        return (f"{name}: {current} differ from {reference}, but within sampling noise "
                f"(KS p = {row['ks_pvalue']:.2g})")
    return f"{name}: {current} differ from {reference}"


def within_noise(row: dict) -> bool:
    """A numeric skew flagged by its size (Wasserstein / PSI) that the two-sample KS test does
    not tell from sampling noise — the usual case with a few dozen validation places."""
    return bool(row.get("flag") and row.get("kind") == "numeric"
                and row.get("ks_pvalue") is not None and not row.get("ks_significant"))
