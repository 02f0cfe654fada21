"""The main window on a real project: map, timeline, browser all drawn."""
from auditor.gui.app import wait_for_map, page_places


def test_open_project_draws_first_vehicle(window, project_copy, qtbot):
    window.open_project(project_copy)
    assert window.browser.model.rowCount() > 0
    assert window.vehicle_id is not None
    assert wait_for_map(window, 30)
    assert page_places(window) > 0
    window.grab().save("/tmp/gx/window.png")
