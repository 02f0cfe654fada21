"""GUI test fixtures: real widgets on a small demo project, settings in a temp .ini."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest.importorskip("PySide6.QtWebEngineWidgets")  # noqa: the venv always has it


@pytest.fixture(scope="session")
def gui_project(tmp_path_factory) -> Path:
    """A small inferred demo project (8 vehicles x 7 days), read-only: copy it to write."""
    import pandas as pd

    from auditor.demo.generator import write_demo
    from auditor.pipeline.api import infer_project
    from auditor.store import open_project, transaction
    from auditor.store.bulk import insert_frame

    data = tmp_path_factory.mktemp("gui-demo")
    files = write_demo(data, vehicles=8, days=7, seed=3)
    project = tmp_path_factory.mktemp("gui-project") / "gui.db"
    conn = open_project(project)
    with transaction(conn):
        for i, kind in enumerate(("vehicles", "pings", "labels"), start=1):
            conn.execute("INSERT INTO imports (import_id, kind, path, file_name, sha256, size_bytes, "
                         "options_key, rows_read, rows_accepted, rows_quarantined, column_map, "
                         "file_format, imported_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                         (i, kind, str(files[kind]), kind, kind, 0, "{}", 0, 0, 0, "{}", "csv",
                          "2026-01-01T00:00:00Z"))
        v = pd.read_csv(files["vehicles"], dtype=str)
        meta = v.drop(columns="vehicle_id").apply(lambda r: r.to_json(), axis=1)
        insert_frame(conn, "vehicles", pd.DataFrame({"vehicle_id": v["vehicle_id"], "meta": meta,
                                                     "import_id": 1}))
        p = pd.read_csv(files["pings"]).dropna(subset=["lat", "lon", "timestamp"])
        p = p[(p["lat"].abs() <= 90) & (p["lon"].abs() <= 180)]
        ts = pd.to_datetime(p["timestamp"], utc=True, errors="coerce")
        p = p[ts.notna()]
        p["ts"] = ((ts[ts.notna()] - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)).astype("int64")
        p["utc_offset_min"] = 0
        p["import_id"] = 2
        p = p.drop_duplicates(["vehicle_id", "ts", "lat", "lon"])
        insert_frame(conn, "pings", p, ["vehicle_id", "ts", "utc_offset_min", "lat", "lon",
                                       "speed_mps", "heading_deg", "import_id"])
        lab = pd.read_csv(files["labels"])
        lab = lab[lab["label"].isin(["home", "work"])].dropna(subset=["lat", "lon"])
        lab["import_id"] = 3
        insert_frame(conn, "labels", lab, ["vehicle_id", "label", "lat", "lon", "import_id"])
    conn.close()
    infer_project(project, seed=0)
    conn = open_project(project)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return project


@pytest.fixture
def project_copy(gui_project, tmp_path) -> Path:
    target = tmp_path / "gui.db"
    shutil.copyfile(gui_project, target)
    return target


@pytest.fixture
def settings(tmp_path):
    from PySide6.QtCore import QSettings

    from auditor.gui.settings import AppSettings
    s = AppSettings(QSettings(str(tmp_path / "auditor.ini"), QSettings.Format.IniFormat))
    s.analyst = "ana"
    return s


@pytest.fixture
def window(qtbot, settings):
    from auditor.gui.main_window import MainWindow
    w = MainWindow(settings=settings, interactive=False)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    return w
