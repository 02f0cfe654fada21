"""The whole command-line contract (../shared/docs/cli.md) on fleets our generators never make.

Each shape is written by tests/foreign_fleet.py (straight-line commuters, nothing from
auditor.demo) in the way another exporter might write it — one vehicle, no labels, ids with
leading zeros or HTML, epoch milliseconds, offsets across a DST change, Parquet with narrow
types, GPX with several tracks, the antimeridian, a clock a year off… — and then every
command of the contract runs on it through `auditor.cli.main`, checking what cli.md promises:
exit 0, or exit 1 with exactly one `error: …` line; JSON keys present, no NaN, counts that add
up; the predictions CSV's columns and splits; verify passing on a fresh export; the map page
without data-borne markup; the same predictions from a second infer with the same seed.
"""
from __future__ import annotations

import gzip
import io
import json
import math
import sqlite3
from pathlib import Path

import foreign_fleet as ff
import numpy as np
import pandas as pd
import pytest

from auditor.analysis.results import compute_analysis
from auditor.cli import main
from auditor.geo import haversine_m

PRED_COLUMNS = ["vehicle_id", "place_id", "lat", "lon", "split", "given_label",
                "predicted_label", "p_home", "p_work", "p_other"]
SPLITS = {"train", "validation", "test", "unlabelled"}


def _no_nan(text: str):
    """json.loads that fails on NaN / Infinity: cli.md promises JSON, and those are not JSON."""
    def refuse(name):
        raise AssertionError(f"{name} in JSON output")
    return json.loads(text, parse_constant=refuse)


class Cli:
    """Runs `auditor …` in-process and checks the exit/stderr contract of every call."""

    def __init__(self, capsys):
        self.capsys = capsys

    def __call__(self, *argv, ok=True) -> tuple[int, str, str]:
        code = main([str(a) for a in argv])
        out, err = self.capsys.readouterr()
        assert "Traceback" not in err, err
        if code == 0:
            assert ok is not False, f"auditor {argv[0]} accepted what it should refuse: {out}"
        else:
            lines = err.strip().splitlines()
            assert code == 1 and len(lines) == 1 and lines[0].startswith("error: "), (code, err)
            assert "internal error" not in lines[0], lines[0]
            assert ok is not True, f"auditor {' '.join(map(str, argv))} failed: {lines[0]}"
        return code, out, err

    def json(self, *argv):
        code, out, _ = self(*argv, "--json")
        return _no_nan(out)


@pytest.fixture
def cli(capsys):
    return Cli(capsys)


def check_ingest_summary(summary: dict) -> None:
    assert {"kind", "read", "accepted", "quarantined", "reasons"} <= set(summary)
    assert summary["accepted"] + summary["quarantined"] == summary["read"]
    assert sum(summary["reasons"].values()) == summary["quarantined"]


def ingest(cli, project, *files, extra=()) -> list[dict]:
    out = cli.json("ingest", project, *files, *extra)
    out = out if isinstance(out, list) else [out]
    for summary in out:
        check_ingest_summary(summary)
    return out


def predictions(cli, project, tmp: Path, name="pred.csv", *, report_json=False):
    """`auditor report --predictions FILE` read back and checked; with ``report_json`` the
    same call's --json report too (one report built, not two): (frame, report or None)."""
    path = tmp / name
    if report_json:
        report = cli.json("report", project, "--predictions", path)
        said = report["predictions_file"]
    else:
        report, (_, text, _) = None, cli("report", project, "--predictions", path)
        said = text
    frame = pd.read_csv(path, dtype={"vehicle_id": str, "place_id": str}, keep_default_na=False)
    if report_json:
        assert said == {"path": str(path), "rows": len(frame)}
    else:
        assert said.rstrip().endswith(f"Wrote {len(frame)} predictions to {path}"), said[-300:]
    assert list(frame.columns)[:len(PRED_COLUMNS)] == PRED_COLUMNS
    assert set(frame["split"]) <= SPLITS
    probs = frame[["p_home", "p_work", "p_other"]].astype(float).to_numpy()
    if len(frame):
        assert np.isfinite(probs).all() and np.allclose(probs.sum(axis=1), 1.0, atol=1e-3)
        assert set(frame["predicted_label"]) <= {"home", "work", "other"}
        assert set(frame["given_label"]) <= {"home", "work", "other", ""}
    return frame, report


def run_contract(cli, project: Path, tmp: Path, *, vehicles: list[str], labelled: bool = True,
                 seed: int = 0) -> dict:
    """Every command of the contract on an ingested project; returns what the checks saw."""
    seen = {}
    infer = cli.json("infer", project, "--seed", seed)
    assert {"vehicles", "trips", "stops", "places", "labelled_places", "val_accuracy",
            "seconds"} <= set(infer)
    assert infer["vehicles"] == len(vehicles)
    assert min(infer["trips"], infer["stops"], infer["places"], infer["labelled_places"]) >= 0
    assert infer["labelled_places"] <= infer["places"]
    if infer["val_accuracy"] is not None:
        assert 0.0 <= infer["val_accuracy"] <= 1.0
    seen["infer"] = infer

    # the JSON report and the predictions CSV from one `report` (building a report is the
    # dearest step here); the text report is the one after the second infer, below
    pred, report = predictions(cli, project, tmp, report_json=True)
    assert {"validation", "suspicious", "error_tree", "skew"} <= set(report)
    assert {"accuracy", "confusion", "misclassified"} <= set(report["validation"])
    for s in report["suspicious"]:
        assert {"place_id", "score", "vehicle_id", "given_label", "suggested_label",
                "reason"} <= set(s)
    seen["report"] = report
    # what the app's Analysis panel builds on the same run: the report and the places behind
    # every row, which the CLI never builds (an all-labelled fleet with a text metadata column
    # once failed them, and with them the whole panel)
    analysis = compute_analysis(project)
    assert analysis.run_id == report["run_id"]
    assert set(analysis.places) >= {"validation", "tree", "skew"}
    for rows in analysis.places.values():
        assert all(isinstance(ids, list) and all(isinstance(i, str) for i in ids)
                   for ids in rows.values())

    assert len(pred) == infer["places"]
    assert set(pred["vehicle_id"]) <= set(vehicles)
    if not labelled:
        assert set(pred["split"]) <= {"unlabelled"}
    seen["pred"] = pred

    runs = cli.json("runs", project)
    runs = runs["runs"] if isinstance(runs, dict) else runs
    assert runs and all({"run_id", "kind", "created_at", "seed", "config", "data_hash",
                         "code_version", "val_accuracy", "test_accuracy"} <= set(r) for r in runs)

    flag_ids = add_flags(project, pred, vehicles)
    flags = cli.json("flags", project)
    assert {"events", "flags"} <= set(flags)
    assert sorted(f["event_id"] for f in flags["flags"]) == sorted(flag_ids)
    for f in flags["flags"]:
        assert {"event_id", "analyst", "target_kind", "target_id", "action", "new_value", "note",
                "status", "lat", "lon", "review", "reviewer"} <= set(f)
        assert f["status"] == "attached" and f["review"] == "pending"
    cli("flags", project, "--export", tmp / "flags.csv")
    cli("flags", project, "--import", tmp / "flags.csv")
    assert cli.json("flags", project)["events"] == flags["events"]  # nothing new: all known
    for event_id in flag_ids:
        cli("review", project, "--analyst", "bob", "--accept", event_id)
        cli("review", project, "--analyst", "alice", "--accept", event_id, ok=False)  # her own
    assert {f["review"] for f in cli.json("flags", project)["flags"]} <= {"accepted"}

    for vid in vehicles:
        page = tmp / "map.html"
        cli("map", project, "--vehicle", vid, "--out", page)
        html = page.read_text(encoding="utf-8")
        assert html.startswith("<!DOCTYPE html>")
        assert "<script>alert" not in html and "<b>bold" not in html

    if not labelled:  # a training set needs given labels: refused in one line naming the fix
        code, _, err = cli("export", project, tmp / "export-none", ok=False)
        assert "import labels" in err and not (tmp / "export-none").exists()
    for fmt in ("csv", "parquet") if labelled else ():
        out_dir = tmp / f"export-{fmt}"
        exported = cli.json("export", project, out_dir, "--format", fmt)
        assert {"rows", "files", "effective_sample_size", "relabelled", "excluded"} <= set(exported)
        assert exported["rows"] >= 0
        ess = exported["effective_sample_size"]
        assert ess is None or 0 <= ess <= max(exported["rows"], 0) + 1e-9
        cli("verify", out_dir)
        seen[f"export-{fmt}"] = exported

    if labelled:
        reviewed = cli.json("export", project, tmp / "export-reviewed", "--reviewed-only")
        assert reviewed["rows"] >= 0
        cli("verify", tmp / "export-reviewed")

    again = cli.json("infer", project, "--seed", seed)
    assert {k: again[k] for k in ("vehicles", "trips", "stops", "places")} == \
        {k: infer[k] for k in ("vehicles", "trips", "stops", "places")}
    pred2, _ = predictions(cli, project, tmp, "pred2.csv")
    pd.testing.assert_frame_equal(pred.reset_index(drop=True), pred2.reset_index(drop=True))
    return seen


def add_flags(project: Path, pred: pd.DataFrame, vehicles: list[str]) -> list[int]:
    """What an analyst does in the app: a corrected label on a place, bad data on a vehicle."""
    from auditor.audit.flags import add_flag
    from auditor.store import open_project
    conn = open_project(project, create=False)
    try:
        ids = []
        if len(pred):
            row = pred.iloc[0]
            new = next(c for c in ("home", "work", "other")
                       if c not in (row["given_label"], row["predicted_label"]))
            ids.append(add_flag(conn, "alice", "place", row["place_id"], "label_wrong", new,
                                note="<b>bold</b> note"))
        # bad data on a vehicle outside the training split (the export still has rows)
        outside = sorted(set(pred.loc[pred["split"] != "train", "vehicle_id"])
                         - set(pred.loc[pred["split"] == "train", "vehicle_id"]))
        if outside:
            ids.append(add_flag(conn, "alice", "vehicle", outside[-1], "bad_data"))
        return ids
    finally:
        conn.close()


def write_csv(frame: pd.DataFrame, path: Path, **kw) -> Path:
    frame.to_csv(path, index=False, **kw)
    return path


def pings_csv(frame: pd.DataFrame, path: Path, ts=ff.iso_z) -> Path:
    out = frame.rename(columns={"ts": "timestamp"}).copy()
    out["timestamp"] = ts(frame["ts"])
    return write_csv(out[["vehicle_id", "timestamp", "lat", "lon"]], path)


def vehicle_ids(project: Path) -> list[str]:
    conn = sqlite3.connect(project)
    try:
        return [v for (v,) in conn.execute("SELECT DISTINCT vehicle_id FROM pings ORDER BY 1")]
    finally:
        conn.close()


# ------------------------------------------------------------------ shapes of fleet
def _shape(n_vehicles: int, days: int, labels=("home", "work"), **kw):
    vehicles = ff.commuters(n_vehicles, **kw)
    return vehicles, ff.fleet(vehicles, days), ff.labels_for(vehicles, labels)


SHAPES = {
    "one_vehicle": lambda: _shape(1, 5),
    "two_vehicles": lambda: _shape(2, 5),
    "five_vehicles_no_labels": lambda: _shape(5, 4, labels=()),
    "home_labels_only": lambda: _shape(6, 4, labels=("home",)),
    "work_labels_only": lambda: _shape(6, 4, labels=("work",)),
    "antimeridian": lambda: _shape(4, 4, centre=(-16.5, 179.97), tz="Pacific/Fiji"),
    "far_south": lambda: _shape(4, 4, centre=(-45.87, 170.50), tz="Pacific/Auckland"),
    "arctic": lambda: _shape(3, 4, centre=(69.65, 18.96), tz="Europe/Oslo"),
}


def _params(names, fast=()):
    """Every name a test case; all but ``fast`` marked slow (~5 s of CPU per whole contract),
    so the default run keeps a few and `-m slow` runs the rest."""
    return [pytest.param(n, marks=() if n in fast else pytest.mark.slow) for n in sorted(names)]


@pytest.mark.parametrize("shape", _params(SHAPES, fast={"five_vehicles_no_labels"}))
def test_contract_on_fleet_shapes(shape, cli, tmp_path):
    vehicles, pings, labels = SHAPES[shape]()
    files = [pings_csv(pings, tmp_path / "pings.csv")]
    if len(labels):
        files.append(write_csv(labels, tmp_path / "labels.csv"))
    # a text metadata column: skew, populations and the places behind them read it
    files.append(write_csv(pd.DataFrame({
        "vehicle_id": [v.vehicle_id for v in vehicles],
        "depot": ["north" if i % 3 == 1 else "south" for i in range(len(vehicles))]}),
        tmp_path / "vehicles.csv"))
    project = tmp_path / "p.db"
    summaries = ingest(cli, project, *files)
    assert summaries[0]["accepted"] == len(pings)
    assert summaries[-1]["kind"] == "vehicles" and summaries[-1]["accepted"] == len(vehicles)
    run_contract(cli, project, tmp_path, vehicles=[v.vehicle_id for v in vehicles],
                 labelled=bool(len(labels)))


# ------------------------------------------------------------------ odd vehicles in a small fleet
def _base(n=4, days=4):
    vehicles = ff.commuters(n)
    return vehicles, ff.fleet(vehicles, days), ff.labels_for(vehicles)


def _with(frame, extra):
    return pd.concat([frame, extra], ignore_index=True)


def _few_pings(n):
    def build():
        vehicles, pings, labels = _base()
        t0 = int(pings["ts"].min())
        few = pd.DataFrame({"vehicle_id": "few", "ts": t0 + 3600 * np.arange(n),
                            "lat": 48.2 + 0.001 * np.arange(n), "lon": 11.6})
        return _with(pings, few), labels, ["few"]
    return build


def _parked_all_month():
    vehicles, pings, labels = _base()
    t0 = int(pings["ts"].min())
    parked = pd.DataFrame({"vehicle_id": "parked", "ts": t0 + 600 * np.arange(4 * 144),
                           "lat": 48.3, "lon": 11.7})
    return _with(pings, parked), _with(labels, pd.DataFrame(
        [{"vehicle_id": "parked", "label": "home", "lat": 48.3, "lon": 11.7}])), ["parked"]


def _never_stops():
    vehicles, pings, labels = _base()
    t0 = int(pings["ts"].min())
    t = np.arange(0, 2 * 86400)  # 1 Hz for two days, round a 5 km circle at ~14 m/s
    angle = t * 14.0 / 5000.0
    lat = 48.1 + 5000 / ff.EARTH_M_PER_DEG * np.sin(angle)
    lon = 11.5 + 5000 / (ff.EARTH_M_PER_DEG * math.cos(math.radians(48.1))) * np.cos(angle)
    loop = pd.DataFrame({"vehicle_id": "taxi", "ts": t0 + t, "lat": lat.round(6),
                         "lon": lon.round(6)})
    return _with(pings, loop), labels, ["taxi"]


def _duplicates():
    vehicles, pings, labels = _base()
    return _with(pings, pings.iloc[::7]), _with(labels, labels.iloc[:2]), []


def _clock_jump_year():
    vehicles, pings, labels = _base()
    jumped = pings["vehicle_id"] == vehicles[1].vehicle_id
    late = pings.index[jumped][len(pings.index[jumped]) // 2:]
    pings = pings.copy()
    pings.loc[late, "ts"] -= 365 * 86400  # firmware reset: the second half a year earlier
    return pings, labels, []


def _month_of_silence():
    vehicles = ff.commuters(4)
    first = ff.fleet(vehicles, 3)
    later = ff.fleet(vehicles, 3, ff.START + pd.Timedelta(days=33).to_pytimedelta())
    return _with(first, later), ff.labels_for(vehicles), []


def _same_timestamp():
    vehicles, pings, labels = _base()
    t0 = int(pings["ts"].min())
    frozen = pd.DataFrame({"vehicle_id": "frozen", "ts": t0, "lat": 48.2 + 0.0001 * np.arange(50),
                           "lon": 11.6})
    return _with(pings, frozen), labels, ["frozen"]


def _labels_without_pings():
    vehicles, pings, labels = _base()
    ghost = pd.DataFrame([{"vehicle_id": "ghost", "label": "home", "lat": 48.0, "lon": 11.0},
                          {"vehicle_id": "ghost", "label": "work", "lat": 48.01, "lon": 11.0}])
    return pings, _with(labels, ghost), []


def _label_far_away():
    vehicles, pings, labels = _base()
    lat, lon = ff.offset(vehicles[0].home, 5000, 0)
    far = pd.DataFrame([{"vehicle_id": vehicles[0].vehicle_id, "label": "home", "lat": lat,
                         "lon": lon}])
    return pings, _with(labels.iloc[1:], far), []


ODD = {
    "one_ping": _few_pings(1), "two_pings": _few_pings(2), "three_pings": _few_pings(3),
    "parked_all_month": _parked_all_month, "never_stops": _never_stops,
    "duplicate_rows": _duplicates, "clock_jumps_a_year": _clock_jump_year,
    "thirty_days_silence": _month_of_silence, "all_at_one_timestamp": _same_timestamp,
    "labels_for_vehicles_without_pings": _labels_without_pings,
    "label_5km_from_any_place": _label_far_away,
}


def _one_fleet(builders: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every odd case in one fleet (one whole contract instead of one each): each case's
    vehicles renamed '<case>/<id>' and moved 0.1° north of the case before it."""
    pings, labels = [], []
    for i, (name, build) in enumerate(sorted(builders.items())):
        p, lab, _ = build()
        for frame, out in ((p, pings), (lab, labels)):
            out.append(frame.assign(vehicle_id=name + "/" + frame["vehicle_id"].astype(str),
                                    lat=frame["lat"] + 0.1 * i))
    return pd.concat(pings, ignore_index=True), pd.concat(labels, ignore_index=True)


@pytest.mark.slow
def test_contract_with_odd_vehicles(cli, tmp_path):
    pings, labels = _one_fleet(ODD)
    files = [pings_csv(pings, tmp_path / "pings.csv"), write_csv(labels, tmp_path / "labels.csv")]
    project = tmp_path / "p.db"
    ingest(cli, project, *files)
    run_contract(cli, project, tmp_path, vehicles=vehicle_ids(project))


# ------------------------------------------------------------------ the same fleet, written otherwise
NY = "America/New_York"  # crosses its DST change (2025-03-09) inside the fleet's 8 days


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """Three commuters in New York over 8 days, and the pings their plain ISO-Z file stores."""
    d = tmp_path_factory.mktemp("reference")
    vehicles = ff.commuters(3, centre=(40.75, -73.98), tz=NY)
    pings = ff.fleet(vehicles, 8)
    pings_csv(pings, d / "pings.csv")
    assert main(["ingest", str(d / "p.db"), str(d / "pings.csv")]) == 0
    return pings, stored(d / "p.db")


def stored(project: Path) -> pd.DataFrame:
    conn = sqlite3.connect(project)
    try:
        return pd.read_sql("SELECT vehicle_id, ts, lat, lon FROM pings ORDER BY vehicle_id, ts",
                           conn)
    finally:
        conn.close()


def same_pings(got: pd.DataFrame, want: pd.DataFrame, atol=1e-6) -> None:
    assert len(got) == len(want)
    assert got["vehicle_id"].tolist() == want["vehicle_id"].tolist()
    assert got["ts"].tolist() == want["ts"].tolist()
    assert np.allclose(got[["lat", "lon"]], want[["lat", "lon"]], atol=atol)


def _text(frame, ts):
    out = frame.copy()
    out["timestamp"] = ts(frame["ts"])
    return out.drop(columns="ts")[["vehicle_id", "timestamp", "lat", "lon"]]


def _csv_bytes(frame, **kw) -> bytes:
    return frame.to_csv(index=False, **kw).encode("utf-8")


WRITTEN = {
    # name: (write(pings) -> (file name, bytes), extra ingest arguments)
    "epoch_seconds": lambda p: ("p.csv", _csv_bytes(_text(p, lambda t: t.astype(str))), []),
    "epoch_millis": lambda p: ("p.csv", _csv_bytes(_text(p, lambda t: (t * 1000).astype(str))), []),
    "iso_offsets_across_dst": lambda p: ("p.csv", _csv_bytes(
        _text(p, lambda t: ff.iso_offset(t, NY))), []),
    "iso_offsets_other_zone": lambda p: ("p.csv", _csv_bytes(
        _text(p, lambda t: ff.iso_offset(t, "Asia/Kolkata"))), []),
    "naive_local_with_tz": lambda p: ("p.csv", _csv_bytes(
        _text(p, lambda t: ff.naive_local(t, NY))), ["--tz", NY]),
    "columns_reordered_and_extra": lambda p: ("p.csv", _csv_bytes(
        _text(p, ff.iso_z).assign(firmware="fw 1.0", note="x,y")
        [["lon", "note", "timestamp", "firmware", "lat", "vehicle_id"]]), []),
    "upper_case_headers": lambda p: ("p.csv", _csv_bytes(
        _text(p, ff.iso_z).rename(columns=str.upper)), []),
    "aliases_latitude_lng_vin": lambda p: ("p.csv", _csv_bytes(
        _text(p, ff.iso_z).rename(columns={"vehicle_id": "VIN", "timestamp": "Time",
                                           "lat": "Latitude", "lon": "Lng"})), []),
    "map_renames": lambda p: ("p.csv", _csv_bytes(
        _text(p, ff.iso_z).rename(columns={"vehicle_id": "MMSI", "timestamp": "BaseDateTime",
                                           "lat": "LAT", "lon": "LON"})),
        ["--map", "vehicle_id=MMSI", "--map", "timestamp=BaseDateTime", "--map", "lat=LAT",
         "--map", "lon=LON"]),
    "semicolon_decimal_comma": lambda p: ("p.csv", _csv_bytes(
        _text(p, ff.iso_z), sep=";", decimal=","), []),
    "tab_separated": lambda p: ("p.tsv.csv", _csv_bytes(_text(p, ff.iso_z), sep="\t"), []),
    "crlf_bom_trailing_blanks": lambda p: ("p.csv", b"\xef\xbb\xbf" + _csv_bytes(
        _text(p, ff.iso_z), lineterminator="\r\n") + b"\r\n\r\n\r\n", []),
    "quoted_newlines_in_extra_column": lambda p: ("p.csv", _csv_bytes(
        _text(p, ff.iso_z).assign(comment=["line one\nline two, \"quoted\""] * len(p))), []),
    "latin1_extra_column": lambda p: ("p.csv", _text(p, ff.iso_z).assign(
        driver="Müller").to_csv(index=False).encode("latin-1"), []),
    # a compressed export (one block per member: `cat a.gz b.gz` is a valid gzip file too)
    "gzip_compressed": lambda p: ("p.csv.gz", gzip.compress(_csv_bytes(_text(p, ff.iso_z))),
                                  []),
    "gzip_two_members_latin1_semicolons": lambda p: ("export.csv.gz", b"".join(
        gzip.compress(part) for part in _halves(_text(p, ff.iso_z).assign(driver="Müller")
                                                .to_csv(index=False, sep=";")
                                                .encode("latin-1"))), []),
}


def _halves(data: bytes) -> tuple[bytes, bytes]:
    cut = data.index(b"\n", len(data) // 2) + 1
    return data[:cut], data[cut:]


@pytest.mark.parametrize("name", sorted(WRITTEN))
def test_the_same_pings_however_the_csv_is_written(name, reference, cli, tmp_path):
    pings, want = reference
    file_name, data, extra = WRITTEN[name](pings)
    path = tmp_path / file_name
    path.write_bytes(data)
    [summary] = ingest(cli, tmp_path / "p.db", path, extra=extra)
    assert (summary["accepted"], summary["quarantined"]) == (len(pings), 0), summary
    same_pings(stored(tmp_path / "p.db"), want)


def _parquet(table) -> bytes:
    import pyarrow.parquet as pq
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


def _typed(p, ts_type, ts_values, id_values=None, coord="float64"):
    import pyarrow as pa
    return pa.table({
        "vehicle_id": pa.array(id_values if id_values is not None else p["vehicle_id"]),
        "timestamp": pa.array(ts_values, type=ts_type),
        "lat": pa.array(p["lat"].to_numpy(coord)),
        "lon": pa.array(p["lon"].to_numpy(coord)),
    })


def _pa():
    import pyarrow as pa
    return pa


PARQUET = {
    "timestamp_ns_tz": lambda p: (_typed(p, _pa().timestamp("ns", tz=NY),
                                         p["ts"].to_numpy() * 10**9), [], 1e-6),
    "timestamp_ms_utc": lambda p: (_typed(p, _pa().timestamp("ms", tz="UTC"),
                                          p["ts"].to_numpy() * 1000), [], 1e-6),
    "timestamp_naive_with_tz": lambda p: (_typed(
        p, _pa().timestamp("s"), pd.to_datetime(ff.naive_local(p["ts"], NY)).to_numpy()),
        ["--tz", NY], 1e-6),
    "string_timestamps": lambda p: (_typed(p, _pa().string(), ff.iso_offset(p["ts"], NY)), [],
                                    1e-6),
    "int64_epoch_ms": lambda p: (_typed(p, _pa().int64(), p["ts"].to_numpy() * 1000), [], 1e-6),
    "int32_epoch_s_float32_coords": lambda p: (_typed(
        p, _pa().int32(), p["ts"].to_numpy().astype("int32"), coord="float32"), [], 2e-5),
    "float64_epoch_s": lambda p: (_typed(p, _pa().float64(), p["ts"].to_numpy().astype(float)),
                                  [], 1e-6),
}


@pytest.mark.parametrize("name", sorted(PARQUET))
def test_the_same_pings_from_typed_parquet(name, reference, cli, tmp_path):
    pings, want = reference
    table, extra, atol = PARQUET[name](pings)
    path = tmp_path / "p.parquet"
    path.write_bytes(_parquet(table))
    [summary] = ingest(cli, tmp_path / "p.db", path, extra=extra)
    assert (summary["accepted"], summary["quarantined"]) == (len(pings), 0), summary
    same_pings(stored(tmp_path / "p.db"), want, atol=atol)


def test_integer_vehicle_ids_in_parquet_match_their_labels(cli, tmp_path):
    """A numeric id column (int32 in Parquet) is the same vehicle as '7' in labels.csv."""
    import pyarrow as pa
    vehicles = ff.commuters(3, ids=["7", "12", "99"])
    pings = ff.fleet(vehicles, 3)
    table = _typed(pings, pa.int64(), pings["ts"].to_numpy(),
                   id_values=pings["vehicle_id"].astype("int32").to_numpy())
    (tmp_path / "p.parquet").write_bytes(_parquet(table))
    write_csv(ff.labels_for(vehicles), tmp_path / "labels.csv")
    ingest(cli, tmp_path / "p.db", tmp_path / "p.parquet", tmp_path / "labels.csv")
    assert vehicle_ids(tmp_path / "p.db") == ["12", "7", "99"]


def _gpx(tracks) -> str:
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<gpx version="1.1" creator="someone else" xmlns="http://www.topografix.com/GPX/1/1">']
    for name, frame in tracks:
        out.append("<trk>" + (f"<name>{name}</name>" if name else "") + "<trkseg>")
        for t, lat, lon in zip(ff.iso_z(frame["ts"]), frame["lat"], frame["lon"]):
            out.append(f'<trkpt lat="{lat}" lon="{lon}"><time>{t}</time></trkpt>')
        out.append("</trkseg></trk>")
    out.append("</gpx>")
    return "\n".join(out)


def test_gpx_with_several_named_tracks_is_several_vehicles(reference, cli, tmp_path):
    pings, want = reference
    tracks = [(vid, frame) for vid, frame in pings.groupby("vehicle_id", sort=True)]
    (tmp_path / "fleet.gpx").write_text(_gpx(tracks), encoding="utf-8")
    [summary] = ingest(cli, tmp_path / "p.db", tmp_path / "fleet.gpx")
    assert (summary["accepted"], summary["quarantined"]) == (len(pings), 0), summary
    same_pings(stored(tmp_path / "p.db"), want)


# ------------------------------------------------------------------ ids other people use
IDS = {
    "html": ["<script>alert(1)</script>", "<b>bold</b>&amp;", "a'b\"c<d>e"],
    "others": ["007", "7", "0007",                         # leading zeros: three vehicles
               " car 1 ", "Müller's \"van\"", "車両-三",   # spaces, quotes, unicode
               "v" * 300, "w" * 1000,                      # long
               "a:1", "b|2|3", "c,d;e\tf"],                # place/range/CSV separators
}


@pytest.mark.parametrize("kind", _params(IDS, fast={"html"}))
def test_contract_with_ids_other_people_use(kind, cli, tmp_path):
    ids = IDS[kind]
    vehicles = ff.commuters(len(ids), ids=ids)
    pings_csv(ff.fleet(vehicles, 4), tmp_path / "pings.csv")
    write_csv(ff.labels_for(vehicles), tmp_path / "labels.csv")
    project = tmp_path / "p.db"
    ingest(cli, project, tmp_path / "pings.csv", tmp_path / "labels.csv")
    stored_ids = vehicle_ids(project)
    assert sorted(stored_ids) == sorted(v.strip() for v in ids)
    run_contract(cli, project, tmp_path, vehicles=stored_ids)


# ------------------------------------------------------------------ what the commands say
def test_infer_names_the_labeller_the_report_names(cli, tmp_path):
    """On a small fleet the training vehicles may choose the 02:00 baseline over the model;
    `auditor infer` said "a model trained on this project's labels" whatever was chosen, while
    `auditor report` named the baseline."""
    vehicles, pings, labels = _base(4, 4)
    pings_csv(pings, tmp_path / "pings.csv")
    write_csv(labels, tmp_path / "labels.csv")
    project = tmp_path / "p.db"
    ingest(cli, project, tmp_path / "pings.csv", tmp_path / "labels.csv")
    _, out, _ = cli("infer", project)
    [said] = [line.split(": ", 1)[1].rsplit("; baseline run", 1)[0]
              for line in out.splitlines() if line.startswith("labels of run")]
    report = cli.json("report", project)
    assert said == report["labels_source"]["text"]
    _, text, _ = cli("report", project)
    assert said in text


# ------------------------------------------------------------------ vehicle metadata from elsewhere
def _vehicles_and_pings(tmp_path, vehicles_csv: str):
    vehicles = ff.commuters(2, centre=(40.75, -73.98), tz=NY)
    pings_csv(ff.fleet(vehicles, 3), tmp_path / "pings.csv")
    (tmp_path / "vehicles.csv").write_text(vehicles_csv, encoding="utf-8")
    return tmp_path / "vehicles.csv", tmp_path / "pings.csv"


def test_a_timezone_that_is_no_zone_is_refused_at_import_naming_its_line(cli, tmp_path):
    """Imported without a word, 'Mars/Olympus' stopped every later infer with an error that
    named neither the file, the line nor the vehicle."""
    vehicles, pings = _vehicles_and_pings(
        tmp_path, "vehicle_id,fleet,timezone\ncar-0,a,America/New_York\ncar-1,b,UTC+2\n")
    project = tmp_path / "p.db"
    _, _, err = cli("ingest", project, vehicles, pings, ok=False)
    assert "vehicles.csv: line 3" in err and "'UTC+2'" in err and "IANA" in err
    assert "write Etc/GMT-2 (POSIX names invert the sign)" in err  # the name that is UTC+2
    assert not project.exists()
    # fixed (or left empty: 'not known'), the same files import and infer
    vehicles.write_text("vehicle_id,fleet,timezone\ncar-0,a,America/New_York\ncar-1,b,\n")
    ingest(cli, project, vehicles, pings)
    assert cli.json("infer", project)["vehicles"] == 2


def test_infer_names_the_vehicle_of_a_bad_stored_timezone(cli, tmp_path):
    """A project imported before the check above: infer still refuses, naming the vehicle."""
    vehicles, pings = _vehicles_and_pings(tmp_path, "vehicle_id,timezone\ncar-0,\ncar-1,\n")
    project = tmp_path / "p.db"
    ingest(cli, project, vehicles, pings)
    conn = sqlite3.connect(project)
    with conn:
        conn.execute("""UPDATE vehicles SET meta = '{"timezone": "Mars/Olympus"}'
                        WHERE vehicle_id = 'car-1'""")
    conn.close()
    _, _, err = cli("infer", project, ok=False)
    assert "'Mars/Olympus' of vehicle car-1" in err


@pytest.mark.parametrize("header", ["TimeZone", pytest.param("TIMEZONE", marks=pytest.mark.slow),
                                    pytest.param(" Timezone ", marks=pytest.mark.slow),
                                    # other names: 'tz' and 'time_zone' were metadata nobody read
                                    "tz", pytest.param("Time_Zone", marks=pytest.mark.slow)])
def test_a_timezone_header_in_other_case_is_the_vehicles_clock(header, cli, tmp_path):
    """Other headers match whatever their case; 'TimeZone' was kept as metadata nobody read,
    so local time silently came from the zone lookup instead of the file."""
    vehicles, pings = _vehicles_and_pings(
        tmp_path, f"VEHICLE_ID,{header},Fleet\ncar-0,{NY},a\ncar-1,{NY},b\n")
    project = tmp_path / "p.db"
    ingest(cli, project, vehicles, pings)
    cli("infer", project)
    clocks = cli.json("report", project)["local_time"]
    assert clocks["sources"] == {"metadata": 2}


def test_utc_spelled_as_a_word_is_utc(reference, cli, tmp_path):
    """BigQuery writes TIMESTAMP columns to CSV as '2025-03-03 07:00:00 UTC': every row was
    quarantined as bad_timestamp (and the import 'succeeded' with nothing in it)."""
    pings, want = reference
    path = tmp_path / "bq.csv"
    text = _text(pings, lambda t: [s.replace("T", " ").replace("Z", " UTC") for s in ff.iso_z(t)])
    text.loc[::2, "timestamp"] = text.loc[::2, "timestamp"].str.replace(" UTC", " GMT")
    path.write_bytes(_csv_bytes(text))
    [summary] = ingest(cli, tmp_path / "p.db", path)
    assert (summary["accepted"], summary["quarantined"]) == (len(pings), 0), summary
    same_pings(stored(tmp_path / "p.db"), want)


def test_a_comma_before_the_fraction_of_a_second(reference, cli, tmp_path):
    """ISO 8601 allows '08:00:00,250' (a European export's decimal comma): every such row was
    quarantined as bad_timestamp."""
    pings, want = reference
    path = tmp_path / "comma.csv"
    path.write_bytes(_csv_bytes(_text(pings, lambda t: [s.replace("Z", ",250Z")
                                                         for s in ff.iso_z(t)])))
    [summary] = ingest(cli, tmp_path / "p.db", path)
    assert (summary["accepted"], summary["quarantined"]) == (len(pings), 0), summary
    same_pings(stored(tmp_path / "p.db"), want)   # the fraction floored, as '.250' is


def test_the_wizard_reads_utc_as_a_word_as_a_stated_offset():
    from auditor.ingest.preview import timestamp_style
    assert timestamp_style(["2025-03-03 07:00:00 UTC"] * 3)[0] == "offset"
    assert timestamp_style(["2025-03-03 07:00:00"] * 3)[0] == "naive"


def test_drift_cell_west_of_greenwich_reads_as_a_range():
    """'lon -73.94--73.93' read as a typo; west and south of 0 the range says 'to'."""
    from auditor.analysis.sections.drift import render_text
    cell = {"lat_min": -33.88, "lat_max": -33.87, "lon_min": -73.94, "lon_max": -73.93,
            "change": -0.027}
    [line] = render_text({"skew": {"spatial_drift": {"cells": [cell]}}})
    assert "lat -33.88 to -33.87, lon -73.94 to -73.93" in line and "--" not in line


# ------------------------------------------------------------------ the map across ±180°
@pytest.fixture(scope="module")
def fiji(tmp_path_factory):
    """Two commuters in Fiji: one drives from 179.985° E to 179.975° W every day."""
    d = tmp_path_factory.mktemp("fiji")
    vehicles = [ff.Vehicle("cross", (-16.5, 179.985), (-16.52, -179.975), tz="Pacific/Fiji"),
                ff.Vehicle("plain", (-16.5, 179.90), (-16.53, 179.93), tz="Pacific/Fiji")]
    pings_csv(ff.fleet(vehicles, 4), d / "pings.csv")
    write_csv(ff.labels_for(vehicles), d / "labels.csv")
    assert main(["ingest", str(d / "p.db"), str(d / "pings.csv"), str(d / "labels.csv")]) == 0
    assert main(["infer", str(d / "p.db")]) == 0
    return d / "p.db"


def _drawn_lons(payload) -> list[float]:
    return ([p["lon"] for p in payload["places"]]
            + [c[1] for t in payload["trips"] for c in t["coords"]]
            + [c[1] for c in payload["track"]])


def test_a_vehicle_driving_across_the_antimeridian_is_mapped_where_it_drives(fiji):
    """Its home at 179.985° and work at -179.975° were drawn at the two edges of the world:
    the map opened at world zoom with a 2 km commute as a line round the globe."""
    from auditor.maps.vehicle_map import vehicle_payload
    from auditor.store import open_project
    conn = open_project(fiji, create=False)
    try:
        cross = vehicle_payload(conn, "cross")
        plain = vehicle_payload(conn, "plain")
    finally:
        conn.close()
    (south, west), (north, east) = cross["bounds"]
    assert east - west < 0.2 and north - south < 0.2
    lons = _drawn_lons(cross)
    assert max(lons) - min(lons) < 0.2 and min(lons) > 179.8  # one side: 180.025° for -179.975°
    assert len({round(p["lon"]) for p in cross["places"]}) == 1
    # a vehicle that does not cross keeps its coordinates as stored
    assert all(-180 <= lon <= 180 for lon in _drawn_lons(plain))
    (_, w), (_, e) = plain["bounds"]
    assert 179.8 < w < e < 180


def test_the_map_command_on_the_crossing_vehicle(fiji, cli, tmp_path):
    cli("map", fiji, "--vehicle", "cross", "--out", tmp_path / "cross.html")
    html = (tmp_path / "cross.html").read_text(encoding="utf-8")
    payload = html[html.index('"bounds":'):][:80]
    assert "-179." not in payload  # opened on the east side of the line, not the whole world


def test_a_vehicle_parking_on_the_antimeridian_has_one_home_there(cli, tmp_path):
    """Taveuni (Fiji) lies on 180°: a car parked there reports 179.99998 one time and
    -179.99998 the next. Its stops were averaged to longitude 0 (the Gulf of Guinea), its one
    home split into places at both edges of the world, and every trip across the line was
    40,000 km long."""
    home, work = (-16.8, 179.99998), (-16.83, 179.97)
    v = ff.Vehicle("taveuni", home, work, tz="Pacific/Fiji")
    pings = ff.fleet([v], 5)
    at_home = np.flatnonzero(np.isclose(pings["lon"], home[1], atol=1e-9, rtol=0))
    pings.loc[at_home[1::2], "lon"] = -home[1]  # the same spot, the other side of the line
    pings_csv(pings, tmp_path / "pings.csv")
    write_csv(ff.labels_for([v]), tmp_path / "labels.csv")
    project = tmp_path / "p.db"
    ingest(cli, project, tmp_path / "pings.csv", tmp_path / "labels.csv")
    infer = cli.json("infer", project)
    assert infer["places"] == 2 and infer["labelled_places"] == 2
    conn = sqlite3.connect(project)
    try:
        stop_lons = [lon for (lon,) in conn.execute("SELECT lon FROM stops")]
        place_lons = sorted(lon for (lon,) in conn.execute("SELECT lon FROM places"))
        longest = conn.execute("SELECT MAX(distance_m) FROM trips").fetchone()[0]
    finally:
        conn.close()
    assert min(abs(lon) for lon in stop_lons) > 179.9
    assert all(-180 <= lon < 180 for lon in place_lons + stop_lons)
    assert abs(place_lons[0]) > 179.999 and abs(place_lons[1] - work[1]) < 1e-3
    assert longest < 10_000


def test_no_population_figures_is_said_not_left_as_an_empty_heading():
    """One vehicle (or none labelled): 'Accuracy by population (…):' stood over nothing."""
    from auditor.analysis.sections.validation import render_text
    lines = render_text({"run_id": 2, "validation": {
        "status": "no validation vehicles", "by_population": {"metadata": {}, "schedule": []}}})
    assert lines[-1].startswith("Accuracy by population") and lines[-1].endswith(
        "none (no population has out-of-fold predictions)")


def test_a_fleet_where_no_vehicle_ever_parks(cli, tmp_path, recwarn):
    """Thousands of vehicles with two pings each (a sample of a feed): no stops, no places,
    so none of the labels can match. The report says so without numpy's warnings about empty
    columns on the terminal, and export names what happened to the labels instead of saying
    the project has none."""
    rng = np.random.default_rng(0)
    n = 300
    frame = pd.DataFrame({
        "vehicle_id": np.repeat([f"car{i}" for i in range(n)], 2),
        "timestamp": 1772438400 + np.tile([0, 600], n) + np.repeat(rng.integers(0, 5 * 86400, n), 2),
        "lat": 41.8 + np.repeat(rng.random(n), 2) * 0.2 + np.tile([0, 0.01], n),
        "lon": -87.6 + np.repeat(rng.random(n), 2) * 0.2})
    write_csv(frame, tmp_path / "pings.csv")
    write_csv(pd.DataFrame({"vehicle_id": [f"car{i}" for i in range(0, n, 3)], "label": "home",
                            "lat": 41.9, "lon": -87.5}), tmp_path / "labels.csv")
    project = tmp_path / "p.db"
    ingest(cli, project, tmp_path / "pings.csv", tmp_path / "labels.csv")
    assert cli.json("infer", project)["places"] == 0
    recwarn.clear()
    cli("report", project)
    assert [str(w.message) for w in recwarn if issubclass(w.category, RuntimeWarning)] == []
    _, _, err = cli("export", project, tmp_path / "out", ok=False)
    assert "none of the project's 100 labels matched a place" in err
    assert "vehicle_has_no_places: 100" in err and not (tmp_path / "out").exists()


def test_ids_a_spreadsheet_wrote_without_leading_zeros_are_named(cli, tmp_path):
    """The pings say '007', the labels and vehicles files (saved through a spreadsheet) say
    '7': every label matched no vehicle and the metadata went unused, with only
    'vehicle_has_no_pings' to show for it. Infer now names the ids and the fix, and once the
    files say '007' the labels match."""
    vehicles = ff.commuters(3, centre=(40.75, -73.98), tz=NY)
    frame = ff.fleet(vehicles, 4)
    ids = sorted(frame["vehicle_id"].unique())
    rename = {v: f"{i + 7:03d}" for i, v in enumerate(ids)}  # '007', '008', '009'
    frame["vehicle_id"] = frame["vehicle_id"].map(rename)
    pings_csv(frame, tmp_path / "pings.csv")
    labels = ff.labels_for(vehicles).assign(vehicle_id=lambda f: f["vehicle_id"].map(rename))
    write_csv(labels.assign(vehicle_id=labels["vehicle_id"].str.lstrip("0")),
              tmp_path / "labels.csv")
    write_csv(pd.DataFrame({"vehicle_id": [str(int(v)) for v in rename.values()],
                            "timezone": NY}), tmp_path / "vehicles.csv")
    project = tmp_path / "p.db"
    ingest(cli, project, tmp_path / "vehicles.csv", tmp_path / "pings.csv",
           tmp_path / "labels.csv")
    out = cli.json("infer", project)
    assert out["matched_labels"] == 0
    assert out["ids_written_differently"] == {
        "labels": {str(int(v)): v for v in rename.values()},
        "vehicles": {str(int(v)): v for v in rename.values()}}
    _, text, _ = cli("infer", project)
    assert "3 vehicle id(s) of the labels file differ from the pings' only in leading zeros " \
           "or letter case (e.g. '7' for '007')" in text
    assert "so their metadata (timezone, populations) is not used" in text
    write_csv(labels, tmp_path / "labels-007.csv")
    ingest(cli, project, tmp_path / "labels-007.csv")
    out = cli.json("infer", project)
    assert out["matched_labels"] == len(labels) and out["ids_written_differently"]["labels"] == {}



def _campus_files(tmp_path) -> tuple[list[Path], list[str]]:
    """Six commuters; three work on one site whose two car parks lie 330 m and 370 m from the
    gate the labels give (a geocoded address), parking at one or the other by the day."""
    from datetime import timedelta
    gate = (48.20, 11.50)
    lots = [ff.offset(gate, 330, 0), ff.offset(gate, -250, 270)]
    vehicles = ff.commuters(6)
    frames = []
    for i, v in enumerate(vehicles):
        for d in range(10):
            day = ff.Vehicle(**{**v.__dict__, "work": lots[(d + i) % 2] if i < 3 else v.work})
            frames.append(ff.commute_pings(day, 1, ff.START + timedelta(days=d)))
    on_site = [v.vehicle_id for v in vehicles[:3]]
    for v in vehicles[:3]:
        v.work = gate
    return [pings_csv(pd.concat(frames, ignore_index=True), tmp_path / "pings.csv"),
            write_csv(ff.labels_for(vehicles, jitter_m=0), tmp_path / "labels.csv")], on_site


def test_a_site_whose_car_parks_lie_beyond_the_label_radius(cli, tmp_path):
    """A work label at a site's gate, 330-370 m from the car parks its cars use: it matched no
    place (fine), but its vehicle's car parks were then trained on as 'other' — the model
    learnt that a workplace is no workplace. Places within twice the radius of a label that
    went unused now carry no given label; infer
    names the labels and the radius that would match them; --label-radius sets it, and later
    runs (the window's Run ▸ Infer too) keep it."""
    files, on_site = _campus_files(tmp_path)
    project = tmp_path / "p.db"
    ingest(cli, project, *files)
    _, text, _ = cli("infer", project)
    assert "3 label(s) lie 330 m from their vehicle's nearest place, beyond the 250 m" in text
    assert f"'auditor infer {project} --label-radius 350' matches them" in text

    def given(vehicle):
        with sqlite3.connect(project) as conn:
            return dict(conn.execute(
                "SELECT p.place_id, p.given_label FROM predictions p JOIN places USING "
                "(place_id) WHERE run_id = (SELECT MAX(run_id) FROM runs) AND p.vehicle_id = ? "
                "AND n_stops >= 3", (vehicle,)))
    for vehicle in on_site:  # home, both car parks (4 stops or more each); nothing is 'other'
        assert sorted(given(vehicle).values(), key=str) == [None, None, "home"]
    # the analyst looks at the map: both car parks are the site's, the farther at 370 m
    out = cli.json("infer", project, "--label-radius", "400")
    assert out["matched_labels"] == 12 and out["unmatched_near"]["labels"] == 0
    assert out["kept_settings"] == {}
    for vehicle in on_site:  # the nearer car park is work, the other one 'other' (flag it)
        assert sorted(given(vehicle).values(), key=str) == ["home", "other", "work"]
    out = cli.json("infer", project)
    assert out["kept_settings"] == {"label_radius_m": 400.0} and out["matched_labels"] == 12
    _, text, _ = cli("infer", project)
    assert "settings kept from the latest run: 400 m (--label-radius)" in text
    assert cli.json("infer", project, "--label-radius", "250")["matched_labels"] == 9
    assert cli("infer", project, "--label-radius", "0", ok=False)[2].startswith(
        "error: --label-radius 0: give a distance in metres from 1 to 2,000")
    assert "give no other setting" in cli("infer", project, "--rerun", "2", "--label-radius",
                                          "300", ok=False)[2]


@pytest.mark.parametrize("every_s", [1, 60])
def test_loggers_that_never_sleep_park_where_they_stand(every_s, cli, tmp_path):
    """Devices that keep reporting while parked (every second, or every minute), with a parked
    receiver's jitter and multipath outliers: no silence ever ended a trip, so a fleet of
    commuters was 'N trips, 0 stops, 0 places' and no label matched. Standing still for longer
    than the gap now parks a car, where it stood."""
    vehicles = ff.commuters(2 if every_s == 1 else 4)  # 1 Hz: 350k pings in two days
    days = 2 if every_s == 1 else 7
    pings = ff.always_on(ff.fleet(vehicles, days), every_s, seed=every_s)
    files = [pings_csv(pings, tmp_path / "pings.csv"),
             write_csv(ff.labels_for(vehicles), tmp_path / "labels.csv")]
    project = tmp_path / "p.db"
    ingest(cli, project, *files)
    out = cli.json("infer", project)
    assert out["matched_labels"] == 2 * len(vehicles) and out["places"] <= 3 * len(vehicles)
    with sqlite3.connect(project) as conn:
        homes = conn.execute(
            "SELECT pl.vehicle_id, pl.lat, pl.lon FROM predictions p JOIN places pl USING "
            "(place_id) WHERE p.run_id = ? AND p.predicted_label = 'home' ORDER BY 1",
            (out["run_id"],)).fetchall()
    truth = {v.vehicle_id: v.home for v in vehicles}
    assert [v for v, _, _ in homes] == sorted(truth)
    assert all(haversine_m(lat, lon, *truth[v]) < 30 for v, lat, lon in homes)


def test_labels_joined_to_the_wrong_vehicles_are_named(cli, tmp_path):
    """A labels file joined on the wrong key (each vehicle given the next one's labels): every
    label lay thousands of metres from its vehicle's places — right at another vehicle's — and
    infer said only 'no_place_within_250m', the report 'the coordinates may be wrong'."""
    vehicles = ff.commuters(4)
    pings_csv(ff.fleet(vehicles, 5), tmp_path / "pings.csv")
    labels = ff.labels_for(vehicles)
    ids = [v.vehicle_id for v in vehicles]
    shifted = labels.assign(vehicle_id=labels["vehicle_id"].map(dict(zip(ids, ids[1:] + ids[:1]))))
    write_csv(shifted, tmp_path / "labels.csv")
    project = tmp_path / "p.db"
    ingest(cli, project, tmp_path / "pings.csv", tmp_path / "labels.csv")
    out = cli.json("infer", project)
    assert out["matched_labels"] == 0
    assert out["unmatched_at_other_vehicles"]["labels"] == 8
    _, text, _ = cli("infer", project)
    assert "8 of the 8 labels with no place of their vehicle near lie at another vehicle's " \
           "place (car-1's home label at place car-0:" in text
    assert "the labels' vehicle ids look wrong" in text
    _, report, _ = cli("report", project)
    assert "of vehicle car-0: is it that vehicle's label, under the wrong id?" in report
    # two such labels of 91 are those labels' ids, or labels at a place (a shop, a shared
    # site) their vehicle never went: not the file's join
    from auditor.pipeline.command import other_vehicles_hint
    few = {"matched_labels": 85, "unmatched_labels": 6, "unmatched_at_other_vehicles": {
        "labels": 2, "of_far": 4, "examples": ["a's home label at place b:0 (19 m)"]}}
    hint = other_vehicles_hint(few)
    assert "b:0 (19 m)): their vehicle ids may be wrong, or they name a place" in hint
    assert "joined on the wrong key" not in hint
    # the right ids: nothing to say
    write_csv(labels, tmp_path / "labels-right.csv")
    ingest(cli, project, tmp_path / "labels-right.csv", extra=("--replace",))
    out = cli.json("infer", project)
    assert out["matched_labels"] == 8 and out["unmatched_at_other_vehicles"]["labels"] == 0


def test_infer_says_whose_trip_ids_it_set_aside(cli, tmp_path):
    """A trip_id column of dates: the trips come out as without it, and infer says why."""
    vehicles = ff.commuters(3)
    pings = ff.fleet(vehicles, 4)
    plain = tmp_path / "plain.db"
    ingest(cli, plain, pings_csv(pings, tmp_path / "plain.csv"))
    dated = pings.assign(trip_id=pd.to_datetime(pings["ts"], unit="s").dt.strftime("%Y-%m-%d"),
                         timestamp=ff.iso_z(pings["ts"]))
    project = tmp_path / "p.db"
    ingest(cli, project, write_csv(dated[["vehicle_id", "timestamp", "lat", "lon", "trip_id"]],
                                   tmp_path / "dated.csv"))
    out, reference = cli.json("infer", project), cli.json("infer", plain)
    assert out["trip_ids_set_aside"] == sorted(v.vehicle_id for v in vehicles)
    assert (out["trips"], out["stops"], out["places"]) == (
        reference["trips"], reference["stops"], reference["places"])
    _, text, _ = cli("infer", project)
    assert "trip ids of 3 vehicle(s) set aside (car-0, car-1, car-2): one of each lasted " \
           "through hours parked" in text
    assert reference["trip_ids_set_aside"] == []


def test_labels_rounded_to_two_decimals_match_their_places(cli, tmp_path):
    """A labels file rounded to 2 decimals for privacy (each label up to ~650 m from its
    point): most labels lay beyond the 250 m radius, matched nothing, and infer asked for a
    wider radius twice over. Rounded labels reach as far as their rounding, and infer says so."""
    vehicles = ff.commuters(8)
    labels = ff.labels_for(vehicles).round({"lat": 2, "lon": 2})
    truth = ff.labels_for(vehicles)
    off = haversine_m(labels["lat"], labels["lon"], truth["lat"], truth["lon"])
    assert (off > 250).sum() >= len(labels) // 2   # the rounding alone puts them out of reach
    files = [pings_csv(ff.fleet(vehicles, 10), tmp_path / "pings.csv"),
             write_csv(labels, tmp_path / "labels.csv")]
    project = tmp_path / "p.db"
    ingest(cli, project, *files)
    out = cli.json("infer", project)
    assert out["matched_labels"] == len(labels) == 16
    assert out["labels_rounded"]["labels"] == 16 and out["labels_rounded"]["decimals"] == 2
    assert 600 < out["labels_rounded"]["up_to_m"] < 700
    _, text, _ = cli("infer", project)
    assert "16 label(s) have their coordinates rounded (to as few as 2 decimal(s)): one may " \
           "lie up to" in text
    with sqlite3.connect(project) as conn:
        got = dict(conn.execute(
            "SELECT p.place_id, p.given_label FROM predictions p WHERE p.run_id = ? "
            "AND p.given_label IN ('home', 'work')", (out["run_id"],)))
        where = {pid: (lat, lon) for pid, lat, lon in conn.execute(
            "SELECT place_id, lat, lon FROM places")}
    # each label went to its own vehicle's home or workplace, not a place near it
    for v in vehicles:
        for kind, point in (("home", v.home), ("work", v.work)):
            pid = [p for p, k in got.items() if k == kind and p.startswith(v.vehicle_id + ":")]
            assert len(pid) == 1
            assert haversine_m(*where[pid[0]], *point) < 100


def test_a_phone_apps_gpx_of_a_track_a_day_is_one_vehicle(reference, cli, tmp_path):
    """A tracker app's export: one car, a track a day named by its date. Each track was read
    as a vehicle — one car became eight 'vehicles' of a day each, with no home to find. Tracks
    that follow one another in time are one vehicle's log, named after the file; tracks that
    overlap (a fleet in one file) stay a vehicle each."""
    pings, want = reference
    car = pings[pings["vehicle_id"] == pings["vehicle_id"].iloc[0]]
    day = pd.to_datetime(car["ts"], unit="s", utc=True).dt.strftime("%Y-%m-%d")
    tracks = [(f"{d} drives", frame) for d, frame in car.groupby(day.to_numpy(), sort=True)]
    assert len(tracks) >= 6
    (tmp_path / "my-car.gpx").write_text(_gpx(tracks), encoding="utf-8")
    project = tmp_path / "p.db"
    [summary] = ingest(cli, project, tmp_path / "my-car.gpx")
    assert summary["gpx_tracks_one_vehicle"] == {"tracks": len(tracks), "vehicle": "my-car"}
    assert vehicle_ids(project) == ["my-car"]
    out = cli.json("infer", project)
    assert out["vehicles"] == 1 and out["places"] >= 2
    _, text, _ = cli("ingest", tmp_path / "q.db", tmp_path / "my-car.gpx")
    assert f"its {len(tracks)} tracks follow one another in time" in text
