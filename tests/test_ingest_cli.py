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
    """A file whose headers are in another language: the one-line error names the --map
    options the columns' values suggest, and those options import it. Where the values leave
    a field open (two text columns: which is the vehicle?), nothing is suggested."""
    lines = ["Fahrzeug;Zeitstempel;Breitengrad;Laengengrad;Geschwindigkeit"]
    lines += [f"7;{1768032000 + 30 * i};-33,{8601 + 3 * i};151,{2101 + 4 * i};{40 + i % 3},5"
              for i in range(20)]
    f = tmp_path / "fahrten.csv"
    f.write_text("\n".join(lines) + "\n")
    project = str(tmp_path / "p.db")
    assert main(["ingest", project, str(f)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("error: ")
    suggested = ("--map vehicle_id=Fahrzeug --map timestamp=Zeitstempel --map lat=Breitengrad "
                 "--map lon=Laengengrad")
    assert err.endswith("by their values the columns look like " + suggested)
    assert main(["ingest", project, str(f), *suggested.split(), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["accepted"] == 20

    labels = tmp_path / "orte.csv"   # a labels file rounded to 3 decimals, label told by values
    labels.write_text("Fahrzeug,Art,Breite,Laenge\n7,Home,-33.861,151.21\n7,Work,-33.9,151.182\n")
    assert main(["ingest", project, str(labels), "--kind", "labels"]) == 1
    assert capsys.readouterr().err.strip().endswith(
        "--map vehicle_id=Fahrzeug --map label=Art --map lat=Breite --map lon=Laenge")

    two = tmp_path / "two.csv"
    two.write_text("Fahrzeug;Fahrer;Zeitstempel;Breitengrad;Laengengrad\n"
                   + "".join(f"7;ann;{1768032000 + 30 * i};-33,{8601 + i};151,{2101 + i}\n"
                             for i in range(5)))
    assert main(["ingest", project, str(two)]) == 1
    err = capsys.readouterr().err
    assert "cannot tell pings, labels or vehicles apart" in err and "--map vehicle_id=" not in err
