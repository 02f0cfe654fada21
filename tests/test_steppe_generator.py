"""The 'steppe' synthetic fleet (bench/fleets/steppe.py), read back the way an importer would:
the Wialon exports as cp1251 ';' text with decimal commas, the Traccar dump as UTF-8 CSV with
psql '+07' offsets, the taxi park's parquet with UTC timestamps."""
from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "bench" / "fleets" / "steppe.py"
N_VEH, N_DAYS = 14, 21  # 21 days from Monday 12.02.2024: reaches past the 01.03.2024 clock change
PING_FILES = ["wialon_almaty.csv", "wialon_astana.csv", "taxopark_tracks.parquet", "traccar_positions.csv"]


def _generate(out: Path, seed: int) -> Path:
    subprocess.run([sys.executable, str(SCRIPT), str(out), "--vehicles", str(N_VEH), "--days", str(N_DAYS),
                    "--seed", str(seed)], check=True, capture_output=True)
    return out


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    return _generate(tmp_path_factory.mktemp("steppe") / "seed0", 0)


def _km(lat1, lon1, lat2, lon2):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(np.minimum(h, 1.0)))


def _read_wialon(path: Path):
    """cp1251, ';', decimal commas, naive 'dd.mm.yyyy HH:MM:SS'; weekly chunks each repeat the header."""
    text = path.read_bytes().decode("cp1251")
    df = pd.read_csv(io.StringIO(text), sep=";", dtype=str)
    headers = int((df["№"] == "№").sum())
    df = df[df["№"] != "№"].reset_index(drop=True)
    df["wall"] = pd.to_datetime(df["Время"], format="%d.%m.%Y %H:%M:%S")
    for c in ("Широта", "Долгота"):
        df[c] = df[c].str.replace(",", ".").astype(float)
    return df, headers


def _wialon_utc(df, fixed_plus6: bool):
    if fixed_plus6:  # the Astana account's profile zone: a fixed UTC+06:00
        return (df["wall"] - pd.Timedelta(hours=6)).dt.tz_localize("UTC")
    # Asia/Almaty wall clock; the repeated hour 23:00-23:59 of 29.02 is dropped here (it is ambiguous)
    return df["wall"].dt.tz_localize("Asia/Almaty", ambiguous="NaT").dt.tz_convert("UTC")


def _fixes(folder: Path):
    """vehicle id -> DataFrame(utc, lat, lon), ids spelled as the ping files spell them."""
    out = []
    for name, plus6 in (("wialon_almaty.csv", False), ("wialon_astana.csv", True)):
        if (folder / name).exists():
            df, _ = _read_wialon(folder / name)
            out.append(pd.DataFrame({"vid": df["Объект"], "utc": _wialon_utc(df, plus6),
                                     "lat": df["Широта"], "lon": df["Долгота"], "phone": False}))
    if (folder / "traccar_positions.csv").exists():
        tr = pd.read_csv(folder / "traccar_positions.csv")
        tr = tr[tr["valid"] == "t"]
        fix = pd.to_datetime(tr["fixtime"], format="ISO8601", utc=True)
        out.append(pd.DataFrame({"vid": tr["device"], "utc": fix, "lat": tr["latitude"],
                                 "lon": tr["longitude"], "phone": False}))
    if (folder / "taxopark_tracks.parquet").exists():
        tx = pd.read_parquet(folder / "taxopark_tracks.parquet")
        tx = tx[tx["provider"] != "network"]
        out.append(pd.DataFrame({"vid": tx["car"], "utc": tx["recorded_at"], "lat": tx["lat"],
                                 "lon": tx["lon"], "phone": True}))
    for o in out:
        o["utc"] = o["utc"].dt.tz_convert("UTC").astype("datetime64[ms, UTC]")
    allf = pd.concat(out, ignore_index=True).dropna(subset=["utc"])
    return {k: g.sort_values("utc") for k, g in allf.groupby("vid", sort=True)}


def _daily(f, hour):
    """per local date, the position of the last fix in the two hours up to `hour`:00 local"""
    at = f["loc"].dt.normalize().drop_duplicates().sort_values() + pd.Timedelta(hours=hour)
    days = pd.DataFrame({"at": at.to_numpy().astype("datetime64[ms]")})
    fs = f.sort_values("loc")[["loc", "lat", "lon"]].astype({"loc": "datetime64[ms]"})
    got = pd.merge_asof(days, fs, left_on="at", right_on="loc",
                        tolerance=pd.Timedelta(hours=2)).dropna()
    return got["lat"].to_numpy(), got["lon"].to_numpy()


def _most(la, lo):
    """the largest number of the points that lie within 250 m of one of them"""
    if len(la) == 0:
        return 0
    return int((_km(la[:, None], lo[:, None], la[None, :], lo[None, :]) < 0.25).sum(1).max())


def test_same_seed_same_bytes_other_seed_differs(fleet, tmp_path):
    again = _generate(tmp_path / "again", 0)
    other = _generate(tmp_path / "other", 1)
    names = sorted(p.name for p in fleet.iterdir())
    assert names == sorted(PING_FILES + ["labels.csv", "vehicles.csv", "truth.json"])
    assert sorted(p.name for p in again.iterdir()) == names
    for n in names:
        assert (fleet / n).read_bytes() == (again / n).read_bytes(), n
    differ = [n for n in names if (other / n).read_bytes() != (fleet / n).read_bytes()]
    assert set(PING_FILES) <= set(differ)


def test_truth_is_consistent_with_the_pings(fleet):
    truth = json.loads((fleet / "truth.json").read_text(encoding="utf-8"))
    assert truth["tz"] == "Asia/Almaty"
    veh = pd.read_csv(fleet / "vehicles.csv")
    fixes = _fixes(fleet)
    for e in truth["faults"]["tracker_local_time_sent_as_utc"]:  # documented: put those clocks right
        f = fixes[e["vehicle_id"]]
        fixes[e["vehicle_id"]] = f.assign(utc=f["utc"] - pd.Timedelta(seconds=e["shift_s"]))
    assert set(veh["vehicle_id"]) == set(truth["vehicles"]) == set(fixes)
    assert "kind" not in veh.columns
    checked_home = checked_work = 0
    for vid, tv in truth["vehicles"].items():
        f = fixes[vid]
        f = f.assign(loc=f["utc"].dt.tz_convert(tv["tz_local"]).dt.tz_localize(None))
        home = tv["home"]
        assert home is not None
        if f["phone"].iloc[0]:
            # the taxi app logs only while it runs: each session starts and ends at the driver's home
            gap = f["utc"].diff().dt.total_seconds().fillna(1e9) > 3 * 3600
            sess = gap.cumsum()
            ends = pd.concat([f.groupby(sess).head(1), f.groupby(sess).tail(1)])
            near = _km(ends["lat"].to_numpy(), ends["lon"].to_numpy(), home[0], home[1]) < 0.4
            assert near.mean() >= 0.8, (vid, near.mean())
            checked_home += 1
            continue
        # one position per night: the last fix at or before 03:00 local (parked fixes come at least
        # hourly); home (within 400 m) is at least as frequent as any other place (within 250 m)
        la, lo = _daily(f, 3)
        assert len(la) >= N_DAYS // 3, vid
        at_home = int((_km(la, lo, home[0], home[1]) < 0.4).sum())
        assert at_home >= _most(la, lo) and at_home >= 0.3 * len(la), (vid, tv["kind"], at_home, len(la))
        checked_home += 1
        if tv["work"] is not None:  # work: the most frequent place away from home at 11:00 local
            w = tv["work"]
            la, lo = _daily(f, 11)
            away = _km(la, lo, home[0], home[1]) >= 0.4
            la, lo = la[away], lo[away]
            at_work = int((_km(la, lo, w[0], w[1]) < 0.4).sum())
            assert at_work >= 2 and at_work >= _most(la, lo), (vid, tv["kind"], at_work)
            checked_work += 1
    assert checked_home == N_VEH and checked_work >= 5
    # labels: ids as the ping files spell them, a few tens of metres off, except the listed wrong ones
    lab = pd.read_csv(fleet / "labels.csv", dtype={"vehicle_id": str})
    assert list(lab.columns) == ["vehicle_id", "label", "lat", "lon"]
    wrong = {(w["vehicle_id"], w["label"]) for w in truth["wrong_labels"]}
    for row in lab.itertuples():
        p = truth["vehicles"][row.vehicle_id][row.label]
        dist = _km(row.lat, row.lon, p[0], p[1])
        if (row.vehicle_id, row.label) in wrong:
            assert dist > 0.3
        else:
            assert 0.005 < dist < 0.1


def test_planted_faults_are_in_the_files(fleet):
    truth = json.loads((fleet / "truth.json").read_text(encoding="utf-8"))
    F = truth["faults"]
    alm, headers = _read_wialon(fleet / "wialon_almaty.csv")
    ast, ast_headers = _read_wialon(fleet / "wialon_astana.csv")
    # 1. weekly Wialon exports pasted together: header repeated, the 2 h overlaps duplicated
    ov = F["wialon_weekly_export_overlap"]
    assert ov["chunks"] == -(-N_DAYS // 7) and headers == ov["repeated_header_lines"] == ov["chunks"] - 1
    assert ast_headers == 0
    body = alm.drop(columns=["№"])
    assert int(body.duplicated().sum()) == ov["duplicated_rows"] > 0
    # 2. Astana account converts with a fixed UTC+06:00 after 01.03.2024; the Almaty account follows
    #    Asia/Almaty. Every remote engine start (ignition on while parked) is a row at its start second.
    fx = F["astana_profile_fixed_utc_plus_6"]
    change = pd.Timestamp(fx["wrong_from_utc"])
    seen_after = 0
    for name, df, plus6 in (("wialon_almaty.csv", alm, False), ("wialon_astana.csv", ast, True)):
        on = set(zip(df.loc[df["Зажигание"] == "Вкл", "Объект"], df.loc[df["Зажигание"] == "Вкл", "Время"]))
        for vid, tv in truth["vehicles"].items():
            if tv["file"] != name:
                continue
            for a, _b, _why in tv.get("engine_on_parked", []):
                u = pd.Timestamp(a)
                right = u.tz_convert("Asia/Almaty").strftime("%d.%m.%Y %H:%M:%S")
                six = (u + pd.Timedelta(hours=6)).strftime("%d.%m.%Y %H:%M:%S")
                assert (vid, six if plus6 else right) in on, (name, vid, a)
                if plus6 and u >= change:
                    assert (vid, right) not in on
                    seen_after += 1
    assert seen_after >= 2
    assert set(fx["vehicles"]) == set(ast["Объект"])
    ast_utc = _wialon_utc(ast, True)
    assert int((ast_utc >= change).sum()) == fx["rows_affected"] > 0
    # 3. taxi drivers who set their phone clock back by hand: recorded_at an hour before received_at
    tx = pd.read_parquet(fleet / "taxopark_tracks.parquet")
    lag = (tx["received_at"] - tx["recorded_at"]).dt.total_seconds()
    assert len(F["phone_clock_set_back_by_hand"]) >= 1
    bad = set()
    for e in F["phone_clock_set_back_by_hand"]:
        mine = tx["car"] == e["vehicle_id"]
        hit = mine & (lag > 3000)
        assert int(hit.sum()) == e["rows"] > 0 and e["shift_s"] == -3600
        assert (tx.loc[hit, "recorded_at"] + pd.Timedelta(hours=1) >= pd.Timestamp(e["from_utc"])).all()
        assert (lag[mine & ~hit] < 400).all()
        bad.add(e["vehicle_id"])
    assert (lag[~tx["car"].isin(bad)].between(0, 400)).all()
    assert int((tx["provider"] == "network").sum()) == F["taxopark_network_fixes"]["rows"] > 0
    # 4. Traccar: a tracker that sends local time as UTC, resent duplicates, 0/0 cold-start fixes
    tr = pd.read_csv(fleet / "traccar_positions.csv")
    fix = pd.to_datetime(tr["fixtime"], format="ISO8601", utc=True)
    srv = pd.to_datetime(tr["servertime"], format="ISO8601", utc=True)
    ahead = (fix - srv).dt.total_seconds()
    la = F["tracker_local_time_sent_as_utc"]
    assert len(la) >= 1
    for e in la:
        mine = tr["device"] == e["vehicle_id"]
        assert int(mine.sum()) == e["rows"] > 0
        assert (ahead[mine] - e["shift_s"]).median() == pytest.approx(-2, abs=3)
        assert e["shift_s"] in (6 * 3600, 7 * 3600)
    others = ~tr["device"].isin([e["vehicle_id"] for e in la])
    assert ahead[others].max() < 60
    dup = tr.duplicated(subset=["device", "fixtime", "latitude", "longitude"])
    assert int(dup.sum()) == F["traccar_resent_duplicates"]["rows"] > 0
    zero = (tr["latitude"] == 0) & (tr["longitude"] == 0) & (tr["valid"] == "f")
    assert int(zero.sum()) == F["traccar_zero_fixes"]["rows"] > 0
    # 5. tracker power cuts: nothing inside, and 6. single-fix GPS jumps kilometres off the track
    fixes = _fixes(fleet)
    assert len(F["power_cut_gaps"]) >= 1
    for g in F["power_cut_gaps"]:
        u = fixes[g["vehicle_id"]]["utc"]
        assert not ((u >= pd.Timestamp(g["from_utc"])) & (u < pd.Timestamp(g["to_utc"]))).any()
    jumps = F["gps_jumps"]["list"]
    assert F["gps_jumps"]["rows"] == len(jumps) >= 5
    # each file's rows in its own time order, times as the file writes them
    by_file = {
        "wialon_almaty.csv": pd.DataFrame({"vid": alm["Объект"], "ft": alm["Время"], "lat": alm["Широта"],
                                           "lon": alm["Долгота"]}),
        "wialon_astana.csv": pd.DataFrame({"vid": ast["Объект"], "ft": ast["Время"], "lat": ast["Широта"],
                                           "lon": ast["Долгота"]}),
        "traccar_positions.csv": pd.DataFrame({"vid": tr["device"], "ft": tr["fixtime"], "o": fix,
                                               "lat": tr["latitude"], "lon": tr["longitude"]}
                                              ).sort_values(["vid", "o"]),
        "taxopark_tracks.parquet": pd.DataFrame({"vid": tx["car"], "lat": tx["lat"], "lon": tx["lon"],
                                                 "ft": tx["recorded_at"].map(pd.Timestamp.isoformat)}),
    }
    for j in jumps:
        f = by_file[j["file"]]
        f = f[f["vid"] == j["vehicle_id"]].reset_index(drop=True)
        i = np.flatnonzero((f["ft"] == j["file_time"]).to_numpy() & np.isclose(f["lat"], j["lat"], atol=2e-6)
                           & np.isclose(f["lon"], j["lon"], atol=2e-6))
        assert len(i) >= 1, j
        k = i[0]
        nb = [x for x in (k - 1, k + 1) if 0 <= x < len(f) and f["ft"][x] != f["ft"][k]]
        assert all(_km(f["lat"][k], f["lon"][k], f["lat"][x], f["lon"][x]) > 2.0 for x in nb), j
