"""The import wizard's time window (ingest --min-time/--max-time in the GUI): pings stamped
outside it are quarantined as implausible_timestamp; what is typed is checked before Next."""
from auditor.gui.import_wizard import PAGE_REVIEW, PAGE_RUN, PAGE_TZ, ImportWizard
from auditor.store import open_project


def test_the_time_window_typed_in_the_wizard_quarantines_pings_outside_it(qtbot, tmp_path):
    project = tmp_path / "new.db"
    open_project(project, create=True).close()
    csv = tmp_path / "pings.csv"
    rows = ["vehicle_id,timestamp,lat,lon"]
    for day in ("2019-06-01", "2024-03-04", "2024-03-05", "2031-01-01"):
        rows += [f"van-1,{day}T08:{m:02d}:00,52.5{m:02d},13.4{m:02d}" for m in range(10)]
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    wiz = ImportWizard(project)
    qtbot.addWidget(wiz)
    wiz.show()
    wiz.file_page.path_edit.setText(str(csv))
    qtbot.waitUntil(lambda: not wiz.file_page.is_loading(), timeout=10_000)
    while wiz.currentId() != PAGE_TZ:
        assert wiz.currentPage().isComplete(), wiz.currentId()
        wiz.next()
    page = wiz.tz_page
    page.set_tz("Europe/Berlin")
    assert page.isComplete()
    page.min_time.setText("last spring")
    assert not page.isComplete() and "“last spring” is not a time" in page.why.text()
    page.min_time.setText("2024-12-31")
    page.max_time.setText("2024-01-01")
    assert not page.isComplete() and "start comes after its end" in page.why.text()
    page.min_time.setText("2024-01-01")
    page.max_time.setText("2024-12-31")
    assert page.isComplete() and page.why.text() == ""
    wiz.next()
    assert wiz.currentId() == PAGE_REVIEW
    assert "before 2024-01-01 or after 2024-12-31" in wiz.review_page.summary.text()
    wiz.next()  # Import
    qtbot.waitUntil(lambda: wiz.currentId() == PAGE_RUN, timeout=30_000)
    reasons = wiz.run_page.reasons.model().frame
    assert dict(zip(reasons["reason"], reasons["rows"])) == {"implausible_timestamp": 20}
    conn = open_project(project)
    try:
        kept = conn.execute("SELECT COUNT(*), MIN(ts), MAX(ts) FROM pings").fetchone()
    finally:
        conn.close()
    assert kept[0] == 20 and kept[1] >= 1704063600 and kept[2] < 1735686000  # in 2024


def test_coordinates_in_gcj02_chosen_in_the_wizard_are_stored_in_wgs84(qtbot, tmp_path):
    """ingest --datum in the wizard: a Shenzhen van's pings written in GCJ-02 (as platforms in
    mainland China must) are stored where GPS put them, ~600 m away."""
    from auditor.ingest.datums import gcj02_from_wgs84
    project = tmp_path / "new.db"
    open_project(project, create=True).close()
    lat, lon = gcj02_from_wgs84([22.5431 + 1e-4 * m for m in range(10)], [114.0579] * 10)
    csv = tmp_path / "pings.csv"
    csv.write_text("vehicle_id,timestamp,lat,lon\n" + "".join(
        f"粤B3K7Q2,2025-01-13T08:{m:02d}:00+08:00,{a:.7f},{o:.7f}\n"
        for m, (a, o) in enumerate(zip(lat, lon))), encoding="utf-8")
    wiz = ImportWizard(project)
    qtbot.addWidget(wiz)
    wiz.show()
    wiz.file_page.path_edit.setText(str(csv))
    qtbot.waitUntil(lambda: not wiz.file_page.is_loading(), timeout=10_000)
    while wiz.currentId() != PAGE_TZ:
        wiz.next()
    combo = wiz.tz_page.datum
    combo.setCurrentIndex(combo.findData("gcj02"))
    wiz.next()
    assert "coordinates moved from GCJ-02 to WGS-84" in wiz.review_page.summary.text()
    wiz.next()  # Import
    qtbot.waitUntil(lambda: wiz.currentId() == PAGE_RUN, timeout=30_000)
    conn = open_project(project)
    try:
        got = conn.execute("SELECT MIN(lat), MAX(lat), MIN(lon), MAX(lon) FROM pings").fetchone()
    finally:
        conn.close()
    assert abs(got[0] - 22.5431) < 1e-5 and abs(got[1] - 22.5440) < 1e-5
    assert abs(got[2] - 114.0579) < 1e-5 and abs(got[3] - 114.0579) < 1e-5
