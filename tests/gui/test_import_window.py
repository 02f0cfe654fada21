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
