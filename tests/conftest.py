import os

# Qt on a screenless machine, as root (../shared/docs/qt-testing.md); set before Qt loads.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu")
# Unexpected exceptions surface as tracebacks in tests instead of one 'error:' line.
os.environ.setdefault("AUDITOR_DEBUG", "1")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory, monkeypatch):
    """Logs, settings and demo data of tests never touch the real user's directories."""
    home = tmp_path_factory.mktemp("userdirs")
    monkeypatch.setenv("AUDITOR_LOG_DIR", str(home / "logs"))
    monkeypatch.setenv("AUDITOR_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    yield


# Shared, expensive fixtures: one small demo fleet, imported and inferred once per session.
# Tests that write to a project use `fresh_demo_project`, a copy of it.
from pathlib import Path  # noqa: E402

DEMO_VEHICLES, DEMO_DAYS, DEMO_SEED = 60, 14, 3


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory) -> Path:
    from auditor.demo.generator import write_demo
    out = tmp_path_factory.mktemp("demo")
    write_demo(out, vehicles=DEMO_VEHICLES, days=DEMO_DAYS, seed=DEMO_SEED)
    return out


@pytest.fixture(scope="session")
def demo_project(demo_dir, tmp_path_factory) -> Path:
    """An ingested and inferred demo project. Read-only: copy it (fresh_demo_project) to write."""
    from auditor.ingest.api import ingest_paths
    from auditor.pipeline.api import infer_project
    project = tmp_path_factory.mktemp("project") / "demo.db"
    ingest_paths(project, [demo_dir / "vehicles.csv"], kind="vehicles")
    ingest_paths(project, [demo_dir / "pings.csv"], kind="pings")
    ingest_paths(project, [demo_dir / "labels.csv"], kind="labels")
    infer_project(project, seed=0)
    from auditor.store import open_project
    conn = open_project(project)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # one self-contained file to copy
    conn.close()
    return project


@pytest.fixture
def fresh_demo_project(demo_project, tmp_path) -> Path:
    # through SQLite (backup API), not shutil: a byte copy would open()/close() the project
    # file and drop the locks of connections this process holds on it
    from auditor.store.connection import copy_project
    target = tmp_path / "demo.db"
    copy_project(demo_project, target)
    return target
