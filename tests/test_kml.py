"""KML / KMZ (kml.py): Google Earth's gx:Track, a platform's timed point placemarks in a KMZ,
and what is refused (a DTD, a file of routes without times)."""
import sqlite3
import zipfile

import pandas as pd
import pytest

from auditor.errors import UserError
from auditor.ingest.api import ingest_paths

T0 = pd.Timestamp("2026-03-02 08:00", tz="UTC")
KML = ('<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2" '
       'xmlns:gx="http://www.google.com/kml/ext/2.2"><Document>{}</Document></kml>\n')


def _track(name, n, lat0, minutes=1):
    when = "".join(f"<when>{(T0 + pd.Timedelta(minutes=minutes * i)).isoformat()}</when>"
                   for i in range(n))
    coord = "".join(f"<gx:coord>13.{400 + i:03d} {lat0 + i * 1e-3:.4f} 35</gx:coord>"
                    for i in range(n))
    speed = "".join(f"<gx:value>{5 + i % 4}</gx:value>" for i in range(n))
    return (f"<Placemark><name>{name}</name><gx:Track><altitudeMode>absolute</altitudeMode>"
            f"{when}{coord}<ExtendedData><SchemaData schemaUrl='#t'><gx:SimpleArrayData "
            f"name='speed'>{speed}</gx:SimpleArrayData></SchemaData></ExtendedData></gx:Track>"
            "</Placemark>")


def _stored(project, query="SELECT vehicle_id, ts, lat, lon, speed_mps FROM pings "
                           "ORDER BY vehicle_id, ts"):
    with sqlite3.connect(project) as conn:
        return conn.execute(query).fetchall()


def test_gx_tracks_are_a_vehicle_each_and_a_route_gives_nothing(tmp_path):
    route = ("<Placemark><name>planned</name><LineString><coordinates>13.4,52.5 13.5,52.6"
             "</coordinates></LineString></Placemark>")
    path = tmp_path / "drives.kml"
    path.write_text(KML.format(_track("B-AB 123", 12, 52.5) + route + _track("B-CD 456", 9, 52.6)))
    [s] = ingest_paths(tmp_path / "p.db", [path], chunk_rows=5)
    assert (s["read"], s["accepted"], s["quarantined"]) == (21, 21, 0)
    got = _stored(tmp_path / "p.db")
    want = sorted([("B-AB 123", int((T0 + pd.Timedelta(minutes=i)).timestamp()),
                    round(52.5 + i * 1e-3, 4), 13.4 + i / 1000, float(5 + i % 4))
                   for i in range(12)] +
                  [("B-CD 456", int((T0 + pd.Timedelta(minutes=i)).timestamp()),
                    round(52.6 + i * 1e-3, 4), 13.4 + i / 1000, float(5 + i % 4))
                   for i in range(9)])
    assert [(v, t, round(a, 4), round(o, 6), sp) for v, t, a, o, sp in got] == \
        [(v, t, a, round(o, 6), sp) for v, t, a, o, sp in want]


def test_a_kmz_of_timed_points_names_vehicles_by_their_plate_else_their_folder(tmp_path):
    def point(i, plate):
        data = (f"<ExtendedData><Data name='Plate'><value>{plate}</value></Data>"
                if plate else "<ExtendedData>") + \
            f"<Data name='ignition'><value>{'on' if i % 2 else 'off'}</value></Data></ExtendedData>"
        return (f"<Placemark><name>{i}</name><TimeStamp><when>"
                f"{(T0 + pd.Timedelta(minutes=i)).strftime('%Y-%m-%dT%H:%M:%SZ')}</when>"
                f"</TimeStamp>{data}<Point><coordinates>11.{500 + i},48.{100 + i},0</coordinates>"
                "</Point></Placemark>")
    body = ("<Folder><name>Truck 7</name>" + "".join(point(i, None) for i in range(6)) +
            "</Folder><Folder><name>Vans</name>" +
            "".join(point(i, f"M-XY {i % 2}") for i in range(6, 14)) + "</Folder>")
    path = tmp_path / "export.kmz"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("files/icon.png", b"\x89PNG")
        z.writestr("doc.kml", KML.format(body))
    [s] = ingest_paths(tmp_path / "p.db", [path])
    assert (s["accepted"], s["quarantined"]) == (14, 0)
    counts = _stored(tmp_path / "p.db", "SELECT vehicle_id, COUNT(*), MIN(ts) FROM pings "
                                         "GROUP BY 1 ORDER BY 1")
    t = int(T0.timestamp())
    assert counts == [("M-XY 0", 4, t + 360), ("M-XY 1", 4, t + 420), ("Truck 7", 6, t)]
    assert _stored(tmp_path / "p.db", "SELECT lat, lon FROM pings WHERE ts = ?".replace(
        "?", str(t + 600))) == [(48.11, 11.51)]


@pytest.mark.parametrize("body, message", [
    ("<Placemark><name>depot</name><Point><coordinates>13.4,52.5</coordinates></Point>"
     "</Placemark>", "no timed positions in this KML file"),
    (None, "DOCTYPE or ENTITY"),
])
def test_kml_without_times_or_with_a_dtd_is_refused_and_the_project_untouched(tmp_path, body,
                                                                             message):
    path = tmp_path / "x.kml"
    if body is None:
        path.write_text('<?xml version="1.0"?>\n<!DOCTYPE kml [<!ENTITY a "aaaa">]>\n'
                        + KML.split("\n", 1)[1].format(_track("&a;", 3, 52.5)))
    else:
        path.write_text(KML.format(body))
    (tmp_path / "ok.kml").write_text(KML.format(_track("ok", 3, 52.5)))
    ingest_paths(tmp_path / "p.db", [tmp_path / "ok.kml"])
    before = (tmp_path / "p.db").read_bytes()
    with pytest.raises(UserError, match=message):
        ingest_paths(tmp_path / "p.db", [path])
    assert (tmp_path / "p.db").read_bytes() == before
