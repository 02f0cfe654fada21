"""The import wizard, driven like a user: file, preview, kind, column mapping, timezone, import,
quarantine summary."""
from PySide6.QtWidgets import QWizard

from auditor.gui.import_wizard import PAGE_COLUMNS, PAGE_RUN, PAGE_TZ, ImportWizard
from auditor.store import open_project


def _write_csv(path):
    lines = ["Unit;When;Y;X"]
    for i in range(30):
        lines.append(f"truck-7;2026-01-10 08:{i:02d}:00;52.{5000 + i * 3};13.{4000 + i * 3}")
    lines.append("truck-7;2026-01-10 09:00:00;95.0;13.4")   # latitude out of range
    lines.append("truck-7;2026-01-10 09:01:00;52.51;")      # no longitude
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_wizard_maps_columns_sets_timezone_and_shows_quarantine(qtbot, tmp_path):
    project = tmp_path / "new.db"
    open_project(project, create=True).close()
    csv = _write_csv(tmp_path / "export;semicolons.csv")
    wiz = ImportWizard(project)
    qtbot.addWidget(wiz)
    wiz.show()

    page = wiz.file_page
    page.path_edit.setText(str(csv))
    qtbot.waitUntil(page.isComplete, timeout=10_000)  # read off the GUI thread
    assert page.preview.model().rowCount() == 20
    assert list(wiz.frame.columns) == ["Unit", "When", "Y", "X"]
    page.kind.setCurrentIndex(page.kind.findData("pings"))  # headers too odd to guess

    wiz.next()
    assert wiz.currentId() == PAGE_COLUMNS
    cols = wiz.columns_page
    assert not cols.isComplete()  # vehicle_id, timestamp, lat, lon not found yet
    for field, column in (("vehicle_id", "Unit"), ("timestamp", "When"), ("lat", "Y"),
                          ("lon", "X")):
        combo = cols.combos[field]
        combo.setCurrentIndex(combo.findData(column))
    assert cols.isComplete()

    wiz.next()
    assert wiz.currentId() == PAGE_TZ
    wiz.tz_page.set_tz("Europe/Berlin")
    assert wiz.tz_page.tz() == "Europe/Berlin"

    wiz.next()
    assert wiz.currentId() == PAGE_RUN
    qtbot.waitUntil(lambda: wiz.run_page.done, timeout=30_000)
    assert wiz.imported
    assert "accepted 30" in wiz.run_page.status.text() and "refused 2" in wiz.run_page.status.text()
    reasons = wiz.run_page.reasons.model().frame
    assert dict(zip(reasons["reason"], reasons["rows"])) == {"lat_lon_out_of_range": 1,
                                                             "missing_lat_lon": 1}
    refused = wiz.run_page.rows.model().frame
    assert sorted(refused["line"]) == [32, 33] and "95.0" in " ".join(refused["raw"])
    assert wiz.button(QWizard.WizardButton.FinishButton).isEnabled()

    conn = open_project(project)
    rows = conn.execute("SELECT vehicle_id, utc_offset_min, ts FROM pings ORDER BY ts").fetchall()
    conn.close()
    assert len(rows) == 30 and {r[0] for r in rows} == {"truck-7"}
    assert {r[1] for r in rows} == {60}  # Berlin in January
    assert rows[0][2] == 1768028400  # 2026-01-10 08:00 Berlin = 07:00 UTC


def test_wizard_reports_a_bad_file_without_importing(qtbot, tmp_path):
    project = tmp_path / "new.db"
    open_project(project, create=True).close()
    wiz = ImportWizard(project)
    qtbot.addWidget(wiz)
    page = wiz.file_page
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
