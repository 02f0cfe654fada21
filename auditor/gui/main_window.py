"""The analyst's workbench: browser (left), map (centre), timeline (bottom), details and flags
(right), with menus, status bar and a persistent layout."""
from __future__ import annotations

import html
import importlib.util
import logging
from pathlib import Path
from typing import Optional

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QUndoStack
from PySide6.QtWidgets import (QFileDialog, QFrame, QInputDialog, QLabel, QMainWindow,
                               QMessageBox, QScrollArea, QSplitter, QStackedWidget, QVBoxLayout,
                               QWidget)

from auditor import __version__
from auditor.audit.flags import FlagSpec
from auditor.errors import UserError
from auditor.gui.analysis_dock import AnalysisDock
from auditor.gui.browser import PlaceBrowser
from auditor.gui.dialogs import show_exception, show_user_error
from auditor.gui.flag_panel import FlagPanel
from auditor.gui.map_view import MapView
from auditor.gui.project import Project
from auditor.gui.settings import (BASEMAP_NONE, BASEMAP_OSM, AppSettings, default_analyst,
                                  valid_tile_url)
from auditor.gui.undo import FlagUndoController
from auditor.gui.welcome import WelcomePage
from auditor.gui.workers import Job, run_job

log = logging.getLogger("auditor.gui")

SHORTCUTS = [
    ("H / W / O", "the given label is wrong: the place is home / work / other"),
    ("M", "the model is wrong here (hard example)"),
    ("X", "bad data: exclude the selected place"),
    ("N", "next row of the table (in the suspicious-labels queue: next suspicious place)"),
    ("Ctrl+Z / Ctrl+Shift+Z", "undo / redo the last flag"),
    ("Ctrl+O", "open a project"),
    ("Ctrl+I", "import data"),
]


# at 1280x800 the three panes must fit side by side with the Analysis dock below them
BROWSER_MIN_WIDTH = 220
PANEL_MIN_WIDTH = 250
ANALYSIS_HEIGHT = 0.30  # of the window, when the dock first shows

# the demo the welcome screen opens: `auditor demo`'s defaults, so both share one project
DEMO_SIZE = {"vehicles": 200, "days": 28, "seed": 7}


def export_available() -> bool:
    return importlib.util.find_spec("auditor.export.api") is not None


class MainWindow(QMainWindow):
    projectOpened = Signal(str)
    vehicleShown = Signal(str)  # after map + timeline are drawn for the vehicle (map ready)

    def __init__(self, settings: Optional[AppSettings] = None, interactive: bool = True):
        super().__init__()
        self.setObjectName("mainWindow")
        self.settings = settings or AppSettings()
        self.interactive = interactive  # False for screenshots / smoke test: never ask questions
        self.project: Optional[Project] = None
        self.initial_selection_pending = False
        self.vehicle_id: Optional[str] = None
        self.place_id: Optional[str] = None
        self.trip_id: Optional[str] = None
        self.setWindowTitle("auditor")

        self.undo_stack = QUndoStack(self)
        self.flags = FlagUndoController(self.undo_stack, self)
        self.flags.changed.connect(self._flags_changed)
        self.flags.failed.connect(lambda exc: show_exception(self, exc, "undoing a flag"))

        self.welcome = WelcomePage()
        self.browser = PlaceBrowser()
        self.map = MapView()
        # the timeline (pyqtgraph) is built when first needed: its import stays off first paint
        self._timeline = None
        self.timeline_holder = QWidget()
        self.timeline_holder.setObjectName("timelineHolder")
        QVBoxLayout(self.timeline_holder).setContentsMargins(0, 0, 0, 0)
        self.panel = FlagPanel()
        # the details pane scrolls vertically instead of forcing the window taller than 800 px
        self.panel_scroll = QScrollArea()
        self.panel_scroll.setObjectName("panelScroll")
        self.panel_scroll.setWidget(self.panel)
        self.panel_scroll.setWidgetResizable(True)
        self.panel_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.panel_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.panel_scroll.setMinimumWidth(PANEL_MIN_WIDTH)
        self.browser.setMinimumWidth(BROWSER_MIN_WIDTH)
        self.analysis = AnalysisDock(self)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.analysis)
        self.centre_split = QSplitter(Qt.Orientation.Vertical)
        self.centre_split.setObjectName("centreSplit")
        self.centre_split.addWidget(self.map)
        self.centre_split.addWidget(self.timeline_holder)
        self.main_split = QSplitter(Qt.Orientation.Horizontal)
        self.main_split.setObjectName("mainSplit")
        self.main_split.addWidget(self.browser)
        self.main_split.addWidget(self.centre_split)
        self.main_split.addWidget(self.panel_scroll)
        for split in (self.main_split, self.centre_split):
            split.setChildrenCollapsible(False)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.welcome)
        self.stack.addWidget(self.main_split)
        self.setCentralWidget(self.stack)
        self._default_sizes()

        self._build_status_bar()
        self._build_menus()
        self._connect()
        self._restore_layout()
        self._show_welcome()

    # --- construction ---------------------------------------------------------------------------
    def _default_sizes(self) -> None:
        # proportions of the window as it is now (called again once the window has its size)
        w, h = max(self.width(), 1000), max(self.height(), 700)
        self.main_split.setSizes([int(w * 0.27), int(w * 0.49), int(w * 0.24)])
        self.centre_split.setSizes([int(h * 0.6), int(h * 0.4)])
        self.resizeDocks([self.analysis], [int(h * ANALYSIS_HEIGHT)], Qt.Orientation.Vertical)

    def _apply_pending_sizes(self) -> None:
        # the splitters get their default proportions the first time they are on screen
        if self._sizes_pending and self.isVisible():
            self._sizes_pending = False
            self._default_sizes()

    def _build_status_bar(self) -> None:
        sb = self.statusBar()
        self.status_project = QLabel()
        self.status_counts = QLabel()
        self.status_run = QLabel()
        self.status_basemap = QLabel()
        self.status_analyst = QLabel()
        for w in (self.status_project, self.status_counts, self.status_run, self.status_basemap,
                  self.status_analyst):
            w.setTextFormat(Qt.TextFormat.PlainText)
            sb.addPermanentWidget(w)

    def _action(self, menu, text, slot=None, shortcut=None, name=None) -> QAction:
        act = QAction(text, self)
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
        if slot:
            act.triggered.connect(slot)
        if name:
            act.setObjectName(name)
        menu.addAction(act)
        self.addAction(act)  # shortcuts work wherever the focus is in the window
        return act

    def _build_menus(self) -> None:
        mb = self.menuBar()
        f = mb.addMenu("&File")
        self._action(f, "&New project…", self.new_project_dialog, QKeySequence.StandardKey.New)
        self._action(f, "&Open project…", self.open_project_dialog, QKeySequence.StandardKey.Open)
        self.import_action = self._action(f, "&Import data…", self.import_dialog, "Ctrl+I",
                                          "actionImport")
        self.export_action = self._action(f, "&Export training set…", self.export_dialog,
                                          "Ctrl+E", "actionExport")
        self.recent_menu = f.addMenu("&Recent projects")
        f.addSeparator()
        self.close_action = self._action(f, "&Close project", self.close_project, "Ctrl+W")
        self._action(f, "&Quit", self.close, QKeySequence.StandardKey.Quit)

        e = mb.addMenu("&Edit")
        self.undo_action = self.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcuts([QKeySequence("Ctrl+Z")])
        self.redo_action = self.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        for a in (self.undo_action, self.redo_action):
            e.addAction(a)
            self.addAction(a)
        e.addSeparator()
        self._action(e, "Analyst &name…", self.ask_analyst)

        fl = mb.addMenu("F&lag")
        self.flag_actions = {
            "home": self._action(fl, "Label is wrong → &home", lambda: self.flag_place("label_wrong", "home"), "H"),
            "work": self._action(fl, "Label is wrong → &work", lambda: self.flag_place("label_wrong", "work"), "W"),
            "other": self._action(fl, "Label is wrong → &other", lambda: self.flag_place("label_wrong", "other"), "O"),
            "model": self._action(fl, "&Model is wrong (hard example)", lambda: self.flag_place("model_wrong"), "M"),
            "bad": self._action(fl, "Bad data (e&xclude)", lambda: self.flag_place("bad_data"), "X"),
        }
        fl.addSeparator()
        self.trip_bad_action = self._action(fl, "Selected &trip is bad data", self.flag_trip)
        self._action(fl, "&Next row / next suspicious place", self.next_row, "N")

        r = mb.addMenu("&Run")
        self.infer_action = self._action(r, "&Infer (trips, places, model)", self.run_infer, "Ctrl+R")

        v = mb.addMenu("&View")
        bm = v.addMenu("&Basemap")
        self.basemap_group = QActionGroup(self)
        self.basemap_actions = {}
        for key, text in ((BASEMAP_NONE, "&None (no tiles, works offline)"),
                          (BASEMAP_OSM, "&OpenStreetMap (needs network)"),
                          ("custom", "&Custom tile URL…")):
            act = QAction(text, self, checkable=True)
            act.triggered.connect(lambda _=False, k=key: self.choose_basemap(k))
            self.basemap_group.addAction(act)
            bm.addAction(act)
            self.basemap_actions[key] = act
        self._sync_basemap_actions()
        v.addSeparator()
        self.analysis_action = self.analysis.toggleViewAction()
        self.analysis_action.setText("&Analysis (validation, suspicious labels, error tree, skew)")
        self.analysis_action.setShortcut(QKeySequence("Ctrl+Shift+A"))
        v.addAction(self.analysis_action)
        self.addAction(self.analysis_action)
        self._action(v, "&Reset layout", self.reset_layout)

        h = mb.addMenu("&Help")
        self._action(h, "&Keyboard shortcuts", self.show_shortcuts, QKeySequence.StandardKey.HelpContents)
        self._action(h, "&About auditor", self.show_about)
        self._refresh_recent_menu()

    def _connect(self) -> None:
        w = self.welcome
        w.openDemo.connect(self.open_demo)
        w.importData.connect(self.import_dialog)
        w.openProject.connect(self.open_project_dialog)
        w.openRecent.connect(self.open_project_guarded)
        self.browser.placeSelected.connect(lambda v, p: self.select_place(p, vehicle_id=v,
                                                                          source="browser"))
        self.map.bridge.placeSelected.connect(lambda p: self.select_place(p, source="map"))
        self.map.bridge.tripSelected.connect(lambda t: self.select_trip(t, source="map"))
        self.map.mapReady.connect(self._map_ready)
        self.panel.flagRequested.connect(self.apply_flag)
        self.analysis.placesChosen.connect(self.show_places)
        self.analysis.placeChosen.connect(lambda p: self.select_place(p, source="analysis"))
        self.analysis.analysisReady.connect(self._analysis_ready)

    @property
    def timeline(self):
        if self._timeline is None:
            from auditor.gui.timeline import TimelineView
            self._timeline = TimelineView()
            self._timeline.cellClicked.connect(self._timeline_clicked)
            self.timeline_holder.layout().addWidget(self._timeline)
        return self._timeline

    # --- layout persistence --------------------------------------------------------------------
    def _restore_layout(self) -> None:
        geometry = self.settings.layout_value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1400, 900)
        state = self.settings.layout_value("state")
        if state is not None:
            self.restoreState(state)
        self._sizes_pending = True
        for name, split in (("main", self.main_split), ("centre", self.centre_split)):
            data = self.settings.layout_value(f"splitter/{name}")
            if data is not None:
                split.restoreState(data)
                self._sizes_pending = False

    def save_layout(self) -> None:
        self.settings.save_layout(self.saveGeometry(), self.saveState(),
                                  {"main": self.main_split.saveState(),
                                   "centre": self.centre_split.saveState()})
        self.settings.sync()

    def reset_layout(self) -> None:
        self.settings.clear_layout()
        self.resize(1400, 900)
        self.analysis.setFloating(False)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.analysis)
        self.analysis.show()
        self._default_sizes()

    def closeEvent(self, event) -> None:
        if self.interactive:
            self.save_layout()
        self.close_project()
        self.analysis.shutdown()
        super().closeEvent(event)

    # --- projects -----------------------------------------------------------------------------
    def _show_welcome(self) -> None:
        self.welcome.set_recent(self.settings.existing_recent())
        self.stack.setCurrentWidget(self.welcome)
        self._update_actions()
        self._update_status()

    def _refresh_recent_menu(self) -> None:
        self.recent_menu.clear()
        paths = self.settings.existing_recent()
        for p in paths:
            act = self.recent_menu.addAction(p)
            act.triggered.connect(lambda _=False, path=p: self.open_project_guarded(path))
        self.recent_menu.setEnabled(bool(paths))

    def _update_actions(self) -> None:
        has = self.project is not None
        for a in (self.import_action, self.close_action, self.infer_action):
            a.setEnabled(has or a is self.import_action)
        can_export = has and export_available()
        self.export_action.setEnabled(can_export)
        self.export_action.setToolTip("" if can_export else
                                      "Export needs an open project" if export_available() else
                                      "Export is not available in this build yet")
        for a in self.flag_actions.values():
            a.setEnabled(has)

    def open_project_guarded(self, path: str) -> bool:
        try:
            self.open_project(path)
            return True
        except Exception as exc:
            show_exception(self, exc, f"opening {path}")
            return False

    def open_project(self, path: str | Path, create: bool = False) -> None:
        project = Project(path, create=create)  # UserError for a bad file, before we switch
        self.close_project()
        self.project = project
        if self.interactive:  # screenshots and the smoke test leave the user's recent list alone
            self.settings.add_recent(project.path)
            self._refresh_recent_menu()
        self.setWindowTitle(f"auditor — {project.path.name}")
        self.browser.set_connection(project.conn, project.run_id)
        self.panel.set_connection(project.conn, project.run_id)
        self.analysis.basemap = self.settings.basemap
        self.analysis.set_project(project.conn, project.path, project.run_id)
        if self._timeline is not None:
            self._timeline.clear()
        self.flags.attach(project.conn, self.settings.analyst or None)
        self.stack.setCurrentWidget(self.main_split)
        self._apply_pending_sizes()
        self._update_actions()
        self._update_status()
        if self.browser.model is not None and self.browser.model.rowCount():
            # the table and panels paint first; the first vehicle's map follows on the next
            # turn of the event loop (unless something else was selected by then)
            self.initial_selection_pending = True
            QTimer.singleShot(0, self._select_initial)
        else:
            self.map.show_message("No places yet. Import pings and labels (File ▸ Import data…),"
                                  " then run inference (Run ▸ Infer).")
        self.projectOpened.emit(str(project.path))

    def _select_initial(self) -> None:
        self.initial_selection_pending = False
        if self.project is not None and self.vehicle_id is None:
            place = self.browser.model.place_at(0)
            # the whole first vehicle on the map (no popup panning it away); row 0 selected
            self.select_place(place["place_id"], vehicle_id=place["vehicle_id"], quiet_map=True)

    def close_project(self) -> None:
        if self.project is None:
            return
        self.flags.attach(None, None)
        self.browser.set_connection(None, None)
        self.panel.set_connection(None, None)
        self.analysis.set_project(None, None, None)
        if self._timeline is not None:
            self._timeline.clear()
        self.map.show_message("No project open.")
        self.project.close()
        self.project = None
        self.vehicle_id = self.place_id = self.trip_id = None
        self.setWindowTitle("auditor")
        self._show_welcome()

    def reload_project(self) -> None:
        """After import or inference: re-read the run and every view."""
        if self.project is None:
            return
        self.open_project(self.project.path)

    def _update_status(self) -> None:
        p = self.project
        if p is None:
            for w in (self.status_project, self.status_counts, self.status_run):
                w.setText("")
        else:
            c = p.counts()
            self.status_project.setText(p.path.name)
            self.status_project.setToolTip(str(p.path))
            self.status_counts.setText(f"{c.vehicles:,} vehicles · {c.places:,} places · "
                                       f"{c.trips:,} trips · {c.labelled_places:,} labelled · "
                                       f"{c.flags:,} flags")
            self.status_run.setText(f"run {p.run_id}" if p.run_id else "not inferred yet")
        bm = self.settings.basemap
        self.status_basemap.setText("Basemap off (View ▸ Basemap)" if bm == BASEMAP_NONE else
                                    "Basemap: OpenStreetMap" if bm == BASEMAP_OSM else
                                    "Basemap: custom")
        self.status_analyst.setText(f"analyst: {self.settings.analyst or '(not set)'}")

    # --- selection ------------------------------------------------------------------------------
    def select_vehicle(self, vehicle_id: str, place_id: Optional[str] = None) -> None:
        if self.project is None:
            return
        if not self.project.has_vehicle(vehicle_id):
            raise UserError(f"vehicle {vehicle_id!r} is not in {self.project.path.name} — "
                            "pick one from the table")
        quiet = place_id is None  # a vehicle, not a place, was asked for: show all of it
        place_id = place_id or self.project.first_place_of(vehicle_id)
        if place_id is not None:
            self.select_place(place_id, vehicle_id=vehicle_id, quiet_map=quiet)
        else:
            self._show_vehicle(vehicle_id, None)

    def _show_vehicle(self, vehicle_id: str, place_id: Optional[str]) -> None:
        p = self.project
        self.vehicle_id = vehicle_id
        self.trip_id = None
        try:
            self.map.show_vehicle(p.conn, vehicle_id, run_id=p.run_id,
                                  basemap=self.settings.basemap, selected_place=place_id)
            self.timeline.show_vehicle(p.conn, vehicle_id, p.run_id)
        except Exception as exc:
            show_exception(self, exc, f"drawing vehicle {vehicle_id}")
        self.timeline.show_trip(None, None)
        self.panel.show_trip(None)

    def select_place(self, place_id: str, vehicle_id: Optional[str] = None,
                     source: str = "app", quiet_map: bool = False) -> None:
        if self.project is None:
            return
        if vehicle_id is None:
            row = self.project.conn.execute("SELECT vehicle_id FROM places WHERE place_id = ?",
                                            (place_id,)).fetchone()
            if row is None:
                return
            vehicle_id = row[0]
        self.place_id = place_id
        if vehicle_id != self.vehicle_id:
            self._show_vehicle(vehicle_id, None if quiet_map else place_id)
        elif source != "map" and not quiet_map:
            self.map.select_place(place_id)
        if source != "browser":
            self.browser.show_place(place_id)
        self.panel.show_place(place_id)

    def select_trip(self, trip_id: str, source: str = "app") -> None:
        if self.project is None:
            return
        self.trip_id = trip_id
        if source != "map":
            self.map.select_trip(trip_id)
        self.timeline.show_trip(self.project.conn, trip_id)
        self.panel.show_trip(trip_id)

    # --- analysis -------------------------------------------------------------------------------
    def show_places(self, place_ids: list, description: str) -> None:
        """From an analysis view to its samples: the browser shows exactly ``place_ids`` and
        selects the first, which the map and the details follow."""
        if self.project is None:
            return
        if not self.browser.show_subset(list(place_ids), description):
            self.statusBar().showMessage(f"No places: {description}", 4000)

    def next_row(self) -> None:
        """N: the next suspicious place while the queue has the keyboard, else the next row."""
        if self.analysis.queue_has_focus():
            if not self.analysis.suspicious.select_next():
                self.statusBar().showMessage("End of the suspicious-labels queue", 3000)
        else:
            self.browser.select_next_row()

    def _analysis_ready(self, analysis) -> None:
        self.panel.set_suspicions({r["place_id"]: r["reason"]
                                   for r in analysis.report["suspicious"]})

    def _timeline_clicked(self, kind: str, target_id: str) -> None:
        if kind == "place":
            self.select_place(target_id, vehicle_id=self.vehicle_id, source="timeline")
        else:
            self.select_trip(target_id, source="timeline")

    def _map_ready(self, vehicle_id: str) -> None:
        if vehicle_id and vehicle_id == self.vehicle_id:
            self.vehicleShown.emit(vehicle_id)

    # --- flags ----------------------------------------------------------------------------------
    def ensure_analyst(self) -> Optional[str]:
        if not self.settings.analyst:
            if not self.interactive or not self.ask_analyst():
                return None
        if self.flags.analyst != self.settings.analyst and self.project is not None:
            self.flags.attach(self.project.conn, self.settings.analyst)
        return self.settings.analyst

    def ask_analyst(self) -> bool:
        name, ok = QInputDialog.getText(self, "Analyst name", "Your name (kept with every flag):",
                                        text=self.settings.analyst or default_analyst())
        if not ok or not name.strip():
            return False
        self.settings.analyst = name.strip()
        if self.project is not None:
            self.flags.attach(self.project.conn, self.settings.analyst)
        self._update_status()
        return True

    def flag_place(self, action: str, value: Optional[str] = None) -> None:
        if not self.panel.request_place_flag(action, value):
            self.statusBar().showMessage("Select a place first", 3000)

    def flag_trip(self) -> None:
        if not self.panel.request_trip_flag():
            self.statusBar().showMessage("Select a trip first (map or timeline)", 3000)

    def apply_flag(self, spec: FlagSpec) -> Optional[int]:
        if self.project is None or self.ensure_analyst() is None:
            return None
        try:
            event_id = self.flags.flag(spec)
        except Exception as exc:
            show_exception(self, exc, "flagging")
            return None
        self.panel.clear_note()
        self.statusBar().showMessage(f"Flagged {spec.target_id}: {spec.action}"
                                     + (f" → {spec.new_value}" if spec.new_value else ""), 4000)
        return event_id

    def _flags_changed(self, spec: FlagSpec) -> None:
        if self.project is None:
            return
        if spec.target_kind == "place" and self.browser.model is not None:
            self.browser.model.refresh_flags([spec.target_id])
        self.panel.refresh_flags()
        self.analysis.refresh_flags()
        self._update_status()
        # redraw the map so flagged places get their mark (keeps the selection)
        if self.vehicle_id is not None and (spec.target_kind != "place" or
                                            spec.target_id.startswith(f"{self.vehicle_id}:")):
            self._redraw_map_timer()

    def _redraw_map_timer(self) -> None:
        if not hasattr(self, "_redraw_timer"):
            self._redraw_timer = QTimer(self)
            self._redraw_timer.setSingleShot(True)
            self._redraw_timer.setInterval(250)
            self._redraw_timer.timeout.connect(self._redraw_map)
        self._redraw_timer.start()

    def _redraw_map(self) -> None:
        if self.project is None or self.vehicle_id is None:
            return
        self.map.show_vehicle(self.project.conn, self.vehicle_id, run_id=self.project.run_id,
                              basemap=self.settings.basemap, selected_place=self.place_id)

    # --- basemap ----------------------------------------------------------------------------------
    def _sync_basemap_actions(self) -> None:
        bm = self.settings.basemap
        key = bm if bm in (BASEMAP_NONE, BASEMAP_OSM) else "custom"
        self.basemap_actions[key].setChecked(True)

    def choose_basemap(self, key: str, url: Optional[str] = None) -> None:
        if key == "custom":
            if url is None:
                current = self.settings.basemap
                url, ok = QInputDialog.getText(
                    self, "Custom basemap", "Tile URL template, e.g. "
                    "https://tiles.example.org/{z}/{x}/{y}.png",
                    text=current if valid_tile_url(current) else "https://")
                if not ok:
                    self._sync_basemap_actions()
                    return
            if not valid_tile_url(url):
                self._sync_basemap_actions()
                show_user_error(self, f"{url!r} is not a tile URL template — it must start with "
                                "http(s):// and contain {z}, {x} and {y}")
                return
            key = url.strip()
        self.settings.basemap = key
        self._sync_basemap_actions()
        self._update_status()
        self.analysis.set_basemap(self.settings.basemap)
        if self.vehicle_id is not None:
            self._redraw_map()

    # --- long jobs ------------------------------------------------------------------------------
    def _project_path_for_new(self, title: str) -> Optional[Path]:
        path, _ = QFileDialog.getSaveFileName(self, title, str(Path.home() / "project.db"),
                                              "auditor projects (*.db);;All files (*)")
        if not path:
            return None
        path = Path(path)
        return path if path.suffix else path.with_suffix(".db")

    def new_project_dialog(self) -> None:
        path = self._project_path_for_new("New project")
        if path is None:
            return
        try:
            self.open_project(path, create=True)
        except Exception as exc:
            show_exception(self, exc, "creating the project")
            return
        self.import_dialog()

    def open_project_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open project", str(Path.home()),
                                              "auditor projects (*.db);;All files (*)")
        if path:
            self.open_project_guarded(path)

    def import_dialog(self):
        from auditor.gui.import_wizard import ImportWizard
        if self.project is None:
            path = self._project_path_for_new("Create a project to import into")
            if path is None:
                return None
            try:
                self.open_project(path, create=True)
            except Exception as exc:
                show_exception(self, exc, "creating the project")
                return None
        wizard = ImportWizard(self.project.path, self)
        wizard.finished.connect(lambda result: self._import_done(wizard, result))
        wizard.open()
        self._wizard = wizard
        return wizard

    def _import_done(self, wizard, result) -> None:
        if wizard.imported:
            self.reload_project()
            if wizard.run_inference_requested():
                self.run_infer()

    def run_infer(self) -> Optional[Job]:
        if self.project is None:
            return None
        from auditor.pipeline.api import infer_project
        path = self.project.path

        def done(summary) -> None:
            self.reload_project()
            acc = summary.get("val_accuracy") if isinstance(summary, dict) else None
            self.statusBar().showMessage(
                "Inference done" + (f": validation accuracy {acc:.1%}" if isinstance(acc, float) else ""),
                8000)

        return run_job(self, "Running inference", lambda progress: infer_project(
            path, seed=0, progress=progress), done)

    def open_demo(self) -> Optional[Job]:
        # the same project `auditor demo` builds; reused at once when it is already there
        from auditor.demo.project import build_demo_project, default_demo_project
        path = default_demo_project()
        return run_job(self, "Building the demo fleet (first time only)",
                       lambda progress: build_demo_project(path, progress=progress, **DEMO_SIZE),
                       lambda build: self.open_project_guarded(str(build.project)))

    def export_dialog(self):
        """File ▸ Export…: options, a preview of what changes, then the export itself."""
        if self.project is None or not export_available():
            return None
        from auditor.gui.export_dialog import open_export_dialog  # lazy: keeps export off startup
        return open_export_dialog(self, self.project.path)

    def start_export(self, out_dir: Path, fmt: str = "csv") -> Optional[Job]:
        if self.project is None:
            return None
        from auditor.export.api import export_training_set
        path = self.project.path

        def done(summary) -> None:
            rows = summary.get("rows") if isinstance(summary, dict) else "?"
            box = QMessageBox(QMessageBox.Icon.Information, "Export done",
                              f"Wrote {rows} rows and manifest.json to {out_dir}",
                              QMessageBox.StandardButton.Ok, self)
            box.setTextFormat(Qt.TextFormat.PlainText)
            box.open()

        return run_job(self, "Exporting the training set",
                       lambda progress: export_training_set(path, out_dir, fmt=fmt,
                                                            progress=progress), done)

    # --- help ------------------------------------------------------------------------------------
    def show_shortcuts(self) -> QMessageBox:
        rows = "".join(f"<tr><td><b>{html.escape(k)}</b></td><td>&nbsp;{html.escape(v)}</td></tr>"
                       for k, v in SHORTCUTS)
        box = QMessageBox(QMessageBox.Icon.Information, "Keyboard shortcuts",
                          f"<table>{rows}</table>", QMessageBox.StandardButton.Ok, self)
        box.open()
        return box

    def show_about(self) -> QMessageBox:
        from PySide6 import __version__ as qt_version
        box = QMessageBox(QMessageBox.Icon.Information, "About auditor",
                          f"<b>auditor {html.escape(__version__)}</b><br>Audit vehicle drive data "
                          f"and home/work labels.<br>PySide6 {html.escape(qt_version)}<br>"
                          f"Logs: {html.escape(str(_log_path()))}",
                          QMessageBox.StandardButton.Ok, self)
        box.setObjectName("aboutBox")
        box.open()
        return box


def _log_path() -> Path:
    from auditor.logs import log_file
    return log_file()
