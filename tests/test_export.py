"""Export on small projects built by SQL: weights, corrections, exclusions, bytes, verify."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.audit.flags import add_flag
from auditor.errors import UserError
from auditor.export.api import export_training_set, preview_export
from auditor.export.build import export_columns
from auditor.export.canonical import render_csv
from auditor.export.config import ExportConfig
from auditor.export.hashing import sha256_bytes
from auditor.export.verify import verify_export
from auditor.export.weighting import compute_weights, effective_sample_size, neighbour_counts
from auditor.export.writers import read_training_file
from auditor.pipeline.config import InferConfig
from auditor.pipeline.features import FEATURE_COLUMNS
from auditor.store import open_project, transaction
from auditor.store.bulk import insert_frame, replace_table_from_frame

LABEL_OF_PLACE = {0: "home", 1: "work"}      # other places of a labelled vehicle are "other"
TRAIN = [f"t{i}" for i in range(6)]
VALIDATION = ["v0", "v1"]
PLACES = 4


def _label(n: int) -> str:
    return LABEL_OF_PLACE.get(n, "other")


def build_project(path: Path) -> Path:
    """6 training and 2 validation vehicles with 4 places each; features drawn from a seeded
    rng; v0:0 is a copy of t2:1 (plus a hair) that the model got wrong; all else right."""
    rng = np.random.default_rng(11)
    conn = open_project(path)
    places, feats, preds, pings = [], [], [], []
    for split, vehicles in (("train", TRAIN), ("validation", VALIDATION)):
        for vi, vehicle in enumerate(vehicles):
            for n in range(PLACES):
                pid = f"{vehicle}:{n}"
                lat, lon = 52.0 + vi * 0.1, 13.0 + n * 0.01
                places.append((pid, vehicle, lat, lon, 3))
                feats.append([pid, vehicle, lat, lon] + rng.normal(size=len(FEATURE_COLUMNS)).tolist())
                preds.append((pid, vehicle, split, _label(n), _label(n)))
            pings.append((vehicle, 1_700_000_000 + vi, lat, lon))
    feat = pd.DataFrame(feats, columns=["place_id", "vehicle_id", "lat", "lon"] + FEATURE_COLUMNS)
    src = feat.index[feat["place_id"] == "t2:1"][0]
    dst = feat.index[feat["place_id"] == "v0:0"][0]
    feat.loc[dst, FEATURE_COLUMNS] = feat.loc[src, FEATURE_COLUMNS].to_numpy() + 1e-6
    pred = pd.DataFrame(preds, columns=["place_id", "vehicle_id", "split", "given_label",
                                        "predicted_label"])
    pred.loc[pred["place_id"] == "v0:0", "predicted_label"] = "work"   # a validation error
    with transaction(conn):
        conn.execute("INSERT INTO imports (import_id, kind, path, file_name, sha256, size_bytes, "
                     "options_key, rows_read, rows_accepted, rows_quarantined, column_map, "
                     "file_format, imported_at) VALUES (1, 'pings', '/data/p.csv', 'p.csv', "
                     "'ab', 10, '', 8, 8, 0, '{}', 'csv', '2026-01-01T00:00:00Z')")
        insert_frame(conn, "pings", pd.DataFrame(pings, columns=["vehicle_id", "ts", "lat", "lon"])
                     .assign(import_id=1))
        insert_frame(conn, "places", pd.DataFrame(places, columns=["place_id", "vehicle_id", "lat",
                                                                   "lon", "n_stops"]))
        replace_table_from_frame(conn, "place_features", feat, primary_key="place_id")
        conn.execute("INSERT INTO runs (run_id, kind, created_at, seed, config, versions) VALUES "
                     "(1, 'model', '2026-01-01T00:00:00Z', 0, ?, '{}')",
                     (json.dumps(InferConfig().to_dict()),))
        insert_frame(conn, "predictions", pred.assign(run_id=1, p_home=0.5, p_work=0.3,
                                                      p_other=0.2))
    conn.close()
    return path


@pytest.fixture(scope="module")
def base_project(tmp_path_factory) -> Path:
    return build_project(tmp_path_factory.mktemp("sqlproj") / "p.db")


@pytest.fixture
def project(base_project, tmp_path) -> Path:
    target = tmp_path / "p.db"
    shutil.copyfile(base_project, target)
    return target


def flag(project, *args, **kw):
    conn = open_project(project)
    try:
        return add_flag(conn, "ana", *args, **kw)
    finally:
        conn.close()


def read(out: Path, fmt: str = "csv") -> pd.DataFrame:
    return read_training_file(out / f"training_set.{fmt}")


# --- weighting, pure ---------------------------------------------------------------------------

def test_neighbours_tie_break_by_distance_then_row_order():
    train = np.array([[1.0, 0], [0, 1.0], [-1.0, 0], [0, -1.0], [3.0, 0]])
    counts = neighbour_counts(train, np.zeros((1, 2)), k=2)
    # four rows tie at distance 1: the first two in row (= place_id) order win
    assert counts.tolist() == [1, 1, 0, 0, 0]
    # more ties than the tree is asked for up front: 30 copies of one point, k=3
    many = np.vstack([np.zeros((1, 2)) + 5, np.ones((30, 2)), np.zeros((1, 2))])
    counts = neighbour_counts(many, np.full((1, 2), 1.0), k=3)
    assert counts.tolist() == [0, 1, 1, 1] + [0] * 28
    assert neighbour_counts(train, np.array([[2.9, 0.0]]), k=1).tolist() == [0, 0, 0, 0, 1]


def test_weights_compound_cap_balance_and_sum_to_n():
    X = np.array([[0.0], [0.1], [5.0], [5.1], [9.0]])
    ids = np.array(["a", "b", "c", "d", "e"])
    labels = np.array(["home", "other", "other", "other", "work"])
    hard = np.array([False, False, False, False, True])
    cfg = ExportConfig(k=1, factor=3.0, max_upweight=5.0, hard_example_factor=2.0)
    w = compute_weights(X, ids, labels, hard, np.array([[0.0], [0.01], [5.05]]), cfg)
    # a: near 2 errors -> 9 capped at 5; c (tie with d at 0.05, place_id order) -> 3; e hard -> 2
    raw = np.array([5.0, 1.0, 3.0, 1.0, 2.0])
    np.testing.assert_allclose(w.weights, raw * 5 / raw.sum())
    assert w.near_counts.tolist() == [2, 0, 1, 0, 0]
    assert w.reasons[0] == "base; near 2 misclassified validation samples (x3 each, capped at x5)"
    assert w.reasons[1] == "base"
    assert w.reasons[2] == "base; near 1 misclassified validation sample (x3 each)"
    assert w.reasons[4] == "base; hard example (model_wrong flag) x2"
    assert w.stats["sum"] == pytest.approx(5.0)
    assert w.stats["effective_sample_size"] == pytest.approx(raw.sum() ** 2 / (raw ** 2).sum())

    balanced = compute_weights(X, ids, labels, hard, np.empty((0, 1)),
                               ExportConfig(balance_classes=True, hard_example_factor=1.0))
    # other x 5/(3*3), home and work x 5/(3*1): equal total weight per class
    per_class = pd.Series(balanced.weights).groupby(labels).sum()
    np.testing.assert_allclose(per_class.to_numpy(), [5 / 3] * 3)
    assert balanced.reasons[1] == "base; class balance x0.556"


def test_weight_order_does_not_depend_on_row_order():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 3)).round(1)      # rounding makes distance ties likely
    ids = np.array([f"p{i:02d}" for i in range(40)])
    labels = np.array(["home", "work", "other", "other"] * 10)
    Q = rng.normal(size=(5, 3)).round(1)
    cfg = ExportConfig(k=4)
    a = compute_weights(X, ids, labels, np.zeros(40, bool), Q, cfg)
    perm = rng.permutation(40)
    b = compute_weights(X[perm], ids[perm], labels[perm], np.zeros(40, bool), Q, cfg)
    np.testing.assert_array_equal(a.weights[perm], b.weights)
    assert a.near_counts.sum() == 5 * 4


def test_effective_sample_size():
    assert effective_sample_size(np.ones(7)) == pytest.approx(7)
    assert effective_sample_size(np.array([1.0, 0, 0])) == pytest.approx(1)


def test_config_rejects_nonsense():
    with pytest.raises(UserError, match="k must"):
        ExportConfig(k=0)
    with pytest.raises(UserError, match="factor"):
        ExportConfig(factor=0.5)
    with pytest.raises(UserError, match="unknown setting"):
        ExportConfig.from_any({"kk": 3})


@given(st.lists(st.floats(allow_nan=True, allow_infinity=False), min_size=1, max_size=30))
@settings(max_examples=60, deadline=None)
def test_render_csv_floats_round_trip(values):
    text = render_csv(pd.DataFrame({"x": values})).decode()
    cells = text.split("\n")[1:-1]
    assert len(cells) == len(values)
    for cell, v in zip(cells, values):
        if np.isnan(v):
            assert cell == ""
        else:
            assert float(cell) == v                      # reads back to the same double


def test_render_csv_is_repr_and_quotes():
    frame = pd.DataFrame({"a": ["x,y", 'q"t', "plain", None], "b": [0.1, 1e-5, np.nan, 1 / 3]})
    text = render_csv(frame).decode()
    assert text == ('"a","b"\n"x,y",0.1\n"q""t",0.00001\n"plain",\n,0.3333333333333333\n')


# --- the export on a project --------------------------------------------------------------------

def test_export_rows_columns_and_neighbour_upweight(project, tmp_path):
    out = tmp_path / "out"
    summary = export_training_set(project, out, config={"k": 3})
    df = read(out)
    assert list(df.columns) == export_columns()
    assert len(df) == summary["rows"] == len(TRAIN) * PLACES
    assert df["place_id"].tolist() == sorted(df["place_id"])
    assert df["sample_weight"].sum() == pytest.approx(len(df))
    assert summary["misclassified_validation"] == 1
    row = df.set_index("place_id").loc["t2:1"]
    assert row["sample_weight"] > df["sample_weight"].median()
    assert row["weight_reason"] == "base; near 1 misclassified validation sample (x2 each)"
    assert (df["weight_reason"].str.startswith("base; near")).sum() == 3   # k neighbours
    assert set(df["label"]) == {"home", "work", "other"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert summary["files"]["training_set.csv"] == manifest["outputs"]["files"][
        "training_set.csv"]["sha256"]
    assert manifest["outputs"]["rows_sha256"] == summary["files"]["training_set.csv"]
    assert manifest["config"]["k"] == 3 and manifest["model_run"]["run_id"] == 1
    assert manifest["split"]["counts"]["train"] == {"places": 24, "vehicles": 6}
    assert manifest["inputs"]["files"][0]["sha256"] == "ab"
    assert (out / "manifest.json").read_bytes().endswith(b"}\n")


def test_corrections_and_exclusions(project, tmp_path):
    flag(project, "place", "t0:2", "label_wrong", new_value="work")
    flag(project, "place", "t1:0", "bad_data")
    flag(project, "vehicle", "t3", "bad_data")
    flag(project, "place", "t4:3", "model_wrong")
    # correcting the validation error away: v0:0 is "work", which the model predicted
    flag(project, "place", "v0:0", "label_wrong", new_value="work")
    preview = preview_export(project)
    summary = export_training_set(project, tmp_path / "out")
    df = read(tmp_path / "out").set_index("place_id")
    assert df.loc["t0:2", "label"] == "work"
    assert "t1:0" not in df.index and not df.index.str.startswith("t3:").any()
    assert len(df) == 24 - 1 - 4
    assert summary["excluded_by_reason"] == {"place flagged bad data": 1,
                                             "vehicle flagged bad data": 4}
    assert summary["relabelled"] == 1 and summary["misclassified_validation"] == 0
    assert df.loc["t4:3", "weight_reason"] == "base; hard example (model_wrong flag) x2"
    assert df.loc["t4:3", "sample_weight"] == pytest.approx(2 * df.loc["t0:0", "sample_weight"])
    for key in ("rows", "relabelled", "excluded", "reweighted", "effective_sample_size"):
        assert preview[key] == summary[key], key
    assert preview["reweighted"] == 1


def test_byte_identical_reexport_csv_and_parquet(project, tmp_path):
    for fmt in ("csv", "parquet"):
        a = export_training_set(project, tmp_path / f"a-{fmt}", fmt=fmt)
        b = export_training_set(project, tmp_path / f"b-{fmt}", fmt=fmt)
        for name in (f"training_set.{fmt}", "manifest.json"):
            assert (tmp_path / f"a-{fmt}" / name).read_bytes() == \
                (tmp_path / f"b-{fmt}" / name).read_bytes(), name
        assert a["files"] == b["files"]
    # the rows hash is format-independent, and the parquet file holds exactly those rows
    ca = json.loads((tmp_path / "a-csv" / "manifest.json").read_text())
    pa_ = json.loads((tmp_path / "a-parquet" / "manifest.json").read_text())
    assert ca["outputs"]["rows_sha256"] == pa_["outputs"]["rows_sha256"]
    back = read(tmp_path / "a-parquet", "parquet")
    assert sha256_bytes(render_csv(back, export_columns())) == pa_["outputs"]["rows_sha256"]
    assert pa_["writer"]["compression"] == "snappy"


def test_out_dir_rules(project, tmp_path):
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine")
    with pytest.raises(UserError, match="holds no auditor export"):
        export_training_set(project, busy)
    assert sorted(p.name for p in busy.iterdir()) == ["notes.txt"]
    out = tmp_path / "deep" / "out"
    export_training_set(project, out)                       # created with parents
    export_training_set(project, out, fmt="parquet")        # a previous export: replaced
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "training_set.parquet"]
    with pytest.raises(UserError, match="csv or parquet"):
        export_training_set(project, out, fmt="xlsx")


def test_no_model_run_is_a_user_error(tmp_path):
    conn = open_project(tmp_path / "empty.db")
    conn.close()
    with pytest.raises(UserError, match="auditor infer"):
        export_training_set(tmp_path / "empty.db", tmp_path / "out")
    with pytest.raises(UserError, match="no such project"):
        export_training_set(tmp_path / "missing.db", tmp_path / "out")


def test_verify_passes_then_names_flags_and_edits(project, tmp_path):
    out = tmp_path / "out"
    export_training_set(project, out, fmt="parquet", config={"k": 2, "balance_classes": True})
    result = verify_export(out)
    assert result.ok, result.differences
    flag(project, "place", "t5:1", "label_wrong", new_value="home")
    result = verify_export(out)
    assert not result.ok
    text = "\n".join(result.differences)
    assert "the flags changed" in text and "training_set.parquet" in text
    assert "pings" not in text                      # only what changed is named


def test_verify_reports_edited_output_and_cli_exit_codes(project, tmp_path, capsys,
                                                         monkeypatch):
    from auditor.cli import main
    monkeypatch.delenv("AUDITOR_DEBUG", raising=False)
    out = tmp_path / "out"
    assert main(["export", str(project), str(out), "--json", "--k", "2", "--factor", "1.5"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert {"rows", "files", "effective_sample_size"} <= set(summary)
    assert json.loads((out / "manifest.json").read_text())["config"]["factor"] == 1.5
    assert main(["verify", str(out)]) == 0
    assert "reproduces every hash" in capsys.readouterr().out
    with open(out / "training_set.csv", "a") as fh:
        fh.write("tampered\n")
    assert main(["verify", str(out)]) == 1
    bad = capsys.readouterr()
    assert "was changed after the export" in bad.out
    assert bad.err.startswith("error: ") and bad.err.count("\n") == 1
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "x").write_text("x")
    assert main(["export", str(project), str(busy)]) == 1
    assert "holds no auditor export" in capsys.readouterr().err


def test_match_places_nearest_one_to_one_with_id_tie_break():
    from auditor.export.refeature import match_places
    # v:0 and v:1 share a centroid (a true tie); n:1 sits on it, n:0 is 20 m east, n:2 is 1 km
    # north (a new place, ignored), v:2 is far from everything (lost all its stops)
    original = pd.DataFrame({"place_id": ["v:0", "v:1", "v:2"], "lat": [52.0, 52.0, 52.5],
                             "lon": [13.0, 13.0, 13.0]})
    derived = pd.DataFrame({"place_id": ["n:0", "n:1", "n:2"], "lat": [52.0, 52.0, 52.01],
                            "lon": [13.0003, 13.0, 13.0]})
    expected = {"v:0": "n:1", "v:1": "n:0"}      # nearest first, the tie to the smaller id
    assert match_places(original, derived, 100.0) == expected
    assert match_places(original.iloc[[2, 1, 0]], derived.iloc[[2, 1, 0]], 100.0) == expected
    assert match_places(original, derived, 10.0) == {"v:0": "n:1"}
    assert match_places(original, derived.iloc[[2]], 100.0) == {}


def test_compare_manifests_puts_causes_in_words(project, tmp_path):
    import copy

    from auditor.export.verify import compare_manifests
    export_training_set(project, tmp_path / "out")
    old = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert compare_manifests(old, copy.deepcopy(old)) == ([], [])
    new = copy.deepcopy(old)
    new["versions"]["numpy"] = "0.0.1"
    new["inputs"]["content_hashes"]["labels"]["sha256"] = "0" * 64
    new["auditor"]["git_commit"] = "f" * 40
    new["model_run"]["run_id"] = 7
    diffs, notes = compare_manifests(old, new)
    text = "\n".join(diffs)
    assert f"a library version changed: numpy {old['versions']['numpy']} → 0.0.1" in text
    assert "an input changed: the given labels differ" in text
    assert "the model run changed: run 1 → run 7" in text
    assert len(diffs) == 3 and "flags" not in text
    assert notes == [f"auditor source commit {old['auditor']['git_commit']} → {'f' * 40}"]


def test_cancelled_export_leaves_no_training_file(project, tmp_path):
    from auditor.errors import Cancelled

    def cancel_when_writing(done, total, message):
        if message.startswith("writing"):
            raise Cancelled()

    with pytest.raises(Cancelled):
        export_training_set(project, tmp_path / "out", progress=cancel_when_writing)
    assert not (tmp_path / "out").exists()  # the folder it made is gone too


@pytest.mark.parametrize("chunk", [1, 2, 250_000])
def test_columnwise_pings_hash_equals_the_general_table_hash(tmp_path, chunk):
    """The manifest hashes pings column-wise for speed; its digest must be the general
    table_hash's for any chunking, with NULLs, trip ids on some rows only, a REAL stored in an
    INTEGER column and text that is not ASCII."""
    from auditor.export.hashing import keyed_table_hash, table_hash
    from auditor.export.manifest import INPUT_TABLES
    from auditor.store import open_project
    conn = open_project(tmp_path / "p.db")
    conn.execute("INSERT INTO imports (import_id, kind, path, file_name, sha256, size_bytes, "
                 "options_key, rows_read, rows_accepted, rows_quarantined, column_map, "
                 "file_format, imported_at) "
                 "VALUES (1, 'pings', 'p', 'p', 'x', 1, '', 4, 4, 0, '{}', 'csv', 't')")
    rows = [(7, "Ä1", 100, None, 1.5, 2.5, None, 10.0, None),
            (2, "A", 200.5, 60, 1.0, 2.0, 3.5, None, "trip-ü"),
            (9, "B", 50, -300, -1.0, -2.0, 0.0, 359.9, None),
            (4, "A", 300, 0, 0.5, 0.5, 1.0, 0.0, "t2")]
    conn.executemany("INSERT INTO pings (ping_id, vehicle_id, ts, utc_offset_min, lat, lon, "
                     "speed_mps, heading_deg, trip_id, import_id) VALUES (?,?,?,?,?,?,?,?,?,1)",
                     rows)
    sql, kinds = INPUT_TABLES["pings"]
    general = table_hash(conn, sql, kinds)
    assert keyed_table_hash(conn, "pings", "ping_id", kinds, chunk=chunk) == general
    # all-NULL trip ids (the usual case) take the shortcut and still agree
    conn.execute("UPDATE pings SET trip_id = NULL")
    assert (keyed_table_hash(conn, "pings", "ping_id", kinds, chunk=chunk)
            == table_hash(conn, sql, kinds) != general)
    conn.close()
