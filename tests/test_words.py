"""Analyst words for the analyses (issue 14 item 11): sentences first, numbers kept apart."""
from auditor.analysis.outliers import VEHICLE_FEATURES
from auditor.analysis.words import (
    FEATURE_WORDS,
    VEHICLE_FEATURE_WORDS,
    condition_words,
    dominant_words,
    feature_words,
    skew_feature_words,
    suspicion_words,
)
from auditor.pipeline.features import FEATURE_COLUMNS


def test_every_feature_has_words():
    assert set(FEATURE_WORDS) == set(FEATURE_COLUMNS)
    assert feature_words("meta n_days") == "days with a visit"
    assert feature_words("battery_kwh") == "battery kwh"  # metadata: its own name
    # the vehicle outliers' features too (median_dwell_h is a place feature's word as well)
    assert set(VEHICLE_FEATURE_WORDS) | {"median_dwell_h"} == set(VEHICLE_FEATURES)
    assert feature_words("teleport_share").startswith("share of trips starting far")


def test_tree_conditions_read_as_words():
    assert condition_words("n_days > 5.5") == "days with a visit above 5.5"
    assert condition_words("dist_to_top_place_m <= 9372.0 or missing") == \
        "distance to its most-visited place (m) at most 9372.0 (or unknown)"
    assert condition_words("firmware = fw-4.2.1") == "firmware = fw-4.2.1"
    assert condition_words("all labelled places") == "all labelled places"


def test_suspicions_lead_with_what_the_model_says():
    row = {"given_label": "home", "suggested_label": "work", "p_suggested": 0.97,
           "label_source": "given"}
    assert suspicion_words(row) == "The model is sure this is work, not home"
    assert suspicion_words({**row, "p_suggested": 0.7}).startswith("The model thinks")
    implied = suspicion_words({**row, "given_label": "other", "label_source": "implied"})
    assert "no label given, so counted as other" in implied
    assert dominant_words(None) == ""
    assert dominant_words({"column": "fw", "value": "x", "share": 0.5, "overall_share": 0.1}) == \
        "fw x: 50 % here, 10 % overall"


def test_skew_findings_say_what_differs():
    flagged = {"feature": "n_days", "flag": True, "kind": "numeric", "n_current": 10}
    assert skew_feature_words(flagged, "validation places", "train places") == \
        "days with a visit: validation places differ from train places"
    new = {"feature": "firmware", "flag": True, "kind": "categorical",
           "new_categories": ["fw-9"], "n_current": 3}
    assert "never had (fw-9)" in skew_feature_words(new, "recent", "early")
    assert "look like" in skew_feature_words({**flagged, "flag": False}, "a", "b")
    noisy = {**flagged, "ks_pvalue": 0.31, "ks_significant": False}
    assert skew_feature_words(noisy, "validation places", "train places") == (
        "days with a visit: validation places differ from train places, but within sampling "
        "noise (KS p = 0.31)")
    assert "noise" not in skew_feature_words({**noisy, "ks_pvalue": 0.01,
                                              "ks_significant": True}, "a", "b")
