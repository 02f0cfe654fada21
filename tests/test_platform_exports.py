"""Pings as two telematics platforms export them (the merger fleet, bench/fleets/merger.py),
imported as they are: camelCase headers, integer E7 coordinates, a typed timestamp column,
epoch milliseconds under 'time_ms', speed in mph, and (0, 0) for "no fix"."""
import sqlite3

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from auditor.errors import UserError
from auditor.ingest.api import ingest_paths

START = pd.Timestamp("2026-03-02 14:00", tz="UTC")


def _drive(n: int = 60, step_s: int = 10) -> pd.DataFrame:
    """One vehicle driving north at 15 m/s, a fix every ``step_s`` seconds."""
    t = START + pd.to_timedelta(np.arange(n) * step_s, unit="s")
    lat = 39.8 + np.arange(n) * 15 * step_s / 111_195
    secs = (t - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)
    return pd.DataFrame({"t": t, "secs": secs, "lat": lat, "lon": -86.1, "mps": 15.0})


def _stored(project) -> pd.DataFrame:
    with sqlite3.connect(project) as conn:
        return pd.read_sql("SELECT vehicle_id, ts, lat, lon, speed_mps FROM pings ORDER BY ts",
                           conn)


def test_a_platforms_parquet_with_camel_case_and_e7_is_pings(tmp_path):
    """deviceId / gpsTime (typed, UTC) / latE7 / lngE7 / speedKph: the file was taken for
    vehicle metadata (no header known), 247,228 rows of it, each device's last row replacing
    its real metadata. Now every field is found and E7 integers are read as degrees."""
    d = _drive()
    table = pa.table({"deviceId": ["352094006982595"] * len(d),
                      "gpsTime": pa.array(d["t"], pa.timestamp("ns", tz="UTC")),
                      "latE7": np.round(d["lat"] * 1e7).astype(np.int64),
                      "lngE7": np.round(d["lon"] * 1e7).astype(np.int64),
                      "speedKph": d["mps"] * 3.6, "hdop": np.full(len(d), 0.9)})
    path = tmp_path / "platform_a.parquet"
    pq.write_table(table, path)
    (summary,) = ingest_paths(tmp_path / "p.db", [path])
    assert (summary["kind"], summary["accepted"]) == ("pings", len(d))
    got = _stored(tmp_path / "p.db")
    assert np.allclose(got["lat"], d["lat"], atol=1e-7) and np.allclose(got["lon"], -86.1)
    assert got["ts"].tolist() == d["secs"].tolist()
    assert np.allclose(got["speed_mps"], 15.0)


def test_epoch_ms_mph_and_no_fix_zeros(tmp_path):
    """time_ms, latitude, longitude, mph: read without a --map for them ('unit' is a column
    too vague to take for the id unasked: the import's error suggests it); the rows a box
    sent as (0, 0) when it had no fix are quarantined as missing_lat_lon (3,600 of them made
    a courier's 'work' at (0, 0))."""
    d = _drive()
    b = pd.DataFrame({"time_ms": d["secs"] * 1000 + 250, "unit": "00417",
                      "latitude": d["lat"].round(6), "longitude": -86.1,
                      "mph": (d["mps"] * 2.236936).round(1)})
    b.loc[20:24, ["latitude", "longitude"]] = 0.0
    path = tmp_path / "platform_b.csv"
    b.to_csv(path, index=False)
    with pytest.raises(UserError, match="--map vehicle_id=unit"):
        ingest_paths(tmp_path / "p.db", [path])
    (summary,) = ingest_paths(tmp_path / "p.db", [path], column_map={"vehicle_id": "unit"})
    assert summary["reasons"] == {"missing_lat_lon": 5}
    assert summary["speed_unit"]["unit"] == "mph"
    got = _stored(tmp_path / "p.db")
    assert set(got["vehicle_id"]) == {"00417"} and len(got) == len(d) - 5
    assert got["ts"].tolist() == d["secs"].drop(index=range(20, 25)).tolist()
    assert (got["lat"] > 39).all() and np.allclose(got["speed_mps"], 15.0, atol=0.05)


def test_a_log_without_known_columns_is_not_taken_for_vehicle_metadata(tmp_path):
    """A file whose only known column is a vehicle id but that names each vehicle on many rows
    is a log, not metadata: refused with what to pass, instead of each vehicle's last row
    replacing its metadata."""
    n = 300
    path = tmp_path / "log.csv"
    pd.DataFrame({"device_id": np.repeat(["a", "b", "c"], n // 3),
                  "when": np.arange(n), "y": 1.0, "x": 2.0}).to_csv(path, index=False)
    with pytest.raises(UserError, match=r"300 rows for 3 vehicle\(s\).*not vehicle metadata"):
        ingest_paths(tmp_path / "p.db", [path])
    assert not (tmp_path / "p.db").exists()
    # as metadata when the user says so
    (summary,) = ingest_paths(tmp_path / "p.db", [path], kind="vehicles")
    assert summary["kind"] == "vehicles"


@pytest.mark.parametrize("header", [
    "immatriculation;horodatage;latitude;longitude;vitesse",        # a French export
    "placa;data_hora;latitude;longitude;velocidade",                 # Brazilian
    "matrícula;fecha_hora;latitud;longitud;velocidad",              # Spanish
    "Kennzeichen;Zeitstempel;Breitengrad;Längengrad;Geschwindigkeit",  # German
    "Asset;Fix Time;Latitude;Longitude;Speed (km/h)",                # an asset tracker's
    "device_id;timestamp_brt;latitude;longitude;speed_kmh",         # a clock named in the header
    "vehicle;Date Time (local);lat;lon;speed",
    "driver_uuid;data_hora;lat;lng;kmh",                             # a ride-hailing app's
    "Kjøretøy;Tidspunkt;Breddegrad;Lengdegrad;Hastighet (km/t)",     # Norwegian
    "device_imei;gps_timestamp;gps_lat;gps_lon;gps_speed_kph",       # named by their source
])
def test_registration_plates_and_times_headed_in_other_languages(tmp_path, header):
    """Exports abroad head the plate, the time and the coordinates in their language: such a
    file was refused until each column was named with --map."""
    d = _drive()
    d["t"] += pd.Timedelta(days=20)  # 22 March: the day is above 12, so day first is certain
    d["secs"] += 20 * 86400
    local = d["t"].dt.tz_convert("America/Sao_Paulo").dt.strftime("%d/%m/%Y %H:%M:%S")
    body = [f"ABC1D23;{t};{la:.6f};{lo:.6f};{v * 3.6:.1f}".replace(".", ",")
            for t, la, lo, v in zip(local, d["lat"], d["lon"], d["mps"])]
    f = tmp_path / "export.csv"
    f.write_text("\n".join([header] + body) + "\n", encoding="utf-8")
    [s] = ingest_paths(tmp_path / "p.db", [f], tz="America/Sao_Paulo")
    assert (s["kind"], s["accepted"]) == ("pings", len(d))
    got = _stored(tmp_path / "p.db")
    assert (got["vehicle_id"] == "ABC1D23").all()
    assert got["ts"].tolist() == d["secs"].tolist()
    assert np.allclose(got["lat"], d["lat"], atol=1e-6) and np.allclose(got["lon"], d["lon"])
    assert np.allclose(got["speed_mps"], 15.0, atol=0.05)


def test_each_rows_zone_in_a_column_of_its_own_reads_its_naive_stamps():
    """A US logbook (ELD) export writes each row's date and time on its home terminal's clock
    and the zone beside it ('CST', 'CDT', 'MST'); other exports write 'UTC+03:00' or an IANA
    name. Such a file asked for one --tz, and no one zone fits a fleet on several clocks."""
    import tempfile
    from pathlib import Path
    d = _drive(n=4)
    d["t"] += pd.Timedelta(days=20)  # 22 March: a day above 12 orders the dates
    d["secs"] += 20 * 86400
    rows = []
    for vehicle, zone, shift in (("ATL-1", "EDT", -4), ("DAL-2", "CDT", -5), ("PHX-3", "MST", -7),
                                 ("NBO-4", "UTC+03:00", 3), ("CHI-5", "America/Chicago", -5)):
        local = (d["t"] + pd.Timedelta(hours=shift)).dt.strftime("%m/%d/%Y")
        clock = (d["t"] + pd.Timedelta(hours=shift)).dt.strftime("%I:%M:%S %p")
        rows += [(vehicle, a, b, zone, la, -86.1) for a, b, la in zip(local, clock, d["lat"])]
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "eld.csv"
        pd.DataFrame(rows, columns=["Unit Number", "Date", "Time", "Time Zone", "Latitude",
                                    "Longitude"]).to_csv(f, index=False)
        [s] = ingest_paths(Path(tmp) / "p.db", [f])
        assert (s["accepted"], s["quarantined"]) == (20, 0)
        got = _stored(Path(tmp) / "p.db")
    for vehicle, part in got.groupby("vehicle_id"):
        assert part["ts"].tolist() == d["secs"].tolist(), vehicle
    # a zone the column does not say in any known way: the import asks for --tz, as before
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "odd.csv"
        f.write_text("vehicle_id,timestamp,time_zone,lat,lon\nv1,2026-03-02 08:00:00,Local,"
                     "39.8,-86.1\n")
        with pytest.raises(UserError, match="naive timestamps"):
            ingest_paths(Path(tmp) / "p.db", [f])


def test_a_rows_own_zone_wins_over_tz_and_tz_reads_the_rows_without_one(tmp_path):
    """Several files in one import with --tz for the one writing naive local time: an API dump
    stating each row's zone ('zona_horaria') beside its naive 'fecha_local' kept its rows' zones
    (it was read in --tz's, an hour or more off); a row whose zone is blank is read in --tz."""
    f = tmp_path / "mty.csv"
    f.write_text("placa,fecha_local,zona_horaria,latitud,longitud\n"
                 "SHX-959-K,2024-03-18 09:59:02,America/Monterrey,25.7727,-100.1857\n"
                 "SHX-959-K,2024-03-18 10:09:02,UTC-06:00,25.7731,-100.1876\n"
                 "SHX-959-K,2024-03-18 10:19:02,,25.7738,-100.1919\n")
    [s] = ingest_paths(tmp_path / "p.db", [f], tz="America/Santiago")
    assert (s["accepted"], s["quarantined"]) == (3, 0)
    got = _stored(tmp_path / "p.db")
    utc = pd.to_datetime(["2024-03-18 15:59:02", "2024-03-18 16:09:02", "2024-03-18 13:19:02"])
    assert sorted(got["ts"]) == sorted(utc.as_unit("s").asi8)  # Santiago: -03:00 that day


@pytest.mark.parametrize("header,gps,cell", [("Positioning", "GPS", "LBS"),
                                             ("定位类型", "卫星", "基站")])
def test_cell_tower_positions_named_by_a_fix_type_column_are_refused(tmp_path, header, gps,
                                                                      cell):
    """A cheap tracker or a phone app marks a position found from cell towers ('LBS', 基站)
    beside satellite fixes: hundreds of metres to kilometres off. They made places of their
    own around a parked e-bike's home (the Pearl fleet's dormitory workers: 19 homes missed)."""
    rows = [f"ebike-1,2025-01-13T0{h}:00:00+08:00,22.7{h}00,114.14,{gps if h % 3 else cell}"
            for h in range(9)] + ["ebike-1,2025-01-13T09:00:00+08:00,22.79,114.14,WIFI"]
    f = tmp_path / "tracks.csv"
    f.write_text(f"vehicle_id,timestamp,lat,lon,{header}\n" + "\n".join(rows) + "\n",
                 encoding="utf-8")
    [s] = ingest_paths(tmp_path / "p.db", [f])
    assert s["reasons"] == {"coarse_fix": 3} and s["accepted"] == 7
    got = _stored(tmp_path / "p.db")
    assert sorted(got["lat"].round(4)) == [22.71, 22.72, 22.74, 22.75, 22.77, 22.78, 22.79]


def test_a_stated_accuracy_decides_over_a_phones_provider(tmp_path):
    """An Android app writes its provider and the fix's accuracy: 'network' is wifi (tens of
    metres) as well as cell towers (kilometres). With an accuracy column, it decides: a wifi
    fix at home is kept, a fix stated 300 m or more off is refused whatever its provider."""
    rows = [("gps", 8.0), ("network", 35.0), ("network", 1400.0), ("fused", 12.0),
            ("gps", 350.0), ("network", None), ("network", 60.0)]
    lines = [f"+989120000001,2024-03-09T0{h}:00:00+03:30,35.7{h}00,51.4,{prov},"
             f"{'' if acc is None else acc}" for h, (prov, acc) in enumerate(rows)]
    f = tmp_path / "app.csv"
    f.write_text("phone,ts,lat,lng,prov,acc\n" + "\n".join(lines) + "\n")
    [s] = ingest_paths(tmp_path / "p.db", [f])
    # refused: 1400 m and 350 m (too coarse), and the network fix with no accuracy (a tower?)
    assert s["reasons"] == {"coarse_fix": 3} and s["accepted"] == 4
    assert sorted(_stored(tmp_path / "p.db")["lat"].round(4)) == [35.70, 35.71, 35.73, 35.76]


def test_a_header_line_repeated_where_exports_were_pasted_together_is_named(tmp_path):
    """Weekly Wialon reports pasted into one file repeat their header line: it was refused as
    a bad timestamp, which sends the analyst looking for a clock fault."""
    head = "Объект;Время;Широта;Долгота"
    week = [f"123 ABC 02;1{d}.02.2024 08:00:00;43,2{d};76,84" for d in range(3, 6)]
    f = tmp_path / "wialon.csv"
    f.write_bytes(("\r\n".join([head] + week + [head] + week[:1]) + "\r\n").encode("cp1251"))
    [s] = ingest_paths(tmp_path / "p.db", [f], tz="Asia/Almaty")
    assert s["reasons"] == {"repeated_header": 1, "duplicate_ping": 1} and s["accepted"] == 3


def test_a_turkish_platform_report_and_a_german_service_on_berlin_time(tmp_path):
    """A Turkish tracking platform's Windows export (Windows-1254, two title lines, Plaka /
    Tarih / Saat / Enlem / Boylam / Hız (km/sa), decimal commas, naive Istanbul time) and a
    German service's export of the same fleet ('Date/time' with a Berlin offset, 'Received'):
    the same instants, the same vehicle by its plate, speed read as km/h."""
    lines = ["Filo Takip - Geçmiş Konum Raporu", "Tarih aralığı;10.03.2025 - 06.04.2025",
             "Plaka;Tarih;Saat;Enlem;Boylam;Hız (km/sa);Yön;Sürücü"]
    german = ["Vehicle,Date/time,Received,Latitude,Longitude,Speed (km/h)"]
    for i in range(20):
        lat = f"40,{9900 + 9 * i}"
        lines.append(f"34 ŞĞİ 123;14.03.2025;08:{2 * i:02d}:00;{lat};29,0{100 + 9 * i};"
                     f"{36 + i % 3};90;Ayşe Yılmaz")
        german.append(f"34ŞĞİ124,2025-03-14T06:{2 * i:02d}:00+01:00,"
                      f"2025-03-14T06:{2 * i:02d}:09+01:00,{lat.replace(',', '.')},"
                      f"29.0{100 + 9 * i},{36 + i % 3}")
    (tmp_path / "FiloTakip.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1254"))
    (tmp_path / "eurofleet.csv").write_text("\ufeff" + "\n".join(german) + "\n")
    [tr, de] = ingest_paths(tmp_path / "p.db", [tmp_path / "FiloTakip.csv",
                                                 tmp_path / "eurofleet.csv"],
                            tz="Europe/Istanbul")
    assert tr["accepted"] == de["accepted"] == 20
    got = _stored(tmp_path / "p.db")
    first = int(pd.Timestamp("2025-03-14 05:00", tz="UTC").timestamp())
    for plate in ("34 ŞĞİ 123", "34ŞĞİ124"):
        mine = got[got["vehicle_id"] == plate]
        assert mine["ts"].tolist() == [first + 120 * i for i in range(20)]
        assert (mine["speed_mps"] * 3.6).round(3).tolist() == [36 + i % 3 for i in range(20)]


@pytest.mark.parametrize("header, valid, invalid", [
    ("valid", "t", "f"),                 # a Traccar psql dump
    ("gps_valid", "1", "0"),             # a car maker's T-Box table
    ("定位状态", "定位", "未定位"),       # a Chinese platform's export
])
def test_a_position_held_without_a_fix_while_driving_on_is_refused_a_parked_one_kept(
        tmp_path, header, valid, invalid):
    """Without a fix a tracker repeats its last position and says so. A lorry under jamming
    held it for 40 minutes while it drove 45 km on: a stop where it never stopped. A car in
    an underground car park holds the ramp's fix all night: that is where it is."""
    t0 = pd.Timestamp("2024-03-09 08:00", tz="UTC")
    rows = []
    # the lorry: fixes every 5 min at ~70 km/h (0.05 deg lat), then 8 frozen rows, then on
    for k in range(6):
        rows.append(("lorry", t0 + pd.Timedelta(minutes=5 * k), 33.00 + 0.05 * k, valid))
    for k in range(6, 14):
        rows.append(("lorry", t0 + pd.Timedelta(minutes=5 * k), 33.25, invalid))
    for k in range(14, 17):
        rows.append(("lorry", t0 + pd.Timedelta(minutes=5 * k), 33.00 + 0.05 * k, valid))
    # the car: into the car park at 19:00, no fix all night (hourly), out at 07:00
    t1 = pd.Timestamp("2024-03-09 19:00", tz="UTC")
    rows.append(("car", t1 - pd.Timedelta(minutes=2), 35.7000, valid))
    for h in range(12):
        rows.append(("car", t1 + pd.Timedelta(hours=h), 35.7000, invalid))
    rows.append(("car", t1 + pd.Timedelta(hours=12, minutes=1), 35.7003, valid))
    f = tmp_path / "dump.csv"
    f.write_text(f"vehicle_id,timestamp,lat,lon,{header}\n" + "".join(
        f"{v},{t.isoformat()},{lat:.4f},51.4,{flag}\n" for v, t, lat, flag in rows),
        encoding="utf-8")
    [s] = ingest_paths(tmp_path / "p.db", [f])
    assert s["reasons"] == {"stale_fix": 8} and s["accepted"] == len(rows) - 8
    got = _stored(tmp_path / "p.db")
    assert (got["vehicle_id"] == "car").sum() == 14
    assert not ((got["vehicle_id"] == "lorry") & (got["lat"].round(2) == 33.25)
                & (got["ts"] > int((t0 + pd.Timedelta(minutes=27)).timestamp()))).any()
