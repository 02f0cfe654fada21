"""End to end on the shared demo project (generated, ingested, inferred once per session)."""
import json

import pytest

from auditor.analysis.error_tree import slice_members
from auditor.analysis.report import build_report
from auditor.cli import main
from auditor.store import open_project


@pytest.fixture(scope="module")
def truth(demo_dir):
    return json.loads((demo_dir / "truth.json").read_text())


@pytest.fixture(scope="module")
def demo_report(demo_project):
    conn = open_project(demo_project, create=False)
    yield build_report(conn)
    conn.close()


def test_report_is_plain_json(demo_report):
    text = json.dumps(demo_report, allow_nan=False)
    assert json.loads(text) == demo_report
    v = demo_report["validation"]
    assert v["n"] > 0 and 0 <= v["accuracy"] <= 1
    assert sum(sum(row.values()) for row in v["confusion"].values()) == v["n"]
    assert v["baseline"]["run_id"] is not None
    firmware = {r["value"] for r in v["by_population"]["metadata"]["firmware"]}
    assert len(firmware) >= 2


def test_faulty_firmware_surfaces_as_population_skew(demo_report, truth):
    """The fault shifts the faulty population's place features: it is the most skewed
    population of the fleet."""
    fault = truth["fault"]
    top = demo_report["skew"]["populations"]["by_population"][0]
    assert (top["column"], top["value"]) == (fault["column"], fault["value"])
    assert top["flag"] and top["wasserstein_std"] >= top["threshold"]


def test_suspicious_labels_find_planted_wrong_labels(demo_project, demo_report, truth):
    conn = open_project(demo_project, create=False)
    rows = conn.execute("SELECT l.vehicle_id, l.label, pl.place_id FROM labels l "
                        "JOIN place_labels pl USING (label_id)").fetchall()
    conn.close()
    place_of = {(v, lbl): p for v, lbl, p in rows}
    wrong = {place_of[(w["vehicle_id"], w["label"])] for w in truth["wrong_labels"]
             if (w["vehicle_id"], w["label"]) in place_of}
    assert wrong, "the demo plants wrong labels that match places"
    ranked = [s["place_id"] for s in demo_report["suspicious"]]
    k = len(wrong)
    found_at_k = len(set(ranked[:k]) & wrong)
    assert found_at_k / k >= 0.6, (ranked[:k], wrong)


def test_offset_labels_named_by_evidence(demo_report, truth):
    far = {(e["vehicle_id"], e["label"]) for e in demo_report["evidence"]
           if e["check"] == "far_from_stops"}
    offsets = {(w["vehicle_id"], w["label"]) for w in truth["wrong_labels"]
               if w.get("kind") == "offset"}
    assert offsets and offsets <= far


def _oof_errors(conn, run_id):
    """place_id -> is the out-of-fold label wrong, straight from the predictions table (the
    argmax of oof_p_*, ties to the first class), not through the analysis code."""
    out = {}
    for pid, given, *p in conn.execute(
            "SELECT place_id, given_label, oof_p_home, oof_p_work, oof_p_other FROM predictions "
            "WHERE run_id = ? AND given_label IN ('home', 'work', 'other') AND oof_p_home IS NOT "
            "NULL", (run_id,)):
        out[pid] = ("home", "work", "other")[p.index(max(p))] != given
    return out


def test_error_tree_slices_are_consistent(demo_project, demo_report):
    t = demo_report["error_tree"]
    root = t["root"]
    conn = open_project(demo_project, create=False)
    wrong = _oof_errors(conn, demo_report["run_id"])
    # the root is every labelled place with an out-of-fold prediction, and its errors
    assert root is not None and root["n"] == t["n"] == len(wrong)
    assert root["errors"] == t["errors"] == sum(wrong.values())
    worst = t["leaves"][0]
    assert worst["error_rate"] > root["error_rate"]  # errors pile up somewhere
    # leaves partition the places; each leaf's n and errors are what its members say
    seen = set()
    for leaf in t["leaves"]:
        members = slice_members(conn, leaf["id"])
        assert len(members) == leaf["n"] and not seen & set(members)
        seen |= set(members)
        assert sum(wrong[p] for p in members) == leaf["errors"]
    assert seen == set(wrong)
    with pytest.raises(KeyError):
        slice_members(conn, 10_000)
    conn.close()


def test_report_cli_on_demo(demo_project, demo_dir, tmp_path, capsys):
    out = tmp_path / "p.csv"
    code = main(["report", str(demo_project), "--json", "--predictions", str(out),
                 "--truth", str(demo_dir / "truth.json")])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert {"validation", "suspicious", "error_tree", "skew", "truth"} <= set(data)
    assert data["fix_loop"] is None  # a single model run: nothing before it to compare with
    assert out.read_text().splitlines()[0] == (
        "vehicle_id,place_id,lat,lon,split,given_label,predicted_label,p_home,p_work,p_other")
