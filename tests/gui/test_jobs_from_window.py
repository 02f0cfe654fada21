"""Long jobs started from the window: the welcome screen's demo, inference, export."""
import pytest
from PySide6.QtWidgets import QMessageBox


def test_open_demo_builds_it_off_the_gui_thread_then_opens_it(qtbot, window):
    window.demo_size = {"vehicles": 4, "days": 3, "seed": 7}
    assert window.stack.currentWidget() is window.welcome
    window.welcome.demo_button.click()  # returns at once: the build runs in a thread
    assert window.project is None
    qtbot.waitUntil(lambda: window.project is not None, timeout=120_000)
    assert window.project.path.name == "demo.db"
    assert window.stack.currentWidget() is window.main_split
    assert window.project.run_id is not None


@pytest.mark.slow
def test_infer_and_export_from_the_menus(qtbot, window, fresh_tiny_project, tmp_path):
    from auditor.pipeline.api import infer_project
    infer_project(fresh_tiny_project, seed=5)  # as `auditor demo --seed 5` leaves a project
    window.open_project(fresh_tiny_project)
    runs_before = window.project.run_id
    job = window.commands.run_infer()
    qtbot.waitUntil(lambda: job.is_finished, timeout=120_000)
    assert job.error is None
    assert window.project.run_id > runs_before  # the views re-read the new run
    # Run ▸ Infer keeps the seed (and so the validation split) of the run it follows
    assert window.project.conn.execute("SELECT seed FROM runs WHERE run_id = ?",
                                       (window.project.run_id,)).fetchone()[0] == 5
    assert window.browser.model.run_id == window.project.run_id

    assert window.export_action.isEnabled()
    out = tmp_path / "export"
    job = window.commands.start_export(out, "csv")
    qtbot.waitUntil(lambda: job.is_finished, timeout=120_000)
    assert job.error is None, job.error
    assert (out / "manifest.json").is_file()
    boxes = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    assert any("manifest.json" in b.text() for b in boxes)


def test_export_menu_opens_the_preview_dialog_for_the_open_project(qtbot, window,
                                                                   fresh_demo_project):
    from auditor.gui.export_dialog import ExportDialog
    window.open_project(fresh_demo_project)
    window.export_action.trigger()
    dialogs = [d for d in window.findChildren(ExportDialog) if d.isVisible()]
    assert len(dialogs) == 1
    dialog = dialogs[0]
    qtbot.waitUntil(lambda: dialog.preview is not None and not dialog.is_previewing(),
                    timeout=60_000)
    assert dialog.preview["rows"] > 0
    dialog.close()


def test_infer_from_the_menu_warns_when_labels_look_swapped(qtbot, window, fresh_tiny_project):
    """The window says why no label was used when the labels match places only with lat and
    lon swapped (the terminal's infer says it in its summary)."""
    import sqlite3
    with sqlite3.connect(fresh_tiny_project) as conn:  # before the window opens it
        conn.execute("DELETE FROM labels WHERE ABS(lon) > 90")  # those could not be swapped
        n = conn.execute("UPDATE labels SET lat = lon, lon = lat").rowcount
    assert n >= 2
    window.open_project(fresh_tiny_project)
    job = window.commands.run_infer()
    qtbot.waitUntil(lambda: job.is_finished, timeout=120_000)
    assert job.error is None
    qtbot.waitUntil(lambda: any(b.isVisible() and b.windowTitle() == "Labels look swapped"
                                for b in window.findChildren(QMessageBox)), timeout=5_000)
    box = next(b for b in window.findChildren(QMessageBox) if b.isVisible())
    assert f"{n} of the {n} labels with no place near would match" in box.text()
    assert "--map lat=lon --map lon=lat --replace" in box.text()
    box.close()


def test_the_infer_warning_names_ids_written_differently(tmp_path):
    """After Run ▸ Infer the window says what the terminal's infer says of ids a spreadsheet
    rewrote; with nothing to say, there is no warning."""
    from auditor.gui.commands import unused_input_warning
    summary = {"unmatched_reasons": {"vehicle_has_no_pings": 2}, "unmatched_if_swapped": 0,
               "ids_written_differently": {"labels": {"7": "007", "8": "008"}, "vehicles": {}}}
    title, text = unused_input_warning(summary, tmp_path / "p.db")
    assert title == "Vehicle ids differ between files"
    assert text.startswith("2 vehicle id(s) of the labels file differ from the pings' only in "
                           "leading zeros or letter case (e.g. '7' for '007')")
    assert unused_input_warning({"unmatched_reasons": {}, "ids_written_differently":
                                 {"labels": {}, "vehicles": {}}}, tmp_path / "p.db") is None


def test_the_infer_warning_names_a_coordinate_that_lost_its_sign(tmp_path):
    """After Run ▸ Infer the window says what the terminal's infer says of labels that match a
    place only with their longitude's sign flipped, with the command that replaces them."""
    from auditor.gui.commands import unused_input_warning
    summary = {"unmatched_reasons": {"no_place_within_250m": 4}, "unmatched_if_swapped": 0,
               "unmatched_if_sign_flipped": 4, "unmatched_if_sign_flipped_vehicles": ["a", "b"],
               "sign_flipped": "longitude", "labelled_vehicles": 2}
    title, text = unused_input_warning(summary, tmp_path / "p.db")
    assert title == "A coordinate lost its sign"
    assert text.startswith("4 of the 4 labels with no place near would match one with their "
                           "longitude's sign flipped")
    assert f"auditor ingest {tmp_path / 'p.db'} LABELS.csv --replace" in text


def test_the_infer_warning_names_labels_a_little_beyond_the_radius(tmp_path):
    """A site's gate as its work label, 330 m from the car parks: the window says what the
    terminal says, with the radius to try (the window's later runs keep it)."""
    from auditor.gui.commands import unused_input_warning
    summary = {"unmatched_reasons": {"no_place_within_250m": 3}, "unmatched_if_swapped": 0,
               "label_radius_m": 250.0,
               "unmatched_near": {"labels": 3, "nearest_m": [330, 340], "radius_m": 350},
               "ids_written_differently": {"labels": {}, "vehicles": {}}}
    title, text = unused_input_warning(summary, tmp_path / "p.db")
    assert title == "Labels lie beyond the label radius"
    assert text.startswith("3 label(s) lie 330-340 m from their vehicle's nearest place")
    assert f"'auditor infer {tmp_path / 'p.db'} --label-radius 350' matches them" in text
    assert text.endswith("in the window's later runs too.")


def test_the_infer_warning_names_labels_at_other_vehicles_places(tmp_path):
    """Labels joined to the wrong vehicle ids: the window says what the terminal says."""
    from auditor.gui.commands import unused_input_warning
    summary = {"unmatched_reasons": {"no_place_within_250m": 6}, "unmatched_if_swapped": 0,
               "unmatched_at_other_vehicles": {
                   "labels": 5, "of_far": 6, "examples": ["V1's home label at place V0:2 (12 m)"]},
               "ids_written_differently": {"labels": {}, "vehicles": {}}}
    title, text = unused_input_warning(summary, tmp_path / "p.db")
    assert title == "Labels lie at other vehicles' places"
    assert text.startswith("5 of the 6 labels with no place of their vehicle near lie at "
                           "another vehicle's place (V1's home label at place V0:2 (12 m))")
    # one label of six at another vehicle's place may be chance: no warning
    summary["unmatched_at_other_vehicles"]["labels"] = 1
    assert unused_input_warning(summary, tmp_path / "p.db") is None


def test_the_infer_warning_names_trip_ids_set_aside(tmp_path):
    """A trip_id column of dates: the window says, as the terminal does, that it went unused."""
    from auditor.gui.commands import unused_input_warning
    summary = {"unmatched_reasons": {}, "unmatched_if_swapped": 0,
               "trip_ids_set_aside": ["v1", "v2"],
               "ids_written_differently": {"labels": {}, "vehicles": {}}}
    title, text = unused_input_warning(summary, tmp_path / "p.db")
    assert title == "Trip ids set aside"
    assert text.startswith("Trip ids of 2 vehicle(s) set aside (v1, v2): one of each lasted "
                           "through hours parked")


def test_the_infer_warning_names_trips_cut_short(tmp_path):
    """A broker's export whose trips stop 300 m short of every door: the window says, as the
    terminal does, which vehicles and how far, and that their stops were placed otherwise."""
    from auditor.gui.commands import unused_input_warning
    summary = {"unmatched_reasons": {}, "unmatched_if_swapped": 0,
               "trips_cut_short": {"v2": 310, "v1": 280, "v3": 330, "v4": 290},
               "ids_written_differently": {"labels": {}, "vehicles": {}}}
    title, text = unused_input_warning(summary, tmp_path / "p.db")
    assert title == "Trips end short of where cars park"
    assert text.startswith("Trips of 4 vehicle(s) end short of where they park, by about "
                           "310 m (v1, v2, v3 and 1 more): cut for privacy?")
    assert text.endswith("where the ways in and out meet, not at the last fix.")
    summary["trips_cut_short"] = {}
    assert unused_input_warning(summary, tmp_path / "p.db") is None
