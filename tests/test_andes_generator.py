"""The 'andes' synthetic fleet (Chile + Mexico), read back the way an importer would: pandas, gzip,
json and plain string splitting, following the conventions its module docstring states."""

from __future__ import annotations

import functools
import gzip
import importlib.util
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
N_VEHICLES, N_DAYS, SEED = 15, 28, 3


def _module():
    spec = importlib.util.spec_from_file_location("andes_fleet", ROOT / "bench" / "fleets" / "andes.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def andes():
    return _module()


@pytest.fixture(scope="module")
def fleet(andes, tmp_path_factory):
    return andes.write_andes_fleet(tmp_path_factory.mktemp("andes") / "f", N_VEHICLES, N_DAYS, SEED)


def _one(folder, pattern):
    (path,) = sorted(Path(folder).glob(pattern))
    return path


def _metres(lat, lon, p):
    lat, lon = np.asarray(lat, float), np.asarray(lon, float)
    return np.hypot((lat - p[0]) * 111_320, (lon - p[1]) * 111_320 * np.cos(np.radians(p[0])))


# ---------------------------------------------------------------------------------------- readers
def read_cl(folder):
    raw = pd.read_csv(
        _one(folder, "CL_gpschile_*.csv"), sep=";", encoding="cp1252", dtype=str, keep_default_na=False
    )
    df = raw.copy()
    for col in ("Latitud", "Longitud"):
        df[col] = df[col].str.replace(",", ".").astype(float)
    df["Satélites"] = df["Satélites"].astype(int)
    wall = pd.to_datetime(df["Fecha"] + " " + df["Hora"], format="%d-%m-%Y %H:%M:%S")
    # rows are chronological per vehicle: a wall clock that does not advance (other than in a
    # byte-identical resent row) starts the second pass of the repeated DST hour
    resent = raw.eq(raw.shift()).all(axis=1)
    back = (wall.groupby(df["Patente"]).diff().dt.total_seconds() <= 0) & ~resent
    second_pass = back.astype(int)
    second_pass = second_pass.groupby(df["Patente"]).cumsum() > 0
    df["second_pass"] = second_pass
    df["t"] = wall.dt.tz_localize("America/Santiago", ambiguous=~second_pass.to_numpy()).dt.tz_convert("UTC")
    return raw, df


def read_nmea(folder):
    with gzip.open(_one(folder, "CL_faena_*.log.gz"), "rt", encoding="ascii") as fh:
        lines = fh.read().splitlines()
    return lines


def nmea_fixes(lines, wnro):
    rows = []
    for line in lines:
        vid, sentence = line.split("|", 1)
        if sentence.startswith("$GPRMC"):
            f = sentence.split("*")[0].split(",")
            if f[2] == "A":
                rows.append((vid, f[9] + f[1][:6], f[3], f[4], f[5], f[6]))
    d = pd.DataFrame(rows, columns=["vid", "dt", "lat", "ns", "lon", "ew"])
    t = pd.to_datetime(d["dt"], format="%d%m%y%H%M%S", utc=True)
    t = t + pd.to_timedelta(np.where(d["vid"].isin(wnro), 7168, 0), unit="D")
    lat = d["lat"].str[:2].astype(float) + d["lat"].str[2:].astype(float) / 60
    lon = d["lon"].str[:3].astype(float) + d["lon"].str[3:].astype(float) / 60
    return pd.DataFrame(
        {
            "vid": d["vid"],
            "t": t,
            "lat": np.where(d["ns"] == "S", -lat, lat),
            "lon": np.where(d["ew"] == "W", -lon, lon),
        }
    )


def read_queclink(folder):
    lines = _one(folder, "MX_juarez_gv300_*.log").read_text(encoding="ascii").splitlines()
    rows = []
    for line in lines:
        f = line.rstrip("$").split(",")
        if f[0].endswith("GTFRI"):
            rows.append((f[0], f[2], f[7], f[12], f[11], f[13], f[28]))
        else:
            rows.append((f[0], f[2], f[5], f[10], f[9], f[11], f[19]))
    d = pd.DataFrame(rows, columns=["head", "vid", "acc", "lat", "lon", "gps", "send"])
    d["t"] = pd.to_datetime(d["gps"], format="%Y%m%d%H%M%S", utc=True, errors="coerce")
    d["send_t"] = pd.to_datetime(d["send"], format="%Y%m%d%H%M%S", utc=True)
    d["lat"] = pd.to_numeric(d["lat"], errors="coerce")
    d["lon"] = pd.to_numeric(d["lon"], errors="coerce")
    return lines, d


def read_obd(folder):
    path = _one(folder, "MX_monterrey_obd_*.jsonl")
    lines = path.read_text(encoding="utf-8").splitlines()
    d = pd.DataFrame([json.loads(x) for x in lines])
    (zone,) = d["zona_horaria"].unique()
    d["t"] = pd.to_datetime(d["fecha_local"]).dt.tz_localize(zone).dt.tz_convert("UTC")
    d["recv"] = pd.to_datetime(d["recibido_utc"], utc=True)
    return lines, d


def all_fixes(folder, truth):
    _, cl = read_cl(folder)
    wnro = truth["faults"]["gps_week_rollover"]["vehicles"]
    _, qc = read_queclink(folder)
    _, obd = read_obd(folder)
    parts = [
        cl.rename(columns={"Patente": "vid", "Latitud": "lat", "Longitud": "lon"}),
        nmea_fixes(read_nmea(folder), wnro),
        qc.dropna(subset=["lat", "t"]),
        obd.rename(columns={"placa": "vid", "latitud": "lat", "longitud": "lon"}),
    ]
    return pd.concat([p[["vid", "t", "lat", "lon"]] for p in parts], ignore_index=True)


# ---------------------------------------------------------------------------------------- tests
def test_same_seed_same_bytes_other_seed_differs(andes, tmp_path):
    fleet = andes.write_andes_fleet(tmp_path / "first", N_VEHICLES, 10, SEED)
    again = andes.write_andes_fleet(tmp_path / "again", N_VEHICLES, 10, SEED)
    other = andes.write_andes_fleet(tmp_path / "other", N_VEHICLES, 10, SEED + 1)
    names = sorted(p.name for p in fleet.iterdir())
    assert len(names) == 7 and names == sorted(p.name for p in again.iterdir())
    assert {"labels.csv", "vehicles.csv", "truth.json"} <= set(names)
    for name in names:
        assert (fleet / name).read_bytes() == (again / name).read_bytes(), name
        assert (fleet / name).read_bytes() != (other / name).read_bytes(), name


def test_truth_matches_the_pings(fleet):
    truth = json.loads((fleet / "truth.json").read_text(encoding="utf-8"))
    fixes = all_fixes(fleet, truth).sort_values(["vid", "t"], kind="stable")
    vehicles = pd.read_csv(fleet / "vehicles.csv", dtype=str)
    assert set(vehicles["vehicle_id"]) == set(truth["vehicles"]) == set(fixes["vid"])
    assert len(truth["vehicles"]) == N_VEHICLES and len({v["kind"] for v in truth["vehicles"].values()}) == 15

    home_share, work_share = {}, {}
    for vid, tv in truth["vehicles"].items():
        g = fixes[fixes["vid"] == vid]
        local = g["t"].dt.tz_convert(tv["schedule_tz"])
        # where the vehicle is at 03:00 local: its last fix at or before that time
        nights = pd.date_range(
            local.min().normalize() + pd.Timedelta(days=1), local.max().normalize(), freq="D"
        ) + pd.Timedelta(hours=3)
        idx = np.searchsorted(g["t"].to_numpy(), nights.tz_convert("UTC").to_numpy(), side="right") - 1
        idx = idx[idx >= 0]
        home_share[(vid, tv["kind"])] = float(
            (_metres(g["lat"].to_numpy()[idx], g["lon"].to_numpy()[idx], tv["home"]) < 300).mean()
        )
        if tv["work"] is not None:
            near = _metres(g["lat"], g["lon"], tv["work"]) < 300
            work_share[vid] = local[near].dt.date.nunique() / local.dt.date.nunique()
        if tv.get("weekend_place"):
            assert (_metres(g["lat"], g["lon"], tv["weekend_place"]) < 300).sum() > 0, vid
    assert min(home_share.values()) >= 0.45, home_share
    assert np.median(list(home_share.values())) >= 0.85, home_share
    assert min(work_share.values()) >= 0.3, work_share
    nulls = {tv["kind"] for tv in truth["vehicles"].values() if tv["work"] is None}
    assert nulls == {"colectivo_valparaiso", "bus_acercamiento_calama"}

    labels = pd.read_csv(fleet / "labels.csv", dtype={"vehicle_id": str})
    assert set(labels["vehicle_id"]) <= set(truth["vehicles"]) and set(labels["label"]) <= {"home", "work"}
    wrong = {(w["vehicle_id"], w["label"]) for w in truth["wrong_labels"]}
    assert 1 <= len(wrong) <= max(2, 0.1 * len(labels))
    for row in labels.itertuples():
        d = _metres(row.lat, row.lon, truth["vehicles"][row.vehicle_id][row.label])
        assert (d > 500) if (row.vehicle_id, row.label) in wrong else (d < 80), row


def test_planted_faults_are_in_the_files(fleet):
    truth = json.loads((fleet / "truth.json").read_text(encoding="utf-8"))
    faults = truth["faults"]

    # CSV: resent rows, tunnels, multipath jumps, the repeated DST hour
    raw, cl = read_cl(fleet)
    dup = raw.eq(raw.shift()).all(axis=1).to_numpy()
    assert dup.sum() == faults["resent_duplicate_rows"]["rows"] > 0
    cl = cl[~dup].reset_index(drop=True)
    tun = cl["Satélites"] == 0
    assert tun.sum() == faults["tunnel_no_fix"]["rows"] > 0
    assert set(cl.loc[tun, "Patente"]) == set(faults["tunnel_no_fix"]["vehicles"])
    prev = cl.shift()
    assert ((cl["Latitud"] == prev["Latitud"]) & (cl["Longitud"] == prev["Longitud"]))[tun].all()
    assert (cl.loc[tun, "Velocidad (km/h)"] == "0").all()
    nxt = cl.shift(-1)
    weak = (cl["Ignición"] == "Encendida") & cl["Satélites"].between(1, 6)
    assert weak.sum() == faults["multipath_jump"]["rows"] > 0
    assert set(cl.loc[weak, "Patente"]) == set(faults["multipath_jump"]["vehicles"])
    assert ((prev["Patente"] == cl["Patente"]) & (nxt["Patente"] == cl["Patente"]))[weak].all()
    mid = ((prev["Latitud"] + nxt["Latitud"]) / 2, (prev["Longitud"] + nxt["Longitud"]) / 2)
    off_mid = np.hypot((cl["Latitud"] - mid[0]) * 111_320, (cl["Longitud"] - mid[1]) * 93_000)
    assert (off_mid[weak] > 120).mean() > 0.9
    assert off_mid[weak].median() > 10 * off_mid[~weak & ~tun & (cl["Ignición"] == "Encendida")].median()
    raw_wall = raw["Fecha"].eq("06-04-2024") & raw["Hora"].str.startswith("23:")
    _, cl_all = read_cl(fleet)
    dst = faults["dst_repeated_hour"]
    assert (raw_wall & ~cl_all["second_pass"]).sum() == dst["rows_first_pass_utc-3"] > 0
    assert (raw_wall & cl_all["second_pass"]).sum() == dst["rows_second_pass_utc-4"] > 0

    # NMEA: valid checksums, void sentences at power-up, the GPS week rollover
    lines = read_nmea(fleet)
    body = [x.split("|", 1)[1] for x in lines]
    assert all(
        functools.reduce(lambda a, c: a ^ ord(c), s[1 : s.index("*")], 0) == int(s[-2:], 16)
        for s in body[::97]
    )
    rmc = [s.split(",") for s in body if s.startswith("$GPRMC")]
    gga = [s.split(",") for s in body if s.startswith("$GPGGA")]
    assert sum(f[2] == "V" for f in rmc) == faults["void_fix_at_power_up"]["rmc_sentences"] > 0
    assert sum(f[6] == "0" for f in gga) == faults["void_fix_at_power_up"]["gga_sentences"]
    ids = [x.split("|", 1)[0] for x in lines if "$GPRMC" in x]
    years = {(vid, f[9][4:6]) for vid, f in zip(ids, rmc)}
    wnro = set(faults["gps_week_rollover"]["vehicles"])
    assert wnro and {y for v, y in years if v in wnro} == {"04"}
    assert {y for v, y in years if v not in wnro} == {"24"}

    # Queclink: +BUFF lines sent late and out of GPS order, retransmissions, no-fix reports
    qlines, qc = read_queclink(fleet)
    assert len(qlines) - len(set(qlines)) == faults["retransmitted_duplicates"]["lines"] > 0
    first = ~pd.Series(qlines).duplicated().to_numpy()
    qc = qc[first].reset_index(drop=True)
    buff = qc["head"].str.startswith("+BUFF:")
    assert buff.sum() == faults["buffered_out_of_order"]["lines"] > 0
    assert set(qc.loc[buff, "vid"]) == set(faults["buffered_out_of_order"]["vehicles"])
    late = (qc["send_t"] - qc["t"]).dt.total_seconds()
    assert (late[buff] > 60).mean() > 0.95 and (late[~buff & qc["t"].notna()] < 10).all()
    backwards = qc.groupby("vid")["t"].apply(lambda s: (s.dropna().diff().dt.total_seconds() < 0).sum())
    assert (backwards[list(faults["buffered_out_of_order"]["vehicles"])] > 0).all()
    nofix = (qc["acc"] == "0") & qc["lat"].isna() & qc["t"].isna()
    assert nofix.sum() == faults["no_gps_fix_reports"]["lines"] > 0
    assert qc.loc[~nofix, ["lat", "lon", "t"]].notna().all().all()

    # OBD JSONL: repeated page tails, stale DST tables one hour ahead after 2024-04-07 08:00 UTC
    jlines, obd = read_obd(fleet)
    assert len(jlines) - len(set(jlines)) == faults["page_overlap_duplicates"]["records"] > 0
    obd = obd[~pd.Series(jlines).duplicated().to_numpy()]
    ahead = (obd["t"] - obd["recv"]).dt.total_seconds()
    stale = obd["placa"].isin(faults["stale_dst_table"]["vehicles"])
    after = obd["recv"] >= pd.Timestamp(faults["stale_dst_table"]["from_utc"]) + pd.Timedelta(minutes=1)
    assert (ahead > 1800).sum() == faults["stale_dst_table"]["records"] > 0
    assert ahead[stale & after].between(3500, 3600).all() and ahead[~(stale & after)].between(-40, 0).all()
