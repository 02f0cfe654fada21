"""Excel workbooks (workbook.py): a platform's report with a summary sheet, title rows and
blank rows; date and time in cells of their own; labels in a sheet — each read to what the
same data gives as CSV, refused rows named by their row in Excel."""
import sqlite3

import openpyxl
import pandas as pd

from auditor.cli import main
from auditor.ingest.api import ingest_paths

T0 = pd.Timestamp("2026-03-02 08:00")


def _records(n=50):
    return [{"Plate": f"WA {1000 + i % 3}", "Time": (T0 + pd.Timedelta(minutes=i)).to_pydatetime(),
             "Latitude": round(52.2 + i * 1e-4, 6), "Longitude": round(21.0 - i * 2e-4, 6),
             "Speed": 30 + i % 5}
            for i in range(n)]


def _csv(tmp_path, records):
    path = tmp_path / "same.csv"
    frame = pd.DataFrame(records)
    frame["Time"] = frame["Time"].dt.strftime("%Y-%m-%d %H:%M:%S")
    frame.to_csv(path, index=False)
    return path


def _stored(project):
    with sqlite3.connect(project) as conn:
        pings = pd.read_sql("SELECT vehicle_id, ts, lat, lon, speed_mps FROM pings "
                            "ORDER BY vehicle_id, ts", conn)
        refused = conn.execute("SELECT line, reason, raw FROM quarantine ORDER BY line").fetchall()
    return pings, refused


def test_report_workbook_reads_its_largest_sheet_below_the_title(tmp_path, capsys):
    records = _records()
    book = openpyxl.Workbook()
    summary = book.active
    summary.title = "Summary"
    summary.append(["Vehicle", "Distance km"])
    summary.append(["WA 1000", 12.5])
    track = book.create_sheet("Messages")
    track.append(["Report: messages 02.03.2026"])      # row 1: the report's title
    track.append([])                                   # row 2
    track.append(list(records[0]))                     # row 3: the header
    for r in records[:20]:
        track.append(list(r.values()))                 # rows 4-23
    track.append([])                                   # row 24: blank, skipped
    track.append(["WA 1001", "not a time", 52.2, 21.0, 10])  # row 25: refused
    for r in records[20:]:
        track.append(list(r.values()))
    path = tmp_path / "report.xlsx"
    book.save(path)
    assert main(["ingest", str(tmp_path / "x.db"), str(path), "--tz", "Europe/Warsaw"]) == 0
    assert "read sheet 'Messages', the one with the most rows of the workbook's 2" in \
        capsys.readouterr().out
    got, refused = _stored(tmp_path / "x.db")
    assert refused == [(25, "bad_timestamp", "WA 1001,not a time,52.2,21,10")]
    ingest_paths(tmp_path / "c.db", [_csv(tmp_path, records)], tz="Europe/Warsaw")
    want, _ = _stored(tmp_path / "c.db")
    pd.testing.assert_frame_equal(got, want)
    assert len(got) == len(records)


def test_date_and_time_cells_are_joined_as_a_csv_of_them_is(tmp_path):
    records = _records(30)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Plate", "Date", "Time", "Latitude", "Longitude", "Speed"])
    for r in records:
        t = r["Time"]
        sheet.append([r["Plate"], t.replace(hour=0, minute=0, second=0), t.time(),
                      r["Latitude"], r["Longitude"], r["Speed"]])
    path = tmp_path / "split.xlsx"
    book.save(path)
    [s] = ingest_paths(tmp_path / "x.db", [path], tz="Europe/Warsaw")
    assert s["time_from_columns"] == ["Date", "Time"]
    ingest_paths(tmp_path / "c.db", [_csv(tmp_path, records)], tz="Europe/Warsaw")
    pd.testing.assert_frame_equal(_stored(tmp_path / "x.db")[0], _stored(tmp_path / "c.db")[0])


def test_labels_sheet_and_a_folder_with_a_workbook(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    book = openpyxl.Workbook()
    book.active.append(["Plate", "Time", "Latitude", "Longitude", "Speed"])
    for r in _records(12):
        book.active.append(list(r.values()))
    book.save(folder / "pings.xlsx")
    labels = openpyxl.Workbook()
    labels.active.append(["vehicle_id", "label", "lat", "lon"])
    labels.active.append(["WA 1000", "home", 52.2, 21.0])
    labels.active.append(["WA 1001", "work", 52.25, 21.05])
    labels.save(folder / "z-labels.xlsx")
    assert main(["ingest", str(tmp_path / "p.db"), str(folder), "--tz", "Europe/Warsaw"]) == 0
    out = capsys.readouterr().out
    assert "pings.xlsx: pings: 12 rows read, 12 accepted" in out
    assert "z-labels.xlsx: labels: 2 rows read, 2 accepted" in out
    with sqlite3.connect(tmp_path / "p.db") as conn:
        assert conn.execute("SELECT vehicle_id, label FROM labels ORDER BY vehicle_id"
                            ).fetchall() == [("WA 1000", "home"), ("WA 1001", "work")]
