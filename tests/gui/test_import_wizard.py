"""The import wizard, driven like a user: files, preview, kind, column mapping, timezone,
review, import, quarantine summary. Issue 14 items 2 and 13: nothing is written before Import
(Cancel anywhere before it leaves the project as it was), Cancel after it never runs inference,
every column's fate is shown, Next says why it is off, offsets are noticed, and pings, labels
and vehicles come in one run."""
from PySide6.QtWidgets import QWizard

from auditor.gui.import_wizard import (
    PAGE_COLUMNS,
    PAGE_REVIEW,
    PAGE_RUN,
    PAGE_TZ,
    ImportWizard,
)
from auditor.store import open_project


def _write_csv(path):
    # headers in no alias table, and two text columns: which is the vehicle id, its values
    # cannot tell either
    lines = ["Unit;When;Y;X;Driver"]
    for i in range(30):
        lines.append(f"truck-7;2026-01-10 08:{i:02d}:00;52.{5000 + i * 3};13.{4000 + i * 3};ann")
    lines.append("truck-7;2026-01-10 09:00:00;95.0;13.4;ann")   # latitude out of range
    lines.append("truck-7;2026-01-10 09:01:00;52.51;;ann")      # no longitude
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _loaded(qtbot, project, files):
    """A shown wizard on ``project`` with ``files`` added and their previews read."""
    wiz = ImportWizard(project)
    qtbot.addWidget(wiz)
    wiz.show()
    wiz.add_files(files)
    qtbot.waitUntil(lambda: not wiz.file_page.is_loading(), timeout=10_000)
    return wiz


def _count(project, table):
    conn = open_project(project)
    try:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


BERLIN = "Europe/Berlin"


def _berlin_secs(days, hours) -> list[int]:
    """Epoch seconds of HH:00:07 Berlin time on the given days of March 2026."""
    from datetime import datetime
    from zoneinfo import ZoneInfo
    return [int(datetime(2026, 3, d, h, 0, 7, tzinfo=ZoneInfo(BERLIN)).timestamp())
            for d in days for h in hours]


def _berlin_text(sec: int, fmt: str) -> str:
    from datetime import datetime
    from zoneinfo import ZoneInfo
    return datetime.fromtimestamp(sec, ZoneInfo(BERLIN)).strftime(fmt)


def _new_project_with(qtbot, tmp_path, csv):
    """A new project, the wizard on it with ``csv`` added and previewed."""
    project = tmp_path / "new.db"
    open_project(project, create=True).close()
    return project, _loaded(qtbot, project, [csv])


def _import_and_read_ts(qtbot, wiz, project) -> list[int]:
    """From the timezone page: on to the review, Import, and the stored stamps."""
    wiz.next()
    wiz.next()  # Import
    qtbot.waitUntil(lambda: wiz.currentId() == PAGE_RUN, timeout=30_000)
    conn = open_project(project)
    try:
        return [r[0] for r in conn.execute("SELECT ts FROM pings ORDER BY ts")]
    finally:
        conn.close()


def _to_review(qtbot, wiz, csv):
    page = wiz.file_page
    page.path_edit.setText(str(csv))
    qtbot.waitUntil(lambda: not page.is_loading(), timeout=10_000)  # read off the GUI thread
    assert page.preview.model().rowCount() == 20
    assert list(wiz.frame.columns) == ["Unit", "When", "Y", "X", "Driver"]
    # headers too odd to guess: Next is off, and the page says why
    assert not page.isComplete() and "cannot tell what it holds" in page.error.text()
    page.kind.setCurrentIndex(page.kind.findData("pings"))
    assert page.isComplete() and page.error.text() == ""

    wiz.next()
    assert wiz.currentId() == PAGE_COLUMNS
    cols = wiz.columns_page
    assert not cols.isComplete()  # vehicle_id, timestamp, lat, lon not found yet
    assert "vehicle_id: no column found — pick one" in cols.why.text()
    for field, column in (("vehicle_id", "Unit"), ("timestamp", "When"), ("lat", "Y"),
                          ("lon", "X")):
        combo = cols.combos[field]
        combo.setCurrentIndex(combo.findData(column))
    assert cols.isComplete() and cols.why.text() == ""
    assert cols.field_labels[0]["lat"].text() == "lat *"
    assert cols.field_labels[0]["point"].text() == "point"
    roles = cols.roles[0].text()
    assert "Unit → vehicle_id" in roles and "X → lon" in roles

    wiz.next()
    assert wiz.currentId() == PAGE_TZ
    tz = wiz.tz_page
    assert "no offset" in tz.notice.text() and "2026-01-10 08:00:00" in tz.notice.text()
    assert not tz.isComplete() and "pick their timezone" in tz.why.text()
    tz.set_tz("Europe/Berlin")
    assert tz.tz() == "Europe/Berlin" and tz.isComplete()

    wiz.next()
    assert wiz.currentId() == PAGE_REVIEW
    assert "Nothing has been imported yet" in wiz.review_page.subTitle()
    assert wiz.button(QWizard.WizardButton.CommitButton).text() == "Import"


def test_nothing_is_written_until_import_and_then_the_refusals_show(qtbot, tmp_path):
    project = tmp_path / "new.db"
    open_project(project, create=True).close()
    csv = _write_csv(tmp_path / "export;semicolons.csv")
    wiz = ImportWizard(project)
    qtbot.addWidget(wiz)
    wiz.show()
    _to_review(qtbot, wiz, csv)
    assert _count(project, "pings") == 0 and _count(project, "imports") == 0  # not yet

    wiz.next()  # Import
    qtbot.waitUntil(lambda: wiz.currentId() == PAGE_RUN, timeout=30_000)
    assert wiz.imported
    status = wiz.run_page.status.text()
    assert "accepted 30" in status and "refused 2" in status
    assert wiz.run_page.reasons.isVisible() and wiz.run_page.rows.isVisible()
    reasons = wiz.run_page.reasons.model().frame
    assert dict(zip(reasons["reason"], reasons["rows"])) == {"lat_lon_out_of_range": 1,
                                                             "missing_lat_lon": 1}
    assert set(reasons["what to do"]) == {""}  # 2 rows of 32: bad rows, not a format problem
    refused = wiz.run_page.rows.model().frame
    assert sorted(refused["line"]) == [32, 33] and "95.0" in " ".join(refused["raw"])
    assert wiz.button(QWizard.WizardButton.FinishButton).isEnabled()
    # the data is in: there is nothing left to cancel
    assert not wiz.button(QWizard.WizardButton.CancelButton).isVisible()

    conn = open_project(project)
    rows = conn.execute("SELECT vehicle_id, utc_offset_min, ts FROM pings ORDER BY ts").fetchall()
    conn.close()
    assert len(rows) == 30 and {r[0] for r in rows} == {"truck-7"}
    assert {r[1] for r in rows} == {60}  # Berlin in January
    assert rows[0][2] == 1768028400  # 2026-01-10 08:00 Berlin = 07:00 UTC


def test_cancel_on_the_last_step_before_import_imports_nothing(qtbot, tmp_path):
    project = tmp_path / "new.db"
    open_project(project, create=True).close()
    wiz = ImportWizard(project)
    qtbot.addWidget(wiz)
    wiz.show()
    _to_review(qtbot, wiz, _write_csv(tmp_path / "a.csv"))
    wiz.reject()  # Cancel on the review page
    assert not wiz.imported and not wiz.run_inference_requested()
    assert _count(project, "pings") == 0 and _count(project, "imports") == 0


def test_cancel_after_import_never_runs_inference(qtbot, window, tmp_path):
    project = tmp_path / "new.db"
    window.open_project(project, create=True)
    wiz = window.commands.import_dialog()
    _to_review(qtbot, wiz, _write_csv(tmp_path / "a.csv"))
    wiz.next()
    qtbot.waitUntil(lambda: wiz.currentId() == PAGE_RUN, timeout=30_000)
    assert wiz.run_page.infer.isChecked()  # offered...
    started = []
    window.commands.run_infer = lambda: started.append(1)
    wiz.reject()  # ...but the window was closed without Finish
    assert started == []
    # the status bar is the one place that says what happened
    assert window.statusBar().currentMessage() == "Imported 30 rows from 1 file"
    assert window.status.run.text() == "not inferred yet"
    window.close()


def test_pings_labels_and_vehicles_in_one_run_every_column_shown(qtbot, tmp_path, demo_dir):
    project = tmp_path / "new.db"
    open_project(project, create=True).close()
    wiz = ImportWizard(project)
    qtbot.addWidget(wiz)
    wiz.show()
    wiz.add_files([demo_dir / "pings.csv", demo_dir / "labels.csv", demo_dir / "vehicles.csv"])
    page = wiz.file_page
    qtbot.waitUntil(lambda: not page.is_loading(), timeout=30_000)
    assert [e.kind for e in wiz.entries] == ["pings", "labels", "vehicles"]
    assert page.isComplete()
    wiz.next()
    cols = wiz.columns_page
    assert cols.tabs.count() == 3 and cols.isComplete()
    vehicles_roles = cols.roles[2].text()
    # every column of the vehicles file, the metadata included
    header = (demo_dir / "vehicles.csv").read_text().splitlines()[0].split(",")
    assert all(f"{c} → " in vehicles_roles for c in header)
    assert "timezone → metadata (each vehicle's timezone)" in vehicles_roles
    wiz.next()
    assert wiz.currentId() == PAGE_TZ
    assert "carry their own UTC offset" in wiz.tz_page.notice.text()
    assert wiz.tz_page.isComplete()  # offsets: no zone needed
    wiz.next()
    assert wiz.currentId() == PAGE_REVIEW
    assert [j.kind for j in wiz.jobs()] == ["vehicles", "pings", "labels"]
    wiz.next()
    qtbot.waitUntil(lambda: wiz.currentId() == PAGE_RUN, timeout=60_000)
    assert [s["kind"] for s in wiz.summaries] == ["vehicles", "pings", "labels"]
    assert _count(project, "imports") == 3 and _count(project, "labels") > 0


def test_wizard_reports_a_bad_file_without_importing(qtbot, tmp_path):
    project = tmp_path / "new.db"
    open_project(project, create=True).close()
    wiz = ImportWizard(project)
    qtbot.addWidget(wiz)
    page = wiz.file_page
    assert not page.isComplete() and "Add a file" in page.error.text()
    page.path_edit.setText(str(tmp_path / "missing.csv"))
    assert not page.isComplete() and "No such file" in page.error.text()
    binary = tmp_path / "blob.csv"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    page.path_edit.setText(str(binary))
    qtbot.waitUntil(lambda: not page.is_loading(), timeout=10_000)
    assert not page.isComplete() and "binary" in page.error.text()
    header_only = tmp_path / "header.csv"
    header_only.write_text("vehicle_id,timestamp,lat,lon\n")
    page.path_edit.setText(str(header_only))
    qtbot.waitUntil(lambda: not page.is_loading(), timeout=10_000)
    assert not page.isComplete() and "no rows" in page.error.text()


def test_the_menu_and_its_shortcut_open_an_empty_wizard(qtbot, window, tmp_path):
    """File ▸ Import data… as a user reaches it (the QAction, not the method): its
    triggered(checked) once filled the optional file parameter with False and crashed."""
    from PySide6.QtWidgets import QApplication

    from auditor.gui.import_wizard import ImportWizard
    window.open_project(tmp_path / "new.db", create=True)
    window.import_action.trigger()
    wizards = [w for w in QApplication.topLevelWidgets()
               if isinstance(w, ImportWizard) and w.isVisible()]
    assert len(wizards) == 1 and wizards[0].file_page.files.count() == 0
    wizards[0].reject()
    window.close()


def test_a_file_of_malformed_lines_is_said_so_above_the_empty_preview(qtbot, window, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("vehicle_id,ts,lat,lon\n" + "".join(
        f"v{i},2026-01-01T00:00:00Z,52.5,13.4,extra\n" for i in range(30)))
    window.open_project(tmp_path / "new.db", create=True)
    wiz = window.commands.import_dialog(bad)
    page = wiz.file_page
    qtbot.waitUntil(lambda: not page.is_loading(), timeout=10_000)
    assert page.preview.model().rowCount() == 0
    text = page.preview_label.text()
    assert "None of the 30 lines" in text and "line 2: malformed row" in text
    assert page.isComplete()   # importable, as on the command line: every line quarantined
    wiz.reject()
    window.close()


def test_a_path_typed_key_by_key_keeps_its_slashes(qtbot, tmp_path):
    """Driving the app: typing /tmp/…/ais.csv into the path field gave '/tmps24aisais.csv' —
    every keystroke rewrote the field from Path(text), which drops a trailing slash."""
    from PySide6.QtCore import Qt
    folder = tmp_path / "deep" / "er"
    folder.mkdir(parents=True)
    csv = _write_csv(folder / "pings.csv")
    project = tmp_path / "new.db"
    open_project(project, create=True).close()
    wiz = ImportWizard(project)
    qtbot.addWidget(wiz)
    page = wiz.file_page
    page.path_edit.setFocus()
    qtbot.keyClicks(page.path_edit, str(csv))
    assert page.path_edit.text() == str(csv)
    qtbot.waitUntil(lambda: not page.is_loading(), timeout=10_000)
    assert len(wiz.entries) == 1 and wiz.entries[0].path == csv
    assert page.preview.model().rowCount() == 20 and "No such file" not in page.error.text()
    # editing it back a character at a time works the same way
    qtbot.keyClick(page.path_edit, Qt.Key.Key_Backspace)
    assert page.path_edit.text() == str(csv)[:-1] and "No such file" in page.error.text()


def test_a_format_problem_shows_what_to_do_on_the_last_page(qtbot, tmp_path):
    """Timestamps in no form the import reads refuse every row: the last page says what to
    do, as the terminal's ingest does, beside the reason."""
    from auditor.ingest.api import ingest_paths
    from auditor.ingest.command import FIXES
    project = tmp_path / "p.db"
    csv = tmp_path / "us.csv"
    csv.write_text("vehicle_id,timestamp,lat,lon\n" + "".join(
        f"v1,{i} minutes past three,52.5,13.4\n" for i in range(20)))
    summaries = ingest_paths(project, [csv])
    wiz = ImportWizard(project)
    qtbot.addWidget(wiz)
    wiz.run_page.show_summaries(summaries)
    reasons = wiz.run_page.reasons.model().frame
    assert reasons[["reason", "rows"]].values.tolist() == [["bad_timestamp", 20]]
    assert reasons["what to do"].tolist() == [FIXES["bad_timestamp"]]


def test_labels_one_row_per_vehicle_are_labels(qtbot, tmp_path):
    """home_lat, home_lon, work_lat, work_lon per vehicle — a common way to write labels —
    was taken for vehicle metadata and imported as such: no label, and nothing said. The
    wizard now reads it as labels (a row per pair given) and names what it leaves unread."""
    project = tmp_path / "new.db"
    open_project(project, create=True).close()
    csv = tmp_path / "survey.csv"
    csv.write_text("VIN,HomeLatitude,HomeLongitude,WorkLatitude,WorkLongitude,depot\n"
                   "v1,52.5,13.4,52.52,13.45,north\nv2,48.1,11.5,,,south\n")
    wiz = ImportWizard(project)
    qtbot.addWidget(wiz)
    wiz.show()
    wiz.add_files([csv])
    page = wiz.file_page
    qtbot.waitUntil(lambda: not page.is_loading(), timeout=10_000)
    assert [e.kind for e in wiz.entries] == ["labels"] and page.isComplete()
    wiz.next()
    cols = wiz.columns_page
    assert cols.isComplete(), cols.why.text()
    roles = cols.roles[0].text()
    assert "HomeLatitude → home_lat" in roles and "WorkLongitude → work_lon" in roles
    assert "depot → not read" in roles
    # label, lat and lon are not required beside the column pairs
    stars = {f: w.text() for f, w in cols.field_labels[0].items()}
    assert stars["vehicle_id"] == "vehicle_id *" and stars["label"] == "label"
    assert stars["lat"] == "lat" and stars["home_lat"] == "home_lat"
    while wiz.currentId() != PAGE_REVIEW:
        wiz.next()
    wiz.next()  # Import
    qtbot.waitUntil(lambda: wiz.currentId() == PAGE_RUN, timeout=30_000)
    assert "One label row per home_lat/home_lon, work_lat/work_lon pair given on a line; " \
           "not read: depot" in wiz.run_page.status.text()
    conn = open_project(project)
    rows = conn.execute("SELECT vehicle_id, label, lat, lon FROM labels ORDER BY label_id")
    assert rows.fetchall() == [("v1", "home", 52.5, 13.4), ("v1", "work", 52.52, 13.45),
                               ("v2", "home", 48.1, 11.5)]
    conn.close()


def test_naive_local_times_in_each_vehicles_own_zone(qtbot, tmp_path):
    """A fleet in two zones whose pings say local time without an offset: the timezone page
    offers each vehicle's own zone (its vehicles file, imported first in the same run)."""
    from auditor.ingest.timestamps import VEHICLE_ZONE
    project = tmp_path / "new.db"
    open_project(project, create=True).close()
    (tmp_path / "vehicles.csv").write_text("vehicle_id,timezone\nchi,America/Chicago\n"
                                           "ber,Europe/Berlin\n")
    (tmp_path / "pings.csv").write_text("vehicle_id,timestamp,lat,lon\n"
                                        "chi,2026-03-09 08:00:00,41.8,-87.6\n"
                                        "ber,2026-03-09 08:00:00,52.5,13.4\n")
    wiz = _loaded(qtbot, project, [tmp_path / "pings.csv", tmp_path / "vehicles.csv"])
    wiz.next()
    wiz.next()
    assert wiz.currentId() == PAGE_TZ and not wiz.tz_page.isComplete()
    wiz.tz_page.set_tz(VEHICLE_ZONE)
    assert wiz.tz_page.isComplete()
    assert "Each vehicle's own" in wiz.tz_page.combo.currentText()
    wiz.next()
    wiz.next()  # Import
    qtbot.waitUntil(lambda: wiz.currentId() == PAGE_RUN, timeout=30_000)
    conn = open_project(project)
    got = conn.execute("SELECT vehicle_id, utc_offset_min FROM pings ORDER BY 1").fetchall()
    conn.close()
    assert got == [("ber", 60), ("chi", -300)]


def test_a_geometry_column_is_the_coordinates(qtbot, tmp_path):
    """A GIS export with one WKT geometry column and no lat/lon: the wizard said 'lat: no
    column found'; it now reads the points."""
    project = tmp_path / "new.db"
    open_project(project, create=True).close()
    csv = tmp_path / "gis.csv"
    csv.write_text("vehicle_id,timestamp,the_geom\n" + "".join(
        f"v1,2026-03-02T10:{i:02d}:00Z,POINT(13.4{i:02d} 52.5)\n" for i in range(5)))
    wiz = _loaded(qtbot, project, [csv])
    assert [e.kind for e in wiz.entries] == ["pings"] and wiz.file_page.isComplete()
    wiz.next()
    assert wiz.columns_page.isComplete(), wiz.columns_page.why.text()
    assert "the_geom → point" in wiz.columns_page.roles[0].text()
    while wiz.currentId() != PAGE_REVIEW:
        wiz.next()
    wiz.next()  # Import
    qtbot.waitUntil(lambda: wiz.currentId() == PAGE_RUN, timeout=30_000)
    conn = open_project(project)
    assert conn.execute("SELECT COUNT(*), MIN(lon), MAX(lat) FROM pings").fetchone() == \
        (5, 13.4, 52.5)
    conn.close()


def test_a_label_column_found_by_its_values(qtbot, tmp_path):
    """'type' holding Home/Work: the wizard guesses labels, as the terminal's import does."""
    project = tmp_path / "new.db"
    open_project(project, create=True).close()
    csv = tmp_path / "l.csv"
    csv.write_text("vehicle_id,type,lat,lon\nv1,Home,52.5,13.4\nv1,Work,52.52,13.45\n")
    wiz = _loaded(qtbot, project, [csv])
    assert [e.kind for e in wiz.entries] == ["labels"]
    wiz.next()
    assert wiz.columns_page.isComplete() and "type → label" in wiz.columns_page.roles[0].text()
    while wiz.currentId() != PAGE_REVIEW:
        wiz.next()
    wiz.next()  # Import
    qtbot.waitUntil(lambda: wiz.currentId() == PAGE_RUN, timeout=30_000)
    conn = open_project(project)
    assert conn.execute("SELECT label FROM labels ORDER BY label_id").fetchall() == [
        ("home",), ("work",)]
    conn.close()


def test_headers_in_another_language_are_told_by_their_values(qtbot, tmp_path):
    """'Wagen;Zeitpunkt;Nord;Ost' with decimal commas: no header is in the alias table, so
    the wizard could not tell what the file held. Their values tell: the
    columns page shows the guess for the analyst to confirm, and the import reads them."""
    project = tmp_path / "new.db"
    open_project(project, create=True).close()
    csv = tmp_path / "fahrten.csv"
    rows = ["Wagen;Zeitpunkt;Nord;Ost;Geschwindigkeit"]
    rows += [f"B-XY 12;2026-01-10T08:{i:02d}:00+01:00;52,{5001 + 7 * i};13,{4002 + 5 * i};"
             f"{30 + i % 4},5" for i in range(25)]
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    wiz = _loaded(qtbot, project, [csv])
    assert [e.kind for e in wiz.entries] == ["pings"] and wiz.file_page.isComplete()
    wiz.next()
    cols = wiz.columns_page
    assert cols.isComplete()
    roles = cols.roles[0].text()
    for column, field in (("Wagen", "vehicle_id"), ("Zeitpunkt", "timestamp"),
                          ("Nord", "lat"), ("Ost", "lon")):
        assert f"{column} → {field}" in roles
    while wiz.currentId() != PAGE_REVIEW:
        wiz.next()
    wiz.next()  # Import
    qtbot.waitUntil(lambda: wiz.currentId() == PAGE_RUN, timeout=30_000)
    # nothing refused: no empty tables of refusals
    assert "refused 0" in wiz.run_page.status.text()
    assert not wiz.run_page.reasons.isVisible() and not wiz.run_page.rows.isVisible()
    conn = open_project(project)
    got = conn.execute("SELECT vehicle_id, lat, lon FROM pings ORDER BY ts").fetchall()
    conn.close()
    assert len(got) == 25 and got[0] == ("B-XY 12", 52.5001, 13.4002)


def test_one_cars_log_without_a_vehicle_column_is_one_vehicle(qtbot, tmp_path):
    """A phone logger's CSV (time, latitude, longitude) has no vehicle column: the wizard
    could only say 'vehicle_id: no column found'. The vehicle_id choice 'one vehicle, named
    after the file' imports every row as that vehicle's (ingest --vehicle)."""
    project = tmp_path / "new.db"
    open_project(project, create=True).close()
    csv = tmp_path / "my-car.csv"
    csv.write_text("time,latitude,longitude\n" + "".join(
        f"2026-03-02T10:{i:02d}:00Z,52.5{i:02d},13.4\n" for i in range(5)))
    wiz = _loaded(qtbot, project, [csv])
    assert [e.kind for e in wiz.entries] == ["pings"]
    wiz.next()
    page = wiz.columns_page
    assert not page.isComplete()
    assert "vehicle_id: no column found — pick one (or 'one vehicle, named after the file' " \
           "when the file is one vehicle's)" in page.why.text()
    combo = page.combos["vehicle_id"]
    combo.setCurrentIndex(combo.findText("(one vehicle, named after the file: my-car)"))
    assert page.isComplete(), page.why.text()
    assert [j.vehicle for j in wiz.jobs()] == ["my-car"]
    while wiz.currentId() != PAGE_REVIEW:
        wiz.next()
    assert "my-car.csv: GPS pings; columns found automatically; every row is vehicle my-car" \
        in wiz.review_page.summary.text()
    wiz.next()  # Import
    qtbot.waitUntil(lambda: wiz.currentId() == PAGE_RUN, timeout=30_000)
    conn = open_project(project)
    assert conn.execute("SELECT vehicle_id, COUNT(*) FROM pings GROUP BY 1").fetchall() == [
        ("my-car", 5)]
    conn.close()
    # picking a column again takes the choice back
    combo.setCurrentIndex(combo.findData("time"))
    assert wiz.entries[0].vehicle is None


def test_dates_written_day_first_are_read_and_the_order_can_be_picked(qtbot, tmp_path):
    """An Excel export from Germany: '05.03.2026 08:00:07', no offset. The timezone page says
    how the times are written, offers day/month order for such dates, and the import reads
    them as the clock wrote them (the standard library's strftime is the oracle)."""
    secs = _berlin_secs(range(2, 7), (8, 9, 17))
    csv = tmp_path / "export.csv"
    csv.write_text("vehicle_id,timestamp,lat,lon\n" + "".join(
        f"v1,{_berlin_text(s, '%d.%m.%Y %H:%M:%S')},52.5{i % 3},13.4\n"
        for i, s in enumerate(secs)))
    project, wiz = _new_project_with(qtbot, tmp_path, csv)
    wiz.next()
    wiz.next()
    page = wiz.tz_page
    assert wiz.currentId() == PAGE_TZ
    assert "written as 02.03.2026 08:00:07" in page.notice.text()
    assert "pick the timezone" in page.notice.text() and not page.isComplete()
    assert page.order.isVisibleTo(wiz) and page.order.currentIndex() == 0
    page.set_tz(BERLIN)
    assert page.isComplete()
    page.order.setCurrentIndex(2)   # month first: the job says so
    assert wiz.jobs()[0].time_format == "%m.%d.%Y %H:%M:%S"
    page.order.setCurrentIndex(0)   # by the dates: the import decides
    assert wiz.jobs()[0].time_format is None
    assert _import_and_read_ts(qtbot, wiz, project) == secs
    assert "Times read as '%d.%m.%Y %H:%M:%S' (day first)" in wiz.run_page.status.text()


def test_the_order_choice_is_hidden_for_iso_times(qtbot, tmp_path):
    csv = tmp_path / "p.csv"
    csv.write_text("vehicle_id,timestamp,lat,lon\nv1,2026-03-05 08:00:00,52.5,13.4\n")
    _, wiz = _new_project_with(qtbot, tmp_path, csv)
    wiz.next()
    wiz.next()
    assert wiz.currentId() == PAGE_TZ
    assert not wiz.tz_page.order.isVisibleTo(wiz) and "written as" not in wiz.tz_page.notice.text()


def test_a_date_column_and_a_time_column_are_one_stamp(qtbot, tmp_path):
    """'Datum;Uhrzeit': the columns page names both, the timezone page shows the joined
    stamps, and the import reads them as the clock wrote them."""
    secs = _berlin_secs(range(12, 16), (8, 17))
    csv = tmp_path / "fahrten.csv"
    csv.write_text("vehicle_id;Datum;Uhrzeit;lat;lon\n" + "".join(
        f"v1;{_berlin_text(s, '%d.%m.%Y;%H:%M:%S')};52,5{i % 3};13,4\n"
        for i, s in enumerate(secs)))
    project, wiz = _new_project_with(qtbot, tmp_path, csv)
    wiz.next()
    roles = wiz.columns_page.roles[0].text()
    assert "Datum → date" in roles and "Uhrzeit → time_of_day" in roles
    assert wiz.columns_page.isComplete()
    wiz.next()
    assert "written as 12.03.2026 08:00:07" in wiz.tz_page.notice.text()
    wiz.tz_page.set_tz(BERLIN)
    assert _import_and_read_ts(qtbot, wiz, project) == secs
    assert "(Datum + Uhrzeit)" in wiz.run_page.status.text()


def test_dates_that_read_both_ways_ask_on_the_review_page_and_the_pick_imports(qtbot, tmp_path):
    """One day, the 5th of March, written 05/03/2026: day first and month first read alike
    and nothing in the file tells. Import stops on the review page naming the wizard's
    'Day and month' choice; picking day first imports the stamps the clock wrote."""
    secs = _berlin_secs([5], (8, 9, 17))
    csv = tmp_path / "one_day.csv"
    csv.write_text("vehicle_id,timestamp,lat,lon\n" + "".join(
        f"v1,{_berlin_text(s, '%d/%m/%Y %H:%M:%S')},52.5{i},13.4\n"
        for i, s in enumerate(secs)))
    project, wiz = _new_project_with(qtbot, tmp_path, csv)
    wiz.next()
    wiz.next()
    assert wiz.currentId() == PAGE_TZ and wiz.tz_page.order.isVisibleTo(wiz)
    wiz.tz_page.set_tz(BERLIN)
    wiz.next()
    wiz.next()  # Import: refused, nothing written
    qtbot.waitUntil(lambda: "Day and month" in wiz.review_page.status.text(), timeout=30_000)
    assert wiz.currentId() == PAGE_REVIEW and _count(project, "pings") == 0
    wiz.back()
    wiz.tz_page.order.setCurrentIndex(1)  # day first
    assert _import_and_read_ts(qtbot, wiz, project) == secs
