"""The README's pictures, rendered from the real app on the demo fleet (`make screenshots`):

    xvfb-run -a -s "-screen 0 1280x800x24" python -m auditor.gui.screenshots docs/img --size 1280x800

writes main-, queue-, tree- and wizard-1280x800.png: the main window with a trip chosen, the
suspicious-labels queue with a flag, the error tree with a node's places listed, and the import
wizard on the demo's three files. The screen is grabbed (the wizard is a window of its own), so
the virtual screen must be the size asked for. The demo project is copied first: the flag never
touches it. Settings go to a temporary file: the user's own are never read or changed."""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from auditor.gui.app import (
    ANALYSIS_TIMEOUT_S,
    MAP_TIMEOUT_S,
    application,
    dispose,
    parse_size,
    prepare_environment,
    wait_for_map,
    wait_until,
)

VEHICLE = "V00040"  # the default demo (seed 7) gives it a swapped home/work label


def _settle(window) -> None:
    """The map drawn, the details' evidence in, the last frames painted."""
    wait_for_map(window, MAP_TIMEOUT_S)
    panel = window.panel
    wait_until(lambda: not panel._evidence_timer.isActive() and not panel.evidence_worker.busy,
               20)
    wait_until(lambda: False, 0.6)


def _grab(path: Path, size: tuple[int, int]) -> None:
    from PySide6.QtGui import QGuiApplication
    screen = QGuiApplication.primaryScreen()
    image = screen.grabWindow(0, 0, 0, *size).toImage()
    if not image.save(str(path), "PNG"):
        raise SystemExit(f"error: cannot write {path}")
    print(f"wrote {path}")


def _grab_dialog(path: Path, size: tuple[int, int], dialog) -> None:
    """The screen with ``dialog`` over it as a window manager would show it: the window behind
    dimmed, the dialog framed (Xvfb has no window manager to draw a frame)."""
    from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPen
    wait_until(lambda: False, 0.6)
    screen = QGuiApplication.primaryScreen().grabWindow(0, 0, 0, *size).toImage()
    top = dialog.grab().toImage()
    p = QPainter(screen)
    p.fillRect(screen.rect(), QColor(0, 0, 0, 90))
    pos = dialog.pos()
    p.drawImage(pos, top)
    p.setPen(QPen(QColor("#555555"), 2))
    p.drawRect(pos.x() - 1, pos.y() - 1, top.width() + 1, top.height() + 1)
    p.end()
    if not screen.save(str(path), "PNG"):
        raise SystemExit(f"error: cannot write {path}")
    print(f"wrote {path}")


def render(out: Path, size: tuple[int, int], project: Path, demo_data: Path) -> None:
    from PySide6.QtCore import QSettings

    from auditor.gui.main_window import MainWindow
    from auditor.gui.settings import AppSettings
    from auditor.store.connection import copy_project
    w, h = size
    tag = f"{w}x{h}"
    with tempfile.TemporaryDirectory(prefix="auditor-shots-") as tmp:
        copy = Path(tmp) / "demo.db"
        copy_project(project, copy)
        settings = AppSettings(QSettings(str(Path(tmp) / "settings.ini"),
                                         QSettings.Format.IniFormat))
        settings.analyst = "ana"
        window = MainWindow(settings=settings, interactive=False)
        window.move(0, 0)
        window.resize(w, h)
        window.show()
        try:
            window.open_project(copy)
            window.select_vehicle(VEHICLE)
            wait_until(lambda: window.state.analysis is not None, ANALYSIS_TIMEOUT_S)
            wait_for_map(window, MAP_TIMEOUT_S)

            # 1. the main window: the suspicious place of V00040, one of its trips chosen
            queue = window.analysis.view("suspicious")
            window.analysis.show_tab("suspicious")
            row = queue.row_of(f"{VEHICLE}:0")
            queue.select_row(row if row is not None else 0)
            trip = window.project.conn.execute(
                "SELECT trip_id FROM trips WHERE vehicle_id = ? ORDER BY start_ts LIMIT 1 "
                "OFFSET 3", (window.vehicle_id,)).fetchone()
            if trip:
                window.state.select_trip(trip[0])
            _settle(window)
            _grab(out / f"main-{tag}.png", size)

            # 2. the queue with a flag: the second row flagged "label is wrong -> home"
            queue.select_row(1)
            wait_for_map(window, MAP_TIMEOUT_S)
            suggested = queue.rows[1].get("suggested_label") or "home"
            window.keys.flag_place("label_wrong", suggested)
            wait_until(lambda: False, 0.5)  # the map redraws the flag's mark
            _settle(window)
            _grab(out / f"queue-{tag}.png", size)

            # 3. the error tree, its worst leaf clicked: the browser lists it, errors first
            window.analysis.show_tab("tree")
            tree = window.analysis.view("tree")
            leaves = window.analysis.report["error_tree"]["leaves"]
            if leaves:
                tree.choose_node(leaves[0]["id"])
                item = tree.items.get(leaves[0]["id"])
                if item is not None:
                    tree.tree.setCurrentItem(item)
            _settle(window)
            _grab(out / f"tree-{tag}.png", size)

            # 4. the import wizard on the demo's three files, at its columns page
            from auditor.gui.import_wizard import ImportWizard
            wizard = ImportWizard(copy, window)
            wizard.add_files([demo_data / "pings.csv", demo_data / "labels.csv",
                              demo_data / "vehicles.csv"])
            wizard.show()
            wizard.move((w - wizard.width()) // 2, (h - wizard.height()) // 2)
            wait_until(lambda: not wizard.file_page.is_loading(), 30)
            wizard.next()
            wizard.columns_page.tabs.setCurrentIndex(2)  # vehicles: every column, metadata too
            _grab_dialog(out / f"wizard-{tag}.png", size, wizard)
            wizard.reject()
        finally:
            window.close()
            dispose(window)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m auditor.gui.screenshots",
                                description="Render the README's screenshots of the demo.")
    p.add_argument("out", help="folder for the PNG files")
    p.add_argument("--size", default="1280x800", help="window and screen size, WxH")
    p.add_argument("--project", help="the demo project (default: the default demo's)")
    args = p.parse_args(argv)
    from auditor.demo.project import default_demo_project
    project = Path(args.project) if args.project else Path(default_demo_project())
    demo_data = project.parent / "demo-data"
    if not project.is_file() or not (demo_data / "pings.csv").is_file():
        print(f"error: {project}: no demo project with its demo-data folder — run "
              "`auditor demo --no-gui` first", file=sys.stderr)
        return 1
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    prepare_environment(headless=False)
    application()
    render(out, parse_size(args.size), project, demo_data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
