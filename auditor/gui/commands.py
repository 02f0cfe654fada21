"""What the File and Run menus start: new / open / import / export, inference and the demo.
Long work runs off the GUI thread (auditor.gui.workers); the state is reloaded after it."""
from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from auditor.gui.workers import Task, run_task

if TYPE_CHECKING:
    from auditor.gui.main_window import MainWindow


def export_available() -> bool:
    return importlib.util.find_spec("auditor.export.api") is not None


class ProjectCommands:
    def __init__(self, window: "MainWindow"):
        self.window = window
        self.state = window.state

    def _path_for_new(self, title: str) -> Optional[Path]:
        path, _ = QFileDialog.getSaveFileName(self.window, title, str(Path.home() / "project.db"),
                                              "auditor projects (*.db);;All files (*)")
        if not path:
            return None
        path = Path(path)
        return path if path.suffix else path.with_suffix(".db")

    def open_guarded(self, path: str | Path, create: bool = False) -> bool:
        try:
            self.window.open_project(path, create=create)
            return True
        except Exception as exc:
            self.window.report_error(exc, f"opening {path}")
            return False

    def new_project_dialog(self) -> None:
        path = self._path_for_new("New project")
        if path is not None and self.open_guarded(path, create=True):
            self.import_dialog()

    def open_project_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open project", str(Path.home()),
                                              "auditor projects (*.db);;All files (*)")
        if path:
            self.open_guarded(path)

    def import_dialog(self):
        from auditor.gui.import_wizard import ImportWizard
        if self.state.project is None:
            path = self._path_for_new("Create a project to import into")
            if path is None or not self.open_guarded(path, create=True):
                return None
        wizard = ImportWizard(self.state.project.path, self.window)
        wizard.finished.connect(lambda result: self._import_done(wizard))
        wizard.open()
        return wizard

    def _import_done(self, wizard) -> None:
        if wizard.imported:
            self.state.reload()
            if wizard.run_inference_requested():
                self.run_infer()
        self.window.restore_focus()

    def run_infer(self) -> Optional[Task]:
        if self.state.project is None:
            return None
        from auditor.pipeline.api import infer_project
        path = self.state.project.path

        def done(summary) -> None:
            self.state.reload()
            acc = summary.get("val_accuracy") if isinstance(summary, dict) else None
            self.state.message.emit("Inference done" + (
                f": validation accuracy {acc:.1%}" if isinstance(acc, float) else ""))

        try:
            choice = self.state.engine_choice.checked()
        except Exception as exc:
            self.window.report_error(exc, "choosing the inference engine")
            return None
        return run_task(self.window, f"Running inference — {choice.describe()}",
                        lambda progress: infer_project(path, seed=0, progress=progress,
                                                       engine=choice.engine()), done)

    def engine_dialog(self):
        """Run ▸ Inference engine…: local, a Dask cluster here, or an existing scheduler."""
        from auditor.gui.engine_dialog import EngineDialog
        dialog = EngineDialog(self.state, self.window)
        dialog.accepted.connect(lambda: self.state.message.emit(
            "Inference engine: " + self.state.engine_choice.describe()))
        dialog.open()
        return dialog

    def open_demo(self) -> Task:
        """The same project `auditor demo` builds; reused at once when it is already there."""
        from auditor.demo import defaults
        from auditor.demo.project import build_demo_project, default_demo_project
        path = default_demo_project()
        size = self.window.demo_size or {"vehicles": defaults.VEHICLES, "days": defaults.DAYS,
                                         "seed": defaults.SEED}
        return run_task(self.window, "Building the demo fleet (first time only)",
                        lambda progress: build_demo_project(path, progress=progress, **size),
                        lambda build: self.open_guarded(build.project))

    def export_dialog(self):
        """File ▸ Export…: options, a preview of what changes, then the export itself."""
        if self.state.project is None or not export_available():
            return None
        from auditor.gui.export_dialog import open_export_dialog  # keeps export off startup
        return open_export_dialog(self.window, self.state.project.path)

    def start_export(self, out_dir: Path, fmt: str = "csv") -> Optional[Task]:
        if self.state.project is None:
            return None
        from auditor.export.api import export_training_set
        path = self.state.project.path

        def done(summary) -> None:
            rows = summary.get("rows") if isinstance(summary, dict) else "?"
            box = QMessageBox(QMessageBox.Icon.Information, "Export done",
                              f"Wrote {rows} rows and manifest.json to {out_dir}",
                              QMessageBox.StandardButton.Ok, self.window)
            box.setTextFormat(Qt.TextFormat.PlainText)
            box.open()

        return run_task(self.window, "Exporting the training set",
                        lambda progress: export_training_set(path, out_dir, fmt=fmt,
                                                             progress=progress), done)
