"""Run ▸ Inference engine… and Run ▸ Infer on a real Dask cluster (the session's loopback
scheduler with two workers): the choice is checked and kept, Cancel stops the cluster's work
and keeps the project, and a finished run equals the local engine's, byte for byte."""
import pandas as pd
from PySide6.QtWidgets import QDialogButtonBox

from auditor.state.engine_choice import LOCAL, LOCAL_CLUSTER, SCHEDULER, EngineChoice
from auditor.store import open_project


def _latest_model_run(path):
    conn = open_project(path, readonly=True)
    try:
        run_id, data_hash = conn.execute("SELECT run_id, data_hash FROM runs WHERE kind = "
                                         "'model' ORDER BY run_id DESC LIMIT 1").fetchone()
        preds = pd.read_sql_query("SELECT * FROM predictions WHERE run_id = ? ORDER BY rowid",
                                  conn, params=(run_id,)).drop(columns="run_id")
        features = pd.read_sql_query("SELECT * FROM place_features ORDER BY rowid", conn)
    finally:
        conn.close()
    return run_id, data_hash, preds, features


def test_the_engine_dialog_checks_and_keeps_the_choice(qtbot, window, settings):
    from auditor.gui.engine_dialog import EngineDialog
    assert window.state.engine_choice == EngineChoice(LOCAL)
    window.engine_action.trigger()
    dialog = [d for d in window.findChildren(EngineDialog) if d.isVisible()][0]
    assert not dialog.scheduler.isEnabled()
    dialog.kind.setCurrentIndex(dialog.kind.findData(SCHEDULER))
    assert dialog.scheduler.isEnabled() and not dialog.workers.isEnabled()
    dialog.scheduler.setText("my-laptop")  # no scheme, no port: said, dialog stays open
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.isVisible() and "tcp://host:8786" in dialog.error.text()
    assert window.state.engine_choice.kind == LOCAL
    dialog.kind.setCurrentIndex(dialog.kind.findData(LOCAL_CLUSTER))
    dialog.workers.setValue(2)
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    assert not dialog.isVisible()
    assert window.state.engine_choice == EngineChoice(LOCAL_CLUSTER, 2, "")
    assert EngineChoice.from_text(settings.infer_engine) == EngineChoice(LOCAL_CLUSTER, 2, "")
    assert EngineChoice.from_text("{not json") == EngineChoice(LOCAL)


def test_infer_on_a_dask_scheduler_cancels_and_then_matches_local(qtbot, window, tmp_path,
                                                                  fresh_tiny_project,
                                                                  dask_scheduler):
    from auditor.pipeline.api import infer_project
    from auditor.store.connection import copy_project
    local = tmp_path / "local.db"
    copy_project(fresh_tiny_project, local)
    infer_project(local)  # what Run ▸ Infer stores with the local engine (the latest seed)
    expected = _latest_model_run(local)
    before = _latest_model_run(fresh_tiny_project)
    window.open_project(fresh_tiny_project)
    window.state.set_engine_choice(EngineChoice(SCHEDULER, None, dask_scheduler))

    job = window.commands.run_infer()
    assert "Dask scheduler" in job.title
    messages = []
    job.progressed.connect(lambda d, t, m: messages.append(m))
    qtbot.waitUntil(lambda: any("Dask workers" in m for m in messages), timeout=60_000)
    with qtbot.waitSignal(job.cancelled, timeout=60_000):
        job.dialog.canceled.emit()  # the progress dialog's Cancel button
    qtbot.waitUntil(lambda: job.is_finished, timeout=60_000)
    assert _latest_model_run(fresh_tiny_project)[0] == before[0]  # nothing stored

    job = window.commands.run_infer()
    qtbot.waitUntil(lambda: job.is_finished, timeout=120_000)
    assert job.error is None, job.traceback
    run_id, data_hash, preds, features = _latest_model_run(fresh_tiny_project)
    assert run_id > before[0] and window.project.run_id == run_id
    assert data_hash == expected[1]
    pd.testing.assert_frame_equal(preds, expected[2], check_exact=True)
    pd.testing.assert_frame_equal(features, expected[3], check_exact=True)
