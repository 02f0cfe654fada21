"""The analyst's workbench, assembled: browser (left), map (centre), timeline (bottom), details
and flags (right), the Analysis dock, menus, status bar and a persistent layout. The state
(auditor.state.AppState) holds the project and the one current place; every view follows it,
and this window only wires views, menus and shortcuts to it."""
from __future__ import annotations

import html
from pathlib import Path
from typing import Callable, Optional

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QDockWidget,
    QFrame,
    QInputDialog,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QWidget,
)

from auditor import __version__
from auditor.gui import file_dialogs
from auditor.gui.analyses.dock import AnalysisDock
from auditor.gui.commands import ProjectCommands, export_available
from auditor.gui.dialogs import show_exception, show_user_error
from auditor.gui.flag_keys import FlagKeys
from auditor.gui.settings import BASEMAP_NONE, BASEMAP_OSM, AppSettings, valid_tile_url
from auditor.gui.undo import FlagUndo
from auditor.gui.views.browser import PlaceBrowser
from auditor.gui.views.details import FlagPanel
from auditor.gui.views.map_view import MapView
from auditor.gui.views.status import StatusLine
from auditor.gui.views.timeline import TimelineView
from auditor.gui.welcome import WelcomePage
from auditor.gui.workers import finish_all
from auditor.state.app_state import AppState

SHORTCUTS = [
    ("H / W / O", "the given label is wrong: the place is home / work / other"),
    ("M", "the model is wrong here (hard example)"),
    ("X", "bad data: exclude the current place"),
    ("N", "next place of the list you picked it from (the table or the suspicious queue)"),
    ("Ctrl+Z / Ctrl+Shift+Z", "undo / redo the last flag"),
    ("Ctrl+O", "open a project"),
    ("Ctrl+I", "import data"),
]

# at 1280x800 the three panes must fit side by side with the Analysis dock below the browser and
# the map; the details pane (a dock on the right) takes the window's full height
BROWSER_MIN_WIDTH = 220
PANEL_MIN_WIDTH = 250
PANEL_WIDTH = 0.22      # of the window, when first shown
BROWSER_WIDTH = 0.25    # of the central area
BROWSER_MAX_WIDTH = 0.4  # of the central area: as far as the places table may widen to fit
ANALYSIS_HEIGHT = 0.31  # of the window, when the dock first shows (the queue's rows)
MAP_SHARE = 0.62        # of the centre column when first shown; never less than half
MAP_MIN_SHARE = 0.5
LAYOUT_VERSION = "-2"   # splitter states saved before the details pane became a dock differ


OUTSIDE_POLL_MS = 1500  # how soon another process's flags show here


class MainWindow(QMainWindow):
    projectOpened = Signal(str)
    vehicleShown = Signal(str)  # after the map of the current vehicle is drawn (map ready)

    def __init__(self, settings: Optional[AppSettings] = None, interactive: bool = True):
        super().__init__()
        self.setObjectName("mainWindow")
        self.settings = settings or AppSettings()
        self.interactive = interactive  # False for screenshots / smoke test: never ask questions
        self.demo_size: Optional[dict] = None  # the welcome screen's demo (None: the default)
        self.setWindowTitle("auditor")
        self.state = AppState(self.settings)
        self.commands = ProjectCommands(self)
        self.setAcceptDrops(True)  # CSV / Parquet / GPX files to import, or a project to open
        self.undo_stack = QUndoStack(self)
        self.flag_undo = FlagUndo(self.state, self.undo_stack, on_error=self._undo_failed)

        self.welcome = WelcomePage()
        self.browser = PlaceBrowser(self.state)
        self.map = MapView(self.state)
        self.timeline = TimelineView(self.state)
        self.panel = FlagPanel(self.state)
        self.analysis = AnalysisDock(self.state, self)
        self.keys = FlagKeys(self)
        self._assemble()
        self.status = StatusLine(self.state, self.statusBar())
        self._build_menus()
        self._connect()
        self._restore_layout()
        self._show_welcome()
        # flags another window or process writes (a colleague's import, a terminal review)
        # show without a reopen: a look at SQLite's data_version every so often (no page read)
        self.outside_timer = QTimer(self)
        self.outside_timer.setInterval(OUTSIDE_POLL_MS)
        self.outside_timer.timeout.connect(self.state.check_outside)
        self.outside_timer.start()

    # --- the state, for the entry points and tests -------------------------------------------
    @property
    def project(self):
        return self.state.project

    @property
    def vehicle_id(self) -> Optional[str]:
        return self.state.selection.vehicle_id

    @property
    def place_id(self) -> Optional[str]:
        return self.state.selection.place_id

    @property
    def trip_id(self) -> Optional[str]:
        return self.state.selection.trip_id

    # --- construction ---------------------------------------------------------------------------
    def _assemble(self) -> None:
        # the details pane scrolls vertically instead of forcing the window taller than 800 px;
        # it is a dock on the right so it runs the window's full height, beside the Analysis dock
        self.panel_scroll = QScrollArea()
        self.panel_scroll.setObjectName("panelScroll")
        self.panel_scroll.setWidget(self.panel)
        self.panel_scroll.setWidgetResizable(True)
        self.panel_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.panel_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.panel_scroll.setMinimumWidth(PANEL_MIN_WIDTH)
        self.panel_dock = QDockWidget("Place and flags", self)
        self.panel_dock.setObjectName("panelDock")
        self.panel_dock.setWidget(self.panel_scroll)
        self.panel_dock.setFeatures(QDockWidget.DockWidgetFeature.NoDockWidgetFeatures)
        self.panel_dock.setTitleBarWidget(QWidget())  # a pane of the window, not a tool window
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.panel_dock)
        self.setCorner(Qt.Corner.TopRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.browser.setMinimumWidth(BROWSER_MIN_WIDTH)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.analysis)
        self.centre_split = QSplitter(Qt.Orientation.Vertical)
        self.centre_split.setObjectName("centreSplit")
        self.centre_split.addWidget(self.map)
        self.centre_split.addWidget(self.timeline)
        self.centre_split.setStretchFactor(0, 3)
        self.centre_split.setStretchFactor(1, 2)
        self.centre_split.installEventFilter(self)
        self.centre_split.splitterMoved.connect(lambda pos, index: self._keep_map_room())
        self.main_split = QSplitter(Qt.Orientation.Horizontal)
        self.main_split.setObjectName("mainSplit")
        self.main_split.addWidget(self.browser)
        self._browser_need = 0
        self._browser_set = None  # the width this window last gave the places pane itself
        self.browser.wants_width.connect(self._fit_browser)
        self.main_split.addWidget(self.centre_split)
        self.main_split.setStretchFactor(1, 1)
        for split in (self.main_split, self.centre_split):
            split.setChildrenCollapsible(False)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.welcome)
        self.stack.addWidget(self.main_split)
        self.setCentralWidget(self.stack)
        self._default_sizes()

    def _default_sizes(self) -> None:
        # proportions of the window as it is now (called again once the window has its size)
        w, h = max(self.width(), 1000), max(self.height(), 700)
        self.resizeDocks([self.panel_dock], [max(int(w * PANEL_WIDTH), PANEL_MIN_WIDTH)],
                         Qt.Orientation.Horizontal)
        self.resizeDocks([self.analysis], [int(h * ANALYSIS_HEIGHT)], Qt.Orientation.Vertical)
        central = w - max(int(w * PANEL_WIDTH), PANEL_MIN_WIDTH)
        browser = max(int(central * BROWSER_WIDTH), BROWSER_MIN_WIDTH,
                      min(self._browser_need, int(central * BROWSER_MAX_WIDTH)))
        self.main_split.setSizes([browser, central - browser])
        self._browser_set = self.main_split.sizes()[0]
        centre_h = int(h * (1 - ANALYSIS_HEIGHT)) - 60
        self.centre_split.setSizes([int(centre_h * MAP_SHARE), int(centre_h * (1 - MAP_SHARE))])

    def _fit_browser(self, need: int) -> None:
        """Widen the places pane (never narrow it) so its columns fit, up to BROWSER_MAX_WIDTH
        — unless its width was chosen: dragged, or restored from the last session."""
        self._browser_need = need
        sizes = self.main_split.sizes()
        total = sum(sizes)
        if len(sizes) != 2 or total <= 0 or sizes[0] >= need:
            return
        if self._browser_set is None or sizes[0] != self._browser_set:
            return  # not the width this window gave it: somebody chose it
        browser = min(need, int(total * BROWSER_MAX_WIDTH))
        if browser > sizes[0]:
            self.main_split.setSizes([browser, total - browser])
            self._browser_set = self.main_split.sizes()[0]

    def eventFilter(self, obj, event) -> bool:
        if obj is self.centre_split and event.type() == QEvent.Type.Resize:
            self._keep_map_room()
        return super().eventFilter(obj, event)

    def _keep_map_room(self) -> None:
        """The map keeps at least half of the centre column, however the panes are dragged."""
        total = sum(self.centre_split.sizes())
        self.timeline.setMaximumHeight(max(int(total * (1 - MAP_MIN_SHARE)), 80))

    def _action(self, menu, text, slot=None, shortcut=None, name=None) -> QAction:
        act = QAction(text, self)
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
        if slot:
            # triggered(bool checked) would fill a slot's first optional parameter with False
            # (File ▸ Import data… read it as a file to import): the menu's slots take none
            act.triggered.connect(lambda _checked=False, run=slot: run())
        if name:
            act.setObjectName(name)
        menu.addAction(act)
        self.addAction(act)  # shortcuts work wherever the focus is in the window
        return act

    def _build_menus(self) -> None:
        c, mb = self.commands, self.menuBar()
        f = mb.addMenu("&File")
        self._action(f, "&New project…", c.new_project_dialog, QKeySequence.StandardKey.New)
        self._action(f, "&Open project…", c.open_project_dialog, QKeySequence.StandardKey.Open)
        self.import_action = self._action(f, "&Import data…", c.import_dialog, "Ctrl+I",
                                          "actionImport")
        self.export_action = self._action(f, "&Export training set…", c.export_dialog,
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
        self._action(e, "Analyst &name…", self.keys.ask_analyst)

        fl = mb.addMenu("F&lag")
        self.flag_actions = {key: self._action(fl, text, lambda _=False, a=action, v=value:
                                               self.keys.flag_place(a, v), shortcut)
                             for key, text, action, value, shortcut in (
            ("home", "Label is wrong → &home", "label_wrong", "home", "H"),
            ("work", "Label is wrong → &work", "label_wrong", "work", "W"),
            ("other", "Label is wrong → &other", "label_wrong", "other", "O"),
            ("model", "&Model is wrong (hard example)", "model_wrong", None, "M"),
            ("bad", "Bad data (e&xclude)", "bad_data", None, "X"))}
        fl.addSeparator()
        self._action(fl, "Current &trip is bad data", self.keys.flag_trip)
        self._action(fl, "&Next place (table or suspicious queue)", self.keys.next_row, "N")

        r = mb.addMenu("&Run")
        self.infer_action = self._action(r, "&Infer (trips, places, model)", c.run_infer,
                                         "Ctrl+R")
        self.runs_action = self._action(r, "R&uns… (compare, rerun, retrain)", c.runs_view)
        self.engine_action = self._action(r, "Inference &engine…", c.engine_dialog,
                                          name="engineAction")

        v = mb.addMenu("&View")
        bm = v.addMenu("&Basemap")
        self.basemap_group = QActionGroup(self)
        self.basemap_actions = {}
        self.basemap_menu = bm
        bm.setToolTipsVisible(True)
        for key, text in ((BASEMAP_NONE, "&None (no tiles, works offline)"),
                          (BASEMAP_OSM, "&OpenStreetMap (needs network)"),
                          ("custom", "&Custom tile URL (https)…"),
                          ("mbtiles", "Local tiles: &MBTiles file…"),
                          ("xyz", "Local tiles: &XYZ folder…")):
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
        self._action(h, "&Keyboard shortcuts", self.show_shortcuts,
                     QKeySequence.StandardKey.HelpContents)
        self._action(h, "&About auditor", self.show_about)
        self._refresh_recent_menu()

    def _connect(self) -> None:
        w, c = self.welcome, self.commands
        w.openDemo.connect(c.open_demo)
        w.importData.connect(c.import_dialog)
        w.openProject.connect(c.open_project_dialog)
        w.openRecent.connect(c.open_guarded)
        self.panel.placeFlagRequested.connect(self.keys.flag_place)
        self.panel.tripFlagRequested.connect(self.keys.flag_trip)
        self.map.mapReady.connect(self._map_ready)
        self.state.project_changed.connect(self._project_changed)
        # a new place is read from its top, not from where the last one was scrolled to
        self.state.selection_changed.connect(
            lambda new, old: new.place_id != old.place_id
            and self.panel_scroll.verticalScrollBar().setValue(0))

    def report_error(self, exc: BaseException, where: str,
                     retry: Optional[Callable[[], None]] = None,
                     tb: Optional[str] = None) -> QMessageBox:
        """The one error dialog (Retry when the project was busy and ``retry`` can do the same
        again); the keyboard comes back to the lists when it closes."""
        box = show_exception(self, exc, where, tb, retry=retry)
        box.finished.connect(lambda _result: self.keys.restore_focus())
        return box

    def restore_focus(self) -> None:
        self.keys.restore_focus()

    def _undo_failed(self, exc: BaseException, op: str = "undo") -> None:
        # busy: Retry undoes (redoes) again, on the stack rebuilt from the log by then
        self.report_error(exc, f"{op}ing a flag", retry=(
            self.undo_stack.undo if op == "undo" else self.undo_stack.redo))

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
            data = self.settings.layout_value(f"splitter/{name}{LAYOUT_VERSION}")
            if data is not None:
                split.restoreState(data)
                self._sizes_pending = False

    def save_layout(self) -> None:
        self.settings.save_layout(self.saveGeometry(), self.saveState(),
                                  {f"main{LAYOUT_VERSION}": self.main_split.saveState(),
                                   f"centre{LAYOUT_VERSION}": self.centre_split.saveState()})
        self.settings.sync()

    def reset_layout(self) -> None:
        self.settings.clear_layout()
        self.resize(1400, 900)
        self.analysis.setFloating(False)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.analysis)
        if self.project is not None:
            self.analysis.show()
        self._wants_analysis = True
        self._default_sizes()

    # --- files dropped on the window ------------------------------------------------------
    @staticmethod
    def _dropped(event) -> list[Path]:
        mime = event.mimeData()
        urls = mime.urls() if mime is not None and mime.hasUrls() else []
        return [Path(u.toLocalFile()) for u in urls if u.isLocalFile()]

    def dragEnterEvent(self, event) -> None:
        if self.commands.droppable(self._dropped(event)):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:
        paths = self._dropped(event)
        if self.commands.droppable(paths):
            event.acceptProposedAction()
            # after the drop returns: the wizard is modal-ish and the drag source waits for us
            QTimer.singleShot(0, lambda: self.commands.drop(paths))

    def closeEvent(self, event) -> None:
        self.outside_timer.stop()
        if self.interactive:
            self.save_layout()
        self.keys.detach()
        self.close_project()
        self.analysis.shutdown()
        self.panel.evidence_worker.cancel()
        finish_all()  # no thread may outlive the window (Qt aborts on a running QThread's end)
        super().closeEvent(event)

    # --- projects -----------------------------------------------------------------------------
    def open_project(self, path: str | Path, create: bool = False) -> None:
        """Open ``path`` (UserError for a file that is not a project, nothing changed)."""
        self.state.open_project(path, create=create)

    def close_project(self) -> None:
        self.state.close_project()

    def select_vehicle(self, vehicle_id: str) -> None:
        self.state.select_vehicle(vehicle_id)

    def select_place(self, place_id: str) -> None:
        self.state.select_place(place_id)

    def _project_changed(self, project) -> None:
        if project is None:
            self.setWindowTitle("auditor")
            self._show_welcome()
            return
        if self.interactive:  # screenshots and the smoke test leave the user's recent list alone
            self.settings.add_recent(project.path)
            self._refresh_recent_menu()
        self.setWindowTitle(f"auditor — {project.path.name}")
        if self.stack.currentWidget() is self.welcome:
            self.panel_dock.show()
            self.analysis_action.setEnabled(True)
            if getattr(self, "_wants_analysis", True):
                self.analysis.show()
        self.stack.setCurrentWidget(self.main_split)
        if self._sizes_pending and self.isVisible():  # default proportions, first time shown
            self._sizes_pending = False
            self._default_sizes()
        self._update_actions()
        self.projectOpened.emit(str(project.path))

    def _show_welcome(self) -> None:
        """No project: the welcome page alone — no empty Analysis dock or details pane."""
        if self.stack.currentWidget() is not self.welcome or not hasattr(self, "_wants_analysis"):
            self._wants_analysis = not self.analysis.isHidden()
        self.analysis.hide()
        self.panel_dock.hide()
        self.analysis_action.setEnabled(False)
        self.welcome.set_recent(self.settings.existing_recent())
        self.stack.setCurrentWidget(self.welcome)
        self._update_actions()

    def _refresh_recent_menu(self) -> None:
        self.recent_menu.clear()
        paths = self.settings.existing_recent()
        for p in paths:
            act = self.recent_menu.addAction(p)
            act.triggered.connect(lambda _=False, path=p: self.commands.open_guarded(path))
        self.recent_menu.setEnabled(bool(paths))

    def _update_actions(self) -> None:
        self._sync_basemap_actions()
        has = self.project is not None
        for a in (self.close_action, self.infer_action, self.runs_action,
                  *self.flag_actions.values()):
            a.setEnabled(has)
        can_export = has and export_available()
        self.export_action.setEnabled(can_export)
        self.export_action.setToolTip("" if can_export else
                                      "Export needs an open project" if export_available() else
                                      "Export is not available in this build yet")

    def _map_ready(self, vehicle_id: str) -> None:
        if vehicle_id and vehicle_id == self.vehicle_id:
            self.vehicleShown.emit(vehicle_id)

    # --- basemap ----------------------------------------------------------------------------------
    def _sync_basemap_actions(self) -> None:
        """The menu shows the open project's basemap (nothing to choose without a project)."""
        bm = self.state.basemap
        key = bm if bm in (BASEMAP_NONE, BASEMAP_OSM) else \
            bm.partition(":")[0] if bm.startswith(("mbtiles:", "xyz:")) else "custom"
        self.basemap_actions[key].setChecked(True)
        self.basemap_menu.setEnabled(self.project is not None)
        self.basemap_menu.setToolTip("" if self.project is not None else
                                     "Open a project: each project has its own basemap")

    def choose_basemap(self, key: str, value: Optional[str] = None) -> None:
        """View ▸ Basemap for the open project: none, OSM, an https tile URL, or local tiles
        (an MBTiles file or an XYZ folder, served by auditor.gui.local_tiles, no network)."""
        if self.project is None:
            self._sync_basemap_actions()
            return
        if key == "custom":
            if value is None:
                current = self.state.basemap
                value, ok = QInputDialog.getText(
                    self, "Custom basemap", "Tile URL template (https only), e.g. "
                    "https://tiles.example.org/{z}/{x}/{y}.png",
                    text=current if valid_tile_url(current) else "https://")
                if not ok:
                    self._sync_basemap_actions()
                    return
            if not valid_tile_url(value):
                self._sync_basemap_actions()
                show_user_error(self, f"{value!r} is not an https tile URL template — it must "
                                "start with https:// and contain {z}, {x} and {y}")
                return
            key = value.strip()
        elif key in ("mbtiles", "xyz"):
            if value is None:
                value = (file_dialogs.open_file(self, "MBTiles file", str(Path.home()),
                                                "MBTiles (*.mbtiles);;All files (*)")
                         if key == "mbtiles" else
                         file_dialogs.folder(self, "XYZ tile folder (z/x/y.png)",
                                             str(Path.home())))
            if not value:
                self._sync_basemap_actions()
                return
            key = f"{key}:{value}"
        try:
            self.state.set_basemap(key)
        except Exception as exc:  # refused (not a tile source) or busy: say so, keep the old one
            self.report_error(exc, "choosing the basemap")
        self._sync_basemap_actions()

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

        from auditor.logs import log_file
        box = QMessageBox(QMessageBox.Icon.Information, "About auditor",
                          f"<b>auditor {html.escape(__version__)}</b><br>Audit vehicle drive data "
                          f"and home/work labels.<br>PySide6 {html.escape(qt_version)}<br>"
                          f"Logs: {html.escape(str(log_file()))}",
                          QMessageBox.StandardButton.Ok, self)
        box.setObjectName("aboutBox")
        box.open()
        return box
