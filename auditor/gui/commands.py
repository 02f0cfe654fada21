"""What the File and Run menus start: new / open / import / export, inference and the demo.
Long work runs off the GUI thread (auditor.gui.workers); the state is reloaded after it."""
from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from auditor.gui import file_dialogs
from auditor.gui.workers import Task, run_task
from auditor.ingest.readers import DATA_SUFFIXES, text_suffix

if TYPE_CHECKING:
    from auditor.gui.main_window import MainWindow




def export_available() -> bool:
    return importlib.util.find_spec("auditor.export.api") is not None


class ProjectCommands:
    def __init__(self, window: "MainWindow"):
        self.window = window
        self.state = window.state

    def _start_folder(self) -> Path:
        """Where a project chooser opens: the open project's folder, else home."""
        project = self.state.project
        return project.path.parent if project is not None else Path.home()

    def _path_for_new(self, title: str) -> Optional[Path]:
        path = file_dialogs.save_file(self.window, title, self._start_folder() / "project.db",
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
        path = file_dialogs.open_file(self.window, "Open project", str(self._start_folder()),
                                      "auditor projects (*.db);;All files (*)")
        if path:
            self.open_existing(path)

    def open_existing(self, path: str | Path) -> Optional[QMessageBox]:
        """File ▸ Open: a file that is not a project is refused in the words of opening (not
        of creating: "choose another name" means nothing here), with Import for a data file.
        Returns the refusal's dialog (None when the project opened)."""
        from auditor.errors import UserError
        try:
            self.window.open_project(path)
            return None
        except UserError as exc:
            if not Path(path).is_file():
                return self.window.report_error(exc, f"opening {path}")
            return self._not_a_project(Path(path), exc)
        except Exception as exc:
            return self.window.report_error(exc, f"opening {path}")

    def _not_a_project(self, path: Path, exc: Exception) -> QMessageBox:
        data = text_suffix(path) in DATA_SUFFIXES
        text = (f"{path.name} is not an auditor project, so it was not opened (it was left "
                "unchanged).\n\n"
                + ("It looks like a data file: import it into a project with Import…."
                   if data else "Choose a project file (.db) made by auditor, or make a new "
                   "project with File ▸ New project… and import your data into it."))
        box = QMessageBox(QMessageBox.Icon.Warning, "Not a project", text,
                          QMessageBox.StandardButton.Close, self.window)
        box.setObjectName("notAProject")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setDetailedText(str(exc))
        if data:
            imp = box.addButton("Import…", QMessageBox.ButtonRole.AcceptRole)
            imp.clicked.connect(lambda: self.import_dialog(path))
        box.finished.connect(lambda _r: self.window.restore_focus())
        box.open()
        return box

    def import_dialog(self, data_file=None):
        """The import wizard; ``data_file``: a file (or a list of files) already added."""
        from auditor.gui.import_wizard import ImportWizard
        if self.state.project is None:
            path = self._path_for_new("Create a project to import into")
            if path is None or not self.open_guarded(path, create=True):
                return None
        wizard = ImportWizard(self.state.project.path, self.window)
        if data_file is not None:
            files = data_file if isinstance(data_file, (list, tuple)) else [data_file]
            wizard.add_files([Path(f) for f in files])
        wizard.finished.connect(lambda result: self._import_done(wizard))
        wizard.open()
        return wizard

    @staticmethod
    def droppable(paths: list[Path]) -> bool:
        """Files a drop on the window can take: data files to import, or one project."""
        return bool(paths) and (all(text_suffix(p) in DATA_SUFFIXES for p in paths)
                                or (len(paths) == 1 and paths[0].suffix.lower() == ".db"))

    def drop(self, paths: list[Path]):
        """Files dropped on the window: one project opens; data files go to the import wizard
        (into the open project, or a new one). Returns the wizard or the refusal, if any."""
        if not self.droppable(paths):
            return None
        if paths[0].suffix.lower() == ".db":
            return self.open_existing(paths[0])
        return self.import_dialog(list(paths))

    def _import_done(self, wizard) -> None:
        """After the wizard: the project again if something was imported (the status bar says
        what), and inference only when the analyst asked for it and pressed Finish."""
        if wizard.imported:
            self.state.reload()
            rows = sum(s.get("accepted", 0) for s in wizard.summaries or [])
            files = sum(1 for s in wizard.summaries or [] if not s.get("skipped"))
            self.state.message.emit(f"Imported {rows:,} rows from {files} file"
                                    f"{'' if files == 1 else 's'}")
            if wizard.result() == wizard.DialogCode.Accepted and \
                    wizard.run_inference_requested():
                self.run_infer()
        self.window.restore_focus()

    def run_infer(self) -> Optional[Task]:
        if self.state.project is None:
            return None
        from auditor.pipeline.api import infer_project
        path = self.state.project.path

        def done(summary) -> None:
            self.state.reload()  # first: the status bar's run reads the new run
            acc = summary.get("val_accuracy") if isinstance(summary, dict) else None
            run = self.state.run_id
            self.state.message.emit(f"Inference done: run {run}" + (
                f", validation accuracy {acc:.1%}" if isinstance(acc, float) else ""))
            warning = unused_input_warning(summary, path) if isinstance(summary, dict) else None
            if warning:  # nothing else on screen would say why labels or metadata went unused
                box = QMessageBox(QMessageBox.Icon.Warning, *warning,
                                  QMessageBox.StandardButton.Ok, self.window)
                box.setTextFormat(Qt.TextFormat.PlainText)
                box.open()

        try:
            choice = self.state.engine_choice.checked()
        except Exception as exc:
            self.window.report_error(exc, "choosing the inference engine")
            return None
        return run_task(self.window, f"Running inference — {choice.describe()}",
                        lambda progress: infer_project(path, progress=progress,
                                                       engine=choice.engine()), done,
                        on_error=lambda exc, tb: self.window.report_error(
                            exc, "running inference", retry=self.run_infer, tb=tb))

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
        dialog = open_export_dialog(self.window, self.state.project.path)
        dialog.retrained.connect(lambda _summary: self.state.reload())  # show the new run
        return dialog

    def runs_view(self):
        """Run ▸ Runs…: list, compare, rerun, retrain, leave feature groups out, drift."""
        if self.state.project is None:
            return None
        from auditor.gui.runs_view import open_runs_view
        return open_runs_view(self.state, self.window)

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


def unused_input_warning(summary: dict, path: Path) -> Optional[tuple[str, str]]:
    """(title, text) of the warning after Run ▸ Infer when labels or vehicle metadata went
    unused for a reason infer can name (lat and lon swapped, labels a little beyond the label
    radius, ids written differently), or the data is not what it seems (trip ids that are no
    trips, trips cut short of where cars park); the terminal's infer prints the same
    sentences."""
    import shlex

    from auditor.pipeline import vehicle_ids
    from auditor.pipeline.command import (
        cut_short_hint,
        explained_by_shift,
        flipped_labels_hint,
        near_labels_hint,
        other_vehicles_hint,
        rounded_labels_hint,
        shifted_labels_hint,
        swapped_labels_hint,
        trip_ids_hint,
    )
    parts, title = [], None
    swapped = swapped_labels_hint(summary)
    if swapped:
        hint, whole = swapped
        title = "Labels look swapped" if whole else "Coordinates look swapped"
        parts.append(hint + ". Import the " + ("labels file" if whole else "swapped file")
                     + " again (File ▸ Import…) with its lat column mapped to lon and its lon "
                     "column to lat, into a new project, or replace them here from a terminal:"
                     f"\n\nauditor ingest {shlex.quote(str(path))} "
                     f"{'LABELS' if whole else 'FILE'}.csv --map lat=lon --map lon=lat --replace")
    flipped = flipped_labels_hint(summary)
    if flipped:
        title = title or "A coordinate lost its sign"
        parts.append(flipped[0][0].upper() + flipped[0][1:] + ". Correct the "
                     + ("labels file" if flipped[1] else "file") + " and import it again "
                     "(File ▸ Import…) into a new project, or replace it here from a terminal:"
                     f"\n\nauditor ingest {shlex.quote(str(path))} "
                     f"{'LABELS' if flipped[1] else 'FILE'}.csv --replace")
    shift = shifted_labels_hint(summary)
    if shift:
        title = title or "Labels and pings are shifted apart"
        parts.append(shift[0].upper() + shift[1:] + " (from a terminal: auditor ingest "
                     f"{shlex.quote(str(path))} FILE --replace).")
    shifted = explained_by_shift(summary)
    elsewhere = other_vehicles_hint(summary) if not shifted else None
    if elsewhere:
        title = title or "Labels lie at other vehicles' places"
        parts.append(elsewhere[0].upper() + elsewhere[1:] + " (File ▸ Import…, or from a "
                     f"terminal: auditor ingest {shlex.quote(str(path))} LABELS.csv --replace).")
    near = near_labels_hint(summary, path) if not shifted else None
    if near:
        title = title or "Labels lie beyond the label radius"
        parts.append(near[0].upper() + near[1:] + ", in the window's later runs too.")
    if (summary.get("labels_rounded") or {}).get("too_coarse"):
        title = title or "Labels rounded too coarsely"
        parts.append(rounded_labels_hint(summary)[0].upper() + rounded_labels_hint(summary)[1:]
                     + ".")
    aside = trip_ids_hint(summary)
    if aside:
        title = title or "Trip ids set aside"
        parts.append(aside[0].upper() + aside[1:] + ".")
    cut = cut_short_hint(summary)
    if cut:
        title = title or "Trips end short of where cars park"
        parts.append(cut[0].upper() + cut[1:] + ".")
    ids = vehicle_ids.hint_lines(summary.get("ids_written_differently") or {})
    if ids:
        title = title or "Vehicle ids differ between files"
        parts.extend(ids)
    return (title, "\n\n".join(parts)) if parts else None

