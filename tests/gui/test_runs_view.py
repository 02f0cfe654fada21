"""The Runs view on the small shared demo project (8 x 4: every split, and places that change
between runs), driven through its widgets: compare two runs (a changed place click selects it
on the map's state), rerun (byte-identical verdict), retrain on an export (Runs view and the
Export dialog's "Retrain with this export"), infer leaving a feature group out, and the drift
of new data since a run."""
from __future__ import annotations

import sqlite3

from PySide6.QtCore import Qt

from auditor.gui.runs_view import RunsView
from auditor.pipeline.api import infer_project
from auditor.pipeline.config import InferConfig

WAIT_MS = 120_000


def _wait_job(qtbot, view) -> None:
    qtbot.waitUntil(lambda: view.job is not None and view.job.is_finished, timeout=WAIT_MS)


def _view(qtbot, window, project) -> RunsView:
    window.open_project(project)
    view = RunsView(window.state, window)
    qtbot.addWidget(view)
    view.show()
    return view


def test_compare_and_click_a_changed_place(qtbot, window, fresh_tiny_project):
    infer_project(fresh_tiny_project, seed=0, config=InferConfig(without=("night", "weekday")))
    view = _view(qtbot, window, fresh_tiny_project)
    assert view.runs_table.rowCount() == 2
    # the newest run's row says what it left out
    texts = [view.runs_table.item(1, c).text() for c in range(view.runs_table.columnCount())]
    assert "night, weekday" in texts
    view.select_runs([view.runs[0]["run_id"], view.runs[1]["run_id"]])
    assert view.compare_button.isEnabled()
    qtbot.mouseClick(view.compare_button, Qt.MouseButton.LeftButton)
    text = view.compare_view.toPlainText()
    assert "without" in text and "test accuracy" in text
    with sqlite3.connect(fresh_tiny_project) as conn:
        a, b = view.runs[0]["run_id"], view.runs[1]["run_id"]
        n = conn.execute("SELECT COUNT(*) FROM predictions pa JOIN predictions pb USING "
                         "(place_id) WHERE pa.run_id = ? AND pb.run_id = ? AND "
                         "pa.predicted_label != pb.predicted_label", (a, b)).fetchone()[0]
    assert view.changed_table.rowCount() == n > 0
    place = view.changed_table.item(0, 0).text()
    rect = view.changed_table.visualItemRect(view.changed_table.item(0, 1))
    qtbot.mouseClick(view.changed_table.viewport(), Qt.MouseButton.LeftButton,
                     pos=rect.center())
    assert window.state.selection.place_id == place
    assert view.changed_label.text().startswith(f"{n} place(s) labelled differently")
    # the feature-group table of the selected run, computed off the GUI thread
    view.select_runs([b])
    qtbot.mouseClick(view.worth_button, Qt.MouseButton.LeftButton)
    _wait_job(qtbot, view)
    assert "What each feature group is worth" in view.outcome_view.toPlainText()
    assert "-night" in view.outcome_view.toPlainText()


def test_rerun_and_infer_without_from_the_view(qtbot, window, fresh_tiny_project):
    view = _view(qtbot, window, fresh_tiny_project)
    view.select_runs([view.runs[-1]["run_id"]])
    first = view.runs[-1]["run_id"]
    qtbot.mouseClick(view.rerun_button, Qt.MouseButton.LeftButton)
    _wait_job(qtbot, view)
    assert "byte-identical" in view.outcome_view.toPlainText()
    assert view.runs_table.rowCount() == 2 and view.runs[-1]["rerun_of"]["run_id"] == first
    view.group_checks["night"].setChecked(True)
    qtbot.mouseClick(view.infer_button, Qt.MouseButton.LeftButton)
    _wait_job(qtbot, view)
    assert view.runs[-1]["config"]["without"] == ["night"]
    assert window.state.run_id == view.runs[-1]["run_id"]  # the window shows the new run


def test_retrain_with_an_export(qtbot, window, fresh_tiny_project, tmp_path):
    from auditor.export.api import export_training_set
    export_training_set(fresh_tiny_project, tmp_path / "export")
    view = _view(qtbot, window, fresh_tiny_project)
    source = view.runs[-1]["run_id"]
    view.retrain(tmp_path / "export")
    _wait_job(qtbot, view)
    wf = view.runs[-1]["config"]["weights_from"]
    assert wf["source_run_id"] == source and len(wf["manifest_sha256"]) == 64
    text = view.outcome_view.toPlainText()
    assert f"run {source} " in text and "-> this run" in text
    assert "the export's own effect" in text  # not a change of method passed off as its effect


def test_export_dialog_retrains_with_its_export(qtbot, window, fresh_tiny_project, tmp_path):
    window.open_project(fresh_tiny_project)
    dialog = window.commands.export_dialog()
    qtbot.waitUntil(lambda: dialog.preview is not None and not dialog.is_previewing(),
                    timeout=WAIT_MS)
    dialog.out_edit.setText(str(tmp_path / "exp"))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.summary is not None, timeout=WAIT_MS)
    before = window.state.run_id
    with qtbot.waitSignal(dialog.retrained, timeout=WAIT_MS) as got:
        qtbot.mouseClick(dialog.retrain_button, Qt.MouseButton.LeftButton)
    assert got.args[0]["weights_from"]["before_after"]["source_run_id"] == before
    assert "->" in dialog.retrain_label.text()
    qtbot.waitUntil(lambda: window.state.run_id == got.args[0]["run_id"], timeout=WAIT_MS)
    dialog.done(0)


def test_drift_of_new_data_since_a_run(qtbot, window, fresh_tiny_project):
    view = _view(qtbot, window, fresh_tiny_project)
    view.select_runs([view.runs[-1]["run_id"]])
    qtbot.mouseClick(view.drift_button, Qt.MouseButton.LeftButton)
    _wait_job(qtbot, view)
    text = view.outcome_view.toPlainText()
    assert "none — the data is the run's" in text
    assert "0 of" in text  # same data, same model: nothing labelled differently
    # new data: a vehicle's last pings dropped (as if the stream changed)
    with sqlite3.connect(fresh_tiny_project) as conn:
        vid = conn.execute("SELECT vehicle_id FROM predictions WHERE given_label = 'work' "
                           "ORDER BY vehicle_id LIMIT 1").fetchone()[0]
        cut = conn.execute("SELECT ts FROM pings WHERE vehicle_id = ? ORDER BY ts LIMIT 1 "
                           "OFFSET (SELECT COUNT(*) / 3 FROM pings WHERE vehicle_id = ?)",
                           (vid, vid)).fetchone()[0]
        conn.execute("DELETE FROM pings WHERE vehicle_id = ? AND ts > ?", (vid, cut))
    qtbot.mouseClick(view.drift_button, Qt.MouseButton.LeftButton)
    _wait_job(qtbot, view)
    assert "the data changed" in view.outcome_view.toPlainText()
