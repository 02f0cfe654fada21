"""NMEA 0183 logs (nmea.py): one ping per RMC sentence, checksums checked, void fixes kept
without a position, a logger's prefix as the vehicle id."""
import functools
import gzip
import sqlite3

import pandas as pd
import pytest

from auditor.cli import main
from auditor.ingest.api import ingest_paths


def _sentence(body: str) -> str:
    check = functools.reduce(lambda a, c: a ^ ord(c), body, 0)
    return f"${body}*{check:02X}"


def _rmc(t: pd.Timestamp, lat: float, lon: float, knots: float, status="A") -> str:
    def dm(v, width):
        d = int(abs(v))
        return f"{d:0{width}d}{(abs(v) - d) * 60:07.4f}"
    return _sentence(f"GPRMC,{t:%H%M%S}.00,{status},{dm(lat, 2)},{'S' if lat < 0 else 'N'},"
                     f"{dm(lon, 3)},{'W' if lon < 0 else 'E'},{knots:.1f},45.0,{t:%d%m%y},,,A")


def _log(tmp_path, prefix=True, gz=False):
    t0 = pd.Timestamp("2024-03-18 07:50:00")
    lines, want = [], []
    for v, lat0 in (("CXGB-64", -23.65), ("RLRD-66", -24.27)):
        for i in range(20):
            t = t0 + pd.Timedelta(seconds=10 * i)
            lat, lon = lat0 - i * 1e-4, -70.40 + i * 1e-4
            head = f"{v}|" if prefix else ""
            lines.append(head + _rmc(t, lat, lon, 12.0, "V" if i == 0 else "A"))
            lines.append(head + _sentence(f"GPGGA,{t:%H%M%S}.00,,,,,0,00,99.9,,M,,M,,"))
            want.append((v, int(t.tz_localize("UTC").timestamp()), lat, lon, i == 0))
    bad = lines[10].replace(",45.0,", ",46.0,")  # line 11: the checksum no longer matches
    lines[10] = bad
    path = tmp_path / ("log.nmea.gz" if gz else "log.txt")
    text = "\r\n".join(lines) + "\r\n"
    if gz:
        with gzip.open(path, "wt") as fh:
            fh.write(text)
    else:
        path.write_text(text)
    return path, pd.DataFrame(want, columns=["vehicle_id", "ts", "lat", "lon", "void"]), bad


@pytest.mark.parametrize("gz", [False, True])
def test_an_nmea_log_with_a_loggers_prefix_is_one_ping_per_rmc(tmp_path, gz):
    path, want, bad = _log(tmp_path, gz=gz)
    [s] = ingest_paths(tmp_path / "p.db", [path])
    # 40 RMC sentences: 2 void (no position), 1 corrupted; the GGA lines are no rows
    assert (s["read"], s["accepted"], s["quarantined"]) == (40, 37, 3)
    assert s["reasons"] == {"missing_lat_lon": 2, "malformed_row": 1}
    with sqlite3.connect(tmp_path / "p.db") as conn:
        got = pd.read_sql("SELECT vehicle_id, ts, lat, lon, speed_mps FROM pings "
                          "ORDER BY vehicle_id, ts", conn)
        refused = conn.execute("SELECT line, raw, reason FROM quarantine ORDER BY line").fetchall()
    assert refused[1] == (11, bad, "malformed_row")
    assert [r[0] for r in refused] == [1, 11, 41]
    kept = want[~want["void"]].drop(index=5).reset_index(drop=True)
    assert got["vehicle_id"].tolist() == kept["vehicle_id"].tolist()
    assert got["ts"].tolist() == kept["ts"].tolist()
    assert (got["lat"] - kept["lat"]).abs().max() < 1e-6
    assert (got["lon"] - kept["lon"]).abs().max() < 1e-6
    assert got["speed_mps"].round(3).eq(round(12.0 * 1852 / 3600, 3)).all()


def test_a_log_without_a_prefix_is_one_vehicles_given_with_vehicle(tmp_path, capsys):
    path, want, _ = _log(tmp_path, prefix=False)
    assert main(["ingest", str(tmp_path / "p.db"), str(path)]) == 1
    assert "--vehicle" in capsys.readouterr().err
    assert main(["ingest", str(tmp_path / "p.db"), str(path), "--vehicle", "logger-7"]) == 0
    with sqlite3.connect(tmp_path / "p.db") as conn:
        assert conn.execute("SELECT DISTINCT vehicle_id FROM pings").fetchall() == [("logger-7",)]


def test_a_device_protocol_log_is_named_not_read_as_a_table(tmp_path, capsys):
    """Raw Queclink @Track messages were read as a CSV whose header was the first message
    ('cannot tell pings, labels or vehicles apart', 30 columns named by its values)."""
    path = tmp_path / "gv300.log"
    path.write_text("+RESP:GTFRI,270B03,867844077059916,GV300,12250,10,1,3,0.0,275,1134.7,"
                    "-106.451906,31.720273,20240318060227,0334,0020,2B4C,89F1,00,139372.0,,,,"
                    "100,210000,,,,20240318060228,ED09$\n" * 3)
    assert main(["ingest", str(tmp_path / "p.db"), str(path)]) == 1
    err = capsys.readouterr().err
    assert "a Queclink @Track device log" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "p.db").exists()
