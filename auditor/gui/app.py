"""Entry points the CLI reaches through importlib: the GUI (welcome screen or a project), the
--screenshot mode, and the smoke test of the frozen app."""
from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Optional

from auditor.cli import no_screen

log = logging.getLogger("auditor.gui")

SCREENSHOT_SIZE = (1400, 900)
MAP_TIMEOUT_S = 60.0
MIN_SIZE = (800, 500)  # smaller than this, the panes cannot show what they are for


def parse_size(text: str) -> tuple[int, int]:
    """'1280x800' -> (1280, 800); a UserError naming the fix for anything else."""
    from auditor.errors import UserError
    parts = text.lower().replace("×", "x").split("x")
    try:
        w, h = (int(p) for p in parts)
    except ValueError:
        raise UserError(f"--size {text}: write it as WIDTHxHEIGHT in pixels, e.g. 1280x800") \
            from None
    if w < MIN_SIZE[0] or h < MIN_SIZE[1] or w > 10_000 or h > 10_000:
        raise UserError(f"--size {text}: use at least {MIN_SIZE[0]}x{MIN_SIZE[1]} and at most "
                        "10000x10000 pixels")
    return w, h


def prepare_environment(headless: bool = False) -> None:
    """Settings QtWebEngine reads once, before the QApplication exists."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.environ["QTWEBENGINE_DISABLE_SANDBOX"] = "1"  # Chromium refuses to sandbox as root
    os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu")
    if headless and no_screen():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # screenshots without a screen


def application(headless: bool = False):
    prepare_environment(headless)
    import PySide6.QtWebEngineWidgets  # noqa: F401  (must be imported before the app exists)

    from auditor.gui.web_profile import register_scheme
    register_scheme()  # local tiles' URL scheme: before the QApplication is created
    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtWidgets import QApplication

    from auditor import __version__
    from auditor.gui.collector import install as install_collector
    from auditor.gui.settings import APPLICATION, ORGANISATION
    from auditor.resources import resource

    app = QApplication.instance()
    if app is None:
        QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
        app = QApplication(sys.argv[:1])
    install_collector(app)  # cyclic garbage freed on this thread, never a worker's
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationVersion(__version__)
    qss = resource("qss", "auditor.qss")
    if qss.is_file():
        app.setStyleSheet(qss.read_text(encoding="utf-8"))
    icon = resource("icons", "auditor.svg")
    if icon.is_file():
        from PySide6.QtGui import QIcon
        app.setWindowIcon(QIcon(str(icon)))
    return app


def wait_until(predicate: Callable[[], bool], timeout: float) -> bool:
    """Run the event loop until ``predicate()`` holds or ``timeout`` seconds pass."""
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication
    app = QApplication.instance()
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.005)
    return True


ANALYSIS_TIMEOUT_S = 60.0


def wait_for_map(window, timeout: float = MAP_TIMEOUT_S) -> bool:
    """True once the map and timeline of the selected vehicle have drawn (or there is no
    vehicle to draw)."""
    def drawn() -> bool:
        if window.browser.initial_selection_pending or window.timeline.pending:
            return False
        if window.vehicle_id is None:
            return True
        return window.map.ready and window.map.vehicle_id == window.vehicle_id
    return wait_until(drawn, timeout)


def page_places(window, timeout: float = 10.0) -> Optional[int]:
    """Ask the page itself how many places it shows (window.auditor.placeIds)."""
    box: dict = {}
    window.map.run_js("window.auditor ? window.auditor.placeIds.length : -1",
                      lambda value: box.setdefault("n", value))
    if not wait_until(lambda: "n" in box, timeout):
        return None
    return box["n"]


def _looks_blank(widget) -> bool:
    image = widget.grab().toImage()
    w, h = image.width(), image.height()
    if w < 4 or h < 4:
        return True
    colours = {image.pixel(int(w * fx), int(h * fy)) for fx in (0.1, 0.5, 0.9)
               for fy in (0.1, 0.5, 0.9)}
    return colours == {0xFFFFFFFF}


def grab_png(window, path: Path) -> None:
    from auditor.errors import UserError
    # the web view paints a frame or two after the page reports ready: wait for pixels
    wait_until(lambda: not _looks_blank(window.map), 5.0)
    wait_until(lambda: False, 0.2)
    image = window.grab().toImage()
    from auditor.atomic import atomic_path  # exclusive temp file, fsync, rename (issue 12)
    from auditor.outputs import check_output_file
    path = check_output_file(path, what="the screenshot")
    with atomic_path(path) as tmp:
        if not image.save(str(tmp), "PNG"):
            raise UserError(f"{path}: cannot write the screenshot — check the folder exists and "
                            "is writable")


def dispose(window) -> None:
    """Delete the window (and its web page) now, before the web profile goes away at exit;
    worker threads end first."""
    from PySide6.QtCore import QCoreApplication, QEvent

    from auditor.gui.workers import finish_all
    finish_all()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()


def _main_window(interactive: bool, settings=None):
    from auditor.gui.main_window import MainWindow
    return MainWindow(settings=settings, interactive=interactive)


def run_cli(args) -> int:
    """`auditor` (welcome screen) and `auditor open PROJECT [--screenshot F] [--vehicle V]`."""
    from auditor.errors import UserError
    screenshot = getattr(args, "screenshot", None)
    project = getattr(args, "project", None)
    vehicle = getattr(args, "vehicle", None)
    tab = getattr(args, "tab", None)
    size = parse_size(args.size) if getattr(args, "size", None) else None
    if screenshot and not Path(screenshot).resolve().parent.is_dir():
        raise UserError(f"{screenshot}: folder {Path(screenshot).resolve().parent} does not exist")
    prepare_environment(headless=bool(screenshot))
    app = application()
    window = _main_window(interactive=not screenshot)
    if size or screenshot:
        window.resize(*(size or SCREENSHOT_SIZE))
    window.show()
    if project:
        window.open_project(project)  # UserError -> the CLI prints one line and exits 1
        if vehicle:
            window.select_vehicle(vehicle)
        if tab:
            window.analysis.show()
            window.analysis.show_tab(tab)
    if screenshot:
        try:
            if not wait_for_map(window):
                raise UserError(f"the map of vehicle {window.vehicle_id} did not draw within "
                                f"{MAP_TIMEOUT_S:.0f} s; see the log")
            if project:
                # the picture should show the analysis, not "Computing…"; if it is slow (a huge
                # fleet), the screenshot still comes, with the panel's progress in it
                wait_until(lambda: window.analysis.report is not None, ANALYSIS_TIMEOUT_S)
            if tab == "drift":
                drift = window.analysis.view("drift")
                wait_until(lambda: drift.loaded, MAP_TIMEOUT_S)
            grab_png(window, Path(screenshot))
        finally:
            window.close()
            dispose(window)
        return 0
    window.raise_()
    code = app.exec()
    dispose(window)
    return code


def launch(project_path) -> int:
    """Open the GUI on a project (used by `auditor demo`)."""
    prepare_environment()
    app = application()
    window = _main_window(interactive=True)
    window.show()
    window.open_project(project_path)
    code = app.exec()
    dispose(window)
    return code


def run_smoke_test(args=None) -> int:
    """Build a tiny demo project, the main window and the map; 0 when the page reports places."""
    prepare_environment(headless=True)
    try:
        from PySide6.QtCore import QSettings

        from auditor.demo.project import build_demo_project
        from auditor.gui.settings import AppSettings
        with tempfile.TemporaryDirectory(prefix="auditor-smoke-") as tmp:
            project = build_demo_project(Path(tmp) / "smoke.db", vehicles=5, days=3, seed=1).project
            application()
            settings = AppSettings(QSettings(str(Path(tmp) / "settings.ini"),
                                             QSettings.Format.IniFormat))
            window = _main_window(interactive=False, settings=settings)
            window.resize(*SCREENSHOT_SIZE)
            window.show()
            window.open_project(project)
            try:
                if not wait_for_map(window):
                    raise RuntimeError("the map page never reported ready")
                if window.vehicle_id is None:
                    raise RuntimeError("the demo project has no vehicle with places")
                n = page_places(window)
                if not n or n < 1:
                    raise RuntimeError(f"the map page reports {n!r} places")
            finally:
                window.close()
                dispose(window)
    except Exception as exc:  # the frozen app's check: one line, traceback in the log
        from auditor.logs import setup_logging
        path = setup_logging()
        log.exception("smoke test failed")
        print(f"smoke test failed: {type(exc).__name__}: {exc} (details in {path})",
              file=sys.stderr)
        return 1
    print("smoke test ok")
    return 0
