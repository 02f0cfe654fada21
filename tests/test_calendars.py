"""Iranian and Arab exports (calendars.py): Persian and Arabic-Indic digits, the Arabic decimal
separator and Solar Hijri (Jalali) dates read as the dates they are; plates keep their
spelling so the labels file's ids still match."""
import sqlite3
from datetime import datetime, timedelta, timezone

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from auditor.ingest.api import ingest_paths
from auditor.ingest.calendars import jalali_days

TEHRAN = timezone(timedelta(hours=3, minutes=30))
PERSIAN = str.maketrans("0123456789.", "۰۱۲۳۴۵۶۷۸۹٫")
# (Jalali date, Gregorian date) as calendars and news of the day give them
KNOWN = [("1402/12/19", "2024-03-09"), ("1402/12/29", "2024-03-19"),
         ("1403/01/01", "2024-03-20"), ("1403/01/13", "2024-04-01"),
         ("1403/07/01", "2024-09-22"), ("1403/12/30", "2025-03-20"),
         ("1404/01/01", "2025-03-21"), ("1357/11/22", "1979-02-11"),
         ("1399/01/01", "2020-03-20"), ("1399/12/30", "2021-03-20")]


def test_known_jalali_dates():
    y, m, d = (np.array([int(k.split("/")[i]) for k, _ in KNOWN]) for i in range(3))
    got = jalali_days(y, m, d).astype("datetime64[D]").astype(str).tolist()
    assert got == [g for _, g in KNOWN]


def _stored(project, query):
    with sqlite3.connect(project) as conn:
        return conn.execute(query).fetchall()


def test_a_persian_platform_export_with_jalali_dates_in_persian_digits(tmp_path):
    plates = ["۱۲ ب ۳۴۵ ایران ۱۱", "۷۷ ج ۶۰۵ ایران ۳۳"]
    rows = ["ردیف,پلاک,تاریخ,ساعت,عرض جغرافیایی,طول جغرافیایی,سرعت"]
    want = []
    for i, (jalali, gregorian) in enumerate(KNOWN[:7]):
        for k, plate in enumerate(plates):
            clock = f"{8 + k:02d}:{i:02d}:07"
            lat, lon = f"{35.7 + i * 1e-3:.6f}", f"{51.4 + k * 1e-3:.6f}"
            rows.append(",".join([str(2 * i + k + 1).translate(PERSIAN), plate,
                                  jalali.translate(PERSIAN), clock.translate(PERSIAN),
                                  lat.translate(PERSIAN) if k else lat, lon, "0"]))
            wall = datetime.fromisoformat(f"{gregorian}T{clock}").replace(tzinfo=TEHRAN)
            want.append((plate, int(wall.timestamp()), float(lat), float(lon)))
    (tmp_path / "gozaresh.csv").write_text("\ufeff" + "\r\n".join(rows) + "\r\n")
    (tmp_path / "labels.csv").write_text(
        f"vehicle_id,label,lat,lon\n{plates[1]},home,35.7,51.401\n")
    [s, lab] = ingest_paths(tmp_path / "p.db", [tmp_path / "gozaresh.csv",
                                                 tmp_path / "labels.csv"], tz="Asia/Tehran")
    assert (s["accepted"], s["quarantined"]) == (14, 0)
    got = _stored(tmp_path / "p.db", "SELECT vehicle_id, ts, lat, lon FROM pings")
    assert sorted(got) == sorted(want)
    # the labels file's plate is the pings' vehicle
    assert _stored(tmp_path / "p.db", "SELECT COUNT(*) FROM labels JOIN pings USING "
                                      "(vehicle_id)") == [(7,)]


@pytest.mark.parametrize("sep", ["-", "/"])
def test_ascii_jalali_stamps_in_a_parquet_file(tmp_path, sep):
    stamps = [f"{j.replace('/', sep)} 23:59:30" for j, _ in KNOWN[:5]]
    pq.write_table(pa.table({"device_id": ["d1"] * 5, "time": stamps,
                             "lat": [35.7 + i * 1e-3 for i in range(5)],
                             "lon": [51.4] * 5}), tmp_path / "p.parquet")
    [s] = ingest_paths(tmp_path / "p.db", [tmp_path / "p.parquet"], tz="Asia/Tehran")
    assert s["accepted"] == 5
    want = [int(datetime.fromisoformat(f"{g}T23:59:30").replace(tzinfo=TEHRAN).timestamp())
            for _, g in KNOWN[:5]]
    assert [t for (t,) in _stored(tmp_path / "p.db", "SELECT ts FROM pings ORDER BY ts")] == \
        sorted(want)


def test_an_id_of_eastern_digits_alone_is_read_alike_in_every_file(tmp_path):
    """A vehicle id of Arabic-Indic digits alone is one column of digits like a date's: read
    as ASCII digits in the pings and the labels alike, so they still match; a Gregorian file's
    stamps are untouched."""
    (tmp_path / "p.csv").write_text(
        "vehicle_id,timestamp,lat,lon\n"
        + "".join(f"٤٤٢,2024-03-0{i + 1}T08:00:00+03:00,24.7,46.6{i}\n" for i in range(3)))
    (tmp_path / "labels.csv").write_text("vehicle_id,label,lat,lon\n٤٤٢,home,24.7,46.6\n")
    [s, lab] = ingest_paths(tmp_path / "p.db", [tmp_path / "p.csv", tmp_path / "labels.csv"])
    assert s["accepted"] == 3 and lab["accepted"] == 1
    assert _stored(tmp_path / "p.db", "SELECT DISTINCT vehicle_id FROM pings") == [("442",)]
    assert _stored(tmp_path / "p.db", "SELECT vehicle_id FROM labels") == [("442",)]
    first = _stored(tmp_path / "p.db", "SELECT MIN(ts) FROM pings")
    assert first == [(int(datetime(2024, 3, 1, 5, tzinfo=timezone.utc).timestamp()),)]
