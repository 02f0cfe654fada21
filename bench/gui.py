"""GUI benchmark (not a test): time to first paint of the main window on a project, and time to
switch vehicle (map page drawn + timeline drawn). Median of N runs; targets: first paint < 2 s,
switch < 300 ms. Then the Feature space tab at 100k places (pan < 100 ms, lasso < 200 ms),
measured by bench/scatter.py in its own process.

    .venv/bin/python bench/gui.py                      # 5,000 vehicles x 30 days (slow to build)
    .venv/bin/python bench/gui.py --vehicles 300 --days 30

The demo project is built once into bench/out/gui/ (gitignored) and reused."""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

T_START = time.perf_counter()
ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out" / "gui"
FIRST_PAINT_TARGET_S, SWITCH_TARGET_S = 2.0, 0.3


def build(vehicles: int, days: int, seed: int) -> Path:
    from auditor.demo.project import build_demo_project
    from auditor.progress import TerminalProgress
    OUT.mkdir(parents=True, exist_ok=True)
    project = OUT / f"demo-{vehicles}x{days}.db"
    t = time.perf_counter()
    result = build_demo_project(project, vehicles=vehicles, days=days, seed=seed,
                                progress=TerminalProgress())
    how = "reused" if result.reused else f"built in {time.perf_counter() - t:.0f} s"
    print(f"project {project.name}: {how}", flush=True)
    return project


def _window():
    from PySide6.QtCore import QSettings

    from auditor.gui.app import application
    from auditor.gui.main_window import MainWindow
    from auditor.gui.settings import AppSettings
    app = application(headless=True)
    settings = AppSettings(QSettings(str(OUT / "bench-settings.ini"), QSettings.Format.IniFormat))
    settings.clear_layout()
    window = MainWindow(settings=settings, interactive=False)
    window.resize(1400, 900)
    return app, window


def _close(window) -> None:
    """Close as the app does (background jobs stop) so the child exits cleanly."""
    from auditor.gui.app import dispose
    window.close()
    dispose(window)


def child_first_paint(project: Path) -> dict:
    """One cold start: process start -> main window painted with the project's table, then
    -> map of the first vehicle drawn."""
    from PySide6.QtCore import QEvent, QObject

    from auditor.gui.app import wait_for_map, wait_until
    app, window = _window()
    painted = {}

    class PaintWatch(QObject):
        """The first paint of the place table with the project's rows in it."""
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint and "t" not in painted and window.project:
                painted["t"] = time.perf_counter()
                painted["cpu"] = time.process_time()
            return False

    watch = PaintWatch()
    window.browser.table.viewport().installEventFilter(watch)
    window.show()
    window.open_project(project)
    wait_until(lambda: "t" in painted, 30)
    ok = wait_for_map(window, 60)
    t_map = time.perf_counter()
    _close(window)
    return {"first_paint_s": painted["t"] - T_START, "first_paint_cpu_s": painted["cpu"],
            "map_drawn_s": t_map - T_START, "ok": ok}


def _timed(obj, name: str, spent: dict, key: str) -> None:
    """Wrap obj.name to add its run time to spent[key] (attributes the switch time)."""
    fn = getattr(obj, name)

    def wrapper(*a, **kw):
        t = time.perf_counter()
        try:
            return fn(*a, **kw)
        finally:
            spent[key] = spent.get(key, 0.0) + time.perf_counter() - t
    setattr(obj, name, wrapper)


def child_switch(project: Path, repeats: int) -> dict:
    from auditor.gui.app import wait_for_map
    app, window = _window()
    window.show()
    window.open_project(project)
    wait_for_map(window, 60)
    vehicles = [r[0] for r in window.project.conn.execute(
        "SELECT DISTINCT vehicle_id FROM places ORDER BY vehicle_id")]
    step = max(1, len(vehicles) // (repeats + 1))
    picks = [v for v in vehicles[step::step] if v != window.vehicle_id][:repeats]
    spent: dict = {}
    _timed(window.map, "show_vehicle", spent, "map")             # payload + swap request
    _timed(window.timeline, "show_vehicle", spent, "timeline")   # raster read + drawn
    _timed(window.panel, "show_place", spent, "panel")           # details, flags, evidence
    _timed(window.browser, "show_place", spent, "table")         # table row selected
    ready: dict = {}
    window.map.mapReady.connect(lambda vid: ready.setdefault(vid, time.perf_counter()))
    loads = window.map.page_loads
    times, view_times, parts = [], [], []
    for vid in picks:
        spent.clear()
        t = time.perf_counter()
        window.select_vehicle(vid)            # payload swapped into the page, timeline drawn
        if not wait_for_map(window, 60):
            raise RuntimeError(f"map of {vid} never drew")
        times.append(time.perf_counter() - t)
        # map + timeline: the switch without the other panes' work (panel, table)
        view_times.append(ready[vid] - t - spent.get("panel", 0.0) - spent.get("table", 0.0))
        parts.append({k: round(v, 4) for k, v in spent.items()})
    _close(window)
    return {"switch_s": times, "map_timeline_s": view_times, "parts": parts, "vehicles": picks,
            "page_reloads": window.map.page_loads - loads}


def run_child(mode: str, project: Path, repeats: int) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    out = subprocess.run([sys.executable, __file__, "--child", mode, "--project", str(project),
                          "--repeats", str(repeats)], capture_output=True, text=True, env=env,
                         timeout=600)
    line = next((s for s in out.stdout.splitlines() if s.startswith("{")), None)
    if out.returncode != 0 or line is None:
        raise SystemExit(f"child {mode} failed:\n{out.stderr[-3000:]}")
    return json.loads(line)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--vehicles", type=int, default=5000)
    p.add_argument("--days", type=int, default=30)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--project", type=Path, help="use this project instead of building the demo")
    p.add_argument("--scatter-places", type=int, default=100_000,
                   help="places for the Feature space figures (0: skip them)")
    p.add_argument("--child", choices=["first-paint", "switch"], help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        result = (child_first_paint(args.project) if args.child == "first-paint"
                  else child_switch(args.project, args.repeats))
        print(json.dumps(result))
        return 0

    project = args.project or build(args.vehicles, args.days, args.seed)
    cold = [run_child("first-paint", project, args.repeats) for _ in range(args.repeats)]
    paint = statistics.median(c["first_paint_s"] for c in cold)
    drawn = statistics.median(c["map_drawn_s"] for c in cold)
    cpu = statistics.median(c["first_paint_cpu_s"] for c in cold)
    result = run_child("switch", project, args.repeats)
    switch, views = result["switch_s"], result["map_timeline_s"]
    sw = statistics.median(switch)
    view = statistics.median(views)
    print(f"project: {project} ({project.stat().st_size / 1e6:.0f} MB)")
    print(f"first paint of the main window (cold process start): median {paint:.2f} s over "
          f"{len(cold)} runs  [target < {FIRST_PAINT_TARGET_S} s] "
          f"{'OK' if paint < FIRST_PAINT_TARGET_S else 'MISSED'}")
    print(f"  ... CPU time of this process until then: median {cpu:.2f} s "
          f"(wall >> CPU means the machine is busy; load average {os.getloadavg()[0]:.1f})")
    print(f"  ... until the first vehicle's map is drawn: median {drawn:.2f} s")
    print(f"switch vehicle (map + timeline drawn): median {sw * 1000:.0f} ms over {len(switch)} "
          f"switches (min {min(switch) * 1000:.0f}, max {max(switch) * 1000:.0f})  "
          f"[target < {SWITCH_TARGET_S * 1000:.0f} ms] {'OK' if sw < SWITCH_TARGET_S else 'MISSED'}")
    print(f"  ... map + timeline drawn (without the table and details panel): median "
          f"{view * 1000:.0f} ms (min {min(views) * 1000:.0f}, max {max(views) * 1000:.0f}); "
          f"page reloads: {result['page_reloads']}")
    median_parts = {k: statistics.median(p.get(k, 0.0) for p in result["parts"])
                    for k in sorted({k for p in result["parts"] for k in p})}
    print("  ... median seconds in: " + ", ".join(f"{k} {v:.3f}" for k, v in median_parts.items()))
    if args.scatter_places:
        _scatter(args.scatter_places)
    return 0


def _scatter(places: int) -> None:
    """The Feature space tab's pan / lasso / colour figures (issue 17), from bench/scatter.py in
    a fresh process so the main window's state above does not colour them."""
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "scatter.py"), "--places",
                          str(places)], capture_output=True, text=True, env=env, timeout=1200)
    if out.returncode != 0:
        raise SystemExit(f"bench/scatter.py failed:\n{out.stderr[-3000:]}")
    print("Feature space tab: " + out.stdout.strip())


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
