"""The Export dialog on the real demo project: its preview is preview_export's numbers, it
follows the settings and flags, and its export writes the files whose hashes it shows."""
from __future__ import annotations

import hashlib
import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from auditor.audit.flags import add_flag
from auditor.export.api import preview_export
from auditor.gui.export_dialog import ExportDialog, open_export_dialog
from auditor.store import open_project

WAIT_MS = 60_000


def _dialog(qtbot, project) -> ExportDialog:
    dialog = ExportDialog(None, project)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.preview is not None and not dialog.is_previewing(),
                    timeout=WAIT_MS)
    return dialog


def _shown(dialog: ExportDialog, key: str) -> str:
    return dialog.findChild(QWidget, f"preview_{key}").text()


def _int(text: str) -> int:
    return int(re.match(r"[\d,]+", text).group(0).replace(",", ""))


def _assert_shows(dialog: ExportDialog, expected: dict) -> None:
    """Read the numbers back from the labels, independent of how the dialog formats them."""
    for key in ("rows", "relabelled", "excluded", "reweighted", "misclassified_validation"):
        assert _int(_shown(dialog, key)) == expected[key], key
    excluded = _shown(dialog, "excluded")
    for reason, n in expected["excluded_by_reason"].items():
        assert f"{n:,} {reason}" in excluded
    ess = _shown(dialog, "effective_sample_size")
    assert float(ess.split()[0].replace(",", "")) == pytest.approx(
        expected["effective_sample_size"], abs=0.05)
    shown_w = [float(x) for x in _shown(dialog, "weights").split(" / ")]
    w = expected["weights"]
    assert shown_w == pytest.approx([w["min"], w["max"], w["mean"]], rel=1e-3)


def _train_place(project) -> tuple[str, str]:
    conn = open_project(project, create=False)
    try:
        pid, label = conn.execute(
            "SELECT place_id, given_label FROM predictions WHERE split = 'train' AND "
            "given_label IS NOT NULL ORDER BY place_id LIMIT 1").fetchone()
    finally:
        conn.close()
    return pid, ("work" if label != "work" else "home")


def test_preview_shows_what_preview_export_says(qtbot, fresh_demo_project):
    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = open_export_dialog(parent, fresh_demo_project)
    assert dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.preview is not None and not dialog.is_previewing(),
                    timeout=WAIT_MS)
    expected = preview_export(fresh_demo_project, dialog.config())
    assert dialog.preview == expected
    assert expected["rows"] > 0 and expected["misclassified_validation"] > 0
    _assert_shows(dialog, expected)
    dialog.close()


def test_changing_options_updates_the_preview_once(qtbot, fresh_demo_project):
    dialog = _dialog(qtbot, fresh_demo_project)
    before, started = dialog.preview, dialog.previews.started
    # three changes in a row: the debounce makes them one preview
    dialog.k_spin.setValue(1)
    dialog.factor_spin.setValue(4.0)
    dialog.balance_check.setChecked(True)
    assert "updating" in dialog.preview_status.text()
    qtbot.waitUntil(lambda: dialog.preview["config"]["k"] == 1 and not dialog.is_previewing(),
                    timeout=WAIT_MS)
    assert dialog.previews.started == started + 1
    config = dialog.preview["config"]
    assert (config["factor"], config["balance_classes"]) == (4.0, True)
    expected = preview_export(fresh_demo_project, {"k": 1, "factor": 4.0,
                                                   "balance_classes": True})
    assert dialog.preview == expected
    assert expected["weights"] != before["weights"]
    _assert_shows(dialog, expected)


def test_a_label_wrong_flag_shows_as_one_relabelled(qtbot, fresh_demo_project):
    dialog = _dialog(qtbot, fresh_demo_project)
    assert dialog.preview["relabelled"] == 0 and _shown(dialog, "relabelled") == "0"
    pid, new_label = _train_place(fresh_demo_project)
    conn = open_project(fresh_demo_project, create=False)
    try:
        add_flag(conn, "ana", "place", pid, "label_wrong", new_label)
    finally:
        conn.close()
    with qtbot.waitSignal(dialog.previewUpdated, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.refresh_button, Qt.MouseButton.LeftButton)
    assert dialog.preview["relabelled"] == 1 and _shown(dialog, "relabelled") == "1"


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export_writes_the_files_whose_hashes_it_shows(qtbot, fresh_demo_project, tmp_path, fmt):
    dialog = _dialog(qtbot, fresh_demo_project)
    out = tmp_path / "out"
    dialog.out_edit.setText(str(out))
    dialog.format_combo.setCurrentText(fmt)
    with qtbot.waitSignal(dialog.exportFinished, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    shown = dialog.shown_hashes()
    assert set(shown) == {f"training_set.{fmt}", "manifest.json"}
    assert sorted(p.name for p in out.iterdir()) == sorted(shown)
    for name, digest in shown.items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest, name
    assert dialog.result_box.isVisible() and str(out) in dialog.result_label.text()
    assert f"{dialog.summary['rows']:,} training rows" in dialog.result_label.text()
    assert not dialog.error_label.isVisible() and dialog.export_button.isEnabled()


def test_a_folder_of_other_files_is_an_error_in_the_dialog(qtbot, fresh_demo_project, tmp_path):
    dialog = _dialog(qtbot, fresh_demo_project)
    out = tmp_path / "busy"
    out.mkdir()
    (out / "notes.txt").write_text("someone else's file")
    dialog.out_edit.setText(str(out))
    with qtbot.waitSignal(dialog.exportFailed, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    text = dialog.error_label.text()
    assert dialog.error_label.isVisible()
    assert "notes.txt" in text and "not empty" in text and "Traceback" not in text
    assert len(text.splitlines()) == 1
    assert not [b for b in dialog.findChildren(QMessageBox) if b.isVisible()]
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    assert not dialog.result_box.isVisible() and dialog.export_button.isEnabled()


def test_a_missing_project_says_so_in_the_preview(qtbot, tmp_path):
    dialog = ExportDialog(None, tmp_path / "nowhere.db")
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.previewFailed, timeout=WAIT_MS):
        pass
    assert "no such project" in dialog.preview_status.text()
    assert _shown(dialog, "rows") == "—"
    assert not [b for b in dialog.findChildren(QMessageBox) if b.isVisible()]


def test_reviewed_only_and_corrections_on_test_places(qtbot, fresh_demo_project, tmp_path):
    """Driving the app: two label flags on test places showed as 'Relabelled by flags: 0' with
    no word of them, and the dialog had no way to export reviewed flags only (the CLI's
    --reviewed-only)."""
    from auditor.audit.review import review_flag
    conn = open_project(fresh_demo_project, create=False)
    try:
        flip = {"home": "work", "work": "home"}
        train = conn.execute(
            "SELECT place_id, given_label FROM predictions WHERE split = 'train' AND "
            "given_label IN ('home', 'work') AND run_id = (SELECT MAX(run_id) FROM runs WHERE "
            "kind = 'model') ORDER BY place_id LIMIT 3").fetchall()
        test = conn.execute(
            "SELECT place_id, given_label FROM predictions WHERE split = 'test' AND "
            "given_label IN ('home', 'work') AND run_id = (SELECT MAX(run_id) FROM runs WHERE "
            "kind = 'model') ORDER BY place_id LIMIT 2").fetchall()
        assert len(train) == 3 and len(test) == 2
        fixes = [add_flag(conn, "ana", "place", p, "label_wrong", flip[g]) for p, g in train]
        for p, g in test:
            add_flag(conn, "ana", "place", p, "label_wrong", flip[g])
        review_flag(conn, "bob", fixes[0], "accept")
        review_flag(conn, "bob", fixes[1], "reject")          # fixes[2] stays pending
    finally:
        conn.close()
    dialog = _dialog(qtbot, fresh_demo_project)
    assert not dialog.reviewed_check.isChecked()
    assert dialog.preview["relabelled"] == 3 and dialog.preview["relabelled_test"] == 2
    assert _shown(dialog, "relabelled") == "3 — and 2 on test places, held out"
    with qtbot.waitSignal(dialog.previewUpdated, timeout=WAIT_MS):
        dialog.reviewed_check.setChecked(True)
    assert dialog.preview["relabelled"] == 1 and dialog.preview["relabelled_test"] == 0
    assert _shown(dialog, "relabelled") == "1"
    # the export writes what the preview said, as `auditor export --reviewed-only` would
    out = tmp_path / "rev"
    dialog.out_edit.setText(str(out))
    task = dialog.start_export()
    qtbot.waitUntil(lambda: task.is_finished, timeout=WAIT_MS)
    assert dialog.summary["relabelled"] == 1
    import json
    assert json.loads((out / "manifest.json").read_text())["config"]["reviewed_only"] is True
    dialog.close()
