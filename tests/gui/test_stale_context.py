"""Issue 14, item 12: no stale context. The welcome page has no empty docks; a filter that hides
the current place says so and can be cleared; a new place's details start at the top; opening
a file that is not a project says so in the words of opening it."""
from PySide6.QtWidgets import QApplication, QMessageBox

from auditor.store.lookups import place_flags


def _boxes(name):
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.isVisible() and w.objectName() == name]


def test_welcome_filter_scroll_and_wrong_file(qtbot, window, fresh_demo_project, tmp_path):
    # the welcome page: no empty Analysis dock or details pane beside it
    assert window.stack.currentWidget() is window.welcome
    assert not window.analysis.isVisible() and not window.panel_dock.isVisible()
    assert not window.analysis_action.isEnabled()
    window.open_project(fresh_demo_project)
    assert window.analysis.isVisible() and window.panel_dock.isVisible()
    assert window.analysis_action.isEnabled()

    # a filter that leaves the current place out says so, and "Show it" clears it
    browser = window.browser
    places = [r[0] for r in window.project.conn.execute(
        "SELECT place_id FROM places ORDER BY place_id LIMIT 2")]
    window.select_place(places[1])
    window.keys.flag_place("model_wrong")
    window.select_place(places[0])
    assert not place_flags(window.project.conn, places[0])
    browser.filter_combo.setCurrentIndex(browser.filter_combo.findData("flagged"))
    assert browser.hidden_bar.isVisibleTo(browser)
    assert f"current place {places[0]} is not in this table" in browser.hidden_label.text()
    assert "the filter “Flagged”" in browser.hidden_label.text()
    browser.hidden_clear.click()
    assert browser.filter_combo.currentData() == "all" and not browser.hidden_bar.isVisibleTo(
        browser)
    assert browser.current_place()["place_id"] == places[0]
    # the search box hides it too, and is named
    browser.search.setText("ZZZ")
    assert "the search “ZZZ”" in browser.hidden_label.text()
    browser.search.clear()
    assert not browser.hidden_bar.isVisibleTo(browser)

    # details of a new place start at the top, not where the last one was scrolled to
    window.resize(1280, 600)
    bar = window.panel_scroll.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=5_000)
    bar.setValue(bar.maximum())
    window.select_place(places[1])
    assert bar.value() == 0

    # File ▸ Open on a CSV: "not a project", in the words of opening, with Import
    csv = tmp_path / "pings.csv"
    csv.write_text("vehicle_id,timestamp,lat,lon\nv1,1700000000,52.5,13.4\n")
    before = window.project.path
    box = window.commands.open_existing(csv)
    assert box is not None and box.objectName() == "notAProject"
    assert "pings.csv is not an auditor project, so it was not opened" in box.text()
    assert "choose another name" not in box.text()
    assert any(b.text() == "Import…" for b in box.buttons())
    assert window.project.path == before  # the open project stays open
    assert csv.read_text().startswith("vehicle_id,")  # and the file is untouched
    box.close()
    window.close()
