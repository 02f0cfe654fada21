"""The report on a small hand-built project (every table filled through the real store), the
`auditor report` CLI, and evidence sentences."""
import csv
import json

import numpy as np
import pandas as pd
import pytest

from auditor.analysis.error_tree import error_tree, slice_members
from auditor.analysis.evidence import evidence_for_place, evidence_frame
from auditor.analysis.report import build_report
from auditor.cli import main
from auditor.pipeline.features import place_features
from auditor.store import open_project, transaction
from auditor.store.bulk import insert_frame, replace_table_from_frame

H = 3600
DAY = 86_400
MONDAY = 1_772_409_600  # 2026-03-02 00:00 UTC
TZ = "Etc/GMT-1"        # UTC+1 all year: local = UTC + 1 h
VEHICLES = [f"V{i:02d}" for i in range(12)]
SPLIT = {v: ("train" if i < 6 else "validation" if i < 9 else "unlabelled")
         for i, v in enumerate(VEHICLES)}


def _stops_for(vid: str, i: int, lat0: float) -> list[dict]:
    """14 days: home overnight, work on weekdays, gym on Saturdays (times local UTC+1)."""
    home, work, gym = (lat0, 11.0), (lat0 + 0.05, 11.05), (lat0 - 0.03, 11.02)
    rows = []
    for d in range(14):
        day = MONDAY + d * DAY - H  # local midnight in UTC
        if d % 7 < 5:
            rows.append((work, day + 8 * H, day + 17 * H, f"{vid}:1"))
        elif d % 7 == 5:
            rows.append((gym, day + 10 * H, day + 12 * H, f"{vid}:2"))
        rows.append((home, day + 18 * H, day + DAY + 7 * H, f"{vid}:0"))
    return [{"stop_id": f"{vid}:s{n}", "vehicle_id": vid, "start_ts": a, "end_ts": b,
             "lat": p[0], "lon": p[1], "place_id": pid}
            for n, (p, a, b, pid) in enumerate(rows)]


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    path = tmp_path_factory.mktemp("analysis") / "p.db"
    conn = open_project(path)
    stops = pd.DataFrame([s for i, v in enumerate(VEHICLES)
                          for s in _stops_for(v, i, 48.0 + 0.2 * i)])
    places = (stops.groupby("place_id", sort=True)
              .agg(vehicle_id=("vehicle_id", "first"), lat=("lat", "first"),
                   lon=("lon", "first"), n_stops=("stop_id", "size")).reset_index())
    local = stops.assign(start_local=stops["start_ts"] + H, end_local=stops["end_ts"] + H)
    feats = place_features(local, places)
    meta = pd.DataFrame({"vehicle_id": VEHICLES,
                         "firmware": ["fw-bad" if i % 4 == 0 else "fw-ok" for i in range(12)],
                         "timezone": TZ})
    kind = {"0": "home", "1": "work", "2": "other"}
    pred = places[["place_id", "vehicle_id"]].copy()
    pred["split"] = pred["vehicle_id"].map(SPLIT)
    pred["given_label"] = np.where(pred["split"] == "unlabelled", None,
                                   pred["place_id"].str[-1].map(kind))
    truth = pred["place_id"].str[-1].map(kind)
    probs = {"home": 0.05, "work": 0.05, "other": 0.05}
    rows = []
    for pid, t in zip(pred["place_id"], truth):
        p = dict(probs)
        p[t] = 0.9
        if pid == "V06:1":          # validation: the model calls the work place 'other'
            p = {"home": 0.05, "work": 0.3, "other": 0.65}
        if pid == "V02:2":          # the gym labelled 'other' looks like a home out of fold
            rows.append((p, {"home": 0.9, "work": 0.05, "other": 0.05}))
            continue
        rows.append((p, p))
    pred["predicted_label"] = [max(p, key=p.get) for p, _ in rows]
    for c in ("home", "work", "other"):
        pred[f"p_{c}"] = [p[c] for p, _ in rows]
        pred[f"oof_p_{c}"] = np.where(pred["given_label"].isna(), np.nan,
                                      [o[c] for _, o in rows])
    labels = []
    for v in VEHICLES[:9]:
        pl = places.set_index("place_id")
        labels.append((v, "home", pl.at[f"{v}:0", "lat"], pl.at[f"{v}:0", "lon"]))
        labels.append((v, "work", pl.at[f"{v}:1", "lat"], pl.at[f"{v}:1", "lon"]))
    labels = pd.DataFrame(labels, columns=["vehicle_id", "label", "lat", "lon"])
    # V03's home label sits on its Saturday gym; V04's work label is 2 km from anything;
    # V05's work label is 20 m from its home label
    gym = places.set_index("place_id").loc["V03:2"]
    labels.loc[(labels.vehicle_id == "V03") & (labels.label == "home"), ["lat", "lon"]] = \
        [gym["lat"], gym["lon"]]
    labels.loc[(labels.vehicle_id == "V04") & (labels.label == "work"), "lat"] += 0.018
    h5 = places.set_index("place_id").loc["V05:0"]
    labels.loc[(labels.vehicle_id == "V05") & (labels.label == "work"), ["lat", "lon"]] = \
        [h5["lat"] + 0.0002, h5["lon"]]
    labels["label_id"] = np.arange(1, len(labels) + 1)
    with transaction(conn):
        conn.execute("INSERT INTO imports VALUES (1, 'vehicles', 'v.csv', 'v.csv', 'x', 1, '', "
                     "1, 1, 0, NULL, '{}', 'csv', '2026-01-01')")
        conn.execute("INSERT INTO imports VALUES (2, 'labels', 'l.csv', 'l.csv', 'y', 1, '', "
                     "1, 1, 0, NULL, '{}', 'csv', '2026-01-01')")
        for r in meta.itertuples(index=False):
            conn.execute("INSERT INTO vehicles VALUES (?, ?, 1)",
                         (r.vehicle_id, json.dumps({"firmware": r.firmware,
                                                    "timezone": r.timezone})))
        insert_frame(conn, "labels", labels.assign(import_id=2),
                     ["label_id", "vehicle_id", "label", "lat", "lon", "import_id"])
        insert_frame(conn, "stops", stops)
        insert_frame(conn, "places", places)
        replace_table_from_frame(conn, "place_features", feats, primary_key="place_id")
        matched = labels[~((labels.vehicle_id == "V04") & (labels.label == "work"))].copy()
        matched["place_id"] = [f"{v}:{0 if lbl == 'home' else 1}" if v != "V03" or lbl != "home"
                               else "V03:2" for v, lbl in zip(matched.vehicle_id, matched.label)]
        matched.loc[(matched.vehicle_id == "V05") & (matched.label == "work"), "place_id"] = \
            "V05:1"
        insert_frame(conn, "place_labels", matched.assign(distance_m=10.0),
                     ["place_id", "vehicle_id", "label", "label_id", "distance_m"])
        conn.execute("INSERT INTO unmatched_labels VALUES (?, 'V04', 'no_place_within_250m')",
                     (int(labels.loc[(labels.vehicle_id == "V04") &
                                     (labels.label == "work"), "label_id"].iloc[0]),))
        conn.execute("INSERT INTO runs (run_id, kind, created_at, config, versions) "
                     "VALUES (2, 'model', 'now', '{}', '{}')")
        conn.execute("INSERT INTO runs (run_id, kind, created_at, config, versions) "
                     "VALUES (1, 'baseline', 'now', '{}', '{}')")
        insert_frame(conn, "predictions", pred.assign(run_id=2))
        base = pred.assign(run_id=1, predicted_label=truth.to_numpy())
        base.loc[base["place_id"] == "V07:0", "predicted_label"] = "work"
        insert_frame(conn, "predictions", base)
    conn.close()
    return path


@pytest.fixture(scope="module")
def report(project):
    conn = open_project(project)
    yield build_report(conn)
    conn.close()


def test_validation_section(report):
    v = report["validation"]
    assert v["n"] == 9 and v["correct"] == 8
    assert v["confusion"]["work"] == {"home": 0, "work": 2, "other": 1}
    assert [m["place_id"] for m in v["misclassified"]] == ["V06:1"]
    assert v["per_class"]["work"]["recall"] == pytest.approx(2 / 3)
    assert v["baseline"]["run_id"] == 1 and v["baseline"]["correct"] == 8
    assert v["baseline"]["confusion"]["home"]["work"] == 1


def test_by_population(report):
    pop = report["validation"]["by_population"]
    fw = {r["value"]: r for r in pop["metadata"]["firmware"]}
    assert fw["fw-ok"]["n"] == 6 and fw["fw-ok"]["accuracy"] == pytest.approx(5 / 6)
    assert fw["fw-bad"]["n"] == 3 and fw["fw-bad"]["accuracy"] == 1.0
    assert fw["fw-bad"]["oof_n"] == 9 and fw["fw-ok"]["oof_accuracy"] == pytest.approx(16 / 18)
    assert set(pop["metadata"]) == {"firmware", "timezone"}
    sched = {r["value"]: r for r in pop["schedule"]}
    # every vehicle sleeps at home and home has most visits -> one slice only
    assert list(sched) == ["night_place_is_most_visited"]
    assert sched["night_place_is_most_visited"]["oof_n"] == 27


def test_suspicious_section(report):
    """One queue: the label 2 km from every place (no place to point at) first, then the home
    label on the gym the model and the night check both contradict, the two labels 22 m apart,
    the validation work place the model thinks is other; the unlabelled place that looks like
    a home comes after every label."""
    queue = report["suspicious"]
    keys = {"label_id", "vehicle_id", "given_label", "place_id", "lat", "lon", "score",
            "suggested_label", "reason"}
    assert all(keys <= set(e) for e in queue)
    order = [(e["vehicle_id"], e["given_label"], e["place_id"]) for e in queue]
    assert order == [("V04", "work", None), ("V03", "home", "V03:2"), ("V05", "home", "V05:0"),
                     ("V05", "work", "V05:1"), ("V06", "work", "V06:1"),
                     ("V02", "other", "V02:2")]
    far, gym, v06 = queue[0], queue[1], queue[4]
    assert far["kind"] == "unmatched" and far["unmatched_reason"] == "no_place_within_250m"
    assert far["reason"].startswith("No place of the vehicle within 250 m of the label")
    assert "2,002 m away" in far["reason"] and far["score"] > 0.99
    # the label's own point, not a place's
    assert (far["lat"], far["lon"]) != (None, None) and far["suggested_label"] is None
    assert gym["suggested_label"] == "other" and gym["suggested_place_id"] == "V03:0"
    assert gym["reason"].startswith("The model is sure this is other, not home")
    assert "never stood here between 00:00 and 05:00" in gym["reason"]
    assert v06["reason"].startswith("The model thinks this is other, not work")
    scores = [e["score"] for e in queue[:5]]
    assert scores == sorted(scores, reverse=True) and all(0 < x <= 1 for x in scores)
    implied = queue[-1]
    assert implied["kind"] == "implied" and implied["label_id"] is None
    # ranked after the labels, though the model is as sure of it (p(home) 0.90 vs 0.05)
    assert implied["suggested_label"] == "home" and implied["score"] > v06["score"]


def test_evidence_sentences(project, report):
    checks = {(e["vehicle_id"], e["check"]) for e in report["evidence"]}
    assert ("V03", "home_never_at_night") in checks
    assert ("V04", "far_from_stops") in checks
    assert ("V05", "home_work_coincide") in checks
    assert ("V01", "home_never_at_night") not in checks
    conn = open_project(project)
    sentences = evidence_for_place(conn, "V03:2")
    assert sentences == ["Home label 7 of vehicle V03 is on place V03:2, where the vehicle "
                         "never stayed between 00:00 and 05:00 local time (in 2 stays)."]
    assert evidence_for_place(conn, "V01:0") == []
    far = evidence_frame(conn, ["V04"])
    assert far["sentence"].str.contains(r"is 2,0\d\d m from the nearest stop").any()
    conn.close()


def test_a_finding_about_two_labels_is_said_once(report):
    from auditor.analysis.sections.evidence import render_text
    pair = [e for e in report["evidence"] if e["check"] == "home_work_coincide"]
    # one row per label, so each label's details pane shows it ...
    assert sorted(e["label"] for e in pair) == ["home", "work"]
    assert len({e["sentence"] for e in pair}) == 1
    # ... and the report's text says it once
    text = render_text(report)
    assert sum(pair[0]["sentence"] in line for line in text) == 1
    distinct = len({e["sentence"] for e in report["evidence"]})
    assert text[0] == (f"Label evidence: {distinct} findings on "
                       f"{len({e['label_id'] for e in report['evidence']})} labels")


def test_work_never_on_weekday(project):
    conn = open_project(project)
    with transaction(conn):  # move V07's work label onto its Saturday gym
        conn.execute("UPDATE place_labels SET place_id = 'V07:2' WHERE vehicle_id = 'V07' "
                     "AND label = 'work'")
    found = evidence_frame(conn, ["V07"])
    with transaction(conn):
        conn.execute("UPDATE place_labels SET place_id = 'V07:1' WHERE vehicle_id = 'V07' "
                     "AND label = 'work'")
    conn.close()
    assert found["check"].tolist() == ["work_never_on_weekday"]
    assert "never visited on a weekday" in found["sentence"][0]


def test_error_tree_and_slice_members(project, report):
    t = report["error_tree"]
    assert t["n"] == 27 and t["root"]["n"] == 27
    conn = open_project(project)
    assert error_tree(conn) == {**t}
    assert slice_members(conn, 0) == sorted(
        pd.read_sql_query("SELECT place_id FROM predictions WHERE run_id = 2 AND given_label "
                          "IS NOT NULL", conn)["place_id"])
    conn.close()


def test_skew_section(report):
    sk = report["skew"]
    assert set(sk["comparisons"]) == {"validation", "unlabelled", "recent"}
    recent = sk["comparisons"]["recent"]
    assert recent["window"]["days"] == 7 and recent["window"]["stops"] > 0
    assert recent["reference"] == "early" and recent["reference_window"]["stops"] > 0
    # every week of the hand-built fleet is the same: the last week does not drift
    assert recent["flagged"] == []
    val = {r["feature"]: r for r in sk["comparisons"]["validation"]["features"]}
    assert val["share_stays_0200"]["n_reference"] == 18 and "ks_pvalue" in val["n_visits"]
    fw = {r["feature"]: r for r in sk["comparisons"]["validation"]["features"]}["firmware"]
    assert fw["kind"] == "categorical" and fw["js_threshold"] == 0.1
    assert sk["leakage"]["entity"]["n"] == 0
    assert sk["spatial_drift"]["cells"] and sk["spatial_drift"]["cell_deg"] == 0.01


def test_cli_json_and_predictions_csv(project, tmp_path, capsys):
    out = tmp_path / "pred.csv"
    assert main(["report", str(project), "--json", "--predictions", str(out)]) == 0
    data = json.loads(capsys.readouterr().out)
    for key in ("validation", "suspicious", "error_tree", "skew"):
        assert key in data
    for key in ("accuracy", "confusion", "misclassified", "by_population", "baseline"):
        assert key in data["validation"]
    assert {"place_id", "score"} <= set(data["suspicious"][0])
    with open(out, newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["vehicle_id", "place_id", "lat", "lon", "split", "given_label",
                       "predicted_label", "p_home", "p_work", "p_other"]
    assert len(rows) == 37 and rows[1][:2] == ["V00", "V00:0"]
    assert [r[:2] for r in rows[1:]] == sorted(r[:2] for r in rows[1:])
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    # same project -> same bytes
    first = out.read_bytes()
    assert main(["report", str(project), "--json", "--predictions", str(out)]) == 0
    assert out.read_bytes() == first
    assert json.loads(capsys.readouterr().out) == data


def test_cli_text_report(project, capsys):
    assert main(["report", str(project)]) == 0
    text = capsys.readouterr().out
    assert "validation accuracy 88.9%" in text and "Suspicious labels" in text


def test_cli_without_inference_names_the_fix(tmp_path, capsys):
    empty = tmp_path / "empty.db"
    open_project(empty).close()
    assert main(["report", str(empty), "--json"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "run 'auditor infer" in err and "\n" not in err
    assert main(["report", str(tmp_path / "missing.db")]) == 1
    assert "no such project" in capsys.readouterr().err


def test_cli_bad_truth_file(project, tmp_path, capsys):
    bad = tmp_path / "truth.json"
    bad.write_text("{not json")
    assert main(["report", str(project), "--truth", str(bad)]) == 1
    assert "not valid JSON" in capsys.readouterr().err


def test_only_some_analyses_give_the_same_sections(project, report):
    conn = open_project(project, create=False)
    try:
        part = build_report(conn, only=("skew", "fix_loop"))
        with pytest.raises(KeyError):
            build_report(conn, only=("no-such-analysis",))
    finally:
        conn.close()
    assert list(part) == ["run_id", "skew", "fix_loop"]
    assert part["skew"] == report["skew"] and part["fix_loop"] == report["fix_loop"]


def test_skew_text_names_the_shifts_beyond_sampling_noise(report):
    from auditor.analysis.sections.skew import render_text
    comps = report["skew"]["comparisons"]
    comp = dict(comps["validation"])
    rows = [dict(f) for f in comp["features"] if f["kind"] == "numeric"][:3]
    assert len(rows) == 3
    # two flagged shifts, one of them beyond the KS test's noise, one row not flagged
    for row, (flag, significant) in zip(rows, [(True, True), (True, False), (False, True)]):
        row.update(flag=flag, ks_significant=significant)
    comp.update(features=rows, flagged=[rows[0]["feature"], rows[1]["feature"]])
    line = render_text({"skew": {**report["skew"], "comparisons": {"validation": comp}}})[0]
    assert line.startswith(f"Skew train vs validation ({comp['n_reference_places']} vs "
                           f"{comp['n_current_places']} places): flagged "
                           f"{rows[0]['feature']}, {rows[1]['feature']}; ")
    assert line.endswith(f"beyond sampling noise (KS p < 0.05): {rows[0]['feature']}")
    rows[0]["ks_significant"] = False
    line = render_text({"skew": {**report["skew"], "comparisons": {"validation": comp}}})[0]
    assert line.endswith("none of the numeric ones")
