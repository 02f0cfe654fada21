"""`auditor ingest` on the command line: JSON keys, readable summary, one-line errors."""
import json

from auditor.cli import main

HEADER = "vehicle_id,timestamp,lat,lon\n"


def test_json_for_one_file_is_an_object(tmp_path, capsys):
    f = tmp_path / "p.csv"
    f.write_text(HEADER + "v1,2024-01-01T10:00:00Z,52.5,13.4\nv1,2024-01-01T10:00:00Z,52.5,13.4\n")
    assert main(["ingest", str(tmp_path / "p.db"), str(f), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"kind", "read", "accepted", "quarantined", "reasons", "file", "skipped"} <= set(out)
    assert (out["kind"], out["read"], out["accepted"], out["quarantined"]) == ("pings", 2, 1, 1)
    assert out["reasons"] == {"duplicate_ping": 1} and out["skipped"] is False


def test_json_for_several_files_is_a_list_and_options_reach_ingest(tmp_path, capsys):
    files = []
    for day in (1, 2):
        f = tmp_path / f"ais{day}.csv"
        f.write_text(f"MMSI;Zeit;LAT;LON\n7;2024-01-0{day} 10:00:00;52,5;13,4\n")
        files.append(str(f))
    argv = ["ingest", str(tmp_path / "p.db"), *files, "--map", "vehicle_id=MMSI",
            "--map", "timestamp=Zeit", "--tz", "Europe/Berlin", "--kind", "pings", "--json"]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert [(o["kind"], o["accepted"], o["file"]) for o in out] == [("pings", 1, f) for f in files]
    assert main(argv) == 0
    assert [o["skipped"] for o in json.loads(capsys.readouterr().out)] == [True, True]


def test_readable_summary_and_repeat(tmp_path, capsys):
    f = tmp_path / "p.csv"
    f.write_text(HEADER + "v1,2024-01-01T10:00:00Z,52.5,13.4\nv1,2024-01-01T10:01:00Z,,13.4\n")
    assert main(["ingest", str(tmp_path / "p.db"), str(f)]) == 0
    out = capsys.readouterr().out
    assert "2 rows read, 1 accepted, 1 quarantined" in out and "missing_lat_lon: 1" in out
    assert main(["ingest", str(tmp_path / "p.db"), str(f)]) == 0
    assert "already imported — nothing to do" in capsys.readouterr().out


def test_bad_file_exits_1_with_one_error_line(tmp_path, capsys):
    f = tmp_path / "p.csv"
    f.write_text("vehicle_id,lat,lon\n")
    assert main(["ingest", str(tmp_path / "p.db"), str(f), "--json"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "p.csv" in lines[0]
    assert not (tmp_path / "p.db").exists()


def test_malformed_map_is_a_one_line_error(tmp_path, capsys):
    f = tmp_path / "p.csv"
    f.write_text(HEADER + "v1,2024-01-01T10:00:00Z,52.5,13.4\n")
    assert main(["ingest", str(tmp_path / "p.db"), str(f), "--map", "lat"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "FIELD=COLUMN" in err[0]


def test_headers_in_no_alias_table_get_the_map_options_their_values_suggest(tmp_path, capsys):
    """A file whose headers are in a language no alias table holds (Finnish): the one-line
    error names the --map options the columns' values suggest, and those options import it.
    Where the values leave a field open (two text columns: which is the vehicle?), nothing is
    suggested."""
    lines = ["Ajoneuvo;Aikaleima;Leveysaste;Pituusaste;Nopeus"]
    lines += [f"7;{1768032000 + 30 * i};-33,{8601 + 3 * i};151,{2101 + 4 * i};{40 + i % 3},5"
              for i in range(20)]
    f = tmp_path / "fahrten.csv"
    f.write_text("\n".join(lines) + "\n")
    project = str(tmp_path / "p.db")
    assert main(["ingest", project, str(f)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("error: ")
    suggested = ("--map vehicle_id=Ajoneuvo --map timestamp=Aikaleima --map lat=Leveysaste "
                 "--map lon=Pituusaste")
    assert err.endswith("by their values the columns look like " + suggested)
    assert main(["ingest", project, str(f), *suggested.split(), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["accepted"] == 20

    labels = tmp_path / "orte.csv"   # a labels file rounded to 3 decimals, label told by values
    labels.write_text("Ajoneuvo,Laji,Leveysaste,Pituusaste\n7,Home,-33.861,151.21\n"
                      "7,Work,-33.9,151.182\n")
    assert main(["ingest", project, str(labels), "--kind", "labels"]) == 1
    assert capsys.readouterr().err.strip().endswith(
        "--map vehicle_id=Ajoneuvo --map label=Laji --map lat=Leveysaste --map lon=Pituusaste")

    two = tmp_path / "two.csv"
    two.write_text("Ajoneuvo;Kuljettaja;Aikaleima;Leveysaste;Pituusaste\n"
                   + "".join(f"7;ann;{1768032000 + 30 * i};-33,{8601 + i};151,{2101 + i}\n"
                             for i in range(5)))
    assert main(["ingest", project, str(two)]) == 1
    err = capsys.readouterr().err
    assert "cannot tell pings, labels or vehicles apart" in err and "--map vehicle_id=" not in err


def _gpx(path, day, points, name=None):
    """A one-track GPX file of ``points`` (lat, lon, 'HH:MM:SS') on ``day``, its track named
    ``name`` (default 'Drive <day>')."""
    pts = "".join(f'<trkpt lat="{lat}" lon="{lon}"><time>{day}T{t}Z</time></trkpt>'
                  for lat, lon, t in points)
    path.write_text('<?xml version="1.0"?><gpx version="1.1" creator="t" '
                    'xmlns="http://www.topografix.com/GPX/1/1"><trk><name>'
                    f'{name or "Drive " + day}</name><trkseg>{pts}</trkseg></trk></gpx>',
                    encoding="utf-8")
    return path


def test_one_vehicles_files_take_their_id_from_the_vehicle_option(tmp_path, capsys):
    """One car's log has no vehicle column (a phone logger, a single tracker's export): it was
    refused with nothing to map. A tracker app's GPX files, one a day, became a vehicle per
    day. --vehicle ID makes every row of the command's files that vehicle's, and is part of
    what makes an import the same one again."""
    import sqlite3
    log = tmp_path / "log.csv"
    log.write_text("time,latitude,longitude\n2025-03-01T08:00:00Z,48.1,11.5\n"
                   "2025-03-01T08:01:00Z,48.11,11.51\n2025-03-01T08:02:00Z,,11.52\n",
                   encoding="utf-8")
    p = tmp_path / "p.db"
    assert main(["ingest", str(p), str(log)]) == 1
    assert "or --vehicle ID when the file is one vehicle's" in capsys.readouterr().err
    assert main(["ingest", str(p), str(log), "--vehicle", " car-5 ", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["accepted"] == 2 and out["reasons"] == {"missing_lat_lon": 1}
    with sqlite3.connect(p) as conn:
        assert conn.execute("SELECT DISTINCT vehicle_id FROM pings").fetchall() == [("car-5",)]
        # the refused row as the file wrote it, without the id --vehicle gave it
        assert conn.execute("SELECT raw FROM quarantine").fetchall() == [
            ("2025-03-01T08:02:00Z,,11.52",)]
    assert main(["ingest", str(p), str(log), "--vehicle", "car-5"]) == 0
    assert "already imported" in capsys.readouterr().out
    assert main(["ingest", str(p), str(log), "--vehicle", "car-6"]) == 0   # another vehicle
    with sqlite3.connect(p) as conn:
        assert conn.execute("SELECT vehicle_id, COUNT(*) FROM pings GROUP BY 1").fetchall() \
            == [("car-5", 2), ("car-6", 2)]
    capsys.readouterr()
    meta = tmp_path / "vehicles.csv"
    meta.write_text("vehicle_id,model\ncar-5,van\n", encoding="utf-8")
    assert main(["ingest", str(p), str(meta), "--vehicle", "car-5"]) == 1
    assert "a vehicles file names its own" in capsys.readouterr().err
    # its labels, the label column told by its values ('type'): labels, not vehicle metadata
    labels = tmp_path / "labels.csv"
    labels.write_text("type,lat,lon\nhome,48.1,11.5\nwork,48.2,11.6\n", encoding="utf-8")
    assert main(["ingest", str(p), str(labels), "--vehicle", "car-5"]) == 0
    with sqlite3.connect(p) as conn:
        assert conn.execute("SELECT vehicle_id, label FROM labels ORDER BY 2").fetchall() == [
            ("car-5", "home"), ("car-5", "work")]

    days = [_gpx(tmp_path / f"day{d}.gpx", f"2025-03-0{d}",
                 [(48.1, 11.5, "08:00:00"), (48.12, 11.52, "08:05:00")]) for d in (2, 3, 4)]
    q = tmp_path / "q.db"
    assert main(["ingest", str(q), *map(str, days)]) == 0
    assert "3 GPX files became 3 vehicles, one per file (Drive 2025-03-02, Drive 2025-03-03, " \
           "Drive 2025-03-04), and their times never overlap: if they are one car's days, " \
           "import them into a new project with --vehicle NAME" in capsys.readouterr().out
    r = tmp_path / "r.db"
    assert main(["ingest", str(r), *map(str, days), "--vehicle", "car-5"]) == 0
    assert "GPX files became" not in capsys.readouterr().out
    with sqlite3.connect(r) as conn:
        assert conn.execute("SELECT vehicle_id, COUNT(*) FROM pings GROUP BY 1").fetchall() \
            == [("car-5", 6)]
    # two files whose times overlap are two vehicles: nothing said
    other = _gpx(tmp_path / "other.gpx", "2025-03-02", [(48.2, 11.6, "08:01:00"),
                                                        (48.21, 11.61, "08:03:00")], "van")
    s = tmp_path / "s.db"
    assert main(["ingest", str(s), str(days[0]), str(other)]) == 0
    assert "GPX files became" not in capsys.readouterr().out


def test_a_folder_of_one_file_per_vehicle_names_each_after_its_file(tmp_path, capsys):
    """A tracker platform's export: one CSV per car, no vehicle column. --vehicle ID made them
    all one vehicle; --vehicle '{file}' makes each file its own, named as the wizard's "named
    after the file" names it."""
    import sqlite3
    folder = tmp_path / "export"
    folder.mkdir()
    for name, lat in (("car-17.csv", 48.1), ("van-3.csv.gz", 48.3)):
        text = (f"time,latitude,longitude\n2025-03-01T08:00:00Z,{lat},11.5\n"
                f"2025-03-01T08:01:00Z,{lat + 0.01},11.51\n")
        if name.endswith(".gz"):
            import gzip
            (folder / name).write_bytes(gzip.compress(text.encode()))
        else:
            (folder / name).write_text(text, encoding="utf-8")
    p = tmp_path / "p.db"
    assert main(["ingest", str(p), str(folder)]) == 1
    assert "--vehicle '{file}': each file's own" in capsys.readouterr().err
    assert main(["ingest", str(p), str(folder), "--vehicle", "{file}"]) == 0
    with sqlite3.connect(p) as conn:
        assert conn.execute("SELECT vehicle_id, COUNT(*), MIN(lat) FROM pings GROUP BY 1 "
                            "ORDER BY 1").fetchall() == [("car-17", 2, 48.1), ("van-3", 2, 48.3)]


def test_one_map_for_pings_and_labels_of_one_command(tmp_path, capsys):
    """--map vehicle_id=Unit named a column the labels file (vehicle_id) does not have, and
    the command refused the labels file: pings and labels had to be two commands. A --map now
    applies to the files that have its column; one that no file has is still an error."""
    import sqlite3
    pings = tmp_path / "pings.csv"
    pings.write_text("Unit,timestamp,lat,lon\nu1,2025-03-01T08:00:00Z,48.1,11.5\n"
                     "u1,2025-03-01T08:01:00Z,48.11,11.51\n", encoding="utf-8")
    labels = tmp_path / "labels.csv"
    labels.write_text("vehicle_id,label,lat,lon\nu1,home,48.1,11.5\n", encoding="utf-8")
    p = tmp_path / "p.db"
    assert main(["ingest", str(p), str(pings), str(labels), "--map", "vehicle_id=Unti"]) == 1
    assert "--map vehicle_id=Unti: no file has a column 'Unti'" in capsys.readouterr().err
    assert not p.exists()
    assert main(["ingest", str(p), str(pings), str(labels), "--map", "vehicle_id=Unit"]) == 0
    with sqlite3.connect(p) as conn:
        assert conn.execute("SELECT DISTINCT vehicle_id FROM pings").fetchall() == [("u1",)]
        assert conn.execute("SELECT vehicle_id, label FROM labels").fetchall() == [("u1", "home")]
    # one file: a column it lacks is its error, as before
    assert main(["ingest", str(p), str(labels), "--map", "vehicle_id=Unit"]) == 1
    assert "no column 'Unit' in the file" in capsys.readouterr().err
